//! The crate generated from `codegen/tests/server-specs/bodies.yaml`, served
//! over real HTTP: text and form bodies arrive typed (a `String`, a form
//! struct), raw bytes as they were sent; the generated client sends each in
//! its media type; and a body of another media type (415, naming what is
//! accepted), text that is not UTF-8, a missing or broken form field, or text
//! breaking its schema's rules are refused in the spec's error format, never
//! reaching the implementation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use codegen_snapshot_bodies as bodies;
use serde_json::Value;

#[derive(Default)]
struct Store {
    calls: AtomicUsize,
}

impl bodies::server::ApiHooks for Store {}

/// A stream fed by a channel (the tests have no stream combinators).
struct Channel<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> futures_core::Stream for Channel<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// The next item of a stream.
async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

impl bodies::server::NotesApi for Store {
    async fn export_note(
        &self,
        path: bodies::ExportNotePath,
        media: bodies::ExportNoteMedia,
    ) -> Result<bodies::server::ExportNoteReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let text = format!("note {}", path.id);
        let content = match media {
            bodies::ExportNoteMedia::Json => {
                bodies::ExportNoteOkContent::Json(bodies::models::Note { text })
            }
            bodies::ExportNoteMedia::TextCsv => {
                bodies::ExportNoteOkContent::TextCsv(format!("id,text\n{},{text}\n", path.id))
            }
            bodies::ExportNoteMedia::ApplicationPdf => {
                bodies::ExportNoteOkContent::ApplicationPdf(format!("%PDF {text}").into())
            }
        };
        Ok(bodies::server::ExportNoteReply::Ok(content))
    }

    async fn watch_notes(
        &self,
        query: bodies::WatchNotesQuery,
        last_event_id: Option<String>,
    ) -> Result<bodies::server::WatchNotesReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // Resumes after the last event the client saw.
        let first = last_event_id
            .and_then(|id| id.parse::<i64>().ok())
            .map_or(1, |id| id + 1);
        let count = query.count_or_default();
        let (send, receive) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for id in first..first + count {
                // A pause longer than the keep-alive: a comment goes out.
                tokio::time::sleep(std::time::Duration::from_millis(60)).await;
                let event = bodies::server::Event::new(bodies::models::Note {
                    text: format!("note {id}"),
                })
                .id(id.to_string())
                .event("note");
                if send.send(event).await.is_err() {
                    return;
                }
            }
        });
        let events = bodies::server::EventStream::new(Channel(receive))
            .keep_alive(std::time::Duration::from_millis(20));
        Ok(bodies::server::WatchNotesReply::Ok(events))
    }

    async fn tick_notes(
        &self,
        media: bodies::TickNotesMedia,
        _last_event_id: Option<String>,
    ) -> Result<bodies::server::TickNotesReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let ticks = ["tick", "tock: a line\nand another"];
        let content = match media {
            bodies::TickNotesMedia::TextEventStream => {
                let (send, receive) = tokio::sync::mpsc::channel(4);
                for tick in ticks {
                    send.try_send(bodies::server::Event::new(tick.to_owned()))
                        .unwrap();
                }
                bodies::TickNotesOkContent::TextEventStream(bodies::server::EventStream::new(
                    Channel(receive),
                ))
            }
            bodies::TickNotesMedia::Json => {
                bodies::TickNotesOkContent::Json(ticks.map(str::to_owned).to_vec())
            }
        };
        Ok(bodies::server::TickNotesReply::Ok(content))
    }

    async fn create_note(
        &self,
        body: String,
    ) -> Result<bodies::server::CreateNoteReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(bodies::server::CreateNoteReply::Created(
            bodies::models::Note { text: body },
        ))
    }

    async fn get_note(
        &self,
        path: bodies::GetNotePath,
    ) -> Result<bodies::server::GetNoteReply, bodies::server::HttpError> {
        Ok(bodies::server::GetNoteReply::Ok(format!(
            "note {} – ünïcode",
            path.id
        )))
    }

    async fn get_raw_note(
        &self,
        path: bodies::GetRawNotePath,
    ) -> Result<bodies::server::GetRawNoteReply, bodies::server::HttpError> {
        let text = format!("# note {}", path.id);
        Ok(bodies::server::GetRawNoteReply::Ok(
            text.into_bytes().into(),
        ))
    }

    async fn bulk_notes(
        &self,
        body: Option<bodies::BulkNotesContent>,
    ) -> Result<bodies::server::BulkNotesReply, bodies::server::HttpError> {
        let text = match body {
            None => "nothing".to_owned(),
            Some(bodies::BulkNotesContent::Json(note)) => format!("json: {}", note.text),
            Some(bodies::BulkNotesContent::TextPlain(text)) => format!("text: {text}"),
        };
        Ok(bodies::server::BulkNotesReply::Ok(bodies::models::Note {
            text,
        }))
    }

    async fn upload_report(
        &self,
        body: Option<String>,
    ) -> Result<bodies::server::UploadReportReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let count = body.map_or(0, |text| text.lines().count() as i64);
        Ok(bodies::server::UploadReportReply::Ok(
            bodies::models::Count::new(count),
        ))
    }
}

