//! The provider-neutral flow end to end against the simulator: start,
//! consent, wait, documents, profile, for both providers; and the ways a
//! journey can end otherwise.

use chrono::NaiveDate;
use digilocker_kyc::flow::{DocType, Outcome, PollPolicy, Session};
use digilocker_kyc::simulator::{Fault, Persona, Simulator, UserAction, act_as_user};
use digilocker_kyc::{Error, Provider};
use std::sync::Arc;
use std::time::Duration;

const REDIRECT: &str = "https://app.example/kyc/done";

/// Poll quickly: the simulator answers at once.
fn quick() -> PollPolicy {
    PollPolicy::fixed(Duration::from_millis(5), Duration::from_secs(20))
}

fn persona_dob() -> NaiveDate {
    let (d, m, y) = Persona::default().date_of_birth;
    NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()).unwrap()
}

#[tokio::test]
async fn sandbox_journey_with_auto_approval() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(2)
        .start()
        .await
        .unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let persona = Persona::default();

    let session = kyc
        .start([DocType::Aadhaar, DocType::Pan], REDIRECT)
        .await
        .unwrap();
    assert_eq!(session.provider, Provider::Sandbox);
    assert!(session.authorization_url.starts_with("http://127.0.0.1"));
    assert_eq!(kyc.status(&session).await.unwrap(), Outcome::Pending);

    let mut polls = 0;
    let outcome = kyc
        .wait_with_progress(&session, &quick(), |_| polls += 1)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar, DocType::Pan]
        }
    );
    assert!(polls >= 1);

    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(docs.len(), 2);
    let aadhaar = docs.iter().find(|d| d.kind == DocType::Aadhaar).unwrap();
    assert_eq!(aadhaar.name.as_deref(), Some(persona.name.as_str()));
    assert_eq!(aadhaar.dob, Some(persona_dob()));
    let masked = aadhaar.masked_id.as_ref().unwrap().expose().to_string();
    assert!(masked.ends_with(&persona.aadhaar_last4), "{masked}");
    assert!(
        !masked.chars().take(8).any(|c| c.is_ascii_digit()),
        "{masked}"
    );
    assert_eq!(
        aadhaar.address_parts.pincode.as_deref(),
        Some(persona.pincode.as_str())
    );
    assert!(
        aadhaar
            .address
            .as_deref()
            .unwrap()
            .contains(&persona.district)
    );
    let photo = aadhaar.photo.as_ref().expect("photo");
    assert_eq!(&photo.bytes().unwrap()[..2], &[0xFF, 0xD8], "a JPEG");
    assert!(aadhaar.file_url.is_some());

    let pan = docs.iter().find(|d| d.kind == DocType::Pan).unwrap();
    assert_eq!(pan.name.as_deref(), Some(persona.name.as_str()));
    let pan_id = pan.masked_id.as_ref().unwrap().expose().to_string();
    assert!(
        pan_id.ends_with(&persona.pan[6..]) && !pan_id.contains(&persona.pan),
        "{pan_id}"
    );

    let profile = kyc.profile(&session).await.unwrap();
    assert_eq!(profile.name.as_deref(), Some(persona.name.as_str()));
    assert_eq!(profile.dob, Some(persona_dob()));
    assert_eq!(profile.mobile.as_ref().unwrap().expose(), persona.mobile);
    // Personal data stays out of Debug.
    let debug = format!("{docs:?} {profile:?} {session:?}");
    assert!(!debug.contains(&persona.mobile), "{debug}");
    assert!(!debug.contains(&persona.name), "{debug}");
}

