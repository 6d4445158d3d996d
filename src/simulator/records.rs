//! Records of the requests the simulator received.

use super::faults::Fault;
use crate::error::Provider;
use crate::redact::{excerpt, mask};
use bytes::Bytes;
use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, SystemTime};

/// Headers whose values are never kept.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-api-secret",
    "secret-key",
    "cookie",
    "proxy-authorization",
];

/// Headers that identify an account; kept with all but the last four
/// characters masked.
const IDENTIFIER_HEADERS: &[&str] = &["x-api-key", "developer_key", "initiator_id"];

/// Fields whose values are personal (an Eko `initiator_id` is the API
/// user's mobile number): masked wherever a record holds them, in the
/// query, the body and the headers.
const PERSONAL_FIELDS: &[&str] = &["initiator_id"];

/// One request the simulator received, and what it did with it.
///
/// Secret headers (`authorization`, `x-api-secret`, `secret-key`, cookies)
/// are stored as `[redacted]` (`Bearer [redacted]` when the client sent a
/// `Bearer` prefix, so tests can assert the raw-token convention); account
/// identifiers (`x-api-key`, `developer_key`) and the Eko `initiator_id`
/// (a mobile number; in the query, the body or a header) keep only their
/// last four characters. The body keeps a bounded prefix of what was received
/// ([`SimulatorBuilder::max_record_body_bytes`](super::SimulatorBuilder::max_record_body_bytes),
/// default 8 KiB; [`RecordedRequest::body_len`] says how long it was), and
/// `Debug` shows only a bounded excerpt with personal numbers and tokens
/// masked.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// Arrival order, from 1.
    pub seq: u64,
    /// Arrival time on the simulator's clock.
    pub received_at: SystemTime,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Header names (lowercase) and values, secrets masked.
    pub headers: Vec<(String, String)>,
    /// The request body, cut to the first
    /// [`max_record_body_bytes`](super::SimulatorBuilder::max_record_body_bytes).
    pub body: Bytes,
    /// The length of the body as received (may exceed `body.len()`).
    pub body_len: usize,
    /// The API the path belongs to; `None` for the simulator's own pages
    /// (authorisation page, files) and unknown paths.
    pub provider: Option<Provider>,
    /// The operation id (as in the generated clients, e.g.
    /// `digilocker_initiate_session`, `create_digilocker_url`), or
    /// `simulator_authorize` / `simulator_file`; `None` for unknown routes.
    pub operation: Option<&'static str>,
    /// HTTP status sent; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The injected fault applied, if any.
    pub fault: Option<Fault>,
    /// Time from receiving the request (body read) to the response being
    /// ready, measured by the server; includes injected latency.
    pub elapsed: Duration,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive), as recorded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("seq", &self.seq)
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "query",
                &self.query.as_deref().map(crate::redact::mask_sensitive),
            )
            .field("headers", &self.headers)
            .field("body", &excerpt(&self.body, 200))
            .field("body_len", &self.body_len)
            .field("provider", &self.provider)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("fault", &self.fault)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

/// Mask a header value for the records.
pub(crate) fn mask_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&lower.as_str()) {
        if value.len() >= 7 && value[..7].eq_ignore_ascii_case("bearer ") {
            "Bearer [redacted]".to_string()
        } else {
            "[redacted]".to_string()
        }
    } else if IDENTIFIER_HEADERS.contains(&lower.as_str()) {
        mask(value)
    } else {
        value.to_string()
    }
}

/// Mask the values of [`PERSONAL_FIELDS`] in a record's query and body.
pub(crate) fn mask_personal_fields(r: &mut RecordedRequest) {
    if let Some(q) = &r.query {
        r.query = Some(mask_field_values(q));
    }
    if let Ok(text) = std::str::from_utf8(&r.body) {
        let masked = mask_field_values(text);
        if masked != text {
            r.body = Bytes::from(masked);
        }
    }
}

