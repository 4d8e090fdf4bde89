//! Ballots and the seal that closes voting.
//!
//! The cycle's [`VotingRules`](crate::record::cycle::VotingRules) fix the ballot type:
//! - approval: between `min_picks` and `max_picks` shortlisted proposals;
//! - knapsack: approval with the estimated costs adding up to at most a cap;
//! - ranked: a strict order of `min_picks..=max_picks` proposals, best first;
//! - cumulative: points spread over proposals, at most a total.
//!
//! A ballot's score for each proposal (one approval, Borda points, or points) is what the live
//! tally adds and what the seal states; the cycle's counting rule ([`crate::tally`]) turns the
//! sealed ballots into the selection.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::RecordBody;
use crate::record::shape::has_duplicates;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A resident's ballot. A later ballot (higher sequence number) replaces an earlier one until the
/// seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// Chosen proposals (shortlisted ones only); for ranked ballots, best first.
    pub choices: Vec<Uuid>,
    /// Points per choice, for cumulative ballots only (same length as `choices`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<u32>,
}

impl Ballot {
    /// An approval (or knapsack) ballot.
    pub fn approve(choices: Vec<Uuid>) -> Ballot {
        Ballot {
            choices,
            points: Vec::new(),
        }
    }

    /// A ranked ballot, best first.
    pub fn rank(ranking: Vec<Uuid>) -> Ballot {
        Ballot {
            choices: ranking,
            points: Vec::new(),
        }
    }

    /// A cumulative ballot.
    pub fn points(points: Vec<(Uuid, u32)>) -> Ballot {
        let (choices, points) = points.into_iter().unzip();
        Ballot { choices, points }
    }

    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check_count("choices", self.choices.len(), 500)?;
        if has_duplicates(&self.choices) {
            return Err(Exclusion::RuleViolation {
                detail: "a ballot names each proposal at most once".into(),
            });
        }
        if !self.points.is_empty() && self.points.len() != self.choices.len() {
            return Err(Exclusion::RuleViolation {
                detail: "a cumulative ballot gives points to each choice".into(),
            });
        }
        Ok(())
    }
}

/// Longest paper sheet number (what is printed or written on the sheet: "A-0042").
pub const MAX_SHEET: usize = 32;

/// A paper ballot, entered by a cadre from a sheet a member handed in at the community centre.
/// The cadre signs; the record names the member (who needs no phone or key) and the sheet.
///
/// One member, one counted ballot (docs/tally.md §Paper and phone): a member's own phone ballot
/// wins over any paper ballot entered for them, and of several paper ballots for one member the
/// first in the fold's order counts. The others are kept and shown as not counted, with the
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperBallot {
    /// The member on the roll who filled in the sheet.
    pub member: Uuid,
    /// The sheet's number, so that anyone can find the paper again.
    pub sheet: String,
    /// The choices as marked on the sheet, with points for cumulative ballots.
    pub ballot: Ballot,
}

impl PaperBallot {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("sheet", &self.sheet, 1, MAX_SHEET)?;
        self.ballot.check_shape()
    }
}

impl RecordBody for PaperBallot {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

/// A proposal's score as stated in a seal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedCount {
    /// The proposal.
    pub proposal: Uuid,
    /// Its score among the sealed ballots: approvals, Borda points or points, per the cycle's
    /// ballot type and rule.
    pub votes: u64,
}

/// A cadre closes the vote: the exact set of ballots counted and the scores it claims. Any device
/// recomputes the scores from the named ballots; a mismatch excludes the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// The ballot records counted, one per voter, when they fit in the seal itself (at most
    /// [`MAX_INLINE_IDS`](crate::record::list::MAX_INLINE_IDS) when drafted by Linli).
    pub ballots: Vec<Uuid>,
    /// The [`RecordList`](crate::record::list::RecordList)s of ballots counted beyond those, signed
    /// by the same cadre just before the seal: what a seal of thousands of ballots names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ballot_lists: Vec<Uuid>,
    /// The scores, one per shortlisted proposal.
    pub counts: Vec<SealedCount>,
    /// Note for residents.
    pub note: String,
}

impl Seal {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::MEDIUM)?;
        if has_duplicates(&self.ballots) || has_duplicates(&self.ballot_lists) {
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

impl RecordBody for Ballot {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for Seal {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        Some(&self.ballots)
    }
}
