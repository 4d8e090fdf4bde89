//! Records from elsewhere (a sync, a bundle, a paper hand-over): verified in one batch, stored,
//! and folded in place when they sort after what is folded, or by a full fold.

use super::*;
use crate::exclusion::Exclusion;
use crate::fold::Checked;
use crate::fold::state::{CycleState, Verdict};
use crate::identity::{self, DeviceKey};
use crate::record::envelope::SignedRecord;
use chrono::{DateTime, Utc};
use rusqlite::{Transaction, TransactionBehavior};
use std::sync::Arc;
use uuid::Uuid;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Records new to this device.
    pub new: usize,
    /// Records it already had.
    pub known: usize,
    /// New records that are kept but not counted, with the reason.
    pub excluded: Vec<(Uuid, Exclusion)>,
}

impl Store {
    /// Imports records received from another device (a sync, a bundle, a paper hand-over). Every
    /// new record is verified, stored and folded; invalid ones are kept with their reason.
    pub fn import(&self, cycle: Uuid, records: &[SignedRecord]) -> Result<ImportReport> {
        let mut g = self.lock();
        let inner = &mut *g;
        let mut cache = take_cache(inner, cycle)?;
        let fault = inner.fault.take();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let report = import_records(&tx, &mut cache, cycle, records, true, false)?;
        let cache = finish(tx, fault, cache)?;
        inner.caches.insert(cycle, cache);
        Ok(report)
    }
}

/// Verifies, stores and folds records received from elsewhere, inside the caller's transaction
/// (views included; the caller commits). `pending` marks them for the next document flush (a
/// bundle or paper hand-over); records that arrived inside a document are not pending.
///
/// With `defer` (a sync session), records that cannot be applied in place do not refold the
/// cycle at once: the cache and the database are marked stale and [`Store::settle`] folds once
/// at the end of the session. A phone's first sync of a big cycle then folds once instead of
/// once per message.
pub(super) fn import_records(
    tx: &Transaction<'_>,
    cache: &mut CycleCache,
    cycle: Uuid,
    records: &[SignedRecord],
    pending: bool,
    defer: bool,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut fresh: Vec<&SignedRecord> = Vec::new();
    {
        let mut exists = tx.prepare_cached("SELECT 1 FROM records WHERE id = ?1")?;
        let mut seen = std::collections::HashSet::new();
        for r in records {
            if !seen.insert(r.id) || exists.exists([r.id.to_string()])? {
                report.known += 1;
            } else {
                fresh.push(r);
            }
        }
    }
    report.new = fresh.len();
    if fresh.is_empty() {
        return Ok(report);
    }
    let sig_ok = verify_all(&fresh);
    let mut checked: Vec<Checked> = Vec::with_capacity(fresh.len());
    for (r, ok) in fresh.iter().zip(&sig_ok) {
        let c = Checked::from_record(r, *ok);
        let decoded = match &c.record {
            Ok(d) => Some(d.clone()),
            Err(_) => r.decode().ok().map(Arc::new),
        };
        insert_record(tx, cycle, r, decoded.as_ref(), *ok, pending)?;
        checked.push(c);
    }
    // Incremental when every new record sorts after the folded ones; a full fold otherwise.
    let mut order: Vec<&Checked> = checked.iter().collect();
    order.sort_by_key(|c| match &c.record {
        Ok(r) => (0, r.kind().rank(), r.time, r.signer, r.seq, r.id),
        Err(_) => (1, 0, DateTime::<Utc>::MIN_UTC, DeviceKey([0; 32]), 0, c.id),
    });
    let mut incremental = !cache.stale;
    if incremental {
        for c in &order {
            match &c.record {
                Ok(r) if cache.state.apply_new(r).is_some() => {}
                _ => {
                    incremental = false;
                    break;
                }
            }
        }
    }
    cache.records.extend(checked.iter().cloned());
    if !incremental {
        if defer {
            if !cache.stale {
                // Free the partly applied state now; the settle folds from scratch.
                cache.state = CycleState::new(cycle, cache.state.genesis_id);
                cache.stale = true;
                tx.prepare_cached("UPDATE cycles SET stale = 1 WHERE cycle_id = ?1")?
                    .execute([cycle.to_string()])?;
            }
            return Ok(report);
        }
        refold(cache, cycle);
    }
    for c in &checked {
        if let Some(Verdict::Excluded { reason }) = cache.state.verdicts.get(&c.id) {
            report.excluded.push((c.id, reason.clone()));
        }
    }
    Ok(report)
}

pub(super) fn verify_all(records: &[&SignedRecord]) -> Vec<bool> {
    let mut idx = Vec::new();
    let mut items = Vec::new();
    let mut out = vec![false; records.len()];
    for (i, r) in records.iter().enumerate() {
        if let Ok(k) = r.signer() {
            idx.push(i);
            items.push((k, r.signed.as_slice(), r.signature));
        }
    }
    for (i, ok) in idx.into_iter().zip(identity::verify_many(&items)) {
        out[i] = ok;
    }
    out
}