/// Mask the value after every `initiator_id` key in `text`: a query pair
/// (`initiator_id=9876543210`), a JSON member (`"initiator_id": "…"` or a
/// bare number, which becomes a masked string) or a form field.
pub(crate) fn mask_field_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        let Some((at, key)) = PERSONAL_FIELDS
            .iter()
            .filter_map(|k| rest.find(k).map(|i| (i, *k)))
            .min()
        else {
            break;
        };
        let after = at + key.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        // The key must stand alone: `xinitiator_id` is another field.
        let before_ok = out[..out.len() - key.len()]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let mut j = 0;
        let b = rest.as_bytes();
        let quoted_key = j < b.len() && b[j] == b'"';
        if quoted_key {
            j += 1;
        }
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if !before_ok || j >= b.len() || !(b[j] == b':' || b[j] == b'=') {
            continue 'outer;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let quoted_value = j < b.len() && b[j] == b'"';
        if quoted_value {
            j += 1;
        }
        let start = j;
        while j < b.len()
            && !matches!(b[j], b'"' | b'&' | b',' | b'}' | b';')
            && !b[j].is_ascii_whitespace()
        {
            j += 1;
        }
        out.push_str(&rest[..start]);
        let value = &rest[start..j];
        let is_json_number = !quoted_value
            && quoted_key
            && !value.is_empty()
            && value.bytes().all(|c| c.is_ascii_digit());
        if is_json_number {
            out.push('"');
            out.push_str(&mask(value));
            out.push('"');
        } else {
            out.push_str(&mask(value));
        }
        rest = &rest[j..];
    }
    out.push_str(rest);
    out
}

/// What one record costs in memory, roughly: its body prefix, path, query
/// and headers, plus a fixed overhead for the struct itself.
pub(crate) fn stored_size(r: &RecordedRequest) -> usize {
    const OVERHEAD: usize = std::mem::size_of::<RecordedRequest>();
    OVERHEAD
        + r.body.len()
        + r.method.len()
        + r.path.len()
        + r.query.as_ref().map_or(0, String::len)
        + r.headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
}

/// A bounded log of records: at most `max` records and `max_bytes` of
/// stored size (oldest dropped first).
pub(crate) struct Records {
    items: VecDeque<RecordedRequest>,
    max: usize,
    max_bytes: usize,
    bytes: usize,
    next_seq: u64,
}

impl Records {
    pub fn new(max: usize, max_bytes: usize) -> Self {
        Records {
            items: VecDeque::new(),
            max: max.max(1),
            max_bytes,
            bytes: 0,
            next_seq: 0,
        }
    }

    pub fn push(&mut self, mut r: RecordedRequest) {
        mask_personal_fields(&mut r);
        self.next_seq += 1;
        r.seq = self.next_seq;
        let size = stored_size(&r);
        while !self.items.is_empty()
            && (self.items.len() >= self.max || self.bytes + size > self.max_bytes)
        {
            if let Some(old) = self.items.pop_front() {
                self.bytes -= stored_size(&old);
            }
        }
        self.bytes += size;
        self.items.push_back(r);
    }

    /// The stored size of every record kept.
    pub fn stored_bytes(&self) -> usize {
        self.bytes
    }

    pub fn all(&self) -> Vec<RecordedRequest> {
        self.items.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initiator_id_is_masked_in_queries_and_bodies() {
        assert_eq!(
            mask_field_values("initiator_id=9876543210&reference_id=7000001"),
            "initiator_id=XXXXXX3210&reference_id=7000001"
        );
        assert_eq!(
            mask_field_values(r#"{"initiator_id": "9876543210","user_code":"20000001"}"#),
            r#"{"initiator_id": "XXXXXX3210","user_code":"20000001"}"#
        );
        let bare = mask_field_values(r#"{"x":1,"initiator_id":9876543210}"#);
        assert_eq!(bare, r#"{"x":1,"initiator_id":"XXXXXX3210"}"#);
        assert!(serde_json::from_str::<serde_json::Value>(&bare).is_ok());
        assert_eq!(
            mask_field_values("no_initiator_id=9876543210"),
            "no_initiator_id=9876543210"
        );
        assert_eq!(mask_header("initiator_id", "9876543210"), "XXXXXX3210");
    }

    #[test]
    fn header_masking() {
        assert_eq!(mask_header("Authorization", "eyJabc.def.ghi"), "[redacted]");
        assert_eq!(
            mask_header("authorization", "Bearer eyJabc"),
            "Bearer [redacted]"
        );
        assert_eq!(mask_header("x-api-secret", "secret_test_x"), "[redacted]");
        assert_eq!(mask_header("secret-key", "abc="), "[redacted]");
        assert_eq!(
            mask_header("x-api-key", "key_test_abcdef1234"),
            "XXX_XXXX_XXXXXX1234"
        );
        assert_eq!(
            mask_header("content-type", "application/json"),
            "application/json"
        );
    }
}
