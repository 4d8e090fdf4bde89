//! Proposals, their revisions, and the cadres' review decisions.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::{self, BlobRef};
use crate::record::shape::RecordBody;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::category::Category;

/// One line of a proposal's budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    /// What the money is for.
    pub item: String,
    /// How much, in fen.
    pub amount: Fen,
}

/// Someone who handed in a paper proposal, entered by a cadre on their behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperSubmitter {
    /// The submitter's name as written on the paper form.
    pub name: String,
    /// The submitter's member id, when they are on the roll.
    pub member: Option<Uuid>,
}

/// The content of a proposal (SSCA fields: situation, steps, costs, assessment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalContent {
    /// Short title.
    pub title: String,
    /// What and why.
    pub description: String,
    /// Category.
    pub category: Category,
    /// Where in the community.
    pub location: String,
    /// Who benefits.
    pub target_group: String,
    /// The need, as assessed.
    pub needs_assessment: String,
    /// Goals.
    pub goals: Vec<String>,
    /// Implementation steps.
    pub steps: Vec<String>,
    /// Risks and how to handle them.
    pub risks: Vec<String>,
    /// Budget lines; they must add up to `estimated_budget`.
    pub budget_lines: Vec<BudgetLine>,
    /// Estimated total cost in fen; positive and at most the pool.
    pub estimated_budget: Fen,
    /// Photos and documents.
    pub attachments: Vec<BlobRef>,
}

impl ProposalContent {
    /// Checks the content on its own, against the cycle's pool.
    pub fn check_shape(&self, pool: Fen) -> Result<(), Exclusion> {
        text::check("title", &self.title, 1, text::SHORT)?;
        text::check("description", &self.description, 1, text::LONG)?;
        text::check("location", &self.location, 0, text::MEDIUM)?;
        text::check("target_group", &self.target_group, 0, text::MEDIUM)?;
        text::check("needs_assessment", &self.needs_assessment, 0, text::LONG)?;
        text::check_list("goals", &self.goals, text::LIST, text::MEDIUM)?;
        text::check_list("steps", &self.steps, text::LIST, text::MEDIUM)?;
        text::check_list("risks", &self.risks, text::LIST, text::MEDIUM)?;
        blob::check_all("attachments", &self.attachments)?;
        if !self.estimated_budget.is_valid_positive() {
            return Err(Exclusion::InvalidAmount {
                field: "estimated_budget".into(),
                detail: format!("{} is not a positive amount", self.estimated_budget),
            });
        }
        if self.estimated_budget > pool {
            return Err(Exclusion::OverBudget {
                amount: self.estimated_budget,
                limit: pool,
            });
        }
        if self.budget_lines.is_empty() {
            return Err(Exclusion::InvalidAmount {
                field: "budget_lines".into(),
                detail: "at least one budget line is needed".into(),
            });
        }
        text::check_count("budget_lines", self.budget_lines.len(), text::LIST)?;
        for line in &self.budget_lines {
            text::check("budget_lines.item", &line.item, 1, text::SHORT)?;
            if !line.amount.is_valid_positive() {
                return Err(Exclusion::InvalidAmount {
                    field: "budget_lines.amount".into(),
                    detail: format!("{} is not a positive amount", line.amount),
                });
            }
        }
        let sum =
            Fen::checked_sum(self.budget_lines.iter().map(|l| l.amount)).ok_or_else(|| {
                Exclusion::InvalidAmount {
                    field: "budget_lines".into(),
                    detail: "sum overflows".into(),
                }
            })?;
        if sum != self.estimated_budget {
            return Err(Exclusion::InvalidAmount {
                field: "budget_lines".into(),
                detail: format!(
                    "lines add up to {sum}, estimate is {}",
                    self.estimated_budget
                ),
            });
        }
        Ok(())
    }
}

/// A new proposal. Signed by a resident, or by a cadre entering a paper proposal (`on_behalf_of`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// The content.
    pub content: ProposalContent,
    /// Set when a cadre enters a paper proposal for someone.
    pub on_behalf_of: Option<PaperSubmitter>,
}

impl Proposal {
    /// Checks the record on its own.
    pub fn check_shape(&self, pool: Fen) -> Result<(), Exclusion> {
        self.content.check_shape(pool)?;
        if let Some(p) = &self.on_behalf_of {
            text::check("on_behalf_of.name", &p.name, 1, text::SHORT)?;
        }
        Ok(())
    }
}

/// A revised version of a proposal, by its author (or the cadre who entered it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalRevision {
    /// The proposal revised.
    pub proposal: Uuid,
    /// The full new content.
    pub content: ProposalContent,
    /// What changed and why.
    pub reason: String,
}

impl ProposalRevision {
    /// Checks the record on its own.
    pub fn check_shape(&self, pool: Fen) -> Result<(), Exclusion> {
        self.content.check_shape(pool)?;
        text::check("reason", &self.reason, 1, text::MEDIUM)
    }
}

/// A cadre's decision on a proposal during sorting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReviewDecision {
    /// Goes on the ballot.
    Shortlist,
    /// Merged into another proposal, which carries it forward.
    MergeInto {
        /// The proposal it is merged into.
        target: Uuid,
    },
    /// Not taken forward.
    Reject,
}

impl ReviewDecision {
    /// Stable snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReviewDecision::Shortlist => "shortlisted",
            ReviewDecision::MergeInto { .. } => "merged",
            ReviewDecision::Reject => "rejected",
        }
    }
}

/// A review decision with its mandatory reason. `supersedes` names the review the cadre saw as
/// current, so that two concurrent decisions are detected and surfaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The proposal reviewed.
    pub proposal: Uuid,
    /// The decision.
    pub decision: ReviewDecision,
    /// Why (mandatory: every proposal gets feedback).
    pub reason: String,
    /// The previous review of this proposal that this one replaces, if any.
    pub supersedes: Option<Uuid>,
}

impl Review {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)?;
        if let ReviewDecision::MergeInto { target } = self.decision {
            if target == self.proposal {
                return Err(Exclusion::RuleViolation {
                    detail: "a proposal cannot be merged into itself".into(),
                });
            }
        }
        Ok(())
    }
}

/// A cadre moves a proposal to another category (the resident's choice did not fit the
/// programme's categories), with the reason the proposer sees. The proposal's content is
/// otherwise unchanged; the category must be one the cycle offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recategorisation {
    /// The proposal.
    pub proposal: Uuid,
    /// Its new category.
    pub category: Category,
    /// Why.
    pub reason: String,
}

impl RecordBody for Recategorisation {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for Proposal {
    fn check_body(&self, pool: Fen) -> Result<(), Exclusion> {
        self.check_shape(pool)
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &self.content.attachments
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for ProposalRevision {
    fn check_body(&self, pool: Fen) -> Result<(), Exclusion> {
        self.check_shape(pool)
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &self.content.attachments
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for Review {
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
