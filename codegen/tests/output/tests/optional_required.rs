//! Absent, null and a value: three states where the spec makes them three
//! (a nullable property that is not required), two where it does not.

use codegen_snapshot_output::optional_required::{Patch, Thing};
use serde_json::json;

#[test]
fn a_nullable_optional_field_keeps_absent_null_and_value_apart() {
    let absent: Patch = serde_json::from_value(json!({})).unwrap();
    let null: Patch = serde_json::from_value(json!({"nickname": null, "tags": null})).unwrap();
    let value: Patch =
        serde_json::from_value(json!({"nickname": "Bo", "tags": ["a"], "score": 3})).unwrap();
    assert_eq!(absent.nickname, None);
    assert_eq!(null.nickname, Some(None));
    assert_eq!(value.nickname, Some(Some("Bo".to_owned())));
    assert_eq!(null.tags, Some(None));
    assert_eq!(value.tags, Some(Some(vec!["a".to_owned()])));

    // Each state is written back as it was read.
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(&null).unwrap(),
        json!({"nickname": null, "tags": null})
    );
    assert_eq!(
        serde_json::to_value(&value).unwrap(),
        json!({"nickname": "Bo", "tags": ["a"], "score": 3})
    );
    // A wrong type is still an error, not a null.
    assert!(serde_json::from_value::<Patch>(json!({"nickname": 5})).is_err());
}

#[test]
fn a_required_nullable_field_is_written_as_null_and_an_optional_one_left_out() {
    let thing = Thing {
        id: "t1".to_owned(),
        count: 2,
        note: None,
        label: None,
        camel_case_name: None,
    };
    assert_eq!(
        serde_json::to_value(&thing).unwrap(),
        json!({"id": "t1", "count": 2, "note": null})
    );
}
