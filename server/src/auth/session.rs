//! Sessions of people and wall screens, kept in the database by tower-sessions.
//!
//! * A person's session ends after `--session-idle-minutes` without a request, and
//!   `--session-max-hours` after signing in however active. Requests renew it — at most once
//!   per [`SessionLimits::renew_every`], so an active person costs one write now and then,
//!   not one per request — and the cookie never outlives the absolute limit.
//! * A wall screen's session does not idle out: each request renews it for
//!   [`DISPLAY_SESSION_LIFETIME`], so only revoking the display ends it.
//! * Starting a session (signing in, or a wall exchanging its token) always starts a fresh
//!   one: the old record is deleted and the new one has a new id and nothing of the old.

use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::Error as SessionError;
use tower_sessions::{Expiry, Session};

use super::Unidentified;
use crate::state::AppState;
use app::model::account::Principal;
use app::store::{displays, users};

/// Session keys.
const USER_ID: &str = "user_id";
const DISPLAY_ID: &str = "display_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const RENEWED_AT: &str = "renewed_at";

/// A wall screen's session lasts this long after its last request (the longest lifetime
/// browsers give a cookie).
pub const DISPLAY_SESSION_LIFETIME: time::Duration = time::Duration::days(400);
/// How often a wall screen's session is renewed.
const DISPLAY_RENEW_EVERY: time::Duration = time::Duration::hours(1);

/// How long people's sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
}

impl SessionLimits {
    /// A session is renewed by a request once this long has passed since its last renewal:
    /// a quarter of the idle time, at most a minute. An active session therefore ends at
    /// the earliest `idle − renew_every` after its last request.
    pub fn renew_every(&self) -> time::Duration {
        let every = (self.idle / 4).min(Duration::from_secs(60));
        time::Duration::try_from(every).unwrap_or(time::Duration::MINUTE)
    }

    fn idle(&self) -> time::Duration {
        time::Duration::try_from(self.idle).unwrap_or(time::Duration::MINUTE)
    }

    fn absolute(&self) -> time::Duration {
        time::Duration::try_from(self.absolute).unwrap_or(time::Duration::HOUR)
    }

    /// When a person's session renewed at `now` ends: after the idle time, but never past
    /// the absolute limit.
    fn user_expiry(&self, signed_in: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
        (now + self.idle()).min(signed_in + self.absolute())
    }
}

/// Whether a user's session begun at `signed_in` still holds at `now`: the account is
/// enabled, nothing has ended its sessions since (disabling, a new role or password), and
/// the absolute limit has not passed. (The idle limit is the session record's expiry.)
pub fn session_holds(
    user: &users::User,
    signed_in: OffsetDateTime,
    now: OffsetDateTime,
    limits: SessionLimits,
) -> bool {
    user.disabled_at.is_none()
        && signed_in >= user.sessions_valid_from
        && now < signed_in + limits.absolute()
}

/// Empties the session and gives it a new id: whatever it held (another account, a stale or
/// revoked session) is gone, and the id a previous cookie carried is never valid again.
async fn fresh(session: &Session) -> Result<(), SessionError> {
    if session.id().is_some() {
        session.flush().await?;
    }
    session.cycle_id().await
}

/// Starts a person's session, signed in at `now`.
pub async fn start_user(
    session: &Session,
    user_id: i64,
    now: OffsetDateTime,
    limits: SessionLimits,
) -> Result<(), SessionError> {
    fresh(session).await?;
    session.insert(USER_ID, user_id).await?;
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(RENEWED_AT, now).await?;
    session.set_expiry(Some(Expiry::AtDateTime(limits.user_expiry(now, now))));
    Ok(())
}

/// Starts a wall screen's session.
pub async fn start_display(
    session: &Session,
    display_id: i64,
    now: OffsetDateTime,
) -> Result<(), SessionError> {
    fresh(session).await?;
    session.insert(DISPLAY_ID, display_id).await?;
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(RENEWED_AT, now).await?;
    session.set_expiry(Some(Expiry::AtDateTime(now + DISPLAY_SESSION_LIFETIME)));
    Ok(())
}

/// After a person changed their own password: this session goes on, under a new id, as if
/// signed in at `valid_from` (every other session of theirs has ended).
pub async fn continue_after_password_change(
    session: &Session,
    valid_from: OffsetDateTime,
    limits: SessionLimits,
) -> Result<(), SessionError> {
    session.cycle_id().await?;
    session.insert(SIGNED_IN_AT, valid_from).await?;
    session.insert(RENEWED_AT, valid_from).await?;
    session.set_expiry(Some(Expiry::AtDateTime(
        limits.user_expiry(valid_from, valid_from),
    )));
    Ok(())
}

/// Ends the session (signing out, or a session that no longer holds).
/// A value of the session: `None` if absent or unreadable (a value of an older version is
/// no value), an error only when the session store could not be read.
async fn read<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, Unidentified> {
    match session.get(key).await {
        Ok(value) => Ok(value),
        Err(SessionError::Store(e)) => Err(Unidentified(e.to_string())),
        Err(_) => Ok(None),
    }
}

