//! Wall screens and their read-only tokens (shown once; only a hash is kept).

use time::OffsetDateTime;

use super::{time_text, tokens::hash};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Display {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Every display token starts with this.
pub const PREFIX: &str = "iocd_";

type Row = (i64, String, String, Option<String>, Option<String>);
const COLUMNS: &str = "id, name, created_at, last_seen_at, revoked_at";

fn display(r: Row) -> sqlx::Result<Display> {
    Ok(Display {
        id: r.0,
        name: r.1,
        created_at: time_text::parse(&r.2)?,
        last_seen_at: r.3.as_deref().map(time_text::parse).transpose()?,
        revoked_at: r.4.as_deref().map(time_text::parse).transpose()?,
    })
}

/// Creates a display and returns it with its token, which is not stored.
pub async fn create(
    conn: &mut super::Conn,
    name: &str,
    now: OffsetDateTime,
) -> sqlx::Result<(Display, String)> {
    let token = format!("{PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()));
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO displays (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING {COLUMNS}"
    ))
    .bind(name)
    .bind(hash(&token))
    .bind(time_text::format(now))
    .fetch_one(conn)
    .await?;
    Ok((display(row)?, token))
}

pub async fn find_active(conn: &mut super::Conn, token: &str) -> sqlx::Result<Option<Display>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM displays WHERE token_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(hash(token))
    .fetch_optional(conn)
    .await?;
    row.map(display).transpose()
}

pub async fn by_id(conn: &mut super::Conn, id: i64) -> sqlx::Result<Option<Display>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM displays WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(display).transpose()
}

pub async fn list(conn: &mut super::Conn) -> sqlx::Result<Vec<Display>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM displays ORDER BY id"))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(display).collect()
}

pub async fn revoke(conn: &mut super::Conn, id: i64, now: OffsetDateTime) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE displays SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(time_text::format(now))
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Displays revoked after `after`.
pub async fn revoked_after(
    conn: &mut super::Conn,
    after: OffsetDateTime,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM displays WHERE revoked_at > $1")
        .bind(time_text::format(after))
        .fetch_all(conn)
        .await
}

/// Marks the wall screens `ids` seen at `now` (those connected to the live stream).
pub async fn seen(conn: &mut super::Conn, ids: &[i64], now: OffsetDateTime) -> sqlx::Result<()> {
    for id in ids {
        touch(conn, *id, now).await?;
    }
    Ok(())
}

pub async fn touch(conn: &mut super::Conn, id: i64, now: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query("UPDATE displays SET last_seen_at = $1 WHERE id = $2")
        .bind(time_text::format(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
