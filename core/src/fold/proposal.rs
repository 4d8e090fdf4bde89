//! The rules for proposal records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{Conflict, CycleState, ProposalState, ReviewState};
use crate::record::proposal::*;
use crate::record::shape::RecordBody;
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// The programme's rules: a category the cycle offers, and not an excluded project type.
    pub(crate) fn check_category(&self, category: Category) -> Result<(), Exclusion> {
        let programme = &self
            .genesis
            .as_ref()
            .expect("roll implies genesis")
            .programme;
        match programme.refuse(category) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A resident proposes, or a cadre enters a paper proposal for someone.
    pub(crate) fn apply_proposal(&mut self, ctx: &Ctx, b: &Proposal) -> Result<(), Exclusion> {
        b.check_shape(self.pool())?;
        match &b.on_behalf_of {
            Some(p) => {
                self.require(ctx, Role::Cadre)?;
                if let Some(m) = p.member {
                    self.require_member(&m)?;
                }
            }
            None => self.require(ctx, Role::Resident)?,
        }
        self.check_category(b.content.category)?;
        self.proposals.insert(
            ctx.id,
            ProposalState {
                id: ctx.id,
                signer_member: ctx.member,
                on_behalf_of: b.on_behalf_of.clone(),
                content: b.content.clone(),
                revisions: 0,
                review: None,
                review_history: Vec::new(),
                votes: 0,
                comments: Vec::new(),
                submitted_at: ctx.time,
            },
        );
        self.dirty.proposals.insert(ctx.id);
        self.dirty.proposal_text.insert(ctx.id);
        Ok(())
    }

    /// The author (or the cadre who entered a paper proposal, or any cadre for one) revises it.
    pub(crate) fn apply_revision(
        &mut self,
        ctx: &Ctx,
        b: &ProposalRevision,
    ) -> Result<(), Exclusion> {
        b.check_shape(self.pool())?;
        let p = self.proposal(&b.proposal)?;
        let allowed = p.signer_member == ctx.member
            || (p.on_behalf_of.is_some() && self.has_role(&ctx.member, Role::Cadre));
        if !allowed {
            return Err(Exclusion::NotEligible {
                detail: "only the proposal's author may revise it".into(),
            });
        }
        if b.content.category != p.content.category {
            self.check_category(b.content.category)?;
        }
        let p = self.proposals.get_mut(&b.proposal).expect("checked");
        p.content = b.content.clone();
        p.revisions += 1;
        self.dirty.proposals.insert(b.proposal);
        self.dirty.proposal_text.insert(b.proposal);
        Ok(())
    }

    /// A cadre shortlists, merges or rejects a proposal, with a reason. A decision that does not
    /// name the decision in effect as `supersedes` was made concurrently: the later one in fold
    /// order wins and the conflict is recorded.
    /// A cadre moves a proposal to another category the cycle offers, with a reason.
    pub(crate) fn apply_recategorisation(
        &mut self,
        ctx: &Ctx,
        b: &Recategorisation,
    ) -> Result<(), Exclusion> {
        b.check_body(self.pool())?;
        self.require(ctx, Role::Cadre)?;
        let from = self.proposal(&b.proposal)?.content.category;
        if from == b.category {
            return Err(Exclusion::RuleViolation {
                detail: format!("the proposal is already in category {}", from.as_str()),
            });
        }
        self.check_category(b.category)?;
        let p = self.proposals.get_mut(&b.proposal).expect("checked");
        p.content.category = b.category;
        self.dirty.proposals.insert(b.proposal);
        self.dirty.proposal_text.insert(b.proposal);
        Ok(())
    }

    pub(crate) fn apply_review(&mut self, ctx: &Ctx, b: &Review) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let current = self.proposal(&b.proposal)?.review.as_ref().map(|r| r.id);
        if let ReviewDecision::MergeInto { target } = b.decision {
            self.proposal(&target)?;
        }
        if let Some(prev) = current {
            if b.supersedes == Some(prev) {
                self.set_verdict(
                    prev,
                    crate::fold::state::Verdict::Excluded {
                        reason: Exclusion::Superseded { by: ctx.id },
                    },
                );
            } else {
                self.set_verdict(
                    prev,
                    crate::fold::state::Verdict::Excluded {
                        reason: Exclusion::Conflicting { with: ctx.id },
                    },
                );
                self.conflicts.push(Conflict {
                    subject: b.proposal,
                    kept: ctx.id,
                    lost: prev,
                });
            }
        }
        let p = self.proposals.get_mut(&b.proposal).expect("checked");
        p.review = Some(ReviewState {
            id: ctx.id,
            by: ctx.member,
            decision: b.decision.clone(),
            reason: b.reason.clone(),
        });
        p.review_history.push(ctx.id);
        self.dirty.proposals.insert(b.proposal);
        Ok(())
    }

    /// The proposal with this id, or an unknown-reference error.
    pub(crate) fn proposal(&self, id: &Uuid) -> Result<&ProposalState, Exclusion> {
        self.proposals
            .get(id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "proposal".into(),
                id: *id,
            })
    }
}

