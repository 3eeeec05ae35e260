//! The overview screen's data: which tiles it shows and their current values.

use crate::model::{Locale, Overview};
use leptos::prelude::*;

/// A tile of the overview: an indicator, how its big number reads, and what its target is
/// called on the tile.
#[cfg(feature = "ssr")]
struct OverviewTile {
    indicator: &'static str,
    headline: crate::model::tile::Headline,
    target_vi: &'static str,
    target_en: &'static str,
}

#[cfg(feature = "ssr")]
const OVERVIEW_TILES: [OverviewTile; 4] = {
    use crate::model::tile::Headline;
    [
        OverviewTile {
            indicator: "budget.revenue.ytd",
            headline: Headline::Value,
            target_vi: "dự toán",
            target_en: "of estimate",
        },
        OverviewTile {
            indicator: "invest.disbursed.ytd",
            headline: Headline::ShareOfTarget,
            target_vi: "kế hoạch",
            target_en: "of plan",
        },
        OverviewTile {
            indicator: "services.online.rate",
            headline: Headline::Value,
            target_vi: "mục tiêu",
            target_en: "of target",
        },
        OverviewTile {
            indicator: "services.ontime.rate",
            headline: Headline::Value,
            target_vi: "mục tiêu",
            target_en: "of target",
        },
    ]
};

#[server(prefix = "/rpc", endpoint = "overview")]
pub async fn get_overview(locale: Locale) -> Result<Overview, ServerFnError> {
    use crate::model::{tile::TileSpec, Target};
    use std::collections::HashSet;

    let ctx = expect_context::<crate::api::ServerContext>();
    let catalogue = &ctx.catalogue;
    let province = catalogue.province.clone();
    let mut tiles = Vec::new();
    for t in &OVERVIEW_TILES {
        let Some(ind) = catalogue.indicator(t.indicator) else {
            tracing::warn!(
                indicator = t.indicator,
                "overview tile names an indicator missing from the catalogue"
            );
            continue;
        };
        let agency = catalogue.agency(&ind.agency);
        let (target_indicator, target_value) = match &ind.target {
            Some(Target::Indicator(code)) => (Some(code.clone()), None),
            Some(Target::Value(v)) => (None, Some(*v)),
            None => (None, None),
        };
        tiles.push(TileSpec {
            indicator: ind.code.clone(),
            area: province.clone(),
            title: ind.name(locale).to_string(),
            unit: ind.unit,
            cadence: ind.cadence,
            direction: ind.direction,
            headline: t.headline,
            agency_short: agency
                .map(|a| a.short(locale).to_string())
                .unwrap_or_else(|| ind.agency.clone()),
            agency_name: agency
                .map(|a| a.name(locale).to_string())
                .unwrap_or_default(),
            target_indicator,
            target_value,
            target_label: locale.pick(t.target_vi, t.target_en).to_string(),
            max_age_secs: ind.max_age().whole_seconds(),
        });
    }
    let wanted: HashSet<(String, String)> = tiles
        .iter()
        .flat_map(|t| {
            std::iter::once((t.indicator.clone(), t.area.clone()))
                .chain(t.target_indicator.clone().map(|i| (i, t.area.clone())))
        })
        .collect();
    let (epoch, offset, values) = ctx
        .live
        .read(&|v| wanted.contains(&(v.indicator.clone(), v.area.clone())));
    Ok(Overview {
        province_name: catalogue
            .area(&province)
            .map(|a| a.name_vi.clone())
            .unwrap_or_default(),
        tiles,
        epoch,
        offset,
        values,
        server_time: time::OffsetDateTime::now_utc(),
    })
}
