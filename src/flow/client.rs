//! [`DigiLocker`]: one client over both aggregators.

use super::poll::{PollPolicy, Progress, poll_until};
use super::types::{self, DocType, Document, Outcome, Profile, Session, Verification};
use super::xml;
use crate::eko::{CreateUrl, EkoClient, EkoDocType, ReferenceId};
use crate::error::{Error, NotReadyReason, Provider, Result};
use crate::sandbox::{self, Flow, SandboxClient, SessionStatus, StartSession};

/// A DigiLocker client over either provider, with one vocabulary:
/// [`start`](Self::start) a session, send the user to its
/// `authorization_url`, [`wait`](Self::wait) for the [`Outcome`], then
/// fetch [`documents`](Self::documents) and the [`profile`](Self::profile).
///
/// Switching aggregator is a change of constructor:
///
/// ```no_run
/// # async fn demo() -> digilocker_kyc::Result<()> {
/// use digilocker_kyc::flow::{DigiLocker, DocType, PollPolicy};
/// let kyc = DigiLocker::sandbox(digilocker_kyc::SandboxClient::from_env()?);
/// // let kyc = DigiLocker::eko(digilocker_kyc::EkoClient::from_env()?);
/// let session = kyc.start([DocType::Aadhaar], "https://app.example/kyc/done").await?;
/// println!("send the user to {}", session.authorization_url);
/// let outcome = kyc.wait(&session, &PollPolicy::default()).await?;
/// if outcome.is_success() {
///     for doc in kyc.documents(&session).await? {
///         println!("{:?}: {:?}", doc.kind, doc.name);
///     }
/// }
/// # Ok(()) }
/// ```
///
/// Cheap to clone; share it across tasks.
#[derive(Debug, Clone)]
pub struct DigiLocker {
    inner: Inner,
    verify: Option<std::sync::Arc<VerifySettings>>,
}

#[derive(Debug)]
struct VerifySettings {
    anchors: crate::verify::TrustAnchors,
    policy: crate::verify::VerifyPolicy,
    required: bool,
}

#[derive(Debug, Clone)]
enum Inner {
    Sandbox { client: SandboxClient, flow: Flow },
    Eko(EkoClient),
}

impl DigiLocker {
    /// Run the flow through Sandbox (DigiLocker API, `signin` flow; see
    /// [`with_sandbox_flow`](Self::with_sandbox_flow)).
    pub fn sandbox(client: SandboxClient) -> Self {
        DigiLocker {
            inner: Inner::Sandbox {
                client,
                flow: Flow::Signin,
            },
            verify: None,
        }
    }

    /// Run the flow through Eko.
    pub fn eko(client: EkoClient) -> Self {
        DigiLocker {
            inner: Inner::Eko(client),
            verify: None,
        }
    }

    /// Verify each downloaded signed document against `anchors` (see
    /// [`crate::verify`]); the result is in [`Document::verification`].
    /// With `required`, a document that does not verify is
    /// [`Error::NotVerified`].
    pub fn with_verification(
        mut self,
        anchors: crate::verify::TrustAnchors,
        policy: crate::verify::VerifyPolicy,
        required: bool,
    ) -> Self {
        self.verify = Some(std::sync::Arc::new(VerifySettings {
            anchors,
            policy,
            required,
        }));
        self
    }

    /// Sandbox only: start sessions with this DigiLocker flow (`signin` for
    /// existing DigiLocker users, `signup` to create an account).
    pub fn with_sandbox_flow(mut self, flow: Flow) -> Self {
        if let Inner::Sandbox { flow: f, .. } = &mut self.inner {
            *f = flow;
        }
        self
    }

    /// Which aggregator this client uses.
    pub fn provider(&self) -> Provider {
        match self.inner {
            Inner::Sandbox { .. } => Provider::Sandbox,
            Inner::Eko(_) => Provider::Eko,
        }
    }

