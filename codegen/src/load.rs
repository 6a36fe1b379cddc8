//! Stage 1: read a JSON or YAML file into an `openapiv3` document.
//!
//! The text is parsed into a `serde_json::Value` first, so that the version
//! check and `$ref` validation can name the JSON pointer of the offending node;
//! only then is it deserialized into `openapiv3::OpenAPI`.

mod upgrade;

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::error::{ErrorKind, Location, SpecError, child};

/// Input format of a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// The format named by a file extension, if it names one.
    pub fn from_extension(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// Guesses the format from the text: JSON documents start with `{`.
    pub fn sniff(text: &str) -> Format {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// A loaded document: the typed model plus the raw tree it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The spec file as the user named it; used in every message.
    pub file: String,
    pub document: openapiv3::OpenAPI,
    /// The same document as plain JSON, for pointer look-ups (an OpenAPI
    /// 3.1 document rewritten as 3.0, its nodes where they were).
    pub raw: Value,
    /// What reading it as OpenAPI 3.0 could not keep, at its pointer.
    pub notes: Vec<Diagnostic>,
}

/// Reads and validates a spec file.
pub fn load_file(path: &Path) -> Result<LoadedSpec, SpecError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| SpecError {
        kind: ErrorKind::Io,
        file: file.clone(),
        location: Location::File,
        message: format!("cannot read the spec: {err}"),
    })?;
    let format = Format::from_extension(path).unwrap_or_else(|| Format::sniff(&text));
    load_str(&text, format, &file)
}

/// Reads a spec from git history: `REV:path` as `git show` takes it (the
/// path from the repository's top, or `./path` from the current folder).
pub fn load_git(revision_path: &str) -> Result<LoadedSpec, SpecError> {
    let error = |message: String| SpecError {
        kind: ErrorKind::Io,
        file: revision_path.to_owned(),
        location: Location::File,
        message,
    };
    let Some((_, path)) = revision_path.split_once(':') else {
        return Err(error(
            "expected REV:path, such as `origin/main:openapi/openapi.json`".to_owned(),
        ));
    };
    let output = std::process::Command::new("git")
        .args(["show", revision_path])
        .output()
        .map_err(|err| error(format!("cannot run git: {err}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(error(format!("git show failed: {}", stderr.trim())));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| error("the file is not UTF-8 text".to_owned()))?;
    let format = Format::from_extension(Path::new(path)).unwrap_or_else(|| Format::sniff(&text));
    load_str(&text, format, revision_path)
}

/// Parses and validates spec text; `file` names it in errors.
pub fn load_str(text: &str, format: Format, file: &str) -> Result<LoadedSpec, SpecError> {
    // Reading a deeply nested document into `openapiv3`'s types takes a
    // deep stack.
    crate::on_deep_stack(|| load_here(text, format, file))
}

fn load_here(text: &str, format: Format, file: &str) -> Result<LoadedSpec, SpecError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut raw = match format {
        Format::Json => parse_json(text, file)?,
        Format::Yaml => parse_yaml(text, file)?,
    };
    let notes = if upgrade::is_31(&raw) {
        upgrade::upgrade(&mut raw)
    } else {
        Vec::new()
    };
    check_version(&raw, file)?;
    check_refs(&raw, file)?;
    let document = deserialize_document(&raw, file)?;
    Ok(LoadedSpec {
        file: file.to_owned(),
        document,
        raw,
        notes,
    })
}

fn parse_json(text: &str, file: &str) -> Result<Value, SpecError> {
    serde_json::from_str(text).map_err(|err| SpecError {
        kind: ErrorKind::Syntax,
        file: file.to_owned(),
        location: Location::LineColumn {
            line: err.line(),
            column: err.column(),
        },
        message: format!("invalid JSON: {}", strip_position(&err.to_string())),
    })
}

fn parse_yaml(text: &str, file: &str) -> Result<Value, SpecError> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|err| {
        let location = match err.location() {
            Some(at) => Location::LineColumn {
                line: at.line(),
                column: at.column(),
            },
            None => Location::File,
        };
        SpecError {
            kind: ErrorKind::Syntax,
            file: file.to_owned(),
            location,
            message: format!("invalid YAML: {}", strip_position(&err.to_string())),
        }
    })?;
    yaml_to_json(yaml, "#", file)
}

