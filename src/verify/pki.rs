//! X.509: trust anchors, chain building and certificate checks.

use super::VerifyError;
use super::rsa::{Hash, PublicKey};
use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use std::path::Path;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

/// One certificate as the evidence records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CertSummary {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// Serial number (hex).
    pub serial: String,
    /// SHA-256 fingerprint of the DER (hex).
    pub sha256: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
}

#[derive(Clone)]
pub(crate) struct Cert {
    der: Vec<u8>,
    cert: Certificate,
}

fn to_chrono(t: x509_cert::time::Time) -> DateTime<Utc> {
    DateTime::<Utc>::from(t.to_system_time())
}

/// The raw TBSCertificate bytes (the signed part), straight from the DER:
/// the first element of `Certificate ::= SEQUENCE { tbs, algorithm,
/// signature }`, not a re-encoding of the parsed value.
fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    use der::{Reader, SliceReader};
    SliceReader::new(der)
        .ok()?
        .sequence(|r| {
            let tbs = r.tlv_bytes()?;
            r.tlv_bytes()?;
            r.tlv_bytes()?;
            Ok(tbs)
        })
        .ok()
}

impl Cert {
    pub(crate) fn from_der(der: Vec<u8>) -> Result<Self, VerifyError> {
        let cert = Certificate::from_der(&der)
            .map_err(|e| VerifyError::Malformed(format!("certificate: {e}")))?;
        Ok(Self { der, cert })
    }

    fn key(&self) -> Option<PublicKey> {
        PublicKey::from_spki(&self.cert.tbs_certificate.subject_public_key_info)
    }

    /// Does this certificate's key verify `sig` over `data`?
    pub(crate) fn verifies(&self, data: &[u8], sig: &[u8], sha1: bool) -> bool {
        let Some(key) = self.key() else { return false };
        let hash = if sha1 { Hash::Sha1 } else { Hash::Sha256 };
        key.verify(hash, data, sig)
    }

    /// Did `issuer` sign this certificate?
    fn issued_by(&self, issuer: &Cert) -> bool {
        if self.cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
            return false;
        }
        let Some(key) = issuer.key() else {
            return false;
        };
        let Some(tbs) = tbs_bytes(&self.der) else {
            return false;
        };
        let Some(sig) = self.cert.signature.as_bytes() else {
            return false;
        };
        let hash = match self.cert.signature_algorithm.oid.to_string().as_str() {
            "1.2.840.113549.1.1.11" => Hash::Sha256,
            "1.2.840.113549.1.1.12" => Hash::Sha384,
            "1.2.840.113549.1.1.13" => Hash::Sha512,
            "1.2.840.113549.1.1.5" => Hash::Sha1,
            _ => return false,
        };
        key.verify(hash, tbs, sig)
    }

    pub(crate) fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    pub(crate) fn organisations(&self) -> Vec<String> {
        let mut v = Vec::new();
        for rdn in self.cert.tbs_certificate.subject.0.iter() {
            for atv in rdn.0.iter() {
                if atv.oid.to_string() == "2.5.4.10" {
                    let s = atv.to_string();
                    v.push(s.strip_prefix("O=").unwrap_or(&s).replace('\\', ""));
                }
            }
        }
        v
    }

    pub(crate) fn summary(&self) -> CertSummary {
        let tbs = &self.cert.tbs_certificate;
        CertSummary {
            subject: self.subject(),
            issuer: tbs.issuer.to_string(),
            serial: super::hex(tbs.serial_number.as_bytes()),
            sha256: super::hex(&Sha256::digest(&self.der)),
            not_before: to_chrono(tbs.validity.not_before),
            not_after: to_chrono(tbs.validity.not_after),
        }
    }

    fn valid_at(&self, at: DateTime<Utc>) -> Result<(), VerifyError> {
        let v = &self.cert.tbs_certificate.validity;
        let (nb, na) = (to_chrono(v.not_before), to_chrono(v.not_after));
        if at < nb || at > na {
            return Err(VerifyError::OutsideValidity(format!(
                "{} is valid {} to {}, checked at {}",
                self.subject(),
                nb.to_rfc3339(),
                na.to_rfc3339(),
                at.to_rfc3339()
            )));
        }
        Ok(())
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.cert
            .tbs_certificate
            .get::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, k)| k)
    }

    fn is_ca(&self) -> bool {
        matches!(
            self.cert.tbs_certificate.get::<BasicConstraints>(),
            Ok(Some((_, BasicConstraints { ca: true, .. })))
        ) && self
            .key_usage()
            .is_none_or(|k| k.0.contains(KeyUsages::KeyCertSign))
    }
}

