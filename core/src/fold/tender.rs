//! The rules for tender records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{BidState, CycleState, TenderState};
use crate::record::tender::*;
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// A cadre opens a tender for a funded project; the budget is at most the funded amount.
    pub(crate) fn apply_tender(&mut self, ctx: &Ctx, b: &Tender) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let funded = self.project(&b.project)?.funded;
        if b.budget > funded {
            return Err(Exclusion::OverBudget {
                amount: b.budget,
                limit: funded,
            });
        }
        self.tenders.insert(
            ctx.id,
            TenderState {
                project: b.project,
                budget: b.budget,
                deadline: b.deadline,
                bids: Default::default(),
                award: None,
            },
        );
        self.dirty.projects.insert(b.project);
        Ok(())
    }

    /// A contractor bids, before the deadline (by the bid's claimed time), within the budget.
    pub(crate) fn apply_bid(&mut self, ctx: &Ctx, b: &Bid) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Contractor)?;
        let t = self.tender(&b.tender)?;
        if b.amount > t.budget {
            return Err(Exclusion::OverBudget {
                amount: b.amount,
                limit: t.budget,
            });
        }
        if ctx.time > t.deadline {
            return Err(Exclusion::RuleViolation {
                detail: format!("bid made after the tender deadline {}", t.deadline),
            });
        }
        let project = t.project;
        self.tenders
            .get_mut(&b.tender)
            .expect("checked")
            .bids
            .insert(ctx.id);
        self.bids.insert(
            ctx.id,
            BidState {
                tender: b.tender,
                contractor: ctx.member,
                amount: b.amount,
            },
        );
        self.dirty.projects.insert(project);
        Ok(())
    }

    /// A cadre awards a tender to one of its bids, once bidding has closed: the award's time
    /// (its signer's clock, as for every record, made monotonic per signer by the fold) must be
    /// at or after the tender's deadline, the same clock rule that closes bidding. An early
    /// award would take a bid before others could be made. The first award in fold order stands.
    pub(crate) fn apply_award(&mut self, ctx: &Ctx, b: &Award) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let t = self.tender(&b.tender)?;
        if let Some(first) = t.award {
            return Err(Exclusion::Conflicting { with: first });
        }
        if ctx.time < t.deadline {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "bids are open until {}: a tender is awarded after its deadline",
                    t.deadline.to_rfc3339()
                ),
            });
        }
        let project = t.project;
        let bid = self
            .bids
            .get(&b.bid)
            .filter(|bid| bid.tender == b.tender)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "bid on this tender".into(),
                id: b.bid,
            })?
            .clone();
        if self.projects[&project].award.is_some() {
            return Err(Exclusion::RuleViolation {
                detail: "the project already has an awarded contract".into(),
            });
        }
        self.tenders.get_mut(&b.tender).expect("checked").award = Some(ctx.id);
        let p = self
            .projects
            .get_mut(&project)
            .expect("tender implies project");
        p.award = Some(ctx.id);
        p.contractor = Some(bid.contractor);
        p.contract_amount = Some(bid.amount);
        self.dirty.projects.insert(project);
        Ok(())
    }

    fn tender(&self, id: &Uuid) -> Result<&TenderState, Exclusion> {
        self.tenders
            .get(id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "tender".into(),
                id: *id,
            })
    }

    /// The project whose award is `award`.
    pub(crate) fn project_of_award(&self, award: &Uuid) -> Result<Uuid, Exclusion> {
        self.projects
            .iter()
            .find(|(_, p)| p.award.as_ref() == Some(award))
            .map(|(id, _)| *id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "award".into(),
                id: *award,
            })
    }

    /// Fails unless the acting member is the project's awarded contractor.
    pub(crate) fn require_contractor(&self, ctx: &Ctx, project: &Uuid) -> Result<(), Exclusion> {
        if self.project(project)?.contractor == Some(ctx.member) {
            Ok(())
        } else {
            Err(Exclusion::NotEligible {
                detail: "only the awarded contractor may do this".into(),
            })
        }
    }
}
