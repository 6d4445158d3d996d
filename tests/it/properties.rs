//! Property tests: the facade's checks before sending agree with the
//! providers' own rules (the spec patterns, as reference regexes), so that a
//! request the facade lets through is never refused for its format, and a
//! request the provider would take is never refused by the facade.
//!
//! Where the facade is deliberately stricter than the provider's pattern
//! (a redirect URL must also parse as a URL with a host; a `client_ref_id`
//! must be printable ASCII), the property is one-way on all strings and
//! two-way on the strings that pass the stricter rule.

use digilocker_kyc::eko::CreateUrl;
use digilocker_kyc::fuzzing::validate;
use digilocker_kyc::sandbox::verhoeff_valid;
use digilocker_kyc::sandbox::{DocType, Flow, SessionOptions, StartSession, VerifyUser};
use proptest::prelude::*;
use regex::Regex;

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap()
}

/// Strings near the edges of a digits-only pattern: right and wrong
/// lengths, other characters, Unicode digits, trailing newlines and spaces.
fn digitish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{8,14}",
        "[6-9][0-9]{9}",
        "[0-5][0-9]{9}",
        "[0-9]{10}|[0-9]{12}",
        "[0-9 +\\-]{9,14}",
        "[0-9]{10}\n|[0-9]{12}\n| [0-9]{10}|[0-9]{12} ",
        "[0-9٠-٩०-९]{10,12}",
        "\\PC{0,14}",
        "",
    ]
}

proptest! {
    // No failure files: a failure prints its minimal input, which then
    // becomes a plain test below.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// `mobile` on verify: `^[0-9]{10}$`.
    #[test]
    fn verify_mobile_matches_the_spec_pattern(s in digitish()) {
        let provider = re("^[0-9]{10}$").is_match(&s);
        prop_assert_eq!(VerifyUser::mobile(s.clone()).is_ok(), provider, "{:?}", s);
    }

    /// `aadhaar_number` on verify: `^[0-9]{12}$` (the check digit is an
    /// extra, optional check of the facade's, on by default at send time).
    #[test]
    fn verify_aadhaar_matches_the_spec_pattern(s in digitish()) {
        let provider = re("^[0-9]{12}$").is_match(&s);
        let built = VerifyUser::aadhaar(s.clone());
        prop_assert_eq!(built.is_ok(), provider, "{:?}", s);
        if let Ok(req) = built {
            prop_assert!(validate::verify_user(&req, false).is_ok());
            // With the check digit: accepted only when the pattern and the
            // Verhoeff check both hold.
            prop_assert_eq!(
                validate::verify_user(&req, true).is_ok(),
                provider && verhoeff_valid(&s)
            );
        }
    }

    /// `options.verified_mobile` on session init: `^[6-9][0-9]{9}$`.
    #[test]
    fn verified_mobile_matches_the_spec_pattern(s in digitish()) {
        let provider = re("^[6-9][0-9]{9}$").is_match(&s);
        let req = StartSession::new(Flow::Signup, [DocType::Aadhaar], "https://app.example/done")
            .unwrap()
            .with_options(SessionOptions::new().verified_mobile(s.clone()));
        prop_assert_eq!(validate::start_session(&req).is_ok(), provider, "{:?}", s);
    }

    /// Sandbox `redirect_url`: the spec says `^https://`; the facade also
    /// wants a URL with a host. Accepted ⇒ the pattern matches; and a
    /// well-formed URL that matches the pattern is accepted.
    #[test]
    fn sandbox_redirect_agrees_with_the_spec_pattern(u in url_like()) {
        let provider = re("^https://").is_match(&u);
        let facade = StartSession::new(Flow::Signin, [DocType::Pan], u.clone())
            .map(|r| validate::start_session(&r).is_ok())
            .unwrap_or(false);
        if facade {
            prop_assert!(provider, "accepted {:?}", u);
        }
        if well_formed(&u) {
            prop_assert_eq!(facade, provider, "{:?}", u);
        }
    }

    /// Eko `redirect_url`: an absolute http(s) URL.
    #[test]
    fn eko_redirect_is_an_absolute_http_url(u in url_like()) {
        let facade = CreateUrl::aadhaar(u.clone()).is_ok();
        let absolute = re("^(?i:https?)://[^\\s/?#:]+").is_match(u.trim());
        if facade {
            prop_assert!(absolute, "accepted {:?}", u);
        }
        if well_formed(&u) {
            prop_assert_eq!(facade, absolute, "{:?}", u);
        }
    }

    /// Eko `client_ref_id`: at most 20 characters (the spec's maxLength);
    /// the facade also refuses empty and non-printable-ASCII ids.
    #[test]
    fn eko_client_ref_id_is_at_most_20(id in prop_oneof!["[!-~]{0,26}", "\\PC{0,24}"]) {
        let req = CreateUrl::aadhaar("https://app.example/back").unwrap();
        let facade = validate::eko_create_url(&req, &id).is_ok();
        let provider = id.chars().count() <= 20;
        if facade {
            prop_assert!(provider && !id.is_empty(), "accepted {:?}", id);
        }
        if !id.is_empty() && id.chars().all(|c| c.is_ascii_graphic()) {
            prop_assert_eq!(facade, provider, "{:?}", id);
        }
    }
}

/// Strings shaped like URLs, good and bad: scheme (right, wrong, upper
/// case, missing), separator, host (possibly empty), port, path.
fn url_like() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("https"),
            Just("http"),
            Just("HTTPS"),
            Just("ftp"),
            Just("")
        ],
        prop_oneof![Just("://"), Just(":/"), Just("//"), Just("")],
        prop_oneof![
            "[a-z][a-z0-9]{0,9}(\\.[a-z][a-z0-9]{0,9}){0,2}",
            Just(String::new())
        ],
        prop_oneof![
            Just(String::new()),
            (0u32..=65535).prop_map(|p| format!(":{p}"))
        ],
        prop_oneof![Just(String::new()), "/[a-z0-9/]{0,10}(\\?[a-z]=[0-9])?"],
    )
        .prop_map(|(s, sep, host, port, path)| format!("{s}{sep}{host}{port}{path}"))
}

/// A lower-case http(s) URL with a non-empty host: the strings on which
/// the provider's rule and the facade's must agree exactly.
fn well_formed(u: &str) -> bool {
    re("^https?://[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*(:[0-9]{1,5})?(/[a-z0-9/]*)?(\\?[a-z]=[0-9])?$")
        .is_match(u)
}

/// Found by the property above: the URL parser takes `https:/host` and
/// `https:host`, but Eko receives the string as written.
#[test]
fn eko_redirect_must_be_absolute_as_written() {
    for bad in [
        "https:/a",
        "https:a",
        "https:///a",
        "http:\\\\a",
        "https://\\a",
        "//a.example/x",
        "a.example",
    ] {
        assert!(CreateUrl::aadhaar(bad).is_err(), "{bad:?}");
    }
    for good in [
        "https://a.example/back?x=1",
        "HTTP://a.example",
        " http://10.0.0.1:8080/cb ",
    ] {
        assert!(CreateUrl::aadhaar(good).is_ok(), "{good:?}");
    }
}
