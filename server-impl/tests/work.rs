//! Processing over real HTTP on loopback: imports fetched from a local file
//! server (allow-listed, as the README says to do in development), exports,
//! signed download links, retries, and a restart in the middle of an import.

mod common;

use std::sync::atomic::Ordering;

use axum::http::header;
use common::files::Files;
use common::{KEY_A, KEY_B, Service, documented, wait_finished, wait_until};
use flexprice_api::client::Client;
use flexprice_api::{
    CreateTaskRequest, EntityType, ErrorCode, ErrorResponse, FileType, TaskResponse, TaskStatus,
    TaskType, UpdateTaskStatusRequest,
};
use serde_json::{Value, json};

fn task(
    task_type: TaskType,
    entity: EntityType,
    file_type: FileType,
    url: &str,
) -> CreateTaskRequest {
    CreateTaskRequest {
        entity_type: entity,
        file_type,
        file_url: url.to_owned(),
        task_type,
        file_name: None,
        metadata: None,
    }
}

fn counts(task: &TaskResponse) -> (Option<i64>, Option<i64>, Option<i64>, Option<i64>) {
    (
        task.total_records,
        task.processed_records,
        task.successful_records,
        task.failed_records,
    )
}

/// Starts a task and waits for it to finish.
async fn run(client: &Client, request: &CreateTaskRequest) -> TaskResponse {
    let created = client.create_task(request).await.expect("create");
    wait_finished(client, created.id.as_deref().unwrap()).await
}

/// The records of an export file, as JSON objects without empty values.
fn exported_records(file_type: FileType, content: &str) -> Value {
    match file_type {
        FileType::Json => serde_json::from_str(content).expect("JSON export"),
        FileType::Csv => {
            let mut reader = csv::Reader::from_reader(content.as_bytes());
            let header = reader.headers().unwrap().clone();
            let rows = reader.records().map(|row| {
                let row = row.unwrap();
                let object: serde_json::Map<String, Value> = header
                    .iter()
                    .zip(row.iter())
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(name, value)| {
                        let value = match name {
                            "properties" => serde_json::from_str(value).unwrap(),
                            "billing_period_count" => json!(value.parse::<i64>().unwrap()),
                            _ => json!(value),
                        };
                        (name.to_owned(), value)
                    })
                    .collect();
                Value::Object(object)
            });
            Value::Array(rows.collect())
        }
    }
}

/// Asks for a download link and fetches it.
async fn download(client: &Client, id: &str) -> (String, reqwest::Response) {
    let link = client
        .download_task_export(id)
        .await
        .expect("download link");
    let url = link["download_url"].clone();
    let response = reqwest::get(&url).await.expect("fetch the link");
    (url, response)
}

