"""Conformance of Linli's counting rules with pabutools (the reference implementation).

Runs `linli pabulib tally --json` and pabutools on every Pabulib file in ../shared/pabulib/ (when
present) and on random instances made to produce ties, and fails on any difference in the selected
set. Where a file carries the city's `selected` column and a rule Linli implements, Linli's
selection must equal the city's.

Rule mapping (see core/src/tally.rs):
  greedy   = greedy_utilitarian_welfare(sat_class=Cost_Sat)
  mes      = method_of_equal_shares(sat_class=Cost_Sat)
  mes-add1 = method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)
  borda    = greedy over Borda points: an additive satisfaction worth (Borda points x cost), so
             that greedy's density (satisfaction / cost) is the Borda score.
All with pabutools' default lexicographic tie-breaking.
"""

import json
import os
import pathlib
import random
import subprocess
import tempfile

import pytest
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

REPO = pathlib.Path(__file__).resolve().parents[2]
LINLI = os.environ.get("LINLI_BIN", str(REPO / "target" / "debug" / "linli"))
SHARED = REPO.parent / "shared" / "pabulib"
FILES = sorted(SHARED.glob("*.pb")) if SHARED.is_dir() else []
RANDOM_INSTANCES = int(os.environ.get("LINLI_RANDOM_INSTANCES", "250"))


def borda_cost_sat_func(instance, profile, ballot, project, precomputed_values):
    if project in ballot:
        return (len(ballot) - ballot.position(project) - 1) * project.cost
    return 0


class BordaCostSat(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, borda_cost_sat_func)


def pabutools_selection(path, rule):
    instance, profile = parse_pabulib(str(path))
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes":
        out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes-add1":
        out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    elif rule == "borda":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=BordaCostSat)
    else:
        raise ValueError(rule)
    return sorted(p.name for p in out)


def linli_selection(path, rule):
    res = subprocess.run(
        [LINLI, "--json", "pabulib", "tally", str(path), "--rule", rule],
        capture_output=True, text=True, check=True,
    )
    return sorted(json.loads(res.stdout)["selected"])


def meta(path):
    out = {}
    section = None
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip().upper() in ("META", "PROJECTS", "VOTES"):
            section = line.strip().upper()
            continue
        if section == "META" and ";" in line:
            k, v = line.split(";", 1)
            out[k.strip().lower()] = v.strip()
    return out


def rules_for(path):
    vote_type = meta(path).get("vote_type", "approval")
    if vote_type in ("approval", "choose-1"):
        return ["greedy", "mes", "mes-add1"]
    if vote_type == "ordinal":
        return ["greedy", "borda"]
    return []


# pabutools' iterated MES on thousands of voters takes minutes; those files are checked against the
# city's own outcome and on the random instances instead.
SLOW_IN_PABUTOOLS = {("Poland_Swiecie_2023.pb", "mes-add1"), ("Poland_Wieliczka_2023_Green_Budget.pb", "mes-add1")}

CASES = [(f, r) for f in FILES for r in rules_for(f) if (f.name, r) not in SLOW_IN_PABUTOOLS]


@pytest.mark.parametrize("path,rule", CASES, ids=[f"{f.stem}-{r}" for f, r in CASES])
def test_real_instance_matches_pabutools(path, rule):
    assert linli_selection(path, rule) == pabutools_selection(path, rule)


CITY = []
for f in FILES:
    m = meta(f)
    if m.get("rule") in ("greedy", "equalshares/add1"):
        CITY.append(f)


@pytest.mark.parametrize("path", CITY, ids=[f.stem for f in CITY])
def test_city_outcome_is_reproduced(path):
    text = path.read_text(encoding="utf-8").splitlines()
    start = [i for i, l in enumerate(text) if l.strip().upper() == "PROJECTS"][0]
    cols = [c.strip().lower() for c in text[start + 1].split(";")]
    if "selected" not in cols:
        pytest.skip("no selected column")
    sel = set()
    for line in text[start + 2:]:
        if line.strip().upper() == "VOTES":
            break
        parts = line.split(";")
        if parts[cols.index("selected")].strip() == "1":
            sel.add(parts[cols.index("project_id")].strip())
    rule = {"greedy": "greedy", "equalshares/add1": "mes-add1"}[meta(path)["rule"]]
    assert set(linli_selection(path, rule)) == sel


def random_instance(rng, ordinal):
    n_projects = rng.randint(2, 12)
    # Few distinct costs and few ballot shapes make ties common.
    cost_pool = rng.sample([5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100], k=rng.randint(1, 4))
    costs = [rng.choice(cost_pool) for _ in range(n_projects)]
    total = sum(costs)
    budget = max(1, int(total * rng.uniform(0.15, 1.1)))
    n_voters = rng.randint(1, 60)
    shapes = []
    for _ in range(rng.randint(1, 6)):
        k = rng.randint(0 if not ordinal else 1, min(n_projects, rng.randint(1, 6)))
        shapes.append(rng.sample(range(n_projects), k))
    lines = ["META", "key;value", "description;random", f"num_projects;{n_projects}",
             f"num_votes;{n_voters}", f"budget;{budget}",
             f"vote_type;{'ordinal' if ordinal else 'approval'}", "PROJECTS", "project_id;cost"]
    names = [str(rng.choice([i, i + 10, i + 100])) + ("" if rng.random() < 0.7 else "a") for i in range(n_projects)]
    names = [f"{n}_{i}" if names.count(n) > 1 else n for i, n in enumerate(names)]
    for name, cost in zip(names, costs):
        lines.append(f"{name};{cost}")
    lines += ["VOTES", "voter_id;vote"]
    for v in range(n_voters):
        ballot = rng.choice(shapes)
        lines.append(f"{v};{','.join(names[p] for p in ballot)}")
    return "\n".join(lines) + "\n"


RANDOM_CASES = [(seed, rule) for seed in range(RANDOM_INSTANCES) for rule in ("greedy", "mes", "mes-add1")]
RANDOM_CASES += [(seed, "borda") for seed in range(RANDOM_INSTANCES // 4)]


@pytest.mark.parametrize("seed,rule", RANDOM_CASES, ids=[f"seed{s}-{r}" for s, r in RANDOM_CASES])
def test_random_instance_matches_pabutools(seed, rule, tmp_path):
    rng = random.Random(seed * 7919 + (1 if rule == "borda" else 0))
    path = tmp_path / f"r{seed}.pb"
    path.write_text(random_instance(rng, ordinal=(rule == "borda")), encoding="utf-8")
    assert linli_selection(path, rule) == pabutools_selection(path, rule), path.read_text()
