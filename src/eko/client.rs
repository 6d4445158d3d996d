//! The Eko client: signing, retries, envelope handling and the three
//! operations.

use super::config::EkoClientBuilder;
use super::envelope::{Envelope, status_error};
use super::requests::{
    CreateUrl, DocumentRequest, StatusRequest, client_ref_id_at, validate_client_ref_id,
};
use super::sign::Signature;
use super::types::{
    ConsentEntry, EkoDocType, EkoDocument, EkoDocuments, EkoLink, EkoStatus, ReferenceId,
    UserDetails, VerificationState,
};
use crate::error::{Error, NotReadyReason, Provider, Result};
use crate::generated::eko::{self as api, types as wire};
use crate::http::{self, Failure};
use crate::redact::{Masked, Secret};
use crate::runtime;
use std::fmt;
use std::sync::Arc;

/// A signed, retrying client for Eko's DigiLocker API.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. Every request, and every retry
/// of it, carries a fresh `secret-key-timestamp` and `secret-key`.
#[derive(Clone)]
pub struct EkoClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The generated client, carrying the [`Runtime`](super::Runtime) (keys,
    /// signer, retry policy, clock) its hooks use.
    pub(crate) api: api::Client,
    pub(crate) base_url: String,
    pub(crate) initiator_id: String,
    pub(crate) user_code: Option<String>,
}

impl fmt::Debug for EkoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let rt = self.runtime();
        f.debug_struct("EkoClient")
            .field("base_url", &i.base_url)
            .field("developer_key", &rt.developer_key)
            .field("access_key", &rt.signer)
            .field("initiator_id", &Masked::new(i.initiator_id.as_str()))
            .field("user_code", &i.user_code)
            .field("retry", &rt.retry)
            .finish_non_exhaustive()
    }
}

impl EkoClient {
    /// A builder (UAT, default timeouts and retries, system clock).
    pub fn builder() -> EkoClientBuilder {
        EkoClientBuilder::new()
    }

