//! This device's own actions: founding or following a cycle, and signing a record, drafted from
//! the cycle's state under the store's lock and checked against its rules before it is stored.

use super::*;
use crate::exclusion::Exclusion;
use crate::fold::CycleState;
use crate::fold::state::Verdict;
use crate::fold::{self, Checked};
use crate::phase::Phase;
use crate::record::cycle::Genesis;
use crate::record::envelope::{Draft, Record, SignedRecord};
use crate::record::proposal::ReviewDecision;
use crate::record::{Body, Kind};
use chrono::Utc;
use rusqlite::{Connection, params};
use std::sync::Arc;
use uuid::Uuid;

impl Store {
    /// Creates a new cycle with this device's key as the founding cadre. Returns the cycle id.
    pub fn create_cycle(&self, genesis: Genesis) -> Result<Uuid> {
        genesis.check_shape()?;
        let cycle = Uuid::now_v7();
        let mut g = self.lock();
        let inner = &mut *g;
        let tx = WriteTx::begin(&inner.conn)?;
        let seq = next_seq(&tx)?;
        let draft = Draft {
            cycle,
            seq,
            time: Utc::now(),
            phase: None,
            body: Body::Genesis(Box::new(genesis)),
        };
        let rec = SignedRecord::sign(&inner.secret, &draft);
        tx.execute(
            "INSERT INTO cycles (cycle_id, genesis_id, added_at) VALUES (?1, ?2, ?3)",
            params![
                cycle.to_string(),
                rec.id.to_string(),
                Utc::now().to_rfc3339()
            ],
        )?;
        let decoded = Arc::new(rec.decode()?);
        insert_record(&tx, cycle, &rec, &decoded, true)?;
        bump_seq(&tx, seq)?;
        let records = vec![Checked {
            id: rec.id,
            kind: Some(decoded.kind()),
            record: Ok(decoded),
        }];
        let mut state = fold::fold(cycle, rec.id, &records);
        if let Some(Verdict::Excluded { reason }) = state.verdicts.get(&rec.id) {
            return Err(StoreError::Rejected(reason.clone()));
        }
        let dirty = state.take_dirty();
        views::materialise(&tx, &state, &dirty, &self.key)?;
        tx.commit()?;
        inner.caches.insert(
            cycle,
            CycleCache {
                state,
                records,
                stale: false,
                full_folds: 1,
                me: self.key,
            },
        );
        Ok(cycle)
    }

    /// Signs and stores a record of this device's own action. The action is checked against the
    /// cycle's rules first: a refused action is a [`StoreError::Rejected`] and changes nothing.
    pub fn submit(&self, cycle: Uuid, body: Body) -> Result<Uuid> {
        self.submit_drafted(cycle, |_| Ok(body))
    }

    /// Drafts a record from the cycle's current state, then signs and stores it as
    /// [`Store::submit`] does, all under one taking of the store's lock: no other thread's write
    /// (a phase change, a sync) can come between what the draft read and what is signed. A
    /// draft that fails changes nothing.
    pub fn submit_drafted(
        &self,
        cycle: Uuid,
        draft: impl FnOnce(&CycleState) -> Result<Body>,
    ) -> Result<Uuid> {
        self.under_lock(cycle, draft, |store, inner, cache, body| {
            store.sign_one(inner, cycle, cache, body)
        })
    }

    /// Takes the lock and the cycle's cache, drafts from the state, and hands the draft to `act`
    /// with the lock still held; a failed draft puts the cache back and changes nothing.
    pub(super) fn under_lock<T>(
        &self,
        cycle: Uuid,
        draft: impl FnOnce(&CycleState) -> Result<T>,
        act: impl FnOnce(&Store, &mut Inner, CycleCache, T) -> Result<Uuid>,
    ) -> Result<Uuid> {
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        match draft(&cache.state) {
            Ok(drafted) => act(self, inner, cache, drafted),
            Err(e) => {
                inner.caches.insert(cycle, cache);
                Err(e)
            }
        }
    }

