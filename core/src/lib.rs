//! # linli-core
//!
//! The offline-first core of Linli (邻里), a participatory budgeting app: every fact of a
//! community's PB cycle is a signed, immutable [record](record::envelope); the cycle's
//! [state](fold::CycleState) is a deterministic [fold](fold) of the valid records; a device keeps
//! records and materialised views in a local SQLite [store](store).
//!
//! Dependencies point one way: leaves ([`money`], [`text`], [`lang`], [`phase`], [`role`],
//! [`exclusion`], [`identity`], [`tally`], [`base45`]) ← [`record`] (the signed contract) ← [`fold`] (the
//! rules) ← [`store`] ← [`sync`]. In `record` and `fold`, modules are named after the PB concept
//! they hold, with the same name in both: `cycle`, `roll`, `proposal`, `roundtable`, `ballot`
//! (ballots and the seal), `resolution`, `tender`, `monitoring`, `evaluation`.

#![warn(missing_docs)]

// Leaves: named by records, rules and stores alike; they import nothing above them.
pub mod base45;
pub mod category;
pub mod exclusion;
pub mod identity;
pub mod lang;
pub mod money;
pub mod phase;
pub mod role;
pub mod tally;
pub mod text;

// The signed contract, then the rules over it.
pub mod fold;
pub mod record;

// Formats built on records, then the device store and sync around everything else.
pub mod bundle;
pub mod chunks;
#[doc(hidden)]
pub mod fuzzing;
pub mod invite;
pub mod pabulib;
pub mod qr;
pub mod store;
pub mod sync;

pub use exclusion::Exclusion;
pub use identity::DeviceKey;
pub use lang::Lang;
pub use money::Fen;
pub use phase::Phase;
pub use record::{Body, Kind, Record, SignedRecord};
pub use role::Role;
