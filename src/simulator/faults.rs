//! Faults injected on demand.
//!
//! A [`FaultRule`] pairs a [`Fault`] with the requests it applies to (HTTP
//! method, a path glob) and a budget: the next `n` matching requests
//! ([`FaultRule::times`]), a seeded random share of them
//! ([`FaultRule::at_rate`]), or every matching request until removed (the
//! default). Rules are tried in the order they were injected; the first
//! rule that matches and fires decides the request's fault, so at most one
//! fault applies to a request.

use std::fmt;
use std::time::Duration;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status (4xx or 5xx) in the provider's error
    /// envelope, without handling the request.
    Status(u16),
    /// Answer 429 with a `Retry-After` header in whole seconds and the
    /// provider's error envelope, without handling the request.
    RateLimited {
        /// The `Retry-After` value (rounded up to whole seconds).
        retry_after: Duration,
    },
    /// Handle the request normally, after waiting this long (an async sleep:
    /// no runtime thread is blocked).
    Latency(Duration),
    /// Answer with an HTML error page (as a gateway or load balancer would)
    /// and this status, without handling the request.
    Html {
        /// HTTP status of the HTML page.
        status: u16,
    },
    /// Handle the request normally, then send only the first half of the
    /// body (with a matching `Content-Length`, so the HTTP exchange is
    /// complete but the JSON is not). State changes of the request happen.
    TruncatedJson,
    /// Read the request, then close the connection without answering. The
    /// request is not handled.
    DropConnection,
}

impl Fault {
    /// [`Fault::Status`].
    pub fn status(status: u16) -> Fault {
        Fault::Status(status)
    }

    /// [`Fault::RateLimited`].
    pub fn rate_limited(retry_after: Duration) -> Fault {
        Fault::RateLimited { retry_after }
    }

    /// [`Fault::Latency`].
    pub fn latency(delay: Duration) -> Fault {
        Fault::Latency(delay)
    }

    /// [`Fault::Html`].
    pub fn html(status: u16) -> Fault {
        Fault::Html { status }
    }

    /// [`Fault::TruncatedJson`].
    pub fn truncated_json() -> Fault {
        Fault::TruncatedJson
    }

    /// [`Fault::DropConnection`].
    pub fn drop_connection() -> Fault {
        Fault::DropConnection
    }

    /// A rule applying this fault to the next `n` matching requests.
    pub fn times(self, n: u32) -> FaultRule {
        FaultRule::from(self).times(n)
    }

    /// A rule applying this fault to requests with this method.
    pub fn method(self, method: &str) -> FaultRule {
        FaultRule::from(self).method(method)
    }

    /// A rule applying this fault to requests whose path matches `glob`.
    pub fn path(self, glob: &str) -> FaultRule {
        FaultRule::from(self).path(glob)
    }

    /// A rule applying this fault at random to a share of matching requests.
    pub fn at_rate(self, probability: f64, seed: u64) -> FaultRule {
        FaultRule::from(self).at_rate(probability, seed)
    }

    /// A short name of the fault kind, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status(_) => "status",
            Fault::RateLimited { .. } => "rate_limited",
            Fault::Latency(_) => "latency",
            Fault::Html { .. } => "html",
            Fault::TruncatedJson => "truncated_json",
            Fault::DropConnection => "drop_connection",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(s) => write!(f, "status {s}"),
            Fault::RateLimited { retry_after } => {
                write!(f, "429 retry after {}s", retry_after_secs(*retry_after))
            }
            Fault::Latency(d) => write!(f, "latency {d:?}"),
            Fault::Html { status } => write!(f, "HTML page with status {status}"),
            Fault::TruncatedJson => f.write_str("truncated JSON"),
            Fault::DropConnection => f.write_str("dropped connection"),
        }
    }
}

/// `Retry-After` in whole seconds, rounded up.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// A fault and the requests it applies to.
///
/// ```
/// # use digilocker_kyc::simulator::Fault;
/// # use std::time::Duration;
/// // The next two POSTs to any `sessions/init` answer 503.
/// let rule = Fault::status(503).method("POST").path("/kyc/*/sessions/init").times(2);
/// // A tenth of all Eko calls are slowed by 200 ms, reproducibly.
/// let soak = Fault::latency(Duration::from_millis(200)).path("/ekoapi/*").at_rate(0.1, 42);
/// # let _ = (rule, soak);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    fault: Fault,
    method: Option<String>,
    path: Option<String>,
    remaining: Option<u32>,
    rate: Option<(f64, u64)>,
}

