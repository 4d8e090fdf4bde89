//! The fold is deterministic: the same set of records gives byte-identical state whatever the
//! arrival order, through the pure fold and through a store importing them in any chunks (the
//! incremental path). Also: revocation, concurrent reviews and equivocation are resolved by the
//! documented rules and surfaced.

use linli_core::fold::state::Verdict;
use linli_core::fold::{Checked, fold};
use linli_core::identity::{DeviceSecret, MemoryKeyStore};
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::Phase;
use linli_core::record::envelope::{Draft, SignedRecord};
use linli_core::record::proposal::{Review, ReviewDecision};
use linli_core::store::Store;
use linli_core::{Exclusion, Kind};
use linli_tests::{Fixture, own_seqs, secret_of, seqs_of};
use proptest::prelude::*;
use std::sync::OnceLock;
use uuid::Uuid;

struct Scenario {
    cycle: Uuid,
    genesis: Uuid,
    records: Vec<SignedRecord>,
}

/// A cycle with ballots, a changed ballot, concurrent reviews, a revoked phone, an equivocating
/// phone, a seal, a late ballot, a forged and a malformed record.
fn scenario() -> &'static Scenario {
    static S: OnceLock<Scenario> = OnceLock::new();
    S.get_or_init(|| {
        let f = Fixture::new(6);
        f.advance(Phase::Proposals);
        f.sync();
        let ids: Vec<Uuid> = (0..4)
            .map(|i| {
                f.residents[i]
                    .act(
                        f.cycle,
                        Body::Proposal(Box::new(linli_tests::proposal(
                            &format!("提案{i}"),
                            40_000 + i as i64 * 30_000,
                        ))),
                    )
                    .unwrap()
            })
            .collect();
        f.sync();
        f.advance(Phase::Deliberation);
        f.sync();
        for id in &ids[..3] {
            f.cadre
                .act(
                    f.cycle,
                    Body::Review(Review {
                        proposal: *id,
                        decision: ReviewDecision::Shortlist,
                        reason: "好".into(),
                        supersedes: None,
                    }),
                )
                .unwrap();
        }
        // Two cadres decide on proposal 3 without seeing each other's decision.
        f.cadre
            .act(
                f.cycle,
                Body::Review(Review {
                    proposal: ids[3],
                    decision: ReviewDecision::Shortlist,
                    reason: "可以".into(),
                    supersedes: None,
                }),
            )
            .unwrap();
        f.cadre2
            .act(
                f.cycle,
                Body::Review(Review {
                    proposal: ids[3],
                    decision: ReviewDecision::Reject,
                    reason: "重复".into(),
                    supersedes: None,
                }),
            )
            .unwrap();
        f.advance(Phase::Voting);
        f.sync();
        let shortlisted: Vec<Uuid> = f
            .cadre
            .store
            .state(f.cycle)
            .unwrap()
            .proposals
            .values()
            .filter(|p| p.is_shortlisted())
            .map(|p| p.id)
            .collect();
        for (i, r) in f.residents.iter().enumerate().take(5) {
            r.act(
                f.cycle,
                Body::Ballot(Ballot::approve(vec![shortlisted[i % shortlisted.len()]])),
            )
            .unwrap();
        }
        f.residents[1]
            .act(
                f.cycle,
                Body::Ballot(Ballot::approve(shortlisted[..2].to_vec())),
            )
            .unwrap();
        f.sync();
        // Resident 5 loses their phone: the cadre revokes it after the records it has seen.
        let lost = f.residents[5].store.device_key();
        let seen = seqs_of(&f.cadre.store, f.cycle, &lost)
            .into_iter()
            .max()
            .unwrap_or(0);
        f.cadre.store.revoke(f.cycle, lost, "手机丢失").unwrap();
        // Whoever has the lost phone votes with it afterwards (on a copy that missed the revocation).
        let thief = secret_of(&f, "r5");
        let phase = f.cadre.store.state(f.cycle).unwrap().phase.1;
        let thief_ballot = SignedRecord::sign(
            &thief,
            &Draft {
                cycle: f.cycle,
                seq: seen + 1,
                time: chrono::Utc::now(),
                phase: Some(phase),
                body: Body::Ballot(Ballot::approve(vec![shortlisted[0]])),
            },
        );
        // Resident 4's phone is restored from a backup and reuses a sequence number.
        let r4 = secret_of(&f, "r4");
        let r4_seq = own_seqs(&f.residents[4].store, f.cycle)
            .into_iter()
            .max()
            .unwrap();
        let equivocation = SignedRecord::sign(
            &r4,
            &Draft {
                cycle: f.cycle,
                seq: r4_seq,
                time: chrono::Utc::now(),
                phase: Some(phase),
                body: Body::Ballot(Ballot::approve(vec![shortlisted[2]])),
            },
        );
        let seal = f.cadre.store.state(f.cycle).unwrap().draft_seal("封存");
        f.cadre.act(f.cycle, Body::Seal(seal)).unwrap();
        // Resident 0's phone has not seen the seal yet.
        f.residents[0]
            .act(f.cycle, Body::Ballot(Ballot::approve(vec![shortlisted[1]])))
            .unwrap();
        f.sync();
        let stranger = DeviceSecret::from_seed(&[9; 32]);
        let forged = SignedRecord::sign(
            &stranger,
            &Draft {
                cycle: f.cycle,
                seq: 1,
                time: chrono::Utc::now(),
                phase: Some(phase),
                body: Body::Ballot(Ballot::approve(vec![shortlisted[0]])),
            },
        );
        let malformed = SignedRecord::from_parts(b"not json".to_vec(), [1; 64]);
        let mut records = f.cadre.store.export(f.cycle).unwrap();
        records.extend([thief_ballot, equivocation, forged, malformed]);
        let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
        Scenario {
            cycle: f.cycle,
            genesis,
            records,
        }
    })
}

