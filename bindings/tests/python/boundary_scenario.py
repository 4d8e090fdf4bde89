"""The boundary benchmark's scenario through the generated Python module (the same as
bindings/ffi/examples/boundary.rs and bindings/tests/kotlin/BoundaryBench.kt): a cadre's tablet
and one resident's phone, 500 paper proposals shortlisted, voting open, the resident holding
every record. Shared by bench_boundary.py and vote_pages.py; the caller puts the generated
module on `sys.path` first.
"""

from linli_ffi import (
    BudgetLineInput, CyclePhase, Device, MemberRole, NewCycle, NewMember, NewProposal, ProposalCategory, ReviewOutcome,
)


def proposal(i):
    return NewProposal(title=f"提案{i:03} 加装电梯", description="说明", category=ProposalCategory.FACILITIES, location="3栋",
                       target_group="居民", needs_assessment="走访", goals=[], steps=[], risks=[],
                       budget_lines=[BudgetLineInput(item="全部", amount_fen=100_000 + i)])


def voting_resident(d):
    """Opens the two stores in directory `d`; returns (cadre, resident, cycle id, proposal ids)."""
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
    return cadre, resident, cycle, ids
