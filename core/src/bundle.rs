//! Record bundles: a cycle's records in one byte string, for a file or a transfer with no network.
//!
//! Layout (version 2, big-endian): `"LNLB"`, version `2`, the cycle id (16 bytes), the record count
//! (u32), then per record its length (u32) and its bytes ([`SignedRecord::to_bytes`]), then the
//! SHA-256 of everything before it (32 bytes). Limits: 200,000 records and 256 MiB per bundle.
//!
//! The trailing hash makes accidental damage (a flipped bit on a USB stick, a cut transfer) a
//! refusal of the whole bundle before anything is stored, rather than a damaged record. It is no
//! defence against forgery: anyone can recompute it, and forged records are refused one by one
//! by their signatures. [`crate::chunks`] splits a bundle into QR-sized pieces.

use crate::exclusion::Exclusion;
use crate::record::envelope::{MAX_RECORD_BYTES, SignedRecord};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const MAGIC: &[u8; 4] = b"LNLB";
const VERSION: u8 = 2;
/// Bytes before the first record: magic, version, cycle, count.
const HEAD: usize = 4 + 1 + 16 + 4;
/// The trailing SHA-256.
const TRAILER: usize = 32;
/// Most records in one bundle.
pub const MAX_RECORDS: usize = 200_000;
/// Largest bundle accepted (256 MiB).
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;

/// Why bundle bytes cannot be read. Nothing is imported from a bundle that fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not a Linli bundle.
    #[error("not a Linli bundle")]
    BadMagic,
    /// A bundle version this build does not know.
    #[error("unsupported bundle version {0}")]
    UnsupportedVersion(u8),
    /// The bundle is for another cycle.
    #[error("bundle is for cycle {found}, not {expected}")]
    WrongCycle {
        /// The cycle asked for.
        expected: Uuid,
        /// The cycle in the bundle.
        found: Uuid,
    },
    /// Over the size or count limits.
    #[error("bundle too large")]
    TooLarge,
    /// The bytes end early or a length is out of range.
    #[error("bundle truncated or corrupt at byte {0}")]
    Corrupt(usize),
    /// Bytes after the last record.
    #[error("{0} unexpected bytes after the last record")]
    TrailingBytes(usize),
    /// The bytes do not hash to the bundle's trailing SHA-256: damaged on the way.
    #[error("bundle damaged: its bytes do not match its checksum")]
    Damaged,
    /// A record inside cannot even be split into signature and body.
    #[error("record {index}: {reason}")]
    Record {
        /// Position in the bundle.
        index: usize,
        /// Why.
        reason: Exclusion,
    },
}

