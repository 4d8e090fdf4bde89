//! The `linli` command line: parsing, and the dispatch to one function per command
//! (`commands`). Arguments are defined in `args`, errors in `error`, output is printed by
//! `render`.

use crate::args::{
    BallotAction, BundleAction, Cli, Command, CommentAction, CycleAction, MeetingAction,
    PabulibAction, PayAction, PhaseAction, ProposalAction, RoundtableAction, TenderAction,
};
use crate::commands::{act, audit, demo, device, exchange, participation, read, roll};
use crate::error::CliError;
use clap::Parser;
use std::process::ExitCode;

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
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Demo(args) => demo::demo(cli, args),
        Command::Ballot {
            action: BallotAction::Enter(args),
        } => participation::enter_paper_ballot(cli, args),
        Command::Comment {
            action: CommentAction::Post(args),
        } => participation::post_comment(cli, args),
        Command::Comment {
            action: CommentAction::Hide(args),
        } => participation::hide_comment(cli, args),
        Command::Comments(args) => participation::comments(cli, args),
        Command::Meeting {
            action: MeetingAction::Open(args),
        } => participation::open_meeting(cli, args),
        Command::Meeting {
            action: MeetingAction::Item(args),
        } => participation::meeting_item(cli, args),
        Command::Funnel(args) => participation::funnel(cli, args),
        Command::Recategorise(args) => participation::recategorise(cli, args),
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
        Command::Console(args) => {
            let store = std::sync::Arc::new(crate::database::open(cli)?);
            let sync = (!args.no_sync).then_some(args.sync_listen.as_str());
            crate::console::run(store, &args.listen, sync)?;
            Ok(ExitCode::SUCCESS)
        }
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
        Command::Init => device::init(cli),
        Command::Key(args) => device::key(cli, args),
        Command::Join(args) => device::join(cli, args),
        Command::Leave(args) => device::leave(cli, args),
        Command::Cycle {
            action: CycleAction::Create(args),
        } => act::cycle_create(cli, args),
        Command::Revoke(args) => act::revoke(cli, args),
        Command::Phase {
            action: PhaseAction::Next(args),
        } => act::phase_next(cli, args),
        Command::Propose(args) => act::propose(cli, args),
        Command::Proposal {
            action: ProposalAction::Enter(args),
        } => act::proposal_enter(cli, args),
        Command::Review(args) => act::review(cli, args),
        Command::Roundtable {
            action: RoundtableAction::Record(args),
        } => act::roundtable(cli, args),
        Command::Vote(args) => act::vote(cli, args),
        Command::Seal(args) => act::seal(cli, args),
        Command::Resolve(args) => act::resolve(cli, args),
        Command::Tender {
            action: TenderAction::Open(args),
        } => act::tender_open(cli, args),
        Command::Tender {
            action: TenderAction::Close(args),
        } => act::tender_close(cli, args),
        Command::Bid(args) => act::bid(cli, args),
        Command::Award(args) => act::award(cli, args),
        Command::Schedule(args) => act::schedule(cli, args),
        Command::Pay {
            action: PayAction::Next(args),
        } => act::pay_next(cli, args),
        Command::Progress(args) => act::progress(cli, args),
        Command::Complete(args) => act::complete(cli, args),
        Command::Report(args) => act::report(cli, args),
        Command::Respond(args) => act::respond(cli, args),
        Command::Rate(args) => act::rate(cli, args),
    }
}
