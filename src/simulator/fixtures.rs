//! Synthetic data served by the simulator.
//!
//! Nothing here belongs to a real person or company: names, numbers and
//! addresses are invented, Aadhaar numbers exist only in masked form, PAN
//! and licence numbers use impossible codes, and the XML signatures are
//! placeholders that do not verify.

use serde_json::{Value, json};

/// A 32x32 greyscale baseline JPEG (a 4x4 mosaic of grey tiles), base64.
/// Small, decodable by any JPEG decoder, and obviously not a photograph.
pub(crate) const PHOTO_JPEG_BASE64: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD//gArZGlnaWxvY2tlci1reWMgc2ltdWxhdG9yOiBzeW50aGV0aWMgcGhvdG//2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAALCAAgACABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/AP6QK+D6K+8K+D6/l/or+oCivxvor9kK+8K/G+iv2Qr/2Q==";

/// The synthetic person (and company) behind every simulated session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Persona {
    /// Full name.
    pub name: String,
    /// Date of birth as (day, month, year).
    pub date_of_birth: (u8, u8, u16),
    /// `"F"`, `"M"` or `"T"`.
    pub gender: String,
    /// Ten-digit mobile number.
    pub mobile: String,
    /// E-mail address (Sandbox profiles send it, often empty).
    pub email: String,
    /// Last four digits of the (never complete) Aadhaar number.
    pub aadhaar_last4: String,
    /// Care-of line of the address.
    pub care_of: String,
    /// House or flat.
    pub house: String,
    /// Street.
    pub street: String,
    /// Landmark.
    pub landmark: String,
    /// Locality.
    pub locality: String,
    /// Village, town or city.
    pub vtc: String,
    /// Sub-district.
    pub subdistrict: String,
    /// District.
    pub district: String,
    /// State.
    pub state: String,
    /// Six-digit PIN code.
    pub pincode: String,
    /// Post office.
    pub post_office: String,
    /// PAN (synthetic).
    pub pan: String,
    /// Driving licence number (synthetic; state code `XX`).
    pub driving_licence: String,
    /// Company name for EntityLocker.
    pub company_name: String,
    /// Company e-mail for EntityLocker.
    pub company_email: String,
    /// Company mobile for EntityLocker.
    pub company_mobile: String,
    /// Date of incorporation, DD/MM/YYYY.
    pub company_incorporated: String,
    /// Corporate identity number (synthetic).
    pub company_cin: String,
    /// GSTIN (synthetic).
    pub company_gstin: String,
}

impl Default for Persona {
    fn default() -> Self {
        Persona {
            name: "Asha Verma".into(),
            date_of_birth: (14, 3, 1992),
            gender: "F".into(),
            mobile: "9000000001".into(),
            email: "asha.verma@example.com".into(),
            aadhaar_last4: "1234".into(),
            care_of: "W/O Ravi Verma".into(),
            house: "Flat 12, Example Residency".into(),
            street: "Demo Road".into(),
            landmark: "Near Test Park".into(),
            locality: "Sample Nagar".into(),
            vtc: "Pune".into(),
            subdistrict: "Haveli".into(),
            district: "Pune".into(),
            state: "Maharashtra".into(),
            pincode: "411001".into(),
            post_office: "Sample Nagar".into(),
            pan: "ABCPV1234Z".into(),
            driving_licence: "XX01 20200000001".into(),
            company_name: "Verma Example Textiles Private Limited".into(),
            company_email: "compliance@example.com".into(),
            company_mobile: "9000000002".into(),
            company_incorporated: "12/06/2015".into(),
            company_cin: "U00000XX2015PTC000001".into(),
            company_gstin: "99ABCPV1234Z1Z0".into(),
        }
    }
}

impl Persona {
    /// `DD/MM/YYYY` (Sandbox profiles).
    pub(crate) fn dob_slash(&self) -> String {
        let (d, m, y) = self.date_of_birth;
        format!("{d:02}/{m:02}/{y:04}")
    }

    /// `DD-MM-YYYY` (Aadhaar XML, Eko).
    pub(crate) fn dob_dash(&self) -> String {
        let (d, m, y) = self.date_of_birth;
        format!("{d:02}-{m:02}-{y:04}")
    }

    /// Sandbox spells gender out in lowercase.
    pub(crate) fn gender_word(&self) -> &'static str {
        match self.gender.as_str() {
            "M" | "m" => "male",
            "T" | "t" => "transgender",
            _ => "female",
        }
    }

    pub(crate) fn masked_uid(&self) -> String {
        format!("xxxxxxxx{}", self.aadhaar_last4)
    }
}

