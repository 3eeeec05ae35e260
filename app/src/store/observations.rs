//! Observations (every accepted figure, by revision) and the event log that numbers them
//! for the live stream.

use rust_decimal::Decimal;
use sqlx::SqliteConnection;
use time::OffsetDateTime;

use super::{decimal, parse_column, time_text, Db};
use crate::model::live::PreviousValue;
use crate::model::{LiveValue, Period, Unit};

/// A validated figure, in its indicator's unit, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator: String,
    pub area: String,
    pub period: Period,
    pub value: Decimal,
    pub unit: Unit,
    pub as_of: OffsetDateTime,
}

/// Where a stored figure landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub observation_id: i64,
    pub revision: u32,
    /// Its event-log id, the stream offset.
    pub offset: u64,
}

/// Stores `items` (with no two for the same indicator, area and period) as the next
/// revision of each, and appends one event per item, in item order. Runs inside the
/// caller's write transaction, which must be the only writer (the ingest lock).
pub async fn record(
    conn: &mut SqliteConnection,
    agency: &str,
    received_at: OffsetDateTime,
    items: &[NewObservation],
) -> sqlx::Result<Vec<Recorded>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<serde_json::Value> = items
        .iter()
        .map(|o| {
            serde_json::json!([
                o.indicator,
                o.area,
                o.period.to_string(),
                o.period.start().to_string(),
                o.value.normalize().to_string(),
                o.unit.code(),
                time_text::format(o.as_of),
            ])
        })
        .collect();
    let received = time_text::format(received_at);
    // One statement for the whole batch: SQLite inserts in the SELECT's order, so ids
    // ascend with the items.
    let mut inserted: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO observations
           (indicator_code, area_code, period, period_start, revision, value, unit, agency_code, as_of, received_at)
         SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3,
                COALESCE((SELECT MAX(o.revision) FROM observations o
                          WHERE o.indicator_code = j.value ->> 0 AND o.area_code = j.value ->> 1
                            AND o.period = j.value ->> 2), 0) + 1,
                j.value ->> 4, j.value ->> 5, ?1, j.value ->> 6, ?2
         FROM json_each(?3) AS j
         ORDER BY j.key
         RETURNING id, revision",
    )
    .bind(agency)
    .bind(&received)
    .bind(serde_json::Value::Array(rows).to_string())
    .fetch_all(&mut *conn)
    .await?;
    inserted.sort_unstable();
    let (first, last) = (inserted[0].0, inserted[inserted.len() - 1].0);
    let mut events: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO stream_events (observation_id, recorded_at)
         SELECT id, ?1 FROM observations WHERE id BETWEEN ?2 AND ?3 ORDER BY id
         RETURNING observation_id, id",
    )
    .bind(&received)
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await?;
    events.sort_unstable();
    if events.len() != inserted.len() {
        return Err(sqlx::Error::Protocol(format!(
            "event log out of step: {} observations, {} events",
            inserted.len(),
            events.len()
        )));
    }
    Ok(inserted
        .into_iter()
        .zip(events)
        .map(|((observation_id, revision), (_, offset))| Recorded {
            observation_id,
            revision: u32::try_from(revision).unwrap_or(u32::MAX),
            offset: u64::try_from(offset).unwrap_or(0),
        })
        .collect())
}

/// The id of the newest event, 0 for an empty log.
pub async fn head(db: &Db) -> sqlx::Result<u64> {
    let head: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM stream_events").fetch_one(db).await?;
    Ok(head.map_or(0, |h| u64::try_from(h).unwrap_or(0)))
}

/// The (offset, indicator, area) of each event after `after`, oldest first.
pub async fn event_keys_after(db: &Db, after: u64) -> sqlx::Result<Vec<(u64, String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT e.id, o.indicator_code, o.area_code
         FROM stream_events e JOIN observations o ON o.id = e.observation_id
         WHERE e.id > ? ORDER BY e.id",
    )
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id, i, a)| (u64::try_from(id).unwrap_or(0), i, a)).collect())
}

type ValueRow = (String, String, String, String, String, String, String, i64, Option<i64>, i64, i64);

/// The current value of every indicator and area: the latest revision of the latest
/// period, with the latest revision of the period before it.
pub async fn current_values(db: &Db) -> sqlx::Result<Vec<LiveValue>> {
    let rows: Vec<ValueRow> = sqlx::query_as(
        "SELECT x.indicator_code, x.area_code, x.period, x.value, x.unit, x.agency_code, x.as_of, x.revision,
                (SELECT e.id FROM stream_events e WHERE e.observation_id = x.id), x.prank, x.rrank
         FROM (
           SELECT o.id, o.indicator_code, o.area_code, o.period, o.value, o.unit, o.agency_code, o.as_of, o.revision,
                  DENSE_RANK() OVER (PARTITION BY o.indicator_code, o.area_code ORDER BY o.period_start DESC) AS prank,
                  ROW_NUMBER() OVER (PARTITION BY o.indicator_code, o.area_code, o.period_start ORDER BY o.revision DESC) AS rrank
           FROM observations o
         ) AS x
         WHERE x.prank <= 2 AND x.rrank = 1
         ORDER BY x.indicator_code, x.area_code, x.prank",
    )
    .fetch_all(db)
    .await?;
    let mut values: Vec<LiveValue> = Vec::new();
    for (indicator, area, period, value, unit, agency, as_of, revision, offset, prank, _) in rows {
        let period: Period = period.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let value = decimal(&value)?;
        if prank == 2 {
            if let Some(last) = values.last_mut().filter(|v| v.indicator == indicator && v.area == area) {
                last.previous = Some(PreviousValue { period, value });
            }
            continue;
        }
        values.push(LiveValue {
            indicator,
            area,
            period,
            value,
            unit: parse_column(&unit)?,
            agency,
            as_of: time_text::parse(&as_of)?,
            revision: u32::try_from(revision).unwrap_or(u32::MAX),
            offset: offset.map_or(0, |o| u64::try_from(o).unwrap_or(0)),
            previous: None,
        });
    }
    Ok(values)
}

/// How many observations are stored for (indicator, area, period), all revisions.
pub async fn revisions(db: &Db, indicator: &str, area: &str, period: &str) -> sqlx::Result<Vec<(u32, Decimal)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT revision, value FROM observations WHERE indicator_code = ? AND area_code = ? AND period = ? ORDER BY revision",
    )
    .bind(indicator)
    .bind(area)
    .bind(period)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(r, v)| Ok((u32::try_from(r).unwrap_or(0), decimal(&v)?)))
        .collect()
}
