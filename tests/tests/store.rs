//! The SQLite store: migrations, transactions under failure and SIGKILL, Chinese search,
//! revocation of a lost phone, concurrent use.

use linli_cli::devices::{Device, exchange, register};
use linli_core::Exclusion;
use linli_core::identity::MemoryKeyStore;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::Phase;
use linli_core::record::proposal::Proposal;
use linli_core::record::roll::Role;
use linli_core::store::{Fault, ProposalFilter, Store, StoreError, schema};
use linli_tests::{Fixture, own_seqs, proposal, secret_of, snapshot};
use rusqlite::Connection;
use std::sync::Arc;

fn schema_of(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn upgrading_every_old_version_gives_the_fresh_schema_and_rebuilds_the_views() {
    // A reference device with a few proposals.
    let f = Fixture::new(3);
    f.advance(Phase::Proposals);
    f.sync();
    f.residents[0]
        .act(
            f.cycle,
            Body::Proposal(Box::new(proposal("加装电梯", 80_000))),
        )
        .unwrap();
    f.sync();
    let records = f.cadre.store.export(f.cycle).unwrap();
    let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh_path = fresh_dir.path().join("fresh.db");
    drop(Store::open_with_keys(&fresh_path, &MemoryKeyStore([1; 32])).unwrap());
    let fresh = schema_of(&Connection::open(&fresh_path).unwrap());

    for old in 0..schema::VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // Build the old schema by hand and store the records the way that version did.
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            schema::upgrade(&tx, 0, old).unwrap();
            if old >= 1 {
                tx.execute(
                    "INSERT INTO device (id, public_key, next_seq) VALUES (1, ?1, 1)",
                    [linli_core::identity::DeviceSecret::from_seed(&[2; 32])
                        .public()
                        .to_hex()],
                )
                .unwrap();
                tx.execute("INSERT INTO cycles (cycle_id, genesis_id, added_at) VALUES (?1, ?2, '2026-01-01T00:00:00Z')", [f.cycle.to_string(), genesis.to_string()]).unwrap();
                for r in &records {
                    tx.execute(
                        "INSERT INTO records (id, cycle_id, signed, signature, sig_ok, received_at) VALUES (?1, ?2, ?3, ?4, 1, '2026-01-01T00:00:00Z')",
                        rusqlite::params![r.id.to_string(), f.cycle.to_string(), r.signed, r.signature.as_slice()],
                    )
                    .unwrap();
                }
                // Stored from a bundle, not yet in their documents.
                if (4..9).contains(&old) {
                    tx.execute(
                        "INSERT OR IGNORE INTO doc_pending (record_id, cycle_id) SELECT id, cycle_id FROM records",
                        [],
                    )
                    .unwrap();
                } else if old >= 9 {
                    tx.execute("UPDATE records SET to_doc = 1", []).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        let store = Arc::new(Store::open_with_keys(&path, &MemoryKeyStore([2; 32])).unwrap());
        assert_eq!(
            schema_of(&Connection::open(&path).unwrap()),
            fresh,
            "upgrade from v{old}"
        );
        if old >= 1 {
            // The views were rebuilt from the records: the proposal list matches the tablet's.
            assert_eq!(
                store.proposals(f.cycle, &Default::default()).unwrap(),
                f.cadre
                    .store
                    .proposals(f.cycle, &Default::default())
                    .unwrap()
            );
            assert_eq!(
                store.summary(f.cycle).unwrap(),
                f.cadre.store.summary(f.cycle).unwrap()
            );
            // Records waiting for their documents still go out at the next sync.
            let phone = Arc::new(Store::open_in_memory(&MemoryKeyStore([3; 32])).unwrap());
            phone.follow_cycle(f.cycle, genesis).unwrap();
            let opts = linli_core::sync::SessionOptions::default();
            linli_core::sync::sync_pair(&phone, &store, opts).unwrap();
            assert_eq!(
                phone.export(f.cycle).unwrap().len(),
                records.len(),
                "upgrade from v{old}"
            );
        }
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open_with_keys(&path, &MemoryKeyStore([1; 32])).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", schema::VERSION + 1)
        .unwrap();
    let err = Store::open_with_keys(&path, &MemoryKeyStore([1; 32])).unwrap_err();
    assert!(matches!(err, StoreError::SchemaTooNew { .. }));
    let err =
        Store::open_with_keys(dir.path().join("other.db"), &MemoryKeyStore([1; 32])).map(|_| ());
    assert!(err.is_ok());
    // A database opened with another device's key is refused, not silently re-keyed.
    drop(Store::open_with_keys(dir.path().join("k.db"), &MemoryKeyStore([1; 32])).unwrap());
    assert!(matches!(
        Store::open_with_keys(dir.path().join("k.db"), &MemoryKeyStore([3; 32])),
        Err(StoreError::WrongDevice { .. })
    ));
}

#[test]
fn a_failure_in_the_middle_of_a_write_leaves_the_previous_state_intact() {
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    for fault in [Fault::AfterRecords, Fault::BeforeCommit] {
        // A local action.
        let before = snapshot(&f.residents[0].store, f.cycle);
        f.residents[0].store.inject_fault(fault);
        let err = f.residents[0]
            .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
            .unwrap_err();
        assert!(matches!(err, StoreError::Injected(_)));
        assert_eq!(before, snapshot(&f.residents[0].store, f.cycle));
        // An import.
        let incoming = f.residents[1].store.export(f.cycle).unwrap();
        let before = snapshot(&f.cadre.store, f.cycle);
        f.residents[1]
            .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[1]])))
            .unwrap_or_default();
        let incoming2 = f.residents[1].store.export(f.cycle).unwrap();
        f.cadre.store.inject_fault(fault);
        assert!(f.cadre.store.import(f.cycle, &incoming2).is_err());
        assert_eq!(before, snapshot(&f.cadre.store, f.cycle));
        drop(incoming);
    }
    // After the failures the same actions succeed, and reopening from disk gives the same state.
    f.residents[0]
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    f.sync();
    let path = f.dir.path().join("cadre.db");
    let reopened = Store::open(&path).unwrap();
    assert!(reopened.integrity_check().unwrap());
    assert_eq!(
        reopened.state(f.cycle).unwrap().canonical_bytes(),
        f.cadre.store.state(f.cycle).unwrap().canonical_bytes()
    );
    assert_eq!(reopened.summary(f.cycle).unwrap().voters, 2);
}

