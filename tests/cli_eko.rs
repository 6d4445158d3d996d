//! `digilocker eko ...` against a simulator started by the test: every
//! subcommand, human and `--json` output, and the exit codes.
#![cfg(feature = "cli")]

mod cli_support;

use cli_support::{REDIRECT, TempDir, digilocker, eko_env, keys, sorted, with};
use digilocker_kyc::simulator::{Simulator, UserAction, act_as_user};

#[tokio::test]
async fn the_whole_eko_journey() {
    let sim = Simulator::start().await.unwrap();
    let env = eko_env(&sim);
    let tmp = TempDir::new("cli-eko");

    // start, human then JSON (the neutral session).
    digilocker(&["eko", "start", "--redirect", REDIRECT], &env)
        .await
        .expect(0)
        .shows("reference id:")
        .shows("consent link:");
    let s = digilocker(
        &[
            "eko",
            "start",
            "--redirect",
            REDIRECT,
            "--doc",
            "aadhaar",
            "--json",
        ],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(
        keys(&s),
        sorted(vec!["provider", "id", "authorization_url", "requested"])
    );
    assert_eq!(s["provider"], "eko");
    let reference = s["id"].as_str().unwrap().to_string();

    // pending
    let v = digilocker(&["eko", "status", &reference, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "id",
            "status",
            "outcome",
            "verification_id",
            "upstream_status",
            "message",
            "code",
            "response_status_id",
            "document_requested",
            "user_details"
        ])
    );
    assert_eq!(v["outcome"], serde_json::json!({"state": "pending"}));
    assert!(v["user_details"].is_null());

    // a document before consent is not ready: exit 5.
    let pending_vrf = v["verification_id"]
        .as_str()
        .expect("passed through")
        .to_string();
    let r = digilocker(
        &[
            "eko",
            "document",
            &reference,
            "--verification-id",
            &pending_vrf,
        ],
        &env,
    )
    .await;
    r.expect(5);
    assert!(r.stderr.starts_with("error: session not ready"), "{r}");

    // The user consents; the browser comes back with verification_id.
    let back = act_as_user(
        s["authorization_url"].as_str().unwrap(),
        &UserAction::Approve,
    )
    .await
    .unwrap()
    .expect("a redirect");

    // callback: no network, no credentials.
    let cb = digilocker(&["eko", "callback", &back, "--json"], &[])
        .await
        .expect(0)
        .json();
    assert_eq!(
        keys(&cb),
        sorted(vec![
            "verification_id",
            "reference_id",
            "status",
            "state",
            "extra"
        ])
    );
    assert_eq!(cb["reference_id"], reference.as_str());
    let verification = cb["verification_id"].as_str().unwrap().to_string();

    // status --wait: consented, with the user's details masked.
    let r = digilocker(
        &["eko", "status", &reference, "--wait", "--interval", "100ms"],
        &env,
    )
    .await;
    r.expect(0)
        .shows("outcome:         succeeded (aadhaar)")
        .shows("Asha Verma")
        .shows("XXXXXX0001");
    let v = digilocker(&["eko", "status", &reference, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(v["user_details"]["mobile"], "XXXXXX0001");
    assert_eq!(v["verification_id"], verification.as_str());

    // document, human; then --save writes JSON.
    digilocker(
        &[
            "eko",
            "document",
            &reference,
            "--verification-id",
            &verification,
        ],
        &env,
    )
    .await
    .expect(0)
    .shows("Asha Verma")
    .shows("XXXX-XXXX-1234")
    .shows("photo:");
    let saved = tmp.join("aadhaar.json");
    let v = digilocker(
        &[
            "--json",
            "eko",
            "document",
            &reference,
            "--verification-id",
            &verification,
            "--save",
            saved.to_str().unwrap(),
        ],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "reference_id",
            "verification_id",
            "verification_status",
            "message",
            "documents",
            "saved_to"
        ])
    );
    assert_eq!(
        keys(&v["documents"][0]),
        sorted(vec![
            "kind",
            "name",
            "dob",
            "dob_text",
            "gender",
            "masked_id",
            "address",
            "address_parts",
            "photo"
        ])
    );
    assert_eq!(v["documents"][0]["kind"], "aadhaar");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(file["documents"][0]["name"], "Asha Verma");
    assert!(file["documents"][0]["photo_base64"].is_string());
    assert!(
        file["documents"][0]["masked_id"]
            .as_str()
            .unwrap()
            .ends_with("1234")
    );
}

