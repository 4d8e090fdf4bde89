#!/usr/bin/env bash
# Compiles the generated Kotlin bindings with the Android library's own Kotlin
# (bindings/android/linli-core), LinliTest.kt and the Android demo's core layer (LinliRepository.kt
# with DemoRepositoryCheck.kt) and runs both on the JVM through JNA.
#   KOTLINC=path/to/kotlin-compiler bindings/tests/kotlin/run.sh
# Needs: a JDK, the Kotlin compiler (npm package kotlin-compiler, full JetBrains distribution),
# and JNA (Debian libjna-java: /usr/share/java/jna.jar).
set -euo pipefail
cd "$(dirname "$0")/../../.."
kotlin_home="${KOTLIN_HOME:-.ci-tools/node_modules/kotlin-compiler}"
jna="${JNA_JAR:-/usr/share/java/jna.jar}"
bindings/scripts/generate.sh kotlin
out=target/kotlin-test
mkdir -p "$out"
# A stale jar must never stand in for a failed compile: remove it, and fail when kotlinc does.
rm -f "$out/test.jar"
if ! "$kotlin_home/bin/kotlinc" -nowarn target/bindings/kotlin/org/linli/core/linli_ffi.kt \
  bindings/android/linli-core/src/main/kotlin/org/linli/core/*.kt bindings/tests/kotlin/LinliTest.kt \
  android-demo/app/src/main/java/org/linli/demo/LinliRepository.kt bindings/tests/kotlin/DemoRepositoryCheck.kt \
  -cp "$jna" -d "$out/test.jar" > "$out/kotlinc.log" 2>&1; then
  grep -v "^warning" "$out/kotlinc.log" >&2 || true
  echo "kotlinc failed: the Kotlin bindings, the Android library or the demo's core layer do not compile" >&2
  exit 1
fi
grep -v "^warning" "$out/kotlinc.log" || true
cp="$out/test.jar:$jna:$kotlin_home/lib/kotlin-stdlib.jar"
java -Djna.library.path=target/bindings/kotlin -cp "$cp" LinliTestKt
# The Android demo's core layer, compiled from android-demo/ against the same generated code.
java -Djna.library.path=target/bindings/kotlin -cp "$cp" org.linli.demo.check.DemoRepositoryCheckKt
