//! Commands that check: `verify` and `audit` recount and refold as an auditor does; `pabulib`
//! runs the counting rules on a .pb file or exports a sealed cycle as one.

use crate::args::*;
use crate::database::open_cycle;
use crate::error::CliError;
use crate::render::*;
use serde::Serialize;
use std::process::ExitCode;
use uuid::Uuid;

pub(crate) fn pabulib_tally(cli: &Cli, args: &PabulibTallyArgs) -> Result<ExitCode, CliError> {
    let PabulibTallyArgs { file, rule } = args;
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

pub(crate) fn pabulib_export(cli: &Cli, args: &PabulibExportArgs) -> Result<ExitCode, CliError> {
    let PabulibExportArgs { cycle, out } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let st = store.state(cycle)?;
    // A fresh key per export: its voter ids join with nothing else (see `from_sealed`).
    let key = linli_core::identity::random_seed().map_err(linli_core::store::StoreError::from)?;
    let instance = linli_core::pabulib::Instance::from_sealed(&st, &key).ok_or_else(|| {
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

pub(crate) fn verify(cli: &Cli, args: &VerifyArgs) -> Result<ExitCode, CliError> {
    let VerifyArgs { cycle } = args;
    let lang = cli.lang;
    let (store, cycle) = open_cycle(cli, *cycle)?;
    let audit = store.audit_against_device(cycle)?;
    let same = audit.matches_device_state;
    let report = audit.state.seal_report();
    if cli.json {
        print_json(&serde_json::json!({ "matches_device_state": same, "report": report }));
    } else {
        print_verify(&report, same, lang);
    }
    Ok(
        if same && report.seal.is_some() && report.cherry_picked_releases.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

pub(crate) fn audit(cli: &Cli, args: &AuditArgs) -> Result<ExitCode, CliError> {
    let AuditArgs { cycle } = args;
    let lang = cli.lang;
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
