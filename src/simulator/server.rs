//! The HTTP server: accept loop, per-connection tasks, request pipeline
//! (read body, pick a fault, route, handle, record).
//!
//! Handlers are synchronous functions over the shared state; the only
//! awaits in a request's life are reading the body, the injected latency and
//! writing the response, and no lock is held across any of them.

use super::faults::{Fault, retry_after_secs};
use super::records::{RecordedRequest, mask_header};
use super::state::{Shared, lock, uuid_like};
use super::{control, eko, pages, sandbox};
use crate::error::Provider;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// A response, before it becomes a hyper response.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(body),
        }
    }

    pub fn with_body(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_string())],
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// What a handler sees of a request.
pub(crate) struct Ctx<'a> {
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Ctx<'_> {
    /// A header's value, if present, valid text and not blank.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// Decoded query parameters.
    pub fn query_params(&self) -> Vec<(String, String)> {
        self.query
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// Which part of the simulator a request is for.
pub(crate) enum Target {
    Sandbox(Option<sandbox::Route>),
    Eko(Option<eko::Route>),
    Page(Option<pages::Route>),
    Control(control::Route),
}

impl Target {
    fn classify(shared: &Shared, method: &Method, path: &str) -> Target {
        let prefix = shared.config.eko_prefix.as_str();
        if control::is_control(path) {
            Target::Control(control::route(method, path))
        } else if path.starts_with("/simulator/") {
            Target::Page(pages::route(method, path))
        } else if let Some(rest) = path.strip_prefix(prefix).filter(|r| r.starts_with('/')) {
            Target::Eko(eko::route(method, rest))
        } else {
            Target::Sandbox(sandbox::route(method, path))
        }
    }

    fn is_wrong_method(&self) -> bool {
        matches!(
            self,
            Target::Sandbox(Some(sandbox::Route::WrongMethod))
                | Target::Eko(Some(eko::Route::WrongMethod))
                | Target::Page(Some(pages::Route::WrongMethod(_)))
        )
    }

    /// The `Allow` value for a path: the methods it answers.
    fn allow(shared: &Shared, path: &str) -> String {
        let mut allowed = Vec::new();
        for (method, name) in [(Method::GET, "GET"), (Method::POST, "POST")] {
            let target = Target::classify(shared, &method, path);
            let known = match &target {
                Target::Sandbox(r) => r.is_some(),
                Target::Eko(r) => r.is_some(),
                Target::Page(r) => r.is_some(),
                Target::Control(_) => false,
            };
            if known && !target.is_wrong_method() {
                allowed.push(name);
                if method == Method::GET {
                    allowed.push("HEAD");
                }
            }
        }
        allowed.join(", ")
    }

    fn provider(&self) -> Option<Provider> {
        match self {
            Target::Sandbox(_) => Some(Provider::Sandbox),
            Target::Eko(_) => Some(Provider::Eko),
            Target::Page(_) | Target::Control(_) => None,
        }
    }

    fn operation(&self) -> Option<&'static str> {
        match self {
            Target::Sandbox(r) => r.as_ref().and_then(|r| r.operation_id()),
            Target::Eko(r) => r.as_ref().and_then(|r| r.operation_id()),
            Target::Page(r) => r.as_ref().and_then(|r| r.operation_id()),
            Target::Control(_) => None,
        }
    }
}

/// The error a service returns to make hyper close the connection without
/// writing a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

/// How many over-the-cap connections get their `503` (after reading the
/// request head) at once; beyond that a connection gets [`CANNED_503`]
/// straight away and is closed, so a flood cannot use up file descriptors
/// through the refusals either.
const OVERFLOW_ANSWERS: usize = 64;

