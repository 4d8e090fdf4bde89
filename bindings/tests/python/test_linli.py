"""The installed `linli` package driving a whole cycle.

Runs against the wheel installed in a virtualenv (bindings/python/build_wheel.sh, then
`pip install`; CI does both in a fresh one), never against a folder on `sys.path`.
"""

import threading
import time
import uuid

import pytest

from linli import (
    BudgetLineInput, ChunkCollector, CyclePhase, Device, Language, LinliError, MemberRole, NewCycle,
    NewMember, NewProposal, ProposalCategory, ReviewOutcome, SecureKeyStore, SyncListener,
    SyncOptions, bundle_to_chunks,
)


class MemoryKeys(SecureKeyStore):
    """What an app's Keystore/Keychain adapter does: keep the seed somewhere safe."""

    def __init__(self):
        self.seed = None
        self.stores = 0

    def load_seed(self):
        return self.seed

    def store_seed(self, seed):
        self.seed = seed
        self.stores += 1


def proposal(title, fen, description="说明"):
    return NewProposal(
        title=title, description=description, category=ProposalCategory.ELDERLY_CARE, location="3栋",
        target_group="老人", needs_assessment="走访", goals=["方便出行"], steps=["施工"], risks=[],
        budget_lines=[BudgetLineInput(item="材料", amount_fen=fen)],
    )


def sync(a, b, cycle):
    b.import_bundle(cycle, a.export_bundle(cycle))
    a.import_bundle(cycle, b.export_bundle(cycle))


def open_voting_on_two_paper_proposals(cadre, phone, cycle_id):
    """Two paper proposals entered, shortlisted, voting open, and the phone synced. Their ids."""
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "")
    a = cadre.enter_paper_proposal(cycle_id, proposal("加装电梯扶手", 8_000_000), "王奶奶")
    b = cadre.enter_paper_proposal(cycle_id, proposal("夜间照明", 5_000_000), "张爷爷")
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "")
    for p in (a, b):
        cadre.review(cycle_id, p, ReviewOutcome.SHORTLIST(), "可行")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "")
    sync(cadre, phone, cycle_id)
    return a, b


@pytest.fixture()
def cycle(tmp_path):
    keys = MemoryKeys()
    cadre = Device.open(str(tmp_path / "cadre.db"), None)
    residents = [Device.open(str(tmp_path / "r0.db"), keys)] + [Device.open(str(tmp_path / f"r{i}.db"), None) for i in (1, 2)]
    for d in [cadre, *residents]:
        d.set_language(Language.EN)
    cycle_id = cadre.create_cycle(NewCycle(
        community="玉林社区", year=2026, title="测试", budget_pool_fen=30_000_000, min_picks=1, max_picks=2,
        rule="greedy", founder_name="李书记", satisfaction_threshold_pct=80, min_ratings=2,
    ))
    invite = cadre.invite(cycle_id)
    for i, r in enumerate(residents):
        assert r.join(invite) == cycle_id
        cadre.register_member(cycle_id, NewMember(
            display_name=f"居民{i}", device_key=r.device_key(), roles=[MemberRole.RESIDENT],
            age_15_plus=True, attestation="当面核验", member_id=None,
        ))
        sync(cadre, r, cycle_id)
    assert keys.stores == 1 and len(keys.seed) == 32
    return cadre, residents, cycle_id


