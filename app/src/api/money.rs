//! The money view's data, read from the store and assembled by the rules of
//! [`crate::model::money`]: disbursement tables, S-curves, a project's history and the
//! budget summary. The REST API (`/api/v1/investment/…`, `/api/v1/budget/summary`,
//! `/api/v1/projects/…`) and the money screen both read through here, so they agree.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Month};

use crate::model::money::{
    self, By, CurvePoint, Cut, DisbursementView, ProjectFigures, SCurve, YearToDate, DISBURSED,
    DISBURSED_EXTENSION, NATIONAL_RATE, PLAN_ADJUSTED, PLAN_COUNCIL, PLAN_PM,
};
use crate::model::{Catalogue, Locale, Period};
use crate::store::figures::{self, Pick, StoredFigure};
use crate::store::Db;

fn day(year: i32, month: Month, d: u8) -> Date {
    Date::from_calendar_date(year, month, d).unwrap_or(Date::MIN)
}

fn text(d: Date) -> String {
    Period::Day(d).to_string()
}

/// Each project's plans for `year`, by version.
async fn plans(db: &Db, year: i32) -> sqlx::Result<HashMap<String, money::Plans>> {
    let y = year.to_string();
    let mut out: HashMap<String, money::Plans> = HashMap::new();
    for code in [PLAN_PM, PLAN_COUNCIL, PLAN_ADJUSTED] {
        for f in figures::read(db, code, &y, &y, Pick::All, None).await? {
            let Some(project) = f.project else { continue };
            let plans = out.entry(project).or_default();
            match code {
                PLAN_PM => plans.pm = Some(f.value),
                PLAN_COUNCIL => plans.council = Some(f.value),
                _ => plans.adjusted = Some(f.value),
            }
        }
    }
    Ok(out)
}

/// Cumulative disbursement of `year`'s capital by project at the end of `date` (the
/// extension's figure once it has started), with the report before it.
async fn disbursed_at(
    db: &Db,
    year: i32,
    date: Date,
) -> sqlx::Result<HashMap<String, (StoredFigure, Option<Decimal>)>> {
    let mut out: HashMap<String, (StoredFigure, Option<Decimal>)> = HashMap::new();
    let take = |rows: Vec<StoredFigure>,
                out: &mut HashMap<String, (StoredFigure, Option<Decimal>)>| {
        // oldest first: the previous report, then the latest
        for f in rows {
            let Some(project) = f.project.clone() else {
                continue;
            };
            let previous = out.get(&project).map(|(last, _)| last.value);
            out.insert(project, (f, previous));
        }
    };
    let year_end = day(year, Month::December, 31).min(date);
    let rows = figures::read(
        db,
        DISBURSED,
        &text(day(year, Month::January, 1)),
        &text(year_end),
        Pick::LastTwo,
        None,
    )
    .await?;
    take(rows, &mut out);
    let ext_start = day(year + 1, Month::January, 1);
    if date >= ext_start {
        let ext_end = money::extension_end(year).min(date);
        let rows = figures::read(
            db,
            DISBURSED_EXTENSION,
            &text(ext_start),
            &text(ext_end),
            Pick::LastTwo,
            None,
        )
        .await?;
        // the extension's first figure follows December's
        let mut ext: HashMap<String, (StoredFigure, Option<Decimal>)> = HashMap::new();
        take(rows, &mut ext);
        for (project, (f, previous)) in ext {
            let before = previous.or_else(|| out.get(&project).map(|(d, _)| d.value));
            out.insert(project, (f, before));
        }
    }
    Ok(out)
}

/// Every project's figures of `year` as they stood at the end of `date`.
pub async fn project_figures(
    db: &Db,
    year: i32,
    date: Date,
) -> sqlx::Result<HashMap<String, ProjectFigures>> {
    let mut out: HashMap<String, ProjectFigures> = plans(db, year)
        .await?
        .into_iter()
        .map(|(code, plans)| {
            (
                code,
                ProjectFigures {
                    plans,
                    ..Default::default()
                },
            )
        })
        .collect();
    for (project, (f, previous)) in disbursed_at(db, year, date).await? {
        let entry = out.entry(project).or_default();
        entry.disbursed = f.value;
        entry.previous = previous;
        entry.as_of = Some(f.as_of);
    }
    Ok(out)
}

