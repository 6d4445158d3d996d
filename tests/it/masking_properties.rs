//! Property tests of `redact::mask_sensitive`, the crate's one masking
//! function for free text: generated Aadhaar, mobile, PAN and driving
//! licence numbers, in every writing the function knows, embedded in random
//! text, never survive; ISO timestamps, epoch milliseconds, UUIDs,
//! transaction ids and HTTP statuses always do.

use digilocker_kyc::redact::mask_sensitive;
use proptest::prelude::*;

/// What stands between an identifier and the text around it.
fn sep() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" ", ", ", "=", ": ", "(", "\"", "\n", "; ", "\t", "/"])
}

/// Random text, digits and punctuation included.
fn noise() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.:;=()\"'{}_/-]{0,24}"
}

/// Random text without digits (next to the values that must survive, so
/// that the text itself does not form a number with them).
fn words() -> impl Strategy<Value = String> {
    "[a-zA-Z ,.:;=()\"'{}_]{0,24}"
}

/// (as written, digits only)
fn aadhaar() -> impl Strategy<Value = (String, String)> {
    ("[0-9]{12}", 0..4usize).prop_map(|(d, form)| {
        let (a, b, c) = (&d[..4], &d[4..8], &d[8..]);
        let written = match form {
            0 => d.clone(),
            1 => format!("{a} {b} {c}"),
            2 => format!("{a}-{b}-{c}"),
            _ => format!("aadhaar={d}"),
        };
        (written, d)
    })
}

fn mobile() -> impl Strategy<Value = (String, String)> {
    ("[6-9][0-9]{9}", 0..11usize).prop_map(|(d, form)| {
        let (a, b) = (&d[..5], &d[5..]);
        let written = match form {
            0 => d.clone(),
            1 => format!("+91{d}"),
            2 => format!("+91 {d}"),
            3 => format!("+91-{d}"),
            4 => format!("91{d}"),
            5 => format!("91 {d}"),
            6 => format!("0{d}"),
            7 => format!("0-{d}"),
            8 => format!("{a} {b}"),
            9 => format!("+91 {a} {b}"),
            _ => format!("0 {a} {b}"),
        };
        (written, d)
    })
}

fn pan() -> impl Strategy<Value = (String, String)> {
    "[A-Z]{5}[0-9]{4}[A-Z]".prop_map(|p| (p.clone(), p))
}

fn driving_licence() -> impl Strategy<Value = (String, String)> {
    (
        "[A-Z]{2}",
        "[0-9]{2}",
        "(19|20)[0-9]{2}",
        "[0-9]{7}",
        prop::sample::select(vec!["", " ", "-"]),
        prop::sample::select(vec!["", " ", "-"]),
        any::<bool>(),
    )
        .prop_map(|(st, rto, year, n, s1, s2, hyphen_after_state)| {
            let lead = if hyphen_after_state { "-" } else { "" };
            let written = format!("{st}{lead}{rto}{s1}{year}{s2}{n}");
            (written, format!("{rto}{year}{n}"))
        })
}

fn identifier() -> impl Strategy<Value = (String, String)> {
    prop_oneof![aadhaar(), mobile(), pan(), driving_licence()]
}

fn survivor() -> impl Strategy<Value = String> {
    prop_oneof![
        // ISO timestamps, with T or a space, with or without Z/millis.
        (
            "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9])",
            prop::sample::select(vec!["T", " "]),
            "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]",
            prop::sample::select(vec!["Z", "", ".123Z", "+05:30"]),
        )
            .prop_map(|(d, t, h, z)| format!("{d}{t}{h}{z}")),
        // Epoch milliseconds (13 digits).
        "1[0-9]{12}",
        // UUIDs.
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
        // Transaction ids.
        "TXN-20[0-9]{6}-[0-9]{6}",
        // HTTP statuses.
        "HTTP [1-5][0-9]{2}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1024,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn identifiers_never_survive(
        before in noise(),
        s1 in sep(),
        (written, digits) in identifier(),
        s2 in sep(),
        after in noise(),
    ) {
        let text = format!("{before}{s1}{written}{s2}{after}");
        let out = mask_sensitive(&text);
        prop_assert!(!out.contains(&written), "{:?} -> {:?}", text, out);
        prop_assert!(!out.contains(&digits), "{:?} -> {:?}", text, out);
        // The text around is kept.
        prop_assert!(out.ends_with(&format!("{s2}{after}")) || out.contains("[blob]"), "{:?} -> {:?}", text, out);
    }

    #[test]
    fn non_personal_values_survive(
        before in words(),
        s1 in sep(),
        value in survivor(),
        s2 in sep(),
        after in words(),
    ) {
        let text = format!("{before}{s1}{value}{s2}{after}");
        prop_assert_eq!(mask_sensitive(&text), text);
    }

    #[test]
    fn identifiers_among_survivors(
        (written, digits) in identifier(),
        value in survivor(),
        s in sep(),
    ) {
        let text = format!("at {value}{s}user {written}{s}{value} done");
        let out = mask_sensitive(&text);
        prop_assert!(!out.contains(&written) && !out.contains(&digits), "{:?} -> {:?}", text, out);
        prop_assert_eq!(out.matches(&value).count(), 2, "{:?} -> {:?}", text, out);
    }
}
