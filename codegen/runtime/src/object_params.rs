//! Object-valued parameters laid out as OpenAPI's styles say: spread into
//! pairs (query `form` exploded, `min=1&max=5`, the default; `deepObject`,
//! `filter[min]=1`; cookie `form` exploded, one cookie per property), joined
//! (`filter=min,1,max,5`; `simple` headers and paths: `min,1,max,5`) or as
//! `key=value` pairs (`simple` exploded: `min=1,max=5`). Only in crates whose
//! spec has one.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::params::Param;
use super::request_error::RequestError;

/// How an object parameter's properties are laid out in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStyle {
    /// One pair per property, under its own name (`form`, `explode: true`)
    /// or under `name[property]` (`deepObject`): the keys of the table.
    Spread,
    /// One value, `property,value,property,value`, joined by this character
    /// (`form`, `spaceDelimited`, `pipeDelimited` or `simple` without `explode`).
    Joined(char),
    /// One value, `property=value,property=value` (`simple` with `explode`).
    Pairs,
}

impl Param {
    /// The `(property, text)` pairs given for an object parameter, `None`
    /// when none is: `keys` maps each property to its key in the query.
    pub fn object_values(
        &self,
        pairs: &[(String, String)],
        style: ObjectStyle,
        keys: &[(&'static str, &'static str)],
    ) -> Option<Vec<(String, String)>> {
        let found: Vec<(String, String)> = match style {
            ObjectStyle::Spread => pairs
                .iter()
                .filter_map(|(key, value)| {
                    let (property, _) = keys.iter().find(|(_, wire)| wire == key)?;
                    Some(((*property).to_owned(), value.clone()))
                })
                .collect(),
            ObjectStyle::Joined(delimiter) => {
                let text = self.value(pairs)?;
                // Headers may have spaces after the commas (`min, 1`).
                let items: Vec<&str> = text
                    .split(delimiter)
                    .map(|item| self.trimmed(item))
                    .collect();
                items
                    .chunks(2)
                    .map(|pair| {
                        let property = pair.first().copied().unwrap_or_default();
                        let value = pair.get(1).copied().unwrap_or_default();
                        (property.to_owned(), value.to_owned())
                    })
                    .collect()
            }
            ObjectStyle::Pairs => self
                .value(pairs)?
                .split(',')
                .map(|item| {
                    let item = self.trimmed(item);
                    let (property, value) = item.split_once('=').unwrap_or((item, ""));
                    (property.to_owned(), value.to_owned())
                })
                .collect(),
        };
        (!found.is_empty()).then_some(found)
    }

    /// An item of a header value without the spaces around it; elsewhere as is.
    fn trimmed<'t>(&self, item: &'t str) -> &'t str {
        if self.location() == "header" {
            item.trim()
        } else {
            item
        }
    }

    /// Reads an object parameter, which must be present.
    pub fn object_required<T>(
        &self,
        pairs: &[(String, String)],
        style: ObjectStyle,
        keys: &[(&'static str, &'static str)],
        read: impl FnOnce(&Param, &[(String, String)]) -> Result<T, RequestError>,
    ) -> Result<T, RequestError> {
        match self.object_values(pairs, style, keys) {
            Some(values) => read(self, &values),
            None => Err(RequestError::missing_parameter(
                self.name(),
                self.location(),
            )),
        }
    }

    /// Reads an object parameter if any of its properties is given.
    pub fn object_optional<T>(
        &self,
        pairs: &[(String, String)],
        style: ObjectStyle,
        keys: &[(&'static str, &'static str)],
        read: impl FnOnce(&Param, &[(String, String)]) -> Result<T, RequestError>,
    ) -> Result<Option<T>, RequestError> {
        self.object_values(pairs, style, keys)
            .map(|values| read(self, &values))
            .transpose()
    }

    /// Whether a required object spread into pairs has a property to send:
    /// with none set, nothing would be sent and the server would find it missing.
    pub fn object_present<T: Serialize>(
        &self,
        value: &T,
        keys: &[(&'static str, &'static str)],
    ) -> Result<(), RequestError> {
        if property_texts(value, keys).is_empty() {
            Err(RequestError::missing_parameter(
                self.name(),
                self.location(),
            ))
        } else {
            Ok(())
        }
    }

    /// The object its properties' texts make (numbers, booleans, enums and
    /// dates parsed from their text, as in a form).
    pub fn parse_object<T: DeserializeOwned>(
        &self,
        values: &[(String, String)],
    ) -> Result<T, RequestError> {
        let form =
            serde_urlencoded::to_string(values).map_err(|err| self.invalid(err.to_string()))?;
        serde_urlencoded::from_str(&form).map_err(|err| self.invalid(err.to_string()))
    }
}

/// The `(property, text)` of each property of `value` that is set, in the
/// order of `keys`.
fn property_texts<T: Serialize>(
    value: &T,
    keys: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str, String)> {
    // Generated structs always serialize, to an object.
    let object = match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(object)) => object,
        _ => return Vec::new(),
    };
    keys.iter()
        .filter_map(|(property, key)| {
            let text = match object.get(*property)? {
                serde_json::Value::Null => return None,
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Some((*property, *key, text))
        })
        .collect()
}

