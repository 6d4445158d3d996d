//! `digilocker demo`, `digilocker simulate`, and what every command's help
//! promises (an example; the exit codes at the top).

use crate::cli_support;

use cli_support::{REDIRECT, VARS, digilocker};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn demo_runs_both_journeys_offline() {
    let r = digilocker(&["demo"], &[]).await;
    r.expect(0)
        .shows("== Sandbox")
        .shows("== Eko")
        .shows("Asha Verma")
        .shows("outcome:       succeeded (aadhaar, pan)")
        .shows("outcome:         succeeded (aadhaar)")
        .shows("mobile: XXXXXX0001")
        .shows("photo:");
    // Both providers' Aadhaar, masked, ending in the persona's last four.
    let ids: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id:"))
        .map(str::trim)
        .collect();
    assert!(ids.len() >= 3, "aadhaar + pan + eko aadhaar:\n{r}");
    let aadhaar: Vec<&&str> = ids.iter().filter(|i| i.ends_with("1234")).collect();
    assert_eq!(aadhaar.len(), 2, "{r}");
    for id in aadhaar {
        assert!(
            !id[..id.len() - 4].chars().any(|c| c.is_ascii_digit()),
            "{id}"
        );
    }
    // Eko's redirect carried the verification id the documents needed.
    assert!(r.stdout.contains("verification_id=vrf_sim_"), "{r}");
    assert!(!r.stdout.contains("9000000001"), "{r}");
    // Not a terminal: no progress line.
    assert!(r.stderr.is_empty(), "{r}");
}

#[tokio::test]
async fn demo_json_uses_the_neutral_shapes() {
    let v = digilocker(&["demo", "--json"], &[]).await.expect(0).json();
    let journeys = v["journeys"].as_array().unwrap();
    assert_eq!(journeys.len(), 2);
    assert_eq!(journeys[0]["provider"], "sandbox");
    assert_eq!(journeys[1]["provider"], "eko");
    for j in journeys {
        assert_eq!(j["outcome"]["state"], "succeeded", "{j}");
        assert!(j["session"]["id"].is_string());
        assert!(j["session"]["authorization_url"].is_string());
        let d = &j["documents"][0];
        for k in [
            "provider",
            "kind",
            "name",
            "dob",
            "dob_text",
            "gender",
            "masked_id",
            "address",
            "address_parts",
            "photo",
        ] {
            assert!(d.get(k).is_some(), "document field {k}: {d}");
        }
        assert_eq!(d["kind"], "aadhaar");
        assert_eq!(d["name"], "Asha Verma");
        assert!(d["masked_id"].as_str().unwrap().ends_with("1234"));
        assert_eq!(j["profile"]["mobile"], "XXXXXX0001");
    }
    assert!(journeys[1]["session"]["verification_id"].is_string());
    assert!(v["simulator"]["sandbox_base_url"].is_string());
}

/// Every command path of the CLI.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["demo"],
    &["simulate"],
    &["sandbox"],
    &["sandbox", "verify"],
    &["sandbox", "start"],
    &["sandbox", "status"],
    &["sandbox", "document"],
    &["sandbox", "profile"],
    &["sandbox", "sdk"],
    &["sandbox", "sdk", "create"],
    &["sandbox", "sdk", "status"],
    &["sandbox", "sdk", "document"],
    &["sandbox", "sdk", "profile"],
    &["sandbox", "entity"],
    &["sandbox", "entity", "start"],
    &["sandbox", "entity", "status"],
    &["sandbox", "entity", "document"],
    &["sandbox", "entity", "details"],
    &["sandbox", "entity", "profile"],
    &["sandbox", "entity-sdk"],
    &["sandbox", "entity-sdk", "create"],
    &["sandbox", "entity-sdk", "status"],
    &["sandbox", "entity-sdk", "document"],
    &["eko"],
    &["eko", "start"],
    &["eko", "status"],
    &["eko", "document"],
    &["eko", "callback"],
];

