//! `digilocker spec check`: the bundled specs are consistent.
//!
//! For each provider, the `openapi/` folder is loaded exactly as `build.rs`
//! loads it ([`files::load_bundle`]) and:
//!
//! 1. the whole [`prep::prepare`] pipeline runs (anything that would stop
//!    the build is a defect: an override that no longer applies, a
//!    duplicated operationId, a dangling `$ref`...);
//! 2. on the spec *as documented* ([`prep::assemble`]: normalised, selected,
//!    with our overrides, before the code-generation adjustments), every
//!    `$ref` must resolve and operationIds must be unique (all defects are
//!    listed, not just the first);
//! 3. every example validates against its schema with a JSON Schema
//!    validator: media-type `example` and `examples[*].value` against the
//!    media type's schema, parameter and header `example`/`examples` against
//!    theirs, and a schema's own `example` against that schema.
//!
//! Examples are checked against the documented schema *after overrides and
//! before response enums are opened*: an example that uses a value outside a
//! documented enum, or breaks a documented pattern, is a defect in the
//! documentation even though the generated client would accept it. The
//! validator is JSON Schema draft 4 (the dialect OpenAPI 3.0 schemas
//! follow), with `nullable: true` translated to a `null` type alternative;
//! `$ref`s resolve against the document's `components`. Formats draft 4
//! knows (`date-time`, `email`, `uri`, ...) are checked; others (`uuid`,
//! `int64`, ...) are annotations.
//!
//! Each defect names the file and a JSON pointer. Pointers refer to the
//! normalised document, which has the same shape as the file for everything
//! examples live in; the file is the bundled file that defines the path or
//! component.

use crate::Error;
use crate::files;
use crate::prep::{self, Input, METHODS, SpecError};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// The outcome of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// Per provider: name, operations, examples validated.
    pub providers: Vec<ProviderSummary>,
    /// Every defect found.
    pub defects: Vec<Defect>,
}

/// What was checked for one provider.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderSummary {
    /// `sandbox` or `eko`.
    pub name: String,
    /// Operations in the documented spec.
    pub operations: usize,
    /// Examples validated.
    pub examples: usize,
}

/// One defect: file, JSON pointer, message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Defect {
    /// File in `openapi/`.
    pub file: String,
    /// JSON pointer (in the normalised document).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl From<SpecError> for Defect {
    fn from(e: SpecError) -> Self {
        Defect {
            file: e.file,
            pointer: e.pointer,
            message: e.message,
        }
    }
}

impl CheckReport {
    /// Whether no defect was found.
    pub fn is_ok(&self) -> bool {
        self.defects.is_empty()
    }

    fn add(&mut self, d: Defect) {
        if !self.defects.contains(&d) {
            self.defects.push(d);
        }
    }

    /// Human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for p in &self.providers {
            let _ = writeln!(
                s,
                "{}: {} operation(s), {} example(s) validated",
                p.name, p.operations, p.examples
            );
        }
        for d in &self.defects {
            let pointer = if d.pointer.is_empty() {
                "(document root)"
            } else {
                &d.pointer
            };
            let _ = writeln!(s, "error: {} at {}: {}", d.file, pointer, d.message);
        }
        if self.defects.is_empty() {
            s.push_str("ok: no defects\n");
        } else {
            let _ = writeln!(s, "{} defect(s)", self.defects.len());
        }
        s
    }
}

/// Check the `openapi/` folder at `dir`.
pub fn check_dir(dir: &Path) -> Result<CheckReport, Error> {
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.display().to_string(),
            message: "not a folder (expected the crate's openapi/ folder)".into(),
        });
    }
    let mut report = CheckReport::default();
    let bundle = match files::load_bundle(dir) {
        Ok(b) => b,
        Err(e) => {
            report.add(e.into());
            return Ok(report);
        }
    };
    for p in &bundle.providers {
        // 1. Exactly what build.rs runs.
        if let Err(e) = prep::prepare(p.provider, p.inputs.clone(), &bundle.overrides) {
            report.add(e.into());
        }
        // 2 and 3. The documented spec.
        let documented = match prep::assemble(p.provider, p.inputs.clone(), &bundle.overrides) {
            Ok(a) => a.doc,
            Err(e) => {
                report.add(e.into());
                continue;
            }
        };
        let locate = |ptr: &str| file_of(&p.inputs, ptr);
        let mut dangling = Vec::new();
        prep::find_dangling_refs(&documented, &documented, "", &mut dangling);
        for (ptr, target) in dangling {
            report.add(Defect {
                file: locate(&ptr),
                message: format!("$ref `{target}` does not resolve"),
                pointer: ptr,
            });
        }
        let mut ids: HashMap<String, Vec<String>> = HashMap::new();
        let mut order = Vec::new();
        if let Some(paths) = documented.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for m in METHODS {
                    let Some(op) = item.get(*m) else { continue };
                    let ptr = prep::child(&prep::child("/paths", path), m);
                    match op.get("operationId").and_then(Value::as_str) {
                        Some(id) => {
                            if !ids.contains_key(id) {
                                order.push(id.to_string());
                            }
                            ids.entry(id.to_string()).or_default().push(ptr);
                        }
                        None => report.add(Defect {
                            file: locate(&ptr),
                            pointer: ptr,
                            message: "operation without operationId".into(),
                        }),
                    }
                }
            }
        }
        for id in &order {
            let ptrs = &ids[id];
            if ptrs.len() > 1 {
                for ptr in ptrs {
                    report.add(Defect {
                        file: locate(ptr),
                        pointer: ptr.clone(),
                        message: format!("operationId `{id}` is used {} times", ptrs.len()),
                    });
                }
            }
        }
        let (count, defects) = check_examples(&documented, &locate);
        for d in defects {
            report.add(d);
        }
        report.providers.push(ProviderSummary {
            name: p.name.to_string(),
            operations: order.len(),
            examples: count,
        });
    }
    Ok(report)
}