/// The answer when even the refusals are at their limit.
const CANNED_503: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 66\r\nconnection: close\r\nretry-after: 1\r\n\r\n{\"code\":503,\"message\":\"Service Unavailable: too many connections\"}";

/// Accept connections until `shutdown` flips (or its sender goes away).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(shared.config.max_connections));
    let overflow = Arc::new(Semaphore::new(OVERFLOW_ANSWERS));
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            a = listener.accept() => a,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and similar: back off briefly
                // instead of spinning or giving up.
                tracing::warn!(error = %e, "simulator accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let mut conn_shutdown = shutdown.clone();
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                match overflow.clone().try_acquire_owned() {
                    Ok(permit) => {
                        tokio::spawn(refuse(stream, shared, permit));
                    }
                    Err(_) => {
                        // Even the refusals are at their limit: a canned
                        // 503 without reading the request, then close.
                        let _ = stream.try_write(CANNED_503);
                        drop(stream);
                    }
                }
                continue;
            }
        };
        tokio::spawn(async move {
            let header_timeout = shared.config.header_read_timeout;
            let service = service_fn(move |req| handle(shared.clone(), req));
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = conn_shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(2), conn.as_mut()).await;
                }
            }
            // Free the slot before the socket closes (when `conn` drops), so
            // a client that has seen the close finds the slot free.
            drop(permit);
        });
    }
}

/// Answer one request on a connection beyond the cap with a `503` (in the
/// envelope of the API its path belongs to) and close it.
async fn refuse(stream: tokio::net::TcpStream, shared: Arc<Shared>, permit: OwnedSemaphorePermit) {
    let header_timeout = shared.config.header_read_timeout;
    let service = service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        async move {
            let target = Target::classify(&shared, req.method(), req.uri().path());
            let reply = error_reply(
                &shared,
                &target,
                503,
                "Service Unavailable: too many connections",
            )
            .header("connection", "close")
            .header("retry-after", "1");
            Ok::<_, DropConnection>(into_response(reply))
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(false)
        .header_read_timeout(header_timeout.min(Duration::from_secs(5)));
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(Duration::from_secs(10), conn).await;
    drop(permit);
}

/// Read the whole body, at most `limit` bytes, within `timeout`.
async fn read_body(body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, BodyFailure> {
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(BodyFailure::Stalled),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(BodyFailure::TooLarge)
        }
        // The client went away mid-body: nothing to answer.
        Ok(Err(_)) => Err(BodyFailure::Gone),
    }
}

enum BodyFailure {
    TooLarge,
    Stalled,
    Gone,
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let received_at = shared.clock.now();
    let (parts, body) = req.into_parts();
    let method = parts.method;
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let headers = parts.headers;
    let recorded_headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes());
            (k.as_str().to_string(), mask_header(k.as_str(), &value))
        })
        .collect();

    let body = read_body(
        body,
        shared.config.max_body_bytes,
        shared.config.body_read_timeout,
    )
    .await;
    let start = Instant::now();
    let target = Target::classify(&shared, &method, &path);
    let mut record = RecordedRequest {
        seq: 0,
        received_at,
        method: method.as_str().to_string(),
        path: path.clone(),
        query: query.clone(),
        headers: recorded_headers,
        body: Bytes::new(),
        body_len: 0,
        provider: target.provider(),
        operation: target.operation(),
        status: None,
        fault: None,
        elapsed: Duration::ZERO,
    };
    let body = match body {
        Ok(b) => b,
        Err(BodyFailure::TooLarge) => {
            let reply = error_reply(&shared, &target, 413, "Request Entity Too Large");
            return Ok(finish(&shared, record, reply, start));
        }
        Err(BodyFailure::Stalled | BodyFailure::Gone) => {
            record.elapsed = start.elapsed();
            lock(&shared.records).push(record);
            return Err(DropConnection);
        }
    };
    if let Target::Control(route) = &target {
        // The control API is not recorded and ignores injected faults.
        let ctx = Ctx {
            query: query.as_deref(),
            headers: &headers,
            body: &body,
        };
        return Ok(into_response(control::handle(&shared, route, &ctx)));
    }
    // A copy, not a slice: a slice would keep the whole body alive.
    let kept = body.len().min(shared.config.max_record_body_bytes);
    record.body = Bytes::copy_from_slice(&body[..kept]);
    record.body_len = body.len();

    let fault = lock(&shared.faults).pick(method.as_str(), &path);
    record.fault = fault.clone();
    let ctx = Ctx {
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    let reply = match fault {
        None => dispatch(&shared, &target, &ctx),
        Some(Fault::Latency(d)) => {
            tokio::time::sleep(d).await;
            dispatch(&shared, &target, &ctx)
        }
        Some(Fault::DropConnection) => {
            record.elapsed = start.elapsed();
            lock(&shared.records).push(record);
            return Err(DropConnection);
        }
        Some(Fault::Status(status)) => {
            let status = if (100..1000).contains(&status) {
                status
            } else {
                500
            };
            error_reply(&shared, &target, status, reason(status))
        }
        Some(Fault::RateLimited { retry_after }) => {
            error_reply(&shared, &target, 429, "Too Many Requests")
                .header("retry-after", retry_after_secs(retry_after).to_string())
        }
        Some(Fault::Html { status }) => html_error_page(status),
        Some(Fault::TruncatedJson) => {
            let mut reply = dispatch(&shared, &target, &ctx);
            let cut = reply.body.len() / 2;
            reply.body = reply.body.slice(..cut);
            reply
        }
    };
    Ok(finish(&shared, record, reply, start))
}

