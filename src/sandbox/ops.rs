//! The 17 Sandbox operations of the DigiLocker family, and document
//! downloads.
//!
//! Each operation validates its input (nothing is sent when that fails),
//! fills `@entity`, sends through the generated builder with the auth
//! headers, and maps the generated response into the facade types.

use super::SandboxClient;
use super::types::{
    CreateSdkSession, DateOfBirth, DocKind, DocType, Document, DocumentFile, EntityDetails,
    EntityDocType, FileMetadata, SdkSession, Session, SessionState, SessionStatus,
    StartEntitySession, StartSession, UserProfile, VerifiedBy, VerifyUser,
};
use super::validate;
use crate::error::{Error, Provider, ProviderError, Result, TransportKind};
use crate::generated::sandbox::types as wire;
use crate::http::{MAX_ERROR_BODY, decode_error, read_limited};
use crate::redact::Masked;
use crate::runtime;
use bytes::Bytes;

macro_rules! metadata {
    ($m:expr) => {{
        let m = $m;
        FileMetadata {
            content_type: m.content_type,
            issuer_id: m.issuer_id,
            issuer: m.issuer,
            last_modified: m.last_modified,
            description: m.description,
        }
    }};
}

/// A 200 response that lacks something the facade needs.
fn incomplete(what: &str, response: &impl serde::Serialize) -> Error {
    decode_error(
        Provider::Sandbox,
        200,
        &serde_json::to_vec(response).unwrap_or_default(),
        format!("the response has no {what}"),
    )
}

fn file(
    entity: Option<String>,
    url: Option<String>,
    size: Option<i64>,
    metadata: Option<FileMetadata>,
    response: &impl serde::Serialize,
) -> Result<DocumentFile> {
    // A file without a link is reported as such; it does not fail the
    // whole document.
    let _ = response;
    let url = url.filter(|u| !u.trim().is_empty());
    Ok(DocumentFile {
        url,
        size: size.and_then(|s| u64::try_from(s).ok()),
        metadata,
        entity,
    })
}

fn state<D: DocKind>(
    id: String,
    status: String,
    created_at: i64,
    updated_at: Option<i64>,
    consented: Vec<String>,
    transaction_id: String,
) -> SessionState<D> {
    SessionState {
        id,
        status: SessionStatus::from(status),
        created_at,
        updated_at,
        documents_consented: (!consented.is_empty())
            .then(|| consented.into_iter().map(D::from).collect()),
        transaction_id,
    }
}

fn email(e: Option<String>) -> Option<String> {
    e.filter(|e| !e.trim().is_empty())
}

impl SandboxClient {
    // -----------------------------------------------------------------
    // DigiLocker
    // -----------------------------------------------------------------

    /// Whether a DigiLocker account exists for a mobile and/or Aadhaar
    /// number (`POST /kyc/digilocker/user/verify`).
    ///
    /// Useful to choose [`Flow::Signin`](super::Flow::Signin) or
    /// [`Flow::Signup`](super::Flow::Signup).
    pub async fn verify_user(&self, request: VerifyUser) -> Result<bool> {
        self.traced("digilocker_verify_user_account", async move {
            let body = validate::verify_body(&request, self.config().aadhaar_checksum)?;
            let api = &self.inner.api;
            let r = self
                .call(api.digilocker_verify_user_account().body(body).send().await)
                .await?;
            verify_outcome(r)
        })
        .await
    }

    /// Start a DigiLocker consent session
    /// (`POST /kyc/digilocker/sessions/init`). Send the user to
    /// [`Session::authorization_url`]; they come back to the redirect URL.
    pub async fn start_session(&self, request: StartSession) -> Result<Session> {
        self.traced("digilocker_initiate_session", async move {
            let body = validate::start_session_body(&request, self.config().clock.now())?;
            let api = &self.inner.api;
            let r = self
                .call(api.digilocker_initiate_session().body(body).send().await)
                .await?;
            start_outcome(r)
        })
        .await
    }

