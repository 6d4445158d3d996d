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
use crate::http::MAX_JSON_BODY;
use crate::runtime::{self, Credentials};
use progenitor_client::{ClientHooks, ClientInfo as _, OperationInfo};
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
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.0.config)
            .field("tokens", &self.0.tokens)
            .finish()
    }
}

impl Runtime {
    pub(crate) fn new(config: SandboxConfig) -> Self {
        Runtime(Arc::new(Shared {
            config,
            tokens: TokenCache::new(),
        }))
    }
}

/// Whether `operation_id` documents the header `name`.
fn declares(operation_id: &str, name: &str) -> bool {
    rules::RUNTIME_HEADERS
        .iter()
        .any(|h| h.operation_id == operation_id && h.name == name)
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
        let cfg = &self.shared().config;
        let mut set = HeaderMap::new();
        set.insert("x-api-key", header("API key", cfg.api_key.expose())?);
        if operation_id == "authenticate" {
            set.insert(
                "x-api-secret",
                header("API secret", cfg.api_secret.expose())?,
            );
        } else {
            let token = token::current(self.0).await?;
            set.insert(AUTHORIZATION, header("access token", token.value.expose())?);
        }
        if let Some(v) = &cfg.api_version
            && declares(operation_id, "x-api-version")
        {
            set.insert("x-api-version", header("API version", v)?);
        }
        for (name, value) in set {
            if let Some(name) = name {
                request.headers_mut().insert(name, value);
            }
        }
        Ok(())
    }

    fn rejected(&self, operation_id: &str, status: u16, body: &[u8]) -> bool {
        operation_id != "authenticate" && token_rejected(status, body)
    }

    fn renew(&self, sent: &HeaderMap) {
        if let Some(token) = sent.get(AUTHORIZATION) {
            self.shared().tokens.invalidate_value(token.as_bytes());
        }
    }
}

impl ClientHooks<Runtime> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        runtime::prepare(&Auth(self), request, info.operation_id)
            .await
            .map_err(progenitor_client::Error::Custom)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner().0.config.http.retry;
        runtime::execute(
            self.client(),
            request,
            info.operation_id,
            policy,
            &Auth(self),
            MAX_JSON_BODY,
        )
        .await
    }
}
