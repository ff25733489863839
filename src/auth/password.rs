//! argon2id password hashing (run in `spawn_blocking`: it is slow on purpose),
//! the password rules, and one-time passwords.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::Rng;

/// Hash of a random password, verified against when the e-mail is unknown so
/// that an unknown e-mail takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&one_time_password()).unwrap_or_default());

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let h = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    Ok(h.to_string())
}

/// At most this many argon2id computations at once (19 MiB each): a burst of
/// logins queues here instead of growing the blocking pool and its memory.
static HASHING: Semaphore = Semaphore::const_new(4);

/// Hash a password with argon2id (the default variant) off the async threads.
pub(crate) async fn hash(password: String) -> anyhow::Result<String> {
    let _permit = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Verify `password` against `stored`, or against a dummy hash when there is no user.
pub(crate) async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else { return false };
    tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok();
        ok && hash != *DUMMY_HASH
    })
    .await
    .unwrap_or(false)
}

/// A random one-time password: 16 characters without look-alikes (0/O, 1/l/I).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The rules for a new password; the error is a Swedish message for the field.
pub(crate) fn check_new_password(password: &str, email: &str) -> Result<(), &'static str> {
    if password.chars().count() < 12 {
        return Err("Lösenordet måste ha minst 12 tecken.");
    }
    if password.chars().count() > 200 {
        return Err("Lösenordet får ha högst 200 tecken.");
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("Lösenordet får inte vara din e-postadress.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("rätt lösenord 123".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("rätt lösenord 123".into(), Some(h.clone())).await);
        assert!(!verify("fel lösenord 1234".into(), Some(h)).await);
        assert!(!verify("vad som helst".into(), None).await);
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("kort", "a@b.se").is_err());
        assert!(check_new_password("anna@example.se", "Anna@Example.se").is_err());
        assert!(check_new_password("ett långt lösenord", "a@b.se").is_ok());
        let otp = one_time_password();
        assert_eq!(otp.len(), 16);
        assert_ne!(otp, one_time_password());
    }
}
