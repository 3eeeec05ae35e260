//! The public-services view's data: each service desk's dossier counts read from the store
//! and summed by [`crate::model::services`] — the day and the year to date per agency or
//! commune, and the 766 index of a period ranked with the period before. The REST API
//! (`/api/v1/services/…`) and the services screen both read through here, so they agree.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use time::{Date, Month, OffsetDateTime};

use crate::model::services::{self, By, Counts, Desk, IndexRow, IndexView, Summary, SummaryRow};
use crate::model::{Catalogue, Locale, Period, PeriodKind};
use crate::store::figures::{self, Pick};
use crate::store::Db;

/// Every desk's counts by day over a span, with the time of its newest figure.
#[derive(Debug, Clone, Default)]
pub struct DeskDays {
    pub days: BTreeMap<Desk, BTreeMap<Date, Counts>>,
    pub as_of: BTreeMap<Desk, OffsetDateTime>,
}

impl DeskDays {
    /// The desks' counts from `from` to `to` (both included).
    pub async fn read(db: &Db, from: Date, to: Date) -> sqlx::Result<DeskDays> {
        let (from_text, to_text) = (Period::Day(from).to_string(), Period::Day(to).to_string());
        let mut out = DeskDays::default();
        for indicator in services::DAILY {
            for f in figures::read(db, indicator, &from_text, &to_text, Pick::All, None).await? {
                let Period::Day(day) = f.period else { continue };
                let desk = Desk::of(&f.area, f.project.as_deref());
                let value = f.value.to_u64().unwrap_or(0);
                out.days
                    .entry(desk.clone())
                    .or_default()
                    .entry(day)
                    .or_default()
                    .set(indicator, value);
                let newest = out.as_of.entry(desk).or_insert(f.as_of);
                *newest = (*newest).max(f.as_of);
            }
        }
        Ok(out)
    }

    /// Each desk's counts summed over `from..=to`.
    pub fn spans(&self, from: Date, to: Date) -> BTreeMap<Desk, Counts> {
        self.days
            .iter()
            .map(|(desk, days)| (desk.clone(), services::span(days, from, to)))
            .collect()
    }

    /// The first day with any figure.
    pub fn first_day(&self) -> Option<Date> {
        self.days
            .values()
            .filter_map(|d| d.keys().next().copied())
            .min()
    }
}

/// The name a desk is shown by: the department's short name or the commune's name.
pub fn desk_name(catalogue: &Catalogue, desk: &Desk, locale: Locale) -> String {
    match desk {
        Desk::Department(code) => catalogue
            .agency(code)
            .map(|a| a.short(locale).to_string())
            .unwrap_or_else(|| code.clone()),
        Desk::Commune(code) => catalogue
            .area(code)
            .map(|a| a.name_vi.clone())
            .unwrap_or_else(|| code.clone()),
    }
}

/// The summary of `date` per agency or per commune.
pub async fn summary(
    db: &Db,
    catalogue: &Catalogue,
    date: Date,
    by: By,
    locale: Locale,
) -> sqlx::Result<Summary> {
    let year_start = Date::from_calendar_date(date.year(), Month::January, 1).unwrap_or(date);
    let read = DeskDays::read(db, year_start, date).await?;
    let days = read.spans(date, date);
    let ytd = read.spans(year_start, date);
    let row = |desk: &Desk| SummaryRow {
        desk: desk.clone(),
        name: desk_name(catalogue, desk, locale),
        day: days.get(desk).copied().unwrap_or_default().into(),
        year_to_date: ytd.get(desk).copied().unwrap_or_default().into(),
        as_of: read.as_of.get(desk).copied(),
    };
    let rows: Vec<SummaryRow> = ytd.keys().filter(|d| by.includes(d)).map(row).collect();
    let total = |m: &BTreeMap<Desk, Counts>| m.values().fold(Counts::default(), |a, c| a.plus(*c));
    let province = SummaryRow {
        desk: Desk::Commune(catalogue.province.clone()),
        name: catalogue
            .area(&catalogue.province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        day: total(&days).into(),
        year_to_date: total(&ytd).into(),
        as_of: read.as_of.values().max().copied(),
    };
    Ok(Summary {
        date,
        by,
        from: read.first_day(),
        province,
        rows,
    })
}

/// The period before `period`, of the same kind.
pub fn previous(period: Period) -> Period {
    Period::containing(period.kind(), period.start() - time::Duration::days(1))
}

/// The monthly publicity rates of each desk from `from` to `to`, averaged.
async fn publicity(db: &Db, from: Date, to: Date) -> sqlx::Result<BTreeMap<Desk, Decimal>> {
    let (a, b) = (
        Period::containing(PeriodKind::Month, from).to_string(),
        Period::containing(PeriodKind::Month, to).to_string(),
    );
    let mut sums: BTreeMap<Desk, (Decimal, u32)> = BTreeMap::new();
    for f in figures::read(db, services::PUBLICITY, &a, &b, Pick::All, None).await? {
        let entry = sums
            .entry(Desk::of(&f.area, f.project.as_deref()))
            .or_default();
        entry.0 += f.value;
        entry.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(desk, (sum, n))| (desk, (sum / Decimal::from(n)).round_dp(2)))
        .collect())
}

