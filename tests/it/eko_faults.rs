//! Failures: Eko's error envelope, 403s, rate limits, retries (and what is
//! never retried), and input rejected before anything is sent.

use crate::eko_common as common;
use digilocker_kyc::generated::eko::mock::MockServerExt as _;

use common::*;
use digilocker_kyc::eko::{CreateUrl, DocumentRequest, EkoCallback, EkoDocType, StatusRequest};
use digilocker_kyc::{Error, Provider, TransportKind};
use httpmock::prelude::*;
use serde_json::json;

fn invalid_initiator() -> serde_json::Value {
    json!({
        "response_status_id": 1,
        "invalid_params": { "initiator_id": "Merchant does not exist in system.", "user_code": 12 },
        "data": { "csp_id": "7042769385" },
        "response_type_id": -1,
        "message": "Invalid Sender/Initiator",
        "status": 319
    })
}

fn assert_invalid_initiator(e: Error) {
    let Error::Provider(p) = &e else {
        panic!("expected Error::Provider, got {e:?}")
    };
    assert_eq!(p.provider, Provider::Eko);
    assert_eq!(p.http_status, 200);
    assert_eq!(p.code, Some(319));
    assert_eq!(p.response_status_id, Some(1));
    assert_eq!(p.response_type_id, Some(-1));
    assert_eq!(p.message, "Invalid Sender/Initiator");
    assert_eq!(
        p.invalid_params,
        vec![
            (
                "initiator_id".to_string(),
                "Merchant does not exist in system.".to_string()
            ),
            ("user_code".to_string(), "12".to_string()),
        ]
    );
    let text = e.to_string();
    assert!(text.contains("Invalid Sender/Initiator"), "{text}");
    assert!(text.contains("code 319"), "{text}");
    assert!(
        text.contains("initiator_id: Merchant does not exist"),
        "{text}"
    );
    assert!(!e.is_transient());
}

#[tokio::test]
async fn nonzero_status_on_200_is_a_provider_error_for_every_operation() {
    let server = MockServer::start_async().await;
    let log = log();
    let m = server
        .mock_async(|when, then| {
            when.is_true(correctly_signed);
            then.respond_with(reply_json(&log, 200, invalid_initiator()));
        })
        .await;
    let (eko, _) = client(&server);

    let e = eko
        .create_url(CreateUrl::aadhaar("https://app.example/done").unwrap())
        .await
        .unwrap_err();
    assert_invalid_initiator(e);
    let e = eko.status(123456_i64).await.unwrap_err();
    assert_invalid_initiator(e);
    let e = eko
        .document(123456_i64, "vrf_1", [EkoDocType::Aadhaar])
        .await
        .unwrap_err();
    assert_invalid_initiator(e);
    // A business error is final: nothing was retried.
    m.assert_calls_async(3).await;
}

#[tokio::test]
async fn forbidden_json_is_an_auth_error() {
    let server = MockServer::start_async().await;
    let log = log();
    let m = server.get_verification_status(|_, then| {
        then.into_inner().respond_with(reply_json(
            &log,
            403,
            json!({"message": "Forbidden: invalid secret-key"}),
        ));
    });
    let (eko, _) = client(&server);
    let e = eko.status(1_i64).await.unwrap_err();
    let Error::Auth(p) = &e else {
        panic!("expected Error::Auth, got {e:?}")
    };
    assert_eq!(p.http_status, 403);
    assert_eq!(p.message, "Forbidden: invalid secret-key");
    let text = e.to_string();
    assert!(text.contains("invalid secret-key"), "{text}");
    assert!(text.contains("clock"), "the hint names clock skew: {text}");
    assert!(text.contains("whitelisted"), "{text}");
    // 403 is not retried, even for the GET.
    m.assert_calls_async(1).await;
}

#[tokio::test]
async fn forbidden_html_is_an_auth_error_without_markup() {
    let server = MockServer::start_async().await;
    let log = log();
    server
        .mock_async(|when, then| {
            when.method(POST);
            then.respond_with(reply(
                &log,
                403,
                "text/html",
                "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>\
                 <p>You don't have permission to access this resource.</p></body></html>",
            ));
        })
        .await;
    let (eko, _) = client(&server);
    let e = eko
        .create_url(CreateUrl::aadhaar("https://app.example/done").unwrap())
        .await
        .unwrap_err();
    let Error::Auth(p) = &e else {
        panic!("expected Error::Auth, got {e:?}")
    };
    assert_eq!(p.http_status, 403);
    assert!(
        p.message.contains("You don't have permission"),
        "{}",
        p.message
    );
    assert!(!p.message.contains('<'), "{}", p.message);
    let e = eko
        .document("1", "v", [EkoDocType::Aadhaar])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Auth(_)), "{e:?}");
}