    /// Checks, signs, applies and stores one body of this device's, with the lock held and the
    /// cycle's cache taken out of it (it is put back on success).
    pub(super) fn sign_one(
        &self,
        inner: &mut Inner,
        cycle: Uuid,
        mut cache: CycleCache,
        body: Body,
    ) -> Result<Uuid> {
        // The real reason first: a device not on the roll (or whose cycle has not arrived yet)
        // is told so, not that its proposal exceeds a pool it does not know.
        let precheck = if body.kind() == Kind::Genesis {
            Err(StoreError::Rejected(Exclusion::UntrustedGenesis))
        } else if cache.state.member_of(&self.key).is_none() {
            Err(StoreError::NotOnRoll(cycle))
        } else if let Err(e) = body.check_shape(cache.state.pool()) {
            Err(StoreError::Rejected(e))
        } else {
            Ok(())
        };
        if let Err(e) = precheck {
            inner.caches.insert(cycle, cache);
            return Err(e);
        }
        let kind = body.kind();
        let phase_ref = (!kind.allowed_phases().is_empty()).then_some(cache.state.phase.1);
        let fault = inner.fault.take();
        let tx = WriteTx::begin(&inner.conn)?;
        let seq = first_free_seq(&cache.state, &self.key);
        let now = Utc::now();
        let time = cache
            .state
            .earliest_claim(&body)
            .map_or(now, |t| t.max(now));
        let draft = Draft {
            cycle,
            seq,
            time,
            phase: phase_ref,
            body,
        };
        let (rec, decoded) = match SignedRecord::sign_own(&inner.secret, draft) {
            Ok((rec, d)) => (rec, Arc::new(d)),
            Err(e) => {
                drop(tx);
                inner.caches.insert(cycle, cache);
                return Err(e.into());
            }
        };
        let incremental = cache.state.apply_new(&decoded);
        let folded = incremental.is_none();
        let verdict = match incremental {
            Some(result) => result,
            None => {
                cache.records.push(Checked {
                    id: rec.id,
                    kind: Some(decoded.kind()),
                    record: Ok(decoded.clone()),
                });
                refold(&mut cache, cycle);
                match cache.state.verdicts.get(&rec.id) {
                    Some(Verdict::Excluded { reason }) => Err(reason.clone()),
                    _ => Ok(()),
                }
            }
        };
        // A refused action leaves nothing behind: the transaction is dropped and the cache,
        // which now holds the refused record, is rebuilt from the database on the next write.
        verdict?;
        insert_record(&tx, cycle, &rec, &decoded, true)?;
        let registers = decoded.kind() == Kind::RollEntry;
        if !folded {
            cache.records.push(Checked {
                id: rec.id,
                kind: Some(decoded.kind()),
                record: Ok(decoded),
            });
        }
        if registers {
            super::import::retake_held(&tx, &mut cache, cycle)?;
        }
        let cache = finish(tx, fault, cache)?;
        inner.caches.insert(cycle, cache);
        Ok(rec.id)
    }
}

/// The next sequence number this device signs with in a cycle: one past the highest this key is
/// known to have signed there (the fold's head for the key, which counts every record of it the
/// device holds, valid or not). Sequence numbers only need to be unique per signer within a
/// cycle, so the head is the counter: a vote does not rewrite a device row (one page of every
/// vote) to count, and a reinstalled app with its key restored from the keystore starts after
/// whatever it has received of its own records. The device's counter numbers its geneses.
pub(super) fn first_free_seq(state: &CycleState, key: &DeviceKey) -> u64 {
    state.heads.get(key).map_or(1, |(s, _)| *s + 1)
}

pub(super) fn next_seq(tx: &Connection) -> Result<u64> {
    Ok(tx
        .prepare_cached("SELECT next_seq FROM device WHERE id = 1")?
        .query_row([], |r| r.get::<_, i64>(0))? as u64)
}

pub(super) fn bump_seq(tx: &Connection, used: u64) -> Result<()> {
    tx.prepare_cached("UPDATE device SET next_seq = ?1 WHERE id = 1")?
        .execute([used as i64 + 1])?;
    Ok(())
}

/// Stores a record of `cycle` that passed the door (see `import::at_door`): it decodes, its
/// signature verifies (the row's `sig_ok` is therefore always set) and it names this cycle.
pub(super) fn insert_record(
    tx: &Connection,
    cycle: Uuid,
    r: &SignedRecord,
    decoded: &Record,
    pending: bool,
) -> Result<()> {
    let inserted = tx.prepare_cached(
        "INSERT OR IGNORE INTO records (id, cycle_id, kind, signer, seq, claimed_time, signed, signature, sig_ok, received_at, to_doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.id.to_string(),
        cycle.to_string(),
        decoded.kind().as_str(),
        decoded.signer.to_hex(),
        decoded.seq as i64,
        decoded.time.to_rfc3339(),
        r.signed,
        r.signature.as_slice(),
        true,
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        pending.then_some(1),
    ])?;
    if inserted > 0 {
        index_blob_refs(tx, cycle, decoded)?;
    }
    Ok(())
}

