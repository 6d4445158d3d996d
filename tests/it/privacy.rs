//! Personal data never shows in `Debug`: full journeys on both providers
//! against the in-process simulator, every public response type reached on
//! the way formatted with `{:?}` and `{:#?}`, and none of the persona's
//! values (name, date of birth in each written form, address parts,
//! identifiers, mobile, e-mail, document links) in the text. Also the
//! simulator's records (the Eko `initiator_id` is a mobile number).

use crate::common::typed;
use crate::tracing_capture;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;
use tracing_capture::Capture;

use digilocker_kyc::Provider;
use digilocker_kyc::eko::{CreateUrl, DocumentRequest, EkoCallback, EkoDocType};
use digilocker_kyc::flow::{DocType, PollPolicy};
use digilocker_kyc::sandbox::{
    CreateSdkSession, EntityDocType, Flow, StartEntitySession, StartSession, VerifyUser,
};
use digilocker_kyc::simulator::{Persona, Simulator, UserAction, act_as_user};
use std::fmt::Debug;
use std::time::Duration;

const REDIRECT: &str = "https://app.example/kyc/done";

fn quick() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(5), Duration::from_secs(20))
}

/// The persona's values that must never be printed, with what they are.
fn forbidden(p: &Persona) -> Vec<(String, &'static str)> {
    let (d, m, y) = p.date_of_birth;
    let mut v = vec![
        (p.name.clone(), "name"),
        (format!("{d:02}/{m:02}/{y:04}"), "dob DD/MM/YYYY"),
        (format!("{d:02}-{m:02}-{y:04}"), "dob DD-MM-YYYY"),
        (format!("{y:04}-{m:02}-{d:02}"), "dob ISO"),
        (p.mobile.clone(), "mobile"),
        (p.email.clone(), "e-mail"),
        (p.care_of.clone(), "care-of"),
        (p.house.clone(), "house"),
        (p.street.clone(), "street"),
        (p.landmark.clone(), "landmark"),
        (p.locality.clone(), "locality"),
        (p.vtc.clone(), "town"),
        (p.subdistrict.clone(), "sub-district"),
        (p.state.clone(), "state"),
        (p.pincode.clone(), "PIN code"),
        (p.pan.clone(), "PAN"),
        (p.driving_licence.clone(), "driving licence"),
        (p.company_email.clone(), "company e-mail"),
        (p.company_mobile.clone(), "company mobile"),
    ];
    v.retain(|(s, _)| !s.is_empty());
    v
}

struct Checker {
    forbidden: Vec<(String, &'static str)>,
    checked: Vec<&'static str>,
}

impl Checker {
    fn new(p: &Persona) -> Self {
        Checker {
            forbidden: forbidden(p),
            checked: Vec::new(),
        }
    }

    /// Forbid one more value (a link, a full Aadhaar number from a file).
    fn forbid(&mut self, value: impl Into<String>, what: &'static str) {
        self.forbidden.push((value.into(), what));
    }

    #[track_caller]
    fn check(&mut self, what: &'static str, v: &impl Debug) {
        for text in [format!("{v:?}"), format!("{v:#?}")] {
            for (value, kind) in &self.forbidden {
                assert!(
                    !text.contains(value.as_str()),
                    "{what} Debug shows the {kind} {value:?}:\n{text}"
                );
            }
            assert!(!text.contains("eyJ"), "{what} Debug shows a token:\n{text}");
            assert!(
                !text.contains("X-Amz-Signature") && !text.contains("signature="),
                "{what} Debug shows a link signature:\n{text}"
            );
        }
        self.checked.push(what);
    }
}

#[tokio::test]
async fn sandbox_types_print_no_personal_values() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(1)
        .start()
        .await
        .unwrap();
    let persona = Persona::default();
    let mut c = Checker::new(&persona);
    let sb = sim.sandbox_client().unwrap();

