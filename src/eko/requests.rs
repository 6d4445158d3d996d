//! Inputs of the three Eko operations, validated before anything is sent,
//! and the `client_ref_id` generator.

use super::types::{EkoDocType, ReferenceId};
use crate::error::{Error, Result};
use crate::redact::Masked;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest `client_ref_id` Eko accepts.
pub const CLIENT_REF_ID_MAX: usize = 20;

static COUNTER: AtomicU64 = AtomicU64::new(0);

const B36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn base36_fixed(mut n: u64, width: usize, out: &mut String) {
    let mut buf = vec![b'0'; width];
    for slot in buf.iter_mut().rev() {
        *slot = B36[(n % 36) as usize];
        n /= 36;
    }
    out.push_str(std::str::from_utf8(&buf).expect("base36 digits are ASCII"));
}

/// A fresh `client_ref_id`: 18 upper-case base36 characters, made of the
/// time in milliseconds (9), a process-wide counter (4) and randomness (5).
///
/// Two ids from one process differ unless 36⁴ (1.6 million) ids are made in
/// the same millisecond; ids from different processes differ unless they
/// share the millisecond, the counter value and 25 random bits.
pub fn generate_client_ref_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    client_ref_id_at(now)
}

pub(crate) fn client_ref_id_at(now_ms: u64) -> String {
    const COUNTER_SPAN: u64 = 36 * 36 * 36 * 36;
    const RANDOM_SPAN: u64 = 36 * 36 * 36 * 36 * 36;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % COUNTER_SPAN;
    let mut s = String::with_capacity(18);
    base36_fixed(now_ms, 9, &mut s);
    base36_fixed(n, 4, &mut s);
    base36_fixed(fastrand::u64(..RANDOM_SPAN), 5, &mut s);
    s
}

pub(crate) fn validate_client_ref_id(id: &str) -> Result<()> {
    let len = id.chars().count();
    if len == 0 {
        return Err(Error::invalid("client_ref_id", "must not be empty"));
    }
    if len > CLIENT_REF_ID_MAX {
        return Err(Error::invalid(
            "client_ref_id",
            format!("is {len} characters; Eko accepts at most {CLIENT_REF_ID_MAX}"),
        ));
    }
    if !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::invalid(
            "client_ref_id",
            "must be printable ASCII without spaces",
        ));
    }
    Ok(())
}

pub(crate) fn validate_initiator(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid("initiator_id", "must not be empty"));
    }
    Ok(())
}

/// The per-call overrides every request may carry, when given.
fn validate_overrides(client_ref_id: Option<&str>, initiator_id: Option<&Masked>) -> Result<()> {
    if let Some(id) = client_ref_id {
        validate_client_ref_id(id)?;
    }
    if let Some(i) = initiator_id {
        validate_initiator(i.expose())?;
    }
    Ok(())
}

/// The `initiator_id` and `user_code` override setters of a request.
macro_rules! override_setters {
    (initiator_id) => {
        /// Override the client's `initiator_id` for this call.
        pub fn initiator_id(mut self, id: impl Into<String>) -> Self {
            self.initiator_id = Some(Masked::new(id));
            self
        }
    };
    (user_code) => {
        /// Override the client's `user_code` for this call.
        pub fn user_code(mut self, code: impl Into<String>) -> Self {
            self.user_code = Some(code.into());
            self
        }
    };
    ($($setter:ident),+) => {
        $(override_setters!($setter);)+
    };
}

pub(crate) fn validate_redirect_url(raw: &str) -> Result<url::Url> {
    // The URL is sent as written, so it must be absolute as written: the
    // URL parser alone would also take `https:/host` or `https:host` (and
    // normalise them), which Eko receives unchanged.
    crate::vocab::url_as_written("redirect_url", raw.trim())?;
    let written = raw.trim().as_bytes();
    let has_authority = |scheme: &[u8]| {
        written.len() > scheme.len()
            && written[..scheme.len()].eq_ignore_ascii_case(scheme)
            && !matches!(
                written[scheme.len()],
                b'/' | b'\\' | b'?' | b'#' | b'@' | b':'
            )
            && !written[scheme.len()].is_ascii_whitespace()
    };
    if !has_authority(b"http://") && !has_authority(b"https://") {
        return Err(Error::invalid(
            "redirect_url",
            "must be an absolute http(s) URL (http:// or https:// followed by a host)",
        ));
    }
    let url = url::Url::parse(raw.trim()).map_err(|e| {
        Error::invalid(
            "redirect_url",
            format!("must be an absolute http(s) URL ({e})"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::invalid(
            "redirect_url",
            "must be an absolute http(s) URL with a host",
        ));
    }
    Ok(url)
}

fn validate_docs(field: &'static str, docs: &[EkoDocType]) -> Result<()> {
    if docs.is_empty() {
        return Err(Error::invalid(
            field,
            "at least one document type is required",
        ));
    }
    if docs.iter().any(|d| d.as_str().trim().is_empty()) {
        return Err(Error::invalid(field, "document types must not be empty"));
    }
    Ok(())
}

/// Input of Create DigiLocker URL.
///
/// `initiator_id` and `user_code` default to the client's; `client_ref_id`
/// is generated when not given.
///
/// `Debug` shows only the scheme, host and path of the redirect URL and the
/// `initiator_id` masked.
#[derive(Clone, PartialEq)]
pub struct CreateUrl {
    pub(crate) redirect_url: String,
    pub(crate) documents: Vec<EkoDocType>,
    pub(crate) client_ref_id: Option<String>,
    pub(crate) initiator_id: Option<Masked>,
    pub(crate) user_code: Option<String>,
}

impl std::fmt::Debug for CreateUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUrl")
            .field(
                "redirect_url",
                &crate::redact::url_for_display(&self.redirect_url),
            )
            .field("documents", &self.documents)
            .field("client_ref_id", &self.client_ref_id)
            .field("initiator_id", &self.initiator_id)
            .field("user_code", &self.user_code)
            .finish()
    }
}

