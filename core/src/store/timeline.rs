//! A project's timeline: every record about one proposal, from submission through review,
//! roundtables, the sealed vote, the council resolution, the tender, the works, the residents'
//! reports and ratings, to the last payment. Read from the stored records (the kinds that can name
//! a project, never the ballots), so it shows excluded records too, with their reason code.

use super::{Result, Store};
use crate::record::envelope::{Record, SignedRecord};
use crate::record::proposal::ReviewDecision;
use crate::record::{Body, Kind};
use crate::{Fen, Lang};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// One event in a project's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// The record.
    pub record: Uuid,
    /// Its claimed time (a claim by the signer's device, not a fact).
    pub at: DateTime<Utc>,
    /// Its kind (snake_case).
    pub kind: String,
    /// The member who signed it, when the signing key is on the roll.
    pub actor: Option<Uuid>,
    /// That member's display name.
    pub actor_name: Option<String>,
    /// One line for people, in the store's language.
    pub text: String,
    /// The amount it names (budget, funding, bid, instalment), if any.
    pub amount: Option<Fen>,
    /// The stars of a rating.
    pub stars: Option<u8>,
    /// Counted by the fold.
    pub valid: bool,
    /// Why it is not counted (exclusion code), when it is not.
    pub code: Option<String>,
}

/// The kinds a timeline lists, from the registry, as an SQL list (`'proposal','review',...`).
fn timeline_kinds() -> &'static str {
    static KINDS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        Kind::on_timelines()
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The ids that link records to one project, found in one pass over the candidates.
#[derive(Default)]
struct Links {
    tenders: BTreeSet<Uuid>,
    bids: BTreeSet<Uuid>,
    sealed: BTreeSet<Uuid>,
    awards: BTreeSet<Uuid>,
    /// Schedules of this project's award, with their instalment amounts.
    schedules: BTreeMap<Uuid, Vec<Fen>>,
    reports: BTreeSet<Uuid>,
    /// Ballots counted by the seal in effect (from the cycle's view), for a seal that names
    /// them in record lists.
    sealed_ballots: usize,
}

impl Links {
    fn of(project: Uuid, records: &[Row]) -> Links {
        let mut l = Links::default();
        // Each link names an earlier record, so the kinds are resolved in their fold order.
        for kind in [
            Kind::Tender,
            Kind::Bid,
            Kind::SealedBid,
            Kind::Award,
            Kind::InstalmentSchedule,
            Kind::MonitoringReport,
        ] {
            for r in records.iter().filter(|r| r.record.kind() == kind) {
                let id = r.record.id;
                match &r.record.body {
                    Body::Tender(t) if t.project == project => l.tenders.insert(id),
                    Body::Bid(b) if l.tenders.contains(&b.tender) => l.bids.insert(id),
                    Body::SealedBid(b) if l.tenders.contains(&b.tender) => l.sealed.insert(id),
                    Body::Award(a) if l.tenders.contains(&a.tender) => l.awards.insert(id),
                    Body::InstalmentSchedule(s) if l.awards.contains(&s.award) => l
                        .schedules
                        .insert(id, s.instalments.iter().map(|i| i.amount).collect())
                        .is_none(),
                    Body::MonitoringReport(m) if m.project == project => l.reports.insert(id),
                    Body::Tender(_)
                    | Body::Bid(_)
                    | Body::SealedBid(_)
                    | Body::Award(_)
                    | Body::InstalmentSchedule(_)
                    | Body::MonitoringReport(_) => false,
                    // Only the kinds above link a record to a project; the loop visits no other.
                    Body::Genesis(_)
                    | Body::RollEntry(_)
                    | Body::Revocation(_)
                    | Body::PhaseChange(_)
                    | Body::Proposal(_)
                    | Body::ProposalRevision(_)
                    | Body::Review(_)
                    | Body::Recategorisation(_)
                    | Body::Roundtable(_)
                    | Body::Ballot(_)
                    | Body::PaperBallot(_)
                    | Body::RecordList(_)
                    | Body::Seal(_)
                    | Body::Meeting(_)
                    | Body::MeetingItem(_)
                    | Body::Comment(_)
                    | Body::CommentHiding(_)
                    | Body::Resolution(_)
                    | Body::BidClosing(_)
                    | Body::BidOpening(_)
                    | Body::ProgressUpdate(_)
                    | Body::ReportResponse(_)
                    | Body::CompletionReport(_)
                    | Body::Rating(_)
                    | Body::PaymentRelease(_) => false,
                };
            }
        }
        l
    }
}

