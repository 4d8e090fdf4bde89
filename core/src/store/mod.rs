//! The device store: one SQLite database (WAL) per device holding the device's sequence counter,
//! the cycles it follows, every record it has seen (exact signed bytes, signature verdict cached),
//! and the materialised views the screens read.
//!
//! Every public operation runs in one transaction: it commits whole or leaves the previous state
//! intact. The folded state of each cycle is cached in memory after the first write so that a new
//! ballot or report is applied incrementally; screens never need it (they read the views).

mod audit;
mod bids;
mod blobs;
mod cache;
mod checkpoint;
mod closing;
pub mod docs;
mod error;
pub mod exchange;
mod fault;
mod follow;
mod import;
mod notes;
mod open;
mod participation;
mod query;
pub mod schema;
mod tally_row;
mod timeline;
mod views;
mod write;
mod write_tx;

pub use audit::Audit;
pub use error::{Result, StoreError};
pub use follow::MAX_AWAITING;
pub use import::ImportReport;
pub use notes::NotesDraft;
pub use participation::{CommentView, MeetingView};
pub use query::*;
pub use timeline::TimelineEntry;

#[cfg(any(test, feature = "fault-injection"))]
pub use fault::Fault;

use audit::genesis_of;
use cache::{CycleCache, cached_or_load, load_cache, refold, take_cache, write_views};
#[cfg(not(any(test, feature = "fault-injection")))]
use fault::Fault;
use import::{import_records, verify_all};
use open::cycle_roots;
use write::{finish, index_blob_refs, insert_record};
use write_tx::WriteTx;

use crate::identity::{DeviceKey, DeviceSecret};
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

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
    /// The thread that checkpoints the file store's log (declared after `inner`, so that it
    /// stops after the store's connection has closed and its own connection closes last).
    checkpoints: Option<checkpoint::Checkpoints>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store(device={})", self.key.short())
    }
}

impl Store {
    /// This device's public key.
    pub fn device_key(&self) -> DeviceKey {
        self.key
    }

    /// How many checkpoints (copies of the write-ahead log back into the database file) the
    /// store's own thread has run since the store opened; 0 for an in-memory store. Writes never
    /// wait for them (see `store/checkpoint.rs`): benchmarks report it beside a write's time.
    pub fn background_checkpoints(&self) -> u64 {
        self.checkpoints.as_ref().map_or(0, |c| c.done())
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

    /// Runs a read-only query on the device database.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let g = self.lock();
        Ok(f(&g.conn)?)
    }
}
