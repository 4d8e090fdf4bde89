#!/usr/bin/env bash
# Builds the `linli` Python wheel: the generated uniffi module and the shared library staged
# beside linli/__init__.py, packed by setuptools (pyproject.toml, setup.py).
#   bindings/python/build_wheel.sh [--dist|--debug] [OUT_DIR]
# `--dist` (the default) builds the library as it ships (the `dist` profile: LTO, stripped);
# `--debug` packs the debug build (what CI tests, to reuse the build it already has).
# OUT_DIR defaults to target/wheels. Prints the wheel's path last.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=dist; out=target/wheels
for a in "$@"; do
  case "$a" in
    --dist) profile=dist ;;
    --debug) profile=debug ;;
    *) out="$a" ;;
  esac
done
py="${PYTHON:-python3}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
pyversion="$(sed -n 's/^version = "\(.*\)"/\1/p' bindings/python/pyproject.toml | head -1)"
if [ "$version" != "$pyversion" ]; then
  echo "build_wheel.sh: pyproject.toml says $pyversion, the workspace $version" >&2
  exit 1
fi
stage=target/wheel-stage
rm -rf "$stage" && mkdir -p "$stage"
cp bindings/python/pyproject.toml bindings/python/setup.py bindings/python/README.md "$stage/"
cp -r bindings/python/linli "$stage/linli"
flag=""; [ "$profile" = dist ] && flag="--dist"
bindings/scripts/generate.sh python "$stage/linli" $flag >/dev/null
grep -q "__version__ = \"$version\"" "$stage/linli/__init__.py" || {
  echo "build_wheel.sh: linli/__init__.py's __version__ is not $version" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/linli-"$version"-*.whl
"$py" -m pip wheel -q --no-deps --disable-pip-version-check -w "$out" "$stage"
ls "$out"/linli-"$version"-*.whl
