//! Running the built `digilocker` binary against a simulator started by the
//! test (loopback only), with a clean environment.
#![allow(dead_code)]

use digilocker_kyc::simulator::Simulator;
use std::path::PathBuf;
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
    /// stdout parsed as JSON (panics with the whole run otherwise).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
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

/// A fresh directory under the target dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{name}-{}-{}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
