//! The rules for resolution records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, ProjectState, ResolutionState, Verdict};
use crate::money::Fen;
use crate::record::resolution::*;
use crate::role::Role;
use std::collections::BTreeMap;
use uuid::Uuid;

impl CycleState {
    /// The council funds proposals on the sealed tally. Σ ≤ pool; every deviation from the sealed
    /// selection (an unselected proposal funded, an amount other than the estimate, a selected
    /// proposal left out) needs a reason. A later resolution supersedes an earlier one.
    pub(crate) fn apply_resolution(&mut self, ctx: &Ctx, b: &Resolution) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Council)?;
        let seal = self
            .seal
            .as_ref()
            .filter(|s| s.id == b.seal)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "seal".into(),
                id: b.seal,
            })?;
        let total = Fen::checked_sum(b.funded.iter().map(|f| f.amount)).ok_or_else(|| {
            Exclusion::InvalidAmount {
                field: "funded".into(),
                detail: "sum overflows".into(),
            }
        })?;
        if total > self.pool() {
            return Err(Exclusion::OverBudget {
                amount: total,
                limit: self.pool(),
            });
        }
        let mut deviations = BTreeMap::new();
        for f in &b.funded {
            let p = self.proposal(&f.proposal)?;
            if !p.is_shortlisted() {
                return Err(Exclusion::RuleViolation {
                    detail: format!("proposal {} was not on the ballot", f.proposal),
                });
            }
            let deviates =
                !seal.selected.contains(&f.proposal) || f.amount != p.content.estimated_budget;
            match (&f.deviation_reason, deviates) {
                (Some(r), _) => {
                    deviations.insert(f.proposal, r.clone());
                }
                (None, true) => {
                    return Err(Exclusion::RuleViolation {
                        detail: format!(
                            "funding {} deviates from the sealed result without a reason",
                            f.proposal
                        ),
                    });
                }
                (None, false) => {}
            }
        }
        for o in &b.omitted {
            if !seal.selected.contains(&o.proposal) {
                return Err(Exclusion::RuleViolation {
                    detail: format!("omitted proposal {} was not selected", o.proposal),
                });
            }
            deviations.insert(o.proposal, o.reason.clone());
        }
        for s in &seal.selected {
            if !b.funded.iter().any(|f| f.proposal == *s)
                && !b.omitted.iter().any(|o| o.proposal == *s)
            {
                return Err(Exclusion::RuleViolation {
                    detail: format!(
                        "selected proposal {s} is neither funded nor omitted with a reason"
                    ),
                });
            }
        }
        if let Some(prev) = &self.resolution {
            let prev_id = prev.id;
            self.set_verdict(
                prev_id,
                Verdict::Excluded {
                    reason: Exclusion::Superseded { by: ctx.id },
                },
            );
        }
        let funded: BTreeMap<Uuid, Fen> = b.funded.iter().map(|f| (f.proposal, f.amount)).collect();
        self.dirty.proposals.extend(self.projects.keys().copied());
        self.projects = funded
            .iter()
            .map(|(p, amount)| {
                (
                    *p,
                    ProjectState {
                        funded: *amount,
                        ..Default::default()
                    },
                )
            })
            .collect();
        self.dirty.projects.extend(funded.keys().copied());
        self.dirty.proposals.extend(funded.keys().copied());
        self.resolution = Some(ResolutionState {
            id: ctx.id,
            funded,
            deviations,
            total,
        });
        self.dirty.cycle = true;
        Ok(())
    }

    /// The funded project with this id.
    pub(crate) fn project(&self, id: &Uuid) -> Result<&ProjectState, Exclusion> {
        self.projects
            .get(id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "funded project".into(),
                id: *id,
            })
    }
}

impl CycleState {
    /// Drafts a resolution that funds exactly the sealed selection at the estimated amounts.
    pub fn draft_resolution(&self, note: &str) -> Option<Resolution> {
        let seal = self.seal.as_ref()?;
        Some(Resolution {
            seal: seal.id,
            funded: seal
                .selected
                .iter()
                .map(|p| Funding {
                    proposal: *p,
                    amount: self.proposals[p].content.estimated_budget,
                    deviation_reason: None,
                })
                .collect(),
            omitted: Vec::new(),
            note: note.to_string(),
        })
    }
}
