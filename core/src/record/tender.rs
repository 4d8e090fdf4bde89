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
        text::check("plan", &self.plan, 1, text::LONG)?;
        if !self.amount.is_valid_positive() {
            return Err(Exclusion::InvalidAmount {
                field: "amount".into(),
                detail: format!("{} is not a positive amount", self.amount),
            });
        }
        if self.duration_days == 0 || self.duration_days > 3650 {
            return Err(Exclusion::RuleViolation {
                detail: "duration must be 1 to 3650 days".into(),
            });
        }
        Ok(())
    }
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
