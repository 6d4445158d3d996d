//! XMLDSig verification of DigiLocker and UIDAI documents against trust
//! anchors the caller configures.
//!
//! [`verify_document`] accepts one profile of enveloped signatures, the one
//! DigiLocker and UIDAI use, and nothing wider:
//!
//! - exactly one `Signature` in the whole document, a child of the document
//!   element;
//! - one `Reference` with `URI=""` (the whole document), whose only transform
//!   is enveloped-signature, so the digest input is the document minus the
//!   signature in inclusive Canonical XML 1.0; digest SHA-256;
//! - `SignedInfo` canonicalised with exclusive or inclusive C14N 1.0 (no
//!   comments, no prefix lists; offline e-KYC: inclusive only); signature
//!   RSA with SHA-256, or RSA with SHA-1 only for the known DigiLocker/UIDAI
//!   profiles;
//! - the signing certificate is the KeyInfo certificate whose key verifies
//!   the signature, and it must chain (each link's signature checked) to a
//!   configured anchor; KeyInfo alone is never trusted. Validity is judged at
//!   the document's signing time (or [`VerifyPolicy::at`]); the leaf needs
//!   key usage digitalSignature or nonRepudiation, intermediates must be CAs;
//!   an optional rule on the signer's organisation;
//! - DTDs and entities refused; size, node count and depth bounded;
//! - [`verify_offline_zip`] opens a UIDAI Paperless Offline e-KYC ZIP with
//!   the share code (ZipCrypto or AES), within the same size bound, and
//!   verifies its one XML entry as above with the offline profile;
//! - identity fields are read by explicit paths from the document element's
//!   own children, never from inside `Signature` (or its `Object`s).

mod c14n;
mod fields;
pub mod offline;
mod pki;
mod rsa;
#[doc(hidden)]
pub mod sign;

pub use fields::{IdentityFields, Profile};
pub use offline::{Contact, VerifiedOffline, verify_offline_zip};
pub use pki::{CertSummary, TrustAnchors};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use roxmltree::Node;
use sha2::{Digest as _, Sha256};
use std::fmt;

/// The environment variable naming a PEM file or a folder of PEM files with
/// trust anchors ([`TrustAnchors::from_env`]).
pub const TRUST_ANCHORS_ENV: &str = "DIGILOCKER_TRUST_ANCHORS";

pub(crate) const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const INC_C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Why a document was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not well-formed, or not the structure the profile allows.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// A DTD or entity declaration (refused outright).
    #[error("the document has a DTD or entity declarations, which are refused")]
    Dtd,
    /// Larger, deeper or with more nodes than the policy allows.
    #[error("the document is too large: {0}")]
    TooLarge(String),
    /// Not exactly one `Signature`.
    #[error("expected exactly one enveloped Signature, found {0}")]
    SignatureCount(usize),
    /// The reference does not cover the whole document.
    #[error("the signature's reference does not cover the whole document: {0}")]
    Reference(String),
    /// An algorithm or transform outside the profile.
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The content was changed after signing.
    #[error("digest mismatch: the signed content was changed")]
    DigestMismatch,
    /// No certificate in KeyInfo verifies the signature value.
    #[error("bad signature: no certificate in KeyInfo verifies the signature value")]
    BadSignature,
    /// The signer does not chain to a configured trust anchor.
    #[error("untrusted signer: {0}")]
    UntrustedSigner(String),
    /// A certificate of the chain was not valid at the checked time.
    #[error("outside validity: {0}")]
    OutsideValidity(String),
    /// The signer's key usage does not allow document signing, or an
    /// intermediate is not a CA.
    #[error("certificate usage: {0}")]
    KeyUsage(String),
    /// The signer's subject does not satisfy the policy's rule.
    #[error("the signer's subject does not satisfy the policy: {0}")]
    SubjectRule(String),
    /// No trust anchor configured, or the anchors could not be read.
    #[error("trust anchors: {0}")]
    Anchors(String),
    /// The offline e-KYC ZIP could not be opened (not a ZIP, not exactly one
    /// `.xml` entry, an unsupported compression).
    #[error("archive: {0}")]
    Archive(String),
    /// The share code does not open the offline e-KYC ZIP. (An encrypted
    /// entry that fails its integrity check after decryption is reported
    /// this way too: ZipCrypto cannot tell a wrong code from damage.)
    #[error("wrong share code: the offline e-KYC archive does not decrypt with it")]
    WrongShareCode,
}

