//! `digilocker spec import`: merge operations from provider documents or
//! documentation pages into a bundled spec.
//!
//! # Sources
//!
//! - An OpenAPI document, JSON (`.json`) or YAML (`.yaml`/`.yml`), 3.0 or 3.1.
//! - A documentation page (any other extension): every fenced `yaml` block
//!   is extracted ([`crate::pages`]) and each must be an OpenAPI document. A
//!   page with no such block is an error.
//!
//! # Merge rules
//!
//! For each operation of each source (in the order given; a later source
//! wins):
//!
//! - same method + path in the target: the operation is replaced in place
//!   (key order of the target is kept);
//! - otherwise it is added (a new path goes at the end of `paths`);
//! - everything else in the target is untouched.
//!
//! Parameters declared on the source's path item go with its operations:
//! when the source's path item covers every operation the target has on that
//! path, the whole path item is replaced (so path-level parameters stay
//! path-level); otherwise they are copied into each imported operation.
//! Components the imported operations reference are copied too, following
//! `$ref`s transitively (a component of the same name is replaced). Only
//! local `#/components/...` references can be imported; any `$ref` of a
//! source that does not resolve is an error. When the target is OpenAPI 3.0
//! and a source 3.1, the source is first normalised to 3.0
//! ([`prep::normalize`]), so the target stays valid 3.0.
//!
//! # Safety
//!
//! The result is built in memory and validated before anything is written:
//! the OpenAPI version, every `$ref`, the operation selection and naming,
//! every override in `overrides/` next to the target (all that no longer
//! apply are reported, by file, with the override's reason), and, when the
//! target is one of the bundled files and its siblings are present, the full
//! [`prep::prepare`] pipeline of `build.rs`. Then the change report
//! ([`crate::diff`]) is computed; breaking changes stop the import unless
//! accepted. The target is written atomically (temporary file + rename) and
//! only when its bytes change. On any error it is left byte-for-byte
//! unchanged.

use crate::Error;
use crate::diff::{self, Report, Selection};
use crate::files;
use crate::pages;
use crate::prep::{self, METHODS, SpecError};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One OpenAPI document read from a source file.
#[derive(Debug, Clone)]
pub struct Source {
    /// For messages: the file name, plus `#block N (line L)` for a page.
    pub name: String,
    /// The document.
    pub doc: Value,
}

/// Read a source file: an OpenAPI document, or a page with embedded blocks.
pub fn read_sources(path: &Path) -> Result<Vec<Source>, Error> {
    let name = path.display().to_string();
    let text = files::read_text(path)?;
    if files::is_json(path) || files::is_yaml(path) {
        let doc = files::parse_document(&text, files::is_json(path), &name)?;
        check_source(&doc, &name)?;
        return Ok(vec![Source { name, doc }]);
    }
    // A page. A bare document with another extension is accepted too.
    if !pages::has_yaml_block(&text) {
        let doc = serde_json::from_str::<Value>(&text)
            .ok()
            .or_else(|| files::parse_yaml(&text).ok())
            .filter(|d| d.get("openapi").is_some());
        return match doc {
            Some(doc) => {
                check_source(&doc, &name)?;
                Ok(vec![Source { name, doc }])
            }
            None => Err(Error::invalid(
                &name,
                "",
                "no embedded OpenAPI block found: expected a fenced block opening with ````yaml (or a JSON/YAML OpenAPI document)",
            )),
        };
    }
    let mut out = Vec::new();
    for b in pages::extract_blocks(&text, &name)? {
        let bname = format!("{name}#block {} (line {})", b.index, b.line);
        let doc = files::parse_yaml(&b.text).map_err(|m| {
            Error::invalid(
                &bname,
                "",
                format!(
                    "the embedded yaml block is not valid YAML (its line 1 is line {} of the page): {m}",
                    b.line + 1
                ),
            )
        })?;
        check_source(&doc, &bname)?;
        out.push(Source { name: bname, doc });
    }
    Ok(out)
}

