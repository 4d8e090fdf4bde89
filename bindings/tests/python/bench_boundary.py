"""The cost of crossing the boundary: the same calls through the Python binding and natively in
Rust (bindings/ffi/examples/boundary.rs), both release builds, medians in microseconds.

Run: python bindings/tests/python/bench_boundary.py   (builds what it needs)
"""

import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[3]
subprocess.run([str(REPO / "bindings/scripts/generate.sh"), "python", "target/bindings-release/python", "--release"], check=True, cwd=REPO)
sys.path.insert(0, str(REPO / "target/bindings-release/python"))
from boundary_scenario import voting_resident  # noqa: E402



def median_us(fn, n):
    times = []
    for i in range(n):
        t = time.perf_counter_ns()
        fn(i)
        times.append((time.perf_counter_ns() - t) / 1000)
    return statistics.median(times)


with tempfile.TemporaryDirectory() as d:
    cadre, resident, cycle, ids = voting_resident(d)
    box = resident.ballot_box(cycle)
    # Device.vote and BallotBox.vote alternate, as in the Rust run.
    votes, box_votes = [], []
    for i in range(600):
        choice = [ids[i % len(ids)]]
        t = time.perf_counter_ns()
        if i % 2 == 0:
            resident.vote(cycle, choice)
            votes.append((time.perf_counter_ns() - t) / 1000)
        else:
            box.vote(choice)
            box_votes.append((time.perf_counter_ns() - t) / 1000)
    py = {
        "vote_us": statistics.median(votes),
        "box_vote_us": statistics.median(box_votes),
        "list500_us": median_us(lambda i: resident.proposals(cycle, None, None), 100),
        "summary_us": median_us(lambda i: resident.summary(cycle), 1000),
    }

rs = json.loads(subprocess.run(["cargo", "run", "-q", "--release", "-p", "linli-ffi", "--example", "boundary"],
                               cwd=REPO, check=True, capture_output=True, text=True).stdout)
print(f"{'call':<16} {'Rust':>10} {'Python':>10} {'boundary':>10}   (median, µs)")
for k, label in (("vote_us", "Device.vote"), ("box_vote_us", "BallotBox.vote"), ("list500_us", "list 500"),
                 ("summary_us", "summary")):
    print(f"{label:<16} {rs[k]:>10.1f} {py[k]:>10.1f} {py[k] - rs[k]:>10.1f}")
print(f"Rust with the caches flushed between votes: Device.vote {rs['vote_cold_us']:.1f}, "
      f"BallotBox.vote {rs['box_vote_cold_us']:.1f}")
