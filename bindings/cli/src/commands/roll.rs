//! Commands of the roll: the invite a phone joins with, and a cadre's registration.

use crate::args::*;
use crate::database::open_cycle;
use crate::error::CliError;
use std::process::ExitCode;
use uuid::Uuid;

pub(crate) fn invite(cli: &Cli, args: &InviteArgs) -> Result<ExitCode, CliError> {
    let InviteArgs { cycle, qr } = args;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let invite = linli_core::invite::Invite {
        cycle,
        genesis: store.genesis_id(cycle)?,
        cadre: store.device_key(),
    }
    .encode();
    if cli.json {
        crate::render::print_json(&serde_json::json!({ "invite": invite }));
    } else {
        println!("{invite}");
        if *qr {
            crate::render::print_qr(&invite)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn register(cli: &Cli, args: &RegisterArgs) -> Result<ExitCode, CliError> {
    let RegisterArgs {
        name,
        key,
        roles,
        attestation,
        cycle,
    } = args;
    let lang = cli.lang;
    use linli_core::record::roll::{Role, RollEntry};
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let device_key = linli_core::DeviceKey::from_hex(key.trim()).map_err(CliError::Usage)?;
    let roles = roles
        .iter()
        .map(|r| {
            Role::ALL
                .iter()
                .copied()
                .find(|x| x.as_str() == r.trim())
                .ok_or_else(|| {
                    CliError::Usage(format!("{}: {r}", lang.pick("未知角色", "unknown role")))
                })
        })
        .collect::<Result<_, _>>()?;
    let member = Uuid::now_v7();
    store.submit(
        cycle,
        linli_core::record::Body::RollEntry(RollEntry {
            member,
            display_name: name.clone(),
            device_key: Some(device_key),
            age_band: None,
            roles,
            age_15_plus: true,
            attestation: attestation.clone(),
        }),
    )?;
    if cli.json {
        crate::render::print_json(&serde_json::json!({ "member": member }));
    } else {
        println!("{member}");
    }
    Ok(ExitCode::SUCCESS)
}