/// serde's messages end with " at line X column Y"; the location says that already.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Converts YAML to JSON, turning scalar keys (`200:`) into strings as OpenAPI expects.
fn yaml_to_json(yaml: serde_yaml::Value, pointer: &str, file: &str) -> Result<Value, SpecError> {
    use serde_yaml::Value as Y;
    let invalid = |message: String| SpecError::at(ErrorKind::Syntax, file, pointer, message);
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| invalid(format!("the number {n} has no JSON form")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &child(pointer, &i.to_string()), file))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut object = serde_json::Map::new();
            for (key, value) in map {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(invalid(format!(
                            "mapping keys must be scalars, found {other:?}"
                        )));
                    }
                };
                let value = yaml_to_json(value, &child(pointer, &key), file)?;
                object.insert(key, value);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => {
            return Err(invalid(format!(
                "YAML tags are not supported ({})",
                tagged.tag
            )));
        }
    })
}

fn check_version(raw: &Value, file: &str) -> Result<(), SpecError> {
    let Some(root) = raw.as_object() else {
        return Err(SpecError::at(
            ErrorKind::Invalid,
            file,
            "#",
            "an OpenAPI document must be an object",
        ));
    };
    if let Some(swagger) = root.get("swagger") {
        return Err(SpecError::at(
            ErrorKind::UnsupportedVersion,
            file,
            "#/swagger",
            format!(
                "Swagger {} documents are not supported; convert the document to OpenAPI 3.0 first",
                swagger.as_str().unwrap_or("2.0")
            ),
        ));
    }
    match root.get("openapi") {
        None => Err(SpecError::at(
            ErrorKind::Invalid,
            file,
            "#",
            "missing the `openapi` version field",
        )),
        Some(Value::String(version)) if version.starts_with("3.0.") || version == "3.0" => Ok(()),
        Some(other) => Err(SpecError::at(
            ErrorKind::UnsupportedVersion,
            file,
            "#/openapi",
            format!(
                "OpenAPI version {other} is not supported; this generator reads OpenAPI 3.0.x \
                 and 3.1.x"
            ),
        )),
    }
}

/// Whether `key` (inside an object held under `parent`) holds data, not
/// schema: a `$ref` inside it is not a reference. In maps keyed by name
/// (`properties`, `responses`, …) every key is a name: a property called
/// `default` or the `default` response are walked like any other.
pub(crate) fn is_data_key(parent: &str, key: &str) -> bool {
    !NAMED.contains(&parent)
        && (matches!(key, "example" | "default" | "enum") || key.starts_with("x-"))
}

/// Whether the object under `parent` is keyed by names (of properties,
/// schemas, …) rather than by keywords.
fn is_name_map(parent: &str) -> bool {
    matches!(
        parent,
        "properties" | "schemas" | "definitions" | "patternProperties"
    )
}

/// Keys whose object holds entries by name.
const NAMED: [&str; 13] = [
    "properties",
    "responses",
    "schemas",
    "parameters",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "examples",
    "content",
    "encoding",
    "securitySchemes",
    "paths",
];

/// Every `$ref` must be local (`#/...`) and point at an existing node.
fn check_refs(root: &Value, file: &str) -> Result<(), SpecError> {
    for_each_ref(root, "", "#", &mut |reference, pointer| {
        let Some(target) = reference.as_str() else {
            return Err(SpecError::at(
                ErrorKind::Invalid,
                file,
                &child(pointer, "$ref"),
                "`$ref` must be a string",
            ));
        };
        resolve_pointer(root, target).map(|_| ()).map_err(|kind| {
            let message = match kind {
                ErrorKind::Unsupported => format!(
                    "`$ref: {target}` is not a local reference; only `#/...` references are supported"
                ),
                _ => format!("`$ref: {target}` does not resolve to anything in this document"),
            };
            SpecError::at(kind, file, pointer, message)
        })
    })
}

/// Calls `visit` with every `$ref` value below `node` and the pointer of the
/// object holding it, in document order, skipping data (`example`, `default`,
/// … under a schema; see [`is_data_key`]). `parent` is the key `node` sits under.
pub(crate) fn for_each_ref<E>(
    node: &Value,
    parent: &str,
    pointer: &str,
    visit: &mut impl FnMut(&Value, &str) -> Result<(), E>,
) -> Result<(), E> {
    match node {
        Value::Object(map) => {
            // In a map keyed by name (`properties`, …), `$ref` is a name too.
            let names = is_name_map(parent);
            if !names && let Some(reference) = map.get("$ref") {
                visit(reference, pointer)?;
            }
            for (key, value) in map {
                if (names || key != "$ref") && !is_data_key(parent, key) {
                    for_each_ref(value, key, &child(pointer, key), visit)?;
                }
            }
            Ok(())
        }
        // Items of a list are not names, whatever the list is called.
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            for_each_ref(item, "", &child(pointer, &i.to_string()), visit)
        }),
        _ => Ok(()),
    }
}

