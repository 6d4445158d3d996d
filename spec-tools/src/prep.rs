//! Spec preparation shared by `build.rs` and the library.
//!
//! This module turns the bundled OpenAPI documents into what progenitor 0.15
//! accepts, in a fixed order:
//!
//! 1. [`normalize`]: OpenAPI 3.1 constructs rewritten to 3.0.3 ones;
//! 2. [`select_sandbox`]: only the DigiLocker, DigiLocker SDK, EntityLocker
//!    (and EntityLocker SDK) operations plus `POST /authenticate` are kept, and
//!    every kept operation gets a stable, unique operationId derived from its
//!    method and path (so two versions of the upstream file name the same
//!    operation the same way);
//! 3. [`apply_override`]: local corrections from `openapi/overrides/`;
//! 4. [`extract_any_of`]: required-only `anyOf` blocks are removed from request
//!    bodies and returned as data for the facade to enforce;
//! 5. [`strip_error_responses`]: non-2xx responses are removed from operations
//!    (the facade decodes the error envelopes itself, uniformly);
//! 6. [`open_response_enums`]: string enums inside responses become plain
//!    strings, so a new value from the provider never breaks decoding.
//!
//! Files are read by [`load_file`]: JSON by `serde_json`, YAML by
//! [`parse_yaml`], the one YAML reader of the build script and the tools.

// build.rs includes this file but uses only the pipeline; the library
// exposes all of it as `spec::prep`, where nothing is dead.

use serde_json::{Map, Number, Value};
use std::fmt;

/// HTTP methods that can carry an operation in an OpenAPI path item.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operationId of an operation, `""` when it has none.
fn operation_id(op: &Value) -> &str {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Call `f(path, method, operationId, operation)` on every operation of the
/// document, in document order (the operationId is `""` when missing).
fn for_each_operation(doc: &Value, mut f: impl FnMut(&str, &str, &str, &Value)) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                f(path, method, operation_id(op), op);
            }
        }
    }
}

/// [`for_each_operation`] for the steps that change the operations.
fn for_each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &str, &str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(*method) {
                let id = operation_id(op).to_string();
                f(path, method, &id, op);
            }
        }
    }
}

/// A problem in a spec, located by file and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file the problem is in (as given by the caller).
    pub file: String,
    /// RFC 6901 JSON pointer to the offending value ("" for the whole file).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document root)"
        } else {
            &self.pointer
        };
        write!(f, "{} at {}: {}", self.file, pointer, self.message)
    }
}

impl std::error::Error for SpecError {}

fn err(file: &str, pointer: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        file: file.to_string(),
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// Escape one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undo [`escape_token`].
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Join a pointer and a token.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

// ---------------------------------------------------------------------------
// Walking schemas
// ---------------------------------------------------------------------------

/// Where a schema sits in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaSite {
    /// `components.schemas`.
    Component,
    /// A parameter's schema.
    Parameter,
    /// A request body schema.
    Request,
    /// A response schema.
    Response,
}

/// A callback for [`walk_schemas`]: the schema object, its JSON pointer and
/// its site.
pub type SchemaVisitor<'a> = dyn FnMut(&mut Map<String, Value>, &str, SchemaSite) + 'a;

/// Call `f` on every schema object of the document, nested ones included,
/// with its JSON pointer and site. Data (`example`, `examples`, `default`,
/// `enum`) is never visited.
pub fn walk_schemas(doc: &mut Value, f: &mut SchemaVisitor<'_>) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_ptr = child("/paths", path);
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            if let Some(params) = item.get_mut("parameters") {
                walk_parameters(params, &child(&item_ptr, "parameters"), f);
            }
            for method in METHODS {
                if let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) {
                    walk_operation(op, &child(&item_ptr, method), f);
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, schema) in schemas.iter_mut() {
                walk_schema(
                    schema,
                    &child("/components/schemas", name),
                    SchemaSite::Component,
                    f,
                );
            }
        }
        if let Some(params) = components
            .get_mut("parameters")
            .and_then(Value::as_object_mut)
        {
            for (name, p) in params.iter_mut() {
                if let Some(s) = p.get_mut("schema") {
                    let ptr = child(&child("/components/parameters", name), "schema");
                    walk_schema(s, &ptr, SchemaSite::Parameter, f);
                }
            }
        }
        for (kind, site) in [
            ("responses", SchemaSite::Response),
            ("requestBodies", SchemaSite::Request),
        ] {
            let Some(holders) = components.get_mut(kind).and_then(Value::as_object_mut) else {
                continue;
            };
            let kind_ptr = child("/components", kind);
            for (name, holder) in holders.iter_mut() {
                walk_content(holder, &child(&kind_ptr, name), site, f);
            }
        }
    }
}

fn walk_parameters(params: &mut Value, ptr: &str, f: &mut SchemaVisitor<'_>) {
    if let Some(list) = params.as_array_mut() {
        for (i, p) in list.iter_mut().enumerate() {
            if let Some(s) = p.get_mut("schema") {
                let sp = child(&child(ptr, &i.to_string()), "schema");
                walk_schema(s, &sp, SchemaSite::Parameter, f);
            }
        }
    }
}

