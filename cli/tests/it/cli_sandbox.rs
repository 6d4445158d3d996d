//! `digilocker sandbox ...` against a simulator started by the test: every
//! subcommand, human and `--json` output, and the exit codes (0 ok, 2
//! validation, 3 auth, 4 provider, 5 not ready / timed out).

use crate::cli_support;

use cli_support::{REDIRECT, digilocker, keys, sandbox_env, sorted, temp_dir, with};
use digilocker_kyc::simulator::{Simulator, UserAction, act_as_user};

#[tokio::test]
async fn verify_by_mobile_and_by_aadhaar() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);

    let r = digilocker(&["sandbox", "verify", "--mobile", "9123456789"], &env).await;
    r.expect(0).shows("user exists: yes").shows("XXXXXX6789");

    let r = digilocker(
        &["--json", "sandbox", "verify", "--aadhaar", "987654320000"],
        &env,
    )
    .await;
    let v = r.expect(0).json();
    assert_eq!(
        keys(&v),
        sorted(vec!["provider", "user_exists", "mobile", "aadhaar_number"])
    );
    assert_eq!(
        v["user_exists"], false,
        "numbers ending 0000 have no account"
    );
    assert_eq!(v["aadhaar_number"], "XXXXXXXX0000");
    assert_eq!(v["provider"], "sandbox");
}

#[tokio::test]
async fn the_whole_digilocker_journey() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let tmp = temp_dir("cli-sandbox");

    // start: the neutral session shape.
    let r = digilocker(
        &[
            "sandbox",
            "start",
            "--doc",
            "aadhaar",
            "--doc",
            "pan",
            "--redirect",
            REDIRECT,
            "--flow",
            "signin",
            "--json",
        ],
        &env,
    )
    .await;
    let s = r.expect(0).json();
    assert_eq!(
        keys(&s),
        sorted(vec!["provider", "id", "authorization_url", "requested"])
    );
    assert_eq!(s["requested"], serde_json::json!(["aadhaar", "pan"]));
    let id = s["id"].as_str().unwrap().to_string();
    let url = s["authorization_url"].as_str().unwrap().to_string();
    let init = &sim.requests_to("POST", "/kyc/digilocker/sessions/init")[0];
    assert_eq!(init.body_json().unwrap()["flow"], "signin");

    // status before consent: pending, exit 0.
    let r = digilocker(&["sandbox", "status", &id], &env).await;
    r.expect(0)
        .shows("status:         created")
        .shows("outcome:        pending");

    // a document before consent is not ready: exit 5.
    let r = digilocker(&["sandbox", "document", &id, "aadhaar"], &env).await;
    r.expect(5);
    assert!(r.stderr.starts_with("error: session not ready"), "{r}");
    assert!(r.stderr.contains("transaction "), "{r}");

    // the user consents; wait sees it.
    act_as_user(&url, &UserAction::Approve).await.unwrap();
    let r = digilocker(
        &[
            "sandbox",
            "status",
            &id,
            "--wait",
            "--timeout",
            "30s",
            "--interval",
            "100ms",
            "--json",
        ],
        &env,
    )
    .await;
    let v = r.expect(0).json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "api",
            "id",
            "status",
            "outcome",
            "documents_consented",
            "created_at",
            "updated_at",
            "transaction_id"
        ])
    );
    assert_eq!(v["api"], "digilocker");
    assert_eq!(v["status"], "succeeded");
    assert_eq!(
        v["outcome"],
        serde_json::json!({"state": "succeeded", "consented": ["aadhaar", "pan"]})
    );
    // Not a terminal: no progress line on stderr.
    assert!(r.stderr.is_empty(), "{r}");

    // document: metadata only, then --save downloads.
    let r = digilocker(&["sandbox", "document", &id, "aadhaar"], &env).await;
    r.expect(0)
        .shows("document:       aadhaar")
        .shows("content type:  application/xml")
        .shows("--save");
    assert!(!r.stdout.contains("X-Amz-Signature"), "{r}");
    let saved = tmp.path().join("aadhaar.xml");
    let r = digilocker(
        &[
            "sandbox",
            "document",
            &id,
            "aadhaar",
            "--save",
            saved.to_str().unwrap(),
        ],
        &env,
    )
    .await;
    r.expect(0)
        .shows("saved to")
        .shows("Asha Verma")
        .shows("xxxxxxxx1234");
    let xml = std::fs::read_to_string(&saved).unwrap();
    assert!(xml.contains("<UidData"), "{xml}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "personal data is private: {mode:o}");
    }

    // --save into a directory, --json.
    let r = digilocker(
        &[
            "sandbox",
            "document",
            &id,
            "pan",
            "--save",
            tmp.path().to_str().unwrap(),
            "--json",
        ],
        &env,
    )
    .await;
    let v = r.expect(0).json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "api",
            "id",
            "doc_type",
            "transaction_id",
            "files"
        ])
    );
    let file = &v["files"][0];
    assert_eq!(
        keys(file),
        sorted(vec![
            "content_type",
            "size",
            "issuer",
            "issuer_id",
            "description",
            "last_modified",
            "link",
            "saved_to",
            "identity"
        ])
    );
    assert_eq!(file["identity"]["name"], "Asha Verma");
    assert_eq!(file["identity"]["masked_id"], "XXXXXX234Z");
    assert!(!file["link"].as_str().unwrap().contains('?'));
    assert!(tmp.path().join("pan.xml").exists());

    // profile, human and JSON.
    let r = digilocker(&["sandbox", "profile", &id], &env).await;
    r.expect(0)
        .shows("Asha Verma")
        .shows("XXXXXX0001")
        .shows("e-aadhaar:");
    let v = digilocker(&["sandbox", "profile", &id, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "api",
            "digilocker_id",
            "name",
            "dob",
            "dob_text",
            "gender",
            "mobile",
            "email",
            "eaadhaar",
            "transaction_id"
        ])
    );
    assert_eq!(v["dob"], "1992-03-14");
    assert_eq!(v["mobile"], "XXXXXX0001");
}

