//! Comparing two versions of a spec: what changed, and whom it breaks.
//!
//! Both documents go through the same selection and lowering as `generate`,
//! so every change is named by the generated Rust items it touches, and
//! references are already resolved: a schema that moved keeps its shape. Each
//! change is judged on three axes (see [`Change`]): existing clients on the
//! wire (built from the old spec, talking to a server built from the new
//! one), existing servers (the reverse), and the Rust API of the generated
//! crate.

mod change;
mod flow;
mod operations;
mod report;
mod schemas;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use change::{Change, Level, Subject, Verdict};
pub use report::{Bump, FailOn, Semver, bump_between};

use crate::emit::Options;
use crate::error::{SpecError, escape_segment};
use crate::ir::{Api, TypeDef, TypeKind, TypeRef};
use crate::load::LoadedSpec;
use crate::select;
use flow::{Delta, Flow};

/// One version of the spec, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The file (or `REV:path`) it was read from.
    pub file: String,
    pub title: String,
    /// `info.version`.
    pub version: String,
}

/// Every change between two versions, in a fixed order: the API, then
/// operations by path and method, then schemas by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDiff {
    pub old: Side,
    pub new: Side,
    pub changes: Vec<Change>,
}

/// Selects and lowers both documents as `generate` would with `options`
/// (selection, type mappings, design rules), and compares them.
pub fn diff(old: &LoadedSpec, new: &LoadedSpec, options: &Options) -> Result<ApiDiff, SpecError> {
    crate::on_deep_stack(|| diff_here(old, new, options))
}

fn diff_here(old: &LoadedSpec, new: &LoadedSpec, options: &Options) -> Result<ApiDiff, SpecError> {
    let lower = |spec: &LoadedSpec| -> Result<Api, SpecError> {
        let selected = select::select(spec, &options.selection)?;
        Ok(crate::lower::lower(&selected, &options.types)?.api)
    };
    let old_api = lower(old)?;
    let new_api = lower(new)?;
    let side = |spec: &LoadedSpec, api: &Api| Side {
        file: spec.file.clone(),
        title: api.title.clone(),
        version: api.version.clone(),
    };
    Ok(ApiDiff {
        old: side(old, &old_api),
        new: side(new, &new_api),
        changes: diff_apis(&old_api, &new_api, options),
    })
}

/// The changes from one lowered API to another, generated with `options`.
pub fn diff_apis(old: &Api, new: &Api, options: &Options) -> Vec<Change> {
    let mut differ = Differ::new(old, new);
    differ.defaults = options.not_implemented_defaults(new);
    differ.non_exhaustive = !options.exhaustive;
    differ.unknown_values = options.unknown_enum_values;
    differ.compare_api();
    differ.compare_operations();
    differ.compare_types();
    let mut changes = differ.changes;
    // Stable: changes of one subject keep the order they were found in.
    changes.sort_by(|a, b| a.subject.cmp(&b.subject));
    changes
}

/// The comparison in progress: both APIs with their types by name, where
/// each type's values travel, and the changes found so far.
struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    old_defs: BTreeMap<&'a str, &'a TypeDef>,
    new_defs: BTreeMap<&'a str, &'a TypeDef>,
    old_flows: BTreeMap<String, Flow>,
    new_flows: BTreeMap<String, Flow>,
    /// Types compared because a reference moved from one to the other: what
    /// that did to the values they accept, and whether anything that
    /// matters on the wire was found (an optional property added changes no
    /// delta but is still reported).
    pairs: HashMap<(String, String), (Delta, bool)>,
    /// Trait methods of the new crate answer 501 by default: a new
    /// operation does not break implementors of an existing trait.
    defaults: bool,
    /// Types only responses carry are `#[non_exhaustive]` (no `--exhaustive`).
    non_exhaustive: bool,
    /// Response enums keep values they do not list (`--unknown-enum-values`).
    unknown_values: bool,
    /// How deep `wire_delta` is: a bound for types that only recursion ends.
    depth: usize,
    /// Comparing such a pair: the Rust API is not affected by what is found
    /// inside it (both types keep their names).
    in_pair: bool,
    /// The combined delta of what was found since the last reset.
    acc: Delta,
    changes: Vec<Change>,
}

