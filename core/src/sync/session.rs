//! One sync session between two devices: the state machine on top of the store's exchange
//! operations.

use super::SyncError;
use super::message::{BlobData, CycleHello, DocPart, Hello, Message};
use crate::identity::DeviceKey;
use crate::store::Store;
use crate::store::docs::{DocId, agreed_digest, heads_digest, rest_digest};
use crate::store::exchange::{DocStates, DocTraffic, HeldCycle, Push};
use automerge::ChangeHash;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use uuid::Uuid;

/// A session stops after this many messages each way (a healthy one needs two or three).
const MAX_ROUNDS: u32 = 200;
/// Blob bytes sent in one message at most.
const BLOB_BYTES_PER_MESSAGE: usize = 32 * 1024 * 1024;
/// Document traffic in one message at most (at least one document is always sent): a first sync
/// of a big cycle goes in several messages, so neither side holds it all in memory at once.
const PART_BYTES_PER_MESSAGE: usize = 1024 * 1024;
/// Blobs asked for in one message at most.
const WANTS_PER_MESSAGE: usize = 256;

/// Which side of the session this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sends the first message and decides when the session ends (a phone).
    Initiator,
    /// Answers every message (a cadre tablet, a hub).
    Responder,
}

/// How a session behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// The cycles to sync (all the device holds when `None`).
    pub cycles: Option<Vec<Uuid>>,
    /// Blobs larger than this are not fetched (a phone on a metered link may set it low).
    pub max_blob_bytes: u64,
    /// The device expected at the other end, if known: its saved sync state lets the first
    /// message carry this device's new changes.
    pub peer_hint: Option<DeviceKey>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            cycles: None,
            max_blob_bytes: crate::record::blob::MAX_BLOB_BYTES,
            peer_hint: None,
        }
    }
}

/// What a session has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Messages sent.
    pub messages_sent: u32,
    /// Messages received.
    pub messages_received: u32,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Records new to this device.
    pub records_received: u64,
    /// Blobs stored.
    pub blobs_received: u64,
    /// Blobs sent.
    pub blobs_sent: u64,
    /// Documents in play (their heads differed at the start).
    pub docs_total: u32,
    /// Map entries ignored because their bytes were not the record their key names.
    pub rejected_entries: u64,
    /// Messages that changed roundtable notes typed together.
    pub notes_changes: u32,
    /// The peer's hello was compact and matched the agreement recorded at the end of the last
    /// session, so only documents changed since were compared.
    pub resumed: bool,
    /// The session has ended.
    pub finished: bool,
}

/// A sync session with one peer. Feed it the peer's messages with [`Session::receive`] and send
/// what it returns; see the module docs for the turn-taking.
pub struct Session {
    store: Arc<Store>,
    role: Role,
    opts: SessionOptions,
    ours: Vec<HeldCycle>,
    peer: Option<DeviceKey>,
    peer_max_blob: u64,
    shared: BTreeSet<Uuid>,
    states: DocStates,
    active: BTreeSet<(Uuid, DocId)>,
    requested: HashSet<[u8; 32]>,
    asked: HashSet<[u8; 32]>,
    peer_wants: Vec<[u8; 32]>,
    reply_hello: Option<Hello>,
    peer_lacks: BTreeSet<(Uuid, DocId)>,
    hello_received: bool,
    done: bool,
    progress: Progress,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("peer", &self.peer.map(|p| p.short()))
            .field("progress", &self.progress)
            .finish()
    }
}

/// The heads a held cycle has for a document (none if the document is empty).
fn heads_of(c: &HeldCycle, d: DocId) -> &[ChangeHash] {
    c.docs
        .iter()
        .find(|(x, _)| *x == d)
        .map(|(_, h)| h.as_slice())
        .unwrap_or(&[])
}

/// The heads a session's states record as agreed with the peer for a document.
fn agreed_of(states: &DocStates, cycle: Uuid, d: DocId) -> [u8; 8] {
    states
        .get(&(cycle, d))
        .map(|s| heads_digest(&s.shared_heads))
        .unwrap_or_else(|| heads_digest(&[]))
}

