//! The models emitter: one Rust item per IR type, in `src/models.rs`.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};

use super::checks;
use super::rust::{doc_attrs, ident, or_default, type_tokens, uses_btree_map};
use crate::ir::{Api, EnumDef, EnumValue, StructDef, TypeDef, TypeKind, UnionDef};

/// The models module; `non_exhaustive`: see [`type_item`]; `open`: the
/// enums that get an `Unknown(String)` variant.
pub fn models_file(api: &Api, non_exhaustive: bool, open: &BTreeSet<String>) -> TokenStream {
    let has_enums = api
        .types
        .iter()
        .any(|def| matches!(def.kind, TypeKind::Enum(_)));
    let has_structs = api
        .types
        .iter()
        .any(|def| matches!(def.kind, TypeKind::Struct(_) | TypeKind::Union(_)));
    let uses_map = api.types.iter().any(|def| match &def.kind {
        TypeKind::Struct(s) => {
            s.additional.is_some() || s.fields.iter().any(|f| uses_btree_map(&f.ty))
        }
        TypeKind::Alias(ty) => uses_btree_map(ty),
        TypeKind::Union(u) => u.variants.iter().any(|v| uses_btree_map(&v.ty)),
        TypeKind::Enum(_) => false,
    });

    let serde_use = (has_enums || has_structs).then(|| {
        quote!(
            use serde::{Deserialize, Serialize};
        )
    });
    let map_use = uses_map.then(|| {
        quote!(
            use std::collections::BTreeMap;
        )
    });
    let parse_error = has_enums.then(|| {
        quote! {
            pub use crate::runtime::enums::ParseEnumError;
        }
    });
    let patterns = (!api.patterns.is_empty()).then(|| {
        let count = Literal::usize_unsuffixed(api.patterns.len());
        let patterns = api.patterns.iter().map(|pattern| {
            let (source, unicode) = (&pattern.source, pattern.unicode);
            quote!(crate::runtime::pattern::Pattern::new(#source, #unicode))
        });
        quote! {
            /// The spec's `pattern`s, compiled on first use.
            pub(crate) static PATTERNS: [crate::runtime::pattern::Pattern; #count] = [
                #(#patterns),*
            ];
        }
    });
    let items = api.types.iter().map(|def| {
        let item = type_item(def, non_exhaustive, open);
        let validate = def.validates.then(|| validate_impl(def));
        quote!(#item #validate)
    });
    quote! {
        #map_use
        #serde_use
        #parse_error
        #patterns
        #(#items)*
    }
}

/// `impl Validate`: every rule the spec puts on the type's fields or variants.
fn validate_impl(def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) => struct_checks(def, s),
        TypeKind::Union(u) => union_checks(u),
        TypeKind::Enum(_) | TypeKind::Alias(_) => TokenStream::new(),
    };
    quote! {
        impl crate::runtime::validate::Validate for #name {
            fn validate_at(
                &self,
                at: &crate::runtime::validate::At<'_>,
                out: &mut crate::runtime::validate::Violations,
            ) {
                #body
            }
        }
    }
}

