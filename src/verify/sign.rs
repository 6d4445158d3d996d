//! Enveloped signing in the DigiLocker profile. TEST SUPPORT ONLY: the
//! simulator and the tests sign synthetic documents with test keys.

use super::c14n;
use base64::Engine as _;
use rsa::Pkcs1v15Sign;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};

/// Sign `xml` (no Signature yet) with `key_pem` (PKCS#8), putting
/// `chain_pem` (leaf first) in KeyInfo: exclusive C14N SignedInfo, rsa-sha1
/// (or rsa-sha256), sha256 digest over inclusive C14N of the document.
pub fn sign_enveloped(
    xml: &str,
    key_pem: &str,
    chain_pem: &str,
    sha1: bool,
) -> Result<String, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let digest = Sha256::digest(c14n::document(&doc, xml, c14n::Mode::Inclusive, None));
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let method = if sha1 {
        super::RSA_SHA1
    } else {
        super::RSA_SHA256
    };
    let inner = format!(
        "<CanonicalizationMethod Algorithm=\"{}\"></CanonicalizationMethod><SignatureMethod Algorithm=\"{method}\"></SignatureMethod><Reference URI=\"\"><Transforms><Transform Algorithm=\"{}\"></Transform></Transforms><DigestMethod Algorithm=\"{}\"></DigestMethod><DigestValue>{}</DigestValue></Reference>",
        super::EXC_C14N,
        super::ENVELOPED,
        super::SHA256,
        b64(&digest)
    );
    let canonical = format!("<SignedInfo xmlns=\"{}\">{inner}</SignedInfo>", super::DSIG);
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem).map_err(|e| e.to_string())?;
    let sig = if sha1 {
        key.sign(
            Pkcs1v15Sign::new::<sha1::Sha1>(),
            &sha1::Sha1::digest(canonical.as_bytes()),
        )
    } else {
        key.sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(canonical.as_bytes()),
        )
    }
    .map_err(|e| e.to_string())?;
    let mut certs = String::new();
    for block in chain_pem.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let body = block
            .split("-----END CERTIFICATE-----")
            .next()
            .unwrap_or("");
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        certs.push_str(&format!("<X509Certificate>{body}</X509Certificate>"));
    }
    let signature = format!(
        "<Signature xmlns=\"{}\"><SignedInfo>{inner}</SignedInfo><SignatureValue>{}</SignatureValue><KeyInfo><X509Data>{certs}</X509Data></KeyInfo></Signature>",
        super::DSIG,
        b64(&sig)
    );
    let root = doc.root_element();
    let end = root.range().end;
    let close = xml[..end]
        .rfind("</")
        .ok_or("the document element must have an end tag")?;
    Ok(format!("{}{}{}", &xml[..close], signature, &xml[close..]))
}
