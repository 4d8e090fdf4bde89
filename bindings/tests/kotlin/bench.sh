#!/usr/bin/env bash
# Kotlin/JVM boundary benchmark against the release library; compare with
# `cargo run --release -p linli-ffi --example boundary` (same calls in Rust).
set -euo pipefail
cd "$(dirname "$0")/../../.."
kotlin_home="${KOTLIN_HOME:-.ci-tools/node_modules/kotlin-compiler}"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
bindings/scripts/generate.sh kotlin target/bindings-release/kotlin --release
out=target/kotlin-bench
mkdir -p "$out"
"$kotlin_home/bin/kotlinc" -nowarn target/bindings-release/kotlin/org/linli/core/linli_ffi.kt bindings/tests/kotlin/BoundaryBench.kt \
  -cp "$jna" -d "$out/bench.jar" 2>&1 | grep -v "^warning" || true
echo "kotlin: $(java -Djna.library.path=target/bindings-release/kotlin -cp "$out/bench.jar:$jna:$kotlin_home/lib/kotlin-stdlib.jar" BoundaryBenchKt)"
echo "rust:   $(cargo run -q --release -p linli-ffi --example boundary)"