/// The latest national average rate reported for a month of `year` up to `date`.
async fn national(db: &Db, year: i32, date: Date) -> sqlx::Result<Option<(Period, Decimal)>> {
    let to = Period::containing(crate::model::PeriodKind::Month, date)
        .min(Period::Month { year, month: 12 });
    let rows = figures::read(
        db,
        NATIONAL_RATE,
        &format!("{year}-01"),
        &to.to_string(),
        Pick::All,
        None,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter(|f| f.project.is_none())
        .last()
        .map(|f| (f.period, f.value)))
}

/// The name of a row's code under `by`.
fn row_name(catalogue: &Catalogue, by: By, code: &str, locale: Locale) -> String {
    match by {
        By::Province | By::Commune => catalogue.area(code).map(|a| a.name_vi.clone()),
        By::Investor => catalogue.investor(code).map(|i| i.name(locale).to_string()),
        By::Project => catalogue.project(code).map(|p| p.name_vi.clone()),
    }
    .unwrap_or_else(|| code.to_string())
}

/// The disbursement of `year`'s capital at the end of `date`, by `by`.
pub async fn disbursement(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    date: Date,
    by: By,
    locale: Locale,
) -> sqlx::Result<DisbursementView> {
    let figures = project_figures(db, year, date).await?;
    let national = national(db, year, date).await?;
    let rate = national.map(|(_, v)| v);
    let rules = &catalogue.disbursement;
    let name = |b: By| move |code: &str| row_name(catalogue, b, code, locale);
    let total = money::rank_rows(
        rules,
        money::totals(catalogue, &figures, By::Province),
        name(By::Province),
        year,
        date,
        rate,
    )
    .into_iter()
    .next()
    .unwrap_or_else(|| empty_row(catalogue));
    let rows = money::rank_rows(
        rules,
        money::totals(catalogue, &figures, by),
        name(by),
        year,
        date,
        rate,
    );
    Ok(DisbursementView {
        year,
        date,
        by,
        total,
        rows,
        national: rate,
        national_period: national.map(|(p, _)| p),
        expected: money::expected_rate(rules, year, date),
    })
}

fn empty_row(catalogue: &Catalogue) -> money::DisbursementRow {
    money::DisbursementRow {
        code: catalogue.province.clone(),
        name: catalogue
            .area(&catalogue.province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        plan: money::Plans::default(),
        plan_in_force: Decimal::ZERO,
        disbursed: Decimal::ZERO,
        rate: None,
        band: "missing".into(),
        rank: 1,
        movement: None,
        below_national: false,
        below_low_rate: false,
        projects: 0,
        as_of: None,
    }
}

/// Which projects a curve sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The province, or a commune (projects of record there).
    Area(String),
    Investor(String),
    Project(String),
}

impl Scope {
    fn holds(&self, catalogue: &Catalogue, project: &str) -> bool {
        match self {
            Scope::Area(area) => {
                *area == catalogue.province
                    || catalogue
                        .project(project)
                        .is_some_and(|p| p.commune() == area)
            }
            Scope::Investor(code) => catalogue
                .project(project)
                .is_some_and(|p| p.investor == *code),
            Scope::Project(code) => code == project,
        }
    }

    fn name(&self, catalogue: &Catalogue, locale: Locale) -> (String, String) {
        match self {
            Scope::Area(a) => (
                a.clone(),
                catalogue
                    .area(a)
                    .map(|a| a.name_vi.clone())
                    .unwrap_or_default(),
            ),
            Scope::Investor(i) => (i.clone(), row_name(catalogue, By::Investor, i, locale)),
            Scope::Project(p) => (p.clone(), row_name(catalogue, By::Project, p, locale)),
        }
    }
}

/// Σ of each month's last cumulative figure, per month end, carrying a project's figure
/// forward through months it did not report.
fn monthly_sums(
    rows: &[StoredFigure],
    keep: impl Fn(&str) -> bool,
    days: &[Date],
) -> Vec<Option<Decimal>> {
    let mut by_project: BTreeMap<&str, Vec<(Date, Decimal)>> = BTreeMap::new();
    for f in rows {
        let Some(p) = f.project.as_deref().filter(|p| keep(p)) else {
            continue;
        };
        by_project
            .entry(p)
            .or_default()
            .push((f.period.end(), f.value));
    }
    days.iter()
        .map(|d| {
            let mut any = false;
            let mut sum = Decimal::ZERO;
            for series in by_project.values() {
                if let Some((_, v)) = series.iter().rev().find(|(at, _)| at <= d) {
                    sum += *v;
                    any = true;
                }
            }
            any.then_some(sum)
        })
        .collect()
}

