//! API keys: stored as SHA-256 hashes, looked up by a short hash prefix and
//! compared in constant time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// When this process last wrote each key's use, so that a busy key costs a
/// write a minute rather than one per request.
#[derive(Debug, Default)]
pub struct KeyUsage {
    written: Mutex<HashMap<String, Instant>>,
}

impl KeyUsage {
    /// How stale a key's `last_used_at` may get.
    pub const EVERY: Duration = Duration::from_secs(60);

    /// Whether the use of `hash` at `now` is to be written (and notes it is).
    fn due(&self, hash: &str, now: Instant) -> bool {
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match written.get(hash) {
            Some(at) if now.duration_since(*at) < Self::EVERY => false,
            _ => {
                written.insert(hash.to_owned(), now);
                true
            }
        }
    }
}

/// The principal of `key`, if a stored key matches; records the key's use.
pub async fn authenticate<S: TaskStore>(
    store: &S,
    usage: &KeyUsage,
    key: &str,
) -> Result<Option<Principal>, StoreError> {
    let hash = hash_key(key);
    let candidates = store.api_keys_with_prefix(&hash[..8]).await?;
    let Some(found) = candidates
        .into_iter()
        .find(|stored| bool::from(stored.hash.as_bytes().ct_eq(hash.as_bytes())))
    else {
        return Ok(None);
    };
    if usage.due(&hash, Instant::now()) {
        // The request is authenticated either way: a failed write only leaves
        // `last_used_at` older than it should be.
        if let Err(err) = store.touch_api_key(&hash, crate::domain::now()).await {
            tracing::warn!(error = %err, "cannot record an API key's use");
        }
    }
    Ok(Some(Principal {
        scope: found.scope,
        label: found.label,
    }))
}

/// A fresh random API key: `prefix` and 52 characters of two ULIDs (160
/// random bits).
pub fn new_key(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
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
        assert_ne!(new_key("fp_"), new_key("fp_"));
        assert!(new_key("fp_dev_").starts_with("fp_dev_"));
    }

    #[test]
    fn a_key_use_is_written_once_a_minute() {
        let usage = KeyUsage::default();
        let start = Instant::now();
        assert!(usage.due("a", start));
        assert!(!usage.due("a", start + Duration::from_secs(59)));
        assert!(usage.due("b", start + Duration::from_secs(1)));
        assert!(usage.due("a", start + KeyUsage::EVERY));
    }
}
