//! OpenAPI 3.1 read as 3.0. The JSON of a 3.1 document is rewritten in
//! place, node by node, into the 3.0 form the rest of the pipeline reads
//! (`openapiv3` stays the document model), so every pointer still names the
//! node of the original text. What 3.0 cannot say is reported at its pointer,
//! with the fallback that is generated instead.

use serde_json::{Map, Value, json};

use super::{is_data_key, is_name_map};
use crate::diagnostics::Diagnostic;
use crate::error::child;

/// Whether the document says it is OpenAPI 3.1.
pub(super) fn is_31(raw: &Value) -> bool {
    raw.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|version| version == "3.1" || version.starts_with("3.1."))
}

/// Rewrites a 3.1 document as 3.0; the notes say what could not be kept.
pub(super) fn upgrade(raw: &mut Value) -> Vec<Diagnostic> {
    let mut notes = Notes::default();
    let Some(root) = raw.as_object_mut() else {
        return notes.0;
    };
    root.insert("openapi".to_owned(), json!("3.0.3"));
    // Annotations 3.0 has no place for.
    root.remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && let Some(identifier) = license.remove("identifier")
            && !license.contains_key("url")
            && let Some(identifier) = identifier.as_str()
        {
            // The SPDX identifier as the license's page.
            license.insert(
                "url".to_owned(),
                json!(format!("https://spdx.org/licenses/{identifier}.html")),
            );
        }
    }
    if root.remove("webhooks").is_some() {
        notes.add(
            "#/webhooks",
            "webhooks are not generated: the API calls them, this crate neither serves nor \
             calls them",
        );
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut)
        && let Some(items) = components.remove("pathItems")
    {
        // A path item `$ref` into them is replaced by the item itself.
        let items = items.as_object().cloned().unwrap_or_default();
        if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
            for item in paths.values_mut() {
                let target = item
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|reference| reference.strip_prefix("#/components/pathItems/"))
                    .and_then(|key| items.get(&key.replace("~1", "/").replace("~0", "~")));
                if let Some(target) = target {
                    *item = target.clone();
                }
            }
        }
    }
    // 3.1 makes `paths` and an operation's `responses` optional.
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in super::METHODS {
                if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                    operation.entry("responses").or_insert_with(|| json!({}));
                }
            }
        }
    }
    mutual_tls(root, &mut notes);
    walk(raw, "", "#", &mut notes);
    notes.0
}

/// `mutualTLS` schemes: TLS client certificates, which the transport checks
/// (or not), not the generated code; the scheme and its uses go.
fn mutual_tls(root: &mut Map<String, Value>, notes: &mut Notes) {
    let Some(schemes) = root
        .get_mut("components")
        .and_then(|components| components.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let names: Vec<String> = schemes
        .iter()
        .filter(|(_, scheme)| scheme.get("type") == Some(&json!("mutualTLS")))
        .map(|(name, _)| name.clone())
        .collect();
    for name in &names {
        schemes.remove(name);
        notes.add(
            &child("#/components/securitySchemes", name),
            format!(
                "the `mutualTLS` scheme `{name}` is not checked: TLS client certificates are the \
                 HTTP server's and client's to configure; requirements naming it need nothing else"
            ),
        );
    }
    if names.is_empty() {
        return;
    }
    let drop = |requirements: &mut Value| {
        if let Some(list) = requirements.as_array_mut() {
            for requirement in list.iter_mut() {
                if let Some(requirement) = requirement.as_object_mut() {
                    requirement.retain(|scheme, _| !names.contains(scheme));
                }
            }
        }
    };
    if let Some(security) = root.get_mut("security") {
        drop(security);
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in super::METHODS {
                if let Some(security) = item.get_mut(method).and_then(|op| op.get_mut("security")) {
                    drop(security);
                }
            }
        }
    }
}

#[derive(Default)]
struct Notes(Vec<Diagnostic>);

impl Notes {
    fn add(&mut self, pointer: &str, message: impl Into<String>) {
        self.0.push(Diagnostic {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }
}

/// Finds the schemas of the document (`schema` of a parameter, header or
/// media type, `components/schemas`) and upgrades each.
fn walk(node: &mut Value, parent: &str, pointer: &str, notes: &mut Notes) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_data_key(parent, key) {
                    continue;
                }
                let at = child(pointer, key);
                if key == "schema" && !is_name_map(parent) {
                    schema(value, &at, notes);
                } else if key == "schemas" && parent == "components" {
                    if let Some(schemas) = value.as_object_mut() {
                        for (name, value) in schemas.iter_mut() {
                            schema(value, &child(&at, name), notes);
                        }
                    }
                } else {
                    walk(value, key, &at, notes);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk(item, "", &child(pointer, &index.to_string()), notes);
            }
        }
        _ => {}
    }
}

