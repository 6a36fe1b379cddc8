//! Probes for a load balancer or an orchestrator, outside the API's base path
//! and without a key: `/healthz` answers while the process serves, `/readyz`
//! only while the database answers with every migration applied and no stop
//! has begun (so traffic moves elsewhere before the process goes).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::store::TaskStore;

pub const HEALTH_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";

/// Whether this process takes new traffic; cleared when a stop begins.
#[derive(Debug, Clone)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn new() -> Readiness {
        Readiness(Arc::new(AtomicBool::new(true)))
    }

    pub fn stopping(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    pub fn is_serving(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness::new()
    }
}

struct Probe<S> {
    store: S,
    readiness: Readiness,
}

pub fn router<S: TaskStore>(store: S, readiness: Readiness) -> axum::Router {
    axum::Router::new()
        .route(HEALTH_PATH, get(|| async { Json(json!({"status": "ok"})) }))
        .route(READY_PATH, get(ready::<S>))
        .with_state(Arc::new(Probe { store, readiness }))
}

async fn ready<S: TaskStore>(State(probe): State<Arc<Probe<S>>>) -> (StatusCode, Json<Value>) {
    let unready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unready", "reason": reason})),
        )
    };
    if !probe.readiness.is_serving() {
        return unready("shutting down".to_owned());
    }
    match probe.store.migrations_applied().await {
        Ok(true) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Ok(false) => unready("database migrations are not all applied".to_owned()),
        Err(err) => unready(format!("database unreachable: {err}")),
    }
}
