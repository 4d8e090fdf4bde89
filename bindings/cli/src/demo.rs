//! `linli demo`: a whole PB cycle across simulated devices on temporary SQLite files.
//!
//! A cadre tablet founds the cycle and registers ~30 resident phones, a council member and two
//! contractors; residents propose (one elderly resident's paper proposal is entered by the cadre),
//! the cadre reviews every proposal with a reason, a roundtable deliberates, residents vote (one
//! changes their mind, one votes after the seal), the cadre seals, the council resolves, contractors
//! bid, residents monitor and rate, and the last instalment is released only where satisfaction
//! meets the gate. A stranger's forged ballot is held aside and a tampered one refused.
//!
//! Devices work offline and sync in sessions (Automerge documents) whenever they meet the tablet.
//! A resident with no coverage sends their ballot as QR-sized chunks of a bundle. At the end every
//! device meets at the community centre over the LAN endpoint (TCP on 127.0.0.1, the tablet
//! serving every phone at once), and all must hold byte-identical state and the same tally.

use crate::devices::{Device, meet, register};
use chrono::{Duration, SubsecRound, Utc};
use linli_core::identity::DeviceSecret;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::blob::BlobRef;
use linli_core::record::comment::Comment;
use linli_core::record::cycle::{Genesis, Phase, PhaseWindow, SatisfactionRule, VotingRules};
use linli_core::record::envelope::{Draft, SignedRecord};
use linli_core::record::evaluation::{CompletionReport, Instalment, InstalmentSchedule, Rating};
use linli_core::record::meeting::Meeting;
use linli_core::record::monitoring::{
    MonitoringReport, ProgressUpdate, ReportKind, ReportResponse,
};
use linli_core::record::proposal::{
    BudgetLine, Category, PaperSubmitter, Proposal, ProposalContent, ReviewDecision,
};
use linli_core::record::roll::AgeBand;
use linli_core::record::roll::Role;
use linli_core::record::roundtable::{Recommendation, Roundtable};
use linli_core::record::tender::{Award, Tender};
use linli_core::store::{ImportReport, StoreError};
use linli_core::sync::net::{self, Server};
use linli_core::sync::{Progress, SessionOptions, SyncError};
use linli_core::{Exclusion, Fen};
use linli_core::{bundle, chunks};
use serde::Serialize;
use std::path::Path;
use uuid::Uuid;

/// The fewest resident phones the demo story needs.
pub const MIN_RESIDENTS: usize = 14;

/// Options for a demo run.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of resident phones (at least [`MIN_RESIDENTS`]).
    pub residents: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { residents: 30 }
    }
}

/// What the demo did, for printing and for tests.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    /// The cycle.
    pub cycle: Uuid,
    /// Devices that took part.
    pub devices: usize,
    /// Records on the cadre tablet.
    pub records: usize,
    /// Proposal titles with status and sealed votes, by votes.
    pub proposals: Vec<(String, String, Option<u64>)>,
    /// Ballots counted by the seal.
    pub sealed_ballots: usize,
    /// Of those, paper sheets entered by the cadre.
    pub sealed_paper: usize,
    /// Comments, on proposals and on the council meeting.
    pub comments: usize,
    /// The engagement funnel: step, people, by phone, on paper.
    pub funnel: Vec<(String, u32, u32, u32)>,
    /// Valid ballots not in the seal.
    pub late_ballots: usize,
    /// Funded projects: title, amount, contract amount, satisfaction (good, total), instalments
    /// released / scheduled.
    pub projects: Vec<ProjectLine>,
    /// Final payments refused, with the reason.
    pub blocked_payments: Vec<(String, Exclusion)>,
    /// Excluded records: kind and reason code.
    pub excluded: Vec<(String, String)>,
    /// Reason codes of the hostile records refused at the door (never stored).
    pub refused: Vec<String>,
    /// Hostile records held aside because their signer is not on the roll.
    pub held: usize,
    /// Whether every device ended with byte-identical state and the same tally.
    pub converged: bool,
    /// Sync sessions in the final LAN meeting, and the bytes they moved both ways.
    pub lan_sessions: u64,
    /// Bytes moved in the LAN meeting.
    pub lan_bytes: u64,
    /// QR-sized chunks the offline resident's bundle took.
    pub bundle_chunks: usize,
    /// Whether the auditor's from-scratch verification equals the tablet's state.
    pub audit_matches: bool,
}

