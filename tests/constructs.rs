//! The crates generated from the focused specs `codegen/tests/server-specs/`
//! (`parameters`, `responses`, `hygiene`), served over real HTTP and called
//! with their own generated clients: parameter names that are not identifiers,
//! one name in path and query, range and default responses built from an
//! `HttpError`, `+json` media types, several content types, and names that
//! meet the generator's own.

use std::sync::Arc;

use codegen_snapshot_hygiene as hygiene;
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
        path: parameters::GetThingsIdPath,
        headers: parameters::GetThingsIdHeaders,
        query: parameters::GetThingsIdQuery,
    ) -> Result<parameters::server::GetThingsIdReply, parameters::server::HttpError> {
        Ok(parameters::server::GetThingsIdReply::Ok({
            // `Echo` only travels in responses: `#[non_exhaustive]`,
            // built by its constructor.
            let mut echo = parameters::models::Echo::new(path.id);
            echo.query_id = query.id;
            echo.filter = query.filter;
            echo.page_size = query.page_size;
            echo.page_number = query.page_number;
            echo.dash = query.dash;
            echo.sort_order = query.sort_order.map(|order| order.to_string());
            echo.request_id = headers.x_request_id;
            echo
        }))
    }

    async fn get_things_id_parts_part_no(
        &self,
        path: parameters::GetThingsIdPartsPartNoPath,
        query: parameters::GetThingsIdPartsPartNoQuery,
    ) -> Result<parameters::server::GetThingsIdPartsPartNoReply, parameters::server::HttpError>
    {
        assert_eq!(
            (path.id.as_str(), path.part_no, query.type_.as_str()),
            ("a b", 7, "fn")
        );
        Ok(parameters::server::GetThingsIdPartsPartNoReply::NoContent)
    }

    async fn get_styled(
        &self,
        path: parameters::GetStyledPath,
    ) -> Result<parameters::server::GetStyledReply, parameters::server::HttpError> {
        Ok(parameters::server::GetStyledReply::Ok(
            parameters::models::Styled {
                label: Some(path.label),
                matrix: Some(path.matrix),
                labels: Some(path.labels),
                matrices: Some(path.matrices),
            },
        ))
    }

    async fn get_objects_elsewhere(
        &self,
        path: parameters::GetObjectsElsewherePath,
        headers: parameters::GetObjectsElsewhereHeaders,
        cookies: parameters::GetObjectsElsewhereCookies,
    ) -> Result<parameters::server::GetObjectsElsewhereReply, parameters::server::HttpError> {
        Ok(parameters::server::GetObjectsElsewhereReply::Ok(
            parameters::models::Elsewhere {
                shape: Some(path.shape),
                range: headers.x_range,
                point: headers.x_point,
                size: cookies.size,
                pt: cookies.pt,
            },
        ))
    }

    async fn get_objects(
        &self,
        query: parameters::GetObjectsQuery,
    ) -> Result<parameters::server::GetObjectsReply, parameters::server::HttpError> {
        Ok(parameters::server::GetObjectsReply::Ok(
            parameters::models::Objects {
                range: query.range,
                at: query.at,
                box_: query.box_,
            },
        ))
    }

    async fn get_styles(
        &self,
        query: parameters::GetStylesQuery,
    ) -> Result<parameters::server::GetStylesReply, parameters::server::HttpError> {
        Ok(parameters::server::GetStylesReply::Ok(
            parameters::models::Styles {
                tags: Some(query.tags),
                ids: Some(query.ids),
                colors: Some(query.colors),
                many: Some(query.many),
            },
        ))
    }
}

