//! Three servers in one process, for `scripts/bench-server.sh`:
//! - `generated`: the generated router (authentication, path/query extraction
//!   and validation, response enums, JSON serialization) over an in-memory
//!   `TasksApi`;
//! - `bare`: a bare axum router whose handlers return the same JSON bytes,
//!   serialized once at start;
//! - `serde`: a bare axum router whose handlers clone the same models and
//!   serialize them with `axum::Json` on every request, as the generated one
//!   does, but without authentication, extraction or validation.
//!
//! All answer `GET /v1/tasks/{id}`, `GET /v1/tasks?limit=N` and `POST
//! /v1/tasks` (createTask: the generated and serde sides parse the body).
//!
//!     overhead [TASKS]    # prints `<name> <addr>` per server, serves until killed

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flexprice_api::server::{
    self, ApiHooks, CreateTaskReply, DownloadTaskExportReply, GetTaskReply, GetTaskResultReply,
    HttpError, ListTasksReply, TasksApi, UpdateTaskStatusReply,
};
use flexprice_api::{
    CreateTaskRequest, DownloadTaskExportPath, EntityType, ErrorCode, ErrorResponse, FileType,
    GetTaskPath, GetTaskResultQuery, ListTasksQuery, PaginationResponse, Status, TaskResponse,
    TaskStatus, TaskType, UpdateTaskStatusPath, UpdateTaskStatusRequest,
};

const KEY: &str = "bench-key-0123456789";

/// The tasks both servers answer with.
fn tasks(count: usize) -> Vec<TaskResponse> {
    let now = chrono::Utc::now();
    (0..count)
        .map(|i| TaskResponse {
            id: Some(format!("task_01JD{i:022}")),
            created_at: Some(now),
            updated_at: Some(now),
            completed_at: Some(now),
            started_at: Some(now),
            created_by: Some("key_bench".to_owned()),
            updated_by: Some("key_bench".to_owned()),
            environment_id: Some("env_prod".to_owned()),
            tenant_id: Some("tenant_bench".to_owned()),
            entity_type: Some(EntityType::Events),
            file_type: Some(FileType::Csv),
            task_type: Some(TaskType::Import),
            task_status: Some(TaskStatus::Completed),
            status: Some(Status::Published),
            file_url: Some("https://files.example.com/events.csv".to_owned()),
            file_name: Some("events.csv".to_owned()),
            total_records: Some(1000),
            processed_records: Some(1000),
            successful_records: Some(998),
            failed_records: Some(2),
            error_summary: Some("Record 7: event_name is required".to_owned()),
            workflow_id: Some(format!("wf_{i}")),
            ..TaskResponse::default()
        })
        .collect()
}

/// The task a create answers with: the first task, with the request's file.
fn accepted(tasks: &[TaskResponse], body: CreateTaskRequest) -> TaskResponse {
    TaskResponse {
        file_url: Some(body.file_url),
        file_name: body.file_name,
        entity_type: Some(body.entity_type),
        ..tasks.first().cloned().unwrap_or_default()
    }
}

/// The generated layer's side: an in-memory store behind the `TasksApi` trait.
struct Memory {
    keys: HashMap<String, String>,
    tasks: Vec<TaskResponse>,
}

impl ApiHooks for Memory {
    type Principal = String;

    async fn authenticate_api_key_auth(&self, api_key: &str) -> Option<String> {
        self.keys.get(api_key).cloned()
    }
}

fn error(status: u16, code: ErrorCode, message: &str) -> HttpError {
    HttpError::new(
        status,
        ErrorResponse {
            code: Some(code),
            message: Some(message.to_owned()),
            http_status_code: Some(i64::from(status)),
            details: None,
        },
    )
}

impl TasksApi for Memory {
    async fn list_tasks(
        &self,
        _principal: String,
        query: ListTasksQuery,
    ) -> Result<ListTasksReply, HttpError> {
        let limit = usize::try_from(query.limit_or_default()).unwrap_or(0);
        let offset = usize::try_from(query.offset_or_default()).unwrap_or(0);
        let items: Vec<TaskResponse> = self
            .tasks
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        Ok(ListTasksReply::Ok(flexprice_api::ListTasksResponse {
            items: Some(items),
            pagination: Some(PaginationResponse {
                limit: Some(limit as i64),
                offset: Some(offset as i64),
                total: Some(self.tasks.len() as i64),
            }),
        }))
    }

    async fn get_task(
        &self,
        _principal: String,
        path: GetTaskPath,
    ) -> Result<GetTaskReply, HttpError> {
        let task = self
            .tasks
            .iter()
            .find(|task| task.id.as_deref() == Some(&path.id))
            .ok_or_else(|| error(404, ErrorCode::NotFound, "task not found"))?;
        Ok(GetTaskReply::Ok(task.clone()))
    }

