//! Replays every fuzz regression input (`fuzz/regressions/<target>/*`) and
//! every checked-in seed (`fuzz/seeds/<target>/*`) through the fuzz targets'
//! bodies, which call the decoders the facades use. A panic fails the test
//! and names the file.

use digilocker_kyc::fuzzing::TARGETS;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(targets) = std::fs::read_dir(dir) else {
        return out;
    };
    for t in targets.flatten() {
        if !t.path().is_dir() {
            continue;
        }
        let name = t.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(t.path()).unwrap().flatten() {
            if f.path().is_file() {
                out.push((name.clone(), f.path()));
            }
        }
    }
    out.sort();
    out
}

fn replay(kind: &str) -> usize {
    let dir = Path::new(repo_root!()).join("fuzz").join(kind);
    let files = files_under(&dir);
    for (target, path) in &files {
        let body = TARGETS
            .iter()
            .find(|(n, _)| n == target)
            .unwrap_or_else(|| panic!("{}: no fuzz target named {target}", path.display()))
            .1;
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
    files.len()
}

#[test]
fn regression_inputs_do_not_panic() {
    // The folder may hold only its README until a crash is found.
    replay("regressions");
}

#[test]
fn seed_corpus_does_not_panic_and_covers_every_target() {
    let n = replay("seeds");
    assert!(n > 0, "no seeds found");
    let dir = Path::new(repo_root!()).join("fuzz/seeds");
    for (name, _) in TARGETS {
        assert!(dir.join(name).is_dir(), "no seeds for fuzz target {name}");
    }
}

/// The seeds decode to what they say: the examples from the specs are
/// accepted by the decoders (a seed that fails to decode would only fuzz
/// the error path).
#[test]
fn spec_examples_among_the_seeds_decode() {
    use digilocker_kyc::fuzzing::{Input, eko, sandbox};
    let dir = Path::new(repo_root!()).join("fuzz/seeds");
    let mut ok = 0;
    for (target, path) in files_under(&dir) {
        let data = std::fs::read(&path).unwrap();
        let i = Input::split(&data);
        if i.status != 200 {
            continue;
        }
        let decoded = match (target.as_str(), i.selector) {
            ("sandbox_status", 0) => sandbox::session_status(i.status, i.headers, i.body).is_ok(),
            ("sandbox_document", 0) => sandbox::document(i.status, i.headers, i.body).is_ok(),
            ("sandbox_profile", 0) => sandbox::user_profile(i.status, i.headers, i.body).is_ok(),
            ("sandbox_authenticate", _) => {
                sandbox::authenticate(i.status, i.headers, i.body).is_ok()
            }
            ("eko_create", 0) if i.body.starts_with(b"{\"status\": 0") => {
                eko::create_url(i.status, i.headers, i.body).is_ok()
            }
            _ => continue,
        };
        assert!(decoded, "{} does not decode", path.display());
        ok += 1;
    }
    assert!(ok >= 5, "only {ok} seeds checked");
}
