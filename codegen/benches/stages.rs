//! The generator's stages, each timed alone, on the Tasks spec and (when
//! `../shared/specs/` is present) on the whole Flexprice spec:
//! load (text → document), select (`--tag Tasks`), lower (document → IR),
//! emit (IR → formatted files), and all of them together.
//!
//!     cargo bench -p codegen --bench stages
//!
//! `scripts/bench-codegen.sh` measures the command end to end (with writing
//! files) and its peak memory; BENCHMARKS.md has the figures.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use codegen::load::{self, Format};
use codegen::{Options, Selection, emit, lower, select};
use criterion::{Criterion, criterion_group, criterion_main};

fn specs() -> Vec<(&'static str, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = vec![("tasks", root.join("openapi/openapi.json"))];
    let full = root.join("../shared/specs/flexprice-full.json");
    if full.exists() {
        specs.push(("full", full));
    } else {
        eprintln!("../shared/specs/flexprice-full.json is not present: only the Tasks spec");
    }
    specs
}

fn options() -> Options {
    Options {
        crate_name: Some("bench".to_owned()),
        crate_version: None,
        unimplemented_defaults: false,
        exhaustive: false,
        unknown_enum_values: false,
        spec_label: "spec.json".to_owned(),
        out_label: "out".to_owned(),
        selection: Selection::default(),
        types: Default::default(),
    }
}

fn stages(c: &mut Criterion) {
    for (name, path) in specs() {
        let text = std::fs::read_to_string(&path).expect("read spec");
        let file = path.display().to_string();
        let loaded = load::load_str(&text, Format::Json, &file).expect("load");
        let lowered = lower::lower(&loaded, &Default::default()).expect("lower");
        let spec_json = serde_json::to_string_pretty(&loaded.raw).expect("json");
        let options = options();

        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        group.bench_function("load", |b| {
            b.iter(|| load::load_str(black_box(&text), Format::Json, &file).expect("load"))
        });
        let tasks = Selection {
            tags: vec!["Tasks".to_owned()],
            operations: Vec::new(),
        };
        group.bench_function("select_tasks", |b| {
            b.iter(|| select::select(black_box(&loaded), &tasks).expect("select"))
        });
        group.bench_function("lower", |b| {
            b.iter(|| lower::lower(black_box(&loaded), &Default::default()).expect("lower"))
        });
        group.bench_function("emit", |b| {
            b.iter(|| emit::render(black_box(&lowered.api), &spec_json, &options).expect("emit"))
        });
        group.bench_function("all", |b| {
            b.iter(|| {
                let loaded = load::load_str(black_box(&text), Format::Json, &file).expect("load");
                codegen::generate_loaded(&loaded, &options).expect("generate")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
