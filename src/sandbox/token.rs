//! The access-token cache: one token shared by every clone of a client,
//! replaced a margin before its JWT `exp`, fetched by exactly one caller at a
//! time however many calls find it missing or stale.

use crate::error::{Error, ProviderError, Result};
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

/// A token and the generation it belongs to (to invalidate exactly it).
#[derive(Clone)]
pub(crate) struct Token {
    /// Shared: every call takes a copy of the token, so copying is a
    /// reference count, not an allocation.
    pub(crate) value: Arc<Secret>,
    pub(crate) generation: u64,
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
/// it. When the fetch is refused (`Error::Auth`), the callers that were
/// already queued get the same error instead of asking again.
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
    gate: tokio::sync::Mutex<()>,
    /// Completed fetch attempts.
    epoch: AtomicU64,
    /// The credential refusal of the attempt numbered by `.0`.
    refusal: Mutex<Option<(u64, ProviderError)>>,
    generations: AtomicU64,
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
            refusal: Mutex::new(None),
            generations: AtomicU64::new(0),
        }
    }

    fn fresh(&self, now: SystemTime) -> Option<Token> {
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// The current token, fetching a new one with `fetch` when there is none
    /// or it is due for replacement.
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
        if current != seen {
            // Someone fetched while we queued and did not get a token.
            let refusal = self.refusal.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((epoch, e)) = refusal.as_ref()
                && *epoch == current
            {
                return Err(Error::Auth(e.clone()));
            }
        }
        let result = fetch().await;
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        let mut refusal = self.refusal.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(value) => {
                *refusal = None;
                let issued = now();
                // Sandbox tokens live 24 hours: a later `exp` (u64::MAX, 1e300)
                // is not believed, so no claim can keep a token for ever.
                let longest = issued + ASSUMED_LIFETIME;
                let expires = jwt_expiry(value.expose()).map_or(longest, |e| e.min(longest));
                let token = Token {
                    value: Arc::new(value),
                    generation: self.generations.fetch_add(1, Ordering::SeqCst) + 1,
                };
                let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
                *slot = Some(Cached {
                    token: token.clone(),
                    refresh_at: refresh_at(issued, expires, margin),
                });
                Ok(token)
            }
            Err(Error::Auth(e)) => {
                *refusal = Some((epoch, e.clone()));
                Err(Error::Auth(e))
            }
            Err(e) => {
                *refusal = None;
                Err(e)
            }
        }
    }

    /// Forget the token of `generation` (the server rejected it). A newer
    /// token, fetched meanwhile by another call, is kept.
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().map(|c| c.token.generation) == Some(generation) {
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
