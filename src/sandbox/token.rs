//! The access-token cache: one token shared by every clone of a client,
//! replaced a margin before its JWT `exp`, fetched by exactly one caller at a
//! time however many calls find it missing or stale.
//!
//! A failed fetch is one *failure episode*: the fetch (with its own retries,
//! under the client's retry policy) runs once and every caller that was
//! waiting for it receives a copy of its error. The next fetch starts only
//! [`FAILURE_BACKOFF`] after the failure; callers arriving meanwhile wait for
//! that next episode and share its outcome. So a thousand concurrent calls
//! against a failing `/authenticate` cost one fetch, not a thousand, and a
//! single transient failure costs later callers a short delay, not an error.

use crate::error::{Error, Result};
use crate::redact::Secret;
use base64::Engine as _;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lifetime assumed for a token whose expiry cannot be read.
pub(crate) const ASSUMED_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// A token is reused at least this long, even when it claims to expire
/// sooner (clock skew); a server rejection still replaces it at once.
const MIN_REUSE: Duration = Duration::from_secs(30);
/// The least time between a failed token fetch and the next one (measured
/// on the monotonic clock, so a wall-clock change cannot stretch it).
pub(crate) const FAILURE_BACKOFF: Duration = Duration::from_secs(1);

/// A cached token.
#[derive(Clone)]
pub(crate) struct Token {
    /// Shared: every call takes a copy of the token, so copying is a
    /// reference count, not an allocation.
    pub(crate) value: Arc<Secret>,
    /// The `Authorization` value, made (and marked sensitive) once per
    /// token rather than on every request; `None` if the token is not a
    /// valid header value (then the request fails with a typed error).
    pub(crate) header: Option<reqwest::header::HeaderValue>,
}

struct Cached {
    token: Token,
    refresh_at: SystemTime,
}

/// Single-flight token cache.
///
/// Readers take a short `std` lock to look at the current token. When it is
/// missing or due, they queue on `gate`; the first one through fetches a new
/// token while the others wait, then find it fresh (double-check) and use
/// it. When the fetch fails (any error), the callers that were already
/// queued get a copy of the same error instead of asking again; the next
/// fetch waits until [`FAILURE_BACKOFF`] after the failure, holding the
/// gate, so callers arriving meanwhile queue for it.
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
    gate: tokio::sync::Mutex<()>,
    /// Completed fetch attempts.
    epoch: AtomicU64,
    /// The failure of the fetch numbered by `epoch`, and when it ended.
    failure: Mutex<Option<Failed>>,
}

/// The last failed fetch.
struct Failed {
    epoch: u64,
    /// When the next fetch may start.
    retry_at: tokio::time::Instant,
    error: Error,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.slot.lock().map(|s| s.is_some()).unwrap_or(false);
        f.debug_struct("TokenCache")
            .field("cached", &cached)
            .finish()
    }
}

impl TokenCache {
    pub(crate) fn new() -> Self {
        TokenCache {
            slot: Mutex::new(None),
            gate: tokio::sync::Mutex::new(()),
            epoch: AtomicU64::new(0),
            failure: Mutex::new(None),
        }
    }

    /// The cached token if it is not due for replacement at `now`.
    pub(crate) fn fresh(&self, now: SystemTime) -> Option<Token> {
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// A copy of the failure of the fetch numbered `epoch`, if that fetch
    /// failed.
    fn failure_of(&self, epoch: u64) -> Option<Error> {
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure
            .as_ref()
            .filter(|f| f.epoch == epoch)
            .map(|f| f.error.replicate())
    }

    /// When the next fetch may start, if the last one failed.
    fn retry_at(&self) -> Option<tokio::time::Instant> {
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.as_ref().map(|f| f.retry_at)
    }

    /// The current token, fetching a new one with `fetch` when there is none
    /// or it is due for replacement (after the back-off of a failed fetch).
    pub(crate) async fn get<F, Fut>(
        &self,
        now: impl Fn() -> SystemTime,
        margin: Duration,
        fetch: F,
    ) -> Result<Token>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Secret>>,
    {
        if let Some(t) = self.fresh(now()) {
            return Ok(t);
        }
        let seen = self.epoch.load(Ordering::SeqCst);
        let _gate = self.gate.lock().await;
        if let Some(t) = self.fresh(now()) {
            return Ok(t);
        }
        let current = self.epoch.load(Ordering::SeqCst);
        if current != seen
            && let Some(e) = self.failure_of(current)
        {
            // Someone fetched while we queued and did not get a token:
            // their error is ours too.
            return Err(e);
        }
        if let Some(at) = self.retry_at() {
            // Still holding the gate: whoever comes meanwhile queues for
            // the fetch below and shares its outcome.
            tokio::time::sleep_until(at).await;
        }
        let result = fetch().await;
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(value) => {
                *failure = None;
                let issued = now();
                // Sandbox tokens live 24 hours: a later `exp` (u64::MAX, 1e300)
                // is not believed, so no claim can keep a token for ever.
                let longest = issued + ASSUMED_LIFETIME;
                let expires = jwt_expiry(value.expose()).map_or(longest, |e| e.min(longest));
                let header = reqwest::header::HeaderValue::from_str(value.expose())
                    .ok()
                    .map(|mut h| {
                        h.set_sensitive(true);
                        h
                    });
                let token = Token {
                    value: Arc::new(value),
                    header,
                };
                let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
                *slot = Some(Cached {
                    token: token.clone(),
                    refresh_at: refresh_at(issued, expires, margin),
                });
                Ok(token)
            }
            Err(e) => {
                *failure = Some(Failed {
                    epoch,
                    retry_at: tokio::time::Instant::now() + FAILURE_BACKOFF,
                    error: e.replicate(),
                });
                Err(e)
            }
        }
    }