/// Read a file as one document: a spec file as is, or the blocks of a page
/// merged (in order) into an empty document modelled on the first block.
pub fn read_as_document(path: &Path) -> Result<Value, Error> {
    let mut sources = read_sources(path)?;
    if sources.len() == 1 {
        return Ok(sources.remove(0).doc);
    }
    let mut doc = skeleton(&sources[0].doc);
    for s in &sources {
        merge(&mut doc, &s.doc, &s.name)?;
    }
    Ok(doc)
}

/// A source must be OpenAPI 3.0/3.1 with operations, and its `$ref`s must
/// resolve.
fn check_source(doc: &Value, name: &str) -> Result<(), Error> {
    if !doc.is_object() {
        return Err(Error::invalid(
            name,
            "",
            "not an OpenAPI document (not a mapping)",
        ));
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") || v.starts_with("3.1.") => {}
        Some(v) => {
            return Err(Error::invalid(
                name,
                "/openapi",
                format!("unsupported OpenAPI version {v} (3.0.x or 3.1.x expected)"),
            ));
        }
        None => {
            return Err(Error::invalid(
                name,
                "/openapi",
                "not an OpenAPI document (no `openapi` version string)",
            ));
        }
    }
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Err(Error::invalid(
            name,
            "/paths",
            "the document has no paths object",
        ));
    };
    let count = paths
        .values()
        .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
        .sum::<usize>();
    if count == 0 {
        return Err(Error::invalid(
            name,
            "/paths",
            "the document has no operations",
        ));
    }
    no_dangling_refs(doc, name, "in this document")
}

/// Every `$ref` of `doc` resolves inside it; otherwise one problem per
/// dangling reference, filed under `name`, saying `where_` it fails.
fn no_dangling_refs(doc: &Value, name: &str, where_: &str) -> Result<(), Error> {
    let mut dangling = Vec::new();
    prep::find_dangling_refs(doc, doc, "", &mut dangling);
    if dangling.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(
        dangling
            .into_iter()
            .map(|(ptr, target)| SpecError {
                file: name.to_string(),
                pointer: ptr,
                message: format!("$ref `{target}` does not resolve {where_}"),
            })
            .collect(),
    ))
}

/// Merge `source`'s operations and the components they reference into
/// `target` (see the module docs). Returns the imported operations as
/// `(METHOD, path)`.
pub fn merge(
    target: &mut Value,
    source: &Value,
    name: &str,
) -> Result<Vec<(String, String)>, Error> {
    check_source(source, name)?;
    let mut source = source.clone();
    let target_30 = target
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.0."));
    if target_30
        && source
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3.1."))
    {
        prep::normalize(&mut source);
    }
    let Some(tobj) = target.as_object_mut() else {
        return Err(Error::invalid("target", "", "the target is not a mapping"));
    };
    let mut imported = Vec::new();
    let mut refs: Vec<String> = Vec::new();
    let src_paths = source
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let tpaths = mapping_entry(tobj, "paths", "/paths", "`paths` is not a mapping")?;
    for (path, sitem) in &src_paths {
        let Some(sitem) = sitem.as_object() else {
            return Err(Error::invalid(
                name,
                &prep::child("/paths", path),
                "a path item must be a mapping",
            ));
        };
        let smethods: Vec<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| sitem.contains_key(*m))
            .collect();
        if smethods.is_empty() {
            continue;
        }
        for m in &smethods {
            imported.push((m.to_uppercase(), path.clone()));
        }
        match tpaths.get_mut(path).and_then(Value::as_object_mut) {
            Some(titem)
                if METHODS
                    .iter()
                    .filter(|m| titem.contains_key(**m))
                    .any(|m| !smethods.contains(m)) =>
            {
                // The target has other operations on this path: import the
                // operations one by one, carrying path-level parameters.
                let shared = sitem.get("parameters").and_then(Value::as_array);
                for m in &smethods {
                    let mut op = sitem[*m].clone();
                    if let Some(shared) = shared {
                        inline_parameters(&source, &mut op, shared);
                    }
                    collect_refs(&op, &mut refs);
                    titem.insert(m.to_string(), op);
                }
            }
            _ => {
                let item = Value::Object(sitem.clone());
                collect_refs(&item, &mut refs);
                tpaths.insert(path.clone(), item);
            }
        }
    }
    copy_components(tobj, &source, name, refs)?;
    Ok(imported)
}

