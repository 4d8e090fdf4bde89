//! # linli-core
//!
//! The offline-first core of Linli (邻里), a participatory budgeting app: every fact of a
//! community's PB cycle is a signed, immutable [record](envelope); the cycle's
//! [state](state::CycleState) is a deterministic [fold](fold) of the valid records; a device keeps
//! records and materialised views in a local SQLite [store](store).
//!
//! Modules are named after the PB concept they hold: [`cycle`] (genesis, phases), [`roll`],
//! [`proposal`], [`roundtable`], [`ballot`] (ballots and the seal), [`tally`], [`resolution`],
//! [`tender`], [`monitoring`], [`evaluation`].

#![warn(missing_docs)]

pub mod ballot;
pub mod blob;
pub mod body;
pub mod bundle;
pub mod chunks;
pub mod cycle;
pub mod envelope;
pub mod evaluation;
pub mod exclusion;
pub mod fold;
#[doc(hidden)]
pub mod fuzzing;
pub mod identity;
pub mod invite;
pub mod lang;
pub mod money;
pub mod monitoring;
pub mod pabulib;
pub mod proposal;
pub mod resolution;
pub mod roll;
pub mod roundtable;
pub mod state;
pub mod tally;
pub mod tender;
pub mod text;
pub mod verify;

pub use body::{Body, Kind};
pub use envelope::{Record, SignedRecord};
pub use exclusion::Exclusion;
pub use identity::DeviceKey;
pub use lang::Lang;
pub use money::Fen;
pub mod store;
pub mod sync;