#[tokio::test]
async fn label_and_matrix_path_parameters_keep_their_prefixes() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let labels = vec!["a".to_owned(), "b c".to_owned()];
    let echo = parameters::client::Client::new(&base)
        .get_styled(5, "x;y", labels.clone(), vec![1, 2])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            echo.label,
            echo.matrix.as_deref(),
            echo.labels,
            echo.matrices
        ),
        (Some(5), Some("x;y"), Some(labels), Some(vec![1, 2]))
    );
    // By hand, as the spec writes them; and without the prefix.
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{base}/styled/{path}")).send();
    let response = get(".7/;matrix=m/.p.q/;matrices=3;matrices=4")
        .await
        .unwrap();
    let echo: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        echo,
        serde_json::json!({"label": 7, "matrix": "m", "labels": ["p", "q"], "matrices": [3, 4]})
    );
    let response = get("7/m/.p/;matrices=3").await.unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        body["message"],
        "path parameter `label`: `7` does not start with `.`; path parameter `matrix`: `m` does \
         not start with `;matrix=`"
    );
    // The value's own rules still hold.
    let response = get(".0/;matrix=m/.p/;matrices=3").await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        body["message"],
        "path parameter `label`: must be at least 1"
    );
}

#[tokio::test]
async fn query_objects_are_spread_as_their_style_says() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let query = parameters::GetObjectsQuery {
        range: Some(parameters::models::Range {
            min: 1,
            max: Some(5),
            unit: Some(parameters::models::RangeUnit::Cm),
        }),
        at: Some(parameters::models::Point {
            lat: 1.5,
            lon: -2.0,
        }),
        box_: Some(parameters::models::Size {
            w: Some(3),
            h: None,
        }),
    };
    let pairs: Vec<(&str, String)> = query.to_pairs();
    let expected: Vec<(&str, String)> = [
        ("range[min]", "1"),
        ("range[max]", "5"),
        ("range[unit]", "cm"),
        ("lat", "1.5"),
        ("lon", "-2.0"),
        ("box", "w,3"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect();
    assert_eq!(pairs, expected);
    let echo = parameters::client::Client::new(&base)
        .get_objects(&query)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (echo.range.as_ref(), echo.at.as_ref(), echo.box_.as_ref()),
        (query.range.as_ref(), query.at.as_ref(), query.box_.as_ref())
    );

    // By hand: each style on the wire, and what breaks a rule.
    let http = reqwest::Client::new();
    let get = |query: &str| http.get(format!("{base}/objects?{query}")).send();
    let response = get("range%5Bmin%5D=2&range%5Bunit%5D=m&lat=0&lon=1&box=h,4,w,5")
        .await
        .unwrap();
    let echo: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        echo,
        serde_json::json!({"range": {"min": 2, "unit": "m"}, "at": {"lat": 0.0, "lon": 1.0},
                           "box": {"w": 5, "h": 4}})
    );
    for (query, message) in [
        (
            "range[min]=-1",
            "query parameter `range`: /min: must be at least 0",
        ),
        (
            "range[max]=3",
            "query parameter `range`: missing field `min`",
        ),
        (
            "lat=north&lon=1",
            "query parameter `at`: invalid float literal",
        ),
        (
            "range[min]=x&lat=1",
            "query parameter `range`: invalid digit found in string; query parameter `at`: missing field `lon`",
        ),
    ] {
        let response = get(query).await.unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(body["message"], message, "{query}");
    }
}

#[tokio::test]
async fn path_header_and_cookie_objects_are_laid_out_as_their_style_says() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let size = |w, h| parameters::models::Size { w, h };
    let range = parameters::models::Range {
        min: 1,
        max: Some(5),
        unit: None,
    };
    let point = parameters::models::Point { lat: 1.5, lon: 2.0 };
    let echo = parameters::client::Client::new(&base)
        .get_objects_elsewhere(
            size(Some(3), Some(4)),
            Some(range.clone()),
            Some(point.clone()),
            Some(size(Some(5), None)),
            Some(point.clone()),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(echo.shape, Some(size(Some(3), Some(4))));
    assert_eq!(echo.range, Some(range));
    assert_eq!(
        (echo.point.as_ref(), echo.pt.as_ref()),
        (Some(&point), Some(&point))
    );
    assert_eq!(echo.size, Some(size(Some(5), None)));

    // By hand: `simple` (k,v and exploded k=v), `form` cookies (one per
    // property, and joined).
    let response = reqwest::Client::new()
        .get(format!("{base}/objects/w=1,h=2"))
        .header("X-Range", "min,2,unit,cm")
        .header("X-Point", "lat=0.5,lon=1")
        .header("cookie", "w=7; pt=lat,3,lon,4")
        .send()
        .await
        .unwrap();
    let echo: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(
        echo,
        serde_json::json!({
            "shape": {"w": 1, "h": 2},
            "range": {"min": 2, "unit": "cm"},
            "point": {"lat": 0.5, "lon": 1.0},
            "size": {"w": 7},
            "pt": {"lat": 3.0, "lon": 4.0}
        })
    );
}

