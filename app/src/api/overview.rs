//! The overview screen's data: its tiles, its map and the live values they start from.

use crate::model::{Locale, Overview};
use leptos::prelude::*;

/// A tile of the overview: an indicator, how its big number reads, and what its target is
/// called on the tile.
struct OverviewTile {
    indicator: &'static str,
    headline: crate::model::tile::Headline,
    target_vi: &'static str,
    target_en: &'static str,
}

const fn tile(
    indicator: &'static str,
    share: bool,
    target_vi: &'static str,
    target_en: &'static str,
) -> OverviewTile {
    use crate::model::tile::Headline;
    OverviewTile {
        indicator,
        headline: if share {
            Headline::ShareOfTarget
        } else {
            Headline::Value
        },
        target_vi,
        target_en,
    }
}

/// The overview's tiles, in reading order: money first, then services, then follow-up.
const OVERVIEW_TILES: [OverviewTile; 8] = [
    tile("budget.revenue.ytd", false, "dự toán", "of estimate"),
    tile("invest.disbursed.ytd", true, "kế hoạch", "of plan"),
    tile("services.online.rate", false, "mục tiêu", "of target"),
    tile("services.ontime.rate", false, "mục tiêu", "of target"),
    tile("budget.spending.ytd", false, "dự toán", "of estimate"),
    tile("services.overdue", false, "", ""),
    tile("tasks.overdue", false, "", ""),
    tile("services.index766", false, "", ""),
];

/// The indicators the map can show, by commune; the first is shown at first.
const MAP_LAYERS: [&str; 4] = [
    "invest.disbursement.rate",
    "budget.commune.revenue.ytd",
    "services.online.rate",
    "services.overdue",
];

/// The indicators of the overview's tiles, and of its map's layers: what a wall's scene
/// may show.
pub fn wall_vocabulary() -> (Vec<&'static str>, Vec<String>) {
    (
        OVERVIEW_TILES.iter().map(|t| t.indicator).collect(),
        MAP_LAYERS.iter().map(|l| l.to_string()).collect(),
    )
}

/// The indicators the overview shows (tiles, their targets, map layers): everyone signed in
/// may see these, whatever their agency.
pub fn overview_indicators(
    catalogue: &crate::model::Catalogue,
) -> std::collections::BTreeSet<String> {
    let mut codes: std::collections::BTreeSet<String> = OVERVIEW_TILES
        .iter()
        .map(|t| t.indicator.to_string())
        .collect();
    codes.extend(MAP_LAYERS.iter().map(|l| l.to_string()));
    // the sums of projects shown on tiles and the map are made from the projects' figures
    codes.extend(
        crate::model::money::INVESTMENT_INDICATORS
            .iter()
            .map(|c| c.to_string()),
    );
    // what a service desk reports: the services screen, shown to everyone as the wall is
    codes.extend(crate::model::services::DAILY.iter().map(|c| c.to_string()));
    codes.insert(crate::model::services::PUBLICITY.to_string());
    let targets: Vec<String> = codes
        .iter()
        .filter_map(|c| match catalogue.indicator(c)?.target.as_ref()? {
            crate::model::Target::Indicator(t) => Some(t.clone()),
            crate::model::Target::Value(_) => None,
        })
        .collect();
    codes.extend(targets);
    codes
}

