//! The rules for roundtable records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::CycleState;
use crate::record::roundtable::*;
use crate::role::Role;

impl CycleState {
    /// A roundtable's record, signed by its recorder or a cadre; officers must hold their roles.
    /// What the roundtables recommended about a proposal: each table's topic and its note, in
    /// the order the tables were folded. The shortlisting queue shows them beside the proposal
    /// (at Xihu, six tables of ten proposals each recommended three for the vote).
    pub fn recommendations_for(&self, proposal: &uuid::Uuid) -> Vec<(String, String)> {
        self.roundtables
            .values()
            .flat_map(|t| {
                t.recommendations
                    .iter()
                    .filter(|r| r.proposal == *proposal)
                    .map(|r| (t.topic.clone(), r.note.clone()))
            })
            .collect()
    }

    pub(crate) fn apply_roundtable(&mut self, ctx: &Ctx, b: &Roundtable) -> Result<(), Exclusion> {
        b.check_shape()?;
        if ctx.member != b.recorder {
            self.require(ctx, Role::Cadre)?;
        }
        let officers = [
            (Some(b.leader), Role::TableLeader),
            (Some(b.recorder), Role::Recorder),
            (b.adviser, Role::TechnicalAdviser),
        ];
        for (who, role) in officers {
            if let Some(m) = who {
                self.require_member(&m)?;
                if !self.has_role(&m, role) {
                    return Err(Exclusion::NotEligible {
                        detail: format!("member {m} lacks the role {}", role.as_str()),
                    });
                }
            }
        }
        for m in &b.participants {
            self.require_member(m)?;
        }
        for p in &b.discussed {
            self.proposal(p)?;
        }
        self.roundtables.insert(ctx.id, b.clone());
        self.dirty.cycle = true;
        Ok(())
    }
}
