//! QR-sized chunks: a bundle split into pieces of at most [`MAX_CHUNK_BYTES`] for exchange by
//! QR codes (or any channel that carries small messages), scanned in any order.
//!
//! Chunk layout (version 2): `"LNLC"`, version `2`, the bundle's root (32 bytes), chunk index
//! (u16), chunk count (u16), proof length `d` (u8), `d` sibling hashes (32 bytes each), then the
//! payload. The root is a Merkle root over the chunks: leaf = SHA-256(`0x00` || index || count
//! || payload), node = SHA-256(`0x01` || left || right), an odd last node moving up unchanged. Each
//! chunk carries its path to the root, so every chunk is checked on its own when it is scanned:
//! a damaged chunk, or a forged one claiming a real bundle's root, is refused and never takes a
//! genuine chunk's place. Chunks of different bundles are collected side by side (at most
//! [`MAX_BUNDLES`]); a wrong bundle can be dropped, and the collector says which chunks are
//! still missing.

use sha2::{Digest, Sha256};

const MAGIC: &[u8; 4] = b"LNLC";
const VERSION: u8 = 2;
const HEADER: usize = 4 + 1 + 32 + 2 + 2 + 1;
/// Largest chunk, header and proof included: what [`split`] makes for channels that carry
/// small binary messages, and the largest an [`Assembler`] takes.
pub const MAX_CHUNK_BYTES: usize = 2_000;
/// Largest chunk [`split_for_qr`] makes: 400 bytes are 600 base45 characters, a version-15 QR
/// code (77 modules a side) at error correction M. Measured (docs/sync.md §QR codes): such a
/// code shown on one phone and filmed by another, at 200 camera pixels across, was read in
/// 30 of 30 simulated captures by ZXing; 480 bytes (version 17) in 22 of 30, and 2,000 bytes
/// (version 38) in 0 of 30 at 230 pixels. The proof grows with the bundle, so a QR bundle
/// holds at most about 38 KB (1,024 chunks): enough for a resident's ballots and reports,
/// while whole cycles travel as files or over the LAN.
pub const QR_CHUNK_BYTES: usize = 400;
/// Bundles a collector follows at once (a stray chunk of another bundle starts its own).
pub const MAX_BUNDLES: usize = 4;

type Hash = [u8; 32];

/// Why chunks cannot be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// Not a Linli chunk, or a version this build does not know.
    #[error("not a Linli chunk")]
    NotAChunk,
    /// The chunk does not prove its place in its bundle: damaged, or forged.
    #[error("chunk {0} is damaged or forged")]
    Corrupt(u16),
    /// Chunks of more bundles than a collector follows: drop one first.
    #[error("chunks of more than {MAX_BUNDLES} bundles")]
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
}

