//! The crates generated from the focused specs `codegen/tests/server-specs/`
//! (`parameters`, `responses`), served over real HTTP and called with their own
//! generated clients: parameter names that are not identifiers, one name in path
//! and query, range and default responses, `+json` media types, several content
//! types.

use std::sync::Arc;

use codegen_snapshot_parameters as parameters;
use codegen_snapshot_responses as responses;

/// Serves `router` on a loopback port; the server stops with the test's runtime.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

struct Things;

impl parameters::server::ApiHooks for Things {}

impl parameters::server::ThingsApi for Things {
    async fn get_things_id(
        &self,
        id: String,
        x_request_id: Option<String>,
        query: parameters::server::GetThingsIdQuery,
    ) -> parameters::server::GetThingsIdResponse {
        parameters::server::GetThingsIdResponse::Ok(parameters::models::Echo {
            path_id: id,
            query_id: query.query_id,
            filter: query.filter,
            page_size: query.page_size,
            page_number: query.page_number,
            dash: query.dash,
            sort_order: query.sort_order.map(|order| order.to_string()),
            request_id: x_request_id,
        })
    }

    async fn get_things_id_parts_part_no(
        &self,
        id: String,
        part_no: i32,
        query: parameters::server::GetThingsIdPartsPartNoQuery,
    ) -> parameters::server::GetThingsIdPartsPartNoResponse {
        assert_eq!(
            (id.as_str(), part_no, query.type_.as_str()),
            ("a b", 7, "fn")
        );
        parameters::server::GetThingsIdPartsPartNoResponse::NoContent
    }
}

#[tokio::test]
async fn parameters_that_are_not_identifiers_reach_the_handler() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let client = parameters::client::Client::new(&base);
    let query = parameters::server::GetThingsIdQuery {
        query_id: Some(7),
        filter: Some("name eq 'x'".to_owned()),
        page_size: Some(20),
        page_number: Some(2),
        dash: Some("-".to_owned()),
        sort_order: Some(parameters::models::GetThingsIdSortOrder::V2Way),
    };
    let echo = client
        .get_things_id("thing/1", Some("req-9"), &query)
        .await
        .unwrap();
    assert_eq!(
        echo,
        parameters::models::Echo {
            path_id: "thing/1".to_owned(),
            query_id: Some(7),
            filter: Some("name eq 'x'".to_owned()),
            page_size: Some(20),
            page_number: Some(2),
            dash: Some("-".to_owned()),
            sort_order: Some("2-way".to_owned()),
            request_id: Some("req-9".to_owned()),
        }
    );
    client
        .get_things_id_parts_part_no(
            "a b",
            7,
            &parameters::server::GetThingsIdPartsPartNoQuery {
                type_: "fn".to_owned(),
            },
        )
        .await
        .unwrap();

    // The wire names, as a hand-written request spells them.
    let http = reqwest::Client::new();
    let url = format!("{base}/things/x?id=3&%24filter=f&page%5Bsize%5D=5&page[number]=6&-=d");
    let text = http.get(url).send().await.unwrap().text().await.unwrap();
    let echo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        echo,
        serde_json::json!({"path_id": "x", "query_id": 3, "filter": "f", "page_size": 5,
                           "page_number": 6, "dash": "d"})
    );
    // Constraints hold under the odd names too: page[size] is at most 100.
    let response = http
        .get(format!("{base}/things/x?page%5Bsize%5D=500"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("page[size]"), "{body}");
}

struct Reports;

impl responses::server::ApiHooks for Reports {}

impl responses::server::ReportsApi for Reports {
    async fn create_report(
        &self,
        query: responses::server::CreateReportQuery,
        body: responses::models::CreateReportBody,
    ) -> responses::server::CreateReportResponse {
        use responses::server::CreateReportResponse as R;
        let problem = |message: &str, status: u16| responses::models::Problem {
            message: message.to_owned(),
            status: Some(i64::from(status)),
        };
        match body.title.as_str() {
            "" => R::Status4xx(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                problem("a title is required", 422),
            ),
            "busy" => R::Default(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                problem("try later", 503),
            ),
            _ => R::Created(responses::models::CreateReportResponse201 {
                id: format!(
                    "{}:{}",
                    body.title,
                    query.format.map_or("none", |format| format.as_str())
                ),
                pages: body.sections.map(|sections| sections.len() as i64),
            }),
        }
    }

    async fn list_report_lines(
        &self,
        query: responses::server::ListReportLinesQuery,
    ) -> responses::server::ListReportLinesResponse {
        let min_line = query.filter.and_then(|filter| filter.min_line).unwrap_or(0);
        let lines = (1..=3)
            .filter(|line| *line >= min_line)
            .map(|line| responses::models::ListReportLinesResponse200Item {
                line,
                text: Some(format!("line {line}")),
            })
            .collect();
        responses::server::ListReportLinesResponse::Ok(lines)
    }
}

#[tokio::test]
async fn range_and_default_responses_round_trip_with_their_media_types() {
    let base = serve(responses::server::router(Arc::new(Reports))).await;
    let client = responses::client::Client::new(&base);
    let query = responses::server::CreateReportQuery {
        format: Some(responses::models::CreateReportFormat::Pdf),
    };
    let body = |title: &str| responses::models::CreateReportBody {
        title: title.to_owned(),
        sections: Some(vec![responses::models::CreateReportBodySectionsItem {
            heading: Some("h".to_owned()),
            weight: Some(0.5),
        }]),
    };
    let created = client.create_report(&query, &body("q3")).await.unwrap();
    assert_eq!(created.id, "q3:pdf");
    assert_eq!(created.pages, Some(1));

    match client.create_report(&query, &body("")).await {
        Err(responses::client::Error::Documented { status: 422, body }) => {
            assert_eq!(body.message, "a title is required")
        }
        other => panic!("expected the 4XX body, got {other:?}"),
    }
    match client.create_report(&query, &body("busy")).await {
        Err(responses::client::Error::Documented { status: 503, body }) => {
            assert_eq!(body.message, "try later")
        }
        other => panic!("expected the default body, got {other:?}"),
    }
    // An inline object parameter travels as JSON text.
    let query = responses::server::ListReportLinesQuery {
        filter: Some(responses::models::ListReportLinesFilter { min_line: Some(2) }),
    };
    let lines = client.list_report_lines(&query).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3]);
    let all = client
        .list_report_lines(&responses::server::ListReportLinesQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    // On the wire: the default response is served as the media type the spec names.
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{base}/reports"))
        .header("content-type", "application/json")
        .body(r#"{"title": "busy"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    // The request body is modelled as JSON (the spec's first choice); the other
    // content type it lists is refused with 415, not misread.
    let response = http
        .post(format!("{base}/reports"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}
