//! Sandbox (api.sandbox.co.in) facade: DigiLocker, DigiLocker SDK,
//! EntityLocker and EntityLocker SDK operations with authentication,
//! validation, retries and typed errors.
//!
//! ```no_run
//! use digilocker_kyc::sandbox::{DocType, Flow, SandboxClient, StartSession, VerifyUser};
//!
//! # async fn run() -> digilocker_kyc::Result<()> {
//! let sb = SandboxClient::from_env()?;
//! let exists = sb.verify_user(VerifyUser::mobile("9687205427")?).await?;
//! let flow = if exists { Flow::Signin } else { Flow::Signup };
//! let session = sb
//!     .start_session(StartSession::new(
//!         flow,
//!         [DocType::Aadhaar, DocType::Pan],
//!         "https://app.example/kyc/done",
//!     )?)
//!     .await?;
//! println!("send the user to {}", session.authorization_url);
//! // ... later, when the user is back:
//! let status = sb.session_status(&session.id).await?;
//! if status.status.is_success() {
//!     let doc = sb.document(&session.id, DocType::Aadhaar).await?;
//!     let xml = doc.files[0].download(&sb).await?;
//!     let profile = sb.user_profile(&session.id).await?;
//!     println!("{} bytes for {}", xml.len(), profile.name);
//! }
//! # Ok(()) }
//! ```
//!
//! What the client takes care of:
//! - **Authentication.** `POST /authenticate` with the key and secret, on
//!   first use; the token (sent raw in `Authorization`, no `Bearer`) is
//!   shared by all clones and replaced a margin before its JWT `exp`
//!   (24 hours assumed when unreadable). However many calls find it missing
//!   at once, one `/authenticate` is made. A token Sandbox rejects (401, or
//!   403 about the token) is replaced once and the call repeated once.
//! - **Validation.** Requests are checked against the spec before anything
//!   is sent ([`Error::InvalidInput`](crate::Error::InvalidInput)).
//! - **Retries.** Reads and `/authenticate` are repeated on 429, 500, 502,
//!   503, 504 and transport errors, with backoff and jitter, honouring
//!   `Retry-After`; POSTs only when they provably never left.
//! - **Errors.** 401/403 → `Auth`; 429 → `RateLimited`; 521 →
//!   `SessionNotFound`; 523 and "Consent for … not provided" → `NotReady`;
//!   anything else → `Provider` with Sandbox's message and transaction id;
//!   an unreadable body → `Decode` with the status and a masked excerpt.
//! - **Privacy.** Credentials and tokens never appear in `Debug`; Aadhaar
//!   and mobile numbers are masked; spans record the operation, status,
//!   duration and transaction id, never bodies.
//!
//! Environment variables read by [`SandboxClient::from_env`]:
//!
//! | Variable | Meaning |
//! |---|---|
//! | `SANDBOX_API_KEY` | API key (`key_test_…` or `key_live_…`), required |
//! | `SANDBOX_API_SECRET` | API secret, required |
//! | `SANDBOX_BASE_URL` | base URL; default from the key prefix: `https://test-api.sandbox.co.in` or `https://api.sandbox.co.in` |
//! | `SANDBOX_API_VERSION` | value of the optional `x-api-version` header |

mod config;
pub(crate) mod engine;
pub(crate) mod ops;
mod runtime;
mod token;
mod types;
pub(crate) mod validate;

pub use config::{
    DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_REFRESH_MARGIN, ENV_API_KEY, ENV_API_SECRET,
    ENV_API_VERSION, ENV_BASE_URL, LIVE_BASE_URL, SandboxClientBuilder, SandboxConfig,
    TEST_BASE_URL,
};
pub use runtime::Runtime;
pub use types::{
    CreateSdkSession, DateOfBirth, DocKind, DocType, Document, DocumentFile, EntityDetails,
    EntityDocType, FileMetadata, Flow, SdkSession, Session, SessionOptions, SessionState,
    SessionStatus, StartEntitySession, StartSession, UserProfile, VerificationMethod, VerifiedBy,
    VerifyUser,
};
pub use validate::verhoeff_valid;

use crate::error::Result;
use crate::generated::sandbox as generated;
use std::fmt;
use std::sync::Arc;

/// Client for Sandbox's DigiLocker family of APIs.
///
/// Cheap to clone (an `Arc` inside); clones share the HTTP connection pool
/// and the access token. `Debug` shows the configuration without secrets.
#[derive(Clone)]
pub struct SandboxClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// The generated client, carrying the [`Runtime`] (configuration and
    /// token cache) its hooks use.
    api: generated::Client,
    http: reqwest::Client,
}

impl fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use progenitor_client::ClientInfo as _;
        self.inner.api.inner().0.debug_as("SandboxClient", f)
    }
}

impl SandboxClient {
    /// A builder; see [`SandboxClientBuilder`].
    pub fn builder() -> SandboxClientBuilder {
        SandboxClientBuilder::new()
    }

    /// A client configured from the environment (`SANDBOX_API_KEY`,
    /// `SANDBOX_API_SECRET`, optional `SANDBOX_BASE_URL` and
    /// `SANDBOX_API_VERSION`), with default timeouts and retries.
    pub fn from_env() -> Result<Self> {
        Self::builder().with_env().build()
    }

    /// A client with this configuration.
    pub fn with_config(config: SandboxConfig) -> Result<Self> {
        let http = config.http.client()?;
        let base_url = config.base_url.clone();
        let api = generated::Client::new_with_client(&base_url, http.clone(), Runtime::new(config));
        Ok(SandboxClient {
            inner: Arc::new(Inner { api, http }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &SandboxConfig {
        use progenitor_client::ClientInfo as _;
        &self.inner.api.inner().0.config
    }

    /// The generated client this facade sends through, with its runtime:
    /// every operation exactly as the spec describes it, the access token,
    /// `x-api-key` and retries applied by its hooks (no facade validation,
    /// no mapping of Sandbox's error envelope).
    pub fn generated(&self) -> &generated::Client {
        &self.inner.api
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations' futures can be spawned on a multi-threaded runtime.
    #[test]
    fn operation_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let c = SandboxClient::builder()
            .api_key("key_test_send")
            .api_secret("secret_test_send")
            .build()
            .unwrap();
        assert_send(&c.session_status("s"));
        assert_send(&c.document("s", DocType::Aadhaar));
        assert_send(&c.entity_details("s"));
        assert_send(&c.verify_user(VerifyUser::mobile("9000000001").unwrap()));
    }

    #[test]
    fn client_is_shareable() {
        fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
        assert_shareable::<SandboxClient>();
    }
}
