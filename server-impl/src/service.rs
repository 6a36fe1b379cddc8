//! The rules of the Tasks service: validation, state transitions, tenancy.
//! Knows nothing of HTTP; the `api` layer translates.

use std::sync::Arc;

use flexprice_api::{
    CreateTaskRequest, ListTasksOrder, ListTasksQuery, Status, TaskStatus, TaskType,
};
use tokio::sync::Notify;

use crate::auth::Principal;
use crate::domain::{self, Scope, Task, transition_allowed};
use crate::ssrf::ImportUrlPolicy;
use crate::store::{SortField, StatusChange, StoreError, TaskFilter, TaskStore};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request breaks a rule (400).
    #[error("{0}")]
    Validation(String),
    /// No such task in the caller's scope (404).
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The object store holding export files failed.
    #[error("the file store failed: {0}")]
    Files(String),
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub tasks: Vec<Task>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// What `getTaskResult` reports about a task's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub workflow_id: String,
    pub run_id: String,
    pub message: String,
}

pub struct TaskService<S> {
    store: S,
    import_urls: ImportUrlPolicy,
    /// Tells the background worker that a task may be waiting.
    wake: Arc<Notify>,
}

impl<S: TaskStore> TaskService<S> {
    pub fn new(store: S, import_urls: ImportUrlPolicy, wake: Arc<Notify>) -> Self {
        TaskService {
            store,
            import_urls,
            wake,
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub async fn create(
        &self,
        principal: &Principal,
        request: CreateTaskRequest,
    ) -> Result<Task, ServiceError> {
        let file_url = request.file_url.trim().to_owned();
        if file_url.is_empty() {
            return Err(ServiceError::Validation("file_url is required".to_owned()));
        }
        // PostgreSQL text cannot hold U+0000; no URL or file name means it.
        for (field, value) in [
            ("file_url", Some(file_url.as_str())),
            ("file_name", request.file_name.as_deref()),
        ] {
            if value.is_some_and(|value| value.contains('\0')) {
                return Err(ServiceError::Validation(format!(
                    "{field} must not contain a NUL character"
                )));
            }
        }
        if request.task_type == TaskType::Import {
            self.import_urls
                .check(&file_url)
                .await
                .map_err(ServiceError::Validation)?;
        }
        let now = domain::now();
        let task = Task {
            id: domain::new_id("task"),
            scope: principal.scope.clone(),
            task_type: request.task_type,
            entity_type: request.entity_type,
            file_url,
            file_name: request
                .file_name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty()),
            file_type: request.file_type,
            task_status: TaskStatus::Pending,
            status: Status::Published,
            workflow_id: domain::new_id("wf"),
            run_id: domain::new_id("run"),
            scheduled_task_id: None,
            metadata: request.metadata,
            counts: None,
            error_summary: None,
            started_at: None,
            completed_at: None,
            failed_at: None,
            created_at: now,
            updated_at: now,
            created_by: principal.label.clone(),
            updated_by: principal.label.clone(),
        };
        self.store.insert_task(&task).await?;
        self.wake.notify_one();
        tracing::info!(task_id = %task.id, task_type = %task.task_type, "task created");
        Ok(task)
    }

    pub async fn get(&self, scope: &Scope, id: &str) -> Result<Task, ServiceError> {
        self.store
            .get_task(scope, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("task {id} not found")))
    }

    pub async fn list(&self, scope: &Scope, query: &ListTasksQuery) -> Result<Page, ServiceError> {
        let sort_name = query.sort_or_default();
        let sort = SortField::parse(&sort_name).ok_or_else(|| {
            let names: Vec<&str> = SortField::ALL.iter().map(|field| field.name()).collect();
            ServiceError::Validation(format!(
                "sort `{sort_name}` is not one of: {}",
                names.join(", ")
            ))
        })?;
        if let (Some(start), Some(end)) = (query.start_time, query.end_time)
            && start > end
        {
            return Err(ServiceError::Validation(
                "start_time must not be after end_time".to_owned(),
            ));
        }
        let filter = TaskFilter {
            task_type: query.task_type,
            entity_type: query.entity_type,
            task_status: query.task_status,
            status: query.status,
            created_by: query.created_by.clone(),
            scheduled_task_id: query.scheduled_task_id.clone(),
            start_time: query.start_time,
            end_time: query.end_time,
            sort,
            descending: query.order_or_default() == ListTasksOrder::Desc,
            limit: query.limit_or_default(),
            offset: query.offset_or_default(),
        };
        let (tasks, total) = self.store.list_tasks(scope, &filter).await?;
        Ok(Page {
            tasks,
            total,
            limit: filter.limit,
            offset: filter.offset,
        })
    }

    pub async fn update_status(
        &self,
        principal: &Principal,
        id: &str,
        to: TaskStatus,
    ) -> Result<Task, ServiceError> {
        let scope = &principal.scope;
        let task = self.get(scope, id).await?;
        let from = task.task_status;
        if !transition_allowed(from, to) {
            return Err(ServiceError::Validation(format!(
                "task {id} cannot move from {from} to {to}"
            )));
        }
        let change = StatusChange {
            from,
            to,
            at: domain::now(),
            by: principal.label.clone(),
            new_run_id: (from == TaskStatus::Failed).then(|| domain::new_id("run")),
        };
        match self.store.change_status(scope, id, &change).await? {
            Some(task) => {
                if to == TaskStatus::Processing {
                    // A retry (or a manual start): the worker runs it.
                    self.wake.notify_one();
                }
                tracing::info!(task_id = %id, %from, %to, "task status changed");
                Ok(task)
            }
            // Someone else moved it between our read and our write.
            None => Err(ServiceError::Validation(format!(
                "task {id} changed while it was updated; it is no longer {from}"
            ))),
        }
    }

    pub async fn run_report(
        &self,
        scope: &Scope,
        workflow_id: &str,
    ) -> Result<RunReport, ServiceError> {
        let task = self
            .store
            .get_task_by_workflow(scope, workflow_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("workflow {workflow_id} not found")))?;
        Ok(RunReport {
            workflow_id: task.workflow_id.clone(),
            run_id: task.run_id.clone(),
            message: describe_run(&task),
        })
    }
}

/// A sentence about where a task's run stands.
pub fn describe_run(task: &Task) -> String {
    let kind = match task.task_type {
        TaskType::Import => "import",
        TaskType::Export => "export",
    };
    let entity = task.entity_type.as_str().to_lowercase();
    match task.task_status {
        TaskStatus::Pending => format!("{kind} of {entity} is queued"),
        TaskStatus::Processing => match task.counts {
            Some(counts) => format!(
                "{kind} of {entity} is running: {} records processed so far",
                counts.processed
            ),
            None => format!("{kind} of {entity} is running"),
        },
        TaskStatus::Completed => match task.counts {
            Some(counts) => format!(
                "{kind} of {entity} completed: {} of {} records succeeded, {} failed",
                counts.successful, counts.total, counts.failed
            ),
            None => format!("{kind} of {entity} completed"),
        },
        TaskStatus::Failed => {
            // A failed import keeps what it stored before the failure.
            let kept = match (task.task_type, task.counts) {
                (TaskType::Import, Some(counts)) if counts.successful > 0 => format!(
                    " ({} of {} records read were stored and are kept)",
                    counts.successful, counts.total
                ),
                _ => String::new(),
            };
            match &task.error_summary {
                Some(reason) => format!("{kind} of {entity} failed{kept}: {reason}"),
                None => format!("{kind} of {entity} failed{kept}"),
            }
        }
    }
}
