//! Schemas → types: component schemas become [`TypeDef`]s, every schema use
//! becomes a [`TypeRef`], creating named types for inline objects and enums.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use super::Lowerer;
use crate::error::{SpecError, child};
use crate::ir::{
    AdditionalField, Check, Checks, DefaultAccessor, DefaultValue, EnumDef, EnumValue, Field,
    Number, StructDef, TypeDef, TypeKind, TypeRef, UnionDef, UnionVariant, Variant,
};
use crate::names;

type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// A schema reduced to what decides its Rust type, whichever way `openapiv3` parsed it.
enum Shape<'s> {
    StringEnum(Vec<String>),
    IntEnum(Vec<i64>),
    String(Option<String>),
    Integer(Option<String>),
    Number(Option<String>),
    Boolean,
    Array(Option<&'s ReferenceOr<Box<Schema>>>),
    Object {
        properties: &'s Properties,
        required: &'s [String],
        additional: Option<&'s AdditionalProperties>,
    },
    /// `oneOf` or `anyOf` (the keyword) and the alternatives.
    Union(&'static str, &'s [ReferenceOr<Schema>]),
    /// `allOf`, plus properties written beside it.
    AllOf {
        members: &'s [ReferenceOr<Schema>],
        own: Option<(&'s Properties, &'s [String])>,
    },
    /// `not`: no Rust type says "anything but".
    Not,
    Any,
}

fn format_name<T: std::fmt::Debug>(
    format: &VariantOrUnknownOrEmpty<T>,
    known: impl Fn(&T) -> &'static str,
) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => Some(known(item).to_owned()),
        VariantOrUnknownOrEmpty::Unknown(other) => Some(other.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn string_format(format: &StringFormat) -> &'static str {
    match format {
        StringFormat::Date => "date",
        StringFormat::DateTime => "date-time",
        StringFormat::Password => "password",
        StringFormat::Byte => "byte",
        StringFormat::Binary => "binary",
    }
}

/// The shape of a schema.
fn shape(schema: &Schema) -> Shape<'_> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            if values.is_empty() {
                Shape::String(format_name(&s.format, string_format))
            } else {
                Shape::StringEnum(values)
            }
        }
        SchemaKind::Type(Type::Integer(i)) if i.enumeration.iter().any(Option::is_some) => {
            Shape::IntEnum(i.enumeration.iter().flatten().copied().collect())
        }
        SchemaKind::Type(Type::Integer(i)) => Shape::Integer(format_name(&i.format, |f| match f {
            openapiv3::IntegerFormat::Int32 => "int32",
            openapiv3::IntegerFormat::Int64 => "int64",
        })),
        SchemaKind::Type(Type::Number(n)) => Shape::Number(format_name(&n.format, |f| match f {
            openapiv3::NumberFormat::Float => "float",
            openapiv3::NumberFormat::Double => "double",
        })),
        SchemaKind::Type(Type::Boolean(_)) => Shape::Boolean,
        SchemaKind::Type(Type::Array(a)) => Shape::Array(a.items.as_ref()),
        SchemaKind::Type(Type::Object(o)) => Shape::Object {
            properties: &o.properties,
            required: &o.required,
            additional: o.additional_properties.as_ref(),
        },
        SchemaKind::OneOf { one_of } => Shape::Union("oneOf", one_of),
        SchemaKind::AnyOf { any_of } => Shape::Union("anyOf", any_of),
        SchemaKind::AllOf { all_of } => Shape::AllOf {
            members: all_of,
            own: None,
        },
        SchemaKind::Not { .. } => Shape::Not,
        SchemaKind::Any(any) => {
            if !any.one_of.is_empty() {
                return Shape::Union("oneOf", &any.one_of);
            }
            if !any.any_of.is_empty() {
                return Shape::Union("anyOf", &any.any_of);
            }
            if !any.all_of.is_empty() {
                return Shape::AllOf {
                    members: &any.all_of,
                    own: (!any.properties.is_empty())
                        .then_some((&any.properties, &any.required[..])),
                };
            }
            if any.not.is_some() {
                return Shape::Not;
            }
            let strings: Vec<String> = any
                .enumeration
                .iter()
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect();
            let typ = any.typ.as_deref();
            let integers: Vec<i64> = any.enumeration.iter().filter_map(|v| v.as_i64()).collect();
            if typ == Some("integer")
                && !integers.is_empty()
                && integers.len() == any.enumeration.iter().filter(|v| !v.is_null()).count()
            {
                Shape::IntEnum(integers)
            } else if !strings.is_empty()
                && strings.len() == any.enumeration.iter().filter(|v| !v.is_null()).count()
            {
                // Includes the real-world "object schema carrying a string enum".
                Shape::StringEnum(strings)
            } else if !any.properties.is_empty()
                || any.additional_properties.is_some()
                || typ == Some("object")
            {
                Shape::Object {
                    properties: &any.properties,
                    required: &any.required,
                    additional: any.additional_properties.as_ref(),
                }
            } else if any.items.is_some() || typ == Some("array") {
                Shape::Array(any.items.as_ref())
            } else {
                match typ {
                    Some("string") => Shape::String(any.format.clone()),
                    Some("integer") => Shape::Integer(any.format.clone()),
                    Some("number") => Shape::Number(any.format.clone()),
                    Some("boolean") => Shape::Boolean,
                    _ => Shape::Any,
                }
            }
        }
    }
}

