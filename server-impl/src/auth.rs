//! API keys: stored as SHA-256 hashes, looked up by a short hash prefix and
//! compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::Scope;
use crate::store::{StoreError, TaskStore};

/// Who made a request: the scope of their key, and the key's label for `created_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub scope: Scope,
    pub label: String,
}

pub fn hash_key(key: &str) -> String {
    to_hex(&Sha256::digest(key.as_bytes()))
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The principal of `key`, if a stored key matches.
pub async fn authenticate<S: TaskStore>(
    store: &S,
    key: &str,
) -> Result<Option<Principal>, StoreError> {
    let hash = hash_key(key);
    let candidates = store.api_keys_with_prefix(&hash[..8]).await?;
    Ok(candidates.into_iter().find_map(|(stored, scope, label)| {
        bool::from(stored.as_bytes().ct_eq(hash.as_bytes())).then_some(Principal { scope, label })
    }))
}

/// A fresh random API key for development.
pub fn new_key() -> String {
    format!(
        "fp_dev_{}{}",
        ulid::Ulid::generate(),
        ulid::Ulid::generate()
    )
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn new_keys_differ() {
        assert_ne!(new_key(), new_key());
        assert!(new_key().starts_with("fp_dev_"));
    }
}
