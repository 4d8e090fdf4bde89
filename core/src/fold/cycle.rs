//! The rules for cycle records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, KeyState, Member, Verdict};
use crate::record::Body;
use crate::record::cycle::*;
use crate::record::envelope::Record;
use crate::role::Role;

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
            },
        );
        self.keys.insert(
            r.signer,
            KeyState {
                member: g.founder_member,
                entry: r.id,
                revoked_after: None,
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
        if b.to <= prev {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "phase must move forward: {} -> {}",
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
    /// the chain of phases is computed here and nowhere else.
    pub fn draft_phase_change(&self, to: Phase, note: &str) -> PhaseChange {
        PhaseChange {
            to,
            prev: self.phase.1,
            note: note.to_string(),
        }
    }
}
