//! All SQL of the product, compiled only on the server. Used by the ingest API, the live
//! hub, the command line and server functions, so no query is written twice.
//!
//! One store, two backends: SQLite (embedded, one serving process) and PostgreSQL (several
//! instances). Queries go through sqlx's `Any` driver and are written once, in SQL both
//! understand, with `$1`-style parameters (SQLite reads `$N` as parameter N too); where the
//! dialects differ, the function says so and picks by [`Backend`]. Both schemas
//! (`migrations/sqlite`, `migrations/postgres`) have the same tables and columns.
//!
//! Times are stored as fixed-width UTC text (see [`time_text`]) and decimal values as
//! canonical decimal text, on both backends, so the database never rounds a figure and a
//! copy from one backend to the other is the same data.

pub mod alerts;
pub mod audit;
pub mod catalogue;
pub mod displays;
pub mod explanations;
pub mod figures;
pub mod idempotency;
pub mod language;
pub mod meta;
pub mod observations;
pub mod quality;
pub mod shift_log;
pub mod tasks;
pub mod tokens;
pub mod users;
pub mod walls;

pub use sqlx::AnyConnection as Conn;
pub use sqlx::AnyPool as Db;

/// Which database a pool or connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend of a database URL, if it is one we support.
    pub fn of_url(url: &str) -> Option<Backend> {
        match url.split_once(':')?.0.to_ascii_lowercase().as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    pub fn of(db: &Db) -> Backend {
        Backend::of_url(db.connect_options().database_url.as_str()).unwrap_or(Backend::Sqlite)
    }

    pub fn of_conn(conn: &Conn) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The advisory lock that [`write`] transactions take on PostgreSQL ("IOC write").
pub const WRITE_LOCK: i64 = 0x494f_4320_7772_6974;

/// A write transaction, one at a time: what it read stays true until it commits. Sign-in
/// counts the attempts before recording one, an administrator checks that another admin
/// remains before disabling one — read, then write, with no other writer in between. On
/// SQLite the transaction takes the database's write lock at its start (`BEGIN
/// IMMEDIATE`), waiting its turn (the busy timeout) instead of failing at its first write;
/// on PostgreSQL it takes an advisory lock that every instance's write transactions share
/// (released at commit or rollback). Ingest does not go through here: the observation
/// writer has a lock of its own ([`observations::lock_stream`]), so on PostgreSQL these
/// small, rare transactions do not wait for a large batch.
pub async fn write(db: &Db) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// Fixed-width UTC timestamps, `2026-11-22T10:00:00.123Z`, which sort correctly as text.
pub mod time_text {
    use time::macros::format_description;
    use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

    pub fn format(at: OffsetDateTime) -> String {
        at.to_offset(UtcOffset::UTC)
            .format(FORMAT)
            .expect("a UTC timestamp always formats")
    }

    /// `at` as the store keeps it: UTC, to the millisecond. What is published live must be
    /// this, or an instance that reads the change back from the log would show it otherwise.
    pub fn stored(at: OffsetDateTime) -> OffsetDateTime {
        let utc = at.to_offset(UtcOffset::UTC);
        utc.replace_nanosecond(utc.nanosecond() - utc.nanosecond() % 1_000_000)
            .expect("fewer nanoseconds stay valid")
    }

    pub fn parse(text: &str) -> Result<OffsetDateTime, sqlx::Error> {
        PrimitiveDateTime::parse(text, FORMAT)
            .map(PrimitiveDateTime::assume_utc)
            .map_err(|e| sqlx::Error::Decode(format!("bad timestamp '{text}': {e}").into()))
    }

    #[cfg(test)]
    mod tests {
        use time::macros::datetime;

        #[test]
        fn round_trips_to_the_millisecond_and_sorts_as_text() {
            let a = datetime!(2026-11-22 10:00:00.123 +07:00);
            let text = super::format(a);
            assert_eq!(text, "2026-11-22T03:00:00.123Z");
            assert_eq!(super::parse(&text).unwrap(), a);
            assert!(
                super::format(datetime!(2026-11-22 03:00:00 UTC))
                    < super::format(datetime!(2026-11-22 03:00:00.5 UTC))
            );
        }

        #[test]
        fn what_is_stored_is_what_reads_back() {
            let at = datetime!(2026-11-22 10:00:00.123456789 +07:00);
            let stored = super::stored(at);
            assert_eq!(stored, datetime!(2026-11-22 03:00:00.123 UTC));
            assert_eq!(stored.offset(), time::UtcOffset::UTC);
            assert_eq!(super::parse(&super::format(at)).unwrap(), stored);
        }
    }
}

/// Parses a decimal column.
pub(crate) fn decimal(text: &str) -> Result<rust_decimal::Decimal, sqlx::Error> {
    text.parse()
        .map_err(|e| sqlx::Error::Decode(format!("bad decimal '{text}': {e}").into()))
}

/// Parses a column holding one of our snake_case enums or codes.
pub(crate) fn parse_column<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| sqlx::Error::Decode(format!("bad value '{text}': {e}").into()))
}

/// The snake_case text of one of our enums, as stored.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("not a unit enum: {other:?}"),
    }
}
