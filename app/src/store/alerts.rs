//! Alerts: raised, updated, escalated and resolved by the alert engine, acknowledged and
//! resolved by people. Every transition is a conditional update (it names the status it
//! expects, so an operator's acknowledgement and the engine's resolution cannot both win)
//! made in a write transaction together with its audit entry (target `alert <id>`).

use rust_decimal::Decimal;
use std::collections::HashMap;
use time::OffsetDateTime;

use super::{audit, decimal, parse_column, time_text, Conn};
use crate::model::alert::{Act, Alert, Reason, RuleKind, Severity, Status};

const COLUMNS: &str = "id, rule, kind, indicator_code, area_code, agency_code, severity, status, value, period, as_of, reason_vi, reason_en, raised_at, acknowledged_at, acknowledged_by, ack_note, escalated_at, resolved_at, resolved_by, resolve_note, updated_at, version";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    rule: String,
    kind: String,
    indicator_code: String,
    area_code: String,
    agency_code: String,
    severity: String,
    status: String,
    value: Option<String>,
    period: Option<String>,
    as_of: Option<String>,
    reason_vi: String,
    reason_en: String,
    raised_at: String,
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
    ack_note: Option<String>,
    escalated_at: Option<String>,
    resolved_at: Option<String>,
    resolved_by: Option<String>,
    resolve_note: Option<String>,
    updated_at: String,
    version: i64,
}

fn optional_time(text: Option<String>) -> sqlx::Result<Option<OffsetDateTime>> {
    text.as_deref().map(time_text::parse).transpose()
}

impl TryFrom<Row> for Alert {
    type Error = sqlx::Error;

    fn try_from(r: Row) -> sqlx::Result<Alert> {
        let act = |at: Option<String>, by: Option<String>, note: Option<String>| {
            optional_time(at).map(|at| at.map(|at| Act { at, by, note }))
        };
        Ok(Alert {
            id: r.id,
            rule: r.rule,
            kind: parse_column::<RuleKind>(&r.kind)?,
            indicator: r.indicator_code,
            area: r.area_code,
            agency: r.agency_code,
            severity: parse_column::<Severity>(&r.severity)?,
            status: parse_column::<Status>(&r.status)?,
            value: r.value.as_deref().map(decimal).transpose()?,
            period: r.period,
            as_of: optional_time(r.as_of)?,
            reason: Reason {
                vi: r.reason_vi,
                en: r.reason_en,
            },
            raised_at: time_text::parse(&r.raised_at)?,
            acknowledged: act(r.acknowledged_at, r.acknowledged_by, r.ack_note)?,
            escalated_at: optional_time(r.escalated_at)?,
            resolved: act(r.resolved_at, r.resolved_by, r.resolve_note)?,
            updated_at: time_text::parse(&r.updated_at)?,
            version: u32::try_from(r.version).unwrap_or(u32::MAX),
        })
    }
}

/// The figure an alert is about, as evaluated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    pub value: Option<Decimal>,
    pub period: Option<String>,
    pub as_of: Option<OffsetDateTime>,
}

/// An alert about to be raised.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub rule: String,
    pub kind: RuleKind,
    pub indicator: String,
    pub area: String,
    pub agency: String,
    pub severity: Severity,
    pub reason: Reason,
    pub figure: Figure,
}

/// The alerts not resolved, oldest first.
pub async fn unresolved(conn: &mut Conn) -> sqlx::Result<Vec<Alert>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE status <> 'resolved' ORDER BY id"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alert::try_from).collect()
}

/// When each (rule, indicator, area) last resolved, for those resolved after `after`.
pub async fn resolved_after(
    conn: &mut Conn,
    after: OffsetDateTime,
) -> sqlx::Result<HashMap<(String, String, String), OffsetDateTime>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT rule, indicator_code, area_code, MAX(resolved_at) FROM alerts \
         WHERE status = 'resolved' AND resolved_at > $1 GROUP BY rule, indicator_code, area_code",
    )
    .bind(time_text::format(after))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(rule, ind, area, at)| Ok(((rule, ind, area), time_text::parse(&at)?)))
        .collect()
}

/// Alerts by status (all when `None`) and owning agency, newest first, at most `limit`.
pub async fn list(
    conn: &mut Conn,
    status: Option<Status>,
    agency: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Alert>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE (CAST($1 AS TEXT) IS NULL OR status = CAST($1 AS TEXT)) AND (CAST($2 AS TEXT) IS NULL OR agency_code = CAST($2 AS TEXT)) \
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(status.map(Status::code))
    .bind(agency)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alert::try_from).collect()
}

/// The alerts changed after `after` (by any instance).
pub async fn changed_after(conn: &mut Conn, after: OffsetDateTime) -> sqlx::Result<Vec<Alert>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE updated_at > $1 ORDER BY id"
    ))
    .bind(time_text::format(after))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Alert::try_from).collect()
}

pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Alert>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM alerts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Alert::try_from).transpose()
}

