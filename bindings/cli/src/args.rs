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
    /// The web console on a cadre's tablet or the community-centre PC: working pages for this
    /// device (open the printed address on the device itself), the public board for the LAN,
    /// and LAN sync for phones, until interrupted.
    Console(ConsoleArgs),
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

    /// Make a new device database and key (the file must not exist). Prints the device key.
    Init,
    /// This device's key, for the cadre to register (with --qr, also as a QR code).
    Key(QrArgs),
    /// Follow the cycle of an invite (the text a cadre's `linli invite` shows).
    Join(JoinArgs),
    /// Stop following a cycle this device has signed nothing in.
    Leave(CycleArg),
    /// Cycles: found one (a cadre).
    Cycle {
        #[command(subcommand)]
        action: CycleAction,
    },
    /// A cadre revokes a lost device's key; the records of it this device holds stay valid.
    Revoke(RevokeArgs),
    /// Phases: move the cycle to the next one (a cadre).
    Phase {
        #[command(subcommand)]
        action: PhaseAction,
    },
    /// A resident proposes a project.
    Propose(ProposeArgs),
    /// Proposals: a cadre enters a paper proposal for a resident.
    Proposal {
        #[command(subcommand)]
        action: ProposalAction,
    },
    /// A cadre reviews a proposal: shortlist it, merge it into another, or reject it, with a
    /// reason the proposer sees.
    Review(ReviewArgs),
    /// Roundtables: the recorder records a session.
    Roundtable {
        #[command(subcommand)]
        action: RoundtableAction,
    },
    /// A resident votes (again, to change the vote) for proposals on the ballot.
    Vote(VoteArgs),
    /// Paper ballots: a cadre enters a sheet a member handed in.
    Ballot {
        #[command(subcommand)]
        action: BallotAction,
    },
    /// Comments on a proposal, a project or a meeting: post one, or (a cadre) hide one.
    Comment {
        #[command(subcommand)]
        action: CommentAction,
    },
    /// The comments on a proposal, a project or a meeting, hidden ones listed as hidden.
    Comments(CommentsArgs),
    /// Meetings: a cadre opens the council's meeting, or moves it to an agenda item.
    Meeting {
        #[command(subcommand)]
        action: MeetingAction,
    },
    /// The engagement funnel: registered, proposed, commented, voted, monitored, rated, each
    /// split by paper and phone and by age band.
    Funnel(FunnelArgs),
    /// A cadre moves a proposal to another category the cycle offers, with a reason.
    Recategorise(RecategoriseArgs),
    /// A cadre seals the vote: every current ballot this device holds, with the recount.
    Seal(NoteArgs),
    /// A council member passes the resolution: the sealed result, with any changes and the
    /// reason for each.
    Resolve(ResolveArgs),
    /// Tenders: a cadre opens one for a funded project, or closes bidding after the deadline.
    Tender {
        #[command(subcommand)]
        action: TenderAction,
    },
    /// A contractor bids on a tender (sealed until bidding closes), or opens the bid after.
    Bid(BidArgs),
    /// A cadre awards a tender to an opened bid.
    Award(AwardArgs),
    /// A cadre fixes how an award is paid, in instalments that add up to the winning bid.
    Schedule(ScheduleArgs),
    /// Payments: release a project's next instalment (satisfaction-gated when it says so).
    Pay {
        #[command(subcommand)]
        action: PayAction,
    },
    /// The contractor reports progress on a project.
    Progress(ProgressArgs),
    /// The contractor reports a project complete.
    Complete(CompleteArgs),
    /// A resident reports on a project's works: progress, nothing done, poor quality, misuse.
    Report(ReportArgs),
    /// A cadre, supervisor or the contractor answers a resident's report.
    Respond(RespondArgs),
    /// A resident rates a completed project, 1 to 5 stars.
    Rate(RateArgs),
}

