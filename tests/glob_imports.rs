//! A downstream crate that glob-imports the crate root and every module:
//! models (`ListTasksResponse`, the page) and server replies
//! (`ListTasksReply`) have different names, so nothing is ambiguous.
#![deny(warnings)]

use flexprice_api::client::*;
use flexprice_api::server::*;
use flexprice_api::*;

#[test]
fn every_module_can_be_glob_imported_together() {
    let page = ListTasksResponse::default();
    let reply = ListTasksReply::Ok(page.clone());
    assert_eq!(reply, ListTasksReply::Ok(page));
    let query = ListTasksQuery::default();
    assert!(query.to_pairs().is_empty());
    let error = HttpError::new(404, ErrorResponse::default());
    assert_eq!(
        GetTaskReply::from_error(error.clone()).ok(),
        Some(GetTaskReply::NotFound(error.body))
    );
    let refused = RequestError::MissingBody;
    assert_eq!(refused.status(), 400);
    let client = Client::new(SERVER_US_REGION);
    assert_eq!(client.base_url(), SERVERS[0].0);
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_retries, 3);
    let _: Option<ClientError<ErrorResponse>> = None;
    assert_eq!("COMPLETED".parse::<TaskStatus>(), Ok(TaskStatus::Completed));
}
