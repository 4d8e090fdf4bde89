//! The phases of a PB cycle: a leaf that records, rules and exclusion reasons all name.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// The phases of a PB cycle, in order. A cycle only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Cycle created, residents registered.
    Outreach,
    /// Residents (and cadres on their behalf) submit proposals.
    Proposals,
    /// Cadres review proposals; roundtables deliberate.
    Deliberation,
    /// Residents vote.
    Voting,
    /// The council passes its resolution on the sealed tally.
    Resolution,
    /// Tenders, bids and awards.
    Tender,
    /// Works under way; residents monitor.
    Implementation,
    /// Completion, ratings and the final payment.
    Evaluation,
    /// The cycle is over.
    Closed,
}

impl Phase {
    /// All phases in order.
    pub const ALL: [Phase; 9] = [
        Phase::Outreach,
        Phase::Proposals,
        Phase::Deliberation,
        Phase::Voting,
        Phase::Resolution,
        Phase::Tender,
        Phase::Implementation,
        Phase::Evaluation,
        Phase::Closed,
    ];

    /// The phase that follows this one (`None` after `closed`). A cycle moves one phase at a time.
    pub fn next(self) -> Option<Phase> {
        Phase::ALL.get(self as usize + 1).copied()
    }

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Outreach => "outreach",
            Phase::Proposals => "proposals",
            Phase::Deliberation => "deliberation",
            Phase::Voting => "voting",
            Phase::Resolution => "resolution",
            Phase::Tender => "tender",
            Phase::Implementation => "implementation",
            Phase::Evaluation => "evaluation",
            Phase::Closed => "closed",
        }
    }

    /// Name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Phase::Outreach => lang.pick("宣传动员", "outreach"),
            Phase::Proposals => lang.pick("征集提案", "proposals"),
            Phase::Deliberation => lang.pick("梳理议事", "sorting & deliberation"),
            Phase::Voting => lang.pick("居民投票", "voting"),
            Phase::Resolution => lang.pick("议定决议", "council resolution"),
            Phase::Tender => lang.pick("公开招标", "tender"),
            Phase::Implementation => lang.pick("项目实施", "implementation"),
            Phase::Evaluation => lang.pick("评议验收", "evaluation"),
            Phase::Closed => lang.pick("已结束", "closed"),
        }
    }
}
