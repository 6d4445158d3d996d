//! Eko routes (under the configured prefix, `/ekoapi/v3` by default).

use super::fixtures;
use super::server::{Ctx, Reply};
use super::state::{EkoIds, Session, SessionKind, SessionState, Shared, duration_ms, hex, lock};
use crate::generated::eko::types;
use hyper::Method;
use serde_json::{Map, Value, json};

const TYPE_CREATE: i64 = 1627;
const TYPE_STATUS: i64 = 1628;
const TYPE_DOCUMENT: i64 = 1630;

/// An Eko operation.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    Create,
    Status,
    Document,
    WrongMethod,
}

impl Route {
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Route::Create => Some("create_digilocker_url"),
            Route::Status => Some("get_verification_status"),
            Route::Document => Some("get_document"),
            Route::WrongMethod => None,
        }
    }
}

/// `path` is relative to the Eko prefix.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let (route, expected) = match path {
        "/tools/kyc/digilocker" => (Route::Create, Method::POST),
        "/tools/kyc/digilocker/status" => (Route::Status, Method::GET),
        "/tools/kyc/digilocker/document" => (Route::Document, Method::POST),
        _ => return None,
    };
    // HEAD is answered like GET (hyper leaves the body out).
    if *method == expected || (*method == Method::HEAD && expected == Method::GET) {
        Some(route)
    } else {
        Some(Route::WrongMethod)
    }
}

/// An HTTP-level Eko error (403 signature, 404, 405, 415, injected faults):
/// `{"status": <http status>, "message": ...}`. Eko's real 403 may be an
/// HTML page; the simulator answers JSON so that the reason is readable.
pub(crate) fn http_error(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "status": status, "message": message }))
}

/// A business answer: HTTP 200 with Eko's envelope.
fn envelope(
    status: i64,
    response_status_id: i64,
    response_type_id: i64,
    message: &str,
    data: Value,
) -> Reply {
    Reply::json(
        200,
        &json!({
            "status": status,
            "response_status_id": response_status_id,
            "response_type_id": response_type_id,
            "message": message,
            "data": data,
        }),
    )
}

/// An input-validation answer: HTTP 200, non-zero `status`,
/// `response_status_id` 1, `response_type_id` -1 and `invalid_params`.
fn invalid(status: i64, message: &str, field: &str, problem: &str) -> Reply {
    invalid_with_id(status, 1, message, field, problem)
}

fn invalid_with_id(
    status: i64,
    response_status_id: i64,
    message: &str,
    field: &str,
    problem: &str,
) -> Reply {
    let mut params = Map::new();
    params.insert(field.to_string(), Value::String(problem.to_string()));
    Reply::json(
        200,
        &json!({
            "status": status,
            "response_status_id": response_status_id,
            "response_type_id": -1,
            "message": message,
            "invalid_params": params,
            "data": {},
        }),
    )
}

pub(crate) fn handle(shared: &Shared, route: Option<&Route>, ctx: &Ctx<'_>) -> Reply {
    let Some(route) = route else {
        return http_error(404, "No mapping rule matched");
    };
    if let Route::WrongMethod = route {
        return http_error(405, "Method Not Allowed");
    }
    if let Err(reply) = check_signature(shared, ctx) {
        return reply;
    }
    let now = shared.clock.now_ms();
    let result = match route {
        Route::Create => create(shared, ctx, now),
        Route::Status => status(shared, ctx, now),
        Route::Document => document(shared, ctx, now),
        Route::WrongMethod => Err(http_error(405, "Method Not Allowed")),
    };
    result.unwrap_or_else(|e| e)
}

