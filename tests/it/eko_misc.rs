//! Configuration, the redirect callback, client_ref_id uniqueness, and what
//! `Debug` and tracing may show.

use crate::tracing_capture;
use digilocker_kyc::generated::eko::mock::MockServerExt as _;
use tracing_capture::Capture;

use crate::eko_common as common;

use common::*;
use digilocker_kyc::eko::{
    CreateUrl, ENV_ACCESS_KEY, ENV_BASE_URL, ENV_DEVELOPER_KEY, ENV_INITIATOR_ID, ENV_USER_CODE,
    EkoCallback, EkoClient, EkoClientBuilder, EkoDocType, PRODUCTION_BASE_URL, UAT_BASE_URL,
    VerificationState, generate_client_ref_id,
};
use digilocker_kyc::{Error, Secret};
use httpmock::prelude::*;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

// ---- Configuration ----

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

const REQUIRED: [(&str, &str); 3] = [
    (ENV_DEVELOPER_KEY, DEVELOPER_KEY),
    (ENV_ACCESS_KEY, ACCESS_KEY),
    (ENV_INITIATOR_ID, INITIATOR_ID),
];

#[test]
fn env_configuration_and_presets() {
    let eko = EkoClientBuilder::from_lookup(vars(&REQUIRED))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(eko.base_url(), UAT_BASE_URL);

    for (value, want) in [
        ("production", PRODUCTION_BASE_URL),
        ("PROD", PRODUCTION_BASE_URL),
        ("uat", UAT_BASE_URL),
        ("staging", UAT_BASE_URL),
        (
            "https://api.eko.in:25002/ekoicici/v3/",
            "https://api.eko.in:25002/ekoicici/v3",
        ),
    ] {
        let mut v = REQUIRED.to_vec();
        v.push((ENV_BASE_URL, value));
        v.push((ENV_USER_CODE, USER_CODE));
        let eko = EkoClientBuilder::from_lookup(vars(&v))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(eko.base_url(), want, "{value}");
    }
}

#[test]
fn env_reports_every_missing_variable() {
    let e = EkoClientBuilder::from_lookup(vars(&[(ENV_ACCESS_KEY, "  ")])).unwrap_err();
    let Error::Config(msg) = &e else {
        panic!("{e:?}")
    };
    for name in [ENV_DEVELOPER_KEY, ENV_ACCESS_KEY, ENV_INITIATOR_ID] {
        assert!(msg.contains(name), "{msg}");
    }
}

#[test]
fn builder_rejects_bad_configuration() {
    let base = || {
        EkoClient::builder()
            .developer_key(DEVELOPER_KEY)
            .access_key(ACCESS_KEY)
            .initiator_id(INITIATOR_ID)
    };
    assert!(matches!(
        base().base_url("staging.eko.in").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        base().base_url("ftp://x.example").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        base().base_url("https://x.example/v3?a=1").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        base().access_key("").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        EkoClient::builder()
            .access_key(ACCESS_KEY)
            .initiator_id("1")
            .build(),
        Err(Error::Config(_))
    ));
    assert!(base().build().is_ok());
}

#[test]
fn client_is_cheap_to_share() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<EkoClient>();
    // The operations' futures can be spawned.
    fn assert_send<T: Send>(_: &T) {}
    let eko = EkoClient::builder()
        .developer_key(DEVELOPER_KEY)
        .access_key(ACCESS_KEY)
        .initiator_id(INITIATOR_ID)
        .build()
        .unwrap();
    assert_send(&eko.status(1_i64));
    assert_send(&eko.create_url(CreateUrl::aadhaar("https://a.example/").unwrap()));
    assert_send(&eko.document(1_i64, "v", [EkoDocType::Aadhaar]));
}

// ---- Callback ----

#[test]
fn callback_parses_absolute_and_relative_urls() {
    let cb = EkoCallback::from_url(
        "https://app.example/kyc/done?verification_id=vrf_digilocker_abc123&reference_id=7483920&status=SUCCESS&x=1",
    )
    .unwrap();
    assert_eq!(cb.verification_id, "vrf_digilocker_abc123");
    assert_eq!(cb.reference_id.as_ref().unwrap().as_i64(), Some(7483920));
    assert_eq!(cb.status.as_deref(), Some("SUCCESS"));
    assert_eq!(cb.state(), Some(VerificationState::Consented));
    assert_eq!(cb.extra, vec![("x".to_string(), "1".to_string())]);

    let cb = EkoCallback::from_url("/kyc/done?verification_id=v%201&reference_id=").unwrap();
    assert_eq!(cb.verification_id, "v 1");
    assert_eq!(cb.reference_id, None);
    assert_eq!(cb.status, None);

    let cb = EkoCallback::from_query("?reference_id=1&verification_id=abc").unwrap();
    assert_eq!(cb.verification_id, "abc");
}

