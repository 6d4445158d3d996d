//! Fault handling of the Sandbox facade on the wire: the token lifecycle,
//! retries, error mapping and document downloads.

use crate::common::typed;
use crate::sandbox_support;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;

use digilocker_kyc::sandbox::{
    DocType, Document, Flow, SandboxClient, SessionStatus, StartSession, VerifyUser,
};
use digilocker_kyc::{Error, NotReadyReason, RetryPolicy, TransportKind};
use httpmock::prelude::*;
use sandbox_support::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------
// Token lifecycle
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_first_calls_authenticate_once() {
    let server = MockServer::start_async().await;
    let auth = server.authenticate(|_, then| {
        // Keep the refresh in flight while the other calls arrive.
        then.into_inner()
            .status(200)
            .delay(Duration::from_millis(200))
            .json_body(json!({ "code": 200, "data": { "access_token": TOKEN.as_str() } }));
    });
    let status = mock_status_ok(&server, &TOKEN).await;
    let sb = client(&server);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let sb = sb.clone();
            tokio::spawn(async move { sb.session_status(SESSION).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status, SessionStatus::Created);
    }
    auth.assert_calls_async(1).await;
    status.assert_calls_async(100).await;
}

#[tokio::test]
async fn expired_token_is_replaced_once_and_the_call_repeated() {
    let server = MockServer::start_async().await;
    let first = mock_auth(&server, &TOKEN).await;
    first.up_to_n_times_async(1).await;
    let second = mock_auth(&server, &TOKEN2).await;
    let rejected = server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), &TOKEN);
        then.into_inner()
            .status(401)
            .json_body(err(401, "Access token has expired"));
    });
    let accepted = mock_status_ok(&server, &TOKEN2).await;
    let st = client(&server).session_status(SESSION).await.unwrap();
    assert_eq!(st.status, SessionStatus::Created);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_rejection_is_an_auth_error() {
    let server = MockServer::start_async().await;
    let auth = mock_auth(&server, &TOKEN).await;
    let status = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(401)
            .json_body(err(401, "Unauthorized"));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(
        matches!(&e, Error::Auth(p) if p.http_status == 401),
        "{e:?}"
    );
    auth.assert_calls_async(2).await;
    status.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rejected_post_is_repeated_once_after_reauthentication() {
    let server = MockServer::start_async().await;
    let first = mock_auth(&server, &TOKEN).await;
    first.up_to_n_times_async(1).await;
    mock_auth(&server, &TOKEN2).await;
    let rejected = server.digilocker_verify_user_account(|when, then| {
        authed(when.into_inner(), &TOKEN);
        then.into_inner()
            .status(403)
            .json_body(err(403, "Invalid access token"));
    });
    let accepted = server.digilocker_verify_user_account(|when, then| {
        authed(when.into_inner(), &TOKEN2);
        then.ok(&typed(ok(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
            "user_exists": true
        }))));
    });
    let exists = client(&server)
        .verify_user(VerifyUser::mobile("9687205427").unwrap())
        .await
        .unwrap();
    assert!(exists);
    rejected.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_403_about_credit_is_not_a_token_problem() {
    let server = MockServer::start_async().await;
    let auth = mock_auth(&server, &TOKEN).await;
    let status = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(403)
            .json_body(err(403, "Insufficient credits"));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(
        matches!(&e, Error::Auth(p) if p.message == "Insufficient credits"),
        "{e:?}"
    );
    assert!(e.to_string().contains("Insufficient credits"), "{e}");
    auth.assert_calls_async(1).await;
    status.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_credentials_are_an_auth_error_shared_by_queued_calls() {
    let server = MockServer::start_async().await;
    let auth = server.authenticate(|_, then| {
        then.into_inner()
            .status(401)
            .delay(Duration::from_millis(300))
            .json_body(err(401, "Invalid API key or secret"));
    });
    let catch_all = server
        .mock_async(|when, then| {
            when.path_prefix("/kyc/");
            then.status(500);
        })
        .await;
    let sb = client(&server);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let sb = sb.clone();
            tokio::spawn(async move { sb.session_status(SESSION).await })
        })
        .collect();
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(
            matches!(&e, Error::Auth(p) if p.http_status == 401),
            "{e:?}"
        );
        assert!(e.to_string().contains("Invalid API key or secret"), "{e}");
    }
    auth.assert_calls_async(1).await;
    catch_all.assert_calls_async(0).await;
    // A later call tries again (once), it does not loop.
    assert!(matches!(
        sb.session_status(SESSION).await,
        Err(Error::Auth(_))
    ));
    auth.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_legacy_top_level_token_is_accepted() {
    let server = MockServer::start_async().await;
    let auth = server.authenticate(|_, then| {
        then.ok(&typed(json!({ "access_token": TOKEN.as_str() })));
    });
    let status = mock_status_ok(&server, &TOKEN).await;
    client(&server).session_status(SESSION).await.unwrap();
    auth.assert_async().await;
    status.assert_async().await;
}