/// Build the path signer -> ... -> anchor and check every link.
pub(crate) fn build_chain(
    certs: &[Cert],
    signer: usize,
    anchors: &TrustAnchors,
    at: DateTime<Utc>,
) -> Result<Vec<Cert>, VerifyError> {
    let mut chain = vec![certs[signer].clone()];
    loop {
        let current = chain.last().expect("chain is never empty");
        if anchors.certs.iter().any(|a| a.der == current.der) {
            break;
        }
        if let Some(a) = anchors.certs.iter().find(|a| anchors.link(current, a)) {
            chain.push(a.clone());
            break;
        }
        if chain.len() > 8 {
            return Err(VerifyError::UntrustedSigner(
                "chain longer than 8 certificates".into(),
            ));
        }
        match certs
            .iter()
            .find(|c| anchors.link(current, c) && !chain.iter().any(|x| x.der == c.der))
        {
            Some(next) => chain.push(next.clone()),
            None => {
                return Err(VerifyError::UntrustedSigner(format!(
                    "{} does not chain to a configured trust anchor",
                    certs[signer].subject()
                )));
            }
        }
    }
    for c in &chain {
        c.valid_at(at)?;
    }
    let leaf = &chain[0];
    let anchored_leaf = chain.len() == 1;
    if !anchored_leaf {
        match leaf.key_usage() {
            Some(k)
                if k.0.contains(KeyUsages::DigitalSignature)
                    || k.0.contains(KeyUsages::NonRepudiation) => {}
            Some(_) => {
                return Err(VerifyError::KeyUsage(format!(
                    "{} may not sign documents (no digitalSignature or nonRepudiation)",
                    leaf.subject()
                )));
            }
            None => {
                return Err(VerifyError::KeyUsage(format!(
                    "{} has no key usage extension",
                    leaf.subject()
                )));
            }
        }
        for c in &chain[1..chain.len() - 1] {
            if !c.is_ca() {
                return Err(VerifyError::KeyUsage(format!(
                    "{} is not a CA",
                    c.subject()
                )));
            }
        }
    }
    Ok(chain)
}

/// Certificates the caller trusts as roots of document-signing chains.
#[derive(Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<Cert>,
    /// Certificate links (child, issuer) whose signature has been checked,
    /// by SHA-256 of both DER encodings. A link's signature is a fact about
    /// those bytes alone, so a document signed by a chain seen before costs
    /// one RSA operation (SignedInfo) instead of one per link. Validity,
    /// usage and CA checks are not cached.
    links: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<[u8; 32]>>>,
}

/// Most cached links before the cache starts over.
const MAX_CACHED_LINKS: usize = 4096;

impl TrustAnchors {
    /// Is `child` signed by `issuer`? (Cached when it is.)
    fn link(&self, child: &Cert, issuer: &Cert) -> bool {
        if child.cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
            return false;
        }
        let mut h = Sha256::new();
        h.update((child.der.len() as u64).to_be_bytes());
        h.update(&child.der);
        h.update(&issuer.der);
        let id: [u8; 32] = h.finalize().into();
        let cached = |f: &dyn Fn(&mut std::collections::HashSet<[u8; 32]>) -> bool| {
            self.links
                .lock()
                .map(|mut set| f(&mut set))
                .unwrap_or(false)
        };
        if cached(&|set| set.contains(&id)) {
            return true;
        }
        if !child.issued_by(issuer) {
            return false;
        }
        cached(&|set| {
            if set.len() >= MAX_CACHED_LINKS {
                set.clear();
            }
            set.insert(id)
        });
        true
    }
}

impl std::fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.certs.iter().map(|c| c.subject()))
            .finish()
    }
}

impl TrustAnchors {
    /// No anchors (nothing verifies until some are added).
    pub fn new() -> Self {
        Self::default()
    }

    /// Every `CERTIFICATE` block in `pem`.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, VerifyError> {
        let mut me = Self::new();
        me.add_pem(pem)?;
        Ok(me)
    }

    /// Add every `CERTIFICATE` block in `pem`.
    pub fn add_pem(&mut self, pem: impl AsRef<[u8]>) -> Result<(), VerifyError> {
        let list = Certificate::load_pem_chain(pem.as_ref())
            .map_err(|e| VerifyError::Anchors(format!("not PEM certificates: {e}")))?;
        if list.is_empty() {
            return Err(VerifyError::Anchors("no certificate in the PEM".into()));
        }
        for c in list {
            let der = c
                .to_der()
                .map_err(|e| VerifyError::Anchors(e.to_string()))?;
            self.certs.push(Cert { der, cert: c });
        }
        Ok(())
    }

    /// A PEM file, or every `.pem`/`.crt` file in a folder.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VerifyError> {
        let mut me = Self::new();
        me.add_path(path)?;
        Ok(me)
    }

    /// Add a PEM file, or every `.pem`/`.crt` file in a folder.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> Result<(), VerifyError> {
        let path = path.as_ref();
        let err = |e: std::io::Error| VerifyError::Anchors(format!("{}: {e}", path.display()));
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(err)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pem" || x == "crt"))
                .collect();
            files.sort();
            for f in files {
                self.add_pem(std::fs::read(&f).map_err(err)?)?;
            }
            if self.certs.is_empty() {
                return Err(VerifyError::Anchors(format!(
                    "{}: no .pem or .crt file",
                    path.display()
                )));
            }
            Ok(())
        } else {
            self.add_pem(std::fs::read(path).map_err(err)?)
        }
    }

    /// From the file or folder named by `DIGILOCKER_TRUST_ANCHORS`;
    /// `Ok(None)` when the variable is not set.
    pub fn from_env() -> Result<Option<Self>, VerifyError> {
        match std::env::var_os(super::TRUST_ANCHORS_ENV) {
            Some(p) if !p.is_empty() => Self::from_path(p).map(Some),
            _ => Ok(None),
        }
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// No anchors at all.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Summaries of the anchors (subject, fingerprint, validity).
    pub fn summaries(&self) -> Vec<CertSummary> {
        self.certs.iter().map(|c| c.summary()).collect()
    }
}
