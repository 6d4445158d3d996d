//! Each fault kind, as a raw client sees it, and as the records show it.

use crate::simulator_support;

use digilocker_kyc::simulator::{Fault, Simulator};
use reqwest::Method;
use serde_json::{Value, json};
use simulator_support::*;
use std::time::Duration;

const INIT: &str = "/kyc/digilocker/sessions/init";

fn init_body() -> Value {
    json!({
        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
        "flow": "signin",
        "redirect_url": "https://app.example/done",
        "doc_types": ["aadhaar"],
    })
}

async fn post_init(
    c: &reqwest::Client,
    sim: &Simulator,
    t: &str,
) -> reqwest::Result<reqwest::Response> {
    c.post(format!("{}{INIT}", sim.sandbox_base_url()))
        .headers(sandbox_headers(sim, t))
        .json(&init_body())
        .send()
        .await
}

#[tokio::test]
async fn rate_limited_answers_429_with_retry_after() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    sim.inject(
        Fault::rate_limited(Duration::from_millis(1500))
            .method("POST")
            .path(INIT)
            .times(1),
    );
    let resp = post_init(&c, &sim, &t).await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    let body: Value = resp.json().await.unwrap();
    assert_sandbox_error(429, &body, 429, "Too Many Requests");
    // Spent: the next one goes through, and only it created a session.
    assert_eq!(post_init(&c, &sim, &t).await.unwrap().status(), 200);
    assert_eq!(sim.sessions().len(), 1);
    let recs = sim.requests_to("POST", INIT);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].status, Some(429));
    assert!(matches!(recs[0].fault, Some(Fault::RateLimited { .. })));
    assert_eq!(recs[1].fault, None);
}

#[tokio::test]
async fn status_faults_use_the_provider_envelope() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    sim.inject(Fault::status(503).path("/kyc/*").times(1));
    let resp = post_init(&c, &sim, &t).await.unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert_sandbox_error(status, &body, 503, "Service Unavailable");

    sim.inject(Fault::status(500).path("/ekoapi/*").times(1));
    let resp = c
        .get(format!(
            "{}/tools/kyc/digilocker/status",
            sim.eko_base_url()
        ))
        .headers(eko_headers(&sim))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], 500);
    assert!(sim.sessions().is_empty());
}

#[tokio::test]
async fn html_and_truncated_bodies_do_not_parse() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;

    sim.inject(Fault::html(502).times(1));
    let resp = post_init(&c, &sim, &t).await.unwrap();
    assert_eq!(resp.status(), 502);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("<html>"));
    assert!(serde_json::from_str::<Value>(&text).is_err());

    sim.inject(Fault::truncated_json().path(INIT).times(1));
    let resp = post_init(&c, &sim, &t).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("{\""));
    assert!(serde_json::from_str::<Value>(&text).is_err());
    // The request itself was handled: the session exists.
    assert_eq!(sim.sessions().len(), 1);
}

#[tokio::test]
async fn dropped_connections_fail_the_client() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    sim.inject(Fault::drop_connection().method("POST").path(INIT).times(1));
    let err = post_init(&client(), &sim, &t)
        .await
        .expect_err("no response");
    assert!(!err.is_status(), "{err}");
    assert!(
        sim.sessions().is_empty(),
        "a dropped request is not handled"
    );
    let rec = sim.requests_to("POST", INIT).pop().unwrap();
    assert_eq!(rec.status, None);
    assert_eq!(rec.fault, Some(Fault::DropConnection));
    // The server carries on.
    assert_eq!(post_init(&c, &sim, &t).await.unwrap().status(), 200);
}

#[tokio::test]
async fn latency_shows_in_the_servers_record() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let delay = Duration::from_millis(250);
    sim.inject(Fault::latency(delay).path("*/status").times(1));
    let (status, body) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::GET,
        "/kyc/digilocker/sessions/unknown/status",
        None,
    )
    .await;
    assert_eq!(status, 521, "{body}");
    let rec = sim.requests_to("GET", "*/status").pop().unwrap();
    assert_eq!(rec.fault, Some(Fault::Latency(delay)));
    assert!(rec.elapsed >= delay, "{:?}", rec.elapsed);
}

#[tokio::test]
async fn seeded_random_faults_repeat_and_rules_can_be_removed() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let sim = Simulator::start().await.unwrap();
        let c = client();
        sim.inject(Fault::status(503).path("/authenticate").at_rate(0.5, seed));
        for _ in 0..30 {
            let _ = c
                .post(format!("{}/authenticate", sim.sandbox_base_url()))
                .send()
                .await
                .unwrap();
        }
        sim.requests()
            .iter()
            .map(|r| r.status == Some(503))
            .collect()
    }
    let a = pattern(11).await;
    assert_eq!(a, pattern(11).await);
    assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x), "{a:?}");

    let sim = Simulator::start().await.unwrap();
    let id = sim.inject(Fault::status(500));
    let c = client();
    let url = format!("{}/authenticate", sim.sandbox_base_url());
    assert_eq!(c.post(&url).send().await.unwrap().status(), 500);
    assert!(sim.remove_fault(id));
    assert_eq!(c.post(&url).send().await.unwrap().status(), 401);
}
