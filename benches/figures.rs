//! The figures of BENCHMARKS.md, measured in one run.
//!
//! ```text
//! cargo bench --bench figures               # table
//! cargo bench --bench figures -- --json     # one JSON line per figure
//! cargo bench --bench figures -- --check    # exit 1 when a target is missed
//! cargo bench --bench figures -- --only overhead   (sign|overhead|cold|wait)
//! cargo bench --bench figures -- --quick    # fewer rounds (smoke run)
//! ```
//!
//! - `sign`: one Eko signature ([`Signer::sign`]), target < 2 µs.
//! - `overhead`: the Sandbox facade against a hand-written reqwest call that
//!   sends the same request (checked: same method, path, headers and body)
//!   and parses the same JSON into `serde_json::Value`, both against one
//!   canned-response hyper server, interleaved round by round. Sequential:
//!   median latency ratio (target ≤ 1.10); 64 concurrent callers: throughput
//!   ratio (target ≥ 0.90). For a GET (session status) and a POST (verify).
//! - `cold`: 1,000 concurrent first calls on a fresh client: `/authenticate`
//!   requests (target exactly 1) and the time until all are done.
//! - `instr` (opt-in, `--only instr`, needs valgrind): instructions per
//!   call of the client side, facade and raw, counted by callgrind, which
//!   no other load on the machine can disturb.
//! - `wait`: 10,000 sessions waited on concurrently with `poll_until` +
//!   `session_status` against the simulator, in a child process so that its
//!   peak RSS (VmHWM) is the waiting client's alone: target < 64 MiB; CPU
//!   time per poll from `getrusage`.

use bytes::Bytes;
use digilocker_kyc::eko::Signer;
use digilocker_kyc::flow::{PollPolicy, poll_until};
use digilocker_kyc::redact::Secret;
use digilocker_kyc::sandbox::{DocType, Flow, SandboxClient, StartSession, VerifyUser};
use digilocker_kyc::simulator::Simulator;
use digilocker_kyc::{HttpSettings, RetryPolicy};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

struct Figure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    /// (`"<"`, `"<="`, `">="` or `"=="`, bound)
    target: Option<(&'static str, f64)>,
    detail: Value,
}

impl Figure {
    fn pass(&self) -> Option<bool> {
        self.target.map(|(op, bound)| match op {
            "<" => self.value < bound,
            "<=" => self.value <= bound,
            ">=" => self.value >= bound,
            _ => self.value == bound,
        })
    }

    fn json(&self) -> Value {
        json!({
            "figure": self.name,
            "value": round(self.value),
            "unit": self.unit,
            "target": self.target.map(|(op, b)| format!("{op} {b}")),
            "pass": self.pass(),
            "detail": self.detail,
        })
    }
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

struct Opts {
    json: bool,
    check: bool,
    quick: bool,
    only: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child-wait") {
        child_wait(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("--child-calls") {
        child_calls(&args[1..]);
        return;
    }
    let opts = Opts {
        json: args.iter().any(|a| a == "--json"),
        check: args.iter().any(|a| a == "--check"),
        quick: args.iter().any(|a| a == "--quick"),
        only: args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1).cloned()),
    };
    let wanted = |k: &str| opts.only.as_deref().is_none_or(|o| o == k);