struct Row {
    record: Record,
    valid: bool,
    code: Option<String>,
}

/// Whether a record is about `project` (the proposal, or the project it became), given the
/// links found so far. Seals, resolutions and releases are about it when they name it, which
/// [`describe`] finds out.
fn concerns(project: Uuid, links: &Links, r: &Record) -> bool {
    match &r.body {
        Body::Proposal(_) => r.id == project,
        Body::ProposalRevision(v) => v.proposal == project,
        Body::Review(v) => v.proposal == project,
        Body::Recategorisation(v) => v.proposal == project,
        Body::Roundtable(v) => v.discussed.contains(&project),
        Body::Tender(v) => v.project == project,
        Body::Bid(v) => links.tenders.contains(&v.tender),
        Body::SealedBid(v) => links.tenders.contains(&v.tender),
        Body::BidClosing(v) => links.tenders.contains(&v.tender),
        Body::BidOpening(v) => links.sealed.contains(&v.sealed_bid),
        Body::Award(v) => links.tenders.contains(&v.tender),
        Body::InstalmentSchedule(v) => links.awards.contains(&v.award),
        Body::ProgressUpdate(v) => v.project == project,
        Body::MonitoringReport(v) => v.project == project,
        Body::ReportResponse(v) => links.reports.contains(&v.report),
        Body::CompletionReport(v) => v.project == project,
        Body::Rating(v) => v.project == project,
        Body::Meeting(v) => v.agenda.contains(&project),
        Body::Seal(_) | Body::Resolution(_) | Body::PaymentRelease(_) => true,
        // Not timeline kinds (`Kind::on_timeline`): votes are counted in the tally, comments
        // are listed with the proposal, the chair's moves belong to the meeting.
        Body::Genesis(_)
        | Body::RollEntry(_)
        | Body::Revocation(_)
        | Body::PhaseChange(_)
        | Body::Ballot(_)
        | Body::PaperBallot(_)
        | Body::MeetingItem(_)
        | Body::Comment(_)
        | Body::CommentHiding(_)
        | Body::RecordList(_) => false,
    }
}

