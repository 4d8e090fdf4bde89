//! Bundle and QR-chunk decoding must never panic, and whatever decodes must re-encode the same.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| linli_core::fuzzing::bundle(data));
