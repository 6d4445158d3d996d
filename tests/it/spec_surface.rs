//! Surface guard: `openapi/generated-surface.txt` lists the generated
//! operations and the shape of their types. It must match the bundled specs,
//! so any change to the generated API shows up in review.
//!
//! Update it with `UPDATE_SURFACE=1 cargo test --test it spec_surface` or
//! `cargo run -- spec surface > openapi/generated-surface.txt`.

use crate::common;

use common::openapi_dir;
use digilocker_spec::{files, surface};

const UPDATE: &str = "UPDATE_SURFACE=1 cargo test --test it spec_surface  (or: cargo run -- spec surface > openapi/generated-surface.txt)";

#[test]
fn the_checked_in_surface_matches_the_specs() {
    let want = surface::surface_dir(&openapi_dir()).expect("surface of the bundled specs");
    let path = openapi_dir().join("generated-surface.txt");
    if std::env::var_os("UPDATE_SURFACE").is_some() {
        files::write_atomic(&path, want.as_bytes()).expect("write the surface");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let diff = similar::TextDiff::from_lines(&have, &want)
            .unified_diff()
            .context_radius(2)
            .header(
                "openapi/generated-surface.txt (checked in)",
                "generated from openapi/",
            )
            .to_string();
        panic!(
            "the generated surface changed: review the diff below, then update the file with\n  {UPDATE}\n\n{diff}"
        );
    }
}

#[test]
fn the_surface_lists_exactly_the_generated_operations() {
    let text = surface::surface_dir(&openapi_dir()).unwrap();
    let listed: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '=']) && l.contains(": ") && !l.is_empty())
        .map(|l| l.split(": ").next().unwrap().to_string())
        .collect();
    let mut generated: Vec<String> = digilocker_kyc::generated::sandbox::rules::OPERATIONS
        .iter()
        .chain(digilocker_kyc::generated::eko::rules::OPERATIONS)
        .map(|(id, method, path)| {
            assert!(
                text.contains(&format!("\n{id}: {method} {path}\n")),
                "{id} missing from the surface"
            );
            id.to_string()
        })
        .collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    generated.sort();
    assert_eq!(listed_sorted, generated);
}

#[test]
fn the_surface_is_deterministic() {
    let a = surface::surface_dir(&openapi_dir()).unwrap();
    let b = surface::surface_dir(&openapi_dir()).unwrap();
    assert_eq!(a, b);
}