/// Keywords whose value is one schema.
const ONE_SCHEMA: [&str; 5] = [
    "items",
    "not",
    "additionalProperties",
    "contains",
    "propertyNames",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to schemas.
const SCHEMA_MAPS: [&str; 4] = [
    "properties",
    "$defs",
    "patternProperties",
    "dependentSchemas",
];

/// Upgrades one schema, then the schemas inside it.
fn schema(node: &mut Value, pointer: &str, notes: &mut Notes) {
    // Boolean schemas: `true` takes anything, `false` nothing.
    if let Value::Bool(accepts) = node {
        if !*accepts {
            notes.add(
                pointer,
                "the schema `false` (no value is valid) is read as any value: 3.0 cannot say it",
            );
        }
        *node = json!({});
        return;
    }
    let Some(map) = node.as_object_mut() else {
        return;
    };
    for key in ONE_SCHEMA {
        // `additionalProperties: false` is 3.0 already.
        if let Some(inner) = map.get_mut(key)
            && !(key == "additionalProperties" && inner.is_boolean())
        {
            schema(inner, &child(pointer, key), notes);
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            let at = child(pointer, key);
            for (index, item) in items.iter_mut().enumerate() {
                schema(item, &child(&at, &index.to_string()), notes);
            }
        }
    }
    for key in SCHEMA_MAPS {
        if let Some(Value::Object(entries)) = map.get_mut(key) {
            let at = child(pointer, key);
            for (name, item) in entries.iter_mut() {
                schema(item, &child(&at, name), notes);
            }
        }
    }
    types(map, pointer, notes);
    null_members(map);
    reference_siblings(map);
    if let Some(value) = map.remove("const")
        && !map.contains_key("enum")
    {
        map.insert("enum".to_owned(), Value::Array(vec![value]));
    }
    if let Some(Value::Array(examples)) = map.remove("examples")
        && !map.contains_key("example")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".to_owned(), first);
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        bounds(map, exclusive, bound);
    }
    content(map);
    unsupported(map, pointer, notes);
}

/// `type: [T, "null"]` is `type: T, nullable: true`; several types are a
/// union of them.
fn types(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    let nullable = match map.get("type") {
        Some(Value::String(single)) if single == "null" => {
            map.remove("type");
            true
        }
        Some(Value::Array(list)) => {
            let nullable = list.iter().any(|t| t == "null");
            let kinds: Vec<Value> = list.iter().filter(|t| *t != "null").cloned().collect();
            map.remove("type");
            match kinds.as_slice() {
                [] => {}
                [one] => {
                    map.insert("type".to_owned(), one.clone());
                }
                several => {
                    notes.add(
                        &child(pointer, "type"),
                        "several types are a union of them (`anyOf` of each type); the \
                         schema's other keywords hold for each",
                    );
                    let members: Vec<Value> = several
                        .iter()
                        .map(|kind| {
                            let mut member = Map::new();
                            member.insert("type".to_owned(), kind.clone());
                            // `items` belongs to the array member.
                            if kind == "array"
                                && let Some(items) = map.get("items")
                            {
                                member.insert("items".to_owned(), items.clone());
                            }
                            Value::Object(member)
                        })
                        .collect();
                    map.remove("items");
                    map.insert("anyOf".to_owned(), Value::Array(members));
                }
            }
            nullable
        }
        _ => false,
    };
    if nullable {
        map.insert("nullable".to_owned(), json!(true));
    }
}

/// `anyOf`/`oneOf` with a `{type: null}` member (already `nullable`, without
/// a type): the member goes, the schema becomes nullable; one member left is
/// the schema (through `allOf`, which also keeps a `$ref` whole).
fn null_members(map: &mut Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(key) else {
            continue;
        };
        let is_null = |member: &Value| {
            member.as_object().is_some_and(|m| {
                m.get("nullable") == Some(&json!(true))
                    && m.keys()
                        .all(|k| matches!(k.as_str(), "nullable" | "description" | "title"))
            })
        };
        let before = members.len();
        members.retain(|member| !is_null(member));
        if members.len() == before {
            continue;
        }
        map.insert("nullable".to_owned(), json!(true));
        if let Some(Value::Array(members)) = map.get(key)
            && members.len() == 1
        {
            let only = members[0].clone();
            map.remove(key);
            map.insert("allOf".to_owned(), Value::Array(vec![only]));
        }
    }
}