impl bodies::server::PetsApi for Store {
    async fn create_pet(
        &self,
        body: bodies::CreatePetForm,
    ) -> Result<bodies::server::CreatePetReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // The form's enum is the model's: one schema, one type.
        let mut pet = bodies::models::Pet::new(7, body.name, body.tags);
        pet.age = body.age;
        pet.kind = body.kind;
        pet.vaccinated = body.vaccinated;
        Ok(bodies::server::CreatePetReply::Created(pet))
    }

    async fn search_pets(
        &self,
        body: Option<bodies::SearchPetsForm>,
    ) -> Result<bodies::server::SearchPetsReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let text = match body {
            None => "no form".to_owned(),
            Some(form) => format!(
                "q={} limit={}",
                form.q.as_deref().unwrap_or("-"),
                form.limit_or_default()
            ),
        };
        Ok(bodies::server::SearchPetsReply::Ok(bodies::models::Note {
            text,
        }))
    }

    async fn import_pets(
        &self,
        body: bodies::ImportPetsContent,
    ) -> Result<bodies::server::ImportPetsReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let text = match body {
            bodies::ImportPetsContent::Json(note) => format!("json: {}", note.text),
            bodies::ImportPetsContent::TextPlain(text) => format!("text: {text}"),
            bodies::ImportPetsContent::Form(form) => format!("form: {}", form.text),
            bodies::ImportPetsContent::ImagePng(bytes) => format!("png: {} bytes", bytes.len()),
        };
        Ok(bodies::server::ImportPetsReply::Ok(bodies::models::Note {
            text,
        }))
    }

    async fn upload_pet_photos(
        &self,
        path: bodies::UploadPetPhotosPath,
        body: bodies::UploadPetPhotosMultipart,
    ) -> Result<bodies::server::UploadPetPhotosReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut thumbs = Vec::new();
        for thumb in body.thumbnails {
            thumbs.push(length_of(thumb.body).await.to_string());
        }
        let notes = match body.notes {
            Some(notes) => describe(notes).await,
            None => "none".to_owned(),
        };
        let text = format!(
            "pet={};caption={};tags={};width={};photo={};thumbs={};notes={notes}",
            path.id,
            body.fields.caption,
            body.fields.tags.join(","),
            body.fields
                .meta
                .map_or("-".to_owned(), |meta| meta.width.to_string()),
            describe(body.photo).await,
            thumbs.join(","),
        );
        Ok(bodies::server::UploadPetPhotosReply::Ok(
            bodies::models::Note { text },
        ))
    }

    async fn attach_files(
        &self,
        _path: bodies::AttachFilesPath,
        body: Option<bodies::AttachFilesMultipart>,
    ) -> Result<bodies::server::AttachFilesReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let count = body.map_or(0, |body| body.files.len() as i64);
        Ok(bodies::server::AttachFilesReply::Ok(
            bodies::models::Count::new(count),
        ))
    }

    async fn upload_photo(
        &self,
        path: bodies::UploadPhotoPath,
        body: bodies::server::ByteStream,
    ) -> Result<bodies::server::UploadPhotoReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // Read as it arrives, never held whole.
        let mut reader = Box::pin(body.into_reader());
        match tokio::io::copy(&mut reader, &mut tokio::io::sink()).await {
            Ok(length) => Ok(bodies::server::UploadPhotoReply::Ok(
                bodies::models::Count::new(length as i64 + path.id * 1000),
            )),
            Err(err) => Ok(bodies::server::UploadPhotoReply::Default(
                axum::http::StatusCode::BAD_REQUEST,
                {
                    let mut error =
                        bodies::models::Error::new(format!("the upload broke off: {err}"));
                    error.code = Some("broken_upload".to_owned());
                    error
                },
            )),
        }
    }
}

