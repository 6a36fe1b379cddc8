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
pub mod links;
pub mod records;
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

use crate::config::Config;
use crate::domain::Scope;
use crate::files::fetch::FetchLimits;
use crate::store::sqlite::SqliteStore;
use crate::store::{StoreError, TaskStore};
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
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    workers: Workers,
}

impl Running {
    /// Stops accepting connections and lets running requests finish, then
    /// stops the worker: a running task commits its current chunk and is
    /// released, to be resumed on the next start.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        let served = match self.server.await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        };
        self.workers.stop().await;
        served
    }
}

/// Stores configured keys; creates a development key when there is none at all.
async fn install_keys(store: &SqliteStore, config: &Config) -> Result<Option<String>, StoreError> {
    for spec in &config.api_keys {
        let hash = auth::hash_key(&spec.key);
        store
            .put_api_key(&hash, &spec.scope, &format!("api_key:{}", &hash[..8]))
            .await?;
    }
    if !config.api_keys.is_empty() || store.count_api_keys().await? > 0 {
        return Ok(None);
    }
    let key = auth::new_key();
    let hash = auth::hash_key(&key);
    let scope = Scope {
        tenant_id: "tenant_dev".to_owned(),
        environment_id: "env_dev".to_owned(),
    };
    store
        .put_api_key(&hash, &scope, &format!("api_key:{}", &hash[..8]))
        .await?;
    Ok(Some(key))
}

/// Opens storage, installs keys, binds and serves.
pub async fn start(config: &Config) -> Result<Running, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let database_url = config.database_url();
    let store = SqliteStore::connect(&database_url).await?;
    let dev_key = install_keys(&store, config).await?;
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
        exports_dir: config.exports_dir(),
    });
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
            exports_dir: config.exports_dir(),
            chunk_size: 1000,
        },
        wake,
    );

    let request_id = HeaderName::from_static("x-request-id");
    let router = flexprice_api::server::router(Arc::clone(&api))
        .merge(download::router(api))
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
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stop.await;
            })
            .await
    });
    Ok(Running {
        address,
        database_url,
        dev_key,
        shutdown,
        server,
        workers,
    })
}
