//! Which way values travel, and what a tighter or looser schema does to the
//! side that did not change.
//!
//! A schema used in requests is written by clients and read by servers; one
//! used in responses the other way round. A change that accepts fewer values
//! (tighter) breaks whoever still writes the old values to a new reader; one
//! that accepts more (looser) breaks whoever still reads with the old schema.

use std::collections::BTreeMap;

use crate::ir::{Api, BodyKind, ResponseContent, TypeKind, TypeRef};

use super::change::Verdict;

/// Where a type's values travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    /// Written by clients, read by servers.
    pub request: bool,
    /// Written by servers, read by clients.
    pub response: bool,
}

impl Flow {
    pub const REQUEST: Flow = Flow {
        request: true,
        response: false,
    };
    pub const RESPONSE: Flow = Flow {
        request: false,
        response: true,
    };

    pub fn union(self, other: Flow) -> Flow {
        Flow {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

/// What a change does to the set of values a schema accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delta {
    /// Nothing on the wire changes (documentation, Rust names).
    Neutral,
    /// Fewer values are accepted.
    Tightened,
    /// More values are accepted.
    Loosened,
    /// Some values are lost and others gained: a different type.
    Incompatible,
}

impl Delta {
    /// Both changes together.
    pub fn and(self, other: Delta) -> Delta {
        match (self, other) {
            (Delta::Neutral, other) | (other, Delta::Neutral) => other,
            (a, b) if a == b => a,
            _ => Delta::Incompatible,
        }
    }
}

/// The verdicts for existing clients and existing servers of a change that
/// moves a schema's values by `delta`, where values travel by `flow`.
pub fn wire(flow: Flow, delta: Delta) -> (Verdict, Verdict) {
    if delta == Delta::Neutral {
        let same = || Verdict::none("nothing changes on the wire");
        return (same(), same());
    }
    if !flow.request && !flow.response {
        let unused = || Verdict::none("no operation sends or receives it");
        return (unused(), unused());
    }
    let mut clients = Verdict::none("");
    let mut servers = Verdict::none("");
    let tighter = matches!(delta, Delta::Tightened | Delta::Incompatible);
    let looser = matches!(delta, Delta::Loosened | Delta::Incompatible);
    if flow.request {
        clients = clients.worst(if tighter {
            Verdict::breaking("the new server refuses requests that old clients may send")
        } else {
            Verdict::compatible("requests of old clients stay valid")
        });
        servers = servers.worst(if looser {
            Verdict::breaking("old servers refuse requests that new clients may send")
        } else {
            Verdict::compatible("old servers accept what new clients send")
        });
    }
    if flow.response {
        clients = clients.worst(if looser {
            Verdict::breaking("old clients cannot read responses the new server may send")
        } else {
            Verdict::compatible("old clients read what the new server sends")
        });
        servers = servers.worst(if tighter {
            Verdict::breaking("new clients cannot read responses old servers may send")
        } else {
            Verdict::compatible("new clients read what old servers send")
        });
    }
    (clients, servers)
}

/// Where each named type's values travel: into requests (bodies,
/// parameters), out in responses (bodies, headers), through every type
/// that holds it.
pub fn flows(api: &Api) -> BTreeMap<String, Flow> {
    let types: BTreeMap<&str, &TypeKind> = api
        .types
        .iter()
        .map(|def| (def.name.as_str(), &def.kind))
        .collect();
    let mut found: BTreeMap<String, Flow> = BTreeMap::new();
    let mut mark = |ty: &TypeRef, flow: Flow| {
        let mut stack = vec![ty.clone()];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
                    stack.push(*inner)
                }
                TypeRef::Named(name) => {
                    let entry = found.entry(name.clone()).or_default();
                    if entry.union(flow) == *entry {
                        continue;
                    }
                    *entry = entry.union(flow);
                    match types.get(name.as_str()) {
                        Some(TypeKind::Struct(s)) => {
                            stack.extend(s.fields.iter().map(|f| f.ty.clone()));
                            stack.extend(s.additional.iter().map(|a| a.ty.clone()));
                        }
                        Some(TypeKind::Union(u)) => {
                            stack.extend(u.variants.iter().map(|v| v.ty.clone()))
                        }
                        Some(TypeKind::Alias(target)) => stack.push(target.clone()),
                        Some(TypeKind::Enum(_)) | None => {}
                    }
                }
                _ => {}
            }
        }
    };
    for op in &api.operations {
        for param in &op.params {
            mark(&param.ty, Flow::REQUEST);
        }
        if let Some(body) = &op.body
            && let BodyKind::Json(Some(ty)) = &body.kind
        {
            mark(ty, Flow::REQUEST);
        }
        for response in &op.responses {
            if let ResponseContent::Json { ty: Some(ty), .. } = &response.content {
                mark(ty, Flow::RESPONSE);
            }
            for header in &response.headers {
                mark(&header.ty, Flow::RESPONSE);
            }
        }
    }
    found
}
