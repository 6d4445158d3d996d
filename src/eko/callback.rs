//! The redirect back from DigiLocker.
//!
//! When the user finishes (or abandons) the journey, the browser is sent to
//! the `redirect_url` given to Create URL with `verification_id` (and, per
//! Eko's samples, `reference_id`) in the query.

use super::types::{ReferenceId, VerificationState};
use crate::error::{Error, Result};

/// What the redirect to `redirect_url` carried.
///
/// `Debug` names the `extra` parameters without their values (a redirect
/// can carry the caller's own identifiers or tokens).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EkoCallback {
    /// `verification_id` (required): pass it to Get Document.
    pub verification_id: String,
    /// `reference_id`, when present.
    pub reference_id: Option<ReferenceId>,
    /// A `status` parameter, when present (e.g. `SUCCESS`, `PENDING`).
    pub status: Option<String>,
    /// Every other query parameter, in order.
    pub extra: Vec<(String, String)>,
}

impl std::fmt::Debug for EkoCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let extra: Vec<&str> = self.extra.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("EkoCallback")
            .field(
                "verification_id",
                &crate::redact::MaskedDebug(&self.verification_id),
            )
            .field("reference_id", &self.reference_id)
            .field("status", &self.status)
            .field("extra", &extra)
            .finish()
    }
}

impl EkoCallback {
    /// Parse the URL the user arrived at: absolute (`https://app/kyc?...`)
    /// or as a server sees it (`/kyc/done?verification_id=...`).
    pub fn from_url(url: &str) -> Result<Self> {
        let url = url.trim();
        let parsed = match url::Url::parse(url) {
            Ok(u) => u,
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                let base = url::Url::parse("http://callback.invalid/").expect("static URL");
                base.join(url)
                    .map_err(|e| Error::invalid("redirect_url", format!("cannot parse: {e}")))?
            }
            Err(e) => return Err(Error::invalid("redirect_url", format!("cannot parse: {e}"))),
        };
        Self::from_pairs(parsed.query_pairs().into_owned())
    }

    /// Parse only a query string (`verification_id=...&reference_id=...`,
    /// with or without the leading `?`).
    pub fn from_query(query: &str) -> Result<Self> {
        let q = query.trim().trim_start_matches('?');
        Self::from_pairs(url::form_urlencoded::parse(q.as_bytes()).into_owned())
    }

    fn from_pairs(pairs: impl Iterator<Item = (String, String)>) -> Result<Self> {
        let mut verification_id = None;
        let mut reference_id = None;
        let mut status = None;
        let mut extra = Vec::new();
        for (k, v) in pairs {
            let v = v.trim().to_string();
            match k.as_str() {
                "verification_id" if verification_id.is_none() && !v.is_empty() => {
                    verification_id = Some(v)
                }
                "reference_id" if reference_id.is_none() && !v.is_empty() => {
                    reference_id = Some(ReferenceId::from(v))
                }
                "status" if status.is_none() && !v.is_empty() => status = Some(v),
                _ => extra.push((k, v)),
            }
        }
        let verification_id = verification_id.ok_or_else(|| {
            Error::invalid(
                "verification_id",
                "the redirect URL has no verification_id query parameter",
            )
        })?;
        Ok(EkoCallback {
            verification_id,
            reference_id,
            status,
            extra,
        })
    }

    /// The state the `status` parameter names, when there is one.
    pub fn state(&self) -> Option<VerificationState> {
        self.status.as_deref().map(VerificationState::from_upstream)
    }
}
