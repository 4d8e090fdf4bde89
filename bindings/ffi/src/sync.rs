//! Sync through the binding: sessions that yield and accept byte messages (any transport the app
//! carries: Bluetooth, Wi-Fi Direct, a file), the LAN endpoint (serve and connect), bundles for a
//! peer and QR-sized chunks. The app only moves bytes; every rule is in the core.

use crate::error::{CallbackError, LinliError};
use crate::{Device, id};
use linli_core::chunks::{self, Assembler};
use linli_core::identity::DeviceKey;
use linli_core::sync::net::{Server, sync_with};
use linli_core::sync::{Progress, Session, SessionOptions, SyncError};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// How a sync session behaves.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SyncOptions {
    /// The cycles to sync; every cycle the device follows when empty.
    pub cycle_ids: Vec<String>,
    /// Photos larger than this are not fetched (a phone on a metered link sets it low); no limit
    /// beyond the core's when absent.
    pub max_blob_bytes: Option<u64>,
    /// The device key expected at the other end, if known: the first message then already carries
    /// this device's new records, so one new ballot takes one round trip.
    pub peer_key: Option<String>,
}

/// What a session has done so far.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncProgress {
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
    /// Photos and files received.
    pub blobs_received: u64,
    /// Photos and files sent.
    pub blobs_sent: u64,
    /// Map entries ignored because they were not the record their key names (a tampering peer).
    pub rejected_entries: u64,
    /// Roundtable notes typed together changed (refresh the notes screen).
    pub notes_changed: bool,
    /// The two devices picked up where their last session ended.
    pub resumed: bool,
    /// The session has ended.
    pub finished: bool,
}

impl From<Progress> for SyncProgress {
    fn from(p: Progress) -> Self {
        SyncProgress {
            messages_sent: p.messages_sent,
            messages_received: p.messages_received,
            bytes_sent: p.bytes_sent,
            bytes_received: p.bytes_received,
            records_received: p.records_received,
            blobs_received: p.blobs_received,
            blobs_sent: p.blobs_sent,
            rejected_entries: p.rejected_entries,
            notes_changed: p.notes_changes > 0,
            resumed: p.resumed,
            finished: p.finished,
        }
    }
}

/// Receives progress while a LAN sync runs (on the calling thread: keep it short).
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// The session moved on. Raising ends the sync with `LinliError.Sync` code `sync_stopped`
    /// (what was applied so far stays).
    fn on_progress(&self, progress: SyncProgress) -> Result<(), CallbackError>;
}

/// A sync session with one peer. The app carries the bytes: send what `start` (initiator) or
/// `receive` returns to the peer, and hand the peer's messages to `receive`, until `receive`
/// returns nothing or `is_finished` is true. A bad message is a typed error and changes nothing;
/// the session can take the next one.
#[derive(uniffi::Object)]
pub struct SyncSession {
    session: Mutex<Session>,
    first: Mutex<Option<Vec<u8>>>,
    device: Arc<Device>,
}

/// Counters of a running LAN server.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ServerStats {
    /// Sessions that ended normally.
    pub sessions_done: u64,
    /// Sessions that ended with an error (bad bytes, a dropped connection).
    pub sessions_failed: u64,
    /// Records received from all phones.
    pub records_received: u64,
}

/// A running LAN sync server (a cadre tablet or the community-centre PC): each phone on its own
/// thread.
#[derive(uniffi::Object)]
pub struct SyncServer {
    server: Mutex<Option<Server>>,
    address: String,
}

/// Reassembles a bundle from QR chunks scanned in any order.
#[derive(uniffi::Object)]
pub struct ChunkCollector {
    assembler: Mutex<Assembler>,
}

/// How far a chunk collection is.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ChunkStatus {
    /// The bundle the scanned chunk belongs to (hex of its Merkle root): a collector follows up
    /// to four bundles side by side, so a stray chunk of another one never blocks this one.
    pub bundle: String,
    /// Distinct chunks of that bundle received.
    pub received: u32,
    /// Chunks in that bundle.
    pub total: u32,
    /// Every chunk is in: `bundle()` gives the bytes.
    pub complete: bool,
    /// The chunk numbers (from 0) of that bundle still to scan.
    pub missing: Vec<u32>,
}

fn device_key(s: &str) -> Result<DeviceKey, LinliError> {
    DeviceKey::from_hex(s.trim())
        .map_err(|_| LinliError::invalid(format!("not a device key: {s:?}")))
}

