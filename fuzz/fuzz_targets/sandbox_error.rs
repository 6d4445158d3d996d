#![no_main]
//! See `digilocker_kyc::fuzzing::targets::sandbox_error`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| digilocker_kyc::fuzzing::targets::sandbox_error(data));
