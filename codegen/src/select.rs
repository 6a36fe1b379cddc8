//! Between load and lower: keep only the operations a selection names
//! (`--tag`, `--operation`) and the components they reach.
//!
//! Selecting works on the raw document, before anything is named, so a subset
//! generates exactly what a document holding only that subset would: the same
//! type names, the same models, and an embedded spec that describes only the
//! operations the crate serves.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::{ErrorKind, Location, SpecError};
use crate::load::{self, LoadedSpec, METHODS};

/// Which operations to generate. Empty: all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Operations carrying any of these tags.
    pub tags: Vec<String>,
    /// Operations with these `operationId`s (for an operation without one, the
    /// name derived from method and path, e.g. `get_pets_id`).
    pub operations: Vec<String>,
}

impl Selection {
    /// Whether everything is selected.
    pub fn is_all(&self) -> bool {
        self.tags.is_empty() && self.operations.is_empty()
    }

    /// The command-line flags that make this selection, in a fixed order.
    pub fn args(&self) -> String {
        let mut args = String::new();
        for tag in &self.tags {
            args.push_str(&format!(" --tag {}", shell_word(tag)));
        }
        for operation in &self.operations {
            args.push_str(&format!(" --operation {}", shell_word(operation)));
        }
        args
    }
}

/// Quotes a word for a POSIX shell when it needs quoting.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,:/@+=".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The document reduced to the selected operations, the tags they carry and
/// the components they reach (security schemes are all kept). Names in the
/// selection that match nothing are an error that lists what there is. With
/// nothing selected the document is returned as it is, not copied.
pub fn select<'a>(
    spec: &'a LoadedSpec,
    selection: &Selection,
) -> Result<Cow<'a, LoadedSpec>, SpecError> {
    if selection.is_all() {
        return Ok(Cow::Borrowed(spec));
    }
    let raw = &spec.raw;
    let mut matched_tags = BTreeSet::new();
    let mut matched_operations = BTreeSet::new();
    let mut all_tags = BTreeSet::new();
    // Tags of the operations kept: the document's `tags` list keeps only these.
    let mut kept_tags = BTreeSet::new();
    let mut paths = Map::new();
    let empty = Map::new();
    let source_paths = raw
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in source_paths {
        let Some(item) = resolve_path_item(raw, item) else {
            continue;
        };
        let mut kept = Map::new();
        let mut any = false;
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                kept.insert(key.clone(), value.clone());
                continue;
            }
            let tags: Vec<&str> = value
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            all_tags.extend(tags.iter().map(|tag| tag.to_string()));
            let id = operation_id(key, path, value);
            let by_tag: Vec<&String> = selection
                .tags
                .iter()
                .filter(|wanted| tags.contains(&wanted.as_str()))
                .collect();
            let by_id: Vec<&String> = selection
                .operations
                .iter()
                .filter(|wanted| **wanted == id)
                .collect();
            if by_tag.is_empty() && by_id.is_empty() {
                continue;
            }
            matched_tags.extend(by_tag);
            matched_operations.extend(by_id);
            kept_tags.extend(tags.iter().map(|tag| tag.to_string()));
            kept.insert(key.clone(), value.clone());
            any = true;
        }
        if any {
            paths.insert(path.clone(), Value::Object(kept));
        }
    }

    let unknown_tags: Vec<&String> = selection
        .tags
        .iter()
        .filter(|tag| !matched_tags.contains(tag))
        .collect();
    if !unknown_tags.is_empty() {
        let known: Vec<String> = all_tags.iter().map(|tag| format!("`{tag}`")).collect();
        return Err(unknown(
            spec,
            format!(
                "no operation has the tag {}; the tags of its operations are: {}",
                listed(&unknown_tags),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    let unknown_operations: Vec<&String> = selection
        .operations
        .iter()
        .filter(|operation| !matched_operations.contains(operation))
        .collect();
    if !unknown_operations.is_empty() {
        return Err(unknown(
            spec,
            format!(
                "no operation has the operationId {} (an operation without one is named after \
                 method and path, e.g. `get_pets_id`)",
                listed(&unknown_operations)
            ),
        ));
    }

    let mut selected = raw.clone();
    let root = selected
        .as_object_mut()
        .expect("a loaded document is a JSON object");
    root.insert("paths".to_owned(), Value::Object(paths));
    if let Some(Value::Array(tags)) = root.get_mut("tags") {
        tags.retain(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| kept_tags.contains(name))
        });
    }
    drop_unreached_extensions(&mut selected);
    prune_components(&mut selected);
    let document = load::deserialize_document(&selected, &spec.file)?;
    // Notes about what the selection keeps (a note names a keyword the
    // upgrade removed: its object must still be there).
    let notes = spec
        .notes
        .iter()
        .filter(|note| {
            let parent = note
                .pointer
                .rsplit_once('/')
                .map_or("#", |(parent, _)| parent);
            load::resolve_pointer(&selected, parent).is_ok()
        })
        .cloned()
        .collect();
    Ok(Cow::Owned(LoadedSpec {
        file: spec.file.clone(),
        document,
        raw: selected,
        notes,
    }))
}

fn unknown(spec: &LoadedSpec, message: String) -> SpecError {
    SpecError {
        kind: ErrorKind::UnknownSelection,
        file: spec.file.clone(),
        location: Location::File,
        message,
    }
}

fn listed(names: &[&String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name an operation answers to: its `operationId`, or without one the
/// name lowering derives from method and path.
fn operation_id(method: &str, path: &str, operation: &Value) -> String {
    match operation.get("operationId").and_then(Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_owned(),
        _ => crate::names::derived_operation_id(method, path),
    }
}

/// A path item, following `$ref`s to other local path items.
fn resolve_path_item<'a>(root: &'a Value, mut item: &'a Value) -> Option<&'a Map<String, Value>> {
    for _ in 0..32 {
        match item.get("$ref").and_then(Value::as_str) {
            Some(reference) => item = load::resolve_pointer(root, reference).ok()?,
            None => return item.as_object(),
        }
    }
    None
}

/// Whether a root key describes the whole API rather than operations:
/// extensions (`x-webhooks`, …) and `webhooks`.
fn is_whole_api(key: &str) -> bool {
    key.starts_with("x-") || key == "webhooks"
}

/// Drops root extensions and `webhooks` that the selected operations do not
/// reach: kept, their `$ref`s would keep every component they reach (GitHub's
/// `x-webhooks` reach thousands of schemas).
fn drop_unreached_extensions(document: &mut Value) {
    let reached = reachable(document, |key| key == "components" || is_whole_api(key));
    if let Some(root) = document.as_object_mut() {
        root.retain(|key, _| {
            !is_whole_api(key) || {
                let prefix = format!("#/{}", key.replace('~', "~0").replace('/', "~1"));
                reached
                    .iter()
                    .any(|r| r == &prefix || r.starts_with(&format!("{prefix}/")))
            }
        });
    }
}

/// Every `$ref` reached from the root keys `skip` does not exclude, directly
/// or through the nodes they point at.
fn reachable(document: &Value, skip: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut pending = Vec::new();
    if let Some(root) = document.as_object() {
        for (key, value) in root {
            if !skip(key) {
                collect_refs(value, key, &mut pending);
            }
        }
    }
    while let Some(reference) = pending.pop() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Ok(target) = load::resolve_pointer(document, &reference) {
            let parent = reference.rsplit('/').nth(1).unwrap_or_default();
            collect_refs(target, parent, &mut pending);
        }
    }
    reached
}

/// Drops every component (other than security schemes) that nothing outside
/// `components` reaches through `$ref`s, directly or through other components.
fn prune_components(document: &mut Value) {
    let reached = reachable(document, |key| key == "components");
    // `#/components/<section>/<name>` (and anything below it) keeps that entry.
    let mut keep: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for reference in &reached {
        let mut segments = reference.trim_start_matches("#/").split('/');
        if let (Some("components"), Some(section), Some(name)) =
            (segments.next(), segments.next(), segments.next())
        {
            keep.entry(unescape(section))
                .or_default()
                .insert(unescape(name));
        }
    }
    let Some(Value::Object(components)) = document.get_mut("components") else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        if section == "securitySchemes" || section.starts_with("x-") {
            continue;
        }
        if let Value::Object(entries) = entries {
            let wanted = keep.get(section);
            entries.retain(|name, _| wanted.is_some_and(|wanted| wanted.contains(name)));
        }
    }
    components.retain(|section, entries| {
        !entries.as_object().is_some_and(Map::is_empty) || section == "securitySchemes"
    });
}

/// Every `$ref` below `node` (held under the key `parent`), skipping data.
fn collect_refs(node: &Value, parent: &str, out: &mut Vec<String>) {
    let found: Result<(), std::convert::Infallible> =
        load::for_each_ref(node, parent, "#", &mut |reference, _| {
            out.extend(reference.as_str().map(str::to_owned));
            Ok(())
        });
    let Ok(()) = found;
}

/// Undoes JSON pointer escaping of one segment (RFC 6901).
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_quoted_only_when_a_shell_needs_it() {
        let selection = Selection {
            tags: vec!["Tasks".to_owned(), "Credit Notes".to_owned()],
            operations: vec!["get_pets_id".to_owned()],
        };
        assert_eq!(
            selection.args(),
            " --tag Tasks --tag 'Credit Notes' --operation get_pets_id"
        );
    }
}
