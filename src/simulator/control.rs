//! The HTTP control API: what a Rust test does with [`Simulator`]'s methods,
//! over HTTP on the simulator's own listener, for tests in any language.
//!
//! | Method | Path | Rust equivalent |
//! |---|---|---|
//! | GET | `/simulator/sessions` | [`Simulator::sessions`] |
//! | GET | `/simulator/sessions/{id}` | [`Simulator::session`] |
//! | POST | `/simulator/sessions/{id}/approve` | [`Simulator::approve`] (body `{"documents": [...]}`, optional) |
//! | POST | `/simulator/sessions/{id}/deny` | [`Simulator::deny`] |
//! | POST | `/simulator/sessions/{id}/expire` | [`Simulator::expire`] |
//! | POST | `/simulator/sessions/{id}/fail` | [`Simulator::fail`] |
//! | POST | `/simulator/sessions/{id}/mark_initialized` | [`Simulator::mark_initialized`] |
//! | POST | `/simulator/sessions/{id}/mark_authorized` | [`Simulator::mark_authorized`] |
//! | POST | `/simulator/faults` | [`Simulator::inject`] (body: a fault rule, see below) |
//! | DELETE | `/simulator/faults` | [`Simulator::clear_faults`] |
//! | DELETE | `/simulator/faults/{id}` | [`Simulator::remove_fault`] |
//! | POST | `/simulator/clock/advance` | [`Simulator::advance_clock`] (body `{"seconds": 600}`) |
//! | GET | `/simulator/clock` | [`Simulator::now`] |
//! | GET | `/simulator/requests` | [`Simulator::requests`] / [`Simulator::requests_to`] (`?method=&path=`) |
//! | POST | `/simulator/requests/clear` | [`Simulator::clear_requests`] |
//!
//! Control requests are neither recorded nor subject to injected faults (a
//! catch-all fault must not lock the test out of removing it).
//!
//! [`Simulator`]: super::Simulator
//! [`Simulator::sessions`]: super::Simulator::sessions
//! [`Simulator::session`]: super::Simulator::session
//! [`Simulator::approve`]: super::Simulator::approve
//! [`Simulator::deny`]: super::Simulator::deny
//! [`Simulator::expire`]: super::Simulator::expire
//! [`Simulator::fail`]: super::Simulator::fail
//! [`Simulator::mark_initialized`]: super::Simulator::mark_initialized
//! [`Simulator::mark_authorized`]: super::Simulator::mark_authorized
//! [`Simulator::inject`]: super::Simulator::inject
//! [`Simulator::clear_faults`]: super::Simulator::clear_faults
//! [`Simulator::remove_fault`]: super::Simulator::remove_fault
//! [`Simulator::advance_clock`]: super::Simulator::advance_clock
//! [`Simulator::now`]: super::Simulator::now
//! [`Simulator::requests`]: super::Simulator::requests
//! [`Simulator::requests_to`]: super::Simulator::requests_to
//! [`Simulator::clear_requests`]: super::Simulator::clear_requests

use super::faults::{Fault, FaultId, FaultRule, glob_match, retry_after_secs};
use super::records::RecordedRequest;
use super::server::{Ctx, Reply};
use super::state::{
    ControlError, Session, SessionKind, SessionSnapshot, SessionState, Shared, lock,
};
use crate::error::Provider;
use crate::redact::{EXCERPT_CHARS, excerpt};
use hyper::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a session action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Approve,
    Deny,
    Expire,
    Fail,
    MarkInitialized,
    MarkAuthorized,
}

impl Action {
    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "approve" => Action::Approve,
            "deny" => Action::Deny,
            "expire" => Action::Expire,
            "fail" => Action::Fail,
            "mark_initialized" => Action::MarkInitialized,
            "mark_authorized" => Action::MarkAuthorized,
            _ => return None,
        })
    }
}

/// A control route, or why the request fits none.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    Sessions,
    Session(String),
    SessionAction(String, Action),
    AddFault,
    ClearFaults,
    Fault(String),
    Clock,
    ClockAdvance,
    Requests,
    RequestsClear,
    /// A known path with a method it does not take; the `Allow` value.
    WrongMethod(&'static str),
    NotFound,
}

