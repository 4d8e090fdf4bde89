//! Long lists of record ids, signed in parts. A closing record (a seal naming the ballots it
//! counts, a gated release naming the ratings it weighs) can name tens of thousands of records,
//! far more than one record may hold (64 KiB). It names them through [`RecordList`] records
//! instead: each holds up to [`MAX_IDS`] ids, packed as 16 bytes each and base64-encoded, and is
//! signed by the same person just before the closing record, which names the lists by id. Record
//! ids are content hashes, so naming a list fixes every id in it. docs/adr/0005 gives the sizes.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use crate::record::shape::{RecordBody, has_duplicates};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most ids in one list: 2,500 ids are 53,336 base64 characters, which leaves room for the
/// envelope under the 64 KiB record cap.
pub const MAX_IDS: usize = 2_500;

/// Most ids a closing record names inline before it uses lists (a seal of a small cycle stays
/// one readable record).
pub const MAX_INLINE_IDS: usize = 1_000;

/// What a list's ids are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListOf {
    /// Ballots, for a seal.
    Ballots,
    /// Ratings, for a gated payment release.
    Ratings,
}

/// One part of a long list of record ids, named by a closing record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordList {
    /// What the ids are.
    pub of: ListOf,
    /// The ids, in the order the closing record counts them.
    #[serde(with = "packed_ids")]
    pub ids: Vec<Uuid>,
}

impl RecordList {
    /// Checks the record on its own: 1 to [`MAX_IDS`] distinct ids.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if self.ids.is_empty() || self.ids.len() > MAX_IDS {
            return Err(Exclusion::TooMany {
                field: "ids".into(),
                max: MAX_IDS,
            });
        }
        if has_duplicates(&self.ids) {
            return Err(Exclusion::RuleViolation {
                detail: "a record list names each record once".into(),
            });
        }
        Ok(())
    }

    /// Splits `ids` into lists of at most [`MAX_IDS`].
    pub fn split(of: ListOf, ids: &[Uuid]) -> Vec<RecordList> {
        ids.chunks(MAX_IDS)
            .map(|c| RecordList {
                of,
                ids: c.to_vec(),
            })
            .collect()
    }
}

impl RecordBody for RecordList {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        Some(&self.ids)
    }
}

/// Ids as one base64 string of their 16-byte forms: 21.3 bytes an id instead of 39 as a JSON
/// list of UUID strings.
pub(crate) mod packed_ids {
    use base64ct::{Base64, Encoding};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use uuid::Uuid;

    pub fn serialize<S: Serializer>(ids: &[Uuid], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = ids.iter().flat_map(|id| *id.as_bytes()).collect();
        s.serialize_str(&Base64::encode_string(&bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Uuid>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = Base64::decode_vec(&text).map_err(|_| D::Error::custom("ids: not base64"))?;
        if bytes.len() % 16 != 0 {
            return Err(D::Error::custom("ids: not a whole number of 16-byte ids"));
        }
        Ok(bytes
            .chunks_exact(16)
            .map(|c| Uuid::from_bytes(c.try_into().expect("16 bytes")))
            .collect())
    }
}