/// Monthly cumulative disbursement of `year`'s capital by the projects of `scope` as
/// known at the end of `until`: the 12 month ends and 31 January of the next year.
async fn year_curve(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    scope: &Scope,
    until: Date,
) -> sqlx::Result<Vec<Option<Decimal>>> {
    let days = money::curve_days(year);
    let keep = |p: &str| scope.holds(catalogue, p);
    let year_end = day(year, Month::December, 31).min(until);
    let rows = figures::read(
        db,
        DISBURSED,
        &text(day(year, Month::January, 1)),
        &text(year_end),
        Pick::MonthEnds,
        None,
    )
    .await?;
    let mut sums = monthly_sums(&rows, keep, &days[..12]);
    let ext = figures::read(
        db,
        DISBURSED_EXTENSION,
        &text(day(year + 1, Month::January, 1)),
        &text(days[12].min(until)),
        Pick::MonthEnds,
        None,
    )
    .await?;
    sums.push(monthly_sums(&ext, keep, &days[12..]).pop().flatten());
    Ok(sums)
}

/// The sums of `year`'s projects in `scope` at the end of `date`: plan in force,
/// disbursed, and the oldest as-of time.
async fn scope_totals(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    scope: &Scope,
    date: Date,
) -> sqlx::Result<money::Totals> {
    let figures = project_figures(db, year, date).await?;
    Ok(
        money::totals_by(&figures, |p| scope.holds(catalogue, p).then(String::new))
            .remove("")
            .unwrap_or_default(),
    )
}

/// The S-curve of `year` in `area` (the province or a commune) as of `date`.
pub async fn scurve(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    area: &str,
    date: Date,
) -> sqlx::Result<SCurve> {
    scurve_of(
        db,
        catalogue,
        year,
        &Scope::Area(area.to_string()),
        date,
        Locale::Vi,
    )
    .await
}

/// The S-curve of `year` for the projects of `scope` as of `date`.
pub async fn scurve_of(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    scope: &Scope,
    date: Date,
    locale: Locale,
) -> sqlx::Result<SCurve> {
    let rules = &catalogue.disbursement;
    let days = money::curve_days(year);
    let sums = year_curve(db, catalogue, year, scope, date).await?;
    let last_sums = year_curve(
        db,
        catalogue,
        year - 1,
        scope,
        money::extension_end(year - 1),
    )
    .await?;
    let now = scope_totals(db, catalogue, year, scope, date).await?;
    // last year on the same day: its plan, and its rate then
    let then = scope_totals(
        db,
        catalogue,
        year - 1,
        scope,
        money::same_day_last_year(date),
    )
    .await?;
    let (plan, last_plan) = (now.plan, then.plan);
    let national_rows = figures::read(
        db,
        NATIONAL_RATE,
        &format!("{year}-01"),
        &format!("{year}-12"),
        Pick::All,
        None,
    )
    .await?;
    let national_of = |d: Date| {
        national_rows
            .iter()
            .find(|f| f.period.end() == d)
            .map(|f| f.value)
    };
    let points: Vec<CurvePoint> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // a month that has not ended shows its figure so far; one not begun, nothing
            let disbursed = if *d <= date || (i > 0 && days[i - 1] < date) {
                sums[i]
            } else {
                None
            };
            CurvePoint {
                day: *d,
                disbursed,
                rate: disbursed
                    .and_then(|v| money::percent(v, plan))
                    .map(|r| r.round_dp(2)),
                expected: money::expected_rate(rules, year, *d),
                last_year: last_sums[i]
                    .and_then(|v| money::percent(v, last_plan))
                    .map(|r| r.round_dp(2)),
                national: national_of(*d),
            }
        })
        .collect();
    let last_year_now = then.rate().filter(|_| !then.disbursed.is_zero());
    let last_year_final = last_sums[12].and_then(|v| money::percent(v, last_plan));
    let outlook = money::outlook(
        rules,
        year,
        date,
        plan,
        now.disbursed,
        last_year_now,
        last_year_final,
    );
    let (area, area_name) = scope.name(catalogue, locale);
    Ok(SCurve {
        year,
        area,
        area_name,
        date,
        plan,
        disbursed: now.disbursed,
        rate: now.rate().map(|r| r.round_dp(2)),
        points,
        outlook,
        as_of: now.as_of,
    })
}

