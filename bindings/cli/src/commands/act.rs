//! The actions of the people who run a cycle, and of residents: one command per action, each
//! drafting the record the core checks and signs. Every refusal is the core's typed reason.

use crate::args::*;
use crate::database::{find_project, open_cycle};
use crate::error::CliError;
use crate::render::{done, print_json};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use linli_core::record::Body;
use linli_core::record::blob::BlobRef;
use linli_core::record::cycle::PhaseWindow;
use linli_core::record::evaluation::{CompletionReport, Instalment, InstalmentSchedule, Rating};
use linli_core::record::monitoring::{
    MonitoringReport, ProgressUpdate, ReportKind, ReportResponse,
};
use linli_core::record::proposal::{
    BudgetLine, Category, PaperSubmitter, Proposal, ProposalContent, ReviewDecision,
};
use linli_core::record::resolution::{Funding, Omission};
use linli_core::record::roundtable::{Recommendation, Roundtable};
use linli_core::record::tender::{Award, Tender};
use linli_core::store::Store;
use linli_core::{DeviceKey, Fen, Lang, Phase};
use serde_json::json;
use std::process::ExitCode;
use uuid::Uuid;

fn usage(lang: Lang, zh: &str, en: &str, detail: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!("{}: {detail}", lang.pick(zh, en)))
}

/// An amount in yuan as people write it (`300000`, `1,234.50`), exactly, as fen.
pub(crate) fn money(lang: Lang, text: &str) -> Result<Fen, CliError> {
    text.parse().map_err(|_| {
        usage(
            lang,
            "金额应以元为单位，最多两位小数",
            "an amount in yuan, at most two decimals",
            text,
        )
    })
}

/// `KEY=VALUE`.
fn pair(lang: Lang, text: &str) -> Result<(&str, &str), CliError> {
    text.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .ok_or_else(|| usage(lang, "应写成 名称=值", "expected NAME=VALUE", text))
}

fn photo(
    store: &Store,
    lang: Lang,
    path: Option<&std::path::Path>,
) -> Result<Vec<BlobRef>, CliError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let bytes = std::fs::read(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "pdf" => "application/pdf",
        _ => {
            return Err(usage(
                lang,
                "照片应为 JPEG、PNG 或 PDF 文件",
                "a photo is a JPEG, PNG or PDF file",
                path.display(),
            ));
        }
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("photo")
        .to_string();
    Ok(vec![store.put_blob(&bytes, mime, &name)?])
}

pub(crate) fn cycle_create(cli: &Cli, args: &CycleCreateArgs) -> Result<ExitCode, CliError> {
    use linli_core::record::cycle::{BallotKind, Genesis, SatisfactionRule, VotingRules};
    let lang = cli.lang;
    let store = crate::database::open(cli)?;
    let ballot = BallotKind::parse(&args.ballot).ok_or_else(|| {
        usage(
            lang,
            "选票类型应为 approval、ranked、knapsack:上限元 或 cumulative:点数",
            "ballot is approval, ranked, knapsack:CAP_YUAN or cumulative:POINTS",
            &args.ballot,
        )
    })?;
    let calendar = args
        .windows
        .iter()
        .map(|w| window(lang, w))
        .collect::<Result<Vec<_>, _>>()?;
    let genesis = Genesis {
        community: args.community.clone(),
        year: args.year,
        title: args.title.clone(),
        budget_pool: money(lang, &args.pool)?,
        calendar,
        voting: VotingRules {
            ballot,
            min_picks: args.min_picks,
            max_picks: args.max_picks,
            rule: args.rule,
            ..VotingRules::approval(1, 1)
        },
        satisfaction: SatisfactionRule {
            threshold_pct: args.satisfaction_pct,
            min_ratings: args.min_ratings,
            ..SatisfactionRule::default()
        },
        founder_member: Uuid::now_v7(),
        founder_name: args.founder.clone(),
        programme: programme(lang, &args.categories, &args.excluded)?,
    };
    let cycle = store.create_cycle(genesis)?;
    done(cli, "cycle", cycle)
}

