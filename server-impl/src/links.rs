//! Signed, expiring download links for export files: an HMAC-SHA256 over the
//! task id and the expiry, with a secret only this server knows. The link
//! works without an API key until it expires, like a presigned object URL.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The path under which signed links are served: `/exports/{task_id}`.
pub const EXPORTS_PATH: &str = "/exports";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the download link is not valid: it was altered or not issued by this server")]
    Tampered,
    #[error("the download link expired at {0}; ask for a new one")]
    Expired(String),
}

#[derive(Clone)]
pub struct LinkSigner {
    secret: Vec<u8>,
    /// Where this server is reached, without a trailing slash.
    base_url: String,
    ttl: chrono::Duration,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSigner")
            .field("base_url", &self.base_url)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl LinkSigner {
    pub fn new(secret: Vec<u8>, base_url: &str, ttl: std::time::Duration) -> LinkSigner {
        LinkSigner {
            secret,
            base_url: base_url.trim_end_matches('/').to_owned(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX),
        }
    }

    fn mac(&self, task_id: &str, expires: i64) -> Hmac<Sha256> {
        // Any key length is accepted by HMAC.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(task_id.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// A link to the export of `task_id`, valid for the configured time from `now`.
    /// How long a link stays valid.
    pub fn ttl(&self) -> std::time::Duration {
        self.ttl.to_std().unwrap_or(std::time::Duration::MAX)
    }

    pub fn link(&self, task_id: &str, now: DateTime<Utc>) -> String {
        let expires = now
            .checked_add_signed(self.ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .timestamp();
        let signature = crate::auth::to_hex(&self.mac(task_id, expires).finalize().into_bytes());
        format!(
            "{}{EXPORTS_PATH}/{task_id}?expires={expires}&signature={signature}",
            self.base_url
        )
    }

    /// Checks a link's parts; the signature first, so an altered expiry is "tampered".
    pub fn verify(
        &self,
        task_id: &str,
        expires: Option<&str>,
        signature: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), LinkError> {
        let (Some(expires_text), Some(signature)) = (expires, signature) else {
            return Err(LinkError::Tampered);
        };
        let expires: i64 = expires_text.parse().map_err(|_| LinkError::Tampered)?;
        let signature = decode_hex(signature).ok_or(LinkError::Tampered)?;
        self.mac(task_id, expires)
            .verify_slice(&signature)
            .map_err(|_| LinkError::Tampered)?;
        if now.timestamp() > expires {
            let at = DateTime::from_timestamp(expires, 0)
                .map(|at| at.to_rfc3339())
                .unwrap_or_else(|| expires_text.to_owned());
            return Err(LinkError::Expired(at));
        }
        Ok(())
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// 32 random bytes for a new signing secret.
pub fn fresh_secret() -> Result<Vec<u8>, String> {
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|err| format!("no randomness available: {err}"))?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(link: &str) -> (String, String, String) {
        let url = url::Url::parse(link).unwrap();
        let task = url.path().rsplit('/').next().unwrap().to_owned();
        let query: std::collections::BTreeMap<String, String> =
            url.query_pairs().into_owned().collect();
        (task, query["expires"].clone(), query["signature"].clone())
    }

    #[test]
    fn links_verify_until_they_expire() {
        let signer = LinkSigner::new(
            b"secret".to_vec(),
            "http://host/",
            std::time::Duration::from_secs(60),
        );
        let now = Utc::now();
        let link = signer.link("task_1", now);
        assert!(link.starts_with("http://host/exports/task_1?expires="));
        let (task, expires, signature) = parts(&link);
        assert_eq!(
            signer.verify(&task, Some(&expires), Some(&signature), now),
            Ok(())
        );
        let later = now + chrono::Duration::seconds(61);
        assert!(matches!(
            signer.verify(&task, Some(&expires), Some(&signature), later),
            Err(LinkError::Expired(_))
        ));
    }

    #[test]
    fn altered_links_are_refused() {
        let signer = LinkSigner::new(
            b"secret".to_vec(),
            "http://host",
            std::time::Duration::from_secs(60),
        );
        let now = Utc::now();
        let (task, expires, signature) = parts(&signer.link("task_1", now));
        let longer = (expires.parse::<i64>().unwrap() + 3600).to_string();
        for (task, expires, signature) in [
            ("task_2", expires.as_str(), signature.as_str()),
            (task.as_str(), longer.as_str(), signature.as_str()),
            (task.as_str(), expires.as_str(), "00"),
            (task.as_str(), expires.as_str(), "zz"),
        ] {
            assert_eq!(
                signer.verify(task, Some(expires), Some(signature), now),
                Err(LinkError::Tampered)
            );
        }
        let other = LinkSigner::new(
            b"other".to_vec(),
            "http://host",
            std::time::Duration::from_secs(60),
        );
        assert_eq!(
            other.verify(&task, Some(&expires), Some(&signature), now),
            Err(LinkError::Tampered)
        );
        assert_eq!(
            signer.verify(&task, None, Some(&signature), now),
            Err(LinkError::Tampered)
        );
    }
}
