//! The live vote counts of a cycle's proposals, packed into one column of the cycle's summary
//! row (`cycle_view.votes`), so that a vote rewrites one page for the summary and every count
//! instead of one page per proposal it moves (a proposal's row holds its text and content, often
//! with overflow pages).
//!
//! Layout: a version byte (1), the prefix length `L`, the number of entries (u32, little
//! endian), then one entry per proposal in id order:
//! the first `L` bytes of its id and its count as an unsigned LEB128 varint. `L` is the shortest
//! length from 4 bytes on that tells the cycle's proposals apart (ids are hashes, so 4 almost
//! always does): 500 proposals take about 3 KB, which stays on the row's page.

use std::collections::HashMap;
use uuid::Uuid;

const VERSION: u8 = 1;
const MIN_PREFIX: usize = 4;

/// Packs `(proposal, votes)` pairs, given in id order.
pub fn pack(counts: &[(Uuid, u64)]) -> Vec<u8> {
    debug_assert!(counts.windows(2).all(|w| w[0].0 < w[1].0));
    let len = (MIN_PREFIX..16)
        .find(|&l| {
            counts
                .windows(2)
                .all(|w| w[0].0.as_bytes()[..l] != w[1].0.as_bytes()[..l])
        })
        .unwrap_or(16);
    let mut out = Vec::with_capacity(2 + counts.len() * (len + 2));
    out.push(VERSION);
    out.push(len as u8);
    out.extend_from_slice(&(counts.len() as u32).to_le_bytes());
    for (id, votes) in counts {
        out.extend_from_slice(&id.as_bytes()[..len]);
        let mut v = *votes;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
    }
    out
}

/// The counts packed by [`pack`], looked up by proposal id.
#[derive(Debug, Default)]
pub struct Counts {
    len: usize,
    by_prefix: HashMap<u128, u64>,
}

impl Counts {
    /// Reads packed counts; bytes of another layout or cut short read as no counts at all
    /// (every proposal then shows 0 until the next write rewrites the row).
    pub fn unpack(bytes: &[u8]) -> Counts {
        Self::try_unpack(bytes).unwrap_or_default()
    }

    fn try_unpack(bytes: &[u8]) -> Option<Counts> {
        let (&version, rest) = bytes.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        if version != VERSION || !(MIN_PREFIX..=16).contains(&len) {
            return None;
        }
        let entries = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let mut rest = &rest[4..];
        let mut by_prefix = HashMap::with_capacity(entries.min(rest.len()));
        for _ in 0..entries {
            let prefix = rest.get(..len)?;
            rest = &rest[len..];
            let (mut v, mut shift) = (0u64, 0u32);
            loop {
                let (&b, r) = rest.split_first()?;
                rest = r;
                if shift > 63 {
                    return None;
                }
                v |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            by_prefix.insert(key(prefix), v);
        }
        rest.is_empty().then_some(Counts { len, by_prefix })
    }

    /// The count of `proposal`; 0 for one that has none.
    pub fn get(&self, proposal: &Uuid) -> u64 {
        if self.len == 0 {
            return 0;
        }
        self.by_prefix
            .get(&key(&proposal.as_bytes()[..self.len]))
            .copied()
            .unwrap_or(0)
    }
}

fn key(prefix: &[u8]) -> u128 {
    prefix
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(prefix: &[u8], tail: u8) -> Uuid {
        let mut b = [tail; 16];
        b[..prefix.len()].copy_from_slice(prefix);
        Uuid::from_bytes(b)
    }

    /// An id spread like a record's hash.
    fn random(i: u64) -> Uuid {
        use sha2::{Digest, Sha256};
        let h = Sha256::digest(i.to_le_bytes());
        Uuid::from_slice(&h[..16]).expect("16 bytes")
    }

    #[test]
    fn counts_read_back_for_five_hundred_proposals_on_one_page() {
        let mut counts: Vec<(Uuid, u64)> = (0..500u64)
            .map(|i| (random(i), i * 997 % 100_001))
            .collect();
        counts.sort();
        let bytes = pack(&counts);
        assert!(bytes.len() < 3_600, "{} bytes", bytes.len());
        let read = Counts::unpack(&bytes);
        for (p, v) in &counts {
            assert_eq!(read.get(p), *v);
        }
        assert_eq!(read.get(&random(1_000)), 0);
    }

    #[test]
    fn ids_sharing_a_long_prefix_are_still_told_apart() {
        let a = id(&[1, 2, 3, 4, 5, 6, 7], 1);
        let b = id(&[1, 2, 3, 4, 5, 6, 7], 2);
        let c = id(&[9], 0);
        let bytes = pack(&[(a, 3), (b, 300), (c, u64::MAX)]);
        assert_eq!(bytes[1], 8);
        let read = Counts::unpack(&bytes);
        assert_eq!(
            (read.get(&a), read.get(&b), read.get(&c)),
            (3, 300, u64::MAX)
        );
    }

    #[test]
    fn damaged_or_foreign_bytes_read_as_no_counts() {
        let counts = [(id(&[1], 0), 5), (id(&[2], 0), 6)];
        let bytes = pack(&counts);
        for cut in 0..bytes.len() {
            assert_eq!(Counts::unpack(&bytes[..cut]).get(&counts[0].0), 0, "{cut}");
        }
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(Counts::unpack(&other).get(&counts[1].0), 0);
        assert_eq!(Counts::unpack(&[1, 3]).get(&counts[1].0), 0);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Counts::unpack(&longer).get(&counts[1].0), 0);
    }
}
