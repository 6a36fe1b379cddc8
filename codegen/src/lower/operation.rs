//! Paths and operations → [`ir::Operation`]s, plus security schemes.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SecurityScheme};

use super::Lowerer;
use super::names::{self, NameSet};
use super::schema::{constraints_of, enum_varnames};
use crate::error::{ErrorKind, SpecError, child, escape_segment};
use crate::ir::{
    self, Constraints, Method, Operation, Param, ParamLocation, RequestBody, Response,
    SecurityKind, StatusCode, TypeRef,
};

/// Follows `$ref`s into one section of `components` (e.g. `parameters`).
fn resolve<'d, T>(
    item: &'d ReferenceOr<T>,
    section: &str,
    lookup: impl Fn(&str) -> Option<&'d ReferenceOr<T>>,
) -> Result<&'d T, String> {
    let mut current = item;
    for _ in 0..32 {
        match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => {
                let prefix = format!("#/components/{section}/");
                let key = reference
                    .strip_prefix(&prefix)
                    .ok_or_else(|| format!("`$ref: {reference}` must point at `{prefix}<name>`"))?;
                current =
                    lookup(key).ok_or_else(|| format!("`$ref: {reference}` does not resolve"))?;
            }
        }
    }
    Err("`$ref` chain is too long or loops".to_owned())
}

fn method_of(name: &str) -> Method {
    match name {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        _ => Method::Trace,
    }
}

/// Picks the content type to model: JSON if offered, else the first one.
fn pick_content<M>(content: &indexmap::IndexMap<String, M>) -> Option<(&String, &M)> {
    content
        .iter()
        .find(|(media, _)| {
            let media = media.to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        })
        .or_else(|| content.iter().next())
}