#[tokio::test]
async fn eko_journey_through_the_authorisation_url() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Eko).unwrap();
    let persona = Persona::default();

    let mut session = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    assert_eq!(session.provider, Provider::Eko);
    assert_eq!(kyc.status(&session).await.unwrap(), Outcome::Pending);

    // The user consents; the browser comes back to our redirect URL.
    let back = act_as_user(&session.authorization_url, &UserAction::Approve)
        .await
        .unwrap()
        .expect("a redirect back");
    assert!(back.starts_with(REDIRECT), "{back}");
    assert!(back.contains("verification_id="), "{back}");
    assert!(
        back.contains(&format!("reference_id={}", session.id)),
        "{back}"
    );
    session.record_callback(&back).unwrap();
    assert!(session.verification_id.is_some());

    let outcome = kyc.wait(&session, &quick()).await.unwrap();
    assert_eq!(
        outcome,
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );

    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(docs.len(), 1);
    let a = &docs[0];
    assert_eq!(a.provider, Provider::Eko);
    assert_eq!(a.kind, DocType::Aadhaar);
    assert_eq!(a.name.as_deref(), Some(persona.name.as_str()));
    assert_eq!(a.dob, Some(persona_dob()));
    assert!(
        a.masked_id
            .as_ref()
            .unwrap()
            .expose()
            .ends_with(&persona.aadhaar_last4)
    );
    assert!(a.address.as_deref().unwrap().contains(&persona.pincode));
    assert!(
        a.photo
            .as_ref()
            .and_then(|p| p.bytes())
            .is_some_and(|b| !b.is_empty())
    );

    let profile = kyc.profile(&session).await.unwrap();
    assert_eq!(profile.name.as_deref(), Some(persona.name.as_str()));
}

#[tokio::test]
async fn eko_documents_without_the_callback_look_up_the_verification_id() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Eko).unwrap();
    let session = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    sim.approve(&session.id, &[]).unwrap();
    assert!(kyc.wait(&session, &quick()).await.unwrap().is_success());
    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(docs.len(), 1);
}

#[tokio::test]
async fn sandbox_partial_consent_through_the_control_api() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let session = kyc
        .start([DocType::Aadhaar, DocType::DrivingLicense], REDIRECT)
        .await
        .unwrap();
    sim.approve(&session.id, &["aadhaar"]).unwrap();
    let outcome = kyc.wait(&session, &quick()).await.unwrap();
    assert_eq!(
        outcome,
        Outcome::Succeeded {
            consented: vec![DocType::Aadhaar]
        }
    );
    let docs = kyc.documents(&session).await.unwrap();
    assert_eq!(
        docs.iter().map(|d| d.kind.clone()).collect::<Vec<_>>(),
        vec![DocType::Aadhaar]
    );
}

#[tokio::test]
async fn a_refusal_is_denied_at_eko_and_failed_at_sandbox() {
    let sim = Simulator::start().await.unwrap();

    let eko = sim.digilocker(Provider::Eko).unwrap();
    let s = eko.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    act_as_user(&s.authorization_url, &UserAction::Deny)
        .await
        .unwrap();
    assert_eq!(eko.wait(&s, &quick()).await.unwrap(), Outcome::Denied);
    let err = eko.documents(&s).await.unwrap_err();
    assert!(
        matches!(err, Error::NotReady { .. } | Error::Provider(_)),
        "{err:?}"
    );

    let sandbox = sim.digilocker(Provider::Sandbox).unwrap();
    let s = sandbox.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    act_as_user(&s.authorization_url, &UserAction::Deny)
        .await
        .unwrap();
    // Sandbox has no "denied" status: a refusal shows as failed.
    assert_eq!(sandbox.wait(&s, &quick()).await.unwrap(), Outcome::Failed);
    let err = sandbox.documents(&s).await.unwrap_err();
    assert!(matches!(err, Error::NotReady { .. }), "{err:?}");
}

#[tokio::test]
async fn an_expired_session_is_expired_for_both_providers() {
    let sim = Simulator::start().await.unwrap();
    for provider in [Provider::Sandbox, Provider::Eko] {
        let kyc = sim.digilocker(provider).unwrap();
        let s = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
        sim.expire(&s.id).unwrap();
        assert_eq!(
            kyc.wait(&s, &quick()).await.unwrap(),
            Outcome::Expired,
            "{provider}"
        );
    }
}

#[tokio::test]
async fn the_time_limit_ends_a_wait_on_a_user_who_never_comes_back() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let s = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let policy = PollPolicy::fixed(Duration::from_millis(10), Duration::from_millis(150));
    let err = kyc.wait(&s, &policy).await.unwrap_err();
    match err {
        Error::WaitTimedOut {
            attempts, reason, ..
        } => {
            assert!(attempts >= 1);
            assert!(reason.contains("time limit"), "{reason}");
            assert!(reason.contains("Pending"), "{reason}");
        }
        other => panic!("expected WaitTimedOut, got {other:?}"),
    }
}

