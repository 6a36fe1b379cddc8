//! Snapshot tests of the emitted server and client for focused specs in
//! `tests/server-specs/`:
//! - `operations`: path, query, header and body parameters, several status
//!   codes, literal beside parameter paths, API-key and bearer security next to
//!   none, bodiless and non-JSON responses;
//! - `parameters`: operations without `operationId`, parameter names that are
//!   not identifiers (`-`, `$filter`, `page[size]`, `part-no`), one name in path
//!   and query, a keyword as a name;
//! - `responses`: several content types (request and response), `default` and
//!   range (`4XX`) responses, `+json` media types, inline schemas in bodies,
//!   arrays and parameters;
//! - `hygiene`: parameters, fields, schemas, tags and operation ids named after
//!   the generator's own identifiers, Rust keywords and prelude names.
//!
//! Each spec's whole generated crate is kept in `tests/crates/<spec>/`, a
//! workspace member, so it is compiled and linted; its behaviour is tested in
//! the workspace's `tests/constructs.rs`.

use std::path::Path;

use codegen::emit::{Options, render_client, render_params, render_server};
use codegen::{load, lower};

fn lowered(name: &str) -> (codegen::ir::Api, Options) {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/server-specs/{name}.yaml"));
    let loaded = load::load_file(&spec).unwrap_or_else(|err| panic!("{err}"));
    let lowered = lower::lower(&loaded, &Default::default()).unwrap_or_else(|err| panic!("{err}"));
    let options = Options {
        crate_name: None,
        crate_version: None,
        unimplemented_defaults: false,
        exhaustive: false,
        unknown_enum_values: false,
        spec_label: format!("codegen/tests/server-specs/{name}.yaml"),
        out_label: "out".to_owned(),
        selection: Default::default(),
        types: Default::default(),
    };
    (lowered.api, options)
}

fn render(name: &str) -> String {
    let (api, options) = lowered(name);
    render_server(&api, &options).expect("renders")
}

#[test]
fn client_operations() {
    let (api, options) = lowered("operations");
    let client = render_client(&api, &options).expect("renders");
    assert!(client.contains("query: &params::ListItemsQuery,"));
    assert!(
        client.contains("Result<ResponseValue<Vec<models::Item>>, ClientError<models::Error>>")
    );
    assert!(client.contains("pub fn with_api_key(self, key: impl Into<String>) -> Self"));
    assert!(client.contains("pub fn with_bearer_token(self, key: impl Into<String>) -> Self"));
    assert!(client.contains("409 | 500..=599 =>"));
    insta::assert_snapshot!("client_operations", client);
}

#[test]
fn operations() {
    let server = render("operations");
    // The shapes the spec asks for, spelled out so a bad snapshot cannot hide them.
    assert!(server.contains("pub trait ItemsApi: ApiHooks"));
    assert!(server.contains("pub trait AdminApi: ApiHooks"));
    assert!(server.contains("pub fn router<A: AdminApi + ItemsApi>"));
    assert!(server.contains("Status5xx(axum::http::StatusCode, models::Error)"));
    assert!(server.contains("-> impl Future<Output = Result<ListItemsReply, HttpError>> + Send;"));
    assert!(server.contains("NoContent,"));
    assert!(server.contains("pub const BASE_PATH: &str = \"/base\";"));
    insta::assert_snapshot!("server_operations", server);
}

#[test]
fn parameters() {
    let (api, options) = lowered("parameters");
    let server = render_server(&api, &options).expect("renders");
    insta::assert_snapshot!("server_parameters", server);
    let params = render_params(&api, &options).expect("renders");
    // The shapes the spec asks for, spelled out so a bad snapshot cannot hide them.
    assert!(params.contains("pub struct GetThingsIdQuery {"));
    assert!(params.contains("pub struct GetThingsIdPath {"));
    assert!(params.contains("pub page_size: Option<i64>,"));
    assert!(params.contains("pub dash: Option<String>,"));
    assert!(params.contains("pub type_: String,"));
    assert!(params.contains("\"$filter\""));
    assert!(params.contains("\"page[size]\""));
    insta::assert_snapshot!("params_parameters", params);
    let client = render_client(&api, &options).expect("renders");
    assert!(client.contains("pub async fn get_things_id("));
    // A query parameter with a path parameter's name: a field of each struct, two arguments.
    assert!(client.contains("        id: &str,\n        x_request_id: Option<&str>,\n        query: &params::GetThingsIdQuery,"));
    assert!(client.contains("pub async fn get_things_id_parts_part_no("));
    insta::assert_snapshot!("client_parameters", client);
}

#[test]
fn responses() {
    let (api, options) = lowered("responses");
    let server = render_server(&api, &options).expect("renders");
    assert!(server.contains("Status4xx(axum::http::StatusCode, models::Problem),"));
    assert!(server.contains("Default(axum::http::StatusCode, models::Problem),"));
    assert!(server.contains("Created(params::CreateReportCreatedContent),"));
    assert!(server.contains("Ok(Vec<models::ListReportLinesResponse200Item>),"));
    assert!(server.contains("\"application/problem+json\""));
    insta::assert_snapshot!("server_responses", server);
    let client = render_client(&api, &options).expect("renders");
    assert!(
        client.contains(
            "\"application/json, application/xml, text/plain, application/problem+json\","
        )
    );
    assert!(client.contains("accept: Option<params::CreateReportMedia>,"));
    insta::assert_snapshot!("client_responses", client);
    let models = codegen::emit::render_models(&api, &options).expect("renders");
    assert!(models.contains("pub struct CreateReportBodySectionsItem {"));
    assert!(models.contains("pub enum CreateReportFormat {"));
    insta::assert_snapshot!("models_responses", models);
}