    let mut figures = Vec::new();
    if wanted("sign") {
        figures.extend(sign(&opts));
        emit(&opts, &figures);
    }
    let done = figures.len();
    if wanted("overhead") {
        figures.extend(overhead(&opts));
        emit(&opts, &figures[done..]);
    }
    let done = figures.len();
    if wanted("cold") {
        figures.extend(cold_start());
        emit(&opts, &figures[done..]);
    }
    let done = figures.len();
    // Opt-in: needs valgrind, and takes a few minutes.
    if opts.only.as_deref() == Some("instr") {
        figures.extend(instructions());
        emit(&opts, &figures[done..]);
    }
    let done = figures.len();
    if wanted("wait") {
        figures.extend(wait_many(&opts));
        emit(&opts, &figures[done..]);
    }
    let failed: Vec<&str> = figures
        .iter()
        .filter(|f| f.pass() == Some(false))
        .map(|f| f.name)
        .collect();
    if !opts.json {
        println!(
            "\n{} figures, {} with targets, {} missed{}",
            figures.len(),
            figures.iter().filter(|f| f.target.is_some()).count(),
            failed.len(),
            if failed.is_empty() {
                String::new()
            } else {
                format!(": {}", failed.join(", "))
            }
        );
    }
    if opts.check && !failed.is_empty() {
        std::process::exit(1);
    }
}

