//! Comparing the generated types of two versions: structs field by field
//! (by wire name), enums by value, unions by variant, aliases and the
//! rules (`minimum`, `pattern`, …) on every value.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Api, Check, Checks, DefaultAccessor, EnumDef, EnumValue, Field, Number, StructDef, TypeDef,
    TypeKind, TypeRef, UnionDef,
};

use super::change::{Subject, Verdict};
use super::flow::{Delta, Flow};
use super::{Differ, found, kind_name, rust_type, type_pointer};

/// How the type of one value changed.
pub(super) struct TypeChange {
    pub delta: Delta,
    /// The Rust type a user writes changed (`String` → `models::Email` does
    /// not when `Email` is an alias of `String`).
    pub rust_changed: bool,
    pub old_text: String,
    pub new_text: String,
}

/// What happens to the two sides when a value (a property, a parameter, a
/// header) appears or disappears, where values travel by `flow`.
pub(super) fn appeared(flow: Flow, required: bool) -> (Verdict, Verdict) {
    let mut clients = Verdict::none("no operation sends or receives it");
    let mut servers = clients.clone();
    if flow.request {
        clients = if required {
            Verdict::breaking("the new server requires it; old clients leave it out")
        } else {
            Verdict::compatible("old clients may leave it out")
        };
        servers = Verdict::compatible("old servers ignore it");
    }
    if flow.response {
        clients = clients.worst(Verdict::compatible("old clients ignore it"));
        servers = servers.worst(if required {
            Verdict::breaking("new clients require it; old servers do not send it")
        } else {
            Verdict::compatible("new clients do without it")
        });
    }
    (clients, servers)
}

/// See [`appeared`].
pub(super) fn disappeared(flow: Flow, required: bool) -> (Verdict, Verdict) {
    let mut clients = Verdict::none("no operation sends or receives it");
    let mut servers = clients.clone();
    if flow.request {
        clients = Verdict::compatible("the new server ignores it when old clients send it");
        servers = if required {
            Verdict::breaking("old servers require it; new clients leave it out")
        } else {
            Verdict::compatible("old servers do without it")
        };
    }
    if flow.response {
        clients = clients.worst(Verdict::breaking(if required {
            "old clients require it; the new server no longer sends it"
        } else {
            "old clients read it; the new server no longer sends it"
        }));
        servers = servers.worst(Verdict::compatible("new clients ignore it"));
    }
    (clients, servers)
}