def test_a_whole_cycle_on_three_devices_gives_one_verified_tally(cycle):
    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "开始征集")
    for r in residents:
        sync(cadre, r, cycle_id)
    lift = residents[0].propose(cycle_id, proposal("加装电梯扶手", 8_000_000))
    lights = residents[1].propose(cycle_id, proposal("夜间照明", 5_000_000))
    paper = cadre.enter_paper_proposal(cycle_id, proposal("院坝座椅", 1_500_000), "王奶奶")
    for r in residents:
        sync(r, cadre, cycle_id)
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "")
    for p in (lift, lights, paper):
        cadre.review(cycle_id, p, ReviewOutcome.SHORTLIST(), "可行")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "")
    for r in residents:
        sync(cadre, r, cycle_id)
    residents[0].vote(cycle_id, [lift, paper])
    residents[1].vote(cycle_id, [lights])
    residents[1].vote(cycle_id, [lift])  # changed their mind
    residents[2].vote(cycle_id, [lift, lights])
    for r in residents:
        sync(r, cadre, cycle_id)
    cadre.seal_vote(cycle_id, "封票")
    for r in residents:
        sync(cadre, r, cycle_id)
    reports = [d.verify(cycle_id) for d in (cadre, *residents)]
    for rep in reports:
        assert rep.matches_device_state
        assert rep.seal_id == reports[0].seal_id
        assert [(x.proposal_id, x.score, x.selected) for x in rep.result] == [(x.proposal_id, x.score, x.selected) for x in reports[0].result]
    scores = {x.proposal_id: x.score for x in reports[0].result}
    assert scores == {lift: 3, lights: 1, paper: 1}
    assert [b.code for b in reports[0].excluded_ballots] == ["superseded"]
    assert [(c.code, c.count) for c in reports[0].not_counted] == [("superseded", 1)]
    assert reports[0].lacking_records == [] and reports[0].cherry_picked_releases == []
    assert reports[0].tie_break == "lower_cost_then_lot" and reports[0].min_support == 1
    assert residents[1].my_ballot(cycle_id).choices == [lift]
    summary = residents[2].summary(cycle_id)
    assert (summary.sealed, summary.sealed_ballots, summary.voters) == (True, 3, 3)
    assert [p.title for p in cadre.proposals(cycle_id, "照明", None)] == ["夜间照明"]
    on_behalf = [p.on_behalf_of for p in cadre.proposals(cycle_id, None, None) if p.id == paper]
    assert on_behalf == ["王奶奶"]
    # The detail screen: the whole content, on any device.
    detail = residents[2].proposal(cycle_id, lift)
    assert (detail.item.title, detail.item.votes, detail.description, detail.location) == ("加装电梯扶手", 3, "说明", "3栋")
    assert (detail.goals, detail.steps, detail.risks) == (["方便出行"], ["施工"], [])
    assert [(b.item, b.amount_fen) for b in detail.budget_lines] == [("材料", 8_000_000)]
    assert detail.attachments == [] and detail.revisions == 0 and detail.submitted_at.startswith("20")
    assert detail.author_id == [m.id for m in cadre.members(cycle_id) if m.display_name == "居民0"][0]
    assert cadre.proposal(cycle_id, paper).item.on_behalf_of == "王奶奶"
    assert residents[2].proposal(cycle_id, str(uuid.uuid4())) is None
    with pytest.raises(LinliError.InvalidInput):
        residents[2].proposal(cycle_id, "不是编号")


def test_bad_input_gets_a_typed_error_and_changes_nothing(cycle):
    cadre, residents, cycle_id = cycle
    r = residents[0]
    before = r.summary(cycle_id)
    with pytest.raises(LinliError.Rejected) as e:
        r.vote(cycle_id, [cycle_id])
    assert e.value.code == "wrong_phase"
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "")
    sync(cadre, r, cycle_id)
    cases = [
        (proposal("", 1000), "text_empty"),
        (proposal("长" * 40_000, 1000), "text_too_long"),
        (proposal("负数", -5), "invalid_amount"),
        (proposal("超预算", 30_000_001), "over_budget"),
    ]
    for p, code in cases:
        with pytest.raises(LinliError.Rejected) as e:
            r.propose(cycle_id, p)
        assert e.value.code == code, (code, e.value)
    overflow = proposal("溢出", 1)
    overflow.budget_lines = [BudgetLineInput(item="a", amount_fen=2**63 - 1), BudgetLineInput(item="b", amount_fen=2**63 - 1)]
    with pytest.raises(LinliError.Rejected):
        r.propose(cycle_id, overflow)
    with pytest.raises(LinliError.InvalidInput):
        r.vote(cycle_id, ["not-an-id"])
    with pytest.raises(LinliError.InvalidInput):
        r.import_bundle(cycle_id, b"LNLB\x01garbage")
    with pytest.raises(LinliError.InvalidInput):
        r.join("linli:1:nonsense")
    with pytest.raises(LinliError.UnknownCycle):
        r.summary("0190b9a4-0000-7000-8000-000000000000")
    # Reviews belong to deliberation: the phase is checked before the role.
    with pytest.raises(LinliError.Rejected) as e:
        r.review(cycle_id, cycle_id, ReviewOutcome.REJECT(), "no")
    assert e.value.code == "wrong_phase"
    # Nothing refused was stored: the resident's device holds exactly the cadre's records.
    after = r.summary(cycle_id)
    assert (after.records, after.proposals, after.invalid) == (cadre.summary(cycle_id).records, 0, 0)
    assert before.invalid == 0
    r.close_store()
    with pytest.raises(LinliError.Closed):
        r.summary(cycle_id)


