//! The `linli` command line: parsing, and the dispatch to one function per command
//! (`commands`). Arguments are defined in `args`, errors in `error`, output is printed by
//! `render`.

use crate::args::{BundleAction, Cli, Command, PabulibAction};
use crate::commands::{audit, demo, exchange, read, roll};
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
            ExitCode::from(2)
        }
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