fn system(action: &'static str, id: i64, detail: serde_json::Value) -> audit::NewEntry<'static> {
    audit::NewEntry {
        actor_kind: "system",
        actor_id: None,
        actor_name: "alert engine".into(),
        action,
        target: Some(format!("alert {id}")),
        detail,
        ip: None,
    }
}

/// Raises an alert (the engine). `None` if one is already open for its rule, indicator and
/// area (another engine got there first).
pub async fn raise(
    conn: &mut Conn,
    new: &NewAlert,
    at: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    let at_text = time_text::format(at);
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO alerts (rule, kind, indicator_code, area_code, agency_code, severity, status, value, period, as_of, reason_vi, reason_en, raised_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $12, 1) \
         ON CONFLICT (rule, indicator_code, area_code) WHERE status <> 'resolved' DO NOTHING RETURNING id",
    )
    .bind(&new.rule)
    .bind(new.kind.code())
    .bind(&new.indicator)
    .bind(&new.area)
    .bind(&new.agency)
    .bind(new.severity.code())
    .bind(new.figure.value.map(|v| v.to_string()))
    .bind(&new.figure.period)
    .bind(new.figure.as_of.map(time_text::format))
    .bind(&new.reason.vi)
    .bind(&new.reason.en)
    .bind(&at_text)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        let detail = serde_json::json!({
            "rule": new.rule, "indicator": new.indicator, "area": new.area,
            "agency": new.agency, "severity": new.severity.code(), "reason": new.reason.en,
        });
        audit::record(conn, &system("alert_raised", id, detail), at).await?;
    }
    Ok(id)
}

/// A new severity, reason or figure for an alert that is not resolved (the engine).
pub async fn update(
    conn: &mut Conn,
    id: i64,
    severity: Severity,
    reason: &Reason,
    figure: &Figure,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "UPDATE alerts SET severity = $2, reason_vi = $3, reason_en = $4, value = $5, period = $6, as_of = $7, updated_at = $8, version = version + 1 \
         WHERE id = $1 AND status <> 'resolved'",
    )
    .bind(id)
    .bind(severity.code())
    .bind(&reason.vi)
    .bind(&reason.en)
    .bind(figure.value.map(|v| v.to_string()))
    .bind(&figure.period)
    .bind(figure.as_of.map(time_text::format))
    .bind(time_text::format(at))
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if changed {
        let detail = serde_json::json!({ "severity": severity.code(), "reason": reason.en });
        audit::record(conn, &system("alert_updated", id, detail), at).await?;
    }
    Ok(changed)
}

/// Marks an open, unacknowledged alert as gone to the leaders (the engine).
pub async fn escalate(conn: &mut Conn, id: i64, at: OffsetDateTime) -> sqlx::Result<bool> {
    stamp(
        conn,
        "UPDATE alerts SET escalated_at = $2, updated_at = $2, version = version + 1 \
         WHERE id = $1 AND status = 'open' AND escalated_at IS NULL",
        "alert_escalated",
        id,
        at,
    )
    .await
}

/// Resolves an alert whose condition cleared (the engine).
pub async fn clear(conn: &mut Conn, id: i64, at: OffsetDateTime) -> sqlx::Result<bool> {
    stamp(
        conn,
        "UPDATE alerts SET status = 'resolved', resolved_at = $2, updated_at = $2, version = version + 1 \
         WHERE id = $1 AND status <> 'resolved'",
        "alert_cleared",
        id,
        at,
    )
    .await
}

/// The engine's transition of alert `id` at `at` by `sql` (`$1` the id, `$2` the time, a
/// condition on the status it expects), audited as `action` if it changed the alert.
async fn stamp(
    conn: &mut Conn,
    sql: &str,
    action: &'static str,
    id: i64,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(sql)
        .bind(id)
        .bind(time_text::format(at))
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if changed {
        audit::record(conn, &system(action, id, serde_json::json!({})), at).await?;
    }
    Ok(changed)
}

/// What a person may do to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    Resolve,
}

/// Acknowledges or resolves alert `id` by a person (named `by`, audited as `entry`), with
/// `note`: the alert as it then stands, and whether this changed it (`false`: it was
/// already acknowledged or resolved); `None` when there is no such alert.
pub async fn act(
    conn: &mut Conn,
    id: i64,
    action: Action,
    by: &str,
    note: &str,
    mut entry: audit::NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<Option<(Alert, bool)>> {
    let at_text = time_text::format(at);
    let sql = match action {
        Action::Acknowledge => {
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, ack_note = $4, updated_at = $2, version = version + 1 \
             WHERE id = $1 AND status = 'open'"
        }
        Action::Resolve => {
            "UPDATE alerts SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolve_note = $4, updated_at = $2, version = version + 1 \
             WHERE id = $1 AND status <> 'resolved'"
        }
    };
    let changed = sqlx::query(sql)
        .bind(id)
        .bind(&at_text)
        .bind(by)
        .bind(note)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if changed {
        entry.target = Some(format!("alert {id}"));
        entry.detail = serde_json::json!({ "note": note });
        audit::record(conn, &entry, at).await?;
    }
    Ok(get(conn, id).await?.map(|a| (a, changed)))
}
