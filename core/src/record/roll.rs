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
    /// The member's device public key; none for a member who votes and proposes on paper only
    /// (a cadre enters their paper ballots and proposals). A later entry for the same member adds
    /// a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<DeviceKey>,
    /// Roles granted.
    pub roles: BTreeSet<Role>,
    /// The cadre attests the member is at least 15 (the voting age).
    pub age_15_plus: bool,
    /// How the cadre checked the person, e.g. "当面核验 / checked in person".
    pub attestation: String,
    /// The member's age band, when the cadre records one (for the engagement funnel; bands
    /// only, never a birth date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
}

/// An age band on the roll. Bands only: the funnel is split by them, and no birth date is ever
/// recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    /// 15 to 29.
    #[serde(rename = "15-29")]
    From15To29,
    /// 30 to 44.
    #[serde(rename = "30-44")]
    From30To44,
    /// 45 to 59.
    #[serde(rename = "45-59")]
    From45To59,
    /// 60 to 74.
    #[serde(rename = "60-74")]
    From60To74,
    /// 75 and over.
    #[serde(rename = "75+")]
    From75,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 5] = [
        AgeBand::From15To29,
        AgeBand::From30To44,
        AgeBand::From45To59,
        AgeBand::From60To74,
        AgeBand::From75,
    ];

    /// The band as written (`15-29`, ..., `75+`): the same in both languages.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::From15To29 => "15-29",
            AgeBand::From30To44 => "30-44",
            AgeBand::From45To59 => "45-59",
            AgeBand::From60To74 => "60-74",
            AgeBand::From75 => "75+",
        }
    }

    /// Parses the written band.
    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }
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
        if self.age_band.is_some() && !self.age_15_plus {
            return Err(Exclusion::RuleViolation {
                detail: "an age band is recorded for members attested as 15 or older".into(),
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
