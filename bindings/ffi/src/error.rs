//! The one error type the apps see. Every core error is converted here, in one place.

use linli_core::Lang;
use linli_core::store::StoreError;
use linli_core::sync::SyncError;

/// An error from the Linli core. The variant is a stable code; `detail` is for people, in the
/// device's language (also the exception's message). `Rejected.code` is the stable exclusion code (`wrong_phase`,
/// `unknown_signer`, `over_budget`, ...).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LinliError {
    /// The rules refuse the action; nothing was written.
    #[error("{code}: {detail}")]
    Rejected {
        /// Stable exclusion code.
        code: String,
        /// Explanation.
        detail: String,
    },
    /// This device is not on the cycle's roll.
    #[error("{detail}")]
    NotOnRoll {
        /// Explanation.
        detail: String,
    },
    /// The device does not follow this cycle.
    #[error("{detail}")]
    UnknownCycle {
        /// Explanation.
        detail: String,
    },
    /// An argument is malformed (an id that is not a UUID, an amount out of range, a corrupt
    /// bundle or invite).
    #[error("{detail}")]
    InvalidInput {
        /// Explanation.
        detail: String,
    },
    /// The database or key store failed.
    #[error("{detail}")]
    Storage {
        /// Explanation.
        detail: String,
    },
    /// A sync message, bundle chunk or connection was refused: malformed or truncated bytes, another
    /// protocol version, a cycle not in the session, a photo that doesn't match its hash, or the
    /// network. Nothing was changed; the session can take the next message.
    #[error("{code}: {detail}")]
    Sync {
        /// Stable code: `sync_truncated`, `sync_bad_magic`, `sync_version`, `sync_too_large`,
        /// `sync_malformed`, `sync_damaged`, `sync_busy` (a full hub: try again shortly),
        /// `sync_refused` (the peer said why in `detail`), `sync_timeout`, `sync_unknown_cycle`,
        /// `sync_protocol`, `document`, `blob_mismatch`, `network`.
        code: String,
        /// Explanation.
        detail: String,
    },
    /// The app's key store said it is temporarily unavailable (a locked keychain): nothing was
    /// opened and no new identity was made. Try again later.
    #[error("{detail}")]
    KeyStoreUnavailable {
        /// Explanation.
        detail: String,
    },
    /// The device was closed.
    #[error("the device store is closed")]
    Closed,
}

/// What an app's callback (key store, observer, sync listener) raises when it cannot do what
/// was asked. Any other exception it raises arrives as `Failed`: a callback never panics the
/// core.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    /// Temporarily unavailable (a locked keychain, a keystore still starting): try again later.
    #[error("unavailable: {detail}")]
    Unavailable {
        /// Explanation.
        detail: String,
    },
    /// Failed.
    #[error("failed: {detail}")]
    Failed {
        /// Explanation.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> CallbackError {
        CallbackError::Failed { detail: e.reason }
    }
}

impl LinliError {
    pub(crate) fn from_store(e: StoreError, lang: Lang) -> LinliError {
        let detail = e.message(lang);
        match e {
            StoreError::Rejected(x) => LinliError::Rejected {
                code: x.code().into(),
                detail,
            },
            StoreError::TooManyAwaiting { .. } => LinliError::Rejected {
                code: e.code().into(),
                detail,
            },
            StoreError::Key(linli_core::identity::KeyError::Unavailable(_)) => {
                LinliError::KeyStoreUnavailable { detail }
            }
            StoreError::NotOnRoll(_) => LinliError::NotOnRoll { detail },
            StoreError::UnknownCycle(_) => LinliError::UnknownCycle { detail },
            _ => LinliError::Storage { detail },
        }
    }

    pub(crate) fn from_sync(e: SyncError, lang: Lang) -> LinliError {
        let detail = e.message(lang);
        let code = e.code().to_string();
        match e {
            SyncError::Store(
                s @ (StoreError::Rejected(_)
                | StoreError::NotOnRoll(_)
                | StoreError::UnknownCycle(_)),
            ) => LinliError::from_store(s, lang),
            SyncError::Store(StoreError::Document { .. } | StoreError::BlobMismatch { .. })
            | SyncError::Truncated
            | SyncError::BadMagic
            | SyncError::UnsupportedVersion(_)
            | SyncError::TooLarge { .. }
            | SyncError::Malformed(_)
            | SyncError::UnknownCycle(_)
            | SyncError::Protocol(_)
            | SyncError::Damaged
            | SyncError::Refused(_)
            | SyncError::TimedOut(_)
            | SyncError::Stopped(_)
            | SyncError::Io(_) => LinliError::Sync { code, detail },
            SyncError::Store(_) => LinliError::Storage { detail },
        }
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> LinliError {
        LinliError::InvalidInput {
            detail: detail.into(),
        }
    }
}
