//! Bad input gives a clear error naming the file and the offending node; never a panic.

use std::path::PathBuf;

use codegen::error::{ErrorKind, Location};
use codegen::{Error, SpecError, load, lower};

/// Writes `text` to a file called `name` in a fresh directory and generates from it.
fn generate_from(
    name: &str,
    text: &str,
) -> (
    tempfile::TempDir,
    PathBuf,
    Result<codegen::Generation, Error>,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write spec");
    let options = codegen::options_for_paths(&path, &dir.path().join("out"), None);
    let result = codegen::generate(&path, &options);
    (dir, path, result)
}

fn spec_error(name: &str, text: &str) -> SpecError {
    let (_dir, path, result) = generate_from(name, text);
    match result {
        Err(Error::Spec(err)) => {
            assert_eq!(err.file, path.display().to_string());
            assert!(err.to_string().starts_with(&err.file), "{err}");
            err
        }
        other => panic!("expected a spec error, got {other:?}"),
    }
}

const HEAD: &str = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths: {}\n";

#[test]
fn dangling_ref_names_the_pointer_of_the_reference() {
    let err = spec_error(
        "spec.yaml",
        &format!(
            "{HEAD}components:\n  schemas:\n    Foo:\n      type: object\n      properties:\n        bar: {{$ref: '#/components/schemas/Missing'}}\n"
        ),
    );
    assert_eq!(err.kind, ErrorKind::DanglingRef);
    assert_eq!(
        err.pointer(),
        Some("#/components/schemas/Foo/properties/bar")
    );
    assert!(
        err.message.contains("#/components/schemas/Missing"),
        "{err}"
    );
}

#[test]
fn refs_under_names_that_are_also_data_keys_are_checked() {
    // A property called `default` is a schema, and so is the `default` response;
    // only a schema's `default` value is data.
    let err = spec_error(
        "spec.yaml",
        &format!(
            "{HEAD}components:\n  schemas:\n    Foo:\n      type: object\n      default: {{$ref: not-a-reference}}\n      properties:\n        default: {{$ref: '#/components/schemas/Gone'}}\n"
        ),
    );
    assert_eq!(err.kind, ErrorKind::DanglingRef);
    assert_eq!(
        err.pointer(),
        Some("#/components/schemas/Foo/properties/default")
    );

    let err = spec_error(
        "spec.yaml",
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        default: {$ref: '#/components/responses/Gone'}\n",
    );
    assert_eq!(err.kind, ErrorKind::DanglingRef);
    assert_eq!(err.pointer(), Some("#/paths/~1a/get/responses/default"));
}

#[test]
fn invalid_json_names_line_and_column() {
    let err = spec_error(
        "spec.json",
        "{\n  \"openapi\": \"3.0.1\",\n  \"info\": \n}\n",
    );
    assert_eq!(err.kind, ErrorKind::Syntax);
    assert_eq!(err.location, Location::LineColumn { line: 4, column: 1 });
    assert!(err.message.starts_with("invalid JSON"), "{err}");
}

#[test]
fn invalid_yaml_names_line_and_column() {
    let err = spec_error("spec.yaml", "openapi: 3.0.1\ninfo: [unclosed\npaths: {}\n");
    assert_eq!(err.kind, ErrorKind::Syntax);
    assert!(
        matches!(err.location, Location::LineColumn { .. }),
        "{err:?}"
    );
    assert!(err.message.starts_with("invalid YAML"), "{err}");
}

#[test]
fn swagger_2_is_refused_with_advice() {
    let err = spec_error(
        "spec.json",
        r#"{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}"#,
    );
    assert_eq!(err.kind, ErrorKind::UnsupportedVersion);
    assert_eq!(err.pointer(), Some("#/swagger"));
    assert!(err.message.contains("OpenAPI 3.0"), "{err}");
}

#[test]
fn openapi_3_2_is_refused() {
    // 3.1 is read (tests/openapi31.rs); a later version is not.
    let err = spec_error(
        "spec.yaml",
        "openapi: 3.2.0\ninfo: {title: T, version: '1'}\npaths: {}\n",
    );
    assert_eq!(err.kind, ErrorKind::UnsupportedVersion);
    assert_eq!(err.pointer(), Some("#/openapi"));
}

