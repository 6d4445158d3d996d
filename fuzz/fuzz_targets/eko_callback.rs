#![no_main]
//! See `digilocker_kyc::fuzzing::targets::eko_callback`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| digilocker_kyc::fuzzing::targets::eko_callback(data));
