//! What a diff amounts to (the version bump it needs, whether a gate
//! fails) and its three renderings: text for a terminal, Markdown for a
//! pull request or a change log, JSON for machines (schema in the README).

use serde::Serialize;

use super::change::{Change, Level, Subject};
use super::{ApiDiff, Side};
use crate::version::Version;

/// A semantic-version bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// The bump from one `info.version` to another; `None` when either is not
/// a version number (see [`Version::parse`]) or it went down.
pub fn bump_between(old: &str, new: &str) -> Option<Bump> {
    let (a, b) = (Version::parse(old)?, Version::parse(new)?);
    if b.numbers < a.numbers {
        return None;
    }
    Some(if a.numbers == b.numbers {
        match (&a.pre, &b.pre) {
            _ if old == new => Bump::None,
            // `1.0.0` → `1.0.0-beta` goes down.
            (None, Some(_)) => return None,
            _ => Bump::Patch,
        }
    } else if a.numbers[0] != b.numbers[0] {
        Bump::Major
    } else if a.numbers[1] != b.numbers[1] {
        Bump::Minor
    } else {
        Bump::Patch
    })
}

/// The bump the generated crate needs, and what `info.version` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    /// Major when anything breaks on any axis; minor when something is
    /// added or behaves differently; patch for documentation only.
    pub needed: Bump,
    /// What the change of `info.version` amounts to; `None` when it is
    /// not made of numbers or went down.
    pub info_version: Option<Bump>,
    /// Whether `info.version` moved at least as far as needed.
    pub sufficient: bool,
}

impl ApiDiff {
    pub fn semver(&self) -> Semver {
        let needed = if self.changes.is_empty() {
            Bump::None
        } else if self.changes.iter().any(Change::is_breaking) {
            Bump::Major
        } else if self.changes.iter().any(|c| {
            [&c.clients, &c.servers, &c.rust]
                .iter()
                .any(|v| v.level == Level::Compatible)
        }) {
            Bump::Minor
        } else {
            Bump::Patch
        };
        let info_version = bump_between(&self.old.version, &self.new.version);
        Semver {
            needed,
            info_version,
            sufficient: info_version.is_some_and(|bump| bump >= needed),
        }
    }

    /// How many changes break each axis: clients, servers, Rust.
    pub fn breaking_counts(&self) -> (usize, usize, usize) {
        let count = |axis: fn(&Change) -> Level| {
            self.changes
                .iter()
                .filter(|c| axis(c) == Level::Breaking)
                .count()
        };
        (
            count(|c| c.clients.level),
            count(|c| c.servers.level),
            count(|c| c.rust.level),
        )
    }

    /// Whether the gate `--fail-on` fails.
    pub fn fails(&self, gate: FailOn) -> bool {
        self.changes.iter().any(|change| gate.catches(change))
    }

    /// Changes grouped by subject, in order.
    fn groups(&self) -> Vec<(&Subject, Vec<&Change>)> {
        let mut groups: Vec<(&Subject, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            match groups.last_mut() {
                Some((subject, changes)) if *subject == &change.subject => changes.push(change),
                _ => groups.push((&change.subject, vec![change])),
            }
        }
        groups
    }

    fn headline(&self) -> String {
        let side = |s: &Side| format!("{} {} ({})", s.title, s.version, s.file);
        format!("{} → {}", side(&self.old), side(&self.new))
    }

    fn version_line(&self) -> String {
        let semver = self.semver();
        let info = match semver.info_version {
            Some(Bump::None) => format!("`info.version` stays {}", self.new.version),
            Some(bump) => format!(
                "`info.version` {} → {} is a {} bump",
                self.old.version,
                self.new.version,
                bump.as_str()
            ),
            None => format!(
                "`info.version` {} → {} is not a numbered version bump",
                self.old.version, self.new.version
            ),
        };
        let verdict = if semver.sufficient {
            "enough"
        } else {
            "not enough"
        };
        format!(
            "the generated crate needs a {} version bump; {info}: {verdict}",
            semver.needed.as_str()
        )
    }