    /// Where a DigiLocker session stands
    /// (`GET /kyc/digilocker/sessions/{session_id}/status`).
    pub async fn session_status(&self, session_id: &str) -> Result<SessionState> {
        self.traced("digilocker_get_session_status", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_get_session_status()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            status_outcome(r)
        })
        .await
    }

    /// A consented document's files
    /// (`GET /kyc/digilocker/sessions/{session_id}/documents/{doc_type}`).
    ///
    /// Before consent: [`Error::NotReady`]; unknown session:
    /// [`Error::SessionNotFound`].
    pub async fn document(&self, session_id: &str, doc_type: DocType) -> Result<Document> {
        use wire::DigilockerGetDocumentDocType as G;
        self.traced("digilocker_get_document", async move {
            validate::session_id(session_id)?;
            let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_get_document()
                        .session_id(session_id)
                        .doc_type(g)
                        .send()
                        .await,
                )
                .await?;
            document_outcome(r, doc_type)
        })
        .await
    }

    /// The DigiLocker account holder's profile
    /// (`GET /kyc/digilocker/sessions/{session_id}/user/profile`).
    pub async fn user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.traced("digilocker_get_user_profile", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_get_user_profile()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            profile_outcome(r)
        })
        .await
    }

    // -----------------------------------------------------------------
    // DigiLocker SDK
    // -----------------------------------------------------------------

    /// Create a session for Sandbox's client-side DigiLocker SDK
    /// (`POST /kyc/digilocker-sdk/sessions/create`).
    pub async fn sdk_create_session(&self, request: CreateSdkSession) -> Result<SdkSession> {
        self.traced("digilocker_sdk_create_session", async move {
            let body = validate::sdk_create_body(&request)?;
            let api = &self.inner.api;
            let r = self
                .call(api.digilocker_sdk_create_session().body(body).send().await)
                .await?;
            let id = r
                .data
                .id
                .clone()
                .filter(|i| !i.is_empty())
                .ok_or_else(|| incomplete("session id", &r))?;
            Ok(SdkSession {
                id,
                status: r
                    .data
                    .status
                    .map(SessionStatus::from)
                    .unwrap_or(SessionStatus::Created),
                created_at: r.data.created_at,
                transaction_id: r.transaction_id,
            })
        })
        .await
    }

    /// Where a DigiLocker SDK session stands
    /// (`GET /kyc/digilocker-sdk/sessions/{session_id}/status`).
    pub async fn sdk_session_status(&self, session_id: &str) -> Result<SessionState> {
        self.traced("digilocker_sdk_get_session_status", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_sdk_get_session_status()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            sdk_status_outcome(r)
        })
        .await
    }

    /// A document of a DigiLocker SDK session
    /// (`GET /kyc/digilocker-sdk/sessions/{session_id}/documents/{doc_type}`).
    pub async fn sdk_document(&self, session_id: &str, doc_type: DocType) -> Result<Document> {
        use wire::DigilockerSdkGetDocumentDocType as G;
        self.traced("digilocker_sdk_get_document", async move {
            validate::session_id(session_id)?;
            let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_sdk_get_document()
                        .session_id(session_id)
                        .doc_type(g)
                        .send()
                        .await,
                )
                .await?;
            sdk_document_outcome(r, doc_type)
        })
        .await
    }

    /// The profile of a DigiLocker SDK session's user
    /// (`GET /kyc/digilocker-sdk/sessions/{session_id}/user/profile`).
    pub async fn sdk_user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.traced("digilocker_sdk_get_user_profile", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.digilocker_sdk_get_user_profile()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            sdk_profile_outcome(r)
        })
        .await
    }

    // -----------------------------------------------------------------
    // EntityLocker
    // -----------------------------------------------------------------

    /// Start an EntityLocker consent session
    /// (`POST /kyc/entitylocker/sessions/init`).
    pub async fn entity_start_session(&self, request: StartEntitySession) -> Result<Session> {
        self.traced("entitylocker_initiate_session", async move {
            let body = validate::entity_start_body(&request, self.config().clock.now())?;
            let api = &self.inner.api;
            let r = self
                .call(api.entitylocker_initiate_session().body(body).send().await)
                .await?;
            Ok(Session {
                id: r.data.session_id,
                authorization_url: r.data.authorization_url,
                transaction_id: r.transaction_id,
            })
        })
        .await
    }

    /// Where an EntityLocker session stands
    /// (`GET /kyc/entitylocker/sessions/{session_id}/status`).
    pub async fn entity_session_status(
        &self,
        session_id: &str,
    ) -> Result<SessionState<EntityDocType>> {
        self.traced("entitylocker_get_session_status", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_get_session_status()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            entity_status_outcome(r)
        })
        .await
    }

    /// A consented EntityLocker document
    /// (`GET /kyc/entitylocker/sessions/{session_id}/documents/{doc_type}`).
    pub async fn entity_document(
        &self,
        session_id: &str,
        doc_type: EntityDocType,
    ) -> Result<Document<EntityDocType>> {
        use wire::EntitylockerGetDocumentDocType as G;
        self.traced("entitylocker_get_document", async move {
            validate::session_id(session_id)?;
            let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_get_document()
                        .session_id(session_id)
                        .doc_type(g)
                        .send()
                        .await,
                )
                .await?;
            entity_document_outcome(r, doc_type)
        })
        .await
    }

    /// The business behind an EntityLocker session
    /// (`GET /kyc/entitylocker/sessions/{session_id}/entity`).
    pub async fn entity_details(&self, session_id: &str) -> Result<EntityDetails> {
        self.traced("entitylocker_get_entity_details", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_get_entity_details()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            let d = r.data;
            Ok(EntityDetails {
                id: d.id,
                name: d.name,
                date_of_incorporation: d.date_of_incorporation.to_string(),
                email: d.email,
                mobile: Masked::new(d.mobile),
                verified_by: VerifiedBy::from(d.verified_by),
                transaction_id: r.transaction_id,
            })
        })
        .await
    }

    /// The profile of the person who signed in to EntityLocker
    /// (`GET /kyc/entitylocker/sessions/{session_id}/user/profile`).
    pub async fn entity_user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.traced("entitylocker_get_user_profile", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_get_user_profile()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            entity_profile_outcome(r)
        })
        .await
    }

    // -----------------------------------------------------------------
    // EntityLocker SDK
    // -----------------------------------------------------------------

    /// Create a session for Sandbox's client-side EntityLocker SDK
    /// (`POST /kyc/entitylocker-sdk/sessions/create`).
    pub async fn entity_sdk_create_session(
        &self,
        request: CreateSdkSession<EntityDocType>,
    ) -> Result<SdkSession> {
        self.traced("entitylocker_sdk_create_session", async move {
            let body = validate::entity_sdk_create_body(&request)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_sdk_create_session()
                        .body(body)
                        .send()
                        .await,
                )
                .await?;
            Ok(SdkSession {
                id: r.data.id,
                status: SessionStatus::from(r.data.status),
                created_at: Some(r.data.created_at),
                transaction_id: r.transaction_id,
            })
        })
        .await
    }

    /// Where an EntityLocker SDK session stands
    /// (`GET /kyc/entitylocker-sdk/sessions/{session_id}/status`).
    pub async fn entity_sdk_session_status(
        &self,
        session_id: &str,
    ) -> Result<SessionState<EntityDocType>> {
        self.traced("entitylocker_sdk_get_session_status", async move {
            validate::session_id(session_id)?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_sdk_get_session_status()
                        .session_id(session_id)
                        .send()
                        .await,
                )
                .await?;
            entity_sdk_status_outcome(r)
        })
        .await
    }

    /// A document of an EntityLocker SDK session
    /// (`GET /kyc/entitylocker-sdk/sessions/{session_id}/documents/{doc_type}`).
    pub async fn entity_sdk_document(
        &self,
        session_id: &str,
        doc_type: EntityDocType,
    ) -> Result<Document<EntityDocType>> {
        use wire::EntitylockerSdkGetDocumentDocType as G;
        self.traced("entitylocker_sdk_get_document", async move {
            validate::session_id(session_id)?;
            let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
            let api = &self.inner.api;
            let r = self
                .call(
                    api.entitylocker_sdk_get_document()
                        .session_id(session_id)
                        .doc_type(g)
                        .send()
                        .await,
                )
                .await?;
            entity_sdk_document_outcome(r, doc_type)
        })
        .await
    }

    // -----------------------------------------------------------------
    // Downloads
    // -----------------------------------------------------------------

    /// Fetch a document file from its pre-signed link.
    ///
    /// The request carries no Sandbox headers (the link is its own
    /// credential). It is retried like any read; a body over
    /// [`max_download_bytes`](super::SandboxClientBuilder::max_download_bytes)
    /// fails with [`Error::TooLarge`]; an expired link (S3 `AccessDenied` /
    /// `Request has expired`) fails with [`Error::LinkExpired`]: fetch the
    /// document again for a fresh link.
    ///
    /// A link longer than 16 KiB (16,384 bytes) is refused with
    /// [`Error::InvalidInput`] before anything is sent.
    ///
    /// Redirects (301, 302, 303, 307, 308 with a `Location`) are followed
    /// under this rule, checked at every hop:
    ///
    /// - at most 3 redirects;
    /// - the next URL must be `https`, except that a plain-`http` link to a
    ///   loopback host (`127.0.0.0/8`, `::1`, `localhost`) may go on to
    ///   another loopback `http` URL (local test servers); an `https` hop is
    ///   never followed by an `http` one;
    /// - every hop is a bare `GET`: no auth header, no cookie, no `Referer`
    ///   (the previous URL, with its signed query, goes nowhere).
    ///
    /// A redirect breaking the rule ends the download with
    /// [`Error::Provider`] carrying the 3xx status and the reason; the URL is
    /// never part of an error, since a signed link is a credential.
    pub async fn download(&self, file: &DocumentFile) -> Result<Bytes> {
        self.traced("download_document", async move {
            let Some(link) = file.url.as_deref() else {
                return Err(Error::invalid(
                    "url",
                    "the provider sent no link for this file",
                ));
            };
            if link.len() > MAX_LINK_LEN {
                return Err(Error::invalid(
                    "url",
                    format!(
                        "the link is {} bytes, over the limit of {MAX_LINK_LEN}; nothing was sent",
                        link.len()
                    ),
                ));
            }
            let url = url::Url::parse(link)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| Error::invalid("url", "not an http(s) URL"))?;
            let limit = self.config().max_download_bytes;
            let http = &self.inner.http;
            let request = http
                .get(url.clone())
                .build()
                .map_err(|_| Error::invalid("url", "not a URL a request can be made to"))?;
            // The one retry loop, each attempt following redirects under
            // the rule above, with no credentials (a signed link is its own).
            let result = runtime::execute_with(
                http,
                |r| self.get_following(r),
                request,
                "download_document",
                &self.config().http.retry,
                &runtime::NoCredentials,
                // read_capped enforces the download limit itself.
                usize::MAX,
            )
            .await;
            if let Some(e) = runtime::take_raised() {
                return Err(e);
            }
            match result {
                Ok(resp) if resp.status().is_success() => read_capped(resp, limit).await,
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let body = read_limited(resp, MAX_ERROR_BODY).await.unwrap_or_default();
                    Err(download_error(status, &body))
                }
                Err(e) => Err(crate::http::transport_error(Provider::Sandbox, e)),
            }
        })
        .await
    }

    /// `GET link`, following redirects under the rule of
    /// [`download`](Self::download). Returns the first response that is not
    /// a redirect.
    async fn get_following(&self, request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
        let http = &self.inner.http;
        match self.follow(request.url().clone()).await {
            Ok(resp) => Ok(resp),
            Err(Hop::Transport(e)) => Err(e),
            Err(Hop::Refused(e)) => {
                runtime::raise(e);
                Err(runtime::stand_in(http).await)
            }
        }
    }

    /// One download attempt: `GET link` and the redirects the rule allows.
    async fn follow(&self, link: url::Url) -> std::result::Result<reqwest::Response, Hop> {
        let link = &link;
        let mut current = link.clone();
        let mut hops = 0usize;
        loop {
            // The shared client follows no redirect and sends no Referer;
            // nothing but the URL (and the User-Agent) is put on the request.
            let resp = self
                .inner
                .http
                .get(current.clone())
                .send()
                .await
                .map_err(Hop::Transport)?;
            let status = resp.status();
            if !status.is_redirection() {
                return Ok(resp);
            }
            let code = status.as_u16();
            let refuse = |why: &str| {
                Hop::Refused(Error::Provider(ProviderError::new(
                    Provider::Sandbox,
                    code,
                    format!("document download redirect refused: {why}"),
                )))
            };
            if !matches!(code, 301 | 302 | 303 | 307 | 308) {
                return Ok(resp);
            }
            if hops >= MAX_DOWNLOAD_REDIRECTS {
                return Err(refuse(&format!(
                    "more than {MAX_DOWNLOAD_REDIRECTS} redirects"
                )));
            }
            let Some(location) = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
            else {
                return Err(refuse("no usable Location"));
            };
            if location.len() > MAX_LINK_LEN {
                return Err(refuse("the Location is too long"));
            }
            let Ok(next) = current.join(location) else {
                return Err(refuse("the Location is not a URL"));
            };
            if let Err(why) = redirect_allowed(link, &current, &next) {
                return Err(refuse(why));
            }
            drop(resp);
            hops += 1;
            current = next;
        }
    }
}

