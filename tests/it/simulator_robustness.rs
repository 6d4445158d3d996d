//! Garbage in gives 4xx (never a panic or a dropped connection), and one
//! simulator carries a thousand concurrent sessions.

use crate::simulator_support;

use digilocker_kyc::simulator::{SessionState, Simulator};
use reqwest::Method;
use serde_json::{Value, json};
use simulator_support::*;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PATHS: &[&str] = &[
    "/authenticate",
    "/kyc/digilocker/user/verify",
    "/kyc/digilocker/sessions/init",
    "/kyc/digilocker-sdk/sessions/create",
    "/kyc/entitylocker/sessions/init",
    "/kyc/entitylocker-sdk/sessions/create",
    "/kyc/digilocker/sessions/{id}/status",
    "/kyc/digilocker/sessions/{id}/documents/{x}",
    "/kyc/entitylocker/sessions/{id}/entity",
    "/ekoapi/v3/tools/kyc/digilocker",
    "/ekoapi/v3/tools/kyc/digilocker/status",
    "/ekoapi/v3/tools/kyc/digilocker/document",
    "/ekoapi/v3/{x}",
    "/simulator/authorize/{id}",
    "/simulator/files/{x}/{x}",
    "/simulator/{x}",
    "/{x}",
    "/kyc/{x}/sessions/{x}/{x}",
    "/",
];

fn garbage(rng: &mut fastrand::Rng, max: usize) -> String {
    let len = rng.usize(0..max);
    (0..len)
        .map(|_| match rng.u8(0..4) {
            0 => rng.alphanumeric(),
            1 => char::from(rng.u8(0x20..0x7f)),
            2 => rng.char('\u{a0}'..'\u{2fff}'),
            _ => ['{', '}', '"', '[', ']', ':', ',', '%', '/', '.'][rng.usize(0..10)],
        })
        .collect()
}

fn garbage_body(rng: &mut fastrand::Rng) -> Vec<u8> {
    match rng.u8(0..6) {
        0 => Vec::new(),
        1 => (0..rng.usize(1..512)).map(|_| rng.u8(..)).collect(),
        2 => garbage(rng, 200).into_bytes(),
        3 => json!([1, "two", null]).to_string().into_bytes(),
        4 => json!({
            "@entity": rng.bool().then_some("in.co.sandbox.kyc.digilocker.session.request"),
            "flow": [garbage(rng, 5)],
            "doc_types": { "a": 1 },
            "redirect_url": 42,
            "initiator_id": { "x": [] },
            "reference_id": -1.5,
            "document_type": null,
            "aadhaar_number": 123456789012u64,
        })
        .to_string()
        .into_bytes(),
        _ => json!({
            "@entity": "in.co.sandbox.kyc.digilocker.user.verification.request",
            "mobile": garbage(rng, 12),
            "aadhaar_number": garbage(rng, 14),
        })
        .to_string()
        .into_bytes(),
    }
}

