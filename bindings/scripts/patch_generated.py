#!/usr/bin/env python3
"""Fixes to the code uniffi 0.32.2 generates, applied by generate.sh (two measured, one of shape):

    python3 bindings/scripts/patch_generated.py python OUT_DIR/linli_ffi.py
    python3 bindings/scripts/patch_generated.py kotlin OUT_DIR/org/linli/core/linli_ffi.kt

Each patch replaces one piece of uniffi's helper code, recognised by its exact text (SHA-256):
after a uniffi upgrade the script stops with a message instead of patching code it has not
seen. Both are idempotent. Drop a patch once a uniffi release does the same; the binding tests
(bindings/tests/python, bindings/tests/kotlin) run through the patched code.

Python, `_UniffiRustBufferBuilder`: every argument that is not a plain number (a string, a list,
a record) is written into a RustBuffer by this builder. uniffi's builder allocates 16 bytes in
Rust up front, grows the buffer through another FFI call (`rustbuffer_reserve`) as soon as it
holds more, and enters a context manager and takes a ctypes address for every value it writes.
Lowering a one-proposal ballot (`["<uuid>"]`) and freeing the buffer took 20 µs here. The
replacement appends to a `bytearray` and makes one `rustbuffer_alloc` of the exact size in
`finalize`: Rust receives the same bytes, and the same lowering and free take 10 µs. Upstream has been trimming the same path (mozilla/uniffi-rs#2824, #2956). The builder
holds no Rust memory until `finalize`, so `discard` (called when writing fails) has nothing to
free.

Kotlin, `uniffiRustCallWithError`: every call into Rust (a method call is three: clone the
object's handle, allocate an argument buffer, the method itself) passes a `UniffiRustCallStatus`,
a JNA `Structure` holding a nested `RustBuffer` one. uniffi allocates a fresh one per call, and a
JNA structure costs native memory, a cleaner registration and reflection: 5-10 µs each on the
JVM here. The replacement takes a status from a per-thread pool and resets it before the call,
so a thread reuses the same few. It is a pool, not one status per thread, because Rust may call
back into Kotlin (a callback interface) and the callback may call into Rust again while the
outer call's status is in use: the nested call takes another one.

Python, records as dataclasses: uniffi decorates every record (and every enum variant with
fields) with `@dataclass` but declares its fields only as `__init__` arguments, so the
dataclass has no fields: `repr` prints `CommentItem()` and `dataclasses.asdict` gives `{}`.
The patch declares each `__init__` argument as a field of the class (with its annotation; the
module has `from __future__ import annotations`, so nothing is evaluated), which gives the
dataclass its fields: `repr`, `asdict` and `fields` list them, while uniffi's own `__init__`,
`__eq__` and `__str__` are kept (a dataclass never replaces a method the class defines).
"""

import ast
import hashlib
import pathlib
import sys

MARK = "bindings/scripts/patch_generated.py over uniffi's"

PY_START = "class _UniffiRustBufferBuilder:\n"
PY_END = "# A handful of classes and functions to support the generated data structures.\n"
# The builder as uniffi 0.32.2 generates it (from PY_START through PY_END).
PY_SHA256 = "b809767e58b25455310168b7cd056cef2c7e4ad24be82909797c31e589bdc1f3"
PY_REPLACEMENT = '''class _UniffiRustBufferBuilder:
    """
    Helper for structured writing of bytes into a _UniffiRustBuffer.
    (Linli: bytes built in Python, the Rust buffer allocated once by `finalize`; written by
    bindings/scripts/patch_generated.py over uniffi's builder.)
    """

    __slots__ = ("_bytes",)
    _I8 = struct.Struct(">b")
    _U8 = struct.Struct(">B")
    _I16 = struct.Struct(">h")
    _U16 = struct.Struct(">H")
    _I32 = struct.Struct(">i")
    _U32 = struct.Struct(">I")
    _I64 = struct.Struct(">q")
    _U64 = struct.Struct(">Q")
    _F32 = struct.Struct(">f")
    _F64 = struct.Struct(">d")
    _SIZE_T = struct.Struct("@N")

    def __init__(self):
        self._bytes = bytearray()

    def finalize(self):
        data = bytes(self._bytes)
        self._bytes = None
        rbuf = _UniffiRustBuffer.alloc(len(data))
        if data:
            ctypes.memmove(rbuf.data, data, len(data))
        rbuf.len = len(data)
        return rbuf

    def discard(self):
        self._bytes = None

    def write(self, value):
        self._bytes += value

    def write_i8(self, v):
        self._bytes += self._I8.pack(v)

    def write_u8(self, v):
        self._bytes += self._U8.pack(v)

    def write_i16(self, v):
        self._bytes += self._I16.pack(v)

    def write_u16(self, v):
        self._bytes += self._U16.pack(v)

    def write_i32(self, v):
        self._bytes += self._I32.pack(v)

    def write_u32(self, v):
        self._bytes += self._U32.pack(v)

    def write_i64(self, v):
        self._bytes += self._I64.pack(v)

    def write_u64(self, v):
        self._bytes += self._U64.pack(v)

    def write_float(self, v):
        self._bytes += self._F32.pack(v)

    def write_double(self, v):
        self._bytes += self._F64.pack(v)

    def write_c_size_t(self, v):
        self._bytes += self._SIZE_T.pack(v)
'''

