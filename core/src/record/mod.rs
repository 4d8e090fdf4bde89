//! The signed contract: what a record is on the wire and what makes it well-formed on its own.
//!
//! Everything here is part of the format every device and every Linli version must agree on: the
//! [envelope] (signed bytes, ids, signatures), the [registry of kinds](kind) and the body of
//! every kind with its `check_shape`. Nothing here knows about the cycle's state; the rules that
//! decide whether a well-formed record counts live in [`crate::fold`], one file per concept with
//! the same name as here. The contract changes only with a format version (docs/adr/0004); the
//! rules change freely.

pub mod ballot;
pub mod blob;
pub mod comment;
pub mod cycle;
pub mod envelope;
pub mod evaluation;
pub mod kind;
pub mod list;
pub mod meeting;
pub mod monitoring;
pub mod proposal;
pub mod resolution;
pub mod roll;
pub mod roundtable;
pub mod shape;
pub mod tender;

pub use envelope::{Draft, Record, SignedRecord};
pub use kind::{Body, Home, Kind};
pub use shape::RecordBody;
