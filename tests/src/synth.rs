//! Synthetic cycles of any size, signed record by record without a store, for benchmarks and
//! load tests. Deterministic: the same sizes give the same keys, ids and records.

use chrono::{DateTime, Duration, TimeZone, Utc};
use linli_core::Fen;
use linli_core::identity::DeviceSecret;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::{Genesis, Phase, PhaseChange, SatisfactionRule, VotingRules};
use linli_core::record::envelope::{Draft, SignedRecord};
use linli_core::record::proposal::{
    BudgetLine, Category, Proposal, ProposalContent, Review, ReviewDecision,
};
use linli_core::record::roll::{Role, RollEntry};
use uuid::Uuid;

/// A generated cycle.
pub struct Synth {
    /// The cycle id.
    pub cycle: Uuid,
    /// The genesis record id.
    pub genesis: Uuid,
    /// All records, in creation order.
    pub records: Vec<SignedRecord>,
    /// Proposal ids.
    pub proposals: Vec<Uuid>,
    /// Seed of resident `i`'s key: `resident_seed(i)`.
    pub residents: usize,
    /// The voting phase record.
    pub voting: Uuid,
}

impl Synth {
    /// A ballot by resident `i` (one who has not voted yet), as their phone would sign it.
    pub fn new_ballot(&self, i: usize) -> SignedRecord {
        let mut phone = Signer::new(resident_seed(i));
        phone.seq = 10;
        let t = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap() + Duration::seconds(i as i64);
        let p = &self.proposals;
        let mut choices = vec![p[i % p.len()], p[(i * 3 + 1) % p.len()]];
        choices.sort();
        choices.dedup();
        phone.sign(
            self.cycle,
            t,
            Some(self.voting),
            Body::Ballot(Ballot::approve(choices)),
        )
    }
}