/// Generates from `text` and returns the diagnostics (generation must succeed).
fn diagnostics(text: &str) -> Vec<String> {
    let (_dir, _path, result) = generate_from("spec.yaml", text);
    let generation = result.expect("generation goes on with a diagnostic");
    generation
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn what_has_no_rust_type_is_a_diagnostic_with_a_fallback() {
    let found = diagnostics(&format!(
        "{HEAD}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        kind:\n          not: {{type: string}}\n"
    ));
    assert_eq!(
        found,
        [
            "#/components/schemas/Pet/properties/kind/not: `not` has no Rust type; typed as any JSON value"
        ]
    );
}

#[test]
fn external_refs_are_unsupported() {
    let err = spec_error(
        "spec.yaml",
        &format!("{HEAD}components:\n  schemas:\n    Foo: {{$ref: 'other.yaml#/Foo'}}\n"),
    );
    assert_eq!(err.kind, ErrorKind::Unsupported);
    assert_eq!(err.pointer(), Some("#/components/schemas/Foo"));
}

#[test]
fn malformed_nodes_name_their_pointer() {
    let err = spec_error(
        "spec.yaml",
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      parameters: 5\n      responses: {}\n",
    );
    assert_eq!(err.kind, ErrorKind::Invalid);
    let pointer = err.pointer().expect("pointer");
    assert!(pointer.starts_with("#/paths/~1x"), "{err}");
}

#[test]
fn alias_loops_are_reported() {
    let err = spec_error(
        "spec.yaml",
        &format!(
            "{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
        ),
    );
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.message.contains("loops"), "{err}");
}

#[test]
fn undefined_security_schemes_are_reported_and_left_out() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      security: [{Nope: []}]\n      responses: {'204': {description: ok}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1x/get/security/0: security scheme `Nope` is not defined in `#/components/securitySchemes`; this requirement is left out"
        ]
    );
}

#[test]
fn scopes_of_schemes_that_take_none_are_reported() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      security: [{Key: [admin]}, {OAuth: [read]}]\n      responses: {'204': {description: ok}}\ncomponents:\n  securitySchemes:\n    Key: {type: apiKey, in: header, name: x-key}\n    OAuth: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://a.example/auth', scopes: {read: Read}}}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1x/get/security/0/Key: scopes of `Key` are not checked: only OAuth 2 and OpenID Connect schemes take scopes, and its hook gets none"
        ]
    );
}

#[test]
fn an_error_format_the_server_cannot_fill_is_reported() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        '204': {description: ok}\n        '400': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}\ncomponents:\n  schemas:\n    Problem:\n      type: object\n      required: [trace]\n      properties:\n        trace: {type: array, items: {type: string}}\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "#/components/schemas/Problem: the server's own refusals (a bad parameter or body, missing credentials, a panic) are not in the spec's error format `Problem`: its required property `trace` is none of"
        ),
        "{found:?}"
    );
}

#[test]
fn object_parameters_that_cannot_be_laid_out_are_reported_as_json_text() {
    // A property that is an array, and an object in the `matrix` path style:
    // JSON text, said; a header object of single values is laid out silently.
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x/{m}:\n    get:\n      operationId: getX\n      parameters:\n        - {name: 'f', in: query, style: deepObject, schema: {type: object, properties: {a: {type: array, items: {type: string}}}}}\n        - {name: 's', in: query, style: deepObject, schema: {type: object, properties: {a: {type: string}}}}\n        - {name: 'h', in: header, schema: {type: object, properties: {a: {type: string}}}}\n        - {name: 'm', in: path, required: true, style: matrix, schema: {type: object, properties: {a: {type: string}}}}\n      responses: {'204': {description: ok}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1x~1{m}/get/parameters/0: the query parameter `f` is an object read and written as JSON text (`f={…}`): its properties are not all single values (strings, numbers, booleans, enums, dates), so they cannot be laid out as its style says",
            "#/paths/~1x~1{m}/get/parameters/3: the path parameter `m` is an object read and written as JSON text (`m={…}`): objects in the `label` and `matrix` path styles are not laid out by property"
        ]
    );
}

