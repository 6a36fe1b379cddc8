//! The Tasks API over real HTTP on loopback, driven with the generated client.
//! These services run no background worker, so tasks stay where the API puts
//! them; `work.rs` covers processing.

mod common;

use common::{KEY_A, KEY_A_STAGING, KEY_B, Service, config, documented};
use flexprice_api::client::{Client, ClientError};
use flexprice_api::{
    CreateTaskRequest, EntityType, ErrorCode, FileType, GetTaskResultQuery, ListTasksOrder,
    ListTasksQuery, TaskStatus, TaskType, UpdateTaskStatusRequest,
};
use server_impl::config::Config;

fn export(entity: EntityType) -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: entity,
        file_type: FileType::Csv,
        file_url: "  https://example.com/exports/out.csv  ".to_owned(),
        task_type: TaskType::Export,
        file_name: Some("out.csv".to_owned()),
        metadata: None,
    }
}

fn import(url: &str) -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: EntityType::Events,
        file_type: FileType::Csv,
        file_url: url.to_owned(),
        task_type: TaskType::Import,
        file_name: None,
        metadata: None,
    }
}

#[tokio::test]
async fn create_get_and_the_result_of_a_new_task() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    let task = client
        .create_task(&export(EntityType::Customers))
        .await
        .expect("create");
    assert_eq!(task.status(), 202, "the client keeps the status");
    let id = task.id.clone().expect("id");
    assert!(id.starts_with("task_") && id.len() == 31, "{id}");
    assert_eq!(task.task_status, Some(TaskStatus::Pending));
    assert_eq!(
        task.file_url.as_deref(),
        Some("https://example.com/exports/out.csv")
    );
    assert_eq!(task.tenant_id.as_deref(), Some("tenant_a"));
    assert_eq!(task.environment_id.as_deref(), Some("env_prod"));

    let fetched = client.get_task(&id).await.expect("get").into_inner();
    assert_eq!(fetched, *task);

    let workflow_id = task.workflow_id.clone().expect("workflow id");
    let result = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: workflow_id.clone(),
        })
        .await
        .expect("result")
        .into_inner();
    assert_eq!(result.workflow_id.as_deref(), Some(workflow_id.as_str()));
    assert!(result.run_id.expect("run id").starts_with("run_"));
    assert_eq!(
        result.message.as_deref(),
        Some("export of customers is queued")
    );

    let missing = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: "wf_nope".to_owned(),
        })
        .await;
    assert_eq!(documented(missing, 404).code, Some(ErrorCode::NotFound));
    let missing = client.get_task("task_nope").await;
    assert_eq!(documented(missing, 404).code, Some(ErrorCode::NotFound));
    service.stop().await;
}

#[tokio::test]
async fn status_transitions_follow_the_rules_and_stamp_times() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    let id = client
        .create_task(&export(EntityType::Events))
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let set = |status| UpdateTaskStatusRequest {
        task_status: status,
    };

    let illegal = client
        .update_task_status(&id, &set(TaskStatus::Completed))
        .await;
    let body = documented(illegal, 400);
    assert_eq!(body.code, Some(ErrorCode::Validation));
    assert!(
        body.message
            .as_deref()
            .unwrap()
            .contains("from PENDING to COMPLETED"),
        "{body:?}"
    );

    client
        .update_task_status(&id, &set(TaskStatus::Processing))
        .await
        .expect("to processing");
    let task = client.get_task(&id).await.unwrap();
    assert_eq!(task.task_status, Some(TaskStatus::Processing));
    assert!(task.started_at.is_some() && task.completed_at.is_none());

    client
        .update_task_status(&id, &set(TaskStatus::Failed))
        .await
        .expect("to failed");
    let failed = client.get_task(&id).await.unwrap();
    assert!(failed.failed_at.is_some());
    let first_run = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: failed.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap()
        .into_inner()
        .run_id;

    client
        .update_task_status(&id, &set(TaskStatus::Processing))
        .await
        .expect("retry");
    let retried = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: failed.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap();
    assert_ne!(retried.run_id, first_run, "a retry starts a new run");

    client
        .update_task_status(&id, &set(TaskStatus::Completed))
        .await
        .expect("to completed");
    let done = client.get_task(&id).await.unwrap();
    assert!(done.completed_at.is_some());
    let again = client
        .update_task_status(&id, &set(TaskStatus::Processing))
        .await;
    assert!(
        documented(again, 400)
            .message
            .unwrap()
            .contains("from COMPLETED to PROCESSING")
    );

    let missing = client
        .update_task_status("task_nope", &set(TaskStatus::Processing))
        .await;
    documented(missing, 404);
    service.stop().await;
}

