//! Device identity: ed25519 keys, signing and verification, and where the secret key lives.
//!
//! The core never touches platform key storage. A shell (Android Keystore, iOS Keychain) supplies a
//! [`KeyStore`]; [`FileKeyStore`] is the built-in default for desktops and tests.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// Prefix mixed into every signed message so a Linli signature can never be replayed as a
/// signature over some other protocol's bytes.
pub const SIGNING_DOMAIN: &[u8] = b"linli-record-v1\n";

/// Errors of the identity layer.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key store could not read or write the secret key.
    #[error("key store I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The stored secret key has the wrong length or format.
    #[error("stored key is corrupt: {0}")]
    Corrupt(String),
    /// The operating system's random generator failed.
    #[error("random generator failed: {0}")]
    Random(String),
    /// A shell-supplied key store reported a failure.
    #[error("key store failed: {0}")]
    Store(String),
    /// A shell-supplied key store is temporarily unavailable (a locked keychain): the store
    /// refuses to open rather than make a new identity.
    #[error("key store unavailable: {0}")]
    Unavailable(String),
}

/// A device's public key (ed25519, 32 bytes). Serialised as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceKey(pub [u8; 32]);

impl DeviceKey {
    /// Lowercase hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses the 64-character hex form.
    pub fn from_hex(s: &str) -> Result<DeviceKey, String> {
        let bytes = hex::decode(s).map_err(|e| format!("device key is not hex: {e}"))?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "device key must be 32 bytes".to_string())?;
        Ok(DeviceKey(arr))
    }

    /// A short form for people: the first 8 hex characters.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }

    /// Verifies `signature` over `SIGNING_DOMAIN || message` with strict (non-malleable) rules.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let Ok(vk) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        let sig = Signature::from_bytes(signature);
        let mut buf = Vec::with_capacity(SIGNING_DOMAIN.len() + message.len());
        buf.extend_from_slice(SIGNING_DOMAIN);
        buf.extend_from_slice(message);
        vk.verify_strict(&buf, &sig).is_ok() && vk.verify(&buf, &sig).is_ok()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({})", self.short())
    }
}

impl fmt::Display for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for DeviceKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for DeviceKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DeviceKey::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Verifies many signatures at once (what an auditor does from scratch). Returns one verdict per
/// item. Uses ed25519 batch verification and falls back to one-by-one checks only when the batch
/// fails, to find the bad ones.
pub fn verify_many(items: &[(DeviceKey, &[u8], [u8; 64])]) -> Vec<bool> {
    let mut msgs: Vec<Vec<u8>> = Vec::with_capacity(items.len());
    let mut sigs = Vec::with_capacity(items.len());
    let mut keys = Vec::with_capacity(items.len());
    let mut parse_ok = true;
    for (key, msg, sig) in items {
        let mut buf = Vec::with_capacity(SIGNING_DOMAIN.len() + msg.len());
        buf.extend_from_slice(SIGNING_DOMAIN);
        buf.extend_from_slice(msg);
        msgs.push(buf);
        sigs.push(Signature::from_bytes(sig));
        match VerifyingKey::from_bytes(&key.0) {
            Ok(vk) if !vk.is_weak() => keys.push(vk),
            _ => {
                parse_ok = false;
                break;
            }
        }
    }
    if parse_ok {
        let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
        if ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok() {
            return vec![true; items.len()];
        }
    }
    items
        .iter()
        .map(|(key, msg, sig)| key.verify(msg, sig))
        .collect()
}

/// A device's secret signing key. Held in memory only while the store is open.
pub struct DeviceSecret {
    key: SigningKey,
}

impl DeviceSecret {
    /// Builds the key from its 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> DeviceSecret {
        DeviceSecret {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<DeviceSecret, KeyError> {
        Ok(DeviceSecret::from_seed(&random_seed()?))
    }

    /// The public half.
    pub fn public(&self) -> DeviceKey {
        DeviceKey(self.key.verifying_key().to_bytes())
    }

    /// Signs `SIGNING_DOMAIN || message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut buf = Vec::with_capacity(SIGNING_DOMAIN.len() + message.len());
        buf.extend_from_slice(SIGNING_DOMAIN);
        buf.extend_from_slice(message);
        self.key.sign(&buf).to_bytes()
    }
}

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceSecret(public={})", self.public().short())
    }
}