fn walk_operation(op: &mut Map<String, Value>, ptr: &str, f: &mut SchemaVisitor<'_>) {
    if let Some(params) = op.get_mut("parameters") {
        walk_parameters(params, &child(ptr, "parameters"), f);
    }
    if let Some(body) = op.get_mut("requestBody") {
        walk_content(body, &child(ptr, "requestBody"), SchemaSite::Request, f);
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, r) in responses.iter_mut() {
            walk_content(
                r,
                &child(&child(ptr, "responses"), status),
                SchemaSite::Response,
                f,
            );
        }
    }
}

fn walk_content(holder: &mut Value, ptr: &str, site: SchemaSite, f: &mut SchemaVisitor<'_>) {
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        for (mt, media) in content.iter_mut() {
            if let Some(s) = media.get_mut("schema") {
                let sp = child(&child(&child(ptr, "content"), mt), "schema");
                walk_schema(s, &sp, site, f);
            }
        }
    }
}

fn walk_schema(schema: &mut Value, ptr: &str, site: SchemaSite, f: &mut SchemaVisitor<'_>) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    f(obj, ptr, site);
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, p) in props.iter_mut() {
            walk_schema(p, &child(&child(ptr, "properties"), name), site, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(s) = obj.get_mut(key)
            && s.is_object()
        {
            walk_schema(s, &child(ptr, key), site, f);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for (i, s) in list.iter_mut().enumerate() {
                walk_schema(s, &child(&child(ptr, key), &i.to_string()), site, f);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 1. OpenAPI 3.1 -> 3.0.3
// ---------------------------------------------------------------------------

/// Keywords of JSON Schema 2020-12 / OpenAPI 3.1 that have no 3.0 meaning
/// and are dropped.
const DROPPED_SCHEMA_KEYS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$dynamicAnchor",
    "contentMediaType",
    "contentEncoding",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "prefixItems",
    "propertyNames",
];

/// Rewrite OpenAPI 3.1 constructs to their 3.0.3 equivalents, in place.
/// Returns one line per change (pointer and what was done).
pub fn normalize(doc: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    if let Some(v) = doc.get("openapi").and_then(Value::as_str)
        && !v.starts_with("3.0.")
    {
        changes.push(format!("/openapi: {v} -> 3.0.3"));
        doc["openapi"] = Value::String("3.0.3".into());
    }
    if let Some(top) = doc.as_object_mut() {
        for key in ["webhooks", "jsonSchemaDialect"] {
            if top.remove(key).is_some() {
                changes.push(format!("/{key}: dropped (3.1 only)"));
            }
        }
        if let Some(info) = top.get_mut("info").and_then(Value::as_object_mut) {
            if info.remove("summary").is_some() {
                changes.push("/info/summary: dropped (3.1 only)".into());
            }
            if let Some(lic) = info.get_mut("license").and_then(Value::as_object_mut)
                && lic.remove("identifier").is_some()
            {
                changes.push("/info/license/identifier: dropped (3.1 only)".into());
            }
        }
    }
    walk_schemas(doc, &mut |s, ptr, _| normalize_schema(s, ptr, &mut changes));
    changes
}

fn normalize_schema(s: &mut Map<String, Value>, ptr: &str, changes: &mut Vec<String>) {
    for key in DROPPED_SCHEMA_KEYS {
        if s.remove(*key).is_some() {
            changes.push(format!("{ptr}/{key}: dropped (no 3.0 equivalent)"));
        }
    }
    if let Some(c) = s.remove("const") {
        changes.push(format!("{ptr}/const: -> single-value enum"));
        s.insert("enum".into(), Value::Array(vec![c]));
    }
    if let Some(Value::Array(types)) = s.get("type").cloned() {
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        match rest.len() {
            0 => {
                s.remove("type");
            }
            1 => {
                s.insert("type".into(), rest[0].clone());
            }
            _ => {
                s.remove("type");
                let alternatives = rest
                    .into_iter()
                    .map(|t| Value::Object(Map::from_iter([("type".to_string(), t)])))
                    .collect();
                s.insert("anyOf".into(), Value::Array(alternatives));
            }
        }
        if nullable {
            s.insert("nullable".into(), Value::Bool(true));
        }
        changes.push(format!("{ptr}/type: type array -> 3.0 form"));
    }
    if s.get("type").and_then(Value::as_str) == Some("null") {
        s.remove("type");
        s.insert("nullable".into(), Value::Bool(true));
        s.insert("enum".into(), Value::Array(vec![Value::Null]));
        changes.push(format!("{ptr}/type: 'null' -> nullable enum [null]"));
    }
    for (excl, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = s.get(excl).filter(|v| v.is_number()).cloned() {
            s.insert(bound.into(), n);
            s.insert(excl.into(), Value::Bool(true));
            changes.push(format!("{ptr}/{excl}: numeric -> boolean + {bound}"));
        }
    }
    if let Some(Value::Array(examples)) = s.get("examples").cloned() {
        s.remove("examples");
        if let Some(first) = examples.into_iter().next() {
            s.entry("example").or_insert(first);
        }
        changes.push(format!("{ptr}/examples: array -> example"));
    }
}

// ---------------------------------------------------------------------------
// 2. Selection and operation ids
// ---------------------------------------------------------------------------

/// The Sandbox product groups the crate generates, by path prefix.
pub const SANDBOX_GROUPS: &[(&str, &str)] = &[
    ("/kyc/digilocker/", "digilocker"),
    ("/kyc/digilocker-sdk/", "digilocker_sdk"),
    ("/kyc/entitylocker/", "entitylocker"),
    ("/kyc/entitylocker-sdk/", "entitylocker_sdk"),
];

/// The operationId this crate uses for a Sandbox operation, or `None` when the
/// operation is not one the crate generates. Derived from method and path
/// only, so it does not depend on what (if anything) upstream calls it.
pub fn sandbox_operation_id(method: &str, path: &str) -> Option<String> {
    if path == "/authenticate" && method == "post" {
        return Some("authenticate".into());
    }
    let (prefix, group) = SANDBOX_GROUPS.iter().find(|(p, _)| path.starts_with(p))?;
    let rest = &path[prefix.len()..];
    let action = match (method, rest) {
        ("post", "user/verify") => "verify_user_account".to_string(),
        ("post", "sessions/init") => "initiate_session".to_string(),
        ("post", "sessions/create") => "create_session".to_string(),
        ("get", "sessions/{session_id}/status") => "get_session_status".to_string(),
        ("get", "sessions/{session_id}/documents/{doc_type}") => "get_document".to_string(),
        ("get", "sessions/{session_id}/user/profile") => "get_user_profile".to_string(),
        ("get", "sessions/{session_id}/entity") => "get_entity_details".to_string(),
        _ => slug(method, rest),
    };
    Some(format!("{group}_{action}"))
}

/// `get` + `sessions/{id}/foo-bar` -> `get_sessions_foo_bar`.
fn slug(method: &str, rest: &str) -> String {
    let mut out = method.to_string();
    for seg in rest.split('/') {
        if seg.is_empty() || seg.starts_with('{') {
            continue;
        }
        out.push('_');
        out.extend(seg.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        }));
    }
    out
}

/// Keep only the operations `name_of` returns a name for, and set their
/// operationIds to that name. Path items left without operations are
/// removed. Returns the kept operations as `(operationId, METHOD, path)`,
/// sorted by operationId.
pub fn select_operations(
    doc: &mut Value,
    file: &str,
    name_of: &dyn Fn(&str, &str) -> Option<String>,
) -> Result<Vec<(String, String, String)>, SpecError> {
    let mut kept = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err(err(file, "/paths", "the document has no paths object"));
    };
    let mut empty = Vec::new();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            return Err(err(
                file,
                &child("/paths", path),
                "a path item must be an object",
            ));
        };
        for method in METHODS {
            let Some(op) = item.get_mut(*method) else {
                continue;
            };
            match name_of(method, path) {
                Some(id) => {
                    let Some(op) = op.as_object_mut() else {
                        return Err(err(
                            file,
                            &child(&child("/paths", path), method),
                            "an operation must be an object",
                        ));
                    };
                    op.insert("operationId".into(), Value::String(id.clone()));
                    kept.push((id, method.to_uppercase(), path.clone()));
                }
                None => {
                    item.remove(*method);
                }
            }
        }
        if !METHODS.iter().any(|m| item.contains_key(*m)) {
            empty.push(path.clone());
        }
    }
    for p in empty {
        paths.remove(&p);
    }
    kept.sort();
    for w in kept.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(err(
                file,
                &child("/paths", &w[1].2),
                format!(
                    "operationId {} is used by both {} {} and {} {}",
                    w[0].0, w[0].1, w[0].2, w[1].1, w[1].2
                ),
            ));
        }
    }
    Ok(kept)
}