#[tokio::test]
async fn query_arrays_are_laid_out_as_their_style_says() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let query = parameters::GetStylesQuery {
        tags: vec!["a".to_owned(), "b c".to_owned()],
        ids: vec![1, 2],
        colors: vec!["red".to_owned(), "blue".to_owned()],
        many: vec!["x".to_owned(), "y".to_owned()],
    };
    // The client writes each style; decoded, the query reads as the spec says.
    let pairs: Vec<(String, String)> = query
        .to_pairs()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    let expected: Vec<(String, String)> = [
        ("tags", "a,b c"),
        ("ids", "1 2"),
        ("colors", "red|blue"),
        ("many", "x"),
        ("many", "y"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    assert_eq!(pairs, expected);
    let echo = parameters::client::Client::new(&base)
        .get_styles(&query)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(echo.tags.as_deref(), Some(&query.tags[..]));
    assert_eq!(echo.ids.as_deref(), Some(&query.ids[..]));
    assert_eq!(echo.colors.as_deref(), Some(&query.colors[..]));
    assert_eq!(echo.many.as_deref(), Some(&query.many[..]));

    // A hand-written request in each style, and the empty `tags=`.
    let http = reqwest::Client::new();
    let url = format!("{base}/styles?tags=a,b&ids=1%202&colors=red|blue&many=x&many=y");
    let text = http.get(url).send().await.unwrap().text().await.unwrap();
    let echo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        echo,
        serde_json::json!({"tags": ["a", "b"], "ids": [1, 2], "colors": ["red", "blue"],
                           "many": ["x", "y"]})
    );
    let text = http
        .get(format!("{base}/styles?tags=&ids=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let echo: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(echo["tags"], serde_json::json!([]));
    assert_eq!(echo["ids"], serde_json::json!([1]));
    // A delimited item that does not parse names the parameter.
    let response = http
        .get(format!("{base}/styles?ids=1%20x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("query parameter `ids`"), "{body}");
}

#[tokio::test]
async fn parameters_that_are_not_identifiers_reach_the_handler() {
    let base = serve(parameters::server::router(Arc::new(Things))).await;
    let client = parameters::client::Client::new(&base);
    let query = parameters::GetThingsIdQuery {
        id: Some(7),
        filter: Some("name eq 'x'".to_owned()),
        page_size: Some(20),
        page_number: Some(2),
        dash: Some("-".to_owned()),
        sort_order: Some(parameters::models::GetThingsIdSortOrder::V2Way),
    };
    let echo = client
        .get_things_id("thing/1", Some("req-9"), &query)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(echo.path_id, "thing/1");
    assert_eq!(echo.query_id, Some(7));
    assert_eq!(echo.filter.as_deref(), Some("name eq 'x'"));
    assert_eq!(echo.page_size, Some(20));
    assert_eq!(echo.page_number, Some(2));
    assert_eq!(echo.dash.as_deref(), Some("-"));
    assert_eq!(echo.sort_order.as_deref(), Some("2-way"));
    assert_eq!(echo.request_id.as_deref(), Some("req-9"));
    client
        .get_things_id_parts_part_no(
            "a b",
            7,
            &parameters::GetThingsIdPartsPartNoQuery {
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

/// The service's own error, converted once into the spec's error format.
enum ReportError {
    Invalid(&'static str),
    Busy,
}

impl From<ReportError> for responses::server::HttpError {
    fn from(error: ReportError) -> Self {
        let (status, message) = match error {
            ReportError::Invalid(message) => (422, message),
            ReportError::Busy => (503, "try later"),
        };
        let mut problem = responses::models::Problem::new(message.to_owned());
        problem.status = Some(i64::from(status));
        responses::server::HttpError::new(status, problem)
    }
}

fn check_title(title: &str) -> Result<(), ReportError> {
    match title {
        "" => Err(ReportError::Invalid("a title is required")),
        "busy" => Err(ReportError::Busy),
        _ => Ok(()),
    }
}

impl responses::server::ReportsApi for Reports {
    async fn create_report(
        &self,
        query: responses::CreateReportQuery,
        body: responses::CreateReportContent,
        media: responses::CreateReportMedia,
    ) -> Result<responses::server::CreateReportReply, responses::server::HttpError> {
        // JSON or a form: the variant says which arrived.
        let body = match body {
            responses::CreateReportContent::Json(body) => body,
            responses::CreateReportContent::Form(form) => responses::models::CreateReportBody {
                title: form.title.unwrap_or_default(),
                sections: None,
            },
        };
        check_title(&body.title)?;
        let id = format!(
            "{}:{}",
            body.title,
            query.format.map_or("none", |format| format.as_str())
        );
        // The media type the client's `Accept` prefers.
        let content = match media {
            responses::CreateReportMedia::Json => {
                let mut created = responses::models::CreateReportResponse201::new(id);
                created.pages = body.sections.map(|sections| sections.len() as i64);
                responses::CreateReportCreatedContent::Json(created)
            }
            responses::CreateReportMedia::ApplicationXml => {
                responses::CreateReportCreatedContent::ApplicationXml(
                    format!("<report id=\"{id}\"/>").into(),
                )
            }
            responses::CreateReportMedia::TextPlain => {
                responses::CreateReportCreatedContent::TextPlain(format!("report {id}"))
            }
        };
        Ok(responses::server::CreateReportReply::Created(content))
    }

    async fn list_report_lines(
        &self,
        query: responses::ListReportLinesQuery,
    ) -> Result<responses::server::ListReportLinesReply, responses::server::HttpError> {
        let min_line = query.filter.and_then(|filter| filter.min_line).unwrap_or(0);
        let lines = (1..=3)
            .filter(|line| *line >= min_line)
            .map(|line| {
                let mut item = responses::models::ListReportLinesResponse200Item::new(line);
                item.text = Some(format!("line {line}"));
                item
            })
            .collect();
        Ok(responses::server::ListReportLinesReply::Ok(lines))
    }
}

#[tokio::test]
async fn range_and_default_responses_round_trip_with_their_media_types() {
    let base = serve(responses::server::router(Arc::new(Reports))).await;
    let client = responses::client::Client::new(&base);
    let query = responses::CreateReportQuery {
        format: Some(responses::models::CreateReportFormat::Pdf),
    };
    let body = |title: &str| {
        responses::CreateReportContent::Json(responses::models::CreateReportBody {
            title: title.to_owned(),
            sections: Some(vec![responses::models::CreateReportBodySectionsItem {
                heading: Some("h".to_owned()),
                weight: Some(0.5),
            }]),
        })
    };
    let json =
        |created: responses::client::ResponseValue<responses::CreateReportCreatedContent>| {
            match created.into_inner() {
                responses::CreateReportCreatedContent::Json(created) => created,
                other => panic!("expected JSON, got {other:?}"),
            }
        };
    let created = json(
        client
            .create_report(&query, &body("q3"), None)
            .await
            .unwrap(),
    );
    assert_eq!(created.id, "q3:pdf");
    assert_eq!(created.pages, Some(1));
    // The body's other media type, a form.
    let form = responses::CreateReportContent::Form(responses::CreateReportForm {
        title: Some("f1".to_owned()),
    });
    let created = json(client.create_report(&query, &form, None).await.unwrap());
    assert_eq!(created.id, "f1:pdf");
    assert_eq!(created.pages, None);
    // The answer's other media types, asked for by the client.
    let text = client
        .create_report(&query, &form, Some(responses::CreateReportMedia::TextPlain))
        .await
        .unwrap();
    assert!(
        matches!(text.into_inner(), responses::CreateReportCreatedContent::TextPlain(text)
            if text == "report f1:pdf")
    );
    let xml = client
        .create_report(
            &query,
            &form,
            Some(responses::CreateReportMedia::ApplicationXml),
        )
        .await
        .unwrap();
    match xml.into_inner() {
        responses::CreateReportCreatedContent::ApplicationXml(xml) => {
            assert_eq!(xml.collect(100).await.unwrap(), "<report id=\"f1:pdf\"/>")
        }
        other => panic!("{other:?}"),
    }

    match client.create_report(&query, &body(""), None).await {
        Err(responses::client::ClientError::Documented {
            status: 422, body, ..
        }) => {
            assert_eq!(body.message, "a title is required")
        }
        other => panic!("expected the 4XX body, got {other:?}"),
    }
    match client.create_report(&query, &body("busy"), None).await {
        Err(responses::client::ClientError::Documented {
            status: 503, body, ..
        }) => {
            assert_eq!(body.message, "try later")
        }
        other => panic!("expected the default body, got {other:?}"),
    }
    // An inline object parameter travels as JSON text.
    let query = responses::ListReportLinesQuery {
        filter: Some(responses::models::ListReportLinesFilter { min_line: Some(2) }),
    };
    let lines = client.list_report_lines(&query).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3]);
    let all = client
        .list_report_lines(&responses::ListReportLinesQuery::default())
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
    // The 4XX range variant, built from the same error type, has the media type its spec names.
    let response = http
        .post(format!("{base}/reports"))
        .header("content-type", "application/json")
        .body(r#"{"title": ""}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(response.headers()["content-type"], "application/json");
    // The request body takes both media types the spec lists, each read its
    // own way; any other is refused with 415, not misread.
    let response = http
        .post(format!("{base}/reports"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = http
        .post(format!("{base}/reports"))
        .header("content-type", "application/xml")
        .body("<title>x</title>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

/// The hygiene crate's service: echoes what its parameters carried.
struct Hygiene;

impl hygiene::server::ApiHooks for Hygiene {
    type Principal = String;

    async fn authenticate_key(&self, api_key: &str) -> Option<String> {
        (api_key == "k").then(|| "key".to_owned())
    }

    async fn authenticate_self(&self, credentials: &str) -> Option<String> {
        (credentials == "t").then(|| "self".to_owned())
    }
}

impl hygiene::server::ResultApi for Hygiene {
    async fn new_2(
        &self,
        principal: String,
        path: hygiene::NewPath,
        headers: hygiene::NewHeaders,
        query: hygiene::NewQuery,
    ) -> Result<hygiene::server::NewReply, hygiene::server::HttpError> {
        if path.key == "missing" {
            let mut error = hygiene::models::Error::new("no such thing".to_owned());
            error.status = Some(404);
            return Err(hygiene::server::HttpError::new(404, error));
        }
        Ok(hygiene::server::NewReply::Ok({
            let mut result = hygiene::models::ResultModel::new(
                path.key,
                path.query,
                path.self_,
                format!(
                    "{principal}|{}|{}|{}|{}|{}|{}",
                    query.query_or_default(),
                    query.value.as_deref().unwrap_or_default(),
                    query.item.join(","),
                    query.plus_one.as_deref().unwrap_or_default(),
                    query.to_pairs_or_default(),
                    headers.response,
                ),
                query.type_.unwrap_or(hygiene::models::Type::Crate),
            );
            result.self_2 = query.self_;
            result.body = Some(hygiene::models::Vote::MinusOne);
            result
        }))
    }

    async fn with_api_key_2(
        &self,
        path: hygiene::WithApiKeyPath,
        headers: hygiene::WithApiKeyHeaders,
    ) -> Result<hygiene::server::WithApiKeyReply, hygiene::server::HttpError> {
        assert_eq!(headers.result.as_deref(), Some("r"));
        match path.error.as_str() {
            "gone" => Ok(hygiene::server::WithApiKeyReply::NoContent),
            _ => Err(hygiene::server::HttpError::new(
                404,
                hygiene::models::Error::new("not here".to_owned()),
            )),
        }
    }
}

impl hygiene::server::SelfApi for Hygiene {
    async fn request_error_2(
        &self,
        principal: String,
        path: hygiene::RequestErrorPath,
        headers: hygiene::RequestErrorHeaders,
        query: hygiene::RequestErrorQuery,
        body: hygiene::models::Self_,
    ) -> Result<hygiene::server::RequestErrorReply, hygiene::server::HttpError> {
        Ok(hygiene::server::RequestErrorReply::Created(
            hygiene::models::OptionModel {
                some: Some(format!(
                    "{principal}|{}|{}|{}|{}",
                    path.key,
                    body.name,
                    query.body.unwrap_or_default(),
                    headers.status.unwrap_or_default()
                )),
                none: Some(body.async_.is_some()),
                string: None,
            },
        ))
    }
}

#[tokio::test]
async fn names_that_meet_the_generators_own_are_served() {
    use hygiene::models::Type;
    let base = serve(hygiene::server::router(Arc::new(Hygiene))).await;
    let client = hygiene::client::Client::new(format!("{base}/h"))
        .with_api_key("k")
        .with_bearer_token("t");
    let query = hygiene::NewQuery {
        value: Some("v".to_owned()),
        item: vec!["a".to_owned(), "b".to_owned()],
        plus_one: Some("p".to_owned()),
        type_: Some(Type::Self_),
        self_: Some("s".to_owned()),
        ..Default::default()
    };
    let result = client
        .new_2("k/1", "q", 3, None, None, "resp", None, None, None, &query)
        .await
        .unwrap();
    assert_eq!(result.key, "k/1");
    assert_eq!(result.query, "q");
    assert_eq!(result.self_, 3);
    assert_eq!(result.value, "key|10|v|a,b|p|x|resp");
    assert_eq!(result.type_, Type::Self_);
    assert_eq!(result.self_2.as_deref(), Some("s"));

    // The error converts to the documented 404 variant; the client reads its body.
    match client
        .new_2(
            "missing", "q", 3, None, None, "resp", None, None, None, &query,
        )
        .await
    {
        Err(hygiene::client::ClientError::Documented {
            status: 404, body, ..
        }) => {
            assert_eq!(body.message, "no such thing")
        }
        other => panic!("expected the documented 404, got {other:?}"),
    }

    let body = hygiene::models::Self_ {
        name: "n".to_owned(),
        async_: Some("a".to_owned()),
        await_: None,
        fn_: None,
        match_: None,
        crate_: None,
        super_: None,
    };
    let created = client
        .request_error_2(
            "k",
            "q",
            1,
            Some(201),
            &hygiene::RequestErrorQuery {
                body: Some("b".to_owned()),
            },
            &body,
        )
        .await
        .unwrap();
    assert_eq!(created.some.as_deref(), Some("self|k|n|b|201"));
    assert_eq!(created.none, Some(true));

    client.with_api_key_2("gone", Some("r")).await.unwrap();
    let missing = client.with_api_key_2("here", Some("r")).await.unwrap_err();
    assert_eq!(missing.status(), Some(404));

    // The checks hold under these names: `self` is at least 1, `query` at most 100.
    let http = reqwest::Client::new();
    for (url, field) in [
        (format!("{base}/h/things/a/b/0"), "self"),
        (format!("{base}/h/things/a/b/1?query=500"), "query"),
    ] {
        let response = http
            .get(url)
            .header("x-key", "k")
            .header("response", "r")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let text = response.text().await.unwrap();
        assert!(text.contains(&format!("`{field}`")), "{text}");
    }
    // Without credentials the hook is not even asked.
    let response = http
        .get(format!("{base}/h/things/a/b/1"))
        .header("response", "r")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