/// The index of `period` (a month, quarter or year) counted through `today` at the latest.
pub async fn index766(
    db: &Db,
    catalogue: &Catalogue,
    period: Period,
    today: Date,
    locale: Locale,
) -> sqlx::Result<IndexView> {
    let before = previous(period);
    let through = period.end().min(today);
    let read = DeskDays::read(db, before.start(), through).await?;
    let scored = |from: Date, to: Date, publicity: &BTreeMap<Desk, Decimal>| {
        read.spans(from, to)
            .into_iter()
            .filter(|(_, c)| *c != Counts::default())
            .map(|(desk, c)| {
                let index = services::index766(&c, publicity.get(&desk).copied());
                (desk, index, c)
            })
            .collect::<Vec<_>>()
    };
    let now_publicity = publicity(db, period.start(), through).await?;
    let before_publicity = publicity(db, before.start(), before.end()).await?;
    let now = scored(period.start(), through, &now_publicity);
    let then = scored(before.start(), before.end(), &before_publicity);
    let counts: BTreeMap<Desk, Counts> = now.iter().map(|(d, _, c)| (d.clone(), *c)).collect();
    let all = counts.values().fold(Counts::default(), |a, c| a.plus(*c));
    let province_publicity = (!now_publicity.is_empty()).then(|| {
        (now_publicity.values().sum::<Decimal>() / Decimal::from(now_publicity.len())).round_dp(2)
    });
    let ranked = services::rank(
        now.into_iter().map(|(d, i, _)| (d, i)).collect(),
        &then.into_iter().map(|(d, i, _)| (d, i)).collect::<Vec<_>>(),
    );
    let rows = ranked
        .into_iter()
        .map(|r| {
            let c = counts.get(&r.desk).copied().unwrap_or_default();
            IndexRow {
                name: desk_name(catalogue, &r.desk, locale),
                overdue: c.overdue,
                resolved_late: c.resolved_late(),
                ranked: r,
            }
        })
        .collect();
    Ok(IndexView {
        period,
        previous: before,
        through,
        province: services::index766(&all, province_publicity),
        rows,
    })
}

/// The province's 90 days to `date`, with the time of the newest figure.
pub async fn trend(
    db: &Db,
    date: Date,
) -> sqlx::Result<(Vec<services::TrendDay>, Option<OffsetDateTime>)> {
    let from = date - time::Duration::days(89);
    let read = DeskDays::read(db, from, date).await?;
    Ok((
        services::trend(read.days.values(), from, date),
        read.as_of.values().max().copied(),
    ))
}

/// The services screen's data for the person or screen asking, read while the page renders.
pub async fn load_screen(
    locale: Locale,
) -> Result<services::ServicesScreen, leptos::prelude::ServerFnError> {
    use leptos::prelude::*;
    let ctx = expect_context::<crate::api::ServerContext>();
    let Some(principal) = crate::api::current_principal() else {
        return Err(ServerFnError::new("sign in to see the services view"));
    };
    let catalogue = &ctx.catalogue;
    let province = catalogue.province.clone();
    let visibility = principal.visibility();
    let overview = crate::api::overview::overview_indicators(catalogue);
    if !visibility.allows(services::RECEIVED, "VPUB", &overview) {
        return Err(ServerFnError::new(
            "Tài khoản này không được xem số liệu dịch vụ công / this account may not see public-service figures",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let today = crate::model::format::vietnam_date(now);
    let year_start = Date::from_calendar_date(today.year(), Month::January, 1).unwrap_or(today);
    let trend_start = today - time::Duration::days(89);
    let db = &ctx.db;
    let failed =
        |e: sqlx::Error| ServerFnError::new(format!("the services view cannot be read: {e}"));
    let read = DeskDays::read(db, year_start.min(trend_start), today)
        .await
        .map_err(failed)?;
    let before = read.spans(year_start, today - time::Duration::days(1));
    let mut desks: Vec<services::DeskLine> = read
        .days
        .keys()
        .map(|desk| services::DeskLine {
            desk: desk.clone(),
            name: desk_name(catalogue, desk, locale),
            before_today: before.get(desk).copied().unwrap_or_default(),
            as_of: read.as_of.get(desk).copied(),
        })
        .collect();
    desks.sort_by(|a, b| a.desk.cmp(&b.desk));
    let from = read
        .days
        .values()
        .filter_map(|d| d.range(year_start..).next().map(|(day, _)| *day))
        .min();
    let index = index766(
        db,
        catalogue,
        Period::containing(PeriodKind::Month, today),
        today,
        locale,
    )
    .await
    .map_err(failed)?;
    let trend = services::trend(read.days.values(), trend_start, today);
    let layers = crate::api::overview::map_layers(
        &ctx,
        &[services::OVERDUE, "services.ontime.rate"],
        today,
        locale,
    )
    .await?;
    let map = Some(((*ctx.map).clone(), layers));
    let communes: std::collections::HashSet<&str> =
        ctx.map.shapes.iter().map(|s| s.area.as_str()).collect();
    let today_period = Period::Day(today);
    let (epoch, offset, values) = ctx.live.read(
        &|v| {
            (services::DAILY.contains(&v.indicator.as_str()) && v.period == today_period)
                || (v.indicator == "services.ontime.rate" && communes.contains(v.area.as_str()))
        },
        &visibility,
    );
    let explanations = crate::api::explanations_seen(&ctx, &visibility, today).await?;
    Ok(services::ServicesScreen {
        viewer: crate::model::account::Viewer::of(&principal, locale),
        province_name: catalogue
            .area(&province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        province_code: province,
        today,
        from,
        desks,
        index: Some(index),
        trend,
        map,
        epoch,
        offset,
        values,
        server_time: now,
        calendar: catalogue.calendar.clone(),
        explanations,
    })
}
