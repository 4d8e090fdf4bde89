//! The sync message: one framed, versioned byte string per turn of a session.
//!
//! ```text
//! "LNLS" | version u8 (2) | payload length u32 LE | checksum 8 | payload
//! checksum = the first 8 bytes of SHA-256(payload)
//! payload = flags u8 (bit 0 hello, bit 1 done, bit 2 agreed, bit 3 refusal)
//!           [refusal: reason code str; nothing follows]
//!           [agreed: digest 8]
//!           [hello: device key 32 | max blob u64 | cycles u16 × (cycle 16 | genesis 16 |
//!                   rest flag u8 [rest digest 8] | docs u16 × (doc u16 | heads digest 8))]
//!           parts u32 × (cycle 16 | doc u16 | push bytes | sync bytes)
//!           want u16 × sha256 32
//!           blobs u16 × (sha256 32 | mime str | bytes)
//!           missing u16 × sha256 32
//! bytes/str = length u32 LE | content
//! ```
//! Every length is checked against what is left and against a limit before anything is
//! allocated; decoding never panics on any input (fuzzed: `fuzz/fuzz_targets/sync_message.rs`).
//! The checksum makes a frame damaged in transit a [`SyncError::Damaged`] before any of it is
//! read; it is no defence against a hostile peer, whose records still have to pass their
//! signatures. A refusal ends a session and says why (`sync_busy` from a full hub, or the code
//! of the error that stopped the sender), so a phone can tell the resident.

use super::SyncError;
use crate::identity::DeviceKey;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Magic bytes opening every message.
pub const MAGIC: &[u8; 4] = b"LNLS";
/// The protocol version this build speaks.
pub const VERSION: u8 = 2;
/// Largest message accepted (a first sync of a big cycle is sent in several messages).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Header length: magic, version, payload length, checksum.
pub const HEADER_BYTES: usize = 17;
/// Longest reason code a refusal carries.
const MAX_REASON: usize = 64;

fn checksum(payload: &[u8]) -> [u8; 8] {
    let d = Sha256::digest(payload);
    d[..8].try_into().expect("8 bytes")
}
const MAX_ITEMS: usize = 4096;

/// The first message of each side: who it is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The sender's device key (a hint for resuming, not an authentication: records carry
    /// signatures).
    pub device: DeviceKey,
    /// Largest blob the sender wants to receive.
    pub max_blob: u64,
    /// The cycles the sender holds.
    pub cycles: Vec<CycleHello>,
}

/// One cycle in a hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleHello {
    /// The cycle.
    pub cycle: Uuid,
    /// The genesis record the sender trusts for it.
    pub genesis: Uuid,
    /// Documents and a digest of their heads. Without `rest`: every non-empty document. With
    /// `rest`: only the documents whose heads moved since the state the sender last agreed with
    /// the receiver.
    pub docs: Vec<(u16, [u8; 8])>,
    /// Present in a compact hello: the digest of the agreed heads of every known document not in
    /// `docs` (see [`crate::store::docs::rest_digest`]). The receiver checks it against its own
    /// record of that agreement; if it differs it syncs every document.
    pub rest: Option<[u8; 8]>,
}

/// Sync traffic for one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPart {
    /// The cycle.
    pub cycle: Uuid,
    /// The document within the cycle.
    pub doc: u16,
    /// Automerge changes (or a whole saved document) pushed without being asked: the sender's
    /// changes since the state it last shared with this peer. Empty if none.
    pub push: Vec<u8>,
    /// An encoded Automerge sync message. Empty if none.
    pub sync: Vec<u8>,
}

/// A blob's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobData {
    /// SHA-256 of the bytes.
    pub sha256: [u8; 32],
    /// Media type.
    pub mime: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// One turn of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// Present in each side's first message.
    pub hello: Option<Hello>,
    /// The sender expects no reply.
    pub done: bool,
    /// With `done`: the digest of the heads both sides now hold for every document of the shared
    /// cycles (see [`crate::store::docs::agreed_digest`]), so both can record the same agreement.
    pub agreed: Option<[u8; 8]>,
    /// Document traffic.
    pub parts: Vec<DocPart>,
    /// Blobs the sender wants.
    pub want: Vec<[u8; 32]>,
    /// Blobs the peer wanted.
    pub blobs: Vec<BlobData>,
    /// Blobs the peer wanted that the sender doesn't have.
    pub missing: Vec<[u8; 32]>,
}