/// This device's hello. With the peer's recorded agreement (`states`), it is compact: it lists
/// only the documents whose heads moved since, and one digest over the rest.
fn hello_of(store: &Store, ours: &[HeldCycle], max_blob: u64, states: Option<&DocStates>) -> Hello {
    let cycles = ours
        .iter()
        .map(|c| match states {
            None => CycleHello {
                cycle: c.cycle,
                genesis: c.genesis,
                docs: c.docs.iter().map(|(d, h)| (d.0, heads_digest(h))).collect(),
                rest: None,
            },
            Some(states) => {
                let mut listed = Vec::new();
                let mut unlisted = Vec::new();
                for d in DocId::all() {
                    let mine = heads_digest(heads_of(c, d));
                    let agreed = agreed_of(states, c.cycle, d);
                    if mine == agreed {
                        unlisted.push((d, agreed));
                    } else {
                        listed.push((d.0, mine));
                    }
                }
                CycleHello {
                    cycle: c.cycle,
                    genesis: c.genesis,
                    docs: listed,
                    rest: Some(rest_digest(unlisted)),
                }
            }
        })
        .collect();
    Hello {
        device: store.device_key(),
        max_blob,
        cycles,
    }
}

/// What a peer's hello means for this session.
struct Plan {
    peer: DeviceKey,
    shared: BTreeSet<Uuid>,
    differ: BTreeSet<(Uuid, DocId)>,
    peer_lacks: BTreeSet<(Uuid, DocId)>,
    resumed: bool,
}

impl Drop for Session {
    /// A session cut short (a lost connection, an app that gives up) still folds what it
    /// brought, so the screens catch up; if even that fails, the next open does it.
    fn drop(&mut self) {
        if !self.done {
            let _ = self.store.settle();
        }
    }
}

impl Session {
    /// Starts a session as the initiator. Returns the session and the first message to send.
    pub fn initiate(
        store: Arc<Store>,
        opts: SessionOptions,
    ) -> Result<(Session, Vec<u8>), SyncError> {
        let ours = store.sync_prepare(opts.cycles.as_deref())?;
        let mut s = Session::new(store, Role::Initiator, opts);
        s.ours = ours;
        let mut parts = Vec::new();
        let mut hello = None;
        if let Some(hint) = s.opts.peer_hint {
            let keys: Vec<(Uuid, DocId)> = s
                .ours
                .iter()
                .flat_map(|c| DocId::all().map(move |d| (c.cycle, d)))
                .collect();
            s.states = s.store.sync_states(&hint, &keys)?;
            hello = Some(hello_of(
                &s.store,
                &s.ours,
                s.opts.max_blob_bytes,
                Some(&s.states),
            ));
            let mut wanted = Vec::new();
            for c in &s.ours {
                let met_before = c
                    .docs
                    .iter()
                    .any(|(d, _)| !s.states[&(c.cycle, *d)].shared_heads.is_empty());
                for (d, heads) in &c.docs {
                    let shared = &s.states[&(c.cycle, *d)].shared_heads;
                    if heads_digest(shared) != heads_digest(heads) {
                        s.active.insert((c.cycle, *d));
                        let push = if met_before {
                            Push::AllIfFew
                        } else {
                            Push::SinceShared
                        };
                        wanted.push((c.cycle, *d, push));
                    }
                }
            }
            parts = s
                .store
                .sync_generate(&wanted, &mut s.states, PART_BYTES_PER_MESSAGE)?
                .0;
        }
        let hello =
            hello.unwrap_or_else(|| hello_of(&s.store, &s.ours, s.opts.max_blob_bytes, None));
        let msg = Message {
            hello: Some(hello),
            parts: to_parts(parts),
            ..Message::default()
        };
        let bytes = s.sent(msg.encode());
        Ok((s, bytes))
    }

    /// A session as the responder: it waits for the initiator's first message.
    pub fn accept(store: Arc<Store>, opts: SessionOptions) -> Session {
        Session::new(store, Role::Responder, opts)
    }

    fn new(store: Arc<Store>, role: Role, opts: SessionOptions) -> Session {
        Session {
            store,
            role,
            opts,
            ours: Vec::new(),
            peer: None,
            peer_max_blob: 0,
            shared: BTreeSet::new(),
            states: DocStates::new(),
            active: BTreeSet::new(),
            requested: HashSet::new(),
            asked: HashSet::new(),
            peer_wants: Vec::new(),
            reply_hello: None,
            peer_lacks: BTreeSet::new(),
            hello_received: false,
            done: false,
            progress: Progress::default(),
        }
    }

    /// The peer's device key, once its hello has arrived.
    pub fn peer(&self) -> Option<DeviceKey> {
        self.peer
    }

    /// This side's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// What the session has done so far.
    pub fn progress(&self) -> Progress {
        self.progress.clone()
    }

    /// Whether the session has ended (nothing more to send or receive).
    pub fn is_finished(&self) -> bool {
        self.done
    }

