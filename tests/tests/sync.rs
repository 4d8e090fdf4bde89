//! Sync sessions between devices: resumption, convergence under partitions, blobs, hostile
//! bytes, the LAN endpoint, and a crash in the middle of a sync.

use linli_cli::devices::{Device, meet};
use linli_core::identity::MemoryKeyStore;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::{Genesis, Phase, SatisfactionRule, VotingRules};
use linli_core::record::roll::{Role, RollEntry};
use linli_core::store::{Store, StoreError};
use linli_core::sync::message::Message;
use linli_core::sync::net::{Server, sync_with};
use linli_core::sync::{self, Session, SessionOptions, SyncError};
use linli_core::{Fen, bundle};
use linli_tests::{Fixture, proposal, snapshot};
use proptest::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

fn meet_all(f: &Fixture) {
    for _ in 0..2 {
        for d in f.others() {
            meet(d, &f.cadre).unwrap();
        }
    }
}

#[test]
fn sessions_converge_and_a_new_ballot_takes_one_round_trip_under_a_kib() {
    let f = Fixture::new(4);
    let ids = f.to_voting(3);
    meet_all(&f);
    let r0: &Device = &f.residents[0];
    r0.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    let p = meet(r0, &f.cadre).unwrap();
    assert_eq!(p.messages_received, 1, "one round trip: {p:?}");
    assert!(
        p.resumed,
        "compact hellos from the recorded agreement: {p:?}"
    );
    assert!(p.bytes_sent + p.bytes_received < 1024, "{p:?}");
    let cadre = snapshot(&f.cadre.store, f.cycle);
    assert_eq!(snapshot(&r0.store, f.cycle), cadre);
    // Nothing new: one round trip, a few hundred bytes, nothing received.
    let p = meet(r0, &f.cadre).unwrap();
    assert_eq!((p.messages_received, p.records_received), (1, 0), "{p:?}");
    meet_all(&f);
    for d in f.others() {
        assert_eq!(snapshot(&d.store, f.cycle), cadre);
    }
}

#[test]
fn a_session_cut_before_its_last_message_falls_back_to_comparing_everything() {
    let f = Fixture::new(3);
    let ids = f.to_voting(3);
    meet_all(&f);
    let (r0, r1) = (&f.residents[0], &f.residents[1]);
    r0.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    r1.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[1]])))
        .unwrap();
    meet(r1, &f.cadre).unwrap();
    // r0's session ends on r0's side, but its closing message never reaches the tablet: the two
    // now record different agreements.
    let opts = SessionOptions {
        peer_hint: Some(f.cadre.store.device_key()),
        ..SessionOptions::default()
    };
    let (mut a, mut msg) = Session::initiate(r0.store.clone(), opts.clone()).unwrap();
    let mut b = Session::accept(f.cadre.store.clone(), SessionOptions::default());
    loop {
        let reply = b.receive(&msg).unwrap().expect("the tablet answers");
        msg = a.receive(&reply).unwrap().expect("r0 always replies");
        if a.is_finished() {
            break; // the done message is lost
        }
    }
    assert!(!b.is_finished());
    // A new ballot on the tablet side, then the next meeting: the hello digest no longer matches
    // what the tablet recorded, every document is compared, and both converge.
    r1.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[2]])))
        .unwrap();
    meet(r1, &f.cadre).unwrap();
    let (p, tablet) = sync::sync_pair(&r0.store, &f.cadre.store, opts.clone()).unwrap();
    assert!(!tablet.resumed, "{tablet:?}");
    assert_eq!(tablet.docs_total, 46, "every document compared: {tablet:?}");
    assert_eq!(p.records_received, 1, "{p:?}");
    assert_eq!(
        snapshot(&r0.store, f.cycle),
        snapshot(&f.cadre.store, f.cycle)
    );
    // And the meeting after that is compact again.
    let (p, tablet) = sync::sync_pair(&r0.store, &f.cadre.store, opts).unwrap();
    assert!(p.resumed && tablet.resumed, "{p:?} {tablet:?}");
    assert_eq!((p.messages_received, p.records_received), (1, 0), "{p:?}");
}

// ---------------------------------------------------------------------------------------------
// Convergence: random operations, partitions, pairwise syncs, duplicates, bundles.

#[derive(Debug, Clone)]
enum Op {
    Propose(usize),
    Vote(usize, u8),
    Sync(usize, usize),
    Bundle(usize, usize),
    Replay(usize, usize),
}

fn op(n: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..n).prop_map(Op::Propose),
        (0..n, any::<u8>()).prop_map(|(i, m)| Op::Vote(i, m)),
        (0..n, 0..n).prop_map(|(i, j)| Op::Sync(i, j)),
        (0..n, 0..n).prop_map(|(i, j)| Op::Bundle(i, j)),
        (0..n, 0..n).prop_map(|(i, j)| Op::Replay(i, j)),
    ]
}

struct Net {
    stores: Vec<Arc<Store>>,
    cycle: Uuid,
}

impl Net {
    fn new(n: usize, seed: u8) -> Net {
        let stores: Vec<Arc<Store>> = (0..n)
            .map(|i| {
                let mut k = [seed; 32];
                k[0] = i as u8;
                Arc::new(Store::open_in_memory(&MemoryKeyStore(k)).unwrap())
            })
            .collect();
        let cycle = found_cycle(&stores, 2026, "收敛测试");
        let cadre = &stores[0];
        cadre.advance_phase(cycle, Phase::Proposals, "").unwrap();
        Net { stores, cycle }
    }

    fn sync(&self, i: usize, j: usize) {
        if i != j {
            sync::sync_pair(&self.stores[i], &self.stores[j], hint(&self.stores[j])).unwrap();
        }
    }

