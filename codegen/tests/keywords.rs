//! Nothing in silence: every keyword of the OpenAPI 3.0.3 objects an
//! operation is made of is accounted for by the generator (honoured, an
//! annotation, or not honoured), and `keywords/every-keyword.yaml`, which
//! uses each of them, is generated with a diagnostic at the pointer of every
//! keyword that is not honoured or not a keyword at all.

use std::collections::BTreeSet;
use std::path::Path;

use codegen::lower::keywords::{Fate, Object};

/// The fixed fields of each object, as OpenAPI 3.0.3 lists them (section 4.7).
const SPECIFICATION: [(Object, &[&str]); 9] = [
    (
        Object::PathItem,
        &[
            "$ref",
            "summary",
            "description",
            "get",
            "put",
            "post",
            "delete",
            "options",
            "head",
            "patch",
            "trace",
            "servers",
            "parameters",
        ],
    ),
    (
        Object::Operation,
        &[
            "tags",
            "summary",
            "description",
            "externalDocs",
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "callbacks",
            "deprecated",
            "security",
            "servers",
        ],
    ),
    (
        Object::Parameter,
        &[
            "name",
            "in",
            "description",
            "required",
            "deprecated",
            "allowEmptyValue",
            "style",
            "explode",
            "allowReserved",
            "schema",
            "example",
            "examples",
            "content",
        ],
    ),
    (
        Object::Header,
        &[
            "description",
            "required",
            "deprecated",
            "allowEmptyValue",
            "style",
            "explode",
            "allowReserved",
            "schema",
            "example",
            "examples",
            "content",
        ],
    ),
    (Object::RequestBody, &["description", "content", "required"]),
    (
        Object::MediaType,
        &["schema", "example", "examples", "encoding"],
    ),
    (
        Object::Response,
        &["description", "headers", "content", "links"],
    ),
    (
        Object::Schema,
        &[
            "$ref",
            "title",
            "multipleOf",
            "maximum",
            "exclusiveMaximum",
            "minimum",
            "exclusiveMinimum",
            "maxLength",
            "minLength",
            "pattern",
            "maxItems",
            "minItems",
            "uniqueItems",
            "maxProperties",
            "minProperties",
            "required",
            "enum",
            "type",
            "allOf",
            "oneOf",
            "anyOf",
            "not",
            "items",
            "properties",
            "additionalProperties",
            "description",
            "format",
            "default",
            "nullable",
            "discriminator",
            "readOnly",
            "writeOnly",
            "xml",
            "externalDocs",
            "example",
            "deprecated",
        ],
    ),
    (
        Object::SecurityScheme,
        &[
            "type",
            "description",
            "name",
            "in",
            "scheme",
            "bearerFormat",
            "flows",
            "openIdConnectUrl",
        ],
    ),
];

