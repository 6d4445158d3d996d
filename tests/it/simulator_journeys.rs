//! Full journeys over raw HTTP, and the session lifecycle as the wire shows it.

use crate::simulator_support;

use digilocker_kyc::simulator::{SessionState, Simulator};
use reqwest::Method;
use serde_json::{Value, json};
use simulator_support::*;
use std::time::Duration;

const REDIRECT: &str = "https://app.example/kyc/done?from=test";

async fn init_digilocker(c: &reqwest::Client, sim: &Simulator, token: &str, docs: Value) -> Value {
    let (status, body) = sandbox_call(
        c,
        sim,
        token,
        Method::POST,
        "/kyc/digilocker/sessions/init",
        Some(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin",
            "redirect_url": REDIRECT,
            "doc_types": docs,
            "options": { "verified_mobile": "9000000001", "pinless": true },
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    conforms_sandbox("digilocker_initiate_session", &body);
    assert_eq!(
        body["data"]["@entity"],
        "in.co.sandbox.kyc.digilocker.session.response"
    );
    body
}

async fn get(c: &reqwest::Client, sim: &Simulator, token: &str, path: &str) -> (u16, Value) {
    sandbox_call(c, sim, token, Method::GET, path, None).await
}

/// Fetch a document, check the shape, download the file; the file's text.
async fn fetch_file(
    c: &reqwest::Client,
    sim: &Simulator,
    token: &str,
    family: &str,
    id: &str,
    doc: &str,
) -> (Value, String) {
    let (status, body) = get(
        c,
        sim,
        token,
        &format!("/kyc/{family}/sessions/{id}/documents/{doc}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    conforms_sandbox(&format!("{}_get_document", family.replace('-', "_")), &body);
    let file = &body["data"]["files"][0];
    assert_eq!(file["@entity"], "org.quicko.drive.file");
    let url = file["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/simulator/files/", sim.sandbox_base_url())));
    assert!(url.contains("X-Amz-Expires=3600"), "{url}");
    // No Sandbox auth needed on a pre-signed link.
    let resp = c.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        file["metadata"]["ContentType"].as_str().unwrap()
    );
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, file["size"].as_u64().unwrap());
    (file.clone(), String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn sandbox_journey_with_the_control_api() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let body = init_digilocker(&c, &sim, &t, json!(["aadhaar", "pan", "driving_license"])).await;
    let id = body["data"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    let status_path = format!("/kyc/digilocker/sessions/{id}/status");

    let (_, st) = get(&c, &sim, &t, &status_path).await;
    conforms_sandbox("digilocker_get_session_status", &st);
    assert_eq!(st["data"]["status"], "created");
    assert_eq!(
        st["data"]["@entity"],
        "in.co.sandbox.kyc.digilocker.session"
    );
    assert!(st["data"].get("documents_consented").is_none());

    sim.approve(&id, &["aadhaar", "pan"]).unwrap();
    let (_, st) = get(&c, &sim, &t, &status_path).await;
    assert_eq!(st["data"]["status"], "succeeded");
    assert_eq!(st["data"]["documents_consented"], json!(["aadhaar", "pan"]));
    assert!(st["data"]["updated_at"].is_i64());

    let (meta, xml) = fetch_file(&c, &sim, &t, "digilocker", &id, "aadhaar").await;
    assert_eq!(meta["metadata"]["issuer_id"], "in.gov.uidai");
    assert_eq!(meta["metadata"]["description"], "Aadhaar Card");
    for part in [
        "<Certificate ",
        "<CertificateData>",
        "<KycRes ",
        "uid=\"xxxxxxxx1234\"",
        "<Poi ",
        "<Poa ",
        "<Pht>/9j/",
    ] {
        assert!(xml.contains(part), "{part} missing");
    }
    let (_, pan) = fetch_file(&c, &sim, &t, "digilocker", &id, "pan").await;
    assert!(pan.contains(r#"type="PANCR""#));

    // Consent given for aadhaar and pan only.
    let (status, body) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/documents/driving_license"),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        400,
        "Consent for driving_license not provided",
    );

    let (status, profile) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/user/profile"),
    )
    .await;
    assert_eq!(status, 200);
    conforms_sandbox("digilocker_get_user_profile", &profile);
    assert_eq!(profile["data"]["name"], "Asha Verma");
    assert_eq!(profile["data"]["date_of_birth"], "14/03/1992");
    assert_eq!(profile["data"]["mobile"], "9000000001");
    assert_eq!(profile["data"]["eaadhaar"], true);
    assert_eq!(
        profile["data"]["@entity"],
        "in.co.sandbox.kyc.digilocker.user.profile"
    );

    assert_eq!(
        sim.request_count("POST", "/kyc/digilocker/sessions/init"),
        1
    );
    assert_eq!(
        sim.request_count("GET", "/kyc/digilocker/sessions/*/status"),
        2
    );
    let init = &sim.requests_to("POST", "/kyc/digilocker/sessions/init")[0];
    assert_eq!(init.operation, Some("digilocker_initiate_session"));
    assert_eq!(init.status, Some(200));
    assert_eq!(init.body_json().unwrap()["redirect_url"], REDIRECT);
    assert_eq!(init.header("authorization"), Some("[redacted]"));
    sim.shutdown().await;
}

#[tokio::test]
async fn sandbox_journey_through_the_authorization_url() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let body = init_digilocker(&c, &sim, &t, json!(["aadhaar"])).await;
    let id = body["data"]["session_id"].as_str().unwrap();
    let auth_url = body["data"]["authorization_url"].as_str().unwrap();
    assert!(auth_url.starts_with(&format!(
        "{}/simulator/authorize/{id}",
        sim.sandbox_base_url()
    )));
    assert!(auth_url.contains("req_doctype=ADHAR"), "{auth_url}");

    // The scripted consent (a plain GET only shows the consent page).
    let resp = c
        .get(format!("{auth_url}&decision=approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], REDIRECT);

    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/status"),
    )
    .await;
    assert_eq!(st["data"]["status"], "succeeded");
    assert_eq!(st["data"]["documents_consented"], json!(["aadhaar"]));
    let (_, xml) = fetch_file(&c, &sim, &t, "digilocker", id, "aadhaar").await;
    assert!(xml.contains("<UidData"));
    let (status, _) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/user/profile"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sim.session(id).unwrap().state, SessionState::Succeeded);
}

#[tokio::test]
async fn eko_journey_with_the_control_api() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let created = eko_create(&c, &sim, "https://app.example/eko/cb").await;
    assert_eq!(created["status"], 0);
    assert_eq!(created["response_type_id"], 1627);
    let reference_id = created["data"]["reference_id"]
        .as_i64()
        .expect("integer reference_id");
    assert!(created["data"].get("verification_id").is_none());

    let pending = eko_status(&c, &sim, reference_id).await;
    assert_eq!(pending["status"], 0);
    assert_eq!(pending["data"]["user_details"], json!({}));
    assert_eq!(pending["data"]["status"], "PENDING");

    sim.approve(&reference_id.to_string(), &["AADHAAR"])
        .unwrap();
    let done = eko_status(&c, &sim, reference_id).await;
    assert_eq!(done["status"], 0);
    assert_eq!(done["data"]["user_details"]["name"], "Asha Verma");
    assert_eq!(done["data"]["user_details"]["mobile"], "9000000001");
    assert_eq!(done["data"]["status"], "AUTHENTICATED");
    let verification_id = done["data"]["verification_id"]
        .as_str()
        .unwrap()
        .to_string();

    let doc = eko_document(&c, &sim, reference_id, &verification_id).await;
    assert_eq!(doc["status"], 0, "{doc}");
    assert_eq!(doc["data"]["verification_status"], "SUCCESS");
    let d = &doc["data"]["documents"][0];
    assert_eq!(d["document_type"], "AADHAAR");
    assert_eq!(d["masked_aadhaar"], "XXXX-XXXX-1234");
    assert!(d["photo"].as_str().unwrap().starts_with("/9j/"));
    assert_eq!(d["address"]["state"], "Maharashtra");

    // Wrong verification id for this reference.
    let bad = eko_document(&c, &sim, reference_id, "vrf_sim_0000").await;
    assert_ne!(bad["status"], 0);
    assert!(bad["invalid_params"]["verification_id"].is_string());
    assert_eq!(
        sim.request_count("POST", "/ekoapi/v3/tools/kyc/digilocker"),
        1
    );
}

#[tokio::test]
async fn eko_journey_through_the_authorization_url() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let created = eko_create(&c, &sim, "https://app.example/eko/cb?tenant=7").await;
    let reference_id = created["data"]["reference_id"].as_i64().unwrap();
    let url = created["data"]["url"].as_str().unwrap();

    let resp = c
        .get(url)
        .query(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.host_str(), Some("app.example"));
    assert_eq!(location.path(), "/eko/cb");
    let q: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(q["tenant"], "7");
    assert_eq!(q["reference_id"], reference_id.to_string());
    let verification_id = q["verification_id"].clone();
    assert!(verification_id.starts_with("vrf_sim_"));

    let done = eko_status(&c, &sim, reference_id).await;
    assert_eq!(done["data"]["status"], "AUTHENTICATED");
    let doc = eko_document(&c, &sim, reference_id, &verification_id).await;
    assert_eq!(doc["data"]["verification_status"], "SUCCESS");
    // The control API also finds the session by its verification id.
    assert_eq!(
        sim.session(&verification_id).unwrap().state,
        SessionState::Succeeded
    );
}