/// What [`verify_document`] checks beyond the fixed profile.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyPolicy {
    /// Judge certificate validity at this time instead of the document's
    /// signing time.
    pub at: Option<DateTime<Utc>>,
    /// Accept RSA-SHA-1 signatures for the DigiLocker/UIDAI profiles (they
    /// all use it). Never accepted for other documents.
    pub allow_sha1_for_profiles: bool,
    /// When set, the signer's organisation (`O=`) must equal this.
    pub signer_organisation: Option<String>,
    /// Largest document accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting accepted.
    pub max_depth: usize,
    /// Most XML nodes accepted.
    pub max_nodes: u32,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        Self {
            at: None,
            allow_sha1_for_profiles: true,
            signer_organisation: None,
            max_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

impl VerifyPolicy {
    /// Judge validity at `at` instead of the signing time.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }
    /// Require the signer's organisation to be `org`.
    pub fn signer_organisation(mut self, org: impl Into<String>) -> Self {
        self.signer_organisation = Some(org.into());
        self
    }
    /// Refuse SHA-1 signatures even for the DigiLocker/UIDAI profiles.
    pub fn forbid_sha1(mut self) -> Self {
        self.allow_sha1_for_profiles = false;
        self
    }
}

/// The evidence a compliance team can store next to the document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Evidence {
    /// The signer's subject (RFC 4514).
    pub signer: String,
    /// The chain from the signer to the anchor, signer first, anchor last.
    pub chain: Vec<CertSummary>,
    /// SignedInfo's canonicalisation method URI.
    pub canonicalization: String,
    /// The signature method URI.
    pub signature_algorithm: String,
    /// The digest method URI.
    pub digest_algorithm: String,
    /// The signing time read from the signed content, when it has one.
    pub signed_at: Option<DateTime<Utc>>,
    /// The time certificate validity was judged at.
    pub validity_checked_at: DateTime<Utc>,
    /// SHA-256 (hex) of the exact bytes verified.
    pub document_sha256: String,
    /// When the verification ran.
    pub verified_at: DateTime<Utc>,
}

/// A document whose signature chains to a configured anchor, with the fields
/// read from what is signed.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct VerifiedDocument {
    /// Which document profile.
    pub profile: Profile,
    /// The identity fields (from the signed content only).
    pub fields: IdentityFields,
    /// What was checked and against what.
    pub evidence: Evidence,
}

impl fmt::Debug for VerifiedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedDocument")
            .field("profile", &self.profile)
            .field("fields", &self.fields)
            .field("evidence", &self.evidence)
            .finish()
    }
}

fn malformed(s: impl Into<String>) -> VerifyError {
    VerifyError::Malformed(s.into())
}

fn dsig_children<'a, 'i>(node: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, VerifyError> {
    let mut v = Vec::new();
    for c in node.children() {
        if c.is_element() {
            if c.tag_name().namespace() != Some(DSIG) {
                return Err(malformed(format!(
                    "unexpected element {} in {}",
                    c.tag_name().name(),
                    node.tag_name().name()
                )));
            }
            v.push(c);
        } else if c.is_text() && !c.text().unwrap_or("").trim().is_empty() {
            return Err(malformed(format!("text in {}", node.tag_name().name())));
        }
    }
    Ok(v)
}

fn expect<'a, 'i>(
    it: &mut std::slice::Iter<'_, Node<'a, 'i>>,
    name: &str,
) -> Result<Node<'a, 'i>, VerifyError> {
    match it.next() {
        Some(n) if n.tag_name().name() == name => Ok(*n),
        Some(n) => Err(malformed(format!(
            "expected {name}, found {}",
            n.tag_name().name()
        ))),
        None => Err(malformed(format!("missing {name}"))),
    }
}

fn algorithm<'a>(node: Node<'a, '_>) -> Result<&'a str, VerifyError> {
    node.attribute("Algorithm")
        .ok_or_else(|| malformed(format!("{} without Algorithm", node.tag_name().name())))
}

fn no_children(node: Node) -> Result<(), VerifyError> {
    if node.children().any(|c| c.is_element()) {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "parameters in {} are not supported",
            node.tag_name().name()
        )));
    }
    Ok(())
}

pub(crate) fn b64(text: &str) -> Result<Vec<u8>, VerifyError> {
    // Base64 is ASCII: dropping ASCII whitespace byte by byte is enough (and
    // much cheaper than a char iterator over a 100 KiB photo).
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|_| malformed("invalid base64"))
}