#[test]
fn a_spread_object_whose_property_names_another_parameter_stays_json() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      parameters:\n        - {name: limit, in: query, schema: {type: integer}}\n        - {name: page, in: query, schema: {type: object, properties: {limit: {type: integer}, offset: {type: integer}}}}\n      responses: {'204': {description: ok}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1x/get/parameters/1: the query parameter `page` is an object read and written as JSON text (`page={…}`): spread, its `limit` would share a name with another query parameter"
        ]
    );
}

#[test]
fn an_exploded_header_object_brings_the_object_runtime() {
    let (_dir, _path, result) = generate_from(
        "spec.yaml",
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      parameters:\n        - {name: X-Point, in: header, explode: true, schema: {type: object, properties: {lat: {type: number}}}}\n      responses: {'204': {description: ok}}\n",
    );
    let generation = result.expect("generates");
    let file = |name: &str| {
        generation
            .files
            .iter()
            .find(|file| file.path == name)
            .map(|file| file.contents.clone())
    };
    assert!(file("src/runtime/object_params.rs").is_some());
    let cargo = file("Cargo.toml").expect("Cargo.toml");
    assert!(cargo.contains("serde_urlencoded = "), "{cargo}");
    let params = file("src/params.rs").expect("params.rs");
    assert!(params.contains("ObjectStyle::Pairs"), "{params}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = load::load_file(std::path::Path::new("/nonexistent/spec.yaml")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Io);
    assert!(err.to_string().contains("/nonexistent/spec.yaml"), "{err}");
}

#[test]
fn format_is_sniffed_when_the_extension_says_nothing() {
    let json = r#"{"openapi": "3.0.1", "info": {"title": "T", "version": "1"}, "paths": {}}"#;
    let (_d, _p, result) = generate_from("spec.txt", json);
    result.expect("JSON without .json extension");
    let (_d, _p, result) = generate_from("spec", HEAD);
    result.expect("YAML without extension");
}

#[test]
fn yaml_status_codes_may_be_unquoted_numbers() {
    let text = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        200: {description: ok}\n";
    let loaded = load::load_str(text, load::Format::Yaml, "inline.yaml").expect("loads");
    let lowered = lower::lower(&loaded, &Default::default()).expect("lowers");
    assert_eq!(
        lowered.api.operations[0].responses[0].status,
        codegen::ir::StatusCode::Code(200)
    );
}

/// Generates from `text` and returns the generated files by path.
fn files(text: &str) -> std::collections::BTreeMap<String, String> {
    let (_dir, _path, result) = generate_from("spec.yaml", text);
    let generation = result.expect("generation succeeds");
    generation
        .files
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

#[test]
fn refs_may_be_percent_encoded_as_uri_fragments() {
    // `{id}` in a pointer is written `%7Bid%7D` by many tools.
    let text = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: ok}\n    delete:\n      operationId: deletePet\n      parameters:\n        - $ref: '#/paths/~1pets~1%7Bid%7D/get/parameters/0'\n      responses:\n        '204': {description: gone}\n";
    let generated = files(text);
    assert!(
        generated["src/params.rs"].contains("pub struct DeletePetPath {"),
        "{}",
        generated["src/params.rs"]
    );
}

#[test]
fn a_property_named_ref_is_a_property() {
    let generated = files(&format!(
        "{HEAD}components:\n  schemas:\n    JsonSchema:\n      type: object\n      properties:\n        $ref: {{type: string}}\n        title: {{type: string}}\n"
    ));
    let models = &generated["src/models.rs"];
    assert!(models.contains("#[serde(rename = \"$ref\")]"), "{models}");
}

#[test]
fn an_all_of_that_only_describes_a_recursive_ref_is_that_ref() {
    // Expanding `Node`'s properties into each `allOf` would never end.
    let generated = files(&format!(
        "{HEAD}components:\n  schemas:\n    Node:\n      type: object\n      properties:\n        name: {{type: string}}\n        child:\n          allOf:\n            - $ref: '#/components/schemas/Node'\n            - description: The next node.\n"
    ));
    let models = &generated["src/models.rs"];
    assert!(models.contains("pub child: Option<Box<Node>>,"), "{models}");
}

#[test]
fn unusable_bodies_responses_and_parameters_are_reported_and_left_out() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a\n      parameters:\n        - $ref: '#/components/schemas/NotAParameter'\n      requestBody:\n        content: {}\n      responses:\n        '200': {description: ok}\n        '400': {$ref: '#/components/schemas/NotAParameter'}\ncomponents:\n  schemas:\n    NotAParameter: {type: string}\n",
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("#/paths/~1a/post/parameters/0: `$ref: #/components/schemas/NotAParameter` does not lead to one of `#/components/parameters/`; the parameter is left out"), "{found:#?}");
    assert!(
        found[1].starts_with(
            "#/paths/~1a/post/requestBody/content: a request body without content types"
        ),
        "{found:#?}"
    );
    assert!(
        found[2].starts_with("#/paths/~1a/post/responses/400: "),
        "{found:#?}"
    );
}

