//! The store layer's error.

use crate::exclusion::Exclusion;
use crate::identity::KeyError;
use uuid::Uuid;

/// Errors from the device store. A local action that the rules refuse is
/// [`StoreError::Rejected`] with the same reason a remote record would be excluded for.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The rules refuse the action (not on the roll, wrong phase, malformed, over budget, ...).
    #[error("rejected: {0}")]
    Rejected(#[from] Exclusion),
    /// The store does not follow this cycle.
    #[error("unknown cycle {0}")]
    UnknownCycle(Uuid),
    /// This device's key is not on the cycle's roll.
    #[error("this device is not on the roll of cycle {0}")]
    NotOnRoll(Uuid),
    /// The database was written by a newer version of Linli.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// Version found.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// The database belongs to another device key.
    #[error("database belongs to device {stored}, but the key store holds {given}")]
    WrongDevice {
        /// Key recorded in the database.
        stored: String,
        /// Key from the key store.
        given: String,
    },
    /// The key store failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A fault injected by a test (see `Store::inject_fault`).
    #[error("injected fault: {0}")]
    Injected(&'static str),
}

/// Result alias for the store layer.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