pub(super) fn is_enum(schema: &Schema) -> bool {
    matches!(shape(schema), Shape::StringEnum(_) | Shape::IntEnum(_))
}

/// Whether an inline schema says nothing about the value's shape: no type, no
/// properties, no composition (a `description`, `nullable`, `title`, …).
fn describes_only(member: &ReferenceOr<Schema>) -> bool {
    match member {
        ReferenceOr::Reference { .. } => false,
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Any(any) => {
                any.properties.is_empty()
                    && any.typ.is_none()
                    && any.items.is_none()
                    && any.all_of.is_empty()
                    && any.any_of.is_empty()
                    && any.one_of.is_empty()
                    && any.not.is_none()
                    && any.enumeration.is_empty()
                    && any.additional_properties.is_none()
                    && any.format.is_none()
            }
            _ => false,
        },
    }
}

/// What an `allOf` comes to.
enum Merged<'s> {
    /// One member and nothing else: its type.
    Single(&'s ReferenceOr<Schema>),
    /// The members' properties, together.
    Object {
        properties: Properties,
        required: Vec<String>,
        additional: Option<AdditionalProperties>,
    },
    /// Nothing a Rust type can say (reported).
    Fallback,
}

/// A word for a variant holding `ty`.
fn type_word(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "Number".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Uuid => "Uuid".to_owned(),
        TypeRef::Base64 => "Bytes".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::JsonObject => "Object".to_owned(),
        TypeRef::Named(name) => name.clone(),
        TypeRef::Vec(_) => "Array".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Boxed(inner) => type_word(inner),
        TypeRef::External(path) => path.rsplit("::").next().unwrap_or("Value").to_owned(),
    }
}

/// How deep `allOf` and `$ref` chains are followed before giving up.
const MAX_DEPTH: usize = 32;

/// The most values an enum becomes a Rust enum with; a larger one (a list
/// of every ISO thing, or a hostile document) is its base type, unchecked.
const MAX_ENUM_VALUES: usize = 10_000;

/// How deep inline objects may nest inside one another.
const MAX_INLINE_DEPTH: usize = 24;

fn docs_of(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    data.description
        .as_deref()
        .or(data.title.as_deref())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// `x-enum-varnames` of a schema (or of the parameter that holds it).
pub(super) fn enum_varnames(
    extensions: &IndexMap<String, serde_json::Value>,
) -> Option<Vec<String>> {
    let names = extensions.get("x-enum-varnames")?.as_array()?;
    names
        .iter()
        .map(|name| name.as_str().map(str::to_owned))
        .collect()
}

/// The constraints and the default a schema declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Constraints {
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub multiple_of: Option<Number>,
    pub format: Option<String>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    /// The schema's `default`, as JSON.
    pub default: Option<serde_json::Value>,
}

impl Constraints {
    /// Whether any rule is declared (a `format` alone is none).
    pub fn has_rules(&self) -> bool {
        self.minimum.is_some()
            || self.maximum.is_some()
            || self.min_length.is_some()
            || self.max_length.is_some()
            || self.pattern.is_some()
            || self.multiple_of.is_some()
            || self.min_items.is_some()
            || self.max_items.is_some()
            || self.unique_items
            || self.min_properties.is_some()
            || self.max_properties.is_some()
    }
}

