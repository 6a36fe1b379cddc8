//! Paths and operations → [`ir::Operation`]s, plus security schemes.

use std::collections::BTreeMap;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SecurityScheme};

use super::Lowerer;
use super::schema::{Constraints, constraints_of, enum_varnames};
use crate::error::{ErrorKind, SpecError, child, escape_segment};
use crate::ir::{
    self, BodyKind, Checks, Method, Operation, Param, ParamLocation, ParamShape, PathPart,
    RequestBody, Response, ResponseContent, SecurityKind, StatusCode, TypeKind, TypeRef, ValueForm,
};
use crate::names::{self, NameSet};

/// A parameter's or header's schema as written, before it is laid out.
struct Value {
    ty: TypeRef,
    /// The schema's own (for `default`).
    constraints: Constraints,
    /// The schema's rules, its items' too.
    checks: Checks,
    /// As the spec says (`required: true`, or a path parameter).
    required: bool,
    /// A query array's delimiter, when its style joins the items.
    delimiter: Option<char>,
    /// A query object's shape and `(property, key)`s, when it is spread or joined.
    object: Option<(ParamShape, Vec<(String, String)>)>,
}

/// A value's names, place and docs; [`Lowerer::value_param`] gives it
/// its type, layout and rules.
fn named(
    wire_name: String,
    field: String,
    arg: String,
    location: ParamLocation,
    docs: Option<String>,
    pointer: String,
) -> Param {
    Param {
        pointer,
        wire_name,
        field,
        arg,
        location,
        required: false,
        docs,
        ty: TypeRef::Json,
        shape: ParamShape::Single(ValueForm::Json),
        path_style: None,
        properties: Vec::new(),
        checks: Checks::default(),
        default: None,
    }
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

/// A media type without its parameters, lower case: `text/csv` of
/// `Text/CSV; charset=utf-8`.
pub(super) fn bare_media(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The media type of form bodies.
pub(super) const FORM_MEDIA_TYPE: &str = "application/x-www-form-urlencoded";

/// The media type of server-sent events.
const EVENTS_MEDIA_TYPE: &str = "text/event-stream";

/// The media type of multipart bodies read part by part.
pub(super) const MULTIPART_MEDIA_TYPE: &str = "multipart/form-data";

/// The variant of an enum of media types named after its media type
/// (`TextCsv` of `text/csv; charset=utf-8`).
fn media_variant(media_type: &str) -> String {
    names::upper_camel_ident(media_type.split(';').next().unwrap_or(media_type), "Media")
}

/// The type hint of one media type's inline schema among several: the one
/// a single body or response would be (`primary`) keeps `base`.
fn media_hint(base: &str, media_type: &str, primary: &str) -> String {
    if media_type == primary {
        base.to_owned()
    } else {
        format!("{base}{}", names::upper_camel_stem(media_type, "V"))
    }
}

/// The media types of the successes, when one of them comes in several.
fn negotiation(responses: &[Response]) -> Option<ir::Negotiation> {
    let successes = responses.iter().filter(|r| r.status.is_success());
    if !successes
        .clone()
        .any(|r| matches!(r.content, ResponseContent::Choice { .. }))
    {
        return None;
    }
    let mut names = NameSet::default();
    let mut variants: Vec<(String, String)> = Vec::new();
    for response in successes {
        let named: Vec<(Option<&str>, &str)> = match &response.content {
            ResponseContent::Choice { variants, .. } => variants
                .iter()
                .flat_map(|v| {
                    v.content
                        .media_types()
                        .into_iter()
                        .map(|media| (Some(v.name.as_str()), media))
                })
                .collect(),
            other => other.media_types().into_iter().map(|m| (None, m)).collect(),
        };
        for (name, media) in named {
            if variants.iter().any(|(_, known)| known == media) {
                continue;
            }
            let wish = name.map_or_else(|| media_variant(media), str::to_owned);
            variants.push((names.claim(&wish), media.to_owned()));
        }
    }
    Some(ir::Negotiation {
        // Named with the other types once every type name is known.
        enum_name: String::new(),
        variants,
    })
}

/// Whether a schema is a file: a string of `format: binary`.
fn is_binary(schema: &openapiv3::Schema) -> bool {
    matches!(
        &schema.schema_kind,
        openapiv3::SchemaKind::Type(openapiv3::Type::String(string))
            if matches!(
                string.format,
                openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
            )
    )
}

/// Whether a media type is JSON (`application/json`, `application/problem+json`, …).
fn is_json(media_type: &str) -> bool {
    let media = bare_media(media_type);
    media == "application/json" || media.ends_with("+json")
}

/// Whether HTTP can carry `name` as a header name (an RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Picks the content type to model: JSON if offered, else the first one.
fn pick_content<M>(content: &indexmap::IndexMap<String, M>) -> Option<(&String, &M)> {
    content
        .iter()
        .find(|(media, _)| is_json(media))
        .or_else(|| content.iter().next())
}

/// Variant name for a response status (`202` → `Accepted`).
fn status_variant(status: StatusCode) -> String {
    let name = match status {
        StatusCode::Code(code) => match code {
            100 => "Continue",
            200 => "Ok",
            201 => "Created",
            202 => "Accepted",
            203 => "NonAuthoritativeInformation",
            204 => "NoContent",
            205 => "ResetContent",
            206 => "PartialContent",
            301 => "MovedPermanently",
            302 => "Found",
            303 => "SeeOther",
            304 => "NotModified",
            307 => "TemporaryRedirect",
            308 => "PermanentRedirect",
            400 => "BadRequest",
            401 => "Unauthorized",
            402 => "PaymentRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            408 => "RequestTimeout",
            409 => "Conflict",
            410 => "Gone",
            412 => "PreconditionFailed",
            413 => "PayloadTooLarge",
            415 => "UnsupportedMediaType",
            422 => "UnprocessableEntity",
            423 => "Locked",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            other => return format!("Status{other}"),
        },
        StatusCode::Range(hundreds) => return format!("Status{hundreds}xx"),
        StatusCode::Default => "Default",
    };
    name.to_owned()
}

/// An operation's summary, description and `METHOD /path`, as doc text.
fn operation_docs(
    summary: Option<&str>,
    description: Option<&str>,
    method: Method,
    path: &str,
) -> String {
    let parts: Vec<&str> = [summary, description]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    let mut docs = parts.join("\n\n");
    if !docs.is_empty() {
        docs.push_str("\n\n");
    }
    docs.push_str(&format!("`{} {path}`", method.as_str()));
    docs
}

/// The path template as literal pieces and parameters (indices into `params`).
/// A `{name}` without a path parameter of that name stays literal text.
fn parse_template(path: &str, params: &[Param]) -> Vec<PathPart> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        literal.push_str(&rest[..open]);
        match params
            .iter()
            .position(|p| p.location == ParamLocation::Path && p.wire_name == name)
        {
            Some(index) => {
                if !literal.is_empty() {
                    parts.push(PathPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(PathPart::Param(index));
            }
            None => literal.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(PathPart::Literal(literal));
    }
    parts
}

impl Lowerer<'_> {
    /// Follows `$ref`s: into one section of `components` (e.g. `parameters`),
    /// or anywhere else in the document (`#/paths/~1pets/get/parameters/0`).
    fn resolve<'d, T: Clone + serde::de::DeserializeOwned>(
        &self,
        item: &'d ReferenceOr<T>,
        section: &str,
        lookup: impl Fn(&str) -> Option<&'d ReferenceOr<T>>,
    ) -> Result<std::borrow::Cow<'d, T>, String> {
        let mut reference = match item {
            ReferenceOr::Item(item) => return Ok(std::borrow::Cow::Borrowed(item)),
            ReferenceOr::Reference { reference } => reference.clone(),
        };
        let prefix = format!("#/components/{section}/");
        for _ in 0..32 {
            let key = reference
                .strip_prefix(&prefix)
                .filter(|key| !key.contains('/'))
                .map(|key| key.replace("~1", "/").replace("~0", "~"));
            let next = match key.as_deref().and_then(&lookup) {
                Some(ReferenceOr::Item(item)) => return Ok(std::borrow::Cow::Borrowed(item)),
                Some(ReferenceOr::Reference { reference }) => reference.clone(),
                None => match self.resolve_local::<ReferenceOr<T>>(&reference) {
                    Some(ReferenceOr::Item(item)) => return Ok(std::borrow::Cow::Owned(item)),
                    Some(ReferenceOr::Reference { reference }) => reference,
                    None => {
                        return Err(format!(
                            "`$ref: {reference}` does not lead to one of `{prefix}`"
                        ));
                    }
                },
            };
            reference = next;
        }
        Err("`$ref` chain is too long or loops".to_owned())
    }

    /// Lowers every operation. `method_names` holds the method names taken
    /// already (fixed ones, security hooks and client setters).
    pub(super) fn lower_operations(
        &mut self,
        method_names: &mut NameSet,
    ) -> Result<Vec<Operation>, SpecError> {
        let document = &self.spec.document;
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
                let wish = names::snake_ident(&id);
                let fn_name = method_names.claim_snake(&wish);
                if fn_name != wish {
                    self.warn(
                        &pointer,
                        format!(
                            "method named `{fn_name}`: `{wish}` is taken by the generated code"
                        ),
                    );
                }
                let type_name = type_stems.claim(&names::upper_camel_stem(&id, "Op"));

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
                        self.lower_body(body, &type_name, &child(&pointer, "requestBody"))?
                    }
                };
                let responses =
                    self.lower_responses(&op.responses, &type_name, &child(&pointer, "responses"))?;
                let requirements = op.security.as_ref().or(document.security.as_ref());
                let security = self.lower_security(requirements, &pointer)?;
                let mut accepted: Vec<&str> = Vec::new();
                for media_type in responses.iter().flat_map(|r| r.content.media_types()) {
                    if !accepted.contains(&media_type) {
                        accepted.push(media_type);
                    }
                }
                let accept = (!accepted.is_empty()).then(|| accepted.join(", "));
                let negotiation = negotiation(&responses);
                operations.push(Operation {
                    docs: operation_docs(
                        op.summary.as_deref(),
                        op.description.as_deref(),
                        method,
                        path,
                    ),
                    template: parse_template(path, &params),
                    id,
                    fn_name,
                    type_name,
                    // Named with the others once every type name is known.
                    trait_name: String::new(),
                    reply: String::new(),
                    handler: String::new(),
                    path_struct: None,
                    query_struct: None,
                    header_struct: None,
                    cookie_struct: None,
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
                    requirement: None,
                    accept,
                    success_headers: None,
                    negotiation,
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
        let mut by_key: BTreeMap<(ParamLocation, String), (usize, Parameter, String)> =
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
            let param =
                match self.resolve(param, "parameters", |key| components?.parameters.get(key)) {
                    Ok(param) => param,
                    Err(message) => {
                        self.warn(
                            &param_pointer,
                            format!("{message}; the parameter is left out"),
                        );
                        continue;
                    }
                };
            let location = match *param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let name = param.parameter_data_ref().name.clone();
            let order = by_key
                .get(&(location, name.clone()))
                .map_or(order, |(first, _, _)| *first);
            by_key.insert((location, name), (order, param.into_owned(), param_pointer));
        }
        let mut ordered: Vec<_> = by_key.into_iter().collect();
        ordered.sort_by_key(|(_, (order, _, _))| *order);

        // Fields are unique within their location's struct; client arguments
        // (path, header and cookie parameters, then `query` and `body`) within the method.
        let mut fields: BTreeMap<ParamLocation, NameSet> = BTreeMap::new();
        let mut args = NameSet::with_reserved(&["query", "body", "content_type", "accept"]);
        let mut params = Vec::with_capacity(ordered.len());
        let mut pointers = Vec::with_capacity(ordered.len());
        for ((location, wire_name), (_, param, param_pointer)) in ordered {
            let data = param.parameter_data_ref();
            if location == ParamLocation::Header
                && ["accept", "content-type", "authorization"]
                    .iter()
                    .any(|fixed| wire_name.eq_ignore_ascii_case(fixed))
            {
                self.warn(
                    &param_pointer,
                    format!(
                        "header parameter `{wire_name}` is ignored, as OpenAPI says: the media \
                         types and the security schemes set it"
                    ),
                );
                continue;
            }
            if location == ParamLocation::Header && !is_header_name(&wire_name) {
                self.warn(
                    &param_pointer,
                    format!(
                        "`{wire_name}` cannot be an HTTP header name; the parameter is left out"
                    ),
                );
                continue;
            }
            let hint = format!("{type_name}{}", names::upper_camel_stem(&wire_name, "V"));
            let (ty, constraints, checks) =
                self.value_schema(&data.format, &data.extensions, &hint, &param_pointer)?;
            let mut object = None;
            if self.is_object_like(&ty) {
                object = self.object_layout(&param, &wire_name, &ty);
                if object.is_none() {
                    let why = if self.scalar_properties(&ty).is_none() {
                        "its properties are not all single values (strings, numbers, booleans, \
                         enums, dates), so they cannot be laid out as its style says"
                    } else {
                        "objects in the `label` and `matrix` path styles are not laid out by \
                         property"
                    };
                    self.warn(
                        &param_pointer,
                        format!(
                            "the {} parameter `{wire_name}` is an object read and written as \
                             JSON text (`{wire_name}={{…}}`): {why}",
                            location.as_str()
                        ),
                    );
                }
            }
            let wish = names::snake_ident(&wire_name);
            let field = fields.entry(location).or_default().claim_snake(&wish);
            let arg = if args.contains(&wish) {
                args.claim_snake(&format!("{}_{wish}", location.as_str()))
            } else {
                args.claim_snake(&wish)
            };
            let delimiter = self.query_delimiter(&param);
            let exploded_array = data.explode == Some(true) && matches!(ty, TypeRef::Vec(_));
            let path_style = match &param {
                Parameter::Path { style, .. } => match style {
                    openapiv3::PathStyle::Simple => None,
                    openapiv3::PathStyle::Label => {
                        if exploded_array && self.has_decimal_items(&ty) {
                            self.warn(
                                &param_pointer,
                                format!(
                                    "path parameter `{wire_name}` is an exploded `label` array \
                                     of numbers: `.` separates its items, so a decimal number \
                                     (`1.5`) is refused by the client and read as two items"
                                ),
                            );
                        }
                        Some(ir::PathStyle::Label { exploded_array })
                    }
                    openapiv3::PathStyle::Matrix => Some(ir::PathStyle::Matrix { exploded_array }),
                },
                _ => None,
            };
            let value = Value {
                ty,
                constraints,
                checks,
                required: data.required || location == ParamLocation::Path,
                delimiter,
                object,
            };
            params.push(Param {
                path_style,
                ..self.value_param(
                    named(
                        wire_name,
                        field,
                        arg,
                        location,
                        data.description.clone(),
                        param_pointer.clone(),
                    ),
                    value,
                )
            });
            pointers.push(param_pointer);
        }
        self.unspread_colliding(&mut params, &pointers);
        Ok(params)
    }

    /// An object spread into pairs or cookies under its properties' names
    /// must not share a name with another parameter of its place (`limit`
    /// beside `page: {limit, offset}`): the server could not tell whose it
    /// is. Such an object is read and written as JSON text instead, and said.
    fn unspread_colliding(&mut self, params: &mut [Param], pointers: &[String]) {
        for index in 0..params.len() {
            if params[index].shape != ParamShape::Spread {
                continue;
            }
            let location = params[index].location;
            let taken: Vec<&str> = params
                .iter()
                .enumerate()
                .filter(|(other, p)| *other != index && p.location == location)
                .flat_map(|(_, p)| {
                    let keys: Vec<&str> = if p.shape == ParamShape::Spread {
                        p.properties.iter().map(|(_, key)| key.as_str()).collect()
                    } else {
                        vec![p.wire_name.as_str()]
                    };
                    keys
                })
                .collect();
            let clash = params[index]
                .properties
                .iter()
                .find(|(_, key)| taken.contains(&key.as_str()))
                .map(|(_, key)| key.clone());
            if let Some(key) = clash {
                let param = &mut params[index];
                param.shape = ParamShape::Single(ValueForm::Json);
                param.properties.clear();
                let (wire_name, place) = (param.wire_name.clone(), location.as_str());
                self.warn(
                    &pointers[index],
                    format!(
                        "the {place} parameter `{wire_name}` is an object read and written as \
                         JSON text (`{wire_name}={{…}}`): spread, its `{key}` would share a \
                         name with another {place} parameter"
                    ),
                );
            }
        }
    }

    /// The type and written constraints of a parameter's or header's schema.
    fn value_schema(
        &mut self,
        format: &ParameterSchemaOrContent,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        hint: &str,
        pointer: &str,
    ) -> Result<(TypeRef, Constraints, Checks), SpecError> {
        let schema_pointer = child(pointer, "schema");
        Ok(match format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                let varnames = enum_varnames(extensions);
                let ty = self.type_of_item(schema, hint, &schema_pointer, varnames.as_deref())?;
                let checks = self.use_checks(Some(schema), &ty, &schema_pointer)?;
                (ty, constraints_of(schema), checks)
            }
            // A named schema's rules are added once every type exists.
            ParameterSchemaOrContent::Schema(reference) => (
                self.type_of(reference, hint, &schema_pointer)?,
                Constraints::default(),
                Checks::default(),
            ),
            ParameterSchemaOrContent::Content(_) => {
                (TypeRef::String, Constraints::default(), Checks::default())
            }
        })
    }

    /// A response's documented headers, as header values of its headers
    /// struct. `Content-Type` is not one: OpenAPI says it is ignored there.
    fn lower_response_headers(
        &mut self,
        headers: &indexmap::IndexMap<String, ReferenceOr<openapiv3::Header>>,
        hint: &str,
        pointer: &str,
    ) -> Result<Vec<Param>, SpecError> {
        let mut fields = NameSet::default();
        let mut lowered = Vec::new();
        for (wire_name, header) in headers {
            if wire_name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let header_pointer = child(pointer, wire_name);
            if !is_header_name(wire_name) {
                self.warn(
                    &header_pointer,
                    format!("`{wire_name}` cannot be an HTTP header name; the header is left out"),
                );
                continue;
            }
            let components = self.spec.document.components.as_ref();
            let header = match self.resolve(header, "headers", |key| components?.headers.get(key)) {
                Ok(header) => header,
                Err(message) => {
                    self.warn(
                        &header_pointer,
                        format!("{message}; the header is left out"),
                    );
                    continue;
                }
            };
            let type_hint = format!("{hint}{}", names::upper_camel_stem(wire_name, "V"));
            let (ty, constraints, checks) = self.value_schema(
                &header.format,
                &header.extensions,
                &type_hint,
                &header_pointer,
            )?;
            if self.is_object_like(&ty) {
                self.warn(
                    &header_pointer,
                    format!(
                        "the response header `{wire_name}` is an object; it is read and written \
                         as JSON text, not as `key,value` pairs"
                    ),
                );
            }
            let field = fields.claim_snake(&names::snake_ident(wire_name));
            let value = Value {
                ty,
                constraints,
                checks,
                required: header.required,
                delimiter: None,
                object: None,
            };
            let named = named(
                wire_name.clone(),
                field.clone(),
                field,
                ParamLocation::Header,
                header.description.clone(),
                header_pointer.clone(),
            );
            lowered.push(self.value_param(named, value));
        }
        Ok(lowered)
    }

    /// `named` with its value's type, layout, checks and default: a
    /// parameter or a response header. An array is never required (a
    /// missing one is empty) and has no default.
    fn value_param(&mut self, named: Param, value: Value) -> Param {
        let Value {
            ty,
            constraints,
            checks,
            required,
            delimiter,
            object,
        } = value;
        let is_array = matches!(ty, TypeRef::Vec(_));
        let (shape, properties) = match object {
            Some(object) => object,
            None => (self.param_shape(&ty, named.location, delimiter), Vec::new()),
        };
        let required = required && !is_array;
        let default = if required || is_array {
            None
        } else {
            self.default_accessor(&named.field, &ty, constraints.default.as_ref())
        };
        Param {
            required,
            ty,
            shape,
            properties,
            checks,
            default,
            ..named
        }
    }

    /// The delimiter of a query array whose style joins its items in one value.
    fn query_delimiter(&self, param: &Parameter) -> Option<char> {
        use openapiv3::QueryStyle;
        let explode = param.parameter_data_ref().explode;
        match param {
            Parameter::Query { style, .. } => match style {
                QueryStyle::Form => (explode == Some(false)).then_some(','),
                // Their `explode` defaults to false; exploded, they are `form`.
                QueryStyle::SpaceDelimited => (explode != Some(true)).then_some(' '),
                QueryStyle::PipeDelimited => (explode != Some(true)).then_some('|'),
                QueryStyle::DeepObject => None,
            },
            _ => None,
        }
    }

    /// How values of a parameter are written as text.
    fn value_form(&self, ty: &TypeRef) -> ValueForm {
        match ty {
            TypeRef::DateTime => ValueForm::DateTime,
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::Date
            | TypeRef::Uuid
            | TypeRef::Base64
            | TypeRef::External(_) => ValueForm::Text,
            TypeRef::Named(name) => match self.types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Enum(_)) => ValueForm::Text,
                Some(TypeKind::Alias(target)) if !matches!(target, TypeRef::Named(_)) => {
                    self.value_form(target)
                }
                _ => ValueForm::Json,
            },
            _ => ValueForm::Json,
        }
    }

    /// How a parameter's values are laid out; `delimiter`: a query array's,
    /// when its style joins the items in one value.
    fn param_shape(
        &self,
        ty: &TypeRef,
        location: ParamLocation,
        delimiter: Option<char>,
    ) -> ParamShape {
        match ty {
            TypeRef::Vec(item)
                if matches!(location, ParamLocation::Query | ParamLocation::Form) =>
            {
                match (self.value_form(item), delimiter) {
                    (ValueForm::Json, _) | (_, None) => ParamShape::Repeated(self.value_form(item)),
                    (form, Some(delimiter)) => ParamShape::Delimited(form, delimiter),
                }
            }
            TypeRef::Vec(item) => match self.value_form(item) {
                ValueForm::Json => ParamShape::Single(ValueForm::Json),
                form => ParamShape::Delimited(form, ','),
            },
            other => ParamShape::Single(self.value_form(other)),
        }
    }

    /// How a query object is laid out, when its properties are single
    /// values: spread (`form` exploded: `min=1`; `deepObject`:
    /// `filter[min]=1`) or joined (`filter=min,1`), with each property's key.
    fn object_layout(
        &self,
        param: &Parameter,
        wire_name: &str,
        ty: &TypeRef,
    ) -> Option<(ParamShape, Vec<(String, String)>)> {
        use openapiv3::{PathStyle, QueryStyle};
        let properties = self.scalar_properties(ty)?;
        let explode = param.parameter_data_ref().explode;
        // `simple` (headers, paths): exploded is `k=v,k=v`, else `k,v,k,v`.
        let simple = if explode == Some(true) {
            ParamShape::ObjectPairs
        } else {
            ParamShape::ObjectJoined(',')
        };
        let (shape, deep) = match param {
            Parameter::Query { style, .. } => match style {
                QueryStyle::DeepObject => (ParamShape::Spread, true),
                QueryStyle::Form if explode == Some(false) => {
                    (ParamShape::ObjectJoined(','), false)
                }
                QueryStyle::SpaceDelimited if explode != Some(true) => {
                    (ParamShape::ObjectJoined(' '), false)
                }
                QueryStyle::PipeDelimited if explode != Some(true) => {
                    (ParamShape::ObjectJoined('|'), false)
                }
                _ => (ParamShape::Spread, false),
            },
            Parameter::Header { .. } => (simple, false),
            Parameter::Path { style, .. } => match style {
                PathStyle::Simple => (simple, false),
                PathStyle::Label | PathStyle::Matrix => return None,
            },
            // `form`: exploded (the default) is one cookie per property.
            Parameter::Cookie { .. } if explode == Some(false) => {
                (ParamShape::ObjectJoined(','), false)
            }
            Parameter::Cookie { .. } => (ParamShape::Spread, false),
        };
        let keys = properties
            .into_iter()
            .map(|property| {
                let key = if deep {
                    format!("{wire_name}[{property}]")
                } else {
                    property.clone()
                };
                (property, key)
            })
            .collect();
        Some((shape, keys))
    }

    /// The wire names of a struct's properties when each is a single value
    /// written as text; `None` for anything else.
    fn scalar_properties(&self, ty: &TypeRef) -> Option<Vec<String>> {
        let TypeRef::Named(name) = ty else {
            return None;
        };
        match &self.types.get(name)?.kind {
            ir::TypeKind::Alias(target) => self.scalar_properties(target),
            ir::TypeKind::Struct(s) if s.additional.is_none() && !s.fields.is_empty() => s
                .fields
                .iter()
                .map(|field| {
                    let scalar = !field.is_three_state()
                        && !matches!(field.ty, TypeRef::Vec(_))
                        && self.value_form(&field.ty) != ValueForm::Json;
                    scalar.then(|| field.wire_name.clone())
                })
                .collect(),
            _ => None,
        }
    }

    /// Whether the items of the array `ty` are floating-point numbers.
    fn has_decimal_items(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Vec(item) => matches!(**item, TypeRef::F32 | TypeRef::F64),
            _ => false,
        }
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
    ) -> Result<Option<RequestBody>, SpecError> {
        let components = self.spec.document.components.as_ref();
        let body = match self.resolve(body, "requestBodies", |key| {
            components?.request_bodies.get(key)
        }) {
            Ok(body) => body,
            Err(message) => {
                self.warn(pointer, format!("{message}; the request body is left out"));
                return Ok(None);
            }
        };
        let Some((content_type, media)) = pick_content(&body.content) else {
            self.warn(
                &child(pointer, "content"),
                "a request body without content types says nothing to send; it is left out",
            );
            return Ok(None);
        };
        let (kind, checks, content_type) = if body.content.len() > 1 {
            // Every media type, each read its own way: an enum of them. The
            // one a single body would be (JSON if any) keeps its names: its
            // inline schema is `…Body`, its variant `Json`.
            let primary = content_type;
            let mut variant_names = NameSet::default();
            let mut variants = Vec::new();
            let mut forms = 0;
            for (media_type, media) in &body.content {
                let media_pointer = child(&child(pointer, "content"), media_type);
                if media_type.contains('*') {
                    self.warn(
                        &media_pointer,
                        format!(
                            "the media range `{media_type}` among several media types is left \
                             out: the client could not say which type it sends"
                        ),
                    );
                    continue;
                }
                let hint = media_hint(&format!("{type_name}Body"), media_type, primary);
                let (kind, checks) =
                    self.lower_media(media_type, media, type_name, &hint, &media_pointer)?;
                if matches!(kind, BodyKind::Multipart { .. }) {
                    self.warn(
                        &media_pointer,
                        "a multipart media type among several is left out: a body enum is \
                         read whole, a multipart body part by part",
                    );
                    if !media.encoding.is_empty() {
                        self.warn(
                            &child(&media_pointer, "encoding"),
                            "`encoding` is not applied: its multipart media type is left out",
                        );
                    }
                    continue;
                }
                if matches!(kind, BodyKind::Form { .. }) {
                    forms += 1;
                    if forms > 1 {
                        self.warn(
                            &media_pointer,
                            "a second form media type is left out: one form struct per operation",
                        );
                        continue;
                    }
                }
                let wish = match &kind {
                    BodyKind::Json(_) if media_type == primary => "Json".to_owned(),
                    BodyKind::Form { .. } => "Form".to_owned(),
                    _ => media_variant(media_type),
                };
                variants.push(ir::BodyVariant {
                    name: variant_names.claim(&wish),
                    content_type: media_type.clone(),
                    kind,
                    checks,
                });
            }
            if variants.len() == 1 {
                let only = variants.remove(0);
                (only.kind, only.checks, only.content_type)
            } else if variants.is_empty() {
                return Ok(None);
            } else {
                let accepted: Vec<&str> =
                    variants.iter().map(|v| v.content_type.as_str()).collect();
                let content_type = accepted.join(", ");
                let kind = BodyKind::Choice {
                    // Named with the other types once every type name is known.
                    enum_name: String::new(),
                    variants,
                };
                (kind, Checks::default(), content_type)
            }
        } else {
            let media_pointer = child(&child(pointer, "content"), content_type);
            let (kind, checks) = self.lower_media(
                content_type,
                media,
                type_name,
                &format!("{type_name}Body"),
                &media_pointer,
            )?;
            (kind, checks, content_type.clone())
        };
        Ok(Some(RequestBody {
            content_type,
            kind,
            required: body.required,
            docs: body.description.clone(),
            checks,
        }))
    }

    /// How a body in one media type is read: JSON of its schema, text, a
    /// form, or bytes; with the checks of a JSON or text body.
    fn lower_media(
        &mut self,
        content_type: &str,
        media: &openapiv3::MediaType,
        type_name: &str,
        hint: &str,
        media_pointer: &str,
    ) -> Result<(BodyKind, Checks), SpecError> {
        let mut checks = Checks::default();
        let kind = match (&media.schema, is_json(content_type)) {
            (Some(schema), true) => {
                let schema_pointer = child(media_pointer, "schema");
                let ty = self.type_of(schema, hint, &schema_pointer)?;
                checks = self.use_checks(schema.as_item(), &ty, &schema_pointer)?;
                BodyKind::Json(Some(ty))
            }
            (None, true) => BodyKind::Json(None),
            _ if bare_media(content_type) == FORM_MEDIA_TYPE => {
                self.lower_form(media, type_name, media_pointer)?
            }
            _ if bare_media(content_type) == MULTIPART_MEDIA_TYPE => {
                self.lower_multipart(media, type_name, media_pointer)?
            }
            (schema, false) if self.is_text(content_type, schema.as_ref()) => {
                // A string schema's rules (`maxLength`, `pattern`, …) hold for the text.
                let (resolved, at) =
                    self.schema_at(schema.as_ref(), &child(media_pointer, "schema"));
                checks = self.use_checks(resolved.as_ref(), &TypeRef::String, &at)?;
                BodyKind::Text
            }
            (_, false) => BodyKind::Bytes,
        };
        Ok((kind, checks))
    }

    /// The schema a use names (through its `$ref`s, if any), and where it
    /// is written: `pointer` for an inline one, the named schema's place else.
    fn schema_at(
        &self,
        schema: Option<&ReferenceOr<openapiv3::Schema>>,
        pointer: &str,
    ) -> (Option<openapiv3::Schema>, String) {
        match schema {
            Some(ReferenceOr::Item(schema)) => (Some(schema.clone()), pointer.to_owned()),
            Some(ReferenceOr::Reference { reference }) => {
                (self.resolve_schema(reference, 0), reference.clone())
            }
            None => (None, pointer.to_owned()),
        }
    }

    /// Whether a body in `content_type` is text: a `text/*` type whose
    /// schema (if any) is a string that is not `format: binary` (which
    /// stays bytes).
    fn is_text(&self, content_type: &str, schema: Option<&ReferenceOr<openapiv3::Schema>>) -> bool {
        if !bare_media(content_type).starts_with("text/") {
            return false;
        }
        if schema.is_none() {
            return true;
        }
        match self
            .schema_at(schema, "")
            .0
            .map(|schema| schema.schema_kind)
        {
            Some(openapiv3::SchemaKind::Type(openapiv3::Type::String(string))) => !matches!(
                string.format,
                openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
            ),
            Some(openapiv3::SchemaKind::Any(any)) => any.typ.is_none() && any.format.is_none(),
            _ => false,
        }
    }

    /// An `application/x-www-form-urlencoded` body: the properties of its
    /// object schema become the fields of a form struct, each read and
    /// written as a query parameter is (`form` style, exploded: an array is
    /// a repeated field). A schema that is no object with properties is
    /// bytes, and said.
    fn lower_form(
        &mut self,
        media: &openapiv3::MediaType,
        type_name: &str,
        media_pointer: &str,
    ) -> Result<BodyKind, SpecError> {
        let schema_pointer = child(media_pointer, "schema");
        // Where the properties are written: the named schema's own place.
        let (schema, base) = self.schema_at(media.schema.as_ref(), &schema_pointer);
        let object = match schema.map(|schema| schema.schema_kind) {
            Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)))
                if !object.properties.is_empty() =>
            {
                object
            }
            _ => {
                self.warn(
                    &schema_pointer,
                    "a form body whose schema is not an object with properties has no fields \
                     to read; it is sent and received as raw bytes",
                );
                if !media.encoding.is_empty() {
                    self.warn(
                        &child(media_pointer, "encoding"),
                        "`encoding` is not honoured: the form body is raw bytes",
                    );
                }
                return Ok(BodyKind::Bytes);
            }
        };
        for (property, encoding) in &media.encoding {
            if !object.properties.contains_key(property) {
                self.warn(
                    &child(&child(media_pointer, "encoding"), property),
                    format!(
                        "`{property}` is no property of the form's schema; its encoding is ignored"
                    ),
                );
                continue;
            }
            let mut ignored = Vec::new();
            if encoding.content_type.is_some() {
                ignored.push("contentType");
            }
            if !encoding.headers.is_empty() {
                ignored.push("headers");
            }
            if encoding
                .style
                .as_ref()
                .is_some_and(|style| *style != openapiv3::QueryStyle::Form)
            {
                ignored.push("style");
            }
            if encoding.allow_reserved {
                ignored.push("allowReserved");
            }
            if !ignored.is_empty() {
                self.warn(
                    &child(&child(media_pointer, "encoding"), property),
                    format!(
                        "the form field `{property}` is written as a query parameter is \
                         (`form` style, exploded, percent-encoded); its `{}` {} not applied",
                        ignored.join("`, `"),
                        if ignored.len() == 1 { "is" } else { "are" }
                    ),
                );
            }
        }
        let mut fields = NameSet::default();
        let mut lowered = Vec::new();
        for (wire_name, property) in &object.properties {
            // What the server alone writes is no field a client sends.
            if self.is_read_only(property) {
                continue;
            }
            let required = object.required.contains(wire_name);
            let hint = format!("{type_name}Form{}", names::upper_camel_stem(wire_name, "V"));
            lowered.push(self.form_field(
                wire_name,
                property,
                required,
                &base,
                &hint,
                &mut fields,
                true,
            )?);
        }
        Ok(BodyKind::Form {
            // Named with the other structs once every type name is known.
            struct_name: String::new(),
            fields: lowered,
        })
    }

    /// Whether a property is `readOnly`: written by the server alone.
    fn is_read_only(&self, property: &ReferenceOr<Box<openapiv3::Schema>>) -> bool {
        self.property_schema(property)
            .is_some_and(|schema| schema.schema_data.read_only)
    }

    /// The schema of a property (or of an array's items), through its `$ref`.
    fn property_schema(
        &self,
        property: &ReferenceOr<Box<openapiv3::Schema>>,
    ) -> Option<openapiv3::Schema> {
        match property {
            ReferenceOr::Item(schema) => Some((**schema).clone()),
            ReferenceOr::Reference { reference } => self.resolve_schema(reference, 0),
        }
    }

    /// A property of a form (or a text part of a multipart body) as a field
    /// read and written as a query parameter is; `base`: where the object's
    /// properties are written; `note_objects`: say that an object is JSON
    /// text (a form's would rather be spread).
    #[allow(clippy::too_many_arguments)]
    fn form_field(
        &mut self,
        wire_name: &str,
        property: &ReferenceOr<Box<openapiv3::Schema>>,
        required: bool,
        base: &str,
        hint: &str,
        fields: &mut NameSet,
        note_objects: bool,
    ) -> Result<Param, SpecError> {
        let field_pointer = child(&child(base, "properties"), wire_name);
        let (ty, constraints, checks) = match property {
            ReferenceOr::Item(schema) => {
                let ty = self.type_of_item(schema, hint, &field_pointer, None)?;
                let checks = self.use_checks(Some(schema), &ty, &field_pointer)?;
                (ty, constraints_of(schema), checks)
            }
            ReferenceOr::Reference { reference } => (
                self.type_of(
                    &ReferenceOr::Reference {
                        reference: reference.clone(),
                    },
                    hint,
                    &field_pointer,
                )?,
                Constraints::default(),
                Checks::default(),
            ),
        };
        if note_objects && self.is_object_like(&ty) {
            self.warn(
                &field_pointer,
                format!(
                    "the form field `{wire_name}` is an object; it is read and written as \
                     JSON text (`{wire_name}={{…}}`), not spread into fields of its own"
                ),
            );
        }
        let field = fields.claim_snake(&names::snake_ident(wire_name));
        let value = Value {
            ty,
            constraints,
            checks,
            required,
            delimiter: None,
            object: None,
        };
        let named = named(
            wire_name.to_owned(),
            field.clone(),
            field,
            ParamLocation::Form,
            property
                .as_item()
                .and_then(|schema| schema.schema_data.description.clone()),
            field_pointer,
        );
        Ok(self.value_param(named, value))
    }

    /// A `multipart/form-data` body: the properties of its object schema
    /// are its parts. A file (`format: binary`, or an array of them:
    /// repeated parts) is a streamed `FilePart` whose media types
    /// `encoding.contentType` may restrict; every other part is text, read
    /// and checked as a form field (an object as JSON). A schema that is no
    /// object with properties is bytes, and said.
    fn lower_multipart(
        &mut self,
        media: &openapiv3::MediaType,
        type_name: &str,
        media_pointer: &str,
    ) -> Result<BodyKind, SpecError> {
        let schema_pointer = child(media_pointer, "schema");
        let (schema, base) = self.schema_at(media.schema.as_ref(), &schema_pointer);
        let object = match schema.map(|schema| schema.schema_kind) {
            Some(openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)))
                if !object.properties.is_empty() =>
            {
                object
            }
            _ => {
                self.warn(
                    &schema_pointer,
                    "a multipart body whose schema is not an object with properties has no \
                     parts to read; it is sent and received as raw bytes",
                );
                if !media.encoding.is_empty() {
                    self.warn(
                        &child(media_pointer, "encoding"),
                        "`encoding` is not honoured: the multipart body is raw bytes",
                    );
                }
                return Ok(BodyKind::Bytes);
            }
        };
        for (property, encoding) in &media.encoding {
            let at = child(&child(media_pointer, "encoding"), property);
            if !object.properties.contains_key(property) {
                self.warn(
                    &at,
                    format!(
                        "`{property}` is no property of the multipart schema; its encoding is \
                         ignored"
                    ),
                );
                continue;
            }
            if !encoding.headers.is_empty() {
                self.warn(
                    &at,
                    format!(
                        "the headers of the part `{property}` are neither sent nor read: a \
                         part carries its name, file name and content type"
                    ),
                );
            }
        }
        // `fields` holds the text parts: no file may take its name.
        let mut struct_fields = NameSet::default();
        struct_fields.claim_snake("fields");
        let mut text_fields = NameSet::default();
        let mut fields = Vec::new();
        let mut files = Vec::new();
        for (wire_name, property) in &object.properties {
            if self.is_read_only(property) {
                continue;
            }
            let required = object.required.contains(wire_name);
            let field_pointer = child(&child(&base, "properties"), wire_name);
            let accepted = media
                .encoding
                .get(wire_name)
                .and_then(|encoding| encoding.content_type.clone());
            let resolved = self.property_schema(property);
            let repeated = match resolved.as_ref().map(|schema| &schema.schema_kind) {
                Some(_) if resolved.as_ref().is_some_and(is_binary) => Some(false),
                Some(openapiv3::SchemaKind::Type(openapiv3::Type::Array(array))) => array
                    .items
                    .as_ref()
                    .and_then(|items| self.property_schema(items))
                    .is_some_and(|items| is_binary(&items))
                    .then_some(true),
                _ => None,
            };
            if let Some(repeated) = repeated {
                files.push(ir::FileField {
                    wire_name: wire_name.clone(),
                    field: struct_fields.claim_snake(&names::snake_ident(wire_name)),
                    required: required && !repeated,
                    repeated,
                    accepted,
                    docs: resolved.and_then(|schema| schema.schema_data.description),
                    pointer: field_pointer,
                });
                continue;
            }
            if let Some(content_type) = &accepted
                && bare_media(content_type) != "text/plain"
                && !is_json(content_type)
            {
                self.warn(
                    &child(&child(media_pointer, "encoding"), wire_name),
                    format!(
                        "the part `{wire_name}` is read and written as text (JSON for an \
                         object); its `contentType` `{content_type}` is not applied"
                    ),
                );
            }
            let hint = format!(
                "{type_name}Multipart{}",
                names::upper_camel_stem(wire_name, "V")
            );
            fields.push(self.form_field(
                wire_name,
                property,
                required,
                &base,
                &hint,
                &mut text_fields,
                // A part of an object is JSON, as multipart means it to be.
                false,
            )?);
        }
        Ok(BodyKind::Multipart {
            // Named with the other structs once every type name is known.
            struct_name: String::new(),
            fields_struct: String::new(),
            fields,
            files,
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
            let response =
                match self.resolve(response, "responses", |key| components?.responses.get(key)) {
                    Ok(response) => response,
                    Err(message) => {
                        self.warn(
                            &response_pointer,
                            format!("{message}; the response is left out"),
                        );
                        continue;
                    }
                };
            let hint = format!("{type_name}Response{status}");
            let content_pointer = child(&response_pointer, "content");
            let content = match pick_content(&response.content) {
                None => ResponseContent::None,
                Some((primary, media)) if response.content.len() == 1 => {
                    self.response_media(primary, media, &hint, &child(&content_pointer, primary))?
                }
                // Every media type, each its own way: an enum of them. The
                // one a single response would be (JSON if any) keeps its
                // names: its inline schema is `…Response200`, its variant `Json`.
                Some((primary, _)) => {
                    let mut names = NameSet::default();
                    let mut variants = Vec::new();
                    for (media_type, media) in &response.content {
                        let content = self.response_media(
                            media_type,
                            media,
                            &media_hint(&hint, media_type, primary),
                            &child(&content_pointer, media_type),
                        )?;
                        let wish = match &content {
                            ResponseContent::Json { .. } if media_type == primary => {
                                "Json".to_owned()
                            }
                            _ => media_variant(media_type),
                        };
                        variants.push(ir::ResponseVariant {
                            name: names.claim(&wish),
                            content,
                        });
                    }
                    ResponseContent::Choice {
                        // Named with the other types once every type name is known.
                        enum_name: String::new(),
                        variants,
                    }
                }
            };
            let headers = self.lower_response_headers(
                &response.headers,
                &format!("{type_name}Response{status}"),
                &child(&response_pointer, "headers"),
            )?;
            lowered.push(Response {
                status,
                variant: status_variant(status),
                description: response.description.clone(),
                content,
                headers,
                // Named with the others once every type name is known.
                headers_struct: None,
            });
        }
        lowered.sort_by_key(|response| response.status);
        Ok(lowered)
    }

    /// How a response in one media type is read: JSON of its schema, text,
    /// server-sent events, or bytes.
    fn response_media(
        &mut self,
        content_type: &str,
        media: &openapiv3::MediaType,
        hint: &str,
        media_pointer: &str,
    ) -> Result<ResponseContent, SpecError> {
        let media_type = content_type.to_owned();
        if bare_media(content_type) == EVENTS_MEDIA_TYPE {
            // Each event's data: text for a string schema (or none), else
            // JSON of the schema.
            let ty = match &media.schema {
                Some(schema) if !self.is_text("text/plain", Some(schema)) => Some(self.type_of(
                    schema,
                    &format!("{hint}Event"),
                    &child(media_pointer, "schema"),
                )?),
                _ => None,
            };
            return Ok(ResponseContent::Events { media_type, ty });
        }
        if self.is_text(content_type, media.schema.as_ref()) {
            return Ok(ResponseContent::Text { media_type });
        }
        if !is_json(content_type) {
            return Ok(ResponseContent::Bytes { media_type });
        }
        let ty = match &media.schema {
            Some(schema) => Some(self.type_of(schema, hint, &child(media_pointer, "schema"))?),
            None => None,
        };
        Ok(ResponseContent::Json { media_type, ty })
    }

    fn lower_security(
        &mut self,
        requirements: Option<&Vec<openapiv3::SecurityRequirement>>,
        pointer: &str,
    ) -> Result<ir::SecurityAsWritten, SpecError> {
        let known = self
            .spec
            .document
            .components
            .as_ref()
            .map(|c| &c.security_schemes);
        let mut lowered = Vec::new();
        'requirements: for (i, requirement) in requirements.into_iter().flatten().enumerate() {
            let at = child(&child(pointer, "security"), &i.to_string());
            let mut schemes = Vec::new();
            for (name, scopes) in requirement {
                if !known.is_some_and(|known| known.contains_key(name)) {
                    self.warn(
                        &at,
                        format!(
                            "security scheme `{name}` is not defined in `#/components/securitySchemes`; \
                             this requirement is left out"
                        ),
                    );
                    continue 'requirements;
                }
                schemes.push((name.clone(), scopes.clone()));
            }
            // `{}` is kept: it makes credentials optional.
            lowered.push(schemes);
        }
        // Only `{}`: no credentials at all.
        if lowered.iter().all(Vec::is_empty) {
            lowered.clear();
        }
        Ok(lowered)
    }

    /// The security schemes, with their hook, client field and setter names
    /// claimed in `method_names` (and the aliases for a spec's only API key or
    /// bearer scheme, when free).
    pub(super) fn lower_security_schemes(
        &self,
        method_names: &mut NameSet,
    ) -> Result<Vec<ir::SecurityScheme>, SpecError> {
        let Some(components) = &self.spec.document.components else {
            return Ok(Vec::new());
        };
        let mut fields = NameSet::with_reserved(names::CLIENT_FIELDS);
        let mut sorted: Vec<_> = components.security_schemes.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        sorted
            .into_iter()
            .map(|(name, scheme)| {
                let pointer = format!("#/components/securitySchemes/{}", escape_segment(name));
                let scheme = self
                    .resolve(scheme, "securitySchemes", |key| {
                        components.security_schemes.get(key)
                    })
                    .map_err(|message| self.error(ErrorKind::Invalid, &pointer, message))?;
                let (kind, description) = match &*scheme {
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
                    } if scheme.eq_ignore_ascii_case("basic") => (SecurityKind::Basic, description),
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
                let snake = names::snake_ident(name);
                let stem = snake.trim_end_matches('_');
                Ok(ir::SecurityScheme {
                    name: name.clone(),
                    description: description.clone(),
                    kind,
                    hook: method_names.claim_snake(&format!("authenticate_{stem}")),
                    client_field: fields.claim_snake(&snake),
                    client_setter: method_names.claim_snake(&format!("with_{stem}")),
                    client_alias: None,
                })
            })
            .collect::<Result<Vec<_>, SpecError>>()
            .map(|mut schemes| {
                let api_keys: Vec<usize> = (0..schemes.len())
                    .filter(|i| matches!(schemes[*i].kind, SecurityKind::ApiKey { .. }))
                    .collect();
                // Basic takes a user name and password, not one token.
                let others: Vec<usize> = (0..schemes.len())
                    .filter(|i| {
                        !matches!(
                            schemes[*i].kind,
                            SecurityKind::ApiKey { .. } | SecurityKind::Basic
                        )
                    })
                    .collect();
                for (group, alias) in [(api_keys, "with_api_key"), (others, "with_bearer_token")] {
                    if let [only] = group.as_slice()
                        && schemes[*only].client_setter != alias
                        && !method_names.contains(alias)
                    {
                        method_names.insert(alias);
                        schemes[*only].client_alias = Some(alias.to_owned());
                    }
                }
                schemes
            })
    }
}
