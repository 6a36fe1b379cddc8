//! The SQLite backend of [`TaskStore`], with `sqlx` and embedded migrations.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, QueryBuilder, Row, Sqlite, SqlitePool};

use super::{
    ChunkWrite, Claim, Finish, KeyOrigin, Progress, StagedRecord, StatusChange, StoreError,
    StoredKey, TaskFilter, TaskStore, WorkStore,
};
use crate::domain::{Counts, Scope, Task, timestamp_text};
use crate::records::{Cell, Kind, Schema};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

const TASK_COLUMNS: &str = "id, tenant_id, environment_id, task_type, entity_type, file_url, file_name, \
    file_type, task_status, status, workflow_id, run_id, scheduled_task_id, metadata, total_records, \
    processed_records, successful_records, failed_records, error_summary, started_at, completed_at, \
    failed_at, created_at, updated_at, created_by, updated_by";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
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
        Ok(SqliteStore { pool })
    }
}

fn parse_enum<T: FromStr>(row: &SqliteRow, column: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|err: T::Err| StoreError::Corrupt(format!("{column}: {err}")))
}

fn parse_time(text: &str, column: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| StoreError::Corrupt(format!("{column}: {err}")))
}

fn optional_time(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| parse_time(&text, column)).transpose()
}

fn task_from_row(row: &SqliteRow) -> Result<Task, StoreError> {
    let metadata: Option<String> = row.try_get("metadata")?;
    let metadata = metadata
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|err| StoreError::Corrupt(format!("metadata: {err}")))
        })
        .transpose()?;
    let total: Option<i64> = row.try_get("total_records")?;
    let counts = match total {
        None => None,
        Some(total) => Some(Counts {
            total,
            processed: row
                .try_get::<Option<i64>, _>("processed_records")?
                .unwrap_or(0),
            successful: row
                .try_get::<Option<i64>, _>("successful_records")?
                .unwrap_or(0),
            failed: row
                .try_get::<Option<i64>, _>("failed_records")?
                .unwrap_or(0),
        }),
    };
    Ok(Task {
        id: row.try_get("id")?,
        scope: Scope {
            tenant_id: row.try_get("tenant_id")?,
            environment_id: row.try_get("environment_id")?,
        },
        task_type: parse_enum(row, "task_type")?,
        entity_type: parse_enum(row, "entity_type")?,
        file_url: row.try_get("file_url")?,
        file_name: row.try_get("file_name")?,
        file_type: parse_enum(row, "file_type")?,
        task_status: parse_enum(row, "task_status")?,
        status: parse_enum(row, "status")?,
        workflow_id: row.try_get("workflow_id")?,
        run_id: row.try_get("run_id")?,
        scheduled_task_id: row.try_get("scheduled_task_id")?,
        metadata,
        counts,
        error_summary: row.try_get("error_summary")?,
        started_at: optional_time(row, "started_at")?,
        completed_at: optional_time(row, "completed_at")?,
        failed_at: optional_time(row, "failed_at")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?, "created_at")?,
        updated_at: parse_time(&row.try_get::<String, _>("updated_at")?, "updated_at")?,
        created_by: row.try_get("created_by")?,
        updated_by: row.try_get("updated_by")?,
    })
}

