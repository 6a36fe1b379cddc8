//! The user's own types in place of generated ones: component schemas
//! replaced by `--type-map schema:…` or `x-rust-type`, formats by
//! `--type-map format:…`. A mapped schema's constraints are the type's own
//! business: each one dropped is reported.

use openapiv3::Schema;

use super::Lowerer;
use super::schema::constraints_of;
use crate::error::{ErrorKind, SpecError, child, escape_segment};
use crate::ir::TypeRef;
use crate::mapping;

impl Lowerer<'_> {
    /// Decides which component schemas are the user's types, before any is named.
    pub(super) fn map_components(&mut self) -> Result<(), SpecError> {
        let components = self.spec.document.components.as_ref();
        let schemas = components.map(|c| &c.schemas);
        for (key, path) in &self.mappings.schemas {
            if !schemas.is_some_and(|schemas| schemas.contains_key(key)) {
                return Err(self.error(
                    ErrorKind::Invalid,
                    "#/components/schemas",
                    format!("--type-map schema:{key}={path}: the spec has no schema `{key}`"),
                ));
            }
        }
        let mut mapped = Vec::new();
        for (key, schema) in schemas.into_iter().flatten() {
            let pointer = format!("#/components/schemas/{}", escape_segment(key));
            let Some(schema) = schema.as_item() else {
                if let Some(path) = self.mappings.schemas.get(key) {
                    mapped.push((key.clone(), path.clone(), pointer));
                }
                continue;
            };
            let path = match self.mappings.schemas.get(key) {
                Some(path) => Some(path.clone()),
                None => self.rust_type_extension(schema, &pointer),
            };
            if let Some(path) = path {
                self.report_unchecked(schema, &path, &pointer);
                mapped.push((key.clone(), path, pointer));
            }
        }
        for (key, path, _) in mapped {
            self.use_crate_of(&path);
            self.mapped_schemas.insert(key, path);
        }
        Ok(())
    }

    /// The type of a `$ref` to a mapped component.
    pub(super) fn mapped_component(&self, key: &str) -> Option<TypeRef> {
        self.mapped_schemas
            .get(key)
            .map(|path| TypeRef::External(path.clone()))
    }

    /// The user's type for an inline schema: its `x-rust-type`, or its
    /// `format`'s mapping.
    pub(super) fn mapped_inline(&mut self, schema: &Schema, pointer: &str) -> Option<TypeRef> {
        // Every schema use passes here: nothing is read without a mapping.
        let path = self.rust_type_extension(schema, pointer).or_else(|| {
            if self.mappings.formats.is_empty() {
                return None;
            }
            let format = constraints_of(schema).format?;
            self.mappings.formats.get(&format).cloned()
        })?;
        self.report_unchecked(schema, &path, pointer);
        self.use_crate_of(&path);
        Some(TypeRef::External(path))
    }

    /// `x-rust-type: {crate, version, path}`, when it can be used: a path of
    /// identifiers from a crate that is known or given by `--crate`.
    fn rust_type_extension(&mut self, schema: &Schema, pointer: &str) -> Option<String> {
        let value = schema.schema_data.extensions.get("x-rust-type")?;
        let pointer = child(pointer, "x-rust-type");
        // A component is looked at before naming and again if it is lowered.
        let reported = self.diagnostics.iter().any(|d| d.pointer == pointer);
        let path = value.get("path").and_then(|path| path.as_str());
        let Some(path) = path else {
            self.warn_once(
                reported,
                &pointer,
                "`x-rust-type` has no `path`; the type is generated from the schema",
            );
            return None;
        };
        if let Err(err) = mapping::check_path(path) {
            self.warn_once(
                reported,
                &pointer,
                format!("{err}; the type is generated from the schema"),
            );
            return None;
        }
        let generic = value
            .get("parameters")
            .and_then(|parameters| parameters.as_array())
            .is_some_and(|parameters| !parameters.is_empty());
        if generic {
            self.warn_once(
                reported,
                &pointer,
                format!(
                    "`x-rust-type` `{path}` has type parameters, which are not supported; \
                     the type is generated from the schema"
                ),
            );
            return None;
        }
        if self.mappings.crate_of(path).is_none() {
            let name = value
                .get("crate")
                .and_then(|name| name.as_str())
                .unwrap_or_else(|| path.split("::").next().unwrap_or_default());
            let version = value
                .get("version")
                .and_then(|version| version.as_str())
                .unwrap_or("VERSION");
            self.warn_once(
                reported,
                &pointer,
                format!(
                    "`x-rust-type` `{path}` is from crate `{name}`, which is not given; \
                     the type is generated from the schema (add --crate {name}@{version} to use it)"
                ),
            );
            return None;
        }
        Some(path.to_owned())
    }

    fn warn_once(&mut self, reported: bool, pointer: &str, message: impl Into<String>) {
        if !reported {
            self.warn(pointer, message);
        }
    }

    fn use_crate_of(&mut self, path: &str) {
        if let Some(Some(name)) = self.mappings.crate_of(path) {
            self.used_crates.insert(name.to_owned());
        }
    }

    /// Names the constraints a mapped schema has: its type does not check them.
    fn report_unchecked(&mut self, schema: &Schema, path: &str, pointer: &str) {
        let constraints = constraints_of(schema);
        if constraints.has_rules() {
            self.warn(
                pointer,
                format!(
                    "the schema is mapped to `{path}`; its constraints are not checked \
                     (the type's own parsing decides what it accepts)"
                ),
            );
        }
    }
}