    // Facade types, call by call.
    let verify = VerifyUser::mobile(persona.mobile.as_str()).unwrap();
    c.check("VerifyUser", &verify);
    let exists = sb.verify_user(verify).await.unwrap();
    c.check("verify_user result", &exists);
    let start = StartSession::new(
        Flow::Signin,
        [DocType::Aadhaar, DocType::Pan, DocType::DrivingLicense],
        format!(
            "{REDIRECT}?mobile={}&email={}",
            persona.mobile, persona.email
        ),
    )
    .unwrap();
    c.check("StartSession", &start);
    let text = format!("{start:?}");
    assert!(text.contains("\"https://app.example/kyc/done\""), "{text}");
    assert!(!text.contains("mobile="), "{text}");
    let session = sb.start_session(start).await.unwrap();
    c.check("sandbox Session", &session);
    act_as_user(&session.authorization_url, &UserAction::Approve)
        .await
        .unwrap();
    let state = sb.session_status(&session.id).await.unwrap();
    c.check("SessionState", &state);
    for doc in [DocType::Aadhaar, DocType::Pan, DocType::DrivingLicense] {
        let d = sb.document(&session.id, doc).await.unwrap();
        for f in &d.files {
            if let Some(url) = &f.url {
                c.forbid(url.clone(), "document link");
            }
            c.check("FileMetadata", &f.metadata);
            let bytes = f.download(&sb).await.unwrap();
            let text = String::from_utf8_lossy(&bytes);
            // Whatever full number a file holds must not show either.
            for attr in ["uid=\"", "number=\""] {
                if let Some(i) = text.find(attr) {
                    let v: String = text[i + attr.len()..]
                        .chars()
                        .take_while(|c| *c != '"')
                        .collect();
                    if v.chars().filter(char::is_ascii_digit).count() > 4 {
                        c.forbid(v, "document number");
                    }
                }
            }
        }
        c.check("DocumentFile", &d.files);
        c.check("sandbox Document", &d);
    }
    let profile = sb.user_profile(&session.id).await.unwrap();
    c.check("UserProfile", &profile);
    assert!(format!("{profile:?}").contains("XXXXXX0001"));

    let sdk = sb
        .sdk_create_session(CreateSdkSession::new(Flow::Signin, [DocType::Aadhaar]).unwrap())
        .await
        .unwrap();
    c.check("SdkSession", &sdk);
    sim.approve(&sdk.id, &[]).unwrap();
    c.check(
        "sdk SessionState",
        &sb.sdk_session_status(&sdk.id).await.unwrap(),
    );
    c.check(
        "sdk UserProfile",
        &sb.sdk_user_profile(&sdk.id).await.unwrap(),
    );
    c.check(
        "sdk Document",
        &sb.sdk_document(&sdk.id, DocType::Aadhaar).await.unwrap(),
    );

    let ent = StartEntitySession::new(Flow::Signin, REDIRECT).unwrap();
    c.check("StartEntitySession", &ent);
    let ent = sb.entity_start_session(ent).await.unwrap();
    sim.approve(&ent.id, &[]).unwrap();
    c.check(
        "entity SessionState",
        &sb.entity_session_status(&ent.id).await.unwrap(),
    );
    c.check("EntityDetails", &sb.entity_details(&ent.id).await.unwrap());
    c.check(
        "entity UserProfile",
        &sb.entity_user_profile(&ent.id).await.unwrap(),
    );
    c.check(
        "entity Document",
        &sb.entity_document(&ent.id, EntityDocType::GstnDetails)
            .await
            .unwrap(),
    );

    // The neutral flow on top.
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let fs = kyc
        .start(
            [DocType::Aadhaar, DocType::Pan, DocType::DrivingLicense],
            REDIRECT,
        )
        .await
        .unwrap();
    c.check("flow Session", &fs);
    let outcome = kyc.wait(&fs, &quick()).await.unwrap();
    c.check("Outcome", &outcome);
    let docs = kyc.documents(&fs).await.unwrap();
    assert_eq!(docs.len(), 3);
    for d in &docs {
        if let Some(u) = &d.file_url {
            c.forbid(u.expose(), "document link");
        }
        assert_eq!(
            d.name.as_deref(),
            Some(persona.name.as_str()),
            "the data is there"
        );
    }
    for d in &docs {
        c.check("flow Document", d);
        c.check("RawDocument", &d.raw);
    }
    let p = kyc.profile(&fs).await.unwrap();
    c.check("flow Profile", &p);
    c.check("RawProfile", &p.raw);
    assert!(c.checked.len() > 25, "{:?}", c.checked);
}