def test_concurrent_calls_from_threads(cycle):
    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "")
    r = residents[0]
    sync(cadre, r, cycle_id)
    errors = []

    def work(t):
        try:
            for i in range(5):
                r.propose(cycle_id, proposal(f"线程{t}-{i}", 1000 + i))
                r.proposals(cycle_id, None, None)
                r.summary(cycle_id)
        except Exception as ex:  # pragma: no cover - the assertion below reports it
            errors.append(ex)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert r.summary(cycle_id).proposals == 20
    # Two threads racing to vote for the same resident: both calls succeed, one ballot remains.
    sync(r, cadre, cycle_id)
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "")
    every = [p.id for p in cadre.proposals(cycle_id, None, None)]
    ids = every[:2]
    for p in ids:
        cadre.review(cycle_id, p, ReviewOutcome.SHORTLIST(), "ok")
    # Every proposal gets feedback before the vote opens; the core names those still waiting.
    with pytest.raises(LinliError.Rejected) as waiting:
        cadre.advance_phase(cycle_id, CyclePhase.VOTING, "")
    assert waiting.value.code == "awaiting_review"
    for p in every[2:]:
        cadre.review(cycle_id, p, ReviewOutcome.REJECT(), "与其他提案重复")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "")
    sync(cadre, r, cycle_id)
    racers = [threading.Thread(target=lambda p=p: r.vote(cycle_id, [p])) for p in ids]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    assert r.my_ballot(cycle_id).choices[0] in ids
    assert r.summary(cycle_id).voters == 1


