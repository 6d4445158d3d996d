//! Spec preparation and maintenance: the same pipeline `build.rs` runs.

// Lints newer than this module (clippy 1.95); fixed on the spec-tools branch.
#[allow(clippy::type_complexity, clippy::collapsible_if)]
#[path = "../specgen/mod.rs"]
pub mod prep;
