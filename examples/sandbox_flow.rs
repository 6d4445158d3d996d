//! The whole DigiLocker flow through the Sandbox facade, against a local
//! mock server that answers like Sandbox (and like S3 for the file link).
//!
//! verify user -> start session -> (user consents) -> poll status until
//! final -> fetch the Aadhaar document -> download its file -> profile.
//!
//! Everything stays on loopback; no credentials are needed.
//!
//! Run: `cargo run --example sandbox_flow`

use digilocker_kyc::flow::{PollPolicy, poll_until};
use digilocker_kyc::sandbox::{
    DocType, Flow, SandboxClient, SessionOptions, StartSession, VerifyUser,
};
use httpmock::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

const SESSION: &str = "f1bd0342-cc1d-4051-8301-e8ee17e3a3c3";

fn ok(data: Value) -> Value {
    json!({ "code": 200, "timestamp": 1_751_975_600_361_i64, "data": data,
            "transaction_id": "a11c4e00-fae1-4092-a55f-b4f0be92ffeb" })
}

/// Teach the mock server the Sandbox endpoints this flow uses.
async fn mock_sandbox(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/authenticate")
                .header("x-api-key", "key_test_example")
                .header("x-api-secret", "secret_test_example");
            then.status(200)
                .json_body(json!({ "code": 200, "data": { "access_token": "example-token" } }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/kyc/digilocker/user/verify")
                .header("authorization", "example-token");
            then.status(200).json_body(ok(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
                "user_exists": true
            })));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/kyc/digilocker/sessions/init");
            then.status(200).json_body(ok(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.response",
                "authorization_url": "https://digilocker.meripehchaan.gov.in/public/oauth2/1/authorize?response_type=code&state=example",
                "session_id": SESSION
            })));
        })
        .await;
    // The user takes a moment: two polls see "created", then "succeeded".
    let status = format!("/kyc/digilocker/sessions/{SESSION}/status");
    let pending = server
        .mock_async(|when, then| {
            when.method(GET).path(status.clone());
            then.status(200).json_body(ok(json!({
                "id": SESSION, "created_at": 1_751_975_341_292_i64,
                "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "created"
            })));
        })
        .await;
    pending.up_to_n_times_async(2).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(status.clone());
            then.status(200).json_body(ok(json!({
                "id": SESSION, "created_at": 1_751_975_341_292_i64,
                "updated_at": 1_751_975_465_494_i64,
                "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "succeeded",
                "documents_consented": ["aadhaar", "pan"]
            })));
        })
        .await;
    let file_url =
        server.url("/s3/in.gov.uidai-ADHAR-example.xml?X-Amz-Expires=3600&X-Amz-Signature=example");
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!(
                "/kyc/digilocker/sessions/{SESSION}/documents/aadhaar"
            ));
            then.status(200).json_body(ok(json!({ "files": [{
                "@entity": "org.quicko.drive.file",
                "url": file_url,
                "size": 108,
                "metadata": {
                    "ContentType": "application/xml", "issuer_id": "in.gov.uidai",
                    "issuer": "Unique Identification Authority of India (UIDAI)",
                    "LastModified": "09/05/2025", "description": "Aadhaar Card"
                }
            }] })));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/s3/in.gov.uidai-ADHAR-example.xml")
                .header_missing("authorization");
            then.status(200).body(
                r#"<Certificate><CertificateData><KycRes><UidData uid="xxxxxxxx1234"/></KycRes></CertificateData></Certificate>"#,
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/kyc/digilocker/sessions/{SESSION}/user/profile"));
            then.status(200).json_body(ok(json!({
                "id": "b5522c8f-2321-577b-8e73-ae1366d9c591",
                "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
                "date_of_birth": "18/08/2003", "mobile": "9000000001",
                "name": "Example User", "gender": "male", "eaadhaar": true, "email": ""
            })));
        })
        .await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start_async().await;
    mock_sandbox(&server).await;

    // In production: `SandboxClient::from_env()?` (SANDBOX_API_KEY, ...).
    let sb = SandboxClient::builder()
        .api_key("key_test_example")
        .api_secret("secret_test_example")
        .base_url(server.base_url())
        .build()?;
    println!("client: {sb:?}\n");

    let exists = sb.verify_user(VerifyUser::mobile("9000000001")?).await?;
    let flow = if exists { Flow::Signin } else { Flow::Signup };
    println!("1. DigiLocker account exists: {exists} -> flow {flow}");

    let session = sb
        .start_session(
            StartSession::new(
                flow,
                [DocType::Aadhaar, DocType::Pan],
                "https://app.example/kyc/done",
            )?
            .with_options(SessionOptions::new().pinless(true)),
        )
        .await?;
    println!(
        "2. session {} started; send the user to {}",
        session.id, session.authorization_url
    );

    let policy = PollPolicy::fixed(Duration::from_millis(50), Duration::from_secs(10));
    let state = poll_until(
        &policy,
        || sb.session_status(&session.id),
        |p| match p.last {
            Ok(s) => println!("3. poll #{}: {}", p.attempt, s.status),
            Err(e) => println!("3. poll #{}: {e}", p.attempt),
        },
    )
    .await?;
    println!(
        "   final: {} (consented: {:?})",
        state.status,
        state.documents_consented.as_deref().unwrap_or_default()
    );
    if !state.status.is_success() {
        return Err(format!("session ended {}", state.status).into());
    }

    let doc = sb.document(&session.id, DocType::Aadhaar).await?;
    let file = &doc.files[0];
    println!(
        "4. {} file(s); first: {} ({}, {} bytes reported)",
        doc.files.len(),
        file.metadata
            .as_ref()
            .map_or("?", |m| m.description.as_str()),
        file.content_type().unwrap_or("?"),
        file.size.unwrap_or(0)
    );
    let bytes = file.download(&sb).await?;
    println!(
        "5. downloaded {} bytes from the pre-signed link",
        bytes.len()
    );

    let profile = sb.user_profile(&session.id).await?;
    println!(
        "6. profile: {}, born {}, mobile {}, e-Aadhaar {}",
        profile.name,
        profile
            .date_of_birth
            .date
            .map_or_else(|| "?".to_string(), |d| d.to_string()),
        profile.mobile,
        profile.eaadhaar
    );
    println!("\nsummary: {profile:#?}");
    Ok(())
}
