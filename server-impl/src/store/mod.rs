//! Storage behind one trait: the service rules never see SQL. `sqlite` is the
//! backend today; a PostgreSQL one implements the same trait.

pub mod sqlite;

use std::future::Future;

use chrono::{DateTime, Utc};
use flexprice_api::{EntityType, Status, TaskStatus, TaskType};

use crate::domain::{Scope, Task};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Columns a task list can be sorted by: the task's times and record counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    CreatedAt,
    UpdatedAt,
    StartedAt,
    CompletedAt,
    FailedAt,
    TotalRecords,
    ProcessedRecords,
    SuccessfulRecords,
    FailedRecords,
}

impl SortField {
    pub const ALL: [SortField; 9] = [
        SortField::CreatedAt,
        SortField::UpdatedAt,
        SortField::StartedAt,
        SortField::CompletedAt,
        SortField::FailedAt,
        SortField::TotalRecords,
        SortField::ProcessedRecords,
        SortField::SuccessfulRecords,
        SortField::FailedRecords,
    ];

    /// The field's name in the API, which is also its column.
    pub fn name(self) -> &'static str {
        match self {
            SortField::CreatedAt => "created_at",
            SortField::UpdatedAt => "updated_at",
            SortField::StartedAt => "started_at",
            SortField::CompletedAt => "completed_at",
            SortField::FailedAt => "failed_at",
            SortField::TotalRecords => "total_records",
            SortField::ProcessedRecords => "processed_records",
            SortField::SuccessfulRecords => "successful_records",
            SortField::FailedRecords => "failed_records",
        }
    }

    pub fn parse(name: &str) -> Option<SortField> {
        SortField::ALL
            .into_iter()
            .find(|field| field.name() == name)
    }
}

/// Which tasks of a scope to list, and in what order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFilter {
    pub task_type: Option<TaskType>,
    pub entity_type: Option<EntityType>,
    pub task_status: Option<TaskStatus>,
    pub status: Option<Status>,
    pub created_by: Option<String>,
    pub scheduled_task_id: Option<String>,
    /// Created at or after.
    pub start_time: Option<DateTime<Utc>>,
    /// Created at or before.
    pub end_time: Option<DateTime<Utc>>,
    pub sort: SortField,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A status change the store applies only if the task is still in `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub at: DateTime<Utc>,
    pub by: String,
    /// A new run id, when the change starts a new run (a retry).
    pub new_run_id: Option<String>,
}

/// Where tasks and API keys live.
pub trait TaskStore: Send + Sync + 'static {
    fn insert_task(&self, task: &Task) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_task(
        &self,
        scope: &Scope,
        id: &str,
    ) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;
    fn get_task_by_workflow(
        &self,
        scope: &Scope,
        workflow_id: &str,
    ) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;
    /// One page of matching tasks, and how many match in all.
    fn list_tasks(
        &self,
        scope: &Scope,
        filter: &TaskFilter,
    ) -> impl Future<Output = Result<(Vec<Task>, i64), StoreError>> + Send;
    /// Applies `change` if the task is still in `change.from`; `None` if it is not (or is gone).
    fn change_status(
        &self,
        scope: &Scope,
        id: &str,
        change: &StatusChange,
    ) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;

    /// Stores an API key's hash for a scope (replacing an earlier one with the same hash).
    fn put_api_key(
        &self,
        key_hash: &str,
        scope: &Scope,
        label: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The (hash, scope, label) of stored keys whose hash starts with `prefix`.
    fn api_keys_with_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<(String, Scope, String)>, StoreError>> + Send;
    fn count_api_keys(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;
}