#[test]
fn sigkill_during_the_demo_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_linli_tests_demo_child");
    let mut child = std::process::Command::new(bin)
        .arg(dir.path())
        .spawn()
        .unwrap();
    // Let it get well into the cycle, then kill it without warning.
    std::thread::sleep(std::time::Duration::from_millis(900));
    unsafe_kill(child.id());
    let _ = child.wait();
    let mut opened = 0;
    let paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .flat_map(|round| std::fs::read_dir(round.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("db") {
            continue;
        }
        let store = Store::open(&path).unwrap();
        assert!(store.integrity_check().unwrap(), "{}", path.display());
        for c in store.cycles().unwrap() {
            // Whatever was committed folds to exactly what the views show.
            let audited = store.audit(c.cycle).unwrap();
            assert_eq!(
                audited.canonical_bytes(),
                store.state(c.cycle).unwrap().canonical_bytes()
            );
            assert_eq!(
                audited.verdicts.len() as u32,
                store.summary(c.cycle).unwrap().records
            );
        }
        opened += 1;
    }
    assert!(opened > 0);
}

fn unsafe_kill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn chinese_full_text_search_finds_two_and_three_character_words() {
    let f = Fixture::new(3);
    f.advance(Phase::Proposals);
    f.sync();
    let mut lift = proposal("老旧小区加装电梯", 200_000);
    lift.content.description = "六层楼老人上下楼困难，申请加装电梯。".into();
    let a = f.residents[0]
        .act(f.cycle, Body::Proposal(Box::new(lift)))
        .unwrap();
    let b = f.residents[1]
        .act(
            f.cycle,
            Body::Proposal(Box::new(proposal("夜间照明改造", 50_000))),
        )
        .unwrap();
    f.residents[2]
        .act(
            f.cycle,
            Body::Proposal(Box::new(proposal("Bike shed 充电棚", 60_000))),
        )
        .unwrap();
    f.sync();
    let search = |q: &str| -> Vec<uuid::Uuid> {
        f.cadre
            .store
            .proposals(
                f.cycle,
                &ProposalFilter {
                    search: Some(q.into()),
                    ..Default::default()
                },
            )
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(search("加装电梯"), vec![a]);
    assert_eq!(search("上下楼"), vec![a], "matches the description");
    assert_eq!(search("照明"), vec![b], "two-character words work too");
    assert_eq!(search("bike"), search("Bike"));
    assert_eq!(search("bike").len(), 1);
    assert!(search("游泳池").is_empty());
    assert_eq!(search("%").len(), 0, "LIKE wildcards are escaped");
    assert_eq!(
        f.cadre
            .store
            .proposals(
                f.cycle,
                &ProposalFilter {
                    status: Some("submitted".into()),
                    ..Default::default()
                }
            )
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        f.cadre
            .store
            .proposals(
                f.cycle,
                &ProposalFilter {
                    category: Some("greening".into()),
                    ..Default::default()
                }
            )
            .unwrap()
            .len(),
        0
    );
}

/// A reply is folded after the comment it answers even when the replying phone's clock is
/// behind the commenter's (or both fall in one millisecond): the store claims a time after the
/// parent's, so the reply is not excluded as naming an unknown comment, on this device or on
/// any device that folds the bytes from scratch.
#[test]
fn a_reply_counts_when_the_replying_phones_clock_is_behind_the_comment() {
    use linli_core::record::comment::Comment;
    use linli_core::record::envelope::{Draft, SignedRecord};
    let f = Fixture::new(2);
    let ids = f.to_voting(1);
    // The first resident's phone runs ten minutes fast.
    let fast = secret_of(&f, "r0");
    let seq = own_seqs(&f.residents[0].store, f.cycle)
        .into_iter()
        .max()
        .unwrap_or(0)
        + 1;
    let phase = f.residents[0]
        .store
        .export(f.cycle)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.decode().ok())
        .rfind(|d| d.kind() == linli_core::Kind::PhaseChange)
        .map(|d| d.id);
    let parent = SignedRecord::sign(
        &fast,
        &Draft {
            cycle: f.cycle,
            seq,
            time: chrono::Utc::now() + chrono::Duration::minutes(10),
            phase,
            body: Body::Comment(Comment {
                on: ids[0],
                reply_to: None,
                text: "支持加装扶手".into(),
                on_behalf_of: None,
                in_hall: false,
            }),
        },
    );
    let replier = &f.residents[1].store;
    let report = replier
        .import(f.cycle, std::slice::from_ref(&parent))
        .unwrap();
    assert!(report.excluded.is_empty(), "{:?}", report.excluded);
    let reply = replier
        .comment(
            f.cycle,
            Comment {
                on: ids[0],
                reply_to: Some(parent.id),
                text: "同意".into(),
                on_behalf_of: None,
                in_hall: false,
            },
        )
        .expect("the reply names a comment this phone holds");
    f.cadre
        .store
        .import(f.cycle, std::slice::from_ref(&parent))
        .unwrap();
    f.sync();
    for d in std::iter::once(&f.cadre).chain(&f.residents) {
        let listed: Vec<(uuid::Uuid, Option<uuid::Uuid>)> = d
            .store
            .comments_on(f.cycle, ids[0])
            .unwrap()
            .iter()
            .map(|c| (c.id, c.reply_to))
            .collect();
        assert_eq!(
            listed,
            [(parent.id, None), (reply, Some(parent.id))],
            "{}",
            d.name
        );
        let audit = d.store.audit_against_device(f.cycle).unwrap();
        assert!(audit.matches_device_state, "{}", d.name);
        assert!(audit.state.verdicts[&reply].is_valid(), "{}", d.name);
    }
}

