//! The rules for cycle records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, KeyState, Member, Verdict};
use crate::record::Body;
use crate::record::cycle::*;
use crate::record::envelope::Record;
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// Applies a genesis record: only the trusted one founds the cycle.
    pub(crate) fn apply_genesis(&mut self, r: &Record) {
        let Body::Genesis(g) = &r.body else { return };
        if r.id != self.genesis_id || self.genesis.is_some() {
            self.exclude(r.id, Exclusion::UntrustedGenesis);
            return;
        }
        if let Err(e) = g.check_shape() {
            self.exclude(r.id, e);
            return;
        }
        self.genesis = Some((**g).clone());
        self.members.insert(
            g.founder_member,
            Member {
                id: g.founder_member,
                display_name: g.founder_name.clone(),
                roles: [Role::Cadre].into_iter().collect(),
                age_15_plus: true,
                keys: vec![r.signer],
                attested_by: Default::default(),
                age_band: None,
            },
        );
        self.keys.insert(
            r.signer,
            KeyState {
                member: g.founder_member,
                entry: r.id,
                revoked_after: None,
                kept: None,
            },
        );
        self.phases.insert(r.id, Phase::Outreach);
        self.phase = (Phase::Outreach, r.id);
        self.set_verdict(r.id, Verdict::Valid);
        self.dirty.cycle = true;
    }

    /// A cadre moves the cycle forward.
    pub(crate) fn apply_phase_change(
        &mut self,
        ctx: &Ctx,
        b: &PhaseChange,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let prev = *self
            .phases
            .get(&b.prev)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "phase record".into(),
                id: b.prev,
            })?;
        if prev.next() != Some(b.to) {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "phases advance one at a time, in order: {} -> {}",
                    prev.as_str(),
                    b.to.as_str()
                ),
            });
        }
        self.phases.insert(ctx.id, b.to);
        if b.to > self.phase.0 {
            self.phase = (b.to, ctx.id);
        }
        self.dirty.cycle = true;
        Ok(())
    }
}

impl CycleState {
    /// Drafts the phase change a cadre would sign now: it follows the phase record in effect, so
    /// the chain of phases is computed here and nowhere else. Refused when `to` is not the next
    /// phase, and, for the vote, while proposals this device holds have had no review: every
    /// proposal gets feedback before residents vote (the refusal names them). A device that
    /// receives a vote opened elsewhere does not re-judge it, since a proposal may reach it
    /// later than the vote opened; it shows the proposals that never had a review instead.
    pub fn draft_phase_change(&self, to: Phase, note: &str) -> Result<PhaseChange, Exclusion> {
        if self.phase.0.next() != Some(to) {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "phases advance one at a time, in order: {} -> {}",
                    self.phase.0.as_str(),
                    to.as_str()
                ),
            });
        }
        if to == Phase::Voting {
            let waiting = self.awaiting_review();
            if !waiting.is_empty() {
                return Err(Exclusion::AwaitingReview { proposals: waiting });
            }
        }
        Ok(PhaseChange {
            to,
            prev: self.phase.1,
            note: note.to_string(),
        })
    }

    /// Proposals with no review yet, in id order.
    pub fn awaiting_review(&self) -> Vec<Uuid> {
        self.proposals
            .values()
            .filter(|p| p.review.is_none())
            .map(|p| p.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::exclusion::Exclusion;
    use crate::fold::testkit::{Kit, Who};
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::cycle::{PhaseChange, VotingRules};
    use crate::record::proposal::ReviewDecision;

    #[test]
    fn phases_advance_one_at_a_time() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        let st = kit.state();
        assert!(matches!(
            st.draft_phase_change(Phase::Voting, ""),
            Err(Exclusion::RuleViolation { .. })
        ));
        let skip = kit.sign(
            Who::Cadre,
            Body::PhaseChange(PhaseChange {
                to: Phase::Deliberation,
                prev: st.phase.1,
                note: String::new(),
            }),
        );
        assert_eq!(kit.code(skip), "rule_violation");
        assert_eq!(kit.state().phase.0, Phase::Outreach);
        kit.advance(Phase::Proposals);
        assert_eq!(kit.state().phase.0, Phase::Proposals);
    }

    #[test]
    fn the_vote_opens_only_once_every_proposal_has_feedback() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        kit.advance(Phase::Proposals);
        let lights = kit.propose(0, "路灯", 10_000);
        let bench = kit.propose(1, "座椅", 5_000);
        kit.advance(Phase::Deliberation);
        let review = kit
            .state()
            .draft_review(lights, ReviewDecision::Shortlist, "符合");
        kit.sign(Who::Cadre, Body::Review(review));
        match kit.state().draft_phase_change(Phase::Voting, "") {
            Err(Exclusion::AwaitingReview { proposals }) => assert_eq!(proposals, [bench]),
            other => panic!("expected awaiting_review, got {other:?}"),
        }
        let review = kit
            .state()
            .draft_review(bench, ReviewDecision::Reject, "不在资助范围");
        kit.sign(Who::Cadre, Body::Review(review));
        assert!(kit.state().draft_phase_change(Phase::Voting, "").is_ok());
    }
}
