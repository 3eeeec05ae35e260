//! What administrators do: accounts, roles, agency tokens and display screens — each in a
//! transaction with its audit entry. The same operations serve the admin page (form
//! posts) and the command line.

use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{login::page_error, password, ClientIp};
use crate::hub::Revocation;
use crate::ingest::error::ApiFailure;
use crate::AppState;
use app::model::account::{Principal, Role};
use app::store::{audit, displays, tokens, users, Db};

/// Who performs an operation, for the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    /// The command line, run by whoever has the server's database.
    pub fn command_line() -> Actor {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor {
            kind: "system",
            id: None,
            name: format!("command line ({user})"),
            ip: None,
        }
    }

    pub fn of(principal: &Principal, ip: &str) -> Actor {
        let (kind, id, name) = principal.actor();
        Actor {
            kind,
            id: Some(id),
            name,
            ip: Some(ip.to_string()),
        }
    }

    fn entry<'a>(
        &self,
        action: &'a str,
        target: String,
        detail: serde_json::Value,
    ) -> audit::NewEntry<'a> {
        audit::NewEntry {
            actor_kind: self.kind,
            actor_id: self.id.clone(),
            actor_name: self.name.clone(),
            action,
            target: Some(target),
            detail,
            ip: self.ip.clone(),
        }
    }
}

/// A refused operation: what to tell the person.
#[derive(Debug)]
pub struct Refused {
    pub vi: String,
    pub en: String,
}

impl Refused {
    fn new(vi: impl Into<String>, en: impl Into<String>) -> Refused {
        Refused {
            vi: vi.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug)]
pub enum AdminError {
    Refused(Refused),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for AdminError {
    fn from(e: E) -> AdminError {
        AdminError::Failed(e.into())
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminError::Refused(r) => write!(f, "{} ({})", r.en, r.vi),
            AdminError::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::Refused(r) => page_error(StatusCode::UNPROCESSABLE_ENTITY, &r.vi, &r.en),
            AdminError::Failed(e) => ApiFailure::internal(e).into_response(),
        }
    }
}

fn refused(vi: impl Into<String>, en: impl Into<String>) -> AdminError {
    AdminError::Refused(Refused::new(vi, en))
}

/// A new account.
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<String>,
    pub password: String,
}

