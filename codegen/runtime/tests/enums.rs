//! `ParseEnumError` and three-state fields (`runtime::enums`, `runtime::nullable`).

use codegen_runtime::enums::ParseEnumError;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Color {
    Red,
    Blue,
}

const VALUES: [&str; 2] = ["red", "blue"];
const ALL: [Color; 2] = [Color::Red, Color::Blue];

#[test]
fn finds_by_wire_value_and_lists_the_expected_ones() {
    assert_eq!(
        ParseEnumError::find("Color", "blue", &VALUES, &ALL),
        Ok(Color::Blue)
    );
    let error = ParseEnumError::find("Color", "green", &VALUES, &ALL).unwrap_err();
    assert_eq!(error.value(), "green");
    assert_eq!(error.type_name(), "Color");
    assert_eq!(
        error.to_string(),
        "`green` is not a valid Color; expected one of: red, blue"
    );
    assert_eq!(
        ParseEnumError::find("Color", "red", &VALUES, &ALL),
        Ok(Color::Red)
    );
}

const CODES: [i64; 2] = [404, -1];

#[test]
fn integer_enums_find_by_number_or_by_text() {
    assert_eq!(
        ParseEnumError::find_integer("Code", -1, &CODES, &ALL),
        Ok(Color::Blue)
    );
    assert_eq!(
        ParseEnumError::parse_integer("Code", "404", &CODES, &ALL),
        Ok(Color::Red)
    );
    let error = ParseEnumError::find_integer("Code", 7, &CODES, &ALL).unwrap_err();
    assert_eq!(error.value(), "7");
    assert_eq!(error.expected(), ["404", "-1"]);
    assert_eq!(
        error.to_string(),
        "`7` is not a valid Code; expected one of: 404, -1"
    );
    let error = ParseEnumError::parse_integer("Code", "4.5", &CODES, &ALL).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`4.5` is not a valid Code; expected one of: 404, -1"
    );
}

#[derive(Debug, Deserialize, PartialEq)]
struct Patch {
    #[serde(default, deserialize_with = "codegen_runtime::nullable::deserialize")]
    name: Option<Option<String>>,
}

#[test]
fn absent_null_and_a_value_stay_apart() {
    let read = |text: &str| serde_json::from_str::<Patch>(text).unwrap().name;
    assert_eq!(read("{}"), None);
    assert_eq!(read(r#"{"name": null}"#), Some(None));
    assert_eq!(read(r#"{"name": "x"}"#), Some(Some("x".to_owned())));
}