/// The key seed of synthetic resident `i`.
pub fn resident_seed(i: usize) -> [u8; 32] {
    let mut s = [7u8; 32];
    s[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
    s
}

const WORDS: [&str; 16] = [
    "加装电梯",
    "夜间照明",
    "儿童乐园",
    "共享菜园",
    "长者助餐",
    "消防设施",
    "充电棚",
    "图书角",
    "停车位",
    "雨污分流",
    "健身步道",
    "垃圾分类",
    "外墙翻新",
    "监控探头",
    "便民服务",
    "文化广场",
];

struct Signer {
    secret: DeviceSecret,
    seq: u64,
}

impl Signer {
    fn new(seed: [u8; 32]) -> Signer {
        Signer {
            secret: DeviceSecret::from_seed(&seed),
            seq: 0,
        }
    }
    fn sign(
        &mut self,
        cycle: Uuid,
        time: DateTime<Utc>,
        phase: Option<Uuid>,
        body: Body,
    ) -> SignedRecord {
        self.seq += 1;
        SignedRecord::sign(
            &self.secret,
            &Draft {
                cycle,
                seq: self.seq,
                time,
                phase,
                body,
            },
        )
    }
}

/// A cycle with `residents` registered residents, `proposals` proposals (all shortlisted) and a
/// ballot from each of the first `ballots` residents (three choices each).
pub fn cycle(residents: usize, proposals: usize, ballots: usize) -> Synth {
    assert!(ballots <= residents && proposals <= residents);
    let base = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let mut tick = 0i64;
    let mut now = || {
        tick += 1;
        base + Duration::milliseconds(tick * 10)
    };
    let cycle = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    let mut cadre = Signer::new([1; 32]);
    let mut records = Vec::with_capacity(residents * 2 + proposals * 2 + 8);
    let genesis = cadre.sign(
        cycle,
        now(),
        None,
        Body::Genesis(Box::new(Genesis {
            community: "合成社区".into(),
            year: 2026,
            title: "基准测试周期".into(),
            budget_pool: Fen::yuan(300_000),
            calendar: vec![],
            // Counted as genesis records were before minimum support and tie rules existed (see
            // the satisfaction rule below): this cycle's bytes are pinned.
            voting: VotingRules {
                min_support: 0,
                tie_break: linli_core::record::cycle::TieBreak::ById,
                ..VotingRules::approval(1, 3)
            },
            // The rule as genesis records were signed before `strictly_above` existed, so that
            // this cycle's bytes (pinned in tests/tests/fold.rs) stay those of format 1.
            satisfaction: SatisfactionRule {
                strictly_above: false,
                gated_final_instalment: false,
                ..SatisfactionRule::default()
            },
            founder_member: Uuid::from_u128(1),
            founder_name: "书记".into(),
            programme: Default::default(),
        })),
    );
    let genesis_id = genesis.id;
    records.push(genesis);
    let mut phones: Vec<Signer> = (0..residents)
        .map(|i| Signer::new(resident_seed(i)))
        .collect();
    for (i, p) in phones.iter().enumerate() {
        let rec = cadre.sign(
            cycle,
            now(),
            None,
            Body::RollEntry(RollEntry {
                member: Uuid::from_u128(1000 + i as u128),
                display_name: format!("居民{i}"),
                device_key: Some(p.secret.public()),
                age_band: None,
                roles: [Role::Resident].into_iter().collect(),
                age_15_plus: true,
                attestation: "当面核验".into(),
            }),
        );
        records.push(rec);
    }
    let mut prev = genesis_id;
    let mut advance =
        |records: &mut Vec<SignedRecord>, cadre: &mut Signer, to: Phase, t: DateTime<Utc>| {
            let r = cadre.sign(
                cycle,
                t,
                None,
                Body::PhaseChange(PhaseChange {
                    to,
                    prev,
                    note: String::new(),
                }),
            );
            prev = r.id;
            records.push(r);
            prev
        };
    let proposals_phase = advance(&mut records, &mut cadre, Phase::Proposals, now());
    let mut ids = Vec::with_capacity(proposals);
    for i in 0..proposals {
        let title = format!(
            "{}{}（{}号）",
            WORDS[i % WORDS.len()],
            WORDS[(i / WORDS.len() + 3) % WORDS.len()],
            i
        );
        let amount = Fen::yuan(5_000 + (i as i64 * 7_919) % 95_000);
        let rec = phones[i].sign(
            cycle,
            now(),
            Some(proposals_phase),
            Body::Proposal(Box::new(Proposal {
                content: ProposalContent {
                    title,
                    description: format!(
                        "居民反映{}问题，建议实施。{}",
                        WORDS[(i * 7) % WORDS.len()],
                        "详细情况见附件。".repeat(4)
                    ),
                    category: Category::DEFAULT[i % Category::DEFAULT.len()],
                    location: format!("{}栋", i % 40 + 1),
                    target_group: "全体居民".into(),
                    needs_assessment: "入户走访".into(),
                    goals: vec!["改善环境".into()],
                    steps: vec!["设计".into(), "施工".into()],
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
        );
        ids.push(rec.id);
        records.push(rec);
    }
    let deliberation = advance(&mut records, &mut cadre, Phase::Deliberation, now());
    for id in &ids {
        records.push(cadre.sign(
            cycle,
            now(),
            Some(deliberation),
            Body::Review(Review {
                proposal: *id,
                decision: ReviewDecision::Shortlist,
                reason: "符合条件".into(),
                supersedes: None,
            }),
        ));
    }
    let voting = advance(&mut records, &mut cadre, Phase::Voting, now());
    if !ids.is_empty() {
        for (i, phone) in phones.iter_mut().enumerate().take(ballots) {
            let mut choices = vec![
                ids[i % ids.len()],
                ids[(i * 7 + 1) % ids.len()],
                ids[(i * 13 + 5) % ids.len()],
            ];
            choices.dedup();
            choices.sort();
            choices.dedup();
            records.push(phone.sign(
                cycle,
                now(),
                Some(voting),
                Body::Ballot(Ballot::approve(choices)),
            ));
        }
    }
    Synth {
        cycle,
        genesis: genesis_id,
        records,
        proposals: ids,
        residents,
        voting,
    }
}
