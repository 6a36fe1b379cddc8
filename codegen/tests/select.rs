//! `--tag` / `--operation`: only the selected operations and what they reach.

use codegen::load::{Format, LoadedSpec, load_str};
use codegen::select::select;
use codegen::{ErrorKind, Selection};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Shop, version: "1"}
tags:
  - {name: pets}
  - {name: orders}
paths:
  /pets:
    parameters:
      - $ref: "#/components/parameters/Limit"
    get:
      operationId: listPets
      tags: [pets]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
        default: {$ref: "#/components/responses/Problem"}
    post:
      operationId: createPet
      tags: [pets, admin]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "201": {description: created}
  /orders/{id}:
    get:
      tags: [orders]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
  /health:
    $ref: "#/x-shared/health"
x-shared:
  health:
    get:
      operationId: health
      responses:
        "204": {description: up}
components:
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer}}
    Unused: {name: unused, in: query, schema: {type: string}}
  responses:
    Problem:
      description: problem
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Problem"}
  securitySchemes:
    key: {type: apiKey, in: header, name: x-key}
  schemas:
    Pet:
      allOf:
        - $ref: "#/components/schemas/NewPet"
        - type: object
          properties:
            id: {type: integer}
    NewPet:
      type: object
      properties:
        name: {type: string}
        kind: {$ref: "#/components/schemas/Kind"}
    Kind: {type: string, enum: [cat, dog]}
    Problem:
      type: object
      properties:
        message: {type: string}
        example_only: {type: object, example: {$ref: "#/components/schemas/Order"}}
    Order:
      type: object
      properties:
        item: {$ref: "#/components/schemas/LineItem"}
    LineItem: {type: object, properties: {sku: {type: string}}}
    Orphan: {type: object, properties: {x: {type: string}}}
"##;

fn spec() -> LoadedSpec {
    load_str(SPEC, Format::Yaml, "shop.yaml").unwrap_or_else(|err| panic!("{err}"))
}

fn selection(tags: &[&str], operations: &[&str]) -> Selection {
    Selection {
        tags: tags.iter().map(|s| s.to_string()).collect(),
        operations: operations.iter().map(|s| s.to_string()).collect(),
    }
}