/// What Sandbox says about a document type's file.
pub(crate) struct DocMeta {
    pub content_type: &'static str,
    pub issuer_id: &'static str,
    pub issuer: &'static str,
    pub description: &'static str,
    pub code: &'static str,
    pub extension: &'static str,
}

pub(crate) fn doc_meta(doc_type: &str) -> DocMeta {
    match doc_type {
        "aadhaar" => DocMeta {
            content_type: "application/xml",
            issuer_id: "in.gov.uidai",
            issuer: "Unique Identification Authority of India (UIDAI)",
            description: "Aadhaar Card",
            code: "ADHAR",
            extension: "xml",
        },
        "pan" => DocMeta {
            content_type: "application/xml",
            issuer_id: "in.gov.pan",
            issuer: "Income Tax Department",
            description: "PAN Verification Record",
            code: "PANCR",
            extension: "xml",
        },
        "driving_license" => DocMeta {
            content_type: "application/xml",
            issuer_id: "in.gov.transport",
            issuer: "Ministry of Road Transport and Highways",
            description: "Driving License",
            code: "DRVLC",
            extension: "xml",
        },
        "company_master_details" => DocMeta {
            content_type: "application/pdf",
            issuer_id: "in.gov.mca",
            issuer: "Ministry of Corporate Affairs",
            description: "Company Master Details",
            code: "CMDTL",
            extension: "pdf",
        },
        "gstn_details" => DocMeta {
            content_type: "application/pdf",
            issuer_id: "in.gov.gstn",
            issuer: "Goods and Services Tax Network",
            description: "GSTN Details",
            code: "GSTIN",
            extension: "pdf",
        },
        _ => DocMeta {
            content_type: "application/pdf",
            issuer_id: "in.gov.msme",
            issuer: "Ministry of Micro, Small and Medium Enterprises",
            description: "Udyam Registration Certificate",
            code: "UDYAM",
            extension: "pdf",
        },
    }
}

/// Escape text for an XML attribute or element.
fn x(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

const SYNTHETIC_NOTE: &str = "<!-- Synthetic document generated by the digilocker-kyc simulator. Not issued by any authority; signed by the simulator's TEST-ONLY CA. -->";

fn placeholder_signature() -> &'static str {
    concat!(
        r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>"#,
        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>"#,
        r#"<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>"#,
        r#"<Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>"#,
        r#"<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>U0lNVUxBVEVE</DigestValue></Reference>"#,
        r#"</SignedInfo><SignatureValue>U0lNVUxBVEVELU5PVC1BLVNJR05BVFVSRQ==</SignatureValue></Signature>"#
    )
}

/// The simulator's TEST-ONLY document-signing chain (root, intermediate,
/// leaf and the leaf's key; keys are public in the repository and
/// authenticate nothing). Regenerate with tests/fixtures/verify/make-pki.py.
pub(crate) const TEST_ROOT_PEM: &str = include_str!("test_pki/root.pem");
const TEST_INTER_PEM: &str = include_str!("test_pki/inter.pem");
const TEST_LEAF_PEM: &str = include_str!("test_pki/leaf.pem");
const TEST_LEAF_KEY: &str = include_str!("test_pki/leaf.key");

/// Replace the placeholder signature with a real enveloped signature (the
/// DigiLocker profile) by the simulator's test signer.
pub(crate) fn signed(xml: String) -> String {
    let unsigned = xml.replace(placeholder_signature(), "");
    let chain = format!("{TEST_LEAF_PEM}{TEST_INTER_PEM}{TEST_ROOT_PEM}");
    crate::verify::sign::sign_enveloped(&unsigned, TEST_LEAF_KEY, &chain, true).unwrap_or(xml)
}

