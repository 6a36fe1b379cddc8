//! The HTTP layer: the generated `TasksApi` implemented by translating between
//! the generated types and [`TaskService`] calls.

use flexprice_api::server::{
    ApiHooks, CreateTaskReply, DownloadTaskExportReply, GetTaskReply, GetTaskResultReply,
    HttpError, ListTasksReply, TasksApi, UpdateTaskStatusReply,
};
use flexprice_api::{
    CreateTaskRequest, DownloadTaskExportPath, ErrorCode, ErrorResponse, GetTaskPath,
    GetTaskResultQuery, ListTasksQuery, ListTasksResponse, PaginationResponse, SuccessResponse,
    TaskResponse, TaskStatus, TaskType, TemporalWorkflowResult, UpdateTaskStatusPath,
    UpdateTaskStatusRequest,
};

use std::collections::BTreeMap;

use crate::auth::{self, Principal};
use crate::domain::Task;
use crate::files::storage::FileStore;
use crate::links::LinkSigner;
use crate::service::{ServiceError, TaskService};
use crate::store::TaskStore;
use object_store::path::Path;

pub struct Api<S> {
    pub service: TaskService<S>,
    /// Signs the download links of finished exports.
    pub links: LinkSigner,
    /// Where finished export files are.
    pub files: FileStore,
    /// When this process last recorded each key's use.
    pub key_usage: auth::KeyUsage,
}

pub(crate) fn error_body(code: ErrorCode, status: u16, message: String) -> ErrorResponse {
    ErrorResponse {
        code: Some(code),
        message: Some(message),
        http_status_code: Some(i64::from(status)),
        details: None,
    }
}

/// The service's errors in the spec's error format: each operation answers
/// with its documented response for the status.
impl From<ServiceError> for HttpError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Validation(message) => {
                HttpError::new(400, error_body(ErrorCode::Validation, 400, message))
            }
            ServiceError::NotFound(message) => {
                HttpError::new(404, error_body(ErrorCode::NotFound, 404, message))
            }
            ServiceError::Files(err) => {
                tracing::error!(error = %err, "the file store failed");
                HttpError::new(
                    500,
                    error_body(
                        ErrorCode::InternalError,
                        500,
                        "the file store failed".to_owned(),
                    ),
                )
            }
            ServiceError::Store(err) => {
                tracing::error!(error = %err, "storage failed");
                HttpError::new(
                    500,
                    error_body(ErrorCode::Database, 500, "the task store failed".to_owned()),
                )
            }
        }
    }
}

pub fn task_response(task: Task) -> TaskResponse {
    TaskResponse {
        id: Some(task.id),
        tenant_id: Some(task.scope.tenant_id),
        environment_id: Some(task.scope.environment_id),
        task_type: Some(task.task_type),
        entity_type: Some(task.entity_type),
        file_url: Some(task.file_url),
        file_name: task.file_name,
        file_type: Some(task.file_type),
        task_status: Some(task.task_status),
        status: Some(task.status),
        workflow_id: Some(task.workflow_id),
        scheduled_task_id: task.scheduled_task_id,
        metadata: task.metadata,
        total_records: task.counts.map(|c| c.total),
        processed_records: task.counts.map(|c| c.processed),
        successful_records: task.counts.map(|c| c.successful),
        failed_records: task.counts.map(|c| c.failed),
        error_summary: task.error_summary,
        started_at: task.started_at,
        completed_at: task.completed_at,
        failed_at: task.failed_at,
        created_at: Some(task.created_at),
        updated_at: Some(task.updated_at),
        created_by: Some(task.created_by),
        updated_by: Some(task.updated_by),
    }
}

impl<S> Api<S> {
    /// The key of a finished export task's file, if there is one.
    pub(crate) async fn export_file(&self, task: &Task) -> Result<Option<Path>, ServiceError> {
        if task.task_type != TaskType::Export || task.task_status != TaskStatus::Completed {
            return Ok(None);
        }
        let key = self.files.export_key(&task.id, task.file_type);
        match self.files.exists(&key).await {
            Ok(exists) => Ok(exists.then_some(key)),
            Err(err) => Err(ServiceError::Files(err.to_string())),
        }
    }
}

