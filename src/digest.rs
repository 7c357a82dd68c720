//! Digests of secrets, as the state and saved plans keep them: Argon2id with a random salt
//! per value (OWASP's parameters: 19 MiB, 2 passes), in the PHC string format
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). A digest tells whether a value changed
//! without keeping the value; salted and slow, it does not give a weak password away to
//! whoever reads a plan uploaded as a CI artifact.
//!
//! Digests of earlier versions (`sha256:` and the hex of an unsalted SHA-256) still verify,
//! so that a state made by them plans no change; they are rewritten the next time the
//! state is written (see [`Verified::Legacy`]).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use sha2::Digest as _;

/// Memory (KiB), passes and lanes of the digests maform writes.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// The most a digest read from a file may ask of a verification: a hostile state must not
/// make a plan allocate gigabytes or run for minutes.
const MAX_M_COST: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 8;

const LEGACY: &str = "sha256:";

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A new digest of `secret`, with a fresh random salt.
pub fn hash(secret: &[u8]) -> String {
    let params = Params::new(M_COST, T_COST, P_COST, None).expect("constant parameters are valid");
    let salt = SaltString::generate(&mut OsRng);
    match argon2(params).hash_password(secret, &salt) {
        Ok(h) => h.to_string(),
        // Only an invalid parameter set can fail, and these are constants.
        Err(e) => unreachable!("argon2id with constant parameters: {e}"),
    }
}

/// Whether a string is a digest (of either kind), not a value.
pub fn is_digest(s: &str) -> bool {
    s.starts_with("$argon2id$") || s.starts_with(LEGACY)
}

/// What a verification found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// `digest` is a current digest of the secret.
    Current,
    /// `digest` is an old, unsalted digest of the secret: keep the meaning, write a new one.
    Legacy,
    /// Not a digest of this secret (or not a digest maform accepts).
    No,
}

/// Whether `digest` is a digest of `secret`.
pub fn verify(secret: &[u8], digest: &str) -> Verified {
    if let Some(hex_digest) = digest.strip_prefix(LEGACY) {
        let ours = hex::encode(sha2::Sha256::digest(secret));
        return if subtle::ConstantTimeEq::ct_eq(ours.as_bytes(), hex_digest.as_bytes()).into() {
            Verified::Legacy
        } else {
            Verified::No
        };
    }
    let Ok(parsed) = PasswordHash::new(digest) else {
        return Verified::No;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return Verified::No;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return Verified::No;
    };
    if params.m_cost() > MAX_M_COST || params.t_cost() > MAX_T_COST || params.p_cost() > MAX_P_COST
    {
        return Verified::No;
    }
    match argon2(params).verify_password(secret, &parsed) {
        Ok(()) => Verified::Current,
        Err(_) => Verified::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_salted_and_verify() {
        let a = hash(b"Passw0rd!");
        let b = hash(b"Passw0rd!");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(is_digest(&a));
        assert_eq!(verify(b"Passw0rd!", &a), Verified::Current);
        assert_eq!(verify(b"Passw0rd?", &a), Verified::No);
    }

    #[test]
    fn old_digests_verify_as_legacy() {
        let old = format!("sha256:{}", hex::encode(sha2::Sha256::digest(b"p4ss")));
        assert_eq!(verify(b"p4ss", &old), Verified::Legacy);
        assert_eq!(verify(b"p4sS", &old), Verified::No);
    }

    #[test]
    fn hostile_or_foreign_digests_do_not_verify() {
        for d in [
            "",
            "plain",
            "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            // A memory cost of 4 GiB is refused, not attempted.
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=19456,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            assert_eq!(verify(b"x", d), Verified::No, "{d}");
        }
    }
}