#[tokio::test]
async fn status_retry_after_503_is_freshly_signed() {
    let server = MockServer::start_async().await;
    let log = log();
    let first = server.get_verification_status(|when, then| {
        when.into_inner()
            .header("secret-key-timestamp", T0.to_string())
            .is_true(correctly_signed);
        then.into_inner()
            .respond_with(reply(&log, 503, "text/plain", "busy"));
    });
    let second = server.get_verification_status(|when, then| {
        when.into_inner()
            .header("secret-key-timestamp", (T0 + TICK).to_string())
            .is_true(correctly_signed);
        then.into_inner().respond_with(reply_json(
            &log,
            200,
            json!({"status": 0, "data": {"user_details": {}, "status": "PENDING"}}),
        ));
    });
    let (eko, clock) = client(&server);

    let status = eko.status(123456_i64).await.unwrap();

    assert!(status.is_pending());
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    assert_eq!(clock.reads(), 2);
    let seen = seen(&log);
    assert_eq!(seen.len(), 2);
    for s in &seen {
        s.assert_signed();
        assert_eq!(
            s.query.as_deref(),
            Some("initiator_id=9962981729&reference_id=123456")
        );
    }
    assert_ne!(
        seen[0].header("secret-key-timestamp"),
        seen[1].header("secret-key-timestamp")
    );
    assert_ne!(seen[0].header("secret-key"), seen[1].header("secret-key"));
}

#[tokio::test]
async fn status_honours_retry_after_on_429() {
    let server = MockServer::start_async().await;
    let log = log();
    server
        .mock_async(|when, then| {
            when.header("secret-key-timestamp", T0.to_string());
            then.status(429)
                .header("retry-after", "0")
                .body("slow down");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.header("secret-key-timestamp", (T0 + TICK).to_string())
                .is_true(correctly_signed);
            then.respond_with(reply_json(
                &log,
                200,
                json!({"status": 0, "data": {"user_details": {"name": "A"}}}),
            ));
        })
        .await;
    let (eko, _) = client(&server);
    assert!(eko.status(1_i64).await.unwrap().state.is_final());
}

#[tokio::test]
async fn status_gives_up_after_the_policy_and_reports_rate_limit() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|_, then| {
            then.status(429).header("retry-after", "0").body("{}");
        })
        .await;
    let (eko, clock) = client(&server);
    let e = eko.status(1_i64).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    assert!(e.is_transient());
    m.assert_calls_async(3).await;
    assert_eq!(clock.reads(), 3, "each attempt signed afresh");
}

#[tokio::test]
async fn create_url_is_not_retried_on_503() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(503).body("<html>Service Unavailable</html>");
        })
        .await;
    let (eko, _) = client(&server);
    let e = eko
        .create_url(CreateUrl::aadhaar("https://app.example/done").unwrap())
        .await
        .unwrap_err();
    m.assert_calls_async(1).await;
    let Error::Provider(p) = &e else {
        panic!("expected Error::Provider, got {e:?}")
    };
    assert_eq!(p.http_status, 503);
    assert!(e.is_transient());

    let e = eko
        .document("1", "v", [EkoDocType::Aadhaar])
        .await
        .unwrap_err();
    assert_eq!(e.http_status(), Some(503));
    m.assert_calls_async(2).await;
}

#[tokio::test]
async fn eko_json_error_on_500_keeps_its_fields() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(500).json_body(json!({
                "status": 1, "response_status_id": 1, "message": "No Key for Response"
            }));
        })
        .await;
    let (eko, _) = client(&server);
    let e = eko
        .create_url(CreateUrl::aadhaar("https://app.example/done").unwrap())
        .await
        .unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!(p.http_status, 500);
    assert_eq!(p.code, Some(1));
    assert_eq!(p.message, "No Key for Response");
}

