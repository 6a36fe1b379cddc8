//! Slow clients and stops: a client that stalls in its request head or body
//! is cut off by the timeouts, connections are capped, a stop turns `/readyz`
//! unready while still serving and claiming nothing more, and SIGTERM ends
//! the process within its grace period even with a client that never
//! finishes its request or a worker stuck in the database.

mod common;

use std::time::{Duration, Instant};

use common::{KEY_A, Service};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a connection and sends `bytes`, then nothing more.
async fn stalled(address: std::net::SocketAddr, bytes: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(bytes.as_bytes()).await.unwrap();
    stream
}

/// Everything the server sends until it closes the connection (at most 10 s).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

fn address(service: &Service) -> std::net::SocketAddr {
    service.running.as_ref().unwrap().address
}

#[tokio::test]
async fn a_client_stalling_in_its_request_head_is_closed() {
    let service = Service::start_with(&["--workers", "0", "--header-timeout-secs", "1"]).await;
    let started = Instant::now();
    let mut stream = stalled(address(&service), "GET /v1/tasks HTTP/1.1\r\nHost: x\r\n").await;
    read_to_close(&mut stream).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "closed late: {took:?}");

    // A connection that sends nothing at all is closed the same way.
    let mut silent = stalled(address(&service), "").await;
    read_to_close(&mut silent).await;
    service.stop().await;
}

#[tokio::test]
async fn a_client_stalling_in_its_body_is_refused_in_the_error_format() {
    let service = Service::start_with(&["--workers", "0", "--body-timeout-secs", "1"]).await;
    let head = format!(
        "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY_A}\r\n\
         content-type: application/json\r\ncontent-length: 200\r\nconnection: close\r\n\r\n{{\"task_"
    );
    let started = Instant::now();
    let mut stream = stalled(address(&service), &head).await;
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"validation_error\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    service.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_one() {
    let service = Service::start_with(&["--workers", "0", "--max-connections", "2"]).await;
    let healthz = format!("http://{}/healthz", address(&service));
    let first = stalled(address(&service), "").await;
    let _second = stalled(address(&service), "").await;
    // Let the server accept both before the third comes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    assert!(
        client.get(&healthz).send().await.is_err(),
        "a third connection is not served while two are open"
    );
    drop(first);
    let answer = reqwest::Client::new().get(&healthz).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    service.stop().await;
}