/// A change being recorded; [`Differ::add`] turns it into a [`Change`].
struct Found {
    code: &'static str,
    message: String,
    old_pointer: Option<String>,
    new_pointer: Option<String>,
    rust_items: Vec<String>,
    flow: Flow,
    delta: Delta,
    /// Verdicts that differ from what `flow` and `delta` give.
    clients: Option<Verdict>,
    servers: Option<Verdict>,
    rust: Verdict,
}

fn found(code: &'static str, message: impl Into<String>) -> Found {
    Found {
        code,
        message: message.into(),
        old_pointer: None,
        new_pointer: None,
        rust_items: Vec::new(),
        flow: Flow::default(),
        delta: Delta::Neutral,
        clients: None,
        servers: None,
        rust: Verdict::none("the generated Rust API does not change"),
    }
}

impl Found {
    fn at(mut self, old: Option<&str>, new: Option<&str>) -> Self {
        self.old_pointer = old.map(str::to_owned);
        self.new_pointer = new.map(str::to_owned);
        self
    }

    fn items<I: IntoIterator<Item = String>>(mut self, items: I) -> Self {
        self.rust_items = items.into_iter().collect();
        self
    }

    fn wire(mut self, flow: Flow, delta: Delta) -> Self {
        self.flow = flow;
        self.delta = delta;
        self
    }

    fn sides(mut self, (clients, servers): (Verdict, Verdict)) -> Self {
        self.clients = Some(clients);
        self.servers = Some(servers);
        self
    }

    fn rust(mut self, verdict: Verdict) -> Self {
        self.rust = verdict;
        self
    }
}

impl<'a> Differ<'a> {
    fn new(old: &'a Api, new: &'a Api) -> Self {
        let defs = |api: &'a Api| -> BTreeMap<&'a str, &'a TypeDef> {
            api.types
                .iter()
                .map(|def| (def.name.as_str(), def))
                .collect()
        };
        Differ {
            old,
            new,
            old_defs: defs(old),
            new_defs: defs(new),
            old_flows: old.flows(),
            new_flows: new.flows(),
            pairs: HashMap::new(),
            depth: 0,
            defaults: false,
            non_exhaustive: false,
            unknown_values: false,
            in_pair: false,
            acc: Delta::Neutral,
            changes: Vec::new(),
        }
    }

    fn add(&mut self, subject: &Subject, found: Found) {
        let (clients, servers) = flow::wire(found.flow, found.delta);
        let rust = if self.in_pair {
            Verdict::none("both types keep their names; the reference to them is reported")
        } else {
            found.rust
        };
        self.acc = self.acc.and(found.delta);
        self.changes.push(Change {
            subject: subject.clone(),
            code: found.code,
            message: found.message,
            old_pointer: found.old_pointer,
            new_pointer: found.new_pointer,
            rust_items: found.rust_items,
            clients: found.clients.unwrap_or(clients),
            servers: found.servers.unwrap_or(servers),
            rust,
        });
    }

    /// Where the values of a type travel in either version.
    fn flow_of(&self, old_name: &str, new_name: &str) -> Flow {
        let old = self.old_flows.get(old_name).copied().unwrap_or_default();
        let new = self.new_flows.get(new_name).copied().unwrap_or_default();
        old.union(new)
    }

    /// Title, version, servers and security schemes.
    fn compare_api(&mut self) {
        let subject = Subject::Api;
        let (old, new) = (self.old, self.new);
        if old.version != new.version {
            let change = found(
                "version-changed",
                format!("`info.version` {} → {}", old.version, new.version),
            )
            .at(Some("#/info/version"), Some("#/info/version"));
            self.add(&subject, change);
        }
        if old.title != new.title {
            let (old_crate, new_crate) = (
                heck::ToKebabCase::to_kebab_case(old.title.as_str()),
                heck::ToKebabCase::to_kebab_case(new.title.as_str()),
            );
            let rust = if old_crate == new_crate {
                Verdict::none("the crate name derived from it stays the same")
            } else {
                Verdict::breaking(format!(
                    "the default crate name changes from `{old_crate}` to `{new_crate}` \
                     (`--crate-name` keeps it)"
                ))
            };
            let change = found(
                "title-changed",
                format!("title `{}` → `{}`", old.title, new.title),
            )
            .at(Some("#/info/title"), Some("#/info/title"))
            .rust(rust);
            self.add(&subject, change);
        }
        if old.description != new.description {
            let change = found("description-changed", "API description changed")
                .at(Some("#/info/description"), Some("#/info/description"));
            self.add(&subject, change);
        }
        if old.base_path != new.base_path {
            let both = || {
                Verdict::breaking(format!(
                    "every path moves from under `{}` to under `{}`",
                    old.base_path, new.base_path
                ))
            };
            let change = found(
                "base-path-changed",
                format!(
                    "base path of the first server `{}` → `{}`",
                    old.base_path, new.base_path
                ),
            )
            .at(Some("#/servers/0/url"), Some("#/servers/0/url"))
            .items(["server::BASE_PATH".to_owned()])
            .wire(Flow::REQUEST, Delta::Incompatible)
            .sides((both(), both()))
            .rust(Verdict::compatible(
                "`server::BASE_PATH` changes value; its type does not",
            ));
            self.add(&subject, change);
        }
        for server in &old.servers {
            if !new
                .servers
                .iter()
                .any(|s| s.const_name == server.const_name)
            {
                let change = found("server-removed", format!("server `{}` removed", server.url))
                    .at(Some("#/servers"), None)
                    .items([format!("client::{}", server.const_name)])
                    .rust(Verdict::breaking(format!(
                        "`client::{}` is gone",
                        server.const_name
                    )));
                self.add(&subject, change);
            }
        }
        for server in &new.servers {
            if !old
                .servers
                .iter()
                .any(|s| s.const_name == server.const_name)
            {
                let change = found("server-added", format!("server `{}` added", server.url))
                    .at(None, Some("#/servers"))
                    .items([format!("client::{}", server.const_name)])
                    .rust(Verdict::compatible(format!(
                        "a new constant `client::{}`",
                        server.const_name
                    )));
                self.add(&subject, change);
            }
        }
        self.compare_security_schemes();
    }
}

