//! The `linli` command's arguments: the global options, every command and its arguments
//! (clap derive). Running them is `commands`; printing them is `render`.

use clap::{Args, Parser, Subcommand};
use linli_core::Lang;
use std::path::PathBuf;
use uuid::Uuid;

/// Linli (邻里): offline-first participatory budgeting.
#[derive(Parser)]
#[command(name = "linli", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The device database (SQLite). Also read from LINLI_DB.
    #[arg(long, global = true, env = "LINLI_DB")]
    pub(crate) db: Option<PathBuf>,
    /// Language of the output: zh (简体中文) or en.
    #[arg(long, global = true, default_value = "zh")]
    pub(crate) lang: Lang,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a whole PB cycle across simulated devices on temporary SQLite files.
    Demo(DemoArgs),
    /// Summary of the cycles in the database.
    Status,
    /// List proposals, optionally filtered or searched (Chinese full-text search works).
    Proposals(ProposalsArgs),
    /// List records with their verdicts.
    Records(RecordsArgs),
    /// The roll: members, roles and attesting cadres.
    Members(MembersArgs),
    /// Funded projects: contract, progress, reports, satisfaction and payments.
    Projects(ProjectsArgs),
    /// The invite to show as a QR code: a phone that scans it follows the cycle (then shows its
    /// key for `linli register`).
    Invite(InviteArgs),
    /// A cadre registers a resident's (or council member's, contractor's) device on the roll,
    /// after checking them in person.
    Register(RegisterArgs),
    /// One project's timeline: submission, review, roundtables, vote, resolution, tender, works,
    /// residents' reports and ratings, payments. The project is a proposal id, or a unique part
    /// of its title.
    Timeline(TimelineArgs),
    /// Verify the vote: re-verify every signature, recount the sealed ballots with the cycle's
    /// rule, list every ballot that does not count and why, and check the council resolution.
    Verify(VerifyArgs),
    /// Serve sync on the LAN (a cadre tablet or the community-centre PC): many phones at once,
    /// until interrupted.
    Serve(ServeArgs),
    /// Sync every cycle with a device serving at ADDR (host:port).
    Sync(SyncArgs),
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
    Audit(AuditArgs),
}

#[derive(Subcommand)]
pub(crate) enum BundleAction {
    /// Write every record of a cycle as one bundle file, or as chunk files (each at most 2,000
    /// bytes, for QR codes) with --chunks.
    Export(BundleExportArgs),
    /// Import bundle files or chunk files (in any order; duplicates ignored) into the database.
    Import(BundleImportArgs),
}

#[derive(Subcommand)]
pub(crate) enum PabulibAction {
    /// Run a counting rule on a .pb file; prints the selected project ids, one per line.
    Tally(PabulibTallyArgs),
    /// Export a sealed cycle of the database as a .pb file.
    Export(PabulibExportArgs),
}

/// The arguments of `linli demo`.
#[derive(Args)]
pub(crate) struct DemoArgs {
    /// Keep the device databases in this directory instead of a temporary one.
    #[arg(long)]
    pub(crate) keep: Option<PathBuf>,
    /// Number of resident phones (at least 14).
    #[arg(long, default_value_t = 30)]
    pub(crate) residents: usize,
}

/// The arguments of `linli proposals`.
#[derive(Args)]
pub(crate) struct ProposalsArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
    /// Full-text search.
    #[arg(long)]
    pub(crate) search: Option<String>,
    /// Only this status: submitted, shortlisted, merged, rejected, funded.
    #[arg(long)]
    pub(crate) status: Option<String>,
    /// Only this category, e.g. elderly_care, safety, greening.
    #[arg(long)]
    pub(crate) category: Option<String>,
}

/// The arguments of `linli records`.
#[derive(Args)]
pub(crate) struct RecordsArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
    /// Only records that are kept but not counted, with the reason.
    #[arg(long)]
    pub(crate) invalid: bool,
}

/// The arguments of `linli members`.
#[derive(Args)]
pub(crate) struct MembersArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli projects`.
#[derive(Args)]
pub(crate) struct ProjectsArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli invite`.
#[derive(Args)]
pub(crate) struct InviteArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli register`.
#[derive(Args)]
pub(crate) struct RegisterArgs {
    /// Name shown to others.
    #[arg(long)]
    pub(crate) name: String,
    /// The device key the phone shows (64 hex digits).
    #[arg(long)]
    pub(crate) key: String,
    /// Roles: resident, council, contractor, table_leader, recorder, technical_adviser,
    /// supervisor, cadre (repeatable).
    #[arg(long = "role", default_value = "resident")]
    pub(crate) roles: Vec<String>,
    /// How they were checked (e.g. "ID card seen at the centre").
    #[arg(long, default_value = "当面核验 / checked in person")]
    pub(crate) attestation: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli timeline`.
#[derive(Args)]
pub(crate) struct TimelineArgs {
    /// Proposal id or part of its title.
    pub(crate) project: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli verify`.
#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:7878.
    #[arg(long, default_value = "0.0.0.0:7878")]
    pub(crate) listen: String,
    /// Stop after this many sessions (default: serve until interrupted).
    #[arg(long)]
    pub(crate) sessions: Option<u64>,
}

/// The arguments of `linli sync`.
#[derive(Args)]
pub(crate) struct SyncArgs {
    /// The server's address.
    pub(crate) addr: String,
    /// Do not fetch photos or files larger than this many bytes.
    #[arg(long, default_value_t = linli_core::record::blob::MAX_BLOB_BYTES)]
    pub(crate) max_blob_bytes: u64,
}

/// The arguments of `linli audit`.
#[derive(Args)]
pub(crate) struct AuditArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli bundle export`.
#[derive(Args)]
pub(crate) struct BundleExportArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
    /// Output file.
    #[arg(long, required_unless_present = "chunks")]
    pub(crate) out: Option<PathBuf>,
    /// Write chunk files into this directory instead.
    #[arg(long)]
    pub(crate) chunks: Option<PathBuf>,
    /// Only what this peer (device key, hex) lacks, judged by the last sync with it.
    #[arg(long = "for")]
    pub(crate) for_peer: Option<String>,
}

/// The arguments of `linli bundle import`.
#[derive(Args)]
pub(crate) struct BundleImportArgs {
    /// Bundle or chunk files.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
}

/// The arguments of `linli pabulib tally`.
#[derive(Args)]
pub(crate) struct PabulibTallyArgs {
    /// The .pb file.
    pub(crate) file: PathBuf,
    /// greedy, mes, mes-add1 or borda.
    #[arg(long, default_value = "greedy")]
    pub(crate) rule: linli_core::tally::Rule,
}

/// The arguments of `linli pabulib export`.
#[derive(Args)]
pub(crate) struct PabulibExportArgs {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
    /// Output file (default: standard output).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}
