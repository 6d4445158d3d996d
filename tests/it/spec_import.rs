//! `spec import`: pages and documents into a spec, the change report on real
//! upstream versions, and that failures leave the target untouched.

use crate::common;

use common::{fixture, openapi_copy, seed, temp_dir};
use digilocker_spec::diff::{self, Change, ChangeKind, Report, Selection};
use digilocker_spec::{Error, files, import, pages};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const EMPTY: &str = r#"{"openapi":"3.1.0","info":{"title":"empty","version":"0"},"paths":{}}"#;

fn options(target: &Path, accept_breaking: bool) -> import::Options {
    import::Options {
        target: target.to_path_buf(),
        accept_breaking,
        dry_run: false,
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The (only) block of a seed page, parsed.
fn page_doc(page: &Path) -> Value {
    let text = std::fs::read_to_string(page).unwrap();
    let blocks = pages::extract_blocks(&text, "page").unwrap();
    assert_eq!(blocks.len(), 1, "{} has one OpenAPI block", page.display());
    files::parse_yaml(&blocks[0].text).unwrap()
}

const PROFILE: &str = "/kyc/digilocker/sessions/{session_id}/user/profile";
const VERIFY: &str = "/kyc/digilocker/user/verify";

#[test]
fn seed_pages_import_into_an_empty_spec_byte_stably() {
    let pages = [seed("000_"), seed("004_")];
    let t = temp_dir("seeds");
    let first = t.path().join("one/empty.json");
    let second = t.path().join("two/empty.json");
    for target in [&first, &second] {
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, EMPTY).unwrap();
    }

    let out = import::import(&pages, &options(&first, false)).expect("import seed pages");
    assert!(out.written);
    assert_eq!(
        out.imported,
        vec![
            ("GET".to_string(), PROFILE.to_string()),
            ("POST".to_string(), VERIFY.to_string())
        ]
    );
    let added: Vec<&str> = out
        .report
        .added
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(
        added,
        [
            "digilocker_get_user_profile",
            "digilocker_verify_user_account"
        ]
    );
    assert!(out.report.removed.is_empty() && out.report.changes.is_empty());

    // Exactly the two operations, each exactly as its page documents it.
    let doc: Value = serde_json::from_slice(&read(&first)).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, [PROFILE, VERIFY]);
    assert_eq!(doc["paths"][PROFILE].as_object().unwrap().len(), 1);
    assert_eq!(doc["paths"][VERIFY].as_object().unwrap().len(), 1);
    assert_eq!(doc["paths"][PROFILE], page_doc(&pages[0])["paths"][PROFILE]);
    assert_eq!(doc["paths"][VERIFY], page_doc(&pages[1])["paths"][VERIFY]);
    let ok = "/responses/200/content/application~1json/schema";
    assert_eq!(
        doc["paths"][PROFILE]["get"].pointer(&format!(
            "{ok}/properties/data/properties/date_of_birth/type"
        )),
        Some(&json!("integer"))
    );
    let body =
        &doc["paths"][VERIFY]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["properties"]["aadhaar_number"]["pattern"],
        json!("^[0-9]{12}$")
    );
    assert_eq!(body["anyOf"].as_array().map(Vec::len), Some(2));
    assert!(
        doc.get("components").is_none(),
        "the pages reference no components"
    );
    // Header of the empty target kept, key order kept.
    assert_eq!(doc["info"]["title"], json!("empty"));
    let text = String::from_utf8(read(&first)).unwrap();
    assert!(text.starts_with("{\n  \"openapi\": \"3.1.0\",\n  \"info\""));
    assert!(text.ends_with("}\n"));

    // Byte-stable: a second run elsewhere gives the same bytes, and running
    // again on the result changes nothing.
    import::import(&pages, &options(&second, false)).unwrap();
    assert_eq!(read(&first), read(&second));
    let again = import::import(&pages, &options(&first, false)).unwrap();
    assert!(!again.written);
    assert!(again.report.is_empty());
    assert_eq!(read(&first), read(&second));
}