/// One funded project in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectLine {
    /// Title.
    pub title: String,
    /// Funded amount.
    pub funded: Fen,
    /// Winning bid.
    pub contract: Option<Fen>,
    /// Good ratings.
    pub good: u32,
    /// All ratings.
    pub ratings: u32,
    /// Instalments released.
    pub released: usize,
    /// Instalments scheduled.
    pub scheduled: usize,
}

struct Idea {
    title: &'static str,
    desc: &'static str,
    cat: Category,
    yuan: i64,
}

const IDEAS: [Idea; 9] = [
    Idea {
        title: "楼道加装扶手与休息座椅",
        desc: "老旧楼栋没有扶手，老人上下楼困难，每层加装扶手和折叠座椅。",
        cat: Category::ElderlyCare,
        yuan: 48_000,
    },
    Idea {
        title: "小区夜间照明改造",
        desc: "后门小路和停车场夜间太暗，更换为节能路灯。",
        cat: Category::Safety,
        yuan: 62_000,
    },
    Idea {
        title: "儿童游乐区翻新",
        desc: "游乐设施老化，地面改为安全软垫，增加遮阳棚。",
        cat: Category::Children,
        yuan: 85_000,
    },
    Idea {
        title: "社区共享菜园与绿化",
        desc: "闲置空地改造为共享菜园，由居民认领养护。",
        cat: Category::Greening,
        yuan: 36_000,
    },
    Idea {
        title: "长者助餐点",
        desc: "在活动中心设助餐点，为独居老人提供午餐。",
        cat: Category::ElderlyCare,
        yuan: 120_000,
    },
    Idea {
        title: "楼道消防设施更新",
        desc: "更换过期灭火器，增加应急照明和疏散指示。",
        cat: Category::Safety,
        yuan: 54_000,
    },
    Idea {
        title: "非机动车充电棚",
        desc: "电动车在楼道充电有火灾隐患，建设集中充电棚。",
        cat: Category::Facilities,
        yuan: 72_000,
    },
    Idea {
        title: "社区图书角",
        desc: "在活动中心设图书角，居民捐书共享。",
        cat: Category::Culture,
        yuan: 18_000,
    },
    Idea {
        title: "广场舞音响设备",
        desc: "为广场舞队购置音响。",
        cat: Category::Culture,
        yuan: 9_000,
    },
];

fn content(idea: &Idea) -> ProposalContent {
    let total = Fen::yuan(idea.yuan);
    let materials = Fen(total.get() * 7 / 10);
    ProposalContent {
        title: idea.title.into(),
        description: idea.desc.into(),
        category: idea.cat,
        location: "玉林社区".into(),
        target_group: "全体居民".into(),
        needs_assessment: "入户走访与议事会收集的意见".into(),
        goals: vec!["改善居住环境".into()],
        steps: vec!["方案设计".into(), "公开招标".into(), "施工与验收".into()],
        risks: vec!["施工期间影响通行，需错峰施工".into()],
        budget_lines: vec![
            BudgetLine {
                item: "材料".into(),
                amount: materials,
            },
            BudgetLine {
                item: "人工".into(),
                amount: Fen(total.get() - materials.get()),
            },
        ],
        estimated_budget: total,
        attachments: vec![],
    }
}

/// A deterministic pseudo-random sequence (the demo prints the same story every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn bad_bundle(e: impl std::fmt::Display) -> SyncError {
    SyncError::Store(StoreError::Rejected(Exclusion::Malformed {
        detail: e.to_string(),
    }))
}

fn advance(cadre: &Device, cycle: Uuid, to: Phase) -> Result<Uuid, StoreError> {
    let note = format!("进入{}阶段", to.label(linli_core::Lang::Zh));
    cadre.store.advance_phase(cycle, to, &note)
}

fn photo(label: &str) -> BlobRef {
    BlobRef::for_bytes(label.as_bytes(), "image/jpeg", &format!("{label}.jpg"))
}

/// Runs the whole cycle on `dir`: the story the demo tells, one step per phase.
pub fn run(dir: &Path, opts: &DemoOptions) -> Result<DemoReport, SyncError> {
    let community = Community::found(dir, opts.residents.max(MIN_RESIDENTS))?;
    community.register_everyone()?;
    let proposals = community.propose()?;
    community.deliberate(&proposals)?;
    let (shortlisted, bundle_chunks) = community.vote(&proposals)?;
    community.resolve()?;
    let awards = community.tender()?;
    let troubled = community.implement(&awards)?;
    let blocked = community.evaluate(&awards, troubled)?;
    let hostile = community.hostile_input(&shortlisted)?;
    let meeting = community.meet_at_the_centre()?;
    community.report(bundle_chunks, blocked, meeting, hostile)
}

