//! The money view over the REST API (v1): the budget summary, public-investment
//! disbursement by province, investor, commune or project, the S-curve and a project's
//! page. Amounts are exact: integers of đồng as decimal strings. Read access as for the
//! figures themselves: an agency officer sees the overview's figures and their own.

use app::model::account::Principal;
use app::model::format::vietnam_date;
use app::model::money::{self, By, Cut};
use app::model::Locale;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use time::{Date, OffsetDateTime};

use crate::error::ApiFailure;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct MoneyQuery {
    date: Option<String>,
    year: Option<String>,
    by: Option<String>,
    area: Option<String>,
    cut: Option<String>,
    lang: Option<String>,
}

fn invalid(parameter: &str, vi: String, en: String) -> ApiFailure {
    ApiFailure::bad_request(&format!("invalid_{parameter}"), vi, en)
}

impl MoneyQuery {
    /// `?date=YYYY-MM-DD`, today in Vietnam when absent.
    fn date(&self) -> Result<Date, ApiFailure> {
        match &self.date {
            None => Ok(vietnam_date(OffsetDateTime::now_utc())),
            Some(text) => Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
                invalid(
                    "date",
                    format!("Tham số date phải là ngày dạng YYYY-MM-DD, không phải '{text}'."),
                    format!("The date parameter must be a date YYYY-MM-DD, not '{text}'."),
                )
            }),
        }
    }

    /// `?year=YYYY`: the plan year; by default the one shown on the date (in January,
    /// last year's: its capital is still being disbursed).
    fn year(&self, date: Date) -> Result<i32, ApiFailure> {
        match &self.year {
            None => Ok(money::plan_year_shown(date)),
            Some(text) => text
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y) && text.len() == 4)
                .ok_or_else(|| {
                    invalid(
                        "year",
                        format!("Tham số year phải là năm dạng YYYY, không phải '{text}'."),
                        format!("The year parameter must be a year YYYY, not '{text}'."),
                    )
                }),
        }
    }

    /// The date a plan year is read at: the asked date, but never past its extension.
    fn date_in(&self, year: i32) -> Result<Date, ApiFailure> {
        Ok(self.date()?.min(money::extension_end(year)))
    }

    fn locale(&self) -> Locale {
        if self.lang.as_deref() == Some("en") {
            Locale::En
        } else {
            Locale::Vi
        }
    }
}

fn may_see_investment(state: &AppState, principal: &Principal) -> Result<(), ApiFailure> {
    if state
        .hub
        .rules()
        .allows_indicator(&principal.visibility(), money::DISBURSED)
    {
        Ok(())
    } else {
        Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản này không được xem số liệu đầu tư công.",
            "This account may not see public-investment figures.",
        ))
    }
}

/// `GET /api/v1/investment/disbursement?year=&date=&by=province|investor|commune|project`.
pub async fn disbursement(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    may_see_investment(&state, &principal)?;
    let year = query.year(query.date()?)?;
    let date = query.date_in(year)?;
    let by = match query.by.as_deref() {
        None => By::Province,
        Some(text) => text.parse().map_err(|()| {
            invalid(
                "by",
                format!("Tham số by phải là province, investor, commune hoặc project, không phải '{text}'."),
                format!("The by parameter must be province, investor, commune or project, not '{text}'."),
            )
        })?,
    };
    let view = app::api::money::disbursement(&state.db, &state.catalogue, year, date, by, query.locale())
        .await
        .map_err(|e| ApiFailure::of_database(&e))?;
    Ok(Json(view).into_response())
}

/// `GET /api/v1/investment/scurve?year=&area=&date=`: monthly points, the plan-shaped
/// curve, last year, the national average, the projection and the pace needed.
pub async fn scurve(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    may_see_investment(&state, &principal)?;
    let year = query.year(query.date()?)?;
    let date = query.date_in(year)?;
    let area = area_of(&state, query.area.as_deref())?;
    let curve = app::api::money::scurve(&state.db, &state.catalogue, year, &area, date)
        .await
        .map_err(|e| ApiFailure::of_database(&e))?;
    Ok(Json(curve).into_response())
}

/// The province, or a commune of today named by `?area=`.
pub fn area_of(state: &AppState, area: Option<&str>) -> Result<String, ApiFailure> {
    let province = state.catalogue.province.clone();
    match area {
        None => Ok(province),
        Some(code) if code == province => Ok(province),
        Some(code) => match state.catalogue.area(code) {
            Some(a) if a.is_commune_level() && a.valid_to.is_none() => Ok(a.code.clone()),
            _ => Err(invalid(
                "area",
                format!("Tham số area phải là mã tỉnh hoặc mã một xã, phường hiện nay, không phải '{code}'."),
                format!("The area parameter must be the province's code or the code of a current commune or ward, not '{code}'."),
            )),
        },
    }
}

/// `GET /api/v1/projects/{code}?year=&date=`: the registry entry, plans by version,
/// disbursement and its monthly history.
pub async fn project(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(code): Path<String>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    may_see_investment(&state, &principal)?;
    let year = query.year(query.date()?)?;
    let date = query.date_in(year)?;
    match app::api::money::project(&state.db, &state.catalogue, &code, year, date)
        .await
        .map_err(|e| ApiFailure::of_database(&e))?
    {
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            "unknown_project",
            format!("Dự án '{code}' không có trong danh mục dự án của tỉnh."),
            format!("The project '{code}' is not in the province's project registry."),
        )),
    }
}

/// `GET /api/v1/budget/summary?date=&cut=calendar|reporting`: revenue and spending items
/// with the month, lũy kế, each estimate version, % of estimate, cùng kỳ and growth.
pub async fn budget_summary(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    let date = query.date()?;
    let cut = match query.cut.as_deref() {
        None => Cut::Calendar,
        Some(text) => text.parse().map_err(|()| {
            invalid(
                "cut",
                format!("Tham số cut phải là calendar (tháng dương lịch) hoặc reporting (kỳ báo cáo 15 – 14), không phải '{text}'."),
                format!("The cut parameter must be calendar or reporting (15th to 14th), not '{text}'."),
            )
        })?,
    };
    let visibility = principal.visibility();
    let rules = state.hub.rules();
    let items = app::api::money::budget_summary(&state.db, &state.catalogue, date, cut, query.locale(), |i| {
        rules.allows_indicator(&visibility, &i.code)
    })
    .await
    .map_err(|e| ApiFailure::of_database(&e))?;
    Ok(Json(json!({ "date": date.to_string(), "cut": cut, "items": items })).into_response())
}