/// Every byte of a stream, counted as it is read.
async fn length_of(body: bodies::server::ByteStream) -> u64 {
    let mut reader = Box::pin(body.into_reader());
    tokio::io::copy(&mut reader, &mut tokio::io::sink())
        .await
        .unwrap()
}

/// `name/type/length` of a file part.
async fn describe(file: bodies::server::FilePart) -> String {
    format!(
        "{}/{}/{}",
        file.file_name.as_deref().unwrap_or("-"),
        file.content_type.as_deref().unwrap_or("-"),
        length_of(file.body).await
    )
}

impl bodies::server::BlobsApi for Store {
    async fn echo_blob(
        &self,
        body: bodies::server::ByteStream,
    ) -> Result<bodies::server::EchoBlobReply, bodies::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // The answer streams out what is still streaming in.
        Ok(bodies::server::EchoBlobReply::Ok(body))
    }
}

async fn serve() -> (String, Arc<Store>) {
    serve_with(bodies::server::RouterOptions::default()).await
}

async fn serve_with(options: bodies::server::RouterOptions) -> (String, Arc<Store>) {
    let store = Arc::new(Store::default());
    let router = bodies::server::router_with(store.clone(), options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), store)
}

/// A raw request with `content_type` (if any) and `body`: status and JSON answer.
async fn raw(
    base: &str,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{status}: not JSON ({err}): {text}"));
    (status, value)
}

fn message(answer: &Value) -> &str {
    answer["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn text_bodies_arrive_as_strings_and_keep_their_rules() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let note = client.create_note("hello, ünïcode").await.unwrap();
    assert_eq!(note.into_inner().text, "hello, ünïcode");
    let count = client.upload_report(Some("a,b\n1,2\n3,4\n")).await.unwrap();
    assert_eq!(count.into_inner().count, 3);
    let none = client.upload_report(None).await.unwrap();
    assert_eq!(none.into_inner().count, 0);
    assert_eq!(store.calls.load(Ordering::SeqCst), 3);

    // The client checks the text's rules before sending.
    let refused = client.create_note(&"x".repeat(21)).await.unwrap_err();
    assert!(
        matches!(refused, bodies::client::ClientError::InvalidBody(_)),
        "{refused:?}"
    );

    let post = reqwest::Method::POST;
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/notes",
        Some("text/plain"),
        "x".repeat(21),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "invalid_body");
    assert!(message(&answer).contains("at most 20"), "{answer}");
    // Charset parameters are fine; the media type is what counts.
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/notes",
        Some("text/plain; charset=utf-8"),
        "ok",
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/notes",
        Some("application/json"),
        "\"hi\"",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    assert_eq!(answer["code"], "unsupported_media_type");
    assert!(message(&answer).contains("`text/plain`"), "{answer}");
    let (status, answer) = raw(&base, post.clone(), "/notes", None, "no type").await;
    assert_eq!(status, 415, "{answer}");
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/notes",
        Some("text/plain"),
        vec![0x68, 0xFF, 0x69],
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).contains("not UTF-8"), "{answer}");
    let latin = Some("text/plain; charset=iso-8859-1");
    let (status, answer) = raw(&base, post.clone(), "/notes", latin, vec![0x63, 0xE9]).await;
    assert_eq!(status, 415, "{answer}");
    assert!(message(&answer).contains("UTF-8"), "{answer}");
    // An empty text is a text (here too short); no body at all is none.
    let (status, answer) = raw(&base, post.clone(), "/notes", Some("text/plain"), "").await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).contains("at least 1"), "{answer}");
    let (status, answer) = raw(&base, post.clone(), "/notes", None, "").await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "missing_body");
    let (status, answer) = raw(&base, post, "/reports", Some("text/plain"), "a\n").await;
    assert_eq!(status, 415, "{answer}");
    assert!(message(&answer).contains("`text/csv`"), "{answer}");
    assert_eq!(
        store.calls.load(Ordering::SeqCst),
        4,
        "only the good note got through"
    );
}

