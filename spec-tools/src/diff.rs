//! What changed between two versions of a spec, in our operationIds, and
//! whether each change breaks a caller of our facade.
//!
//! Both documents are normalised ([`prep::normalize`]) and, for Sandbox
//! documents, reduced to the operations the crate generates with
//! [`prep::select_sandbox`], so operations are named by
//! [`prep::sandbox_operation_id`] and identified by method + path across
//! versions (whatever upstream calls them). Other documents (Eko) keep their
//! own operationIds. Overrides are *not* applied: the report is about what
//! the provider changed; `spec import` separately checks that every override
//! still applies.
//!
//! `$ref`s are followed (with a guard against cycles), `allOf` branches are
//! merged into one object view, and `oneOf`/`anyOf` branches are compared by
//! position. Parameters declared on the path item count as parameters of each
//! of its operations.
//!
//! # What is breaking
//!
//! "Breaking" means a caller of the facade (or the facade itself) may stop
//! working unchanged: a request it sends may now be rejected, or a response
//! may no longer carry what it reads. Requests and parameters are judged as
//! inputs, responses as outputs:
//!
//! | change | request / parameter | response |
//! |---|---|---|
//! | operation removed | breaking | breaking |
//! | operation added | - | - |
//! | field or parameter added, optional | no | no (unknown fields are ignored) |
//! | field or parameter added, required | **breaking** | no |
//! | field or parameter removed | **breaking** (it may be sent or set) | **breaking** (it may be read) |
//! | becomes required | **breaking** | no (a stronger promise) |
//! | no longer required | no | **breaking** (generated type becomes `Option`, value may be missing) |
//! | type changed (incl. object/array shape, `oneOf` branch types) | **breaking** | **breaking** |
//! | `format` added or changed | **breaking** (stricter) | no (formats are read as text) |
//! | `format` removed | no | no |
//! | `nullable` added | no | **breaking** (`null` may now arrive) |
//! | `nullable` removed | **breaking** | no |
//! | enum values added | no | no (our response enums are open) |
//! | enum values removed | **breaking** | no |
//! | enum constraint added | **breaking** | no |
//! | enum constraint removed | no (accepts more) | no |
//! | request body added, required | **breaking** | |
//! | request body removed / media type removed | **breaking** | |
//! | success (2xx) response or its media type removed | | **breaking** |
//! | error (non-2xx) response added or removed, or changed inside | | no (the facade decodes errors with its own envelope) |
//! | upstream `operationId` changed | no (we name operations ourselves) | |
//!
//! Generated Rust type changes that are not contract changes are caught by
//! the checked-in surface listing instead (see [`crate::surface`]).

use crate::prep::{self, METHODS, SpecError};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// Which operations of a document are compared, and how they are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// The Sandbox DigiLocker family and `/authenticate`, named by
    /// [`prep::sandbox_operation_id`].
    Sandbox,
    /// Every operation, named by its own operationId (or a method+path slug
    /// when it has none).
    All,
}

impl Selection {
    /// The selection for a bundled file name (`sandbox-*` or `eko-*`).
    pub fn for_file(name: &str) -> Option<Selection> {
        match prep::provider_of(name)? {
            prep::Provider::Sandbox => Some(Selection::Sandbox),
            prep::Provider::Eko => Some(Selection::All),
        }
    }

    /// Sandbox when any document has a path the Sandbox selection keeps,
    /// otherwise All.
    pub fn detect(docs: &[&Value]) -> Selection {
        let sandbox = docs.iter().any(|d| {
            d.get("paths").and_then(Value::as_object).is_some_and(|p| {
                p.iter().any(|(path, item)| {
                    METHODS.iter().any(|m| {
                        item.get(*m).is_some() && prep::sandbox_operation_id(m, path).is_some()
                    })
                })
            })
        });
        if sandbox {
            Selection::Sandbox
        } else {
            Selection::All
        }
    }
}

