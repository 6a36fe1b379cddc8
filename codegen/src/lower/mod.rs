//! Stage 2: lower an `openapiv3` document to the plain-data [`ir::Api`].
//!
//! Component schemas are named first (so they win every name), then lowered;
//! inline schemas that need a type of their own are named from where they sit
//! (`TaskResponse` + `metadata` → `TaskResponseMetadata`). Inline string enums
//! reuse a component enum with the same values.

mod checks;
mod cycles;
pub mod keywords;
mod mapped;
mod operation;
mod schema;
mod surface;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::Diagnostic;
use crate::error::{ErrorKind, SpecError, escape_segment};
use crate::ir::{self, Api, TypeDef};
use crate::load::LoadedSpec;
use crate::mapping::TypeMappings;
use crate::names::{self, NameSet, RESERVED_TYPE_NAMES};

/// The IR plus the warnings raised while building it.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub api: Api,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn lower(spec: &LoadedSpec, mappings: &TypeMappings) -> Result<Lowered, SpecError> {
    let mut lowerer = Lowerer::new(spec, mappings);
    lowerer.map_components()?;
    lowerer.name_components();
    lowerer.lower_components()?;
    // Method names of the server traits and the client share one scope.
    let mut method_names = NameSet::with_reserved(names::CLIENT_METHODS);
    for fixed in names::HOOK_METHODS {
        method_names.insert(fixed);
    }
    let security_schemes = lowerer.lower_security_schemes(&mut method_names)?;
    let mut operations = lowerer.lower_operations(&mut method_names)?;
    cycles::box_recursive_fields(&mut lowerer.types);
    cycles::check_alias_cycles(&lowerer.types, &spec.file)?;
    let validating = checks::resolve_types(&mut lowerer.types);
    for op in &mut operations {
        if let Some(body) = &mut op.body {
            if let ir::BodyKind::Json(Some(ty)) = &body.kind {
                body.checks =
                    validating.resolve(&lowerer.types, ty, std::mem::take(&mut body.checks));
            }
            if let ir::BodyKind::Choice { variants, .. } = &mut body.kind {
                for variant in variants {
                    if let ir::BodyKind::Json(Some(ty)) = &variant.kind {
                        variant.checks = validating.resolve(
                            &lowerer.types,
                            ty,
                            std::mem::take(&mut variant.checks),
                        );
                    }
                }
            }
        }
        let headers = op.responses.iter_mut().flat_map(|r| &mut r.headers);
        let form_fields: Vec<&mut ir::Param> = match op.body.as_mut() {
            Some(body) => {
                body.kind
                    .each_mut()
                    .into_iter()
                    .flat_map(|kind| match kind {
                        ir::BodyKind::Form { fields, .. }
                        | ir::BodyKind::Multipart { fields, .. } => fields.iter_mut().collect(),
                        _ => Vec::new(),
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        for value in op.params.iter_mut().chain(headers).chain(form_fields) {
            value.checks =
                validating.resolve(&lowerer.types, &value.ty, std::mem::take(&mut value.checks));
        }
    }
    let surface = lowerer.name_surface(&mut operations, &security_schemes);

    let document = &spec.document;
    let servers = surface::servers(&document.servers);
    let api = Api {
        base_path: surface::base_path(&servers),
        title: document.info.title.clone(),
        version: document.info.version.clone(),
        description: document.info.description.clone(),
        servers,
        types: lowerer.types.into_values().collect(),
        operations,
        security_schemes,
        traits: surface.traits,
        requirements: surface.requirements,
        error: surface.error,
        patterns: lowerer.patterns,
        dependencies: lowerer
            .used_crates
            .iter()
            .filter_map(|name| {
                let entry = mappings.crates.get(name)?;
                Some(ir::Dependency {
                    name: name.clone(),
                    version: entry.version.clone(),
                    features: entry.features.clone(),
                })
            })
            .collect(),
    };
    let mut api = api;
    let flows = api.flows();
    for def in &mut api.types {
        def.response_only = flows.get(&def.name) == Some(&ir::Flow::RESPONSE);
    }
    let mut diagnostics = lowerer.diagnostics;
    // What reading an OpenAPI 3.1 document as 3.0 could not keep.
    diagnostics.extend(spec.notes.iter().cloned());
    for pointer in crate::load::operations_with_callbacks(&spec.raw) {
        diagnostics.push(Diagnostic {
            pointer: crate::error::child(&pointer, "callbacks"),
            message: "callbacks are not generated: neither the server nor the client sends or \
                      receives them"
                .to_owned(),
        });
    }
    diagnostics.extend(keywords::unhonoured(&spec.raw));
    diagnostics.sort();
    diagnostics.dedup();
    Ok(Lowered { api, diagnostics })
}

pub(crate) struct Lowerer<'a> {
    spec: &'a LoadedSpec,
    mappings: &'a TypeMappings,
    /// Component schemas replaced by the user's types, by key.
    mapped_schemas: BTreeMap<String, String>,
    /// Crates (`--crate`) whose types are used.
    used_crates: BTreeSet<String>,
    /// Component schema key → Rust type name.
    schema_names: BTreeMap<String, String>,
    /// Every type name in use (and the reserved ones).
    type_names: NameSet,
    /// Types by Rust name: a sorted map, so output order never depends on input order.
    types: BTreeMap<String, TypeDef>,
    /// Sorted enum values → the enum type that has exactly them, for reuse.
    enums_by_values: BTreeMap<Vec<ir::EnumValue>, String>,
    /// Types of schemas referred to outside `#/components/schemas`, by `$ref`.
    pointer_types: BTreeMap<String, ir::TypeRef>,
    /// How many inline objects are being lowered inside one another.
    inline_depth: usize,
    /// Every distinct `pattern` checked, in first-use order.
    patterns: Vec<ir::Pattern>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Lowerer<'a> {
    fn new(spec: &'a LoadedSpec, mappings: &'a TypeMappings) -> Self {
        Lowerer {
            spec,
            mappings,
            mapped_schemas: BTreeMap::new(),
            used_crates: BTreeSet::new(),
            schema_names: BTreeMap::new(),
            type_names: NameSet::with_reserved(RESERVED_TYPE_NAMES),
            types: BTreeMap::new(),
            enums_by_values: BTreeMap::new(),
            pointer_types: BTreeMap::new(),
            inline_depth: 0,
            patterns: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    fn file(&self) -> &'a str {
        &self.spec.file
    }

    fn error(&self, kind: ErrorKind, pointer: &str, message: impl Into<String>) -> SpecError {
        SpecError::at(kind, self.file(), pointer, message)
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// What a local `$ref` (`#/…`) points at, read as a `T`.
    fn resolve_local<T: serde::de::DeserializeOwned>(&self, reference: &str) -> Option<T> {
        let value = crate::load::resolve_pointer(&self.spec.raw, reference).ok()?;
        serde_json::from_value(value.clone()).ok()
    }

    fn component_schemas(
        &self,
    ) -> Vec<(&'a String, &'a openapiv3::ReferenceOr<openapiv3::Schema>)> {
        let mut schemas: Vec<_> = self
            .spec
            .document
            .components
            .iter()
            .flat_map(|components| components.schemas.iter())
            .filter(|(key, _)| !self.mapped_schemas.contains_key(*key))
            .collect();
        schemas.sort_by(|a, b| a.0.cmp(b.0));
        schemas
    }

    /// Names every component schema. Collisions are settled by a fixed order
    /// (an exact override or undotted name first, then by schema key) and reported.
    fn name_components(&mut self) {
        let mut wishes: BTreeMap<String, Vec<(bool, &'a String)>> = BTreeMap::new();
        for (key, schema) in self.component_schemas() {
            let name_override = schema
                .as_item()
                .and_then(|schema| {
                    schema
                        .schema_data
                        .extensions
                        .get("x-speakeasy-name-override")
                })
                .and_then(|value| value.as_str());
            let wish = names::schema_type_name(key, name_override);
            let exact = name_override.is_some() || !key.contains('.');
            wishes.entry(wish).or_default().push((exact, key));
        }
        for (wish, mut keys) in wishes {
            // Exact claims first, then by key; both orders are independent of the document.
            keys.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            for (i, (_, key)) in keys.iter().enumerate() {
                let name = if i == 0 && !self.type_names.contains(&wish) {
                    self.type_names.claim(&wish)
                } else {
                    let fallback = if i == 0 {
                        format!("{wish}Model")
                    } else {
                        names::qualified_type_name(key)
                    };
                    let name = self.type_names.claim(&fallback);
                    let pointer = format!("#/components/schemas/{}", escape_segment(key));
                    let reason = if i == 0 {
                        format!("`{wish}` is a reserved name")
                    } else {
                        format!("`{wish}` is taken by schema `{}`", keys[0].1)
                    };
                    self.warn(&pointer, format!("named `{name}`: {reason}"));
                    name
                };
                self.schema_names.insert((*key).clone(), name);
            }
        }
    }

    fn lower_components(&mut self) -> Result<(), SpecError> {
        let schemas = self.component_schemas();
        // Enums first, so inline enums anywhere can reuse them.
        let (enums, others): (Vec<_>, Vec<_>) = schemas
            .into_iter()
            .partition(|(_, schema)| schema.as_item().is_some_and(schema::is_enum));
        for (key, schema) in enums.into_iter().chain(others) {
            let name = self.schema_names[key].clone();
            let pointer = format!("#/components/schemas/{}", escape_segment(key));
            let def = self.lower_component(&name, key, schema, &pointer)?;
            self.types.insert(name, def);
        }
        Ok(())
    }

    /// Registers a type under a name already claimed.
    fn add_type(&mut self, def: TypeDef) {
        self.types.insert(def.name.clone(), def);
    }
}