impl Differ<'_> {
    /// Both versions of a type are `#[non_exhaustive]`: a new variant, or a
    /// new optional field of a struct built by its constructor, breaks no code.
    fn sealed(&self, old: &TypeDef, new: &TypeDef) -> bool {
        self.non_exhaustive && old.may_be_non_exhaustive() && new.may_be_non_exhaustive()
    }

    pub(super) fn compare_types(&mut self) {
        let old_only: Vec<&str> = self
            .old_defs
            .keys()
            .filter(|name| !self.new_defs.contains_key(*name))
            .copied()
            .collect();
        let new_only: Vec<&str> = self
            .new_defs
            .keys()
            .filter(|name| !self.old_defs.contains_key(*name))
            .copied()
            .collect();
        // A type gone from one version and one of the same shape new in the
        // other: the schema was renamed.
        let mut renamed: BTreeMap<&str, &str> = BTreeMap::new();
        for old_name in &old_only {
            let target = new_only.iter().find(|new_name| {
                !renamed.values().any(|taken| taken == *new_name)
                    && self.same_shape(old_name, new_name)
            });
            if let Some(new_name) = target {
                renamed.insert(old_name, new_name);
            }
        }
        let names: BTreeSet<&str> = self
            .old_defs
            .keys()
            .chain(self.new_defs.keys())
            .copied()
            .collect();
        for name in names {
            let subject = Subject::Schema {
                name: name.to_owned(),
            };
            match (self.old_defs.get(name), self.new_defs.get(name)) {
                (Some(old), Some(new)) => {
                    let flow = self.flow_of(name, name);
                    self.compare_def(old, new, flow, &subject);
                }
                (Some(old), None) => {
                    let old_pointer = type_pointer(old);
                    let change = match renamed.get(name).and_then(|n| self.new_defs.get(n)) {
                        Some(new) => found(
                            "schema-renamed",
                            format!("renamed to `{}`, same shape", new.name),
                        )
                        .at(Some(&old_pointer), Some(&type_pointer(new)))
                        .items([format!("models::{name}"), format!("models::{}", new.name)])
                        .rust(Verdict::breaking(format!(
                            "`models::{name}` is now `models::{}`",
                            new.name
                        ))),
                        None => found("schema-removed", "removed")
                            .at(Some(&old_pointer), None)
                            .items([format!("models::{name}")])
                            .sides((
                                Verdict::none("where it was used, the change is reported there"),
                                Verdict::none("where it was used, the change is reported there"),
                            ))
                            .rust(Verdict::breaking(format!("`models::{name}` is gone"))),
                    };
                    self.add(&subject, change);
                }
                (None, Some(new)) => {
                    if renamed.values().any(|target| *target == name) {
                        continue;
                    }
                    let change = found(
                        "schema-added",
                        format!("new schema, {}", kind_name(&new.kind)),
                    )
                    .at(None, Some(&type_pointer(new)))
                    .items([format!("models::{name}")])
                    .rust(Verdict::compatible(format!("a new type `models::{name}`")));
                    self.add(&subject, change);
                }
                (None, None) => {}
            }
        }
    }

    /// Whether two types accept the same values, whatever their names and
    /// documentation; nothing is recorded.
    fn same_shape(&mut self, old_name: &str, new_name: &str) -> bool {
        let (Some(old), Some(new)) = (self.old_defs.get(old_name), self.new_defs.get(new_name))
        else {
            return false;
        };
        // Shapes too plain to tell a rename from an unrelated new type (an
        // empty object, an alias of `String`) need the same description too.
        let plain = match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) if a.fields.len() == b.fields.len() => {
                a.fields.is_empty()
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) if a.variants.len() == b.variants.len() => false,
            (TypeKind::Union(a), TypeKind::Union(b)) if a.variants.len() == b.variants.len() => {
                false
            }
            (TypeKind::Alias(_), TypeKind::Alias(_)) => true,
            _ => return false,
        };
        let comparable = !plain || (old.docs.is_some() && old.docs == new.docs);
        if !comparable {
            return false;
        }
        let pairs = self.pairs.clone();
        let start = self.changes.len();
        let (delta, visible) = self.pair_outcome(old_name, new_name);
        self.changes.truncate(start);
        self.pairs = pairs;
        delta == Delta::Neutral && !visible
    }

    /// What a reference moving from `old_name` to `new_name` does to the
    /// values; the differences are recorded once under `Old → New`.
    fn pair_delta(&mut self, old_name: &str, new_name: &str) -> Delta {
        self.pair_outcome(old_name, new_name).0
    }

    /// The pair's delta, and whether a change that matters on the wire was
    /// recorded for it.
    fn pair_outcome(&mut self, old_name: &str, new_name: &str) -> (Delta, bool) {
        let key = (old_name.to_owned(), new_name.to_owned());
        if let Some(outcome) = self.pairs.get(&key) {
            return *outcome;
        }
        let (Some(old), Some(new)) = (
            self.old_defs.get(old_name).copied(),
            self.new_defs.get(new_name).copied(),
        ) else {
            return (Delta::Incompatible, true);
        };
        // Assumed equal while comparing, so recursive types end.
        self.pairs.insert(key.clone(), (Delta::Neutral, false));
        let saved_acc = std::mem::replace(&mut self.acc, Delta::Neutral);
        let saved_in_pair = std::mem::replace(&mut self.in_pair, true);
        let start = self.changes.len();
        let subject = Subject::Schema {
            name: format!("{old_name} → {new_name}"),
        };
        let flow = self.flow_of(old_name, new_name);
        self.compare_def(old, new, flow, &subject);
        let delta = self.acc;
        let visible = self.changes[start..].iter().any(|change| {
            change.clients.level != super::Level::None || change.servers.level != super::Level::None
        });
        if delta == Delta::Neutral && !visible {
            // Only documentation differs: the same shape.
            self.changes.truncate(start);
        }
        self.acc = saved_acc;
        self.in_pair = saved_in_pair;
        self.pairs.insert(key, (delta, visible));
        (delta, visible)
    }

    fn compare_def(&mut self, old: &TypeDef, new: &TypeDef, flow: Flow, subject: &Subject) {
        let pointers = (type_pointer(old), type_pointer(new));
        let at = |f: super::Found| f.at(Some(&pointers.0), Some(&pointers.1));
        let item = format!("models::{}", new.name);
        if old.docs != new.docs {
            let change = at(found("description-changed", "description changed"))
                .items([item.clone()])
                .wire(flow, Delta::Neutral);
            self.add(subject, change);
        }
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => {
                self.compare_struct(a, b, old, new, flow, subject)
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let sealed = self.sealed(old, new);
                // Old clients keep a value their enum does not list.
                let open = self.unknown_values && old.may_take_unknown_values();
                self.compare_enum(a, b, (&pointers, &item, sealed), open, flow, subject)
            }
            (TypeKind::Union(a), TypeKind::Union(b)) => {
                let sealed = self.sealed(old, new);
                self.compare_union(a, b, (&pointers, &item, sealed), flow, subject)
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                if let Some(change) = self.type_change(a, b) {
                    let rust = if change.rust_changed {
                        Verdict::breaking(format!(
                            "`{item}` stands for `{}`, was `{}`",
                            change.new_text, change.old_text
                        ))
                    } else {
                        Verdict::none("the Rust type is the same")
                    };
                    let message = format!(
                        "type changed from `{}` to `{}`",
                        change.old_text, change.new_text
                    );
                    let change = at(found("type-changed", message))
                        .items([item.clone()])
                        .wire(flow, change.delta)
                        .rust(rust);
                    self.add(subject, change);
                }
            }
            (a, b) => {
                let message = format!("was {}, now {}", kind_name(a), kind_name(b));
                let change = at(found("schema-kind-changed", message))
                    .items([item.clone()])
                    .wire(flow, Delta::Incompatible)
                    .rust(Verdict::breaking(format!(
                        "`{item}` is a different kind of type"
                    )));
                self.add(subject, change);
            }
        }
        for rule in self.rule_findings(&old.checks, &new.checks, "", flow) {
            self.add(subject, at(rule).items([item.clone()]));
        }
    }

    fn compare_struct(
        &mut self,
        a: &StructDef,
        b: &StructDef,
        old: &TypeDef,
        new: &TypeDef,
        flow: Flow,
        subject: &Subject,
    ) {
        let item = format!("models::{}", new.name);
        let defaults = a.derives_default() && b.derives_default();
        let sealed = self.sealed(old, new);
        for field in &a.fields {
            if !b.fields.iter().any(|f| f.wire_name == field.wire_name) {
                let change = found(
                    "property-removed",
                    format!("property `{}` removed", field.wire_name),
                )
                .at(Some(&field.pointer), None)
                .items([format!("{item}::{}", field.name)])
                .wire(flow, Delta::Loosened)
                .sides(disappeared(flow, field.required))
                .rust(Verdict::breaking(format!(
                    "the field `{item}::{}` is gone",
                    field.name
                )));
                self.add(subject, change);
            }
        }
        for field in &b.fields {
            let Some(before) = a.fields.iter().find(|f| f.wire_name == field.wire_name) else {
                let required = field.required;
                let rust = if !field.is_optional() {
                    Verdict::breaking(format!(
                        "a new required field: struct literals of `{item}` must set `{}`",
                        field.name
                    ))
                } else if defaults {
                    Verdict::compatible(format!(
                        "a new optional field; `{item}` derives `Default`, so literals ending \
                         in `..Default::default()` keep compiling"
                    ))
                } else if sealed {
                    Verdict::compatible(format!(
                        "a new optional field; `{item}` is `#[non_exhaustive]` and built by \
                         `{item}::new`, which keeps its arguments"
                    ))
                } else {
                    Verdict::breaking(format!(
                        "struct literals of `{item}` must set the new field `{}` (the struct \
                         has required fields, so no `Default`)",
                        field.name
                    ))
                };
                let delta = if required {
                    Delta::Tightened
                } else {
                    Delta::Neutral
                };
                let what = if required { "required" } else { "optional" };
                let change = found(
                    "property-added",
                    format!("new {what} property `{}`", field.wire_name),
                )
                .at(None, Some(&field.pointer))
                .items([format!("{item}::{}", field.name)])
                .wire(flow, delta)
                .sides(appeared(flow, required))
                .rust(rust);
                self.add(subject, change);
                continue;
            };
            self.compare_field(before, field, &item, flow, subject);
        }
        match (&a.additional, &b.additional) {
            (None, Some(extra)) => {
                let rust = if defaults {
                    Verdict::compatible(format!(
                        "a new map field `{}`; `{item}` derives `Default`",
                        extra.name
                    ))
                } else {
                    Verdict::breaking(format!(
                        "struct literals of `{item}` must set the new map field `{}`",
                        extra.name
                    ))
                };
                let change = found(
                    "additional-properties-added",
                    "properties not named in the schema are now kept",
                )
                .at(Some(&type_pointer(old)), Some(&type_pointer(new)))
                .items([format!("{item}::{}", extra.name)])
                .wire(flow, Delta::Neutral)
                .rust(rust);
                self.add(subject, change);
            }
            (Some(extra), None) => {
                let change = found(
                    "additional-properties-removed",
                    "properties not named in the schema are no longer kept",
                )
                .at(Some(&type_pointer(old)), Some(&type_pointer(new)))
                .items([format!("{item}::{}", extra.name)])
                .wire(flow, Delta::Neutral)
                .sides(disappeared(flow, false))
                .rust(Verdict::breaking(format!(
                    "the map field `{item}::{}` is gone",
                    extra.name
                )));
                self.add(subject, change);
            }
            (Some(x), Some(y)) => {
                if let Some(change) = self.type_change(&x.ty, &y.ty) {
                    let rust = rust_verdict(&change, &format!("{item}::{}", y.name));
                    let message = format!(
                        "type of properties not named in the schema changed from `{}` to `{}`",
                        change.old_text, change.new_text
                    );
                    let found = found("type-changed", message)
                        .at(Some(&type_pointer(old)), Some(&type_pointer(new)))
                        .items([format!("{item}::{}", y.name)])
                        .wire(flow, change.delta)
                        .rust(rust);
                    self.add(subject, found);
                }
            }
            (None, None) => {}
        }
    }

    fn compare_field(
        &mut self,
        old: &Field,
        new: &Field,
        item: &str,
        flow: Flow,
        subject: &Subject,
    ) {
        let field_item = format!("{item}::{}", new.name);
        let at = |f: super::Found| {
            f.at(Some(&old.pointer), Some(&new.pointer))
                .items([field_item.clone()])
        };
        let name = &new.wire_name;
        if old.name != new.name {
            let change = at(found(
                "field-renamed",
                format!(
                    "property `{name}`: Rust field `{}` → `{}`",
                    old.name, new.name
                ),
            ))
            .rust(Verdict::breaking(format!(
                "`{item}::{}` is now `{field_item}`",
                old.name
            )));
            self.add(subject, change);
        }
        let old_rust = field_rust_type(&self.old_defs, old);
        let new_rust = field_rust_type(&self.new_defs, new);
        // Whether `required`/`nullable` alone change the field's `Option`s.
        let same_options = field_rust_type(
            &self.new_defs,
            &Field {
                required: old.required,
                nullable: old.nullable,
                ..new.clone()
            },
        ) == new_rust;
        let option_rust = || {
            if same_options {
                Verdict::none("the Rust field keeps its type")
            } else {
                Verdict::breaking(format!(
                    "`{field_item}` is now `{new_rust}`, was `{old_rust}`"
                ))
            }
        };
        if old.required != new.required {
            let (code, message, delta) = if new.required {
                (
                    "property-became-required",
                    "is now required",
                    Delta::Tightened,
                )
            } else {
                (
                    "property-became-optional",
                    "is no longer required",
                    Delta::Loosened,
                )
            };
            let change = at(found(code, format!("property `{name}` {message}")))
                .wire(flow, delta)
                .rust(option_rust());
            self.add(subject, change);
        }
        if old.nullable != new.nullable {
            let (message, delta) = if new.nullable {
                ("may now be null", Delta::Loosened)
            } else {
                ("may no longer be null", Delta::Tightened)
            };
            let change = at(found(
                "nullable-changed",
                format!("property `{name}` {message}"),
            ))
            .wire(flow, delta)
            .rust(if old.required != new.required {
                Verdict::none("see the change of `required`")
            } else {
                option_rust()
            });
            self.add(subject, change);
        }
        if let Some(change) = self.type_change(&old.ty, &new.ty) {
            let rust = rust_verdict(&change, &field_item);
            let message = format!(
                "property `{name}`: type changed from `{}` to `{}`",
                change.old_text, change.new_text
            );
            let found = at(found("type-changed", message))
                .wire(flow, change.delta)
                .rust(rust);
            self.add(subject, found);
        }
        let what = format!("property `{name}`: ");
        for rule in self.rule_findings(&old.checks, &new.checks, &what, flow) {
            self.add(subject, at(rule));
        }
        if let Some(change) =
            default_finding(old.default.as_ref(), new.default.as_ref(), &what, item)
        {
            self.add(subject, at(change));
        }
        if old.docs != new.docs {
            let change = at(found(
                "description-changed",
                format!("property `{name}`: description changed"),
            ))
            .wire(flow, Delta::Neutral);
            self.add(subject, change);
        }
    }

    /// `place`: the pointers, the Rust item, and whether it is `#[non_exhaustive]`.
    fn compare_enum(
        &mut self,
        a: &EnumDef,
        b: &EnumDef,
        (pointers, item, sealed): (&(String, String), &str, bool),
        open: bool,
        flow: Flow,
        subject: &Subject,
    ) {
        let values = (
            format!("{}/enum", pointers.0),
            format!("{}/enum", pointers.1),
        );
        let at = |f: super::Found| f.at(Some(&values.0), Some(&values.1));
        for variant in &a.variants {
            match b.variants.iter().find(|v| v.value == variant.value) {
                None => {
                    let change = at(found(
                        "enum-value-removed",
                        format!("enum value {} removed", show_value(&variant.value)),
                    ))
                    .items([format!("{item}::{}", variant.name)])
                    .wire(flow, Delta::Tightened)
                    .rust(Verdict::breaking(format!(
                        "the variant `{item}::{}` is gone",
                        variant.name
                    )));
                    self.add(subject, change);
                }
                Some(now) if now.name != variant.name => {
                    let change = at(found(
                        "variant-renamed",
                        format!(
                            "enum value {}: Rust variant `{}` → `{}`",
                            show_value(&variant.value),
                            variant.name,
                            now.name
                        ),
                    ))
                    .items([format!("{item}::{}", now.name)])
                    .rust(Verdict::breaking(format!(
                        "`{item}::{}` is now `{item}::{}`",
                        variant.name, now.name
                    )));
                    self.add(subject, change);
                }
                Some(_) => {}
            }
        }
        for variant in &b.variants {
            if !a.variants.iter().any(|v| v.value == variant.value) {
                let mut change = at(found(
                    "enum-value-added",
                    format!("enum value {} added", show_value(&variant.value)),
                ))
                .items([format!("{item}::{}", variant.name)])
                .wire(flow, Delta::Loosened)
                .rust(new_variant(item, &variant.name, sealed));
                if open {
                    let (clients, servers) = super::flow::wire(flow, Delta::Loosened);
                    let clients = if clients.level == super::Level::Breaking {
                        Verdict::compatible(format!(
                            "old clients read it as the fallback variant of `{item}`"
                        ))
                    } else {
                        clients
                    };
                    change = change.sides((clients, servers));
                }
                self.add(subject, change);
            }
        }
    }

    fn compare_union(
        &mut self,
        a: &UnionDef,
        b: &UnionDef,
        (pointers, item, sealed): (&(String, String), &str, bool),
        flow: Flow,
        subject: &Subject,
    ) {
        let at = |f: super::Found| f.at(Some(&pointers.0), Some(&pointers.1));
        if a.discriminator != b.discriminator {
            let show =
                |d: &Option<String>| d.as_deref().map_or("none".to_owned(), |d| format!("`{d}`"));
            let change = at(found(
                "discriminator-changed",
                format!(
                    "discriminator {} → {}",
                    show(&a.discriminator),
                    show(&b.discriminator)
                ),
            ))
            .items([item.to_owned()])
            .wire(flow, Delta::Incompatible);
            self.add(subject, change);
        }
        for variant in &a.variants {
            let Some(now) = b.variants.iter().find(|v| v.name == variant.name) else {
                let change = at(found(
                    "union-variant-removed",
                    format!("variant `{}` removed", variant.name),
                ))
                .items([format!("{item}::{}", variant.name)])
                .wire(flow, Delta::Tightened)
                .rust(Verdict::breaking(format!(
                    "the variant `{item}::{}` is gone",
                    variant.name
                )));
                self.add(subject, change);
                continue;
            };
            let variant_item = format!("{item}::{}", now.name);
            if let Some(change) = self.type_change(&variant.ty, &now.ty) {
                let rust = rust_verdict(&change, &variant_item);
                let message = format!(
                    "variant `{}`: type changed from `{}` to `{}`",
                    now.name, change.old_text, change.new_text
                );
                let found = at(found("type-changed", message))
                    .items([variant_item.clone()])
                    .wire(flow, change.delta)
                    .rust(rust);
                self.add(subject, found);
            }
            let removed: Vec<&String> = variant
                .tags
                .iter()
                .filter(|t| !now.tags.contains(t))
                .collect();
            let added: Vec<&String> = now
                .tags
                .iter()
                .filter(|t| !variant.tags.contains(t))
                .collect();
            for (tags, delta, what) in [
                (removed, Delta::Tightened, "no longer selected by"),
                (added, Delta::Loosened, "now also selected by"),
            ] {
                for tag in tags {
                    let change = at(found(
                        "discriminator-value-changed",
                        format!("variant `{}` {what} `{tag}`", now.name),
                    ))
                    .items([variant_item.clone()])
                    .wire(flow, delta);
                    self.add(subject, change);
                }
            }
        }
        for variant in &b.variants {
            if !a.variants.iter().any(|v| v.name == variant.name) {
                let change = at(found(
                    "union-variant-added",
                    format!("variant `{}` added", variant.name),
                ))
                .items([format!("{item}::{}", variant.name)])
                .wire(flow, Delta::Loosened)
                .rust(new_variant(item, &variant.name, sealed));
                self.add(subject, change);
            }
        }
    }

    /// How a value's type changed; `None` when neither the values it
    /// accepts nor its Rust type did.
    pub(super) fn type_change(&mut self, old: &TypeRef, new: &TypeRef) -> Option<TypeChange> {
        let delta = self.wire_delta(old, new);
        let old_text = rust_type(&self.old_defs, old);
        let new_text = rust_type(&self.new_defs, new);
        let rust_changed = old_text != new_text;
        (delta != Delta::Neutral || rust_changed).then_some(TypeChange {
            delta,
            rust_changed,
            old_text,
            new_text,
        })
    }

    /// What changing a value's type from `old` to `new` does to the values
    /// accepted.
    fn wire_delta(&mut self, old: &TypeRef, new: &TypeRef) -> Delta {
        // One type on both sides is compared on its own, under its name.
        if let (TypeRef::Named(a), TypeRef::Named(b)) = (old, new)
            && a == b
        {
            return Delta::Neutral;
        }
        if self.depth > 64 {
            return Delta::Neutral;
        }
        self.depth += 1;
        let delta = self.wire_delta_within(old, new);
        self.depth -= 1;
        delta
    }

    fn wire_delta_within(&mut self, old: &TypeRef, new: &TypeRef) -> Delta {
        let old = see_through(&self.old_defs, old);
        let new = see_through(&self.new_defs, new);
        let string_enum = |defs: &std::collections::BTreeMap<&str, &TypeDef>, name: &str| {
            defs.get(name).is_some_and(|def| match &def.kind {
                TypeKind::Enum(e) => !e.is_integer(),
                _ => false,
            })
        };
        let object = |defs: &std::collections::BTreeMap<&str, &TypeDef>, ty: &TypeRef| match ty {
            TypeRef::Map(_) | TypeRef::JsonObject => true,
            TypeRef::Named(name) => defs
                .get(name.as_str())
                .is_some_and(|def| matches!(def.kind, TypeKind::Struct(_))),
            _ => false,
        };
        match (old, new) {
            (TypeRef::Named(a), TypeRef::Named(b)) if a == b => Delta::Neutral,
            (TypeRef::Named(a), TypeRef::Named(b)) => self.pair_delta(a, b),
            (TypeRef::Vec(a), TypeRef::Vec(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => {
                self.wire_delta(a, b)
            }
            (a, b) if a == b => Delta::Neutral,
            (TypeRef::Json, _) => Delta::Tightened,
            (_, TypeRef::Json) => Delta::Loosened,
            (TypeRef::JsonObject, b) if object(&self.new_defs, b) => Delta::Tightened,
            (a, TypeRef::JsonObject) if object(&self.old_defs, a) => Delta::Loosened,
            (TypeRef::String, TypeRef::Named(b)) if string_enum(&self.new_defs, b) => {
                Delta::Tightened
            }
            (TypeRef::Named(a), TypeRef::String) if string_enum(&self.old_defs, a) => {
                Delta::Loosened
            }
            (a, b) => scalar_delta(a, b),
        }
    }

    /// Each rule that differs, with what it does to the values accepted.
    /// Each rule that differs, as a change of values travelling by `flow`;
    /// `what` starts its message (`property `name`: `).
    pub(super) fn rule_findings(
        &self,
        old: &Checks,
        new: &Checks,
        what: &str,
        flow: Flow,
    ) -> Vec<super::Found> {
        let mut out = Vec::new();
        self.rule_changes(old, new, "", &mut out);
        out.into_iter()
            .map(|(delta, text)| {
                found(constraint_code(delta), format!("{what}{text}"))
                    .wire(flow, delta)
                    .rust(Verdict::none(
                        "`validate()` checks the new rule; no signature changes",
                    ))
            })
            .collect()
    }

    fn rule_changes(
        &self,
        old: &Checks,
        new: &Checks,
        prefix: &str,
        out: &mut Vec<(Delta, String)>,
    ) {
        let keyed = |rules: &[Check]| -> BTreeMap<u8, Check> {
            rules
                .iter()
                .map(|rule| (rule_key(rule), rule.clone()))
                .collect()
        };
        let (a, b) = (keyed(&old.rules), keyed(&new.rules));
        let keys: BTreeSet<u8> = a.keys().chain(b.keys()).copied().collect();
        for key in keys {
            match (a.get(&key), b.get(&key)) {
                (None, Some(rule)) => out.push((
                    Delta::Tightened,
                    format!("{prefix}{} added", rule_text(self.new, rule)),
                )),
                (Some(rule), None) => out.push((
                    Delta::Loosened,
                    format!("{prefix}{} removed", rule_text(self.old, rule)),
                )),
                (Some(x), Some(y)) => {
                    let (old_text, new_text) = (rule_text(self.old, x), rule_text(self.new, y));
                    if old_text != new_text {
                        out.push((
                            rule_delta(x, y),
                            format!("{prefix}{new_text} (was {old_text})"),
                        ));
                    }
                }
                (None, None) => {}
            }
        }
        let empty = Checks::default();
        let each = |checks: &Checks| checks.each.as_ref().map(|(_, each)| (**each).clone());
        match (each(old), each(new)) {
            (None, None) => {}
            (x, y) => {
                let inner = format!("{prefix}each item or value: ");
                self.rule_changes(
                    x.as_ref().unwrap_or(&empty),
                    y.as_ref().unwrap_or(&empty),
                    &inner,
                    out,
                );
            }
        }
    }
}

/// A variant added to an enum or a union.
fn new_variant(item: &str, variant: &str, sealed: bool) -> Verdict {
    if sealed {
        Verdict::compatible(format!(
            "a new variant `{item}::{variant}`; `{item}` is `#[non_exhaustive]`, so `match`es \
             already have a wildcard arm"
        ))
    } else {
        Verdict::breaking(format!(
            "a new variant `{item}::{variant}`: exhaustive `match`es must handle it"
        ))
    }
}

fn rust_verdict(change: &TypeChange, item: &str) -> Verdict {
    if change.rust_changed {
        Verdict::breaking(format!(
            "`{item}` is now `{}`, was `{}`",
            change.new_text, change.old_text
        ))
    } else {
        Verdict::none("the Rust type is the same")
    }
}

/// A changed `default`: what an absent value means changes for both
/// sides; the accessor (`owner::limit_or_default`) may come or go.
pub(super) fn default_finding(
    old: Option<&DefaultAccessor>,
    new: Option<&DefaultAccessor>,
    what: &str,
    owner: &str,
) -> Option<super::Found> {
    let (old_json, new_json) = (old.map(|d| d.json.as_str()), new.map(|d| d.json.as_str()));
    if old_json == new_json {
        return None;
    }
    let show = |d: Option<&str>| d.map_or("none".to_owned(), |d| format!("`{d}`"));
    let rust = match (old, new) {
        (Some(d), None) => {
            Verdict::breaking(format!("the accessor `{owner}::{}` is gone", d.method))
        }
        (None, Some(d)) => Verdict::compatible(format!("a new accessor `{owner}::{}`", d.method)),
        _ => Verdict::none("the accessor keeps its signature"),
    };
    let absent = || {
        Verdict::compatible(format!(
            "an absent value now means {} (was {})",
            show(new_json),
            show(old_json)
        ))
    };
    Some(
        found(
            "default-changed",
            format!("{what}default {} → {}", show(old_json), show(new_json)),
        )
        .sides((absent(), absent()))
        .rust(rust),
    )
}

fn constraint_code(delta: Delta) -> &'static str {
    match delta {
        Delta::Tightened => "constraint-tightened",
        Delta::Loosened => "constraint-loosened",
        Delta::Incompatible | Delta::Neutral => "constraint-changed",
    }
}

