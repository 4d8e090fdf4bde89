//! Read queries for screens, the CLI and auditors. They read the materialised views only.

use super::{Result, Store};
use crate::lang::Lang;
use crate::money::Fen;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use uuid::Uuid;

/// A cycle's summary (the first screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleSummary {
    /// Cycle id.
    pub cycle: Uuid,
    /// Community name.
    pub community: String,
    /// Year.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Budget pool.
    pub pool: Fen,
    /// Current phase (snake_case).
    pub phase: String,
    /// Members on the roll.
    pub members: u32,
    /// Proposals.
    pub proposals: u32,
    /// Residents with a current ballot.
    pub voters: u32,
    /// Records held.
    pub records: u32,
    /// Records kept but not counted.
    pub invalid: u32,
    /// Whether the vote is sealed.
    pub sealed: bool,
    /// Ballots the seal counts.
    pub sealed_ballots: u32,
    /// Valid ballots the seal does not count.
    pub late_ballots: u32,
    /// Total funded by the council resolution.
    pub funded: Fen,
    /// Conflicts surfaced by the fold.
    pub conflicts: u32,
    /// Roundtable sessions held.
    pub roundtables: u32,
}

/// One line of the proposal list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRow {
    /// Proposal id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Category (snake_case).
    pub category: String,
    /// Location.
    pub location: String,
    /// Estimated cost.
    pub estimate: Fen,
    /// Status (snake_case).
    pub status: String,
    /// Live choices.
    pub votes: u64,
    /// Approvals in the seal, once sealed.
    pub sealed_votes: Option<u64>,
    /// Author member id.
    pub author: Uuid,
    /// Paper submitter's name, when entered by a cadre.
    pub on_behalf_of: Option<String>,
    /// The review's reason (every proposal gets feedback).
    pub review_reason: Option<String>,
    /// Comments shown with it (hidden ones not counted).
    pub comments: u32,
}

/// One proposal in full, for its detail screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalDetail {
    /// What the list shows (status, votes, review reason, ...).
    pub row: ProposalRow,
    /// The latest valid version of its content: description, goals, steps, risks, budget lines,
    /// attachments.
    pub content: crate::record::proposal::ProposalContent,
    /// Valid revisions applied.
    pub revisions: u32,
    /// When it was submitted (claimed by the signer, RFC 3339).
    pub submitted_at: String,
}

/// Filters for the proposal list.
#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    /// Only this status (snake_case).
    pub status: Option<String>,
    /// Only this category (snake_case).
    pub category: Option<String>,
    /// Full-text search (Chinese works: trigram index; 1-2 character queries scan).
    pub search: Option<String>,
}

/// A record's line in the audit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRow {
    /// Record id.
    pub id: Uuid,
    /// Kind (snake_case), when decodable.
    pub kind: Option<String>,
    /// Signer key (hex), when decodable.
    pub signer: Option<String>,
    /// Signer sequence number.
    pub seq: Option<u64>,
    /// Claimed time.
    pub claimed_time: Option<String>,
    /// Counted or not.
    pub valid: bool,
    /// Exclusion code.
    pub code: Option<String>,
    /// Exclusion in full (JSON).
    pub reason: Option<serde_json::Value>,
}

/// The device's own current ballot (also what `cycle_view.my_ballot` holds, as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BallotRow {
    /// Ballot record id.
    pub ballot: Uuid,
    /// Chosen proposals (for a ranked ballot, best first).
    pub choices: Vec<Uuid>,
    /// Points per choice (cumulative ballots; empty otherwise).
    pub points: Vec<u32>,
    /// When cast (claimed).
    pub cast_at: String,
    /// "cast", "sealed", "late_ballot" ...
    pub status: String,
}

/// A monitoring report's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// Report id.
    pub id: Uuid,
    /// Project.
    pub project: Uuid,
    /// Kind (snake_case).
    pub kind: String,
    /// Text.
    pub text: String,
    /// Reporter member id.
    pub reporter: Uuid,
    /// Photos attached.
    pub photos: u32,
    /// Claimed time.
    pub at: String,
    /// Responses received.
    pub responses: u32,
}

