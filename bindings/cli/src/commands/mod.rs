//! One function per `linli` command, grouped by what the commands do. Each takes the global
//! options and its own arguments and returns the exit code; refusals and I/O errors come back
//! as [`crate::cli::CliError`].

pub(crate) mod act;
pub(crate) mod audit;
pub(crate) mod demo;
pub(crate) mod device;
pub(crate) mod exchange;
pub(crate) mod participation;
pub(crate) mod read;
pub(crate) mod roll;
