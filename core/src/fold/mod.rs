//! The deterministic fold: state = apply the valid records in a documented total order.
//!
//! Order (docs/data-model.md §Fold):
//! 1. Undecodable records, bad signatures and records of another cycle are excluded.
//! 2. Equivocation: two different records with the same (signer, seq) — a record kept by a
//!    revocation in effect wins, then one named by a closing record, then the lower id; the
//!    others are `conflicting`.
//! 3. Each record gets an *effective time*: the maximum claimed time over its signer's records with
//!    a sequence number up to its own, so one signer's records are always in sequence order.
//! 4. Records are sorted by (kind rank, effective time, signer key, seq, id). Kind ranks follow the
//!    PB pipeline (genesis, roll, revocation, phase change, proposal, ..., payment release), so a
//!    record is applied after every kind it may depend on.
//! 5. The genesis named by the device's trust root is applied; other geneses are untrusted.
//! 6. The roll is the least fixpoint of roll entries reachable from the genesis cadre (see
//!    [`crate::record::roll`]), with revocations applied: a revoked key's records count only if a
//!    revocation keeps them (or, for a revocation that keeps none, up to its sequence number).
//! 7. Every other record is checked (signer on the roll, key not revoked at that seq, phase allowed)
//!    and applied by its concept module, or excluded with the reason.

mod ballot;
mod comment;
mod ctx;
mod cycle;
pub mod evaluation;
pub mod funnel;
mod list;
mod meeting;
mod monitoring;
mod proposal;
mod resolution;
mod roll;
mod roundtable;
pub mod state;
mod tender;
#[cfg(test)]
mod testkit;
pub mod verify;

pub use ctx::Ctx;
pub use state::CycleState;

use crate::exclusion::Exclusion;
use crate::fold::state::{Conflict, OrderKey, Verdict};
use crate::identity::DeviceKey;
use crate::record::envelope::{Record, SignedRecord};
use crate::record::{Body, Kind};
use crate::role::Role;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// A record after arrival checks: decoded and signature-verified, or the reason it is not.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The record id.
    pub id: Uuid,
    /// The decoded record, or why it could not be used.
    pub record: Result<Arc<Record>, Exclusion>,
    /// The record's kind, whenever its bytes decode (even with a bad signature).
    pub kind: Option<Kind>,
}

impl Checked {
    /// Combines a record with its signature verdict. Precedence (one rule everywhere): an
    /// undecodable record is `malformed` (or `too_large`, `unsupported_schema`) before its
    /// signature is considered; a decodable one with a bad signature is `bad_signature`.
    pub fn from_record(r: &SignedRecord, signature_ok: bool) -> Checked {
        let decoded = r.decode();
        let kind = decoded.as_ref().ok().map(Record::kind);
        let record = match decoded {
            Ok(d) if signature_ok => Ok(Arc::new(d)),
            Ok(_) => Err(Exclusion::BadSignature),
            Err(e) => Err(e),
        };
        Checked {
            id: r.id,
            record,
            kind,
        }
    }

    /// Verifies the signature (one by one) and decodes.
    pub fn verify(r: &SignedRecord) -> Checked {
        let ok = r.verify().is_ok();
        Checked::from_record(r, ok)
    }
}

/// Folds a set of records into the state of `cycle`, trusting the genesis `genesis_id`.
/// The result depends only on the set, never on the order of `inputs`.
///
/// A revocation in effect that keeps a record makes it win its (signer, seq) slot. Which
/// revocations are in effect is known only once the roll is folded, so when a kept record lost
/// its slot the set is folded once more with the kept records preferred (a second pass costs
/// nothing in a cycle without such a conflict).
pub fn fold(cycle: Uuid, genesis_id: Uuid, inputs: &[Checked]) -> CycleState {
    let st = fold_preferring(cycle, genesis_id, inputs, &Default::default());
    let kept = st.kept_by_revocations();
    if st
        .conflicts
        .iter()
        .any(|c| kept.contains(&c.lost) && !kept.contains(&c.kept))
    {
        return fold_preferring(cycle, genesis_id, inputs, &kept);
    }
    st
}

