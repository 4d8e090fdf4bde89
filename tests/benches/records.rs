//! Benchmarks for the foundation: appending, folding and verifying 10,000 mixed records, and the
//! proposal list and Chinese full-text queries over 500 proposals. Run: `cargo bench -p linli-tests`.
//! Figures are in docs/benchmarks.md.

use divan::Bencher;
use linli_core::fold::{Checked, fold};
use linli_core::identity::{MemoryKeyStore, verify_many};
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::store::{ProposalFilter, Store};
use linli_tests::synth::{self, Synth};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// 4,500 residents, 500 proposals and reviews, 4,500 ballots: 10,006 records.
fn mixed() -> &'static Synth {
    static S: OnceLock<Synth> = OnceLock::new();
    S.get_or_init(|| synth::cycle(4_500, 500, 4_500))
}

fn store_with(s: &Synth, seed: [u8; 32]) -> Store {
    let store = Store::open_in_memory(&MemoryKeyStore(seed)).unwrap();
    store.follow_cycle(s.cycle, s.genesis).unwrap();
    store.import(s.cycle, &s.records).unwrap();
    store
}

/// Import all 10,006 records in one transaction: verify (batch), store, fold, materialise.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn append_10k_one_import(b: Bencher) {
    let s = mixed();
    b.with_inputs(|| {
        let store = Store::open_in_memory(&MemoryKeyStore([9; 32])).unwrap();
        store.follow_cycle(s.cycle, s.genesis).unwrap();
        store
    })
    .bench_values(|store| {
        store.import(s.cycle, &s.records).unwrap();
        store
    });
}

/// Import the same records in 100 batches of ~100 (what a device sees over many syncs).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn append_10k_in_100_batches(b: Bencher) {
    let s = mixed();
    b.with_inputs(|| {
        let store = Store::open_in_memory(&MemoryKeyStore([9; 32])).unwrap();
        store.follow_cycle(s.cycle, s.genesis).unwrap();
        store
    })
    .bench_values(|store| {
        for chunk in s.records.chunks(s.records.len().div_ceil(100)) {
            store.import(s.cycle, chunk).unwrap();
        }
        store
    });
}

/// Fold 10,006 already verified and decoded records.
#[divan::bench(sample_count = 20)]
fn fold_10k_verified(b: Bencher) {
    let s = mixed();
    let checked: Vec<Checked> = s
        .records
        .iter()
        .map(|r| Checked::from_record(r, true))
        .collect();
    b.bench(|| fold(s.cycle, s.genesis, &checked));
}

/// Verify all 10,006 signatures from scratch (batch verification), as an auditor does.
#[divan::bench(sample_count = 10)]
fn verify_10k_signatures(b: Bencher) {
    let s = mixed();
    let items: Vec<_> = s
        .records
        .iter()
        .map(|r| (r.signer().unwrap(), r.signed.as_slice(), r.signature))
        .collect();
    b.bench(|| {
        let ok = verify_many(&items);
        assert!(ok.iter().all(|v| *v));
    });
}

/// The auditor's whole job: verify every signature, decode, fold from scratch.
#[divan::bench(sample_count = 5)]
fn audit_10k_from_bytes(b: Bencher) {
    let s = mixed();
    let store = store_with(s, [9; 32]);
    b.bench(|| store.audit(s.cycle).unwrap());
}

/// The proposal list screen: 500 proposals by votes.
#[divan::bench(sample_count = 50)]
fn list_500_proposals(b: Bencher) {
    let s = mixed();
    let store = store_with(s, [9; 32]);
    b.bench(|| {
        let rows = store
            .proposals(s.cycle, &ProposalFilter::default())
            .unwrap();
        assert_eq!(rows.len(), 500);
    });
}

/// Chinese full-text search over 500 proposals: a 4-character word (trigram index) and a
/// 2-character word (scan).
#[divan::bench(sample_count = 50, args = ["加装电梯", "照明"])]
fn search_500_proposals(b: Bencher, q: &str) {
    let s = mixed();
    let store = store_with(s, [9; 32]);
    let filter = ProposalFilter {
        search: Some(q.to_string()),
        ..Default::default()
    };
    b.bench(|| {
        let rows = store.proposals(s.cycle, &filter).unwrap();
        assert!(!rows.is_empty());
    });
}

/// Casting one ballot end to end on a resident's phone holding a cycle with 500 proposals and
/// 5,000 ballots already stored: sign, check, store, update the live tally and the views.
#[divan::bench(sample_count = 200)]
fn cast_ballot_with_5000_stored(b: Bencher) {
    static S: OnceLock<Synth> = OnceLock::new();
    let s = S.get_or_init(|| synth::cycle(5_000, 500, 5_000));
    let store = store_with(s, synth::resident_seed(0));
    let mut i = 0usize;
    b.bench_local(|| {
        i += 1;
        let choices = vec![s.proposals[i % s.proposals.len()]];
        store
            .submit(s.cycle, Body::Ballot(Ballot::approve(choices)))
            .unwrap();
    });
}

/// 20,000 approval ballots (1–3 picks, skewed popularity) over 500 proposals, pool ¥300,000.
fn big_election() -> &'static linli_core::tally::Election {
    use linli_core::tally::{Ballots, Election};
    static E: OnceLock<Election> = OnceLock::new();
    E.get_or_init(|| {
        let mut x: u64 = 2026;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let costs: Vec<u64> = (0..500).map(|_| (5_000 + next(95_000)) * 100).collect();
        let ballots = (0..20_000)
            .map(|_| {
                let k = 1 + next(3) as usize;
                let mut b: Vec<usize> = Vec::with_capacity(k);
                while b.len() < k {
                    // Skewed: low indices are popular.
                    let p = (next(500) * next(500) / 500) as usize;
                    if !b.contains(&p) {
                        b.push(p);
                    }
                }
                b
            })
            .collect();
        Election {
            names: (0..500).map(|i| format!("p{i:03}")).collect(),
            costs,
            budget: 300_000 * 100,
            ballots: Ballots::Approval(ballots),
            unit: 100,
        }
    })
}

/// Tally 20,000 approval ballots over 500 proposals.
#[divan::bench(sample_count = 20, args = ["greedy", "mes", "mes-add1"])]
fn tally_20k_ballots_500_proposals(b: Bencher, rule: &str) {
    let e = big_election();
    let rule: linli_core::tally::Rule = rule.parse().unwrap();
    b.bench(|| e.run(rule).unwrap());
}