/// An operation: our operationId, HTTP method (upper case) and path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OpRef {
    /// Our operationId.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
}

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Upstream renamed the operation (informational).
    UpstreamOperationId,
    /// A parameter was added.
    ParameterAdded,
    /// A parameter was removed.
    ParameterRemoved,
    /// A request body was added.
    RequestBodyAdded,
    /// The request body was removed.
    RequestBodyRemoved,
    /// A media type was added to a request body or response.
    MediaTypeAdded,
    /// A media type was removed from a request body or response.
    MediaTypeRemoved,
    /// A response status was added.
    ResponseAdded,
    /// A response status was removed.
    ResponseRemoved,
    /// A field (property) was added.
    FieldAdded,
    /// A field (property) was removed.
    FieldRemoved,
    /// The type (or shape) changed.
    TypeChanged,
    /// The `format` changed, appeared or disappeared.
    FormatChanged,
    /// The field, parameter or body became required.
    NowRequired,
    /// The field, parameter or body is no longer required.
    NoLongerRequired,
    /// `nullable` was added.
    NullableAdded,
    /// `nullable` was removed.
    NullableRemoved,
    /// Enum values were added.
    EnumValuesAdded,
    /// Enum values were removed.
    EnumValuesRemoved,
    /// An enum constraint appeared on a value that had none.
    EnumAdded,
    /// The enum constraint disappeared (any value of the type is allowed).
    EnumRemoved,
}

/// One change to an operation present in both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The operation.
    #[serde(flatten)]
    pub operation: OpRef,
    /// Where: `operation`, `parameter <in> <name>`, `request`, or
    /// `response <status>` (media type appended when not application/json).
    pub location: String,
    /// Field path inside the body or parameter schema: `data.files[].url`
    /// (`items` as `[]`, `additionalProperties` as `{}`, `oneOf` branches as
    /// `<oneOf N>`); empty for the body or parameter itself.
    pub field: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Old and new values, in words.
    pub detail: String,
    /// Whether it breaks a caller (see the module docs).
    pub breaking: bool,
}

/// Everything that changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How operations were selected and named.
    pub selection: Selection,
    /// Operations only in the new version (not breaking).
    pub added: Vec<OpRef>,
    /// Operations only in the old version (breaking).
    pub removed: Vec<OpRef>,
    /// Changes to operations in both, per operation in the new version's
    /// order.
    pub changes: Vec<Change>,
}

impl Report {
    /// Number of breaking changes (removed operations included).
    pub fn breaking_count(&self) -> usize {
        self.removed.len() + self.changes.iter().filter(|c| c.breaking).count()
    }

    /// Whether anything breaking changed.
    pub fn has_breaking(&self) -> bool {
        self.breaking_count() > 0
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changes.is_empty()
    }

    /// The report as JSON: the fields of [`Report`] plus `breaking`, the
    /// number of breaking changes.
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.insert("breaking".into(), self.breaking_count().into());
        }
        v
    }

    /// Human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        if self.is_empty() {
            s.push_str("No changes to the selected operations.\n");
            return s;
        }
        let changed_ops = {
            let mut v: Vec<&OpRef> = self.changes.iter().map(|c| &c.operation).collect();
            v.dedup();
            v
        };
        let _ = writeln!(
            s,
            "{} operation(s) added, {} removed, {} change(s) in {} operation(s); {} breaking",
            self.added.len(),
            self.removed.len(),
            self.changes.len(),
            changed_ops.len(),
            self.breaking_count()
        );
        if !self.added.is_empty() {
            s.push_str("\nAdded operations:\n");
            for o in &self.added {
                let _ = writeln!(s, "  + {}  {} {}", o.operation_id, o.method, o.path);
            }
        }
        if !self.removed.is_empty() {
            s.push_str("\nRemoved operations:\n");
            for o in &self.removed {
                let _ = writeln!(
                    s,
                    "  - {}  {} {}  [BREAKING]",
                    o.operation_id, o.method, o.path
                );
            }
        }
        if !self.changes.is_empty() {
            s.push_str("\nChanged operations:\n");
            let mut current: Option<&OpRef> = None;
            for c in &self.changes {
                if current != Some(&c.operation) {
                    let o = &c.operation;
                    let _ = writeln!(s, "  ~ {}  {} {}", o.operation_id, o.method, o.path);
                    current = Some(&c.operation);
                }
                let mark = if c.breaking { "[BREAKING] " } else { "" };
                let field = if c.field.is_empty() {
                    String::new()
                } else {
                    format!(" {}", c.field)
                };
                let _ = writeln!(s, "      {mark}{}{field}: {}", c.location, c.detail);
            }
        }
        s
    }
}

