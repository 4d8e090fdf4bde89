//! Copying the write-ahead log back into the database file (a WAL checkpoint) on a thread of the
//! store's own, so that no write waits for it.
//!
//! SQLite's default runs the checkpoint inside the commit that takes the log past 1,000 pages:
//! every ~170th vote paid 7–14 ms to copy the pages of the 169 before it and sync the file. Here
//! the store's connection only notes that the log is due (SQLite's WAL hook, which replaces the
//! automatic checkpoint) and a second connection, on a thread started the first time the log is
//! due, runs the same passive checkpoint: it copies what no reader still needs and never blocks
//! a writer. The work is the same; the resident's vote no longer waits for it. A store that only
//! reads never starts the thread, and an in-memory store has no log.
//!
//! Should the thread not start, or its connection not open, or the log reach [`INLINE_PAGES`]
//! because writes come faster than the thread copies them, the commit checkpoints inline as
//! SQLite would have.

use rusqlite::Connection;
use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Log size, in pages, at which a checkpoint is due: SQLite's default automatic checkpoint.
pub(super) const DUE_PAGES: i32 = 1_000;

/// Log size at which a commit checkpoints inline after all: writes coming faster than the thread
/// copies them (a hub taking a hall's sync sessions back to back) must not grow the log without
/// bound. 8,000 pages of 4 KiB are 32 MiB.
pub(super) const INLINE_PAGES: i32 = 8 * DUE_PAGES;

/// What the store's connection and the checkpoint thread share.
#[derive(Debug)]
struct Shared {
    path: PathBuf,
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// A checkpoint is due.
    due: bool,
    /// The store is closing: the thread ends.
    stop: bool,
    /// The thread could not open its connection: commits checkpoint inline.
    failed: bool,
    /// The thread, once started.
    thread: Option<JoinHandle<()>>,
    /// Checkpoints the thread has run (for tests and benchmarks).
    done: u64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing in the state can be left half-changed by a panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The store's handle on its checkpoint thread: dropping it (as the store closes) stops the
/// thread and waits for it, and the thread's connection, the last to close, checkpoints what is
/// left and removes the log as SQLite does.
#[derive(Debug)]
pub(super) struct Checkpoints(Arc<Shared>);

impl Checkpoints {
    /// Installs the hook on a file store's connection. `None` for an in-memory store.
    pub(super) fn install(conn: &mut Connection) -> rusqlite::Result<Option<Checkpoints>> {
        let path = match conn.path() {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => return Ok(None),
        };
        let shared = Arc::new(Shared {
            path,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        });
        let hook = Arc::clone(&shared);
        // A checkpoint is due each time the log has grown by another `DUE_PAGES` since the last
        // one was asked for, not on every commit past the first 1,000 pages: until a checkpoint
        // has finished and a write has started the log again from its beginning, the log's
        // length stays above it, and asking on every commit ran a checkpoint (and a disk sync)
        // every few votes.
        let mut next_due = DUE_PAGES;
        conn.wal_hook(Some(move |wal: &mut Wal, pages: i32| {
            if pages + DUE_PAGES < next_due {
                // The log started again.
                next_due = DUE_PAGES;
            }
            let ask = pages >= next_due;
            if ask {
                next_due = pages + DUE_PAGES;
            }
            if pages >= INLINE_PAGES || (ask && !due(&hook)) {
                // An error returned from the hook would fail the statement whose commit has
                // already happened; a checkpoint that cannot run now (another is running) is
                // simply the next commit's.
                let _ = wal.checkpoint_v2(CheckpointMode::PASSIVE);
            }
            Ok(())
        }))?;
        Ok(Some(Checkpoints(shared)))
    }

