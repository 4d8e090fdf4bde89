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
        paper: _,
        age_band,
        roles,
        attestation,
        cycle,
    } = args;
    let lang = cli.lang;
    use linli_core::record::roll::{Role, RollEntry};
    let (store, cycle) = open_cycle(cli, *cycle)?;
    // Without a key (`--paper`, which clap keeps exclusive of `--key`) the member has no phone.
    let device_key = key
        .as_deref()
        .map(|k| linli_core::DeviceKey::from_hex(k.trim()).map_err(CliError::Usage))
        .transpose()?;
    let age_band = age_band
        .as_deref()
        .map(|b| {
            linli_core::record::roll::AgeBand::parse(b).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: {b}",
                    lang.pick(
                        "年龄段应为 15-29、30-44、45-59、60-74 或 75+",
                        "an age band is 15-29, 30-44, 45-59, 60-74 or 75+"
                    )
                ))
            })
        })
        .transpose()?;
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
            device_key,
            age_band,
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
