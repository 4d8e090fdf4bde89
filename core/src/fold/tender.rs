//! The rules for tender records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{BidState, CycleState, SealedBidState, TenderState};
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
                sealed: b.sealed_bids,
                closing: None,
                closed_bids: Default::default(),
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
        if t.sealed {
            return Err(Exclusion::RuleViolation {
                detail: "this tender takes sealed bids, opened after bidding closes".into(),
            });
        }
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

    /// A contractor commits to a bid on a sealed tender before its deadline (by the bid's time)
    /// and before bidding is closed.
    pub(crate) fn apply_sealed_bid(&mut self, ctx: &Ctx, b: &SealedBid) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Contractor)?;
        let t = self.tender(&b.tender)?;
        if !t.sealed {
            return Err(Exclusion::RuleViolation {
                detail: "this tender takes open bids".into(),
            });
        }
        if ctx.time > t.deadline {
            return Err(Exclusion::RuleViolation {
                detail: format!("bid made after the tender deadline {}", t.deadline),
            });
        }
        let project = t.project;
        self.sealed_bids.insert(
            ctx.id,
            SealedBidState {
                tender: b.tender,
                contractor: ctx.member,
                commitment: b.commitment.clone(),
                opening: None,
            },
        );
        self.dirty.projects.insert(project);
        Ok(())
    }

    /// A cadre closes bidding on a sealed tender at or after its deadline, naming the sealed
    /// bids received. The first closing in fold order stands.
    pub(crate) fn apply_bid_closing(&mut self, ctx: &Ctx, b: &BidClosing) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let t = self.tender(&b.tender)?;
        if !t.sealed {
            return Err(Exclusion::RuleViolation {
                detail: "only a sealed tender is closed".into(),
            });
        }
        if let Some((first, _)) = t.closing {
            return Err(Exclusion::Conflicting { with: first });
        }
        if ctx.time < t.deadline {
            return Err(Exclusion::RuleViolation {
                detail: format!("bidding closes at the deadline {}", t.deadline.to_rfc3339()),
            });
        }
        for id in &b.sealed_bids {
            if self
                .sealed_bids
                .get(id)
                .is_none_or(|s| s.tender != b.tender)
            {
                return Err(Exclusion::UnknownReference {
                    what: "sealed bid on this tender".into(),
                    id: *id,
                });
            }
        }
        let project = t.project;
        let t = self.tenders.get_mut(&b.tender).expect("checked");
        t.closing = Some((ctx.id, ctx.time));
        t.closed_bids = b.sealed_bids.iter().copied().collect();
        self.dirty.projects.insert(project);
        Ok(())
    }

    /// The contractor opens a sealed bid the closing named; the opening must match the
    /// commitment. The opened bid can then be awarded, and everyone sees it.
    pub(crate) fn apply_bid_opening(&mut self, ctx: &Ctx, b: &BidOpening) -> Result<(), Exclusion> {
        b.check_shape()?;
        let sealed = self
            .sealed_bids
            .get(&b.sealed_bid)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "sealed bid".into(),
                id: b.sealed_bid,
            })?
            .clone();
        if sealed.contractor != ctx.member {
            return Err(Exclusion::NotEligible {
                detail: "only the bidder opens their bid".into(),
            });
        }
        if let Some(first) = sealed.opening {
            return Err(Exclusion::Conflicting { with: first });
        }
        let t = self.tender(&sealed.tender)?;
        // Closings are folded before openings whatever their times, so the opening's own time
        // says whether it came after the closing.
        if t.closing.is_none_or(|(_, closed)| ctx.time < closed) {
            return Err(Exclusion::RuleViolation {
                detail: "bids are opened after bidding closes".into(),
            });
        }
        if !t.closed_bids.contains(&b.sealed_bid) {
            return Err(Exclusion::RuleViolation {
                detail: "the bid was not received by the deadline, so it is not opened".into(),
            });
        }
        let expected =
            BidOpening::commitment(&sealed.tender, b.amount, &b.plan, b.duration_days, &b.nonce);
        if expected != sealed.commitment {
            return Err(Exclusion::RuleViolation {
                detail: "the opened bid does not match its sealed commitment".into(),
            });
        }
        if b.amount > t.budget {
            return Err(Exclusion::OverBudget {
                amount: b.amount,
                limit: t.budget,
            });
        }
        let project = t.project;
        self.sealed_bids
            .get_mut(&b.sealed_bid)
            .expect("checked")
            .opening = Some(ctx.id);
        self.tenders
            .get_mut(&sealed.tender)
            .expect("checked")
            .bids
            .insert(ctx.id);
        self.bids.insert(
            ctx.id,
            BidState {
                tender: sealed.tender,
                contractor: ctx.member,
                amount: b.amount,
            },
        );
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

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::money::Fen;
    use crate::record::Body;
    use crate::record::tender::{Award, Bid, BidClosing, BidOpening, SealedBid, Tender};
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    const BUILDER: usize = 2;

    fn tender(kit: &mut Kit, p: Uuid, sealed_bids: bool) -> (Uuid, chrono::DateTime<Utc>) {
        let deadline = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
        let t = kit.sign(
            Who::Cadre,
            Body::Tender(Tender {
                project: p,
                budget: Fen::yuan(100_000),
                deadline,
                requirements: "按图施工".into(),
                sealed_bids,
            }),
        );
        (t, deadline)
    }

    fn opening(sealed_bid: Uuid, yuan: i64) -> BidOpening {
        BidOpening {
            sealed_bid,
            amount: Fen::yuan(yuan),
            plan: "两周完工".into(),
            duration_days: 14,
            nonce: "cd".repeat(32),
        }
    }

    fn commit(kit: &mut Kit, t: Uuid, yuan: i64) -> Uuid {
        let c = BidOpening::commitment(&t, Fen::yuan(yuan), "两周完工", 14, &"cd".repeat(32));
        kit.sign(
            Who::Resident(BUILDER),
            Body::SealedBid(SealedBid {
                tender: t,
                commitment: c,
            }),
        )
    }

    #[test]
    fn an_open_tender_is_awarded_only_after_its_deadline() {
        let (mut kit, p) = Kit::funded_in_tender(BUILDER);
        let (t, deadline) = tender(&mut kit, p, false);
        let bid = kit.sign(
            Who::Resident(BUILDER),
            Body::Bid(Bid {
                tender: t,
                amount: Fen::yuan(90_000),
                plan: "两周完工".into(),
                duration_days: 14,
            }),
        );
        let award = Award {
            tender: t,
            bid,
            reason: "唯一投标".into(),
        };
        let early = kit.sign(Who::Cadre, Body::Award(award.clone()));
        assert_eq!(kit.code(early), "rule_violation", "bids are still open");
        kit.skip_to(deadline);
        let late = kit.sign(Who::Cadre, Body::Award(award));
        assert_eq!(kit.code(late), "valid");
    }

    #[test]
    fn a_sealed_bid_reveals_nothing_until_it_is_opened_after_the_closing() {
        let (mut kit, p) = Kit::funded_in_tender(BUILDER);
        let (t, deadline) = tender(&mut kit, p, true);
        let open_bid = kit.sign(
            Who::Resident(BUILDER),
            Body::Bid(Bid {
                tender: t,
                amount: Fen::yuan(90_000),
                plan: "两周完工".into(),
                duration_days: 14,
            }),
        );
        assert_eq!(
            kit.code(open_bid),
            "rule_violation",
            "a sealed tender takes no open bid"
        );
        let sealed = commit(&mut kit, t, 90_000);
        let signed = &kit.records.last().unwrap().signed;
        let text = String::from_utf8_lossy(signed);
        assert!(
            !text.contains("9000000") && !text.contains("两周"),
            "{text}"
        );
        let too_soon = kit.sign(
            Who::Resident(BUILDER),
            Body::BidOpening(opening(sealed, 90_000)),
        );
        assert_eq!(
            kit.code(too_soon),
            "rule_violation",
            "not before bidding closes"
        );
        let early_close = kit.sign(
            Who::Cadre,
            Body::BidClosing(BidClosing {
                tender: t,
                sealed_bids: vec![sealed],
            }),
        );
        assert_eq!(
            kit.code(early_close),
            "rule_violation",
            "not before the deadline"
        );
        kit.skip_to(deadline);
        let late = commit(&mut kit, t, 80_000);
        assert_eq!(
            kit.code(late),
            "rule_violation",
            "a sealed bid after the deadline"
        );
        let closing = kit.sign(
            Who::Cadre,
            Body::BidClosing(BidClosing {
                tender: t,
                sealed_bids: vec![sealed],
            }),
        );
        assert_eq!(kit.code(closing), "valid");
        let forged = kit.sign(
            Who::Resident(BUILDER),
            Body::BidOpening(opening(sealed, 85_000)),
        );
        assert_eq!(
            kit.code(forged),
            "rule_violation",
            "the opening must match the commitment"
        );
        let opened = kit.sign(
            Who::Resident(BUILDER),
            Body::BidOpening(opening(sealed, 90_000)),
        );
        assert_eq!(kit.code(opened), "valid");
        let unopened = Award {
            tender: t,
            bid: sealed,
            reason: "未开标".into(),
        };
        let award_sealed = kit.sign(Who::Cadre, Body::Award(unopened));
        assert_eq!(
            kit.code(award_sealed),
            "unknown_reference",
            "only an opened bid is awarded"
        );
        let award = kit.sign(
            Who::Cadre,
            Body::Award(Award {
                tender: t,
                bid: opened,
                reason: "唯一投标".into(),
            }),
        );
        assert_eq!(kit.code(award), "valid");
        let st = kit.state();
        assert_eq!(st.projects[&p].contract_amount, Some(Fen::yuan(90_000)));
        assert_eq!(st.sealed_bids[&sealed].opening, Some(opened));
    }
}
