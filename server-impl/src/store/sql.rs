//! Statements both backends build the same way. `QueryBuilder` writes each
//! backend's own placeholders, so these are generic over the database; the
//! statements that differ (claims, chunk inserts, record pages) stay in each
//! backend's file.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::{Claim, Finish, Progress, StatusChange, StoreError, TaskFilter};
use crate::domain::{Counts, Scope, timestamp_text};
use crate::records::Schema;

/// ` AND tenant_id = … AND environment_id = …`.
pub fn push_scope<DB>(query: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
{
    query
        .push(" AND tenant_id = ")
        .push_bind(scope.tenant_id.clone());
    query
        .push(" AND environment_id = ")
        .push_bind(scope.environment_id.clone());
}

/// ` WHERE …` selecting the tasks of `scope` that `filter` matches.
pub fn push_list_conditions<DB>(query: &mut QueryBuilder<DB>, scope: &Scope, filter: &TaskFilter)
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
    &'static str: Encode<'static, DB> + Type<DB>,
{
    query.push(" WHERE TRUE");
    push_scope(query, scope);
    if let Some(task_type) = filter.task_type {
        query
            .push(" AND task_type = ")
            .push_bind(task_type.as_str());
    }
    if let Some(entity_type) = filter.entity_type {
        query
            .push(" AND entity_type = ")
            .push_bind(entity_type.as_str());
    }
    if let Some(task_status) = filter.task_status {
        query
            .push(" AND task_status = ")
            .push_bind(task_status.as_str());
    }
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(created_by) = &filter.created_by {
        query
            .push(" AND created_by = ")
            .push_bind(created_by.clone());
    }
    if let Some(scheduled) = &filter.scheduled_task_id {
        query
            .push(" AND scheduled_task_id = ")
            .push_bind(scheduled.clone());
    }
    if let Some(start) = filter.start_time {
        query
            .push(" AND created_at >= ")
            .push_bind(timestamp_text(start));
    }
    if let Some(end) = filter.end_time {
        query
            .push(" AND created_at <= ")
            .push_bind(timestamp_text(end));
    }
}

/// ` ORDER BY … LIMIT … OFFSET …` of a task list.
pub fn push_order_and_page<DB>(query: &mut QueryBuilder<DB>, filter: &TaskFilter)
where
    DB: Database,
    i64: Encode<'static, DB> + Type<DB>,
{
    // The column comes from a closed list (SortField), never from the request text.
    let direction = if filter.descending { "DESC" } else { "ASC" };
    query.push(format!(
        " ORDER BY {} {direction} NULLS LAST, id {direction}",
        filter.sort.name()
    ));
    query.push(" LIMIT ").push_bind(filter.limit);
    query.push(" OFFSET ").push_bind(filter.offset);
}

/// The `UPDATE` applying `change` to a task still in `change.from`.
pub fn status_change<DB>(scope: &Scope, id: &str, change: &StatusChange) -> QueryBuilder<DB>
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
    &'static str: Encode<'static, DB> + Type<DB>,
{
    use flexprice_api::TaskStatus;
    let at = timestamp_text(change.at);
    let stamp_column = match change.to {
        TaskStatus::Processing => Some("started_at"),
        TaskStatus::Completed => Some("completed_at"),
        TaskStatus::Failed => Some("failed_at"),
        TaskStatus::Pending => None,
    };
    let mut query = QueryBuilder::<DB>::new("UPDATE tasks SET task_status = ");
    query.push_bind(change.to.as_str());
    query.push(", updated_at = ").push_bind(at.clone());
    query.push(", updated_by = ").push_bind(change.by.clone());
    if let Some(column) = stamp_column {
        query.push(format!(", {column} = ")).push_bind(at);
    }
    // A status set from outside ends any worker's hold on the task.
    query.push(", worker_id = NULL");
    if let Some(run_id) = &change.new_run_id {
        // A new run starts from nothing: its counts and errors are its own.
        query.push(", run_id = ").push_bind(run_id.clone());
        query.push(
            ", total_records = NULL, processed_records = NULL, successful_records = NULL, \
             failed_records = NULL, error_summary = NULL",
        );
    }
    query.push(" WHERE id = ").push_bind(id.to_owned());
    push_scope(&mut query, scope);
    query
        .push(" AND task_status = ")
        .push_bind(change.from.as_str());
    query
}

/// The end of a chunk's `INSERT`: a record whose identifying value its scope
/// holds already (`scope` names the columns a table's scope is in) is
/// skipped, to be reported as a conflict, and the statement returns the
/// numbers it stored. The conflict target names that one unique index: with
/// none, PostgreSQL checks every unique index before each row, the
/// `(task, record number)` one included, which the chunk's read of what its
/// task stored before, under the task's lock, has settled already (a quarter
/// of the database's insert work, BENCHMARKS.md).
pub fn on_conflict(scope: &str, schema: &Schema) -> String {
    match schema.unique {
        Some(column) => {
            format!(" ON CONFLICT ({scope}, {column}) DO NOTHING RETURNING record_number")
        }
        None => " RETURNING record_number".to_owned(),
    }
}

/// The claim's conditions, appended to an `UPDATE tasks … ` statement.
pub fn push_claim<DB>(query: &mut QueryBuilder<DB>, claim: &Claim)
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
{
    query.push(" WHERE id = ").push_bind(claim.task_id.clone());
    push_scope(query, &claim.scope);
    query.push(" AND task_status = 'PROCESSING' AND worker_id = ");
    query.push_bind(claim.worker_id.clone());
    query.push(" AND run_id = ").push_bind(claim.run_id.clone());
}

fn push_counts<DB>(query: &mut QueryBuilder<DB>, counts: Option<Counts>)
where
    DB: Database,
    Option<i64>: Encode<'static, DB> + Type<DB>,
{
    query
        .push(", total_records = ")
        .push_bind(counts.map(|c| c.total));
    query
        .push(", processed_records = ")
        .push_bind(counts.map(|c| c.processed));
    query
        .push(", successful_records = ")
        .push_bind(counts.map(|c| c.successful));
    query
        .push(", failed_records = ")
        .push_bind(counts.map(|c| c.failed));
}

/// The `UPDATE` writing a chunk's progress, if the claim still holds.
pub fn progress_update<DB>(claim: &Claim, progress: Progress) -> QueryBuilder<DB>
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
    Option<i64>: Encode<'static, DB> + Type<DB>,
    Option<String>: Encode<'static, DB> + Type<DB>,
{
    let now = timestamp_text(crate::domain::now());
    let mut update = QueryBuilder::<DB>::new("UPDATE tasks SET updated_at = ");
    update.push_bind(now.clone());
    update.push(", heartbeat_at = ").push_bind(now);
    push_counts(&mut update, Some(progress.counts));
    update
        .push(", error_summary = ")
        .push_bind(progress.error_summary);
    push_claim(&mut update, claim);
    update
}

/// The `UPDATE` ending a run, if the claim still holds.
pub fn finish_update<DB>(
    claim: &Claim,
    finish: &Finish,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<QueryBuilder<DB>, StoreError>
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
    &'static str: Encode<'static, DB> + Type<DB>,
    Option<i64>: Encode<'static, DB> + Type<DB>,
    Option<String>: Encode<'static, DB> + Type<DB>,
{
    use flexprice_api::TaskStatus;
    let at = timestamp_text(at);
    let stamp = match finish.status {
        TaskStatus::Completed => "completed_at",
        TaskStatus::Failed => "failed_at",
        other => {
            return Err(StoreError::Corrupt(format!(
                "a run cannot finish as {other}"
            )));
        }
    };
    let mut update = QueryBuilder::<DB>::new("UPDATE tasks SET task_status = ");
    update.push_bind(finish.status.as_str());
    update
        .push(", worker_id = NULL, updated_at = ")
        .push_bind(at.clone());
    update.push(format!(", {stamp} = ")).push_bind(at);
    push_counts(&mut update, finish.counts);
    update
        .push(", error_summary = ")
        .push_bind(finish.error_summary.clone());
    if let Some(file_name) = &finish.file_name {
        update.push(", file_name = ").push_bind(file_name.clone());
    }
    push_claim(&mut update, claim);
    Ok(update)
}