#[test]
fn yaml_targets_are_written_as_yaml_and_are_stable() {
    let pages = [seed("000_"), seed("004_")];
    let t = temp_dir("yaml");
    let target = t.path().join("empty.yaml");
    std::fs::write(
        &target,
        "openapi: 3.1.0\ninfo:\n  title: empty\n  version: '0'\npaths: {}\n",
    )
    .unwrap();
    import::import(&pages, &options(&target, false)).unwrap();
    let bytes = read(&target);
    let doc = files::read_document(&target).unwrap();
    assert_eq!(doc["paths"][VERIFY], page_doc(&pages[1])["paths"][VERIFY]);
    let again = import::import(&pages, &options(&target, false)).unwrap();
    assert!(!again.written);
    assert_eq!(read(&target), bytes);
}

fn find<'a>(r: &'a Report, op: &str, location: &str, field: &str, kind: ChangeKind) -> &'a Change {
    r.changes
        .iter()
        .find(|c| {
            c.operation.operation_id == op
                && c.location == location
                && c.field == field
                && c.kind == kind
        })
        .unwrap_or_else(|| {
            panic!(
                "no {kind:?} for {op} {location} {field:?} in:\n{}",
                r.to_text()
            )
        })
}

#[test]
fn upstream_older_to_newer_reports_the_real_differences() {
    let older = fixture("upstream/sandbox-kyc-openapi.122fcc1.json");
    let newer = fixture("upstream/sandbox-kyc-openapi.f458eef.json");
    let t = temp_dir("upstream");
    let target = t.path().join("sandbox-kyc.json");

    // Older into a new spec: everything is added, nothing breaks.
    let first = import::import(std::slice::from_ref(&older), &options(&target, false)).unwrap();
    assert!(first.written);
    assert_eq!(first.report.added.len(), 17, "{}", first.report.to_text());
    assert!(!first.report.has_breaking());
    let before = read(&target);

    // Newer over it: breaking changes stop the import and nothing is written.
    let err = import::import(std::slice::from_ref(&newer), &options(&target, false)).unwrap_err();
    let Error::Breaking(report) = err else {
        panic!("expected breaking changes, got {err}");
    };
    assert_eq!(read(&target), before);

    // The same report when accepted.
    let out = import::import(std::slice::from_ref(&newer), &options(&target, true)).unwrap();
    assert!(out.written);
    let r = out.report;
    assert_eq!(r, *report);
    assert!(
        r.added.is_empty() && r.removed.is_empty(),
        "{}",
        r.to_text()
    );

    let status = "digilocker_get_session_status";
    let c = find(
        &r,
        status,
        "response 200",
        "data.status",
        ChangeKind::EnumRemoved,
    );
    assert!(
        c.detail.contains("created, succeeded, expired, failed"),
        "{}",
        c.detail
    );
    assert!(!c.breaking, "response enums are open");
    for field in ["data.documents_consented", "data.updated_at"] {
        let c = find(&r, status, "response 200", field, ChangeKind::FieldRemoved);
        assert!(c.breaking, "a removed response field is breaking");
    }
    let c = find(
        &r,
        status,
        "parameter path session_id",
        "",
        ChangeKind::FormatChanged,
    );
    assert_eq!(c.detail, "format uuid dropped");
    assert!(!c.breaking);
    let c = find(
        &r,
        status,
        "response 200",
        "data.status",
        ChangeKind::NowRequired,
    );
    assert!(!c.breaking, "a stronger response promise is not breaking");

    // Upstream added operationIds; ours stay the same.
    for (ours, theirs) in [
        ("digilocker_initiate_session", "initiateSession"),
        ("digilocker_get_session_status", "getSessionStatus"),
        ("digilocker_get_document", "getDocument"),
        ("digilocker_sdk_create_session", "createSession"),
        ("entitylocker_get_user_profile", "getUserDetails"),
    ] {
        let c = find(&r, ours, "operation", "", ChangeKind::UpstreamOperationId);
        assert_eq!(c.detail, format!("upstream operationId (none) -> {theirs}"));
        assert!(!c.breaking);
    }

    // New optional request fields are not breaking; newly required ones are.
    let c = find(
        &r,
        "digilocker_initiate_session",
        "request",
        "options",
        ChangeKind::FieldAdded,
    );
    assert!(!c.breaking);
    let c = find(
        &r,
        "digilocker_sdk_create_session",
        "request",
        "@entity",
        ChangeKind::NowRequired,
    );
    assert!(c.breaking);
    let c = find(
        &r,
        "digilocker_sdk_create_session",
        "request",
        "",
        ChangeKind::NowRequired,
    );
    assert!(c.breaking, "the request body became required");
    // A request type change is breaking.
    let c = find(
        &r,
        "entitylocker_initiate_session",
        "request",
        "consent_expiry",
        ChangeKind::TypeChanged,
    );
    assert_eq!(c.detail, "type number -> integer");
    assert!(c.breaking);
    // The SDK status @entity value changed upstream (a response enum).
    let c = find(
        &r,
        "digilocker_sdk_get_session_status",
        "response 200",
        "data.@entity",
        ChangeKind::EnumValuesRemoved,
    );
    assert!(
        c.detail
            .contains("in.co.sandbox.kyc.digilocker.sdk.session")
    );
    assert!(!c.breaking);
    // Error responses: reported, never breaking.
    let c = find(
        &r,
        "digilocker_sdk_get_session_status",
        "response 521",
        "",
        ChangeKind::ResponseAdded,
    );
    assert!(!c.breaking);
    assert!(
        r.changes
            .iter()
            .filter(|c| c.location.starts_with("response 4") || c.location.starts_with("response 5"))
            .all(|c| !c.breaking)
    );

    // JSON form.
    let j = r.to_json();
    assert_eq!(j["breaking"], json!(r.breaking_count()));
    assert!(r.breaking_count() >= 5);
    assert!(j["changes"].as_array().unwrap().iter().any(|c| {
        c["operation_id"] == status
            && c["kind"] == "field_removed"
            && c["field"] == "data.updated_at"
    }));

    // The DigiLocker operations now read exactly as the newer upstream.
    let result = files::read_document(&target).unwrap();
    let newer_doc = files::read_document(&newer).unwrap();
    let rest = diff::diff(&result, &newer_doc, Selection::Sandbox, "result", "newer").unwrap();
    assert!(rest.is_empty(), "{}", rest.to_text());
}