#[test]
fn a_thief_cannot_displace_a_ballot_signed_before_the_revocation() {
    use linli_core::record::envelope::{Draft, SignedRecord};
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    f.residents[0]
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    f.sync();
    let lost = f.residents[0].store.device_key();
    f.cadre.store.revoke(f.cycle, lost, "手机丢失").unwrap();
    f.sync();
    let owner = f
        .cadre
        .store
        .export(f.cycle)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.decode().ok())
        .find(|d| d.signer == lost && d.kind() == linli_core::Kind::Ballot)
        .unwrap();
    // The thief signs another ballot under the owner's sequence number, trying claimed times
    // until its id sorts below the owner's (which used to win the slot).
    let thief = secret_of(&f, "r0");
    let forged = (1..)
        .map(|ms| {
            SignedRecord::sign(
                &thief,
                &Draft {
                    cycle: f.cycle,
                    seq: owner.seq,
                    time: owner.time - chrono::Duration::milliseconds(ms),
                    phase: owner.phase,
                    body: Body::Ballot(Ballot::approve(vec![ids[1]])),
                },
            )
        })
        .find(|r| r.id < owner.id)
        .unwrap();
    // However it arrives: at the tablet, or first at a phone that then syncs.
    f.cadre
        .store
        .import(f.cycle, std::slice::from_ref(&forged))
        .unwrap();
    f.residents[1]
        .store
        .import(f.cycle, std::slice::from_ref(&forged))
        .unwrap();
    f.sync();
    for d in std::iter::once(&f.cadre).chain(&f.residents) {
        let rows = d.store.proposals(f.cycle, &Default::default()).unwrap();
        assert_eq!(
            rows.iter().find(|p| p.id == ids[0]).unwrap().votes,
            1,
            "{}",
            d.name
        );
        assert_eq!(
            rows.iter().find(|p| p.id == ids[1]).unwrap().votes,
            0,
            "{}",
            d.name
        );
        let st = d.store.state(f.cycle).unwrap();
        assert!(st.verdicts[&owner.id].is_valid(), "{}", d.name);
        assert!(!st.verdicts[&forged.id].is_valid(), "{}", d.name);
    }
}

