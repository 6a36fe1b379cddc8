//! The shape of the generated crate as its users see it: the `server` and
//! `client` features keep axum and reqwest apart, and no exported type name
//! appears twice anywhere in a generated crate.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use workspace_tests::workspace_root;

/// The normal dependencies of `flexprice-api` with the given cargo flags.
fn dependency_tree(flags: &[&str]) -> String {
    let output = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "tree",
            "--offline",
            "-p",
            "flexprice-api",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(flags)
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn has_crate(tree: &str, name: &str) -> bool {
    tree.lines()
        .any(|line| line.split_whitespace().next() == Some(name))
}

#[test]
fn a_client_only_build_has_no_axum_and_a_server_only_build_no_reqwest() {
    let client = dependency_tree(&["--no-default-features", "--features", "client"]);
    assert!(has_crate(&client, "reqwest"), "{client}");
    assert!(!has_crate(&client, "axum"), "{client}");
    let server = dependency_tree(&["--no-default-features", "--features", "server"]);
    assert!(has_crate(&server, "axum"), "{server}");
    assert!(!has_crate(&server, "reqwest"), "{server}");
}

#[test]
fn without_features_the_crate_needs_only_serde_and_chrono() {
    let tree = dependency_tree(&["--no-default-features", "--depth", "1"]);
    let direct: Vec<&str> = tree
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(direct, ["chrono", "serde", "serde_json"], "{tree}");
}

/// `pub struct|enum|trait|type NAME` at the top level of every file under `dir`.
fn exported_types(dir: &Path, found: &mut BTreeMap<String, Vec<String>>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            exported_types(&path, found);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for line in text.lines() {
            for keyword in ["pub struct ", "pub enum ", "pub trait ", "pub type "] {
                if let Some(rest) = line.strip_prefix(keyword) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    found
                        .entry(name)
                        .or_default()
                        .push(path.display().to_string());
                }
            }
        }
    }
}

#[test]
fn no_exported_type_name_appears_twice_in_a_generated_crate() {
    let root = workspace_root();
    let mut crates = vec![root.join("generated/src")];
    for entry in std::fs::read_dir(root.join("codegen/tests/crates")).expect("crates") {
        crates.push(entry.expect("entry").path().join("src"));
    }
    for src in crates {
        let mut found = BTreeMap::new();
        exported_types(&src, &mut found);
        assert!(found.contains_key("HttpError"), "{}", src.display());
        let twice: Vec<_> = found.iter().filter(|(_, files)| files.len() > 1).collect();
        assert!(twice.is_empty(), "{}: {twice:?}", src.display());
    }
}
