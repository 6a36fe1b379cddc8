//! The crate generated from `codegen/tests/server-specs/headers.yaml`, served
//! over real HTTP: documented response headers are set on the wire from the
//! reply variants' typed fields and read back, typed, by the generated
//! client; every success keeps its status and raw headers; per-call options
//! (timeout, retries, headers, server) change one call only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::response::IntoResponse;
use codegen_snapshot_headers as headers;
use headers::client::{Client, ClientError, RequestOptions, RetryPolicy};
use headers::server::{
    CreatePetReply, DeletePetReply, GetPetReply, HttpError, ListPetsReply, PetsApi,
};
use headers::{
    CreatePetCreatedHeaders, CreatePetTooManyRequestsHeaders, DeletePetNoContentHeaders,
    GetPetNonAuthoritativeInformationHeaders, GetPetOkHeaders, ListPetsHeaders, ListPetsOkHeaders,
    models,
};
use serde_json::{Value, json};

/// Serves `router` on a loopback port; the server stops with the test's runtime.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

fn pet(id: &str, name: &str) -> models::Pet {
    serde_json::from_value(json!({"id": id, "name": name})).unwrap()
}

fn error(message: &str, status: i32) -> models::Error {
    serde_json::from_value(json!({"message": message, "status": status})).unwrap()
}

struct Pets;

impl headers::server::ApiHooks for Pets {}

impl PetsApi for Pets {
    async fn list_pets(&self, headers: ListPetsHeaders) -> Result<ListPetsReply, HttpError> {
        Ok(ListPetsReply::Ok(
            vec![pet("1", "Rex"), pet("2", "Tom")],
            ListPetsOkHeaders {
                x_total_count: 42,
                x_page_tags: vec!["dogs".to_owned(), "cats".to_owned()],
                x_request_id: headers.x_request_id,
            },
        ))
    }

    async fn create_pet(&self, body: models::Pet) -> Result<CreatePetReply, HttpError> {
        match body.name.as_str() {
            "busy" => Ok(CreatePetReply::TooManyRequests(
                error("slow down", 429),
                CreatePetTooManyRequestsHeaders {
                    retry_after: Some(7),
                },
            )),
            // An error the implementation returns: the 429 variant, without headers.
            "refused" => Err(HttpError::new(429, error("refused", 429))),
            name => Ok(CreatePetReply::Created(
                pet("7", name),
                CreatePetCreatedHeaders {
                    // A name with a line break cannot be sent in a header.
                    location: format!("/pets/{name}"),
                    x_rate_limit_remaining: Some(99),
                },
            )),
        }
    }

    async fn get_pet(&self, path: headers::GetPetPath) -> Result<GetPetReply, HttpError> {
        match path.id.as_str() {
            "cached" => Ok(GetPetReply::NonAuthoritativeInformation(
                pet("cached", "Old"),
                GetPetNonAuthoritativeInformationHeaders { age: Some(120) },
            )),
            "slow" => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(GetPetReply::NotFound(error("too late", 404)))
            }
            id => Ok(GetPetReply::Ok(
                pet(id, "Rex"),
                GetPetOkHeaders {
                    e_tag: "\"v3\"".to_owned(),
                },
            )),
        }
    }

    async fn delete_pet(&self, path: headers::DeletePetPath) -> Result<DeletePetReply, HttpError> {
        if path.id == "ghost" {
            return Err(HttpError::new(404, error("no such pet", 404)));
        }
        Ok(DeletePetReply::NoContent(DeletePetNoContentHeaders {
            x_deleted_at: "2026-11-24T10:00:00Z".parse().unwrap(),
        }))
    }
}

async fn server() -> String {
    serve(headers::server::router(Arc::new(Pets))).await
}

