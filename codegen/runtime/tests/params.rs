//! Reading, checking and writing parameters (`runtime::params`).

use codegen_runtime::params::{Param, PathStyle, delimited, json_text, styled};
use codegen_runtime::request_error::RequestError;
use codegen_runtime::validate;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn the_last_value_wins_and_header_names_ignore_case() {
    let query = pairs(&[("limit", "1"), ("limit", "2")]);
    assert_eq!(Param::query("limit").value(&query), Some("2"));
    assert_eq!(Param::query("LIMIT").value(&query), None);
    let headers = pairs(&[("x-request-id", "abc"), ("x-empty", "")]);
    assert_eq!(Param::header("X-Request-Id").value(&headers), Some("abc"));
    assert_eq!(Param::header("x-empty").value(&headers), None);
}

#[test]
fn required_optional_and_repeated() {
    let query = pairs(&[("ids", "a"), ("ids", "b"), ("n", "7")]);
    let n: i64 = Param::query("n")
        .required(&query, |param, text| param.parse(text))
        .unwrap();
    assert_eq!(n, 7);
    let missing = Param::query("m").required(&query, |param, text| param.parse::<i64>(text));
    assert_eq!(
        missing,
        Err(RequestError::MissingParameter {
            name: "m".to_owned(),
            location: "query"
        })
    );
    let absent: Option<i64> = Param::query("m")
        .optional(&query, |param, text| param.parse(text))
        .unwrap();
    assert_eq!(absent, None);
    let ids: Vec<String> = Param::query("ids")
        .repeated(&query, |param, text| param.parse(text))
        .unwrap();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn a_bad_value_names_the_parameter_and_its_location() {
    let error = Param::path("id").parse::<i32>("x1").unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("path parameter `id`: `x1` is not valid"),
        "{text}"
    );
    assert_eq!(error.status(), 400);
}

#[test]
fn bounds_compare_in_the_parameter_type() {
    let p = Param::query("limit");
    assert_eq!(
        p.validated(1_i64, rule(|v| validate::at_least(*v, 1))),
        Ok(1)
    );
    assert!(
        p.validated(1_i64, rule(|v| validate::greater_than(*v, 1)))
            .is_err()
    );
    assert_eq!(
        p.validated(100_i64, rule(|v| validate::at_most(*v, 100))),
        Ok(100)
    );
    assert!(
        p.validated(100_i64, rule(|v| validate::less_than(*v, 100)))
            .is_err()
    );
    // Beyond what an f64 holds exactly, integers still compare exactly.
    let big = 9_007_199_254_740_993_i64;
    assert!(
        p.validated(big, rule(|v| validate::at_most(*v, big - 1)))
            .is_err()
    );
    assert_eq!(
        p.validated(0.5_f64, rule(|v| validate::at_least(*v, 1.0)))
            .unwrap_err()
            .to_string(),
        "query parameter `limit`: must be at least 1"
    );
    assert!(
        p.validated(
            "ab".to_owned(),
            rule(|v: &String| validate::min_length(v, 3))
        )
        .is_err()
    );
    assert!(
        p.validated(
            "äöü".to_owned(),
            rule(|v: &String| validate::max_length(v, 3))
        )
        .is_ok()
    );
}

#[test]
fn every_broken_rule_is_named() {
    let p = Param::query("limit");
    let error = p
        .validated(7_i64, |v, at, out| {
            out.check(at, validate::at_least(*v, 10));
            out.check(at, validate::multiple_of_int(*v, 5));
        })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "query parameter `limit`: must be at least 10; must be a multiple of 5"
    );
}

/// A check of one rule on the value itself, as generated code records it.
fn rule<T>(
    rule: impl FnOnce(&T) -> validate::Rule,
) -> impl FnOnce(&T, &validate::At<'_>, &mut validate::Violations) {
    move |value, at, out| out.check(at, rule(value))
}

#[test]
fn arrays_are_counted_and_their_items_named_by_index() {
    let pairs = |items: &[&str]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|item| ("tags".to_owned(), (*item).to_owned()))
            .collect()
    };
    let check = |value: &Vec<String>, at: &validate::At<'_>, out: &mut validate::Violations| {
        out.check(at, validate::max_items(value.len(), 2));
        for (index, value) in value.iter().enumerate() {
            let at = &at.index(index);
            out.check(at, validate::max_length(value, 3));
        }
    };
    let read = |param: &Param, text: &str| param.parse::<String>(text);
    let tags = Param::query("tags");
    assert_eq!(
        tags.repeated_validated(&pairs(&["a", "bcd"]), read, check),
        Ok(vec!["a".to_owned(), "bcd".to_owned()])
    );
    let error = tags
        .repeated_validated(&pairs(&["a", "long", "c"]), read, check)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "query parameter `tags`: must have at most 2 items; /1: must be at most 3 characters long"
    );
    // Absent: nothing to count, even with `minItems`.
    let at_least_one =
        |value: &Vec<String>, at: &validate::At<'_>, out: &mut validate::Violations| {
            out.check(at, validate::min_items(value.len(), 1));
        };
    assert_eq!(
        tags.repeated_validated(&[], read, at_least_one),
        Ok(Vec::new())
    );
}

#[test]
fn lists_and_json_round_trip() {
    let p = Param::header("x-ids");
    let ids: Vec<i32> = p.parse_delimited("1,2,3", ',').unwrap();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(delimited(ids.iter().map(|id| id.to_string()), ','), "1,2,3");
    let names: Vec<String> = p.parse_delimited("a b", ' ').unwrap();
    assert_eq!(delimited(names, '|'), "a|b");
    let value = serde_json::json!({"min": 1});
    let text = json_text(&value);
    let back: serde_json::Value = p.parse_json(&text).unwrap();
    assert_eq!(back, value);
    assert!(p.parse_json::<serde_json::Value>("{").is_err());
}

#[test]
fn label_and_matrix_path_values_round_trip() {
    let id = Param::path("id");
    let items = || vec!["a".to_owned(), "b".to_owned()];
    for (style, exploded, written) in [
        (PathStyle::Label, false, ".a,b"),
        (PathStyle::Label, true, ".a.b"),
        (PathStyle::Matrix, false, ";id=a,b"),
        (PathStyle::Matrix, true, ";id=a;id=b"),
    ] {
        assert_eq!(styled("id", items(), style, exploded), written);
        assert_eq!(id.unstyled(written, style, exploded).unwrap(), "a,b");
    }
    // A single value: the prefix only, whatever it holds.
    assert_eq!(
        styled("id", ["1.5".to_owned()], PathStyle::Label, false),
        ".1.5"
    );
    assert_eq!(id.unstyled(".1.5", PathStyle::Label, false).unwrap(), "1.5");
    assert_eq!(
        id.unstyled("5", PathStyle::Matrix, false)
            .unwrap_err()
            .to_string(),
        "path parameter `id`: `5` does not start with `;id=`"
    );
}
