//! What runs under every request of both generated clients, through
//! progenitor's hooks (`ClientHooks::pre` and `exec`): the credentials of
//! each attempt, the one retry loop of the crate, and the cap on every
//! response body.
//!
//! Each provider's runtime (`sandbox::Runtime`, `eko::Runtime`) is the
//! generated client's inner type and implements [`Credentials`]; its hooks
//! call [`prepare`] and [`execute`]. Document downloads run through
//! [`execute`] as well.
//!
//! # Typed failures raised inside a hook
//!
//! progenitor-client 0.15.1 lets `pre` fail only with `Error::Custom(String)`
//! and `exec` only with a `reqwest::Error`. A typed failure raised there (a
//! token fetch that Sandbox refused, say) is therefore *parked*: [`raise`]
//! puts the [`Error`] in a slot that [`scoped`] opens around each facade
//! call (a tokio task-local), the hook returns `Custom` (or, inside `exec`,
//! the last response it had), and the facade takes the parked error back
//! with [`take_raised`] and returns it as it was, never as a string.
//! Outside a facade call (the generated client used directly) there is no
//! slot; the `Custom` message then carries the error's masked `Display`.

use crate::error::Error;
use crate::http::{MAX_ERROR_BODY, cap_body, mark_sensitive, read_limited};
use crate::retry::{RetryPolicy, parse_retry_after, retryable_status};
use reqwest::{Method, Request, Response};
use std::cell::RefCell;
use std::future::Future;

/// What a facade call shares with the hooks of its requests: the slot for
/// errors raised there, and the operation's span (passed this way rather
/// than as the "current" span, which not every subscriber tracks).
struct Call {
    raised: RefCell<Option<Error>>,
    span: tracing::Span,
}

tokio::task_local! {
    static CALL: Call;
}

/// Run a facade call with a slot for errors raised inside its hooks.
async fn scoped<T>(span: tracing::Span, f: impl Future<Output = T>) -> T {
    let call = Call {
        raised: RefCell::new(None),
        span,
    };
    CALL.scope(call, f).await
}

/// The span of the facade call in progress (the current span outside one).
pub(crate) fn span() -> tracing::Span {
    CALL.try_with(|c| c.span.clone())
        .unwrap_or_else(|_| tracing::Span::current())
}

/// Park `e` for the facade call in progress; the text for
/// `progenitor_client::Error::Custom`.
pub(crate) fn raise(e: Error) -> String {
    let text = e.to_string();
    let parked = CALL.try_with(|c| *c.raised.borrow_mut() = Some(e)).is_ok();
    if parked {
        "raised inside a request hook".into()
    } else {
        text
    }
}

/// The error a hook raised during this facade call, if any.
pub(crate) fn take_raised() -> Option<Error> {
    CALL.try_with(|c| c.raised.borrow_mut().take())
        .ok()
        .flatten()
}

/// Whether a request may be repeated after it may have reached the
/// provider: reads, and Sandbox's `/authenticate` (which creates nothing).
pub(crate) fn idempotent(method: &Method, operation_id: &str) -> bool {
    method == Method::GET || method == Method::HEAD || operation_id == "authenticate"
}

/// A provider's credentials, as the retry loop needs them.
pub(crate) trait Credentials: Sync {
    /// Put one attempt's credentials on `request` (Sandbox: the current
    /// access token; Eko: a fresh signature).
    fn apply(
        &self,
        request: &mut Request,
        operation_id: &'static str,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Whether credentials rejected for `operation_id` can be renewed at
    /// all (Sandbox: a token, except for `/authenticate` itself). Only then
    /// is a 401/403 body read for [`rejected`](Self::rejected).
    fn renewable(&self, _operation_id: &str) -> bool {
        false
    }

    /// Whether this response refuses the credentials themselves (not the
    /// request), so that one repeat with renewed ones is safe: the
    /// provider did not act on it.
    fn rejected(&self, _status: u16, _body: &[u8]) -> bool {
        false
    }

    /// Drop the credentials a rejected request carried (`sent`: its
    /// headers), unless they were replaced meanwhile.
    fn renew(&self, _sent: &reqwest::header::HeaderMap) {}
}

/// The `ClientHooks` of a generated client: `pre` is [`prepare`], `exec`
/// is [`execute`], with the provider's credentials (`$creds`, from the
/// client `$c`) and retry policy (`$policy`).
macro_rules! client_hooks {
    ($client:ty, $runtime:ty, |$c:ident| creds: $creds:expr, policy: $policy:expr) => {
        impl progenitor_client::ClientHooks<$runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                let $c = self;
                $crate::runtime::prepare(&$creds, request, info.operation_id)
                    .await
                    .map_err(progenitor_client::Error::Custom)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                let $c = self;
                $crate::runtime::execute(
                    self.client(),
                    request,
                    info.operation_id,
                    $policy,
                    &$creds,
                    $crate::http::MAX_JSON_BODY,
                )
                .await
            }
        }
    };
}
pub(crate) use client_hooks;

