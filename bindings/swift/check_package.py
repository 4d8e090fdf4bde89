#!/usr/bin/env python3
"""Checks the Swift package without a Mac: Package.swift and build-xcframework.sh agree with the
workspace and with each other. The version is the workspace's; the checksum is empty (local
build until a release) or a SHA-256; the released URL names the version; both branches declare
the same binary target; the script builds every slice the package claims (iOS device, iOS
simulator for arm64 and x86_64, macOS for arm64 and x86_64) into one XCFramework and, for a
release, zips it and computes its checksum; the iOS demo depends on this package.

    python3 bindings/swift/check_package.py
"""

import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def problems():
    here = REPO / "bindings" / "swift"
    package = (here / "Package.swift").read_text(encoding="utf-8")
    script = (here / "build-xcframework.sh").read_text(encoding="utf-8")
    cargo = (REPO / "Cargo.toml").read_text(encoding="utf-8")
    out = []
    workspace = re.search(r'^version = "(.+)"', cargo, re.M).group(1)
    version = re.search(r'^let version = "(.+)"', package, re.M)
    if not version or version.group(1) != workspace:
        out.append(f"Package.swift version {version and version.group(1)} is not the workspace's {workspace}")
    checksum = re.search(r'^let checksum = "([0-9a-f]*)"', package, re.M)
    if not checksum or not re.fullmatch(r"(?:[0-9a-f]{64})?", checksum.group(1)):
        out.append("Package.swift checksum is neither empty nor a SHA-256")
    if "releases/download/\\(version)/LinliCoreFFI.xcframework.zip" not in package:
        out.append("the released URL does not name the version's zip")
    if package.count('.binaryTarget(name: "LinliCoreFFI"') + package.count('name: "LinliCoreFFI",\n        url:') < 2:
        out.append("both the local and the released branch must declare the binary target LinliCoreFFI")
    if 'path: "LinliCoreFFI.xcframework"' not in package or "LINLI_LOCAL_CORE" not in package:
        out.append("the local build switch (LINLI_LOCAL_CORE, LinliCoreFFI.xcframework) is missing")
    for platform in (".iOS(", ".macOS("):
        if platform not in package:
            out.append(f"Package.swift does not declare {platform}")
    for target in ("aarch64-apple-ios", "aarch64-apple-ios-sim", "x86_64-apple-ios",
                   "aarch64-apple-darwin", "x86_64-apple-darwin"):
        if not re.search(rf"\bfor t in [^\n]*\b{re.escape(target)}\b", script):
            out.append(f"build-xcframework.sh does not build {target}")
    create = script[script.find("-create-xcframework"):]
    create = create[:create.find("-output")]
    if create.count("-library") != 3:
        out.append(f"the XCFramework has {create.count('-library')} slices, not 3 (device, simulator, macOS)")
    for needed in ("ditto -c -k", "swift package compute-checksum", "let checksum = "):
        if needed not in script:
            out.append(f"build-xcframework.sh --release lacks {needed!r}")
    project = (REPO / "ios-demo" / "LinliDemo.xcodeproj" / "project.pbxproj").read_text(encoding="utf-8")
    if "relativePath = ../bindings/swift;" not in project:
        out.append("the iOS demo does not depend on bindings/swift")
    if not (here / "Sources" / "LinliCore").is_dir():
        out.append("Sources/LinliCore is missing")
    return out


if __name__ == "__main__":
    found = problems()
    for p in found:
        print(p)
    if found:
        sys.exit(1)
    print("swift package: 1 passed, 0 failed")
