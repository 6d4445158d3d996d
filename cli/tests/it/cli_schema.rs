//! `cli/json-schema.json`: the JSON Schema of every command's `--json`
//! output. It must equal what `digilocker schema` prints (generated from the
//! output types in `cli/src/cli/json.rs`), and every `--json` output the CLI
//! tests parse is checked against it (`Run::json`, by command).
//!
//! Update it with `UPDATE_JSON_SCHEMA=1 cargo test -p digilocker-cli --test it cli_schema`
//! (or `cargo run -- schema > cli/json-schema.json`).

use crate::cli_support;

use cli_support::{check_schema, digilocker};

const UPDATE: &str = "UPDATE_JSON_SCHEMA=1 cargo test -p digilocker-cli --test it cli_schema  (or: cargo run -- schema > cli/json-schema.json)";

#[tokio::test]
async fn the_checked_in_schema_is_the_generated_one() {
    let r = digilocker(&["schema"], &[]).await;
    r.expect(0);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/json-schema.json");
    if std::env::var_os("UPDATE_JSON_SCHEMA").is_some() {
        std::fs::write(path, &r.stdout).expect("write cli/json-schema.json");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have != r.stdout {
        let diff = similar::TextDiff::from_lines(&have, &r.stdout)
            .unified_diff()
            .context_radius(2)
            .header(
                "cli/json-schema.json (checked in)",
                "digilocker schema (generated)",
            )
            .to_string();
        panic!(
            "the --json shapes changed: review the diff below, then update the file with\n  {UPDATE}\n\n{diff}"
        );
    }
    // Itself valid JSON Schema that lists every definition it refers to.
    let v: serde_json::Value = serde_json::from_str(&have).unwrap();
    jsonschema::draft7::new(&v).expect("the schema compiles");
    for def in [
        "DemoOutput",
        "ErrorOutput",
        "SandboxStatus",
        "EkoStatus",
        "EkoDocument",
    ] {
        assert!(v["definitions"].get(def).is_some(), "{def} missing");
    }
}

/// The check is not vacuous: a wrong outcome, a missing field, an extra
/// field are each refused.
#[test]
fn the_schema_refuses_wrong_shapes() {
    let status = serde_json::json!({
        "provider": "sandbox", "api": "digilocker", "id": "s", "status": "created",
        "outcome": {"state": "pending"}, "documents_consented": null,
        "created_at": 1, "updated_at": null, "transaction_id": "t",
    });
    check_schema("SandboxStatus", &status).unwrap();
    let mut bad = status.clone();
    bad["outcome"] = serde_json::json!({"state": "bogus"});
    assert!(check_schema("SandboxStatus", &bad).is_err());
    let mut bad = status.clone();
    bad["outcome"] = serde_json::json!({"state": "succeeded"});
    assert!(
        check_schema("SandboxStatus", &bad).is_err(),
        "consented is required"
    );
    let mut bad = status.clone();
    bad.as_object_mut().unwrap().remove("transaction_id");
    assert!(check_schema("SandboxStatus", &bad).is_err());
    let mut bad = status;
    bad["surprise"] = true.into();
    assert!(check_schema("SandboxStatus", &bad).is_err());
    let err = serde_json::json!({"error": {"kind": "usage", "message": "m"}});
    check_schema("ErrorOutput", &err).unwrap();
    assert!(check_schema("ErrorOutput", &serde_json::json!({"error": {}})).is_err());
}

/// The demo's output and an error's, checked explicitly (the other
/// commands' outputs are checked by their own tests through `Run::json`).
#[tokio::test]
async fn demo_and_error_outputs_match_the_schema() {
    let r = digilocker(&["--json", "demo"], &[]).await;
    let v: serde_json::Value = serde_json::from_str(&r.expect(0).stdout).unwrap();
    check_schema("DemoOutput", &v).unwrap_or_else(|e| panic!("{e}\n{r}"));
    let r = digilocker(&["--json", "sandbox", "status", "x"], &[]).await;
    let v: serde_json::Value = serde_json::from_str(&r.expect(2).stdout).unwrap();
    assert_eq!(v["error"]["kind"], "config");
    check_schema("ErrorOutput", &v).unwrap_or_else(|e| panic!("{e}\n{r}"));
}

/// `Run::json` picks the definition by the command path (flags and their
/// values aside) and by the exit code.
#[test]
fn outputs_are_checked_against_their_commands_definition() {
    let def = |args: &[&str], code: i32, v: serde_json::Value| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        cli_support::definition_for(&args, Some(code), &v)
    };
    let ok = serde_json::json!({});
    assert_eq!(def(&["--json", "demo"], 0, ok.clone()), Some("DemoOutput"));
    assert_eq!(
        def(
            &["sandbox", "status", "id", "--wait", "--timeout", "30s"],
            0,
            ok.clone()
        ),
        Some("SandboxStatus")
    );
    assert_eq!(
        def(
            &["--base-url", "http://h", "sandbox", "entity", "start"],
            0,
            ok.clone()
        ),
        Some("SandboxEntityStart")
    );
    assert_eq!(def(&["sandbox", "start"], 0, ok.clone()), Some("Session"));
    assert_eq!(
        def(
            &["sandbox", "entity-sdk", "document", "id", "gstn_details"],
            0,
            ok.clone()
        ),
        Some("SandboxDocument")
    );
    assert_eq!(
        def(&["eko", "document", "1"], 0, ok.clone()),
        Some("EkoDocument")
    );
    assert_eq!(
        def(&["eko", "status", "1"], 0, ok.clone()),
        Some("EkoStatus")
    );
    assert_eq!(def(&["spec", "check"], 0, ok), None);
    assert_eq!(
        def(&["eko", "status", "1"], 3, serde_json::json!({"error": {}})),
        Some("ErrorOutput")
    );
}
