//! Spec preparation and maintenance: the same pipeline `build.rs` runs.

#[path = "../specgen/mod.rs"]
pub mod prep;