/// The demo's devices and the cycle they run.
struct Community {
    cadre: Device,
    council: Device,
    contractors: [Device; 2],
    residents: Vec<Device>,
    /// Residents with no phone: their sheets are entered at the tablet.
    paper_members: [Uuid; 2],
    cycle: Uuid,
}

impl Community {
    /// Everyone but the cadre's tablet.
    fn others(&self) -> Vec<&Device> {
        std::iter::once(&self.council)
            .chain(self.contractors.iter())
            .chain(self.residents.iter())
            .collect()
    }

    /// Each device meets the tablet in turn.
    fn sync_all(&self, devices: &[&Device]) -> Result<(), SyncError> {
        for d in devices {
            meet(d, &self.cadre)?;
        }
        Ok(())
    }

    /// Opens every device of the community on `dir`, and the cadre founds the cycle.
    fn found(dir: &Path, residents: usize) -> Result<Community, SyncError> {
        let cadre = Device::open(dir, "cadre-tablet", "李书记 (社区干部)")?;
        let council = Device::open(dir, "council", "张主任 (议事会)")?;
        let contractors = [
            Device::open(dir, "contractor-a", "蓉城建设有限公司")?,
            Device::open(dir, "contractor-b", "锦江施工队")?,
        ];
        let residents: Vec<Device> = (0..residents)
            .map(|i| {
                Device::open(
                    dir,
                    &format!("resident-{i:02}"),
                    &format!("居民{:02}", i + 1),
                )
            })
            .collect::<Result<_, _>>()?;
        // Outreach: the cadre founds the cycle and registers everyone face to face.
        let today = Utc::now().date_naive();
        let genesis = Genesis {
            community: "玉林社区".into(),
            year: 2026,
            title: "2026年社区保障资金项目".into(),
            budget_pool: Fen::yuan(300_000),
            calendar: vec![PhaseWindow {
                phase: Phase::Proposals,
                start: today,
                end: today + Duration::days(30),
            }],
            voting: VotingRules::approval(1, 3),
            satisfaction: SatisfactionRule::default(),
            founder_member: cadre.member,
            founder_name: cadre.name.clone(),
            programme: Default::default(),
        };
        let cycle = cadre.store.create_cycle(genesis)?;
        Ok(Community {
            cadre,
            council,
            contractors,
            residents,
            paper_members: [Uuid::now_v7(), Uuid::now_v7()],
            cycle,
        })
    }

