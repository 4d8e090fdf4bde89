//! The store's write transaction, begun and ended by cached statements.
//!
//! rusqlite's `Transaction` runs `BEGIN IMMEDIATE` and `COMMIT` through `execute_batch`, which
//! compiles the SQL again each time: on a vote, two parses of about a microsecond each for a
//! write of some sixty. [`WriteTx`] keeps both statements in the connection's statement cache.
//! Dropped without [`WriteTx::commit`] (an error, a refused record, an injected fault), it rolls
//! back, so no partial write is ever visible, as before.

use rusqlite::Connection;

/// An open `BEGIN IMMEDIATE` transaction on the store's connection. It dereferences to the
/// connection, so everything written inside takes `&Connection`.
#[derive(Debug)]
pub(super) struct WriteTx<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> WriteTx<'c> {
    /// Begins the transaction, taking the database's write lock now (waiting as the busy
    /// timeout allows) rather than at the first write.
    pub(super) fn begin(conn: &'c Connection) -> rusqlite::Result<WriteTx<'c>> {
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(WriteTx { conn, open: true })
    }

    /// Commits. On an error the transaction is still open and is rolled back as `self` drops.
    pub(super) fn commit(mut self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        self.open = false;
        Ok(())
    }
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            // Nothing to report to: the caller already has the error that left it open.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(c: &Connection) -> i64 {
        c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_committed_write_stays_and_a_dropped_one_leaves_nothing() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x)").unwrap();
        let tx = WriteTx::begin(&c).unwrap();
        tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
        tx.commit().unwrap();
        assert_eq!(rows(&c), 1);
        {
            let tx = WriteTx::begin(&c).unwrap();
            tx.execute("INSERT INTO t VALUES (2)", []).unwrap();
            assert_eq!(rows(&tx), 2);
        }
        assert!(c.is_autocommit());
        assert_eq!(rows(&c), 1);
        // Begun again after a rollback, through the same cached statements.
        let tx = WriteTx::begin(&c).unwrap();
        tx.execute("INSERT INTO t VALUES (3)", []).unwrap();
        tx.commit().unwrap();
        assert_eq!(rows(&c), 2);
    }
}
