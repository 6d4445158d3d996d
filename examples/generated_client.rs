//! The low-level generated client against a local mock server.
//!
//! Starts an httpmock server that answers like Sandbox's `/authenticate` and
//! verify endpoints, then calls verify through the generated client
//! (`digilocker_kyc::generated::sandbox`), taken from a `SandboxClient`: its
//! hooks fetch the access token and set the auth headers, so the call is the
//! operation exactly as the spec describes it. Everything stays on loopback;
//! no credentials are needed.
//!
//! Run: `cargo run --example generated_client`

use digilocker_kyc::generated::sandbox;
use httpmock::prelude::*;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/authenticate")
                .header("x-api-key", "key_test_example");
            then.status(200).json_body(json!({
                "code": 200,
                "data": { "access_token": "token-from-authenticate" }
            }));
        })
        .await;
    let verify = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/kyc/digilocker/user/verify")
                .header("x-api-key", "key_test_example")
                .header("authorization", "token-from-authenticate")
                .json_body(json!({
                    "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
                    "mobile": "9000000001"
                }));
            then.status(200).json_body(json!({
                "code": 200,
                "timestamp": 1_751_975_600_361_i64,
                "data": {
                    "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
                    "user_exists": true
                },
                "transaction_id": "00000000-0000-4000-8000-000000000001"
            }));
        })
        .await;

    let facade = digilocker_kyc::SandboxClient::builder()
        .api_key("key_test_example")
        .api_secret("secret_test_example")
        .base_url(server.base_url())
        .build()?;
    let client: &sandbox::Client = facade.generated();
    let body: sandbox::types::DigilockerVerifyUserAccountBody = serde_json::from_value(json!({
        "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
        "mobile": "9000000001"
    }))?;
    let response = client
        .digilocker_verify_user_account()
        .body(body)
        .send()
        .await?
        .into_inner();

    verify.assert_async().await;
    println!(
        "generated client -> {} verify: user_exists = {} (transaction {})",
        server.base_url(),
        response.data.user_exists,
        response.transaction_id
    );
    Ok(())
}
