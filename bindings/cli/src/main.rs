//! `linli`: the desktop and community-centre command.

fn main() -> std::process::ExitCode {
    linli_cli::main_entry()
}