#[test]
fn callbacks_are_reported_not_generated() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /hooks:\n    post:\n      operationId: subscribe\n      callbacks:\n        event: {$ref: '#/components/callbacks/Event'}\n      responses:\n        '201': {description: ok}\ncomponents:\n  callbacks:\n    Event:\n      '{$request.body#/url}':\n        post:\n          responses:\n            '200': {description: ok}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1hooks/post/callbacks: callbacks are not generated: neither the server nor the client sends or receives them"
        ]
    );
}

#[test]
fn odd_corpus_shapes_still_give_valid_rust() {
    // A bare carriage return in a description, an enum value whose first letter
    // is not ASCII, and a discriminated `oneOf` naming one schema twice.
    let generated = files(&format!(
        "{HEAD}components:\n  schemas:\n    Vat:\n      description: \"first\\rsecond\"\n      type: string\n      enum: [ÁKK, ÁTHK]\n    Any:\n      type: object\n      required: [type]\n      properties:\n        type: {{type: string}}\n    Event:\n      oneOf:\n        - $ref: '#/components/schemas/Any'\n        - $ref: '#/components/schemas/Any'\n      discriminator:\n        propertyName: type\n"
    ));
    let models = &generated["src/models.rs"];
    assert!(!models.contains('\r'), "{models}");
    assert!(models.contains("/// first\n/// second\n"), "{models}");
    assert!(
        models.contains("    Kk,\n") && models.contains("    Thk,\n"),
        "{models}"
    );
    assert_eq!(models.matches("\"Any\" =>").count(), 1, "{models}");
}

#[test]
fn an_invalid_pattern_is_an_error_at_its_pointer() {
    let err = spec_error(
        "spec.yaml",
        &format!(
            "{HEAD}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        name: {{type: string, pattern: '(a'}}\n"
        ),
    );
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert_eq!(
        err.pointer(),
        Some("#/components/schemas/Pet/properties/name/pattern")
    );
    assert!(
        err.message
            .contains("is not a valid ECMAScript regular expression"),
        "{err}"
    );
}

#[test]
fn javascript_patterns_are_checked_and_unknown_formats_are_a_diagnostic() {
    // Valid ECMAScript, though not for Rust's `regex`: generated and checked.
    let found = diagnostics(&format!(
        "{HEAD}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        name: {{type: string, pattern: '^(?!admin)[[a-z]{{1,18}}', format: phone}}\n        tags: {{type: array, items: {{type: string}}}}\n"
    ));
    assert_eq!(
        found,
        [
            "#/components/schemas/Pet/properties/name/format: format `phone` is not checked (an unknown format annotates only)",
        ]
    );
}

#[test]
fn a_fractional_multiple_of_on_an_integer_is_exact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(
        &path,
        format!(
            "{HEAD}components:\n  schemas:\n    Pack:\n      type: object\n      properties:\n        a: {{type: integer, multipleOf: 0.5}}\n        b: {{type: integer, multipleOf: 2.5}}\n        c: {{type: integer, multipleOf: 0.3}}\n"
        ),
    )
    .expect("write spec");
    let api = lower::lower(&load::load_file(&path).expect("loads"), &Default::default())
        .expect("lowers")
        .api;
    let def = api
        .types
        .iter()
        .find(|def| def.name == "Pack")
        .expect("Pack");
    let codegen::ir::TypeKind::Struct(s) = &def.kind else {
        panic!("a struct")
    };
    let factors: Vec<_> = s.fields.iter().map(|f| f.checks.rules.clone()).collect();
    use codegen::ir::{Check, Number};
    assert_eq!(
        factors,
        [
            vec![Check::MultipleOf(Number::Int(1))],
            vec![Check::MultipleOf(Number::Int(5))],
            vec![Check::MultipleOf(Number::Int(3))],
        ]
    );
}

