//! Spec preparation and maintenance.
//!
//! - [`prep`] is the pipeline `build.rs` runs on the bundled specs (always
//!   available; it only needs `serde_json`).
//! - With the `spec-tools` feature (enabled by `cli`), the maintainer tools
//!   behind `digilocker spec ...`:
//!   - [`import`]: merge operations from provider documents or documentation
//!     pages into a bundled spec, atomically;
//!   - [`diff`]: what changed between two versions, and whether it breaks a
//!     caller of our facade;
//!   - [`check`]: every example validates against its schema, every `$ref`
//!     resolves, operationIds are unique;
//!   - [`surface`]: a stable text listing of the generated operations and
//!     types, checked in as `openapi/generated-surface.txt`;
//!   - [`pages`] and [`files`]: reading documentation pages and spec files.
//!
//! See the README section "When the provider's docs change" for the maintainer
//! workflow.

// Lints newer than this module (clippy 1.95); fixed on the spec-tools branch.
#[allow(clippy::type_complexity, clippy::collapsible_if)]
#[path = "../specgen/mod.rs"]
pub mod prep;

#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod check;
#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod diff;
#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod files;
#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod import;
#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod pages;
#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub mod surface;

#[cfg(feature = "spec-tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "spec-tools")))]
pub use error::Error;

#[cfg(feature = "spec-tools")]
mod error {
    use super::diff::Report;
    use super::prep::SpecError;
    use std::fmt;

    /// Why a spec tool did not do what was asked. On any of these, no file
    /// was changed.
    #[derive(Debug)]
    #[non_exhaustive]
    pub enum Error {
        /// A file could not be read or written.
        Io {
            /// The file.
            path: String,
            /// What went wrong.
            message: String,
        },
        /// An input or the result is not acceptable (unparsable, not
        /// OpenAPI, dangling `$ref`, an override that no longer applies...).
        /// Each problem names its file and JSON pointer.
        Invalid(Vec<SpecError>),
        /// The change contains breaking changes and they were not accepted.
        Breaking(Box<Report>),
    }

    impl Error {
        /// One invalid-input problem.
        pub fn invalid(file: &str, pointer: &str, message: impl Into<String>) -> Self {
            Error::Invalid(vec![SpecError {
                file: file.to_string(),
                pointer: pointer.to_string(),
                message: message.into(),
            }])
        }
    }

    impl From<SpecError> for Error {
        fn from(e: SpecError) -> Self {
            Error::Invalid(vec![e])
        }
    }

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Error::Io { path, message } => write!(f, "{path}: {message}"),
                Error::Invalid(problems) => {
                    for (i, p) in problems.iter().enumerate() {
                        if i > 0 {
                            writeln!(f)?;
                        }
                        write!(f, "{p}")?;
                    }
                    Ok(())
                }
                Error::Breaking(r) => write!(
                    f,
                    "{} breaking change(s); review them and re-run with --accept-breaking to proceed",
                    r.breaking_count()
                ),
            }
        }
    }

    impl std::error::Error for Error {}
}
