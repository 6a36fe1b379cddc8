//! The [`TaskStore`] both backends share. Every statement is built with
//! `QueryBuilder`, which writes each database's own placeholders, and read
//! through [`Columns`], so one implementation serves SQLite and PostgreSQL;
//! what differs between them (claims, chunks of records, record pages) is in
//! `sqlite.rs` and `postgres.rs`.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, Executor, IntoArguments, Pool, QueryBuilder, Type};

use super::rows::{Columns, KEY_COLUMNS, TASK_COLUMNS, key_from_row, task_from_row};
use super::{
    Claim, Finish, StatusChange, StoreError, StoredKey, TaskFilter, TaskStore, TaskTally, sql,
};
use crate::domain::{Scope, Task, timestamp_text};

/// A database pool and how many migrations this build applies to it.
#[derive(Debug)]
pub struct SqlStore<DB: Database> {
    pub(super) pool: Pool<DB>,
    pub(super) migrations: usize,
}

impl<DB: Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
            migrations: self.migrations,
        }
    }
}

/// No stored id, workflow id or label holds U+0000 (PostgreSQL text cannot),
/// so a lookup by one matches nothing on either backend.
fn has_nul(value: &str) -> bool {
    value.contains('\0')
}

impl<DB> SqlStore<DB>
where
    DB: Database,
    DB::Row: Columns,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    &'static str: for<'q> Encode<'q, DB> + Type<DB>,
    Vec<u8>: for<'q> Encode<'q, DB> + Type<DB>,
{
    /// The first task a `SELECT {TASK_COLUMNS} FROM tasks WHERE …` finds.
    async fn one_task(&self, mut query: QueryBuilder<DB>) -> Result<Option<Task>, StoreError> {
        let row = query.build().fetch_optional(&self.pool).await?;
        row.as_ref().map(task_from_row).transpose()
    }

    /// [`WorkStore::heartbeat`](super::WorkStore::heartbeat) on either backend.
    pub(super) async fn heartbeat_held(
        &self,
        worker_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut update = QueryBuilder::<DB>::new("UPDATE tasks SET heartbeat_at = ");
        update.push_bind(timestamp_text(now));
        update
            .push(" WHERE worker_id = ")
            .push_bind(worker_id.to_owned());
        update.push(" AND task_status = 'PROCESSING'");
        update.build().execute(&self.pool).await?;
        Ok(())
    }

    /// [`WorkStore::release`](super::WorkStore::release) on either backend.
    pub(super) async fn release_held(
        &self,
        worker_id: &str,
        task_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut update =
            QueryBuilder::<DB>::new("UPDATE tasks SET worker_id = NULL WHERE worker_id = ");
        update.push_bind(worker_id.to_owned());
        if let Some(task_id) = task_id {
            update.push(" AND id = ").push_bind(task_id.to_owned());
        }
        update.build().execute(&self.pool).await?;
        Ok(())
    }

    /// [`WorkStore::finish`](super::WorkStore::finish) on either backend.
    pub(super) async fn finish_run(
        &self,
        claim: &Claim,
        finish: &Finish,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut update = sql::finish_update::<DB>(claim, finish, at)?;
        update.push(" RETURNING id");
        Ok(!update.build().fetch_all(&self.pool).await?.is_empty())
    }

    fn put_key_statement(key: &StoredKey) -> QueryBuilder<DB> {
        let mut insert = QueryBuilder::<DB>::new(
            "INSERT INTO api_keys (key_hash, hash_prefix, tenant_id, environment_id, label, origin, hint, created_at) ",
        );
        insert.push_values([key], |mut row, key| {
            row.push_bind(key.hash.clone())
                .push_bind(key.id().to_owned())
                .push_bind(key.scope.tenant_id.clone())
                .push_bind(key.scope.environment_id.clone())
                .push_bind(key.label.clone())
                .push_bind(key.origin.as_str())
                .push_bind(key.hint.clone())
                .push_bind(timestamp_text(key.created_at));
        });
        insert.push(
            " ON CONFLICT (key_hash) DO UPDATE SET tenant_id = excluded.tenant_id, \
             environment_id = excluded.environment_id, label = excluded.label, \
             origin = excluded.origin, hint = excluded.hint",
        );
        insert
    }
}

