//! Helpers shared by the integration tests.
#![allow(dead_code)]

use digilocker_kyc::spec::prep::{self, Prepared, Provider};
use serde_json::Value;
use std::path::PathBuf;

/// The crate's `openapi/` directory.
pub fn openapi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi")
}

/// The project's shared data directory (`../shared` beside the crate).
/// Panics with a clear message when it is missing: tests that need it must
/// not pass vacuously.
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("upstream").is_dir(),
        "the shared data directory is missing: expected {}",
        dir.display()
    );
    dir
}

/// Parse YAML into JSON values.
pub fn yaml(text: &str) -> Result<Value, String> {
    serde_norway::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// A provider's bundled spec, prepared exactly as build.rs does.
pub fn prepared(provider: Provider) -> Prepared {
    let dir = openapi_dir();
    let overrides = prep::load_overrides(&dir.join("overrides")).expect("overrides load");
    prep::load_provider(&dir, provider, &overrides, &yaml).expect("bundled spec prepares")
}
