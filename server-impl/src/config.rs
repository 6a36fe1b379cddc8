//! Configuration by flags and environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::Scope;

/// The Flexprice Tasks service: asynchronous import and export tasks over the generated API.
#[derive(Debug, Clone, Parser)]
#[command(name = "server-impl", version, about)]
pub struct Config {
    /// Without a command the service runs.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "TASKS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory for the database (unless --database-url says otherwise); created if absent.
    #[arg(long, env = "TASKS_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`
    /// [default: sqlite://<data-dir>/tasks.db].
    #[arg(long, env = "TASKS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Where export files and imports' staged copies are kept: `s3://BUCKET[/PREFIX]` for an
    /// S3-compatible bucket (credentials from --file-store-option or the AWS_* variables)
    /// [default: files under --data-dir].
    #[arg(long, env = "TASKS_FILE_STORE")]
    pub file_store: Option<String>,

    /// An option of the bucket, as KEY=VALUE with object_store's S3 keys: endpoint, region,
    /// access_key_id, secret_access_key, allow_http, …; repeat the flag (or separate with
    /// commas in the variable) for more.
    #[arg(long = "file-store-option", env = "TASKS_FILE_STORE_OPTIONS", value_delimiter = ',',
          value_parser = parse_option)]
    pub file_store_options: Vec<StoreOption>,

    /// PostgreSQL only: the schema holding the service's tables (created if absent)
    /// [default: the connection's search path, normally `public`].
    #[arg(long, env = "TASKS_DATABASE_SCHEMA", global = true)]
    pub database_schema: Option<String>,

    /// An API key to accept, as KEY=TENANT/ENVIRONMENT; repeat the flag (or separate with commas
    /// in the variable) for more. Keys are stored hashed. When given, these are the whole set of
    /// configured keys: keys of earlier starts that are not listed, and the development key, stop
    /// working (keys from `keys add` stay). With none given and none stored, a development key is
    /// created on first start and printed.
    #[arg(long = "api-key", env = "TASKS_API_KEYS", value_delimiter = ',', value_parser = parse_api_key)]
    pub api_keys: Vec<ApiKeySpec>,

    /// A host (`host` or `host:port`) that imports may fetch from although it is private or plain
    /// http. For local development and tests only: it bypasses the SSRF guard for that host.
    #[arg(
        long = "allow-import-host",
        env = "TASKS_ALLOW_IMPORT_HOSTS",
        value_delimiter = ','
    )]
    pub allow_import_hosts: Vec<String>,

    /// Largest import file accepted, in bytes; a bigger download fails the task.
    #[arg(long, env = "TASKS_IMPORT_MAX_BYTES", default_value_t = 256 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub import_max_bytes: u64,

    /// Longest an import download may take, in seconds.
    #[arg(long, env = "TASKS_IMPORT_TIMEOUT_SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub import_timeout_secs: u64,

    /// How long a download link of an export stays valid, in seconds.
    #[arg(long, env = "TASKS_EXPORT_LINK_TTL_SECS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub export_link_ttl_secs: u64,

    /// The base URL clients reach this server at, used in download links
    /// [default: http://<listen address>].
    #[arg(long, env = "TASKS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Tasks the background worker processes at once. 0 runs no worker: tasks
    /// stay PENDING (for an API-only instance beside a worker instance).
    #[arg(long, env = "TASKS_WORKERS", default_value_t = 2)]
    pub workers: usize,

    /// Seconds a running task may go without a heartbeat from its process before
    /// another process resumes it (after a crash).
    #[arg(long, env = "TASKS_WORKER_LEASE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub worker_lease_secs: u64,

    /// Seconds a connection may take to send a request's head (also how long an idle
    /// keep-alive connection stays open).
    #[arg(long, env = "TASKS_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,

    /// Seconds a request body may take to arrive after its head; a slower one is refused (400).
    #[arg(long, env = "TASKS_BODY_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,

    /// Connections open at once; more wait in the listen backlog.
    #[arg(long, env = "TASKS_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Seconds after a stop signal during which /readyz answers 503 but requests are still
    /// served, so a load balancer stops sending traffic first (set it to its check interval).
    #[arg(long, env = "TASKS_SHUTDOWN_DRAIN_SECS", default_value_t = 0)]
    pub shutdown_drain_secs: u64,

    /// Seconds requests in flight and running tasks get to finish once the listener is
    /// closed; connections still open then are closed and runs abandoned (an uncommitted
    /// chunk is read again by whoever resumes the task).
    #[arg(long, env = "TASKS_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// Commands beside running the service.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Manage API keys in the database (the service may be running or not).
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum KeysCommand {
    /// Creates a key for a tenant and environment and prints it, once; it works until revoked.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        environment: String,
    },
    /// Lists stored keys (never the keys themselves): id, first characters, scope, origin,
    /// creation and last use.
    List {
        /// Only keys whose id starts with these hex digits.
        #[arg(long, default_value = "")]
        prefix: String,
    },
    /// Revokes a key, given as its id (at least 4 digits of it, matching one key) or as the key.
    Revoke { key: String },
}