    fn apply(&self, op: &Op) {
        match *op {
            Op::Propose(i) => {
                let _ = self.stores[i].submit(
                    self.cycle,
                    Body::Proposal(Box::new(proposal(&format!("提案{i}"), 20_000 + i as i64))),
                );
            }
            Op::Vote(i, mask) => {
                let st = self.stores[i].state(self.cycle).unwrap();
                let mut ids: Vec<Uuid> = st.proposals.keys().copied().collect();
                ids.sort();
                let pick: Vec<Uuid> = ids
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| mask & (1 << (k % 8)) != 0)
                    .map(|(_, id)| *id)
                    .take(3)
                    .collect();
                // Refused locally when the phase or the picks don't allow it: that's fine.
                let _ = self.stores[i].submit(self.cycle, Body::Ballot(Ballot::approve(pick)));
            }
            Op::Sync(i, j) => self.sync(i, j),
            Op::Bundle(i, j) => {
                if i != j {
                    let recs = self.stores[i]
                        .export_for_peer(self.cycle, &self.stores[j].device_key())
                        .unwrap();
                    let b = bundle::encode(self.cycle, &recs);
                    let back = bundle::decode(self.cycle, &b).unwrap();
                    self.stores[j].import(self.cycle, &back).unwrap();
                    // The same bundle twice changes nothing.
                    assert_eq!(self.stores[j].import(self.cycle, &back).unwrap().new, 0);
                }
            }
            Op::Replay(i, j) => {
                if i == j {
                    return;
                }
                // A session whose every message is delivered twice: the duplicate is refused
                // with a typed error, or is harmless.
                let (mut a, mut msg) =
                    Session::initiate(self.stores[i].clone(), hint(&self.stores[j])).unwrap();
                let mut b = Session::accept(self.stores[j].clone(), SessionOptions::default());
                loop {
                    let reply = b.receive(&msg).unwrap();
                    let _ = b.receive(&msg);
                    let Some(reply) = reply else { break };
                    let next = a.receive(&reply).unwrap();
                    let _ = a.receive(&reply);
                    match next {
                        Some(n) => msg = n,
                        None => break,
                    }
                }
            }
        }
    }

    fn advance_to_voting(&self) {
        let cadre = &self.stores[0];
        let st = cadre.state(self.cycle).unwrap();
        if st.phase.0 != Phase::Proposals {
            return;
        }
        let mut ids: Vec<Uuid> = st.proposals.keys().copied().collect();
        ids.sort();
        let phase = |to: Phase| {
            cadre.advance_phase(self.cycle, to, "").unwrap();
        };
        phase(Phase::Deliberation);
        for id in ids {
            cadre
                .submit(
                    self.cycle,
                    Body::Review(linli_core::record::proposal::Review {
                        proposal: id,
                        decision: linli_core::record::proposal::ReviewDecision::Shortlist,
                        reason: "可行".into(),
                        supersedes: None,
                    }),
                )
                .unwrap();
        }
        phase(Phase::Voting);
    }
}

/// A cycle founded by `stores[0]`, every other store registered as a resident and following it.
fn found_cycle(stores: &[Arc<Store>], year: i32, title: &str) -> Uuid {
    let cadre = &stores[0];
    let cycle = cadre
        .create_cycle(Genesis {
            community: "测试社区".into(),
            year,
            title: title.into(),
            budget_pool: Fen::yuan(300_000),
            calendar: vec![],
            voting: VotingRules::approval(1, 3),
            satisfaction: SatisfactionRule::default(),
            founder_member: Uuid::from_u128(1),
            founder_name: "书记".into(),
            programme: Default::default(),
        })
        .unwrap();
    let genesis = cadre.state(cycle).unwrap().genesis_id;
    for (i, s) in stores.iter().enumerate().skip(1) {
        cadre
            .submit(
                cycle,
                Body::RollEntry(RollEntry {
                    member: Uuid::from_u128(100 + i as u128),
                    display_name: format!("居民{i}"),
                    device_key: Some(s.device_key()),
                    age_band: None,
                    roles: [Role::Resident].into_iter().collect(),
                    age_15_plus: true,
                    attestation: "当面核验".into(),
                }),
            )
            .unwrap();
        s.follow_cycle(cycle, genesis).unwrap();
    }
    cycle
}

