//! The Automerge documents that carry a cycle's records between devices.
//!
//! A cycle is split into bounded documents ([`DocId`]) so that merge and load costs stay linear up
//! to 20,000 ballots: the main document (genesis, phases, proposals, deliberation, seal,
//! resolution), roll shards by record id, ballot shards by signer, and works shards (tender to
//! payment) by signer. Each document is a grow-only map from record id to the record's bytes
//! (`signature || signed`). A device writes with one persistent actor; records it stores (its own,
//! or received by bundle) wait in `doc_pending` until the next sync puts them in.
//!
//! Documents are persisted as a compacted snapshot plus appended incremental changes, compacted
//! when the appended part outgrows the snapshot. Loaded documents are kept in a small
//! least-recently-used cache under the store's lock, so every writer sees one copy.

use super::{Result, StoreError};
use crate::record::Home;
use crate::record::envelope::{Record, SignedRecord};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValue, Value};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// Roll-entry shards (by the record id's first byte).
pub const ROLL_SHARDS: u16 = 8;
/// Ballot shards (by the signer key's first byte): 20,000 ballots give ~625 per document.
pub const BALLOT_SHARDS: u16 = 32;
/// Works shards (tender to payment, monitoring reports; by signer).
pub const WORKS_SHARDS: u16 = 4;

const ROLL_BASE: u16 = 1;
const BALLOT_BASE: u16 = 16;
const WORKS_BASE: u16 = 64;
const NOTES_ID: u16 = 96;

/// Compact a document when its appended changes exceed this many bytes and the snapshot's size.
const COMPACT_AFTER_BYTES: i64 = 256 * 1024;
/// Loaded documents kept in memory at most.
const CACHE_DOCS: usize = 48;
/// Loaded documents kept in memory, by their stored size (an Automerge document takes roughly
/// eight times its stored size in memory): 4 MiB holds every ballot shard of a 20,000-ballot
/// cycle, and keeps a phone's first sync of such a cycle under 100 MB.
pub const DEFAULT_CACHE_BYTES: u64 = 4 * 1024 * 1024;
/// What a hub (a cadre tablet or community-centre PC serving many phones) keeps loaded: every
/// document of its cycles (a 20,000-ballot cycle is ~7 MB stored).
pub const HUB_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// One of a cycle's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub u16);

impl DocId {
    /// The main document: genesis, phases, proposals, reviews, roundtables, seal, resolution.
    pub const MAIN: DocId = DocId(0);
    /// Roundtable notes being typed together: collaborative text, not records (see
    /// `Store::notes_open`). The signed roundtable record carries the final text.
    pub const NOTES: DocId = DocId(NOTES_ID);

    /// Whether the document is a map of records (every document but the notes).
    pub fn holds_records(self) -> bool {
        self != DocId::NOTES
    }

    /// The document a record belongs in. Undecodable records go to the main document.
    pub fn for_record(id: Uuid, decoded: Option<&Record>) -> DocId {
        let Some(r) = decoded else {
            return DocId::MAIN;
        };
        match r.kind().home() {
            Home::Main => DocId::MAIN,
            Home::Roll => DocId(ROLL_BASE + u16::from(id.as_bytes()[0]) % ROLL_SHARDS),
            Home::Ballots => DocId(BALLOT_BASE + u16::from(r.signer.0[0]) % BALLOT_SHARDS),
            Home::BallotsById => DocId(BALLOT_BASE + u16::from(id.as_bytes()[0]) % BALLOT_SHARDS),
            Home::Works => DocId(WORKS_BASE + u16::from(r.signer.0[0]) % WORKS_SHARDS),
        }
    }

    /// Every document a cycle can have, in order.
    pub fn all() -> impl Iterator<Item = DocId> {
        std::iter::once(0)
            .chain(ROLL_BASE..ROLL_BASE + ROLL_SHARDS)
            .chain(BALLOT_BASE..BALLOT_BASE + BALLOT_SHARDS)
            .chain(WORKS_BASE..WORKS_BASE + WORKS_SHARDS)
            .chain(std::iter::once(NOTES_ID))
            .map(DocId)
    }

