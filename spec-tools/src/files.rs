//! Reading and writing spec files, and loading the bundled `openapi/` folder
//! the way `build.rs` does.
//!
//! Writing is deterministic: JSON is pretty-printed with a two-space indent
//! and a trailing newline, keys in document order; YAML is serde_norway's
//! block style (comments in a YAML file are not preserved by a rewrite).

use crate::Error;
pub use crate::prep::parse_yaml;
use crate::prep::{self, Input, Override, Prepared, Provider, SpecError};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Whether a path names a JSON file (by extension).
pub fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Whether a path names a YAML file (by extension).
pub fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Read a file as text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot read: {e}"),
    })
}

/// Parse a spec document: JSON for `.json`, YAML otherwise. `name` is used
/// in errors.
pub fn parse_document(text: &str, json: bool, name: &str) -> Result<Value, Error> {
    let parsed = if json {
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
    } else {
        parse_yaml(text)
    };
    parsed.map_err(|m| {
        Error::invalid(
            name,
            "",
            format!("not valid {}: {m}", if json { "JSON" } else { "YAML" }),
        )
    })
}

/// Read and parse a spec document (JSON or YAML by extension).
pub fn read_document(path: &Path) -> Result<Value, Error> {
    let text = read_text(path)?;
    parse_document(&text, is_json(path), &path.display().to_string())
}

/// The canonical text of a document: pretty JSON (two-space indent,
/// trailing newline) or YAML.
pub fn render(doc: &Value, json: bool) -> Result<String, String> {
    if json {
        let mut s = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
        s.push('\n');
        Ok(s)
    } else {
        serde_norway::to_string(doc).map_err(|e| e.to_string())
    }
}

/// Replace `path`'s contents atomically: write a temporary file in the same
/// folder, flush it, then rename it over `path`. On error the temporary
/// file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot write: {e}"),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

/// The bundled specs of one provider, as loaded from `openapi/`.
#[derive(Debug, Clone)]
pub struct BundleProvider {
    /// `sandbox` or `eko`.
    pub name: &'static str,
    /// Which provider.
    pub provider: Provider,
    /// The files, in merge order.
    pub inputs: Vec<Input>,
}

/// Everything in an `openapi/` folder that `build.rs` reads.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The overrides (`overrides/*.json`), sorted by file name.
    pub overrides: Vec<Override>,
    /// Each provider's inputs.
    pub providers: Vec<BundleProvider>,
}

/// Load an `openapi/` folder exactly as `build.rs` does.
pub fn load_bundle(dir: &Path) -> Result<Bundle, SpecError> {
    let overrides = prep::load_overrides(&dir.join("overrides"))?;
    let providers = prep::BUNDLE
        .iter()
        .map(|(name, provider, files)| {
            Ok(BundleProvider {
                name,
                provider: *provider,
                inputs: prep::load_inputs(dir, files)?,
            })
        })
        .collect::<Result<_, SpecError>>()?;
    Ok(Bundle {
        overrides,
        providers,
    })
}

/// Load and prepare every provider of an `openapi/` folder, as `build.rs`
/// does: `(provider name, prepared spec)`.
pub fn prepare_bundle(dir: &Path) -> Result<Vec<(&'static str, Prepared)>, SpecError> {
    let bundle = load_bundle(dir)?;
    bundle
        .providers
        .into_iter()
        .map(|p| {
            Ok((
                p.name,
                prep::prepare(p.provider, p.inputs, &bundle.overrides)?,
            ))
        })
        .collect()
}

/// The `openapi/` folder of this crate's source tree, when run from it
/// (`cargo run` / `cargo test`): `./openapi`.
pub fn default_dir() -> PathBuf {
    PathBuf::from("openapi")
}
