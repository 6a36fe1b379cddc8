//! Storage behind two traits: the service rules never see SQL. `sqlite` is
//! the default backend (one process), `postgres` the one several replicas
//! share; `rows` and `sql` hold what both build and read the same way.

#[cfg(test)]
mod conformance;
pub mod postgres;
mod rows;
mod sql;
pub mod sqlite;
mod tasks;

pub use tasks::SqlStore;

use std::future::Future;

use chrono::{DateTime, Utc};
use flexprice_api::{EntityType, Status, TaskStatus, TaskType};

use crate::domain::{Counts, Scope, Task};
use crate::records::{Cell, Schema};

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

/// A task a worker holds: the store applies the worker's writes only while
/// the task is still `PROCESSING`, held by `worker_id`, in run `run_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub task_id: String,
    pub scope: Scope,
    pub worker_id: String,
    pub run_id: String,
}

/// A task a worker just claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub task: Task,
    /// The worker whose stale claim this one took over, if it did.
    pub taken_from: Option<String>,
}

/// How many tasks there are, for `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskTally {
    /// Tasks of every scope by `task_status`, in the API's spelling.
    pub by_status: Vec<(String, i64)>,
    /// Tasks waiting for a worker: `PENDING`, or `PROCESSING` and held by nobody.
    pub waiting: i64,
}

/// A valid record of an import, numbered as in its file (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedRecord {
    pub number: i64,
    pub cells: Vec<Cell>,
}

/// What storing a chunk of records found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkWrite {
    /// Records stored now.
    pub stored: usize,
    /// Records this task had stored already (an earlier run of it).
    pub already_stored: usize,
    /// Positions (in the chunk) of records refused because another record has
    /// the same identifying value.
    pub conflicts: Vec<usize>,
}

/// A page of a scope's stored records, and where the next page starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordPage {
    pub records: Vec<Vec<Cell>>,
    /// The last record of this page (the `after` given, if it is empty).
    pub last: RecordCursor,
}

/// A place in the order [`WorkStore::records_page`] reads a scope's records
/// in; the default is before the first. Opaque to its callers: each backend
/// orders by its own key (SQLite: the row id, in the order records were
/// stored; PostgreSQL: the importing task, then the record's number in its
/// file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordCursor {
    task_id: String,
    number: i64,
}

/// A task's counts and error summary while it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub counts: Counts,
    pub error_summary: Option<String>,
}

/// How a run ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// `Completed` or `Failed`.
    pub status: TaskStatus,
    pub counts: Option<Counts>,
    pub error_summary: Option<String>,
    /// Set for a finished export.
    pub file_name: Option<String>,
}

/// Where a stored API key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `--api-key`: replaced as a whole by the keys of each start that gives some.
    Config,
    /// The development key of a first start without keys.
    Dev,
    /// `server-impl keys add`: kept until `keys revoke`.
    Managed,
}

impl KeyOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrigin::Config => "config",
            KeyOrigin::Dev => "dev",
            KeyOrigin::Managed => "managed",
        }
    }

    pub fn parse(text: &str) -> Option<KeyOrigin> {
        [KeyOrigin::Config, KeyOrigin::Dev, KeyOrigin::Managed]
            .into_iter()
            .find(|origin| origin.as_str() == text)
    }
}

/// An API key as stored: its SHA-256 hash (never the key), the scope it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub hash: String,
    pub scope: Scope,
    /// Who the key's requests are by (`created_by`, `updated_by`).
    pub label: String,
    pub origin: KeyOrigin,
    /// The key's first characters, so an operator can tell keys apart.
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl StoredKey {
    /// The key's id in listings and labels: the first 8 hex digits of its hash.
    pub fn id(&self) -> &str {
        &self.hash[..self.hash.len().min(8)]
    }
}

/// Where tasks and API keys live.
pub trait TaskStore: Send + Sync + 'static {
    fn insert_task(&self, task: &Task) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_task(
        &self,
        scope: &Scope,
        id: &str,
    ) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;
    /// A task by id in any scope: only for requests that prove access
    /// otherwise (a signed download link).
    fn find_task(&self, id: &str) -> impl Future<Output = Result<Option<Task>, StoreError>> + Send;
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

    /// Stores a key (an earlier one with the same hash takes its scope,
    /// label, origin and hint, and keeps its times).
    fn put_api_key(&self, key: &StoredKey) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// In one transaction: removes the `Config` and `Dev` keys that are not
    /// in `keys` and stores `keys`; returns how many were removed.
    fn replace_configured_keys(
        &self,
        keys: &[StoredKey],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Stored keys whose hash starts with `prefix` (hex digits), oldest first.
    fn api_keys_with_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<StoredKey>, StoreError>> + Send;
    /// Removes the key with this hash; `false` if there was none.
    fn delete_api_key(&self, hash: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Records that the key with this hash authenticated a request at `at`.
    fn touch_api_key(
        &self,
        hash: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn count_api_keys(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Tasks by status and the queue's depth, over every scope.
    fn task_tally(&self) -> impl Future<Output = Result<TaskTally, StoreError>> + Send;

    /// Whether the database answers and has every migration this build knows.
    fn migrations_applied(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The secret named `name`, stored as `fresh` the first time it is asked for.
    fn secret(
        &self,
        name: &str,
        fresh: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
}

/// The background worker's side of storage: claims, progress, records.
pub trait WorkStore: Send + Sync + 'static {
    /// Takes the oldest task that is `PENDING`, or `PROCESSING` and held by
    /// nobody (or by a worker whose heartbeat is older than `stale_before`),
    /// marks it `PROCESSING` for `worker_id`, and returns it.
    fn claim_next(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Claimed>, StoreError>> + Send;
    /// Refreshes the heartbeat of every task `worker_id` holds.
    fn heartbeat(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Lets go of the tasks `worker_id` holds (all, or just `task_id`), leaving
    /// them `PROCESSING` with their progress, for any worker to resume.
    fn release(
        &self,
        worker_id: &str,
        task_id: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// In one transaction: stores `records` (skipping those this task stored
    /// before), then writes the progress `progress` computes from what
    /// happened. Nothing is written, and `false` returned, if the claim no
    /// longer holds.
    fn write_import_chunk<F>(
        &self,
        claim: &Claim,
        schema: &'static Schema,
        records: &[StagedRecord],
        progress: F,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send
    where
        F: FnMut(&ChunkWrite) -> Progress + Send;
    /// Up to `limit` stored records of the scope, after `after`, in an order
    /// that stays the same while records are added (new ones may come after
    /// the cursor or before it).
    fn records_page(
        &self,
        scope: &Scope,
        schema: &'static Schema,
        after: &RecordCursor,
        limit: i64,
    ) -> impl Future<Output = Result<RecordPage, StoreError>> + Send;
    /// Ends the run; `false` if the claim no longer holds.
    fn finish(
        &self,
        claim: &Claim,
        finish: &Finish,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