/// A made-up resident's device key, different for every `i`.
fn resident_key(i: usize) -> linli_core::DeviceKey {
    let mut seed = [7u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    linli_core::identity::DeviceSecret::from_seed(&seed).public()
}

#[test]
fn a_cadre_key_with_thousands_of_registrations_is_revoked_in_parts() {
    use linli_core::record::roll::{MAX_KEPT, RollEntry};
    let f = Fixture::new(1);
    // The second cadre registers more residents than one revocation can keep.
    let n = MAX_KEPT + 100;
    for i in 0..n {
        f.cadre2
            .act(
                f.cycle,
                Body::RollEntry(RollEntry {
                    member: uuid::Uuid::now_v7(),
                    display_name: format!("居民{i}"),
                    device_key: Some(resident_key(i)),
                    age_band: None,
                    roles: [Role::Resident].into_iter().collect(),
                    age_15_plus: true,
                    attestation: "当面核验".into(),
                }),
            )
            .unwrap();
    }
    exchange(&f.cadre2, &f.cadre, f.cycle).unwrap();
    let members = f.cadre.store.members(f.cycle).unwrap().len();
    f.cadre
        .store
        .revoke(f.cycle, f.cadre2.store.device_key(), "平板丢失")
        .unwrap();
    let st = f.cadre.store.state(f.cycle).unwrap();
    let parts = f
        .cadre
        .store
        .export(f.cycle)
        .unwrap()
        .iter()
        .filter(|r| {
            r.decode()
                .is_ok_and(|d| d.kind() == linli_core::Kind::Revocation)
        })
        .count();
    assert_eq!(parts, 2, "{n} registrations take two revocations");
    assert_eq!(
        st.keys[&f.cadre2.store.device_key()]
            .kept
            .as_ref()
            .unwrap()
            .len(),
        n
    );
    // Every registration made before stays; the lost tablet registers no one new.
    assert_eq!(f.cadre.store.members(f.cycle).unwrap().len(), members);
    let late = Device::open(f.dir.path(), "late", "后来者").unwrap();
    register(&f.cadre2, &late, f.cycle, &[Role::Resident]).unwrap();
    exchange(&f.cadre2, &f.cadre, f.cycle).unwrap();
    assert_eq!(f.cadre.store.members(f.cycle).unwrap().len(), members);
}

#[test]
fn a_lost_phone_is_revoked_and_a_new_one_attested() {
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    let old_phone = &f.residents[0];
    old_phone
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    f.sync();
    f.cadre
        .store
        .revoke(
            f.cycle,
            old_phone.store.device_key(),
            "手机丢失 / phone lost",
        )
        .unwrap();
    // Whoever holds the old phone, offline, changes the vote.
    old_phone
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[1]])))
        .unwrap();
    f.sync();
    let rows = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    assert_eq!(
        rows.iter().find(|p| p.id == ids[0]).unwrap().votes,
        1,
        "the ballot signed before the revocation still counts"
    );
    assert_eq!(rows.iter().find(|p| p.id == ids[1]).unwrap().votes, 0);
    assert!(
        f.cadre
            .store
            .records(f.cycle, true)
            .unwrap()
            .iter()
            .any(|r| r.code.as_deref() == Some("revoked_key"))
    );
    // The resident gets a new phone, attested for the same member.
    let new_phone = Device {
        member: old_phone.member,
        ..Device::open(f.dir.path(), "r0-new", "居民0").unwrap()
    };
    register(&f.cadre, &new_phone, f.cycle, &[Role::Resident]).unwrap();
    new_phone
        .store
        .follow_cycle(f.cycle, f.cadre.store.state(f.cycle).unwrap().genesis_id)
        .unwrap();
    exchange(&new_phone, &f.cadre, f.cycle).unwrap();
    new_phone
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[1]])))
        .unwrap();
    exchange(&new_phone, &f.cadre, f.cycle).unwrap();
    let rows = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    assert_eq!(rows.iter().find(|p| p.id == ids[0]).unwrap().votes, 0);
    assert_eq!(
        rows.iter().find(|p| p.id == ids[1]).unwrap().votes,
        1,
        "one member, one current ballot"
    );
    assert_eq!(
        new_phone.store.my_ballot(f.cycle).unwrap().unwrap().choices,
        vec![ids[1]]
    );
}

