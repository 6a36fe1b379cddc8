//! Files in and out: downloading an import ([`fetch`]), reading it as
//! records in chunks ([`parse`]), writing an export ([`export`]), and the
//! object store both are kept in ([`storage`]).

pub mod export;
pub mod fetch;
pub mod parse;
pub mod storage;