/// Whether `bytes` start like a chunk (rather than a whole bundle): what a reader of scanned or
/// stored pieces checks before adding them to an [`Assembler`].
pub fn is_chunk(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn leaf(index: u16, total: u16, payload: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(index.to_be_bytes());
    h.update(total.to_be_bytes());
    h.update(payload);
    h.finalize().into()
}

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Every level of the tree, leaves first, root last.
fn levels(leaves: Vec<Hash>) -> Vec<Vec<Hash>> {
    let mut out = vec![leaves];
    while out.last().expect("one level").len() > 1 {
        let below = out.last().expect("one level");
        let up = below
            .chunks(2)
            .map(|p| {
                if p.len() == 2 {
                    node(&p[0], &p[1])
                } else {
                    p[0]
                }
            })
            .collect();
        out.push(up);
    }
    out
}

/// Proof length for a chunk of a bundle of `total` chunks: one sibling per level where it has one.
fn depth(total: usize) -> usize {
    let mut d = 0;
    let mut n = total;
    while n > 1 {
        n = n.div_ceil(2);
        d += 1;
    }
    d
}

/// Recomputes the root from a chunk and its proof; `None` when the proof has the wrong shape.
fn root_of(index: u16, total: usize, payload: &[u8], proof: &[Hash]) -> Option<Hash> {
    let mut h = leaf(index, total as u16, payload);
    let (mut i, mut n, mut k) = (index as usize, total, 0);
    while n > 1 {
        let sib = i ^ 1;
        if sib < n {
            let s = proof.get(k)?;
            k += 1;
            h = if i % 2 == 0 { node(&h, s) } else { node(s, &h) };
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    (k == proof.len()).then_some(h)
}

/// Splits a bundle into chunks of at most [`MAX_CHUNK_BYTES`].
pub fn split(bundle: &[u8]) -> Result<Vec<Vec<u8>>, ChunkError> {
    split_at_most(bundle, MAX_CHUNK_BYTES)
}

/// Splits a bundle into chunks of at most [`QR_CHUNK_BYTES`], one QR code each (show
/// [`to_text`] of each).
pub fn split_for_qr(bundle: &[u8]) -> Result<Vec<Vec<u8>>, ChunkError> {
    split_at_most(bundle, QR_CHUNK_BYTES)
}

/// A chunk as the text a QR code carries: base45, which scanners return intact as a string
/// (see [`crate::base45`]).
pub fn to_text(chunk: &[u8]) -> String {
    crate::base45::encode(chunk)
}

/// A chunk from scanned text (surrounding whitespace ignored). Text that is not base45, or
/// whose bytes are not a chunk (an invite, a key, another app's code), is
/// [`ChunkError::NotAChunk`]; the chunk's proof is checked when it is added to an [`Assembler`].
pub fn from_text(text: &str) -> Result<Vec<u8>, ChunkError> {
    let bytes = crate::base45::decode(text.trim()).map_err(|_| ChunkError::NotAChunk)?;
    if !is_chunk(&bytes) {
        return Err(ChunkError::NotAChunk);
    }
    Ok(bytes)
}

fn split_at_most(bundle: &[u8], max: usize) -> Result<Vec<Vec<u8>>, ChunkError> {
    // The payload shrinks as the proof grows: take the first proof depth that fits.
    let (payload, total) = (0..=16)
        .find_map(|d| {
            let payload = max.checked_sub(HEADER + 32 * d).filter(|p| *p > 0)?;
            let total = bundle.len().div_ceil(payload).max(1);
            (depth(total) <= d).then_some((payload, total))
        })
        .ok_or(ChunkError::TooLarge)?;
    let total_u16 = u16::try_from(total).map_err(|_| ChunkError::TooLarge)?;
    let pieces: Vec<&[u8]> = if bundle.is_empty() {
        vec![&[][..]]
    } else {
        bundle.chunks(payload).collect()
    };
    let tree = levels(
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| leaf(i as u16, total_u16, p))
            .collect(),
    );
    let root = tree.last().expect("a root")[0];
    Ok(pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut proof = Vec::new();
            let mut at = i;
            for level in &tree[..tree.len() - 1] {
                if let Some(s) = level.get(at ^ 1) {
                    proof.push(*s);
                }
                at /= 2;
            }
            let mut out = Vec::with_capacity(HEADER + 32 * proof.len() + piece.len());
            out.extend_from_slice(MAGIC);
            out.push(VERSION);
            out.extend_from_slice(&root);
            out.extend_from_slice(&(i as u16).to_be_bytes());
            out.extend_from_slice(&total_u16.to_be_bytes());
            out.push(proof.len() as u8);
            for h in &proof {
                out.extend_from_slice(h);
            }
            out.extend_from_slice(piece);
            out
        })
        .collect())
}

/// One bundle being collected.
#[derive(Debug, Clone)]
struct Group {
    root: Hash,
    parts: Vec<Option<Vec<u8>>>,
}

impl Group {
    fn held(&self) -> usize {
        self.parts.iter().filter(|p| p.is_some()).count()
    }
}

/// What a scanned chunk did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The bundle the chunk belongs to (its Merkle root).
    pub bundle: [u8; 32],
    /// Chunks of that bundle held.
    pub held: usize,
    /// Chunks in that bundle.
    pub total: usize,
}

/// Collects scanned chunks, in any order, until a bundle is complete.
#[derive(Debug, Default, Clone)]
pub struct Assembler {
    groups: Vec<Group>,
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// Adds one scanned chunk, checked against its bundle's root. Returns (chunks held, chunks
    /// in all) of that bundle. A duplicate is ignored; a damaged or forged chunk is refused and
    /// changes nothing.
    pub fn add(&mut self, chunk: &[u8]) -> Result<(usize, usize), ChunkError> {
        let p = self.scan(chunk)?;
        Ok((p.held, p.total))
    }

    /// [`Assembler::add`], saying which bundle the chunk belongs to.
    pub fn scan(&mut self, chunk: &[u8]) -> Result<Progress, ChunkError> {
        if chunk.len() < HEADER
            || chunk.len() > MAX_CHUNK_BYTES
            || &chunk[..4] != MAGIC
            || chunk[4] != VERSION
        {
            return Err(ChunkError::NotAChunk);
        }
        let root: Hash = chunk[5..37].try_into().expect("32 bytes");
        let index = u16::from_be_bytes([chunk[37], chunk[38]]);
        let total = u16::from_be_bytes([chunk[39], chunk[40]]) as usize;
        let d = chunk[41] as usize;
        let Some(payload) = chunk.get(HEADER + 32 * d..) else {
            return Err(ChunkError::Corrupt(index));
        };
        let proof: Vec<Hash> = chunk[HEADER..HEADER + 32 * d]
            .chunks_exact(32)
            .map(|h| h.try_into().expect("32 bytes"))
            .collect();
        if total == 0
            || index as usize >= total
            || root_of(index, total, payload, &proof) != Some(root)
        {
            return Err(ChunkError::Corrupt(index));
        }
        let g = match self.groups.iter().position(|g| g.root == root) {
            Some(i) => &mut self.groups[i],
            None => {
                if self.groups.len() >= MAX_BUNDLES {
                    return Err(ChunkError::ForeignChunk);
                }
                self.groups.push(Group {
                    root,
                    parts: vec![None; total],
                });
                self.groups.last_mut().expect("just pushed")
            }
        };
        // The root fixes the count: a proof cannot verify under another one.
        if g.parts.len() != total {
            return Err(ChunkError::Corrupt(index));
        }
        if g.parts[index as usize].is_none() {
            g.parts[index as usize] = Some(payload.to_vec());
        }
        Ok(Progress {
            bundle: root,
            held: g.held(),
            total,
        })
    }

