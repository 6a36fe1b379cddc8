//! The crate generated from `codegen/tests/server-specs/evolution.yaml` with
//! `--default-not-implemented`: an implementation that leaves an operation
//! out still compiles, and that operation answers 501 Not Implemented in the
//! spec's error format (`{code, message}`), over real HTTP, to the generated
//! client. With `--unknown-enum-values`, `Mood` (only responses carry it)
//! keeps a value it does not list as `Mood::Unknown`, on the wire and in
//! text.

use std::sync::Arc;

use codegen_snapshot_evolution as evolution;
use evolution::client::{Client, ClientError};
use evolution::models::{Mood, MoodReport, Pet};
use evolution::server::{ApiHooks, GetMoodReply, HttpError, ListPetsReply, PetsApi};

/// Serves `listPets` and `getMood`: `createPet` is left to its default body.
struct Service;

impl ApiHooks for Service {}

impl PetsApi for Service {
    async fn list_pets(&self) -> Result<ListPetsReply, HttpError> {
        Ok(ListPetsReply::Ok(vec![Pet {
            name: "Rex".to_owned(),
        }]))
    }

    async fn get_mood(&self) -> Result<GetMoodReply, HttpError> {
        // A value a newer spec would list: the server sends it as is.
        let mut report = MoodReport::new(Mood::Unknown("sleepy".to_owned()));
        report.since = Some("noon".to_owned());
        Ok(GetMoodReply::Ok(report))
    }
}

async fn start() -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = evolution::server::router(Arc::new(Service));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Client::new(format!("http://{address}"))
}

#[tokio::test]
async fn a_left_out_operation_answers_501_in_the_spec_error_format() {
    let client = start().await;
    let pets = client.list_pets().await.unwrap().into_inner();
    assert_eq!(pets[0].name, "Rex");

    let error = client
        .create_pet(&Pet {
            name: "Tom".to_owned(),
        })
        .await
        .unwrap_err();
    let ClientError::Api { status, body, .. } = error else {
        panic!("expected an undocumented 501, got {error:?}");
    };
    assert_eq!(status, 501);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], "not_implemented");
    assert_eq!(
        body["message"],
        "`createPet` is not implemented by this server"
    );
}

#[tokio::test]
async fn a_value_the_enum_does_not_list_reaches_the_client_as_unknown() {
    let client = start().await;
    let report = client.get_mood().await.unwrap().into_inner();
    assert_eq!(report.mood, Mood::Unknown("sleepy".to_owned()));
    assert_eq!(report.since.as_deref(), Some("noon"));
}

#[test]
fn listed_values_are_variants_and_others_are_kept_as_text() {
    let read = |json: &str| serde_json::from_str::<Mood>(json).unwrap();
    assert_eq!(read("\"happy\""), Mood::Happy);
    assert_eq!(read("\"sleepy\""), Mood::Unknown("sleepy".to_owned()));
    assert_eq!(
        serde_json::to_string(&Mood::Unknown("sleepy".to_owned())).unwrap(),
        "\"sleepy\""
    );
    assert_eq!(serde_json::to_string(&Mood::Grumpy).unwrap(), "\"grumpy\"");
    assert_eq!("grumpy".parse::<Mood>(), Ok(Mood::Grumpy));
    assert_eq!(Mood::Unknown("calm".to_owned()).to_string(), "calm");
    assert_eq!(Mood::VALUES, ["happy", "grumpy"]);
    // Not a string at all is still an error.
    assert!(serde_json::from_str::<Mood>("7").is_err());
}
