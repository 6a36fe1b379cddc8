//! The crate generated from `codegen/tests/server-specs/types.yaml` with the
//! user's own types (`--type-map format:ipv4=std::net::Ipv4Addr`,
//! `--type-map schema:Version=semver::Version --crate semver@1`, and
//! `x-rust-type: chrono::NaiveTime`), served over real HTTP and called by its
//! own client: the mapped types are what the server gets and the client
//! returns, their text is what travels, and a value the type refuses is a 400
//! naming its place.

use codegen_snapshot_types as types;
use serde_json::{Value, json};

struct Releases;

impl types::server::ApiHooks for Releases {}

impl types::server::ReleasesApi for Releases {
    async fn create_release(
        &self,
        query: types::CreateReleaseQuery,
        mut body: types::models::Release,
    ) -> Result<types::server::CreateReleaseReply, types::server::HttpError> {
        // The query's address, a typed value, becomes the release's mirror.
        body.mirror = query.host;
        body.version.patch += 1;
        Ok(types::server::CreateReleaseReply::Created(body))
    }
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = types::server::router(std::sync::Arc::new(Releases));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test]
async fn mapped_types_travel_as_their_text() {
    let base = serve().await;
    let client = types::client::Client::new(&base);
    let release = types::models::Release {
        version: "1.2.3-beta.1".parse().unwrap(),
        at: chrono::NaiveTime::from_hms_opt(12, 30, 0).unwrap(),
        mirror: None,
        price: Some("9.99".to_owned()),
    };
    let query = types::CreateReleaseQuery {
        host: Some(std::net::Ipv4Addr::new(192, 0, 2, 7)),
    };
    assert_eq!(query.to_pairs(), [("host", "192.0.2.7".to_owned())]);
    let stored = client
        .create_release(&query, &release)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.version.to_string(), "1.2.4-beta.1");
    assert_eq!(stored.at, release.at);
    assert_eq!(stored.mirror, query.host);

    // On the wire: the types' own text.
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{base}/releases?host=198.51.100.1"))
        .header("content-type", "application/json")
        .body(json!({"version": "2.0.0", "at": "08:00:00"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"version": "2.0.1", "at": "08:00:00", "mirror": "198.51.100.1"})
    );
}

#[tokio::test]
async fn a_value_the_type_refuses_is_a_400_naming_its_place() {
    let base = serve().await;
    let http = reqwest::Client::new();
    let cases = [
        (
            "/releases",
            json!({"version": "two", "at": "08:00:00"}),
            "invalid request body: /version: ",
        ),
        (
            "/releases",
            json!({"version": "2.0.0", "at": "8 o'clock"}),
            "invalid request body: /at: ",
        ),
        (
            "/releases?host=300.1.1.1",
            json!({"version": "2.0.0", "at": "08:00:00"}),
            "query parameter `host`: `300.1.1.1` is not valid: ",
        ),
    ];
    for (path, body, expected) in cases {
        let response = http
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path} {body}");
        let error: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(expected), "{message}");
    }
}
