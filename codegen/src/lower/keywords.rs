//! Nothing in silence: every keyword of the OpenAPI 3.0 objects an
//! operation is made of, and what becomes of it. A keyword is honoured (the
//! generated code does what it says, or a more precise diagnostic elsewhere
//! says where it does not), an annotation (documentation only: nothing on
//! the wire depends on it), or not honoured, which [`unhonoured`] reports at
//! its pointer with the reason. Anything else is not an OpenAPI 3.0 keyword
//! and is reported too; `x-` extensions are the user's own.

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::error::child;
use crate::load::METHODS;

/// What becomes of a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Honoured,
    Annotation,
    /// Not honoured, for this reason.
    Ignored(&'static str),
}

/// The objects whose keywords are accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    MediaType,
    Response,
    Schema,
    SecurityScheme,
}

impl Object {
    pub const ALL: [Object; 9] = [
        Object::PathItem,
        Object::Operation,
        Object::Parameter,
        Object::Header,
        Object::RequestBody,
        Object::MediaType,
        Object::Response,
        Object::Schema,
        Object::SecurityScheme,
    ];

    /// The name the OpenAPI specification gives the object.
    pub fn name(self) -> &'static str {
        match self {
            Object::PathItem => "Path Item",
            Object::Operation => "Operation",
            Object::Parameter => "Parameter",
            Object::Header => "Header",
            Object::RequestBody => "Request Body",
            Object::MediaType => "Media Type",
            Object::Response => "Response",
            Object::Schema => "Schema",
            Object::SecurityScheme => "Security Scheme",
        }
    }

    /// Every keyword OpenAPI 3.0.3 defines for the object, with its fate.
    pub fn keywords(self) -> &'static [(&'static str, Fate)] {
        use Fate::{Annotation as A, Honoured as H, Ignored};
        const SERVERS: Fate = Ignored(
            "servers of a path or an operation are not used: the client sends every request to \
             its base URL and the router serves every path",
        );
        const EMPTY: Fate = Ignored(
            "an empty value (`name=`) is read like any other: a string parameter takes it, \
             other types refuse it",
        );
        const CONTENT: Fate = Ignored(
            "a parameter or header described by `content` is read and written as plain text; \
             its media type's schema is not applied",
        );
        match self {
            Object::PathItem => &[
                ("$ref", H),
                ("summary", A),
                ("description", A),
                ("get", H),
                ("put", H),
                ("post", H),
                ("delete", H),
                ("options", H),
                ("head", H),
                ("patch", H),
                ("trace", H),
                ("servers", SERVERS),
                ("parameters", H),
            ],
            Object::Operation => &[
                ("tags", H),
                ("summary", A),
                ("description", A),
                ("externalDocs", A),
                ("operationId", H),
                ("parameters", H),
                ("requestBody", H),
                ("responses", H),
                // Reported where callbacks are found.
                ("callbacks", H),
                ("deprecated", H),
                ("security", H),
                ("servers", SERVERS),
            ],
            Object::Parameter => &[
                ("name", H),
                ("in", H),
                ("description", A),
                ("required", H),
                ("deprecated", A),
                ("allowEmptyValue", EMPTY),
                ("style", H),
                ("explode", H),
                // The client percent-encodes them; every server decodes the same value.
                ("allowReserved", A),
                ("schema", H),
                ("example", A),
                ("examples", A),
                ("content", CONTENT),
            ],
            Object::Header => &[
                ("description", A),
                ("required", H),
                ("deprecated", A),
                ("allowEmptyValue", EMPTY),
                ("style", H),
                ("explode", H),
                ("allowReserved", A),
                ("schema", H),
                ("example", A),
                ("examples", A),
                ("content", CONTENT),
            ],
            Object::RequestBody => &[("description", A), ("content", H), ("required", H)],
            Object::MediaType => &[
                ("schema", H),
                ("example", A),
                ("examples", A),
                (
                    "encoding",
                    Ignored(
                        "only `multipart/form-data` and form request bodies are read part by \
                         part, so this encoding of parts is not applied",
                    ),
                ),
            ],
            Object::Response => &[
                ("description", A),
                ("headers", H),
                ("content", H),
                (
                    "links",
                    Ignored("links are not generated: the client does not follow them"),
                ),
            ],
            Object::Schema => &[
                ("$ref", H),
                ("title", A),
                ("multipleOf", H),
                ("maximum", H),
                ("exclusiveMaximum", H),
                ("minimum", H),
                ("exclusiveMinimum", H),
                ("maxLength", H),
                ("minLength", H),
                ("pattern", H),
                ("maxItems", H),
                ("minItems", H),
                ("uniqueItems", H),
                ("maxProperties", H),
                ("minProperties", H),
                ("required", H),
                ("enum", H),
                ("type", H),
                ("allOf", H),
                ("oneOf", H),
                ("anyOf", H),
                // Reported where it is lowered: `not` has no Rust type.
                ("not", H),
                ("items", H),
                ("properties", H),
                ("additionalProperties", H),
                ("description", A),
                ("format", H),
                ("default", H),
                ("nullable", H),
                ("discriminator", H),
                ("readOnly", H),
                ("writeOnly", H),
                (
                    "xml",
                    Ignored("XML is not generated: bodies are JSON, text or bytes"),
                ),
                ("externalDocs", A),
                ("example", A),
                ("deprecated", A),
            ],
            Object::SecurityScheme => &[
                ("type", H),
                ("description", A),
                ("name", H),
                ("in", H),
                ("scheme", H),
                ("bearerFormat", A),
                // The client is given a token; how it was obtained is the caller's business.
                ("flows", A),
                ("openIdConnectUrl", A),
            ],
        }
    }

    /// The fate of `keyword`; `None`: not a keyword of this object.
    pub fn fate(self, keyword: &str) -> Option<Fate> {
        self.keywords()
            .iter()
            .find(|(name, _)| *name == keyword)
            .map(|(_, fate)| *fate)
    }
}

