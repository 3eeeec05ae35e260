//! The stored answers to accepted ingest requests, keyed by who submitted them — one agency
//! token or one officer — and their `Idempotency-Key`, kept for the retention period.

use super::Conn;
use time::OffsetDateTime;

use super::time_text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 of the request body, hex.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// Whose keys these are: each submitter has a key space of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Submitter {
    /// `token:<id>` or `user:<id>`.
    pub id: String,
    pub agency: String,
}

impl Submitter {
    pub fn token(id: i64, agency: &str) -> Submitter {
        Submitter {
            id: format!("token:{id}"),
            agency: agency.to_string(),
        }
    }

    pub fn user(id: i64, agency: &str) -> Submitter {
        Submitter {
            id: format!("user:{id}"),
            agency: agency.to_string(),
        }
    }

    /// The key space of records made before keys were kept per submitter.
    fn legacy(&self) -> String {
        format!("agency:{}", self.agency)
    }
}

/// The answer stored for `submitter`'s `key`, if any (also under the agency's key space
/// of before, so a retry in flight across that upgrade is still answered).
pub async fn find(
    conn: &mut Conn,
    submitter: &Submitter,
    key: &str,
) -> sqlx::Result<Option<StoredResponse>> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_hash, status, response FROM idempotency_records
         WHERE key = $1 AND submitter IN ($2, $3) ORDER BY submitter = $2 DESC LIMIT 1",
    )
    .bind(key)
    .bind(&submitter.id)
    .bind(submitter.legacy())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(request_hash, status, body)| StoredResponse {
        request_hash,
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

pub async fn insert(
    conn: &mut Conn,
    submitter: &Submitter,
    key: &str,
    response: &StoredResponse,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_records (submitter, key, agency_code, request_hash, status, response, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&submitter.id)
    .bind(key)
    .bind(&submitter.agency)
    .bind(&response.request_hash)
    .bind(i64::from(response.status))
    .bind(&response.body)
    .bind(time_text::format(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes up to `limit` records made before `before`; returns how many went.
pub async fn prune(conn: &mut Conn, before: OffsetDateTime, limit: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM idempotency_records WHERE (submitter, key) IN
           (SELECT submitter, key FROM idempotency_records WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
    )
    .bind(time_text::format(before))
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