    /// A client configured from `EKO_DEVELOPER_KEY`, `EKO_ACCESS_KEY`,
    /// `EKO_INITIATOR_ID` (required), `EKO_USER_CODE` and `EKO_BASE_URL`
    /// (optional: a URL, or `uat` / `production`; UAT by default).
    pub fn from_env() -> Result<Self> {
        EkoClientBuilder::from_env()?.build()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        EkoClient {
            inner: Arc::new(inner),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The low-level generated client (no signing, no envelope handling).
    pub fn generated(&self) -> &api::Client {
        &self.inner.api
    }

    /// Signature headers for a request made now (by the configured clock).
    pub fn sign_now(&self) -> Signature {
        let rt = self.runtime();
        rt.signer.sign(rt.clock.now_ms())
    }

    fn runtime(&self) -> &super::runtime::Shared {
        use progenitor_client::ClientInfo as _;
        &self.inner.api.inner().0
    }

    /// Create a DigiLocker consent URL (`POST /tools/kyc/digilocker`).
    ///
    /// Never retried once it may have reached Eko (only when the connection
    /// could not be made), so a link is never created twice.
    pub async fn create_url(&self, req: CreateUrl) -> Result<EkoLink> {
        req.validate()?;
        let client_ref_id = self.client_ref_id(req.client_ref_id.clone())?;
        runtime::traced(Provider::Eko, "create_digilocker_url", async {
            record("client_ref_id", &client_ref_id);
            let body = wire::CreateUrlRequest {
                client_ref_id: wire::CreateUrlRequestClientRefId::try_from(client_ref_id.as_str())
                    .map_err(|e| Error::invalid("client_ref_id", e.to_string()))?,
                document_requested: req.documents.iter().map(|d| d.to_string()).collect(),
                initiator_id: self.initiator(req.initiator_id.as_ref()),
                redirect_url: req.redirect_url.trim().to_string(),
                user_code: self.user_code(req.user_code.as_deref()),
            };
            let resp = call(
                self.inner
                    .api
                    .create_digilocker_url()
                    .body(body)
                    .send()
                    .await,
            )
            .await?;
            link_outcome(resp, client_ref_id.clone(), &req.documents)
        })
        .await
    }

    /// Poll the verification status
    /// (`GET /tools/kyc/digilocker/status`). Retried on 429, 5xx and
    /// transport errors per the retry policy.
    ///
    /// Pending is not an error here: it is [`VerificationState::Pending`].
    pub async fn status(&self, req: impl Into<StatusRequest>) -> Result<EkoStatus> {
        let req: StatusRequest = req.into();
        req.validate()?;
        runtime::traced(Provider::Eko, "get_verification_status", async {
            if let Some(c) = &req.client_ref_id {
                record("client_ref_id", c);
            }
            record("reference_id", &req.reference_id);
            let initiator = self.initiator(req.initiator_id.as_ref());
            let mut b = self
                .inner
                .api
                .get_verification_status()
                .initiator_id(initiator.as_str())
                .reference_id(req.reference_id.as_str());
            if let Some(c) = &req.client_ref_id {
                b = b.client_ref_id(c.as_str());
            }
            let resp = call(b.send().await).await?;
            let result = status_outcome(req.reference_id.clone(), resp);
            if let Ok(s) = &result {
                record("state", &s.state);
            }
            result
        })
        .await
    }

    /// Fetch verified documents (`POST /tools/kyc/digilocker/document`) for
    /// the reference from [`create_url`](Self::create_url) and the
    /// `verification_id` from the redirect ([`EkoCallback`](super::EkoCallback)).
    ///
    /// While the user has not finished this fails with
    /// [`Error::NotReady`] and [`NotReadyReason::Pending`].
    pub async fn document(
        &self,
        reference_id: impl Into<ReferenceId>,
        verification_id: impl Into<String>,
        documents: impl IntoIterator<Item = EkoDocType>,
    ) -> Result<EkoDocuments> {
        self.document_with(DocumentRequest::new(
            reference_id,
            verification_id,
            documents,
        ))
        .await
    }

    /// [`document`](Self::document) with per-call overrides.
    pub async fn document_with(&self, req: DocumentRequest) -> Result<EkoDocuments> {
        req.validate()?;
        let client_ref_id = self.client_ref_id(req.client_ref_id.clone())?;
        runtime::traced(Provider::Eko, "get_document", async {
            record("client_ref_id", &client_ref_id);
            record("reference_id", &req.reference_id);
            let body = wire::GetDocumentRequest {
                client_ref_id: Some(
                    wire::GetDocumentRequestClientRefId::try_from(client_ref_id.as_str())
                        .map_err(|e| Error::invalid("client_ref_id", e.to_string()))?,
                ),
                document_type: req.documents.iter().map(|d| d.to_string()).collect(),
                initiator_id: self.initiator(req.initiator_id.as_ref()),
                reference_id: req.reference_id.to_string(),
                user_code: self.user_code(req.user_code.as_deref()),
                verification_id: req.verification_id.trim().to_string(),
            };
            let resp = call(self.inner.api.get_document().body(body).send().await).await?;
            documents_outcome(&req, resp)
        })
        .await
    }

    /// The caller's `client_ref_id`, or a fresh one from the clock; checked
    /// before anything is sent.
    fn client_ref_id(&self, given: Option<String>) -> Result<String> {
        let id = given.unwrap_or_else(|| client_ref_id_at(self.runtime().clock.now_ms()));
        validate_client_ref_id(&id)?;
        Ok(id)
    }

    fn initiator(&self, over: Option<&Masked>) -> String {
        over.map(|m| m.expose().trim().to_string())
            .unwrap_or_else(|| self.inner.initiator_id.clone())
    }

    fn user_code(&self, over: Option<&str>) -> Option<String> {
        over.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| self.inner.user_code.clone())
    }
}

/// What a generated call returned: the value or the typed error (the
/// signature and retries happened in the generated client's hooks,
/// [`super::runtime`]).
async fn call<T: serde::de::DeserializeOwned>(result: crate::http::Sent<T>) -> Result<T> {
    runtime::settle(result, map_failure).await.map(|(v, _)| v)
}

/// Record a field of the operation's span.
fn record(field: &'static str, value: &dyn fmt::Display) {
    runtime::span().record(field, tracing::field::display(value));
}

/// Map a failed Eko request to the crate's error.
pub(crate) fn map_failure(failure: Failure) -> Error {
    match failure.into_error(Provider::Eko) {
        Ok(e) => e,
        Err(Failure::Status {
            status,
            headers,
            body,
        }) => status_error(status, &headers, &body),
        // into_error hands back only Status; never format a Failure, whose
        // body may hold personal data.
        Err(_) => Error::InvalidInput {
            field: "request",
            reason: "unclassified failure".into(),
        },
    }
}

/// Decode a whole Eko response (status, headers, body) the way an
/// operation does: the generated envelope on 200 then `outcome` (the
/// operation's own mapping), anything else through [`map_failure`]. Pure;
/// the entry point of the fuzz targets.
pub(crate) fn decode<W, T>(
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
    outcome: impl FnOnce(W) -> Result<T>,
) -> Result<T>
where
    W: serde::de::DeserializeOwned,
{
    match http::decode_wire::<W>(status, headers, body) {
        Ok((value, _)) => outcome(value),
        Err(f) => Err(map_failure(f)),
    }
}

/// One span per operation: identifiers, status and timing only; never a
/// body, a key or a personal identifier.
/// The envelope fields every Eko response carries (the generated types
/// differ only in their `data`).
trait HasEnvelope {
    fn envelope(&self) -> Envelope<'_>;
}

macro_rules! has_envelope {
    ($($t:ident),+) => {$(
        impl HasEnvelope for wire::$t {
            fn envelope(&self) -> Envelope<'_> {
                Envelope {
                    status: self.status,
                    message: self.message.as_deref(),
                    response_status_id: self.response_status_id,
                    response_type_id: self.response_type_id,
                    invalid_params: self.invalid_params.as_ref(),
                }
            }
        }
    )+};
}