/// A diagnostic for every keyword of `raw` (the selected document) that is
/// not honoured or not an OpenAPI 3.0 keyword, at its pointer.
pub fn unhonoured(raw: &Value) -> Vec<Diagnostic> {
    let mut walk = Walk::default();
    if let Some(paths) = raw.get("paths").and_then(Value::as_object) {
        // `x-` keys of the Paths object are extensions, not paths.
        for (path, item) in paths.iter().filter(|(path, _)| !path.starts_with("x-")) {
            walk.object(Object::PathItem, item, &child("#/paths", path));
        }
    }
    if let Some(components) = raw.get("components").and_then(Value::as_object) {
        let sections = [
            ("schemas", Object::Schema),
            ("parameters", Object::Parameter),
            ("headers", Object::Header),
            ("requestBodies", Object::RequestBody),
            ("responses", Object::Response),
            ("securitySchemes", Object::SecurityScheme),
        ];
        for (section, object) in sections {
            let Some(entries) = components.get(section).and_then(Value::as_object) else {
                continue;
            };
            let pointer = child("#/components", section);
            for (name, value) in entries {
                walk.object(object, value, &child(&pointer, name));
            }
        }
    }
    walk.found
}

#[derive(Default)]
struct Walk {
    found: Vec<Diagnostic>,
}

impl Walk {
    fn report(&mut self, pointer: String, message: String) {
        self.found.push(Diagnostic { pointer, message });
    }

    /// Checks the keywords of `value` as an `object`, then walks into the
    /// objects it holds.
    fn object(&mut self, object: Object, value: &Value, pointer: &str) {
        let Some(map) = value.as_object() else {
            return;
        };
        if map.contains_key("$ref") && object != Object::PathItem {
            // OpenAPI 3.0: a Reference Object's other keywords are ignored.
            for key in map.keys() {
                if !matches!(key.as_str(), "$ref" | "description" | "summary")
                    && !key.starts_with("x-")
                {
                    self.report(
                        child(pointer, key),
                        format!(
                            "`{key}` beside `$ref` is ignored, as OpenAPI 3.0 says: only the \
                             referenced {} counts",
                            object.name()
                        ),
                    );
                }
            }
            return;
        }
        for key in map.keys() {
            // `$defs` (OpenAPI 3.1): schemas a `$ref` reaches, walked below.
            if key.starts_with("x-") || (object == Object::Schema && key == "$defs") {
                continue;
            }
            match object.fate(key) {
                Some(Fate::Honoured | Fate::Annotation) => {}
                Some(Fate::Ignored(why)) => {
                    self.report(
                        child(pointer, key),
                        format!("`{key}` is not honoured: {why}"),
                    );
                }
                None => self.report(
                    child(pointer, key),
                    format!(
                        "`{key}` is not a keyword of an OpenAPI 3.0 {} Object; ignored",
                        object.name()
                    ),
                ),
            }
        }
        match object {
            Object::PathItem => self.path_item_children(map, pointer),
            Object::Operation => self.operation_children(map, pointer),
            Object::Parameter | Object::Header => {
                self.child(map, "schema", Object::Schema, pointer);
                self.content(map, pointer);
            }
            Object::RequestBody => self.request_content(map, pointer),
            Object::MediaType => self.child(map, "schema", Object::Schema, pointer),
            Object::Response => {
                self.each(map, "headers", Object::Header, pointer);
                self.content(map, pointer);
            }
            Object::Schema => self.schema_children(map, pointer),
            Object::SecurityScheme => {}
        }
    }

