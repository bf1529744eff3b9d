//! Password hashes of the web app's users: argon2id (RFC 9106) through the RustCrypto `argon2`
//! crate, stored as a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the parameters
//! and the random salt travel with the hash and a later stscalc can raise the cost without
//! breaking the accounts already made.
//!
//! argon2id is memory-hard (a guessing rig needs memory per guess, not just arithmetic), the
//! winner of the Password Hashing Competition and OWASP's first choice; the RustCrypto crate is
//! pure Rust, maintained with the `password-hash` API that compares in constant time. The
//! parameters are the crate's defaults, OWASP's minimum (19 MiB, 2 passes, 1 lane): a login
//! costs some tens of milliseconds here, which the login rate limit makes harmless.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use super::{Error, Result};

/// The fewest characters a password may have.
pub const MIN_LEN: usize = 12;

/// The PHC string of `password` with a new random salt; refuses a password shorter than
/// [`MIN_LEN`] characters or longer than 1024 bytes (the error never shows the password).
pub fn hash(password: &str) -> Result<String> {
    let n = password.chars().count();
    if n < MIN_LEN || password.len() > 1024 {
        return Err(Error::Input {
            field: "password".into(),
            expected: format!("a password of at least {MIN_LEN} characters (at most 1024 bytes)"),
            found: format!("{n} characters"),
        });
    }
    let mut bytes = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| Error::Database("no random numbers for the password's salt".into()))?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| Error::Database(format!("cannot hash the password: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Database(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Whether `phc` reads as a PHC string of argon2 (what an imported user's hash must be).
pub fn is_phc(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| h.algorithm.as_str().starts_with("argon2"))
}

/// A hash of a fixed password, verified against when a login names no user, so that an
/// unknown name takes as long to refuse as a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("not-a-password-of-anyone").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("correct horse battery", "not a hash"));
        // A new salt each time.
        assert_ne!(h, hash("correct horse battery").unwrap());
    }

    #[test]
    fn a_short_password_is_refused_without_showing_it() {
        let e = hash("short-pw").unwrap_err().to_string();
        assert!(e.contains("at least 12 characters"), "{e}");
        assert!(!e.contains("short-pw"), "{e}");
    }
}
