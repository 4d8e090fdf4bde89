//! The rules for roll records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::state::{CycleState, KeyState, Member, OrderKey, Verdict, cut_off};
use crate::identity::DeviceKey;
use crate::record::Body;
use crate::record::envelope::Record;
use crate::record::roll::*;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A key's revocations in effect, combined: the lowest cut-off and the records any of them
/// keeps.
struct Cutoff {
    after_seq: u64,
    kept: Option<BTreeSet<Uuid>>,
}

impl Cutoff {
    fn cuts(&self, r: &Record) -> Option<Exclusion> {
        cut_off(self.after_seq, self.kept.as_ref(), &r.id, r.seq)
    }
}

type Cutoffs = BTreeMap<DeviceKey, Cutoff>;

impl CycleState {
    /// The records kept by the revocations in effect: they win their (signer, seq) slot (see
    /// [`crate::fold::fold`]).
    pub(crate) fn kept_by_revocations(&self) -> BTreeSet<Uuid> {
        self.keys
            .values()
            .filter_map(|k| k.kept.as_ref())
            .flatten()
            .copied()
            .collect()
    }

    /// Folds roll entries and revocations (records sorted by the fold order).
    ///
    /// 1. Pass 1: the least fixpoint of roll entries — an entry counts once its signer is a cadre
    ///    already on the roll, starting from the genesis cadre — repeated until nothing changes.
    /// 2. Revocations, in fold order, judged against the pass-1 roll: the signer must be a cadre
    ///    whose own key is not cut off at that sequence number by an earlier revocation.
    /// 3. Pass 2: the fixpoint again from the genesis alone, now honouring the cut-offs, so entries
    ///    signed by a revoked key after its cut-off do not count.
    pub(crate) fn fold_roll(&mut self, records: &[(OrderKey, &Record)]) {
        let entries: Vec<(&Record, &RollEntry)> = records
            .iter()
            .filter_map(|(_, r)| match &r.body {
                Body::RollEntry(e) => Some((*r, e)),
                _ => None,
            })
            .collect();
        let revocations: Vec<(&Record, &Revocation)> = records
            .iter()
            .filter_map(|(_, r)| match &r.body {
                Body::Revocation(v) => Some((*r, v)),
                _ => None,
            })
            .collect();
        let base_members = self.members.clone();
        let base_keys = self.keys.clone();

        let mut cutoffs: Cutoffs = BTreeMap::new();
        if !revocations.is_empty() {
            self.roll_fixpoint(&entries, &cutoffs);
            let mut verdicts = Vec::new();
            for (r, v) in &revocations {
                let verdict = self.check_revocation(r, v, &cutoffs);
                if verdict.is_ok() {
                    let c = cutoffs.entry(v.device_key).or_insert(Cutoff {
                        after_seq: v.after_seq,
                        kept: None,
                    });
                    c.after_seq = c.after_seq.min(v.after_seq);
                    if !v.kept.is_empty() {
                        c.kept
                            .get_or_insert_with(BTreeSet::new)
                            .extend(v.kept.iter().copied());
                    }
                }
                verdicts.push((r.id, verdict));
            }
            self.members = base_members;
            self.keys = base_keys;
            for (id, v) in verdicts {
                self.set_verdict(
                    id,
                    match v {
                        Ok(()) => Verdict::Valid,
                        Err(reason) => Verdict::Excluded { reason },
                    },
                );
            }
        }
        self.roll_fixpoint(&entries, &cutoffs);
        for (key, cut) in cutoffs {
            if let Some(k) = self.keys.get_mut(&key) {
                k.revoked_after = Some(cut.after_seq);
                k.kept = cut.kept;
            }
        }
        self.dirty.members.extend(self.members.keys().copied());
    }

    fn roll_fixpoint(&mut self, entries: &[(&Record, &RollEntry)], cutoffs: &Cutoffs) {
        let mut pending: Vec<(&Record, &RollEntry)> = Vec::new();
        for (r, e) in entries {
            match e.check_shape() {
                Ok(()) => pending.push((r, e)),
                Err(reason) => self.exclude(r.id, reason),
            }
        }
        loop {
            let mut progressed = false;
            let mut waiting = Vec::new();
            for (r, e) in pending {
                match self.authorise_cadre(r, cutoffs) {
                    Ok(attester) => {
                        progressed = true;
                        let v = match self.add_roll_entry(r, e, attester) {
                            Ok(()) => Verdict::Valid,
                            Err(reason) => Verdict::Excluded { reason },
                        };
                        self.set_verdict(r.id, v);
                    }
                    Err(reason) => waiting.push((r, e, reason)),
                }
            }
            if !progressed || waiting.is_empty() {
                for (r, _, reason) in waiting {
                    self.exclude(r.id, reason);
                }
                break;
            }
            pending = waiting.into_iter().map(|(r, e, _)| (r, e)).collect();
        }
    }

