"""Linli's core from Python: the same signed records, fold, SQLite store, sync and tally the
phone apps embed, for researchers, auditors and scripts.

    import linli

    with linli.Device.open("cadre.db", None) as cadre:      # closed when the block ends
        ...

    pb = linli.read_pabulib("poland_warszawa_2023_.pb")
    for rule in linli.counting_rules():
        if rule != linli.CountingRule.BORDA or pb.vote_type() == "ordinal":
            print(linli.counting_rule_name(rule), pb.count(rule).selected)

Every name of the generated binding (`linli.linli_ffi`, made by uniffi from the Rust crate
`linli-ffi`) is exported here. Records are dataclasses: `repr` shows their fields and
`dataclasses.asdict` gives them as a dict. Calls are synchronous and may block on SQLite;
`Device` and the other objects are safe to share between threads.
"""

import os as _os

from . import linli_ffi as _ffi
from .linli_ffi import *  # noqa: F401,F403  (the binding is the package's API)

__all__ = list(_ffi.__all__) + ["read_pabulib"]
__version__ = "0.1.0"


def _enter(self):
    return self


def _exit(self, *_exc):
    self.close_store()
    return False


# A device is a context manager: leaving the block closes its store (every later call raises
# `LinliError.Closed`), as `close_store()` does.
_ffi.Device.__enter__ = _enter
_ffi.Device.__exit__ = _exit


def read_pabulib(path):
    """Reads a Pabulib `.pb` file (a `str` or any path-like) into a `PabulibInstance`, ready for
    `count(rule)` with each of `counting_rules()`. A malformed file raises
    `LinliError.InvalidInput` with the line at fault."""
    return _ffi.PabulibInstance.read(_os.fspath(path))
