//! The crate's one error type.
//!
//! Every failure a caller can see is an [`Error`]. Its `Display` is one line
//! that always carries the provider's own message and transaction id when
//! there is one; `source()` gives the underlying cause where it exists.

use crate::redact::{MaskedDebug, mask_sensitive};
use std::fmt;
use std::time::Duration;

/// Which aggregator a value or an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Sandbox (api.sandbox.co.in).
    Sandbox,
    /// Eko (developers.eko.in).
    Eko,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Sandbox => "Sandbox",
            Provider::Eko => "Eko",
        })
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a provider said when it refused a request.
///
/// Built from the provider's error envelope (Sandbox: `code`, `message`,
/// `timestamp`, `transaction_id`; Eko: `status`, `message`,
/// `response_status_id`, `response_type_id`, `invalid_params`). Fields the
/// provider did not send are `None`.
///
/// `Display` and `Debug` pass the message and the `invalid_params` through
/// [`mask_sensitive`]: a provider may echo the Aadhaar or mobile number
/// it refused.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderError {
    /// The aggregator that answered.
    pub provider: Provider,
    /// HTTP status of the response.
    pub http_status: u16,
    /// The provider's own code: Sandbox `code`, Eko `status`.
    pub code: Option<i64>,
    /// The provider's message, or a short description when it sent none.
    pub message: String,
    /// Sandbox `transaction_id` (quote it to Sandbox support).
    pub transaction_id: Option<String>,
    /// Sandbox `timestamp` (milliseconds since the epoch).
    pub timestamp: Option<i64>,
    /// Eko `response_status_id`.
    pub response_status_id: Option<i64>,
    /// Eko `response_type_id`.
    pub response_type_id: Option<i64>,
    /// Eko `invalid_params`: field name to problem, sorted by field.
    pub invalid_params: Vec<(String, String)>,
}

impl ProviderError {
    /// A provider error with only the status and message set.
    pub fn new(provider: Provider, http_status: u16, message: impl Into<String>) -> Self {
        ProviderError {
            provider,
            http_status,
            code: None,
            message: message.into(),
            transaction_id: None,
            timestamp: None,
            response_status_id: None,
            response_type_id: None,
            invalid_params: Vec::new(),
        }
    }
}

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderError")
            .field("provider", &self.provider)
            .field("http_status", &self.http_status)
            .field("code", &self.code)
            .field("message", &MaskedDebug(&self.message))
            .field("transaction_id", &self.transaction_id)
            .field("timestamp", &self.timestamp)
            .field("response_status_id", &self.response_status_id)
            .field("response_type_id", &self.response_type_id)
            .field("invalid_params", &MaskedDebug(&self.invalid_params))
            .finish()
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_sensitive(&self.unmasked()))
    }
}

impl ProviderError {
    fn unmasked(&self) -> String {
        let mut f = String::new();
        let _ = self.write_unmasked(&mut f);
        f
    }

    fn write_unmasked(&self, f: &mut String) -> fmt::Result {
        use std::fmt::Write as _;
        write!(f, "{} HTTP {}", self.provider, self.http_status)?;
        if let Some(code) = self.code
            && code != i64::from(self.http_status)
        {
            write!(f, " (code {code})")?;
        }
        write!(f, ": {}", self.message)?;
        if !self.invalid_params.is_empty() {
            let fields: Vec<String> = self
                .invalid_params
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            write!(f, " [{}]", fields.join("; "))?;
        }
        if let Some(t) = &self.transaction_id {
            write!(f, " (transaction {t})")?;
        }
        Ok(())
    }
}

/// How a request failed to complete at the transport level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be established; the request was not sent.
    Connect,
    /// The request or the response timed out.
    Timeout,
    /// The connection broke while sending or receiving.
    Io,
    /// The request could not be built (invalid header value, URL...).
    Request,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Io => "connection failed",
            TransportKind::Request => "could not build the request",
        })
    }
}

/// Why a session is not ready for the call made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotReadyReason {
    /// The user has not (yet) consented to share this document.
    ConsentMissing,
    /// The session is not in a state that allows the call (Sandbox 523).
    Lifecycle,
    /// The user has not finished the DigiLocker journey (Eko pending).
    Pending,
}

