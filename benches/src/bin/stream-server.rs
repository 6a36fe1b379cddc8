//! The server side of `scripts/bench-stream.sh`: `POST /blobs` answers with
//! the very body it is reading, streamed both ways.
//!
//! - by default, the router generated from
//!   `codegen/tests/server-specs/bodies.yaml` (`echoBlob`: the handler gets a
//!   `ByteStream` and replies `EchoBlobReply::Ok(body)`), with its body limit
//!   layer, media type check and panic guard;
//! - with `--bare`, a bare axum handler: `Body` in,
//!   `Body::from_stream(body.into_data_stream())` out.
//!
//!     stream-server [--bare] [PORT]
//!
//! Binds 127.0.0.1:PORT (0, the default: any free port), prints its base URL
//! (`http://127.0.0.1:N`) as the first line of stdout and serves until it is
//! killed or, when stdin is a pipe, until stdin is closed (so a parent can
//! stop it and read its resource usage with `wait4`).

use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use codegen_snapshot_bodies::server::{
    self, ApiHooks, AttachFilesReply, BlobsApi, BulkNotesReply, ByteStream, CreateNoteReply,
    CreatePetReply, EchoBlobReply, ExportNoteReply, GetNoteReply, GetRawNoteReply, HttpError,
    ImportPetsReply, NotesApi, PetsApi, RouterOptions, SearchPetsReply, TickNotesReply,
    UploadPetPhotosReply, UploadPhotoReply, UploadReportReply, WatchNotesReply,
};
use codegen_snapshot_bodies::{
    AttachFilesMultipart, AttachFilesPath, BulkNotesContent, CreatePetForm, ExportNoteMedia,
    ExportNotePath, GetNotePath, GetRawNotePath, ImportPetsContent, SearchPetsForm, TickNotesMedia,
    UploadPetPhotosMultipart, UploadPetPhotosPath, UploadPhotoPath, WatchNotesQuery, models,
};

/// The generated side: echoBlob returns the request's stream; the spec's
/// other operations are not part of the benchmark.
struct Echo;

fn not_here() -> HttpError {
    HttpError::new(
        501,
        models::Error::new("not part of the streaming benchmark".into()),
    )
}

impl ApiHooks for Echo {}

impl BlobsApi for Echo {
    async fn echo_blob(&self, body: ByteStream) -> Result<EchoBlobReply, HttpError> {
        Ok(EchoBlobReply::Ok(body))
    }
}

impl NotesApi for Echo {
    async fn create_note(&self, _: String) -> Result<CreateNoteReply, HttpError> {
        Err(not_here())
    }

    async fn get_note(&self, _: GetNotePath) -> Result<GetNoteReply, HttpError> {
        Err(not_here())
    }

    async fn get_raw_note(&self, _: GetRawNotePath) -> Result<GetRawNoteReply, HttpError> {
        Err(not_here())
    }

    async fn bulk_notes(&self, _: Option<BulkNotesContent>) -> Result<BulkNotesReply, HttpError> {
        Err(not_here())
    }

    async fn upload_report(&self, _: Option<String>) -> Result<UploadReportReply, HttpError> {
        Err(not_here())
    }

    async fn export_note(
        &self,
        _: ExportNotePath,
        _: ExportNoteMedia,
    ) -> Result<ExportNoteReply, HttpError> {
        Err(not_here())
    }

    async fn watch_notes(
        &self,
        _: WatchNotesQuery,
        _: Option<String>,
    ) -> Result<WatchNotesReply, HttpError> {
        Err(not_here())
    }

    async fn tick_notes(
        &self,
        _: TickNotesMedia,
        _: Option<String>,
    ) -> Result<TickNotesReply, HttpError> {
        Err(not_here())
    }
}

impl PetsApi for Echo {
    async fn create_pet(&self, _: CreatePetForm) -> Result<CreatePetReply, HttpError> {
        Err(not_here())
    }

    async fn search_pets(&self, _: Option<SearchPetsForm>) -> Result<SearchPetsReply, HttpError> {
        Err(not_here())
    }

    async fn import_pets(&self, _: ImportPetsContent) -> Result<ImportPetsReply, HttpError> {
        Err(not_here())
    }

    async fn upload_photo(
        &self,
        _: UploadPhotoPath,
        _: ByteStream,
    ) -> Result<UploadPhotoReply, HttpError> {
        Err(not_here())
    }

    async fn upload_pet_photos(
        &self,
        _: UploadPetPhotosPath,
        _: UploadPetPhotosMultipart,
    ) -> Result<UploadPetPhotosReply, HttpError> {
        Err(not_here())
    }

    async fn attach_files(
        &self,
        _: AttachFilesPath,
        _: Option<AttachFilesMultipart>,
    ) -> Result<AttachFilesReply, HttpError> {
        Err(not_here())
    }
}

/// The baseline: axum alone, the request body streamed back as it arrives.
async fn bare_echo(body: Body) -> Response {
    (
        [(CONTENT_TYPE, "application/octet-stream")],
        Body::from_stream(body.into_data_stream()),
    )
        .into_response()
}

fn usage() -> ! {
    eprintln!("usage: stream-server [--bare] [PORT]");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut bare = false;
    let mut port: u16 = 0;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bare" => bare = true,
            _ => port = arg.parse().unwrap_or_else(|_| usage()),
        }
    }

    let router = if bare {
        Router::new().route("/blobs", post(bare_echo))
    } else {
        // No limit on the streamed body: any `--size` of the client passes.
        // The limit layer runs all the same (it wraps every body).
        let options = RouterOptions {
            stream_limit: u64::MAX,
            ..RouterOptions::default()
        };
        server::router_with(Arc::new(Echo), options)
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|err| panic!("cannot bind 127.0.0.1:{port}: {err}"));
    let address = listener.local_addr().expect("bound address");
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "http://{address}").expect("stdout");
        stdout.flush().expect("stdout");
    }

    // A closed pipe on stdin stops the server; a terminal or /dev/null does
    // not (a background job's stdin is /dev/null, which ends at once).
    let stdin_is_pipe = std::fs::metadata("/dev/stdin").is_ok_and(|m| m.file_type().is_fifo());
    if stdin_is_pipe {
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            std::process::exit(0);
        });
    }

    axum::serve(listener, router).await.expect("serve");
}
