//! The folded state of each cycle, kept in memory after the first use so that a new record is
//! applied in place, and the views written from it.

use super::*;
use crate::fold::state::CycleState;
use crate::fold::{self, Checked};
use crate::record::envelope::SignedRecord;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use uuid::Uuid;

pub(super) struct CycleCache {
    /// The folded state.
    pub(super) state: CycleState,
    /// Every record of the cycle, checked, in the order stored.
    pub(super) records: Vec<Checked>,
    /// The fold is deferred: a sync session brought records out of fold order, so `state` is
    /// empty and the views are behind until [`Store::settle`] (or the next local write) folds.
    pub(super) stale: bool,
    /// Full folds of the cycle since it was loaded, the load's own included (see
    /// [`Store::full_folds`]).
    pub(super) full_folds: u64,
    /// This device's key, whose member's ballot the views keep (`cycle_view.my_ballot`).
    pub(super) me: DeviceKey,
}

impl Store {
    /// The folded state of a cycle (loaded from the records on first use). For auditors, the
    /// demo and tests; screens read the views through the query methods instead.
    pub fn state(&self, cycle: Uuid) -> Result<CycleState> {
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        let st = cache.state.clone();
        inner.caches.insert(cycle, cache);
        Ok(st)
    }

    /// Reads the folded state in place, without copying it (a 20,000-ballot state is tens of
    /// MB): what a screen that needs more than the views calls, such as the console's tally.
    pub fn with_state<T>(&self, cycle: Uuid, read: impl FnOnce(&CycleState) -> T) -> Result<T> {
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        let out = read(&cache.state);
        inner.caches.insert(cycle, cache);
        Ok(out)
    }

    /// The vote's audit report (the seal recounted, what does not count and why, the
    /// resolution checked): what `linli verify` prints and the public board shows.
    pub fn seal_report(&self, cycle: Uuid) -> Result<crate::fold::verify::SealReport> {
        self.with_state(cycle, CycleState::seal_report)
    }

    /// The vote as the public board shows it: the seal in effect with its accepted counts and the
    /// resolution (no audit lists, so no scan of every ballot's verdict).
    pub fn sealed_result(&self, cycle: Uuid) -> Result<crate::fold::verify::SealedResult> {
        self.with_state(cycle, CycleState::sealed_result)
    }

    /// The next phase of the cycle and, when the cycle cannot move to it now, why (proposals
    /// still without a review, ...): what the console shows beside the phase button. `None` once
    /// the cycle is closed.
    pub fn next_phase(
        &self,
        cycle: Uuid,
    ) -> Result<Option<(crate::phase::Phase, Option<crate::exclusion::Exclusion>)>> {
        self.with_state(cycle, |st| {
            st.phase
                .0
                .next()
                .map(|next| (next, st.draft_phase_change(next, "").err()))
        })
    }

    /// How many times this store has folded the cycle from all its records since it loaded it,
    /// the load's own fold included: what shows that records arriving in any order are folded in
    /// place (a hub taking ballots from a hall of phones should not refold at all). Diagnostics
    /// for tests and benchmarks; loading the cycle if it is not loaded counts one.
    pub fn full_folds(&self, cycle: Uuid) -> Result<u64> {
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        let n = cache.full_folds;
        inner.caches.insert(cycle, cache);
        Ok(n)
    }

    /// Folds every cycle whose fold a sync session deferred and brings its views level with its
    /// records, in one transaction per cycle. Sessions call it when they end (or are dropped);
    /// it costs nothing when no fold is pending.
    pub fn settle(&self) -> Result<()> {
        let mut g = self.lock();
        let inner = &mut *g;
        let pending: Vec<Uuid> = inner
            .caches
            .iter()
            .filter(|(_, c)| c.stale || c.state.dirty.all)
            .map(|(id, _)| *id)
            .collect();
        for cycle in pending {
            let mut cache = take_cache(inner, cycle)?;
            let tx = WriteTx::begin(&inner.conn)?;
            write_views(&tx, &mut cache)?;
            tx.commit()?;
            inner.caches.insert(cycle, cache);
        }
        Ok(())
    }
}