#[tokio::test]
async fn an_authenticate_response_without_token_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server.authenticate(|_, then| {
        then.ok(&typed(
            json!({ "code": 200, "data": {}, "transaction_id": "t" }),
        ));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(matches!(&e, Error::Decode { status: 200, .. }), "{e:?}");
}

/// A token that a header cannot carry (a control character) is Sandbox's
/// fault: a decode error with nothing of the token in it, and no call made
/// with it.
#[tokio::test]
async fn a_token_with_a_control_character_is_the_providers_error() {
    let server = MockServer::start_async().await;
    mock_auth(&server, "eyJhbGciOiJIUzI1NiJ9.e30.\u{1}sig").await;
    let status = mock_status_ok(&server, "eyJhbGciOiJIUzI1NiJ9.e30.\u{1}sig").await;
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(matches!(&e, Error::Decode { status: 200, .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("e30"), "{e:?}");
    assert_eq!(status.calls_async().await, 0);
}

/// A clock the test moves by hand.
fn manual_clock(
    start: u64,
) -> (
    Arc<AtomicU64>,
    impl Fn() -> SystemTime + Send + Sync + 'static,
) {
    let secs = Arc::new(AtomicU64::new(start));
    let read = secs.clone();
    (secs, move || {
        UNIX_EPOCH + Duration::from_secs(read.load(Ordering::SeqCst))
    })
}

#[tokio::test]
async fn the_token_is_replaced_a_margin_before_its_expiry() {
    const T0: u64 = 1_900_000_000;
    let server = MockServer::start_async().await;
    let token = jwt_with_exp(T0 + 3600, "short");
    let auth = mock_auth(&server, &token).await;
    mock_status_ok(&server, &token).await;
    let (now, clock) = manual_clock(T0);
    let sb = builder(&server)
        .api_version(VERSION)
        .token_refresh_margin(Duration::from_secs(300))
        .clock(clock)
        .build()
        .unwrap();
    sb.session_status(SESSION).await.unwrap();
    now.store(T0 + 3299, Ordering::SeqCst);
    sb.session_status(SESSION).await.unwrap();
    auth.assert_calls_async(1).await;
    now.store(T0 + 3301, Ordering::SeqCst);
    sb.session_status(SESSION).await.unwrap();
    auth.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_unreadable_token_is_assumed_to_last_a_day() {
    const T0: u64 = 1_900_000_000;
    let server = MockServer::start_async().await;
    let auth = mock_auth(&server, "opaque-token").await;
    mock_status_ok(&server, "opaque-token").await;
    let (now, clock) = manual_clock(T0);
    let sb = builder(&server)
        .api_version(VERSION)
        .clock(clock)
        .build()
        .unwrap();
    sb.session_status(SESSION).await.unwrap();
    now.store(T0 + 23 * 3600, Ordering::SeqCst);
    sb.session_status(SESSION).await.unwrap();
    auth.assert_calls_async(1).await;
    now.store(T0 + 24 * 3600, Ordering::SeqCst);
    sb.session_status(SESSION).await.unwrap();
    auth.assert_calls_async(2).await;
}

// ---------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let limited = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(429)
            .header("Retry-After", "1")
            .json_body(err(429, "Too Many Requests"));
    });
    limited.up_to_n_times_async(1).await;
    let status = mock_status_ok(&server, &TOKEN).await;
    let started = Instant::now();
    client(&server).session_status(SESSION).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After ignored: {:?}",
        started.elapsed()
    );
    limited.assert_calls_async(1).await;
    status.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_surfaces_as_rate_limited() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let limited = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(429)
            .header("Retry-After", "3600")
            .json_body(err(429, "Too Many Requests"));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    match &e {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("{other:?}"),
    }
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_503_on_a_get_is_retried() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let unavailable = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(503)
            .json_body(err(503, "Source Unavailable"));
    });
    unavailable.up_to_n_times_async(1).await;
    let status = mock_status_ok(&server, &TOKEN).await;
    client(&server).session_status(SESSION).await.unwrap();
    unavailable.assert_calls_async(1).await;
    status.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_503_on_a_post_is_not_retried() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let init = server.digilocker_initiate_session(|_, then| {
        then.into_inner()
            .status(503)
            .json_body(err(503, "Source Unavailable"));
    });
    let req =
        StartSession::new(Flow::Signin, [DocType::Aadhaar], "https://app.example/done").unwrap();
    let e = client(&server).start_session(req).await.unwrap_err();
    assert!(
        matches!(&e, Error::Provider(p) if p.http_status == 503 && p.message == "Source Unavailable"),
        "{e:?}"
    );
    assert!(e.is_transient());
    init.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_429_on_a_post_is_not_retried() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let verify = server.digilocker_verify_user_account(|_, then| {
        then.into_inner()
            .status(429)
            .header("Retry-After", "1")
            .json_body(err(429, "Too Many Requests"));
    });
    let e = client(&server)
        .verify_user(VerifyUser::mobile("9687205427").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(1)),
        "{e:?}"
    );
    verify.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_connect_error_that_was_never_sent() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sb = SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            ..fast_retries()
        })
        .build()
        .unwrap();
    let e = sb.session_status(SESSION).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Transport {
                kind: TransportKind::Connect,
                may_have_been_sent: false,
                ..
            }
        ),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_521_is_session_not_found() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(521)
            .json_body(err(521, "Data not found for: f1bd0342"));
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert!(
        matches!(&e, Error::SessionNotFound(p) if p.http_status == 521),
        "{e:?}"
    );
    assert_eq!(
        e.transaction_id(),
        Some("8be099b1-8d19-457e-b907-5b825740d9cc")
    );
    assert!(e.to_string().contains("Data not found"), "{e}");
}

