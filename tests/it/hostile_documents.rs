//! A hostile server hands the flow crafted XML documents through a whole
//! Sandbox journey (session, status, document, download). Each is refused
//! with a typed error by the bounded reader, before any quadratic or
//! unbounded work: 80,000 attributes on one tag (RUSTSEC-2026-0194's shape),
//! a DTD with entities, nesting 100,000 deep.

use crate::common::typed;
use crate::sandbox_support as support;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;

use digilocker_kyc::Error;
use digilocker_kyc::flow::{DigiLocker, DocType};
use httpmock::prelude::*;
use serde_json::json;
use support::*;

/// A server that runs the journey and serves `xml` as the Aadhaar file.
async fn journey_serving(xml: String) -> (MockServer, DigiLocker) {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_initiate_session(|when, then| {
        authed(when.into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.response",
            "authorization_url": "https://digilocker.example/authorize?x=1",
            "session_id": SESSION
        }))));
    });
    server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": SESSION, "created_at": 1751975341292i64,
            "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "succeeded",
            "documents_consented": ["aadhaar"]
        }))));
    });
    let url = format!(
        "{}/s3/in.gov.uidai-ADHAR-1.xml?X-Amz-Signature=abc",
        server.base_url()
    );
    server.digilocker_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("aadhaar".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({ "files": [{
                "@entity": "org.quicko.drive.file", "url": url, "size": xml.len(),
                "metadata": { "ContentType": "application/xml", "issuer_id": "in.gov.uidai",
                              "issuer": "UIDAI", "LastModified": "09/05/2025",
                              "description": "Aadhaar Card" }
            }] }))));
    });
    server
        .mock_async(|when, then| {
            when.method(GET).path("/s3/in.gov.uidai-ADHAR-1.xml");
            then.status(200)
                .header("content-type", "application/xml")
                .body(xml);
        })
        .await;
    let kyc = DigiLocker::sandbox(client(&server));
    (server, kyc)
}

async fn documents_of(xml: String) -> Result<Vec<digilocker_kyc::flow::Document>, Error> {
    let (_server, kyc) = journey_serving(xml).await;
    let session = kyc
        .start([DocType::Aadhaar], "https://app.example/kyc/done")
        .await
        .unwrap();
    kyc.documents(&session).await
}

fn decode_message(e: &Error) -> String {
    match e {
        Error::Decode { message, .. } => message.clone(),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn eighty_thousand_attributes_are_refused_not_parsed() {
    let mut attrs = String::with_capacity(900_000);
    for i in 0..80_000 {
        attrs.push_str(&format!(" a{i}=\"1\""));
    }
    let xml = format!(
        "<Certificate><CertificateData><KycRes><UidData><Poi name=\"Asha\"{attrs}/></UidData></KycRes></CertificateData></Certificate>"
    );
    assert!(xml.len() > 700_000, "the attack's size: {}", xml.len());
    let e = documents_of(xml).await.unwrap_err();
    assert!(decode_message(&e).contains("attributes"), "{e}");
}

/// The verifier refuses the same tag before its parser (whose duplicate
/// check is quadratic in the attributes) sees it.
#[test]
fn the_verifier_counts_attributes_before_parsing() {
    use digilocker_kyc::verify::{TrustAnchors, VerifyError, VerifyPolicy, verify_document};
    let attrs: String = (0..80_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let xml = format!("<Certificate><Poi{attrs}/></Certificate>");
    let anchors = TrustAnchors::from_pem(include_str!("../fixtures/verify/root.pem")).unwrap();
    let e = verify_document(xml.as_bytes(), &anchors, &VerifyPolicy::default()).unwrap_err();
    assert!(
        matches!(&e, VerifyError::TooLarge(m) if m.contains("attributes")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_dtd_with_entities_is_refused() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE Certificate [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Certificate><CertificateData><KycRes><UidData><Poi name="&b;"/></UidData></KycRes></CertificateData></Certificate>"#;
    let e = documents_of(xml.to_string()).await.unwrap_err();
    let m = decode_message(&e);
    assert!(m.contains("DTD") || m.contains("DOCTYPE"), "{e}");
}

#[tokio::test]
async fn nesting_a_hundred_thousand_deep_is_refused() {
    let depth = 100_000;
    let xml = format!(
        "<Certificate>{}{}</Certificate>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let e = documents_of(xml).await.unwrap_err();
    assert!(decode_message(&e).contains("deep"), "{e}");
}

#[tokio::test]
async fn a_plain_document_still_reads() {
    let xml = "<Certificate><CertificateData><KycRes><UidData>\
               <Poi name=\"Asha Verma\" dob=\"01-01-1990\" gender=\"F\"/>\
               </UidData></KycRes></CertificateData></Certificate>";
    let docs = documents_of(xml.to_string()).await.unwrap();
    assert_eq!(docs[0].name.as_deref(), Some("Asha Verma"));
}