    /// The bundles being collected, most complete first.
    pub fn bundles(&self) -> Vec<Progress> {
        let mut out: Vec<Progress> = self
            .groups
            .iter()
            .map(|g| Progress {
                bundle: g.root,
                held: g.held(),
                total: g.parts.len(),
            })
            .collect();
        out.sort_by_key(|p| std::cmp::Reverse((p.held * 1000).checked_div(p.total).unwrap_or(0)));
        out
    }

    /// The indices of the chunks still missing from the most complete bundle.
    pub fn missing(&self) -> Vec<u16> {
        match self.bundles().first() {
            Some(best) => self.missing_of(&best.bundle),
            None => Vec::new(),
        }
    }

    /// The indices of the chunks still missing from one bundle.
    pub fn missing_of(&self, bundle: &[u8; 32]) -> Vec<u16> {
        self.groups
            .iter()
            .find(|g| &g.root == bundle)
            .map(|g| {
                g.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.is_none())
                    .map(|(i, _)| i as u16)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Drops a bundle's chunks (one scanned by mistake). Returns whether it was being collected.
    pub fn drop_bundle(&mut self, bundle: &[u8; 32]) -> bool {
        let before = self.groups.len();
        self.groups.retain(|g| &g.root != bundle);
        self.groups.len() != before
    }

    /// The first complete bundle's bytes. Every chunk was proven against the root when it was
    /// added, so a complete bundle is the one that was split.
    pub fn finish(&self) -> Result<Vec<u8>, ChunkError> {
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| g.parts.iter().all(Option::is_some))
        {
            return Ok(g.parts.iter().flatten().flatten().copied().collect());
        }
        let best = self.bundles().into_iter().next();
        Err(ChunkError::Incomplete {
            missing: best.map_or(0, |p| p.total - p.held),
            total: best.map_or(0, |p| p.total),
        })
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
        for n in [0, 1, 1_958, 10_000, 250_000] {
            let b = bundle(n);
            let chunks = split(&b).unwrap();
            assert!(chunks.iter().all(|c| c.len() <= MAX_CHUNK_BYTES), "{n}");
            let mut a = Assembler::new();
            for i in (0..chunks.len()).rev() {
                a.add(&chunks[i]).unwrap();
                a.add(&chunks[i]).unwrap(); // scanned twice
            }
            assert_eq!(a.finish().unwrap(), b, "{n}");
        }
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
        assert_eq!(a.missing(), (1..chunks.len() as u16).collect::<Vec<_>>());
        let mut bad = chunks[1].clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(a.add(&bad), Err(ChunkError::Corrupt(1)));
        assert_eq!(a.add(b"hello"), Err(ChunkError::NotAChunk));
        for c in &chunks[1..] {
            a.add(c).unwrap();
        }
        assert_eq!(a.finish().unwrap(), bundle(5_000));
    }

    #[test]
    fn a_forged_or_foreign_chunk_scanned_first_cannot_block_the_genuine_bundle() {
        let genuine = split(&bundle(9_000)).unwrap();
        let other = split(&bundle(4_000)).unwrap();
        // A forgery: the genuine root and index, another payload (anyone can compute a hash,
        // but not a path to the genuine root).
        let mut forged = genuine[2].clone();
        let n = forged.len();
        forged[n - 10..].copy_from_slice(&[0xAA; 10]);
        let mut a = Assembler::new();
        assert_eq!(a.add(&forged), Err(ChunkError::Corrupt(2)));
        // A whole foreign bundle's chunk first: collected on its own, and dropped when wanted.
        let p = a.scan(&other[0]).unwrap();
        for c in genuine.iter().rev() {
            a.add(c).unwrap();
        }
        assert_eq!(a.finish().unwrap(), bundle(9_000));
        assert_eq!(a.bundles().len(), 2);
        assert!(a.drop_bundle(&p.bundle));
        assert_eq!(a.bundles().len(), 1);
        // Every single-bit flip of a chunk is refused.
        for bit in 0..genuine[0].len() * 8 {
            let mut d = genuine[0].clone();
            d[bit / 8] ^= 1 << (bit % 8);
            let mut fresh = Assembler::new();
            let r = fresh.add(&d);
            assert!(r.is_err(), "bit {bit}: {r:?}");
        }
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