#[tokio::test]
async fn deny_and_expire_show_in_status() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let a = init_digilocker(&c, &sim, &t, json!(["aadhaar"])).await;
    let b = init_digilocker(&c, &sim, &t, json!(["aadhaar"])).await;
    let a = a["data"]["session_id"].as_str().unwrap();
    let b = b["data"]["session_id"].as_str().unwrap();
    sim.deny(a).unwrap();
    sim.expire(b).unwrap();
    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{a}/status"),
    )
    .await;
    assert_eq!(
        st["data"]["status"], "failed",
        "denied reads failed on Sandbox"
    );
    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{b}/status"),
    )
    .await;
    assert_eq!(st["data"]["status"], "expired");
    assert!(sim.approve(a, &[]).is_err());
    let (status, body) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{b}/documents/aadhaar"),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        523,
        "Cannot get document due to invalid session lifecycle",
    );

    let e1 = eko_create(&c, &sim, "https://app.example/cb").await["data"]["reference_id"]
        .as_i64()
        .unwrap();
    let e2 = eko_create(&c, &sim, "https://app.example/cb").await["data"]["reference_id"]
        .as_i64()
        .unwrap();
    sim.deny(&e1.to_string()).unwrap();
    sim.expire(&e2.to_string()).unwrap();
    let s1 = eko_status(&c, &sim, e1).await;
    assert_eq!(s1["status"], 1);
    assert_eq!(s1["data"]["status"], "CONSENT_DENIED");
    let s2 = eko_status(&c, &sim, e2).await;
    assert_eq!(s2["status"], 1);
    assert_eq!(s2["data"]["status"], "EXPIRED");

    // A session expires by itself once the clock passes its lifetime, and
    // its consent page then answers 410.
    let late = init_digilocker(&c, &sim, &t, json!(["pan"])).await;
    let late_id = late["data"]["session_id"].as_str().unwrap();
    sim.advance_clock(Duration::from_secs(3601));
    let t = token(&c, &sim).await;
    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{late_id}/status"),
    )
    .await;
    assert_eq!(st["data"]["status"], "expired");
    let resp = c
        .get(late["data"]["authorization_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 410);
}

#[tokio::test]
async fn documents_before_consent_and_unknown_sessions() {
    let sim = Simulator::start().await.unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let body = init_digilocker(&c, &sim, &t, json!(["aadhaar"])).await;
    let id = body["data"]["session_id"].as_str().unwrap();

    let (status, body) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/documents/aadhaar"),
    )
    .await;
    assert_sandbox_error(
        status,
        &body,
        523,
        "Cannot get document due to invalid session lifecycle",
    );
    let (status, _) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/user/profile"),
    )
    .await;
    assert_eq!(status, 523);

    let unknown = "839fd8a0-d645-42e1-a904-bb43353b0139";
    for path in [
        format!("/kyc/digilocker/sessions/{unknown}/status"),
        format!("/kyc/digilocker-sdk/sessions/{unknown}/documents/aadhaar"),
        // A DigiLocker session is unknown to the SDK API.
        format!("/kyc/digilocker-sdk/sessions/{id}/status"),
    ] {
        let (status, body) = get(&c, &sim, &t, &path).await;
        let sid = path.split('/').nth(4).unwrap();
        assert_sandbox_error(status, &body, 521, &format!("Data not found for: {sid}"));
    }

    sim.approve(id, &["aadhaar"]).unwrap();
    let (status, body) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/documents/pan"),
    )
    .await;
    assert_sandbox_error(status, &body, 400, "Consent for pan not provided");

    // Eko: pending document is HTTP 200, status 1, response_status_id 327.
    let created = eko_create(&c, &sim, "https://app.example/cb").await;
    let reference_id = created["data"]["reference_id"].as_i64().unwrap();
    let vid = sim
        .session(&reference_id.to_string())
        .unwrap()
        .eko_verification_id
        .unwrap();
    let doc = eko_document(&c, &sim, reference_id, &vid).await;
    assert_eq!(doc["status"], 1);
    assert_eq!(doc["response_status_id"], 327);
    assert!(
        doc["message"]
            .as_str()
            .unwrap()
            .starts_with("Verification pending")
    );
    let unknown = eko_document(&c, &sim, 42, &vid).await;
    assert_eq!(unknown["response_status_id"], 463);
    let unknown = eko_status(&c, &sim, 42).await;
    assert_eq!(unknown["status"], 1);
    assert_eq!(unknown["message"], "Invalid reference_id");
}

