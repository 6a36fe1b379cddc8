//! Schemas → types: component schemas become [`TypeDef`]s, every schema use
//! becomes a [`TypeRef`], creating named types for inline objects and enums.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use super::Lowerer;
use super::names;
use crate::error::{ErrorKind, SpecError, child};
use crate::ir::{
    AdditionalField, Constraints, EnumDef, Field, StructDef, TypeDef, TypeKind, TypeRef, Variant,
};

type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// A schema reduced to what decides its Rust type, whichever way `openapiv3` parsed it.
enum Shape<'s> {
    StringEnum(Vec<String>),
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

/// The shape of a schema, or the composition keyword it uses (unsupported).
fn shape(schema: &Schema) -> Result<Shape<'_>, &'static str> {
    Ok(match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            if values.is_empty() {
                Shape::String(format_name(&s.format, string_format))
            } else {
                Shape::StringEnum(values)
            }
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
        SchemaKind::OneOf { .. } => return Err("oneOf"),
        SchemaKind::AnyOf { .. } => return Err("anyOf"),
        SchemaKind::AllOf { .. } => return Err("allOf"),
        SchemaKind::Not { .. } => return Err("not"),
        SchemaKind::Any(any) => {
            if !any.one_of.is_empty() {
                return Err("oneOf");
            }
            if !any.any_of.is_empty() {
                return Err("anyOf");
            }
            if !any.all_of.is_empty() {
                return Err("allOf");
            }
            if any.not.is_some() {
                return Err("not");
            }
            let strings: Vec<String> = any
                .enumeration
                .iter()
                .filter_map(|value| value.as_str().map(str::to_owned))
                .collect();
            let typ = any.typ.as_deref();
            if !strings.is_empty()
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
    })
}

pub(super) fn is_string_enum(schema: &Schema) -> bool {
    matches!(shape(schema), Ok(Shape::StringEnum(_)))
}

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

