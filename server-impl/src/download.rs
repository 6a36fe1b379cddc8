//! Serves export files behind signed links (see [`crate::links`]): no API key,
//! the signature is the permission. A tampered link is a 403 and an expired
//! one a 410, each with an `ErrorResponse` body.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flexprice_api::ErrorCode;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::api::{Api, error_body};
use crate::domain;
use crate::files::storage::content_disposition;
use crate::links::{EXPORTS_PATH, LinkError};
use crate::store::TaskStore;

pub fn router<S: TaskStore>(api: Arc<Api<S>>) -> axum::Router {
    axum::Router::new()
        .route(&format!("{EXPORTS_PATH}/{{task_id}}"), get(serve::<S>))
        .with_state(api)
}

fn refuse(status: StatusCode, code: ErrorCode, message: String) -> Response {
    (status, Json(error_body(code, status.as_u16(), message))).into_response()
}

async fn serve<S: TaskStore>(
    State(api): State<Arc<Api<S>>>,
    Path(task_id): Path<String>,
    RawQuery(query): RawQuery,
    request: Request<Body>,
) -> Response {
    let (mut expires, mut signature) = (None, None);
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "expires" => expires = Some(value.into_owned()),
            "signature" => signature = Some(value.into_owned()),
            _ => {}
        }
    }
    if let Err(err) = api.links.verify(
        &task_id,
        expires.as_deref(),
        signature.as_deref(),
        domain::now(),
    ) {
        let status = match err {
            LinkError::Tampered => StatusCode::FORBIDDEN,
            LinkError::Expired(_) => StatusCode::GONE,
        };
        return refuse(status, ErrorCode::PermissionDenied, err.to_string());
    }
    let no_file = || {
        refuse(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("export task {task_id} has no file to download"),
        )
    };
    let task = match api.service.store().find_task(&task_id).await {
        Ok(Some(task)) => task,
        Ok(None) => return no_file(),
        Err(err) => {
            tracing::error!(error = %err, "storage failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Database,
                "the task store failed".to_owned(),
            );
        }
    };
    let key = match api.export_file(&task).await {
        Ok(Some(key)) => key,
        Ok(None) => return no_file(),
        Err(err) => {
            tracing::error!(error = %err, "the file store failed");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "the file store failed".to_owned(),
            );
        }
    };
    // A local file is served with ranges and validators; an object in a
    // bucket (links are normally its own presigned URLs) is streamed.
    let mut response = match api.files.local_path(&key) {
        Some(path) => match ServeFile::new(&path).oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        },
        None => match api.files.read(&key).await {
            Ok(stream) => Body::from_stream(stream).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "the file store failed");
                return no_file();
            }
        },
    };
    let name = task.file_name.unwrap_or_else(|| task.id.clone());
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&name)) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
