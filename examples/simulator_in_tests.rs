//! Using the simulator in your own tests.
//!
//! Everything in `run` belongs in a `#[tokio::test]` of your project (with
//! `digilocker-kyc` as a dev-dependency with the `simulator` feature): start
//! a simulator, hand the code under test a client aimed at it, play the
//! user's part on the consent page, inject the faults your code must survive,
//! then assert on what the provider received.
//!
//! ```text
//! cargo run --example simulator_in_tests
//! ```

use digilocker_kyc::flow::{DigiLocker, DocType, Outcome, PollPolicy, Session};
use digilocker_kyc::simulator::{Fault, Simulator, UserAction, act_as_user};
use digilocker_kyc::{Error, Provider};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The code under test: a service's KYC step, written once against the
/// provider-neutral flow. It returns the verified name.
async fn kyc_step(kyc: &DigiLocker, session: &Session) -> Result<Option<String>, Error> {
    let policy = PollPolicy::fixed(Duration::from_millis(20), Duration::from_secs(30));
    match kyc.wait(session, &policy).await? {
        Outcome::Succeeded { .. } => {
            let docs = kyc.documents(session).await?;
            Ok(docs.into_iter().find_map(|d| d.name))
        }
        _ => Ok(None),
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    run().await?;
    println!("simulator example: ok");
    Ok(())
}

pub async fn run() -> Result<(), BoxError> {
    // 1. A fresh simulator per test: its own port, sessions and records.
    let sim = Simulator::start().await?;

    for provider in [Provider::Sandbox, Provider::Eko] {
        // 2. The code under test gets a client aimed at the simulator.
        let kyc = sim.digilocker(provider)?;
        let mut session = kyc
            .start([DocType::Aadhaar], "https://app.example/kyc/done")
            .await?;

        // 3. Play the user: open the authorisation URL and consent. The
        //    simulator redirects back to our redirect URL, with Eko's
        //    verification_id and reference_id appended.
        let back = act_as_user(&session.authorization_url, &UserAction::Approve).await?;
        if let Some(url) = back {
            session.record_callback(&url)?;
        }

        // 4. A transient provider failure the code must ride out.
        sim.inject(Fault::status(503).path("*/status").times(1));

        let name = kyc_step(&kyc, &session).await?;
        assert_eq!(name.as_deref(), Some("Asha Verma"), "{provider}");
    }

    // 5. Assert on what the providers received: each session was created
    //    exactly once, and the status calls include the 503 and its retry.
    assert_eq!(
        sim.request_count("POST", "/kyc/digilocker/sessions/init"),
        1
    );
    assert_eq!(
        sim.request_count("POST", "/ekoapi/v3/tools/kyc/digilocker"),
        1
    );
    let status_calls = sim.requests_to("GET", "*/status");
    assert!(status_calls.iter().any(|r| r.status == Some(503)));
    // Secrets never reach the records.
    let init = &sim.requests_to("POST", "/kyc/digilocker/sessions/init")[0];
    assert_eq!(init.header("authorization"), Some("[redacted]"));

    // 6. A user who refuses: the code under test sees no document.
    let kyc = sim.digilocker(Provider::Eko)?;
    let session = kyc
        .start([DocType::Aadhaar], "https://app.example/kyc/done")
        .await?;
    act_as_user(&session.authorization_url, &UserAction::Deny).await?;
    assert_eq!(kyc_step(&kyc, &session).await?, None);

    sim.shutdown().await;
    Ok(())
}