#[test]
fn the_newer_upstream_is_the_bundled_spec() {
    let newer = fixture("upstream/sandbox-kyc-openapi.f458eef.json");
    let (_t, dir) = openapi_copy("bundled");
    let target = dir.join("sandbox-kyc.json");
    let before = read(&target);
    let out = import::import(&[newer], &options(&target, false)).unwrap();
    assert!(
        !out.written,
        "importing the bundled version changes nothing"
    );
    assert!(out.report.is_empty(), "{}", out.report.to_text());
    assert_eq!(out.imported.len(), 26);
    assert_eq!(read(&target), before);
}

#[test]
fn overrides_that_no_longer_apply_are_all_reported_and_nothing_is_written() {
    let older = fixture("upstream/sandbox-kyc-openapi.122fcc1.json");
    let (_t, dir) = openapi_copy("stale");
    let target = dir.join("sandbox-kyc.json");
    let before = read(&target);
    let err = import::import(&[older], &options(&target, true)).unwrap_err();
    let Error::Invalid(problems) = &err else {
        panic!("expected invalid, got {err}");
    };
    let files: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    assert!(
        files.contains(&"overrides/sandbox-verify-example-aadhaar-length.json")
            && files.contains(&"overrides/sandbox-sdk-status-entity.json")
            && files.contains(&"overrides/sandbox-sdk-document-url-optional.json"),
        "{err}"
    );
    assert!(
        err.to_string().contains("13-digit"),
        "the override's reason is quoted: {err}"
    );
    assert_eq!(read(&target), before);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_inputs_give_clear_errors_and_leave_the_bundled_spec_unchanged() {
    let (t, dir) = openapi_copy("bad");
    let inputs = t.path().join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let target = dir.join("sandbox-kyc.json");
    let before = read(&target);
    let files_before = listing(&dir);

    let malformed = write(
        &inputs,
        "malformed.txt",
        "# Page\n\nSome prose.\n\n````yaml api-reference/kyc/openapi.json GET /x\nopenapi: 3.1.0\npaths:\n  /kyc/digilocker/x: [unclosed\n    get: {}\n````\n",
    );
    let unclosed = write(
        &inputs,
        "unclosed.md",
        "# Page\n\n````yaml\nopenapi: 3.1.0\npaths: {}\n",
    );
    let no_block = seed("001_");
    let dangling = write(
        &inputs,
        "dangling.json",
        &serde_json::to_string_pretty(&json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/kyc/digilocker/sessions/{session_id}/status": {"get": {
                "parameters": [{"name": "session_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/SessionStatus"}}}}}
            }}},
            "components": {"schemas": {}}
        }))
        .unwrap(),
    );

    let cases: Vec<(Vec<PathBuf>, &[&str])> = vec![
        (
            vec![malformed.clone()],
            &["malformed.txt#block 1 (line 5)", "not valid YAML"],
        ),
        (vec![unclosed], &["unclosed.md", "never closed"]),
        (
            vec![no_block.clone()],
            &["001_", "no embedded OpenAPI block"],
        ),
        (
            vec![dangling.clone()],
            &[
                "dangling.json",
                "/paths/~1kyc~1digilocker~1sessions~1{session_id}~1status/get/responses/200/content/application~1json/schema/$ref",
                "`#/components/schemas/SessionStatus` does not resolve",
            ],
        ),
        // A good page first does not make a later bad one partly applied.
        (
            vec![seed("000_"), malformed],
            &["malformed.txt", "not valid YAML"],
        ),
        (vec![seed("004_"), dangling], &["does not resolve"]),
    ];
    for (sources, expected) in cases {
        let err = import::import(&sources, &options(&target, true)).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err}");
        let msg = err.to_string();
        for e in expected {
            assert!(
                msg.contains(e),
                "error for {sources:?} should mention {e:?}: {msg}"
            );
        }
        assert_eq!(read(&target), before, "target changed after: {msg}");
        assert_eq!(listing(&dir), files_before, "stray files after: {msg}");
    }
}

