//! The Eko runtime: what the generated client carries (`with_inner_type`)
//! and its hooks. Every attempt, repeats included, gets the developer key
//! and a fresh `secret-key-timestamp` / `secret-key` pair; `exec` runs the
//! crate's one retry loop.

use super::config::Clock;
use super::sign::Signer;
use crate::error::{Error, Result};
use crate::generated::eko::{self as generated, rules};
use crate::redact::Secret;
use crate::retry::RetryPolicy;
use crate::runtime::{self, Credentials};
use progenitor_client::ClientInfo as _;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;

/// What the generated Eko client carries: the developer key, the signer
/// (the access key's precomputed HMAC state), the retry policy and the
/// clock signatures are made by. Shared by every clone of an
/// [`EkoClient`](super::EkoClient); get the generated client with its
/// runtime from [`EkoClient::generated`](super::EkoClient::generated).
#[derive(Clone)]
pub struct Runtime(pub(crate) Arc<Shared>);

pub(crate) struct Shared {
    pub(crate) developer_key: Secret,
    /// `developer_key` as a header value, made once (`None`: it cannot be
    /// one, and every request fails with a configuration error).
    pub(crate) developer_key_header: Option<HeaderValue>,
    pub(crate) signer: Signer,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Clock,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("developer_key", &self.0.developer_key)
            .field("access_key", &self.0.signer)
            .field("retry", &self.0.retry)
            .finish_non_exhaustive()
    }
}

static DEVELOPER_KEY: HeaderName = HeaderName::from_static("developer_key");
static SECRET_KEY: HeaderName = HeaderName::from_static("secret-key");
static SECRET_KEY_TIMESTAMP: HeaderName = HeaderName::from_static("secret-key-timestamp");

impl Credentials for Shared {
    async fn apply(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<()> {
        let signature = self.signer.sign(self.clock.now_ms());
        let value = |what: &str, v: &str| {
            HeaderValue::from_str(v).map_err(|_| {
                Error::Config(format!("the Eko {what} cannot be sent as an HTTP header"))
            })
        };
        let developer_key = self.developer_key_header.clone().ok_or_else(|| {
            Error::Config("the Eko developer key cannot be sent as an HTTP header".into())
        })?;
        let secret_key = value("signature", signature.secret_key.expose())?;
        let timestamp = value("timestamp", signature.timestamp.as_str())?;
        let headers = request.headers_mut();
        headers.insert(DEVELOPER_KEY.clone(), developer_key);
        headers.insert(SECRET_KEY.clone(), secret_key);
        headers.insert(SECRET_KEY_TIMESTAMP.clone(), timestamp);
        // Eko documents `Content-Type: application/json` on every
        // operation, the GET included.
        if !headers.contains_key(CONTENT_TYPE)
            && let Some(ct) = crate::generated::HeaderRule::find(
                rules::RUNTIME_HEADERS,
                operation_id,
                "content-type",
            )
            .and_then(|h| h.value)
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        Ok(())
    }
}

runtime::client_hooks!(generated::Client, Runtime, |c| creds: *c.inner().0, policy: &c.inner().0.retry);