    fn sent(&mut self, bytes: Vec<u8>) -> Vec<u8> {
        self.progress.messages_sent += 1;
        self.progress.bytes_sent += bytes.len() as u64;
        bytes
    }

    /// Takes the peer's message. Returns the reply to send, or `None` when the session has ended.
    /// A bad message is a typed error and changes nothing: neither the store nor the session.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Option<Vec<u8>>, SyncError> {
        if self.done {
            return Err(SyncError::Protocol("the session has already ended"));
        }
        if self.progress.messages_received >= MAX_ROUNDS {
            return Err(SyncError::Protocol("too many messages in one session"));
        }
        let mut msg = Message::decode(bytes)?;

        // Everything is checked before anything changes.
        let mut ours = None;
        let mut plan = None;
        let mut reply_hello = None;
        let mut states = self.states.clone();
        match (&msg.hello, self.hello_received) {
            (Some(h), false) => {
                let held = if self.role == Role::Responder {
                    self.store.sync_prepare(self.opts.cycles.as_deref())?
                } else {
                    self.ours.clone()
                };
                if h.device == self.store.device_key() {
                    return Err(SyncError::Protocol("the peer is this device"));
                }
                // The agreement recorded with this peer, for every document of the shared
                // cycles (a wrong hint's states are dropped).
                if self.opts.peer_hint != Some(h.device) {
                    states = DocStates::new();
                }
                let keys: Vec<(Uuid, DocId)> = shared_cycles(h, &held)
                    .flat_map(|c| DocId::all().map(move |d| (c, d)))
                    .filter(|k| !states.contains_key(k))
                    .collect();
                states.extend(self.store.sync_states(&h.device, &keys)?);
                plan = Some(plan_of(h, &held, &states)?);
                if self.role == Role::Responder {
                    reply_hello = Some(hello_of(
                        &self.store,
                        &held,
                        self.opts.max_blob_bytes,
                        Some(&states),
                    ));
                }
                ours = Some(held);
            }
            (Some(_), true) => return Err(SyncError::Protocol("a second hello")),
            (None, false) => return Err(SyncError::Protocol("the first message must be a hello")),
            (None, true) => {}
        }
        let (peer, shared) = match &plan {
            Some(p) => (p.peer, p.shared.clone()),
            None => (self.peer.expect("hello received"), self.shared.clone()),
        };
        for p in &msg.parts {
            if !shared.contains(&p.cycle) {
                return Err(SyncError::UnknownCycle(p.cycle));
            }
            if !DocId(p.doc).is_known() {
                return Err(SyncError::Malformed("unknown document"));
            }
        }
        let parts: Vec<_> = std::mem::take(&mut msg.parts)
            .into_iter()
            .map(|p| (p.cycle, DocId(p.doc), p.push, p.sync))
            .collect();
        let mut blobs = Vec::with_capacity(msg.blobs.len());
        for b in &msg.blobs {
            if !self.requested.contains(&b.sha256) {
                return Err(SyncError::Protocol("a blob that was not asked for"));
            }
            blobs.push((b.sha256, b.bytes.clone()));
        }

        let mut active = self.active.clone();
        if let Some(p) = &plan {
            active.extend(p.differ.iter().copied());
        }
        active.extend(parts.iter().map(|p| (p.0, p.1)));
        let missing: Vec<(Uuid, DocId)> = active
            .iter()
            .filter(|k| !states.contains_key(k))
            .copied()
            .collect();
        states.extend(self.store.sync_states(&peer, &missing)?);

        let applied = self
            .store
            .sync_apply(Some(&peer), &parts, &blobs, &mut states)?;

        // Committed: take it into the session.
        self.progress.messages_received += 1;
        self.progress.bytes_received += bytes.len() as u64;
        self.progress.records_received += applied.new_records as u64;
        self.progress.blobs_received += applied.blobs as u64;
        self.progress.rejected_entries += applied.rejected_entries as u64;
        self.progress.notes_changes += u32::from(applied.notes_changed);
        let first = plan.is_some();
        if let Some(held) = ours {
            self.ours = held;
        }
        if let (Some(h), Some(p)) = (&msg.hello, plan) {
            self.peer = Some(p.peer);
            self.shared = p.shared;
            self.peer_lacks = p.peer_lacks;
            self.progress.resumed = p.resumed;
            self.peer_max_blob = h.max_blob;
            self.hello_received = true;
            self.reply_hello = reply_hello;
        }
        self.states = states;
        self.active = active;
        self.progress.docs_total = self.active.len() as u32;
        for b in &msg.blobs {
            self.requested.remove(&b.sha256);
        }
        for m in &msg.missing {
            self.requested.remove(m);
        }
        self.peer_wants.extend(msg.want.iter().copied());