impl CycleState {
    /// Drafts a review of `proposal`: it replaces the review in effect, if any, which it names.
    pub fn draft_review(&self, proposal: Uuid, decision: ReviewDecision, reason: &str) -> Review {
        Review {
            proposal,
            decision,
            reason: reason.to_string(),
            supersedes: self
                .proposals
                .get(&proposal)
                .and_then(|p| p.review.as_ref().map(|r| r.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::cycle::{ExcludedType, Programme, VotingRules};
    use crate::record::proposal::{Category, Recategorisation};

    fn chengdu() -> Programme {
        Programme {
            categories: vec![
                Category::ElderlyCare,
                Category::Facilities,
                Category::CapacityBuilding,
                Category::Other,
            ],
            excluded: vec![
                ExcludedType {
                    category: Category::Education,
                    reason: "项目须由社区或小区居民推动".into(),
                },
                ExcludedType {
                    category: Category::HealthCare,
                    reason: "医疗卫生由其他资金支持".into(),
                },
            ],
        }
    }

    #[test]
    fn the_programme_decides_what_may_be_proposed_and_cadres_recategorise() {
        let mut kit = Kit::with_programme(VotingRules::approval(1, 2), 3, chengdu());
        kit.advance(Phase::Proposals);
        let school = kit.propose_in(0, "学校课桌", 10_000, Category::Education);
        assert_eq!(kit.code(school), "excluded_category");
        let st = kit.state();
        let reason = match st.verdicts.get(&school) {
            Some(crate::fold::state::Verdict::Excluded { reason }) => reason.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reason.message(crate::lang::Lang::Zh),
            "本周期不资助“教育”类项目：项目须由社区或小区居民推动"
        );
        assert_eq!(
            reason.message(crate::lang::Lang::En),
            "this cycle does not fund education projects: 项目须由社区或小区居民推动"
        );
        let greening = kit.propose_in(0, "种树", 10_000, Category::Greening);
        assert_eq!(
            kit.code(greening),
            "rule_violation",
            "not offered in this cycle"
        );
        let training = kit.propose_in(1, "志愿者培训", 10_000, Category::Other);
        assert_eq!(kit.code(training), "valid");
        let recat = |kit: &mut Kit, who, category| {
            kit.sign(
                who,
                Body::Recategorisation(Recategorisation {
                    proposal: training,
                    category,
                    reason: "属于社区组织能力建设".into(),
                }),
            )
        };
        let by_resident = recat(&mut kit, Who::Resident(1), Category::CapacityBuilding);
        assert_eq!(kit.code(by_resident), "missing_role");
        let to_excluded = recat(&mut kit, Who::Cadre, Category::HealthCare);
        assert_eq!(kit.code(to_excluded), "excluded_category");
        let ok = recat(&mut kit, Who::Cadre, Category::CapacityBuilding);
        assert_eq!(kit.code(ok), "valid");
        assert_eq!(
            kit.state().proposals[&training].content.category,
            Category::CapacityBuilding
        );
        let same = recat(&mut kit, Who::Cadre, Category::CapacityBuilding);
        assert_eq!(kit.code(same), "rule_violation");
        // A programme that offers an excluded category is refused in the genesis itself.
        let mut bad = chengdu();
        bad.categories.push(Category::Education);
        assert!(bad.check_shape().is_err());
    }
}