/// Folds the cycle again from every record. The old state is dropped first: a 20,000-ballot
/// cycle's state is tens of MB, and a phone should not hold two of them at once.
pub(super) fn refold(cache: &mut CycleCache, cycle: Uuid) {
    let genesis = cache.state.genesis_id;
    cache.state = CycleState::new(cycle, genesis);
    cache.state = fold::fold(cycle, genesis, &cache.records);
    cache.stale = false;
    cache.full_folds += 1;
}

/// Rewrites the views the state marked dirty, inside the caller's transaction. A full rewrite
/// brings the views level with the records, so it clears the cycle's `stale` flag.
pub(super) fn write_views(tx: &Connection, cache: &mut CycleCache) -> Result<()> {
    debug_assert!(
        !cache.stale,
        "a deferred fold is settled before its views are written"
    );
    if cache.state.dirty.all {
        super::import::hold_strangers(tx, cache)?;
        // A record with no row in `exclusions` counts: the fold must have judged every one.
        debug_assert!(
            cache
                .records
                .iter()
                .all(|c| cache.state.verdicts.contains_key(&c.id)),
            "every stored record has a verdict after a full fold"
        );
    }
    let dirty = cache.state.take_dirty();
    views::materialise(tx, &cache.state, &dirty, &cache.me)?;
    if dirty.all {
        tx.prepare_cached("UPDATE cycles SET stale = 0 WHERE cycle_id = ?1 AND stale = 1")?
            .execute([cache.state.cycle.to_string()])?;
    }
    Ok(())
}

pub(super) fn take_cache(inner: &mut Inner, cycle: Uuid) -> Result<CycleCache> {
    let mut cache = cached_or_load(&mut inner.caches, &inner.conn, cycle)?;
    if cache.stale {
        refold(&mut cache, cycle);
    }
    Ok(cache)
}

/// The cycle's cached fold, taken out of the cache, or loaded from the records.
pub(super) fn cached_or_load(
    caches: &mut HashMap<Uuid, CycleCache>,
    conn: &Connection,
    cycle: Uuid,
) -> Result<CycleCache> {
    if let Some(c) = caches.remove(&cycle) {
        return Ok(c);
    }
    let genesis = genesis_of(conn, cycle)?;
    load_cache(conn, cycle, genesis)
}

pub(super) fn load_cache(conn: &Connection, cycle: Uuid, genesis: Uuid) -> Result<CycleCache> {
    let mut stmt =
        conn.prepare_cached("SELECT signed, signature, sig_ok FROM records WHERE cycle_id = ?1")?;
    let rows = stmt.query_map([cycle.to_string()], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut records = Vec::new();
    for row in rows {
        let (signed, sig, ok) = row?;
        let mut s = [0u8; 64];
        if sig.len() == 64 {
            s.copy_from_slice(&sig);
        }
        let c = Checked::from_record(&SignedRecord::from_parts(signed, s), ok);
        // Rows from before the door (schema 10) that would not pass it are not part of the cycle.
        if matches!(&c.record, Ok(r) if r.cycle == cycle) {
            records.push(c);
        }
    }
    let mut state = fold::fold(cycle, genesis, &records);
    // Every committed write left the views level with the records, unless a session deferred
    // its fold and was cut: then the views are rewritten at the next write or settle.
    let behind: bool = conn
        .prepare_cached("SELECT stale FROM cycles WHERE cycle_id = ?1")?
        .query_row([cycle.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(false);
    if !behind {
        state.take_dirty();
    }
    // The store checked at open that this row holds its own key.
    let me = conn
        .prepare_cached("SELECT public_key FROM device WHERE id = 1")?
        .query_row([], |r| {
            let hex: String = r.get(0)?;
            DeviceKey::from_hex(&hex).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
            })
        })?;
    Ok(CycleCache {
        state,
        records,
        stale: false,
        full_folds: 1,
        me,
    })
}