struct Case {
    entity: EntityType,
    csv: &'static str,
    json: &'static str,
    /// (total, successful, failed)
    counts: (i64, i64, i64),
    summary: &'static str,
    exported: Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            entity: EntityType::Events,
            csv: "event_id,event_name,external_customer_id,timestamp,source,properties.region,properties\n\
                  evt_1,api_call,cust_1,2025-03-01T10:00:00Z,sdk,eu,\"{\"\"tokens\"\": 5}\"\n\
                  evt_2,api_call,,2025-03-01T10:01:00Z,sdk,us,\n\
                  evt_3,storage,cust_2,yesterday,,,\n\
                  evt_4, storage ,cust_2,2025-03-01T10:02:00.5+01:00,,,\"{\"\"gb\"\": 1.5}\"\n\
                  evt_1,api_call,cust_1,2025-03-01T10:00:00Z,sdk,eu,\n",
            json: r#"[
                {"event_id": "evt_1", "event_name": "api_call", "external_customer_id": "cust_1",
                 "timestamp": "2025-03-01T10:00:00Z", "source": "sdk", "properties.region": "eu",
                 "properties": {"tokens": 5}},
                {"event_id": "evt_2", "event_name": "api_call", "timestamp": "2025-03-01T10:01:00Z",
                 "source": "sdk", "properties.region": "us"},
                {"event_id": "evt_3", "event_name": "storage", "external_customer_id": "cust_2",
                 "timestamp": "yesterday"},
                {"event_id": "evt_4", "event_name": " storage ", "external_customer_id": "cust_2",
                 "timestamp": "2025-03-01T10:02:00.5+01:00", "properties": {"gb": 1.5}},
                {"event_id": "evt_1", "event_name": "api_call", "external_customer_id": "cust_1",
                 "timestamp": "2025-03-01T10:00:00Z", "source": "sdk", "properties.region": "eu"}
            ]"#,
            counts: (5, 2, 3),
            summary: "Record 2: external_customer_id is required\n\
                      Record 3: timestamp must be an RFC 3339 time, not yesterday\n\
                      Record 5: an event with event_id evt_1 already exists",
            exported: json!([
                {"event_id": "evt_1", "event_name": "api_call", "external_customer_id": "cust_1",
                 "timestamp": "2025-03-01T10:00:00.000000Z", "source": "sdk",
                 "properties": {"tokens": 5, "region": "eu"}},
                {"event_id": "evt_4", "event_name": "storage", "external_customer_id": "cust_2",
                 "timestamp": "2025-03-01T09:02:00.500000Z", "properties": {"gb": 1.5}}
            ]),
        },
        Case {
            entity: EntityType::Customers,
            csv: "external_id,name,email,address_line1,address_city,address_postal_code,address_country\n\
                  cust_1,Ada Lovelace,ada@example.com,12 St James's Square,London,SW1Y 4JH,GB\n\
                  cust_2,\"Hopper, Grace\",grace@example.com,,Arlington,,US\n\
                  cust_3,,nobody@example.com,,,,\n\
                  cust_4,Bad Mail,not-an-email,,,,\n\
                  cust_1,Ada Again,,,,,\n",
            json: r#"[
                {"external_id": "cust_1", "name": "Ada Lovelace", "email": "ada@example.com",
                 "address_line1": "12 St James's Square", "address_city": "London",
                 "address_postal_code": "SW1Y 4JH", "address_country": "GB"},
                {"external_id": "cust_2", "name": "Hopper, Grace", "email": "grace@example.com",
                 "address_city": "Arlington", "address_country": "US"},
                {"external_id": "cust_3", "name": "", "email": "nobody@example.com"},
                {"external_id": "cust_4", "name": "Bad Mail", "email": "not-an-email"},
                {"external_id": "cust_1", "name": "Ada Again"}
            ]"#,
            counts: (5, 2, 3),
            summary: "Record 3: name is required\n\
                      Record 4: email not-an-email is not a valid address\n\
                      Record 5: a customer with external_id cust_1 already exists",
            exported: json!([
                {"external_id": "cust_1", "name": "Ada Lovelace", "email": "ada@example.com",
                 "address_line1": "12 St James's Square", "address_city": "London",
                 "address_postal_code": "SW1Y 4JH", "address_country": "GB"},
                {"external_id": "cust_2", "name": "Hopper, Grace", "email": "grace@example.com",
                 "address_city": "Arlington", "address_country": "US"}
            ]),
        },
        Case {
            entity: EntityType::Features,
            csv: "name,type,lookup_key,unit_singular,unit_plural,event_name,aggregation_type,aggregation_field\n\
                  API calls,metered,api-calls,call,calls,api_call,COUNT,\n\
                  Storage,metered,storage,GB,GB,storage,sum,gb\n\
                  Seats,static,seats,,,,,\n\
                  Broken,metered,broken,,,,,\n\
                  Gauge,gauge,gauge,,,,,\n",
            json: r#"[
                {"name": "API calls", "type": "metered", "lookup_key": "api-calls",
                 "unit_singular": "call", "unit_plural": "calls", "event_name": "api_call",
                 "aggregation_type": "COUNT"},
                {"name": "Storage", "type": "metered", "lookup_key": "storage", "unit_singular": "GB",
                 "unit_plural": "GB", "event_name": "storage", "aggregation_type": "sum",
                 "aggregation_field": "gb"},
                {"name": "Seats", "type": "static", "lookup_key": "seats"},
                {"name": "Broken", "type": "metered", "lookup_key": "broken"},
                {"name": "Gauge", "type": "gauge", "lookup_key": "gauge"}
            ]"#,
            counts: (5, 3, 2),
            summary: "Record 4: event_name is required for a metered feature\n\
                      Record 5: type must be one of metered, boolean, static, not gauge",
            exported: json!([
                {"name": "API calls", "type": "metered", "lookup_key": "api-calls",
                 "unit_singular": "call", "unit_plural": "calls", "event_name": "api_call",
                 "aggregation_type": "COUNT"},
                {"name": "Storage", "type": "metered", "lookup_key": "storage", "unit_singular": "GB",
                 "unit_plural": "GB", "event_name": "storage", "aggregation_type": "SUM",
                 "aggregation_field": "gb"},
                {"name": "Seats", "type": "static", "lookup_key": "seats"}
            ]),
        },
        Case {
            entity: EntityType::Prices,
            csv: "amount,currency,type,billing_period,billing_period_count,billing_model,lookup_key,description,display_name\n\
                  10.00,usd,FIXED,MONTHLY,1,FLAT_FEE,basic-monthly,Basic plan,Basic\n\
                  0.002,USD,usage,MONTHLY,1,FLAT_FEE,api-usage,,Per call\n\
                  12,XXY,FIXED,ANNUAL,1,FLAT_FEE,bad-currency,,\n\
                  abc,EUR,FIXED,ANNUAL,1,FLAT_FEE,bad-amount,,\n\
                  5,EUR,FIXED,FORTNIGHTLY,1,FLAT_FEE,bad-period,,\n",
            json: r#"[
                {"amount": "10.00", "currency": "usd", "type": "FIXED", "billing_period": "MONTHLY",
                 "billing_period_count": 1, "billing_model": "FLAT_FEE", "lookup_key": "basic-monthly",
                 "description": "Basic plan", "display_name": "Basic"},
                {"amount": 0.002, "currency": "USD", "type": "usage", "billing_period": "MONTHLY",
                 "billing_period_count": "1", "billing_model": "FLAT_FEE", "lookup_key": "api-usage",
                 "display_name": "Per call"},
                {"amount": 12, "currency": "XXY", "type": "FIXED", "lookup_key": "bad-currency"},
                {"amount": "abc", "currency": "EUR", "lookup_key": "bad-amount"},
                {"amount": 5, "currency": "EUR", "billing_period": "FORTNIGHTLY", "lookup_key": "bad-period"}
            ]"#,
            counts: (5, 2, 3),
            summary: "Record 3: currency XXY is not an ISO 4217 code\n\
                      Record 4: amount must be a non-negative decimal number, not abc\n\
                      Record 5: billing_period must be one of MONTHLY, ANNUAL, WEEKLY, DAILY, \
                      QUARTERLY, HALF_YEARLY, ONETIME, not FORTNIGHTLY",
            exported: json!([
                {"amount": "10.00", "currency": "USD", "type": "FIXED", "billing_period": "MONTHLY",
                 "billing_period_count": 1, "billing_model": "FLAT_FEE", "lookup_key": "basic-monthly",
                 "description": "Basic plan", "display_name": "Basic"},
                {"amount": "0.002", "currency": "USD", "type": "USAGE", "billing_period": "MONTHLY",
                 "billing_period_count": 1, "billing_model": "FLAT_FEE", "lookup_key": "api-usage",
                 "display_name": "Per call"}
            ]),
        },
    ]
}