impl Message {
    /// A refusal: the sender ends the session and gives the reason code (`sync_busy`, or the
    /// code of the error that stopped it). Nothing else travels with it.
    pub fn refusal(code: &str) -> Vec<u8> {
        let code = &code.as_bytes()[..code.len().min(MAX_REASON)];
        let mut p = vec![8u8];
        put_bytes(&mut p, code);
        frame(&p)
    }

    /// The reason code when `bytes` are a well-formed refusal.
    pub fn refusal_code(bytes: &[u8]) -> Option<String> {
        let body = checked_payload(bytes).ok()?;
        let mut r = Reader { b: body };
        if r.u8().ok()? != 8 {
            return None;
        }
        let code = r.bytes().ok()?;
        (r.b.is_empty() && code.len() <= MAX_REASON)
            .then(|| String::from_utf8(code.to_vec()).ok())
            .flatten()
    }

    /// Encodes the message with its header.
    pub fn encode(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(64);
        let flags = u8::from(self.hello.is_some())
            | (u8::from(self.done) << 1)
            | (u8::from(self.agreed.is_some()) << 2);
        p.push(flags);
        if let Some(a) = &self.agreed {
            p.extend_from_slice(a);
        }
        if let Some(h) = &self.hello {
            p.extend_from_slice(&h.device.0);
            p.extend_from_slice(&h.max_blob.to_le_bytes());
            p.extend_from_slice(&(h.cycles.len() as u16).to_le_bytes());
            for c in &h.cycles {
                p.extend_from_slice(c.cycle.as_bytes());
                p.extend_from_slice(c.genesis.as_bytes());
                match &c.rest {
                    Some(r) => {
                        p.push(1);
                        p.extend_from_slice(r);
                    }
                    None => p.push(0),
                }
                p.extend_from_slice(&(c.docs.len() as u16).to_le_bytes());
                for (d, digest) in &c.docs {
                    p.extend_from_slice(&d.to_le_bytes());
                    p.extend_from_slice(digest);
                }
            }
        }
        p.extend_from_slice(&(self.parts.len() as u32).to_le_bytes());
        for part in &self.parts {
            p.extend_from_slice(part.cycle.as_bytes());
            p.extend_from_slice(&part.doc.to_le_bytes());
            put_bytes(&mut p, &part.push);
            put_bytes(&mut p, &part.sync);
        }
        put_hashes(&mut p, &self.want);
        p.extend_from_slice(&(self.blobs.len() as u16).to_le_bytes());
        for b in &self.blobs {
            p.extend_from_slice(&b.sha256);
            put_bytes(&mut p, b.mime.as_bytes());
            put_bytes(&mut p, &b.bytes);
        }
        put_hashes(&mut p, &self.missing);
        frame(&p)
    }

    /// The payload length announced by a header, checked (for transports reading a stream).
    pub fn payload_len(header: &[u8; HEADER_BYTES]) -> Result<usize, SyncError> {
        if &header[..4] != MAGIC {
            return Err(SyncError::BadMagic);
        }
        if header[4] != VERSION {
            return Err(SyncError::UnsupportedVersion(header[4]));
        }
        let len = u32::from_le_bytes([header[5], header[6], header[7], header[8]]) as usize;
        if len > MAX_MESSAGE_BYTES {
            return Err(SyncError::TooLarge {
                size: len,
                max: MAX_MESSAGE_BYTES,
            });
        }
        Ok(len)
    }

