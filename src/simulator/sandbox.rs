//! Sandbox routes: `/authenticate` and the 17 DigiLocker-family operations.

use super::fixtures;
use super::pages;
use super::server::{Ctx, Reply, sandbox_envelope};
use super::state::{
    DIGILOCKER_DOCS, ENTITYLOCKER_DOCS, Session, SessionKind, SessionState, Shared, duration_ms,
    hex, lock, uuid_like,
};
use crate::generated::sandbox::{rules, types};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use hyper::Method;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// A Sandbox operation, with its path parameters.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    Authenticate,
    Verify,
    Init(SessionKind),
    Create(SessionKind),
    Status(SessionKind, String),
    Document(SessionKind, String, String),
    Profile(SessionKind, String),
    Entity(String),
    /// A known path with the wrong method.
    WrongMethod,
}

impl Route {
    /// The operation id used by the generated client.
    pub fn operation_id(&self) -> Option<&'static str> {
        use SessionKind::*;
        Some(match self {
            Route::Authenticate => "authenticate",
            Route::Verify => "digilocker_verify_user_account",
            Route::Init(DigiLocker) => "digilocker_initiate_session",
            Route::Init(_) => "entitylocker_initiate_session",
            Route::Create(DigiLockerSdk) => "digilocker_sdk_create_session",
            Route::Create(_) => "entitylocker_sdk_create_session",
            Route::Status(k, _) => match k {
                DigiLocker => "digilocker_get_session_status",
                DigiLockerSdk => "digilocker_sdk_get_session_status",
                EntityLocker => "entitylocker_get_session_status",
                _ => "entitylocker_sdk_get_session_status",
            },
            Route::Document(k, _, _) => match k {
                DigiLocker => "digilocker_get_document",
                DigiLockerSdk => "digilocker_sdk_get_document",
                EntityLocker => "entitylocker_get_document",
                _ => "entitylocker_sdk_get_document",
            },
            Route::Profile(k, _) => match k {
                DigiLocker => "digilocker_get_user_profile",
                DigiLockerSdk => "digilocker_sdk_get_user_profile",
                _ => "entitylocker_get_user_profile",
            },
            Route::Entity(_) => "entitylocker_get_entity_details",
            Route::WrongMethod => return None,
        })
    }
}

fn family(segment: &str) -> Option<SessionKind> {
    Some(match segment {
        "digilocker" => SessionKind::DigiLocker,
        "digilocker-sdk" => SessionKind::DigiLockerSdk,
        "entitylocker" => SessionKind::EntityLocker,
        "entitylocker-sdk" => SessionKind::EntityLockerSdk,
        _ => return None,
    })
}

/// Match a path (and method) to an operation; `None` for unknown paths.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let (route, expected) = match segs.as_slice() {
        ["authenticate"] => (Route::Authenticate, Method::POST),
        ["kyc", "digilocker", "user", "verify"] => (Route::Verify, Method::POST),
        ["kyc", fam, "sessions", "init"] => match family(fam)? {
            k @ (SessionKind::DigiLocker | SessionKind::EntityLocker) => {
                (Route::Init(k), Method::POST)
            }
            _ => return None,
        },
        ["kyc", fam, "sessions", "create"] => match family(fam)? {
            k if k.is_sdk() => (Route::Create(k), Method::POST),
            _ => return None,
        },
        ["kyc", fam, "sessions", id, "status"] => {
            (Route::Status(family(fam)?, id.to_string()), Method::GET)
        }
        ["kyc", fam, "sessions", id, "documents", doc] => (
            Route::Document(family(fam)?, id.to_string(), doc.to_string()),
            Method::GET,
        ),
        ["kyc", fam, "sessions", id, "user", "profile"] => match family(fam)? {
            SessionKind::EntityLockerSdk => return None,
            k => (Route::Profile(k, id.to_string()), Method::GET),
        },
        ["kyc", "entitylocker", "sessions", id, "entity"] => {
            (Route::Entity(id.to_string()), Method::GET)
        }
        _ => return None,
    };
    // HEAD is answered like GET (hyper leaves the body out).
    if *method == expected || (*method == Method::HEAD && expected == Method::GET) {
        Some(route)
    } else {
        Some(Route::WrongMethod)
    }
}