has_envelope!(
    CreateUrlResponse,
    VerificationStatusResponse,
    GetDocumentResponse
);

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn missing_field(what: &str, resp: &impl serde::Serialize) -> Error {
    let body = serde_json::to_vec(resp).unwrap_or_default();
    http::decode_error(Provider::Eko, 200, &body, format!("missing {what}"))
}

/// Create URL: `status` 0 with `reference_id` and `url`, or a provider error.
pub(crate) fn link_outcome(
    resp: wire::CreateUrlResponse,
    client_ref_id: String,
    requested: &[EkoDocType],
) -> Result<EkoLink> {
    let env = resp.envelope();
    if resp.status != 0 {
        return Err(Error::Provider(env.to_error().into()));
    }
    let data = resp.data.clone().unwrap_or_default();
    let reference_id = data
        .reference_id
        .map(ReferenceId::from)
        .filter(|r| !r.as_str().is_empty())
        .ok_or_else(|| missing_field("data.reference_id", &resp))?;
    let url = trimmed(data.url).ok_or_else(|| missing_field("data.url", &resp))?;
    Ok(EkoLink {
        reference_id,
        url,
        client_ref_id,
        document_requested: if data.document_requested.is_empty() {
            requested.iter().map(|d| d.to_string()).collect()
        } else {
            data.document_requested
        },
        redirect_url: trimmed(data.redirect_url),
        verification_id: trimmed(data.verification_id),
        upstream_status: trimmed(data.status),
        message: resp.message,
    })
}

