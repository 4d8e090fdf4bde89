//! References to photos and files. The bytes live outside the records, addressed by their hash.

use crate::exclusion::Exclusion;
use crate::text;
use serde::{Deserialize, Serialize};

/// Largest blob a record may reference (20 MiB).
pub const MAX_BLOB_BYTES: u64 = 20 * 1024 * 1024;

/// A photo or file referenced by a record: SHA-256 of the bytes (hex), size, media type, name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobRef {
    /// SHA-256 of the bytes, 64 lowercase hex characters.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, e.g. "image/jpeg".
    pub mime: String,
    /// File name for people.
    pub name: String,
}

impl BlobRef {
    /// Builds the reference for some bytes.
    pub fn for_bytes(bytes: &[u8], mime: &str, name: &str) -> BlobRef {
        use sha2::Digest;
        BlobRef {
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            size: bytes.len() as u64,
            mime: mime.to_string(),
            name: name.to_string(),
        }
    }

    /// Checks the reference on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        let hex_ok = self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex_ok {
            return Err(Exclusion::Malformed {
                detail: "blob hash must be 64 lowercase hex characters".into(),
            });
        }
        if self.size == 0 || self.size > MAX_BLOB_BYTES {
            return Err(Exclusion::RuleViolation {
                detail: format!("blob size {} outside 1..={MAX_BLOB_BYTES}", self.size),
            });
        }
        text::check("mime", &self.mime, 1, text::SHORT)?;
        text::check("name", &self.name, 1, text::SHORT)
    }
}

/// Checks a list of blob references.
pub fn check_all(field: &str, refs: &[BlobRef]) -> Result<(), Exclusion> {
    text::check_count(field, refs.len(), text::LIST)?;
    refs.iter().try_for_each(BlobRef::check_shape)
}
