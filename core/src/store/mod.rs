//! The device store: one SQLite database (WAL) per device holding the device's sequence counter,
//! the cycles it follows, every record it has seen (exact signed bytes, signature verdict cached),
//! and the materialised views the screens read.
//!
//! Every public operation runs in one transaction: it commits whole or leaves the previous state
//! intact. The folded state of each cycle is cached in memory after the first write so that a new
//! ballot or report is applied incrementally; screens never need it (they read the views).

pub mod docs;
mod error;
pub mod exchange;
mod notes;
mod query;
pub mod schema;
mod timeline;
mod views;

pub use error::{Result, StoreError};
pub use notes::NotesDraft;
pub use query::*;
pub use timeline::TimelineEntry;

use crate::exclusion::Exclusion;
use crate::fold::state::{CycleState, Verdict};
use crate::fold::{self, Checked};
use crate::identity::{self, DeviceKey, DeviceSecret, FileKeyStore, KeyStore};
use crate::record::cycle::Genesis;
use crate::record::envelope::{Draft, Record, SignedRecord};
use crate::record::{Body, Kind};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// A fault a test can inject into the next write, to prove that a failure mid-transaction leaves
/// the previous state intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Fail after the record rows are written, before the views.
    AfterRecords,
    /// Fail after the views are written, just before commit.
    BeforeCommit,
}

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

struct CycleCache {
    state: CycleState,
    records: Vec<Checked>,
    /// The fold is deferred: a sync session brought records out of fold order, so `state` is
    /// empty and the views are behind until [`Store::settle`] (or the next local write) folds.
    stale: bool,
}

struct Inner {
    conn: Connection,
    secret: DeviceSecret,
    caches: HashMap<Uuid, CycleCache>,
    fault: Option<Fault>,
    docs: docs::DocCache,
    actor: automerge::ActorId,
}

