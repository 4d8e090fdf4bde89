//! Ballots and the seal that closes voting.
//!
//! The base ballot is approval voting within the cycle's min/max picks; the voting issue adds
//! knapsack, ranked and cumulative ballots and the counting rules.

use crate::exclusion::Exclusion;
use crate::roundtable::has_duplicates;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A resident's ballot. A later ballot (higher sequence number) replaces an earlier one until the
/// seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// Approved proposals (shortlisted ones only).
    pub approvals: Vec<Uuid>,
}

impl Ballot {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check_count("approvals", self.approvals.len(), 500)?;
        if has_duplicates(&self.approvals) {
            return Err(Exclusion::RuleViolation {
                detail: "a ballot approves each proposal at most once".into(),
            });
        }
        Ok(())
    }
}

/// Votes for one proposal as stated in a seal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedCount {
    /// The proposal.
    pub proposal: Uuid,
    /// Its approvals among the sealed ballots.
    pub votes: u64,
}

/// A cadre closes the vote: the exact set of ballots counted and the counts it claims. Any device
/// recomputes the counts from the named ballots; a mismatch excludes the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// The ballot records counted, one per voter.
    pub ballots: Vec<Uuid>,
    /// The counts, one per shortlisted proposal.
    pub counts: Vec<SealedCount>,
    /// Note for residents.
    pub note: String,
}

impl Seal {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::MEDIUM)?;
        if has_duplicates(&self.ballots) {
            return Err(Exclusion::RuleViolation {
                detail: "a seal names each ballot once".into(),
            });
        }
        let ids: Vec<Uuid> = self.counts.iter().map(|c| c.proposal).collect();
        if has_duplicates(&ids) {
            return Err(Exclusion::RuleViolation {
                detail: "a seal states each proposal's count once".into(),
            });
        }
        Ok(())
    }
}

use crate::fold::Ctx;
use crate::roll::Role;
use crate::state::{BallotState, Conflict, CycleState, SealState, Verdict};
use crate::tally;
use std::collections::{BTreeMap, BTreeSet};

