#!/usr/bin/env bash
# Generates the Kotlin, Swift or Python bindings from the built linli-ffi library (uniffi library
# mode, with the uniffi-bindgen pinned in this workspace; names come from bindings/ffi/uniffi.toml).
#   bindings/scripts/generate.sh python|kotlin|swift [OUT_DIR] [--release|--dist]
# Default OUT_DIR: target/bindings/<language>. `--dist` builds the library as it ships (the
# `dist` profile: LTO, stripped) and prints its size. For Python and Kotlin the shared library is copied
# next to the generated code, where the generated module looks for it.
set -euo pipefail
cd "$(dirname "$0")/../.."
lang="${1:?usage: generate.sh python|kotlin|swift [OUT_DIR] [--release|--dist]}"
out="${2:-target/bindings/$lang}"
profile=debug; flag=""
for a in "${2:-}" "${3:-}"; do
  case "$a" in
    --release) profile=release; flag="--release" ;;
    --dist) profile=dist; flag="--profile dist" ;;
  esac
done
case "${2:-}" in --release|--dist) out="target/bindings/$lang" ;; esac
cargo build -q $flag -p linli-ffi
cargo build -q -p uniffi-bindgen
case "$(uname -s)" in
  Darwin) ext=dylib ;;
  *) ext=so ;;
esac
lib="target/$profile/liblinli_ffi.$ext"
# uniffi reads the API from symbols in the library: a stripped `dist` build has none, so its
# bindings come from the debug build of the same sources (same API, same checksums).
meta="$lib"
if [ "$profile" = dist ]; then
  cargo build -q -p linli-ffi
  meta="target/debug/liblinli_ffi.$ext"
fi
mkdir -p "$out"
target/debug/uniffi-bindgen generate --library "$meta" --language "$lang" --out-dir "$out" --no-format
case "$lang" in
  python|kotlin) cp "$lib" "$out/" ;;
esac
# Two measured fixes to uniffi's helper code (Python's buffer writer, Kotlin's call status): see
# the script's header. LINLI_BINDINGS_UNPATCHED=1 leaves uniffi's output as generated (to compare).
case "${LINLI_BINDINGS_UNPATCHED:-0}:$lang" in
  0:python) python3 bindings/scripts/patch_generated.py python "$out/linli_ffi.py" ;;
  0:kotlin) python3 bindings/scripts/patch_generated.py kotlin "$out/org/linli/core/linli_ffi.kt" ;;
esac
[ "$profile" = dist ] && echo "shared library ($profile): $(wc -c < "$lib") bytes"
echo "generated $lang bindings in $out"
