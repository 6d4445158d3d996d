//! Eko's request signature: known answers and properties.

use crate::eko_common as common;

use digilocker_kyc::Secret;
use digilocker_kyc::eko::Signer;
use digilocker_kyc::eko::sign::secret_key;
use proptest::prelude::*;

#[test]
fn known_answer_vectors() {
    assert_eq!(
        secret_key("test-access-key-123", "1700000000000"),
        "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo="
    );
    assert_eq!(
        secret_key("TEST_ACCESS_KEY_DO_NOT_USE", "1700000000000"),
        "u30ak/iOGwKCaspqCeiYng8fd98QDx7kF3DBBOadQHk="
    );
    // Computed independently (reference notes, section 2.2).
    assert_eq!(
        secret_key("d2fe1d99-6298-4af2-8cc5-d97dcf46df30", "1516705204593"),
        "FOoQl9IrqxsvErSHbIbHqfzDA/vvcSVdKxoY9uUaHmM="
    );
}

#[test]
fn test_helper_agrees_with_signer() {
    let s = Signer::new(&Secret::new(common::ACCESS_KEY));
    let sig = s.sign(common::T0);
    assert_eq!(
        sig.secret_key.expose(),
        common::expected_secret_key(common::ACCESS_KEY, "1700000000000")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A signature verifies for its own key and timestamp, matches an
    /// independent computation, and fails for any other timestamp.
    #[test]
    fn signature_verifies_only_for_its_timestamp(
        key in ".{0,64}",
        ts in 0u64..=9_999_999_999_999,
        other in 0u64..=9_999_999_999_999,
    ) {
        let signer = Signer::new(&Secret::new(key.clone()));
        let sig = signer.sign(ts);
        prop_assert_eq!(&sig.timestamp, &ts.to_string());
        prop_assert!(signer.verify(&sig.timestamp, sig.secret_key.expose()));
        prop_assert_eq!(
            sig.secret_key.expose(),
            common::expected_secret_key(&key, &sig.timestamp)
        );
        prop_assume!(other != ts);
        prop_assert!(!signer.verify(&other.to_string(), sig.secret_key.expose()));
    }

    /// A different access key does not verify the signature.
    #[test]
    fn signature_fails_for_another_key(
        key in "[ -~]{1,40}",
        other_key in "[ -~]{1,40}",
        ts in 0u64..=9_999_999_999_999,
    ) {
        prop_assume!(key != other_key);
        let sig = Signer::new(&Secret::new(key)).sign(ts);
        let other = Signer::new(&Secret::new(other_key));
        prop_assert!(!other.verify(&sig.timestamp, sig.secret_key.expose()));
    }
}
