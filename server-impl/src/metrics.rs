//! Prometheus metrics at `/metrics` (outside the API's base path, without a
//! key), through the `metrics` facade and its Prometheus exporter: requests
//! by operation and status with latency histograms, tasks by status and the
//! queue's depth (read from the database at each scrape, so every replica
//! reports the same), records imported, worker claims and lease takeovers.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use flexprice_api::TaskStatus;

use crate::store::TaskStore;

pub const METRICS_PATH: &str = "/metrics";

pub const REQUESTS: &str = "tasks_http_requests_total";
pub const REQUEST_SECONDS: &str = "tasks_http_request_duration_seconds";
pub const TASKS: &str = "tasks_tasks";
pub const QUEUE_DEPTH: &str = "tasks_queue_depth";
pub const RECORDS_IMPORTED: &str = "tasks_records_imported_total";
pub const CLAIMS: &str = "tasks_worker_claims_total";
pub const TAKEOVERS: &str = "tasks_worker_lease_takeovers_total";

/// Latency buckets, in seconds: a list answers in milliseconds, a slow
/// database in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use: `metrics` has one global
/// recorder, so every service started in a process shares it.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), BUCKETS)
            .map(|builder| builder.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Another recorder may be installed already (an embedding program's):
        // then this handle renders only what is recorded through it, and
        // nothing is, which the scrape shows as missing series.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "a metrics recorder was installed already; /metrics reports gauges only"
            );
        }
        handle
    })
}

/// Counts each request by operation (method and route template) and status,
/// and observes its latency.
pub async fn track(request: Request, next: Next) -> Response {
    let operation = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => "unmatched".to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "operation" => operation.clone(), "status" => status).increment(1);
    metrics::histogram!(REQUEST_SECONDS, "operation" => operation)
        .record(started.elapsed().as_secs_f64());
    response
}

pub fn router<S: TaskStore>(store: S) -> axum::Router {
    handle();
    axum::Router::new()
        .route(METRICS_PATH, get(scrape::<S>))
        .with_state(Arc::new(store))
}

async fn scrape<S: TaskStore>(State(store): State<Arc<S>>) -> Response {
    match store.task_tally().await {
        Ok(tally) => {
            // Every status, 0 when no task has it: a gauge keeps its last value.
            for status in TaskStatus::ALL {
                let count = tally
                    .by_status
                    .iter()
                    .find(|(name, _)| name == status.as_str())
                    .map_or(0, |(_, count)| *count);
                metrics::gauge!(TASKS, "status" => status.as_str()).set(count as f64);
            }
            metrics::gauge!(QUEUE_DEPTH).set(tally.waiting as f64);
        }
        Err(err) => {
            tracing::error!(error = %err, "metrics: counting tasks failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("database unreachable: {err}\n"),
            )
                .into_response();
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}
