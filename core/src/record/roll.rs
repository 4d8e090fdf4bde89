//! The roll: who is a member of the cycle, with which device keys and roles, attested by which cadre.

use crate::exclusion::Exclusion;
use crate::identity::DeviceKey;
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::{RecordBody, has_duplicates};
pub use crate::role::Role;

/// A cadre registers a member's device on the roll after checking the person face to face. The
/// same member id with a new device key adds a device (a new phone); roles accumulate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollEntry {
    /// The member (UUID v7, made by the registering cadre for a new member).
    pub member: Uuid,
    /// Name shown to other residents (no ID or phone numbers: see the threat model).
    pub display_name: String,
    /// The member's device public key.
    pub device_key: DeviceKey,
    /// Roles granted.
    pub roles: BTreeSet<Role>,
    /// The cadre attests the member is at least 15 (the voting age).
    pub age_15_plus: bool,
    /// How the cadre checked the person, e.g. "当面核验 / checked in person".
    pub attestation: String,
}

impl RollEntry {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("display_name", &self.display_name, 1, text::SHORT)?;
        text::check("attestation", &self.attestation, 1, text::MEDIUM)?;
        if self.roles.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a roll entry grants at least one role".into(),
            });
        }
        Ok(())
    }
}

/// A cadre revokes a device key (a lost phone).
///
/// The revocation names the records of that key it keeps (`kept`: the ones the revoking
/// cadre's device held, as packed ids). Once it is in effect, a record of the key counts only if
/// some revocation of the key keeps it, whatever its sequence number or claimed time, and a kept
/// record wins its (signer, seq) slot: a thief holding the key cannot displace an earlier record
/// by signing another with the same sequence number. A key with more than [`MAX_KEPT`] records
/// is revoked by several revocations, each keeping a part. A revocation that keeps nothing (the
/// cadre held no record of the key, or one signed before this rule) cuts the key off after
/// `after_seq`. docs/threat-model.md states the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The key revoked.
    pub device_key: DeviceKey,
    /// The highest sequence number of that key the revoking cadre had seen.
    pub after_seq: u64,
    /// Why.
    pub reason: String,
    /// The key's records this revocation keeps valid.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::record::list::packed_ids"
    )]
    pub kept: Vec<Uuid>,
}

/// Most records one revocation keeps (the record stays under the 64 KiB cap).
pub const MAX_KEPT: usize = crate::record::list::MAX_IDS;

impl Revocation {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("reason", &self.reason, 1, text::MEDIUM)?;
        if self.kept.len() > MAX_KEPT {
            return Err(Exclusion::TooMany {
                field: "kept".into(),
                max: MAX_KEPT,
            });
        }
        if has_duplicates(&self.kept) {
            return Err(Exclusion::RuleViolation {
                detail: "a revocation keeps each record once".into(),
            });
        }
        Ok(())
    }
}

impl RecordBody for RollEntry {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for Revocation {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}