#[tokio::test]
async fn validation_errors_exit_2_and_send_nothing() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let cases: &[&[&str]] = &[
        &["sandbox", "verify", "--mobile", "12345"],
        &["sandbox", "verify", "--aadhaar", "1234"],
        &[
            "sandbox",
            "start",
            "--redirect",
            "http://not-https.example/done",
        ],
        &[
            "sandbox",
            "start",
            "--doc",
            "voter_id",
            "--redirect",
            REDIRECT,
        ],
        &["sandbox", "document", "some-session", "voter_id"],
        &[
            "sandbox", "sdk", "create", "--doc", "aadhaar", "--doc", "aadhaar",
        ],
        &[
            "sandbox",
            "entity",
            "start",
            "--redirect",
            "ftp://x.example",
        ],
        &["sandbox", "entity-sdk", "create", "--doc", "pan"],
        // clap usage errors
        &["sandbox", "verify"],
        &["sandbox", "start"],
        &["sandbox", "status", "x", "--timeout", "1s"],
        &["sandbox", "status", "x", "--wait", "--timeout", "soon"],
        &["sandbox", "no-such-command"],
    ];
    for args in cases {
        let r = digilocker(args, &env).await;
        r.expect(2);
        assert_eq!(
            r.stderr.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{r}"
        );
    }
    let r = digilocker(&["--json", "sandbox", "verify", "--mobile", "12"], &env).await;
    let v = r.expect(2).json();
    assert_eq!(v["error"]["kind"], "invalid_input");
    assert_eq!(v["error"]["exit_code"], 2);
    assert!(
        sim.requests().is_empty(),
        "nothing may be sent: {:?}",
        sim.requests()
    );
}