#[test]
fn concurrent_calls_from_several_threads_are_serialised() {
    let f = Fixture::new(1);
    f.advance(Phase::Proposals);
    f.sync();
    let store = Arc::new(Store::open(f.dir.path().join("r0.db")).unwrap());
    drop(f.residents);
    let cycle = f.cycle;
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    let p: Proposal = proposal(&format!("线程{t}提案{i}"), 1_000 + i);
                    store.submit(cycle, Body::Proposal(Box::new(p))).unwrap();
                    store.proposals(cycle, &Default::default()).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.summary(cycle).unwrap().proposals, 20);
    let seqs: Vec<u64> = own_seqs(&store, cycle);
    let mut sorted = seqs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 20, "every record got its own sequence number");
    assert!(matches!(
        store.submit(cycle, Body::Proposal(Box::new(proposal("", 1)))),
        Err(StoreError::Rejected(Exclusion::TextEmpty { .. }))
    ));
}

#[test]
fn a_reinstalled_app_with_its_old_key_never_reuses_a_sequence_number() {
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    f.residents[0]
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    f.sync();
    // The app is reinstalled: a new, empty database, the key restored from the keystore.
    let key = std::fs::read_to_string(f.dir.path().join("r0.db.key")).unwrap();
    std::fs::write(f.dir.path().join("r0-reinstalled.db.key"), key).unwrap();
    let phone = Device {
        member: f.residents[0].member,
        ..Device::open(f.dir.path(), "r0-reinstalled", "居民0").unwrap()
    };
    phone
        .store
        .follow_cycle(f.cycle, f.cadre.store.state(f.cycle).unwrap().genesis_id)
        .unwrap();
    exchange(&phone, &f.cadre, f.cycle).unwrap();
    phone
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[1]])))
        .unwrap();
    exchange(&phone, &f.cadre, f.cycle).unwrap();
    let invalid = f.cadre.store.records(f.cycle, true).unwrap();
    assert!(
        invalid
            .iter()
            .all(|r| r.code.as_deref() != Some("conflicting")),
        "{invalid:?}"
    );
    assert_eq!(
        f.cadre
            .store
            .proposals(f.cycle, &Default::default())
            .unwrap()
            .iter()
            .find(|p| p.id == ids[1])
            .unwrap()
            .votes,
        1
    );
    assert_eq!(
        f.cadre.store.summary(f.cycle).unwrap().proposals,
        2,
        "the resident's proposal is still valid"
    );
}