/// 32 random bytes from the operating system.
pub fn random_seed() -> Result<[u8; 32], KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(seed)
}

/// Where a device keeps its secret key. Shells implement this over Android Keystore or the iOS
/// Keychain; the core only asks for the seed when a store opens.
pub trait KeyStore: Send + Sync {
    /// Returns this device's 32-byte ed25519 seed, creating and persisting a new one on first use.
    fn load_or_create_seed(&self) -> Result<[u8; 32], KeyError>;
}

/// The built-in key store: the seed in a file (hex, mode 0600 on Unix) next to the database.
#[derive(Debug, Clone)]
pub struct FileKeyStore {
    path: PathBuf,
}

impl FileKeyStore {
    /// A key store backed by the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> FileKeyStore {
        FileKeyStore { path: path.into() }
    }

    /// The conventional key file for a database: `<db>.key`.
    pub fn beside(db_path: &Path) -> FileKeyStore {
        let mut p = db_path.as_os_str().to_owned();
        p.push(".key");
        FileKeyStore::new(PathBuf::from(p))
    }
}

impl KeyStore for FileKeyStore {
    fn load_or_create_seed(&self) -> Result<[u8; 32], KeyError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => {
                let bytes =
                    hex::decode(text.trim()).map_err(|e| KeyError::Corrupt(e.to_string()))?;
                bytes
                    .try_into()
                    .map_err(|_| KeyError::Corrupt("seed must be 32 bytes".into()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let seed = random_seed()?;
                let tmp = self.path.with_extension("key.tmp");
                {
                    use std::io::Write;
                    let mut opts = std::fs::OpenOptions::new();
                    opts.write(true).create(true).truncate(true);
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::OpenOptionsExt;
                        opts.mode(0o600);
                    }
                    let mut f = opts.open(&tmp)?;
                    f.write_all(hex::encode(seed).as_bytes())?;
                    f.sync_all()?;
                }
                std::fs::rename(&tmp, &self.path)?;
                Ok(seed)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A key store holding a fixed seed in memory: for tests and simulations.
#[derive(Debug, Clone)]
pub struct MemoryKeyStore(pub [u8; 32]);

impl KeyStore for MemoryKeyStore {
    fn load_or_create_seed(&self) -> Result<[u8; 32], KeyError> {
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_roundtrip_and_forgery() {
        let k = DeviceSecret::from_seed(&[7; 32]);
        let sig = k.sign(b"hello");
        assert!(k.public().verify(b"hello", &sig));
        assert!(!k.public().verify(b"hellO", &sig));
        let mut bad = sig;
        bad[3] ^= 1;
        assert!(!k.public().verify(b"hello", &bad));
        let other = DeviceSecret::from_seed(&[8; 32]).public();
        assert!(!other.verify(b"hello", &sig));
    }

    #[test]
    fn batch_finds_the_bad_one() {
        let a = DeviceSecret::from_seed(&[1; 32]);
        let b = DeviceSecret::from_seed(&[2; 32]);
        let s1 = a.sign(b"one");
        let s2 = b.sign(b"two");
        let items = vec![
            (a.public(), b"one".as_slice(), s1),
            (b.public(), b"two".as_slice(), s2),
            (a.public(), b"two".as_slice(), s2),
        ];
        assert_eq!(verify_many(&items), vec![true, true, false]);
        assert_eq!(verify_many(&items[..2]), vec![true, true]);
    }

    #[test]
    fn file_key_store_persists() {
        let dir = tempfile::tempdir().unwrap();
        let ks = FileKeyStore::beside(&dir.path().join("d.db"));
        let s1 = ks.load_or_create_seed().unwrap();
        let s2 = ks.load_or_create_seed().unwrap();
        assert_eq!(s1, s2);
        std::fs::write(dir.path().join("d.db.key"), "zz").unwrap();
        assert!(matches!(
            ks.load_or_create_seed(),
            Err(KeyError::Corrupt(_))
        ));
    }
}
