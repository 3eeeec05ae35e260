//! The leader's brief (`/brief`): what is red, what changed since the previous report, the
//! money headline, overdue tasks and open alerts, read once on the server as one dated
//! snapshot for a phone. It is the overview's data seen another way: the same tiles, the
//! same bands and freshness rules, the same scoping.

use leptos::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::api::console::AlertView;
use crate::model::map::Band;
use crate::model::tile::{Freshness, TileSpec, TileView};
use crate::model::{LiveValue, Locale};

/// One figure as the brief shows it.
#[derive(Debug, Clone)]
pub struct BriefFigure {
    pub indicator: String,
    pub title: String,
    pub view: TileView,
    /// The source agency (short name).
    pub source: String,
    /// The owning agency's explanation, while it stands.
    pub explanation: Option<String>,
}

/// The communes beyond a map layer's critical level.
#[derive(Debug, Clone)]
pub struct RedCommunes {
    pub title: String,
    pub count: usize,
    pub of: usize,
    /// The worst few: (name, value).
    pub worst: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Brief {
    pub province_name: String,
    pub viewer: crate::model::account::Viewer,
    /// When the snapshot was read.
    pub read_at: OffsetDateTime,
    /// Province figures beyond their critical level.
    pub red: Vec<BriefFigure>,
    /// By map layer, the communes beyond its critical level.
    pub red_communes: Vec<RedCommunes>,
    /// Figures with a change against the period before, the largest bad news first.
    pub changed: Vec<BriefFigure>,
    /// Revenue, spending and disbursement.
    pub money: Vec<BriefFigure>,
    /// Figures older than their freshness contract.
    pub late: Vec<BriefFigure>,
    /// The overdue tasks the viewer may see (none: not theirs to see), the first few listed.
    pub overdue_tasks: Option<(usize, Vec<crate::model::task::Task>)>,
    /// The alerts not resolved (none: not theirs to see), escalated and critical first.
    pub alerts: Option<(usize, Vec<AlertView>)>,
}

/// How many tasks and alerts, and worst communes per layer, the brief lists.
const LISTED: usize = 5;

/// The indicators of the money headline.
const MONEY: [&str; 3] = [
    "budget.revenue.ytd",
    "budget.spending.ytd",
    crate::model::money::DERIVED_DISBURSED,
];

pub async fn load(locale: Locale) -> Result<Brief, ServerFnError> {
    let ctx = expect_context::<crate::api::ServerContext>();
    let principal = crate::api::current_principal()
        .ok_or_else(|| ServerFnError::new("sign in to see the brief"))?;
    let overview = crate::api::overview::load_overview(locale).await?;
    let read_at = OffsetDateTime::now_utc();
    let today = crate::model::format::vietnam_date(read_at);
    let province = overview.province_code.clone();

    // the current figures by (indicator, area), the sums of projects included
    let plan_year = crate::model::money::plan_year_shown(today);
    let derived = crate::model::money::derived_values(
        overview.values.iter().filter(|v| v.project.is_some()),
        plan_year,
        &province,
    );
    let current: HashMap<(&str, &str), &LiveValue> = overview
        .values
        .iter()
        .filter(|v| v.project.is_none())
        .chain(&derived)
        .map(|v| ((v.indicator.as_str(), v.area.as_str()), v))
        .collect();
    let calendar = &overview.calendar;
    let notes: Vec<crate::model::explanation::ExplanationNote> =
        serde_json::from_str(&overview.explanations).unwrap_or_default();
    let figure = |spec: &TileSpec| -> Option<BriefFigure> {
        let value = current.get(&(spec.indicator.as_str(), spec.area.as_str()))?;
        let live_target = spec
            .target_indicator
            .as_deref()
            .and_then(|t| current.get(&(t, spec.area.as_str())).copied());
        let target = spec.target_for(value, live_target);
        let explanation = notes
            .iter()
            .filter(|e| e.indicator == spec.indicator && e.area == spec.area)
            .filter(|e| e.stands(Some(value.as_of), read_at))
            .max_by_key(|e| e.written_ms)
            .map(|e| e.text(locale).to_string());
        Some(BriefFigure {
            indicator: spec.indicator.clone(),
            title: spec.title.clone(),
            view: spec.view(value, target, read_at, calendar, true, locale),
            source: spec.agency_short.clone(),
            explanation,
        })
    };
    let figures: Vec<BriefFigure> = overview
        .tiles
        .iter()
        .chain(overview.agency.iter().flat_map(|(_, own)| own))
        .filter_map(figure)
        .collect();
    let red = figures
        .iter()
        .filter(|f| f.view.band == Band::Critical)
        .cloned()
        .collect();
    let late = figures
        .iter()
        .filter(|f| f.view.freshness == Freshness::Late)
        .cloned()
        .collect();
    let money = MONEY
        .iter()
        .filter_map(|code| figures.iter().find(|f| f.indicator == *code))
        .cloned()
        .collect();
    // bad news first, then the rest of what moved
    let mut changed: Vec<BriefFigure> = figures
        .iter()
        .filter(|f| f.view.trend.is_some())
        .cloned()
        .collect();
    changed.sort_by_key(|f| match f.view.trend.as_ref().and_then(|t| t.good) {
        Some(false) => 0,
        None => 1,
        Some(true) => 2,
    });

    let names: HashMap<&str, &str> = overview
        .map
        .shapes
        .iter()
        .map(|s| (s.area.as_str(), s.name.as_str()))
        .collect();
    let red_communes = overview
        .map_layers
        .iter()
        .filter_map(|layer| {
            let mut worst: Vec<(&str, Decimal)> = names
                .keys()
                .filter_map(|area| {
                    let value = current.get(&(layer.indicator.as_str(), *area))?;
                    let value = match &layer.share_of {
                        None => (*value).clone(),
                        Some(share) => share.apply(
                            (*value).clone(),
                            current.get(&(share.indicator.as_str(), *area)).copied(),
                        )?,
                    };
                    (layer.band(Some(value.value)) == Band::Critical)
                        .then_some((*area, value.value))
                })
                .collect();
            if worst.is_empty() {
                return None;
            }
            worst.sort_by(|a, b| match layer.direction {
                crate::model::Direction::LowerIsBetter => b.1.cmp(&a.1),
                _ => a.1.cmp(&b.1),
            });
            Some(RedCommunes {
                title: layer.title.clone(),
                count: worst.len(),
                of: names.len(),
                worst: worst
                    .into_iter()
                    .take(LISTED)
                    .map(|(area, v)| {
                        (
                            names[area].to_string(),
                            crate::model::format::quantity(v, layer.unit, locale).to_string(),
                        )
                    })
                    .collect(),
            })
        })
        .collect();

    let failed = |e: sqlx::Error| ServerFnError::new(e.to_string());
    let overdue_tasks = match crate::model::task::scope(&principal, &ctx.catalogue) {
        Some(agencies) => {
            let tasks = crate::store::tasks::list(&ctx.db, agencies.as_deref())
                .await
                .map_err(failed)?;
            let overdue: Vec<crate::model::task::Task> = tasks
                .into_iter()
                .filter(|t| t.status(today) == crate::model::task::Status::Overdue)
                .map(|mut t| {
                    // the lead agency by its short name
                    if let Some(a) = ctx.catalogue.agency(&t.lead) {
                        t.lead = a.short(locale).to_string();
                    }
                    t
                })
                .collect();
            Some((overdue.len(), overdue.into_iter().take(LISTED).collect()))
        }
        None => None,
    };
    let alerts = match principal.visibility() {
        crate::model::account::Visibility::Nothing => None,
        visibility => {
            let agency = match visibility {
                crate::model::account::Visibility::Agency(code) => Some(code),
                _ => None,
            };
            let mut conn = ctx.db.acquire().await.map_err(failed)?;
            let mut open: Vec<crate::model::alert::Alert> =
                crate::store::alerts::unresolved(&mut conn)
                    .await
                    .map_err(failed)?
                    .into_iter()
                    .filter(|a| agency.as_deref().is_none_or(|own| a.agency == own))
                    .collect();
            open.sort_by_key(|a| {
                (
                    a.escalated_at.is_none(),
                    a.acknowledged.is_some(),
                    a.severity != crate::model::alert::Severity::Critical,
                    a.raised_at,
                )
            });
            Some((
                open.len(),
                open.into_iter()
                    .take(LISTED)
                    .map(|a| AlertView::of(&ctx.catalogue, &ctx.alert_rules, a, locale))
                    .collect(),
            ))
        }
    };
    Ok(Brief {
        province_name: overview.province_name,
        viewer: overview.viewer,
        read_at,
        red,
        red_communes,
        changed,
        money,
        late,
        overdue_tasks,
        alerts,
    })
}
