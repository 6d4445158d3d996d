//! Every documented response variant decodes (reference notes, the seed
//! pages, the spec's own examples), into the expected typed outcome.

use crate::eko_common as common;

use chrono::NaiveDate;
use common::*;
use digilocker_kyc::eko::{
    CreateUrl, DocumentShape, EkoClient, EkoDocType, EkoDocuments, EkoLink, EkoStatus, Photo,
    VerificationState,
};
use digilocker_kyc::{Error, NotReadyReason};
use httpmock::prelude::*;
use serde_json::{Value, json};

async fn answer(body: Value) -> (MockServer, EkoClient) {
    let server = MockServer::start_async().await;
    let log = log();
    server
        .mock_async(|when, then| {
            when.is_true(correctly_signed);
            then.respond_with(reply_json(&log, 200, body));
        })
        .await;
    let (eko, _) = client(&server);
    (server, eko)
}

async fn create(body: Value) -> Result<EkoLink, Error> {
    let (_s, eko) = answer(body).await;
    eko.create_url(CreateUrl::aadhaar("https://app.example/done").unwrap())
        .await
}

async fn status(body: Value) -> Result<EkoStatus, Error> {
    let (_s, eko) = answer(body).await;
    eko.status(123456_i64).await
}

async fn document(body: Value) -> Result<EkoDocuments, Error> {
    let (_s, eko) = answer(body).await;
    eko.document(7483920_i64, "vrf_digilocker_abc123", [EkoDocType::Aadhaar])
        .await
}

// ---- Create URL ----

#[tokio::test]
async fn create_markdown_sample_with_integer_reference() {
    let link = create(json!({
        "status": 0, "response_status_id": 0, "response_type_id": 1627,
        "message": "DigiLocker URL creation success",
        "data": { "reference_id": 123456,
                  "url": "https://digilocker.gov.in/link-verification?verification_id=123456",
                  "document_requested": ["AADHAAR"],
                  "redirect_url": "https://your-redirect-url.com/verification-status?verification_id=123456" }
    }))
    .await
    .unwrap();
    assert_eq!(link.reference_id.to_string(), "123456");
    assert_eq!(link.verification_id, None);
}

#[tokio::test]
async fn create_platform_sample_and_string_reference_with_passthrough() {
    let link = create(json!({
        "status": 0, "response_status_id": 0, "message": "DigiLocker URL created successfully",
        "response_type_id": 1388,
        "data": { "reference_id": 7483920, "url": "https://digilocker.gov.in/auth?session_id=abc123xyz",
                  "document_requested": ["AADHAAR"], "redirect_url": "https://yourapp.com/kyc/callback" }
    }))
    .await
    .unwrap();
    assert_eq!(link.reference_id.as_str(), "7483920");

    let link = create(json!({
        "status": 0,
        "data": { "reference_id": "7483920", "verification_id": "vrf_digilocker_abc123",
                  "status": "PENDING", "url": "https://digilocker.example/auth" }
    }))
    .await
    .unwrap();
    assert_eq!(link.reference_id.as_i64(), Some(7483920));
    assert_eq!(
        link.verification_id.as_deref(),
        Some("vrf_digilocker_abc123")
    );
    assert_eq!(link.upstream_status.as_deref(), Some("PENDING"));
    // Not echoed: the documents sent are reported.
    assert_eq!(link.document_requested, vec!["AADHAAR"]);
}

#[tokio::test]
async fn create_invalid_redirect_is_a_provider_error() {
    let e = create(json!({"status":1,"response_status_id":301,"message":"Invalid redirect URL provided.","response_type_id":1388,"data":{}}))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(
        (p.code, p.response_status_id, p.response_type_id),
        (Some(1), Some(301), Some(1388))
    );
    assert_eq!(p.message, "Invalid redirect URL provided.");
}

#[tokio::test]
async fn create_success_without_reference_is_a_decode_error() {
    let e = create(json!({"status": 0, "data": {"url": "https://x.example"}}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message, .. } if message.contains("reference_id")),
        "{e:?}"
    );
}

// ---- Verification status ----