/// The constraints a schema declares on its own (not through `$ref`s).
pub(super) fn constraints_of(schema: &Schema) -> Constraints {
    let mut constraints = Constraints {
        default: schema.schema_data.default.clone(),
        ..Constraints::default()
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => {
            constraints.minimum = i.minimum.map(Number::Int);
            constraints.maximum = i.maximum.map(Number::Int);
            constraints.exclusive_minimum = i.exclusive_minimum;
            constraints.exclusive_maximum = i.exclusive_maximum;
            constraints.multiple_of = i.multiple_of.map(Number::Int);
        }
        SchemaKind::Type(Type::Number(n)) => {
            constraints.minimum = n.minimum.map(Number::Float);
            constraints.maximum = n.maximum.map(Number::Float);
            constraints.exclusive_minimum = n.exclusive_minimum;
            constraints.exclusive_maximum = n.exclusive_maximum;
            constraints.multiple_of = n.multiple_of.map(Number::Float);
        }
        SchemaKind::Type(Type::String(s)) => {
            constraints.min_length = s.min_length;
            constraints.max_length = s.max_length;
            constraints.pattern = s.pattern.clone();
            constraints.format = format_name(&s.format, string_format);
        }
        SchemaKind::Type(Type::Array(a)) => {
            constraints.min_items = a.min_items;
            constraints.max_items = a.max_items;
            constraints.unique_items = a.unique_items;
        }
        SchemaKind::Type(Type::Object(o)) => {
            constraints.min_properties = o.min_properties;
            constraints.max_properties = o.max_properties;
        }
        SchemaKind::Any(any) => {
            constraints.minimum = any.minimum.map(Number::Float);
            constraints.maximum = any.maximum.map(Number::Float);
            constraints.exclusive_minimum = any.exclusive_minimum.unwrap_or(false);
            constraints.exclusive_maximum = any.exclusive_maximum.unwrap_or(false);
            constraints.multiple_of = any.multiple_of.map(Number::Float);
            constraints.min_length = any.min_length;
            constraints.max_length = any.max_length;
            constraints.pattern = any.pattern.clone();
            constraints.format = any.format.clone();
            constraints.min_items = any.min_items;
            constraints.max_items = any.max_items;
            constraints.unique_items = any.unique_items.unwrap_or(false);
            constraints.min_properties = any.min_properties;
            constraints.max_properties = any.max_properties;
        }
        _ => {}
    }
    constraints
}