/// Parse with the profile's limits: no DTD, bounded size, nodes and depth.
pub(crate) fn parse<'i>(
    text: &'i str,
    policy: &VerifyPolicy,
) -> Result<roxmltree::Document<'i>, VerifyError> {
    if text.len() > policy.max_bytes {
        return Err(VerifyError::TooLarge(format!(
            "{} bytes, limit {}",
            text.len(),
            policy.max_bytes
        )));
    }
    // One linear pass of the document reader's bounds first: DTDs, depth,
    // and attributes per element, which roxmltree compares pairwise.
    use crate::flow::xml::{Overrun, check_bounds};
    match check_bounds(text.as_bytes(), policy.max_depth) {
        Ok(Ok(())) => {}
        Ok(Err(Overrun::Dtd)) => return Err(VerifyError::Dtd),
        Ok(Err(o)) => return Err(VerifyError::TooLarge(o.to_string())),
        Err(e) => return Err(malformed(e.0)),
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: policy.max_nodes,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => VerifyError::Dtd,
        roxmltree::Error::NodesLimitReached => VerifyError::TooLarge("too many nodes".into()),
        e => malformed(e.to_string()),
    })?;
    Ok(doc)
}

/// Verify one document's signature against `anchors` and read its fields.
///
/// `bytes` must be the exact bytes downloaded: re-serialising a document
/// breaks its signature.
pub fn verify_document(
    bytes: &[u8],
    anchors: &TrustAnchors,
    policy: &VerifyPolicy,
) -> Result<VerifiedDocument, VerifyError> {
    verify_inner(bytes, anchors, policy).map(|(v, _)| v)
}

