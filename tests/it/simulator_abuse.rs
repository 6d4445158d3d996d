//! The simulator holds under abuse (bounded records, stalled bodies cut off,
//! a connection cap with a clear 503) and answers like the provider on the
//! edges of its spec (`Allow`, `HEAD`, nulls, integral floats).

use crate::simulator_support;

use bytes::Bytes;
use digilocker_kyc::simulator::Simulator;
use reqwest::Method;
use serde_json::{Value, json};
use simulator_support::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A guard so a broken server fails the test instead of hanging it; not a
/// timing assertion.
const GUARD: Duration = Duration::from_secs(60);

const BODY_LEN: usize = 1_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_do_not_grow_the_records_beyond_their_bound() {
    let cap = 1 << 20;
    let sim = Simulator::builder()
        .max_record_bytes(cap)
        .start()
        .await
        .unwrap();
    let url = format!("{}/kyc/digilocker/user/verify", sim.sandbox_base_url());
    let body = Bytes::from(vec![b'7'; BODY_LEN]);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (url, body, c) = (url.clone(), body.clone(), client());
        tasks.spawn(async move {
            for _ in 0..150 {
                let resp = c.post(&url).body(body.clone()).send().await.unwrap();
                // No credentials: a 401, after the whole body was read.
                assert_eq!(resp.status(), 401);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }

    let records = sim.requests();
    assert!(!records.is_empty());
    assert!(
        records.len() < 1200,
        "1,200 records of 8 KiB cannot fit in 1 MiB: {}",
        records.len()
    );
    assert!(
        sim.recorded_bytes() <= cap,
        "records hold {} bytes",
        sim.recorded_bytes()
    );
    for r in &records {
        assert_eq!(r.body.len(), 8 << 10, "a bounded prefix is kept");
        assert_eq!(r.body_len, BODY_LEN, "the full length is remembered");
        assert!(r.body.iter().all(|b| *b == b'7'));
    }
    assert_eq!(records.last().unwrap().seq, 1200, "the newest are kept");
    sim.clear_requests();
    assert_eq!(sim.recorded_bytes(), 0);
}

#[tokio::test]
async fn a_small_body_is_recorded_whole() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let body = json!({ "@entity": "x" });
    let _ = sandbox_call(
        &c,
        &sim,
        "t",
        Method::POST,
        "/kyc/digilocker/sessions/init",
        Some(body.clone()),
    )
    .await;
    let r = &sim.requests()[0];
    assert_eq!(r.body_json(), Some(body));
    assert_eq!(r.body_len, r.body.len());
    assert!(sim.recorded_bytes() >= r.body.len());
}

/// Send a request head announcing 1,000 body bytes and only 10 of them.
async fn stall_mid_body(sim: &Simulator, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"a\":\"123"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

/// Read until the server closes; what it sent.
async fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(GUARD, s.read_to_end(&mut out))
        .await
        .expect("the server closes a stalled connection")
        .unwrap_or_default();
    out
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off_and_the_connection_closed() {
    let sim = Simulator::builder()
        .body_read_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let mut s = stall_mid_body(&sim, "/authenticate").await;
    let answer = read_to_close(&mut s).await;
    assert!(answer.is_empty(), "no answer, just EOF: {answer:?}");
    let records = sim.requests_to("POST", "/authenticate");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, None, "dropped, not answered");
}

#[tokio::test]
async fn a_head_that_stalls_is_cut_off() {
    let sim = Simulator::builder()
        .header_read_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let mut s = TcpStream::connect(sim.addr()).await.unwrap();
    s.write_all(b"GET /kyc/digilocker/sessions/x/status HTTP/1.1\r\nhost: 12")
        .await
        .unwrap();
    let answer = String::from_utf8_lossy(&read_to_close(&mut s).await).into_owned();
    // hyper closes, possibly after a bare 408; never a routed answer.
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn beyond_the_connection_cap_a_client_gets_503_and_service_resumes() {
    let sim = Simulator::builder()
        .max_connections(3)
        .body_read_timeout(Duration::from_secs(3))
        .start()
        .await
        .unwrap();
    let mut stalled = Vec::new();
    for _ in 0..3 {
        stalled.push(stall_mid_body(&sim, "/kyc/digilocker/user/verify").await);
    }
    // The accept loop takes connections in order: the three stalls hold
    // every slot when this one arrives.
    let c = client();
    let resp = tokio::time::timeout(
        GUARD,
        c.get(format!(
            "{}/kyc/digilocker/sessions/x/status",
            sim.sandbox_base_url()
        ))
        .send(),
    )
    .await
    .expect("an answer, not silence")
    .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["connection"], "close");
    let body: Value = resp.json().await.unwrap();
    assert_sandbox_error(503, &body, 503, "Service Unavailable: too many connections");

    // Eko paths get Eko's envelope.
    let resp = client()
        .post(format!("{}/tools/kyc/digilocker", sim.eko_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], json!(503), "{body}");

    for s in &mut stalled {
        assert!(read_to_close(s).await.is_empty());
    }
    // The stalls are gone: normal service.
    let t = token(&client(), &sim).await;
    assert!(!t.is_empty());
}

#[tokio::test]
async fn method_not_allowed_says_what_is() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let cases = [
        (
            Method::POST,
            format!(
                "{}/kyc/digilocker/sessions/x/status",
                sim.sandbox_base_url()
            ),
            "GET, HEAD",
        ),
        (
            Method::GET,
            format!("{}/authenticate", sim.sandbox_base_url()),
            "POST",
        ),
        (
            Method::DELETE,
            format!("{}/tools/kyc/digilocker", sim.eko_base_url()),
            "POST",
        ),
        (
            Method::POST,
            format!("{}/tools/kyc/digilocker/status", sim.eko_base_url()),
            "GET, HEAD",
        ),
        (
            Method::DELETE,
            format!("{}/simulator/authorize/x", sim.sandbox_base_url()),
            "GET, HEAD, POST",
        ),
    ];
    for (method, url, allow) in cases {
        let resp = c.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(resp.status(), 405, "{method} {url}");
        assert_eq!(
            resp.headers().get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {url}"
        );
    }
}

