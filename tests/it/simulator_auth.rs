//! The simulator rejects what the providers reject, with their envelopes.

use crate::simulator_support;

use digilocker_kyc::simulator::Simulator;
use reqwest::Method;
use serde_json::{Value, json};
use simulator_support::*;
use std::time::Duration;

fn init_body(redirect: &str) -> Value {
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin",
        "redirect_url": redirect,
        "doc_types": ["aadhaar", "pan"],
    })
}

#[tokio::test]
async fn authenticate_issues_a_jwt_with_exp() {
    let sim = Simulator::builder()
        .token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let c = client();
    let resp = c
        .post(format!("{}/authenticate", sim.sandbox_base_url()))
        .header("x-api-key", sim.sandbox_credentials().api_key)
        .header(
            "x-api-secret",
            sim.sandbox_credentials().api_secret.expose(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let tx_header = resp
        .headers()
        .get("x-amzn-requestid")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 200);
    assert_eq!(body["transaction_id"], json!(tx_header));
    let token = body["data"]["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3);
    let payload = jwt_payload(token);
    let exp = payload["exp"].as_i64().unwrap();
    let iat = payload["iat"].as_i64().unwrap();
    assert_eq!(exp - iat, 600);
    assert!(sim.sandbox_credentials().api_key.starts_with("key_test_"));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_sandbox_credentials_are_401() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    for (key, secret) in [
        (
            sim.sandbox_credentials().api_key,
            "secret_test_wrong".to_string(),
        ),
        (
            "key_test_wrong".to_string(),
            sim.sandbox_credentials().api_secret.expose().to_string(),
        ),
    ] {
        let resp = c
            .post(format!("{}/authenticate", sim.sandbox_base_url()))
            .header("x-api-key", key)
            .header("x-api-secret", secret)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        assert_sandbox_error(status, &body, 401, "Invalid API key or secret");
    }
}

#[tokio::test]
async fn missing_token_is_401_unauthorized() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let resp = c
        .post(format!(
            "{}/kyc/digilocker/sessions/init",
            sim.sandbox_base_url()
        ))
        .header("x-api-key", sim.sandbox_credentials().api_key)
        .json(&init_body("https://app.example/done"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let tx = resp.headers()["x-amzn-requestid"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = resp.json().await.unwrap();
    assert_sandbox_error(status, &body, 401, "Unauthorized");
    assert_eq!(body["transaction_id"], json!(tx));
    assert!(sim.sessions().is_empty());
}

#[tokio::test]
async fn bearer_prefix_and_forged_tokens_are_invalid() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    for bad in [
        format!("Bearer {t}"),
        format!("{t}x"),
        "not-a-token".to_string(),
    ] {
        let (status, body) = sandbox_call(
            &c,
            &sim,
            &bad,
            Method::GET,
            "/kyc/digilocker/sessions/00000000-0000-4000-8000-000000000000/status",
            None,
        )
        .await;
        assert_sandbox_error(status, &body, 403, "Invalid access token");
    }
    // The record shows the Bearer prefix but never the token.
    let rec = sim
        .requests()
        .into_iter()
        .find(|r| r.header("authorization") == Some("Bearer [redacted]"))
        .expect("recorded");
    assert!(!format!("{rec:?}").contains(&t));
}

#[tokio::test]
async fn stale_token_is_403_expired_after_advancing_the_clock() {
    let sim = Simulator::builder()
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let path = "/kyc/digilocker/sessions/init";
    let (status, _) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(init_body("https://a.example/")),
    )
    .await;
    assert_eq!(status, 200);
    sim.advance_clock(Duration::from_secs(61));
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(init_body("https://a.example/")),
    )
    .await;
    assert_sandbox_error(status, &body, 403, "Access token has expired");
}

#[tokio::test]
async fn zero_lifetime_tokens_are_already_expired() {
    let sim = Simulator::builder()
        .token_lifetime(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::GET,
        "/kyc/digilocker/sessions/x/status",
        None,
    )
    .await;
    assert_sandbox_error(status, &body, 403, "Access token has expired");
}

#[tokio::test]
async fn wrong_eko_signature_is_403() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let mut headers = eko_headers(&sim);
    headers.insert(
        "secret-key",
        "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo="
            .parse()
            .unwrap(),
    );
    let resp = c
        .get(format!(
            "{}/tools/kyc/digilocker/status",
            sim.eko_base_url()
        ))
        .headers(headers)
        .query(&[("initiator_id", "9000000100"), ("reference_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 403);
    assert_eq!(body["message"], "Forbidden: secret-key does not match");

    // The wrong developer key too.
    let mut headers = eko_headers(&sim);
    headers.insert("developer_key", "0000".parse().unwrap());
    let resp = c
        .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
        .headers(headers)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let rec = sim.requests().pop().unwrap();
    assert_eq!(rec.header("secret-key"), Some("[redacted]"));
    assert_eq!(rec.header("developer_key"), Some("XXXX"));
}

#[tokio::test]
async fn stale_eko_timestamp_is_403() {
    let sim = Simulator::builder()
        .eko_timestamp_tolerance(Duration::from_secs(300))
        .start()
        .await
        .unwrap();
    let c = client();
    let creds = sim.eko_credentials();
    // Correctly signed, but ten minutes old.
    let old = sim_now_ms(&sim) - 10 * 60 * 1000;
    let resp = c
        .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
        .headers(eko_headers_at(&sim, old))
        .json(&json!({
            "initiator_id": creds.initiator_id,
            "client_ref_id": "R1",
            "document_requested": ["AADHAAR"],
            "redirect_url": "https://app.example/cb",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 403);
    assert_eq!(
        body["message"],
        "Forbidden: secret-key-timestamp is too far from server time"
    );
    // Signed now, then the simulator's clock moves on by more than the
    // tolerance: the same headers go stale.
    let headers = eko_headers(&sim);
    sim.advance_clock(Duration::from_secs(301));
    let resp = c
        .get(format!(
            "{}/tools/kyc/digilocker/status",
            sim.eko_base_url()
        ))
        .headers(headers)
        .query(&[
            ("initiator_id", creds.initiator_id.as_str()),
            ("reference_id", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(sim.sessions().is_empty());
}

#[tokio::test]
async fn verify_needs_aadhaar_or_mobile() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let path = "/kyc/digilocker/user/verify";
    let entity = "in.co.sandbox.kyc.digilocker.user.verification.request";

    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(json!({ "@entity": entity })),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        400,
        "Invalid request body: at least one of aadhaar_number | mobile must be provided",
    );

    // Present but not matching its pattern: 422.
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(json!({ "@entity": entity, "aadhaar_number": "1234567890123" })),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        422,
        "Invalid aadhaar_number: must match ^[0-9]{12}$",
    );

    // Wrong @entity: 400.
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(json!({ "@entity": "x", "mobile": "9000000001" })),
    )
    .await;
    assert_eq!(status, 400, "{body}");

    for (number, exists) in [("9000000001", true), ("9999999999", false)] {
        let (status, body) = sandbox_call(
            &c,
            &sim,
            &t,
            Method::POST,
            path,
            Some(json!({ "@entity": entity, "mobile": number })),
        )
        .await;
        assert_eq!(status, 200);
        conforms_sandbox("digilocker_verify_user_account", &body);
        assert_eq!(body["data"]["user_exists"], json!(exists));
        assert_eq!(
            body["data"]["@entity"],
            "in.co.sandbox.kyc.digilocker.user.verification.response"
        );
    }
    // Both fields are fine.
    let (status, _) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(
            json!({ "@entity": entity, "mobile": "9000000001", "aadhaar_number": "000000001234" }),
        ),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn init_rejects_non_https_redirect_and_bad_bodies() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let path = "/kyc/digilocker/sessions/init";

    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        path,
        Some(init_body("http://app.example/")),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        400,
        "Invalid request body: redirect_url must start with https://",
    );

    let mut empty_docs = init_body("https://app.example/");
    empty_docs["doc_types"] = json!([]);
    let mut unknown_doc = init_body("https://app.example/");
    unknown_doc["doc_types"] = json!(["passport"]);
    let mut bad_flow = init_body("https://app.example/");
    bad_flow["flow"] = json!("sign_in");
    let mut bad_entity = init_body("https://app.example/");
    bad_entity["@entity"] = json!("in.co.sandbox.kyc.digilocker.sdk.session.request");
    for body in [empty_docs, unknown_doc, bad_flow, bad_entity] {
        let (status, resp) = sandbox_call(&c, &sim, &t, Method::POST, path, Some(body)).await;
        assert_eq!(status, 400, "{resp}");
        assert!(
            resp["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid request body")
        );
    }

    // Not JSON at all.
    let resp = c
        .post(format!("{}{path}", sim.sandbox_base_url()))
        .headers(sandbox_headers(&sim, &t))
        .body("{\"@entity\":")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert_sandbox_error(status, &body, 400, "Invalid request body");

    // SDK create forbids unknown fields (additionalProperties: false).
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/digilocker-sdk/sessions/create",
        Some(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request",
            "flow": "signup",
            "doc_types": ["aadhaar"],
            "redirect_url": "https://app.example/",
        })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(sim.sessions().is_empty());
}

#[tokio::test]
async fn eko_business_validation_is_http_200_with_invalid_params() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let creds = sim.eko_credentials();
    let base = json!({
        "initiator_id": creds.initiator_id,
        "client_ref_id": "R1",
        "document_requested": ["AADHAAR"],
        "redirect_url": "https://app.example/cb",
    });
    let cases = [
        ("initiator_id", Value::Null, 1, "initiator_id"),
        ("initiator_id", json!("9999999990"), 319, "initiator_id"),
        ("redirect_url", json!("not a url"), 1, "redirect_url"),
        (
            "document_requested",
            json!(["PAN"]),
            1,
            "document_requested",
        ),
        (
            "client_ref_id",
            json!("a-client-ref-that-is-too-long"),
            1,
            "client_ref_id",
        ),
    ];
    for (field, value, status, param) in cases {
        let mut body = base.clone();
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        let resp = c
            .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
            .headers(eko_headers(&sim))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        conforms_eko("create_digilocker_url", &body);
        assert_eq!(body["status"], json!(status), "{body}");
        assert!(body["invalid_params"][param].is_string(), "{body}");
        assert_eq!(body["response_type_id"], -1);
    }
    let resp = c
        .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
        .headers(eko_headers(&sim))
        .json(&json!({
            "initiator_id": creds.initiator_id,
            "client_ref_id": "R1",
            "document_requested": ["AADHAAR"],
            "redirect_url": "javascript:alert(1)",
        }))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["response_status_id"], 301);
    assert_eq!(body["message"], "Invalid redirect URL provided.");
    assert!(sim.sessions().is_empty());
}
