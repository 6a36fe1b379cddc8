//! Every models snapshot of `codegen/tests/snapshots.rs`, compiled.
//! Written by that test (CODEGEN_UPDATE_OUTPUT=1); do not edit.

/// What a generated crate has in `src/runtime/`.
pub use codegen_runtime as runtime;

#[rustfmt::skip]
pub mod composition;
#[rustfmt::skip]
pub mod dotted_names;
#[rustfmt::skip]
pub mod enums_plain;
#[rustfmt::skip]
pub mod enums_varnames;
#[rustfmt::skip]
pub mod maps;
#[rustfmt::skip]
pub mod name_collisions;
#[rustfmt::skip]
pub mod nested_arrays;
#[rustfmt::skip]
pub mod optional_required;
#[rustfmt::skip]
pub mod recursive;
#[rustfmt::skip]
pub mod refs_to_refs;
#[rustfmt::skip]
pub mod reserved_words;
#[rustfmt::skip]
pub mod scalars;
