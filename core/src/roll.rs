//! The roll: who is a member of the cycle, with which device keys and roles, attested by which cadre.

use crate::exclusion::Exclusion;
use crate::identity::DeviceKey;
use crate::lang::Lang;
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

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

/// A cadre registers a member's device on the roll after checking the person face to face. The
/// same member id with a new device key adds a device (a new phone); roles accumulate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollEntry {
    /// The member (UUID v7, made by the registering cadre for a new member).
    pub member: Uuid,
    /// Name shown to other residents (no ID or phone numbers: see the threat model).
    pub display_name: String,
    /// The member's device public key.
    pub device_key: DeviceKey,
    /// Roles granted.
    pub roles: BTreeSet<Role>,
    /// The cadre attests the member is at least 15 (the voting age).
    pub age_15_plus: bool,
    /// How the cadre checked the person, e.g. "当面核验 / checked in person".
    pub attestation: String,
}

impl RollEntry {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("display_name", &self.display_name, 1, text::SHORT)?;
        text::check("attestation", &self.attestation, 1, text::MEDIUM)?;
        if self.roles.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a roll entry grants at least one role".into(),
            });
        }
        Ok(())
    }
}

/// A cadre revokes a device key (a lost phone). Records the key signed up to and including
/// `after_seq` stay valid; later ones are excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The key revoked.
    pub device_key: DeviceKey,
    /// The highest sequence number of that key the revoking cadre had seen.
    pub after_seq: u64,
    /// Why.
    pub reason: String,
}

impl Revocation {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)
    }
}

use crate::body::Body;
use crate::envelope::Record;
use crate::state::{CycleState, KeyState, Member, OrderKey, Verdict};
use std::collections::BTreeMap;

impl CycleState {
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

        let mut cutoffs: BTreeMap<DeviceKey, u64> = BTreeMap::new();
        if !revocations.is_empty() {
            self.roll_fixpoint(&entries, &cutoffs);
            let mut verdicts = Vec::new();
            for (r, v) in &revocations {
                let verdict = self.check_revocation(r, v, &cutoffs);
                if verdict.is_ok() {
                    let c = cutoffs.entry(v.device_key).or_insert(v.after_seq);
                    *c = (*c).min(v.after_seq);
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
        for (key, after) in &cutoffs {
            if let Some(k) = self.keys.get_mut(key) {
                k.revoked_after = Some(*after);
            }
        }
        self.dirty.members.extend(self.members.keys().copied());
    }

    fn roll_fixpoint(
        &mut self,
        entries: &[(&Record, &RollEntry)],
        cutoffs: &BTreeMap<DeviceKey, u64>,
    ) {
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

    /// The signer must be a cadre on the roll whose key is not cut off at this seq.
    fn authorise_cadre(
        &self,
        r: &Record,
        cutoffs: &BTreeMap<DeviceKey, u64>,
    ) -> Result<Uuid, Exclusion> {
        let key = self.keys.get(&r.signer).ok_or(Exclusion::UnknownSigner)?;
        if let Some(after_seq) = cutoffs.get(&r.signer) {
            if r.seq > *after_seq {
                return Err(Exclusion::RevokedKey {
                    after_seq: *after_seq,
                });
            }
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
        if let Some(existing) = self.keys.get(&e.device_key) {
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
        });
        m.display_name = e.display_name.clone();
        m.roles.extend(e.roles.iter().copied());
        m.age_15_plus |= e.age_15_plus;
        if !m.keys.contains(&e.device_key) {
            m.keys.push(e.device_key);
        }
        m.attested_by.insert(attester);
        self.keys.entry(e.device_key).or_insert(KeyState {
            member: e.member,
            entry: r.id,
            revoked_after: None,
        });
        Ok(())
    }

    fn check_revocation(
        &self,
        r: &Record,
        v: &Revocation,
        cutoffs: &BTreeMap<DeviceKey, u64>,
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
