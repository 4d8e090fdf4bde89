//! QR-sized chunks: a bundle split into pieces of at most [`MAX_CHUNK_BYTES`] for exchange by
//! QR codes (or any channel that carries small messages), scanned in any order.
//!
//! Chunk layout (version 1): `"LNLC"`, version `1`, SHA-256 of the whole bundle (32 bytes), chunk
//! index (u16), chunk count (u16), the first 4 bytes of SHA-256 over everything before them plus
//! the payload, then the payload. Duplicates are ignored, chunks of another bundle are refused,
//! and the reassembled bundle must hash to the announced SHA-256.

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 4] = b"LNLC";
const VERSION: u8 = 1;
const HEADER: usize = 4 + 1 + 32 + 2 + 2 + 4;
/// Largest chunk, header included (fits a QR code in byte mode with room for error correction).
pub const MAX_CHUNK_BYTES: usize = 2_000;

/// Why chunks cannot be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// Not a Linli chunk, or a version this build does not know.
    #[error("not a Linli chunk")]
    NotAChunk,
    /// The chunk's checksum does not match its bytes.
    #[error("chunk {0} is corrupt")]
    Corrupt(u16),
    /// The chunk belongs to another bundle than the chunks already scanned.
    #[error("chunk belongs to another bundle")]
    ForeignChunk,
    /// The bundle is too large to split into 65,535 chunks.
    #[error("bundle too large for chunks")]
    TooLarge,
    /// Chunks are still missing.
    #[error("{missing} of {total} chunks missing")]
    Incomplete {
        /// Chunks not scanned yet.
        missing: usize,
        /// Chunks in all.
        total: usize,
    },
    /// The reassembled bytes do not hash to the announced SHA-256.
    #[error("reassembled bundle does not match its hash")]
    HashMismatch,
}

/// Whether `bytes` start like a chunk (rather than a whole bundle): what a reader of scanned or
/// stored pieces checks before adding them to an [`Assembler`].
pub fn is_chunk(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn checksum(header: &[u8], payload: &[u8]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(header);
    h.update(payload);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Splits a bundle into chunks of at most [`MAX_CHUNK_BYTES`].
pub fn split(bundle: &[u8]) -> Result<Vec<Vec<u8>>, ChunkError> {
    let payload = MAX_CHUNK_BYTES - HEADER;
    let total = bundle.len().div_ceil(payload).max(1);
    let total_u16 = u16::try_from(total).map_err(|_| ChunkError::TooLarge)?;
    let hash: [u8; 32] = Sha256::digest(bundle).into();
    let pieces: Vec<&[u8]> = if bundle.is_empty() {
        vec![&[][..]]
    } else {
        bundle.chunks(payload).collect()
    };
    Ok(pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut out = Vec::with_capacity(HEADER + piece.len());
            out.extend_from_slice(MAGIC);
            out.push(VERSION);
            out.extend_from_slice(&hash);
            out.extend_from_slice(&(i as u16).to_be_bytes());
            out.extend_from_slice(&total_u16.to_be_bytes());
            let sum = checksum(&out, piece);
            out.extend_from_slice(&sum);
            out.extend_from_slice(piece);
            out
        })
        .collect())
}

/// Collects scanned chunks, in any order, until the bundle is complete.
#[derive(Debug, Default, Clone)]
pub struct Assembler {
    hash: Option<[u8; 32]>,
    parts: Vec<Option<Vec<u8>>>,
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// Adds one scanned chunk. Returns (chunks held, chunks in all). A duplicate is ignored; a
    /// corrupt or foreign chunk is refused and changes nothing.
    pub fn add(&mut self, chunk: &[u8]) -> Result<(usize, usize), ChunkError> {
        if chunk.len() < HEADER
            || chunk.len() > MAX_CHUNK_BYTES
            || &chunk[..4] != MAGIC
            || chunk[4] != VERSION
        {
            return Err(ChunkError::NotAChunk);
        }
        let hash: [u8; 32] = chunk[5..37].try_into().expect("32 bytes");
        let index = u16::from_be_bytes([chunk[37], chunk[38]]);
        let total = u16::from_be_bytes([chunk[39], chunk[40]]) as usize;
        let payload = &chunk[HEADER..];
        if checksum(&chunk[..41], payload) != chunk[41..45] || total == 0 || index as usize >= total
        {
            return Err(ChunkError::Corrupt(index));
        }
        match self.hash {
            Some(h) if h != hash || self.parts.len() != total => {
                return Err(ChunkError::ForeignChunk);
            }
            Some(_) => {}
            None => {
                self.hash = Some(hash);
                self.parts = vec![None; total];
            }
        }
        if self.parts[index as usize].is_none() {
            self.parts[index as usize] = Some(payload.to_vec());
        }
        Ok((self.parts.iter().filter(|p| p.is_some()).count(), total))
    }

