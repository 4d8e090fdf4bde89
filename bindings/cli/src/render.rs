//! What the `linli` command prints: JSON for scripts, and text for people in the chosen
//! language.

use crate::demo::DemoReport;
use linli_core::store::label;
use linli_core::{Fen, Lang};
use serde::Serialize;

/// Prints a value as indented JSON (every command's `--json`).
pub(crate) fn print_json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serialisable")
    );
}

/// Prints what an action made: its id as text, or `{"<what>": id}` with `--json`.
pub(crate) fn done(
    cli: &crate::args::Cli,
    what: &str,
    id: uuid::Uuid,
) -> Result<std::process::ExitCode, crate::error::CliError> {
    if cli.json {
        print_json(&serde_json::json!({ what: id }));
    } else {
        println!("{id}");
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Draws `text` as a QR code in the terminal (two rows of modules per line, light on dark
/// terminals' default and dark on light both readable: the code is drawn in light blocks on
/// the terminal's background, with its quiet zone), for a phone to scan off the screen. The
/// code is the core's (`linli_core::qr`), the one every app draws.
pub(crate) fn print_qr(text: &str) -> Result<(), crate::error::CliError> {
    let m = linli_core::qr::QrMatrix::of(text)
        .map_err(|e| crate::error::CliError::Usage(e.to_string()))?;
    println!("{}", qr_blocks(&m));
    Ok(())
}

/// The matrix as half-block characters with a 4-module quiet zone: light modules are drawn
/// (`█`, `▀`, `▄`), dark ones left as the background, so a dark terminal shows a normal code.
pub(crate) fn qr_blocks(m: &linli_core::qr::QrMatrix) -> String {
    const QUIET: isize = 4;
    let n = m.size as isize;
    let light =
        |x: isize, y: isize| x < 0 || y < 0 || x >= n || y >= n || !m.dark(x as usize, y as usize);
    let mut out = String::new();
    let mut y = -QUIET;
    while y < n + QUIET {
        for x in -QUIET..n + QUIET {
            out.push(match (light(x, y), light(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    out.pop();
    out
}

pub(crate) fn print_demo(r: &DemoReport, lang: Lang, elapsed: std::time::Duration) {
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
        "  {} {}{}{} {}",
        r.sealed_ballots,
        lang.pick("张选票已封存计入", "ballots sealed and counted"),
        lang.pick("，", ", "),
        r.late_ballots,
        lang.pick(
            "张迟到选票列出但未计入",
            "late ballot(s) listed, not counted"
        )
    );
    println!(
        "  {} {}{}{} {}",
        r.sealed_paper,
        lang.pick(
            "张纸质选票由干部录入",
            "paper sheet(s) entered by the cadre"
        ),
        lang.pick("，", ", "),
        r.comments,
        lang.pick(
            "条居民评论（含议事会）",
            "comment(s), the council meeting's included"
        )
    );
    println!();
    println!(
        "{}",
        lang.pick(
            "参与情况（人数：手机 / 纸质）：",
            "Participation (people: phone / paper):"
        )
    );
    for (step, total, phone, paper) in &r.funnel {
        let label = linli_core::fold::funnel::Step::ALL
            .iter()
            .find(|s| s.as_str() == step)
            .map(|s| s.label(lang))
            .unwrap_or(step);
        println!("  {label:<10} {total:>4}  ({phone} / {paper})");
    }
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
    println!(
        "{}: {}; {}: {}",
        lang.pick("门口拒收的篡改记录", "Tampered records refused at the door"),
        r.refused.join(", "),
        lang.pick(
            "未登记者的记录（单独存放，不计入）",
            "Records by unregistered keys (held aside, not counted)"
        ),
        r.held
    );
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

pub(crate) fn print_verify(r: &linli_core::fold::verify::SealReport, same: bool, lang: Lang) {
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
    println!("{}", r.tie_break.label(lang));
    if r.min_support > 0 {
        println!(
            "{}: {}",
            lang.pick("获资助所需最少票数", "fewest votes to be funded"),
            r.min_support
        );
    }
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
            println!(
                "  {}: {}  {}: {}",
                lang.pick("手机投票", "phone"),
                r.sealed_ballots - r.sealed_paper,
                lang.pick("纸质选票", "paper"),
                r.sealed_paper
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
    for (closing, missing) in &r.lacking {
        println!(
            "{} {closing}: {} {} {}",
            lang.pick("暂无法核对", "cannot be checked yet"),
            lang.pick("本设备缺少其所列的", "this device lacks"),
            missing.len(),
            lang.pick(
                "条记录，同步后再核对",
                "of the records it names; sync, then verify again"
            )
        );
        for id in missing.iter().take(10) {
            println!("  {id}");
        }
        if missing.len() > 10 {
            println!("  … {}", missing.len() - 10);
        }
    }
    println!(
        "{}: {}",
        lang.pick(
            "有效但未封入的选票（迟到或被遗漏）",
            "valid ballots not in the seal (late or withheld)"
        ),
        r.late_ballots.len()
    );
    if !r.not_counted.is_empty() {
        println!(
            "{}:",
            lang.pick("未计入的选票，按原因", "ballots not counted, by reason")
        );
        for (code, n) in &r.not_counted {
            println!("  {}: {n}", linli_core::exclusion::label(code, lang));
        }
        for b in &r.excluded_ballots {
            println!("    {} {}", b.id, reason(&b.excluded));
        }
    }
    for rel in &r.cherry_picked_releases {
        println!(
            "{} {}: {}",
            lang.pick("付款记录", "payment release"),
            rel.id,
            reason(&rel.excluded)
        );
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