fn session_options(o: &SyncOptions) -> Result<SessionOptions, LinliError> {
    let mut out = SessionOptions::default();
    if !o.cycle_ids.is_empty() {
        out.cycles = Some(
            o.cycle_ids
                .iter()
                .map(|c| id(c, "cycle"))
                .collect::<Result<_, _>>()?,
        );
    }
    if let Some(m) = o.max_blob_bytes {
        out.max_blob_bytes = m;
    }
    if let Some(k) = &o.peer_key {
        out.peer_hint = Some(device_key(k)?);
    }
    Ok(out)
}

impl Device {
    fn after_sync(&self, records: u64, notes_changed: bool) {
        if records > 0 || notes_changed {
            self.notify_change(String::new(), "sync", records as u32);
        }
    }
}

#[uniffi::export]
impl Device {
    /// Starts a session as the initiator (a phone). Call `start` on it for the first message.
    pub fn sync_initiate(
        self: Arc<Self>,
        options: SyncOptions,
    ) -> Result<Arc<SyncSession>, LinliError> {
        let opts = session_options(&options)?;
        let (session, first) =
            Session::initiate(self.store()?, opts).map_err(|e| self.sync_err(e))?;
        Ok(Arc::new(SyncSession {
            session: Mutex::new(session),
            first: Mutex::new(Some(first)),
            device: self,
        }))
    }

    /// A session as the responder (a tablet): it waits for the initiator's first message.
    pub fn sync_accept(
        self: Arc<Self>,
        options: SyncOptions,
    ) -> Result<Arc<SyncSession>, LinliError> {
        let opts = session_options(&options)?;
        let session = Session::accept(self.store()?, opts);
        Ok(Arc::new(SyncSession {
            session: Mutex::new(session),
            first: Mutex::new(None),
            device: self,
        }))
    }

    /// Syncs with a device serving at `address` (`host:port`) over TCP, start to end, reporting
    /// progress to `listener`. Remembers who answered there, so the next sync resumes.
    pub fn sync_with(
        &self,
        address: String,
        options: SyncOptions,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncProgress, LinliError> {
        let opts = session_options(&options)?;
        let store = self.store()?;
        let mut report = |p: &Progress| match &listener {
            Some(l) => l
                .on_progress(p.clone().into())
                .map_err(|e| SyncError::Stopped(e.to_string())),
            None => Ok(()),
        };
        let p =
            sync_with(store, address.trim(), opts, &mut report).map_err(|e| self.sync_err(e))?;
        self.after_sync(p.records_received, p.notes_changes > 0);
        Ok(p.into())
    }

    /// The device key of the peer that answered at `address` last time (remembered by
    /// `sync_with`), e.g. for `export_bundle_for` when the network is gone.
    pub fn remembered_peer(&self, address: String) -> Result<Option<String>, LinliError> {
        let key = self
            .store()?
            .remembered_peer(address.trim())
            .map_err(self.err())?;
        Ok(key.map(|k| k.to_hex()))
    }

    /// Serves sync on the LAN at `listen_address` (`0.0.0.0:7878`; port 0 picks a free one) until
    /// `stop`. Keeps the cycles' documents loaded for the phones it serves.
    pub fn serve(&self, listen_address: String) -> Result<Arc<SyncServer>, LinliError> {
        let store = self.store()?;
        store.set_doc_cache_bytes(linli_core::store::docs::HUB_CACHE_BYTES);
        let listener = std::net::TcpListener::bind(listen_address.trim()).map_err(|e| {
            LinliError::invalid(format!("cannot listen on {listen_address:?}: {e}"))
        })?;
        let server = Server::start(store, listener, SessionOptions::default())
            .map_err(|e| self.sync_err(e))?;
        Ok(Arc::new(SyncServer {
            address: server.local_addr().to_string(),
            server: Mutex::new(Some(server)),
        }))
    }

    /// The records of a cycle that the device with `peer_key` lacks according to the last session
    /// with it (everything if they never met), as one bundle.
    pub fn export_bundle_for(
        &self,
        cycle_id: String,
        peer_key: String,
    ) -> Result<Vec<u8>, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let peer = device_key(&peer_key)?;
        let records = self
            .store()?
            .export_for_peer(cycle, &peer)
            .map_err(self.err())?;
        Ok(linli_core::bundle::encode(cycle, &records))
    }
}

#[uniffi::export]
impl SyncSession {
    /// The initiator's first message (once; `None` for a responder or when already taken).
    pub fn start(&self) -> Option<Vec<u8>> {
        self.first.lock().ok().and_then(|mut f| f.take())
    }

