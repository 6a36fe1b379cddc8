//! Three replica processes on one PostgreSQL database: any replica accepts
//! requests and any replica's workers take any task; when one replica dies
//! (kill -9) or stops (SIGTERM) in the middle of imports, the others finish
//! them, and every record is stored exactly once. Runs when
//! `TASKS_TEST_POSTGRES` names a database (as in CI); SQLite serves one
//! process only.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::files::Files;
use common::{KEY_A, POSTGRES_VARIABLE, signal, spawn_process, wait_finished, wait_until};
use flexprice_api::{CreateTaskRequest, EntityType, FileType, TaskStatus, TaskType};

const RECORDS: usize = 5000;
const FILES: usize = 4;

fn import(url: String) -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: EntityType::Events,
        file_type: FileType::Csv,
        file_url: url,
        task_type: TaskType::Import,
        file_name: None,
        metadata: None,
    }
}

/// Files of distinct events, each stalling after 2,500 records until the
/// gate opens (two chunks of 1,000 are committed by then).
fn event_files(files: &Files) {
    for file in 0..FILES {
        let mut csv = String::from("event_id,event_name,external_customer_id,timestamp\n");
        let mut split = 0;
        for n in 1..=RECORDS {
            csv.push_str(&format!(
                "evt_{file}_{n},api_call,cust_{file},2025-03-01T10:00:00Z\n"
            ));
            if n == 2500 {
                split = csv.len();
            }
        }
        let name = format!("events-{file}.csv");
        files.put(&name, csv);
        files.splits.lock().unwrap().insert(name, split);
    }
}

async fn replicas_finish_the_imports_of_one_that_goes(how: &str) {
    let Ok(url) = std::env::var(POSTGRES_VARIABLE) else {
        eprintln!("not run: {POSTGRES_VARIABLE} is not set (replicas need PostgreSQL)");
        return;
    };
    let files = Files::default();
    event_files(&files);
    let host = files.clone().serve().await;
    let shared = tempfile::tempdir().unwrap();
    let schema = format!(
        "replicas_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let args: Vec<String> = vec![
        "--database-url".into(),
        url,
        "--database-schema".into(),
        schema,
        "--data-dir".into(),
        shared.path().display().to_string(),
        "--api-key".into(),
        format!("{KEY_A}=tenant_a/env_prod"),
        "--allow-import-host".into(),
        host.clone(),
        "--workers".into(),
        "2".into(),
        "--worker-lease-secs".into(),
        "2".into(),
        "--shutdown-grace-secs".into(),
        "2".into(),
    ];
    let client = common::process_client;
    let file_url = |file: usize| format!("http://{host}/slow/events-{file}.csv");
    let stalled = |task: &flexprice_api::TaskResponse| task.processed_records == Some(2000);

    // The first replica alone takes the first two imports (it has two workers).
    let (mut first, first_address) = spawn_process(&args).await;
    let mut ids = Vec::new();
    for file in 0..2 {
        let created = client(first_address)
            .create_task(&import(file_url(file)))
            .await
            .unwrap();
        ids.push(created.id.clone().unwrap());
    }
    for id in &ids {
        wait_until(&client(first_address), id, stalled).await;
    }
    // Two more replicas; each accepts one import and takes it.
    let (_second, second_address) = spawn_process(&args).await;
    let (_third, third_address) = spawn_process(&args).await;
    for (file, address) in [(2, second_address), (3, third_address)] {
        let created = client(address)
            .create_task(&import(file_url(file)))
            .await
            .unwrap();
        ids.push(created.id.clone().unwrap());
    }
    for id in &ids[2..] {
        wait_until(&client(second_address), id, stalled).await;
    }

    // The first replica goes in the middle of its two imports.
    signal(&first, how);
    let status = tokio::time::timeout(Duration::from_secs(10), first.wait())
        .await
        .expect("the first replica ends")
        .unwrap();
    assert_eq!(status.success(), how == "-TERM", "{how}: {status:?}");
    files.open_gate();

    for id in &ids {
        let done = wait_finished(&client(third_address), id).await;
        assert_eq!(done.task_status, Some(TaskStatus::Completed), "{done:?}");
        let counts = (
            done.total_records,
            done.processed_records,
            done.successful_records,
            done.failed_records,
        );
        let n = Some(RECORDS as i64);
        assert_eq!(counts, (n, n, n, Some(0)), "{id} after {how}");
    }

    // The survivors report the takeovers: a killed replica's tasks wait out
    // its lease, a stopped one's are released and simply claimed.
    let mut takeovers = 0.0;
    for address in [second_address, third_address] {
        let text = reqwest::get(format!("http://{address}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        takeovers += text
            .lines()
            .find_map(|line| line.strip_prefix("tasks_worker_lease_takeovers_total "))
            .map_or(0.0, |value| value.trim().parse::<f64>().unwrap());
    }
    let expected = if how == "-KILL" { 2.0 } else { 0.0 };
    assert_eq!(takeovers, expected, "lease takeovers after {how}");

    // Exactly once: an export through any replica holds every event once.
    let export = CreateTaskRequest {
        task_type: TaskType::Export,
        file_type: FileType::Csv,
        file_url: "-".to_owned(),
        ..import(String::new())
    };
    let created = client(second_address).create_task(&export).await.unwrap();
    let id = created.id.clone().unwrap();
    let done = wait_finished(&client(second_address), &id).await;
    assert_eq!(done.task_status, Some(TaskStatus::Completed), "{done:?}");
    let link = client(third_address)
        .download_task_export(&id)
        .await
        .unwrap();
    let content = reqwest::get(link["download_url"].clone())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = content.lines().skip(1).collect();
    let distinct: BTreeSet<&str> = rows
        .iter()
        .map(|row| row.split(',').next().unwrap())
        .collect();
    assert_eq!(
        (rows.len(), distinct.len()),
        (FILES * RECORDS, FILES * RECORDS),
        "every event stored once"
    );
}

#[tokio::test]
async fn replicas_finish_the_imports_of_one_killed() {
    replicas_finish_the_imports_of_one_that_goes("-KILL").await;
}

#[tokio::test]
async fn replicas_finish_the_imports_of_one_stopped() {
    replicas_finish_the_imports_of_one_that_goes("-TERM").await;
}