/// A Sandbox error envelope `{code, timestamp, message, transaction_id}`
/// with `x-amzn-RequestId` equal to the transaction id.
pub(crate) fn error_at(now_ms: i64, status: u16, message: &str) -> Reply {
    let tx = uuid_like();
    Reply::json(
        status,
        &json!({ "code": status, "timestamp": now_ms, "message": message, "transaction_id": tx }),
    )
    .header("x-amzn-requestid", tx)
}

pub(crate) fn handle(shared: &Shared, route: Option<&Route>, ctx: &Ctx<'_>) -> Reply {
    let now = shared.clock.now_ms();
    let Some(route) = route else {
        return error_at(now, 404, "Not Found");
    };
    match route {
        Route::WrongMethod => return error_at(now, 405, "Method Not Allowed"),
        Route::Authenticate => return authenticate(shared, ctx, now),
        _ => {}
    }
    if let Err(reply) = check_access(shared, ctx, now) {
        return reply;
    }
    let result = match route {
        Route::Verify => verify(ctx, now),
        Route::Init(kind) => init(shared, ctx, *kind, now),
        Route::Create(kind) => create(shared, ctx, *kind, now),
        Route::Status(kind, id) => status(shared, *kind, id, now),
        Route::Document(kind, id, doc) => document(shared, *kind, id, doc, now),
        Route::Profile(kind, id) => profile(shared, *kind, id, now),
        Route::Entity(id) => entity(shared, id, now),
        // Answered above, before the access check.
        Route::Authenticate | Route::WrongMethod => Err(error_at(now, 404, "Not Found")),
    };
    result.unwrap_or_else(|e| e)
}

// ---------------------------------------------------------------- auth ----

fn authenticate(shared: &Shared, ctx: &Ctx<'_>, now: i64) -> Reply {
    let cfg = &shared.config;
    let key_ok = ctx.header("x-api-key") == Some(cfg.sandbox_api_key.as_str());
    let secret_ok = ctx.header("x-api-secret") == Some(cfg.sandbox_api_secret.expose());
    if !(key_ok && secret_ok) {
        return error_at(now, 401, "Invalid API key or secret");
    }
    let token = issue_token(shared, &cfg.sandbox_api_key, now);
    sandbox_envelope(now, json!({ "access_token": token }))
}

/// A JWT-shaped token: `base64url(header).base64url(payload).base64url(HMAC)`.
/// The payload carries `iat` and `exp` in seconds, as Sandbox's does.
pub(crate) fn issue_token(shared: &Shared, api_key: &str, now_ms: i64) -> String {
    let iat = now_ms.div_euclid(1000);
    let lifetime = i64::try_from(shared.config.token_lifetime.as_secs()).unwrap_or(i64::MAX / 4);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = json!({
        "aud": "API",
        "api_key": api_key,
        "exp": iat.saturating_add(lifetime),
        "iat": iat,
        "intent": "ACCESS_TOKEN",
        "iss": "digilocker-kyc-simulator",
        "jti": uuid_like(),
        "sub": "simulator",
    });
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signing_input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(token_mac(shared, &signing_input));
    format!("{signing_input}.{sig}")
}