/// The line and amount for a record, or `None` when it is not about `project`.
fn describe(lang: Lang, project: Uuid, links: &Links, r: &Record) -> Option<Describe> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    if !concerns(project, links, r) {
        return None;
    }
    let d = match &r.body {
        Body::Proposal(p) => Describe {
            text: match &p.on_behalf_of {
                Some(s) => match lang {
                    Lang::Zh => format!("代{}录入纸质提案「{}」", s.name, p.content.title),
                    Lang::En => format!(
                        "paper proposal “{}” entered for {}",
                        p.content.title, s.name
                    ),
                },
                None => match lang {
                    Lang::Zh => format!("提交提案「{}」", p.content.title),
                    Lang::En => format!("proposal “{}” submitted", p.content.title),
                },
            },
            amount: Some(p.content.estimated_budget),
            ..Describe::default()
        },
        Body::ProposalRevision(v) => Describe {
            text: format!("{}{}", t("修改提案：", "revised: "), v.reason),
            amount: Some(v.content.estimated_budget),
            ..Describe::default()
        },
        Body::Review(v) => Describe::text(match &v.decision {
            ReviewDecision::Shortlist => format!(
                "{}{}",
                t("审核：入选投票。", "reviewed: shortlisted. "),
                v.reason
            ),
            ReviewDecision::MergeInto { .. } => format!(
                "{}{}",
                t(
                    "审核：与其他提案合并。",
                    "reviewed: merged into another proposal. "
                ),
                v.reason
            ),
            ReviewDecision::Reject => format!(
                "{}{}",
                t("审核：未采纳。", "reviewed: not taken forward. "),
                v.reason
            ),
        }),
        Body::Recategorisation(v) => Describe::text(match lang {
            Lang::Zh => format!("改为“{}”类：{}", v.category.label(lang), v.reason),
            Lang::En => format!(
                "moved to category “{}”: {}",
                v.category.label(lang),
                v.reason
            ),
        }),
        Body::Roundtable(v) => {
            let rec = v.recommendations.iter().find(|x| x.proposal == project);
            Describe::text(match (lang, rec) {
                (Lang::Zh, Some(x)) => format!("圆桌会议「{}」推荐：{}", v.topic, x.note),
                (Lang::Zh, None) => format!("圆桌会议「{}」讨论", v.topic),
                (Lang::En, Some(x)) => {
                    format!("roundtable “{}” recommends it: {}", v.topic, x.note)
                }
                (Lang::En, None) => format!("discussed at roundtable “{}”", v.topic),
            })
        }
        Body::Seal(s) => {
            let c = s.counts.iter().find(|c| c.proposal == project)?;
            let ballots = if s.ballot_lists.is_empty() {
                s.ballots.len()
            } else {
                links.sealed_ballots
            };
            Describe::text(match lang {
                Lang::Zh => format!("投票封存：{} 票（共 {ballots} 张选票）", c.votes),
                Lang::En => format!("vote sealed: {} votes ({ballots} ballots)", c.votes),
            })
        }
        Body::Meeting(v) => Describe::text(match lang {
            Lang::Zh => format!("列入会议「{}」议程", v.title),
            Lang::En => format!("on the agenda of the meeting “{}”", v.title),
        }),
        Body::Resolution(v) => {
            if let Some(f) = v.funded.iter().find(|f| f.proposal == project) {
                Describe {
                    text: match (lang, &f.deviation_reason) {
                        (Lang::Zh, Some(why)) => {
                            format!("议事会决议资助 {}（调整：{}）", f.amount, why)
                        }
                        (Lang::Zh, None) => format!("议事会决议资助 {}", f.amount),
                        (Lang::En, Some(why)) => {
                            format!("council funds it with {} (changed: {})", f.amount, why)
                        }
                        (Lang::En, None) => format!("council funds it with {}", f.amount),
                    },
                    amount: Some(f.amount),
                    ..Describe::default()
                }
            } else {
                let o = v.omitted.iter().find(|o| o.proposal == project)?;
                Describe::text(format!(
                    "{}{}",
                    t("议事会决议不予资助：", "council does not fund it: "),
                    o.reason
                ))
            }
        }
        Body::Tender(v) => Describe {
            text: match lang {
                Lang::Zh => format!(
                    "公开招标，预算 {}，截止 {}",
                    v.budget,
                    v.deadline.format("%Y-%m-%d")
                ),
                Lang::En => format!(
                    "public tender, budget {}, closes {}",
                    v.budget,
                    v.deadline.format("%Y-%m-%d")
                ),
            },
            amount: Some(v.budget),
            ..Describe::default()
        },
        Body::Bid(v) => Describe {
            text: match lang {
                Lang::Zh => format!("投标 {}，工期 {} 天", v.amount, v.duration_days),
                Lang::En => format!("bid of {}, {} days", v.amount, v.duration_days),
            },
            amount: Some(v.amount),
            ..Describe::default()
        },
        Body::SealedBid(_) => Describe::text(t("收到密封投标", "sealed bid received")),
        Body::BidClosing(v) => Describe::text(match lang {
            Lang::Zh => format!("投标截止：收到 {} 份密封投标", v.sealed_bids.len()),
            Lang::En => format!("bidding closed: {} sealed bids", v.sealed_bids.len()),
        }),
        Body::BidOpening(v) => Describe {
            text: match lang {
                Lang::Zh => format!("开标：报价 {}，工期 {} 天", v.amount, v.duration_days),
                Lang::En => format!("bid opened: {}, {} days", v.amount, v.duration_days),
            },
            amount: Some(v.amount),
            ..Describe::default()
        },
        Body::Award(v) => Describe::text(format!("{}{}", t("定标：", "awarded: "), v.reason)),
        Body::InstalmentSchedule(v) => {
            let total = Fen::checked_sum(v.instalments.iter().map(|i| i.amount));
            Describe {
                text: match lang {
                    Lang::Zh => format!("付款计划：{} 期", v.instalments.len()),
                    Lang::En => format!("payment schedule: {} instalments", v.instalments.len()),
                },
                amount: total,
                ..Describe::default()
            }
        }
        Body::ProgressUpdate(v) => Describe::text(match lang {
            Lang::Zh => format!("施工进度 {}%：{}", v.percent, v.text),
            Lang::En => format!("progress {}%: {}", v.percent, v.text),
        }),
        Body::MonitoringReport(v) => {
            Describe::text(format!("{}{}{}", v.kind.label(lang), t("：", ": "), v.text))
        }
        Body::ReportResponse(v) => Describe::text(format!(
            "{}{}",
            t("回复居民反映：", "response to a report: "),
            v.text
        )),
        Body::CompletionReport(v) => Describe::text(format!(
            "{}{}",
            t("完工报告：", "completion reported: "),
            v.text
        )),
        Body::Rating(v) => Describe {
            text: match lang {
                Lang::Zh => format!("评价 {} 星：{}", v.stars, v.comment),
                Lang::En => format!("rated {} stars: {}", v.stars, v.comment),
            },
            stars: Some(v.stars),
            ..Describe::default()
        },
        Body::PaymentRelease(v) => {
            let amounts = links.schedules.get(&v.schedule)?;
            let n = v.instalment + 1;
            let basis = match (lang, v.ratings.len()) {
                (_, 0) => String::new(),
                (Lang::Zh, k) => format!("（依据 {k} 条评价）"),
                (Lang::En, k) => format!(" (on {k} ratings)"),
            };
            Describe {
                text: match lang {
                    Lang::Zh => format!("拨付第 {n} 期款项{basis}"),
                    Lang::En => format!("instalment {n} released{basis}"),
                },
                amount: amounts.get(v.instalment as usize).copied(),
                ..Describe::default()
            }
        }
        Body::Genesis(_)
        | Body::RollEntry(_)
        | Body::Revocation(_)
        | Body::PhaseChange(_)
        | Body::Ballot(_)
        | Body::PaperBallot(_)
        | Body::MeetingItem(_)
        | Body::Comment(_)
        | Body::CommentHiding(_)
        | Body::RecordList(_) => return None,
    };
    Some(d)
}

