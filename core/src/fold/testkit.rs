//! A cycle signed in memory for the rules' unit tests: a founding cadre, residents with their own
//! keys, phase changes, and any record a test wants to try, folded with no store.

use crate::fold::state::{CycleState, Verdict};
use crate::fold::{Checked, fold};
use crate::identity::DeviceSecret;
use crate::money::Fen;
use crate::phase::Phase;
use crate::record::ballot::Ballot;
use crate::record::cycle::{Genesis, SatisfactionRule, VotingRules};
use crate::record::envelope::{Draft, SignedRecord};
use crate::record::proposal::{BudgetLine, Category, Proposal, ProposalContent, ReviewDecision};
use crate::record::roll::RollEntry;
use crate::record::{Body, Kind};
use crate::role::Role;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

/// Who signs a record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Who {
    /// The founding cadre.
    Cadre,
    /// Resident `i` (registered by [`Kit::new`]).
    Resident(usize),
    /// A key nobody registered.
    Stranger,
}

struct Signer {
    secret: DeviceSecret,
    seq: u64,
}

pub(crate) struct Kit {
    pub cycle: Uuid,
    pub genesis: Uuid,
    pub records: Vec<SignedRecord>,
    pub members: Vec<Uuid>,
    cadre: Signer,
    residents: Vec<Signer>,
    stranger: Signer,
    phase: Uuid,
    tick: i64,
}

impl Kit {
    /// A cycle with a ¥300,000 pool, the given voting rules and `residents` residents of voting
    /// age, in the outreach phase.
    pub fn new(voting: VotingRules, residents: usize) -> Kit {
        Kit::with_programme(voting, residents, Default::default())
    }

