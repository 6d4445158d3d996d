//! `digilocker spec ...`: maintain the bundled OpenAPI specs.
//!
//! Run from the crate root (paths default to `openapi/...`). See the
//! README section "When the provider's docs change" for the workflow.

use super::Failure;
use clap::{Args, Subcommand};
use digilocker_spec::{Error, check, diff, files, import, surface};
use std::path::{Path, PathBuf};

/// The `spec` subcommands.
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Merge operations from OpenAPI documents or documentation pages into a
    /// bundled spec, report what changed, and write it atomically.
    Import(ImportArgs),
    /// Report what changed between two versions of a spec (documents or pages).
    Diff(DiffArgs),
    /// Validate the bundled specs: examples against schemas, $refs, operationIds,
    /// and the build pipeline.
    Check(CheckArgs),
    /// Print the generated surface (operations and type shapes).
    Surface(SurfaceArgs),
}

/// Arguments of `spec import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// OpenAPI documents (.json, .yaml, 3.0 or 3.1) or documentation pages
    /// with embedded ````yaml blocks. Later files win.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The spec to merge into.
    #[arg(long, value_name = "SPEC", default_value = "openapi/sandbox-kyc.json")]
    into: PathBuf,
    /// Write even if the change report contains breaking changes.
    #[arg(long)]
    accept_breaking: bool,
    /// Validate and report without writing.
    #[arg(long)]
    dry_run: bool,
}

/// Arguments of `spec diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old version (document or page).
    old: PathBuf,
    /// The new version (document or page).
    new: PathBuf,
    /// Exit 0 even when there are breaking changes.
    #[arg(long)]
    accept_breaking: bool,
}

/// Arguments of `spec check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The folder with the bundled specs.
    #[arg(long, value_name = "DIR", default_value = "openapi")]
    dir: PathBuf,
}

/// Arguments of `spec surface`.
#[derive(Debug, Args)]
pub struct SurfaceArgs {
    /// The folder with the bundled specs.
    #[arg(long, value_name = "DIR", default_value = "openapi")]
    dir: PathBuf,
    /// Instead of printing, compare with this file and fail (exit 2) when it
    /// differs.
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,
}

/// Run a `spec` subcommand; `json` is the global `--json` (import, diff
/// and check print their report as JSON).
pub fn run(cmd: SpecCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        SpecCommand::Import(a) => run_import(a, json),
        SpecCommand::Diff(a) => run_diff(a, json),
        SpecCommand::Check(a) => run_check(a, json),
        SpecCommand::Surface(a) => run_surface(a),
    }
}

/// Print an error and map it to an exit status.
fn fail(e: &Error, json: bool) -> Failure {
    match e {
        Error::Breaking(report) => {
            if json {
                let out = serde_json::json!({ "written": false, "report": report.to_json() });
                outln!("{}", pretty(&out));
            } else {
                out!("{}", report.to_text());
            }
            eprintln!("error: {e}");
            Failure::Breaking
        }
        Error::Invalid(_) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            eprintln!("nothing was written");
            Failure::Invalid
        }
        _ => {
            eprintln!("error: {e}");
            Failure::Other
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn run_import(a: ImportArgs, json: bool) -> Result<(), Failure> {
    let options = import::Options {
        target: a.into.clone(),
        accept_breaking: a.accept_breaking,
        dry_run: a.dry_run,
    };
    let outcome = import::import(&a.files, &options).map_err(|e| fail(&e, json))?;
    if json {
        let imported: Vec<String> = outcome
            .imported
            .iter()
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        let out = serde_json::json!({
            "target": a.into.display().to_string(),
            "imported": imported,
            "written": outcome.written,
            "report": outcome.report.to_json(),
        });
        outln!("{}", pretty(&out));
    } else {
        outln!(
            "Imported {} operation(s) into {}",
            outcome.imported.len(),
            a.into.display()
        );
        for (m, p) in &outcome.imported {
            outln!("  {m} {p}");
        }
        outln!();
        out!("{}", outcome.report.to_text());
        outln!();
        if outcome.written {
            outln!("wrote {}", a.into.display());
        } else if a.dry_run {
            outln!("dry run: {} not written", a.into.display());
        } else {
            outln!("{} unchanged", a.into.display());
        }
        if outcome.report.has_breaking() {
            outln!("breaking changes accepted (--accept-breaking)");
        }
        outln!("next: cargo run -- spec check && cargo test");
    }
    Ok(())
}

fn run_diff(a: DiffArgs, json: bool) -> Result<(), Failure> {
    let old = import::read_as_document(&a.old).map_err(|e| fail(&e, json))?;
    let new = import::read_as_document(&a.new).map_err(|e| fail(&e, json))?;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let selection = diff::Selection::for_file(&name(&a.new))
        .unwrap_or_else(|| diff::Selection::detect(&[&old, &new]));
    let report = diff::diff(&old, &new, selection, &name(&a.old), &name(&a.new))
        .map_err(|e| fail(&Error::from(e), json))?;
    if json {
        outln!("{}", pretty(&report.to_json()));
    } else {
        out!("{}", report.to_text());
    }
    if report.has_breaking() && !a.accept_breaking {
        eprintln!(
            "error: {} breaking change(s) (pass --accept-breaking to exit 0)",
            report.breaking_count()
        );
        return Err(Failure::Breaking);
    }
    Ok(())
}

fn run_check(a: CheckArgs, json: bool) -> Result<(), Failure> {
    let report = check::check_dir(&a.dir).map_err(|e| fail(&e, json))?;
    if json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.insert("ok".into(), report.is_ok().into());
        }
        outln!("{}", pretty(&v));
    } else {
        out!("{}", report.to_text());
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(Failure::Invalid)
    }
}

fn run_surface(a: SurfaceArgs) -> Result<(), Failure> {
    let text = surface::surface_dir(&a.dir).map_err(|e| fail(&e, false))?;
    match a.check {
        None => {
            out!("{text}");
            Ok(())
        }
        Some(path) => {
            let have = files::read_text(&path).map_err(|e| fail(&e, false))?;
            if have == text {
                outln!("{} is up to date", path.display());
                Ok(())
            } else {
                eprintln!(
                    "error: {} is out of date; regenerate it with:\n  cargo run -- spec surface > {}",
                    path.display(),
                    path.display()
                );
                Err(Failure::Invalid)
            }
        }
    }
}
