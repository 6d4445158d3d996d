//! `digilocker simulate`: the simulator as a standalone server.
//!
//! JSON shape (`--json`, printed once at start): `{sandbox_base_url,
//! eko_base_url, sandbox: {api_key, api_secret}, eko: {developer_key,
//! access_key, initiator_id, user_code}, env: {NAME: value}}`.

use super::Failure;
use super::json::{SimulateOutput, SimulatedEko, SimulatedSandbox};
use super::output::{Ctx, fail_with, parse_duration, print_json, runtime};
use clap::Args;
use digilocker_kyc::simulator::{Simulator, SimulatorInfo, run_until_ctrl_c};
use std::time::Duration;

const HELP: &str = "\
The credentials printed are the simulator's own synthetic values: they are
accepted by this simulator only and are not secrets, so this command (and
only this one) prints them.

Examples:
  digilocker simulate --port 8080 --auto-approve-after 3
  # in another terminal, paste the printed export lines, then:
  export SANDBOX_BASE_URL=http://127.0.0.1:8080
  export SANDBOX_API_KEY=key_test_... SANDBOX_API_SECRET=secret_test_...
  digilocker sandbox start --redirect https://app.example/kyc/done";

/// The control API and the consent page, for `--help` (after [`HELP`]).
const CONTROL_HELP: &str = "\
Driving the simulator over HTTP (tests in any language): the same port serves
a JSON control API beside the Sandbox and Eko APIs. {id} is a Sandbox session
id, an Eko reference_id or an Eko verification_id. Control calls are not
recorded and no injected fault applies to them.

  SIM=http://127.0.0.1:8080
  curl -s $SIM/simulator/sessions                       # every session
  curl -s $SIM/simulator/sessions/$ID                   # state, requested and consented documents
  curl -s -X POST $SIM/simulator/sessions/$ID/approve   # consent to everything requested
  curl -s -X POST $SIM/simulator/sessions/$ID/approve -d '{\"documents\":[\"aadhaar\",\"pan\"]}'
  curl -s -X POST $SIM/simulator/sessions/$ID/deny      # also /expire, /fail
  curl -s -X POST $SIM/simulator/faults \\
       -d '{\"fault\":\"status\",\"status\":503,\"path\":\"/kyc/*/status\",\"times\":2}'
  curl -s -X DELETE $SIM/simulator/faults               # remove every fault (or /simulator/faults/{id})
  curl -s -X POST $SIM/simulator/clock/advance -d '{\"seconds\":600}'
  curl -s \"$SIM/simulator/requests?method=POST\"         # recorded requests, secrets masked
  curl -s -X POST $SIM/simulator/requests/clear

Faults: status, rate_limited (retry_after_secs), latency (delay_ms), html,
truncated_json, drop_connection; with method, path (glob), times, rate, seed.
Errors are JSON {\"error\", \"message\"}: 404 unknown_session, 400 bad_request,
409 already_final, 405 with an Allow header.

Consent page: a session's authorization_url opens a page like DigiLocker's
consent screen (documents as checkboxes, Approve, Deny); the choice redirects
to the redirect_url. Scripts use ?decision=approve (&docs=aadhaar,pan) or
?decision=deny instead.";

/// Options of `digilocker simulate`.
#[derive(Debug, Args)]
#[command(after_help = HELP, after_long_help = format!("{HELP}\n\n{CONTROL_HELP}"))]
pub struct SimulateArgs {
    /// Listen on this port of 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Approve pending sessions by themselves: after N status calls (`3`), or
    /// this long after creation (`30s`, `2m`). Without it, approve on the
    /// consent page or with the control API (see `--help`).
    #[arg(long, value_name = "N|DURATION", value_parser = parse_auto)]
    auto_approve_after: Option<AutoApprove>,
}

#[derive(Debug, Clone, Copy)]
enum AutoApprove {
    Polls(u32),
    After(Duration),
}

fn parse_auto(s: &str) -> Result<AutoApprove, String> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Ok(AutoApprove::Polls(n));
    }
    parse_duration(t).map(AutoApprove::After)
}

/// The `NAME=value` pairs a client needs, per provider.
fn env_lines(info: &SimulatorInfo) -> [Vec<(&'static str, String)>; 2] {
    [
        vec![
            ("SANDBOX_BASE_URL", info.sandbox_base_url.clone()),
            ("SANDBOX_API_KEY", info.sandbox.api_key.clone()),
            (
                "SANDBOX_API_SECRET",
                info.sandbox.api_secret.expose().to_string(),
            ),
        ],
        vec![
            ("EKO_BASE_URL", info.eko_base_url.clone()),
            ("EKO_DEVELOPER_KEY", info.eko.developer_key.clone()),
            ("EKO_ACCESS_KEY", info.eko.access_key.expose().to_string()),
            ("EKO_INITIATOR_ID", info.eko.initiator_id.clone()),
            ("EKO_USER_CODE", info.eko.user_code.clone()),
        ],
    ]
}

/// `value` as one POSIX shell word: as it is when it holds only safe
/// characters, otherwise in single quotes.
fn shell_word(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+,=".contains(c));
    if safe {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// Run the simulator until Ctrl-C.
pub fn run(args: SimulateArgs, ctx: &Ctx) -> Result<(), Failure> {
    let mut builder = Simulator::builder().port(args.port);
    match args.auto_approve_after {
        None => {}
        Some(AutoApprove::Polls(n)) => builder = builder.auto_approve_after_polls(n),
        Some(AutoApprove::After(d)) => builder = builder.auto_approve_after(d),
    }
    let json = ctx.json;
    let rt = runtime()?;
    rt.block_on(run_until_ctrl_c(builder, |info| {
        let [sandbox, eko] = env_lines(info);
        if json {
            print_json(&SimulateOutput {
                sandbox_base_url: info.sandbox_base_url.clone(),
                eko_base_url: info.eko_base_url.clone(),
                sandbox: SimulatedSandbox {
                    api_key: info.sandbox.api_key.clone(),
                    api_secret: info.sandbox.api_secret.expose().to_string(),
                },
                eko: SimulatedEko {
                    developer_key: info.eko.developer_key.clone(),
                    access_key: info.eko.access_key.expose().to_string(),
                    initiator_id: info.eko.initiator_id.clone(),
                    user_code: info.eko.user_code.clone(),
                },
                env: sandbox
                    .iter()
                    .chain(&eko)
                    .map(|(k, v)| (k.to_string(), v.clone().into()))
                    .collect(),
            });
        } else {
            outln!("DigiLocker simulator running (synthetic credentials, loopback only)\n");
            outln!("{info}\n");
            outln!("Environment for the `sandbox` and `eko` commands or your own code");
            outln!("(paste into a shell as they are):");
            for group in [&sandbox, &eko] {
                outln!();
                for (k, v) in group.iter() {
                    outln!("export {k}={}", shell_word(v));
                }
            }
            outln!("\nPress Ctrl-C to stop.");
        }
    }))
    .map_err(|e| fail_with(Failure::Other, format!("cannot run the simulator: {e}")))
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_paste_as_they_are() {
        assert_eq!(shell_word("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