/// The longest document link (or redirect `Location`) accepted, in bytes.
/// Real pre-signed S3 links are well under 2 KiB; hyper itself cannot send
/// a URI of 64 KiB or more.
pub(crate) const MAX_LINK_LEN: usize = 16 * 1024;

/// The most redirects a document download follows.
pub(crate) const MAX_DOWNLOAD_REDIRECTS: usize = 3;

/// How one download attempt ended without a final response.
enum Hop {
    /// A redirect broke the rule (or another typed refusal): not retried.
    Refused(Error),
    /// The request did not complete.
    Transport(reqwest::Error),
}

/// Whether a loopback host: `127.0.0.0/8`, `::1` or `localhost`.
fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The redirect rule of [`SandboxClient::download`]: may a download at
/// `current`, which started at `original`, go on to `next`? `Err` names
/// the broken rule (never the URL).
pub(crate) fn redirect_allowed(
    original: &url::Url,
    current: &url::Url,
    next: &url::Url,
) -> std::result::Result<(), &'static str> {
    if next.host_str().is_none() {
        return Err("the Location has no host");
    }
    match next.scheme() {
        "https" => Ok(()),
        "http" if current.scheme() == "https" => Err("a downgrade from https to http"),
        "http"
            if original.scheme() == "http"
                && is_loopback(original)
                && is_loopback(current)
                && is_loopback(next) =>
        {
            Ok(())
        }
        "http" => Err("a redirect to plain http"),
        _ => Err("a redirect to a scheme other than https"),
    }
}

