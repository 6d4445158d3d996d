//! Configuration of the Sandbox client: credentials, base URL, timeouts,
//! retries and token refresh.
//!
//! Build one with [`SandboxClient::builder`](super::SandboxClient::builder)
//! or read it from the environment with
//! [`SandboxClient::from_env`](super::SandboxClient::from_env).

use crate::error::{Error, Result};
use crate::http::HttpSettings;
use crate::redact::Secret;
use crate::retry::RetryPolicy;
use std::time::{Duration, SystemTime};

/// Environment variable holding the API key (`key_test_…` or `key_live_…`).
pub const ENV_API_KEY: &str = "SANDBOX_API_KEY";
/// Environment variable holding the API secret.
pub const ENV_API_SECRET: &str = "SANDBOX_API_SECRET";
/// Environment variable overriding the base URL (otherwise chosen from the
/// key prefix).
pub const ENV_BASE_URL: &str = "SANDBOX_BASE_URL";
/// Environment variable holding the optional `x-api-version` header value.
pub const ENV_API_VERSION: &str = "SANDBOX_API_VERSION";

/// Base URL used with `key_test_…` keys.
pub const TEST_BASE_URL: &str = "https://test-api.sandbox.co.in";
/// Base URL used with `key_live_…` keys.
pub const LIVE_BASE_URL: &str = "https://api.sandbox.co.in";

/// Default time before a token's expiry at which it is replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Default upper bound of a document download, in bytes (25 MiB).
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 25 * 1024 * 1024;

pub(crate) use crate::vocab::Clock;

/// The settings of a [`SandboxClient`](super::SandboxClient). Credentials
/// are held as [`Secret`]s; `Debug` never shows them.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub(crate) api_key: Secret,
    pub(crate) api_secret: Secret,
    pub(crate) base_url: String,
    pub(crate) api_version: Option<String>,
    pub(crate) http: HttpSettings,
    pub(crate) refresh_margin: Duration,
    pub(crate) max_download_bytes: u64,
    pub(crate) aadhaar_checksum: bool,
    pub(crate) clock: Clock,
}

impl SandboxConfig {
    /// The base URL every operation is sent to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `x-api-version` header value, when one is configured.
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// Timeouts, retry policy and user agent.
    pub fn http(&self) -> &HttpSettings {
        &self.http
    }

    /// How long before its expiry a token is replaced.
    pub fn token_refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The largest document download accepted, in bytes.
    pub fn max_download_bytes(&self) -> u64 {
        self.max_download_bytes
    }

    /// Whether Aadhaar numbers are checked against their Verhoeff check
    /// digit before sending.
    pub fn checks_aadhaar_checksum(&self) -> bool {
        self.aadhaar_checksum
    }

    /// Whether the API key is a test key (`key_test_…`).
    pub fn is_test_key(&self) -> bool {
        self.api_key.expose().starts_with("key_test_")
    }
}

/// Builder of a [`SandboxClient`](super::SandboxClient).
///
/// Values set explicitly win over the environment, whatever the order of
/// the calls. `build()` checks the result:
/// - the API key and secret are required;
/// - without a base URL, `key_test_…` selects [`TEST_BASE_URL`] and
///   `key_live_…` selects [`LIVE_BASE_URL`]; any other key needs an explicit
///   base URL.
#[derive(Debug, Default)]
pub struct SandboxClientBuilder {
    api_key: Option<Secret>,
    api_secret: Option<Secret>,
    base_url: Option<String>,
    api_version: Option<String>,
    http: Option<HttpSettings>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    refresh_margin: Option<Duration>,
    max_download_bytes: Option<u64>,
    aadhaar_checksum: bool,
    clock: Option<Clock>,
}

