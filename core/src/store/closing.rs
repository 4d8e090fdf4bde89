//! Closing records that name long lists (a seal, a gated release): the record lists and the
//! closing record signed together, in one transaction (docs/adr/0005).

use super::*;
use crate::fold::Checked;
use crate::fold::CycleState;
use crate::fold::state::Verdict;
use crate::record::Body;
use crate::record::envelope::{Draft, SignedRecord};
use crate::record::list::RecordList;
use chrono::Utc;
use rusqlite::TransactionBehavior;
use std::sync::Arc;
use uuid::Uuid;

/// What a closing action signs: the record lists it names (none when its ids fit inline), and
/// the closing record, made once the lists' ids are known.
pub(super) type ClosingDraft = (Vec<RecordList>, Box<dyn FnOnce(&[Uuid]) -> Body>);

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
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first_seq = write::first_free_seq(&tx, &cache.state, &self.key)?;
        let phase = Some(cache.state.phase.1);
        let time = Utc::now();
        let sign = |seq: u64, body: Body| {
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
        for (i, list) in lists.into_iter().enumerate() {
            signed.push(sign(first_seq + i as u64, Body::RecordList(list)));
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
            insert_record(&tx, cycle, r, Some(d), true, true)?;
        }
        bump_seq(&tx, last_seq)?;
        let cache = finish(tx, fault, cache)?;
        inner.caches.insert(cycle, cache);
        Ok(signed.last().expect("the closing record").id)
    }
}