    /// The reassembled bundle, once every chunk is in and the hash matches.
    pub fn finish(&self) -> Result<Vec<u8>, ChunkError> {
        let missing = self.parts.iter().filter(|p| p.is_none()).count();
        if self.hash.is_none() || missing > 0 {
            return Err(ChunkError::Incomplete {
                missing,
                total: self.parts.len(),
            });
        }
        let bundle: Vec<u8> = self.parts.iter().flatten().flatten().copied().collect();
        if Sha256::digest(&bundle)[..] != self.hash.expect("checked")[..] {
            return Err(ChunkError::HashMismatch);
        }
        Ok(bundle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::DeviceSecret;
    use crate::record::Body;
    use crate::record::ballot::Ballot;
    use crate::record::envelope::{Draft, SignedRecord};
    use uuid::Uuid;

    fn bundle(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn any_order_with_duplicates_reassembles() {
        let b = bundle(10_000);
        let chunks = split(&b).unwrap();
        assert!(chunks.iter().all(|c| c.len() <= MAX_CHUNK_BYTES));
        assert_eq!(chunks.len(), 10_000usize.div_ceil(MAX_CHUNK_BYTES - HEADER));
        let mut a = Assembler::new();
        for i in (0..chunks.len()).rev() {
            a.add(&chunks[i]).unwrap();
            a.add(&chunks[i]).unwrap(); // scanned twice
        }
        assert_eq!(a.finish().unwrap(), b);
    }

    #[test]
    fn missing_corrupt_and_foreign_chunks_are_refused() {
        let chunks = split(&bundle(5_000)).unwrap();
        let mut a = Assembler::new();
        a.add(&chunks[0]).unwrap();
        assert_eq!(
            a.finish(),
            Err(ChunkError::Incomplete {
                missing: chunks.len() - 1,
                total: chunks.len()
            })
        );
        let mut bad = chunks[1].clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(a.add(&bad), Err(ChunkError::Corrupt(1)));
        let other = split(&bundle(4_000)).unwrap();
        assert_eq!(a.add(&other[0]), Err(ChunkError::ForeignChunk));
        assert_eq!(a.add(b"hello"), Err(ChunkError::NotAChunk));
        for c in &chunks[1..] {
            a.add(c).unwrap();
        }
        assert_eq!(a.finish().unwrap(), bundle(5_000));
    }

    #[test]
    fn a_single_new_ballot_fits_in_one_chunk() {
        let k = DeviceSecret::from_seed(&[5; 32]);
        let cycle = Uuid::now_v7();
        let ballot = SignedRecord::sign(
            &k,
            &Draft {
                cycle,
                seq: 42,
                time: chrono::Utc::now(),
                phase: Some(Uuid::now_v7()),
                body: Body::Ballot(Ballot::approve(vec![
                    Uuid::now_v7(),
                    Uuid::now_v7(),
                    Uuid::now_v7(),
                ])),
            },
        );
        let b = crate::bundle::encode(cycle, std::slice::from_ref(&ballot));
        let chunks = split(&b).unwrap();
        assert_eq!(chunks.len(), 1, "{} bytes", b.len());
        let mut a = Assembler::new();
        a.add(&chunks[0]).unwrap();
        assert_eq!(
            crate::bundle::decode(cycle, &a.finish().unwrap()).unwrap(),
            vec![ballot]
        );
    }

    #[test]
    fn random_bytes_never_panic() {
        let chunks = split(&bundle(3_000)).unwrap();
        let mut x: u64 = 99;
        for _ in 0..3_000 {
            let mut c = chunks[(x % 2) as usize].clone();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = (x as usize) % c.len();
            c[i] ^= (x >> 9) as u8 | 1;
            let mut a = Assembler::new();
            let _ = a.add(&c);
            let _ = a.finish();
        }
    }
}
