//! How a Sandbox operation's result is read: the span, the mapping of
//! Sandbox's error envelope to [`Error`], the access token of an
//! `/authenticate` answer. (Credentials, retries and re-authentication are
//! the generated client's hooks: [`super::runtime`].)

use super::SandboxClient;
use crate::error::{Error, NotReadyReason, Provider, ProviderError, Result};
use crate::generated::sandbox::{self as generated, types as wire};
use crate::http::{Failure, decode_error};
use crate::redact::{Secret, mask_sensitive};
use crate::retry::parse_retry_after;
use crate::runtime;
use reqwest::header::HeaderMap;
use std::future::Future;

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
    InitiateSessionResponse,
    GetSessionStatusResponse,
    GetDocumentResponse,
    GetUserProfileResponse,
    DigilockerSdkCreateSessionResponse,
    DigilockerSdkGetDocumentResponse,
    EntitylockerGetEntityDetailsResponse,
    EntitylockerGetUserProfileResponse,
    EntitylockerSdkCreateSessionResponse,
);

impl Envelope for wire::AuthenticateResponse {
    fn transaction_id(&self) -> Option<&str> {
        self.transaction_id.as_deref()
    }
}

pub(crate) use crate::http::Sent;

impl SandboxClient {
    /// Run one facade operation in its span (see [`runtime::traced`]).
    pub(crate) async fn traced<T>(
        &self,
        operation: &'static str,
        body: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        runtime::traced(Provider::Sandbox, operation, body).await
    }

    /// A read of one session (status, document, profile, entity): the id
    /// checked before anything is sent, then `send` (which may check more
    /// of the input, and gets the generated client and the id), then `map`
    /// from the generated answer, all in the operation's span.
    pub(crate) async fn session_read<W, T>(
        &self,
        operation: &'static str,
        session_id: &str,
        send: impl AsyncFnOnce(&generated::Client, &str) -> Result<Sent<W>>,
        map: impl FnOnce(W) -> Result<T>,
    ) -> Result<T>
    where
        W: Envelope + serde::de::DeserializeOwned,
    {
        self.traced(operation, async move {
            super::validate::session_id(session_id)?;
            let sent = send(&self.inner.api, session_id).await?;
            map(self.call(sent).await?)
        })
        .await
    }

    /// What a generated call returned: the value (its transaction id on the
    /// span) or the typed error. Auth headers, retries and re-authentication
    /// happened in the generated client's hooks ([`super::runtime`]).
    pub(crate) async fn call<T>(&self, result: Sent<T>) -> Result<T>
    where
        T: Envelope + serde::de::DeserializeOwned,
    {
        let (value, _) = runtime::settle(result, map_failure).await?;
        runtime::record_transaction(value.transaction_id());
        Ok(value)
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

/// The Sandbox error envelope of a body, when it is one (a JSON object),
/// read in one pass. (A serde struct would also accept a JSON array, field
/// by position, so anything not starting with `{` is refused first.)
fn envelope_of(body: &[u8]) -> std::result::Result<wire::SandboxError, String> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err("not a JSON object".into());
    }
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// Whether a failure is Sandbox refusing the access token (not the
/// credentials' privileges or credit): every 401, and a 403 whose message
/// speaks of the token ("Access token has expired", "Invalid access token",
/// "Access revoked").
pub(crate) fn token_rejected(status: u16, body: &[u8]) -> bool {
    match status {
        401 => true,
        // The words are looked for in the body as text: the retry loop
        // decides this before the facade reads the envelope, and a body is
        // parsed as JSON only once, there.
        403 => {
            let text = String::from_utf8_lossy(body).to_lowercase();
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
    let pe = Box::new(pe);
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
        let f = |s: u16, b: &str| (s, b.as_bytes().to_vec());
        let token_rejected = |(s, b): (u16, Vec<u8>)| token_rejected(s, &b);
        assert!(token_rejected(f(401, "")));
        assert!(token_rejected(f(
            403,
            r#"{"message":"Access token has expired"}"#
        )));
        assert!(token_rejected(f(
            403,
            r#"{"message":"Invalid access token"}"#
        )));
        assert!(!token_rejected(f(
            403,
            r#"{"message":"Insufficient credits"}"#
        )));
        assert!(!token_rejected(f(500, "")));
    }
}
