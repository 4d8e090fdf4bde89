//! What makes a record body well-formed on its own: the [`RecordBody`] trait every body type
//! implements (next to the type), and the small checks bodies share.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::record::blob::BlobRef;
use uuid::Uuid;

/// What each body type declares about itself beyond its fields. Implemented next to each body;
/// no method has a default, so a new kind states all three.
pub trait RecordBody {
    /// Checks the body on its own, before any state is consulted. `pool` is the cycle's budget
    /// pool (what a proposal's estimate must fit in); bodies that do not need it ignore it.
    fn check_body(&self, pool: Fen) -> Result<(), Exclusion>;

    /// The photos and files the body references, which a sync fetches after the records.
    fn blob_refs(&self) -> &[BlobRef];

    /// For a closing record (a seal names the ballots it counts, a gated release the ratings):
    /// the records it names, which win an equivocation over their slot (see `fold`). `None` for
    /// every other kind.
    fn named_records(&self) -> Option<&[Uuid]>;
}

impl<T: RecordBody> RecordBody for Box<T> {
    fn check_body(&self, pool: Fen) -> Result<(), Exclusion> {
        (**self).check_body(pool)
    }
    fn blob_refs(&self) -> &[BlobRef] {
        (**self).blob_refs()
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        (**self).named_records()
    }
}

/// True when a slice holds the same id twice.
pub(crate) fn has_duplicates(ids: &[Uuid]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    ids.iter().any(|id| !seen.insert(*id))
}
