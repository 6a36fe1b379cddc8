//! Fields that are nullable and not required: absent, `null` and a value are
//! three states (`Option<Option<T>>`).

use serde::{Deserialize, Deserializer};

/// Reads a present, nullable field: `null` → `Some(None)`, a value →
/// `Some(Some(value))`. An absent field is `None` (the field also carries
/// `#[serde(default)]`), so the three states stay apart.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