fn hint(peer: &Store) -> SessionOptions {
    SessionOptions {
        peer_hint: Some(peer.device_key()),
        ..SessionOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_after_any_partitions_and_syncs(
        n in 3usize..=8,
        seed in 1u8..200,
        first in proptest::collection::vec(op(8), 4..18),
        second in proptest::collection::vec(op(8), 4..18),
    ) {
        let net = Net::new(n, seed);
        for o in &first {
            net.apply(&clamp(o, n));
        }
        net.sync(0, 1);
        net.advance_to_voting();
        for o in &second {
            net.apply(&clamp(o, n));
        }
        // Final all-pairs sync.
        for i in 0..n {
            for j in 0..n {
                net.sync(i, j);
            }
        }
        let ids = |s: &Store| {
            let mut v: Vec<Uuid> = s.export(net.cycle).unwrap().iter().map(|r| r.id).collect();
            v.sort();
            v
        };
        let reference = snapshot(&net.stores[0], net.cycle);
        let tally = net.stores[0].proposals(net.cycle, &Default::default()).unwrap();
        for s in &net.stores[1..] {
            prop_assert_eq!(ids(s), ids(&net.stores[0]));
            prop_assert_eq!(snapshot(s, net.cycle), reference.clone());
            prop_assert_eq!(s.proposals(net.cycle, &Default::default()).unwrap(), tally.clone());
        }
    }
}

fn clamp(o: &Op, n: usize) -> Op {
    match *o {
        Op::Propose(i) => Op::Propose(i % n),
        Op::Vote(i, m) => Op::Vote(i % n, m),
        Op::Sync(i, j) => Op::Sync(i % n, j % n),
        Op::Bundle(i, j) => Op::Bundle(i % n, j % n),
        Op::Replay(i, j) => Op::Replay(i % n, j % n),
    }
}

// ---------------------------------------------------------------------------------------------
// Convergence under damage: bit flips, truncation, duplication and cross-cycle replay in
// bundles, chunks and session messages. Whatever arrives damaged or replayed first, a final
// clean all-pairs sync brings every replica to the same records and state in both cycles.

#[derive(Debug, Clone)]
enum Harm {
    /// A whole bundle with one bit flipped: refused as damaged.
    BundleBit(u32),
    /// A bundle cut short.
    Truncated(u32),
    /// One record inside the delivery damaged in a way that passes the framing (a device that
    /// re-framed what it received, or a hostile peer): the door refuses it.
    RecordBit(u32),
    /// The same delivery twice.
    Duplicate,
    /// The records of the other cycle delivered under this one.
    CrossCycle,
    /// As QR chunks, one damaged chunk scanned before all of them, in reverse order.
    ChunkBit(u32),
    /// A session whose `k`-th message has a bit flipped in transit.
    SessionBit(u8, u32),
}

fn harm() -> impl Strategy<Value = Harm> {
    prop_oneof![
        any::<u32>().prop_map(Harm::BundleBit),
        any::<u32>().prop_map(Harm::Truncated),
        any::<u32>().prop_map(Harm::RecordBit),
        Just(Harm::Duplicate),
        Just(Harm::CrossCycle),
        any::<u32>().prop_map(Harm::ChunkBit),
        (0u8..6, any::<u32>()).prop_map(|(k, b)| Harm::SessionBit(k, b)),
    ]
}

fn flip(bytes: &mut [u8], bit: u32) {
    if !bytes.is_empty() {
        let b = bit as usize % (bytes.len() * 8);
        bytes[b / 8] ^= 1 << (b % 8);
    }
}

impl Net {
    /// A second cycle founded by the same cadre and followed by every replica, for replays.
    fn second_cycle(&self) -> Uuid {
        found_cycle(&self.stores, 2025, "另一个周期")
    }

    /// Delivers what `i` holds of `cycle` to `j`, harmed. Every failure must be typed; none may
    /// leave `j` unable to take the genuine records later.
    fn deliver_harmed(&self, i: usize, j: usize, cycle: Uuid, other: Uuid, h: &Harm) {
        if i == j {
            return;
        }
        let (from, to) = (&self.stores[i], &self.stores[j]);
        let recs = from.export(cycle).unwrap();
        let b = bundle::encode(cycle, &recs);
        match *h {
            Harm::BundleBit(bit) => {
                let mut d = b.clone();
                flip(&mut d[5..], bit);
                assert!(
                    bundle::decode(cycle, &d).is_err(),
                    "a damaged bundle decoded"
                );
            }
            Harm::Truncated(cut) => {
                let d = &b[..cut as usize % b.len()];
                assert!(bundle::decode(cycle, d).is_err(), "a cut bundle decoded");
            }
            Harm::RecordBit(bit) => {
                let mut recs = recs;
                if recs.is_empty() {
                    return;
                }
                let k = bit as usize % recs.len();
                let mut raw = recs[k].to_bytes();
                flip(&mut raw, bit / 7);
                if let Ok(r) = linli_core::record::envelope::SignedRecord::from_bytes(&raw) {
                    recs[k] = r;
                }
                to.import(cycle, &recs).unwrap();
            }
            Harm::Duplicate => {
                let back = bundle::decode(cycle, &b).unwrap();
                to.import(cycle, &back).unwrap();
                assert_eq!(to.import(cycle, &back).unwrap().new, 0);
            }
            Harm::CrossCycle => {
                let foreign = from.export(other).unwrap();
                let r = to.import(cycle, &foreign).unwrap();
                assert_eq!(r.new, 0, "another cycle's records were taken: {r:?}");
            }
            Harm::ChunkBit(bit) => {
                let chunks = linli_core::chunks::split(&b).unwrap();
                let mut bad = chunks[bit as usize % chunks.len()].clone();
                flip(&mut bad, bit);
                let mut a = linli_core::chunks::Assembler::new();
                let _ = a.add(&bad);
                for c in chunks.iter().rev() {
                    a.add(c).unwrap();
                }
                let whole = a.finish().unwrap();
                to.import(cycle, &bundle::decode(cycle, &whole).unwrap())
                    .unwrap();
            }
            Harm::SessionBit(k, bit) => {
                let (mut a, mut msg) = Session::initiate(from.clone(), hint(to)).unwrap();
                let mut b = Session::accept(to.clone(), SessionOptions::default());
                let mut n = 0u8;
                loop {
                    if n == k {
                        flip(&mut msg, bit);
                    }
                    n += 1;
                    let Ok(Some(mut reply)) = b.receive(&msg) else {
                        break;
                    };
                    if n == k {
                        flip(&mut reply, bit);
                    }
                    n += 1;
                    match a.receive(&reply) {
                        Ok(Some(next)) => msg = next,
                        _ => break,
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_whatever_arrives_damaged_or_replayed(
        n in 3usize..=8,
        seed in 1u8..200,
        steps in proptest::collection::vec((op(8), 0usize..8, 0usize..8, harm()), 6..24),
    ) {
        let net = Net::new(n, seed);
        let other = net.second_cycle();
        for (k, (o, i, j, h)) in steps.iter().enumerate() {
            net.apply(&clamp(o, n));
            if k == steps.len() / 2 {
                net.advance_to_voting();
            }
            let cycle = if k % 3 == 2 { other } else { net.cycle };
            let replay_into = if cycle == other { net.cycle } else { other };
            net.deliver_harmed(i % n, j % n, cycle, replay_into, h);
        }
        for i in 0..n {
            for j in 0..n {
                net.sync(i, j);
            }
        }
        for cycle in [net.cycle, other] {
            let ids = |s: &Store| {
                let mut v: Vec<Uuid> = s.export(cycle).unwrap().iter().map(|r| r.id).collect();
                v.sort();
                v
            };
            let reference = snapshot(&net.stores[0], cycle);
            for s in &net.stores[1..] {
                prop_assert_eq!(ids(s), ids(&net.stores[0]));
                prop_assert_eq!(snapshot(s, cycle), reference.clone());
            }
        }
    }
}

/// The reported defect: a ballot whose signature was damaged in a bundle used to be stored as
/// `bad_signature` and to block the genuine copy for good (0 new, 13 known), so that phone never
/// saw the seal. It also spread to a third phone.
#[test]
fn a_damaged_signature_never_blocks_the_genuine_record() {
    let f = Fixture::new(3);
    let ids = f.to_voting(2);
    f.vote_all(|i| vec![ids[i % 2]]);
    f.cadre.store.seal(f.cycle, "").unwrap();
    let all = f.cadre.store.export(f.cycle).unwrap();
    let phone = Device::open(f.dir.path(), "late", "后来者").unwrap();
    let third = Device::open(f.dir.path(), "third", "第三台").unwrap();
    let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
    for d in [&phone, &third] {
        d.store.follow_cycle(f.cycle, genesis).unwrap();
    }
    // Every record's signature damaged, one at a time (what 23 of 200 bit flips did).
    for k in 0..all.len() {
        let mut damaged = all.clone();
        damaged[k].signature[k % 64] ^= 0x10;
        let r = phone.store.import(f.cycle, &damaged).unwrap();
        assert!(r.refused.iter().any(|(id, _)| *id == all[k].id) || r.known > 0);
    }
    // The phone that met the damaged copies first passes on nothing wrong.
    meet(&third, &phone).unwrap();
    phone.store.import(f.cycle, &all).unwrap();
    meet(&third, &phone).unwrap();
    let tablet = f.cadre.store.summary(f.cycle).unwrap();
    for d in [&phone, &third] {
        let s = d.store.summary(f.cycle).unwrap();
        assert!(s.sealed, "{}", d.name);
        assert_eq!(s.sealed_ballots, tablet.sealed_ballots, "{}", d.name);
        assert_eq!(
            snapshot(&d.store, f.cycle),
            snapshot(&f.cadre.store, f.cycle)
        );
        assert!(
            d.store
                .audit_against_device(f.cycle)
                .unwrap()
                .matches_device_state
        );
    }
}

/// The reported defect: X's ballot for cycle A, put in a bundle for cycle B, was stored under B
/// as `wrong_cycle`, and the device then never took it under A.
#[test]
fn a_record_replayed_into_another_cycle_still_reaches_its_own() {
    let a = Fixture::new(2);
    let ids = a.to_voting(2);
    a.residents[0]
        .act(a.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    let ballot = a.residents[0].store.export(a.cycle).unwrap();
    // The tablet also follows cycle B; the ballot arrives in B's bundle first.
    let b_cycle = a
        .cadre
        .store
        .create_cycle(Genesis {
            community: "测试社区".into(),
            year: 2025,
            title: "B".into(),
            budget_pool: Fen::yuan(1_000),
            calendar: vec![],
            voting: VotingRules::approval(1, 3),
            satisfaction: SatisfactionRule::default(),
            founder_member: a.cadre.member,
            founder_name: a.cadre.name.clone(),
            programme: Default::default(),
        })
        .unwrap();
    let r = a.cadre.store.import(b_cycle, &ballot).unwrap();
    assert_eq!(r.new, 0);
    assert!(
        r.refused
            .iter()
            .all(|(_, e)| matches!(e, linli_core::Exclusion::WrongCycle { .. }))
    );
    let r = a.cadre.store.import(a.cycle, &ballot).unwrap();
    assert!(r.new >= 1, "{r:?}");
    let rows = a
        .cadre
        .store
        .proposals(a.cycle, &Default::default())
        .unwrap();
    assert_eq!(rows.iter().find(|p| p.id == ids[0]).unwrap().votes, 1);
}

// ---------------------------------------------------------------------------------------------
// Hostile bytes.

/// A phone with one new proposal that the tablet lacks: the first message of its session, and
/// the tablet's state before.
fn hostile_setup() -> (Fixture, Vec<u8>) {
    let f = Fixture::new(2);
    f.advance(Phase::Proposals);
    meet_all(&f);
    f.residents[0]
        .act(
            f.cycle,
            Body::Proposal(Box::new(proposal("新提案", 30_000))),
        )
        .unwrap();
    let (_, first) = Session::initiate(f.residents[0].store.clone(), hint(&f.cadre.store)).unwrap();
    (f, first)
}

#[test]
fn hostile_messages_get_a_typed_error_change_nothing_and_the_session_goes_on() {
    let (f, good) = hostile_setup();
    let before = snapshot(&f.cadre.store, f.cycle);
    let mut bad: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        (
            "random".into(),
            (0..500u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("oversized".into(), {
            let mut b = good[..9].to_vec();
            b[5..9].copy_from_slice(&(200u32 << 20).to_le_bytes());
            b
        }),
    ];
    for n in [1, 5, 9, 10, good.len() / 2, good.len() - 1] {
        bad.push((format!("truncated to {n}"), good[..n].to_vec()));
    }
    // Another cycle's traffic.
    let mut other = Message::decode(&good).unwrap();
    for p in &mut other.parts {
        p.cycle = Uuid::from_u128(99);
    }
    bad.push(("another cycle".into(), other.encode()));
    // Automerge bytes that are not a change.
    let mut garbage = Message::decode(&good).unwrap();
    for p in &mut garbage.parts {
        p.push = vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5];
    }
    bad.push(("garbage changes".into(), garbage.encode()));

    let mut session = Session::accept(f.cadre.store.clone(), SessionOptions::default());
    for (what, bytes) in &bad {
        let r = session.receive(bytes);
        assert!(r.is_err(), "{what} was accepted");
        assert_eq!(
            snapshot(&f.cadre.store, f.cycle),
            before,
            "{what} changed the tablet"
        );
    }
    // Every single-bit flip: refused with nothing changed, or (if the flip lands where any value
    // is valid, e.g. a flag) accepted as a valid message.
    for i in (0..good.len()).step_by(3) {
        let mut b = good.clone();
        b[i] ^= 0x10;
        let now = snapshot(&f.cadre.store, f.cycle);
        let mut s = Session::accept(f.cadre.store.clone(), SessionOptions::default());
        if s.receive(&b).is_err() {
            assert_eq!(snapshot(&f.cadre.store, f.cycle), now, "flip at {i}");
        }
    }
    // The same session still takes the genuine message, and the tablet gets the proposal.
    let reply = session.receive(&good).unwrap();
    assert!(reply.is_some());
    assert_eq!(f.cadre.store.summary(f.cycle).unwrap().proposals, 1);
    assert_eq!(
        snapshot(&f.cadre.store, f.cycle),
        snapshot(&f.residents[0].store, f.cycle)
    );
}

#[test]
fn blobs_follow_the_records_and_a_wrong_hash_is_refused() {
    let f = Fixture::new(3);
    f.advance(Phase::Proposals);
    meet_all(&f);
    let photo = vec![0xd8u8; 50_000];
    let r0 = &f.residents[0];
    let blob = r0.store.put_blob(&photo, "image/jpeg", "井盖.jpg").unwrap();
    let mut p = proposal("带照片的提案", 40_000);
    p.content.attachments.push(blob.clone());
    r0.act(f.cycle, Body::Proposal(Box::new(p))).unwrap();
    // The tablet initiates; the phone answers and sends the photo when asked.
    let (mut tablet, m1) = Session::initiate(f.cadre.store.clone(), hint(&r0.store)).unwrap();
    let mut phone = Session::accept(r0.store.clone(), SessionOptions::default());
    let r1 = phone.receive(&m1).unwrap().unwrap();
    let m2 = tablet.receive(&r1).unwrap().unwrap();
    assert_eq!(
        Message::decode(&m2).unwrap().want.len(),
        1,
        "the tablet asks for the photo"
    );
    let r2 = phone.receive(&m2).unwrap().unwrap();
    let mut forged = Message::decode(&r2).unwrap();
    assert_eq!(forged.blobs.len(), 1);
    forged.blobs[0].bytes[10] ^= 1;
    let err = tablet.receive(&forged.encode()).unwrap_err();
    assert!(
        matches!(err, SyncError::Store(StoreError::BlobMismatch { .. })),
        "{err:?}"
    );
    assert!(f.cadre.store.blob(&blob.sha256).unwrap().is_none());
    tablet.receive(&r2).unwrap();
    assert_eq!(f.cadre.store.blob(&blob.sha256).unwrap().unwrap(), photo);

    // A phone on a metered link skips photos over its limit but gets the records.
    let r1d = &f.residents[1];
    let opts = SessionOptions {
        max_blob_bytes: 10_000,
        ..hint(&f.cadre.store)
    };
    let (p, _) = sync::sync_pair(&r1d.store, &f.cadre.store, opts).unwrap();
    assert_eq!(p.blobs_received, 0);
    assert!(r1d.store.blob(&blob.sha256).unwrap().is_none());
    assert_eq!(
        snapshot(&r1d.store, f.cycle),
        snapshot(&f.cadre.store, f.cycle)
    );
    let (p, _) = sync::sync_pair(&r1d.store, &f.cadre.store, hint(&f.cadre.store)).unwrap();
    assert_eq!(p.blobs_received, 1);
}

// ---------------------------------------------------------------------------------------------
// The LAN endpoint.

#[test]
fn a_tablet_serves_many_phones_at_once_over_tcp() {
    let f = Fixture::new(12);
    f.advance(Phase::Proposals);
    meet_all(&f);
    for (i, r) in f.residents.iter().enumerate() {
        r.act(
            f.cycle,
            Body::Proposal(Box::new(proposal(&format!("电梯{i}"), 10_000 + i as i64))),
        )
        .unwrap();
    }
    let server = Server::start(
        f.cadre.store.clone(),
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        SessionOptions::default(),
    )
    .unwrap();
    let addr = server.local_addr().to_string();
    for _ in 0..2 {
        std::thread::scope(|s| {
            for r in &f.residents {
                let (store, addr) = (r.store.clone(), addr.clone());
                s.spawn(move || {
                    sync_with(store, &addr, SessionOptions::default(), &mut |_| Ok(())).unwrap()
                });
            }
        });
    }
    assert_eq!(f.cadre.store.summary(f.cycle).unwrap().proposals, 12);
    let reference = snapshot(&f.cadre.store, f.cycle);
    for r in &f.residents {
        assert_eq!(snapshot(&r.store, f.cycle), reference);
        // The phone remembers who answered, so the next session resumes.
        assert_eq!(
            r.store.remembered_peer(&addr).unwrap(),
            Some(f.cadre.store.device_key())
        );
    }
    // A connection that sends garbage is closed; the server goes on.
    {
        use std::io::Write;
        let mut c = std::net::TcpStream::connect(&addr).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    }
    let p = sync_with(
        f.residents[0].store.clone(),
        &addr,
        SessionOptions::default(),
        &mut |_| Ok(()),
    )
    .unwrap();
    assert_eq!(p.records_received, 0);
    server.stop();
}

// ---------------------------------------------------------------------------------------------
// A crash in the middle of a sync.

#[test]
fn sigkill_while_syncing_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("phone.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_linli_tests_sync_child"))
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut committed = 0usize;
    for _ in 0..8 {
        committed = lines.next().unwrap().unwrap().parse().unwrap();
    }
    // Kill it while it is applying the next sessions.
    std::thread::sleep(std::time::Duration::from_millis(30));
    let status = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
    let store = Store::open(&db).unwrap();
    assert!(store.integrity_check().unwrap());
    let cycle = store.cycles().unwrap()[0].cycle;
    let held = store.export(cycle).unwrap().len();
    assert!(held >= committed, "held {held} < committed {committed}");
    assert_eq!(
        store.audit(cycle).unwrap().canonical_bytes(),
        store.state(cycle).unwrap().canonical_bytes()
    );
    // The reopened phone's documents hold exactly its records: a sync with an empty peer
    // transfers them all and the peer ends with the same records.
    let peer = Arc::new(Store::open_in_memory(&MemoryKeyStore([77; 32])).unwrap());
    peer.follow_cycle(cycle, store.state(cycle).unwrap().genesis_id)
        .unwrap();
    let store = Arc::new(store);
    sync::sync_pair(&peer, &store, SessionOptions::default()).unwrap();
    assert_eq!(peer.export(cycle).unwrap().len(), held);
}

/// A hub holding a 5,000-ballot cycle and a new phone that follows it (nothing synced yet).
fn big_hub_and_new_phone(seed: u8) -> (linli_tests::synth::Synth, Arc<Store>, Arc<Store>) {
    let s = linli_tests::synth::cycle(6_000, 200, 5_000);
    let hub = Arc::new(Store::open_in_memory(&MemoryKeyStore([seed; 32])).unwrap());
    hub.follow_cycle(s.cycle, s.genesis).unwrap();
    hub.import(s.cycle, &s.records).unwrap();
    let phone = Arc::new(Store::open_in_memory(&MemoryKeyStore([seed + 1; 32])).unwrap());
    phone.follow_cycle(s.cycle, s.genesis).unwrap();
    (s, hub, phone)
}

#[test]
fn a_big_first_sync_goes_in_bounded_messages() {
    let (s, hub, phone) = big_hub_and_new_phone(200);
    let (mut a, mut msg) = Session::initiate(phone.clone(), SessionOptions::default()).unwrap();
    let mut b = Session::accept(hub.clone(), SessionOptions::default());
    let mut largest = 0;
    while let Some(reply) = b.receive(&msg).unwrap() {
        largest = largest.max(reply.len());
        match a.receive(&reply).unwrap() {
            Some(next) => msg = next,
            None => break,
        }
    }
    let p = a.progress();
    assert!(p.finished, "{p:?}");
    assert!(p.bytes_received > 1_500_000, "a big cycle: {p:?}");
    assert!(p.messages_received >= 2, "several messages: {p:?}");
    // One message holds about 1 MiB of documents plus at most one more document.
    assert!(largest < 1_700_000, "largest message {largest} B");
    assert_eq!(p.records_received as usize, s.records.len());
    assert_eq!(snapshot(&phone, s.cycle), snapshot(&hub, s.cycle));
}

#[test]
fn a_session_cut_mid_way_still_folds_what_it_brought() {
    let (s, hub, phone) = big_hub_and_new_phone(210);
    let (mut a, msg) = Session::initiate(phone.clone(), SessionOptions::default()).unwrap();
    let mut b = Session::accept(hub.clone(), SessionOptions::default());
    // The first messages bring documents out of fold order (ballot shards before the roll), so
    // the phone defers its fold; then the link drops and the session is abandoned.
    let mut msg = msg;
    while a.progress().records_received == 0 {
        let reply = b.receive(&msg).unwrap().expect("the hub answers");
        msg = a.receive(&reply).unwrap().expect("the phone goes on");
    }
    let got = a.progress().records_received as usize;
    assert!(got > 0 && got < s.records.len(), "cut mid-way: {got}");
    drop(a);
    // What the phone shows equals what a device importing the same records shows.
    let reference = Store::open_in_memory(&MemoryKeyStore([212; 32])).unwrap();
    reference.follow_cycle(s.cycle, s.genesis).unwrap();
    let held = phone.export(s.cycle).unwrap();
    reference.import(s.cycle, &held).unwrap();
    assert_eq!(snapshot(&phone, s.cycle), snapshot(&reference, s.cycle));
    assert_eq!(
        phone.summary(s.cycle).unwrap(),
        reference.summary(s.cycle).unwrap()
    );
    // And the next meeting completes it.
    sync::sync_pair(&phone, &hub, SessionOptions::default()).unwrap();
    assert_eq!(snapshot(&phone, s.cycle), snapshot(&hub, s.cycle));
}

#[test]
fn roundtable_notes_typed_on_two_phones_offline_merge_character_by_character() {
    let f = Fixture::new(3);
    f.advance(Phase::Proposals);
    meet_all(&f);
    let (recorder, leader, tablet) = (&f.residents[0], &f.residents[1], &f.cadre);
    let draft = recorder
        .store
        .notes_open(f.cycle, "第一桌：为老服务")
        .unwrap();
    recorder
        .store
        .notes_edit(f.cycle, draft, 0, 0, "议题：加装扶手。")
        .unwrap();
    meet(recorder, tablet).unwrap();
    meet(leader, tablet).unwrap();
    assert_eq!(
        leader.store.notes(f.cycle).unwrap()[0].text,
        "议题：加装扶手。"
    );
    // Offline, both type at once: the recorder appends, the leader corrects the start.
    let end = "议题：加装扶手。".chars().count();
    recorder
        .store
        .notes_edit(f.cycle, draft, end, 0, "结论：优先一楼。")
        .unwrap();
    leader
        .store
        .notes_edit(f.cycle, draft, 0, 2, "主题")
        .unwrap();
    meet(recorder, tablet).unwrap();
    meet(leader, tablet).unwrap();
    meet(recorder, tablet).unwrap();
    let merged = "主题：加装扶手。结论：优先一楼。";
    for d in [recorder, leader, tablet] {
        let notes = d.store.notes(f.cycle).unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            (notes[0].topic.as_str(), notes[0].text.as_str()),
            ("第一桌：为老服务", merged)
        );
    }
    // Bad edits are refused and change nothing.
    let before = recorder.store.notes(f.cycle).unwrap();
    for (at, del) in [(99, 0), (3, 99)] {
        assert!(matches!(
            recorder.store.notes_edit(f.cycle, draft, at, del, "x"),
            Err(StoreError::Rejected(_))
        ));
    }
    assert!(matches!(
        recorder
            .store
            .notes_edit(f.cycle, Uuid::now_v7(), 0, 0, "x"),
        Err(StoreError::Rejected(_))
    ));
    assert!(matches!(
        recorder.store.notes_edit(f.cycle, draft, 0, 0, "\u{7}"),
        Err(StoreError::Rejected(_))
    ));
    assert_eq!(recorder.store.notes(f.cycle).unwrap(), before);
    // A device that is not on the roll cannot type into the cycle's notes.
    let outsider = Store::open_in_memory(&MemoryKeyStore([99; 32])).unwrap();
    outsider
        .follow_cycle(f.cycle, tablet.store.state(f.cycle).unwrap().genesis_id)
        .unwrap();
    assert!(matches!(
        outsider.notes_open(f.cycle, "外人"),
        Err(StoreError::NotOnRoll(_))
    ));
    // Notes are working text: no record was added anywhere.
    assert_eq!(
        snapshot(&recorder.store, f.cycle),
        snapshot(&tablet.store, f.cycle)
    );
}

// ---------------------------------------------------------------------------------------------
// LAN deadlines, the session cap and reasons for refused peers.

fn lan_fixture() -> (Fixture, std::net::TcpListener) {
    let f = Fixture::new(1);
    (f, std::net::TcpListener::bind("127.0.0.1:0").unwrap())
}

#[test]
fn a_trickling_peer_is_cut_at_its_deadline_and_stop_returns_at_once() {
    use linli_core::sync::net::{Limits, sync_with_limits};
    use std::io::Write;
    use std::time::{Duration, Instant};
    let (f, listener) = lan_fixture();
    let limits = Limits {
        message: Duration::from_millis(600),
        ..Limits::default()
    };
    let server = Server::start_with(
        f.cadre.store.clone(),
        listener,
        SessionOptions::default(),
        limits,
    )
    .unwrap();
    let addr = server.local_addr();
    // A client that sends one byte every 200 ms never completes a message: cut.
    let trickler = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let t = Instant::now();
        for _ in 0..100 {
            if s.write_all(b"L").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        t.elapsed()
    });
    let cut_after = trickler.join().unwrap();
    assert!(cut_after < Duration::from_secs(10), "{cut_after:?}");
    assert_eq!(
        server
            .stats()
            .sessions_failed
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    // stop() with a silent client connected returns at once (the connection is cut).
    let _silent = std::net::TcpStream::connect(addr).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    server.stop();
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());

    // A trickling server: the phone gives up at its deadline with a typed error.
    let slow = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let slow_addr = slow.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = slow.accept() {
            for _ in 0..100 {
                if s.write_all(b"L").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    let t = Instant::now();
    let err = sync_with_limits(
        f.residents[0].store.clone(),
        &slow_addr,
        SessionOptions::default(),
        limits,
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::TimedOut(_)), "{err:?}");
    assert_eq!(err.code(), "sync_timeout");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

#[test]
fn a_full_hub_says_busy_and_the_phone_retries() {
    use linli_core::sync::net::{Limits, sync_with_limits};
    use std::time::Duration;
    let (f, listener) = lan_fixture();
    let limits = Limits {
        max_sessions: 1,
        max_waiting: 0,
        message: Duration::from_millis(800),
        ..Limits::default()
    };
    let server = Server::start_with(
        f.cadre.store.clone(),
        listener,
        SessionOptions::default(),
        limits,
    )
    .unwrap();
    let addr = server.local_addr().to_string();
    // One silent connection takes the only session until its deadline.
    let _hog = std::net::TcpStream::connect(&addr).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let no_retry = Limits {
        busy_retries: 0,
        ..limits
    };
    let err = sync_with_limits(
        f.residents[0].store.clone(),
        &addr,
        SessionOptions::default(),
        no_retry,
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "sync_busy", "{err:?}");
    assert!(err.message(linli_core::Lang::Zh).contains("稍后重试"));
    // With retries (the default), the phone gets in once the hog is cut.
    let p = sync_with_limits(
        f.residents[0].store.clone(),
        &addr,
        SessionOptions::default(),
        limits,
        &mut |_| Ok(()),
    )
    .unwrap();
    assert!(p.messages_received >= 1);
    assert!(
        server
            .stats()
            .sessions_busy
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    );
    server.stop();
}

/// On voting day more phones arrive than the hub has session threads: they wait in line and are
/// all served, none told `sync_busy`.
#[test]
fn phones_beyond_the_hubs_sessions_wait_in_line_and_are_all_served() {
    use linli_core::sync::net::{Limits, sync_with_limits};
    let f = Fixture::new(8);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let limits = Limits {
        max_sessions: 1,
        busy_retries: 0,
        ..Limits::default()
    };
    let server = Server::start_with(
        f.cadre.store.clone(),
        listener,
        SessionOptions::default(),
        limits,
    )
    .unwrap();
    let addr = server.local_addr().to_string();
    std::thread::scope(|sc| {
        let hs: Vec<_> = f
            .residents
            .iter()
            .map(|r| {
                let (store, addr) = (r.store.clone(), addr.clone());
                sc.spawn(move || {
                    sync_with_limits(store, &addr, SessionOptions::default(), limits, &mut |_| {
                        Ok(())
                    })
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap().unwrap();
        }
    });
    let stats = server.stats();
    let n = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    // A phone is done when it has the last message; the hub counts the session just after.
    let t = std::time::Instant::now();
    while (n(&stats.sessions_done) as usize) < f.residents.len()
        && t.elapsed() < std::time::Duration::from_secs(5)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(n(&stats.sessions_done) as usize, f.residents.len());
    assert_eq!(n(&stats.sessions_busy), 0);
    assert!(n(&stats.waiting_peak) >= 1, "the phones queued");
    server.stop();
}

#[test]
fn a_refused_peer_is_told_the_reason() {
    use std::io::Write;
    let (f, listener) = lan_fixture();
    let server = Server::start(f.cadre.store.clone(), listener, SessionOptions::default()).unwrap();
    let mut s = std::net::TcpStream::connect(server.local_addr()).unwrap();
    // A message of another protocol version: the hub answers with the reason, then hangs up.
    let mut msg = Message::default().encode();
    msg[4] = 99;
    s.write_all(&msg).unwrap();
    let reply = linli_core::sync::net::read_message(&mut s).unwrap();
    assert_eq!(
        Message::refusal_code(&reply).as_deref(),
        Some("sync_version")
    );
    assert!(matches!(Message::decode(&reply), Err(SyncError::Refused(c)) if c == "sync_version"));
    server.stop();
}

/// Voting day at the hub: phones arrive in any order, so most ballots reach the hub, and then
/// the other phones, before ballots cast earlier that are already folded. Ballots of different
/// members commute: no device folds the cycle from scratch, and every device ends with the same
/// state as an auditor's full fold.
#[test]
fn ballots_arriving_in_any_order_never_refold_the_hub_or_the_phones() {
    let f = Fixture::new(12);
    let ids = f.to_voting(3);
    let folds = |d: &Device| d.store.full_folds(f.cycle).unwrap();
    let before: Vec<u64> = std::iter::once(&f.cadre)
        .chain(&f.residents)
        .map(folds)
        .collect();
    // Each phone votes (in resident order, so the clock runs with the index), and a few change
    // their vote.
    for (i, r) in f.residents.iter().enumerate() {
        r.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[i % 3]])))
            .unwrap();
    }
    for r in f.residents.iter().take(4) {
        r.act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[2]])))
            .unwrap();
    }
    // They reach the hub last-cast first, then all meet it again in the other order.
    let hint = |s: &linli_core::store::Store| SessionOptions {
        peer_hint: Some(s.device_key()),
        ..Default::default()
    };
    for r in f.residents.iter().rev().chain(f.residents.iter()) {
        sync::sync_pair(&r.store, &f.cadre.store, hint(&f.cadre.store)).unwrap();
    }
    let after: Vec<u64> = std::iter::once(&f.cadre)
        .chain(&f.residents)
        .map(folds)
        .collect();
    assert_eq!(after, before, "full folds per device, hub first");
    let audit = f.cadre.store.state(f.cycle).unwrap();
    assert_eq!(audit.current_ballots.len(), 12);
    let refolded = linli_core::fold::fold(
        f.cycle,
        audit.genesis_id,
        &f.cadre
            .store
            .export(f.cycle)
            .unwrap()
            .iter()
            .map(linli_core::fold::Checked::verify)
            .collect::<Vec<_>>(),
    );
    for d in std::iter::once(&f.cadre).chain(&f.residents) {
        assert_eq!(
            d.store.state(f.cycle).unwrap().canonical_bytes(),
            refolded.canonical_bytes()
        );
    }
}

