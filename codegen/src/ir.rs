//! Stage 2 output: the intermediate representation. Plain Rust data, no
//! `openapiv3` types: everything the emitters need, already named and resolved.

/// The whole API, lowered.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    /// The path of the first server URL (`https://host/v1` → `/v1`), where the
    /// router mounts by default; empty for the root.
    pub base_path: String,
    /// Named types, sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// Operations in document order (path, then method order of the spec).
    pub operations: Vec<Operation>,
    /// Security schemes, sorted by name.
    pub security_schemes: Vec<SecurityScheme>,
    /// One server trait per tag, in name order.
    pub traits: Vec<ApiTrait>,
    /// The distinct security requirements of the operations, in first-use order.
    pub requirements: Vec<Requirement>,
    /// The spec's error format: what operations return as errors and what
    /// refused requests are answered with.
    pub error: ErrorFormat,
    /// Every distinct `pattern` checked; [`Check::Pattern`] indexes it.
    pub patterns: Vec<Pattern>,
    /// Crates of the user's mapped types the crate depends on, by name.
    pub dependencies: Vec<Dependency>,
}

/// A dependency for the user's mapped types (`--crate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
    /// The client constant holding its URL (`SERVER_US_REGION`).
    pub const_name: String,
}

/// A server trait: the operations of one tag (an operation's first tag).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiTrait {
    /// Rust identifier (`TasksApi`).
    pub name: String,
    /// The tag as written (`Default` for operations without one).
    pub tag: String,
    /// Indices into [`Api::operations`], in spec order.
    pub operations: Vec<usize>,
}

/// A security requirement: any one alternative suffices; each alternative
/// lists the schemes needed together.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// The server function that checks it (`require_api_key_auth`).
    pub fn_name: String,
    pub alternatives: Vec<Vec<SchemeUse>>,
    /// `{}` is one of the alternatives: a request without credentials is
    /// served too (the operation gets `Option<Principal>`).
    pub optional: bool,
}

/// An operation's security as written: alternatives, each a list of scheme
/// names with the scopes they ask for.
pub type SecurityAsWritten = Vec<Vec<(String, Vec<String>)>>;

/// One scheme of a requirement's alternative and the scopes it asks for
/// (OAuth 2 and OpenID Connect; passed to the scheme's hook).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeUse {
    /// Index into [`Api::security_schemes`].
    pub scheme: usize,
    pub scopes: Vec<String>,
}

