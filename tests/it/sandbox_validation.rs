//! Input validation (nothing reaches the server) and redaction (no secret,
//! token or full identifier in `Debug`, errors or traces) of the Sandbox
//! facade.

use crate::common::typed;
use crate::sandbox_support;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;

use digilocker_kyc::Error;
use digilocker_kyc::Masked;
use digilocker_kyc::sandbox::{
    CreateSdkSession, DocType, EntityDocType, Flow, SandboxClient, SessionOptions,
    StartEntitySession, StartSession, VerifyUser,
};
use httpmock::prelude::*;
use sandbox_support::*;
use serde_json::json;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, UNIX_EPOCH};

fn field_of(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn start() -> StartSession {
    StartSession::new(
        Flow::Signin,
        [DocType::Aadhaar],
        "https://app.example/kyc/done",
    )
    .unwrap()
}

#[tokio::test]
async fn invalid_inputs_never_reach_the_server() {
    const NOW: u64 = 1_900_000_000;
    let now_ms = NOW as i64 * 1000;
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let sb = builder(&server)
        .clock(|| UNIX_EPOCH + Duration::from_secs(NOW))
        .build()
        .unwrap();
    let strict = builder(&server)
        .verify_aadhaar_checksum(true)
        .build()
        .unwrap();

    let mut cases: Vec<(&str, Result<(), Error>)> = Vec::new();

    // verify: the anyOf rule, both patterns, the opt-in checksum.
    cases.push((
        "request",
        sb.verify_user(VerifyUser::default()).await.map(drop),
    ));
    let mut v = VerifyUser::mobile("9687205427").unwrap();
    v.aadhaar_number = Some(Masked::new("1234567890123"));
    cases.push(("aadhaar_number", sb.verify_user(v).await.map(drop)));
    let mut v = VerifyUser::default();
    v.mobile = Some(Masked::new("+919687205427"));
    cases.push(("mobile", sb.verify_user(v).await.map(drop)));
    let bad_check_digit = VerifyUser::aadhaar("234123412345").unwrap();
    cases.push((
        "aadhaar_number",
        strict.verify_user(bad_check_digit).await.map(drop),
    ));

    // start session: redirect, documents, options, consent expiry.
    let mut s = start();
    s.redirect_url = "http://app.example/kyc/done".into();
    cases.push(("redirect_url", sb.start_session(s).await.map(drop)));
    // The string sent is the string checked: no line breaks or tabs the
    // URL parser would drop, no backslashes, and a host as written.
    for bad in [
        "https://app.example/done\r\nX-Injected: 1",
        "https://app.example/do\tne",
        "https:///path",
        "https://\\evil.example/x",
        "https://app.example\\@evil.example/",
    ] {
        let mut s = start();
        s.redirect_url = bad.into();
        cases.push(("redirect_url", sb.start_session(s).await.map(drop)));
    }
    let mut s = start();
    s.doc_types.clear();
    cases.push(("doc_types", sb.start_session(s).await.map(drop)));
    let mut s = start();
    s.doc_types = vec![DocType::Pan, DocType::Aadhaar, DocType::Pan];
    cases.push(("doc_types", sb.start_session(s).await.map(drop)));
    let mut s = start();
    s.doc_types = vec![DocType::Unknown("voter_id".into())];
    cases.push(("doc_types", sb.start_session(s).await.map(drop)));
    let s = start().with_options(SessionOptions::new().verified_mobile("5123456789"));
    cases.push((
        "options.verified_mobile",
        sb.start_session(s).await.map(drop),
    ));
    let mut s = start();
    s.consent_expiry = Some(now_ms + 30 * 60 * 1000);
    cases.push(("consent_expiry", sb.start_session(s).await.map(drop)));

    // EntityLocker and the SDK variants.
    let mut e = StartEntitySession::new(Flow::Signin, "https://app.example/done").unwrap();
    e.consent_expiry = Some(now_ms - 1);
    cases.push(("consent_expiry", sb.entity_start_session(e).await.map(drop)));
    let mut e = StartEntitySession::new(Flow::Signin, "https://app.example/done").unwrap();
    e.redirect_url = "ftp://app.example/done".into();
    cases.push(("redirect_url", sb.entity_start_session(e).await.map(drop)));
    let mut c = CreateSdkSession::new(Flow::Signin, [DocType::Aadhaar]).unwrap();
    c.doc_types.clear();
    cases.push(("doc_types", sb.sdk_create_session(c).await.map(drop)));
    let mut c = CreateSdkSession::new(Flow::Signup, [EntityDocType::GstnDetails]).unwrap();
    c.doc_types.push(EntityDocType::GstnDetails);
    cases.push(("doc_types", sb.entity_sdk_create_session(c).await.map(drop)));

    // Session ids and document types of the reads.
    cases.push(("session_id", sb.session_status("").await.map(drop)));
    cases.push((
        "session_id",
        sb.document("a b", DocType::Aadhaar).await.map(drop),
    ));
    cases.push((
        "doc_type",
        sb.document(SESSION, DocType::Unknown("voter_id".into()))
            .await
            .map(drop),
    ));
    cases.push((
        "doc_type",
        sb.entity_document(SESSION, EntityDocType::Unknown("itr".into()))
            .await
            .map(drop),
    ));
    cases.push(("session_id", sb.entity_details(" ").await.map(drop)));
    // Ids that would move the request elsewhere once the URL is normalised.
    for hostile in [
        ".",
        "..",
        r"..\..\digilocker-sdk\sessions\REAL",
        "../../digilocker-sdk/sessions/REAL",
        "x?y=1",
        "x#frag",
        "%2e%2e",
        "id\r\nX-Injected: 1",
    ] {
        cases.push(("session_id", sb.session_status(hostile).await.map(drop)));
        cases.push(("session_id", sb.sdk_user_profile(hostile).await.map(drop)));
        cases.push((
            "session_id",
            sb.document(hostile, DocType::Aadhaar).await.map(drop),
        ));
    }

    for (want, result) in &cases {
        let e = result.as_ref().expect_err(want);
        assert_eq!(field_of(e), *want, "{e}");
        // Rejections never quote the offending identifier.
        let shown = e.to_string();
        assert!(
            !shown.contains("1234567890123") && !shown.contains("9687205427"),
            "{shown}"
        );
    }
    catch_all.assert_calls_async(0).await;
}

#[test]
fn constructors_reject_at_once() {
    assert_eq!(
        field_of(&VerifyUser::mobile("96872054").unwrap_err()),
        "mobile"
    );
    assert_eq!(
        field_of(&VerifyUser::aadhaar("1234 5678 9012").unwrap_err()),
        "aadhaar_number"
    );
    let e = StartSession::new(Flow::Signin, [], "https://app.example").unwrap_err();
    assert_eq!(field_of(&e), "doc_types");
    let e = StartSession::new(Flow::Signin, [DocType::Pan], "http://app.example").unwrap_err();
    assert_eq!(field_of(&e), "redirect_url");
    let e = StartSession::new(Flow::Signin, [DocType::Pan], "not a url").unwrap_err();
    assert_eq!(field_of(&e), "redirect_url");
    let e = CreateSdkSession::<EntityDocType>::new(Flow::Signin, []).unwrap_err();
    assert_eq!(field_of(&e), "doc_types");
    // Both identifiers together are fine.
    let both = VerifyUser::mobile("9687205427")
        .unwrap()
        .and_aadhaar("234123412346")
        .unwrap();
    assert!(both.mobile.is_some() && both.aadhaar_number.is_some());
}

#[tokio::test]
async fn debug_output_holds_no_secret_token_or_full_identifier() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_user_profile(|when, then| {
        when.session_id(SESSION);
        then.ok(&typed(ok(json!({
            "id": "b5522c8f", "@entity": "in.co.sandbox.kyc.digilocker.user.profile",
            "date_of_birth": "18/08/2003", "mobile": "9004813042", "name": "Anurag Bansal",
            "gender": "male", "eaadhaar": true, "email": ""
        }))));
    });
    server.digilocker_initiate_session(|_, then| {
            then.ok(&typed(ok(json!({
                "@entity": "in.co.sandbox.kyc.digilocker.session.response",
                "authorization_url": "https://digilocker.example/authorize?code_verifier=SECRETPKCE&verified_mobile=9004813042",
                "session_id": SESSION
            }))));
});
    let sb = client(&server);
    let profile = sb.user_profile(SESSION).await.unwrap();
    let session = sb
        .start_session(start().with_options(SessionOptions::new().verified_mobile("9004813042")))
        .await
        .unwrap();
    let request = VerifyUser::aadhaar("234123412346")
        .unwrap()
        .and_mobile("9687205427")
        .unwrap();

    let client_dbg = format!("{sb:?}");
    let request_dbg = format!("{request:?}");
    let profile_dbg = format!("{profile:?}");
    let session_dbg = format!("{session:?}");
    for shown in [&client_dbg, &request_dbg, &profile_dbg, &session_dbg] {
        for secret in [
            SECRET,
            KEY,
            TOKEN.as_str(),
            "234123412346",
            "9687205427",
            "9004813042",
            "18/08/2003",
            "SECRETPKCE",
        ] {
            assert!(!shown.contains(secret), "{secret:?} leaked in {shown}");
        }
    }
    assert!(client_dbg.contains("[redacted]"), "{client_dbg}");
    assert!(request_dbg.contains("XXXXXXXX2346"), "{request_dbg}");
    assert!(profile_dbg.contains("XXXXXX3042"), "{profile_dbg}");
    assert!(session_dbg.contains(SESSION), "{session_dbg}");
}

