//! Password hashes: argon2id with the crate's defaults (the OWASP recommendation:
//! 19 MiB, 2 passes, 1 lane), run off the async threads because each takes tens of
//! milliseconds on purpose.
//!
//! Each hash or verification holds 19 MiB while it runs, so only a few run at once
//! ([`MAX_CONCURRENT`], shared by the whole process); a caller that cannot get a place
//! within [`WAIT_FOR_PLACE`] gets [`Busy`] (the sign-in page answers 429) instead of queueing
//! without bound. A burst of sign-ins can therefore neither exhaust memory nor run more
//! guesses than the places allow.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Argon2 runs allowed at once (19 MiB each).
pub const MAX_CONCURRENT: usize = 4;

/// How long a sign-in waits for a place before it is told the server is busy.
pub const WAIT_FOR_PLACE: Duration = Duration::from_secs(5);

static PLACES: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(MAX_CONCURRENT)));
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// No place to run argon2 came free in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once; try again in a moment")]
pub struct Busy;

/// The most argon2 runs that were ever under way at once in this process.
pub fn peak_concurrent_runs() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Runs `work` (an argon2 hash or verification) in a place of its own. The place is held by
/// the blocking thread itself, so a caller that goes away (a client disconnecting) does not
/// free it before the work is done.
async fn in_a_place<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    let place = tokio::time::timeout(WAIT_FOR_PLACE, PLACES.clone().acquire_owned())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let done = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        drop(place);
        done
    })
    .await
    .map_err(|_| Busy)
}

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
    in_a_place(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?
}

/// Whether `password` matches `hash`.
pub async fn verify(password: String, hash: String) -> Result<bool, Busy> {
    in_a_place(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
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
        assert_eq!(verify("một mật khẩu dài".into(), h.clone()).await, Ok(true));
        assert_eq!(verify("sai mật khẩu".into(), h).await, Ok(false));
        assert_eq!(verify("x".into(), "not a hash".into()).await, Ok(false));
        assert!(weakness("short").is_some());
        assert!(weakness("long enough password").is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_the_places_run_at_once() {
        let checks: Vec<_> = (0..16)
            .map(|i| tokio::spawn(verify(format!("guess {i}"), DUMMY_HASH.to_string())))
            .collect();
        for check in checks {
            assert_eq!(check.await.unwrap(), Ok(false));
        }
        let peak = peak_concurrent_runs();
        assert!((1..=MAX_CONCURRENT).contains(&peak), "peak {peak}");
    }
}