impl Lowerer<'_> {
    pub(super) fn lower_component(
        &mut self,
        name: &str,
        key: &str,
        schema: &ReferenceOr<Schema>,
        pointer: &str,
    ) -> Result<TypeDef, SpecError> {
        let (docs, kind) = match schema {
            ReferenceOr::Reference { reference } => {
                (None, TypeKind::Alias(self.ref_type(reference, pointer)?))
            }
            ReferenceOr::Item(schema) => {
                let kind = match shape(schema) {
                    Shape::Object {
                        properties,
                        required,
                        additional,
                    } if !properties.is_empty() => TypeKind::Struct(
                        self.lower_struct(name, properties, required, additional, pointer)?,
                    ),
                    Shape::Union(keyword, members) if members.len() > 1 => {
                        TypeKind::Union(self.union_def(name, keyword, members, schema, pointer)?)
                    }
                    Shape::AllOf { members, own } => {
                        match self.merge_all_of(members, own, pointer, 0) {
                            Merged::Object {
                                properties,
                                required,
                                additional,
                            } if !properties.is_empty() => TypeKind::Struct(self.lower_struct(
                                name,
                                &properties,
                                &required,
                                additional.as_ref(),
                                pointer,
                            )?),
                            _ => TypeKind::Alias(self.type_of_item(schema, name, pointer, None)?),
                        }
                    }
                    Shape::StringEnum(values) if values.len() > MAX_ENUM_VALUES => {
                        self.too_many_values(values.len(), pointer);
                        TypeKind::Alias(TypeRef::String)
                    }
                    Shape::IntEnum(values) if values.len() > MAX_ENUM_VALUES => {
                        self.too_many_values(values.len(), pointer);
                        TypeKind::Alias(TypeRef::I64)
                    }
                    Shape::StringEnum(values) => {
                        let values = values.into_iter().map(EnumValue::Str).collect();
                        self.component_enum(name, values, schema, pointer)
                    }
                    Shape::IntEnum(values) => {
                        let values = values.into_iter().map(EnumValue::Int).collect();
                        self.component_enum(name, values, schema, pointer)
                    }
                    _ => TypeKind::Alias(self.type_of_item(schema, name, pointer, None)?),
                };
                (docs_of(schema), kind)
            }
        };
        let checks = match (&kind, schema) {
            (TypeKind::Alias(target), ReferenceOr::Item(schema)) => {
                self.use_checks(Some(schema), target, pointer)?
            }
            (TypeKind::Struct(_), ReferenceOr::Item(schema)) => {
                self.property_count_checks(schema, pointer)?
            }
            _ => Checks::default(),
        };
        Ok(TypeDef {
            name: name.to_owned(),
            origin: key.to_owned(),
            docs,
            kind,
            checks,
            validates: false,
            response_only: false,
        })
    }

    /// A struct's own rules: `minProperties` and `maxProperties`.
    fn property_count_checks(
        &mut self,
        schema: &Schema,
        pointer: &str,
    ) -> Result<Checks, SpecError> {
        let constraints = constraints_of(schema);
        let mut rules = self.rules(&TypeRef::JsonObject, &constraints, pointer)?;
        rules.retain(Check::counts_properties);
        Ok(Checks {
            rules,
            ..Checks::default()
        })
    }

    /// The type of a schema use; `hint` names any type it has to create.
    pub(super) fn type_of(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        pointer: &str,
    ) -> Result<TypeRef, SpecError> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, pointer),
            ReferenceOr::Item(schema) => self.type_of_item(schema, hint, pointer, None),
        }
    }

    fn type_of_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        hint: &str,
        pointer: &str,
    ) -> Result<TypeRef, SpecError> {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_type(reference, pointer),
            ReferenceOr::Item(schema) => self.type_of_item(schema, hint, pointer, None),
        }
    }

    /// Like [`type_of_item`], with enum variant names that the caller found
    /// outside the schema (a parameter's own `x-enum-varnames`).
    pub(super) fn type_of_item(
        &mut self,
        schema: &Schema,
        hint: &str,
        pointer: &str,
        outer_varnames: Option<&[String]>,
    ) -> Result<TypeRef, SpecError> {
        if let Some(mapped) = self.mapped_inline(schema, pointer) {
            return Ok(mapped);
        }
        Ok(match shape(schema) {
            Shape::Union(keyword, members) => {
                if let [only] = members {
                    return self.type_of(only, hint, &child(&child(pointer, keyword), "0"));
                }
                let name = self.type_names.claim(hint);
                let def = self.union_def(&name, keyword, members, schema, pointer)?;
                self.add_type(TypeDef {
                    name: name.clone(),
                    origin: pointer.to_owned(),
                    docs: docs_of(schema),
                    kind: TypeKind::Union(def),
                    checks: Checks::default(),
                    validates: false,
                    response_only: false,
                });
                TypeRef::Named(name)
            }
            Shape::AllOf { members, own } => match self.merge_all_of(members, own, pointer, 0) {
                Merged::Single(member) => {
                    return self.type_of(member, hint, &child(&child(pointer, "allOf"), "0"));
                }
                Merged::Fallback => TypeRef::Json,
                Merged::Object {
                    properties,
                    required,
                    additional,
                } => {
                    if properties.is_empty() {
                        TypeRef::JsonObject
                    } else {
                        self.inline_struct(
                            hint,
                            (&properties, &required, additional.as_ref()),
                            schema,
                            pointer,
                        )?
                    }
                }
            },
            Shape::Not => {
                self.warn(
                    &child(pointer, "not"),
                    "`not` has no Rust type; typed as any JSON value",
                );
                TypeRef::Json
            }
            Shape::StringEnum(values) if values.len() > MAX_ENUM_VALUES => {
                self.too_many_values(values.len(), pointer);
                TypeRef::String
            }
            Shape::IntEnum(values) if values.len() > MAX_ENUM_VALUES => {
                self.too_many_values(values.len(), pointer);
                TypeRef::I64
            }
            Shape::StringEnum(values) => {
                let values = values.into_iter().map(EnumValue::Str).collect();
                self.inline_enum(values, schema, hint, pointer, outer_varnames)
            }
            Shape::IntEnum(values) => {
                let values = values.into_iter().map(EnumValue::Int).collect();
                self.inline_enum(values, schema, hint, pointer, outer_varnames)
            }
            Shape::String(format) => {
                // Length and pattern rules read the text: such a value stays a
                // `String`, and its format is checked as a rule.
                let text_rules = || {
                    let constraints = constraints_of(schema);
                    constraints.min_length.is_some()
                        || constraints.max_length.is_some()
                        || constraints.pattern.is_some()
                };
                match format.as_deref() {
                    Some("date-time") => TypeRef::DateTime,
                    Some("date") => TypeRef::Date,
                    Some("uuid") if !text_rules() => TypeRef::Uuid,
                    Some("byte") if !text_rules() => TypeRef::Base64,
                    _ => TypeRef::String,
                }
            }
            Shape::Integer(format) => match format.as_deref() {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Shape::Number(format) => match format.as_deref() {
                Some("float") => TypeRef::F32,
                _ => TypeRef::F64,
            },
            Shape::Boolean => TypeRef::Bool,
            Shape::Array(items) => match items {
                Some(items) => TypeRef::Vec(Box::new(self.type_of_boxed(
                    items,
                    &format!("{hint}Item"),
                    &child(pointer, "items"),
                )?)),
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            Shape::Object {
                properties,
                required,
                additional,
            } => {
                if properties.is_empty() {
                    match additional {
                        Some(AdditionalProperties::Schema(value)) => {
                            TypeRef::Map(Box::new(self.type_of(
                                value,
                                &format!("{hint}Value"),
                                &child(pointer, "additionalProperties"),
                            )?))
                        }
                        _ => TypeRef::JsonObject,
                    }
                } else {
                    self.inline_struct(hint, (properties, required, additional), schema, pointer)?
                }
            }
            Shape::Any => TypeRef::Json,
        })
    }

    /// A `$ref` to a schema: a component, or any other schema in the document
    /// (which then gets a type of its own, named after its last segment).
    fn ref_type(&mut self, reference: &str, pointer: &str) -> Result<TypeRef, SpecError> {
        let key = reference
            .strip_prefix("#/components/schemas/")
            .filter(|key| !key.contains('/'))
            .map(|key| key.replace("~1", "/").replace("~0", "~"));
        if let Some(mapped) = key.as_ref().and_then(|key| self.mapped_component(key)) {
            return Ok(mapped);
        }
        if let Some(name) = key.as_ref().and_then(|key| self.schema_names.get(key)) {
            return Ok(TypeRef::Named(name.clone()));
        }
        if let Some(known) = self.pointer_types.get(reference) {
            return Ok(known.clone());
        }
        let Some(target) = self.resolve_local::<ReferenceOr<Schema>>(reference) else {
            self.warn(
                pointer,
                format!(
                    "`$ref: {reference}` does not lead to a schema in this document; \
                     typed as any JSON value"
                ),
            );
            return Ok(TypeRef::Json);
        };
        let last = reference
            .rsplit('/')
            .next()
            .unwrap_or("Schema")
            .replace("~1", "/")
            .replace("~0", "~");
        let name = self
            .type_names
            .claim(&names::upper_camel_ident(&last, "Schema"));
        // Registered before lowering, so a schema that refers to itself finds its name.
        self.pointer_types
            .insert(reference.to_owned(), TypeRef::Named(name.clone()));
        let def = self.lower_component(&name, reference, &target, reference)?;
        self.add_type(def);
        Ok(TypeRef::Named(name))
    }

    /// A struct for an inline object schema, named from `hint`.
    fn inline_struct(
        &mut self,
        hint: &str,
        (properties, required, additional): (&Properties, &[String], Option<&AdditionalProperties>),
        schema: &Schema,
        pointer: &str,
    ) -> Result<TypeRef, SpecError> {
        if self.inline_depth >= MAX_INLINE_DEPTH {
            self.warn(
                pointer,
                format!(
                    "inline objects nest more than {MAX_INLINE_DEPTH} deep (an `allOf` that \
                     copies a recursive schema?); typed as any JSON value"
                ),
            );
            return Ok(TypeRef::JsonObject);
        }
        let name = self.type_names.claim(hint);
        self.inline_depth += 1;
        let def = self.lower_struct(&name, properties, required, additional, pointer);
        self.inline_depth -= 1;
        let checks = self.property_count_checks(schema, pointer)?;
        self.add_type(TypeDef {
            name: name.clone(),
            origin: pointer.to_owned(),
            docs: docs_of(schema),
            kind: TypeKind::Struct(def?),
            checks,
            validates: false,
            response_only: false,
        });
        Ok(TypeRef::Named(name))
    }

    /// The alternatives of a `oneOf`/`anyOf`, named after the schemas they
    /// refer to (or their titles, or their types).
    fn union_def(
        &mut self,
        name: &str,
        keyword: &'static str,
        members: &[ReferenceOr<Schema>],
        schema: &Schema,
        pointer: &str,
    ) -> Result<UnionDef, SpecError> {
        let members_pointer = child(pointer, keyword);
        // A discriminator can only name referenced schemas.
        let discriminator = match schema.schema_data.discriminator.as_ref() {
            Some(d) if members.iter().all(|m| m.as_item().is_none()) => Some(d),
            Some(_) => {
                self.warn(
                    &child(pointer, "discriminator"),
                    "the discriminator is ignored: some alternatives are inline schemas, \
                     not references; the first alternative that fits is taken",
                );
                None
            }
            None => None,
        };
        let mut variant_names = names::NameSet::default();
        let mut variants = Vec::with_capacity(members.len());
        // A discriminator value picks the first alternative that claims it.
        let mut claimed_tags: Vec<String> = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_pointer = child(&members_pointer, &i.to_string());
            let (ty, wish, tags) = match member {
                ReferenceOr::Reference { reference } => {
                    let ty = self.ref_type(reference, &member_pointer)?;
                    let key = reference.rsplit('/').next().unwrap_or_default().to_owned();
                    let mut tags: Vec<String> = discriminator
                        .map(|d| {
                            d.mapping
                                .iter()
                                .filter(|(_, target)| *target == reference || **target == key)
                                .map(|(tag, _)| tag.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    if tags.is_empty() {
                        tags.push(key.replace("~1", "/").replace("~0", "~"));
                    }
                    let wish = type_word(&ty);
                    (ty, wish, tags)
                }
                ReferenceOr::Item(item) => {
                    let title = item
                        .schema_data
                        .title
                        .as_deref()
                        .map(|title| names::upper_camel_ident(title, "V"));
                    let hint = format!(
                        "{name}{}",
                        title.clone().unwrap_or_else(|| format!("Variant{}", i + 1))
                    );
                    let ty = self.type_of_item(item, &hint, &member_pointer, None)?;
                    let wish = title.unwrap_or_else(|| type_word(&ty));
                    (ty, wish, Vec::new())
                }
            };
            let tags: Vec<String> = tags
                .into_iter()
                .filter(|tag| !claimed_tags.contains(tag))
                .collect();
            claimed_tags.extend(tags.iter().cloned());
            let checks = self.use_checks(member.as_item(), &ty, &member_pointer)?;
            variants.push(UnionVariant {
                name: variant_names.claim(&wish),
                ty,
                tags,
                checks,
            });
        }
        Ok(UnionDef {
            variants,
            discriminator: discriminator.map(|d| d.property_name.clone()),
        })
    }

    /// The schema a `$ref` leads to, following chains of references.
    pub(super) fn resolve_schema(&self, reference: &str, depth: usize) -> Option<Schema> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.resolve_local::<ReferenceOr<Schema>>(reference)? {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { reference } => self.resolve_schema(&reference, depth + 1),
        }
    }

    fn too_many_values(&mut self, count: usize, pointer: &str) {
        self.warn(
            &child(pointer, "enum"),
            format!(
                "an enum of {count} values is more than the {MAX_ENUM_VALUES} a Rust enum is \
                 made of: typed as its base type, its values not checked"
            ),
        );
    }

    /// Puts the properties of every `allOf` member (and those written beside
    /// it) into one object; a single member stands for itself.
    fn merge_all_of<'s>(
        &mut self,
        members: &'s [ReferenceOr<Schema>],
        own: Option<(&Properties, &[String])>,
        pointer: &str,
        depth: usize,
    ) -> Merged<'s> {
        // Members that only describe (`description`, `nullable`, …) add no
        // properties: `allOf: [{$ref: X}, {description: …}]` is `X` itself, not a
        // copy of its properties (which, for a recursive `X`, never ends).
        let contributing: Vec<&'s ReferenceOr<Schema>> = members
            .iter()
            .filter(|member| !describes_only(member))
            .collect();
        let own_empty = own.is_none_or(|(props, _)| props.is_empty());
        if let ([only], true) = (contributing.as_slice(), own_empty) {
            return Merged::Single(only);
        }
        let mut properties = Properties::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional = None;
        let mut others = 0;
        let mut add_object =
            |props: &Properties, req: &[String], add: Option<&AdditionalProperties>| {
                for (key, value) in props {
                    properties.insert(key.clone(), value.clone());
                }
                required.extend(
                    req.iter()
                        .filter(|r| !required.contains(r))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
                if additional.is_none() {
                    additional = add.cloned();
                }
            };
        for member in members {
            let resolved = match member {
                ReferenceOr::Item(schema) => Some(schema.clone()),
                ReferenceOr::Reference { reference } => self.resolve_schema(reference, 0),
            };
            let Some(resolved) = resolved else {
                others += 1;
                continue;
            };
            match shape(&resolved) {
                Shape::Object {
                    properties: props,
                    required: req,
                    additional: add,
                } => add_object(props, req, add),
                Shape::AllOf {
                    members: inner,
                    own: inner_own,
                } if depth < MAX_DEPTH => {
                    let inner = inner.to_vec();
                    match self.merge_all_of(&inner, inner_own, pointer, depth + 1) {
                        Merged::Object {
                            properties: props,
                            required: req,
                            additional: add,
                        } => add_object(&props, &req, add.as_ref()),
                        Merged::Single(ReferenceOr::Item(schema)) => match shape(schema) {
                            Shape::Object {
                                properties: props,
                                required: req,
                                additional: add,
                            } => add_object(props, req, add),
                            _ => others += 1,
                        },
                        _ => others += 1,
                    }
                }
                // Constraints alone (a description, `required`) add no properties.
                Shape::Any => {
                    if let SchemaKind::Any(any) = &resolved.schema_kind {
                        add_object(&any.properties, &any.required, None);
                    }
                }
                _ => others += 1,
            }
        }
        if let Some((props, req)) = own {
            add_object(props, req, None);
        }
        if others > 0 {
            if properties.is_empty() {
                self.warn(
                    &child(pointer, "allOf"),
                    "`allOf` of schemas that are not objects has no Rust type; typed as any JSON value",
                );
                return Merged::Fallback;
            }
            self.warn(
                &child(pointer, "allOf"),
                format!("{others} `allOf` members are not objects; only the object members' properties are kept"),
            );
        }
        Merged::Object {
            properties,
            required,
            additional,
        }
    }

    fn lower_struct(
        &mut self,
        name: &str,
        properties: &Properties,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
    ) -> Result<StructDef, SpecError> {
        let mut field_names = names::NameSet::default();
        let mut fields = Vec::with_capacity(properties.len());
        let properties_pointer = child(pointer, "properties");
        for (wire_name, property) in properties {
            let property_pointer = child(&properties_pointer, wire_name);
            let hint = format!("{name}{}", names::upper_camel_stem(wire_name, "V"));
            let ty = self.type_of_boxed(property, &hint, &property_pointer)?;
            let (docs, nullable) = match property {
                ReferenceOr::Item(schema) => (docs_of(schema), schema.schema_data.nullable),
                ReferenceOr::Reference { .. } => (None, false),
            };
            let checks =
                self.use_checks(property.as_item().map(|s| &**s), &ty, &property_pointer)?;
            let wish = names::snake_ident(wire_name);
            let field_name = field_names.claim_snake(&wish);
            if field_name != wish {
                self.warn(
                    &property_pointer,
                    format!("field named `{field_name}`: `{wish}` is taken in `{name}`"),
                );
            }
            let (read_only, write_only) = self.access_of(property);
            // One type serves requests and responses: a value only one of
            // them carries is required in neither.
            let is_required = required.contains(wire_name) && !read_only && !write_only;
            let docs = match (read_only, write_only) {
                (true, false) => Some(with_note(
                    docs,
                    "Read-only: sent by the server; a request leaves it out.",
                )),
                (false, true) => Some(with_note(
                    docs,
                    "Write-only: sent in requests; a response leaves it out.",
                )),
                _ => docs,
            };
            let default = match property {
                ReferenceOr::Item(schema) if !is_required && !nullable => {
                    self.default_accessor(&field_name, &ty, schema.schema_data.default.as_ref())
                }
                _ => None,
            };
            fields.push(Field {
                name: field_name,
                wire_name: wire_name.clone(),
                docs,
                ty,
                required: is_required,
                nullable,
                checks,
                default,
                pointer: property_pointer,
            });
        }
        for missing in required.iter().filter(|r| !properties.contains_key(*r)) {
            self.warn(
                &child(pointer, "required"),
                format!("`{missing}` is required but not among the properties; ignored"),
            );
        }
        let additional = match additional {
            Some(AdditionalProperties::Schema(value)) => {
                let pointer = child(pointer, "additionalProperties");
                let ty = self.type_of(value, &format!("{name}Value"), &pointer)?;
                Some(AdditionalField {
                    checks: self.use_checks(value.as_item(), &ty, &pointer)?,
                    ty,
                    name: field_names.claim_snake("additional_properties"),
                })
            }
            _ => None,
        };
        Ok(StructDef { fields, additional })
    }

    /// A property's `readOnly` and `writeOnly`, its own or those of the
    /// schema its `$ref` names.
    fn access_of(&self, property: &ReferenceOr<Box<Schema>>) -> (bool, bool) {
        match property {
            ReferenceOr::Item(schema) => {
                (schema.schema_data.read_only, schema.schema_data.write_only)
            }
            ReferenceOr::Reference { reference } => {
                let target = crate::load::resolve_pointer(&self.spec.raw, reference).ok();
                let flag = |name: &str| {
                    target
                        .and_then(|schema| schema.get(name))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false)
                };
                (flag("readOnly"), flag("writeOnly"))
            }
        }
    }

    /// The `<field>_or_default` accessor of an optional parameter or field, when
    /// the spec's default is a value of its type.
    pub(super) fn default_accessor(
        &self,
        field: &str,
        ty: &TypeRef,
        default: Option<&serde_json::Value>,
    ) -> Option<DefaultAccessor> {
        let default = default?;
        let value = match (ty, default) {
            (TypeRef::I64, serde_json::Value::Number(n)) => DefaultValue::Int(n.as_i64()?),
            (TypeRef::I32, serde_json::Value::Number(n)) => {
                DefaultValue::Int(i64::from(i32::try_from(n.as_i64()?).ok()?))
            }
            (TypeRef::F64 | TypeRef::F32, serde_json::Value::Number(n)) => {
                DefaultValue::Float(n.as_f64()?)
            }
            (TypeRef::Bool, serde_json::Value::Bool(b)) => DefaultValue::Bool(*b),
            (TypeRef::String, serde_json::Value::String(text)) => DefaultValue::Str(text.clone()),
            (TypeRef::Named(name), serde_json::Value::String(_) | serde_json::Value::Number(_)) => {
                let TypeKind::Enum(e) = &self.types.get(name)?.kind else {
                    return None;
                };
                let wanted = match default {
                    serde_json::Value::String(text) => EnumValue::Str(text.clone()),
                    other => EnumValue::Int(other.as_i64()?),
                };
                let variant = e.variants.iter().find(|v| v.value == wanted)?;
                DefaultValue::Variant {
                    enum_name: name.clone(),
                    variant: variant.name.clone(),
                }
            }
            _ => return None,
        };
        Some(DefaultAccessor {
            method: format!("{}_or_default", field.trim_end_matches('_')),
            json: default.to_string(),
            value,
        })
    }

    fn inline_enum(
        &mut self,
        values: Vec<EnumValue>,
        schema: &Schema,
        hint: &str,
        pointer: &str,
        outer_varnames: Option<&[String]>,
    ) -> TypeRef {
        let varnames = enum_varnames(&schema.schema_data.extensions)
            .or_else(|| outer_varnames.map(<[String]>::to_vec));
        TypeRef::Named(self.intern_enum(
            values,
            varnames.as_deref(),
            hint,
            docs_of(schema),
            pointer,
        ))
    }

    /// The enum type for an inline enum: a component enum with the same
    /// values if there is one, else a new enum named from `hint`.
    fn intern_enum(
        &mut self,
        values: Vec<EnumValue>,
        varnames: Option<&[String]>,
        hint: &str,
        docs: Option<String>,
        pointer: &str,
    ) -> String {
        let key = sorted(&values);
        if let Some(existing) = self.enums_by_values.get(&key) {
            return existing.clone();
        }
        let name = self.type_names.claim(hint);
        let def = self.enum_def(&name, values, varnames, pointer);
        self.enums_by_values.insert(key, name.clone());
        self.add_type(TypeDef {
            name: name.clone(),
            origin: pointer.to_owned(),
            docs,
            kind: TypeKind::Enum(def),
            checks: Checks::default(),
            validates: false,
            response_only: false,
        });
        name
    }

    /// A component schema that is an enum, registered for reuse by inline
    /// enums of the same values.
    fn component_enum(
        &mut self,
        name: &str,
        values: Vec<EnumValue>,
        schema: &Schema,
        pointer: &str,
    ) -> TypeKind {
        let varnames = enum_varnames(&schema.schema_data.extensions);
        let key = sorted(&values);
        let def = self.enum_def(name, values, varnames.as_deref(), pointer);
        self.enums_by_values
            .entry(key)
            .or_insert_with(|| name.to_owned());
        TypeKind::Enum(def)
    }

    fn enum_def(
        &mut self,
        name: &str,
        values: Vec<EnumValue>,
        varnames: Option<&[String]>,
        pointer: &str,
    ) -> EnumDef {
        let varnames = match varnames {
            Some(varnames) if varnames.len() != values.len() => {
                self.warn(
                    &child(pointer, "x-enum-varnames"),
                    format!(
                        "{} names for {} values; names are taken from the values instead",
                        varnames.len(),
                        values.len()
                    ),
                );
                None
            }
            other => other,
        };
        let mut unique_values = Vec::with_capacity(values.len());
        let mut unique_varnames = Vec::with_capacity(values.len());
        for (i, value) in values.into_iter().enumerate() {
            if unique_values.contains(&value) {
                let shown = match &value {
                    EnumValue::Str(text) => text.clone(),
                    EnumValue::Int(number) => number.to_string(),
                };
                self.warn(
                    &child(pointer, "enum"),
                    format!("duplicate value `{shown}` ignored"),
                );
                continue;
            }
            unique_values.push(value);
            if let Some(varnames) = varnames {
                unique_varnames.push(varnames[i].clone());
            }
        }
        // Integers are named by their digits (`V404`), negative ones `Minus1`.
        let words: Vec<String> = unique_values
            .iter()
            .map(|value| match value {
                EnumValue::Str(text) => text.clone(),
                EnumValue::Int(number) if *number < 0 => {
                    format!("Minus{}", number.unsigned_abs())
                }
                EnumValue::Int(number) => number.to_string(),
            })
            .collect();
        let variant_names =
            names::variant_names(name, &words, varnames.map(|_| unique_varnames.as_slice()));
        EnumDef {
            variants: variant_names
                .into_iter()
                .zip(unique_values)
                .map(|(name, value)| Variant { name, value })
                .collect(),
        }
    }
}

fn sorted(values: &[EnumValue]) -> Vec<EnumValue> {
    let mut values = values.to_vec();
    values.sort();
    values
}

/// `docs` with `note` as a paragraph of its own.
fn with_note(docs: Option<String>, note: &str) -> String {
    match docs {
        Some(docs) if !docs.trim().is_empty() => format!("{}\n\n{note}", docs.trim_end()),
        _ => note.to_owned(),
    }
}
