//! Bytes-in entry points of the response decoders, for the fuzz targets in
//! `fuzz/` and the regression test `tests/it/fuzz_regressions.rs`.
//!
//! Not part of the public API (hidden from the docs, no stability promise).
//! Each function takes what the network gives (an HTTP status, headers and
//! the whole body) and returns what the facade operation would return: the
//! typed value or a typed [`Error`]. They call the functions the facades
//! themselves use, with no copy in between: the generated response type's
//! `Deserialize` (as the generated builder does on a 200), the operation's
//! own mapping (`*_outcome`), and the facade's error mapping for every other
//! status. None of them may panic, whatever the input.

use crate::eko::client as eko_client;
use crate::eko::{DocumentRequest, EkoDocType, EkoDocuments, EkoLink, EkoStatus, ReferenceId};
use crate::error::{Error, Result};
use crate::generated::eko::types as eko_wire;
use crate::generated::sandbox::types as sandbox_wire;
use crate::redact::Secret;
use crate::sandbox::engine;
use crate::sandbox::ops;
use crate::sandbox::{DocType, Document, EntityDocType, Session, SessionState, UserProfile};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// A header map from name/value pairs; pairs that are not valid HTTP
/// headers (which no response can carry) are skipped.
pub fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            map.append(n, v);
        }
    }
    map
}

/// Sandbox responses.
pub mod sandbox {
    use super::*;

    fn body(b: &[u8]) -> Bytes {
        Bytes::copy_from_slice(b)
    }

    /// `POST /authenticate`: the access token.
    pub fn authenticate(status: u16, headers: HeaderMap, b: &[u8]) -> Result<Secret> {
        engine::decode::<sandbox_wire::AuthenticateResponse, _>(
            status,
            headers,
            body(b),
            engine::access_token,
        )
    }

    /// Any non-success answer: Sandbox's error envelope (or not) to an
    /// [`Error`].
    pub fn error(status: u16, headers: HeaderMap, b: &[u8]) -> Error {
        engine::map_status(status, &headers, b)
    }