impl CreateUrl {
    /// Request Aadhaar (`["AADHAAR"]`, Eko's default) and send the user back
    /// to `redirect_url`, which must be an absolute http(s) URL.
    pub fn aadhaar(redirect_url: impl Into<String>) -> Result<Self> {
        Self::new(redirect_url, [EkoDocType::Aadhaar])
    }

    /// Request the given documents (at least one).
    pub fn new(
        redirect_url: impl Into<String>,
        documents: impl IntoIterator<Item = EkoDocType>,
    ) -> Result<Self> {
        let c = CreateUrl {
            redirect_url: redirect_url.into(),
            documents: documents.into_iter().collect(),
            client_ref_id: None,
            initiator_id: None,
            user_code: None,
        };
        c.validate()?;
        Ok(c)
    }

    /// Use this `client_ref_id` (at most 20 characters) instead of a
    /// generated one. Checked when the request is sent.
    pub fn client_ref_id(mut self, id: impl Into<String>) -> Self {
        self.client_ref_id = Some(id.into());
        self
    }

    override_setters!(initiator_id, user_code);

    /// The redirect URL.
    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    /// The documents requested.
    pub fn documents(&self) -> &[EkoDocType] {
        &self.documents
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate_redirect_url(&self.redirect_url)?;
        validate_docs("document_requested", &self.documents)?;
        validate_overrides(self.client_ref_id.as_deref(), self.initiator_id.as_ref())
    }
}

/// Input of DigiLocker Verification Status. Built from a [`ReferenceId`]
/// (`eko.status(&link.reference_id)`), with optional overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRequest {
    pub(crate) reference_id: ReferenceId,
    pub(crate) initiator_id: Option<Masked>,
    pub(crate) client_ref_id: Option<String>,
}

impl StatusRequest {
    /// Status of `reference_id`.
    pub fn new(reference_id: impl Into<ReferenceId>) -> Self {
        StatusRequest {
            reference_id: reference_id.into(),
            initiator_id: None,
            client_ref_id: None,
        }
    }

    override_setters!(initiator_id);

    /// Send this (optional) `client_ref_id`; none is sent by default.
    pub fn client_ref_id(mut self, id: impl Into<String>) -> Self {
        self.client_ref_id = Some(id.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.reference_id.validate()?;
        validate_overrides(self.client_ref_id.as_deref(), self.initiator_id.as_ref())
    }
}

impl From<ReferenceId> for StatusRequest {
    fn from(r: ReferenceId) -> Self {
        StatusRequest::new(r)
    }
}

impl From<&ReferenceId> for StatusRequest {
    fn from(r: &ReferenceId) -> Self {
        StatusRequest::new(r.clone())
    }
}

impl From<i64> for StatusRequest {
    fn from(r: i64) -> Self {
        StatusRequest::new(r)
    }
}

impl From<&str> for StatusRequest {
    fn from(r: &str) -> Self {
        StatusRequest::new(r)
    }
}

/// Input of Get DigiLocker Document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRequest {
    pub(crate) reference_id: ReferenceId,
    pub(crate) verification_id: String,
    pub(crate) documents: Vec<EkoDocType>,
    pub(crate) initiator_id: Option<Masked>,
    pub(crate) user_code: Option<String>,
    pub(crate) client_ref_id: Option<String>,
}

impl DocumentRequest {
    /// Fetch `documents` for the reference from Create URL and the
    /// `verification_id` from the redirect. Checked when sent.
    pub fn new(
        reference_id: impl Into<ReferenceId>,
        verification_id: impl Into<String>,
        documents: impl IntoIterator<Item = EkoDocType>,
    ) -> Self {
        DocumentRequest {
            reference_id: reference_id.into(),
            verification_id: verification_id.into(),
            documents: documents.into_iter().collect(),
            initiator_id: None,
            user_code: None,
            client_ref_id: None,
        }
    }

    override_setters!(initiator_id, user_code);

    /// Use this `client_ref_id` instead of a generated one.
    pub fn client_ref_id(mut self, id: impl Into<String>) -> Self {
        self.client_ref_id = Some(id.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.reference_id.validate()?;
        if self.verification_id.trim().is_empty() {
            return Err(Error::invalid("verification_id", "must not be empty"));
        }
        if self.verification_id.chars().any(char::is_control) {
            return Err(Error::invalid(
                "verification_id",
                "must not contain control characters",
            ));
        }
        validate_docs("document_type", &self.documents)?;
        validate_overrides(self.client_ref_id.as_deref(), self.initiator_id.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_is_fixed_width() {
        let mut s = String::new();
        base36_fixed(35, 3, &mut s);
        assert_eq!(s, "00Z");
        let id = client_ref_id_at(u64::MAX / 1000);
        assert!(id.len() <= CLIENT_REF_ID_MAX, "{id}");
        assert_eq!(client_ref_id_at(1_700_000_000_000).len(), 18);
    }
}