#[test]
fn the_invalid_count_stays_equal_to_the_invalid_records_listed() {
    use linli_core::record::Kind;
    use linli_core::record::envelope::SignedRecord;
    let f = Fixture::new(3);
    let ids = f.to_voting(3);
    // Two changes of mind (two superseded ballots), written in place one vote at a time.
    for pick in [ids[0], ids[1], ids[2]] {
        f.residents[0]
            .act(f.cycle, Body::Ballot(Ballot::approve(vec![pick])))
            .unwrap();
    }
    f.residents[1]
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    // A ballot altered after signing reaches the cadre: refused at the door, not counted.
    let genuine = f.residents[1]
        .store
        .export(f.cycle)
        .unwrap()
        .into_iter()
        .find(|r| r.decode().is_ok_and(|d| d.kind() == Kind::Ballot))
        .unwrap();
    let altered = String::from_utf8(genuine.signed.clone()).unwrap().replacen(
        "\"time\":\"20",
        "\"time\":\"21",
        1,
    );
    let forged = SignedRecord::from_parts(altered.into_bytes(), genuine.signature);
    assert_ne!(forged.id, genuine.id);
    assert_eq!(
        f.cadre
            .store
            .import(f.cycle, &[forged])
            .unwrap()
            .refused
            .len(),
        1
    );
    f.sync();
    let check = |store: &Store, expected: usize| {
        let listed = store.records(f.cycle, true).unwrap().len();
        assert_eq!(listed, expected);
        assert_eq!(store.summary(f.cycle).unwrap().invalid as usize, listed);
        assert_eq!(store.state(f.cycle).unwrap().excluded_count(), listed);
        assert_eq!(store.audit(f.cycle).unwrap().excluded_count(), listed);
    };
    for r in &f.residents {
        check(&r.store, 2);
    }
    check(&f.cadre.store, 2);
    // Read back from disk: the count written in place equals a full fold's.
    let reopened = Store::open(f.dir.path().join("cadre.db")).unwrap();
    check(&reopened, 2);
}

#[test]
fn a_proposal_detail_shows_its_latest_valid_content_on_every_device() {
    use linli_core::record::proposal::ProposalRevision;
    let f = Fixture::new(2);
    f.advance(Phase::Proposals);
    f.sync();
    let mut body = proposal("加装楼道扶手", 50_000);
    body.content.goals = vec!["老人上下楼安全".into()];
    let id = f.residents[0]
        .act(f.cycle, Body::Proposal(Box::new(body.clone())))
        .unwrap();
    // The author revises it; a neighbour may not.
    let mut revised = body.content.clone();
    revised.steps = vec!["测量".into(), "安装".into()];
    revised.risks = vec!["施工噪音：白天施工".into()];
    revised
        .budget_lines
        .push(linli_core::record::proposal::BudgetLine {
            item: "验收".into(),
            amount: linli_core::Fen::yuan(2_000),
        });
    revised.estimated_budget = linli_core::Fen::yuan(52_000);
    f.residents[0]
        .act(
            f.cycle,
            Body::ProposalRevision(Box::new(ProposalRevision {
                proposal: id,
                content: revised.clone(),
                reason: "补充验收费用".into(),
            })),
        )
        .unwrap();
    f.sync();
    let mut hijack = revised.clone();
    hijack.title = "改成停车位".into();
    let err = f.residents[1]
        .act(
            f.cycle,
            Body::ProposalRevision(Box::new(ProposalRevision {
                proposal: id,
                content: hijack,
                reason: "我想要".into(),
            })),
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Rejected(Exclusion::NotEligible { .. })),
        "{err:?}"
    );
    f.sync();
    for d in f.others() {
        let detail = d.store.proposal(f.cycle, id).unwrap().unwrap();
        assert_eq!(detail.content, revised);
        assert_eq!(detail.revisions, 1);
        assert_eq!(detail.row.title, "加装楼道扶手");
        assert_eq!(detail.row.estimate, linli_core::Fen::yuan(52_000));
        assert_eq!(detail.row.author, f.residents[0].member);
    }
    // The same detail after a rebuild of every view from the records.
    let reopened = Store::open(f.dir.path().join("cadre.db")).unwrap();
    assert_eq!(
        reopened.proposal(f.cycle, id).unwrap(),
        f.cadre.store.proposal(f.cycle, id).unwrap()
    );
    assert_eq!(
        f.cadre
            .store
            .proposal(f.cycle, uuid::Uuid::now_v7())
            .unwrap(),
        None
    );
}