/// Whether `path` belongs to the control API.
pub(crate) fn is_control(path: &str) -> bool {
    ["sessions", "faults", "clock", "requests"].iter().any(|p| {
        path.strip_prefix("/simulator/")
            .and_then(|r| r.strip_prefix(p))
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
    })
}

pub(crate) fn route(method: &Method, path: &str) -> Route {
    let rest = path.strip_prefix("/simulator/").unwrap_or_default();
    let segs: Vec<&str> = rest.split('/').collect();
    let (allow, route): (&'static str, Route) = match segs.as_slice() {
        ["sessions"] => ("GET", Route::Sessions),
        ["sessions", id] if !id.is_empty() => ("GET", Route::Session(id.to_string())),
        ["sessions", id, action] if !id.is_empty() => match Action::parse(action) {
            Some(a) => ("POST", Route::SessionAction(id.to_string(), a)),
            None => return Route::NotFound,
        },
        ["faults"] if method == Method::DELETE => ("POST, DELETE", Route::ClearFaults),
        ["faults"] => ("POST, DELETE", Route::AddFault),
        ["faults", id] if !id.is_empty() => ("DELETE", Route::Fault(id.to_string())),
        ["clock"] => ("GET", Route::Clock),
        ["clock", "advance"] => ("POST", Route::ClockAdvance),
        ["requests"] => ("GET", Route::Requests),
        ["requests", "clear"] => ("POST", Route::RequestsClear),
        _ => return Route::NotFound,
    };
    if allow.split(", ").any(|m| m == method.as_str()) {
        route
    } else {
        Route::WrongMethod(allow)
    }
}

/// A JSON error: `{"error": code, "message": text}`.
fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply::json(status, &json!({ "error": code, "message": message.into() }))
}

fn control_error(e: &ControlError) -> Reply {
    match e {
        ControlError::UnknownSession(_) => error(404, "unknown_session", e.to_string()),
        ControlError::AlreadyFinal { .. } => error(409, "already_final", e.to_string()),
        ControlError::DocumentNotAllowed { .. } => {
            error(400, "document_not_allowed", e.to_string())
        }
    }
}

/// The body as JSON; an empty body reads as `{}`.
fn body_json<T: for<'de> Deserialize<'de>>(ctx: &Ctx<'_>) -> Result<T, Reply> {
    let body = if ctx.body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        ctx.body
    };
    serde_json::from_slice(body)
        .map_err(|e| error(400, "bad_request", format!("invalid JSON body: {e}")))
}

pub(crate) fn handle(shared: &Shared, route: &Route, ctx: &Ctx<'_>) -> Reply {
    let result = match route {
        Route::NotFound => Err(error(
            404,
            "not_found",
            "no such control route (see `digilocker simulate --help`)",
        )),
        Route::WrongMethod(allow) => {
            Err(error(405, "method_not_allowed", format!("use {allow}")).header("allow", *allow))
        }
        Route::Sessions => Ok(Reply::json(
            200,
            &Value::Array(sessions(shared).iter().map(session_json).collect()),
        )),
        Route::Session(id) => with_session(shared, id, |s, _| Ok(s.snapshot()))
            .map(|s| Reply::json(200, &session_json(&s)))
            .map_err(|e| control_error(&e)),
        Route::SessionAction(id, action) => session_action(shared, id, *action, ctx),
        Route::ClearFaults => {
            lock(&shared.faults).clear();
            Ok(Reply::json(200, &json!({ "cleared": true })))
        }
        Route::AddFault => add_fault(shared, ctx),
        Route::Fault(id) => match id.parse::<u64>() {
            Ok(n) if lock(&shared.faults).remove(FaultId(n)) => {
                Ok(Reply::json(200, &json!({ "removed": n })))
            }
            _ => Err(error(
                404,
                "unknown_fault",
                format!("no active fault rule {id:?}"),
            )),
        },
        Route::Clock => Ok(Reply::json(200, &clock_json(shared))),
        Route::ClockAdvance => advance(shared, ctx),
        Route::Requests => Ok(Reply::json(200, &requests(shared, ctx))),
        Route::RequestsClear => {
            lock(&shared.records).clear();
            Ok(Reply::json(200, &json!({ "cleared": true })))
        }
    };
    result.unwrap_or_else(|e| e)
}

