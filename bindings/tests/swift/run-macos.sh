#!/usr/bin/env bash
# On macOS with Xcode: generate the Swift bindings and run the XCTest suite against the library.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."
bindings/scripts/generate.sh swift
rm -rf "$here/Generated" && mkdir -p "$here/Generated/LinliCoreFFI" "$here/Generated/LinliCore"
cp target/bindings/swift/LinliCoreFFI.h "$here/Generated/LinliCoreFFI/"
sed 's/^module LinliCoreFFI/module LinliCoreFFI/' target/bindings/swift/LinliCoreFFI.modulemap > "$here/Generated/LinliCoreFFI/module.modulemap"
cp target/bindings/swift/LinliCore.swift "$here/Generated/LinliCore/"
cd "$here" && swift test