/// The body of the spec's errors and how a refused request fills it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFormat {
    /// The type most client-error responses name; `None`: any JSON value.
    pub body: Option<TypeRef>,
    /// How the server builds the body of a refused request.
    pub fill: ErrorFill,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ErrorFill {
    /// `{"message": …, "status": …}`: the spec has no error type we can fill.
    Generic,
    /// A struct of the spec, field by field.
    Struct {
        type_name: String,
        fields: Vec<FieldFill>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldFill {
    /// The struct field (Rust identifier).
    pub field: String,
    pub value: FillValue,
    /// How many `Some(…)` wrap the value (0 required, 1 optional, 2 three-state).
    pub wrap: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    /// The request error's message.
    Message,
    /// The status as this integer type.
    Status(TypeRef),
    /// A code as text: the request error's kind (`invalid_parameter`, `unauthorized`, …).
    CodeText,
    /// A code enum: the variant for each kind of refusal.
    Code {
        enum_name: String,
        invalid: String,
        unauthorized: String,
        not_found: String,
        not_allowed: String,
        /// A handler that panicked.
        internal: String,
    },
    /// `None` for an optional field we cannot fill.
    Nothing,
    /// `Default::default()` (the map of additional properties).
    Default,
}

impl Api {
    /// Whether any check anywhere in the crate matches `test`.
    pub fn any_check(&self, test: impl Fn(&Check) -> bool) -> bool {
        let in_types = self.types.iter().any(|def| {
            def.checks.any_rule(&test)
                || match &def.kind {
                    TypeKind::Struct(s) => {
                        s.fields.iter().any(|f| f.checks.any_rule(&test))
                            || s.additional
                                .as_ref()
                                .is_some_and(|extra| extra.checks.any_rule(&test))
                    }
                    TypeKind::Union(u) => u.variants.iter().any(|v| v.checks.any_rule(&test)),
                    TypeKind::Enum(_) | TypeKind::Alias(_) => false,
                }
        });
        in_types
            || self.operations.iter().any(|op| {
                op.params
                    .iter()
                    .chain(op.form_fields())
                    .any(|p| p.checks.any_rule(&test))
                    || op
                        .responses
                        .iter()
                        .flat_map(|r| &r.headers)
                        .any(|h| h.checks.any_rule(&test))
                    || op.body.as_ref().is_some_and(|body| {
                        body.checks.any_rule(&test)
                            || matches!(&body.kind, BodyKind::Choice { variants, .. }
                                if variants.iter().any(|v| v.checks.any_rule(&test)))
                    })
            })
    }

    /// Whether the runtime's `formats` is needed: a string `format` is
    /// checked somewhere, or a value is base64 bytes.
    pub fn uses_formats(&self) -> bool {
        self.any_check(|check| matches!(check, Check::Format(_)))
            || self.any_type(|ty| *ty == TypeRef::Base64)
    }

    /// Whether the runtime's `object_params` is needed: a parameter is an
    /// object laid out by properties.
    pub fn uses_object_params(&self) -> bool {
        self.operations
            .iter()
            .flat_map(|op| &op.params)
            .any(|p| p.shape.is_object())
    }

    /// Whether the runtime's `form` is needed: an operation takes a form body.
    pub fn uses_form_bodies(&self) -> bool {
        self.operations.iter().any(|op| {
            op.body.as_ref().is_some_and(|body| {
                body.kind
                    .each()
                    .into_iter()
                    .any(|kind| matches!(kind, BodyKind::Form { .. }))
            })
        })
    }

    /// Whether the runtime's `multipart` is needed: an operation takes a
    /// multipart body.
    pub fn uses_multipart(&self) -> bool {
        self.operations.iter().any(|op| {
            matches!(
                op.body.as_ref().map(|body| &body.kind),
                Some(BodyKind::Multipart { .. })
            )
        })
    }

    /// Whether the runtime's `events` is needed: a response is server-sent events.
    pub fn uses_events(&self) -> bool {
        self.operations
            .iter()
            .flat_map(|op| &op.responses)
            .flat_map(|r| r.content.each())
            .any(|content| matches!(content, ResponseContent::Events { .. }))
    }

    /// Whether `bytes` is needed without the server and the client: a body of
    /// several media types has a bytes variant.
    pub fn bytes_in_params(&self) -> bool {
        self.operations.iter().any(|op| {
            matches!(op.body.as_ref().map(|body| &body.kind),
                Some(BodyKind::Choice { variants, .. })
                    if variants.iter().any(|v| v.kind == BodyKind::Bytes))
        })
    }

    /// Whether the runtime's `basic_auth` is needed: a scheme is HTTP `basic`.
    pub fn uses_basic_auth(&self) -> bool {
        self.security_schemes
            .iter()
            .any(|scheme| scheme.kind == SecurityKind::Basic)
    }

    /// Whether the crate needs `chrono`: a model, parameter or body mentions a date.
    pub fn uses_chrono(&self) -> bool {
        self.any_type(|ty| match ty {
            TypeRef::DateTime | TypeRef::Date => true,
            TypeRef::External(path) => path.starts_with("chrono::"),
            _ => false,
        })
    }

    /// Whether a value anywhere is a `uuid::Uuid` (or a mapped `uuid` type).
    pub fn uses_uuid(&self) -> bool {
        self.any_type(|ty| match ty {
            TypeRef::Uuid => true,
            TypeRef::External(path) => path.starts_with("uuid::"),
            _ => false,
        })
    }

    /// Whether any type a model, parameter, header or body uses matches `test`.
    pub fn any_type(&self, test: impl Fn(&TypeRef) -> bool) -> bool {
        let test = &test;
        self.types.iter().any(|def| match &def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().any(|f| f.ty.any(test))
                    || s.additional
                        .as_ref()
                        .is_some_and(|extra| extra.ty.any(test))
            }
            TypeKind::Alias(ty) => ty.any(test),
            TypeKind::Union(u) => u.variants.iter().any(|v| v.ty.any(test)),
            TypeKind::Enum(_) => false,
        }) || self.operations.iter().any(|op| {
            op.params
                .iter()
                .chain(op.form_fields())
                .any(|p| p.ty.any(test))
                || op
                    .responses
                    .iter()
                    .flat_map(|r| &r.headers)
                    .any(|h| h.ty.any(test))
                || op.json_body_types().into_iter().any(|ty| ty.any(test))
                || op
                    .responses
                    .iter()
                    .any(|r| r.content.types().into_iter().any(|ty| ty.any(test)))
        })
    }
}

