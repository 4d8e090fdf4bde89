//! Records from elsewhere (a sync, a bundle, a paper hand-over): verified in one batch, stored,
//! and folded in place when they sort after what is folded, or by a full fold.

use super::*;
use crate::exclusion::Exclusion;
use crate::fold::Checked;
use crate::fold::state::{CycleState, Verdict};
use crate::identity::{self, DeviceKey};
use crate::record::Kind;
use crate::record::envelope::{Record, SignedRecord};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
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
    /// Records refused at the door and not stored: a signature that does not verify, bytes that
    /// do not decode, or a record of another cycle. Nothing of them is kept, so the genuine copy
    /// is taken whenever it arrives (a damaged copy never occupies its place).
    pub refused: Vec<(Uuid, Exclusion)>,
    /// New records signed by a key that is not on the roll: held aside on this device, not part
    /// of the cycle, until a registration of their signer arrives.
    pub held: usize,
}

impl Store {
    /// Imports records received from another device (a sync, a bundle, a paper hand-over). Every
    /// new record is verified, stored and folded; invalid ones are kept with their reason.
    pub fn import(&self, cycle: Uuid, records: &[SignedRecord]) -> Result<ImportReport> {
        let mut g = self.lock();
        let inner = &mut *g;
        let mut cache = take_cache(inner, cycle)?;
        let fault = inner.fault.take();
        let tx = WriteTx::begin(&inner.conn)?;
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
    tx: &Connection,
    cache: &mut CycleCache,
    cycle: Uuid,
    records: &[SignedRecord],
    pending: bool,
    defer: bool,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    // Candidates: records not stored (or held aside) yet. Several copies of one id (a damaged
    // one and the genuine one) may arrive together; each is judged on its own bytes.
    let mut fresh: Vec<&SignedRecord> = Vec::new();
    {
        let mut exists = tx.prepare_cached(
            "SELECT 1 FROM records WHERE id = ?1 UNION ALL SELECT 1 FROM held_records WHERE id = ?1",
        )?;
        let mut seen = std::collections::HashSet::new();
        for r in records {
            if !seen.insert((r.id, r.signature)) || exists.exists([r.id.to_string()])? {
                report.known += 1;
            } else {
                fresh.push(r);
            }
        }
    }
    let sig_ok = verify_all(&fresh);
    let mut checked: Vec<Checked> = Vec::with_capacity(fresh.len());
    let mut taken = HashSet::new();
    let mut refused: Vec<(Uuid, Exclusion)> = Vec::new();
    let mut registers = false;
    for (r, ok) in fresh.iter().zip(&sig_ok) {
        let c = Checked::from_record(r, *ok);
        let decoded = match at_door(&c, cycle) {
            Ok(d) => d,
            Err(reason) => {
                refused.push((r.id, reason));
                continue;
            }
        };
        if !taken.insert(r.id) {
            report.known += 1;
            continue;
        }
        registers |= matches!(decoded.kind(), Kind::Genesis | Kind::RollEntry);
        insert_record(tx, cycle, r, &decoded, pending)?;
        checked.push(c);
    }
    // A refused copy whose genuine twin was taken is not news.
    refused.retain(|(id, _)| !taken.contains(id));
    report.refused = refused;
    report.new = checked.len();
    // A registration may make a held stranger's records part of the cycle: they are judged
    // again with this batch (and held again if their signer is still unknown).
    if registers {
        restore_held(tx, cycle, &mut checked)?;
    }
    if checked.is_empty() {
        return Ok(report);
    }
    // Incremental when every new record sorts after the folded ones (and is signed by someone
    // on the roll); a full fold otherwise.
    let mut order: Vec<&Checked> = checked.iter().collect();
    order.sort_by_key(|c| match &c.record {
        Ok(r) => (0, r.kind().rank(), r.time, r.signer, r.seq, r.id),
        Err(_) => (1, 0, DateTime::<Utc>::MIN_UTC, DeviceKey([0; 32]), 0, c.id),
    });
    let mut incremental = !cache.stale;
    if incremental {
        for c in &order {
            match &c.record {
                Ok(r)
                    if !matches!(
                        cache.state.apply_new(r),
                        None | Some(Err(Exclusion::UnknownSigner))
                    ) => {}
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
        report.held = hold_strangers(tx, cache)?;
    }
    for c in &checked {
        if let Some(Verdict::Excluded { reason }) = cache.state.verdicts.get(&c.id) {
            report.excluded.push((c.id, reason.clone()));
        }
    }
    Ok(report)
}

/// Most records held aside per cycle: beyond it a stranger's records are dropped, so hostile
/// bundles cannot fill a phone.
pub const MAX_HELD: i64 = 10_000;

/// Moves the records of signers who are not on the roll out of the cycle, into `held_records`,
/// and folds again without them, so a stranger's records never shape the state, the views or
/// the documents. Called after every full fold (a deferred one too, through the views).
/// Returns how many were held.
pub(super) fn hold_strangers(tx: &Connection, cache: &mut CycleCache) -> Result<usize> {
    let st = &cache.state;
    let stranger = |c: &Checked| match &c.record {
        Ok(r) => {
            !st.keys.contains_key(&r.signer)
                && !st.verdicts.get(&c.id).is_some_and(Verdict::is_valid)
        }
        Err(_) => false,
    };
    // Every full fold asks; almost always there is no stranger, and nothing is moved.
    if !cache.records.iter().any(stranger) {
        return Ok(0);
    }
    let (out, keep): (Vec<Checked>, Vec<Checked>) = std::mem::take(&mut cache.records)
        .into_iter()
        .partition(stranger);
    cache.records = keep;
    let cycle = cache.state.cycle;
    let held: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM held_records WHERE cycle_id = ?1")?
        .query_row([cycle.to_string()], |r| r.get(0))?;
    let mut room = (MAX_HELD - held).max(0) as usize;
    for c in &out {
        // Its exclusion, keyed by its number, goes with it (a later record may take the number).
        tx.prepare_cached(
            "DELETE FROM exclusions WHERE n = (SELECT n FROM records WHERE id = ?1)",
        )?
        .execute([c.id.to_string()])?;
        let row: Option<(Vec<u8>, Vec<u8>)> = tx
            .prepare_cached("DELETE FROM records WHERE id = ?1 RETURNING signed, signature")?
            .query_row([c.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let (Some((signed, sig)), true) = (row, room > 0) {
            room -= 1;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO held_records (id, cycle_id, signed, signature, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                c.id.to_string(),
                cycle.to_string(),
                signed,
                sig,
                Utc::now().to_rfc3339()
            ])?;
        }
    }
    // Photos only a stranger's record names are not fetched.
    let named: HashSet<&str> = cache
        .records
        .iter()
        .filter_map(|c| c.record.as_ref().ok())
        .flat_map(|r| r.body.blob_refs().iter().map(|b| b.sha256.as_str()))
        .collect();
    for c in &out {
        for b in c
            .record
            .as_ref()
            .map(|r| r.body.blob_refs())
            .unwrap_or_default()
        {
            if !named.contains(b.sha256.as_str()) {
                tx.prepare_cached("DELETE FROM blob_refs WHERE sha256 = ?1 AND cycle_id = ?2")?
                    .execute(params![b.sha256, cycle.to_string()])?;
            }
        }
    }
    refold(cache, cycle);
    Ok(out.len())
}

/// After a local registration: the held records are judged again with it.
pub(super) fn retake_held(tx: &Connection, cache: &mut CycleCache, cycle: Uuid) -> Result<()> {
    if restore_held(tx, cycle, &mut cache.records)? > 0 {
        refold(cache, cycle);
        hold_strangers(tx, cache)?;
    }
    Ok(())
}

/// Moves the cycle's held records back into it (stored, marked for the documents) and appends
/// them, checked, to `into`. Returns how many.
fn restore_held(tx: &Connection, cycle: Uuid, into: &mut Vec<Checked>) -> Result<usize> {
    let back = take_held(tx, cycle)?;
    let n = back.len();
    for (r, d) in back {
        insert_record(tx, cycle, &r, &d, true)?;
        into.push(Checked {
            id: r.id,
            kind: Some(d.kind()),
            record: Ok(d),
        });
    }
    Ok(n)
}

/// Takes every held record of the cycle out of `held_records`, as received.
pub(super) fn take_held_records(tx: &Connection, cycle: Uuid) -> Result<Vec<SignedRecord>> {
    Ok(take_held(tx, cycle)?.into_iter().map(|(r, _)| r).collect())
}

/// Takes every held record of the cycle out of `held_records`, through the door again.
fn take_held(tx: &Connection, cycle: Uuid) -> Result<Vec<(SignedRecord, Arc<Record>)>> {
    let mut stmt = tx.prepare_cached(
        "DELETE FROM held_records WHERE cycle_id = ?1 RETURNING signed, signature",
    )?;
    let rows = stmt.query_map([cycle.to_string()], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (signed, sig) = row?;
        let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else {
            continue;
        };
        let r = SignedRecord::from_parts(signed, sig);
        if let Ok(d) = at_door(&Checked::verify(&r), cycle) {
            out.push((r, d));
        }
    }
    Ok(out)
}

/// The door: only a record that decodes, carries a valid signature and belongs to `cycle` is
/// stored. Everything else is refused before it touches the database.
fn at_door(c: &Checked, cycle: Uuid) -> std::result::Result<Arc<Record>, Exclusion> {
    match &c.record {
        Err(e) => Err(e.clone()),
        Ok(r) if r.cycle != cycle => Err(Exclusion::WrongCycle {
            expected: cycle,
            found: r.cycle,
        }),
        Ok(r) => Ok(r.clone()),
    }
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
