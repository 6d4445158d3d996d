//! Waiting for a session to reach a final outcome.
//!
//! A [`PollPolicy`] says how often to ask and when to give up: an initial
//! interval that grows by a factor up to a maximum, a total time limit and an
//! attempt limit (in the manner of google-cloud-rust's polling policies).
//! Transient errors (rate limits, timeouts, 5xx, a pending Eko session) are
//! ridden out within the same limits; any other error ends the wait. Dropping
//! the future cancels the wait; nothing keeps running in the background.
//!
//! The time limit is a hard bound: a status call still in flight when it
//! runs out is cut (dropped) and the wait ends with [`Error::WaitTimedOut`],
//! however long the server would have taken to answer.

use crate::error::{Error, Result};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How to poll a session.
#[derive(Debug, Clone, PartialEq)]
pub struct PollPolicy {
    /// Wait before the second status call (the first is immediate).
    pub initial_interval: Duration,
    /// Growth factor of the interval after each call (1.0 = fixed).
    pub backoff_factor: f64,
    /// Upper bound of the interval.
    pub max_interval: Duration,
    /// Give up once this much time has passed since the first call.
    pub time_limit: Duration,
    /// Give up after this many status calls.
    pub attempt_limit: u32,
}

impl Default for PollPolicy {
    /// 2 s, growing by 1.5 up to 15 s, for at most 10 minutes and 200 calls:
    /// a user finishing DigiLocker in a minute or two is seen within seconds
    /// without hammering the provider (Sandbox's test host allows 25 calls a
    /// minute).
    fn default() -> Self {
        PollPolicy {
            initial_interval: Duration::from_secs(2),
            backoff_factor: 1.5,
            max_interval: Duration::from_secs(15),
            time_limit: Duration::from_secs(600),
            attempt_limit: 200,
        }
    }
}

impl PollPolicy {
    /// A policy that polls at a fixed `interval` until `time_limit`.
    pub fn fixed(interval: Duration, time_limit: Duration) -> Self {
        PollPolicy {
            initial_interval: interval,
            backoff_factor: 1.0,
            max_interval: interval,
            time_limit,
            attempt_limit: u32::MAX,
        }
    }

    /// Change the time limit.
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = limit;
        self
    }

    /// Change the attempt limit.
    pub fn with_attempt_limit(mut self, limit: u32) -> Self {
        self.attempt_limit = limit;
        self
    }

    /// The interval after `calls` status calls (1 = after the first call).
    pub fn interval_after(&self, calls: u32) -> Duration {
        let exp = self
            .backoff_factor
            .max(1.0)
            .powi(calls.saturating_sub(1).min(64) as i32);
        // In f64 seconds, so that no policy, however extreme, overflows.
        let secs = self.initial_interval.as_secs_f64() * exp;
        if !secs.is_finite() || secs >= self.max_interval.as_secs_f64() {
            self.max_interval
        } else {
            Duration::from_secs_f64(secs.max(0.0))
        }
    }
}

/// What a poller reports after every status call.
#[derive(Debug)]
pub struct Progress<'a, T> {
    /// Status calls made so far (1 after the first).
    pub attempt: u32,
    /// Time since the first call.
    pub elapsed: Duration,
    /// The result of this call: a state, or a transient error being ridden out.
    pub last: std::result::Result<&'a T, &'a Error>,
    /// The wait before the next call, or `None` when this was the last one.
    pub next_in: Option<Duration>,
}

/// Whether a polled state ends the wait.
pub trait Settled {
    /// `true` for final states.
    fn is_settled(&self) -> bool;
}

