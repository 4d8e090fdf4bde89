//! Sync message decoding must never panic, and whatever decodes must re-encode to the same bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| linli_core::fuzzing::sync_message(data));