    /// The signer must be a cadre on the roll whose key does not cut this record off.
    fn authorise_cadre(&self, r: &Record, cutoffs: &Cutoffs) -> Result<Uuid, Exclusion> {
        let key = self.keys.get(&r.signer).ok_or(Exclusion::UnknownSigner)?;
        if let Some(out) = cutoffs.get(&r.signer).and_then(|c| c.cuts(r)) {
            return Err(out);
        }
        if !self.has_role(&key.member, Role::Cadre) {
            return Err(Exclusion::MissingRole { role: Role::Cadre });
        }
        Ok(key.member)
    }

    pub(crate) fn add_roll_entry(
        &mut self,
        r: &Record,
        e: &RollEntry,
        attester: Uuid,
    ) -> Result<(), Exclusion> {
        if let Some(existing) = e.device_key.and_then(|k| self.keys.get(&k)) {
            if existing.member != e.member {
                return Err(Exclusion::Conflicting {
                    with: existing.entry,
                });
            }
        }
        let m = self.members.entry(e.member).or_insert_with(|| Member {
            id: e.member,
            display_name: e.display_name.clone(),
            roles: Default::default(),
            age_15_plus: false,
            keys: Vec::new(),
            attested_by: Default::default(),
            age_band: None,
        });
        m.display_name = e.display_name.clone();
        m.roles.extend(e.roles.iter().copied());
        m.age_15_plus |= e.age_15_plus;
        if e.age_band.is_some() {
            m.age_band = e.age_band;
        }
        m.attested_by.insert(attester);
        let Some(key) = e.device_key else {
            return Ok(());
        };
        if !m.keys.contains(&key) {
            m.keys.push(key);
        }
        self.keys.entry(key).or_insert(KeyState {
            member: e.member,
            entry: r.id,
            revoked_after: None,
            kept: None,
        });
        Ok(())
    }

    fn check_revocation(
        &self,
        r: &Record,
        v: &Revocation,
        cutoffs: &Cutoffs,
    ) -> Result<(), Exclusion> {
        v.check_shape()?;
        self.authorise_cadre(r, cutoffs)?;
        if !self.keys.contains_key(&v.device_key) {
            return Err(Exclusion::RuleViolation {
                detail: format!("device key {} is not on the roll", v.device_key.short()),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::record::Body;
    use crate::record::ballot::Ballot;
    use crate::record::cycle::VotingRules;
    use crate::record::roll::{Revocation, RollEntry};
    use crate::role::Role;
    use uuid::Uuid;

    #[test]
    fn only_a_cadre_registers() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        let device_key = kit.key_of(1);
        let forged = kit.sign(
            Who::Resident(0),
            Body::RollEntry(RollEntry {
                member: Uuid::from_u128(999),
                display_name: "冒名".into(),
                device_key: Some(device_key),
                age_band: None,
                roles: [Role::Cadre].into_iter().collect(),
                age_15_plus: true,
                attestation: "无".into(),
            }),
        );
        let st = kit.state();
        assert_eq!(kit.code(forged), "missing_role");
        assert!(!st.members.contains_key(&Uuid::from_u128(999)));
    }

    #[test]
    fn a_revoked_key_signs_nothing_new_and_keeps_what_it_signed_before() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        let p = kit.open_vote(&[10_000, 20_000]);
        let before = kit.sign(Who::Resident(0), Body::Ballot(Ballot::approve(vec![p[0]])));
        let revocation = Revocation {
            device_key: kit.key_of(0),
            after_seq: kit.seq_of(0),
            reason: "手机丢失".into(),
            kept: vec![],
        };
        kit.sign(Who::Cadre, Body::Revocation(revocation));
        let after = kit.sign(Who::Resident(0), Body::Ballot(Ballot::approve(vec![p[1]])));
        assert_eq!(kit.code(before), "valid");
        assert_eq!(kit.code(after), "revoked_key");
        assert_eq!(kit.state().proposals[&p[0]].votes, 1);
    }
}