/// Encodes a cycle's records as one bundle.
pub fn encode(cycle: Uuid, records: &[SignedRecord]) -> Vec<u8> {
    let size: usize = records.iter().map(|r| 4 + 64 + r.signed.len()).sum();
    let mut out = Vec::with_capacity(HEAD + size + TRAILER);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(cycle.as_bytes());
    out.extend_from_slice(&(records.len() as u32).to_be_bytes());
    for r in records {
        let bytes = r.to_bytes();
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out
}

/// What a bundle says about itself before it is decoded: the cycle it is for. For a file whose
/// cycle the reader does not know yet (`linli import FILE`); [`decode`] then checks the rest.
pub fn peek(bytes: &[u8]) -> Result<Uuid, BundleError> {
    if bytes.len() < 25 || &bytes[..4] != MAGIC {
        return Err(BundleError::BadMagic);
    }
    if bytes[4] != VERSION {
        return Err(BundleError::UnsupportedVersion(bytes[4]));
    }
    Uuid::from_slice(&bytes[5..21]).map_err(|_| BundleError::Corrupt(5))
}

/// Decodes a bundle for `cycle`: a damaged bundle (bytes that do not match the trailing hash) is
/// refused whole. Signatures are not checked here; the store verifies them on import and
/// refuses a record whose signature fails.
pub fn decode(cycle: Uuid, bytes: &[u8]) -> Result<Vec<SignedRecord>, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    if bytes.len() < HEAD || &bytes[..4] != MAGIC {
        return Err(BundleError::BadMagic);
    }
    if bytes[4] != VERSION {
        return Err(BundleError::UnsupportedVersion(bytes[4]));
    }
    if bytes.len() < HEAD + TRAILER {
        return Err(BundleError::Corrupt(bytes.len()));
    }
    let (bytes, sum) = bytes.split_at(bytes.len() - TRAILER);
    if Sha256::digest(bytes)[..] != sum[..] {
        return Err(BundleError::Damaged);
    }
    let found = Uuid::from_slice(&bytes[5..21]).map_err(|_| BundleError::Corrupt(5))?;
    if found != cycle {
        return Err(BundleError::WrongCycle {
            expected: cycle,
            found,
        });
    }
    let count = u32::from_be_bytes(bytes[21..25].try_into().expect("4 bytes")) as usize;
    if count > MAX_RECORDS {
        return Err(BundleError::TooLarge);
    }
    let mut at = 25;
    let mut out = Vec::with_capacity(count.min(1024));
    for index in 0..count {
        let len_bytes = bytes.get(at..at + 4).ok_or(BundleError::Corrupt(at))?;
        let len = u32::from_be_bytes(len_bytes.try_into().expect("4 bytes")) as usize;
        if len > MAX_RECORD_BYTES + 64 {
            return Err(BundleError::Corrupt(at));
        }
        let rec = bytes
            .get(at + 4..at + 4 + len)
            .ok_or(BundleError::Corrupt(at))?;
        out.push(
            SignedRecord::from_bytes(rec)
                .map_err(|reason| BundleError::Record { index, reason })?,
        );
        at += 4 + len;
    }
    if at != bytes.len() {
        return Err(BundleError::TrailingBytes(bytes.len() - at));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_hostile_bytes() {
        let cycle = Uuid::now_v7();
        let r = SignedRecord::from_parts(b"{}".to_vec(), [1; 64]);
        let b = encode(cycle, &[r.clone(), r.clone()]);
        assert_eq!(decode(cycle, &b).unwrap(), vec![r.clone(), r]);
        assert!(matches!(
            decode(Uuid::now_v7(), &b),
            Err(BundleError::WrongCycle { .. })
        ));
        assert_eq!(decode(cycle, b"nope"), Err(BundleError::BadMagic));
        for cut in [25, 30, b.len() - 1] {
            assert!(decode(cycle, &b[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = b.clone();
        extra.push(0);
        assert_eq!(decode(cycle, &extra), Err(BundleError::Damaged));
        let mut v = b.clone();
        v[4] = 9;
        assert_eq!(decode(cycle, &v), Err(BundleError::UnsupportedVersion(9)));
        // Every single-bit flip past the version byte is refused as damage (or a wrong cycle).
        for bit in 5 * 8..b.len() * 8 {
            let mut d = b.clone();
            d[bit / 8] ^= 1 << (bit % 8);
            assert!(
                matches!(
                    decode(cycle, &d),
                    Err(BundleError::Damaged | BundleError::WrongCycle { .. })
                ),
                "bit {bit}"
            );
        }
        // A record list whose sum was recomputed still fails in its framing.
        let mut framed = b[..b.len() - 32].to_vec();
        framed.push(0);
        let sum: [u8; 32] = Sha256::digest(&framed).into();
        framed.extend_from_slice(&sum);
        assert_eq!(decode(cycle, &framed), Err(BundleError::TrailingBytes(1)));
        // Random bytes never panic.
        let mut x: u64 = 7;
        for _ in 0..2000 {
            let mut junk = b.clone();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x as usize) % junk.len();
            junk[i] ^= (x >> 8) as u8 | 1;
            let _ = decode(cycle, &junk);
        }
    }
}