/// [`verify_document`], also giving the document element's `referenceId`
/// (offline e-KYC) so that it need not be parsed twice.
pub(crate) fn verify_inner(
    bytes: &[u8],
    anchors: &TrustAnchors,
    policy: &VerifyPolicy,
) -> Result<(VerifiedDocument, Option<String>), VerifyError> {
    let verified_at = Utc::now();
    if anchors.is_empty() {
        return Err(VerifyError::Anchors("no trust anchor configured".into()));
    }
    if bytes.len() > policy.max_bytes {
        return Err(VerifyError::TooLarge(format!(
            "{} bytes, limit {}",
            bytes.len(),
            policy.max_bytes
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
    let doc = parse(text, policy)?;
    let root = doc.root_element();

    let sigs: Vec<Node> = doc
        .descendants()
        .filter(|n| {
            n.is_element()
                && n.tag_name().namespace() == Some(DSIG)
                && n.tag_name().name() == "Signature"
        })
        .collect();
    if sigs.len() != 1 {
        return Err(VerifyError::SignatureCount(sigs.len()));
    }
    let sig = sigs[0];
    if sig.parent() != Some(root) {
        return Err(malformed(
            "the Signature is not a child of the document element",
        ));
    }

    // Signature = SignedInfo, SignatureValue, KeyInfo?, Object*
    let parts = dsig_children(sig)?;
    let mut it = parts.iter();
    let signed_info = expect(&mut it, "SignedInfo")?;
    let sig_value = expect(&mut it, "SignatureValue")?;
    let mut key_info = None;
    for n in it {
        match n.tag_name().name() {
            "KeyInfo" if key_info.is_none() => key_info = Some(*n),
            "Object" => {}
            other => return Err(malformed(format!("unexpected {other} in Signature"))),
        }
    }
    let key_info =
        key_info.ok_or_else(|| VerifyError::UntrustedSigner("no certificate in KeyInfo".into()))?;

    // SignedInfo = CanonicalizationMethod, SignatureMethod, Reference
    let si = dsig_children(signed_info)?;
    let mut it = si.iter();
    let c14n_node = expect(&mut it, "CanonicalizationMethod")?;
    let method_node = expect(&mut it, "SignatureMethod")?;
    let reference = expect(&mut it, "Reference")?;
    if let Some(n) = it.next() {
        return Err(VerifyError::Reference(format!(
            "only one Reference is allowed, found also {}",
            n.tag_name().name()
        )));
    }
    let canonicalization = algorithm(c14n_node)?;
    no_children(c14n_node)?;
    let mode = match canonicalization {
        EXC_C14N => c14n::Mode::Exclusive,
        INC_C14N => c14n::Mode::Inclusive,
        other => return Err(VerifyError::UnsupportedAlgorithm(other.to_string())),
    };
    let signature_algorithm = algorithm(method_node)?;
    no_children(method_node)?;

    let profile = fields::profile(root);
    // UIDAI signs offline e-KYC with inclusive C14N 1.0 for SignedInfo.
    if profile == Profile::OfflineEkyc && mode != c14n::Mode::Inclusive {
        return Err(VerifyError::UnsupportedAlgorithm(format!(
            "an offline e-KYC document's SignedInfo must use inclusive C14N 1.0, found {canonicalization}"
        )));
    }
    let sha1 = match signature_algorithm {
        RSA_SHA256 => false,
        RSA_SHA1 if policy.allow_sha1_for_profiles && profile.allows_sha1() => true,
        RSA_SHA1 => {
            return Err(VerifyError::UnsupportedAlgorithm(format!(
                "rsa-sha1 is not accepted for a {profile:?} document"
            )));
        }
        other => return Err(VerifyError::UnsupportedAlgorithm(other.to_string())),
    };

    // Reference URI="" with only the enveloped-signature transform.
    if reference.attribute("URI") != Some("") {
        return Err(VerifyError::Reference(format!(
            "URI must be \"\" (the whole document), found {:?}",
            reference.attribute("URI").unwrap_or("(none)")
        )));
    }
    if reference
        .attributes()
        .any(|a| a.name() != "URI" && a.name() != "Id" && a.name() != "Type")
    {
        return Err(VerifyError::Reference(
            "unexpected attribute on Reference".into(),
        ));
    }
    let rparts = dsig_children(reference)?;
    let mut it = rparts.iter().peekable();
    if it.peek().map(|n| n.tag_name().name()) == Some("Transforms") {
        let transforms = dsig_children(*it.next().expect("peeked"))?;
        if transforms.len() != 1 || transforms[0].tag_name().name() != "Transform" {
            return Err(VerifyError::UnsupportedAlgorithm(
                "exactly one transform (enveloped-signature) is allowed".into(),
            ));
        }
        let t = algorithm(transforms[0])?;
        no_children(transforms[0])?;
        if t != ENVELOPED {
            return Err(VerifyError::UnsupportedAlgorithm(format!("transform {t}")));
        }
    } else {
        return Err(VerifyError::UnsupportedAlgorithm(
            "the reference must have the enveloped-signature transform".into(),
        ));
    }
    let rest: Vec<Node> = it.copied().collect();
    if rest.len() != 2
        || rest[0].tag_name().name() != "DigestMethod"
        || rest[1].tag_name().name() != "DigestValue"
    {
        return Err(malformed("Reference needs DigestMethod then DigestValue"));
    }
    let digest_algorithm = algorithm(rest[0])?;
    no_children(rest[0])?;
    if digest_algorithm != SHA256 {
        return Err(VerifyError::UnsupportedAlgorithm(
            digest_algorithm.to_string(),
        ));
    }
    let expected = b64(rest[1].text().unwrap_or(""))?;

    // The digest: the document minus the signature, inclusive C14N 1.0.
    let canon = c14n::document(&doc, text, c14n::Mode::Inclusive, Some(sig.id()));
    if Sha256::digest(&canon).as_slice() != expected.as_slice() {
        return Err(VerifyError::DigestMismatch);
    }

    // The signature over SignedInfo.
    let si_bytes = c14n::subtree(text, signed_info, mode);
    let sig_bytes = b64(sig_value.text().unwrap_or(""))?;
    let mut certs = Vec::new();
    for x in key_info
        .children()
        .filter(|n| n.has_tag_name((DSIG, "X509Data")))
    {
        for c in x
            .children()
            .filter(|n| n.has_tag_name((DSIG, "X509Certificate")))
        {
            certs.push(pki::Cert::from_der(b64(c.text().unwrap_or(""))?)?);
        }
    }
    if certs.is_empty() {
        return Err(VerifyError::UntrustedSigner(
            "no X509Certificate in KeyInfo".into(),
        ));
    }
    let signer = certs
        .iter()
        .position(|c| c.verifies(&si_bytes, &sig_bytes, sha1))
        .ok_or(VerifyError::BadSignature)?;

    let signed_at = fields::signing_time(root, profile);
    let validity_checked_at = policy.at.or(signed_at).unwrap_or(verified_at);
    let chain = pki::build_chain(&certs, signer, anchors, validity_checked_at)?;
    if let Some(org) = &policy.signer_organisation {
        let got = chain[0].organisations();
        if !got.iter().any(|o| o == org) {
            return Err(VerifyError::SubjectRule(format!(
                "organisation {org:?} required, the signer has {got:?}"
            )));
        }
    }
    let fields = fields::read(root, profile)?;
    let summaries: Vec<CertSummary> = chain.iter().map(|c| c.summary()).collect();
    let reference_id = root.attribute("referenceId").map(str::to_string);
    let verified = VerifiedDocument {
        profile,
        fields,
        evidence: Evidence {
            signer: summaries[0].subject.clone(),
            chain: summaries,
            canonicalization: canonicalization.to_string(),
            signature_algorithm: signature_algorithm.to_string(),
            digest_algorithm: digest_algorithm.to_string(),
            signed_at,
            validity_checked_at,
            document_sha256: hex(&Sha256::digest(bytes)),
            verified_at,
        },
    };
    Ok((verified, reference_id))
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
