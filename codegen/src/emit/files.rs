//! The generated crate's non-model files: `Cargo.toml` and `README.md` from
//! `askama` templates, and the small `lib.rs` that ties the modules together.

use askama::Template;

use super::rust::comment_header;
use proc_macro2::TokenStream;
use quote::quote;

use super::{EmitError, Options};
use crate::ir::{Api, TypeKind};

#[derive(Template)]
#[template(path = "Cargo.toml.txt", escape = "none")]
struct CargoToml<'a> {
    header: Vec<String>,
    name: &'a str,
    version: &'a str,
    description: String,
    chrono: bool,
    regex: bool,
    /// `serde_urlencoded`: the runtime's `object_params`.
    object_params: bool,
    /// `base64`: the runtime's `formats` or `basic_auth` use it.
    base64: bool,
    uuid: bool,
    /// `bytes` for every build, not only the server and the client.
    bytes_always: bool,
    /// The dependencies (and their features) of the `server` feature.
    server_features: String,
    /// The dependencies (and their features) of the `client` feature.
    client_features: String,
    /// `multer` and `tempfile`: the runtime's `multipart`.
    multipart: bool,
    /// `eventsource-stream`: the runtime's `events`, for the client.
    events: bool,
    /// `name = { version = "…", features = […] }` lines.
    dependencies: Vec<String>,
}

pub fn cargo_toml(api: &Api, options: &Options) -> Result<String, EmitError> {
    // With a bytes variant in `params`, `bytes` is a plain dependency.
    let bytes = (!api.bytes_in_params()).then_some("dep:bytes");
    let multipart = api.uses_multipart();
    let server_features: Vec<&str> = ["dep:axum"]
        .into_iter()
        .chain(bytes)
        .chain([
            "dep:percent-encoding",
            "dep:serde_path_to_error",
            "dep:tower-http",
            "dep:http-body-util",
            "dep:futures-core",
            "dep:tokio",
            "dep:tokio-util",
        ])
        .chain(
            multipart
                .then_some(["dep:multer", "dep:tempfile"])
                .into_iter()
                .flatten(),
        )
        .collect();
    let client_features: Vec<&str> = ["dep:reqwest", "reqwest/stream", "dep:tokio"]
        .into_iter()
        .chain(bytes)
        .chain(["dep:percent-encoding", "dep:futures-core", "dep:tokio-util"])
        .chain(multipart.then_some("reqwest/multipart"))
        .chain(api.uses_events().then_some("dep:eventsource-stream"))
        .collect();
    let name = options.crate_name(api);
    let version = options.crate_version(api);
    Ok(CargoToml {
        header: options.header().lines().map(str::to_owned).collect(),
        name: &name,
        version: &version,
        description: toml_string(&format!(
            "Rust types for {} {}, generated from its OpenAPI spec",
            api.title, api.version
        )),
        chrono: api.uses_chrono(),
        regex: !api.patterns.is_empty(),
        base64: api.uses_formats() || api.uses_basic_auth(),
        object_params: api.uses_object_params(),
        // The runtime's `formats` checks uuids with it too.
        uuid: api.uses_uuid() || api.uses_formats(),
        bytes_always: api.bytes_in_params(),
        server_features: feature_list(&server_features),
        client_features: feature_list(&client_features),
        multipart: api.uses_multipart(),
        events: api.uses_events(),
        dependencies: api
            .dependencies
            .iter()
            .map(|dependency| {
                let mut line = format!(
                    "{} = {{ version = {}",
                    dependency.name,
                    toml_string(&dependency.version)
                );
                if !dependency.features.is_empty() {
                    let features: Vec<String> =
                        dependency.features.iter().map(|f| toml_string(f)).collect();
                    line.push_str(&format!(", features = [{}]", features.join(", ")));
                }
                line.push_str(" }");
                line
            })
            .collect(),
    }
    .render()?)
}

