//! The province's reference data over the REST API (v1): indicators, agencies, the
//! administrative units valid on a date, the old→new crosswalk and the units' shapes.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use time::{Date, OffsetDateTime};

use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::format::vietnam_date;

#[derive(Debug, Deserialize)]
pub struct AtQuery {
    at: Option<String>,
}

/// The date of `?at=YYYY-MM-DD`, today in Vietnam when absent.
fn date_of(query: &AtQuery) -> Result<Date, ApiFailure> {
    match &query.at {
        None => Ok(vietnam_date(OffsetDateTime::now_utc())),
        Some(text) => Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| {
            ApiFailure::bad_request(
                "invalid_date",
                format!("Tham số at phải là ngày dạng YYYY-MM-DD, không phải '{text}'."),
                format!("The at parameter must be a date YYYY-MM-DD, not '{text}'."),
            )
        }),
    }
}

/// `GET /api/v1/indicators`: the catalogue.
pub async fn indicators(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({ "indicators": state.catalogue.indicators }))
}

/// `GET /api/v1/agencies`: the province's agencies and data sources.
pub async fn agencies(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({ "agencies": state.catalogue.agencies }))
}

/// `GET /api/v1/areas?at=YYYY-MM-DD`: the units valid on that date.
pub async fn areas(
    State(state): State<AppState>,
    Query(query): Query<AtQuery>,
) -> Result<Response, ApiFailure> {
    let at = date_of(&query)?;
    let areas: Vec<serde_json::Value> = state
        .catalogue
        .areas_on(at)
        .map(|a| {
            json!({
                "code": a.code,
                "official_code": a.official_code(),
                "name": a.name_vi,
                "kind": a.kind,
                "parent": a.parent,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            })
        })
        .collect();
    Ok(Json(json!({ "at": at.to_string(), "areas": areas })).into_response())
}

/// `GET /api/v1/areas/crosswalk`: each pre-reform unit's successor(s) and share.
pub async fn crosswalk(State(state): State<AppState>) -> impl IntoResponse {
    let name = |code: &str| state.catalogue.area(code).map(|a| a.name_vi.clone());
    let links: Vec<serde_json::Value> = state
        .catalogue
        .crosswalk
        .iter()
        .map(|l| json!({ "from": l.from, "from_name": name(&l.from), "to": l.to, "to_name": name(&l.to), "share": l.share.to_string() }))
        .collect();
    Json(json!({ "links": links }))
}

/// `GET /api/v1/geo/areas.geojson?at=YYYY-MM-DD`: the shapes of the units valid on that
/// date; `approximate` and `schematic` properties say which are not exact boundaries.
pub async fn geojson(
    State(state): State<AppState>,
    Query(query): Query<AtQuery>,
) -> Result<Response, ApiFailure> {
    let at = date_of(&query)?;
    let body = state.geography.geojson(&state.catalogue, at).to_string();
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/geo+json")],
        body,
    )
        .into_response())
}
