//! The admin page's form posts: each names [`AdminCaller`] (only administrators get past
//! it, before the form is read) and runs one of the audited operations of [`super::admin`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::admin::{self, refused, NewUser, PasswordChange};
use super::callers::AdminCaller;
use crate::hub::Revocation;
use crate::notice;
use crate::state::AppState;
use app::model::account::Role;
use app::pages::notice::Notice;

fn back(tab: &str) -> Response {
    Redirect::to(&format!("/admin?tab={tab}")).into_response()
}

/// A page showing a new secret once, with how to use it.
fn shown_once(title: (String, String), secret: &str, how: (String, String), tab: &str) -> Response {
    notice::respond(
        StatusCode::CREATED,
        Notice::new(title.0, title.1)
            .secret(secret)
            .paragraph(how.0, how.1)
            .link(
                format!("/admin?tab={tab}"),
                "Quay lại trang quản trị / Back to administration",
            ),
    )
}

#[derive(Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    agency: String,
    password: String,
}

/// `POST /admin/users`.
pub async fn post_user(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Form(form): Form<UserForm>,
) -> Response {
    let role = match form.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => return refused("Vai trò không hợp lệ.", e).into_response(),
    };
    let new = NewUser {
        username: form.username,
        display_name: form.display_name,
        role,
        agency: Some(form.agency),
        password: form.password,
    };
    match admin::create_user(&state.db, &state.catalogue, &actor, new).await {
        Ok(_) => back("users"),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    #[serde(default)]
    agency: String,
}

/// `POST /admin/users/{id}/role`.
pub async fn post_user_role(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Response {
    let result = match form.role.parse::<Role>() {
        Ok(role) => admin::set_role(&state, &actor, id, role, Some(form.agency)).await,
        Err(e) => Err(refused("Vai trò không hợp lệ.", e)),
    };
    result.map_or_else(IntoResponse::into_response, |()| back("users"))
}

/// `POST /admin/users/{id}/disable`.
pub async fn post_user_disable(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    admin::set_disabled(&state, &actor, id, true)
        .await
        .map_or_else(IntoResponse::into_response, |()| back("users"))
}

/// `POST /admin/users/{id}/enable`.
pub async fn post_user_enable(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    admin::set_disabled(&state, &actor, id, false)
        .await
        .map_or_else(IntoResponse::into_response, |()| back("users"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

/// `POST /admin/users/{id}/password`: an administrator sets a new password; the account's
/// sessions and live connections end.
pub async fn post_user_password(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> Response {
    match admin::set_password(&state.db, &actor, id, form.password, PasswordChange::Reset).await {
        Ok(_) => {
            state.hub.revoke(Revocation::user(id));
            back("users")
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    agency: String,
    #[serde(default)]
    label: String,
}

/// `POST /admin/tokens`.
pub async fn post_token(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Form(form): Form<TokenForm>,
) -> Response {
    match admin::create_token(
        &state.db,
        &state.catalogue,
        &actor,
        form.agency.trim(),
        &form.label,
    )
    .await
    {
        Ok((info, token)) => shown_once(
            (
                format!("Mã truy cập mới của {} (#{})", info.agency, info.id),
                format!("New API token for {} (#{})", info.agency, info.id),
            ),
            &token,
            (
                "Hệ thống của cơ quan gửi nó trong tiêu đề Authorization: Bearer.".into(),
                "The agency's system sends it as Authorization: Bearer.".into(),
            ),
            "tokens",
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn post_token_revoke(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    admin::revoke_token(&state.db, Some(&state.hub), &actor, id)
        .await
        .map_or_else(IntoResponse::into_response, |()| back("tokens"))
}

#[derive(Deserialize)]
pub struct DisplayForm {
    name: String,
}

/// `POST /admin/displays`.
pub async fn post_display(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Form(form): Form<DisplayForm>,
) -> Response {
    match admin::create_display(&state.db, &actor, &form.name).await {
        Ok((display, token)) => shown_once(
            (
                format!("Mã màn hình mới: {} (#{})", display.name, display.id),
                format!("New display token: {} (#{})", display.name, display.id),
            ),
            &token,
            (
                format!("Mở màn hình giám sát tại /?display={token} một lần; máy sẽ nhớ phiên hiển thị."),
                format!("Open the wall at /?display={token} once; the screen keeps a display session."),
            ),
            "displays",
        ),
        Err(e) => e.into_response(),
    }
}

/// `POST /admin/displays/{id}/revoke`.
pub async fn post_display_revoke(
    State(state): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<i64>,
) -> Response {
    admin::revoke_display(&state.db, Some(&state.hub), &actor, id)
        .await
        .map_or_else(IntoResponse::into_response, |()| back("displays"))
}
