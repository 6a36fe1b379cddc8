//! Support code of a generated crate: the parts that do not depend on the spec.
//!
//! These files live in the generator's tree (`codegen/runtime/`), where they
//! are compiled, linted and tested on their own, and are copied verbatim into
//! each generated crate as `src/runtime/`, so a generated crate depends on no
//! unpublished crate. The generated modules (`models`, `params`, `server`,
//! `client`) re-export the types a user needs.

pub mod enums;
pub mod media;
pub mod nullable;
pub mod params;
pub mod request_error;
pub mod validate;

// Only in crates whose spec uses them (they bring `regex`, `uuid`, `base64` and `serde_urlencoded`).
#[cfg(feature = "basic-auth")]
pub mod basic_auth;
#[cfg(feature = "events")]
pub mod events;
#[cfg(feature = "form")]
pub mod form;
#[cfg(feature = "formats")]
pub mod formats;
#[cfg(feature = "multipart")]
pub mod multipart;
#[cfg(feature = "object-params")]
pub mod object_params;
#[cfg(feature = "pattern")]
pub mod pattern;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "streams")]
pub mod stream;
