//! The crate generated from `codegen/tests/server-specs/validation.yaml`,
//! served over real HTTP: one request per rule and per location breaks it,
//! and the server answers 400 in the spec's error format naming the JSON
//! pointer and the rule, every failure of a body at once; the generated
//! client refuses to send a body that breaks a rule.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use codegen_snapshot_validation as validation;
use serde_json::{Value, json};
use validation::runtime::validate::Validate;

/// Serves `router` on a loopback port; the server stops with the test's runtime.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// Counts the calls that got through to the implementation.
#[derive(Default)]
struct Pets {
    calls: AtomicUsize,
}

const PET_ID: &str = "6f1c2a9e-3b5d-4c8e-9f0a-1b2c3d4e5f60";
const DOWN_ID: &str = "00000000-0000-4000-8000-000000000503";
const PANIC_ID: &str = "00000000-0000-4000-8000-000000000500";

const KEY: &str = "good-key";

impl validation::server::ApiHooks for Pets {
    type Principal = String;

    async fn authenticate_api_key_auth(&self, api_key: &str) -> Option<String> {
        (api_key == KEY).then(|| "keeper".to_owned())
    }
}

impl validation::server::PetsApi for Pets {
    async fn list_pets(
        &self,
        _headers: validation::ListPetsHeaders,
        cookies: validation::ListPetsCookies,
        _query: validation::ListPetsQuery,
    ) -> Result<validation::server::ListPetsReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // The cookies that arrived, as the name of a pet.
        let pets = match cookies.session {
            Some(session) => {
                let theme = cookies.theme.map(|theme| theme.to_string());
                let name = format!("{session}|{}", theme.unwrap_or_default());
                vec![serde_json::from_value(json!({"id": PET_ID, "name": name})).unwrap()]
            }
            None => Vec::new(),
        };
        Ok(validation::server::ListPetsReply::Ok(pets))
    }

    async fn create_pet(
        &self,
        _principal: String,
        body: validation::models::NewPet,
    ) -> Result<validation::server::CreatePetReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let pet =
            json!({"id": PET_ID, "name": body.name, "size": body.size, "priority": body.priority});
        let pet: validation::models::Pet = serde_json::from_value(pet).unwrap();
        Ok(validation::server::CreatePetReply::Created(pet))
    }

    async fn get_pet(
        &self,
        principal: Option<String>,
        path: validation::GetPetPath,
    ) -> Result<validation::server::GetPetReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if path.pet_id.to_string() == DOWN_ID {
            // A status the operation does not document, with the spec's error body.
            let mut body = validation::models::Error::new("the pet store is down".to_owned());
            body.code = Some("unavailable".to_owned());
            return Err(validation::server::HttpError::new(503, body));
        }
        assert_ne!(
            path.pet_id.to_string(),
            PANIC_ID,
            "a bug in the implementation"
        );
        // Who asked shows in the answer: the keeper sees the pet's motto.
        let mut pet = json!({"id": PET_ID, "name": "Rex"});
        if let Some(who) = principal {
            pet["motto"] = json!(format!("hello, {who}"));
        }
        let pet = serde_json::from_value(pet).unwrap();
        Ok(validation::server::GetPetReply::Ok(pet))
    }

    async fn get_owner(
        &self,
        path: validation::GetOwnerPath,
    ) -> Result<validation::server::GetOwnerReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let owner = validation::models::Owner {
            note: Some(path.name),
            ..Default::default()
        };
        Ok(validation::server::GetOwnerReply::Ok(owner))
    }

    async fn put_labels(
        &self,
        _body: Option<Vec<String>>,
    ) -> Result<validation::server::PutLabelsReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(validation::server::PutLabelsReply::NoContent)
    }

    async fn rename_pet(
        &self,
        _path: validation::RenamePetPath,
        _query: validation::RenamePetQuery,
        _body: validation::models::Name,
    ) -> Result<validation::server::RenamePetReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(validation::server::RenamePetReply::NoContent)
    }

    async fn every_rule(
        &self,
        _path: validation::EveryRulePath,
        _headers: validation::EveryRuleHeaders,
        _cookies: validation::EveryRuleCookies,
        _query: validation::EveryRuleQuery,
    ) -> Result<validation::server::EveryRuleReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(validation::server::EveryRuleReply::NoContent)
    }

    async fn create_account(
        &self,
        body: validation::models::Account,
    ) -> Result<validation::server::CreateAccountReply, validation::server::HttpError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        // The server sets what is read-only and never answers the password.
        let account = validation::models::Account {
            id: Some(format!("acc-{}", body.login)),
            login: body.login,
            password: None,
            created: Some(chrono::DateTime::UNIX_EPOCH),
        };
        Ok(validation::server::CreateAccountReply::Created(account))
    }
}

