//! `GET /api/v1/quality?month=2026-12`: each owning agency's data quality for a month —
//! completeness, timeliness, validity, consistency and the score — ranked (see
//! `app::model::quality`). Who sees every figure sees every agency; an agency's officers
//! and systems see their own.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::Principal;
use app::model::{Period, PeriodKind};

#[derive(Debug, Deserialize)]
pub struct QualityQuery {
    month: Option<String>,
}

pub async fn by_agency(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<QualityQuery>,
) -> Result<Response, ApiFailure> {
    let own = crate::alerts::agency_scope(
        &principal,
        (
            "Tài khoản này không xem được chất lượng số liệu.",
            "This account may not see data quality.",
        ),
    )?;
    let now = time::OffsetDateTime::now_utc();
    let this_month = Period::containing(PeriodKind::Month, app::model::format::vietnam_date(now));
    let month = match query.month.as_deref().filter(|m| !m.is_empty()) {
        None => this_month,
        Some(text) => match text.parse::<Period>() {
            Ok(p) if p.kind() == PeriodKind::Month && p.start() <= this_month.start() => p,
            _ => {
                return Err(ApiFailure::bad_request(
                    "invalid_month",
                    format!(
                    "Tham số month không hợp lệ: '{text}'. Dạng đúng: YYYY-MM, không ở tương lai."
                ),
                    format!("Invalid month '{text}'. Expected YYYY-MM, not in the future."),
                ))
            }
        },
    };
    let figures = app::api::quality::current_figures(state.hub.as_ref());
    let rows = app::api::quality::month(
        &state.db,
        &state.catalogue,
        &figures,
        month,
        own.as_deref(),
        now,
        app::model::Locale::Vi,
    )
    .await?;
    Ok(Json(serde_json::json!({
        "month": month.to_string(),
        "agencies": rows,
        "read_at": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    }))
    .into_response())
}