/// `developer_key` must match, `secret-key-timestamp` be within the
/// tolerance of the simulator's clock, and `secret-key` its signature with
/// the access key. Any failure is HTTP 403.
fn check_signature(shared: &Shared, ctx: &Ctx<'_>) -> Result<(), Reply> {
    let cfg = &shared.config;
    match ctx.header("developer_key") {
        Some(k) if k == cfg.eko_developer_key => {}
        Some(_) => return Err(http_error(403, "Forbidden: invalid developer_key")),
        None => return Err(http_error(403, "Forbidden: developer_key is missing")),
    }
    let Some(ts) = ctx.header("secret-key-timestamp") else {
        return Err(http_error(
            403,
            "Forbidden: secret-key-timestamp is missing",
        ));
    };
    let Ok(ts_ms) = ts.parse::<i64>() else {
        return Err(http_error(
            403,
            "Forbidden: secret-key-timestamp must be milliseconds since the epoch",
        ));
    };
    let skew = shared.clock.now_ms().abs_diff(ts_ms);
    if skew > u64::try_from(duration_ms(cfg.eko_timestamp_tolerance)).unwrap_or(u64::MAX) {
        return Err(http_error(
            403,
            "Forbidden: secret-key-timestamp is too far from server time",
        ));
    }
    let Some(key) = ctx.header("secret-key") else {
        return Err(http_error(403, "Forbidden: secret-key is missing"));
    };
    if !shared.eko_signer.verify(ts, key) {
        return Err(http_error(403, "Forbidden: secret-key does not match"));
    }
    Ok(())
}

fn parse_object(ctx: &Ctx<'_>) -> Result<Map<String, Value>, Reply> {
    let content_type = ctx.header("content-type").unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(http_error(
            415,
            "Unsupported Media Type: use application/json",
        ));
    }
    match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(http_error(400, "Malformed JSON body")),
    }
}