#[tokio::test]
async fn missing_credentials_exit_2() {
    let sim = Simulator::start().await.unwrap();
    let r = digilocker(
        &[
            "sandbox",
            "status",
            "x",
            "--base-url",
            &sim.sandbox_base_url(),
        ],
        &[],
    )
    .await;
    r.expect(2);
    assert!(r.stderr.contains("SANDBOX_API_KEY"), "{r}");
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn a_wrong_secret_exits_3() {
    let sim = Simulator::start().await.unwrap();
    let env = with(
        &sandbox_env(&sim),
        "SANDBOX_API_SECRET",
        "secret_test_wrong",
    );
    let r = digilocker(&["sandbox", "status", "any-session"], &env).await;
    r.expect(3);
    assert!(r.stderr.starts_with("error: authentication failed"), "{r}");
    assert!(r.stderr.contains("Invalid API key or secret"), "{r}");
    assert!(r.stderr.contains("transaction "), "{r}");
    let v = digilocker(&["sandbox", "status", "any-session", "--json"], &env)
        .await
        .expect(3)
        .json();
    assert_eq!(v["error"]["kind"], "auth");
    assert_eq!(v["error"]["http_status"], 401);
    assert!(v["error"]["transaction_id"].is_string());
}

#[tokio::test]
async fn an_unknown_session_exits_4() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let r = digilocker(&["sandbox", "status", "no-such-session"], &env).await;
    r.expect(4);
    assert!(
        r.stderr.contains("Data not found for: no-such-session"),
        "{r}"
    );
    let v = digilocker(&["--json", "sandbox", "profile", "no-such-session"], &env)
        .await
        .expect(4)
        .json();
    assert_eq!(v["error"]["kind"], "session_not_found");
    assert_eq!(v["error"]["http_status"], 521);
}