#[tokio::test]
async fn garbage_requests_get_4xx_and_the_server_survives() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::HEAD,
    ];
    for i in 0..400 {
        let template = PATHS[rng.usize(0..PATHS.len())];
        let mut path = template.to_string();
        while let Some(at) = path.find("{x}") {
            let seg: String =
                url::form_urlencoded::byte_serialize(garbage(&mut rng, 20).as_bytes()).collect();
            path.replace_range(at..at + 3, &seg);
        }
        path = path.replace(
            "{id}",
            &garbage(&mut rng, 40).replace(['/', '?', '#', '%'], ""),
        );
        let posts = [
            "/authenticate",
            "/verify",
            "/init",
            "/create",
            "/digilocker",
            "/document",
        ];
        let method = if rng.bool() {
            methods[rng.usize(0..methods.len())].clone()
        } else if posts.iter().any(|p| template.ends_with(p)) {
            Method::POST
        } else {
            Method::GET
        };
        let mut req = c
            .request(
                method.clone(),
                format!("{}{}", sim.sandbox_base_url(), path),
            )
            .body(garbage_body(&mut rng));
        if rng.bool() {
            req = req.headers(sandbox_headers(&sim, &t));
        }
        if rng.bool() {
            req = req.headers(eko_headers(&sim));
        }
        if rng.u8(0..8) == 0 {
            let raw = reqwest::header::HeaderValue::from_bytes(&[0xff, 0xfe, b'a']).unwrap();
            req = req
                .header("authorization", raw.clone())
                .header("secret-key-timestamp", raw);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i} {method} {path}: {e}"));
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        // 521 is Sandbox's answer for an unknown session id; Eko answers
        // business errors with HTTP 200 and a non-zero `status`.
        let eko_business_error = status == 200
            && path.starts_with("/ekoapi/")
            && serde_json::from_str::<Value>(&body).is_ok_and(|b| b["status"] != 0);
        assert!(
            (400..500).contains(&status) || status == 521 || eko_business_error,
            "request {i}: {method} {path} -> {status} {body}"
        );
    }

    // Oversized bodies are refused (413) or cut off; never a crash.
    let big = vec![b'{'; 2 << 20];
    if let Ok(resp) = c
        .post(format!(
            "{}/kyc/digilocker/sessions/init",
            sim.sandbox_base_url()
        ))
        .headers(sandbox_headers(&sim, &t))
        .body(big)
        .send()
        .await
    {
        assert_eq!(resp.status(), 413);
    }

    // Not HTTP at all.
    let mut raw = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    raw.write_all(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = raw.read_to_end(&mut buf).await;
    let answer = String::from_utf8_lossy(&buf);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );

    // Still serving.
    assert_eq!(token(&c, &sim).await.split('.').count(), 3);
    assert!(sim.sessions().is_empty(), "garbage created no session");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_sessions_complete() {
    let sim = Arc::new(
        Simulator::builder()
            .auto_approve_after_polls(3)
            // A thousand tasks on one reqwest pool may hold more than a
            // thousand connections (a spare connect races each checkout);
            // the default cap of 1024 would refuse some with a 503.
            .max_connections(4096)
            .start()
            .await
            .unwrap(),
    );
    let c = client();
    let t = Arc::new(token(&c, &sim).await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000u32 {
        let (sim, c, t) = (sim.clone(), c.clone(), t.clone());
        tasks.spawn(async move {
            if i % 2 == 0 {
                let (status, body) = sandbox_call(
                    &c,
                    &sim,
                    &t,
                    Method::POST,
                    "/kyc/digilocker/sessions/init",
                    Some(json!({
                        "@entity": "in.co.sandbox.kyc.digilocker.session.request",
                        "flow": "signin",
                        "redirect_url": "https://app.example/done",
                        "doc_types": ["aadhaar"],
                    })),
                )
                .await;
                assert_eq!(status, 200, "{body}");
                let id = body["data"]["session_id"].as_str().unwrap().to_string();
                let path = format!("/kyc/digilocker/sessions/{id}/status");
                loop {
                    let (status, st) = sandbox_call(&c, &sim, &t, Method::GET, &path, None).await;
                    assert_eq!(status, 200);
                    if st["data"]["status"] == "succeeded" {
                        break;
                    }
                }
                id
            } else {
                let created = eko_create(&c, &sim, "https://app.example/cb").await;
                let reference_id = created["data"]["reference_id"].as_i64().unwrap();
                loop {
                    let st: Value = eko_status(&c, &sim, reference_id).await;
                    if st["data"]["status"] == "AUTHENTICATED" {
                        break;
                    }
                }
                reference_id.to_string()
            }
        });
    }
    let mut ids = Vec::new();
    while let Some(done) = tasks.join_next().await {
        ids.push(done.expect("session task"));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    let sessions = sim.sessions();
    assert_eq!(sessions.len(), 1000);
    assert!(sessions.iter().all(|s| s.state == SessionState::Succeeded));
    assert!(sessions.iter().all(|s| s.status_polls == 3));
    assert_eq!(sim.request_count("GET", "*/status"), 3000);
}