    /// For a terminal: a summary, then each change with the reasons it
    /// breaks anything and where it is.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.changes.is_empty() {
            out.push_str(&format!("no API changes: {}\n", self.headline()));
            return out;
        }
        let (clients, servers, rust) = self.breaking_counts();
        out.push_str(&format!(
            "API changes: {}\n{} change(s); breaking for existing clients: {clients}, for existing \
             servers: {servers}, for Rust code: {rust}\n{}\n",
            self.headline(),
            self.changes.len(),
            self.version_line()
        ));
        for (subject, changes) in self.groups() {
            out.push_str(&format!("\n{subject}\n"));
            for change in changes {
                out.push_str(&format!(
                    "  - {}  (clients: {}, servers: {}, rust: {})\n",
                    change.message,
                    change.clients.level.as_str(),
                    change.servers.level.as_str(),
                    change.rust.level.as_str()
                ));
                for (axis, verdict) in [
                    ("clients", &change.clients),
                    ("servers", &change.servers),
                    ("rust", &change.rust),
                ] {
                    if verdict.level == Level::Breaking {
                        out.push_str(&format!("      {axis}: {}\n", verdict.why));
                    }
                }
                out.push_str(&format!("      at {}\n", pointers(change)));
            }
        }
        out
    }

    /// For a pull request or a change log.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "## API changes: {} {} → {} {}\n\n",
            self.old.title, self.old.version, self.new.title, self.new.version
        );
        if self.changes.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        let (clients, servers, rust) = self.breaking_counts();
        out.push_str(&format!(
            "**{} change(s)**: breaking for existing clients: {clients}, for existing servers: \
             {servers}, for Rust code: {rust}.\n\n{}.\n",
            self.changes.len(),
            capitalize(&self.version_line())
        ));
        let cell = |v: &super::Verdict| match v.level {
            Level::Breaking => format!("**breaking**: {}", table_text(&v.why)),
            Level::Compatible => "compatible".to_owned(),
            Level::None => "—".to_owned(),
        };
        for (subject, changes) in self.groups() {
            out.push_str(&format!(
                "\n### {}\n\n| change | existing clients | existing servers | Rust API |\n| --- | --- | --- | --- |\n",
                table_text(&subject.to_string())
            ));
            for change in changes {
                let mut what = table_text(&change.message);
                what.push_str(&format!("<br>`{}`", table_text(&pointers(change))));
                if !change.rust_items.is_empty() {
                    let items: Vec<String> =
                        change.rust_items.iter().map(|i| format!("`{i}`")).collect();
                    what.push_str(&format!("<br>{}", items.join(", ")));
                }
                out.push_str(&format!(
                    "| {what} | {} | {} | {} |\n",
                    cell(&change.clients),
                    cell(&change.servers),
                    cell(&change.rust)
                ));
            }
        }
        out
    }

    /// Stable JSON (`"format": "codegen-diff/1"`); fields are documented in
    /// the README.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Breaking {
            clients: usize,
            servers: usize,
            rust: usize,
        }
        #[derive(Serialize)]
        struct Summary {
            changes: usize,
            breaking: Breaking,
        }
        #[derive(Serialize)]
        struct Report<'a> {
            format: &'static str,
            old: &'a Side,
            new: &'a Side,
            summary: Summary,
            semver: Semver,
            changes: &'a [Change],
        }
        let (clients, servers, rust) = self.breaking_counts();
        let report = Report {
            format: "codegen-diff/1",
            old: &self.old,
            new: &self.new,
            summary: Summary {
                changes: self.changes.len(),
                breaking: Breaking {
                    clients,
                    servers,
                    rust,
                },
            },
            semver: self.semver(),
            changes: &self.changes,
        };
        let mut text = serde_json::to_string_pretty(&report)
            .unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"));
        text.push('\n');
        text
    }
}

/// `old → new`, or the one there is.
fn pointers(change: &Change) -> String {
    match (&change.old_pointer, &change.new_pointer) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (Some(a), None) => format!("{a} (old)"),
        (None, Some(b)) => b.clone(),
        (None, None) => String::new(),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text safe inside a Markdown table cell.
fn table_text(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Which changes make `codegen diff --fail-on` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Breaking on any axis.
    Breaking,
    /// Breaking the Rust API of the generated crate.
    Rust,
    /// Breaking existing clients or existing servers on the wire.
    Wire,
    /// Breaking existing clients.
    Clients,
    /// Breaking existing servers.
    Servers,
    /// Any change at all, documentation included.
    Any,
}

impl FailOn {
    pub const NAMES: &[&str] = &["breaking", "rust", "wire", "clients", "servers", "any"];

    pub fn catches(self, change: &Change) -> bool {
        match self {
            FailOn::Breaking => change.is_breaking(),
            FailOn::Rust => change.rust.level == Level::Breaking,
            FailOn::Wire => change.wire_breaking(),
            FailOn::Clients => change.clients.level == Level::Breaking,
            FailOn::Servers => change.servers.level == Level::Breaking,
            FailOn::Any => true,
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "breaking" => FailOn::Breaking,
            "rust" => FailOn::Rust,
            "wire" => FailOn::Wire,
            "clients" => FailOn::Clients,
            "servers" => FailOn::Servers,
            "any" => FailOn::Any,
            other => {
                return Err(format!(
                    "unknown --fail-on `{other}`; one of: {}",
                    FailOn::NAMES.join(", ")
                ));
            }
        })
    }
}
