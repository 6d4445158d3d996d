//! When and how long to wait before repeating a request.
//!
//! Only requests that are safe to repeat are retried: reads (GET, and
//! Sandbox's `/authenticate`) on 429, 500, 502, 503, 504, timeouts and
//! connection failures; any request, POSTs included, when it provably never
//! reached the server (connection refused). A POST that may have reached the
//! provider is never repeated, so a session or a consent link is never created
//! twice.

use std::time::Duration;

/// Exponential backoff with full jitter, honouring `Retry-After`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Backoff before the first retry.
    pub initial_backoff: Duration,
    /// Upper bound of any backoff.
    pub max_backoff: Duration,
    /// Growth factor between attempts.
    pub multiplier: f64,
    /// Randomise each wait between half and all of the computed backoff, so
    /// that many clients do not retry in lockstep.
    pub jitter: bool,
    /// The longest `Retry-After` honoured; a longer one ends the retries and
    /// surfaces the rate-limit error.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms doubling to at most 5 s, with jitter, honouring a
    /// `Retry-After` of up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            multiplier: 2.0,
            jitter: true,
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry), given
    /// the server's `Retry-After` if any. `None` means: do not retry.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry >= self.max_attempts {
            return None;
        }
        if let Some(ra) = retry_after {
            return (ra <= self.max_retry_after).then_some(ra);
        }
        let exp = self.multiplier.powi(retry.saturating_sub(1) as i32);
        // Never panic on odd settings (a negative or NaN multiplier, a huge
        // initial backoff): `Duration::mul_f64` would.
        let exp = if exp.is_finite() && exp >= 0.0 {
            exp.min(1e6)
        } else {
            1.0
        };
        let base = Duration::try_from_secs_f64(self.initial_backoff.as_secs_f64() * exp)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff);
        Some(if self.jitter {
            base.mul_f64(0.5 + fastrand::f64() * 0.5)
        } else {
            base
        })
    }
}

/// Whether an HTTP status is worth retrying for an idempotent request.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Parse a `Retry-After` header: delta-seconds or an HTTP date.
pub(crate) fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        // `1e30` is finite but beyond `Duration`: saturate (found by the
        // fuzzer; `from_secs_f64` panics). Such a wait ends the retries.
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let now = chrono::Utc::now();
    let delta = when.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_retry_after_saturates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "1e30".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::MAX));
        assert_eq!(RetryPolicy::default().delay(1, Some(Duration::MAX)), None);
    }

    #[test]
    fn odd_settings_do_not_panic() {
        for multiplier in [-2.0, f64::NAN, f64::INFINITY, 0.0] {
            let p = RetryPolicy {
                max_attempts: 5,
                multiplier,
                initial_backoff: Duration::MAX,
                ..RetryPolicy::default()
            };
            for retry in 1..5 {
                assert!(p.delay(retry, None).unwrap() <= p.max_backoff);
            }
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy {
            max_attempts: 10,
            jitter: false,
            ..RetryPolicy::default()
        };
        assert_eq!(p.delay(1, None), Some(Duration::from_millis(200)));
        assert_eq!(p.delay(2, None), Some(Duration::from_millis(400)));
        assert_eq!(p.delay(9, None), Some(Duration::from_secs(5)));
        assert_eq!(p.delay(10, None), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), None);
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.delay(1, None).unwrap();
            assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
        }
    }

    #[test]
    fn parses_retry_after_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "retry-after",
            "Thu, 01 Jan 1970 00:00:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }
}