/// `value` as one text: `property,value,…` joined, or `property=value,…`
/// (a spread style, which has no one-text form, is written as pairs).
pub fn object_value<T: Serialize>(
    value: &T,
    style: ObjectStyle,
    keys: &[(&'static str, &'static str)],
) -> String {
    let texts = property_texts(value, keys);
    let mut joined = String::new();
    for (index, (property, _, text)) in texts.iter().enumerate() {
        match style {
            ObjectStyle::Joined(delimiter) => {
                if index > 0 {
                    joined.push(delimiter);
                }
                joined.push_str(property);
                joined.push(delimiter);
            }
            ObjectStyle::Pairs | ObjectStyle::Spread => {
                if index > 0 {
                    joined.push(',');
                }
                joined.push_str(property);
                joined.push('=');
            }
        }
        joined.push_str(text);
    }
    joined
}

/// The pairs that send `value` (a struct of scalar properties) in `style`:
/// each property present under its key, or one text under `name`.
pub fn object_pairs<T: Serialize>(
    name: &'static str,
    value: &T,
    style: ObjectStyle,
    keys: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    match style {
        ObjectStyle::Spread => property_texts(value, keys)
            .into_iter()
            .map(|(_, key, text)| (key, text))
            .collect(),
        _ => vec![(name, object_value(value, style, keys))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Range {
        min: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    }

    const DEEP: [(&str, &str); 3] = [
        ("min", "range[min]"),
        ("max", "range[max]"),
        ("label", "range[label]"),
    ];

    fn owned(pairs: &[(&str, String)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn each_style_round_trips() {
        let range = Range {
            min: 1,
            max: Some(5),
            label: Some("a b,c".to_owned()),
        };
        let param = Param::query("range");
        let exploded = [("min", "min"), ("max", "max"), ("label", "label")];
        for (style, keys) in [
            (ObjectStyle::Spread, &DEEP),
            (ObjectStyle::Spread, &exploded),
            (ObjectStyle::Joined('|'), &DEEP),
        ] {
            let pairs = owned(&object_pairs("range", &range, style, keys));
            let back: Range = param
                .object_required(&pairs, style, keys, |param, values| {
                    param.parse_object(values)
                })
                .unwrap();
            assert_eq!(back, range, "{style:?}");
        }
        let deep = object_pairs("range", &range, ObjectStyle::Spread, &DEEP);
        assert_eq!(deep[0], ("range[min]", "1".to_owned()));
        let joined = object_pairs(
            "range",
            &Range {
                min: 1,
                max: None,
                label: None,
            },
            ObjectStyle::Joined(','),
            &DEEP,
        );
        assert_eq!(joined, [("range", "min,1".to_owned())]);
        let plain = Range {
            min: 1,
            max: Some(2),
            label: None,
        };
        assert_eq!(
            object_value(&plain, ObjectStyle::Pairs, &DEEP),
            "min=1,max=2"
        );
        // Pairs and `,`-joined values cannot carry a `,` (OpenAPI's `simple`
        // style has no escape); other values round-trip.
        let pairs = owned(&object_pairs("range", &plain, ObjectStyle::Pairs, &DEEP));
        let back: Option<Range> = param
            .object_optional(&pairs, ObjectStyle::Pairs, &DEEP, |param, values| {
                param.parse_object(values)
            })
            .unwrap();
        assert_eq!(
            object_value(&plain, ObjectStyle::Joined(','), &DEEP),
            "min,1,max,2"
        );
        assert_eq!(back, Some(plain));
    }

    #[test]
    fn absent_and_broken_objects_are_refused_by_name() {
        let param = Param::query("range");
        let read = |param: &Param, values: &[(String, String)]| param.parse_object::<Range>(values);
        let none: Vec<(String, String)> = vec![("other".to_owned(), "1".to_owned())];
        assert_eq!(
            param.object_optional(&none, ObjectStyle::Spread, &DEEP, read),
            Ok(None)
        );
        assert_eq!(
            param
                .object_required(&none, ObjectStyle::Spread, &DEEP, read)
                .unwrap_err()
                .to_string(),
            "query parameter `range` is required"
        );
        let broken = owned(&[("range[min]", "one".to_owned())]);
        let error = param
            .object_required(&broken, ObjectStyle::Spread, &DEEP, read)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("query parameter `range`: "), "{error}");
        let empty = Range {
            min: 0,
            max: None,
            label: None,
        };
        assert_eq!(param.object_present(&empty, &DEEP), Ok(()));
        assert_eq!(
            param.object_present(&empty, &DEEP[1..]),
            Err(RequestError::missing_parameter("range", "query"))
        );
        let missing = owned(&[("range[max]", "2".to_owned())]);
        let error = param
            .object_required(&missing, ObjectStyle::Spread, &DEEP, read)
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing field `min`"), "{error}");
    }
}