/// Selection for the Sandbox spec: the DigiLocker family and `/authenticate`.
pub fn select_sandbox(
    doc: &mut Value,
    file: &str,
) -> Result<Vec<(String, String, String)>, SpecError> {
    select_operations(doc, file, &sandbox_operation_id)
}

/// Merge `other`'s paths and components into `doc`. A path+method or a
/// component name present in both is an error.
pub fn merge_into(doc: &mut Value, other: &Value, other_file: &str) -> Result<(), SpecError> {
    merge_level_two(doc, other, "paths", other_file)?;
    merge_level_two(doc, other, "components", other_file)
}

/// Merge `other[key][a][b]` into `doc[key][a][b]` for every `a`, `b`;
/// an entry present in both is an error.
fn merge_level_two(
    doc: &mut Value,
    other: &Value,
    key: &str,
    other_file: &str,
) -> Result<(), SpecError> {
    let Some(groups) = other.get(key).and_then(Value::as_object) else {
        return Ok(());
    };
    let not_object = |ptr: &str| err(other_file, ptr, "expected an object");
    let target = doc
        .as_object_mut()
        .ok_or_else(|| not_object(""))?
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| not_object(&format!("/{key}")))?;
    for (group, entries) in groups {
        let group_ptr = child(&format!("/{key}"), group);
        let entries = entries.as_object().ok_or_else(|| not_object(&group_ptr))?;
        let into = target
            .entry(group.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| not_object(&group_ptr))?;
        for (name, v) in entries {
            if into.contains_key(name) {
                return Err(err(
                    other_file,
                    &child(&group_ptr, name),
                    "defined in both merged documents",
                ));
            }
            into.insert(name.clone(), v.clone());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 3. Overrides (RFC 6902 JSON Patch with a reason)
// ---------------------------------------------------------------------------

/// One local correction to an upstream spec, read from `openapi/overrides/`.
///
/// File format (JSON):
/// ```json
/// { "target": "sandbox-kyc.json",
///   "reason": "why upstream is wrong, with evidence",
///   "patch": [ { "op": "test", "path": "/..", "value": .. },
///              { "op": "replace", "path": "/..", "value": .. } ] }
/// ```
/// The `patch` is an RFC 6902 JSON Patch (`add`, `remove`, `replace`,
/// `test`); paths are relative to the target document *after*
/// normalisation and selection. A `test` that fails means upstream changed
/// under the override, which is reported rather than silently skipped.
#[derive(Debug, Clone)]
pub struct Override {
    /// File name of the override, for messages.
    pub file: String,
    /// File name (in `openapi/`) of the spec it corrects.
    pub target: String,
    /// Why the correction exists.
    pub reason: String,
    /// The JSON Patch operations.
    pub patch: Vec<Value>,
}

impl Override {
    /// Parse an override file's JSON.
    pub fn parse(file: &str, v: &Value) -> Result<Self, SpecError> {
        let target = v
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| err(file, "/target", "missing string `target`"))?;
        let reason = v
            .get("reason")
            .and_then(Value::as_str)
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| err(file, "/reason", "every override must say why it exists"))?;
        let patch = v
            .get("patch")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| err(file, "/patch", "missing non-empty array `patch`"))?;
        Ok(Override {
            file: file.to_string(),
            target: target.to_string(),
            reason: reason.to_string(),
            patch: patch.clone(),
        })
    }
}

