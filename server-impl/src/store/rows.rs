//! Rows into domain values, the same for every backend: both store the same
//! columns (times as RFC 3339 text, enums by their wire names), so only how a
//! column is read differs, behind [`Columns`].

use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::{KeyOrigin, RecordCursor, RecordPage, StoreError, StoredKey};
use crate::domain::{Counts, Scope, Task};
use crate::records::{Cell, Kind, Schema};

pub const TASK_COLUMNS: &str = "id, tenant_id, environment_id, task_type, entity_type, file_url, file_name, \
    file_type, task_status, status, workflow_id, run_id, scheduled_task_id, metadata, total_records, \
    processed_records, successful_records, failed_records, error_summary, started_at, completed_at, \
    failed_at, created_at, updated_at, created_by, updated_by";

pub const KEY_COLUMNS: &str =
    "key_hash, tenant_id, environment_id, label, origin, hint, created_at, last_used_at";

/// A row's columns by name, as text or integers (NULL: `None`).
pub trait Columns {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn integer(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError>;

    fn required_text(&self, column: &str) -> Result<String, StoreError> {
        self.text(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is NULL")))
    }
}

fn parse_enum<T: FromStr>(row: &impl Columns, column: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    row.required_text(column)?
        .parse()
        .map_err(|err: T::Err| StoreError::Corrupt(format!("{column}: {err}")))
}

fn parse_time(text: &str, column: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| StoreError::Corrupt(format!("{column}: {err}")))
}

fn time(row: &impl Columns, column: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_time(&row.required_text(column)?, column)
}

fn optional_time(row: &impl Columns, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    row.text(column)?
        .map(|text| parse_time(&text, column))
        .transpose()
}

pub fn task_from_row(row: &impl Columns) -> Result<Task, StoreError> {
    let metadata = row
        .text("metadata")?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|err| StoreError::Corrupt(format!("metadata: {err}")))
        })
        .transpose()?;
    let counts = match row.integer("total_records")? {
        None => None,
        Some(total) => Some(Counts {
            total,
            processed: row.integer("processed_records")?.unwrap_or(0),
            successful: row.integer("successful_records")?.unwrap_or(0),
            failed: row.integer("failed_records")?.unwrap_or(0),
        }),
    };
    Ok(Task {
        id: row.required_text("id")?,
        scope: Scope {
            tenant_id: row.required_text("tenant_id")?,
            environment_id: row.required_text("environment_id")?,
        },
        task_type: parse_enum(row, "task_type")?,
        entity_type: parse_enum(row, "entity_type")?,
        file_url: row.required_text("file_url")?,
        file_name: row.text("file_name")?,
        file_type: parse_enum(row, "file_type")?,
        task_status: parse_enum(row, "task_status")?,
        status: parse_enum(row, "status")?,
        workflow_id: row.required_text("workflow_id")?,
        run_id: row.required_text("run_id")?,
        scheduled_task_id: row.text("scheduled_task_id")?,
        metadata,
        counts,
        error_summary: row.text("error_summary")?,
        started_at: optional_time(row, "started_at")?,
        completed_at: optional_time(row, "completed_at")?,
        failed_at: optional_time(row, "failed_at")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
        created_by: row.required_text("created_by")?,
        updated_by: row.required_text("updated_by")?,
    })
}

pub fn key_from_row(row: &impl Columns) -> Result<StoredKey, StoreError> {
    let origin = row.required_text("origin")?;
    Ok(StoredKey {
        hash: row.required_text("key_hash")?,
        scope: Scope {
            tenant_id: row.required_text("tenant_id")?,
            environment_id: row.required_text("environment_id")?,
        },
        label: row.required_text("label")?,
        origin: KeyOrigin::parse(&origin)
            .ok_or_else(|| StoreError::Corrupt(format!("origin: {origin}")))?,
        hint: row.required_text("hint")?,
        created_at: time(row, "created_at")?,
        last_used_at: optional_time(row, "last_used_at")?,
    })
}

/// A page of stored records read by a `SELECT` of `schema`'s columns, with
/// each row's place in the order as `cursor_task` and `cursor_number`.
pub fn record_page(
    rows: &[impl Columns],
    schema: &Schema,
    after: &RecordCursor,
) -> Result<RecordPage, StoreError> {
    let last = match rows.last() {
        Some(row) => RecordCursor {
            task_id: row.required_text("cursor_task")?,
            number: row.integer("cursor_number")?.unwrap_or(0),
        },
        None => after.clone(),
    };
    let records = rows
        .iter()
        .map(|row| record_cells(row, schema))
        .collect::<Result<_, _>>()?;
    Ok(RecordPage { records, last })
}

/// A stored record's cells, in `schema`'s column order.
fn record_cells(row: &impl Columns, schema: &Schema) -> Result<Vec<Cell>, StoreError> {
    schema
        .columns
        .iter()
        .map(|column| {
            Ok(match column.kind {
                Kind::Integer => row.integer(column.name)?.map_or(Cell::Null, Cell::Integer),
                Kind::Text | Kind::Object => row.text(column.name)?.map_or(Cell::Null, Cell::Text),
            })
        })
        .collect()
}
