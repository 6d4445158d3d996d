//! Wire contract of the three Eko operations: method, path, exact body or
//! query, headers, and a signature recomputed from the received timestamp.

use crate::eko_common as common;

use crate::common::typed;
use common::*;
use digilocker_kyc::eko::{
    CreateUrl, DocumentRequest, EkoClient, EkoDocType, StatusRequest, VerificationState,
};
use digilocker_kyc::generated::eko::mock::MockServerExt as _;
use digilocker_kyc::generated::eko::types::GetVerificationStatusClientRefId;
use httpmock::prelude::*;
use serde_json::json;

fn created_body() -> serde_json::Value {
    json!({
        "status": 0, "response_status_id": 0, "response_type_id": 1627,
        "message": "DigiLocker URL creation success",
        "data": {
            "reference_id": 123456,
            "url": "https://digilocker.example/link-verification?verification_id=123456",
            "document_requested": ["AADHAAR"],
            "redirect_url": "https://app.example/kyc/done?verification_id=123456"
        }
    })
}

#[tokio::test]
async fn create_url_sends_signed_exact_body() {
    let server = MockServer::start_async().await;
    let log = log();
    let m = server.create_digilocker_url(|when, then| {
        when.body(&typed(json!({
            "initiator_id": INITIATOR_ID,
            "user_code": USER_CODE,
            "client_ref_id": "REQ20260101001",
            "document_requested": ["AADHAAR"],
            "redirect_url": "https://app.example/kyc/done"
        })))
        .into_inner()
        .header("developer_key", DEVELOPER_KEY)
        .header("content-type", "application/json")
        .header_missing("api-version")
        .is_true(correctly_signed);
        then.into_inner()
            .respond_with(reply_json(&log, 200, created_body()));
    });
    let (eko, clock) = client(&server);

    let link = eko
        .create_url(
            CreateUrl::aadhaar("https://app.example/kyc/done")
                .unwrap()
                .client_ref_id("REQ20260101001"),
        )
        .await
        .unwrap();

    m.assert_calls_async(1).await;
    let seen = seen(&log);
    seen[0].assert_signed();
    assert_eq!(
        seen[0].header("secret-key-timestamp"),
        Some("1700000000000")
    );
    assert_eq!(seen[0].query, None);
    assert_eq!(
        clock.reads(),
        1,
        "one signature, no generated client_ref_id"
    );
    assert_eq!(link.reference_id.to_string(), "123456");
    assert_eq!(link.reference_id.as_i64(), Some(123456));
    assert_eq!(
        link.url,
        "https://digilocker.example/link-verification?verification_id=123456"
    );
    assert_eq!(link.client_ref_id, "REQ20260101001");
    assert_eq!(link.document_requested, vec!["AADHAAR"]);
}

