//! Running the built `digilocker` binary against a simulator started by the
//! test (loopback only), with a clean environment.
#![allow(dead_code)]

use digilocker_kyc::simulator::Simulator;
use std::process::Stdio;

/// Every variable the CLI reads; removed from the child's environment so a
/// developer's own credentials never leak into a test.
pub const VARS: &[&str] = &[
    "SANDBOX_API_KEY",
    "SANDBOX_API_SECRET",
    "SANDBOX_BASE_URL",
    "SANDBOX_API_VERSION",
    "EKO_DEVELOPER_KEY",
    "EKO_ACCESS_KEY",
    "EKO_INITIATOR_ID",
    "EKO_USER_CODE",
    "EKO_BASE_URL",
];

/// Where users come back to (never contacted).
pub const REDIRECT: &str = "https://app.example/kyc/done";

/// What a run printed and how it ended.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command line, for messages.
    pub args: Vec<String>,
    /// Exit code.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON (panics with the whole run otherwise), checked
    /// against the command's definition in `cli/json-schema.json` (see
    /// [`definition_for`]).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let v = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"));
        if let Some(def) = definition_for(&self.args, self.code, &v)
            && let Err(e) = check_schema(def, &v)
        {
            panic!("the output does not match {def} of cli/json-schema.json:\n{e}\n{self}");
        }
        v
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Assert the exit code, showing the run when it differs.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "unexpected exit code:\n{self}");
        self
    }

    /// Assert stdout contains `s`.
    #[track_caller]
    pub fn shows(&self, s: &str) -> &Self {
        assert!(self.stdout.contains(s), "stdout lacks {s:?}:\n{self}");
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ digilocker {}\nexit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

/// Run the binary with only `env` set (of the CLI's variables).
pub async fn digilocker(args: &[&str], env: &[(&str, String)]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_digilocker"));
    cmd.args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .current_dir(repo_root!());
    for v in VARS {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), cmd.output())
        .await
        .expect("digilocker finished within 2 minutes")
        .expect("run digilocker");
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The Sandbox variables for `sim`.
pub fn sandbox_env(sim: &Simulator) -> Vec<(&'static str, String)> {
    let c = sim.sandbox_credentials();
    vec![
        ("SANDBOX_BASE_URL", sim.sandbox_base_url()),
        ("SANDBOX_API_KEY", c.api_key),
        ("SANDBOX_API_SECRET", c.api_secret.expose().to_string()),
    ]
}

/// The Eko variables for `sim`.
pub fn eko_env(sim: &Simulator) -> Vec<(&'static str, String)> {
    let c = sim.eko_credentials();
    vec![
        ("EKO_BASE_URL", sim.eko_base_url()),
        ("EKO_DEVELOPER_KEY", c.developer_key),
        ("EKO_ACCESS_KEY", c.access_key.expose().to_string()),
        ("EKO_INITIATOR_ID", c.initiator_id),
        ("EKO_USER_CODE", c.user_code),
    ]
}

/// `env` with `name` replaced by `value`.
pub fn with(
    env: &[(&'static str, String)],
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    env.iter()
        .map(|(k, v)| {
            if *k == name {
                (*k, value.to_string())
            } else {
                (*k, v.clone())
            }
        })
        .collect()
}

/// The definition in `cli/json-schema.json` of what `args` print with
/// `--json` (exit `code`): `ErrorOutput` for a failure that printed an
/// error, else by the command path; `None` for commands the schema does not
/// cover (`spec`, `verify`).
pub fn definition_for(
    args: &[String],
    code: Option<i32>,
    v: &serde_json::Value,
) -> Option<&'static str> {
    if code != Some(0) && v.get("error").is_some() {
        return Some("ErrorOutput");
    }
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let after = |w: &str, options: &[&'static str]| -> Option<&'static str> {
        let i = words.iter().position(|x| *x == w)?;
        words[i + 1..]
            .iter()
            .find_map(|x| options.iter().find(|o| *o == x).copied())
    };
    let top = words.iter().find(|w| {
        [
            "demo", "sandbox", "eko", "simulate", "spec", "verify", "schema",
        ]
        .contains(w)
    })?;
    Some(match *top {
        "demo" => "DemoOutput",
        "simulate" => "SimulateOutput",
        "eko" => match after("eko", &["start", "status", "document", "callback"])? {
            "start" => "Session",
            "status" => "EkoStatus",
            "document" => "EkoDocument",
            _ => "EkoCallback",
        },
        "sandbox" => {
            let groups = ["sdk", "entity", "entity-sdk"];
            let ops = [
                "verify", "start", "status", "document", "profile", "create", "details",
            ];
            let group = after(
                "sandbox",
                &[
                    "sdk",
                    "entity",
                    "entity-sdk",
                    "verify",
                    "start",
                    "status",
                    "document",
                    "profile",
                ],
            )?;
            let op = if groups.contains(&group) {
                after(group, &ops)?
            } else {
                group
            };
            match (group, op) {
                ("entity", "start") => "SandboxEntityStart",
                (_, "start") => "Session",
                (_, "verify") => "SandboxVerify",
                (_, "status") => "SandboxStatus",
                (_, "document") => "SandboxDocument",
                (_, "profile") => "SandboxProfile",
                (_, "create") => "SandboxSdkSession",
                (_, "details") => "SandboxEntityDetails",
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// The checked-in schema, `cli/json-schema.json`.
pub fn schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/json-schema.json");
        let text = std::fs::read_to_string(path).expect("cli/json-schema.json is readable");
        serde_json::from_str(&text).expect("cli/json-schema.json is JSON")
    })
}

/// Check `v` against `definition` of the checked-in schema; the errors, one
/// a line, otherwise.
pub fn check_schema(definition: &str, v: &serde_json::Value) -> Result<(), String> {
    let s = schema();
    assert!(
        s["definitions"].get(definition).is_some(),
        "no definition {definition} in cli/json-schema.json"
    );
    let root = serde_json::json!({
        "$schema": s["$schema"],
        "$ref": format!("#/definitions/{definition}"),
        "definitions": s["definitions"],
    });
    let validator = jsonschema::draft7::new(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// A fresh directory under the target dir (`<tag>-…`), removed on drop.
pub fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("{tag}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a temporary directory")
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// `v`, sorted.
pub fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}
