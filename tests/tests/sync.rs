//! Sync sessions between devices: convergence, resumption, blobs, hostile bytes.

use linli_cli::devices::{Device, meet};
use linli_core::ballot::Ballot;
use linli_core::body::Body;
use linli_tests::{Fixture, snapshot};

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
    eprintln!("{p:?}");
    assert_eq!(p.messages_received, 1, "one round trip");
    assert!(p.bytes_sent + p.bytes_received < 1024, "{p:?}");
    let cadre = snapshot(&f.cadre.store, f.cycle);
    assert_eq!(snapshot(&r0.store, f.cycle), cadre);
    meet_all(&f);
    for d in f.others() {
        assert_eq!(snapshot(&d.store, f.cycle), cadre);
    }
}
