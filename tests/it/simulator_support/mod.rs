//! Helpers shared by the simulator tests: raw HTTP against the simulator.
#![allow(dead_code)]

use digilocker_kyc::eko::sign::secret_key;
use digilocker_kyc::generated::{eko, sandbox};
use digilocker_kyc::simulator::Simulator;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use std::time::UNIX_EPOCH;

/// A client that does not follow redirects (tests assert on 302s).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Milliseconds on the simulator's clock.
pub fn sim_now_ms(sim: &Simulator) -> i64 {
    sim.now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// POST /authenticate with the right credentials; the access token.
pub async fn token(c: &reqwest::Client, sim: &Simulator) -> String {
    let creds = sim.sandbox_credentials();
    let resp = c
        .post(format!("{}/authenticate", sim.sandbox_base_url()))
        .header("x-api-key", &creds.api_key)
        .header("x-api-secret", creds.api_secret.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    conforms_sandbox("authenticate", &body);
    body["data"]["access_token"].as_str().unwrap().to_string()
}

/// Sandbox auth headers.
pub fn sandbox_headers(sim: &Simulator, token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "x-api-key",
        HeaderValue::from_str(&sim.sandbox_credentials().api_key).unwrap(),
    );
    h.insert("authorization", HeaderValue::from_str(token).unwrap());
    h
}

/// A Sandbox call: (status, JSON body).
pub async fn sandbox_call(
    c: &reqwest::Client,
    sim: &Simulator,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = c
        .request(method, format!("{}{}", sim.sandbox_base_url(), path))
        .headers(sandbox_headers(sim, token));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Eko signature headers for a timestamp (ms).
pub fn eko_headers_at(sim: &Simulator, ts_ms: i64) -> HeaderMap {
    let creds = sim.eko_credentials();
    let ts = ts_ms.to_string();
    let mut h = HeaderMap::new();
    h.insert(
        "developer_key",
        HeaderValue::from_str(&creds.developer_key).unwrap(),
    );
    h.insert(
        "secret-key",
        HeaderValue::from_str(&secret_key(creds.access_key.expose(), &ts)).unwrap(),
    );
    h.insert("secret-key-timestamp", HeaderValue::from_str(&ts).unwrap());
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h
}

/// Eko signature headers for now (simulator clock).
pub fn eko_headers(sim: &Simulator) -> HeaderMap {
    eko_headers_at(sim, sim_now_ms(sim))
}

/// POST {eko}/tools/kyc/digilocker with a valid body; the response body.
pub async fn eko_create(c: &reqwest::Client, sim: &Simulator, redirect: &str) -> Value {
    let creds = sim.eko_credentials();
    let resp = c
        .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
        .headers(eko_headers(sim))
        .json(&json!({
            "initiator_id": creds.initiator_id,
            "user_code": creds.user_code,
            "client_ref_id": "REF0001",
            "document_requested": ["AADHAAR"],
            "redirect_url": redirect,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    conforms_eko("create_digilocker_url", &body);
    body
}

/// GET {eko}/tools/kyc/digilocker/status.
pub async fn eko_status(c: &reqwest::Client, sim: &Simulator, reference_id: i64) -> Value {
    let creds = sim.eko_credentials();
    let resp = c
        .get(format!(
            "{}/tools/kyc/digilocker/status",
            sim.eko_base_url()
        ))
        .headers(eko_headers(sim))
        .query(&[
            ("initiator_id", creds.initiator_id.as_str()),
            ("reference_id", &reference_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    conforms_eko("get_verification_status", &body);
    body
}

/// POST {eko}/tools/kyc/digilocker/document.
pub async fn eko_document(
    c: &reqwest::Client,
    sim: &Simulator,
    reference_id: i64,
    verification_id: &str,
) -> Value {
    let creds = sim.eko_credentials();
    let resp = c
        .post(format!(
            "{}/tools/kyc/digilocker/document",
            sim.eko_base_url()
        ))
        .headers(eko_headers(sim))
        .json(&json!({
            "initiator_id": creds.initiator_id,
            "user_code": creds.user_code,
            "client_ref_id": "REF0002",
            "document_type": ["AADHAAR"],
            "verification_id": verification_id,
            "reference_id": reference_id.to_string(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    conforms_eko("get_document", &body);
    body
}

/// A 2xx Sandbox body decodes as the generated response type.
pub fn conforms_sandbox(operation: &str, body: &Value) {
    match sandbox::rules::decode_success(operation, body) {
        Some(Ok(())) => {}
        Some(Err(e)) => panic!("{operation}: response does not match the spec: {e}\n{body:#}"),
        None => panic!("unknown operation {operation}"),
    }
}

/// An Eko body decodes as the generated response type.
pub fn conforms_eko(operation: &str, body: &Value) {
    match eko::rules::decode_success(operation, body) {
        Some(Ok(())) => {}
        Some(Err(e)) => panic!("{operation}: response does not match the spec: {e}\n{body:#}"),
        None => panic!("unknown operation {operation}"),
    }
}

/// A Sandbox error envelope: code equals the HTTP status, message as given,
/// a UUID-like transaction id.
pub fn assert_sandbox_error(status: u16, body: &Value, expected_status: u16, message: &str) {
    assert_eq!(status, expected_status, "{body:#}");
    assert_eq!(body["code"], json!(expected_status), "{body:#}");
    assert_eq!(body["message"], json!(message), "{body:#}");
    assert!(body["timestamp"].is_i64(), "{body:#}");
    assert_eq!(
        body["transaction_id"].as_str().map(str::len),
        Some(36),
        "{body:#}"
    );
    assert!(body.get("data").is_none());
}

/// The JSON payload of a JWT.
pub fn jwt_payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json payload")
}
