//! Writes the materialised views from the folded state: only the rows marked dirty, or every row
//! of the cycle after a full fold. Runs inside the transaction that stored the records.

use crate::fold::state::{CycleState, Dirty, Verdict};
use crate::identity::DeviceKey;
use rusqlite::{Connection, params};
use uuid::Uuid;

/// Rewrites the rows of `st` named by `dirty`.
pub fn materialise(
    tx: &Connection,
    st: &CycleState,
    dirty: &Dirty,
    me: &DeviceKey,
) -> rusqlite::Result<()> {
    let cycle = st.cycle.to_string();
    if dirty.all {
        write_exclusions(tx, st)?;
        for table in [
            "members",
            "device_keys",
            "proposals",
            "reports",
            "projects",
            "payments",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE cycle_id = ?1"),
                [&cycle],
            )?;
        }
        tx.execute(
            "DELETE FROM proposals_fts WHERE rowid NOT IN (SELECT rowid FROM proposals)",
            [],
        )?;
    }
    let all = dirty.all;
    // Every row after a full fold, only the dirty ones otherwise (`every` is not called then:
    // listing a 20,000-ballot cycle's keys on each merge would make it quadratic).
    fn pick(
        all: bool,
        set: &std::collections::BTreeSet<Uuid>,
        every: impl FnOnce() -> Vec<Uuid>,
    ) -> Vec<Uuid> {
        if all {
            every()
        } else {
            set.iter().copied().collect()
        }
    }
    if !all {
        for id in &dirty.records {
            write_verdict(tx, st, id)?;
        }
    }
    if all || !dirty.members.is_empty() {
        for id in pick(all, &dirty.members, || st.members.keys().copied().collect()) {
            write_member(tx, st, &id)?;
        }
        tx.execute("DELETE FROM device_keys WHERE cycle_id = ?1", [&cycle])?;
        let mut ins = tx.prepare_cached(
            "INSERT INTO device_keys (cycle_id, public_key, member_id, revoked_after) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (k, ks) in &st.keys {
            ins.execute(params![
                cycle,
                k.to_hex(),
                ks.member.to_string(),
                ks.revoked_after.map(|s| s as i64)
            ])?;
        }
    }
    for id in pick(all, &dirty.proposals, || {
        st.proposals.keys().copied().collect()
    }) {
        write_proposal(tx, st, &id, all || dirty.proposal_text.contains(&id))?;
    }
    for id in pick(all, &dirty.reports, || st.reports.keys().copied().collect()) {
        write_report(tx, st, &id)?;
    }
    if !all {
        // A superseded resolution may have dropped projects.
        for id in &dirty.projects {
            if !st.projects.contains_key(id) {
                tx.execute(
                    "DELETE FROM projects WHERE project_id = ?1",
                    [id.to_string()],
                )?;
                tx.execute(
                    "DELETE FROM payments WHERE project_id = ?1",
                    [id.to_string()],
                )?;
            }
        }
    }
    for id in pick(all, &dirty.projects, || {
        st.projects.keys().copied().collect()
    }) {
        write_project(tx, st, &id)?;
    }
    // Last: the summary row (counts from the state).
    write_cycle(tx, st, me)
}

fn write_cycle(tx: &Connection, st: &CycleState, me: &DeviceKey) -> rusqlite::Result<()> {
    let Some(g) = &st.genesis else {
        tx.execute(
            "DELETE FROM cycle_view WHERE cycle_id = ?1",
            [st.cycle.to_string()],
        )?;
        return Ok(());
    };
    // Kept by the fold as verdicts change: counting them here would make every write O(n).
    let invalid = st.excluded_count() as i64;
    let sealed_ballots = st.seal.as_ref().map(|s| s.ballots.len()).unwrap_or(0) as i64;
    let votes: Vec<(Uuid, u64)> = st.proposals.iter().map(|(id, p)| (*id, p.votes)).collect();
    tx.prepare_cached(
        "INSERT INTO cycle_view (cycle_id, community, year, title, pool_fen, phase, members,
            proposals, voters, records, invalid, sealed, sealed_ballots, late_ballots, funded_fen,
            conflicts, roundtables, votes, my_ballot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19)
         ON CONFLICT (cycle_id) DO UPDATE SET community = excluded.community, year = excluded.year,
            title = excluded.title, pool_fen = excluded.pool_fen, phase = excluded.phase,
            members = excluded.members, proposals = excluded.proposals, voters = excluded.voters,
            records = excluded.records, invalid = excluded.invalid, sealed = excluded.sealed,
            sealed_ballots = excluded.sealed_ballots, late_ballots = excluded.late_ballots,
            funded_fen = excluded.funded_fen, conflicts = excluded.conflicts,
            roundtables = excluded.roundtables, votes = excluded.votes,
            my_ballot = excluded.my_ballot",
    )?
    .execute(params![
        st.cycle.to_string(),
        g.community,
        g.year,
        g.title,
        g.budget_pool.get(),
        st.phase.0.as_str(),
        st.members.len() as i64,
        st.proposals.len() as i64,
        st.current_ballots.len() as i64,
        st.verdicts.len() as i64,
        invalid,
        st.seal.is_some(),
        sealed_ballots,
        st.late_ballots().len() as i64,
        st.resolution.as_ref().map(|r| r.total.get()).unwrap_or(0),
        st.conflicts.len() as i64,
        st.roundtables.len() as i64,
        super::tally_row::pack(&votes),
        my_ballot(st, me),
    ])?;
    Ok(())
}