def test_after_the_vote_tender_monitoring_ratings_and_the_satisfaction_gate(cycle, tmp_path):
    from linli import InstalmentInput, MonitoringKind, Photo
    cadre, residents, cycle_id = cycle
    council = Device.open(str(tmp_path / "council.db"), None)
    builder = Device.open(str(tmp_path / "builder.db"), None)
    for d, roles in ((council, [MemberRole.COUNCIL, MemberRole.RESIDENT]), (builder, [MemberRole.CONTRACTOR])):
        d.join(cadre.invite(cycle_id))
        cadre.register_member(cycle_id, NewMember(display_name="x", device_key=d.device_key(), roles=roles,
                                                  age_15_plus=True, attestation="当面核验", member_id=None))
    everyone = [*residents, council, builder]

    def sync_all():
        for _ in range(2):
            for d in everyone:
                sync(cadre, d, cycle_id)

    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "")
    sync_all()
    lights = residents[0].propose(cycle_id, proposal("夜间照明", 6_000_000))
    sync_all()
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "")
    cadre.review(cycle_id, lights, ReviewOutcome.SHORTLIST(), "可行")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "")
    sync_all()
    for r in residents:
        r.vote(cycle_id, [lights])
    sync_all()
    cadre.seal_vote(cycle_id, "封票")
    cadre.advance_phase(cycle_id, CyclePhase.RESOLUTION, "")
    sync_all()
    council.resolve_as_sealed(cycle_id, "按投票结果资助")
    sync_all()
    cadre.advance_phase(cycle_id, CyclePhase.TENDER, "")
    closes = int(time.time()) + 2
    tender = cadre.open_tender(cycle_id, lights, 6_000_000, closes, "按提案实施")
    sync_all()
    with pytest.raises(LinliError.Rejected) as e:
        builder.bid(cycle_id, tender, 7_000_000, "贵", 30)
    assert e.value.code == "over_budget"
    sealed = builder.bid(cycle_id, tender, 5_000_000, "两周完工", 14)
    sync_all()
    # The bid is sealed: nobody reads it, and the award waits for bidding to close and the bid
    # to be opened.
    plan = "两周完工".encode()
    assert plan not in residents[0].export_bundle(cycle_id)
    with pytest.raises(LinliError.Rejected) as e:
        cadre.award(cycle_id, tender, sealed, "报价最低")
    assert e.value.code in ("rule_violation", "unknown_reference")
    with pytest.raises(LinliError.Rejected) as e:
        cadre.close_bids(cycle_id, tender)
    assert e.value.code == "rule_violation"
    time.sleep(max(0.0, closes - time.time()) + 0.05)
    cadre.close_bids(cycle_id, tender)
    sync_all()
    with pytest.raises(LinliError.Rejected):
        builder.open_bid(cycle_id, tender, 4_000_000, "两周完工", 14)
    bid = builder.open_bid(cycle_id, tender, 5_000_000, "两周完工", 14)
    sync_all()
    assert plan in residents[0].export_bundle(cycle_id), "once opened, every resident sees the bid"
    award = cadre.award(cycle_id, tender, bid, "报价最低")
    cadre.schedule_instalments(cycle_id, award, [
        InstalmentInput(label="预付款", amount_fen=1_500_000, requires_satisfaction=False),
        InstalmentInput(label="尾款", amount_fen=3_500_000, requires_satisfaction=True),
    ])
    cadre.advance_phase(cycle_id, CyclePhase.IMPLEMENTATION, "")
    cadre.release_next_instalment(cycle_id, lights, "预付款")
    sync_all()
    photo = Photo(bytes=b"\xff\xd8jpeg-bytes", mime="image/jpeg", name="crack.jpg")
    report = residents[1].monitor(cycle_id, lights, MonitoringKind.POOR_QUALITY, "灯杆歪了", photo)
    builder.report_progress(cycle_id, lights, "安装完成", 100, None)
    builder.report_completion(cycle_id, lights, "完工", None)
    sync_all()
    cadre.respond(cycle_id, report, "已要求返工")
    cadre.advance_phase(cycle_id, CyclePhase.EVALUATION, "")
    sync_all()
    reports = cadre.reports(cycle_id, lights)
    assert [(r.kind, r.photos, r.responses) for r in reports] == [("poor_quality", 1, 1)]
    import hashlib
    assert residents[1].blob(hashlib.sha256(photo.bytes).hexdigest()) == photo.bytes
    # One bad rating out of two is below 80 %: the final payment is refused.
    residents[0].rate(cycle_id, lights, 5, "亮了")
    # Claimed times have millisecond precision, and the timeline orders records signed in the
    # same millisecond by key: apart by 2 ms, the two ratings keep the order they were given in.
    time.sleep(0.002)
    residents[1].rate(cycle_id, lights, 2, "歪的")
    sync_all()
    with pytest.raises(LinliError.Rejected) as e:
        cadre.release_next_instalment(cycle_id, lights, "尾款")
    assert e.value.code == "satisfaction_not_met"
    with pytest.raises(LinliError.Rejected):
        residents[2].rate(cycle_id, lights, 6, "")
    # After the rework, the resident changes their rating: now the gate opens.
    residents[1].rate(cycle_id, lights, 4, "修好了")
    sync_all()
    cadre.release_next_instalment(cycle_id, lights, "尾款")
    sync_all()
    (project,) = residents[2].projects(cycle_id)
    assert (project.contract_fen, project.ratings, project.good_ratings, project.satisfied) == (5_000_000, 2, 2, True)
    assert [p.released for p in project.payments] == [True, True]
    assert {m.display_name for m in cadre.members(cycle_id)} >= {"李书记", "居民0"}
    # The project's timeline, as any resident's phone shows it: every step in order, with amounts.
    timeline = residents[2].timeline(cycle_id, lights)
    kinds = [e.kind for e in timeline]
    assert kinds[:11] == ["proposal", "review", "seal", "resolution", "tender", "sealed_bid",
                          "bid_closing", "bid_opening", "award", "instalment_schedule",
                          "payment_release"], kinds
    assert kinds.count("rating") == 3 and kinds[-1] == "payment_release", kinds
    assert {"monitoring_report", "report_response", "progress_update", "completion_report"} <= set(kinds)
    assert "ballot" not in kinds
    assert [e.amount_fen for e in timeline if e.kind == "payment_release"] == [1_500_000, 3_500_000]
    assert timeline[0].actor_name == "居民0" and "夜间照明" in timeline[0].text
    assert [e.stars for e in timeline if e.kind == "rating"] == [5, 2, 4]
    residents[2].set_language(Language.EN)
    assert residents[2].timeline(cycle_id, lights)[-1].text == "instalment 2 released (on 2 ratings)"
    assert residents[2].timeline(cycle_id, str(uuid.uuid4())) == []
    with pytest.raises(LinliError.InvalidInput):
        residents[2].timeline(cycle_id, "not-an-id")


def test_the_app_observes_every_committed_change(cycle):
    from linli import ChangeObserver

    class Seen(ChangeObserver):
        def __init__(self):
            self.changes = []

        def on_change(self, change):
            self.changes.append((change.source, change.records))

    cadre, residents, cycle_id = cycle
    seen = Seen()
    residents[0].set_observer(seen)
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "")
    residents[0].import_bundle(cycle_id, cadre.export_bundle(cycle_id))
    residents[0].propose(cycle_id, proposal("路灯", 1000))
    with pytest.raises(LinliError.Rejected):
        residents[0].propose(cycle_id, proposal("", 1000))  # refused: no change, no call
    residents[0].import_bundle(cycle_id, cadre.export_bundle(cycle_id))  # nothing new: no call
    assert seen.changes == [("import", 3), ("action", 1)]
    residents[0].set_observer(None)
    residents[0].propose(cycle_id, proposal("座椅", 1000))
    assert len(seen.changes) == 2