impl TaskStore for SqliteStore {
    async fn insert_task(&self, task: &Task) -> Result<(), StoreError> {
        let metadata = task
            .metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string());
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )))
        .bind(&task.id)
        .bind(&task.scope.tenant_id)
        .bind(&task.scope.environment_id)
        .bind(task.task_type.as_str())
        .bind(task.entity_type.as_str())
        .bind(&task.file_url)
        .bind(&task.file_name)
        .bind(task.file_type.as_str())
        .bind(task.task_status.as_str())
        .bind(task.status.as_str())
        .bind(&task.workflow_id)
        .bind(&task.run_id)
        .bind(&task.scheduled_task_id)
        .bind(metadata)
        .bind(task.counts.map(|c| c.total))
        .bind(task.counts.map(|c| c.processed))
        .bind(task.counts.map(|c| c.successful))
        .bind(task.counts.map(|c| c.failed))
        .bind(&task.error_summary)
        .bind(task.started_at.map(timestamp_text))
        .bind(task.completed_at.map(timestamp_text))
        .bind(task.failed_at.map(timestamp_text))
        .bind(timestamp_text(task.created_at))
        .bind(timestamp_text(task.updated_at))
        .bind(&task.created_by)
        .bind(&task.updated_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_task(&self, scope: &Scope, id: &str) -> Result<Option<Task>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE id = ? AND tenant_id = ? AND environment_id = ?"
        )))
        .bind(id)
        .bind(&scope.tenant_id)
        .bind(&scope.environment_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    async fn find_task(&self, id: &str) -> Result<Option<Task>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    async fn get_task_by_workflow(
        &self,
        scope: &Scope,
        workflow_id: &str,
    ) -> Result<Option<Task>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE workflow_id = ? AND tenant_id = ? AND environment_id = ?"
        )))
        .bind(workflow_id)
        .bind(&scope.tenant_id)
        .bind(&scope.environment_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    async fn list_tasks(
        &self,
        scope: &Scope,
        filter: &TaskFilter,
    ) -> Result<(Vec<Task>, i64), StoreError> {
        fn conditions(query: &mut QueryBuilder<Sqlite>, scope: &Scope, filter: &TaskFilter) {
            query
                .push(" WHERE tenant_id = ")
                .push_bind(scope.tenant_id.clone());
            query
                .push(" AND environment_id = ")
                .push_bind(scope.environment_id.clone());
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

        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM tasks");
        conditions(&mut count, scope, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;

        let mut page = QueryBuilder::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
        conditions(&mut page, scope, filter);
        // The column comes from a closed list (SortField), never from the request text.
        let direction = if filter.descending { "DESC" } else { "ASC" };
        page.push(format!(
            " ORDER BY {} {direction} NULLS LAST, id {direction}",
            filter.sort.name()
        ));
        page.push(" LIMIT ").push_bind(filter.limit);
        page.push(" OFFSET ").push_bind(filter.offset);
        let rows = page.build().fetch_all(&self.pool).await?;
        let tasks = rows.iter().map(task_from_row).collect::<Result<_, _>>()?;
        Ok((tasks, total))
    }

    async fn change_status(
        &self,
        scope: &Scope,
        id: &str,
        change: &StatusChange,
    ) -> Result<Option<Task>, StoreError> {
        use flexprice_api::TaskStatus;
        let at = timestamp_text(change.at);
        let stamp_column = match change.to {
            TaskStatus::Processing => Some("started_at"),
            TaskStatus::Completed => Some("completed_at"),
            TaskStatus::Failed => Some("failed_at"),
            TaskStatus::Pending => None,
        };
        let mut query = QueryBuilder::<Sqlite>::new("UPDATE tasks SET task_status = ");
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
        query
            .push(" AND tenant_id = ")
            .push_bind(scope.tenant_id.clone());
        query
            .push(" AND environment_id = ")
            .push_bind(scope.environment_id.clone());
        query
            .push(" AND task_status = ")
            .push_bind(change.from.as_str());
        let updated = query.build().execute(&self.pool).await?.rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        self.get_task(scope, id).await
    }

    async fn put_api_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        put_key(&self.pool, key).await
    }

    async fn replace_configured_keys(&self, keys: &[StoredKey]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut delete =
            QueryBuilder::<Sqlite>::new("DELETE FROM api_keys WHERE origin IN ('config', 'dev')");
        if !keys.is_empty() {
            delete.push(" AND key_hash NOT IN (");
            let mut list = delete.separated(", ");
            for key in keys {
                list.push_bind(key.hash.clone());
            }
            delete.push(")");
        }
        let removed = delete.build().execute(&mut *tx).await?.rows_affected();
        for key in keys {
            put_key(&mut *tx, key).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    async fn api_keys_with_prefix(&self, prefix: &str) -> Result<Vec<StoredKey>, StoreError> {
        // Hex digits only, so the prefix cannot carry LIKE wildcards.
        if !prefix.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let prefix = prefix.to_ascii_lowercase();
        let rows = if prefix.len() == 8 {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash_prefix = ? ORDER BY created_at, key_hash"
            )))
            .bind(prefix)
            .fetch_all(&self.pool)
            .await?
        } else {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash LIKE ? ORDER BY created_at, key_hash"
            )))
            .bind(format!("{prefix}%"))
            .fetch_all(&self.pool)
            .await?
        };
        rows.iter().map(key_from_row).collect()
    }

    async fn delete_api_key(&self, hash: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM api_keys WHERE key_hash = ?")
            .bind(hash)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn touch_api_key(&self, hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE key_hash = ?")
            .bind(timestamp_text(at))
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn count_api_keys(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn migrations_applied(&self) -> Result<bool, StoreError> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied >= MIGRATOR.iter().count() as i64)
    }

    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

const KEY_COLUMNS: &str =
    "key_hash, tenant_id, environment_id, label, origin, hint, created_at, last_used_at";

async fn put_key<'c>(
    executor: impl sqlx::Executor<'c, Database = Sqlite>,
    key: &StoredKey,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_keys (key_hash, hash_prefix, tenant_id, environment_id, label, origin, hint, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (key_hash) DO UPDATE SET tenant_id = excluded.tenant_id, \
         environment_id = excluded.environment_id, label = excluded.label, \
         origin = excluded.origin, hint = excluded.hint",
    )
    .bind(&key.hash)
    .bind(key.id())
    .bind(&key.scope.tenant_id)
    .bind(&key.scope.environment_id)
    .bind(&key.label)
    .bind(key.origin.as_str())
    .bind(&key.hint)
    .bind(timestamp_text(key.created_at))
    .execute(executor)
    .await?;
    Ok(())
}