/// The map's layers for `codes` on `today`: each indicator's bands, legend and source; a
/// year-to-date amount with a yearly target by commune (revenue against its estimate)
/// becomes a share of each commune's target of the same year.
pub async fn map_layers(
    ctx: &crate::api::ServerContext,
    codes: &[&str],
    today: time::Date,
    locale: Locale,
) -> Result<Vec<crate::model::map::MapLayer>, ServerFnError> {
    use crate::model::map::MapLayer;
    let catalogue = &ctx.catalogue;
    // a sum of projects has no catalogue entry of its own
    let indicator = |code: &str| -> Option<crate::model::Indicator> {
        catalogue
            .indicator(code)
            .cloned()
            .or_else(|| crate::model::money::derived_indicator(catalogue, code, today))
    };
    let agency_names = |code: &str| {
        let agency = catalogue.agency(code);
        (
            agency
                .map(|a| a.short(locale).to_string())
                .unwrap_or_else(|| code.to_string()),
            agency
                .map(|a| a.name(locale).to_string())
                .unwrap_or_default(),
        )
    };
    let mut map_layers: Vec<MapLayer> = Vec::new();
    for ind in codes.iter().filter_map(|code| indicator(code)) {
        let (agency_short, agency_name) = agency_names(&ind.agency);
        let mut layer = MapLayer {
            indicator: ind.code.clone(),
            title: ind.name(locale).to_string(),
            unit: ind.unit,
            direction: ind.direction,
            threshold: ind.threshold,
            best: match ind.direction {
                crate::model::Direction::LowerIsBetter => ind.min,
                _ => ind.max,
            },
            agency_short,
            agency_name,
            freshness: ind.freshness_contract(),
            share_of: None,
        };
        // a year-to-date amount with a yearly target by commune (revenue against its
        // estimate) is shown as a share of it, judged by the share of the year gone
        if let (true, Some(crate::model::Target::Indicator(target))) = (ind.cumulative, &ind.target)
        {
            let (from, to) = (
                crate::model::Period::Year(today.year() - 1).to_string(),
                crate::model::Period::Year(today.year()).to_string(),
            );
            let mut by_area: std::collections::BTreeMap<
                String,
                Vec<crate::model::tile::YearTarget>,
            > = std::collections::BTreeMap::new();
            for f in crate::store::figures::read(
                &ctx.db,
                target,
                &from,
                &to,
                crate::store::figures::Pick::All,
                None,
            )
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?
            {
                if let crate::model::Period::Year(year) = f.period {
                    by_area
                        .entry(f.area)
                        .or_default()
                        .push(crate::model::tile::YearTarget {
                            year,
                            value: f.value,
                        });
                }
            }
            let elapsed = crate::model::money::share_of_year(today);
            layer.title = locale.pick(
                format!(
                    "{} so với dự toán (%)",
                    ind.name_vi.trim_end_matches(" (lũy kế từ đầu năm)")
                ),
                format!(
                    "{} against the estimate (%)",
                    ind.name_en.trim_end_matches(" (year to date)")
                ),
            );
            layer.unit = crate::model::Unit::Percent;
            layer.threshold = Some(crate::model::Threshold {
                warning: (elapsed * rust_decimal::Decimal::new(9, 1)).round_dp(1),
                critical: (elapsed * rust_decimal::Decimal::new(7, 1)).round_dp(1),
            });
            layer.best = Some(rust_decimal::Decimal::ONE_HUNDRED);
            layer.share_of = Some(crate::model::map::ShareOf {
                indicator: target.clone(),
                by_area,
            });
        }
        map_layers.push(layer);
    }
    Ok(map_layers)
}

