//! The Rust side of the boundary benchmark: the same calls as `bindings/tests/python/bench_boundary.py`
//! and `bindings/tests/kotlin/BoundaryBench.kt` through the same `Device` API, natively. Prints
//! medians in microseconds as JSON.
//!
//! Votes are measured twice: in a tight loop (`vote_us`, `box_vote_us`: the CPU caches stay hot
//! from one call to the next) and with 4 MiB of other memory written between calls
//! (`*_cold_us`), as an interpreter, a JVM or an app's UI does between two votes.
//! Run: cargo run --release -p linli-ffi --example boundary

use linli_ffi::*;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes one byte per cache line of `other`: what a foreign runtime does to the caches between
/// two calls.
fn flush(other: &mut [u8]) {
    for (k, b) in other.iter_mut().enumerate().step_by(64) {
        *b = b.wrapping_add(k as u8);
    }
    std::hint::black_box(other);
}

fn proposal(i: usize) -> NewProposal {
    NewProposal {
        title: format!("提案{i:03} 加装电梯"),
        description: "说明".into(),
        category: ProposalCategory::Facilities,
        location: "3栋".into(),
        target_group: "居民".into(),
        needs_assessment: "走访".into(),
        goals: vec![],
        steps: vec![],
        risks: vec![],
        budget_lines: vec![BudgetLineInput {
            item: "全部".into(),
            amount_fen: 100_000 + i as i64,
        }],
    }
}

fn main() -> Result<(), LinliError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let cadre = Device::open(path("cadre.db"), None)?;
    let resident = Device::open(path("resident.db"), None)?;
    let cycle = cadre.create_cycle(NewCycle {
        community: "基准".into(),
        year: 2026,
        title: "边界".into(),
        budget_pool_fen: 30_000_000,
        min_picks: 1,
        max_picks: 3,
        rule: "greedy".into(),
        founder_name: "书记".into(),
        satisfaction_threshold_pct: 80,
        min_ratings: 5,
        ballot: None,
    })?;
    resident.join(cadre.invite(cycle.clone())?)?;
    cadre.register_member(
        cycle.clone(),
        NewMember {
            display_name: "居民".into(),
            device_key: resident.device_key()?,
            roles: vec![MemberRole::Resident],
            age_15_plus: true,
            attestation: "当面".into(),
            member_id: None,
        },
    )?;
    cadre.advance_phase(cycle.clone(), CyclePhase::Proposals, String::new())?;
    let ids: Vec<String> = (0..500)
        .map(|i| cadre.enter_paper_proposal(cycle.clone(), proposal(i), "纸质".into()))
        .collect::<Result<_, _>>()?;
    cadre.advance_phase(cycle.clone(), CyclePhase::Deliberation, String::new())?;
    for id in &ids {
        cadre.review(
            cycle.clone(),
            id.clone(),
            ReviewOutcome::Shortlist,
            "可行".into(),
        )?;
    }
    cadre.advance_phase(cycle.clone(), CyclePhase::Voting, String::new())?;
    resident.import_bundle(cycle.clone(), cadre.export_bundle(cycle.clone())?)?;

    let ballot_box = resident.clone().ballot_box(cycle.clone())?;
    let mut other = vec![0u8; 4 << 20];
    // `Device.vote` and `BallotBox.vote` alternate, so both meet the same store and the same
    // machine; the foreign benchmarks cast the same 600 votes in the same order.
    let mut votes = |cold: bool| -> Result<(f64, f64), LinliError> {
        let (mut vote, mut boxed) = (Vec::new(), Vec::new());
        for i in 0..600 {
            if cold {
                flush(&mut other);
            }
            let choice = vec![ids[i % ids.len()].clone()];
            let t = Instant::now();
            if i % 2 == 0 {
                resident.vote(cycle.clone(), choice)?;
                vote.push(t.elapsed().as_secs_f64() * 1e6);
            } else {
                ballot_box.vote(choice)?;
                boxed.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        Ok((median(vote), median(boxed)))
    };
    let (vote, box_vote) = votes(false)?;
    let (vote_cold, box_vote_cold) = votes(true)?;
    let mut list = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let rows = resident.proposals(cycle.clone(), None, None)?;
        assert_eq!(rows.len(), 500);
        list.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mut summary = Vec::new();
    for _ in 0..1000 {
        let t = Instant::now();
        resident.summary(cycle.clone())?;
        summary.push(t.elapsed().as_secs_f64() * 1e6);
    }
    println!(
        "{{\"vote_us\": {vote:.1}, \"box_vote_us\": {box_vote:.1}, \"vote_cold_us\": {vote_cold:.1}, \"box_vote_cold_us\": {box_vote_cold:.1}, \"list500_us\": {:.1}, \"summary_us\": {:.1}}}",
        median(list),
        median(summary)
    );
    Ok(())
}
