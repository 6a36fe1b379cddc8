//! One difference between two versions of a spec, judged on three axes.

use serde::Serialize;

/// How much a change matters to one kind of user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not affected at all.
    None,
    /// Affected, and it keeps working (or, for Rust, gains something).
    Compatible,
    /// It stops working: requests refused, responses unreadable, code that
    /// no longer compiles.
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Compatible => "compatible",
            Level::Breaking => "breaking",
        }
    }
}

/// A level and the reason for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub level: Level,
    pub why: String,
}

impl Verdict {
    pub fn none(why: impl Into<String>) -> Self {
        Verdict {
            level: Level::None,
            why: why.into(),
        }
    }

    pub fn compatible(why: impl Into<String>) -> Self {
        Verdict {
            level: Level::Compatible,
            why: why.into(),
        }
    }

    pub fn breaking(why: impl Into<String>) -> Self {
        Verdict {
            level: Level::Breaking,
            why: why.into(),
        }
    }

    /// The graver of two verdicts (the first on a tie).
    pub fn worst(self, other: Verdict) -> Verdict {
        if other.level > self.level {
            other
        } else {
            self
        }
    }
}

/// What a change belongs to, for grouping: the API as a whole, one
/// operation, or one generated type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    Api,
    /// Keyed by the path as written in the new version (the old one for a
    /// removed operation).
    Operation {
        path: String,
        method: String,
        id: String,
    },
    /// A generated type, by its Rust name (`CreateTaskRequest`), or a pair
    /// `Old → New` when a reference moved from one type to another.
    Schema {
        name: String,
    },
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Api => f.write_str("the API"),
            Subject::Operation { path, method, id } => {
                write!(f, "operation `{id}` ({method} {path})")
            }
            Subject::Schema { name } => write!(f, "schema `{name}`"),
        }
    }
}

/// One change, where it is in both versions, what generated Rust it
/// touches, and what it does to existing clients, existing servers and
/// users of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub subject: Subject,
    /// A stable identifier of the kind of change (`property-became-required`).
    pub code: &'static str,
    pub message: String,
    /// JSON pointer in the old document; `None` when the thing is new.
    pub old_pointer: Option<String>,
    /// JSON pointer in the new document; `None` when the thing is gone.
    pub new_pointer: Option<String>,
    /// The generated items it touches (`models::Task::name`, `TasksApi::get_task`).
    pub rust_items: Vec<String>,
    /// A client built from the old spec, talking to a server built from the new one.
    pub clients: Verdict,
    /// A server built from the old spec, called by clients built from the new one.
    pub servers: Verdict,
    /// Code that uses the generated crate, rebuilt against the new version.
    pub rust: Verdict,
}

impl Change {
    /// Breaking on any axis.
    pub fn is_breaking(&self) -> bool {
        self.wire_breaking() || self.rust.level == Level::Breaking
    }

    /// Breaking for existing clients or existing servers.
    pub fn wire_breaking(&self) -> bool {
        self.clients.level == Level::Breaking || self.servers.level == Level::Breaking
    }
}
