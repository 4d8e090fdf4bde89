//! Shared fixtures for the system tests: a small cycle on temporary device databases.

use chrono::{Duration, Utc};
use linli_cli::devices::{Device, exchange, register};
use linli_core::Fen;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::{Genesis, Phase, SatisfactionRule, VotingRules};
use linli_core::record::proposal::{
    BudgetLine, Category, Proposal, ProposalContent, Review, ReviewDecision,
};
use linli_core::record::roll::Role;
use linli_core::store::Store;
use uuid::Uuid;

/// A cycle with a cadre tablet, a second cadre, and resident phones, on temp files.
pub struct Fixture {
    /// Keeps the databases alive.
    pub dir: tempfile::TempDir,
    /// The founding cadre's tablet.
    pub cadre: Device,
    /// A second cadre.
    pub cadre2: Device,
    /// Resident phones.
    pub residents: Vec<Device>,
    /// The cycle.
    pub cycle: Uuid,
}

/// The pool of every fixture cycle: ¥300,000.
pub const POOL: Fen = Fen::yuan(300_000);

/// A valid proposal body costing `yuan`.
pub fn proposal(title: &str, yuan: i64) -> Proposal {
    Proposal {
        content: ProposalContent {
            title: title.into(),
            description: format!("{title}：详细说明"),
            category: Category::Facilities,
            location: "3栋".into(),
            target_group: "老人".into(),
            needs_assessment: "走访".into(),
            goals: vec![],
            steps: vec![],
            risks: vec![],
            budget_lines: vec![BudgetLine {
                item: "全部".into(),
                amount: Fen::yuan(yuan),
            }],
            estimated_budget: Fen::yuan(yuan),
            attachments: vec![],
        },
        on_behalf_of: None,
    }
}

impl Fixture {
    /// A cycle in the outreach phase with `n` registered residents, all devices in sync.
    pub fn new(n: usize) -> Fixture {
        Fixture::with_rules(n, VotingRules::approval(1, 3))
    }

    /// The same, with the given voting rules.
    pub fn with_rules(n: usize, voting: VotingRules) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let cadre = Device::open(dir.path(), "cadre", "李书记").unwrap();
        let cadre2 = Device::open(dir.path(), "cadre2", "赵干部").unwrap();
        let residents: Vec<Device> = (0..n)
            .map(|i| Device::open(dir.path(), &format!("r{i}"), &format!("居民{i}")).unwrap())
            .collect();
        let cycle = cadre
            .store
            .create_cycle(Genesis {
                community: "测试社区".into(),
                year: 2026,
                title: "测试周期".into(),
                budget_pool: POOL,
                calendar: vec![],
                voting,
                satisfaction: SatisfactionRule {
                    min_ratings: 1,
                    ..Default::default()
                },
                founder_member: cadre.member,
                founder_name: cadre.name.clone(),
                programme: Default::default(),
            })
            .unwrap();
        let genesis = cadre.store.state(cycle).unwrap().genesis_id;
        register(&cadre, &cadre2, cycle, &[Role::Cadre]).unwrap();
        for r in &residents {
            register(&cadre, r, cycle, &[Role::Resident]).unwrap();
        }
        let f = Fixture {
            dir,
            cadre,
            cadre2,
            residents,
            cycle,
        };
        for d in f.others() {
            d.store.follow_cycle(cycle, genesis).unwrap();
        }
        f.sync();
        f
    }

    /// Every device but the cadre tablet.
    pub fn others(&self) -> Vec<&Device> {
        std::iter::once(&self.cadre2)
            .chain(self.residents.iter())
            .collect()
    }

    /// Two rounds of exchange between the tablet and every other device.
    pub fn sync(&self) {
        for _ in 0..2 {
            for d in self.others() {
                exchange(d, &self.cadre, self.cycle).unwrap();
            }
        }
    }

    /// The cadre moves the cycle to `to`.
    pub fn advance(&self, to: Phase) {
        self.cadre.store.advance_phase(self.cycle, to, "").unwrap();
    }

    /// Proposals phase: `k` residents propose; then deliberation with all shortlisted, then
    /// voting; every device in sync. Returns the proposal ids.
    pub fn to_voting(&self, k: usize) -> Vec<Uuid> {
        self.advance(Phase::Proposals);
        self.sync();
        let ids: Vec<Uuid> = (0..k)
            .map(|i| {
                self.residents[i % self.residents.len()]
                    .act(
                        self.cycle,
                        Body::Proposal(Box::new(proposal(
                            &format!("提案{i}"),
                            50_000 + i as i64 * 10_000,
                        ))),
                    )
                    .unwrap()
            })
            .collect();
        self.sync();
        self.advance(Phase::Deliberation);
        for id in &ids {
            self.cadre
                .act(
                    self.cycle,
                    Body::Review(Review {
                        proposal: *id,
                        decision: ReviewDecision::Shortlist,
                        reason: "可行".into(),
                        supersedes: None,
                    }),
                )
                .unwrap();
        }
        self.advance(Phase::Voting);
        self.sync();
        ids
    }

    /// Every resident votes for the proposals chosen by `pick(i)`.
    pub fn vote_all(&self, pick: impl Fn(usize) -> Vec<Uuid>) {
        for (i, r) in self.residents.iter().enumerate() {
            r.act(self.cycle, Body::Ballot(Ballot::approve(pick(i))))
                .unwrap();
        }
        self.sync();
    }
}

/// A snapshot of what a user sees of a store: the summary, proposals, records and the device's
/// next sequence number. Equal snapshots mean nothing visible changed.
pub fn snapshot(store: &Store, cycle: Uuid) -> String {
    let summary = store.summary(cycle).unwrap();
    let proposals = store.proposals(cycle, &Default::default()).unwrap();
    let records = store.records(cycle, false).unwrap();
    let members = store.members(cycle).unwrap();
    format!(
        "{summary:?}\n{proposals:?}\n{records:?}\n{members:?}\n{:?}",
        store.state(cycle).unwrap().canonical_bytes().len()
    )
}

/// The secret of a fixture device, read from its key file (to craft hostile records as a thief
/// holding that phone would).
pub fn secret_of(f: &Fixture, file: &str) -> linli_core::identity::DeviceSecret {
    let hex = std::fs::read_to_string(f.dir.path().join(format!("{file}.db.key"))).unwrap();
    let seed: [u8; 32] = linli_core::identity::DeviceKey::from_hex(hex.trim())
        .unwrap()
        .0;
    linli_core::identity::DeviceSecret::from_seed(&seed)
}

/// Tomorrow, for deadlines.
pub fn tomorrow() -> chrono::DateTime<Utc> {
    Utc::now() + Duration::days(1)
}
pub mod synth;

/// The sequence numbers of `store`'s own device key among the cycle's records, in storage order.
pub fn own_seqs(store: &Store, cycle: Uuid) -> Vec<u64> {
    seqs_of(store, cycle, &store.device_key())
}

/// The sequence numbers of `key` among the records `store` holds for `cycle`.
pub fn seqs_of(store: &Store, cycle: Uuid, key: &linli_core::DeviceKey) -> Vec<u64> {
    let hex = key.to_hex();
    store
        .records(cycle, false)
        .unwrap()
        .iter()
        .filter(|r| r.signer.as_deref() == Some(hex.as_str()))
        .filter_map(|r| r.seq)
        .collect()
}
