//! Evaluation: the completion report, residents' ratings, the instalment schedule and payments.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::{self, BlobRef};
use crate::record::shape::RecordBody;
use crate::record::shape::has_duplicates;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The awarded contractor reports the project complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionReport {
    /// The project.
    pub project: Uuid,
    /// What was delivered.
    pub text: String,
    /// Photos.
    pub photos: Vec<BlobRef>,
}

impl CompletionReport {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, text::LONG)?;
        blob::check_all("photos", &self.photos)
    }
}

/// A resident rates a completed project, 1 to 5 stars. A later rating by the same member replaces
/// the earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The project.
    pub project: Uuid,
    /// 1 to 5.
    pub stars: u8,
    /// Comment.
    pub comment: String,
}

impl Rating {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if !(1..=5).contains(&self.stars) {
            return Err(Exclusion::RuleViolation {
                detail: format!("a rating is 1 to 5 stars, not {}", self.stars),
            });
        }
        text::check("comment", &self.comment, 0, text::MEDIUM)
    }
}

/// One instalment of a contractor's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    /// Label, e.g. "预付款 / advance".
    pub label: String,
    /// Amount in fen.
    pub amount: Fen,
    /// Whether release needs the satisfaction gate (only the last instalment may).
    pub requires_satisfaction: bool,
}

/// A cadre fixes how an awarded contract is paid. The amounts add up to the winning bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstalmentSchedule {
    /// The award.
    pub award: Uuid,
    /// Instalments in payment order.
    pub instalments: Vec<Instalment>,
}

impl InstalmentSchedule {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if self.instalments.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a schedule has at least one instalment".into(),
            });
        }
        text::check_count("instalments", self.instalments.len(), 12)?;
        let last = self.instalments.len() - 1;
        for (i, inst) in self.instalments.iter().enumerate() {
            text::check("instalments.label", &inst.label, 1, text::SHORT)?;
            if !inst.amount.is_valid_positive() {
                return Err(Exclusion::InvalidAmount {
                    field: "instalments.amount".into(),
                    detail: format!("{} is not a positive amount", inst.amount),
                });
            }
            if inst.requires_satisfaction && i != last {
                return Err(Exclusion::RuleViolation {
                    detail: "only the last instalment may depend on satisfaction".into(),
                });
            }
        }
        Ok(())
    }
}

/// A cadre releases one instalment. A satisfaction-gated instalment names the ratings it counts
/// (like a seal), so every device recomputes the same satisfaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRelease {
    /// The schedule.
    pub schedule: Uuid,
    /// Index of the instalment released (0-based, in order).
    pub instalment: u32,
    /// Rating records counted for the satisfaction gate (empty when not gated), when they fit
    /// in the release itself.
    pub ratings: Vec<Uuid>,
    /// The [`RecordList`](crate::record::list::RecordList)s of ratings counted beyond those, signed
    /// just before the release.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rating_lists: Vec<Uuid>,
    /// Note.
    pub note: String,
}

impl PaymentRelease {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::MEDIUM)?;
        if has_duplicates(&self.ratings) {
            return Err(Exclusion::RuleViolation {
                detail: "a release names each rating once".into(),
            });
        }
        Ok(())
    }
}

impl RecordBody for CompletionReport {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &self.photos
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for Rating {
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

impl RecordBody for InstalmentSchedule {
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

impl RecordBody for PaymentRelease {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        Some(&self.ratings)
    }
}
