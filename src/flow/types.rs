//! The provider-neutral vocabulary of a DigiLocker journey.

use crate::error::Provider;
use crate::flow::poll::Settled;
use crate::redact::{Masked, Secret};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt;

pub use crate::sandbox::DocType;

/// A DigiLocker consent session at either provider.
///
/// `id` is Sandbox's session id or Eko's `reference_id` (as text).
/// `Debug` hides the authorisation URL's query (it carries PKCE and state).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Session {
    /// Which aggregator holds the session.
    pub provider: Provider,
    /// The provider's id for the session.
    pub id: String,
    /// Where to send the user to give consent.
    pub authorization_url: String,
    /// The documents asked for.
    pub requested: Vec<DocType>,
    /// Eko's `verification_id`, once known (from the create response, a
    /// status response, or the redirect back: see
    /// [`Session::record_callback`]). Always `None` for Sandbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_id: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = crate::redact::url_for_display(&self.authorization_url);
        f.debug_struct("Session")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("authorization_url", &format_args!("{url}?…"))
            .field("requested", &self.requested)
            .field("verification_id", &self.verification_id.is_some())
            .finish()
    }
}

impl Session {
    /// Take what the provider appended to the caller's `redirect_url` when
    /// the user came back. For Eko this records the `verification_id`
    /// needed to fetch documents (and checks the `reference_id` matches);
    /// Sandbox appends nothing the flow needs, so it only checks the URL
    /// parses.
    pub fn record_callback(&mut self, redirect: &str) -> crate::Result<()> {
        match self.provider {
            Provider::Eko => {
                let cb = crate::eko::EkoCallback::from_url(redirect)?;
                if let Some(r) = &cb.reference_id
                    && r.as_str() != self.id
                {
                    return Err(crate::Error::InvalidInput {
                        field: "reference_id",
                        reason: format!(
                            "the redirect is for reference {r}, not this session ({})",
                            self.id
                        ),
                    });
                }
                self.verification_id = Some(cb.verification_id);
                Ok(())
            }
            Provider::Sandbox => {
                url::Url::parse(redirect)
                    .map(|_| ())
                    .map_err(|e| crate::Error::InvalidInput {
                        field: "redirect_url",
                        reason: e.to_string(),
                    })
            }
        }
    }
}

/// Where a session stands, in one vocabulary for both providers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The user has not finished the DigiLocker journey.
    Pending,
    /// The user consented; `consented` lists the documents shared.
    Succeeded {
        /// The documents the user agreed to share.
        consented: Vec<DocType>,
    },
    /// The journey failed (Sandbox `failed`; Sandbox does not tell a denial
    /// apart from other failures).
    Failed,
    /// The session or the link expired before the user finished.
    Expired,
    /// The user refused consent (Eko `CONSENT_DENIED`).
    Denied,
}

impl Outcome {
    /// Whether the user consented.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Succeeded { .. })
    }

    /// A short lower-case name (`pending`, `succeeded`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Succeeded { .. } => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Expired => "expired",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Succeeded { consented } => {
                let docs: Vec<&str> = consented.iter().map(DocType::as_str).collect();
                write!(f, "succeeded ({})", docs.join(", "))
            }
            other => f.write_str(other.name()),
        }
    }
}

impl Settled for Outcome {
    fn is_settled(&self) -> bool {
        !matches!(self, Outcome::Pending)
    }
}

/// A photograph from a document. `Debug` and serialisation show its size
/// only.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo(pub Vec<u8>);

impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Photo({} bytes)", self.0.len())
    }
}

impl serde::Serialize for Photo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{} bytes", self.0.len()))
    }
}

/// A verified document, with the fields both providers can give.
///
/// Personal data is masked in `Debug` (identifier, date of birth, address,
/// photo, file link); the full values are in the fields.
#[derive(Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Document {
    /// Which aggregator supplied it.
    pub provider: Provider,
    /// The document type.
    pub kind: DocType,
    /// Holder's name.
    pub name: Option<String>,
    /// Date of birth, when it could be read.
    pub dob: Option<NaiveDate>,
    /// Date of birth as the provider wrote it.
    pub dob_text: Option<String>,
    /// Gender as written (`M`, `F`, `T`, or a word).
    pub gender: Option<String>,
    /// The document number, masked by the issuer or by this crate (for
    /// Aadhaar only the last four digits are ever shown in `Display`).
    pub masked_id: Option<Masked>,
    /// Address on one line.
    pub address: Option<String>,
    /// Address parts by the provider's names (`house`, `street`, `pincode`...).
    pub address_parts: BTreeMap<String, String>,
    /// The photograph, decoded.
    pub photo: Option<Photo>,
    /// Link to the original file (Sandbox pre-signed URL, or Eko `xml_file`),
    /// valid for a short time. Redacted in `Debug` and when serialised.
    #[serde(skip)]
    pub file_url: Option<Secret>,
    /// The provider's own value, for fields the neutral view does not carry.
    #[serde(skip)]
    pub raw: RawDocument,
    /// The signature check of the downloaded file, when the client has
    /// trust anchors (`DigiLocker::with_verification`).
    #[serde(skip)]
    pub verification: Verification,
}

