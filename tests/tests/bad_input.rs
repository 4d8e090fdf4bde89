//! Bad input: each case gets its typed error or recorded exclusion reason, and nothing else
//! changes.

use linli_core::identity::DeviceSecret;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::Phase;
use linli_core::record::envelope::{Draft, SignedRecord};
use linli_core::record::evaluation::Rating;
use linli_core::record::proposal::{Review, ReviewDecision};
use linli_core::store::StoreError;
use linli_core::{Exclusion, Fen};
use linli_tests::{Fixture, POOL, own_seqs, proposal, snapshot};

/// Runs a local action that must be refused with `expected`, and checks that nothing changed —
/// not the views, not the records, not the device's sequence number.
fn refused(f: &Fixture, device: usize, body: Body, expected: impl Fn(&StoreError) -> bool) {
    let d = if device == usize::MAX {
        &f.cadre
    } else {
        &f.residents[device]
    };
    let before = snapshot(&d.store, f.cycle);
    let err = d.act(f.cycle, body).expect_err("action must be refused");
    assert!(expected(&err), "unexpected error: {err:?}");
    assert_eq!(
        before,
        snapshot(&d.store, f.cycle),
        "a refused action changed the store"
    );
    // The next valid action still gets the next sequence number (no gap, nothing half-written).
    let seqs = own_seqs(&d.store, f.cycle);
    let max = seqs.iter().max().copied().unwrap_or(0);
    assert_eq!(
        seqs.len() as u64,
        max,
        "sequence numbers of this device have gaps"
    );
}

#[test]
fn ballot_before_voting_opens_is_wrong_phase() {
    let f = Fixture::new(3);
    f.advance(Phase::Proposals);
    f.sync();
    let p = f.residents[0]
        .act(f.cycle, Body::Proposal(Box::new(proposal("路灯", 10_000))))
        .unwrap();
    refused(&f, 1, Body::Ballot(Ballot::approve(vec![p])), |e| {
        matches!(
            e,
            StoreError::Rejected(Exclusion::WrongPhase {
                actual: Phase::Proposals,
                ..
            })
        )
    });
}

#[test]
fn resident_trying_a_cadre_action_lacks_the_role() {
    let f = Fixture::new(2);
    f.advance(Phase::Proposals);
    f.sync();
    let p = f.residents[0]
        .act(f.cycle, Body::Proposal(Box::new(proposal("路灯", 10_000))))
        .unwrap();
    f.sync();
    f.advance(Phase::Deliberation);
    f.sync();
    refused(
        &f,
        1,
        Body::Review(Review {
            proposal: p,
            decision: ReviewDecision::Shortlist,
            reason: "我觉得好".into(),
            supersedes: None,
        }),
        |e| {
            matches!(
                e,
                StoreError::Rejected(Exclusion::MissingRole {
                    role: linli_core::record::roll::Role::Cadre
                })
            )
        },
    );
}

#[test]
fn proposal_over_the_pool_zero_or_negative_is_refused() {
    let f = Fixture::new(1);
    f.advance(Phase::Proposals);
    f.sync();
    let over = POOL.get() / 100 + 1;
    refused(
        &f,
        0,
        Body::Proposal(Box::new(proposal("新建大楼", over))),
        |e| matches!(e, StoreError::Rejected(Exclusion::OverBudget { limit, .. }) if *limit == POOL),
    );
    refused(
        &f,
        0,
        Body::Proposal(Box::new(proposal("免费", 0))),
        |e| matches!(e, StoreError::Rejected(Exclusion::InvalidAmount { .. })),
    );
    let mut neg = proposal("负数", 1);
    neg.content.budget_lines[0].amount = Fen(-100);
    neg.content.estimated_budget = Fen(-100);
    refused(&f, 0, Body::Proposal(Box::new(neg)), |e| {
        matches!(e, StoreError::Rejected(Exclusion::InvalidAmount { .. }))
    });
    let mut mismatch = proposal("对不上", 1_000);
    mismatch.content.estimated_budget = Fen::yuan(2_000);
    refused(
        &f,
        0,
        Body::Proposal(Box::new(mismatch)),
        |e| matches!(e, StoreError::Rejected(Exclusion::InvalidAmount { field, .. }) if field == "budget_lines"),
    );
}