/// The Rust type of a struct field, `Option`s included.
fn field_rust_type(defs: &BTreeMap<&str, &TypeDef>, field: &Field) -> String {
    let base = rust_type(defs, &field.ty);
    if field.is_three_state() {
        format!("Option<Option<{base}>>")
    } else if field.is_optional() {
        format!("Option<{base}>")
    } else {
        base
    }
}

/// The type a value really has: through boxes and aliases.
fn see_through<'t>(defs: &BTreeMap<&str, &'t TypeDef>, ty: &'t TypeRef) -> &'t TypeRef {
    let mut ty = ty;
    // Alias cycles are refused when lowering; the bound is a guard.
    for _ in 0..64 {
        ty = match ty {
            TypeRef::Boxed(inner) => inner,
            TypeRef::Named(name) => match defs.get(name.as_str()).map(|def| &def.kind) {
                Some(TypeKind::Alias(target)) => target,
                _ => return ty,
            },
            _ => return ty,
        };
    }
    ty
}

/// Scalars: a wider number or a plain string accepts more.
fn scalar_delta(old: &TypeRef, new: &TypeRef) -> Delta {
    use TypeRef::*;
    let widens = |a: &TypeRef, b: &TypeRef| {
        matches!(
            (a, b),
            (I32, I64 | F32 | F64)
                | (I64, F64)
                | (F32, F64)
                | (DateTime | Date | Uuid | Base64, String)
        )
    };
    if widens(old, new) {
        Delta::Loosened
    } else if widens(new, old) {
        Delta::Tightened
    } else {
        Delta::Incompatible
    }
}