/// `["a", "b"]`.
fn feature_list(features: &[&str]) -> String {
    let quoted: Vec<String> = features.iter().map(|f| toml_string(f)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A TOML basic string, quoted and escaped.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct TypeRow {
    name: String,
    kind: &'static str,
    origin: String,
    summary: String,
}

struct OperationRow {
    id: String,
    method: &'static str,
    path: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "README.md.txt", escape = "none")]
struct Readme<'a> {
    header: Vec<String>,
    name: &'a str,
    title: &'a str,
    version: &'a str,
    description: Option<String>,
    servers: Vec<(String, String)>,
    types: Vec<TypeRow>,
    operations: Vec<OperationRow>,
}

/// Text for one Markdown table cell: first line only, pipes escaped.
fn cell(text: Option<&str>) -> String {
    text.and_then(|t| t.trim().lines().next())
        .unwrap_or("")
        .trim()
        .replace('|', "\\|")
}

pub fn readme(api: &Api, options: &Options) -> Result<String, EmitError> {
    let name = options.crate_name(api);
    let types = api
        .types
        .iter()
        .map(|def| TypeRow {
            name: def.name.clone(),
            kind: match def.kind {
                TypeKind::Struct(_) => "struct",
                TypeKind::Enum(_) => "enum",
                TypeKind::Alias(_) => "alias",
                TypeKind::Union(_) => "enum (one of several types)",
            },
            origin: def.origin.clone(),
            summary: cell(def.docs.as_deref()),
        })
        .collect();
    let operations = api
        .operations
        .iter()
        .map(|op| OperationRow {
            id: op.id.clone(),
            method: op.method.as_str(),
            path: op.path.clone(),
            summary: cell(op.summary.as_deref().or(op.description.as_deref())),
        })
        .collect();
    Ok(Readme {
        header: options.header().lines().map(str::to_owned).collect(),
        name: &name,
        title: &api.title,
        version: &api.version,
        description: api.description.as_deref().map(|d| d.trim().to_owned()),
        servers: api
            .servers
            .iter()
            .map(|s| (s.url.clone(), cell(s.description.as_deref())))
            .collect(),
        types,
        operations,
    }
    .render()?)
}

/// `src/lib.rs`: the modules, `server` and `client` behind their features.
pub fn lib_rs(api: &Api, has_params: bool) -> TokenStream {
    let doc = format!(
        " Rust types for {} (version {}), generated from its OpenAPI spec.",
        api.title, api.version
    );
    let params = has_params.then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod params;
        }
    });
    let models_use = (!api.types.is_empty()).then(|| {
        quote!(
            pub use models::*;
        )
    });
    let params_use = has_params.then(|| {
        quote!(
            pub use params::*;
        )
    });
    quote! {
        #![doc = #doc]
        #![doc = ""]
        #![doc = " See the crate's README for the list of types and operations."]
        #![doc = ""]
        #![doc = " - `models`: the schemas, re-exported at the crate root."]
        #![doc = " - `params`: path, query, header and cookie parameters and form bodies per operation, re-exported at the crate root."]
        #![doc = " - `server` (cargo feature `server`, on by default): one trait per tag, reply enums and an axum router."]
        #![doc = " - `client` (cargo feature `client`, on by default): a typed `reqwest` client."]
        #![doc = " - `runtime`: support code copied unchanged from the generator."]
        // Spec descriptions are free text; their Markdown is kept as written.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client;
        #[rustfmt::skip]
        pub mod models;
        #params
        pub mod runtime;
        #[cfg(feature = "server")]
        #[rustfmt::skip]
        pub mod server;
        #[rustfmt::skip]
        pub mod spec;

        #models_use
        #params_use
    }
}

/// `src/spec.rs`: the spec as a raw string constant.
pub fn spec_rs(header: &str, spec_json: &str) -> String {
    let longest_run = spec_json
        .split('"')
        .skip(1)
        .map(|after_quote| after_quote.chars().take_while(|c| *c == '#').count())
        .max()
        .unwrap_or(0);
    let hashes = "#".repeat(longest_run + 1);
    let mut out = comment_header(header);
    out.push_str("\n/// The OpenAPI document this crate was generated from, as JSON.\n");
    out.push_str(&format!(
        "pub const OPENAPI_JSON: &str = r{hashes}\"{spec_json}\"{hashes};\n"
    ));
    out
}

