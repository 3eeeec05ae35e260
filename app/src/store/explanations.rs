//! Explanations and requests for them, each written with its audit entry.

use time::{Date, OffsetDateTime};

use super::{audit, time_text, Conn};
use crate::model::explanation::{Explanation, ExplanationRequest};

type ExplanationRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
);

fn date(text: &str) -> sqlx::Result<Date> {
    crate::model::iso::parse_date(text)
        .ok_or_else(|| sqlx::Error::Decode(format!("bad date '{text}'").into()))
}

fn explanation(r: ExplanationRow) -> sqlx::Result<Explanation> {
    let (id, indicator, area, agency, author, why, action, by, created_at, expires_on, figure) = r;
    Ok(Explanation {
        id,
        indicator,
        area,
        agency,
        author,
        why,
        action,
        by: by.as_deref().map(date).transpose()?,
        created_at: time_text::parse(&created_at)?,
        expires_on: date(&expires_on)?,
        figure_as_of: figure.as_deref().map(time_text::parse).transpose()?,
    })
}

const EXPLANATION: &str = "id, indicator_code, area_code, agency_code, author, why, action, by_date, created_at, expires_on, figure_as_of";

/// The explanations not past their date on `today`, newest first (`agency`: that agency's
/// only); whether each still stands against the current figure is for the caller.
pub async fn in_date(
    conn: &mut Conn,
    today: Date,
    agency: Option<&str>,
) -> sqlx::Result<Vec<Explanation>> {
    let rows: Vec<ExplanationRow> = sqlx::query_as(&format!(
        "SELECT {EXPLANATION} FROM explanations WHERE expires_on >= $1 \
         AND (CAST($2 AS TEXT) IS NULL OR agency_code = CAST($2 AS TEXT)) ORDER BY id DESC"
    ))
    .bind(today.to_string())
    .bind(agency)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(explanation).collect()
}

/// What an officer explains.
#[derive(Debug, Clone)]
pub struct NewExplanation<'a> {
    pub indicator: &'a str,
    pub area: &'a str,
    pub agency: &'a str,
    pub author_id: i64,
    pub author: &'a str,
    pub why: &'a str,
    pub action: &'a str,
    pub by: Option<Date>,
    pub expires_on: Date,
    pub figure_as_of: Option<OffsetDateTime>,
}

/// Stores an explanation and answers the open requests for its value; its id.
pub async fn explain(
    conn: &mut Conn,
    new: &NewExplanation<'_>,
    mut entry: audit::NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO explanations (indicator_code, area_code, agency_code, author_id, author, why, action, by_date, created_at, expires_on, figure_as_of) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.indicator)
    .bind(new.area)
    .bind(new.agency)
    .bind(new.author_id)
    .bind(new.author)
    .bind(new.why)
    .bind(new.action)
    .bind(new.by.map(|d| d.to_string()))
    .bind(time_text::format(at))
    .bind(new.expires_on.to_string())
    .bind(new.figure_as_of.map(time_text::format))
    .fetch_one(&mut *conn)
    .await?;
    let answered = sqlx::query(
        "UPDATE explanation_requests SET answered_by = $1 WHERE indicator_code = $2 AND area_code = $3 AND answered_by IS NULL",
    )
    .bind(id)
    .bind(new.indicator)
    .bind(new.area)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    entry.target = Some(format!("explanation {id}"));
    entry.detail = serde_json::json!({
        "indicator": new.indicator, "area": new.area, "requests_answered": answered,
    });
    audit::record(conn, &entry, at).await?;
    Ok(id)
}

type RequestRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
);

fn request(r: RequestRow) -> sqlx::Result<ExplanationRequest> {
    let (id, indicator, area, agency, requested_by, requested_at, due_at, note, answered_by) = r;
    Ok(ExplanationRequest {
        id,
        indicator,
        area,
        agency,
        requested_by,
        requested_at: time_text::parse(&requested_at)?,
        due_at: time_text::parse(&due_at)?,
        note,
        answered_by,
    })
}

/// The requests not answered yet, oldest due first (`agency`: to that agency only).
pub async fn open_requests(
    conn: &mut Conn,
    agency: Option<&str>,
) -> sqlx::Result<Vec<ExplanationRequest>> {
    let rows: Vec<RequestRow> = sqlx::query_as(
        "SELECT id, indicator_code, area_code, agency_code, requested_by, requested_at, due_at, note, answered_by \
         FROM explanation_requests WHERE answered_by IS NULL \
         AND (CAST($1 AS TEXT) IS NULL OR agency_code = CAST($1 AS TEXT)) ORDER BY due_at, id",
    )
    .bind(agency)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(request).collect()
}

/// Asks `agency` to explain a value by `due_at`; the request's id.
#[allow(clippy::too_many_arguments)]
pub async fn ask(
    conn: &mut Conn,
    indicator: &str,
    area: &str,
    agency: &str,
    by_id: i64,
    by: &str,
    due_at: OffsetDateTime,
    note: &str,
    mut entry: audit::NewEntry<'_>,
    at: OffsetDateTime,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO explanation_requests (indicator_code, area_code, agency_code, requested_by_id, requested_by, requested_at, due_at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(indicator)
    .bind(area)
    .bind(agency)
    .bind(by_id)
    .bind(by)
    .bind(time_text::format(at))
    .bind(time_text::format(due_at))
    .bind(note)
    .fetch_one(&mut *conn)
    .await?;
    entry.target = Some(format!("explanation_request {id}"));
    entry.detail = serde_json::json!({ "indicator": indicator, "area": area, "agency": agency });
    audit::record(conn, &entry, at).await?;
    Ok(id)
}
