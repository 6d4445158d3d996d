//! Plumbing shared by both facades: the reqwest client, and turning what a
//! generated builder returns into either a value or a `Failure` that the
//! provider's facade maps to an [`Error`].

use crate::error::{Error, Provider, TransportKind};
use crate::redact;
use crate::retry::RetryPolicy;
use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The most of an error body that is read (the rest is discarded).
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;
/// Most bytes read from any API response, success or not (documents are
/// downloaded separately, under `max_download_bytes`). The largest real
/// answers (a document's file list, a profile) are a few kilobytes.
pub(crate) const MAX_JSON_BODY: usize = 16 * 1024 * 1024;

/// The marker error a capped body stream ends with.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: usize,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "response body exceeds the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

/// A body stream that ends with [`BodyTooLarge`] once more than `limit`
/// bytes have come, so no reader of it (the generated code's `json()` or
/// `bytes()` included) can buffer an endless or huge body.
struct Capped {
    inner: std::pin::Pin<
        Box<dyn futures_core::Stream<Item = reqwest::Result<Bytes>> + Send + 'static>,
    >,
    seen: usize,
    limit: usize,
    ended: bool,
}

impl futures_core::Stream for Capped {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.ended {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.seen = self.seen.saturating_add(chunk.len());
                if self.seen > self.limit {
                    self.ended = true;
                    let limit = self.limit;
                    Poll::Ready(Some(Err(Box::new(BodyTooLarge { limit }))))
                } else {
                    Poll::Ready(Some(Ok(chunk)))
                }
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A body that is over the limit before it starts (by its Content-Length).
struct OverLimit(Option<usize>);

impl futures_core::Stream for OverLimit {
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(
            self.0
                .take()
                .map(|limit| Err(Box::new(BodyTooLarge { limit }) as _)),
        )
    }
}

/// The size limit behind a body error, if it was [`BodyTooLarge`].
fn over_limit(e: &reqwest::Error) -> Option<usize> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<BodyTooLarge>() {
            return Some(t.limit);
        }
        source = s.source();
    }
    None
}

/// The same response with its body capped at `limit` bytes (a declared
/// `Content-Length` above the limit fails on the first read, before any
/// byte is buffered). Used by the generated clients' `exec` hook, so every
/// API response is bounded whoever reads it.
pub(crate) fn cap_body(resp: reqwest::Response, limit: usize) -> reqwest::Response {
    // A declared length within the limit needs no wrapper: hyper reads
    // exactly that many bytes and no more (and with no decompression
    // feature enabled, the length is the length of what is read). Only
    // bodies without one (chunked, or to the connection's end) are counted.
    if resp.content_length().is_some_and(|n| n <= limit as u64) {
        return resp;
    }
    let declared_too_large = resp.content_length().is_some_and(|n| n > limit as u64);
    let status = resp.status();
    let version = resp.version();
    let headers = resp.headers().clone();
    let body = if declared_too_large {
        // Dropping the response closes the connection unread.
        drop(resp);
        reqwest::Body::wrap_stream(OverLimit(Some(limit)))
    } else {
        reqwest::Body::wrap_stream(Capped {
            inner: Box::pin(resp.bytes_stream()),
            seen: 0,
            limit,
            ended: false,
        })
    };
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.version_mut() = version;
    *out.headers_mut() = headers;
    reqwest::Response::from(out)
}

/// Headers whose values are credentials or signatures: Sandbox's API key,
/// secret and access token, Eko's developer key and request signature.
/// (`secret-key-timestamp` is a time, not a secret.)
pub(crate) const SENSITIVE_HEADERS: &[&str] = &[
    "x-api-key",
    "x-api-secret",
    "authorization",
    "developer_key",
    "secret-key",
];

/// Mark every credential header in `headers` sensitive, so that hyper and
/// reqwest treat them as such (kept out of `Debug` output and out of
/// HTTP/2 header compression tables).
pub(crate) fn mark_sensitive(headers: &mut HeaderMap) {
    // One pass over the few headers a request has; looking each name up
    // with `entry` would parse and hash the five names on every call.
    for (name, value) in headers.iter_mut() {
        if SENSITIVE_HEADERS.contains(&name.as_str()) {
            value.set_sensitive(true);
        }
    }
}

/// Timeouts, retries and identification shared by both clients.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, response body included.
    pub request_timeout: Duration,
    /// Retry policy for requests that are safe to repeat.
    pub retry: RetryPolicy,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpSettings {
    /// 10 s to connect, 30 s per request, the default [`RetryPolicy`].
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

impl HttpSettings {
    /// Build the reqwest client these settings describe.
    pub(crate) fn client(&self) -> Result<reqwest::Client, Error> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(self.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(60))
            // Credentials, signatures and signed links stay with the host they
            // were meant for: a 3xx is handed back as an error carrying its
            // status, never followed, and no request names the page it came
            // from (a Referer would carry the previous URL's query).
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }
}

