//! Reading the identity fields out of DigiLocker's signed XML documents.
//!
//! Sandbox returns documents as links to files; for XML files (the usual
//! case) the identity data is inside. Two layouts are read:
//!
//! - Aadhaar (`ADHAR`): a `KycRes` element holding `UidData` (attribute
//!   `uid`, masked by UIDAI), with `Poi` (`name`, `dob`, `gender`), `Poa`
//!   (`co`, `house`, `street`, `lm`, `loc`, `vtc`, `subdist`, `dist`, `state`,
//!   `country`, `pc`, `po`) and `Pht` (base64 JPEG);
//! - other certificates (PAN `PANCR`, driving licence `DRVLC`): a
//!   `Certificate` element (attribute `number`) whose `IssuedTo` holds a
//!   `Person` (`name`, `dob`, `gender`) with an `Address` and a `Photo`.
//!
//! Elements are matched by local name wherever they sit, and attributes are
//! optional, so the reader tolerates the variations between issuers. The
//! enveloped XML signature is not verified here (that needs the issuer's
//! certificate chain); the file came over TLS from the aggregator.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::collections::BTreeMap;

/// Identity fields found in a DigiLocker XML document: the same type the
/// verifier reports ([`crate::verify::IdentityFields`]), so a document read
/// here and one verified there carry the same fields. (The offline e-KYC
/// hashes stay empty here.) `Debug` shows the number masked and, of the
/// rest, only which fields are there.
pub type XmlIdentity = crate::verify::IdentityFields;

/// Why an XML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError(pub String);

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable DigiLocker XML: {}", self.0)
    }
}

fn attrs(e: &BytesStart<'_>) -> BTreeMap<String, String> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            let key = a.key.local_name().into_inner().to_string();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .ok()?
                .to_string();
            Some((key, value))
        })
        .collect()
}

fn non_empty(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Address parts on one line in the order they are written on an envelope
/// (house to country), other parts after them, each value once (locality
/// and post office are often the same); the care-of line is left out.
/// Understands the Aadhaar (`house`, `lm`, `vtc`, `pc`...), certificate
/// (`line1`, `pin`...) and Eko (`village_or_city`, `pincode`...) names: it
/// is [`Address::one_line`](crate::vocab::Address::one_line) of the parts.
/// `None` when no part has a value.
pub fn address_line(parts: &BTreeMap<String, String>) -> Option<String> {
    Some(crate::vocab::Address::from_parts(parts).one_line()).filter(|l| !l.is_empty())
}

/// Largest document [`read_identity`] reads. Real DigiLocker XML, photo
/// included, is well under 1 MiB.
pub const MAX_XML_BYTES: usize = 8 * 1024 * 1024;
/// Most attributes one element may carry (Aadhaar's `Poa` has 13).
pub const MAX_ATTRIBUTES: usize = 64;
/// Deepest element nesting accepted (DigiLocker documents nest 5 deep).
pub const MAX_DEPTH: usize = 64;

/// A bound a document breaks, found before (or while) it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Overrun {
    /// A document type declaration (and so, possibly, entities).
    Dtd,
    /// Elements nest deeper than the limit.
    Depth(usize),
    /// One element carries more attributes than [`MAX_ATTRIBUTES`].
    Attributes,
}

impl std::fmt::Display for Overrun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Overrun::Dtd => {
                f.write_str("a document type declaration is not allowed (no DTDs, no entities)")
            }
            Overrun::Depth(max) => write!(f, "elements nest deeper than {max} levels"),
            Overrun::Attributes => {
                write!(f, "an element has more than {MAX_ATTRIBUTES} attributes")
            }
        }
    }
}

/// The bounds applied to one event, `depth` kept by the caller. Attributes
/// are counted without quick-xml's duplicate check, so the count stays
/// linear however many there are.
fn bound(event: &Event<'_>, depth: &mut usize, max_depth: usize) -> Result<(), Overrun> {
    match event {
        Event::DocType(_) => return Err(Overrun::Dtd),
        Event::Start(_) => {
            *depth += 1;
            if *depth > max_depth {
                return Err(Overrun::Depth(max_depth));
            }
        }
        Event::End(_) => *depth = depth.saturating_sub(1),
        _ => {}
    }
    if let Event::Start(e) | Event::Empty(e) = event
        && e.attributes()
            .with_checks(false)
            .nth(MAX_ATTRIBUTES)
            .is_some()
    {
        return Err(Overrun::Attributes);
    }
    Ok(())
}

/// One linear pass of the bounds over a whole document, for readers that
/// build a tree (the signature verifier's roxmltree, whose duplicate
/// attribute check is quadratic): `Ok(Ok(()))` within bounds, `Ok(Err(_))`
/// for the bound broken, `Err` when the text is not well-formed XML.
pub(crate) fn check_bounds(xml: &[u8], max_depth: usize) -> Result<Result<(), Overrun>, XmlError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| XmlError(format!("at byte {}: {e}", reader.buffer_position())))?;
        if matches!(event, Event::Eof) {
            return Ok(Ok(()));
        }
        if let Err(o) = bound(&event, &mut depth, max_depth) {
            return Ok(Err(o));
        }
        buf.clear();
    }
}