        match self.role {
            Role::Responder => {
                if msg.done {
                    self.finish(msg.agreed)?;
                    return Ok(None);
                }
                let reply = self.next_message(first, false)?;
                Ok(Some(self.sent(reply.encode())))
            }
            Role::Initiator => {
                let mut in_step = true;
                for (c, d) in &self.active {
                    if !self.store.sync_in_step(*c, *d, &self.states[&(*c, *d)])? {
                        in_step = false;
                        break;
                    }
                }
                let mut reply = self.next_message(false, true)?;
                let finished = in_step
                    && reply.want.is_empty()
                    && self.requested.is_empty()
                    && self.peer_wants.is_empty();
                if finished {
                    reply.done = true;
                    reply.agreed = self.finish(None)?;
                }
                Ok(Some(self.sent(reply.encode())))
            }
        }
    }

    fn next_message(&mut self, first: bool, initiator: bool) -> Result<Message, SyncError> {
        let wanted: Vec<(Uuid, DocId, Push)> = self
            .active
            .iter()
            .map(|k| {
                let st = &self.states[k];
                // Once the peer has sent a sync message for a document, the protocol itself
                // sends what it lacks, except to a peer that holds none of it.
                let peer_has_nothing = st.their_heads.as_ref().is_none_or(|h| h.is_empty());
                let push = if initiator {
                    Push::None
                } else if self.peer_lacks.contains(k) && peer_has_nothing {
                    // The stored document as it is, also when the peer's protocol has already
                    // said it holds nothing, and when it held the document before (a reinstalled
                    // app): see `Store::sync_generate`.
                    Push::Whole
                } else if st.their_heads.is_some() {
                    Push::None
                } else if first {
                    Push::SinceShared
                } else {
                    Push::None
                };
                (k.0, k.1, push)
            })
            .collect();
        let (parts, handled) =
            self.store
                .sync_generate(&wanted, &mut self.states, PART_BYTES_PER_MESSAGE)?;
        for (c, d, _) in &wanted[..handled] {
            self.peer_lacks.remove(&(*c, *d));
        }
        let mut msg = Message {
            hello: if first { self.reply_hello.take() } else { None },
            parts: to_parts(parts),
            ..Message::default()
        };
        // Blobs the peer asked for.
        let mut budget = BLOB_BYTES_PER_MESSAGE;
        let mut left = Vec::new();
        for sha in std::mem::take(&mut self.peer_wants) {
            match self.store.blob(&hex::encode(sha))? {
                Some(bytes) if bytes.len() as u64 <= self.peer_max_blob => {
                    if bytes.len() > budget && !msg.blobs.is_empty() {
                        left.push(sha);
                        continue;
                    }
                    budget = budget.saturating_sub(bytes.len());
                    msg.blobs.push(BlobData {
                        sha256: sha,
                        mime: String::new(),
                        bytes,
                    });
                    self.progress.blobs_sent += 1;
                }
                _ => msg.missing.push(sha),
            }
        }
        self.peer_wants = left;
        // Blobs this device wants, once per session.
        let cycles: Vec<Uuid> = self.shared.iter().copied().collect();
        for w in
            self.store
                .missing_blobs(&cycles, self.opts.max_blob_bytes, WANTS_PER_MESSAGE * 4)?
        {
            if msg.want.len() >= WANTS_PER_MESSAGE {
                break;
            }
            if self.asked.insert(w.sha256) {
                self.requested.insert(w.sha256);
                msg.want.push(w.sha256);
            }
        }
        Ok(msg)
    }

    /// Ends the session and records the agreement with the peer: for every document of the
    /// shared cycles, the heads both sides now hold become the recorded shared heads, so the next
    /// hello can be compact. The initiator returns the agreement's digest for its `done` message;
    /// the responder records it only if its own digest matches the initiator's.
    fn finish(&mut self, theirs: Option<[u8; 8]>) -> Result<Option<[u8; 8]>, SyncError> {
        self.done = true;
        self.progress.finished = true;
        // Records that arrived out of fold order were stored without refolding: fold once now.
        self.store.settle()?;
        let Some(peer) = self.peer else {
            return Ok(None);
        };
        let mut agreed: BTreeMap<(Uuid, DocId), Vec<ChangeHash>> = BTreeMap::new();
        for c in self.ours.iter().filter(|c| self.shared.contains(&c.cycle)) {
            for d in DocId::all() {
                let k = (c.cycle, d);
                let heads = match (self.active.contains(&k), self.states.get(&k)) {
                    // In step: the initiator holds what the responder last announced, and the
                    // responder holds what it last announced.
                    (true, Some(st)) => match self.role {
                        Role::Initiator => st.their_heads.clone().unwrap_or_default(),
                        Role::Responder => st.last_sent_heads.clone(),
                    },
                    (true, None) => Vec::new(),
                    // Not in play: equal on both sides since the hellos.
                    (false, _) => heads_of(c, d).to_vec(),
                };
                agreed.insert(k, heads);
            }
        }
        let digest = agreed_digest(agreed.iter());
        let record = match self.role {
            Role::Initiator => true,
            Role::Responder => theirs == Some(digest),
        };
        if record {
            for (k, heads) in agreed {
                self.states.entry(k).or_default().shared_heads = heads;
            }
        }
        self.store.sync_save_states(&peer, &self.states)?;
        Ok((self.role == Role::Initiator).then_some(digest))
    }
}

