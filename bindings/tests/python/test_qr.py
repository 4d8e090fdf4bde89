"""QR codes drawn by the core and read back by an independent decoder (ZXing, from PyPI's
`zxing-cpp`): the invite a cadre shows, the key a phone shows, and the chunks of an offline
ballot, scanned from images. The chunks are filmed through a simulated phone camera
(camera.py) at the size docs/sync.md §QR codes measured.
"""

import random

import pytest

from camera import draw, film, random_bytes, read
from linli import (
    ChunkCollector, CyclePhase, Device, Language, LinliError, MemberRole, NewCycle, NewMember,
    ReviewOutcome, ScannedCode, bundle_to_chunks, chunk_to_text, qr_code, qr_svg, read_scanned,
)
from test_linli import proposal, sync

pytest.importorskip("zxingcpp")


def scan(text, module_px=4):
    """The text as a code on a screen, read back by ZXing: exactly one code, its text."""
    [got] = read(draw(qr_code(text), module_px))
    return got


def test_an_invite_and_a_key_travel_as_qr_codes_and_a_phone_joins_by_them(tmp_path):
    cadre = Device.open(str(tmp_path / "cadre.db"), None)
    phone = Device.open(str(tmp_path / "phone.db"), None)
    for d in (cadre, phone):
        d.set_language(Language.EN)
    cycle = cadre.create_cycle(NewCycle(
        community="玉林社区", year=2026, title="测试", budget_pool_fen=30_000_000, min_picks=1,
        max_picks=2, rule="greedy", founder_name="李书记", satisfaction_threshold_pct=80,
        min_ratings=2,
    ))
    # The cadre's tablet shows the invite; the phone's camera reads it.
    invite = cadre.invite(cycle)
    scanned = read_scanned(scan(invite))
    assert scanned == ScannedCode.INVITE(invite=invite, cycle_id=cycle)
    assert phone.join(scanned.invite) == cycle
    # The phone shows its key; the tablet's camera reads it and the cadre registers it.
    scanned = read_scanned(scan(phone.device_key()))
    assert scanned == ScannedCode.DEVICE_KEY(key=phone.device_key())
    cadre.register_member(cycle, NewMember(
        display_name="王阿姨", device_key=scanned.key, roles=[MemberRole.RESIDENT],
        age_15_plus=True, attestation="当面核验", member_id=None,
    ))
    sync(cadre, phone, cycle)
    assert phone.summary(cycle).members == 2
    assert qr_code(invite).version <= 10 and qr_code(phone.device_key()).version <= 5


def test_an_offline_ballot_is_filmed_chunk_by_chunk_and_counted(tmp_path):
    cadre = Device.open(str(tmp_path / "cadre.db"), None)
    phone = Device.open(str(tmp_path / "phone.db"), None)
    cycle = cadre.create_cycle(NewCycle(
        community="玉林社区", year=2026, title="测试", budget_pool_fen=30_000_000, min_picks=1,
        max_picks=2, rule="greedy", founder_name="李书记", satisfaction_threshold_pct=80,
        min_ratings=2,
    ))
    phone.join(cadre.invite(cycle))
    cadre.register_member(cycle, NewMember(
        display_name="王阿姨", device_key=phone.device_key(), roles=[MemberRole.RESIDENT],
        age_15_plus=True, attestation="当面核验", member_id=None,
    ))
    cadre.advance_phase(cycle, CyclePhase.PROPOSALS, "")
    ids = [cadre.enter_paper_proposal(cycle, proposal(f"项目{i}", 1_000_000), "张爷爷") for i in range(2)]
    cadre.advance_phase(cycle, CyclePhase.DELIBERATION, "")
    for p in ids:
        cadre.review(cycle, p, ReviewOutcome.SHORTLIST(), "可行")
    cadre.advance_phase(cycle, CyclePhase.VOTING, "")
    sync(cadre, phone, cycle)
    phone.vote(cycle, ids)
    # No network: what the tablet lacks leaves the phone as QR codes, filmed in any order.
    chunks = bundle_to_chunks(phone.export_bundle_for(cycle, cadre.device_key()))
    assert all(len(c) <= 400 for c in chunks)
    texts = [chunk_to_text(c) for c in chunks]
    assert all(qr_code(t).version <= 15 for t in texts)
    collector = ChunkCollector()
    rng = random.Random(7)
    for text in reversed(texts):
        [seen] = read(film(qr_code(text), 230, rng))
        assert read_scanned(seen) == ScannedCode.CHUNK(chunk=chunks[texts.index(text)])
        status = collector.add_text(seen)
    assert status.complete
    assert cadre.import_bundle(cycle, collector.bundle()).new_records >= 1
    assert cadre.summary(cycle).voters == 1
    # Text that is not a chunk changes nothing.
    with pytest.raises(LinliError.InvalidInput):
        collector.add_text(cadre.invite(cycle))
    assert read_scanned("https://example.org/") == ScannedCode.OTHER()


def test_a_full_size_chunk_is_read_through_the_camera_at_200_pixels():
    """The figure behind QR_CHUNK_BYTES: a 400-byte chunk's code, 200 camera pixels across."""
    rng = random.Random(11)
    text = chunk_to_text(bundle_to_chunks(random_bytes(3_000, 1))[0])
    code = qr_code(text)
    assert (code.version, code.size) == (15, 77)
    read_back = sum(read(film(code, 200, rng)) == [text] for _ in range(20))
    assert read_back >= 19, read_back


def test_svg_and_too_long_text():
    svg = qr_svg("linli:1:x", 200)
    assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg
    with pytest.raises(LinliError.InvalidInput):
        qr_code("A" * 5_000)
