//! Public tenders for funded projects, contractors' bids, and the award.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::RecordBody;
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A cadre opens a tender for a funded project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tender {
    /// The funded proposal (the project).
    pub project: Uuid,
    /// Budget ceiling; at most the funded amount.
    pub budget: Fen,
    /// Bids close at this time.
    pub deadline: DateTime<Utc>,
    /// What the contractor must deliver.
    pub requirements: String,
    /// Whether bids are sealed until the deadline: contractors commit to a hash of their bid
    /// ([`SealedBid`]), a cadre closes bidding at the deadline ([`BidClosing`]), and only then
    /// are the bids opened ([`BidOpening`]), so no one can undercut a bid they have read. Tenders
    /// opened by Linli are; a tender signed before this field existed took open bids.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sealed_bids: bool,
}

impl Tender {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("requirements", &self.requirements, 1, text::LONG)?;
        if !self.budget.is_valid_positive() {
            return Err(Exclusion::InvalidAmount {
                field: "budget".into(),
                detail: format!("{} is not a positive amount", self.budget),
            });
        }
        Ok(())
    }
}

/// A contractor's public bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bid {
    /// The tender.
    pub tender: Uuid,
    /// Price, at most the tender's budget.
    pub amount: Fen,
    /// How the work will be done.
    pub plan: String,
    /// Promised duration in days.
    pub duration_days: u32,
}

impl Bid {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        check_offer(self.amount, &self.plan, self.duration_days)
    }
}

/// What every bid, open or sealed, must say: a plan, a positive price, 1 to 3,650 days.
pub fn check_offer(amount: Fen, plan: &str, duration_days: u32) -> Result<(), Exclusion> {
    text::check("plan", plan, 1, text::LONG)?;
    if !amount.is_valid_positive() {
        return Err(Exclusion::InvalidAmount {
            field: "amount".into(),
            detail: format!("{amount} is not a positive amount"),
        });
    }
    if duration_days == 0 || duration_days > 3650 {
        return Err(Exclusion::RuleViolation {
            detail: "duration must be 1 to 3650 days".into(),
        });
    }
    Ok(())
}

/// A cadre awards a tender to one bid, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Award {
    /// The tender.
    pub tender: Uuid,
    /// The winning bid.
    pub bid: Uuid,
    /// Why this bid.
    pub reason: String,
}

impl Award {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)
    }
}

impl RecordBody for Tender {
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

impl RecordBody for Bid {
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

impl RecordBody for Award {
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

/// A contractor's sealed bid: only a commitment to the bid ([`BidOpening::commitment`]), made
/// before the tender's deadline. Nobody can read the amount until it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBid {
    /// The tender.
    pub tender: Uuid,
    /// SHA-256 (hex) of the bid as [`BidOpening::commitment`] writes it.
    pub commitment: String,
}

impl SealedBid {
    /// Checks the record on its own: a commitment is 64 lowercase hex digits.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if self.commitment.len() != 64
            || !self
                .commitment
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(Exclusion::Malformed {
                detail: "a sealed bid's commitment is 64 lowercase hex digits".into(),
            });
        }
        Ok(())
    }
}

/// A cadre closes bidding on a sealed tender, at or after its deadline, naming every sealed bid
/// received by then. Only those can be opened and awarded; a sealed bid it does not name is late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidClosing {
    /// The tender.
    pub tender: Uuid,
    /// The sealed bids received by the deadline.
    pub sealed_bids: Vec<Uuid>,
}

impl BidClosing {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check_count("sealed_bids", self.sealed_bids.len(), 200)?;
        if crate::record::shape::has_duplicates(&self.sealed_bids) {
            return Err(Exclusion::RuleViolation {
                detail: "a closing names each sealed bid once".into(),
            });
        }
        Ok(())
    }
}

/// The contractor opens their sealed bid after bidding closed: the bid itself and the nonce that
/// makes the commitment. Residents see every bid once it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidOpening {
    /// The sealed bid opened.
    pub sealed_bid: Uuid,
    /// Price, at most the tender's budget.
    pub amount: Fen,
    /// How the work will be done.
    pub plan: String,
    /// Promised duration in days.
    pub duration_days: u32,
    /// 32 random-looking bytes (hex) that keep the commitment from being guessed.
    pub nonce: String,
}

impl BidOpening {
    /// The commitment a sealed bid states for this bid on `tender`: SHA-256 (hex) of
    /// `linli-bid-v1`, the tender id, the amount in fen, the duration, the nonce and the plan, one
    /// per line.
    pub fn commitment(
        tender: &Uuid,
        amount: Fen,
        plan: &str,
        duration_days: u32,
        nonce: &str,
    ) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "linli-bid-v1\n{tender}\n{}\n{duration_days}\n{nonce}\n{plan}",
            amount.get()
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        check_offer(self.amount, &self.plan, self.duration_days)?;
        if self.nonce.len() != 64 || hex::decode(&self.nonce).is_err() {
            return Err(Exclusion::Malformed {
                detail: "a bid's nonce is 64 hex digits".into(),
            });
        }
        Ok(())
    }
}

impl RecordBody for SealedBid {
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

impl RecordBody for BidClosing {
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

impl RecordBody for BidOpening {
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
