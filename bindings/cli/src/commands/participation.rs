//! Commands of participation beside the ballot: paper ballots at the desk, comments, the council
//! meeting, re-categorising a proposal, and the engagement funnel. Each calls one core action or
//! query; the rules (one counted ballot per member, who may hide a comment, which categories a
//! cycle offers) are the core's.

use crate::args::*;
use crate::database::{find_project, open_cycle};
use crate::error::CliError;
use crate::render::{done, print_json};
use linli_core::lang::Lang;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::comment::Comment;
use linli_core::record::meeting::Meeting;
use linli_core::record::proposal::{Category, PaperSubmitter, Recategorisation};
use linli_core::store::Store;
use std::process::ExitCode;
use uuid::Uuid;

/// The choices (and points) of a ballot as typed.
pub(crate) fn ballot_of(
    store: &Store,
    cycle: Uuid,
    proposals: &[String],
    points: &[u32],
    lang: Lang,
) -> Result<Ballot, CliError> {
    let choices = proposals
        .iter()
        .map(|p| find_project(store, cycle, p, lang))
        .collect::<Result<Vec<_>, _>>()?;
    if points.is_empty() {
        Ok(Ballot::approve(choices))
    } else if points.len() == choices.len() {
        Ok(Ballot::points(
            choices.into_iter().zip(points.iter().copied()).collect(),
        ))
    } else {
        Err(CliError::Usage(format!(
            "{}: {} / {}",
            lang.pick("每个提案给一个点数", "one number of points per proposal"),
            points.len(),
            choices.len()
        )))
    }
}

pub(crate) fn enter_paper_ballot(cli: &Cli, args: &PaperBallotArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let ballot = ballot_of(&store, cycle, &args.proposals, &args.points, cli.lang)?;
    let id = store.enter_paper_ballot(cycle, args.member, &args.sheet, ballot)?;
    done(cli, "paper_ballot", id)
}

pub(crate) fn post_comment(cli: &Cli, args: &CommentPostArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    // A meeting id passes as an id; a title part finds a proposal.
    let on = find_project(&store, cycle, &args.on, cli.lang)?;
    let on_behalf_of = match (&args.for_name, args.for_member) {
        (Some(name), member) => Some(PaperSubmitter {
            name: name.clone(),
            member,
        }),
        (None, Some(_)) => {
            return Err(CliError::Usage(
                cli.lang
                    .pick(
                        "--for-member 需与 --for 姓名一起使用",
                        "--for-member goes with --for NAME",
                    )
                    .into(),
            ));
        }
        (None, None) => None,
    };
    let id = store.comment(
        cycle,
        Comment {
            on,
            reply_to: args.reply_to,
            text: args.text.clone(),
            on_behalf_of,
            in_hall: args.in_hall,
        },
    )?;
    done(cli, "comment", id)
}

pub(crate) fn hide_comment(cli: &Cli, args: &CommentHideArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let id = store.hide_comment(cycle, args.comment, &args.reason)?;
    done(cli, "comment_hiding", id)
}

pub(crate) fn comments(cli: &Cli, args: &CommentsArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let on = find_project(&store, cycle, &args.on, lang)?;
    let list = store.comments_on(cycle, on)?;
    if cli.json {
        print_json(&list);
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("{}", lang.pick("暂无评论", "no comments yet"));
    }
    for c in &list {
        let place = c.source_label(lang);
        match &c.hidden_reason {
            Some(why) => println!(
                "{}  {} [{place}] {}: {why}",
                c.id,
                c.author,
                lang.pick("已隐藏", "hidden")
            ),
            None => println!("{}  {} [{place}]: {}", c.id, c.author, c.text),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn open_meeting(cli: &Cli, args: &MeetingOpenArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let agenda = args
        .agenda
        .iter()
        .map(|p| find_project(&store, cycle, p, lang))
        .collect::<Result<Vec<_>, _>>()?;
    let starts = match &args.starts {
        None => chrono::Utc::now(),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map_err(|_| {
                CliError::Usage(format!(
                    "{}: {s}",
                    lang.pick(
                        "开始时间应为 RFC 3339 格式，如 2026-12-01T19:00:00+08:00",
                        "the start is RFC 3339, e.g. 2026-12-01T19:00:00+08:00"
                    )
                ))
            })?
            .with_timezone(&chrono::Utc),
    };
    let id = store.open_meeting(
        cycle,
        Meeting {
            title: args.title.clone(),
            agenda,
            starts,
            ends: starts + chrono::Duration::minutes(i64::from(args.minutes)),
        },
    )?;
    done(cli, "meeting", id)
}

pub(crate) fn meeting_item(cli: &Cli, args: &MeetingItemArgs) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let item = find_project(&store, cycle, &args.item, cli.lang)?;
    let id = store.move_meeting(cycle, args.meeting, item)?;
    done(cli, "meeting_item", id)
}

pub(crate) fn recategorise(cli: &Cli, args: &RecategoriseArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let proposal = find_project(&store, cycle, &args.proposal, lang)?;
    let category = Category::parse(args.category.trim()).ok_or_else(|| {
        CliError::Usage(format!(
            "{}: {}",
            lang.pick("未知类别", "unknown category"),
            args.category
        ))
    })?;
    let id = store.submit(
        cycle,
        Body::Recategorisation(Recategorisation {
            proposal,
            category,
            reason: args.reason.clone(),
        }),
    )?;
    done(cli, "recategorisation", id)
}

pub(crate) fn funnel(cli: &Cli, args: &FunnelArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    let f = store.funnel(cycle)?;
    if cli.json {
        print_json(&f);
        return Ok(ExitCode::SUCCESS);
    }
    if args.csv {
        println!("step,total,phone,paper,band,people");
        for s in &f.steps {
            for (band, n) in &s.by_band {
                println!(
                    "{},{},{},{},{band},{n}",
                    s.step.as_str(),
                    s.total,
                    s.phone,
                    s.paper
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let registered = f.steps.first().map(|s| s.total).unwrap_or(0).max(1);
    println!(
        "{:<10} {:>6} {:>6} {:>6} {:>6}",
        "",
        lang.pick("人数", "people"),
        lang.pick("手机", "phone"),
        lang.pick("纸质", "paper"),
        "%"
    );
    for s in &f.steps {
        println!(
            "{:<10} {:>6} {:>6} {:>6} {:>5}%",
            s.step.label(lang),
            s.total,
            s.phone,
            s.paper,
            u64::from(s.total) * 100 / u64::from(registered)
        );
    }
    println!(
        "{}: {} ({} {})",
        lang.pick("提案", "proposals"),
        f.proposals,
        f.proposals_online,
        lang.pick("件线上提交", "made online")
    );
    Ok(ExitCode::SUCCESS)
}
