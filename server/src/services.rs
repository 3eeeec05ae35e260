//! Public services over the REST API (v1): the dossier summary of a day per agency or
//! commune (`GET /api/v1/services/summary?date=&by=agency|commune`, also `.csv`/`.xlsx`)
//! and the 766 index of a period, ranked (`GET /api/v1/services/index766?period=`, also
//! `.csv`/`.xlsx`). The counts arrive through the ingest API as `services.desk.*` figures;
//! the arithmetic is `app::model::services`, the reading `app::api::services`.

use app::api::services as view;
use app::model::account::Principal;
use app::model::format::vietnam_date;
use app::model::services::{self, By, Figures, IndexView, Summary};
use app::model::{Locale, Period, PeriodKind};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::ApiFailure;
use crate::export::{Cell, Format, Table};
use crate::money::{date_parameter, invalid, may_see};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServicesQuery {
    pub date: Option<String>,
    pub by: Option<String>,
    pub period: Option<String>,
    pub lang: Option<String>,
}

impl ServicesQuery {
    fn by(&self) -> Result<By, ApiFailure> {
        match self.by.as_deref() {
            None => Ok(By::Agency),
            Some(text) => text.parse().map_err(|()| {
                invalid(
                    "by",
                    format!("Tham số by phải là agency (theo sở, ngành) hoặc commune (theo xã, phường), không phải '{text}'."),
                    format!("The by parameter must be agency or commune, not '{text}'."),
                )
            }),
        }
    }

    /// `?period=` a month (2026-11), quarter (2026-Q4) or year (2026); this month by
    /// default. A period that has not begun is refused.
    fn period(&self) -> Result<Period, ApiFailure> {
        let today = vietnam_date(OffsetDateTime::now_utc());
        let Some(text) = self.period.as_deref() else {
            return Ok(Period::containing(PeriodKind::Month, today));
        };
        let refuse = |vi: String, en: String| invalid("period", vi, en);
        let period: Period = text.parse().map_err(|_| {
            refuse(
                format!("Tham số period phải là tháng (2026-11), quý (2026-Q4) hoặc năm (2026), không phải '{text}'."),
                format!("The period parameter must be a month (2026-11), quarter (2026-Q4) or year (2026), not '{text}'."),
            )
        })?;
        if period.kind() == PeriodKind::Day {
            return Err(refuse(
                format!("Chỉ số 766 tính theo tháng, quý hoặc năm, không theo ngày ('{text}')."),
                format!("The 766 index is of a month, quarter or year, not of a day ('{text}')."),
            ));
        }
        if period.start() > today {
            return Err(refuse(
                format!("Kỳ '{text}' chưa bắt đầu."),
                format!("The period '{text}' has not started yet."),
            ));
        }
        Ok(period)
    }

    fn locale(&self) -> Locale {
        if self.lang.as_deref() == Some("en") {
            Locale::En
        } else {
            Locale::Vi
        }
    }
}

fn may_see_services(state: &AppState, principal: &Principal) -> Result<(), ApiFailure> {
    may_see(
        state,
        principal,
        services::RECEIVED,
        ("số liệu dịch vụ công", "public-service figures"),
    )
}

async fn summary_of(
    state: &AppState,
    principal: &Principal,
    query: &ServicesQuery,
) -> Result<Summary, ApiFailure> {
    may_see_services(state, principal)?;
    let (date, by) = (date_parameter(query.date.as_deref())?, query.by()?);
    view::summary(&state.db, &state.catalogue, date, by, query.locale())
        .await
        .map_err(|e| ApiFailure::of_database(&e))
}

/// `GET /api/v1/services/summary?date=&by=agency|commune&lang=`.
pub async fn summary(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<ServicesQuery>,
) -> Result<Response, ApiFailure> {
    Ok(Json(summary_of(&state, &principal, &query).await?).into_response())
}

/// The columns of a desk's figures, after its name.
fn figure_headers(l: Locale, what: (&str, &str)) -> Vec<String> {
    [
        ("Tiếp nhận", "Received"),
        ("Trực tuyến", "Online"),
        ("Toàn trình", "Fully online"),
        ("Đã giải quyết", "Resolved"),
        ("Đúng hạn", "On time"),
        ("Trễ hạn", "Late"),
        ("Đang quá hạn", "Overdue"),
        ("Trả lại, hủy", "Returned or cancelled"),
        ("Tỷ lệ trực tuyến (%)", "Online rate (%)"),
        ("Tỷ lệ đúng hạn (%)", "On-time rate (%)"),
        ("Tỷ lệ số hóa (%)", "Digitised (%)"),
        ("Tỷ lệ hài lòng (%)", "Satisfaction (%)"),
    ]
    .iter()
    .map(|(vi, en)| format!("{} – {}", l.pick(*vi, *en), l.pick(what.0, what.1)))
    .collect()
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    let c = &f.counts;
    let mut cells: Vec<Cell> = [
        c.received,
        c.online,
        c.full_online,
        c.resolved,
        c.on_time,
        f.resolved_late,
        c.overdue,
        c.returned,
    ]
    .iter()
    .map(|n| Cell::Number((*n).into()))
    .collect();
    cells.extend(
        [
            f.online_rate,
            f.on_time_rate,
            f.digitized_rate,
            f.satisfaction_rate,
        ]
        .into_iter()
        .map(Cell::from),
    );
    cells
}

