//! The standalone simulator (`digilocker simulate`) driven over HTTP only, as
//! a test in another language would: sessions started through the provider
//! APIs, moved with the control API, faults, the clock, the request records
//! and the consent page's form.

use digilocker_kyc::eko::EkoClient;
use digilocker_kyc::flow::{DigiLocker, DocType, Outcome, Session};
use digilocker_kyc::sandbox::SandboxClient;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const REDIRECT: &str = "https://app.example/kyc/done";

/// A `digilocker simulate` process on a free port; killed on drop.
struct Standalone {
    child: Child,
    info: Value,
    http: reqwest::Client,
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Standalone {
    /// Start the process and read the URLs and credentials it prints.
    fn start() -> Standalone {
        let mut child = Command::new(env!("CARGO_BIN_EXE_digilocker"))
            .args(["--json", "simulate", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start digilocker simulate");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // The JSON is printed once, pretty; collect lines until it parses.
            let mut text = String::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                text.push_str(&line);
                text.push('\n');
                if let Ok(v) = serde_json::from_str::<Value>(&text) {
                    let _ = tx.send(v);
                    break;
                }
            }
        });
        let info = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill();
                panic!("digilocker simulate printed no JSON: {e}");
            }
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Standalone { child, info, http }
    }

    fn base(&self) -> String {
        self.info["sandbox_base_url"].as_str().unwrap().to_string()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    fn sandbox(&self) -> DigiLocker {
        let s = &self.info["sandbox"];
        DigiLocker::sandbox(
            SandboxClient::builder()
                .api_key(s["api_key"].as_str().unwrap())
                .api_secret(s["api_secret"].as_str().unwrap())
                .base_url(self.base())
                .build()
                .unwrap(),
        )
    }

    fn eko(&self) -> DigiLocker {
        let e = &self.info["eko"];
        let text = |k: &str| e[k].as_str().unwrap().to_string();
        DigiLocker::eko(
            EkoClient::builder()
                .developer_key(text("developer_key"))
                .access_key(text("access_key"))
                .initiator_id(text("initiator_id"))
                .user_code(text("user_code"))
                .base_url(self.info["eko_base_url"].as_str().unwrap())
                .build()
                .unwrap(),
        )
    }

    /// A control call: (status, JSON body).
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, body).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
}

async fn start_sandbox(sim: &Standalone, kyc: &DigiLocker) -> Session {
    let s = kyc
        .start([DocType::Aadhaar, DocType::Pan], REDIRECT)
        .await
        .unwrap();
    assert!(s.authorization_url.starts_with(&sim.base()));
    s
}

#[tokio::test]
async fn approve_a_subset_over_http_and_see_it_in_the_provider_status() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;

    let (status, snap) = sim.get(&format!("/simulator/sessions/{}", s.id)).await;
    assert_eq!(status, 200, "{snap}");
    assert_eq!(snap["state"], "created");
    assert_eq!(snap["kind"], "digilocker");
    assert_eq!(snap["requested_documents"], json!(["aadhaar", "pan"]));
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Pending);

    let (status, snap) = sim
        .post(
            &format!("/simulator/sessions/{}/approve", s.id),
            Some(json!({"documents": ["aadhaar"]})),
        )
        .await;
    assert_eq!(status, 200, "{snap}");
    assert_eq!(snap["state"], "succeeded");
    assert_eq!(snap["consented_documents"], json!(["aadhaar"]));
    assert_eq!(
        kyc.status(&s).await.unwrap(),
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );
    let docs = kyc.documents(&s).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].kind, DocType::Aadhaar);

    // A final session does not move again.
    let (status, err) = sim
        .post(&format!("/simulator/sessions/{}/deny", s.id), None)
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"], "already_final");

    // Without a body, approve consents to everything requested.
    let all = start_sandbox(&sim, &kyc).await;
    let (status, snap) = sim
        .post(&format!("/simulator/sessions/{}/approve", all.id), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(snap["consented_documents"], json!(["aadhaar", "pan"]));

    let (status, list) = sim.get("/simulator/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn deny_expire_and_fail_show_in_the_provider_status() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    for (action, outcome) in [
        ("deny", Outcome::Denied),
        ("expire", Outcome::Expired),
        ("fail", Outcome::Failed),
    ] {
        let s = start_sandbox(&sim, &kyc).await;
        let (status, snap) = sim
            .post(&format!("/simulator/sessions/{}/{action}", s.id), None)
            .await;
        assert_eq!(status, 200, "{action}: {snap}");
        let got = kyc.status(&s).await.unwrap();
        // Sandbox has no `denied`: a denied session reads `failed`.
        let want = if action == "deny" {
            Outcome::Failed
        } else {
            outcome
        };
        assert_eq!(got, want, "{action}");
    }
}

