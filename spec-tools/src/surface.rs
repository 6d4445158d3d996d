//! The generated surface as text: every operation progenitor generates and
//! the shape of its parameters, request and response types, derived from
//! the prepared specs (exactly what `build.rs` hands to progenitor).
//!
//! The listing is checked in as `openapi/generated-surface.txt` and a test
//! (`tests/it/spec_surface.rs`) fails when it no longer matches, so any change
//! to the generated API (an upstream import, an override, a pipeline change)
//! shows up in review as a readable diff. Regenerate with
//! `UPDATE_SURFACE=1 cargo test --test it spec_surface` or
//! `cargo run -- spec surface > openapi/generated-surface.txt`.
//!
//! Format, per provider and operationId (sorted):
//!
//! ```text
//! digilocker_get_document: GET /kyc/digilocker/sessions/{session_id}/documents/{doc_type}
//!   param path session_id: string, required
//!   response 200 application/json:
//!     data: object, required
//!       files: array<object>, required
//!         []:
//!           url: string, required
//! ```
//!
//! Types read `string`, `integer(int64)`, `string enum[a | b]`,
//! `array<T>`, `map<T>` (additionalProperties), `oneOf[A | B]`, `ref Name`
//! (listed under `components:`), with `?` for nullable. Object properties are
//! sorted by name (the order typify sees); parameters keep their declared
//! order.

use crate::Error;
use crate::files;
use crate::prep::Prepared;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// Header of the checked-in file.
pub const HEADER: &str = "\
# The generated client surface: operations and the shape of their types,
# derived from the prepared specs (openapi/ after build.rs's pipeline).
# Do not edit. Regenerate with:
#   cargo run -- spec surface > openapi/generated-surface.txt
# (or UPDATE_SURFACE=1 cargo test --test it spec_surface)
";

/// The surface of the `openapi/` folder at `dir`.
pub fn surface_dir(dir: &Path) -> Result<String, Error> {
    let prepared = files::prepare_bundle(dir)?;
    Ok(render(&prepared))
}

/// The surface of prepared specs, `(provider name, prepared)`.
pub fn render(prepared: &[(&str, Prepared)]) -> String {
    let mut s = String::from(HEADER);
    for (name, p) in prepared {
        let _ = writeln!(s, "\n== {name} ==");
        for (id, method, path) in &p.operations {
            let _ = writeln!(s, "\n{id}: {method} {path}");
            let item = p
                .doc
                .get("paths")
                .and_then(|x| x.get(path))
                .cloned()
                .unwrap_or(Value::Null);
            let Some(op) = item.get(method.to_lowercase()) else {
                continue;
            };
            for param in crate::diff::effective_parameters(&p.doc, path, op) {
                let loc = param.get("in").and_then(Value::as_str).unwrap_or("?");
                let pname = param.get("name").and_then(Value::as_str).unwrap_or("?");
                let req = param.get("required").and_then(Value::as_bool) == Some(true);
                let ty = param
                    .get("schema")
                    .map_or_else(|| "any".to_string(), type_of);
                let _ = writeln!(
                    s,
                    "  param {loc} {pname}: {ty}{}",
                    if req { ", required" } else { "" }
                );
            }
            for rule in p.any_of.iter().filter(|r| &r.operation_id == id) {
                let groups: Vec<String> = rule.alternatives.iter().map(|g| g.join(" + ")).collect();
                let _ = writeln!(s, "  rule: at least one of {}", groups.join(" | "));
            }
            if let Some(body) = op.get("requestBody") {
                let body = crate::diff::deref(&p.doc, body).0;
                let req = body.get("required").and_then(Value::as_bool) == Some(true);
                for (mt, media) in sorted(body.get("content")) {
                    let _ = writeln!(
                        s,
                        "  request {mt}{}:{}",
                        if req { " (required)" } else { "" },
                        inline_type(media.get("schema"))
                    );
                    if let Some(schema) = media.get("schema") {
                        fields(&mut s, schema, 4);
                    }
                }
            }
            for (status, resp) in sorted(op.get("responses")) {
                let resp = crate::diff::deref(&p.doc, resp).0;
                let content = sorted(resp.get("content"));
                if content.is_empty() {
                    let _ = writeln!(s, "  response {status}: (no body)");
                }
                for (mt, media) in content {
                    let _ = writeln!(
                        s,
                        "  response {status} {mt}:{}",
                        inline_type(media.get("schema"))
                    );
                    if let Some(schema) = media.get("schema") {
                        fields(&mut s, schema, 4);
                    }
                }
            }
        }
        let schemas = sorted(p.doc.pointer("/components/schemas"));
        if !schemas.is_empty() {
            let _ = writeln!(s, "\ncomponents:");
            for (cname, schema) in schemas {
                let _ = writeln!(s, "  {cname}: {}", type_of(schema));
                fields(&mut s, schema, 4);
            }
        }
    }
    s
}

