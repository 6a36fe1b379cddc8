//! Snapshot tests of the emitted server code (`src/server.rs`) for focused
//! specs in `tests/server-specs/`: path, query, header and body parameters,
//! several status codes, literal beside parameter paths, API-key and bearer
//! security next to none, bodiless and non-JSON responses.

use std::path::Path;

use codegen::emit::{Options, render_client, render_server};
use codegen::{load, lower};

fn lowered(name: &str) -> (codegen::ir::Api, Options) {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/server-specs/{name}.yaml"));
    let loaded = load::load_file(&spec).unwrap_or_else(|err| panic!("{err}"));
    let lowered = lower::lower(&loaded).unwrap_or_else(|err| panic!("{err}"));
    let options = Options {
        crate_name: None,
        spec_label: format!("codegen/tests/server-specs/{name}.yaml"),
        out_label: "out".to_owned(),
        selection: Default::default(),
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
    assert!(client.contains("query: &ListItemsQuery,"));
    assert!(client.contains("Result<Vec<models::Item>, Error<models::Error>>"));
    assert!(client.contains("pub fn with_api_key(self, key: impl Into<String>) -> Self"));
    assert!(client.contains("pub fn with_bearer_token(self, token: impl Into<String>) -> Self"));
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
    assert!(server.contains("NoContent,"));
    assert!(server.contains("pub const BASE_PATH: &str = \"/base\";"));
    insta::assert_snapshot!("server_operations", server);
}

/// `tests/server-output/` is the whole crate generated from the same spec, a
/// workspace member, so the emitted server is compiled and linted; this test
/// keeps it current (refresh with `CODEGEN_UPDATE_OUTPUT=1`).
#[test]
fn the_compiled_server_crate_is_current() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let spec = tests.join("server-specs/operations.yaml");
    let out = tests.join("server-output");
    let options =
        codegen::options_for_paths(&spec, &out, Some("codegen-server-snapshot".to_owned()));
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
