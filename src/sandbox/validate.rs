//! Checks run before anything is sent, and the building of the generated
//! request bodies from facade requests.
//!
//! Patterns come from the spec through the generated newtypes' `FromStr`;
//! the "at least one of" rule of the verify body comes from
//! [`ANY_OF_REQUIRED`]. Errors never quote the rejected value (it may be an
//! Aadhaar or mobile number).

use super::types::{
    CreateSdkSession, DocKind, DocType, EntityDocType, Flow, SessionOptions, StartEntitySession,
    StartSession, VerificationMethod, VerifyUser,
};
use crate::error::{Error, Result};
use crate::generated::sandbox::rules::ANY_OF_REQUIRED;
use crate::generated::sandbox::types as wire;
use crate::redact::Masked;
pub(crate) use crate::vocab::url_as_written;
pub use crate::vocab::verhoeff_valid;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Minimum distance of `consent_expiry` into the future.
pub(crate) const MIN_CONSENT_AHEAD: Duration = Duration::from_secs(60 * 60);

const VERIFY_OP: &str = "digilocker_verify_user_account";

pub(crate) fn aadhaar(
    value: &Masked,
    checksum: bool,
) -> Result<wire::DigilockerVerifyUserAccountBodyAadhaarNumber> {
    let parsed = value
        .expose()
        .parse::<wire::DigilockerVerifyUserAccountBodyAadhaarNumber>()
        .map_err(|_| Error::invalid("aadhaar_number", "must be exactly 12 digits"))?;
    if checksum && !verhoeff_valid(value.expose()) {
        return Err(Error::invalid(
            "aadhaar_number",
            "fails the Verhoeff check digit (mistyped number?)",
        ));
    }
    Ok(parsed)
}

pub(crate) fn verify_mobile(value: &Masked) -> Result<wire::DigilockerVerifyUserAccountBodyMobile> {
    value
        .expose()
        .parse::<wire::DigilockerVerifyUserAccountBodyMobile>()
        .map_err(|_| {
            Error::invalid(
                "mobile",
                "must be exactly 10 digits, without country code or separators",
            )
        })
}

/// Enforce the lifted `anyOf` rules of `operation_id`.
fn any_of(operation_id: &str, present: &dyn Fn(&str) -> bool) -> Result<()> {
    for rule in ANY_OF_REQUIRED
        .iter()
        .filter(|r| r.operation_id == operation_id)
    {
        if !rule.is_satisfied_by(present) {
            return Err(Error::invalid("request", rule.describe()));
        }
    }
    Ok(())
}

pub(crate) fn verify_body(
    req: &VerifyUser,
    checksum: bool,
) -> Result<wire::DigilockerVerifyUserAccountBody> {
    any_of(VERIFY_OP, &|field| match field {
        "aadhaar_number" => req.aadhaar_number.is_some(),
        "mobile" => req.mobile.is_some(),
        // A field this facade cannot fill: the rule cannot be met through it.
        _ => false,
    })?;
    let aadhaar_number = req
        .aadhaar_number
        .as_ref()
        .map(|a| aadhaar(a, checksum))
        .transpose()?;
    let mobile = req.mobile.as_ref().map(verify_mobile).transpose()?;
    Ok(wire::DigilockerVerifyUserAccountBody {
        aadhaar_number,
        entity: wire::DigilockerVerifyUserAccountBodyEntity::InCoSandboxKycDigilockerUserVerificationRequest,
        mobile,
    })
}

pub(crate) fn doc_types<D: DocKind>(docs: &[D]) -> Result<()> {
    if docs.is_empty() {
        return Err(Error::invalid(
            "doc_types",
            "at least one document type is required",
        ));
    }
    for (i, d) in docs.iter().enumerate() {
        if !d.known() {
            return Err(Error::invalid(
                "doc_types",
                format!("unsupported document type {:?}", d.wire()),
            ));
        }
        if docs[..i].contains(d) {
            return Err(Error::invalid(
                "doc_types",
                format!("{} is listed twice", d.wire()),
            ));
        }
    }
    Ok(())
}

/// [`doc_types`] checks, then each document type as the generated enum `W`
/// of the body being built.
fn wire_doc_types<W, D>(docs: &[D]) -> Result<Vec<W>>
where
    W: for<'a> TryFrom<&'a str>,
    D: DocKind,
{
    doc_types(docs)?;
    docs.iter()
        .map(|d| wire_doc_type::<W>("doc_types", d.wire()))
        .collect()
}