/// Where a type's values travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flow {
    /// Written by clients, read by servers.
    pub request: bool,
    /// Written by servers, read by clients.
    pub response: bool,
}

impl Flow {
    pub const REQUEST: Flow = Flow {
        request: true,
        response: false,
    };
    pub const RESPONSE: Flow = Flow {
        request: false,
        response: true,
    };

    pub fn union(self, other: Flow) -> Flow {
        Flow {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

impl Api {
    /// Where each named type's values travel: into requests (bodies,
    /// parameters), out in responses (bodies, headers), through every type
    /// that holds it. Types no operation uses are absent.
    pub fn flows(&self) -> std::collections::BTreeMap<String, Flow> {
        let types: std::collections::BTreeMap<&str, &TypeKind> = self
            .types
            .iter()
            .map(|def| (def.name.as_str(), &def.kind))
            .collect();
        let mut found: std::collections::BTreeMap<String, Flow> = Default::default();
        let mut mark = |ty: &TypeRef, flow: Flow| {
            let mut stack = vec![ty];
            while let Some(ty) = stack.pop() {
                match ty {
                    TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
                        stack.push(inner)
                    }
                    TypeRef::Named(name) => {
                        let entry = found.entry(name.clone()).or_default();
                        if entry.union(flow) == *entry {
                            continue;
                        }
                        *entry = entry.union(flow);
                        match types.get(name.as_str()) {
                            Some(TypeKind::Struct(s)) => {
                                stack.extend(s.fields.iter().map(|f| &f.ty));
                                stack.extend(s.additional.iter().map(|a| &a.ty));
                            }
                            Some(TypeKind::Union(u)) => {
                                stack.extend(u.variants.iter().map(|v| &v.ty))
                            }
                            Some(TypeKind::Alias(target)) => stack.push(target),
                            Some(TypeKind::Enum(_)) | None => {}
                        }
                    }
                    _ => {}
                }
            }
        };
        for op in &self.operations {
            for param in op.params.iter().chain(op.form_fields()) {
                mark(&param.ty, Flow::REQUEST);
            }
            for ty in op.json_body_types() {
                mark(ty, Flow::REQUEST);
            }
            for response in &op.responses {
                for ty in response.content.types() {
                    mark(ty, Flow::RESPONSE);
                }
                for header in &response.headers {
                    mark(&header.ty, Flow::RESPONSE);
                }
            }
        }
        found
    }
}

/// A named Rust type to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust identifier (UpperCamelCase).
    pub name: String,
    /// Where it came from: a schema name (`types.TaskStatus`) or a JSON pointer for inline schemas.
    pub origin: String,
    pub docs: Option<String>,
    pub kind: TypeKind,
    /// What the schema checks on a value of this type at its top level: all
    /// of an alias's checks (applied where the alias is used), a struct's
    /// `minProperties`/`maxProperties`.
    pub checks: Checks,
    /// A struct or union that checks something: it implements `Validate`.
    pub validates: bool,
    /// Only responses carry its values (see [`Api::flows`]): clients decode
    /// it and never send it, so the crate may mark it `#[non_exhaustive]`.
    pub response_only: bool,
}

impl TypeDef {
    /// Marked `#[non_exhaustive]` unless the crate is generated with
    /// `--exhaustive`: a type only responses carry, that users match (an
    /// enum or union) or build with a constructor (a struct with required
    /// fields; one that derives `Default` is built with
    /// `..Default::default()`, which `#[non_exhaustive]` would forbid).
    pub fn may_be_non_exhaustive(&self) -> bool {
        self.response_only
            && match &self.kind {
                TypeKind::Struct(s) => !s.derives_default(),
                TypeKind::Enum(_) | TypeKind::Union(_) => true,
                TypeKind::Alias(_) => false,
            }
    }
}

impl TypeDef {
    /// Given an `Unknown(String)` variant with `--unknown-enum-values`: a
    /// string enum only responses carry, so a value the spec adds later is
    /// kept instead of failing the response.
    pub fn may_take_unknown_values(&self) -> bool {
        self.response_only && matches!(&self.kind, TypeKind::Enum(e) if !e.is_integer())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    /// `pub type Name = Target;`
    Alias(TypeRef),
    /// `oneOf` / `anyOf`: one of several types.
    Union(UnionDef),
}

/// A value of one of several types. With a discriminator the property's value
/// picks the variant; without one the first variant that fits wins.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
    /// The discriminator's property name on the wire.
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust identifier (UpperCamelCase).
    pub name: String,
    pub ty: TypeRef,
    /// Discriminator values that select this variant (empty without a discriminator).
    pub tags: Vec<String>,
    pub checks: Checks,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties: {schema}` next to named properties: collected in a flattened map.
    pub additional: Option<AdditionalField>,
}

/// The flattened map that holds properties not named in the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct AdditionalField {
    /// Rust identifier of the map field.
    pub name: String,
    /// Type of each value.
    pub ty: TypeRef,
    /// Checks of each value.
    pub checks: Checks,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust identifier (snake_case).
    pub name: String,
    /// Property name on the wire.
    pub wire_name: String,
    pub docs: Option<String>,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Checks of the value, when present.
    pub checks: Checks,
    /// The spec's default of an optional field, applied by an accessor.
    pub default: Option<DefaultAccessor>,
    /// Where the property is written (`#/components/schemas/Task/properties/id`).
    pub pointer: String,
}

impl StructDef {
    /// Every field is optional: the struct derives `Default`, so users can
    /// build it with `..Default::default()`.
    pub fn derives_default(&self) -> bool {
        self.fields.iter().all(Field::is_optional)
    }
}

impl Field {
    /// Absent or null values are possible, so the Rust field is an `Option`.
    pub fn is_optional(&self) -> bool {
        !self.required || self.nullable
    }

