"""Which SQLite pages a vote writes (docs/benchmarks.md, "What a vote writes").

Sets up the boundary benchmark's scenario (500 shortlisted proposals, one resident), re-votes,
reopens the store (the checkpoint empties the WAL), votes 90 more times, then reads the frames
of the WAL (one page per frame, a commit flag on each transaction's last) and names each page's
table or index with SQLite's `dbstat`. Prints the pages per vote by b-tree.

Run: python bindings/tests/python/vote_pages.py   (after bench_boundary.py has built the release
bindings in target/bindings-release/python)
"""

import collections
import gc
import pathlib
import shutil
import sqlite3
import struct
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "target/bindings-release/python"))
from boundary_scenario import voting_resident  # noqa: E402
from linli_ffi import Device  # noqa: E402

VOTES = 90



def wal_commits(path):
    """The page numbers written by each transaction in a WAL file."""
    wal = pathlib.Path(path).read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    commits, current, off = [], [], 32
    while off + 24 + page_size <= len(wal):
        page, commit = struct.unpack(">II", wal[off:off + 8])
        current.append(page)
        if commit:
            commits.append(current)
            current = []
        off += 24 + page_size
    return commits


with tempfile.TemporaryDirectory() as d:
    cadre, resident, cycle, ids = voting_resident(d)
    box = resident.ballot_box(cycle)
    for i in range(300):
        box.vote([ids[i % len(ids)]])
    resident.close_store()
    del box, resident
    gc.collect()
    resident = Device.open(f"{d}/resident.db", None)
    box = resident.ballot_box(cycle)
    for i in range(VOTES):
        box.vote([ids[(i * 7) % len(ids)]])
    copy = pathlib.Path(d) / "copy.db"
    shutil.copy(f"{d}/resident.db", copy)
    shutil.copy(f"{d}/resident.db-wal", f"{copy}-wal")
    # The first transaction after the reopen is the store's own (not a vote).
    commits = wal_commits(f"{copy}-wal")[1:]
    names = dict(sqlite3.connect(f"file:{copy}?mode=ro", uri=True).execute("SELECT pageno, name FROM dbstat"))
    per = collections.Counter(names.get(p, f"page {p}") for c in commits for p in c)
    print(f"{len(commits)} votes, {sum(per.values()) / len(commits):.1f} pages per vote")
    for name, n in per.most_common():
        print(f"  {name:<28} {n / len(commits):.2f}")
