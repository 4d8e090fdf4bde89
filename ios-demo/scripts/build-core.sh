#!/usr/bin/env bash
# Builds the Linli core for iOS (device and simulator) as LinliCore/LinliCoreFFI.xcframework and
# generates its Swift bindings into LinliCore/Sources/LinliCore, with the workspace's pinned
# uniffi-bindgen (library mode). Run once before opening the project, and after core changes.
# Needs macOS with Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
# `dist` (LTO, stripped: what ships) by default; LINLI_PROFILE=debug for a quick build.
profile="${LINLI_PROFILE:-dist}"
flag="--profile $profile"; [ "$profile" = debug ] && flag=""
cd "$repo"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build $flag -p linli-ffi --target "$t"
done
out="$here/LinliCore"
work="$repo/target/ios"
rm -rf "$work" "$out/LinliCoreFFI.xcframework"
mkdir -p "$work/headers" "$work/sim" "$out/Sources/LinliCore"
# Swift bindings from the host build of the same crate (same API and checksums).
bindings/scripts/generate.sh swift "$work/generated"
cp "$work/generated/LinliCore.swift" "$out/Sources/LinliCore/"
cp "$work/generated/LinliCoreFFI.h" "$work/headers/"
cp "$work/generated/LinliCoreFFI.modulemap" "$work/headers/module.modulemap"
lipo -create "target/aarch64-apple-ios-sim/$profile/liblinli_ffi.a" "target/x86_64-apple-ios/$profile/liblinli_ffi.a" \
  -output "$work/sim/liblinli_ffi.a"
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/$profile/liblinli_ffi.a" -headers "$work/headers" \
  -library "$work/sim/liblinli_ffi.a" -headers "$work/headers" \
  -output "$out/LinliCoreFFI.xcframework"
echo "LinliCore ready in $out"
