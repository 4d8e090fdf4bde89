"""The `linli` wheel as a researcher installs it: the package and its shared library come from
site-packages, a device is a context manager, records print and convert to dicts, and every
counting rule runs on Pabulib files, with the same selection as the `linli` command and as
pabutools (the reference implementation) where they are installed.
"""

import dataclasses
import json
import os
import pathlib
import random
import subprocess
import sys

import pytest

import linli
from linli import CountingRule, Device, LinliError, counting_rule_name, counting_rules, read_pabulib

REPO = pathlib.Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "pabulib"
LINLI_BIN = os.environ.get("LINLI_BIN", str(REPO / "target" / "debug" / "linli"))

APPROVAL = """META
key;value
description;a test
country;Nowhere
unit;Test
instance;1
num_projects;3
num_votes;5
budget;10
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
p1;6;3;Ramps;1
p2;5;2;Benches;0
p3;4;2;Lights;1
VOTES
voter_id;vote
v1;p1,p2
v2;p1
v3;p2,p3
v4;p3
v5;p1
"""


def test_the_package_is_the_installed_wheel_with_its_library_inside():
    package = pathlib.Path(linli.__file__).resolve().parent
    assert "site-packages" in package.parts, package
    for source in (REPO / "bindings", REPO / "target" / "bindings", REPO / "target" / "wheel-stage"):
        assert source not in package.parents, "the tests must run against the installed wheel"
    names = {p.name for p in package.iterdir()}
    assert {"__init__.py", "linli_ffi.py", "py.typed"} <= names
    assert any(n.startswith("liblinli_ffi.") or n == "linli_ffi.dll" for n in names)
    assert linli.__version__ == "0.1.0"
    assert "Device" in linli.__all__ and "read_pabulib" in linli.__all__


def test_a_device_is_a_context_manager_that_closes_its_store(tmp_path):
    with Device.open(str(tmp_path / "a.db"), None) as device:
        key = device.device_key()
        assert device.cycles() == []
    with pytest.raises(LinliError.Closed):
        device.cycles()
    # An exception inside the block still closes the store, and is not swallowed.
    with pytest.raises(RuntimeError):
        with Device.open(str(tmp_path / "a.db"), None) as again:
            assert again.device_key() == key
            raise RuntimeError("boom")
    with pytest.raises(LinliError.Closed):
        again.cycles()


def test_records_print_their_fields_and_convert_to_dicts(tmp_path):
    with Device.open(str(tmp_path / "cadre.db"), None) as cadre:
        cycle = cadre.create_cycle(linli.NewCycle(
            community="玉林社区", year=2026, title="测试", budget_pool_fen=30_000_000, min_picks=1,
            max_picks=2, rule="greedy", founder_name="李书记", satisfaction_threshold_pct=80,
            min_ratings=2,
        ))
        summary = cadre.summary(cycle)
        fields = dataclasses.asdict(summary)
        assert fields["pool_fen"] == 30_000_000 and fields["community"] == "玉林社区"
        assert fields["cycle_id"] == cycle and fields["members"] == 1
        assert "pool_fen=30000000" in repr(summary) and "community='玉林社区'" in repr(summary)


def test_every_counting_rule_runs_on_a_pabulib_file(tmp_path):
    path = tmp_path / "approval.pb"
    path.write_text(APPROVAL, encoding="utf-8")
    pb = read_pabulib(path)
    assert (pb.vote_count(), pb.vote_type(), pb.budget(), pb.scale()) == (5, "approval", 10, 1)
    assert [(p.id, p.cost, p.name, p.city_selected) for p in pb.projects()] == [
        ("p1", 6, "Ramps", True), ("p2", 5, "Benches", False), ("p3", 4, "Lights", True)]
    assert pb.city_selection() == ["p1", "p3"]
    assert dict((m.key, m.value) for m in pb.meta())["rule"] == "greedy"
    assert [counting_rule_name(r) for r in counting_rules()] == ["greedy", "mes", "mes-add1", "borda"]
    greedy = pb.count(CountingRule.GREEDY)
    # Approvals 3, 2, 2: p1 first; p2 (5) no longer fits the 4 left, p3 (4) does.
    assert (greedy.selected, greedy.cost, greedy.budget) == (["p1", "p3"], 10, 10)
    assert [(s.project_id, s.score) for s in greedy.scores] == [("p1", 3), ("p2", 2), ("p3", 2)]
    assert dataclasses.asdict(greedy)["rule"] == "greedy"
    # Equal shares: 2 per voter; p1's three voters pay 6 (2 each), p3's two pay 4.
    assert pb.count(CountingRule.MES).selected == ["p1", "p3"]
    assert pb.count(CountingRule.MES_ADD1).selected == ["p1", "p3"]
    with pytest.raises(LinliError.InvalidInput, match="borda"):
        pb.count(CountingRule.BORDA)
    # The same text parses the same, and writes back as a file that reads the same.
    again = linli.PabulibInstance.parse(pb.to_pb())
    assert [p.id for p in again.projects()] == ["p1", "p2", "p3"]
    assert again.count(CountingRule.GREEDY) == greedy