/// A request that did not produce a decoded 2xx value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The provider answered with a status the spec does not document as
    /// success.
    Status {
        status: u16,
        /// Boxed: a `HeaderMap` is most of the size of a `Failure`.
        headers: Box<HeaderMap>,
        body: Bytes,
    },
    /// A success status whose body did not decode.
    Decode {
        status: u16,
        body: Bytes,
        message: String,
    },
    /// Nothing usable came back.
    Transport {
        kind: TransportKind,
        may_have_been_sent: bool,
        source: reqwest::Error,
    },
    /// The generated builder refused the input.
    Invalid(String),
    /// The response body was larger than the cap for API responses.
    TooLarge { limit: usize },
}

impl Failure {
    /// Map the provider-independent failures to errors; `Status` is the
    /// caller's to interpret and is returned as is.
    pub(crate) fn into_error(self, provider: Provider) -> Result<Error, Failure> {
        match self {
            Failure::Decode {
                status,
                body,
                message,
            } => Ok(decode_error(provider, status, &body, message)),
            Failure::Transport {
                kind,
                may_have_been_sent,
                source,
            } => Ok(Error::Transport {
                provider,
                kind,
                may_have_been_sent,
                source: Box::new(source),
            }),
            Failure::Invalid(reason) => Ok(Error::InvalidInput {
                field: "request",
                reason,
            }),
            Failure::TooLarge { limit } => Ok(Error::TooLarge {
                limit: limit as u64,
            }),
            s @ Failure::Status { .. } => Err(s),
        }
    }
}

/// A decode error with a bounded, masked excerpt.
pub(crate) fn decode_error(provider: Provider, status: u16, body: &[u8], message: String) -> Error {
    let excerpt = if body.is_empty() {
        "(empty body)".to_string()
    } else {
        redact::excerpt(body, redact::EXCERPT_CHARS)
    };
    Error::Decode {
        provider,
        status,
        // serde's messages can quote the offending value: mask it too.
        message: redact::mask_sensitive(&message),
        excerpt,
    }
}

/// A transport failure (or an over-limit body) as the crate's error.
pub(crate) fn transport_error(provider: Provider, e: reqwest::Error) -> Error {
    match transport(e).into_error(provider) {
        Ok(e) => e,
        // `transport` makes only Transport and TooLarge failures.
        Err(_) => Error::Config("unclassified transport failure".into()),
    }
}

fn transport(e: reqwest::Error) -> Failure {
    if let Some(limit) = over_limit(&e) {
        return Failure::TooLarge { limit };
    }
    let (kind, may_have_been_sent) = if e.is_connect() {
        (TransportKind::Connect, false)
    } else if e.is_timeout() {
        (TransportKind::Timeout, true)
    } else if e.is_builder() {
        // Refused by reqwest/hyper before anything was written (an
        // unrepresentable URI, such as one over hyper's length limit).
        (TransportKind::Request, false)
    } else {
        (TransportKind::Io, true)
    };
    Failure::Transport {
        kind,
        may_have_been_sent,
        // The URL can carry personal data in its query (Eko's status call
        // sends the initiator's mobile number): keep it out of messages.
        source: e.without_url(),
    }
}

/// Read at most `limit` bytes of a response body.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Bytes, reqwest::Error> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = limit.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() >= limit {
            break;
        }
    }
    Ok(Bytes::from(buf))
}