def session(a, b, peer_hint=None):
    """Carries one sync session's messages between two devices, as an app would over any link."""
    initiator = a.sync_initiate(SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=peer_hint))
    responder = b.sync_accept(SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None))
    message = initiator.start()
    while True:
        reply = responder.receive(message)
        if reply is None:
            break
        message = initiator.receive(reply)
        if message is None:
            break
    assert initiator.is_finished() and responder.is_finished()
    assert initiator.peer_key() == b.device_key()
    return initiator.progress()


def test_sync_sessions_bring_two_devices_to_one_sealed_tally(cycle):
    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "开始征集")
    for r in residents:
        session(r, cadre)
    ids = [residents[i].propose(cycle_id, proposal(f"项目{i}", 2_000_000)) for i in range(3)]
    for r in residents:
        session(r, cadre)
        session(r, cadre)
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "圆桌")
    # At the roundtable two residents type the notes together, offline, and merge by session.
    draft = residents[0].notes_open(cycle_id, "第一桌")
    assert residents[0].notes_edit(cycle_id, draft, 0, 0, "大家同意加装扶手。") == "大家同意加装扶手。"
    session(residents[0], cadre)
    session(residents[1], cadre)
    residents[0].notes_edit(cycle_id, draft, 9, 0, "下周开工。")
    residents[1].notes_edit(cycle_id, draft, 0, 2, "全体")
    progress = [session(r, cadre) for r in (residents[0], residents[1], residents[0])]
    assert [p.notes_changed for p in progress] == [False, True, True], progress
    for d in (cadre, residents[0], residents[1]):
        (notes,) = d.notes(cycle_id)
        assert (notes.topic, notes.text) == ("第一桌", "全体同意加装扶手。下周开工。")
    with pytest.raises(LinliError.Rejected):
        residents[0].notes_edit(cycle_id, draft, 999, 0, "x")
    for pid in ids:
        cadre.review(cycle_id, pid, ReviewOutcome.SHORTLIST(), "符合要求")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "投票")
    for r in residents:
        session(r, cadre, cadre.device_key())
    residents[0].vote(cycle_id, [ids[0]])
    residents[1].vote(cycle_id, [ids[0], ids[1]])
    # A new ballot between devices that met before: one round trip, compact, under a KiB.
    p = session(residents[0], cadre, cadre.device_key())
    assert p.messages_received == 1 and p.resumed, p
    assert p.bytes_sent + p.bytes_received < 1024, p
    # The second phone sends its ballot and gets the first one's.
    assert session(residents[1], cadre, cadre.device_key()).records_received == 1
    cadre.seal_vote(cycle_id, "封存")
    for r in residents:
        session(r, cadre, cadre.device_key())
    reports = [d.verify(cycle_id) for d in [cadre, *residents]]
    tallies = {tuple((x.proposal_id, x.score, x.selected) for x in rep.result) for rep in reports}
    assert len(tallies) == 1, "one sealed tally everywhere"
    assert {x.proposal_id: x.score for x in reports[0].result} == {ids[0]: 2, ids[1]: 1, ids[2]: 0}
    assert all(rep.matches_device_state for rep in reports)
    assert len({rep.seal_id for rep in reports}) == 1


def test_a_bad_sync_message_is_a_typed_error_and_the_session_goes_on(cycle):
    cadre, residents, cycle_id = cycle
    initiator = residents[0].sync_initiate(SyncOptions(cycle_ids=[cycle_id], max_blob_bytes=None, peer_key=None))
    responder = cadre.sync_accept(SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None))
    first = initiator.start()
    assert initiator.start() is None, "the first message is handed out once"
    for bad, code in [(b"", "sync_truncated"), (b"XXXX" + first[4:], "sync_bad_magic"),
                      (first[:-3], "sync_truncated"), (first[:4] + b"\x09" + first[5:], "sync_version")]:
        with pytest.raises(LinliError.Sync) as e:
            responder.receive(bad)
        assert e.value.code == code, (code, e.value)
    reply = responder.receive(first)
    assert reply is not None
    while reply is not None:
        nxt = initiator.receive(reply)
        reply = responder.receive(nxt) if nxt is not None else None
    assert initiator.is_finished()
    with pytest.raises(LinliError.InvalidInput):
        residents[0].sync_initiate(SyncOptions(cycle_ids=["不是编号"], max_blob_bytes=None, peer_key=None))
    with pytest.raises(LinliError.InvalidInput):
        residents[0].sync_initiate(SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key="zz"))


