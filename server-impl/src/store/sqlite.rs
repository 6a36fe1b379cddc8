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

use super::rows::{Columns, KEY_COLUMNS, TASK_COLUMNS, key_from_row, task_from_row};
use super::sql;
use super::{
    ChunkWrite, Claim, Claimed, Finish, Progress, StagedRecord, StatusChange, StoreError,
    StoredKey, TaskFilter, TaskStore, TaskTally, WorkStore,
};
use crate::domain::{Scope, Task, timestamp_text};
use crate::records::{Cell, Kind, Schema};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

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

impl Columns for SqliteRow {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(column)?)
    }

    fn integer(&self, column: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(column)?)
    }
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
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tasks");
        sql::push_list_conditions(&mut count, scope, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;

        let mut page = QueryBuilder::<Sqlite>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
        sql::push_list_conditions(&mut page, scope, filter);
        sql::push_order_and_page(&mut page, filter);
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
        let mut query = sql::status_change::<Sqlite>(scope, id, change);
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

    async fn task_tally(&self) -> Result<TaskTally, StoreError> {
        let by_status: Vec<(String, i64)> = sqlx::query_as(
            "SELECT task_status, COUNT(*) FROM tasks GROUP BY task_status ORDER BY task_status",
        )
        .fetch_all(&self.pool)
        .await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tasks WHERE task_status = 'PENDING' \
             OR (task_status = 'PROCESSING' AND worker_id IS NULL)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(TaskTally { by_status, waiting })
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

fn bind_cell(builder: &mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, cell: &Cell) {
    match cell {
        Cell::Null => builder.push_bind(None::<String>),
        // One copy straight into the shared buffer sqlx binds (not a clone, then an `Arc`).
        Cell::Text(text) => builder.push_bind(Arc::<str>::from(text.as_str())),
        Cell::Integer(number) => builder.push_bind(*number),
    };
}

impl WorkStore for SqliteStore {
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
            "UPDATE tasks SET previous_worker_id = CASE WHEN task_status = 'PROCESSING' THEN worker_id END, worker_id = NULL WHERE worker_id = ?1 AND (?2 IS NULL OR id = ?2)",
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
        let mut update = sql::finish_update::<Sqlite>(claim, finish, at)?;
        Ok(update.build().execute(&self.pool).await?.rows_affected() == 1)
    }
}