async fn start() -> (String, Arc<Pets>) {
    let pets = Arc::new(Pets::default());
    let base = serve(validation::server::router(pets.clone())).await;
    (base, pets)
}

/// Status and `message` of the spec's error body.
async fn send(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    (status, message)
}

fn with(field: &str, value: Value) -> Value {
    let mut pet = json!({"name": "Rex"});
    pet[field] = value;
    pet
}

#[tokio::test]
async fn every_body_rule_is_refused_with_its_pointer() {
    let (base, pets) = start().await;
    let http = reqwest::Client::new();
    let url = format!("{base}/pets");

    let valid = json!({
        "name": "Rex", "tags": ["a", "b"], "weight": 2.5, "age": 3, "size": 2,
        "email": "rex@pets.example", "homepage": "https://pets.example/rex",
        "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "host": "pets.example",
        "photo": "aGVsbG8=", "nickname": null, "owner": {"id": PET_ID, "contact": 7},
        "friends": [{"note": "x"}], "attributes": {"a": "short"}
    });
    let (status, message) = send(
        http.post(&url)
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .body(valid.to_string()),
    )
    .await;
    assert_eq!((status, message.as_str()), (201, ""));

    let cases = [
        (
            with("name", json!("")),
            "/name: must be at least 1 character long",
        ),
        (
            with("name", json!("123!!")),
            "/name: must match the pattern `^[A-Za-z]`",
        ),
        (
            with("name", json!("A".repeat(21))),
            "/name: must be at most 20 characters long",
        ),
        (
            with("tags", json!(["a", "b", "c", "d", "e", "f", "g"])),
            "/tags: must have at most 5 items",
        ),
        (
            with("tags", json!(["a", "a"])),
            "/tags: items must be unique",
        ),
        (
            with("tags", json!(["a", ""])),
            "/tags/1: must be at least 1 character long",
        ),
        (with("weight", json!(-5)), "/weight: must be greater than 0"),
        (
            with("weight", json!(0.3)),
            "/weight: must be a multiple of 0.5",
        ),
        (with("age", json!(50)), "/age: must be less than 50"),
        (
            with("size", json!(4)),
            "/size: `4` is not a valid NewPetSize; expected one of: 1, 2, 3",
        ),
        (
            with("email", json!("rex@")),
            "/email: must be a valid email",
        ),
        (
            with("homepage", json!("not a uri")),
            "/homepage: must be a valid uri",
        ),
        (
            with("ipv4", json!("192.0.2")),
            "/ipv4: must be a valid ipv4",
        ),
        (
            with("ipv6", json!("2001:db8:::1")),
            "/ipv6: must be a valid ipv6",
        ),
        (
            with("host", json!("-bad.example")),
            "/host: must be a valid hostname",
        ),
        (with("photo", json!("%%%")), "/photo: must be valid base64"),
        (
            with("nickname", json!("x")),
            "/nickname: must be at least 2 characters long",
        ),
        (
            with("owner", json!({})),
            "/owner: must have at least 1 property",
        ),
        (
            with("owner", json!({"id": PET_ID, "contact": 1, "note": "n"})),
            "/owner: must have at most 2 properties",
        ),
        (
            with("owner", json!({"contact": -1})),
            "/owner/contact: must be at least 0",
        ),
        (
            with("owner", json!({"contact": "nobody"})),
            "/owner/contact: must be a valid email",
        ),
        (
            with("friends", json!([{"note": "x"}, {"id": "x"}])),
            "/friends/1/id: UUID parsing failed",
        ),
        (
            with("attributes", json!({"a": "1", "b": "2", "c": "3"})),
            "/attributes: must have at most 2 properties",
        ),
        (
            with("attributes", json!({"a/b": "too long"})),
            "/attributes/a~1b: must be at most 5 characters long",
        ),
    ];
    for (body, expected) in cases {
        let (status, message) = send(
            http.post(&url)
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await;
        assert_eq!(status, 400, "{body}: {message}");
        assert!(message.starts_with("invalid request body: "), "{message}");
        assert!(message.contains(expected), "{body}: {message}");
    }
    // A null for a nullable field is no value to check.
    let (status, _) = send(
        http.post(&url)
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .body(with("nickname", Value::Null).to_string()),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        pets.calls.load(Ordering::SeqCst),
        2,
        "refused bodies never reach the handler"
    );
}

#[tokio::test]
async fn every_failure_of_a_body_is_named_at_once() {
    let (base, _) = start().await;
    let body = json!({"name": "", "tags": ["", ""], "age": 99, "email": "x"});
    let (status, message) = send(
        reqwest::Client::new()
            .post(format!("{base}/pets"))
            .header("x-api-key", KEY)
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        message,
        "invalid request body: /name: must be at least 1 character long; /name: must match the \
         pattern `^[A-Za-z]`; /tags: items must be unique (item 1 repeats an earlier one); /tags/0: must be at least 1 character \
         long; /tags/1: must be at least 1 character long; /age: must be less than 50; /email: \
         must be a valid email"
    );
    // Capped: twelve broken items, ten named.
    let labels = json!(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
    let (status, message) = send(
        reqwest::Client::new()
            .put(format!("{base}/labels"))
            .header("content-type", "application/json")
            .body(labels.to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with("invalid request body: must have at most 3 items; /0: must match"),
        "{message}"
    );
    assert!(message.ends_with(" (and 2 more)"), "{message}");
}

#[tokio::test]
async fn every_parameter_rule_is_refused() {
    let (base, pets) = start().await;
    let http = reqwest::Client::new();
    let cases = [
        (
            http.get(format!("{base}/pets?limit=0")),
            "query parameter `limit`: must be at least 5",
        ),
        (
            http.get(format!("{base}/pets?limit=7")),
            "query parameter `limit`: must be a multiple of 5",
        ),
        (
            http.get(format!("{base}/pets?limit=107")),
            "query parameter `limit`: must be at most 100; must be a multiple of 5",
        ),
        (
            http.get(format!("{base}/pets?name=1abc")),
            "query parameter `name`: must match the pattern `^[A-Za-z]`",
        ),
        (
            http.get(format!("{base}/pets?size=4")),
            "query parameter `size`: `4` is not a valid NewPetSize; expected one of: 1, 2, 3",
        ),
        (
            http.get(format!("{base}/pets"))
                .header("X-Request-Id", "not-a-uuid"),
            "header parameter `X-Request-Id`: `not-a-uuid` is not valid: invalid character: found `n` at 0",
        ),
        (
            http.get(format!("{base}/pets/not-a-uuid")),
            "path parameter `petId`: `not-a-uuid` is not valid: invalid character: found `n` at 0",
        ),
        (
            http.get(format!("{base}/pets"))
                .header("cookie", "theme=dark; session=short"),
            "cookie parameter `session`: must be at least 8 characters long",
        ),
        (
            http.get(format!("{base}/pets"))
                .header("cookie", "session=long-enough; theme=pink"),
            "cookie parameter `theme`: `pink` is not a valid ListPetsTheme; expected one of: light, dark",
        ),
        // Arrays: counted, unique, and each item checked at its index.
        (
            http.get(format!("{base}/pets?tag=a")),
            "query parameter `tag`: must have at least 2 items",
        ),
        (
            http.get(format!("{base}/pets?tag=a&tag=b&tag=c&tag=d")),
            "query parameter `tag`: must have at most 3 items",
        ),
        (
            http.get(format!("{base}/pets?tag=a&tag=a")),
            "query parameter `tag`: items must be unique (item 1 repeats an earlier one)",
        ),
        (
            http.get(format!("{base}/pets?tag=a&tag=toolong")),
            "query parameter `tag`: /1: must be at most 4 characters long",
        ),
        (
            http.get(format!("{base}/pets?ids=1,0,2")),
            "query parameter `ids`: must have at most 2 items; /1: must be at least 1",
        ),
        // `Name`'s own rules (minLength 1, maxLength 20, pattern).
        (
            http.get(format!("{base}/pets?owner=9lives")),
            "query parameter `owner`: must match the pattern `^[A-Za-z]`",
        ),
    ];
    for (request, expected) in cases {
        let (status, message) = send(request).await;
        assert_eq!((status, message.as_str()), (400, expected));
    }
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0);
    let (status, _) = send(
        http.get(format!("{base}/pets?limit=10&name=Rex&size=1"))
            .header("X-Request-Id", PET_ID),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(http.get(format!("{base}/pets/{PET_ID}"))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn every_failing_parameter_is_named_at_once() {
    let (base, pets) = start().await;
    let http = reqwest::Client::new();
    // Across locations (header, cookie, query) and within one (query).
    let (status, message) = send(
        http.get(format!("{base}/pets?limit=7&tag=a&owner=9"))
            .header("X-Request-Id", "nope")
            .header("cookie", "session=short"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        message,
        "header parameter `X-Request-Id`: `nope` is not valid: invalid character: found `n` at \
         0; cookie parameter `session`: must be at least 8 characters \
         long; query parameter `limit`: must be a multiple of 5; query parameter `tag`: must \
         have at least 2 items; query parameter `owner`: must match the pattern `^[A-Za-z]`"
    );
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0);
    let (status, _) = send(http.get(format!("{base}/pets?tag=a&tag=bb&ids=1,2&owner=Rex"))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn read_only_and_write_only_fields_are_required_in_neither_direction() {
    let (base, _pets) = start().await;
    let http = reqwest::Client::new();
    let post = |body: Value| {
        http.post(format!("{base}/accounts"))
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    // A request without the read-only `id` and `created` is served.
    let response = post(json!({"login": "ann", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        answer,
        json!({"id": "acc-ann", "login": "ann", "created": "1970-01-01T00:00:00Z"})
    );
    // Their rules still hold when they are sent.
    let (status, body) = send(post(json!({"login": "ann", "password": "short"}))).await;
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "invalid request body: /password: must be at least 8 characters long"
        )
    );
    // The client sends the write-only password and reads an answer without it.
    let client = validation::client::Client::new(&base);
    let account = validation::models::Account {
        id: None,
        login: "bob".to_owned(),
        password: Some("correct horse".to_owned()),
        created: None,
    };
    let created = client.create_account(&account).await.unwrap().into_inner();
    assert_eq!(
        (created.id.as_deref(), created.password),
        (Some("acc-bob"), None)
    );
}

/// `everyRule` with each parameter keeping its rules, but for `broken`:
/// `(location, rule, text)`, rules named `i`, `s`, `e`, `n` and `a`.
fn every_rule_request(
    http: &reqwest::Client,
    base: &str,
    broken: Option<(&str, char, &str)>,
) -> reqwest::RequestBuilder {
    const VALID: [(char, &str); 5] = [
        ('i', "4"),
        ('s', "abc"),
        ('e', "a@b.co"),
        ('n', "on"),
        ('a', "x,y"),
    ];
    let value = |location: &str, rule: char, valid: &str| -> String {
        match broken {
            Some((place, which, text)) if place == location && which == rule => text.to_owned(),
            _ => valid.to_owned(),
        }
    };
    let mut path = Vec::new();
    let mut query = Vec::new();
    let mut cookies = Vec::new();
    for (rule, valid) in VALID {
        path.push(value("path", rule, valid));
        let text = value("query", rule, valid).replace('@', "%40");
        // A query array is repeated (`qa=x&qa=y`), the others joined by `,`.
        if rule == 'a' {
            query.extend(text.split(',').map(|item| format!("qa={item}")));
        } else {
            query.push(format!("q{rule}={text}"));
        }
        cookies.push(format!("c{rule}={}", value("cookie", rule, valid)));
    }
    let mut request = http
        .get(format!(
            "{base}/rules/{}?{}",
            path.join("/"),
            query.join("&")
        ))
        .header("cookie", cookies.join("; "));
    for (rule, valid) in VALID {
        request = request.header(format!("h{rule}"), value("header", rule, valid));
    }
    request
}

#[tokio::test]
async fn each_rule_is_refused_in_each_location() {
    let (base, pets) = start().await;
    let http = reqwest::Client::new();
    let (status, message) = send(every_rule_request(&http, &base, None)).await;
    assert_eq!((status, message.as_str()), (204, ""));
    let cases = [
        ('i', "0", "must be at least 1"),
        ('i', "10", "must be less than 10"),
        ('i', "3", "must be a multiple of 2"),
        ('s', "a", "must be at least 2 characters long"),
        ('s', "abcdef", "must be at most 5 characters long"),
        ('s', "ab", "must match the pattern `^[a-z]+$`"),
        ('e', "nope", "must be a valid email"),
        (
            'n',
            "maybe",
            "`maybe` is not a valid EveryRulePn; expected one of: on, off",
        ),
        ('a', "x,y,z", "must have at most 2 items"),
        (
            'a',
            "x,x",
            "items must be unique (item 1 repeats an earlier one)",
        ),
        ('a', "x,long", "/1: must be at most 3 characters long"),
    ];
    let mut count = 0;
    for (location, prefix) in [
        ("path", 'p'),
        ("query", 'q'),
        ("header", 'h'),
        ("cookie", 'c'),
    ] {
        for (rule, text, expected) in cases {
            // A pattern case the others would not break: `ab` is valid, so
            // `ab1` breaks the pattern alone.
            let text = if expected.contains("pattern") {
                "ab1"
            } else {
                text
            };
            let request = every_rule_request(&http, &base, Some((location, rule, text)));
            let (status, message) = send(request).await;
            let wanted = format!("{location} parameter `{prefix}{rule}`: {expected}");
            assert_eq!((status, message.as_str()), (400, wanted.as_str()));
            count += 1;
        }
    }
    assert_eq!(count, 44);
    assert_eq!(pets.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn parameters_and_the_body_are_refused_together() {
    let (base, pets) = start().await;
    let http = reqwest::Client::new();
    let put = |path: &str, body: &str| {
        http.put(format!("{base}{path}"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let (status, message) = send(put("/pets/nope/name?lang=de", r#""9lives""#)).await;
    assert_eq!(status, 400);
    assert_eq!(
        message,
        "path parameter `petId`: `nope` is not valid: invalid character: found `n` at 0; query \
         parameter `lang`: `de` is not a valid RenamePetLang; expected one of: en, fr; invalid \
         request body: must match the pattern `^[A-Za-z]`"
    );
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0);
    let (status, _) = send(put(&format!("/pets/{PET_ID}/name?lang=fr"), r#""Rex""#)).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn cookies_go_in_one_header_and_come_back_decoded() {
    let (base, _) = start().await;
    let client = validation::client::Client::new(base.clone());
    let query = validation::ListPetsQuery::default();
    let pets = client
        .list_pets(
            None,
            Some("s3cr3t; =x"),
            Some(validation::models::ListPetsTheme::Dark),
            &query,
        )
        .await
        .unwrap();
    assert_eq!(pets[0].name, "s3cr3t; =x|dark");
    // Several `Cookie` headers (HTTP/2 splits them) are read as one.
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{base}/pets"))
        .header("cookie", "theme=light")
        .header("cookie", "session=%C3%A9t%C3%A9-long")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("été-long|light"), "{body}");
}

#[tokio::test]
async fn the_client_checks_parameters_before_sending_them() {
    let (base, pets) = start().await;
    let client = validation::client::Client::new(&base);
    let mut query = validation::ListPetsQuery {
        limit: Some(7),
        tag: vec!["a".to_owned(), "toolong".to_owned()],
        ..Default::default()
    };
    // A cookie argument and two fields of the query struct, all at once.
    let error = client
        .list_pets(None, Some("short"), None, &query)
        .await
        .unwrap_err();
    let validation::client::ClientError::InvalidParameters(refused) = &error else {
        panic!("expected InvalidParameters, got {error}");
    };
    assert_eq!(
        refused.to_string(),
        "cookie parameter `session`: must be at least 8 characters long; query parameter \
         `limit`: must be a multiple of 5; query parameter `tag`: /1: must be at most 4 \
         characters long"
    );
    // The same checks, for a caller who builds the struct ahead of time.
    assert_eq!(query.validate().unwrap_err().to_string(), {
        let text = refused.to_string();
        text.split_once("; ").unwrap().1.to_owned()
    });
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0);

    query.limit = Some(10);
    query.tag = vec!["a".to_owned(), "b".to_owned()];
    let listed = client
        .list_pets(None, Some("long-enough"), None, &query)
        .await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn the_client_checks_a_body_before_sending_it() {
    let (base, pets) = start().await;
    let client = validation::client::Client::new(&base).with_api_key(KEY);
    let mut pet: validation::models::NewPet =
        serde_json::from_value(json!({"name": "123", "tags": ["a", "a"]})).unwrap();
    let error = client.create_pet(&pet).await.unwrap_err();
    let validation::client::ClientError::InvalidBody(violations) = &error else {
        panic!("expected InvalidBody, got {error}");
    };
    let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/name", "/tags"]);
    assert!(
        error.to_string().contains("/name: must match the pattern"),
        "{error}"
    );
    let error = client
        .put_labels(Some(&vec!["a".to_owned(); 4]))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("must have at most 3 items"),
        "{error}"
    );
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0, "nothing was sent");

    // The same checks, on the model itself.
    assert!(pet.validate().is_err());
    pet.name = "Rex".to_owned();
    pet.tags = Some(vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(pet.validate(), Ok(()));
    let created = client.create_pet(&pet).await.unwrap();
    assert_eq!(created.name, "Rex");
    assert_eq!(pets.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn integer_enums_are_rust_enums_with_numbers_on_the_wire() {
    use validation::models::{NewPet, NewPetPriority, NewPetSize};
    let pet: NewPet =
        serde_json::from_value(json!({"name": "Rex", "size": 3, "priority": -1})).unwrap();
    assert_eq!(pet.size, Some(NewPetSize::V3));
    assert_eq!(pet.priority, Some(NewPetPriority::Minus1));
    assert_eq!(
        serde_json::to_value(&pet).unwrap(),
        json!({"name": "Rex", "size": 3, "priority": -1})
    );
    assert_eq!(NewPetSize::V2.value(), 2);
    assert_eq!(NewPetSize::V2.to_string(), "2");
    assert_eq!("2".parse::<NewPetSize>(), Ok(NewPetSize::V2));
    // The spec's default, by its number.
    let plain: NewPet = serde_json::from_value(json!({"name": "Rex"})).unwrap();
    assert_eq!(plain.priority_or_default(), NewPetPriority::V0);

    // Over HTTP: the client sends the numbers, the server reads them back.
    let (base, _) = start().await;
    let client = validation::client::Client::new(&base).with_api_key(KEY);
    let created = client.create_pet(&pet).await.unwrap();
    assert_eq!(
        (created.size, created.priority),
        (Some(NewPetSize::V3), Some(NewPetPriority::Minus1))
    );
    let query = validation::ListPetsQuery {
        size: Some(NewPetSize::V1),
        ..Default::default()
    };
    assert!(query.to_pairs().contains(&("size", "1".to_owned())));
    client.list_pets(None, None, None, &query).await.unwrap();
}

#[tokio::test]
async fn uuid_and_byte_formats_are_types() {
    use validation::runtime::formats::Base64;
    let mut pet: validation::models::NewPet =
        serde_json::from_value(json!({"name": "Rex", "photo": "aGVsbG8="})).unwrap();
    assert_eq!(pet.photo.as_deref(), Some(&b"hello"[..]));
    pet.photo = Some(Base64::new(*b"hi"));
    assert_eq!(serde_json::to_value(&pet).unwrap()["photo"], "aGk=");

    let (base, _) = start().await;
    let client = validation::client::Client::new(&base);
    let id = PET_ID.parse().unwrap();
    let got = client.get_pet(id).await.unwrap();
    assert_eq!(got.id, id);
    assert_eq!(got.id.to_string(), PET_ID);
}

#[tokio::test]
async fn any_status_and_a_panic_answer_in_the_error_format() {
    let (base, _) = start().await;
    let http = reqwest::Client::new();
    let (status, message) = send(http.get(format!("{base}/pets/{DOWN_ID}"))).await;
    assert_eq!((status, message.as_str()), (503, "the pet store is down"));

    // The handler panics: a 500 in the spec's format, not a dropped connection.
    let (status, message) = send(http.get(format!("{base}/pets/{PANIC_ID}"))).await;
    assert_eq!(
        (status, message.as_str()),
        (500, "the server failed while handling the request")
    );
    // And the server goes on serving.
    let (status, _) = send(http.get(format!("{base}/pets/{PET_ID}"))).await;
    assert_eq!(status, 200);

    let client = validation::client::Client::new(&base);
    let error = client.get_pet(DOWN_ID.parse().unwrap()).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
}

#[tokio::test]
async fn ids_that_would_change_the_path_are_refused_on_both_sides() {
    let (base, pets) = start().await;
    let client = validation::client::Client::new(&base);
    for id in ["", ".", ".."] {
        let error = client.get_owner(id).await.unwrap_err();
        assert!(
            matches!(error, validation::client::ClientError::InvalidRequest(_)),
            "{id:?}: {error}"
        );
    }
    assert_eq!(pets.calls.load(Ordering::SeqCst), 0, "nothing was sent");
    // URL parsers remove `%2E` segments too, so the request goes to the router as it is.
    let router = validation::server::router(Arc::new(Pets::default()));
    for (encoded, shown) in [("%2E", "."), ("%2E%2E", "..")] {
        let request = axum::http::Request::get(format!("/owners/{encoded}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body.to_bytes()).unwrap();
        assert_eq!(
            body["message"],
            format!("path parameter `name`: cannot be `{shown}`")
        );
    }
}

#[tokio::test]
async fn an_error_page_that_is_not_the_documented_media_type_is_undocumented() {
    // A proxy in front of the service answers with HTML.
    let proxy = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_REQUEST,
            [("content-type", "text/html")],
            "<html><body>400 Bad Request</body></html>",
        )
    });
    let base = serve(proxy).await;
    let client = validation::client::Client::new(&base);
    match client.get_pet(PET_ID.parse().unwrap()).await.unwrap_err() {
        validation::client::ClientError::Api { status, body, .. } => {
            assert_eq!(status, 400);
            assert!(body.contains("400 Bad Request"), "{body}");
        }
        other => panic!("expected Api, got {other}"),
    }
}

#[test]
fn defaults_of_optional_fields_apply_where_the_value_is_read() {
    let pet: validation::models::NewPet = serde_json::from_value(json!({"name": "Rex"})).unwrap();
    assert_eq!(pet.legs_or_default(), 4);
    assert_eq!(pet.kind_or_default(), validation::models::NewPetKind::Dog);
    assert!(!pet.adopted_or_default());
    assert_eq!(pet.motto_or_default(), "Good boy");
    let given: validation::models::NewPet =
        serde_json::from_value(json!({"name": "Tom", "legs": 3, "kind": "cat", "adopted": true}))
            .unwrap();
    assert_eq!(given.legs_or_default(), 3);
    assert_eq!(given.kind_or_default(), validation::models::NewPetKind::Cat);
    assert!(given.adopted_or_default());
    // What the client sends is what the caller set: the default is not written.
    assert_eq!(serde_json::to_value(&pet).unwrap(), json!({"name": "Rex"}));
}

#[tokio::test]
async fn optional_credentials_serve_anonymous_callers_and_refuse_bad_keys() {
    let (base, _) = start().await;
    let anonymous = validation::client::Client::new(&base);
    let pet = anonymous.get_pet(PET_ID.parse().unwrap()).await.unwrap();
    assert_eq!(pet.motto, None);
    let keeper = validation::client::Client::new(&base).with_api_key(KEY);
    let pet = keeper.get_pet(PET_ID.parse().unwrap()).await.unwrap();
    assert_eq!(pet.motto.as_deref(), Some("hello, keeper"));
    // A key that is given must be a good one.
    let stranger = validation::client::Client::new(&base).with_api_key("bad");
    assert_eq!(
        stranger
            .get_pet(PET_ID.parse().unwrap())
            .await
            .unwrap_err()
            .status(),
        Some(401)
    );
    // Where the spec has no `{}`, a key is required.
    let pet = serde_json::from_value(json!({"name": "Rex"})).unwrap();
    assert_eq!(
        anonymous.create_pet(&pet).await.unwrap_err().status(),
        Some(401)
    );
}
