//! The generated server, driven through its router with a small in-test
//! implementation: happy paths, request errors in the spec's error format, auth.

mod fake_api;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use fake_api::{KEY, Recorder};
use flexprice_api::server::{self, RouterOptions};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Harness {
    api: Arc<Recorder>,
    router: axum::Router,
}

fn harness() -> Harness {
    harness_with(RouterOptions::default())
}

fn harness_with(options: RouterOptions) -> Harness {
    let api = Arc::new(Recorder::default());
    let router = server::router_with(api.clone(), options);
    Harness { api, router }
}

impl Harness {
    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        (status, body)
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.send(
            Request::get(uri)
                .header("x-api-key", KEY)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn json(&self, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }
}

const CREATE: &str = r#"{"entity_type":"EVENTS","file_type":"CSV","file_url":"https://example.com/a.csv","task_type":"IMPORT"}"#;

/// A 400 in the spec's format whose message names `field`.
fn assert_validation_error(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "validation_error", "{body}");
    assert_eq!(body["http_status_code"], 400, "{body}");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains(field),
        "message `{message}` should name `{field}`"
    );
}

#[tokio::test]
async fn list_tasks_passes_typed_query_parameters() {
    let h = harness();
    let (status, body) = h.get("/v1/tasks?limit=10&offset=5&task_status=FAILED&order=asc&start_time=2025-01-01T00:00:00Z").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["pagination"],
        json!({"limit": 10, "offset": 5, "total": 0})
    );
    let calls = h.api.calls();
    assert!(calls[0].contains("task_status: Some(Failed)"), "{calls:?}");
    assert!(calls[0].contains("order: Some(Asc)"), "{calls:?}");
    assert!(
        calls[0].contains("start_time: Some(2025-01-01T00:00:00Z)"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn create_task_answers_202_with_the_task() {
    let h = harness();
    let (status, body) = h.json("POST", "/v1/tasks", CREATE).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["task_status"], "PENDING");
    assert_eq!(body["file_url"], "https://example.com/a.csv");
    assert_eq!(
        h.api.calls(),
        ["create_task tenant-1 https://example.com/a.csv"]
    );
}

#[tokio::test]
async fn the_literal_result_path_wins_over_the_id_parameter() {
    let h = harness();
    let (status, body) = h.get("/v1/tasks/result?workflow_id=wf_1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["workflow_id"], "wf_1");
    assert_eq!(h.api.calls(), ["get_task_result tenant-1 wf_1"]);
}

#[tokio::test]
async fn get_task_and_its_documented_404() {
    let h = harness();
    let (status, body) = h.get("/v1/tasks/task_9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "task_9");
    let (status, body) = h.get("/v1/tasks/missing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn download_and_status_update() {
    let h = harness();
    let (status, body) = h.get("/v1/tasks/task_3/download").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"download_url": "https://files.test/task_3"}));
    let (status, body) = h
        .json(
            "PUT",
            "/v1/tasks/task_3/status",
            r#"{"task_status":"PROCESSING"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "updated");
    assert_eq!(
        h.api.calls()[1],
        "update_task_status tenant-1 task_3 PROCESSING"
    );
}

#[tokio::test]
async fn routes_can_be_mounted_at_the_root() {
    let h = harness_with(RouterOptions {
        base_path: String::new(),
        ..RouterOptions::default()
    });
    let (status, _) = h.get("/tasks/task_1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(server::BASE_PATH, "/v1");
}

#[tokio::test]
async fn a_missing_or_wrong_api_key_is_401_and_the_operation_is_not_called() {
    let h = harness();
    let (status, body) = h
        .send(Request::get("/v1/tasks").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["http_status_code"], 401);
    assert!(
        body["message"].as_str().unwrap().contains("ApiKeyAuth"),
        "{body}"
    );
    let request = Request::post("/v1/tasks")
        .header("x-api-key", "wrong")
        .header("content-type", "application/json")
        .body(Body::from(CREATE))
        .unwrap();
    let (status, body) = h.send(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "permission_denied");
    assert!(h.api.calls().is_empty());
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field() {
    let h = harness();
    let (status, body) = h.json("POST", "/v1/tasks", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "validation_error");

    let wrong_type = CREATE.replace(r#""https://example.com/a.csv""#, "5");
    let (status, body) = h.json("POST", "/v1/tasks", &wrong_type).await;
    assert_validation_error(status, &body, "file_url");

    let unknown_enum = CREATE.replace("IMPORT", "SYNC");
    let (status, body) = h.json("POST", "/v1/tasks", &unknown_enum).await;
    assert_validation_error(status, &body, "task_type");

    let missing = r#"{"entity_type":"EVENTS","file_type":"CSV","task_type":"IMPORT"}"#;
    let (status, body) = h.json("POST", "/v1/tasks", missing).await;
    assert_validation_error(status, &body, "file_url");
    assert!(h.api.calls().is_empty());
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_the_parameter() {
    let h = harness();
    for (uri, field) in [
        ("/v1/tasks?limit=0", "limit"),
        ("/v1/tasks?limit=1001", "limit"),
        ("/v1/tasks?limit=ten", "limit"),
        ("/v1/tasks?offset=-1", "offset"),
        ("/v1/tasks?task_status=DONE", "task_status"),
        ("/v1/tasks?start_time=yesterday", "start_time"),
        ("/v1/tasks/result", "workflow_id"),
    ] {
        let (status, body) = h.get(uri).await;
        assert_validation_error(status, &body, field);
    }
    assert!(h.api.calls().is_empty());
}

#[tokio::test]
async fn wrong_content_type_is_415_and_a_big_body_is_413() {
    let h = harness();
    let request = Request::post("/v1/tasks")
        .header("x-api-key", KEY)
        .header("content-type", "text/plain")
        .body(Body::from(CREATE))
        .unwrap();
    let (status, body) = h.send(request).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["http_status_code"], 415);

    let h = harness_with(RouterOptions {
        body_limit: 64,
        ..RouterOptions::default()
    });
    let big = format!(r#"{{"task_status":"PENDING","pad":"{}"}}"#, "x".repeat(200));
    let (status, body) = h.json("PUT", "/v1/tasks/t/status", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["http_status_code"], 413);
    assert!(h.api.calls().is_empty());
}

#[test]
fn the_spec_is_embedded() {
    let spec: Value = serde_json::from_str(server::OPENAPI_JSON).expect("JSON");
    assert_eq!(spec["openapi"], "3.0.1");
    assert!(spec["paths"]["/tasks/result"].is_object());
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_format() {
    let h = harness();
    let (status, body) = h.get("/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    let (status, body) = h.get("/outside-the-base-path").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["http_status_code"], 404);
    let (status, body) = h.json("DELETE", "/v1/tasks", "{}").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(body["http_status_code"], 405);
    assert!(h.api.calls().is_empty());
}

#[test]
fn query_defaults_come_from_the_spec_and_pairs_round_trip() {
    use flexprice_api::{ListTasksOrder, ListTasksQuery, TaskType};
    let empty = ListTasksQuery::default();
    assert_eq!(empty.limit_or_default(), 50);
    assert_eq!(empty.offset_or_default(), 0);
    assert_eq!(empty.order_or_default(), ListTasksOrder::Desc);
    assert_eq!(empty.sort_or_default(), "created_at");

    let query = ListTasksQuery {
        limit: Some(20),
        order: Some(ListTasksOrder::Asc),
        task_type: Some(TaskType::Export),
        start_time: Some("2025-03-04T05:06:07.5Z".parse().unwrap()),
        ..ListTasksQuery::default()
    };
    assert_eq!(query.limit_or_default(), 20);
    let pairs: Vec<(String, String)> = query
        .to_pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert!(
        pairs.contains(&(
            "start_time".to_owned(),
            "2025-03-04T05:06:07.500Z".to_owned()
        )),
        "{pairs:?}"
    );
    assert_eq!(ListTasksQuery::from_pairs(&pairs), Ok(query));
}
