//! Shared helpers for the Eko tests: a client pointed at an httpmock server
//! with a deterministic clock, an independent implementation of Eko's
//! signature, and a responder that records what the server received.
#![allow(dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use digilocker_kyc::RetryPolicy;
use digilocker_kyc::eko::{EkoClient, EkoClientBuilder};
use hmac::{Hmac, Mac};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEVELOPER_KEY: &str = "becbbce45f79c6f5109f848acd540567";
pub const ACCESS_KEY: &str = "d2fe1d99-6298-4af2-8cc5-d97dcf46df30";
pub const INITIATOR_ID: &str = "9962981729";
pub const USER_CODE: &str = "20810200";
/// The first timestamp the test clock gives; each call adds [`TICK`].
pub const T0: u64 = 1_700_000_000_000;
pub const TICK: u64 = 1_000;

/// Eko's signature computed here, independently of the crate's `Signer`:
/// base64(HMAC-SHA256(key = base64(access_key) as text, msg = timestamp)).
pub fn expected_secret_key(access_key: &str, timestamp: &str) -> String {
    let key = STANDARD.encode(access_key.as_bytes());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether a received request is correctly signed with [`ACCESS_KEY`].
pub fn correctly_signed(req: &HttpMockRequest) -> bool {
    let h = header_map(req);
    match (h.get("secret-key-timestamp"), h.get("secret-key")) {
        (Some(ts), Some(sk)) => *sk == expected_secret_key(ACCESS_KEY, ts),
        _ => false,
    }
}

fn header_map(req: &HttpMockRequest) -> std::collections::HashMap<String, String> {
    req.headers_vec()
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}

/// A clock that starts at [`T0`] and advances by [`TICK`] on every read.
#[derive(Clone)]
pub struct StepClock(Arc<AtomicU64>);

impl StepClock {
    pub fn new() -> Self {
        StepClock(Arc::new(AtomicU64::new(T0)))
    }
    pub fn reads(&self) -> u64 {
        (self.0.load(Ordering::SeqCst) - T0) / TICK
    }
}

/// A builder aimed at `server`, with the test credentials, the step clock,
/// and retries without waiting.
pub fn builder(server: &MockServer, clock: &StepClock) -> EkoClientBuilder {
    let c = clock.0.clone();
    EkoClient::builder()
        .developer_key(DEVELOPER_KEY)
        .access_key(ACCESS_KEY)
        .initiator_id(INITIATOR_ID)
        .user_code(USER_CODE)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            jitter: false,
            ..RetryPolicy::default()
        })
        .request_timeout(Duration::from_secs(10))
        .clock(move || c.fetch_add(TICK, Ordering::SeqCst))
}

pub fn client(server: &MockServer) -> (EkoClient, StepClock) {
    let clock = StepClock::new();
    (builder(server, &clock).build().unwrap(), clock)
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Recompute the signature from the received timestamp and compare.
    pub fn assert_signed(&self) {
        let ts = self
            .header("secret-key-timestamp")
            .expect("secret-key-timestamp header");
        assert!(
            ts.len() == 13 && ts.bytes().all(|b| b.is_ascii_digit()),
            "timestamp {ts}"
        );
        assert_eq!(
            self.header("secret-key"),
            Some(expected_secret_key(ACCESS_KEY, ts).as_str()),
            "secret-key does not match HMAC of timestamp {ts}"
        );
        assert_eq!(self.header("developer_key"), Some(DEVELOPER_KEY));
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(
            self.header("api-version"),
            None,
            "api-version must not be sent"
        );
    }
}

pub type Log = Arc<Mutex<Vec<Seen>>>;

pub fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn seen(log: &Log) -> Vec<Seen> {
    log.lock().unwrap().clone()
}

/// A responder that records the request and answers `status` with `body`.
pub fn reply(
    log: &Log,
    status: u16,
    content_type: &'static str,
    body: impl Into<String>,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    let log = log.clone();
    let body: String = body.into();
    move |req: &HttpMockRequest| {
        log.lock().unwrap().push(Seen {
            method: req.method_str().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            headers: req.headers_vec().clone(),
            body: req.body_string(),
        });
        HttpMockResponse::builder()
            .status(status)
            .header("content-type", content_type)
            .body(body.clone())
            .build()
    }
}

/// [`reply`] with a JSON body.
pub fn reply_json(
    log: &Log,
    status: u16,
    body: serde_json::Value,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    reply(log, status, "application/json", body.to_string())
}
