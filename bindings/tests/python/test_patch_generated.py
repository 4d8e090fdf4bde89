"""bindings/scripts/patch_generated.py: it patches only the uniffi code it knows, once, and the
module the other tests load is the patched one.
"""

import importlib.util
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
BINDINGS = pathlib.Path(os.environ.get("LINLI_PY_BINDINGS", str(REPO / "target" / "bindings" / "python")))
spec = importlib.util.spec_from_file_location("patch_generated", REPO / "bindings/scripts/patch_generated.py")
patch_generated = importlib.util.module_from_spec(spec)
spec.loader.exec_module(patch_generated)

STOCK_BUILDER = (
    patch_generated.PY_START
    + "    def __init__(self):\n        self.rbuf = _UniffiRustBuffer.alloc(16)\n\n"
    + patch_generated.PY_END
)


def test_the_loaded_module_writes_buffers_with_the_patched_builder():
    source = (BINDINGS / "linli_ffi.py").read_text(encoding="utf-8")
    assert patch_generated.MARK in source
    assert "self._bytes = bytearray()" in source
    assert "_UniffiRustBuffer.reserve(self.rbuf" not in source


def test_a_builder_it_has_not_seen_stops_the_generation():
    with pytest.raises(SystemExit, match="uniffi generated a different _UniffiRustBufferBuilder"):
        patch_generated.patch("python", "header\n" + STOCK_BUILDER + "rest\n")


def test_a_kotlin_call_helper_it_has_not_seen_stops_the_generation():
    changed = patch_generated.KT_START + "errorHandler: X, callback: Y): U {\n    return callback(Z())\n}\n"
    with pytest.raises(SystemExit, match="uniffi generated a different uniffiRustCallWithError"):
        patch_generated.patch("kotlin", changed)


def test_patching_twice_is_patching_once():
    source = (BINDINGS / "linli_ffi.py").read_text(encoding="utf-8")
    assert patch_generated.patch("python", source) == source
