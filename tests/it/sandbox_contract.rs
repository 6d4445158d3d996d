//! Contract tests of the Sandbox facade: for every operation (the 17 of the
//! DigiLocker family and `/authenticate`), the method, path, headers and
//! exact JSON body on the wire, and the mapping of the documented response.

use crate::sandbox_support;

use crate::common::typed;
use chrono::NaiveDate;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;
use digilocker_kyc::generated::sandbox::rules::OPERATIONS;
use digilocker_kyc::sandbox::{
    CreateSdkSession, DocType, EntityDocType, Flow, SessionOptions, SessionStatus,
    StartEntitySession, StartSession, VerificationMethod, VerifiedBy, VerifyUser,
};
use httpmock::prelude::*;
use sandbox_support::*;
use serde_json::json;

/// Operations covered below, by generated operation id.
const COVERED: &[&str] = &[
    "authenticate",
    "digilocker_verify_user_account",
    "digilocker_initiate_session",
    "digilocker_get_session_status",
    "digilocker_get_document",
    "digilocker_get_user_profile",
    "digilocker_sdk_create_session",
    "digilocker_sdk_get_session_status",
    "digilocker_sdk_get_document",
    "digilocker_sdk_get_user_profile",
    "entitylocker_initiate_session",
    "entitylocker_get_session_status",
    "entitylocker_get_document",
    "entitylocker_get_entity_details",
    "entitylocker_get_user_profile",
    "entitylocker_sdk_create_session",
    "entitylocker_sdk_get_session_status",
    "entitylocker_sdk_get_document",
];

#[test]
fn every_generated_operation_has_a_facade_contract_test() {
    let mut generated: Vec<&str> = OPERATIONS.iter().map(|(id, _, _)| *id).collect();
    let mut covered = COVERED.to_vec();
    generated.sort_unstable();
    covered.sort_unstable();
    assert_eq!(generated, covered);
}

fn aadhaar_file() -> serde_json::Value {
    json!({
        "@entity": "org.quicko.drive.file",
        "url": "https://in-co-sandbox-kyc-digilocker-dev.s3.ap-south-1.amazonaws.com/non-persistent/w/s/in.gov.uidai-ADHAR-0d5f.xml?X-Amz-Expires=3600&X-Amz-Signature=8cc4b0e8",
        "size": 16598,
        "metadata": {
            "ContentType": "application/xml",
            "issuer_id": "in.gov.uidai",
            "issuer": "Unique Identification Authority of India (UIDAI)",
            "LastModified": "09/05/2025",
            "description": "Aadhaar Card"
        }
    })
}

fn company_file() -> serde_json::Value {
    json!({
        "@entity": "org.quicko.drive.file",
        "url": "https://bucket.example/non-persistent/w/s/in.gov.mca-CMD-1.pdf?X-Amz-Signature=1",
        "size": 2048,
        "metadata": {
            "ContentType": "application/pdf",
            "issuer_id": "in.gov.mca",
            "issuer": "Ministry of Corporate Affairs",
            "LastModified": "01/02/2025",
            "description": "Company Master Details"
        }
    })
}

#[tokio::test]
async fn authenticate_sends_key_secret_and_version_only() {
    let server = MockServer::start_async().await;
    let auth = server.authenticate(|when, then| {
        when.into_inner()
            .header("x-api-key", KEY)
            .header("x-api-secret", SECRET)
            .header("x-api-version", VERSION)
            .header_missing("authorization")
            .header_missing("api-version");
        then.ok(&typed(json!({
            "code": 200, "data": { "access_token": TOKEN.as_str() },
            "timestamp": 1750687659809i64, "transaction_id": "3a31716a"
        })));
    });
    let status = mock_status_ok(&server, &TOKEN).await;
    let sb = client(&server);
    sb.session_status(SESSION).await.unwrap();
    // The cached token serves the second call.
    sb.session_status(SESSION).await.unwrap();
    auth.assert_calls_async(1).await;
    status.assert_calls_async(2).await;
}

