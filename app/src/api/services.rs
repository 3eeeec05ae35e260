//! The public-services view's data: each service desk's dossier counts read from the store
//! and summed by [`crate::model::services`] — the day and the year to date per agency or
//! commune, and the 766 index of a period ranked with the period before. The REST API
//! (`/api/v1/services/…`) and the services screen both read through here, so they agree.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Month, OffsetDateTime};

use crate::model::services::{self, By, Counts, Desk, Index766, Ranked};
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

/// Counts with the rates read from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    #[serde(flatten)]
    pub counts: Counts,
    pub resolved_late: u64,
    #[serde(with = "crate::model::number::option")]
    pub online_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub full_online_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub on_time_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub digitized_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub payment_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub satisfaction_rate: Option<Decimal>,
}

impl From<Counts> for Figures {
    fn from(counts: Counts) -> Figures {
        Figures {
            counts,
            resolved_late: counts.resolved_late(),
            online_rate: counts.online_rate(),
            full_online_rate: counts.full_online_rate(),
            on_time_rate: counts.on_time_rate(),
            digitized_rate: counts.digitized_rate(),
            payment_rate: counts.payment_rate(),
            satisfaction_rate: counts.satisfaction_rate(),
        }
    }
}

/// One desk's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub desk: Desk,
    pub name: String,
    /// The day asked for.
    pub day: Figures,
    /// From 1 January (or the first figure of the year) to the day.
    pub year_to_date: Figures,
    /// The desk's newest figure.
    #[serde(with = "time::serde::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
}

/// The summary of a day: per desk, and the province (every desk, communes and
/// departments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub date: Date,
    pub by: By,
    /// The first day the year-to-date sums include.
    pub from: Option<Date>,
    pub province: SummaryRow,
    pub rows: Vec<SummaryRow>,
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

/// A desk's line of the 766 ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    #[serde(flatten)]
    pub ranked: Ranked,
    pub name: String,
    /// The dossiers that cost it progress points: still overdue at the period's end, and
    /// resolved late in the period.
    pub overdue: u64,
    pub resolved_late: u64,
}

/// The 766 index of a period per desk, ranked, with movement since the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexView {
    pub period: Period,
    pub previous: Period,
    /// The last day counted (the period's end, or today while it runs).
    pub through: Date,
    /// Every desk together.
    pub province: Index766,
    pub rows: Vec<IndexRow>,
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
