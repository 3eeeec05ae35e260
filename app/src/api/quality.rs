//! Data quality per owning agency for a month (see [`crate::model::quality`]), read for the
//! console and the quality API.

use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

use crate::model::account::Visibility;
use crate::model::format::VIETNAM;
use crate::model::quality::{self, Key, Quality};
use crate::model::{Catalogue, Period, PeriodKind};

/// An agency's quality for the month, with its name and rank (1 = best; equal scores share
/// a rank; agencies with no figure due in the month come last, unranked).
#[derive(Debug, Clone, serde::Serialize)]
pub struct QualityRow {
    pub rank: Option<usize>,
    pub name: String,
    #[serde(flatten)]
    pub quality: Quality,
}

/// The month's quality of every agency that owns indicators (only `agency` when given),
/// ranked; `values` are the current figures (the hub's), which say what each agency
/// reports and whether its figures add up.
pub async fn month(
    db: &crate::store::Db,
    catalogue: &Catalogue,
    values: &[crate::model::LiveValue],
    month: Period,
    agency: Option<&str>,
    now: OffsetDateTime,
    locale: crate::model::Locale,
) -> sqlx::Result<Vec<QualityRow>> {
    let start = month.start().midnight().assume_offset(VIETNAM);
    let end = (month.end() + Duration::days(1))
        .midnight()
        .assume_offset(VIETNAM)
        .min(now);
    let mut by_agency: HashMap<&str, Vec<Key>> = HashMap::new();
    for v in values {
        by_agency.entry(v.agency.as_str()).or_default().push((
            v.indicator.clone(),
            v.area.clone(),
            v.project.clone().unwrap_or_default(),
        ));
    }
    let breaks = quality::sum_breaks(values, catalogue);
    let owners: Vec<&str> = {
        let mut v: Vec<&str> = catalogue
            .indicators
            .iter()
            .map(|i| i.agency.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v.into_iter()
            .filter(|a| agency.is_none_or(|only| only == *a))
            .collect()
    };
    let expected: HashMap<&str, Vec<quality::Expected>> = owners
        .iter()
        .map(|a| {
            let keys = by_agency.get(a).map(Vec::as_slice).unwrap_or_default();
            (
                *a,
                quality::expected_in(catalogue, a, month, keys, &catalogue.calendar, now),
            )
        })
        .collect();
    let periods: Vec<Period> = {
        let mut v: Vec<Period> = expected
            .values()
            .flatten()
            .map(|e| e.period)
            .filter(|p| p.kind() != PeriodKind::Day)
            .collect();
        v.sort_by_key(|p| p.start());
        v.dedup();
        v
    };
    let mut conn = db.acquire().await?;
    let firsts =
        crate::store::quality::first_revisions(&mut conn, month.start(), month.end(), &periods)
            .await?;
    let sent = crate::store::quality::received_between(&mut conn, start, end).await?;
    let accepted: HashMap<String, i64> =
        crate::store::quality::accepted_items(&mut conn, start, end)
            .await?
            .into_iter()
            .collect();
    let rejected: HashMap<String, i64> =
        crate::store::quality::rejected_items(&mut conn, start, end)
            .await?
            .into_iter()
            .collect();
    let mut rows: Vec<QualityRow> = owners
        .iter()
        .map(|a| {
            let mine = |list: &[(String, quality::Received)]| -> Vec<quality::Received> {
                list.iter()
                    .filter(|(who, _)| who == a)
                    .map(|(_, r)| r.clone())
                    .collect()
            };
            let counts = (
                accepted.get(*a).copied().unwrap_or(0).max(0) as u64,
                rejected.get(*a).copied().unwrap_or(0).max(0) as u64,
            );
            let q = quality::quality(
                a,
                &expected[a],
                &mine(&firsts),
                &mine(&sent),
                counts,
                &breaks,
                catalogue,
            );
            QualityRow {
                rank: None,
                name: catalogue
                    .agency(a)
                    .map_or_else(|| a.to_string(), |g| g.name(locale).to_string()),
                quality: q,
            }
        })
        .filter(|r| r.quality.score.is_some() || agency.is_some())
        .collect();
    // ranked: agencies that had figures due this month, by score; the others after them
    let ranked = |r: &QualityRow| r.quality.expected > 0 && r.quality.score.is_some();
    rows.sort_by(|x, y| {
        ranked(y)
            .cmp(&ranked(x))
            .then_with(|| y.quality.score.cmp(&x.quality.score))
            .then_with(|| x.name.cmp(&y.name))
    });
    let mut previous: Option<(rust_decimal::Decimal, usize)> = None;
    for (i, row) in rows.iter_mut().enumerate() {
        if !ranked(row) {
            continue;
        }
        if let Some(score) = row.quality.score {
            let rank = match previous {
                Some((s, r)) if s == score => r,
                _ => i + 1,
            };
            previous = Some((score, rank));
            row.rank = Some(rank);
        }
    }
    Ok(rows)
}

/// The current figures, from the live values (`reader`): what [`month`] reads.
pub fn current_figures(reader: &dyn crate::api::LiveReader) -> Vec<crate::model::LiveValue> {
    reader.read(&|_| true, &Visibility::All).2
}