/// ` <type>` after a body header, when the body is not a plain object.
fn inline_type(schema: Option<&Value>) -> String {
    match schema {
        None => " (no schema)".into(),
        Some(sch) if is_plain_object(sch) => String::new(),
        Some(sch) => format!(" {}", type_of(sch)),
    }
}

fn is_plain_object(s: &Value) -> bool {
    s.get("$ref").is_none()
        && s.get("properties").is_some()
        && s.get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "object")
        && s.get("nullable").is_none()
}

fn sorted(v: Option<&Value>) -> Vec<(&String, &Value)> {
    let mut out: Vec<(&String, &Value)> = v
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// One-line type of a schema.
pub fn type_of(s: &Value) -> String {
    let Some(obj) = s.as_object() else {
        return s.to_string();
    };
    let mut t = if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        format!("ref {}", r.rsplit('/').next().unwrap_or(r))
    } else if let Some(ty) = obj.get("type").and_then(Value::as_str) {
        match ty {
            "array" => format!(
                "array<{}>",
                obj.get("items").map_or_else(|| "any".to_string(), type_of)
            ),
            "object" if obj.get("properties").is_none() => match obj.get("additionalProperties") {
                Some(Value::Object(_)) => format!("map<{}>", type_of(&obj["additionalProperties"])),
                _ => "object".into(),
            },
            other => other.to_string(),
        }
    } else if obj.contains_key("properties") {
        "object".into()
    } else {
        let mut found = None;
        for k in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(bs)) = obj.get(k) {
                let inner: Vec<String> = bs.iter().map(type_of).collect();
                found = Some(format!("{k}[{}]", inner.join(" | ")));
                break;
            }
        }
        found.unwrap_or_else(|| "any".into())
    };
    if let Some(f) = obj.get("format").and_then(Value::as_str) {
        let _ = write!(t, "({f})");
    }
    if let Some(Value::Array(e)) = obj.get("enum") {
        let vals: Vec<String> = e
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
            .collect();
        let _ = write!(t, " enum[{}]", vals.join(" | "));
    }
    if obj.get("pattern").is_some() {
        t.push_str(" pattern");
    }
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) {
        t.push('?');
    }
    t
}

/// The fields of an object schema (and of arrays/maps/branches of objects),
/// recursively, one per line.
fn fields(s: &mut String, schema: &Value, indent: usize) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    let pad = " ".repeat(indent);
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut names: Vec<&String> = props.keys().collect();
        names.sort();
        for name in names {
            let p = &props[name];
            let req = if required.contains(&name.as_str()) {
                ", required"
            } else {
                ""
            };
            let _ = writeln!(s, "{pad}{name}: {}{req}", type_of(p));
            fields(s, p, indent + 2);
        }
    }
    if let Some(items) = obj.get("items")
        && has_fields(items)
    {
        let _ = writeln!(s, "{pad}[]:");
        fields(s, items, indent + 2);
    }
    if let Some(ap) = obj.get("additionalProperties")
        && has_fields(ap)
    {
        let _ = writeln!(s, "{pad}{{}}:");
        fields(s, ap, indent + 2);
    }
    for k in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(bs)) = obj.get(k) {
            for (i, b) in bs.iter().enumerate() {
                if has_fields(b) {
                    let _ = writeln!(s, "{pad}<{k} {i}>:");
                    fields(s, b, indent + 2);
                }
            }
        }
    }
}

fn has_fields(s: &Value) -> bool {
    s.get("properties").is_some()
        || s.get("items").is_some_and(has_fields)
        || s.get("additionalProperties").is_some_and(has_fields)
        || ["oneOf", "anyOf", "allOf"].iter().any(|k| {
            s.get(*k)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(has_fields))
        })
}