#[tokio::test]
async fn create_url_generates_unique_client_ref_ids() {
    let server = MockServer::start_async().await;
    let log = log();
    server.create_digilocker_url(|when, then| {
        when.into_inner().is_true(correctly_signed);
        then.into_inner()
            .respond_with(reply_json(&log, 200, created_body()));
    });
    let (eko, _) = client(&server);
    let req = CreateUrl::aadhaar("https://app.example/kyc/done").unwrap();
    let a = eko.create_url(req.clone()).await.unwrap();
    let b = eko.create_url(req).await.unwrap();

    let seen = seen(&log);
    let sent: Vec<String> = seen
        .iter()
        .map(|s| s.json()["client_ref_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, vec![a.client_ref_id.clone(), b.client_ref_id.clone()]);
    assert_ne!(a.client_ref_id, b.client_ref_id);
    for id in &sent {
        assert!(id.len() <= 20 && !id.is_empty(), "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
    }
    // Body keys are exactly the documented ones.
    let keys: Vec<String> = seen[0]
        .json()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        vec![
            "client_ref_id",
            "document_requested",
            "initiator_id",
            "redirect_url",
            "user_code"
        ]
    );
}

#[tokio::test]
async fn user_code_is_omitted_when_not_configured() {
    let server = MockServer::start_async().await;
    let log = log();
    server.create_digilocker_url(|when, then| {
        when.body(&typed(json!({
            "initiator_id": INITIATOR_ID,
            "client_ref_id": "R1",
            "document_requested": ["AADHAAR"],
            "redirect_url": "https://app.example/kyc/done"
        })));
        then.into_inner()
            .respond_with(reply_json(&log, 200, created_body()));
    });
    let eko = EkoClient::builder()
        .developer_key(DEVELOPER_KEY)
        .access_key(ACCESS_KEY)
        .initiator_id(INITIATOR_ID)
        .base_url(server.base_url())
        .clock(|| T0)
        .build()
        .unwrap();
    eko.create_url(
        CreateUrl::aadhaar("https://app.example/kyc/done")
            .unwrap()
            .client_ref_id("R1"),
    )
    .await
    .unwrap();
    seen(&log)[0].assert_signed();
}

#[tokio::test]
async fn create_url_overrides_initiator_and_user_code() {
    let server = MockServer::start_async().await;
    let log = log();
    server.create_digilocker_url(|when, then| {
        when.body(&typed(json!({
            "initiator_id": "9000000001",
            "user_code": "99999999",
            "client_ref_id": "R2",
            "document_requested": ["AADHAAR", "PAN"],
            "redirect_url": "https://app.example/kyc/done?x=1"
        })));
        then.into_inner()
            .respond_with(reply_json(&log, 200, created_body()));
    });
    let (eko, _) = client(&server);
    eko.create_url(
        CreateUrl::new(
            "https://app.example/kyc/done?x=1",
            [EkoDocType::Aadhaar, EkoDocType::from("pan")],
        )
        .unwrap()
        .client_ref_id("R2")
        .initiator_id("9000000001")
        .user_code("99999999"),
    )
    .await
    .unwrap();
    seen(&log)[0].assert_signed();
}

fn status_body() -> serde_json::Value {
    json!({
        "status": 0, "response_status_id": 0, "response_type_id": 1628,
        "message": "DigiLocker Verification Status Retrieved",
        "data": {
            "user_details": { "name": "John Doe", "dob": "1990-05-15", "gender": "Male",
                              "eaadhaar": "Available", "mobile": "9876543210" },
            "document_requested": ["AADHAAR"],
            "document_consent": ["Y"]
        }
    })
}

#[tokio::test]
async fn status_sends_signed_exact_query() {
    let server = MockServer::start_async().await;
    let log = log();
    let m = server.get_verification_status(|when, then| {
        when.initiator_id("9962981729")
            .reference_id("123456")
            .client_ref_id(None)
            .into_inner()
            .header("developer_key", DEVELOPER_KEY)
            .header("content-type", "application/json")
            .header_missing("api-version")
            .is_true(correctly_signed)
            .is_true(|r| r.uri().query() == Some("initiator_id=9962981729&reference_id=123456"));
        then.into_inner()
            .respond_with(reply_json(&log, 200, status_body()));
    });
    let (eko, clock) = client(&server);

    let status = eko.status(123456_i64).await.unwrap();

    m.assert_calls_async(1).await;
    let seen = seen(&log);
    seen[0].assert_signed();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].query.as_deref(),
        Some("initiator_id=9962981729&reference_id=123456")
    );
    assert_eq!(seen[0].body, "");
    assert_eq!(clock.reads(), 1);
    assert_eq!(status.state, VerificationState::Consented);
    assert_eq!(status.reference_id.to_string(), "123456");
    let u = status.user_details.unwrap();
    assert_eq!(u.name.as_deref(), Some("John Doe"));
    assert_eq!(u.mobile.unwrap().expose(), "9876543210");
}