/// An exact amount in a map or list, written as the wire writes numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Exact(#[serde(with = "crate::model::number")] pub Decimal);

/// A month end of a project's history and its cumulative disbursement then.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPoint {
    pub day: Date,
    #[serde(with = "crate::model::number::option")]
    pub disbursed: Option<Decimal>,
}

/// A project: its registry entry, plans and monthly history.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: crate::model::Project,
    pub investor_name: String,
    pub commune_names: Vec<String>,
    pub year: i32,
    pub figures: ProjectFigures,
    #[serde(with = "crate::model::number::option")]
    pub rate: Option<Decimal>,
    pub band: String,
    /// Each month end of the plan year (and the extension): cumulative disbursed.
    pub history: Vec<HistoryPoint>,
}

pub async fn project(
    db: &Db,
    catalogue: &Catalogue,
    code: &str,
    year: i32,
    date: Date,
) -> sqlx::Result<Option<ProjectDetail>> {
    let Some(p) = catalogue.project(code) else {
        return Ok(None);
    };
    let figures = project_figures(db, year, date)
        .await?
        .remove(code)
        .unwrap_or_default();
    let days = money::curve_days(year);
    let year_end = day(year, Month::December, 31).min(date);
    let rows = figures::read(
        db,
        DISBURSED,
        &text(day(year, Month::January, 1)),
        &text(year_end),
        Pick::MonthEnds,
        Some(code),
    )
    .await?;
    let ext = figures::read(
        db,
        DISBURSED_EXTENSION,
        &text(day(year + 1, Month::January, 1)),
        &text(days[12].min(date)),
        Pick::MonthEnds,
        Some(code),
    )
    .await?;
    let keep = |_: &str| true;
    let mut sums = monthly_sums(&rows, keep, &days[..12]);
    sums.push(monthly_sums(&ext, keep, &days[12..]).pop().flatten());
    let rate = figures
        .plans
        .in_force()
        .and_then(|plan| money::percent(figures.disbursed, plan))
        .map(|r| r.round_dp(2));
    let national = national(db, year, date).await?.map(|(_, v)| v);
    Ok(Some(ProjectDetail {
        investor_name: catalogue
            .investor(&p.investor)
            .map(|i| i.name_vi.clone())
            .unwrap_or_default(),
        commune_names: p
            .communes
            .iter()
            .map(|c| {
                catalogue
                    .area(c)
                    .map(|a| a.name_vi.clone())
                    .unwrap_or_else(|| c.clone())
            })
            .collect(),
        year,
        band: money::rate_band(&catalogue.disbursement, rate, year, date, national)
            .name()
            .to_string(),
        rate,
        history: days
            .iter()
            .zip(sums)
            .filter(|(d, _)| **d <= date || d.month() == date.month() && d.year() == date.year())
            .map(|(d, v)| HistoryPoint {
                day: *d,
                disbursed: v,
            })
            .collect(),
        figures,
        project: p.clone(),
    }))
}

/// One item of the budget summary.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetItem {
    pub indicator: String,
    pub name: String,
    /// The item it is a part of, if any (never added to it).
    pub part_of: Option<String>,
    pub period: Option<Period>,
    /// Lũy kế at the end of the date (đồng).
    #[serde(with = "crate::model::number::option")]
    pub ytd: Option<Decimal>,
    /// The amount of the month (calendar or reporting, as asked) the date falls in.
    #[serde(with = "crate::model::number::option")]
    pub month: Option<Decimal>,
    pub month_label: String,
    /// Each estimate version of the date's own year, by its indicator code.
    pub estimate: BTreeMap<String, Option<Exact>>,
    /// % of the estimate in force (the last version with a value).
    #[serde(with = "crate::model::number::option")]
    pub percent_of_estimate: Option<Decimal>,
    /// Cùng kỳ: lũy kế on the same day last year, and growth (% of it).
    #[serde(with = "crate::model::number::option")]
    pub same_period_last_year: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub growth: Option<Decimal>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub as_of: Option<time::OffsetDateTime>,
    pub agency: String,
}