#[tokio::test]
async fn sdk_sessions_walk_through_their_states_when_auto_approved() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(3)
        .start()
        .await
        .unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let (status, created) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/digilocker-sdk/sessions/create",
        Some(json!({
            "@entity": "in.co.sandbox.kyc.digilocker.sdk.session.request",
            "flow": "signup",
            "doc_types": ["aadhaar", "driving_license"],
        })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    conforms_sandbox("digilocker_sdk_create_session", &created);
    assert_eq!(
        created["data"]["@entity"],
        "in.co.sandbox.kyc.digilocker.sdk.session"
    );
    assert_eq!(created["data"]["status"], "created");
    let id = created["data"]["id"].as_str().unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (_, st) = get(
            &c,
            &sim,
            &t,
            &format!("/kyc/digilocker-sdk/sessions/{id}/status"),
        )
        .await;
        conforms_sandbox("digilocker_sdk_get_session_status", &st);
        seen.push(st["data"]["status"].as_str().unwrap().to_string());
    }
    assert_eq!(
        seen,
        ["initialized", "authorized", "succeeded", "succeeded"]
    );
    let (_, dl) = fetch_file(&c, &sim, &t, "digilocker-sdk", id, "driving_license").await;
    assert!(dl.contains(r#"type="DRVLC""#));
    let (status, profile) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker-sdk/sessions/{id}/user/profile"),
    )
    .await;
    assert_eq!(status, 200);
    conforms_sandbox("digilocker_sdk_get_user_profile", &profile);

    // The SDK has no redirect: its consent page answers 200.
    let snap = sim.session(id).unwrap();
    assert_eq!(snap.status_polls, 4);
    let resp = c.get(&snap.authorization_url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn entitylocker_journeys() {
    let sim = Simulator::builder()
        .auto_approve_after(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let (status, init) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/entitylocker/sessions/init",
        Some(json!({
            "@entity": "in.co.sandbox.kyc.entitylocker.session.request",
            "flow": "signin",
            "redirect_url": "https://app.example/entity",
        })),
    )
    .await;
    assert_eq!(status, 200, "{init}");
    conforms_sandbox("entitylocker_initiate_session", &init);
    assert_eq!(
        init["data"]["@entity"],
        "in.co.sandbox.kyc.entitylocker.session.response"
    );
    let id = init["data"]["session_id"].as_str().unwrap();

    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/entitylocker/sessions/{id}/status"),
    )
    .await;
    conforms_sandbox("entitylocker_get_session_status", &st);
    assert_eq!(st["data"]["status"], "created");
    // Timed auto-approval, on the simulator's clock.
    sim.advance_clock(Duration::from_secs(31));
    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/entitylocker/sessions/{id}/status"),
    )
    .await;
    assert_eq!(st["data"]["status"], "succeeded");
    assert_eq!(
        st["data"]["@entity"],
        "in.co.sandbox.kyc.entitylocker.session"
    );

    let (meta, pdf) = fetch_file(&c, &sim, &t, "entitylocker", id, "company_master_details").await;
    assert_eq!(meta["metadata"]["ContentType"], "application/pdf");
    assert!(pdf.starts_with("%PDF-1.4"));
    let (status, entity) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/entitylocker/sessions/{id}/entity"),
    )
    .await;
    assert_eq!(status, 200);
    conforms_sandbox("entitylocker_get_entity_details", &entity);
    let (status, profile) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/entitylocker/sessions/{id}/user/profile"),
    )
    .await;
    assert_eq!(status, 200);
    conforms_sandbox("entitylocker_get_user_profile", &profile);

    let (status, created) = sandbox_call(
        &c,
        &sim,
        &t,
        Method::POST,
        "/kyc/entitylocker-sdk/sessions/create",
        Some(json!({
            "@entity": "in.co.sandbox.kyc.entitylocker.sdk.session.request",
            "flow": "signin",
            "doc_types": ["gstn_details"],
        })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    conforms_sandbox("entitylocker_sdk_create_session", &created);
    let sdk_id = created["data"]["id"].as_str().unwrap();
    sim.approve(sdk_id, &["gstn_details"]).unwrap();
    let (_, st) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/entitylocker-sdk/sessions/{sdk_id}/status"),
    )
    .await;
    conforms_sandbox("entitylocker_sdk_get_session_status", &st);
    assert_eq!(st["data"]["documents_consented"], json!(["gstn_details"]));
    fetch_file(&c, &sim, &t, "entitylocker-sdk", sdk_id, "gstn_details").await;
}

