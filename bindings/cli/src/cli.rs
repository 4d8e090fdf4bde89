//! The `linli` command line: parsing, the errors and exit codes, the helpers every command
//! shares (opening the database, picking the cycle), and the dispatch to one function per
//! command (`commands`). Arguments are defined in `args`, output is printed by `render`.

use crate::args::{BundleAction, Cli, Command, PabulibAction};
use crate::commands::{audit, demo, exchange, read, roll};
use clap::Parser;
use linli_core::Lang;
use linli_core::store::{Store, StoreError};
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Pabulib(#[from] linli_core::pabulib::PabulibError),
    #[error("{0}")]
    Bundle(#[from] linli_core::bundle::BundleError),
    #[error("{0}")]
    Chunk(#[from] linli_core::chunks::ChunkError),
    #[error("{0}")]
    Tally(#[from] linli_core::tally::TallyError),
    #[error("{0}")]
    Sync(#[from] linli_core::sync::SyncError),
}

/// Parses the command line and runs the command; the `linli` binary's whole `main`.
pub fn main_entry() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            let msg = match &e {
                CliError::Store(s) => s.message(cli.lang),
                CliError::Sync(s) => s.message(cli.lang),
                other => other.to_string(),
            };
            eprintln!("{}: {msg}", cli.lang.pick("错误", "error"));
            ExitCode::from(2)
        }
    }
}

pub(crate) fn open(cli: &Cli) -> Result<Store, CliError> {
    let path = cli.db.as_ref().ok_or_else(|| {
        CliError::Usage(
            cli.lang
                .pick(
                    "需要 --db 数据库路径（或 LINLI_DB）",
                    "--db PATH (or LINLI_DB) is required",
                )
                .into(),
        )
    })?;
    if !path.exists() {
        return Err(CliError::Usage(format!(
            "{}: {}",
            cli.lang.pick("数据库不存在", "no database at"),
            path.display()
        )));
    }
    Ok(Store::open(path)?)
}

/// Opens the database and picks the cycle: the one given, else the newest.
pub(crate) fn open_cycle(cli: &Cli, cycle: Option<Uuid>) -> Result<(Store, Uuid), CliError> {
    let store = open(cli)?;
    let cycle = pick_cycle(&store, cycle, cli.lang)?;
    Ok((store, cycle))
}

pub(crate) fn pick_cycle(store: &Store, cycle: Option<Uuid>, lang: Lang) -> Result<Uuid, CliError> {
    if let Some(c) = cycle {
        return Ok(c);
    }
    store.cycles()?.first().map(|c| c.cycle).ok_or_else(|| {
        CliError::Usage(
            lang.pick("数据库中没有周期", "the database holds no cycle")
                .into(),
        )
    })
}

/// A proposal by id, or by a part of its title that only one proposal has.
pub(crate) fn find_project(
    store: &Store,
    cycle: Uuid,
    query: &str,
    lang: Lang,
) -> Result<Uuid, CliError> {
    if let Ok(id) = Uuid::parse_str(query.trim()) {
        return Ok(id);
    }
    let all = store.proposals(cycle, &linli_core::store::ProposalFilter::default())?;
    let hits: Vec<_> = all.iter().filter(|p| p.title.contains(query)).collect();
    match hits.as_slice() {
        [one] => Ok(one.id),
        [] => Err(CliError::Usage(format!(
            "{}: {query}",
            lang.pick("没有标题包含此文字的提案", "no proposal's title contains")
        ))),
        many => Err(CliError::Usage(format!(
            "{} ({}): {}",
            lang.pick(
                "多个提案匹配，请用编号",
                "several proposals match, give the id"
            ),
            many.len(),
            many.iter()
                .map(|p| format!("{} {}", p.id, p.title))
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

fn run(cli: &Cli) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Demo(args) => demo::demo(cli, args),
        Command::Status => read::status(cli),
        Command::Proposals(args) => read::proposals(cli, args),
        Command::Records(args) => read::records(cli, args),
        Command::Members(args) => read::members(cli, args),
        Command::Projects(args) => read::projects(cli, args),
        Command::Invite(args) => roll::invite(cli, args),
        Command::Register(args) => roll::register(cli, args),
        Command::Timeline(args) => read::timeline(cli, args),
        Command::Bundle {
            action: BundleAction::Export(args),
        } => exchange::bundle_export(cli, args),
        Command::Serve(args) => exchange::serve(cli, args),
        Command::Sync(args) => exchange::sync_with(cli, args),
        Command::Bundle {
            action: BundleAction::Import(args),
        } => exchange::bundle_import(cli, args),
        Command::Pabulib {
            action: PabulibAction::Tally(args),
        } => audit::pabulib_tally(cli, args),
        Command::Pabulib {
            action: PabulibAction::Export(args),
        } => audit::pabulib_export(cli, args),
        Command::Verify(args) => audit::verify(cli, args),
        Command::Audit(args) => audit::audit(cli, args),
    }
}
