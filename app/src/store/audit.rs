//! The audit trail: append-only (the database refuses UPDATE and DELETE on it). Each entry
//! is written in the transaction of the action it records, so an action without its entry
//! never commits.

use time::OffsetDateTime;

use super::{time_text, Backend};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// user, agency_token, display, system or anonymous.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    /// e.g. login, login_failed, token_created, data_submitted.
    pub action: String,
    pub target: Option<String>,
    /// JSON.
    pub detail: String,
    pub ip: Option<String>,
}

/// What is about to be recorded.
#[derive(Debug, Clone, Default)]
pub struct NewEntry<'a> {
    pub actor_kind: &'a str,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: &'a str,
    pub target: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

pub async fn record(
    conn: &mut super::Conn,
    entry: &NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(time_text::format(at))
    .bind(entry.actor_kind)
    .bind(&entry.actor_id)
    .bind(&entry.actor_name)
    .bind(entry.action)
    .bind(&entry.target)
    .bind(if entry.detail.is_null() { "{}".to_string() } else { entry.detail.to_string() })
    .bind(&entry.ip)
    .execute(conn)
    .await?;
    Ok(())
}

/// Filters for reading the trail; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<String>,
    /// Part of the actor's name.
    pub actor: Option<String>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub limit: i64,
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// Entries matching `filter`, newest first.
pub async fn read(conn: &mut super::Conn, filter: &Filter) -> sqlx::Result<Vec<AuditEntry>> {
    // the position of a part in a text: instr() in SQLite, strpos() in PostgreSQL
    let contains = match Backend::of_conn(conn) {
        Backend::Sqlite => "instr(lower(actor_name), lower($2)) > 0",
        Backend::Postgres => "strpos(lower(actor_name), lower($2)) > 0",
    };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT id, at, actor_kind, actor_id, actor_name, action, target, detail, ip FROM audit_log
         WHERE ($1 IS NULL OR action = $1)
           AND ($2 IS NULL OR {contains})
           AND ($3 IS NULL OR at >= $3)
           AND ($4 IS NULL OR at <= $4)
         ORDER BY id DESC LIMIT $5"
    ))
    .bind(&filter.action)
    .bind(&filter.actor)
    .bind(filter.since.map(time_text::format))
    .bind(filter.until.map(time_text::format))
    .bind(if filter.limit > 0 { filter.limit } else { 200 })
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.0,
                at: time_text::parse(&r.1)?,
                actor_kind: r.2,
                actor_id: r.3,
                actor_name: r.4,
                action: r.5,
                target: r.6,
                detail: r.7,
                ip: r.8,
            })
        })
        .collect()
}

/// The sign-in actions that settle an attempt: it succeeded, the current password was
/// confirmed (changing it), or no password was checked because the server was busy.
pub const SETTLES_AN_ATTEMPT: [&str; 3] = ["login", "reauthenticated", "login_busy"];

/// Unsettled sign-in attempts since `since` — failed, or still being checked — for a
/// username and from an address: the attempts recorded (`login_attempt`, before any
/// password is checked) less those settled (see [`SETTLES_AN_ATTEMPT`]).
pub async fn unsettled_logins(
    conn: &mut super::Conn,
    username: &str,
    ip: &str,
    since: OffsetDateTime,
) -> sqlx::Result<(i64, i64)> {
    let since = time_text::format(since);
    // by (action, at): the index on both keeps this to the window's sign-in rows
    let count = |column: &str| {
        format!(
            "SELECT COALESCE(SUM(CASE WHEN action = 'login_attempt' THEN 1 ELSE -1 END), 0)
             FROM audit_log WHERE action IN ('login_attempt', '{}') AND at >= $1 AND {column}",
            SETTLES_AN_ATTEMPT.join("', '")
        )
    };
    let by_user: i64 = sqlx::query_scalar(&count("lower(target) = lower($2)"))
        .bind(&since)
        .bind(username)
        .fetch_one(&mut *conn)
        .await?;
    let by_ip: i64 = sqlx::query_scalar(&count("ip = $2"))
        .bind(&since)
        .bind(ip)
        .fetch_one(&mut *conn)
        .await?;
    Ok((by_user.max(0), by_ip.max(0)))
}