pub async fn end(session: &Session) -> Result<(), SessionError> {
    if session.id().is_some() {
        session.flush().await?;
    }
    Ok(())
}

/// The session's principal, if it still holds. Renews the session when due; ends one that
/// has expired, been revoked or outlived its absolute limit.
pub async fn principal(
    state: &AppState,
    session: &Session,
    now: OffsetDateTime,
) -> Result<Option<Principal>, Unidentified> {
    // no cookie, no session: nothing to read
    if session.id().is_none() {
        return Ok(None);
    }
    let Some(signed_in) = read::<OffsetDateTime>(session, SIGNED_IN_AT).await? else {
        return Ok(None);
    };
    let renewed_at: Option<OffsetDateTime> = read(session, RENEWED_AT).await?;
    let limits = state.sessions;
    let mut conn = state.db.acquire().await?;
    let found = if let Some(id) = read::<i64>(session, USER_ID).await? {
        users::by_id(&mut conn, id)
            .await?
            .filter(|user| session_holds(user, signed_in, now, limits))
            .map(|user| {
                let due = renewed_at.is_none_or(|at| now - at >= limits.renew_every());
                let expiry = due.then(|| limits.user_expiry(signed_in, now));
                let principal = Principal::User {
                    id: user.id,
                    username: user.username,
                    name: user.display_name,
                    role: user.role,
                    agency: user.agency,
                };
                (principal, expiry)
            })
    } else if let Some(id) = read::<i64>(session, DISPLAY_ID).await? {
        displays::by_id(&mut conn, id)
            .await?
            .filter(|display| display.revoked_at.is_none())
            .map(|display| {
                let due = renewed_at.is_none_or(|at| now - at >= DISPLAY_RENEW_EVERY);
                let expiry = due.then_some(now + DISPLAY_SESSION_LIFETIME);
                let principal = Principal::Display {
                    id: display.id,
                    name: display.name,
                };
                (principal, expiry)
            })
    } else {
        None
    };
    drop(conn);
    match found {
        Some((principal, renew_until)) => {
            if let Some(until) = renew_until {
                // saved, with a fresh cookie, when the response goes out
                if session.insert(RENEWED_AT, now).await.is_ok() {
                    session.set_expiry(Some(Expiry::AtDateTime(until)));
                }
            }
            Ok(Some(principal))
        }
        None => {
            let _ = end(session).await;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::account::Role;
    use time::macros::datetime;

    fn limits() -> SessionLimits {
        SessionLimits {
            idle: Duration::from_secs(1800),
            absolute: Duration::from_secs(12 * 3600),
        }
    }

    #[test]
    fn sessions_end_when_disabled_superseded_or_too_old() {
        let user = users::User {
            id: 1,
            username: "a".into(),
            display_name: "A".into(),
            role: Role::Leader,
            agency: None,
            password_hash: String::new(),
            created_at: datetime!(2026-11-01 0:00 UTC),
            disabled_at: None,
            sessions_valid_from: datetime!(2026-11-20 8:00 UTC),
        };
        let signed_in = datetime!(2026-11-23 8:00 UTC);
        assert!(session_holds(
            &user,
            signed_in,
            datetime!(2026-11-23 19:59 UTC),
            limits()
        ));
        assert!(
            !session_holds(&user, signed_in, datetime!(2026-11-23 20:00 UTC), limits()),
            "absolute limit"
        );
        let superseded = users::User {
            sessions_valid_from: datetime!(2026-11-23 9:00 UTC),
            ..user.clone()
        };
        assert!(
            !session_holds(
                &superseded,
                signed_in,
                datetime!(2026-11-23 10:00 UTC),
                limits()
            ),
            "role or password changed after sign-in"
        );
        let disabled = users::User {
            disabled_at: Some(datetime!(2026-11-23 9:00 UTC)),
            ..user
        };
        assert!(!session_holds(
            &disabled,
            signed_in,
            datetime!(2026-11-23 10:00 UTC),
            limits()
        ));
    }

    #[test]
    fn a_renewed_session_never_outlives_the_absolute_limit() {
        let l = limits();
        let signed_in = datetime!(2026-11-23 8:00 UTC);
        assert_eq!(
            l.user_expiry(signed_in, datetime!(2026-11-23 9:00 UTC)),
            datetime!(2026-11-23 9:30 UTC)
        );
        assert_eq!(
            l.user_expiry(signed_in, datetime!(2026-11-23 19:50 UTC)),
            datetime!(2026-11-23 20:00 UTC)
        );
        assert_eq!(l.renew_every(), time::Duration::MINUTE);
        let short = SessionLimits {
            idle: Duration::from_secs(4),
            absolute: Duration::from_secs(60),
        };
        assert_eq!(short.renew_every(), time::Duration::SECOND);
    }
}
