//! The `linli` command's library: the demo cycle and simulated devices, shared with the system
//! tests.

#![warn(missing_docs)]

pub mod cli;
pub mod demo;
pub mod devices;

pub use cli::main_entry;
