#![no_main]
//! See `digilocker_kyc::fuzzing::targets::sandbox_status`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| digilocker_kyc::fuzzing::targets::sandbox_status(data));
