//! The client side (`runtime::client`) against a real server on loopback.
#![cfg(feature = "client")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use codegen_runtime::client::{
    ClientError, IncomingResponse, OutgoingRequest, RetryPolicy, Transport, encode_path_segment,
};

/// A server that fails with 503 `failures` times, then echoes the request.
async fn serve(failures: usize) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buffer = vec![0; 8192];
                let read = stream.read(&mut buffer).await.unwrap();
                let request = String::from_utf8_lossy(&buffer[..read]).into_owned();
                let first_line = request.lines().next().unwrap_or_default().to_owned();
                let (status, body) = if attempt < failures {
                    ("503 Service Unavailable", String::new())
                } else {
                    let key = request
                        .lines()
                        .find_map(|line| line.strip_prefix("x-key: "))
                        .unwrap_or("-");
                    (
                        "200 OK",
                        format!(r#"{{"line":"{first_line}","key":"{key}"}}"#),
                    )
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(answer.as_bytes()).await.unwrap();
            });
        }
    });
    (format!("http://{address}/"), seen)
}

#[derive(Debug, serde::Deserialize)]
struct Echo {
    line: String,
    key: String,
}

#[tokio::test]
async fn requests_carry_path_query_and_credentials_and_retry_idempotent_ones() {
    let (base, seen) = serve(2).await;
    let mut transport = Transport::new(base);
    transport.set_retries(RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    });
    let request = OutgoingRequest::new(
        reqwest::Method::GET,
        format!("/things/{}", encode_path_segment("a b/c")),
    )
    .query(vec![("q", "x y".to_owned())])
    .header_credential("x-key", Some("k1"))
    .query_credential("unused", None);
    let response = transport.send::<()>(request).await.unwrap();
    assert_eq!(response.status, 200);
    let echo: Echo = response.json::<Echo, ()>().unwrap();
    assert_eq!(echo.line, "GET /things/a%20b%2Fc?q=x+y HTTP/1.1");
    assert_eq!(echo.key, "k1");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_post_is_not_retried_and_statuses_are_classified() {
    let (base, seen) = serve(1).await;
    let mut transport = Transport::new(base);
    transport.set_retries(RetryPolicy::default());
    let request = OutgoingRequest::new(reqwest::Method::POST, "/things".to_owned())
        .json_body::<_, String>("application/json", &serde_json::json!({"a": 1}))
        .unwrap();
    let response = transport.send::<String>(request).await.unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    let undocumented: Result<(), ClientError<String>> = response.undocumented();
    assert!(matches!(
        undocumented,
        Err(ClientError::Api { status: 503, .. })
    ));
    let documented: Result<(), ClientError<serde_json::Value>> =
        response.documented(IncomingResponse::json_or_null);
    match documented {
        Err(ClientError::Documented {
            status: 503, body, ..
        }) => assert!(body.is_null()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_bad_base_url_and_an_unreachable_server_are_errors_not_panics() {
    let transport = Transport::new("not a url".to_owned());
    let request = OutgoingRequest::new(reqwest::Method::GET, "/x".to_owned());
    let error = transport.send::<()>(request).await.unwrap_err();
    assert!(matches!(error, ClientError::InvalidRequest(_)), "{error}");
    assert_eq!(error.status(), None);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let transport = Transport::new(format!("http://{address}"));
    let request = OutgoingRequest::new(reqwest::Method::GET, "/x".to_owned());
    let error = transport.send::<()>(request).await.unwrap_err();
    assert!(matches!(error, ClientError::Transport(_)), "{error}");
}

#[test]
fn styled_path_segments_keep_their_separators_literal() {
    use codegen_runtime::client::styled_path_segment;
    use codegen_runtime::params::PathStyle;
    type Result = std::result::Result<String, ClientError<()>>;
    let items = |items: &[&str]| {
        items
            .iter()
            .map(|item| (*item).to_owned())
            .collect::<Vec<_>>()
    };
    let segment: Result =
        styled_path_segment("id", items(&["a b", "c"]), PathStyle::Matrix, true, true);
    assert_eq!(segment.unwrap(), ";id=a%20b;id=c");
    let segment: Result =
        styled_path_segment("id", items(&["x;y"]), PathStyle::Matrix, false, false);
    assert_eq!(segment.unwrap(), ";id=x%3By");
    let segment: Result =
        styled_path_segment("ids", items(&["1", "2"]), PathStyle::Label, true, false);
    assert_eq!(segment.unwrap(), ".1,2");
    // An item holding its separator, and dot segments, are refused.
    let refused: Result =
        styled_path_segment("ids", items(&["1.5", "2"]), PathStyle::Label, true, true);
    assert!(
        matches!(refused, Err(ClientError::InvalidRequest(message)) if message.contains("`1.5` holds `.`"))
    );
    let refused: Result =
        styled_path_segment("ids", items(&["a,b"]), PathStyle::Matrix, true, false);
    assert!(refused.is_err());
    for dots in ["", "."] {
        let refused: Result =
            styled_path_segment("id", items(&[dots]), PathStyle::Label, false, false);
        assert!(
            matches!(refused, Err(ClientError::InvalidRequest(_))),
            "{dots:?}"
        );
    }
    // A single value may hold any separator.
    let segment: Result = styled_path_segment("v", items(&["1.5"]), PathStyle::Label, false, false);
    assert_eq!(segment.unwrap(), ".1.5");
}

#[test]
fn text_responses_decode_as_utf_8_or_not_at_all() {
    let response = |body: &'static [u8]| IncomingResponse {
        status: 200,
        headers: reqwest::header::HeaderMap::new(),
        body: bytes::Bytes::from_static(body),
        stream: None,
    };
    assert_eq!(response("ünï".as_bytes()).text::<()>().unwrap(), "ünï");
    let broken = response(b"\xff").text::<()>().unwrap_err();
    assert!(
        matches!(&broken, ClientError::Decode { status: 200, message, .. }
            if message.contains("UTF-8")),
        "{broken:?}"
    );
}
