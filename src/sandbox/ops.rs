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
use crate::error::{Error, Provider, Result};
use crate::generated::sandbox::types as wire;
use crate::http::decode_error;
use crate::redact::Masked;
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

/// One file of a document. A file without a link is reported as such
/// (`url: None`); it does not fail the whole document.
fn file(
    entity: Option<String>,
    url: Option<String>,
    size: Option<i64>,
    metadata: Option<FileMetadata>,
) -> DocumentFile {
    DocumentFile {
        url: url.filter(|u| !u.trim().is_empty()),
        size: size.and_then(|s| u64::try_from(s).ok()),
        metadata,
        entity,
    }
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
        self.session_read(
            "digilocker_get_session_status",
            session_id,
            async |api, id| {
                Ok(api
                    .digilocker_get_session_status()
                    .session_id(id)
                    .send()
                    .await)
            },
            state_outcome,
        )
        .await
    }

    /// A consented document's files
    /// (`GET /kyc/digilocker/sessions/{session_id}/documents/{doc_type}`).
    ///
    /// Before consent: [`Error::NotReady`]; unknown session:
    /// [`Error::SessionNotFound`].
    pub async fn document(&self, session_id: &str, doc_type: DocType) -> Result<Document> {
        use wire::DigilockerGetDocumentDocType as G;
        self.session_read(
            "digilocker_get_document",
            session_id,
            async |api, id| {
                let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
                Ok(api
                    .digilocker_get_document()
                    .session_id(id)
                    .doc_type(g)
                    .send()
                    .await)
            },
            |r| document_outcome(r, doc_type.clone()),
        )
        .await
    }

    /// The DigiLocker account holder's profile
    /// (`GET /kyc/digilocker/sessions/{session_id}/user/profile`).
    pub async fn user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.session_read(
            "digilocker_get_user_profile",
            session_id,
            async |api, id| {
                Ok(api
                    .digilocker_get_user_profile()
                    .session_id(id)
                    .send()
                    .await)
            },
            profile_outcome,
        )
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
        self.session_read(
            "digilocker_sdk_get_session_status",
            session_id,
            async |api, id| {
                Ok(api
                    .digilocker_sdk_get_session_status()
                    .session_id(id)
                    .send()
                    .await)
            },
            state_outcome,
        )
        .await
    }

    /// A document of a DigiLocker SDK session
    /// (`GET /kyc/digilocker-sdk/sessions/{session_id}/documents/{doc_type}`).
    pub async fn sdk_document(&self, session_id: &str, doc_type: DocType) -> Result<Document> {
        use wire::DigilockerSdkGetDocumentDocType as G;
        self.session_read(
            "digilocker_sdk_get_document",
            session_id,
            async |api, id| {
                let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
                Ok(api
                    .digilocker_sdk_get_document()
                    .session_id(id)
                    .doc_type(g)
                    .send()
                    .await)
            },
            |r| sdk_document_outcome(r, doc_type.clone()),
        )
        .await
    }

    /// The profile of a DigiLocker SDK session's user
    /// (`GET /kyc/digilocker-sdk/sessions/{session_id}/user/profile`).
    pub async fn sdk_user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.session_read(
            "digilocker_sdk_get_user_profile",
            session_id,
            async |api, id| {
                Ok(api
                    .digilocker_sdk_get_user_profile()
                    .session_id(id)
                    .send()
                    .await)
            },
            profile_outcome,
        )
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
        self.session_read(
            "entitylocker_get_session_status",
            session_id,
            async |api, id| {
                Ok(api
                    .entitylocker_get_session_status()
                    .session_id(id)
                    .send()
                    .await)
            },
            state_outcome,
        )
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
        self.session_read(
            "entitylocker_get_document",
            session_id,
            async |api, id| {
                let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
                Ok(api
                    .entitylocker_get_document()
                    .session_id(id)
                    .doc_type(g)
                    .send()
                    .await)
            },
            |r| document_outcome(r, doc_type.clone()),
        )
        .await
    }

    /// The business behind an EntityLocker session
    /// (`GET /kyc/entitylocker/sessions/{session_id}/entity`).
    pub async fn entity_details(&self, session_id: &str) -> Result<EntityDetails> {
        self.session_read(
            "entitylocker_get_entity_details",
            session_id,
            async |api, id| {
                Ok(api
                    .entitylocker_get_entity_details()
                    .session_id(id)
                    .send()
                    .await)
            },
            |r| {
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
            },
        )
        .await
    }

    /// The profile of the person who signed in to EntityLocker
    /// (`GET /kyc/entitylocker/sessions/{session_id}/user/profile`).
    pub async fn entity_user_profile(&self, session_id: &str) -> Result<UserProfile> {
        self.session_read(
            "entitylocker_get_user_profile",
            session_id,
            async |api, id| {
                Ok(api
                    .entitylocker_get_user_profile()
                    .session_id(id)
                    .send()
                    .await)
            },
            entity_profile_outcome,
        )
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
        self.session_read(
            "entitylocker_sdk_get_session_status",
            session_id,
            async |api, id| {
                Ok(api
                    .entitylocker_sdk_get_session_status()
                    .session_id(id)
                    .send()
                    .await)
            },
            state_outcome,
        )
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
        self.session_read(
            "entitylocker_sdk_get_document",
            session_id,
            async |api, id| {
                let g: G = validate::wire_doc_type("doc_type", doc_type.as_str())?;
                Ok(api
                    .entitylocker_sdk_get_document()
                    .session_id(id)
                    .doc_type(g)
                    .send()
                    .await)
            },
            |r| document_outcome(r, doc_type.clone()),
        )
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
            crate::download::fetch(
                &self.inner.http,
                link,
                &self.config().http.retry,
                self.config().max_download_bytes,
            )
            .await
        })
        .await
    }
}