fn split_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(unescape_token).collect())
}

/// Apply one override to `doc`. The patch is applied to a copy first, so on
/// error `doc` is unchanged.
pub fn apply_override(doc: &mut Value, ov: &Override) -> Result<(), SpecError> {
    let mut work = doc.clone();
    for (i, op) in ov.patch.iter().enumerate() {
        let at = format!("/patch/{i}");
        let kind = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| err(&ov.file, &at, "operation without `op`"))?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| err(&ov.file, &at, "operation without `path`"))?;
        let tokens = split_pointer(path)
            .ok_or_else(|| err(&ov.file, &at, format!("`{path}` is not a JSON pointer")))?;
        let fail = |m: String| err(&ov.file, &at, format!("{kind} {path}: {m}"));
        match kind {
            "test" => {
                let want = op.get("value").ok_or_else(|| fail("no `value`".into()))?;
                match work.pointer(path) {
                    Some(have) if have == want => {}
                    Some(have) => {
                        return Err(fail(format!(
                            "no longer applies: upstream now has {}",
                            excerpt(&have.to_string(), 160)
                        )));
                    }
                    None => return Err(fail("no longer applies: the target is gone".into())),
                }
            }
            "replace" => {
                let value = op.get("value").ok_or_else(|| fail("no `value`".into()))?;
                let slot = work
                    .pointer_mut(path)
                    .ok_or_else(|| fail("no longer applies: the target is gone".into()))?;
                *slot = value.clone();
            }
            "remove" => {
                let (last, parent) = tokens
                    .split_last()
                    .ok_or_else(|| fail("cannot remove the root".into()))?;
                let parent_ptr = join_pointer(parent);
                let p = work
                    .pointer_mut(&parent_ptr)
                    .ok_or_else(|| fail("no longer applies: the target is gone".into()))?;
                match p {
                    Value::Object(m) => {
                        m.remove(last)
                            .ok_or_else(|| fail("no longer applies: the target is gone".into()))?;
                    }
                    Value::Array(a) => {
                        let idx: usize = last
                            .parse()
                            .ok()
                            .filter(|i| *i < a.len())
                            .ok_or_else(|| fail("array index out of range".into()))?;
                        a.remove(idx);
                    }
                    _ => return Err(fail("parent is not a container".into())),
                }
            }
            "add" => {
                let value = op.get("value").ok_or_else(|| fail("no `value`".into()))?;
                let (last, parent) = tokens
                    .split_last()
                    .ok_or_else(|| fail("cannot add at the root".into()))?;
                let parent_ptr = join_pointer(parent);
                let p = work
                    .pointer_mut(&parent_ptr)
                    .ok_or_else(|| fail("no longer applies: the parent is gone".into()))?;
                match p {
                    Value::Object(m) => {
                        m.insert(last.clone(), value.clone());
                    }
                    Value::Array(a) => {
                        if last == "-" {
                            a.push(value.clone());
                        } else {
                            let idx: usize = last
                                .parse()
                                .ok()
                                .filter(|i| *i <= a.len())
                                .ok_or_else(|| fail("array index out of range".into()))?;
                            a.insert(idx, value.clone());
                        }
                    }
                    _ => return Err(fail("parent is not a container".into())),
                }
            }
            other => {
                return Err(err(
                    &ov.file,
                    &at,
                    format!("unsupported op `{other}` (use add, remove, replace or test)"),
                ));
            }
        }
    }
    *doc = work;
    Ok(())
}