/// No credentials: document downloads (a signed link carries its own).
pub(crate) struct NoCredentials;

impl Credentials for NoCredentials {
    async fn apply(&self, _: &mut Request, _: &'static str) -> Result<(), Error> {
        Ok(())
    }
}

/// The `pre` hook of both providers: this attempt's credentials, marked
/// sensitive, and no `api-version` header (progenitor adds one to every
/// request; neither provider defines it).
pub(crate) async fn prepare(
    creds: &impl Credentials,
    request: &mut Request,
    operation_id: &'static str,
) -> Result<(), String> {
    request.headers_mut().remove("api-version");
    let applied = creds.apply(request, operation_id).await;
    mark_sensitive(request.headers_mut());
    applied.map_err(raise)
}

/// The one retry loop (the `exec` hook of both providers, and downloads).
///
/// - Attempts follow `policy`; each repeat gets fresh credentials
///   ([`Credentials::apply`]).
/// - A 429 or 5xx is repeated only for an [idempotent](idempotent)
///   request, after the policy's back-off or the server's `Retry-After`.
/// - A transport failure is repeated for an idempotent request, and for any
///   request when the connection was never made (nothing was sent). A
///   request reqwest cannot build is never repeated.
/// - A response refusing the credentials ([`Credentials::rejected`]) is
///   repeated once with renewed ones, whatever the method.
/// - Every body is capped at `cap` bytes whoever reads it.
///
/// The span in scope gets `attempts` and `http_status`.
pub(crate) async fn execute(
    http: &reqwest::Client,
    request: Request,
    operation_id: &'static str,
    policy: &RetryPolicy,
    creds: &impl Credentials,
    cap: usize,
) -> reqwest::Result<Response> {
    execute_with(
        http,
        |r| http.execute(r),
        request,
        operation_id,
        policy,
        creds,
        cap,
    )
    .await
}

/// [`execute`] with `send` making each attempt (a download follows
/// redirects under its own rule there). A typed refusal inside `send` is
/// [raised](raise) and ends the loop with a request error.
pub(crate) async fn execute_with<F, Fut>(
    http: &reqwest::Client,
    send: F,
    request: Request,
    operation_id: &'static str,
    policy: &RetryPolicy,
    creds: &impl Credentials,
    cap: usize,
) -> reqwest::Result<Response>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = reqwest::Result<Response>>,
{
    let span = span();
    let idempotent = idempotent(request.method(), operation_id);
    let mut renewable = creds.renewable(operation_id);
    let mut attempt: u32 = 1;
    let mut request = request;
    loop {
        // The copy for a repeat (bodies here are bytes, so always
        // possible; a streaming body is simply not repeated).
        let spare = request.try_clone();
        let result = send(request).await.map(|r| cap_body(r, cap));
        span.record("attempts", attempt);
        let resp = match result {
            Ok(resp) => resp,
            Err(e) => {
                let wait = if e.is_builder() {
                    None
                } else if idempotent || e.is_connect() {
                    policy.delay(attempt, None)
                } else {
                    None
                };
                let (Some(wait), Some(again)) = (wait, spare) else {
                    return Err(e);
                };
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                drop(e);
                request = repeat(http, creds, again, operation_id, wait).await?;
                attempt += 1;
                continue;
            }
        };
        let status = resp.status().as_u16();
        span.record("http_status", status);
        if renewable && matches!(status, 401 | 403) {
            let (resp, body) = buffered(resp).await?;
            let Some(mut again) = spare.filter(|_| creds.rejected(status, &body)) else {
                return Ok(resp);
            };
            tracing::debug!("credentials rejected; renewing them once");
            creds.renew(again.headers());
            renewable = false;
            if !reapply(creds, &mut again, operation_id).await {
                return Ok(resp);
            }
            request = again;
            continue;
        }
        let wait = if idempotent && retryable_status(status) {
            policy.delay(attempt, parse_retry_after(resp.headers()))
        } else {
            None
        };
        let (Some(wait), Some(again)) = (wait, spare) else {
            return Ok(resp);
        };
        tracing::debug!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            status,
            "retrying"
        );
        drop(resp);
        request = repeat(http, creds, again, operation_id, wait).await?;
        attempt += 1;
    }
}

