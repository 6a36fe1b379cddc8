//! `codegen`: the command line over the library. Parses arguments, runs a
//! stage, prints results and sets the exit code (0 ok, 1 stale output or a
//! failed `--fail-on` gate, 2 error).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use codegen::diff::FailOn;
use codegen::load::{self, LoadedSpec};

/// Generates a Rust crate (models, …) from an OpenAPI 3.0 document.
#[derive(Parser)]
#[command(name = "codegen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the generated crate into --out (files are replaced only when
    /// changed), then say what changed in the API.
    Generate(Target),
    /// Exit 1 and show what changed in the API, then the files that differ,
    /// when --out is not what --spec generates.
    Check(Target),
    /// List every change between two versions of a spec and whom it breaks:
    /// existing clients, existing servers, code using the generated crate.
    Diff(DiffArgs),
}

/// What is generated from the spec: the selection and the type mappings.
#[derive(Args)]
struct Shaping {
    /// Generate only the operations with this tag (repeatable), and the models they use.
    #[arg(long = "tag", value_name = "NAME")]
    tags: Vec<String>,
    /// Generate only the operation with this operationId (repeatable), and the models it uses.
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
    /// Use a Rust type of your own for a format or a component schema
    /// (repeatable): `format:decimal=rust_decimal::Decimal`, `schema:Money=money::Money`.
    #[arg(long = "type-map", value_name = "KIND:NAME=PATH")]
    type_maps: Vec<String>,
    /// A crate mapped types come from, added to the generated crate's
    /// dependencies (repeatable): `rust_decimal@1.36`.
    #[arg(long = "crate", value_name = "NAME@VERSION")]
    crates: Vec<String>,
    /// A feature of a crate given by --crate (repeatable): `rust_decimal/serde-with-str`.
    #[arg(long = "crate-feature", value_name = "CRATE/FEATURE")]
    crate_features: Vec<String>,
}

#[derive(Args)]
struct Target {
    /// The OpenAPI 3.0 document, JSON or YAML (chosen by extension, else by content).
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// The directory of the generated crate.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Package name of the generated crate [default: the spec title in kebab-case].
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
    /// Package version of the generated crate [default: `info.version` as a
    /// version number, `1.0` → `1.0.0`, else 0.1.0].
    #[arg(long, value_name = "VERSION", value_parser = crate_version)]
    crate_version: Option<String>,
    #[command(flatten)]
    shaping: Shaping,
    /// Give every trait method a default body that answers 501 Not
    /// Implemented in the spec's error format, so an operation added to the
    /// spec does not break implementors.
    #[arg(long)]
    default_not_implemented: bool,
    /// No `#[non_exhaustive]` on the types only responses carry: other
    /// crates may write them as literals, and every property or value the
    /// spec adds breaks them.
    #[arg(long)]
    exhaustive: bool,
    /// Give string enums only responses carry an `Unknown(String)` variant
    /// for values the spec does not list, so a value a newer server sends
    /// does not fail the response.
    #[arg(long)]
    unknown_enum_values: bool,
    /// Do not print warnings about the spec.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct DiffArgs {
    /// The old version of the spec.
    #[arg(long, value_name = "FILE", required_unless_present = "old_git")]
    old: Option<PathBuf>,
    /// The old version from git history, as `git show` takes it:
    /// `origin/main:openapi/openapi.json`.
    #[arg(long, value_name = "REV:PATH", conflicts_with = "old")]
    old_git: Option<String>,
    /// The new version of the spec.
    #[arg(long, value_name = "FILE")]
    new: PathBuf,
    #[command(flatten)]
    shaping: Shaping,
    /// The crate is generated with --default-not-implemented: a new
    /// operation of an existing tag does not break implementors.
    #[arg(long)]
    default_not_implemented: bool,
    /// The crate is generated with --exhaustive.
    #[arg(long)]
    exhaustive: bool,
    /// The crate is generated with --unknown-enum-values: old clients read a
    /// value added to a response enum as `Unknown`.
    #[arg(long)]
    unknown_enum_values: bool,
    /// How to print the changes.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a change of this kind is found: breaking (on any axis),
    /// rust (the generated crate's API), wire (existing clients or
    /// servers), clients, servers, any (documentation included).
    #[arg(long, value_name = "KIND", value_parser = |text: &str| text.parse::<FailOn>())]
    fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A summary, then every change with why it breaks and where.
    Text,
    /// Tables per operation and schema, for a pull request or CHANGELOG.md.
    Markdown,
    /// The stable `codegen-diff/1` document described in the README.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate(target) => run(&target, false),
        Command::Check(target) => run(&target, true),
        Command::Diff(args) => run_diff(&args),
    }
}

/// A version Cargo accepts, written as Cargo writes it.
fn crate_version(text: &str) -> Result<String, String> {
    match codegen::version::Version::parse(text) {
        Some(version) if version.cargo() == text => Ok(text.to_owned()),
        Some(version) => Err(format!("write it as Cargo does: {}", version.cargo())),
        None => Err("not a version such as 1.2.3 or 1.2.3-beta.1".to_owned()),
    }
}

fn type_mappings(shaping: &Shaping) -> Result<codegen::TypeMappings, String> {
    let mut types = codegen::TypeMappings::default();
    for arg in &shaping.crates {
        types.add_crate(arg)?;
    }
    for arg in &shaping.crate_features {
        types.add_crate_feature(arg)?;
    }
    for arg in &shaping.type_maps {
        types.add_type_map(arg)?;
    }
    types.check()?;
    Ok(types)
}

fn selection(shaping: &Shaping) -> codegen::Selection {
    codegen::Selection {
        tags: shaping.tags.clone(),
        operations: shaping.operations.clone(),
    }
}