#[derive(Default)]
struct Describe {
    text: String,
    amount: Option<Fen>,
    stars: Option<u8>,
}

impl Describe {
    fn text(text: String) -> Describe {
        Describe {
            text,
            ..Describe::default()
        }
    }
}

impl Store {
    /// Everything that happened to one proposal or project, oldest first (by claimed time), in
    /// `lang`. Excluded records are listed with their code so a resident sees what was refused.
    /// Empty when the id names no proposal of the cycle.
    pub fn timeline(&self, cycle: Uuid, project: Uuid, lang: Lang) -> Result<Vec<TimelineEntry>> {
        let g = self.lock();
        let c = &g.conn;
        // `kind <> 'ballot'` is implied by the kinds listed; it is spelled out because SQLite uses
        // the partial index `records_by_kind` only when the query names its condition.
        debug_assert!(!Kind::Ballot.on_timeline());
        let mut stmt = c.prepare_cached(&format!(
            "SELECT r.signed, r.signature, x.n IS NULL, x.code
             FROM records r LEFT JOIN exclusions x ON x.n = r.n
             WHERE r.cycle_id = ?1 AND r.kind <> 'ballot' AND r.kind IN ({})
             ORDER BY r.claimed_time, r.signer, r.seq, r.id",
            timeline_kinds()
        ))?;
        let rows: Vec<Row> = stmt
            .query_map([cycle.to_string()], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .filter_map(|row| {
                let (signed, sig, valid, code) = match row {
                    Ok(x) => x,
                    Err(e) => return Some(Err(e)),
                };
                let sig: [u8; 64] = sig.try_into().ok()?;
                let record = SignedRecord::from_parts(signed, sig).decode().ok()?;
                Some(Ok(Row {
                    record,
                    valid,
                    code,
                }))
            })
            .collect::<rusqlite::Result<_>>()?;
        let mut links = Links::of(project, &rows);
        links.sealed_ballots = c
            .prepare_cached("SELECT sealed_ballots FROM cycle_view WHERE cycle_id = ?1")?
            .query_row([cycle.to_string()], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as usize;
        let mut who = c.prepare_cached(
            "SELECT m.member_id, m.display_name FROM device_keys k
             JOIN members m ON m.cycle_id = k.cycle_id AND m.member_id = k.member_id
             WHERE k.cycle_id = ?1 AND k.public_key = ?2",
        )?;
        let mut out = Vec::new();
        for row in &rows {
            let Some(d) = describe(lang, project, &links, &row.record) else {
                continue;
            };
            let actor: Option<(String, String)> = who
                .query_row(
                    params![cycle.to_string(), row.record.signer.to_hex()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            out.push(TimelineEntry {
                record: row.record.id,
                at: row.record.time,
                kind: row.record.kind().as_str().to_string(),
                actor: actor.as_ref().and_then(|(id, _)| Uuid::parse_str(id).ok()),
                actor_name: actor.map(|(_, name)| name),
                text: d.text,
                amount: d.amount,
                stars: d.stars,
                valid: row.valid,
                code: row.code.clone(),
            });
        }
        Ok(out)
    }
}
