//! The `linli` command's one error enum, and the exit codes it maps to: 2 for every error
//! (usage, refusal, I/O), 1 when a check (`verify`, `audit`, the demo) ran and failed, 0 otherwise.

use linli_core::store::StoreError;

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
