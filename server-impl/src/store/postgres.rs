//! The PostgreSQL backend of [`TaskStore`] and [`WorkStore`]: the same rules
//! as the SQLite one, for several processes on one database. Claims take the
//! oldest free task with `FOR UPDATE SKIP LOCKED`, so replicas never wait on
//! each other's claims; a chunk of records is one multi-row insert in a
//! transaction that first locks the task row under the claim, so a worker
//! whose lease was taken over stores nothing.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Postgres, QueryBuilder, Row};

use super::rows::{Columns, TASK_COLUMNS, task_from_row};
use super::sql;
use super::tasks::SqlStore;
use super::{ChunkWrite, Claim, Claimed, Finish, Progress, StagedRecord, StoreError, WorkStore};
use crate::domain::{Scope, timestamp_text};
use crate::records::{Cell, Kind, Schema};

/// The store replicas share: a PostgreSQL database.
pub type PostgresStore = SqlStore<Postgres>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether `name` can be a schema name without quoting.
fn plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

impl SqlStore<Postgres> {
    /// Connects to the database at `url` and applies the migrations; with
    /// `schema`, the service's tables live in that schema (created if absent).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        // As SQLite's `synchronous = NORMAL`: a commit is not waited on to
        // reach the disk. A crash may lose the last commits, never half of
        // one; a chunk and its task's counts commit together, so a lost chunk
        // is read again and stored once.
        let mut options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "off")]);
        if let Some(schema) = schema {
            if !plain_identifier(schema) {
                return Err(StoreError::Corrupt(format!(
                    "the database schema `{schema}` is not a plain lower-case identifier"
                )));
            }
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.clone())
                .await?;
            sqlx::query(AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&admin)
            .await?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore {
            pool,
            migrations: MIGRATOR.iter().count(),
        })
    }
}

impl SqlStore<Postgres> {
    async fn write_chunk_once<F>(
        &self,
        claim: &Claim,
        schema: &'static Schema,
        records: &[StagedRecord],
        progress: &mut F,
    ) -> Result<bool, StoreError>
    where
        F: FnMut(&ChunkWrite) -> Progress + Send,
    {
        let table = schema.table;
        let mut tx = self.pool.begin().await?;
        // The task row, locked under the claim: a worker whose lease another
        // took over stores nothing, and two writers of one task take turns.
        let mut lock = QueryBuilder::<Postgres>::new("SELECT id FROM tasks");
        sql::push_claim(&mut lock, claim);
        lock.push(" FOR UPDATE");
        if lock.build().fetch_optional(&mut *tx).await?.is_none() {
            tx.rollback().await?;
            return Ok(false);
        }
        let mut write = ChunkWrite::default();
        if let (Some(first), Some(last)) = (records.first(), records.last()) {
            let earlier: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT record_number FROM {table} WHERE task_id = $1 AND record_number BETWEEN $2 AND $3"
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
                let insert = unnest_insert(claim, schema, &fresh)?;
                let mut insert = insert;
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
        let mut update = sql::progress_update::<Postgres>(claim, progress);
        if update.build().execute(&mut *tx).await?.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}

impl Columns for PgRow {
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

/// One statement storing `records`, whatever their number: each column is
/// bound as one array and the rows come from `UNNEST`, so the statement has
/// the same few parameters for every chunk (a chunk of 1,000 rows as `VALUES`
/// binds over ten thousand, which PostgreSQL parses and plans each time).
/// Records whose number or identifying value is stored already are skipped;
/// the statement returns the numbers it stored.
fn unnest_insert(
    claim: &Claim,
    schema: &'static Schema,
    records: &[&StagedRecord],
) -> Result<QueryBuilder<Postgres>, StoreError> {
    let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
    let table = schema.table;
    let mut insert = QueryBuilder::<Postgres>::new(format!(
        "INSERT INTO {table} (tenant_id, environment_id, task_id, record_number, {}) SELECT ",
        columns.join(", ")
    ));
    insert.push_bind(claim.scope.tenant_id.as_str());
    insert
        .push(", ")
        .push_bind(claim.scope.environment_id.as_str());
    insert.push(", ").push_bind(claim.task_id.as_str());
    insert.push(", u.* FROM UNNEST(");
    insert.push_bind(
        records
            .iter()
            .map(|record| record.number)
            .collect::<Vec<i64>>(),
    );
    insert.push("::BIGINT[]");
    for (index, column) in schema.columns.iter().enumerate() {
        insert.push(", ");
        let cells = records.iter().map(|record| record.cells.get(index));
        match column.kind {
            Kind::Integer => {
                let values = cells
                    .map(|cell| match cell {
                        None | Some(Cell::Null) => Ok(None),
                        Some(Cell::Integer(number)) => Ok(Some(*number)),
                        Some(Cell::Text(_)) => Err(StoreError::Corrupt(format!(
                            "{table}.{}: text in an integer column",
                            column.name
                        ))),
                    })
                    .collect::<Result<Vec<Option<i64>>, StoreError>>()?;
                insert.push_bind(values).push("::BIGINT[]");
            }
            Kind::Text | Kind::Object => {
                let values: Vec<Option<std::borrow::Cow<str>>> = cells
                    .map(|cell| match cell {
                        None | Some(Cell::Null) => None,
                        Some(Cell::Text(text)) => Some(text.as_str().into()),
                        Some(Cell::Integer(number)) => Some(number.to_string().into()),
                    })
                    .collect();
                insert.push_bind(values).push("::TEXT[]");
            }
        }
    }
    insert.push(format!(
        ") AS u(record_number, {}) ON CONFLICT DO NOTHING RETURNING record_number",
        columns.join(", ")
    ));
    Ok(insert)
}

impl WorkStore for SqlStore<Postgres> {
    async fn claim_next(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<Claimed>, StoreError> {
        let now = timestamp_text(now);
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE tasks SET previous_worker_id = CASE WHEN task_status = 'PROCESSING' THEN worker_id END, worker_id = $1, heartbeat_at = $2, updated_at = $2, \
               started_at = CASE WHEN task_status = 'PENDING' THEN $2 ELSE started_at END, \
               task_status = 'PROCESSING' \
             WHERE id = (SELECT id FROM tasks \
               WHERE task_status = 'PENDING' \
                  OR (task_status = 'PROCESSING' AND (worker_id IS NULL OR (worker_id <> $1 AND heartbeat_at < $3))) \
               ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
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
        // Chunks of different tasks in one scope may wait on each other's
        // identifying values; PostgreSQL then aborts one of them (a deadlock
        // or a serialization failure), which is worth another try.
        let mut attempt = 1;
        loop {
            match self
                .write_chunk_once(claim, schema, records, &mut progress)
                .await
            {
                Err(StoreError::Database(sqlx::Error::Database(err)))
                    if attempt < 5 && matches!(err.code().as_deref(), Some("40P01" | "40001")) =>
                {
                    tracing::info!(task_id = %claim.task_id, attempt, error = %err, "chunk retried");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn records_page(
        &self,
        scope: &Scope,
        schema: &'static Schema,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<Cell>)>, StoreError> {
        self.records_by("position", scope, schema, after, limit)
            .await
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