/// Wait, then put fresh credentials on the repeat. When they cannot be had
/// (the error is parked for the caller), that is the outcome rather than
/// the earlier answer: the loop ends with a stand-in request error.
async fn repeat(
    http: &reqwest::Client,
    creds: &impl Credentials,
    mut again: Request,
    operation_id: &'static str,
    wait: std::time::Duration,
) -> reqwest::Result<Request> {
    tokio::time::sleep(wait).await;
    if reapply(creds, &mut again, operation_id).await {
        Ok(again)
    } else {
        Err(stand_in(http).await)
    }
}

/// Fresh credentials on a repeat; `false` when that failed (the error is
/// parked with [`raise`]).
async fn reapply(
    creds: &impl Credentials,
    request: &mut Request,
    operation_id: &'static str,
) -> bool {
    match creds.apply(request, operation_id).await {
        Ok(()) => {
            mark_sensitive(request.headers_mut());
            true
        }
        Err(e) => {
            raise(e);
            false
        }
    }
}

/// A `reqwest::Error` to end `exec` with when its real outcome was parked
/// (reqwest errors cannot be made otherwise): the error of a request that
/// cannot be built, produced without any I/O.
pub(crate) async fn stand_in(http: &reqwest::Client) -> reqwest::Error {
    match http.execute(Request::new(Method::GET, unbuildable())).await {
        Err(e) => e,
        Ok(_) => unreachable!("a request to an unsupported scheme is refused before any I/O"),
    }
}

fn unbuildable() -> reqwest::Url {
    reqwest::Url::parse("unsupported-scheme://raised.invalid/").expect("a valid URL")
}

/// Read a (small, error) body so it can be inspected, and give the response
/// back with the same status, headers and bytes.
async fn buffered(resp: Response) -> reqwest::Result<(Response, bytes::Bytes)> {
    let status = resp.status();
    let version = resp.version();
    let headers = resp.headers().clone();
    let body = read_limited(resp, MAX_ERROR_BODY).await?;
    let mut out = http::Response::new(reqwest::Body::from(body.clone()));
    *out.status_mut() = status;
    *out.version_mut() = version;
    *out.headers_mut() = headers;
    Ok((Response::from(out), body))
}

