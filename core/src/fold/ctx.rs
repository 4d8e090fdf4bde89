//! What a rule sees about the record it is applying, beyond the body: who signed it and when it
//! takes effect in the fold's order.

use crate::identity::DeviceKey;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a rule sees about the record being applied.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Record id.
    pub id: Uuid,
    /// Signing member.
    pub member: Uuid,
    /// Signer key.
    pub signer: DeviceKey,
    /// Effective time.
    pub time: DateTime<Utc>,
}
