//! The store's side of a sync session: listing documents, applying a peer's document traffic and
//! blobs in one transaction, generating replies, and keeping per-peer sync state.
//!
//! Every method takes the store's lock once and runs one transaction. If anything fails, the
//! transaction rolls back, the loaded documents of the cycles involved are dropped from memory and
//! the caller's sync states are restored, so a bad message changes nothing.

use super::WriteTx;
use super::docs::{self, DocId};
use super::{Result, Store, StoreError, import_records};
use crate::identity::DeviceKey;
use crate::record::envelope::SignedRecord;
use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use uuid::Uuid;

/// Sync states of one session, keyed by (cycle, document).
pub type DocStates = BTreeMap<(Uuid, DocId), sync::State>;

/// Traffic for one document: cycle, document, pushed chunks, encoded sync message.
pub type DocTraffic = (Uuid, DocId, Vec<u8>, Vec<u8>);

/// At most this many changes are pushed unasked; more go through the sync protocol.
const PUSH_MAX_CHANGES: usize = 64;

/// What a peer's traffic brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Records new to this device.
    pub new_records: usize,
    /// Map entries that are not records (bytes that don't hash to their key). Traffic that
    /// carries any is refused whole, so an applied message always reports 0.
    pub rejected_entries: usize,
    /// Blobs stored.
    pub blobs: usize,
    /// Roundtable notes changed (someone typed in a shared draft).
    pub notes_changed: bool,
}

/// How the first message for a document is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Only a sync message.
    None,
    /// Push the changes since the state last shared with this peer (if any, and few enough).
    SinceShared,
    /// The peer has nothing of this document: push all of it as one saved document.
    Whole,
    /// The document is new since this device last met the peer: push its changes if few.
    AllIfFew,
}

/// A blob the peer should get, or that this device wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobWant {
    /// SHA-256.
    pub sha256: [u8; 32],
    /// Declared size.
    pub size: u64,
}

/// A cycle this device holds, with its documents' heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCycle {
    /// The cycle.
    pub cycle: Uuid,
    /// Its trusted genesis.
    pub genesis: Uuid,
    /// Non-empty documents and their heads.
    pub docs: Vec<(DocId, Vec<ChangeHash>)>,
}

fn automerge_err(doc: DocId, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Document {
        doc: doc.name(),
        detail: detail.to_string(),
    }
}

/// Runs an Automerge call on untrusted bytes; a panic inside it becomes an error.
fn guarded<T>(doc: DocId, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(automerge_err(
            doc,
            "the document library panicked on these bytes",
        )),
    }
}

impl Store {
    /// Puts pending records into their documents and lists the cycles this device holds (all, or
    /// those in `only`) with their documents' heads.
    pub fn sync_prepare(&self, only: Option<&[Uuid]>) -> Result<Vec<HeldCycle>> {
        let mut g = self.lock();
        let inner = &mut *g;
        let roots = super::cycle_roots(&inner.conn)?;
        let roots: Vec<(Uuid, Uuid)> = roots
            .into_iter()
            .filter(|(c, _)| only.is_none_or(|o| o.contains(c)))
            .collect();
        let tx = WriteTx::begin(&inner.conn)?;
        let mut out = Vec::new();
        for (cycle, genesis) in &roots {
            if let Err(e) = docs::flush_pending(&tx, &mut inner.docs, &inner.actor, *cycle) {
                drop(tx);
                for (c, _) in &roots {
                    inner.docs.invalidate(*c);
                }
                return Err(e);
            }
            out.push(HeldCycle {
                cycle: *cycle,
                genesis: *genesis,
                docs: docs::list(&tx, *cycle)?,
            });
        }
        if let Err(e) = tx.commit() {
            for (c, _) in &roots {
                inner.docs.invalidate(*c);
            }
            return Err(e.into());
        }
        Ok(out)
    }

    /// The sync states saved for a peer, for the given documents (fresh states where none).
    pub fn sync_states(&self, peer: &DeviceKey, keys: &[(Uuid, DocId)]) -> Result<DocStates> {
        let g = self.lock();
        let mut stmt = g.conn.prepare_cached(
            "SELECT state FROM peer_docs WHERE peer_key = ?1 AND cycle_id = ?2 AND doc = ?3",
        )?;
        let mut out = DocStates::new();
        for (cycle, doc) in keys {
            let saved: Option<Vec<u8>> = stmt
                .query_row(params![peer.to_hex(), cycle.to_string(), doc.0], |r| {
                    r.get(0)
                })
                .optional()?;
            let state = saved
                .and_then(|b| sync::State::decode(&b).ok())
                .unwrap_or_default();
            out.insert((*cycle, *doc), state);
        }
        Ok(out)
    }

