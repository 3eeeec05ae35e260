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
    pub revision: u32,
    /// Its event-log id: the stream offset, and the observation's id.
    pub offset: u64,
}

/// An item that would make an older figure current: the stored revision of its indicator,
/// area and period is as of a later time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleItem {
    /// Its position among the items.
    pub index: usize,
    pub stored_as_of: OffsetDateTime,
}

/// What [`record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recording {
    /// Every item stored, in item order.
    Stored(Vec<Recorded>),
    /// Nothing stored: these items are older than the figures they would revise.
    Stale(Vec<StaleItem>),
}

/// Stores `items` (with no two for the same indicator, area and period) as the next
/// revision of each, each with its event in the log, in item order — unless an item's
/// `as_of` is older than that of the revision it would follow, in which case nothing is
/// stored (a late copy of an older figure must never become the current one). Runs inside
/// the caller's write transaction, which must be the only writer of the log (the
/// observation writer).
pub async fn record(
    conn: &mut SqliteConnection,
    agency: &str,
    received_at: OffsetDateTime,
    items: &[NewObservation],
) -> sqlx::Result<Recording> {
    if items.is_empty() {
        return Ok(Recording::Stored(Vec::new()));
    }
    let received = time_text::format(received_at);
    let count = i64::try_from(items.len()).unwrap_or(i64::MAX);

    // Each item's latest stored revision and its as-of time, read in one query.
    let keys: Vec<serde_json::Value> = items
        .iter()
        .map(|o| serde_json::json!([o.indicator, o.area, o.period.to_string()]))
        .collect();
    let latest: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(l.revision, l.as_of) ORDER BY k.key)
         FROM json_each(?1) AS k
         LEFT JOIN observations l ON l.id = (
             SELECT o.id FROM observations o
             WHERE o.indicator_code = k.value ->> 0 AND o.area_code = k.value ->> 1
               AND o.period = k.value ->> 2
             ORDER BY o.revision DESC LIMIT 1)",
    )
    .bind(serde_json::Value::Array(keys).to_string())
    .fetch_one(&mut *conn)
    .await?;
    let latest: Vec<(Option<u32>, Option<String>)> =
        serde_json::from_str(&latest).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let mut revisions = Vec::with_capacity(items.len());
    let mut stale = Vec::new();
    for (index, (item, (revision, as_of))) in items.iter().zip(&latest).enumerate() {
        if let Some(stored) = as_of.as_deref().map(time_text::parse).transpose()? {
            if stored > item.as_of {
                stale.push(StaleItem {
                    index,
                    stored_as_of: stored,
                });
            }
        }
        revisions.push(revision.unwrap_or(0) + 1);
    }
    if !stale.is_empty() {
        return Ok(Recording::Stale(stale));
    }

    // One event per item. In this (sole) writer's transaction the log's AUTOINCREMENT ids
    // of one statement are consecutive, so the items' offsets end at the last inserted id.
    let placeholders =
        serde_json::Value::Array(vec![serde_json::Value::Null; items.len()]).to_string();
    let last = sqlx::query(
        "INSERT INTO stream_events (kind, recorded_at) SELECT 'observation', ?1 FROM json_each(?2)",
    )
    .bind(&received)
    .bind(placeholders)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    let first = last - count + 1;

    // Each observation takes its event's id.
    let rows: Vec<serde_json::Value> = items
        .iter()
        .zip(&revisions)
        .enumerate()
        .map(|(i, (o, revision))| {
            serde_json::json!([
                first + i as i64,
                o.indicator,
                o.area,
                o.period.to_string(),
                o.period.start().to_string(),
                revision,
                o.value.normalize().to_string(),
                o.unit.code(),
                time_text::format(o.as_of),
            ])
        })
        .collect();
    let stored = sqlx::query(
        "INSERT INTO observations
           (id, indicator_code, area_code, period, period_start, revision, value, unit, agency_code, as_of, received_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                value ->> 7, ?1, value ->> 8, ?2
         FROM json_each(?3)",
    )
    .bind(agency)
    .bind(&received)
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut *conn)
    .await?;
    if stored.rows_affected() != items.len() as u64 || revisions.len() != items.len() {
        return Err(sqlx::Error::Protocol(format!(
            "stored {} observations and {} revisions for {} items",
            stored.rows_affected(),
            revisions.len(),
            items.len()
        )));
    }
    Ok(Recording::Stored(
        revisions
            .into_iter()
            .enumerate()
            .map(|(i, revision)| Recorded {
                revision,
                offset: u64::try_from(first + i as i64).unwrap_or(0),
            })
            .collect(),
    ))
}

/// The as-of time of the latest revision of every (indicator, area, period) stored.
pub async fn latest_as_of(
    db: &Db,
) -> sqlx::Result<std::collections::HashMap<(String, String, String), OffsetDateTime>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT indicator_code, area_code, period, MAX(as_of) FROM observations
         GROUP BY indicator_code, area_code, period",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(i, a, p, at)| Ok(((i, a, p), time_text::parse(&at)?)))
        .collect()
}

/// The id of the newest event, 0 for an empty log.
pub async fn head(db: &Db) -> sqlx::Result<u64> {
    let head: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM stream_events")
        .fetch_one(db)
        .await?;
    Ok(head.map_or(0, |h| u64::try_from(h).unwrap_or(0)))
}

/// The (offset, indicator, area) of each event after `after`, oldest first.
pub async fn event_keys_after(db: &Db, after: u64) -> sqlx::Result<Vec<(u64, String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, indicator_code, area_code FROM observations WHERE id > ? ORDER BY id",
    )
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, i, a)| (u64::try_from(id).unwrap_or(0), i, a))
        .collect())
}

type ValueRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
);

/// The current value of every indicator and area: the latest revision of the latest
/// period, with the latest revision of the period before it.
pub async fn current_values(db: &Db) -> sqlx::Result<Vec<LiveValue>> {
    let rows: Vec<ValueRow> = sqlx::query_as(
        "SELECT indicator_code, area_code, period, value, unit, agency_code, as_of, revision, id, prank, rrank
         FROM (
           SELECT o.*,
                  DENSE_RANK() OVER (PARTITION BY o.indicator_code, o.area_code ORDER BY o.period DESC) AS prank,
                  ROW_NUMBER() OVER (PARTITION BY o.indicator_code, o.area_code, o.period ORDER BY o.revision DESC) AS rrank
           FROM observations o
         )
         WHERE prank <= 2 AND rrank = 1
         ORDER BY indicator_code, area_code, prank",
    )
    .fetch_all(db)
    .await?;
    let mut values: Vec<LiveValue> = Vec::new();
    for (indicator, area, period, value, unit, agency, as_of, revision, offset, prank, _) in rows {
        let period: Period = period
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let value = decimal(&value)?;
        if prank == 2 {
            if let Some(last) = values
                .last_mut()
                .filter(|v| v.indicator == indicator && v.area == area)
            {
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
            offset: u64::try_from(offset).unwrap_or(0),
            previous: None,
        });
    }
    Ok(values)
}

/// How many observations are stored for (indicator, area, period), all revisions.
pub async fn revisions(
    db: &Db,
    indicator: &str,
    area: &str,
    period: &str,
) -> sqlx::Result<Vec<(u32, Decimal)>> {
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
