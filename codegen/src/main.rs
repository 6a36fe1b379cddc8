//! `codegen`: the command line over the library. Parses arguments, runs a
//! stage, prints results and sets the exit code (0 ok, 1 stale output, 2 error).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Generates a Rust crate (models, …) from an OpenAPI 3.0 document.
#[derive(Parser)]
#[command(name = "codegen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the generated crate into --out (files are replaced only when changed).
    Generate(Target),
    /// Exit 1 and show what differs when --out is not what --spec generates.
    Check(Target),
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
    /// Do not print warnings about the spec.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate(target) => run(&target, false),
        Command::Check(target) => run(&target, true),
    }
}

fn type_mappings(target: &Target) -> Result<codegen::TypeMappings, String> {
    let mut types = codegen::TypeMappings::default();
    for arg in &target.crates {
        types.add_crate(arg)?;
    }
    for arg in &target.crate_features {
        types.add_crate_feature(arg)?;
    }
    for arg in &target.type_maps {
        types.add_type_map(arg)?;
    }
    types.check()?;
    Ok(types)
}

fn run(target: &Target, check_only: bool) -> ExitCode {
    let mut options =
        codegen::options_for_paths(&target.spec, &target.out, target.crate_name.clone());
    options.selection = codegen::Selection {
        tags: target.tags.clone(),
        operations: target.operations.clone(),
    };
    match type_mappings(target) {
        Ok(types) => options.types = types,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    }
    let generation = match codegen::generate(&target.spec, &options) {
        Ok(generation) => generation,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
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
                    "{out} is stale: {} file(s) differ from what {} generates",
                    drift.len(),
                    target.spec.display()
                );
                for item in &drift {
                    match item {
                        codegen::Drift::Missing { path } => println!("missing: {out}/{path}"),
                        codegen::Drift::Extra { path } => {
                            println!("not generated (remove it): {out}/{path}")
                        }
                        codegen::Drift::Changed { path, diff } => {
                            println!("changed: {out}/{path}");
                            print!("{diff}");
                        }
                    }
                }
                println!("To update it, run: {}", options.command());
                ExitCode::from(1)
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(2)
            }
        }
    } else {
        match codegen::write(&target.out, &generation) {
            Ok(report) => {
                println!(
                    "{out}: {} written, {} unchanged, {} removed",
                    report.written.len(),
                    report.unchanged.len(),
                    report.removed.len()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(2)
            }
        }
    }
}
