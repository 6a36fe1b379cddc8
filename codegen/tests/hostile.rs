//! Hostile input: each a clear error or a generation with diagnostics,
//! within seconds — never a panic, a hang or memory without bound.

use std::time::{Duration, Instant};

fn generate(name: &str, text: &[u8]) -> (Result<codegen::Generation, codegen::Error>, Duration) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let options = codegen::options_for_paths(&path, &dir.path().join("out"), None);
    let started = Instant::now();
    let result = codegen::generate(&path, &options);
    (result, started.elapsed())
}

fn refused(name: &str, text: &[u8]) -> String {
    let (result, took) = generate(name, text);
    assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
    match result {
        Err(err) => err.to_string(),
        Ok(generation) => panic!("{name}: generated ({} files)", generation.files.len()),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut text = String::from(HEAD);
    text.push_str("x-bomb:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    let message = refused("bomb.yaml", text.as_bytes());
    assert!(message.contains("bomb.yaml"), "{message}");
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 10_000;
    let json = format!(
        "{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"T\",\"version\":\"1\"}},\"paths\":{{}},\"x-deep\":{}1{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let message = refused("deep.json", json.as_bytes());
    assert!(message.contains("deep.json"), "{message}");
    let yaml = format!(
        "{HEAD}x-deep: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let message = refused("deep.yaml", yaml.as_bytes());
    assert!(message.contains("deep.yaml"), "{message}");
}

#[test]
fn deeply_nested_schemas_are_refused_or_cut() {
    // 60 levels of inline objects: within the parser's limit, beyond the
    // generator's.
    let mut schema = String::from("{\"type\":\"string\"}");
    for _ in 0..60 {
        schema = format!("{{\"type\":\"object\",\"properties\":{{\"a\":{schema}}}}}");
    }
    let json = format!(
        "{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"T\",\"version\":\"1\"}},\"paths\":{{}},\"components\":{{\"schemas\":{{\"Deep\":{schema}}}}}}}"
    );
    let (result, took) = generate("nested.json", json.as_bytes());
    assert!(took < Duration::from_secs(20), "took {took:?}");
    if let Ok(generation) = result {
        assert!(!generation.diagnostics.is_empty());
    }
}

#[test]
fn a_million_value_enum_is_its_base_type() {
    let values: Vec<String> = (0..1_000_000).map(|i| format!("\"v{i}\"")).collect();
    let json = format!(
        "{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"T\",\"version\":\"1\"}},\"paths\":{{}},\"components\":{{\"schemas\":{{\"Big\":{{\"type\":\"string\",\"enum\":[{}]}}}}}}}}",
        values.join(",")
    );
    let (result, took) = generate("enum.json", json.as_bytes());
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let generation = result.expect("generates");
    assert!(
        generation
            .diagnostics
            .iter()
            .any(|d| d.pointer == "#/components/schemas/Big/enum"
                && d.message.contains("1000000 values")),
        "{:#?}",
        generation.diagnostics
    );
}

#[test]
fn reference_cycles_without_an_object_are_refused_or_reported() {
    let text = format!(
        "{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n    C: {{$ref: '#/components/schemas/C'}}\n    User:\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/A'}}\n"
    );
    let (result, took) = generate("cycle.yaml", text.as_bytes());
    assert!(took < Duration::from_secs(20), "took {took:?}");
    match result {
        Err(err) => assert!(err.to_string().contains("cycle.yaml"), "{err}"),
        Ok(generation) => assert!(
            generation
                .diagnostics
                .iter()
                .any(|d| d.pointer.starts_with("#/components/schemas/")),
            "{:#?}",
            generation.diagnostics
        ),
    }
}

#[test]
fn names_of_100k_characters_generate() {
    // JSON: YAML refuses a plain key of more than 1024 characters.
    let long = "a".repeat(100_000);
    let text = format!(
        "{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"T\",\"version\":\"1\"}},\"paths\":{{}},\"components\":{{\"schemas\":{{\"{long}\":{{\"type\":\"object\",\"properties\":{{\"{long}\":{{\"type\":\"string\"}}}}}}}}}}}}"
    );
    let (result, took) = generate("long.json", text.as_bytes());
    assert!(took < Duration::from_secs(20), "took {took:?}");
    result.unwrap_or_else(|err| panic!("{err}"));
}

#[test]
fn invalid_utf8_is_refused() {
    let mut text = HEAD.as_bytes().to_vec();
    text.extend_from_slice(b"x-bad: \"\xff\xfe\"\n");
    let message = refused("bad.yaml", &text);
    assert!(message.contains("bad.yaml"), "{message}");
}