#[tokio::test]
async fn verify_user_sends_entity_and_both_identifiers() {
    let server = MockServer::start_async().await;
    let auth = mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_verify_user_account(|when, then| {
        authed(
            when.body(&typed(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
                "aadhaar_number": "234123412346",
                "mobile": "9687205427"
            })))
            .into_inner()
            .header("content-type", "application/json"),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
            "user_exists": true
        }))));
    });
    let req = VerifyUser::mobile("9687205427")
        .unwrap()
        .and_aadhaar("234123412346")
        .unwrap();
    assert!(client(&server).verify_user(req).await.unwrap());
    m.assert_async().await;
    auth.assert_async().await;
}

#[tokio::test]
async fn verify_user_by_mobile_only() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_verify_user_account(|when, then| {
        authed(
            when.body(&typed(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
                "mobile": "9999999999"
            })))
            .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
            "user_exists": false
        }))));
    });
    let exists = client(&server)
        .verify_user(VerifyUser::mobile("9999999999").unwrap())
        .await
        .unwrap();
    assert!(!exists);
    m.assert_async().await;
}

#[tokio::test]
async fn start_session_sends_the_documented_body() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let expiry = chrono::Utc::now() + chrono::Duration::hours(2);
    let body = typed(json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin",
        "redirect_url": "https://developer.sandbox.co.in/",
        "doc_types": ["aadhaar", "pan", "driving_license"],
        "options": {
            "verification_method": ["aadhaar"],
            "pinless": true,
            "usernameless": true,
            "verified_mobile": "9687205427"
        },
        "consent_expiry": expiry.timestamp_millis()
    }));
    let answer = typed(ok(json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.response",
        "authorization_url": "https://digilocker.meripehchaan.gov.in/public/oauth2/1/authorize?response_type=code&verified_mobile=9687205427",
        "session_id": SESSION
    })));
    let m = server.digilocker_initiate_session(|when, then| {
        authed(
            when.body(&body)
                .into_inner()
                .header("content-type", "application/json"),
            &TOKEN,
        );
        then.ok(&answer);
    });
    let req = StartSession::new(
        Flow::Signin,
        [DocType::Aadhaar, DocType::Pan, DocType::DrivingLicense],
        "https://developer.sandbox.co.in/",
    )
    .unwrap()
    .with_options(
        SessionOptions::new()
            .verification_methods([VerificationMethod::Aadhaar])
            .pinless(true)
            .usernameless(true)
            .verified_mobile("9687205427"),
    )
    .with_consent_expiry(expiry);
    let session = client(&server).start_session(req).await.unwrap();
    m.assert_async().await;
    assert_eq!(session.id, SESSION);
    assert!(
        session
            .authorization_url
            .starts_with("https://digilocker.meripehchaan.gov.in/")
    );
    assert_eq!(session.transaction_id, TXN);
}

#[tokio::test]
async fn start_session_minimal_body() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_initiate_session(|when, then| {
        authed(
            when.body(&typed(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.request",
                "flow": "signup",
                "doc_types": ["aadhaar", "pan"],
                "redirect_url": "https://sandbox.co.in"
            })))
            .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.response",
            "authorization_url": "https://digilocker.example/authorize?x=1",
            "session_id": SESSION
        }))));
    });
    let req = StartSession::new(
        Flow::Signup,
        [DocType::Aadhaar, DocType::Pan],
        "https://sandbox.co.in",
    )
    .unwrap();
    client(&server).start_session(req).await.unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn session_status_maps_consented_documents() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": SESSION, "created_at": 1751975341292i64, "updated_at": 1751975465494i64,
            "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "succeeded",
            "documents_consented": ["aadhaar", "pan", "driving_license"]
        }))));
    });
    let st = client(&server).session_status(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(st.status, SessionStatus::Succeeded);
    assert!(st.status.is_terminal());
    assert_eq!(st.updated_at, Some(1751975465494));
    assert_eq!(
        st.documents_consented,
        Some(vec![
            DocType::Aadhaar,
            DocType::Pan,
            DocType::DrivingLicense
        ])
    );
}

