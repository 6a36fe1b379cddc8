//! The PostgreSQL backend of [`TaskStore`] and [`WorkStore`]: the same rules
//! as the SQLite one, for several processes on one database. Claims take the
//! oldest free task with `FOR UPDATE SKIP LOCKED`, so replicas never wait on
//! each other's claims; a chunk of records is one multi-row insert in a
//! transaction that first locks the task row under the claim, so a worker
//! whose lease was taken over stores nothing. Record tables key rows by a
//! scope number (`scopes`), the task and the record's number in its file:
//! small keys, since their indexes are most of an import's cost.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Postgres, QueryBuilder, Row};

use super::rows::{Columns, TASK_COLUMNS, record_page, task_from_row};
use super::sql;
use super::tasks::SqlStore;
use super::{
    ChunkWrite, Claim, Claimed, Finish, Progress, RecordCursor, RecordPage, StagedRecord,
    StoreError, WorkStore,
};
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
        // Its scope's number comes along once the scope has one.
        let mut lock = QueryBuilder::<Postgres>::new(
            "SELECT (SELECT id FROM scopes WHERE tenant_id = tasks.tenant_id \
               AND environment_id = tasks.environment_id) AS scope_id FROM tasks",
        );
        sql::push_claim(&mut lock, claim);
        lock.push(" FOR UPDATE OF tasks");
        let Some(scope_id) = lock
            .build_query_scalar::<Option<i32>>()
            .fetch_optional(&mut *tx)
            .await?
        else {
            tx.rollback().await?;
            return Ok(false);
        };
        let scope_id = match scope_id {
            Some(id) => id,
            None => scope_number(&mut tx, &claim.scope).await?,
        };
        let mut write = ChunkWrite::default();
        if let (Some(first), Some(last)) = (records.first(), records.last()) {
            let earlier: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT record_number FROM {table} \
                 WHERE scope_id = $1 AND task_id = $2 AND record_number BETWEEN $3 AND $4"
            )))
            .bind(scope_id)
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
                let mut insert = unnest_insert(scope_id, claim, schema, &fresh)?;
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

