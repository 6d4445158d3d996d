//! Using the simulator in your own tests.
//!
//! Everything in `run` belongs in a `#[tokio::test]` of your project (with
//! `digilocker-kyc` as a dev-dependency with the `simulator` feature): start
//! a simulator, point the code under test at it, play the user's part with
//! the control API, then assert on what the provider received.
//!
//! ```text
//! cargo run --example simulator_in_tests --features simulator
//! ```

use digilocker_kyc::generated::sandbox::{Client, types};
use digilocker_kyc::simulator::{Fault, Simulator};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    run().await?;
    println!("simulator example: ok");
    Ok(())
}

async fn run() -> Result<(), BoxError> {
    // 1. A fresh simulator per test: its own port, sessions and records.
    let sim = Simulator::builder()
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await?;
    let creds = sim.sandbox_credentials();

    // 2. The code under test talks to the simulator's base URL. Here it is
    //    the generated client; your facade or service works the same way.
    let api = Client::new(&sim.sandbox_base_url());
    let token = api
        .authenticate()
        .x_api_key(creds.api_key.as_str())
        .x_api_secret(creds.api_secret.expose())
        .send()
        .await?
        .into_inner()
        .data
        .and_then(|d| d.access_token)
        .ok_or("no access token")?;

    let session = api
        .digilocker_initiate_session()
        .authorization(token.as_str())
        .x_api_key(creds.api_key.as_str())
        .body(types::DigilockerInitiateSessionBody {
            consent_expiry: None,
            doc_types: vec![types::DigilockerInitiateSessionBodyDocTypesItem::Aadhaar],
            entity:
                types::DigilockerInitiateSessionBodyEntity::InCoSandboxKycDigilockerSessionRequest,
            flow: types::DigilockerInitiateSessionBodyFlow::Signin,
            options: None,
            redirect_url: "https://app.example/kyc/done".parse()?,
        })
        .send()
        .await?
        .into_inner();
    let id = session.data.session_id;

    // 3. Play the user: consent to the Aadhaar document. (Or open
    //    `session.data.authorization_url`, which approves and redirects.)
    sim.approve(&id, &["aadhaar"])?;

    // A transient failure the code under test should retry through.
    sim.inject(Fault::status(503).path("*/status").times(1));
    let status = loop {
        match api
            .digilocker_get_session_status()
            .session_id(id.as_str())
            .authorization(token.as_str())
            .x_api_key(creds.api_key.as_str())
            .send()
            .await
        {
            Ok(resp) => break resp.into_inner(),
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 503) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    assert_eq!(status.data.status, "succeeded");

    // 4. Fetch the document; its URL is a local "pre-signed" link.
    let doc = api
        .digilocker_get_document()
        .session_id(id.as_str())
        .doc_type(types::DigilockerGetDocumentDocType::Aadhaar)
        .authorization(token.as_str())
        .x_api_key(creds.api_key.as_str())
        .send()
        .await?
        .into_inner();
    let url = doc.data.files[0].url.clone().ok_or("no file url")?;
    let xml = reqwest::get(url).await?.text().await?;
    assert!(xml.contains("<UidData"));

    // 5. Assert on what the provider received.
    assert_eq!(
        sim.request_count("POST", "/kyc/digilocker/sessions/init"),
        1
    );
    let status_calls = sim.requests_to("GET", "/kyc/digilocker/sessions/*/status");
    assert_eq!(status_calls.len(), 2, "one 503, one retry");
    assert_eq!(status_calls[0].status, Some(503));
    let init = &sim.requests_to("POST", "/kyc/digilocker/sessions/init")[0];
    assert_eq!(
        init.body_json().ok_or("json body")?["doc_types"][0],
        "aadhaar"
    );
    // Secrets never reach the records.
    assert_eq!(init.header("authorization"), Some("[redacted]"));
    assert!(!format!("{init:?}").contains(&token));

    sim.shutdown().await;
    Ok(())
}
