//! The server side (`runtime::server`): credentials, bodies and responses.
#![cfg(feature = "server")]

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use codegen_runtime::request_error::RequestError;
use codegen_runtime::server::{
    Credentials, body_of, check_content_type, header_pairs, json_body, optional_body_of,
    optional_json_body, text,
};
use http_body_util::BodyExt;

fn headers(items: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in items {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn credentials_from_every_place() {
    let map = headers(&[
        ("x-api-key", " k1 "),
        ("authorization", "Bearer  t1"),
        ("cookie", "a=1; session=s1"),
    ]);
    let query = vec![("api_key".to_owned(), "q1".to_owned())];
    let credentials = Credentials::new(&map, &query);
    assert_eq!(credentials.header("x-api-key"), Some("k1"));
    assert_eq!(credentials.query("api_key"), Some("q1"));
    assert_eq!(credentials.cookie("session"), Some("s1"));
    assert_eq!(credentials.authorization("bearer"), Some("t1"));
    assert_eq!(credentials.authorization("basic"), None);
    assert_eq!(credentials.header("x-other"), None);
}

#[test]
fn header_pairs_keep_text_values_trimmed() {
    let mut map = headers(&[("x-a", " 1 ")]);
    map.append("x-b", HeaderValue::from_bytes(b"\xff").unwrap());
    assert_eq!(header_pairs(&map), [("x-a".to_owned(), "1".to_owned())]);
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Body {
    count: u32,
    #[serde(default)]
    items: Vec<std::collections::BTreeMap<String, u32>>,
}

#[test]
fn json_bodies_are_checked_and_name_the_field() {
    let json = headers(&[("content-type", "application/json; charset=utf-8")]);
    let body: Body = json_body(&json, Ok(Bytes::from_static(br#"{"count": 2}"#))).unwrap();
    assert_eq!(
        body,
        Body {
            count: 2,
            items: Vec::new()
        }
    );

    let error = json_body::<Body>(&json, Ok(Bytes::from_static(br#"{"count": -1}"#))).unwrap_err();
    let RequestError::InvalidBody { field, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(field.as_deref(), Some("/count"));
    // The place is a JSON pointer, as in the refusals of broken rules.
    let nested = br#"{"count": 1, "items": [{}, {"a/b": "x"}]}"#;
    let error = json_body::<Body>(&json, Ok(Bytes::from_static(nested))).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid request body: /items/1/a~1b: "),
        "{error}"
    );

    let text = headers(&[("content-type", "text/plain")]);
    let error = json_body::<Body>(&text, Ok(Bytes::from_static(b"{}"))).unwrap_err();
    assert_eq!(error.status(), 415);
    let error = json_body::<Body>(&json, Ok(Bytes::new())).unwrap_err();
    assert_eq!(error, RequestError::MissingBody);
    let nothing: Option<Body> = optional_json_body(&json, Ok(Bytes::new())).unwrap();
    assert_eq!(nothing, None);
    // `+json` media types are JSON too.
    let problem = headers(&[("content-type", "application/merge-patch+json")]);
    assert!(json_body::<Body>(&problem, Ok(Bytes::from_static(br#"{"count": 1}"#))).is_ok());
}

#[tokio::test]
async fn responses_carry_their_media_type() {
    let response = codegen_runtime::server::json_response_as(
        codegen_runtime::server::status(422),
        "application/problem+json",
        serde_json::json!({"title": "bad"}),
    );
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[..], br#"{"title":"bad"}"#);
    assert_eq!(codegen_runtime::server::status(1000), 500);
}

#[test]
fn content_types_match_media_types_and_ranges() {
    let typed = |value: &str| headers(&[("content-type", value)]);
    let ok =
        |value: &str, accepted: &'static str| check_content_type(&typed(value), accepted).is_ok();
    assert!(ok("image/png", "image/*"));
    assert!(ok("IMAGE/PNG; q=1", "image/*"));
    assert!(!ok("application/json", "image/*"));
    assert!(ok("text/plain; charset=utf-8", "text/plain; charset=utf-8"));
    assert!(ok("text/plain", "text/plain; charset=utf-8"));
    assert!(ok("text/csv", "text/plain, text/csv"));
    assert!(ok("anything/at-all", "*/*"));
    assert!(check_content_type(&HeaderMap::new(), "*/*").is_ok());
    let refused = check_content_type(&HeaderMap::new(), "text/plain").unwrap_err();
    assert_eq!(refused.status(), 415);
    assert!(refused.to_string().contains("`text/plain`"), "{refused}");
}

#[test]
fn an_empty_body_with_a_content_type_is_a_body() {
    let png = headers(&[("content-type", "image/png")]);
    let empty = || Ok(Bytes::new());
    assert_eq!(body_of(&png, empty(), "image/*").unwrap(), Bytes::new());
    assert_eq!(
        body_of(&HeaderMap::new(), empty(), "image/*").unwrap_err(),
        RequestError::MissingBody
    );
    assert_eq!(
        optional_body_of(&HeaderMap::new(), empty(), "image/*").unwrap(),
        None
    );
    assert_eq!(
        optional_body_of(&png, empty(), "image/*").unwrap(),
        Some(Bytes::new())
    );
}

#[test]
fn text_is_utf_8_or_refused() {
    let plain = |charset: &str| headers(&[("content-type", &format!("text/plain{charset}"))]);
    assert_eq!(text(&plain(""), Bytes::from("hé")).unwrap(), "hé");
    assert_eq!(
        text(&plain("; charset=UTF-8"), Bytes::from("hé")).unwrap(),
        "hé"
    );
    let latin = text(&plain("; charset=iso-8859-1"), Bytes::from_static(b"h\xe9")).unwrap_err();
    assert_eq!(latin.status(), 415);
    let broken = text(&plain(""), Bytes::from_static(b"h\xff")).unwrap_err();
    assert_eq!(broken.status(), 400);
    assert!(broken.to_string().contains("not UTF-8"), "{broken}");
}