#[tokio::test]
async fn imports_of_each_entity_and_format_count_bad_records_and_export_the_rest() {
    let files = Files::default();
    for case in cases() {
        let name = case.entity.as_str().to_lowercase();
        files.put(&format!("{name}.csv"), case.csv);
        files.put(&format!("{name}.json"), case.json);
    }
    let host = files.clone().serve().await;
    let service = Service::start_with(&["--allow-import-host", &host]).await;
    // CSV into tenant A, JSON into tenant B: the same records, the same verdicts.
    for (key, file_type) in [(KEY_A, FileType::Csv), (KEY_B, FileType::Json)] {
        let client = service.client(key);
        let extension = if file_type == FileType::Csv {
            "csv"
        } else {
            "json"
        };
        for case in cases() {
            let name = case.entity.as_str().to_lowercase();
            let url = format!("http://{host}/stream/{name}.{extension}");
            let label = format!("{name}.{extension}");
            let done = run(
                &client,
                &task(TaskType::Import, case.entity, file_type, &url),
            )
            .await;
            assert_eq!(
                done.task_status,
                Some(TaskStatus::Completed),
                "{label}: {done:?}"
            );
            let (total, successful, failed) = case.counts;
            assert_eq!(
                counts(&done),
                (Some(total), Some(total), Some(successful), Some(failed)),
                "{label}"
            );
            assert_eq!(done.error_summary.as_deref(), Some(case.summary), "{label}");
            assert!(
                done.started_at.is_some() && done.completed_at.is_some(),
                "{label}"
            );

            let result = client
                .get_task_result(&flexprice_api::GetTaskResultQuery {
                    workflow_id: done.workflow_id.clone().unwrap(),
                })
                .await
                .unwrap();
            assert_eq!(
                result.message.as_deref(),
                Some(format!(
                    "import of {name} completed: {successful} of {total} records succeeded, {failed} failed"
                ).as_str()),
                "{label}"
            );

            let export = run(
                &client,
                &task(TaskType::Export, case.entity, file_type, "-"),
            )
            .await;
            assert_eq!(
                export.task_status,
                Some(TaskStatus::Completed),
                "{label}: {export:?}"
            );
            assert_eq!(
                counts(&export),
                (
                    Some(successful),
                    Some(successful),
                    Some(successful),
                    Some(0)
                ),
                "{label}"
            );
            let file_name = export.file_name.clone().unwrap();
            assert_eq!(
                file_name,
                format!("{name}-{}.{extension}", export.id.as_deref().unwrap())
            );
            let (_, response) = download(&client, export.id.as_deref().unwrap()).await;
            assert_eq!(response.status(), 200, "{label}");
            assert_eq!(
                response.headers()[header::CONTENT_DISPOSITION],
                format!("attachment; filename=\"{file_name}\"").as_str()
            );
            let content = response.text().await.unwrap();
            assert_eq!(
                exported_records(file_type, &content),
                case.exported,
                "{label}: the export gives back the imported records"
            );
        }
    }
    service.stop().await;
}