#[test]
fn path_level_parameters_follow_operations_imported_one_by_one() {
    let mut target = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/kyc/digilocker/sessions/{session_id}/status": {
            "get": {"responses": {"200": {"description": "old"}}},
            "delete": {"responses": {"204": {"description": "kept"}}}
        }}
    });
    let source = json!({
        "openapi": "3.1.0", "info": {"title": "s", "version": "2"},
        "paths": {"/kyc/digilocker/sessions/{session_id}/status": {
            "parameters": [{"name": "session_id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Id"}}],
            "get": {"responses": {"200": {"description": "new"}}}
        }},
        "components": {"schemas": {"Id": {"type": "string", "format": "uuid"}, "Unused": {"type": "string"}}}
    });
    import::merge(&mut target, &source, "source").unwrap();
    let item = &target["paths"]["/kyc/digilocker/sessions/{session_id}/status"];
    assert_eq!(item["get"]["responses"]["200"]["description"], json!("new"));
    assert_eq!(item["get"]["parameters"][0]["name"], json!("session_id"));
    assert_eq!(
        item["delete"]["responses"]["204"]["description"],
        json!("kept")
    );
    assert!(item.get("parameters").is_none());
    // Referenced components come along, unreferenced ones do not.
    assert_eq!(
        target["components"]["schemas"]["Id"]["format"],
        json!("uuid")
    );
    assert!(target["components"]["schemas"].get("Unused").is_none());
}