class Progress(SyncListener):
    def __init__(self):
        self.seen = []

    def on_progress(self, progress):
        self.seen.append(progress)


def test_phones_sync_with_a_tablet_over_the_lan_at_once(cycle):
    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "开始征集")
    server = cadre.serve("127.0.0.1:0")
    try:
        listeners = [Progress() for _ in residents]
        errors = []

        def phone(i):
            try:
                r, opts = residents[i], SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None)
                r.sync_with(server.address(), opts, None)  # learns that proposals are open
                r.propose(cycle_id, proposal(f"局域网{i}", 1_000_000))
                r.sync_with(server.address(), opts, listeners[i])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=phone, args=(i,)) for i in range(len(residents))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert all(l.seen and l.seen[-1].finished for l in listeners)
        for r in residents:
            r.sync_with(server.address(), SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None), None)
            # The phone remembers who answered there (for resuming, or a bundle when offline).
            assert r.remembered_peer(server.address()) == cadre.device_key()
            assert [c.cycle_id for c in r.cycles()] == [cycle_id]
        assert residents[0].remembered_peer("10.0.0.1:7878") is None
        # The server counts a session once it has read the phone's closing message.
        for _ in range(200):
            stats = server.stats()
            if stats.sessions_done == 3 * len(residents):
                break
            time.sleep(0.01)
        assert stats.sessions_done == 3 * len(residents) and stats.sessions_failed == 0, stats
        assert stats.records_received == len(residents), stats
    finally:
        server.stop()
        server.stop()  # idempotent
    titles = {tuple(sorted(p.title for p in d.proposals(cycle_id, None, None))) for d in [cadre, *residents]}
    assert len(titles) == 1 and len(titles.pop()) == 3
    with pytest.raises(LinliError.Sync) as e:
        residents[0].sync_with(server.address(), SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None), None)
    assert e.value.code == "network"


def test_callbacks_that_raise_never_undo_or_crash_anything(cycle, tmp_path):
    from linli import CallbackError, ChangeObserver

    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "开始征集")
    session(residents[0], cadre, cadre.device_key())

    class Broken(ChangeObserver):
        def on_change(self, change):
            raise RuntimeError("the screen is gone")

    # A raising observer does not change the result of a committed action: no retry, no twin.
    residents[0].set_observer(Broken())
    pid = residents[0].propose(cycle_id, proposal("观察者", 1000))
    assert [p.id for p in residents[0].proposals(cycle_id, None, None)] == [pid]

    # A raising listener ends the sync with a typed error.
    class Stop(SyncListener):
        def on_progress(self, progress):
            raise RuntimeError("the user left the screen")

    server = cadre.serve("127.0.0.1:0")
    try:
        with pytest.raises(LinliError.Sync) as e:
            residents[1].sync_with(server.address(), SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None), Stop())
        assert e.value.code == "sync_stopped"
    finally:
        server.stop()

    # A key store that cannot answer now (a locked keychain) stops the open; no new identity.
    class Locked(SecureKeyStore):
        def __init__(self):
            self.stores = 0

        def load_seed(self):
            raise CallbackError.Unavailable("钥匙串已锁定")

        def store_seed(self, seed):
            self.stores += 1

    locked = Locked()
    with pytest.raises(LinliError.KeyStoreUnavailable):
        Device.open(str(tmp_path / "locked.db"), locked)
    assert locked.stores == 0

    class Crashing(SecureKeyStore):
        def load_seed(self):
            raise ValueError("bug in the app")

        def store_seed(self, seed):
            raise ValueError("bug in the app")

    with pytest.raises(LinliError.Storage):
        Device.open(str(tmp_path / "crashing.db"), Crashing())


