//! How every Sandbox operation is run: a tracing span, the access token,
//! retries where repeating is safe, one re-authentication on a rejected
//! token, and the mapping of Sandbox's error envelope to [`Error`].

use super::SandboxClient;
use crate::error::{Error, NotReadyReason, Provider, ProviderError, Result, TransportKind};
use crate::generated::sandbox::types as wire;
use crate::http::{Failure, classify, decode_error};
use crate::redact::{Secret, mask_sensitive};
use crate::retry::{parse_retry_after, retryable_status};
use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;
use std::future::Future;
use std::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

/// Whether a request may be repeated after it may have reached Sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// Reads (GET) and `/authenticate`: repeat on 429/5xx and transport
    /// errors.
    Idempotent,
    /// POSTs that create something: repeat only when provably never sent.
    NotIdempotent,
}

/// The auth headers of one attempt, borrowed from the token cache and the
/// configuration (the generated builder copies them into the request).
pub(crate) struct Auth<'a> {
    pub(crate) token: &'a str,
    pub(crate) key: &'a str,
    pub(crate) version: Option<&'a str>,
}

/// Generated response envelopes: what the span records on success.
pub(crate) trait Envelope {
    fn transaction_id(&self) -> Option<&str>;
}

macro_rules! envelope {
    ($($t:ident),+ $(,)?) => {$(
        impl Envelope for wire::$t {
            fn transaction_id(&self) -> Option<&str> {
                Some(&self.transaction_id)
            }
        }
    )+};
}

envelope!(
    DigilockerVerifyUserAccountResponse,
    DigilockerInitiateSessionResponse,
    DigilockerGetSessionStatusResponse,
    DigilockerGetDocumentResponse,
    DigilockerGetUserProfileResponse,
    DigilockerSdkCreateSessionResponse,
    DigilockerSdkGetSessionStatusResponse,
    DigilockerSdkGetDocumentResponse,
    DigilockerSdkGetUserProfileResponse,
    EntitylockerInitiateSessionResponse,
    EntitylockerGetSessionStatusResponse,
    EntitylockerGetDocumentResponse,
    EntitylockerGetEntityDetailsResponse,
    EntitylockerGetUserProfileResponse,
    EntitylockerSdkCreateSessionResponse,
    EntitylockerSdkGetSessionStatusResponse,
    EntitylockerSdkGetDocumentResponse,
);

impl Envelope for wire::AuthenticateResponse {
    fn transaction_id(&self) -> Option<&str> {
        self.transaction_id.as_deref()
    }
}

impl SandboxClient {
    /// Run one facade operation inside its span: operation id, final HTTP
    /// status, duration, transaction id, outcome. Never bodies or tokens.
    pub(crate) async fn traced<T, Fut>(
        &self,
        operation: &'static str,
        body: impl FnOnce(tracing::Span) -> Fut,
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let span = tracing::info_span!(
            "sandbox",
            operation,
            http_status = Empty,
            duration_ms = Empty,
            transaction_id = Empty,
            attempts = Empty,
            outcome = Empty,
        );
        let started = Instant::now();
        let result = body(span.clone()).instrument(span.clone()).await;
        let elapsed = started.elapsed().as_millis() as u64;
        span.record("duration_ms", elapsed);
        match &result {
            Ok(_) => {
                span.record("outcome", "ok");
            }
            Err(e) => {
                span.record("outcome", error_kind(e));
                if let Some(s) = e.http_status() {
                    span.record("http_status", s);
                }
                if let Some(t) = e.transaction_id() {
                    span.record("transaction_id", t);
                }
            }
        }
        span.in_scope(|| match &result {
            Ok(_) => tracing::debug!(duration_ms = elapsed, "sandbox operation done"),
            Err(e) => {
                tracing::debug!(duration_ms = elapsed, error = %e, "sandbox operation failed")
            }
        });
        result
    }