/// The programme's rules as typed: category codes, and `CATEGORY=REASON` exclusions.
pub(crate) fn programme(
    lang: Lang,
    categories: &[String],
    excluded: &[String],
) -> Result<linli_core::record::cycle::Programme, CliError> {
    use linli_core::record::cycle::{ExcludedType, Programme};
    use linli_core::record::proposal::Category;
    Ok(Programme {
        categories: categories
            .iter()
            .map(|c| {
                Category::parse(c.trim())
                    .ok_or_else(|| usage(lang, "未知类别", "unknown category", c))
            })
            .collect::<Result<_, _>>()?,
        excluded: excluded
            .iter()
            .map(|x| {
                ExcludedType::parse(x).ok_or_else(|| {
                    usage(
                        lang,
                        "排除的类别应写为 类别=理由",
                        "an exclusion is CATEGORY=REASON",
                        x,
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    })
}

/// `PHASE=YYYY-MM-DD..YYYY-MM-DD`.
fn window(lang: Lang, text: &str) -> Result<PhaseWindow, CliError> {
    let bad = || {
        usage(
            lang,
            "日程应写成 阶段=开始日期..结束日期",
            "a window is PHASE=YYYY-MM-DD..YYYY-MM-DD",
            text,
        )
    };
    let (phase, dates) = pair(lang, text)?;
    let phase = Phase::ALL
        .into_iter()
        .find(|p| p.as_str() == phase)
        .ok_or_else(bad)?;
    let (start, end) = dates.split_once("..").ok_or_else(bad)?;
    let day = |d: &str| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| bad());
    Ok(PhaseWindow {
        phase,
        start: day(start)?,
        end: day(end)?,
    })
}

pub(crate) fn revoke(cli: &Cli, args: &RevokeArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let key = DeviceKey::from_hex(args.key.trim()).map_err(CliError::Usage)?;
    let id = store.revoke(cycle, key, &args.reason)?;
    done(cli, "revocation", id)
}

pub(crate) fn phase_next(cli: &Cli, args: &PhaseNextArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let now = store.state(cycle)?.phase.0;
    let next = now
        .next()
        .ok_or_else(|| usage(lang, "周期已结束", "the cycle is closed", now.label(lang)))?;
    let id = store.advance_phase(cycle, next, &args.note)?;
    if cli.json {
        print_json(&json!({ "phase_change": id, "phase": next.as_str() }));
    } else {
        println!("{id}\t{}", next.label(lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn content(lang: Lang, f: &ProposalFields) -> Result<ProposalContent, CliError> {
    let category = Category::parse(&f.category)
        .ok_or_else(|| usage(lang, "未知类别", "unknown category", &f.category))?;
    let budget_lines = f
        .budget
        .iter()
        .map(|b| {
            let (item, amount) = pair(lang, b)?;
            Ok(BudgetLine {
                item: item.to_string(),
                amount: money(lang, amount)?,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    // The estimate is the lines' sum; the core judges both (a negative line is refused by name).
    let estimated_budget = budget_lines
        .iter()
        .try_fold(Fen::ZERO, |sum, b| sum.checked_add(b.amount))
        .unwrap_or(Fen(i64::MAX));
    Ok(ProposalContent {
        title: f.title.clone(),
        description: f.description.clone(),
        category,
        location: f.location.clone(),
        target_group: f.target_group.clone(),
        needs_assessment: f.needs.clone(),
        goals: f.goals.clone(),
        steps: f.steps.clone(),
        risks: f.risks.clone(),
        budget_lines,
        estimated_budget,
        attachments: Vec::new(),
    })
}

pub(crate) fn propose(cli: &Cli, args: &ProposeArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.fields.cycle)?;
    let body = Proposal {
        content: content(cli.lang, &args.fields)?,
        on_behalf_of: None,
    };
    let id = store.submit(cycle, Body::Proposal(Box::new(body)))?;
    done(cli, "proposal", id)
}

pub(crate) fn proposal_enter(cli: &Cli, args: &PaperProposalArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.fields.cycle)?;
    let body = Proposal {
        content: content(cli.lang, &args.fields)?,
        on_behalf_of: Some(PaperSubmitter {
            name: args.on_behalf_of.clone(),
            member: None,
        }),
    };
    let id = store.submit(cycle, Body::Proposal(Box::new(body)))?;
    done(cli, "proposal", id)
}

pub(crate) fn review(cli: &Cli, args: &ReviewArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let proposal = find_project(&store, cycle, &args.proposal, lang)?;
    let decision = match (&args.merge_into, args.shortlist, args.reject) {
        (Some(target), false, false) => ReviewDecision::MergeInto {
            target: find_project(&store, cycle, target, lang)?,
        },
        (None, true, false) => ReviewDecision::Shortlist,
        (None, false, true) => ReviewDecision::Reject,
        _ => {
            return Err(usage(
                lang,
                "请给出一种决定",
                "give one decision",
                "--shortlist | --merge-into PROPOSAL | --reject",
            ));
        }
    };
    let id = store.review(cycle, proposal, decision, &args.reason)?;
    done(cli, "review", id)
}

pub(crate) fn roundtable(cli: &Cli, args: &RoundtableArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let discussed = args
        .discussed
        .iter()
        .map(|p| find_project(&store, cycle, p, lang))
        .collect::<Result<Vec<_>, _>>()?;
    let recommendations = args
        .recommendations
        .iter()
        .map(|r| {
            let (p, note) = pair(lang, r)?;
            Ok(Recommendation {
                proposal: find_project(&store, cycle, p, lang)?,
                note: note.to_string(),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let body = Roundtable {
        topic: args.topic.clone(),
        held_at: Utc::now(),
        leader: args.leader,
        recorder: args.recorder,
        adviser: args.adviser,
        participants: args.participants.clone(),
        discussed,
        notes: args.notes.clone(),
        recommendations,
    };
    let id = store.submit(cycle, Body::Roundtable(Box::new(body)))?;
    done(cli, "roundtable", id)
}

pub(crate) fn vote(cli: &Cli, args: &VoteArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let ballot =
        super::participation::ballot_of(&store, cycle, &args.proposals, &args.points, cli.lang)?;
    let id = store.submit(cycle, Body::Ballot(ballot))?;
    done(cli, "ballot", id)
}

pub(crate) fn seal(cli: &Cli, args: &NoteArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let id = store.seal(cycle, &args.note)?;
    done(cli, "seal", id)
}

pub(crate) fn resolve(cli: &Cli, args: &ResolveArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let fund = args
        .fund
        .iter()
        .map(|f| {
            let (p, rest) = pair(lang, f)?;
            let (amount, reason) = match rest.split_once(':') {
                Some((a, r)) => (a, Some(r.trim().to_string())),
                None => (rest, None),
            };
            Ok(Funding {
                proposal: find_project(&store, cycle, p, lang)?,
                amount: money(lang, amount)?,
                deviation_reason: reason.filter(|r| !r.is_empty()),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let omit = args
        .omit
        .iter()
        .map(|o| {
            let (p, reason) = pair(lang, o)?;
            Ok(Omission {
                proposal: find_project(&store, cycle, p, lang)?,
                reason: reason.to_string(),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let id = store.resolve(cycle, &fund, &omit, &args.note)?;
    done(cli, "resolution", id)
}

/// An RFC 3339 time, or a delay from now: `30s`, `10m`, `2h`, `7d`.
pub(crate) fn deadline(lang: Lang, text: &str) -> Result<DateTime<Utc>, CliError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let t = text.trim();
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| {
        usage(
            lang,
            "截止时间应为 RFC 3339 时间或 30s、10m、2h、7d",
            "a deadline is an RFC 3339 time or 30s, 10m, 2h, 7d",
            text,
        )
    })?;
    let d = match unit {
        "s" => Duration::seconds(n),
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        _ => {
            return Err(usage(
                lang,
                "截止时间的单位应为 s、m、h 或 d",
                "a delay ends in s, m, h or d",
                text,
            ));
        }
    };
    Ok(Utc::now() + d)
}

pub(crate) fn tender_open(cli: &Cli, args: &TenderOpenArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = Tender {
        project: find_project(&store, cycle, &args.project, lang)?,
        budget: money(lang, &args.budget)?,
        deadline: deadline(lang, &args.deadline)?,
        requirements: args.requirements.clone(),
        sealed_bids: true,
    };
    let id = store.submit(cycle, Body::Tender(body))?;
    done(cli, "tender", id)
}

pub(crate) fn tender_close(cli: &Cli, args: &TenderCloseArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let id = store.close_bids(cycle, args.tender)?;
    done(cli, "bid_closing", id)
}

pub(crate) fn bid(cli: &Cli, args: &BidArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let amount = money(cli.lang, &args.amount)?;
    if args.open {
        let id = store.open_bid(cycle, args.tender, amount, &args.plan, args.days)?;
        done(cli, "bid", id)
    } else {
        let id = store.sealed_bid(cycle, args.tender, amount, &args.plan, args.days)?;
        done(cli, "sealed_bid", id)
    }
}

pub(crate) fn award(cli: &Cli, args: &AwardArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = Award {
        tender: args.tender,
        bid: args.bid,
        reason: args.reason.clone(),
    };
    let id = store.submit(cycle, Body::Award(body))?;
    done(cli, "award", id)
}

pub(crate) fn schedule(cli: &Cli, args: &ScheduleArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let instalments = args
        .instalments
        .iter()
        .map(|i| {
            let (label, rest) = pair(lang, i)?;
            let (amount, gated) = match rest.split_once(':') {
                Some((a, "gated")) => (a, true),
                Some((_, other)) => {
                    return Err(usage(
                        lang,
                        "分期只能标注 :gated",
                        "an instalment may only be marked :gated",
                        other,
                    ));
                }
                None => (rest, false),
            };
            Ok(Instalment {
                label: label.to_string(),
                amount: money(lang, amount)?,
                requires_satisfaction: gated,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let body = InstalmentSchedule {
        award: args.award,
        instalments,
    };
    let id = store.submit(cycle, Body::InstalmentSchedule(body))?;
    done(cli, "schedule", id)
}

pub(crate) fn pay_next(cli: &Cli, args: &PayNextArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let project = find_project(&store, cycle, &args.project, cli.lang)?;
    let id = store.release_next_instalment(cycle, project, &args.note)?;
    done(cli, "payment_release", id)
}

pub(crate) fn progress(cli: &Cli, args: &ProgressArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = ProgressUpdate {
        project: find_project(&store, cycle, &args.project, cli.lang)?,
        text: args.text.clone(),
        percent: args.percent,
        photos: photo(&store, cli.lang, args.photo.as_deref())?,
    };
    let id = store.submit(cycle, Body::ProgressUpdate(body))?;
    done(cli, "progress_update", id)
}

pub(crate) fn complete(cli: &Cli, args: &CompleteArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = CompletionReport {
        project: find_project(&store, cycle, &args.project, cli.lang)?,
        text: args.text.clone(),
        photos: photo(&store, cli.lang, args.photo.as_deref())?,
    };
    let id = store.submit(cycle, Body::CompletionReport(body))?;
    done(cli, "completion_report", id)
}

pub(crate) fn report(cli: &Cli, args: &ReportArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let kind = ReportKind::parse(&args.kind).ok_or_else(|| {
        usage(
            lang,
            "报告类型应为 progress、not_started、poor_quality 或 misuse_of_funds",
            "kind is progress, not_started, poor_quality or misuse_of_funds",
            &args.kind,
        )
    })?;
    let body = MonitoringReport {
        project: find_project(&store, cycle, &args.project, lang)?,
        kind,
        text: args.text.clone(),
        photos: photo(&store, lang, args.photo.as_deref())?,
    };
    let id = store.submit(cycle, Body::MonitoringReport(body))?;
    done(cli, "monitoring_report", id)
}

pub(crate) fn respond(cli: &Cli, args: &RespondArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = ReportResponse {
        report: args.report,
        text: args.text.clone(),
    };
    let id = store.submit(cycle, Body::ReportResponse(body))?;
    done(cli, "report_response", id)
}

pub(crate) fn rate(cli: &Cli, args: &RateArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let body = Rating {
        project: find_project(&store, cycle, &args.project, cli.lang)?,
        stars: args.stars,
        comment: args.comment.clone(),
    };
    let id = store.submit(cycle, Body::Rating(body))?;
    done(cli, "rating", id)
}
