//! Signing in and out, and changing one's own password (plain form posts, so they work
//! before the page's script has loaded).
//!
//! Every attempt is written to the audit trail *before* its password is checked, in a write
//! transaction that first counts the unsettled attempts (failed, or still being checked) of
//! the account and of the address: past the limit the attempt is refused as locked without
//! checking anything. So a burst of concurrent guesses is counted guess by guess and cannot
//! get more checks than the limit allows; and the checks themselves run in the few places
//! [`password`] allows at once. A wrong current password when changing it counts too.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

use super::callers::{ClientAddress, Person};
use super::{password, session};
use crate::error::ApiFailure;
use crate::notice;
use crate::state::AppState;
use app::model::account::Principal;
use app::pages::notice::Notice;
use app::store::{audit, users};

/// Unsettled attempts counted over this window…
pub const LOCKOUT_WINDOW: Duration = Duration::minutes(15);
/// …lock the account after this many…
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// …and the address after this many.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Percent-encodes a query component.
pub fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only a path on this site may be a place to return to. Browsers drop tabs and line
/// breaks from addresses and read `\` as `/`, so `/<tab>/evil.example` would become the
/// other site `//evil.example`: anything holding a control character, a space or a
/// backslash is refused, as is anything that does not start with exactly one `/`.
pub fn safe_next(next: &str) -> &str {
    let plain = next
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/"
    }
}

/// Where an attempt stands after it was recorded.
enum Attempt {
    /// Recorded; the password may be checked.
    Counted,
    /// Too many unsettled attempts: refused without checking anything.
    Locked,
}

fn entry<'a>(
    action: &'a str,
    username: &str,
    ip: &str,
    user: Option<&users::User>,
) -> audit::NewEntry<'a> {
    audit::NewEntry {
        actor_kind: if user.is_some() { "user" } else { "anonymous" },
        actor_id: user.map(|u| u.id.to_string()),
        actor_name: user.map_or_else(|| username.to_string(), |u| u.username.clone()),
        action,
        target: Some(username.to_string()),
        ip: Some(ip.to_string()),
        ..Default::default()
    }
}

/// Records an attempt to sign in as `username` from `ip` — or, past the limits, that it
/// was refused as locked. One write transaction at a time, so concurrent attempts are
/// counted one after another.
async fn begin_attempt(
    state: &AppState,
    username: &str,
    ip: &str,
    user: Option<&users::User>,
    now: OffsetDateTime,
) -> sqlx::Result<Attempt> {
    let mut tx = app::store::write(&state.db).await?;
    let (by_account, by_address) =
        audit::unsettled_logins(&mut tx, username, ip, now - LOCKOUT_WINDOW).await?;
    let locked = by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS;
    let action = if locked {
        "login_locked"
    } else {
        "login_attempt"
    };
    audit::record(&mut tx, &entry(action, username, ip, user), now).await?;
    tx.commit().await?;
    Ok(if locked {
        Attempt::Locked
    } else {
        Attempt::Counted
    })
}

/// Records how a counted attempt ended.
async fn settle(
    state: &AppState,
    action: &str,
    username: &str,
    ip: &str,
    user: Option<&users::User>,
) -> sqlx::Result<()> {
    let mut tx = app::store::write(&state.db).await?;
    audit::record(
        &mut tx,
        &entry(action, username, ip, user),
        OffsetDateTime::now_utc(),
    )
    .await?;
    tx.commit().await
}

fn locked_page() -> Response {
    notice::respond(
        StatusCode::TOO_MANY_REQUESTS,
        Notice::new(
            format!(
                "Đăng nhập sai quá nhiều lần. Tài khoản hoặc địa chỉ này tạm khóa {} phút; hãy thử lại sau hoặc liên hệ quản trị.",
                LOCKOUT_WINDOW.whole_minutes()
            ),
            format!(
                "Too many failed sign-ins. This account or address is locked for {} minutes; try again later or ask an administrator.",
                LOCKOUT_WINDOW.whole_minutes()
            ),
        )
        .link("/login", "Đăng nhập / Sign in"),
    )
}