/// The JSON pointer of a type's schema: a component's, or the inline
/// schema's own.
fn type_pointer(def: &TypeDef) -> String {
    if def.origin.starts_with('#') {
        def.origin.clone()
    } else {
        format!("#/components/schemas/{}", escape_segment(&def.origin))
    }
}

/// What a kind of type is called in messages.
fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "an object",
        TypeKind::Enum(_) => "an enum",
        TypeKind::Union(_) => "a union (oneOf/anyOf)",
        TypeKind::Alias(_) => "a type alias",
    }
}

/// The Rust type as a user writes it outside the crate; aliases are
/// transparent in Rust, so they are seen through.
fn rust_type(defs: &BTreeMap<&str, &TypeDef>, ty: &TypeRef) -> String {
    rust_type_within(defs, ty, 0)
}

/// `depth` bounds aliases that only a container makes finite
/// (`Tree = Vec<Tree>`): past it, the alias keeps its name.
fn rust_type_within(defs: &BTreeMap<&str, &TypeDef>, ty: &TypeRef, depth: usize) -> String {
    let rust_type = |defs, ty| rust_type_within(defs, ty, depth + 1);
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::F32 => "f32".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::DateTime => "chrono::DateTime<chrono::Utc>".to_owned(),
        TypeRef::Date => "chrono::NaiveDate".to_owned(),
        TypeRef::Uuid => "uuid::Uuid".to_owned(),
        TypeRef::Base64 => "runtime::formats::Base64".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::JsonObject => "serde_json::Map<String, serde_json::Value>".to_owned(),
        TypeRef::Named(name) => match defs.get(name.as_str()).map(|def| &def.kind) {
            Some(TypeKind::Alias(target)) if target != ty && depth < 32 => rust_type(defs, target),
            _ => format!("models::{name}"),
        },
        TypeRef::Vec(inner) => format!("Vec<{}>", rust_type(defs, inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", rust_type(defs, inner)),
        TypeRef::Boxed(inner) => format!("Box<{}>", rust_type(defs, inner)),
        TypeRef::External(path) => path.clone(),
    }
}