fn join_pointer(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", escape_token(t)))
        .collect()
}

/// At most `max` characters of `s`, on a character boundary, with an ellipsis
/// when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

// ---------------------------------------------------------------------------
// 4. anyOf-of-required extraction
// ---------------------------------------------------------------------------

/// A rule "at least one of these groups of fields must all be present",
/// lifted out of a request body schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyOfRule {
    /// The operation whose request body carried the rule.
    pub operation_id: String,
    /// JSON pointer of the body schema in the normalised spec.
    pub pointer: String,
    /// Each alternative is a list of field names that must all be present.
    pub alternatives: Vec<Vec<String>>,
}

/// Remove every top-level `anyOf` whose branches only list `required` fields
/// from request body schemas, and return them as rules.
pub fn extract_any_of(doc: &mut Value) -> Vec<AnyOfRule> {
    let mut rules = Vec::new();
    for_each_operation_mut(doc, |path, method, op_id, op| {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (mt, media) in content.iter_mut() {
            let Some(schema) = media.get_mut("schema").and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(Value::Array(branches)) = schema.get("anyOf") else {
                continue;
            };
            let required_only = branches.iter().all(|b| {
                b.as_object().is_some_and(|o| {
                    o.contains_key("required")
                        && o.keys()
                            .all(|k| matches!(k.as_str(), "required" | "title" | "description"))
                })
            });
            if !required_only {
                continue;
            }
            let alternatives = branches
                .iter()
                .map(|b| {
                    b["required"]
                        .as_array()
                        .map(|r| {
                            r.iter()
                                .filter_map(|s| s.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            schema.remove("anyOf");
            let pointer = format!(
                "{}/requestBody/content/{}/schema",
                child(&child("/paths", path), method),
                escape_token(mt)
            );
            rules.push(AnyOfRule {
                operation_id: op_id.to_string(),
                pointer,
                alternatives,
            });
        }
    });
    rules.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    rules
}

// ---------------------------------------------------------------------------
// 5. Error responses
// ---------------------------------------------------------------------------

/// A documented non-2xx response removed from an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The operation it belonged to.
    pub operation_id: String,
    /// The HTTP status as written in the spec.
    pub status: String,
}

/// Header parameters the runtime sets itself, from its configuration and on
/// every attempt: credentials, signatures, the API version and the body's
/// content type. Compared without regard to case.
pub const RUNTIME_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "x-api-secret",
    "x-api-version",
    "content-type",
    "developer_key",
    "secret-key",
    "secret-key-timestamp",
];

/// A header parameter an operation documents and the runtime sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParam {
    /// The operation.
    pub operation_id: String,
    /// The header name as documented, lower-cased.
    pub name: String,
    /// Whether the operation requires it.
    pub required: bool,
    /// The one value its schema allows (`enum` of one, or `default`).
    pub value: Option<String>,
}

/// Remove the [`RUNTIME_HEADERS`] parameters from every operation (inline or
/// through `#/components/parameters`) and list them, so that the generated
/// builders have no credential methods and the runtime knows what each
/// operation requires. Components no operation refers to any more are
/// removed too.
pub fn strip_runtime_headers(doc: &mut Value) -> Vec<HeaderParam> {
    let components = doc
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(Value::Null);
    let resolve = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix("#/components/parameters/")
                .and_then(|name| components.get(unescape_token(name)))
                .cloned()
                .unwrap_or(Value::Null),
            None => p.clone(),
        }
    };
    let mut found = Vec::new();
    let mut still_used = std::collections::BTreeSet::new();
    for_each_operation_mut(doc, |_, _, op_id, op| {
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            return;
        };
        params.retain(|p| {
            let param = resolve(p);
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let is_runtime = param.get("in").and_then(Value::as_str) == Some("header")
                && RUNTIME_HEADERS.contains(&name.as_str());
            if !is_runtime {
                if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                    still_used.insert(r.to_string());
                }
                return true;
            }
            let schema = param.get("schema");
            let value = schema
                .and_then(|s| s.get("enum"))
                .and_then(Value::as_array)
                .filter(|e| e.len() == 1)
                .and_then(|e| e[0].as_str())
                .or_else(|| {
                    schema
                        .and_then(|s| s.get("default"))
                        .and_then(Value::as_str)
                })
                .map(str::to_string);
            found.push(HeaderParam {
                operation_id: op_id.to_string(),
                name,
                required: param.get("required").and_then(Value::as_bool) == Some(true),
                value,
            });
            false
        });
        if params.is_empty()
            && let Some(o) = op.as_object_mut()
        {
            o.remove("parameters");
        }
    });
    if let Some(c) = doc
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        c.retain(|name, _| {
            still_used.contains(&format!("#/components/parameters/{}", escape_token(name)))
        });
    }
    found
}