#[tokio::test]
async fn eko_sessions_by_reference_id_and_verification_id() {
    let sim = Standalone::start();
    let kyc = sim.eko();

    let denied = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let (status, snap) = sim
        .post(&format!("/simulator/sessions/{}/deny", denied.id), None)
        .await;
    assert_eq!(status, 200, "{snap}");
    assert_eq!(snap["kind"], "eko");
    assert_eq!(kyc.status(&denied).await.unwrap(), Outcome::Denied);

    let approved = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let (_, snap) = sim
        .get(&format!("/simulator/sessions/{}", approved.id))
        .await;
    let vid = snap["eko_verification_id"].as_str().unwrap().to_string();
    assert_eq!(snap["eko_reference_id"].to_string(), approved.id);
    let (status, snap) = sim
        .post(
            &format!("/simulator/sessions/{vid}/approve"),
            Some(json!({"documents": ["AADHAAR"]})),
        )
        .await;
    assert_eq!(status, 200, "{snap}");
    assert_eq!(
        kyc.status(&approved).await.unwrap(),
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );
}

#[tokio::test]
async fn errors_are_json_with_the_right_status() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;

    let (status, err) = sim.post("/simulator/sessions/nope/approve", None).await;
    assert_eq!(status, 404);
    assert_eq!(err["error"], "unknown_session");
    let (status, err) = sim.get("/simulator/sessions/nope").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"], "unknown_session");

    let approve = format!("/simulator/sessions/{}/approve", s.id);
    let (status, err) = sim.call(reqwest::Method::POST, &approve, None).await;
    assert_eq!(status, 200, "{err}");
    let s = start_sandbox(&sim, &kyc).await;
    let approve = format!("/simulator/sessions/{}/approve", s.id);
    for bad in [
        json!("aadhaar"),
        json!({"documents": "aadhaar"}),
        json!({"docs": []}),
    ] {
        let (status, err) = sim.post(&approve, Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {err}");
        assert_eq!(err["error"], "bad_request");
    }
    let resp = sim
        .http
        .post(sim.url(&approve))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let (status, err) = sim
        .post(&approve, Some(json!({"documents": ["driving_license"]})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"], "document_not_allowed");
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Pending);

    let resp = sim.http.get(sim.url(&approve)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()["allow"], "POST");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    let resp = sim
        .http
        .put(sim.url("/simulator/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()["allow"], "POST, DELETE");
    let resp = sim
        .http
        .post(sim.url("/simulator/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["allow"], "GET");

    let (status, err) = sim
        .post(&format!("/simulator/sessions/{}/bogus", s.id), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(err["error"], "not_found");
    let (status, err) = sim
        .post("/simulator/clock/advance", Some(json!({"seconds": -5})))
        .await;
    assert_eq!(status, 400, "{err}");
    let (status, _) = sim.post("/simulator/clock/advance", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn faults_switch_on_and_off_and_spare_the_control_api() {
    let sim = Standalone::start();
    let auth = sim.url("/authenticate");
    let s = &sim.info["sandbox"];
    let authenticate = || {
        sim.http
            .post(&auth)
            .header("x-api-key", s["api_key"].as_str().unwrap())
            .header("x-api-secret", s["api_secret"].as_str().unwrap())
            .send()
    };
    assert_eq!(authenticate().await.unwrap().status(), 200);

    let (status, added) = sim
        .post(
            "/simulator/faults",
            Some(json!({"fault": "status", "status": 503, "method": "POST", "path": "/authenticate"})),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["fault"], json!({"fault": "status", "status": 503}));
    for _ in 0..2 {
        assert_eq!(authenticate().await.unwrap().status(), 503);
    }
    // A catch-all fault does not reach the control API.
    let (status, catch_all) = sim
        .post(
            "/simulator/faults",
            Some(json!({"fault": "drop_connection"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, records) = sim.get("/simulator/requests").await;
    assert_eq!(status, 200);
    let faulted: Vec<&Value> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["fault"] == json!({"fault": "status", "status": 503}))
        .collect();
    assert_eq!(faulted.len(), 2);
    assert_eq!(faulted[0]["status"], 503);

    let (status, _) = sim
        .call(
            reqwest::Method::DELETE,
            &format!("/simulator/faults/{}", catch_all["id"]),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = sim
        .call(
            reqwest::Method::DELETE,
            &format!("/simulator/faults/{}", catch_all["id"]),
            None,
        )
        .await;
    assert_eq!(status, 404, "a removed rule is gone");
    assert_eq!(authenticate().await.unwrap().status(), 503);
    let (status, _) = sim
        .call(reqwest::Method::DELETE, "/simulator/faults", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(authenticate().await.unwrap().status(), 200);

    // `times` spends itself; 429 carries Retry-After.
    let (status, _) = sim
        .post(
            "/simulator/faults",
            Some(json!({"fault": "rate_limited", "retry_after_secs": 7, "path": "/authenticate", "times": 1})),
        )
        .await;
    assert_eq!(status, 201);
    let limited = authenticate().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(authenticate().await.unwrap().status(), 200);

    for bad in [
        json!({"fault": "nope"}),
        json!({"fault": "status"}),
        json!({"fault": "status", "status": 200}),
        json!({"fault": "latency"}),
        json!({"fault": "status", "status": 503, "pathh": "/x"}),
        json!({"fault": "status", "status": 503, "rate": 2.0}),
    ] {
        let (status, err) = sim.post("/simulator/faults", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {err}");
        assert_eq!(err["error"], "bad_request");
    }
}

#[tokio::test]
async fn clock_advance_expires_a_pending_session() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;
    let (_, before) = sim.get("/simulator/clock").await;
    let (status, after) = sim
        .post("/simulator/clock/advance", Some(json!({"seconds": 600})))
        .await;
    assert_eq!(status, 200, "{after}");
    let moved = after["now_ms"].as_i64().unwrap() - before["now_ms"].as_i64().unwrap();
    assert!(moved >= 600_000, "{moved}");
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Pending);
    // Sessions live an hour by default.
    let (status, _) = sim
        .post("/simulator/clock/advance", Some(json!({"seconds": 3000})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Expired);
    let (_, snap) = sim.get(&format!("/simulator/sessions/{}", s.id)).await;
    assert_eq!(snap["state"], "expired");
}

#[tokio::test]
async fn requests_are_listed_masked_filtered_and_cleared() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Pending);

    let (status, records) = sim.get("/simulator/requests").await;
    assert_eq!(status, 200);
    let records = records.as_array().unwrap().clone();
    let ops: Vec<&str> = records
        .iter()
        .map(|r| r["operation"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        ops,
        [
            "authenticate",
            "digilocker_initiate_session",
            "digilocker_get_session_status"
        ],
        "control calls are not recorded"
    );
    let header = |r: &Value, name: &str| -> Option<String> {
        r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0] == name)
            .map(|h| h[1].as_str().unwrap().to_string())
    };
    let auth = &records[0];
    assert_eq!(auth["method"], "POST");
    assert_eq!(auth["path"], "/authenticate");
    assert_eq!(auth["status"], 200);
    assert_eq!(auth["provider"], "sandbox");
    assert_eq!(header(auth, "x-api-secret").as_deref(), Some("[redacted]"));
    let key = sim.info["sandbox"]["api_key"].as_str().unwrap();
    let masked_key = header(auth, "x-api-key").unwrap();
    assert_ne!(masked_key, key);
    assert!(masked_key.ends_with(&key[key.len() - 4..]), "{masked_key}");
    assert!(masked_key.contains("XXX"), "{masked_key}");
    let init = &records[1];
    assert_eq!(header(init, "authorization").as_deref(), Some("[redacted]"));
    assert_eq!(init["body_json"]["redirect_url"], REDIRECT);
    let secret = sim.info["sandbox"]["api_secret"].as_str().unwrap();
    let all = serde_json::to_string(&records).unwrap();
    assert!(!all.contains(secret), "the secret never appears");

    let (_, posts) = sim.get("/simulator/requests?method=POST&path=/kyc/*").await;
    assert_eq!(posts.as_array().unwrap().len(), 1);
    assert_eq!(posts[0]["operation"], "digilocker_initiate_session");

    let (status, _) = sim.post("/simulator/requests/clear", None).await;
    assert_eq!(status, 200);
    let (_, records) = sim.get("/simulator/requests").await;
    assert_eq!(records, json!([]));
}

#[tokio::test]
async fn consent_page_shows_a_form_and_records_the_ticked_documents() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;

    // A plain GET shows the page and changes nothing.
    let resp = sim.http.get(&s.authorization_url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("<strong>app.example</strong> (through Sandbox)"),
        "{page}"
    );
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert_eq!(page.matches("type=\"checkbox\"").count(), 2);
    assert!(page.contains("value=\"aadhaar\" checked"));
    assert!(page.contains("value=\"pan\" checked"));
    assert!(page.contains("Aadhaar Card") && page.contains("PAN Verification Record"));
    assert!(page.contains("value=\"approve\"") && page.contains("value=\"deny\""));
    assert_eq!(kyc.status(&s).await.unwrap(), Outcome::Pending);

    // The form's POST with only PAN ticked.
    let form = sim
        .http
        .post(format!("{}/simulator/authorize/{}", sim.base(), s.id))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("documents=pan&decision=approve")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    assert_eq!(form.headers()["location"], REDIRECT);
    assert_eq!(
        kyc.status(&s).await.unwrap(),
        Outcome::Succeeded {
            consented: vec![DocType::Pan]
        }
    );
    let docs = kyc.documents(&s).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.kind.clone()).collect::<Vec<_>>(),
        [DocType::Pan]
    );

    // Approve with nothing ticked is refused; Deny needs no documents.
    let other = start_sandbox(&sim, &kyc).await;
    let post = |body: &'static str| {
        sim.http
            .post(format!("{}/simulator/authorize/{}", sim.base(), other.id))
            .body(body)
            .send()
    };
    assert_eq!(post("decision=approve").await.unwrap().status(), 400);
    let denied = post("decision=deny").await.unwrap();
    assert_eq!(denied.status(), StatusCode::SEE_OTHER);
    assert_eq!(kyc.status(&other).await.unwrap(), Outcome::Failed);

    // Eko: the redirect carries verification_id and reference_id.
    let eko = sim.eko();
    let e = eko
        .start([DocType::Aadhaar], "https://app.example/eko/cb?tenant=7")
        .await
        .unwrap();
    let page = sim
        .http
        .get(&e.authorization_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("(through Eko)") && page.contains("value=\"AADHAAR\" checked"));
    let form = sim
        .http
        .post(format!("{}/simulator/authorize/{}", sim.base(), e.id))
        .body("documents=AADHAAR&decision=approve")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(form.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(location.path(), "/eko/cb");
    assert_eq!(q["tenant"], "7");
    assert_eq!(q["reference_id"], e.id);
    assert!(q["verification_id"].starts_with("vrf_sim_"));
    assert!(matches!(
        eko.status(&e).await.unwrap(),
        Outcome::Succeeded { .. }
    ));

    // The scripted path still works without the form.
    let scripted = start_sandbox(&sim, &kyc).await;
    let resp = sim
        .http
        .get(format!(
            "{}&decision=approve&docs=aadhaar",
            scripted.authorization_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(
        kyc.status(&scripted).await.unwrap(),
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );
}

#[tokio::test]
async fn garbage_to_the_control_api_gets_json_4xx_and_the_server_survives() {
    let sim = Standalone::start();
    let kyc = sim.sandbox();
    let s = start_sandbox(&sim, &kyc).await;
    let mut rng = fastrand::Rng::with_seed(0xc0ffee);
    let paths = [
        format!("/simulator/sessions/{}/approve", s.id),
        "/simulator/sessions/x%2Fy/deny".to_string(),
        "/simulator/faults".to_string(),
        "/simulator/faults/99".to_string(),
        "/simulator/clock/advance".to_string(),
        "/simulator/sessions".to_string(),
    ];
    let bodies = [
        String::new(),
        "null".into(),
        "[]".into(),
        "{\"documents\": [1, 2]}".into(),
        "{\"documents\": [\"passport\"]}".into(),
        "{\"fault\": {}}".into(),
        "{\"fault\": \"latency\", \"delay_ms\": 18446744073709551615}".into(),
        "{\"seconds\": 1e308}".into(),
        "{\"seconds\": \"600\"}".into(),
        "{\"fault\": \"status\", \"status\": 70000}".into(),
    ];
    let methods = [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
    ];
    for i in 0..200 {
        let path = &paths[rng.usize(0..paths.len())];
        let method = methods[rng.usize(0..methods.len())].clone();
        let body = if rng.bool() {
            bodies[rng.usize(0..bodies.len())].clone()
        } else {
            (0..rng.usize(0..64)).map(|_| rng.alphanumeric()).collect()
        };
        let resp = sim
            .http
            .request(method.clone(), sim.url(path))
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert!(
            status < 500,
            "{i}: {method} {path} {body:?} -> {status} {text}"
        );
        assert!(
            serde_json::from_str::<Value>(&text).is_ok(),
            "{i}: {method} {path} -> {text}"
        );
    }
    // The server still serves, both APIs.
    let (status, _) = sim.get(&format!("/simulator/sessions/{}", s.id)).await;
    assert_eq!(status, 200);
    kyc.status(&s).await.unwrap();
}