/// Aadhaar in DigiLocker's XML form (`Certificate/CertificateData/KycRes/UidData`).
/// `issued` is `DD-MM-YYYY`, `ts` an ISO timestamp.
pub(crate) fn aadhaar_xml(p: &Persona, issued: &str, ts: &str, txn: &str) -> String {
    let uid = p.masked_uid();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n{note}\n",
            r#"<Certificate language="99" name="Aadhaar Card" type="ADHAR" number="{uid}" issueDate="{issued_compact}" status="A">"#,
            r#"<IssuedBy><Organization name="Unique Identification Authority of India" code="UIDAI" tin="" uid="" type="CG"/></IssuedBy>"#,
            r#"<IssuedTo><Person uid="{uid}" title="" name="{name}" dob="{dob}" gender="{gender}" phone="" email="">"#,
            r#"<Address type="permanent" line1="{house}" line2="{street}" house="{house}" landmark="{lm}" locality="{loc}" vtc="{vtc}" district="{dist}" pin="{pc}" state="{state}" country="India"/>"#,
            r#"<Photo format="jpg">{photo}</Photo></Person></IssuedTo>"#,
            r#"<CertificateData><KycRes code="SIM{txn_short}" ret="Y" ts="{ts}" ttl="{ts}" txn="UKC:{txn}">"#,
            r#"<UidData tkn="" uid="{uid}">"#,
            r#"<Poi dob="{dob}" gender="{gender}" name="{name}"/>"#,
            r#"<Poa co="{co}" country="India" dist="{dist}" house="{house}" lm="{lm}" loc="{loc}" pc="{pc}" po="{po}" state="{state}" street="{street}" subdist="{subdist}" vtc="{vtc}"/>"#,
            r#"<LData/>"#,
            r#"<Pht>{photo}</Pht>"#,
            r#"</UidData></KycRes></CertificateData>"#,
            "{sig}</Certificate>\n"
        ),
        note = SYNTHETIC_NOTE,
        uid = x(&uid),
        issued_compact = issued.replace('-', ""),
        name = x(&p.name),
        dob = x(&p.dob_dash()),
        gender = x(&p.gender),
        house = x(&p.house),
        street = x(&p.street),
        lm = x(&p.landmark),
        loc = x(&p.locality),
        vtc = x(&p.vtc),
        subdist = x(&p.subdistrict),
        dist = x(&p.district),
        state = x(&p.state),
        pc = x(&p.pincode),
        po = x(&p.post_office),
        co = x(&p.care_of),
        photo = PHOTO_JPEG_BASE64,
        ts = x(ts),
        txn = x(txn),
        txn_short = x(&txn.chars().take(8).collect::<String>()),
        sig = placeholder_signature(),
    )
}

/// PAN verification record (`Certificate type="PANCR"`).
pub(crate) fn pan_xml(p: &Persona, issued: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n{note}\n",
            r#"<Certificate language="99" name="PAN Verification Record" type="PANCR" number="{pan}" prevNumber="" expiryDate="" validFromDate="" issuedAt="" issueDate="{issued}" status="A">"#,
            r#"<IssuedBy><Organization name="Income Tax Department" code="ITD" tin="" uid="" type="CG"/></IssuedBy>"#,
            r#"<IssuedTo><Person uid="{uid}" title="" name="{name}" dob="{dob}" gender="{gender}" phone="" email=""/></IssuedTo>"#,
            r#"<CertificateData><PAN verifiedOn="{issued}" status="ACTIVE"/></CertificateData>"#,
            "{sig}</Certificate>\n"
        ),
        note = SYNTHETIC_NOTE,
        pan = x(&p.pan),
        issued = x(issued),
        uid = x(&p.masked_uid()),
        name = x(&p.name),
        dob = x(&p.dob_dash()),
        gender = x(&p.gender),
        sig = placeholder_signature(),
    )
}

/// Driving licence (`Certificate type="DRVLC"`).
pub(crate) fn driving_licence_xml(p: &Persona, issued: &str) -> String {
    let (d, m, y) = p.date_of_birth;
    let valid_till = format!("{d:02}-{m:02}-{:04}", y + 50);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n{note}\n",
            r#"<Certificate language="99" name="Driving License" type="DRVLC" number="{dl}" prevNumber="" expiryDate="{till}" validFromDate="{issued}" issuedAt="RTO XX01" issueDate="{issued}" status="A">"#,
            r#"<IssuedBy><Organization name="Transport Department" code="XX" tin="" uid="" type="SG"/></IssuedBy>"#,
            r#"<IssuedTo><Person uid="{uid}" title="" name="{name}" dob="{dob}" gender="{gender}" phone="" email="">"#,
            r#"<Address type="permanent" line1="{house}" line2="{street}" vtc="{vtc}" district="{dist}" pin="{pc}" state="{state}" country="India"/>"#,
            r#"<Photo format="jpg">{photo}</Photo></Person></IssuedTo>"#,
            r#"<CertificateData><DrivingLicense><Categories><Category abbreviation="LMV" description="Light Motor Vehicle" issueDate="{issued}" expiryDate="{till}"/><Category abbreviation="MCWG" description="Motor Cycle with Gear" issueDate="{issued}" expiryDate="{till}"/></Categories></DrivingLicense></CertificateData>"#,
            "{sig}</Certificate>\n"
        ),
        note = SYNTHETIC_NOTE,
        dl = x(&p.driving_licence),
        till = x(&valid_till),
        issued = x(issued),
        uid = x(&p.masked_uid()),
        name = x(&p.name),
        dob = x(&p.dob_dash()),
        gender = x(&p.gender),
        house = x(&p.house),
        street = x(&p.street),
        vtc = x(&p.vtc),
        dist = x(&p.district),
        pc = x(&p.pincode),
        state = x(&p.state),
        photo = PHOTO_JPEG_BASE64,
        sig = placeholder_signature(),
    )
}

