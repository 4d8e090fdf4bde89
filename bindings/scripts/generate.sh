#!/usr/bin/env bash
# Generates the Kotlin, Swift or Python bindings from the built linli-ffi library (uniffi library
# mode, with the uniffi-bindgen pinned in this workspace; names come from bindings/ffi/uniffi.toml).
#   bindings/scripts/generate.sh python|kotlin|swift [OUT_DIR] [--release]
# Default OUT_DIR: target/bindings/<language>. For Python and Kotlin the shared library is copied
# next to the generated code, where the generated module looks for it.
set -euo pipefail
cd "$(dirname "$0")/../.."
lang="${1:?usage: generate.sh python|kotlin|swift [OUT_DIR] [--release]}"
out="${2:-target/bindings/$lang}"
profile=debug; flag=""
if [ "${3:-}" = "--release" ] || [ "${2:-}" = "--release" ]; then
  profile=release; flag="--release"
  [ "${2:-}" = "--release" ] && out="target/bindings/$lang"
fi
cargo build -q $flag -p linli-ffi
cargo build -q -p uniffi-bindgen
case "$(uname -s)" in
  Darwin) lib="target/$profile/liblinli_ffi.dylib" ;;
  *) lib="target/$profile/liblinli_ffi.so" ;;
esac
mkdir -p "$out"
target/debug/uniffi-bindgen generate --library "$lib" --language "$lang" --out-dir "$out" --no-format
case "$lang" in
  python|kotlin) cp "$lib" "$out/" ;;
esac
# Two measured fixes to uniffi's helper code (Python's buffer writer, Kotlin's call status): see
# the script's header. LINLI_BINDINGS_UNPATCHED=1 leaves uniffi's output as generated (to compare).
case "${LINLI_BINDINGS_UNPATCHED:-0}:$lang" in
  0:python) python3 bindings/scripts/patch_generated.py python "$out/linli_ffi.py" ;;
  0:kotlin) python3 bindings/scripts/patch_generated.py kotlin "$out/org/linli/core/linli_ffi.kt" ;;
esac
echo "generated $lang bindings in $out"
