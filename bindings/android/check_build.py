#!/usr/bin/env python3
"""Checks the Android library's build without the Android SDK (which CI cannot fetch): the
cargo-ndk command line, the 16 KB page linker flags, the pinned NDK, the ABIs, JNA as an AAR, the
consumer R8 rules, the Maven coordinates, the Gradle wrapper, and that android-demo consumes the
library instead of building the core itself. It reads the Gradle scripts and evaluates the
command line the way `cargoNdkArgs` builds it.

    python3 bindings/android/check_build.py
"""

import pathlib
import re
import sys
import zipfile

REPO = pathlib.Path(__file__).resolve().parents[2]
HERE = REPO / "bindings" / "android"


def list_literal(src, name):
    m = re.search(rf"val {name} = listOf\(([^)]*)\)", src)
    return re.findall(r'"([^"]+)"', m.group(1)) if m else []


def string_literal(src, name):
    m = re.search(rf'val {name} = "([^"]*)"', src)
    return m.group(1) if m else None


def cargo_ndk_args(src, out="OUT", profile="dist"):
    """The command line `cargoNdkArgs` builds, from the script's own values."""
    abis = list_literal(src, "abis")
    api = re.search(r"val apiLevel = (\d+)", src).group(1)
    args = ["cargo", "ndk", "--platform", api]
    for abi in abis:
        args += ["-t", abi]
    args += ["-o", out, "build", "-p", "linli-ffi"]
    if profile == "dist":
        args += ["--profile", "dist"]
    return args


def problems():
    out = []
    build = (HERE / "linli-core" / "build.gradle.kts").read_text(encoding="utf-8")
    # The function in the script must build exactly what this check evaluates.
    body = build[build.index("fun cargoNdkArgs"):]
    body = body[:body.index("\n\n")]
    for piece in ['"ndk", "--platform", "$apiLevel"', 'abis.flatMap { listOf("-t", it) }',
                  'listOf("-o", out, "build", "-p", "linli-ffi")', 'listOf("--profile", "dist")']:
        if piece not in body:
            out.append(f"cargoNdkArgs no longer contains {piece}")
    args = cargo_ndk_args(build)
    expected = ["cargo", "ndk", "--platform", "24", "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
                "-o", "OUT", "build", "-p", "linli-ffi", "--profile", "dist"]
    if args != expected:
        out.append(f"cargo-ndk command line {args} is not {expected}")
    if 'if (rustProfile == "dist")' not in body or 'else "dist"' not in build:
        out.append("the AAR must ship the dist profile unless linli.rustDebug is set")
    flags = string_literal(build, "pageAlignment") or ""
    for flag in ("-Wl,-z,max-page-size=16384", "-Wl,-z,common-page-size=16384"):
        if flag not in flags:
            out.append(f"linker flags lack {flag} (16 KB pages)")
    if 'environment("RUSTFLAGS", pageAlignment)' not in build:
        out.append("the page alignment flags are not passed to cargo")
    ndk = string_literal(build, "pinnedNdk")
    if not ndk or not re.fullmatch(r"2[7-9]\.\d+\.\d+", ndk) or "ndkVersion = pinnedNdk" not in build:
        out.append(f"the NDK must be pinned to r27 or later (16 KB by default), found {ndk}")
    if 'environment("ANDROID_NDK_HOME", android.ndkDirectory.path)' not in build:
        out.append("cargo-ndk must use the pinned NDK")
    if 'api("net.java.dev.jna:jna:5.15.0@aar")' not in build:
        out.append("JNA must come as its AAR (its native part for Android)")
    if 'consumerProguardFiles("consumer-rules.pro")' not in build:
        out.append("the consumer R8 rules are not shipped")
    rules = (HERE / "linli-core" / "consumer-rules.pro").read_text(encoding="utf-8")
    for keep in ("-keep class com.sun.jna.** { *; }", "-keep class org.linli.core.** { *; }"):
        if keep not in rules:
            out.append(f"consumer-rules.pro lacks {keep}")
    for coord in ('groupId = "org.linli"', 'artifactId = "linli-core"', "`maven-publish`",
                  'singleVariant("release")'):
        if coord not in build:
            out.append(f"publishing lacks {coord}")
    if 'fun tool(name: String)' not in build or '"$home/.cargo/bin"' not in build:
        out.append("the build must find cargo and python3 beyond the shell's PATH")
    for d in (HERE, REPO / "android-demo"):
        wrapper = d / "gradle" / "wrapper"
        props = (wrapper / "gradle-wrapper.properties").read_text(encoding="utf-8")
        if "gradle-8." not in props:
            out.append(f"{d.name}: the wrapper does not name Gradle 8")
        try:
            with zipfile.ZipFile(wrapper / "gradle-wrapper.jar") as jar:
                if "org/gradle/wrapper/GradleWrapperMain.class" not in jar.namelist():
                    out.append(f"{d.name}: gradle-wrapper.jar has no GradleWrapperMain")
        except (OSError, zipfile.BadZipFile) as e:
            out.append(f"{d.name}: gradle-wrapper.jar: {e}")
        if not (d / "gradlew").is_file() or not (d / "gradlew").stat().st_mode & 0o111:
            out.append(f"{d.name}: gradlew is missing or not executable")
    demo_settings = (REPO / "android-demo" / "settings.gradle.kts").read_text(encoding="utf-8")
    demo_build = (REPO / "android-demo" / "app" / "build.gradle.kts").read_text(encoding="utf-8")
    if 'includeBuild("../bindings/android")' not in demo_settings:
        out.append("android-demo does not include the library's build")
    if 'implementation("org.linli:linli-core:' not in demo_build:
        out.append("android-demo does not depend on org.linli:linli-core")
    code = "\n".join(l for l in demo_build.splitlines() if not l.lstrip().startswith("//"))
    if "cargo" in code or "Exec::class" in code or "generate.sh" in code:
        out.append("android-demo still builds the core itself")
    return out


if __name__ == "__main__":
    found = problems()
    for p in found:
        print(p)
    if found:
        sys.exit(1)
    print("android library build: 1 passed, 0 failed")
