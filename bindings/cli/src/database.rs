//! Opening the device database a command works on, and picking the cycle or project it names
//! (or the default one).

use crate::args::Cli;
use crate::error::CliError;
use linli_core::Lang;
use linli_core::store::Store;
use uuid::Uuid;

/// The database path the command was given (`--db` or `LINLI_DB`).
pub(crate) fn db_path(cli: &Cli) -> Result<&std::path::Path, CliError> {
    cli.db.as_deref().ok_or_else(|| {
        CliError::Usage(
            cli.lang
                .pick(
                    "需要 --db 数据库路径（或 LINLI_DB）",
                    "--db PATH (or LINLI_DB) is required",
                )
                .into(),
        )
    })
}

pub(crate) fn open(cli: &Cli) -> Result<Store, CliError> {
    let path = db_path(cli)?;
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