    /// Takes the peer's message. Returns the reply to send, or `None` when the session has ended.
    pub fn receive(&self, message: Vec<u8>) -> Result<Option<Vec<u8>>, LinliError> {
        let mut s = self
            .session
            .lock()
            .map_err(|_| LinliError::invalid("the session failed earlier"))?;
        let before = s.progress();
        let reply = s.receive(&message).map_err(|e| self.device.sync_err(e))?;
        let after = s.progress();
        drop(s);
        self.device.after_sync(
            after.records_received - before.records_received,
            after.notes_changes > before.notes_changes,
        );
        Ok(reply)
    }

    /// What the session has done so far.
    pub fn progress(&self) -> SyncProgress {
        self.session
            .lock()
            .map(|s| s.progress().into())
            .unwrap_or_else(|p| p.into_inner().progress().into())
    }

    /// Whether the session has ended.
    pub fn is_finished(&self) -> bool {
        self.progress().finished
    }

    /// The peer's device key, once its first message has arrived.
    pub fn peer_key(&self) -> Option<String> {
        self.session
            .lock()
            .ok()
            .and_then(|s| s.peer())
            .map(|k| k.to_hex())
    }
}

#[uniffi::export]
impl SyncServer {
    /// The address phones connect to (`ip:port`).
    pub fn address(&self) -> String {
        self.address.clone()
    }

    /// Counters so far.
    pub fn stats(&self) -> ServerStats {
        let guard = self.server.lock();
        let Some(s) = guard.as_ref().ok().and_then(|g| g.as_ref()) else {
            return ServerStats {
                sessions_done: 0,
                sessions_failed: 0,
                records_received: 0,
            };
        };
        let st = s.stats();
        ServerStats {
            sessions_done: st.sessions_done.load(Ordering::Relaxed),
            sessions_failed: st.sessions_failed.load(Ordering::Relaxed),
            records_received: st.records_received.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting phones and waits for the running sessions' threads to end. Idempotent.
    pub fn stop(&self) {
        if let Some(s) = self.server.lock().ok().and_then(|mut g| g.take()) {
            s.stop();
        }
    }
}

/// Cuts a bundle into QR-sized chunks (at most 400 bytes each: a version-15 code once shown as
/// [`crate::chunk_to_text`], which a phone's camera reads off another phone's screen). A bundle
/// over about 38 KB is too large for QR codes (`InvalidInput`): send it as a file or sync.
#[uniffi::export]
pub fn bundle_to_chunks(bundle: Vec<u8>) -> Result<Vec<Vec<u8>>, LinliError> {
    chunks::split_for_qr(&bundle).map_err(|e| LinliError::invalid(e.to_string()))
}

#[uniffi::export]
impl ChunkCollector {
    /// An empty collection.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(ChunkCollector {
            assembler: Mutex::new(Assembler::new()),
        })
    }

    /// Adds a scanned chunk (duplicates are ignored). Each chunk proves its place in its bundle:
    /// a damaged or forged one is an error and changes nothing.
    pub fn add(&self, chunk: Vec<u8>) -> Result<ChunkStatus, LinliError> {
        let mut a = self
            .assembler
            .lock()
            .map_err(|_| LinliError::invalid("the collection failed earlier"))?;
        let p = a
            .scan(&chunk)
            .map_err(|e| LinliError::invalid(e.to_string()))?;
        let missing = a.missing_of(&p.bundle).into_iter().map(u32::from).collect();
        Ok(ChunkStatus {
            bundle: hex::encode(p.bundle),
            received: p.held as u32,
            total: p.total as u32,
            complete: p.held == p.total,
            missing,
        })
    }

    /// Adds a chunk from the text a camera scanned (what [`crate::chunk_to_text`] gave the
    /// showing phone). Text that is not a chunk is `InvalidInput` and changes nothing.
    pub fn add_text(&self, text: String) -> Result<ChunkStatus, LinliError> {
        let chunk = chunks::from_text(&text).map_err(|e| LinliError::invalid(e.to_string()))?;
        self.add(chunk)
    }

    /// Drops the chunks of a bundle scanned by mistake (`bundle` from a [`ChunkStatus`]).
    /// Returns whether it was being collected.
    pub fn drop_bundle(&self, bundle: String) -> Result<bool, LinliError> {
        let root: [u8; 32] = hex::decode(bundle.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| LinliError::invalid(format!("not a bundle id: {bundle:?}")))?;
        let mut a = self
            .assembler
            .lock()
            .map_err(|_| LinliError::invalid("the collection failed earlier"))?;
        Ok(a.drop_bundle(&root))
    }

    /// The reassembled bundle, checked against its hash; an error while chunks are missing.
    pub fn bundle(&self) -> Result<Vec<u8>, LinliError> {
        let a = self
            .assembler
            .lock()
            .map_err(|_| LinliError::invalid("the collection failed earlier"))?;
        a.finish().map_err(|e| LinliError::invalid(e.to_string()))
    }
}