#[tokio::test]
async fn readyz_turns_unready_when_a_stop_begins_and_probes_need_no_key() {
    let mut service = Service::start_with(&["--workers", "0", "--shutdown-drain-secs", "2"]).await;
    let root = format!("http://{}", address(&service));
    let client = reqwest::Client::new();
    let health = client.get(format!("{root}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = client.get(format!("{root}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), r#"{"status":"ready"}"#);

    let running = service.running.take().unwrap();
    let stopping = tokio::spawn(running.shutdown());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = client.get(format!("{root}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.text().await.unwrap().contains("shutting down"));
    // Still serving during the drain period.
    let health = client.get(format!("{root}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    stopping.await.unwrap().unwrap();
    assert!(client.get(format!("{root}/healthz")).send().await.is_err());
}

/// Workers claim nothing once a stop begins, though the API still accepts
/// tasks during the drain period: those wait for the next start.
#[tokio::test]
async fn a_task_created_while_stopping_is_left_for_the_next_start() {
    let flags = ["--workers", "1", "--shutdown-drain-secs", "2"];
    let mut service = Service::start_with(&flags).await;
    let export = flexprice_api::CreateTaskRequest {
        entity_type: flexprice_api::EntityType::Customers,
        file_type: flexprice_api::FileType::Csv,
        file_url: "-".to_owned(),
        task_type: flexprice_api::TaskType::Export,
        file_name: None,
        metadata: None,
    };
    // Before the stop, a worker runs an export at once.
    let client = service.client(KEY_A);
    let before = client.create_task(&export).await.unwrap().into_inner();
    let done = common::wait_finished(&client, before.id.as_deref().unwrap()).await;
    assert_eq!(done.task_status, Some(flexprice_api::TaskStatus::Completed));

    let running = service.running.take().unwrap();
    let stopping = tokio::spawn(running.shutdown());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = client.create_task(&export).await.unwrap().into_inner();
    let id = during.id.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let waiting = client.get_task(&id).await.unwrap().into_inner();
    assert_eq!(
        waiting.task_status,
        Some(flexprice_api::TaskStatus::Pending),
        "{waiting:?}"
    );
    stopping.await.unwrap().unwrap();

    service.restart(&flags).await;
    let done = common::wait_finished(&service.client(KEY_A), &id).await;
    assert_eq!(done.task_status, Some(flexprice_api::TaskStatus::Completed));
    service.stop().await;
}

#[tokio::test]
async fn sigterm_ends_the_process_within_the_grace_period_despite_a_stalled_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = ["--workers", "0", "--header-timeout-secs", "120"]
        .map(str::to_owned)
        .into();
    args.extend(["--shutdown-grace-secs".to_owned(), "1".to_owned()]);
    args.extend(common::backend_args(dir.path()));
    args.extend(["--api-key".to_owned(), format!("{KEY_A}=tenant_a/env_prod")]);
    let (mut child, address) = common::spawn_process(args).await;
    let _stalled = stalled(address, "GET /v1/tasks HTTP/1.1\r\nHost: x\r\n").await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    common::signal(&child, "-TERM");
    let started = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the process exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// A worker stuck in the database (here: the task's row locked by someone
/// else while its chunk waits to be written) cannot hold the process past the
/// grace period either, and nothing is lost: another start resumes the task
/// and stores every record once. PostgreSQL only (`TASKS_TEST_POSTGRES`): a
/// row lock is how one there waits without end.
#[tokio::test]
async fn sigterm_ends_the_process_within_the_grace_period_despite_a_worker_stuck_in_the_database() {
    let Ok(url) = std::env::var(common::POSTGRES_VARIABLE) else {
        eprintln!(
            "not run: {} is not set (a row lock needs PostgreSQL)",
            common::POSTGRES_VARIABLE
        );
        return;
    };
    const RECORDS: usize = 20;
    let files = common::files::Files::default();
    let mut csv = String::from("event_id,event_name,external_customer_id,timestamp\n");
    let mut split = 0;
    for n in 1..=RECORDS {
        csv.push_str(&format!("evt_{n},api_call,cust_1,2025-03-01T10:00:00Z\n"));
        if n == 10 {
            split = csv.len();
        }
    }
    files.put("events.csv", csv);
    files
        .splits
        .lock()
        .unwrap()
        .insert("events.csv".to_owned(), split);
    let host = files.clone().serve().await;

    let dir = tempfile::tempdir().unwrap();
    let backend = common::backend_args(dir.path());
    let schema = backend
        .iter()
        .skip_while(|arg| *arg != "--database-schema")
        .nth(1)
        .cloned()
        .unwrap();
    let args = |lease: &str| {
        let mut args: Vec<String> = [
            "--workers",
            "1",
            "--shutdown-grace-secs",
            "1",
            "--worker-lease-secs",
            lease,
            "--allow-import-host",
            &host,
        ]
        .map(str::to_owned)
        .into();
        args.extend(backend.iter().cloned());
        args.extend(["--api-key".to_owned(), format!("{KEY_A}=tenant_a/env_prod")]);
        args
    };
    let (mut child, address) = common::spawn_process(args("60")).await;
    let client = common::process_client(address);
    let task = client
        .create_task(&flexprice_api::CreateTaskRequest {
            entity_type: flexprice_api::EntityType::Events,
            file_type: flexprice_api::FileType::Csv,
            file_url: format!("http://{host}/slow/events.csv"),
            task_type: flexprice_api::TaskType::Import,
            file_name: None,
            metadata: None,
        })
        .await
        .unwrap()
        .into_inner();
    let id = task.id.unwrap();
    // Claimed, its file half read: the chunk is written only at the end.
    common::wait_until(&client, &id, |t| {
        t.task_status == Some(flexprice_api::TaskStatus::Processing)
    })
    .await;
    let database = sqlx::PgPool::connect(&url).await.unwrap();
    let mut lock = database.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {schema}.tasks WHERE id = $1 FOR UPDATE"
    )))
    .bind(&id)
    .execute(&mut *lock)
    .await
    .unwrap();
    files.open_gate();
    // The worker now waits on the lock with its chunk.
    tokio::time::sleep(Duration::from_millis(500)).await;

    common::signal(&child, "-TERM");
    let started = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the process exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    lock.rollback().await.unwrap();

    // The abandoned task is taken over once its lease is out, and completes.
    let (mut child, address) = common::spawn_process(args("1")).await;
    let client = common::process_client(address);
    let done = common::wait_finished(&client, &id).await;
    assert_eq!(
        done.task_status,
        Some(flexprice_api::TaskStatus::Completed),
        "{done:?}"
    );
    assert_eq!(done.successful_records, Some(RECORDS as i64), "{done:?}");
    common::signal(&child, "-TERM");
    child.wait().await.unwrap();
}