fn fold_preferring(
    cycle: Uuid,
    genesis_id: Uuid,
    inputs: &[Checked],
    preferred: &std::collections::BTreeSet<Uuid>,
) -> CycleState {
    let mut st = CycleState::new(cycle, genesis_id);
    // Dedupe by id (the same bytes delivered twice) and split off unusable records.
    let mut usable: BTreeMap<Uuid, &Arc<Record>> = BTreeMap::new();
    for c in inputs {
        match &c.record {
            Err(e) => {
                if !usable.contains_key(&c.id) {
                    st.exclude(c.id, e.clone());
                    if let Some(kind) = c.kind {
                        st.kinds.insert(c.id, kind);
                    }
                }
            }
            Ok(r) => {
                st.kinds.insert(r.id, r.kind());
                if r.cycle != cycle {
                    st.exclude(
                        r.id,
                        Exclusion::WrongCycle {
                            expected: cycle,
                            found: r.cycle,
                        },
                    );
                } else {
                    st.clear_verdict(&r.id);
                    usable.insert(r.id, r);
                }
            }
        }
    }
    // Equivocation: one (signer, seq) slot, several records (a phone restored from a backup, or
    // a cheat). A record kept by a revocation wins (see above); then a record named by a closing
    // record (a seal's ballots, a release's ratings), so that one voter cannot invalidate a seal;
    // otherwise the lowest id wins.
    let named: std::collections::BTreeSet<Uuid> = usable
        .values()
        .flat_map(|r| r.body.named_records().unwrap_or_default())
        .copied()
        .collect();
    let mut slots: BTreeMap<(DeviceKey, u64), Vec<&Record>> = BTreeMap::new();
    for r in usable.values() {
        slots.entry((r.signer, r.seq)).or_default().push(r);
    }
    let mut records: Vec<&Record> = Vec::with_capacity(usable.len());
    for (_, mut group) in slots {
        group.sort_by_key(|r| (!preferred.contains(&r.id), !named.contains(&r.id), r.id));
        let kept = group[0].id;
        for r in &group[1..] {
            st.exclude(r.id, Exclusion::Conflicting { with: kept });
            st.conflicts.push(Conflict {
                subject: Uuid::from_bytes(r.signer.0[..16].try_into().expect("16 bytes")),
                kept,
                lost: r.id,
            });
        }
        records.push(group[0]);
    }
    // Effective times: running maximum of claimed time in sequence order, per signer.
    records.sort_by_key(|r| (r.signer, r.seq));
    let mut keyed: Vec<(OrderKey, &Record)> = Vec::with_capacity(records.len());
    let mut prev: Option<(DeviceKey, DateTime<Utc>)> = None;
    for r in records {
        let eff = match prev {
            Some((k, t)) if k == r.signer && t > r.time => t,
            _ => r.time,
        };
        prev = Some((r.signer, eff));
        st.heads.insert(r.signer, (r.seq, eff));
        keyed.push(((r.kind().rank(), eff, r.signer, r.seq, r.id), r));
    }
    keyed.sort_by_key(|(k, _)| *k);

    let first_rest = keyed
        .iter()
        .position(|(k, _)| k.0 >= Kind::PhaseChange.rank())
        .unwrap_or(keyed.len());
    let (roll_part, rest) = keyed.split_at(first_rest);
    for (_, r) in roll_part
        .iter()
        .filter(|(k, _)| k.0 == Kind::Genesis.rank())
    {
        st.apply_genesis(r);
    }
    st.fold_roll(roll_part);
    for (key, r) in rest {
        let verdict = match st.apply_record(r, key) {
            Ok(()) => Verdict::Valid,
            Err(reason) => Verdict::Excluded { reason },
        };
        st.set_verdict(r.id, verdict);
    }
    let last_of = |commentary: bool| {
        keyed
            .iter()
            .rev()
            .find(|(_, r)| r.kind().is_commentary() == commentary)
            .map(|(k, _)| *k)
    };
    st.last_key = last_of(false);
    st.last_commentary_key = last_of(true);
    st.dirty = crate::fold::state::Dirty {
        all: true,
        ..Default::default()
    };
    st
}

impl CycleState {
    /// Applies one new record in place when it sorts after everything already folded (the common
    /// case: a new ballot, report or rating). Returns `None` when a full fold is needed instead.
    pub fn apply_new(&mut self, r: &Record) -> Option<Result<(), Exclusion>> {
        if r.cycle != self.cycle {
            return None;
        }
        if let Body::RollEntry(e) = &r.body {
            return self.apply_new_member(r, e);
        }
        if r.kind().rank() < Kind::PhaseChange.rank() {
            return None;
        }
        // Closing records can decide equivocations among the records they name (see `fold`):
        // they are rare, so they always take the full fold.
        if r.body.named_records().is_some() {
            return None;
        }
        if self.verdicts.contains_key(&r.id) {
            return None;
        }
        let eff = self.next_effective_time(r)?;
        let key: OrderKey = (r.kind().rank(), eff, r.signer, r.seq, r.id);
        // Commentary and the other records are two groups, each applied in its own order: no
        // rule of one reads the other, except a comment waiting for a record it names.
        let commentary = r.kind().is_commentary();
        let last = if commentary {
            self.last_commentary_key
        } else {
            self.last_key
        };
        if !commentary && self.commentary_waiting {
            return None;
        }
        let behind = last.is_some_and(|last| key <= last);
        if behind && !self.commutes_into_place(r, &key) {
            return None;
        }
        let result = self.apply_record(r, &key);
        self.record_applied(r, eff, &result);
        if !behind {
            if commentary {
                self.last_commentary_key = Some(key);
            } else {
                self.last_key = Some(key);
            }
        }
        Some(result)
    }