    /// Send with retries where safe. Returns the decoded value, or the
    /// failure of the last attempt.
    pub(crate) async fn send_with_retries<T: serde::de::DeserializeOwned, F, Fut>(
        &self,
        span: &tracing::Span,
        safety: Safety,
        send: F,
    ) -> std::result::Result<(T, u16), Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<()>>>,
    {
        let policy = &self.inner.config.http.retry;
        let mut attempt: u32 = 1;
        loop {
            let outcome = classify(send().await).await;
            span.record("attempts", attempt);
            let failure = match outcome {
                Ok(ok) => {
                    span.record("http_status", ok.1);
                    return Ok(ok);
                }
                Err(f) => f,
            };
            let wait = match &failure {
                Failure::Status {
                    status, headers, ..
                } => {
                    span.record("http_status", *status);
                    if safety == Safety::Idempotent && retryable_status(*status) {
                        policy.delay(attempt, parse_retry_after(headers))
                    } else {
                        None
                    }
                }
                // A request reqwest could not build (kind `Request`) was
                // never sent, and building it again cannot succeed.
                Failure::Transport { kind, .. }
                    if *kind != TransportKind::Request
                        && (safety == Safety::Idempotent || failure.never_sent()) =>
                {
                    policy.delay(attempt, None)
                }
                _ => None,
            };
            let Some(wait) = wait else {
                return Err(failure);
            };
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                status = failure_status(&failure),
                "retrying sandbox request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Send an authenticated operation: token from the cache, retries where
    /// safe, one re-authentication and repeat when Sandbox rejects the token.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        span: &tracing::Span,
        safety: Safety,
        send: F,
    ) -> Result<T>
    where
        T: Envelope + serde::de::DeserializeOwned,
        F: Fn(&Auth<'_>) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<()>>>,
    {
        let cfg = &self.inner.config;
        let mut reauthenticated = false;
        loop {
            let token = self.token().await?;
            let auth = Auth {
                token: token.value.expose(),
                key: cfg.api_key.expose(),
                version: cfg.api_version.as_deref(),
            };
            match self.send_with_retries(span, safety, || send(&auth)).await {
                Ok((value, _)) => {
                    if let Some(t) = value.transaction_id() {
                        span.record("transaction_id", t);
                    }
                    return Ok(value);
                }
                Err(f) if !reauthenticated && token_rejected(&f) => {
                    // A 401/403 means Sandbox did not act on the request, so
                    // repeating it once (even a POST) is safe.
                    tracing::debug!("sandbox rejected the access token; authenticating again");
                    self.inner.tokens.invalidate(token.generation);
                    reauthenticated = true;
                }
                Err(f) => return Err(map_failure(f)),
            }
        }
    }

    /// The current access token (single-flight refresh).
    async fn token(&self) -> Result<super::token::Token> {
        let cfg = &self.inner.config;
        let clock = cfg.clock.clone();
        self.inner
            .tokens
            .get(
                move || clock.now(),
                cfg.refresh_margin,
                || self.authenticate(),
            )
            .await
    }

    /// `POST /authenticate` with the key and secret.
    async fn authenticate(&self) -> Result<Secret> {
        self.traced("authenticate", |span| async move {
            let cfg = &self.inner.config;
            let api = &self.inner.api;
            let (resp, status) = self
                .send_with_retries(&span, Safety::Idempotent, || {
                    let b = api
                        .authenticate()
                        .x_api_key(cfg.api_key.expose().to_string())
                        .x_api_secret(cfg.api_secret.expose().to_string());
                    match &cfg.api_version {
                        Some(v) => b.x_api_version(v.clone()),
                        None => b,
                    }
                    .send()
                })
                .await
                .map_err(map_failure)?;
            if let Some(t) = resp.transaction_id() {
                span.record("transaction_id", t);
            }
            access_token(resp, status)
        })
        .await
    }
}

/// The access token of an `/authenticate` response (`data.access_token`,
/// or a top-level `access_token`).
pub(crate) fn access_token(resp: wire::AuthenticateResponse, status: u16) -> Result<Secret> {
    let token = resp
        .data
        .as_ref()
        .and_then(|d| d.access_token.clone())
        .or_else(|| resp.access_token.clone())
        .filter(|t| !t.trim().is_empty());
    match token {
        // Sent back as a header value: a token with a control or non-ASCII
        // character could not be, so it is Sandbox's error, not the input's.
        Some(t) if !t.bytes().all(|b| (0x21..=0x7e).contains(&b)) => Err(decode_error(
            Provider::Sandbox,
            status,
            b"",
            "the access_token in the /authenticate response has characters an HTTP header cannot carry".into(),
        )),
        Some(t) => Ok(Secret::new(t)),
        None => Err(decode_error(
            Provider::Sandbox,
            status,
            &serde_json::to_vec(&resp).unwrap_or_default(),
            "no access_token in the /authenticate response (neither data.access_token nor access_token)".into(),
        )),
    }
}

/// Decode a whole Sandbox response (status, headers, body) the way an
/// operation does: the generated type on 200 then `outcome` (the
/// operation's own mapping), anything else through [`map_failure`]. Pure;
/// the entry point of the fuzz targets.
pub(crate) fn decode<W, T>(
    status: u16,
    headers: HeaderMap,
    body: bytes::Bytes,
    outcome: impl FnOnce(W, u16) -> Result<T>,
) -> Result<T>
where
    W: serde::de::DeserializeOwned,
{
    match crate::http::decode_wire::<W>(status, headers, body) {
        Ok((value, status)) => outcome(value, status),
        Err(f) => Err(map_failure(f)),
    }
}

fn failure_status(f: &Failure) -> u16 {
    match f {
        Failure::Status { status, .. }
        | Failure::Decode { status, .. }
        | Failure::TooLarge { status, .. } => *status,
        _ => 0,
    }
}

fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config(_) => "config",
        Error::Auth(_) => "auth",
        Error::RateLimited { .. } => "rate_limited",
        Error::SessionNotFound(_) => "session_not_found",
        Error::NotReady { .. } => "not_ready",
        Error::Provider(_) => "provider",
        Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
        Error::LinkExpired { .. } => "link_expired",
        Error::TooLarge { .. } => "too_large",
        _ => "other",
    }
}