/// A device's store. `Send + Sync`: calls are serialised internally; shells call it off the UI
/// thread.
pub struct Store {
    inner: Mutex<Inner>,
    key: DeviceKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store(device={})", self.key.short())
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, with the secret key in `<path>.key`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        Store::open_with_keys(path, &FileKeyStore::beside(path))
    }

    /// Opens the database at `path` with a shell-supplied key store.
    pub fn open_with_keys(path: impl AsRef<Path>, keys: &dyn KeyStore) -> Result<Store> {
        let conn = Connection::open(path.as_ref())?;
        Store::from_connection(conn, keys)
    }

    /// Opens a private in-memory store (for tests and simulations).
    pub fn open_in_memory(keys: &dyn KeyStore) -> Result<Store> {
        Store::from_connection(Connection::open_in_memory()?, keys)
    }

    fn from_connection(mut conn: Connection, keys: &dyn KeyStore) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let secret = DeviceSecret::from_seed(&keys.load_or_create_seed()?);
        let key = secret.public();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema::VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: schema::VERSION,
            });
        }
        let rebuild = schema::upgrade(&tx, found, schema::VERSION)? && found > 0;
        let stored: Option<String> = tx
            .query_row("SELECT public_key FROM device WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        match stored {
            None => {
                tx.execute(
                    "INSERT INTO device (id, public_key, next_seq) VALUES (1, ?1, 1)",
                    [key.to_hex()],
                )?;
            }
            Some(s) if s != key.to_hex() => {
                return Err(StoreError::WrongDevice {
                    stored: s,
                    given: key.to_hex(),
                });
            }
            Some(_) => {}
        }
        let actor = docs::actor(&tx)?;
        let mut inner = Inner {
            conn: Connection::open_in_memory()?,
            secret,
            caches: HashMap::new(),
            fault: None,
            docs: docs::DocCache::default(),
            actor,
        };
        // After an upgrade every cycle's views are rebuilt; after a session that was cut while
        // its fold was deferred, that cycle's.
        let stale: Vec<Uuid> = {
            let mut stmt = tx.prepare("SELECT cycle_id FROM cycles WHERE stale = 1")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.filter_map(|r| r.ok().and_then(|s| Uuid::parse_str(&s).ok()))
                .collect()
        };
        for (cycle, genesis) in cycle_roots(&tx)? {
            if !rebuild && !stale.contains(&cycle) {
                continue;
            }
            let mut cache = load_cache(&tx, cycle, genesis)?;
            if rebuild {
                for c in &cache.records {
                    if let Ok(r) = &c.record {
                        index_blob_refs(&tx, cycle, r)?;
                    }
                }
            }
            cache.state.dirty.all = true;
            write_views(&tx, &mut cache)?;
        }
        tx.commit()?;
        inner.conn = conn;
        Ok(Store {
            inner: Mutex::new(inner),
            key,
        })
    }

    /// This device's public key.
    pub fn device_key(&self) -> DeviceKey {
        self.key
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written transaction (SQLite rolls it
        // back), so a poisoned lock is safe to reuse once the caches are dropped.
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                g.caches.clear();
                g.docs.clear();
                g
            }
        }
    }

    /// Makes the next write fail at `fault` (tests only).
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Fault) {
        self.lock().fault = Some(fault);
    }

    /// Creates a new cycle with this device's key as the founding cadre. Returns the cycle id.
    pub fn create_cycle(&self, genesis: Genesis) -> Result<Uuid> {
        genesis.check_shape()?;
        let cycle = Uuid::now_v7();
        let mut g = self.lock();
        let inner = &mut *g;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
        insert_record(&tx, cycle, &rec, Some(&decoded), true, true)?;
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
        views::materialise(&tx, &state, &dirty)?;
        tx.commit()?;
        inner.caches.insert(
            cycle,
            CycleCache {
                state,
                records,
                stale: false,
            },
        );
        Ok(cycle)
    }

    /// Follows a cycle created elsewhere, trusting the genesis record `genesis_id` (from the invite
    /// the cadre showed). Records for the cycle can then be imported.
    pub fn follow_cycle(&self, cycle: Uuid, genesis_id: Uuid) -> Result<()> {
        let mut g = self.lock();
        let tx = g
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT genesis_id FROM cycles WHERE cycle_id = ?1",
                [cycle.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(e) if e == genesis_id.to_string() => return Ok(()),
            Some(_) => {
                return Err(StoreError::Rejected(Exclusion::UntrustedGenesis));
            }
            None => {}
        }
        tx.execute(
            "INSERT INTO cycles (cycle_id, genesis_id, added_at) VALUES (?1, ?2, ?3)",
            params![
                cycle.to_string(),
                genesis_id.to_string(),
                Utc::now().to_rfc3339()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Signs and stores a record of this device's own action. The action is checked against the
    /// cycle's rules first: a refused action is a [`StoreError::Rejected`] and changes nothing.
    pub fn submit(&self, cycle: Uuid, body: Body) -> Result<Uuid> {
        let mut g = self.lock();
        let inner = &mut *g;
        let mut cache = take_cache(inner, cycle)?;
        let precheck = if body.kind() == Kind::Genesis {
            Err(StoreError::Rejected(Exclusion::UntrustedGenesis))
        } else if let Err(e) = body.check_shape(cache.state.pool()) {
            Err(StoreError::Rejected(e))
        } else if cache.state.member_of(&self.key).is_none() {
            Err(StoreError::NotOnRoll(cycle))
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
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Never reuse a sequence number this key already signed, even if this database is new
        // (a reinstalled app with the key restored from the keystore).
        let known = cache
            .state
            .heads
            .get(&self.key)
            .map(|(s, _)| *s)
            .unwrap_or(0);
        let seq = next_seq(&tx)?.max(known + 1);
        let draft = Draft {
            cycle,
            seq,
            time: Utc::now(),
            phase: phase_ref,
            body,
        };
        let rec = SignedRecord::sign(&inner.secret, &draft);
        let decoded = match rec.decode() {
            Ok(d) => Arc::new(d),
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
        insert_record(&tx, cycle, &rec, Some(&decoded), true, true)?;
        bump_seq(&tx, seq)?;
        if !folded {
            cache.records.push(Checked {
                id: rec.id,
                kind: Some(decoded.kind()),
                record: Ok(decoded),
            });
        }
        let cache = finish(tx, fault, cache)?;
        inner.caches.insert(cycle, cache);
        Ok(rec.id)
    }

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

    /// Every record of a cycle, in the order this device stored them.
    pub fn export(&self, cycle: Uuid) -> Result<Vec<SignedRecord>> {
        let g = self.lock();
        let mut stmt = g.conn.prepare_cached(
            "SELECT signed, signature FROM records WHERE cycle_id = ?1 ORDER BY n",
        )?;
        let rows = stmt.query_map([cycle.to_string()], |r| {
            let signed: Vec<u8> = r.get(0)?;
            let sig: Vec<u8> = r.get(1)?;
            Ok((signed, sig))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (signed, sig) = row?;
            let sig: [u8; 64] = sig.try_into().map_err(|_| {
                StoreError::Sqlite(rusqlite::Error::InvalidColumnType(
                    1,
                    "signature".into(),
                    rusqlite::types::Type::Blob,
                ))
            })?;
            out.push(SignedRecord::from_parts(signed, sig));
        }
        Ok(out)
    }

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

    /// The genesis record this device trusts for a cycle (what an invite names), read from the
    /// cycles table without loading the cycle.
    pub fn genesis_id(&self, cycle: Uuid) -> Result<Uuid> {
        genesis_of(&self.lock().conn, cycle)
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
            let tx = inner
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            write_views(&tx, &mut cache)?;
            tx.commit()?;
            inner.caches.insert(cycle, cache);
        }
        Ok(())
    }

    /// Re-verifies every signature of a cycle from the stored bytes and refolds from scratch, as
    /// an auditor does. Returns the state; it must equal [`Store::state`].
    pub fn audit(&self, cycle: Uuid) -> Result<CycleState> {
        let records = self.export(cycle)?;
        let genesis = {
            let g = self.lock();
            genesis_of(&g.conn, cycle)?
        };
        let refs: Vec<&SignedRecord> = records.iter().collect();
        let ok = verify_all(&refs);
        let checked: Vec<Checked> = records
            .iter()
            .zip(ok)
            .map(|(r, ok)| Checked::from_record(r, ok))
            .collect();
        Ok(fold::fold(cycle, genesis, &checked))
    }

    /// Stores a photo or file by the SHA-256 of its bytes (once) and returns the reference a record
    /// carries.
    pub fn put_blob(
        &self,
        bytes: &[u8],
        mime: &str,
        name: &str,
    ) -> Result<crate::record::blob::BlobRef> {
        let r = crate::record::blob::BlobRef::for_bytes(bytes, mime, name);
        r.check_shape()?;
        let g = self.lock();
        g.conn.execute(
            "INSERT OR IGNORE INTO blobs (sha256, mime, bytes, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![r.sha256, r.mime, bytes, Utc::now().to_rfc3339()],
        )?;
        Ok(r)
    }

    /// The bytes of a stored blob, if this device has them.
    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.read(|c| {
            c.query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()
        })
    }

    /// Runs a read-only query on the device database.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let g = self.lock();
        Ok(f(&g.conn)?)
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
fn import_records(
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

/// Folds the cycle again from every record. The old state is dropped first: a 20,000-ballot
/// cycle's state is tens of MB, and a phone should not hold two of them at once.
fn refold(cache: &mut CycleCache, cycle: Uuid) {
    let genesis = cache.state.genesis_id;
    cache.state = CycleState::new(cycle, genesis);
    cache.state = fold::fold(cycle, genesis, &cache.records);
    cache.stale = false;
}

/// Rewrites the views the state marked dirty, inside the caller's transaction. A full rewrite
/// brings the views level with the records, so it clears the cycle's `stale` flag.
fn write_views(tx: &Transaction<'_>, cache: &mut CycleCache) -> Result<()> {
    debug_assert!(
        !cache.stale,
        "a deferred fold is settled before its views are written"
    );
    let dirty = cache.state.take_dirty();
    views::materialise(tx, &cache.state, &dirty)?;
    if dirty.all {
        tx.prepare_cached("UPDATE cycles SET stale = 0 WHERE cycle_id = ?1 AND stale = 1")?
            .execute([cache.state.cycle.to_string()])?;
    }
    Ok(())
}

fn verify_all(records: &[&SignedRecord]) -> Vec<bool> {
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

fn take_cache(inner: &mut Inner, cycle: Uuid) -> Result<CycleCache> {
    let mut cache = cached_or_load(&mut inner.caches, &inner.conn, cycle)?;
    if cache.stale {
        refold(&mut cache, cycle);
    }
    Ok(cache)
}

/// The cycle's cached fold, taken out of the cache, or loaded from the records.
fn cached_or_load(
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

fn genesis_of(conn: &Connection, cycle: Uuid) -> Result<Uuid> {
    let g: Option<String> = conn
        .query_row(
            "SELECT genesis_id FROM cycles WHERE cycle_id = ?1",
            [cycle.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    g.and_then(|s| Uuid::parse_str(&s).ok())
        .ok_or(StoreError::UnknownCycle(cycle))
}

fn cycle_roots(conn: &Connection) -> Result<Vec<(Uuid, Uuid)>> {
    let mut stmt = conn.prepare("SELECT cycle_id, genesis_id FROM cycles ORDER BY cycle_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (c, g) = row?;
        if let (Ok(c), Ok(g)) = (Uuid::parse_str(&c), Uuid::parse_str(&g)) {
            out.push((c, g));
        }
    }
    Ok(out)
}

fn load_cache(conn: &Connection, cycle: Uuid, genesis: Uuid) -> Result<CycleCache> {
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
        records.push(Checked::from_record(
            &SignedRecord::from_parts(signed, s),
            ok,
        ));
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
    Ok(CycleCache {
        state,
        records,
        stale: false,
    })
}

fn next_seq(tx: &Transaction<'_>) -> Result<u64> {
    Ok(tx
        .prepare_cached("SELECT next_seq FROM device WHERE id = 1")?
        .query_row([], |r| r.get::<_, i64>(0))? as u64)
}

fn bump_seq(tx: &Transaction<'_>, used: u64) -> Result<()> {
    tx.prepare_cached("UPDATE device SET next_seq = ?1 WHERE id = 1")?
        .execute([used as i64 + 1])?;
    Ok(())
}

/// Stores a record under the cycle it was delivered for (a record naming another cycle is kept
/// there and excluded as `wrong_cycle`).
fn insert_record(
    tx: &Transaction<'_>,
    cycle: Uuid,
    r: &SignedRecord,
    decoded: Option<&Arc<Record>>,
    sig_ok: bool,
    pending: bool,
) -> Result<()> {
    let inserted = tx.prepare_cached(
        "INSERT OR IGNORE INTO records (id, cycle_id, kind, signer, seq, claimed_time, signed, signature, sig_ok, received_at, to_doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.id.to_string(),
        cycle.to_string(),
        decoded.map(|d| d.kind().as_str()),
        decoded.map(|d| d.signer.to_hex()),
        decoded.map(|d| d.seq as i64),
        decoded.map(|d| d.time.to_rfc3339()),
        r.signed,
        r.signature.as_slice(),
        sig_ok,
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        pending.then_some(1),
    ])?;
    if inserted == 0 {
        return Ok(());
    }
    if let Some(d) = decoded {
        index_blob_refs(tx, cycle, d)?;
    }
    Ok(())
}

/// Notes the photos and attachments a record references, so a sync knows which blobs to fetch.
fn index_blob_refs(tx: &Transaction<'_>, cycle: Uuid, r: &Record) -> Result<()> {
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
fn finish(tx: Transaction<'_>, fault: Option<Fault>, mut cache: CycleCache) -> Result<CycleCache> {
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
