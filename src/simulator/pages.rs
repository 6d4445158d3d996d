//! The simulator's own pages: the stand-in for the DigiLocker consent page
//! (`/simulator/authorize/{id}`) and the "pre-signed" document links
//! (`/simulator/files/{token}/{name}`).

use super::consent;
use super::server::{Ctx, Reply};
use super::state::{Shared, StoredFile, hex, lock};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use hyper::Method;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A simulator page.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    Authorize(String),
    /// The consent form's POST.
    Consent(String),
    File(String),
    TrustAnchor,
    /// A known page with a method it does not take; the `Allow` value.
    WrongMethod(&'static str),
}

impl Route {
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Route::Authorize(_) | Route::Consent(_) => Some("simulator_authorize"),
            Route::File(_) => Some("simulator_file"),
            Route::TrustAnchor => Some("simulator_trust_anchor"),
            Route::WrongMethod(_) => None,
        }
    }
}

pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/simulator/")?;
    let segs: Vec<&str> = rest.split('/').collect();
    let route = match segs.as_slice() {
        ["authorize", id] if !id.is_empty() && method == Method::POST => {
            Route::Consent(id.to_string())
        }
        ["authorize", id] if !id.is_empty() => Route::Authorize(id.to_string()),
        ["trust-anchor.pem"] => Route::TrustAnchor,
        ["files", token] | ["files", token, _] if !token.is_empty() => {
            Route::File(token.to_string())
        }
        _ => return None,
    };
    let get = method == Method::GET || method == Method::HEAD;
    match route {
        Route::Authorize(_) if !get => Some(Route::WrongMethod("GET, HEAD, POST")),
        Route::File(_) if !get => Some(Route::WrongMethod("GET, HEAD")),
        r => Some(r),
    }
}

pub(crate) fn handle(shared: &Shared, route: Option<&Route>, ctx: &Ctx<'_>) -> Reply {
    match route {
        None => html(404, "Not found", "No such simulator page."),
        Some(Route::WrongMethod(allow)) => {
            html(405, "Method not allowed", &format!("Use {allow}.")).header("allow", *allow)
        }
        Some(Route::Authorize(id)) => consent::page(shared, id, ctx),
        Some(Route::Consent(id)) => consent::submit(shared, id, ctx),
        Some(Route::File(token)) => file(shared, token, ctx),
        Some(Route::TrustAnchor) => Reply::with_body(
            200,
            "application/x-pem-file",
            crate::simulator::fixtures::TEST_ROOT_PEM,
        ),
    }
}

pub(crate) fn html(status: u16, title: &str, text: &str) -> Reply {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    Reply::with_body(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><html><head><title>{t}</title></head><body><h1>{t}</h1><p>{x}</p><p><small>digilocker-kyc simulator</small></p></body></html>",
            t = esc(title),
            x = esc(text)
        ),
    )
}

fn file_signature(shared: &Shared, token: &str, amz_date: &str, expires: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(&shared.file_key).expect("any key length");
    mac.update(format!("{token}\n{amz_date}\n{expires}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Store a file and return its pre-signed URL, shaped like an S3 one.
pub(crate) fn publish_file(
    shared: &Shared,
    content: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
    now: i64,
) -> String {
    let token = hex(&{
        let mut b = [0u8; 16];
        fastrand::fill(&mut b);
        b
    });
    let dt = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let amz_date = dt.format("%Y%m%dT%H%M%SZ").to_string();
    let expires = shared.config.file_link_lifetime.as_secs().to_string();
    let signature = file_signature(shared, &token, &amz_date, &expires);
    lock(&shared.store).add_file(
        token.clone(),
        StoredFile {
            content: Bytes::from(content),
            content_type,
            created_ms: now,
        },
        now,
    );
    let mut url = url::Url::parse(&format!(
        "{}/simulator/files/{token}/{file_name}",
        shared.base_url
    ))
    .expect("simulator base URL is valid");
    url.query_pairs_mut()
        .append_pair("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
        .append_pair("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
        .append_pair(
            "X-Amz-Credential",
            &format!(
                "SIMULATOR/{}/ap-south-1/s3/aws4_request",
                dt.format("%Y%m%d")
            ),
        )
        .append_pair("X-Amz-Date", &amz_date)
        .append_pair("X-Amz-Expires", &expires)
        .append_pair("X-Amz-Signature", &signature)
        .append_pair("X-Amz-SignedHeaders", "host")
        .append_pair("x-id", "GetObject");
    url.to_string()
}

fn s3_error(status: u16, code: &str, message: &str, extra: &str) -> Reply {
    let request_id = hex(&{
        let mut b = [0u8; 8];
        fastrand::fill(&mut b);
        b
    })
    .to_uppercase();
    Reply::with_body(
        status,
        "application/xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}<RequestId>{request_id}</RequestId><HostId>simulator</HostId></Error>"
        ),
    )
}

/// Serve a file if the link's signature holds and it has not expired (the
/// expiry comes from the signed `X-Amz-Date` + `X-Amz-Expires`, as on S3).
fn file(shared: &Shared, token: &str, ctx: &Ctx<'_>) -> Reply {
    let now = shared.clock.now_ms();
    let amz_date = ctx.query_param("X-Amz-Date").unwrap_or_default();
    let expires = ctx.query_param("X-Amz-Expires").unwrap_or_default();
    let signature = ctx.query_param("X-Amz-Signature").unwrap_or_default();
    let expected = file_signature(shared, token, &amz_date, &expires);
    if signature.is_empty() || signature != expected {
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
            "",
        );
    }
    let signed_at = chrono::NaiveDateTime::parse_from_str(&amz_date, "%Y%m%dT%H%M%SZ")
        .map(|d| d.and_utc().timestamp_millis())
        .unwrap_or(0);
    let lifetime_ms = expires
        .parse::<u64>()
        .map(|s| s.saturating_mul(1000))
        .unwrap_or(0);
    let expires_at = signed_at.saturating_add(i64::try_from(lifetime_ms).unwrap_or(i64::MAX));
    if now >= expires_at {
        let fmt = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        return s3_error(
            403,
            "AccessDenied",
            "Request has expired",
            &format!(
                "<X-Amz-Expires>{expires}</X-Amz-Expires><Expires>{}</Expires><ServerTime>{}</ServerTime>",
                fmt(expires_at),
                fmt(now)
            ),
        );
    }
    let store = lock(&shared.store);
    let Some(f) = store.files.get(token) else {
        return s3_error(404, "NoSuchKey", "The specified key does not exist.", "");
    };
    Reply::with_body(200, f.content_type, f.content.clone())
        .header("etag", format!("\"{}\"", &token[..token.len().min(32)]))
}
