//! Helpers shared by the spec tests: locating the crate's files and the test
//! fixtures (`tests/fixtures/`), and throw-away folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// A temporary folder, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder under the system's temporary folder.
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!(
            "digilocker-kyc-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside it.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
pub fn openapi_copy(tag: &str) -> (TempDir, PathBuf) {
    let t = TempDir::new(tag);
    let dir = t.join("openapi");
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