#[tokio::test]
async fn provider_messages_are_masked() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_verify_user_account(|_, then| {
        then.into_inner()
            .status(422)
            .json_body(err(422, "aadhaar_number 234123412346 is not valid"));
    });
    let e = client(&server)
        .verify_user(VerifyUser::aadhaar("234123412346").unwrap())
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("234123412346"), "{shown}");
    assert!(shown.contains("XXXXXXXX2346"), "{shown}");
}

/// Collects everything `tracing` is told, as text. Installed as the global
/// subscriber, so it also sees the other tests of this file: none of them
/// may leak either.
#[derive(Default)]
struct Capture {
    text: Mutex<String>,
    next_id: AtomicU64,
}

struct Text<'a>(&'a mut String);

impl tracing::field::Visit for Text<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut out = self.text.lock().unwrap();
        let _ = write!(out, "\nspan {}:", span.metadata().name());
        span.record(&mut Text(&mut out));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.text.lock().unwrap();
        out.push_str("\nrecord:");
        values.record(&mut Text(&mut out));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        // The mock server logs whole requests, headers included: that is
        // the test's side of the wire, not the client's.
        if event.metadata().target().starts_with("httpmock") {
            return;
        }
        let mut out = self.text.lock().unwrap();
        let _ = write!(out, "\nevent {}:", event.metadata().target());
        event.record(&mut Text(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

static CAPTURE: LazyLock<&'static Capture> = LazyLock::new(|| {
    let capture: &'static Capture = Box::leak(Box::default());
    tracing::subscriber::set_global_default(CaptureRef(capture)).expect("no other subscriber");
    capture
});