#[tokio::test]
async fn every_command_has_help_with_an_example() {
    for path in COMMANDS {
        let mut args: Vec<&str> = path.to_vec();
        args.push("--help");
        let r = digilocker(&args, &[]).await;
        r.expect(0);
        assert!(r.stdout.contains("Example"), "no example:\n{r}");
    }
    let top = digilocker(&["--help"], &[]).await;
    top.expect(0)
        .shows("Exit codes:")
        .shows("3  authentication failed")
        .shows("5  not ready or timed out")
        .shows("--json")
        .shows("--base-url");
    digilocker(&["simulate", "--help"], &[])
        .await
        .shows("not secrets");
    // Secret flags never show an environment value in help.
    let r = digilocker(
        &["sandbox", "--help"],
        &[("SANDBOX_API_SECRET", "s3cr3t".into())],
    )
    .await;
    assert!(!r.stdout.contains("s3cr3t"), "{r}");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    for args in [
        &["no-such-command"][..],
        &["sandbox"],
        &["demo", "--unknown-flag"],
        &["simulate", "--port", "not-a-port"],
    ] {
        digilocker(args, &[]).await.expect(2);
    }
}

#[tokio::test]
async fn simulate_prints_what_to_use_and_serves_until_stopped() {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_digilocker"));
    cmd.args(["simulate", "--port", "0", "--auto-approve-after", "2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for v in VARS {
        cmd.env_remove(v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let stop = line.contains("Ctrl-C");
            printed.push(line);
            if stop {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("simulate printed its banner");
    let text = printed.join("\n");
    assert!(text.contains("Sandbox base URL:"), "{text}");
    assert!(text.contains("key_test_"), "{text}");
    // Every variable on its own `export NAME=value` line.
    let exports: Vec<&str> = printed
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("export "))
        .collect();
    let names: Vec<&str> = exports
        .iter()
        .map(|l| l["export ".len()..].split_once('=').unwrap().0)
        .collect();
    assert_eq!(
        names,
        [
            "SANDBOX_BASE_URL",
            "SANDBOX_API_KEY",
            "SANDBOX_API_SECRET",
            "EKO_BASE_URL",
            "EKO_DEVELOPER_KEY",
            "EKO_ACCESS_KEY",
            "EKO_INITIATOR_ID",
            "EKO_USER_CODE",
        ],
        "{text}"
    );
    assert!(
        exports[0].starts_with("export SANDBOX_BASE_URL=http://127.0.0.1:"),
        "{text}"
    );

    // Pasted into a shell as they are, they are enough for the next
    // commands (none of the variables comes from this test's environment).
    let script = format!(
        "{}\n\"$BIN\" --json sandbox start --redirect {REDIRECT} >/dev/null && \
         \"$BIN\" eko start --redirect {REDIRECT} >/dev/null",
        exports.join("\n")
    );
    let mut sh = tokio::process::Command::new("sh");
    sh.arg("-c")
        .arg(&script)
        .env("BIN", env!("CARGO_BIN_EXE_digilocker"))
        .stdin(Stdio::null());
    for v in VARS {
        sh.env_remove(v);
    }
    let out = sh.output().await.unwrap();
    assert!(
        out.status.success(),
        "pasted lines did not work: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );

    // And without them the same command says what is missing.
    let mut bare = tokio::process::Command::new(env!("CARGO_BIN_EXE_digilocker"));
    bare.args(["sandbox", "start", "--redirect", REDIRECT])
        .stdin(Stdio::null());
    for v in VARS {
        bare.env_remove(v);
    }
    assert_eq!(bare.output().await.unwrap().status.code(), Some(2));

    child.kill().await.unwrap();
}

/// A reader that stops early (`| head`) ends the command quietly: exit 0,
/// no panic, nothing on stderr about it.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let bin = env!("CARGO_BIN_EXE_digilocker");
    // Closed before the first write: the write certainly fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(bin)
        .args(["--json", "demo"])
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // As a user writes it; pipefail makes the shell report our status.
    let out = std::process::Command::new("bash")
        .args(["-c", "set -o pipefail; \"$BIN\" --json demo | head -c 20"])
        .env("BIN", bin)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(out.stdout.len(), 20);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
