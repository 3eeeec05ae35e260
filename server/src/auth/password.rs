//! Password hashes: argon2id with the crate's defaults (the OWASP recommendation:
//! 19 MiB, 2 passes, 1 lane), run off the async threads because each takes tens of
//! milliseconds on purpose.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Why a new password is refused, in Vietnamese and English; `None` if it is acceptable.
pub fn weakness(password: &str) -> Option<(String, String)> {
    (password.chars().count() < MIN_LENGTH).then(|| {
        (
            format!("Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."),
            format!("The password needs at least {MIN_LENGTH} characters."),
        )
    })
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?
}

pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Verifying against this keeps a wrong username as slow as a wrong password.
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1yaR7/Y1nmVG5XW66NwrRyvZkx7Pi1Yld3dWn7BAt3k";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("một mật khẩu dài".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("một mật khẩu dài".into(), h.clone()).await);
        assert!(!verify("sai mật khẩu".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
        assert!(weakness("short").is_some());
        assert!(weakness("long enough password").is_none());
    }
}
