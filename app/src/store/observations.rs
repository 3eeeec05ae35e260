//! Observations (every accepted figure, by revision) and the event log that numbers them
//! for the live stream.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{decimal, parse_column, time_text, Backend, Conn, Db};
use crate::model::live::{PreviousValue, ValueKey};
use crate::model::{LiveValue, Period, Unit};

/// A validated figure, in its indicator's unit, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewObservation {
    pub indicator: String,
    pub area: String,
    /// The project of the registry the figure is about, for indicators reported per
    /// project.
    pub project: Option<String>,
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

/// The statements of [`record`] on one backend. Each takes the batch as one JSON parameter
/// (SQLite's `json_each`, PostgreSQL's `jsonb_array_elements`), so a batch of thousands of
/// figures is three statements, not thousands.
struct RecordSql {
    /// `[[revision, as_of] | [null, null], …]` in item order, for the keys in `$1`.
    latest: &'static str,
    /// One event per element of `$3`, ids from `$1` on, recorded at `$2`.
    events: &'static str,
    /// The observations in `$3`, by agency `$1`, received at `$2`.
    observations: &'static str,
}

const SQLITE: RecordSql = RecordSql {
    latest: "SELECT json_group_array(json_array(l.revision, l.as_of) ORDER BY k.key)
             FROM json_each($1) AS k
             LEFT JOIN observations l ON l.id = (
                 SELECT o.id FROM observations o
                 WHERE o.indicator_code = k.value ->> 0 AND o.area_code = k.value ->> 1
                   AND o.project_code = k.value ->> 3 AND o.period = k.value ->> 2
                 ORDER BY o.revision DESC LIMIT 1)",
    events: "INSERT INTO stream_events (id, kind, recorded_at)
             SELECT $1 + key, 'observation', $2 FROM json_each($3)",
    observations: "INSERT INTO observations
           (id, indicator_code, area_code, period, period_start, revision, value, unit, agency_code, as_of, received_at, project_code)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                value ->> 7, $1, value ->> 8, $2, value ->> 9
         FROM json_each($3)",
};

const POSTGRES: RecordSql = RecordSql {
    latest: "SELECT COALESCE(json_agg(json_build_array(l.revision, l.as_of) ORDER BY k.ord), '[]')::text
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS k(value, ord)
             LEFT JOIN LATERAL (
                 SELECT o.revision, o.as_of FROM observations o
                 WHERE o.indicator_code = k.value ->> 0 AND o.area_code = k.value ->> 1
                   AND o.project_code = k.value ->> 3 AND o.period = k.value ->> 2
                 ORDER BY o.revision DESC LIMIT 1) l ON true",
    events: "INSERT INTO stream_events (id, kind, recorded_at)
             SELECT $1 + (e.ord - 1), 'observation', $2
             FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(value, ord)",
    observations: "INSERT INTO observations
           (id, indicator_code, area_code, period, period_start, revision, value, unit, agency_code, as_of, received_at, project_code)
         SELECT (value ->> 0)::bigint, value ->> 1, value ->> 2, value ->> 3, value ->> 4,
                (value ->> 5)::bigint, value ->> 6, value ->> 7, $1, value ->> 8, $2, value ->> 9
         FROM jsonb_array_elements($3::jsonb)",
};

/// The advisory lock that makes one writer of the event log at a time across every
/// instance on a PostgreSQL database (its key: "IOC stream" in ASCII).
pub const STREAM_LOCK: i64 = 0x494f_4320_7374_7265;