#[tokio::test]
async fn status_markdown_sample_string_consent() {
    let s = status(json!({
        "status": 0, "response_status_id": 0, "response_type_id": 1628,
        "message": "DigiLocker Verification Status Retrieved",
        "data": {
            "user_details": { "name": "John Doe", "dob": "1990-05-15", "gender": "Male", "eaadhaar": "Available", "mobile": "9876543210" },
            "document_requested": ["AADHAAR"],
            "document_consent": ["Y"]
        }
    }))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Consented);
    let u = s.user_details.as_ref().unwrap();
    assert_eq!(
        u.dob.as_ref().unwrap().date,
        NaiveDate::from_ymd_opt(1990, 5, 15)
    );
    assert_eq!(u.gender.as_deref(), Some("Male"));
    assert_eq!(u.eaadhaar.as_deref(), Some("Available"));
    assert_eq!(s.document_consent[0].consent.as_deref(), Some("Y"));
    assert_eq!(s.document_consent[0].granted(), Some(true));
    assert_eq!(s.response_type_id, Some(1628));
}

#[tokio::test]
async fn status_platform_sample_object_consent() {
    let s = status(json!({
        "status": 0, "response_status_id": 0, "message": "Verification status fetched successfully", "response_type_id": 1389,
        "data": { "user_details": { "name": "Rahul Sharma", "dob": "15-08-1990", "gender": "M", "eaadhaar": "Y", "mobile": "98XXXXXXXX" },
                  "document_requested": ["AADHAAR"],
                  "document_consent": [ { "document_type": "AADHAAR", "consent": "Y" } ] }
    }))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Consented);
    let u = s.user_details.as_ref().unwrap();
    assert_eq!(
        u.dob.as_ref().unwrap().date,
        NaiveDate::from_ymd_opt(1990, 8, 15)
    );
    assert_eq!(u.dob.as_ref().unwrap().raw, "15-08-1990");
    assert_eq!(
        s.document_consent[0].document_type.as_deref(),
        Some("AADHAAR")
    );
    assert_eq!(s.document_consent[0].granted(), Some(true));
}

#[tokio::test]
async fn status_upstream_consent_list_of_document_types() {
    let s = status(json!({
        "status": 0,
        "data": { "user_details": { "name": "A" }, "document_consent": ["AADHAAR"],
                  "reference_id": "123456", "verification_id": "v1", "status": "AUTHENTICATED" }
    }))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Consented);
    assert_eq!(
        s.document_consent[0].document_type.as_deref(),
        Some("AADHAAR")
    );
    assert_eq!(s.document_consent[0].granted(), Some(true));
    assert_eq!(s.verification_id.as_deref(), Some("v1"));
}

#[tokio::test]
async fn status_pending_forms() {
    // Empty user_details with an upstream PENDING.
    let s = status(json!({
        "status": 0, "response_status_id": -1, "response_type_id": 1628,
        "message": "DigiLocker Verification Status Retrieved",
        "data": { "user_details": {}, "document_requested": ["AADHAAR"], "document_consent": [],
                  "status": "PENDING", "reference_id": 123456 }
    }))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Pending);
    assert_eq!(s.user_details, None);

    // Empty user_details alone.
    let s = status(json!({"status": 0, "data": {"user_details": {}}}))
        .await
        .unwrap();
    assert!(s.is_pending());
    // Only blank fields count as empty.
    let s = status(json!({"status": 0, "data": {"user_details": {"name": " ", "mobile": ""}}}))
        .await
        .unwrap();
    assert!(s.is_pending());
    // No data at all.
    assert!(status(json!({"status": 0})).await.unwrap().is_pending());

    // The documented pending envelope (status 1, response_status_id -1).
    let s = status(json!({"status":1,"response_status_id":-1,
        "message":"Verification pending. User has not completed DigiLocker consent.","data":{}}))
    .await
    .unwrap();
    assert!(s.is_pending());
    assert_eq!(s.code, 1);
    // 327 without the word.
    let s = status(json!({"status": 1, "response_status_id": 327, "message": "Enrollment done"}))
        .await
        .unwrap();
    assert!(s.is_pending());
}

#[tokio::test]
async fn status_final_states() {
    for (upstream, state) in [
        ("EXPIRED", VerificationState::Expired),
        ("CONSENT_DENIED", VerificationState::Denied),
        ("AUTHENTICATED", VerificationState::Consented),
        (
            "SOMETHING_NEW",
            VerificationState::Unknown("SOMETHING_NEW".into()),
        ),
    ] {
        let s = status(json!({"status": 0, "data": {"user_details": {}, "status": upstream}}))
            .await
            .unwrap();
        assert_eq!(s.state, state, "{upstream}");
    }
    let s = status(json!({"status": 0, "data": {"user_details": {"name": "A"},
        "document_consent": [{"document_type": "AADHAAR", "consent": "N"}]}}))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Denied);
    let s = status(json!({"status": 1, "message": "Digilocker consent session expired"}))
        .await
        .unwrap();
    assert_eq!(s.state, VerificationState::Expired);
}

