//! The signed record envelope.
//!
//! A record is stored and exchanged as two byte strings: `signed` (canonical JSON, UTF-8) and a
//! 64-byte ed25519 `signature` over `SIGNING_DOMAIN || signed`. The record id is a UUID (version 8)
//! made of the first 16 bytes of SHA-256(`signed`), so ids are content-addressed: two different
//! records can never share an id, and a reference cannot be redirected. Verification works on the
//! stored bytes; nothing is ever re-serialised before verifying. See docs/data-model.md.

use crate::exclusion::Exclusion;
use crate::identity::{DeviceKey, DeviceSecret};
use crate::record::{Body, Kind};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Envelope format version.
pub const FORMAT: u32 = 1;
/// Largest `signed` part accepted (64 KiB). Photos and files travel as blobs, not in records.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// The envelope header as written (field order fixed: this is the canonical encoding).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire<'a> {
    v: u32,
    cycle: Uuid,
    kind: &'a str,
    schema: u32,
    signer: DeviceKey,
    seq: u64,
    time: DateTime<Utc>,
    phase: Option<Uuid>,
    #[serde(borrow)]
    body: &'a RawValue,
}

/// A record as stored and exchanged: the exact signed bytes and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    /// Content-derived id.
    pub id: Uuid,
    /// The canonical JSON bytes that were signed.
    pub signed: Vec<u8>,
    /// ed25519 signature over `SIGNING_DOMAIN || signed`.
    pub signature: [u8; 64],
}

/// A decoded record: envelope fields and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Content-derived id.
    pub id: Uuid,
    /// The cycle (the genesis's `cycle`).
    pub cycle: Uuid,
    /// Schema version of the body.
    pub schema: u32,
    /// Signer's device key.
    pub signer: DeviceKey,
    /// Signer's sequence number (1, 2, 3, ... per device key).
    pub seq: u64,
    /// Claimed time of signing (a claim, not a fact).
    pub time: DateTime<Utc>,
    /// The phase record this action was taken under (None for genesis, roll and phase changes).
    pub phase: Option<Uuid>,
    /// The body.
    pub body: Body,
}

impl Record {
    /// The record's kind.
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }
}

/// The id of a record: UUID v8 from the first 16 bytes of SHA-256 of the signed bytes.
pub fn record_id(signed: &[u8]) -> Uuid {
    let digest = Sha256::digest(signed);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

/// What a signer needs to write a record.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The cycle.
    pub cycle: Uuid,
    /// The signer's next sequence number.
    pub seq: u64,
    /// Time to claim (rounded to milliseconds).
    pub time: DateTime<Utc>,
    /// Phase reference.
    pub phase: Option<Uuid>,
    /// The body.
    pub body: Body,
}

impl SignedRecord {
    /// Encodes and signs a draft.
    pub fn sign(secret: &DeviceSecret, draft: &Draft) -> SignedRecord {
        let body_json = draft.body.encode();
        let raw = RawValue::from_string(body_json).expect("body encodes as JSON");
        let kind = draft.body.kind();
        let wire = Wire {
            v: FORMAT,
            cycle: draft.cycle,
            kind: kind.as_str(),
            schema: kind.schema(),
            signer: secret.public(),
            seq: draft.seq,
            time: draft.time.trunc_subsecs(3),
            phase: draft.phase,
            body: &raw,
        };
        let signed = serde_json::to_vec(&wire).expect("envelope encodes as JSON");
        let signature = secret.sign(&signed);
        SignedRecord {
            id: record_id(&signed),
            signed,
            signature,
        }
    }

    /// Signs a draft of this device's own and gives the record it makes beside the signed one,
    /// built from the draft rather than parsed back from the bytes just written: the same
    /// [`Record`] that [`SignedRecord::decode`] reads (checked in debug builds, so every test
    /// that signs checks it), without a JSON parse on each vote. A draft that decoding would
    /// refuse (too large, a sequence number of 0, a phase reference where none belongs or none
    /// where one must be) takes the decode and gets its error.
    pub fn sign_own(
        secret: &DeviceSecret,
        draft: Draft,
    ) -> Result<(SignedRecord, Record), Exclusion> {
        let signed = SignedRecord::sign(secret, &draft);
        let kind = draft.body.kind();
        let well_formed = signed.signed.len() <= MAX_RECORD_BYTES
            && draft.seq > 0
            && kind.allowed_phases().is_empty() == draft.phase.is_none();
        if !well_formed {
            let record = signed.decode()?;
            return Ok((signed, record));
        }
        let record = Record {
            id: signed.id,
            cycle: draft.cycle,
            schema: kind.schema(),
            signer: secret.public(),
            seq: draft.seq,
            time: draft.time.trunc_subsecs(3),
            phase: draft.phase,
            body: draft.body,
        };
        debug_assert_eq!(
            signed.decode().as_ref(),
            Ok(&record),
            "a signed draft reads back as itself"
        );
        Ok((signed, record))
    }

    /// Builds a record from received parts. The id is always recomputed from the bytes.
    pub fn from_parts(signed: Vec<u8>, signature: [u8; 64]) -> SignedRecord {
        SignedRecord {
            id: record_id(&signed),
            signed,
            signature,
        }
    }

    /// Reads the signer key without a full decode (for batch verification).
    pub fn signer(&self) -> Result<DeviceKey, Exclusion> {
        #[derive(Deserialize)]
        struct SignerOnly {
            signer: DeviceKey,
        }
        serde_json::from_slice::<SignerOnly>(&self.signed)
            .map(|s| s.signer)
            .map_err(|e| Exclusion::Malformed {
                detail: e.to_string(),
            })
    }