#[test]
fn headers_http_cannot_carry_or_openapi_ignores_are_named() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: getX\n      parameters:\n        - {name: Authorization, in: header, schema: {type: string}}\n        - {name: 'bad name', in: header, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n          headers:\n            Content-Type: {schema: {type: string}}\n            'X Bad': {schema: {type: string}}\n            X-Good: {schema: {type: string}}\n        '201':\n          description: created\n          headers:\n            Location: {schema: {type: string}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1x/get/parameters/0: header parameter `Authorization` is ignored, as OpenAPI says: the media types and the security schemes set it",
            "#/paths/~1x/get/parameters/1: `bad name` cannot be an HTTP header name; the parameter is left out",
            "#/paths/~1x/get/responses: the success responses document different headers: the client reads them untyped (`ResponseValue::headers`), the server sets each response's own",
            "#/paths/~1x/get/responses/200/headers/X Bad: `X Bad` cannot be an HTTP header name; the header is left out",
        ]
    );
}

#[test]
fn label_and_matrix_path_styles_are_honoured_without_a_word() {
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /x/{id}/{ids}:\n    get:\n      operationId: getX\n      parameters:\n        - {name: id, in: path, required: true, style: matrix, schema: {type: string}}\n        - {name: ids, in: path, required: true, style: label, explode: true, schema: {type: array, items: {type: string}}}\n      responses: {'204': {description: ok}}\n",
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn form_bodies_say_what_they_cannot_carry() {
    // A form field that is an object (JSON text), an `encoding` the writer
    // does not apply, and a form whose schema has no properties (bytes).
    let found = diagnostics(
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: postA\n      requestBody:\n        content:\n          application/x-www-form-urlencoded:\n            schema: {type: object, properties: {meta: {type: object, properties: {k: {type: string}}}, n: {type: integer}}}\n            encoding:\n              n: {contentType: text/plain}\n      responses: {'204': {description: ok}}\n  /b:\n    post:\n      operationId: postB\n      requestBody:\n        content:\n          application/x-www-form-urlencoded:\n            schema: {type: string}\n      responses: {'204': {description: ok}}\n",
    );
    assert_eq!(
        found,
        [
            "#/paths/~1a/post/requestBody/content/application~1x-www-form-urlencoded/encoding/n: the form field `n` is written as a query parameter is (`form` style, exploded, percent-encoded); its `contentType` is not applied",
            "#/paths/~1a/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/meta: the form field `meta` is an object; it is read and written as JSON text (`meta={…}`), not spread into fields of its own",
            "#/paths/~1b/post/requestBody/content/application~1x-www-form-urlencoded/schema: a form body whose schema is not an object with properties has no fields to read; it is sent and received as raw bytes"
        ]
    );
}

#[test]
fn a_body_of_several_media_types_keeps_the_names_of_its_json_one() {
    // Text is listed first; the JSON schema is still `PostABody`, its
    // variant `Json`, as when JSON was the only type generated.
    let (_dir, _path, result) = generate_from(
        "spec.yaml",
        "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: postA\n      requestBody:\n        required: true\n        content:\n          text/plain:\n            schema: {type: string}\n          application/json:\n            schema: {type: object, properties: {n: {type: integer}}}\n      responses: {'204': {description: ok}}\n",
    );
    let generation = result.expect("generates");
    let file = |name: &str| {
        generation
            .files
            .iter()
            .find(|file| file.path.ends_with(name))
            .map(|file| file.contents.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(file("models.rs").contains("pub struct PostABody"));
    let params = file("params.rs");
    assert!(params.contains("pub enum PostAContent"), "{params}");
    assert!(params.contains("Json(models::PostABody)"), "{params}");
    assert!(params.contains("TextPlain(String)"), "{params}");
}
