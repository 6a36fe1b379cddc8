//! A file server for imports on loopback (allow-listed, as the README says
//! to do in development).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Notify;

/// A file server for imports: `/files/{name}` whole (with a length),
/// `/stream/{name}` in pieces (without one), `/slow/{name}` stopping at a
/// split point until the gate opens, `/redirect` to a file.
#[derive(Clone, Default)]
pub struct Files {
    pub files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    pub splits: Arc<Mutex<BTreeMap<String, usize>>>,
    pub gate_open: Arc<AtomicBool>,
    pub gate: Arc<Notify>,
    pub requests: Arc<AtomicUsize>,
}

impl Files {
    pub fn put(&self, name: &str, content: impl Into<Vec<u8>>) {
        self.files
            .lock()
            .unwrap()
            .insert(name.to_owned(), content.into());
    }

    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.files.lock().unwrap().get(name).cloned()
    }

    pub fn open_gate(&self) {
        self.gate_open.store(true, Ordering::SeqCst);
        self.gate.notify_waiters();
    }

    pub async fn serve(self) -> String {
        let router = axum::Router::new()
            .route("/files/{name}", get(whole))
            .route("/stream/{name}", get(pieces))
            .route("/slow/{name}", get(slow))
            .route(
                "/redirect",
                get(|| async {
                    (
                        StatusCode::FOUND,
                        [(header::LOCATION, "/files/customers.csv")],
                    )
                }),
            )
            .with_state(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        address.to_string()
    }
}

async fn whole(State(files): State<Files>, Path(name): Path<String>) -> Response {
    match files.get(&name) {
        Some(content) => content.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn pieces(State(files): State<Files>, Path(name): Path<String>) -> Response {
    let Some(content) = files.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pieces: Vec<Result<Bytes, Infallible>> = content
        .chunks(1024)
        .map(|piece| Ok(Bytes::copy_from_slice(piece)))
        .collect();
    Body::from_stream(futures_util::stream::iter(pieces)).into_response()
}

async fn slow(State(files): State<Files>, Path(name): Path<String>) -> Response {
    let Some(content) = files.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if files.gate_open.load(Ordering::SeqCst) {
        return content.into_response();
    }
    let split = files.splits.lock().unwrap()[&name];
    let first = Bytes::copy_from_slice(&content[..split]);
    let rest = Bytes::copy_from_slice(&content[split..]);
    let stream = futures_util::stream::unfold(0, move |step| {
        let (files, first, rest) = (files.clone(), first.clone(), rest.clone());
        async move {
            match step {
                0 => Some((Ok::<_, Infallible>(first), 1)),
                1 => {
                    loop {
                        let opened = files.gate.notified();
                        if files.gate_open.load(Ordering::SeqCst) {
                            break;
                        }
                        opened.await;
                    }
                    Some((Ok(rest), 2))
                }
                _ => None,
            }
        }
    });
    Body::from_stream(stream).into_response()
}