    /// Absent, null and a value are three different states (not required and
    /// nullable): the Rust field is an `Option<Option<T>>`, `None` when absent
    /// and `Some(None)` when null.
    pub fn is_three_state(&self) -> bool {
        !self.required && self.nullable
    }
}

/// A string or integer enum: every variant's value is of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub variants: Vec<Variant>,
}

impl EnumDef {
    /// An integer enum: (de)serialized as the number, `Display`ed as it.
    pub fn is_integer(&self) -> bool {
        self.variants
            .first()
            .is_some_and(|variant| matches!(variant.value, EnumValue::Int(_)))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust identifier (UpperCamelCase).
    pub name: String,
    /// Value on the wire.
    pub value: EnumValue,
}

/// The value of an enum variant on the wire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnumValue {
    Str(String),
    Int(i64),
}

/// A reference to a type, as used by fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    /// `date-time`: `chrono::DateTime<chrono::Utc>`.
    DateTime,
    /// `date`: `chrono::NaiveDate`.
    Date,
    /// `uuid`: `uuid::Uuid`.
    Uuid,
    /// `byte`: bytes, base64 text on the wire (the runtime's `Base64`).
    Base64,
    /// Any JSON value.
    Json,
    /// A free-form JSON object.
    JsonObject,
    /// A named type of [`Api::types`].
    Named(String),
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// Indirection that breaks a recursive type.
    Boxed(Box<TypeRef>),
    /// A type the user picked (`--type-map`, `x-rust-type`): its path,
    /// `rust_decimal::Decimal`, checked to be identifiers.
    External(String),
}