impl<DB> TaskStore for SqlStore<DB>
where
    DB: Database,
    DB::Row: Columns,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    &'static str: for<'q> Encode<'q, DB> + Type<DB>,
    Vec<u8>: for<'q> Encode<'q, DB> + Type<DB>,
{
    async fn insert_task(&self, task: &Task) -> Result<(), StoreError> {
        let metadata = task
            .metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string());
        let mut insert = QueryBuilder::<DB>::new(format!("INSERT INTO tasks ({TASK_COLUMNS}) "));
        insert.push_values([task], |mut row, task| {
            row.push_bind(task.id.clone())
                .push_bind(task.scope.tenant_id.clone())
                .push_bind(task.scope.environment_id.clone())
                .push_bind(task.task_type.as_str())
                .push_bind(task.entity_type.as_str())
                .push_bind(task.file_url.clone())
                .push_bind(task.file_name.clone())
                .push_bind(task.file_type.as_str())
                .push_bind(task.task_status.as_str())
                .push_bind(task.status.as_str())
                .push_bind(task.workflow_id.clone())
                .push_bind(task.run_id.clone())
                .push_bind(task.scheduled_task_id.clone())
                .push_bind(metadata.clone())
                .push_bind(task.counts.map(|c| c.total))
                .push_bind(task.counts.map(|c| c.processed))
                .push_bind(task.counts.map(|c| c.successful))
                .push_bind(task.counts.map(|c| c.failed))
                .push_bind(task.error_summary.clone())
                .push_bind(task.started_at.map(timestamp_text))
                .push_bind(task.completed_at.map(timestamp_text))
                .push_bind(task.failed_at.map(timestamp_text))
                .push_bind(timestamp_text(task.created_at))
                .push_bind(timestamp_text(task.updated_at))
                .push_bind(task.created_by.clone())
                .push_bind(task.updated_by.clone());
        });
        insert.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn get_task(&self, scope: &Scope, id: &str) -> Result<Option<Task>, StoreError> {
        if has_nul(id) {
            return Ok(None);
        }
        let mut query = QueryBuilder::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = "));
        query.push_bind(id.to_owned());
        sql::push_scope(&mut query, scope);
        self.one_task(query).await
    }

    async fn find_task(&self, id: &str) -> Result<Option<Task>, StoreError> {
        if has_nul(id) {
            return Ok(None);
        }
        let mut query = QueryBuilder::new(format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = "));
        query.push_bind(id.to_owned());
        self.one_task(query).await
    }

    async fn get_task_by_workflow(
        &self,
        scope: &Scope,
        workflow_id: &str,
    ) -> Result<Option<Task>, StoreError> {
        if has_nul(workflow_id) {
            return Ok(None);
        }
        let mut query = QueryBuilder::new(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE workflow_id = "
        ));
        query.push_bind(workflow_id.to_owned());
        sql::push_scope(&mut query, scope);
        self.one_task(query).await
    }

    async fn list_tasks(
        &self,
        scope: &Scope,
        filter: &TaskFilter,
    ) -> Result<(Vec<Task>, i64), StoreError> {
        let nul = |value: &Option<String>| value.as_deref().is_some_and(has_nul);
        if nul(&filter.created_by) || nul(&filter.scheduled_task_id) {
            return Ok((Vec::new(), 0));
        }
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM tasks");
        sql::push_list_conditions(&mut count, scope, filter);
        let row = count.build().fetch_one(&self.pool).await?;
        let total = row.integer("n")?.unwrap_or(0);

        let mut page = QueryBuilder::<DB>::new(format!("SELECT {TASK_COLUMNS} FROM tasks"));
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
        if has_nul(id) {
            return Ok(None);
        }
        let mut query = sql::status_change::<DB>(scope, id, change);
        query.push(format!(" RETURNING {TASK_COLUMNS}"));
        self.one_task(query).await
    }

    async fn put_api_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        Self::put_key_statement(key)
            .build()
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn replace_configured_keys(&self, keys: &[StoredKey]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut delete =
            QueryBuilder::<DB>::new("DELETE FROM api_keys WHERE origin IN ('config', 'dev')");
        if !keys.is_empty() {
            delete.push(" AND key_hash NOT IN (");
            let mut list = delete.separated(", ");
            for key in keys {
                list.push_bind(key.hash.clone());
            }
            delete.push(")");
        }
        delete.push(" RETURNING key_hash");
        let removed = delete.build().fetch_all(&mut *tx).await?.len() as u64;
        for key in keys {
            Self::put_key_statement(key)
                .build()
                .execute(&mut *tx)
                .await?;
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
        let mut query =
            QueryBuilder::<DB>::new(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE "));
        // A whole id is the indexed hash prefix; a shorter one a LIKE.
        if prefix.len() == 8 {
            query.push("hash_prefix = ").push_bind(prefix);
        } else {
            query.push("key_hash LIKE ").push_bind(format!("{prefix}%"));
        }
        query.push(" ORDER BY created_at, key_hash");
        let rows = query.build().fetch_all(&self.pool).await?;
        rows.iter().map(key_from_row).collect()
    }

    async fn delete_api_key(&self, hash: &str) -> Result<bool, StoreError> {
        let mut delete = QueryBuilder::<DB>::new("DELETE FROM api_keys WHERE key_hash = ");
        delete
            .push_bind(hash.to_owned())
            .push(" RETURNING key_hash");
        Ok(!delete.build().fetch_all(&self.pool).await?.is_empty())
    }

    async fn touch_api_key(&self, hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut update = QueryBuilder::<DB>::new("UPDATE api_keys SET last_used_at = ");
        update.push_bind(timestamp_text(at));
        update.push(" WHERE key_hash = ").push_bind(hash.to_owned());
        update.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn count_api_keys(&self) -> Result<i64, StoreError> {
        let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM api_keys");
        let row = count.build().fetch_one(&self.pool).await?;
        Ok(row.integer("n")?.unwrap_or(0))
    }

    async fn task_tally(&self) -> Result<TaskTally, StoreError> {
        let mut by_status = QueryBuilder::<DB>::new(
            "SELECT task_status, COUNT(*) AS n FROM tasks GROUP BY task_status ORDER BY task_status",
        );
        let by_status = by_status
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.required_text("task_status")?,
                    row.integer("n")?.unwrap_or(0),
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let mut waiting = QueryBuilder::<DB>::new(
            "SELECT COUNT(*) AS n FROM tasks WHERE task_status = 'PENDING' \
             OR (task_status = 'PROCESSING' AND worker_id IS NULL)",
        );
        let waiting = waiting.build().fetch_one(&self.pool).await?;
        Ok(TaskTally {
            by_status,
            waiting: waiting.integer("n")?.unwrap_or(0),
        })
    }

    async fn migrations_applied(&self) -> Result<bool, StoreError> {
        let mut applied = QueryBuilder::<DB>::new(
            "SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success = TRUE",
        );
        let applied = applied.build().fetch_one(&self.pool).await?;
        Ok(applied.integer("n")?.unwrap_or(0) >= self.migrations as i64)
    }

    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        let mut insert = QueryBuilder::<DB>::new("INSERT INTO secrets (name, value) ");
        insert.push_values([(name, fresh)], |mut row, (name, value)| {
            row.push_bind(name.to_owned()).push_bind(value);
        });
        insert.push(" ON CONFLICT (name) DO NOTHING");
        insert.build().execute(&self.pool).await?;
        let mut select = QueryBuilder::<DB>::new("SELECT value FROM secrets WHERE name = ");
        select.push_bind(name.to_owned());
        select.build().fetch_one(&self.pool).await?.bytes("value")
    }
}