    /// Decodes a message. Any defect is a typed error; nothing is trusted before it is checked.
    /// A refusal decodes as [`SyncError::Refused`] with the peer's reason.
    pub fn decode(bytes: &[u8]) -> Result<Message, SyncError> {
        let body = checked_payload(bytes)?;
        let mut r = Reader { b: body };
        let flags = r.u8()?;
        if flags == 8 {
            return Err(match Message::refusal_code(bytes) {
                Some(code) => SyncError::Refused(code),
                None => SyncError::Malformed("refusal"),
            });
        }
        if flags & !0b111 != 0 {
            return Err(SyncError::Malformed("unknown flags"));
        }
        let mut m = Message {
            done: flags & 2 != 0,
            ..Message::default()
        };
        if flags & 4 != 0 {
            m.agreed = Some(r.array::<8>()?);
        }
        if flags & 1 != 0 {
            let device = DeviceKey(r.array::<32>()?);
            let max_blob = u64::from_le_bytes(r.array::<8>()?);
            let n = r.count16()?;
            let mut cycles = Vec::with_capacity(n);
            for _ in 0..n {
                let cycle = Uuid::from_bytes(r.array::<16>()?);
                let genesis = Uuid::from_bytes(r.array::<16>()?);
                let rest = match r.u8()? {
                    0 => None,
                    1 => Some(r.array::<8>()?),
                    _ => return Err(SyncError::Malformed("unknown hello flag")),
                };
                let k = r.count16()?;
                let mut docs = Vec::with_capacity(k);
                for _ in 0..k {
                    let d = u16::from_le_bytes(r.array::<2>()?);
                    docs.push((d, r.array::<8>()?));
                }
                cycles.push(CycleHello {
                    cycle,
                    genesis,
                    docs,
                    rest,
                });
            }
            m.hello = Some(Hello {
                device,
                max_blob,
                cycles,
            });
        }
        let n = u32::from_le_bytes(r.array::<4>()?) as usize;
        if n > MAX_ITEMS * 16 {
            return Err(SyncError::Malformed("too many document parts"));
        }
        for _ in 0..n {
            let cycle = Uuid::from_bytes(r.array::<16>()?);
            let doc = u16::from_le_bytes(r.array::<2>()?);
            let push = r.bytes()?.to_vec();
            let sync = r.bytes()?.to_vec();
            m.parts.push(DocPart {
                cycle,
                doc,
                push,
                sync,
            });
        }
        m.want = r.hashes()?;
        let n = r.count16()?;
        for _ in 0..n {
            let sha256 = r.array::<32>()?;
            let mime = String::from_utf8(r.bytes()?.to_vec())
                .map_err(|_| SyncError::Malformed("blob media type is not UTF-8"))?;
            let bytes = r.bytes()?.to_vec();
            m.blobs.push(BlobData {
                sha256,
                mime,
                bytes,
            });
        }
        m.missing = r.hashes()?;
        if !r.b.is_empty() {
            return Err(SyncError::Malformed("bytes after the last section"));
        }
        Ok(m)
    }
}

/// Wraps a payload in the header.
fn frame(p: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + p.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&(p.len() as u32).to_le_bytes());
    out.extend_from_slice(&checksum(p));
    out.extend_from_slice(p);
    out
}

/// The payload of a framed message whose header, length and checksum are right.
fn checked_payload(bytes: &[u8]) -> Result<&[u8], SyncError> {
    if bytes.len() < HEADER_BYTES {
        return Err(if bytes.len() >= 4 && &bytes[..4] != MAGIC {
            SyncError::BadMagic
        } else {
            SyncError::Truncated
        });
    }
    let header: [u8; HEADER_BYTES] = bytes[..HEADER_BYTES].try_into().expect("length checked");
    let len = Message::payload_len(&header)?;
    let body = &bytes[HEADER_BYTES..];
    if body.len() < len {
        return Err(SyncError::Truncated);
    }
    if body.len() > len {
        return Err(SyncError::Malformed("bytes after the message"));
    }
    if checksum(body) != header[9..17] {
        return Err(SyncError::Damaged);
    }
    Ok(body)
}