def test_an_offline_ballot_travels_as_qr_chunks(cycle):
    cadre, residents, cycle_id = cycle
    cadre.advance_phase(cycle_id, CyclePhase.PROPOSALS, "开始征集")
    for r in residents:
        session(r, cadre, cadre.device_key())
    pid = residents[1].propose(cycle_id, proposal("二维码", 1_000_000))
    session(residents[1], cadre, cadre.device_key())
    cadre.advance_phase(cycle_id, CyclePhase.DELIBERATION, "圆桌")
    cadre.review(cycle_id, pid, ReviewOutcome.SHORTLIST(), "可以")
    cadre.advance_phase(cycle_id, CyclePhase.VOTING, "投票")
    session(residents[0], cadre, cadre.device_key())
    residents[0].vote(cycle_id, [pid])
    # No network: only what the tablet lacks, as QR codes, scanned in any order, twice.
    bundle = residents[0].export_bundle_for(cycle_id, cadre.device_key())
    chunks = bundle_to_chunks(bundle)
    assert 1 <= len(chunks) <= 3 and all(len(c) <= 400 for c in chunks)
    big = bundle_to_chunks(residents[0].export_bundle(cycle_id))
    assert len(big) > 1
    collector = ChunkCollector()
    for c in reversed(big + big):
        status = collector.add(c)
    assert status.complete and status.received == status.total == len(big)
    with pytest.raises(LinliError.InvalidInput):
        collector.add(b"LNLC" + bytes(40))
    # The collector says what is left, and a bundle scanned by mistake can be dropped.
    partial = ChunkCollector()
    first = partial.add(big[0])
    assert first.missing == list(range(1, len(big))) and not first.complete
    assert partial.drop_bundle(first.bundle)
    one = ChunkCollector()
    for c in chunks:
        status = one.add(c)
    assert status.complete
    assert cadre.import_bundle(cycle_id, one.bundle()).new_records == 1
    assert cadre.summary(cycle_id).voters == 1
    again = cadre.import_bundle(cycle_id, collector.bundle())
    assert again.new_records == 0 and again.known_records > 0
    with pytest.raises(LinliError.InvalidInput):
        ChunkCollector().bundle()


def test_a_cumulative_cycle_tells_the_ballot_screen_its_rules_and_counts_points(tmp_path):
    from linli import BallotType
    cadre = Device.open(str(tmp_path / "cadre.db"), None)
    phone = Device.open(str(tmp_path / "phone.db"), None)
    cadre.set_language(Language.EN)
    cycle_id = cadre.create_cycle(NewCycle(
        community="玉林社区", year=2026, title="积分投票", budget_pool_fen=30_000_000, min_picks=1, max_picks=3,
        rule="greedy", founder_name="李书记", satisfaction_threshold_pct=80, min_ratings=2,
        ballot=BallotType.CUMULATIVE(points=5),
    ))
    phone.join(cadre.invite(cycle_id))
    cadre.register_member(cycle_id, NewMember(
        display_name="居民", device_key=phone.device_key(), roles=[MemberRole.RESIDENT],
        age_15_plus=True, attestation="当面核验", member_id=None,
    ))
    a, b = open_voting_on_two_paper_proposals(cadre, phone, cycle_id)
    rules = phone.voting_rules(cycle_id)
    assert (rules.ballot, rules.min_picks, rules.max_picks, rules.rule) == (BallotType.CUMULATIVE(points=5), 1, 3, "greedy")
    assert phone.ballot_box(cycle_id).rules() == rules
    # Over the points, or no points at all: typed refusals that change nothing.
    before = phone.summary(cycle_id)
    with pytest.raises(LinliError.Rejected) as e:
        phone.vote_with_points(cycle_id, [a, b], [4, 2])
    assert e.value.code == "rule_violation"
    with pytest.raises(LinliError.Rejected):
        phone.vote(cycle_id, [a])
    assert phone.summary(cycle_id) == before and phone.my_ballot(cycle_id) is None
    phone.vote_with_points(cycle_id, [a, b], [3, 2])
    mine = phone.my_ballot(cycle_id)
    assert (mine.choices, mine.points) == ([a, b], [3, 2])
    box = phone.ballot_box(cycle_id)
    box.vote_with_points([b, a], [4, 1])
    assert (box.my_ballot().choices, box.my_ballot().points) == ([b, a], [4, 1])
    phone.vote_with_points(cycle_id, [a, b], [3, 2])
    sync(phone, cadre, cycle_id)
    votes = {p.id: p.votes for p in cadre.proposals(cycle_id, None, None)}
    assert votes == {a: 3, b: 2}
    with pytest.raises(LinliError.UnknownCycle):
        cadre.voting_rules(str(uuid.uuid4()))


def test_a_cycle_founded_without_a_ballot_type_is_approval(cycle):
    from linli import BallotType
    cadre, residents, cycle_id = cycle
    rules = residents[0].voting_rules(cycle_id)
    assert (rules.ballot, rules.min_picks, rules.max_picks) == (BallotType.APPROVAL(), 1, 2)