/// The number standing for `scope` in record tables, given to it the first
/// time one of its records is stored. Another replica may be giving it at the
/// same moment: the insert then waits for that one and finds the number
/// taken, which the read after it sees.
async fn scope_number(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    scope: &Scope,
) -> Result<i32, StoreError> {
    let inserted: Option<i32> = sqlx::query_scalar(
        "INSERT INTO scopes (tenant_id, environment_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&scope.tenant_id)
    .bind(&scope.environment_id)
    .fetch_optional(&mut **tx)
    .await?;
    match inserted {
        Some(id) => Ok(id),
        None => Ok(sqlx::query_scalar(
            "SELECT id FROM scopes WHERE tenant_id = $1 AND environment_id = $2",
        )
        .bind(&scope.tenant_id)
        .bind(&scope.environment_id)
        .fetch_one(&mut **tx)
        .await?),
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
/// Records whose identifying value the scope holds already are skipped;
/// the statement returns the numbers it stored.
fn unnest_insert(
    scope_id: i32,
    claim: &Claim,
    schema: &'static Schema,
    records: &[&StagedRecord],
) -> Result<QueryBuilder<Postgres>, StoreError> {
    let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
    let table = schema.table;
    let mut insert = QueryBuilder::<Postgres>::new(format!(
        "INSERT INTO {table} (scope_id, task_id, record_number, {}) SELECT ",
        columns.join(", ")
    ));
    insert.push_bind(scope_id);
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
    insert.push(format!(") AS u(record_number, {})", columns.join(", ")));
    insert.push(sql::on_conflict("scope_id", schema));
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
        after: &RecordCursor,
        limit: i64,
    ) -> Result<RecordPage, StoreError> {
        // The primary key's order: task by task, each in file order.
        let columns: Vec<&str> = schema.columns.iter().map(|c| c.name).collect();
        let mut query = QueryBuilder::<Postgres>::new(format!(
            "SELECT task_id AS cursor_task, record_number AS cursor_number, {} FROM {} \
             WHERE scope_id = (SELECT id FROM scopes WHERE TRUE",
            columns.join(", "),
            schema.table
        ));
        sql::push_scope(&mut query, scope);
        query.push(") AND (task_id, record_number) > (");
        query.push_bind(after.task_id.as_str());
        query.push(", ").push_bind(after.number);
        query.push(") ORDER BY task_id, record_number LIMIT ");
        query.push_bind(limit);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TaskStore;

    /// A database that holds records from before the scope numbers (schema
    /// version 2) keeps every one of them, each in its own scope, and a
    /// re-run of the task that stored them stores nothing twice.
    #[tokio::test]
    async fn records_stored_before_scope_numbers_are_kept() {
        let Ok(url) = std::env::var("TASKS_TEST_POSTGRES") else {
            eprintln!("not run: TASKS_TEST_POSTGRES is not set");
            return;
        };
        let schema = format!("mig_{}", ulid::Ulid::generate().to_string().to_lowercase());
        // Version 2: the first two migrations, applied as a release holding
        // only those did.
        let old = tempfile::tempdir().unwrap();
        for name in ["0001_schema.sql", "0002_claim_history.sql"] {
            let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations/postgres")
                .join(name);
            std::fs::copy(from, old.path().join(name)).unwrap();
        }
        let admin = PgPoolOptions::new().connect(&url).await.unwrap();
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        let options = PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new().connect_with(options).await.unwrap();
        sqlx::migrate::Migrator::new(old.path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        for (tenant, task, number, id) in [
            ("t1", "task_a", 1, "evt_1"),
            ("t2", "task_b", 1, "evt_1"),
            ("t1", "task_a", 2, "evt_2"),
        ] {
            sqlx::query(
                "INSERT INTO imported_events (tenant_id, environment_id, task_id, record_number, \
                 event_id, event_name, external_customer_id, timestamp, properties) \
                 VALUES ($1, 'e', $2, $3, $4, 'api_call', 'c', '2026-01-01T00:00:00Z', '{}')",
            )
            .bind(tenant)
            .bind(task)
            .bind(number)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;

        let store = PostgresStore::connect(&url, Some(&schema)).await.unwrap();
        let events = Schema::of(flexprice_api::EntityType::Events);
        let scope = |tenant: &str| Scope {
            tenant_id: tenant.to_owned(),
            environment_id: "e".to_owned(),
        };
        let ids = |page: RecordPage| -> Vec<String> {
            page.records
                .iter()
                .map(|cells| cells[0].as_text().unwrap_or_default().into_owned())
                .collect()
        };
        let first = store
            .records_page(&scope("t1"), events, &RecordCursor::default(), 10)
            .await
            .unwrap();
        assert_eq!(ids(first.clone()), ["evt_1", "evt_2"]);
        let rest = store
            .records_page(&scope("t1"), events, &first.last, 10)
            .await
            .unwrap();
        assert!(rest.records.is_empty());
        let other = store
            .records_page(&scope("t2"), events, &RecordCursor::default(), 10)
            .await
            .unwrap();
        assert_eq!(ids(other), ["evt_1"]);

        // The (task, record number) rule holds across the upgrade: task_a's
        // record 2 read again is recognised, not stored.
        let now = crate::domain::now();
        let mut task = crate::store::conformance::pending("task_a");
        task.scope = scope("t1");
        store.insert_task(&task).await.unwrap();
        let claimed = store
            .claim_next("w1", now, now)
            .await
            .unwrap()
            .expect("the task is claimed");
        let claim = crate::store::conformance::claim(&claimed.task, "w1");
        let mut seen = ChunkWrite::default();
        let record = StagedRecord {
            number: 2,
            cells: vec![
                Cell::Text("evt_2".to_owned()),
                Cell::Text("api_call".to_owned()),
                Cell::Text("c".to_owned()),
                Cell::Null,
                Cell::Text("2026-01-01T00:00:00Z".to_owned()),
                Cell::Null,
                Cell::Text("{}".to_owned()),
            ],
        };
        assert!(
            store
                .write_import_chunk(&claim, events, &[record], |write| {
                    seen = write.clone();
                    Progress::default()
                })
                .await
                .unwrap()
        );
        assert_eq!(seen.already_stored, 1, "{seen:?}");
        assert_eq!(seen.stored, 0, "{seen:?}");
        sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .unwrap();
    }
}
