//! The generated models read and write JSON shaped like the seeds' examples
//! without losing anything.

use std::str::FromStr;

use flexprice_api::{
    CreateTaskRequest, EntityType, ErrorCode, ErrorResponse, FileType, ListTasksResponse,
    PaginationResponse, Status, TaskResponse, TaskStatus, TaskType, TemporalWorkflowResult,
    UpdateTaskStatusRequest,
};
use serde_json::{Value, json};

/// Parses `value` as `T`, writes it back, and checks nothing changed.
fn round_trip<T>(value: Value) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let parsed: T = serde_json::from_value(value.clone()).expect("parses");
    let written = serde_json::to_value(&parsed).expect("serializes");
    assert_eq!(written, value);
    parsed
}

fn full_task() -> Value {
    json!({
        "id": "task_01JD0000000000000000000000",
        "tenant_id": "tenant_1",
        "environment_id": "env_1",
        "task_type": "IMPORT",
        "entity_type": "EVENTS",
        "file_url": "https://example.com/events.csv",
        "file_name": "events.csv",
        "file_type": "CSV",
        "task_status": "COMPLETED",
        "status": "published",
        "workflow_id": "wf_1",
        "scheduled_task_id": "sched_1",
        "total_records": 3,
        "processed_records": 3,
        "successful_records": 2,
        "failed_records": 1,
        "error_summary": "Record 2: external_customer_id is required",
        "metadata": {"source": "backfill", "nested": {"a": [1, 2]}},
        "started_at": "2025-01-02T03:04:05Z",
        "completed_at": "2025-01-02T03:05:00Z",
        "failed_at": "2025-01-02T03:04:59.123Z",
        "created_at": "2025-01-02T03:00:00Z",
        "updated_at": "2025-01-02T03:05:00Z",
        "created_by": "user_1",
        "updated_by": "user_2"
    })
}

#[test]
fn a_full_task_response_round_trips() {
    let task: TaskResponse = round_trip(full_task());
    assert_eq!(task.task_status, Some(TaskStatus::Completed));
    assert_eq!(task.entity_type, Some(EntityType::Events));
    assert_eq!(task.file_type, Some(FileType::Csv));
    assert_eq!(task.status, Some(Status::Published));
    assert_eq!(task.failed_records, Some(1));
    let started = task.started_at.expect("started_at");
    assert_eq!(started.to_rfc3339(), "2025-01-02T03:04:05+00:00");
    assert_eq!(task.metadata.expect("metadata")["source"], "backfill");
}

#[test]
fn absent_optional_fields_stay_absent() {
    let task: TaskResponse = round_trip(json!({"id": "task_1"}));
    assert_eq!(task.id.as_deref(), Some("task_1"));
    assert_eq!(task.task_status, None);
    assert_eq!(TaskResponse::default(), TaskResponse { id: None, ..task });
}

#[test]
fn a_list_response_round_trips() {
    let list: ListTasksResponse = round_trip(json!({
        "items": [full_task(), {"id": "task_2", "task_status": "PENDING"}],
        "pagination": {"limit": 50, "offset": 0, "total": 2}
    }));
    let items = list.items.expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].task_status, Some(TaskStatus::Pending));
    assert_eq!(
        list.pagination,
        Some(PaginationResponse {
            limit: Some(50),
            offset: Some(0),
            total: Some(2)
        })
    );
}

#[test]
fn create_task_request_requires_its_required_fields() {
    let body = json!({
        "entity_type": "FEATURES",
        "file_type": "JSON",
        "file_url": "https://rural-typeface.org",
        "task_type": "IMPORT"
    });
    let request: CreateTaskRequest = round_trip(body.clone());
    assert_eq!(request.entity_type, EntityType::Features);
    assert_eq!(request.task_type, TaskType::Import);

    let mut missing = body;
    missing.as_object_mut().unwrap().remove("file_url");
    let err = serde_json::from_value::<CreateTaskRequest>(missing).unwrap_err();
    assert!(err.to_string().contains("file_url"), "{err}");
}

#[test]
fn unknown_enum_values_are_rejected() {
    let err = serde_json::from_value::<UpdateTaskStatusRequest>(json!({"task_status": "DONE"}))
        .unwrap_err();
    assert!(err.to_string().contains("DONE"), "{err}");
    let ok: UpdateTaskStatusRequest = round_trip(json!({"task_status": "PROCESSING"}));
    assert_eq!(ok.task_status, TaskStatus::Processing);
}

#[test]
fn error_responses_round_trip_with_every_code() {
    let codes = [
        "http_client_error",
        "system_error",
        "internal_error",
        "not_found",
        "already_exists",
        "version_conflict",
        "validation_error",
        "invalid_operation",
        "permission_denied",
        "database_error",
        "service_unavailable",
        "too_many_requests",
        "not_implemented",
    ];
    assert_eq!(ErrorCode::VALUES, codes);
    for code in codes {
        let body = json!({
            "code": code,
            "message": "something went wrong",
            "http_status_code": 400,
            "details": {"field": {"name": "file_url", "reason": "required"}}
        });
        let error: ErrorResponse = round_trip(body);
        let parsed = error.code.expect("code");
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(ErrorCode::from_str(code), Ok(parsed));
    }
    assert_eq!(ErrorCode::HttpClient.as_str(), "http_client_error");
    assert_eq!(ErrorCode::Validation.as_str(), "validation_error");
}

#[test]
fn from_str_names_the_bad_value_and_the_choices() {
    let err = TaskStatus::from_str("DONE").unwrap_err();
    assert_eq!(err.value(), "DONE");
    assert_eq!(err.type_name(), "TaskStatus");
    assert_eq!(
        err.expected(),
        ["PENDING", "PROCESSING", "COMPLETED", "FAILED"]
    );
    assert_eq!(
        err.to_string(),
        "`DONE` is not a valid TaskStatus; expected one of: PENDING, PROCESSING, COMPLETED, FAILED"
    );
}

#[test]
fn workflow_results_round_trip() {
    let result: TemporalWorkflowResult = round_trip(json!({
        "workflow_id": "wf_1", "run_id": "run_1", "message": "completed: 2 of 3 records"
    }));
    assert_eq!(result.run_id.as_deref(), Some("run_1"));
}
