//! The crate generated from `codegen/tests/server-specs/security.yaml`,
//! served over real HTTP: every kind of security scheme (API keys in a
//! header, the query and a cookie; HTTP basic and bearer; OAuth 2 and OpenID
//! Connect with scopes) and every shape of requirement (AND, OR, optional,
//! none), driven by the generated client's setters and by raw requests that
//! leave out or break each credential. Refusals are 401 in the spec's error
//! format (`{code, message}`), naming what would have been accepted.

use std::sync::Arc;

use codegen_snapshot_security as security;
use reqwest::StatusCode;
use security::client::{Client, ClientError};
use security::models::Who;
use security::server::{
    ApiHooks, ByBasicReply, ByBearerReply, ByBothReply, ByCookieKeyReply, ByEitherReply,
    ByHeaderKeyReply, ByQueryKeyReply, DefaultApi, HttpError, MaybeSignedInReply, OpenReply,
    ReadPetsReply, ReadProfileReply, WritePetsReply,
};
use serde_json::Value;

/// Serves `router` on a loopback port; the server stops with the test's runtime.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

async fn start() -> String {
    serve(security::server::router(Arc::new(Service))).await
}

/// Accepts one credential per scheme; a principal says which scheme took it
/// and, for OAuth 2 and OpenID Connect, the scopes the hook was asked for.
struct Service;

impl ApiHooks for Service {
    type Principal = String;

    async fn authenticate_basic(&self, username: &str, password: &str) -> Option<String> {
        (username == "ann" && password == "open: sesame").then(|| format!("basic:{username}"))
    }

    async fn authenticate_bearer(&self, credentials: &str) -> Option<String> {
        (credentials == "jwt-1").then(|| format!("bearer:{credentials}"))
    }

    async fn authenticate_cookie_key(&self, api_key: &str) -> Option<String> {
        (api_key == "ck").then(|| format!("cookie:{api_key}"))
    }

    async fn authenticate_header_key(&self, api_key: &str) -> Option<String> {
        (api_key == "hk").then(|| format!("header:{api_key}"))
    }

    async fn authenticate_o_auth(&self, token: &str, scopes: &[&str]) -> Option<String> {
        let granted: &[&str] = match token {
            "reader" => &["read:pets"],
            "writer" => &["read:pets", "write:pets"],
            _ => return None,
        };
        scopes
            .iter()
            .all(|scope| granted.contains(scope))
            .then(|| format!("oauth:{token}:{}", scopes.join(" ")))
    }

    async fn authenticate_oidc(&self, token: &str, scopes: &[&str]) -> Option<String> {
        (token == "id-1" && scopes == ["profile"])
            .then(|| format!("oidc:{token}:{}", scopes.join(" ")))
    }

    async fn authenticate_query_key(&self, api_key: &str) -> Option<String> {
        (api_key == "qk").then(|| format!("query:{api_key}"))
    }
}

fn who(principal: impl Into<String>) -> Who {
    Who::new(principal.into())
}

impl DefaultApi for Service {
    async fn by_header_key(&self, principal: String) -> Result<ByHeaderKeyReply, HttpError> {
        Ok(ByHeaderKeyReply::Ok(who(principal)))
    }

    async fn by_query_key(&self, principal: String) -> Result<ByQueryKeyReply, HttpError> {
        Ok(ByQueryKeyReply::Ok(who(principal)))
    }

    async fn by_cookie_key(&self, principal: String) -> Result<ByCookieKeyReply, HttpError> {
        Ok(ByCookieKeyReply::Ok(who(principal)))
    }

    async fn by_basic(&self, principal: String) -> Result<ByBasicReply, HttpError> {
        Ok(ByBasicReply::Ok(who(principal)))
    }

    async fn by_bearer(&self, principal: String) -> Result<ByBearerReply, HttpError> {
        Ok(ByBearerReply::Ok(who(principal)))
    }

    async fn read_pets(&self, principal: String) -> Result<ReadPetsReply, HttpError> {
        Ok(ReadPetsReply::Ok(who(principal)))
    }

