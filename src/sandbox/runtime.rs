//! The Sandbox runtime: what the generated client carries
//! (`with_inner_type`) and its hooks. `pre` puts the access token (from the
//! single-flight cache), `x-api-key` and, where the operation defines it,
//! `x-api-version` on the request, or the key and secret for
//! `/authenticate`; `exec` runs the crate's one retry loop, which renews a
//! token Sandbox rejects once.

use super::config::SandboxConfig;
use super::engine::token_rejected;
use super::token::{self, TokenCache};
use crate::error::{Error, Result};
use crate::generated::sandbox::{self as generated, rules};
use crate::runtime::{self, Credentials};
use progenitor_client::ClientInfo as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use std::fmt;
use std::sync::Arc;

/// What the generated Sandbox client carries: the configuration and the
/// access-token cache, shared by every clone of a
/// [`SandboxClient`](super::SandboxClient). Get the generated client with
/// its runtime from [`SandboxClient::generated`](super::SandboxClient::generated).
#[derive(Clone)]
pub struct Runtime(pub(crate) Arc<Shared>);

pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    pub(crate) tokens: TokenCache,
    /// `x-api-key` and `x-api-version` as header values, made once.
    key: Option<HeaderValue>,
    version: Option<HeaderValue>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.debug_as("Runtime", f)
    }
}

impl Shared {
    /// `Debug` of what the runtime holds, under `name` (the runtime's and
    /// the facade client's, which show the same: the configuration, with
    /// its secrets masked, and the token cache).
    pub(crate) fn debug_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("config", &self.config)
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl Runtime {
    pub(crate) fn new(config: SandboxConfig) -> Self {
        let key = HeaderValue::from_str(config.api_key.expose()).ok();
        let version = config
            .api_version
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok());
        Runtime(Arc::new(Shared {
            config,
            tokens: TokenCache::new(),
            key,
            version,
        }))
    }
}

/// Whether `operation_id` documents the header `name`.
fn declares(operation_id: &str, name: &str) -> bool {
    crate::generated::HeaderRule::find(rules::RUNTIME_HEADERS, operation_id, name).is_some()
}

/// A header value from configuration; a value no header can carry is a
/// configuration error (nothing is sent).
fn header(what: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the {what} cannot be sent as an HTTP header")))
}

/// The credentials of one Sandbox client.
struct Auth<'a>(&'a generated::Client);

impl Auth<'_> {
    fn shared(&self) -> &Shared {
        &self.0.inner().0
    }
}

impl Credentials for Auth<'_> {
    async fn apply(
        &self,
        request: &mut reqwest::Request,
        operation_id: &'static str,
    ) -> Result<()> {
        let shared = self.shared();
        let cfg = &shared.config;
        let key = shared
            .key
            .clone()
            .ok_or_else(|| Error::Config("the API key cannot be sent as an HTTP header".into()))?;
        let auth = if operation_id == "authenticate" {
            (
                "x-api-secret",
                header("API secret", cfg.api_secret.expose())?,
            )
        } else {
            // The usual case, a cached token, costs no allocation.
            let token = match shared.tokens.fresh(cfg.clock.now()) {
                Some(t) => t,
                None => token::current(self.0).await?,
            };
            let value = match token.header {
                Some(h) => h,
                None => header("access token", token.value.expose())?,
            };
            ("authorization", value)
        };
        let headers = request.headers_mut();
        headers.insert("x-api-key", key);
        headers.insert(auth.0, auth.1);
        if cfg.api_version.is_some() && declares(operation_id, "x-api-version") {
            let v = shared.version.clone().ok_or_else(|| {
                Error::Config("the API version cannot be sent as an HTTP header".into())
            })?;
            headers.insert("x-api-version", v);
        }
        Ok(())
    }

    fn renewable(&self, operation_id: &str) -> bool {
        operation_id != "authenticate"
    }

    fn rejected(&self, status: u16, body: &[u8]) -> bool {
        token_rejected(status, body)
    }

    fn renew(&self, sent: &HeaderMap) {
        if let Some(token) = sent.get(AUTHORIZATION) {
            self.shared().tokens.invalidate_value(token.as_bytes());
        }
    }
}

runtime::client_hooks!(generated::Client, Runtime, |c| creds: Auth(c), policy: &c.inner().0.config.http.retry);