    /// One decoder per operation: status, headers and body to what the
    /// facade returns, through `engine::decode` and the operation's mapping.
    macro_rules! decoders {
        ($($(#[$doc:meta])* $name:ident -> $out:ty = |$r:ident| $outcome:expr;)+) => {
            $(
                $(#[$doc])*
                pub fn $name(status: u16, headers: HeaderMap, b: &[u8]) -> Result<$out> {
                    engine::decode(status, headers, body(b), |$r, _| $outcome)
                }
            )+
        };
    }

    decoders! {
        /// `POST /kyc/digilocker/user/verify`.
        verify_user -> bool = |r| ops::verify_outcome(r);

        /// `POST /kyc/digilocker/sessions/init`.
        start_session -> Session = |r| ops::start_outcome(r);

        /// `GET /kyc/digilocker/sessions/{id}/status`.
        session_status -> SessionState = |r| ops::state_outcome(r);

        /// `GET /kyc/digilocker-sdk/sessions/{id}/status`.
        sdk_session_status -> SessionState = |r| ops::state_outcome(r);

        /// `GET /kyc/entitylocker/sessions/{id}/status`.
        entity_session_status -> SessionState<EntityDocType> = |r| ops::state_outcome(r);

        /// `GET /kyc/entitylocker-sdk/sessions/{id}/status`.
        entity_sdk_session_status -> SessionState<EntityDocType> = |r| ops::state_outcome(r);

        /// `GET /kyc/digilocker/sessions/{id}/documents/{doc_type}`.
        document -> Document = |r| ops::document_outcome(r, DocType::Aadhaar);

        /// `GET /kyc/digilocker-sdk/sessions/{id}/documents/{doc_type}`.
        sdk_document -> Document = |r| ops::sdk_document_outcome(r, DocType::Pan);

        /// `GET /kyc/entitylocker/sessions/{id}/documents/{doc_type}`.
        entity_document -> Document<EntityDocType> =
            |r| ops::document_outcome(r, EntityDocType::GstnDetails);

        /// `GET /kyc/entitylocker-sdk/sessions/{id}/documents/{doc_type}`.
        entity_sdk_document -> Document<EntityDocType> =
            |r| ops::document_outcome(r, EntityDocType::CompanyMasterDetails);

        /// `GET /kyc/digilocker/sessions/{id}/user/profile`.
        user_profile -> UserProfile = |r| ops::profile_outcome(r);

        /// `GET /kyc/digilocker-sdk/sessions/{id}/user/profile`.
        sdk_user_profile -> UserProfile = |r| ops::profile_outcome(r);

        /// `GET /kyc/entitylocker/sessions/{id}/user/profile`.
        entity_user_profile -> UserProfile = |r| ops::entity_profile_outcome(r);
    }
}

/// Eko responses.
pub mod eko {
    use super::*;

    /// The reference id the status and document decoders are given.
    pub const REFERENCE_ID: &str = "4242";

    /// `POST /tools/kyc/digilocker` (Create URL).
    pub fn create_url(status: u16, headers: HeaderMap, b: &[u8]) -> Result<EkoLink> {
        eko_client::decode::<eko_wire::CreateUrlResponse, _>(
            status,
            headers,
            Bytes::copy_from_slice(b),
            |r| eko_client::link_outcome(r, "fuzz-ref-1".into(), &[EkoDocType::Aadhaar]),
        )
    }

    /// `GET /tools/kyc/digilocker/status`.
    pub fn status(status: u16, headers: HeaderMap, b: &[u8]) -> Result<EkoStatus> {
        eko_client::decode::<eko_wire::VerificationStatusResponse, _>(
            status,
            headers,
            Bytes::copy_from_slice(b),
            |r| eko_client::status_outcome(ReferenceId::from(REFERENCE_ID), r),
        )
    }

    /// `POST /tools/kyc/digilocker/document`.
    pub fn document(status: u16, headers: HeaderMap, b: &[u8]) -> Result<EkoDocuments> {
        let req = DocumentRequest::new(REFERENCE_ID, "vrf_fuzz", [EkoDocType::Aadhaar]);
        eko_client::decode::<eko_wire::GetDocumentResponse, _>(
            status,
            headers,
            Bytes::copy_from_slice(b),
            |r| eko_client::documents_outcome(&req, r),
        )
    }

    /// Any non-200 answer (JSON envelope, other JSON, HTML, empty).
    pub fn error(status: u16, headers: HeaderMap, b: &[u8]) -> Error {
        crate::eko::envelope::status_error(status, &headers, b)
    }
}

/// A fuzz input split into what a response carries.
///
/// Layout: byte 0 picks a variant of the target (which operation), byte 1's
/// high bit says whether the status is 200 (clear) or bytes 2..4 give it
/// (`100 + u16 % 500`), byte 4 is the length of a header value that follows
/// (sent as both `Retry-After` and `x-amzn-RequestId`), and the rest is the
/// body. Shorter inputs are padded with zeros.
#[derive(Debug)]
pub struct Input<'a> {
    /// Which variant of the target.
    pub selector: u8,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: &'a [u8],
}

impl<'a> Input<'a> {
    /// Split `data` as described on [`Input`].
    pub fn split(data: &'a [u8]) -> Self {
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        let status = if byte(1) & 0x80 == 0 {
            200
        } else {
            100 + u16::from_le_bytes([byte(2), byte(3)]) % 500
        };
        let rest = data.get(5..).unwrap_or(&[]);
        let n = usize::from(byte(4)).min(rest.len());
        let (value, body) = rest.split_at(n);
        Input {
            selector: byte(0),
            status,
            headers: if value.is_empty() {
                HeaderMap::new()
            } else {
                headers(&[("retry-after", value), ("x-amzn-requestid", value)])
            },
            body,
        }
    }
}

/// Look at a decoder's outcome the way a caller would (`Debug`, `Display`,
/// the accessors), so that formatting is fuzzed too.
fn observe<T: std::fmt::Debug>(r: Result<T>) {
    match r {
        Ok(v) => {
            let _ = format!("{v:?}");
        }
        Err(e) => observe_error(&e),
    }
}

fn observe_error(e: &Error) {
    let _ = (e.to_string(), format!("{e:?}"), e.is_transient());
    let _ = (e.http_status(), e.transaction_id(), e.provider_error());
}

/// The body of a fuzz target.
pub type Target = fn(&[u8]);

/// The fuzz targets: name (as under `fuzz/fuzz_targets/`) and body.
pub const TARGETS: &[(&str, Target)] = &[
    ("sandbox_authenticate", targets::sandbox_authenticate),
    ("sandbox_status", targets::sandbox_status),
    ("sandbox_document", targets::sandbox_document),
    ("sandbox_profile", targets::sandbox_profile),
    ("sandbox_error", targets::sandbox_error),
    ("eko_create", targets::eko_create),
    ("eko_status", targets::eko_status),
    ("eko_document", targets::eko_document),
    ("xml_identity", targets::xml_identity),
    ("eko_callback", targets::eko_callback),
];

/// One variant of a target's decoders: the input's status, headers and body.
type Variant = fn(u16, HeaderMap, &[u8]);

/// Split `data` and run the variant its selector byte picks.
fn one_of(data: &[u8], variants: &[Variant]) {
    let i = Input::split(data);
    variants[usize::from(i.selector) % variants.len()](i.status, i.headers, i.body);
}

/// The body of each fuzz target: raw bytes in, never a panic.
pub mod targets {
    use super::*;

    /// `/authenticate` responses.
    pub fn sandbox_authenticate(data: &[u8]) {
        let i = Input::split(data);
        observe(sandbox::authenticate(i.status, i.headers, i.body));
    }

    /// Session status (DigiLocker, SDK, EntityLocker, EntityLocker SDK),
    /// and the two session-creating POSTs and verify.
    pub fn sandbox_status(data: &[u8]) {
        one_of(
            data,
            &[
                |s, h, b| observe(sandbox::session_status(s, h, b)),
                |s, h, b| observe(sandbox::sdk_session_status(s, h, b)),
                |s, h, b| observe(sandbox::entity_session_status(s, h, b)),
                |s, h, b| observe(sandbox::entity_sdk_session_status(s, h, b)),
                |s, h, b| observe(sandbox::verify_user(s, h, b)),
                |s, h, b| observe(sandbox::start_session(s, h, b)),
                |s, h, b| {
                    observe(sandbox::session_status(s, h, b).map(|st| st.status.is_success()))
                },
            ],
        );
    }

    /// Documents of the four session kinds.
    pub fn sandbox_document(data: &[u8]) {
        one_of(
            data,
            &[
                |s, h, b| observe(sandbox::document(s, h, b)),
                |s, h, b| observe(sandbox::sdk_document(s, h, b)),
                |s, h, b| observe(sandbox::entity_document(s, h, b)),
                |s, h, b| observe(sandbox::entity_sdk_document(s, h, b)),
            ],
        );
    }

    /// User profiles of the three session kinds that have one.
    pub fn sandbox_profile(data: &[u8]) {
        one_of(
            data,
            &[
                |s, h, b| observe(sandbox::user_profile(s, h, b)),
                |s, h, b| observe(sandbox::sdk_user_profile(s, h, b)),
                |s, h, b| observe(sandbox::entity_user_profile(s, h, b)),
            ],
        );
    }

    /// Sandbox's error envelope for any status (200 included).
    pub fn sandbox_error(data: &[u8]) {
        let i = Input::split(data);
        observe_error(&sandbox::error(i.status, i.headers, i.body));
    }

    /// Eko Create URL responses.
    pub fn eko_create(data: &[u8]) {
        let i = Input::split(data);
        if i.selector.is_multiple_of(2) {
            observe(eko::create_url(i.status, i.headers, i.body));
        } else {
            observe_error(&eko::error(i.status, i.headers, i.body));
        }
    }

    /// Eko status responses.
    pub fn eko_status(data: &[u8]) {
        let i = Input::split(data);
        observe(eko::status(i.status, i.headers, i.body));
    }

    /// Eko Get Document responses.
    pub fn eko_document(data: &[u8]) {
        let i = Input::split(data);
        observe(eko::document(i.status, i.headers, i.body));
    }

    /// DigiLocker XML documents.
    pub fn xml_identity(data: &[u8]) {
        let r = crate::flow::xml::read_identity(data);
        let _ = format!("{r:?}");
        if let Err(e) = r {
            let _ = e.to_string();
        }
    }

    /// The redirect back from DigiLocker (URL or query string).
    pub fn eko_callback(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        for r in [
            crate::eko::EkoCallback::from_url(&text),
            crate::eko::EkoCallback::from_query(&text),
        ] {
            match r {
                Ok(cb) => {
                    let _ = (format!("{cb:?}"), cb.state());
                }
                Err(e) => observe_error(&e),
            }
        }
    }
}

/// The request checks run before sending, for the property tests (the
/// checks that the public constructors do not already run).
pub mod validate {
    use crate::eko::CreateUrl;
    use crate::error::Result;
    use crate::sandbox::{StartSession, VerifyUser};

    /// What `start_session` checks before sending (the redirect URL,
    /// document types, options such as `verified_mobile`, consent expiry).
    pub fn start_session(req: &StartSession) -> Result<()> {
        crate::sandbox::validate::start_session_body(req, std::time::SystemTime::now()).map(|_| ())
    }

    /// What `verify_user` checks before sending, with or without the
    /// Aadhaar check digit.
    pub fn verify_user(req: &VerifyUser, aadhaar_checksum: bool) -> Result<()> {
        crate::sandbox::validate::verify_body(req, aadhaar_checksum).map(|_| ())
    }

    /// What `create_url` checks before sending, the given `client_ref_id`
    /// included.
    pub fn eko_create_url(req: &CreateUrl, client_ref_id: &str) -> Result<()> {
        req.validate()?;
        crate::eko::requests::validate_client_ref_id(client_ref_id)
    }
}