    async fn write_pets(&self, principal: String) -> Result<WritePetsReply, HttpError> {
        Ok(WritePetsReply::Ok(who(principal)))
    }

    async fn read_profile(&self, principal: String) -> Result<ReadProfileReply, HttpError> {
        Ok(ReadProfileReply::Ok(who(principal)))
    }

    async fn by_both(&self, principal: String) -> Result<ByBothReply, HttpError> {
        Ok(ByBothReply::Ok(who(principal)))
    }

    async fn by_either(&self, principal: String) -> Result<ByEitherReply, HttpError> {
        Ok(ByEitherReply::Ok(who(principal)))
    }

    async fn maybe_signed_in(
        &self,
        principal: Option<String>,
    ) -> Result<MaybeSignedInReply, HttpError> {
        Ok(MaybeSignedInReply::Ok(who(
            principal.unwrap_or_else(|| "anonymous".to_owned())
        )))
    }

    async fn open(&self) -> Result<OpenReply, HttpError> {
        Ok(OpenReply::Ok(who("nobody asked")))
    }
}

/// The principal a successful call reports.
fn principal<H>(
    result: Result<security::client::ResponseValue<Who, H>, ClientError<security::models::Error>>,
) -> String {
    match result {
        Ok(value) => value.into_inner().principal,
        Err(error) => panic!("the call failed: {error:?}"),
    }
}

#[tokio::test]
async fn the_client_sends_each_scheme_where_the_spec_puts_it() {
    let base = start().await;
    let client = Client::new(&base);
    let with = Client::clone;

    let header = with(&client).with_header_key("hk");
    assert_eq!(principal(header.by_header_key().await), "header:hk");
    let query = with(&client).with_query_key("qk");
    assert_eq!(principal(query.by_query_key().await), "query:qk");
    let cookie = with(&client).with_cookie_key("ck");
    assert_eq!(principal(cookie.by_cookie_key().await), "cookie:ck");
    // A colon in the password survives: only the first one separates.
    let basic = with(&client).with_basic("ann", "open: sesame");
    assert_eq!(principal(basic.by_basic().await), "basic:ann");
    let bearer = with(&client).with_bearer("jwt-1");
    assert_eq!(principal(bearer.by_bearer().await), "bearer:jwt-1");

    // The hook gets the scopes of the operation's requirement.
    let reader = with(&client).with_o_auth("reader");
    assert_eq!(
        principal(reader.read_pets().await),
        "oauth:reader:read:pets"
    );
    let writer = with(&client).with_o_auth("writer");
    assert_eq!(
        principal(writer.write_pets().await),
        "oauth:writer:read:pets write:pets"
    );
    let oidc = with(&client).with_oidc("id-1");
    assert_eq!(principal(oidc.read_profile().await), "oidc:id-1:profile");

    // AND: both credentials; the first scheme gives the principal.
    let both = with(&client).with_header_key("hk").with_bearer("jwt-1");
    assert_eq!(principal(both.by_both().await), "header:hk");
    // OR: either one.
    let by_query = with(&client).with_query_key("qk");
    assert_eq!(principal(by_query.by_either().await), "query:qk");
    let by_basic = with(&client).with_basic("ann", "open: sesame");
    assert_eq!(principal(by_basic.by_either().await), "basic:ann");
    // Optional: with or without.
    assert_eq!(principal(client.maybe_signed_in().await), "anonymous");
    let signed = with(&client).with_bearer("jwt-1");
    assert_eq!(principal(signed.maybe_signed_in().await), "bearer:jwt-1");
    // None needed, none sent.
    let open = client.open().await.expect("no credentials needed");
    assert_eq!(open.into_inner().principal, "nobody asked");
}

#[tokio::test]
async fn a_refusal_is_a_documented_401_for_the_client() {
    let base = start().await;
    // Without credentials, with wrong ones, with too few scopes.
    let results = [
        Client::new(&base).by_header_key().await,
        Client::new(&base)
            .with_header_key("nope")
            .by_header_key()
            .await,
        Client::new(&base)
            .with_basic("ann", "wrong")
            .by_basic()
            .await,
        Client::new(&base).with_o_auth("reader").write_pets().await,
    ];
    for result in results {
        match result {
            Err(ClientError::Documented { status, body, .. }) => {
                assert_eq!((status, body.code.as_str()), (401, "unauthorized"));
            }
            other => panic!("expected a documented 401, got {other:?}"),
        }
    }
}