    /// Outreach, continued: every device follows the cycle and the cadre registers everyone face
    /// to face; then proposals open.
    fn register_everyone(&self) -> Result<(), SyncError> {
        let Community {
            cadre,
            council,
            contractors,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        let genesis_id = cadre.store.genesis_id(cycle)?;
        for d in &self.others() {
            d.store.follow_cycle(cycle, genesis_id)?;
        }
        register(cadre, council, cycle, &[Role::Council, Role::Resident])?;
        for c in contractors {
            register(cadre, c, cycle, &[Role::Contractor])?;
        }
        for (i, r) in residents.iter().enumerate() {
            let mut roles = vec![Role::Resident];
            match i {
                0 => roles.push(Role::TableLeader),
                1 => roles.push(Role::Recorder),
                2 => roles.push(Role::TechnicalAdviser),
                3 => roles.push(Role::Supervisor),
                _ => {}
            }
            register(cadre, r, cycle, &roles)?;
        }
        // Two elderly residents with no phone, registered in person: they vote on paper.
        for (member, name, band) in [
            (self.paper_members[0], "王奶奶", AgeBand::From75),
            (self.paper_members[1], "刘大爷", AgeBand::From60To74),
        ] {
            cadre.act(
                cycle,
                Body::RollEntry(linli_core::record::roll::RollEntry {
                    member,
                    display_name: name.into(),
                    device_key: None,
                    age_band: Some(band),
                    roles: [Role::Resident].into_iter().collect(),
                    age_15_plus: true,
                    attestation: "当面核验身份证 / ID card checked in person".into(),
                }),
            )?;
        }
        advance(cadre, cycle, Phase::Proposals)?;
        self.sync_all(&self.others())?;
        Ok(())
    }

    /// Proposals: eight residents propose on their phones; the cadre enters a paper proposal.
    /// Returns the residents' proposals, the paper one and the one that will be rejected.
    fn propose(&self) -> Result<(Vec<Uuid>, Uuid, Uuid), SyncError> {
        let Community {
            cadre,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        let mut proposal_ids = Vec::new();
        for (i, idea) in IDEAS.iter().enumerate().take(8) {
            let id = residents[4 + i].act(
                cycle,
                Body::Proposal(Box::new(Proposal {
                    content: content(idea),
                    on_behalf_of: None,
                })),
            )?;
            proposal_ids.push(id);
        }
        let paper = Idea {
            title: "院坝休闲座椅",
            desc: "王奶奶手写提案：院坝里没有坐的地方，希望安装几张长椅。",
            cat: Category::Facilities,
            yuan: 15_000,
        };
        let paper_id = cadre.act(
            cycle,
            Body::Proposal(Box::new(Proposal {
                content: content(&paper),
                on_behalf_of: Some(PaperSubmitter {
                    name: "王奶奶".into(),
                    member: None,
                }),
            })),
        )?;
        let dance_id = residents[12].act(
            cycle,
            Body::Proposal(Box::new(Proposal {
                content: content(&IDEAS[8]),
                on_behalf_of: None,
            })),
        )?;
        self.sync_all(&residents.iter().collect::<Vec<_>>())?;
        // Residents discuss: one comments on the paper proposal from her phone, and the cadre
        // types in a note another resident left at the centre.
        residents[7].store.comment(
            cycle,
            Comment {
                on: paper_id,
                reply_to: None,
                text: "院坝长椅很需要，老人常在那里晒太阳。".into(),
                on_behalf_of: None,
                in_hall: false,
            },
        )?;
        cadre.store.comment(
            cycle,
            Comment {
                on: paper_id,
                reply_to: None,
                text: "纸条：长椅请装在树荫下。".into(),
                on_behalf_of: Some(PaperSubmitter {
                    name: "张大妈".into(),
                    member: None,
                }),
                in_hall: false,
            },
        )?;
        self.sync_all(&[&residents[7]])?;
        Ok((proposal_ids, paper_id, dance_id))
    }

    /// Sorting and deliberation: a reason for every proposal; a roundtable recommends three.
    fn deliberate(&self, proposals: &(Vec<Uuid>, Uuid, Uuid)) -> Result<(), SyncError> {
        let (proposal_ids, paper_id, dance_id) = (&proposals.0, proposals.1, proposals.2);
        let Community {
            cadre,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Deliberation)?;
        let library = proposal_ids[7];
        let playground = proposal_ids[2];
        for id in proposal_ids.iter().take(7).chain([&paper_id]) {
            cadre.store.review(
                cycle,
                *id,
                ReviewDecision::Shortlist,
                "符合资金使用范围，预算合理 / in scope, budget reasonable",
            )?;
        }
        cadre.store.review(
            cycle,
            library,
            ReviewDecision::MergeInto { target: playground },
            "与儿童游乐区合并为亲子阅读空间 / merged into the playground as a reading corner",
        )?;
        cadre.store.review(
            cycle,
            dance_id,
            ReviewDecision::Reject,
            "属个人团体设备，且有噪音投诉 / equipment for one group, noise complaints",
        )?;
        meet(&residents[1], cadre)?;
        residents[1].act(
            cycle,
            Body::Roundtable(Box::new(Roundtable {
                topic: "第一桌：为老与安全".into(),
                held_at: Utc::now(),
                leader: residents[0].member,
                recorder: residents[1].member,
                adviser: Some(residents[2].member),
                participants: residents[3..13].iter().map(|r| r.member).collect(),
                discussed: proposal_ids[..7].to_vec(),
                notes: "居民普遍关心老人出行和夜间安全；助餐点预算较高，建议分期。".into(),
                recommendations: vec![
                    Recommendation {
                        proposal: proposal_ids[0],
                        note: "受益面广".into(),
                    },
                    Recommendation {
                        proposal: proposal_ids[1],
                        note: "安全隐患突出".into(),
                    },
                    Recommendation {
                        proposal: proposal_ids[5],
                        note: "消防刻不容缓".into(),
                    },
                ],
            })),
        )?;
        meet(&residents[1], cadre)?;
        Ok(())
    }

    /// Voting, up to the seal. Returns the shortlisted proposals and how many QR-sized chunks the
    /// offline resident's ballot took.
    fn vote(&self, proposals: &(Vec<Uuid>, Uuid, Uuid)) -> Result<(Vec<Uuid>, usize), SyncError> {
        let (proposal_ids, paper_id) = (&proposals.0, proposals.1);
        let Community {
            cadre,
            council,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Voting)?;
        self.sync_all(&self.others())?;
        let shortlisted: Vec<Uuid> = proposal_ids
            .iter()
            .take(7)
            .copied()
            .chain([paper_id])
            .collect();
        let weights = [5usize, 4, 3, 2, 1, 4, 2, 3];
        let mut rng = Lcg(2026);
        let pick = |rng: &mut Lcg| -> Vec<Uuid> {
            let k = 1 + rng.next(3);
            let mut chosen: Vec<Uuid> = Vec::new();
            while chosen.len() < k {
                let total: usize = weights.iter().sum();
                let mut x = rng.next(total);
                let mut idx = 0;
                while x >= weights[idx] {
                    x -= weights[idx];
                    idx += 1;
                }
                if !chosen.contains(&shortlisted[idx]) {
                    chosen.push(shortlisted[idx]);
                }
            }
            chosen
        };
        let late_voter = residents.len() - 1;
        for r in residents.iter().take(late_voter) {
            r.act(cycle, Body::Ballot(Ballot::approve(pick(&mut rng))))?;
        }
        // Resident 6 changes their mind: the later ballot replaces the earlier one.
        residents[5].act(cycle, Body::Ballot(Ballot::approve(vec![shortlisted[4]])))?;
        // A resident in the hills has no coverage: what the tablet lacks from the phone leaves as
        // QR-sized chunks, scanned by the tablet in any order.
        let offline = late_voter - 1;
        self.sync_all(&residents[..offline].iter().collect::<Vec<_>>())?;
        self.sync_all(&[council])?;
        let lacking = residents[offline]
            .store
            .export_for_peer(cycle, &cadre.store.device_key())?;
        let chunks = chunks::split_for_qr(&bundle::encode(cycle, &lacking)).map_err(bad_bundle)?;
        let bundle_chunks = chunks.len();
        let mut scanner = chunks::Assembler::new();
        for c in chunks.iter().rev() {
            scanner.add(c).map_err(bad_bundle)?;
        }
        let scanned = scanner.finish().map_err(bad_bundle)?;
        cadre
            .store
            .import(cycle, &bundle::decode(cycle, &scanned).map_err(bad_bundle)?)?;

        // The two residents without a phone hand in paper sheets; the cadre enters them.
        for (n, member) in self.paper_members.iter().enumerate() {
            cadre.store.enter_paper_ballot(
                cycle,
                *member,
                &format!("A-{:04}", n + 1),
                Ballot::approve(vec![paper_id]),
            )?;
        }

        // The cadre seals exactly the ballots on the tablet; the offline phone votes afterwards.
        cadre
            .store
            .seal(cycle, "投票截止，封存计票 / voting closed")?;
        residents[late_voter].act(cycle, Body::Ballot(Ballot::approve(vec![shortlisted[0]])))?;
        meet(&residents[late_voter], cadre)?;
        Ok((shortlisted, bundle_chunks))
    }

    /// The council resolves on the sealed result.
    fn resolve(&self) -> Result<(), SyncError> {
        let Community {
            cadre,
            council,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Resolution)?;
        // The council's meeting, open to residents at home: the hall screen shows the item and
        // the comments from the hall and from phones.
        let sealed = cadre.store.sealed_result(cycle)?;
        let agenda: Vec<Uuid> = sealed.result.iter().map(|l| l.proposal).collect();
        let starts = chrono::Utc::now();
        let meeting = cadre.store.open_meeting(
            cycle,
            Meeting {
                title: "居民议事会 / council meeting".into(),
                agenda: agenda.clone(),
                starts,
                ends: starts + chrono::Duration::hours(3),
            },
        )?;
        cadre.store.move_meeting(cycle, meeting, agenda[0])?;
        cadre.store.comment(
            cycle,
            Comment {
                on: meeting,
                reply_to: None,
                text: "请尽快施工。".into(),
                on_behalf_of: Some(PaperSubmitter {
                    name: "李大爷".into(),
                    member: None,
                }),
                in_hall: true,
            },
        )?;
        meet(&self.residents[9], cadre)?;
        self.residents[9].store.comment(
            cycle,
            Comment {
                on: meeting,
                reply_to: None,
                text: "在家也能参加，很好。".into(),
                on_behalf_of: None,
                in_hall: false,
            },
        )?;
        meet(&self.residents[9], cadre)?;
        meet(council, cadre)?;
        council
            .store
            .resolve_as_sealed(cycle, "议事会决议：按投票结果资助 / funded as voted")?;
        meet(council, cadre)?;
        Ok(())
    }

    /// Tender, bids, awards and schedules. Returns each funded project with its award.
    fn tender(&self) -> Result<Vec<(Uuid, Uuid)>, SyncError> {
        let Community {
            cadre,
            contractors,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Tender)?;
        let funded: Vec<(Uuid, Fen)> = cadre
            .store
            .state(cycle)?
            .resolution
            .expect("resolved")
            .funded
            .into_iter()
            .collect();
        // Bidding closes in a second (a real tender runs for days); the awards wait for it.
        let deadline = (Utc::now() + Duration::seconds(1)).trunc_subsecs(3);
        let mut tenders = Vec::new();
        for (project, amount) in &funded {
            let t = cadre.act(
                cycle,
                Body::Tender(Tender {
                    project: *project,
                    budget: *amount,
                    deadline,
                    requirements: "按提案实施，质保两年 / as proposed, two-year warranty".into(),
                    sealed_bids: true,
                }),
            )?;
            tenders.push((t, *project, *amount));
        }
        for c in contractors {
            meet(c, cadre)?;
        }
        // Bids are sealed: each contractor signs a commitment only; the amounts stay on their
        // devices until the cadre closes bidding at the deadline.
        let offer = |c: usize, amount: Fen| match c {
            0 => (Fen(amount.get() * 95 / 100), "两周内进场，一个月完工", 45),
            _ => (
                Fen(amount.get() * 90 / 100),
                "分两期施工，不影响居民出行",
                60,
            ),
        };
        for (t, _, amount) in &tenders {
            for (c, contractor) in contractors.iter().enumerate() {
                let (price, plan, days) = offer(c, *amount);
                contractor.store.sealed_bid(cycle, *t, price, plan, days)?;
            }
        }
        for c in contractors {
            meet(c, cadre)?;
        }
        if let Ok(wait) = (deadline + Duration::milliseconds(2) - Utc::now()).to_std() {
            std::thread::sleep(wait);
        }
        for (t, _, _) in &tenders {
            cadre.store.close_bids(cycle, *t)?;
        }
        let mut bids = Vec::new();
        for c in contractors {
            meet(c, cadre)?;
        }
        for (t, _, amount) in &tenders {
            for (c, contractor) in contractors.iter().enumerate() {
                let (price, plan, days) = offer(c, *amount);
                let opened = contractor.store.open_bid(cycle, *t, price, plan, days)?;
                if c == 1 {
                    bids.push(opened);
                }
            }
        }
        for c in contractors {
            meet(c, cadre)?;
        }
        let mut awards = Vec::new();
        for ((t, project, amount), bid_b) in tenders.iter().zip(bids) {
            let award = cadre.act(
                cycle,
                Body::Award(Award {
                    tender: *t,
                    bid: bid_b,
                    reason: "报价最低且方案可行 / lowest price, feasible plan".into(),
                }),
            )?;
            let price = Fen(amount.get() * 90 / 100);
            let a = Fen(price.get() * 30 / 100);
            let b = Fen(price.get() * 40 / 100);
            cadre.act(
                cycle,
                Body::InstalmentSchedule(InstalmentSchedule {
                    award,
                    instalments: vec![
                        Instalment {
                            label: "预付款 / advance".into(),
                            amount: a,
                            requires_satisfaction: false,
                        },
                        Instalment {
                            label: "进度款 / progress".into(),
                            amount: b,
                            requires_satisfaction: false,
                        },
                        Instalment {
                            label: "尾款 / final".into(),
                            amount: Fen(price.get() - a.get() - b.get()),
                            requires_satisfaction: true,
                        },
                    ],
                }),
            )?;
            awards.push((*project, award));
        }
        Ok(awards)
    }

    /// Implementation, up to completion. Returns the project residents report as poorly built.
    fn implement(&self, awards: &[(Uuid, Uuid)]) -> Result<Uuid, SyncError> {
        let Community {
            cadre,
            contractors,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Implementation)?;
        let builder = &contractors[1];
        meet(builder, cadre)?;
        for (project, _) in awards {
            cadre
                .store
                .release_next_instalment(cycle, *project, "预付款")?;
            builder.act(
                cycle,
                Body::ProgressUpdate(ProgressUpdate {
                    project: *project,
                    text: "材料进场，开始施工".into(),
                    percent: 50,
                    photos: vec![photo("progress")],
                }),
            )?;
        }
        meet(builder, cadre)?;
        let troubled = awards
            .last()
            .map(|(p, _)| *p)
            .expect("at least one project");
        self.sync_all(&residents.iter().collect::<Vec<_>>())?;
        residents[3].act(
            cycle,
            Body::MonitoringReport(MonitoringReport {
                project: awards[0].0,
                kind: ReportKind::Progress,
                text: "施工有序，围挡规范".into(),
                photos: vec![photo("site-ok")],
            }),
        )?;
        let report_b = residents[8].act(
            cycle,
            Body::MonitoringReport(MonitoringReport {
                project: troubled,
                kind: ReportKind::PoorQuality,
                text: "材料看起来很薄，已有开裂".into(),
                photos: vec![photo("crack")],
            }),
        )?;
        meet(&residents[3], cadre)?;
        meet(&residents[8], cadre)?;
        cadre.act(
            cycle,
            Body::ReportResponse(ReportResponse {
                report: report_b,
                text: "已约监理现场查看，要求返工 / site inspection booked, rework ordered".into(),
            }),
        )?;
        meet(builder, cadre)?;
        for (project, _) in awards {
            builder.act(
                cycle,
                Body::ProgressUpdate(ProgressUpdate {
                    project: *project,
                    text: "主体完工".into(),
                    percent: 100,
                    photos: vec![],
                }),
            )?;
            builder.act(
                cycle,
                Body::CompletionReport(CompletionReport {
                    project: *project,
                    text: "工程完工，申请验收".into(),
                    photos: vec![photo("done")],
                }),
            )?;
        }
        meet(builder, cadre)?;
        for (project, _) in awards {
            cadre
                .store
                .release_next_instalment(cycle, *project, "进度款")?;
        }
        Ok(troubled)
    }

    /// Evaluation: ratings and the gated final payments. Returns the payments refused.
    fn evaluate(
        &self,
        awards: &[(Uuid, Uuid)],
        troubled: Uuid,
    ) -> Result<Vec<(String, Exclusion)>, SyncError> {
        let Community {
            cadre,
            residents,
            cycle,
            ..
        } = self;
        let cycle = *cycle;
        advance(cadre, cycle, Phase::Evaluation)?;
        self.sync_all(&residents.iter().collect::<Vec<_>>())?;
        for (pi, (project, _)) in awards.iter().enumerate() {
            for (ri, r) in residents.iter().enumerate().take(10) {
                let stars = if *project == troubled {
                    [2, 3, 4, 2, 5, 3, 2, 4, 3, 2][ri]
                } else {
                    [5, 4, 5, 4, 3, 5, 4, 5, 4, 5][(ri + pi) % 10]
                };
                r.act(
                    cycle,
                    Body::Rating(Rating {
                        project: *project,
                        stars,
                        comment: if stars >= 4 {
                            "满意".into()
                        } else {
                            "质量一般".into()
                        },
                    }),
                )?;
            }
        }
        self.sync_all(&residents.iter().collect::<Vec<_>>())?;
        let mut blocked = Vec::new();
        for (project, _) in awards {
            match cadre
                .store
                .release_next_instalment(cycle, *project, "尾款：满意度达标")
            {
                Ok(_) => {}
                Err(StoreError::Rejected(reason)) => {
                    let title = cadre.store.state(cycle)?.proposals[project]
                        .content
                        .title
                        .clone();
                    blocked.push((title, reason));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(blocked)
    }

    /// Hostile input reaches the tablet and is caught.
    fn hostile_input(&self, shortlisted: &[Uuid]) -> Result<ImportReport, SyncError> {
        let Community { cadre, cycle, .. } = self;
        let cycle = *cycle;
        let state = cadre.store.state(cycle)?;
        let stranger = DeviceSecret::generate().map_err(StoreError::from)?;
        let forged = SignedRecord::sign(
            &stranger,
            &Draft {
                cycle,
                seq: 1,
                time: Utc::now(),
                phase: Some(state.phase.1),
                body: Body::Ballot(Ballot::approve(vec![shortlisted[3]])),
            },
        );
        // Tampering: move a real ballot's first approval to another proposal, keeping the signature.
        let (honest, first) = cadre
            .store
            .export(cycle)?
            .into_iter()
            .find_map(|r| match r.decode().map(|d| d.body) {
                Ok(Body::Ballot(b)) if !b.choices.contains(&shortlisted[6]) => {
                    Some((r, b.choices[0]))
                }
                _ => None,
            })
            .expect("ballots exist");
        let tampered_text = String::from_utf8(honest.signed.clone()).expect("records are UTF-8");
        let tampered_text =
            tampered_text.replacen(&first.to_string(), &shortlisted[6].to_string(), 1);
        let tampered = SignedRecord::from_parts(tampered_text.into_bytes(), honest.signature);
        Ok(cadre.store.import(cycle, &[forged, tampered])?)
    }

    /// Everyone meets at the community centre. Returns the LAN sessions and bytes, whether every
    /// device converged, and whether an audit from scratch matches the tablet.
    fn meet_at_the_centre(&self) -> Result<(u64, u64, bool, bool), SyncError> {
        let Community { cadre, cycle, .. } = self;
        let cycle = *cycle;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let server = Server::start(cadre.store.clone(), listener, SessionOptions::default())?;
        let addr = server.local_addr().to_string();
        let mut lan_sessions = 0;
        let mut lan_bytes = 0;
        for _ in 0..2 {
            let results: Vec<Result<Progress, SyncError>> = std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .others()
                    .iter()
                    .map(|d| {
                        let (store, addr) = (d.store.clone(), addr.clone());
                        scope.spawn(move || {
                            net::sync_with(store, &addr, SessionOptions::default(), &mut |_| Ok(()))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("sync thread"))
                    .collect()
            });
            for r in results {
                let p = r?;
                lan_sessions += 1;
                lan_bytes += p.bytes_sent + p.bytes_received;
            }
        }
        server.stop();
        let reference = cadre.store.state(cycle)?;
        let bytes = reference.canonical_bytes();
        let tally = cadre.store.proposals(cycle, &Default::default())?;
        let mut converged = true;
        for d in &self.others() {
            converged &= d.store.state(cycle)?.canonical_bytes() == bytes;
            converged &= d.store.proposals(cycle, &Default::default())? == tally;
        }
        let audit_matches = cadre
            .store
            .audit_against_device(cycle)?
            .matches_device_state;
        Ok((lan_sessions, lan_bytes, converged, audit_matches))
    }

    /// What the demo did, read from the tablet's views.
    fn report(
        &self,
        bundle_chunks: usize,
        blocked: Vec<(String, Exclusion)>,
        (lan_sessions, lan_bytes, converged, audit_matches): (u64, u64, bool, bool),
        hostile: ImportReport,
    ) -> Result<DemoReport, SyncError> {
        let Community { cadre, cycle, .. } = self;
        let cycle = *cycle;
        let summary = cadre.store.summary(cycle)?;
        let rows = cadre.store.proposals(cycle, &Default::default())?;
        let projects = cadre
            .store
            .projects(cycle)?
            .into_iter()
            .map(|p| ProjectLine {
                title: p.title,
                funded: p.funded,
                contract: p.contract,
                good: p.good_ratings,
                ratings: p.ratings,
                released: p
                    .payments
                    .iter()
                    .filter(|x| x.released_by.is_some())
                    .count(),
                scheduled: p.payments.len(),
            })
            .collect();
        let excluded = cadre
            .store
            .records(cycle, true)?
            .into_iter()
            .filter(|r| !matches!(r.code.as_deref(), Some("superseded")))
            .map(|r| {
                (
                    r.kind.unwrap_or_else(|| "?".into()),
                    r.code.unwrap_or_default(),
                )
            })
            .collect();
        let sealed_paper = cadre.store.sealed_result(cycle)?.sealed_paper;
        let comments = cadre.store.with_state(cycle, |st| st.comments.len())?;
        let funnel = cadre
            .store
            .funnel(cycle)?
            .steps
            .into_iter()
            .map(|s| (s.step.as_str().to_string(), s.total, s.phone, s.paper))
            .collect();
        Ok(DemoReport {
            cycle,
            devices: 1 + self.others().len(),
            records: summary.records as usize,
            proposals: rows
                .into_iter()
                .map(|p| (p.title, p.status, p.sealed_votes))
                .collect(),
            sealed_ballots: summary.sealed_ballots as usize,
            sealed_paper,
            comments,
            funnel,
            late_ballots: summary.late_ballots as usize,
            projects,
            blocked_payments: blocked,
            excluded,
            refused: hostile
                .refused
                .iter()
                .map(|(_, e)| e.code().to_string())
                .collect(),
            held: hostile.held,
            converged,
            audit_matches,
            lan_sessions,
            lan_bytes,
            bundle_chunks,
        })
    }
}