#[tokio::test]
async fn non_json_200_is_a_decode_error_with_a_masked_excerpt() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200)
                .header("content-type", "text/html")
                .body("<html>mobile 9876543210</html>");
        })
        .await;
    let (eko, _) = client(&server);
    let e = eko.status(1_i64).await.unwrap_err();
    let Error::Decode {
        status, excerpt, ..
    } = &e
    else {
        panic!("expected Error::Decode, got {e:?}")
    };
    assert_eq!(*status, 200);
    assert!(!excerpt.contains("9876543210"), "{excerpt}");
}

#[tokio::test]
async fn post_is_retried_only_when_it_never_left() {
    // A port with nothing listening: the connection is refused, so the POST
    // provably never reached anyone and is retried, re-signed each time.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let server = MockServer::start_async().await;
    let clock = StepClock::new();
    let eko = builder(&server, &clock)
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let e = eko
        .create_url(
            CreateUrl::aadhaar("https://app.example/done")
                .unwrap()
                .client_ref_id("R"),
        )
        .await
        .unwrap_err();
    match &e {
        Error::Transport {
            kind,
            may_have_been_sent,
            ..
        } => {
            assert_eq!(*kind, TransportKind::Connect);
            assert!(!may_have_been_sent);
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert_eq!(clock.reads(), 3, "three attempts, each signed afresh");
}

#[tokio::test]
async fn invalid_input_never_reaches_the_server() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await;
    let (eko, clock) = client(&server);
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };

    // Relative and non-http redirect URLs.
    assert_eq!(
        field(CreateUrl::aadhaar("/kyc/done").unwrap_err()),
        "redirect_url"
    );
    assert_eq!(
        field(CreateUrl::aadhaar("ftp://app.example/x").unwrap_err()),
        "redirect_url"
    );
    // Empty document lists.
    assert_eq!(
        field(CreateUrl::new("https://app.example/done", []).unwrap_err()),
        "document_requested"
    );
    assert_eq!(
        field(eko.document("1", "vrf_1", []).await.unwrap_err()),
        "document_type"
    );
    // Missing verification_id.
    assert_eq!(
        field(
            eko.document("1", "  ", [EkoDocType::Aadhaar])
                .await
                .unwrap_err()
        ),
        "verification_id"
    );
    assert_eq!(
        field(EkoCallback::from_url("https://app.example/done?reference_id=1").unwrap_err()),
        "verification_id"
    );
    // client_ref_id longer than 20 characters, on every operation.
    let long = "A".repeat(21);
    let ok = CreateUrl::aadhaar("https://app.example/done").unwrap();
    assert_eq!(
        field(
            eko.create_url(ok.client_ref_id(long.clone()))
                .await
                .unwrap_err()
        ),
        "client_ref_id"
    );
    assert_eq!(
        field(
            eko.status(StatusRequest::new("1").client_ref_id(long.clone()))
                .await
                .unwrap_err()
        ),
        "client_ref_id"
    );
    assert_eq!(
        field(
            eko.document_with(
                DocumentRequest::new("1", "v", [EkoDocType::Aadhaar]).client_ref_id(long)
            )
            .await
            .unwrap_err()
        ),
        "client_ref_id"
    );
    // Empty reference and initiator.
    assert_eq!(field(eko.status("").await.unwrap_err()), "reference_id");
    assert_eq!(
        field(
            eko.status(StatusRequest::new("1").initiator_id(" "))
                .await
                .unwrap_err()
        ),
        "initiator_id"
    );

    any.assert_calls_async(0).await;
    assert_eq!(clock.reads(), 0, "nothing was even signed");
}

#[tokio::test]
async fn a_redirect_is_an_error_and_the_signed_request_goes_nowhere() {
    let other = MockServer::start_async().await;
    let stolen = other
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(json!({"status": 0}));
        })
        .await;
    let server = MockServer::start_async().await;
    let target = other.url("/tools/kyc/digilocker/status");
    let m = server.get_verification_status(|_, then| {
        then.into_inner().status(307).header("location", &target);
    });
    let (eko, _) = client(&server);
    let e = eko.status(1_i64).await.unwrap_err();
    assert_eq!(e.http_status(), Some(307), "{e:?}");
    m.assert_calls_async(1).await;
    stolen.assert_calls_async(0).await;
}