    /// Forget the cached token if it is `value` (the one a rejected request
    /// carried); a newer token, fetched meanwhile by another call, is kept.
    pub(crate) fn invalidate_value(&self, value: &[u8]) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot
            .as_ref()
            .is_some_and(|c| c.token.value.expose().as_bytes() == value)
        {
            *slot = None;
        }
    }
}

/// When to replace a token issued at `issued` that expires at `expires`:
/// `margin` before expiry, or halfway through a lifetime shorter than the
/// margin, but never sooner than [`MIN_REUSE`].
fn refresh_at(issued: SystemTime, expires: SystemTime, margin: Duration) -> SystemTime {
    let life = expires.duration_since(issued).unwrap_or(Duration::ZERO);
    let reuse = if life > margin {
        life - margin
    } else {
        (life / 2).max(MIN_REUSE)
    };
    issued.checked_add(reuse).unwrap_or(expires)
}

/// The latest expiry [`jwt_expiry`] reports (about the year 2514): later
/// claims saturate here instead of overflowing `SystemTime`.
const LATEST_EXP_SECS: u64 = 1 << 34;

/// The `exp` claim of a JWT (seconds since the epoch), read without
/// checking the signature. `None` when the token is not a readable JWT.
pub(crate) fn jwt_expiry(token: &str) -> Option<SystemTime> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let payload = payload.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    let secs = exp
        .as_u64()
        .or_else(|| {
            exp.as_f64()
                .filter(|f| f.is_finite() && *f > 0.0)
                .map(|f| f as u64)
        })
        .or_else(|| exp.as_str().and_then(|s| s.trim().parse().ok()))?;
    (secs > 0).then(|| UNIX_EPOCH + Duration::from_secs(secs.min(LATEST_EXP_SECS)))
}

/// The current access token of the client `api` (single-flight refresh
/// through its cache, `/authenticate` when due). Boxed: `/authenticate`
/// runs through the same hooks that ask for the token.
pub(crate) fn current(
    api: &crate::generated::sandbox::Client,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Token>> + Send + '_>> {
    Box::pin(async move {
        use progenitor_client::ClientInfo as _;
        let shared = &api.inner().0;
        let cfg = &shared.config;
        let clock = cfg.clock.clone();
        shared
            .tokens
            .get(
                move || clock.now(),
                cfg.refresh_margin,
                || authenticate(api),
            )
            .await
    })
}

/// `POST /authenticate` with the key and secret (set by the hook).
async fn authenticate(api: &crate::generated::sandbox::Client) -> Result<Secret> {
    use crate::runtime;
    runtime::traced(crate::error::Provider::Sandbox, "authenticate", async {
        let (resp, status) =
            runtime::settle(api.authenticate().send().await, super::engine::map_failure).await?;
        runtime::record_transaction(resp.transaction_id.as_deref());
        super::engine::access_token(resp, status)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let e = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            e.encode(r#"{"alg":"HS256"}"#),
            e.encode(claims)
        )
    }

    #[test]
    fn absurd_expiries_saturate_and_are_bounded() {
        let issued = SystemTime::now();
        for claims in [
            r#"{"exp":18446744073709551615}"#,
            r#"{"exp":1e300}"#,
            r#"{"exp":"18446744073709551615"}"#,
            r#"{"exp":-5}"#,
        ] {
            let exp = jwt_expiry(&jwt(claims));
            if let Some(e) = exp {
                assert!(
                    e <= UNIX_EPOCH + Duration::from_secs(LATEST_EXP_SECS),
                    "{claims}"
                );
            }
            let longest = issued + ASSUMED_LIFETIME;
            let expires = exp.map_or(longest, |e| e.min(longest));
            let at = refresh_at(issued, expires, Duration::from_secs(300));
            assert!(at > issued && at <= longest, "{claims}");
        }
    }

    #[test]
    fn reads_exp_from_a_jwt() {
        let t = jwt(r#"{"exp":1591056000,"intent":"ACCESS_TOKEN"}"#);
        assert_eq!(
            jwt_expiry(&t),
            Some(UNIX_EPOCH + Duration::from_secs(1591056000))
        );
        assert_eq!(jwt_expiry("not-a-jwt"), None);
        assert_eq!(jwt_expiry(&jwt(r#"{"iat":1}"#)), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
    }

    #[test]
    fn refresh_is_a_margin_before_expiry() {
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let m = Duration::from_secs(300);
        assert_eq!(
            refresh_at(t0, t0 + Duration::from_secs(3600), m),
            t0 + Duration::from_secs(3300)
        );
        // Short-lived: halfway, but at least MIN_REUSE.
        assert_eq!(
            refresh_at(t0, t0 + Duration::from_secs(200), m),
            t0 + Duration::from_secs(100)
        );
        assert_eq!(refresh_at(t0, t0, m), t0 + MIN_REUSE);
    }
}
