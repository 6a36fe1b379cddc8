//! The SQLite backend of [`TaskStore`], with `sqlx` and embedded migrations.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, QueryBuilder, Row, Sqlite};

use super::rows::{Columns, TASK_COLUMNS, record_page, task_from_row};
use super::sql;
use super::tasks::SqlStore;
use super::{
    ChunkWrite, Claim, Claimed, Finish, Progress, RecordCursor, RecordPage, StagedRecord,
    StoreError, WorkStore,
};
use crate::domain::{Scope, timestamp_text};
use crate::records::{Cell, Schema};

/// One process's store: a SQLite file.
pub type SqliteStore = SqlStore<Sqlite>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqlStore<Sqlite> {
    /// Opens (creating if needed) the database at `url` and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL keeps the database consistent on a crash and
            // skips the fsync at every commit (one per import chunk); a commit
            // lost to a power cut is redone, since chunks are idempotent.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore {
            pool,
            migrations: MIGRATOR.iter().count(),
        })
    }
}

impl Columns for SqliteRow {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn integer(&self, column: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.try_get(column)?)
    }
}

fn bind_cell(builder: &mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, cell: &Cell) {
    match cell {
        Cell::Null => builder.push_bind(None::<String>),
        // One copy straight into the shared buffer sqlx binds (not a clone, then an `Arc`).
        Cell::Text(text) => builder.push_bind(Arc::<str>::from(text.as_str())),
        Cell::Integer(number) => builder.push_bind(*number),
    };
}

impl WorkStore for SqlStore<Sqlite> {
    async fn claim_next(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<Claimed>, StoreError> {
        let now = timestamp_text(now);
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE tasks SET previous_worker_id = CASE WHEN task_status = 'PROCESSING' THEN worker_id END, worker_id = ?1, heartbeat_at = ?2, updated_at = ?2, \
               started_at = CASE WHEN task_status = 'PENDING' THEN ?2 ELSE started_at END, \
               task_status = 'PROCESSING' \
             WHERE id = (SELECT id FROM tasks \
               WHERE task_status = 'PENDING' \
                  OR (task_status = 'PROCESSING' AND (worker_id IS NULL OR (worker_id <> ?1 AND heartbeat_at < ?3))) \
               ORDER BY created_at, id LIMIT 1) \
             RETURNING {TASK_COLUMNS}, previous_worker_id"
        )))
        .bind(worker_id)
        .bind(&now)
        .bind(timestamp_text(stale_before))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(|row| {
                Ok(Claimed {
                    task: task_from_row(row)?,
                    taken_from: row.text("previous_worker_id")?,
                })
            })
            .transpose()
    }

    async fn heartbeat(&self, worker_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.heartbeat_held(worker_id, now).await
    }

    async fn release(&self, worker_id: &str, task_id: Option<&str>) -> Result<(), StoreError> {
        self.release_held(worker_id, task_id).await
    }

    async fn write_import_chunk<F>(
        &self,
        claim: &Claim,
        schema: &'static Schema,
        records: &[StagedRecord],
        mut progress: F,
    ) -> Result<bool, StoreError>
    where
        F: FnMut(&ChunkWrite) -> Progress + Send,
    {
        let table = schema.table;
        // IMMEDIATE: the transaction reads before it writes, and a deferred one
        // that must upgrade its lock fails at once (SQLITE_BUSY) when another
        // connection (a heartbeat, an API update) wrote in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut write = ChunkWrite::default();
        if let (Some(first), Some(last)) = (records.first(), records.last()) {
            let earlier: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT record_number FROM {table} WHERE task_id = ? AND record_number BETWEEN ? AND ?"
            )))
            .bind(&claim.task_id)
            .bind(first.number)
            .bind(last.number)
            .fetch_all(&mut *tx)
            .await?;
            let earlier: BTreeSet<i64> = earlier.into_iter().collect();
            let fresh: Vec<&StagedRecord> = records
                .iter()
                .filter(|record| !earlier.contains(&record.number))
                .collect();
            write.already_stored = records.len() - fresh.len();
            if !fresh.is_empty() {
                let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
                let mut insert = QueryBuilder::<Sqlite>::new(format!(
                    "INSERT INTO {table} (tenant_id, environment_id, task_id, record_number, {}) ",
                    columns.join(", ")
                ));
                // Shared by every row: bound as reference-counted strings, not copies.
                let tenant: Arc<str> = Arc::from(claim.scope.tenant_id.as_str());
                let environment: Arc<str> = Arc::from(claim.scope.environment_id.as_str());
                let task: Arc<str> = Arc::from(claim.task_id.as_str());
                insert.push_values(fresh.iter(), |mut row, record| {
                    row.push_bind(Arc::clone(&tenant))
                        .push_bind(Arc::clone(&environment))
                        .push_bind(Arc::clone(&task))
                        .push_bind(record.number);
                    for cell in &record.cells {
                        bind_cell(&mut row, cell);
                    }
                });
                insert.push(sql::on_conflict("tenant_id, environment_id", schema));
                let stored: BTreeSet<i64> = insert
                    .build_query_scalar::<i64>()
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
                write.stored = stored.len();
                write.conflicts = records
                    .iter()
                    .enumerate()
                    .filter(|(_, record)| {
                        !earlier.contains(&record.number) && !stored.contains(&record.number)
                    })
                    .map(|(index, _)| index)
                    .collect();
            }
        }
        let progress = progress(&write);
        let mut update = sql::progress_update::<Sqlite>(claim, progress);
        if update.build().execute(&mut *tx).await?.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn records_page(
        &self,
        scope: &Scope,
        schema: &'static Schema,
        after: &RecordCursor,
        limit: i64,
    ) -> Result<RecordPage, StoreError> {
        // The row id: the order records were stored in.
        let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT '' AS cursor_task, rowid AS cursor_number, {} FROM {} WHERE rowid > ",
            columns.join(", "),
            schema.table
        ));
        query.push_bind(after.number);
        sql::push_scope(&mut query, scope);
        query.push(" ORDER BY rowid LIMIT ").push_bind(limit);
        let rows = query.build().fetch_all(&self.pool).await?;
        record_page(&rows, schema, after)
    }

    async fn finish(
        &self,
        claim: &Claim,
        finish: &Finish,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.finish_run(claim, finish, at).await
    }
}
