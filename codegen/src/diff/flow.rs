//! Which way values travel, and what a tighter or looser schema does to the
//! side that did not change.
//!
//! A schema used in requests is written by clients and read by servers; one
//! used in responses the other way round. A change that accepts fewer values
//! (tighter) breaks whoever still writes the old values to a new reader; one
//! that accepts more (looser) breaks whoever still reads with the old schema.

pub use crate::ir::Flow;

use super::change::Verdict;

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