#[tokio::test]
async fn text_responses_are_strings_in_their_media_type() {
    let (base, _store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let note = client.get_note(5).await.unwrap();
    assert_eq!(note.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(note.into_inner(), "note 5 – ünïcode");
    let raw = client.get_raw_note(6).await.unwrap();
    assert_eq!(raw.headers()["content-type"], "text/markdown");
    assert_eq!(
        &raw.into_inner().collect(1024).await.unwrap()[..],
        b"# note 6"
    );
}

#[tokio::test]
async fn form_bodies_arrive_as_typed_fields_and_are_checked_like_query_parameters() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let form = bodies::CreatePetForm {
        name: "Rex & Co = 100%".to_owned(),
        age: Some(3),
        kind: Some(bodies::models::NewPetKind::Dog),
        tags: vec!["good boy".to_owned(), "ünï".to_owned()],
        vaccinated: Some(true),
    };
    let pet = client.create_pet(&form).await.unwrap().into_inner();
    assert_eq!(pet.name, form.name);
    assert_eq!(pet.age, Some(3));
    assert_eq!(pet.kind, Some(bodies::models::NewPetKind::Dog));
    assert_eq!(pet.tags, form.tags);
    assert_eq!(pet.vaccinated, Some(true));

    // The client checks the fields before sending.
    let mut bad = form.clone();
    bad.age = Some(-1);
    let refused = client.create_pet(&bad).await.unwrap_err();
    assert!(
        matches!(&refused, bodies::client::ClientError::InvalidParameters(error)
            if error.to_string().contains("form parameter `age`")),
        "{refused:?}"
    );

    let searched = client.search_pets(None).await.unwrap().into_inner();
    assert_eq!(searched.text, "no form");
    let query = bodies::SearchPetsForm {
        q: Some("rex".to_owned()),
        limit: None,
    };
    let searched = client.search_pets(Some(&query)).await.unwrap().into_inner();
    assert_eq!(searched.text, "q=rex limit=10");
    let calls = store.calls.load(Ordering::SeqCst);

    let post = reqwest::Method::POST;
    let form_type = Some("application/x-www-form-urlencoded");
    let (status, answer) = raw(&base, post.clone(), "/pets", form_type, "age=2").await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "missing_parameter");
    assert!(
        message(&answer).contains("form parameter `name` is required"),
        "{answer}"
    );
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets",
        form_type,
        "name=Rex&age=old&kind=cow&tags=a&tags=b&tags=c&tags=d",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    // Every broken field at once.
    let text = message(&answer);
    for expected in ["`age`", "`kind`", "`tags`"] {
        assert!(text.contains(expected), "{expected}: {answer}");
    }
    let (status, answer) = raw(&base, post.clone(), "/pets", form_type, "name=%FF").await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).contains("UTF-8"), "{answer}");
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets",
        Some("application/json"),
        r#"{"name":"Rex"}"#,
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    assert!(
        message(&answer).contains("application/x-www-form-urlencoded"),
        "{answer}"
    );
    let (status, answer) = raw(&base, post, "/pets/search", form_type, "limit=0").await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        message(&answer).contains("form parameter `limit`"),
        "{answer}"
    );
    assert_eq!(
        store.calls.load(Ordering::SeqCst),
        calls,
        "no refused form got through"
    );
}

