//! The SQLite backend of [`TaskStore`], with `sqlx` and embedded migrations.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, QueryBuilder, Row, Sqlite, SqlitePool};

use super::{StatusChange, StoreError, TaskFilter, TaskStore};
use crate::domain::{Counts, Scope, Task, timestamp_text};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

const TASK_COLUMNS: &str = "id, tenant_id, environment_id, task_type, entity_type, file_url, file_name, \
    file_type, task_status, status, workflow_id, run_id, scheduled_task_id, metadata, total_records, \
    processed_records, successful_records, failed_records, error_summary, started_at, completed_at, \
    failed_at, created_at, updated_at, created_by, updated_by";

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
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
        if let Some(run_id) = &change.new_run_id {
            query.push(", run_id = ").push_bind(run_id.clone());
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

    async fn put_api_key(
        &self,
        key_hash: &str,
        scope: &Scope,
        label: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (key_hash, hash_prefix, tenant_id, environment_id, label, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (key_hash) DO UPDATE SET tenant_id = excluded.tenant_id, \
             environment_id = excluded.environment_id, label = excluded.label",
        )
        .bind(key_hash)
        .bind(&key_hash[..key_hash.len().min(8)])
        .bind(&scope.tenant_id)
        .bind(&scope.environment_id)
        .bind(label)
        .bind(timestamp_text(crate::domain::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn api_keys_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, Scope, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_hash, tenant_id, environment_id, label FROM api_keys WHERE hash_prefix = ?",
        )
        .bind(prefix)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("key_hash")?,
                    Scope {
                        tenant_id: row.try_get("tenant_id")?,
                        environment_id: row.try_get("environment_id")?,
                    },
                    row.try_get("label")?,
                ))
            })
            .collect()
    }

    async fn count_api_keys(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
            .fetch_one(&self.pool)
            .await?)
    }
}