/// Verification status. See the module docs for the heuristic.
pub(crate) fn status_outcome(
    reference_id: ReferenceId,
    resp: wire::VerificationStatusResponse,
) -> Result<EkoStatus> {
    let env = resp.envelope();
    let data = resp.data.clone().unwrap_or_default();
    let upstream_status = trimmed(data.status.clone());
    let user_details = data
        .user_details
        .map(UserDetails::from)
        .filter(|u| !u.is_empty());
    let document_consent: Vec<ConsentEntry> =
        data.document_consent.into_iter().map(Into::into).collect();

    let state = if resp.status != 0 {
        if env.says_pending() {
            VerificationState::Pending
        } else if env.message_has("expired") {
            VerificationState::Expired
        } else if env.message_has("denied") {
            VerificationState::Denied
        } else {
            return Err(Error::Provider(env.to_error().into()));
        }
    } else if let Some(s) = &upstream_status {
        VerificationState::from_upstream(s)
    } else if env.says_pending() || user_details.is_none() {
        VerificationState::Pending
    } else if !document_consent.is_empty()
        && document_consent.iter().all(|c| c.granted() == Some(false))
    {
        VerificationState::Denied
    } else {
        VerificationState::Consented
    };

    Ok(EkoStatus {
        reference_id,
        state,
        user_details,
        document_requested: data.document_requested,
        document_consent,
        verification_id: trimmed(data.verification_id),
        upstream_status,
        message: resp.message,
        code: resp.status,
        response_status_id: resp.response_status_id,
        response_type_id: resp.response_type_id,
    })
}

/// Get Document: documents in either shape, pending as
/// [`Error::NotReady`], anything else non-zero as [`Error::Provider`].
pub(crate) fn documents_outcome(
    req: &DocumentRequest,
    resp: wire::GetDocumentResponse,
) -> Result<EkoDocuments> {
    let env = resp.envelope();
    let not_ready = |reason: NotReadyReason, default_message: &str| {
        let mut e = env.to_error();
        if env.message.is_none_or(|m| m.trim().is_empty()) {
            e.message = default_message.to_string();
        }
        Error::NotReady {
            reason,
            error: e.into(),
        }
    };
    if resp.status != 0 {
        if env.says_pending() {
            return Err(not_ready(NotReadyReason::Pending, "verification pending"));
        }
        if env.message_has("denied") {
            return Err(not_ready(NotReadyReason::ConsentMissing, "consent denied"));
        }
        return Err(Error::Provider(env.to_error().into()));
    }
    let data = resp.data.clone().unwrap_or_default();
    let verification_status = trimmed(data.verification_status.clone());
    let upstream_status = trimmed(data.status.clone());
    let pending_word = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| VerificationState::from_upstream(s) == VerificationState::Pending)
    };
    if env.says_pending() || pending_word(&verification_status) || pending_word(&upstream_status) {
        return Err(not_ready(NotReadyReason::Pending, "verification pending"));
    }

    let fallback = req
        .documents
        .first()
        .cloned()
        .unwrap_or(EkoDocType::Aadhaar);
    let mut documents: Vec<EkoDocument> = data
        .documents
        .iter()
        .cloned()
        .map(|d| EkoDocument::from_list(d, &fallback))
        .collect();
    if let Some(flat) = EkoDocument::from_flat(&data, &fallback) {
        documents.push(flat);
    }
    if documents.is_empty() {
        // A success envelope without any document: an upstream status other
        // than SUCCESS (e.g. AADHAAR_NOT_LINKED) is a refusal; otherwise the
        // documents are not there yet.
        if let Some(s) = upstream_status.as_deref().filter(|s| {
            !matches!(
                VerificationState::from_upstream(s),
                VerificationState::Consented
            )
        }) {
            let mut e = env.to_error();
            e.message = format!("{} ({s})", e.message);
            return Err(Error::Provider(e.into()));
        }
        return Err(not_ready(
            NotReadyReason::Pending,
            "no document in the response yet",
        ));
    }
    Ok(EkoDocuments {
        reference_id: req.reference_id.clone(),
        verification_id: req.verification_id.trim().to_string(),
        verification_status,
        documents,
        xml_file: trimmed(data.xml_file).map(Secret::new),
        message: resp.message,
    })
}
