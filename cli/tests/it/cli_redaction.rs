//! No command prints a secret (API secret, Eko access or developer key, a
//! token, a signature) or a full Aadhaar or mobile number, on stdout or
//! stderr, with or without `--verbose`, in text or JSON, on success or on
//! failure. (`simulate` is the one exception by design: it prints the
//! simulator's synthetic credentials, and is not run here.)

use crate::cli_support;

use cli_support::{REDIRECT, Run, digilocker, eko_env, sandbox_env, temp_dir, with};
use digilocker_kyc::simulator::{Fault, Persona, Simulator, UserAction, act_as_user};

const AADHAAR: &str = "987654321098";
const MOBILE: &str = "9123456789";

struct Checker {
    forbidden: Vec<(String, &'static str)>,
    runs: usize,
}

impl Checker {
    #[track_caller]
    fn check(&mut self, r: &Run) {
        self.runs += 1;
        let all = r.all();
        for (value, what) in &self.forbidden {
            assert!(!all.contains(value.as_str()), "{what} printed:\n{r}");
        }
        // JWT-shaped tokens (the simulator issues them like Sandbox does).
        assert!(!all.contains("eyJ"), "a token printed:\n{r}");
        assert!(
            !all.contains("X-Amz-Signature"),
            "a link signature printed:\n{r}"
        );
    }
}

#[tokio::test]
async fn no_secret_or_full_number_in_any_output() {
    let sim = Simulator::builder()
        .sandbox_credentials(
            "key_test_redactioncheck0001",
            "secret_test_never_print_this_0001",
        )
        .eko_credentials(
            "devkey_never_print_0001",
            "accesskey-never-print-0001",
            "9876501234",
            "20000001",
        )
        .start()
        .await
        .unwrap();
    let persona = Persona::default();
    let sb = sandbox_env(&sim);
    let ek = eko_env(&sim);
    let mut checker = Checker {
        forbidden: vec![
            (
                "secret_test_never_print_this_0001".into(),
                "the Sandbox API secret",
            ),
            ("key_test_redactioncheck0001".into(), "the Sandbox API key"),
            ("accesskey-never-print-0001".into(), "the Eko access key"),
            ("devkey_never_print_0001".into(), "the Eko developer key"),
            ("9876501234".into(), "the Eko initiator's mobile"),
            (AADHAAR.into(), "a full Aadhaar number"),
            (MOBILE.into(), "a full mobile number"),
            (persona.mobile.clone(), "the persona's mobile"),
            (persona.company_mobile.clone(), "the company mobile"),
            (persona.pan.clone(), "a full PAN"),
        ],
        runs: 0,
    };
    let tmp = temp_dir("cli-redaction");
    let save = tmp.path().join("doc");
    let save = save.to_str().unwrap();

    // Sessions in every state the commands can meet.
    let start = |extra: &'static [&'static str]| {
        let sb = sb.clone();
        async move {
            let mut args = vec!["--json", "sandbox"];
            args.extend_from_slice(extra);
            let v = digilocker(&args, &sb).await.expect(0).json();
            (
                v["id"].as_str().unwrap().to_string(),
                v["authorization_url"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        }
    };
    let (dl, dl_url) = start(&[
        "start",
        "--doc",
        "aadhaar",
        "--doc",
        "pan",
        "--redirect",
        REDIRECT,
    ])
    .await;
    act_as_user(&dl_url, &UserAction::Approve).await.unwrap();
    let (pending, _) = start(&["start", "--redirect", REDIRECT]).await;
    let (sdk, _) = start(&["sdk", "create", "--doc", "aadhaar"]).await;
    sim.approve(&sdk, &[]).unwrap();
    let (ent, _) = start(&["entity", "start", "--redirect", REDIRECT]).await;
    sim.approve(&ent, &[]).unwrap();
    let (esdk, _) = start(&["entity-sdk", "create", "--doc", "gstn_details"]).await;
    sim.approve(&esdk, &[]).unwrap();
    let e = digilocker(&["--json", "eko", "start", "--redirect", REDIRECT], &ek)
        .await
        .expect(0)
        .json();
    let reference = e["id"].as_str().unwrap().to_string();
    let back = act_as_user(
        e["authorization_url"].as_str().unwrap(),
        &UserAction::Approve,
    )
    .await
    .unwrap()
    .unwrap();
    let vrf = digilocker_kyc::EkoCallback::from_url(&back)
        .unwrap()
        .verification_id;

    let bad_secret = with(
        &sb,
        "SANDBOX_API_SECRET",
        "secret_test_never_print_this_0001x",
    );
    let bad_key = with(&ek, "EKO_ACCESS_KEY", "accesskey-never-print-0001x");
    let flags_only: Vec<(&str, String)> = Vec::new();
    let base = sim.sandbox_base_url();
    let c = sim.sandbox_credentials();

    let sb_cmds: Vec<Vec<&str>> = vec![
        vec!["sandbox", "verify", "--mobile", MOBILE],
        vec![
            "sandbox",
            "verify",
            "--aadhaar",
            AADHAAR,
            "--mobile",
            MOBILE,
        ],
        vec!["sandbox", "verify", "--aadhaar", "98765432109"], // invalid: 11 digits
        vec!["sandbox", "start", "--redirect", REDIRECT, "--doc", "pan"],
        vec!["sandbox", "start", "--redirect", "http://x.example"],
        vec!["sandbox", "status", &dl],
        vec![
            "sandbox",
            "status",
            &pending,
            "--wait",
            "--timeout",
            "300ms",
            "--interval",
            "100ms",
        ],
        vec!["sandbox", "status", "no-such-session"],
        vec!["sandbox", "document", &dl, "aadhaar", "--save", save],
        vec!["sandbox", "document", &dl, "pan", "--save", save],
        vec!["sandbox", "document", &pending, "aadhaar"],
        vec!["sandbox", "profile", &dl],
        vec!["sandbox", "sdk", "status", &sdk],
        vec![
            "sandbox", "sdk", "document", &sdk, "aadhaar", "--save", save,
        ],
        vec!["sandbox", "sdk", "profile", &sdk],
        vec!["sandbox", "entity", "status", &ent],
        vec![
            "sandbox",
            "entity",
            "document",
            &ent,
            "gstn_details",
            "--save",
            save,
        ],
        vec!["sandbox", "entity", "details", &ent],
        vec!["sandbox", "entity", "profile", &ent],
        vec!["sandbox", "entity-sdk", "status", &esdk],
        vec!["sandbox", "entity-sdk", "document", &esdk, "gstn_details"],
    ];
    let eko_cmds: Vec<Vec<&str>> = vec![
        vec!["eko", "start", "--redirect", REDIRECT],
        vec!["eko", "start", "--redirect", REDIRECT, "--doc", "pan"],
        vec!["eko", "status", &reference],
        vec!["eko", "status", "123", "--wait", "--timeout", "300ms"],
        vec![
            "eko",
            "document",
            &reference,
            "--verification-id",
            &vrf,
            "--save",
            save,
        ],
        vec!["eko", "callback", &back],
    ];

    for verbose in [false, true] {
        for json in [false, true] {
            let mut flags: Vec<&str> = Vec::new();
            if verbose {
                flags.push("--verbose");
            }
            if json {
                flags.push("--json");
            }
            for (cmds, env) in [(&sb_cmds, &sb), (&eko_cmds, &ek)] {
                for cmd in cmds {
                    let args: Vec<&str> =
                        flags.iter().copied().chain(cmd.iter().copied()).collect();
                    checker.check(&digilocker(&args, env).await);
                }
            }
            // Failures: rejected credentials, a broken connection (its
            // error quotes the request URL), credentials from flags.
            let args: Vec<&str> = flags
                .iter()
                .copied()
                .chain(["sandbox", "status", &dl])
                .collect();
            checker.check(digilocker(&args, &bad_secret).await.expect(3));
            let args: Vec<&str> = flags
                .iter()
                .copied()
                .chain(["eko", "status", &reference])
                .collect();
            checker.check(digilocker(&args, &bad_key).await.expect(3));
            let args: Vec<&str> = flags
                .iter()
                .copied()
                .chain([
                    "sandbox",
                    "profile",
                    &dl,
                    "--base-url",
                    &base,
                    "--api-key",
                    &c.api_key,
                    "--api-secret",
                    c.api_secret.expose(),
                ])
                .collect();
            checker.check(digilocker(&args, &flags_only).await.expect(0));
            let fault = sim.inject(Fault::drop_connection().path("*/tools/kyc/digilocker/status"));
            let args: Vec<&str> = flags
                .iter()
                .copied()
                .chain(["eko", "status", &reference])
                .collect();
            let r = digilocker(&args, &ek).await;
            assert_eq!(r.code, Some(1), "{r}");
            checker.check(&r);
            sim.remove_fault(fault);
        }
    }
    checker.check(&digilocker(&["--verbose", "demo"], &[]).await);
    checker.check(&digilocker(&["--verbose", "--json", "demo"], &[]).await);
    assert!(checker.runs > 100);
}
