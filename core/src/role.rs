//! The roles a member can hold on the roll: a leaf that records, rules and exclusion reasons all
//! name.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// A role on the roll. A member may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A resident: proposes, votes, monitors, rates.
    Resident,
    /// A community cadre: registers residents, reviews, runs phases, seals.
    Cadre,
    /// A member of the community council (neighbourhood committee): passes the resolution.
    Council,
    /// Leads a roundtable.
    TableLeader,
    /// Records a roundtable.
    Recorder,
    /// Technical adviser at a roundtable.
    TechnicalAdviser,
    /// Member of the supervising committee.
    Supervisor,
    /// A contractor that may bid on tenders.
    Contractor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Role::Resident,
        Role::Cadre,
        Role::Council,
        Role::TableLeader,
        Role::Recorder,
        Role::TechnicalAdviser,
        Role::Supervisor,
        Role::Contractor,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Cadre => "cadre",
            Role::Council => "council",
            Role::TableLeader => "table_leader",
            Role::Recorder => "recorder",
            Role::TechnicalAdviser => "technical_adviser",
            Role::Supervisor => "supervisor",
            Role::Contractor => "contractor",
        }
    }

    /// Name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Resident => lang.pick("居民", "resident"),
            Role::Cadre => lang.pick("社区干部", "cadre"),
            Role::Council => lang.pick("议事会成员", "council member"),
            Role::TableLeader => lang.pick("桌长", "table leader"),
            Role::Recorder => lang.pick("记录员", "recorder"),
            Role::TechnicalAdviser => lang.pick("技术顾问", "technical adviser"),
            Role::Supervisor => lang.pick("监督委员", "supervisor"),
            Role::Contractor => lang.pick("承建方", "contractor"),
        }
    }
}