#[test]
fn empty_and_100kb_titles_are_refused() {
    let f = Fixture::new(1);
    f.advance(Phase::Proposals);
    f.sync();
    let mut empty = proposal("x", 1_000);
    empty.content.title = "   ".into();
    refused(
        &f,
        0,
        Body::Proposal(Box::new(empty)),
        |e| matches!(e, StoreError::Rejected(Exclusion::TextEmpty { field }) if field == "title"),
    );
    let mut huge = proposal("x", 1_000);
    huge.content.title = "长".repeat(100 * 1024 / 3);
    refused(
        &f,
        0,
        Body::Proposal(Box::new(huge)),
        |e| matches!(e, StoreError::Rejected(Exclusion::TextTooLong { field, max: 100, .. }) if field == "title"),
    );
}

#[test]
fn rating_of_six_is_refused() {
    let f = Fixture::new(1);
    let p = f.to_voting(1)[0];
    refused(
        &f,
        0,
        Body::Rating(Rating {
            project: p,
            stars: 6,
            comment: String::new(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::RuleViolation { .. })),
    );
}

#[test]
fn a_stranger_is_refused_locally_and_held_aside_remotely_until_registered() {
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    // Locally: a phone that follows the cycle but was never registered.
    let stranger = linli_cli::devices::Device::open(f.dir.path(), "stranger", "陌生人").unwrap();
    let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
    stranger.store.follow_cycle(f.cycle, genesis).unwrap();
    linli_cli::devices::exchange(&stranger, &f.residents[0], f.cycle).unwrap();
    let err = stranger
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotOnRoll(c) if c == f.cycle));
    // Remotely: the same ballot signed by hand and delivered to the tablet is held aside: not
    // part of the cycle, not shown, not sent on.
    let phase = f.cadre.store.state(f.cycle).unwrap().phase.1;
    let secret = DeviceSecret::generate().unwrap();
    let forged = SignedRecord::sign(
        &secret,
        &Draft {
            cycle: f.cycle,
            seq: 1,
            time: chrono::Utc::now(),
            phase: Some(phase),
            body: Body::Ballot(Ballot::approve(vec![ids[0]])),
        },
    );
    let before = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    let report = f
        .cadre
        .store
        .import(f.cycle, std::slice::from_ref(&forged))
        .unwrap();
    assert_eq!((report.new, report.held), (1, 1));
    assert!(report.excluded.is_empty());
    assert_eq!(
        before,
        f.cadre
            .store
            .proposals(f.cycle, &Default::default())
            .unwrap(),
        "votes changed"
    );
    assert!(f.cadre.store.records(f.cycle, true).unwrap().is_empty());
    assert!(
        !f.cadre
            .store
            .export(f.cycle)
            .unwrap()
            .iter()
            .any(|r| r.id == forged.id)
    );
    // It does not reach another device.
    linli_cli::devices::exchange(&f.residents[1], &f.cadre, f.cycle).unwrap();
    assert!(
        !f.residents[1]
            .store
            .export(f.cycle)
            .unwrap()
            .iter()
            .any(|r| r.id == forged.id)
    );
    // Delivered again: already held, nothing to do.
    let again = f
        .cadre
        .store
        .import(f.cycle, std::slice::from_ref(&forged))
        .unwrap();
    assert_eq!((again.new, again.known), (0, 1));
    // Once the cadre registers that key, the held ballot is part of the cycle and counts.
    f.cadre
        .act(
            f.cycle,
            Body::RollEntry(linli_core::record::roll::RollEntry {
                member: uuid::Uuid::now_v7(),
                display_name: "迟到者".into(),
                device_key: Some(secret.public()),
                age_band: None,
                roles: [linli_core::record::roll::Role::Resident]
                    .into_iter()
                    .collect(),
                age_15_plus: true,
                attestation: "当面核验".into(),
            }),
        )
        .unwrap();
    let rows = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    assert_eq!(rows.iter().find(|p| p.id == ids[0]).unwrap().votes, 1);
    assert!(
        f.cadre
            .store
            .export(f.cycle)
            .unwrap()
            .iter()
            .any(|r| r.id == forged.id)
    );
}

