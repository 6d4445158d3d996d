//! Configuration of the Eko client: credentials, base URL, timeouts, retries
//! and the clock used for signing.

use super::client::{EkoClient, Inner};
use super::sign::Signer;
use crate::error::{Error, Result};
use crate::http::HttpSettings;
use crate::redact::{Masked, Secret};
use crate::retry::RetryPolicy;
use std::fmt;
use std::time::Duration;

/// Eko's UAT (staging) base URL.
pub const UAT_BASE_URL: &str = "https://staging.eko.in/ekoapi/v3";
/// Eko's production base URL. Some Eko pages give
/// `https://api.eko.in:25002/ekoicici/v3` instead; set it with
/// [`EkoClientBuilder::base_url`] if your account needs the port.
pub const PRODUCTION_BASE_URL: &str = "https://api.eko.in/ekoicici/v3";

/// `developer_key` (required).
pub const ENV_DEVELOPER_KEY: &str = "EKO_DEVELOPER_KEY";
/// Access key used to sign requests (required).
pub const ENV_ACCESS_KEY: &str = "EKO_ACCESS_KEY";
/// `initiator_id`: the registered mobile number of the API user (required).
pub const ENV_INITIATOR_ID: &str = "EKO_INITIATOR_ID";
/// `user_code` (optional).
pub const ENV_USER_CODE: &str = "EKO_USER_CODE";
/// Base URL, or a preset name: `uat`/`staging` or `production`/`prod`
/// (optional; UAT when unset).
pub const ENV_BASE_URL: &str = "EKO_BASE_URL";

pub use crate::vocab::Clock;

/// The system clock.
pub fn system_clock() -> Clock {
    Clock::system()
}

/// Eko's published environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EkoEnvironment {
    /// UAT / staging: [`UAT_BASE_URL`].
    Uat,
    /// Production: [`PRODUCTION_BASE_URL`].
    Production,
}

impl EkoEnvironment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            EkoEnvironment::Uat => UAT_BASE_URL,
            EkoEnvironment::Production => PRODUCTION_BASE_URL,
        }
    }
}

/// Builds an [`EkoClient`].
///
/// ```no_run
/// # fn main() -> digilocker_kyc::Result<()> {
/// use digilocker_kyc::eko::{EkoClient, EkoEnvironment};
/// let eko = EkoClient::builder()
///     .developer_key("becbbce45f79c6f5109f848acd540567")
///     .access_key("d2fe1d99-6298-4af2-8cc5-d97dcf46df30")
///     .initiator_id("9962981729")
///     .user_code("20810200")
///     .environment(EkoEnvironment::Uat)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct EkoClientBuilder {
    developer_key: Option<Secret>,
    access_key: Option<Secret>,
    initiator_id: Option<String>,
    user_code: Option<String>,
    base_url: String,
    /// Whether `base_url` was chosen (so `with_env` leaves it alone).
    base_url_set: bool,
    http: HttpSettings,
    clock: Clock,
}

impl Default for EkoClientBuilder {
    fn default() -> Self {
        EkoClientBuilder {
            developer_key: None,
            access_key: None,
            initiator_id: None,
            user_code: None,
            base_url: UAT_BASE_URL.to_string(),
            base_url_set: false,
            http: HttpSettings::default(),
            clock: system_clock(),
        }
    }
}

