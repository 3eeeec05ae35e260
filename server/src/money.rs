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
use crate::export::{Cell, Format, Table};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MoneyQuery {
    date: Option<String>,
    year: Option<String>,
    by: Option<String>,
    area: Option<String>,
    cut: Option<String>,
    /// For the services view's charts (`index766`).
    period: Option<String>,
    lang: Option<String>,
    /// `wall`: a chart drawn for a panel of the wall ([`crate::charts::Size`]).
    size: Option<String>,
}

pub fn invalid(parameter: &str, vi: String, en: String) -> ApiFailure {
    ApiFailure::bad_request(&format!("invalid_{parameter}"), vi, en)
}

/// A `?date=YYYY-MM-DD` parameter; today in Vietnam when absent.
pub fn date_parameter(text: Option<&str>) -> Result<Date, ApiFailure> {
    match text {
        None => Ok(vietnam_date(OffsetDateTime::now_utc())),
        Some(text) => Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| {
            invalid(
                "date",
                format!("Tham số date phải là ngày dạng YYYY-MM-DD, không phải '{text}'."),
                format!("The date parameter must be a date YYYY-MM-DD, not '{text}'."),
            )
        }),
    }
}

impl MoneyQuery {
    /// `?date=YYYY-MM-DD`, today in Vietnam when absent.
    fn date(&self) -> Result<Date, ApiFailure> {
        date_parameter(self.date.as_deref())
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

/// Refuses (403) a caller who may not see `indicator`; `what` names the figures
/// (Vietnamese, English).
pub fn may_see(
    state: &AppState,
    principal: &Principal,
    indicator: &str,
    what: (&str, &str),
) -> Result<(), ApiFailure> {
    if state
        .hub
        .rules()
        .allows_indicator(&principal.visibility(), indicator)
    {
        Ok(())
    } else {
        Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("Tài khoản này không được xem {}.", what.0),
            format!("This account may not see {}.", what.1),
        ))
    }
}

fn may_see_investment(state: &AppState, principal: &Principal) -> Result<(), ApiFailure> {
    may_see(
        state,
        principal,
        money::DISBURSED,
        ("số liệu đầu tư công", "public-investment figures"),
    )
}

/// `GET /api/v1/investment/disbursement?year=&date=&by=province|investor|commune|project`.
pub async fn disbursement(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    Ok(Json(disbursement_view(&state, &principal, &query).await?).into_response())
}