fn error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn run_diff(args: &DiffArgs) -> ExitCode {
    let types = match type_mappings(&args.shaping) {
        Ok(types) => types,
        Err(err) => return error(err),
    };
    let old = match (&args.old, &args.old_git) {
        (Some(path), _) => load::load_file(path),
        (None, Some(revision_path)) => load::load_git(revision_path),
        (None, None) => return error("give --old FILE or --old-git REV:PATH"),
    };
    let loaded = old.and_then(|old| Ok((old, load::load_file(&args.new)?)));
    let options = codegen::Options {
        selection: selection(&args.shaping),
        types,
        unimplemented_defaults: args.default_not_implemented,
        exhaustive: args.exhaustive,
        unknown_enum_values: args.unknown_enum_values,
        ..codegen::Options::default()
    };
    let diff = loaded.and_then(|(old, new)| codegen::diff::diff(&old, &new, &options));
    let diff = match diff {
        Ok(diff) => diff,
        Err(err) => return error(err),
    };
    match args.format {
        Format::Text => print!("{}", diff.to_text()),
        Format::Markdown => print!("{}", diff.to_markdown()),
        Format::Json => print!("{}", diff.to_json()),
    }
    if let Some(gate) = args.fail_on
        && diff.fails(gate)
    {
        let caught = diff.changes.iter().filter(|c| gate.catches(c)).count();
        eprintln!("codegen diff: {caught} change(s) fail --fail-on");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// What changed in the API since the crate in `out` was generated, as text;
/// a note when that cannot be told.
/// `embedded`: the spec the crate in `out` was made from, if it holds one.
fn api_summary(
    embedded: Option<&str>,
    out: &Path,
    spec: &LoadedSpec,
    options: &codegen::Options,
) -> String {
    match embedded.map(|old| codegen::diff_from_embedded(old, out, spec, options)) {
        Some(Ok(diff)) => diff.to_text(),
        Some(Err(err)) => format!("note: the API change is unknown: {err}\n"),
        None => format!(
            "note: {} holds no spec this generator embedded, so the API change is unknown\n",
            out.display()
        ),
    }
}

fn run(target: &Target, check_only: bool) -> ExitCode {
    let mut options =
        codegen::options_for_paths(&target.spec, &target.out, target.crate_name.clone());
    options.crate_version = target.crate_version.clone();
    options.unimplemented_defaults = target.default_not_implemented;
    options.exhaustive = target.exhaustive;
    options.unknown_enum_values = target.unknown_enum_values;
    options.selection = selection(&target.shaping);
    match type_mappings(&target.shaping) {
        Ok(types) => options.types = types,
        Err(err) => return error(err),
    }
    let spec = match load::load_file(&target.spec) {
        Ok(spec) => spec,
        Err(err) => return error(err),
    };
    let generation = match codegen::generate_loaded(&spec, &options) {
        Ok(generation) => generation,
        Err(err) => return error(err),
    };
    if !target.quiet {
        for diagnostic in &generation.diagnostics {
            eprintln!("warning: {}: {diagnostic}", target.spec.display());
        }
    }
    let out = target.out.display();
    if check_only {
        match codegen::check(&target.out, &generation) {
            Ok(drift) if drift.is_empty() => {
                println!("{out} is up to date with {}", target.spec.display());
                ExitCode::SUCCESS
            }
            Ok(drift) => {
                println!(
                    "{out} is stale: {} file(s) differ from what {} generates\n",
                    drift.len(),
                    target.spec.display()
                );
                let embedded = codegen::embedded_spec(&target.out);
                let summary = api_summary(embedded.as_deref(), &target.out, &spec, &options);
                print!("{summary}");
                println!();
                print_drift(&target.out, &drift);
                println!("To update it, run: {}", options.command());
                ExitCode::from(1)
            }
            Err(err) => error(err),
        }
    } else {
        // Read before the files are replaced: the spec they were made from.
        // It is compared only when something changed.
        let embedded = codegen::embedded_spec(&target.out);
        match codegen::write(&target.out, &generation) {
            Ok(report) => {
                println!(
                    "{out}: {} written, {} unchanged, {} removed",
                    report.written.len(),
                    report.unchanged.len(),
                    report.removed.len()
                );
                if !report.written.is_empty() || !report.removed.is_empty() {
                    print!(
                        "{}",
                        api_summary(embedded.as_deref(), &target.out, &spec, &options)
                    );
                }
                ExitCode::SUCCESS
            }
            Err(err) => error(err),
        }
    }
}

/// The files that differ: code first, the generated headers last.
fn print_drift(out: &Path, drift: &[codegen::Drift]) {
    let out = out.display();
    for item in drift {
        match item {
            codegen::Drift::Missing { path } => println!("missing: {out}/{path}"),
            codegen::Drift::Extra { path } => {
                println!("no longer generated (generate removes it): {out}/{path}")
            }
            codegen::Drift::Changed { path, diff, .. } if !diff.is_empty() => {
                println!("changed: {out}/{path}");
                print!("{diff}");
            }
            codegen::Drift::Changed { .. } => {}
        }
    }
    let headers: Vec<(&String, &String)> = drift
        .iter()
        .filter_map(|item| match item {
            codegen::Drift::Changed { path, header, .. } if !header.is_empty() => {
                Some((path, header))
            }
            _ => None,
        })
        .collect();
    if let Some((_, first)) = headers.first() {
        let paths: Vec<&str> = headers.iter().map(|(path, _)| path.as_str()).collect();
        println!("generated header changed in: {}", paths.join(", "));
        print!("{first}");
    }
}