/// An operation of a normalised document.
struct Op {
    r: OpRef,
    upstream_id: Option<String>,
    params: Vec<Value>,
    op: Value,
}

/// Normalise `doc`, apply `selection` and list its operations. `name` is
/// used in errors.
fn operations(
    doc: &Value,
    selection: Selection,
    name: &str,
) -> Result<(Value, Vec<Op>), SpecError> {
    let mut d = doc.clone();
    prep::normalize(&mut d);
    let upstream: Vec<((String, String), Option<String>)> = list_raw(&d)
        .into_iter()
        .map(|(m, p, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(String::from);
            ((m, p), id)
        })
        .collect();
    if d.get("paths").is_none() {
        return Ok((d, Vec::new()));
    }
    if selection == Selection::Sandbox {
        prep::select_sandbox(&mut d, name)?;
    }
    let mut ops = Vec::new();
    for (method, path, op) in list_raw(&d) {
        let upstream_id = upstream
            .iter()
            .find(|((m, p), _)| *m == method && *p == path)
            .and_then(|(_, id)| id.clone());
        let operation_id = match selection {
            Selection::Sandbox => op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            Selection::All => upstream_id.clone().unwrap_or_else(|| slug(&method, &path)),
        };
        let params = effective_parameters(&d, &path, &op);
        ops.push(Op {
            r: OpRef {
                operation_id,
                method: method.to_uppercase(),
                path,
            },
            upstream_id,
            params,
            op,
        });
    }
    Ok((d, ops))
}

fn slug(method: &str, path: &str) -> String {
    let mut s = method.to_string();
    for seg in path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
    {
        s.push('_');
        s.extend(seg.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        }));
    }
    s
}

/// `(method, path, operation)` in document order.
fn list_raw(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for m in METHODS {
                if let Some(op) = item.get(*m) {
                    out.push((m.to_string(), path.clone(), op.clone()));
                }
            }
        }
    }
    out
}

/// Follow `$ref`s (local only, at most 32 hops). Returns the target and the
/// last reference followed.
pub(crate) fn deref<'a>(root: &'a Value, mut v: &'a Value) -> (&'a Value, Option<String>) {
    let mut last = None;
    for _ in 0..32 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(t) => {
                last = Some(r.to_string());
                v = t;
            }
            None => break,
        }
    }
    (v, last)
}

