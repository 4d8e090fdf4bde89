//! Sync between devices, independent of the transport.
//!
//! A [`Session`] yields and accepts opaque byte messages ([`message::Message`]): a handshake
//! naming the device and the cycles it holds, Automerge sync traffic for every document whose heads
//! differ, then blob have/want. A device pushes its own new changes in its first message, so one
//! new ballot between devices that met before takes one round trip. [`net`] carries sessions over
//! TCP for the community-centre LAN. docs/sync.md describes the protocol and its guarantees.

pub mod message;
pub mod net;
mod session;

pub use session::{Progress, Role, Session, SessionOptions};

use crate::lang::Lang;
use crate::store::StoreError;
use uuid::Uuid;

/// Errors of the sync layer. A message that fails changes nothing; the session can take the next
/// message or be dropped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The message ended early.
    #[error("truncated sync message")]
    Truncated,
    /// Not a Linli sync message.
    #[error("not a Linli sync message")]
    BadMagic,
    /// A protocol version this build does not speak.
    #[error("unsupported sync protocol version {0}")]
    UnsupportedVersion(u8),
    /// A message larger than allowed.
    #[error("sync message of {size} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Announced size.
        size: usize,
        /// Limit.
        max: usize,
    },
    /// A structural defect.
    #[error("malformed sync message: {0}")]
    Malformed(&'static str),
    /// The bytes do not match the frame's checksum: damaged in transit.
    #[error("sync message damaged in transit")]
    Damaged,
    /// The peer ended the session and said why (`sync_busy`: a full hub, try again shortly).
    #[error("the peer refused the session: {0}")]
    Refused(String),
    /// The app stopped the sync (its progress listener failed).
    #[error("sync stopped: {0}")]
    Stopped(String),
    /// A read, a write or the whole session ran past its deadline.
    #[error("sync timed out: {0}")]
    TimedOut(&'static str),
    /// Traffic for a cycle this side of the session does not share.
    #[error("the peer sent data for cycle {0}, which this session does not share")]
    UnknownCycle(Uuid),
    /// A message out of turn (no hello first, traffic after the end).
    #[error("sync protocol violation: {0}")]
    Protocol(&'static str),
    /// The store refused or failed (a bad document, a blob with the wrong hash, the database).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The transport failed.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

impl SyncError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Truncated => "sync_truncated",
            SyncError::BadMagic => "sync_bad_magic",
            SyncError::UnsupportedVersion(_) => "sync_version",
            SyncError::TooLarge { .. } => "sync_too_large",
            SyncError::Malformed(_) => "sync_malformed",
            SyncError::Damaged => "sync_damaged",
            SyncError::Refused(c) if c == "sync_busy" => "sync_busy",
            SyncError::Refused(_) => "sync_refused",
            SyncError::TimedOut(_) => "sync_timeout",
            SyncError::Stopped(_) => "sync_stopped",
            SyncError::UnknownCycle(_) => "sync_unknown_cycle",
            SyncError::Protocol(_) => "sync_protocol",
            SyncError::Store(e) => e.code(),
            SyncError::Io(_) => "network",
        }
    }

    /// A sentence for people, in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (SyncError::Store(e), _) => e.message(lang),
            (_, Lang::En) => self.to_string(),
            (SyncError::Truncated, Lang::Zh) => "同步数据不完整".into(),
            (SyncError::BadMagic, Lang::Zh) => "这不是邻里的同步数据".into(),
            (SyncError::UnsupportedVersion(v), Lang::Zh) => {
                format!("对方使用的同步协议版本 {v} 本程序不支持，请升级应用")
            }
            (SyncError::TooLarge { size, max }, Lang::Zh) => {
                format!("同步数据 {size} 字节，超过上限 {max}")
            }
            (SyncError::Malformed(w), Lang::Zh) => format!("同步数据格式错误：{w}"),
            (SyncError::Damaged, Lang::Zh) => "同步数据在传输中损坏，已拒收，请重试".into(),
            (SyncError::Refused(c), Lang::Zh) if c == "sync_busy" => {
                "对方正忙（同时同步的手机太多），请稍后重试".into()
            }
            (SyncError::Refused(c), Lang::Zh) => format!("对方拒绝了本次同步，原因代码：{c}"),
            (SyncError::TimedOut(w), Lang::Zh) => match *w {
                "session" => "同步会话超过了总时限，请重试".into(),
                "connect" => "连接对方超时，请确认在同一网络".into(),
                _ => "等待对方数据超时，请重试".into(),
            },
            (SyncError::Stopped(w), Lang::Zh) => format!("应用中止了同步：{w}"),
            (SyncError::UnknownCycle(c), Lang::Zh) => format!("对方发来了本次同步不包含的周期 {c}"),
            (SyncError::Protocol(w), Lang::Zh) => format!("同步协议错误：{w}"),
            (SyncError::Io(e), Lang::Zh) => format!("网络出错：{e}"),
        }
    }
}

/// Runs a whole session between two stores in this process (tests, simulations, and shells that
/// carry messages themselves). Returns the initiator's progress and the responder's.
pub fn sync_pair(
    initiator: &std::sync::Arc<crate::store::Store>,
    responder: &std::sync::Arc<crate::store::Store>,
    opts: SessionOptions,
) -> Result<(Progress, Progress), SyncError> {
    let (mut a, mut msg) = Session::initiate(initiator.clone(), opts)?;
    let mut b = Session::accept(responder.clone(), SessionOptions::default());
    loop {
        let Some(reply) = b.receive(&msg)? else {
            break;
        };
        match a.receive(&reply)? {
            Some(next) => msg = next,
            None => break,
        }
    }
    Ok((a.progress(), b.progress()))
}