    /// [`Kit::new`] with the programme's rules on what may be proposed.
    pub fn with_programme(
        voting: VotingRules,
        residents: usize,
        programme: crate::record::cycle::Programme,
    ) -> Kit {
        let seed = |n: u64| {
            let mut s = [0xA5; 32];
            s[..8].copy_from_slice(&n.to_le_bytes());
            s
        };
        let mut kit = Kit {
            cycle: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00AA),
            genesis: Uuid::nil(),
            records: Vec::new(),
            members: Vec::new(),
            cadre: Signer {
                secret: DeviceSecret::from_seed(&seed(1)),
                seq: 0,
            },
            residents: (0..residents)
                .map(|i| Signer {
                    secret: DeviceSecret::from_seed(&seed(10 + i as u64)),
                    seq: 0,
                })
                .collect(),
            stranger: Signer {
                secret: DeviceSecret::from_seed(&seed(2)),
                seq: 0,
            },
            phase: Uuid::nil(),
            tick: 0,
        };
        let genesis = kit.sign(
            Who::Cadre,
            Body::Genesis(Box::new(Genesis {
                community: "测试社区".into(),
                year: 2026,
                title: "规则测试".into(),
                budget_pool: Fen::yuan(300_000),
                calendar: vec![],
                voting,
                satisfaction: SatisfactionRule::default(),
                founder_member: Uuid::from_u128(1),
                founder_name: "书记".into(),
                programme,
            })),
        );
        kit.genesis = genesis;
        kit.phase = genesis;
        for i in 0..residents {
            let member = Uuid::from_u128(100 + i as u128);
            kit.members.push(member);
            let device_key = kit.residents[i].secret.public();
            kit.sign(
                Who::Cadre,
                Body::RollEntry(RollEntry {
                    member,
                    display_name: format!("居民{i}"),
                    device_key: Some(device_key),
                    age_band: None,
                    roles: [Role::Resident].into_iter().collect(),
                    age_15_plus: true,
                    attestation: "当面核验".into(),
                }),
            );
        }
        kit
    }

    /// The cadre adds roles to resident `i` (same member, same key: roles accumulate).
    pub fn grant(&mut self, i: usize, roles: &[Role]) {
        let device_key = self.residents[i].secret.public();
        let roles = roles.iter().copied().chain([Role::Resident]).collect();
        self.sign(
            Who::Cadre,
            Body::RollEntry(RollEntry {
                member: self.members[i],
                display_name: format!("居民{i}"),
                device_key: Some(device_key),
                age_band: None,
                roles,
                age_15_plus: true,
                attestation: "当面核验".into(),
            }),
        );
    }

    /// Resident `i`'s device key.
    pub fn key_of(&self, i: usize) -> crate::identity::DeviceKey {
        self.residents[i].secret.public()
    }

    /// How many records resident `i` has signed (their last sequence number).
    pub fn seq_of(&self, i: usize) -> u64 {
        self.residents[i].seq
    }

    /// Moves every signer's clock to `t` (the next record is signed one second after it).
    pub fn skip_to(&mut self, t: DateTime<Utc>) {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        self.tick = self.tick.max((t - start).num_seconds());
    }

    fn now(&mut self) -> DateTime<Utc> {
        self.tick += 1;
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::seconds(self.tick)
    }

    /// Signs a record (with the phase in effect when its kind needs one) and adds it.
    pub fn sign(&mut self, who: Who, body: Body) -> Uuid {
        let time = self.now();
        let phase = (!body.kind().allowed_phases().is_empty()).then_some(self.phase);
        let signer = match who {
            Who::Cadre => &mut self.cadre,
            Who::Resident(i) => &mut self.residents[i],
            Who::Stranger => &mut self.stranger,
        };
        signer.seq += 1;
        let r = SignedRecord::sign(
            &signer.secret,
            &Draft {
                cycle: self.cycle,
                seq: signer.seq,
                time,
                phase,
                body,
            },
        );
        let id = r.id;
        self.records.push(r);
        id
    }

    /// The cadre moves the cycle on, as the store's `advance_phase` drafts it.
    pub fn advance(&mut self, to: Phase) {
        let change = self
            .state()
            .draft_phase_change(to, "")
            .expect("the kit's phases follow the rules");
        self.phase = self.sign(Who::Cadre, Body::PhaseChange(change));
    }

    /// Resident `i` proposes something costing `yuan`.
    pub fn propose(&mut self, i: usize, title: &str, yuan: i64) -> Uuid {
        self.propose_in(i, title, yuan, Category::Facilities)
    }

    /// Resident `i` proposes something costing `yuan` in `category`.
    pub fn propose_in(&mut self, i: usize, title: &str, yuan: i64, category: Category) -> Uuid {
        let amount = Fen::yuan(yuan);
        self.sign(
            Who::Resident(i),
            Body::Proposal(Box::new(Proposal {
                content: ProposalContent {
                    title: title.into(),
                    description: format!("{title}：说明"),
                    category,
                    location: "1栋".into(),
                    target_group: "全体居民".into(),
                    needs_assessment: "走访".into(),
                    goals: vec!["改善".into()],
                    steps: vec!["施工".into()],
                    risks: vec![],
                    budget_lines: vec![BudgetLine {
                        item: "全部".into(),
                        amount,
                    }],
                    estimated_budget: amount,
                    attachments: vec![],
                },
                on_behalf_of: None,
            })),
        )
    }

    /// Proposals costing `yuan` each, all shortlisted, and the vote open.
    pub fn open_vote(&mut self, yuan: &[i64]) -> Vec<Uuid> {
        self.advance(Phase::Proposals);
        let ids: Vec<Uuid> = yuan
            .iter()
            .enumerate()
            .map(|(i, y)| self.propose(i % self.residents.len(), &format!("提案{i}"), *y))
            .collect();
        self.advance(Phase::Deliberation);
        for id in &ids {
            let review = self
                .state()
                .draft_review(*id, ReviewDecision::Shortlist, "符合");
            self.sign(Who::Cadre, Body::Review(review));
        }
        self.advance(Phase::Voting);
        ids
    }

    /// A cycle with one ¥100,000 proposal, voted, sealed, funded by the council, in the tender
    /// phase: residents `0..raters` may rate later, resident `raters` is a contractor and
    /// `raters + 1` a council member. Returns the kit and the project.
    pub fn funded_in_tender(raters: usize) -> (Kit, Uuid) {
        let (contractor, council) = (raters, raters + 1);
        let mut kit = Kit::new(VotingRules::approval(1, 1), raters + 2);
        kit.grant(contractor, &[Role::Contractor]);
        kit.grant(council, &[Role::Council]);
        let p = kit.open_vote(&[100_000])[0];
        kit.sign(Who::Resident(0), Body::Ballot(Ballot::approve(vec![p])));
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        kit.advance(Phase::Resolution);
        let resolution = kit.state().draft_resolution("决议").unwrap();
        kit.sign(Who::Resident(council), Body::Resolution(resolution));
        kit.advance(Phase::Tender);
        (kit, p)
    }

    /// The fold of every record so far.
    pub fn state(&self) -> CycleState {
        let checked: Vec<Checked> = self.records.iter().map(Checked::verify).collect();
        fold(self.cycle, self.genesis, &checked)
    }

    /// The exclusion code of record `id` (`"valid"` when it counts).
    pub fn code(&self, id: Uuid) -> &'static str {
        match self.state().verdicts.get(&id) {
            Some(Verdict::Valid) => "valid",
            Some(Verdict::Excluded { reason }) => reason.code(),
            None => "unjudged",
        }
    }
}

