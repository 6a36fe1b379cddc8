//! The Tasks service behind the generated `TasksApi`, in layers:
//! HTTP ([`api`], [`download`]) → rules ([`service`], [`records`]) →
//! storage ([`store`]), the background [`worker`] and [`files`], with
//! [`auth`] (hashed API keys), [`ssrf`] (the import URL guard) and [`links`]
//! (signed download links) beside them.

pub mod api;
pub mod auth;
pub mod config;
pub mod domain;
pub mod download;
pub mod files;
pub mod health;
pub mod keys;
pub mod links;
pub mod metrics;
pub mod records;
pub mod serve;
pub mod service;
pub mod ssrf;
pub mod store;
pub mod worker;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, Request};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::{Config, KeysCommand};
use crate::files::fetch::FetchLimits;
use crate::files::storage::FileStore;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{StoreError, TaskStore, WorkStore};
use crate::worker::{WorkerConfig, Workers};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Config(String),
    #[error("cannot create the link-signing secret: {0}")]
    Secret(String),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// A started server.
pub struct Running {
    pub address: SocketAddr,
    pub database_url: String,
    /// The development key created on this start, if one was.
    pub dev_key: Option<String>,
    readiness: health::Readiness,
    drain: Duration,
    /// How long requests in flight, then runs in progress, may take to end.
    grace: Duration,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<()>,
    workers: Workers,
}

impl Running {
    /// Stops in order: `/readyz` answers 503 and the workers claim nothing
    /// more (a running task stops at its next committed chunk and is
    /// released, for any process to resume); new connections are still
    /// served for the drain period, so a load balancer sees the change;
    /// then the listener closes and requests in flight get the grace period
    /// before what is still open is closed, as do runs in progress before
    /// they are abandoned.
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.readiness.stopping();
        self.workers.begin_stop();
        if !self.drain.is_zero() {
            tracing::info!(drain = ?self.drain, "stopping: unready, still serving while the load balancer notices");
            tokio::time::sleep(self.drain).await;
        }
        let _ = self.shutdown.send(());
        let (served, ()) = tokio::join!(self.server, self.workers.stop(self.grace));
        served.map_err(std::io::Error::other)
    }
}

/// The database a configuration names.
pub enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Creates the data directory and opens the database its URL names
/// (`sqlite:` or `postgres:`), applying migrations.
pub async fn open_store(config: &Config) -> Result<Backend, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let url = config.database_url();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let schema = config.database_schema.as_deref();
        return Ok(Backend::Postgres(
            PostgresStore::connect(&url, schema).await?,
        ));
    }
    if config.database_schema.is_some() {
        return Err(StartError::Config(
            "--database-schema is for PostgreSQL databases only".to_owned(),
        ));
    }
    if url.starts_with("sqlite:") {
        return Ok(Backend::Sqlite(SqliteStore::connect(&url).await?));
    }
    Err(StartError::Config(format!(
        "the database URL must start with sqlite: or postgres://, not `{}`",
        url.split(':').next().unwrap_or_default()
    )))
}

/// Runs a `keys` command; returns what it prints.
pub async fn run_keys_command(
    config: &Config,
    command: &KeysCommand,
) -> Result<String, Box<dyn std::error::Error>> {
    Ok(match open_store(config).await? {
        Backend::Sqlite(store) => keys::run(&store, command).await?,
        Backend::Postgres(store) => keys::run(&store, command).await?,
    })
}

/// Opens storage, installs keys, binds and serves.
pub async fn start(config: &Config) -> Result<Running, StartError> {
    match open_store(config).await? {
        Backend::Sqlite(store) => start_on(store, config).await,
        Backend::Postgres(store) => {
            if config.file_store.is_none() {
                tracing::warn!(
                    data_dir = %config.data_dir.display(),
                    "exports are files under --data-dir: replicas on this database must share \
                     that directory, or use --file-store s3://…"
                );
            }
            start_on(store, config).await
        }
    }
}

/// Installs keys, binds and serves over `store`.
async fn start_on<S>(store: S, config: &Config) -> Result<Running, StartError>
where
    S: TaskStore + WorkStore + Clone,
{
    let database_url = config.database_url();
    let files = FileStore::open(
        config.file_store.as_deref(),
        &config.file_store_options(),
        &config.data_dir,
    )
    .map_err(StartError::Config)?;
    let installed = keys::install(&store, &config.api_keys).await?;
    if installed.removed > 0 {
        tracing::info!(
            removed = installed.removed,
            "API keys of earlier starts that the configuration no longer lists stop working"
        );
    }
    let dev_key = installed.dev_key;
    let secret = store
        .secret(
            "export-links",
            links::fresh_secret().map_err(StartError::Secret)?,
        )
        .await?;

    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            address: config.bind,
            source,
        })?;
    let address = listener.local_addr().map_err(|source| StartError::Bind {
        address: config.bind,
        source,
    })?;

    let policy = ssrf::ImportUrlPolicy {
        allowed_hosts: config.allow_import_hosts.clone(),
    };
    let wake = Arc::new(Notify::new());
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let api = Arc::new(api::Api {
        service: service::TaskService::new(store.clone(), policy.clone(), Arc::clone(&wake)),
        links: links::LinkSigner::new(
            secret,
            &public_url,
            Duration::from_secs(config.export_link_ttl_secs),
        ),
        files: files.clone(),
        key_usage: auth::KeyUsage::default(),
    });
    let probe_store = store.clone();
    let workers = Workers::start(
        store,
        WorkerConfig {
            workers: config.workers,
            lease: Duration::from_secs(config.worker_lease_secs),
            fetch: FetchLimits {
                max_bytes: config.import_max_bytes,
                timeout: Duration::from_secs(config.import_timeout_secs),
            },
            import_urls: policy,
            files,
            chunk_size: 1000,
        },
        wake,
    );

    let request_id = HeaderName::from_static("x-request-id");
    let readiness = health::Readiness::new();
    let router = flexprice_api::server::router(Arc::clone(&api))
        .merge(download::router(api))
        .merge(health::router(probe_store.clone(), readiness.clone()))
        .merge(metrics::router(probe_store))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid));
    let (shutdown, stop) = oneshot::channel::<()>();
    let limits = serve::ServeLimits {
        header_timeout: Duration::from_secs(config.header_timeout_secs),
        body_timeout: Duration::from_secs(config.body_timeout_secs),
        max_connections: config.max_connections as usize,
        shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
    };
    let server = tokio::spawn(serve::serve(listener, router, limits, async {
        let _ = stop.await;
    }));
    Ok(Running {
        address,
        database_url,
        dev_key,
        readiness,
        drain: Duration::from_secs(config.shutdown_drain_secs),
        grace: Duration::from_secs(config.shutdown_grace_secs),
        shutdown,
        server,
        workers,
    })
}
