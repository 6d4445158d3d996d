//! `digilocker eko ...` against a simulator started by the test: every
//! subcommand, human and `--json` output, and the exit codes.

use crate::cli_support;

use cli_support::{REDIRECT, digilocker, eko_env, keys, sorted, temp_dir, with};
use digilocker_kyc::simulator::{Simulator, UserAction, act_as_user};

#[tokio::test]
async fn the_whole_eko_journey() {
    let sim = Simulator::start().await.unwrap();
    let env = eko_env(&sim);
    let tmp = temp_dir("cli-eko");

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

    // Without --verification-id: `eko status` is asked for it first.
    sim.clear_requests();
    let v = digilocker(&["--json", "eko", "document", &reference], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(v["verification_id"], verification.as_str());
    assert_eq!(v["documents"].as_array().map(Vec::len), Some(1));
    let ops: Vec<String> = sim
        .requests()
        .iter()
        .filter_map(|r| r.operation.map(str::to_string))
        .collect();
    assert_eq!(ops, ["get_verification_status", "get_document"], "{ops:?}");
    let saved = tmp.path().join("aadhaar.json");
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
    cli_support::check_schema("EkoSavedDocuments", &file).unwrap();
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

/// `--save` writes a new owner-only file and renames it into place: an
/// existing 0644 file becomes 0600, and a symbolic link at the target is
/// replaced, its target left untouched.
#[cfg(unix)]
#[tokio::test]
async fn save_replaces_files_and_links_without_writing_through_them() {
    use std::os::unix::fs::PermissionsExt;
    let sim = Simulator::start().await.unwrap();
    let env = eko_env(&sim);
    let tmp = temp_dir("cli-eko-save");
    let s = digilocker(&["--json", "eko", "start", "--redirect", REDIRECT], &env)
        .await
        .expect(0)
        .json();
    let reference = s["id"].as_str().unwrap().to_string();
    act_as_user(
        s["authorization_url"].as_str().unwrap(),
        &UserAction::Approve,
    )
    .await
    .unwrap();

    let existing = tmp.path().join("existing.json");
    std::fs::write(&existing, "old").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "someone else's file").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = tmp.path().join("link.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();

    for target in [&existing, &link] {
        digilocker(
            &[
                "eko",
                "document",
                &reference,
                "--save",
                target.to_str().unwrap(),
            ],
            &env,
        )
        .await
        .expect(0);
        let meta = std::fs::symlink_metadata(target).unwrap();
        assert!(meta.file_type().is_file(), "{target:?} is a plain file now");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{target:?}");
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(target).unwrap()).unwrap();
        assert_eq!(saved["reference_id"], reference.as_str());
    }
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "someone else's file"
    );
    assert_eq!(
        std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
        0o644
    );
    // No temporary files left behind.
    let left: Vec<_> = std::fs::read_dir(tmp.path().join(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `AADHAAR_NOT_LINKED` is final: `status --wait` stops at the first answer
/// with a failed outcome instead of waiting (exit 5) for something that
/// cannot change.
#[tokio::test]
async fn aadhaar_not_linked_ends_a_wait_as_a_failure() {
    use httpmock::prelude::*;
    let sim = Simulator::start().await.unwrap();
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path("/tools/kyc/digilocker/status");
            then.status(200).json_body(serde_json::json!({
                "status": 0, "response_status_id": 0, "message": "ok",
                "data": { "status": "AADHAAR_NOT_LINKED", "user_details": {} }
            }));
        })
        .await;
    let env = with(&eko_env(&sim), "EKO_BASE_URL", &server.base_url());
    let r = digilocker(
        &[
            "--json",
            "eko",
            "status",
            "123456",
            "--wait",
            "--interval",
            "50ms",
            "--timeout",
            "30s",
        ],
        &env,
    )
    .await;
    r.expect(0);
    let v = r.json();
    assert_eq!(v["outcome"]["state"], "failed", "{r}");
    assert_eq!(
        m.calls_async().await,
        1,
        "a final state is not polled again"
    );
}