impl Lowerer<'_> {
    pub(super) fn lower_operations(&mut self) -> Result<Vec<Operation>, SpecError> {
        let document = &self.spec.document;
        let mut fn_names = NameSet::default();
        let mut type_stems = NameSet::default();
        let mut operations = Vec::new();
        for (path, item) in document.paths.iter() {
            let path_pointer = child("#/paths", path);
            let resolved;
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    match self.resolve_local::<openapiv3::PathItem>(reference) {
                        Some(item) => {
                            resolved = item;
                            &resolved
                        }
                        None => {
                            self.warn(
                                &path_pointer,
                                format!(
                                    "`$ref: {reference}` does not lead to a path item in this \
                                     document; the path is left out"
                                ),
                            );
                            continue;
                        }
                    }
                }
            };
            for (method_name, op) in item.iter() {
                let pointer = child(&path_pointer, method_name);
                let method = method_of(method_name);
                let id = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => {
                        let derived = names::derived_operation_id(method_name, path);
                        self.warn(
                            &pointer,
                            format!("no operationId; named after method and path (`{derived}`)"),
                        );
                        derived
                    }
                };
                let fn_name = fn_names.claim_snake(&names::snake_ident(&id));
                let type_name = type_stems.claim(&names::upper_camel_ident(&id, "Op"));

                let params = self.lower_params(
                    &item.parameters,
                    &op.parameters,
                    &type_name,
                    &path_pointer,
                    &pointer,
                )?;
                let body = match &op.request_body {
                    None => None,
                    Some(body) => {
                        Some(self.lower_body(body, &type_name, &child(&pointer, "requestBody"))?)
                    }
                };
                let responses =
                    self.lower_responses(&op.responses, &type_name, &child(&pointer, "responses"))?;
                let requirements = op.security.as_ref().or(document.security.as_ref());
                let security = self.lower_security(requirements, &pointer)?;
                operations.push(Operation {
                    id,
                    fn_name,
                    type_name,
                    method,
                    path: path.clone(),
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    tags: op.tags.clone(),
                    deprecated: op.deprecated,
                    params,
                    body,
                    responses,
                    security,
                });
            }
        }
        Ok(operations)
    }

    fn lower_params(
        &mut self,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
        type_name: &str,
        path_pointer: &str,
        pointer: &str,
    ) -> Result<Vec<Param>, SpecError> {
        // Operation parameters override path-level ones with the same name and location.
        let mut by_key: BTreeMap<(ParamLocation, String), (usize, &Parameter, String)> =
            BTreeMap::new();
        let sources = path_level
            .iter()
            .enumerate()
            .map(|(i, p)| (p, child(&child(path_pointer, "parameters"), &i.to_string())))
            .chain(
                op_level
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, child(&child(pointer, "parameters"), &i.to_string()))),
            );
        for (order, (param, param_pointer)) in sources.enumerate() {
            let components = self.spec.document.components.as_ref();
            let param = resolve(param, "parameters", |key| components?.parameters.get(key))
                .map_err(|message| self.error(ErrorKind::Invalid, &param_pointer, message))?;
            let location = match param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let name = param.parameter_data_ref().name.clone();
            let order = by_key
                .get(&(location, name.clone()))
                .map_or(order, |(first, _, _)| *first);
            by_key.insert((location, name), (order, param, param_pointer));
        }
        let mut ordered: Vec<_> = by_key.into_iter().collect();
        ordered.sort_by_key(|(_, (order, _, _))| *order);

        let mut rust_names = NameSet::default();
        let mut params = Vec::with_capacity(ordered.len());
        for ((location, wire_name), (_, param, param_pointer)) in ordered {
            let data = param.parameter_data_ref();
            let hint = format!("{type_name}{}", names::upper_camel_ident(&wire_name, "V"));
            let (ty, constraints) = match &data.format {
                ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                    let varnames = enum_varnames(&data.extensions);
                    let ty = self.type_of_item(
                        schema,
                        &hint,
                        &child(&param_pointer, "schema"),
                        varnames.as_deref(),
                    )?;
                    (ty, constraints_of(schema))
                }
                ParameterSchemaOrContent::Schema(reference) => (
                    self.type_of(reference, &hint, &child(&param_pointer, "schema"))?,
                    Constraints::default(),
                ),
                ParameterSchemaOrContent::Content(_) => (TypeRef::String, Constraints::default()),
            };
            if self.is_object_like(&ty) {
                self.warn(
                    &param_pointer,
                    format!(
                        "the {} parameter `{wire_name}` is an object; it is read and written as \
                         JSON text (`{wire_name}={{…}}`), not spread into `form` or \
                         `deepObject` properties",
                        location.as_str()
                    ),
                );
            }
            let wish = names::snake_ident(&wire_name);
            let name = if rust_names.contains(&wish) {
                rust_names.claim_snake(&format!("{}_{wish}", location.as_str()))
            } else {
                rust_names.claim_snake(&wish)
            };
            params.push(Param {
                wire_name,
                name,
                location,
                required: data.required || location == ParamLocation::Path,
                docs: data.description.clone(),
                ty,
                constraints,
            });
        }
        Ok(params)
    }

    /// Whether values of `ty` are JSON objects (structs, maps, free-form objects).
    fn is_object_like(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::JsonObject | TypeRef::Map(_) => true,
            TypeRef::Boxed(inner) => self.is_object_like(inner),
            TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                Some(ir::TypeKind::Struct(_)) => true,
                Some(ir::TypeKind::Alias(target)) => self.is_object_like(target),
                _ => false,
            },
            _ => false,
        }
    }

    fn lower_body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        type_name: &str,
        pointer: &str,
    ) -> Result<RequestBody, SpecError> {
        let components = self.spec.document.components.as_ref();
        let body = resolve(body, "requestBodies", |key| {
            components?.request_bodies.get(key)
        })
        .map_err(|message| self.error(ErrorKind::Invalid, pointer, message))?;
        let Some((content_type, media)) = pick_content(&body.content) else {
            return Err(self.error(
                ErrorKind::Invalid,
                &child(pointer, "content"),
                "a request body needs at least one content type",
            ));
        };
        let media_pointer = child(&child(pointer, "content"), content_type);
        let ty = match &media.schema {
            Some(schema) => Some(self.type_of(
                schema,
                &format!("{type_name}Body"),
                &child(&media_pointer, "schema"),
            )?),
            None => None,
        };
        Ok(RequestBody {
            content_type: content_type.clone(),
            ty,
            required: body.required,
            docs: body.description.clone(),
        })
    }

    fn lower_responses(
        &mut self,
        responses: &openapiv3::Responses,
        type_name: &str,
        pointer: &str,
    ) -> Result<Vec<Response>, SpecError> {
        let entries = responses
            .responses
            .iter()
            .map(|(status, response)| {
                let status = match status {
                    openapiv3::StatusCode::Code(code) => StatusCode::Code(*code),
                    openapiv3::StatusCode::Range(hundreds) => StatusCode::Range(*hundreds),
                };
                (status, response)
            })
            .chain(
                responses
                    .default
                    .iter()
                    .map(|response| (StatusCode::Default, response)),
            );
        let mut lowered = Vec::new();
        for (status, response) in entries {
            let response_pointer = child(pointer, &status.to_string());
            let components = self.spec.document.components.as_ref();
            let response = resolve(response, "responses", |key| components?.responses.get(key))
                .map_err(|message| self.error(ErrorKind::Invalid, &response_pointer, message))?;
            let (content_type, ty) = match pick_content(&response.content) {
                None => (None, None),
                Some((content_type, media)) => {
                    let schema_pointer = child(
                        &child(&child(&response_pointer, "content"), content_type),
                        "schema",
                    );
                    let ty = match &media.schema {
                        Some(schema) => Some(self.type_of(
                            schema,
                            &format!("{type_name}Response{status}"),
                            &schema_pointer,
                        )?),
                        None => None,
                    };
                    (Some(content_type.clone()), ty)
                }
            };
            lowered.push(Response {
                status,
                description: response.description.clone(),
                content_type,
                ty,
            });
        }
        lowered.sort_by_key(|response| response.status);
        Ok(lowered)
    }

    fn lower_security(
        &mut self,
        requirements: Option<&Vec<openapiv3::SecurityRequirement>>,
        pointer: &str,
    ) -> Result<Vec<Vec<String>>, SpecError> {
        let known = self
            .spec
            .document
            .components
            .as_ref()
            .map(|c| &c.security_schemes);
        let mut lowered = Vec::new();
        'requirements: for (i, requirement) in requirements.into_iter().flatten().enumerate() {
            let mut schemes = Vec::new();
            for name in requirement.keys() {
                if !known.is_some_and(|known| known.contains_key(name)) {
                    self.warn(
                        &child(&child(pointer, "security"), &i.to_string()),
                        format!(
                            "security scheme `{name}` is not defined in `#/components/securitySchemes`; \
                             this requirement is left out"
                        ),
                    );
                    continue 'requirements;
                }
                schemes.push(name.clone());
            }
            if !schemes.is_empty() {
                lowered.push(schemes);
            }
        }
        Ok(lowered)
    }

    pub(super) fn lower_security_schemes(&self) -> Result<Vec<ir::SecurityScheme>, SpecError> {
        let Some(components) = &self.spec.document.components else {
            return Ok(Vec::new());
        };
        let mut sorted: Vec<_> = components.security_schemes.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        sorted
            .into_iter()
            .map(|(name, scheme)| {
                let pointer = format!("#/components/securitySchemes/{}", escape_segment(name));
                let scheme = resolve(scheme, "securitySchemes", |key| {
                    components.security_schemes.get(key)
                })
                .map_err(|message| self.error(ErrorKind::Invalid, &pointer, message))?;
                let (kind, description) = match scheme {
                    SecurityScheme::APIKey {
                        location,
                        name,
                        description,
                        ..
                    } => (
                        SecurityKind::ApiKey {
                            location: match location {
                                openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                                openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                                openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                            },
                            param_name: name.clone(),
                        },
                        description,
                    ),
                    SecurityScheme::HTTP {
                        scheme,
                        description,
                        ..
                    } => (
                        SecurityKind::Http {
                            scheme: scheme.clone(),
                        },
                        description,
                    ),
                    SecurityScheme::OAuth2 { description, .. } => {
                        (SecurityKind::OAuth2, description)
                    }
                    SecurityScheme::OpenIDConnect { description, .. } => {
                        (SecurityKind::OpenIdConnect, description)
                    }
                };
                Ok(ir::SecurityScheme {
                    name: name.clone(),
                    description: description.clone(),
                    kind,
                })
            })
            .collect()
    }
}