/// The global subscriber must be owned; this forwards to the leaked one.
struct CaptureRef(&'static Capture);

impl tracing::Subscriber for CaptureRef {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        self.0.enabled(m)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.0.new_span(span)
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        self.0.record(id, values)
    }
    fn record_follows_from(&self, a: &tracing::span::Id, b: &tracing::span::Id) {
        self.0.record_follows_from(a, b)
    }
    fn event(&self, event: &tracing::Event<'_>) {
        self.0.event(event)
    }
    fn enter(&self, id: &tracing::span::Id) {
        self.0.enter(id)
    }
    fn exit(&self, id: &tracing::span::Id) {
        self.0.exit(id)
    }
}

#[tokio::test]
async fn traces_name_the_operation_but_hold_no_body_or_token() {
    let capture = *CAPTURE;
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_verify_user_account(|_, then| {
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
            "user_exists": true
        }))));
    });
    let sb: SandboxClient = client(&server);
    sb.verify_user(VerifyUser::aadhaar("234123412346").unwrap())
        .await
        .unwrap();
    let text = capture.text.lock().unwrap().clone();
    assert!(
        text.contains("operation_id=\"digilocker_verify_user_account\""),
        "{text}"
    );
    assert!(text.contains("operation_id=\"authenticate\""), "{text}");
    assert!(
        text.contains(&format!("transaction_id=\"{TXN}\"")),
        "{text}"
    );
    assert!(text.contains("http_status=200"), "{text}");
    assert!(text.contains("attempts=1"), "{text}");
    assert!(text.contains("duration_ms="), "{text}");
    for secret in [SECRET, TOKEN.as_str(), "234123412346", "user_exists"] {
        assert!(!text.contains(secret), "{secret:?} in traces:\n{text}");
    }
}