#[tokio::test]
async fn unreadable_files_fail_the_task_with_the_reason_and_a_retry_runs_again() {
    let files = Files::default();
    files.put(
        "image.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".to_vec(),
    );
    files.put("object.json", r#"{"events": []}"#);
    files.put(
        "big.csv",
        format!("external_id,name\n{}", "c,n\n".repeat(1000)),
    );
    files.put("no-columns.csv", "external_id,title\n1,x\n");
    let host = files.clone().serve().await;
    let service =
        Service::start_with(&["--allow-import-host", &host, "--import-max-bytes", "2000"]).await;
    let client = service.client(KEY_A);
    let url = |path: &str| format!("http://{host}{path}");
    let expectations = [
        (
            "/files/image.csv",
            FileType::Csv,
            "the file is not CSV text (it is not valid UTF-8)".to_owned(),
        ),
        (
            "/files/object.json",
            FileType::Json,
            "the file holds one JSON object; an import needs an array of objects".to_owned(),
        ),
        (
            "/files/missing.csv",
            FileType::Csv,
            "file_url answered 404 Not Found".to_owned(),
        ),
        (
            "/files/big.csv",
            FileType::Csv,
            "the file is larger than the import limit of 2000 bytes".to_owned(),
        ),
        (
            "/stream/big.csv",
            FileType::Csv,
            "the file is larger than the import limit of 2000 bytes".to_owned(),
        ),
        (
            "/redirect",
            FileType::Csv,
            "file_url answered 302 Found (a redirect); redirects are not followed".to_owned(),
        ),
        (
            "/files/no-columns.csv",
            FileType::Csv,
            "the CSV header lacks required columns: name".to_owned(),
        ),
    ];
    for (path, file_type, reason) in expectations {
        let done = run(
            &client,
            &task(
                TaskType::Import,
                EntityType::Customers,
                file_type,
                &url(path),
            ),
        )
        .await;
        assert_eq!(
            done.task_status,
            Some(TaskStatus::Failed),
            "{path}: {done:?}"
        );
        assert!(done.failed_at.is_some(), "{path}");
        let summary = done.error_summary.clone().unwrap_or_default();
        assert_eq!(
            summary.lines().next(),
            Some(reason.as_str()),
            "{path}: {summary}"
        );
        let result = client
            .get_task_result(&flexprice_api::GetTaskResultQuery {
                workflow_id: done.workflow_id.clone().unwrap(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            result
                .message
                .unwrap()
                .starts_with(&format!("import of customers failed: {reason}")),
            "{path}"
        );
    }

    // The file appears; a retry (FAILED → PROCESSING) runs the import again, in a new run.
    let failed = run(
        &client,
        &task(
            TaskType::Import,
            EntityType::Customers,
            FileType::Csv,
            &url("/files/later.csv"),
        ),
    )
    .await;
    assert_eq!(failed.task_status, Some(TaskStatus::Failed));
    let first_run = client
        .get_task_result(&flexprice_api::GetTaskResultQuery {
            workflow_id: failed.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap()
        .into_inner()
        .run_id;
    files.put("later.csv", "external_id,name\nc1,Ada\nc2,\n");
    let id = failed.id.clone().unwrap();
    client
        .update_task_status(
            &id,
            &UpdateTaskStatusRequest {
                task_status: TaskStatus::Processing,
            },
        )
        .await
        .unwrap();
    let done = wait_until(&client, &id, |t| {
        t.task_status == Some(TaskStatus::Completed)
    })
    .await;
    assert_eq!(counts(&done), (Some(2), Some(2), Some(1), Some(1)));
    assert_eq!(
        done.error_summary.as_deref(),
        Some("Record 2: name is required")
    );
    let second_run = client
        .get_task_result(&flexprice_api::GetTaskResultQuery {
            workflow_id: done.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap()
        .into_inner()
        .run_id;
    assert_ne!(first_run, second_run);
    service.stop().await;
}

#[tokio::test]
async fn a_file_failing_midway_keeps_the_records_stored_before_and_says_how_many() {
    let customers: Vec<String> = (1..=2600)
        .map(|n| format!(r#"{{"external_id":"c{n}","name":"Customer {n}"}}"#))
        .collect();
    let whole = format!("[{}]", customers.join(","));
    // Cut inside record 2501: chunks of 1000 are committed as they are read.
    let cut = whole.find(r#"{"external_id":"c2501""#).unwrap() + 10;
    let files = Files::default();
    files.put("customers.json", &whole.as_bytes()[..cut]);
    let host = files.clone().serve().await;
    let service = Service::start_with(&["--allow-import-host", &host]).await;
    let client = service.client(KEY_A);
    let url = format!("http://{host}/stream/customers.json");
    let failed = run(
        &client,
        &task(
            TaskType::Import,
            EntityType::Customers,
            FileType::Json,
            &url,
        ),
    )
    .await;
    assert_eq!(failed.task_status, Some(TaskStatus::Failed), "{failed:?}");
    assert_eq!(failed.successful_records, Some(2000), "{failed:?}");
    let summary = failed.error_summary.clone().unwrap();
    let mut lines = summary.lines();
    assert!(lines.next().unwrap().contains("JSON"), "{summary}");
    assert_eq!(
        lines.next(),
        Some(
            "2000 records read before the failure were stored and are kept; \
             a retry stores the rest without repeating them"
        ),
        "{summary}"
    );
    let result = client
        .get_task_result(&flexprice_api::GetTaskResultQuery {
            workflow_id: failed.workflow_id.clone().unwrap(),
        })
        .await
        .unwrap()
        .into_inner();
    let message = result.message.unwrap();
    assert!(
        message.starts_with(
            "import of customers failed (2000 of 2000 records read were stored and are kept): "
        ),
        "{message}"
    );

    // What was kept is what an export holds.
    let export = run(
        &client,
        &task(TaskType::Export, EntityType::Customers, FileType::Json, "-"),
    )
    .await;
    let (url, response) = download(&client, export.id.as_deref().unwrap()).await;
    let text = response.text().await.unwrap();
    let exported = exported_records(FileType::Json, &text);
    assert_eq!(exported.as_array().unwrap().len(), 2000);
    // The file is served from disk as it is read: a range of it too.
    let part = reqwest::Client::new()
        .get(&url)
        .header(header::RANGE, "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.text().await.unwrap(), text[..10]);

    // The whole file appears; a retry stores the other 600, none twice.
    files.put("customers.json", whole);
    let id = failed.id.clone().unwrap();
    client
        .update_task_status(
            &id,
            &UpdateTaskStatusRequest {
                task_status: TaskStatus::Processing,
            },
        )
        .await
        .unwrap();
    let done = wait_until(&client, &id, |t| {
        t.task_status == Some(TaskStatus::Completed)
    })
    .await;
    assert_eq!(counts(&done), (Some(2600), Some(2600), Some(2600), Some(0)));
    let export = run(
        &client,
        &task(TaskType::Export, EntityType::Customers, FileType::Json, "-"),
    )
    .await;
    let (_, response) = download(&client, export.id.as_deref().unwrap()).await;
    let exported = exported_records(FileType::Json, &response.text().await.unwrap());
    let ids: std::collections::BTreeSet<&str> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["external_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        (exported.as_array().unwrap().len(), ids.len()),
        (2600, 2600)
    );
    service.stop().await;
}

#[tokio::test]
async fn a_record_with_a_nul_character_fails_alone() {
    let files = Files::default();
    files.put("customers.csv", "external_id,name\nc1,A\u{0}da\nc2,Grace\n");
    let host = files.clone().serve().await;
    let service = Service::start_with(&["--allow-import-host", &host]).await;
    let client = service.client(KEY_A);
    let done = run(
        &client,
        &task(
            TaskType::Import,
            EntityType::Customers,
            FileType::Csv,
            &format!("http://{host}/files/customers.csv"),
        ),
    )
    .await;
    assert_eq!(done.task_status, Some(TaskStatus::Completed), "{done:?}");
    assert_eq!(counts(&done), (Some(2), Some(2), Some(1), Some(1)));
    assert_eq!(
        done.error_summary.as_deref(),
        Some("Record 1: name contains a NUL character")
    );
    service.stop().await;
}

/// A series' value in a Prometheus scrape, 0 when absent.
fn series(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_report_requests_tasks_the_queue_records_and_claims() {
    let files = Files::default();
    files.put("customers.csv", "external_id,name\nc1,Ada\nc2,Grace\n");
    let host = files.clone().serve().await;
    let service = Service::start_with(&["--allow-import-host", &host]).await;
    let client = service.client(KEY_A);
    let address = service.running.as_ref().unwrap().address;
    let scrape = || async move {
        let response = reqwest::get(format!("http://{address}/metrics"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "no key needed");
        response.text().await.unwrap()
    };
    // The recorder is the process's: other tests of this binary count too,
    // so this one compares its own before and after.
    let before = scrape().await;
    let done = run(
        &client,
        &task(
            TaskType::Import,
            EntityType::Customers,
            FileType::Csv,
            &format!("http://{host}/files/customers.csv"),
        ),
    )
    .await;
    assert_eq!(done.task_status, Some(TaskStatus::Completed));
    let after = scrape().await;
    let grew = |name: &str| series(&after, name) - series(&before, name);
    assert!(grew(r#"tasks_http_requests_total{operation="POST /v1/tasks",status="202"}"#) >= 1.0);
    assert!(
        grew(r#"tasks_http_request_duration_seconds_count{operation="GET /v1/tasks/{id}"}"#) >= 1.0
    );
    assert!(
        after.contains(
            r#"tasks_http_request_duration_seconds_bucket{operation="POST /v1/tasks",le="0.005"}"#
        ),
        "{after}"
    );
    assert!(grew("tasks_records_imported_total") >= 2.0, "{after}");
    assert!(grew("tasks_worker_claims_total") >= 1.0, "{after}");
    // Gauges from this service's database, every status reported.
    assert_eq!(
        series(&after, r#"tasks_tasks{status="COMPLETED"}"#),
        1.0,
        "{after}"
    );
    assert!(
        after.contains("tasks_tasks{status=\"FAILED\"} 0\n"),
        "{after}"
    );
    assert!(after.contains("tasks_queue_depth 0\n"), "{after}");
    service.stop().await;
}

fn error_of(body: &str) -> ErrorResponse {
    serde_json::from_str(body).expect("an ErrorResponse body")
}

#[tokio::test]
async fn download_links_work_and_refuse_tampering_expiry_and_other_tenants() {
    let service = Service::start_with(&["--export-link-ttl-secs", "2"]).await;
    let a = service.client(KEY_A);
    // Nothing imported yet: the export is an empty file, still downloadable.
    let export = run(
        &a,
        &task(TaskType::Export, EntityType::Customers, FileType::Json, "-"),
    )
    .await;
    assert_eq!(export.task_status, Some(TaskStatus::Completed));
    assert_eq!(counts(&export), (Some(0), Some(0), Some(0), Some(0)));
    let id = export.id.clone().unwrap();
    let (url, response) = download(&a, &id).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "[]\n");

    // Another tenant learns nothing, not even that the task exists.
    let b = service.client(KEY_B);
    assert_eq!(
        documented(b.download_task_export(&id).await, 404).code,
        Some(ErrorCode::NotFound)
    );

    let tampered = [
        url.replace("signature=", "signature=00"),
        url.replace(&id, "task_01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        {
            let (head, expires) = url.split_once("expires=").unwrap();
            let (value, tail) = expires.split_once('&').unwrap();
            format!(
                "{head}expires={}&{tail}",
                value.parse::<i64>().unwrap() + 3600
            )
        },
        url.split_once('?').unwrap().0.to_owned(),
    ];
    for link in tampered {
        let response = reqwest::get(&link).await.unwrap();
        assert_eq!(response.status(), 403, "{link}");
        let body = error_of(&response.text().await.unwrap());
        assert_eq!(body.code, Some(ErrorCode::PermissionDenied));
        assert_eq!(body.http_status_code, Some(403));
    }

    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 410);
    let body = error_of(&response.text().await.unwrap());
    assert!(body.message.unwrap().contains("expired"));
    // A new link works again.
    let (_, response) = download(&a, &id).await;
    assert_eq!(response.status(), 200);
    service.stop().await;
}

#[tokio::test]
async fn an_import_stopped_by_a_restart_resumes_with_exact_counts_and_no_duplicates() {
    const RECORDS: usize = 3500;
    let mut csv = String::from("event_id,event_name,external_customer_id,timestamp\n");
    let mut split = 0;
    for n in 1..=RECORDS {
        // Two bad records: one before the interruption, one after it.
        let customer = if n == 700 || n == 3100 { "" } else { "cust_1" };
        csv.push_str(&format!(
            "evt_{n},api_call,{customer},2025-03-01T10:00:00Z\n"
        ));
        if n == 2500 {
            split = csv.len();
        }
    }
    let files = Files::default();
    files.put("events.csv", csv);
    files
        .splits
        .lock()
        .unwrap()
        .insert("events.csv".to_owned(), split);
    let host = files.clone().serve().await;
    let flags = ["--allow-import-host", host.as_str(), "--workers", "1"];
    let mut service = Service::start_with(&flags).await;
    let url = format!("http://{host}/slow/events.csv");
    let created = service
        .client(KEY_A)
        .create_task(&task(
            TaskType::Import,
            EntityType::Events,
            FileType::Csv,
            &url,
        ))
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    // The first 2500 records arrive; two chunks of 1000 are committed, then the file stalls.
    let partway = wait_until(&service.client(KEY_A), &id, |t| {
        t.processed_records == Some(2000)
    })
    .await;
    assert_eq!(partway.task_status, Some(TaskStatus::Processing));
    assert_eq!(partway.failed_records, Some(1));

    // Stop in the middle, let the rest of the file through, start again.
    service.restart(&["--workers", "0"]).await;
    let stopped = service.client(KEY_A).get_task(&id).await.unwrap();
    assert_eq!(stopped.task_status, Some(TaskStatus::Processing));
    assert_eq!(
        stopped.processed_records,
        Some(2000),
        "progress survives the stop"
    );
    files.open_gate();
    service.restart(&flags).await;

    let client = service.client(KEY_A);
    let done = wait_finished(&client, &id).await;
    assert_eq!(done.task_status, Some(TaskStatus::Completed), "{done:?}");
    let good = RECORDS as i64 - 2;
    assert_eq!(
        counts(&done),
        (
            Some(RECORDS as i64),
            Some(RECORDS as i64),
            Some(good),
            Some(2)
        )
    );
    assert_eq!(
        done.error_summary.as_deref(),
        Some(
            "Record 700: external_customer_id is required\nRecord 3100: external_customer_id is required"
        )
    );
    assert_eq!(done.started_at, partway.started_at, "one run, resumed");

    let export = run(
        &client,
        &task(TaskType::Export, EntityType::Events, FileType::Csv, "-"),
    )
    .await;
    assert_eq!(export.successful_records, Some(good));
    let (_, response) = download(&client, export.id.as_deref().unwrap()).await;
    let content = response.text().await.unwrap();
    let ids: Vec<String> = csv::Reader::from_reader(content.as_bytes())
        .records()
        .map(|row| row.unwrap()[0].to_owned())
        .collect();
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), good as usize);
    assert_eq!(unique.len(), ids.len(), "no record stored twice");
    service.stop().await;
}

#[tokio::test]
async fn the_url_guard_runs_again_when_the_file_is_fetched() {
    let files = Files::default();
    files.put("customers.csv", "external_id,name\nc1,Ada\n");
    let host = files.clone().serve().await;
    // Accepted while the host was allow-listed, with no worker running…
    let mut service = Service::start_with(&["--allow-import-host", &host, "--workers", "0"]).await;
    let url = format!("http://{host}/files/customers.csv");
    let id = service
        .client(KEY_A)
        .create_task(&task(
            TaskType::Import,
            EntityType::Customers,
            FileType::Csv,
            &url,
        ))
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    // …then processed by a server that no longer allows it: refused before any request.
    service.restart(&[]).await;
    let done = wait_finished(&service.client(KEY_A), &id).await;
    assert_eq!(done.task_status, Some(TaskStatus::Failed));
    assert_eq!(
        done.error_summary.as_deref(),
        Some("file_url must use https, not http")
    );
    assert_eq!(
        files.requests.load(Ordering::SeqCst),
        0,
        "nothing was fetched"
    );
    service.stop().await;
}