// ---- sessions -------------------------------------------------------------

/// Run `f` on a session (found by Sandbox session id, Eko reference id or
/// Eko verification id) after applying what time alone does.
pub(crate) fn with_session<T>(
    shared: &Shared,
    id: &str,
    f: impl FnOnce(&mut Session, i64) -> Result<T, ControlError>,
) -> Result<T, ControlError> {
    let now = shared.clock.now_ms();
    let mut store = lock(&shared.store);
    let session = store
        .get_mut(id)
        .ok_or_else(|| ControlError::UnknownSession(id.to_string()))?;
    session.refresh(now, &shared.config);
    f(session, now)
}

fn pending(s: &Session) -> Result<(), ControlError> {
    if s.state.is_final() {
        Err(ControlError::AlreadyFinal {
            session: s.id.clone(),
            state: s.state,
        })
    } else {
        Ok(())
    }
}

/// The user consents to `documents` (all requested when empty).
pub(crate) fn approve(shared: &Shared, id: &str, documents: &[&str]) -> Result<(), ControlError> {
    with_session(shared, id, |s, now| {
        pending(s)?;
        let docs = if documents.is_empty() {
            s.default_consent()
        } else {
            s.check_documents(documents)?
        };
        s.succeed(docs, now);
        Ok(())
    })
}

/// Move a pending session to `state`.
pub(crate) fn settle(shared: &Shared, id: &str, state: SessionState) -> Result<(), ControlError> {
    with_session(shared, id, |s, now| {
        pending(s)?;
        s.state = state;
        s.updated_ms = Some(now);
        Ok(())
    })
}

/// Every session, oldest first.
pub(crate) fn sessions(shared: &Shared) -> Vec<SessionSnapshot> {
    let now = shared.clock.now_ms();
    let mut store = lock(&shared.store);
    let mut all: Vec<SessionSnapshot> = store
        .sessions
        .values_mut()
        .map(|s| {
            s.refresh(now, &shared.config);
            s.snapshot()
        })
        .collect();
    all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    all
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    #[serde(default)]
    documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

fn session_action(
    shared: &Shared,
    id: &str,
    action: Action,
    ctx: &Ctx<'_>,
) -> Result<Reply, Reply> {
    let done = match action {
        Action::Approve => {
            let body: ApproveBody = body_json(ctx)?;
            let docs: Vec<&str> = body.documents.iter().map(String::as_str).collect();
            approve(shared, id, &docs)
        }
        other => {
            let _: EmptyBody = body_json(ctx)?;
            let state = match other {
                Action::Deny => SessionState::Denied,
                Action::Expire => SessionState::Expired,
                Action::Fail => SessionState::Failed,
                Action::MarkInitialized => SessionState::Initialized,
                _ => SessionState::Authorized,
            };
            settle(shared, id, state)
        }
    };
    done.map_err(|e| control_error(&e))?;
    let snap = with_session(shared, id, |s, _| Ok(s.snapshot())).map_err(|e| control_error(&e))?;
    Ok(Reply::json(200, &session_json(&snap)))
}

fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::DigiLocker => "digilocker",
        SessionKind::DigiLockerSdk => "digilocker_sdk",
        SessionKind::EntityLocker => "entitylocker",
        SessionKind::EntityLockerSdk => "entitylocker_sdk",
        SessionKind::Eko => "eko",
    }
}

