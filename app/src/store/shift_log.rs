//! The shift log (sổ giao ca): notes and handovers, each written with its audit entry; a
//! handover lists the alerts left open and is confirmed once, by someone else, when the
//! next shift has read it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{audit, time_text, Conn};

/// An alert as a handover lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedAlert {
    pub id: i64,
    pub severity: String,
    pub status: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Note,
    Handover,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: OffsetDateTime,
    pub kind: EntryKind,
    pub author_id: i64,
    pub author: String,
    pub body: String,
    /// A handover's alerts left open.
    pub open_alerts: Vec<HandedAlert>,
    /// A handover's confirmation: when, by whom.
    pub confirmed: Option<(OffsetDateTime, String)>,
}

type Row = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn entry(r: Row) -> sqlx::Result<Entry> {
    let (id, at, kind, author_id, author, body, open_alerts, confirmed_at, confirmed_by) = r;
    Ok(Entry {
        id,
        at: time_text::parse(&at)?,
        kind: if kind == "handover" {
            EntryKind::Handover
        } else {
            EntryKind::Note
        },
        author_id,
        author,
        body,
        open_alerts: match open_alerts {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| sqlx::Error::Decode(format!("bad handover list: {e}").into()))?,
            None => Vec::new(),
        },
        confirmed: match (confirmed_at, confirmed_by) {
            (Some(at), Some(by)) => Some((time_text::parse(&at)?, by)),
            _ => None,
        },
    })
}

const COLUMNS: &str =
    "id, at, kind, author_id, author, body, open_alerts, confirmed_at, confirmed_by";

/// The entries written after `after`, newest first, at most `limit`.
pub async fn since(conn: &mut Conn, after: OffsetDateTime, limit: i64) -> sqlx::Result<Vec<Entry>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM shift_log WHERE at > $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(time_text::format(after))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(entry).collect()
}

/// The latest handover, if any.
pub async fn last_handover(conn: &mut Conn) -> sqlx::Result<Option<Entry>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM shift_log WHERE kind = 'handover' ORDER BY id DESC LIMIT 1"
    ))
    .fetch_optional(conn)
    .await?;
    row.map(entry).transpose()
}

pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Entry>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM shift_log WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(entry).transpose()
}

/// Writes a note, or a handover listing `open_alerts`; its id.
#[allow(clippy::too_many_arguments)]
pub async fn write(
    conn: &mut Conn,
    kind: EntryKind,
    author_id: i64,
    author: &str,
    body: &str,
    open_alerts: &[HandedAlert],
    mut audit_entry: audit::NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    let handover = kind == EntryKind::Handover;
    let list = handover.then(|| serde_json::to_string(open_alerts).expect("a list serialises"));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO shift_log (at, kind, author_id, author, body, open_alerts) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(time_text::format(at))
    .bind(if handover { "handover" } else { "note" })
    .bind(author_id)
    .bind(author)
    .bind(body)
    .bind(list)
    .fetch_one(&mut *conn)
    .await?;
    audit_entry.target = Some(format!("shift_log {id}"));
    audit_entry.detail = serde_json::json!({ "open_alerts": open_alerts.len() });
    audit::record(conn, &audit_entry, at).await?;
    Ok(id)
}

/// Confirms handover `id` as read by `by` (not its author); whether this confirmed it
/// (`false`: already confirmed, or not a handover, or one's own).
pub async fn confirm(
    conn: &mut Conn,
    id: i64,
    by_id: i64,
    by: &str,
    mut audit_entry: audit::NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "UPDATE shift_log SET confirmed_at = $2, confirmed_by_id = $3, confirmed_by = $4 \
         WHERE id = $1 AND kind = 'handover' AND confirmed_at IS NULL AND author_id <> $3",
    )
    .bind(id)
    .bind(time_text::format(at))
    .bind(by_id)
    .bind(by)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if changed {
        audit_entry.target = Some(format!("shift_log {id}"));
        audit::record(conn, &audit_entry, at).await?;
    }
    Ok(changed)
}