/// A funded project's line: contract, progress, satisfaction and payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRow {
    /// Project (proposal) id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Funded amount.
    pub funded: Fen,
    /// Awarded contractor.
    pub contractor: Option<Uuid>,
    /// Contract amount.
    pub contract: Option<Fen>,
    /// Progress percent.
    pub progress: u8,
    /// Monitoring reports.
    pub reports: u32,
    /// Completion reported.
    pub completed: bool,
    /// Current ratings.
    pub ratings: u32,
    /// Ratings at or above the good threshold.
    pub good_ratings: u32,
    /// Whether satisfaction meets the cycle's gate.
    pub satisfied: bool,
    /// Instalments.
    pub payments: Vec<PaymentRow>,
}

/// One instalment and whether it is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Label.
    pub label: String,
    /// Amount.
    pub amount: Fen,
    /// Needs the satisfaction gate.
    pub gated: bool,
    /// The release record, once released.
    pub released_by: Option<Uuid>,
}

/// A member's line on the roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    /// Member id.
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Roles (snake_case).
    pub roles: Vec<String>,
    /// Attested 15 or older.
    pub age_15_plus: bool,
    /// Attesting cadres.
    pub attested_by: Vec<Uuid>,
}

fn uuid(row: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(i)?;
    Uuid::parse_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_uuid(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let s: Option<String> = row.get(i)?;
    Ok(s.and_then(|s| Uuid::parse_str(&s).ok()))
}

const PROPOSAL_COLS: &str =
    "p.proposal_id, p.title, p.category, p.location, p.estimate_fen, p.status,
    0, p.sealed_votes, p.author_id, p.on_behalf_of, p.review_reason, p.comments";

/// The live vote counts of a cycle's proposals (`cycle_view.votes`), which a proposal row's
/// `votes` is filled from.
fn live_votes(c: &rusqlite::Connection, cycle: Uuid) -> rusqlite::Result<super::tally_row::Counts> {
    let packed: Option<Vec<u8>> = c
        .prepare_cached("SELECT votes FROM cycle_view WHERE cycle_id = ?1")?
        .query_row([cycle.to_string()], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(packed
        .map(|b| super::tally_row::Counts::unpack(&b))
        .unwrap_or_default())
}

fn proposal_row(r: &Row<'_>) -> rusqlite::Result<ProposalRow> {
    Ok(ProposalRow {
        id: uuid(r, 0)?,
        title: r.get(1)?,
        category: r.get(2)?,
        location: r.get(3)?,
        estimate: Fen(r.get(4)?),
        status: r.get(5)?,
        votes: r.get::<_, i64>(6)? as u64,
        sealed_votes: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
        author: uuid(r, 8)?,
        on_behalf_of: r.get(9)?,
        review_reason: r.get(10)?,
        comments: r.get::<_, i64>(11)? as u32,
    })
}

impl Store {
    /// The cycles this device follows, with their summaries, newest first: by year, then by
    /// creation (cycle ids are UUID v7, which sort by the time they were made). The first is
    /// what every shell means by "the default cycle".
    pub fn cycles(&self) -> Result<Vec<CycleSummary>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("{SUMMARY_SQL} ORDER BY year DESC, cycle_id DESC"))?;
            stmt.query_map([], summary_row)?.collect()
        })
    }

    /// One cycle's summary.
    pub fn summary(&self, cycle: Uuid) -> Result<CycleSummary> {
        let row = self.read(|c| {
            c.prepare_cached(&format!("{SUMMARY_SQL} WHERE cycle_id = ?1"))?
                .query_row([cycle.to_string()], summary_row)
                .optional()
        })?;
        row.ok_or(super::StoreError::UnknownCycle(cycle))
    }

    /// Proposals of a cycle, by votes then title, filtered.
    pub fn proposals(&self, cycle: Uuid, filter: &ProposalFilter) -> Result<Vec<ProposalRow>> {
        self.read(|c| {
            let mut sql = format!("SELECT {PROPOSAL_COLS} FROM proposals p");
            let mut args: Vec<String> = vec![cycle.to_string()];
            let search = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
            if let Some(q) = search {
                if q.chars().count() >= 3 {
                    sql.push_str(" JOIN proposals_fts f ON f.rowid = p.rowid AND proposals_fts MATCH ?2");
                    args.push(format!("\"{}\"", q.replace('"', "\"\"")));
                } else {
                    // Trigram indexes need 3 characters; shorter Chinese words scan the table.
                    sql.push_str(" JOIN proposals_fts f ON f.rowid = p.rowid AND (f.title LIKE ?2 OR f.body LIKE ?2)");
                    let esc = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    args.push(format!("%{esc}%"));
                    sql = sql.replace("LIKE ?2", "LIKE ?2 ESCAPE '\\'");
                }
            }
            sql.push_str(" WHERE p.cycle_id = ?1");
            if let Some(s) = &filter.status {
                args.push(s.clone());
                sql.push_str(&format!(" AND p.status = ?{}", args.len()));
            }
            if let Some(cat) = &filter.category {
                args.push(cat.clone());
                sql.push_str(&format!(" AND p.category = ?{}", args.len()));
            }
            sql.push_str(" ORDER BY p.title, p.proposal_id");
            // One read transaction: the rows and the counts are of the same moment.
            let tx = c.unchecked_transaction()?;
            let mut rows: Vec<ProposalRow> = tx
                .prepare_cached(&sql)?
                .query_map(rusqlite::params_from_iter(args.iter()), proposal_row)?
                .collect::<rusqlite::Result<_>>()?;
            let votes = live_votes(&tx, cycle)?;
            for row in &mut rows {
                row.votes = votes.get(&row.id);
            }
            // By votes, then (the order read) by title and id.
            rows.sort_by_key(|r| std::cmp::Reverse(r.votes));
            Ok(rows)
        })
    }

    /// The roll.
    pub fn members(&self, cycle: Uuid) -> Result<Vec<MemberRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT member_id, display_name, roles, age_15_plus, attested_by FROM members
                 WHERE cycle_id = ?1 ORDER BY display_name, member_id",
            )?;
            stmt.query_map([cycle.to_string()], |r| {
                let roles: String = r.get(2)?;
                let att: String = r.get(4)?;
                Ok(MemberRow {
                    id: uuid(r, 0)?,
                    display_name: r.get(1)?,
                    roles: roles
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                    age_15_plus: r.get(3)?,
                    attested_by: att
                        .split(',')
                        .filter_map(|s| Uuid::parse_str(s).ok())
                        .collect(),
                })
            })?
            .collect()
        })
    }

    /// This device's member id on a cycle's roll, if registered.
    pub fn my_member(&self, cycle: Uuid) -> Result<Option<Uuid>> {
        let key = self.device_key().to_hex();
        self.read(|c| {
            c.prepare_cached(
                "SELECT member_id FROM device_keys WHERE cycle_id = ?1 AND public_key = ?2",
            )?
            .query_row(params![cycle.to_string(), key], |r| uuid(r, 0))
            .optional()
        })
    }

    /// This device's member's current ballot.
    pub fn my_ballot(&self, cycle: Uuid) -> Result<Option<BallotRow>> {
        let json: Option<String> = self.read(|c| {
            Ok(
                c.prepare_cached("SELECT my_ballot FROM cycle_view WHERE cycle_id = ?1")?
                    .query_row([cycle.to_string()], |r| r.get(0))
                    .optional()?
                    .flatten(),
            )
        })?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// One proposal in full (its detail screen), or `None` if the cycle has no such proposal.
    pub fn proposal(&self, cycle: Uuid, proposal: Uuid) -> Result<Option<ProposalDetail>> {
        self.read(|c| {
            let tx = c.unchecked_transaction()?;
            let detail = tx
                .prepare_cached(&format!(
                "SELECT {PROPOSAL_COLS}, p.content, p.revisions, p.submitted_at FROM proposals p
                 WHERE p.cycle_id = ?1 AND p.proposal_id = ?2"
            ))?
                .query_row(params![cycle.to_string(), proposal.to_string()], |r| {
                    let content: Option<String> = r.get(12)?;
                    let content = content
                        .as_deref()
                        .and_then(|j| serde_json::from_str(j).ok())
                        .ok_or_else(|| {
                            rusqlite::Error::InvalidColumnType(
                                12,
                                "content".into(),
                                rusqlite::types::Type::Text,
                            )
                        })?;
                    Ok(ProposalDetail {
                        row: proposal_row(r)?,
                        content,
                        revisions: r.get(13)?,
                        submitted_at: r.get(14)?,
                    })
                })
                .optional()?;
            let votes = live_votes(&tx, cycle)?;
            Ok(detail.map(|mut d| {
                d.row.votes = votes.get(&d.row.id);
                d
            }))
        })
    }

    /// The cycle's genesis record, read without loading the cycle. `UnknownCycle` until the
    /// genesis has arrived.
    fn genesis(&self, cycle: Uuid) -> Result<Box<crate::record::cycle::Genesis>> {
        let row = self.read(|c| {
            c.prepare_cached(
                "SELECT r.signed, r.signature FROM cycles y JOIN records r ON r.id = y.genesis_id
                 WHERE y.cycle_id = ?1",
            )?
            .query_row([cycle.to_string()], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()
        })?;
        let genesis = row.and_then(|(signed, sig)| {
            let sig: [u8; 64] = sig.try_into().ok()?;
            match crate::record::envelope::SignedRecord::from_parts(signed, sig).decode() {
                Ok(crate::record::envelope::Record {
                    body: crate::record::Body::Genesis(g),
                    ..
                }) => Some(g),
                _ => None,
            }
        });
        genesis.ok_or(super::StoreError::UnknownCycle(cycle))
    }

    /// The cycle's voting rules (ballot type, how many picks, counting rule), from its genesis
    /// without loading the cycle, so a ballot screen can say what a valid ballot is before the
    /// resident casts it.
    pub fn voting_rules(&self, cycle: Uuid) -> Result<crate::record::cycle::VotingRules> {
        Ok(self.genesis(cycle)?.voting)
    }

    /// When the cycle's satisfaction-gated final payment may be released, from its genesis
    /// (what a screen states instead of a hard-coded "80 %").
    pub fn satisfaction_rule(&self, cycle: Uuid) -> Result<crate::record::cycle::SatisfactionRule> {
        Ok(self.genesis(cycle)?.satisfaction)
    }

    /// Records of a cycle with their verdicts; `invalid_only` lists only the excluded ones.
    pub fn records(&self, cycle: Uuid, invalid_only: bool) -> Result<Vec<RecordRow>> {
        self.read(|c| {
            let sql = format!(
                "SELECT r.id, r.kind, r.signer, r.seq, r.claimed_time, x.n IS NULL, x.code, x.reason
                 FROM records r {} JOIN exclusions x ON x.n = r.n
                 WHERE r.cycle_id = ?1 ORDER BY r.claimed_time, r.signer, r.seq, r.id",
                if invalid_only { "" } else { "LEFT" }
            );
            let mut stmt = c.prepare_cached(&sql)?;
            stmt.query_map([cycle.to_string()], |r| {
                let reason: Option<String> = r.get(7)?;
                Ok(RecordRow {
                    id: uuid(r, 0)?,
                    kind: r.get(1)?,
                    signer: r.get(2)?,
                    seq: r.get::<_, Option<i64>>(3)?.map(|v| v as u64),
                    claimed_time: r.get(4)?,
                    valid: r.get(5)?,
                    code: r.get(6)?,
                    reason: reason.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()),
                })
            })?
            .collect()
        })
    }

    /// Monitoring reports, optionally for one project, newest first.
    pub fn reports(&self, cycle: Uuid, project: Option<Uuid>) -> Result<Vec<ReportRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT report_id, project_id, kind, text, reporter, photos, at, responses FROM reports
                 WHERE cycle_id = ?1 AND (?2 IS NULL OR project_id = ?2) ORDER BY at DESC, report_id",
            )?;
            stmt.query_map(params![cycle.to_string(), project.map(|p| p.to_string())], |r| {
                Ok(ReportRow {
                    id: uuid(r, 0)?,
                    project: uuid(r, 1)?,
                    kind: r.get(2)?,
                    text: r.get(3)?,
                    reporter: uuid(r, 4)?,
                    photos: r.get(5)?,
                    at: r.get(6)?,
                    responses: r.get(7)?,
                })
            })?
            .collect()
        })
    }

    /// Funded projects with contract, progress, satisfaction and payments.
    pub fn projects(&self, cycle: Uuid) -> Result<Vec<ProjectRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT project_id, title, funded_fen, contractor_id, contract_fen, progress, reports, completed,
                        ratings, good_ratings, satisfied FROM projects WHERE cycle_id = ?1 ORDER BY title, project_id",
            )?;
            let mut rows: Vec<ProjectRow> = stmt
                .query_map([cycle.to_string()], |r| {
                    Ok(ProjectRow {
                        id: uuid(r, 0)?,
                        title: r.get(1)?,
                        funded: Fen(r.get(2)?),
                        contractor: opt_uuid(r, 3)?,
                        contract: r.get::<_, Option<i64>>(4)?.map(Fen),
                        progress: r.get(5)?,
                        reports: r.get(6)?,
                        completed: r.get(7)?,
                        ratings: r.get(8)?,
                        good_ratings: r.get(9)?,
                        satisfied: r.get(10)?,
                        payments: Vec::new(),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut pay = c.prepare_cached(
                "SELECT label, amount_fen, gated, released_by FROM payments WHERE project_id = ?1 ORDER BY idx",
            )?;
            for p in &mut rows {
                p.payments = pay
                    .query_map([p.id.to_string()], |r| {
                        Ok(PaymentRow {
                            label: r.get(0)?,
                            amount: Fen(r.get(1)?),
                            gated: r.get(2)?,
                            released_by: opt_uuid(r, 3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
            }
            Ok(rows)
        })
    }

    /// Runs SQLite's integrity check; `Ok(true)` when the database is sound.
    pub fn integrity_check(&self) -> Result<bool> {
        self.read(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)))
            .map(|s| s == "ok")
    }
}

/// Every followed cycle, including one whose genesis has not arrived yet (phase
/// `awaiting_genesis`, empty names, zero counts), so a joined cycle is listed at once.
const SUMMARY_SQL: &str = "SELECT * FROM (SELECT c.cycle_id AS cycle_id,
    COALESCE(v.community, '') AS community, COALESCE(v.year, 0) AS year,
    COALESCE(v.title, '') AS title, COALESCE(v.pool_fen, 0), COALESCE(v.phase, 'awaiting_genesis'),
    COALESCE(v.members, 0), COALESCE(v.proposals, 0), COALESCE(v.voters, 0),
    COALESCE(v.records, 0), COALESCE(v.invalid, 0), COALESCE(v.sealed, 0),
    COALESCE(v.sealed_ballots, 0), COALESCE(v.late_ballots, 0), COALESCE(v.funded_fen, 0),
    COALESCE(v.conflicts, 0), COALESCE(v.roundtables, 0)
    FROM cycles c LEFT JOIN cycle_view v ON v.cycle_id = c.cycle_id)";

fn summary_row(r: &Row<'_>) -> rusqlite::Result<CycleSummary> {
    Ok(CycleSummary {
        cycle: uuid(r, 0)?,
        community: r.get(1)?,
        year: r.get(2)?,
        title: r.get(3)?,
        pool: Fen(r.get(4)?),
        phase: r.get(5)?,
        members: r.get(6)?,
        proposals: r.get(7)?,
        voters: r.get(8)?,
        records: r.get(9)?,
        invalid: r.get(10)?,
        sealed: r.get(11)?,
        sealed_ballots: r.get(12)?,
        late_ballots: r.get(13)?,
        funded: Fen(r.get(14)?),
        conflicts: r.get(15)?,
        roundtables: r.get(16)?,
    })
}

/// Every code a screen shows, with its label in `lang`: (kind, code, label). Kinds: `phase`,
/// `proposal_status`, `category`, `report_kind`, `ballot_status`, `role`, `exclusion`. An app
/// reads this once and looks codes up, so no app carries its own translations.
pub fn labels(lang: Lang) -> Vec<(&'static str, &'static str, String)> {
    use crate::phase::Phase;
    use crate::record::monitoring::ReportKind;
    use crate::record::proposal::Category;
    use crate::role::Role;
    let mut out = Vec::new();
    for p in Phase::ALL {
        out.push(("phase", p.as_str(), p.label(lang).to_string()));
    }
    for s in PROPOSAL_STATUSES {
        out.push(("proposal_status", s, label(lang, s)));
    }
    for c in Category::ALL {
        out.push(("category", c.as_str(), c.label(lang).to_string()));
    }
    for k in ReportKind::ALL {
        out.push(("report_kind", k.as_str(), k.label(lang).to_string()));
    }
    for s in BALLOT_STATUSES {
        out.push(("ballot_status", s, label(lang, s)));
    }
    for r in Role::ALL {
        out.push(("role", r.as_str(), r.label(lang).to_string()));
    }
    for c in crate::exclusion::CODES {
        out.push(("exclusion", c, crate::exclusion::label(c, lang).to_string()));
    }
    out
}

/// The statuses a proposal row shows (`proposals.status`).
pub const PROPOSAL_STATUSES: [&str; 5] =
    ["submitted", "shortlisted", "merged", "rejected", "funded"];

/// The statuses of a member's own ballot (`ballots.status`) besides exclusion codes.
pub const BALLOT_STATUSES: [&str; 2] = ["cast", "sealed"];

/// The label for people of a code: a phase, a proposal or ballot status, a category, a report
/// kind, a role or an exclusion; the code itself when unknown (from a newer version).
pub fn label(lang: Lang, code: &str) -> String {
    use crate::phase::Phase;
    use crate::record::monitoring::ReportKind;
    use crate::record::proposal::Category;
    if let Some(p) = Phase::ALL.iter().find(|p| p.as_str() == code) {
        return p.label(lang).to_string();
    }
    if let Some(c) = Category::parse(code) {
        return c.label(lang).to_string();
    }
    for k in ReportKind::ALL {
        if k.as_str() == code {
            return k.label(lang).to_string();
        }
    }
    let s = match code {
        "submitted" => lang.pick("待审核", "submitted"),
        "shortlisted" => lang.pick("入选投票", "shortlisted"),
        "merged" => lang.pick("已合并", "merged"),
        "rejected" => lang.pick("未采纳", "rejected"),
        "funded" => lang.pick("获资助", "funded"),
        "awaiting_genesis" => lang.pick("等待首次同步", "awaiting first sync"),
        "cast" => lang.pick("已投票", "cast"),
        "sealed" => lang.pick("已封存计票", "sealed"),
        other => {
            if let Some(r) = crate::role::Role::ALL.iter().find(|r| r.as_str() == other) {
                return r.label(lang).to_string();
            }
            crate::exclusion::label(other, lang)
        }
    };
    s.to_string()
}

#[cfg(test)]
mod label_tests {
    use super::*;
    use crate::phase::Phase;
    use crate::record::monitoring::ReportKind;

    #[test]
    fn every_code_a_screen_shows_has_a_chinese_and_an_english_label() {
        let (zh, en) = (labels(Lang::Zh), labels(Lang::En));
        assert_eq!(zh.len(), en.len());
        let mut seen = std::collections::HashSet::new();
        for ((kind, code, z), (_, _, e)) in zh.iter().zip(&en) {
            assert!(seen.insert((kind, code)), "{kind} {code} listed twice");
            assert!(
                !z.bytes().any(|b| b.is_ascii_alphabetic()),
                "{kind} {code}: {z}"
            );
            assert!(
                !e.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)),
                "{kind} {code}: {e}"
            );
            // `label` answers the same for a code on its own (what the console and CLI call).
            assert_eq!(&label(Lang::Zh, code), z, "{kind} {code}");
        }
        for kind in [
            "phase",
            "proposal_status",
            "category",
            "report_kind",
            "ballot_status",
            "role",
            "exclusion",
        ] {
            assert!(zh.iter().any(|(k, _, _)| *k == kind), "{kind}");
        }
        assert_eq!(label(Lang::Zh, "shortlisted"), "入选投票");
        assert_eq!(label(Lang::Zh, "voting"), Phase::Voting.label(Lang::Zh));
        assert_eq!(
            label(Lang::En, "misuse_of_funds"),
            ReportKind::MisuseOfFunds.label(Lang::En)
        );
        assert_eq!(
            label(Lang::Zh, "from_a_newer_version"),
            "from_a_newer_version"
        );
    }
}