/// The keys of the object at `pointer`, in document order.
fn keys(spec: &LoadedSpec, pointer: &str) -> Vec<String> {
    spec.raw
        .pointer(pointer)
        .and_then(|value| value.as_object())
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

fn type_names(spec: &LoadedSpec) -> Vec<String> {
    let lowered =
        codegen::lower::lower(spec, &Default::default()).unwrap_or_else(|err| panic!("{err}"));
    lowered.api.types.into_iter().map(|def| def.name).collect()
}

#[test]
fn a_tag_keeps_its_operations_and_every_component_they_reach() {
    let spec = spec();
    let selected = select(&spec, &selection(&["pets"], &[])).unwrap();
    assert_eq!(keys(&selected, "/paths"), ["/pets"]);
    assert_eq!(
        keys(&selected, "/paths/~1pets"),
        ["parameters", "get", "post"]
    );
    // Reached through allOf, a shared response and a shared parameter; data in
    // `example` is not a reference, so Order stays out.
    assert_eq!(
        keys(&selected, "/components/schemas"),
        ["Pet", "NewPet", "Kind", "Problem"]
    );
    assert_eq!(keys(&selected, "/components/parameters"), ["Limit"]);
    assert_eq!(keys(&selected, "/components/responses"), ["Problem"]);
    assert_eq!(keys(&selected, "/components/securitySchemes"), ["key"]);
    let tags: Vec<&str> = selected.raw["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["pets"]);
    assert_eq!(type_names(&selected), ["Kind", "NewPet", "Pet", "Problem"]);
}

#[test]
fn operations_are_named_by_id_or_by_method_and_path_and_add_to_tags() {
    let spec = spec();
    let selected = select(&spec, &selection(&["orders"], &["health", "createPet"])).unwrap();
    assert_eq!(
        keys(&selected, "/paths"),
        ["/pets", "/orders/{id}", "/health"]
    );
    assert_eq!(keys(&selected, "/paths/~1pets"), ["parameters", "post"]);
    assert_eq!(
        keys(&selected, "/components/schemas"),
        ["NewPet", "Kind", "Order", "LineItem"]
    );

    // An operation without operationId answers to the name lowering gives it.
    let selected = select(&spec, &selection(&[], &["get_orders_id"])).unwrap();
    assert_eq!(keys(&selected, "/paths"), ["/orders/{id}"]);
    let lowered = codegen::lower::lower(&selected, &Default::default()).unwrap();
    assert_eq!(lowered.api.operations.len(), 1);
    assert_eq!(lowered.api.operations[0].fn_name, "get_orders_id");
}

#[test]
fn names_that_match_nothing_are_an_error_listing_what_there_is() {
    let err = select(&spec(), &selection(&["pets", "Pets", "billing"], &[])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownSelection);
    assert_eq!(
        err.to_string(),
        "shop.yaml: no operation has the tag `Pets`, `billing`; the tags of its operations \
         are: `admin`, `orders`, `pets`"
    );

    let err = select(&spec(), &selection(&[], &["listpets"])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownSelection);
    assert!(
        err.to_string()
            .contains("no operation has the operationId `listpets`")
    );
}

#[test]
fn the_generated_crate_says_how_it_was_selected_and_embeds_only_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.yaml");
    std::fs::write(&path, SPEC).unwrap();
    let mut options = codegen::options_for_paths(&path, &dir.path().join("out"), None);
    options.selection = selection(&["pets"], &["health"]);
    let generation = codegen::generate(&path, &options).unwrap_or_else(|err| panic!("{err}"));
    let file = |name: &str| {
        &generation
            .files
            .iter()
            .find(|file| file.path == name)
            .unwrap()
            .contents
    };
    assert!(file("src/models.rs").contains(
        "// Regenerate with: cargo run -p codegen -- generate --spec shop.yaml --out out \
         --tag pets --operation health\n"
    ));
    assert!(file("src/models.rs").contains("pub struct Pet {"));
    assert!(!file("src/models.rs").contains("Orphan"));
    assert!(!file("src/models.rs").contains("pub struct Order {"));
    assert!(file("src/client.rs").contains("pub async fn list_pets("));
    assert!(!file("src/client.rs").contains("get_orders_id"));
    assert!(file("src/spec.rs").contains("/health"));
    assert!(!file("src/spec.rs").contains("/orders/{id}"));
    assert!(!file("src/spec.rs").contains("Orphan"));
}

#[test]
fn root_extensions_the_selection_does_not_reach_are_dropped_with_what_they_reach() {
    // GitHub's `x-webhooks` refer to thousands of schemas no operation uses.
    let spec = load_str(
        r##"
openapi: 3.0.3
info: {title: Hooks, version: "1"}
paths:
  /meta:
    get:
      operationId: meta
      tags: [meta]
      parameters:
        - $ref: "#/x-shared/Verbose"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Meta"}
x-shared:
  Verbose: {name: verbose, in: query, schema: {type: boolean}}
x-webhooks:
  push:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/PushEvent"}
      responses:
        "200": {description: ok}
components:
  schemas:
    Meta: {type: object, properties: {version: {type: string}}}
    PushEvent: {type: object, properties: {ref: {type: string}}}
"##,
        Format::Yaml,
        "hooks.yaml",
    )
    .expect("loads");
    let selection = Selection {
        tags: vec!["meta".to_owned()],
        operations: vec![],
    };
    let selected = select(&spec, &selection).expect("selects");
    let raw = &selected.raw;
    assert!(raw.get("x-webhooks").is_none(), "{raw:#}");
    assert!(
        raw.get("x-shared").is_some(),
        "reached by a parameter: {raw:#}"
    );
    let schemas = raw["components"]["schemas"].as_object().expect("schemas");
    assert_eq!(schemas.keys().collect::<Vec<_>>(), ["Meta"]);
}