/// Every error of this crate.
///
/// `Display` is one line; it and `Debug` pass every text the error holds
/// (provider messages, reasons, excerpts, the transport cause) through
/// [`mask_sensitive`], so personal identifiers and tokens never reach a log
/// through an error.
#[non_exhaustive]
pub enum Error {
    /// A document's signature was not verified and the client's policy
    /// requires verification (see `DigiLocker::with_verification`).
    NotVerified(crate::verify::VerifyError),
    /// The input was rejected before anything was sent.
    InvalidInput {
        /// The offending field, as the provider names it.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The client is misconfigured (missing credential, bad base URL...).
    Config(String),

    /// The provider rejected the credentials, token or signature.
    Auth(Box<ProviderError>),

    /// The provider asked us to slow down (HTTP 429) and retries ran out.
    RateLimited {
        /// What the provider said.
        error: Box<ProviderError>,
        /// The provider's `Retry-After`, when given.
        retry_after: Option<Duration>,
    },

    /// The session id is unknown to the provider (Sandbox HTTP 521).
    SessionNotFound(Box<ProviderError>),

    /// The session is not ready for this call: consent missing, wrong
    /// lifecycle state (Sandbox 523) or the user has not finished (Eko).
    NotReady {
        /// Why.
        reason: NotReadyReason,
        /// What the provider said.
        error: Box<ProviderError>,
    },

    /// Any other error the provider reported.
    Provider(Box<ProviderError>),

    /// The request did not complete.
    Transport {
        /// The provider called.
        provider: Provider,
        /// What went wrong.
        kind: TransportKind,
        /// Whether the provider may have received (and acted on) the request.
        may_have_been_sent: bool,
        /// The underlying error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The response could not be understood (not JSON, truncated, wrong
    /// types). Holds the HTTP status and a bounded, redacted excerpt.
    Decode {
        /// The provider called.
        provider: Provider,
        /// HTTP status of the response.
        status: u16,
        /// What the decoder said.
        message: String,
        /// At most a few hundred characters of the body, with personal data
        /// and tokens masked.
        excerpt: String,
    },

    /// A pre-signed document link has expired; fetch the document again for
    /// a fresh link.
    LinkExpired {
        /// HTTP status of the download.
        status: u16,
    },

    /// A response or download exceeded its size limit (API responses: a
    /// fixed 16 MiB; downloads: `max_download_bytes`). Nothing more was read.
    TooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },

    /// Waiting for a session ended without a final outcome.
    WaitTimedOut {
        /// How many status calls were made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// Which limit was hit.
        reason: String,
    },
}

impl Error {
    /// The one-line message before masking.
    fn unmasked(&self) -> String {
        match self {
            Error::NotVerified(e) => format!("document not verified: {e}"),
            Error::InvalidInput { field, reason } => format!("invalid {field}: {reason}"),
            Error::Config(m) => format!("configuration: {m}"),
            Error::Auth(e) => format!("authentication failed: {}{}", e.unmasked(), auth_hint(e)),
            Error::RateLimited { error, retry_after } => format!(
                "rate limited: {}{}",
                error.unmasked(),
                retry_after
                    .map(|d| format!(" (retry after {}s)", d.as_secs()))
                    .unwrap_or_default()
            ),
            Error::SessionNotFound(e) => format!("session not found: {}", e.unmasked()),
            Error::NotReady { error, .. } => format!("session not ready: {}", error.unmasked()),
            Error::Provider(e) => e.unmasked(),
            Error::Transport {
                provider,
                kind,
                may_have_been_sent,
                source,
            } => format!(
                "{provider} request {kind}{}: {source}",
                if *may_have_been_sent {
                    " (it may have reached the provider)"
                } else {
                    ""
                }
            ),
            Error::Decode {
                provider,
                status,
                message,
                excerpt,
            } => format!(
                "{provider} sent an unreadable response (HTTP {status}): {message}; body starts: {excerpt:?}"
            ),
            Error::LinkExpired { status } => format!(
                "document link expired (HTTP {status}); fetch the document again for a new link"
            ),
            Error::TooLarge { limit } => format!("response exceeds the limit of {limit} bytes"),
            Error::WaitTimedOut {
                attempts,
                elapsed,
                reason,
            } => format!("gave up waiting after {attempts} polls in {elapsed:?}: {reason}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_sensitive(&self.unmasked()))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotVerified(e) => f.debug_tuple("NotVerified").field(&MaskedDebug(e)).finish(),
            Error::InvalidInput { field, reason } => f
                .debug_struct("InvalidInput")
                .field("field", field)
                .field("reason", &MaskedDebug(reason))
                .finish(),
            Error::Config(m) => f.debug_tuple("Config").field(&MaskedDebug(m)).finish(),
            Error::Auth(e) => f.debug_tuple("Auth").field(e).finish(),
            Error::RateLimited { error, retry_after } => f
                .debug_struct("RateLimited")
                .field("error", error)
                .field("retry_after", retry_after)
                .finish(),
            Error::SessionNotFound(e) => f.debug_tuple("SessionNotFound").field(e).finish(),
            Error::NotReady { reason, error } => f
                .debug_struct("NotReady")
                .field("reason", reason)
                .field("error", error)
                .finish(),
            Error::Provider(e) => f.debug_tuple("Provider").field(e).finish(),
            Error::Transport {
                provider,
                kind,
                may_have_been_sent,
                source,
            } => f
                .debug_struct("Transport")
                .field("provider", provider)
                .field("kind", kind)
                .field("may_have_been_sent", may_have_been_sent)
                .field("source", &MaskedDebug(source))
                .finish(),
            Error::Decode {
                provider,
                status,
                message,
                excerpt,
            } => f
                .debug_struct("Decode")
                .field("provider", provider)
                .field("status", status)
                .field("message", &MaskedDebug(message))
                .field("excerpt", &MaskedDebug(excerpt))
                .finish(),
            Error::LinkExpired { status } => f
                .debug_struct("LinkExpired")
                .field("status", status)
                .finish(),
            Error::TooLarge { limit } => f.debug_struct("TooLarge").field("limit", limit).finish(),
            Error::WaitTimedOut {
                attempts,
                elapsed,
                reason,
            } => f
                .debug_struct("WaitTimedOut")
                .field("attempts", attempts)
                .field("elapsed", elapsed)
                .field("reason", &MaskedDebug(reason))
                .finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

fn auth_hint(e: &ProviderError) -> &'static str {
    match e.provider {
        Provider::Eko if e.http_status == 403 => {
            " (check the developer_key and access_key, the machine clock (secret-key-timestamp), and that this IP is whitelisted)"
        }
        Provider::Sandbox if e.http_status == 401 => " (check the API key and secret)",
        _ => "",
    }
}

impl Error {
    /// An equal copy of an error for another caller (the error of one failure
    /// shared by all who waited for it). Every variant but
    /// [`Error::Transport`] is plain data; a transport error's cause is kept as
    /// its message (already free of the URL).
    pub(crate) fn replicate(&self) -> Error {
        match self {
            Error::NotVerified(v) => Error::NotVerified(v.clone()),
            Error::InvalidInput { field, reason } => Error::InvalidInput {
                field,
                reason: reason.clone(),
            },
            Error::Config(m) => Error::Config(m.clone()),
            Error::Auth(p) => Error::Auth(p.clone()),
            Error::RateLimited { error, retry_after } => Error::RateLimited {
                error: error.clone(),
                retry_after: *retry_after,
            },
            Error::SessionNotFound(p) => Error::SessionNotFound(p.clone()),
            Error::NotReady { reason, error } => Error::NotReady {
                reason: *reason,
                error: error.clone(),
            },
            Error::Provider(p) => Error::Provider(p.clone()),
            Error::Transport {
                provider,
                kind,
                may_have_been_sent,
                source,
            } => Error::Transport {
                provider: *provider,
                kind: *kind,
                may_have_been_sent: *may_have_been_sent,
                source: Box::new(SharedCause(source.to_string())),
            },
            Error::Decode {
                provider,
                status,
                message,
                excerpt,
            } => Error::Decode {
                provider: *provider,
                status: *status,
                message: message.clone(),
                excerpt: excerpt.clone(),
            },
            Error::LinkExpired { status } => Error::LinkExpired { status: *status },
            Error::TooLarge { limit } => Error::TooLarge { limit: *limit },
            Error::WaitTimedOut {
                attempts,
                elapsed,
                reason,
            } => Error::WaitTimedOut {
                attempts: *attempts,
                elapsed: *elapsed,
                reason: reason.clone(),
            },
        }
    }
}

/// The cause of a transport error, shared with the callers of one failure
/// episode.
#[derive(Debug)]
struct SharedCause(String);

impl fmt::Display for SharedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SharedCause {}

impl Error {
    /// A short, stable name of the variant (`"auth"`, `"rate_limited"`,
    /// ...), as tracing spans and the CLI's `--json` output report it.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::Config(_) => "config",
            Error::Auth(_) => "auth",
            Error::RateLimited { .. } => "rate_limited",
            Error::SessionNotFound(_) => "session_not_found",
            Error::NotReady { .. } => "not_ready",
            Error::Provider(_) => "provider",
            Error::Transport { .. } => "transport",
            Error::Decode { .. } => "decode",
            Error::LinkExpired { .. } => "link_expired",
            Error::TooLarge { .. } => "too_large",
            Error::WaitTimedOut { .. } => "wait_timed_out",
            _ => "other",
        }
    }

    /// The provider's error details, when the provider answered.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Error::Auth(e)
            | Error::SessionNotFound(e)
            | Error::Provider(e)
            | Error::RateLimited { error: e, .. }
            | Error::NotReady { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// HTTP status of the response that caused the error, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } | Error::LinkExpired { status } => Some(*status),
            _ => self.provider_error().map(|e| e.http_status),
        }
    }