#[tokio::test]
async fn status_overrides_initiator_and_sends_client_ref_id() {
    let server = MockServer::start_async().await;
    let log = log();
    server.get_verification_status(|when, then| {
        when.initiator_id("9000000001")
            .reference_id("7483920")
            .client_ref_id(&"POLL1".parse::<GetVerificationStatusClientRefId>().unwrap())
            .into_inner()
            .is_true(correctly_signed)
            .is_true(|r| {
                r.uri().query()
                    == Some("client_ref_id=POLL1&initiator_id=9000000001&reference_id=7483920")
            });
        then.into_inner()
            .respond_with(reply_json(&log, 200, status_body()));
    });
    let (eko, _) = client(&server);
    eko.status(
        StatusRequest::new("7483920")
            .initiator_id("9000000001")
            .client_ref_id("POLL1"),
    )
    .await
    .unwrap();
    seen(&log)[0].assert_signed();
}

fn documents_body() -> serde_json::Value {
    json!({
        "status": 0, "response_status_id": 0, "message": "Documents retrieved successfully",
        "response_type_id": 1388,
        "data": {
            "verification_status": "SUCCESS",
            "documents": [{
                "document_type": "AADHAAR", "name": "Vikram Singh", "dob": "12-11-1987",
                "gender": "M", "masked_aadhaar": "XXXX-XXXX-2345", "photo": "/9j/4AAQSkZJRgABAQ",
                "issue_date": "01-01-2020",
                "address": { "house": "15B", "street": "Nehru Street", "village_or_city": "Chennai",
                             "district": "Chennai", "state": "Tamil Nadu", "pincode": "600001" }
            }]
        }
    })
}

#[tokio::test]
async fn document_sends_signed_exact_body() {
    let server = MockServer::start_async().await;
    let log = log();
    let m = server.get_document(|when, then| {
        when.body(&typed(json!({
            "initiator_id": INITIATOR_ID,
            "user_code": USER_CODE,
            "client_ref_id": "REQ20260101002",
            "document_type": ["AADHAAR"],
            "verification_id": "vrf_digilocker_abc123",
            "reference_id": "7483920"
        })))
        .into_inner()
        .header("developer_key", DEVELOPER_KEY)
        .header("content-type", "application/json")
        .header_missing("api-version")
        .is_true(correctly_signed);
        then.into_inner()
            .respond_with(reply_json(&log, 200, documents_body()));
    });
    let (eko, _) = client(&server);

    let docs = eko
        .document_with(
            DocumentRequest::new(7483920_i64, "vrf_digilocker_abc123", [EkoDocType::Aadhaar])
                .client_ref_id("REQ20260101002"),
        )
        .await
        .unwrap();

    m.assert_calls_async(1).await;
    let seen = seen(&log);
    seen[0].assert_signed();
    assert_eq!(seen[0].query, None);
    let a = docs.aadhaar().unwrap();
    assert_eq!(a.name.as_deref(), Some("Vikram Singh"));
    assert_eq!(a.aadhaar.as_ref().unwrap().expose(), "XXXX-XXXX-2345");
    assert_eq!(docs.verification_status.as_deref(), Some("SUCCESS"));
    assert_eq!(docs.verification_id, "vrf_digilocker_abc123");
}

#[tokio::test]
async fn document_generates_client_ref_id_and_accepts_overrides() {
    let server = MockServer::start_async().await;
    let log = log();
    server.get_document(|when, then| {
        when.into_inner()
            .is_true(correctly_signed)
            .json_body_includes(
                json!({"initiator_id": "9000000001", "user_code": "77777777"}).to_string(),
            );
        then.into_inner()
            .respond_with(reply_json(&log, 200, documents_body()));
    });
    let (eko, clock) = client(&server);
    eko.document_with(
        DocumentRequest::new("7483920", "vrf_1", [EkoDocType::Aadhaar])
            .initiator_id("9000000001")
            .user_code("77777777"),
    )
    .await
    .unwrap();
    let body = seen(&log)[0].json();
    let id = body["client_ref_id"].as_str().unwrap();
    assert!(!id.is_empty() && id.len() <= 20, "{id}");
    // One clock read for the generated id, one for the signature.
    assert_eq!(clock.reads(), 2);
    seen(&log)[0].assert_signed();
}
