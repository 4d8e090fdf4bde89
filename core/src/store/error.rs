//! The store layer's error.

use crate::exclusion::Exclusion;
use crate::identity::KeyError;
use crate::lang::Lang;
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
    /// A stored Automerge document could not be read or written.
    #[error("document {doc}: {detail}")]
    Document {
        /// The document's name (`main`, `ballots.3`, ...).
        doc: String,
        /// What went wrong.
        detail: String,
    },
    /// A blob's bytes do not match its hash or declared size.
    #[error("blob {sha256}: the bytes do not match the hash")]
    BlobMismatch {
        /// The claimed SHA-256.
        sha256: String,
    },
    /// Too many cycles await their first sync (joined from invites whose genesis has not
    /// arrived): sync one, or leave one, before joining another.
    #[error("{max} cycles already await their first sync; sync or leave one first")]
    TooManyAwaiting {
        /// The limit.
        max: usize,
    },
    /// A fault injected by a test (see `Store::inject_fault`).
    #[error("injected fault: {0}")]
    Injected(&'static str),
}

impl StoreError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Rejected(e) => e.code(),
            StoreError::UnknownCycle(_) => "unknown_cycle",
            StoreError::NotOnRoll(_) => "not_on_roll",
            StoreError::SchemaTooNew { .. } => "schema_too_new",
            StoreError::WrongDevice { .. } => "wrong_device",
            StoreError::Key(KeyError::Unavailable(_)) => "key_store_unavailable",
            StoreError::Key(_) => "key_store",
            StoreError::Sqlite(_) => "database",
            StoreError::Document { .. } => "document",
            StoreError::BlobMismatch { .. } => "blob_mismatch",
            StoreError::TooManyAwaiting { .. } => "too_many_awaiting",
            StoreError::Injected(_) => "injected",
        }
    }

    /// A sentence for people, in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (StoreError::Rejected(e), _) => e.message(lang),
            (_, Lang::En) => self.to_string(),
            (StoreError::UnknownCycle(c), Lang::Zh) => format!("本设备没有参与周期 {c}"),
            (StoreError::NotOnRoll(_), Lang::Zh) => {
                "本设备不在该周期的名册上，请到社区找干部登记".into()
            }
            (StoreError::SchemaTooNew { found, supported }, Lang::Zh) => {
                format!("数据库版本 {found} 高于本程序支持的版本 {supported}，请升级应用")
            }
            (StoreError::WrongDevice { .. }, Lang::Zh) => "数据库属于另一台设备的密钥".into(),
            (StoreError::Key(KeyError::Unavailable(_)), Lang::Zh) => {
                "密钥存储暂时不可用（例如钥匙串已锁定），请稍后再试".into()
            }
            (StoreError::Key(e), Lang::Zh) => format!("密钥存储出错：{e}"),
            (StoreError::Sqlite(e), Lang::Zh) => format!("数据库出错：{e}"),
            (StoreError::Document { doc, detail }, Lang::Zh) => {
                format!("同步文档 {doc} 出错：{detail}")
            }
            (StoreError::BlobMismatch { sha256 }, Lang::Zh) => {
                format!("文件 {sha256} 的内容与哈希不符，已拒收")
            }
            (StoreError::TooManyAwaiting { max }, Lang::Zh) => {
                format!("已有 {max} 个周期在等待首次同步，请先同步或退出其中一个")
            }
            (StoreError::Injected(w), Lang::Zh) => format!("测试注入的故障：{w}"),
        }
    }
}

/// Result alias for the store layer.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
