//! Command-line interface of the `digilocker` binary.
//!
//! Each subcommand group lives in its own file (`demo.rs`, `sandbox.rs`,
//! `eko.rs`, `simulate.rs`, `spec.rs`): it defines its clap arguments and a
//! `run(.., &Ctx) -> Result<(), Failure>` function that has already printed
//! what went wrong; `output.rs` holds what they share (credentials,
//! printing, progress, error reporting), `json.rs` the types of every
//! `--json` output and their JSON Schema. To add a group, add a variant to
//! [`Command`] and a match arm in [`run`].
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | other error (network failure, unreadable response, I/O) |
//! | 2 | usage error, invalid input (nothing was sent), missing configuration |
//! | 3 | authentication failed (`Error::Auth`) |
//! | 4 | the provider refused (`Provider`, `SessionNotFound`, `RateLimited`); for `spec`: breaking changes |
//! | 5 | not ready or timed out (`NotReady`, `WaitTimedOut`, a request timeout) |
//! | 6 | `verify`: a document's signature was not verified |
//!
//! A stdout closed by its reader (`digilocker --json demo | head -c 20`)
//! ends the command at once, quietly, with 0: the reader took what it
//! wanted. Results go through `outln!` and `out!` for this reason.

/// `println!` for results on stdout; a closed stdout ends the process
/// quietly with exit 0 instead of panicking.
macro_rules! outln {
    () => {
        $crate::cli::output::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for results on stdout (see `outln!`).
#[allow(unused_macros)]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write_out(format_args!($($arg)*))
    };
}

mod demo;
mod eko;
mod json;
mod output;
mod sandbox;
mod simulate;
mod spec;
mod verify;

use clap::{Parser, Subcommand};
use output::Ctx;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Start here:
  digilocker demo                 the whole journey on both providers, offline

Credentials come from the same environment variables as the library
(SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_BASE_URL; EKO_DEVELOPER_KEY,
EKO_ACCESS_KEY, EKO_INITIATOR_ID, EKO_USER_CODE, EKO_BASE_URL) or from flags
(a flag wins over its variable). `digilocker schema` prints the JSON Schema
of the --json output.
Secrets are never printed, not even with --verbose; Aadhaar and mobile
numbers are shown masked.

Exit codes:
  0  success
  1  other error (network failure, unreadable response, I/O)
  2  usage error, invalid input (nothing was sent), missing configuration
  3  authentication failed (wrong key, secret or signature)
  4  the provider refused the request (session not found, rate limited, ...);
     for `spec`: breaking changes detected
  5  not ready or timed out (consent not given yet, --wait --timeout expired)
  6  verify: a document's signature was not verified (reason printed)
A stdout closed by its reader (e.g. `| head`) ends the command quietly with 0.

Examples:
  digilocker demo
  digilocker simulate --auto-approve-after 3
  digilocker sandbox verify --mobile 9876543210
  digilocker --json eko status 123456 --wait --timeout 5m";

/// DigiLocker KYC through the Sandbox and Eko aggregator APIs.
#[derive(Debug, Parser)]
#[command(name = "digilocker", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    /// Print JSON on stdout (stable snake_case fields; errors as {"error": {...}}).
    #[arg(long, global = true)]
    json: bool,
    /// Explain more: where requests go and the full cause of an error
    /// (never secrets).
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    /// Send requests here instead of the configured base URL (the `sandbox`
    /// and `eko` commands; for Eko also `uat` or `production`); wins over
    /// SANDBOX_BASE_URL and EKO_BASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole DigiLocker journey on both providers against the
    /// embedded simulator (offline, no credentials).
    Demo(demo::DemoArgs),
    /// Sandbox (api.sandbox.co.in): DigiLocker, its SDK, EntityLocker and its SDK.
    Sandbox(sandbox::SandboxArgs),
    /// Eko (developers.eko.in): DigiLocker consent links, status, documents.
    Eko(eko::EkoArgs),
    /// Run the simulator of both providers until Ctrl-C, printing its URLs and
    /// its synthetic credentials.
    Simulate(simulate::SimulateArgs),
    /// Maintain the bundled OpenAPI specs (import, diff, check, surface).
    #[command(subcommand)]
    Spec(spec::SpecCommand),
    /// Verify documents' signatures against trust anchors (exit 6 when one
    /// is not verified).
    Verify(verify::VerifyArgs),
    /// Print the JSON Schema of every command's --json output (the file
    /// cli/json-schema.json of the source).
    Schema,
}

/// Exit status of a failed command, with the message already printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Exit 1: I/O, network or another unexpected error.
    Other,
    /// Exit 2: invalid input, validation defects or missing configuration.
    Invalid,
    /// Exit 3: the provider rejected the credentials.
    Auth,
    /// Exit 4: the provider refused the request.
    Provider,
    /// Exit 4 (`spec` only): breaking changes detected.
    Breaking,
    /// Exit 5: not ready yet, or a wait or request timed out.
    NotReady,
    /// Exit 6 (`verify`): a document was not verified.
    NotVerified,
}

impl Failure {
    fn code(self) -> u8 {
        match self {
            Failure::Other => 1,
            Failure::Invalid => 2,
            Failure::Auth => 3,
            Failure::Provider | Failure::Breaking => 4,
            Failure::NotReady => 5,
            Failure::NotVerified => 6,
        }
    }
}

/// Parse the arguments, run the command, map the outcome to an exit code.
pub fn run() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let ctx = Ctx {
        json: cli.json,
        verbose: cli.verbose,
        base_url: cli.base_url.filter(|u| !u.trim().is_empty()),
        target: Default::default(),
    };
    let result = match cli.command {
        Command::Demo(a) => demo::run(a, &ctx),
        Command::Sandbox(a) => sandbox::run(a, &ctx),
        Command::Eko(a) => eko::run(a, &ctx),
        Command::Simulate(a) => simulate::run(a, &ctx),
        Command::Spec(cmd) => spec::run(cmd, ctx.json),
        Command::Verify(a) => verify::run(a, &ctx),
        Command::Schema => {
            out!("{}", json::schema_text());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => ExitCode::from(f.code()),
    }
}