/// The bundled file that defines the path or component `ptr` is in.
fn file_of(inputs: &[Input], ptr: &str) -> String {
    let tokens: Vec<String> = ptr
        .split('/')
        .skip(1)
        .take(3)
        .map(prep::unescape_token)
        .collect();
    let found = inputs.iter().find(|i| match tokens.as_slice() {
        [a, p, ..] if a == "paths" => i.doc.get("paths").and_then(|x| x.get(p)).is_some(),
        [a, k, n] if a == "components" => i
            .doc
            .get("components")
            .and_then(|c| c.get(k))
            .and_then(|c| c.get(n))
            .is_some(),
        _ => false,
    });
    found
        .or(inputs.first())
        .map(|i| i.file.clone())
        .unwrap_or_default()
}

/// An example and the schema it must satisfy, as pointers into the document.
struct Site {
    example: String,
    schema: String,
}

/// Validate every example of `doc` against its schema. Returns the number
/// of examples validated and the defects (file chosen by `file_of`).
pub fn check_examples(doc: &Value, file_of: &dyn Fn(&str) -> String) -> (usize, Vec<Defect>) {
    let sites = example_sites(doc);
    let translated = to_json_schema(doc);
    let components = translated.get("components").cloned();
    let mut validators: HashMap<String, Result<jsonschema::Validator, String>> = HashMap::new();
    let mut defects = Vec::new();
    for site in &sites {
        let Some(instance) = doc.pointer(&site.example) else {
            continue;
        };
        let validator = validators.entry(site.schema.clone()).or_insert_with(|| {
            let Some(schema) = translated.pointer(&site.schema) else {
                return Err(format!("no schema at {}", site.schema));
            };
            let mut schema = schema.clone();
            if let (Some(obj), Some(c)) = (schema.as_object_mut(), &components) {
                obj.entry("components").or_insert_with(|| c.clone());
            }
            jsonschema::draft4::options()
                .build(&schema)
                .map_err(|e| e.to_string())
        });
        match validator {
            Err(e) => defects.push(Defect {
                file: file_of(&site.schema),
                pointer: site.schema.clone(),
                message: format!("the schema cannot be used to validate examples: {e}"),
            }),
            Ok(v) => {
                for e in v.iter_errors(instance) {
                    let at = e.instance_path().to_string();
                    let within = if at.is_empty() {
                        String::new()
                    } else {
                        format!(" at {at}")
                    };
                    defects.push(Defect {
                        file: file_of(&site.example),
                        pointer: site.example.clone(),
                        message: format!(
                            "example does not match its schema ({}){within}: {e}",
                            site.schema
                        ),
                    });
                }
            }
        }
    }
    defects.dedup();
    (sites.len(), defects)
}