/// The same table as CSV or XLSX: `…/disbursement.csv`, `…/disbursement.xlsx`.
pub async fn disbursement_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: MoneyQuery,
) -> Result<Response, ApiFailure> {
    let view = disbursement_view(&state, &principal, &query).await?;
    let l = query.locale();
    let by = match view.by {
        By::Province => l.pick("tỉnh", "province"),
        By::Investor => l.pick("chủ đầu tư", "investor"),
        By::Commune => l.pick("xã, phường", "commune"),
        By::Project => l.pick("dự án", "project"),
    };
    let flag = |b: bool| Cell::from(if b { l.pick("có", "yes") } else { "" });
    let row = |r: &money::DisbursementRow| -> Vec<Cell> {
        vec![
            Cell::Number(r.rank.into()),
            r.code.as_str().into(),
            r.name.as_str().into(),
            r.plan.pm.into(),
            r.plan.council.into(),
            r.plan.adjusted.into(),
            r.plan_in_force.into(),
            r.disbursed.into(),
            r.rate.into(),
            r.movement.into(),
            app::components::money::band_text(&r.band, l).into(),
            flag(r.below_national),
            flag(r.below_low_rate),
            Cell::Number(r.projects.into()),
            r.as_of
                .map(|at| app::model::format::date_time(at, l))
                .unwrap_or_default()
                .into(),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = view.rows.iter().map(row).collect();
    let mut total = row(&view.total);
    total[0] = Cell::Empty;
    rows.push(total);
    let headers = [
        ("Hạng", "Rank"),
        ("Mã", "Code"),
        ("Tên", "Name"),
        (
            "Kế hoạch Thủ tướng giao (đồng)",
            "Plan, Prime Minister (đồng)",
        ),
        (
            "Kế hoạch HĐND tỉnh giao (đồng)",
            "Plan, provincial council (đồng)",
        ),
        ("Kế hoạch điều chỉnh (đồng)", "Adjusted plan (đồng)"),
        ("Kế hoạch đang thực hiện (đồng)", "Plan in force (đồng)"),
        ("Đã giải ngân (đồng)", "Disbursed (đồng)"),
        ("Tỷ lệ giải ngân (%)", "Rate (%)"),
        ("Thay đổi (điểm %)", "Change (points)"),
        ("Đánh giá", "Status"),
        ("Dưới bình quân cả nước", "Below national average"),
        ("Dưới 20%", "Below 20%"),
        ("Số dự án", "Projects"),
        ("Số liệu đến", "As of"),
    ];
    Table {
        name: format!("giai-ngan-{}-{}", view.year, view.date),
        title: l.pick(
            format!("Giải ngân vốn đầu tư công năm {} theo {by}, đến ngày {} (dòng cuối: toàn tỉnh)", view.year, app::model::format::date(view.date, l)),
            format!("Public investment disbursed, plan year {}, by {by}, to {} (last row: the province)", view.year, app::model::format::date(view.date, l)),
        ),
        headers: headers.iter().map(|(vi, en)| l.pick(*vi, *en).to_string()).collect(),
        rows,
    }
    .respond(format)
}

async fn disbursement_view(
    state: &AppState,
    principal: &Principal,
    query: &MoneyQuery,
) -> Result<money::DisbursementView, ApiFailure> {
    may_see_investment(state, principal)?;
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
    app::api::money::disbursement(&state.db, &state.catalogue, year, date, by, query.locale())
        .await
        .map_err(|e| ApiFailure::of_database(&e))
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

/// `GET /api/v1/projects`: the province's registry of investors and projects.
pub async fn registry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, ApiFailure> {
    may_see_investment(&state, &principal)?;
    Ok(Json(json!({
        "investors": state.catalogue.investors,
        "projects": state.catalogue.projects,
    }))
    .into_response())
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
    // `…/<code>.csv` and `…/<code>.xlsx`: the project's month-end history as a file
    let (code, file) = match code.rsplit_once('.') {
        Some((c, "csv")) => (c.to_string(), Some(Format::Csv)),
        Some((c, "xlsx")) => (c.to_string(), Some(Format::Xlsx)),
        _ => (code, None),
    };
    match app::api::money::project(&state.db, &state.catalogue, &code, year, date)
        .await
        .map_err(|e| ApiFailure::of_database(&e))?
    {
        Some(detail) => match file {
            None => Ok(Json(detail).into_response()),
            Some(format) => {
                let l = query.locale();
                let plan = detail.figures.plans.in_force();
                Table {
                    name: format!("du-an-{code}-{year}"),
                    title: l.pick(
                        format!(
                            "{} ({code}) — giải ngân vốn năm {year} đến cuối mỗi tháng",
                            detail.project.name_vi
                        ),
                        format!(
                            "{} ({code}) — plan year {year} disbursed by month end",
                            detail.project.name_vi
                        ),
                    ),
                    headers: [
                        ("Cuối tháng", "Month end"),
                        ("Đã giải ngân lũy kế (đồng)", "Disbursed to date (đồng)"),
                        ("Kế hoạch đang thực hiện (đồng)", "Plan in force (đồng)"),
                        ("Tỷ lệ (%)", "Rate (%)"),
                    ]
                    .iter()
                    .map(|(vi, en)| l.pick(*vi, *en).to_string())
                    .collect(),
                    rows: detail
                        .history
                        .iter()
                        .map(|h| {
                            vec![
                                app::model::format::date(h.day, l).into(),
                                h.disbursed.into(),
                                plan.into(),
                                h.disbursed
                                    .zip(plan)
                                    .and_then(|(d, p)| money::percent(d, p))
                                    .map(|r| r.round_dp(2))
                                    .into(),
                            ]
                        })
                        .collect(),
                }
                .respond(format)
            }
        },
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
    let (date, cut, items) = budget_items(&state, &principal, &query).await?;
    Ok(Json(json!({ "date": date.to_string(), "cut": cut, "items": items })).into_response())
}

/// The same table as CSV or XLSX: `…/summary.csv`, `…/summary.xlsx`.
pub async fn budget_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: MoneyQuery,
) -> Result<Response, ApiFailure> {
    let (date, _, items) = budget_items(&state, &principal, &query).await?;
    let l = query.locale();
    let versions: Vec<String> = {
        let mut v: Vec<String> = items
            .iter()
            .flat_map(|i| i.estimate.keys().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut headers: Vec<String> = [
        ("Mã chỉ tiêu", "Indicator"),
        ("Khoản mục", "Item"),
        ("Thuộc khoản", "Part of"),
        ("Lũy kế (đồng)", "Year to date (đồng)"),
        ("Tháng", "Month"),
        ("Số của tháng (đồng)", "Month's amount (đồng)"),
    ]
    .iter()
    .map(|(vi, en)| l.pick(*vi, *en).to_string())
    .collect();
    for v in &versions {
        let name = state
            .catalogue
            .indicator(v)
            .map(|i| i.name(l).to_string())
            .unwrap_or_else(|| v.clone());
        headers.push(format!("{name} (đồng)"));
    }
    headers.extend(
        [
            ("% dự toán", "% of estimate"),
            ("Cùng kỳ năm trước (đồng)", "Same period last year (đồng)"),
            ("So cùng kỳ (%)", "Against last year (%)"),
            ("Số liệu đến", "As of"),
            ("Cơ quan", "Agency"),
        ]
        .iter()
        .map(|(vi, en)| l.pick(*vi, *en).to_string()),
    );
    let rows = items
        .iter()
        .map(|i| {
            let mut row: Vec<Cell> = vec![
                i.indicator.as_str().into(),
                i.name.as_str().into(),
                i.part_of.clone().unwrap_or_default().into(),
                i.ytd.into(),
                i.month_label.as_str().into(),
                i.month.into(),
            ];
            for v in &versions {
                row.push(i.estimate.get(v).copied().flatten().map(|e| e.0).into());
            }
            row.push(i.percent_of_estimate.into());
            row.push(i.same_period_last_year.into());
            row.push(i.growth.into());
            row.push(
                i.as_of
                    .map(|at| app::model::format::date_time(at, l))
                    .unwrap_or_default()
                    .into(),
            );
            row.push(i.agency.as_str().into());
            row
        })
        .collect();
    Table {
        name: format!("ngan-sach-{date}"),
        title: l.pick(
            format!(
                "Thu, chi ngân sách đến ngày {}",
                app::model::format::date(date, l)
            ),
            format!(
                "Budget revenue and spending to {}",
                app::model::format::date(date, l)
            ),
        ),
        headers,
        rows,
    }
    .respond(format)
}

async fn budget_items(
    state: &AppState,
    principal: &Principal,
    query: &MoneyQuery,
) -> Result<(Date, Cut, Vec<app::api::money::BudgetItem>), ApiFailure> {
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
    let items = app::api::money::budget_summary(
        &state.db,
        &state.catalogue,
        date,
        cut,
        query.locale(),
        |i| rules.allows_indicator(&visibility, &i.code),
    )
    .await
    .map_err(|e| ApiFailure::of_database(&e))?;
    Ok((date, cut, items))
}

fn may_see_commune_revenue(state: &AppState, principal: &Principal) -> Result<(), ApiFailure> {
    may_see(
        state,
        principal,
        "budget.commune.revenue.ytd",
        (
            "số liệu thu ngân sách của xã, phường",
            "the communes' budget revenue",
        ),
    )
}

/// `GET /api/v1/budget/communes?date=`: each commune's revenue to date against its own
/// estimate of the same year (the map's revenue layer as a table).
pub async fn commune_revenue(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    may_see_commune_revenue(&state, &principal)?;
    let date = query.date()?;
    let rows = app::api::money::commune_revenue(&state.db, &state.catalogue, date)
        .await
        .map_err(|e| ApiFailure::of_database(&e))?;
    Ok(Json(json!({ "date": date.to_string(), "communes": rows })).into_response())
}

/// The same table as CSV or XLSX: `…/communes.csv`, `…/communes.xlsx`.
pub async fn commune_revenue_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: MoneyQuery,
) -> Result<Response, ApiFailure> {
    may_see_commune_revenue(&state, &principal)?;
    let date = query.date()?;
    let l = query.locale();
    let rows = app::api::money::commune_revenue(&state.db, &state.catalogue, date)
        .await
        .map_err(|e| ApiFailure::of_database(&e))?;
    let headers = [
        ("Mã", "Code"),
        ("Xã, phường", "Commune or ward"),
        ("Lũy kế (đồng)", "Year to date (đồng)"),
        ("Dự toán HĐND tỉnh giao (đồng)", "Council's estimate (đồng)"),
        ("% dự toán", "% of estimate"),
        ("Số liệu đến", "As of"),
    ];
    Table {
        name: format!("thu-ngan-sach-xa-{date}"),
        title: l.pick(
            format!(
                "Thu ngân sách trên địa bàn xã, phường so với dự toán năm {}, đến ngày {}",
                date.year(),
                app::model::format::date(date, l)
            ),
            format!(
                "Budget revenue by commune and ward against the {} estimate, to {}",
                date.year(),
                app::model::format::date(date, l)
            ),
        ),
        headers: headers
            .iter()
            .map(|(vi, en)| l.pick(*vi, *en).to_string())
            .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.code.as_str().into(),
                    r.name.as_str().into(),
                    r.ytd.into(),
                    r.estimate.into(),
                    r.percent.into(),
                    r.as_of
                        .map(|at| app::model::format::date_time(at, l))
                        .unwrap_or_default()
                        .into(),
                ]
            })
            .collect(),
    }
    .respond(format)
}

/// A CSV or XLSX download of one of the tables above.
macro_rules! download {
    ($name:ident, $inner:ident, $format:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            Extension(principal): Extension<Principal>,
            Query(query): Query<MoneyQuery>,
        ) -> Result<Response, ApiFailure> {
            $inner($format, state, principal, query).await
        }
    };
}