KT_START = "private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError("
KT_END = "\n}\n"
# The function as uniffi 0.32.2 generates it (from KT_START up to and including KT_END).
KT_SHA256 = "a192b7a63339c928594553a39c9279e273efaf946c1f2213a6d532cad135bae2"
KT_REPLACEMENT = '''private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    // (Linli: the status comes from a per-thread pool; written by
    // bindings/scripts/patch_generated.py over uniffi's function.)
    val pool = UniffiRustCallStatusPool.local.get()
    val status = pool.removeLastOrNull() ?: UniffiRustCallStatus()
    status.code = UNIFFI_CALL_SUCCESS
    status.error_buf.capacity = 0
    status.error_buf.len = 0
    status.error_buf.data = null
    try {
        val return_value = callback(status)
        uniffiCheckCallStatus(errorHandler, status)
        return return_value
    } finally {
        pool.addLast(status)
    }
}

/**
 * The call statuses a thread is not using (at most one per call in progress on that thread).
 *
 * @suppress
 */
internal object UniffiRustCallStatusPool {
    // A subclass rather than `ThreadLocal.withInitial`, which Android has only from API 26.
    @JvmField
    val local: ThreadLocal<ArrayDeque<UniffiRustCallStatus>> =
        object : ThreadLocal<ArrayDeque<UniffiRustCallStatus>>() {
            override fun initialValue() = ArrayDeque<UniffiRustCallStatus>()
        }
}
'''


def replace_once(source, start_text, end_text, known_sha256, replacement, what):
    """`source` with the text from `start_text` through `end_text` replaced, if it is the known text."""
    if MARK in source:
        return source
    start = source.find(start_text)
    end = source.find(end_text, start)
    if start < 0 or end < 0:
        raise SystemExit(f"patch_generated.py: no {what} in the generated code")
    end += len(end_text)
    found = hashlib.sha256(source[start:end].encode()).hexdigest()
    if found != known_sha256:
        raise SystemExit(
            f"patch_generated.py: uniffi generated a different {what} (sha256 {found}); review the "
            "new one against this script's replacement, then update its hash or drop the patch"
        )
    return source[:start] + replacement + source[end:]


def declare_dataclass_fields(source):
    """`source` with every `@dataclass` class that declares no field given one per argument of
    its `__init__` (keyword-only, as uniffi writes them). Classes with fields are left as they
    are, so the patch is idempotent."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inserts = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(isinstance(d, ast.Name) and d.id == "dataclass" for d in node.decorator_list):
            continue
        if any(isinstance(b, ast.AnnAssign) for b in node.body):
            continue
        init = next((b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == "__init__"), None)
        if init is None or not init.args.kwonlyargs:
            continue
        pad = " " * init.col_offset
        fields = [
            f"{pad}{a.arg}: {ast.get_source_segment(source, a.annotation) if a.annotation else 'object'}\n"
            for a in init.args.kwonlyargs
        ]
        inserts.append((init.lineno - 1, fields))
    for line, fields in sorted(inserts, reverse=True):
        lines[line:line] = fields
    return "".join(lines)


def patch(language, source):
    """The generated code with its patches applied (unchanged if already applied)."""
    if language == "python":
        source = replace_once(source, PY_START, PY_END, PY_SHA256, PY_REPLACEMENT + PY_END, "_UniffiRustBufferBuilder")
        return declare_dataclass_fields(source)
    if language == "kotlin":
        return replace_once(source, KT_START, KT_END, KT_SHA256, KT_REPLACEMENT, "uniffiRustCallWithError")
    raise SystemExit(f"patch_generated.py: nothing to patch for {language}")


if __name__ == "__main__":
    language, path = sys.argv[1], pathlib.Path(sys.argv[2])
    path.write_text(patch(language, path.read_text(encoding="utf-8")), encoding="utf-8")