fn token_mac(shared: &Shared, input: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(&shared.token_key).expect("any key length");
    mac.update(input.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

enum TokenCheck {
    Valid { api_key: String },
    Invalid,
    Expired,
}

fn check_token(shared: &Shared, token: &str, now_ms: i64) -> TokenCheck {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return TokenCheck::Invalid;
    };
    let Ok(sig) = URL_SAFE_NO_PAD.decode(s) else {
        return TokenCheck::Invalid;
    };
    let mut mac = HmacSha256::new_from_slice(&shared.token_key).expect("any key length");
    mac.update(format!("{h}.{p}").as_bytes());
    if mac.verify_slice(&sig).is_err() {
        return TokenCheck::Invalid;
    }
    let Some(payload) = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    else {
        return TokenCheck::Invalid;
    };
    let exp = payload.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if now_ms >= exp.saturating_mul(1000) {
        return TokenCheck::Expired;
    }
    TokenCheck::Valid {
        api_key: payload
            .get("api_key")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    }
}

/// `x-api-key` must be the configured key and `authorization` a valid,
/// unexpired token issued for it (raw, without `Bearer`).
fn check_access(shared: &Shared, ctx: &Ctx<'_>, now: i64) -> Result<(), Reply> {
    let Some(api_key) = ctx.header("x-api-key") else {
        return Err(error_at(now, 401, "Unauthorized"));
    };
    if api_key != shared.config.sandbox_api_key {
        return Err(error_at(now, 401, "Unauthorized"));
    }
    let Some(token) = ctx.header("authorization") else {
        return Err(error_at(now, 401, "Unauthorized"));
    };
    match check_token(shared, token, now) {
        TokenCheck::Valid { api_key: for_key } if for_key == api_key => Ok(()),
        TokenCheck::Expired => Err(error_at(now, 403, "Access token has expired")),
        _ => Err(error_at(now, 403, "Invalid access token")),
    }
}

// ---------------------------------------------------------- validation ----

fn invalid(now: i64, detail: &str) -> Reply {
    error_at(now, 400, &format!("Invalid request body: {detail}"))
}

fn parse_object(ctx: &Ctx<'_>, now: i64) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(error_at(now, 400, "Invalid request body")),
    }
}

fn present(obj: &Map<String, Value>, field: &str) -> bool {
    obj.get(field).is_some_and(|v| !v.is_null())
}

fn expect_entity(obj: &Map<String, Value>, expected: &str, now: i64) -> Result<(), Reply> {
    match obj.get("@entity").and_then(Value::as_str) {
        Some(e) if e == expected => Ok(()),
        Some(_) => Err(invalid(now, &format!("@entity must be {expected}"))),
        None => Err(invalid(now, "@entity is required")),
    }
}

fn expect_flow(obj: &Map<String, Value>, now: i64) -> Result<String, Reply> {
    match obj.get("flow").and_then(Value::as_str) {
        Some(f @ ("signin" | "signup")) => Ok(f.to_string()),
        Some(_) => Err(invalid(now, "flow must be one of signin, signup")),
        None => Err(invalid(now, "flow is required")),
    }
}

fn expect_redirect(obj: &Map<String, Value>, now: i64) -> Result<String, Reply> {
    let Some(url) = obj.get("redirect_url").and_then(Value::as_str) else {
        return Err(invalid(now, "redirect_url is required"));
    };
    if !url.starts_with("https://") {
        return Err(invalid(now, "redirect_url must start with https://"));
    }
    if url::Url::parse(url).is_err() {
        return Err(invalid(now, "redirect_url must be a valid URL"));
    }
    Ok(url.to_string())
}

fn expect_doc_types(
    obj: &Map<String, Value>,
    known: &[&str],
    now: i64,
) -> Result<Vec<String>, Reply> {
    let Some(items) = obj.get("doc_types").and_then(Value::as_array) else {
        return Err(invalid(now, "doc_types is required"));
    };
    if items.is_empty() {
        return Err(invalid(now, "doc_types must not be empty"));
    }
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item.as_str() {
            Some(d) if known.contains(&d) => {
                if !out.iter().any(|o| o == d) {
                    out.push(d.to_string());
                }
            }
            _ => {
                return Err(invalid(
                    now,
                    &format!("doc_types items must be one of {}", known.join(", ")),
                ));
            }
        }
    }
    Ok(out)
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// A string field that must match a pattern: 400 when not a string, 422
/// when it does not match (Sandbox: "Values/flags are incorrect as per
/// schema or pattern").
fn check_pattern(
    obj: &Map<String, Value>,
    field: &str,
    ok: impl Fn(&str) -> bool,
    pattern: &str,
    now: i64,
) -> Result<(), Reply> {
    // A present `null` is not a string: JSON Schema's `type` rejects it.
    let Some(v) = obj.get(field) else {
        return Ok(());
    };
    let Some(s) = v.as_str() else {
        return Err(invalid(now, &format!("{field} must be a string")));
    };
    if ok(s) {
        Ok(())
    } else {
        Err(error_at(
            now,
            422,
            &format!("Invalid {field}: must match {pattern}"),
        ))
    }
}