/// Poll `status` under `policy` until it returns a settled state, calling
/// `on_progress` after each call. Returns the settled state, the first
/// non-transient error, or [`Error::WaitTimedOut`] when a limit is reached
/// (the last state or transient error is named in its reason).
///
/// No wait outlasts `policy.time_limit` by more than scheduling delay: each
/// status call gets only the time that remains, and is dropped (its request
/// abandoned) when that runs out.
pub async fn poll_until<T, F, Fut>(
    policy: &PollPolicy,
    mut status: F,
    mut on_progress: impl FnMut(&Progress<'_, T>),
) -> Result<T>
where
    T: Settled + std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let start = Instant::now();
    let mut attempt = 0u32;
    // What the previous call returned, for the reason of a cut wait.
    let mut previous: Option<String> = None;
    loop {
        attempt += 1;
        // Boxed: a status call's future is a few kilobytes (the whole
        // request in flight), but it lives only during the call. Inline, it
        // would size every waiting future, asleep or not: 10,000 sessions
        // waited on at once would hold 3 KB each instead of a few hundred
        // bytes (BENCHMARKS.md, "Scale of waiting").
        let remaining = policy.time_limit.saturating_sub(start.elapsed());
        let Ok(result) = tokio::time::timeout(remaining, Box::pin(status())).await else {
            let elapsed = start.elapsed();
            let error = Error::WaitTimedOut {
                attempts: attempt,
                elapsed,
                reason: format!(
                    "time limit {:?} reached; status call {attempt} was still in flight and was abandoned{}",
                    policy.time_limit,
                    previous.map(|p| format!("; {p}")).unwrap_or_default()
                ),
            };
            on_progress(&Progress {
                attempt,
                elapsed,
                last: Err(&error),
                next_in: None,
            });
            return Err(error);
        };
        let elapsed = start.elapsed();
        let settled = match &result {
            Ok(state) => state.is_settled(),
            Err(e) if e.is_transient() => false,
            Err(_) => true,
        };
        let interval = policy.interval_after(attempt);
        let out_of_attempts = attempt >= policy.attempt_limit;
        let out_of_time = elapsed
            .checked_add(interval)
            .is_none_or(|t| t > policy.time_limit);
        let next_in = (!settled && !out_of_attempts && !out_of_time).then_some(interval);
        on_progress(&Progress {
            attempt,
            elapsed,
            last: result.as_ref(),
            next_in,
        });
        if settled {
            return result;
        }
        let last = match &result {
            Ok(state) => format!("last state {state:?}"),
            Err(e) => format!("last error: {e}"),
        };
        let Some(wait) = next_in else {
            let limit = if out_of_attempts {
                format!("attempt limit {} reached", policy.attempt_limit)
            } else {
                format!("time limit {:?} reached", policy.time_limit)
            };
            return Err(Error::WaitTimedOut {
                attempts: attempt,
                elapsed,
                reason: format!("{limit}; {last}"),
            });
        };
        previous = Some(last);
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct S(bool);
    impl Settled for S {
        fn is_settled(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn interval_grows_to_the_cap() {
        let p = PollPolicy {
            initial_interval: Duration::from_secs(1),
            backoff_factor: 2.0,
            max_interval: Duration::from_secs(5),
            ..PollPolicy::default()
        };
        assert_eq!(p.interval_after(1), Duration::from_secs(1));
        assert_eq!(p.interval_after(2), Duration::from_secs(2));
        assert_eq!(p.interval_after(3), Duration::from_secs(4));
        assert_eq!(p.interval_after(4), Duration::from_secs(5));
        assert_eq!(p.interval_after(400), Duration::from_secs(5));
    }

    #[test]
    fn extreme_policies_do_not_overflow() {
        let p = PollPolicy {
            initial_interval: Duration::MAX,
            backoff_factor: f64::MAX,
            max_interval: Duration::MAX,
            time_limit: Duration::MAX,
            attempt_limit: u32::MAX,
        };
        assert_eq!(p.interval_after(1), Duration::MAX);
        assert_eq!(p.interval_after(u32::MAX), Duration::MAX);
        let nan = PollPolicy {
            backoff_factor: f64::NAN,
            ..PollPolicy::default()
        };
        assert!(nan.interval_after(5) <= nan.max_interval);
    }

    #[tokio::test(start_paused = true)]
    async fn an_interval_beyond_the_clock_ends_the_wait_instead_of_panicking() {
        let p = PollPolicy {
            initial_interval: Duration::MAX,
            max_interval: Duration::MAX,
            time_limit: Duration::MAX,
            ..PollPolicy::default()
        };
        let err = poll_until(&p, || async { Ok(S(false)) }, |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, Error::WaitTimedOut { .. }), "{err:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_status_call_in_flight_at_the_limit_is_cut() {
        let started = Instant::now();
        let mut seen = Vec::new();
        let err = poll_until(
            &PollPolicy::fixed(Duration::from_millis(100), Duration::from_secs(1)),
            std::future::pending::<Result<S>>,
            |p| seen.push((p.attempt, p.next_in)),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, Error::WaitTimedOut { attempts: 1, reason, .. } if reason.contains("in flight")),
            "{err:?}"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(1));
        assert_eq!(seen, vec![(1, None)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cut_wait_names_the_state_seen_before() {
        let mut n = 0;
        let err = poll_until(
            &PollPolicy::fixed(Duration::from_millis(100), Duration::from_secs(1)),
            || {
                n += 1;
                let first = n == 1;
                async move {
                    if first {
                        Ok(S(false))
                    } else {
                        std::future::pending().await
                    }
                }
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, Error::WaitTimedOut { attempts: 2, reason, .. }
                if reason.contains("in flight") && reason.contains("last state S(false)")),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn returns_the_settled_state() {
        let mut n = 0;
        let mut seen = Vec::new();
        let out = poll_until(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            || {
                n += 1;
                let v = n;
                async move { Ok(S(v == 3)) }
            },
            |p| seen.push((p.attempt, p.next_in)),
        )
        .await
        .unwrap();
        assert_eq!(out, S(true));
        assert_eq!(
            seen,
            vec![
                (1, Some(Duration::from_secs(1))),
                (2, Some(Duration::from_secs(1))),
                (3, None)
            ]
        );
    }

    /// Polls a state that never becomes final under `policy`; the attempts
    /// made and the reason given when the wait gives up.
    async fn give_up(policy: &PollPolicy) -> (u32, String) {
        let err = poll_until(policy, || async { Ok(S(false)) }, |_| {})
            .await
            .unwrap_err();
        match err {
            Error::WaitTimedOut {
                attempts, reason, ..
            } => (attempts, reason),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn attempt_limit_ends_the_wait() {
        let (attempts, reason) = give_up(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60))
                .with_attempt_limit(4),
        )
        .await;
        assert_eq!(attempts, 4);
        assert!(reason.contains("attempt limit"), "{reason}");
    }

    #[tokio::test(start_paused = true)]
    async fn time_limit_ends_the_wait() {
        let (attempts, reason) = give_up(&PollPolicy::fixed(
            Duration::from_secs(10),
            Duration::from_secs(35),
        ))
        .await;
        // Calls at 0, 10, 20, 30 s; the next would pass 35 s.
        assert_eq!(attempts, 4);
        assert!(reason.contains("time limit"), "{reason}");
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_ridden_out_and_others_end_the_wait() {
        let mut n = 0;
        let out = poll_until(
            &PollPolicy::fixed(Duration::from_secs(1), Duration::from_secs(60)),
            || {
                n += 1;
                let v = n;
                async move {
                    if v == 1 {
                        Err(Error::Provider(Box::new(crate::ProviderError::new(
                            crate::Provider::Sandbox,
                            503,
                            "Source Unavailable",
                        ))))
                    } else {
                        Ok(S(true))
                    }
                }
            },
            |_| {},
        )
        .await;
        assert_eq!(out.unwrap(), S(true));

        let err = poll_until(
            &PollPolicy::default(),
            || async {
                Err::<S, _>(Error::SessionNotFound(Box::new(crate::ProviderError::new(
                    crate::Provider::Sandbox,
                    521,
                    "Data not found",
                ))))
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::SessionNotFound(_)));
    }
}
