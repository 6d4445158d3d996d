//! Command-line interface of the `digilocker` binary.
//!
//! Each subcommand group lives in its own file (`spec.rs`, and later
//! `sandbox.rs`, `eko.rs`, `demo.rs`, `simulate.rs`): it defines a clap
//! `Subcommand` enum and a `run(..) -> Result<(), Failure>` function; to add
//! one, add a variant to [`Command`] and a match arm in [`run`].
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | other error (I/O, unexpected failure) |
//! | 2 | usage error, or invalid input / validation defects |
//! | 4 | breaking changes detected (and not accepted) |

mod spec;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// DigiLocker KYC through the Sandbox and Eko aggregator APIs.
#[derive(Debug, Parser)]
#[command(name = "digilocker", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Maintain the bundled OpenAPI specs (import, diff, check, surface).
    #[command(subcommand)]
    Spec(spec::SpecCommand),
}

/// Exit status of a failed command, with the message already printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Exit 1: I/O or another unexpected error.
    Other,
    /// Exit 2: invalid input or validation defects.
    Invalid,
    /// Exit 4: breaking changes detected.
    Breaking,
}

impl Failure {
    fn code(self) -> u8 {
        match self {
            Failure::Other => 1,
            Failure::Invalid => 2,
            Failure::Breaking => 4,
        }
    }
}

/// Parse the arguments, run the command, map the outcome to an exit code.
pub fn run() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Spec(cmd) => spec::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => ExitCode::from(f.code()),
    }
}