/// Path-item parameters followed by the operation's own, the operation's
/// winning on the same `in` + `name`; `$ref`s resolved.
pub(crate) fn effective_parameters(doc: &Value, path: &str, op: &Value) -> Vec<Value> {
    let item_params = doc
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|i| i.get("parameters"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let op_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let resolve = |p: &Value| deref(doc, p).0.clone();
    let op_params: Vec<Value> = op_params.iter().map(resolve).collect();
    let mut out: Vec<Value> = item_params
        .iter()
        .map(resolve)
        .filter(|p| !op_params.iter().any(|q| param_key(q) == param_key(p)))
        .collect();
    out.extend(op_params);
    out
}

/// `(in, name)` of a parameter; header names compare case-insensitively.
pub(crate) fn param_key(p: &Value) -> (String, String) {
    let loc = p
        .get("in")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
    let name = if loc == "header" {
        name.to_ascii_lowercase()
    } else {
        name.to_string()
    };
    (loc, name)
}

/// Compare two versions of a spec. `old_name`/`new_name` are used in errors.
pub fn diff(
    old: &Value,
    new: &Value,
    selection: Selection,
    old_name: &str,
    new_name: &str,
) -> Result<Report, SpecError> {
    let (old_doc, old_ops) = operations(old, selection, old_name)?;
    let (new_doc, new_ops) = operations(new, selection, new_name)?;
    let key = |o: &Op| (o.r.method.clone(), o.r.path.clone());
    let mut report = Report {
        selection,
        added: Vec::new(),
        removed: Vec::new(),
        changes: Vec::new(),
    };
    for o in &old_ops {
        if !new_ops.iter().any(|n| key(n) == key(o)) {
            report.removed.push(o.r.clone());
        }
    }
    for n in &new_ops {
        let Some(o) = old_ops.iter().find(|o| key(o) == key(n)) else {
            report.added.push(n.r.clone());
            continue;
        };
        let mut cx = Cx {
            old: &old_doc,
            new: &new_doc,
            op: n.r.clone(),
            changes: Vec::new(),
            seen: Vec::new(),
        };
        cx.operation(o, n);
        report.changes.extend(cx.changes);
    }
    report.added.sort();
    report.removed.sort();
    Ok(report)
}

/// Input (request, parameter) or output (response) side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    In,
    Out,
}

struct Cx<'a> {
    old: &'a Value,
    new: &'a Value,
    op: OpRef,
    changes: Vec<Change>,
    seen: Vec<(String, String)>,
}

fn join(field: &str, name: &str) -> String {
    if field.is_empty() {
        name.to_string()
    } else {
        format!("{field}.{name}")
    }
}

fn list_values(v: &[Value]) -> String {
    v.iter()
        .map(|x| x.as_str().map_or_else(|| x.to_string(), String::from))
        .collect::<Vec<_>>()
        .join(", ")
}