/// A schema as a comparable string: without prose (`description`, `title`)
/// and examples, `required` in sorted order, keys sorted. Two schemas with
/// the same form describe the same values.
fn canonical_form(schema: &Value) -> String {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut out: Vec<(String, Value)> = m
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "description" | "title" | "example" | "examples")
                    })
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v) {
                            ("required", Value::Array(items)) => {
                                let mut names: Vec<Value> = items.clone();
                                names.sort_by_key(|a| a.to_string());
                                Value::Array(names)
                            }
                            _ => strip(v),
                        };
                        (k.clone(), v)
                    })
                    .collect();
                out.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(out.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(schema).to_string()
}

/// Hoist success response schemas that several operations share (the
/// same form: prose and examples aside, `required` sorted) into `components/schemas`, so that one
/// generated type serves each shape. Each component is named after the
/// words the operationIds end with in common (`digilocker_get_document`,
/// `entitylocker_get_document` -> `GetDocumentResponse`), or after the
/// first operation when they share none or the name is taken. Returns
/// `(name, operationIds)` per hoisted schema.
pub fn hoist_shared_responses(doc: &mut Value) -> Vec<(String, Vec<String>)> {
    /// Schemas of one form: the form, the first schema, and where each
    /// stands (`(JSON pointer, operationId)`), in document order.
    type Group = (String, Value, Vec<(String, String)>);
    let mut groups: Vec<Group> = Vec::new();
    for_each_operation(doc, |path, method, op_id, op| {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return;
        };
        for (status, response) in responses {
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            if !status.starts_with('2') || schema.get("$ref").is_some() {
                continue;
            }
            let pointer = format!(
                "/paths/{}/{method}/responses/{}/content/application~1json/schema",
                escape_token(path),
                escape_token(status)
            );
            let form = canonical_form(schema);
            match groups.iter_mut().find(|g| g.0 == form) {
                Some(g) => g.2.push((pointer, op_id.to_string())),
                None => groups.push((form, schema.clone(), vec![(pointer, op_id.to_string())])),
            }
        }
    });
    let mut hoisted = Vec::new();
    for (_, schema, members) in groups.into_iter().filter(|g| g.2.len() > 1) {
        let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
        let taken = |name: &str| {
            doc.pointer(&format!("/components/schemas/{}", escape_token(name)))
                .is_some()
        };
        let common = common_word_suffix(&ids);
        let name = Some(format!("{}Response", pascal(&common)))
            .filter(|n| !common.is_empty() && !taken(n))
            .unwrap_or_else(|| format!("{}SharedResponse", pascal(ids[0])));
        if let Some(schemas) = doc
            .as_object_mut()
            .map(|d| {
                d.entry("components")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .and_then(Value::as_object_mut)
            .map(|c| {
                c.entry("schemas")
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .and_then(Value::as_object_mut)
        {
            schemas.insert(name.clone(), schema);
        }
        let reference =
            serde_json::json!({ "$ref": format!("#/components/schemas/{}", escape_token(&name)) });
        for (pointer, _) in &members {
            if let Some(slot) = doc.pointer_mut(pointer) {
                *slot = reference.clone();
            }
        }
        hoisted.push((name, ids.iter().map(|s| s.to_string()).collect()));
    }
    hoisted
}

/// The `_`-separated words every id ends with (`a_get_x`, `b_sdk_get_x`
/// -> `get_x`).
fn common_word_suffix(ids: &[&str]) -> String {
    let split: Vec<Vec<&str>> = ids.iter().map(|id| id.split('_').rev().collect()).collect();
    let mut words = Vec::new();
    for i in 0.. {
        let Some(w) = split[0].get(i) else { break };
        if split.iter().all(|s| s.get(i) == Some(w)) {
            words.push(*w);
        } else {
            break;
        }
    }
    words.reverse();
    words.join("_")
}

/// Remove non-2xx responses from every operation (the facade decodes error
/// envelopes itself) and list what was removed.
pub fn strip_error_responses(doc: &mut Value) -> Vec<ErrorResponse> {
    let mut removed = Vec::new();
    for_each_operation_mut(doc, |_, _, op_id, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        let errors: Vec<String> = responses
            .keys()
            .filter(|s| !s.starts_with('2'))
            .cloned()
            .collect();
        for status in errors {
            responses.remove(&status);
            removed.push(ErrorResponse {
                operation_id: op_id.to_string(),
                status,
            });
        }
    });
    removed.sort_by(|a, b| (&a.operation_id, &a.status).cmp(&(&b.operation_id, &b.status)));
    removed
}

// ---------------------------------------------------------------------------
// 6. Open response enums
// ---------------------------------------------------------------------------

/// Turn string enums (and `uuid`/`date` formats) inside response schemas
/// into plain strings, keeping the documented values in the description. The facade maps the strings to its
/// own enums, which have an `Unknown(String)` variant. Returns the pointers
/// of the enums opened.
pub fn open_response_enums(doc: &mut Value) -> Vec<String> {
    let mut opened = Vec::new();
    walk_schemas(doc, &mut |s, ptr, site| {
        if site != SchemaSite::Response {
            return;
        }
        if s.get("type").and_then(Value::as_str) != Some("string") {
            return;
        }
        // A value the provider calls a uuid or a date is still kept as text:
        // one odd value must not make the whole response undecodable.
        if matches!(
            s.get("format").and_then(Value::as_str),
            Some("uuid" | "date" | "date-time")
        ) {
            s.remove("format");
            opened.push(format!("{ptr}/format"));
        }
        let Some(Value::Array(values)) = s.remove("enum") else {
            return;
        };
        let known: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
            .collect();
        let note = format!("Documented values: {}.", known.join(", "));
        let description = match s.get("description").and_then(Value::as_str) {
            Some(d) if !d.is_empty() => format!("{d} {note}"),
            _ => note,
        };
        s.insert("description".into(), Value::String(description));
        opened.push(ptr.to_string());
    });
    opened
}

// ---------------------------------------------------------------------------
// Everything in order
// ---------------------------------------------------------------------------

/// What [`prepare`] did to a spec, for the build report and `spec check`.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// The spec as handed to progenitor.
    pub doc: Value,
    /// `(operationId, METHOD, path)` of every generated operation.
    pub operations: Vec<(String, String, String)>,
    /// 3.1 -> 3.0 rewrites.
    pub normalized: Vec<String>,
    /// Overrides applied, by file name.
    pub overrides: Vec<String>,
    /// Lifted anyOf rules.
    pub any_of: Vec<AnyOfRule>,
    /// Error responses removed from operations.
    pub errors: Vec<ErrorResponse>,
    /// Response enums opened.
    pub opened_enums: Vec<String>,
    /// Credential and content-type header parameters taken out of the
    /// operations (the runtime sets them).
    pub headers: Vec<HeaderParam>,
    /// Success response schemas shared by several operations, hoisted into
    /// `components/schemas`: `(component name, operationIds)`.
    pub shared_responses: Vec<(String, Vec<String>)>,
}

/// An input document: its file name (relative to `openapi/`) and contents.
#[derive(Debug, Clone)]
pub struct Input {
    /// File name, for messages and override targets.
    pub file: String,
    /// Parsed contents.
    pub doc: Value,
}

/// Which provider a prepared spec is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Sandbox: the first input is the KYC spec; the others (auth, common
    /// components) are merged into it after selection.
    Sandbox,
    /// Eko: a single hand-written document, all operations kept.
    Eko,
}

