//! Roundtable sessions: about ten residents deliberate on up to ten proposals and recommend up to
//! three.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::RecordBody;
use crate::record::shape::has_duplicates;
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most proposals one roundtable discusses.
pub const MAX_DISCUSSED: usize = 10;
/// Most recommendations one roundtable makes.
pub const MAX_RECOMMENDATIONS: usize = 3;
/// Most participants recorded at one table (about ten residents plus the table's officers).
pub const MAX_PARTICIPANTS: usize = 20;

/// A recommendation from a roundtable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The proposal recommended; must be among those discussed.
    pub proposal: Uuid,
    /// Why.
    pub note: String,
}

/// One roundtable session, signed by its recorder or a cadre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roundtable {
    /// Topic of the table.
    pub topic: String,
    /// When it met (as claimed by the recorder).
    pub held_at: DateTime<Utc>,
    /// The table leader (role `table_leader`).
    pub leader: Uuid,
    /// The recorder (role `recorder`).
    pub recorder: Uuid,
    /// The technical adviser (role `technical_adviser`), if one attended.
    pub adviser: Option<Uuid>,
    /// Residents who took part (members on the roll).
    pub participants: Vec<Uuid>,
    /// Proposals discussed (1 to 10).
    pub discussed: Vec<Uuid>,
    /// The minutes.
    pub notes: String,
    /// Up to three recommendations.
    pub recommendations: Vec<Recommendation>,
}

impl Roundtable {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("topic", &self.topic, 1, text::SHORT)?;
        text::check("notes", &self.notes, 0, text::NOTES)?;
        if self.discussed.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a roundtable discusses at least one proposal".into(),
            });
        }
        text::check_count("discussed", self.discussed.len(), MAX_DISCUSSED)?;
        text::check_count(
            "recommendations",
            self.recommendations.len(),
            MAX_RECOMMENDATIONS,
        )?;
        text::check_count("participants", self.participants.len(), MAX_PARTICIPANTS)?;
        if has_duplicates(&self.discussed) || has_duplicates(&self.participants) {
            return Err(Exclusion::RuleViolation {
                detail: "duplicate proposal or participant".into(),
            });
        }
        for r in &self.recommendations {
            text::check("recommendations.note", &r.note, 0, text::MEDIUM)?;
            if !self.discussed.contains(&r.proposal) {
                return Err(Exclusion::RuleViolation {
                    detail: format!("recommended proposal {} was not discussed", r.proposal),
                });
            }
        }
        Ok(())
    }
}

impl RecordBody for Roundtable {
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