/// The Sandbox error envelope of a body, when it is one (a JSON object).
fn envelope_of(body: &[u8]) -> std::result::Result<wire::SandboxError, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if !value.is_object() {
        return Err("not a JSON object".into());
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Whether a failure is Sandbox refusing the access token (not the
/// credentials' privileges or credit): every 401, and a 403 whose message
/// speaks of the token ("Access token has expired", "Invalid access token",
/// "Access revoked").
fn token_rejected(f: &Failure) -> bool {
    let Failure::Status { status, body, .. } = f else {
        return false;
    };
    match status {
        401 => true,
        403 => {
            let text = envelope_of(body)
                .ok()
                .and_then(|e| e.message)
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
                .to_lowercase();
            ["token", "expired", "revoked", "unauthorized", "jwt"]
                .iter()
                .any(|w| text.contains(w))
        }
        _ => false,
    }
}

/// Map a failed request to the crate's error.
pub(crate) fn map_failure(f: Failure) -> Error {
    match f.into_error(Provider::Sandbox) {
        Ok(e) => e,
        Err(Failure::Status {
            status,
            headers,
            body,
        }) => map_status(status, &headers, &body),
        // `into_error` hands back only `Status`.
        Err(_) => Error::Config("unclassified Sandbox failure".into()),
    }
}

/// Map a non-2xx response. Statuses whose meaning does not depend on the
/// body (401, 403, 429, 521, 523) are typed even when the body is not
/// Sandbox's envelope; for the others, a body that is not the envelope
/// (HTML from a gateway, empty, truncated) is a [`Error::Decode`].
pub(crate) fn map_status(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let typed_by_status = matches!(status, 401 | 403 | 429 | 521 | 523);
    let envelope = match envelope_of(body) {
        Ok(e) => e,
        Err(_) if typed_by_status => wire::SandboxError::default(),
        Err(msg) => {
            return decode_error(
                Provider::Sandbox,
                status,
                body,
                format!("not a Sandbox error envelope: {msg}"),
            );
        }
    };
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(str::to_string)
        .unwrap_or_else(|| match status {
            521 => "Data not found".to_string(),
            523 => "Invalid session lifecycle".to_string(),
            _ => format!("HTTP {status}"),
        });
    // Messages can echo the input (an Aadhaar or mobile number): mask it.
    let message = envelope
        .message
        .filter(|m| !m.trim().is_empty())
        .map(|m| mask_sensitive(&m))
        .unwrap_or(reason);
    let mut pe = ProviderError::new(Provider::Sandbox, status, message);
    pe.code = envelope.code;
    pe.timestamp = envelope.timestamp;
    // API Gateway's request id equals the transaction id when the body has none.
    pe.transaction_id = envelope.transaction_id.or_else(|| {
        headers
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    match status {
        401 | 403 => Error::Auth(pe),
        429 => Error::RateLimited {
            error: pe,
            retry_after: parse_retry_after(headers),
        },
        521 => Error::SessionNotFound(pe),
        523 => Error::NotReady {
            reason: NotReadyReason::Lifecycle,
            error: pe,
        },
        400 if is_consent_missing(&pe.message) => Error::NotReady {
            reason: NotReadyReason::ConsentMissing,
            error: pe,
        },
        _ => Error::Provider(pe),
    }
}

/// "Consent for pan not provided".
fn is_consent_missing(message: &str) -> bool {
    let m = message.to_lowercase();
    m.starts_with("consent for") && m.contains("not provided")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, body: &str) -> Error {
        map_status(code, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn typed_statuses() {
        assert!(matches!(
            status(401, r#"{"message":"Unauthorized"}"#),
            Error::Auth(_)
        ));
        assert!(matches!(
            status(521, r#"{"code":521,"message":"Data not found for: x"}"#),
            Error::SessionNotFound(_)
        ));
        assert!(matches!(
            status(523, ""),
            Error::NotReady {
                reason: NotReadyReason::Lifecycle,
                ..
            }
        ));
        assert!(matches!(
            status(
                400,
                r#"{"code":400,"message":"Consent for pan not provided"}"#
            ),
            Error::NotReady {
                reason: NotReadyReason::ConsentMissing,
                ..
            }
        ));
        let e = status(
            400,
            r#"{"code":400,"message":"Invalid request body","transaction_id":"t-1"}"#,
        );
        assert!(matches!(&e, Error::Provider(p) if p.message == "Invalid request body"));
        assert_eq!(e.transaction_id(), Some("t-1"));
        assert!(matches!(
            status(502, "<html>bad gateway</html>"),
            Error::Decode { status: 502, .. }
        ));
        assert!(matches!(status(500, ""), Error::Decode { status: 500, .. }));
        assert!(matches!(status(500, "[1,2]"), Error::Decode { .. }));
    }

    #[test]
    fn token_rejections() {
        let f = |s: u16, b: &str| Failure::Status {
            status: s,
            headers: HeaderMap::new(),
            body: bytes::Bytes::from(b.to_string()),
        };
        assert!(token_rejected(&f(401, "")));
        assert!(token_rejected(&f(
            403,
            r#"{"message":"Access token has expired"}"#
        )));
        assert!(token_rejected(&f(
            403,
            r#"{"message":"Invalid access token"}"#
        )));
        assert!(!token_rejected(&f(
            403,
            r#"{"message":"Insufficient credits"}"#
        )));
        assert!(!token_rejected(&f(500, "")));
    }
}