/// Where every-keyword.yaml has each kind of object.
const OBJECTS: &[(Object, &str)] = &[
    (Object::PathItem, "#/paths/~1pets"),
    (Object::PathItem, "#/paths/~1animals"),
    (Object::Operation, "#/paths/~1pets/get"),
    (Object::Operation, "#/paths/~1pets/post"),
    (Object::Parameter, "#/paths/~1pets/parameters/0"),
    (Object::Parameter, "#/paths/~1pets/get/parameters/0"),
    (Object::Parameter, "#/paths/~1pets/get/parameters/1"),
    (
        Object::Header,
        "#/paths/~1pets/get/responses/200/headers/X-Rate-Limit",
    ),
    (
        Object::Header,
        "#/paths/~1pets/get/responses/200/headers/X-Empty",
    ),
    (
        Object::Header,
        "#/paths/~1pets/get/responses/200/headers/X-Shape",
    ),
    (Object::RequestBody, "#/paths/~1pets/post/requestBody"),
    (
        Object::MediaType,
        "#/paths/~1pets/get/responses/200/content/application~1json",
    ),
    (
        Object::MediaType,
        "#/paths/~1pets/post/requestBody/content/application~1json",
    ),
    (
        Object::MediaType,
        "#/paths/~1pets/post/requestBody/content/multipart~1form-data",
    ),
    (Object::Response, "#/paths/~1pets/get/responses/200"),
    (Object::Schema, "#/components/schemas/Pet"),
    (Object::Schema, "#/components/schemas/Pet/properties/name"),
    (Object::Schema, "#/components/schemas/Pet/properties/id"),
    (Object::Schema, "#/components/schemas/Pet/properties/secret"),
    (Object::Schema, "#/components/schemas/Pet/properties/age"),
    (Object::Schema, "#/components/schemas/Pet/properties/tags"),
    (Object::Schema, "#/components/schemas/Pet/properties/kind"),
    (Object::Schema, "#/components/schemas/Pet/properties/owner"),
    (Object::Schema, "#/components/schemas/Pet/properties/shape"),
    (Object::Schema, "#/components/schemas/Pet/properties/either"),
    (Object::Schema, "#/components/schemas/Pet/properties/both"),
    (Object::Schema, "#/components/schemas/Pet/properties/never"),
    (Object::Schema, "#/components/schemas/Pet/properties/later"),
    (Object::SecurityScheme, "#/components/securitySchemes/Key"),
    (
        Object::SecurityScheme,
        "#/components/securitySchemes/Bearer",
    ),
    (Object::SecurityScheme, "#/components/securitySchemes/OAuth"),
    (Object::SecurityScheme, "#/components/securitySchemes/Oidc"),
];

#[test]
fn the_generator_accounts_for_every_keyword_of_the_specification() {
    assert_eq!(Object::ALL.len(), SPECIFICATION.len());
    for (object, keywords) in SPECIFICATION {
        let accounted: BTreeSet<&str> = object.keywords().iter().map(|(k, _)| *k).collect();
        let specified: BTreeSet<&str> = keywords.iter().copied().collect();
        assert_eq!(accounted, specified, "{} Object", object.name());
    }
}

#[test]
fn every_keyword_is_honoured_or_reported_at_its_pointer() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keywords/every-keyword.yaml");
    let out = tempfile::tempdir().expect("temp dir");
    let options = codegen::options_for_paths(&spec, out.path(), None);
    let generation = codegen::generate(&spec, &options).expect("generates");
    let reported: BTreeSet<&str> = generation
        .diagnostics
        .iter()
        .map(|d| d.pointer.as_str())
        .collect();
    let text = std::fs::read_to_string(&spec).expect("read");
    let raw: serde_json::Value = serde_yaml::from_str(&text).expect("yaml");

    let mut used: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut silent = Vec::new();
    for &(object, pointer) in OBJECTS {
        let node = codegen::load::resolve_pointer(&raw, pointer)
            .unwrap_or_else(|_| panic!("{pointer} is in the spec"));
        let map = node.as_object().expect("an object");
        for key in map.keys() {
            used.insert((object.name(), key.clone()));
            let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            let fate = object.fate(key);
            // A `$ref`'s siblings are ignored as OpenAPI 3.0 says, and said.
            let beside_ref =
                map.contains_key("$ref") && key != "$ref" && object != Object::PathItem;
            let needs_diagnostic = beside_ref
                || matches!(fate, None | Some(Fate::Ignored(_)))
                || key == "not"
                || key == "callbacks";
            if needs_diagnostic && !reported.contains(at.as_str()) {
                silent.push(at);
            }
        }
    }
    assert!(
        silent.is_empty(),
        "neither honoured nor reported: {silent:#?}"
    );

    // The spec uses every keyword of every object.
    let missing: Vec<String> = SPECIFICATION
        .iter()
        .flat_map(|(object, keywords)| {
            keywords
                .iter()
                .map(move |k| (object.name(), (*k).to_owned()))
        })
        .filter(|entry| !used.contains(entry))
        .map(|(object, keyword)| format!("{object}: {keyword}"))
        .collect();
    assert!(
        missing.is_empty(),
        "every-keyword.yaml does not use: {missing:?}"
    );
}