impl TypeRef {
    /// Whether the type, or a type it contains, matches `test`.
    pub fn any(&self, test: &impl Fn(&TypeRef) -> bool) -> bool {
        test(self)
            || match self {
                TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
                    inner.any(test)
                }
                _ => false,
            }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` as written, or one derived from method and path (`get_pets_id`).
    pub id: String,
    /// Rust function name (snake_case): the trait method and the client method.
    pub fn_name: String,
    /// Rust type-name stem (UpperCamelCase), for per-operation types.
    pub type_name: String,
    /// The server trait that holds it (`TasksApi`).
    pub trait_name: String,
    /// The enum of its documented responses (`GetTaskReply`).
    pub reply: String,
    /// The server's handler function (`handle_get_task`).
    pub handler: String,
    /// The structs of its path, query, header and cookie parameters, when it has any.
    pub path_struct: Option<String>,
    pub query_struct: Option<String>,
    pub header_struct: Option<String>,
    pub cookie_struct: Option<String>,
    /// Summary, description and `METHOD /path`, as doc text.
    pub docs: String,
    pub method: Method,
    /// Path template as in the spec, e.g. `/tasks/{id}`.
    pub path: String,
    /// The path template, parsed.
    pub template: Vec<PathPart>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// Sorted by status: codes, then ranges, then `default`.
    pub responses: Vec<Response>,
    /// Alternatives: any one requirement suffices; each lists the schemes it needs together,
    /// with their scopes (an empty one, `{}`: none). Empty: no authentication.
    pub security: SecurityAsWritten,
    /// Index into [`Api::requirements`]; `None`: no authentication.
    pub requirement: Option<usize>,
    /// The media types the client asks for (`Accept`), if any response has a body.
    pub accept: Option<String>,
    /// The headers struct the client reads from every success: the success
    /// responses document one set of headers (`None`: the client reads no
    /// typed headers, only the raw ones).
    pub success_headers: Option<String>,
    /// When a success response comes in several media types: the server
    /// negotiates by `Accept` (406 when none fits) and tells the
    /// implementation which one it chose; the client may ask for one.
    pub negotiation: Option<Negotiation>,
}

/// The media types an operation's successes come in, as an enum of
/// `params` (`GetReportMedia { Json, TextCsv }`).
#[derive(Debug, Clone, PartialEq)]
pub struct Negotiation {
    pub enum_name: String,
    /// `(variant, media type)`, in the spec's order.
    pub variants: Vec<(String, String)>,
}

impl Operation {
    /// Whether a success answers server-sent events: the implementation
    /// is told the `Last-Event-ID` of a client that reconnects.
    pub fn streams_events(&self) -> bool {
        self.responses
            .iter()
            .filter(|r| r.status.is_success())
            .flat_map(|r| r.content.each())
            .any(|content| matches!(content, ResponseContent::Events { .. }))
    }

    pub fn params_in(&self, location: ParamLocation) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(move |p| p.location == location)
    }

    /// The fields of its form body (a form among several media types too)
    /// or the text parts of its multipart body; none for other bodies.
    pub fn form_fields(&self) -> &[Param] {
        let Some(body) = &self.body else {
            return &[];
        };
        body.kind
            .each()
            .into_iter()
            .find_map(|kind| match kind {
                BodyKind::Form { fields, .. } | BodyKind::Multipart { fields, .. } => {
                    Some(fields.as_slice())
                }
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// The JSON types its body may have.
    pub fn json_body_types(&self) -> Vec<&TypeRef> {
        let Some(body) = &self.body else {
            return Vec::new();
        };
        body.kind
            .each()
            .into_iter()
            .filter_map(|kind| match kind {
                BodyKind::Json(Some(ty)) => Some(ty),
                _ => None,
            })
            .collect()
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    Literal(String),
    /// Index into [`Operation::params`].
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
    /// A field of an `application/x-www-form-urlencoded` body: written and
    /// read as a query parameter is, in the body.
    Form,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
            ParamLocation::Form => "form",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub wire_name: String,
    /// Field of its location's struct (snake_case), unique within that struct.
    pub field: String,
    /// Argument of the client method (snake_case), unique within the method.
    pub arg: String,
    pub location: ParamLocation,
    /// Required and not an array (a missing array is empty).
    pub required: bool,
    pub docs: Option<String>,
    pub ty: TypeRef,
    pub shape: ParamShape,
    /// A path parameter's style when it is not `simple`.
    pub path_style: Option<PathStyle>,
    /// An object parameter's properties: `(property, key)` (the key is the
    /// query pair's or cookie's name when spread); empty for other shapes.
    pub properties: Vec<(String, String)>,
    /// Checks applied after parsing: rules on the value, on each item of
    /// an array, and a type's own (aliases' rules folded in).
    pub checks: Checks,
    /// The spec's `default`, when it can be written as a Rust value.
    pub default: Option<DefaultAccessor>,
    /// Where the parameter or header is written (an operation's or its path's
    /// `parameters/N`, or a response's `headers/Name`).
    pub pointer: String,
}

/// A path parameter written with a prefix: `label` (`.5`, `.a.b`) or
/// `matrix` (`;id=5`, `;id=a;id=b`); `exploded_array`: an array whose items
/// are spread (`explode`), each with the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    Label { exploded_array: bool },
    Matrix { exploded_array: bool },
}

/// How a parameter's values are written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueForm {
    /// `FromStr` / `Display`: strings, numbers, booleans, dates, string enums.
    Text,
    /// `date-time`: `FromStr`, written as RFC 3339.
    DateTime,
    /// Anything structured: JSON text.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamShape {
    /// One value (`ty` itself).
    Single(ValueForm),
    /// A query array: one pair per item (`ids=a&ids=b`).
    Repeated(ValueForm),
    /// Items joined by a delimiter in one value: path, header and cookie
    /// arrays and `style: form, explode: false` query arrays (`,`),
    /// `spaceDelimited` (` `) and `pipeDelimited` (`|`) query arrays.
    Delimited(ValueForm, char),
    /// An object of scalar properties spread into pairs (see
    /// [`Param::properties`]): query pairs under their own names (`form`,
    /// exploded) or as `name[property]` (`deepObject`); one cookie each.
    Spread,
    /// An object's properties and values joined by a delimiter in one value
    /// (`form`, `spaceDelimited`, `pipeDelimited`, `simple` without `explode`).
    ObjectJoined(char),
    /// An object as `property=value,…` in one value (`simple` with `explode`).
    ObjectPairs,
}

impl ParamShape {
    /// An object laid out by its properties (spread, joined or as pairs).
    pub fn is_object(self) -> bool {
        matches!(
            self,
            ParamShape::Spread | ParamShape::ObjectJoined(_) | ParamShape::ObjectPairs
        )
    }
}

/// A number as written in the spec, typed for the parameter it bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// One rule of the spec on a value, typed for the value's Rust type.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    AtLeast(Number),
    GreaterThan(Number),
    AtMost(Number),
    LessThan(Number),
    MultipleOf(Number),
    /// In characters.
    MinLength(usize),
    MaxLength(usize),
    /// Index into [`Api::patterns`].
    Pattern(usize),
    Format(Format),
    MinItems(usize),
    MaxItems(usize),
    UniqueItems,
    MinProperties(usize),
    MaxProperties(usize),
}

impl Check {
    /// Counts properties: on a struct, its own rule rather than a use's.
    pub fn counts_properties(&self) -> bool {
        matches!(self, Check::MinProperties(_) | Check::MaxProperties(_))
    }
}

/// A string `format` that is checked (dates are types of their own, and so
/// are `uuid` and `byte` when no length or pattern rule reads their text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uri,
    Uuid,
    Byte,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "email" => Format::Email,
            "hostname" => Format::Hostname,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "uri" => Format::Uri,
            "uuid" => Format::Uuid,
            "byte" => Format::Byte,
            _ => return None,
        })
    }

    /// The variant of the runtime's `Format`.
    pub fn variant(self) -> &'static str {
        match self {
            Format::Email => "Email",
            Format::Hostname => "Hostname",
            Format::Ipv4 => "Ipv4",
            Format::Ipv6 => "Ipv6",
            Format::Uri => "Uri",
            Format::Uuid => "Uuid",
            Format::Byte => "Byte",
        }
    }
}

/// A `pattern`: an ECMAScript regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub source: String,
    /// It compiles with the `u` flag (else only without: a literal `{`).
    pub unicode: bool,
}

/// What to check on one value beyond its type: a field, an item, a body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// Rules on the value itself.
    pub rules: Vec<Check>,
    /// Checks of each item of an array or each value of a map.
    pub each: Option<(Each, Box<Checks>)>,
    /// The value's own type (a struct or union) validates itself.
    pub nested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Each {
    /// An array's items, found at their index.
    Item,
    /// A map's values, found at their key.
    Value,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.each.is_none() && !self.nested
    }

    /// Whether a rule anywhere needs the named runtime piece.
    pub fn any_rule(&self, test: &impl Fn(&Check) -> bool) -> bool {
        self.rules.iter().any(test)
            || self
                .each
                .as_ref()
                .is_some_and(|(_, each)| each.any_rule(test))
    }
}

impl Check {
    /// A lower (`minimum`) or upper (`maximum`) bound, exclusive or not.
    pub fn at(lower: bool, exclusive: bool, bound: Number) -> Check {
        match (lower, exclusive) {
            (true, false) => Check::AtLeast(bound),
            (true, true) => Check::GreaterThan(bound),
            (false, false) => Check::AtMost(bound),
            (false, true) => Check::LessThan(bound),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DefaultAccessor {
    /// The accessor on the parameter struct or model (`limit_or_default`).
    pub method: String,
    /// The default as JSON, for docs.
    pub json: String,
    pub value: DefaultValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Variant { enum_name: String, variant: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// The spec's media type, or a range of them (`image/*`, `*/*`).
    pub content_type: String,
    pub kind: BodyKind,
    pub required: bool,
    pub docs: Option<String>,
    /// Checks of a JSON or text body.
    pub checks: Checks,
}

impl RequestBody {
    /// Whether the spec names a range (`image/*`) rather than one media type:
    /// the client is then told which one it sends.
    pub fn is_range(&self) -> bool {
        self.content_type.contains('*')
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// JSON of this type; `None`: any JSON value.
    Json(Option<TypeRef>),
    /// Text (`text/plain`, `text/csv`, …): a `String`.
    Text,
    /// `application/x-www-form-urlencoded`: the object's properties as the
    /// fields (location `Form`) of a struct in `params`, named `struct_name`.
    Form {
        struct_name: String,
        fields: Vec<Param>,
    },
    /// Raw bytes of the content type.
    Bytes,
    /// `multipart/form-data`: text parts are the fields (location `Form`) of
    /// a form struct of `params` named `fields_struct` (none when `fields`
    /// is empty), read and checked as a form's; file parts are `files`.
    /// Both are held by the struct `struct_name` (server and client builds).
    Multipart {
        struct_name: String,
        fields_struct: String,
        fields: Vec<Param>,
        files: Vec<FileField>,
    },
    /// Several media types, each its own way: an enum of `params` named
    /// `enum_name`, one variant per media type. The server dispatches on
    /// `Content-Type`; the client sends the variant it is given.
    Choice {
        enum_name: String,
        variants: Vec<BodyVariant>,
    },
}

/// A file part of a multipart body (`format: binary`, or an array of such:
/// repeated parts): a `runtime::multipart::FilePart`, streamed.
#[derive(Debug, Clone, PartialEq)]
pub struct FileField {
    pub wire_name: String,
    /// Field of the multipart struct, unique within it.
    pub field: String,
    pub required: bool,
    /// An array of files: every part of the name.
    pub repeated: bool,
    /// The media types the part may have (`encoding.contentType`), as the
    /// spec lists them.
    pub accepted: Option<String>,
    pub docs: Option<String>,
    pub pointer: String,
}

/// One media type of a body that may come in several.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyVariant {
    /// The enum variant (`Json`, `Form`, `Text`, …), unique in its enum.
    pub name: String,
    pub content_type: String,
    /// Never a `Choice`.
    pub kind: BodyKind,
    /// Checks of a JSON or text variant.
    pub checks: Checks,
}

impl BodyKind {
    /// This kind and, for a choice, each variant's: every way the body is read.
    pub fn each(&self) -> Vec<&BodyKind> {
        match self {
            BodyKind::Choice { variants, .. } => variants.iter().map(|v| &v.kind).collect(),
            other => vec![other],
        }
    }

    /// As [`BodyKind::each`], mutably.
    pub fn each_mut(&mut self) -> Vec<&mut BodyKind> {
        match self {
            BodyKind::Choice { variants, .. } => variants.iter_mut().map(|v| &mut v.kind).collect(),
            other => vec![other],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusCode {
    Code(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    Default,
}

impl StatusCode {
    /// A 2XX status or range: the client returns it as a success.
    pub fn is_success(self) -> bool {
        matches!(self, StatusCode::Code(200..=299) | StatusCode::Range(2))
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusCode::Code(code) => write!(f, "{code}"),
            StatusCode::Range(hundreds) => write!(f, "{hundreds}XX"),
            StatusCode::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: StatusCode,
    /// Its variant in the reply enum (`Ok`, `NotFound`, `Status4xx`, `Default`).
    pub variant: String,
    pub description: String,
    pub content: ResponseContent,
    /// Its documented headers (not `Content-Type`), as header values.
    pub headers: Vec<Param>,
    /// The struct of `params` that holds them (`CreatePetCreatedHeaders`),
    /// when there are any: the last field of the reply variant.
    pub headers_struct: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseContent {
    None,
    /// JSON; `ty: None` is any JSON value. `media_type` is the spec's, which
    /// may be another JSON type (`application/problem+json`).
    Json {
        media_type: String,
        ty: Option<TypeRef>,
    },
    /// Text of the media type (`text/plain`, `text/csv`, …): a `String`.
    Text {
        media_type: String,
    },
    /// Raw bytes of the media type.
    Bytes {
        media_type: String,
    },
    /// Server-sent events (`text/event-stream`): a stream of events whose
    /// data is JSON of `ty`, or text when `None` (a string schema, or none).
    Events {
        media_type: String,
        ty: Option<TypeRef>,
    },
    /// Several media types: an enum of `params` named `enum_name`, one
    /// variant per media type. The server answers the variant the
    /// implementation gives; the client decodes by `Content-Type`.
    Choice {
        enum_name: String,
        variants: Vec<ResponseVariant>,
    },
}

/// One media type of a response that may come in several.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseVariant {
    /// The enum variant (`Json`, `TextCsv`, …), unique in its enum.
    pub name: String,
    /// Never `None` nor a `Choice`.
    pub content: ResponseContent,
}

impl ResponseContent {
    /// The media types of the content, in the spec's order.
    pub fn media_types(&self) -> Vec<&str> {
        match self {
            ResponseContent::None => Vec::new(),
            ResponseContent::Json { media_type, .. }
            | ResponseContent::Text { media_type }
            | ResponseContent::Bytes { media_type }
            | ResponseContent::Events { media_type, .. } => vec![media_type],
            ResponseContent::Choice { variants, .. } => variants
                .iter()
                .flat_map(|variant| variant.content.media_types())
                .collect(),
        }
    }

    /// This content and, for a choice, each variant's.
    pub fn each(&self) -> Vec<&ResponseContent> {
        match self {
            ResponseContent::Choice { variants, .. } => {
                variants.iter().map(|variant| &variant.content).collect()
            }
            other => vec![other],
        }
    }

    /// The model types it carries (JSON bodies and event data).
    pub fn types(&self) -> Vec<&TypeRef> {
        self.each()
            .into_iter()
            .filter_map(|content| match content {
                ResponseContent::Json { ty: Some(ty), .. }
                | ResponseContent::Events { ty: Some(ty), .. } => Some(ty),
                _ => None,
            })
            .collect()
    }

    /// Whether a value of it is read once (bytes or events): it can be
    /// neither copied nor compared.
    pub fn is_streamed(&self) -> bool {
        self.each().into_iter().any(|content| {
            matches!(
                content,
                ResponseContent::Bytes { .. } | ResponseContent::Events { .. }
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    pub name: String,
    pub description: Option<String>,
    pub kind: SecurityKind,
    /// The `ApiHooks` method that checks its credentials (`authenticate_api_key_auth`).
    pub hook: String,
    /// The `Client` field and builder method holding its credentials.
    pub client_field: String,
    pub client_setter: String,
    /// `with_api_key` / `with_bearer_token` for the spec's only scheme of a kind.
    pub client_alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    ApiKey {
        location: ParamLocation,
        param_name: String,
    },
    /// HTTP `basic`: the hook gets the user name and password.
    Basic,
    /// Any other HTTP scheme (`bearer`, `digest`, …): the hook gets the text
    /// after the scheme in `Authorization`.
    Http {
        scheme: String,
    },
    OAuth2,
    OpenIdConnect,
}
