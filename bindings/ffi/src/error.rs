//! The one error type the apps see. Every core error is converted here, in one place.

use linli_core::Lang;
use linli_core::store::StoreError;

/// An error from the Linli core. The variant is a stable code; `message` is for people, in the
/// device's language. `Rejected.code` is the stable exclusion code (`wrong_phase`,
/// `unknown_signer`, `over_budget`, ...).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LinliError {
    /// The rules refuse the action; nothing was written.
    #[error("{code}: {message}")]
    Rejected {
        /// Stable exclusion code.
        code: String,
        /// Explanation.
        message: String,
    },
    /// This device is not on the cycle's roll.
    #[error("{message}")]
    NotOnRoll {
        /// Explanation.
        message: String,
    },
    /// The device does not follow this cycle.
    #[error("{message}")]
    UnknownCycle {
        /// Explanation.
        message: String,
    },
    /// An argument is malformed (an id that is not a UUID, an amount out of range, a corrupt
    /// bundle or invite).
    #[error("{message}")]
    InvalidInput {
        /// Explanation.
        message: String,
    },
    /// The database or key store failed.
    #[error("{message}")]
    Storage {
        /// Explanation.
        message: String,
    },
    /// The device was closed.
    #[error("the device store is closed")]
    Closed,
}

impl LinliError {
    pub(crate) fn from_store(e: StoreError, lang: Lang) -> LinliError {
        let message = e.message(lang);
        match e {
            StoreError::Rejected(x) => LinliError::Rejected {
                code: x.code().into(),
                message,
            },
            StoreError::NotOnRoll(_) => LinliError::NotOnRoll { message },
            StoreError::UnknownCycle(_) => LinliError::UnknownCycle { message },
            _ => LinliError::Storage { message },
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> LinliError {
        LinliError::InvalidInput {
            message: message.into(),
        }
    }
}
