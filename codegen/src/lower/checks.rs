//! Constraints → checks: a schema's `minimum`, `maxLength`, `pattern`,
//! `format`, `maxItems`, `minProperties`, integer `enum`, … become
//! [`Check`]s typed for the Rust value they apply to. Each use of a schema
//! (a field, an item, a body) gets its own [`Checks`]; once every type
//! exists, [`resolve`] folds an alias's checks into its uses and decides
//! which structs and unions validate themselves.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{Schema, SchemaKind, Type};

use super::Lowerer;
use super::schema::{Constraints, constraints_of};
use crate::error::{ErrorKind, SpecError, child};
use crate::ir::{Check, Checks, Each, Format, Number, Pattern, TypeDef, TypeKind, TypeRef};

/// Formats that only annotate, or that the Rust type already checks.
const TYPED_FORMATS: [&str; 9] = [
    "date",
    "date-time",
    "int32",
    "int64",
    "float",
    "double",
    "password",
    "binary",
    "",
];

impl Lowerer<'_> {
    /// The checks of one use of a schema whose type is `ty`: the schema's own
    /// rules, and those of its items or map values. A `$ref` has no rules of
    /// its own here; [`resolve`] adds those of an alias it names.
    pub(super) fn use_checks(
        &mut self,
        schema: Option<&Schema>,
        ty: &TypeRef,
        pointer: &str,
    ) -> Result<Checks, SpecError> {
        let Some(schema) = schema else {
            return Ok(Checks::default());
        };
        let constraints = constraints_of(schema);
        let mut checks = Checks {
            rules: self.rules(ty, &constraints, pointer)?,
            ..Checks::default()
        };
        let inner = match ty {
            TypeRef::Boxed(inner) => inner.as_ref(),
            other => other,
        };
        match (inner, &schema.schema_kind) {
            (TypeRef::Vec(item), SchemaKind::Type(Type::Array(array))) => {
                if let Some(items) = &array.items {
                    let items = items.as_item().map(|schema| &**schema);
                    let each = self.use_checks(items, item, &child(pointer, "items"))?;
                    checks.each = Some((Each::Item, Box::new(each)));
                }
            }
            (TypeRef::Map(value), SchemaKind::Type(Type::Object(object))) => {
                if let Some(openapiv3::AdditionalProperties::Schema(schema)) =
                    &object.additional_properties
                {
                    let pointer = child(pointer, "additionalProperties");
                    let each = self.use_checks(schema.as_item(), value, &pointer)?;
                    checks.each = Some((Each::Value, Box::new(each)));
                }
            }
            _ => {}
        }
        Ok(checks)
    }

    /// The rules `constraints` put on a value of type `ty`, typed for it:
    /// integer bounds on integers, float bounds on floats, lengths on strings.
    pub(super) fn rules(
        &mut self,
        ty: &TypeRef,
        constraints: &Constraints,
        pointer: &str,
    ) -> Result<Vec<Check>, SpecError> {
        let ty = match ty {
            TypeRef::Boxed(inner) => inner.as_ref(),
            other => other,
        };
        if let TypeRef::External(_) = ty {
            // Reported where the schema was mapped.
            return Ok(Vec::new());
        }
        let mut checks = Vec::new();
        let range = match ty {
            TypeRef::I32 => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            TypeRef::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        };
        let numeric = range.is_some() || matches!(ty, TypeRef::F32 | TypeRef::F64);
        let bounds = [
            (constraints.minimum, constraints.exclusive_minimum, true),
            (constraints.maximum, constraints.exclusive_maximum, false),
        ];
        for (bound, exclusive, lower) in bounds {
            let Some(bound) = bound.filter(|_| numeric) else {
                continue;
            };
            let bound = match (range, bound) {
                (Some(_), Number::Float(value)) if value.fract() != 0.0 => {
                    // An integer is above 0.5 exactly when it is at least 1.
                    let whole = if lower { value.ceil() } else { value.floor() };
                    checks.push(Check::at(lower, false, Number::Int(whole as i64)));
                    continue;
                }
                (Some(_), Number::Float(value)) => Number::Int(value as i64),
                (None, Number::Int(value)) => Number::Float(value as f64),
                (_, bound) => bound,
            };
            if let (Some((min, max)), Number::Int(value)) = (range, bound)
                && (value < min || value > max)
            {
                self.warn(
                    pointer,
                    format!(
                        "the bound {value} is outside the value's integer type; it is not checked"
                    ),
                );
                continue;
            }
            checks.push(Check::at(lower, exclusive, bound));
        }
        if let Some(factor) = constraints.multiple_of.filter(|_| numeric) {
            match (range, factor) {
                (Some(_), Number::Float(value)) if value.fract() == 0.0 && value > 0.0 => {
                    checks.push(Check::MultipleOf(Number::Int(value as i64)));
                }
                (Some(_), Number::Int(value)) if value > 0 => {
                    checks.push(Check::MultipleOf(Number::Int(value)));
                }
                (None, Number::Float(value)) if value > 0.0 => {
                    checks.push(Check::MultipleOf(Number::Float(value)));
                }
                (None, Number::Int(value)) if value > 0 => {
                    checks.push(Check::MultipleOf(Number::Float(value as f64)));
                }
                (Some(_), Number::Float(value)) if value > 0.0 => {
                    // An integer is a multiple of p/q (in lowest terms) when it
                    // is one of p: of 0.5 any integer, of 2.5 a multiple of 5.
                    // The fraction is read from the number's shortest decimal.
                    let text = value.to_string();
                    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
                    let numerator = format!("{whole}{fraction}").parse::<i64>().ok();
                    let denominator = u32::try_from(fraction.len())
                        .ok()
                        .and_then(|digits| 10_i64.checked_pow(digits));
                    match numerator.zip(denominator) {
                        Some((p, q)) => {
                            checks.push(Check::MultipleOf(Number::Int(p / gcd(p, q).max(1))));
                        }
                        None => self.warn(
                            pointer,
                            format!("`multipleOf: {value}` has too many digits; it is not checked"),
                        ),
                    }
                }
                _ => self.warn(
                    pointer,
                    "`multipleOf` must be greater than 0; it is not checked",
                ),
            }
        }
        if *ty == TypeRef::String {
            checks.extend(constraints.min_length.map(Check::MinLength));
            checks.extend(constraints.max_length.map(Check::MaxLength));
            if let Some(pattern) = &constraints.pattern {
                checks.push(Check::Pattern(self.pattern(pattern, pointer)?));
            }
            if let Some(format) = constraints.format.as_deref() {
                match Format::from_name(format) {
                    Some(format) => checks.push(Check::Format(format)),
                    None if TYPED_FORMATS.contains(&format) => {}
                    None => self.warn(
                        &child(pointer, "format"),
                        format!(
                            "format `{format}` is not checked (an unknown format annotates only)"
                        ),
                    ),
                }
            }
        }
        if matches!(ty, TypeRef::Vec(_)) {
            checks.extend(constraints.min_items.map(Check::MinItems));
            checks.extend(constraints.max_items.map(Check::MaxItems));
            if constraints.unique_items {
                checks.push(Check::UniqueItems);
            }
        }
        if matches!(
            ty,
            TypeRef::Map(_) | TypeRef::JsonObject | TypeRef::Named(_)
        ) {
            checks.extend(constraints.min_properties.map(Check::MinProperties));
            checks.extend(constraints.max_properties.map(Check::MaxProperties));
        }
        Ok(checks)
    }

    /// The index of `pattern` in the crate's patterns. JSON Schema patterns
    /// are ECMAScript regular expressions, which `regress` compiles here as
    /// the generated code will: one that does not compile stops generation.
    fn pattern(&mut self, pattern: &str, pointer: &str) -> Result<usize, SpecError> {
        let pointer = child(pointer, "pattern");
        let unicode = regress::Regex::with_flags(pattern, "u").is_ok();
        if !unicode && let Err(err) = regress::Regex::new(pattern) {
            return Err(self.error(
                ErrorKind::Invalid,
                &pointer,
                format!("pattern `{pattern}` is not a valid ECMAScript regular expression: {err}"),
            ));
        }
        let pattern = Pattern {
            source: pattern.to_owned(),
            unicode,
        };
        if let Some(index) = self.patterns.iter().position(|known| *known == pattern) {
            return Ok(index);
        }
        self.patterns.push(pattern);
        Ok(self.patterns.len() - 1)
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// The structs and unions that check something, once every type exists.
pub(super) struct Validating(BTreeSet<String>);

/// Decides which structs and unions validate themselves (`validates`) and
/// resolves the checks of their fields and variants; the returned set
/// resolves the checks of the other uses (bodies).
pub(super) fn resolve_types(types: &mut BTreeMap<String, TypeDef>) -> Validating {
    // A fixed point: types refer to one another, and to themselves.
    let mut validating = Validating(BTreeSet::new());
    loop {
        let mut found = Vec::new();
        for def in types.values() {
            if validating.0.contains(&def.name) {
                continue;
            }
            let checks_something = |ty: &TypeRef, checks: &Checks| {
                !validating.resolve(types, ty, checks.clone()).is_empty()
            };
            let validates = match &def.kind {
                TypeKind::Struct(s) => {
                    !def.checks.rules.is_empty()
                        || s.fields.iter().any(|f| checks_something(&f.ty, &f.checks))
                        || s.additional
                            .as_ref()
                            .is_some_and(|extra| checks_something(&extra.ty, &extra.checks))
                }
                TypeKind::Union(u) => u
                    .variants
                    .iter()
                    .any(|v| checks_something(&v.ty, &v.checks)),
                TypeKind::Enum(_) | TypeKind::Alias(_) => false,
            };
            if validates {
                found.push(def.name.clone());
            }
        }
        if found.is_empty() {
            break;
        }
        validating.0.extend(found);
    }
    // Resolved while every type can still be looked up (a type may use itself).
    let mut resolved_uses: Vec<(String, Vec<Checks>)> = Vec::new();
    for def in types.values() {
        let uses: Vec<(&TypeRef, &Checks)> = match &def.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| (&f.ty, &f.checks))
                .chain(s.additional.iter().map(|extra| (&extra.ty, &extra.checks)))
                .collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| (&v.ty, &v.checks)).collect(),
            TypeKind::Enum(_) | TypeKind::Alias(_) => continue,
        };
        let uses = uses
            .into_iter()
            .map(|(ty, checks)| validating.resolve(types, ty, checks.clone()))
            .collect();
        resolved_uses.push((def.name.clone(), uses));
    }
    for (name, uses) in resolved_uses {
        let Some(def) = types.get_mut(&name) else {
            continue;
        };
        def.validates = validating.0.contains(&name);
        let mut uses = uses.into_iter();
        match &mut def.kind {
            TypeKind::Struct(s) => {
                let slots = s.fields.iter_mut().map(|f| &mut f.checks);
                let slots = slots.chain(s.additional.iter_mut().map(|extra| &mut extra.checks));
                for (slot, checks) in slots.zip(&mut uses) {
                    *slot = checks;
                }
            }
            TypeKind::Union(u) => {
                for (variant, checks) in u.variants.iter_mut().zip(&mut uses) {
                    variant.checks = checks;
                }
            }
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
    validating
}

impl Validating {
    /// `checks` of a value of type `ty`, with the checks of the aliases it
    /// goes through added, `nested` set where the type validates itself, and
    /// empty parts dropped.
    pub(super) fn resolve(
        &self,
        types: &BTreeMap<String, TypeDef>,
        ty: &TypeRef,
        checks: Checks,
    ) -> Checks {
        resolved(types, &self.0, ty, checks, 0)
    }
}

/// `checks` of a value of type `ty`, with the checks of the aliases it goes
/// through added, `nested` set where the type validates itself, and empty
/// parts dropped.
fn resolved(
    types: &BTreeMap<String, TypeDef>,
    validating: &BTreeSet<String>,
    ty: &TypeRef,
    mut checks: Checks,
    depth: usize,
) -> Checks {
    // Alias chains are acyclic (lowering checked), but stay bounded anyway.
    if depth > 32 {
        return checks;
    }
    match ty {
        TypeRef::Boxed(inner) => return resolved(types, validating, inner, checks, depth + 1),
        TypeRef::Named(name) => match types.get(name).map(|def| (&def.kind, &def.checks)) {
            Some((TypeKind::Alias(target), own)) => {
                let merged = merge(checks, own.clone());
                return resolved(types, validating, target, merged, depth + 1);
            }
            Some((TypeKind::Struct(_) | TypeKind::Union(_), _)) => {
                // A struct counts its own properties.
                checks.rules.retain(|rule| !rule.counts_properties());
                checks.nested = validating.contains(name);
            }
            _ => {}
        },
        TypeRef::Vec(item) | TypeRef::Map(item) => {
            if let Some((kind, each)) = checks.each.take() {
                let each = resolved(types, validating, item, *each, depth + 1);
                if !each.is_empty() {
                    checks.each = Some((kind, Box::new(each)));
                }
            } else {
                let each = resolved(types, validating, item, Checks::default(), depth + 1);
                if !each.is_empty() {
                    let kind = if matches!(ty, TypeRef::Vec(_)) {
                        Each::Item
                    } else {
                        Each::Value
                    };
                    checks.each = Some((kind, Box::new(each)));
                }
            }
        }
        _ => {}
    }
    // A rule of a schema that does not fit the value's type (a `maxLength`
    // on an enum, a `minProperties` beside a `$ref` to a string) checks nothing.
    checks.rules.retain(|rule| applies(rule, ty));
    checks
}

/// Whether `rule` can be checked on a value of type `ty` (aliases resolved).
fn applies(rule: &Check, ty: &TypeRef) -> bool {
    let int = matches!(ty, TypeRef::I32 | TypeRef::I64);
    let float = matches!(ty, TypeRef::F32 | TypeRef::F64);
    match rule {
        Check::AtLeast(bound)
        | Check::GreaterThan(bound)
        | Check::AtMost(bound)
        | Check::LessThan(bound)
        | Check::MultipleOf(bound) => match bound {
            Number::Int(_) => int,
            Number::Float(_) => float,
        },
        Check::MinLength(_) | Check::MaxLength(_) | Check::Pattern(_) | Check::Format(_) => {
            *ty == TypeRef::String
        }
        Check::MinItems(_) | Check::MaxItems(_) | Check::UniqueItems => {
            matches!(ty, TypeRef::Vec(_))
        }
        Check::MinProperties(_) | Check::MaxProperties(_) => {
            matches!(ty, TypeRef::Map(_) | TypeRef::JsonObject)
        }
    }
}

/// The checks of a use and of the alias it names, together.
fn merge(mut into: Checks, from: Checks) -> Checks {
    for rule in from.rules {
        if !into.rules.contains(&rule) {
            into.rules.push(rule);
        }
    }
    into.each = match (into.each.take(), from.each) {
        (Some((kind, a)), Some((_, b))) => Some((kind, Box::new(merge(*a, *b)))),
        (a, b) => a.or(b),
    };
    into.nested |= from.nested;
    into
}