impl<S: TaskStore> ApiHooks for Api<S> {
    type Principal = Principal;

    async fn authenticate_api_key_auth(&self, api_key: &str) -> Option<Principal> {
        match auth::authenticate(self.service.store(), &self.key_usage, api_key).await {
            Ok(principal) => principal,
            Err(err) => {
                tracing::error!(error = %err, "API key lookup failed");
                None
            }
        }
    }
}

impl<S: TaskStore> TasksApi for Api<S> {
    async fn list_tasks(
        &self,
        principal: Principal,
        query: ListTasksQuery,
    ) -> Result<ListTasksReply, HttpError> {
        let page = self.service.list(&principal.scope, &query).await?;
        Ok(ListTasksReply::Ok(ListTasksResponse {
            items: Some(page.tasks.into_iter().map(task_response).collect()),
            pagination: Some(PaginationResponse {
                limit: Some(page.limit),
                offset: Some(page.offset),
                total: Some(page.total),
            }),
        }))
    }

    async fn create_task(
        &self,
        principal: Principal,
        body: CreateTaskRequest,
    ) -> Result<CreateTaskReply, HttpError> {
        let task = self.service.create(&principal, body).await?;
        Ok(CreateTaskReply::Accepted(task_response(task)))
    }

    async fn get_task_result(
        &self,
        principal: Principal,
        query: GetTaskResultQuery,
    ) -> Result<GetTaskResultReply, HttpError> {
        let report = self
            .service
            .run_report(&principal.scope, &query.workflow_id)
            .await?;
        Ok(GetTaskResultReply::Ok(TemporalWorkflowResult {
            workflow_id: Some(report.workflow_id),
            run_id: Some(report.run_id),
            message: Some(report.message),
        }))
    }

    async fn get_task(
        &self,
        principal: Principal,
        path: GetTaskPath,
    ) -> Result<GetTaskReply, HttpError> {
        let task = self.service.get(&principal.scope, &path.id).await?;
        Ok(GetTaskReply::Ok(task_response(task)))
    }

    async fn download_task_export(
        &self,
        principal: Principal,
        path: DownloadTaskExportPath,
    ) -> Result<DownloadTaskExportReply, HttpError> {
        let id = &path.id;
        let task = self.service.get(&principal.scope, id).await?;
        if task.task_type == TaskType::Import {
            return Err(ServiceError::Validation(format!(
                "task {id} is an import; only export tasks have a file to download"
            ))
            .into());
        }
        if task.task_status != TaskStatus::Completed {
            return Err(ServiceError::Validation(format!(
                "export task {id} is {}, not COMPLETED; its file is not ready",
                task.task_status
            ))
            .into());
        }
        let Some(key) = self.export_file(&task).await? else {
            // Marked COMPLETED by hand, without a run that wrote a file.
            return Err(
                ServiceError::NotFound(format!("export task {id} has no exported file")).into(),
            );
        };
        // A bucket's own presigned URL, or this server's signed link.
        let link = match self.files.presigned_url(&key, self.links.ttl()).await {
            Some(Ok(url)) => url.to_string(),
            Some(Err(err)) => return Err(ServiceError::Files(err.to_string()).into()),
            None => self.links.link(&task.id, crate::domain::now()),
        };
        Ok(DownloadTaskExportReply::Ok(BTreeMap::from([(
            "download_url".to_owned(),
            link,
        )])))
    }

    async fn update_task_status(
        &self,
        principal: Principal,
        path: UpdateTaskStatusPath,
        body: UpdateTaskStatusRequest,
    ) -> Result<UpdateTaskStatusReply, HttpError> {
        let task = self
            .service
            .update_status(&principal, &path.id, body.task_status)
            .await?;
        Ok(UpdateTaskStatusReply::Ok(SuccessResponse {
            message: Some(format!("task {} is {}", task.id, task.task_status)),
        }))
    }
}
