//! The `linli` command line: argument parsing and the commands.

use crate::demo::{self, DemoOptions, DemoReport};
use clap::{Parser, Subcommand};
use linli_core::store::{ProposalFilter, Store, StoreError, label};
use linli_core::{Fen, Lang};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

/// Linli (邻里): offline-first participatory budgeting.
#[derive(Parser)]
#[command(name = "linli", version, about, long_about = None)]
struct Cli {
    /// The device database (SQLite). Also read from LINLI_DB.
    #[arg(long, global = true, env = "LINLI_DB")]
    db: Option<PathBuf>,
    /// Language of the output: zh (简体中文) or en.
    #[arg(long, global = true, default_value = "zh")]
    lang: Lang,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a whole PB cycle across simulated devices on temporary SQLite files.
    Demo {
        /// Keep the device databases in this directory instead of a temporary one.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Number of resident phones (at least 14).
        #[arg(long, default_value_t = 30)]
        residents: usize,
    },
    /// Summary of the cycles in the database.
    Status,
    /// List proposals, optionally filtered or searched (Chinese full-text search works).
    Proposals {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
        /// Full-text search.
        #[arg(long)]
        search: Option<String>,
        /// Only this status: submitted, shortlisted, merged, rejected, funded.
        #[arg(long)]
        status: Option<String>,
        /// Only this category, e.g. elderly_care, safety, greening.
        #[arg(long)]
        category: Option<String>,
    },
    /// List records with their verdicts.
    Records {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
        /// Only records that are kept but not counted, with the reason.
        #[arg(long)]
        invalid: bool,
    },
    /// The roll: members, roles and attesting cadres.
    Members {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// Funded projects: contract, progress, reports, satisfaction and payments.
    Projects {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// The invite to show as a QR code: a phone that scans it follows the cycle (then shows its
    /// key for `linli register`).
    Invite {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// A cadre registers a resident's (or council member's, contractor's) device on the roll,
    /// after checking them in person.
    Register {
        /// Name shown to others.
        #[arg(long)]
        name: String,
        /// The device key the phone shows (64 hex digits).
        #[arg(long)]
        key: String,
        /// Roles: resident, council, contractor, table_leader, recorder, technical_adviser,
        /// supervisor, cadre (repeatable).
        #[arg(long = "role", default_value = "resident")]
        roles: Vec<String>,
        /// How they were checked (e.g. "ID card seen at the centre").
        #[arg(long, default_value = "当面核验 / checked in person")]
        attestation: String,
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// One project's timeline: submission, review, roundtables, vote, resolution, tender, works,
    /// residents' reports and ratings, payments. The project is a proposal id, or a unique part
    /// of its title.
    Timeline {
        /// Proposal id or part of its title.
        project: String,
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// Verify the vote: re-verify every signature, recount the sealed ballots with the cycle's
    /// rule, list every ballot that does not count and why, and check the council resolution.
    Verify {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
    /// Serve sync on the LAN (a cadre tablet or the community-centre PC): many phones at once,
    /// until interrupted.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:7878.
        #[arg(long, default_value = "0.0.0.0:7878")]
        listen: String,
        /// Stop after this many sessions (default: serve until interrupted).
        #[arg(long)]
        sessions: Option<u64>,
    },
    /// Sync every cycle with a device serving at ADDR (host:port).
    Sync {
        /// The server's address.
        addr: String,
        /// Do not fetch photos or files larger than this many bytes.
        #[arg(long, default_value_t = linli_core::record::blob::MAX_BLOB_BYTES)]
        max_blob_bytes: u64,
    },
    /// Bundles: a cycle's records in one file, or in QR-sized chunk files, for exchange with no
    /// network.
    Bundle {
        #[command(subcommand)]
        action: BundleAction,
    },
    /// Pabulib (.pb) files: run Linli's counting rules on one, or export a sealed cycle.
    Pabulib {
        #[command(subcommand)]
        action: PabulibAction,
    },
    /// Re-verify every signature from the stored bytes, refold from scratch, and compare with the
    /// device's state (what an auditor does).
    Audit {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
    },
}

#[derive(Subcommand)]
enum BundleAction {
    /// Write every record of a cycle as one bundle file, or as chunk files (each at most 2,000
    /// bytes, for QR codes) with --chunks.
    Export {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
        /// Output file.
        #[arg(long, required_unless_present = "chunks")]
        out: Option<PathBuf>,
        /// Write chunk files into this directory instead.
        #[arg(long)]
        chunks: Option<PathBuf>,
        /// Only what this peer (device key, hex) lacks, judged by the last sync with it.
        #[arg(long = "for")]
        for_peer: Option<String>,
    },
    /// Import bundle files or chunk files (in any order; duplicates ignored) into the database.
    Import {
        /// Bundle or chunk files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PabulibAction {
    /// Run a counting rule on a .pb file; prints the selected project ids, one per line.
    Tally {
        /// The .pb file.
        file: PathBuf,
        /// greedy, mes, mes-add1 or borda.
        #[arg(long, default_value = "greedy")]
        rule: linli_core::tally::Rule,
    },
    /// Export a sealed cycle of the database as a .pb file.
    Export {
        /// Cycle id (default: the only or newest cycle).
        #[arg(long)]
        cycle: Option<Uuid>,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
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

fn open(cli: &Cli) -> Result<Store, CliError> {
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
fn open_cycle(cli: &Cli, cycle: Option<Uuid>) -> Result<(Store, Uuid), CliError> {
    let store = open(cli)?;
    let cycle = pick_cycle(&store, cycle, cli.lang)?;
    Ok((store, cycle))
}

fn pick_cycle(store: &Store, cycle: Option<Uuid>, lang: Lang) -> Result<Uuid, CliError> {
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
fn find_project(store: &Store, cycle: Uuid, query: &str, lang: Lang) -> Result<Uuid, CliError> {
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

fn print_json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serialisable")
    );
}

fn run(cli: &Cli) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    match &cli.command {
        Command::Demo { keep, residents } => {
            let tmp;
            let dir = match keep {
                Some(d) => {
                    std::fs::create_dir_all(d)?;
                    d.clone()
                }
                None => {
                    tmp = tempfile::tempdir()?;
                    tmp.path().to_path_buf()
                }
            };
            let started = std::time::Instant::now();
            let report = demo::run(
                &dir,
                &DemoOptions {
                    residents: *residents,
                },
            )?;
            if cli.json {
                print_json(&report);
            } else {
                print_demo(&report, lang, started.elapsed());
                if let Some(d) = keep {
                    println!(
                        "{} {}",
                        lang.pick("设备数据库保存在", "device databases kept in"),
                        d.display()
                    );
                    println!("  linli --db {}/cadre-tablet.db status", d.display());
                }
            }
            Ok(if report.converged && report.audit_matches {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Status => {
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
        Command::Proposals {
            cycle,
            search,
            status,
            category,
        } => {
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
                    println!(
                        "{:>5}  {:<10} {:>14}  {}  [{}]{}",
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
        Command::Records { cycle, invalid } => {
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
        Command::Members { cycle } => {
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
        Command::Projects { cycle } => {
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
        Command::Invite { cycle } => {
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let invite = linli_core::invite::Invite {
                cycle,
                genesis: store.genesis_id(cycle)?,
                cadre: store.device_key(),
            };
            println!("{}", invite.encode());
            Ok(ExitCode::SUCCESS)
        }
        Command::Register {
            name,
            key,
            roles,
            attestation,
            cycle,
        } => {
            use linli_core::record::roll::{Role, RollEntry};
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let device_key =
                linli_core::DeviceKey::from_hex(key.trim()).map_err(CliError::Usage)?;
            let roles = roles
                .iter()
                .map(|r| {
                    Role::ALL
                        .iter()
                        .copied()
                        .find(|x| x.as_str() == r.trim())
                        .ok_or_else(|| {
                            CliError::Usage(format!(
                                "{}: {r}",
                                lang.pick("未知角色", "unknown role")
                            ))
                        })
                })
                .collect::<Result<_, _>>()?;
            let member = Uuid::now_v7();
            store.submit(
                cycle,
                linli_core::record::Body::RollEntry(RollEntry {
                    member,
                    display_name: name.clone(),
                    device_key,
                    roles,
                    age_15_plus: true,
                    attestation: attestation.clone(),
                }),
            )?;
            println!("{member}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Timeline { project, cycle } => {
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
        Command::Bundle {
            action:
                BundleAction::Export {
                    cycle,
                    out,
                    chunks,
                    for_peer,
                },
        } => {
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let records = match for_peer {
                Some(k) => {
                    let key = linli_core::DeviceKey::from_hex(k).map_err(CliError::Usage)?;
                    store.export_for_peer(cycle, &key)?
                }
                None => store.export(cycle)?,
            };
            let bundle = linli_core::bundle::encode(cycle, &records);
            if let Some(dir) = chunks {
                std::fs::create_dir_all(dir)?;
                let parts = linli_core::chunks::split(&bundle)?;
                for (i, c) in parts.iter().enumerate() {
                    std::fs::write(dir.join(format!("chunk-{:05}.bin", i + 1)), c)?;
                }
                println!(
                    "{} {} → {} {}",
                    records.len(),
                    lang.pick("条记录", "records"),
                    parts.len(),
                    lang.pick("个分片", "chunks")
                );
            }
            if let Some(path) = out {
                std::fs::write(path, &bundle)?;
                println!(
                    "{} {}, {} bytes",
                    records.len(),
                    lang.pick("条记录", "records"),
                    bundle.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { listen, sessions } => {
            let store = std::sync::Arc::new(open(cli)?);
            store.set_doc_cache_bytes(linli_core::store::docs::HUB_CACHE_BYTES);
            let listener = std::net::TcpListener::bind(listen)?;
            let server = linli_core::sync::net::Server::start(
                store.clone(),
                listener,
                linli_core::sync::SessionOptions::default(),
            )?;
            println!(
                "{} {} ({} {})",
                lang.pick("同步服务已启动：", "serving sync on"),
                server.local_addr(),
                lang.pick("设备", "device"),
                store.device_key().short()
            );
            let mut seen = 0;
            loop {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let st = server.stats();
                let done = st.sessions_done.load(std::sync::atomic::Ordering::Relaxed)
                    + st.sessions_failed
                        .load(std::sync::atomic::Ordering::Relaxed);
                if done != seen {
                    seen = done;
                    println!(
                        "{}: {} {}, {} {}, {} {}",
                        lang.pick("会话", "sessions"),
                        st.sessions_done.load(std::sync::atomic::Ordering::Relaxed),
                        lang.pick("完成", "done"),
                        st.sessions_failed
                            .load(std::sync::atomic::Ordering::Relaxed),
                        lang.pick("失败", "failed"),
                        st.records_received
                            .load(std::sync::atomic::Ordering::Relaxed),
                        lang.pick("条新记录", "new records")
                    );
                }
                if sessions.is_some_and(|n| done >= n) {
                    server.stop();
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
        Command::Sync {
            addr,
            max_blob_bytes,
        } => {
            let store = std::sync::Arc::new(open(cli)?);
            let opts = linli_core::sync::SessionOptions {
                max_blob_bytes: *max_blob_bytes,
                ..Default::default()
            };
            let p = linli_core::sync::net::sync_with(store, addr, opts, &mut |_| {})?;
            if cli.json {
                print_json(&serde_json::json!({
                    "messages_sent": p.messages_sent,
                    "messages_received": p.messages_received,
                    "bytes_sent": p.bytes_sent,
                    "bytes_received": p.bytes_received,
                    "records_received": p.records_received,
                    "blobs_received": p.blobs_received,
                    "documents": p.docs_total,
                }));
            } else {
                println!(
                    "{}: {} {}, {} {}, {} {} / {} {}, {} {}",
                    lang.pick("同步完成", "synced"),
                    p.records_received,
                    lang.pick("条新记录", "new records"),
                    p.blobs_received,
                    lang.pick("个文件", "files"),
                    p.bytes_sent,
                    lang.pick("字节发出", "bytes sent"),
                    p.bytes_received,
                    lang.pick("字节收到", "received"),
                    p.messages_received,
                    lang.pick("个往返", "round trips")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bundle {
            action: BundleAction::Import { files },
        } => {
            let store = open(cli)?;
            let mut bundles = Vec::new();
            let mut assembler = linli_core::chunks::Assembler::new();
            let mut saw_chunks = false;
            for f in files {
                let bytes = std::fs::read(f)?;
                if linli_core::chunks::is_chunk(&bytes) {
                    assembler.add(&bytes)?;
                    saw_chunks = true;
                } else {
                    bundles.push(bytes);
                }
            }
            if saw_chunks {
                bundles.push(assembler.finish()?);
            }
            for b in bundles {
                let cycle = linli_core::bundle::peek(&b)?;
                let records = linli_core::bundle::decode(cycle, &b)?;
                let r = store.import(cycle, &records)?;
                println!(
                    "{cycle}: {} {}, {} {}, {} {}",
                    r.new,
                    lang.pick("条新记录", "new records"),
                    r.known,
                    lang.pick("条已有", "already held"),
                    r.excluded.len(),
                    lang.pick("条未计入", "not counted")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Pabulib {
            action: PabulibAction::Tally { file, rule },
        } => {
            let text = std::fs::read_to_string(file)?;
            let instance = linli_core::pabulib::Instance::parse(&text)?;
            let election = instance.election();
            let started = std::time::Instant::now();
            let outcome = election.run(*rule)?;
            let micros = started.elapsed().as_micros();
            let ids: Vec<&str> = outcome
                .selected
                .iter()
                .map(|p| election.names[*p].as_str())
                .collect();
            if cli.json {
                let scores: std::collections::BTreeMap<&str, u64> = election
                    .names
                    .iter()
                    .map(String::as_str)
                    .zip(outcome.scores.iter().copied())
                    .collect();
                print_json(&serde_json::json!({
                    "rule": rule.as_str(),
                    "selected": ids,
                    "cost": outcome.cost as f64 / instance.scale as f64,
                    "budget": instance.budget as f64 / instance.scale as f64,
                    "scores": scores,
                    "micros": micros,
                }));
            } else {
                for id in ids {
                    println!("{id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Pabulib {
            action: PabulibAction::Export { cycle, out },
        } => {
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let st = store.state(cycle)?;
            let instance = linli_core::pabulib::Instance::from_sealed(&st).ok_or_else(|| {
                CliError::Usage(
                    lang.pick("该周期尚未封票", "the cycle is not sealed yet")
                        .into(),
                )
            })?;
            match out {
                Some(path) => std::fs::write(path, instance.write())?,
                None => print!("{}", instance.write()),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { cycle } => {
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let audit = store.audit_against_device(cycle)?;
            let same = audit.matches_device_state;
            let report = audit.state.seal_report();
            if cli.json {
                print_json(&serde_json::json!({ "matches_device_state": same, "report": report }));
            } else {
                print_verify(&report, same, lang);
            }
            Ok(if same && report.seal.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Audit { cycle } => {
            let (store, cycle) = open_cycle(cli, *cycle)?;
            let started = std::time::Instant::now();
            let audit = store.audit_against_device(cycle)?;
            let elapsed = started.elapsed();
            let (audited, same) = (audit.state, audit.matches_device_state);
            let invalid = audited.verdicts.values().filter(|v| !v.is_valid()).count();
            #[derive(Serialize)]
            struct Audit {
                cycle: Uuid,
                records: usize,
                not_counted: usize,
                matches_device_state: bool,
                millis: u128,
            }
            let a = Audit {
                cycle,
                records: audited.verdicts.len(),
                not_counted: invalid,
                matches_device_state: same,
                millis: elapsed.as_millis(),
            };
            if cli.json {
                print_json(&a);
            } else {
                println!(
                    "{}: {} {}, {} {}; {} ({} ms)",
                    lang.pick("审计", "audit"),
                    a.records,
                    lang.pick("条记录", "records"),
                    a.not_counted,
                    lang.pick("条未计入", "not counted"),
                    if same {
                        lang.pick("与设备状态一致", "matches the device state")
                    } else {
                        lang.pick("与设备状态不一致！", "DIFFERS from the device state!")
                    },
                    a.millis
                );
            }
            Ok(if same {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn print_demo(r: &DemoReport, lang: Lang, elapsed: std::time::Duration) {
    println!(
        "{}",
        lang.pick(
            "邻里 Linli 演示：一个完整的参与式预算周期",
            "Linli demo: one whole participatory budgeting cycle"
        )
    );
    println!(
        "{}: {}   {}: {}   {}: {}",
        lang.pick("周期", "cycle"),
        r.cycle,
        lang.pick("设备", "devices"),
        r.devices,
        lang.pick("记录", "records"),
        r.records
    );
    println!();
    println!(
        "{}",
        lang.pick("提案与封存计票：", "Proposals and the sealed count:")
    );
    for (title, status, votes) in &r.proposals {
        println!(
            "  {:>4}  {:<8} {}",
            votes.map(|v| v.to_string()).unwrap_or_else(|| "—".into()),
            label(lang, status),
            title
        );
    }
    println!(
        "  {} {}，{} {}",
        r.sealed_ballots,
        lang.pick("张选票已封存计入", "ballots sealed and counted"),
        r.late_ballots,
        lang.pick(
            "张迟到选票列出但未计入",
            "late ballot(s) listed, not counted"
        )
    );
    println!();
    println!("{}", lang.pick("资助项目：", "Funded projects:"));
    let total: i64 = r.projects.iter().map(|p| p.funded.get()).sum();
    for p in &r.projects {
        println!(
            "  {}  {} {}  {} {}  {} {}/{}  {} {}/{}",
            p.title,
            lang.pick("资助", "funded"),
            p.funded,
            lang.pick("中标", "contract"),
            p.contract.map(|c| c.to_string()).unwrap_or_default(),
            lang.pick("满意", "good ratings"),
            p.good,
            p.ratings,
            lang.pick("已付款", "instalments paid"),
            p.released,
            p.scheduled
        );
    }
    println!("  {} {}", lang.pick("合计", "total"), Fen(total));
    for (title, reason) in &r.blocked_payments {
        println!(
            "  {} {}：{}",
            lang.pick("尾款暂缓", "final payment withheld for"),
            title,
            reason.message(lang)
        );
    }
    println!();
    println!(
        "{}",
        lang.pick("保留但未计入的记录：", "Records kept but not counted:")
    );
    for (kind, code) in &r.excluded {
        println!("  {kind}: {code}");
    }
    println!();
    println!(
        "{}: {} {}, {} {}; {}: {} {}",
        lang.pick("社区中心局域网同步", "LAN sync at the community centre"),
        r.lan_sessions,
        lang.pick("次会话", "sessions"),
        r.lan_bytes,
        lang.pick("字节", "bytes"),
        lang.pick("无信号居民的选票", "offline resident's ballot"),
        r.bundle_chunks,
        lang.pick("个二维码分片", "QR chunk(s)")
    );
    println!(
        "{}: {}",
        lang.pick(
            "所有设备状态与计票结果一致",
            "every device holds identical state and tally"
        ),
        if r.converged {
            lang.pick("是", "yes")
        } else {
            lang.pick("否！", "NO!")
        }
    );
    println!(
        "{}: {}",
        lang.pick(
            "审计（重新验签并重算）与设备一致",
            "audit (re-verify and refold) matches"
        ),
        if r.audit_matches {
            lang.pick("是", "yes")
        } else {
            lang.pick("否！", "NO!")
        }
    );
    println!("({:.1} s)", elapsed.as_secs_f64());
}

fn print_verify(r: &linli_core::fold::verify::SealReport, same: bool, lang: Lang) {
    let reason = |e: &Option<linli_core::Exclusion>| match e {
        None => lang.pick("有效", "valid").to_string(),
        Some(e) => e.message(lang),
    };
    println!(
        "{}: {}",
        lang.pick(
            "重新验签并重算，与设备状态一致",
            "re-verified and refolded; matches the device state"
        ),
        if same {
            lang.pick("是", "yes")
        } else {
            lang.pick("否！", "NO!")
        }
    );
    println!("{}: {}", lang.pick("计票规则", "counting rule"), r.rule);
    for s in &r.seals {
        println!(
            "{} {}: {}",
            lang.pick("封票记录", "seal"),
            s.id,
            reason(&s.excluded)
        );
    }
    match r.seal {
        None => println!("{}", lang.pick("尚无有效封票", "no valid seal yet")),
        Some(id) => {
            println!(
                "{} {id}: {} {}",
                lang.pick("有效封票", "seal in effect"),
                r.sealed_ballots,
                lang.pick("张选票", "ballots")
            );
            for l in &r.result {
                println!(
                    "  {:>6}  {} {:>14}  {}",
                    l.score,
                    if l.selected { "✔" } else { " " },
                    l.cost.to_string(),
                    l.title
                );
            }
        }
    }
    println!(
        "{}: {}",
        lang.pick("迟到或被遗漏的选票", "late or withheld ballots"),
        r.late_ballots.len()
    );
    for b in &r.excluded_ballots {
        println!("  {} {}", b.id, reason(&b.excluded));
    }
    for res in &r.resolutions {
        println!(
            "{} {}: {}",
            lang.pick("决议记录", "resolution"),
            res.id,
            reason(&res.excluded)
        );
    }
    if let Some(res) = &r.resolution {
        println!(
            "{}: {} / {} {}",
            lang.pick("资助合计", "funded"),
            res.total,
            res.pool,
            if res.total <= res.pool { "✔" } else { "✘" }
        );
        for (p, why) in &res.deviations {
            println!(
                "  {} {p}: {why}",
                lang.pick("偏离封票结果", "deviation from the sealed result")
            );
        }
    }
}