/// Opening a store to read it writes nothing (issue 19): the database file is byte for byte the
/// same after an open, a screen's reads and a close, and no WAL is left behind. It used to set
/// `PRAGMA user_version` on every open, so each `linli status` appended a WAL frame and, as the
/// only connection, checkpointed it into the file when it closed.
#[test]
fn opening_a_store_to_read_it_writes_nothing() {
    let f = Fixture::new(3);
    let ids = f.to_voting(2);
    f.vote_all(|i| vec![ids[i % 2]]);
    let path = f.dir.path().join("reader.db");
    {
        let store = Store::open_with_keys(&path, &MemoryKeyStore([4; 32])).unwrap();
        store
            .follow_cycle(f.cycle, f.cadre.store.state(f.cycle).unwrap().genesis_id)
            .unwrap();
        store
            .import(f.cycle, &f.cadre.store.export(f.cycle).unwrap())
            .unwrap();
    }
    let wal = path.with_extension("db-wal");
    assert!(
        !wal.exists(),
        "the last connection checkpoints and removes its WAL"
    );
    let before = std::fs::read(&path).unwrap();
    for _ in 0..3 {
        let store = Store::open_with_keys(&path, &MemoryKeyStore([4; 32])).unwrap();
        let summary = store.summary(f.cycle).unwrap();
        assert_eq!(summary.voters, 3);
        store
            .proposals(f.cycle, &ProposalFilter::default())
            .unwrap();
        store.records(f.cycle, false).unwrap();
        drop(store);
        assert!(!wal.exists());
        assert!(
            std::fs::read(&path).unwrap() == before,
            "opening and reading changed the database file"
        );
    }
    // A write still lands, of course.
    let store = Store::open_with_keys(&path, &MemoryKeyStore([4; 32])).unwrap();
    store
        .follow_cycle(uuid::Uuid::now_v7(), uuid::Uuid::now_v7())
        .unwrap();
    drop(store);
    assert!(std::fs::read(&path).unwrap() != before);
}

/// Database pages a vote appends to the write-ahead log, counted from the log itself: a
/// resident's phone on a file store holding 20,000 ballots of 500 proposals casts a first vote,
/// then changes it 20 times. A vote writes the record (its row, its id index, the cycle's
/// index), the cycle's summary row (which also holds every live count and the resident's own
/// ballot) and, when it replaces a ballot, that ballot's exclusion: 5 pages, 4 for a first
/// vote, against 9 before migration 012.
#[test]
fn a_vote_writes_five_pages_at_twenty_thousand_ballots() {
    use linli_tests::synth;
    let dir = tempfile::tempdir().unwrap();
    let s = synth::cycle(21_000, 500, 20_000);
    let voter = 20_500;
    let path = dir.path().join("phone.db");
    let store = Store::open_with_keys(&path, &MemoryKeyStore(synth::resident_seed(voter))).unwrap();
    store.follow_cycle(s.cycle, s.genesis).unwrap();
    for chunk in s.records.chunks(5_000) {
        store.import(s.cycle, chunk).unwrap();
    }
    let side = Connection::open(&path).unwrap();
    let wal = {
        let mut p = path.clone().into_os_string();
        p.push("-wal");
        std::path::PathBuf::from(p)
    };
    let page: i64 = side
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let page = page as u64;
    // Frames appended to the log by `vote`, after emptying it (once the store's own checkpoint
    // thread, busy after the import, lets this one run).
    side.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let frames_of = |vote: &mut dyn FnMut()| -> u64 {
        let started = std::time::Instant::now();
        while side
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
            != 0
        {
            assert!(started.elapsed().as_secs() < 30, "the log stayed busy");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
        vote();
        (std::fs::metadata(&wal).unwrap().len() - 32) / (page + 24)
    };
    let first = frames_of(&mut || {
        store
            .submit(s.cycle, Body::Ballot(Ballot::approve(vec![s.proposals[0]])))
            .unwrap();
    });
    let changes = frames_of(&mut || {
        for i in 1..=20 {
            store
                .submit(s.cycle, Body::Ballot(Ballot::approve(vec![s.proposals[i]])))
                .unwrap();
        }
    });
    // One vote can also split a leaf (a new page and its parent) and grow the file (the
    // header page): measured here 4 for the first vote and 114 for the 20 changes, where the
    // views before migration 012 took 177 for the 20 changes (docs/benchmarks.md).
    assert!(first <= 8, "a first vote wrote {first} pages");
    assert!(
        changes <= 20 * 13 / 2,
        "20 changed votes wrote {changes} pages"
    );
    // What the pages hold reads back: the counts and the resident's own ballot.
    let me = store.my_ballot(s.cycle).unwrap().unwrap();
    assert_eq!(me.choices, vec![s.proposals[20]]);
    assert_eq!(me.status, "cast");
    let rows = store.proposals(s.cycle, &Default::default()).unwrap();
    let st = store.state(s.cycle).unwrap();
    for row in &rows {
        assert_eq!(row.votes, st.proposals[&row.id].votes, "{}", row.title);
    }
    assert!(rows.windows(2).all(|w| w[0].votes >= w[1].votes));
    let superseded = store.records(s.cycle, true).unwrap();
    assert!(superseded.len() >= 20, "{}", superseded.len());
}
