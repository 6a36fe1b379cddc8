//! Slow clients and stops: a client that stalls in its request head or body
//! is cut off by the timeouts, connections are capped, a stop turns `/readyz`
//! unready while still serving, and SIGTERM ends the process within its grace
//! period even with a client that never finishes its request.

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