#[derive(Subcommand)]
pub(crate) enum CycleAction {
    /// Found a cycle with this device as the founding cadre. Prints the cycle id.
    Create(CycleCreateArgs),
}

#[derive(Subcommand)]
pub(crate) enum BallotAction {
    /// Enter a paper ballot for a member on the roll.
    Enter(PaperBallotArgs),
}

#[derive(Subcommand)]
pub(crate) enum CommentAction {
    /// Post a comment (a cadre may post it for someone on paper, or from the hall's desk).
    Post(CommentPostArgs),
    /// Hide a comment, with the reason shown in its place (a cadre).
    Hide(CommentHideArgs),
}

#[derive(Subcommand)]
pub(crate) enum MeetingAction {
    /// Open a meeting on proposals under decision. Prints the meeting id.
    Open(MeetingOpenArgs),
    /// Move the meeting to an agenda item (what the hall screen shows).
    Item(MeetingItemArgs),
}

/// The arguments of `linli ballot enter`.
#[derive(Args)]
pub(crate) struct PaperBallotArgs {
    /// The member who filled in the sheet (member id).
    #[arg(long)]
    pub(crate) member: Uuid,
    /// The sheet's number.
    #[arg(long)]
    pub(crate) sheet: String,
    /// Proposals marked on the sheet (ids or unique parts of titles), best first when ranked.
    pub(crate) proposals: Vec<String>,
    /// Points per proposal for a cumulative ballot, in the same order.
    #[arg(long = "points", value_delimiter = ',')]
    pub(crate) points: Vec<u32>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli comment post`.
#[derive(Args)]
pub(crate) struct CommentPostArgs {
    /// What it is about: a proposal (id or unique part of its title) or a meeting id.
    #[arg(long)]
    pub(crate) on: String,
    /// The text (one paragraph).
    pub(crate) text: String,
    /// The comment it answers.
    #[arg(long)]
    pub(crate) reply_to: Option<Uuid>,
    /// Entered for someone who wrote on paper: their name.
    #[arg(long = "for")]
    pub(crate) for_name: Option<String>,
    /// Their member id, when they are on the roll.
    #[arg(long)]
    pub(crate) for_member: Option<Uuid>,
    /// Typed at the desk in the meeting hall.
    #[arg(long)]
    pub(crate) in_hall: bool,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli comment hide`.
#[derive(Args)]
pub(crate) struct CommentHideArgs {
    /// The comment.
    pub(crate) comment: Uuid,
    /// Why (shown in its place).
    #[arg(long)]
    pub(crate) reason: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli comments`.
#[derive(Args)]
pub(crate) struct CommentsArgs {
    /// A proposal (id or unique part of its title) or a meeting id.
    pub(crate) on: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli meeting open`.
#[derive(Args)]
pub(crate) struct MeetingOpenArgs {
    /// Title.
    #[arg(long)]
    pub(crate) title: String,
    /// An agenda item: a proposal id or unique part of its title (repeatable, in order).
    #[arg(long = "agenda", required = true)]
    pub(crate) agenda: Vec<String>,
    /// Start, RFC 3339 (default: now).
    #[arg(long)]
    pub(crate) starts: Option<String>,
    /// Length in minutes (default 180).
    #[arg(long, default_value_t = 180)]
    pub(crate) minutes: u32,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli meeting item`.
#[derive(Args)]
pub(crate) struct MeetingItemArgs {
    /// The meeting id.
    pub(crate) meeting: Uuid,
    /// The agenda item (proposal id or unique part of its title).
    pub(crate) item: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli funnel`.
#[derive(Args)]
pub(crate) struct FunnelArgs {
    /// Comma-separated values (one line per step and band) instead of a table.
    #[arg(long)]
    pub(crate) csv: bool,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli recategorise`.
#[derive(Args)]
pub(crate) struct RecategoriseArgs {
    /// The proposal (id or unique part of its title).
    pub(crate) proposal: String,
    /// The new category.
    #[arg(long)]
    pub(crate) category: String,
    /// Why (the proposer sees it).
    #[arg(long)]
    pub(crate) reason: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

#[derive(Subcommand)]
pub(crate) enum PhaseAction {
    /// Move the cycle to the next phase (refused with the reason when something blocks it).
    Next(PhaseNextArgs),
}

#[derive(Subcommand)]
pub(crate) enum ProposalAction {
    /// Enter a proposal handed in on paper, on behalf of the resident who wrote it.
    Enter(PaperProposalArgs),
}

#[derive(Subcommand)]
pub(crate) enum RoundtableAction {
    /// Record a roundtable session.
    Record(RoundtableArgs),
}

#[derive(Subcommand)]
pub(crate) enum TenderAction {
    /// Open a tender for a funded project.
    Open(TenderOpenArgs),
    /// Close bidding once the deadline has passed, naming the sealed bids this device holds.
    Close(TenderCloseArgs),
}

#[derive(Subcommand)]
pub(crate) enum PayAction {
    /// Release the next instalment of a project.
    Next(PayNextArgs),
}

/// A cycle option alone.
#[derive(Args)]
pub(crate) struct CycleArg {
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// `--qr`: also draw the text as a QR code in the terminal.
#[derive(Args)]
pub(crate) struct QrArgs {
    /// Also draw it as a QR code in the terminal.
    #[arg(long)]
    pub(crate) qr: bool,
}

/// The arguments of `linli join`.
#[derive(Args)]
pub(crate) struct JoinArgs {
    /// The invite text (`linli:1:...`).
    pub(crate) invite: String,
}

/// The arguments of `linli cycle create`.
#[derive(Args)]
pub(crate) struct CycleCreateArgs {
    /// Community name.
    #[arg(long)]
    pub(crate) community: String,
    /// Year of the fund.
    #[arg(long)]
    pub(crate) year: i32,
    /// Title of the cycle.
    #[arg(long)]
    pub(crate) title: String,
    /// The fund in yuan (e.g. 300000 or 300,000.00).
    #[arg(long)]
    pub(crate) pool: String,
    /// The founding cadre's name.
    #[arg(long)]
    pub(crate) founder: String,
    /// Ballot type: approval, ranked, knapsack:CAP_YUAN or cumulative:POINTS.
    #[arg(long, default_value = "approval")]
    pub(crate) ballot: String,
    /// Counting rule: greedy, mes, mes-add1 or borda.
    #[arg(long, default_value = "greedy")]
    pub(crate) rule: linli_core::tally::Rule,
    /// Fewest proposals a ballot names.
    #[arg(long, default_value_t = 1)]
    pub(crate) min_picks: u32,
    /// Most proposals a ballot names.
    #[arg(long, default_value_t = 3)]
    pub(crate) max_picks: u32,
    /// Share of satisfied ratings the final instalment needs, in percent (strictly above).
    #[arg(long, default_value_t = 80)]
    pub(crate) satisfaction_pct: u8,
    /// Fewest ratings before the final instalment can be judged.
    #[arg(long, default_value_t = 5)]
    pub(crate) min_ratings: u32,
    /// A phase's dates, PHASE=YYYY-MM-DD..YYYY-MM-DD (repeatable; the calendar residents see).
    #[arg(long = "window")]
    pub(crate) windows: Vec<String>,
    /// A category the cycle offers (repeatable; default: the eight standard ones): elderly_care,
    /// children, greening, safety, facilities, culture, services, other, capacity_building,
    /// education, health_care.
    #[arg(long = "category")]
    pub(crate) categories: Vec<String>,
    /// A project type the programme does not fund, CATEGORY=REASON (repeatable), e.g.
    /// "education=community-driven projects only".
    #[arg(long = "exclude")]
    pub(crate) excluded: Vec<String>,
}

/// The arguments of `linli revoke`.
#[derive(Args)]
pub(crate) struct RevokeArgs {
    /// The lost device's key (64 hex digits).
    #[arg(long)]
    pub(crate) key: String,
    /// Why (shown to everyone).
    #[arg(long)]
    pub(crate) reason: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli phase next`.
#[derive(Args)]
pub(crate) struct PhaseNextArgs {
    /// A note on the phase change.
    #[arg(long, default_value = "")]
    pub(crate) note: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// A proposal's content, as a resident writes it.
#[derive(Args)]
pub(crate) struct ProposalFields {
    /// Title.
    #[arg(long)]
    pub(crate) title: String,
    /// What it is and why.
    #[arg(long)]
    pub(crate) description: String,
    /// Category: facilities, safety, greening, elderly_care, children, culture, other, ...
    #[arg(long, default_value = "facilities")]
    pub(crate) category: String,
    /// Where.
    #[arg(long)]
    pub(crate) location: String,
    /// Who it serves.
    #[arg(long, default_value = "全体居民")]
    pub(crate) target_group: String,
    /// How the need was found.
    #[arg(long, default_value = "居民反映")]
    pub(crate) needs: String,
    /// A budget line, ITEM=YUAN (repeatable; the estimate is their sum).
    #[arg(long = "budget", required = true)]
    pub(crate) budget: Vec<String>,
    /// A goal (repeatable).
    #[arg(long = "goal")]
    pub(crate) goals: Vec<String>,
    /// A step (repeatable).
    #[arg(long = "step")]
    pub(crate) steps: Vec<String>,
    /// A risk (repeatable).
    #[arg(long = "risk")]
    pub(crate) risks: Vec<String>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli propose`.
#[derive(Args)]
pub(crate) struct ProposeArgs {
    #[command(flatten)]
    pub(crate) fields: ProposalFields,
}

/// The arguments of `linli proposal enter`.
#[derive(Args)]
pub(crate) struct PaperProposalArgs {
    /// The resident who wrote it on paper.
    #[arg(long)]
    pub(crate) on_behalf_of: String,
    #[command(flatten)]
    pub(crate) fields: ProposalFields,
}

/// The arguments of `linli review`.
#[derive(Args)]
pub(crate) struct ReviewArgs {
    /// The proposal (id or a unique part of its title).
    pub(crate) proposal: String,
    /// Put it on the ballot.
    #[arg(long, conflicts_with_all = ["merge_into", "reject"])]
    pub(crate) shortlist: bool,
    /// Merge it into another proposal (id or a unique part of its title).
    #[arg(long, conflicts_with = "reject")]
    pub(crate) merge_into: Option<String>,
    /// Do not take it forward.
    #[arg(long)]
    pub(crate) reject: bool,
    /// The reason the proposer sees.
    #[arg(long)]
    pub(crate) reason: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli roundtable record`.
#[derive(Args)]
pub(crate) struct RoundtableArgs {
    /// Topic.
    #[arg(long)]
    pub(crate) topic: String,
    /// The table leader (member id).
    #[arg(long)]
    pub(crate) leader: Uuid,
    /// The recorder (member id).
    #[arg(long)]
    pub(crate) recorder: Uuid,
    /// The technical adviser (member id).
    #[arg(long)]
    pub(crate) adviser: Option<Uuid>,
    /// A participant (member id, repeatable).
    #[arg(long = "participant")]
    pub(crate) participants: Vec<Uuid>,
    /// A proposal discussed (id or a unique part of its title, repeatable).
    #[arg(long = "discussed")]
    pub(crate) discussed: Vec<String>,
    /// What was said.
    #[arg(long)]
    pub(crate) notes: String,
    /// A recommendation, PROPOSAL=NOTE (repeatable).
    #[arg(long = "recommend")]
    pub(crate) recommendations: Vec<String>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli vote`.
#[derive(Args)]
pub(crate) struct VoteArgs {
    /// Proposals (ids or unique parts of titles), best first for a ranked ballot.
    pub(crate) proposals: Vec<String>,
    /// Points per proposal for a cumulative ballot, in the same order.
    #[arg(long = "points", value_delimiter = ',')]
    pub(crate) points: Vec<u32>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// A note and a cycle.
#[derive(Args)]
pub(crate) struct NoteArgs {
    /// A note.
    #[arg(long, default_value = "")]
    pub(crate) note: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli resolve`.
#[derive(Args)]
pub(crate) struct ResolveArgs {
    /// Fund a proposal with an amount other than the sealed result's, or one the tally did not
    /// select: PROPOSAL=YUAN:REASON (repeatable).
    #[arg(long = "fund")]
    pub(crate) fund: Vec<String>,
    /// Leave a selected proposal unfunded: PROPOSAL=REASON (repeatable).
    #[arg(long = "omit")]
    pub(crate) omit: Vec<String>,
    /// The minutes or a note.
    #[arg(long, default_value = "")]
    pub(crate) note: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli tender open`.
#[derive(Args)]
pub(crate) struct TenderOpenArgs {
    /// The funded project (id or a unique part of its title).
    pub(crate) project: String,
    /// The budget in yuan.
    #[arg(long)]
    pub(crate) budget: String,
    /// When bidding closes: an RFC 3339 time (2026-12-01T12:00:00Z) or a delay from now
    /// (30s, 10m, 2h, 7d).
    #[arg(long)]
    pub(crate) deadline: String,
    /// What the works must meet.
    #[arg(long)]
    pub(crate) requirements: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli tender close`.
#[derive(Args)]
pub(crate) struct TenderCloseArgs {
    /// The tender id.
    pub(crate) tender: Uuid,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli bid`.
#[derive(Args)]
pub(crate) struct BidArgs {
    /// The tender id.
    pub(crate) tender: Uuid,
    /// The amount in yuan.
    #[arg(long)]
    pub(crate) amount: String,
    /// The plan.
    #[arg(long)]
    pub(crate) plan: String,
    /// How many days the works take.
    #[arg(long)]
    pub(crate) days: u32,
    /// Open the sealed bid made earlier with these same terms (after bidding closed).
    #[arg(long)]
    pub(crate) open: bool,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli award`.
#[derive(Args)]
pub(crate) struct AwardArgs {
    /// The tender id.
    pub(crate) tender: Uuid,
    /// The opened bid's id.
    #[arg(long)]
    pub(crate) bid: Uuid,
    /// Why this bid.
    #[arg(long)]
    pub(crate) reason: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli schedule`.
#[derive(Args)]
pub(crate) struct ScheduleArgs {
    /// The award id.
    pub(crate) award: Uuid,
    /// An instalment, LABEL=YUAN, or LABEL=YUAN:gated for one that needs the residents'
    /// satisfaction (repeatable, in order; the last must be gated).
    #[arg(long = "instalment", required = true)]
    pub(crate) instalments: Vec<String>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli pay next`.
#[derive(Args)]
pub(crate) struct PayNextArgs {
    /// The project (id or a unique part of its title).
    pub(crate) project: String,
    /// A note.
    #[arg(long, default_value = "")]
    pub(crate) note: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli progress`.
#[derive(Args)]
pub(crate) struct ProgressArgs {
    /// The project (id or a unique part of its title).
    pub(crate) project: String,
    /// What was done.
    #[arg(long)]
    pub(crate) text: String,
    /// How far, in percent.
    #[arg(long)]
    pub(crate) percent: u8,
    /// A photo file (JPEG or PNG).
    #[arg(long)]
    pub(crate) photo: Option<PathBuf>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli complete`.
#[derive(Args)]
pub(crate) struct CompleteArgs {
    /// The project (id or a unique part of its title).
    pub(crate) project: String,
    /// What was delivered.
    #[arg(long)]
    pub(crate) text: String,
    /// A photo file (JPEG or PNG).
    #[arg(long)]
    pub(crate) photo: Option<PathBuf>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli report`.
#[derive(Args)]
pub(crate) struct ReportArgs {
    /// The project (id or a unique part of its title).
    pub(crate) project: String,
    /// progress, not_started, poor_quality or misuse_of_funds.
    #[arg(long)]
    pub(crate) kind: String,
    /// What the resident saw.
    #[arg(long)]
    pub(crate) text: String,
    /// A photo file (JPEG or PNG).
    #[arg(long)]
    pub(crate) photo: Option<PathBuf>,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli respond`.
#[derive(Args)]
pub(crate) struct RespondArgs {
    /// The report id.
    pub(crate) report: Uuid,
    /// The answer.
    #[arg(long)]
    pub(crate) text: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

/// The arguments of `linli rate`.
#[derive(Args)]
pub(crate) struct RateArgs {
    /// The project (id or a unique part of its title).
    pub(crate) project: String,
    /// 1 to 5.
    #[arg(long)]
    pub(crate) stars: u8,
    /// A comment.
    #[arg(long, default_value = "")]
    pub(crate) comment: String,
    /// Cycle id (default: the only or newest cycle).
    #[arg(long)]
    pub(crate) cycle: Option<Uuid>,
}

#[derive(Subcommand)]
pub(crate) enum BundleAction {
    /// Write every record of a cycle as one bundle file, or as QR-sized chunks (each at most
    /// 400 bytes, a version-15 QR code): files with --chunks, codes in the terminal with --qr.
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
    /// Also draw it as a QR code in the terminal.
    #[arg(long)]
    pub(crate) qr: bool,
}

/// The arguments of `linli register`.
#[derive(Args)]
pub(crate) struct RegisterArgs {
    /// Name shown to others.
    #[arg(long)]
    pub(crate) name: String,
    /// The device key the phone shows (64 hex digits). Without one (`--paper`), the member
    /// votes and proposes on paper, entered by a cadre.
    #[arg(long, required_unless_present = "paper")]
    pub(crate) key: Option<String>,
    /// Register a member with no phone: their paper ballots and proposals are entered by a
    /// cadre.
    #[arg(long, conflicts_with = "key")]
    pub(crate) paper: bool,
    /// Age band, for the engagement funnel only: 15-29, 30-44, 45-59, 60-74 or 75+.
    #[arg(long)]
    pub(crate) age_band: Option<String>,
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

/// The arguments of `linli console`.
#[derive(Args)]
pub(crate) struct ConsoleArgs {
    /// Address of the web pages, e.g. 0.0.0.0:8080 (the LAN sees the public board).
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub(crate) listen: String,
    /// Address of LAN sync for phones.
    #[arg(long, default_value = "0.0.0.0:7878")]
    pub(crate) sync_listen: String,
    /// Do not serve sync.
    #[arg(long)]
    pub(crate) no_sync: bool,
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
    #[arg(long, required_unless_present_any = ["chunks", "qr"])]
    pub(crate) out: Option<PathBuf>,
    /// Write the chunks into this directory: for each, its bytes (`.bin`), the text its QR code
    /// carries (`.txt`, base45) and the code itself (`.svg`).
    #[arg(long)]
    pub(crate) chunks: Option<PathBuf>,
    /// Draw each chunk's QR code in the terminal, one after the other, for a phone to scan.
    #[arg(long)]
    pub(crate) qr: bool,
    /// Only what this peer (device key, hex) lacks, judged by the last sync with it.
    #[arg(long = "for")]
    pub(crate) for_peer: Option<String>,
}

/// The arguments of `linli bundle import`.
#[derive(Args)]
pub(crate) struct BundleImportArgs {
    /// Bundle files, chunk files (`.bin`), or the scanned text of chunks (`.txt`, base45).
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