#[tokio::test]
async fn document_links_expire_and_cannot_be_forged() {
    let sim = Simulator::builder()
        .file_link_lifetime(Duration::from_secs(60))
        .auto_approve_after_polls(0)
        .start()
        .await
        .unwrap();
    let c = client();
    let t = token(&c, &sim).await;
    let body = init_digilocker(&c, &sim, &t, json!(["aadhaar"])).await;
    let id = body["data"]["session_id"].as_str().unwrap();
    let (_, doc) = get(
        &c,
        &sim,
        &t,
        &format!("/kyc/digilocker/sessions/{id}/documents/aadhaar"),
    )
    .await;
    let url = doc["data"]["files"][0]["url"].as_str().unwrap().to_string();
    assert!(url.contains("X-Amz-Expires=60"));

    let forged = url.replace("X-Amz-Expires=60", "X-Amz-Expires=999999");
    let resp = c.get(&forged).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>")
    );

    assert_eq!(c.get(&url).send().await.unwrap().status(), 200);
    sim.advance_clock(Duration::from_secs(61));
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    let xml = resp.text().await.unwrap();
    assert!(xml.contains("<Code>AccessDenied</Code>"), "{xml}");
    assert!(
        xml.contains("<Message>Request has expired</Message>"),
        "{xml}"
    );
}