/// Looks up a local reference (`#/components/schemas/Foo`) in the raw document.
/// The fragment is a URI fragment, so it may be percent-encoded
/// (`#/paths/~1pets~1%7Bid%7D`).
pub fn resolve_pointer<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, ErrorKind> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(ErrorKind::Unsupported);
    };
    if let Some(found) = root.pointer(fragment) {
        return Ok(found);
    }
    let decoded = percent_decode(fragment).ok_or(ErrorKind::DanglingRef)?;
    root.pointer(&decoded).ok_or(ErrorKind::DanglingRef)
}

/// `%XX` escapes decoded; `None` when there are none or they are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The HTTP methods of a path item.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Pointers of the operations that declare `callbacks`, which are not
/// generated (lowering reports each one).
pub fn operations_with_callbacks(raw: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return found;
    };
    for (path, item) in paths {
        for method in METHODS {
            if item
                .get(method)
                .and_then(|op| op.get("callbacks"))
                .is_some()
            {
                found.push(child(&child("#/paths", path), method));
            }
        }
    }
    found
}

/// The document without `callbacks` (which `openapiv3` cannot read when they
/// use `$ref`, and which are not generated), when it has any.
fn without_callbacks(raw: &Value) -> Option<Value> {
    let has_components = raw
        .get("components")
        .and_then(|c| c.get("callbacks"))
        .is_some();
    if operations_with_callbacks(raw).is_empty() && !has_components {
        return None;
    }
    let mut copy = raw.clone();
    if let Some(components) = copy.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("callbacks");
    }
    if let Some(paths) = copy.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    op.remove("callbacks");
                }
            }
        }
    }
    Some(copy)
}

pub(crate) fn deserialize_document(
    raw: &Value,
    file: &str,
) -> Result<openapiv3::OpenAPI, SpecError> {
    let stripped = without_callbacks(raw);
    let raw = stripped.as_ref().unwrap_or(raw);
    match deserialize_at::<openapiv3::OpenAPI>(raw, "#") {
        Ok(document) => Ok(document),
        Err((pointer, message)) => {
            // `openapiv3` flattens some maps, which hides the exact path; look closer.
            let (pointer, message) = refine(raw).unwrap_or((pointer, message));
            Err(SpecError::at(
                ErrorKind::Invalid,
                file,
                &pointer,
                format!("not a valid OpenAPI 3.0 node: {message}"),
            ))
        }
    }
}

/// Deserializes `value` as `T`, or says where (pointer below `base`) and why not.
fn deserialize_at<T: serde::de::DeserializeOwned>(
    value: &Value,
    base: &str,
) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(
        |err: serde_path_to_error::Error<serde_json::Error>| {
            let mut pointer = base.to_owned();
            for segment in err.path().iter() {
                use serde_path_to_error::Segment;
                match segment {
                    Segment::Seq { index } => pointer = child(&pointer, &index.to_string()),
                    Segment::Map { key } => pointer = child(&pointer, key),
                    Segment::Enum { .. } | Segment::Unknown => {}
                }
            }
            (pointer, err.inner().to_string())
        },
    )
}

/// Finds the first path item or component that fails on its own.
fn refine(raw: &Value) -> Option<(String, String)> {
    fn each<T: serde::de::DeserializeOwned>(
        section: Option<&Value>,
        base: &str,
    ) -> Option<(String, String)> {
        section?
            .as_object()?
            .iter()
            .find_map(|(key, value)| deserialize_at::<T>(value, &child(base, key)).err())
    }
    use openapiv3::ReferenceOr as R;
    let components = raw.get("components");
    let section = |name: &str| components.and_then(|c| c.get(name));
    each::<R<openapiv3::PathItem>>(raw.get("paths"), "#/paths")
        .or_else(|| each::<R<openapiv3::Schema>>(section("schemas"), "#/components/schemas"))
        .or_else(|| {
            each::<R<openapiv3::Parameter>>(section("parameters"), "#/components/parameters")
        })
        .or_else(|| each::<R<openapiv3::Response>>(section("responses"), "#/components/responses"))
        .or_else(|| {
            each::<R<openapiv3::RequestBody>>(
                section("requestBodies"),
                "#/components/requestBodies",
            )
        })
        .or_else(|| {
            each::<R<openapiv3::SecurityScheme>>(
                section("securitySchemes"),
                "#/components/securitySchemes",
            )
        })
        .or_else(|| each::<R<openapiv3::Header>>(section("headers"), "#/components/headers"))
}