#[tokio::test]
async fn the_attempt_limit_ends_a_wait() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Eko).unwrap();
    let s = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let policy = quick().with_attempt_limit(3);
    let err = kyc.wait(&s, &policy).await.unwrap_err();
    assert!(
        matches!(err, Error::WaitTimedOut { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        sim.request_count("GET", "/ekoapi/v3/tools/kyc/digilocker/status"),
        3
    );
}

#[tokio::test]
async fn a_transient_503_during_polling_is_ridden_out() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(1)
        .start()
        .await
        .unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let s = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    // More 503s than one status call retries (3 attempts), so the poller
    // itself sees a transient error and carries on.
    sim.inject(
        Fault::status(503)
            .path("/kyc/digilocker/sessions/*/status")
            .times(4),
    );
    let mut transient = 0;
    let outcome = kyc
        .wait_with_progress(&s, &quick(), |p| {
            if p.last.is_err() {
                transient += 1;
            }
        })
        .await
        .unwrap();
    assert!(outcome.is_success(), "{outcome}");
    assert_eq!(transient, 1, "one status call ended in a 503");
    assert!(sim.request_count("GET", "/kyc/digilocker/sessions/*/status") >= 5);
}

#[tokio::test]
async fn dropping_the_wait_cancels_it() {
    let sim = Simulator::start().await.unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let s = kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let marker = Arc::new(());
    let held = marker.clone();
    let (first_poll, polled) = tokio::sync::oneshot::channel::<()>();
    let mut first_poll = Some(first_poll);
    let policy = quick();
    let wait = kyc.wait_with_progress(&s, &policy, move |_| {
        let _keep = &held;
        if let Some(tx) = first_poll.take() {
            let _ = tx.send(());
        }
    });
    tokio::select! {
        r = wait => panic!("the wait cannot finish: nobody consents ({r:?})"),
        _ = polled => {}
    }
    // The select dropped the wait future, and with it the progress callback:
    // nothing of the wait survives (no background task holds it).
    assert_eq!(Arc::strong_count(&marker), 1);
}

#[tokio::test]
async fn a_session_of_one_provider_is_refused_by_the_other() {
    let sim = Simulator::start().await.unwrap();
    let sandbox = sim.digilocker(Provider::Sandbox).unwrap();
    let eko = sim.digilocker(Provider::Eko).unwrap();
    let s: Session = sandbox.start([DocType::Aadhaar], REDIRECT).await.unwrap();
    let before = sim.requests().len();
    let err = eko.status(&s).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "session",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn invalid_start_input_sends_nothing() {
    let sim = Simulator::start().await.unwrap();
    for provider in [Provider::Sandbox, Provider::Eko] {
        let kyc = sim.digilocker(provider).unwrap();
        let err = kyc
            .start([DocType::Aadhaar], "not a url")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let err = kyc.start([], REDIRECT).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    let sandbox = sim.digilocker(Provider::Sandbox).unwrap();
    let err = sandbox
        .start([DocType::Aadhaar], "http://app.example/insecure")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "redirect_url",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_waited_on_concurrently_all_complete() {
    let sim = Simulator::builder()
        .auto_approve_after_polls(2)
        .start()
        .await
        .unwrap();
    let kyc = sim.digilocker(Provider::Sandbox).unwrap();
    let mut sessions = Vec::new();
    for _ in 0..1000 {
        sessions.push(kyc.start([DocType::Aadhaar], REDIRECT).await.unwrap());
    }
    let policy = PollPolicy::fixed(Duration::from_millis(20), Duration::from_secs(120));
    let waits = sessions.iter().map(|s| kyc.wait(s, &policy));
    let outcomes = futures::future::join_all(waits).await;
    assert_eq!(outcomes.len(), 1000);
    for o in outcomes {
        assert_eq!(
            o.unwrap(),
            Outcome::Succeeded {
                consented: vec![DocType::Aadhaar]
            }
        );
    }
    // Every session was polled until the simulator approved it.
    assert!(sim.request_count("GET", "/kyc/digilocker/sessions/*/status") >= 2000);
}
