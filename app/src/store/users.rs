//! People's accounts. Passwords are stored as argon2id hashes (made by the server).

use time::OffsetDateTime;

use super::{parse_column, time_text};
use crate::model::account::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<String>,
    pub password_hash: String,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    pub sessions_valid_from: OffsetDateTime,
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
);

const COLUMNS: &str = "id, username, display_name, role, agency_code, password_hash, created_at, disabled_at, sessions_valid_from";

fn user(r: Row) -> sqlx::Result<User> {
    Ok(User {
        id: r.0,
        username: r.1,
        display_name: r.2,
        role: parse_column(&r.3)?,
        agency: r.4,
        password_hash: r.5,
        created_at: time_text::parse(&r.6)?,
        disabled_at: r.7.as_deref().map(time_text::parse).transpose()?,
        sessions_valid_from: time_text::parse(&r.8)?,
    })
}

pub async fn create(
    conn: &mut super::Conn,
    username: &str,
    display_name: &str,
    role: Role,
    agency: Option<&str>,
    password_hash: &str,
    now: OffsetDateTime,
) -> sqlx::Result<User> {
    let at = time_text::format(now);
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO users (username, display_name, role, agency_code, password_hash, created_at, sessions_valid_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(username)
    .bind(display_name)
    .bind(role.code())
    .bind(agency)
    .bind(password_hash)
    .bind(&at)
    .bind(&at)
    .fetch_one(conn)
    .await?;
    user(row)
}

pub async fn by_id(conn: &mut super::Conn, id: i64) -> sqlx::Result<Option<User>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(user).transpose()
}

pub async fn by_username(conn: &mut super::Conn, username: &str) -> sqlx::Result<Option<User>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE lower(username) = lower($1)"
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?;
    row.map(user).transpose()
}

pub async fn list(conn: &mut super::Conn) -> sqlx::Result<Vec<User>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(user).collect()
}

pub async fn count_admins(conn: &mut super::Conn) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")
        .fetch_one(conn)
        .await
}

/// Accounts whose sessions were ended (disabled, new role, new password) after `after`,
/// with the time their sessions are valid from.
pub async fn sessions_ended_after(
    conn: &mut super::Conn,
    after: OffsetDateTime,
) -> sqlx::Result<Vec<(i64, OffsetDateTime)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, sessions_valid_from FROM users WHERE sessions_valid_from > $1")
            .bind(time_text::format(after))
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, from)| Ok((id, time_text::parse(&from)?)))
        .collect()
}

/// Disables (or enables) an account; disabling also ends its sessions.
pub async fn set_disabled(
    conn: &mut super::Conn,
    id: i64,
    disabled: bool,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let at = time_text::format(now);
    let done = if disabled {
        sqlx::query("UPDATE users SET disabled_at = $1, sessions_valid_from = $2 WHERE id = $3 AND disabled_at IS NULL")
            .bind(&at)
            .bind(&at)
            .bind(id)
            .execute(conn)
            .await?
    } else {
        sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL")
            .bind(id)
            .execute(conn)
            .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Changes an account's role (and agency); its sessions end, so it signs in again.
pub async fn set_role(
    conn: &mut super::Conn,
    id: i64,
    role: Role,
    agency: Option<&str>,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET role = $1, agency_code = $2, sessions_valid_from = $3 WHERE id = $4",
    )
    .bind(role.code())
    .bind(agency)
    .bind(time_text::format(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password(
    conn: &mut super::Conn,
    id: i64,
    password_hash: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET password_hash = $1, sessions_valid_from = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(time_text::format(now))
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
