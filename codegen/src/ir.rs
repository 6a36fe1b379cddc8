//! Stage 2 output: the intermediate representation. Plain Rust data, no
//! `openapiv3` types: everything the emitters need, already named and resolved.

/// The whole API, lowered.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    /// Named types, sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// Operations in document order (path, then method order of the spec).
    pub operations: Vec<Operation>,
    /// Security schemes, sorted by name.
    pub security_schemes: Vec<SecurityScheme>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
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

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust identifier (UpperCamelCase).
    pub name: String,
    /// Value on the wire.
    pub value: String,
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
}

impl TypeRef {
    /// Whether the type is, or contains, a `chrono` type.
    pub fn uses_chrono(&self) -> bool {
        match self {
            TypeRef::DateTime | TypeRef::Date => true,
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
                inner.uses_chrono()
            }
            _ => false,
        }
    }
}

/// Numeric and enum constraints a parameter declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    /// The schema's `default`, as JSON.
    pub default: Option<serde_json::Value>,
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
    /// Rust function name (snake_case).
    pub fn_name: String,
    /// Rust type-name stem (UpperCamelCase), for per-operation types.
    pub type_name: String,
    pub method: Method,
    /// Path template as in the spec, e.g. `/tasks/{id}`.
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// Sorted by status: codes, then ranges, then `default`.
    pub responses: Vec<Response>,
    /// Alternatives: any one requirement suffices; each lists the schemes it needs together.
    /// Empty: no authentication.
    pub security: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub wire_name: String,
    /// Rust identifier (snake_case), unique within the operation.
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub docs: Option<String>,
    pub ty: TypeRef,
    pub constraints: Constraints,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub content_type: String,
    /// `None` when the body has no schema (raw bytes).
    pub ty: Option<TypeRef>,
    pub required: bool,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusCode {
    Code(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    Default,
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
    pub description: String,
    /// The first content type, if the response has a body.
    pub content_type: Option<String>,
    /// The body type; `None` for bodiless responses or bodies without a schema.
    pub ty: Option<TypeRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    pub name: String,
    pub description: Option<String>,
    pub kind: SecurityKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    ApiKey {
        location: ParamLocation,
        param_name: String,
    },
    Http {
        scheme: String,
    },
    OAuth2,
    OpenIdConnect,
}