#[test]
fn forged_signature_is_refused_and_counts_nothing() {
    let f = Fixture::new(3);
    let ids = f.to_voting(2);
    f.residents[0]
        .act(f.cycle, Body::Ballot(Ballot::approve(vec![ids[0]])))
        .unwrap();
    // Take the resident's real ballot, switch the approval, keep the signature.
    let honest = f.residents[0].store.export(f.cycle).unwrap().pop().unwrap();
    let text = String::from_utf8(honest.signed.clone())
        .unwrap()
        .replace(&ids[0].to_string(), &ids[1].to_string());
    let forged = SignedRecord::from_parts(text.into_bytes(), honest.signature);
    assert_ne!(forged.id, honest.id);
    let before = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    let report = f
        .cadre
        .store
        .import(f.cycle, std::slice::from_ref(&forged))
        .unwrap();
    assert_eq!(report.refused, vec![(forged.id, Exclusion::BadSignature)]);
    assert_eq!((report.new, report.excluded.len()), (0, 0));
    assert!(f.cadre.store.records(f.cycle, true).unwrap().is_empty());
    assert_eq!(
        before,
        f.cadre
            .store
            .proposals(f.cycle, &Default::default())
            .unwrap()
    );
    // The honest ballot still counts once it arrives.
    f.cadre.store.import(f.cycle, &[honest]).unwrap();
    let rows = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    assert_eq!(rows.iter().find(|p| p.id == ids[0]).unwrap().votes, 1);
    assert_eq!(rows.iter().find(|p| p.id == ids[1]).unwrap().votes, 0);
}

#[test]
fn invalid_utf8_and_garbage_from_outside_are_malformed() {
    let f = Fixture::new(1);
    let before = snapshot(&f.cadre.store, f.cycle);
    let bad = SignedRecord::from_parts(vec![b'{', 0xff, 0xfe, b'}'], [7; 64]);
    let garbage = SignedRecord::from_parts(b"{\"v\":1}".to_vec(), [0; 64]);
    let report = f
        .cadre
        .store
        .import(f.cycle, &[bad.clone(), garbage.clone()])
        .unwrap();
    assert_eq!(report.new, 0);
    for (id, reason) in &report.refused {
        assert!(
            matches!(reason, Exclusion::Malformed { .. }),
            "{id}: {reason:?}"
        );
    }
    assert_eq!(report.refused.len(), 2);
    assert!(SignedRecord::from_bytes(&[1, 2, 3]).is_err());
    // Refused at the door: nothing is stored, nothing changes.
    assert_eq!(before, snapshot(&f.cadre.store, f.cycle));
    assert!(f.cadre.store.records(f.cycle, true).unwrap().is_empty());
}

#[test]
fn record_for_another_cycle_is_refused_as_wrong_cycle() {
    let f = Fixture::new(1);
    let g = Fixture::new(1);
    let foreign = g.cadre.store.export(g.cycle).unwrap();
    let report = f.cadre.store.import(f.cycle, &foreign).unwrap();
    assert_eq!(report.refused.len(), foreign.len());
    assert!(
        report
            .refused
            .iter()
            .all(|(_, e)| matches!(e, Exclusion::WrongCycle { .. }))
    );
    assert_eq!(report.new, 0);
    assert_eq!(f.cadre.store.members(f.cycle).unwrap().len(), 3);
}

