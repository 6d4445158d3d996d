//! The Eko client: signing, retries, envelope handling and the three
//! operations.

use super::config::{Clock, EkoClientBuilder};
use super::envelope::{Envelope, status_error};
use super::requests::{
    CreateUrl, DocumentRequest, StatusRequest, client_ref_id_at, validate_client_ref_id,
};
use super::sign::{Signature, Signer};
use super::types::{
    ConsentEntry, EkoDocType, EkoDocument, EkoDocuments, EkoLink, EkoStatus, ReferenceId,
    UserDetails, VerificationState,
};
use crate::error::{Error, NotReadyReason, Provider, Result, TransportKind};
use crate::generated::eko::{self as api, types as wire};
use crate::http::{self, Failure};
use crate::redact::{Masked, Secret};
use crate::retry::{RetryPolicy, parse_retry_after, retryable_status};
use progenitor_client::ResponseValue;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

/// A signed, retrying client for Eko's DigiLocker API.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. Every request, and every retry
/// of it, carries a fresh `secret-key-timestamp` and `secret-key`.
#[derive(Clone)]
pub struct EkoClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: api::Client,
    pub(crate) base_url: String,
    pub(crate) developer_key: Secret,
    pub(crate) signer: Signer,
    pub(crate) initiator_id: String,
    pub(crate) user_code: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Clock,
}

impl fmt::Debug for EkoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("EkoClient")
            .field("base_url", &i.base_url)
            .field("developer_key", &i.developer_key)
            .field("access_key", &i.signer)
            .field("initiator_id", &Masked::new(i.initiator_id.as_str()))
            .field("user_code", &i.user_code)
            .field("retry", &i.retry)
            .finish_non_exhaustive()
    }
}