/// The current ballot of this device's member, as JSON (`BallotRow`), for the only screen that
/// shows a single member's ballot: the resident's own.
fn my_ballot(st: &CycleState, me: &DeviceKey) -> Option<String> {
    let member = st.keys.get(me).map(|k| k.member);
    let (id, b) = member.and_then(|m| st.ballot_of(&m))?;
    let status = match st.verdicts.get(&id) {
        Some(Verdict::Excluded { reason }) => reason.code(),
        _ if st.seal.is_some() => "sealed",
        _ => "cast",
    };
    let row = super::query::BallotRow {
        ballot: id,
        choices: b.choices.clone(),
        points: b.points.clone(),
        cast_at: b.cast_at.to_rfc3339(),
        status: status.to_string(),
    };
    Some(serde_json::to_string(&row).expect("a ballot serialises"))
}

/// The code and reason JSON of an excluded record's verdict; `None` for a record that counts.
fn exclusion_of(st: &CycleState, id: &Uuid) -> Option<(&'static str, String)> {
    match st.verdicts.get(id) {
        Some(Verdict::Excluded { reason }) => Some((
            reason.code(),
            serde_json::to_string(reason).expect("exclusions serialise"),
        )),
        _ => None,
    }
}

/// Writes one record's verdict: a row in `exclusions` (keyed by the record's number) when the
/// fold excludes it, none when it counts.
fn write_verdict(tx: &Connection, st: &CycleState, id: &Uuid) -> rusqlite::Result<()> {
    match exclusion_of(st, id) {
        None => {
            tx.prepare_cached(
                "DELETE FROM exclusions WHERE n = (SELECT n FROM records WHERE id = ?1)",
            )?
            .execute([id.to_string()])?;
        }
        Some((code, reason)) => {
            tx.prepare_cached(
                "INSERT INTO exclusions (n, code, reason)
                 SELECT n, ?2, ?3 FROM records WHERE id = ?1
                 ON CONFLICT (n) DO UPDATE SET code = excluded.code, reason = excluded.reason
                 WHERE (code, reason) IS NOT (excluded.code, excluded.reason)",
            )?
            .execute(params![id.to_string(), code, reason])?;
        }
    }
    Ok(())
}

/// After a full fold: makes `exclusions` hold exactly the records the state excludes, writing
/// only the rows that changed. The work is in the number of exclusions, not of records: a first
/// sync of 12,000 records, nearly all valid, writes no verdict for them.
fn write_exclusions(tx: &Connection, st: &CycleState) -> rusqlite::Result<()> {
    let stored: std::collections::HashMap<String, (String, String)> = tx
        .prepare_cached(
            "SELECT r.id, x.code, x.reason FROM exclusions x JOIN records r ON r.n = x.n
             WHERE r.cycle_id = ?1",
        )?
        .query_map([st.cycle.to_string()], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut upsert = tx.prepare_cached(
        "INSERT OR REPLACE INTO exclusions (n, code, reason)
         SELECT n, ?2, ?3 FROM records WHERE id = ?1",
    )?;
    let mut now_excluded = std::collections::HashSet::new();
    for (id, verdict) in &st.verdicts {
        let Verdict::Excluded { reason } = verdict else {
            continue;
        };
        let key = id.to_string();
        let code = reason.code();
        let json = serde_json::to_string(reason).expect("exclusions serialise");
        if stored
            .get(&key)
            .is_none_or(|(c, r)| c != code || *r != json)
        {
            upsert.execute(params![key, code, json])?;
        }
        now_excluded.insert(key);
    }
    let mut delete = tx
        .prepare_cached("DELETE FROM exclusions WHERE n = (SELECT n FROM records WHERE id = ?1)")?;
    for id in stored.keys().filter(|id| !now_excluded.contains(*id)) {
        delete.execute([id])?;
    }
    Ok(())
}

fn write_member(tx: &Connection, st: &CycleState, id: &Uuid) -> rusqlite::Result<()> {
    let Some(m) = st.members.get(id) else {
        return Ok(());
    };
    let roles: Vec<&str> = m.roles.iter().map(|r| r.as_str()).collect();
    let attested: Vec<String> = m.attested_by.iter().map(|a| a.to_string()).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO members (cycle_id, member_id, display_name, roles, age_15_plus, attested_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        st.cycle.to_string(),
        id.to_string(),
        m.display_name,
        roles.join(","),
        m.age_15_plus,
        attested.join(","),
    ])?;
    Ok(())
}