fn rfc3339(t: SystemTime) -> String {
    let ms = t
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn session_json(s: &SessionSnapshot) -> Value {
    json!({
        "id": s.id,
        "kind": kind_name(s.kind),
        "state": s.state.to_string(),
        "requested_documents": s.requested_documents,
        "consented_documents": s.consented_documents,
        "status_polls": s.status_polls,
        "created_at": rfc3339(s.created_at),
        "updated_at": s.updated_at.map(rfc3339),
        "expires_at": rfc3339(s.expires_at),
        "redirect_url": s.redirect_url,
        "authorization_url": s.authorization_url,
        "eko_reference_id": s.eko_reference_id,
        "eko_verification_id": s.eko_verification_id,
    })
}

// ---- faults ---------------------------------------------------------------

/// A fault rule as JSON, in the vocabulary of [`Fault`] and [`FaultRule`]:
/// `fault` is [`Fault::kind`] (`status`, `rate_limited`, `latency`, `html`,
/// `truncated_json`, `drop_connection`); `status`, `retry_after_secs` and
/// `delay_ms` parameterise it; `method`, `path`, `times`, `rate` + `seed`
/// are [`FaultRule::method`], [`FaultRule::path`], [`FaultRule::times`] and
/// [`FaultRule::at_rate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    fault: String,
    status: Option<u16>,
    retry_after_secs: Option<f64>,
    delay_ms: Option<u64>,
    method: Option<String>,
    path: Option<String>,
    times: Option<u32>,
    rate: Option<f64>,
    seed: Option<u64>,
}

fn bad(message: impl Into<String>) -> Reply {
    error(400, "bad_request", message)
}

fn parse_fault(b: FaultBody) -> Result<FaultRule, Reply> {
    let status = |default: Option<u16>| -> Result<u16, Reply> {
        match b.status.or(default) {
            Some(s) if (400..600).contains(&s) => Ok(s),
            Some(s) => Err(bad(format!("status {s} is not a 4xx or 5xx status"))),
            None => Err(bad(format!("fault {:?} needs \"status\"", b.fault))),
        }
    };
    let unused = |field: &str, present: bool| -> Result<(), Reply> {
        if present {
            Err(bad(format!("fault {:?} takes no {field:?}", b.fault)))
        } else {
            Ok(())
        }
    };
    let fault = match b.fault.as_str() {
        "status" => {
            unused("retry_after_secs", b.retry_after_secs.is_some())?;
            unused("delay_ms", b.delay_ms.is_some())?;
            Fault::status(status(None)?)
        }
        "html" => {
            unused("retry_after_secs", b.retry_after_secs.is_some())?;
            unused("delay_ms", b.delay_ms.is_some())?;
            Fault::html(status(Some(502))?)
        }
        "rate_limited" => {
            unused("status", b.status.is_some())?;
            unused("delay_ms", b.delay_ms.is_some())?;
            let secs = b.retry_after_secs.unwrap_or(1.0);
            if !(0.0..=86_400.0).contains(&secs) {
                return Err(bad("retry_after_secs must be between 0 and 86400"));
            }
            Fault::rate_limited(Duration::from_secs_f64(secs))
        }
        "latency" => {
            unused("status", b.status.is_some())?;
            unused("retry_after_secs", b.retry_after_secs.is_some())?;
            let ms = b
                .delay_ms
                .ok_or_else(|| bad("fault \"latency\" needs \"delay_ms\""))?;
            if ms > 600_000 {
                return Err(bad("delay_ms must be at most 600000"));
            }
            Fault::latency(Duration::from_millis(ms))
        }
        "truncated_json" | "drop_connection" => {
            unused("status", b.status.is_some())?;
            unused("retry_after_secs", b.retry_after_secs.is_some())?;
            unused("delay_ms", b.delay_ms.is_some())?;
            if b.fault == "truncated_json" {
                Fault::truncated_json()
            } else {
                Fault::drop_connection()
            }
        }
        other => {
            return Err(bad(format!(
                "unknown fault {other:?}; one of status, rate_limited, latency, html, truncated_json, drop_connection"
            )));
        }
    };
    let mut rule = FaultRule::from(fault);
    if let Some(m) = b.method {
        if m.is_empty() || !m.bytes().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad(format!("invalid method {m:?}")));
        }
        rule = rule.method(&m);
    }
    if let Some(p) = b.path {
        if !p.starts_with('/') && !p.starts_with('*') {
            return Err(bad("path must start with \"/\" or \"*\""));
        }
        rule = rule.path(&p);
    }
    if let Some(n) = b.times {
        rule = rule.times(n);
    }
    match (b.rate, b.seed) {
        (Some(p), seed) => {
            if !(0.0..=1.0).contains(&p) {
                return Err(bad("rate must be between 0 and 1"));
            }
            rule = rule.at_rate(p, seed.unwrap_or(0));
        }
        (None, Some(_)) => return Err(bad("\"seed\" needs \"rate\"")),
        (None, None) => {}
    }
    Ok(rule)
}

