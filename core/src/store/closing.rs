//! Actions that sign several records at once, in one transaction: a closing record that names
//! long lists (a seal, a gated release) with its record lists (docs/adr/0005), and the
//! revocation of a key with many records, in parts.

use super::*;
use crate::exclusion::Exclusion;
use crate::fold::Checked;
use crate::fold::CycleState;
use crate::fold::state::Verdict;
use crate::identity::DeviceKey;
use crate::record::Body;
use crate::record::envelope::{Draft, SignedRecord};
use crate::record::list::RecordList;
use crate::record::roll::{MAX_KEPT, Revocation};
use chrono::Utc;
use std::sync::Arc;
use uuid::Uuid;

/// What a closing action signs: the records signed ahead of it (record lists it names, none
/// when its ids fit inline), and the closing record, made once their ids are known.
pub(super) type ClosingDraft = (Vec<Body>, Box<dyn FnOnce(&[Uuid]) -> Body>);

/// The record lists of a closing action, as bodies to sign ahead of it.
pub(super) fn list_bodies(lists: Vec<RecordList>) -> Vec<Body> {
    lists.into_iter().map(Body::RecordList).collect()
}

impl Store {
    /// Signs a closing record (a seal, a gated release) and the record lists it names, in one
    /// transaction under one lock: the lists first, then the record naming them. All are checked
    /// by a full fold before anything is stored; if any would be excluded, nothing is.
    pub(super) fn submit_closing(
        &self,
        cycle: Uuid,
        draft: impl FnOnce(&CycleState) -> Result<ClosingDraft>,
    ) -> Result<Uuid> {
        self.under_lock(cycle, draft, |store, inner, cache, drafted| {
            store.sign_closing(inner, cycle, cache, drafted)
        })
    }

    fn sign_closing(
        &self,
        inner: &mut Inner,
        cycle: Uuid,
        cache: CycleCache,
        (lists, close): ClosingDraft,
    ) -> Result<Uuid> {
        if lists.is_empty() {
            return self.sign_one(inner, cycle, cache, close(&[]));
        }
        let mut cache = cache;
        if cache.state.member_of(&self.key).is_none() {
            inner.caches.insert(cycle, cache);
            return Err(StoreError::NotOnRoll(cycle));
        }
        let fault = inner.fault.take();
        let tx = WriteTx::begin(&inner.conn)?;
        let first_seq = write::first_free_seq(&cache.state, &self.key);
        let in_effect = cache.state.phase.1;
        let time = Utc::now();
        let sign = |seq: u64, body: Body| {
            let phase = (!body.kind().allowed_phases().is_empty()).then_some(in_effect);
            SignedRecord::sign(
                &inner.secret,
                &Draft {
                    cycle,
                    seq,
                    time,
                    phase,
                    body,
                },
            )
        };
        let mut signed: Vec<SignedRecord> = Vec::with_capacity(lists.len() + 1);
        for (i, body) in lists.into_iter().enumerate() {
            signed.push(sign(first_seq + i as u64, body));
        }
        let ids: Vec<Uuid> = signed.iter().map(|r| r.id).collect();
        let last_seq = first_seq + ids.len() as u64;
        signed.push(sign(last_seq, close(&ids)));
        let mut decoded = Vec::with_capacity(signed.len());
        for r in &signed {
            match r.decode() {
                Ok(d) => decoded.push(Arc::new(d)),
                Err(e) => return Err(e.into()),
            }
        }
        for d in &decoded {
            cache.records.push(Checked {
                id: d.id,
                kind: Some(d.kind()),
                record: Ok(d.clone()),
            });
        }
        refold(&mut cache, cycle);
        // A refused action leaves nothing behind: the transaction and the cache (which holds
        // the refused records) are dropped; the cache is rebuilt from the database.
        for d in &decoded {
            if let Some(Verdict::Excluded { reason }) = cache.state.verdicts.get(&d.id) {
                return Err(StoreError::Rejected(reason.clone()));
            }
        }
        for (r, d) in signed.iter().zip(&decoded) {
            insert_record(&tx, cycle, r, d, true)?;
        }
        let cache = finish(tx, fault, cache)?;
        inner.caches.insert(cycle, cache);
        Ok(signed.last().expect("the closing record").id)
    }

    /// A cadre revokes a device key (a lost phone). The revocation keeps every record of that
    /// key this device holds (the winner of each of its sequence numbers), in as many parts as
    /// it needs; from then on no other record of the key counts, whatever its sequence number
    /// or time (see [`Revocation`]).
    pub fn revoke(&self, cycle: Uuid, key: DeviceKey, reason: &str) -> Result<Uuid> {
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        let st = &cache.state;
        let kept: Vec<Uuid> = cache
            .records
            .iter()
            .filter_map(|c| c.record.as_ref().ok())
            .filter(|r| r.signer == key)
            .filter(|r| {
                !matches!(
                    st.verdicts.get(&r.id),
                    Some(Verdict::Excluded {
                        reason: Exclusion::Conflicting { .. }
                    })
                )
            })
            .map(|r| r.id)
            .collect();
        let after_seq = st.heads.get(&key).map(|(s, _)| *s).unwrap_or(0);
        let mut parts: Vec<Body> = kept
            .chunks(MAX_KEPT)
            .map(|ids| {
                Body::Revocation(Revocation {
                    device_key: key,
                    after_seq,
                    reason: reason.to_string(),
                    kept: ids.to_vec(),
                })
            })
            .collect();
        let last = parts.pop().unwrap_or_else(|| {
            Body::Revocation(Revocation {
                device_key: key,
                after_seq,
                reason: reason.to_string(),
                kept: Vec::new(),
            })
        });
        self.sign_closing(
            inner,
            cycle,
            cache,
            (parts, Box::new(move |_: &[Uuid]| last)),
        )
    }
}
