//! Signing in and out, and changing one's own password (plain form posts, so they work
//! before the page's script has loaded).
//!
//! Too many failed attempts lock the account, and the address they come from, for a while;
//! the attempts are read from the audit trail, which records every one. A wrong current
//! password when changing it counts as a failed attempt.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

use super::{password, ClientIp, SIGNED_IN_AT, USER_ID};
use crate::ingest::error::ApiFailure;
use crate::AppState;
use app::model::account::Principal;
use app::store::{audit, users};

/// Failed attempts counted over this window…
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

/// Only a path on this site may be a place to return to.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A small page with a message in both languages and a way back.
pub fn page_error(status: StatusCode, vi: &str, en: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>IOC Live</title><link rel=\"stylesheet\" href=\"/pkg/ioc.css\"></head><body><main class=\"notice\">\
         <h1>{}</h1><p lang=\"en\">{}</p><p><a href=\"/login\">Đăng nhập / Sign in</a></p></main></body></html>",
        escape(vi),
        escape(en)
    );
    (status, [("cache-control", "no-store")], Html(body)).into_response()
}

async fn audit_attempt(
    state: &AppState,
    action: &str,
    username: &str,
    ip: &str,
    user: Option<&users::User>,
) -> sqlx::Result<()> {
    let mut tx = app::store::write(&state.db).await?;
    let entry = audit::NewEntry {
        actor_kind: if user.is_some() { "user" } else { "anonymous" },
        actor_id: user.map(|u| u.id.to_string()),
        actor_name: user.map_or_else(|| username.to_string(), |u| u.username.clone()),
        action,
        target: Some(username.to_string()),
        ip: Some(ip.to_string()),
        ..Default::default()
    };
    audit::record(&mut tx, &entry, OffsetDateTime::now_utc()).await?;
    tx.commit().await
}

/// Whether recent failures lock this account or address.
async fn locked_out(
    state: &AppState,
    username: &str,
    ip: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let (by_account, by_address) = audit::failed_logins(
        &mut *state.db.acquire().await?,
        username,
        ip,
        now - LOCKOUT_WINDOW,
    )
    .await?;
    Ok(by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS)
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiFailure> {
    let now = OffsetDateTime::now_utc();
    let username = form.username.trim();
    let next = safe_next(&form.next).to_string();
    if locked_out(&state, username, &ip, now).await? {
        audit_attempt(&state, "login_locked", username, &ip, None).await?;
        return Ok(page_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Đăng nhập sai quá nhiều lần. Tài khoản hoặc địa chỉ này tạm khóa {} phút; hãy thử lại sau hoặc liên hệ quản trị.",
                LOCKOUT_WINDOW.whole_minutes()
            ),
            &format!(
                "Too many failed sign-ins. This account or address is locked for {} minutes; try again later or ask an administrator.",
                LOCKOUT_WINDOW.whole_minutes()
            ),
        ));
    }
    let user = users::by_username(&mut *state.db.acquire().await?, username).await?;
    let hash = user.as_ref().map_or_else(
        || password::DUMMY_HASH.to_string(),
        |u| u.password_hash.clone(),
    );
    let matches = password::verify(form.password.clone(), hash).await;
    let user = match user {
        Some(u) if matches && u.disabled_at.is_none() => u,
        found => {
            audit_attempt(&state, "login_failed", username, &ip, found.as_ref()).await?;
            return Ok(Redirect::to(&format!(
                "/login?error=invalid&next={}",
                encode_component(&next)
            ))
            .into_response());
        }
    };
    session.cycle_id().await.map_err(ApiFailure::internal)?;
    session
        .insert(USER_ID, user.id)
        .await
        .map_err(ApiFailure::internal)?;
    session
        .insert(SIGNED_IN_AT, now)
        .await
        .map_err(ApiFailure::internal)?;
    audit_attempt(&state, "login", &user.username, &ip, Some(&user)).await?;
    tracing::info!(user = %user.username, "signed in");
    Ok(Redirect::to(&next).into_response())
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    session: Session,
) -> Result<Response, ApiFailure> {
    if let Some(Extension(p)) = principal {
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
    session.flush().await.map_err(ApiFailure::internal)?;
    Ok(Redirect::to("/login").into_response())
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
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    session: Session,
    Form(form): Form<OwnPasswordForm>,
) -> Result<Response, ApiFailure> {
    let Some(Extension(principal @ Principal::User { id, .. })) = principal else {
        return Ok(page_error(
            StatusCode::FORBIDDEN,
            "Cần đăng nhập bằng tài khoản của mình.",
            "Sign in with your own account.",
        ));
    };
    let lang = if form.lang == "en" { "&lang=en" } else { "" };
    let back =
        |outcome: &str| Ok(Redirect::to(&format!("/account?{outcome}{lang}")).into_response());
    let now = OffsetDateTime::now_utc();
    let Some(user) = users::by_id(&mut *state.db.acquire().await?, id).await? else {
        return back("error=gone");
    };
    if locked_out(&state, &user.username, &ip, now).await? {
        audit_attempt(&state, "login_locked", &user.username, &ip, None).await?;
        return back("error=locked");
    }
    if !password::verify(form.current, user.password_hash.clone()).await {
        audit_attempt(&state, "login_failed", &user.username, &ip, Some(&user)).await?;
        return back("error=current");
    }
    if form.password != form.again {
        return back("error=mismatch");
    }
    if password::weakness(&form.password).is_some() {
        return back("error=weak");
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
    // this session goes on, under a new id, as if signed in now
    session.cycle_id().await.map_err(ApiFailure::internal)?;
    session
        .insert(SIGNED_IN_AT, valid_from)
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
        assert_eq!(encode_component("/admin?tab=a b"), "/admin%3Ftab%3Da%20b");
    }
}
