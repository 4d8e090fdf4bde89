//! Comments on a proposal, a project under way or a council meeting, and a cadre's hiding of one.
//!
//! A comment is one paragraph, signed by its author's device or entered by a cadre for someone
//! who wrote on paper (or spoke in the hall). Nothing disappears: a hidden comment stays listed as
//! hidden, with the cadre's reason, on every device.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::proposal::PaperSubmitter;
use crate::record::shape::RecordBody;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest comment, in characters: one paragraph.
pub const MAX_COMMENT: usize = 500;

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// What it is about: a proposal (or the project it became) or a meeting record.
    pub on: Uuid,
    /// The comment it answers, about the same subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Uuid>,
    /// The text, one paragraph.
    pub text: String,
    /// Set when a cadre entered the comment for someone else (a paper slip, a resident speaking
    /// in the hall): who wrote it. The cadre signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<PaperSubmitter>,
    /// Typed at the meeting's desk in the hall (shown as "in the hall"); otherwise the comment
    /// came from home.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_hall: bool,
}

impl Comment {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, MAX_COMMENT)?;
        if let Some(p) = &self.on_behalf_of {
            text::check("on_behalf_of.name", &p.name, 1, text::SHORT)?;
        }
        if self.reply_to == Some(self.on) {
            return Err(Exclusion::RuleViolation {
                detail: "a comment answers another comment, not its own subject".into(),
            });
        }
        Ok(())
    }
}

/// A cadre hides a comment (abuse, personal data), with the reason shown in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentHiding {
    /// The comment hidden.
    pub comment: Uuid,
    /// Why, shown to everyone where the comment was.
    pub reason: String,
}

impl CommentHiding {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)
    }
}

impl RecordBody for Comment {
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

impl RecordBody for CommentHiding {
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