#[test]
fn callback_without_verification_id_is_invalid_input() {
    for url in [
        "https://app.example/kyc/done",
        "https://app.example/kyc/done?reference_id=1",
        "https://app.example/kyc/done?verification_id=&reference_id=1",
    ] {
        match EkoCallback::from_url(url) {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, "verification_id");
                assert!(reason.contains("verification_id"), "{reason}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

// ---- client_ref_id ----

#[test]
fn generated_client_ref_ids_are_unique_and_short() {
    let mut seen = HashSet::new();
    for _ in 0..100_000 {
        let id = generate_client_ref_id();
        assert!(id.len() <= 20, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        assert!(seen.insert(id.clone()), "duplicate {id}");
    }
}

#[test]
fn generated_client_ref_ids_are_unique_across_threads() {
    let all = Arc::new(Mutex::new(HashSet::new()));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let all = all.clone();
            std::thread::spawn(move || {
                let ids: Vec<String> = (0..10_000).map(|_| generate_client_ref_id()).collect();
                let mut all = all.lock().unwrap();
                for id in ids {
                    assert!(all.insert(id.clone()), "duplicate {id}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(all.lock().unwrap().len(), 80_000);
}

// ---- Debug and tracing never show secrets or personal data ----

const FULL_AADHAAR: &str = "123456789012";
const FULL_MOBILE: &str = "9876543210";
const PHOTO_B64: &str = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/";

fn assert_clean(what: &str, text: &str) {
    for forbidden in [
        DEVELOPER_KEY,
        ACCESS_KEY,
        FULL_MOBILE,
        FULL_AADHAAR,
        INITIATOR_ID,
        &PHOTO_B64[..24],
    ] {
        assert!(
            !text.contains(forbidden),
            "{what} shows {forbidden:?}: {text}"
        );
    }
}

async fn pii_server() -> MockServer {
    let server = MockServer::start_async().await;
    server.get_verification_status(|_, then| {
        then.into_inner()
            .json_body(json!({"status": 0, "data": {"user_details": {
                "name": "John Doe", "dob": "1990-05-15", "mobile": FULL_MOBILE }}}));
    });
    server.get_document(|_, then| {
        then.into_inner()
            .json_body(json!({"status": 0, "data": {"documents": [{
                "document_type": "AADHAAR", "name": "John Doe", "masked_aadhaar": FULL_AADHAAR,
                "photo": PHOTO_B64 }]}}));
    });
    server
}

#[tokio::test]
async fn debug_output_hides_keys_mobile_aadhaar_and_photo() {
    let server = pii_server().await;
    let (eko, _) = client(&server);
    assert_clean("client", &format!("{eko:?}"));
    assert_clean(
        "builder",
        &format!("{:?}", builder(&server, &StepClock::new())),
    );
    assert_clean("signature", &format!("{:?}", eko.sign_now()));

    let status = eko.status(1_i64).await.unwrap();
    let text = format!("{status:?}");
    assert_clean("status", &text);
    assert!(text.contains("XXXXXX3210"), "{text}");

    let docs = eko
        .document(1_i64, "v", [EkoDocType::Aadhaar])
        .await
        .unwrap();
    let text = format!("{docs:?} {docs:#?}");
    assert_clean("documents", &text);
    assert!(text.contains("XXXXXXXX9012"), "{text}");
    let photo = docs.aadhaar().unwrap().photo.as_ref().unwrap();
    let bytes = photo.bytes().unwrap().len();
    assert!(text.contains(&format!("<{bytes} bytes>")), "{text}");

    let req = CreateUrl::aadhaar("https://a.example/")
        .unwrap()
        .initiator_id(INITIATOR_ID);
    assert_clean("request", &format!("{req:?}"));
    assert_clean("secret", &format!("{:?}", Secret::new(ACCESS_KEY)));
}

#[tokio::test]
async fn tracing_spans_carry_no_keys_or_bodies() {
    let server = pii_server().await;
    server.create_digilocker_url(|_, then| {
        then.into_inner()
            .status(403)
            .body(format!("<p>denied for {FULL_MOBILE}</p>"));
    });
    let out = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture(out.clone()));
    let (eko, _) = client(&server);
    eko.status(123456_i64).await.unwrap();
    eko.document(123456_i64, "v", [EkoDocType::Aadhaar])
        .await
        .unwrap();
    let _ = eko
        .create_url(CreateUrl::aadhaar("https://a.example/").unwrap())
        .await
        .unwrap_err();
    let text = out.lock().unwrap().clone();
    assert!(
        text.contains("operation_id=\"get_verification_status\""),
        "{text}"
    );
    assert!(text.contains("http_status=200"), "{text}");
    assert!(text.contains("http_status=403"), "{text}");
    assert!(text.contains("state=consented"), "{text}");
    assert!(text.contains("error=authentication failed"), "{text}");
    assert!(text.contains("denied for XXXXXX3210"), "{text}");
    assert_clean("tracing", &text);
    assert!(!text.contains("John Doe"), "{text}");
}

#[test]
fn redirect_urls_are_checked_as_written() {
    for bad in [
        "https://app.example/done\r\nX-Injected: 1",
        "https://app.example/do\tne",
        "https:///path",
        "https://\\evil.example/x",
    ] {
        let e = CreateUrl::aadhaar(bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidInput {
                    field: "redirect_url",
                    ..
                }
            ),
            "{bad:?}: {e:?}"
        );
    }
    assert!(CreateUrl::aadhaar("https://app.example/done?x=1").is_ok());
}