fn put_bytes(p: &mut Vec<u8>, b: &[u8]) {
    p.extend_from_slice(&(b.len() as u32).to_le_bytes());
    p.extend_from_slice(b);
}

fn put_hashes(p: &mut Vec<u8>, hs: &[[u8; 32]]) {
    p.extend_from_slice(&(hs.len() as u16).to_le_bytes());
    for h in hs {
        p.extend_from_slice(h);
    }
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SyncError> {
        if self.b.len() < n {
            return Err(SyncError::Truncated);
        }
        let (head, tail) = self.b.split_at(n);
        self.b = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, SyncError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SyncError> {
        Ok(self.take(N)?.try_into().expect("length taken"))
    }

    fn count16(&mut self) -> Result<usize, SyncError> {
        let n = u16::from_le_bytes(self.array::<2>()?) as usize;
        if n > MAX_ITEMS {
            return Err(SyncError::Malformed("list longer than allowed"));
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], SyncError> {
        let n = u32::from_le_bytes(self.array::<4>()?) as usize;
        self.take(n)
    }

    fn hashes(&mut self) -> Result<Vec<[u8; 32]>, SyncError> {
        let n = self.count16()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.array::<32>()?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message {
        Message {
            hello: Some(Hello {
                device: DeviceKey([7; 32]),
                max_blob: 1 << 20,
                cycles: vec![CycleHello {
                    cycle: Uuid::from_bytes([1; 16]),
                    genesis: Uuid::from_bytes([2; 16]),
                    docs: vec![(0, [9; 8]), (17, [3; 8])],
                    rest: Some([4; 8]),
                }],
            }),
            done: false,
            agreed: Some([11; 8]),
            parts: vec![DocPart {
                cycle: Uuid::from_bytes([1; 16]),
                doc: 17,
                push: vec![1, 2, 3],
                sync: vec![],
            }],
            want: vec![[5; 32]],
            blobs: vec![BlobData {
                sha256: [6; 32],
                mime: "image/jpeg".into(),
                bytes: vec![0xff; 10],
            }],
            missing: vec![[8; 32]],
        }
    }

    #[test]
    fn round_trips() {
        let m = sample();
        assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        let empty = Message {
            done: true,
            ..Message::default()
        };
        assert_eq!(Message::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn every_truncation_and_extension_is_an_error() {
        let bytes = sample().encode();
        for n in 0..bytes.len() {
            assert!(Message::decode(&bytes[..n]).is_err(), "prefix {n} accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Message::decode(&longer).is_err());
    }

    #[test]
    fn every_single_bit_flip_is_refused() {
        let bytes = sample().encode();
        for bit in 0..bytes.len() * 8 {
            let mut d = bytes.clone();
            d[bit / 8] ^= 1 << (bit % 8);
            assert!(Message::decode(&d).is_err(), "bit {bit} accepted");
            if bit >= HEADER_BYTES * 8 {
                assert!(
                    matches!(Message::decode(&d), Err(SyncError::Damaged)),
                    "bit {bit}"
                );
            }
        }
    }

    #[test]
    fn a_refusal_carries_its_reason() {
        let r = Message::refusal("sync_busy");
        assert!(matches!(Message::decode(&r), Err(SyncError::Refused(c)) if c == "sync_busy"));
        assert_eq!(Message::refusal_code(&sample().encode()), None);
        let long = Message::refusal(&"x".repeat(500));
        assert_eq!(Message::refusal_code(&long).unwrap().len(), MAX_REASON);
    }

    #[test]
    fn header_defects_are_named() {
        let mut b = sample().encode();
        b[0] = b'X';
        assert!(matches!(Message::decode(&b), Err(SyncError::BadMagic)));
        let mut b = sample().encode();
        b[4] = 9;
        assert!(matches!(
            Message::decode(&b),
            Err(SyncError::UnsupportedVersion(9))
        ));
        let mut b = sample().encode();
        b[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            Message::decode(&b),
            Err(SyncError::TooLarge { .. })
        ));
    }
}
