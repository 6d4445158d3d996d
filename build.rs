//! Generates the low-level clients from the specs in `openapi/`.
//!
//! For each provider: load the bundled files, run the shared preparation
//! pipeline (`digilocker_spec::prep`, in `spec-tools/`: 3.1 -> 3.0.3, selection and operationIds,
//! overrides, anyOf rules, error responses, open response enums), then hand
//! the result to progenitor. Outputs in `$OUT_DIR`:
//!
//! - `{provider}_codegen.rs`: the progenitor client (Builder interface);
//! - `{provider}_httpmock.rs`: progenitor's typed httpmock helpers, compiled
//!   into `generated::{provider}::mock` by the `mock` feature;
//! - `{provider}_rules.rs`: data for the facade (operations, anyOf rules,
//!   removed error responses) and a response decoder used by the tests;
//! - `{provider}_prepared.json`: the exact document given to progenitor.
//!
//! A defective spec stops the build with one line naming the file and the
//! JSON pointer.

use digilocker_spec::prep::{self as specgen, Prepared, SpecError};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=openapi");
    if let Err(e) = run() {
        // One clear line, no backtrace.
        eprintln!("error: spec: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), SpecError> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let spec_dir = root.join("openapi");
    let overrides = specgen::load_overrides(&spec_dir.join("overrides"))?;

    for (name, provider, files) in specgen::BUNDLE {
        let inputs = specgen::load_inputs(&spec_dir, files)?;
        let prepared = specgen::prepare(*provider, inputs, &overrides)?;
        generate(name, files[0], &prepared, &out)?;
    }
    Ok(())
}

fn generate(name: &str, main_file: &str, prepared: &Prepared, out: &Path) -> Result<(), SpecError> {
    let fail = |pointer: &str, message: String| SpecError {
        file: main_file.to_string(),
        pointer: pointer.to_string(),
        message,
    };
    write_if_changed(
        &out.join(format!("{name}_prepared.json")),
        &serde_json::to_string_pretty(&prepared.doc).unwrap(),
    );

    // serde_path_to_error turns "invalid type" into a location.
    let spec: openapiv3::OpenAPI =
        serde_path_to_error::deserialize(&prepared.doc).map_err(|e| {
            let pointer = e
                .path()
                .iter()
                .map(|seg| format!("/{}", specgen::escape_token(&seg.to_string())))
                .collect::<String>();
            fail(
                &pointer,
                format!(
                    "not a valid OpenAPI 3.0 document after normalisation: {}",
                    e.inner()
                ),
            )
        })?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(runtime_type(name))
        .with_derive("PartialEq")
        .with_derive("schemars::JsonSchema");
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| fail("", format!("progenitor could not generate a client: {e}")))?;
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| fail("", format!("progenitor produced invalid Rust: {e}")))?;
    write_if_changed(
        &out.join(format!("{name}_codegen.rs")),
        &prettyplease::unparse(&file),
    );

    let mock = generator
        .httpmock(&spec, &format!("crate::generated::{name}"))
        .map_err(|e| {
            fail(
                "",
                format!("progenitor could not generate httpmock helpers: {e}"),
            )
        })?;
    let mock = syn::parse2::<syn::File>(mock)
        .map_err(|e| fail("", format!("progenitor produced invalid Rust: {e}")))?;
    write_if_changed(
        &out.join(format!("{name}_httpmock.rs")),
        &prettyplease::unparse(&mock),
    );

    write_if_changed(&out.join(format!("{name}_rules.rs")), &rules(prepared)?);
    Ok(())
}

/// The runtime a generated client carries (`with_inner_type`): the
/// provider's credentials, token cache or signer, retry policy and clock.
fn runtime_type(name: &str) -> proc_macro2::TokenStream {
    match name {
        "sandbox" => quote::quote!(crate::sandbox::Runtime),
        _ => quote::quote!(crate::eko::Runtime),
    }
}