    /// Verifies the signature over the exact stored bytes.
    pub fn verify(&self) -> Result<(), Exclusion> {
        let signer = self.signer()?;
        if signer.verify(&self.signed, &self.signature) {
            Ok(())
        } else {
            Err(Exclusion::BadSignature)
        }
    }

    /// Decodes the envelope and body (does not verify the signature).
    pub fn decode(&self) -> Result<Record, Exclusion> {
        if self.signed.len() > MAX_RECORD_BYTES {
            return Err(Exclusion::TooLarge {
                size: self.signed.len(),
                max: MAX_RECORD_BYTES,
            });
        }
        let text = std::str::from_utf8(&self.signed).map_err(|e| Exclusion::Malformed {
            detail: format!("invalid UTF-8: {e}"),
        })?;
        let wire: Wire<'_> = serde_json::from_str(text).map_err(|e| Exclusion::Malformed {
            detail: format!("envelope: {e}"),
        })?;
        let kind = Kind::parse(wire.kind);
        if wire.v != FORMAT || kind.is_none_or(|k| k.schema() != wire.schema) {
            return Err(Exclusion::UnsupportedSchema {
                kind: wire.kind.to_string(),
                schema: wire.schema,
            });
        }
        let kind = kind.expect("checked above");
        if wire.seq == 0 {
            return Err(Exclusion::Malformed {
                detail: "sequence numbers start at 1".into(),
            });
        }
        let body = Body::decode(kind, wire.body.get())?;
        let needs_phase = !kind.allowed_phases().is_empty();
        if needs_phase != wire.phase.is_some() {
            return Err(Exclusion::Malformed {
                detail: format!(
                    "{} records {} a phase reference",
                    kind.as_str(),
                    if needs_phase { "need" } else { "take no" }
                ),
            });
        }
        Ok(Record {
            id: self.id,
            cycle: wire.cycle,
            schema: wire.schema,
            signer: wire.signer,
            seq: wire.seq,
            time: wire.time,
            phase: wire.phase,
            body,
        })
    }

    /// The record in one byte string for files and transports: 64-byte signature then the signed
    /// bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.signed.len());
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.signed);
        out
    }

    /// Parses [`SignedRecord::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedRecord, Exclusion> {
        if bytes.len() < 65 {
            return Err(Exclusion::Malformed {
                detail: "record shorter than a signature".into(),
            });
        }
        if bytes.len() - 64 > MAX_RECORD_BYTES {
            return Err(Exclusion::TooLarge {
                size: bytes.len() - 64,
                max: MAX_RECORD_BYTES,
            });
        }
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&bytes[..64]);
        Ok(SignedRecord::from_parts(bytes[64..].to_vec(), sig))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ballot::Ballot;

    fn draft() -> Draft {
        Draft {
            cycle: Uuid::now_v7(),
            seq: 1,
            time: Utc::now(),
            phase: Some(Uuid::now_v7()),
            body: Body::Ballot(Ballot::approve(vec![])),
        }
    }

    #[test]
    fn sign_decode_verify() {
        let k = DeviceSecret::from_seed(&[3; 32]);
        let r = SignedRecord::sign(&k, &draft());
        r.verify().unwrap();
        let d = r.decode().unwrap();
        assert_eq!(d.signer, k.public());
        assert_eq!(d.kind(), Kind::Ballot);
        assert_eq!(d.id, r.id);
        assert_eq!(r.id.get_version_num(), 8);
        let back = SignedRecord::from_bytes(&r.to_bytes()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn any_byte_change_breaks_signature_and_id() {
        let k = DeviceSecret::from_seed(&[3; 32]);
        let r = SignedRecord::sign(&k, &draft());
        let mut bytes = r.signed.clone();
        let pos = bytes.len() - 5;
        bytes[pos] ^= 0x01;
        let t = SignedRecord::from_parts(bytes, r.signature);
        assert_ne!(t.id, r.id);
        assert!(t.verify().is_err());
    }

    #[test]
    fn an_own_record_is_what_decoding_its_bytes_gives_and_refused_as_decoding_refuses() {
        let k = DeviceSecret::from_seed(&[3; 32]);
        let d = Draft {
            time: "2026-12-02T10:00:00.123456789Z".parse().unwrap(),
            ..draft()
        };
        let (signed, record) = SignedRecord::sign_own(&k, d.clone()).unwrap();
        assert_eq!(signed, SignedRecord::sign(&k, &d));
        assert_eq!(record, signed.decode().unwrap());
        assert_eq!(record.time.timestamp_subsec_nanos(), 123_000_000);
        let no_phase = Draft {
            phase: None,
            ..draft()
        };
        assert!(matches!(
            SignedRecord::sign_own(&k, no_phase),
            Err(Exclusion::Malformed { .. })
        ));
        let zero = Draft { seq: 0, ..draft() };
        assert!(matches!(
            SignedRecord::sign_own(&k, zero),
            Err(Exclusion::Malformed { .. })
        ));
        let huge = Draft {
            body: Body::Ballot(Ballot::approve(vec![Uuid::nil(); 2_000])),
            ..draft()
        };
        assert!(matches!(
            SignedRecord::sign_own(&k, huge),
            Err(Exclusion::TooLarge { .. })
        ));
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        let t = SignedRecord::from_parts(vec![0xff, 0xfe, b'{'], [0; 64]);
        assert!(matches!(t.decode(), Err(Exclusion::Malformed { .. })));
        assert!(matches!(t.verify(), Err(Exclusion::Malformed { .. })));
    }
}
