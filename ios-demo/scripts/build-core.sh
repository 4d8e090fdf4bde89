#!/usr/bin/env bash
# Builds the Linli core the app uses: the LinliCore Swift package in bindings/swift (the one app
# teams consume), with its XCFramework built locally (iOS device, simulator, macOS) and its
# generated Swift. Run once before opening the project, and after core changes. Needs macOS with
# Xcode and rustup (see bindings/swift/build-xcframework.sh for the targets to add).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exec "$here/../bindings/swift/build-xcframework.sh" "$@"