fn busy_page() -> Response {
    let mut response = notice::respond(
        StatusCode::TOO_MANY_REQUESTS,
        Notice::new(
            "Hệ thống đang kiểm tra nhiều lượt đăng nhập; hãy thử lại sau ít giây.",
            "The server is checking many sign-ins at once; try again in a few seconds.",
        )
        .link("/login", "Đăng nhập / Sign in"),
    );
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("5"),
    );
    response
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(ip): ClientAddress,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiFailure> {
    let now = OffsetDateTime::now_utc();
    let username = form.username.trim();
    let next = safe_next(&form.next).to_string();
    let user = users::by_username(&mut *state.db.acquire().await?, username).await?;
    if let Attempt::Locked = begin_attempt(&state, username, &ip, user.as_ref(), now).await? {
        return Ok(locked_page());
    }
    let hash = user.as_ref().map_or_else(
        || password::DUMMY_HASH.to_string(),
        |u| u.password_hash.clone(),
    );
    let Ok(matches) = password::verify(form.password, hash).await else {
        settle(&state, "login_busy", username, &ip, user.as_ref()).await?;
        return Ok(busy_page());
    };
    let user = match user {
        Some(u) if matches && u.disabled_at.is_none() => u,
        found => {
            settle(&state, "login_failed", username, &ip, found.as_ref()).await?;
            return Ok(Redirect::to(&format!(
                "/login?error=invalid&next={}",
                encode_component(&next)
            ))
            .into_response());
        }
    };
    session::start_user(&session, user.id, now, state.sessions)
        .await
        .map_err(ApiFailure::internal)?;
    settle(&state, "login", &user.username, &ip, Some(&user)).await?;
    tracing::info!(user = %user.username, "signed in");
    Ok(Redirect::to(&next).into_response())
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddress(ip): ClientAddress,
    principal: Option<axum::Extension<Principal>>,
    session: Session,
) -> Result<Response, ApiFailure> {
    if let Some(axum::Extension(p)) = principal {
        let (kind, id, name) = p.actor();
        let mut tx = app::store::write(&state.db).await?;
        let entry = audit::NewEntry {
            actor_kind: kind,
            actor_id: Some(id),
            actor_name: name,
            action: "logout",
            ip: Some(ip),
            ..Default::default()
        };
        audit::record(&mut tx, &entry, OffsetDateTime::now_utc()).await?;
        tx.commit().await?;
    }
    session::end(&session).await.map_err(ApiFailure::internal)?;
    // and whatever this browser kept for the person (the brief's offline copy)
    Ok((
        [(
            axum::http::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"storage\""),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct OwnPasswordForm {
    current: String,
    password: String,
    again: String,
    #[serde(default)]
    lang: String,
}

/// `POST /account/password`: a person changes their own password. Their other sessions and
/// live connections end; this one is renewed.
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddress(ip): ClientAddress,
    Person { id, principal }: Person,
    session: Session,
    Form(form): Form<OwnPasswordForm>,
) -> Result<Response, ApiFailure> {
    let lang = if form.lang == "en" { "&lang=en" } else { "" };
    let back =
        |outcome: &str| Ok(Redirect::to(&format!("/account?{outcome}{lang}")).into_response());
    if form.password != form.again {
        return back("error=mismatch");
    }
    if password::weakness(&form.password).is_some() {
        return back("error=weak");
    }
    let now = OffsetDateTime::now_utc();
    let Some(user) = users::by_id(&mut *state.db.acquire().await?, id).await? else {
        return back("error=gone");
    };
    if let Attempt::Locked = begin_attempt(&state, &user.username, &ip, Some(&user), now).await? {
        return back("error=locked");
    }
    match password::verify(form.current, user.password_hash.clone()).await {
        Err(password::Busy) => {
            settle(&state, "login_busy", &user.username, &ip, Some(&user)).await?;
            return back("error=busy");
        }
        Ok(false) => {
            settle(&state, "login_failed", &user.username, &ip, Some(&user)).await?;
            return back("error=current");
        }
        Ok(true) => settle(&state, "reauthenticated", &user.username, &ip, Some(&user)).await?,
    }
    let actor = super::admin::Actor::of(&principal, &ip);
    let valid_from = match super::admin::set_password(
        &state.db,
        &actor,
        id,
        form.password,
        super::admin::PasswordChange::ByOwner,
    )
    .await
    {
        Ok((_, valid_from)) => valid_from,
        Err(super::admin::AdminError::Refused(_)) => return back("error=refused"),
        Err(super::admin::AdminError::Failed(e)) => return Err(ApiFailure::internal(e)),
    };
    state.hub.revoke(crate::hub::Revocation::User {
        id,
        since: valid_from,
    });
    session::continue_after_password_change(&session, valid_from, state.sessions)
        .await
        .map_err(ApiFailure::internal)?;
    tracing::info!(user = %user.username, "password changed");
    back("done=1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_next("/admin?tab=audit"), "/admin?tab=audit");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        // browsers strip tabs and line breaks: these would be //evil.example
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\r\n/evil.example"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(safe_next("/\u{0}x"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(encode_component("/admin?tab=a b"), "/admin%3Ftab%3Da%20b");
    }
}