/// The constraints a parameter's schema declares.
pub(super) fn constraints_of(schema: &Schema) -> Constraints {
    let mut constraints = Constraints {
        default: schema.schema_data.default.clone(),
        ..Constraints::default()
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(i)) => {
            constraints.minimum = i.minimum.map(|v| v as f64);
            constraints.maximum = i.maximum.map(|v| v as f64);
            constraints.exclusive_minimum = i.exclusive_minimum;
            constraints.exclusive_maximum = i.exclusive_maximum;
        }
        SchemaKind::Type(Type::Number(n)) => {
            constraints.minimum = n.minimum;
            constraints.maximum = n.maximum;
            constraints.exclusive_minimum = n.exclusive_minimum;
            constraints.exclusive_maximum = n.exclusive_maximum;
        }
        SchemaKind::Type(Type::String(s)) => {
            constraints.min_length = s.min_length;
            constraints.max_length = s.max_length;
            constraints.pattern = s.pattern.clone();
        }
        SchemaKind::Any(any) => {
            constraints.minimum = any.minimum;
            constraints.maximum = any.maximum;
            constraints.exclusive_minimum = any.exclusive_minimum.unwrap_or(false);
            constraints.exclusive_maximum = any.exclusive_maximum.unwrap_or(false);
            constraints.min_length = any.min_length;
            constraints.max_length = any.max_length;
            constraints.pattern = any.pattern.clone();
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
                let kind = match self.shape_or_error(schema, pointer)? {
                    Shape::Object {
                        properties,
                        required,
                        additional,
                    } if !properties.is_empty() => TypeKind::Struct(
                        self.lower_struct(name, properties, required, additional, pointer)?,
                    ),
                    Shape::StringEnum(values) => {
                        let varnames = enum_varnames(&schema.schema_data.extensions);
                        let def = self.enum_def(name, &values, varnames.as_deref(), pointer);
                        self.enums_by_values
                            .entry(sorted(&values))
                            .or_insert_with(|| name.to_owned());
                        TypeKind::Enum(def)
                    }
                    _ => TypeKind::Alias(self.type_of_item(schema, name, pointer, None)?),
                };
                (docs_of(schema), kind)
            }
        };
        Ok(TypeDef {
            name: name.to_owned(),
            origin: key.to_owned(),
            docs,
            kind,
        })
    }

    fn shape_or_error<'s>(
        &self,
        schema: &'s Schema,
        pointer: &str,
    ) -> Result<Shape<'s>, SpecError> {
        shape(schema).map_err(|keyword| {
            self.error(
                ErrorKind::Unsupported,
                &child(pointer, keyword),
                format!("`{keyword}` schemas are not supported yet"),
            )
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
        Ok(match self.shape_or_error(schema, pointer)? {
            Shape::StringEnum(values) => {
                let varnames = enum_varnames(&schema.schema_data.extensions)
                    .or_else(|| outer_varnames.map(<[String]>::to_vec));
                TypeRef::Named(self.intern_enum(
                    &values,
                    varnames.as_deref(),
                    hint,
                    docs_of(schema),
                    pointer,
                ))
            }
            Shape::String(format) => match format.as_deref() {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                _ => TypeRef::String,
            },
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
                    let name = self.type_names.claim(hint);
                    let def =
                        self.lower_struct(&name, properties, required, additional, pointer)?;
                    self.add_type(TypeDef {
                        name: name.clone(),
                        origin: pointer.to_owned(),
                        docs: docs_of(schema),
                        kind: TypeKind::Struct(def),
                    });
                    TypeRef::Named(name)
                }
            }
            Shape::Any => TypeRef::Json,
        })
    }

    /// A `$ref` to a component schema.
    fn ref_type(&self, reference: &str, pointer: &str) -> Result<TypeRef, SpecError> {
        let key = reference
            .strip_prefix("#/components/schemas/")
            .filter(|key| !key.contains('/'))
            .map(|key| key.replace("~1", "/").replace("~0", "~"));
        match key.as_ref().and_then(|key| self.schema_names.get(key)) {
            Some(name) => Ok(TypeRef::Named(name.clone())),
            None => Err(self.error(
                ErrorKind::Unsupported,
                pointer,
                format!("`$ref: {reference}`: a schema reference must point at `#/components/schemas/<name>`"),
            )),
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
            let hint = format!("{name}{}", names::upper_camel_ident(wire_name, "V"));
            let ty = self.type_of_boxed(property, &hint, &property_pointer)?;
            let (docs, nullable) = match property {
                ReferenceOr::Item(schema) => (docs_of(schema), schema.schema_data.nullable),
                ReferenceOr::Reference { .. } => (None, false),
            };
            let wish = names::snake_ident(wire_name);
            let field_name = field_names.claim_snake(&wish);
            if field_name != wish {
                self.warn(
                    &property_pointer,
                    format!("field named `{field_name}`: `{wish}` is taken in `{name}`"),
                );
            }
            fields.push(Field {
                name: field_name,
                wire_name: wire_name.clone(),
                docs,
                ty,
                required: required.contains(wire_name),
                nullable,
            });
        }
        for missing in required.iter().filter(|r| !properties.contains_key(*r)) {
            self.warn(
                &child(pointer, "required"),
                format!("`{missing}` is required but not among the properties; ignored"),
            );
        }
        let additional = match additional {
            Some(AdditionalProperties::Schema(value)) => Some(AdditionalField {
                ty: self.type_of(
                    value,
                    &format!("{name}Value"),
                    &child(pointer, "additionalProperties"),
                )?,
                name: field_names.claim_snake("additional_properties"),
            }),
            _ => None,
        };
        Ok(StructDef { fields, additional })
    }

    /// The enum type for an inline string enum: a component enum with the same
    /// values if there is one, else a new enum named from `hint`.
    fn intern_enum(
        &mut self,
        values: &[String],
        varnames: Option<&[String]>,
        hint: &str,
        docs: Option<String>,
        pointer: &str,
    ) -> String {
        let key = sorted(values);
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
        });
        name
    }

    fn enum_def(
        &mut self,
        name: &str,
        values: &[String],
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
        for (i, value) in values.iter().enumerate() {
            if unique_values.contains(value) {
                self.warn(
                    &child(pointer, "enum"),
                    format!("duplicate value `{value}` ignored"),
                );
                continue;
            }
            unique_values.push(value.clone());
            if let Some(varnames) = varnames {
                unique_varnames.push(varnames[i].clone());
            }
        }
        let variant_names = names::variant_names(
            name,
            &unique_values,
            varnames.map(|_| unique_varnames.as_slice()),
        );
        EnumDef {
            variants: variant_names
                .into_iter()
                .zip(unique_values)
                .map(|(name, value)| Variant { name, value })
                .collect(),
        }
    }
}

fn sorted(values: &[String]) -> Vec<String> {
    let mut values = values.to_vec();
    values.sort();
    values
}