#[tokio::test]
async fn eko_types_print_no_personal_values() {
    let sim = Simulator::builder()
        .eko_credentials(
            "devkey_privacy_0001",
            "accesskey-privacy-0001",
            "9876501234",
            "20000001",
        )
        .start()
        .await
        .unwrap();
    let persona = Persona::default();
    let mut c = Checker::new(&persona);
    c.forbid("9876501234", "initiator id");
    let eko = sim.eko_client().unwrap();

    let req = CreateUrl::new(
        format!("{REDIRECT}?mobile={}", persona.mobile),
        [EkoDocType::Aadhaar],
    )
    .unwrap();
    c.check("CreateUrl", &req);
    let link = eko.create_url(req).await.unwrap();
    c.check("EkoLink", &link);
    let back = act_as_user(&link.url, &UserAction::Approve)
        .await
        .unwrap()
        .expect("a redirect back");
    let cb = EkoCallback::from_url(&format!(
        "{back}&mobile={}&token=eyJabc.def.ghi",
        persona.mobile
    ))
    .unwrap();
    c.check("EkoCallback", &cb);
    let status = eko.status(&link.reference_id).await.unwrap();
    assert!(status.user_details.is_some(), "{status:?}");
    c.check("EkoStatus", &status);
    c.check("UserDetails", &status.user_details);
    let docs = eko
        .document_with(DocumentRequest::new(
            link.reference_id.clone(),
            cb.verification_id.as_str(),
            [EkoDocType::Aadhaar],
        ))
        .await
        .unwrap();
    if let Some(x) = &docs.xml_file {
        c.forbid(x.expose(), "xml link");
    }
    let a = docs.aadhaar().expect("an Aadhaar document");
    assert_eq!(
        a.name.as_deref(),
        Some(persona.name.as_str()),
        "the data is there"
    );
    c.check("EkoDocument", a);
    c.check("EkoAddress", &a.address);
    c.check("Photo", &a.photo);
    c.check("EkoDocuments", &docs);

    let kyc = sim.digilocker(Provider::Eko).unwrap();
    let mut fs = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let back = act_as_user(&fs.authorization_url, &UserAction::Approve)
        .await
        .unwrap()
        .unwrap();
    fs.record_callback(&back).unwrap();
    c.check("flow Session", &fs);
    let outcome = kyc.wait(&fs, &quick()).await.unwrap();
    c.check("Outcome", &outcome);
    for d in kyc.documents(&fs).await.unwrap() {
        c.check("flow Document", &d);
        c.check("RawDocument", &d.raw);
    }
    let p = kyc.profile(&fs).await.unwrap();
    c.check("flow Profile", &p);
    c.check("RawProfile", &p.raw);

    // The records keep the initiator id masked wherever it was sent.
    let records = sim.requests();
    assert!(records.iter().any(|r| r.provider == Some(Provider::Eko)));
    for r in &records {
        let body = String::from_utf8_lossy(&r.body);
        let query = r.query.clone().unwrap_or_default();
        let headers = format!("{:?}", r.headers);
        for text in [&*body, query.as_str(), headers.as_str()] {
            assert!(
                !text.contains("9876501234"),
                "initiator id recorded: {text}"
            );
        }
        c.check("RecordedRequest", r);
    }
    assert!(
        records.iter().any(
            |r| r.query_param("initiator_id").as_deref() == Some("XXXXXX1234")
                || r.body_json()
                    .is_some_and(|b| b["initiator_id"] == "XXXXXX1234")
        ),
        "the initiator id is recorded masked"
    );
}

/// A provider message that echoes identifiers in their written forms:
/// masked in the error's `Display` and `Debug` and in the tracing event
/// that logs the failure; the transaction id is kept.
#[tokio::test]
async fn provider_text_in_errors_and_tracing_is_masked() {
    use httpmock::prelude::*;
    let server = MockServer::start_async().await;
    server.authenticate(|_, then| {
        then.ok(&typed(serde_json::json!({
            "code": 200, "data": { "access_token": "tok-privacy" },
            "timestamp": 1764775000123i64, "transaction_id": "auth-txn"
        })));
    });
    let message = "Aadhaar 2345 6789 0123 / PAN AXBPK1234L / DL MH-02-2019-0001234 \
                   not linked to +91 98765 43210";
    server.digilocker_verify_user_account(|_, then| {
        then.into_inner().status(422).json_body(serde_json::json!({
            "code": 422, "timestamp": 1764775000123i64, "message": message,
            "transaction_id": "TXN-20261203-000123"
        }));
    });
    let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture(out.clone()));
    let sb = digilocker_kyc::SandboxClient::builder()
        .api_key("key_test_privacy")
        .api_secret("secret_test_privacy")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let e = sb
        .verify_user(VerifyUser::mobile("9876543210").unwrap())
        .await
        .unwrap_err();
    let logged = out.lock().unwrap().clone();
    assert!(logged.contains("error="), "the failure is logged: {logged}");
    for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}"), logged] {
        for secret in [
            "2345 6789 0123",
            "AXBPK1234L",
            "MH-02-2019-0001234",
            "98765 43210",
            "9876543210",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    let shown = e.to_string();
    assert!(shown.contains("XXXX XXXX 0123"), "{shown}");
    assert!(shown.contains("TXN-20261203-000123"), "{shown}");
}
