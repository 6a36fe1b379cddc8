//! The file store: an import's run stages its file and a resumed run reads
//! that copy; exports and staged copies in an S3-compatible bucket (a real S3
//! protocol server on loopback, when `TASKS_TEST_S3` names one: CI starts
//! moto's server), with download links the bucket presigns.

mod common;

use common::files::Files;
use common::{KEY_A, Service, wait_finished};
use flexprice_api::client::Client;
use flexprice_api::{
    CreateTaskRequest, EntityType, FileType, GetTaskResultQuery, TaskStatus, TaskType,
};

/// The environment variable naming an S3-compatible endpoint for these tests.
const S3_VARIABLE: &str = "TASKS_TEST_S3";

fn task(task_type: TaskType, file_url: &str) -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: EntityType::Customers,
        file_type: FileType::Csv,
        file_url: file_url.to_owned(),
        task_type,
        file_name: Some("customers.csv".to_owned()),
        metadata: None,
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[tokio::test]
async fn a_resumed_import_reads_the_copy_its_run_staged() {
    let files = Files::default();
    files.put("customers.csv", "external_id,name\nc1,Ada\nc2,Grace\n");
    let host = files.clone().serve().await;
    let mut service = Service::start_with(&["--workers", "0", "--allow-import-host", &host]).await;
    let client = service.client(KEY_A);
    let url = format!("http://{host}/files/customers.csv");
    let created = client
        .create_task(&task(TaskType::Import, &url))
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    let run_id = client
        .get_task_result(&GetTaskResultQuery {
            workflow_id: created.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap()
        .into_inner()
        .run_id
        .unwrap();
    // As if an earlier attempt of this run had received the whole file before
    // the file at file_url changed.
    let staged = service.dir.path().join("imports").join(&id).join(&run_id);
    std::fs::create_dir_all(staged.parent().unwrap()).unwrap();
    std::fs::write(&staged, "external_id,name\ns1,One\ns2,Two\ns3,Three\n").unwrap();

    service
        .restart(&["--workers", "1", "--allow-import-host", &host])
        .await;
    let client = service.client(KEY_A);
    let done = wait_finished(&client, &id).await;
    assert_eq!(done.task_status, Some(TaskStatus::Completed), "{done:?}");
    assert_eq!(done.successful_records, Some(3), "the staged copy was read");
    assert_eq!(files.requests.load(std::sync::atomic::Ordering::SeqCst), 0);

    // A run fetches (and stages) its file; the copy goes when the run ends.
    let other = client
        .create_task(&task(TaskType::Import, &url))
        .await
        .unwrap();
    let other = wait_finished(&client, other.id.as_deref().unwrap()).await;
    assert_eq!(other.task_status, Some(TaskStatus::Completed));
    assert_eq!(files.requests.load(std::sync::atomic::Ordering::SeqCst), 1);
    let left = files_under(&service.dir.path().join("imports"));
    assert!(left.is_empty(), "staged copies left behind: {left:?}");
    assert!(
        !service.dir.path().join("imports").join(&id).exists(),
        "nor their directories"
    );
    service.stop().await;
}

#[tokio::test]
async fn exports_and_staged_imports_live_in_an_s3_bucket_with_presigned_links() {
    let Ok(endpoint) = std::env::var(S3_VARIABLE) else {
        eprintln!("not run: {S3_VARIABLE} does not name an S3-compatible endpoint");
        return;
    };
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let bucket = format!(
        "tasks-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let http = reqwest::Client::new();
    let made = http
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "creating the bucket: {made:?}");

    let files = Files::default();
    files.put("customers.csv", "external_id,name\nc1,Ada\nc2,Grace\n");
    let host = files.clone().serve().await;
    let store = format!("s3://{bucket}/tasks");
    let options = format!(
        "endpoint={endpoint},allow_http=true,region=us-east-1,\
         access_key_id=test,secret_access_key=test"
    );
    let service = Service::start_with(&[
        "--allow-import-host",
        &host,
        "--file-store",
        &store,
        "--file-store-option",
        &options,
    ])
    .await;
    let client: Client = service.client(KEY_A);
    let url = format!("http://{host}/files/customers.csv");
    let imported = client
        .create_task(&task(TaskType::Import, &url))
        .await
        .unwrap();
    let imported = wait_finished(&client, imported.id.as_deref().unwrap()).await;
    assert_eq!(imported.successful_records, Some(2), "{imported:?}");

    let export = client
        .create_task(&task(TaskType::Export, "-"))
        .await
        .unwrap();
    let id = export.id.clone().unwrap();
    let export = wait_finished(&client, &id).await;
    assert_eq!(
        export.task_status,
        Some(TaskStatus::Completed),
        "{export:?}"
    );

    let link = client.download_task_export(&id).await.unwrap();
    let link = link["download_url"].clone();
    assert!(
        link.starts_with(&format!("{endpoint}/{bucket}/tasks/exports/{id}.csv?")),
        "{link}"
    );
    assert!(link.contains("X-Amz-Signature="), "presigned: {link}");
    let response = reqwest::get(&link).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"customers.csv\""
    );
    let body = response.text().await.unwrap();
    assert!(body.starts_with("external_id,name,email,"), "{body}");
    assert_eq!(body.lines().count(), 3, "{body}");

    // The bucket holds the export; the import's staged copy is gone.
    let listing = http
        .get(format!("{endpoint}/{bucket}?list-type=2&prefix=tasks/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains(&format!("<Key>tasks/exports/{id}.csv</Key>")),
        "{listing}"
    );
    assert!(!listing.contains("tasks/imports/"), "{listing}");
    service.stop().await;
}