pub async fn create_user(
    db: &Db,
    catalogue: &app::model::Catalogue,
    actor: &Actor,
    new: NewUser,
) -> Result<users::User, AdminError> {
    let username = new.username.trim().to_lowercase();
    if username.len() < 3
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(refused(
            "Tên đăng nhập cần từ 3 ký tự: chữ không dấu, số, '.', '_' hoặc '-'.",
            "The username needs 3 or more characters: letters, digits, '.', '_' or '-'.",
        ));
    }
    if new.display_name.trim().is_empty() {
        return Err(refused("Cần họ tên.", "A name is required."));
    }
    if let Some((vi, en)) = password::weakness(&new.password) {
        return Err(refused(vi, en));
    }
    let agency = match (
        new.role,
        new.agency
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty()),
    ) {
        (Role::AgencyOfficer, Some(a)) if catalogue.agency(a).is_some() => Some(a.to_string()),
        (Role::AgencyOfficer, _) => {
            return Err(refused(
                "Cán bộ sở, ngành cần một cơ quan có trong danh mục.",
                "An agency officer needs a known agency.",
            ))
        }
        (_, _) => None,
    };
    let hash = password::hash(new.password).await?;
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    if users::by_username(&mut tx, &username).await?.is_some() {
        return Err(refused(
            format!("Tên đăng nhập '{username}' đã có."),
            format!("The username '{username}' is taken."),
        ));
    }
    let user = users::create(
        &mut tx,
        &username,
        new.display_name.trim(),
        new.role,
        agency.as_deref(),
        &hash,
        now,
    )
    .await?;
    let detail = serde_json::json!({ "role": user.role.code(), "agency": user.agency });
    audit::record(
        &mut tx,
        &actor.entry("user_created", format!("user {}", user.username), detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn set_disabled(
    state: &AppState,
    actor: &Actor,
    id: i64,
    disabled: bool,
) -> Result<(), AdminError> {
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let user = users::by_id(&mut tx, id)
        .await?
        .ok_or_else(|| refused("Không có tài khoản này.", "No such account."))?;
    if disabled && user.role == Role::Admin && users::count_admins(&mut tx).await? <= 1 {
        return Err(refused(
            "Không thể khóa quản trị viên cuối cùng.",
            "The last administrator cannot be disabled.",
        ));
    }
    if users::set_disabled(&mut tx, id, disabled, now).await? {
        let action = if disabled {
            "user_disabled"
        } else {
            "user_enabled"
        };
        audit::record(
            &mut tx,
            &actor.entry(
                action,
                format!("user {}", user.username),
                serde_json::Value::Null,
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if disabled {
        state.hub.revoke(Revocation::user(id));
    }
    Ok(())
}

pub async fn set_role(
    state: &AppState,
    actor: &Actor,
    id: i64,
    role: Role,
    agency: Option<String>,
) -> Result<(), AdminError> {
    let agency = match (
        role,
        agency.as_deref().map(str::trim).filter(|a| !a.is_empty()),
    ) {
        (Role::AgencyOfficer, Some(a)) if state.catalogue.agency(a).is_some() => {
            Some(a.to_string())
        }
        (Role::AgencyOfficer, _) => {
            return Err(refused(
                "Cán bộ sở, ngành cần một cơ quan có trong danh mục.",
                "An agency officer needs a known agency.",
            ))
        }
        _ => None,
    };
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(&state.db).await?;
    let user = users::by_id(&mut tx, id)
        .await?
        .ok_or_else(|| refused("Không có tài khoản này.", "No such account."))?;
    if user.role == Role::Admin && role != Role::Admin && users::count_admins(&mut tx).await? <= 1 {
        return Err(refused(
            "Phải còn ít nhất một quản trị viên.",
            "At least one administrator must remain.",
        ));
    }
    users::set_role(&mut tx, id, role, agency.as_deref(), now).await?;
    let detail =
        serde_json::json!({ "from": user.role.code(), "to": role.code(), "agency": agency });
    audit::record(
        &mut tx,
        &actor.entry("role_changed", format!("user {}", user.username), detail),
        now,
    )
    .await?;
    tx.commit().await?;
    // the account signs in again with its new rights; its live connections end now
    state.hub.revoke(Revocation::user(id));
    Ok(())
}

/// Why the password changes, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// An administrator (or the command line) set it: `password_reset`.
    Reset,
    /// The account's owner changed it: `password_changed`.
    ByOwner,
}

/// Gives an account a new password. Every session it had ends (the caller ends its live
/// connections, and the owner's own session is renewed by the caller); returns the account
/// and the time from which sessions are valid.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    password: String,
    change: PasswordChange,
) -> Result<(users::User, OffsetDateTime), AdminError> {
    if let Some((vi, en)) = password::weakness(&password) {
        return Err(refused(vi, en));
    }
    let hash = password::hash(password).await?;
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    let user = users::by_id(&mut tx, id)
        .await?
        .ok_or_else(|| refused("Không có tài khoản này.", "No such account."))?;
    users::set_password(&mut tx, id, &hash, now).await?;
    let action = match change {
        PasswordChange::Reset => "password_reset",
        PasswordChange::ByOwner => "password_changed",
    };
    audit::record(
        &mut tx,
        &actor.entry(
            action,
            format!("user {}", user.username),
            serde_json::Value::Null,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((user, now))
}

pub async fn create_token(
    db: &Db,
    catalogue: &app::model::Catalogue,
    actor: &Actor,
    agency: &str,
    label: &str,
) -> Result<(tokens::TokenInfo, String), AdminError> {
    if catalogue.agency(agency).is_none() {
        let known: Vec<&str> = catalogue
            .agencies
            .iter()
            .map(|a| a.code.as_str())
            .take(20)
            .collect();
        return Err(refused(
            format!("Không có cơ quan '{agency}'. Ví dụ: {}.", known.join(", ")),
            format!(
                "Unknown agency '{agency}'. For example: {}.",
                known.join(", ")
            ),
        ));
    }
    let label = if label.trim().is_empty() {
        "token"
    } else {
        label.trim()
    };
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    let (info, token) = tokens::create(&mut tx, agency, label, now).await?;
    let detail = serde_json::json!({ "agency": agency, "label": label });
    audit::record(
        &mut tx,
        &actor.entry(
            "token_created",
            format!("{agency} token #{}", info.id),
            detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((info, token))
}

/// Revokes an agency token. Its live connections close now when `hub` is this process's,
/// else (the command line) at the serving process's next revocation sweep.
pub async fn revoke_token(
    db: &Db,
    hub: Option<&crate::hub::Hub>,
    actor: &Actor,
    id: i64,
) -> Result<(), AdminError> {
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    if !tokens::revoke(&mut tx, id, now).await? {
        return Err(refused(
            format!("Không có mã #{id} đang hoạt động."),
            format!("No active token #{id}."),
        ));
    }
    audit::record(
        &mut tx,
        &actor.entry(
            "token_revoked",
            format!("token #{id}"),
            serde_json::Value::Null,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    if let Some(hub) = hub {
        hub.revoke(Revocation::AgencyToken(id));
    }
    Ok(())
}

pub async fn create_display(
    db: &Db,
    actor: &Actor,
    name: &str,
) -> Result<(displays::Display, String), AdminError> {
    if name.trim().is_empty() {
        return Err(refused("Cần tên màn hình.", "A screen name is required."));
    }
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    let (display, token) = displays::create(&mut tx, name.trim(), now).await?;
    audit::record(
        &mut tx,
        &actor.entry(
            "display_created",
            format!("display #{} {}", display.id, display.name),
            serde_json::Value::Null,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((display, token))
}

/// Revokes a display. Its live connections close now when `hub` is this process's, else
/// (the command line) at the serving process's next revocation sweep.
pub async fn revoke_display(
    db: &Db,
    hub: Option<&crate::hub::Hub>,
    actor: &Actor,
    id: i64,
) -> Result<(), AdminError> {
    let now = OffsetDateTime::now_utc();
    let mut tx = app::store::write(db).await?;
    if !displays::revoke(&mut tx, id, now).await? {
        return Err(refused(
            format!("Không có màn hình #{id} đang hoạt động."),
            format!("No active display #{id}."),
        ));
    }
    audit::record(
        &mut tx,
        &actor.entry(
            "display_revoked",
            format!("display #{id}"),
            serde_json::Value::Null,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    if let Some(hub) = hub {
        hub.revoke(Revocation::Display(id));
    }
    Ok(())
}

// ---- the admin page's form posts ----

/// The admin acting, or a 403 page.
fn admin_actor(principal: Option<Extension<Principal>>, ip: &str) -> Result<Actor, AdminError> {
    match principal {
        Some(Extension(p)) if p.is_admin() => Ok(Actor::of(&p, ip)),
        _ => Err(AdminError::Refused(Refused::new(
            "Chỉ quản trị viên được làm việc này.",
            "Only administrators may do this.",
        ))),
    }
}

#[allow(clippy::result_large_err)] // the error is the handler's answer, returned at once
fn forbidden_or(result: Result<Actor, AdminError>) -> Result<Actor, Response> {
    result.map_err(|e| match e {
        AdminError::Refused(r) => page_error(StatusCode::FORBIDDEN, &r.vi, &r.en),
        other => other.into_response(),
    })
}

fn back(tab: &str) -> Response {
    Redirect::to(&format!("/admin?tab={tab}")).into_response()
}

/// A page showing a new secret once, with how to use it.
fn shown_once(
    title_vi: &str,
    title_en: &str,
    secret: &str,
    how_vi: &str,
    how_en: &str,
    back_to: &str,
) -> Response {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>IOC Live</title><link rel=\"stylesheet\" href=\"/pkg/ioc.css\"></head><body><main class=\"notice\">\
         <h1>{}</h1><p lang=\"en\">{}</p><p><code class=\"secret\">{}</code></p>\
         <p>Chỉ hiển thị lần này: hãy lưu lại ngay. {}</p><p lang=\"en\">Shown only now: store it safely. {}</p>\
         <p><a href=\"/admin?tab={}\">Quay lại trang quản trị / Back to administration</a></p></main></body></html>",
        esc(title_vi),
        esc(title_en),
        esc(secret),
        esc(how_vi),
        esc(how_en),
        esc(back_to)
    );
    (
        StatusCode::CREATED,
        [("cache-control", "no-store")],
        Html(body),
    )
        .into_response()
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

pub async fn post_user(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    let actor = match forbidden_or(admin_actor(principal, &ip)) {
        Ok(a) => a,
        Err(r) => return r,
    };
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
    match create_user(&state.db, &state.catalogue, &actor, new).await {
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

pub async fn post_user_role(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Response {
    let actor = match forbidden_or(admin_actor(principal, &ip)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let result = match form.role.parse::<Role>() {
        Ok(role) => set_role(&state, &actor, id, role, Some(form.agency)).await,
        Err(e) => Err(refused("Vai trò không hợp lệ.", e)),
    };
    result.map_or_else(IntoResponse::into_response, |()| back("users"))
}

pub async fn post_user_disable(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
) -> Response {
    match forbidden_or(admin_actor(principal, &ip)) {
        Ok(actor) => set_disabled(&state, &actor, id, true)
            .await
            .map_or_else(IntoResponse::into_response, |()| back("users")),
        Err(r) => r,
    }
}

pub async fn post_user_enable(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
) -> Response {
    match forbidden_or(admin_actor(principal, &ip)) {
        Ok(actor) => set_disabled(&state, &actor, id, false)
            .await
            .map_or_else(IntoResponse::into_response, |()| back("users")),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

/// `POST /admin/users/{id}/password`: an administrator sets a new password; the account's
/// sessions and live connections end.
pub async fn post_user_password(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let actor = match forbidden_or(admin_actor(principal, &ip)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match set_password(&state.db, &actor, id, form.password, PasswordChange::Reset).await {
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

pub async fn post_token(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<TokenForm>,
) -> Response {
    let actor = match forbidden_or(admin_actor(principal, &ip)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match create_token(
        &state.db,
        &state.catalogue,
        &actor,
        form.agency.trim(),
        &form.label,
    )
    .await
    {
        Ok((info, token)) => shown_once(
            &format!("Mã truy cập mới của {} (#{})", info.agency, info.id),
            &format!("New API token for {} (#{})", info.agency, info.id),
            &token,
            "Hệ thống của cơ quan gửi nó trong tiêu đề Authorization: Bearer.",
            "The agency's system sends it as Authorization: Bearer.",
            "tokens",
        ),
        Err(e) => e.into_response(),
    }
}

pub async fn post_token_revoke(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
) -> Response {
    match forbidden_or(admin_actor(principal, &ip)) {
        Ok(actor) => revoke_token(&state.db, Some(&state.hub), &actor, id)
            .await
            .map_or_else(IntoResponse::into_response, |()| back("tokens")),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct DisplayForm {
    name: String,
}

pub async fn post_display(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<DisplayForm>,
) -> Response {
    let actor = match forbidden_or(admin_actor(principal, &ip)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    match create_display(&state.db, &actor, &form.name).await {
        Ok((display, token)) => shown_once(
            &format!("Mã màn hình mới: {} (#{})", display.name, display.id),
            &format!("New display token: {} (#{})", display.name, display.id),
            &token,
            &format!("Mở màn hình tường tại /?display={token} một lần; máy sẽ nhớ phiên hiển thị."),
            &format!(
                "Open the wall at /?display={token} once; the screen keeps a display session."
            ),
            "displays",
        ),
        Err(e) => e.into_response(),
    }
}

pub async fn post_display_revoke(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<i64>,
) -> Response {
    match forbidden_or(admin_actor(principal, &ip)) {
        Ok(actor) => revoke_display(&state.db, Some(&state.hub), &actor, id)
            .await
            .map_or_else(IntoResponse::into_response, |()| back("displays")),
        Err(r) => r,
    }
}