pub(crate) fn verify_outcome(r: wire::DigilockerVerifyUserAccountResponse) -> Result<bool> {
    Ok(r.data.user_exists)
}

pub(crate) fn start_outcome(r: wire::InitiateSessionResponse) -> Result<Session> {
    Ok(Session {
        id: r.data.session_id,
        authorization_url: r.data.authorization_url,
        transaction_id: r.transaction_id,
    })
}

/// Sandbox answers every session status (DigiLocker, EntityLocker, and
/// their SDK variants) in one shape; `D` is the family's document type.
pub(crate) fn state_outcome<D: DocKind>(
    r: wire::GetSessionStatusResponse,
) -> Result<SessionState<D>> {
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

/// A document's files: one shape for DigiLocker, EntityLocker and the
/// EntityLocker SDK (the DigiLocker SDK's is [`sdk_document_outcome`]).
pub(crate) fn document_outcome<D: DocKind>(
    r: wire::GetDocumentResponse,
    doc_type: D,
) -> Result<Document<D>> {
    let files = r
        .data
        .files
        .into_iter()
        .map(|f| file(f.entity, f.url, f.size, f.metadata.map(|m| metadata!(m))))
        .collect();
    Ok(Document {
        doc_type,
        files,
        transaction_id: r.transaction_id,
    })
}

/// The DigiLocker SDK document response has required file fields.
pub(crate) fn sdk_document_outcome(
    r: wire::DigilockerSdkGetDocumentResponse,
    doc_type: DocType,
) -> Result<Document> {
    let files = r
        .data
        .files
        .into_iter()
        .map(|f| {
            file(
                Some(f.entity),
                f.url,
                Some(f.size),
                Some(metadata!(f.metadata)),
            )
        })
        .collect();
    Ok(Document {
        doc_type,
        files,
        transaction_id: r.transaction_id,
    })
}

/// The DigiLocker (and DigiLocker SDK) user profile.
pub(crate) fn profile_outcome(r: wire::GetUserProfileResponse) -> Result<UserProfile> {
    use wire::GetUserProfileResponseDataDateOfBirth as Dob;
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
