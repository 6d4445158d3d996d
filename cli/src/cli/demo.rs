//! `digilocker demo`: the whole DigiLocker journey on both providers,
//! against the embedded simulator (loopback only, synthetic data, no
//! credentials).
//!
//! For each provider, through the provider-neutral flow API: start a
//! session, let a simulated user consent on the authorisation URL a moment
//! later (for Eko the redirect back is recorded: it carries the
//! `verification_id`), wait with a progress line, fetch the documents and
//! the profile, and print a summary.
//!
//! JSON shape (`--json`): `{simulator: {sandbox_base_url, eko_base_url},
//! journeys: [{provider, session: {provider, id, authorization_url,
//! requested, verification_id?}, redirected_to, outcome: {state,
//! consented?}, documents: [{provider, kind, name, dob, dob_text, gender,
//! masked_id, address, address_parts, photo}], profile: {provider, name,
//! dob, dob_text, gender, mobile, email}}]}`.

use super::Failure;
use super::json::{DemoJourney, DemoOutput, SimulatorUrls};
use super::output::{
    Ctx, Fields, ProgressLine, print_document, print_json, profile_fields, report, runtime,
};
use clap::Args;
use digilocker_kyc::flow::{DocType, Document, Outcome, PollPolicy, Profile, Session};
use digilocker_kyc::simulator::{Simulator, UserAction, act_as_user};
use digilocker_kyc::{Provider, Result};
use std::time::{Duration, Instant};

/// Where the demo's user is sent back to (never contacted).
const REDIRECT: &str = "https://app.example/kyc/done";
/// How long the simulated user takes to consent.
const CONSENT_DELAY: Duration = Duration::from_millis(900);

/// `digilocker demo` takes no options of its own.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  cargo run -- demo\n  digilocker demo --json")]
pub struct DemoArgs {}

struct Journey {
    provider: Provider,
    session: Session,
    redirected_to: Option<String>,
    outcome: Outcome,
    documents: Vec<Document>,
    profile: Profile,
}

/// Run the demo.
pub fn run(_args: DemoArgs, ctx: &Ctx) -> Result<(), Failure> {
    let rt = runtime()?;
    rt.block_on(async {
        let started = Instant::now();
        let sim = Simulator::builder().start().await.map_err(|e| {
            super::output::fail_with(Failure::Other, format!("cannot start the simulator: {e}"))
        })?;
        if !ctx.json {
            outln!(
                "DigiLocker KYC demo: both providers, end to end, against the embedded simulator"
            );
            outln!("(loopback only, synthetic person, no credentials needed)\n");
            let mut f = Fields::new();
            f.add("Sandbox API", sim.sandbox_base_url())
                .add("Eko API", sim.eko_base_url());
            f.print(0);
        }
        let mut journeys = Vec::new();
        for provider in [Provider::Sandbox, Provider::Eko] {
            let j = journey(&sim, provider)
                .await
                .map_err(|e| report(&e, ctx, None))?;
            if !ctx.json {
                print_journey(&j);
            }
            journeys.push(j);
        }
        if ctx.json {
            print_json(&DemoOutput {
                simulator: SimulatorUrls {
                    sandbox_base_url: sim.sandbox_base_url(),
                    eko_base_url: sim.eko_base_url(),
                },
                journeys: journeys
                    .iter()
                    .map(|j| DemoJourney {
                        provider: j.provider,
                        session: &j.session,
                        redirected_to: &j.redirected_to,
                        outcome: &j.outcome,
                        documents: &j.documents,
                        profile: &j.profile,
                    })
                    .collect(),
            });
        } else {
            outln!(
                "\nDone in {:.1}s. Next: `digilocker simulate` to keep a simulator running for \
                 the `sandbox` and `eko` commands, or see README.md for the library.",
                started.elapsed().as_secs_f64()
            );
        }
        sim.shutdown().await;
        Ok(())
    })
}

async fn journey(sim: &Simulator, provider: Provider) -> Result<Journey> {
    let kyc = sim.digilocker(provider)?;
    let docs = match provider {
        Provider::Sandbox => vec![DocType::Aadhaar, DocType::Pan],
        Provider::Eko => vec![DocType::Aadhaar],
    };
    let mut session = kyc.start(docs, REDIRECT).await?;

    // The user opens the consent link a moment later and approves, while
    // we poll as a real integration would.
    let url = session.authorization_url.clone();
    let user = async move {
        tokio::time::sleep(CONSENT_DELAY).await;
        act_as_user(&url, &UserAction::Approve).await
    };
    let policy = PollPolicy::fixed(Duration::from_millis(300), Duration::from_secs(60));
    let mut line = ProgressLine::new();
    let waiting = kyc.wait_with_progress(&session, &policy, |p| {
        line.update(p, |o: &Outcome| o.to_string())
    });
    let (outcome, redirected_to) = tokio::join!(waiting, user);
    line.finish();
    let redirected_to = redirected_to?;
    // Eko appends verification_id to the redirect: documents need it.
    if let Some(back) = &redirected_to {
        session.record_callback(back)?;
    }
    let outcome = outcome?;
    let documents = if outcome.is_success() {
        kyc.documents(&session).await?
    } else {
        Vec::new()
    };
    let profile = kyc.profile(&session).await?;
    Ok(Journey {
        provider,
        session,
        redirected_to,
        outcome,
        documents,
        profile,
    })
}

fn print_journey(j: &Journey) {
    outln!("\n== {}", j.provider);
    let id_name = match j.provider {
        Provider::Sandbox => "session id",
        Provider::Eko => "reference id",
    };
    let requested: Vec<&str> = j.session.requested.iter().map(|d| d.as_str()).collect();
    let mut f = Fields::new();
    f.add(id_name, &j.session.id)
        .add("requested", requested.join(", "))
        .add("consent link", &j.session.authorization_url)
        .add("user", "consented on the simulated DigiLocker page")
        .opt("redirected to", j.redirected_to.as_ref())
        .opt("verification id", j.session.verification_id.as_ref())
        .add("outcome", &j.outcome);
    f.print(0);
    for d in &j.documents {
        outln!("  document {}:", d.kind);
        print_document(d, 4);
    }
    outln!("  profile:");
    let mut f = Fields::new();
    profile_fields(&j.profile, &mut f);
    f.print(4);
}
