//! The drift check: `generated/` must be exactly what the generator makes of
//! `openapi/openapi.json`. On failure, regenerate with the command printed.

use codegen::Drift;
use workspace_tests::workspace_root;

#[test]
fn generated_crate_matches_the_spec() {
    let root = workspace_root();
    let spec = root.join("openapi/openapi.json");
    let checked_in = root.join("generated");
    let options = codegen::options_for_paths(&spec, &checked_in, None);
    let generation = codegen::generate(&spec, &options).expect("the spec generates");

    // Regenerate into a fresh directory, then compare the two trees.
    let fresh = tempfile::tempdir().expect("temp dir");
    codegen::write(fresh.path(), &generation).expect("write into temp dir");
    let fresh_files = codegen::check(fresh.path(), &generation).expect("compare temp dir");
    assert!(
        fresh_files.is_empty(),
        "a fresh generation differs from itself: {fresh_files:?}"
    );

    let drift = codegen::check(&checked_in, &generation).expect("compare generated/");
    let report: Vec<String> = drift
        .iter()
        .map(|item| match item {
            Drift::Missing { path } => format!("missing: generated/{path}"),
            Drift::Extra { path } => format!("no longer generated: generated/{path}"),
            Drift::Changed { path, diff, header } => {
                format!("changed: generated/{path}\n{diff}{header}")
            }
        })
        .collect();
    assert!(
        drift.is_empty(),
        "generated/ is stale:\n{}\nRegenerate with: {}",
        report.join("\n"),
        options.command()
    );
}

#[test]
fn generation_is_byte_identical_run_to_run() {
    let root = workspace_root();
    let spec = root.join("openapi/openapi.json");
    let options = codegen::options_for_paths(&spec, &root.join("generated"), None);
    let first = codegen::generate(&spec, &options).expect("first run");
    let second = codegen::generate(&spec, &options).expect("second run");
    assert_eq!(first.files, second.files);
}

#[test]
fn labels_do_not_depend_on_how_paths_are_written() {
    let root = workspace_root();
    let plain = codegen::options_for_paths(
        &root.join("openapi/openapi.json"),
        &root.join("generated"),
        None,
    );
    let roundabout = codegen::options_for_paths(
        &root.join("codegen/../openapi/./openapi.json"),
        &root.join("tests/../generated"),
        None,
    );
    assert_eq!(plain, roundabout);
    assert_eq!(plain.spec_label, "openapi/openapi.json");
    assert_eq!(plain.out_label, "generated");
}