    /// How many checkpoints the thread has run.
    pub(super) fn done(&self) -> u64 {
        self.0.state().done
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        let thread = {
            let mut s = self.0.state();
            s.stop = true;
            s.thread.take()
        };
        self.0.wake.notify_all();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

/// Marks a checkpoint due and wakes (or starts) the thread. False when the thread cannot take
/// it: the caller checkpoints inline.
fn due(shared: &Arc<Shared>) -> bool {
    let mut s = shared.state();
    if s.failed || s.stop {
        return false;
    }
    s.due = true;
    if s.thread.is_none() {
        let for_thread = Arc::clone(shared);
        match std::thread::Builder::new()
            .name("linli-checkpoint".into())
            .stack_size(256 * 1024)
            .spawn(move || run(&for_thread))
        {
            Ok(t) => s.thread = Some(t),
            Err(_) => {
                s.failed = true;
                return false;
            }
        }
    }
    drop(s);
    shared.wake.notify_one();
    true
}

/// The thread: waits until a checkpoint is due, runs it, until the store closes.
fn run(shared: &Shared) {
    let conn = match Connection::open(&shared.path) {
        Ok(c) => c,
        Err(_) => {
            shared.state().failed = true;
            return;
        }
    };
    loop {
        {
            let mut s = shared.state();
            while !s.due && !s.stop {
                s = shared.wake.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            s.due = false;
        }
        // A passive checkpoint copies what it can without waiting; what a reader still needs
        // stays in the log for the next one. An error (the disk full, say) leaves the log as it
        // was, which is safe: the next due checkpoint tries again.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        shared.state().done += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A WAL database file with the hook installed.
    fn wal_file() -> (tempfile::TempDir, Connection, Checkpoints) {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("s.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        let checkpoints = Checkpoints::install(&mut conn)
            .unwrap()
            .expect("a file store");
        (dir, conn, checkpoints)
    }

    fn wal_len(db: &std::path::Path) -> u64 {
        std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len())
    }

    #[test]
    fn the_thread_copies_the_log_back_and_the_last_close_removes_it() {
        let (dir, conn, checkpoints) = wal_file();
        let path = dir.path().join("s.db");
        conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        // 6,000 commits of a page or more each: without any checkpoint the log would pass
        // 6,000 pages (24 MiB); the hook replaced SQLite's own, so only the thread keeps it short.
        for _ in 0..6_000 {
            conn.execute("INSERT INTO t VALUES (zeroblob(3000))", [])
                .unwrap();
        }
        let waited = Instant::now();
        while checkpoints.done() == 0 && waited.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(checkpoints.done() > 0, "the thread ran no checkpoint");
        // One per 1,000 pages the log grew by, not one on every commit once it passed 1,000.
        assert!(
            checkpoints.done() <= 40,
            "{} checkpoints for 6,000 commits",
            checkpoints.done()
        );
        let bound = 4_200 * (INLINE_PAGES as u64 + 1_000);
        assert!(
            wal_len(&path) < bound,
            "the log grew to {} bytes",
            wal_len(&path)
        );
        drop(conn);
        drop(checkpoints);
        assert!(
            !path.with_extension("db-wal").exists(),
            "the log was left behind"
        );
        let back = Connection::open(&path).unwrap();
        let rows: i64 = back
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 6_000);
    }

    #[test]
    fn a_log_that_reaches_the_inline_limit_is_checkpointed_by_the_commit() {
        let (dir, conn, checkpoints) = wal_file();
        let path = dir.path().join("s.db");
        // A reader holding a snapshot keeps any checkpoint from finishing, so the log grows
        // while it reads, past the thread's due size and up to the inline limit.
        conn.execute_batch("CREATE TABLE t (x BLOB); INSERT INTO t VALUES (1)")
            .unwrap();
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        for _ in 0..(INLINE_PAGES + 500) {
            conn.execute("INSERT INTO t VALUES (zeroblob(3000))", [])
                .unwrap();
        }
        reader.execute_batch("COMMIT").unwrap();
        // With the reader gone, the next commit past the inline limit copies the whole log and
        // the one after it starts the log again from its beginning.
        conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
        conn.execute("INSERT INTO t VALUES (1)", []).unwrap();
        let frames: i64 = conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap();
        assert!(frames < 100, "the log still holds {frames} frames");
        drop(checkpoints);
    }

    #[test]
    fn an_in_memory_store_has_no_log_to_copy() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(Checkpoints::install(&mut conn).unwrap().is_none());
    }
}
