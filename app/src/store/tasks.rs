//! Directives and tasks: the tasks, their coordinating agencies and their history.
//!
//! Every change goes through a write transaction ([`super::write`]) that also appends the
//! task's history note and the audit entry, so a change without its history never commits.
//! A change names the version it was made against: one made against an older version (two
//! officers at once) is refused, not merged.

use std::collections::HashMap;
use time::{Date, OffsetDateTime};

use super::{audit, parse_column, time_text, Conn, Db};
use crate::model::deadline::Deadline;
use crate::model::task::{NoteKind, Progress, RaisedFrom, Task, TaskNote};

/// A task about to be created.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub title: String,
    pub source: String,
    pub lead: String,
    pub coordinating: Vec<String>,
    pub other_parties: Vec<String>,
    pub output: String,
    pub deadline_text: String,
    pub deadline: Deadline,
    pub raised_from: Option<RaisedFrom>,
}

/// Who makes a change: the name shown in the history, the agency (for officers and agency
/// systems) and the audit trail's actor.
#[derive(Debug, Clone)]
pub struct Author<'a> {
    pub name: String,
    pub agency: Option<String>,
    pub audit: audit::NewEntry<'a>,
}

const COLUMNS: &str = "id, title, source, lead_agency, other_parties, output, deadline_text, deadline, due_on, progress, done_on, reported_on, raised_from, created_by, created_at, updated_at, version";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    source: String,
    lead_agency: String,
    other_parties: String,
    output: String,
    deadline_text: String,
    deadline: String,
    due_on: Option<String>,
    progress: String,
    done_on: Option<String>,
    reported_on: Option<String>,
    raised_from: Option<String>,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn parse_date(text: &str) -> Result<Date, sqlx::Error> {
    match text.parse::<crate::model::Period>() {
        Ok(crate::model::Period::Day(d)) => Ok(d),
        _ => Err(sqlx::Error::Decode(format!("bad date '{text}'").into())),
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text)
        .map_err(|e| sqlx::Error::Decode(format!("bad JSON column '{text}': {e}").into()))
}

fn task(row: Row, coordinating: Vec<String>) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: row.id,
        title: row.title,
        source: row.source,
        lead: row.lead_agency,
        coordinating,
        other_parties: json(&row.other_parties)?,
        output: row.output,
        deadline_text: row.deadline_text,
        deadline: json(&row.deadline)?,
        due: row.due_on.as_deref().map(parse_date).transpose()?,
        progress: parse_column(&row.progress)?,
        done_on: row.done_on.as_deref().map(parse_date).transpose()?,
        reported_on: row.reported_on.as_deref().map(parse_date).transpose()?,
        raised_from: row.raised_from.as_deref().map(json).transpose()?,
        created_by: row.created_by,
        created_at: time_text::parse(&row.created_at)?,
        updated_at: time_text::parse(&row.updated_at)?,
        version: row.version,
    })
}

async fn coordinating_of(conn: &mut Conn, ids: &[i64]) -> sqlx::Result<HashMap<i64, Vec<String>>> {
    let mut by_task: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_task);
    }
    // one query for all of them, over the range of their ids (a list of ids would need
    // SQL of each dialect); rows of tasks in the range not asked for are never looked up
    let (low, high) = (ids.iter().min().copied(), ids.iter().max().copied());
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT task_id, agency FROM task_agencies WHERE task_id >= $1 AND task_id <= $2 ORDER BY task_id, agency",
    )
    .bind(low)
    .bind(high)
    .fetch_all(conn)
    .await?;
    for (task, agency) in rows {
        by_task.entry(task).or_default().push(agency);
    }
    Ok(by_task)
}

