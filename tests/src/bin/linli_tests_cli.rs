//! The `linli` command, built inside the test crate so that the CLI test runs the same code.

fn main() -> std::process::ExitCode {
    linli_cli::main_entry()
}
