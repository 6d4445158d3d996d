//! `spec check` on the bundled specs and on broken copies of them.

use crate::common;

use common::{openapi_copy, openapi_dir};
use digilocker_spec::check;
use serde_json::Value;

#[test]
fn the_bundled_specs_pass_the_check() {
    let report = check::check_dir(&openapi_dir()).expect("check runs");
    assert!(report.is_ok(), "{}", report.to_text());
    let sandbox = report
        .providers
        .iter()
        .find(|p| p.name == "sandbox")
        .unwrap();
    let eko = report.providers.iter().find(|p| p.name == "eko").unwrap();
    assert_eq!(sandbox.operations, 18);
    assert_eq!(eko.operations, 3);
    assert!(
        sandbox.examples > 50 && eko.examples > 5,
        "{}",
        report.to_text()
    );
}

#[test]
fn without_its_override_the_13_digit_aadhaar_example_is_caught() {
    let (_t, dir) = openapi_copy("aadhaar");
    std::fs::remove_file(dir.join("overrides/sandbox-verify-example-aadhaar-length.json")).unwrap();
    let report = check::check_dir(&dir).unwrap();
    assert_eq!(report.defects.len(), 1, "{}", report.to_text());
    let d = &report.defects[0];
    assert_eq!(d.file, "sandbox-kyc.json");
    assert_eq!(
        d.pointer,
        "/paths/~1kyc~1digilocker~1user~1verify/post/requestBody/content/application~1json/examples/User exists - validated with Aadhaar number/value"
    );
    assert!(
        d.message
            .contains("\"1234567890123\" does not match \"^[0-9]{12}$\""),
        "{}",
        d.message
    );
    assert!(d.message.contains("/aadhaar_number"), "{}", d.message);
}

#[test]
fn dangling_refs_duplicate_operation_ids_and_bad_examples_are_all_reported() {
    let (_t, dir) = openapi_copy("eko-broken");
    let path = dir.join("eko-digilocker.yaml");
    let mut doc: Value = digilocker_spec::files::read_document(&path).unwrap();
    let paths = doc["paths"].as_object_mut().unwrap();
    let ops: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| matches!(k.as_str(), "get" | "post"))
                .map(|m| (p.clone(), m.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(ops.len() >= 2);
    // Two operations share an id, one response schema points nowhere, and
    // a nullable string's example is a number.
    let first_id = paths[&ops[0].0][&ops[0].1]["operationId"].clone();
    paths.get_mut(&ops[1].0).unwrap()[&ops[1].1]["operationId"] = first_id;
    paths.get_mut(&ops[0].0).unwrap()[&ops[0].1]["responses"]["200"]["content"]["application/json"]
        ["schema"] = serde_json::json!({"$ref": "#/components/schemas/Nowhere"});
    doc["components"]["schemas"]["NullableText"] =
        serde_json::json!({"type": "string", "nullable": true, "example": 5});
    doc["components"]["schemas"]["NullableOk"] =
        serde_json::json!({"type": "string", "nullable": true, "example": null});
    doc["components"]["schemas"]["Contact"] =
        serde_json::json!({"type": "string", "format": "email", "example": "not an address"});
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();

    let report = check::check_dir(&dir).unwrap();
    let text = report.to_text();
    assert!(!report.is_ok());
    assert!(
        report
            .defects
            .iter()
            .any(|d| d.file == "eko-digilocker.yaml"
                && d.pointer.ends_with("/schema/$ref")
                && d.message
                    .contains("`#/components/schemas/Nowhere` does not resolve")),
        "{text}"
    );
    assert_eq!(
        report
            .defects
            .iter()
            .filter(|d| d.message.contains("is used 2 times"))
            .count(),
        2,
        "{text}"
    );
    assert!(
        report
            .defects
            .iter()
            .any(|d| d.pointer == "/components/schemas/NullableText/example"),
        "{text}"
    );
    assert!(
        !report
            .defects
            .iter()
            .any(|d| d.pointer.contains("NullableOk")),
        "null is a valid example of a nullable string: {text}"
    );
    // The sandbox spec is unaffected.
    assert!(
        report.defects.iter().all(|d| d.file.starts_with("eko")),
        "{text}"
    );
}