/// Put the path item's parameters into the operation, unless the operation
/// declares the same `in` + `name`.
fn inline_parameters(source: &Value, op: &mut Value, shared: &[Value]) {
    let own: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let key = |p: &Value| diff::param_key(diff::deref(source, p).0);
    let mut params: Vec<Value> = shared
        .iter()
        .filter(|p| !own.iter().any(|q| key(q) == key(p)))
        .cloned()
        .collect();
    params.extend(own);
    if let Some(o) = op.as_object_mut() {
        o.insert("parameters".into(), Value::Array(params));
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    if let Some(r) = x.as_str()
                        && !out.iter().any(|o| o == r)
                    {
                        out.push(r.to_string());
                    }
                } else {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Copy every component reached from `refs` (transitively) from `source`.
fn copy_components(
    target: &mut Map<String, Value>,
    source: &Value,
    name: &str,
    mut refs: Vec<String>,
) -> Result<(), Error> {
    let mut done: Vec<String> = Vec::new();
    while let Some(r) = refs.pop() {
        if done.contains(&r) {
            continue;
        }
        done.push(r.clone());
        let Some(ptr) = r.strip_prefix('#') else {
            return Err(Error::invalid(
                name,
                "",
                format!(
                    "$ref `{r}` is not local; only #/components/... references can be imported"
                ),
            ));
        };
        let tokens: Vec<String> = ptr
            .strip_prefix('/')
            .unwrap_or_default()
            .split('/')
            .map(prep::unescape_token)
            .collect();
        if tokens.len() != 3 || tokens[0] != "components" {
            // A reference into another part of the document (e.g. a path
            // item): it resolves in the source but cannot be carried over.
            return Err(Error::invalid(
                name,
                "",
                format!(
                    "$ref `{r}` does not point at a component (#/components/<kind>/<name>); it cannot be imported"
                ),
            ));
        }
        let value = source.pointer(ptr).cloned().ok_or_else(|| {
            Error::invalid(
                name,
                ptr,
                format!("$ref `{r}` does not resolve in this document"),
            )
        })?;
        let mut nested = Vec::new();
        collect_refs(&value, &mut nested);
        refs.extend(nested.into_iter().filter(|n| !done.contains(n)));
        let components = mapping_entry(
            target,
            "components",
            "/components",
            "`components` is not a mapping",
        )?;
        let kind = mapping_entry(
            components,
            &tokens[1],
            &prep::child("/components", &tokens[1]),
            "not a mapping",
        )?;
        kind.insert(tokens[2].clone(), value);
    }
    Ok(())
}

/// What [`import`] should do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec to merge into, e.g. `openapi/sandbox-kyc.json`. Its folder's
    /// `overrides/` are checked. Created when missing (from the first
    /// source's `openapi`, `info` and `servers`).
    pub target: PathBuf,
    /// Write even when the change report has breaking changes.
    pub accept_breaking: bool,
    /// Validate and report, but do not write.
    pub dry_run: bool,
}

/// What [`import`] did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The change report (target before -> after).
    pub report: Report,
    /// Imported operations, `(METHOD, path)`, in source order.
    pub imported: Vec<(String, String)>,
    /// Whether the target file was (re)written. `false` when nothing changed
    /// byte-wise, or on a dry run.
    pub written: bool,
    /// The target's new contents (also on a dry run).
    pub text: String,
}