/// The cycles both hold (same id and genesis).
fn shared_cycles<'a>(h: &'a Hello, held: &'a [HeldCycle]) -> impl Iterator<Item = Uuid> + 'a {
    h.cycles.iter().filter_map(move |t| {
        held.iter()
            .find(|c| c.cycle == t.cycle && c.genesis == t.genesis)
            .map(|c| c.cycle)
    })
}

/// Checks a peer's hello against what this device holds and the agreement recorded with the peer
/// (`states`), and works out what the session will sync.
fn plan_of(h: &Hello, held: &[HeldCycle], states: &DocStates) -> Result<Plan, SyncError> {
    let empty = heads_digest(&[]);
    let mut plan = Plan {
        peer: h.device,
        shared: BTreeSet::new(),
        differ: BTreeSet::new(),
        peer_lacks: BTreeSet::new(),
        resumed: !h.cycles.is_empty(),
    };
    for theirs in &h.cycles {
        let mut listed: BTreeMap<u16, [u8; 8]> = BTreeMap::new();
        for (d, digest) in &theirs.docs {
            if !DocId(*d).is_known() {
                return Err(SyncError::Malformed("unknown document in hello"));
            }
            listed.insert(*d, *digest);
        }
        let Some(mine) = held
            .iter()
            .find(|c| c.cycle == theirs.cycle && c.genesis == theirs.genesis)
        else {
            continue;
        };
        let c = mine.cycle;
        plan.shared.insert(c);
        let consistent = match theirs.rest {
            None => true,
            Some(rest) => {
                rest == rest_digest(
                    DocId::all()
                        .filter(|d| !listed.contains_key(&d.0))
                        .map(|d| (d, agreed_of(states, c, d))),
                )
            }
        };
        if !consistent || theirs.rest.is_none() {
            plan.resumed = false;
        }
        if !consistent {
            // The records of the last agreement differ (a session cut short on one side, or an
            // app reinstalled since): compare every document. A peer whose unlisted documents
            // are all at empty heads holds nothing of them: those of ours it gets whole.
            plan.differ.extend(DocId::all().map(|d| (c, d)));
            let holds_nothing = theirs.rest
                == Some(rest_digest(
                    DocId::all()
                        .filter(|d| !listed.contains_key(&d.0))
                        .map(|d| (d, empty)),
                ));
            if holds_nothing {
                for d in DocId::all().filter(|d| !listed.contains_key(&d.0)) {
                    if !heads_of(mine, d).is_empty() {
                        plan.peer_lacks.insert((c, d));
                    }
                }
            }
            continue;
        }
        for d in DocId::all() {
            let their_digest = match (listed.get(&d.0), theirs.rest) {
                (Some(x), _) => *x,
                (None, Some(_)) => agreed_of(states, c, d),
                (None, None) => empty,
            };
            let my_heads = heads_of(mine, d);
            if their_digest != heads_digest(my_heads) {
                plan.differ.insert((c, d));
                if their_digest == empty && !my_heads.is_empty() {
                    plan.peer_lacks.insert((c, d));
                }
            }
        }
    }
    Ok(plan)
}

fn to_parts(parts: Vec<DocTraffic>) -> Vec<DocPart> {
    parts
        .into_iter()
        .map(|(cycle, doc, push, sync)| DocPart {
            cycle,
            doc: doc.0,
            push,
            sync,
        })
        .collect()
}