/// At the top of the range: 20,000 ballots reach the hub out of fold order, in 100 batches
/// (the latest-cast batch first, each batch shuffled), as phones meeting it in a hall would
/// bring them. Every batch folds in place (no full fold after the first load), and the hub's
/// state equals an auditor's full fold of the same bytes.
#[test]
fn twenty_thousand_ballots_out_of_order_fold_in_place_at_the_hub() {
    const VOTERS: usize = 20_000;
    let s = linli_tests::synth::cycle(VOTERS, 500, 0);
    let dir = tempfile::tempdir().unwrap();
    let hub = Store::open_with_keys(dir.path().join("hub.db"), &MemoryKeyStore([3; 32])).unwrap();
    hub.follow_cycle(s.cycle, s.genesis).unwrap();
    hub.import(s.cycle, &s.records).unwrap();
    let loaded = hub.full_folds(s.cycle).unwrap();
    let mut ballots: Vec<_> = (0..VOTERS).map(|i| s.new_ballot(i)).collect();
    // Ballot i is cast at second i: batches from the last-cast to the first, each shuffled.
    let mut seed = 0x2026_u64;
    for batch in ballots.chunks_mut(200) {
        for k in (1..batch.len()).rev() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            batch.swap(k, (seed >> 33) as usize % (k + 1));
        }
    }
    for batch in ballots.chunks(200).rev() {
        let report = hub.import(s.cycle, batch).unwrap();
        assert_eq!((report.new, report.excluded.len()), (batch.len(), 0));
    }
    assert_eq!(
        hub.full_folds(s.cycle).unwrap(),
        loaded,
        "every late batch folded in place"
    );
    let st = hub.state(s.cycle).unwrap();
    assert_eq!(st.current_ballots.len(), VOTERS);
    assert_eq!(hub.summary(s.cycle).unwrap().voters as usize, VOTERS);
    let audit = linli_core::fold::fold(
        s.cycle,
        s.genesis,
        &hub.export(s.cycle)
            .unwrap()
            .iter()
            .map(linli_core::fold::Checked::verify)
            .collect::<Vec<_>>(),
    );
    assert_eq!(st.canonical_bytes(), audit.canonical_bytes());
    // The proposals' counts in the views are the fold's.
    let counted: u64 = hub
        .proposals(s.cycle, &Default::default())
        .unwrap()
        .iter()
        .map(|p| p.votes)
        .sum();
    let expected: usize = st
        .current_ballots
        .values()
        .map(|b| st.ballot_records[b].choices.len())
        .sum();
    assert_eq!(counted as usize, expected);
}