/// The outcome of checking a document's signature in the flow.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Verification {
    /// No trust anchors configured, or no signed file to check (Eko gives
    /// JSON, not the signed XML).
    #[default]
    NotChecked,
    /// Verified: the evidence to store.
    Verified(Box<crate::verify::Evidence>),
    /// Checked and not verified (only when the policy does not require it;
    /// otherwise the flow returns `Error::NotVerified`).
    Failed(crate::verify::VerifyError),
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("name", &self.name.as_ref().map(|_| "[set]"))
            .field("dob", &self.dob.map(|_| "[set]"))
            .field("gender", &self.gender)
            .field("masked_id", &self.masked_id)
            .field("address", &self.address.as_ref().map(|_| "[set]"))
            .field("photo", &self.photo)
            .field("file_url", &self.file_url)
            .finish_non_exhaustive()
    }
}

/// The provider-specific form of a [`Document`].
///
/// `Debug` shows the downloaded file's size only (it is the signed XML with
/// every personal detail) and the provider's document as its own `Debug`
/// does (personal data masked).
#[derive(Clone)]
#[non_exhaustive]
pub enum RawDocument {
    /// Sandbox: the document with its files, and the downloaded file the
    /// fields were read from (when it was XML).
    Sandbox {
        /// The document as the facade returned it.
        document: crate::sandbox::Document,
        /// The downloaded file.
        file: Option<bytes::Bytes>,
    },
    /// Eko: the normalised Eko document.
    Eko(Box<crate::eko::EkoDocument>),
}

impl fmt::Debug for RawDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawDocument::Sandbox { document, file } => f
                .debug_struct("Sandbox")
                .field("document", document)
                .field(
                    "file",
                    &file.as_ref().map(|b| format!("<{} bytes>", b.len())),
                )
                .finish(),
            RawDocument::Eko(d) => f.debug_tuple("Eko").field(d).finish(),
        }
    }
}

/// The DigiLocker account holder.
#[derive(Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Profile {
    /// Which aggregator supplied it.
    pub provider: Provider,
    /// Full name.
    pub name: Option<String>,
    /// Date of birth, when it could be read.
    pub dob: Option<NaiveDate>,
    /// Date of birth as the provider wrote it.
    pub dob_text: Option<String>,
    /// Gender as written.
    pub gender: Option<String>,
    /// Mobile number (masked in `Debug`, `Display` and JSON).
    pub mobile: Option<Masked>,
    /// E-mail, when given.
    pub email: Option<String>,
    /// The provider's own value.
    #[serde(skip)]
    pub raw: RawProfile,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("provider", &self.provider)
            .field("name", &self.name.as_ref().map(|_| "[set]"))
            .field("dob", &self.dob.map(|_| "[set]"))
            .field("gender", &self.gender)
            .field("mobile", &self.mobile)
            .field("email", &self.email.as_ref().map(|_| "[set]"))
            .finish_non_exhaustive()
    }
}

/// The provider-specific form of a [`Profile`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RawProfile {
    /// Sandbox's user profile.
    Sandbox(crate::sandbox::UserProfile),
    /// Eko's `user_details` from the status call.
    Eko(crate::eko::UserDetails),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pending_is_unsettled() {
        assert!(!Outcome::Pending.is_settled());
        for o in [
            Outcome::Succeeded { consented: vec![] },
            Outcome::Failed,
            Outcome::Expired,
            Outcome::Denied,
        ] {
            assert!(o.is_settled(), "{o}");
        }
    }

    #[test]
    fn outcome_serialises_with_a_state_tag() {
        let v = serde_json::to_value(Outcome::Succeeded {
            consented: vec![DocType::Aadhaar],
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state": "succeeded", "consented": ["aadhaar"]})
        );
    }
}
