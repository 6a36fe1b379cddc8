//! An in-test implementation of the generated `TasksApi` that records every
//! call, shared by the router and client tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use flexprice_api::server::{
    ApiHooks, CreateTaskReply, DownloadTaskExportReply, GetTaskReply, GetTaskResultReply,
    HttpError, ListTasksReply, TasksApi, UpdateTaskStatusReply,
};
use flexprice_api::{
    CreateTaskRequest, DownloadTaskExportPath, ErrorCode, ErrorResponse, GetTaskPath,
    GetTaskResultQuery, ListTasksQuery, ListTasksResponse, PaginationResponse, SuccessResponse,
    TaskResponse, TaskStatus, TemporalWorkflowResult, UpdateTaskStatusPath,
    UpdateTaskStatusRequest,
};

pub const KEY: &str = "test-key";

#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    pub fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn not_found(what: &str) -> HttpError {
    HttpError::new(
        404,
        ErrorResponse {
            code: Some(ErrorCode::NotFound),
            message: Some(format!("{what} not found")),
            http_status_code: Some(404),
            details: None,
        },
    )
}

impl ApiHooks for Recorder {
    type Principal = String;

    async fn authenticate_api_key_auth(&self, api_key: &str) -> Option<String> {
        (api_key == KEY).then(|| "tenant-1".to_owned())
    }
}

impl TasksApi for Recorder {
    async fn list_tasks(
        &self,
        principal: String,
        query: ListTasksQuery,
    ) -> Result<ListTasksReply, HttpError> {
        self.record(format!("list_tasks {principal} {query:?}"));
        Ok(ListTasksReply::Ok(ListTasksResponse {
            items: Some(vec![]),
            pagination: Some(PaginationResponse {
                limit: query.limit,
                offset: query.offset,
                total: Some(0),
            }),
        }))
    }

    async fn create_task(
        &self,
        principal: String,
        body: CreateTaskRequest,
    ) -> Result<CreateTaskReply, HttpError> {
        self.record(format!("create_task {principal} {}", body.file_url));
        Ok(CreateTaskReply::Accepted(TaskResponse {
            id: Some("task_1".to_owned()),
            file_url: Some(body.file_url),
            task_type: Some(body.task_type),
            task_status: Some(TaskStatus::Pending),
            ..TaskResponse::default()
        }))
    }

    async fn get_task_result(
        &self,
        principal: String,
        query: GetTaskResultQuery,
    ) -> Result<GetTaskResultReply, HttpError> {
        self.record(format!("get_task_result {principal} {}", query.workflow_id));
        if query.workflow_id == "missing" {
            return Err(not_found("workflow"));
        }
        Ok(GetTaskResultReply::Ok(TemporalWorkflowResult {
            workflow_id: Some(query.workflow_id),
            run_id: Some("run_1".to_owned()),
            message: Some("queued".to_owned()),
        }))
    }

    async fn get_task(
        &self,
        principal: String,
        path: GetTaskPath,
    ) -> Result<GetTaskReply, HttpError> {
        self.record(format!("get_task {principal} {}", path.id));
        if path.id == "missing" {
            return Err(not_found("task"));
        }
        Ok(GetTaskReply::Ok(TaskResponse {
            id: Some(path.id),
            ..TaskResponse::default()
        }))
    }

    async fn download_task_export(
        &self,
        principal: String,
        path: DownloadTaskExportPath,
    ) -> Result<DownloadTaskExportReply, HttpError> {
        self.record(format!("download_task_export {principal} {}", path.id));
        let link = BTreeMap::from([(
            "download_url".to_owned(),
            format!("https://files.test/{}", path.id),
        )]);
        Ok(DownloadTaskExportReply::Ok(link))
    }

    async fn update_task_status(
        &self,
        principal: String,
        path: UpdateTaskStatusPath,
        body: UpdateTaskStatusRequest,
    ) -> Result<UpdateTaskStatusReply, HttpError> {
        self.record(format!(
            "update_task_status {principal} {} {}",
            path.id, body.task_status
        ));
        Ok(UpdateTaskStatusReply::Ok(SuccessResponse {
            message: Some("updated".to_owned()),
        }))
    }
}