/// Creates a task with its "created" note and audit entry, in the caller's transaction;
/// returns its id.
pub async fn insert(
    conn: &mut Conn,
    new: &NewTask,
    author: &Author<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    let now = time_text::format(at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (title, source, lead_agency, other_parties, output, deadline_text, deadline, due_on, progress, raised_from, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'not_started', $9, $10, $11, $11, 1) RETURNING id",
    )
    .bind(&new.title)
    .bind(&new.source)
    .bind(&new.lead)
    .bind(serde_json::to_string(&new.other_parties).expect("a list of text serialises"))
    .bind(&new.output)
    .bind(&new.deadline_text)
    .bind(serde_json::to_string(&new.deadline).expect("a deadline serialises"))
    .bind(new.deadline.due().map(date_text))
    .bind(new.raised_from.as_ref().map(|r| serde_json::to_string(r).expect("serialises")))
    .bind(&author.name)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    for agency in &new.coordinating {
        sqlx::query("INSERT INTO task_agencies (task_id, agency) VALUES ($1, $2)")
            .bind(id)
            .bind(agency)
            .execute(&mut *conn)
            .await?;
    }
    append_note(conn, id, at, author, NoteKind::Created, None, "", None).await?;
    let mut entry = author.audit.clone();
    entry.action = "task_created";
    entry.target = Some(format!("task:{id}"));
    entry.detail = serde_json::json!({
        "title": new.title,
        "lead": new.lead,
        "coordinating": new.coordinating,
        "other_parties": new.other_parties,
        "deadline": new.deadline_text,
        "raised_from": new.raised_from,
    });
    audit::record(conn, &entry, at).await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn append_note(
    conn: &mut Conn,
    task: i64,
    at: OffsetDateTime,
    author: &Author<'_>,
    kind: NoteKind,
    progress: Option<Progress>,
    body: &str,
    link: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO task_notes (task_id, at, on_day, author, agency, kind, progress, body, link)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(task)
    .bind(time_text::format(at))
    .bind(date_text(crate::model::task::created_on(at)))
    .bind(&author.name)
    .bind(&author.agency)
    .bind(super::enum_text(&kind))
    .bind(progress.map(|p| super::enum_text(&p)))
    .bind(body)
    .bind(link)
    .execute(conn)
    .await?;
    Ok(())
}

/// One task.
pub async fn get(conn: &mut Conn, id: i64) -> sqlx::Result<Option<Task>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM tasks WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut coordinating = coordinating_of(conn, &[id]).await?;
    task(row, coordinating.remove(&id).unwrap_or_default()).map(Some)
}

/// Every task (`agencies` None), or those led or coordinated by one of `agencies` (an
/// agency and its groups); soonest due first (those without a due day last), then oldest
/// first.
pub async fn list(db: &Db, agencies: Option<&[String]>) -> sqlx::Result<Vec<Task>> {
    let mut conn = db.acquire().await?;
    let sql = match agencies {
        None => format!("SELECT {COLUMNS} FROM tasks ORDER BY due_on IS NULL, due_on, id"),
        Some(codes) => {
            let list = (1..=codes.len().max(1))
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT {COLUMNS} FROM tasks
                 WHERE lead_agency IN ({list}) OR id IN (SELECT task_id FROM task_agencies WHERE agency IN ({list}))
                 ORDER BY due_on IS NULL, due_on, id"
            )
        }
    };
    let mut query = sqlx::query_as::<_, Row>(&sql);
    match agencies {
        Some([]) => query = query.bind(""),
        Some(codes) => {
            for code in codes {
                query = query.bind(code);
            }
        }
        None => {}
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut coordinating = coordinating_of(&mut conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            task(row, coordinating.remove(&id).unwrap_or_default())
        })
        .collect()
}

/// A task's history, oldest first.
pub async fn notes(conn: &mut Conn, id: i64) -> sqlx::Result<Vec<TaskNote>> {
    type NoteRow = (
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<NoteRow> = sqlx::query_as(
        "SELECT id, at, on_day, author, agency, kind, progress, body, link FROM task_notes WHERE task_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(
            |(id, at, on_day, author, agency, kind, progress, body, link)| {
                Ok(TaskNote {
                    id,
                    at: time_text::parse(&at)?,
                    on_day: parse_date(&on_day)?,
                    author,
                    agency,
                    kind: parse_column(&kind)?,
                    progress: progress.as_deref().map(parse_column).transpose()?,
                    body,
                    link,
                })
            },
        )
        .collect()
}

/// Which task changed, to which version, and whom it concerns: what the live stream tells
/// the viewers of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub id: i64,
    pub version: u32,
    pub lead: String,
    pub coordinating: Vec<String>,
}