fn write_proposal(
    tx: &Connection,
    st: &CycleState,
    id: &Uuid,
    text_changed: bool,
) -> rusqlite::Result<()> {
    let Some(p) = st.proposals.get(id) else {
        return Ok(());
    };
    let c = &p.content;
    let sealed = st
        .seal
        .as_ref()
        .and_then(|s| s.counts.get(id))
        .map(|v| *v as i64);
    let status = p.status(st.is_funded(id)).as_str();
    let cycle = st.cycle.to_string();
    let pid = id.to_string();
    let review = p.review.as_ref().map(|r| r.reason.clone());
    // A new proposal, a revision or a full rebuild changes the text (the fold marks it); only
    // then is the content serialised and the row inserted or its text rewritten. A vote changes
    // only the counts: it rewrites the row and no index.
    if text_changed {
        let content = serde_json::to_string(c).expect("proposal content serialises");
        tx.prepare_cached(
            "INSERT INTO proposals (proposal_id, cycle_id, title, description, category, location, estimate_fen,
                status, sealed_votes, author_id, on_behalf_of, revisions, review_reason, submitted_at,
                content)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (proposal_id) DO UPDATE SET title = excluded.title,
                description = excluded.description, category = excluded.category,
                location = excluded.location, estimate_fen = excluded.estimate_fen,
                content = excluded.content
             WHERE content IS NOT excluded.content",
        )?
        .execute(params![
            pid,
            cycle,
            c.title,
            c.description,
            c.category.as_str(),
            c.location,
            c.estimated_budget.get(),
            status,
            sealed,
            p.signer_member.to_string(),
            p.on_behalf_of.as_ref().map(|b| b.name.clone()),
            p.revisions,
            review,
            p.submitted_at.to_rfc3339(),
            content,
        ])?;
    }
    // Each group of columns is written only when it changed (a fresh row already matches).
    tx.prepare_cached(
        "UPDATE proposals SET status = ?2, revisions = ?3, review_reason = ?4
         WHERE proposal_id = ?1 AND (status, revisions, review_reason) IS NOT (?2, ?3, ?4)",
    )?
    .execute(params![pid, status, p.revisions, review])?;
    let comments = p
        .comments
        .iter()
        .filter(|c| st.comments.get(c).is_some_and(|c| c.hidden.is_none()))
        .count() as i64;
    tx.prepare_cached(
        "UPDATE proposals SET sealed_votes = ?2, comments = ?3
         WHERE proposal_id = ?1 AND (sealed_votes, comments) IS NOT (?2, ?3)",
    )?
    .execute(params![pid, sealed, comments])?;
    if text_changed {
        let rowid: i64 = tx
            .prepare_cached("SELECT rowid FROM proposals WHERE proposal_id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))?;
        tx.prepare_cached("DELETE FROM proposals_fts WHERE rowid = ?1")?
            .execute([rowid])?;
        let body = [
            c.description.as_str(),
            &c.location,
            &c.target_group,
            &c.needs_assessment,
            &c.goals.join("\n"),
        ]
        .join("\n");
        tx.prepare_cached("INSERT INTO proposals_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
            .execute(params![rowid, c.title, body])?;
    }
    Ok(())
}

fn write_report(tx: &Connection, st: &CycleState, id: &Uuid) -> rusqlite::Result<()> {
    let Some(r) = st.reports.get(id) else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO reports (report_id, cycle_id, project_id, kind, text, reporter, photos, at, responses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id.to_string(),
        st.cycle.to_string(),
        r.project.to_string(),
        r.kind.as_str(),
        r.text,
        r.reporter.to_string(),
        r.photos,
        r.at.to_rfc3339(),
        r.responses.len() as i64,
    ])?;
    Ok(())
}

fn write_project(tx: &Connection, st: &CycleState, id: &Uuid) -> rusqlite::Result<()> {
    let Some(p) = st.projects.get(id) else {
        return Ok(());
    };
    let judged = st.satisfaction(id);
    let (good, total, satisfied) = (judged.good, judged.total, judged.met);
    let title = st
        .proposals
        .get(id)
        .map(|p| p.content.title.clone())
        .unwrap_or_default();
    let cycle = st.cycle.to_string();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO projects (project_id, cycle_id, title, funded_fen, contractor_id, contract_fen,
            progress, reports, completed, ratings, good_ratings, satisfied)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id.to_string(),
        cycle,
        title,
        p.funded.get(),
        p.contractor.map(|c| c.to_string()),
        p.contract_amount.map(|a| a.get()),
        p.progress,
        p.reports.len() as i64,
        p.completion.is_some(),
        total,
        good,
        satisfied,
    ])?;
    tx.prepare_cached("DELETE FROM payments WHERE project_id = ?1")?
        .execute([id.to_string()])?;
    if let Some(s) = p.schedule.and_then(|s| st.schedules.get(&s)) {
        let mut ins = tx.prepare_cached(
            "INSERT INTO payments (project_id, cycle_id, idx, label, amount_fen, gated, released_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, inst) in s.instalments.iter().enumerate() {
            ins.execute(params![
                id.to_string(),
                cycle,
                i as i64,
                inst.label,
                inst.amount.get(),
                inst.requires_satisfaction,
                s.released[i].map(|r| r.to_string()),
            ])?;
        }
    }
    Ok(())
}