/// An item of the province's budget table: a cumulative budget figure of the province
/// (the communes' own revenue is a map layer, not a line of the province's table).
fn is_budget_item(i: &crate::model::Indicator) -> bool {
    i.sector == "budget" && i.cumulative && i.level == crate::model::Level::Province
}

/// The budget's revenue and spending items on `date`: every cumulative budget indicator
/// that `allowed` lets the caller see, in the catalogue's order.
pub async fn budget_summary(
    db: &Db,
    catalogue: &Catalogue,
    date: Date,
    cut: Cut,
    locale: Locale,
    allowed: impl Fn(&crate::model::Indicator) -> bool,
) -> sqlx::Result<Vec<BudgetItem>> {
    let year = date.year();
    let (month_year, month) = money::month_of(cut, date);
    let (start, _) = money::month_span(cut, month_year, month);
    let mut items = Vec::new();
    for ind in catalogue
        .indicators
        .iter()
        .filter(|i| is_budget_item(i) && allowed(i))
    {
        // this year's and last year's days (and the December before a reporting January)
        let from = day(year - 1, Month::January, 1).min(start);
        let rows = figures::read(db, &ind.code, &text(from), &text(date), Pick::All, None).await?;
        let rows: Vec<&StoredFigure> = rows
            .iter()
            .filter(|f| f.area == catalogue.province)
            .collect();
        let ytd = YearToDate::new(rows.iter().map(|f| (f.period.start(), f.value)));
        let latest = rows
            .iter()
            .filter(|f| f.period.start().year() == year)
            .next_back();
        let mut estimate = BTreeMap::new();
        let mut in_force = None;
        for code in &ind.estimates {
            let y = year.to_string();
            let v = figures::read(db, code, &y, &y, Pick::All, None)
                .await?
                .into_iter()
                .find(|f| f.area == catalogue.province)
                .map(|f| f.value);
            in_force = v.or(in_force);
            estimate.insert(code.clone(), v.map(Exact));
        }
        let value = ytd.at(date);
        items.push(BudgetItem {
            indicator: ind.code.clone(),
            name: ind.name(locale).to_string(),
            part_of: ind.part_of.clone(),
            period: latest.map(|f| f.period),
            ytd: value,
            month: ytd.month_amount(cut, month_year, month),
            month_label: match cut {
                Cut::Calendar => format!("{} {month}/{month_year}", locale.pick("tháng", "month")),
                Cut::Reporting => format!(
                    "{} {month}/{month_year} ({} – {})",
                    locale.pick("kỳ báo cáo tháng", "reporting month"),
                    crate::model::format::date(money::month_span(cut, month_year, month).0, locale),
                    crate::model::format::date(money::month_span(cut, month_year, month).1, locale)
                ),
            },
            estimate,
            percent_of_estimate: value
                .zip(in_force)
                .and_then(|(v, e)| money::percent(v, e))
                .map(|p| p.round_dp(2)),
            same_period_last_year: ytd.same_period_last_year(date),
            growth: ytd.growth(date).map(|g| g.round_dp(2)),
            as_of: latest.map(|f| f.as_of),
            agency: ind.agency.clone(),
        });
    }
    Ok(items)
}