fn required_list(s: &Map<String, Value>) -> Vec<String> {
    s.get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The schema with `$ref`s followed and `allOf` branches merged in.
fn effective(root: &Value, s: &Value, depth: usize) -> (Value, Option<String>) {
    let (s, r) = deref(root, s);
    let Some(obj) = s.as_object() else {
        return (s.clone(), r);
    };
    let Some(Value::Array(branches)) = obj.get("allOf") else {
        return (s.clone(), r);
    };
    let mut out = obj.clone();
    out.remove("allOf");
    if depth > 16 {
        return (Value::Object(out), r);
    }
    for b in branches {
        let (b, _) = effective(root, b, depth + 1);
        let Some(b) = b.as_object() else { continue };
        for (k, v) in b {
            match (k.as_str(), out.get_mut(k)) {
                ("properties", Some(Value::Object(props))) => {
                    if let Some(more) = v.as_object() {
                        for (pk, pv) in more {
                            props.entry(pk.clone()).or_insert_with(|| pv.clone());
                        }
                    }
                }
                ("required", Some(Value::Array(req))) => {
                    for x in v.as_array().into_iter().flatten() {
                        if !req.contains(x) {
                            req.push(x.clone());
                        }
                    }
                }
                (_, Some(_)) => {}
                (_, None) => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    (Value::Object(out), r)
}

/// A short name for a schema's type: `string`, `object`, `array`,
/// `oneOf[integer | string]`, `any`.
pub(crate) fn type_label(root: &Value, s: &Value) -> String {
    let (s, _) = effective(root, s, 0);
    let Some(obj) = s.as_object() else {
        return s.to_string();
    };
    if let Some(t) = obj.get("type") {
        return match t {
            Value::String(t) => t.clone(),
            Value::Array(ts) => list_values(ts).replace(", ", " | "),
            other => other.to_string(),
        };
    }
    if obj.contains_key("properties") {
        return "object".into();
    }
    if obj.contains_key("items") {
        return "array".into();
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(Value::Array(bs)) = obj.get(k) {
            let inner: Vec<String> = bs.iter().map(|b| type_label(root, b)).collect();
            return format!("{k}[{}]", inner.join(" | "));
        }
    }
    "any".into()
}

impl Cx<'_> {
    fn push(
        &mut self,
        location: &str,
        field: &str,
        kind: ChangeKind,
        detail: String,
        breaking: bool,
    ) {
        self.changes.push(Change {
            operation: self.op.clone(),
            location: location.to_string(),
            field: field.to_string(),
            kind,
            detail,
            breaking,
        });
    }

    fn operation(&mut self, o: &Op, n: &Op) {
        if o.upstream_id != n.upstream_id {
            let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "(none)".into());
            self.push(
                "operation",
                "",
                ChangeKind::UpstreamOperationId,
                format!(
                    "upstream operationId {} -> {}",
                    show(&o.upstream_id),
                    show(&n.upstream_id)
                ),
                false,
            );
        }
        self.parameters(&o.params, &n.params);
        self.request_body(o.op.get("requestBody"), n.op.get("requestBody"));
        self.responses(o.op.get("responses"), n.op.get("responses"));
    }

    fn parameters(&mut self, old: &[Value], new: &[Value]) {
        let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let label = |p: &Value| {
            let (loc, _) = param_key(p);
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            format!("parameter {loc} {name}")
        };
        for op in old {
            if !new.iter().any(|np| param_key(np) == param_key(op)) {
                self.push(
                    &label(op),
                    "",
                    ChangeKind::ParameterRemoved,
                    format!(
                        "parameter removed (was {}{})",
                        if required(op) {
                            "required "
                        } else {
                            "optional "
                        },
                        type_label(self.old, op.get("schema").unwrap_or(&Value::Null))
                    ),
                    true,
                );
            }
        }
        for np in new {
            let loc = label(np);
            let Some(op) = old.iter().find(|op| param_key(op) == param_key(np)) else {
                let req = required(np);
                self.push(
                    &loc,
                    "",
                    ChangeKind::ParameterAdded,
                    format!(
                        "parameter added ({}{})",
                        if req { "required " } else { "optional " },
                        type_label(self.new, np.get("schema").unwrap_or(&Value::Null))
                    ),
                    req,
                );
                continue;
            };
            match (required(op), required(np)) {
                (false, true) => self.push(
                    &loc,
                    "",
                    ChangeKind::NowRequired,
                    "parameter is now required".into(),
                    true,
                ),
                (true, false) => self.push(
                    &loc,
                    "",
                    ChangeKind::NoLongerRequired,
                    "parameter is no longer required".into(),
                    false,
                ),
                _ => {}
            }
            if let (Some(os), Some(ns)) = (op.get("schema"), np.get("schema")) {
                self.schema(&loc, "", os, ns, Dir::In);
            }
        }
    }

    fn request_body(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let old = old.map(|b| deref(self.old, b).0);
        let new = new.map(|b| deref(self.new, b).0);
        let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
        match (old, new) {
            (None, None) => {}
            (Some(_), None) => self.push(
                "request",
                "",
                ChangeKind::RequestBodyRemoved,
                "request body removed".into(),
                true,
            ),
            (None, Some(n)) => {
                let req = required(n);
                self.push(
                    "request",
                    "",
                    ChangeKind::RequestBodyAdded,
                    format!(
                        "request body added ({})",
                        if req { "required" } else { "optional" }
                    ),
                    req,
                );
            }
            (Some(o), Some(n)) => {
                match (required(o), required(n)) {
                    (false, true) => self.push(
                        "request",
                        "",
                        ChangeKind::NowRequired,
                        "request body is now required".into(),
                        true,
                    ),
                    (true, false) => self.push(
                        "request",
                        "",
                        ChangeKind::NoLongerRequired,
                        "request body is no longer required".into(),
                        false,
                    ),
                    _ => {}
                }
                self.content("request", o.get("content"), n.get("content"), Dir::In, true);
            }
        }
    }

    fn responses(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let empty = Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        for status in old.keys() {
            if !new.contains_key(status) {
                let success = status.starts_with('2');
                self.push(
                    &format!("response {status}"),
                    "",
                    ChangeKind::ResponseRemoved,
                    "response removed".into(),
                    success,
                );
            }
        }
        for (status, n) in new {
            let loc = format!("response {status}");
            let Some(o) = old.get(status) else {
                self.push(
                    &loc,
                    "",
                    ChangeKind::ResponseAdded,
                    "response added".into(),
                    false,
                );
                continue;
            };
            let o = deref(self.old, o).0;
            let n = deref(self.new, n).0;
            let success = status.starts_with('2');
            self.content(&loc, o.get("content"), n.get("content"), Dir::Out, success);
        }
    }

    /// Compare media types of a body. `matters`: whether removing a media
    /// type is breaking (request bodies and success responses).
    fn content(
        &mut self,
        loc: &str,
        old: Option<&Value>,
        new: Option<&Value>,
        dir: Dir,
        matters: bool,
    ) {
        let empty = Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        let at = |mt: &str| {
            if mt == "application/json" {
                loc.to_string()
            } else {
                format!("{loc} {mt}")
            }
        };
        for mt in old.keys() {
            if !new.contains_key(mt) {
                self.push(
                    &at(mt),
                    "",
                    ChangeKind::MediaTypeRemoved,
                    format!("media type {mt} removed"),
                    matters,
                );
            }
        }
        for (mt, n) in new {
            let Some(o) = old.get(mt) else {
                self.push(
                    &at(mt),
                    "",
                    ChangeKind::MediaTypeAdded,
                    format!("media type {mt} added"),
                    false,
                );
                continue;
            };
            if let (Some(os), Some(ns)) = (o.get("schema"), n.get("schema")) {
                // Error bodies are decoded by the facade's own envelope type:
                // nothing in them is breaking.
                let before = self.changes.len();
                self.schema(&at(mt), "", os, ns, dir);
                if !matters && dir == Dir::Out {
                    for c in &mut self.changes[before..] {
                        c.breaking = false;
                    }
                }
            }
        }
    }

    fn schema(&mut self, loc: &str, field: &str, old: &Value, new: &Value, dir: Dir) {
        let (o, oref) = effective(self.old, old, 0);
        let (n, nref) = effective(self.new, new, 0);
        let pair = match (&oref, &nref) {
            (Some(a), Some(b)) => Some((a.clone(), b.clone())),
            _ => None,
        };
        if let Some(p) = &pair {
            if self.seen.contains(p) || self.seen.len() > 64 {
                return;
            }
            self.seen.push(p.clone());
        }
        self.schema_inner(loc, field, &o, &n, dir);
        if pair.is_some() {
            self.seen.pop();
        }
    }

    fn schema_inner(&mut self, loc: &str, field: &str, o: &Value, n: &Value, dir: Dir) {
        let (Some(om), Some(nm)) = (o.as_object(), n.as_object()) else {
            if o != n {
                self.push(
                    loc,
                    field,
                    ChangeKind::TypeChanged,
                    format!("schema {o} -> {n}"),
                    true,
                );
            }
            return;
        };
        let (ot, nt) = (type_label(self.old, o), type_label(self.new, n));
        if ot != nt {
            self.push(
                loc,
                field,
                ChangeKind::TypeChanged,
                format!("type {ot} -> {nt}"),
                true,
            );
            return;
        }
        // format
        let of = om.get("format").and_then(Value::as_str);
        let nf = nm.get("format").and_then(Value::as_str);
        if of != nf {
            let detail = match (of, nf) {
                (Some(a), Some(b)) => format!("format {a} -> {b}"),
                (Some(a), None) => format!("format {a} dropped"),
                (None, Some(b)) => format!("format {b} added"),
                (None, None) => unreachable!(),
            };
            self.push(
                loc,
                field,
                ChangeKind::FormatChanged,
                detail,
                dir == Dir::In && nf.is_some(),
            );
        }
        // nullable
        let on = om.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        let nn = nm.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        if on != nn {
            if nn {
                self.push(
                    loc,
                    field,
                    ChangeKind::NullableAdded,
                    "may now be null".into(),
                    dir == Dir::Out,
                );
            } else {
                self.push(
                    loc,
                    field,
                    ChangeKind::NullableRemoved,
                    "may no longer be null".into(),
                    dir == Dir::In,
                );
            }
        }
        // enum
        let oe = om.get("enum").and_then(Value::as_array);
        let ne = nm.get("enum").and_then(Value::as_array);
        match (oe, ne) {
            (Some(a), Some(b)) => {
                let added: Vec<Value> = b.iter().filter(|v| !a.contains(v)).cloned().collect();
                let removed: Vec<Value> = a.iter().filter(|v| !b.contains(v)).cloned().collect();
                if !added.is_empty() {
                    self.push(
                        loc,
                        field,
                        ChangeKind::EnumValuesAdded,
                        format!("enum values added: {}", list_values(&added)),
                        false,
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        loc,
                        field,
                        ChangeKind::EnumValuesRemoved,
                        format!("enum values removed: {}", list_values(&removed)),
                        dir == Dir::In,
                    );
                }
            }
            (Some(a), None) => self.push(
                loc,
                field,
                ChangeKind::EnumRemoved,
                format!("enum constraint removed (was: {})", list_values(a)),
                false,
            ),
            (None, Some(b)) => self.push(
                loc,
                field,
                ChangeKind::EnumAdded,
                format!("enum constraint added: {}", list_values(b)),
                dir == Dir::In,
            ),
            (None, None) => {}
        }
        // properties and required
        let empty = Map::new();
        let op = om
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let np = nm
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let oreq = required_list(om);
        let nreq = required_list(nm);
        for (name, os) in op {
            if !np.contains_key(name) {
                let was = if oreq.contains(name) {
                    "required "
                } else {
                    "optional "
                };
                self.push(
                    loc,
                    &join(field, name),
                    ChangeKind::FieldRemoved,
                    format!("field removed (was {was}{})", type_label(self.old, os)),
                    true,
                );
            }
        }
        for (name, ns) in np {
            let f = join(field, name);
            let Some(os) = op.get(name) else {
                let req = nreq.contains(name);
                self.push(
                    loc,
                    &f,
                    ChangeKind::FieldAdded,
                    format!(
                        "field added ({}{})",
                        if req { "required " } else { "optional " },
                        type_label(self.new, ns)
                    ),
                    dir == Dir::In && req,
                );
                continue;
            };
            match (oreq.contains(name), nreq.contains(name)) {
                (false, true) => self.push(
                    loc,
                    &f,
                    ChangeKind::NowRequired,
                    "now required".into(),
                    dir == Dir::In,
                ),
                (true, false) => self.push(
                    loc,
                    &f,
                    ChangeKind::NoLongerRequired,
                    "no longer required".into(),
                    dir == Dir::Out,
                ),
                _ => {}
            }
            self.schema(loc, &f, os, ns, dir);
        }
        // required entries for properties not declared (rare): ignored.
        if let (Some(oi), Some(ni)) = (om.get("items"), nm.get("items")) {
            self.schema(loc, &format!("{field}[]"), oi, ni, dir);
        }
        if let (Some(oa), Some(na)) = (
            om.get("additionalProperties").filter(|v| v.is_object()),
            nm.get("additionalProperties").filter(|v| v.is_object()),
        ) {
            self.schema(loc, &format!("{field}{{}}"), oa, na, dir);
        }
        for k in ["oneOf", "anyOf"] {
            if let (Some(Value::Array(a)), Some(Value::Array(b))) = (om.get(k), nm.get(k)) {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.schema(loc, &format!("{field}<{k} {i}>"), x, y, dir);
                }
            }
        }
    }
}
