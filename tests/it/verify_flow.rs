//! The flow verifies downloaded documents against the simulator's test CA.

use digilocker_kyc::flow::{DocType, Verification};
use digilocker_kyc::simulator::Simulator;
use digilocker_kyc::verify::{TrustAnchors, VerifyPolicy};
use digilocker_kyc::{Error, Provider};

const REDIRECT: &str = "https://app.example/kyc/done";

#[tokio::test]
async fn documents_carry_verification_against_the_simulator_ca() {
    let sim = Simulator::start().await.unwrap();
    let anchors = TrustAnchors::from_pem(sim.trust_anchor_pem()).unwrap();
    let kyc = sim
        .digilocker(Provider::Sandbox)
        .unwrap()
        .with_verification(anchors, VerifyPolicy::default(), true);
    let session = kyc
        .start([DocType::Aadhaar, DocType::Pan], REDIRECT)
        .await
        .unwrap();
    sim.approve(&session.id, &[]).unwrap();
    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(docs.len(), 2);
    for d in &docs {
        match &d.verification {
            Verification::Verified(e) => {
                assert!(e.signer.contains("SIMULATOR DOCUMENT SIGNER"));
                assert_eq!(e.chain.len(), 3);
            }
            other => panic!("not verified: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_required_verification_with_the_wrong_anchor_is_an_error() {
    let sim = Simulator::start().await.unwrap();
    let wrong = TrustAnchors::from_pem(include_str!("../fixtures/verify/root.pem")).unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let strict = kyc
        .clone()
        .with_verification(wrong.clone(), VerifyPolicy::default(), true);
    let session = strict.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    sim.approve(&session.id, &[]).unwrap();
    let err = strict.documents(&session).await.unwrap_err();
    assert!(matches!(err, Error::NotVerified(_)), "{err}");
    let lenient = kyc.with_verification(wrong, VerifyPolicy::default(), false);
    let docs = lenient.documents(&session).await.unwrap();
    assert!(matches!(docs[0].verification, Verification::Failed(_)));
}

#[tokio::test]
async fn the_trust_anchor_is_served_over_http() {
    let sim = Simulator::start().await.unwrap();
    let url = format!("http://{}/simulator/trust-anchor.pem", sim.addr());
    let body = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert_eq!(body, sim.trust_anchor_pem());
}
