//! The library's integration tests, one binary (each former test file is a
//! module: linking the whole stack once instead of once per file is what
//! keeps `cargo test` quick on a small machine).
//!
//! Support modules first, then the suites, by area.

/// The repository's root (where `openapi/` and `tests/fixtures/` are).
macro_rules! repo_root {
    () => {
        env!("CARGO_MANIFEST_DIR")
    };
}

mod common;
mod eko_common;
mod sandbox_support;
mod simulator_support;
mod tracing_capture;
mod verify_support;

mod consent_browser;
mod contract_generated;
mod eko_contract;
mod eko_decode;
mod eko_faults;
mod eko_misc;
mod eko_sign;
mod examples_run;
mod flow_journeys;
mod fuzz_regressions;
mod generated_examples;
mod hostile_documents;
mod masking_properties;
mod net_safety;
mod privacy;
mod properties;
mod sandbox_contract;
mod sandbox_faults;
mod sandbox_validation;
mod schema_fixtures;
mod simulator_abuse;
mod simulator_auth;
mod simulator_eko_facade;
mod simulator_faults;
mod simulator_journeys;
mod simulator_robustness;
mod soak;
mod spec_check;
mod spec_import;
mod spec_surface;
mod verify;
mod verify_flow;
mod verify_offline;
