//! The council resolution: which proposals are funded with how much, checked against the seal.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::RecordBody;
use crate::record::shape::has_duplicates;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One funded proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    /// The proposal funded.
    pub proposal: Uuid,
    /// The amount granted, in fen.
    pub amount: Fen,
    /// Required when this differs from the sealed result (not selected by the tally, or an amount
    /// other than the estimate).
    pub deviation_reason: Option<String>,
}

/// A proposal the tally selected that the council does not fund, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Omission {
    /// The proposal.
    pub proposal: Uuid,
    /// Why it is not funded.
    pub reason: String,
}

/// The council's resolution on a sealed tally. A later resolution supersedes an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// The seal it rests on.
    pub seal: Uuid,
    /// Funded proposals; the sum must not exceed the pool.
    pub funded: Vec<Funding>,
    /// Selected proposals left unfunded, each with a reason.
    pub omitted: Vec<Omission>,
    /// Minutes or note.
    pub note: String,
    /// The council meeting it was passed at: the residents' comments on that meeting stay
    /// attached to the resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Uuid>,
}

impl Resolution {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::LONG)?;
        text::check_count("funded", self.funded.len(), 500)?;
        let ids: Vec<Uuid> = self
            .funded
            .iter()
            .map(|f| f.proposal)
            .chain(self.omitted.iter().map(|o| o.proposal))
            .collect();
        if has_duplicates(&ids) {
            return Err(Exclusion::RuleViolation {
                detail: "each proposal appears once in a resolution".into(),
            });
        }
        for f in &self.funded {
            if !f.amount.is_valid_positive() {
                return Err(Exclusion::InvalidAmount {
                    field: "funded.amount".into(),
                    detail: format!("{} is not a positive amount", f.amount),
                });
            }
            if let Some(r) = &f.deviation_reason {
                text::check("deviation_reason", r, 1, text::MEDIUM)?;
            }
        }
        for o in &self.omitted {
            text::check("omitted.reason", &o.reason, 1, text::MEDIUM)?;
        }
        Ok(())
    }
}

impl RecordBody for Resolution {
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
