//! The generator on the complete public Flexprice spec (`../shared/specs/`),
//! when it is present beside the project. It is read in place, never copied.

use std::path::PathBuf;

fn full_spec() -> Option<PathBuf> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/flexprice-full.json");
    path.exists().then_some(path)
}

#[test]
fn the_full_flexprice_spec_generates_deterministically() {
    let Some(spec) = full_spec() else {
        eprintln!("skipped: ../shared/specs/flexprice-full.json is not present");
        return;
    };
    let options = codegen::Options {
        crate_name: Some("flexprice-full".to_owned()),
        spec_label: "flexprice-full.json".to_owned(),
        out_label: "out".to_owned(),
    };
    let first = codegen::generate(&spec, &options).unwrap_or_else(|err| panic!("{err}"));
    let second = codegen::generate(&spec, &options).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(first.files, second.files);

    let models = first
        .files
        .iter()
        .find(|f| f.path == "src/models.rs")
        .expect("models.rs");
    // Dotted names lose their prefix, and the Tasks types are among them.
    assert!(models.contents.contains("pub enum TaskStatus {"));
    assert!(models.contents.contains("pub struct TaskResponse {"));
    // The result parses as Rust.
    syn::parse_file(&models.contents).expect("valid Rust");
}