const JSON: &str = "application/json";

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
        self.inner.signer.sign((self.inner.clock)())
    }

    /// Create a DigiLocker consent URL (`POST /tools/kyc/digilocker`).
    ///
    /// Never retried once it may have reached Eko (only when the connection
    /// could not be made), so a link is never created twice.
    pub async fn create_url(&self, req: CreateUrl) -> Result<EkoLink> {
        req.validate()?;
        let client_ref_id = match req.client_ref_id.clone() {
            Some(id) => id,
            None => client_ref_id_at((self.inner.clock)()),
        };
        validate_client_ref_id(&client_ref_id)?;
        let span = op_span("create_digilocker_url", Some(&client_ref_id));
        let result = async {
            let body = wire::CreateUrlRequest {
                client_ref_id: wire::CreateUrlRequestClientRefId::try_from(client_ref_id.as_str())
                    .map_err(|e| Error::invalid("client_ref_id", e.to_string()))?,
                document_requested: req.documents.iter().map(|d| d.to_string()).collect(),
                initiator_id: self.initiator(req.initiator_id.as_ref()),
                redirect_url: req.redirect_url.trim().to_string(),
                user_code: self.user_code(req.user_code.as_deref()),
            };
            let dev = self.inner.developer_key.expose();
            let api = &self.inner.api;
            let resp = self
                .run(&span, false, |sig| {
                    api.create_digilocker_url()
                        .content_type(JSON)
                        .developer_key(dev)
                        .secret_key(sig.secret_key.expose())
                        .secret_key_timestamp(sig.timestamp.as_str())
                        .body(body.clone())
                        .send()
                })
                .await?;
            link_outcome(resp, client_ref_id.clone(), &req.documents)
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
    }

    /// Poll the verification status
    /// (`GET /tools/kyc/digilocker/status`). Retried on 429, 5xx and
    /// transport errors per the retry policy.
    ///
    /// Pending is not an error here: it is [`VerificationState::Pending`].
    pub async fn status(&self, req: impl Into<StatusRequest>) -> Result<EkoStatus> {
        let req: StatusRequest = req.into();
        req.validate()?;
        let span = op_span("get_verification_status", req.client_ref_id.as_deref());
        span.record("reference_id", tracing::field::display(&req.reference_id));
        let result = async {
            let initiator = self.initiator(req.initiator_id.as_ref());
            let dev = self.inner.developer_key.expose();
            let api = &self.inner.api;
            let reference = req.reference_id.as_str();
            let client_ref = req.client_ref_id.as_deref();
            let resp = self
                .run(&span, true, |sig| {
                    let mut b = api
                        .get_verification_status()
                        .initiator_id(initiator.as_str())
                        .reference_id(reference)
                        .content_type(JSON)
                        .developer_key(dev)
                        .secret_key(sig.secret_key.expose())
                        .secret_key_timestamp(sig.timestamp.as_str());
                    if let Some(c) = client_ref {
                        b = b.client_ref_id(c);
                    }
                    b.send()
                })
                .await?;
            let result = status_outcome(req.reference_id.clone(), resp);
            if let Ok(s) = &result {
                span.record("state", tracing::field::display(&s.state));
            }
            result
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
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
        let client_ref_id = match req.client_ref_id.clone() {
            Some(id) => id,
            None => client_ref_id_at((self.inner.clock)()),
        };
        validate_client_ref_id(&client_ref_id)?;
        let span = op_span("get_document", Some(&client_ref_id));
        span.record("reference_id", tracing::field::display(&req.reference_id));
        let result = async {
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
            let dev = self.inner.developer_key.expose();
            let api = &self.inner.api;
            let resp = self
                .run(&span, false, |sig| {
                    api.get_document()
                        .content_type(JSON)
                        .developer_key(dev)
                        .secret_key(sig.secret_key.expose())
                        .secret_key_timestamp(sig.timestamp.as_str())
                        .body(body.clone())
                        .send()
                })
                .await?;
            documents_outcome(&req, resp)
        }
        .instrument(span.clone())
        .await;
        record_outcome(&span, &result);
        result
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

    /// Send with a fresh signature per attempt; retry what is safe to retry.
    ///
    /// `read_only`: the call may be repeated after it reached Eko (the GET
    /// status call). Otherwise only failures where the request provably
    /// never left (connection refused) are retried.
    async fn run<T: serde::de::DeserializeOwned, F, Fut>(
        &self,
        span: &tracing::Span,
        read_only: bool,
        mut call: F,
    ) -> Result<T>
    where
        F: FnMut(Signature) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<()>>>,
    {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let sig = self.sign_now();
            let outcome = http::classify(call(sig).await).await;
            span.record("attempts", attempt);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let failure = match outcome {
                Ok((value, status)) => {
                    span.record("http_status", status);
                    return Ok(value);
                }
                Err(f) => f,
            };
            let (retryable, retry_after) = match &failure {
                Failure::Status {
                    status, headers, ..
                } => {
                    span.record("http_status", *status);
                    (
                        read_only && retryable_status(*status),
                        parse_retry_after(headers),
                    )
                }
                // A request that could not even be built is not worth
                // repeating, though it was never sent.
                Failure::Transport { kind, .. } if *kind != TransportKind::Request => (
                    failure.never_sent()
                        || (read_only
                            && matches!(
                                kind,
                                TransportKind::Connect | TransportKind::Timeout | TransportKind::Io
                            )),
                    None,
                ),
                Failure::Transport { .. } => (false, None),
                Failure::Decode { status, .. } => {
                    span.record("http_status", *status);
                    (false, None)
                }
                Failure::TooLarge { status, .. } => {
                    span.record("http_status", *status);
                    (false, None)
                }
                Failure::Invalid(_) => (false, None),
            };
            if retryable && let Some(wait) = self.inner.retry.delay(attempt, retry_after) {
                tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(map_failure(failure));
        }
    }
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
fn op_span(op: &'static str, client_ref_id: Option<&str>) -> tracing::Span {
    tracing::info_span!(
        "eko",
        operation_id = op,
        client_ref_id = client_ref_id,
        reference_id = Empty,
        http_status = Empty,
        eko_status = Empty,
        response_type_id = Empty,
        state = Empty,
        attempts = Empty,
        duration_ms = Empty,
        error = Empty,
    )
}

fn record_outcome<T>(span: &tracing::Span, r: &Result<T>) {
    if let Err(e) = r {
        if let Some(p) = e.provider_error() {
            if let Some(c) = p.code {
                span.record("eko_status", c);
            }
            if let Some(t) = p.response_type_id {
                span.record("response_type_id", t);
            }
        }
        // The error's Display carries no body, key or full identifier.
        span.record("error", tracing::field::display(e));
    }
}

fn envelope<'a>(
    status: i64,
    message: &'a Option<String>,
    response_status_id: Option<i64>,
    response_type_id: Option<i64>,
    invalid_params: &'a Option<wire::InvalidParams>,
) -> Envelope<'a> {
    Envelope {
        status,
        message: message.as_deref(),
        response_status_id,
        response_type_id,
        invalid_params: invalid_params.as_ref(),
    }
}

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
    let env = envelope(
        resp.status,
        &resp.message,
        resp.response_status_id,
        resp.response_type_id,
        &resp.invalid_params,
    );
    if resp.status != 0 {
        return Err(Error::Provider(env.to_error()));
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
    let env = envelope(
        resp.status,
        &resp.message,
        resp.response_status_id,
        resp.response_type_id,
        &resp.invalid_params,
    );
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
            return Err(Error::Provider(env.to_error()));
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
    let env = envelope(
        resp.status,
        &resp.message,
        resp.response_status_id,
        resp.response_type_id,
        &resp.invalid_params,
    );
    let not_ready = |reason: NotReadyReason, default_message: &str| {
        let mut e = env.to_error();
        if env.message.is_none_or(|m| m.trim().is_empty()) {
            e.message = default_message.to_string();
        }
        Error::NotReady { reason, error: e }
    };
    if resp.status != 0 {
        if env.says_pending() {
            return Err(not_ready(NotReadyReason::Pending, "verification pending"));
        }
        if env.message_has("denied") {
            return Err(not_ready(NotReadyReason::ConsentMissing, "consent denied"));
        }
        return Err(Error::Provider(env.to_error()));
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
            return Err(Error::Provider(e));
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
