//! The `digilocker spec` commands: output and exit codes
//! (0 ok, 1 other error, 2 usage/validation, 4 breaking changes).

use crate::common;

use common::{fixture, openapi_copy, seed, temp_dir};
use std::path::Path;
use std::process::{Command, Output};

fn digilocker(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_digilocker"))
        .args(args)
        .current_dir(repo_root!())
        .output()
        .expect("run digilocker")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_passes_on_the_bundled_specs() {
    let o = digilocker(&["spec", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: no defects"));
}

#[test]
fn check_fails_with_2_and_names_the_defect() {
    let (_t, dir) = openapi_copy("cli-check");
    std::fs::remove_file(dir.join("overrides/sandbox-verify-example-aadhaar-length.json")).unwrap();
    let o = digilocker(&["spec", "check", "--dir", s(&dir), "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ok"], false);
    assert_eq!(v["defects"][0]["file"], "sandbox-kyc.json");
}

#[test]
fn check_on_a_missing_folder_is_an_other_error() {
    let t = temp_dir("cli-missing");
    let o = digilocker(&["spec", "check", "--dir", s(&t.path().join("nope"))]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn diff_exits_4_on_breaking_changes_unless_accepted() {
    let older = fixture("upstream/sandbox-kyc-openapi.122fcc1.json");
    let newer = fixture("upstream/sandbox-kyc-openapi.f458eef.json");
    let o = digilocker(&["spec", "diff", s(&older), s(&newer), "--json"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert!(v["breaking"].as_u64().unwrap() > 0);
    assert_eq!(v["selection"], "sandbox");

    let o = digilocker(&["spec", "diff", s(&older), s(&newer), "--accept-breaking"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("[BREAKING] response 200 data.documents_consented: field removed"),
        "{out}"
    );
    assert!(
        out.contains(
            "data.status: enum constraint removed (was: created, succeeded, expired, failed)"
        ),
        "{out}"
    );

    let o = digilocker(&["spec", "diff", s(&newer), "openapi/sandbox-kyc.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("No changes"));
}

#[test]
fn diff_reads_pages() {
    let o = digilocker(&["spec", "diff", s(&seed("000_")), "openapi/sandbox-kyc.json"]);
    // The page's operation is in the bundled spec; everything else is added.
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("+ digilocker_initiate_session"));
}

#[test]
fn import_exit_codes_and_untouched_target() {
    let (t, dir) = openapi_copy("cli-import");
    let target = dir.join("sandbox-kyc.json");
    let before = std::fs::read(&target).unwrap();

    // Invalid input: 2.
    let bad = t.path().join("bad.txt");
    std::fs::write(&bad, "````yaml\nopenapi: [\n````\n").unwrap();
    let o = digilocker(&["spec", "import", s(&bad), "--into", s(&target)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not valid YAML"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);

    // Breaking changes: 4, report printed, nothing written. (The older
    // upstream also no longer satisfies three overrides, so drop them here.)
    for f in [
        "sandbox-verify-example-aadhaar-length.json",
        "sandbox-sdk-status-entity.json",
        "sandbox-sdk-document-url-optional.json",
    ] {
        std::fs::remove_file(dir.join("overrides").join(f)).unwrap();
    }
    let older = fixture("upstream/sandbox-kyc-openapi.122fcc1.json");
    let o = digilocker(&["spec", "import", s(&older), "--into", s(&target)]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("[BREAKING]"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);

    // The same page twice: 0, and the second run writes nothing.
    let page = seed("004_");
    let o = digilocker(&["spec", "import", s(&page), "--into", s(&target), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["imported"][0], "POST /kyc/digilocker/user/verify");
}

#[test]
fn usage_errors_exit_2() {
    let o = digilocker(&["spec", "import"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = digilocker(&["spec", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn surface_check_passes_on_the_checked_in_file() {
    let o = digilocker(&[
        "spec",
        "surface",
        "--check",
        "openapi/generated-surface.txt",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