download!(disbursement_csv, disbursement_file, Format::Csv);
download!(disbursement_xlsx, disbursement_file, Format::Xlsx);
download!(budget_csv, budget_file, Format::Csv);
download!(budget_xlsx, budget_file, Format::Xlsx);
download!(commune_revenue_csv, commune_revenue_file, Format::Csv);
download!(commune_revenue_xlsx, commune_revenue_file, Format::Xlsx);

/// `GET /api/v1/charts/{disbursement-scurve|revenue-vs-estimate|services-trend|index766}.{png|svg}`.
pub async fn chart(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(name): Path<String>,
    Query(query): Query<MoneyQuery>,
) -> Result<Response, ApiFailure> {
    use crate::charts;
    let unknown = || {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            "unknown_chart",
            format!("Không có biểu đồ '{name}' (có: disbursement-scurve, revenue-vs-estimate, services-trend, index766; .png hoặc .svg)."),
            format!("There is no chart '{name}' (there are: disbursement-scurve, revenue-vs-estimate, services-trend, index766; .png or .svg)."),
        )
    };
    let (chart, image) = name
        .rsplit_once('.')
        .and_then(|(chart, ext)| Some((chart, charts::Image::of_extension(ext)?)))
        .ok_or_else(unknown)?;
    let locale = query.locale();
    let size = charts::Size::of_query(query.size.as_deref());
    let failed = |e: String| ApiFailure::internal_read(format!("chart {name}: {e}"));
    let bytes = match chart {
        "disbursement-scurve" => {
            may_see_investment(&state, &principal)?;
            let year = query.year(query.date()?)?;
            let date = query.date_in(year)?;
            let area = area_of(&state, query.area.as_deref())?;
            let curve = app::api::money::scurve(&state.db, &state.catalogue, year, &area, date)
                .await
                .map_err(|e| ApiFailure::of_database(&e))?;
            charts::render_at(&curve, image, locale, size).map_err(failed)?
        }
        "revenue-vs-estimate" => {
            may_see(
                &state,
                &principal,
                "budget.revenue.ytd",
                ("số liệu thu ngân sách", "budget revenue figures"),
            )?;
            let date = query.date()?;
            let year = match &query.year {
                Some(_) => query.year(date)?,
                None => date.year(),
            };
            let date = date.min(app::model::Period::Year(year).end());
            let (this_year, estimate, as_of) =
                app::api::money::revenue_chart(&state.db, &state.catalogue, year, date)
                    .await
                    .map_err(|e| ApiFailure::of_database(&e))?;
            let data = charts::RevenueChart {
                year,
                date,
                this_year,
                estimate,
                as_of,
            };
            charts::render_at(&data, image, locale, size).map_err(failed)?
        }
        "services-trend" | "index766" => {
            let services = crate::services::ServicesQuery {
                date: query.date.clone(),
                by: None,
                period: query.period.clone(),
                lang: query.lang.clone(),
            };
            crate::services::chart(&state, &principal, chart, image, size, &services).await?
        }
        _ => return Err(unknown()),
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, image.content_type()),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/briefing.pdf?date=&lang=` and `…/briefing.png`: the morning briefing of a
/// date (today in Vietnam by default), one A4 page, with what the caller may see.
pub async fn briefing(
    image: crate::briefing::Output,
    state: AppState,
    principal: Principal,
    query: MoneyQuery,
) -> Result<Response, ApiFailure> {
    use crate::briefing::{Briefing, Investment, Output};
    let date = query.date()?;
    let locale = query.locale();
    let (_, _, budget) = budget_items(
        &state,
        &principal,
        &MoneyQuery {
            cut: None,
            ..query.clone()
        },
    )
    .await?;
    let investment = if may_see_investment(&state, &principal).is_ok() {
        let year = money::plan_year_shown(date);
        let at = date.min(money::extension_end(year));
        let province = state.catalogue.province.clone();
        let curve = app::api::money::scurve(&state.db, &state.catalogue, year, &province, at)
            .await
            .map_err(|e| ApiFailure::of_database(&e))?;
        let by_investor = app::api::money::disbursement(
            &state.db,
            &state.catalogue,
            year,
            at,
            By::Investor,
            locale,
        )
        .await
        .map_err(|e| ApiFailure::of_database(&e))?;
        Some(Investment { curve, by_investor })
    } else {
        None
    };
    let page = Briefing {
        date,
        // "Tỉnh Sơn La" → "Sơn La", for "UBND tỉnh Sơn La"
        province: state
            .catalogue
            .area(&state.catalogue.province)
            .map(|a| a.name_vi.trim_start_matches("Tỉnh ").to_string())
            .unwrap_or_default(),
        made_at: OffsetDateTime::now_utc(),
        budget,
        investment,
    };
    // drawing and font subsetting take a CPU for a moment: off the async workers
    let bytes = tokio::task::spawn_blocking(move || match image {
        Output::Pdf => crate::briefing::pdf(&page, locale),
        Output::Png => crate::briefing::png(&page, locale),
    })
    .await
    .map_err(|e| ApiFailure::internal_read(format!("briefing: {e}")))?
    .map_err(|e| ApiFailure::internal_read(format!("briefing: {e}")))?;
    let name = format!("ban-tin-sang-{date}.{}", image.extension());
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                image.content_type().to_string(),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

download!(briefing_pdf, briefing, crate::briefing::Output::Pdf);
download!(briefing_png, briefing, crate::briefing::Output::Png);
