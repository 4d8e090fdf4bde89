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
from linli_ffi import (  # noqa: E402
    BudgetLineInput, CyclePhase, Device, MemberRole, NewCycle, NewMember, NewProposal, ProposalCategory, ReviewOutcome,
)


def proposal(i):
    return NewProposal(title=f"提案{i:03} 加装电梯", description="说明", category=ProposalCategory.FACILITIES, location="3栋",
                       target_group="居民", needs_assessment="走访", goals=[], steps=[], risks=[],
                       budget_lines=[BudgetLineInput(item="全部", amount_fen=100_000 + i)])


def median_us(fn, n):
    times = []
    for i in range(n):
        t = time.perf_counter_ns()
        fn(i)
        times.append((time.perf_counter_ns() - t) / 1000)
    return statistics.median(times)


with tempfile.TemporaryDirectory() as d:
    cadre = Device.open(f"{d}/cadre.db", None)
    resident = Device.open(f"{d}/resident.db", None)
    cycle = cadre.create_cycle(NewCycle(community="基准", year=2026, title="边界", budget_pool_fen=30_000_000,
                                        min_picks=1, max_picks=3, rule="greedy", founder_name="书记",
                                        satisfaction_threshold_pct=80, min_ratings=5))
    resident.join(cadre.invite(cycle))
    cadre.register_member(cycle, NewMember(display_name="居民", device_key=resident.device_key(),
                                           roles=[MemberRole.RESIDENT], age_15_plus=True, attestation="当面", member_id=None))
    cadre.advance_phase(cycle, CyclePhase.PROPOSALS, "")
    ids = [cadre.enter_paper_proposal(cycle, proposal(i), "纸质") for i in range(500)]
    cadre.advance_phase(cycle, CyclePhase.DELIBERATION, "")
    for p in ids:
        cadre.review(cycle, p, ReviewOutcome.SHORTLIST(), "可行")
    cadre.advance_phase(cycle, CyclePhase.VOTING, "")
    resident.import_bundle(cycle, cadre.export_bundle(cycle))
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