def test_the_ballot_box_casts_and_reads_one_cycles_ballot(cycle):
    cadre, residents, cycle_id = cycle
    r = residents[0]
    a, b = open_voting_on_two_paper_proposals(cadre, r, cycle_id)
    box = r.ballot_box(cycle_id)
    assert box.cycle_id() == cycle_id
    assert box.rules() == r.voting_rules(cycle_id)
    assert box.my_ballot() is None
    assert box.vote([a]) is None
    assert box.my_ballot() == r.my_ballot(cycle_id) and box.my_ballot().choices == [a]
    box.vote([b, a])
    assert box.my_ballot().choices == [b, a]
    # Refused ballots: typed errors, the ballot stays as it was.
    with pytest.raises(LinliError.Rejected):
        box.vote([])
    with pytest.raises(LinliError.InvalidInput):
        box.vote(["not-an-id"])
    with pytest.raises(LinliError.Rejected):
        box.vote([str(uuid.uuid4())])
    with pytest.raises(LinliError.Rejected):
        box.vote([a, a])
    with pytest.raises(LinliError.Rejected):
        box.vote_with_points([a], [1])
    assert box.my_ballot().choices == [b, a] and r.summary(cycle_id).voters == 1
    # Boxes of one device, used from several threads at once: one ballot, every call answered.
    errors = []

    def race(p):
        try:
            for _ in range(5):
                r.ballot_box(cycle_id).vote([p])
                box.my_ballot()
        except Exception as ex:  # pragma: no cover - the assertion below reports it
            errors.append(ex)

    racers = [threading.Thread(target=race, args=(p,)) for p in (a, b, a, b)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    assert errors == [] and box.my_ballot().choices[0] in (a, b)
    sync(r, cadre, cycle_id)
    assert cadre.summary(cycle_id).voters == 1
    assert cadre.my_ballot(cycle_id) is None
    with pytest.raises(LinliError.UnknownCycle):
        r.ballot_box(str(uuid.uuid4()))
    with pytest.raises(LinliError.InvalidInput):
        r.ballot_box("")
    r.close_store()
    with pytest.raises(LinliError.Closed):
        box.vote([a])
    with pytest.raises(LinliError.Closed):
        box.my_ballot()


def test_comments_paper_ballots_and_the_funnel_from_an_app(cycle):
    cadre, residents, cycle_id = cycle
    a, b = open_voting_on_two_paper_proposals(cadre, residents[0], cycle_id)
    sync(cadre, residents[1], cycle_id)
    first = residents[0].comment(cycle_id, a, "支持加装扶手", None)
    residents[1].import_bundle(cycle_id, residents[0].export_bundle(cycle_id))
    reply = residents[1].comment(cycle_id, a, "同意", first)
    with pytest.raises(LinliError.Rejected) as e:
        residents[1].comment(cycle_id, a, "长" * 501, None)
    assert e.value.code == "text_too_long"
    with pytest.raises(LinliError.Rejected) as e:
        residents[1].hide_comment(cycle_id, first, "不喜欢")
    assert e.value.code == "missing_role"
    for r in residents[:2]:
        sync(r, cadre, cycle_id)
    cadre.hide_comment(cycle_id, reply, "含个人信息")
    listed = cadre.comments(cycle_id, a)
    assert [(c.text, c.hidden_reason, c.reply_to) for c in listed] == [
        ("支持加装扶手", None, None), ("", "含个人信息", first)]
    assert [p.comments for p in cadre.proposals(cycle_id, None, None) if p.id == a] == [1]
    # Residents 0 and 1 vote by phone; the cadre enters resident 2's paper sheet, and resident
    # 0's sheet is refused because her phone ballot counts.
    residents[0].vote(cycle_id, [a])
    sync(residents[0], cadre, cycle_id)
    members = {m.display_name: m.id for m in cadre.members(cycle_id)}
    cadre.enter_paper_ballot(cycle_id, members["居民2"], "A-0001", [b], [])
    with pytest.raises(LinliError.Rejected) as e:
        cadre.enter_paper_ballot(cycle_id, members["居民0"], "A-0002", [b], [])
    assert e.value.code == "voted_by_phone"
    funnel = cadre.funnel(cycle_id)
    steps = {s.step: (s.total, s.phone, s.paper) for s in funnel.steps}
    assert steps["registered"] == (3, 3, 0)
    assert steps["commented"] == (2, 2, 0)
    assert steps["voted"] == (2, 1, 1)
    assert [s.label for s in funnel.steps][3] == "voted"
    assert (funnel.proposals, funnel.proposals_online) == (2, 0)
    assert funnel.steps[3].bands[-1] == "unknown" and funnel.steps[3].band_counts[-1] == 2