/// `$ref` beside other keywords (3.1 applies both): the reference goes into
/// an `allOf`, so the keywords beside it hold too. Annotations beside it
/// are its use's docs, which 3.0 drops as the generator always did.
fn reference_siblings(map: &mut Map<String, Value>) {
    if !map.contains_key("$ref") {
        return;
    }
    let applies = map.keys().any(|key| {
        !matches!(
            key.as_str(),
            "$ref" | "description" | "summary" | "title" | "example" | "examples" | "deprecated"
        ) && !key.starts_with("x-")
    });
    if applies && let Some(reference) = map.remove("$ref") {
        let mut member = Map::new();
        member.insert("$ref".to_owned(), reference);
        map.insert("allOf".to_owned(), json!([member]));
    }
}

/// A numeric `exclusiveMinimum: n` is `minimum: n, exclusiveMinimum: true`
/// (the stricter bound when `minimum` is given too).
fn bounds(map: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    let Some(limit) = map.get(exclusive).and_then(Value::as_f64) else {
        return;
    };
    let value = map.get(exclusive).cloned().unwrap_or_default();
    let stricter = match map.get(bound).and_then(Value::as_f64) {
        None => true,
        Some(given) if bound == "minimum" => limit >= given,
        Some(given) => limit <= given,
    };
    if stricter {
        map.insert(bound.to_owned(), value);
        map.insert(exclusive.to_owned(), json!(true));
    } else {
        map.remove(exclusive);
    }
}

/// `contentEncoding: base64` is `format: byte`; other encoded or non-JSON
/// content in a string is `format: binary`.
fn content(map: &mut Map<String, Value>) {
    let encoding = map.remove("contentEncoding");
    let media = map.remove("contentMediaType");
    if map.contains_key("format") || (encoding.is_none() && media.is_none()) {
        return;
    }
    let format = match encoding.as_ref().and_then(Value::as_str) {
        Some(encoding) if encoding.eq_ignore_ascii_case("base64") => "byte",
        _ => match media.as_ref().and_then(Value::as_str) {
            Some(media) if media.contains("json") => return,
            _ => "binary",
        },
    };
    map.insert("format".to_owned(), json!(format));
}

/// Keywords 3.0 has no form for: reported, with the fallback kept.
fn unsupported(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    if map.remove("prefixItems").is_some() {
        notes.add(
            &child(pointer, "prefixItems"),
            "a tuple (`prefixItems`) is read as an array of its `items` (any value without \
             them): 3.0 has no tuples",
        );
    }
    for key in ["if", "then", "else"] {
        if map.remove(key).is_some() {
            notes.add(
                &child(pointer, key),
                format!("`{key}` is not applied: conditional schemas have no Rust type"),
            );
        }
    }
    if map.remove("dependentSchemas").is_some() {
        notes.add(
            &child(pointer, "dependentSchemas"),
            "`dependentSchemas` is not applied: the properties are read without it",
        );
    }
    if let Some(Value::Object(patterns)) = map.remove("patternProperties") {
        // The values of other names: the one pattern's schema, or any value.
        let only = (patterns.len() == 1).then(|| patterns.values().next().cloned());
        if !map.contains_key("additionalProperties") {
            let value = only.flatten().unwrap_or(json!({}));
            map.insert("additionalProperties".to_owned(), value);
        }
        notes.add(
            &child(pointer, "patternProperties"),
            "`patternProperties` is read as `additionalProperties` (the names' patterns are \
             not checked)",
        );
    }
    // Of an object, the properties nothing else describes: 3.0's
    // `additionalProperties` (which the `allOf` members do not see).
    let object = map.get("type") == Some(&json!("object")) || map.contains_key("properties");
    if let Some(value) = map.remove("unevaluatedProperties")
        && object
        && !map.contains_key("additionalProperties")
    {
        map.insert("additionalProperties".to_owned(), value);
    }
    if map.remove("unevaluatedItems").is_some() {
        notes.add(
            &child(pointer, "unevaluatedItems"),
            "`unevaluatedItems` is not applied",
        );
    }
    for key in [
        "dependentRequired",
        "contains",
        "minContains",
        "maxContains",
        "propertyNames",
    ] {
        if map.remove(key).is_some() {
            notes.add(
                &child(pointer, key),
                format!("`{key}` is not checked: 3.0 has no such keyword"),
            );
        }
    }
    for key in [
        "$id",
        "$schema",
        "$anchor",
        "$comment",
        "$vocabulary",
        "$dynamicAnchor",
    ] {
        map.remove(key);
    }
}