#[tokio::test]
async fn documented_headers_are_on_the_wire() {
    let base = server().await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{base}/pets"))
        .header("content-type", "application/json")
        .body(json!({"name": "Rex"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/pets/Rex");
    assert_eq!(response.headers()["x-rate-limit-remaining"], "99");

    let response = http
        .get(format!("{base}/pets"))
        .header("x-request-id", "abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-total-count"], "42");
    assert_eq!(response.headers()["x-page-tags"], "dogs,cats");
    assert_eq!(response.headers()["x-request-id"], "abc");

    let response = http.delete(format!("{base}/pets/7")).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["x-deleted-at"], "2026-11-24T10:00:00Z");
}

#[tokio::test]
async fn a_header_value_http_cannot_carry_is_a_500_in_the_spec_format() {
    let base = server().await;
    let response = reqwest::Client::new()
        .post(format!("{base}/pets"))
        .header("content-type", "application/json")
        .body(json!({"name": "two\nlines"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert!(response.headers().get("location").is_none());
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("`Location`"), "{message}");
}

#[tokio::test]
async fn the_client_reads_documented_headers_typed_and_every_header_raw() {
    let client = Client::new(server().await);
    let created = client.create_pet(&pet("", "Rex")).await.unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.name, "Rex", "the body is reached through Deref");
    assert_eq!(created.documented_headers().location, "/pets/Rex");
    assert_eq!(
        created.documented_headers().x_rate_limit_remaining,
        Some(99)
    );
    assert_eq!(created.headers()["content-type"], "application/json");
    let (body, documented, status, raw) = created.into_parts();
    assert_eq!((body.id.as_deref(), status), (Some("7"), 201));
    assert_eq!(documented.location, "/pets/Rex");
    assert_eq!(raw["location"], "/pets/Rex");

    let listed = client
        .with_options(RequestOptions::new().header("X-Request-Id", "req-1"))
        .list_pets(None)
        .await
        .unwrap();
    let page = listed.documented_headers();
    assert_eq!(page.x_total_count, 42);
    assert_eq!(page.x_page_tags, ["dogs", "cats"]);
    assert_eq!(page.x_request_id.as_deref(), Some("req-1"));
    assert_eq!(listed.into_inner().len(), 2);

    let deleted = client.delete_pet("7").await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        deleted.documented_headers().x_deleted_at.to_rfc3339(),
        "2026-11-24T10:00:00+00:00"
    );

    // 200 and 203 document different headers: read raw, whichever came.
    let fresh = client.get_pet("7").await.unwrap();
    assert_eq!(
        (fresh.status(), fresh.headers()["etag"].to_str().unwrap()),
        (200, "\"v3\"")
    );
    let cached = client.get_pet("cached").await.unwrap();
    assert_eq!(
        (cached.status(), cached.headers()["age"].to_str().unwrap()),
        (203, "120")
    );
}

#[tokio::test]
async fn documented_errors_keep_their_headers() {
    let client = Client::new(server().await);
    match client.create_pet(&pet("", "busy")).await {
        Err(ClientError::Documented {
            status: 429,
            body,
            headers,
        }) => {
            assert_eq!(body.message, "slow down");
            assert_eq!(headers["retry-after"], "7");
        }
        other => panic!("expected a documented 429, got {other:?}"),
    }
    // The same headers, typed.
    let error = client.create_pet(&pet("", "busy")).await.unwrap_err();
    let typed = error.headers_as(CreatePetTooManyRequestsHeaders::from_pairs);
    assert_eq!(
        typed,
        Some(Ok(CreatePetTooManyRequestsHeaders {
            retry_after: Some(7)
        }))
    );
    // An error returned by the implementation takes the 429 variant with no headers.
    match client.create_pet(&pet("", "refused")).await {
        Err(ClientError::Documented {
            status: 429,
            headers,
            ..
        }) => assert!(headers.get("retry-after").is_none()),
        other => panic!("expected a documented 429, got {other:?}"),
    }
    match client.delete_pet("ghost").await {
        Err(ClientError::Documented { status: 404, .. }) => {}
        other => panic!("expected a documented 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_success_without_a_required_header_does_not_decode() {
    // Not our server: one that forgets `Location`.
    let router = axum::Router::new().route(
        "/pets",
        axum::routing::post(|| async {
            (
                axum::http::StatusCode::CREATED,
                axum::Json(json!({"name": "Rex"})),
            )
        }),
    );
    let client = Client::new(serve(router).await);
    match client.create_pet(&pet("", "Rex")).await {
        Err(ClientError::Decode {
            status: 201,
            message,
            ..
        }) => assert!(message.contains("Location"), "{message}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn options_change_one_call_only() {
    let base = server().await;
    // Another server for one call.
    let client = Client::new("http://127.0.0.1:9");
    let pet = client
        .with_options(RequestOptions::new().base_url(format!("{base}/")))
        .get_pet("7")
        .await
        .unwrap();
    assert_eq!(pet.status(), 200);
    assert!(matches!(
        client.get_pet("7").await,
        Err(ClientError::Transport(_))
    ));

    // A timeout for one call.
    let client = Client::new(base.clone());
    let started = std::time::Instant::now();
    match client
        .with_options(RequestOptions::new().timeout(Duration::from_millis(200)))
        .get_pet("slow")
        .await
    {
        Err(ClientError::Transport(err)) => assert!(err.is_timeout(), "{err}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(4));

    // A header that cannot be sent fails before anything is sent.
    match client
        .with_options(RequestOptions::new().header("X-Request-Id", "a\nb"))
        .list_pets(None)
        .await
    {
        Err(ClientError::InvalidRequest(message)) => {
            assert!(message.contains("X-Request-Id"), "{message}")
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[tokio::test]
async fn retries_for_one_call() {
    // Answers 503 twice, then the pet.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let router = axum::Router::new().route(
        "/pets/{id}",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                } else {
                    (
                        [("etag", "\"v1\"")],
                        axum::Json(json!({"id": "7", "name": "Rex"})),
                    )
                        .into_response()
                }
            }
        }),
    );
    let client = Client::new(serve(router).await);
    let policy = RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    };
    let pet = client
        .with_options(RequestOptions::new().retry(policy))
        .get_pet("7")
        .await
        .unwrap();
    assert_eq!(pet.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // Without the option the client does not retry.
    calls.store(0, Ordering::SeqCst);
    assert!(matches!(
        client.get_pet("7").await,
        Err(ClientError::Api { status: 503, .. })
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