#[tokio::test]
async fn a_523_and_missing_consent_are_not_ready() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_document(|when, then| {
        when.session_id(SESSION)
            .doc_type("aadhaar".parse().unwrap());
        then.into_inner().status(523).json_body(err(
            523,
            "Cannot get document due to invalid session lifecycle",
        ));
    });
    server.digilocker_get_document(|when, then| {
        when.session_id(SESSION).doc_type("pan".parse().unwrap());
        then.into_inner()
            .status(400)
            .json_body(err(400, "Consent for pan not provided"));
    });
    let sb = client(&server);
    let e = sb.document(SESSION, DocType::Aadhaar).await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::NotReady {
                reason: NotReadyReason::Lifecycle,
                ..
            }
        ),
        "{e:?}"
    );
    let e = sb.document(SESSION, DocType::Pan).await.unwrap_err();
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
    assert!(
        e.to_string().contains("Consent for pan not provided"),
        "{e}"
    );
}

#[tokio::test]
async fn other_errors_carry_the_provider_message_and_transaction() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_sdk_create_session(|_, then| {
        then.into_inner().status(400).json_body(json!({
            "code": 400, "timestamp": 1760426007752i64,
            "message": "Invalid request body", "transaction_id": "f654ccdb"
        }));
    });
    let e = client(&server)
        .sdk_create_session(
            digilocker_kyc::sandbox::CreateSdkSession::new(Flow::Signin, [DocType::Pan]).unwrap(),
        )
        .await
        .unwrap_err();
    match &e {
        Error::Provider(p) => {
            assert_eq!(p.http_status, 400);
            assert_eq!(p.code, Some(400));
            assert_eq!(p.timestamp, Some(1760426007752));
            assert_eq!(p.transaction_id.as_deref(), Some("f654ccdb"));
        }
        other => panic!("{other:?}"),
    }
    let shown = e.to_string();
    assert!(
        shown.contains("Invalid request body") && shown.contains("f654ccdb"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_html_502_is_a_decode_error_with_status_and_excerpt() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let gateway = server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(502)
            .header("content-type", "text/html")
            .body("<html><body><h1>502 Bad Gateway</h1></body></html>");
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    match &e {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(*status, 502);
            assert!(excerpt.contains("502 Bad Gateway"), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
    // A read: retried up to the policy's attempts before giving up.
    gateway.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_truncated_json_body_is_a_decode_error() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server.digilocker_get_session_status(|when, then| {
        when.session_id(SESSION);
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(r#"{"code":200,"timestamp":1752580258171,"data":{"id":"839fd8a0","crea"#);
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    match &e {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(*status, 200);
            assert!(excerpt.starts_with(r#"{"code":200"#), "{excerpt}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_empty_error_body_is_a_decode_error() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let init = server.digilocker_initiate_session(|_, then| {
        then.into_inner().status(500);
    });
    let req =
        StartSession::new(Flow::Signin, [DocType::Aadhaar], "https://app.example/done").unwrap();
    let e = client(&server).start_session(req).await.unwrap_err();
    assert!(
        matches!(&e, Error::Decode { status: 500, excerpt, .. } if excerpt == "(empty body)"),
        "{e:?}"
    );
    init.assert_calls_async(1).await;
}

// ---------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------

/// Fetch a document whose single file points at `url`.
async fn document_at(server: &MockServer, sb: &SandboxClient, url: String) -> Document {
    server.digilocker_get_document(|when, then| {
        when.session_id(SESSION)
            .doc_type("aadhaar".parse().unwrap());
        then.ok(&typed(ok(json!({ "files": [{
                "@entity": "org.quicko.drive.file", "url": url, "size": 14,
                "metadata": { "ContentType": "application/xml", "issuer_id": "in.gov.uidai",
                              "issuer": "UIDAI", "LastModified": "09/05/2025",
                              "description": "Aadhaar Card" }
            }] }))));
    });
    sb.document(SESSION, DocType::Aadhaar).await.unwrap()
}

#[tokio::test]
async fn download_fetches_the_link_without_sandbox_headers() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let file = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/s3/in.gov.uidai-ADHAR-1.xml")
                .query_param("X-Amz-Signature", "abc")
                .header_missing("authorization")
                .header_missing("x-api-key")
                .header_missing("x-api-version");
            then.status(200).body("<Certificate/>");
        })
        .await;
    let sb = client(&server);
    let doc = document_at(
        &server,
        &sb,
        server.url("/s3/in.gov.uidai-ADHAR-1.xml?X-Amz-Expires=3600&X-Amz-Signature=abc"),
    )
    .await;
    let bytes = doc.files[0].download(&sb).await.unwrap();
    assert_eq!(&bytes[..], b"<Certificate/>");
    file.assert_async().await;
}

#[tokio::test]
async fn download_over_the_limit_is_too_large() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/s3/big.pdf");
            then.status(200).body(vec![b'x'; 4096]);
        })
        .await;
    let sb = builder(&server)
        .api_version(VERSION)
        .max_download_bytes(1024)
        .build()
        .unwrap();
    let doc = document_at(&server, &sb, server.url("/s3/big.pdf")).await;
    let e = sb.download(&doc.files[0]).await.unwrap_err();
    assert!(matches!(e, Error::TooLarge { limit: 1024 }), "{e:?}");
}

#[tokio::test]
async fn an_expired_link_is_link_expired() {
    let server = MockServer::start_async().await;
    mock_auth(&server, &TOKEN).await;
    let s3 =
        server
            .mock_async(|when, then| {
                when.method(GET).path("/s3/old.xml");
                then.status(403).header("content-type", "application/xml").body(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
                 <Message>Request has expired</Message><X-Amz-Expires>3600</X-Amz-Expires></Error>",
            );
            })
            .await;
    let sb = client(&server);
    let doc = document_at(&server, &sb, server.url("/s3/old.xml?X-Amz-Signature=z")).await;
    let e = doc.files[0].download(&sb).await.unwrap_err();
    assert!(matches!(e, Error::LinkExpired { status: 403 }), "{e:?}");
    s3.assert_calls_async(1).await;
}

// ---------------------------------------------------------------------------
// Hostile redirects: credentials never follow a 3xx to another host
// ---------------------------------------------------------------------------

/// A second loopback server standing in for an attacker's host: it answers
/// everything and counts what reaches it.
async fn elsewhere() -> (MockServer, &'static MockServer, httpmock::Mock<'static>) {
    let other: &'static MockServer = Box::leak(Box::new(MockServer::start_async().await));
    let any = other
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(status_body());
        })
        .await;
    (MockServer::start_async().await, other, any)
}