/// Import `sources` into `options.target`. On error the target is unchanged.
pub fn import(sources: &[PathBuf], options: &Options) -> Result<Outcome, Error> {
    if sources.is_empty() {
        return Err(Error::invalid("(arguments)", "", "no files to import"));
    }
    let mut docs = Vec::new();
    for s in sources {
        docs.extend(read_sources(s)?);
    }
    let target = &options.target;
    let target_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = !files::is_yaml(target);
    let (original, old) = if target.exists() {
        let text = files::read_text(target)?;
        let doc = files::parse_document(&text, json, &target.display().to_string())?;
        (Some(text), doc)
    } else {
        (None, skeleton(&docs[0].doc))
    };

    let mut new = old.clone();
    let mut imported = Vec::new();
    for s in &docs {
        imported.extend(merge(&mut new, &s.doc, &s.name)?);
    }

    validate(&new, target, &target_name)?;

    let selection =
        Selection::for_file(&target_name).unwrap_or_else(|| Selection::detect(&[&old, &new]));
    let report = diff::diff(&old, &new, selection, &target_name, &target_name)?;
    if report.has_breaking() && !options.accept_breaking {
        return Err(Error::Breaking(Box::new(report)));
    }

    let text = files::render(&new, json).map_err(|m| Error::Io {
        path: target.display().to_string(),
        message: format!("cannot serialise: {m}"),
    })?;
    let changed = original.as_deref() != Some(text.as_str());
    let written = changed && !options.dry_run;
    if written {
        files::write_atomic(target, text.as_bytes())?;
    }
    Ok(Outcome {
        report,
        imported,
        written,
        text,
    })
}

/// A new, empty target modelled on the first source.
fn skeleton(first: &Value) -> Value {
    let mut m = Map::new();
    for k in ["openapi", "info", "servers"] {
        if let Some(v) = first.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    m.insert("paths".into(), Value::Object(Map::new()));
    Value::Object(m)
}

/// The mapping under `key` of `parent` in the target, created empty when
/// absent; `message` at `pointer` when the target has something else there.
fn mapping_entry<'a>(
    parent: &'a mut Map<String, Value>,
    key: &str,
    pointer: &str,
    message: &str,
) -> Result<&'a mut Map<String, Value>, Error> {
    parent
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| Error::invalid("target", pointer, message))
}

/// Everything `build.rs` would object to, before anything is written.
fn validate(doc: &Value, target: &Path, target_name: &str) -> Result<(), Error> {
    // Version and references of the merged document.
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") || v.starts_with("3.1.") => {}
        _ => {
            return Err(Error::invalid(
                target_name,
                "/openapi",
                "the target is not an OpenAPI 3.0/3.1 document",
            ));
        }
    }
    no_dangling_refs(doc, target_name, "after the merge")?;
    // Selection and naming (duplicate operationIds, malformed operations).
    let provider = prep::provider_of(target_name);
    let mut selected = doc.clone();
    prep::normalize(&mut selected);
    let sandbox = match provider {
        Some(prep::Provider::Sandbox) => true,
        Some(prep::Provider::Eko) => false,
        None => Selection::detect(&[doc]) == Selection::Sandbox,
    };
    if sandbox && selected.get("paths").is_some() {
        prep::select_sandbox(&mut selected, target_name)?;
    }

    // Overrides next to the target: report every one that no longer applies.
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let overrides = prep::load_overrides(&dir.join("overrides"))?;
    let mut stale = Vec::new();
    for ov in overrides.iter().filter(|o| o.target == target_name) {
        if let Err(e) = prep::apply_override(&mut selected, ov) {
            stale.push(SpecError {
                message: format!(
                    "{} [the override exists because: {}] Update or delete the override, then import again.",
                    e.message, ov.reason
                ),
                ..e
            });
        }
    }
    if !stale.is_empty() {
        return Err(Error::Invalid(stale));
    }

    // The bundled pipeline, when the target is part of the bundle.
    if let Some((_, provider, bundle_files)) = prep::BUNDLE
        .iter()
        .find(|(_, _, fs)| fs.contains(&target_name))
        && bundle_files
            .iter()
            .all(|f| *f == target_name || dir.join(f).exists())
    {
        let mut inputs = Vec::new();
        for f in *bundle_files {
            let doc = if *f == target_name {
                doc.clone()
            } else {
                prep::load_file(&dir.join(f), f)?
            };
            inputs.push(prep::Input {
                file: f.to_string(),
                doc,
            });
        }
        prep::prepare(*provider, inputs, &overrides)?;
    }
    Ok(())
}
