//! Implementation and monitoring: progress updates, residents' reports, and responses to them.

use crate::exclusion::Exclusion;
use crate::lang::Lang;
use crate::money::Fen;
use crate::record::blob::{self, BlobRef};
use crate::record::shape::RecordBody;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The contractor (or a cadre) reports progress on a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressUpdate {
    /// The project (funded proposal).
    pub project: Uuid,
    /// What was done.
    pub text: String,
    /// Percent complete, 0-100.
    pub percent: u8,
    /// Photos.
    pub photos: Vec<BlobRef>,
}

impl ProgressUpdate {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, text::LONG)?;
        blob::check_all("photos", &self.photos)?;
        if self.percent > 100 {
            return Err(Exclusion::RuleViolation {
                detail: format!("percent {} is over 100", self.percent),
            });
        }
        Ok(())
    }
}

/// What a resident's monitoring report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Work is progressing (an observation, with photos).
    Progress,
    /// Nothing has been done.
    NotStarted,
    /// Poor quality.
    PoorQuality,
    /// Suspected misuse of funds.
    MisuseOfFunds,
}

impl ReportKind {
    /// Every kind, in the order screens list them.
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Progress,
        ReportKind::NotStarted,
        ReportKind::PoorQuality,
        ReportKind::MisuseOfFunds,
    ];

    /// The kind named by its snake_case name.
    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Progress => "progress",
            ReportKind::NotStarted => "not_started",
            ReportKind::PoorQuality => "poor_quality",
            ReportKind::MisuseOfFunds => "misuse_of_funds",
        }
    }

    /// Name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ReportKind::Progress => lang.pick("进展", "progress"),
            ReportKind::NotStarted => lang.pick("尚未动工", "nothing has been done"),
            ReportKind::PoorQuality => lang.pick("质量问题", "poor quality"),
            ReportKind::MisuseOfFunds => lang.pick("资金使用问题", "misuse of funds"),
        }
    }
}

/// A resident ("I want to monitor") or supervisor reports on a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringReport {
    /// The project.
    pub project: Uuid,
    /// What kind of report.
    pub kind: ReportKind,
    /// What the resident saw.
    pub text: String,
    /// Photos.
    pub photos: Vec<BlobRef>,
}

impl MonitoringReport {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, text::LONG)?;
        blob::check_all("photos", &self.photos)
    }
}

/// A cadre, supervisor or the contractor answers a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportResponse {
    /// The report answered.
    pub report: Uuid,
    /// The answer.
    pub text: String,
}

impl ReportResponse {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, text::LONG)
    }
}

impl RecordBody for ProgressUpdate {
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

impl RecordBody for MonitoringReport {
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

impl RecordBody for ReportResponse {
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
