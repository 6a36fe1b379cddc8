//! The storage rules every backend must keep, run against each: SQLite
//! always, PostgreSQL when `TASKS_TEST_POSTGRES` names a database (as in CI).

use flexprice_api::{EntityType, FileType, Status, TaskStatus, TaskType};

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;
use super::{ChunkWrite, Claim, Progress, RecordCursor, StagedRecord, TaskStore, WorkStore};
use crate::domain::{self, Scope, Task};
use crate::records::{Cell, Schema};

/// Runs a rule against both backends, one test function each.
macro_rules! on_every_backend {
    ($($rule:ident),* $(,)?) => {$(
        mod $rule {
            #[tokio::test]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$rule(super::sqlite(&dir).await).await;
            }

            #[tokio::test]
            async fn postgres() {
                match super::postgres().await {
                    Some(store) => super::$rule(store).await,
                    None => eprintln!("not run on PostgreSQL: TASKS_TEST_POSTGRES is not set"),
                }
            }
        }
    )*};
}

on_every_backend!(
    a_claim_is_held_until_released_or_stale,
    chunks_store_each_record_once,
);

async fn sqlite(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    SqliteStore::connect(&url).await.unwrap()
}

/// A store in a fresh schema of the test database, if there is one.
async fn postgres() -> Option<PostgresStore> {
    let url = std::env::var("TASKS_TEST_POSTGRES").ok()?;
    let schema = format!("unit_{}", ulid::Ulid::generate().to_string().to_lowercase());
    Some(PostgresStore::connect(&url, Some(&schema)).await.unwrap())
}

fn scope() -> Scope {
    Scope {
        tenant_id: "t".to_owned(),
        environment_id: "e".to_owned(),
    }
}

pub(super) fn pending(id: &str) -> Task {
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

pub(super) fn claim(task: &Task, worker: &str) -> Claim {
    Claim {
        task_id: task.id.clone(),
        scope: task.scope.clone(),
        worker_id: worker.to_owned(),
        run_id: task.run_id.clone(),
    }
}

async fn a_claim_is_held_until_released_or_stale(store: impl TaskStore + WorkStore) {
    store.insert_task(&pending("task_1")).await.unwrap();
    let now = domain::now();
    let long_ago = now - chrono::Duration::hours(1);
    let task = store
        .claim_next("w1", now, long_ago)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.taken_from, None, "a pending task is nobody's");
    let task = task.task;
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
    let taken = taken.unwrap().unwrap();
    assert_eq!(taken.task.id, "task_1");
    assert_eq!(taken.taken_from.as_deref(), Some("w1"), "a lease takeover");
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
    assert_eq!(resumed.taken_from, None, "released, not taken over");
    let resumed = resumed.task;
    assert_eq!(
        resumed.started_at, task.started_at,
        "the run resumes, it does not restart"
    );
}

async fn chunks_store_each_record_once(store: impl TaskStore + WorkStore) {
    store.insert_task(&pending("task_1")).await.unwrap();
    let now = domain::now();
    let task = store
        .claim_next("w1", now, now)
        .await
        .unwrap()
        .unwrap()
        .task;
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
    let page = store
        .records_page(&scope(), schema, &RecordCursor::default(), 10)
        .await
        .unwrap();
    assert_eq!(page.records.len(), 2);
}