    /// Start a consent session for `docs`; the user comes back to
    /// `redirect_url` (Sandbox requires `https://`).
    pub async fn start(
        &self,
        docs: impl IntoIterator<Item = DocType>,
        redirect_url: &str,
    ) -> Result<Session> {
        let docs: Vec<DocType> = docs.into_iter().collect();
        match &self.inner {
            Inner::Sandbox { client, flow } => {
                let request = StartSession::new(*flow, docs.clone(), redirect_url)?;
                let s = client.start_session(request).await?;
                Ok(Session {
                    provider: Provider::Sandbox,
                    id: s.id,
                    authorization_url: s.authorization_url,
                    requested: docs,
                    verification_id: None,
                })
            }
            Inner::Eko(client) => {
                if docs.is_empty() {
                    return Err(Error::InvalidInput {
                        field: "document_requested",
                        reason: "ask for at least one document".into(),
                    });
                }
                let request = CreateUrl::new(redirect_url, docs.iter().map(EkoDocType::from))?;
                let link = client.create_url(request).await?;
                Ok(Session {
                    provider: Provider::Eko,
                    id: link.reference_id.to_string(),
                    authorization_url: link.url,
                    requested: docs,
                    verification_id: link.verification_id,
                })
            }
        }
    }

    /// Ask once where the session stands.
    pub async fn status(&self, session: &Session) -> Result<Outcome> {
        self.check_provider(session)?;
        match &self.inner {
            Inner::Sandbox { client, .. } => {
                let state = client.session_status(&session.id).await?;
                Ok(Outcome::from_sandbox(&state).or_requested(session.requested.iter().cloned()))
            }
            Inner::Eko(client) => match client.status(session.id.as_str()).await {
                Ok(status) => {
                    Ok(Outcome::from_eko(&status).or_requested(session.requested.iter().cloned()))
                }
                Err(Error::NotReady {
                    reason: NotReadyReason::Pending,
                    ..
                }) => Ok(Outcome::Pending),
                Err(e) => Err(e),
            },
        }
    }

    /// Poll until the session settles, under `policy`. Transient errors are
    /// ridden out within the policy's limits; when a limit is reached the
    /// result is [`Error::WaitTimedOut`]. Drop the future to cancel.
    pub async fn wait(&self, session: &Session, policy: &PollPolicy) -> Result<Outcome> {
        self.wait_with_progress(session, policy, |_| {}).await
    }

    /// [`wait`](Self::wait), calling `on_progress` after every status call
    /// (attempt number, elapsed time, the state or transient error, and the
    /// wait before the next call).
    pub async fn wait_with_progress(
        &self,
        session: &Session,
        policy: &PollPolicy,
        on_progress: impl FnMut(&Progress<'_, Outcome>),
    ) -> Result<Outcome> {
        poll_until(policy, || self.status(session), on_progress).await
    }

    /// Fetch every consented document, in the neutral form.
    ///
    /// Sandbox: each document's files are downloaded and XML files are read
    /// for the identity fields (Aadhaar, PAN, driving licence). Eko: the
    /// verification id must be known (see [`Session::record_callback`]); if
    /// it is not, it is looked up with a status call.
    pub async fn documents(&self, session: &Session) -> Result<Vec<Document>> {
        self.check_provider(session)?;
        match &self.inner {
            Inner::Sandbox { client, .. } => {
                let state = client.session_status(&session.id).await?;
                if !state.status.is_success() {
                    return Err(not_ready(session, &state.status));
                }
                let consented = state
                    .documents_consented
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| session.requested.clone());
                let mut out = Vec::new();
                for kind in consented {
                    let doc = client.document(&session.id, kind.clone()).await?;
                    out.push(sandbox_document(client, doc, self.verify.as_deref()).await?);
                }
                Ok(out)
            }
            Inner::Eko(client) => {
                if self.verify.as_ref().is_some_and(|v| v.required) {
                    return Err(Error::NotVerified(crate::verify::VerifyError::Malformed(
                        "Eko returns JSON documents, not the signed XML".into(),
                    )));
                }
                let verification_id = match &session.verification_id {
                    Some(v) => v.clone(),
                    None => client
                        .status(session.id.as_str())
                        .await?
                        .verification_id
                        .ok_or_else(|| Error::InvalidInput {
                            field: "verification_id",
                            reason: "not known yet: pass the URL the user was redirected to \
                                     to Session::record_callback"
                                .into(),
                        })?,
                };
                let docs = client
                    .document(
                        ReferenceId::from(session.id.as_str()),
                        verification_id,
                        session.requested.iter().map(EkoDocType::from),
                    )
                    .await?;
                Ok(docs
                    .documents
                    .into_iter()
                    .map(|d| Document::from_eko(d, docs.xml_file.clone()))
                    .collect())
            }
        }
    }