    /// Applies a peer's document traffic and blobs in one transaction: pushed changes, Automerge
    /// sync messages, the records they bring (verified, stored, folded, views updated), the blobs
    /// (each checked against its hash), and the peer's sync states. On any error nothing is
    /// changed and `states` is restored.
    pub fn sync_apply(
        &self,
        peer: Option<&DeviceKey>,
        parts: &[DocTraffic],
        blobs: &[([u8; 32], Vec<u8>)],
        states: &mut DocStates,
    ) -> Result<Applied> {
        let saved_states = states.clone();
        let mut g = self.lock();
        let inner = &mut *g;
        let cycles: BTreeSet<Uuid> = parts.iter().map(|p| p.0).collect();
        let result = (|| -> Result<Applied> {
            let tx = WriteTx::begin(&inner.conn)?;
            let mut applied = Applied::default();
            let mut by_cycle: HashMap<Uuid, Vec<SignedRecord>> = HashMap::new();
            for (cycle, id, push, msg) in parts {
                super::genesis_of(&tx, *cycle)?;
                let doc = inner.docs.get(&tx, &inner.actor, *cycle, *id)?;
                let before = doc.get_heads();
                let state = states.entry((*cycle, *id)).or_default();
                let mut pushed_heads = None;
                guarded(*id, || {
                    if !push.is_empty() {
                        docs::check_chunks(push).map_err(|e| automerge_err(*id, e))?;
                        doc.load_incremental(push)
                            .map_err(|e| automerge_err(*id, e))?;
                        pushed_heads = Some(doc.get_heads());
                    }
                    if !msg.is_empty() {
                        let m = sync::Message::decode(msg).map_err(|e| automerge_err(*id, e))?;
                        doc.sync()
                            .receive_sync_message(state, m)
                            .map_err(|e| automerge_err(*id, e))?;
                    }
                    Ok(())
                })?;
                let after = doc.get_heads();
                if after != before && !id.holds_records() {
                    // Collaborative notes: no records to import, only the document to store.
                    if let Some(w) = docs::persist(&tx, *cycle, *id, doc, &before, 0, None)? {
                        inner.docs.set_weight(*cycle, *id, w);
                    }
                    applied.notes_changed = true;
                } else if after != before {
                    let (recs, rejected) =
                        guarded(*id, || Ok(docs::records_between(doc, &before, &after)))?;
                    if rejected > 0 {
                        return Err(automerge_err(
                            *id,
                            format!("{rejected} entries are not records under their own id"),
                        ));
                    }
                    // The document was empty and only the push changed it (the sync message
                    // beside it, if any, brought nothing more): it is the push.
                    let whole = (before.is_empty() && pushed_heads.as_ref() == Some(&after))
                        .then_some(push.as_slice());
                    if let Some(w) =
                        docs::persist(&tx, *cycle, *id, doc, &before, recs.len(), whole)?
                    {
                        inner.docs.set_weight(*cycle, *id, w);
                    }
                    by_cycle.entry(*cycle).or_default().extend(recs);
                }
            }
            for (cycle, recs) in by_cycle {
                let mut cache = super::cached_or_load(&mut inner.caches, &tx, cycle)?;
                let report = import_records(&tx, &mut cache, cycle, &recs, false, true)?;
                // A document entry that fails the door (damaged, forged, another cycle's) was
                // put there by a device that should not have: the whole message is refused, so
                // junk never settles in this device's documents and never spreads from here.
                if let Some((id, reason)) = report.refused.first() {
                    return Err(StoreError::Document {
                        doc: "records".into(),
                        detail: format!("entry {id} refused: {}", reason.code()),
                    });
                }
                applied.new_records += report.new;
                if !cache.stale {
                    super::write_views(&tx, &mut cache)?;
                }
                inner.caches.insert(cycle, cache);
            }
            for (sha, bytes) in blobs {
                let want: Option<(i64, String)> = tx
                    .prepare_cached("SELECT size, mime FROM blob_refs WHERE sha256 = ?1 LIMIT 1")?
                    .query_row([hex::encode(sha)], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((size, mime)) = want else {
                    return Err(StoreError::Rejected(crate::Exclusion::Malformed {
                        detail: format!("blob {} was not asked for", hex::encode(sha)),
                    }));
                };
                let actual: [u8; 32] = Sha256::digest(bytes).into();
                if &actual != sha || bytes.len() as i64 != size {
                    return Err(StoreError::BlobMismatch {
                        sha256: hex::encode(sha),
                    });
                }
                applied.blobs += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO blobs (sha256, mime, bytes, added_at) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![hex::encode(sha), mime, bytes, Utc::now().to_rfc3339()])?;
            }
            if let Some(peer) = peer {
                save_states(&tx, peer, states)?;
            }
            let fault = inner.fault.take();
            if fault.is_some() {
                return Err(StoreError::Injected("during sync"));
            }
            tx.commit()?;
            Ok(applied)
        })();
        if result.is_err() {
            *states = saved_states;
            for c in &cycles {
                inner.docs.invalidate(*c);
                inner.caches.remove(c);
            }
        }
        result
    }