#[tokio::test]
async fn status_invalid_reference_is_an_error() {
    let e = status(
        json!({"status":1,"response_status_id":-1,"message":"Invalid reference_id","data":{}}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.message == "Invalid reference_id"),
        "{e:?}"
    );
}

// ---- Get Document ----

#[tokio::test]
async fn document_list_shape() {
    let d = document(json!({
        "status": 0, "response_status_id": 0, "message": "Documents retrieved successfully", "response_type_id": 1388,
        "data": { "verification_status": "SUCCESS", "documents": [ {
            "document_type": "AADHAAR", "name": "Vikram Singh", "dob": "12-11-1987", "gender": "M",
            "masked_aadhaar": "XXXX-XXXX-2345", "photo": "/9j/4AAQSkZJRgABAQ...", "issue_date": "01-01-2020",
            "address": { "house": "15B", "street": "Nehru Street", "village_or_city": "Chennai", "district": "Chennai", "state": "Tamil Nadu", "pincode": "600001" } } ] }
    }))
    .await
    .unwrap();
    assert_eq!(d.documents.len(), 1);
    let a = d.aadhaar().unwrap();
    assert_eq!(a.shape, DocumentShape::List);
    assert_eq!(a.doc_type, EkoDocType::Aadhaar);
    assert_eq!(
        a.dob.as_ref().unwrap().date,
        NaiveDate::from_ymd_opt(1987, 11, 12)
    );
    assert_eq!(a.issue_date.as_deref(), Some("01-01-2020"));
    let addr = a.address.as_ref().unwrap();
    assert_eq!(addr.village_or_city.as_deref(), Some("Chennai"));
    assert_eq!(addr.pincode.as_deref(), Some("600001"));
    // The sample's photo ends in "...": kept, but not decodable.
    assert!(matches!(a.photo, Some(Photo::Unreadable(_))));
    assert_eq!(d.reference_id.to_string(), "7483920");
}

#[tokio::test]
async fn document_flat_shape_with_link_and_integer_reference() {
    let d = document(json!({
        "status": 0, "response_status_id": 0, "response_type_id": 1630, "message": "DigiLocker Document Retrieved",
        "data": {
            "care_of": "John Doe's Father", "dob": "1990-05-15", "gender": "Male", "name": "John Doe",
            "photo_link": "https://link_to_photo.com",
            "split_address": { "country": "India", "dist": "Delhi", "house": "123", "landmark": "Near Central Park",
                "pincode": "110001", "po": "New Delhi", "state": "Delhi", "street": "MG Road", "subdist": "Central", "vtc": "Delhi" },
            "uid": "123456789012",
            "reference_id": 123456
        }
    }))
    .await
    .unwrap();
    let a = d.aadhaar().unwrap();
    assert_eq!(a.shape, DocumentShape::Flat);
    assert_eq!(a.care_of.as_deref(), Some("John Doe's Father"));
    assert_eq!(a.aadhaar.as_ref().unwrap().expose(), "123456789012");
    assert_eq!(
        a.photo.as_ref().unwrap().link(),
        Some("https://link_to_photo.com")
    );
    let addr = a.address.as_ref().unwrap();
    assert_eq!(addr.district.as_deref(), Some("Delhi"));
    assert_eq!(addr.post_office.as_deref(), Some("New Delhi"));
    assert_eq!(addr.sub_district.as_deref(), Some("Central"));
    assert!(
        addr.one_line()
            .starts_with("123, MG Road, Near Central Park")
    );
}

#[tokio::test]
async fn document_flat_shape_with_inline_photo_and_xml() {
    let d = document(json!({
        "status": 0,
        "data": { "name": "A", "uid": "xxxxxxxx5647", "photo_link": "/9j/4AAQSkZJRg==",
                  "status": "SUCCESS", "xml_file": "https://files.example/a.xml?sig=abc",
                  "verification_id": "vrf_digilocker_abc123", "reference_id": "7483920" }
    }))
    .await
    .unwrap();
    let a = &d.documents[0];
    assert_eq!(a.photo.as_ref().unwrap().bytes().map(<[u8]>::len), Some(10));
    assert_eq!(
        d.xml_file.as_ref().unwrap().expose(),
        "https://files.example/a.xml?sig=abc"
    );
}