#[tokio::test]
async fn document_maps_files_and_metadata() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("aadhaar".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({ "files": [aadhaar_file()] }))));
    });
    let doc = client(&server)
        .document(SESSION, DocType::Aadhaar)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(doc.doc_type, DocType::Aadhaar);
    let f = &doc.files[0];
    assert_eq!(f.size, Some(16598));
    assert_eq!(f.content_type(), Some("application/xml"));
    let meta = f.metadata.as_ref().unwrap();
    assert_eq!(meta.issuer_id, "in.gov.uidai");
    assert_eq!(
        meta.last_modified_date(),
        NaiveDate::from_ymd_opt(2025, 5, 9)
    );
    assert_eq!(f.entity.as_deref(), Some("org.quicko.drive.file"));
}

/// A file listed without `url` is kept, without a link, beside the others:
/// on DigiLocker and on the DigiLocker SDK, whose schema requires `url`
/// (an override makes it optional, as on the other operations).
#[tokio::test]
async fn a_file_without_url_is_kept_without_a_link() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let mut linkless = aadhaar_file();
    linkless.as_object_mut().unwrap().remove("url");
    let files = json!({ "files": [linkless.clone(), aadhaar_file()] });
    server.digilocker_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("aadhaar".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(files.clone())));
    });
    server.digilocker_sdk_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("aadhaar".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(files)));
    });
    let sandbox = client(&server);
    let sdk = sandbox
        .sdk_document(SESSION, DocType::Aadhaar)
        .await
        .unwrap();
    let doc = sandbox.document(SESSION, DocType::Aadhaar).await.unwrap();
    for d in [&sdk, &doc] {
        assert_eq!(d.files.len(), 2, "the other file is kept");
        assert_eq!(d.files[0].url, None);
        assert_eq!(d.files[0].size, Some(16598));
        assert!(d.files[1].url.is_some());
    }
    // Downloading the linkless file is a typed error, nothing sent.
    let e = sandbox.download(&doc.files[0]).await.unwrap_err();
    assert!(
        matches!(e, digilocker_kyc::Error::InvalidInput { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn user_profile_accepts_epoch_ms_and_no_email() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_get_user_profile(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": "b5522c8f-2321-577b-8e73-ae1366d9c591",
            "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
            "date_of_birth": 1071145000000i64, "mobile": "9004813042",
            "name": "Anurag Bansal", "gender": "male", "eaadhaar": true
        }))));
    });
    let p = client(&server).user_profile(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(p.date_of_birth.date, NaiveDate::from_ymd_opt(2003, 12, 11));
    assert_eq!(p.date_of_birth.raw, "1071145000000");
    assert_eq!(p.email, None);
    assert_eq!(p.mobile.expose(), "9004813042");
    assert!(p.eaadhaar);
}

#[tokio::test]
async fn sdk_create_session_sends_the_documented_body() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_sdk_create_session(|when, then| {
        authed(
            when.body(&typed(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request",
                "flow": "signin",
                "doc_types": ["aadhaar", "pan"]
            })))
            .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.sdk.session",
            "id": "0454f149-26d0-41ef-9f14-c54f4b5f7b70",
            "status": "created", "created_at": 1750331120324i64
        }))));
    });
    let s = client(&server)
        .sdk_create_session(
            CreateSdkSession::new(Flow::Signin, [DocType::Aadhaar, DocType::Pan]).unwrap(),
        )
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(s.id, "0454f149-26d0-41ef-9f14-c54f4b5f7b70");
    assert_eq!(s.status, SessionStatus::Created);
    assert_eq!(s.created_at, Some(1750331120324));
}

#[tokio::test]
async fn sdk_session_status_keeps_unknown_statuses() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_sdk_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": SESSION, "created_at": 1752579445983i64, "updated_at": 1752579445983i64,
            "@entity": "in.co.sandbox.kyc.digilocker.sdk.session", "status": "on_hold"
        }))));
    });
    let st = client(&server).sdk_session_status(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(st.status, SessionStatus::Unknown("on_hold".into()));
    assert!(!st.status.is_terminal());
    assert_eq!(st.documents_consented, None);
}

