//! `codegen diff`: what changed between two versions of a spec, and whom it
//! breaks. Each pair in `tests/diff/` is `pets.yaml` (old) → `<case>.yaml`
//! (new), one concern each; the JSON and Markdown reports are `insta`
//! snapshots and the verdicts that define the case are asserted here too.
//! `tasks-1.1.patch.json` turns `openapi/openapi.json` into a realistic next
//! version of the Tasks API.

use std::path::{Path, PathBuf};

use codegen::Options;
use codegen::diff::{self, ApiDiff, Bump, FailOn, Level};
use codegen::load::{self, Format};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn load_case(name: &str) -> load::LoadedSpec {
    let text = std::fs::read_to_string(tests_dir().join("diff").join(format!("{name}.yaml")))
        .unwrap_or_else(|err| panic!("{name}.yaml: {err}"));
    load::load_str(&text, Format::Yaml, &format!("{name}.yaml")).unwrap()
}

fn pair(case: &str) -> ApiDiff {
    diff::diff(&load_case("pets"), &load_case(case), &Options::default()).unwrap()
}

/// How many changes break clients, servers, Rust code.
fn breaking(diff: &ApiDiff) -> (usize, usize, usize) {
    diff.breaking_counts()
}

fn codes(diff: &ApiDiff) -> Vec<&str> {
    diff.changes.iter().map(|c| c.code).collect()
}

/// How many changes break existing clients, existing servers, Rust code.
type Breaking = (usize, usize, usize);

/// Each case: the codes it reports and what they break.
const CASES: &[(&str, &[&str], Breaking)] = &[
    ("removed-operation", &["operation-removed"], (1, 0, 1)),
    ("new-required-parameter", &["parameter-added"], (1, 0, 1)),
    ("tightened-constraint", &["constraint-tightened"], (1, 0, 0)),
    // `PetStatus` only travels in responses: `#[non_exhaustive]`, so Rust
    // code has a wildcard arm; old clients still cannot decode the value.
    (
        "response-enum-value-added",
        &["enum-value-added"],
        (1, 0, 0),
    ),
    (
        "request-enum-value-removed",
        &["enum-value-removed"],
        (1, 0, 1),
    ),
    ("field-type-change", &["type-changed"], (1, 1, 1)),
    (
        "renamed-schema",
        &["type-changed", "schema-renamed"],
        (0, 0, 2),
    ),
    ("moved-ref", &["type-changed", "schema-added"], (0, 0, 1)),
    (
        "security-added",
        &["security-scheme-added", "security-changed"],
        (1, 0, 2),
    ),
    // `Pet` only travels in responses and has required fields: it is
    // `#[non_exhaustive]` and built with `Pet::new`.
    ("new-optional-field", &["property-added"], (0, 0, 0)),
    (
        "description-only",
        &[
            "description-changed",
            "description-changed",
            "description-changed",
        ],
        (0, 0, 0),
    ),
];

#[test]
fn each_pair_reports_its_one_change_with_its_verdicts() {
    for (case, expected_codes, expected_breaking) in CASES {
        let diff = pair(case);
        assert_eq!(codes(&diff), *expected_codes, "{case}");
        assert_eq!(breaking(&diff), *expected_breaking, "{case}");
        insta::assert_snapshot!(format!("diff_{case}_json"), diff.to_json());
        insta::assert_snapshot!(format!("diff_{case}_markdown"), diff.to_markdown());
    }
}

#[test]
fn a_description_change_is_not_breaking_and_needs_a_patch() {
    let diff = pair("description-only");
    assert!(diff.changes.iter().all(|c| !c.is_breaking()));
    assert!(diff.changes.iter().all(|c| c.clients.level == Level::None
        && c.servers.level == Level::None
        && c.rust.level == Level::None));
    assert_eq!(diff.semver().needed, Bump::Patch);
    assert!(!diff.fails(FailOn::Breaking));
    assert!(diff.fails(FailOn::Any));
}

#[test]
fn the_gate_tells_wire_from_rust() {
    // Only the Rust API breaks: the same shape under another name.
    let renamed = pair("renamed-schema");
    assert!(renamed.fails(FailOn::Rust));
    assert!(!renamed.fails(FailOn::Wire));
    // Only the wire breaks: a tighter rule, the same signatures.
    let tighter = pair("tightened-constraint");
    assert!(tighter.fails(FailOn::Wire));
    assert!(tighter.fails(FailOn::Clients));
    assert!(!tighter.fails(FailOn::Servers));
    assert!(!tighter.fails(FailOn::Rust));
}

#[test]
fn every_change_names_pointers_that_exist_in_its_version() {
    let old = load_case("pets");
    for (case, _, _) in CASES {
        let new = load_case(case);
        for change in pair(case).changes {
            for (pointer, spec) in [(&change.old_pointer, &old), (&change.new_pointer, &new)] {
                if let Some(pointer) = pointer {
                    assert!(
                        load::resolve_pointer(&spec.raw, pointer).is_ok(),
                        "{case}: {pointer} is not in {}",
                        spec.file
                    );
                }
            }
        }
    }
}

