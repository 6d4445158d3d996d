//! RSASSA-PKCS1-v1_5 (RFC 8017, section 8.2) over `num-bigint`.
//!
//! Verification works on public values only: the signature is raised to the
//! public exponent, and the result is compared byte for byte with the
//! encoding we build ourselves (EMSA-PKCS1-v1_5: `00 01 FF.. 00 DigestInfo`).
//! Nothing of the signature block is parsed, so the classic forgeries that
//! exploit lenient parsers (garbage after the digest, short padding, a
//! DigestInfo with extra fields) have nothing to hold on to.
//!
//! Signing exists for the simulator and the tests, which sign synthetic
//! documents with test keys published in this repository. It is not
//! constant-time and must never see a key that matters; that is also why the
//! `rsa` crate is not used (its constant-time private-key arithmetic is the
//! subject of RUSTSEC-2023-0071, which has no fixed version, and verification
//! is all the library needs).

use der::asn1::{ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Reader, SliceReader};
use num_bigint::BigUint;
use sha2::Digest as _;
use x509_cert::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned};

/// Smallest and largest modulus accepted, in bits.
const MIN_BITS: u64 = 2048;
const MAX_BITS: u64 = 8192;

/// The digest under an RSA signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The DER of `DigestInfo` up to the digest octets (RFC 8017, 9.2 note 1).
    fn prefix(self) -> &'static [u8] {
        match self {
            Hash::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// EMSA-PKCS1-v1_5 of `data` for a modulus of `k` bytes.
fn encode(hash: Hash, data: &[u8], k: usize) -> Option<Vec<u8>> {
    let prefix = hash.prefix();
    let digest = hash.digest(data);
    let t_len = prefix.len() + digest.len();
    // At least eight 0xFF octets of padding.
    let ps = k.checked_sub(t_len + 3).filter(|ps| *ps >= 8)?;
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(2 + ps, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(&digest);
    Some(em)
}

/// `x` as exactly `k` big-endian octets (I2OSP), or `None` if it is longer.
fn i2osp(x: &BigUint, k: usize) -> Option<Vec<u8>> {
    let b = x.to_bytes_be();
    if b.len() > k {
        return None;
    }
    let mut out = vec![0u8; k - b.len()];
    out.extend_from_slice(&b);
    Some(out)
}

/// `s^e mod n` by plain left-to-right square-and-multiply: for e = 65537
/// that is 17 products, where a windowed Montgomery `modpow` would walk a
/// whole exponent word (public values only, so no constant-time concern).
fn public_op(s: &BigUint, e: &BigUint, n: &BigUint) -> BigUint {
    let mut acc = s.clone();
    for i in (0..e.bits().saturating_sub(1)).rev() {
        acc = (&acc * &acc) % n;
        if e.bit(i) {
            acc = (&acc * s) % n;
        }
    }
    acc
}

/// An RSA public key.
#[derive(Clone)]
pub(crate) struct PublicKey {
    n: BigUint,
    e: BigUint,
    k: usize,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} bits)", self.n.bits())
    }
}

/// rsaEncryption, 1.2.840.113549.1.1.1.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn uint(u: UintRef<'_>) -> BigUint {
    BigUint::from_bytes_be(u.as_bytes())
}

impl PublicKey {
    /// The RSA key of a certificate's `SubjectPublicKeyInfo`
    /// (`RSAPublicKey ::= SEQUENCE { modulus, publicExponent }`).
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Option<Self> {
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return None;
        }
        let bits = spki.subject_public_key.as_bytes()?;
        let mut r = SliceReader::new(bits).ok()?;
        let (n, e) = r
            .sequence(|r| Ok((UintRef::decode(r)?, UintRef::decode(r)?)))
            .ok()?;
        r.finish(()).ok()?;
        Self::new(uint(n), uint(e))
    }

    fn new(n: BigUint, e: BigUint) -> Option<Self> {
        let bits = n.bits();
        let e_ok = e.bits() >= 2 && e.bit(0) && e < n;
        if !(MIN_BITS..=MAX_BITS).contains(&bits) || !n.bit(0) || !e_ok {
            return None;
        }
        let k = bits.div_ceil(8) as usize;
        Some(PublicKey { n, e, k })
    }

    /// Whether `sig` is this key's RSASSA-PKCS1-v1_5 signature over `data`.
    pub(crate) fn verify(&self, hash: Hash, data: &[u8], sig: &[u8]) -> bool {
        if sig.len() != self.k {
            return false;
        }
        let s = BigUint::from_bytes_be(sig);
        if s >= self.n {
            return false;
        }
        let m = public_op(&s, &self.e, &self.n);
        match (i2osp(&m, self.k), encode(hash, data, self.k)) {
            (Some(em), Some(expected)) => em == expected,
            _ => false,
        }
    }
}

/// Sign `data` with a PKCS#8 PEM RSA key. TEST KEYS ONLY: not constant-time.
pub(crate) fn sign_with_test_key(
    key_pem: &str,
    hash: Hash,
    data: &[u8],
) -> Result<Vec<u8>, String> {
    let (label, der_bytes) =
        der::pem::decode_vec(key_pem.as_bytes()).map_err(|e| format!("key PEM: {e}"))?;
    if label != "PRIVATE KEY" {
        return Err(format!(
            "a PKCS#8 PRIVATE KEY PEM was expected, not {label}"
        ));
    }
    let key = PrivateKey::from_pkcs8(&der_bytes).ok_or("not an RSA PKCS#8 private key")?;
    let k = key.n.bits().div_ceil(8) as usize;
    let em = encode(hash, data, k).ok_or("key too small for this digest")?;
    let m = BigUint::from_bytes_be(&em);
    // Chinese remainder theorem (RFC 8017, 5.1.2, step 2.b).
    let m1 = m.modpow(&key.dp, &key.p);
    let m2 = m.modpow(&key.dq, &key.q);
    let diff = (&m1 + &key.p - (&m2 % &key.p)) % &key.p;
    let h = (&key.qinv * diff) % &key.p;
    let s = m2 + h * &key.q;
    i2osp(&s, k).ok_or_else(|| "signature longer than the modulus".to_string())
}