#[tokio::test]
async fn sdk_document() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_sdk_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("driving_license".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({ "files": [aadhaar_file()] }))));
    });
    let doc = client(&server)
        .sdk_document(SESSION, DocType::DrivingLicense)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(doc.files.len(), 1);
}

#[tokio::test]
async fn sdk_user_profile_with_text_date() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.digilocker_sdk_get_user_profile(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": "b5522c8f", "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
            "date_of_birth": "18/08/2003", "mobile": "9004813042", "name": "Anurag Bansal",
            "gender": "male", "eaadhaar": true, "email": ""
        }))));
    });
    let p = client(&server).sdk_user_profile(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(p.date_of_birth.date, NaiveDate::from_ymd_opt(2003, 8, 18));
    assert_eq!(p.email, None, "an empty e-mail is no e-mail");
}

#[tokio::test]
async fn entity_start_session() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let expiry = chrono::Utc::now() + chrono::Duration::hours(3);
    let body = typed(json!({
        "@entity": "in.co.sandbox.kyc.entitylocker.session.request",
        "flow": "signup",
        "redirect_url": "https://app.example/kyc/done",
        "consent_expiry": expiry.timestamp_millis()
    }));
    let answer = typed(ok(json!({
        "@entity": "in.co.sandbox.kyc.entitylocker.session.response",
        "authorization_url": "https://entity.digilocker.gov.in/public/oauth2/1/authorize?state=abc",
        "session_id": "d3f8897e-0000-4000-8000-000000000001"
    })));
    let m = server.entitylocker_initiate_session(|when, then| {
        authed(when.body(&body).into_inner(), &TOKEN);
        then.ok(&answer);
    });
    let s = client(&server)
        .entity_start_session(
            StartEntitySession::new(Flow::Signup, "https://app.example/kyc/done")
                .unwrap()
                .with_consent_expiry(expiry),
        )
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(s.id, "d3f8897e-0000-4000-8000-000000000001");
}

#[tokio::test]
async fn entity_session_status() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": SESSION, "created_at": 1, "updated_at": 2,
            "@entity": "in.co.sandbox.kyc.entitylocker.session", "status": "succeeded",
            "documents_consented": ["company_master_details", "gstn_details"]
        }))));
    });
    let st = client(&server)
        .entity_session_status(SESSION)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(
        st.documents_consented,
        Some(vec![
            EntityDocType::CompanyMasterDetails,
            EntityDocType::GstnDetails
        ])
    );
}

#[tokio::test]
async fn entity_document() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_get_document(|when, then| {
        authed(
            when.session_id(SESSION)
                .doc_type("company_master_details".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({ "files": [company_file()] }))));
    });
    let doc = client(&server)
        .entity_document(SESSION, EntityDocType::CompanyMasterDetails)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(doc.files[0].content_type(), Some("application/pdf"));
}

#[tokio::test]
async fn entity_details() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_get_entity_details(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": "7f0c2d7e-1111-4222-8333-444455556666",
            "@entity": "in.co.sandbox.kyc.entitylocker.entity",
            "date_of_incorporation": "12/03/2015", "email": "ops@company.example",
            "mobile": "9876543210", "name": "Example Traders Pvt Ltd", "verified_by": "cin"
        }))));
    });
    let e = client(&server).entity_details(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(e.verified_by, VerifiedBy::Cin);
    assert_eq!(e.incorporation_date(), NaiveDate::from_ymd_opt(2015, 3, 12));
}

#[tokio::test]
async fn entity_user_profile() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_get_user_profile(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": "u-1", "@entity": "in.co.sandbox.kyc.entitylocker.user.profile",
            "date_of_birth": "16/04/2005", "mobile": "9876543210", "eaadhaar": false,
            "gender": "female", "name": "Asha Rao"
        }))));
    });
    let p = client(&server).entity_user_profile(SESSION).await.unwrap();
    m.assert_async().await;
    assert_eq!(p.date_of_birth.date, NaiveDate::from_ymd_opt(2005, 4, 16));
}