fn emit(opts: &Opts, figures: &[Figure]) {
    for f in figures {
        if opts.json {
            println!("{}", f.json());
        } else {
            let target = f
                .target
                .map(|(op, b)| format!("{op} {b}"))
                .unwrap_or_else(|| "-".into());
            let pass = match f.pass() {
                Some(true) => "pass",
                Some(false) => "MISS",
                None => "",
            };
            println!(
                "{:<36} {:>12} {:<8} target {:<10} {:<5} {}",
                f.name,
                round(f.value),
                f.unit,
                target,
                pass,
                f.detail
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 1. Eko signing
// ---------------------------------------------------------------------------

fn sign(opts: &Opts) -> Vec<Figure> {
    let signer = Signer::new(&Secret::new("bench-access-key-0123456789"));
    let per_run: u64 = if opts.quick { 20_000 } else { 200_000 };
    let runs = if opts.quick { 3 } else { 9 };
    let mut samples = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        for i in 0..per_run {
            black_box(signer.sign(black_box(1_700_000_000_000 + run * per_run + i)));
        }
        samples.push(start.elapsed().as_nanos() as f64 / per_run as f64);
    }
    let min = samples.iter().cloned().fold(f64::INFINITY, f64::min);
    let med = median(&mut samples);
    vec![Figure {
        name: "eko_sign_ns",
        value: med,
        unit: "ns",
        target: Some(("<", 2000.0)),
        detail: json!({"median_of_runs": runs, "signatures_per_run": per_run, "min_ns": round(min)}),
    }]
}

// ---------------------------------------------------------------------------
// A canned-response HTTP server
// ---------------------------------------------------------------------------

const KEY: &str = "key_test_bench";
const SECRET: &str = "secret_test_bench";
const SESSION: &str = "839fd8a0-d645-42e1-a904-bb43353b0139";
/// The token is JWT-shaped with `exp` in 2100, so it is never refreshed.
const AUTH_BODY: &str = r#"{"code":200,"timestamp":1752580258171,"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln","data":{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"},"transaction_id":"6f1e4e1a-3a1f-4c55-9d0e-000000000001"}"#;
/// Sandbox's documented session-status example.
const STATUS_BODY: &str = r#"{"code":200,"timestamp":1752580258171,"data":{"id":"839fd8a0-d645-42e1-a904-bb43353b0139","created_at":1752579445983,"updated_at":1752579445983,"@entity":"in.co.sandbox.kyc.digilocker.session","status":"succeeded","documents_consented":["aadhaar","pan"]},"transaction_id":"800ff751-2191-4b7d-b20a-8301790a3e19"}"#;
/// Sandbox's documented verify-user example.
const VERIFY_BODY: &str = r#"{"code":200,"timestamp":1751975600361,"data":{"@entity":"in.co.sandbox.kyc.digilocker.user.verification.response","user_exists":true},"transaction_id":"a11c4e00-fae1-4092-a55f-b4f0be92ffeb"}"#;

/// What the server saw of one request: method, path, headers, body.
type Seen = (String, String, BTreeMap<String, String>, Bytes);

#[derive(Default)]
struct Canned {
    authenticate: AtomicU64,
    requests: AtomicU64,
    auth_delay_ms: AtomicU64,
    last: Mutex<Option<Seen>>,
}

async fn handle(
    st: Arc<Canned>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    st.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path();
    let (status, out) = match (parts.method.as_str(), path) {
        ("POST", "/authenticate") => {
            st.authenticate.fetch_add(1, Ordering::SeqCst);
            let delay = st.auth_delay_ms.load(Ordering::Relaxed);
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            (200, AUTH_BODY)
        }
        ("GET", p) if p.ends_with("/status") => (200, STATUS_BODY),
        ("POST", "/kyc/digilocker/user/verify") => (200, VERIFY_BODY),
        _ => (404, r#"{"code":404,"message":"no such route"}"#),
    };
    if path != "/authenticate" {
        let headers = parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        *st.last.lock().unwrap() = Some((
            parts.method.to_string(),
            parts.uri.to_string(),
            headers,
            body,
        ));
    }
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(out.as_bytes())))
        .unwrap())
}

/// Start the server on its own thread and single-threaded runtime, so that
/// the client under test has the other core to itself.
fn start_canned() -> (SocketAddr, Arc<Canned>) {
    let state = Arc::new(Canned::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let st = state.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let st = st.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(st.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    (rx.recv().unwrap(), state)
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn facade(addr: SocketAddr) -> SandboxClient {
    SandboxClient::builder()
        .api_key(KEY)
        .api_secret(SECRET)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------
// 2. Per-call overhead: facade vs raw reqwest
// ---------------------------------------------------------------------------

/// The hand-written baseline: a reqwest client with the settings the
/// facade's `HttpSettings::default()` gives its own (timeouts, user agent,
/// pool idle timeout; HTTP/1.1, plain TCP on loopback), a token fetched
/// once, the same headers, JSON parsed into `serde_json::Value`.
#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Raw {
    async fn new(addr: SocketAddr) -> Raw {
        let s = HttpSettings::default();
        let http = reqwest::Client::builder()
            .connect_timeout(s.connect_timeout)
            .timeout(s.request_timeout)
            .user_agent(s.user_agent)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://{addr}");
        let v: Value = http
            .post(format!("{base}/authenticate"))
            .header("accept", "application/json")
            .header("x-api-key", KEY)
            .header("x-api-secret", SECRET)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = v["data"]["access_token"].as_str().unwrap().to_string();
        Raw { http, base, token }
    }

    async fn status(&self, id: &str) -> Value {
        let resp = self
            .http
            .get(format!("{}/kyc/digilocker/sessions/{id}/status", self.base))
            .header("accept", "application/json")
            .header("authorization", &self.token)
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert!(v["data"]["status"].is_string());
        v
    }

    async fn verify(&self, mobile: &str) -> Value {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
            "mobile": mobile,
        });
        let resp = self
            .http
            .post(format!("{}/kyc/digilocker/user/verify", self.base))
            .header("accept", "application/json")
            .header("authorization", &self.token)
            .header("x-api-key", KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert!(v["data"]["user_exists"].is_boolean());
        v
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Get,
    Post,
}

const MOBILE: &str = "9687205427";

async fn call_facade(f: &SandboxClient, op: Op) {
    match op {
        Op::Get => {
            let s = f.session_status(SESSION).await.unwrap();
            assert!(s.status.is_success());
        }
        Op::Post => {
            let exists = f
                .verify_user(VerifyUser::mobile(MOBILE).unwrap())
                .await
                .unwrap();
            assert!(exists);
        }
    }
}

async fn call_raw(r: &Raw, op: Op) {
    match op {
        Op::Get => {
            black_box(r.status(SESSION).await);
        }
        Op::Post => {
            black_box(r.verify(MOBILE).await);
        }
    }
}

/// Both clients must put the same request on the wire.
async fn same_request(state: &Canned, f: &SandboxClient, r: &Raw, op: Op) -> Value {
    call_facade(f, op).await;
    let a = state.last.lock().unwrap().take().unwrap();
    call_raw(r, op).await;
    let b = state.last.lock().unwrap().take().unwrap();
    assert_eq!(a.0, b.0, "method");
    assert_eq!(a.1, b.1, "path");
    assert_eq!(a.2, b.2, "headers");
    let ja: Value = serde_json::from_slice(&a.3).unwrap_or(Value::Null);
    let jb: Value = serde_json::from_slice(&b.3).unwrap_or(Value::Null);
    assert_eq!(ja, jb, "body");
    json!(a.2.keys().collect::<Vec<_>>())
}

/// What the figures compare: the facade and the generated client used raw,
/// both making one call of an [`Op`] against the canned server.
trait Caller: Clone + Send + Sync + 'static {
    fn call(&self, op: Op) -> impl std::future::Future<Output = ()> + Send;
}

impl Caller for SandboxClient {
    async fn call(&self, op: Op) {
        call_facade(self, op).await
    }
}

impl Caller for Raw {
    async fn call(&self, op: Op) {
        call_raw(self, op).await
    }
}

/// Sequential latencies (µs) of `n` calls.
async fn seq(c: &impl Caller, op: Op, n: usize, out: &mut Vec<f64>) {
    for _ in 0..n {
        let t = Instant::now();
        c.call(op).await;
        out.push(t.elapsed().as_nanos() as f64 / 1000.0);
    }
}

const CONCURRENCY: usize = 64;

/// Calls per second with 64 callers making `per_caller` calls each.
async fn conc(c: &impl Caller, op: Op, per_caller: usize) -> f64 {
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let c = c.clone();
        set.spawn(async move {
            for _ in 0..per_caller {
                c.call(op).await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    (CONCURRENCY * per_caller) as f64 / t.elapsed().as_secs_f64()
}

fn overhead(opts: &Opts) -> Vec<Figure> {
    let (addr, state) = start_canned();
    let rt = client_runtime();
    rt.block_on(async {
        let f = facade(addr);
        let raw = Raw::new(addr).await;
        // The facade's token is fetched by this first call and cached.
        call_facade(&f, Op::Get).await;
        let (rounds, per_round, per_caller) = if opts.quick {
            (4, 100, 10)
        } else {
            (20, 500, 200)
        };
        let mut figures = Vec::new();
        for (op, label) in [(Op::Get, "get_status"), (Op::Post, "post_verify")] {
            let headers = same_request(&state, &f, &raw, op).await;
            // Warm both pools and code paths.
            let mut sink = Vec::new();
            seq(&f, op, 200, &mut sink).await;
            seq(&raw, op, 200, &mut sink).await;
            conc(&f, op, 5).await;
            conc(&raw, op, 5).await;

            let (mut lf, mut lr) = (Vec::new(), Vec::new());
            let (mut tf, mut tr, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..rounds {
                // Alternate who goes first, so drift hits both alike.
                if round % 2 == 0 {
                    seq(&raw, op, per_round, &mut lr).await;
                    seq(&f, op, per_round, &mut lf).await;
                    let r = conc(&raw, op, per_caller).await;
                    let x = conc(&f, op, per_caller).await;
                    tr.push(r);
                    tf.push(x);
                    ratios.push(x / r);
                } else {
                    seq(&f, op, per_round, &mut lf).await;
                    seq(&raw, op, per_round, &mut lr).await;
                    let x = conc(&f, op, per_caller).await;
                    let r = conc(&raw, op, per_caller).await;
                    tr.push(r);
                    tf.push(x);
                    ratios.push(x / r);
                }
            }
            let (mf, mr) = (median(&mut lf.clone()), median(&mut lr.clone()));
            figures.push(Figure {
                name: if op == Op::Get {
                    "overhead_get_status_seq_median_ratio"
                } else {
                    "overhead_post_verify_seq_median_ratio"
                },
                value: mf / mr,
                unit: "x",
                target: Some(("<=", 1.10)),
                detail: json!({
                    "operation": label,
                    "facade_median_us": round(mf),
                    "raw_median_us": round(mr),
                    "facade_p99_us": round(percentile(&mut lf, 0.99)),
                    "raw_p99_us": round(percentile(&mut lr, 0.99)),
                    "calls_each": lf.len(),
                    "rounds": rounds,
                    "same_request_headers": headers,
                }),
            });
            figures.push(Figure {
                name: if op == Op::Get {
                    "overhead_get_status_c64_throughput_ratio"
                } else {
                    "overhead_post_verify_c64_throughput_ratio"
                },
                value: median(&mut ratios),
                unit: "x",
                target: Some((">=", 0.90)),
                detail: json!({
                    "operation": label,
                    "concurrency": CONCURRENCY,
                    "facade_calls_per_s": round(median(&mut tf)),
                    "raw_calls_per_s": round(median(&mut tr)),
                    "calls_per_round_each": CONCURRENCY * per_caller,
                    "rounds": rounds,
                    "ratio": "median over rounds of facade/raw throughput",
                }),
            });
        }
        figures
    })
}

// ---------------------------------------------------------------------------
// 2b. Instructions per call (callgrind)
// ---------------------------------------------------------------------------

/// The child of `instr`: `n` sequential calls of one kind, after a warm-up.
fn child_calls(args: &[String]) {
    let op = if args[0] == "get" { Op::Get } else { Op::Post };
    let use_facade = args[1] == "facade";
    let n: usize = args[2].parse().unwrap();
    let concurrent = args.get(3).is_some_and(|a| a == "c64");
    let (addr, _state) = start_canned();
    client_runtime().block_on(async {
        let f = facade(addr);
        let raw = Raw::new(addr).await;
        for _ in 0..50 {
            call_facade(&f, op).await;
            call_raw(&raw, op).await;
        }
        if concurrent {
            conc(&f, op, 5).await;
            conc(&raw, op, 5).await;
            let per_caller = n / CONCURRENCY;
            if use_facade {
                conc(&f, op, per_caller).await;
            } else {
                conc(&raw, op, per_caller).await;
            }
            return;
        }
        for _ in 0..n {
            if use_facade {
                call_facade(&f, op).await;
            } else {
                call_raw(&raw, op).await;
            }
        }
    });
}

/// Total instructions (`Ir`) of a `child_calls` run under callgrind.
fn instructions_of(op: &str, client: &str, n: usize, mode: &str) -> Option<f64> {
    let out_file = std::env::temp_dir().join(format!(
        "figures-callgrind-{}-{op}-{client}-{n}-{mode}.out",
        std::process::id()
    ));
    let out = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(std::env::current_exe().unwrap())
        .args(["--child-calls", op, client, &n.to_string(), mode])
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&out_file);
    let text = String::from_utf8_lossy(&out.stderr);
    // "==123== Collected : 123456789"
    text.lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
}

fn instructions() -> Vec<Figure> {
    let (small, large) = (640, 1920);
    let mut figures = Vec::new();
    for (op, mode) in [
        ("get", "seq"),
        ("post", "seq"),
        ("get", "c64"),
        ("post", "c64"),
    ] {
        let mut per_call = BTreeMap::new();
        for client in ["facade", "raw"] {
            // The difference of two run lengths cancels start-up, warm-up
            // and the server's fixed costs; what remains is per call, the
            // in-process server's share included (the same for both).
            let a = instructions_of(op, client, small, mode);
            let b = instructions_of(op, client, large, mode);
            per_call.insert(
                client,
                a.zip(b).map(|(a, b)| (b - a) / (large - small) as f64),
            );
        }
        let (f, r) = (per_call["facade"], per_call["raw"]);
        figures.push(Figure {
            name: match (op, mode) {
                ("get", "seq") => "instructions_get_status_seq_per_call_ratio",
                ("post", "seq") => "instructions_post_verify_seq_per_call_ratio",
                ("get", _) => "instructions_get_status_c64_per_call_ratio",
                _ => "instructions_post_verify_c64_per_call_ratio",
            },
            value: f.zip(r).map(|(f, r)| f / r).unwrap_or(f64::NAN),
            unit: "x",
            target: None,
            detail: json!({
                "facade_instructions_per_call": f.map(round),
                "raw_instructions_per_call": r.map(round),
                "extra_per_call": f.zip(r).map(|(f, r)| round(f - r)),
                "note": "client and in-process server, callgrind Ir; null when valgrind is missing",
            }),
        });
    }
    figures
}

// ---------------------------------------------------------------------------
// 3. Cold start
// ---------------------------------------------------------------------------

fn cold_start() -> Vec<Figure> {
    let (addr, state) = start_canned();
    // A real /authenticate takes a while; 20 ms makes sure every one of the
    // first calls finds the token missing.
    state.auth_delay_ms.store(20, Ordering::Relaxed);
    let rt = client_runtime();
    rt.block_on(async {
        let f = facade(addr);
        let n = 1000;
        let t = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let f = f.clone();
            set.spawn(async move { f.session_status(SESSION).await.map(|_| ()) });
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            if r.unwrap().is_ok() {
                ok += 1;
            }
        }
        let elapsed = t.elapsed();
        let auths = state.authenticate.load(Ordering::SeqCst);
        vec![
            Figure {
                name: "cold_start_authenticate_requests",
                value: auths as f64,
                unit: "requests",
                target: Some(("==", 1.0)),
                detail: json!({"concurrent_first_calls": n, "succeeded": ok}),
            },
            Figure {
                name: "cold_start_all_done_ms",
                value: elapsed.as_secs_f64() * 1000.0,
                unit: "ms",
                target: None,
                detail: json!({
                    "concurrent_first_calls": n,
                    "succeeded": ok,
                    "authenticate_latency_ms": 20,
                    "status_requests": state.requests.load(Ordering::SeqCst) - auths,
                }),
            },
        ]
    })
}

// ---------------------------------------------------------------------------
// 4. Waiting on 10,000 sessions
// ---------------------------------------------------------------------------

fn wait_many(opts: &Opts) -> Vec<Figure> {
    let sessions: usize = if opts.quick { 1000 } else { 10_000 };
    let interval_ms = 1000;
    let polls_to_approve = 3;
    // The simulator runs here, on its own thread; the waiting client runs in
    // a child process so that the child's peak RSS is the client's alone.
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let sim = Simulator::builder()
                .auto_approve_after_polls(polls_to_approve)
                .max_records(1)
                .start()
                .await
                .unwrap();
            let c = sim.sandbox_credentials();
            tx.send((
                sim.sandbox_base_url(),
                c.api_key,
                c.api_secret.expose().to_string(),
            ))
            .unwrap();
            let _ = stop_rx.await;
            sim.shutdown().await;
        });
    });
    let (base, key, secret) = rx.recv().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--child-wait",
            &base,
            &key,
            &secret,
            &sessions.to_string(),
            &interval_ms.to_string(),
        ])
        .output()
        .expect("run the waiting child");
    let _ = stop_tx.send(());
    server.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let r: Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let polls = r["polls"].as_f64().unwrap();
    let detail = json!({
        "sessions": sessions,
        "poll_policy": format!("fixed {interval_ms} ms, first polls spread over the first interval"),
        "simulator_approves_after_polls": polls_to_approve,
        "settled_ok": r["settled_ok"],
        "failed": r["failed"],
        "polls": polls,
        "wait_wall_s": r["wait_wall_s"],
        "rss_after_setup_mib": r["rss_after_setup_mib"],
        "rss_now_mib": r["rss_now_mib"],
        "poll_future_bytes": r["poll_future_bytes"],
    });
    vec![
        Figure {
            name: "wait_10k_peak_rss_mib",
            value: r["peak_rss_mib"].as_f64().unwrap(),
            unit: "MiB",
            target: Some(("<", 64.0)),
            detail: detail.clone(),
        },
        Figure {
            name: "wait_10k_cpu_per_poll_us",
            value: r["cpu_per_poll_us"].as_f64().unwrap(),
            unit: "us",
            target: None,
            detail,
        },
    ]
}