/// The money screen's data for the person or screen asking, read while the page renders:
/// `focus` from the address (`?investor=`, `?commune=`, `?project=`).
pub async fn load_screen(
    locale: Locale,
    query: &str,
) -> Result<money::MoneyScreen, leptos::prelude::ServerFnError> {
    use leptos::prelude::*;
    let ctx = expect_context::<crate::api::ServerContext>();
    let Some(principal) = crate::api::current_principal() else {
        return Err(ServerFnError::new("sign in to see the money view"));
    };
    let catalogue = &ctx.catalogue;
    let province = catalogue.province.clone();
    let param = |name: &str| {
        query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    };
    let focus = if let Some(p) = param("project").filter(|p| catalogue.project(p).is_some()) {
        money::Focus::Project(p)
    } else if let Some(i) = param("investor").filter(|i| catalogue.investor(i).is_some()) {
        money::Focus::Investor(i)
    } else if let Some(c) =
        param("commune").filter(|c| catalogue.area(c).is_some_and(|a| a.is_commune_level()))
    {
        money::Focus::Commune(c)
    } else {
        money::Focus::Province
    };
    let today = crate::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let year = money::plan_year_shown(today);
    let date = today.min(money::extension_end(year));
    let scope = match &focus {
        money::Focus::Province => Scope::Area(province.clone()),
        money::Focus::Commune(c) => Scope::Area(c.clone()),
        money::Focus::Investor(i) => Scope::Investor(i.clone()),
        money::Focus::Project(p) => Scope::Project(p.clone()),
    };
    let db = &ctx.db;
    let failed = |e: sqlx::Error| ServerFnError::new(format!("the money view cannot be read: {e}"));
    let scurve = scurve_of(db, catalogue, year, &scope, date, locale)
        .await
        .map_err(failed)?;
    let national = national(db, year, date).await.map_err(failed)?;
    let visibility = principal.visibility();
    let overview = crate::api::overview::overview_indicators(catalogue);
    let allowed = |code: &str| {
        let owner = catalogue
            .indicator(code)
            .map(|i| i.agency.as_str())
            .unwrap_or_default();
        visibility.allows(code, owner, &overview)
    };
    let budget = budget_summary(db, catalogue, today, Cut::Calendar, locale, |i| {
        allowed(&i.code)
    })
    .await
    .map_err(failed)?
    .into_iter()
    .map(|item| {
        let estimate_code = catalogue.indicator(&item.indicator).and_then(|i| {
            i.estimates
                .iter()
                .rev()
                .find(|e| item.estimate.get(*e).is_some_and(Option::is_some))
                .cloned()
        });
        money::BudgetRow {
            part: item.part_of.is_some(),
            ytd: item.ytd,
            month: item.month,
            month_label: item.month_label,
            estimate: estimate_code
                .as_ref()
                .and_then(|e| item.estimate.get(e).copied().flatten())
                .map(|e| e.0),
            estimate_label: estimate_code
                .and_then(|e| catalogue.indicator(&e).map(|i| i.name(locale).to_string()))
                .unwrap_or_default(),
            same_period_last_year: item.same_period_last_year,
            as_of: item.as_of,
            agency: item.agency,
            name: item.name,
            indicator: item.indicator,
        }
    })
    .collect();
    let project = match &focus {
        money::Focus::Project(code) => project(db, catalogue, code, year, date)
            .await
            .map_err(failed)?
            .map(|d| {
                let months = d
                    .history
                    .iter()
                    .map(|h| money::ProjectMonth {
                        day: h.day,
                        disbursed: h.disbursed,
                    })
                    .collect();
                (d.project, d.investor_name, months)
            }),
        _ => None,
    };
    // the province's page has the commune map: disbursement and revenue against estimate
    let map = match focus {
        money::Focus::Province => {
            let layers = crate::api::overview::map_layers(
                &ctx,
                &[money::DERIVED_RATE, "budget.commune.revenue.ytd"],
                today,
                locale,
            )
            .await?;
            Some(((*ctx.map).clone(), layers))
        }
        _ => None,
    };
    let communes: std::collections::HashSet<&str> =
        ctx.map.shapes.iter().map(|s| s.area.as_str()).collect();
    let layer_codes: std::collections::HashSet<String> = map
        .iter()
        .flat_map(|(_, layers)| layers)
        .flat_map(|l| {
            std::iter::once(l.indicator.clone())
                .chain(l.share_of.as_ref().map(|s| s.indicator.clone()))
        })
        .collect();
    let budget_codes: std::collections::HashSet<String> = catalogue
        .indicators
        .iter()
        .filter(|i| is_budget_item(i))
        .map(|i| i.code.clone())
        .collect();
    let (epoch, offset, values) = ctx.live.read(
        &|v| {
            (v.project.is_some() && money::INVESTMENT_INDICATORS.contains(&v.indicator.as_str()))
                || (v.area == province && budget_codes.contains(&v.indicator))
                || (layer_codes.contains(&v.indicator) && communes.contains(v.area.as_str()))
        },
        &visibility,
    );
    let explanations = crate::api::explanations_seen(&ctx, &visibility, today).await?;
    Ok(money::MoneyScreen {
        viewer: crate::model::account::Viewer::of(&principal, locale),
        province_name: catalogue
            .area(&province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        province_code: province,
        focus,
        year,
        date,
        rules: catalogue.disbursement.clone(),
        registry: money::SlimRegistry::of(catalogue, locale),
        scurve,
        budget,
        national: national.map(|(_, v)| v),
        national_period: national.map(|(p, _)| p),
        project,
        map,
        epoch,
        offset,
        values,
        server_time: time::OffsetDateTime::now_utc(),
        calendar: catalogue.calendar.clone(),
        explanations,
    })
}

/// Revenue on the territory by day for `year` and the year before (lũy kế), the council's
/// estimate of `year` and the latest as-of time: what the revenue chart draws.
pub async fn revenue_chart(
    db: &Db,
    catalogue: &Catalogue,
    year: i32,
    date: Date,
) -> sqlx::Result<(YearToDate, Option<Decimal>, Option<time::OffsetDateTime>)> {
    const REVENUE: &str = "budget.revenue.ytd";
    let rows = figures::read(
        db,
        REVENUE,
        &text(day(year - 1, Month::January, 1)),
        &text(date),
        Pick::All,
        None,
    )
    .await?;
    let rows: Vec<&StoredFigure> = rows
        .iter()
        .filter(|f| f.area == catalogue.province)
        .collect();
    let as_of = rows
        .iter()
        .filter(|f| f.period.start().year() == year)
        .map(|f| f.as_of)
        .max();
    let ytd = YearToDate::new(rows.iter().map(|f| (f.period.start(), f.value)));
    let in_force = catalogue
        .indicator(REVENUE)
        .and_then(|i| i.estimates.last().cloned());
    let estimate = match in_force {
        Some(code) => {
            let y = year.to_string();
            figures::read(db, &code, &y, &y, Pick::All, None)
                .await?
                .into_iter()
                .find(|f| f.area == catalogue.province)
                .map(|f| f.value)
        }
        None => None,
    };
    Ok((ytd, estimate, as_of))
}

/// One commune's revenue against its own estimate of the same year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneRevenue {
    pub code: String,
    pub name: String,
    /// Lũy kế at the end of the date (đồng).
    #[serde(with = "crate::model::number::option")]
    pub ytd: Option<Decimal>,
    /// The estimate of the date's year (đồng).
    #[serde(with = "crate::model::number::option")]
    pub estimate: Option<Decimal>,
    /// % of the estimate, one decimal.
    #[serde(with = "crate::model::number::option")]
    pub percent: Option<Decimal>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub as_of: Option<time::OffsetDateTime>,
}

