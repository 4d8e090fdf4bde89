//! The auditor's view of the vote: every seal and its verdict, the sealed scores and selection
//! recomputed with the cycle's rule, every ballot that does not count and why, and the council
//! resolution checked against the seal.

use crate::exclusion::Exclusion;
use crate::fold::state::{CycleState, Verdict};
use crate::money::Fen;
use crate::record::Kind;
use crate::record::cycle::TieBreak;
use serde::Serialize;
use uuid::Uuid;

/// A record and whether it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordVerdict {
    /// The record.
    pub id: Uuid,
    /// Why it does not count (`None`: it counts).
    pub excluded: Option<Exclusion>,
}

/// One proposal's line in the sealed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedLine {
    /// The proposal.
    pub proposal: Uuid,
    /// Its title.
    pub title: String,
    /// Its estimated cost.
    pub cost: Fen,
    /// Its score among the sealed ballots, recomputed.
    pub score: u64,
    /// Selected by the cycle's rule.
    pub selected: bool,
}

/// The council resolution checked against the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolutionCheck {
    /// The resolution in effect.
    pub id: Uuid,
    /// Total funded.
    pub total: Fen,
    /// The pool.
    pub pool: Fen,
    /// Funded proposals and amounts.
    pub funded: Vec<(Uuid, Fen)>,
    /// Every deviation from the sealed selection, with its reason.
    pub deviations: Vec<(Uuid, String)>,
    /// The council meeting it was passed at, whose comments stay attached to it.
    pub meeting: Option<Uuid>,
}

/// The vote as the public board shows it (see [`CycleState::sealed_result`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedResult {
    /// The counting rule.
    pub rule: String,
    /// The seal in effect.
    pub seal: Option<Uuid>,
    /// Ballots it counts.
    pub sealed_ballots: usize,
    /// Of those, paper ballots entered by cadres (the rest were cast on phones).
    pub sealed_paper: usize,
    /// Every proposal it counts, by score.
    pub result: Vec<SealedLine>,
    /// The resolution in effect, checked against the seal.
    pub resolution: Option<ResolutionCheck>,
}

/// What `linli verify` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealReport {
    /// The counting rule (`greedy`, `mes`, `mes-add1`, `borda`).
    pub rule: String,
    /// How equal scores are ordered (`lower_cost_then_lot`, `by_id`), as the genesis states.
    pub tie_break: TieBreak,
    /// The fewest votes a proposal needs to be funded.
    pub min_support: u64,
    /// Every seal record and its verdict (a false count shows as `tally_mismatch`).
    pub seals: Vec<RecordVerdict>,
    /// The seal in effect, if any.
    pub seal: Option<Uuid>,
    /// Ballots the seal counts.
    pub sealed_ballots: usize,
    /// Of those, paper ballots entered by cadres.
    pub sealed_paper: usize,
    /// The recomputed result, by score.
    pub result: Vec<SealedLine>,
    /// Ballot records, phone and paper, that do not count, with the reason (superseded, late,
    /// voted by phone, a duplicate paper sheet, bad signature, ...).
    pub excluded_ballots: Vec<RecordVerdict>,
    /// The ballots that do not count, grouped by reason: each exclusion code with how many.
    pub not_counted: Vec<(String, usize)>,
    /// Valid ballots the seal does not count.
    pub late_ballots: Vec<Uuid>,
    /// Seals (and releases) this device cannot check yet, with the records they name that it
    /// lacks. Once a sync brings them, the check runs.
    pub lacking: Vec<(Uuid, Vec<Uuid>)>,
    /// Payment releases refused because they leave out ratings signed before them: a
    /// cherry-picked satisfaction count.
    pub cherry_picked_releases: Vec<RecordVerdict>,
    /// Every resolution record and its verdict.
    pub resolutions: Vec<RecordVerdict>,
    /// The resolution in effect, checked.
    pub resolution: Option<ResolutionCheck>,
}

