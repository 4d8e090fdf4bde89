"""Side-by-side timing of the Method of Equal Shares: pabutools vs `linli pabulib tally`.

Usage: python tests/conformance/bench_mes.py [FILE.pb] [LINLI_BIN]
Defaults: ../shared/pabulib/Poland_Wieliczka_2023_Green_Budget.pb and target/release/linli
(build it first: cargo build --release -p linli-cli). Prints both medians and the ratio; the rule
time of linli is measured inside the process (parsing excluded, as for pabutools), and the whole
process time is shown too.
"""

import json
import pathlib
import statistics
import subprocess
import sys
import time

from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares

REPO = pathlib.Path(__file__).resolve().parents[2]
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"
linli = sys.argv[2] if len(sys.argv) > 2 else str(REPO / "target" / "release" / "linli")

instance, profile = parse_pabulib(str(path))
py_times, py_sel = [], None
for _ in range(3):
    t = time.perf_counter()
    out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    py_times.append(time.perf_counter() - t)
    py_sel = sorted(p.name for p in out)

rs_rule, rs_proc, rs_sel = [], [], None
for _ in range(10):
    t = time.perf_counter()
    res = subprocess.run([linli, "--json", "pabulib", "tally", str(path), "--rule", "mes"], capture_output=True, text=True, check=True)
    rs_proc.append(time.perf_counter() - t)
    data = json.loads(res.stdout)
    rs_rule.append(data["micros"] / 1e6)
    rs_sel = sorted(data["selected"])

assert py_sel == rs_sel, (py_sel, rs_sel)
py, rs, proc = statistics.median(py_times), statistics.median(rs_rule), statistics.median(rs_proc)
print(f"instance: {path.name} ({len(instance)} projects, {profile.num_ballots()} ballots)")
print(f"pabutools MES: {py * 1000:.1f} ms (median of 3)")
print(f"linli MES:     {rs * 1000:.2f} ms rule, {proc * 1000:.1f} ms whole process (median of 10)")
print(f"same selection: yes; ratio: {py / rs:.0f}x (rule), {py / proc:.0f}x (whole process incl. parsing)")