struct PrivateKey {
    n: BigUint,
    p: BigUint,
    q: BigUint,
    dp: BigUint,
    dq: BigUint,
    qinv: BigUint,
}

impl PrivateKey {
    /// `PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET
    /// STRING (RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq,
    /// qinv }) }`.
    fn from_pkcs8(input: &[u8]) -> Option<Self> {
        let octets = SliceReader::new(input)
            .ok()?
            .sequence(|r| {
                u8::decode(r)?;
                let alg = AlgorithmIdentifierRef::decode(r)?;
                let key = OctetStringRef::decode(r)?;
                // Attributes and a public key may follow (PKCS#8 v2).
                while !r.is_finished() {
                    r.tlv_bytes()?;
                }
                Ok((alg.oid, key.as_bytes()))
            })
            .ok()
            .filter(|(oid, _)| *oid == RSA_ENCRYPTION)?
            .1;
        SliceReader::new(octets)
            .ok()?
            .sequence(|r| {
                u8::decode(r)?;
                let mut v = [(); 8].map(|_| BigUint::default());
                for slot in &mut v {
                    *slot = uint(UintRef::decode(r)?);
                }
                let [n, _e, _d, p, q, dp, dq, qinv] = v;
                Ok(PrivateKey {
                    n,
                    p,
                    q,
                    dp,
                    dq,
                    qinv,
                })
            })
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_operation_is_modpow() {
        let n = BigUint::from(3233u32);
        for e in [3u32, 17, 65537] {
            for s in [2u32, 65, 3000] {
                let (s, e) = (BigUint::from(s), BigUint::from(e));
                assert_eq!(public_op(&s, &e, &n), s.modpow(&e, &n));
            }
        }
    }

    /// The simulator's test signer (test-only, published in this repository).
    const KEY: &str = include_str!("../simulator/test_pki/leaf.key");

    fn public_of_test_key() -> PublicKey {
        let (_, der_bytes) = der::pem::decode_vec(KEY.as_bytes()).unwrap();
        let k = PrivateKey::from_pkcs8(&der_bytes).unwrap();
        PublicKey::new(k.n, BigUint::from(65537u32)).unwrap()
    }

    #[test]
    fn signs_and_verifies_with_every_digest() {
        let key = public_of_test_key();
        for hash in [Hash::Sha1, Hash::Sha256, Hash::Sha384, Hash::Sha512] {
            let sig = sign_with_test_key(KEY, hash, b"signed info").unwrap();
            assert!(key.verify(hash, b"signed info", &sig), "{hash:?}");
            assert!(!key.verify(hash, b"signed inf0", &sig), "{hash:?}");
            let other = if hash == Hash::Sha1 {
                Hash::Sha256
            } else {
                Hash::Sha1
            };
            assert!(!key.verify(other, b"signed info", &sig), "{hash:?}");
            let mut flipped = sig.clone();
            flipped[100] ^= 1;
            assert!(!key.verify(hash, b"signed info", &flipped));
            assert!(!key.verify(hash, b"signed info", &sig[1..]));
        }
    }

    #[test]
    fn signatures_match_an_independent_implementation() {
        // `printf abc | openssl dgst -sha256 -sign src/simulator/test_pki/leaf.key
        // | base64 -w0`: PKCS#1 v1.5 is deterministic, so the bytes must match.
        let want = "P+Hh5F/jQ4B4wtohQ14h9vY46jOqsb9kPSh+2NRSZAVBKHr7SttOYSJL2X8OI7aWU7j3lhkxbm1+ebmKHNEY7XXIvyocRfQljSyidPllvChRnQ/G+WWZkeOqQp8ECU7Oft0DXVEnWQ0SUHmbAYnj9vzp4AvYedgK4uzhU6H0STIxDVrRYcwedOWpUzbAdomSCAo7K86C/GRBukfXvD1YEp9QtVuen7b7u9NSmZjTD9wGkltfaDCIILg6cWKqrF2OyMQNrv6Dj29MeEdcbDIwk1R/fuJNjkdBqs/ur2eH+ygWw89m0d7VxsMxYfLPmAXWcaCKfaW9lXITgO9fHbVCXQ==";
        use base64::Engine as _;
        let want = base64::engine::general_purpose::STANDARD
            .decode(want.trim())
            .unwrap();
        assert_eq!(sign_with_test_key(KEY, Hash::Sha256, b"abc").unwrap(), want);
    }

    #[test]
    fn weak_or_odd_keys_are_refused() {
        let small = BigUint::from(3233u32);
        assert!(PublicKey::new(small, BigUint::from(17u32)).is_none());
        let k = public_of_test_key();
        assert!(PublicKey::new(k.n.clone(), BigUint::from(1u32)).is_none());
        assert!(PublicKey::new(k.n.clone(), BigUint::from(4u32)).is_none());
        assert!(PublicKey::new(k.n + 1u32, BigUint::from(65537u32)).is_none());
    }
}