#[tokio::test]
async fn head_on_a_read_route_answers_like_get_without_a_body() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/digilocker/sessions/init",
        Some(init_body()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["session_id"].as_str().unwrap().to_string();
    let path = format!("/kyc/digilocker/sessions/{id}/status");
    let url = format!("{}{path}", sim.sandbox_base_url());
    let get = c
        .get(&url)
        .headers(sandbox_headers(&sim, &t))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    let get_len = get.headers().get("content-length").cloned();
    assert!(get_len.is_some());
    let head = c
        .head(&url)
        .headers(sandbox_headers(&sim, &t))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert_eq!(head.headers().get("content-length").cloned(), get_len);
    assert!(head.bytes().await.unwrap().is_empty());
    // Unknown session: the same 521 as GET.
    let head = c
        .head(format!(
            "{}/kyc/digilocker/sessions/nope/status",
            sim.sandbox_base_url()
        ))
        .headers(sandbox_headers(&sim, &t))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 521);
}

fn init_body() -> Value {
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin",
        "redirect_url": "https://example.com/back",
        "doc_types": ["aadhaar"],
    })
}

#[tokio::test]
async fn nulls_and_empty_lists_are_rejected_as_the_provider_does() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let init = "/kyc/digilocker/sessions/init";

    let mut body = init_body();
    body["consent_expiry"] = Value::Null;
    let (status, resp) = sandbox_call(&c, &sim, &t, Method::POST, init, Some(body)).await;
    assert_sandbox_error(
        status,
        &resp,
        400,
        "Invalid request body: consent_expiry must be an integer",
    );

    let mut body = init_body();
    body["options"] = json!({ "verification_method": [] });
    let (status, resp) = sandbox_call(&c, &sim, &t, Method::POST, init, Some(body)).await;
    assert_sandbox_error(
        status,
        &resp,
        400,
        "Invalid request body: options.verification_method must have at least 1 item",
    );

    let mut body = init_body();
    body["options"] = json!({ "verification_method": null });
    let (status, resp) = sandbox_call(&c, &sim, &t, Method::POST, init, Some(body)).await;
    assert_sandbox_error(
        status,
        &resp,
        400,
        "Invalid request body: options.verification_method must be an array",
    );

    let verify = "/kyc/digilocker/user/verify";
    let entity = "in.co.sandbox.kyc.digilocker.user.verification.request";
    for body in [
        json!({ "@entity": entity, "mobile": null }),
        json!({ "@entity": entity, "aadhaar_number": "234567890123", "mobile": null }),
    ] {
        let (status, resp) =
            sandbox_call(&c, &sim, &t, Method::POST, verify, Some(body.clone())).await;
        assert_eq!(status, 400, "{body} -> {resp}");
        assert_eq!(resp["code"], json!(400));
    }
    assert_eq!(sim.sessions().len(), 0, "nothing was created");
}

#[tokio::test]
async fn an_integral_float_consent_expiry_is_an_integer() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let expiry = (sim_now_ms(&sim) / 1000 + 7200) * 1000;
    let mut body = init_body();
    body["consent_expiry"] = json!(expiry as f64);
    assert!(body.to_string().contains(".0"), "{body}");
    let (status, resp) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/digilocker/sessions/init",
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{resp}");

    let mut body = init_body();
    body["consent_expiry"] = json!(expiry as f64 + 0.5);
    let (status, resp) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/digilocker/sessions/init",
        Some(body),
    )
    .await;
    assert_sandbox_error(
        status,
        &resp,
        400,
        "Invalid request body: consent_expiry must be an integer",
    );
}