/// Compares two canonical states and reports the first difference as text.
fn same_state(a: &[u8], b: &[u8]) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(120);
    Err(format!(
        "states differ at byte {at}:\n  {}\n  {}",
        String::from_utf8_lossy(&a[from..(at + 200).min(a.len())]),
        String::from_utf8_lossy(&b[from..(at + 200).min(b.len())])
    ))
}

fn checked(records: &[SignedRecord]) -> Vec<Checked> {
    records.iter().map(Checked::verify).collect()
}

/// What a store keeps of `records` as part of the cycle: the records that pass the door (decode,
/// verify, name the cycle) and are signed by a key on the roll, or count. The rest is refused or
/// held aside, so the store's state is the pure fold of this set.
fn kept_by_store(cycle: Uuid, genesis: Uuid, records: &[SignedRecord]) -> Vec<SignedRecord> {
    let all = checked(records);
    let st = fold(cycle, genesis, &all);
    records
        .iter()
        .zip(&all)
        .filter(|(_, c)| match &c.record {
            Ok(r) => {
                r.cycle == cycle
                    && (st.keys.contains_key(&r.signer)
                        || st.verdicts.get(&c.id).is_some_and(Verdict::is_valid))
            }
            Err(_) => false,
        })
        .map(|(r, _)| r.clone())
        .collect()
}

#[test]
fn scenario_rules_are_applied_and_surfaced() {
    let s = scenario();
    let st = fold(s.cycle, s.genesis, &checked(&s.records));
    let reasons: Vec<&Exclusion> = st
        .verdicts
        .values()
        .filter_map(|v| match v {
            Verdict::Excluded { reason } => Some(reason),
            _ => None,
        })
        .collect();
    let count = |code: &str| reasons.iter().filter(|r| r.code() == code).count();
    assert_eq!(count("revoked_key"), 1, "{reasons:?}");
    assert_eq!(count("unknown_signer"), 1);
    assert_eq!(count("malformed"), 1);
    assert_eq!(
        count("late_ballot"),
        1,
        "resident 0's ballot after the seal is late"
    );
    // The equivocating ballot and the original share (signer, seq): exactly one loses.
    assert!(
        count("conflicting") >= 2,
        "review conflict + equivocation: {reasons:?}"
    );
    assert!(count("superseded") >= 1, "resident 1 changed their ballot");
    // The concurrent review: the later one in fold order is in effect and the conflict is listed.
    assert!(st.conflicts.len() >= 2);
    // The seal counts one ballot per voter and its counts recompute.
    let seal = st.seal.as_ref().expect("sealed");
    assert_eq!(
        seal.ballots.len(),
        5,
        "five residents voted before the seal (one twice)"
    );
    assert!(matches!(st.verdicts[&seal.id], Verdict::Valid));
}