/// Run the whole pipeline on a provider's inputs: [`assemble`], then
/// operation listing, anyOf extraction, error-response stripping, response
/// enum opening and the `$ref` check.
pub fn prepare(
    provider: Provider,
    inputs: Vec<Input>,
    overrides: &[Override],
) -> Result<Prepared, SpecError> {
    let main_file = inputs.first().map(|i| i.file.clone()).unwrap_or_default();
    let mut out = assemble(provider, inputs, overrides)?;
    // Operation list (and uniqueness) from the merged document.
    out.operations = list_operations(&out.doc, &main_file)?;
    out.any_of = extract_any_of(&mut out.doc);
    out.errors = strip_error_responses(&mut out.doc);
    out.opened_enums = open_response_enums(&mut out.doc);
    out.headers = strip_runtime_headers(&mut out.doc);
    out.shared_responses = hoist_shared_responses(&mut out.doc);
    check_refs(&out.doc, &main_file)?;
    Ok(out)
}

/// The first stages of [`prepare`]: normalisation, selection (Sandbox),
/// overrides and merging of a provider's inputs. The result is the spec *as
/// documented* (after our corrections) but before the code-generation
/// adjustments (anyOf extraction, error-response stripping, open response
/// enums); `spec check` validates examples against it. Only `doc`,
/// `normalized` and `overrides` of the result are filled.
pub fn assemble(
    provider: Provider,
    inputs: Vec<Input>,
    overrides: &[Override],
) -> Result<Prepared, SpecError> {
    let mut inputs = inputs.into_iter();
    let first = inputs
        .next()
        .ok_or_else(|| err("openapi/", "", "no spec files"))?;
    let mut out = Prepared {
        doc: first.doc,
        ..Prepared::default()
    };
    check_version(&out.doc, &first.file)?;
    out.normalized = normalize(&mut out.doc);
    let mut targets = vec![first.file.clone()];
    match provider {
        Provider::Sandbox => {
            select_sandbox(&mut out.doc, &first.file)?;
            apply_overrides_for(&mut out.doc, &first.file, overrides, &mut out.overrides)?;
            for mut input in inputs {
                check_version(&input.doc, &input.file)?;
                out.normalized.extend(normalize(&mut input.doc));
                if input.doc.get("paths").is_some() {
                    select_sandbox(&mut input.doc, &input.file)?;
                }
                apply_overrides_for(&mut input.doc, &input.file, overrides, &mut out.overrides)?;
                merge_into(&mut out.doc, &input.doc, &input.file)?;
                targets.push(input.file);
            }
        }
        Provider::Eko => {
            apply_overrides_for(&mut out.doc, &first.file, overrides, &mut out.overrides)?;
        }
    }
    for ov in overrides {
        if !targets.contains(&ov.target) && provider_of(&ov.target) == Some(provider) {
            return Err(err(
                &ov.file,
                "/target",
                format!("target `{}` is not a bundled spec", ov.target),
            ));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Loading `openapi/`
// ---------------------------------------------------------------------------

/// The bundled spec files per provider, in merge order (the first file is
/// the main spec): `(name, provider, files relative to openapi/)`.
pub const BUNDLE: &[(&str, Provider, &[&str])] = &[
    (
        "sandbox",
        Provider::Sandbox,
        &[
            "sandbox-kyc.json",
            "sandbox-auth.json",
            "sandbox-errors.yaml",
        ],
    ),
    ("eko", Provider::Eko, &["eko-digilocker.yaml"]),
];

/// Parse YAML into a JSON value, keeping key order. Non-string keys (an
/// unquoted `200:` response code) become strings.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    let y: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    yaml_to_json(y)
}

fn yaml_to_json(y: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(
                    Number::from_f64(f).ok_or_else(|| format!("number {n} has no JSON form"))?,
                )
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// Read and parse one spec file: JSON when the name ends in `.json`, YAML
/// otherwise. `file` names it in errors.
pub fn load_file(path: &std::path::Path, file: &str) -> Result<Value, SpecError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| err(file, "", format!("cannot read: {e}")))?;
    let json = file.ends_with(".json");
    let parsed = if json {
        serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())
    } else {
        parse_yaml(&text)
    };
    parsed.map_err(|m| {
        err(
            file,
            "",
            format!("not valid {}: {m}", if json { "JSON" } else { "YAML" }),
        )
    })
}

