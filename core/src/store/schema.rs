//! Numbered migrations, applied in order inside one transaction; `PRAGMA user_version` holds the
//! version. Each step is a file in `core/migrations/`. A test checks that upgrading from every
//! older version gives exactly the fresh schema.

use rusqlite::Connection;

/// The schema version this build writes.
pub const VERSION: u32 = 12;

/// The migration steps: `STEPS[i]` upgrades version `i` to `i + 1`.
pub const STEPS: [&str; VERSION as usize] = [
    include_str!("../../migrations/001_records.sql"),
    include_str!("../../migrations/002_views.sql"),
    include_str!("../../migrations/003_blobs.sql"),
    include_str!("../../migrations/004_docs.sql"),
    include_str!("../../migrations/005_doc_snapshots.sql"),
    include_str!("../../migrations/006_records_by_kind.sql"),
    include_str!("../../migrations/007_stale_views.sql"),
    include_str!("../../migrations/008_ballot_writes.sql"),
    include_str!("../../migrations/009_records_in_arrival_order.sql"),
    include_str!("../../migrations/010_door.sql"),
    include_str!("../../migrations/011_participation.sql"),
    include_str!("../../migrations/012_verdicts_and_votes_apart.sql"),
];

/// Upgrades from `from` to `to` (both ≤ [`VERSION`]), inside the caller's transaction. Returns true when any step ran: the store
/// then rebuilds every materialised view from the records (one fold per cycle, once). A database
/// already at `to` is not touched: opening a store to read it writes nothing (no WAL frame, no
/// checkpoint when it closes).
pub fn upgrade(tx: &Connection, from: u32, to: u32) -> rusqlite::Result<bool> {
    if from >= to {
        return Ok(false);
    }
    for v in from..to {
        tx.execute_batch(STEPS[v as usize])?;
    }
    tx.pragma_update(None, "user_version", to)?;
    Ok(true)
}