fn key_from_row(row: &SqliteRow) -> Result<StoredKey, StoreError> {
    let origin: String = row.try_get("origin")?;
    Ok(StoredKey {
        hash: row.try_get("key_hash")?,
        scope: Scope {
            tenant_id: row.try_get("tenant_id")?,
            environment_id: row.try_get("environment_id")?,
        },
        label: row.try_get("label")?,
        origin: KeyOrigin::parse(&origin)
            .ok_or_else(|| StoreError::Corrupt(format!("origin: {origin}")))?,
        hint: row.try_get("hint")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?, "created_at")?,
        last_used_at: optional_time(row, "last_used_at")?,
    })
}

fn bind_cell(builder: &mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, cell: &Cell) {
    match cell {
        Cell::Null => builder.push_bind(None::<String>),
        // One copy straight into the shared buffer sqlx binds (not a clone, then an `Arc`).
        Cell::Text(text) => builder.push_bind(Arc::<str>::from(text.as_str())),
        Cell::Integer(number) => builder.push_bind(*number),
    };
}

/// The claim's conditions, appended to an `UPDATE tasks … ` statement.
fn push_claim(query: &mut QueryBuilder<Sqlite>, claim: &Claim) {
    query.push(" WHERE id = ").push_bind(claim.task_id.clone());
    query
        .push(" AND tenant_id = ")
        .push_bind(claim.scope.tenant_id.clone());
    query
        .push(" AND environment_id = ")
        .push_bind(claim.scope.environment_id.clone());
    query.push(" AND task_status = 'PROCESSING' AND worker_id = ");
    query.push_bind(claim.worker_id.clone());
    query.push(" AND run_id = ").push_bind(claim.run_id.clone());
}

