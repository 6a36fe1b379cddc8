//! Snapshot tests of the emitted models, one focused spec per concern.
//!
//! Each spec in `tests/specs/` is rendered; the text is compared with its
//! `insta` snapshot and with the copy in `tests/output/src/`, a workspace crate
//! that is compiled (and linted) with everything else, so every snapshot is
//! known to compile. After an intended change, accept with `cargo insta review`
//! (or `INSTA_UPDATE=always`) and refresh the compiled copies with
//! `CODEGEN_UPDATE_OUTPUT=1 cargo test -p codegen --test snapshots`.

use std::path::{Path, PathBuf};

use codegen::emit::{Options, render_models};
use codegen::{load, lower};

const SPECS: &[&str] = &[
    "composition",
    "dotted_names",
    "enums_plain",
    "enums_varnames",
    "maps",
    "name_collisions",
    "nested_arrays",
    "optional_required",
    "recursive",
    "refs_to_refs",
    "reserved_words",
    "scalars",
];

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

struct Rendered {
    models: String,
    diagnostics: String,
}

fn render(name: &str) -> Rendered {
    let spec = tests_dir().join("specs").join(format!("{name}.yaml"));
    let loaded = load::load_file(&spec).unwrap_or_else(|err| panic!("{err}"));
    let lowered = lower::lower(&loaded, &Default::default()).unwrap_or_else(|err| panic!("{err}"));
    let options = Options {
        crate_name: None,
        crate_version: None,
        unimplemented_defaults: false,
        exhaustive: false,
        unknown_enum_values: false,
        spec_label: format!("codegen/tests/specs/{name}.yaml"),
        out_label: "codegen/tests/output".to_owned(),
        selection: Default::default(),
        types: Default::default(),
    };
    Rendered {
        models: render_models(&lowered.api, &options).expect("renders"),
        diagnostics: lowered
            .diagnostics
            .iter()
            .map(|d| format!("{d}\n"))
            .collect(),
    }
}

fn updating() -> bool {
    std::env::var_os("CODEGEN_UPDATE_OUTPUT").is_some()
}

/// Keeps `tests/output/src/<name>.rs` equal to the snapshot, so it is compiled.
fn assert_compiled_copy(name: &str, text: &str) {
    let path = tests_dir().join("output/src").join(format!("{name}.rs"));
    if updating() {
        std::fs::write(&path, text).expect("write compiled copy");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{} is not the current output; run CODEGEN_UPDATE_OUTPUT=1 cargo test -p codegen --test snapshots",
        path.display()
    );
}

macro_rules! snapshot_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let name = stringify!($name);
            let rendered = render(name);
            insta::assert_snapshot!(name, rendered.models);
            if !rendered.diagnostics.is_empty() {
                insta::assert_snapshot!(format!("{name}_diagnostics"), rendered.diagnostics);
            }
            assert_compiled_copy(name, &rendered.models);
        }
    )*};
}

snapshot_tests!(
    composition,
    dotted_names,
    enums_plain,
    enums_varnames,
    maps,
    name_collisions,
    nested_arrays,
    optional_required,
    recursive,
    refs_to_refs,
    reserved_words,
    scalars,
);

#[test]
fn the_output_crate_compiles_every_snapshot() {
    let mut lib = String::from(
        "//! Every models snapshot of `codegen/tests/snapshots.rs`, compiled.\n\
         //! Written by that test (CODEGEN_UPDATE_OUTPUT=1); do not edit.\n\n\
         /// What a generated crate has in `src/runtime/`.\n\
         pub use codegen_runtime as runtime;\n\n",
    );
    for name in SPECS {
        lib.push_str(&format!("#[rustfmt::skip]\npub mod {name};\n"));
    }
    assert_compiled_copy("lib", &lib);
    let on_disk: Vec<String> = std::fs::read_dir(tests_dir().join("specs"))
        .expect("specs dir")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    for name in &on_disk {
        assert!(
            SPECS.contains(&name.as_str()),
            "add {name} to SPECS and snapshot_tests!"
        );
    }
}