fn struct_checks(def: &TypeDef, s: &StructDef) -> TokenStream {
    let own = (!def.checks.rules.is_empty()).then(|| {
        // Properties present: required ones always, optional ones when set.
        let required = s.fields.iter().filter(|f| f.required).count();
        let mut terms = Vec::new();
        if required > 0 {
            terms.push(Literal::usize_unsuffixed(required).into_token_stream());
        }
        terms.extend(s.fields.iter().filter(|f| !f.required).map(|f| {
            let field = ident(&f.name);
            quote!(usize::from(self.#field.is_some()))
        }));
        terms.extend(s.additional.iter().map(|extra| {
            let field = ident(&extra.name);
            quote!(self.#field.len())
        }));
        if terms.is_empty() {
            terms.push(quote!(0));
        }
        let rules = def
            .checks
            .rules
            .iter()
            .filter_map(checks::property_count_rule);
        quote! {
            let count = #(#terms)+*;
            #(out.check(at, #rules);)*
        }
    });
    let fields = s.fields.iter().filter(|f| !f.checks.is_empty()).map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire_name;
        let statements = checks::statements(&f.checks);
        let body = quote! {
            let at = &at.key(#wire);
            #statements
        };
        // Absent and null values have nothing to check.
        match (f.is_optional(), f.is_three_state()) {
            (false, _) => quote!({ let value = &self.#field; #body }),
            (true, false) => quote!(if let Some(value) = &self.#field { #body }),
            (true, true) => quote!(if let Some(Some(value)) = &self.#field { #body }),
        }
    });
    let additional = s
        .additional
        .as_ref()
        .filter(|extra| !extra.checks.is_empty())
        .map(|extra| {
            let field = ident(&extra.name);
            let statements = checks::statements(&extra.checks);
            quote! {
                for (key, value) in &self.#field {
                    let at = &at.key(key);
                    #statements
                }
            }
        });
    quote! {
        #own
        #(#fields)*
        #additional
    }
}

fn union_checks(u: &UnionDef) -> TokenStream {
    let checked: Vec<_> = u.variants.iter().filter(|v| !v.checks.is_empty()).collect();
    let arms = checked.iter().map(|v| {
        let variant = ident(&v.name);
        let statements = checks::statements(&v.checks);
        quote!(Self::#variant(value) => { #statements })
    });
    if checked.len() == u.variants.len() {
        quote!(match self { #(#arms)* })
    } else if let [only] = checked.as_slice() {
        let variant = ident(&only.name);
        let statements = checks::statements(&only.checks);
        quote!(if let Self::#variant(value) = self { #statements })
    } else {
        quote!(match self { #(#arms)* _ => {} })
    }
}

/// One type; with `non_exhaustive`, a type only responses carry is
/// `#[non_exhaustive]`, so the spec may add a property or a value without
/// breaking code that uses it: enums and unions, and structs with required
/// fields, which get a constructor (a struct that derives `Default` is
/// built with `..Default::default()`, which a new optional field does not
/// break, and which `#[non_exhaustive]` would forbid).
fn type_item(def: &TypeDef, non_exhaustive: bool, open: &BTreeSet<String>) -> TokenStream {
    let docs = doc_attrs(def.docs.as_deref());
    let name = ident(&def.name);
    let non_exhaustive = non_exhaustive && def.may_be_non_exhaustive();
    let docs = if non_exhaustive {
        quote!(#docs #[non_exhaustive])
    } else {
        docs
    };
    match &def.kind {
        TypeKind::Struct(s) => {
            let item = struct_item(docs, &name, s, open);
            let constructor = non_exhaustive.then(|| constructor(&name, s));
            quote!(#item #constructor)
        }
        TypeKind::Enum(e) if open.contains(&def.name) => open_enum_item(docs, &name, e),
        TypeKind::Enum(e) => enum_item(docs, &name, e),
        TypeKind::Union(u) => union_item(docs, &name, u),
        TypeKind::Alias(target) => {
            let target = type_tokens(target);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

fn struct_item(
    docs: TokenStream,
    name: &proc_macro2::Ident,
    s: &StructDef,
    open: &BTreeSet<String>,
) -> TokenStream {
    let default = s.derives_default().then(|| quote!(Default,));
    let fields = s.fields.iter().map(|field| {
        let mut docs = field.docs.clone().unwrap_or_default();
        if let Some(default) = &field.default {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&format!(
                "Default: `{}` (`{}()` applies it).",
                default.json, default.method
            ));
        }
        let docs = doc_attrs((!docs.is_empty()).then_some(docs.as_str()));
        let field_name = ident(&field.name);
        let rename = (field.name != field.wire_name).then(|| {
            let wire = &field.wire_name;
            quote!(#[serde(rename = #wire)])
        });
        let inner = type_tokens(&field.ty);
        let (ty, skip) = match (field.required, field.nullable) {
            (true, false) => (inner, None),
            // Present, maybe null: serialized as `null` when `None`.
            (true, true) => (quote!(Option<#inner>), None),
            (false, false) => (
                quote!(Option<#inner>),
                Some(quote!(#[serde(default, skip_serializing_if = "Option::is_none")])),
            ),
            // Absent (`None`, left out), null (`Some(None)`) or a value.
            (false, true) => (
                quote!(Option<Option<#inner>>),
                Some(quote!(#[serde(
                    default,
                    deserialize_with = "crate::runtime::nullable::deserialize",
                    skip_serializing_if = "Option::is_none"
                )])),
            ),
        };
        quote! {
            #docs
            #rename
            #skip
            pub #field_name: #ty,
        }
    });
    let additional = s.additional.as_ref().map(|extra| {
        let extra_name = ident(&extra.name);
        let value = type_tokens(&extra.ty);
        quote! {
            /// Properties not named in the schema.
            #[serde(flatten)]
            pub #extra_name: BTreeMap<String, #value>,
        }
    });
    let accessors: Vec<TokenStream> = s
        .fields
        .iter()
        .filter_map(|field| {
            let default = field.default.as_ref()?;
            let field_name = ident(&field.name);
            let method = ident(&default.method);
            let ty = type_tokens(&field.ty);
            let value = or_default(
                quote!(self.#field_name),
                &default.value,
                &TokenStream::new(),
                open,
            );
            let doc = format!(
                " `{}`, or the spec's default `{}` when it is absent.",
                field.wire_name, default.json
            );
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #ty {
                    #value
                }
            })
        })
        .collect();
    let accessors = (!accessors.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#accessors)*
            }
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default Serialize, Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #accessors
    }
}

/// `new` with the required fields, the others `None` (or empty): other
/// crates cannot write a `#[non_exhaustive]` struct as a literal.
fn constructor(name: &proc_macro2::Ident, s: &StructDef) -> TokenStream {
    let required: Vec<_> = s.fields.iter().filter(|f| !f.is_optional()).collect();
    // Clippy's limit; a schema decides how many fields are required.
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let params = required.iter().map(|f| {
        let field = ident(&f.name);
        let ty = type_tokens(&f.ty);
        quote!(#field: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        if f.is_optional() {
            quote!(#field: None,)
        } else {
            quote!(#field,)
        }
    });
    let additional = s.additional.as_ref().map(|extra| {
        let extra = ident(&extra.name);
        quote!(#extra: BTreeMap::new(),)
    });
    quote! {
        impl #name {
            /// A value with the required fields; the optional ones are
            /// `None` and can be set afterwards.
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #additional }
            }
        }
    }
}

/// `oneOf`/`anyOf`: an enum with one tuple variant per alternative. Without a
/// discriminator serde tries the variants in order (`untagged`); with one, the
/// property's value picks the variant, and the variant's type keeps the
/// property (it is not stripped, as serde's internal tagging would).
fn union_item(docs: TokenStream, name: &proc_macro2::Ident, u: &UnionDef) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = type_tokens(&v.ty);
        quote!(#variant(#ty),)
    });
    let Some(property) = &u.discriminator else {
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    // A variant whose values an earlier one claimed is never picked by value.
    let arms = u.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let variant = ident(&v.name);
        let tags = &v.tags;
        quote! {
            #(#tags)|* => serde_json::from_value(value).map(Self::#variant).map_err(serde::de::Error::custom),
        }
    });
    let expected: Vec<&String> = u.variants.iter().flat_map(|v| &v.tags).collect();
    let expected_len = expected.len();
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const EXPECTED: [&str; #expected_len] = [#(#expected),*];
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = match value.get(#property).and_then(|tag| tag.as_str()) {
                    Some(tag) => tag.to_owned(),
                    None => return Err(serde::de::Error::missing_field(#property)),
                };
                match tag.as_str() {
                    #(#arms)*
                    other => Err(serde::de::Error::unknown_variant(other, &EXPECTED)),
                }
            }
        }
    }
}

fn enum_item(docs: TokenStream, name: &proc_macro2::Ident, e: &EnumDef) -> TokenStream {
    if e.is_integer() {
        return integer_enum_item(docs, name, e);
    }
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = wire_text(&v.value);
        quote! {
            #[serde(rename = #value)]
            #variant,
        }
    });
    let (all, count) = all_variants(e);
    let values = e.variants.iter().map(|v| wire_text(&v.value));
    let type_name = name.to_string();
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// Every variant, in the order the spec lists them.
            pub const ALL: [Self; #count] = [#all];
            /// The values on the wire, in the order the spec lists them.
            pub const VALUES: [&'static str; #count] = [#(#values),*];

            /// The value on the wire.
            pub const fn as_str(self) -> &'static str {
                // Variants are declared in the order of `VALUES`.
                Self::VALUES[self as usize]
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #name {
            type Err = ParseEnumError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                ParseEnumError::find(#type_name, value, &Self::VALUES, &Self::ALL)
            }
        }
    }
}

/// A string enum with a variant for the values the spec does not list:
/// (de)serialized as text by hand, since that variant holds its text.
fn open_enum_item(docs: TokenStream, name: &proc_macro2::Ident, e: &EnumDef) -> TokenStream {
    // The fallback must not take the name of a listed variant (`unknown`).
    let taken = |candidate: &String| e.variants.iter().any(|v| v.name == *candidate);
    let fallback = ["Unknown", "UnknownValue", "Unlisted"]
        .iter()
        .map(|name| name.to_string())
        .chain((2..).map(|n| format!("Unknown{n}")))
        .find(|candidate| !taken(candidate))
        .unwrap_or_default();
    let fallback = ident(&fallback);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let doc = format!(" `{}`", wire_text(&v.value));
        quote! {
            #[doc = #doc]
            #variant,
        }
    });
    let (all, count) = all_variants(e);
    let values: Vec<String> = e.variants.iter().map(|v| wire_text(&v.value)).collect();
    let arms = e.variants.iter().zip(&values).map(|(v, value)| {
        let variant = ident(&v.name);
        quote!(Self::#variant => #value,)
    });
    let parse_arms = e.variants.iter().zip(&values).map(|(v, value)| {
        let variant = ident(&v.name);
        quote!(#value => Self::#variant,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list (a newer server's), kept as sent.
            #fallback(String),
        }

        impl #name {
            /// Every listed variant, in the order the spec lists them.
            pub const ALL: [Self; #count] = [#all];
            /// The listed values on the wire, in the order the spec lists them.
            pub const VALUES: [&'static str; #count] = [#(#values),*];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    Self::#fallback(value) => value,
                }
            }

            /// The variant of a value on the wire, listed or not.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #(#parse_arms)*
                    _ => Self::#fallback(value.to_owned()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = std::borrow::Cow::<str>::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }
    }
}

/// An integer enum: the number on the wire (JSON and text), never the
/// variant's name.
fn integer_enum_item(docs: TokenStream, name: &proc_macro2::Ident, e: &EnumDef) -> TokenStream {
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let doc = format!(" `{}`", wire_text(&v.value));
        quote! {
            #[doc = #doc]
            #variant,
        }
    });
    let (all, count) = all_variants(e);
    // Lowering gives an enum values of one kind only.
    let values = e.variants.iter().filter_map(|v| match v.value {
        EnumValue::Int(number) => Some(Literal::i64_unsuffixed(number)),
        EnumValue::Str(_) => None,
    });
    let type_name = name.to_string();
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// Every variant, in the order the spec lists them.
            pub const ALL: [Self; #count] = [#all];
            /// The values on the wire, in the order the spec lists them.
            pub const VALUES: [i64; #count] = [#(#values),*];

            /// The value on the wire.
            pub const fn value(self) -> i64 {
                // Variants are declared in the order of `VALUES`.
                Self::VALUES[self as usize]
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl std::str::FromStr for #name {
            type Err = ParseEnumError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                ParseEnumError::parse_integer(#type_name, value, &Self::VALUES, &Self::ALL)
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(deserializer)?;
                ParseEnumError::find_integer(#type_name, value, &Self::VALUES, &Self::ALL)
                    .map_err(serde::de::Error::custom)
            }
        }
    }
}

/// `Self::A, Self::B, …` in the spec's order, and how many there are: the
/// `ALL` constant both kinds of enum have.
fn all_variants(e: &EnumDef) -> (TokenStream, Literal) {
    let all = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        quote!(Self::#variant)
    });
    (
        quote!(#(#all),*),
        Literal::usize_unsuffixed(e.variants.len()),
    )
}

/// A variant's value as written on the wire.
fn wire_text(value: &EnumValue) -> String {
    match value {
        EnumValue::Str(text) => text.clone(),
        EnumValue::Int(number) => number.to_string(),
    }
}
