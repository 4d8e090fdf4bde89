#!/usr/bin/env bash
# Builds LinliCoreFFI.xcframework (iOS device, iOS simulator, macOS) beside Package.swift and the
# generated Swift into Sources/LinliCore, with the workspace's pinned uniffi-bindgen.
#   bindings/swift/build-xcframework.sh            # local build (the package uses it)
#   bindings/swift/build-xcframework.sh --release  # also zips it and writes its checksum and
#                                                  # the workspace version into Package.swift
# Needs macOS with Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios \
#     aarch64-apple-darwin x86_64-apple-darwin
# LINLI_PROFILE=debug for a quick build; `dist` (LTO, stripped: what ships) by default.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
release=0; [ "${1:-}" = --release ] && release=1
profile="${LINLI_PROFILE:-dist}"
flag="--profile $profile"; [ "$profile" = debug ] && flag=""
cd "$repo"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin; do
  cargo build $flag -p linli-ffi --target "$t"
done
work="$repo/target/xcframework"
rm -rf "$work" "$here/LinliCoreFFI.xcframework"
mkdir -p "$work/headers" "$work/ios-sim" "$work/macos" "$here/Sources/LinliCore"
# Swift bindings from the host build of the same crate (same API and checksums).
bindings/scripts/generate.sh swift "$work/generated"
cp "$work/generated/LinliCore.swift" "$here/Sources/LinliCore/"
cp "$work/generated/LinliCoreFFI.h" "$work/headers/"
cp "$work/generated/LinliCoreFFI.modulemap" "$work/headers/module.modulemap"
lib() { echo "target/$1/$profile/liblinli_ffi.a"; }
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$work/ios-sim/liblinli_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$work/macos/liblinli_ffi.a"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$work/headers" \
  -library "$work/ios-sim/liblinli_ffi.a" -headers "$work/headers" \
  -library "$work/macos/liblinli_ffi.a" -headers "$work/headers" \
  -output "$here/LinliCoreFFI.xcframework"
echo "LinliCoreFFI.xcframework: $(du -sh "$here/LinliCoreFFI.xcframework" | cut -f1)"
if [ "$release" = 1 ]; then
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
  zip="$work/LinliCoreFFI.xcframework.zip"
  (cd "$here" && ditto -c -k --sequesterRsrc --keepParent LinliCoreFFI.xcframework "$zip")
  sum="$(swift package compute-checksum "$zip")"
  sed -i '' -e "s/^let version = \".*\"/let version = \"$version\"/" \
    -e "s/^let checksum = \"[0-9a-f]*\"/let checksum = \"$sum\"/" "$here/Package.swift"
  echo "release zip: $zip ($(wc -c < "$zip") bytes), checksum $sum, written into Package.swift"
  echo "attach it to the GitHub release $version, then copy bindings/swift into linli-pb/linli-swift"
fi