/// The kind of every record that a test may refer to is known to the registry.
#[test]
fn the_kit_founds_a_cycle() {
    let kit = Kit::new(VotingRules::approval(1, 3), 3);
    let st = kit.state();
    assert_eq!(st.members.len(), 4, "the founder and three residents");
    assert!(kit.records.iter().all(|r| kit.code(r.id) == "valid"));
    assert_eq!(st.kinds.get(&kit.genesis), Some(&Kind::Genesis));
}

impl Kit {
    /// The cadre registers a paper-only member (no device key), with an age band. Returns the
    /// member id.
    pub fn register_paper(&mut self, n: u128, band: Option<crate::record::roll::AgeBand>) -> Uuid {
        let member = Uuid::from_u128(5_000 + n);
        self.sign(
            Who::Cadre,
            Body::RollEntry(RollEntry {
                member,
                display_name: format!("纸质{n}"),
                device_key: None,
                age_band: band,
                roles: [Role::Resident].into_iter().collect(),
                age_15_plus: true,
                attestation: "当面核验".into(),
            }),
        );
        member
    }

    /// Folds the first `settled` records at once, then the rest one by one in a shuffled order
    /// (`seed`) as a device that receives them so does: in place where the fold allows, a full
    /// fold otherwise. Returns the state and how many full folds the late records took.
    pub fn state_with_rest_shuffled(&self, settled: usize, seed: u64) -> (CycleState, usize) {
        let mut checked: Vec<Checked> = self.records[..settled]
            .iter()
            .map(Checked::verify)
            .collect();
        let mut st = fold(self.cycle, self.genesis, &checked);
        let mut rest: Vec<&SignedRecord> = self.records[settled..].iter().collect();
        let mut x = seed | 1;
        for i in (1..rest.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rest.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut folds = 0;
        for r in rest {
            let c = Checked::verify(r);
            let applied = match &c.record {
                Ok(rec) => st.apply_new(rec).is_some(),
                Err(_) => false,
            };
            checked.push(c);
            if !applied {
                folds += 1;
                st = fold(self.cycle, self.genesis, &checked);
            }
        }
        (st, folds)
    }

    /// Folds the records one by one as a device that receives them in this order does
    /// (in place where the fold allows, a full fold otherwise): what must equal [`Kit::state`].
    pub fn state_applied_one_by_one(&self) -> CycleState {
        let mut checked: Vec<Checked> = Vec::new();
        let mut st = CycleState::new(self.cycle, self.genesis);
        for r in &self.records {
            let c = Checked::verify(r);
            let applied = match &c.record {
                Ok(rec) if !checked.is_empty() => st.apply_new(rec).is_some(),
                _ => false,
            };
            checked.push(c);
            if !applied {
                st = fold(self.cycle, self.genesis, &checked);
            }
        }
        st
    }
}