/// A one-page PDF with the given lines of text (ASCII), with a correct
/// cross-reference table.
pub(crate) fn simple_pdf(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 11 Tf 50 780 Td 14 TL\n");
    for line in lines {
        let safe: String = line
            .chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({safe}) Tj T*\n"));
    }
    text.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{}endstream", text.len(), text),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, obj).as_bytes());
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
            objects.len() + 1,
            xref_at
        )
        .as_bytes(),
    );
    out
}

/// The file served for a document type.
pub(crate) fn document_file(
    p: &Persona,
    doc_type: &str,
    issued: &str,
    ts: &str,
    txn: &str,
) -> Vec<u8> {
    let note = "Synthetic document generated by the digilocker-kyc simulator".to_string();
    match doc_type {
        "aadhaar" => signed(aadhaar_xml(p, issued, ts, txn)).into_bytes(),
        "pan" => signed(pan_xml(p, issued)).into_bytes(),
        "driving_license" => signed(driving_licence_xml(p, issued)).into_bytes(),
        "company_master_details" => simple_pdf(&[
            "Company Master Details".into(),
            format!("Company name: {}", p.company_name),
            format!("CIN: {}", p.company_cin),
            format!("Date of incorporation: {}", p.company_incorporated),
            format!("Registered e-mail: {}", p.company_email),
            note,
        ]),
        "gstn_details" => simple_pdf(&[
            "GSTN Details".into(),
            format!("Legal name: {}", p.company_name),
            format!("GSTIN: {}", p.company_gstin),
            "Status: Active".into(),
            note,
        ]),
        _ => simple_pdf(&[
            "Udyam Registration Certificate".into(),
            format!("Name of enterprise: {}", p.company_name),
            "Udyam registration number: UDYAM-XX-00-0000001".into(),
            "Type of enterprise: Micro".into(),
            note,
        ]),
    }
}

/// Sandbox user profile `data` (DigiLocker and DigiLocker SDK).
pub(crate) fn sandbox_profile(p: &Persona, id: &str, entity: &str) -> Value {
    json!({
        "id": id,
        "@entity": entity,
        "date_of_birth": p.dob_slash(),
        "mobile": p.mobile,
        "name": p.name,
        "gender": p.gender_word(),
        "eaadhaar": true,
        "email": p.email,
    })
}

/// EntityLocker user profile `data`.
pub(crate) fn entitylocker_profile(p: &Persona, id: &str) -> Value {
    json!({
        "id": id,
        "@entity": "in.co.sandbox.kyc.entitylocker.user.profile",
        "date_of_birth": p.dob_slash(),
        "mobile": p.mobile,
        "name": p.name,
        "gender": p.gender_word(),
        "eaadhaar": true,
    })
}

/// EntityLocker entity details `data`.
pub(crate) fn entitylocker_entity(p: &Persona, id: &str) -> Value {
    json!({
        "id": id,
        "@entity": "in.co.sandbox.kyc.entitylocker.entity",
        "date_of_incorporation": p.company_incorporated,
        "email": p.company_email,
        "mobile": p.company_mobile,
        "name": p.company_name,
        "verified_by": "cin",
    })
}

/// Eko `user_details` once consent is given.
pub(crate) fn eko_user_details(p: &Persona) -> Value {
    json!({
        "name": p.name,
        "dob": p.dob_dash(),
        "gender": p.gender,
        "eaadhaar": "Y",
        "mobile": p.mobile,
    })
}

