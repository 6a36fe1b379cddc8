//! The crate generated from `codegen/tests/server-specs/evolution.yaml` with
//! `--default-not-implemented`: an implementation that leaves an operation
//! out still compiles, and that operation answers 501 Not Implemented in the
//! spec's error format (`{code, message}`), over real HTTP, to the generated
//! client.

use std::sync::Arc;

use codegen_snapshot_evolution as evolution;
use evolution::client::{Client, ClientError};
use evolution::models::Pet;
use evolution::server::{ApiHooks, HttpError, ListPetsReply, PetsApi};

/// Serves only `listPets`: `createPet` is left to its default body.
struct Service;

impl ApiHooks for Service {}

impl PetsApi for Service {
    async fn list_pets(&self) -> Result<ListPetsReply, HttpError> {
        Ok(ListPetsReply::Ok(vec![Pet {
            name: "Rex".to_owned(),
        }]))
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
