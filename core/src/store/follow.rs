//! Following a cycle from an invite, and leaving one.
//!
//! An invite names a cycle and the genesis record to trust for it; until that genesis arrives
//! the cycle *awaits its first sync*: it is listed (phase `awaiting_genesis`), and whatever
//! arrives for it is held aside, since no key is on its roll yet. An invite is only a claim:
//! when the named genesis arrives, its id (a content hash) proves it; a forged invite (a real
//! cycle id with a made-up genesis) never gets one, so a later invite for the same cycle
//! replaces it, and the records held meanwhile are judged again under the genuine genesis. At
//! most [`MAX_AWAITING`] cycles await at once, and one the device has signed nothing in can be
//! left.

use super::import::import_records;
use super::*;
use crate::exclusion::Exclusion;
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

/// Most cycles that may await their first sync at once (invented invites cannot pile up).
pub const MAX_AWAITING: i64 = 8;

impl Store {
    /// Follows a cycle created elsewhere, trusting the genesis record `genesis_id` (from the invite
    /// the cadre showed). Records for the cycle can then be imported. Following a cycle again
    /// with another genesis replaces the trust root while the first genesis has not arrived (the
    /// first invite was forged or mistyped); once it has, the root is fixed.
    pub fn follow_cycle(&self, cycle: Uuid, genesis_id: Uuid) -> Result<()> {
        let mut g = self.lock();
        let inner = &mut *g;
        let tx = WriteTx::begin(&inner.conn)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT genesis_id FROM cycles WHERE cycle_id = ?1",
                [cycle.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(e) if e == genesis_id.to_string() => return Ok(()),
            Some(e) if holds(&tx, &e)? => {
                return Err(StoreError::Rejected(Exclusion::UntrustedGenesis));
            }
            Some(_) => {
                tx.execute(
                    "UPDATE cycles SET genesis_id = ?2 WHERE cycle_id = ?1",
                    params![cycle.to_string(), genesis_id.to_string()],
                )?;
            }
            None => {
                let awaiting: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM cycles c WHERE NOT EXISTS
                        (SELECT 1 FROM records r WHERE r.id = c.genesis_id)",
                    [],
                    |r| r.get(0),
                )?;
                if awaiting >= MAX_AWAITING {
                    return Err(StoreError::TooManyAwaiting {
                        max: MAX_AWAITING as usize,
                    });
                }
                tx.execute(
                    "INSERT INTO cycles (cycle_id, genesis_id, added_at) VALUES (?1, ?2, ?3)",
                    params![
                        cycle.to_string(),
                        genesis_id.to_string(),
                        Utc::now().to_rfc3339()
                    ],
                )?;
            }
        }
        // Whatever arrived under the old root is judged again under the new one.
        inner.caches.remove(&cycle);
        inner.docs.invalidate(cycle);
        let mut cache = load_cache(&tx, cycle, genesis_id)?;
        let held = super::import::take_held_records(&tx, cycle)?;
        if !held.is_empty() {
            import_records(&tx, &mut cache, cycle, &held, true, false)?;
        }
        write_views(&tx, &mut cache)?;
        tx.commit()?;
        inner.caches.insert(cycle, cache);
        Ok(())
    }

    /// Stops following a cycle this device has signed nothing in (one joined by mistake or from
    /// an invented invite): every record, document and view of it is removed. Refused once the
    /// device has signed a record in it, so that nothing of its own is ever lost.
    pub fn leave_cycle(&self, cycle: Uuid) -> Result<()> {
        let mut g = self.lock();
        let inner = &mut *g;
        let tx = WriteTx::begin(&inner.conn)?;
        genesis_of(&tx, cycle)?;
        let signed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM records WHERE cycle_id = ?1 AND signer = ?2)",
            params![cycle.to_string(), self.key.to_hex()],
            |r| r.get(0),
        )?;
        if signed {
            return Err(StoreError::Rejected(Exclusion::RuleViolation {
                detail: "this device has signed records in the cycle; it cannot leave it".into(),
            }));
        }
        // Exclusions are keyed by the record's number, not the cycle: they go with the records.
        tx.execute(
            "DELETE FROM exclusions WHERE n IN (SELECT n FROM records WHERE cycle_id = ?1)",
            [cycle.to_string()],
        )?;
        let tables: Vec<String> = tx
            .prepare(
                "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
                 AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'cycle_id')",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for t in tables {
            tx.execute(
                &format!("DELETE FROM \"{t}\" WHERE cycle_id = ?1"),
                [cycle.to_string()],
            )?;
        }
        tx.execute(
            "DELETE FROM proposals_fts WHERE rowid NOT IN (SELECT rowid FROM proposals)",
            [],
        )?;
        tx.commit()?;
        inner.caches.remove(&cycle);
        inner.docs.invalidate(cycle);
        Ok(())
    }
}

/// Whether the device holds the record `id` (a trust root that has arrived).
fn holds(tx: &rusqlite::Connection, id: &str) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM records WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}