    /// The provider's transaction id, when it sent one.
    pub fn transaction_id(&self) -> Option<&str> {
        self.provider_error()
            .and_then(|e| e.transaction_id.as_deref())
    }

    /// Whether repeating the same call later may succeed (rate limits,
    /// transient server errors, timeouts, pending sessions).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } => true,
            Error::NotReady { reason, .. } => *reason == NotReadyReason::Pending,
            Error::Provider(e) => matches!(e.http_status, 500 | 502 | 503 | 504),
            Error::Decode { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_debug_mask_what_the_provider_echoed() {
        let mut pe = ProviderError::new(
            Provider::Sandbox,
            422,
            "Aadhaar 2345 6789 0123 not linked to mobile +91 98765 43210",
        );
        pe.transaction_id = Some("TXN-20261203-000123".into());
        pe.invalid_params = vec![("pan".into(), "AXBPK1234L is invalid".into())];
        let errors = [
            Error::Provider(pe.clone().into()),
            Error::Auth(pe.clone().into()),
            Error::NotReady {
                reason: NotReadyReason::Pending,
                error: pe.into(),
            },
            Error::invalid("mobile", "9876543210 is not registered"),
            Error::Config("initiator_id=9876543210 unknown".into()),
            Error::Decode {
                provider: Provider::Eko,
                status: 200,
                message: "bad uid 234567890123".into(),
                excerpt: "{\"uid\":\"234567890123\"}".into(),
            },
            Error::Transport {
                provider: Provider::Eko,
                kind: TransportKind::Io,
                may_have_been_sent: true,
                source: "error for url (http://u:p@h/x?initiator_id=9876543210)".into(),
            },
        ];
        for e in &errors {
            for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
                for secret in [
                    "2345 6789 0123",
                    "98765 43210",
                    "AXBPK1234L",
                    "9876543210",
                    "234567890123",
                    "u:p@",
                ] {
                    assert!(!text.contains(secret), "{secret} in {text}");
                }
            }
        }
        let shown = errors[0].to_string();
        assert!(
            shown.contains("(transaction TXN-20261203-000123)"),
            "{shown}"
        );
        assert!(shown.contains("XXXX XXXX 0123"), "{shown}");
        assert!(std::error::Error::source(&errors[6]).is_some());
    }
}

#[cfg(test)]
mod size {
    /// The provider's details are boxed, so a `Result` stays small enough
    /// to move around cheaply (and clippy's `result_large_err` holds
    /// without an exception).
    #[test]
    fn error_is_small() {
        assert!(
            std::mem::size_of::<super::Error>() <= 64,
            "{}",
            std::mem::size_of::<super::Error>()
        );
    }
}