/// The overview's data for the person or screen asking, read while the page renders.
pub async fn load_overview(locale: Locale) -> Result<Overview, ServerFnError> {
    use crate::model::{tile::TileSpec, Target};
    use std::collections::HashSet;

    let ctx = expect_context::<crate::api::ServerContext>();
    let today = crate::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    // a sum of projects has no catalogue entry of its own
    let indicator = |code: &str| -> Option<crate::model::Indicator> {
        ctx.catalogue
            .indicator(code)
            .cloned()
            .or_else(|| crate::model::money::derived_indicator(&ctx.catalogue, code, today))
    };
    let Some(principal) = crate::api::current_principal() else {
        return Err(ServerFnError::new("sign in to see the overview"));
    };
    let catalogue = &ctx.catalogue;
    let province = catalogue.province.clone();
    let agency_names = |code: &str| {
        let agency = catalogue.agency(code);
        (
            agency
                .map(|a| a.short(locale).to_string())
                .unwrap_or_else(|| code.to_string()),
            agency
                .map(|a| a.name(locale).to_string())
                .unwrap_or_default(),
        )
    };
    let spec = |ind: &crate::model::Indicator, t: &OverviewTile| {
        let (agency_short, agency_name) = agency_names(&ind.agency);
        let (target_indicator, target_value) = match &ind.target {
            Some(Target::Indicator(code)) => (Some(code.clone()), None),
            Some(Target::Value(v)) => (None, Some(*v)),
            None => (None, None),
        };
        TileSpec {
            indicator: ind.code.clone(),
            area: province.clone(),
            title: ind.name(locale).to_string(),
            unit: ind.unit,
            cadence: ind.cadence,
            direction: ind.direction,
            headline: t.headline,
            agency_short,
            agency_name,
            target_indicator,
            target_value,
            targets_by_year: Vec::new(),
            last_year: Vec::new(),
            target_label: locale.pick(t.target_vi, t.target_en).to_string(),
            threshold: ind.threshold_for(&province, &province),
            cumulative: ind.cumulative,
            freshness: ind.freshness_contract(),
        }
    };
    let mut tiles = Vec::new();
    for t in &OVERVIEW_TILES {
        let Some(ind) = indicator(t.indicator) else {
            tracing::warn!(
                indicator = t.indicator,
                "overview tile names an indicator missing from the catalogue"
            );
            continue;
        };
        tiles.push(spec(&ind, t));
    }
    // an agency officer also sees the rest of their agency's figures
    let agency = match &principal {
        crate::model::account::Principal::User {
            role: crate::model::account::Role::AgencyOfficer,
            agency: Some(code),
            ..
        } => {
            let own: Vec<TileSpec> = catalogue
                .indicators
                .iter()
                .filter(|i| &i.agency == code)
                // a desk's dossier counts are the services screen's, never a province tile
                .filter(|i| !i.by_agency)
                .filter(|i| OVERVIEW_TILES.iter().all(|t| t.indicator != i.code))
                .map(|i| spec(i, &tile("", false, "mục tiêu", "of target")))
                .collect();
            Some((agency_names(code).1, own))
        }
        _ => None,
    };
    // each target indicator's figures of last year and this year, for the tiles' own-year
    // rule (the live target may already be next year's from 1 December)
    let mut tiles = tiles;
    let mut agency = agency;
    for t in tiles
        .iter_mut()
        .chain(agency.iter_mut().flat_map(|(_, own)| own.iter_mut()))
    {
        // a year-to-date figure's cùng kỳ: last year's figures from a month before the
        // same day to two months after it (a wall stays open for weeks)
        if t.cumulative && !crate::model::money::is_derived(&t.indicator) {
            let kind = t.cadence.period_kind();
            let same_day = crate::model::money::same_day_last_year(today);
            let (from, to) = (
                crate::model::Period::containing(kind, same_day - time::Duration::days(31)),
                crate::model::Period::containing(kind, same_day + time::Duration::days(62)),
            );
            t.last_year = crate::store::figures::read(
                &ctx.db,
                &t.indicator,
                &from.to_string(),
                &to.to_string(),
                crate::store::figures::Pick::All,
                None,
            )
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?
            .into_iter()
            .filter(|f| f.area == t.area && f.project.is_none())
            .map(|f| crate::model::tile::DayFigure {
                day: f.period.end(),
                value: f.value,
            })
            .collect();
        }
        let Some(code) = t.target_indicator.clone() else {
            continue;
        };
        if crate::model::money::is_derived(&code) {
            continue;
        }
        let (from, to) = (
            crate::model::Period::Year(today.year() - 1).to_string(),
            crate::model::Period::Year(today.year()).to_string(),
        );
        let figures = crate::store::figures::read(
            &ctx.db,
            &code,
            &from,
            &to,
            crate::store::figures::Pick::All,
            None,
        )
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
        t.targets_by_year = figures
            .into_iter()
            .filter(|f| f.area == t.area)
            .filter_map(|f| match f.period {
                crate::model::Period::Year(year) => Some(crate::model::tile::YearTarget {
                    year,
                    value: f.value,
                }),
                _ => None,
            })
            .collect();
    }
    let map_layers = map_layers(&ctx, &MAP_LAYERS, today, locale).await?;
    let communes: HashSet<&str> = ctx.map.shapes.iter().map(|s| s.area.as_str()).collect();
    let layer_codes: HashSet<&str> = map_layers
        .iter()
        .flat_map(|l| {
            std::iter::once(l.indicator.as_str())
                .chain(l.share_of.as_ref().map(|s| s.indicator.as_str()))
        })
        .collect();
    let wanted: HashSet<(String, String)> = tiles
        .iter()
        .chain(agency.iter().flat_map(|(_, own)| own))
        .flat_map(|t| {
            std::iter::once((t.indicator.clone(), t.area.clone()))
                .chain(t.target_indicator.clone().map(|i| (i, t.area.clone())))
        })
        .collect();
    let (epoch, offset, values) = ctx.live.read(
        &|v| {
            (v.project.is_some()
                && crate::model::money::INVESTMENT_INDICATORS.contains(&v.indicator.as_str()))
                || (layer_codes.contains(v.indicator.as_str())
                    && (communes.contains(v.area.as_str()) || v.area == province))
                || wanted.contains(&(v.indicator.clone(), v.area.clone()))
        },
        &principal.visibility(),
    );
    let overdue_tasks = match crate::model::task::scope(&principal, catalogue) {
        Some(agencies) => {
            let tasks = crate::store::tasks::list(&ctx.db, agencies.as_deref())
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            Some(
                tasks
                    .iter()
                    .filter(|t| t.status(today) == crate::model::task::Status::Overdue)
                    .count(),
            )
        }
        None => None,
    };
    let explanations = crate::api::explanations_seen(&ctx, &principal.visibility(), today).await?;
    let own_quality = match &agency {
        Some(_) => officer_quality(&ctx, &principal, today, locale).await?,
        None => None,
    };
    // those who act on alerts see the ones escalated to the leaders, unacknowledged
    let escalated_alerts = if crate::model::alert::may_act(&principal) {
        let mut conn = ctx
            .db
            .acquire()
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?;
        let open = crate::store::alerts::unresolved(&mut conn)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?;
        Some(
            open.iter()
                .filter(|a| a.escalated_at.is_some() && a.acknowledged.is_none())
                .count(),
        )
    } else {
        None
    };
    Ok(Overview {
        overdue_tasks,
        viewer: crate::model::account::Viewer::of(&principal, locale),
        province_code: province.clone(),
        province_name: catalogue
            .area(&province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        tiles,
        agency,
        map: (*ctx.map).clone(),
        map_layers,
        epoch,
        offset,
        values,
        server_time: time::OffsetDateTime::now_utc(),
        calendar: catalogue.calendar.clone(),
        explanations,
        own_quality,
        escalated_alerts,
    })
}

/// An agency officer's line on their agency's data quality this month: its score, its rank
/// among the agencies and its four parts (see [`crate::model::quality`]).
async fn officer_quality(
    ctx: &crate::api::ServerContext,
    principal: &crate::model::account::Principal,
    today: time::Date,
    locale: Locale,
) -> Result<Option<String>, ServerFnError> {
    use crate::model::format;
    let crate::model::account::Principal::User {
        agency: Some(own), ..
    } = principal
    else {
        return Ok(None);
    };
    let month = crate::model::Period::containing(crate::model::PeriodKind::Month, today);
    let figures = crate::api::quality::current_figures(ctx.live.as_ref());
    let rows = crate::api::quality::month(
        &ctx.db,
        &ctx.catalogue,
        &figures,
        month,
        None,
        time::OffsetDateTime::now_utc(),
        locale,
    )
    .await
    .map_err(|e| ServerFnError::new(e.to_string()))?;
    let ranked = rows.iter().filter(|r| r.rank.is_some()).count();
    let Some(row) = rows.iter().find(|r| &r.quality.agency == own) else {
        return Ok(None);
    };
    let l = locale;
    let q = &row.quality;
    let part = |v: Option<rust_decimal::Decimal>| {
        v.map_or_else(
            || "—".to_string(),
            |v| format!("{}%", format::number(v, 1, l)),
        )
    };
    let when = format!("{:02}/{}", u8::from(today.month()), today.year());
    Ok(Some(match (q.score, row.rank) {
        (Some(score), Some(rank)) => l.pick(
            format!(
                "Chất lượng số liệu tháng {when}: {} điểm, hạng {rank}/{ranked} (đủ {} · kịp {} · hợp lệ {} · ổn định {})",
                format::number(score, 1, l),
                part(q.completeness),
                part(q.timeliness),
                part(q.validity),
                part(q.consistency),
            ),
            format!(
                "Data quality, {when}: {} points, ranked {rank} of {ranked} (complete {} · timely {} · valid {} · stable {})",
                format::number(score, 1, l),
                part(q.completeness),
                part(q.timeliness),
                part(q.validity),
                part(q.consistency),
            ),
        ),
        (Some(score), None) => l.pick(
            format!(
                "Chất lượng số liệu tháng {when}: {} điểm, chưa xếp hạng — chưa có số liệu đến hạn (hợp lệ {} · ổn định {})",
                format::number(score, 1, l),
                part(q.validity),
                part(q.consistency),
            ),
            format!(
                "Data quality, {when}: {} points, not ranked — nothing due yet (valid {} · stable {})",
                format::number(score, 1, l),
                part(q.validity),
                part(q.consistency),
            ),
        ),
        (None, _) => l.pick(
            format!("Chất lượng số liệu tháng {when}: chưa có gì để đo"),
            format!("Data quality, {when}: nothing to measure yet"),
        ),
    }))
}
