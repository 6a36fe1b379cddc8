//! Printing checks, shared by the emitters: the statements that record in
//! `out` every rule a value breaks, and one rule as an expression. The
//! statements use the locals `value` (a reference to the value), `at` (its
//! place) and `out`; spec names only ever appear as string literals.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::rust::object_layout;

use crate::ir::{
    Check, Checks, Each, Number, Param, ParamLocation, ParamShape, PathStyle, TypeRef,
};

/// `at_least(…)`, `min_length(…)`, … on `value: &T`, a `Rule` expression.
pub fn rule(check: &Check) -> TokenStream {
    let validate = quote!(crate::runtime::validate);
    match check {
        Check::AtLeast(bound) => {
            let bound = number(*bound);
            quote!(#validate::at_least(*value, #bound))
        }
        Check::GreaterThan(bound) => {
            let bound = number(*bound);
            quote!(#validate::greater_than(*value, #bound))
        }
        Check::AtMost(bound) => {
            let bound = number(*bound);
            quote!(#validate::at_most(*value, #bound))
        }
        Check::LessThan(bound) => {
            let bound = number(*bound);
            quote!(#validate::less_than(*value, #bound))
        }
        Check::MultipleOf(Number::Int(factor)) => {
            let factor = Literal::i64_unsuffixed(*factor);
            quote!(#validate::multiple_of_int(*value, #factor))
        }
        Check::MultipleOf(Number::Float(factor)) => {
            let factor = Literal::f64_unsuffixed(*factor);
            quote!(#validate::multiple_of(*value, #factor))
        }
        Check::MinLength(min) => {
            let min = Literal::usize_unsuffixed(*min);
            quote!(#validate::min_length(value, #min))
        }
        Check::MaxLength(max) => {
            let max = Literal::usize_unsuffixed(*max);
            quote!(#validate::max_length(value, #max))
        }
        Check::Pattern(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote!(crate::models::PATTERNS[#index].check(value))
        }
        Check::Format(format) => {
            let variant = format_ident!("{}", format.variant());
            quote!(crate::runtime::formats::Format::#variant.check(value))
        }
        Check::MinItems(min) => {
            let min = Literal::usize_unsuffixed(*min);
            quote!(#validate::min_items(value.len(), #min))
        }
        Check::MaxItems(max) => {
            let max = Literal::usize_unsuffixed(*max);
            quote!(#validate::max_items(value.len(), #max))
        }
        Check::UniqueItems => quote!(#validate::unique_items(value)),
        Check::MinProperties(min) => {
            let min = Literal::usize_unsuffixed(*min);
            quote!(#validate::min_properties(value.len(), #min))
        }
        Check::MaxProperties(max) => {
            let max = Literal::usize_unsuffixed(*max);
            quote!(#validate::max_properties(value.len(), #max))
        }
    }
}

/// A struct's `minProperties`/`maxProperties` on the local `count`.
pub fn property_count_rule(check: &Check) -> Option<TokenStream> {
    match check {
        Check::MinProperties(min) => {
            let min = Literal::usize_unsuffixed(*min);
            Some(quote!(crate::runtime::validate::min_properties(count, #min)))
        }
        Check::MaxProperties(max) => {
            let max = Literal::usize_unsuffixed(*max);
            Some(quote!(crate::runtime::validate::max_properties(count, #max)))
        }
        _ => None,
    }
}

/// The statements that check `value` at `at` into `out`.
pub fn statements(checks: &Checks) -> TokenStream {
    let rules = checks.rules.iter().map(|check| {
        let rule = rule(check);
        quote!(out.check(at, #rule);)
    });
    let each = checks.each.as_ref().map(|(kind, each)| {
        let inner = statements(each);
        match kind {
            Each::Item => quote! {
                for (index, value) in value.iter().enumerate() {
                    let at = &at.index(index);
                    #inner
                }
            },
            Each::Value => quote! {
                for (key, value) in value {
                    let at = &at.key(key);
                    #inner
                }
            },
        }
    });
    let nested = checks
        .nested
        .then(|| quote!(crate::runtime::validate::Validate::validate_at(value, at, out);));
    quote! {
        #(#rules)*
        #each
        #nested
    }
}

/// A function `(value, at, out)` that checks a value: the type's own
/// `validate_at` when that is all, else a closure.
pub fn checker(checks: &Checks) -> TokenStream {
    if checks.rules.is_empty() && checks.each.is_none() && checks.nested {
        return quote!(crate::runtime::validate::Validate::validate_at);
    }
    let statements = statements(checks);
    quote!(|value, at, out| { #statements })
}

/// `#param_type::query("limit")`: the runtime's `Param` for a parameter.
pub fn param_constructor(param: &Param, param_type: TokenStream) -> TokenStream {
    let wire = &param.wire_name;
    match param.location {
        ParamLocation::Path => quote!(#param_type::path(#wire)),
        ParamLocation::Query => quote!(#param_type::query(#wire)),
        ParamLocation::Header => quote!(#param_type::header(#wire)),
        ParamLocation::Cookie => quote!(#param_type::cookie(#wire)),
        ParamLocation::Form => quote!(#param_type::form(#wire)),
    }
}

/// `(runtime::params::PathStyle::Label, exploded_array)` of a styled path
/// parameter, as the runtime's `unstyled` and `styled` take them.
pub fn path_style(param: &Param) -> Option<(TokenStream, bool)> {
    param.path_style.map(|style| match style {
        PathStyle::Label { exploded_array } => {
            (quote!(runtime::params::PathStyle::Label), exploded_array)
        }
        PathStyle::Matrix { exploded_array } => {
            (quote!(runtime::params::PathStyle::Matrix), exploded_array)
        }
    })
}

/// Whether a struct of `params` has `validate()` for the client to call:
/// some value has rules, or is a required object spread into pairs.
pub fn validates<'a>(params: impl IntoIterator<Item = &'a Param>) -> bool {
    params.into_iter().any(|p| {
        !p.checks.is_empty() || present_check(p, TokenStream::new(), TokenStream::new()).is_some()
    })
}

/// For a required object spread into pairs or cookies: that `value` (a
/// reference) has a property set, else nothing would be sent.
pub fn present_check(
    param: &Param,
    param_type: TokenStream,
    value: TokenStream,
) -> Option<TokenStream> {
    if !param.required || param.shape != ParamShape::Spread {
        return None;
    }
    let (_, keys) = object_layout(param)?;
    let constructor = param_constructor(param, param_type);
    Some(quote!(#constructor.object_present(#value, #keys)))
}

/// A parameter's checks on a value about to be sent, a `Result<(),
/// RequestError>` naming the parameter; `None` when it has none. `value` is
/// a reference (`&str`, `&T`, `&[T]`), or an `Option` of one when `optional`.
pub fn param_check(
    param: &Param,
    param_type: TokenStream,
    value: TokenStream,
    optional: bool,
) -> Option<TokenStream> {
    if param.checks.is_empty() {
        return None;
    }
    let constructor = param_constructor(param, param_type);
    let checker = checker(&param.checks);
    // An array is checked when it has items: an empty one is not sent.
    let method = if matches!(param.ty, TypeRef::Vec(_)) {
        quote!(check_items)
    } else {
        quote!(check)
    };
    Some(if optional {
        quote!(#value.map_or(Ok(()), |value| #constructor.#method(value, #checker)))
    } else {
        quote!(#constructor.#method(#value, #checker))
    })
}

fn number(value: Number) -> Literal {
    match value {
        Number::Int(value) => Literal::i64_unsuffixed(value),
        Number::Float(value) => Literal::f64_unsuffixed(value),
    }
}