/// Each commune and ward of today: revenue collected to the end of `date` and
/// the estimate of the same year (the map's revenue layer as a table).
pub async fn commune_revenue(
    db: &Db,
    catalogue: &Catalogue,
    date: Date,
) -> sqlx::Result<Vec<CommuneRevenue>> {
    const YTD: &str = "budget.commune.revenue.ytd";
    const ESTIMATE: &str = "budget.commune.revenue.estimate";
    let year = date.year();
    let mut latest: HashMap<String, &StoredFigure> = HashMap::new();
    let rows = figures::read(
        db,
        YTD,
        &text(day(year, Month::January, 1)),
        &text(date),
        Pick::All,
        None,
    )
    .await?;
    for f in &rows {
        // the periods come oldest first: the last one of each commune is its figure
        latest.insert(f.area.clone(), f);
    }
    let y = year.to_string();
    let estimates: HashMap<String, Decimal> = figures::read(db, ESTIMATE, &y, &y, Pick::All, None)
        .await?
        .into_iter()
        .map(|f| (f.area, f.value))
        .collect();
    // today's communes and wards, as on the map (figures are reported for them)
    let mut out: Vec<CommuneRevenue> = catalogue
        .areas
        .iter()
        .filter(|a| a.is_commune_level() && a.valid_to.is_none())
        .map(|a| {
            let figure = latest.get(&a.code);
            let ytd = figure.map(|f| f.value);
            let estimate = estimates.get(&a.code).copied();
            CommuneRevenue {
                code: a.code.clone(),
                name: a.name_vi.clone(),
                ytd,
                estimate,
                percent: ytd
                    .zip(estimate)
                    .and_then(|(v, e)| money::percent(v, e))
                    .map(|p| p.round_dp(1)),
                as_of: figure.map(|f| f.as_of),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
