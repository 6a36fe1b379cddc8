//! API keys over real HTTP: the configured set replaces earlier ones, the
//! development key goes once keys are configured, and the `keys` command adds,
//! lists and revokes keys while the service runs.

mod common;

use std::path::Path;

use common::KEY_A;
use flexprice_api::ListTasksQuery;
use flexprice_api::client::{Client, ClientError};
use server_impl::config::{Command, Config};

const KEY_C: &str = "tenant-c-key-0123456789";

fn config(dir: &Path, args: &[&str]) -> Config {
    use clap::Parser;
    let mut all: Vec<String> = ["server-impl", "--bind", "127.0.0.1:0", "--workers", "0"]
        .map(str::to_owned)
        .into();
    all.extend(common::backend_args(dir));
    all.extend(args.iter().map(|arg| (*arg).to_owned()));
    Config::try_parse_from(all).expect("config")
}

async fn keys(dir: &Path, args: &[&str]) -> Result<String, String> {
    let config = config(dir, &[&["keys"], args].concat());
    let Some(Command::Keys(command)) = &config.command else {
        panic!("not a keys command: {args:?}");
    };
    server_impl::run_keys_command(&config, command)
        .await
        .map_err(|err| err.to_string())
}

/// The status of listing tasks with `key`: 200 or the documented error's.
async fn status(running: &server_impl::Running, key: &str) -> u16 {
    let client = Client::new(format!("http://{}/v1", running.address)).with_api_key(key);
    match client.list_tasks(&ListTasksQuery::default()).await {
        Ok(_) => 200,
        Err(ClientError::Documented { status, .. }) => status,
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_key_dropped_from_the_configuration_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("{KEY_A}=tenant_a/env_prod");
    let c = format!("{KEY_C}=tenant_c/env_prod");
    let running = server_impl::start(&config(dir.path(), &["--api-key", &a, "--api-key", &c]))
        .await
        .unwrap();
    assert_eq!(status(&running, KEY_A).await, 200);
    assert_eq!(status(&running, KEY_C).await, 200);
    running.shutdown().await.unwrap();

    let running = server_impl::start(&config(dir.path(), &["--api-key", &a]))
        .await
        .unwrap();
    assert_eq!(status(&running, KEY_A).await, 200);
    assert_eq!(status(&running, KEY_C).await, 401, "dropped from --api-key");
    running.shutdown().await.unwrap();

    // Without --api-key the stored set stays as it was.
    let running = server_impl::start(&config(dir.path(), &[])).await.unwrap();
    assert!(running.dev_key.is_none());
    assert_eq!(status(&running, KEY_A).await, 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_development_key_goes_once_keys_are_configured() {
    let dir = tempfile::tempdir().unwrap();
    let running = server_impl::start(&config(dir.path(), &[])).await.unwrap();
    let dev_key = running.dev_key.clone().expect("a development key");
    assert_eq!(status(&running, &dev_key).await, 200);
    running.shutdown().await.unwrap();

    let a = format!("{KEY_A}=tenant_a/env_prod");
    let running = server_impl::start(&config(dir.path(), &["--api-key", &a]))
        .await
        .unwrap();
    assert_eq!(status(&running, &dev_key).await, 401);
    assert_eq!(status(&running, KEY_A).await, 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_are_added_listed_and_revoked_while_the_service_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("{KEY_A}=tenant_a/env_prod");
    let running = server_impl::start(&config(dir.path(), &["--api-key", &a]))
        .await
        .unwrap();

    let added = keys(
        dir.path(),
        &["add", "--tenant", "tenant_n", "--environment", "env_x"],
    )
    .await
    .unwrap();
    let key = added.lines().nth(1).expect("the key on its own line");
    assert!(key.starts_with("fp_"), "{added}");
    let id = added.split_whitespace().nth(1).unwrap().to_owned();
    assert_eq!(status(&running, key).await, 200);

    let listed = keys(dir.path(), &["list"]).await.unwrap();
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two keys:\n{listed}");
    assert!(lines[0].starts_with("id"), "{listed}");
    let added_row = lines.iter().find(|line| line.starts_with(&id)).unwrap();
    assert!(added_row.contains("tenant_n/env_x"), "{listed}");
    assert!(added_row.contains("managed"), "{listed}");
    assert!(
        !added_row.ends_with("never"),
        "its use is recorded: {listed}"
    );
    assert!(!listed.contains(key), "the key itself is never listed");
    let configured = lines.iter().find(|line| line.contains("config")).unwrap();
    assert!(configured.ends_with("never"), "{listed}");

    let only = keys(dir.path(), &["list", "--prefix", &id[..5]])
        .await
        .unwrap();
    assert!(only.lines().skip(1).all(|line| line.starts_with(&id[..5])));
    assert!(
        keys(dir.path(), &["list", "--prefix", "xyz%"])
            .await
            .is_err()
    );

    // A restart with --api-key keeps keys from `keys add`.
    running.shutdown().await.unwrap();
    let running = server_impl::start(&config(dir.path(), &["--api-key", &a]))
        .await
        .unwrap();
    assert_eq!(status(&running, key).await, 200);

    assert!(
        keys(dir.path(), &["revoke", "ab"])
            .await
            .unwrap_err()
            .contains("at least 4"),
        "too short an id"
    );
    assert!(
        keys(dir.path(), &["revoke", "no-such-key-at-all"])
            .await
            .is_err()
    );
    let revoked = keys(dir.path(), &["revoke", &id]).await.unwrap();
    assert!(revoked.contains(&id), "{revoked}");
    assert_eq!(status(&running, key).await, 401);
    assert_eq!(status(&running, KEY_A).await, 200);

    // Revoking by the key itself works too, and a revoked key is gone.
    let added = keys(
        dir.path(),
        &["add", "--tenant", "tenant_n", "--environment", "env_x"],
    )
    .await
    .unwrap();
    let second = added.lines().nth(1).unwrap().to_owned();
    assert_eq!(status(&running, &second).await, 200);
    let revoked = keys(dir.path(), &["revoke", &second]).await.unwrap();
    assert!(revoked.contains("tenant_n/env_x"), "{revoked}");
    assert_eq!(status(&running, &second).await, 401);
    assert!(keys(dir.path(), &["revoke", &id]).await.is_err());

    // A configured key would come back at the next start: it is removed from
    // the configuration instead.
    let refused = keys(dir.path(), &["revoke", KEY_A]).await.unwrap_err();
    assert!(refused.contains("--api-key"), "{refused}");
    assert_eq!(status(&running, KEY_A).await, 200);
    running.shutdown().await.unwrap();
}