impl SandboxClientBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key (`x-api-key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(Secret::new(key));
        self
    }

    /// The API secret (`x-api-secret`, sent to `/authenticate` only).
    pub fn api_secret(mut self, secret: impl Into<String>) -> Self {
        self.api_secret = Some(Secret::new(secret));
        self
    }

    /// The base URL, e.g. `https://api.sandbox.co.in` (a trailing `/` is
    /// removed). Overrides the choice by key prefix.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Send `x-api-version: <version>` on every request (default: not sent,
    /// which selects Sandbox's latest version).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Start from these HTTP settings (the individual setters below still
    /// apply on top).
    pub fn http_settings(mut self, http: HttpSettings) -> Self {
        self.http = Some(http);
        self
    }

    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for a whole request, response body included.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Retry policy for requests that are safe to repeat.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The `User-Agent` header (default: `digilocker-kyc/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Replace a token this long before its expiry (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = Some(margin);
        self
    }

    /// The largest document download accepted (default 25 MiB); larger
    /// files fail with [`Error::TooLarge`].
    pub fn max_download_bytes(mut self, limit: u64) -> Self {
        self.max_download_bytes = Some(limit);
        self
    }

    /// Also check the Verhoeff check digit of Aadhaar numbers before sending
    /// (default off: the pattern `^[0-9]{12}$` alone is checked).
    pub fn verify_aadhaar_checksum(mut self, on: bool) -> Self {
        self.aadhaar_checksum = on;
        self
    }

    /// Read the wall clock through `now` instead of [`SystemTime::now`]
    /// (token expiry, `consent_expiry` checks). Meant for tests.
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Clock::from_fn(now));
        self
    }

    /// Fill the settings not set explicitly from the process environment:
    /// [`ENV_API_KEY`], [`ENV_API_SECRET`], [`ENV_BASE_URL`],
    /// [`ENV_API_VERSION`]. Empty variables count as unset.
    pub fn with_env(self) -> Self {
        self.with_vars(|name| std::env::var(name).ok())
    }

    /// Like [`with_env`](Self::with_env), reading each variable through
    /// `lookup` (a config file, a secret store, a test map). The same as
    /// [`with_vars`](Self::with_vars), under the name both builders share
    /// ([`EkoClientBuilder::with_lookup`](crate::eko::EkoClientBuilder::with_lookup)).
    pub fn with_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        self.with_vars(lookup)
    }

    /// Like [`with_env`](Self::with_env), reading each variable through
    /// `lookup` (a config file, a secret store, a test map).
    pub fn with_vars(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        if self.api_key.is_none() {
            self.api_key = get(ENV_API_KEY).map(|v| Secret::new(v.trim()));
        }
        if self.api_secret.is_none() {
            self.api_secret = get(ENV_API_SECRET).map(|v| Secret::new(v.trim()));
        }
        if self.base_url.is_none() {
            self.base_url = get(ENV_BASE_URL).map(|v| v.trim().to_string());
        }
        if self.api_version.is_none() {
            self.api_version = get(ENV_API_VERSION).map(|v| v.trim().to_string());
        }
        self
    }

    /// Check the settings and produce the configuration.
    pub fn build_config(self) -> Result<SandboxConfig> {
        let api_key = self
            .api_key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::Config(format!("missing API key: set {ENV_API_KEY}")))?;
        let api_secret = self
            .api_secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Config(format!("missing API secret: set {ENV_API_SECRET}")))?;
        let base_url = match self.base_url {
            Some(url) => check_base_url(&url)?,
            None if api_key.expose().starts_with("key_test_") => TEST_BASE_URL.to_string(),
            None if api_key.expose().starts_with("key_live_") => LIVE_BASE_URL.to_string(),
            None => {
                return Err(Error::Config(format!(
                    "the API key starts with neither key_test_ nor key_live_: set {ENV_BASE_URL}"
                )));
            }
        };
        if let Some(v) = &self.api_version
            && (v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Error::Config(
                "api_version must be a non-empty header value without spaces".into(),
            ));
        }
        let mut http = self.http.unwrap_or_default();
        if let Some(t) = self.connect_timeout {
            http.connect_timeout = t;
        }
        if let Some(t) = self.request_timeout {
            http.request_timeout = t;
        }
        if let Some(r) = self.retry {
            http.retry = r;
        }
        if let Some(ua) = self.user_agent {
            http.user_agent = ua;
        }
        if http.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry_policy.max_attempts must be at least 1".into(),
            ));
        }
        Ok(SandboxConfig {
            api_key,
            api_secret,
            base_url,
            api_version: self.api_version,
            http,
            refresh_margin: self.refresh_margin.unwrap_or(DEFAULT_REFRESH_MARGIN),
            max_download_bytes: self
                .max_download_bytes
                .unwrap_or(DEFAULT_MAX_DOWNLOAD_BYTES),
            aadhaar_checksum: self.aadhaar_checksum,
            clock: self.clock.unwrap_or_default(),
        })
    }

    /// Check the settings and build the client.
    pub fn build(self) -> Result<super::SandboxClient> {
        super::SandboxClient::with_config(self.build_config()?)
    }
}

fn check_base_url(url: &str) -> Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("base URL {trimmed:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::Config(format!(
            "base URL {trimmed:?} must be an http(s) URL with a host"
        )));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn base_url_follows_the_key_prefix() {
        let c = SandboxClientBuilder::new()
            .with_vars(vars(&[(ENV_API_KEY, "key_test_a"), (ENV_API_SECRET, "s")]))
            .build_config()
            .unwrap();
        assert_eq!(c.base_url(), TEST_BASE_URL);
        let c = SandboxClientBuilder::new()
            .api_key("key_live_a")
            .api_secret("s")
            .build_config()
            .unwrap();
        assert_eq!(c.base_url(), LIVE_BASE_URL);
        let e = SandboxClientBuilder::new()
            .api_key("other")
            .api_secret("s")
            .build_config()
            .unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e}");
    }

    #[test]
    fn explicit_values_win_over_the_environment() {
        let c = SandboxClientBuilder::new()
            .base_url("http://127.0.0.1:9/")
            .with_vars(vars(&[
                (ENV_API_KEY, "key_live_a"),
                (ENV_API_SECRET, "s"),
                (ENV_BASE_URL, "https://elsewhere.example"),
                (ENV_API_VERSION, "1.0"),
            ]))
            .build_config()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert_eq!(c.api_version(), Some("1.0"));
    }

    #[test]
    fn missing_credentials_are_config_errors() {
        let e = SandboxClientBuilder::new().build_config().unwrap_err();
        assert!(e.to_string().contains(ENV_API_KEY), "{e}");
        let e = SandboxClientBuilder::new()
            .api_key("key_test_a")
            .build_config()
            .unwrap_err();
        assert!(e.to_string().contains(ENV_API_SECRET), "{e}");
    }

    #[test]
    fn debug_hides_credentials() {
        let c = SandboxClientBuilder::new()
            .api_key("key_test_visible")
            .api_secret("secret_test_visible")
            .build_config()
            .unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("visible"), "{s}");
    }
}
