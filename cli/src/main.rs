//! The `digilocker` command-line tool. See `digilocker --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