pub(crate) fn redirect_url(url: &str) -> Result<()> {
    url_as_written("redirect_url", url)?;
    let written = url.as_bytes();
    if written.len() <= 8
        || !written[..8].eq_ignore_ascii_case(b"https://")
        || matches!(written[8], b'/' | b'?' | b'#' | b'@' | b':')
    {
        return Err(Error::invalid(
            "redirect_url",
            "must be an https:// URL with a host, as written (https://host/...)",
        ));
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid("redirect_url", format!("not a valid URL: {e}")))?;
    if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            "redirect_url",
            "must be an https:// URL with a host",
        ));
    }
    // The spec's own pattern, through the generated newtype.
    url.parse::<wire::DigilockerInitiateSessionBodyRedirectUrl>()
        .map_err(|_| Error::invalid("redirect_url", "must start with https://"))?;
    Ok(())
}

pub(crate) fn consent_expiry(expiry_ms: Option<i64>, now: SystemTime) -> Result<()> {
    let Some(ms) = expiry_ms else {
        return Ok(());
    };
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    if ms < now_ms + MIN_CONSENT_AHEAD.as_millis() as i64 {
        return Err(Error::invalid(
            "consent_expiry",
            "must be at least one hour in the future (milliseconds since the epoch)",
        ));
    }
    Ok(())
}