fn dispatch(shared: &Shared, target: &Target, ctx: &Ctx<'_>) -> Reply {
    match target {
        Target::Sandbox(route) => sandbox::handle(shared, route.as_ref(), ctx),
        Target::Eko(route) => eko::handle(shared, route.as_ref(), ctx),
        Target::Page(route) => pages::handle(shared, route.as_ref(), ctx),
        Target::Control(route) => control::handle(shared, route, ctx),
    }
}

fn finish(
    shared: &Shared,
    mut record: RecordedRequest,
    reply: Reply,
    start: Instant,
) -> Response<Full<Bytes>> {
    record.status = Some(reply.status);
    record.elapsed = start.elapsed();
    let reply = if reply.status == 405 && !reply.headers.iter().any(|(n, _)| *n == "allow") {
        let allow = Target::allow(shared, &record.path);
        reply.header("allow", allow)
    } else {
        reply
    };
    lock(&shared.records).push(record);
    into_response(reply)
}

fn into_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(reply.body));
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = resp.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.append(n, v);
        }
    }
    resp
}

/// An error in the envelope of the API the path belongs to.
pub(crate) fn error_reply(shared: &Shared, target: &Target, status: u16, message: &str) -> Reply {
    match target {
        Target::Eko(_) => eko::http_error(status, message),
        _ => sandbox::error_at(shared.clock.now_ms(), status, message),
    }
}

/// The reason phrase for a status.
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or(match status {
            521 => "Web Server Is Down",
            523 => "Origin Is Unreachable",
            _ => "Error",
        })
}

/// An HTML error page as a gateway would send.
fn html_error_page(status: u16) -> Reply {
    let r = reason(status);
    let body = format!(
        "<html>\r\n<head><title>{status} {r}</title></head>\r\n<body>\r\n<center><h1>{status} {r}</h1></center>\r\n<hr><center>simulated gateway</center>\r\n</body>\r\n</html>\r\n"
    );
    Reply::with_body(status, "text/html", body)
}

/// A Sandbox success envelope, with `x-amzn-RequestId` equal to the
/// transaction id.
pub(crate) fn sandbox_envelope(now_ms: i64, data: Value) -> Reply {
    let tx = uuid_like();
    Reply::json(
        200,
        &json!({ "code": 200, "timestamp": now_ms, "data": data, "transaction_id": tx }),
    )
    .header("x-amzn-requestid", tx)
}