/// Load a provider's bundled files from `dir` (the `openapi/` folder).
pub fn load_inputs(dir: &std::path::Path, files: &[&str]) -> Result<Vec<Input>, SpecError> {
    files
        .iter()
        .map(|f| {
            Ok(Input {
                file: f.to_string(),
                doc: load_file(&dir.join(f), f)?,
            })
        })
        .collect()
}

/// Load every `*.json` override in `dir` (`openapi/overrides/`), sorted by
/// file name. A missing folder means no overrides.
pub fn load_overrides(dir: &std::path::Path) -> Result<Vec<Override>, SpecError> {
    let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = format!(
                "overrides/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            let v = load_file(p, &name)?;
            Override::parse(&name, &v)
        })
        .collect()
}

/// Which provider an `openapi/` file belongs to, by its name.
pub fn provider_of(file: &str) -> Option<Provider> {
    if file.starts_with("sandbox") {
        Some(Provider::Sandbox)
    } else if file.starts_with("eko") {
        Some(Provider::Eko)
    } else {
        None
    }
}

fn check_version(doc: &Value, file: &str) -> Result<(), SpecError> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") || v.starts_with("3.1.") => Ok(()),
        Some(v) => Err(err(
            file,
            "/openapi",
            format!("unsupported OpenAPI version {v} (3.0.x or 3.1.x expected)"),
        )),
        None => Err(err(
            file,
            "/openapi",
            "not an OpenAPI document (no `openapi` version string)",
        )),
    }
}

fn apply_overrides_for(
    doc: &mut Value,
    file: &str,
    overrides: &[Override],
    applied: &mut Vec<String>,
) -> Result<(), SpecError> {
    for ov in overrides.iter().filter(|o| o.target == file) {
        apply_override(doc, ov)?;
        applied.push(ov.file.clone());
    }
    Ok(())
}

/// `(operationId, METHOD, path)` of every operation, sorted; errors on a
/// missing or duplicated operationId.
pub fn list_operations(
    doc: &Value,
    file: &str,
) -> Result<Vec<(String, String, String)>, SpecError> {
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let ptr = child(&child("/paths", path), method);
                    let id = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .ok_or_else(|| err(file, &ptr, "operation without operationId"))?;
                    ops.push((id.to_string(), method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    ops.sort();
    for w in ops.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(err(
                file,
                &child(&child("/paths", &w[1].2), &w[1].1.to_lowercase()),
                format!("duplicate operationId {}", w[0].0),
            ));
        }
    }
    Ok(ops)
}

/// Every local `$ref` must resolve; returns the first that does not.
pub fn check_refs(doc: &Value, file: &str) -> Result<(), SpecError> {
    let mut problems = Vec::new();
    find_dangling_refs(doc, doc, "", &mut problems);
    match problems.into_iter().next() {
        Some((ptr, target)) => Err(err(file, &ptr, format!("$ref `{target}` does not resolve"))),
        None => Ok(()),
    }
}

/// Collect every `$ref` in `v` that does not resolve in `root`, as
/// `(pointer of the $ref, target)`.
pub fn find_dangling_refs(root: &Value, v: &Value, ptr: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                let p = child(ptr, k);
                if k == "$ref" {
                    if let Some(target) = val.as_str() {
                        let ok = target
                            .strip_prefix('#')
                            .is_some_and(|t| root.pointer(t).is_some());
                        if !ok {
                            out.push((p, target.to_string()));
                        }
                    }
                } else {
                    find_dangling_refs(root, val, &p, out);
                }
            }
        }
        Value::Array(a) => {
            for (i, val) in a.iter().enumerate() {
                find_dangling_refs(root, val, &child(ptr, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

/// `digilocker_get_document` -> `DigilockerGetDocument` (how typify names
/// types derived from an operationId).
pub fn pascal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = true;
    for c in s.chars() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