fn check_consent_expiry(obj: &Map<String, Value>, now: i64) -> Result<Option<i64>, Reply> {
    let Some(v) = obj.get("consent_expiry") else {
        return Ok(None);
    };
    // JSON Schema's `integer` is any number with a zero fraction, so
    // `1900000000000.0` is one; `null` is not.
    let whole = |f: f64| f.fract() == 0.0 && f.abs() < 9.0e15;
    let Some(ms) = v
        .as_i64()
        .or_else(|| v.as_f64().filter(|f| whole(*f)).map(|f| f as i64))
    else {
        return Err(invalid(now, "consent_expiry must be an integer"));
    };
    if ms < now + 3_600_000 {
        return Err(error_at(
            now,
            422,
            "Invalid consent_expiry: must be epoch milliseconds at least 1 hour in the future",
        ));
    }
    Ok(Some(ms))
}

/// The last gate: the body must decode as the generated request type.
fn decode_as<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    now: i64,
) -> Result<T, Reply> {
    serde_json::from_value::<T>(Value::Object(obj.clone()))
        .map_err(|e| invalid(now, &e.to_string()))
}

// ---------------------------------------------------------- operations ----

fn verify(ctx: &Ctx<'_>, now: i64) -> Result<Reply, Reply> {
    let obj = parse_object(ctx, now)?;
    expect_entity(
        &obj,
        "in.co.sandbox.kyc.digilocker.user.verification.request",
        now,
    )?;
    if let Some(rule) = rules::ANY_OF_REQUIRED
        .iter()
        .find(|r| r.operation_id == "digilocker_verify_user_account")
        && !rule.is_satisfied_by(&|f| present(&obj, f))
    {
        return Err(invalid(now, &rule.describe()));
    }
    check_pattern(
        &obj,
        "aadhaar_number",
        |s| all_digits(s, 12),
        "^[0-9]{12}$",
        now,
    )?;
    check_pattern(&obj, "mobile", |s| all_digits(s, 10), "^[0-9]{10}$", now)?;
    let body: types::DigilockerVerifyUserAccountBody = decode_as(&obj, now)?;
    let number = body
        .mobile
        .as_ref()
        .map(|m| m.to_string())
        .or_else(|| body.aadhaar_number.as_ref().map(|a| a.to_string()))
        .unwrap_or_default();
    Ok(sandbox_envelope(
        now,
        json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.response",
            "user_exists": user_exists(&number),
        }),
    ))
}

/// The simulator's rule for `user_exists`: numbers ending in `0000`, and the
/// documented "does not exist" example `9999999999`, have no account.
pub(crate) fn user_exists(number: &str) -> bool {
    !(number.ends_with("0000") || number == "9999999999")
}

fn new_session(
    shared: &Shared,
    kind: SessionKind,
    requested: Vec<String>,
    redirect_url: Option<String>,
    flow: Option<String>,
    expires_ms: Option<i64>,
    now: i64,
) -> Session {
    let id = uuid_like();
    let expires_ms = expires_ms
        .unwrap_or_else(|| now.saturating_add(duration_ms(shared.config.session_lifetime)));
    let mut url = url::Url::parse(&format!("{}/simulator/authorize/{id}", shared.base_url))
        .expect("simulator base URL is valid");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("state", &id);
        if let Some(f) = &flow {
            q.append_pair("dl_flow", f);
        }
        if !requested.is_empty() {
            let codes: Vec<&str> = requested
                .iter()
                .map(|d| fixtures::doc_meta(d).code)
                .collect();
            q.append_pair("req_doctype", &codes.join(","));
        }
        q.append_pair(
            "consent_valid_till",
            &expires_ms.div_euclid(1000).to_string(),
        );
    }
    let mut session = Session {
        id,
        kind,
        state: SessionState::Created,
        requested,
        consented: Vec::new(),
        polls: 0,
        created_ms: now,
        updated_ms: None,
        expires_ms,
        redirect_url,
        authorization_url: url.to_string(),
        eko: None,
    };
    if shared.config.auto_approve_after_polls == Some(0) {
        let docs = session.default_consent();
        session.succeed(docs, now);
    }
    session
}