#[tokio::test]
async fn callback_parses_a_url_without_network() {
    let r = digilocker(
        &[
            "eko",
            "callback",
            "https://app.example/kyc/done?verification_id=vrf_1&reference_id=123456&status=SUCCESS&x=y",
        ],
        &[],
    )
    .await;
    // Unknown parameters are named, their values never printed.
    r.expect(0)
        .shows("verification id: vrf_1")
        .shows("reference id:    123456")
        .shows("state:           consented")
        .shows("other params:    x (values not shown)")
        .shows("digilocker eko document 123456 --verification-id vrf_1");
    let v = digilocker(
        &[
            "eko",
            "callback",
            "/kyc/done?verification_id=vrf_2",
            "--json",
        ],
        &[],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(v["verification_id"], "vrf_2");
    assert!(v["reference_id"].is_null());
    let r = digilocker(&["eko", "callback", "https://app.example/kyc/done"], &[]).await;
    r.expect(2);
    assert!(r.stderr.contains("verification_id"), "{r}");
}

#[tokio::test]
async fn auto_approval_and_wait() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(3)
        .start()
        .await
        .unwrap();
    let env = eko_env(&sim);
    let s = digilocker(&["--json", "eko", "start", "--redirect", REDIRECT], &env)
        .await
        .expect(0)
        .json();
    let reference = s["id"].as_str().unwrap();
    let v = digilocker(
        &[
            "--json",
            "eko",
            "status",
            reference,
            "--wait",
            "--timeout",
            "30s",
            "--interval",
            "50ms",
        ],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(v["outcome"]["state"], "succeeded");
    assert!(sim.request_count("GET", "*/tools/kyc/digilocker/status") >= 3);
}

#[tokio::test]
async fn a_wrong_access_key_exits_3() {
    let sim = Simulator::start().await.unwrap();
    let env = with(
        &eko_env(&sim),
        "EKO_ACCESS_KEY",
        "11111111-2222-4333-8444-555555555555",
    );
    let r = digilocker(&["eko", "start", "--redirect", REDIRECT], &env).await;
    r.expect(3);
    assert!(r.stderr.starts_with("error: authentication failed"), "{r}");
    let v = digilocker(&["eko", "status", "7000001", "--json"], &env)
        .await
        .expect(3)
        .json();
    assert_eq!(v["error"]["kind"], "auth");
    assert_eq!(v["error"]["http_status"], 403);
}

#[tokio::test]
async fn validation_errors_exit_2_and_send_nothing() {
    let sim = Simulator::start().await.unwrap();
    let env = eko_env(&sim);
    let cases: &[&[&str]] = &[
        &["eko", "start", "--redirect", "not a url"],
        &["eko", "start", "--redirect", "ftp://app.example/done"],
        &["eko", "document", "7000001", "--verification-id", " "],
        &["eko", "start"],
        &["eko", "document", "7000001"],
    ];
    for args in cases {
        digilocker(args, &env).await.expect(2);
    }
    // Missing configuration is a usage error too.
    let r = digilocker(&["eko", "status", "7000001"], &[]).await;
    r.expect(2);
    assert!(r.stderr.contains("EKO_"), "{r}");
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test]
async fn refusals_exit_4_and_timeouts_5() {
    let sim = Simulator::start().await.unwrap();
    let env = eko_env(&sim);
    // Eko refuses documents other than Aadhaar (HTTP 200, non-zero status).
    let r = digilocker(
        &["eko", "start", "--redirect", REDIRECT, "--doc", "pan"],
        &env,
    )
    .await;
    r.expect(4);
    assert!(r.stderr.contains("only AADHAAR"), "{r}");

    let s = digilocker(&["--json", "eko", "start", "--redirect", REDIRECT], &env)
        .await
        .expect(0)
        .json();
    let r = digilocker(
        &[
            "eko",
            "status",
            s["id"].as_str().unwrap(),
            "--wait",
            "--timeout",
            "1s",
            "--interval",
            "200ms",
        ],
        &env,
    )
    .await;
    r.expect(5);
    assert!(r.stderr.contains("gave up waiting"), "{r}");
}
