//! What the loopback tests share: keys, a started service, and helpers.
#![allow(dead_code)]

pub mod files;

use std::path::{Path, PathBuf};
use std::time::Duration;

use flexprice_api::client::{Client, ClientError};
use flexprice_api::{ErrorResponse, TaskResponse, TaskStatus};
use server_impl::config::Config;

pub const KEY_A: &str = "tenant-a-key-0123456789";
pub const KEY_A_STAGING: &str = "tenant-a-staging-key-0123";
pub const KEY_B: &str = "tenant-b-key-0123456789";

/// A service on a loopback port over a data directory of its own.
pub struct Service {
    pub dir: tempfile::TempDir,
    pub running: Option<server_impl::Running>,
    pub base: String,
}

impl Service {
    /// A service without a background worker: tasks stay where the API puts them.
    pub async fn start() -> Service {
        Service::start_with(&["--workers", "0"]).await
    }

    /// A service with `extra` flags after the test keys.
    pub async fn start_with(extra: &[&str]) -> Service {
        let dir = tempfile::tempdir().expect("temp dir");
        let running = start_in(dir.path(), extra).await;
        let base = base_url(&running);
        Service {
            dir,
            running: Some(running),
            base,
        }
    }

    /// Starts again over the same data directory.
    pub async fn restart(&mut self, extra: &[&str]) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("clean shutdown");
        }
        let running = start_in(self.dir.path(), extra).await;
        self.base = base_url(&running);
        self.running = Some(running);
    }

    pub fn client(&self, key: &str) -> Client {
        Client::new(&self.base).with_api_key(key)
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("clean shutdown");
        }
    }
}

fn base_url(running: &server_impl::Running) -> String {
    format!(
        "http://{}{}",
        running.address,
        flexprice_api::server::BASE_PATH
    )
}

async fn start_in(dir: &Path, extra: &[&str]) -> server_impl::Running {
    server_impl::start(&config(dir.to_path_buf(), extra))
        .await
        .expect("start")
}

/// The environment variable that runs these tests on PostgreSQL: a database
/// URL (`.ci/run` creates a database of its own and sets it).
pub const POSTGRES_VARIABLE: &str = "TASKS_TEST_POSTGRES";

/// The flags choosing the database of a service over `data_dir`: SQLite in
/// the directory by default; with `TASKS_TEST_POSTGRES` set, a schema of
/// that database named after the directory, so each test has its own tables
/// and a restart over the same directory finds them again.
pub fn backend_args(data_dir: &Path) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), data_dir.display().to_string()];
    if let Ok(url) = std::env::var(POSTGRES_VARIABLE) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        data_dir.hash(&mut hasher);
        args.extend([
            "--database-url".to_owned(),
            url,
            "--database-schema".to_owned(),
            format!("test_{:016x}", hasher.finish()),
        ]);
    }
    args
}

pub fn config(data_dir: PathBuf, extra: &[&str]) -> Config {
    use clap::Parser;
    let mut args = vec![
        "server-impl".to_owned(),
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--api-key".to_owned(),
        format!("{KEY_A}=tenant_a/env_prod"),
        "--api-key".to_owned(),
        format!("{KEY_A_STAGING}=tenant_a/env_staging"),
        "--api-key".to_owned(),
        format!("{KEY_B}=tenant_b/env_prod"),
    ];
    args.extend(backend_args(&data_dir));
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Config::try_parse_from(args).expect("config")
}

/// The body of a documented error answer with `status`.
pub fn documented<T: std::fmt::Debug>(
    result: Result<T, ClientError<ErrorResponse>>,
    status: u16,
) -> ErrorResponse {
    match result {
        Err(ClientError::Documented {
            status: got, body, ..
        }) if got == status => body,
        other => panic!("expected a documented {status}, got {other:?}"),
    }
}

/// Polls a task until it is COMPLETED or FAILED (or `check` says so).
pub async fn wait_until(
    client: &Client,
    id: &str,
    check: impl Fn(&TaskResponse) -> bool,
) -> TaskResponse {
    for _ in 0..600 {
        let task = client.get_task(id).await.expect("get task").into_inner();
        if check(&task) {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let task = client.get_task(id).await.expect("get task").into_inner();
    panic!("task {id} did not get there in 30 s: {task:?}");
}

pub async fn wait_finished(client: &Client, id: &str) -> TaskResponse {
    wait_until(client, id, |task| {
        matches!(
            task.task_status,
            Some(TaskStatus::Completed | TaskStatus::Failed)
        )
    })
    .await
}

/// The service as a process of its own (`server-impl` with `args`), and the
/// address it printed it listens on.
pub async fn spawn_process<I, S>(args: I) -> (tokio::process::Child, std::net::SocketAddr)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server-impl"))
        .args(["--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start server-impl");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines
        .next_line()
        .await
        .unwrap()
        .expect("server-impl printed where it listens");
    let address = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|address| address.parse().ok())
        .unwrap_or_else(|| panic!("no address in `{first}`"));
    // Keep reading stdout so the process never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

/// A client of the service process at `address`, with tenant A's key.
pub fn process_client(address: std::net::SocketAddr) -> Client {
    Client::new(format!(
        "http://{address}{}",
        flexprice_api::server::BASE_PATH
    ))
    .with_api_key(KEY_A)
}

/// Sends `signal` (`-TERM`, `-KILL`) to a process.
pub fn signal(child: &tokio::process::Child, signal: &str) {
    let pid = child.id().expect("a running process").to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill {signal} {pid}");
}