    /// Builds the document traffic for a peer: for each document, an optional push and the next
    /// Automerge sync message (if the protocol has anything to say). Stops once the traffic
    /// reaches `max_bytes` (always taking at least one document), so a big first sync goes in
    /// several messages and only a few documents need to be in memory at once. Returns the
    /// traffic and how many of `wanted` (a prefix) were handled; the rest are untouched.
    ///
    /// Documents the peer is known to hold exactly are skipped without loading them.
    pub fn sync_generate(
        &self,
        wanted: &[(Uuid, DocId, Push)],
        states: &mut DocStates,
        max_bytes: usize,
    ) -> Result<(Vec<DocTraffic>, usize)> {
        let mut g = self.lock();
        let inner = &mut *g;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut handled = 0;
        for (cycle, id, push) in wanted {
            if bytes >= max_bytes && !out.is_empty() {
                break;
            }
            handled += 1;
            let state = states.entry((*cycle, *id)).or_default();
            if *push == Push::None && state.have_responded {
                let ours = inner.docs.heads(&inner.conn, *cycle, *id)?;
                let mut theirs = state.their_heads.clone().unwrap_or_default();
                theirs.sort();
                let mut sent = state.last_sent_heads.clone();
                sent.sort();
                // Same heads on both sides and already said so: Automerge itself would send
                // nothing.
                if state.their_heads.is_some() && theirs == ours && sent == ours {
                    continue;
                }
                // Still waiting for the peer to answer what was sent, and nothing new since.
                if state.in_flight && sent == ours {
                    continue;
                }
            }
            let doc: &mut AutoCommit = inner.docs.get(&inner.conn, &inner.actor, *cycle, *id)?;
            let mut compacted = None;
            let pushed = match push {
                Push::None => Vec::new(),
                Push::Whole => {
                    if doc.is_empty() {
                        Vec::new()
                    } else {
                        let (bytes, size) = docs::compact_whole(&inner.conn, *cycle, *id, doc)?;
                        compacted = size;
                        bytes
                    }
                }
                Push::SinceShared | Push::AllIfFew => {
                    if state.shared_heads.is_empty() && *push == Push::SinceShared {
                        Vec::new()
                    } else {
                        let changes = doc.get_changes(&state.shared_heads);
                        if changes.len() > PUSH_MAX_CHANGES {
                            Vec::new()
                        } else {
                            changes
                                .iter()
                                .flat_map(|c| c.raw_bytes().to_vec())
                                .collect()
                        }
                    }
                }
            };
            if *push == Push::Whole && !pushed.is_empty() {
                // The push is the whole document, for a peer that holds none of it (a new phone,
                // or one reinstalled since the states saved for it). The protocol starts afresh
                // beside it: answering the peer's empty heads, Automerge would encode the
                // document again and send it a second time; and heads shared with an earlier
                // install would make it ask the peer for a reset first.
                let capabilities = state.their_capabilities.take();
                *state = automerge::sync::State::new();
                state.their_capabilities = capabilities;
            }
            let msg = doc
                .sync()
                .generate_sync_message(state)
                .map(|m| m.encode())
                .unwrap_or_default();
            if let Some(size) = compacted {
                inner.docs.set_weight(*cycle, *id, size);
            }
            if !pushed.is_empty() || !msg.is_empty() {
                bytes += pushed.len() + msg.len();
                out.push((*cycle, *id, pushed, msg));
            }
        }
        Ok((out, handled))
    }

    /// Whether this device's heads for a document equal the peer's last announced heads (read
    /// without loading the document).
    pub fn sync_in_step(&self, cycle: Uuid, id: DocId, state: &sync::State) -> Result<bool> {
        let mut g = self.lock();
        let inner = &mut *g;
        let ours = inner.docs.heads(&inner.conn, cycle, id)?;
        Ok(state.their_heads.as_ref().is_some_and(|t| {
            let mut t = t.clone();
            t.sort();
            t == ours
        }))
    }

    /// Sets how much of the cycle documents stays loaded in memory, in stored bytes (default
    /// [`docs::DEFAULT_CACHE_BYTES`]). A cadre tablet serving many phones may raise it; loaded
    /// documents take roughly eight times their stored size.
    pub fn set_doc_cache_bytes(&self, bytes: u64) {
        self.lock().docs.set_max_bytes(bytes);
    }