/// A hub in the hall meets new phones and a reinstalled one (its key restored, its database
/// new) for their first sync of a 5,000-ballot cycle. Each gets every document once, as the
/// compact snapshot the hub stored when the first phone asked for it: the hub encodes a
/// document once per version, not once per phone, and never sends one twice in a session.
#[test]
fn new_and_reinstalled_phones_get_each_document_once_as_the_hubs_compact_snapshot() {
    let (s, hub, first) = big_hub_and_new_phone(220);
    let hint = SessionOptions {
        peer_hint: Some(hub.device_key()),
        ..Default::default()
    };
    let stored = |store: &Store| -> (u64, u64) {
        let sizes = store.doc_sizes(s.cycle).unwrap();
        (
            sizes.iter().map(|d| d.2).sum(),
            sizes.iter().map(|d| d.3).sum(),
        )
    };
    hub.sync_prepare(None).unwrap();
    assert!(
        stored(&hub).1 > 0,
        "the hub's documents have appended changes"
    );
    let (p1, _) = sync::sync_pair(&first, &hub, hint.clone()).unwrap();
    let (snapshots, appended) = stored(&hub);
    assert_eq!(appended, 0, "the hub compacted what it pushed whole");
    // Each document once: what the phone received is the hub's snapshots and a few hundred
    // bytes of protocol per document.
    let docs = hub.doc_sizes(s.cycle).unwrap().len() as u64;
    assert!(
        p1.bytes_received >= snapshots && p1.bytes_received < snapshots + 600 * docs,
        "{} received for {snapshots} stored",
        p1.bytes_received
    );
    // The phone stores them as they came.
    assert_eq!(stored(&first), (snapshots, 0));
    // A second new phone, and the first one reinstalled, get the same bytes, with nothing
    // re-encoded at the hub (the reinstalled phone's hello no longer matches what the hub
    // agreed with its key, so every document is compared: one more round trip).
    let second = Arc::new(Store::open_in_memory(&MemoryKeyStore([223; 32])).unwrap());
    second.follow_cycle(s.cycle, s.genesis).unwrap();
    let reinstalled = Arc::new(Store::open_in_memory(&MemoryKeyStore([221; 32])).unwrap());
    assert_eq!(reinstalled.device_key(), first.device_key());
    reinstalled.follow_cycle(s.cycle, s.genesis).unwrap();
    for (phone, rounds) in [(&second, 0), (&reinstalled, 1)] {
        let (p, _) = sync::sync_pair(phone, &hub, hint.clone()).unwrap();
        assert_eq!(p.records_received, p1.records_received, "{p:?}");
        assert!(
            p.messages_received <= p1.messages_received + rounds,
            "{p:?}"
        );
        assert!(
            p.bytes_received.abs_diff(p1.bytes_received) < 600 * docs,
            "{} vs {}",
            p.bytes_received,
            p1.bytes_received
        );
        assert_eq!(stored(phone), (snapshots, 0));
        assert_eq!(snapshot(phone, s.cycle), snapshot(&hub, s.cycle));
    }
    assert_eq!(stored(&hub), (snapshots, 0));
}