/// What a response is, from its status, headers and whole body: the decoded
/// wire value on 200 (the only success status the specs document, and the
/// only one the generated code decodes), or a [`Failure`].
///
/// Pure: this is the bytes-in entry point of the decoders, used by the fuzz
/// targets ([`crate::fuzzing`]). On the network path the generated code does
/// the same `serde_json::from_slice` into the same generated type, and
/// [`classify`] builds the same failures through [`status_failure`] and
/// [`payload_failure`].
pub(crate) fn decode_wire<T: serde::de::DeserializeOwned>(
    status: u16,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(T, u16), Failure> {
    if status != 200 {
        return Err(status_failure(status, headers, body));
    }
    match serde_json::from_slice(&body) {
        Ok(v) => Ok((v, status)),
        Err(e) => match lenient::<T>(&body) {
            Some(v) => Ok((v, status)),
            None => Err(payload_failure(body, &e)),
        },
    }
}

/// Envelope fields that are integers in both providers' schemas, and that
/// a provider is seen to write as strings (Eko: `"status": "0"`).
const ENVELOPE_INTEGERS: &[&str] = &[
    "status",
    "response_status_id",
    "response_type_id",
    "code",
    "timestamp",
];

/// A second reading of a 200 body that did not decode, tolerating numbers
/// written in another form where the meaning is clear: an integral float
/// anywhere (`200.0`, `1.7e12`) is read as that integer, and a top-level
/// envelope integer written as a decimal string (`"0"`) as that number.
/// Nothing else changes; `None` when nothing was rewritten or the rewritten
/// body still does not decode (the first error is then the one reported).
/// Only failing bodies take this path, so well-formed responses cost nothing.
pub(crate) fn lenient<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut changed = integral_floats(&mut value);
    if let Some(map) = value.as_object_mut() {
        for key in ENVELOPE_INTEGERS {
            if let Some(v) = map.get_mut(*key) {
                let parsed = v.as_str().and_then(|s| {
                    let digits = s.strip_prefix('-').unwrap_or(s);
                    (!digits.is_empty()
                        && digits.len() <= 18
                        && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<i64>().ok())
                    .flatten()
                });
                if let Some(n) = parsed {
                    *v = n.into();
                    changed = true;
                }
            }
        }
    }
    if !changed {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Rewrite every integral float (within ±2^53, where a float is exact) as
/// an integer; whether anything changed.
fn integral_floats(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() <= EXACT {
                *v = Value::from(f as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, i| integral_floats(i) | c),
        Value::Object(map) => map.values_mut().fold(false, |c, i| integral_floats(i) | c),
        _ => false,
    }
}

/// A response with an undocumented status (an error, for the facade to map).
pub(crate) fn status_failure(status: u16, headers: HeaderMap, body: Bytes) -> Failure {
    Failure::Status {
        status,
        headers: Box::new(headers),
        body,
    }
}

/// A 200 response whose body is not the documented type.
pub(crate) fn payload_failure(body: Bytes, e: &serde_json::Error) -> Failure {
    Failure::Decode {
        // Only 200 responses are decoded by the generated code.
        status: 200,
        body,
        message: e.to_string(),
    }
}

/// What a generated builder's `send()` gives.
pub(crate) type Sent<T> = Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// Turn a generated builder's result into the value and its status, or a
/// [`Failure`]. (The headers of a success are not needed, so not copied.)
pub(crate) async fn classify<T: serde::de::DeserializeOwned>(
    result: Sent<T>,
) -> Result<(T, u16), Failure> {
    use progenitor_client::Error as E;
    match result {
        Ok(v) => {
            let status = v.status().as_u16();
            Ok((v.into_inner(), status))
        }
        Err(E::UnexpectedResponse(resp)) => {
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            match read_limited(resp, MAX_ERROR_BODY).await {
                Ok(body) => Err(status_failure(status, headers, body)),
                Err(e) => Err(transport(e)),
            }
        }
        Err(E::ErrorResponse(v)) => Err(status_failure(
            v.status().as_u16(),
            v.headers().clone(),
            Bytes::new(),
        )),
        Err(E::InvalidResponsePayload(body, e)) => match lenient::<T>(&body) {
            Some(v) => Ok((v, 200)),
            None => Err(payload_failure(body, &e)),
        },
        Err(E::CommunicationError(e))
        | Err(E::ResponseBodyError(e))
        | Err(E::InvalidUpgrade(e)) => Err(transport(e)),
        Err(E::InvalidRequest(m)) | Err(E::Custom(m)) => Err(Failure::Invalid(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn credential_headers_are_marked_sensitive_and_others_are_not() {
        let mut h = HeaderMap::new();
        for name in SENSITIVE_HEADERS {
            h.insert(*name, HeaderValue::from_static("value"));
        }
        h.append("authorization", HeaderValue::from_static("second"));
        h.insert("secret-key-timestamp", HeaderValue::from_static("1"));
        h.insert("x-api-version", HeaderValue::from_static("1.0.0"));
        assert!(h.values().all(|v| !v.is_sensitive()));
        mark_sensitive(&mut h);
        for name in SENSITIVE_HEADERS {
            assert!(h.get_all(*name).iter().all(|v| v.is_sensitive()), "{name}");
        }
        assert_eq!(h.get_all("authorization").iter().count(), 2);
        assert!(!h["secret-key-timestamp"].is_sensitive());
        assert!(!h["x-api-version"].is_sensitive());
        // Debug output no longer shows the values.
        let shown = format!("{h:?}");
        assert!(!shown.contains("\"value\""), "{shown}");
    }
}