/// One Eko document in the `documents[]` shape.
pub(crate) fn eko_aadhaar_document(p: &Persona, issued: &str) -> Value {
    json!({
        "document_type": "AADHAAR",
        "name": p.name,
        "dob": p.dob_dash(),
        "gender": p.gender,
        "masked_aadhaar": format!("XXXX-XXXX-{}", p.aadhaar_last4),
        "photo": PHOTO_JPEG_BASE64,
        "issue_date": issued,
        "address": {
            "house": p.house,
            "street": p.street,
            "village_or_city": p.vtc,
            "district": p.district,
            "state": p.state,
            "pincode": p.pincode,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn simulator_documents_verify_against_its_test_ca() {
        use crate::verify::{Profile, TrustAnchors, VerifyPolicy, verify_document};
        let p = Persona::default();
        let anchors = TrustAnchors::from_pem(TEST_ROOT_PEM).unwrap();
        for (t, profile) in [
            ("aadhaar", Profile::DigiLockerAadhaar),
            ("pan", Profile::Pan),
            ("driving_license", Profile::DrivingLicence),
        ] {
            let doc = document_file(&p, t, "09-05-2025", "2025-05-09T10:00:00.000+05:30", "t1");
            let v = verify_document(&doc, &anchors, &VerifyPolicy::default()).unwrap();
            assert_eq!(v.profile, profile);
            assert_eq!(v.fields.name.as_deref(), Some(p.name.as_str()));
        }
    }

    #[test]
    fn photo_is_a_jpeg() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(PHOTO_JPEG_BASE64)
            .unwrap();
        assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
        assert_eq!(&bytes[bytes.len() - 2..], &[0xFF, 0xD9]);
    }

    #[test]
    fn aadhaar_xml_has_the_documented_structure() {
        let xml = aadhaar_xml(
            &Persona::default(),
            "09-05-2025",
            "2025-05-09T10:00:00.000+05:30",
            "t1",
        );
        for part in [
            "<Certificate ",
            "<CertificateData>",
            "<KycRes ",
            r#"<UidData tkn="" uid="xxxxxxxx1234">"#,
            r#"<Poi dob="14-03-1992" gender="F" name="Asha Verma"/>"#,
            "<Poa ",
            "<Pht>/9j/",
        ] {
            assert!(xml.contains(part), "missing {part}");
        }
        assert!(!xml.contains("123456789012"));
    }

    #[test]
    fn the_crates_xml_reader_reads_every_synthetic_document() {
        use crate::flow::xml::read_identity;
        let p = Persona::default();
        let a = read_identity(
            aadhaar_xml(&p, "09-05-2025", "2025-05-09T10:00:00.000+05:30", "t1").as_bytes(),
        )
        .expect("aadhaar XML is well-formed");
        assert_eq!(a.number.as_deref(), Some("xxxxxxxx1234"));
        assert_eq!(a.name.as_deref(), Some("Asha Verma"));
        assert_eq!(a.dob.as_deref(), Some("14-03-1992"));
        assert_eq!(a.gender.as_deref(), Some("F"));
        assert_eq!(a.address.get("pc").map(String::as_str), Some("411001"));
        assert_eq!(a.photo_base64.as_deref(), Some(PHOTO_JPEG_BASE64));
        let pan = read_identity(pan_xml(&p, "01-01-2015").as_bytes()).expect("PAN XML");
        assert_eq!(pan.number.as_deref(), Some("ABCPV1234Z"));
        assert_eq!(pan.name.as_deref(), Some("Asha Verma"));
        let dl = read_identity(driving_licence_xml(&p, "01-01-2015").as_bytes()).expect("DL XML");
        assert_eq!(dl.number.as_deref(), Some("XX01 20200000001"));
        assert!(dl.photo_base64.is_some());
        // Markup in persona fields is escaped, not injected.
        let odd = Persona {
            name: "A <b>&\"c\"".into(),
            ..Persona::default()
        };
        let o = read_identity(pan_xml(&odd, "01-01-2015").as_bytes()).expect("escaped");
        assert_eq!(o.name.as_deref(), Some("A <b>&\"c\""));
    }

    #[test]
    fn pdf_xref_offsets_point_at_objects() {
        let pdf = simple_pdf(&["Hello (world)".into()]);
        let text = String::from_utf8_lossy(&pdf).to_string();
        let xref = text.find("xref\n").unwrap();
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Byte offset equals char offset only if all earlier bytes are
        // ASCII; the binary comment line is 4 non-ASCII bytes, so compare
        // on bytes.
        assert_eq!(&pdf[startxref..startxref + 4], b"xref");
        let _ = xref;
        let first = text.lines().find(|l| l.ends_with(" 00000 n ")).unwrap();
        let off: usize = first[..10].parse().unwrap();
        assert_eq!(&pdf[off..off + 7], b"1 0 obj");
    }
}