#[test]
fn unknown_cycle_is_a_typed_error() {
    let f = Fixture::new(0);
    let other = uuid::Uuid::now_v7();
    assert!(matches!(f.cadre.store.summary(other), Err(StoreError::UnknownCycle(c)) if c == other));
    assert!(matches!(
        f.cadre.act(other, Body::Ballot(Ballot::approve(vec![]))),
        Err(StoreError::UnknownCycle(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Invites: checked against the genesis when it arrives, replaceable while forged, bounded, and
// listed at once.

fn meet(a: &linli_cli::devices::Device, b: &linli_cli::devices::Device) {
    linli_cli::devices::meet(a, b).unwrap();
}

#[test]
fn a_forged_invite_scanned_first_is_replaced_by_the_genuine_one() {
    let f = Fixture::new(1);
    let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
    let phone = linli_cli::devices::Device::open(f.dir.path(), "new", "新居民").unwrap();
    // A real cycle id with a made-up genesis.
    phone
        .store
        .follow_cycle(f.cycle, uuid::Uuid::now_v7())
        .unwrap();
    // Listed at once, awaiting its first sync; acting says why it cannot.
    let listed = phone.store.summary(f.cycle).unwrap();
    assert_eq!(listed.phase, "awaiting_genesis");
    assert_eq!(phone.store.cycles().unwrap().len(), 1);
    let err = phone
        .act(f.cycle, Body::Proposal(Box::new(proposal("早到", 10_000))))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotOnRoll(_)), "{err:?}");
    // A bundle of the cycle brought under the forged root is held aside, not trusted.
    let all = f.cadre.store.export(f.cycle).unwrap();
    let r = phone.store.import(f.cycle, &all).unwrap();
    assert_eq!(r.held, all.len());
    assert_eq!(
        phone.store.summary(f.cycle).unwrap().phase,
        "awaiting_genesis"
    );
    // The genuine invite replaces the forged root; what was held is judged again.
    phone.store.follow_cycle(f.cycle, genesis).unwrap();
    assert_eq!(phone.store.summary(f.cycle).unwrap().phase, "outreach");
    assert_eq!(
        phone.store.state(f.cycle).unwrap().canonical_bytes(),
        f.cadre.store.state(f.cycle).unwrap().canonical_bytes()
    );
    // Once the genesis is held, the root is fixed.
    assert!(matches!(
        phone.store.follow_cycle(f.cycle, uuid::Uuid::now_v7()),
        Err(StoreError::Rejected(Exclusion::UntrustedGenesis))
    ));
    // And sync works as for any phone.
    meet(&phone, &f.cadre);
}

#[test]
fn invented_cycles_are_bounded_and_can_be_left() {
    let f = Fixture::new(1);
    let phone = linli_cli::devices::Device::open(f.dir.path(), "new", "新居民").unwrap();
    let invented: Vec<uuid::Uuid> = (0..linli_core::store::MAX_AWAITING)
        .map(|_| {
            let c = uuid::Uuid::now_v7();
            phone.store.follow_cycle(c, uuid::Uuid::now_v7()).unwrap();
            c
        })
        .collect();
    assert!(matches!(
        phone
            .store
            .follow_cycle(uuid::Uuid::now_v7(), uuid::Uuid::now_v7()),
        Err(StoreError::TooManyAwaiting { .. })
    ));
    let genesis = f.cadre.store.state(f.cycle).unwrap().genesis_id;
    phone.store.leave_cycle(invented[0]).unwrap();
    phone.store.follow_cycle(f.cycle, genesis).unwrap();
    meet(&phone, &f.cadre);
    assert_eq!(phone.store.summary(f.cycle).unwrap().phase, "outreach");
    for c in &invented[1..] {
        phone.store.leave_cycle(*c).unwrap();
    }
    assert_eq!(phone.store.cycles().unwrap().len(), 1);
    assert!(matches!(
        phone.store.summary(invented[1]),
        Err(StoreError::UnknownCycle(_))
    ));
    // A cycle the device has acted in cannot be left.
    f.cadre
        .store
        .advance_phase(f.cycle, Phase::Proposals, "")
        .unwrap();
    assert!(matches!(
        f.cadre.store.leave_cycle(f.cycle),
        Err(StoreError::Rejected(Exclusion::RuleViolation { .. }))
    ));
}

/// The reported defect: any well-formed bundle's junk was kept as excluded records, written into
/// the documents and spread to every device (13 → 1,505 records in one test).
#[test]
fn junk_from_a_hostile_bundle_stays_on_the_device_that_got_it() {
    let f = Fixture::new(2);
    let ids = f.to_voting(2);
    let before: Vec<usize> = std::iter::once(&f.cadre)
        .chain(&f.residents)
        .map(|d| d.store.export(f.cycle).unwrap().len())
        .collect();
    let phase = f.cadre.store.state(f.cycle).unwrap().phase.1;
    // 1,500 well-signed ballots from 30 keys no cadre ever registered.
    let junk: Vec<SignedRecord> = (0..1_500)
        .map(|i| {
            let key = DeviceSecret::from_seed(&[(i % 30) as u8 + 1; 32]);
            SignedRecord::sign(
                &key,
                &Draft {
                    cycle: f.cycle,
                    seq: (i / 30 + 1) as u64,
                    time: chrono::Utc::now(),
                    phase: Some(phase),
                    body: Body::Ballot(Ballot::approve(vec![ids[i % 2]])),
                },
            )
        })
        .collect();
    let r = f.residents[0].store.import(f.cycle, &junk).unwrap();
    assert_eq!((r.new, r.held), (1_500, 1_500));
    let tally = f
        .cadre
        .store
        .proposals(f.cycle, &Default::default())
        .unwrap();
    f.sync();
    linli_cli::devices::meet(&f.residents[0], &f.residents[1]).unwrap();
    linli_cli::devices::meet(&f.residents[0], &f.cadre).unwrap();
    let after: Vec<usize> = std::iter::once(&f.cadre)
        .chain(&f.residents)
        .map(|d| d.store.export(f.cycle).unwrap().len())
        .collect();
    assert_eq!(before, after, "junk spread");
    assert_eq!(
        f.cadre
            .store
            .proposals(f.cycle, &Default::default())
            .unwrap(),
        tally
    );
    assert_eq!(
        snapshot(&f.residents[0].store, f.cycle),
        snapshot(&f.residents[1].store, f.cycle),
        "the device holding the junk shows the same cycle"
    );
}

/// Every kind issue 18 added, refused with its reason and changing nothing: out of phase, empty,
/// oversized, unknown references, the wrong signer.
#[test]
fn participation_records_out_of_phase_or_malformed_are_refused() {
    use linli_core::record::ballot::PaperBallot;
    use linli_core::record::comment::{Comment, CommentHiding};
    use linli_core::record::meeting::{Meeting, MeetingItem};
    use linli_core::record::proposal::{Category, Recategorisation};
    use uuid::Uuid;
    const CADRE: usize = usize::MAX;
    let f = Fixture::new(3);
    let comment = |on: Uuid, text: &str| Comment {
        on,
        reply_to: None,
        text: text.into(),
        on_behalf_of: None,
        in_hall: false,
    };
    // Outreach: nothing to comment on yet, and commenting is not open.
    refused(&f, 0, Body::Comment(comment(Uuid::now_v7(), "早")), |e| {
        matches!(
            e,
            StoreError::Rejected(Exclusion::WrongPhase {
                actual: Phase::Outreach,
                ..
            })
        )
    });
    f.advance(Phase::Proposals);
    f.sync();
    let p = f.residents[0]
        .act(f.cycle, Body::Proposal(Box::new(proposal("路灯", 10_000))))
        .unwrap();
    f.sync();
    let paper = |member: Uuid, sheet: &str| {
        Body::PaperBallot(PaperBallot {
            member,
            sheet: sheet.into(),
            ballot: Ballot::approve(vec![p]),
        })
    };
    let member0 = f.residents[0].member;
    refused(&f, CADRE, paper(member0, "A-1"), |e| {
        matches!(
            e,
            StoreError::Rejected(Exclusion::WrongPhase {
                actual: Phase::Proposals,
                ..
            })
        )
    });
    let now = chrono::Utc::now();
    let meeting = |agenda: Vec<Uuid>, title: &str, minutes: i64| Meeting {
        title: title.into(),
        agenda,
        starts: now,
        ends: now + chrono::Duration::minutes(minutes),
    };
    refused(&f, CADRE, Body::Meeting(meeting(vec![p], "会", 60)), |e| {
        matches!(e, StoreError::Rejected(Exclusion::WrongPhase { .. }))
    });
    refused(&f, 1, Body::Comment(comment(p, "")), |e| {
        matches!(e, StoreError::Rejected(Exclusion::TextEmpty { .. }))
    });
    refused(&f, 1, Body::Comment(comment(p, &"很".repeat(501))), |e| {
        matches!(
            e,
            StoreError::Rejected(Exclusion::TextTooLong { max: 500, .. })
        )
    });
    refused(&f, 1, Body::Comment(comment(Uuid::now_v7(), "?")), |e| {
        matches!(e, StoreError::Rejected(Exclusion::UnknownReference { .. }))
    });
    let c = f.residents[1]
        .act(f.cycle, Body::Comment(comment(p, "支持")))
        .unwrap();
    f.sync();
    refused(
        &f,
        2,
        Body::CommentHiding(CommentHiding {
            comment: c,
            reason: "不喜欢".into(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::MissingRole { .. })),
    );
    refused(
        &f,
        CADRE,
        Body::CommentHiding(CommentHiding {
            comment: c,
            reason: " ".into(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::TextEmpty { .. })),
    );
    refused(
        &f,
        CADRE,
        Body::CommentHiding(CommentHiding {
            comment: Uuid::now_v7(),
            reason: "x".into(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::UnknownReference { .. })),
    );
    refused(
        &f,
        1,
        Body::Recategorisation(Recategorisation {
            proposal: p,
            category: Category::Greening,
            reason: "更合适".into(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::MissingRole { .. })),
    );
    refused(
        &f,
        CADRE,
        Body::Recategorisation(Recategorisation {
            proposal: p,
            category: Category::Education,
            reason: "更合适".into(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::RuleViolation { .. })),
    );
    // The vote: a paper sheet with no number, for someone not on the roll, by a resident.
    f.advance(Phase::Deliberation);
    f.cadre
        .act(
            f.cycle,
            Body::Review(Review {
                proposal: p,
                decision: ReviewDecision::Shortlist,
                reason: "可行".into(),
                supersedes: None,
            }),
        )
        .unwrap();
    refused(&f, CADRE, Body::Meeting(meeting(vec![p], "", 60)), |e| {
        matches!(e, StoreError::Rejected(Exclusion::TextEmpty { .. }))
    });
    refused(
        &f,
        CADRE,
        Body::Meeting(meeting(vec![Uuid::now_v7()], "会", 60)),
        |e| matches!(e, StoreError::Rejected(Exclusion::UnknownReference { .. })),
    );
    refused(&f, CADRE, Body::Meeting(meeting(vec![p], "会", -5)), |e| {
        matches!(e, StoreError::Rejected(Exclusion::RuleViolation { .. }))
    });
    let m = f
        .cadre
        .act(f.cycle, Body::Meeting(meeting(vec![p], "会", 60)))
        .unwrap();
    refused(
        &f,
        CADRE,
        Body::MeetingItem(MeetingItem {
            meeting: m,
            item: Uuid::now_v7(),
        }),
        |e| matches!(e, StoreError::Rejected(Exclusion::RuleViolation { .. })),
    );
    f.advance(Phase::Voting);
    f.sync();
    refused(&f, CADRE, paper(member0, ""), |e| {
        matches!(e, StoreError::Rejected(Exclusion::TextEmpty { .. }))
    });
    refused(&f, CADRE, paper(Uuid::now_v7(), "A-2"), |e| {
        matches!(e, StoreError::Rejected(Exclusion::UnknownReference { .. }))
    });
    refused(&f, 0, paper(f.residents[1].member, "A-3"), |e| {
        matches!(e, StoreError::Rejected(Exclusion::MissingRole { .. }))
    });
}