impl From<&Task> for Changed {
    fn from(t: &Task) -> Changed {
        Changed {
            id: t.id,
            version: u32::try_from(t.version).unwrap_or(u32::MAX),
            lead: t.lead.clone(),
            coordinating: t.coordinating.clone(),
        }
    }
}

/// The tasks created or changed after `after` (by this process or another), oldest change
/// first.
pub async fn changed_after(conn: &mut Conn, after: OffsetDateTime) -> sqlx::Result<Vec<Changed>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, version, lead_agency FROM tasks WHERE updated_at > $1 ORDER BY updated_at, id",
    )
    .bind(time_text::format(after))
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|(id, ..)| *id).collect();
    let mut coordinating = coordinating_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(id, version, lead)| Changed {
            id,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            lead,
            coordinating: coordinating.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// A report on a task: a progress note, an attachment, being done or reopened.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kind: NoteKind,
    pub body: String,
    pub link: Option<String>,
}

/// Why a report was not recorded.
#[derive(Debug)]
pub enum ReportError {
    NotFound,
    /// The task changed since the version the report was made against.
    Conflict {
        current: i64,
    },
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ReportError {
    fn from(e: sqlx::Error) -> Self {
        ReportError::Database(e)
    }
}

/// Records `report` on task `id` (made against `version`), in the caller's transaction:
/// the note, the task's new progress and version, the audit entry. Returns the task as it
/// now is.
pub async fn report(
    conn: &mut Conn,
    id: i64,
    version: i64,
    report: &Report,
    author: &Author<'_>,
    at: OffsetDateTime,
) -> Result<Task, ReportError> {
    let Some(current) = get(conn, id).await? else {
        return Err(ReportError::NotFound);
    };
    if current.version != version {
        return Err(ReportError::Conflict {
            current: current.version,
        });
    }
    let day = crate::model::task::created_on(at);
    let (progress, done_on) = match report.kind {
        NoteKind::Done => (Progress::Done, Some(day)),
        NoteKind::Reopened => (Progress::InProgress, None),
        NoteKind::Progress if current.progress == Progress::NotStarted => {
            (Progress::InProgress, None)
        }
        _ => (current.progress, current.done_on),
    };
    let reported_on = match report.kind {
        NoteKind::Progress | NoteKind::Done => Some(day),
        _ => current.reported_on,
    };
    let changed = sqlx::query(
        "UPDATE tasks SET progress = $1, done_on = $2, reported_on = $3, updated_at = $4, version = version + 1
         WHERE id = $5 AND version = $6",
    )
    .bind(super::enum_text(&progress))
    .bind(done_on.map(date_text))
    .bind(reported_on.map(date_text))
    .bind(time_text::format(at))
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(ReportError::Conflict {
            current: current.version,
        });
    }
    let progress_changed = (progress != current.progress).then_some(progress);
    append_note(
        conn,
        id,
        at,
        author,
        report.kind,
        progress_changed,
        &report.body,
        report.link.as_deref(),
    )
    .await?;
    let mut entry = author.audit.clone();
    entry.action = match report.kind {
        NoteKind::Done => "task_done",
        NoteKind::Reopened => "task_reopened",
        NoteKind::Attachment => "task_attachment",
        _ => "task_progress",
    };
    entry.target = Some(format!("task:{id}"));
    entry.detail = serde_json::json!({
        "version": version + 1,
        "progress": progress,
        "body": report.body,
        "link": report.link,
    });
    audit::record(conn, &entry, at).await?;
    Ok(get(conn, id).await?.ok_or(ReportError::NotFound)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_stored_as_sortable_text() {
        let d = time::macros::date!(2028 - 02 - 29);
        assert_eq!(date_text(d), "2028-02-29");
        assert_eq!(parse_date("2028-02-29").unwrap(), d);
        assert!(parse_date("2028-02").is_err());
    }
}