impl CycleState {
    /// What the public board shows of the vote, without the audit lists (the excluded and late
    /// ballots, the other seals): the seal in effect, its counts as the fold accepted them (a
    /// seal whose counts do not recompute never takes effect), and the resolution in effect.
    pub fn sealed_result(&self) -> SealedResult {
        let mut result: Vec<SealedLine> = self
            .seal
            .as_ref()
            .map(|s| {
                s.counts
                    .iter()
                    .map(|(p, score)| SealedLine {
                        proposal: *p,
                        title: self.proposals[p].content.title.clone(),
                        cost: self.proposals[p].content.estimated_budget,
                        score: *score,
                        selected: s.selected.contains(p),
                    })
                    .collect()
            })
            .unwrap_or_default();
        result.sort_by(|a, b| b.score.cmp(&a.score).then(a.proposal.cmp(&b.proposal)));
        SealedResult {
            rule: self
                .genesis
                .as_ref()
                .map(|g| g.voting.rule.as_str().to_string())
                .unwrap_or_default(),
            seal: self.seal.as_ref().map(|s| s.id),
            sealed_ballots: self.seal.as_ref().map(|s| s.ballots.len()).unwrap_or(0),
            sealed_paper: self.seal.as_ref().map(|s| s.paper).unwrap_or(0),
            result,
            resolution: self.resolution.as_ref().map(|r| ResolutionCheck {
                id: r.id,
                total: r.total,
                pool: self.pool(),
                funded: r.funded.iter().map(|(p, a)| (*p, *a)).collect(),
                deviations: r
                    .deviations
                    .iter()
                    .map(|(p, why)| (*p, why.clone()))
                    .collect(),
                meeting: r.meeting,
            }),
        }
    }

    /// The auditor's report on the vote, computed from the folded state.
    pub fn seal_report(&self) -> SealReport {
        let of_kind = |kind: Kind| -> Vec<RecordVerdict> {
            self.kinds
                .iter()
                .filter(|(_, k)| **k == kind)
                .map(|(id, _)| RecordVerdict {
                    id: *id,
                    excluded: match self.verdicts.get(id) {
                        Some(Verdict::Excluded { reason }) => Some(reason.clone()),
                        _ => None,
                    },
                })
                .collect()
        };
        let SealedResult {
            rule,
            seal,
            sealed_ballots,
            sealed_paper,
            result,
            resolution,
        } = self.sealed_result();
        let mut excluded_ballots: Vec<RecordVerdict> = of_kind(Kind::Ballot);
        excluded_ballots.extend(of_kind(Kind::PaperBallot));
        let excluded_ballots: Vec<RecordVerdict> = excluded_ballots
            .into_iter()
            .filter(|v| v.excluded.is_some())
            .collect();
        let mut not_counted: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for v in &excluded_ballots {
            if let Some(e) = &v.excluded {
                *not_counted.entry(e.code()).or_default() += 1;
            }
        }
        SealReport {
            rule,
            tie_break: self
                .genesis
                .as_ref()
                .map(|g| g.voting.tie_break)
                .unwrap_or_default(),
            min_support: self
                .genesis
                .as_ref()
                .map(|g| g.voting.min_support)
                .unwrap_or_default(),
            seals: of_kind(Kind::Seal),
            seal,
            sealed_ballots,
            sealed_paper,
            result,
            excluded_ballots,
            not_counted: not_counted
                .into_iter()
                .map(|(code, n)| (code.to_string(), n))
                .collect(),
            late_ballots: self.late_ballots(),
            lacking: self
                .lacking
                .iter()
                .map(|(id, missing)| (*id, missing.clone()))
                .collect(),
            cherry_picked_releases: of_kind(Kind::PaymentRelease)
                .into_iter()
                .filter(|v| matches!(v.excluded, Some(Exclusion::RatingsLeftOut { .. })))
                .collect(),
            resolutions: of_kind(Kind::Resolution),
            resolution,
        }
    }
}
