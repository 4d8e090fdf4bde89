//! The `linli` command's one error enum, and the exit codes it maps to, so that a script can tell
//! them apart:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | a check (`verify`, `audit`, the demo) ran and failed |
//! | 2 | usage: a wrong argument, a missing database, a malformed file |
//! | 3 | refused by the rules (the core's typed reason is printed; nothing changed) |
//! | 4 | I/O: the database, the key file, the network |

use linli_core::store::StoreError;
use linli_core::sync::SyncError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Pabulib(#[from] linli_core::pabulib::PabulibError),
    #[error("{0}")]
    Bundle(#[from] linli_core::bundle::BundleError),
    #[error("{0}")]
    Chunk(#[from] linli_core::chunks::ChunkError),
    #[error("{0}")]
    Tally(#[from] linli_core::tally::TallyError),
    #[error("{0}")]
    Sync(#[from] linli_core::sync::SyncError),
}

impl CliError {
    /// The exit code for this error (see the table above).
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Store(e) | CliError::Sync(SyncError::Store(e)) => store_code(e),
            CliError::Usage(_)
            | CliError::Pabulib(_)
            | CliError::Bundle(_)
            | CliError::Chunk(_)
            | CliError::Tally(_) => 2,
            CliError::Io(_) | CliError::Sync(_) => 4,
        }
    }
}

fn store_code(e: &StoreError) -> u8 {
    match e {
        StoreError::Rejected(_) | StoreError::NotOnRoll(_) | StoreError::TooManyAwaiting { .. } => {
            3
        }
        StoreError::UnknownCycle(_)
        | StoreError::SchemaTooNew { .. }
        | StoreError::WrongDevice { .. } => 2,
        _ => 4,
    }
}