fn show_value(value: &EnumValue) -> String {
    match value {
        EnumValue::Str(text) => format!("`\"{text}\"`"),
        EnumValue::Int(number) => format!("`{number}`"),
    }
}

/// Rules of one kind share a key: a new `maximum` replaces the old one.
fn rule_key(rule: &Check) -> u8 {
    match rule {
        Check::AtLeast(_) | Check::GreaterThan(_) => 0,
        Check::AtMost(_) | Check::LessThan(_) => 1,
        Check::MultipleOf(_) => 2,
        Check::MinLength(_) => 3,
        Check::MaxLength(_) => 4,
        Check::Pattern(_) => 5,
        Check::Format(_) => 6,
        Check::MinItems(_) => 7,
        Check::MaxItems(_) => 8,
        Check::UniqueItems => 9,
        Check::MinProperties(_) => 10,
        Check::MaxProperties(_) => 11,
    }
}

fn number(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

fn show_number(n: Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
    }
}

fn rule_text(api: &Api, rule: &Check) -> String {
    match rule {
        Check::AtLeast(n) => format!("minimum {}", show_number(*n)),
        Check::GreaterThan(n) => format!("exclusive minimum {}", show_number(*n)),
        Check::AtMost(n) => format!("maximum {}", show_number(*n)),
        Check::LessThan(n) => format!("exclusive maximum {}", show_number(*n)),
        Check::MultipleOf(n) => format!("multipleOf {}", show_number(*n)),
        Check::MinLength(n) => format!("minLength {n}"),
        Check::MaxLength(n) => format!("maxLength {n}"),
        Check::Pattern(index) => match api.patterns.get(*index) {
            Some(pattern) => format!("pattern `{}`", pattern.source),
            None => "a pattern".to_owned(),
        },
        Check::Format(format) => format!("format {}", format.variant().to_lowercase()),
        Check::MinItems(n) => format!("minItems {n}"),
        Check::MaxItems(n) => format!("maxItems {n}"),
        Check::UniqueItems => "uniqueItems".to_owned(),
        Check::MinProperties(n) => format!("minProperties {n}"),
        Check::MaxProperties(n) => format!("maxProperties {n}"),
    }
}