#[test]
fn the_store_and_the_auditor_agree_with_the_pure_fold() {
    let s = scenario();
    let st = fold(
        s.cycle,
        s.genesis,
        &checked(&kept_by_store(s.cycle, s.genesis, &s.records)),
    );
    let store = Store::open_in_memory(&MemoryKeyStore([42; 32])).unwrap();
    store.follow_cycle(s.cycle, s.genesis).unwrap();
    store.import(s.cycle, &s.records).unwrap();
    same_state(
        &store.state(s.cycle).unwrap().canonical_bytes(),
        &st.canonical_bytes(),
    )
    .unwrap();
    same_state(
        &store.audit(s.cycle).unwrap().canonical_bytes(),
        &st.canonical_bytes(),
    )
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any subset of the records, in any two arrival orders, folds to the same bytes; a store
    /// importing the subset in random chunks (incremental path included) gets the same bytes too.
    #[test]
    fn any_arrival_order_gives_identical_state(
        keep in proptest::collection::vec(any::<bool>(), 200),
        perm_a in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
        perm_b in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
        chunks in proptest::collection::vec(1usize..12, 1..40),
    ) {
        let s = scenario();
        // Always keep the genesis and the roll so that the subset has something to fold.
        let subset: Vec<SignedRecord> = s.records.iter().enumerate()
            .filter(|(i, r)| keep[i % keep.len()] || r.decode().map(|d| d.kind() <= Kind::PhaseChange).unwrap_or(false))
            .map(|(_, r)| r.clone())
            .collect();
        let shuffle = |seed: u64| {
            let mut v = subset.clone();
            let mut x = seed | 1;
            for i in (1..v.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                v.swap(i, (x % (i as u64 + 1)) as usize);
            }
            v
        };
        let a = shuffle(perm_a);
        let b = shuffle(perm_b);
        let sa = fold(s.cycle, s.genesis, &checked(&a)).canonical_bytes();
        let sb = fold(s.cycle, s.genesis, &checked(&b)).canonical_bytes();
        if let Err(e) = same_state(&sa, &sb) { return Err(TestCaseError::fail(e)); }

        let store = Store::open_in_memory(&MemoryKeyStore([7; 32])).unwrap();
        store.follow_cycle(s.cycle, s.genesis).unwrap();
        let mut rest = &a[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = chunks[i % chunks.len()].min(rest.len());
            store.import(s.cycle, &rest[..n]).unwrap();
            rest = &rest[n..];
            i += 1;
        }
        let st = store.state(s.cycle).unwrap();
        let kept = fold(s.cycle, s.genesis, &checked(&kept_by_store(s.cycle, s.genesis, &a))).canonical_bytes();
        if let Err(e) = same_state(&st.canonical_bytes(), &kept) { return Err(TestCaseError::fail(e)); }
        // The invalid count kept in place as verdicts change is the count of excluded verdicts.
        let excluded = st.verdicts.values().filter(|v| matches!(v, linli_core::fold::state::Verdict::Excluded { .. })).count();
        prop_assert_eq!(st.excluded_count(), excluded);
        prop_assert_eq!(store.summary(s.cycle).unwrap().invalid as usize, excluded);
    }
}

/// The signed contract does not move when the code around it does: the benchmarks' synthetic
/// cycle (fixed keys, times and bodies) must keep producing the same record ids and bytes, and
/// folding it the same state. A change of the records' digest is a format change: it needs a
/// schema version and an ADR, not a refactor. The state's digest also moves when a new kind
/// shifts the ranks in `last_key` (issue 18 added four kinds: the records and every verdict
/// stayed the same).
#[test]
fn the_synthetic_cycle_keeps_its_record_ids_and_state() {
    use sha2::{Digest, Sha256};
    let s = linli_tests::synth::cycle(300, 40, 250);
    let mut records = Sha256::new();
    for r in &s.records {
        records.update(r.id.as_bytes());
        records.update(&r.signed);
        records.update(r.signature);
    }
    let state = fold(s.cycle, s.genesis, &checked(&s.records));
    let codes: Vec<&str> = state
        .verdicts
        .values()
        .map(|v| match v {
            Verdict::Valid => "valid",
            Verdict::Excluded { reason } => reason.code(),
        })
        .collect();
    assert_eq!(s.records.len(), 300 + 40 * 2 + 250 + 4);
    assert_eq!(
        codes.iter().filter(|c| **c == "valid").count(),
        s.records.len()
    );
    assert_eq!(
        hex::encode(records.finalize()),
        "ba30ee09901517b08ab178307a08efdacff6b3f8b8cc69693a84c35cbfe99d2c",
        "record ids or bytes changed"
    );
    assert_eq!(
        hex::encode(Sha256::digest(state.canonical_bytes())),
        "504555f5697d97646929ccb2b05dfa8a348091c0cc796f43e63c36030eb1361a",
        "the folded state changed"
    );
}
