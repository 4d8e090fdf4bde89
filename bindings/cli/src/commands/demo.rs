//! `linli demo`: the whole cycle on simulated devices (see `crate::demo`).

use crate::args::*;
use crate::demo::{self, DemoOptions};
use crate::error::CliError;
use crate::render::*;
use std::process::ExitCode;

pub(crate) fn demo(cli: &Cli, args: &DemoArgs) -> Result<ExitCode, CliError> {
    let DemoArgs { keep, residents } = args;
    let lang = cli.lang;
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
