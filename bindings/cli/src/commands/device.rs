//! Commands of a device: a new database and key, the key to show the cadre, joining and leaving
//! a cycle.

use crate::args::*;
use crate::database::{open, open_cycle};
use crate::error::CliError;
use crate::render::{print_json, print_qr};
use serde_json::json;
use std::process::ExitCode;

pub(crate) fn init(cli: &Cli) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let path = crate::database::db_path(cli)?;
    if path.exists() {
        return Err(CliError::Usage(format!(
            "{}: {}",
            lang.pick("数据库已存在", "a database already exists at"),
            path.display()
        )));
    }
    let store = linli_core::store::Store::open(path)?;
    let key = store.device_key().to_hex();
    if cli.json {
        print_json(&json!({ "device_key": key, "db": path.display().to_string() }));
    } else {
        println!("{key}");
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn key(cli: &Cli, args: &QrArgs) -> Result<ExitCode, CliError> {
    let key = open(cli)?.device_key().to_hex();
    if cli.json {
        print_json(&json!({ "device_key": key }));
    } else {
        println!("{key}");
        if args.qr {
            print_qr(&key)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn join(cli: &Cli, args: &JoinArgs) -> Result<ExitCode, CliError> {
    let lang = cli.lang;
    let store = open(cli)?;
    let invite = linli_core::invite::Invite::parse(&args.invite).ok_or_else(|| {
        CliError::Usage(format!(
            "{}: {}",
            lang.pick("这不是邻里的邀请", "not a Linli invite"),
            args.invite
        ))
    })?;
    store.follow_cycle(invite.cycle, invite.genesis)?;
    if cli.json {
        print_json(&json!({ "cycle": invite.cycle, "cadre": invite.cadre.to_hex() }));
    } else {
        println!("{}", invite.cycle);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn leave(cli: &Cli, args: &CycleArg) -> Result<ExitCode, CliError> {
    let (store, cycle) = open_cycle(cli, args.cycle)?;
    store.leave_cycle(cycle)?;
    if cli.json {
        print_json(&json!({ "left": cycle }));
    } else {
        println!("{cycle}");
    }
    Ok(ExitCode::SUCCESS)
}
