//! The generated client against the generated server over a real loopback
//! socket: every operation, and each class of error.

mod fake_api;

use std::sync::Arc;
use std::time::Duration;

use fake_api::{KEY, Recorder};
use flexprice_api::client::{self, Client, ClientError, RetryPolicy};
use flexprice_api::server;
use flexprice_api::{
    CreateTaskRequest, EntityType, ErrorCode, FileType, GetTaskResultQuery, ListTasksQuery,
    TaskStatus, TaskType, UpdateTaskStatusRequest,
};

/// Serves `router` on 127.0.0.1 on a free port; returns the base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    format!("http://{address}")
}

async fn start() -> (Arc<Recorder>, Client) {
    let api = Arc::new(Recorder::default());
    let base = serve(server::router(api.clone())).await;
    let client = Client::new(format!("{base}{}", server::BASE_PATH)).with_api_key(KEY);
    (api, client)
}

fn create_request() -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: EntityType::Features,
        file_type: FileType::Json,
        file_url: "https://example.com/features.json".to_owned(),
        task_type: TaskType::Import,
        file_name: None,
        metadata: None,
    }
}

#[tokio::test]
async fn every_operation_round_trips() {
    let (api, client) = start().await;

    let query = ListTasksQuery {
        limit: Some(7),
        task_status: Some(TaskStatus::Pending),
        ..ListTasksQuery::default()
    };
    let list = client.list_tasks(&query).await.expect("list").into_inner();
    assert_eq!(list.pagination.and_then(|p| p.limit), Some(7));

    let task = client
        .create_task(&create_request())
        .await
        .expect("create")
        .into_inner();
    assert_eq!(task.task_status, Some(TaskStatus::Pending));
    assert_eq!(
        task.file_url.as_deref(),
        Some("https://example.com/features.json")
    );

    let result = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: "wf 1/2".to_owned(),
        })
        .await
        .expect("result");
    assert_eq!(result.workflow_id.as_deref(), Some("wf 1/2"));

    let task = client.get_task("task/with space").await.expect("get");
    assert_eq!(task.id.as_deref(), Some("task/with space"));

    let link = client
        .download_task_export("task_5")
        .await
        .expect("download");
    assert_eq!(link["download_url"], "https://files.test/task_5");

    let done = client
        .update_task_status(
            "task_5",
            &UpdateTaskStatusRequest {
                task_status: TaskStatus::Processing,
            },
        )
        .await
        .expect("update");
    assert_eq!(done.message.as_deref(), Some("updated"));

    let calls = api.calls();
    assert_eq!(calls.len(), 6, "{calls:?}");
    assert!(calls[0].starts_with("list_tasks tenant-1"), "{calls:?}");
    assert!(
        calls[0].contains("limit: Some(7)") && calls[0].contains("task_status: Some(Pending)"),
        "{calls:?}"
    );
    assert_eq!(calls[2], "get_task_result tenant-1 wf 1/2");
    assert_eq!(calls[3], "get_task tenant-1 task/with space");
    assert_eq!(calls[5], "update_task_status tenant-1 task_5 PROCESSING");
}

#[tokio::test]
async fn a_documented_404_is_the_typed_error_with_its_body() {
    let (_api, client) = start().await;
    let err = client.get_task("missing").await.unwrap_err();
    match err {
        ClientError::Documented { status, body, .. } => {
            assert_eq!(status, 404);
            assert_eq!(body.code, Some(ErrorCode::NotFound));
            assert_eq!(body.message.as_deref(), Some("task not found"));
        }
        other => panic!("expected a documented error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_query_that_breaks_its_rules_is_not_sent() {
    let (api, client) = start().await;
    let query = ListTasksQuery {
        limit: Some(5000),
        ..ListTasksQuery::default()
    };
    let err = client.list_tasks(&query).await.unwrap_err();
    let ClientError::InvalidParameters(refused) = &err else {
        panic!("expected InvalidParameters, got {err:?}")
    };
    assert_eq!(
        refused.to_string(),
        "query parameter `limit`: must be at most 1000"
    );
    assert!(api.calls().is_empty());
}

#[tokio::test]
async fn a_missing_api_key_is_a_documented_401() {
    let api = Arc::new(Recorder::default());
    let base = serve(server::router(api)).await;
    let client = Client::new(format!("{base}/v1"));
    let err = client.get_task("task_1").await.unwrap_err();
    let ClientError::Documented {
        status: 401, body, ..
    } = err
    else {
        panic!("expected a documented 401, got {err:?}")
    };
    assert_eq!(body.http_status_code, Some(401));
    assert!(
        body.message.unwrap_or_default().contains("ApiKeyAuth"),
        "the message names the scheme"
    );
}

#[tokio::test]
async fn an_undocumented_418_is_the_api_error_class() {
    let teapot = axum::Router::new().route(
        "/v1/tasks/{id}",
        axum::routing::get(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "short and stout") }),
    );
    let base = serve(teapot).await;
    let err = Client::new(format!("{base}/v1"))
        .get_task("t")
        .await
        .unwrap_err();
    match err {
        ClientError::Api { status, body, .. } => {
            assert_eq!(status, 418);
            assert_eq!(body, "short and stout");
        }
        other => panic!("expected the API error class, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let err = Client::new(format!("http://{address}/v1"))
        .get_task("t")
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err:?}");
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn a_wrong_body_is_a_decode_error() {
    let liar = axum::Router::new().route(
        "/v1/tasks/{id}",
        axum::routing::get(|| async { "not json" }),
    );
    let base = serve(liar).await;
    let err = Client::new(format!("{base}/v1"))
        .get_task("t")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Decode { status: 200, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn idempotent_requests_are_retried_on_5xx_when_asked() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let flaky = axum::Router::new().route(
        "/v1/tasks/{id}",
        axum::routing::get(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new())
                } else {
                    (axum::http::StatusCode::OK, r#"{"id":"t"}"#.to_owned())
                }
            }
        }),
    );
    let base = serve(flaky).await;
    let policy = RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    };

    let without = Client::new(format!("{base}/v1"))
        .get_task("t")
        .await
        .unwrap_err();
    assert!(
        matches!(without, ClientError::Api { status: 503, .. }),
        "{without:?}"
    );

    let task = Client::new(format!("{base}/v1"))
        .with_retries(policy)
        .get_task("t")
        .await
        .expect("retried");
    assert_eq!(task.id.as_deref(), Some("t"));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[test]
fn server_constants_come_from_the_spec() {
    assert_eq!(client::SERVER_US_REGION, "https://us.api.flexprice.io/v1");
    assert_eq!(
        client::SERVER_INDIA_REGION,
        "https://api.cloud.flexprice.io/v1"
    );
    assert_eq!(client::SERVERS.len(), 2);
    let custom = reqwest_client();
    let client = Client::new(client::SERVER_US_REGION).with_http_client(custom);
    assert_eq!(client.base_url(), "https://us.api.flexprice.io/v1");
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}