fn push_counts(query: &mut QueryBuilder<Sqlite>, counts: Option<Counts>) {
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

impl WorkStore for SqliteStore {
    async fn claim_next(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<Task>, StoreError> {
        let now = timestamp_text(now);
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE tasks SET worker_id = ?1, heartbeat_at = ?2, updated_at = ?2, \
               started_at = CASE WHEN task_status = 'PENDING' THEN ?2 ELSE started_at END, \
               task_status = 'PROCESSING' \
             WHERE id = (SELECT id FROM tasks \
               WHERE task_status = 'PENDING' \
                  OR (task_status = 'PROCESSING' AND (worker_id IS NULL OR heartbeat_at < ?3)) \
               ORDER BY created_at, id LIMIT 1) \
             RETURNING {TASK_COLUMNS}"
        )))
        .bind(worker_id)
        .bind(&now)
        .bind(timestamp_text(stale_before))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    async fn heartbeat(&self, worker_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tasks SET heartbeat_at = ? WHERE worker_id = ? AND task_status = 'PROCESSING'",
        )
        .bind(timestamp_text(now))
        .bind(worker_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn release(&self, worker_id: &str, task_id: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tasks SET worker_id = NULL WHERE worker_id = ?1 AND (?2 IS NULL OR id = ?2)",
        )
        .bind(worker_id)
        .bind(task_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn write_import_chunk<F>(
        &self,
        claim: &Claim,
        schema: &'static Schema,
        records: &[StagedRecord],
        progress: F,
    ) -> Result<bool, StoreError>
    where
        F: FnOnce(&ChunkWrite) -> Progress + Send,
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
                insert.push(" ON CONFLICT DO NOTHING RETURNING record_number");
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
        let now = timestamp_text(crate::domain::now());
        let mut update = QueryBuilder::<Sqlite>::new("UPDATE tasks SET updated_at = ");
        update.push_bind(now.clone());
        update.push(", heartbeat_at = ").push_bind(now);
        push_counts(&mut update, Some(progress.counts));
        update
            .push(", error_summary = ")
            .push_bind(progress.error_summary);
        push_claim(&mut update, claim);
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
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, Vec<Cell>)>, StoreError> {
        let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT rowid, {} FROM {} WHERE tenant_id = ? AND environment_id = ? AND rowid > ? \
             ORDER BY rowid LIMIT ?",
            columns.join(", "),
            schema.table
        )))
        .bind(&scope.tenant_id)
        .bind(&scope.environment_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let position: i64 = row.try_get(0)?;
                let cells = schema
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(index, column)| {
                        Ok(match column.kind {
                            Kind::Integer => row
                                .try_get::<Option<i64>, _>(index + 1)?
                                .map_or(Cell::Null, Cell::Integer),
                            Kind::Text | Kind::Object => row
                                .try_get::<Option<String>, _>(index + 1)?
                                .map_or(Cell::Null, Cell::Text),
                        })
                    })
                    .collect::<Result<Vec<Cell>, StoreError>>()?;
                Ok((position, cells))
            })
            .collect()
    }

    async fn finish(
        &self,
        claim: &Claim,
        finish: &Finish,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
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
        let mut update = QueryBuilder::<Sqlite>::new("UPDATE tasks SET task_status = ");
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
        Ok(update.build().execute(&self.pool).await?.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use flexprice_api::{EntityType, FileType, Status, TaskStatus, TaskType};

    use super::*;
    use crate::domain;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (dir, SqliteStore::connect(&url).await.unwrap())
    }

    fn scope() -> Scope {
        Scope {
            tenant_id: "t".to_owned(),
            environment_id: "e".to_owned(),
        }
    }

    fn pending(id: &str) -> Task {
        let now = domain::now();
        Task {
            id: id.to_owned(),
            scope: scope(),
            task_type: TaskType::Import,
            entity_type: EntityType::Customers,
            file_url: "https://example.com/a.csv".to_owned(),
            file_name: None,
            file_type: FileType::Csv,
            task_status: TaskStatus::Pending,
            status: Status::Published,
            workflow_id: format!("wf_{id}"),
            run_id: format!("run_{id}"),
            scheduled_task_id: None,
            metadata: None,
            counts: None,
            error_summary: None,
            started_at: None,
            completed_at: None,
            failed_at: None,
            created_at: now,
            updated_at: now,
            created_by: "test".to_owned(),
            updated_by: "test".to_owned(),
        }
    }

    fn claim(task: &Task, worker: &str) -> Claim {
        Claim {
            task_id: task.id.clone(),
            scope: task.scope.clone(),
            worker_id: worker.to_owned(),
            run_id: task.run_id.clone(),
        }
    }

    #[tokio::test]
    async fn a_claim_is_held_until_released_or_stale() {
        let (_dir, store) = store().await;
        store.insert_task(&pending("task_1")).await.unwrap();
        let now = domain::now();
        let long_ago = now - chrono::Duration::hours(1);
        let task = store
            .claim_next("w1", now, long_ago)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(task.task_status, TaskStatus::Processing);
        assert!(task.started_at.is_some());
        assert_eq!(
            store.claim_next("w2", now, long_ago).await.unwrap(),
            None,
            "held by w1"
        );

        // w1 dies: once its heartbeat is older than the lease, w2 takes over.
        let later = now + chrono::Duration::minutes(5);
        let taken = store
            .claim_next("w2", later, now + chrono::Duration::seconds(1))
            .await;
        assert_eq!(taken.unwrap().map(|t| t.id), Some("task_1".to_owned()));
        // w1's writes no longer apply.
        let lost = store
            .write_import_chunk(
                &claim(&task, "w1"),
                Schema::of(EntityType::Customers),
                &[],
                |_| Progress::default(),
            )
            .await
            .unwrap();
        assert!(!lost);

        // Released: anyone may resume it at once.
        store.release("w2", Some("task_1")).await.unwrap();
        let resumed = store
            .claim_next("w3", later, long_ago)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            resumed.started_at, task.started_at,
            "the run resumes, it does not restart"
        );
    }

    #[tokio::test]
    async fn chunks_store_each_record_once() {
        let (_dir, store) = store().await;
        store.insert_task(&pending("task_1")).await.unwrap();
        let now = domain::now();
        let task = store.claim_next("w1", now, now).await.unwrap().unwrap();
        let schema = Schema::of(EntityType::Customers);
        let record = |number: i64, id: &str| StagedRecord {
            number,
            cells: vec![
                Cell::Text(id.to_owned()),
                Cell::Text("Name".to_owned()),
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
        };
        let records = [record(1, "c1"), record(2, "c2"), record(3, "c1")];
        let mut seen = ChunkWrite::default();
        let held = store
            .write_import_chunk(&claim(&task, "w1"), schema, &records, |write| {
                seen = write.clone();
                Progress::default()
            })
            .await
            .unwrap();
        assert!(held);
        assert_eq!(
            seen,
            ChunkWrite {
                stored: 2,
                already_stored: 0,
                conflicts: vec![2]
            }
        );
        // The same chunk again (a retried run): recognised, not stored twice.
        store
            .write_import_chunk(&claim(&task, "w1"), schema, &records, |write| {
                seen = write.clone();
                Progress::default()
            })
            .await
            .unwrap();
        assert_eq!(seen.already_stored, 2);
        assert_eq!(seen.stored, 0);
        let page = store.records_page(&scope(), schema, 0, 10).await.unwrap();
        assert_eq!(page.len(), 2);
    }
}
