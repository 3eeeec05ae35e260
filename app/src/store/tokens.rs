//! Agency API tokens. A token is shown once when created; only its SHA-256 hash is stored
//! (tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force).

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{time_text, Db};

/// Every token starts with this, so a leaked one is easy to recognise in logs and scans.
pub const PREFIX: &str = "ioc_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub agency: String,
    pub label: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

type TokenRow = (i64, String, String, String, Option<String>, Option<String>);

fn info(
    (id, agency, label, created_at, last_used_at, revoked_at): TokenRow,
) -> sqlx::Result<TokenInfo> {
    Ok(TokenInfo {
        id,
        agency,
        label,
        created_at: time_text::parse(&created_at)?,
        last_used_at: last_used_at.as_deref().map(time_text::parse).transpose()?,
        revoked_at: revoked_at.as_deref().map(time_text::parse).transpose()?,
    })
}

const COLUMNS: &str = "id, agency_code, label, created_at, last_used_at, revoked_at";

/// Creates a token for `agency` and returns it with the plain text, which is not stored.
pub async fn create(
    conn: &mut super::Conn,
    agency: &str,
    label: &str,
    now: OffsetDateTime,
) -> sqlx::Result<(TokenInfo, String)> {
    let token = format!("{PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()));
    let row: TokenRow = sqlx::query_as(&format!(
        "INSERT INTO api_tokens (agency_code, label, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ))
    .bind(agency)
    .bind(label)
    .bind(hash(&token))
    .bind(time_text::format(now))
    .fetch_one(conn)
    .await?;
    Ok((info(row)?, token))
}

/// The token's record if it exists and is not revoked.
pub async fn find_active(db: &Db, token: &str) -> sqlx::Result<Option<TokenInfo>> {
    let row: Option<TokenRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(hash(token))
    .fetch_optional(db)
    .await?;
    row.map(info).transpose()
}

pub async fn list(db: &Db) -> sqlx::Result<Vec<TokenInfo>> {
    let rows: Vec<TokenRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id"))
            .fetch_all(db)
            .await?;
    rows.into_iter().map(info).collect()
}

/// Revokes a token; false if there is no such active token.
pub async fn revoke(conn: &mut super::Conn, id: i64, now: OffsetDateTime) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(time_text::format(now))
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Tokens revoked after `after`.
pub async fn revoked_after(
    conn: &mut super::Conn,
    after: OffsetDateTime,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM api_tokens WHERE revoked_at > $1")
        .bind(time_text::format(after))
        .fetch_all(conn)
        .await
}

/// Revokes every active token with this label (used by the demo feed, which makes fresh
/// tokens at each start).
pub async fn revoke_labelled(
    conn: &mut super::Conn,
    label: &str,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE label = $2 AND revoked_at IS NULL",
    )
    .bind(time_text::format(now))
    .bind(label)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Records that a token was used, inside the caller's transaction.
pub async fn touch(conn: &mut super::Conn, id: i64, now: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(time_text::format(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