/// Two rules of one kind: whether the new one accepts fewer values.
fn rule_delta(old: &Check, new: &Check) -> Delta {
    let tighter = |yes: bool| {
        if yes {
            Delta::Tightened
        } else {
            Delta::Loosened
        }
    };
    let bound = |rule: &Check| match rule {
        Check::AtLeast(n) | Check::AtMost(n) => (number(*n), false),
        Check::GreaterThan(n) | Check::LessThan(n) => (number(*n), true),
        _ => (0.0, false),
    };
    match (old, new) {
        (Check::AtLeast(_) | Check::GreaterThan(_), _) => {
            let ((a, a_open), (b, b_open)) = (bound(old), bound(new));
            tighter(b > a || (b == a && b_open && !a_open))
        }
        (Check::AtMost(_) | Check::LessThan(_), _) => {
            let ((a, a_open), (b, b_open)) = (bound(old), bound(new));
            tighter(b < a || (b == a && b_open && !a_open))
        }
        (Check::MinLength(a), Check::MinLength(b))
        | (Check::MinItems(a), Check::MinItems(b))
        | (Check::MinProperties(a), Check::MinProperties(b)) => tighter(b > a),
        (Check::MaxLength(a), Check::MaxLength(b))
        | (Check::MaxItems(a), Check::MaxItems(b))
        | (Check::MaxProperties(a), Check::MaxProperties(b)) => tighter(b < a),
        (Check::MultipleOf(a), Check::MultipleOf(b)) => {
            let (a, b) = (number(*a), number(*b));
            let divides = |x: f64, y: f64| y != 0.0 && (x / y).fract() == 0.0;
            if divides(b, a) {
                Delta::Tightened
            } else if divides(a, b) {
                Delta::Loosened
            } else {
                Delta::Incompatible
            }
        }
        _ => Delta::Incompatible,
    }
}