#[tokio::test]
async fn byte_bodies_take_only_their_media_types() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    // The spec gives a range: the client names the media type it sends.
    let count = client
        .upload_photo(2, "image/png", vec![1, 2, 3])
        .await
        .unwrap();
    assert_eq!(count.into_inner().count, 2003);
    for wrong in ["image/*", "text/plain", "png"] {
        let refused = client.upload_photo(2, wrong, vec![1]).await.unwrap_err();
        assert!(
            matches!(&refused, bodies::client::ClientError::InvalidRequest(message)
                if message.contains("`image/*`")),
            "{wrong}: {refused:?}"
        );
    }
    // An empty file is a file.
    let count = client
        .upload_photo(3, "image/gif", Vec::new())
        .await
        .unwrap();
    assert_eq!(count.into_inner().count, 3000);
    let put = reqwest::Method::PUT;
    let (status, answer) = raw(
        &base,
        put.clone(),
        "/pets/1/photo",
        Some("image/png"),
        vec![0u8; 10],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["count"], 1010);
    let (status, answer) = raw(
        &base,
        put.clone(),
        "/pets/1/photo",
        Some("application/json"),
        "{}",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    assert!(message(&answer).contains("`image/*`"), "{answer}");
    let (status, answer) = raw(&base, put, "/pets/1/photo", None, Vec::<u8>::new()).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "missing_body");
    assert_eq!(store.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_body_of_several_media_types_is_the_variant_its_content_type_names() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let sent = [
        (
            bodies::ImportPetsContent::Json(bodies::models::Note {
                text: "hi".to_owned(),
            }),
            "json: hi",
        ),
        (
            bodies::ImportPetsContent::TextPlain("plain".to_owned()),
            "text: plain",
        ),
        (
            bodies::ImportPetsContent::Form(bodies::ImportPetsForm {
                text: "a b".to_owned(),
            }),
            "form: a b",
        ),
        (
            bodies::ImportPetsContent::ImagePng(bytes::Bytes::from_static(&[1, 2])),
            "png: 2 bytes",
        ),
    ];
    for (body, expected) in sent {
        let answer = client.import_pets(&body).await.unwrap().into_inner();
        assert_eq!(answer.text, expected);
    }
    // Each variant keeps its own rules, on the client too.
    let refused = client
        .import_pets(&bodies::ImportPetsContent::Form(bodies::ImportPetsForm {
            text: "too long".to_owned(),
        }))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, bodies::client::ClientError::InvalidParameters(_)),
        "{refused:?}"
    );
    let calls = store.calls.load(Ordering::SeqCst);

    let post = reqwest::Method::POST;
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/import",
        Some("application/xml"),
        "<a/>",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    assert!(
        message(&answer)
            .contains("application/json, text/plain, application/x-www-form-urlencoded, image/png"),
        "{answer}"
    );
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/import",
        Some("text/plain"),
        "x".repeat(51),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).contains("at most 50"), "{answer}");
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/import",
        Some("application/x-www-form-urlencoded"),
        "other=1",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        message(&answer).contains("form parameter `text` is required"),
        "{answer}"
    );
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/import",
        Some("application/json"),
        "{",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "invalid_body");
    // `image/*` is left out of the choice (a diagnostic says so): a GIF is refused.
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/import",
        Some("image/gif"),
        "GIF",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    let (status, answer) = raw(&base, post, "/pets/import", None, "").await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "missing_body");
    assert_eq!(
        store.calls.load(Ordering::SeqCst),
        calls,
        "no refused body got through"
    );
}