fn vm_kib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(f64::NAN)
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The child: create the sessions, then wait on all of them at once.
fn child_wait(args: &[String]) {
    let base = args[0].clone();
    let key = args[1].clone();
    let secret = args[2].clone();
    let n: usize = args[3].parse().unwrap();
    let interval = Duration::from_millis(args[4].parse().unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let client = SandboxClient::builder()
            .api_key(key)
            .api_secret(secret)
            .base_url(base)
            .retry_policy(RetryPolicy::default())
            .build()
            .unwrap();
        // Create the sessions, 64 at a time.
        let mut ids = Vec::with_capacity(n);
        let sem = Arc::new(tokio::sync::Semaphore::new(64));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            // Reap finished tasks as we go: a JoinSet keeps every finished
            // task until it is joined, which would count here.
            while let Some(id) = set.try_join_next() {
                ids.push(id.unwrap());
            }
            let c = client.clone();
            let permit = sem.clone().acquire_owned().await.unwrap();
            set.spawn(async move {
                let _p = permit;
                c.start_session(
                    StartSession::new(Flow::Signin, [DocType::Aadhaar], "https://app.example/done")
                        .unwrap(),
                )
                .await
                .unwrap()
                .id
            });
        }
        while let Some(id) = set.join_next().await {
            ids.push(id.unwrap());
        }
        let rss_after_setup = vm_kib("VmRSS:") / 1024.0;
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let polls = Arc::new(AtomicU64::new(0));
        let policy = PollPolicy::fixed(interval, Duration::from_secs(120));
        let future_bytes = {
            let c = client.clone();
            let fut = async move { poll_until(&policy, || c.session_status("x"), |_| {}).await };
            std::mem::size_of_val(&fut)
        };
        let policy = PollPolicy::fixed(interval, Duration::from_secs(120));
        let mut set = tokio::task::JoinSet::new();
        for (i, id) in ids.into_iter().enumerate() {
            let c = client.clone();
            let polls = polls.clone();
            let policy = policy.clone();
            // A batch job's sessions do not all start in the same
            // millisecond: spread the first polls over one interval.
            let offset = interval.mul_f64(i as f64 / n as f64);
            set.spawn(async move {
                tokio::time::sleep(offset).await;
                poll_until(
                    &policy,
                    || c.session_status(&id),
                    |_| {
                        polls.fetch_add(1, Ordering::Relaxed);
                    },
                )
                .await
                .map(|s| s.status.is_success())
            });
        }
        let (mut ok, mut failed) = (0u64, 0u64);
        while let Some(r) = set.join_next().await {
            match r.unwrap() {
                Ok(true) => ok += 1,
                _ => failed += 1,
            }
        }
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let polls = polls.load(Ordering::Relaxed);
        println!(
            "{}",
            json!({
                "peak_rss_mib": round(vm_kib("VmHWM:") / 1024.0),
                "rss_now_mib": round(vm_kib("VmRSS:") / 1024.0),
                "rss_after_setup_mib": round(rss_after_setup),
                "cpu_per_poll_us": round(cpu / polls as f64 * 1e6),
                "polls": polls,
                "settled_ok": ok,
                "failed": failed,
                "wait_wall_s": round(wall),
                "poll_future_bytes": future_bytes,
            })
        );
    });
}