#[test]
fn hygiene() {
    let (api, options) = lowered("hygiene");
    let params = render_params(&api, &options).expect("renders");
    assert!(params.contains("pub plus_one: Option<String>,"));
    assert!(params.contains("pub minus_one: Option<String>,"));
    assert!(params.contains("pub self_: i64,"));
    assert!(params.contains("pub type_: Option<models::Type>,"));
    insta::assert_snapshot!("params_hygiene", params);
    let server = render_server(&api, &options).expect("renders");
    assert!(server.contains("fn new_2(\n"));
    assert!(server.contains("pub trait SelfApi: ApiHooks"));
    insta::assert_snapshot!("server_hygiene", server);
    let client = render_client(&api, &options).expect("renders");
    assert!(client.contains("pub async fn with_api_key_2("));
    insta::assert_snapshot!("client_hygiene", client);
    let models = codegen::emit::render_models(&api, &options).expect("renders");
    assert!(models.contains("PlusOne,"));
    assert!(models.contains("MinusOne,"));
    insta::assert_snapshot!("models_hygiene", models);
}

/// `tests/crates/<spec>/` is the whole crate generated from each spec, a
/// workspace member, so the emitted code is compiled and linted; this test
/// keeps them current (refresh with `CODEGEN_UPDATE_OUTPUT=1`).
#[test]
fn the_compiled_crates_are_current() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for name in [
        "bodies",
        "evolution",
        "headers",
        "hygiene",
        "operations",
        "parameters",
        "responses",
        "security",
        "types",
        "validation",
    ] {
        let spec = tests.join(format!("server-specs/{name}.yaml"));
        let out = tests.join(format!("crates/{name}"));
        let mut options =
            codegen::options_for_paths(&spec, &out, Some(format!("codegen-snapshot-{name}")));
        if name == "types" {
            options.types = types_mappings();
        }
        // Its description says it is generated so.
        options.unimplemented_defaults = name == "evolution";
        options.unknown_enum_values = name == "evolution";
        let generation = codegen::generate(&spec, &options).unwrap_or_else(|err| panic!("{err}"));
        if std::env::var_os("CODEGEN_UPDATE_OUTPUT").is_some() {
            codegen::write(&out, &generation).expect("write");
        }
        let drift = codegen::check(&out, &generation).expect("check");
        assert!(
            drift.is_empty(),
            "{} is stale ({:?}); run CODEGEN_UPDATE_OUTPUT=1 cargo test -p codegen --test server_snapshots",
            out.display(),
            drift.iter().map(codegen::Drift::path).collect::<Vec<_>>()
        );
    }
}

/// The mappings `types.yaml` is generated with (its description says them).
fn types_mappings() -> codegen::TypeMappings {
    let mut types = codegen::TypeMappings::default();
    types.add_crate("semver@1").unwrap();
    types.add_crate_feature("semver/serde").unwrap();
    types
        .add_type_map("format:ipv4=std::net::Ipv4Addr")
        .unwrap();
    types
        .add_type_map("schema:Version=semver::Version")
        .unwrap();
    types
}

#[test]
fn mapped_types_replace_generated_ones_and_say_what_they_drop() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/server-specs/types.yaml");
    let mut options = codegen::options_for_paths(&spec, Path::new("out"), None);
    options.types = types_mappings();
    let generation = codegen::generate(&spec, &options).unwrap_or_else(|err| panic!("{err}"));
    let file = |path: &str| {
        let file = generation.files.iter().find(|f| f.path == path);
        file.map(|f| f.contents.clone()).unwrap_or_default()
    };
    let models = file("src/models.rs");
    assert!(models.contains("pub version: semver::Version,"), "{models}");
    assert!(models.contains("pub at: chrono::NaiveTime,"), "{models}");
    assert!(
        models.contains("pub mirror: Option<std::net::Ipv4Addr>,"),
        "{models}"
    );
    assert!(models.contains("pub price: Option<String>,"), "{models}");
    assert!(
        !models.contains("pub type Version"),
        "a mapped schema is not generated"
    );
    let cargo = file("Cargo.toml");
    assert!(
        cargo.contains(r#"semver = { version = "1", features = ["serde"] }"#),
        "{cargo}"
    );
    assert!(cargo.contains("chrono = "), "{cargo}");
    assert!(
        cargo.contains("--type-map schema:Version=semver::Version"),
        "{cargo}"
    );
    let warnings: Vec<String> = generation
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("#/components/schemas/Version")
                && w.contains("mapped to `semver::Version`; its constraints are not checked")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(
            |w| w.contains("/price/x-rust-type") && w.contains("add --crate rust_decimal@1.36")
        ),
        "{warnings:#?}"
    );

    // A type map whose crate is not given stops generation.
    let mut missing = codegen::TypeMappings::default();
    missing
        .add_type_map("format:decimal=rust_decimal::Decimal")
        .unwrap();
    options.types = missing;
    let err = codegen::generate(&spec, &options).unwrap_err().to_string();
    assert!(err.contains("add --crate rust_decimal@VERSION"), "{err}");
    // And a schema the spec does not have.
    let mut unknown = types_mappings();
    unknown.add_type_map("schema:Nope=semver::Version").unwrap();
    options.types = unknown;
    let err = codegen::generate(&spec, &options).unwrap_err().to_string();
    assert!(err.contains("the spec has no schema `Nope`"), "{err}");
}
