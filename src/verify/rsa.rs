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

use num_bigint::BigUint;
use sha2::Digest as _;

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
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

impl PublicKey {
    /// A key from a certificate's `SubjectPublicKeyInfo`: the algorithm's OID
    /// (DER content octets) and the subject public key bits (`RSAPublicKey`).
    pub(crate) fn from_spki_parts(oid: &[u8], key_bits: &[u8]) -> Option<Self> {
        if oid != RSA_ENCRYPTION {
            return None;
        }
        let (seq, rest) = der::read(key_bits, der::SEQUENCE)?;
        if !rest.is_empty() {
            return None;
        }
        let (n, seq) = der::uint(seq)?;
        let (e, seq) = der::uint(seq)?;
        if !seq.is_empty() {
            return None;
        }
        Self::new(n, e)
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
    let der_bytes = pem_body(key_pem, "PRIVATE KEY").ok_or("not a PKCS#8 PEM private key")?;
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
    /// `PrivateKeyInfo` { version, AlgorithmIdentifier, OCTET STRING
    /// `RSAPrivateKey` { version, n, e, d, p, q, dp, dq, qinv } }.
    fn from_pkcs8(input: &[u8]) -> Option<Self> {
        let (info, _) = der::read(input, der::SEQUENCE)?;
        let (_version, info) = der::uint(info)?;
        let (alg, info) = der::read(info, der::SEQUENCE)?;
        let (oid, _) = der::read(alg, der::OID)?;
        if oid != RSA_ENCRYPTION {
            return None;
        }
        let (octets, _) = der::read(info, der::OCTET_STRING)?;
        let (rsa, _) = der::read(octets, der::SEQUENCE)?;
        let (_version, rsa) = der::uint(rsa)?;
        let (n, rsa) = der::uint(rsa)?;
        let (_e, rsa) = der::uint(rsa)?;
        let (_d, rsa) = der::uint(rsa)?;
        let (p, rsa) = der::uint(rsa)?;
        let (q, rsa) = der::uint(rsa)?;
        let (dp, rsa) = der::uint(rsa)?;
        let (dq, rsa) = der::uint(rsa)?;
        let (qinv, _) = der::uint(rsa)?;
        Some(PrivateKey {
            n,
            p,
            q,
            dp,
            dq,
            qinv,
        })
    }
}

/// The DER inside a PEM block with this label.
fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = pem[start..].find(&end)? + start;
    let b64: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// The few DER reads the keys need: definite lengths only, bounded.
mod der {
    use num_bigint::BigUint;

    pub const SEQUENCE: u8 = 0x30;
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;

    /// The content of the element with `tag` at the start of `input`, and
    /// what follows it.
    pub fn read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&t, rest) = input.split_first()?;
        if t != tag {
            return None;
        }
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 3 || rest.len() < n {
                return None;
            }
            let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
            (len, &rest[n..])
        };
        if rest.len() < len {
            return None;
        }
        Some(rest.split_at(len))
    }

    /// A non-negative INTEGER.
    pub fn uint(input: &[u8]) -> Option<(BigUint, &[u8])> {
        let (content, rest) = read(input, INTEGER)?;
        if content.is_empty() || content[0] & 0x80 != 0 {
            return None;
        }
        Some((BigUint::from_bytes_be(content), rest))
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
        let der_bytes = pem_body(KEY, "PRIVATE KEY").unwrap();
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