    /// Saves a session's sync states for the peer.
    pub fn sync_save_states(&self, peer: &DeviceKey, states: &DocStates) -> Result<()> {
        let mut g = self.lock();
        let tx = g.conn.transaction()?;
        save_states(&tx, peer, states)?;
        tx.commit()?;
        Ok(())
    }

    /// Blobs referenced by the given cycles' records that this device lacks, up to `max_size`
    /// bytes each, at most `limit` of them.
    pub fn missing_blobs(
        &self,
        cycles: &[Uuid],
        max_size: u64,
        limit: usize,
    ) -> Result<Vec<BlobWant>> {
        let g = self.lock();
        let mut stmt = g.conn.prepare_cached(
            "SELECT DISTINCT sha256, size FROM blob_refs r WHERE cycle_id = ?1 AND size <= ?2
             AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = r.sha256) ORDER BY sha256",
        )?;
        let mut out = Vec::new();
        for c in cycles {
            let rows = stmt.query_map(
                params![c.to_string(), max_size.min(i64::MAX as u64) as i64],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?;
            for row in rows {
                let (h, size) = row?;
                if let Ok(b) = hex::decode(&h) {
                    if let Ok(sha256) = <[u8; 32]>::try_from(b.as_slice()) {
                        if !out.iter().any(|w: &BlobWant| w.sha256 == sha256) {
                            out.push(BlobWant {
                                sha256,
                                size: size as u64,
                            });
                        }
                    }
                }
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// The peer that answered at a network endpoint last time.
    pub fn remembered_peer(&self, endpoint: &str) -> Result<Option<DeviceKey>> {
        let g = self.lock();
        let k: Option<String> = g
            .conn
            .query_row(
                "SELECT peer_key FROM peer_endpoints WHERE endpoint = ?1",
                [endpoint],
                |r| r.get(0),
            )
            .optional()?;
        Ok(k.and_then(|k| DeviceKey::from_hex(&k).ok()))
    }

    /// Remembers which device answered at a network endpoint.
    pub fn remember_peer(&self, endpoint: &str, peer: &DeviceKey) -> Result<()> {
        let g = self.lock();
        g.conn.execute(
            "INSERT INTO peer_endpoints (endpoint, peer_key, last_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (endpoint) DO UPDATE SET peer_key = ?2, last_seen = ?3",
            params![endpoint, peer.to_hex(), Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// The records a peer lacks according to the state last shared with it: every record added to
    /// a document since, plus records not yet in any document. Everything when the peer is
    /// unknown.
    pub fn export_for_peer(&self, cycle: Uuid, peer: &DeviceKey) -> Result<Vec<SignedRecord>> {
        let held = self.sync_prepare(Some(&[cycle]))?;
        let Some(held) = held.into_iter().next() else {
            return Err(StoreError::UnknownCycle(cycle));
        };
        let keys: Vec<(Uuid, DocId)> = held.docs.iter().map(|(d, _)| (cycle, *d)).collect();
        let states = self.sync_states(peer, &keys)?;
        let mut g = self.lock();
        let inner = &mut *g;
        let mut out = Vec::new();
        for (id, heads) in &held.docs {
            let shared = &states[&(cycle, *id)].shared_heads;
            if shared == heads || !id.holds_records() {
                continue;
            }
            let doc = inner.docs.get(&inner.conn, &inner.actor, cycle, *id)?;
            let (recs, _) = docs::records_between(doc, shared, heads);
            out.extend(recs);
        }
        Ok(out)
    }

    /// Sizes of a cycle's stored documents: (document, records, snapshot bytes, appended bytes).
    pub fn doc_sizes(&self, cycle: Uuid) -> Result<Vec<(String, u64, u64, u64)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT doc, records, snapshot_bytes, appended_bytes FROM docs
                 WHERE cycle_id = ?1 ORDER BY doc",
            )?;
            let rows = stmt.query_map([cycle.to_string()], |r| {
                Ok((
                    DocId(r.get::<_, i64>(0)? as u16).name(),
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                ))
            })?;
            rows.collect()
        })
    }
}

fn save_states(tx: &rusqlite::Connection, peer: &DeviceKey, states: &DocStates) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO peer_docs (peer_key, cycle_id, doc, state) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (peer_key, cycle_id, doc) DO UPDATE SET state = ?4",
    )?;
    for ((cycle, doc), st) in states {
        stmt.execute(params![
            peer.to_hex(),
            cycle.to_string(),
            doc.0,
            st.encode()
        ])?;
    }
    Ok(())
}