fn add_fault(shared: &Shared, ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(
            "body must be a fault rule, e.g. {\"fault\":\"status\",\"status\":503}",
        ));
    }
    let rule = parse_fault(body_json(ctx)?)?;
    let fault = fault_json(rule.fault());
    let id = lock(&shared.faults).add(rule);
    Ok(Reply::json(201, &json!({ "id": id.0, "fault": fault })))
}

/// A fault in the same vocabulary as `POST /simulator/faults` takes.
fn fault_json(f: &Fault) -> Value {
    match f {
        Fault::Status(s) => json!({ "fault": "status", "status": s }),
        Fault::Html { status } => json!({ "fault": "html", "status": status }),
        Fault::RateLimited { retry_after } => {
            json!({ "fault": "rate_limited", "retry_after_secs": retry_after_secs(*retry_after) })
        }
        Fault::Latency(d) => {
            json!({ "fault": "latency", "delay_ms": u64::try_from(d.as_millis()).unwrap_or(u64::MAX) })
        }
        other => json!({ "fault": other.kind() }),
    }
}

// ---- clock ----------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

fn clock_json(shared: &Shared) -> Value {
    json!({ "now": rfc3339(shared.clock.now()), "now_ms": shared.clock.now_ms() })
}

fn advance(shared: &Shared, ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("body must be {\"seconds\": N}"));
    }
    let b: AdvanceBody = body_json(ctx)?;
    // Ten years at most: enough for any expiry, far from overflow.
    if !b.seconds.is_finite() || !(0.0..=315_360_000.0).contains(&b.seconds) {
        return Err(bad("seconds must be a number between 0 and 315360000"));
    }
    shared.clock.advance(Duration::from_secs_f64(b.seconds));
    Ok(Reply::json(200, &clock_json(shared)))
}

// ---- records --------------------------------------------------------------

fn requests(shared: &Shared, ctx: &Ctx<'_>) -> Value {
    let method = ctx.query_param("method");
    let path = ctx.query_param("path");
    let all = lock(&shared.records).all();
    Value::Array(
        all.iter()
            .filter(|r| {
                method
                    .as_deref()
                    .is_none_or(|m| r.method.eq_ignore_ascii_case(m))
                    && path.as_deref().is_none_or(|g| glob_match(g, &r.path))
            })
            .map(record_json)
            .collect(),
    )
}

/// A record as JSON. Headers are masked as in [`RecordedRequest::headers`];
/// the body is given as `body_json` (what [`RecordedRequest::body_json`]
/// returns, as the client sent it) and as a bounded `body_excerpt` masked as
/// the record's `Debug` output masks it.
fn record_json(r: &RecordedRequest) -> Value {
    let headers: Vec<Value> = r.headers.iter().map(|(k, v)| json!([k, v])).collect();
    json!({
        "seq": r.seq,
        "received_at": rfc3339(r.received_at),
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "headers": headers,
        "body_json": r.body_json(),
        "body_excerpt": excerpt(&r.body, EXCERPT_CHARS),
        "provider": r.provider.map(|p| match p {
            Provider::Sandbox => "sandbox",
            Provider::Eko => "eko",
        }),
        "operation": r.operation,
        "status": r.status,
        "fault": r.fault.as_ref().map(fault_json),
        "elapsed_ms": u64::try_from(r.elapsed.as_millis()).unwrap_or(u64::MAX),
    })
}