fn init(shared: &Shared, ctx: &Ctx<'_>, kind: SessionKind, now: i64) -> Result<Reply, Reply> {
    let mut obj = parse_object(ctx, now)?;
    let (request_entity, response_entity) = match kind {
        SessionKind::DigiLocker => (
            "in.co.sandbox.kyc.digilocker.session.request",
            "in.co.sandbox.kyc.digilocker.session.response",
        ),
        _ => (
            "in.co.sandbox.kyc.entitylocker.session.request",
            "in.co.sandbox.kyc.entitylocker.session.response",
        ),
    };
    expect_entity(&obj, request_entity, now)?;
    let flow = expect_flow(&obj, now)?;
    let redirect = expect_redirect(&obj, now)?;
    let requested = if kind == SessionKind::DigiLocker {
        let docs = expect_doc_types(&obj, DIGILOCKER_DOCS, now)?;
        if let Some(options) = obj.get("options").filter(|v| !v.is_null()) {
            let Some(options) = options.as_object() else {
                return Err(invalid(now, "options must be an object"));
            };
            check_pattern(
                options,
                "verified_mobile",
                |s| all_digits(s, 10) && matches!(s.as_bytes()[0], b'6'..=b'9'),
                "^[6-9][0-9]{9}$",
                now,
            )?;
            if let Some(methods) = options.get("verification_method") {
                match methods.as_array() {
                    None => {
                        return Err(invalid(now, "options.verification_method must be an array"));
                    }
                    Some(list) if list.is_empty() => {
                        return Err(invalid(
                            now,
                            "options.verification_method must have at least 1 item",
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        docs
    } else {
        Vec::new()
    };
    let expiry = check_consent_expiry(&obj, now)?;
    if let Some(ms) = expiry {
        // The generated type wants an i64; `1.9e12` written as a float is
        // the same integer.
        obj.insert("consent_expiry".into(), Value::from(ms));
    }
    if kind == SessionKind::DigiLocker {
        decode_as::<types::DigilockerInitiateSessionBody>(&obj, now)?;
    } else {
        decode_as::<types::EntitylockerInitiateSessionBody>(&obj, now)?;
    }
    let session = new_session(
        shared,
        kind,
        requested,
        Some(redirect),
        Some(flow),
        expiry,
        now,
    );
    let data = json!({
        "@entity": response_entity,
        "authorization_url": session.authorization_url,
        "session_id": session.id,
    });
    lock(&shared.store).insert(session);
    Ok(sandbox_envelope(now, data))
}

fn create(shared: &Shared, ctx: &Ctx<'_>, kind: SessionKind, now: i64) -> Result<Reply, Reply> {
    let obj = parse_object(ctx, now)?;
    let (request_entity, known) = match kind {
        SessionKind::DigiLockerSdk => (
            "in.co.sandbox.kyc.digilocker.sdk.session.request",
            DIGILOCKER_DOCS,
        ),
        _ => (
            "in.co.sandbox.kyc.entitylocker.sdk.session.request",
            ENTITYLOCKER_DOCS,
        ),
    };
    expect_entity(&obj, request_entity, now)?;
    let flow = expect_flow(&obj, now)?;
    let requested = expect_doc_types(&obj, known, now)?;
    if kind == SessionKind::DigiLockerSdk {
        decode_as::<types::DigilockerSdkCreateSessionBody>(&obj, now)?;
    } else {
        decode_as::<types::EntitylockerSdkCreateSessionBody>(&obj, now)?;
    }
    let session = new_session(shared, kind, requested, None, Some(flow), None, now);
    let data = json!({
        "@entity": kind.session_entity(),
        "id": session.id,
        "status": session.state.sandbox_wire(kind),
        "created_at": now,
    });
    lock(&shared.store).insert(session);
    Ok(sandbox_envelope(now, data))
}

fn not_found(id: &str, now: i64) -> Reply {
    error_at(now, 521, &format!("Data not found for: {id}"))
}

fn status(shared: &Shared, kind: SessionKind, id: &str, now: i64) -> Result<Reply, Reply> {
    let mut store = lock(&shared.store);
    let Some(s) = store.get_kind_mut(id, kind) else {
        return Err(not_found(id, now));
    };
    s.refresh(now, &shared.config);
    s.poll(now, &shared.config);
    let mut data = json!({
        "id": s.id,
        "created_at": s.created_ms,
        "@entity": kind.session_entity(),
        "status": s.state.sandbox_wire(kind),
    });
    if let Some(u) = s.updated_ms {
        data["updated_at"] = json!(u);
    }
    if s.state == SessionState::Succeeded {
        data["documents_consented"] = json!(s.consented);
    }
    drop(store);
    Ok(sandbox_envelope(now, data))
}

/// Look up a session that must have succeeded: 521 when unknown, 523 when
/// not succeeded. Returns a copy.
fn succeeded_session(
    shared: &Shared,
    kind: SessionKind,
    id: &str,
    what: &str,
    now: i64,
) -> Result<Session, Reply> {
    let mut store = lock(&shared.store);
    let Some(s) = store.get_kind_mut(id, kind) else {
        return Err(not_found(id, now));
    };
    s.refresh(now, &shared.config);
    if s.state != SessionState::Succeeded {
        return Err(error_at(
            now,
            523,
            &format!("Cannot get {what} due to invalid session lifecycle"),
        ));
    }
    Ok(s.clone())
}

fn document(
    shared: &Shared,
    kind: SessionKind,
    id: &str,
    doc: &str,
    now: i64,
) -> Result<Reply, Reply> {
    {
        let mut store = lock(&shared.store);
        if store.get_kind_mut(id, kind).is_none() {
            return Err(not_found(id, now));
        }
    }
    if !kind.known_documents().contains(&doc) {
        return Err(error_at(now, 400, &format!("Invalid doc_type: {doc}")));
    }
    let session = succeeded_session(shared, kind, id, "document", now)?;
    if !session.consented.iter().any(|c| c == doc) {
        return Err(error_at(
            now,
            400,
            &format!("Consent for {doc} not provided"),
        ));
    }
    let meta = fixtures::doc_meta(doc);
    let issued = session.updated_ms.unwrap_or(now);
    let issued_dt = chrono::DateTime::from_timestamp_millis(issued).unwrap_or_default();
    let ist = chrono::FixedOffset::east_opt(19_800).expect("valid offset");
    let content = fixtures::document_file(
        &shared.config.persona,
        doc,
        &issued_dt.with_timezone(&ist).format("%d-%m-%Y").to_string(),
        &issued_dt
            .with_timezone(&ist)
            .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string(),
        &session.id,
    );
    let size = content.len();
    let file_name = format!(
        "{}-{}-{}.{}",
        meta.issuer_id,
        meta.code,
        &hex(&Sha256::digest(format!("{}{}", session.id, doc)))[..32],
        meta.extension
    );
    let url = pages::publish_file(shared, content, meta.content_type, &file_name, now);
    Ok(sandbox_envelope(
        now,
        json!({
            "files": [{
                "@entity": "org.quicko.drive.file",
                "url": url,
                "size": size,
                "metadata": {
                    "ContentType": meta.content_type,
                    "issuer_id": meta.issuer_id,
                    "issuer": meta.issuer,
                    "LastModified": issued_dt.with_timezone(&ist).format("%d/%m/%Y").to_string(),
                    "description": meta.description,
                },
            }],
        }),
    ))
}

/// A stable DigiLocker id for the persona (users keep their id across
/// sessions), UUID-shaped.
fn digilocker_id(shared: &Shared) -> String {
    let p = &shared.config.persona;
    let h = hex(&Sha256::digest(format!("{}|{}", p.name, p.mobile)));
    format!(
        "{}-{}-5{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn profile(shared: &Shared, kind: SessionKind, id: &str, now: i64) -> Result<Reply, Reply> {
    succeeded_session(shared, kind, id, "user profile", now)?;
    let p = &shared.config.persona;
    let data = match kind {
        SessionKind::EntityLocker => fixtures::entitylocker_profile(p, &digilocker_id(shared)),
        _ => fixtures::sandbox_profile(
            p,
            &digilocker_id(shared),
            "in.co.sandbox.kyc.digilocker.user.profile",
        ),
    };
    Ok(sandbox_envelope(now, data))
}

fn entity(shared: &Shared, id: &str, now: i64) -> Result<Reply, Reply> {
    succeeded_session(shared, SessionKind::EntityLocker, id, "entity details", now)?;
    Ok(sandbox_envelope(
        now,
        fixtures::entitylocker_entity(&shared.config.persona, &digilocker_id(shared)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let get = Method::GET;
        let post = Method::POST;
        assert!(matches!(
            route(&post, "/kyc/digilocker/sessions/init"),
            Some(Route::Init(SessionKind::DigiLocker))
        ));
        assert!(matches!(
            route(&get, "/kyc/digilocker/sessions/init"),
            Some(Route::WrongMethod)
        ));
        assert!(route(&post, "/kyc/digilocker-sdk/sessions/init").is_none());
        assert!(route(&get, "/kyc/entitylocker-sdk/sessions/x/user/profile").is_none());
        assert!(matches!(
            route(&get, "/kyc/entitylocker/sessions/x/entity"),
            Some(Route::Entity(_))
        ));
        assert!(route(&get, "kyc").is_none());
        assert!(route(&get, "/").is_none());
        // Every operation id is one the generated client knows.
        let all = [
            route(&post, "/authenticate"),
            route(&post, "/kyc/digilocker/user/verify"),
            route(&post, "/kyc/digilocker/sessions/init"),
            route(&get, "/kyc/digilocker/sessions/i/status"),
            route(&get, "/kyc/digilocker/sessions/i/documents/pan"),
            route(&get, "/kyc/digilocker/sessions/i/user/profile"),
            route(&post, "/kyc/digilocker-sdk/sessions/create"),
            route(&get, "/kyc/digilocker-sdk/sessions/i/status"),
            route(&get, "/kyc/digilocker-sdk/sessions/i/documents/pan"),
            route(&get, "/kyc/digilocker-sdk/sessions/i/user/profile"),
            route(&post, "/kyc/entitylocker/sessions/init"),
            route(&get, "/kyc/entitylocker/sessions/i/status"),
            route(&get, "/kyc/entitylocker/sessions/i/documents/d"),
            route(&get, "/kyc/entitylocker/sessions/i/entity"),
            route(&get, "/kyc/entitylocker/sessions/i/user/profile"),
            route(&post, "/kyc/entitylocker-sdk/sessions/create"),
            route(&get, "/kyc/entitylocker-sdk/sessions/i/status"),
            route(&get, "/kyc/entitylocker-sdk/sessions/i/documents/d"),
        ];
        let ids: Vec<&str> = all
            .iter()
            .map(|r| r.as_ref().unwrap().operation_id().unwrap())
            .collect();
        assert_eq!(ids.len(), rules::OPERATIONS.len());
        for (op, method, _) in rules::OPERATIONS {
            assert!(ids.contains(op), "{op} {method} not routed");
        }
    }

    #[test]
    fn user_exists_rule() {
        assert!(user_exists("9000000001"));
        assert!(!user_exists("9999999999"));
        assert!(!user_exists("123456780000"));
    }
}