/// Read a download body, failing once it exceeds `limit` bytes.
async fn read_capped(mut resp: reqwest::Response, limit: u64) -> Result<Bytes> {
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(Error::TooLarge { limit });
    }
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if (buf.len() + chunk.len()) as u64 > limit {
                    return Err(Error::TooLarge { limit });
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(Bytes::from(buf)),
            Err(e) => {
                return Err(Error::Transport {
                    provider: Provider::Sandbox,
                    kind: if e.is_timeout() {
                        TransportKind::Timeout
                    } else {
                        TransportKind::Io
                    },
                    may_have_been_sent: true,
                    source: Box::new(e.without_url()),
                });
            }
        }
    }
}

/// The error of a failed download: an expired link, or what S3 said.
fn download_error(status: u16, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(text[start..end].trim().to_string())
    };
    let code = tag("Code");
    let message = tag("Message");
    let expired = matches!(status, 400 | 403)
        && (code.as_deref() == Some("AccessDenied")
            || code.as_deref() == Some("ExpiredToken")
            || text.contains("Request has expired"));
    if expired {
        return Error::LinkExpired { status };
    }
    let detail = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c,
        (None, Some(m)) => m,
        (None, None) => reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("unexpected status")
            .to_string(),
    };
    Error::Provider(ProviderError::new(
        Provider::Sandbox,
        status,
        format!("document download failed: {detail}"),
    ))
}

