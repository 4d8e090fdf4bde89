//! `uniffi-bindgen`, pinned to the workspace's uniffi version. Kept in its own crate so that
//! building the library does not compile the generator.

fn main() {
    uniffi::uniffi_bindgen_main()
}
