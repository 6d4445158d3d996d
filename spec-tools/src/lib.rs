//! The spec pipeline and maintainer tools of digilocker-kyc.
//!
//! - [`prep`] is the preparation pipeline the library's `build.rs` runs on
//!   the bundled specs before progenitor sees them, and the one YAML reader
//!   every tool uses (so a spec is read the same way everywhere).
//! - With the `tools` feature (the `digilocker` CLI enables it), the
//!   maintainer tools behind `digilocker spec ...`:
//!   - [`import`]: merge operations from provider documents or documentation
//!     pages into a bundled spec, atomically;
//!   - [`diff`]: what changed between two versions, and whether it breaks a
//!     caller of the facade;
//!   - [`check`]: every example validates against its schema, every `$ref`
//!     resolves, operationIds are unique;
//!   - [`surface`]: a stable text listing of the generated operations and
//!     types, checked in as `openapi/generated-surface.txt`;
//!   - [`pages`] and [`files`]: reading documentation pages and spec files.
//!
//! See the README section "When the provider's docs change" for the maintainer
//! workflow.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod prep;

/// Declares the maintainer tools' modules, each only with the `tools`
/// feature and marked so in the documentation.
macro_rules! tool_modules {
    ($($name:ident),+ $(,)?) => {
        $(
            #[cfg(feature = "tools")]
            #[cfg_attr(docsrs, doc(cfg(feature = "tools")))]
            pub mod $name;
        )+
    };
}

tool_modules!(check, diff, files, import, pages, surface);

#[cfg(feature = "tools")]
#[cfg_attr(docsrs, doc(cfg(feature = "tools")))]
pub use error::Error;

#[cfg(feature = "tools")]
mod error {
    use crate::diff::Report;
    use crate::prep::SpecError;
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