pub(crate) fn session_id(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::invalid("session_id", "must not be empty"));
    }
    if id.len() > 256 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid(
            "session_id",
            "must be at most 256 characters without spaces or control characters",
        ));
    }
    // The id becomes a path segment. `.` and `..` would be resolved away by
    // URL normalisation (on our side or a proxy's), and `\` counts as `/` in
    // http(s) URLs, so such an id could point the authorised request at
    // another resource. None of them can appear in a real session id.
    if id == "." || id == ".." {
        return Err(Error::invalid("session_id", "must not be `.` or `..`"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| matches!(c, '/' | '\\' | '?' | '#' | '%'))
    {
        return Err(Error::invalid(
            "session_id",
            format!("must not contain `{c}` (it would change the request path)"),
        ));
    }
    Ok(())
}

/// The generated flow enum `$wire` (each body has its own) for a [`Flow`].
macro_rules! wire_flow {
    ($flow:expr, $wire:ty) => {{
        type W = $wire;
        match $flow {
            Flow::Signin => W::Signin,
            Flow::Signup => W::Signup,
        }
    }};
}

fn options(o: &SessionOptions) -> Result<wire::DigilockerInitiateSessionBodyOptions> {
    use wire::DigilockerInitiateSessionBodyOptionsVerificationMethodItem as M;
    let verified_mobile = o
        .verified_mobile
        .as_ref()
        .map(|m| {
            m.expose()
                .parse::<wire::DigilockerInitiateSessionBodyOptionsVerifiedMobile>()
                .map_err(|_| {
                    Error::invalid(
                        "options.verified_mobile",
                        "must be a 10-digit Indian mobile number starting with 6-9",
                    )
                })
        })
        .transpose()?;
    let mut methods = Vec::with_capacity(o.verification_methods.len());
    for m in &o.verification_methods {
        let m = match m {
            VerificationMethod::Aadhaar => M::Aadhaar,
            VerificationMethod::Pan => M::Pan,
            VerificationMethod::DrivingLicense => M::DrivingLicense,
            VerificationMethod::Email => M::Email,
            VerificationMethod::Username => M::Username,
            VerificationMethod::Mobile => M::Mobile,
            VerificationMethod::Other => M::Other,
        };
        if methods.contains(&m) {
            return Err(Error::invalid(
                "options.verification_method",
                format!("{m} is listed twice"),
            ));
        }
        methods.push(m);
    }
    Ok(wire::DigilockerInitiateSessionBodyOptions {
        pinless: o.pinless,
        usernameless: o.usernameless,
        verification_method: methods,
        verified_mobile,
    })
}

pub(crate) fn start_session_body(
    req: &StartSession,
    now: SystemTime,
) -> Result<wire::DigilockerInitiateSessionBody> {
    use wire::DigilockerInitiateSessionBodyDocTypesItem as D;
    let docs = wire_doc_types::<D, _>(&req.doc_types)?;
    redirect_url(&req.redirect_url)?;
    consent_expiry(req.consent_expiry, now)?;
    let options = req.options.as_ref().map(options).transpose()?;
    Ok(wire::DigilockerInitiateSessionBody {
        consent_expiry: req.consent_expiry,
        doc_types: docs,
        entity: wire::DigilockerInitiateSessionBodyEntity::InCoSandboxKycDigilockerSessionRequest,
        flow: wire_flow!(req.flow, wire::DigilockerInitiateSessionBodyFlow),
        options,
        redirect_url: req
            .redirect_url
            .parse()
            .map_err(|_| Error::invalid("redirect_url", "must start with https://"))?,
    })
}

pub(crate) fn entity_start_body(
    req: &StartEntitySession,
    now: SystemTime,
) -> Result<wire::EntitylockerInitiateSessionBody> {
    redirect_url(&req.redirect_url)?;
    consent_expiry(req.consent_expiry, now)?;
    Ok(wire::EntitylockerInitiateSessionBody {
        // Checked above to be an hour ahead of now, hence positive.
        consent_expiry: req.consent_expiry.map(|ms| ms as u64),
        entity:
            wire::EntitylockerInitiateSessionBodyEntity::InCoSandboxKycEntitylockerSessionRequest,
        flow: wire_flow!(req.flow, wire::EntitylockerInitiateSessionBodyFlow),
        redirect_url: req
            .redirect_url
            .parse()
            .map_err(|_| Error::invalid("redirect_url", "must start with https://"))?,
    })
}

pub(crate) fn sdk_create_body(
    req: &CreateSdkSession<DocType>,
) -> Result<wire::DigilockerSdkCreateSessionBody> {
    use wire::DigilockerSdkCreateSessionBodyDocTypesItem as D;
    let docs = wire_doc_types::<D, _>(&req.doc_types)?;
    Ok(wire::DigilockerSdkCreateSessionBody {
        doc_types: docs,
        entity:
            wire::DigilockerSdkCreateSessionBodyEntity::InCoSandboxKycDigilockerSdkSessionRequest,
        flow: wire_flow!(req.flow, wire::DigilockerSdkCreateSessionBodyFlow),
    })
}

pub(crate) fn entity_sdk_create_body(
    req: &CreateSdkSession<EntityDocType>,
) -> Result<wire::EntitylockerSdkCreateSessionBody> {
    use wire::EntitylockerSdkCreateSessionBodyDocTypesItem as D;
    let docs = wire_doc_types::<D, _>(&req.doc_types)?;
    Ok(wire::EntitylockerSdkCreateSessionBody {
        doc_types: docs,
        entity: wire::EntitylockerSdkCreateSessionBodyEntity::InCoSandboxKycEntitylockerSdkSessionRequest,
        flow: wire_flow!(req.flow, wire::EntitylockerSdkCreateSessionBodyFlow),
    })
}

pub(crate) fn unsupported(field: &'static str, value: &str) -> Error {
    Error::invalid(field, format!("unsupported document type {value:?}"))
}

/// The generated enum value `W` for a document type's wire name. The
/// generated enums parse exactly the values the spec lists, so a type this
/// operation does not take (or an `Unknown` one) fails here, before sending.
pub(crate) fn wire_doc_type<W>(field: &'static str, wire_name: &str) -> Result<W>
where
    W: for<'a> TryFrom<&'a str>,
{
    W::try_from(wire_name).map_err(|_| unsupported(field, wire_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_any_of_rule_comes_from_the_spec() {
        assert!(
            ANY_OF_REQUIRED.iter().any(|r| r.operation_id == VERIFY_OP),
            "the verify anyOf rule disappeared from the generated rules"
        );
        let e = verify_body(&VerifyUser::default(), false).unwrap_err();
        assert!(e.to_string().contains("aadhaar_number | mobile"), "{e}");
    }

    #[test]
    fn consent_expiry_needs_an_hour() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let now_ms = 1_700_000_000_000i64;
        assert!(consent_expiry(Some(now_ms + 3_600_000), now).is_ok());
        assert!(consent_expiry(Some(now_ms + 3_599_999), now).is_err());
        assert!(consent_expiry(None, now).is_ok());
    }
}