/// A raw request's status and error body.
async fn raw(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    (status, body)
}

/// Asserts a 401 in the spec's error format with this message.
fn refused((status, body): (StatusCode, Value), message: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "unauthorized", "{body}");
    assert_eq!(
        body["message"],
        format!("missing or invalid credentials ({message})")
    );
}

#[tokio::test]
async fn each_missing_or_broken_credential_is_refused() {
    let base = start().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{base}{path}"));

    // API keys: missing, wrong, or in another place than the spec says.
    refused(raw(get("/header-key")).await, "HeaderKey");
    refused(
        raw(get("/header-key").header("x-api-key", "wrong")).await,
        "HeaderKey",
    );
    refused(raw(get("/header-key?X-Api-Key=hk")).await, "HeaderKey");
    refused(raw(get("/query-key")).await, "QueryKey");
    refused(
        raw(get("/query-key").header("api_key", "qk")).await,
        "QueryKey",
    );
    refused(
        raw(get("/cookie-key").header("cookie", "other=ck")).await,
        "CookieKey",
    );
    // Header names are case-insensitive; the right key in the right place passes.
    let (status, body) = raw(get("/header-key").header("x-api-key", "hk")).await;
    assert_eq!(
        (status, &body["principal"]),
        (StatusCode::OK, &"header:hk".into())
    );
    let (status, body) = raw(get("/cookie-key").header("cookie", "a=1; session=ck")).await;
    assert_eq!(
        (status, &body["principal"]),
        (StatusCode::OK, &"cookie:ck".into())
    );

    // Basic: not base64, no colon, another scheme, the right one.
    for authorization in ["Basic not-base64!", "Basic YW5u", "Bearer jwt-1"] {
        refused(
            raw(get("/basic").header("authorization", authorization)).await,
            "Basic",
        );
    }
    // `ann:open: sesame`, the scheme name in any case.
    let (status, body) =
        raw(get("/basic").header("authorization", "basic YW5uOm9wZW46IHNlc2FtZQ==")).await;
    assert_eq!(
        (status, &body["principal"]),
        (StatusCode::OK, &"basic:ann".into())
    );

    // Bearer: wrong token, empty token, a basic header.
    for authorization in ["Bearer jwt-2", "Bearer ", "Basic YW5uOm9wZW46IHNlc2FtZQ=="] {
        refused(
            raw(get("/bearer").header("authorization", authorization)).await,
            "Bearer",
        );
    }

    // Scopes: a reader token cannot write; an unknown token cannot read.
    refused(
        raw(http
            .post(format!("{base}/pets"))
            .header("authorization", "Bearer reader"))
        .await,
        "OAuth with scopes read:pets, write:pets",
    );
    refused(
        raw(get("/pets").header("authorization", "Bearer stranger")).await,
        "OAuth with scope read:pets",
    );
    refused(
        raw(get("/profile").header("authorization", "Bearer reader")).await,
        "Oidc with scope profile",
    );

    // AND: one of the two is not enough.
    refused(
        raw(get("/both").header("x-api-key", "hk")).await,
        "HeaderKey and Bearer",
    );
    refused(
        raw(get("/both").header("authorization", "Bearer jwt-1")).await,
        "HeaderKey and Bearer",
    );
    // OR: neither alternative.
    refused(raw(get("/either?api_key=nope")).await, "QueryKey or Basic");

    // Optional: no credentials is fine, wrong ones are not.
    let (status, body) = raw(get("/maybe")).await;
    assert_eq!(
        (status, &body["principal"]),
        (StatusCode::OK, &"anonymous".into())
    );
    refused(
        raw(get("/maybe").header("authorization", "Bearer wrong")).await,
        "Bearer",
    );
    let (status, _) = raw(get("/public").header("authorization", "Bearer wrong")).await;
    assert_eq!(status, StatusCode::OK);
}
