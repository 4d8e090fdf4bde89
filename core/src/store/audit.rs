//! What an auditor reads: every stored record as signed, the trusted genesis, and a fold from
//! scratch with every signature checked again.

use super::*;
use crate::fold::state::CycleState;
use crate::fold::{self, Checked};
use crate::record::envelope::SignedRecord;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

/// An auditor's fold from scratch beside the state this device shows.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The state folded from the stored bytes, every signature checked again.
    pub state: CycleState,
    /// Whether it is byte-identical to the device's own (incremental) state.
    pub matches_device_state: bool,
}

impl Store {
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

    /// The genesis record this device trusts for a cycle (what an invite names), read from the
    /// cycles table without loading the cycle.
    pub fn genesis_id(&self, cycle: Uuid) -> Result<Uuid> {
        genesis_of(&self.lock().conn, cycle)
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
}

pub(super) fn genesis_of(conn: &Connection, cycle: Uuid) -> Result<Uuid> {
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

impl Store {
    /// Audits a cycle ([`Store::audit`]) and compares the result with the state this device
    /// shows: the one comparison every shell reports (`verify`, the binding's `VerifyReport`).
    pub fn audit_against_device(&self, cycle: Uuid) -> Result<Audit> {
        let state = self.audit(cycle)?;
        let mut g = self.lock();
        let inner = &mut *g;
        let cache = take_cache(inner, cycle)?;
        let matches_device_state = cache.state.canonical_bytes() == state.canonical_bytes();
        inner.caches.insert(cycle, cache);
        Ok(Audit {
            state,
            matches_device_state,
        })
    }
}