    async fn create_task(
        &self,
        _principal: String,
        body: CreateTaskRequest,
    ) -> Result<CreateTaskReply, HttpError> {
        Ok(CreateTaskReply::Accepted(accepted(&self.tasks, body)))
    }

    async fn get_task_result(
        &self,
        _: String,
        _: GetTaskResultQuery,
    ) -> Result<GetTaskResultReply, HttpError> {
        Err(error(404, ErrorCode::NotFound, "no workflows"))
    }

    async fn download_task_export(
        &self,
        _: String,
        _: DownloadTaskExportPath,
    ) -> Result<DownloadTaskExportReply, HttpError> {
        Err(error(404, ErrorCode::NotFound, "no exports"))
    }

    async fn update_task_status(
        &self,
        _: String,
        _: UpdateTaskStatusPath,
        _: UpdateTaskStatusRequest,
    ) -> Result<UpdateTaskStatusReply, HttpError> {
        Err(error(400, ErrorCode::Validation, "read-only"))
    }
}

/// The bare side: the same JSON, serialized once, returned as bytes.
struct Prepared {
    by_id: HashMap<String, Bytes>,
    list: Bytes,
    created: Bytes,
}

fn json(bytes: &Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json")], bytes.clone()).into_response()
}

async fn bare_get(State(prepared): State<Arc<Prepared>>, Path(id): Path<String>) -> Response {
    match prepared.by_id.get(&id) {
        Some(bytes) => json(bytes),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

async fn bare_list(State(prepared): State<Arc<Prepared>>) -> Response {
    json(&prepared.list)
}

async fn bare_create(State(prepared): State<Arc<Prepared>>, _body: Bytes) -> Response {
    let mut response = json(&prepared.created);
    *response.status_mut() = axum::http::StatusCode::ACCEPTED;
    response
}

async fn serde_create(
    State(tasks): State<Arc<Vec<TaskResponse>>>,
    axum::Json(body): axum::Json<CreateTaskRequest>,
) -> Response {
    let task = accepted(&tasks, body);
    (axum::http::StatusCode::ACCEPTED, axum::Json(task)).into_response()
}

async fn serde_get(
    State(tasks): State<Arc<Vec<TaskResponse>>>,
    Path(id): Path<String>,
) -> Response {
    match tasks.iter().find(|task| task.id.as_deref() == Some(&id)) {
        Some(task) => axum::Json(task.clone()).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serde_list(State(tasks): State<Arc<Vec<TaskResponse>>>) -> Response {
    axum::Json(flexprice_api::ListTasksResponse {
        items: Some(tasks.to_vec()),
        pagination: Some(PaginationResponse {
            limit: Some(tasks.len() as i64),
            offset: Some(0),
            total: Some(tasks.len() as i64),
        }),
    })
    .into_response()
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("TASKS is a number"))
        .unwrap_or(20);
    let tasks = tasks(count);

    let memory = Memory {
        keys: HashMap::from([(KEY.to_owned(), "tenant_bench".to_owned())]),
        tasks: tasks.clone(),
    };
    let generated = server::router(Arc::new(memory));

    let list = flexprice_api::ListTasksResponse {
        items: Some(tasks.clone()),
        pagination: Some(PaginationResponse {
            limit: Some(count as i64),
            offset: Some(0),
            total: Some(count as i64),
        }),
    };
    let prepared = Prepared {
        by_id: tasks
            .iter()
            .map(|task| {
                let bytes = serde_json::to_vec(task).expect("serializable");
                (task.id.clone().unwrap_or_default(), Bytes::from(bytes))
            })
            .collect(),
        list: Bytes::from(serde_json::to_vec(&list).expect("serializable")),
        created: Bytes::from(serde_json::to_vec(&tasks.first()).expect("serializable")),
    };
    let bare = Router::new()
        .route("/v1/tasks", get(bare_list).post(bare_create))
        .route("/v1/tasks/{id}", get(bare_get))
        .with_state(Arc::new(prepared));

    let serde = Router::new()
        .route("/v1/tasks", get(serde_list).post(serde_create))
        .route("/v1/tasks/{id}", get(serde_get))
        .with_state(Arc::new(tasks.clone()));

    println!("key {KEY}");
    println!(
        "task {}",
        tasks.first().and_then(|t| t.id.clone()).unwrap_or_default()
    );
    for (name, router) in [("generated", generated), ("bare", bare), ("serde", serde)] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{name} http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    }
    tokio::signal::ctrl_c().await.expect("signal");
}