/// A field as text: strings as they are, numbers as decimal text.
fn text_field(obj: &Map<String, Value>, field: &str) -> Option<String> {
    match obj.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn check_initiator(shared: &Shared, initiator: Option<String>) -> Result<(), Reply> {
    match initiator {
        None => Err(invalid(
            1,
            "Missing required parameter: initiator_id",
            "initiator_id",
            "initiator_id is required",
        )),
        Some(i) if i == shared.config.eko_initiator_id => Ok(()),
        Some(_) => Err(invalid(
            319,
            "Invalid Sender/Initiator",
            "initiator_id",
            "Merchant does not exist in system.",
        )),
    }
}

fn check_user_code(shared: &Shared, obj: &Map<String, Value>) -> Result<(), Reply> {
    match text_field(obj, "user_code") {
        Some(code) if code != shared.config.eko_user_code => Err(invalid(
            346,
            "User/agent not onboarded or wrong user_code",
            "user_code",
            "Unknown user_code",
        )),
        _ => Ok(()),
    }
}

fn check_client_ref(obj: &Map<String, Value>, required: bool) -> Result<(), Reply> {
    match text_field(obj, "client_ref_id") {
        None if required => Err(invalid(
            1,
            "Missing required parameter: client_ref_id",
            "client_ref_id",
            "client_ref_id is required",
        )),
        Some(r) if r.chars().count() > 20 => Err(invalid(
            1,
            "Invalid client_ref_id",
            "client_ref_id",
            "At most 20 characters",
        )),
        _ => Ok(()),
    }
}

/// `document_requested` / `document_type`: an array (or, leniently, a
/// single string) holding only `AADHAAR`.
fn check_documents(obj: &Map<String, Value>, field: &str) -> Result<(), Reply> {
    let values: Vec<String> = match obj.get(field) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    if values.is_empty() || values.iter().any(|v| !v.eq_ignore_ascii_case("AADHAAR")) {
        return Err(invalid(
            1,
            &format!("Invalid {field}"),
            field,
            "Currently, only AADHAAR is supported",
        ));
    }
    Ok(())
}

/// The JSON body of a Create URL or Get Document call, with the checks both
/// make: the initiator and user code, the `client_ref_id` (required or not)
/// and the documents under `documents_field`.
fn checked_body(
    shared: &Shared,
    ctx: &Ctx<'_>,
    client_ref_required: bool,
    documents_field: &str,
) -> Result<Map<String, Value>, Reply> {
    let obj = parse_object(ctx)?;
    check_initiator(shared, text_field(&obj, "initiator_id"))?;
    check_user_code(shared, &obj)?;
    check_client_ref(&obj, client_ref_required)?;
    check_documents(&obj, documents_field)?;
    Ok(obj)
}

fn create(shared: &Shared, ctx: &Ctx<'_>, now: i64) -> Result<Reply, Reply> {
    let obj = checked_body(shared, ctx, true, "document_requested")?;
    let redirect = obj
        .get("redirect_url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let redirect_ok = url::Url::parse(redirect)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        .unwrap_or(false);
    if !redirect_ok {
        // Eko's documented sample for this case uses response_status_id 301.
        return Err(invalid_with_id(
            1,
            301,
            "Invalid redirect URL provided.",
            "redirect_url",
            "Must be an absolute http(s) URL",
        ));
    }
    if let Err(e) = serde_json::from_value::<types::CreateUrlRequest>(Value::Object(obj.clone())) {
        return Err(invalid(1, "Invalid request body", "body", &e.to_string()));
    }

    let mut store = lock(&shared.store);
    let reference_id = store.next_reference_id();
    let verification_id = format!(
        "vrf_sim_{}",
        hex(&{
            let mut b = [0u8; 8];
            fastrand::fill(&mut b);
            b
        })
    );
    let id = reference_id.to_string();
    let authorization_url = format!("{}/simulator/authorize/{id}", shared.base_url);
    let mut session = Session {
        id: id.clone(),
        kind: SessionKind::Eko,
        state: SessionState::Created,
        requested: vec!["AADHAAR".into()],
        consented: Vec::new(),
        polls: 0,
        created_ms: now,
        updated_ms: None,
        expires_ms: now.saturating_add(duration_ms(shared.config.session_lifetime)),
        redirect_url: Some(redirect.to_string()),
        authorization_url: authorization_url.clone(),
        eko: Some(EkoIds {
            reference_id,
            verification_id: verification_id.clone(),
        }),
    };
    if shared.config.auto_approve_after_polls == Some(0) {
        let docs = session.default_consent();
        session.succeed(docs, now);
    }
    store.insert(session);
    drop(store);

    let mut data = json!({
        "reference_id": reference_id,
        "url": authorization_url,
        "document_requested": ["AADHAAR"],
        "redirect_url": redirect,
    });
    if shared.config.eko_return_verification_id {
        data["verification_id"] = json!(verification_id);
        data["status"] = json!("PENDING");
    }
    Ok(envelope(
        0,
        0,
        TYPE_CREATE,
        "DigiLocker URL creation success",
        data,
    ))
}

/// Parse `reference_id` (integer, or decimal text).
fn reference_of(value: Option<String>) -> Result<i64, Reply> {
    match value {
        None => Err(invalid(
            1,
            "Missing required parameter: reference_id",
            "reference_id",
            "reference_id is required",
        )),
        Some(v) => v.trim().parse::<i64>().map_err(|_| {
            invalid(
                1,
                "Invalid reference_id",
                "reference_id",
                "Must be an integer",
            )
        }),
    }
}

/// Eko's wording and upstream status for the final states other than
/// success.
fn final_failure(state: SessionState) -> (&'static str, &'static str) {
    match state {
        SessionState::Denied => ("DigiLocker consent denied by the user", "CONSENT_DENIED"),
        SessionState::Expired => ("Digilocker consent session expired", "EXPIRED"),
        _ => ("DigiLocker verification failed", "FAILED"),
    }
}

fn status(shared: &Shared, ctx: &Ctx<'_>, now: i64) -> Result<Reply, Reply> {
    let params: Map<String, Value> = ctx
        .query_params()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    check_initiator(shared, text_field(&params, "initiator_id"))?;
    check_client_ref(&params, false)?;
    let reference_id = reference_of(text_field(&params, "reference_id"))?;
    let mut store = lock(&shared.store);
    let Some(s) = store.get_kind_mut(&reference_id.to_string(), SessionKind::Eko) else {
        return Err(envelope(
            1,
            -1,
            TYPE_STATUS,
            "Invalid reference_id",
            json!({}),
        ));
    };
    s.refresh(now, &shared.config);
    s.poll(now, &shared.config);
    let verification_id = s.eko.as_ref().map(|e| e.verification_id.clone());
    let base = |user_details: Value, consent: Value, upstream: &str| {
        json!({
            "user_details": user_details,
            "document_requested": ["AADHAAR"],
            "document_consent": consent,
            "status": upstream,
            "reference_id": reference_id,
            "verification_id": verification_id,
        })
    };
    let reply = match s.state {
        SessionState::Succeeded => envelope(
            0,
            -1,
            TYPE_STATUS,
            "DigiLocker Verification Status Retrieved",
            base(
                fixtures::eko_user_details(&shared.config.persona),
                json!([{ "document_type": "AADHAAR", "consent": "Y" }]),
                "AUTHENTICATED",
            ),
        ),
        state if !state.is_final() => envelope(
            0,
            -1,
            TYPE_STATUS,
            "DigiLocker Verification Status Retrieved",
            base(json!({}), json!([]), "PENDING"),
        ),
        state => {
            let (message, upstream) = final_failure(state);
            let consent = if state == SessionState::Denied {
                json!([{ "document_type": "AADHAAR", "consent": "N" }])
            } else {
                json!([])
            };
            envelope(
                1,
                1,
                TYPE_STATUS,
                message,
                base(json!({}), consent, upstream),
            )
        }
    };
    Ok(reply)
}

fn document(shared: &Shared, ctx: &Ctx<'_>, now: i64) -> Result<Reply, Reply> {
    let obj = checked_body(shared, ctx, false, "document_type")?;
    let reference_id = reference_of(text_field(&obj, "reference_id"))?;
    let Some(verification_id) = text_field(&obj, "verification_id") else {
        return Err(invalid(
            1,
            "Missing required parameter: verification_id",
            "verification_id",
            "verification_id is required",
        ));
    };
    let mut store = lock(&shared.store);
    let Some(s) = store.get_kind_mut(&reference_id.to_string(), SessionKind::Eko) else {
        return Err(envelope(
            1,
            463,
            TYPE_DOCUMENT,
            "Invalid reference ID. Please check and retry.",
            json!({}),
        ));
    };
    if s.eko.as_ref().map(|e| e.verification_id.as_str()) != Some(verification_id.as_str()) {
        return Err(invalid(
            1,
            "Please enter a valid verification_id",
            "verification_id",
            "Does not belong to this reference_id",
        ));
    }
    s.refresh(now, &shared.config);
    let state = s.state;
    let issued_ms = s.updated_ms.unwrap_or(now);
    drop(store);
    match state {
        SessionState::Succeeded => {
            let issued = chrono::DateTime::from_timestamp_millis(issued_ms)
                .unwrap_or_default()
                .format("%d-%m-%Y")
                .to_string();
            Ok(envelope(
                0,
                0,
                TYPE_DOCUMENT,
                "DigiLocker Document Retrieved",
                json!({
                    "verification_status": "SUCCESS",
                    "reference_id": reference_id,
                    "verification_id": verification_id,
                    "documents": [fixtures::eko_aadhaar_document(&shared.config.persona, &issued)],
                }),
            ))
        }
        state if !state.is_final() => Ok(envelope(
            1,
            327,
            TYPE_DOCUMENT,
            "Verification pending. Customer has not completed DigiLocker consent.",
            json!({}),
        )),
        state => {
            let (message, upstream) = final_failure(state);
            Ok(envelope(
                1,
                1,
                TYPE_DOCUMENT,
                message,
                json!({ "status": upstream, "reference_id": reference_id }),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            route(&Method::POST, "/tools/kyc/digilocker"),
            Some(Route::Create)
        ));
        assert!(matches!(
            route(&Method::GET, "/tools/kyc/digilocker"),
            Some(Route::WrongMethod)
        ));
        assert!(route(&Method::GET, "/tools/kyc").is_none());
        let ids: Vec<_> = [Route::Create, Route::Status, Route::Document]
            .iter()
            .map(|r| r.operation_id().unwrap())
            .collect();
        for (op, _, _) in crate::generated::eko::rules::OPERATIONS {
            assert!(ids.contains(op), "{op} not routed");
        }
    }
}
