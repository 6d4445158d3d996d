//! The real `digilocker` binary masks by what a value is: `eko callback`
//! prints only its known fields, printed links carry no `user:password@`,
//! and timestamps, epoch milliseconds, session and transaction ids print as
//! they are (they used to be garbled by masking every long digit run).

use crate::cli_support;

use cli_support::{REDIRECT, digilocker, sandbox_env};
use digilocker_kyc::simulator::{Simulator, UserAction, act_as_user};
use httpmock::prelude::*;
use serde_json::json;

#[tokio::test]
async fn eko_callback_prints_only_known_fields() {
    let url = "https://app.example/kyc/done?verification_id=vrf_7&reference_id=7000001\
               &status=SUCCESS&mobile=9876543210&aadhaar=234567890123\
               &token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln&pan=AXBPK1234L";
    for json in [false, true] {
        let mut args = vec!["eko", "callback", url];
        if json {
            args.push("--json");
        }
        let r = digilocker(&args, &[]).await;
        r.expect(0);
        let all = r.all();
        for secret in ["9876543210", "234567890123", "eyJ", "AXBPK1234L", "c2ln"] {
            assert!(!all.contains(secret), "{secret} printed:\n{r}");
        }
        if json {
            let v = r.json();
            assert_eq!(v["verification_id"], "vrf_7");
            assert_eq!(v["reference_id"], "7000001");
            assert_eq!(v["state"], "consented");
            assert_eq!(v["extra"], json!(["mobile", "aadhaar", "token", "pan"]));
        } else {
            r.shows("verification id: vrf_7")
                .shows("reference id:    7000001")
                .shows("other params:    mobile, aadhaar, token, pan (values not shown)");
        }
    }
}

#[tokio::test]
async fn printed_document_links_have_no_userinfo() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/authenticate");
            then.status(200).json_body(json!({
                "code": 200, "data": { "access_token": "tok-privacy-0001" },
                "timestamp": 1764775000123i64, "transaction_id": "auth-txn"
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/kyc/digilocker/sessions/s-1/documents/aadhaar");
            then.status(200).json_body(json!({
                "code": 200, "timestamp": 1764775000123i64,
                "transaction_id": "TXN-20261203-000123",
                "data": { "files": [{
                    "@entity": "org.quicko.drive.file",
                    "url": "https://filesuser:pa55w0rd@files.example/w/in.gov.uidai-ADHAR.xml?X-Amz-Signature=abc123",
                    "size": 100,
                    "metadata": {
                        "ContentType": "application/xml", "issuer_id": "in.gov.uidai",
                        "issuer": "UIDAI", "LastModified": "09/05/2025",
                        "description": "Aadhaar Card"
                    }
                }]}
            }));
        })
        .await;
    let env = vec![
        ("SANDBOX_BASE_URL", server.base_url()),
        ("SANDBOX_API_KEY", "key_test_privacy".to_string()),
        ("SANDBOX_API_SECRET", "secret_test_privacy".to_string()),
    ];
    for json in [false, true] {
        let mut args = vec!["sandbox", "document", "s-1", "aadhaar"];
        if json {
            args.insert(0, "--json");
        }
        let r = digilocker(&args, &env).await;
        r.expect(0);
        let all = r.all();
        for secret in ["filesuser", "pa55w0rd", "X-Amz-Signature", "abc123"] {
            assert!(!all.contains(secret), "{secret} printed:\n{r}");
        }
        if json {
            let v = r.json();
            assert_eq!(
                v["files"][0]["link"],
                "https://files.example/w/in.gov.uidai-ADHAR.xml"
            );
            assert_eq!(v["transaction_id"], "TXN-20261203-000123");
        } else {
            r.shows("TXN-20261203-000123");
        }
    }
}

#[tokio::test]
async fn timestamps_and_ids_print_as_they_are() {
    let sim = Simulator::start().await.unwrap();
    let env = sandbox_env(&sim);
    let s = digilocker(
        &["--json", "sandbox", "start", "--redirect", REDIRECT],
        &env,
    )
    .await
    .expect(0)
    .json();
    let id = s["id"].as_str().unwrap().to_string();
    act_as_user(
        s["authorization_url"].as_str().unwrap(),
        &UserAction::Approve,
    )
    .await
    .unwrap();
    let v = digilocker(&["--json", "sandbox", "status", &id], &env)
        .await
        .expect(0)
        .json();
    let created = v["created_at"].as_i64().expect("epoch milliseconds");
    assert_eq!(v["id"], id.as_str());
    let r = digilocker(&["sandbox", "status", &id], &env).await;
    r.expect(0);
    let when = chrono::DateTime::from_timestamp_millis(created)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    r.shows(&id).shows(&when);
    // Each call has its own transaction id (a UUID): shown whole.
    let txn = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("transaction id:"))
        .map(str::trim)
        .expect("a transaction id line");
    assert_eq!(txn.len(), 36, "{r}");
    assert!(
        txn.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "{r}"
    );
    assert!(!r.stdout.contains("XXXX"), "nothing here is personal:\n{r}");
}

/// A provider message echoing identifiers in every writing: the CLI's error
/// line (human and JSON) shows none of them whole, and keeps the rest.
#[tokio::test]
async fn provider_messages_are_masked_in_every_writing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/authenticate");
            then.status(200).json_body(json!({
                "code": 200, "timestamp": 1750687659809i64, "transaction_id": "auth-txn",
                "data": { "access_token": "tok_plain_value" }
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/kyc/digilocker/sessions/sess_1/status");
            then.status(400).json_body(json!({
                "code": 400, "timestamp": 1760428752393i64,
                "transaction_id": "TXN-20261203-000123",
                "message": "aadhaar=234567890123, 2345-6789-0123 and 2345 6789 0123 \
                            not linked to +919876543210 / +91 98765 43210 / 09876543210"
            }));
        })
        .await;
    let env = vec![
        ("SANDBOX_BASE_URL", server.base_url()),
        ("SANDBOX_API_KEY", "key_test_x".to_string()),
        ("SANDBOX_API_SECRET", "secret_test_x".to_string()),
    ];
    for json_flag in [false, true] {
        let mut args = vec!["sandbox", "status", "sess_1"];
        if json_flag {
            args.insert(0, "--json");
        }
        let r = digilocker(&args, &env).await;
        r.expect(4);
        let all = format!("{}\n{}", r.stdout, r.stderr);
        for whole in [
            "234567890123",
            "2345-6789-0123",
            "2345 6789 0123",
            "9876543210",
            "98765 43210",
        ] {
            assert!(!all.contains(whole), "{whole} printed:\n{all}");
        }
        assert!(all.contains("0123"), "last four kept:\n{all}");
        assert!(all.contains("not linked"), "{all}");
        if json_flag {
            assert_eq!(r.json()["error"]["transaction_id"], "TXN-20261203-000123");
        }
    }
}
