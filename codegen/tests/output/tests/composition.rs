//! The composition snapshot's types on real JSON: a discriminator picks the
//! variant, untagged unions take the first that fits, allOf structs hold every
//! member's properties.

use codegen_snapshot_output::composition::{Cat, Dog, DogBark, Id, Owner, OwnerLabel, Pet};
use serde_json::json;

#[test]
fn the_discriminator_picks_the_variant_and_stays_in_the_body() {
    let dog: Pet =
        serde_json::from_value(json!({"id": "d1", "pet_type": "dog", "bark": "loud"})).unwrap();
    assert_eq!(
        dog,
        Pet::Dog(Dog {
            id: "d1".to_owned(),
            pet_type: Some("dog".to_owned()),
            bark: DogBark::Loud
        })
    );
    // A cat-shaped body tagged as a dog is a dog that lacks `bark`: an error, not a cat.
    let wrong = serde_json::from_value::<Pet>(json!({"id": "c1", "pet_type": "dog"}));
    assert!(wrong.unwrap_err().to_string().contains("bark"));
    let unknown = serde_json::from_value::<Pet>(json!({"id": "x", "pet_type": "fish"}));
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .contains("unknown variant `fish`")
    );
    let cat = Pet::Cat(Cat {
        id: "c1".to_owned(),
        pet_type: Some("cat".to_owned()),
        indoor: Some(true),
    });
    let text = serde_json::to_value(&cat).unwrap();
    assert_eq!(text, json!({"id": "c1", "pet_type": "cat", "indoor": true}));
    assert_eq!(serde_json::from_value::<Pet>(text).unwrap(), cat);
}

#[test]
fn untagged_unions_take_the_alternative_that_fits() {
    assert_eq!(
        serde_json::from_value::<Id>(json!(7)).unwrap(),
        Id::Integer(7)
    );
    assert_eq!(
        serde_json::from_value::<Id>(json!("seven")).unwrap(),
        Id::String("seven".to_owned())
    );
    let owner: Owner =
        serde_json::from_value(json!({"label": {"text": "hi"}, "alias": {"id": "c2"}})).unwrap();
    assert!(matches!(owner.label, Some(OwnerLabel::LongLabel(_))));
    assert_eq!(owner.alias.unwrap().id, "c2");
    assert!(serde_json::from_value::<Id>(json!(true)).is_err());
}
