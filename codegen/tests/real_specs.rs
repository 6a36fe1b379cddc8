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
        crate_version: None,
        unimplemented_defaults: false,
        exhaustive: false,
        unknown_enum_values: false,
        spec_label: "flexprice-full.json".to_owned(),
        out_label: "out".to_owned(),
        selection: Default::default(),
        types: Default::default(),
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

/// The types as data, without their documentation (the project's spec adds
/// descriptions the public one lacks).
fn undocumented(mut api: codegen::ir::Api) -> Vec<codegen::ir::TypeDef> {
    for def in &mut api.types {
        def.docs = None;
        if let codegen::ir::TypeKind::Struct(fields) = &mut def.kind {
            for field in &mut fields.fields {
                field.docs = None;
            }
        }
    }
    api.types
}

#[test]
fn selecting_the_tasks_tag_of_the_full_spec_gives_the_models_of_the_tasks_spec() {
    let Some(spec) = full_spec() else {
        eprintln!("skipped: ../shared/specs/flexprice-full.json is not present");
        return;
    };
    let full = codegen::load::load_file(&spec).unwrap_or_else(|err| panic!("{err}"));
    let selection = codegen::Selection {
        tags: vec!["Tasks".to_owned()],
        operations: Vec::new(),
    };
    let selected = codegen::select::select(&full, &selection).unwrap_or_else(|err| panic!("{err}"));
    let from_full =
        codegen::lower::lower(&selected, &Default::default()).unwrap_or_else(|err| panic!("{err}"));

    let tasks_spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let tasks = codegen::load::load_file(&tasks_spec).unwrap_or_else(|err| panic!("{err}"));
    let from_tasks =
        codegen::lower::lower(&tasks, &Default::default()).unwrap_or_else(|err| panic!("{err}"));

    let ids = |api: &codegen::ir::Api| -> Vec<String> {
        api.operations.iter().map(|op| op.id.clone()).collect()
    };
    assert_eq!(ids(&from_full.api), ids(&from_tasks.api));

    let mut expected = undocumented(from_tasks.api);
    // The one deliberate difference: spec-notes.md keeps `details` on the error
    // body (from the seed fragments); the public spec has dropped it.
    let error = expected
        .iter_mut()
        .find(|def| def.name == "ErrorResponse")
        .expect("ErrorResponse");
    let codegen::ir::TypeKind::Struct(error) = &mut error.kind else {
        panic!("ErrorResponse is a struct");
    };
    let before = error.fields.len();
    error.fields.retain(|field| field.name != "details");
    assert_eq!(
        error.fields.len(),
        before - 1,
        "details is in the Tasks spec"
    );

    let actual = undocumented(from_full.api);
    let names = |types: &[codegen::ir::TypeDef]| -> Vec<String> {
        types.iter().map(|def| def.name.clone()).collect()
    };
    assert_eq!(names(&actual), names(&expected));
    assert_eq!(actual, expected);
}
