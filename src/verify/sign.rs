//! Enveloped signing in the DigiLocker profile. TEST SUPPORT ONLY: the
//! simulator and the tests sign synthetic documents with test keys.

use super::c14n;
use super::rsa::Hash;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Sign `xml` (no Signature yet) with `key_pem` (PKCS#8), putting
/// `chain_pem` (leaf first) in KeyInfo: exclusive C14N SignedInfo, rsa-sha1
/// (or rsa-sha256), sha256 digest over inclusive C14N of the document (the
/// DigiLocker profile).
pub fn sign_enveloped(
    xml: &str,
    key_pem: &str,
    chain_pem: &str,
    sha1: bool,
) -> Result<String, String> {
    sign_enveloped_with(xml, key_pem, chain_pem, sha1, false)
}

/// [`sign_enveloped`] with a choice of SignedInfo canonicalisation:
/// `inclusive_signed_info` gives the UIDAI offline e-KYC profile (inclusive
/// C14N 1.0 for SignedInfo too).
pub fn sign_enveloped_with(
    xml: &str,
    key_pem: &str,
    chain_pem: &str,
    sha1: bool,
    inclusive_signed_info: bool,
) -> Result<String, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let digest = Sha256::digest(c14n::document(&doc, xml, c14n::Mode::Inclusive, None));
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let method = if sha1 {
        super::RSA_SHA1
    } else {
        super::RSA_SHA256
    };
    let (c14n_uri, mode) = if inclusive_signed_info {
        (super::INC_C14N, c14n::Mode::Inclusive)
    } else {
        (super::EXC_C14N, c14n::Mode::Exclusive)
    };
    let inner = format!(
        "<CanonicalizationMethod Algorithm=\"{c14n_uri}\"></CanonicalizationMethod><SignatureMethod Algorithm=\"{method}\"></SignatureMethod><Reference URI=\"\"><Transforms><Transform Algorithm=\"{}\"></Transform></Transforms><DigestMethod Algorithm=\"{}\"></DigestMethod><DigestValue>{}</DigestValue></Reference>",
        super::ENVELOPED,
        super::SHA256,
        b64(&digest)
    );
    let mut certs = String::new();
    let chain = x509_cert::Certificate::load_pem_chain(chain_pem.as_bytes())
        .map_err(|e| format!("certificate chain: {e}"))?;
    for cert in chain {
        use der::Encode as _;
        let der = cert.to_der().map_err(|e| e.to_string())?;
        certs.push_str(&format!("<X509Certificate>{}</X509Certificate>", b64(&der)));
    }
    const PLACEHOLDER: &str = "<SignatureValue></SignatureValue>";
    let signature = format!(
        "<Signature xmlns=\"{}\"><SignedInfo>{inner}</SignedInfo>{PLACEHOLDER}<KeyInfo><X509Data>{certs}</X509Data></KeyInfo></Signature>",
        super::DSIG,
    );
    let root = doc.root_element();
    let end = root.range().end;
    let close = xml[..end]
        .rfind("</")
        .ok_or("the document element must have an end tag")?;
    let unsigned = format!("{}{}{}", &xml[..close], signature, &xml[close..]);
    // Canonicalise SignedInfo where it stands, so that inclusive C14N picks
    // up the namespaces in scope there.
    let placed = roxmltree::Document::parse(&unsigned).map_err(|e| e.to_string())?;
    let si = placed
        .descendants()
        .find(|n| n.has_tag_name((super::DSIG, "SignedInfo")))
        .ok_or("SignedInfo not found")?;
    let canonical = c14n::subtree(&unsigned, si, mode);
    let hash = if sha1 { Hash::Sha1 } else { Hash::Sha256 };
    let sig = super::rsa::sign_with_test_key(key_pem, hash, &canonical)?;
    let at = close + signature.find(PLACEHOLDER).ok_or("placeholder")?;
    Ok(format!(
        "{}<SignatureValue>{}</SignatureValue>{}",
        &unsigned[..at],
        b64(&sig),
        &unsigned[at + PLACEHOLDER.len()..]
    ))
}