#[tokio::test]
async fn entity_sdk_create_session() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_sdk_create_session(|when, then| {
        authed(
            when.body(&typed(json!({
                "@entity": "in.co.sandbox.kyc.entitylocker.sdk.session.request",
                "flow": "signin",
                "doc_types": ["gstn_details", "udhyam_certificate"]
            })))
            .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.entitylocker.sdk.session",
            "id": "e-1", "status": "created", "created_at": 1750331120324i64
        }))));
    });
    let s = client(&server)
        .entity_sdk_create_session(
            CreateSdkSession::new(
                Flow::Signin,
                [EntityDocType::GstnDetails, EntityDocType::UdhyamCertificate],
            )
            .unwrap(),
        )
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(s.id, "e-1");
}

#[tokio::test]
async fn entity_sdk_session_status_sends_no_version_header() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_sdk_get_session_status(|when, then| {
        authed_no_version(when.session_id(SESSION).into_inner(), &TOKEN);
        then.ok(&typed(ok(json!({
            "id": SESSION, "created_at": 1,
            "@entity": "in.co.sandbox.kyc.entitylocker.sdk.session", "status": "initialized"
        }))));
    });
    let st = client(&server)
        .entity_sdk_session_status(SESSION)
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(st.status, SessionStatus::Initialized);
}

#[tokio::test]
async fn entity_sdk_document_sends_no_version_header() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let m = server.entitylocker_sdk_get_document(|when, then| {
        authed_no_version(
            when.session_id(SESSION)
                .doc_type("udhyam_certificate".parse().unwrap())
                .into_inner(),
            &TOKEN,
        );
        then.ok(&typed(ok(json!({ "files": [company_file()] }))));
    });
    client(&server)
        .entity_sdk_document(SESSION, EntityDocType::UdhyamCertificate)
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn no_version_header_unless_configured() {
    let server = MockServer::start_async().await;
    let auth = server.authenticate(|when, then| {
        when.into_inner().header_missing("x-api-version");
        then.ok(&typed(
            json!({ "data": { "access_token": TOKEN.as_str() } }),
        ));
    });
    let m = server.digilocker_get_user_profile(|when, then| {
        when.session_id(SESSION)
            .into_inner()
            .header("authorization", TOKEN.as_str())
            .header_missing("x-api-version")
            .header_missing("api-version");
        then.ok(&typed(ok(json!({
            "id": "u", "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
            "date_of_birth": "01/01/2000", "mobile": "9004813042", "name": "N",
            "gender": "male", "eaadhaar": false
        }))));
    });
    let sb = builder(&server).build().unwrap();
    sb.user_profile(SESSION).await.unwrap();
    auth.assert_async().await;
    m.assert_async().await;
}

/// An envelope written with integral floats (`"code": 200.0`, a timestamp
/// as `1.7e12`) decodes as the integers they are; a fractional one does not.
#[tokio::test]
async fn envelope_numbers_written_as_floats() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        // Floats where the generated types have integers: raw JSON.
        then.into_inner().status(200).json_body(json!({
            "code": 200.0, "timestamp": 1.7519756e12, "transaction_id": "t-1",
            "data": {
                "id": SESSION, "created_at": 1751975341292.0, "updated_at": 1751975465494i64,
                "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "succeeded",
                "documents_consented": ["aadhaar"]
            }
        }));
    });
    let st = client(&server).session_status(SESSION).await.unwrap();
    assert_eq!(st.status, SessionStatus::Succeeded);
    assert_eq!(st.created_at, 1751975341292);

    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        // Floats where the generated types have integers: raw JSON.
        then.into_inner().status(200).json_body(json!({
            "code": 200.5, "timestamp": 1751975600361i64, "transaction_id": "t-1",
            "data": {
                "id": SESSION, "created_at": 1751975341292i64,
                "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "succeeded"
            }
        }));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(matches!(e, digilocker_kyc::Error::Decode { .. }), "{e:?}");
}