    /// The DigiLocker account holder's profile (Sandbox user profile; Eko's
    /// `user_details` from the status call).
    pub async fn profile(&self, session: &Session) -> Result<Profile> {
        self.check_provider(session)?;
        match &self.inner {
            Inner::Sandbox { client, .. } => {
                Ok(Profile::from(client.user_profile(&session.id).await?))
            }
            Inner::Eko(client) => {
                let status = client.status(session.id.as_str()).await?;
                let details = status
                    .user_details
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| Error::NotReady {
                        reason: NotReadyReason::Pending,
                        error: Box::new(crate::ProviderError::new(
                            Provider::Eko,
                            200,
                            "no user details yet: the user has not finished DigiLocker",
                        )),
                    })?;
                Ok(Profile::from(details))
            }
        }
    }

    fn check_provider(&self, session: &Session) -> Result<()> {
        if session.provider == self.provider() {
            Ok(())
        } else {
            Err(Error::InvalidInput {
                field: "session",
                reason: format!(
                    "a {} session cannot be used with a {} client",
                    session.provider,
                    self.provider()
                ),
            })
        }
    }
}

fn not_ready(session: &Session, status: &SessionStatus) -> Error {
    Error::NotReady {
        reason: NotReadyReason::Lifecycle,
        error: Box::new(crate::ProviderError::new(
            session.provider,
            200,
            format!("session is {status}, documents need a succeeded session"),
        )),
    }
}

/// Download the document's first file and read it when it is XML.
async fn sandbox_document(
    client: &SandboxClient,
    doc: sandbox::Document,
    verify: Option<&VerifySettings>,
) -> Result<Document> {
    // The first file with a link (a file listed without one cannot be read).
    let file = doc
        .files
        .iter()
        .find(|f| f.url.is_some())
        .or(doc.files.first())
        .cloned();
    let url = file.as_ref().and_then(|f| f.url.clone());
    let mut out = Document::sandbox_unread(doc.clone(), url);
    let Some(file) = file.filter(|f| f.url.is_some()) else {
        if verify.is_some_and(|v| v.required) {
            return Err(Error::NotVerified(crate::verify::VerifyError::Malformed(
                "the provider gave no signed file".into(),
            )));
        }
        return Ok(out);
    };
    let bytes = client.download(&file).await?;
    if let Some(v) = verify {
        match crate::verify::verify_document(&bytes, &v.anchors, &v.policy) {
            Ok(d) => out.verification = Verification::Verified(Box::new(d.evidence)),
            Err(e) if v.required => return Err(Error::NotVerified(e)),
            Err(e) => out.verification = Verification::Failed(e),
        }
    }
    if types::is_xml_file(&file, &bytes) {
        let id = xml::read_identity_async(bytes.clone())
            .await
            .map_err(|e| types::xml_error(&e, &bytes))?;
        out.set_identity(id);
    }
    out.set_sandbox_file(bytes);
    Ok(out)
}
