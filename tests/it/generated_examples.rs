//! Every documented response example, and every recorded response in the
//! upstream Postman collection, decodes into the generated type for its
//! status (error statuses into the error envelope).
//!
//! The examples are read from the files at test time, so examples added to
//! the bundled specs (or a newer collection) are covered without editing
//! this test.

use crate::common;

use digilocker_kyc::generated::{eko, sandbox};
use digilocker_spec::prep::{self, Provider};
use serde_json::Value;

/// `(operationId, status, example name, body)` for every response example
/// of the documented spec.
fn response_examples(doc: &Value) -> Vec<(String, String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in prep::METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op["operationId"].as_str().unwrap().to_string();
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, resp) in responses {
                let Some(content) = resp.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for media in content.values() {
                    if let Some(ex) = media.get("example") {
                        out.push((
                            id.clone(),
                            status.clone(),
                            format!("{method} {path} example"),
                            ex.clone(),
                        ));
                    }
                    if let Some(exs) = media.get("examples").and_then(Value::as_object) {
                        for (name, ex) in exs {
                            if let Some(v) = ex.get("value") {
                                out.push((id.clone(), status.clone(), name.clone(), v.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn decode_sandbox(op: &str, status: &str, body: &Value) -> Result<(), String> {
    if status.starts_with('2') {
        sandbox::rules::decode_success(op, body)
            .unwrap_or_else(|| Err(format!("no generated operation {op}")))
    } else {
        serde_json::from_value::<sandbox::types::SandboxError>(body.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[test]
fn every_bundled_sandbox_response_example_decodes() {
    let examples = response_examples(&common::documented(Provider::Sandbox));
    let mut failures = Vec::new();
    for (op, status, name, body) in &examples {
        if let Err(e) = decode_sandbox(op, status, body) {
            failures.push(format!("{op} {status} '{name}': {e}"));
        }
    }
    println!("decoded {} Sandbox response examples", examples.len());
    assert!(
        failures.is_empty(),
        "undecodable examples:\n{}",
        failures.join("\n")
    );
    assert!(
        examples.len() >= 20,
        "expected the bundled spec's examples, found {}",
        examples.len()
    );
    // Error examples are part of it, decoded into the envelope.
    assert!(examples.iter().any(|(_, s, _, _)| s == "521"));
}

#[test]
fn every_bundled_eko_response_example_decodes() {
    let examples = response_examples(&common::documented(Provider::Eko));
    let mut failures = Vec::new();
    for (op, status, name, body) in &examples {
        let r = eko::rules::decode_success(op, body)
            .unwrap_or_else(|| Err(format!("no generated operation {op}")));
        if let Err(e) = r {
            failures.push(format!("{op} {status} '{name}': {e}"));
        }
    }
    println!("decoded {} Eko response examples", examples.len());
    assert!(
        failures.is_empty(),
        "undecodable examples:\n{}",
        failures.join("\n")
    );
    assert!(
        examples.len() >= 10,
        "found only {} Eko examples",
        examples.len()
    );
}

/// Postman request URL `{{host}}/kyc/x/:session_id/y` -> `/kyc/x/{session_id}/y`.
fn postman_path(url: &Value) -> Option<String> {
    let raw = match url {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("raw")?.as_str()?.to_string(),
        _ => return None,
    };
    let no_query = raw.split('?').next()?;
    let after_host = match no_query.find("}}") {
        Some(i) => &no_query[i + 2..],
        None => no_query,
    };
    let segs: Vec<String> = after_host
        .split('/')
        .map(|s| match s.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => s.to_string(),
        })
        .collect();
    Some(segs.join("/"))
}

fn postman_responses(items: &[Value], out: &mut Vec<(String, String, String, Value)>) {
    for item in items {
        if let Some(children) = item.get("item").and_then(Value::as_array) {
            postman_responses(children, out);
            continue;
        }
        let request = &item["request"];
        let method = request["method"].as_str().unwrap_or("GET").to_lowercase();
        let Some(path) = postman_path(&request["url"]) else {
            continue;
        };
        // Only the operations this crate generates.
        let Some(op) = prep::sandbox_operation_id(&method, &path) else {
            continue;
        };
        for resp in item
            .get("response")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let code = resp["code"]
                .as_u64()
                .map(|c| c.to_string())
                .unwrap_or_default();
            let name = resp["name"].as_str().unwrap_or_default().to_string();
            let body: Value = serde_json::from_str(resp["body"].as_str().unwrap_or("null"))
                .unwrap_or_else(|e| panic!("recorded body of '{name}' is not JSON: {e}"));
            out.push((op.clone(), code, name, body));
        }
    }
}

#[test]
fn every_recorded_postman_response_decodes() {
    let dir = common::fixture("upstream");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains("postman_collection"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no Postman collection in {}",
        dir.display()
    );
    let mut recorded = Vec::new();
    for f in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        postman_responses(v["item"].as_array().unwrap(), &mut recorded);
    }
    let mut failures = Vec::new();
    for (op, status, name, body) in &recorded {
        if let Err(e) = decode_sandbox(op, status, body) {
            failures.push(format!("{op} {status} '{name}': {e}"));
        }
    }
    println!("decoded {} recorded Postman responses", recorded.len());
    assert!(
        failures.is_empty(),
        "undecodable recorded responses:\n{}",
        failures.join("\n")
    );
    assert!(!recorded.is_empty(), "decoded zero recorded responses");
    assert!(recorded.iter().any(|(_, s, _, _)| s == "523"));
}
