//! Files in and out: downloading an import ([`fetch`]), reading it as
//! records in chunks ([`parse`]), and writing an export ([`export`]).

pub mod export;
pub mod fetch;
pub mod parse;
