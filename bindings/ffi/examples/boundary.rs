//! The Rust side of the boundary benchmark: the same calls as `bindings/tests/python/bench_boundary.py`
//! through the same `Device` API, natively. Prints medians in microseconds as JSON.
//! Run: cargo run --release -p linli-ffi --example boundary

use linli_ffi::*;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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

    let mut vote = Vec::new();
    for i in 0..300 {
        let t = Instant::now();
        resident.vote(cycle.clone(), vec![ids[i % ids.len()].clone()])?;
        vote.push(t.elapsed().as_secs_f64() * 1e6);
    }
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
        "{{\"vote_us\": {:.1}, \"list500_us\": {:.1}, \"summary_us\": {:.1}}}",
        median(vote),
        median(list),
        median(summary)
    );
    Ok(())
}
