//! API key management: the configured set installed at start, the development
//! key of a first start, and the `keys` subcommand (add, list, revoke).

use crate::auth;
use crate::config::{ApiKeySpec, KeysCommand};
use crate::domain::{Scope, now};
use crate::store::{KeyOrigin, StoreError, StoredKey, TaskStore};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no stored key matches `{0}`")]
    NotFound(String),
    #[error("`{given}` matches {} keys ({}); give more of the id", .ids.len(), .ids.join(", "))]
    Ambiguous { given: String, ids: Vec<String> },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "key {0} comes from --api-key (TASKS_API_KEYS): remove it there, and it stops working \
         at the next start of each replica"
    )]
    Configured(String),
    #[error("a key id is at least 4 hex digits, as `keys list` shows it; `{0}` is not one")]
    BadId(String),
}

/// What installing the configured keys did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The development key created on this start, if one was.
    pub dev_key: Option<String>,
    /// Keys of earlier starts (configured or development) no longer accepted.
    pub removed: u64,
}

fn stored(key: &str, scope: &Scope, origin: KeyOrigin) -> StoredKey {
    let hash = auth::hash_key(key);
    StoredKey {
        label: format!("api_key:{}", &hash[..8]),
        hash,
        scope: scope.clone(),
        origin,
        hint: hint(key),
        created_at: now(),
        last_used_at: None,
    }
}

/// The first characters of a key: enough to tell keys apart, a quarter of it at most.
fn hint(key: &str) -> String {
    let shown: String = key.chars().take((key.chars().count() / 4).min(8)).collect();
    format!("{shown}…")
}

/// Makes the configured keys, when there are any, the whole set of configured
/// keys: keys dropped from the configuration and the development key stop
/// working. With none configured and none stored, creates a development key.
/// Keys added with `keys add` are kept either way.
pub async fn install<S: TaskStore>(
    store: &S,
    configured: &[ApiKeySpec],
) -> Result<Installed, StoreError> {
    if !configured.is_empty() {
        let keys: Vec<StoredKey> = configured
            .iter()
            .map(|spec| stored(&spec.key, &spec.scope, KeyOrigin::Config))
            .collect();
        let removed = store.replace_configured_keys(&keys).await?;
        return Ok(Installed {
            dev_key: None,
            removed,
        });
    }
    if store.count_api_keys().await? > 0 {
        return Ok(Installed {
            dev_key: None,
            removed: 0,
        });
    }
    let key = auth::new_key("fp_dev_");
    let scope = Scope {
        tenant_id: "tenant_dev".to_owned(),
        environment_id: "env_dev".to_owned(),
    };
    store
        .put_api_key(&stored(&key, &scope, KeyOrigin::Dev))
        .await?;
    Ok(Installed {
        dev_key: Some(key),
        removed: 0,
    })
}

/// Creates a key for `scope`; returns the key (shown once, stored hashed).
pub async fn add<S: TaskStore>(
    store: &S,
    scope: &Scope,
) -> Result<(String, StoredKey), StoreError> {
    let key = auth::new_key("fp_");
    let entry = stored(&key, scope, KeyOrigin::Managed);
    store.put_api_key(&entry).await?;
    Ok((key, entry))
}

/// Keys whose id starts with `prefix` (all for an empty one).
pub async fn list<S: TaskStore>(store: &S, prefix: &str) -> Result<Vec<StoredKey>, KeyError> {
    if !prefix.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(KeyError::BadId(prefix.to_owned()));
    }
    Ok(store.api_keys_with_prefix(prefix).await?)
}

/// Removes the key given by itself or by its id (at least 4 digits of it,
/// matching one key only).
pub async fn revoke<S: TaskStore>(store: &S, which: &str) -> Result<StoredKey, KeyError> {
    let hash = auth::hash_key(which);
    let as_key = store.api_keys_with_prefix(&hash[..8]).await?;
    if let Some(key) = as_key.into_iter().find(|key| key.hash == hash) {
        return delete(store, key).await;
    }
    if which.len() < 4 || !which.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(KeyError::BadId(which.to_owned()));
    }
    let mut matches = store.api_keys_with_prefix(which).await?;
    match matches.len() {
        0 => Err(KeyError::NotFound(which.to_owned())),
        1 => delete(store, matches.remove(0)).await,
        _ => Err(KeyError::Ambiguous {
            given: which.to_owned(),
            ids: matches.iter().map(|key| key.id().to_owned()).collect(),
        }),
    }
}

/// Removes a key, unless the configuration would bring it back at the next start.
async fn delete<S: TaskStore>(store: &S, key: StoredKey) -> Result<StoredKey, KeyError> {
    if key.origin == KeyOrigin::Config {
        return Err(KeyError::Configured(key.id().to_owned()));
    }
    store.delete_api_key(&key.hash).await?;
    Ok(key)
}

/// Keys as a table for `keys list`.
pub fn table(keys: &[StoredKey]) -> String {
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "never".to_owned())
    };
    let rows: Vec<[String; 6]> = keys
        .iter()
        .map(|key| {
            [
                key.id().to_owned(),
                key.hint.clone(),
                format!("{}/{}", key.scope.tenant_id, key.scope.environment_id),
                key.origin.as_str().to_owned(),
                time(Some(key.created_at)),
                time(key.last_used_at),
            ]
        })
        .collect();
    let header = ["id", "key", "scope", "origin", "created", "last used"].map(str::to_owned);
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Runs a `keys` command; returns what it prints.
pub async fn run<S: TaskStore>(store: &S, command: &KeysCommand) -> Result<String, KeyError> {
    Ok(match command {
        KeysCommand::Add {
            tenant,
            environment,
        } => {
            let scope = Scope {
                tenant_id: tenant.trim().to_owned(),
                environment_id: environment.trim().to_owned(),
            };
            if scope.tenant_id.is_empty() || scope.environment_id.is_empty() {
                return Err(KeyError::Invalid(
                    "tenant and environment must not be empty".to_owned(),
                ));
            }
            let (key, stored) = add(store, &scope).await?;
            format!(
                "key {} for {}/{}, shown once:\n{key}\n",
                stored.id(),
                scope.tenant_id,
                scope.environment_id
            )
        }
        KeysCommand::List { prefix } => table(&list(store, prefix).await?),
        KeysCommand::Revoke { key } => {
            let revoked = revoke(store, key).await?;
            format!(
                "revoked key {} ({}, {}/{})\n",
                revoked.id(),
                revoked.hint,
                revoked.scope.tenant_id,
                revoked.scope.environment_id
            )
        }
    })
}
