//! The stream's epoch: a random id created with the database.

use super::Db;

pub async fn epoch(db: &Db) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT epoch FROM stream_meta WHERE id = 1")
        .fetch_one(db)
        .await
}