impl fmt::Debug for EkoClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EkoClientBuilder")
            .field("developer_key", &self.developer_key)
            .field("access_key", &self.access_key)
            .field("initiator_id", &self.initiator_id.as_ref().map(Masked::new))
            .field("user_code", &self.user_code)
            .field("base_url", &self.base_url)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl EkoClientBuilder {
    /// A builder with UAT as the base URL, default timeouts and retries, and
    /// the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder filled from the environment: `EKO_DEVELOPER_KEY`,
    /// `EKO_ACCESS_KEY`, `EKO_INITIATOR_ID` (required), `EKO_USER_CODE` and
    /// `EKO_BASE_URL` (optional). Missing required variables are reported by
    /// [`build`](Self::build).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`
    /// (for tests and for configuration systems other than the process
    /// environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let b = EkoClientBuilder::new().with_lookup(lookup);
        let missing: Vec<&str> = [
            (ENV_DEVELOPER_KEY, b.developer_key.is_none()),
            (ENV_ACCESS_KEY, b.access_key.is_none()),
            (ENV_INITIATOR_ID, b.initiator_id.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "environment variable(s) not set: {}",
                missing.join(", ")
            )));
        }
        Ok(b)
    }

    /// Fill the settings not set explicitly from the process environment
    /// (the variables of [`from_env`](Self::from_env)); empty variables
    /// count as unset, and missing required ones are reported by
    /// [`build`](Self::build). The same pattern as
    /// [`SandboxClientBuilder::with_env`](crate::sandbox::SandboxClientBuilder::with_env).
    pub fn with_env(self) -> Self {
        self.with_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`with_env`](Self::with_env), reading each variable through
    /// `lookup` (a config file, a secret store, a test map).
    pub fn with_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if self.developer_key.is_none() {
            self.developer_key = get(ENV_DEVELOPER_KEY).map(Secret::from);
        }
        if self.access_key.is_none() {
            self.access_key = get(ENV_ACCESS_KEY).map(Secret::from);
        }
        if self.initiator_id.is_none() {
            self.initiator_id = get(ENV_INITIATOR_ID);
        }
        if self.user_code.is_none() {
            self.user_code = get(ENV_USER_CODE);
        }
        if !self.base_url_set
            && let Some(v) = get(ENV_BASE_URL)
        {
            self = match v.to_ascii_lowercase().as_str() {
                "uat" | "staging" => self.environment(EkoEnvironment::Uat),
                "production" | "prod" => self.environment(EkoEnvironment::Production),
                _ => self.base_url(v),
            };
        }
        self
    }

    /// The static `developer_key`.
    pub fn developer_key(mut self, key: impl Into<Secret>) -> Self {
        self.developer_key = Some(key.into());
        self
    }

    /// The access key that signs requests (not the developer key).
    pub fn access_key(mut self, key: impl Into<Secret>) -> Self {
        self.access_key = Some(key.into());
        self
    }

    /// Default `initiator_id` (registered mobile number of the API user).
    pub fn initiator_id(mut self, id: impl Into<String>) -> Self {
        self.initiator_id = Some(id.into());
        self
    }

    /// Default `user_code`, sent on Create URL and Get Document.
    pub fn user_code(mut self, code: impl Into<String>) -> Self {
        self.user_code = Some(code.into());
        self
    }

    /// Use one of Eko's environments.
    pub fn environment(mut self, env: EkoEnvironment) -> Self {
        self.base_url = env.base_url().to_string();
        self.base_url_set = true;
        self
    }

    /// Use another base URL (a proxy, a mock server, the `:25002` production
    /// form). Paths such as `/tools/kyc/digilocker` are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self.base_url_set = true;
        self
    }

    /// Replace all HTTP settings at once.
    pub fn http_settings(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }

    /// Time allowed to connect.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.http.connect_timeout = d;
        self
    }

    /// Time allowed for a whole request.
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.http.request_timeout = d;
        self
    }

    /// Retry policy for the status call and for requests that never reached
    /// Eko.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.http.retry = policy;
        self
    }

    /// `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.http.user_agent = ua.into();
        self
    }

    /// The clock used for `secret-key-timestamp` (milliseconds since the
    /// epoch). Called once per attempt.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Clock::from_millis_fn(clock);
        self
    }

    /// Check the configuration and build the client.
    pub fn build(self) -> Result<EkoClient> {
        let developer_key = self
            .developer_key
            .filter(|k| !k.expose().trim().is_empty())
            .ok_or_else(|| Error::Config("the Eko developer_key is not set".into()))?;
        let access_key = self
            .access_key
            .filter(|k| !k.expose().trim().is_empty())
            .ok_or_else(|| Error::Config("the Eko access_key is not set".into()))?;
        let initiator_id = self
            .initiator_id
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Config("the Eko initiator_id is not set".into()))?;
        let user_code = self
            .user_code
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let parsed = url::Url::parse(self.base_url.trim())
            .map_err(|e| Error::Config(format!("invalid Eko base URL {:?}: {e}", self.base_url)))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::Config(format!(
                "invalid Eko base URL {:?}: must be an http(s) URL with a host",
                self.base_url
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Config(format!(
                "invalid Eko base URL {:?}: must not have a query or fragment",
                self.base_url
            )));
        }
        let base_url = parsed.as_str().trim_end_matches('/').to_string();
        let http = self.http.client()?;
        let runtime = super::Runtime(std::sync::Arc::new(super::runtime::Shared {
            developer_key_header: reqwest::header::HeaderValue::from_str(developer_key.expose())
                .ok(),
            developer_key,
            signer: Signer::new(&access_key),
            retry: self.http.retry,
            clock: self.clock,
        }));
        Ok(EkoClient::from_inner(Inner {
            api: crate::generated::eko::Client::new_with_client(&base_url, http, runtime),
            base_url,
            initiator_id,
            user_code,
        }))
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            ENV_DEVELOPER_KEY => Some("dev-from-env".into()),
            ENV_ACCESS_KEY => Some(" access-from-env ".into()),
            ENV_INITIATOR_ID => Some("9962981729".into()),
            ENV_BASE_URL => Some("production".into()),
            _ => None,
        }
    }

    /// `with_lookup` fills only what was not set, as Sandbox's does; a
    /// chosen base URL stays.
    #[test]
    fn with_lookup_fills_only_unset_settings() {
        let b = EkoClientBuilder::new()
            .developer_key("dev-explicit")
            .base_url("http://127.0.0.1:9")
            .with_lookup(vars);
        assert_eq!(b.developer_key.as_ref().unwrap().expose(), "dev-explicit");
        assert_eq!(b.access_key.as_ref().unwrap().expose(), "access-from-env");
        assert_eq!(b.initiator_id.as_deref(), Some("9962981729"));
        assert_eq!(b.base_url, "http://127.0.0.1:9");
        let b = EkoClientBuilder::new().with_lookup(vars);
        assert_eq!(b.base_url, PRODUCTION_BASE_URL);
        // Missing required settings are build's to report.
        let e = EkoClientBuilder::new()
            .with_lookup(|_| None)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("developer_key"), "{e}");
        // from_lookup still refuses at once, naming every missing variable.
        let e = EkoClientBuilder::from_lookup(|_| None).unwrap_err();
        for v in [ENV_DEVELOPER_KEY, ENV_ACCESS_KEY, ENV_INITIATOR_ID] {
            assert!(e.to_string().contains(v), "{e}");
        }
    }
}