    fn path_item_children(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        self.list(map, "parameters", Object::Parameter, pointer);
        for method in METHODS {
            self.child(map, method, Object::Operation, pointer);
        }
    }

    fn operation_children(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        self.list(map, "parameters", Object::Parameter, pointer);
        self.child(map, "requestBody", Object::RequestBody, pointer);
        // `x-` keys of the Responses object are extensions, not statuses.
        if let Some(responses) = map.get("responses").and_then(Value::as_object) {
            let pointer = child(pointer, "responses");
            for (status, response) in responses.iter().filter(|(key, _)| !key.starts_with("x-")) {
                self.object(Object::Response, response, &child(&pointer, status));
            }
        }
    }

    fn schema_children(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        self.each(map, "properties", Object::Schema, pointer);
        self.each(map, "$defs", Object::Schema, pointer);
        for key in ["items", "not"] {
            self.child(map, key, Object::Schema, pointer);
        }
        if map
            .get("additionalProperties")
            .is_some_and(Value::is_object)
        {
            self.child(map, "additionalProperties", Object::Schema, pointer);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            self.list(map, key, Object::Schema, pointer);
        }
    }

    fn content(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        self.each(map, "content", Object::MediaType, pointer);
    }

    /// A request body's `content`: as [`Walk::content`], but a form's
    /// `encoding`, which the lowering judges field by field.
    fn request_content(&mut self, map: &serde_json::Map<String, Value>, pointer: &str) {
        let Some(entries) = map.get("content").and_then(Value::as_object) else {
            return;
        };
        let pointer = child(pointer, "content");
        for (media, value) in entries {
            let bare = super::operation::bare_media(media);
            let is_form = bare == super::operation::FORM_MEDIA_TYPE
                || bare == super::operation::MULTIPART_MEDIA_TYPE;
            match value.as_object() {
                // A form's fields are generated one by one: the lowering
                // says which `encoding` it does not apply, field by field.
                Some(object) if is_form && object.contains_key("encoding") => {
                    let mut object = object.clone();
                    object.remove("encoding");
                    let value = Value::Object(object);
                    self.object(Object::MediaType, &value, &child(&pointer, media));
                }
                _ => self.object(Object::MediaType, value, &child(&pointer, media)),
            }
        }
    }

    /// `map[key]` as one `object`.
    fn child(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        object: Object,
        pointer: &str,
    ) {
        if let Some(value) = map.get(key) {
            self.object(object, value, &child(pointer, key));
        }
    }

    /// Every value of the map `map[key]` as an `object`.
    fn each(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        object: Object,
        pointer: &str,
    ) {
        if let Some(entries) = map.get(key).and_then(Value::as_object) {
            let pointer = child(pointer, key);
            for (name, value) in entries {
                self.object(object, value, &child(&pointer, name));
            }
        }
    }

    /// Every item of the array `map[key]` as an `object`.
    fn list(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        object: Object,
        pointer: &str,
    ) {
        if let Some(items) = map.get(key).and_then(Value::as_array) {
            let pointer = child(pointer, key);
            for (index, value) in items.iter().enumerate() {
                self.object(object, value, &child(&pointer, &index.to_string()));
            }
        }
    }
}