    /// Whether a record that sorts before the last one folded can still be applied in place: the
    /// full fold would give the same state. True for the kinds whose rules read only what ranks
    /// below them and the same member's records of their own rank ([`Kind::commutes_by_member`]:
    /// ballots, paper ballots, ratings), when no record folded after it concerns its member and
    /// none of a later kind reads its kind ([`CycleState::reads_late`]). Then applying it now or
    /// in its place changes nothing else: the records after it never read it, and it never
    /// reads them.
    fn commutes_into_place(&self, r: &Record, key: &OrderKey) -> bool {
        if !r.kind().commutes_by_member() || self.read_ranks.contains(&key.0) {
            return false;
        }
        let Some(member) = self.concerned_member(r) else {
            return false;
        };
        self.member_keys
            .get(&(key.0, member))
            .is_none_or(|latest| latest < key)
    }

    /// The rank of the [`Kind::commutes_by_member`] kind that a record of a later rank reads,
    /// if any: everything after the ballots but the meeting's records reads them (a seal names
    /// them; the resolution and all that follows stand on the seal), and a payment release reads
    /// ratings when it names some (the satisfaction gate). Commentary reads neither.
    fn reads_late(r: &Record) -> Option<u8> {
        let kind = r.kind();
        match &r.body {
            Body::PaymentRelease(b) if !b.ratings.is_empty() || !b.rating_lists.is_empty() => {
                Some(Kind::Rating.rank())
            }
            _ if kind.is_commentary() || matches!(kind, Kind::Meeting | Kind::MeetingItem) => None,
            _ if kind.rank() > Kind::Ballot.rank() && kind.rank() < Kind::Rating.rank() => {
                Some(Kind::Ballot.rank())
            }
            _ => None,
        }
    }

    /// The member a record of a [`Kind::commutes_by_member`] kind is about: the signer's for a
    /// ballot or a rating, the one named on the sheet for a paper ballot. `None` for other kinds
    /// and for a signer not on the roll.
    fn concerned_member(&self, r: &Record) -> Option<Uuid> {
        match &r.body {
            Body::PaperBallot(b) => Some(b.member),
            Body::Ballot(_) | Body::Rating(_) => self.keys.get(&r.signer).map(|k| k.member),
            _ => None,
        }
    }

    /// The effective time of a signer's next record, or `None` when the record is not the
    /// signer's newest (out of order or equivocating: a full fold decides).
    fn next_effective_time(&self, r: &Record) -> Option<DateTime<Utc>> {
        match self.heads.get(&r.signer) {
            Some((seq, _)) if *seq >= r.seq => None,
            Some((_, t)) if *t > r.time => Some(*t),
            _ => Some(r.time),
        }
    }

    /// Records the verdict and the signer's head after an in-place application.
    fn record_applied(&mut self, r: &Record, eff: DateTime<Utc>, result: &Result<(), Exclusion>) {
        self.kinds.insert(r.id, r.kind());
        let verdict = match result {
            Ok(()) => Verdict::Valid,
            Err(reason) => Verdict::Excluded {
                reason: reason.clone(),
            },
        };
        self.set_verdict(r.id, verdict);
        self.heads.insert(r.signer, (r.seq, eff));
    }

    /// Registers a new member's first device in place. Safe without a full fold only when the
    /// entry cannot change any other record's verdict: the member and the key are new, no record
    /// by that key is known, and the signing cadre's key is authorised and this is its newest
    /// record.
    fn apply_new_member(
        &mut self,
        r: &Record,
        e: &crate::record::roll::RollEntry,
    ) -> Option<Result<(), Exclusion>> {
        if self.verdicts.contains_key(&r.id)
            || self.members.contains_key(&e.member)
            || e.device_key
                .is_some_and(|k| self.keys.contains_key(&k) || self.heads.contains_key(&k))
        {
            return None;
        }
        let signer = self.keys.get(&r.signer)?;
        let attester = signer.member;
        if signer.revoked_after.is_some() || !self.has_role(&attester, Role::Cadre) {
            return None;
        }
        let eff = self.next_effective_time(r)?;
        let result = e
            .check_shape()
            .and_then(|()| self.add_roll_entry(r, e, attester));
        self.record_applied(r, eff, &result);
        self.dirty.members.insert(e.member);
        let key: OrderKey = (r.kind().rank(), eff, r.signer, r.seq, r.id);
        if self.last_key.is_none_or(|last| key > last) {
            self.last_key = Some(key);
        }
        Some(result)
    }

