//! The whole Eko DigiLocker flow against a local mock of Eko that checks
//! every request's signature:
//!
//! 1. create a consent link,
//! 2. (the user completes DigiLocker and is redirected back),
//! 3. parse the redirect, poll the status until it is final,
//! 4. fetch the Aadhaar document.
//!
//! Run with `cargo run --example eko_flow`. Nothing leaves the machine.

use digilocker_kyc::Secret;
use digilocker_kyc::eko::{CreateUrl, EkoCallback, EkoClient, EkoDocType, Signer};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const DEVELOPER_KEY: &str = "demo-developer-key";
const ACCESS_KEY: &str = "demo-access-key";

/// The mock's gatekeeper: the request must carry our developer key and a
/// `secret-key` that is the HMAC of its own `secret-key-timestamp`.
fn signed(signer: &Signer, req: &HttpMockRequest) -> bool {
    let header = |name: &str| {
        req.headers_vec()
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    match (
        header("developer_key"),
        header("secret-key-timestamp"),
        header("secret-key"),
    ) {
        (Some(dev), Some(ts), Some(sk)) => dev == DEVELOPER_KEY && signer.verify(&ts, &sk),
        _ => false,
    }
}

fn json_response(body: serde_json::Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start_async().await;
    let signer = Signer::new(&Secret::new(ACCESS_KEY));

    // Create URL.
    let s = signer.clone();
    let create_mock = server
        .mock_async(move |when, then| {
            when.method("POST")
                .path("/tools/kyc/digilocker")
                .is_true(move |r| signed(&s, r));
            then.json_body(json!({
                "status": 0, "response_status_id": 0, "response_type_id": 1627,
                "message": "DigiLocker URL creation success",
                "data": { "reference_id": 7483920,
                          "url": "https://digilocker.example/auth?session_id=demo",
                          "document_requested": ["AADHAAR"],
                          "redirect_url": "https://app.example/kyc/done" }
            }));
        })
        .await;

    // Status: pending on the first poll, consented afterwards.
    let polls = Arc::new(AtomicUsize::new(0));
    let (s, p) = (signer.clone(), polls.clone());
    let status_mock = server
        .mock_async(move |when, then| {
            when.method("GET")
                .path("/tools/kyc/digilocker/status")
                .query_param("reference_id", "7483920")
                .is_true(move |r| signed(&s, r));
            then.respond_with(move |_| {
                if p.fetch_add(1, Ordering::SeqCst) == 0 {
                    json_response(json!({
                        "status": 1, "response_status_id": -1,
                        "message": "Verification pending. User has not completed DigiLocker consent.",
                        "data": {}
                    }))
                } else {
                    json_response(json!({
                        "status": 0, "response_status_id": 0, "response_type_id": 1628,
                        "message": "DigiLocker Verification Status Retrieved",
                        "data": {
                            "user_details": { "name": "Asha Verma", "dob": "15-08-1990", "gender": "F",
                                              "eaadhaar": "Y", "mobile": "9876543210" },
                            "document_requested": ["AADHAAR"],
                            "document_consent": [{ "document_type": "AADHAAR", "consent": "Y" }]
                        }
                    }))
                }
            });
        })
        .await;

    // Get Document.
    let s = signer.clone();
    let document_mock = server
        .mock_async(move |when, then| {
            when.method("POST")
                .path("/tools/kyc/digilocker/document")
                .json_body_includes(
                    json!({"verification_id": "vrf_demo_1", "reference_id": "7483920"})
                        .to_string(),
                )
                .is_true(move |r| signed(&s, r));
            then.json_body(json!({
                "status": 0, "response_status_id": 0, "message": "Documents retrieved successfully",
                "data": { "verification_status": "SUCCESS", "documents": [{
                    "document_type": "AADHAAR", "name": "Asha Verma", "dob": "15-08-1990", "gender": "F",
                    "masked_aadhaar": "XXXX-XXXX-2345", "photo": "/9j/4AAQSkZJRgABAQEASABIAAD/2wBD",
                    "address": { "house": "15B", "street": "Nehru Street", "village_or_city": "Chennai",
                                 "district": "Chennai", "state": "Tamil Nadu", "pincode": "600001" } }] }
            }));
        })
        .await;

    let eko = EkoClient::builder()
        .developer_key(DEVELOPER_KEY)
        .access_key(ACCESS_KEY)
        .initiator_id("9962981729")
        .user_code("20810200")
        .base_url(server.base_url())
        .build()?;
    println!("client: {eko:?}");

    // 1. Create the consent link.
    let link = eko
        .create_url(CreateUrl::aadhaar("https://app.example/kyc/done")?)
        .await?;
    println!(
        "1. link created: reference_id={} client_ref_id={} url={}",
        link.reference_id, link.client_ref_id, link.url
    );

    // 2. The user completes DigiLocker; the browser lands on our redirect.
    let incoming = format!(
        "https://app.example/kyc/done?verification_id=vrf_demo_1&reference_id={}",
        link.reference_id
    );
    let cb = EkoCallback::from_url(&incoming)?;
    println!(
        "2. redirect received: verification_id={}",
        cb.verification_id
    );

    // 3. Poll until the verification is final.
    let status = loop {
        let status = eko.status(&link.reference_id).await?;
        println!("3. status: {}", status.state);
        if status.state.is_final() {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    if let Some(u) = &status.user_details {
        println!(
            "   user: {} (mobile {})",
            u.name.as_deref().unwrap_or("?"),
            u.mobile.as_ref().map(|m| m.masked()).unwrap_or_default()
        );
    }

    // 4. Fetch the Aadhaar document.
    let docs = eko
        .document(
            &link.reference_id,
            &cb.verification_id,
            [EkoDocType::Aadhaar],
        )
        .await?;
    let a = docs.aadhaar().ok_or("no Aadhaar document returned")?;
    println!("4. document: {}", a.doc_type);
    println!("   name:    {}", a.name.as_deref().unwrap_or("?"));
    println!(
        "   dob:     {}",
        a.dob
            .as_ref()
            .map(|d| match d.date {
                Some(date) => date.to_string(),
                None => d.raw.clone(),
            })
            .unwrap_or_default()
    );
    println!(
        "   aadhaar: {}",
        a.aadhaar.as_ref().map(|m| m.masked()).unwrap_or_default()
    );
    println!(
        "   address: {}",
        a.address.as_ref().map(|x| x.one_line()).unwrap_or_default()
    );
    println!("   photo:   {:?}", a.photo);

    // A mock only answers requests whose signature verifies, so every call
    // it counted was correctly signed.
    let signed_calls = create_mock.calls_async().await
        + status_mock.calls_async().await
        + document_mock.calls_async().await;
    println!(
        "summary: {signed_calls} requests, every signature verified by the mock \
         ({} status polls); state {}, {} document(s)",
        polls.load(Ordering::SeqCst),
        status.state,
        docs.documents.len()
    );
    Ok(())
}
