//! Soak: a few thousand calls through both facades against the simulator
//! while it injects faults at random (fixed seeds): 429s, 5xx, HTML error
//! pages, truncated JSON, dropped connections and latency.
//!
//! Checks: no panic (every task joins), no hung future (each call under a
//! generous timeout that none reaches), every call ends in a value or a
//! typed error of an expected kind, and no POST that creates something
//! reached the server more than once for one facade call (each call carries
//! a unique mobile number, redirect URL or client_ref_id, and the
//! simulator's request records are grouped by it).

use digilocker_kyc::eko::{DocumentRequest, EkoClient, EkoDocType, StatusRequest};
use digilocker_kyc::sandbox::{DocType, Flow, SandboxClient, StartSession, VerifyUser};
use digilocker_kyc::simulator::{Fault, Simulator};
use digilocker_kyc::{Error, RetryPolicy};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WORKERS: usize = 12;
const ROUNDS: usize = 25;
/// Far above any call's worst case (3 attempts × 5 s request timeout).
const CALL_BOUND: Duration = Duration::from_secs(30);

fn retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(10),
        multiplier: 2.0,
        jitter: true,
        max_retry_after: Duration::from_secs(1),
    }
}

#[derive(Default)]
struct Tally {
    /// (operation, outcome) -> count
    outcomes: BTreeMap<(&'static str, String), u32>,
    calls: u32,
    timeouts: u32,
    unexpected: Vec<String>,
}

type Shared = Arc<Mutex<Tally>>;

/// Run one facade call under the bound and file its outcome.
async fn run<T>(
    tally: &Shared,
    op: &'static str,
    call: impl Future<Output = Result<T, Error>>,
) -> Option<T> {
    let outcome = tokio::time::timeout(CALL_BOUND, call).await;
    let mut t = tally.lock().unwrap();
    t.calls += 1;
    let (kind, value) = match outcome {
        Err(_) => {
            t.timeouts += 1;
            ("timeout".to_string(), None)
        }
        Ok(Ok(v)) => ("ok".to_string(), Some(v)),
        Ok(Err(e)) => {
            let kind = match &e {
                Error::Transport { .. } => "transport",
                Error::RateLimited { .. } => "rate_limited",
                Error::Decode { .. } => "decode",
                Error::NotReady { .. } => "not_ready",
                Error::Provider(p) if p.http_status >= 500 || p.http_status == 200 => "provider",
                _ => {
                    t.unexpected.push(format!("{op}: {e}"));
                    "unexpected"
                }
            };
            // Display must work on every error.
            assert!(!e.to_string().is_empty());
            (kind.to_string(), None)
        }
    };
    *t.outcomes.entry((op, kind)).or_default() += 1;
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_both_facades_under_random_faults() {
    let started = Instant::now();
    let sim = Simulator::builder()
        .auto_approve_after_polls(2)
        .eko_return_verification_id(true)
        .max_records(200_000)
        .start()
        .await
        .unwrap();
    // First matching rule that fires decides; about a quarter of requests
    // get a fault.
    sim.inject(Fault::rate_limited(Duration::ZERO).at_rate(0.04, 101));
    sim.inject(Fault::status(503).at_rate(0.04, 102));
    sim.inject(Fault::status(500).at_rate(0.02, 103));
    sim.inject(Fault::html(502).at_rate(0.03, 104));
    sim.inject(Fault::truncated_json().at_rate(0.03, 105));
    sim.inject(Fault::drop_connection().at_rate(0.04, 106));
    sim.inject(Fault::latency(Duration::from_millis(100)).at_rate(0.05, 107));

    let sc = sim.sandbox_credentials();
    let sandbox = SandboxClient::builder()
        .api_key(sc.api_key.clone())
        .api_secret(sc.api_secret.expose())
        .base_url(sim.sandbox_base_url())
        .retry_policy(retry())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let ec = sim.eko_credentials();
    let eko = EkoClient::builder()
        .base_url(sim.eko_base_url())
        .developer_key(ec.developer_key.as_str())
        .access_key(ec.access_key.expose())
        .initiator_id(ec.initiator_id.as_str())
        .user_code(ec.user_code.as_str())
        .retry_policy(retry())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let tally: Shared = Arc::default();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..WORKERS {
        let (sb, t) = (sandbox.clone(), tally.clone());
        tasks.spawn(async move {
            for r in 0..ROUNDS {
                let n = w * 1000 + r;
                let mobile = format!("9{n:09}");
                run(
                    &t,
                    "verify_user",
                    sb.verify_user(VerifyUser::mobile(mobile).unwrap()),
                )
                .await;
                let start = StartSession::new(
                    Flow::Signin,
                    [DocType::Aadhaar],
                    format!("https://app.example/soak/{n}"),
                )
                .unwrap();
                let Some(s) = run(&t, "start_session", sb.start_session(start)).await else {
                    continue;
                };
                for _ in 0..2 {
                    run(&t, "session_status", sb.session_status(&s.id)).await;
                }
                run(&t, "document", sb.document(&s.id, DocType::Aadhaar)).await;
                run(&t, "user_profile", sb.user_profile(&s.id)).await;
            }
        });
        let (ek, t) = (eko.clone(), tally.clone());
        tasks.spawn(async move {
            for r in 0..ROUNDS {
                let n = w * 1000 + r;
                let create = digilocker_kyc::eko::CreateUrl::aadhaar("https://app.example/eko")
                    .unwrap()
                    .client_ref_id(format!("soak-c-{n}"));
                let Some(link) = run(&t, "eko_create_url", ek.create_url(create)).await else {
                    continue;
                };
                for _ in 0..2 {
                    run(
                        &t,
                        "eko_status",
                        ek.status(StatusRequest::new(&link.reference_id)),
                    )
                    .await;
                }
                let doc = DocumentRequest::new(
                    &link.reference_id,
                    link.verification_id
                        .clone()
                        .unwrap_or_else(|| "vrf_none".into()),
                    [EkoDocType::Aadhaar],
                )
                .client_ref_id(format!("soak-d-{n}"));
                run(&t, "eko_document", ek.document_with(doc)).await;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("a soak task panicked");
    }

    let t = std::mem::take(&mut *tally.lock().unwrap());
    let summary: Vec<String> = t
        .outcomes
        .iter()
        .map(|((op, kind), n)| format!("{op}/{kind}: {n}"))
        .collect();
    eprintln!(
        "soak: {} calls in {:?}\n  {}",
        t.calls,
        started.elapsed(),
        summary.join("\n  ")
    );
    assert_eq!(t.timeouts, 0, "hung calls");
    assert!(
        t.unexpected.is_empty(),
        "unexpected errors: {:#?}",
        t.unexpected
    );
    assert!(t.calls >= 2000, "only {} calls", t.calls);
    for op in [
        "verify_user",
        "start_session",
        "session_status",
        "eko_create_url",
        "eko_status",
    ] {
        assert!(
            t.outcomes
                .get(&(op, "ok".to_string()))
                .copied()
                .unwrap_or(0)
                > 0,
            "{op} never succeeded"
        );
    }

    // POSTs that create something: at most one request per facade call.
    let records = sim.requests();
    let faulted = records.iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 100, "only {faulted} faults were injected");
    let key_of = |path: &str| -> Option<&'static str> {
        if path == "/kyc/digilocker/user/verify" {
            Some("mobile")
        } else if path == "/kyc/digilocker/sessions/init" {
            Some("redirect_url")
        } else if path.ends_with("/tools/kyc/digilocker")
            || path.ends_with("/tools/kyc/digilocker/document")
        {
            Some("client_ref_id")
        } else {
            None
        }
    };
    let mut per_call: HashMap<(String, String), u32> = HashMap::new();
    let mut posts = 0;
    for r in records.iter().filter(|r| r.method == "POST") {
        let Some(field) = key_of(&r.path) else {
            continue;
        };
        let body = r.body_json().expect("a JSON body");
        let id = body[field]
            .as_str()
            .expect("the call's unique id")
            .to_string();
        *per_call.entry((r.path.clone(), id)).or_default() += 1;
        posts += 1;
    }
    let dupes: Vec<_> = per_call.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dupes.is_empty(), "POSTs sent more than once: {dupes:?}");
    assert!(posts > 500, "only {posts} POSTs");
    // No wall-clock bound here: hung calls are caught per call above, and
    // speed is the benchmarks' business (BENCHMARKS.md).
    sim.shutdown().await;
}
