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
        if let Some(m) = &b.meeting {
            if !self.meetings.contains_key(m) {
                return Err(Exclusion::UnknownReference {
                    what: "meeting".into(),
                    id: *m,
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
            meeting: b.meeting,
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
        self.draft_resolution_with(&[], &[], note)
    }

    /// The resolution the council drafts from the sealed result with its changes: `fund` sets
    /// a proposal's amount (a sealed one, or one the tally did not select), each with its
    /// deviation reason; `omit` leaves a selected proposal unfunded with a reason. Whether the
    /// reasons are there and the sum fits the pool is the rule's business (`apply_resolution`).
    /// `None` before the seal.
    pub fn draft_resolution_with(
        &self,
        fund: &[Funding],
        omit: &[Omission],
        note: &str,
    ) -> Option<Resolution> {
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
            meeting: self.council_meeting(),
        })
        .map(|mut r| {
            for o in omit {
                r.funded.retain(|f| f.proposal != o.proposal);
                r.omitted.push(o.clone());
            }
            for f in fund {
                match r.funded.iter_mut().find(|x| x.proposal == f.proposal) {
                    Some(x) => *x = f.clone(),
                    None => r.funded.push(f.clone()),
                }
            }
            r
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::money::Fen;
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::ballot::Ballot;
    use crate::record::cycle::VotingRules;
    use crate::record::resolution::Resolution;
    use crate::role::Role;

    /// A sealed vote where proposals 0 and 1 are selected, in the resolution phase, with
    /// resident 2 on the council.
    fn sealed() -> (Kit, Vec<uuid::Uuid>) {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        kit.grant(2, &[Role::Council]);
        let p = kit.open_vote(&[100_000, 150_000, 200_000]);
        kit.sign(
            Who::Resident(0),
            Body::Ballot(Ballot::approve(vec![p[0], p[1]])),
        );
        kit.sign(Who::Resident(1), Body::Ballot(Ballot::approve(vec![p[0]])));
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        kit.advance(Phase::Resolution);
        (kit, p)
    }

    fn as_sealed(kit: &Kit) -> Resolution {
        kit.state().draft_resolution("按投票结果").expect("sealed")
    }

    #[test]
    fn the_council_funds_the_sealed_selection() {
        let (mut kit, p) = sealed();
        let r = as_sealed(&kit);
        assert_eq!(r.funded.len(), 2);
        let id = kit.sign(Who::Resident(2), Body::Resolution(r));
        assert_eq!(kit.code(id), "valid");
        let st = kit.state();
        assert!(st.is_funded(&p[0]) && st.is_funded(&p[1]) && !st.is_funded(&p[2]));
    }

    #[test]
    fn a_deviation_needs_a_reason_and_the_pool_caps_the_sum() {
        let (mut kit, p) = sealed();
        let mut silent = as_sealed(&kit);
        silent.funded[0].amount = Fen::yuan(90_000);
        let no_reason = kit.sign(Who::Resident(2), Body::Resolution(silent));
        let mut greedy = as_sealed(&kit);
        greedy.funded[0].amount = Fen::yuan(250_000);
        greedy.funded[0].deviation_reason = Some("追加".into());
        let over = kit.sign(Who::Resident(2), Body::Resolution(greedy));
        let mut unlisted = as_sealed(&kit);
        unlisted.funded.push(crate::record::resolution::Funding {
            proposal: uuid::Uuid::from_u128(5),
            amount: Fen::yuan(1),
            deviation_reason: Some("新增".into()),
        });
        let unknown = kit.sign(Who::Resident(2), Body::Resolution(unlisted));
        assert_eq!(kit.code(no_reason), "rule_violation");
        assert_eq!(kit.code(over), "over_budget");
        assert_ne!(kit.code(unknown), "valid");
        assert!(kit.state().resolution.is_none());
        assert!(!kit.state().is_funded(&p[0]));
    }

    #[test]
    fn only_the_council_resolves_and_only_in_its_phase() {
        let (mut kit, _) = sealed();
        let by_resident = kit.sign(Who::Resident(0), Body::Resolution(as_sealed(&kit)));
        assert_eq!(kit.code(by_resident), "missing_role");
        kit.advance(Phase::Tender);
        let late = kit.sign(Who::Resident(2), Body::Resolution(as_sealed(&kit)));
        assert_eq!(kit.code(late), "wrong_phase");
    }
}
