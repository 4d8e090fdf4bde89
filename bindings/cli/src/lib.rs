//! The `linli` command's library: the demo cycle and simulated devices, shared with the system
//! tests.

#![warn(missing_docs)]

mod args;
pub mod cli;
mod commands;
pub mod console;
mod database;
pub mod demo;
pub mod devices;
mod error;
mod render;

pub use cli::main_entry;