#[tokio::test]
async fn an_optional_body_of_several_media_types_may_be_left_out() {
    let (base, _store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let none = client.bulk_notes(None).await.unwrap().into_inner();
    assert_eq!(none.text, "nothing");
    let text = bodies::BulkNotesContent::TextPlain("a".to_owned());
    let sent = client.bulk_notes(Some(&text)).await.unwrap().into_inner();
    assert_eq!(sent.text, "text: a");
    let (status, answer) = raw(
        &base,
        reqwest::Method::POST,
        "/notes/bulk",
        Some("text/csv"),
        "a",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
}

/// A reader of `length` bytes (`i % 251`), made as it is read.
struct Pattern {
    at: u64,
    length: u64,
}

impl tokio::io::AsyncRead for Pattern {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let room = (buf.remaining() as u64).min(self.length - self.at);
        for i in 0..room {
            buf.put_slice(&[((self.at + i) % 251) as u8]);
        }
        self.at += room;
        std::task::Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn binary_bodies_stream_both_ways_past_the_in_memory_limit() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    // 8 MiB: four times the limit of bodies read whole.
    let length = 8 * 1024 * 1024;
    let upload = bodies::client::ByteStream::from_reader(Pattern { at: 0, length });
    let count = client.upload_photo(0, "image/png", upload).await.unwrap();
    assert_eq!(count.into_inner().count, length as i64);

    // Echoed: the answer is a stream the caller reads chunk by chunk.
    let upload = bodies::client::ByteStream::from_reader(Pattern { at: 0, length });
    let echo = client.echo_blob(upload).await.unwrap();
    assert_eq!(echo.headers()["content-type"], "application/octet-stream");
    let mut reader = Box::pin(echo.into_inner().into_reader());
    let mut received = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = tokio::io::AsyncReadExt::read(&mut reader, &mut buffer)
            .await
            .unwrap();
        if read == 0 {
            break;
        }
        for (i, byte) in buffer[..read].iter().enumerate() {
            assert_eq!(
                *byte,
                ((received + i as u64) % 251) as u8,
                "byte {}",
                received + i as u64
            );
        }
        received += read as u64;
    }
    assert_eq!(received, length);

    // Bytes already in memory are sent with their length, and come back whole.
    let echo = client.echo_blob(b"small".to_vec()).await.unwrap();
    assert_eq!(echo.into_inner().collect(16).await.unwrap(), "small");
    assert_eq!(store.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn streamed_bodies_keep_to_the_stream_limit() {
    let (base, store) = serve_with(bodies::server::RouterOptions {
        stream_limit: 1000,
        ..bodies::server::RouterOptions::default()
    })
    .await;
    // A declared length over the limit is refused before the handler runs.
    let (status, answer) = raw(
        &base,
        reqwest::Method::PUT,
        "/pets/1/photo",
        Some("image/png"),
        vec![0u8; 1001],
    )
    .await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(store.calls.load(Ordering::SeqCst), 0);
    // A chunked body that passes it ends the handler's stream with an error.
    let client = bodies::client::Client::new(&base);
    let upload = bodies::client::ByteStream::from_reader(Pattern {
        at: 0,
        length: 5000,
    });
    let refused = client
        .upload_photo(1, "image/png", upload)
        .await
        .unwrap_err();
    match refused {
        bodies::client::ClientError::Documented { status, body, .. } => {
            assert_eq!(status, 400);
            assert_eq!(
                body.code.as_deref(),
                Some("broken_upload"),
                "{}",
                body.message
            );
        }
        other => panic!("{other:?}"),
    }
    // Within the limit, all is read.
    let upload = bodies::client::ByteStream::from_reader(Pattern {
        at: 0,
        length: 1000,
    });
    let count = client.upload_photo(0, "image/png", upload).await.unwrap();
    assert_eq!(count.into_inner().count, 1000);
}

/// The typed multipart body of `uploadPetPhotos`: a 3 MiB photo (past the
/// in-memory limit: spooled), two thumbnails, JSON and text parts.
fn photos(caption: &str) -> bodies::UploadPetPhotosMultipart {
    let meta = bodies::models::PhotoMeta {
        width: 640,
        camera: Some("pinhole".to_owned()),
    };
    bodies::UploadPetPhotosMultipart {
        fields: bodies::UploadPetPhotosMultipartFields {
            caption: caption.to_owned(),
            tags: vec!["a".to_owned(), "b c".to_owned()],
            meta: Some(meta),
        },
        photo: bodies::client::FilePart::new(bodies::client::ByteStream::from_reader(Pattern {
            at: 0,
            length: 3 * 1024 * 1024,
        }))
        .file_name("rex.png")
        .content_type("image/png"),
        thumbnails: vec![
            bodies::client::FilePart::new(vec![1u8; 3]),
            bodies::client::FilePart::new(vec![2u8; 4]),
        ],
        notes: None,
    }
}

#[tokio::test]
async fn multipart_bodies_arrive_as_typed_parts_with_streamed_files() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let answer = client.upload_pet_photos(7, photos("Rex")).await.unwrap();
    assert_eq!(
        answer.into_inner().text,
        "pet=7;caption=Rex;tags=a,b c;width=640;photo=rex.png/image/png/3145728;\
         thumbs=3,4;notes=none"
    );
    // An optional multipart body, left out or of files only.
    assert_eq!(
        client
            .attach_files(1, None)
            .await
            .unwrap()
            .into_inner()
            .count,
        0
    );
    let files = bodies::AttachFilesMultipart {
        files: vec![
            bodies::client::FilePart::new("a"),
            bodies::client::FilePart::new("b"),
            bodies::client::FilePart::new(""),
        ],
    };
    let count = client.attach_files(1, Some(files)).await.unwrap();
    assert_eq!(count.into_inner().count, 3);
    // The client checks the text parts before sending.
    let refused = client
        .upload_pet_photos(7, photos("a caption far too long"))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, bodies::client::ClientError::InvalidParameters(error)
            if error.to_string().contains("`caption`")),
        "{refused:?}"
    );
    assert_eq!(store.calls.load(Ordering::SeqCst), 3);
}