/// Run one facade operation in its span, with a slot for errors raised in
/// its hooks ([`scoped`]). Both providers' spans have the same fields:
/// `operation_id`, `http_status`, `attempts`, `duration_ms`,
/// `transaction_id`, `outcome` (`ok` or [`Error::kind`]) and, on failure,
/// `error` (the masked Display) and the provider's `provider_status` and
/// `response_type_id`; Eko's also carry `client_ref_id`, `reference_id`
/// and `state` when they are known. Never bodies, keys or tokens.
pub(crate) async fn traced<T>(
    provider: crate::error::Provider,
    operation_id: &'static str,
    body: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    use tracing::Instrument as _;
    use tracing::field::Empty;
    macro_rules! span {
        ($name:literal) => {
            tracing::info_span!(
                $name,
                operation_id,
                http_status = Empty,
                attempts = Empty,
                duration_ms = Empty,
                transaction_id = Empty,
                outcome = Empty,
                error = Empty,
                provider_status = Empty,
                response_type_id = Empty,
                client_ref_id = Empty,
                reference_id = Empty,
                state = Empty,
            )
        };
    }
    let span = match provider {
        crate::error::Provider::Sandbox => span!("sandbox"),
        crate::error::Provider::Eko => span!("eko"),
    };
    let started = std::time::Instant::now();
    // Boxed once here: an operation's future holds the generated request's
    // and the hooks' futures inline and is several kilobytes; the layers
    // below (task-local scope, instrumentation) would otherwise copy it.
    let body = Box::pin(body);
    let result = scoped(span.clone(), body).instrument(span.clone()).await;
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    match &result {
        Ok(_) => {
            span.record("outcome", "ok");
        }
        Err(e) => {
            span.record("outcome", e.kind());
            if let Some(s) = e.http_status() {
                span.record("http_status", s);
            }
            if let Some(p) = e.provider_error() {
                if let Some(t) = &p.transaction_id {
                    span.record("transaction_id", t.as_str());
                }
                if let Some(c) = p.code {
                    span.record("provider_status", c);
                }
                if let Some(t) = p.response_type_id {
                    span.record("response_type_id", t);
                }
            }
            // The error's Display carries no body, key or full identifier.
            span.record("error", tracing::field::display(e));
        }
    }
    result
}

/// Record the transaction id of a success on the operation's span.
pub(crate) fn record_transaction(id: Option<&str>) {
    if let Some(id) = id {
        span().record("transaction_id", id);
    }
}

/// What a generated call returned, as a value and its status or an
/// [`Error`]: a typed error raised inside a hook wins over what the
/// generated code made of it.
pub(crate) async fn settle<T: serde::de::DeserializeOwned>(
    result: crate::http::Sent<T>,
    map: impl FnOnce(crate::http::Failure) -> Error,
) -> Result<(T, u16), Error> {
    let outcome = crate::http::classify(result).await;
    if let Some(e) = take_raised() {
        return Err(e);
    }
    outcome.map_err(map)
}

#[cfg(test)]
mod tests {
    use progenitor_client::{ClientHooks as _, OperationInfo};
    use reqwest::header::HeaderValue;

    fn request() -> reqwest::Request {
        let mut r = reqwest::Request::new(
            reqwest::Method::POST,
            "http://127.0.0.1:9/x".parse().unwrap(),
        );
        r.headers_mut()
            .insert("api-version", HeaderValue::from_static("x"));
        r
    }

    /// The `pre` hooks of both generated clients set the credentials,
    /// marked sensitive, and strip progenitor's `api-version`.
    #[tokio::test]
    async fn the_pre_hooks_set_credentials_marked_sensitive() {
        let sb = crate::SandboxClient::builder()
            .api_key("key_test_hooks")
            .api_secret("secret_test_hooks")
            .api_version("1.0.0")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let mut r = request();
        let info = OperationInfo {
            operation_id: "authenticate",
        };
        sb.generated().pre::<()>(&mut r, &info).await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-api-key"], "key_test_hooks");
        assert!(h["x-api-key"].is_sensitive() && h["x-api-secret"].is_sensitive());
        assert_eq!(h["x-api-version"], "1.0.0");
        assert!(!h["x-api-version"].is_sensitive());
        assert!(h.get("authorization").is_none() && h.get("api-version").is_none());

        let eko = crate::EkoClient::builder()
            .developer_key("dev")
            .access_key("test-access-key-123")
            .initiator_id("9962981729")
            .base_url("http://127.0.0.1:9")
            .clock(|| 1_700_000_000_000)
            .build()
            .unwrap();
        let mut r = request();
        let info = OperationInfo {
            operation_id: "get_verification_status",
        };
        eko.generated().pre::<()>(&mut r, &info).await.unwrap();
        let h = r.headers();
        assert!(h["developer_key"].is_sensitive() && h["secret-key"].is_sensitive());
        assert_eq!(
            h["secret-key"],
            "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo="
        );
        assert_eq!(h["secret-key-timestamp"], "1700000000000");
        assert!(!h["secret-key-timestamp"].is_sensitive());
        assert_eq!(h["content-type"], "application/json");
        assert!(h.get("api-version").is_none());
    }
}
