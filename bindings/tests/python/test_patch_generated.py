"""bindings/scripts/patch_generated.py: it patches only the uniffi code it knows, once, and the
module the installed package carries (the one the other tests load) is the patched one.
"""

import dataclasses
import importlib.util
import pathlib

import pytest

import linli

REPO = pathlib.Path(__file__).resolve().parents[3]
GENERATED = pathlib.Path(linli.linli_ffi.__file__)
spec = importlib.util.spec_from_file_location("patch_generated", REPO / "bindings/scripts/patch_generated.py")
patch_generated = importlib.util.module_from_spec(spec)
spec.loader.exec_module(patch_generated)

STOCK_BUILDER = (
    patch_generated.PY_START
    + "    def __init__(self):\n        self.rbuf = _UniffiRustBuffer.alloc(16)\n\n"
    + patch_generated.PY_END
)


def test_the_loaded_module_writes_buffers_with_the_patched_builder():
    source = GENERATED.read_text(encoding="utf-8")
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
    source = GENERATED.read_text(encoding="utf-8")
    assert patch_generated.patch("python", source) == source


def test_records_and_enum_variants_are_dataclasses_with_their_fields():
    line = linli.BudgetLineInput(item="材料", amount_fen=8_000_000)
    assert dataclasses.asdict(line) == {"item": "材料", "amount_fen": 8_000_000}
    assert repr(line) == "BudgetLineInput(item='材料', amount_fen=8000000)"
    assert [f.name for f in dataclasses.fields(linli.NewMember)] == [
        "display_name", "device_key", "roles", "age_15_plus", "attestation", "member_id"]
    # uniffi's own constructor (keyword-only, with its defaults) and equality are kept.
    with pytest.raises(TypeError):
        linli.BudgetLineInput("材料", 1)
    assert line == linli.BudgetLineInput(item="材料", amount_fen=8_000_000)


def test_declaring_fields_is_idempotent_and_leaves_other_classes_alone():
    source = (
        "from __future__ import annotations\n"
        "@dataclass\nclass A:\n    def __init__(self, *, x:int, y:typing.Optional[str] = _DEFAULT):\n        pass\n"
        "class B:\n    def __init__(self, *, z:int):\n        pass\n"
    )
    once = patch_generated.declare_dataclass_fields(source)
    assert "    x: int\n    y: typing.Optional[str]\n    def __init__" in once
    assert "    z: int" not in once
    assert patch_generated.declare_dataclass_fields(once) == once