#[tokio::test]
async fn document_pending_forms_are_not_ready() {
    for body in [
        json!({"status":1,"response_status_id":327,"message":"Verification pending. Customer has not completed DigiLocker consent.","response_type_id":1388,"data":{}}),
        json!({"status":0,"data":{"verification_status":"PENDING","documents":[]}}),
        json!({"status":0,"data":{}}),
        json!({"status":0}),
    ] {
        let e = document(body.clone()).await.unwrap_err();
        assert!(
            matches!(
                &e,
                Error::NotReady {
                    reason: NotReadyReason::Pending,
                    ..
                }
            ),
            "{body}: {e:?}"
        );
        assert!(e.is_transient());
    }
    let e = document(json!({"status":1,"response_status_id":327,"message":"Verification pending. Customer has not completed DigiLocker consent.","response_type_id":1388,"data":{}}))
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.response_status_id, Some(327));
    assert!(e.to_string().contains("Customer has not completed"));
}

#[tokio::test]
async fn document_refusals_are_errors() {
    let e = document(json!({"status":1,"response_status_id":463,"message":"Invalid reference ID. Please check and retry.","response_type_id":1388,"data":{}}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.code == Some(1) && p.response_status_id == Some(463)),
        "{e:?}"
    );
    let e = document(json!({"status": 0, "data": {"status": "AADHAAR_NOT_LINKED"}}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.message.contains("AADHAAR_NOT_LINKED")),
        "{e:?}"
    );
    let e = document(json!({"status": 1, "message": "Consent denied by user"}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::NotReady {
                reason: NotReadyReason::ConsentMissing,
                ..
            }
        ),
        "{e:?}"
    );
}

// ---- Every example in our spec ----

/// Each response example of `openapi/eko-digilocker.yaml`, as prepared by
/// build.rs, goes through the facade to the outcome its name announces. A new
/// example without an expectation fails here, so the list stays complete.
#[tokio::test]
async fn every_spec_example_decodes_to_its_outcome() {
    let spec: Value =
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/eko_prepared.json"))).unwrap();
    let mut checked = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (_method, op) in ops.as_object().unwrap() {
            let examples = op["responses"]["200"]["content"]["application/json"]["examples"]
                .as_object()
                .unwrap();
            for (name, ex) in examples {
                let body = ex["value"].clone();
                let outcome = match path.as_str() {
                    "/tools/kyc/digilocker" => create(body).await.map(|_| "ok".to_string()),
                    "/tools/kyc/digilocker/status" => {
                        status(body).await.map(|s| s.state.to_string())
                    }
                    "/tools/kyc/digilocker/document" => {
                        document(body).await.map(|_| "ok".to_string())
                    }
                    other => panic!("unexpected path {other}"),
                };
                let got = match &outcome {
                    Ok(s) => s.clone(),
                    Err(Error::Provider(_)) => "provider".into(),
                    Err(Error::NotReady { .. }) => "not ready".into(),
                    Err(e) => panic!("{path} {name}: {e:?}"),
                };
                let want = match name.as_str() {
                    n if n.starts_with("created") => "ok",
                    n if n.starts_with("consented") => "consented",
                    "documents_list" | "flat_record" => "ok",
                    "pending" if path.ends_with("status") => "pending",
                    "pending_empty_details" => "pending",
                    "pending" => "not ready",
                    n if n.starts_with("invalid") => "provider",
                    other => panic!("{path}: no expectation for example {other:?}"),
                };
                assert_eq!(got, want, "{path} example {name}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 14);
}

// ---- Numbers in another writing ----

/// Envelope integers written as strings (`"status": "0"`) mean what they
/// say; an integral float anywhere reads as the integer.
#[tokio::test]
async fn envelope_numbers_as_strings_or_integral_floats() {
    let s = status(json!({
        "status": "0", "response_status_id": "0", "response_type_id": 1628.0,
        "message": "DigiLocker Verification Status Retrieved",
        "data": {
            "user_details": { "name": "John Doe", "dob": "1990-05-15", "gender": "Male", "eaadhaar": "Available", "mobile": "9876543210" },
            "document_requested": ["AADHAAR"],
            "document_consent": ["Y"]
        }
    }))
    .await
    .unwrap();
    assert_eq!(s.state, VerificationState::Consented);
    assert_eq!(s.response_type_id, Some(1628));

    // A string that is not a number stays an error, and a failure status
    // written as a string is still a failure.
    let e = status(json!({
        "status": "zero", "response_status_id": 0, "message": "x", "data": {}
    }))
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    let e = status(json!({
        "status": "463", "response_status_id": "1", "message": "Invalid reference", "data": null
    }))
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::Provider(ref p) if p.code == Some(463)),
        "{e:?}"
    );
}