impl CycleState {
    /// A resident of voting age casts (or replaces) their ballot.
    pub(crate) fn apply_ballot(&mut self, ctx: &Ctx, b: &Ballot) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Resident)?;
        if !self.members.get(&ctx.member).is_some_and(|m| m.age_15_plus) {
            return Err(Exclusion::NotEligible {
                detail: "voters must be attested as 15 or older".into(),
            });
        }
        let rules = &self.genesis.as_ref().expect("roll implies genesis").voting;
        let n = b.approvals.len() as u32;
        if n < rules.min_picks || n > rules.max_picks {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "a ballot approves {} to {} proposals, not {n}",
                    rules.min_picks, rules.max_picks
                ),
            });
        }
        for p in &b.approvals {
            if !self.proposal(p)?.is_shortlisted() {
                return Err(Exclusion::RuleViolation {
                    detail: format!("proposal {p} is not on the ballot"),
                });
            }
        }
        if let Some(prev) = self.current_ballots.insert(ctx.member, ctx.id) {
            let old = self.ballot_records[&prev].approvals.clone();
            for p in old {
                if let Some(ps) = self.proposals.get_mut(&p) {
                    ps.votes -= 1;
                    self.dirty.proposals.insert(p);
                }
            }
            self.set_verdict(
                prev,
                Verdict::Excluded {
                    reason: Exclusion::Superseded { by: ctx.id },
                },
            );
        }
        for p in &b.approvals {
            self.proposals.get_mut(p).expect("checked").votes += 1;
            self.dirty.proposals.insert(*p);
        }
        self.ballot_records.insert(
            ctx.id,
            BallotState {
                member: ctx.member,
                approvals: b.approvals.clone(),
                cast_at: ctx.time,
            },
        );
        self.dirty.ballots.insert(ctx.member);
        Ok(())
    }

    /// A cadre seals the vote. The named ballots must be valid, one per voter, and the stated
    /// counts must equal the recount. Current ballots not named are marked late.
    pub(crate) fn apply_seal(&mut self, ctx: &Ctx, b: &Seal) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        if let Some(first) = &self.seal {
            return Err(Exclusion::Conflicting { with: first.id });
        }
        let mut voters = BTreeSet::new();
        for id in &b.ballots {
            let ballot =
                self.ballot_records
                    .get(id)
                    .ok_or_else(|| Exclusion::UnknownReference {
                        what: "ballot".into(),
                        id: *id,
                    })?;
            if !voters.insert(ballot.member) {
                return Err(Exclusion::RuleViolation {
                    detail: format!("the seal counts two ballots of member {}", ballot.member),
                });
            }
        }
        let shortlisted: Vec<Uuid> = self
            .proposals
            .values()
            .filter(|p| p.is_shortlisted())
            .map(|p| p.id)
            .collect();
        let counts = tally::approval_counts(
            shortlisted,
            b.ballots
                .iter()
                .map(|id| self.ballot_records[id].approvals.as_slice()),
        );
        let stated: BTreeMap<Uuid, u64> = b.counts.iter().map(|c| (c.proposal, c.votes)).collect();
        if stated != counts {
            let detail = counts
                .iter()
                .find(|(p, v)| stated.get(p) != Some(v))
                .map(|(p, v)| format!("proposal {p}: stated {:?}, recounted {v}", stated.get(p)))
                .unwrap_or_else(|| "the seal states counts for proposals not on the ballot".into());
            return Err(Exclusion::TallyMismatch { detail });
        }
        let costs = counts
            .keys()
            .map(|p| (*p, self.proposals[p].content.estimated_budget))
            .collect();
        let selected = tally::greedy_by_votes(&counts, &costs, self.pool());
        let sealed: BTreeSet<Uuid> = b.ballots.iter().copied().collect();
        for id in &sealed {
            self.set_verdict(*id, Verdict::Valid);
        }
        let late: Vec<(Uuid, Uuid)> = self
            .current_ballots
            .iter()
            .filter(|(_, id)| !sealed.contains(id))
            .map(|(m, id)| (*m, *id))
            .collect();
        for (member, id) in late {
            self.set_verdict(
                id,
                Verdict::Excluded {
                    reason: Exclusion::LateBallot { seal: ctx.id },
                },
            );
            if let Some(counted) = b
                .ballots
                .iter()
                .find(|s| self.ballot_records[*s].member == member)
            {
                self.conflicts.push(Conflict {
                    subject: member,
                    kept: *counted,
                    lost: id,
                });
            }
        }
        self.seal = Some(SealState {
            id: ctx.id,
            by: ctx.member,
            ballots: sealed,
            counts,
            selected,
        });
        self.dirty.cycle = true;
        self.dirty.proposals.extend(self.proposals.keys().copied());
        Ok(())
    }

    /// Late ballots: valid current ballots the seal does not count.
    pub fn late_ballots(&self) -> Vec<Uuid> {
        match &self.seal {
            None => Vec::new(),
            Some(s) => self
                .current_ballots
                .values()
                .filter(|id| !s.ballots.contains(id))
                .copied()
                .collect(),
        }
    }
}

impl CycleState {
    /// Drafts the seal a cadre would sign now: every current ballot, and the recount.
    pub fn draft_seal(&self, note: &str) -> Seal {
        let ballots: Vec<Uuid> = self.current_ballots.values().copied().collect();
        let shortlisted = self
            .proposals
            .values()
            .filter(|p| p.is_shortlisted())
            .map(|p| p.id);
        let counts = tally::approval_counts(
            shortlisted,
            ballots
                .iter()
                .map(|id| self.ballot_records[id].approvals.as_slice()),
        );
        Seal {
            ballots,
            counts: counts
                .into_iter()
                .map(|(proposal, votes)| SealedCount { proposal, votes })
                .collect(),
            note: note.to_string(),
        }
    }
}
