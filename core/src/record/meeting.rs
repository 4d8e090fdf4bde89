//! The council's meeting, opened to residents who cannot be in the hall: its agenda, and the item
//! under discussion, which the hall screen shows with residents' comments as they arrive.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::{RecordBody, has_duplicates};
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most items on one meeting's agenda (a council decides on every shortlisted proposal).
pub const MAX_AGENDA: usize = 100;

/// A cadre opens a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    /// What the meeting is ("council meeting on the 2026 fund").
    pub title: String,
    /// The proposals or projects under decision, in the order discussed.
    pub agenda: Vec<Uuid>,
    /// When it starts.
    pub starts: DateTime<Utc>,
    /// When it ends; comments on the meeting are taken until then.
    pub ends: DateTime<Utc>,
}

impl Meeting {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("title", &self.title, 1, text::SHORT)?;
        if self.agenda.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a meeting has at least one agenda item".into(),
            });
        }
        text::check_count("agenda", self.agenda.len(), MAX_AGENDA)?;
        if has_duplicates(&self.agenda) {
            return Err(Exclusion::RuleViolation {
                detail: "an agenda names each item once".into(),
            });
        }
        if self.ends <= self.starts {
            return Err(Exclusion::RuleViolation {
                detail: "a meeting ends after it starts".into(),
            });
        }
        Ok(())
    }
}

/// The chair moves the meeting to an agenda item (what the hall screen shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingItem {
    /// The meeting.
    pub meeting: Uuid,
    /// The agenda item now under discussion.
    pub item: Uuid,
}

impl RecordBody for Meeting {
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

impl RecordBody for MeetingItem {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        Ok(())
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}
