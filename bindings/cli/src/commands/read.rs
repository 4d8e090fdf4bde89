//! Commands that read a device's views: status, proposals, records, members, projects, a
//! project's timeline.

use crate::args::*;
use crate::database::{find_project, open, open_cycle};
use crate::error::CliError;
use crate::render::*;
use linli_core::store::{ProposalFilter, label};
use std::process::ExitCode;

pub(crate) fn status(cli: &Cli) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let store = open(cli)?;
    let cycles = store.cycles()?;
    if cli.json {
        print_json(&cycles);
    } else {
        for c in &cycles {
            println!("{} {} — {}", c.community, c.year, c.title);
            println!("  {}: {}", lang.pick("周期", "cycle"), c.cycle);
            println!(
                "  {}: {}   {}: {}",
                lang.pick("资金池", "pool"),
                c.pool,
                lang.pick("阶段", "phase"),
                label(lang, &c.phase)
            );
            println!(
                "  {}: {}   {}: {}   {}: {}   {}: {}",
                lang.pick("名册", "members"),
                c.members,
                lang.pick("提案", "proposals"),
                c.proposals,
                lang.pick("投票人", "voters"),
                c.voters,
                lang.pick("议事会", "roundtables"),
                c.roundtables
            );
            println!(
                "  {}: {}   {}: {}   {}: {}",
                lang.pick("记录", "records"),
                c.records,
                lang.pick("未计入", "not counted"),
                c.invalid,
                lang.pick("冲突", "conflicts"),
                c.conflicts
            );
            if c.sealed {
                println!(
                    "  {}: {}   {}: {}   {}: {}",
                    lang.pick("封存选票", "sealed ballots"),
                    c.sealed_ballots,
                    lang.pick("迟到选票", "late ballots"),
                    c.late_ballots,
                    lang.pick("已资助", "funded"),
                    c.funded
                );
            }
        }
        if cycles.is_empty() {
            println!(
                "{}",
                lang.pick("数据库中没有周期", "the database holds no cycle")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn proposals(cli: &Cli, args: &ProposalsArgs) -> Result<ExitCode, CliError> {
    let ProposalsArgs {
        cycle,
        search,
        status,
        category,
    } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let rows = store.proposals(
        cycle,
        &ProposalFilter {
            status: status.clone(),
            category: category.clone(),
            search: search.clone(),
        },
    )?;
    if cli.json {
        print_json(&rows);
    } else {
        for p in &rows {
            let votes = p
                .sealed_votes
                .map(|v| format!("{v}*"))
                .unwrap_or_else(|| p.votes.to_string());
            let comments = match (p.comments, lang) {
                (0, _) => String::new(),
                (n, linli_core::Lang::Zh) => format!("（评论 {n} 条）"),
                (n, linli_core::Lang::En) => format!(" ({n} comments)"),
            };
            println!(
                "{:>5}  {:<10} {:>14}  {}  [{}]{}{comments}",
                votes,
                label(lang, &p.status),
                p.estimate.to_string(),
                p.title,
                label(lang, &p.category),
                p.on_behalf_of
                    .as_ref()
                    .map(|n| format!(" ({} {n})", lang.pick("代录：", "on behalf of")))
                    .unwrap_or_default()
            );
            if let Some(r) = &p.review_reason {
                println!("       {}: {r}", lang.pick("审核意见", "review"));
            }
        }
        println!(
            "{} {}",
            rows.len(),
            lang.pick("个提案（* 为封存票数）", "proposals (* = sealed count)")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn records(cli: &Cli, args: &RecordsArgs) -> Result<ExitCode, CliError> {
    let RecordsArgs { cycle, invalid } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let rows = store.records(cycle, *invalid)?;
    if cli.json {
        print_json(&rows);
    } else {
        for r in &rows {
            let verdict = if r.valid {
                lang.pick("有效", "valid").to_string()
            } else {
                let reason: Option<linli_core::Exclusion> = r
                    .reason
                    .clone()
                    .and_then(|v| serde_json::from_value(v).ok());
                reason
                    .map(|e| e.message(lang))
                    .unwrap_or_else(|| r.code.clone().unwrap_or_default())
            };
            println!(
                "{}  {:<20} {:>8} #{:<4} {}",
                r.id,
                r.kind.as_deref().unwrap_or("?"),
                r.signer.as_deref().map(|s| &s[..8]).unwrap_or("?"),
                r.seq.map(|s| s.to_string()).unwrap_or_default(),
                verdict
            );
        }
        println!("{} {}", rows.len(), lang.pick("条记录", "records"));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn members(cli: &Cli, args: &MembersArgs) -> Result<ExitCode, CliError> {
    let MembersArgs { cycle } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let rows = store.members(cycle)?;
    if cli.json {
        print_json(&rows);
    } else {
        for m in &rows {
            let roles: Vec<String> = m.roles.iter().map(|r| r.replace('_', " ")).collect();
            println!("{}  {:<24} {}", m.id, m.display_name, roles.join(", "));
        }
        println!("{} {}", rows.len(), lang.pick("名成员", "members"));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn projects(cli: &Cli, args: &ProjectsArgs) -> Result<ExitCode, CliError> {
    let ProjectsArgs { cycle } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let rows = store.projects(cycle)?;
    if cli.json {
        print_json(&rows);
    } else {
        for p in &rows {
            println!("{}  {} {}", p.title, lang.pick("资助", "funded"), p.funded);
            println!(
                "  {}: {}   {}: {}%   {}: {}   {}: {}/{}",
                lang.pick("合同", "contract"),
                p.contract
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "—".into()),
                lang.pick("进度", "progress"),
                p.progress,
                lang.pick("监督报告", "reports"),
                p.reports,
                lang.pick("满意评价", "good ratings"),
                p.good_ratings,
                p.ratings
            );
            for pay in &p.payments {
                println!(
                    "    {} {} {}",
                    if pay.released_by.is_some() {
                        "✔"
                    } else {
                        "·"
                    },
                    pay.label,
                    pay.amount
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn timeline(cli: &Cli, args: &TimelineArgs) -> Result<ExitCode, CliError> {
    let TimelineArgs { project, cycle } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let project = find_project(&store, cycle, project, lang)?;
    let rows = store.timeline(cycle, project, lang)?;
    if cli.json {
        print_json(&rows);
    } else {
        for e in &rows {
            println!(
                "{}  {}{}  {}{}",
                e.at.format("%Y-%m-%d %H:%M"),
                if e.valid { "" } else { "✘ " },
                e.actor_name.as_deref().unwrap_or("?"),
                e.text,
                e.code
                    .as_ref()
                    .map(|c| format!("  [{c}]"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
