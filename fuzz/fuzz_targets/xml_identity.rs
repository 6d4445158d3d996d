#![no_main]
//! See `digilocker_kyc::fuzzing::targets::xml_identity`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| digilocker_kyc::fuzzing::targets::xml_identity(data));