    /// Whether this id names a document this version knows.
    pub fn is_known(self) -> bool {
        let n = self.0;
        n == 0
            || (ROLL_BASE..ROLL_BASE + ROLL_SHARDS).contains(&n)
            || (BALLOT_BASE..BALLOT_BASE + BALLOT_SHARDS).contains(&n)
            || (WORKS_BASE..WORKS_BASE + WORKS_SHARDS).contains(&n)
            || n == NOTES_ID
    }

    /// A readable name: `main`, `roll.3`, `ballots.17`, `works.1`, `notes`.
    pub fn name(self) -> String {
        let n = self.0;
        if n == 0 {
            "main".into()
        } else if n == NOTES_ID {
            "notes".into()
        } else if n < BALLOT_BASE {
            format!("roll.{}", n - ROLL_BASE)
        } else if n < WORKS_BASE {
            format!("ballots.{}", n - BALLOT_BASE)
        } else {
            format!("works.{}", n - WORKS_BASE)
        }
    }
}

/// The first 8 bytes of SHA-256 over a document's heads: equal digests mean equal documents.
pub fn heads_digest(heads: &[ChangeHash]) -> [u8; 8] {
    let mut h = Sha256::new();
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    for c in sorted {
        h.update(c.0);
    }
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// The digest a compact hello carries for the documents it does not list: SHA-256 over
/// `doc u16 LE || heads digest` for each of them in [`DocId::all`] order, first 8 bytes.
pub fn rest_digest(unlisted: impl IntoIterator<Item = (DocId, [u8; 8])>) -> [u8; 8] {
    let mut h = Sha256::new();
    for (d, digest) in unlisted {
        h.update(d.0.to_le_bytes());
        h.update(digest);
    }
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// The digest of an agreement at the end of a session: SHA-256 over
/// `cycle 16 || doc u16 LE || heads digest` for every document of every shared cycle, in order,
/// first 8 bytes.
pub fn agreed_digest<'a>(
    agreed: impl IntoIterator<Item = (&'a (Uuid, DocId), &'a Vec<ChangeHash>)>,
) -> [u8; 8] {
    let mut h = Sha256::new();
    for ((c, d), heads) in agreed {
        h.update(c.as_bytes());
        h.update(d.0.to_le_bytes());
        h.update(heads_digest(heads));
    }
    let d = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

/// Heads as stored: 32 bytes each.
pub(crate) fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// Parses stored heads.
pub(crate) fn decode_heads(bytes: &[u8]) -> Vec<ChangeHash> {
    bytes
        .chunks_exact(32)
        .filter_map(|c| ChangeHash::try_from(c).ok())
        .collect()
}

struct Loaded {
    doc: AutoCommit,
    used: u64,
    /// Stored bytes (snapshot and appended changes) when last loaded or written.
    weight: u64,
}

/// Loaded documents, under the store's lock: least recently used first out, by count and by
/// stored size.
pub(crate) struct DocCache {
    docs: HashMap<(Uuid, DocId), Loaded>,
    clock: u64,
    max_bytes: u64,
}

impl Default for DocCache {
    fn default() -> Self {
        DocCache {
            docs: HashMap::new(),
            clock: 0,
            max_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

impl DocCache {
    /// Sets the stored size of documents kept loaded.
    pub(crate) fn set_max_bytes(&mut self, bytes: u64) {
        self.max_bytes = bytes;
    }

    /// Records a loaded document's stored size after a write.
    pub(crate) fn set_weight(&mut self, cycle: Uuid, doc: DocId, weight: u64) {
        if let Some(l) = self.docs.get_mut(&(cycle, doc)) {
            l.weight = weight;
        }
    }

    /// A document's heads: from memory if loaded, else from its stored row (always equal: every
    /// write to a loaded document is persisted in the same transaction).
    pub(crate) fn heads(
        &mut self,
        conn: &Connection,
        cycle: Uuid,
        doc: DocId,
    ) -> Result<Vec<ChangeHash>> {
        if let Some(l) = self.docs.get_mut(&(cycle, doc)) {
            let mut h = l.doc.get_heads();
            h.sort();
            return Ok(h);
        }
        stored_heads(conn, cycle, doc)
    }

    /// The document, loaded from the database if needed (an empty one if it doesn't exist).
    pub(crate) fn get(
        &mut self,
        conn: &Connection,
        actor: &ActorId,
        cycle: Uuid,
        doc: DocId,
    ) -> Result<&mut AutoCommit> {
        self.clock += 1;
        let now = self.clock;
        if !self.docs.contains_key(&(cycle, doc)) {
            let (loaded, weight) = load(conn, cycle, doc)?;
            let mut total: u64 = self.docs.values().map(|l| l.weight).sum::<u64>() + weight;
            while !self.docs.is_empty() && (self.docs.len() >= CACHE_DOCS || total > self.max_bytes)
            {
                let Some(oldest) = self
                    .docs
                    .iter()
                    .min_by_key(|(_, l)| l.used)
                    .map(|(k, _)| *k)
                else {
                    break;
                };
                if let Some(l) = self.docs.remove(&oldest) {
                    total -= l.weight;
                }
            }
            self.docs.insert(
                (cycle, doc),
                Loaded {
                    doc: loaded.with_actor(actor.clone()),
                    used: now,
                    weight,
                },
            );
        }
        let l = self.docs.get_mut(&(cycle, doc)).expect("inserted above");
        l.used = now;
        Ok(&mut l.doc)
    }

    /// Forgets every loaded document of a cycle (after a failed transaction, so memory never
    /// holds changes the database doesn't).
    pub(crate) fn invalidate(&mut self, cycle: Uuid) {
        self.docs.retain(|(c, _), _| *c != cycle);
    }

    /// Forgets one document (after a failed change: the next use reloads the stored one).
    pub(crate) fn forget(&mut self, cycle: Uuid, doc: DocId) {
        self.docs.remove(&(cycle, doc));
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.docs.clear();
    }
}

/// The stored heads of a document, sorted (empty when it has none).
fn stored_heads(conn: &Connection, cycle: Uuid, doc: DocId) -> Result<Vec<ChangeHash>> {
    let stored: Option<Vec<u8>> = conn
        .prepare_cached("SELECT heads FROM docs WHERE cycle_id = ?1 AND doc = ?2")?
        .query_row(params![cycle.to_string(), doc.0], |r| r.get(0))
        .optional()?;
    let mut h = stored.map(|b| decode_heads(&b)).unwrap_or_default();
    h.sort();
    Ok(h)
}

/// A document as stored: its compacted snapshot, if any, and its appended changes in order.
type StoredParts = (Option<Vec<u8>>, Vec<Vec<u8>>);

/// A document's stored parts ([`StoredParts`]).
fn stored_parts(conn: &Connection, cycle: Uuid, doc: DocId) -> Result<StoredParts> {
    let snapshot: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT bytes FROM doc_snapshots WHERE cycle_id = ?1 AND doc = ?2")?
        .query_row(params![cycle.to_string(), doc.0], |r| r.get(0))
        .optional()?;
    let mut stmt = conn.prepare_cached(
        "SELECT bytes FROM doc_changes WHERE cycle_id = ?1 AND doc = ?2 ORDER BY n",
    )?;
    let changes = stmt
        .query_map(params![cycle.to_string(), doc.0], |r| {
            r.get::<_, Vec<u8>>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((snapshot.flatten(), changes))
}

/// Loads a document from its snapshot and appended changes; also returns their size.
fn load(conn: &Connection, cycle: Uuid, doc: DocId) -> Result<(AutoCommit, u64)> {
    let (snapshot, changes) = stored_parts(conn, cycle, doc)?;
    let broken = |e: automerge::AutomergeError| StoreError::Document {
        doc: doc.name(),
        detail: e.to_string(),
    };
    let mut weight = 0u64;
    let mut d = match snapshot {
        Some(bytes) => {
            weight += bytes.len() as u64;
            AutoCommit::load(&bytes).map_err(broken)?
        }
        None => AutoCommit::new(),
    };
    for bytes in changes {
        weight += bytes.len() as u64;
        d.load_incremental(&bytes).map_err(broken)?;
    }
    Ok((d, weight))
}

/// The device's persistent actor, created on first use.
pub(crate) fn actor(tx: &Connection) -> Result<ActorId> {
    let existing: Option<Vec<u8>> = tx
        .query_row("SELECT actor FROM doc_actor WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    if let Some(a) = existing {
        return Ok(ActorId::from(a));
    }
    let a = ActorId::random();
    tx.execute(
        "INSERT INTO doc_actor (id, actor) VALUES (1, ?1)",
        [a.to_bytes().to_vec()],
    )?;
    Ok(a)
}

/// Persists what changed in a document since `before`: appends the incremental changes, records
/// the new heads, and compacts when the appended part has grown. Returns the document's stored
/// size if anything was written.
pub(crate) fn persist(
    tx: &Connection,
    cycle: Uuid,
    id: DocId,
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    new_records: usize,
    received_whole: Option<&[u8]>,
) -> Result<Option<u64>> {
    let heads = doc.get_heads();
    if heads.as_slice() == before {
        return Ok(None);
    }
    // A document that was empty and is now exactly what a peer pushed is stored as those bytes:
    // encoding it again would give the same document (a first sync saved 9 % of its time).
    let received_whole = received_whole.filter(|_| before.is_empty());
    let incremental = match received_whole {
        Some(bytes) => bytes.to_vec(),
        None => doc.save_after(before),
    };
    let row: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT snapshot_bytes, appended_bytes FROM docs WHERE cycle_id = ?1 AND doc = ?2",
        )?
        .query_row(params![cycle.to_string(), id.0], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (snapshot_len, appended) = row.unwrap_or((0, 0));
    let appended = appended + incremental.len() as i64;
    // The pushed bytes of a document that was empty are its snapshot as they are: the peer
    // saved (compacted) it, so saving it again here would give the same bytes.
    if received_whole.is_some() || appended > COMPACT_AFTER_BYTES.max(snapshot_len) {
        let snapshot = match received_whole {
            Some(_) => incremental,
            None => doc.save(),
        };
        write_snapshot(tx, cycle, id, &heads, &snapshot, new_records)?;
        Ok(Some(snapshot.len() as u64))
    } else {
        let n: i64 = tx
            .prepare_cached(
                "SELECT COALESCE(MAX(n), 0) + 1 FROM doc_changes WHERE cycle_id = ?1 AND doc = ?2",
            )?
            .query_row(params![cycle.to_string(), id.0], |r| r.get(0))?;
        tx.prepare_cached(
            "INSERT INTO doc_changes (cycle_id, doc, n, bytes) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![cycle.to_string(), id.0, n, incremental])?;
        tx.prepare_cached(
            "INSERT INTO docs (cycle_id, doc, snapshot_bytes, heads, appended_bytes, records)
             VALUES (?1, ?2, 0, ?3, ?4, ?5)
             ON CONFLICT (cycle_id, doc) DO UPDATE SET heads = ?3, appended_bytes = ?4,
                 records = records + ?5",
        )?
        .execute(params![
            cycle.to_string(),
            id.0,
            encode_heads(&heads),
            appended,
            new_records as i64
        ])?;
        Ok(Some((snapshot_len + appended) as u64))
    }
}

/// Stores `snapshot` as the whole document (the appended changes go), with its heads.
fn write_snapshot(
    tx: &Connection,
    cycle: Uuid,
    id: DocId,
    heads: &[ChangeHash],
    snapshot: &[u8],
    new_records: usize,
) -> Result<()> {
    tx.prepare_cached("DELETE FROM doc_changes WHERE cycle_id = ?1 AND doc = ?2")?
        .execute(params![cycle.to_string(), id.0])?;
    tx.prepare_cached(
        "INSERT INTO doc_snapshots (cycle_id, doc, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (cycle_id, doc) DO UPDATE SET bytes = ?3",
    )?
    .execute(params![cycle.to_string(), id.0, snapshot])?;
    tx.prepare_cached(
        "INSERT INTO docs (cycle_id, doc, snapshot_bytes, heads, appended_bytes, records)
         VALUES (?1, ?2, ?3, ?4, 0, ?5)
         ON CONFLICT (cycle_id, doc) DO UPDATE SET snapshot_bytes = ?3, heads = ?4,
             appended_bytes = 0, records = records + ?5",
    )?
    .execute(params![
        cycle.to_string(),
        id.0,
        snapshot.len() as i64,
        encode_heads(heads),
        new_records as i64
    ])?;
    Ok(())
}

/// The whole document as one compact snapshot, for a peer that holds none of it: the stored
/// snapshot when nothing was appended to it since; otherwise the document saved once and
/// stored as its snapshot, so that the next new phone gets those bytes as they are. A hub
/// serving a hall of new phones then encodes each version of a document once, not once per
/// phone, and what it sends is compact (appended changes are about twice the size). Returns
/// the bytes and, when it compacted, the document's new stored size.
pub(crate) fn compact_whole(
    conn: &Connection,
    cycle: Uuid,
    id: DocId,
    doc: &mut AutoCommit,
) -> Result<(Vec<u8>, Option<u64>)> {
    let heads = doc.get_heads();
    let mut wanted = heads.clone();
    wanted.sort();
    let stored = stored_heads(conn, cycle, id)?;
    if stored != wanted {
        // Not the stored document (it cannot be here, but then nothing is written).
        return Ok((doc.save(), None));
    }
    if let (Some(snapshot), changes) = stored_parts(conn, cycle, id)?
        && changes.is_empty()
    {
        return Ok((snapshot, None));
    }
    let snapshot = doc.save();
    let tx = conn.unchecked_transaction()?;
    write_snapshot(&tx, cycle, id, &heads, &snapshot, 0)?;
    tx.commit()?;
    let size = snapshot.len() as u64;
    Ok((snapshot, Some(size)))
}

/// Puts every pending record of a cycle into its document (one change per document) and persists
/// the documents. Returns the documents that changed.
pub(crate) fn flush_pending(
    tx: &Connection,
    cache: &mut DocCache,
    actor: &ActorId,
    cycle: Uuid,
) -> Result<Vec<DocId>> {
    let mut by_doc: HashMap<DocId, Vec<SignedRecord>> = HashMap::new();
    let key = cycle.to_string();
    // Every record stored outside the documents since the last flush (after the cycle's mark).
    let (upto, last): (i64, i64) = tx
        .prepare_cached(
            "SELECT docs_upto, (SELECT COALESCE(MAX(n), 0) FROM records WHERE cycle_id = ?1)
             FROM cycles WHERE cycle_id = ?1",
        )?
        .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0));
    {
        let mut stmt = tx.prepare_cached(
            "SELECT signed, signature FROM records
             WHERE cycle_id = ?1 AND n > ?2 AND to_doc = 1",
        )?;
        let rows = stmt.query_map(params![key, upto], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (signed, sig) = row?;
            let mut s = [0u8; 64];
            if sig.len() == 64 {
                s.copy_from_slice(&sig);
            }
            let rec = SignedRecord::from_parts(signed, s);
            let decoded = rec.decode().ok();
            by_doc
                .entry(DocId::for_record(rec.id, decoded.as_ref()))
                .or_default()
                .push(rec);
        }
    }
    // In id order, the order of the document's map: Automerge's columns then encode the
    // operations' counters as a run (arrival order made a first sync ~1% larger).
    for recs in by_doc.values_mut() {
        recs.sort_unstable_by_key(|r| r.id);
    }
    let mut touched: Vec<DocId> = by_doc.keys().copied().collect();
    touched.sort();
    for id in &touched {
        let doc = cache.get(tx, actor, cycle, *id)?;
        let before = doc.get_heads();
        let recs = &by_doc[id];
        let mut added = 0;
        for rec in recs {
            let key = rec.id.to_string();
            if doc.get(ROOT, key.as_str()).ok().flatten().is_some() {
                continue;
            }
            doc.put(ROOT, key, ScalarValue::Bytes(rec.to_bytes()))
                .map_err(|e| StoreError::Document {
                    doc: id.name(),
                    detail: e.to_string(),
                })?;
            added += 1;
        }
        doc.commit();
        if let Some(w) = persist(tx, cycle, *id, doc, &before, added, None)? {
            cache.set_weight(cycle, *id, w);
        }
    }
    if last > upto {
        tx.prepare_cached("UPDATE cycles SET docs_upto = ?2 WHERE cycle_id = ?1")?
            .execute(params![key, last])?;
    }
    Ok(touched)
}

/// The records a document gained between two sets of heads. Entries whose bytes don't hash to
/// their key are not records (a peer wrote garbage into the map): they are counted, not returned.
pub(crate) fn records_between(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> (Vec<SignedRecord>, usize) {
    // A document seen for the first time: every key (a diff would also clone every value into a
    // patch, tripling a first sync's memory). Otherwise the diff, which is incremental.
    let mut keys: Vec<String> = if before.is_empty() {
        doc.keys_at(ROOT, after).collect()
    } else {
        doc.diff(before, after)
            .into_iter()
            .filter(|p| p.obj == ROOT)
            .filter_map(|p| match p.action {
                automerge::PatchAction::PutMap { key, .. } => Some(key),
                _ => None,
            })
            .collect()
    };
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    let mut rejected = 0;
    for key in keys {
        let values = doc
            .get_all_at(ROOT, key.as_str(), after)
            .unwrap_or_default();
        // Concurrent puts of one key can hold different copies (a damaged signature next to the
        // genuine one): every copy is offered, and the import takes the one that verifies.
        let mut copies: Vec<SignedRecord> = Vec::new();
        for (v, _) in values {
            if let Value::Scalar(s) = v {
                if let ScalarValue::Bytes(b) = s.as_ref() {
                    if let Ok(rec) = SignedRecord::from_bytes(b) {
                        if rec.id.to_string() == key {
                            if !copies.contains(&rec) {
                                copies.push(rec);
                            }
                            continue;
                        }
                    }
                }
            }
            rejected += 1;
        }
        out.extend(copies);
    }
    (out, rejected)
}

/// Every non-empty document of a cycle with its heads, from the database (no loading).
pub(crate) fn list(conn: &Connection, cycle: Uuid) -> Result<Vec<(DocId, Vec<ChangeHash>)>> {
    let mut stmt =
        conn.prepare_cached("SELECT doc, heads FROM docs WHERE cycle_id = ?1 ORDER BY doc")?;
    let rows = stmt.query_map([cycle.to_string()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (d, h) = row?;
        out.push((DocId(d as u16), decode_heads(&h)));
    }
    Ok(out)
}

/// Checks that bytes are a sequence of whole Automerge chunks (document or change chunks: magic,
/// checksum, type, length, data) before they are loaded, so that bytes which are not Automerge
/// data are refused instead of silently skipped.
pub(crate) fn check_chunks(mut bytes: &[u8]) -> std::result::Result<(), &'static str> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    if bytes.is_empty() {
        return Err("no chunks");
    }
    while !bytes.is_empty() {
        if bytes.len() < 9 || bytes[..4] != MAGIC {
            return Err("not an Automerge chunk");
        }
        if bytes[8] > 2 {
            return Err("unknown Automerge chunk type");
        }
        let mut len: u64 = 0;
        let mut shift = 0;
        let mut i = 9;
        loop {
            let Some(&b) = bytes.get(i) else {
                return Err("truncated Automerge chunk length");
            };
            if shift > 56 {
                return Err("Automerge chunk length overflows");
            }
            len |= u64::from(b & 0x7f) << shift;
            shift += 7;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let end = (i as u64)
            .checked_add(len)
            .filter(|e| *e <= bytes.len() as u64)
            .ok_or("truncated Automerge chunk")?;
        bytes = &bytes[end as usize..];
    }
    Ok(())
}