fn tasks_spec() -> load::LoadedSpec {
    let path = tests_dir().join("../../openapi/openapi.json");
    let text = std::fs::read_to_string(path).unwrap();
    load::load_str(&text, Format::Json, "openapi/openapi.json").unwrap()
}

/// The Tasks API 1.1 of `tasks-1.1.patch.json`: a tighter `limit`, a new
/// filter, a new task status, a new optional field, one operation gone and
/// one added.
fn tasks_next() -> load::LoadedSpec {
    let mut raw = tasks_spec().raw;
    let patch_text =
        std::fs::read_to_string(tests_dir().join("diff/tasks-1.1.patch.json")).unwrap();
    let patch: json_patch::Patch = serde_json::from_str(&patch_text).unwrap();
    json_patch::patch(&mut raw, &patch).unwrap();
    let text = serde_json::to_string_pretty(&raw).unwrap();
    load::load_str(&text, Format::Json, "openapi/openapi.json (1.1)").unwrap()
}

#[test]
fn the_next_tasks_api_is_judged_change_by_change() {
    let diff = diff::diff(&tasks_spec(), &tasks_next(), &Options::default()).unwrap();
    let found = |code: &str, part: &str| {
        diff.changes
            .iter()
            .find(|c| c.code == code && c.message.contains(part))
            .unwrap_or_else(|| panic!("no {code} about {part}:\n{}", diff.to_text()))
    };
    let limit = found("constraint-tightened", "limit");
    assert_eq!(limit.clients.level, Level::Breaking);
    assert_eq!(limit.rust.level, Level::None);
    let cancelled = found("enum-value-added", "CANCELLED");
    assert_eq!(cancelled.clients.level, Level::Breaking);
    let removed = found("operation-removed", "/download");
    assert_eq!(removed.rust.level, Level::Breaking);
    let added = found("operation-added", "/cancel");
    assert_eq!(added.servers.level, Level::Breaking);
    let priority = found("parameter-added", "priority");
    assert_eq!(priority.clients.level, Level::Compatible);
    let callback = found("property-added", "callback_url");
    assert_eq!(callback.clients.level, Level::Compatible);
    assert_eq!(diff.semver().needed, Bump::Major);
    assert_eq!(diff.semver().info_version, Some(Bump::Minor));
    assert!(!diff.semver().sufficient);
    insta::assert_snapshot!("diff_tasks_1_1_text", diff.to_text());
    insta::assert_snapshot!("diff_tasks_1_1_markdown", diff.to_markdown());
}

#[test]
fn a_spec_against_itself_has_no_changes() {
    let diff = diff::diff(&tasks_spec(), &tasks_spec(), &Options::default()).unwrap();
    assert!(diff.changes.is_empty());
    assert_eq!(diff.semver().needed, Bump::None);
    let full = tests_dir().join("../../../shared/specs/flexprice-full.json");
    if full.exists() {
        let spec = load::load_file(&full).unwrap();
        let diff = diff::diff(&spec, &spec, &Options::default()).unwrap();
        assert!(diff.changes.is_empty());
    }
}

#[test]
fn a_new_operation_breaks_implementors_unless_methods_answer_501() {
    let old = load_case("removed-operation");
    let new = load_case("pets");
    let plain = diff::diff(&old, &new, &Options::default()).unwrap();
    assert_eq!(codes(&plain), ["operation-added"]);
    assert_eq!(plain.changes[0].rust.level, Level::Breaking);
    let defaults = Options {
        unimplemented_defaults: true,
        ..Options::default()
    };
    let with_defaults = diff::diff(&old, &new, &defaults).unwrap();
    assert_eq!(with_defaults.changes[0].rust.level, Level::Compatible);
    assert!(with_defaults.changes[0].rust.why.contains("501"));
}

#[test]
fn exhaustive_types_make_new_values_and_fields_break_rust_code() {
    let exhaustive = Options {
        exhaustive: true,
        ..Options::default()
    };
    for case in ["response-enum-value-added", "new-optional-field"] {
        let diff = diff::diff(&load_case("pets"), &load_case(case), &exhaustive).unwrap();
        assert_eq!(diff.changes[0].rust.level, Level::Breaking, "{case}");
    }
    // Request types are never sealed: clients build them as literals.
    let diff = pair("request-enum-value-removed");
    assert_eq!(diff.changes[0].rust.level, Level::Breaking);
}

#[test]
fn old_clients_keep_an_unlisted_response_value_with_unknown_enum_values() {
    let open = Options {
        unknown_enum_values: true,
        ..Options::default()
    };
    let diff = diff::diff(
        &load_case("pets"),
        &load_case("response-enum-value-added"),
        &open,
    )
    .unwrap();
    assert_eq!(diff.changes[0].clients.level, Level::Compatible);
    assert!(diff.changes[0].clients.why.contains("fallback"));
    // A request enum has no fallback: the new server still refuses `bird`.
    let diff = diff::diff(
        &load_case("pets"),
        &load_case("request-enum-value-removed"),
        &open,
    )
    .unwrap();
    assert_eq!(diff.changes[0].clients.level, Level::Breaking);
}

