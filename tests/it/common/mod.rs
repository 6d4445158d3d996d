//! Helpers shared by the spec tests: locating the crate's files and the test
//! fixtures (`tests/fixtures/`), and throw-away folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The crate's `openapi/` folder.
pub fn openapi_dir() -> PathBuf {
    PathBuf::from(concat!(repo_root!(), "/openapi"))
}

/// A file of `tests/fixtures/` (see its README for where each file comes
/// from). Panics, with a clear message, when it is missing: these tests must
/// not skip silently.
pub fn fixture(rel: &str) -> PathBuf {
    let base = PathBuf::from(concat!(repo_root!(), "/tests/fixtures"));
    let p = base.join(rel);
    assert!(p.exists(), "missing test fixture {}", p.display());
    p
}

/// The one seed page whose name starts with `prefix` (e.g. `000_`).
pub fn seed(prefix: &str) -> PathBuf {
    let dir = fixture("seeds");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read tests/fixtures/seeds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    found.sort();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one seed page {prefix}* in {}",
        dir.display()
    );
    found.remove(0)
}

/// A new empty folder under the system's temporary folder
/// (`digilocker-kyc-<tag>-…`), removed on drop.
pub fn temp_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("digilocker-kyc-{tag}-"))
        .tempdir()
        .expect("create temp dir")
}

/// Copy a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for e in std::fs::read_dir(from).expect("read folder") {
        let e = e.expect("folder entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy file");
        }
    }
}

/// A temporary copy of the crate's `openapi/` folder: `(guard, copy)`.
pub fn openapi_copy(tag: &str) -> (tempfile::TempDir, PathBuf) {
    let t = temp_dir(tag);
    let dir = t.path().join("openapi");
    copy_dir(&openapi_dir(), &dir);
    (t, dir)
}

/// A provider's bundled spec as documented: assembled exactly as build.rs
/// does (normalised, selected, overrides applied, merged) but before the
/// code-generation adjustments, so error responses and their examples are
/// still there.
pub fn documented(provider: digilocker_spec::prep::Provider) -> serde_json::Value {
    use digilocker_spec::prep;
    let dir = openapi_dir();
    let overrides = prep::load_overrides(&dir.join("overrides")).expect("overrides load");
    let (_, _, files) = prep::BUNDLE
        .iter()
        .find(|(_, p, _)| *p == provider)
        .expect("provider is bundled");
    let inputs = prep::load_inputs(&dir, files).expect("bundled files load");
    prep::assemble(provider, inputs, &overrides)
        .expect("bundled spec assembles")
        .doc
}

/// `json` as the generated type `T`, for the generated httpmock helpers
/// (whose matchers and responses take the generated types). Panics unless
/// `T` writes back the same JSON (up to how a number is written: a field
/// the spec types `number` writes `200` as `200.0`): a mock built from the
/// value then matches or answers that JSON, as a hand-written
/// `json_body(json)` would.
pub fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(json: serde_json::Value) -> T {
    let value: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("not a {}: {e}\n{json:#}", std::any::type_name::<T>()));
    let back = serde_json::to_value(&value).unwrap();
    assert!(
        same_json(&back, &json),
        "{} does not write the JSON back unchanged:\n{back:#}\nfor\n{json:#}",
        std::any::type_name::<T>()
    );
    value
}

/// JSON equality where numbers compare by value (`200 == 200.0`).
pub fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
