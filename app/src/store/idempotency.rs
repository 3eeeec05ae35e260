//! The stored answers to accepted ingest requests, keyed by agency and `Idempotency-Key`.

use sqlx::SqliteConnection;
use time::OffsetDateTime;

use super::time_text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 of the request body, hex.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

pub async fn find(
    conn: &mut SqliteConnection,
    agency: &str,
    key: &str,
) -> sqlx::Result<Option<StoredResponse>> {
    let row: Option<(String, i64, String)> =
        sqlx::query_as("SELECT request_hash, status, response FROM idempotency_records WHERE agency_code = ? AND key = ?")
            .bind(agency)
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(request_hash, status, body)| StoredResponse {
        request_hash,
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

pub async fn insert(
    conn: &mut SqliteConnection,
    agency: &str,
    key: &str,
    response: &StoredResponse,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_records (agency_code, key, request_hash, status, response, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(agency)
    .bind(key)
    .bind(&response.request_hash)
    .bind(i64::from(response.status))
    .bind(&response.body)
    .bind(time_text::format(at))
    .execute(conn)
    .await?;
    Ok(())
}