#[tokio::test]
async fn lists_filter_sort_and_page() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    let mut ids = Vec::new();
    for entity in [
        EntityType::Events,
        EntityType::Customers,
        EntityType::Events,
    ] {
        ids.push(
            client
                .create_task(&export(entity))
                .await
                .unwrap()
                .into_inner()
                .id
                .unwrap(),
        );
    }
    client
        .update_task_status(
            &ids[0],
            &UpdateTaskStatusRequest {
                task_status: TaskStatus::Processing,
            },
        )
        .await
        .unwrap();

    let all = client
        .list_tasks(&ListTasksQuery::default())
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<String> = all
        .items
        .unwrap()
        .into_iter()
        .map(|t| t.id.unwrap())
        .collect();
    assert_eq!(
        listed,
        [ids[2].clone(), ids[1].clone(), ids[0].clone()],
        "newest first by default"
    );
    assert_eq!(all.pagination.unwrap().limit, Some(50));

    let events = client
        .list_tasks(&ListTasksQuery {
            entity_type: Some(EntityType::Events),
            order: Some(ListTasksOrder::Asc),
            limit: Some(1),
            ..ListTasksQuery::default()
        })
        .await
        .unwrap()
        .into_inner();
    let pagination = events.pagination.unwrap();
    assert_eq!(
        (pagination.total, pagination.limit, pagination.offset),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(
        events.items.unwrap()[0].id.as_deref(),
        Some(ids[0].as_str())
    );

    let processing = client
        .list_tasks(&ListTasksQuery {
            task_status: Some(TaskStatus::Processing),
            ..ListTasksQuery::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(processing.pagination.unwrap().total, Some(1));

    let bad_sort = client
        .list_tasks(&ListTasksQuery {
            sort: Some("file_url".to_owned()),
            ..ListTasksQuery::default()
        })
        .await;
    assert!(
        documented(bad_sort, 400)
            .message
            .unwrap()
            .contains("sort `file_url`")
    );
    let by_start = client
        .list_tasks(&ListTasksQuery {
            sort: Some("started_at".to_owned()),
            ..ListTasksQuery::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        by_start.items.unwrap()[0].id.as_deref(),
        Some(ids[0].as_str()),
        "nulls last"
    );
    service.stop().await;
}

#[tokio::test]
async fn tenants_and_environments_do_not_see_each_other() {
    let service = Service::start().await;
    let a = service.client(KEY_A);
    let task = a
        .create_task(&export(EntityType::Features))
        .await
        .unwrap()
        .into_inner();
    let id = task.id.unwrap();
    let workflow_id = task.workflow_id.unwrap();

    for other in [service.client(KEY_B), service.client(KEY_A_STAGING)] {
        documented(other.get_task(&id).await, 404);
        documented(other.download_task_export(&id).await, 404);
        documented(
            other
                .update_task_status(
                    &id,
                    &UpdateTaskStatusRequest {
                        task_status: TaskStatus::Processing,
                    },
                )
                .await,
            404,
        );
        documented(
            other
                .get_task_result(&GetTaskResultQuery {
                    workflow_id: workflow_id.clone(),
                })
                .await,
            404,
        );
        let list = other
            .list_tasks(&ListTasksQuery::default())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(list.pagination.unwrap().total, Some(0));
    }
    assert_eq!(
        a.get_task(&id).await.unwrap().into_inner().task_status,
        Some(TaskStatus::Pending)
    );

    let anonymous = Client::new(&service.base).get_task(&id).await;
    assert_eq!(
        documented(anonymous, 401).code,
        Some(ErrorCode::PermissionDenied),
        "a documented 401"
    );
    let wrong = service.client("not-a-real-key-at-all").get_task(&id).await;
    assert!(
        matches!(wrong, Err(ClientError::Documented { status: 401, .. })),
        "{wrong:?}"
    );
    service.stop().await;
}

#[tokio::test]
async fn import_urls_that_could_reach_inside_are_refused() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    for url in [
        "",
        "   ",
        "http://example.com/a.csv",
        "file:///etc/passwd",
        "https://127.0.0.1/a.csv",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/a.csv",
        "https://user:pass@example.com/a.csv",
        "https://localhost/a.csv",
        // IPv6 forms that embed a loopback IPv4 address, and Teredo.
        "https://[::127.0.0.1]/a.csv",
        "https://[::ffff:0:7f00:1]/a.csv",
        "https://[64:ff9b::7f00:1]/a.csv",
        "https://[2002:7f00:1::]/a.csv",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.csv",
        "https://[2001:db8::1]/a.csv",
    ] {
        let body = documented(client.create_task(&import(url)).await, 400);
        assert_eq!(body.code, Some(ErrorCode::Validation), "{url}");
        assert!(body.message.unwrap().contains("file_url"), "{url}");
    }
    let list = client
        .list_tasks(&ListTasksQuery::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        list.pagination.unwrap().total,
        Some(0),
        "nothing was stored"
    );
    service.stop().await;
}

#[tokio::test]
async fn downloads_are_only_for_completed_exports() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    let export_id = client
        .create_task(&export(EntityType::Prices))
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    let body = documented(client.download_task_export(&export_id).await, 400);
    assert!(body.message.unwrap().contains("not COMPLETED"));
    service.stop().await;
}

#[tokio::test]
async fn tasks_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let running = server_impl::start(&config(dir.path().to_path_buf(), &["--workers", "0"]))
        .await
        .unwrap();
    let base = format!("http://{}/v1", running.address);
    let id = Client::new(&base)
        .with_api_key(KEY_A)
        .create_task(&export(EntityType::Events))
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    running.shutdown().await.unwrap();

    let running = server_impl::start(&config(dir.path().to_path_buf(), &["--workers", "0"]))
        .await
        .unwrap();
    let base = format!("http://{}/v1", running.address);
    let task = Client::new(&base)
        .with_api_key(KEY_A)
        .get_task(&id)
        .await
        .unwrap();
    assert_eq!(task.id.as_deref(), Some(id.as_str()));
    assert!(
        running.dev_key.is_none(),
        "configured keys mean no development key"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_first_start_without_keys_creates_a_development_key() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "server-impl".to_owned(),
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
    ];
    args.extend(common::backend_args(dir.path()));
    let config = Config::try_parse_from(args).unwrap();
    let running = server_impl::start(&config).await.unwrap();
    let key = running.dev_key.clone().expect("a development key");
    let base = format!("http://{}/v1", running.address);
    let task = Client::new(&base)
        .with_api_key(&key)
        .create_task(&export(EntityType::Events))
        .await
        .unwrap();
    assert_eq!(task.tenant_id.as_deref(), Some("tenant_dev"));
    running.shutdown().await.unwrap();

    let running = server_impl::start(&config).await.unwrap();
    assert!(running.dev_key.is_none(), "the key is created once");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn nul_characters_are_refused_or_match_nothing() {
    let service = Service::start().await;
    let client = service.client(KEY_A);
    documented(client.get_task("task_\u{0}x").await, 404);
    let mut request = export(EntityType::Events);
    request.file_name = Some("out\u{0}.csv".to_owned());
    let body = documented(client.create_task(&request).await, 400);
    assert!(body.message.unwrap().contains("file_name"));
    let list = client
        .list_tasks(&ListTasksQuery {
            created_by: Some("api_key\u{0}".to_owned()),
            ..ListTasksQuery::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.pagination.unwrap().total, Some(0));
    service.stop().await;
}