#[tokio::test]
async fn a_redirect_from_authenticate_is_an_error_and_the_key_goes_nowhere() {
    let (server, other, stolen) = elsewhere().await;
    let target = other.url("/authenticate");
    let auth = server.authenticate(|_, then| {
        then.into_inner().status(307).header("location", &target);
    });
    let e = client(&server).session_status(SESSION).await.unwrap_err();
    assert_eq!(e.http_status(), Some(307), "{e:?}");
    auth.assert_calls_async(1).await;
    stolen.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_redirect_on_the_session_creating_post_is_not_resent() {
    let (server, other, stolen) = elsewhere().await;
    mock_auth(&server, &TOKEN).await;
    let target = other.url("/kyc/digilocker/sessions/init");
    let create = server.digilocker_initiate_session(|_, then| {
        then.into_inner().status(307).header("location", &target);
    });
    let req =
        StartSession::new(Flow::Signin, [DocType::Aadhaar], "https://app.example/done").unwrap();
    let e = client(&server).start_session(req).await.unwrap_err();
    assert_eq!(e.http_status(), Some(307), "{e:?}");
    create.assert_calls_async(1).await;
    stolen.assert_calls_async(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_claiming_to_live_for_ever_is_used_without_panicking() {
    let e = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let huge_float = format!(
        "{}.{}.{}",
        e.encode(r#"{"alg":"HS256"}"#),
        e.encode(r#"{"exp":1e300}"#),
        e.encode("sig")
    );
    for token in [jwt_with_exp(u64::MAX, "max"), huge_float] {
        let server = MockServer::start_async().await;
        let auth = mock_auth(&server, &token).await;
        let status = mock_status_ok(&server, &token).await;
        let sb = client(&server);
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let sb = sb.clone();
                tokio::spawn(async move { sb.session_status(SESSION).await })
            })
            .collect();
        for t in tasks {
            let st = t.await.expect("no task panics").unwrap();
            assert_eq!(st.status, SessionStatus::Created);
        }
        auth.assert_calls_async(1).await;
        status.assert_calls_async(20).await;
    }
}

// ---------------------------------------------------------------------------
// Hostile bodies: every API response is read under a cap
// ---------------------------------------------------------------------------

/// A loopback server whose every answer is a 200 JSON body of `total`
/// bytes, chunked (no length announced) or with an honest Content-Length.
pub async fn huge_body_server(total: usize, chunked: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let framing = if chunked {
                    "Transfer-Encoding: chunked".to_string()
                } else {
                    format!("Content-Length: {total}")
                };
                let start = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                );
                if sock.write_all(start.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < total {
                    let frame = if chunked {
                        let mut f = format!("{:x}\r\n", chunk.len()).into_bytes();
                        f.extend_from_slice(&chunk);
                        f.extend_from_slice(b"\r\n");
                        f
                    } else {
                        chunk.clone()
                    };
                    if sock.write_all(&frame).await.is_err() {
                        return; // the client hung up: the point of the cap
                    }
                    sent += chunk.len();
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_huge_or_endless_success_body_is_a_typed_error() {
    for chunked in [true, false] {
        let base = huge_body_server(64 * 1024 * 1024, chunked).await;
        let sb = SandboxClient::builder()
            .api_key(KEY)
            .api_secret(SECRET)
            .base_url(&base)
            .retry_policy(fast_retries())
            .build()
            .unwrap();
        let e = sb.session_status(SESSION).await.unwrap_err();
        assert!(
            matches!(e, Error::TooLarge { limit } if limit == 16 * 1024 * 1024),
            "chunked={chunked}: {e:?}"
        );
    }
}