/// Notes the photos and attachments a record references, so a sync knows which blobs to fetch.
pub(super) fn index_blob_refs(tx: &Connection, cycle: Uuid, r: &Record) -> Result<()> {
    for b in r.body.blob_refs() {
        if b.check_shape().is_ok() {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO blob_refs (sha256, cycle_id, size, mime) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![b.sha256, cycle.to_string(), b.size as i64, b.mime])?;
        }
    }
    Ok(())
}

/// Writes the views, honours an injected fault and commits. Returns the cache to put back.
pub(super) fn finish(
    tx: WriteTx<'_>,
    fault: Option<Fault>,
    mut cache: CycleCache,
) -> Result<CycleCache> {
    if fault == Some(Fault::AfterRecords) {
        return Err(StoreError::Injected("after records"));
    }
    write_views(&tx, &mut cache)?;
    if fault == Some(Fault::BeforeCommit) {
        return Err(StoreError::Injected("before commit"));
    }
    tx.commit()?;
    Ok(cache)
}

/// The actions whose record depends on the cycle's state, drafted by the core from that state
/// (see [`Store::submit_drafted`]) so that no shell computes a phase chain, a superseded review
/// or a recount itself.
impl Store {
    /// A cadre moves the cycle to `to`, following the phase in effect.
    pub fn advance_phase(&self, cycle: Uuid, to: Phase, note: &str) -> Result<Uuid> {
        self.submit_drafted(cycle, |st| {
            st.draft_phase_change(to, note)
                .map(Body::PhaseChange)
                .map_err(StoreError::Rejected)
        })
    }

    /// A cadre reviews a proposal with a reason, replacing the review in effect.
    pub fn review(
        &self,
        cycle: Uuid,
        proposal: Uuid,
        decision: ReviewDecision,
        reason: &str,
    ) -> Result<Uuid> {
        self.submit_drafted(cycle, |st| {
            Ok(Body::Review(st.draft_review(proposal, decision, reason)))
        })
    }

    /// A cadre seals the vote: every current ballot this device holds, and their recount.
    pub fn seal(&self, cycle: Uuid, note: &str) -> Result<Uuid> {
        self.submit_closing(cycle, |st| {
            let (lists, mut seal) = st.draft_seal_with_lists(note);
            Ok((
                super::closing::list_bodies(lists),
                Box::new(move |ids: &[Uuid]| {
                    seal.ballot_lists = ids.to_vec();
                    Body::Seal(seal)
                }),
            ))
        })
    }

    /// A cadre or council member releases the next instalment of a project's schedule, naming
    /// the current ratings when it is satisfaction-gated. Refused when nothing is left to release.
    pub fn release_next_instalment(&self, cycle: Uuid, project: Uuid, note: &str) -> Result<Uuid> {
        self.submit_closing(cycle, |st| {
            let (lists, mut release) =
                st.draft_release_with_lists(&project, note).ok_or_else(|| {
                    StoreError::Rejected(Exclusion::RuleViolation {
                        detail: "no instalment left to release".into(),
                    })
                })?;
            Ok((
                super::closing::list_bodies(lists),
                Box::new(move |ids: &[Uuid]| {
                    release.rating_lists = ids.to_vec();
                    Body::PaymentRelease(release)
                }),
            ))
        })
    }
}

impl Store {
    /// A council member passes the resolution funding exactly the sealed selection at the
    /// proposals' estimates. Refused before the seal.
    pub fn resolve_as_sealed(&self, cycle: Uuid, note: &str) -> Result<Uuid> {
        self.resolve(cycle, &[], &[], note)
    }

    /// A council member passes a resolution: the sealed selection at the estimates, with the
    /// council's changes (`fund`: amounts set or proposals added, each deviation with its
    /// reason; `omit`: selected proposals left unfunded, with reasons). Refused before the seal,
    /// and by the rules when a deviation has no reason or the sum exceeds the pool.
    pub fn resolve(
        &self,
        cycle: Uuid,
        fund: &[crate::record::resolution::Funding],
        omit: &[crate::record::resolution::Omission],
        note: &str,
    ) -> Result<Uuid> {
        self.submit_drafted(cycle, |st| {
            st.draft_resolution_with(fund, omit, note)
                .map(Body::Resolution)
                .ok_or_else(|| {
                    StoreError::Rejected(Exclusion::RuleViolation {
                        detail: "the vote is not sealed yet".into(),
                    })
                })
        })
    }
}