impl Config {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("tasks.db").display()),
        }
    }

    /// `--file-store-option` flags as pairs.
    pub fn file_store_options(&self) -> Vec<(String, String)> {
        self.file_store_options
            .iter()
            .map(|option| option.0.clone())
            .collect()
    }
}

/// A `KEY=VALUE` option of the file store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOption(pub (String, String));

fn parse_option(text: &str) -> Result<StoreOption, String> {
    let (key, value) = text.split_once('=').ok_or("expected KEY=VALUE")?;
    let key = key.trim();
    if key.is_empty() {
        return Err("expected KEY=VALUE".to_owned());
    }
    Ok(StoreOption((key.to_owned(), value.trim().to_owned())))
}

/// A key and the scope it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeySpec {
    pub key: String,
    pub scope: Scope,
}

fn parse_api_key(text: &str) -> Result<ApiKeySpec, String> {
    let (key, scope) = text
        .split_once('=')
        .ok_or("expected KEY=TENANT/ENVIRONMENT")?;
    let (tenant, environment) = scope
        .split_once('/')
        .ok_or("expected KEY=TENANT/ENVIRONMENT")?;
    let (key, tenant, environment) = (key.trim(), tenant.trim(), environment.trim());
    if key.len() < 16 {
        return Err("an API key must be at least 16 characters long".to_owned());
    }
    if tenant.is_empty() || environment.is_empty() {
        return Err("tenant and environment must not be empty".to_owned());
    }
    Ok(ApiKeySpec {
        key: key.to_owned(),
        scope: Scope {
            tenant_id: tenant.to_owned(),
            environment_id: environment.to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_name_their_scope() {
        let spec = parse_api_key("0123456789abcdef=tenant_a/env_prod").unwrap();
        assert_eq!(spec.scope.tenant_id, "tenant_a");
        assert_eq!(spec.scope.environment_id, "env_prod");
        assert!(parse_api_key("short=t/e").is_err());
        assert!(parse_api_key("0123456789abcdef=tenant").is_err());
    }

    #[test]
    fn keys_commands_take_the_database_flags_after_them() {
        let config = Config::try_parse_from([
            "server-impl",
            "keys",
            "add",
            "--tenant",
            "t",
            "--environment",
            "e",
            "--data-dir",
            "/tmp/y",
        ])
        .unwrap();
        assert!(matches!(
            config.command,
            Some(Command::Keys(KeysCommand::Add { .. }))
        ));
        assert_eq!(config.database_url(), "sqlite:///tmp/y/tasks.db");
        assert!(Config::try_parse_from(["server-impl", "keys", "add", "--tenant", "t"]).is_err());
    }

    #[test]
    fn flags_parse_with_defaults() {
        let config = Config::try_parse_from(["server-impl", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite:///tmp/x/tasks.db");
    }
}