#[test]
fn versions_bump_by_their_numbers() {
    assert_eq!(diff::bump_between("1.0", "1.1"), Some(Bump::Minor));
    assert_eq!(diff::bump_between("1.0.0", "2.0.0"), Some(Bump::Major));
    assert_eq!(diff::bump_between("v1.2.3", "1.2.4"), Some(Bump::Patch));
    assert_eq!(diff::bump_between("1.2", "1.2.0"), Some(Bump::Patch));
    assert_eq!(diff::bump_between("1.2", "1.2"), Some(Bump::None));
    assert_eq!(diff::bump_between("2.0", "1.9"), None);
    assert_eq!(diff::bump_between("1.0.0", "1.0.0-beta"), None);
    assert_eq!(diff::bump_between("2024-01-01", "2024-02-01"), None);
}

/// A form body's fields are judged as query parameters are: a new required
/// field breaks old clients and the Rust code that builds the form struct; a
/// tightened rule breaks clients only.
#[test]
fn form_fields_are_judged_like_parameters() {
    let spec = |fields: &str, required: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: Forms, version: '1.0'}}\npaths:\n  /pets:\n    post:\n      operationId: createPet\n      requestBody:\n        required: true\n        content:\n          application/x-www-form-urlencoded:\n            schema:\n              type: object\n              required: [{required}]\n              properties:\n{fields}\n      responses: {{'204': {{description: ok}}}}\n"
        )
    };
    let old = spec(
        "                name: {type: string, maxLength: 20}",
        "name",
    );
    let new = spec(
        "                name: {type: string, maxLength: 10}\n                age: {type: integer}",
        "name, age",
    );
    let old = load::load_str(&old, Format::Yaml, "old.yaml").unwrap();
    let new = load::load_str(&new, Format::Yaml, "new.yaml").unwrap();
    let found = diff::diff(&old, &new, &Options::default()).unwrap();
    let mut codes = codes(&found);
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["constraint-tightened", "parameter-added"],
        "{found:#?}"
    );
    let added = found
        .changes
        .iter()
        .find(|change| change.code == "parameter-added")
        .unwrap();
    assert!(added.message.contains("form parameter `age`"), "{added:#?}");
    assert_eq!(breaking(&found), (2, 0, 1));
}

/// A multipart body's text parts are judged as form fields, its file parts
/// one by one: each is a field of the body's struct.
#[test]
fn multipart_parts_are_judged_one_by_one() {
    let spec = |properties: &str, required: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: Uploads, version: '1.0'}}\npaths:\n  /photos:\n    post:\n      operationId: upload\n      requestBody:\n        required: true\n        content:\n          multipart/form-data:\n            schema:\n              type: object\n              required: [{required}]\n              properties:\n{properties}\n      responses: {{'204': {{description: ok}}}}\n"
        )
    };
    let old = spec(
        "                caption: {type: string}\n                photo: {type: string, format: binary}\n                extra: {type: string, format: binary}",
        "photo",
    );
    let new = spec(
        "                caption: {type: string}\n                photo: {type: string, format: binary}\n                thumb: {type: string, format: binary}\n                title: {type: string}",
        "photo, thumb, title",
    );
    let old = load::load_str(&old, Format::Yaml, "old.yaml").unwrap();
    let new = load::load_str(&new, Format::Yaml, "new.yaml").unwrap();
    let found = diff::diff(&old, &new, &Options::default()).unwrap();
    let mut codes = codes(&found);
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "parameter-added",
            "request-file-part-added",
            "request-file-part-removed"
        ],
        "{found:#?}"
    );
    let added = found
        .changes
        .iter()
        .find(|change| change.code == "request-file-part-added")
        .unwrap();
    assert!(
        added.message.contains("required file part `thumb`"),
        "{added:#?}"
    );
    // Old clients miss the new required parts; every change breaks Rust code.
    assert_eq!(breaking(&found), (2, 0, 3));
}

/// A body of several media types: the JSON variant's type is judged as a
/// single body's is.
#[test]
fn a_json_variant_of_a_body_enum_is_judged_by_its_type() {
    let spec = |ty: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: Choices, version: '1.0'}}\npaths:\n  /notes:\n    post:\n      operationId: createNote\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {{type: {ty}}}\n          text/plain:\n            schema: {{type: string}}\n      responses: {{'204': {{description: ok}}}}\n"
        )
    };
    let old = load::load_str(&spec("string"), Format::Yaml, "old.yaml").unwrap();
    let new = load::load_str(&spec("integer"), Format::Yaml, "new.yaml").unwrap();
    let found = diff::diff(&old, &new, &Options::default()).unwrap();
    assert_eq!(codes(&found), ["type-changed"], "{found:#?}");
    let change = &found.changes[0];
    assert!(
        change.message.contains("(`application/json`)"),
        "{change:#?}"
    );
    assert_eq!(breaking(&found), (1, 1, 1));
}
