//! Recursive types: a struct that contains itself (directly or through other
//! structs) needs a `Box` on the way round, and aliases must not loop.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ErrorKind, SpecError};
use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Types a type holds inline (not behind a `Vec`, map or `Box`).
fn inline_targets(def: &TypeDef) -> Vec<&str> {
    fn target(ty: &TypeRef) -> Option<&str> {
        match ty {
            TypeRef::Named(name) => Some(name),
            _ => None,
        }
    }
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().filter_map(|f| target(&f.ty)).collect(),
        TypeKind::Alias(ty) => target(ty).into_iter().collect(),
        TypeKind::Union(u) => u.variants.iter().filter_map(|v| target(&v.ty)).collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn reaches(types: &BTreeMap<String, TypeDef>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(name) = stack.pop() {
        if name == to {
            return true;
        }
        if seen.insert(name)
            && let Some(def) = types.get(name)
        {
            stack.extend(inline_targets(def));
        }
    }
    false
}

/// Boxes every struct field whose type leads back to the struct.
pub(super) fn box_recursive_fields(types: &mut BTreeMap<String, TypeDef>) {
    let mut to_box = Vec::new();
    for (name, def) in types.iter() {
        if let TypeKind::Union(u) = &def.kind {
            for (i, variant) in u.variants.iter().enumerate() {
                if let TypeRef::Named(target) = &variant.ty
                    && reaches(types, target, name)
                {
                    to_box.push((name.clone(), i));
                }
            }
        }
        if let TypeKind::Struct(s) = &def.kind {
            for (i, field) in s.fields.iter().enumerate() {
                if let TypeRef::Named(target) = &field.ty
                    && reaches(types, target, name)
                {
                    to_box.push((name.clone(), i));
                }
            }
        }
    }
    for (name, i) in to_box {
        let ty = match types.get_mut(&name).map(|def| &mut def.kind) {
            Some(TypeKind::Struct(s)) => &mut s.fields[i].ty,
            Some(TypeKind::Union(u)) => &mut u.variants[i].ty,
            _ => continue,
        };
        *ty = TypeRef::Boxed(Box::new(ty.clone()));
    }
}

/// `A = B`, `B = A` cannot be expressed; report the first such schema.
pub(super) fn check_alias_cycles(
    types: &BTreeMap<String, TypeDef>,
    file: &str,
) -> Result<(), SpecError> {
    for (name, def) in types {
        let mut current = def;
        let mut seen = BTreeSet::from([name.as_str()]);
        while let TypeKind::Alias(TypeRef::Named(target)) = &current.kind {
            if !seen.insert(target) {
                return Err(SpecError::at(
                    ErrorKind::Invalid,
                    file,
                    &format!(
                        "#/components/schemas/{}",
                        crate::error::escape_segment(&def.origin)
                    ),
                    format!("`$ref` chain through `{name}` loops back on itself"),
                ));
            }
            match types.get(target) {
                Some(next) => current = next,
                None => break,
            }
        }
    }
    Ok(())
}
