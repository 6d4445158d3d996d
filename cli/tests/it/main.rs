//! The `digilocker` command's tests, one binary: every command run as a
//! process against an in-process simulator, its output and exit codes.

/// The repository's root (where `openapi/` and `tests/fixtures/` are).
macro_rules! repo_root {
    () => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/..")
    };
}

mod cli_support;
#[path = "../../../tests/it/common/mod.rs"]
mod common;
#[path = "../../../tests/it/verify_support/mod.rs"]
mod verify_support;

mod cli_demo;
mod cli_eko;
mod cli_redaction;
mod cli_sandbox;
mod cli_schema;
mod cli_verify;
mod privacy_cli;
mod simulator_http;
mod spec_cli;