/// The runtime's files, copied verbatim from `codegen/runtime/src/` (compiled
/// and tested there) to `src/runtime/` of the generated crate; `None`: always.
const RUNTIME: [(&str, &str, Option<Piece>); 16] = [
    (
        "basic_auth.rs",
        include_str!("../../runtime/src/basic_auth.rs"),
        Some(Piece::BasicAuth),
    ),
    (
        "client.rs",
        include_str!("../../runtime/src/client.rs"),
        None,
    ),
    ("enums.rs", include_str!("../../runtime/src/enums.rs"), None),
    (
        "events.rs",
        include_str!("../../runtime/src/events.rs"),
        Some(Piece::Events),
    ),
    (
        "form.rs",
        include_str!("../../runtime/src/form.rs"),
        Some(Piece::Form),
    ),
    (
        "formats.rs",
        include_str!("../../runtime/src/formats.rs"),
        Some(Piece::Formats),
    ),
    ("media.rs", include_str!("../../runtime/src/media.rs"), None),
    (
        "multipart.rs",
        include_str!("../../runtime/src/multipart.rs"),
        Some(Piece::Multipart),
    ),
    (
        "nullable.rs",
        include_str!("../../runtime/src/nullable.rs"),
        None,
    ),
    (
        "object_params.rs",
        include_str!("../../runtime/src/object_params.rs"),
        Some(Piece::ObjectParams),
    ),
    (
        "params.rs",
        include_str!("../../runtime/src/params.rs"),
        None,
    ),
    (
        "pattern.rs",
        include_str!("../../runtime/src/pattern.rs"),
        Some(Piece::Pattern),
    ),
    (
        "request_error.rs",
        include_str!("../../runtime/src/request_error.rs"),
        None,
    ),
    (
        "server.rs",
        include_str!("../../runtime/src/server.rs"),
        None,
    ),
    (
        "stream.rs",
        include_str!("../../runtime/src/stream.rs"),
        None,
    ),
    (
        "validate.rs",
        include_str!("../../runtime/src/validate.rs"),
        None,
    ),
];

/// Runtime files only some specs need (they bring dependencies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Pattern,
    Formats,
    BasicAuth,
    ObjectParams,
    /// Form bodies: for the server and the client only.
    Form,
    /// Multipart bodies: for the server and the client only.
    Multipart,
    /// Server-sent events: for the server and the client only.
    Events,
}

/// `src/runtime/*.rs`: `mod.rs`, then each runtime file the crate needs:
/// the header, then the file as it is.
pub fn runtime_files(header: &str, api: &Api) -> Vec<(String, String)> {
    let needed = |piece: Option<Piece>| match piece {
        None => true,
        Some(Piece::Pattern) => !api.patterns.is_empty(),
        Some(Piece::Formats) => api.uses_formats(),
        Some(Piece::BasicAuth) => api.uses_basic_auth(),
        Some(Piece::ObjectParams) => api.uses_object_params(),
        Some(Piece::Form) => api.uses_form_bodies(),
        Some(Piece::Multipart) => api.uses_multipart(),
        Some(Piece::Events) => api.uses_events(),
    };
    let mut modules = String::new();
    let mut files = Vec::new();
    for (name, source, piece) in RUNTIME {
        if !needed(piece) {
            continue;
        }
        let module = name.trim_end_matches(".rs");
        match module {
            "client" => modules.push_str("#[cfg(feature = \"client\")]\n"),
            "server" => modules.push_str("#[cfg(feature = \"server\")]\n"),
            "form" | "stream" | "multipart" | "events" => {
                modules.push_str("#[cfg(any(feature = \"server\", feature = \"client\"))]\n")
            }
            _ => {}
        }
        modules.push_str(&format!("pub mod {module};\n"));
        let mut contents = comment_header(header);
        contents.push('\n');
        contents.push_str(source);
        files.push((format!("src/runtime/{name}"), contents));
    }
    let mut mod_rs = comment_header(header);
    mod_rs.push_str(
        "\n//! Support code that does not depend on the spec, copied from the generator's\n\
         //! `codegen/runtime/`, where it is compiled and tested on its own.\n\n",
    );
    mod_rs.push_str(&modules);
    files.insert(0, ("src/runtime/mod.rs".to_owned(), mod_rs));
    files
}