    /// Generic checks, then the kind's rule. Mutates nothing but the member's latest key (see
    /// [`CycleState::commutes_into_place`]) when it returns an error.
    fn apply_record(&mut self, r: &Record, order: &OrderKey) -> Result<(), Exclusion> {
        let time = order.1;
        if let Some(rank) = CycleState::reads_late(r) {
            self.read_ranks.insert(rank);
        }
        if r.kind().commutes_by_member() {
            if let Some(member) = self.concerned_member(r) {
                let latest = self.member_keys.entry((order.0, member)).or_insert(*order);
                if *latest < *order {
                    *latest = *order;
                }
            }
        }
        let key = self.keys.get(&r.signer).ok_or(Exclusion::UnknownSigner)?;
        if let Some(out) = key.revoked(&r.id, r.seq) {
            return Err(out);
        }
        let allowed = r.kind().allowed_phases();
        if !allowed.is_empty() {
            let phase_ref = r.phase.expect("decode guarantees a phase reference");
            let phase =
                *self
                    .phases
                    .get(&phase_ref)
                    .ok_or_else(|| Exclusion::UnknownReference {
                        what: "phase record".into(),
                        id: phase_ref,
                    })?;
            if !allowed.contains(&phase) {
                return Err(Exclusion::WrongPhase {
                    allowed: allowed.to_vec(),
                    actual: phase,
                });
            }
        }
        let ctx = Ctx {
            id: r.id,
            member: key.member,
            signer: r.signer,
            time,
        };
        match &r.body {
            Body::Genesis(_) | Body::RollEntry(_) | Body::Revocation(_) => {
                Err(Exclusion::RuleViolation {
                    detail: "roll records are folded before all others".into(),
                })
            }
            Body::PhaseChange(b) => self.apply_phase_change(&ctx, b),
            Body::Proposal(b) => self.apply_proposal(&ctx, b),
            Body::ProposalRevision(b) => self.apply_revision(&ctx, b),
            Body::Review(b) => self.apply_review(&ctx, b),
            Body::Recategorisation(b) => self.apply_recategorisation(&ctx, b),
            Body::Roundtable(b) => self.apply_roundtable(&ctx, b),
            Body::Ballot(b) => self.apply_ballot(&ctx, b),
            Body::PaperBallot(b) => self.apply_paper_ballot(&ctx, b),
            Body::Meeting(b) => self.apply_meeting(&ctx, b),
            Body::MeetingItem(b) => self.apply_meeting_item(&ctx, b),
            Body::Comment(b) => self.apply_comment(&ctx, b),
            Body::CommentHiding(b) => self.apply_comment_hiding(&ctx, b),
            Body::RecordList(b) => self.apply_record_list(&ctx, b),
            Body::Seal(b) => self.apply_seal(&ctx, b),
            Body::Resolution(b) => self.apply_resolution(&ctx, b),
            Body::Tender(b) => self.apply_tender(&ctx, b),
            Body::Bid(b) => self.apply_bid(&ctx, b),
            Body::SealedBid(b) => self.apply_sealed_bid(&ctx, b),
            Body::BidClosing(b) => self.apply_bid_closing(&ctx, b),
            Body::BidOpening(b) => self.apply_bid_opening(&ctx, b),
            Body::Award(b) => self.apply_award(&ctx, b),
            Body::InstalmentSchedule(b) => self.apply_schedule(&ctx, b),
            Body::ProgressUpdate(b) => self.apply_progress(&ctx, b),
            Body::MonitoringReport(b) => self.apply_report(&ctx, b),
            Body::ReportResponse(b) => self.apply_response(&ctx, b),
            Body::CompletionReport(b) => self.apply_completion(&ctx, b),
            Body::Rating(b) => self.apply_rating(&ctx, b),
            Body::PaymentRelease(b) => self.apply_release(&ctx, b),
        }
    }

    /// Fails unless the acting member holds `role`.
    pub(crate) fn require(&self, ctx: &Ctx, role: Role) -> Result<(), Exclusion> {
        if self.has_role(&ctx.member, role) {
            Ok(())
        } else {
            Err(Exclusion::MissingRole { role })
        }
    }

    /// True when `member` holds `role`.
    pub(crate) fn has_role(&self, member: &Uuid, role: Role) -> bool {
        self.members
            .get(member)
            .is_some_and(|m| m.roles.contains(&role))
    }

    /// Fails unless `id` is a known member.
    pub(crate) fn require_member(&self, id: &Uuid) -> Result<(), Exclusion> {
        if self.members.contains_key(id) {
            Ok(())
        } else {
            Err(Exclusion::UnknownReference {
                what: "member".into(),
                id: *id,
            })
        }
    }
}
