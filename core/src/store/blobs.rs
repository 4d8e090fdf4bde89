//! Photos and files, stored by the SHA-256 of their bytes outside the records.

use super::*;
use chrono::Utc;
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Stores a photo or file by the SHA-256 of its bytes (once) and returns the reference a record
    /// carries.
    pub fn put_blob(
        &self,
        bytes: &[u8],
        mime: &str,
        name: &str,
    ) -> Result<crate::record::blob::BlobRef> {
        let r = crate::record::blob::BlobRef::for_bytes(bytes, mime, name);
        r.check_shape()?;
        let g = self.lock();
        g.conn.execute(
            "INSERT OR IGNORE INTO blobs (sha256, mime, bytes, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![r.sha256, r.mime, bytes, Utc::now().to_rfc3339()],
        )?;
        Ok(r)
    }

    /// The bytes of a stored blob, if this device has them.
    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.read(|c| {
            c.query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()
        })
    }
}
