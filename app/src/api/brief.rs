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

/// The current figures as one reading: the overview's data, the figures by (indicator,
/// area) with the sums of projects, and the explanations in date. What the brief and the
/// wall's scenes are made of.
pub struct Reading {
    pub overview: crate::model::Overview,
    pub read_at: OffsetDateTime,
    current: HashMap<(String, String), LiveValue>,
    notes: Vec<crate::model::explanation::ExplanationNote>,
    locale: Locale,
}

impl Reading {
    pub async fn now(locale: Locale) -> Result<Reading, ServerFnError> {
        let overview = crate::api::overview::load_overview(locale).await?;
        let read_at = OffsetDateTime::now_utc();
        let today = crate::model::format::vietnam_date(read_at);
        let plan_year = crate::model::money::plan_year_shown(today);
        let derived = crate::model::money::derived_values(
            overview.values.iter().filter(|v| v.project.is_some()),
            plan_year,
            &overview.province_code,
        );
        let current = overview
            .values
            .iter()
            .filter(|v| v.project.is_none())
            .chain(&derived)
            .map(|v| ((v.indicator.clone(), v.area.clone()), v.clone()))
            .collect();
        let notes = serde_json::from_str(&overview.explanations).unwrap_or_default();
        Ok(Reading {
            overview,
            read_at,
            current,
            notes,
            locale,
        })
    }

    pub fn value(&self, indicator: &str, area: &str) -> Option<&LiveValue> {
        self.current.get(&(indicator.to_string(), area.to_string()))
    }

    /// Every tile the viewer sees: the overview's, then their agency's.
    pub fn specs(&self) -> impl Iterator<Item = &TileSpec> {
        self.overview
            .tiles
            .iter()
            .chain(self.overview.agency.iter().flat_map(|(_, own)| own))
    }

    /// A tile's figure as it reads now (none without a figure).
    pub fn figure(&self, spec: &TileSpec) -> Option<BriefFigure> {
        let locale = self.locale;
        let value = self.value(&spec.indicator, &spec.area)?;
        let live_target = spec
            .target_indicator
            .as_deref()
            .and_then(|t| self.value(t, &spec.area));
        let target = spec.target_for(value, live_target);
        let explanation = self
            .notes
            .iter()
            .filter(|e| e.indicator == spec.indicator && e.area == spec.area)
            .filter(|e| e.stands(Some(value.as_of), self.read_at))
            .max_by_key(|e| e.written_ms)
            .map(|e| e.text(locale).to_string());
        Some(BriefFigure {
            indicator: spec.indicator.clone(),
            title: spec.title.clone(),
            view: spec.view(
                value,
                target,
                self.read_at,
                &self.overview.calendar,
                true,
                locale,
            ),
            source: spec.agency_short.clone(),
            explanation,
        })
    }

    /// The communes on a map layer with their values and bands, worst first.
    pub fn ranked(&self, layer: &crate::model::map::MapLayer) -> Vec<RankedCommune> {
        let mut all: Vec<RankedCommune> = self
            .overview
            .map
            .shapes
            .iter()
            .filter_map(|shape| {
                let value = self.value(&layer.indicator, &shape.area)?;
                let value = match &layer.share_of {
                    None => value.clone(),
                    Some(share) => {
                        share.apply(value.clone(), self.value(&share.indicator, &shape.area))?
                    }
                };
                Some(RankedCommune {
                    area: shape.area.clone(),
                    name: shape.name.clone(),
                    band: layer.band(Some(value.value)),
                    text: crate::model::format::quantity(value.value, layer.unit, self.locale)
                        .to_string(),
                    value: value.value,
                    as_of: value.as_of,
                })
            })
            .collect();
        all.sort_by(|a, b| match layer.direction {
            crate::model::Direction::LowerIsBetter => b.value.cmp(&a.value),
            _ => a.value.cmp(&b.value),
        });
        all
    }
}

/// A commune's figure on a map layer.
#[derive(Debug, Clone)]
pub struct RankedCommune {
    pub area: String,
    pub name: String,
    pub band: Band,
    pub value: Decimal,
    pub text: String,
    pub as_of: OffsetDateTime,
}

/// The overdue tasks `principal` may see, how many and the first few (none: not theirs to
/// see).
pub async fn overdue_tasks(
    principal: &crate::model::account::Principal,
    locale: Locale,
    listed: usize,
) -> Result<Option<(usize, Vec<crate::model::task::Task>)>, ServerFnError> {
    let ctx = expect_context::<crate::api::ServerContext>();
    let today = crate::model::format::vietnam_date(OffsetDateTime::now_utc());
    let Some(agencies) = crate::model::task::scope(principal, &ctx.catalogue) else {
        return Ok(None);
    };
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
    Ok(Some((
        overdue.len(),
        overdue.into_iter().take(listed).collect(),
    )))
}

/// The alerts not resolved that `principal` may see, escalated and critical first: how
/// many and the first few (none: not theirs to see).
pub async fn open_alerts(
    principal: &crate::model::account::Principal,
    locale: Locale,
    listed: usize,
) -> Result<Option<(usize, Vec<AlertView>)>, ServerFnError> {
    let ctx = expect_context::<crate::api::ServerContext>();
    let agency = match principal.visibility() {
        crate::model::account::Visibility::Nothing => return Ok(None),
        crate::model::account::Visibility::Agency(code) => Some(code),
        crate::model::account::Visibility::All => None,
    };
    let mut conn = ctx.db.acquire().await.map_err(failed)?;
    let mut open: Vec<crate::model::alert::Alert> = crate::store::alerts::unresolved(&mut conn)
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
    Ok(Some((
        open.len(),
        open.into_iter()
            .take(listed)
            .map(|a| AlertView::of(&ctx.catalogue, &ctx.alert_rules, a, locale))
            .collect(),
    )))
}

fn failed(e: sqlx::Error) -> ServerFnError {
    ServerFnError::new(e.to_string())
}

pub async fn load(locale: Locale) -> Result<Brief, ServerFnError> {
    let principal = crate::api::current_principal()
        .ok_or_else(|| ServerFnError::new("sign in to see the brief"))?;
    let reading = Reading::now(locale).await?;
    let figures: Vec<BriefFigure> = reading
        .specs()
        .filter_map(|spec| reading.figure(spec))
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
    let red_communes = reading
        .overview
        .map_layers
        .iter()
        .filter_map(|layer| {
            let ranked = reading.ranked(layer);
            let worst: Vec<&RankedCommune> =
                ranked.iter().filter(|c| c.band == Band::Critical).collect();
            if worst.is_empty() {
                return None;
            }
            Some(RedCommunes {
                title: layer.title.clone(),
                count: worst.len(),
                of: reading.overview.map.shapes.len(),
                worst: worst
                    .into_iter()
                    .take(LISTED)
                    .map(|c| (c.name.clone(), c.text.clone()))
                    .collect(),
            })
        })
        .collect();
    let overdue_tasks = overdue_tasks(&principal, locale, LISTED).await?;
    let alerts = open_alerts(&principal, locale, LISTED).await?;
    let read_at = reading.read_at;
    let overview = reading.overview;
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