/// Makes the caller's write transaction the only writer of the event log until it ends.
///
/// Offsets must become visible in order with no holes, or a screen reading "everything
/// after my offset" would skip a figure that commits later under a lower offset. A
/// sequence cannot promise that — its values are handed out in call order, not commit
/// order, and rollbacks lose some — so offsets are the log's head + 1, 2, …, read and
/// written while holding this lock, which is released only when the transaction commits
/// or rolls back: the next writer reads the head after this one's rows are visible. On
/// SQLite the transaction's `BEGIN IMMEDIATE` already holds the database's one write lock.
/// Take it at the start of the transaction, outside any savepoint.
pub async fn lock_stream(conn: &mut Conn) -> sqlx::Result<()> {
    if Backend::of_conn(conn) == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(STREAM_LOCK)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Stores `items` (with no two for the same indicator, area and period) as the next
/// revision of each, each with its event in the log, in item order — unless an item's
/// `as_of` is older than that of the revision it would follow, in which case nothing is
/// stored (a late copy of an older figure must never become the current one). Runs inside
/// the caller's write transaction, which must hold the log ([`lock_stream`]).
pub async fn record(
    conn: &mut Conn,
    agency: &str,
    received_at: OffsetDateTime,
    items: &[NewObservation],
) -> sqlx::Result<Recording> {
    if items.is_empty() {
        return Ok(Recording::Stored(Vec::new()));
    }
    let sql = match Backend::of_conn(conn) {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let received = time_text::format(received_at);

    // Each item's latest stored revision and its as-of time, read in one query.
    let keys: Vec<serde_json::Value> = items
        .iter()
        .map(|o| {
            serde_json::json!([
                o.indicator,
                o.area,
                o.period.to_string(),
                o.project.as_deref().unwrap_or("")
            ])
        })
        .collect();
    let latest: String = sqlx::query_scalar(sql.latest)
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

    // One event per item, numbered on from the log's head (see `lock_stream`).
    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM stream_events")
        .fetch_one(&mut *conn)
        .await?;
    let first = head + 1;
    let placeholders =
        serde_json::Value::Array(vec![serde_json::Value::Null; items.len()]).to_string();
    let events = sqlx::query(sql.events)
        .bind(first)
        .bind(&received)
        .bind(placeholders)
        .execute(&mut *conn)
        .await?;

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
                o.project.as_deref().unwrap_or(""),
            ])
        })
        .collect();
    let stored = sqlx::query(sql.observations)
        .bind(agency)
        .bind(&received)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    let expected = items.len() as u64;
    if stored.rows_affected() != expected || events.rows_affected() != expected {
        return Err(sqlx::Error::Protocol(format!(
            "stored {} observations and {} events for {} items",
            stored.rows_affected(),
            events.rows_affected(),
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

/// What a stored figure is about: indicator, area, project ('' for none) and period.
pub type FigureKey = (String, String, String, String);

/// The as-of time of the latest revision of every (indicator, area, project, period) stored.
pub async fn latest_as_of(
    db: &Db,
) -> sqlx::Result<std::collections::HashMap<FigureKey, OffsetDateTime>> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT indicator_code, area_code, project_code, period, MAX(as_of) FROM observations
         GROUP BY indicator_code, area_code, project_code, period",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(i, a, pr, p, at)| Ok(((i, a, pr, p), time_text::parse(&at)?)))
        .collect()
}

/// The id of the newest event, 0 for an empty log.
pub async fn head(db: &Db) -> sqlx::Result<u64> {
    let head: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM stream_events")
        .fetch_one(db)
        .await?;
    Ok(head.map_or(0, |h| u64::try_from(h).unwrap_or(0)))
}

/// The channel on which a PostgreSQL writer announces each commit of the event log; its
/// payload is the log's new head.
pub const STREAM_CHANNEL: &str = "ioc_stream";

/// Announces, inside the writer's transaction, that the log will reach `head` when it
/// commits: one notification per committed group, delivered to every listening instance
/// only if and when the transaction commits (PostgreSQL; nothing to do on SQLite, where
/// one process writes and serves).
pub async fn announce(conn: &mut Conn, head: u64) -> sqlx::Result<()> {
    if Backend::of_conn(conn) == Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(STREAM_CHANNEL)
            .bind(head.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The events after offset `after` (and before `before`, if given), oldest first, at most
/// `limit` — as the writer published them: how an instance follows what others commit.
pub async fn events_after(
    db: &Db,
    after: u64,
    before: Option<u64>,
    limit: usize,
) -> sqlx::Result<Vec<LiveValue>> {
    let rows: Vec<ValueRow> = sqlx::query_as(
        "SELECT indicator_code, area_code, period, value, unit, agency_code, as_of, revision, id, 1, 1, project_code
         FROM observations WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3",
    )
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .bind(before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX)))
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    rows.into_iter().map(live_value).collect()
}

fn live_value(row: ValueRow) -> sqlx::Result<LiveValue> {
    let (indicator, area, period, value, unit, agency, as_of, revision, offset, _, _, project) =
        row;
    Ok(LiveValue {
        indicator,
        area,
        project: (!project.is_empty()).then_some(project),
        period: period
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        value: decimal(&value)?,
        unit: parse_column(&unit)?,
        agency,
        as_of: time_text::parse(&as_of)?,
        revision: u32::try_from(revision).unwrap_or(u32::MAX),
        offset: u64::try_from(offset).unwrap_or(0),
        previous: None,
    })
}

/// The offset and (indicator, area, project) of each event after `after`, oldest first.
pub async fn event_keys_after(db: &Db, after: u64) -> sqlx::Result<Vec<(u64, ValueKey)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, indicator_code, area_code, project_code FROM observations WHERE id > $1 ORDER BY id",
    )
    .bind(i64::try_from(after).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, i, a, p)| {
            let project = (!p.is_empty()).then_some(p);
            (u64::try_from(id).unwrap_or(0), ValueKey::new(i, a, project))
        })
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
    String,
);

/// The current value of every indicator and area as of offset `head`: the latest revision
/// of the latest period, with the latest revision of the period before it. (Bounded by
/// `head` so that, read beside the head, the two agree even while other instances commit.)
pub async fn current_values(db: &Db, head: u64) -> sqlx::Result<Vec<LiveValue>> {
    let rows: Vec<ValueRow> = sqlx::query_as(
        "SELECT indicator_code, area_code, period, value, unit, agency_code, as_of, revision, id, prank, rrank, project_code
         FROM (
           SELECT o.*,
                  DENSE_RANK() OVER (PARTITION BY o.indicator_code, o.area_code, o.project_code ORDER BY o.period DESC) AS prank,
                  ROW_NUMBER() OVER (PARTITION BY o.indicator_code, o.area_code, o.project_code, o.period ORDER BY o.revision DESC) AS rrank
           FROM observations o WHERE o.id <= $1
         ) AS ranked
         WHERE prank <= 2 AND rrank = 1
         ORDER BY indicator_code, area_code, project_code, prank",
    )
    .bind(i64::try_from(head).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await?;
    let mut values: Vec<LiveValue> = Vec::new();
    for row in rows {
        let prank = row.9;
        let value = live_value(row)?;
        if prank == 2 {
            if let Some(last) = values.last_mut().filter(|v| {
                v.indicator == value.indicator && v.area == value.area && v.project == value.project
            }) {
                last.previous = Some(PreviousValue {
                    period: value.period,
                    value: value.value,
                });
            }
            continue;
        }
        values.push(value);
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
        "SELECT revision, value FROM observations WHERE indicator_code = $1 AND area_code = $2 AND period = $3 ORDER BY revision",
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