#[cfg(test)]
mod redirect_tests {
    use super::redirect_allowed;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn https_hops_are_allowed_and_downgrades_are_not() {
        let s3 = u("https://bucket.s3.amazonaws.com/a?X-Amz-Signature=x");
        assert!(redirect_allowed(&s3, &s3, &u("https://other.example/b")).is_ok());
        assert_eq!(
            redirect_allowed(&s3, &s3, &u("http://other.example/b")),
            Err("a downgrade from https to http")
        );
        // Even to loopback: an https link never goes on over http.
        assert!(redirect_allowed(&s3, &s3, &u("http://127.0.0.1/b")).is_err());
        for other in [
            "ftp://x.example/a",
            "file:///etc/passwd",
            "data:text/plain,x",
        ] {
            assert!(redirect_allowed(&s3, &s3, &u(other)).is_err(), "{other}");
        }
    }

    #[test]
    fn plain_http_is_only_for_loopback_links() {
        let local = u("http://127.0.0.1:8080/s3/a");
        assert!(redirect_allowed(&local, &local, &u("http://127.0.0.1:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("http://localhost:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("http://[::1]:9090/b")).is_ok());
        assert!(redirect_allowed(&local, &local, &u("https://127.0.0.1/b")).is_ok());
        assert_eq!(
            redirect_allowed(&local, &local, &u("http://evil.example/b")),
            Err("a redirect to plain http")
        );
        // Once on https, no way back to http, loopback or not.
        let up = u("https://127.0.0.1/b");
        assert!(redirect_allowed(&local, &up, &u("http://127.0.0.1/c")).is_err());
        // A remote http link may not redirect over http at all.
        let remote = u("http://files.example/a");
        assert!(redirect_allowed(&remote, &remote, &u("http://127.0.0.1/b")).is_err());
        assert!(redirect_allowed(&remote, &remote, &u("http://files.example/b")).is_err());
    }
}

// ---------------------------------------------------------------------
// Pure response mappings: generated response type in, facade type or typed
// error out. The operations above call them on the network path; the
// bytes-in decoders in `super::engine::decode` (and the fuzz targets) call
// the very same functions.
// ---------------------------------------------------------------------

pub(crate) fn verify_outcome(r: wire::DigilockerVerifyUserAccountResponse) -> Result<bool> {
    Ok(r.data.user_exists)
}

pub(crate) fn start_outcome(r: wire::DigilockerInitiateSessionResponse) -> Result<Session> {
    Ok(Session {
        id: r.data.session_id,
        authorization_url: r.data.authorization_url,
        transaction_id: r.transaction_id,
    })
}

macro_rules! state_outcome {
    ($name:ident, $wire:ident, $doc:ty) => {
        pub(crate) fn $name(r: wire::$wire) -> Result<SessionState<$doc>> {
            let d = r.data;
            Ok(state(
                d.id,
                d.status,
                d.created_at,
                d.updated_at,
                d.documents_consented,
                r.transaction_id,
            ))
        }
    };
}

state_outcome!(status_outcome, DigilockerGetSessionStatusResponse, DocType);
state_outcome!(
    sdk_status_outcome,
    DigilockerSdkGetSessionStatusResponse,
    DocType
);
state_outcome!(
    entity_status_outcome,
    EntitylockerGetSessionStatusResponse,
    EntityDocType
);
state_outcome!(
    entity_sdk_status_outcome,
    EntitylockerSdkGetSessionStatusResponse,
    EntityDocType
);

macro_rules! document_outcome {
    ($name:ident, $wire:ident, $doc:ty) => {
        pub(crate) fn $name(r: wire::$wire, doc_type: $doc) -> Result<Document<$doc>> {
            let files = r
                .data
                .files
                .iter()
                .cloned()
                .map(|f| {
                    file(
                        f.entity,
                        f.url,
                        f.size,
                        f.metadata.map(|m| metadata!(m)),
                        &r,
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Document {
                doc_type,
                files,
                transaction_id: r.transaction_id,
            })
        }
    };
}

document_outcome!(document_outcome, DigilockerGetDocumentResponse, DocType);
document_outcome!(
    entity_document_outcome,
    EntitylockerGetDocumentResponse,
    EntityDocType
);
document_outcome!(
    entity_sdk_document_outcome,
    EntitylockerSdkGetDocumentResponse,
    EntityDocType
);

/// The DigiLocker SDK document response has required file fields.
pub(crate) fn sdk_document_outcome(
    r: wire::DigilockerSdkGetDocumentResponse,
    doc_type: DocType,
) -> Result<Document> {
    let files = r
        .data
        .files
        .iter()
        .cloned()
        .map(|f| {
            file(
                Some(f.entity),
                f.url,
                Some(f.size),
                Some(metadata!(f.metadata)),
                &r,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Document {
        doc_type,
        files,
        transaction_id: r.transaction_id,
    })
}

macro_rules! profile_outcome {
    ($name:ident, $wire:ident, $dob:ident) => {
        pub(crate) fn $name(r: wire::$wire) -> Result<UserProfile> {
            use wire::$dob as Dob;
            let d = r.data;
            Ok(UserProfile {
                id: d.id,
                name: d.name,
                date_of_birth: match d.date_of_birth {
                    Dob::Int64(ms) => DateOfBirth::from_epoch_ms(ms),
                    Dob::String(s) => DateOfBirth::from_text(s),
                },
                gender: d.gender,
                mobile: Masked::new(d.mobile),
                email: email(d.email),
                eaadhaar: d.eaadhaar,
                transaction_id: r.transaction_id,
            })
        }
    };
}

profile_outcome!(
    profile_outcome,
    DigilockerGetUserProfileResponse,
    DigilockerGetUserProfileResponseDataDateOfBirth
);
profile_outcome!(
    sdk_profile_outcome,
    DigilockerSdkGetUserProfileResponse,
    DigilockerSdkGetUserProfileResponseDataDateOfBirth
);

pub(crate) fn entity_profile_outcome(
    r: wire::EntitylockerGetUserProfileResponse,
) -> Result<UserProfile> {
    let d = r.data;
    Ok(UserProfile {
        id: d.id,
        name: d.name,
        date_of_birth: DateOfBirth::from_text(d.date_of_birth),
        gender: d.gender,
        mobile: Masked::new(d.mobile),
        email: None,
        eaadhaar: d.eaadhaar,
        transaction_id: r.transaction_id,
    })
}
