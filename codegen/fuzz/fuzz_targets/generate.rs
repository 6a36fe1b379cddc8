//! Any bytes as an OpenAPI document, JSON or YAML, through load → select →
//! lower → emit: an error is fine, a panic (or a hang, or memory without
//! bound, which libFuzzer reports too) is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let format = codegen::load::Format::sniff(text);
    let Ok(spec) = codegen::load::load_str(text, format, "fuzz") else {
        return;
    };
    let options = codegen::options_for_paths(
        std::path::Path::new("fuzz.yaml"),
        std::path::Path::new("out"),
        Some("fuzzed".to_owned()),
    );
    let _ = codegen::generate_loaded(&spec, &options);
});