/// Every example of the document with the schema it must satisfy.
fn example_sites(doc: &Value) -> Vec<Site> {
    let mut sites = Vec::new();
    let get = |p: &str| doc.pointer(p);
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let ip = prep::child("/paths", path);
            param_sites(
                doc,
                item.get("parameters"),
                &prep::child(&ip, "parameters"),
                &mut sites,
            );
            for m in METHODS {
                let Some(op) = item.get(*m) else { continue };
                let op_ptr = prep::child(&ip, m);
                param_sites(
                    doc,
                    op.get("parameters"),
                    &prep::child(&op_ptr, "parameters"),
                    &mut sites,
                );
                let body = prep::child(&op_ptr, "requestBody");
                if get(&body).is_some_and(|b| b.get("$ref").is_none()) {
                    content_sites(doc, &body, &mut sites);
                }
                if let Some(rs) = op.get("responses").and_then(Value::as_object) {
                    for (status, r) in rs {
                        if r.get("$ref").is_some() {
                            continue;
                        }
                        let rp = prep::child(&prep::child(&op_ptr, "responses"), status);
                        content_sites(doc, &rp, &mut sites);
                        header_sites(doc, &rp, &mut sites);
                    }
                }
            }
        }
    }
    if let Some(c) = doc.get("components").and_then(Value::as_object) {
        for (kind, entries) in c {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            for name in entries.keys() {
                let p = prep::child(&prep::child("/components", kind), name);
                match kind.as_str() {
                    "parameters" | "headers" => holder_sites(doc, &p, &mut sites),
                    "requestBodies" => content_sites(doc, &p, &mut sites),
                    "responses" => {
                        content_sites(doc, &p, &mut sites);
                        header_sites(doc, &p, &mut sites);
                    }
                    _ => {}
                }
            }
        }
    }
    // A schema's own example.
    let mut copy = doc.clone();
    prep::walk_schemas(&mut copy, &mut |s, ptr, _| {
        if s.contains_key("example") && !s.contains_key("$ref") {
            sites.push(Site {
                example: format!("{ptr}/example"),
                schema: ptr.to_string(),
            });
        }
    });
    sites
}

fn param_sites(doc: &Value, params: Option<&Value>, ptr: &str, sites: &mut Vec<Site>) {
    let Some(list) = params.and_then(Value::as_array) else {
        return;
    };
    for (i, p) in list.iter().enumerate() {
        if p.get("$ref").is_none() {
            holder_sites(doc, &prep::child(ptr, &i.to_string()), sites);
        }
    }
}

fn header_sites(doc: &Value, response: &str, sites: &mut Vec<Site>) {
    let hp = prep::child(response, "headers");
    if let Some(h) = doc.pointer(&hp).and_then(Value::as_object) {
        for (name, v) in h {
            if v.get("$ref").is_none() {
                holder_sites(doc, &prep::child(&hp, name), sites);
            }
        }
    }
}

/// A parameter or header: `schema` + `example`/`examples`, or `content`.
fn holder_sites(doc: &Value, ptr: &str, sites: &mut Vec<Site>) {
    let Some(h) = doc.pointer(ptr) else { return };
    if h.get("schema").is_some() {
        example_pair(doc, ptr, &prep::child(ptr, "schema"), sites);
    }
    content_sites(doc, ptr, sites);
}

/// `content/*` of a request body, response, parameter or header.
fn content_sites(doc: &Value, holder: &str, sites: &mut Vec<Site>) {
    let cp = prep::child(holder, "content");
    if let Some(content) = doc.pointer(&cp).and_then(Value::as_object) {
        for mt in content.keys() {
            let mp = prep::child(&cp, mt);
            let sp = prep::child(&mp, "schema");
            if doc.pointer(&sp).is_some() {
                example_pair(doc, &mp, &sp, sites);
            }
        }
    }
}

/// `example` and `examples[*].value` of `holder`, against `schema`.
fn example_pair(doc: &Value, holder: &str, schema: &str, sites: &mut Vec<Site>) {
    let ep = prep::child(holder, "example");
    if doc.pointer(&ep).is_some() {
        sites.push(Site {
            example: ep,
            schema: schema.to_string(),
        });
    }
    let esp = prep::child(holder, "examples");
    if let Some(examples) = doc.pointer(&esp).and_then(Value::as_object) {
        for (name, ex) in examples {
            let example = match ex.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#') {
                    Some(t) if doc.pointer(t).is_some() => format!("{t}/value"),
                    _ => continue, // reported as a dangling $ref
                },
                None => prep::child(&prep::child(&esp, name), "value"),
            };
            if doc.pointer(&example).is_some() {
                sites.push(Site {
                    example,
                    schema: schema.to_string(),
                });
            }
        }
    }
}

/// The document with its OpenAPI 3.0 schemas rewritten as JSON Schema
/// draft 4: `nullable: true` becomes a `null` type alternative (and `null`
/// joins an `enum`).
pub fn to_json_schema(doc: &Value) -> Value {
    let mut out = doc.clone();
    prep::walk_schemas(&mut out, &mut |s, _, _| translate(s));
    out
}

fn translate(s: &mut Map<String, Value>) {
    let Some(nullable) = s.remove("nullable") else {
        return;
    };
    if nullable != Value::Bool(true) {
        return;
    }
    match s.get("type").cloned() {
        Some(Value::String(t)) => {
            s.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), Value::String("null".into())]),
            );
            if let Some(Value::Array(e)) = s.get_mut("enum")
                && !e.contains(&Value::Null)
            {
                e.push(Value::Null);
            }
        }
        _ => {
            let inner = std::mem::take(s);
            let null = Map::from_iter([("type".to_string(), Value::String("null".into()))]);
            s.insert(
                "anyOf".into(),
                Value::Array(vec![Value::Object(inner), Value::Object(null)]),
            );
        }
    }
}