/// The summary as CSV or XLSX.
pub async fn summary_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: ServicesQuery,
) -> Result<Response, ApiFailure> {
    let s = summary_of(&state, &principal, &query).await?;
    let l = query.locale();
    let mut headers = vec![
        l.pick("Mã", "Code").to_string(),
        l.pick("Nơi tiếp nhận", "Service desk").to_string(),
    ];
    headers.extend(figure_headers(l, ("trong ngày", "the day")));
    headers.extend(figure_headers(l, ("lũy kế", "year to date")));
    headers.push(l.pick("Số liệu đến", "As of").to_string());
    let rows = s
        .rows
        .iter()
        .chain(std::iter::once(&s.province))
        .map(|r| {
            let mut row: Vec<Cell> = vec![r.desk.code().into(), r.name.as_str().into()];
            row.extend(figure_cells(&r.day));
            row.extend(figure_cells(&r.year_to_date));
            row.push(
                r.as_of
                    .map(|at| app::model::format::date_time(at, l))
                    .unwrap_or_default()
                    .into(),
            );
            row
        })
        .collect();
    let date = app::model::format::date(s.date, l);
    Table {
        name: format!(
            "dich-vu-cong-{}-{}",
            match s.by {
                By::Agency => "so-nganh",
                By::Commune => "xa-phuong",
            },
            s.date
        ),
        title: l.pick(
            format!("Giải quyết thủ tục hành chính ngày {date}"),
            format!("Administrative procedures on {date}"),
        ),
        headers,
        rows,
    }
    .respond(format)
}

async fn index_of(
    state: &AppState,
    principal: &Principal,
    query: &ServicesQuery,
) -> Result<IndexView, ApiFailure> {
    may_see_services(state, principal)?;
    let period = query.period()?;
    let today = vietnam_date(OffsetDateTime::now_utc());
    view::index766(&state.db, &state.catalogue, period, today, query.locale())
        .await
        .map_err(|e| ApiFailure::of_database(&e))
}

/// `GET /api/v1/services/index766?period=&lang=`.
pub async fn index766(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<ServicesQuery>,
) -> Result<Response, ApiFailure> {
    Ok(Json(index_of(&state, &principal, &query).await?).into_response())
}

/// The ranking as CSV or XLSX.
pub async fn index_file(
    format: Format,
    state: AppState,
    principal: Principal,
    query: ServicesQuery,
) -> Result<Response, ApiFailure> {
    let v = index_of(&state, &principal, &query).await?;
    let l = query.locale();
    let mut headers: Vec<String> = vec![
        l.pick("Hạng", "Rank").to_string(),
        l.pick("Hạng kỳ trước", "Rank before").to_string(),
        l.pick("Mã", "Code").to_string(),
        l.pick("Nơi tiếp nhận", "Service desk").to_string(),
    ];
    headers.extend(
        services::Group::ALL
            .iter()
            .map(|g| format!("{} ({})", g.label(l), g.points())),
    );
    headers.extend(
        [
            ("Tổng điểm", "Total"),
            ("Đủ 5 nhóm", "All five groups"),
            ("Điểm mất do trễ hạn", "Points lost to delays"),
            ("Hồ sơ đang quá hạn", "Overdue dossiers"),
            ("Hồ sơ giải quyết trễ hạn", "Resolved late"),
        ]
        .iter()
        .map(|(vi, en)| l.pick(*vi, *en).to_string()),
    );
    let rows = v
        .rows
        .iter()
        .map(|r| {
            let i = &r.ranked.index;
            let mut row: Vec<Cell> = vec![
                Cell::Number(r.ranked.rank.into()),
                r.ranked
                    .previous_rank
                    .map(|p| Cell::Number(p.into()))
                    .unwrap_or(Cell::Empty),
                r.ranked.desk.code().into(),
                r.name.as_str().into(),
            ];
            row.extend(i.groups.iter().map(|g| Cell::from(g.score)));
            row.push(i.total.into());
            row.push(
                l.pick(
                    if i.complete { "có" } else { "không" },
                    if i.complete { "yes" } else { "no" },
                )
                .into(),
            );
            row.push(i.lost_to_delays.into());
            row.push(Cell::Number(r.overdue.into()));
            row.push(Cell::Number(r.resolved_late.into()));
            row
        })
        .collect();
    Table {
        name: format!("chi-so-766-{}", v.period),
        title: l.pick(
            format!(
                "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg), {}",
                v.period.label(l)
            ),
            format!("Service index (Decision 766/QĐ-TTg), {}", v.period.label(l)),
        ),
        headers,
        rows,
    }
    .respond(format)
}

/// The bytes of the chart `name` (`services-trend`, `index766`) as `image`.
pub async fn chart(
    state: &AppState,
    principal: &Principal,
    name: &str,
    image: crate::charts::Image,
    size: crate::charts::Size,
    query: &ServicesQuery,
) -> Result<Vec<u8>, ApiFailure> {
    use crate::charts;
    let failed = |e: String| ApiFailure::internal_read(format!("chart {name}: {e}"));
    let locale = query.locale();
    if name == "services-trend" {
        may_see_services(state, principal)?;
        let date = date_parameter(query.date.as_deref())?;
        let (days, as_of) = view::trend(&state.db, date)
            .await
            .map_err(|e| ApiFailure::of_database(&e))?;
        charts::render_at(
            &charts::ServicesTrendChart { date, days, as_of },
            image,
            locale,
            size,
        )
        .map_err(failed)
    } else {
        let view = index_of(state, principal, query).await?;
        charts::render_at(&charts::IndexChart { view }, image, locale, size).map_err(failed)
    }
}

macro_rules! download {
    ($name:ident, $inner:ident, $format:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            Extension(principal): Extension<Principal>,
            Query(query): Query<ServicesQuery>,
        ) -> Result<Response, ApiFailure> {
            $inner($format, state, principal, query).await
        }
    };
}

download!(summary_csv, summary_file, Format::Csv);
download!(summary_xlsx, summary_file, Format::Xlsx);
download!(index_csv, index_file, Format::Csv);
download!(index_xlsx, index_file, Format::Xlsx);