impl From<Fault> for FaultRule {
    fn from(fault: Fault) -> Self {
        FaultRule {
            fault,
            method: None,
            path: None,
            remaining: None,
            rate: None,
        }
    }
}

impl FaultRule {
    /// Apply to the next `n` matching requests (for a rate rule: to at most
    /// `n` requests it picks). Without this the rule stays until removed.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Only requests with this HTTP method (case-insensitive).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only requests whose path (without the query) matches `glob`, where
    /// `*` matches any run of characters, `/` included. Without `*` the path
    /// must be equal. Eko paths include the prefix (`/ekoapi/v3/...`).
    pub fn path(mut self, glob: &str) -> Self {
        self.path = Some(glob.to_string());
        self
    }

    /// Fire for each matching request with this probability (0.0 to 1.0),
    /// drawing from a generator seeded with `seed`: the same sequence of
    /// requests gets the same faults.
    pub fn at_rate(mut self, probability: f64, seed: u64) -> Self {
        self.rate = Some((probability.clamp(0.0, 1.0), seed));
        self
    }

    /// The fault.
    pub fn fault(&self) -> &Fault {
        &self.fault
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|g| glob_match(g, path))
    }
}

/// Identifies an injected rule, to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultId(pub(crate) u64);

struct ActiveRule {
    id: FaultId,
    rule: FaultRule,
    rng: Option<fastrand::Rng>,
}

/// The injected rules.
#[derive(Default)]
pub(crate) struct FaultSet {
    rules: Vec<ActiveRule>,
    next_id: u64,
}

impl FaultSet {
    pub fn add(&mut self, rule: FaultRule) -> FaultId {
        self.next_id += 1;
        let id = FaultId(self.next_id);
        let rng = rule.rate.map(|(_, seed)| fastrand::Rng::with_seed(seed));
        if rule.remaining != Some(0) {
            self.rules.push(ActiveRule { id, rule, rng });
        }
        id
    }

    pub fn remove(&mut self, id: FaultId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// The fault for this request, if any rule fires; spends its budget.
    pub fn pick(&mut self, method: &str, path: &str) -> Option<Fault> {
        let mut fired = None;
        for (i, active) in self.rules.iter_mut().enumerate() {
            if !active.rule.matches(method, path) {
                continue;
            }
            if let (Some((p, _)), Some(rng)) = (active.rule.rate, active.rng.as_mut())
                && rng.f64() >= p
            {
                continue;
            }
            if let Some(n) = active.rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
            fired = Some((i, active.rule.fault.clone()));
            break;
        }
        let (i, fault) = fired?;
        if self.rules[i].rule.remaining == Some(0) {
            self.rules.remove(i);
        }
        Some(fault)
    }
}

/// `*` matches any run of characters (including none and `/`).
pub(crate) fn glob_match(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(at) => rest = &rest[at + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/a/b", "/a/b"));
        assert!(!glob_match("/a/b", "/a/bc"));
        assert!(glob_match("/kyc/*", "/kyc/digilocker/sessions/init"));
        assert!(glob_match("*/status", "/kyc/digilocker/sessions/x/status"));
        assert!(glob_match(
            "/kyc/*/sessions/*/status",
            "/kyc/digilocker/sessions/x/status"
        ));
        assert!(!glob_match("/kyc/*/status", "/kyc/status"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("/a*a", "/a"));
    }

    #[test]
    fn budget_and_order() {
        let mut set = FaultSet::default();
        set.add(Fault::status(503).path("/x").times(2));
        set.add(Fault::status(500).into());
        assert_eq!(set.pick("GET", "/x"), Some(Fault::Status(503)));
        assert_eq!(set.pick("GET", "/y"), Some(Fault::Status(500)));
        assert_eq!(set.pick("GET", "/x"), Some(Fault::Status(503)));
        assert_eq!(set.pick("GET", "/x"), Some(Fault::Status(500)));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn seeded_rate_is_reproducible() {
        let draw = || {
            let mut set = FaultSet::default();
            set.add(Fault::status(503).at_rate(0.3, 7));
            (0..200)
                .map(|_| set.pick("GET", "/").is_some())
                .collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        let hits = a.iter().filter(|x| **x).count();
        assert!((30..=90).contains(&hits), "{hits}");
    }

    #[test]
    fn method_filter() {
        let mut set = FaultSet::default();
        set.add(Fault::drop_connection().method("post").times(1));
        assert_eq!(set.pick("GET", "/"), None);
        assert_eq!(set.pick("POST", "/"), Some(Fault::DropConnection));
        assert_eq!(set.pick("POST", "/"), None);
    }
}