def test_a_malformed_file_names_its_line(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(APPROVAL.replace("p3;4;2", "p3;four;2"), encoding="utf-8")
    with pytest.raises(LinliError.InvalidInput, match="line 16"):
        read_pabulib(bad)
    with pytest.raises(LinliError.InvalidInput, match="vote names unknown project"):
        linli.PabulibInstance.parse(APPROVAL.replace("v4;p3", "v4;p9"))
    with pytest.raises(LinliError.InvalidInput):
        read_pabulib(tmp_path / "missing.pb")


def random_file(seed, vote_type):
    rng = random.Random(seed)
    n = rng.randint(3, 9)
    costs = [rng.randint(1, 20) * 10 for _ in range(n)]
    budget = rng.randint(max(costs), sum(costs))
    lines = ["META", "key;value", "description;random", "country;Nowhere", "unit;Test",
             "instance;1", f"num_projects;{n}", "num_votes;40", f"budget;{budget}",
             f"vote_type;{vote_type}", "PROJECTS", "project_id;cost"]
    lines += [f"{i + 1};{c}" for i, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote"]
    for v in range(40):
        picks = rng.sample(range(1, n + 1), rng.randint(1, n))
        lines.append(f"{v};{','.join(map(str, picks))}")
    return "\n".join(lines) + "\n"


def cli_selection(path, rule):
    out = subprocess.run([LINLI_BIN, "--json", "pabulib", "tally", str(path), "--rule", rule],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["selected"]


def files_to_compare(tmp_path):
    files = sorted(SHARED.glob("*.pb")) if SHARED.is_dir() else []
    for seed in range(30):
        vote_type = "ordinal" if seed % 3 == 0 else "approval"
        path = tmp_path / f"random_{seed}.pb"
        path.write_text(random_file(seed, vote_type), encoding="utf-8")
        files.append(path)
    return files


def rules_for(pb):
    """The rules that fit the file's ballots: Borda needs ranked ones, equal shares approvals."""
    if pb.vote_type() == "ordinal":
        return [CountingRule.GREEDY, CountingRule.BORDA]
    if pb.vote_type() in ("cumulative", "scoring"):
        return [CountingRule.GREEDY]
    return [CountingRule.GREEDY, CountingRule.MES, CountingRule.MES_ADD1]


@pytest.mark.skipif(not pathlib.Path(LINLI_BIN).exists(), reason="the linli command is not built")
def test_the_binding_selects_what_the_command_selects(tmp_path):
    compared = 0
    for path in files_to_compare(tmp_path):
        pb = read_pabulib(path)
        for rule in rules_for(pb):
            name = counting_rule_name(rule)
            assert pb.count(rule).selected == cli_selection(path, name), (path.name, name)
            compared += 1
    assert compared >= 60


def test_the_binding_selects_what_pabutools_selects(tmp_path):
    pytest.importorskip("pabutools")
    sys.path.insert(0, str(REPO / "tests" / "conformance"))
    from test_pabutools import pabutools_selection  # the conformance suite's rule mapping

    compared = 0
    for path in files_to_compare(tmp_path):
        pb = read_pabulib(path)
        if pb.vote_type() not in ("approval", "ordinal"):
            continue
        for rule in rules_for(pb):
            name = counting_rule_name(rule)
            assert sorted(pb.count(rule).selected) == pabutools_selection(path, name), (path.name, name)
            compared += 1
    assert compared >= 60



def test_labels_and_the_satisfaction_gate_come_from_the_core(tmp_path):
    zh = {(l.kind, l.code): l.label for l in linli.labels(linli.Language.ZH)}
    en = {(l.kind, l.code): l.label for l in linli.labels(linli.Language.EN)}
    assert zh.keys() == en.keys()
    assert zh[("phase", "voting")] == "居民投票" and en[("phase", "voting")] == "voting"
    assert zh[("proposal_status", "shortlisted")] == "入选投票"
    assert ("report_kind", "misuse_of_funds") in zh and ("exclusion", "late_ballot") in zh
    assert not [v for v in zh.values() if any("a" <= c.lower() <= "z" for c in v)]
    assert linli.label("late_ballot", linli.Language.ZH) == "迟到选票"
    assert linli.label("from_a_newer_build", linli.Language.ZH) == "from_a_newer_build"
    with Device.open(str(tmp_path / "cadre.db"), None) as cadre:
        cadre.set_language(linli.Language.EN)
        cycle = cadre.create_cycle(linli.NewCycle(
            community="玉林社区", year=2026, title="测试", budget_pool_fen=30_000_000, min_picks=1,
            max_picks=2, rule="greedy", founder_name="李书记", satisfaction_threshold_pct=70,
            min_ratings=3,
        ))
        gate = cadre.satisfaction_gate(cycle)
        assert (gate.threshold_pct, gate.strictly_above, gate.min_ratings) == (70, True, 3)
        assert gate.label == "final payment withheld until over 70% are satisfied"
        assert {(l.kind, l.code) for l in cadre.labels()} == en.keys()
        cadre.set_language(linli.Language.ZH)
        assert cadre.satisfaction_gate(cycle).label == "满意度超过 70% 前暂缓拨付尾款"


@pytest.mark.skipif(not pathlib.Path(LINLI_BIN).exists(), reason="the linli command is not built")
def test_a_file_at_the_top_of_the_range_counts_as_the_command_does(tmp_path):
    """20,000 voters and 500 projects (the documented top of a cycle), every approval rule."""
    rng = random.Random(20_000)
    costs = [rng.randint(10, 400) * 1_000 for _ in range(500)]
    lines = ["META", "key;value", "description;top of the range", "country;Nowhere", "unit;Test",
             "instance;1", "num_projects;500", "num_votes;20000", "budget;3000000",
             "vote_type;approval", "PROJECTS", "project_id;cost"]
    lines += [f"{i + 1};{c}" for i, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote"]
    for v in range(20_000):
        picks = rng.sample(range(1, 501), rng.randint(1, 5))
        lines.append(f"{v};{','.join(map(str, picks))}")
    path = tmp_path / "top.pb"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pb = read_pabulib(path)
    assert (pb.vote_count(), len(pb.projects())) == (20_000, 500)
    for rule in rules_for(pb):
        outcome = pb.count(rule)
        assert outcome.cost <= outcome.budget and outcome.selected
        assert outcome.selected == cli_selection(path, counting_rule_name(rule)), counting_rule_name(rule)
