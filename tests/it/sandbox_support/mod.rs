//! Helpers shared by the Sandbox facade tests (`tests/sandbox_*.rs`).
#![allow(dead_code)]

use crate::common::typed;
use base64::Engine as _;
use digilocker_kyc::RetryPolicy;
use digilocker_kyc::generated::sandbox::mock::MockServerExt as _;
use digilocker_kyc::sandbox::{SandboxClient, SandboxClientBuilder};
use httpmock::prelude::*;
use httpmock::{Mock, When};
use serde_json::{Value, json};
use std::sync::LazyLock;
use std::time::Duration;

pub const KEY: &str = "key_test_facade0001";
pub const SECRET: &str = "secret_test_facade0001";
pub const VERSION: &str = "1.0.0";
pub const TXN: &str = "a11c4e00-fae1-4092-a55f-b4f0be92ffeb";
pub const SESSION: &str = "f1bd0342-cc1d-4051-8301-e8ee17e3a3c3";

/// A JWT (unsigned) whose payload carries `exp`.
pub fn jwt_with_exp(exp: u64, tag: &str) -> String {
    let e = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        e.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(format!(
            r#"{{"exp":{exp},"intent":"ACCESS_TOKEN","iss":"api.sandbox.co.in","tag":"{tag}"}}"#
        )),
        e.encode(format!("signature-{tag}"))
    )
}

/// A token valid until 2100.
pub static TOKEN: LazyLock<String> = LazyLock::new(|| jwt_with_exp(4_102_444_800, "one"));
/// A second, distinct token valid until 2100.
pub static TOKEN2: LazyLock<String> = LazyLock::new(|| jwt_with_exp(4_102_444_800, "two"));

/// Sandbox's success envelope around `data`.
pub fn ok(data: Value) -> Value {
    json!({ "code": 200, "timestamp": 1751975600361i64, "data": data, "transaction_id": TXN })
}

/// Sandbox's error envelope.
pub fn err(code: u16, message: &str) -> Value {
    json!({ "code": code, "timestamp": 1760428752393i64, "message": message,
            "transaction_id": "8be099b1-8d19-457e-b907-5b825740d9cc" })
}

/// Fast, deterministic retries for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        jitter: false,
        ..RetryPolicy::default()
    }
}

/// A builder pointed at `server`, with test credentials and fast retries.
pub fn builder(server: &MockServer) -> SandboxClientBuilder {
    SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(server.base_url())
        .retry_policy(fast_retries())
}

/// A client pointed at `server` that sends `x-api-version: 1.0.0`.
pub fn client(server: &MockServer) -> SandboxClient {
    builder(server).api_version(VERSION).build().unwrap()
}

/// `/authenticate` answering `token` in the current envelope.
pub async fn mock_auth<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let body = json!({ "code": 200, "data": { "access_token": token },
                       "timestamp": 1750687659809i64, "transaction_id": "auth-txn" });
    server.authenticate(|when, then| {
        when.into_inner()
            .header("x-api-key", KEY)
            .header("x-api-secret", SECRET)
            .header_missing("authorization");
        then.ok(&typed(body));
    })
}

/// The headers every authenticated operation must carry: the raw token
/// (no `Bearer`), the API key, the configured version, and not
/// progenitor's `api-version`.
pub fn authed(when: When, token: &str) -> When {
    when.header("authorization", token)
        .header("x-api-key", KEY)
        .header("x-api-version", VERSION)
        .header_missing("api-version")
}

/// Like [`authed`] for the operations whose spec has no `x-api-version`.
pub fn authed_no_version(when: When, token: &str) -> When {
    when.header("authorization", token)
        .header("x-api-key", KEY)
        .header_missing("x-api-version")
        .header_missing("api-version")
}

/// The status path of [`SESSION`].
pub const STATUS_PATH: &str =
    "/kyc/digilocker/sessions/f1bd0342-cc1d-4051-8301-e8ee17e3a3c3/status";

/// A status answer for [`SESSION`]: state `created`.
pub fn status_body() -> Value {
    ok(json!({
        "id": SESSION, "created_at": 1752579445983i64,
        "@entity": "in.co.sandbox.kyc.digilocker.session", "status": "created"
    }))
}

/// [`SESSION`]'s status, answered with [`status_body`] to calls carrying
/// `token`.
pub async fn mock_status_ok<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    server.digilocker_get_session_status(|when, then| {
        authed(when.session_id(SESSION).into_inner(), token);
        then.ok(&typed(status_body()));
    })
}
