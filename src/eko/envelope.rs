//! Eko's response envelope, HTTP error bodies, and the pending heuristic.

use crate::error::{Error, Provider, ProviderError};
use crate::generated::eko::types::InvalidParams;
use crate::redact;
use crate::retry::parse_retry_after;
use reqwest::header::HeaderMap;

/// The envelope fields every Eko response carries.
pub(crate) struct Envelope<'a> {
    pub status: i64,
    pub message: Option<&'a str>,
    pub response_status_id: Option<i64>,
    pub response_type_id: Option<i64>,
    pub invalid_params: Option<&'a InvalidParams>,
}

/// Eko's `response_status_id` (and `status`) for "verification pending".
pub(crate) const PENDING_ID: i64 = 327;

impl Envelope<'_> {
    /// The provider error this envelope describes (HTTP 200).
    pub fn to_error(&self) -> ProviderError {
        let mut e = ProviderError::new(
            Provider::Eko,
            200,
            self.message
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(redact::mask_sensitive)
                .unwrap_or_else(|| format!("Eko returned status {}", self.status)),
        );
        e.code = Some(self.status);
        e.response_status_id = self.response_status_id;
        e.response_type_id = self.response_type_id;
        e.invalid_params = self
            .invalid_params
            .map(|p| invalid_params(&p.0))
            .unwrap_or_default();
        e
    }

    /// Whether Eko says the user has not finished: `status` or
    /// `response_status_id` 327, or "pending" in the message.
    pub fn says_pending(&self) -> bool {
        self.status == PENDING_ID
            || self.response_status_id == Some(PENDING_ID)
            || self.message_has("pending")
    }

    pub fn message_has(&self, word: &str) -> bool {
        self.message
            .is_some_and(|m| m.to_ascii_lowercase().contains(word))
    }
}

fn invalid_params(map: &serde_json::Map<String, serde_json::Value>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = map
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), redact::mask_sensitive(&text))
        })
        .collect();
    v.sort();
    v
}

/// Map a non-200 answer to an error: 401/403 -> [`Error::Auth`], 429 ->
/// [`Error::RateLimited`], anything else -> [`Error::Provider`]. The body
/// may be Eko's JSON envelope, another JSON error, HTML or empty.
pub(crate) fn status_error(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error");
    let mut e = ProviderError::new(Provider::Eko, status, reason);
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(obj)) => {
            let int = |k: &str| {
                obj.get(k).and_then(|v| {
                    v.as_i64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                })
            };
            e.code = int("status");
            e.response_status_id = int("response_status_id");
            e.response_type_id = int("response_type_id");
            if let Some(m) = ["message", "error", "detail"]
                .iter()
                .find_map(|k| obj.get(*k).and_then(|v| v.as_str()))
                .filter(|m| !m.trim().is_empty())
            {
                e.message = redact::mask_sensitive(m.trim());
            }
            if let Some(serde_json::Value::Object(p)) = obj.get("invalid_params") {
                e.invalid_params = invalid_params(p);
            }
        }
        _ => {
            let text = strip_markup(body);
            if !text.is_empty() {
                e.message = format!("{reason} (body: {})", redact::excerpt(text.as_bytes(), 160));
            }
        }
    }
    let e = Box::new(e);
    match status {
        401 | 403 => Error::Auth(e),
        429 => Error::RateLimited {
            error: e,
            retry_after: parse_retry_after(headers),
        },
        _ => Error::Provider(e),
    }
}

/// The text of an HTML (or plain) body: tags, scripts and styles removed,
/// whitespace collapsed.
fn strip_markup(body: &[u8]) -> String {
    let raw = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(raw.len().min(4096));
    let mut rest: &str = &raw;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let after = &rest[open..];
        let lower = after
            .get(..after.len().min(8))
            .unwrap_or("")
            .to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            after.to_ascii_lowercase().find("</script>").map(|i| i + 9)
        } else if lower.starts_with("<style") {
            after.to_ascii_lowercase().find("</style>").map(|i| i + 8)
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(i) => rest = &after[i..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_html() {
        let html = b"<html><head><style>p{}</style><title>403 Forbidden</title></head>\
            <body><h1>Forbidden</h1><script>x()</script>You don't have permission</body></html>";
        assert_eq!(
            strip_markup(html),
            "403 Forbidden Forbidden You don't have permission"
        );
        assert_eq!(strip_markup(b"plain"), "plain");
        assert_eq!(strip_markup(b""), "");
    }
}