/// A multipart body written by hand: `(name, file name, content type, value)`.
fn multipart(boundary: &str, parts: &[(&str, Option<&str>, Option<&str>, &str)]) -> String {
    let mut body = String::new();
    for (name, file_name, content_type, value) in parts {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(file_name) = file_name {
            body.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.push_str("\r\n");
        if let Some(content_type) = content_type {
            body.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        body.push_str(&format!("\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

#[tokio::test]
async fn broken_multipart_bodies_are_refused_in_the_spec_error_format() {
    let (base, store) = serve_with(bodies::server::RouterOptions {
        body_limit: 64,
        ..bodies::server::RouterOptions::default()
    })
    .await;
    let post = reqwest::Method::POST;
    let form = "multipart/form-data; boundary=XyZ";
    let photo = ("photo", Some("p.png"), Some("image/png"), "PNG");
    let good = multipart("XyZ", &[("caption", None, None, "Rex"), photo]);
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/1/photos",
        Some(form),
        good.clone(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["text"],
        "pet=1;caption=Rex;tags=;width=-;photo=p.png/image/png/3;thumbs=;notes=none"
    );
    let cases: Vec<(&str, Option<&str>, String, u16, &str)> = vec![
        (
            "wrong content type",
            Some("application/json"),
            "{}".to_owned(),
            415,
            "multipart/form-data",
        ),
        (
            "no content type",
            None,
            good.clone(),
            415,
            "multipart/form-data",
        ),
        (
            "no boundary",
            Some("multipart/form-data"),
            good.clone(),
            400,
            "boundary",
        ),
        (
            "no required file",
            Some(form),
            multipart("XyZ", &[("caption", None, None, "Rex")]),
            400,
            "`photo`",
        ),
        (
            "no required text part",
            Some(form),
            multipart("XyZ", &[photo]),
            400,
            "`caption`",
        ),
        (
            "a part over maxLength",
            Some(form),
            multipart(
                "XyZ",
                &[("caption", None, None, "twenty-one characters"), photo],
            ),
            400,
            "`caption`",
        ),
        (
            "a file of a type the encoding does not list",
            Some(form),
            multipart(
                "XyZ",
                &[
                    ("caption", None, None, "Rex"),
                    ("photo", Some("p.gif"), Some("image/gif"), "GIF"),
                ],
            ),
            400,
            "image/gif",
        ),
        (
            "two files for one",
            Some(form),
            multipart("XyZ", &[("caption", None, None, "Rex"), photo, photo]),
            400,
            "`photo`",
        ),
        (
            "a truncated body",
            Some(form),
            good[..good.len() - 12].to_owned(),
            400,
            "closing boundary",
        ),
        (
            "a text part over the in-memory limit",
            Some(form),
            multipart("XyZ", &[("caption", None, None, &"x".repeat(100)), photo]),
            413,
            "too large",
        ),
        (
            "a part without a name",
            Some(form),
            "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n".to_owned(),
            400,
            "no name",
        ),
    ];
    for (what, content_type, body, expected, mentions) in cases {
        let (status, answer) = raw(&base, post.clone(), "/pets/1/photos", content_type, body).await;
        assert_eq!(status, expected, "{what}: {answer}");
        assert!(message(&answer).contains(mentions), "{what}: {answer}");
        assert!(answer["code"].is_string(), "{what}: {answer}");
    }
    // Two broken parts are reported together.
    let (status, answer) = raw(
        &base,
        post.clone(),
        "/pets/1/photos",
        Some(form),
        multipart("XyZ", &[("caption", None, None, "")]),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        message(&answer).contains("`caption`") && message(&answer).contains("`photo`"),
        "{answer}"
    );
    assert_eq!(
        store.calls.load(Ordering::SeqCst),
        1,
        "no refused body got through"
    );
}

#[tokio::test]
async fn an_answer_in_several_media_types_is_negotiated_by_accept() {
    let (base, store) = serve().await;
    let client = bodies::client::Client::new(&base);
    // No preference: the spec's first media type.
    let note = client.export_note(4, None).await.unwrap();
    assert_eq!(note.headers()["content-type"], "application/json");
    match note.into_inner() {
        bodies::ExportNoteOkContent::Json(note) => assert_eq!(note.text, "note 4"),
        other => panic!("{other:?}"),
    }
    let csv = client
        .export_note(4, Some(bodies::ExportNoteMedia::TextCsv))
        .await
        .unwrap();
    match csv.into_inner() {
        bodies::ExportNoteOkContent::TextCsv(text) => assert_eq!(text, "id,text\n4,note 4\n"),
        other => panic!("{other:?}"),
    }
    let pdf = client
        .export_note(4, Some(bodies::ExportNoteMedia::ApplicationPdf))
        .await
        .unwrap();
    match pdf.into_inner() {
        bodies::ExportNoteOkContent::ApplicationPdf(body) => {
            assert_eq!(body.collect(100).await.unwrap(), "%PDF note 4")
        }
        other => panic!("{other:?}"),
    }
    // Weights decide; what the header excludes altogether is a 406.
    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{base}/notes/4/export"))
        .header("accept", "text/csv;q=0.5, application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["content-type"], "application/pdf");
    let calls = store.calls.load(Ordering::SeqCst);
    let refused = http
        .get(format!("{base}/notes/4/export"))
        .header("accept", "application/xml, text/csv;q=0")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 406);
    let answer: Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
    assert_eq!(answer["code"], "not_acceptable");
    assert!(message(&answer).contains("text/csv"), "{answer}");
    assert_eq!(
        store.calls.load(Ordering::SeqCst),
        calls,
        "refused before the call"
    );
}

#[tokio::test]
async fn server_sent_events_are_typed_kept_alive_and_resumed() {
    let (base, _store) = serve().await;
    let client = bodies::client::Client::new(&base);
    let query = bodies::WatchNotesQuery { count: Some(3) };
    let feed = client.watch_notes(&query).await.unwrap();
    assert_eq!(feed.headers()["content-type"], "text/event-stream");
    let mut events = feed.into_inner();
    let mut seen = Vec::new();
    while let Some(event) = next(&mut events).await {
        let event = event.unwrap();
        assert_eq!(event.event.as_deref(), Some("note"));
        seen.push((event.id.unwrap(), event.data.text));
    }
    assert_eq!(
        seen,
        [("1", "note 1"), ("2", "note 2"), ("3", "note 3")]
            .map(|(id, text)| (id.to_owned(), text.to_owned()))
    );
    assert_eq!(events.last_event_id(), Some("3"));

    // A client that reconnects says what it saw last: the feed resumes.
    let resumed = client
        .with_options(bodies::client::RequestOptions::new().header("Last-Event-ID", "2"))
        .watch_notes(&query)
        .await
        .unwrap();
    let mut events = resumed.into_inner();
    let first = next(&mut events).await.unwrap().unwrap();
    assert_eq!(
        (first.id.as_deref(), first.data.text.as_str()),
        (Some("3"), "note 3")
    );

    // On the wire: keep-alive comments between the events, which the
    // client skipped.
    let raw = reqwest::get(format!("{base}/notes/feed?count=2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(raw.lines().any(|line| line.starts_with(':')), "{raw}");
    assert!(raw.contains("data: {\"text\":\"note 1\"}"), "{raw}");
    // The query keeps its rules.
    let refused = client
        .watch_notes(&bodies::WatchNotesQuery { count: Some(101) })
        .await
        .unwrap_err();
    assert!(
        matches!(refused, bodies::client::ClientError::InvalidParameters(_)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn text_events_or_json_by_accept() {
    let (base, _store) = serve().await;
    let client = bodies::client::Client::new(&base);
    match client.tick_notes(None).await.unwrap().into_inner() {
        bodies::TickNotesOkContent::TextEventStream(mut events) => {
            let mut texts = Vec::new();
            while let Some(event) = next(&mut events).await {
                texts.push(event.unwrap().data);
            }
            // A line break in the data survives the framing.
            assert_eq!(texts, ["tick", "tock: a line\nand another"]);
        }
        other => panic!("{other:?}"),
    }
    match client
        .tick_notes(Some(bodies::TickNotesMedia::Json))
        .await
        .unwrap()
        .into_inner()
    {
        bodies::TickNotesOkContent::Json(ticks) => assert_eq!(ticks.len(), 2),
        other => panic!("{other:?}"),
    }
}