/// Read the identity fields of an Aadhaar, PAN or licence XML document.
///
/// Bounded: at most [`MAX_XML_BYTES`], [`MAX_ATTRIBUTES`] per element and
/// [`MAX_DEPTH`] levels; a document type declaration (and so any entity) is
/// refused. Beyond a bound the answer is an [`XmlError`], never a long parse.
pub fn read_identity(xml: &[u8]) -> Result<XmlIdentity, XmlError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(XmlError(format!(
            "{} bytes is more than the {MAX_XML_BYTES} bytes a DigiLocker document may have",
            xml.len()
        )));
    }
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut out = XmlIdentity::default();
    let mut buf = Vec::new();
    let mut in_photo = false;
    let mut in_address_of_person = false;
    let mut saw_element = false;
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| XmlError(format!("at byte {}: {e}", reader.buffer_position())))?;
        bound(&event, &mut depth, MAX_DEPTH).map_err(|o| XmlError(o.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                saw_element = true;
                let name = e.local_name().into_inner().to_string();
                let a = attrs(e);
                let is_start = matches!(event, Event::Start(_));
                match name.as_str() {
                    "UidData" => {
                        out.number = out.number.or(non_empty(a.get("uid")));
                    }
                    "Certificate" => {
                        out.number = out.number.or(non_empty(a.get("number")));
                    }
                    "Poi" | "Person" => {
                        out.name = out.name.or(non_empty(a.get("name")));
                        out.dob = out.dob.or(non_empty(a.get("dob")));
                        out.gender = out.gender.or(non_empty(a.get("gender")));
                        in_address_of_person = name == "Person";
                    }
                    "Poa" => {
                        for (k, v) in a {
                            if !v.trim().is_empty() {
                                out.address.entry(k).or_insert(v);
                            }
                        }
                    }
                    "Address" if in_address_of_person && out.address.is_empty() => {
                        for (k, v) in a {
                            if !v.trim().is_empty() && k != "type" {
                                out.address.insert(k, v);
                            }
                        }
                    }
                    "Pht" | "Photo" if is_start => in_photo = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_photo => {
                let text = t.xml10_content();
                let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                if !cleaned.is_empty() && out.photo_base64.is_none() {
                    out.photo_base64 = Some(cleaned);
                }
            }
            Event::End(ref e) => {
                let name = e.local_name().into_inner();
                if matches!(name, "Pht" | "Photo") {
                    in_photo = false;
                }
                if name == "Person" {
                    in_address_of_person = false;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_element {
        return Err(XmlError("no XML elements".into()));
    }
    Ok(out)
}

/// Documents above this size are read on tokio's blocking pool.
const BLOCKING_ABOVE: usize = 16 * 1024;

/// [`read_identity`] for async callers: a document larger than a few
/// kilobytes is parsed on tokio's blocking pool, so a large (or hostile)
/// file never holds up the runtime's workers.
pub async fn read_identity_async(xml: bytes::Bytes) -> Result<XmlIdentity, XmlError> {
    if xml.len() <= BLOCKING_ABOVE {
        return read_identity(&xml);
    }
    tokio::task::spawn_blocking(move || read_identity(&xml))
        .await
        .map_err(|e| XmlError(format!("the XML reader stopped: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_an_identity_shows_no_personal_data() {
        let id = XmlIdentity {
            number: Some("ABCPE1234F".into()),
            name: Some("Asha Verma".into()),
            dob: Some("15-08-1990".into()),
            gender: Some("F".into()),
            address: [("pc".to_string(), "411001".to_string())].into(),
            photo_base64: Some("/9j/4AAQSkZJRg==".into()),
            ..Default::default()
        };
        let shown = format!("{id:?}");
        for secret in ["ABCPE1234F", "Asha", "15-08-1990", "411001", "/9j/"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("pc") && shown.contains("name: true"),
            "{shown}"
        );
    }

    #[test]
    fn the_bounds_pass_counts_attributes_of_tags_only() {
        let ok = |x: &str| check_bounds(x.as_bytes(), MAX_DEPTH).unwrap();
        let many: String = (0..65).map(|i| format!(" a{i}=\"1\"")).collect();
        assert_eq!(ok(&format!("<a{many}/>")), Err(Overrun::Attributes));
        // `=` in values, comments, CDATA and instructions is no attribute.
        let few = format!(
            "<a x=\"{}\"><!--{}--><![CDATA[{}]]><?pi {}?></a>",
            "=".repeat(99),
            "b=1 ".repeat(99),
            "c=1 ".repeat(99),
            "d=1 ".repeat(99)
        );
        assert_eq!(ok(&few), Ok(()));
        let attack: String = (0..80_000).map(|i| format!(" a{i}=\"1\"")).collect();
        assert_eq!(ok(&format!("<Poi{attack}/>")), Err(Overrun::Attributes));
        assert_eq!(ok("<!DOCTYPE a><a/>"), Err(Overrun::Dtd));
        assert_eq!(
            check_bounds(b"<a><b></b></a>", 1).unwrap(),
            Err(Overrun::Depth(1))
        );
        assert!(check_bounds(b"<a x=\"1\" x=\"2\"><b></a>", MAX_DEPTH).is_err());
    }

    const AADHAAR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Certificate language="99" name="Aadhaar Card" type="ADHAR">
  <CertificateData>
    <KycRes code="c1" ret="Y" ts="2026-01-01T10:00:00">
      <UidData tkn="t" uid="xxxxxxxx1234">
        <Poi dob="15-08-1990" gender="F" name="Asha Verma"/>
        <Poa co="D/O Ravi Verma" country="India" dist="Pune" house="12" lm="" loc="Baner" pc="411045" po="Baner" state="Maharashtra" street="Lane 3" subdist="Haveli" vtc="Pune"/>
        <LData/>
        <Pht>/9j/4AAQ
SkZJRg==</Pht>
      </UidData>
    </KycRes>
  </CertificateData>
  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>
</Certificate>"#;

    #[test]
    fn reads_an_aadhaar_document() {
        let id = read_identity(AADHAAR.as_bytes()).unwrap();
        assert_eq!(id.number.as_deref(), Some("xxxxxxxx1234"));
        assert_eq!(id.name.as_deref(), Some("Asha Verma"));
        assert_eq!(id.dob.as_deref(), Some("15-08-1990"));
        assert_eq!(id.gender.as_deref(), Some("F"));
        assert_eq!(id.address.get("pc").map(String::as_str), Some("411045"));
        assert!(!id.address.contains_key("lm"), "empty parts are dropped");
        assert_eq!(id.photo_base64.as_deref(), Some("/9j/4AAQSkZJRg=="));
    }

    #[test]
    fn reads_a_pan_certificate() {
        let xml = r#"<Certificate language="99" name="PAN Verification Record" type="PANCR" number="ABCDE1234F">
          <IssuedBy><Organization name="Income Tax Department"/></IssuedBy>
          <IssuedTo><Person name="Asha Verma" dob="15-08-1990" gender="F"><Address line1="12 Lane 3" state="Maharashtra" pin="411045" country="IN"/></Person></IssuedTo>
        </Certificate>"#;
        let id = read_identity(xml.as_bytes()).unwrap();
        assert_eq!(id.number.as_deref(), Some("ABCDE1234F"));
        assert_eq!(id.name.as_deref(), Some("Asha Verma"));
        assert_eq!(id.address.get("pin").map(String::as_str), Some("411045"));
    }

    #[test]
    fn address_line_is_in_postal_order_without_repeats() {
        let parts: BTreeMap<String, String> = [
            ("co", "W/O Ravi Verma"),
            ("country", "India"),
            ("dist", "Pune"),
            ("house", "Flat 12"),
            ("loc", "Sample Nagar"),
            ("pc", "411001"),
            ("po", "Sample Nagar"),
            ("state", "Maharashtra"),
            ("street", "Demo Road"),
            ("vtc", "Pune"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            address_line(&parts).as_deref(),
            Some("Flat 12, Demo Road, Sample Nagar, Pune, Maharashtra, 411001, India")
        );
        assert_eq!(address_line(&BTreeMap::new()), None);
    }

    #[test]
    fn an_element_with_eighty_thousand_attributes_is_refused() {
        let mut xml = String::from("<Certificate><KycRes><UidData");
        for i in 0..80_000 {
            xml.push_str(&format!(" a{i}=\"v\""));
        }
        xml.push_str("/></KycRes></Certificate>");
        let e = read_identity(xml.as_bytes()).unwrap_err();
        assert!(e.0.contains("attributes"), "{e}");
    }

    #[test]
    fn deep_nesting_dtds_and_oversized_input_are_refused() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(
            read_identity(deep.as_bytes())
                .unwrap_err()
                .0
                .contains("deeper")
        );
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(read_identity(ok.as_bytes()).is_ok());
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x "Asha">]><Certificate><Poi name="&x;"/></Certificate>"#;
        assert!(read_identity(dtd.as_bytes()).unwrap_err().0.contains("DTD"));
        let big = vec![b' '; MAX_XML_BYTES + 1];
        assert!(read_identity(&big).unwrap_err().0.contains("bytes"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_identity(b"").is_err());
        assert!(read_identity(b"<a><b></a>").is_err());
        assert!(read_identity(b"not xml at all").is_err());
    }
}
