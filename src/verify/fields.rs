//! Identity fields, read by explicit paths from the signed content only.

use super::VerifyError;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use roxmltree::Node;
use std::collections::BTreeMap;
use std::fmt;

/// Which kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum Profile {
    /// DigiLocker's Aadhaar XML (`Certificate/CertificateData/KycRes/UidData`).
    DigiLockerAadhaar,
    /// DigiLocker's PAN record (`Certificate type="PANCR"`).
    Pan,
    /// DigiLocker's driving licence (`Certificate type="DRVLC"`).
    DrivingLicence,
    /// UIDAI Paperless Offline e-KYC (`OfflinePaperlessKyc`).
    OfflineEkyc,
    /// Anything else (SHA-1 never accepted).
    Other,
}

impl Profile {
    pub(crate) fn allows_sha1(self) -> bool {
        !matches!(self, Profile::Other)
    }
}

/// The neutral identity fields of a verified document. `Debug` shows only
/// which fields are present.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct IdentityFields {
    /// The document number as printed (Aadhaar: masked `uid`).
    pub number: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Date of birth as written.
    pub dob: Option<String>,
    /// Gender as written.
    pub gender: Option<String>,
    /// Address parts by their attribute names.
    pub address: BTreeMap<String, String>,
    /// The photo (base64 JPEG) when the document has one.
    pub photo_base64: Option<String>,
    /// Offline e-KYC: the salted mobile hash (hex).
    pub mobile_hash: Option<String>,
    /// Offline e-KYC: the email hash (hex).
    pub email_hash: Option<String>,
}

impl fmt::Debug for IdentityFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityFields")
            .field("number", &self.number.as_deref().map(crate::redact::mask))
            .field("name", &self.name.is_some())
            .field("dob", &self.dob.is_some())
            .field("gender", &self.gender.is_some())
            .field("address", &self.address.keys().collect::<Vec<_>>())
            .field("photo", &self.photo_base64.is_some())
            .finish()
    }
}

/// The single child element `name` (no namespace); two are an error.
fn one<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Result<Option<Node<'a, 'i>>, VerifyError> {
    let mut it = node.children().filter(|c| {
        c.is_element() && c.tag_name().namespace().is_none() && c.tag_name().name() == name
    });
    let first = it.next();
    if it.next().is_some() {
        return Err(VerifyError::Malformed(format!("more than one {name}")));
    }
    Ok(first)
}

pub(crate) fn profile(root: Node) -> Profile {
    match root.tag_name().name() {
        "OfflinePaperlessKyc" => Profile::OfflineEkyc,
        "Certificate" => match root.attribute("type") {
            Some("PANCR") => Profile::Pan,
            Some("DRVLC") => Profile::DrivingLicence,
            _ if root.children().any(|c| c.has_tag_name("CertificateData")) => {
                Profile::DigiLockerAadhaar
            }
            _ => Profile::Other,
        },
        _ => Profile::Other,
    }
}

fn attr(n: Option<Node>, a: &str) -> Option<String> {
    n.and_then(|n| n.attribute(a)).map(str::to_string)
}

fn address(n: Option<Node>) -> BTreeMap<String, String> {
    n.map(|n| {
        n.attributes()
            .filter(|a| !a.value().is_empty())
            .map(|a| (a.name().to_string(), a.value().to_string()))
            .collect()
    })
    .unwrap_or_default()
}

fn uid_data(u: Node, f: &mut IdentityFields) -> Result<(), VerifyError> {
    let poi = one(u, "Poi")?;
    f.name = attr(poi, "name");
    f.dob = attr(poi, "dob");
    f.gender = attr(poi, "gender");
    f.mobile_hash = attr(poi, "m").filter(|s| !s.is_empty());
    f.email_hash = attr(poi, "e").filter(|s| !s.is_empty());
    f.address = address(one(u, "Poa")?);
    f.photo_base64 = one(u, "Pht")?.and_then(|p| p.text()).map(|t| {
        let b: Vec<u8> = t.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        // Only ASCII bytes were removed, so this is still UTF-8.
        String::from_utf8(b).unwrap_or_default()
    });
    Ok(())
}

pub(crate) fn read(root: Node, profile: Profile) -> Result<IdentityFields, VerifyError> {
    let mut f = IdentityFields::default();
    match profile {
        Profile::DigiLockerAadhaar => {
            let kyc = one(root, "CertificateData")?
                .map(|c| one(c, "KycRes"))
                .transpose()?
                .flatten();
            let uid = kyc.map(|k| one(k, "UidData")).transpose()?.flatten();
            if let Some(u) = uid {
                f.number = attr(Some(u), "uid");
                uid_data(u, &mut f)?;
            }
        }
        Profile::OfflineEkyc => {
            if let Some(u) = one(root, "UidData")? {
                uid_data(u, &mut f)?;
            }
        }
        Profile::Pan | Profile::DrivingLicence => {
            f.number = attr(Some(root), "number");
            let person = one(root, "IssuedTo")?
                .map(|t| one(t, "Person"))
                .transpose()?
                .flatten();
            f.name = attr(person, "name");
            f.dob = attr(person, "dob");
            f.gender = attr(person, "gender");
            f.address = address(person.map(|p| one(p, "Address")).transpose()?.flatten());
        }
        Profile::Other => {}
    }
    Ok(f)
}

fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 1800).expect("valid offset")
}

fn local(n: NaiveDateTime) -> Option<DateTime<Utc>> {
    ist()
        .from_local_datetime(&n)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// The signing time the signed content states (India time when no zone).
pub(crate) fn signing_time(root: Node, profile: Profile) -> Option<DateTime<Utc>> {
    let s = match profile {
        Profile::DigiLockerAadhaar => one(root, "CertificateData")
            .ok()??
            .children()
            .find(|c| c.has_tag_name("KycRes"))?
            .attribute("ts")?
            .to_string(),
        Profile::OfflineEkyc => {
            let r = root.attribute("referenceId")?;
            let t = r.get(4..18)?;
            return local(NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S").ok()?);
        }
        Profile::Pan | Profile::DrivingLicence => root.attribute("issueDate")?.to_string(),
        Profile::Other => return None,
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(&s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&s, f) {
            return local(n);
        }
    }
    for f in ["%d-%m-%Y", "%d/%m/%Y", "%d%m%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&s, f) {
            return local(d.and_hms_opt(0, 0, 0)?);
        }
    }
    None
}
