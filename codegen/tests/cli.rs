//! The `codegen` binary end to end: exit codes, messages, and what it leaves on disk.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn codegen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run codegen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// A scratch project: a copy of the real spec and of the checked-in `generated/`.
fn scratch_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = workspace_root();
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    std::fs::copy(
        root.join("openapi/openapi.json"),
        dir.path().join("openapi/openapi.json"),
    )
    .unwrap();
    copy_tree(&root.join("generated"), &dir.path().join("generated"));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

const SPEC_ARGS: [&str; 4] = ["--spec", "openapi/openapi.json", "--out", "generated"];

fn check(project: &Path) -> Output {
    codegen(&[&["check"], &SPEC_ARGS[..]].concat(), project)
}

#[test]
fn check_passes_on_the_checked_in_crate() {
    let project = scratch_project();
    let out = check(project.path());
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("up to date"));
}

#[test]
fn check_fails_after_a_hand_edit_and_shows_the_diff() {
    let project = scratch_project();
    let models = project.path().join("generated/src/models.rs");
    let edited = std::fs::read_to_string(&models)
        .unwrap()
        .replace("pub enum TaskStatus", "pub enum TaskState");
    std::fs::write(&models, edited).unwrap();

    let out = check(project.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("changed: generated/src/models.rs"),
        "{stdout}"
    );
    assert!(stdout.contains("-pub enum TaskState"), "{stdout}");
    assert!(stdout.contains("+pub enum TaskStatus"), "{stdout}");
    assert!(
        stdout.contains(
            "cargo run -p codegen -- generate --spec openapi/openapi.json --out generated"
        ),
        "{stdout}"
    );
}

#[test]
fn check_fails_after_a_model_change_in_the_spec() {
    let project = scratch_project();
    let spec_path = project.path().join("openapi/openapi.json");
    let mut spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec_path).unwrap()).unwrap();
    spec["components"]["schemas"]["TaskResponse"]["properties"]["priority"] =
        serde_json::json!({"type": "integer"});
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();

    let out = check(project.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("+    pub priority: Option<i64>,"),
        "{stdout}"
    );

    // Regenerating makes it pass again.
    let regen = codegen(&[&["generate"], &SPEC_ARGS[..]].concat(), project.path());
    assert!(regen.status.success(), "{}", text(&regen.stderr));
    assert!(check(project.path()).status.success());
}

#[test]
fn check_reports_missing_and_extra_files() {
    let project = scratch_project();
    std::fs::remove_file(project.path().join("generated/README.md")).unwrap();
    std::fs::write(
        project.path().join("generated/src/extra.rs"),
        "// hand-made\n",
    )
    .unwrap();
    let out = check(project.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("missing: generated/README.md"), "{stdout}");
    assert!(
        stdout.contains("not generated (remove it): generated/src/extra.rs"),
        "{stdout}"
    );
}

#[test]
fn the_same_output_from_another_working_directory() {
    let project = scratch_project();
    let nested = project.path().join("somewhere/deeper");
    std::fs::create_dir_all(&nested).unwrap();
    let out = codegen(
        &[
            "check",
            "--spec",
            "../../openapi/openapi.json",
            "--out",
            "../../generated",
        ],
        &nested,
    );
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn generate_writes_only_what_changed_and_removes_stale_generated_files() {
    let project = scratch_project();
    let generated = project.path().join("generated");
    std::fs::write(
        generated.join("src/old.rs"),
        "// @generated by codegen from `x`\n",
    )
    .unwrap();
    std::fs::write(generated.join("NOTES.txt"), "kept: not generated\n").unwrap();

    let out = codegen(&[&["generate"], &SPEC_ARGS[..]].concat(), project.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(": 0 written, ") && stdout.contains(" unchanged, 1 removed"),
        "{stdout}"
    );
    assert!(!generated.join("src/old.rs").exists());
    assert!(generated.join("NOTES.txt").exists());
}

#[test]
fn a_bad_spec_exits_non_zero_names_the_pointer_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Foo:\n      type: object\n      properties:\n        bar: {$ref: '#/components/schemas/Nope'}\n",
    )
    .unwrap();
    let out = codegen(
        &["generate", "--spec", "bad.yaml", "--out", "out"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: bad.yaml: #/components/schemas/Foo/properties/bar: "),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
    assert!(!stderr.contains("panicked"));
}

#[test]
fn help_describes_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = codegen(&["--help"], dir.path());
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("generate") && stdout.contains("check"),
        "{stdout}"
    );
    let out = codegen(&["check", "--help"], dir.path());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("--spec <FILE>") && stdout.contains("--out <DIR>"),
        "{stdout}"
    );
}

#[test]
fn a_selection_is_applied_checked_and_named_in_the_regenerate_command() {
    let project = scratch_project();
    let out = codegen(
        &[
            "generate",
            "--spec",
            "openapi/openapi.json",
            "--out",
            "subset",
            "--operation",
            "getTask",
        ],
        project.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let client = std::fs::read_to_string(project.path().join("subset/src/client.rs")).unwrap();
    assert!(client.contains("pub async fn get_task("), "{client}");
    assert!(!client.contains("pub async fn list_tasks("));
    assert!(client.contains(
        "Regenerate with: cargo run -p codegen -- generate --spec openapi/openapi.json --out \
         subset --operation getTask\n"
    ));
    // `check` takes the same selection; without it the subset is stale.
    let args = ["--spec", "openapi/openapi.json", "--out", "subset"];
    let same = codegen(
        &[&["check"], &args[..], &["--operation", "getTask"]].concat(),
        project.path(),
    );
    assert!(same.status.success(), "{}", text(&same.stdout));
    assert_eq!(
        codegen(&[&["check"], &args[..]].concat(), project.path())
            .status
            .code(),
        Some(1)
    );

    let unknown = codegen(
        &[&["generate"], &args[..], &["--tag", "Invoices"]].concat(),
        project.path(),
    );
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.starts_with(
            "error: openapi/openapi.json: no operation has the tag `Invoices`; the tags of its \
             operations are: `Tasks`"
        ),
        "{stderr}"
    );
}