/// Rust source with the data the facade and the tests need.
fn rules(p: &Prepared) -> Result<String, SpecError> {
    let mut s = String::new();
    s.push_str("/// Every generated operation: (operationId, HTTP method, path template).\n");
    s.push_str("pub static OPERATIONS: &[(&str, &str, &str)] = &[\n");
    for (id, method, path) in &p.operations {
        writeln!(s, "    ({id:?}, {method:?}, {path:?}),").unwrap();
    }
    s.push_str("];\n\n");

    s.push_str(
        "/// Required-only `anyOf` rules lifted out of request bodies: for each\n\
         /// operation, the groups of fields of which at least one must be present in full.\n",
    );
    s.push_str("pub static ANY_OF_REQUIRED: &[crate::generated::AnyOfRule] = &[\n");
    for r in &p.any_of {
        let alts: Vec<String> = r
            .alternatives
            .iter()
            .map(|a| {
                format!(
                    "&[{}]",
                    a.iter()
                        .map(|f| format!("{f:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        writeln!(
            s,
            "    crate::generated::AnyOfRule {{ operation_id: {:?}, pointer: {:?}, alternatives: &[{}] }},",
            r.operation_id,
            r.pointer,
            alts.join(", ")
        )
        .unwrap();
    }
    s.push_str("];\n\n");

    s.push_str("/// Documented error responses removed from operations: (operationId, status).\n");
    s.push_str("pub static ERROR_RESPONSES: &[(&str, &str)] = &[\n");
    for e in &p.errors {
        writeln!(s, "    ({:?}, {:?}),", e.operation_id, e.status).unwrap();
    }
    s.push_str("];\n\n");

    s.push_str(
        "/// Header parameters the spec documents and the runtime sets (credentials,\n\
         /// signature, API version, content type): taken out of the generated builders.\n",
    );
    s.push_str("pub static RUNTIME_HEADERS: &[crate::generated::HeaderRule] = &[\n");
    for h in &p.headers {
        writeln!(
            s,
            "    crate::generated::HeaderRule {{ operation_id: {:?}, name: {:?}, required: {}, value: {:?} }},",
            h.operation_id, h.name, h.required, h.value
        )
        .unwrap();
    }
    s.push_str("];\n\n");

    s.push_str(
        "/// Success response schemas several operations share, generated once:\n\
         /// (type name, operationIds).\n",
    );
    s.push_str("pub static SHARED_RESPONSES: &[(&str, &[&str])] = &[\n");
    for (name, ops) in &p.shared_responses {
        writeln!(s, "    ({name:?}, &{ops:?}),").unwrap();
    }
    s.push_str("];\n\n");

    s.push_str("/// Overrides applied while preparing this spec.\n");
    s.push_str("pub static OVERRIDES_APPLIED: &[&str] = &[\n");
    for o in &p.overrides {
        writeln!(s, "    {o:?},").unwrap();
    }
    s.push_str("];\n\n");

    // Response decoder per (operation, status), for example-decoding tests.
    s.push_str(
        "/// Decode `body` as the generated type of `operation_id`'s response for a 2xx\n\
         /// status. `None` when the operation is unknown.\n\
         pub fn decode_success(operation_id: &str, body: &::serde_json::Value) -> Option<Result<(), String>> {\n\
         \x20   match operation_id {\n",
    );
    for (id, method, path) in &p.operations {
        let ptr = format!(
            "/paths/{}/{}/responses",
            specgen::escape_token(path),
            method.to_lowercase()
        );
        let responses = p.doc.pointer(&ptr).and_then(Value::as_object);
        let ok = responses.and_then(|r| {
            r.iter()
                .find(|(k, _)| k.starts_with('2'))
                .map(|(_, v)| v.clone())
        });
        let Some(ok) = ok else {
            continue;
        };
        let Some(schema) = ok.pointer("/content/application~1json/schema") else {
            continue;
        };
        let ty = match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => specgen::pascal(r.rsplit('/').next().unwrap()),
            None => format!("{}Response", specgen::pascal(id)),
        };
        writeln!(
            s,
            "        {id:?} => Some(::serde_json::from_value::<types::{ty}>(body.clone()).map(|_| ()).map_err(|e| e.to_string())),"
        )
        .unwrap();
    }
    s.push_str("        _ => None,\n    }\n}\n");
    Ok(s)
}

fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(content) {
        std::fs::write(path, content).unwrap_or_else(|e| {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        });
    }
}
