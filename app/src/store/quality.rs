//! What the data-quality score reads: the figures agencies sent, the keys they report, and
//! the batches refused (recorded by the ingest API as they are refused).

use time::OffsetDateTime;

use super::{time_text, Conn};
use crate::model::quality::Received;
use crate::model::Period;

/// Records a refused batch of `items` from `agency`, with the refusal's code.
pub async fn record_rejection(
    conn: &mut Conn,
    agency: &str,
    items: usize,
    code: &str,
    at: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO ingest_rejections (at, agency_code, items, code) VALUES ($1, $2, $3, $4)",
    )
    .bind(time_text::format(at))
    .bind(agency)
    .bind(i64::try_from(items).unwrap_or(i64::MAX))
    .bind(code)
    .execute(conn)
    .await?;
    Ok(())
}

/// The items of each agency's batches refused in `[from, to)`.
pub async fn rejected_items(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT agency_code, CAST(SUM(items) AS BIGINT) FROM ingest_rejections WHERE at >= $1 AND at < $2 GROUP BY agency_code",
    )
    .bind(time_text::format(from))
    .bind(time_text::format(to))
    .fetch_all(conn)
    .await
}

/// The items each agency had stored in `[from, to)`.
pub async fn accepted_items(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT agency_code, COUNT(*) FROM observations WHERE received_at >= $1 AND received_at < $2 GROUP BY agency_code",
    )
    .bind(time_text::format(from))
    .bind(time_text::format(to))
    .fetch_all(conn)
    .await
}

type Row = (String, String, String, String, String, i64, String);

fn received(rows: Vec<Row>) -> sqlx::Result<Vec<(String, Received)>> {
    rows.into_iter()
        .filter_map(|(agency, ind, area, project, period, revision, at)| {
            let period: Period = period.parse().ok()?;
            Some(time_text::parse(&at).map(|received_at| {
                (
                    agency,
                    Received {
                        key: (ind, area, project),
                        period,
                        revision: u32::try_from(revision).unwrap_or(u32::MAX),
                        received_at,
                    },
                )
            }))
        })
        .collect()
}

/// The first revisions of figures whose period starts in `[from, to]` (dates, Vietnam) or
/// is one of `periods`, of reported (not streamed) indicators, by agency.
pub async fn first_revisions(
    conn: &mut Conn,
    from: time::Date,
    to: time::Date,
    periods: &[Period],
) -> sqlx::Result<Vec<(String, Received)>> {
    let listed: Vec<String> = periods.iter().map(|p| format!("'{p}'")).collect();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT o.agency_code, o.indicator_code, o.area_code, o.project_code, o.period, o.revision, o.received_at \
         FROM observations o JOIN indicators i ON i.code = o.indicator_code \
         WHERE o.revision = 1 AND i.cadence <> 'streamed' \
           AND ((o.period_start >= $1 AND o.period_start <= $2) OR o.period IN ({}))",
        if listed.is_empty() { "''".to_string() } else { listed.join(", ") }
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    received(rows)
}

/// The revisions of reported (not streamed) indicators received in `[from, to)`, by agency.
pub async fn received_between(
    conn: &mut Conn,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> sqlx::Result<Vec<(String, Received)>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.agency_code, o.indicator_code, o.area_code, o.project_code, o.period, o.revision, o.received_at \
         FROM observations o JOIN indicators i ON i.code = o.indicator_code \
         WHERE o.received_at >= $1 AND o.received_at < $2 AND i.cadence <> 'streamed'",
    )
    .bind(time_text::format(from))
    .bind(time_text::format(to))
    .fetch_all(conn)
    .await?;
    received(rows)
}
