//! What administrators do: accounts, roles, agency tokens and display screens — each in a
//! transaction with its audit entry. The same operations serve the admin page (form posts,
//! [`super::admin_page`]) and the command line.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::password;
use crate::error::ApiFailure;
use crate::hub::Revocation;
use crate::notice;
use crate::state::AppState;
use app::model::account::{Principal, Role};
use app::pages::notice::Notice;
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
            target: Some(target),
            detail,
            ..self.acting(action)
        }
    }

    /// The audit entry of `action` by this actor, its target and detail left for the store
    /// function that records it to fill in.
    pub fn acting<'a>(&self, action: &'a str) -> audit::NewEntry<'a> {
        audit::NewEntry {
            actor_kind: self.kind,
            actor_id: self.id.clone(),
            actor_name: self.name.clone(),
            action,
            target: None,
            detail: serde_json::Value::Null,
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
            AdminError::Refused(r) => notice::respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                Notice::new(r.vi, r.en)
                    .link("/admin", "Quay lại trang quản trị / Back to administration"),
            ),
            AdminError::Failed(e) => ApiFailure::internal(e).into_response(),
        }
    }
}

pub(super) fn refused(vi: impl Into<String>, en: impl Into<String>) -> AdminError {
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
        (Role::AgencyOfficer, Some(a))
            if catalogue.agency(a).is_some_and(|a| a.members.is_none()) =>
        {
            Some(a.to_string())
        }
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
        (Role::AgencyOfficer, Some(a))
            if state
                .catalogue
                .agency(a)
                .is_some_and(|a| a.members.is_none()) =>
        {
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
    // a group ("Các sở, ban, ngành") is not one agency: it has no token of its own
    if catalogue.agency(agency).is_none_or(|a| a.members.is_some()) {
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