#[tokio::test]
async fn a_wait_that_times_out_exits_5() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let s = digilocker(
        &["--json", "sandbox", "start", "--redirect", REDIRECT],
        &env,
    )
    .await
    .expect(0)
    .json();
    let id = s["id"].as_str().unwrap();
    let started = std::time::Instant::now();
    let r = digilocker(
        &[
            "sandbox",
            "status",
            id,
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
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(sim.request_count("GET", "/kyc/digilocker/sessions/*/status") >= 2);
}

#[tokio::test]
async fn flags_instead_of_environment() {
    let sim = Simulator::start().await.unwrap();
    let c = sim.sandbox_credentials();
    let base = sim.sandbox_base_url();
    let r = digilocker(
        &[
            "--base-url",
            &base,
            "sandbox",
            "verify",
            "--mobile",
            "9123456789",
            "--api-key",
            &c.api_key,
            "--api-secret",
            c.api_secret.expose(),
        ],
        &[],
    )
    .await;
    r.expect(0).shows("user exists: yes");
    // --base-url wins over SANDBOX_BASE_URL.
    let env = with(&sandbox_env(&sim), "SANDBOX_BASE_URL", "http://127.0.0.1:9");
    digilocker(
        &[
            "sandbox",
            "verify",
            "--mobile",
            "9123456789",
            "--base-url",
            &base,
        ],
        &env,
    )
    .await
    .expect(0);
}

#[tokio::test]
async fn sdk_commands() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let tmp = temp_dir("cli-sdk");
    let v = digilocker(
        &["sandbox", "sdk", "create", "--doc", "aadhaar", "--json"],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "api",
            "id",
            "status",
            "created_at",
            "transaction_id"
        ])
    );
    assert_eq!(v["api"], "digilocker_sdk");
    assert_eq!(v["status"], "created");
    let id = v["id"].as_str().unwrap().to_string();

    digilocker(&["sandbox", "sdk", "status", &id], &env)
        .await
        .expect(0)
        .shows("outcome:        pending");
    sim.approve(&id, &[]).unwrap();
    let v = digilocker(&["sandbox", "sdk", "status", &id, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(v["api"], "digilocker_sdk");
    assert_eq!(v["outcome"]["state"], "succeeded");

    let saved = tmp.path().join("sdk.xml");
    digilocker(
        &[
            "sandbox",
            "sdk",
            "document",
            &id,
            "aadhaar",
            "--save",
            saved.to_str().unwrap(),
        ],
        &env,
    )
    .await
    .expect(0)
    .shows("Asha Verma");
    assert!(saved.exists());
    digilocker(&["sandbox", "sdk", "profile", &id], &env)
        .await
        .expect(0)
        .shows("Asha Verma")
        .shows("XXXXXX0001");
}

#[tokio::test]
async fn entitylocker_commands() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let tmp = temp_dir("cli-entity");
    let v = digilocker(
        &[
            "sandbox",
            "entity",
            "start",
            "--redirect",
            "https://app.example/kyb/done",
            "--json",
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
            "api",
            "id",
            "authorization_url",
            "transaction_id"
        ])
    );
    let id = v["id"].as_str().unwrap().to_string();
    act_as_user(
        v["authorization_url"].as_str().unwrap(),
        &UserAction::Approve,
    )
    .await
    .unwrap();

    let v = digilocker(
        &["sandbox", "entity", "status", &id, "--wait", "--json"],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(v["api"], "entitylocker");
    assert_eq!(v["status"], "succeeded");
    assert!(
        v["documents_consented"]
            .as_array()
            .unwrap()
            .contains(&"gstn_details".into())
    );

    let saved = tmp.path().join("gstn.pdf");
    digilocker(
        &[
            "sandbox",
            "entity",
            "document",
            &id,
            "gstn_details",
            "--save",
            saved.to_str().unwrap(),
        ],
        &env,
    )
    .await
    .expect(0)
    .shows("application/pdf");
    assert!(std::fs::read(&saved).unwrap().starts_with(b"%PDF"));

    let r = digilocker(&["sandbox", "entity", "details", &id], &env).await;
    r.expect(0).shows("verified by:").shows("XXXXXX0002");
    let v = digilocker(&["sandbox", "entity", "details", &id, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(
        keys(&v),
        sorted(vec![
            "provider",
            "id",
            "name",
            "date_of_incorporation",
            "email",
            "mobile",
            "verified_by",
            "transaction_id"
        ])
    );
    assert_eq!(v["mobile"], "XXXXXX0002");

    digilocker(&["sandbox", "entity", "profile", &id], &env)
        .await
        .expect(0)
        .shows("Asha Verma");
    let v = digilocker(&["sandbox", "entity", "profile", &id, "--json"], &env)
        .await
        .expect(0)
        .json();
    assert_eq!(v["api"], "entitylocker");
}

#[tokio::test]
async fn entitylocker_sdk_commands() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let tmp = temp_dir("cli-entity-sdk");
    let v = digilocker(
        &[
            "--json",
            "sandbox",
            "entity-sdk",
            "create",
            "--doc",
            "gstn_details",
        ],
        &env,
    )
    .await
    .expect(0)
    .json();
    assert_eq!(v["api"], "entitylocker_sdk");
    let id = v["id"].as_str().unwrap().to_string();
    digilocker(&["sandbox", "entity-sdk", "status", &id], &env)
        .await
        .expect(0)
        .shows("pending");
    sim.approve(&id, &[]).unwrap();
    digilocker(&["sandbox", "entity-sdk", "status", &id, "--wait"], &env)
        .await
        .expect(0)
        .shows("succeeded (gstn_details)");
    digilocker(
        &[
            "sandbox",
            "entity-sdk",
            "document",
            &id,
            "gstn_details",
            "--save",
            tmp.path().to_str().unwrap(),
        ],
        &env,
    )
    .await
    .expect(0)
    .shows("saved to");
    assert!(tmp.path().join("gstn_details.pdf").exists());
}

/// A connection error names the host and port it tried, on both providers.
#[tokio::test]
async fn a_connection_error_names_host_and_port() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sim = Simulator::start().await.unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let env = with(&sandbox_env(&sim), "SANDBOX_BASE_URL", &base);
    let r = digilocker(&["sandbox", "status", "sess_x"], &env).await;
    r.expect(1);
    assert!(r.stderr.contains(&format!("tried 127.0.0.1:{port}")), "{r}");

    let env = with(&cli_support::eko_env(&sim), "EKO_BASE_URL", &base);
    let r = digilocker(&["eko", "status", "7000001"], &env).await;
    r.expect(1);
    assert!(r.stderr.contains(&format!("tried 127.0.0.1:{port}")), "{r}");
    assert!(sim.requests().is_empty());
}

/// A token with a control character is the provider's fault: exit 1, not
/// the "fix your input" exit 2.
#[tokio::test]
async fn a_token_with_a_control_character_exits_1() {
    use httpmock::prelude::*;
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/authenticate");
            then.status(200).json_body(serde_json::json!({
                "code": 200, "timestamp": 1750687659809i64, "transaction_id": "auth-txn",
                "data": { "access_token": "abc\u{7}def" }
            }));
        })
        .await;
    let env = vec![
        ("SANDBOX_BASE_URL", server.base_url()),
        ("SANDBOX_API_KEY", "key_test_x".to_string()),
        ("SANDBOX_API_SECRET", "secret_test_x".to_string()),
    ];
    let r = digilocker(&["--json", "sandbox", "status", "sess_x"], &env).await;
    r.expect(1);
    assert_eq!(r.json()["error"]["kind"], "decode", "{r}");
}
