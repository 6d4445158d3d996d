//! The Eko facade and the simulator agree on the wire: a whole journey, a
//! denial and an expiry through `EkoClient`, with no hand-written HTTP.

use digilocker_kyc::eko::{CreateUrl, EkoCallback, EkoClient, EkoDocType, VerificationState};
use digilocker_kyc::simulator::Simulator;
use digilocker_kyc::{Error, NotReadyReason};

fn facade(sim: &Simulator) -> EkoClient {
    let creds = sim.eko_credentials();
    EkoClient::builder()
        .base_url(sim.eko_base_url())
        .developer_key(creds.developer_key.as_str())
        .access_key(creds.access_key.expose())
        .initiator_id(creds.initiator_id.as_str())
        .user_code(creds.user_code.as_str())
        .build()
        .expect("client")
}

#[tokio::test]
async fn eko_facade_journey_against_the_simulator() {
    let sim = Simulator::start().await.unwrap();
    let eko = facade(&sim);
    let link = eko
        .create_url(CreateUrl::aadhaar("https://app.example/kyc/back").unwrap())
        .await
        .unwrap();

    let status = eko.status(link.reference_id.clone()).await.unwrap();
    assert_eq!(status.state, VerificationState::Pending);

    let vid = sim
        .session(link.reference_id.as_str())
        .unwrap()
        .eko_verification_id
        .unwrap();
    match eko
        .document(
            link.reference_id.clone(),
            vid.as_str(),
            [EkoDocType::Aadhaar],
        )
        .await
    {
        Err(Error::NotReady { reason, .. }) => assert_eq!(reason, NotReadyReason::Pending),
        other => panic!("expected pending, got {other:?}"),
    }

    // The user consents on the simulated DigiLocker page and comes back.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http
        .get(&link.url)
        .query(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let back = EkoCallback::from_url(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(back.verification_id, vid);

    let status = eko.status(link.reference_id.clone()).await.unwrap();
    assert_eq!(status.state, VerificationState::Consented);
    assert!(status.user_details.is_some());

    let docs = eko
        .document(
            link.reference_id.clone(),
            back.verification_id.as_str(),
            [EkoDocType::Aadhaar],
        )
        .await
        .unwrap();
    assert!(docs.aadhaar().is_some());
    assert_eq!(sim.request_count("POST", "*/tools/kyc/digilocker"), 1);
}

#[tokio::test]
async fn eko_facade_reads_denial_and_expiry() {
    let sim = Simulator::start().await.unwrap();
    let eko = facade(&sim);
    let a = eko
        .create_url(CreateUrl::aadhaar("https://app.example/a").unwrap())
        .await
        .unwrap();
    let b = eko
        .create_url(CreateUrl::aadhaar("https://app.example/b").unwrap())
        .await
        .unwrap();
    sim.deny(a.reference_id.as_str()).unwrap();
    sim.expire(b.reference_id.as_str()).unwrap();
    assert_eq!(
        eko.status(a.reference_id).await.unwrap().state,
        VerificationState::Denied
    );
    assert_eq!(
        eko.status(b.reference_id).await.unwrap().state,
        VerificationState::Expired
    );
}
