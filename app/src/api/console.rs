//! The operator's console: the alerts to see, own and close (open first, then
//! acknowledged, then the last day's resolved), the agencies whose figures are late, read
//! for the viewer as the alert API reads them (an agency officer: their agency's).

use leptos::prelude::*;
use serde::Serialize;
use time::OffsetDateTime;

use crate::model::account::{Principal, Viewer, Visibility};
use crate::model::alert::{self, Alert, AlertRule, RuleKind, Status};
use crate::model::{Catalogue, Locale};

/// An alert with the names a person reads it by (the console and the alert API).
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    #[serde(flatten)]
    pub alert: Alert,
    pub rule_name: String,
    pub indicator_name: String,
    pub area_name: String,
    pub agency_name: String,
}

impl AlertView {
    pub fn of(
        catalogue: &Catalogue,
        rules: &[AlertRule],
        alert: Alert,
        locale: Locale,
    ) -> AlertView {
        let rule_name = rules
            .iter()
            .find(|r| r.code == alert.rule)
            .map_or_else(|| alert.rule.clone(), |r| r.name(locale).to_string());
        let indicator_name = catalogue
            .indicator(&alert.indicator)
            .map(|i| i.name(locale).to_string())
            .or_else(|| {
                let today = crate::model::format::vietnam_date(OffsetDateTime::now_utc());
                crate::model::money::derived_indicator(catalogue, &alert.indicator, today)
                    .map(|i| i.name(locale).to_string())
            })
            .unwrap_or_else(|| alert.indicator.clone());
        let area_name = catalogue
            .area(&alert.area)
            .map_or_else(|| alert.area.clone(), |a| a.name_vi.clone());
        let agency_name = catalogue
            .agency(&alert.agency)
            .map_or_else(|| alert.agency.clone(), |a| a.name(locale).to_string());
        AlertView {
            alert,
            rule_name,
            indicator_name,
            area_name,
            agency_name,
        }
    }
}

/// An agency with figures late or missing now.
#[derive(Debug, Clone)]
pub struct LateAgency {
    pub code: String,
    pub name: String,
    /// Its late or missing figures: indicator and area names.
    pub figures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ConsoleData {
    pub viewer: Viewer,
    /// Whether the viewer acknowledges and resolves (operators, leaders, administrators).
    pub may_act: bool,
    /// Open (escalated first), then acknowledged; oldest first within each.
    pub active: Vec<AlertView>,
    /// Resolved in the last 24 hours, newest first.
    pub resolved: Vec<AlertView>,
    pub late: Vec<LateAgency>,
    /// The shift log of the last 24 hours, newest first (for those who act on alerts).
    pub log: Vec<crate::store::shift_log::Entry>,
    /// The latest handover (for those who act on alerts), to confirm if not confirmed.
    pub handover: Option<crate::store::shift_log::Entry>,
    /// This month's data quality by agency (an officer's: their agency's), ranked.
    pub quality: Vec<crate::api::quality::QualityRow>,
    /// The explanations that stand, with their value's names (indicator, area).
    pub explanations: Vec<(crate::model::explanation::Explanation, String, String)>,
    /// The requests for explanations not answered yet, with their value's names.
    pub requests: Vec<(
        crate::model::explanation::ExplanationRequest,
        String,
        String,
    )>,
    /// For an agency officer: the indicators they may explain (code, name) and the areas
    /// (code, name).
    pub explainable: Option<(Vec<(String, String)>, Vec<(String, String)>)>,
    /// The signed-in person's account (none for a wall screen).
    pub viewer_id: Option<i64>,
    pub read_at: OffsetDateTime,
    /// What the viewer may push onto the walls (those who act on alerts).
    pub walls: Option<crate::api::wall::ConsoleWalls>,
}

/// The most alerts the console reads at once.
const READ_LIMIT: i64 = 500;

pub async fn load(locale: Locale) -> Result<ConsoleData, ServerFnError> {
    let principal = crate::api::current_principal().ok_or_else(|| ServerFnError::new("sign in"))?;
    let agency = match principal.visibility() {
        Visibility::All => None,
        Visibility::Agency(code) => Some(code),
        Visibility::Nothing => return Err(ServerFnError::new("no alerts")),
    };
    let ctx = expect_context::<crate::api::ServerContext>();
    let read_at = OffsetDateTime::now_utc();
    let mut conn = ctx
        .db
        .acquire()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let mut lists = Vec::new();
    for status in [Status::Open, Status::Acknowledged, Status::Resolved] {
        lists.push(
            crate::store::alerts::list(&mut conn, Some(status), agency.as_deref(), READ_LIMIT)
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?,
        );
    }
    let (resolved, mut acknowledged, mut active) = (
        lists.pop().unwrap_or_default(),
        lists.pop().unwrap_or_default(),
        lists.pop().unwrap_or_default(),
    );
    let may_act = alert::may_act(&principal);
    let (log, handover) = if may_act {
        let fail = |e: sqlx::Error| ServerFnError::new(e.to_string());
        (
            crate::store::shift_log::since(&mut conn, read_at - time::Duration::hours(24), 200)
                .await
                .map_err(fail)?,
            crate::store::shift_log::last_handover(&mut conn)
                .await
                .map_err(fail)?,
        )
    } else {
        (Vec::new(), None)
    };
    let figures = crate::api::quality::current_figures(ctx.live.as_ref());
    let month = crate::model::Period::containing(
        crate::model::PeriodKind::Month,
        crate::model::format::vietnam_date(read_at),
    );
    let names = |indicator: &str, area: &str| {
        (
            ctx.catalogue
                .indicator(indicator)
                .map_or_else(|| indicator.to_string(), |i| i.name(locale).to_string()),
            ctx.catalogue
                .area(area)
                .map_or_else(|| area.to_string(), |a| a.name_vi.clone()),
        )
    };
    let fail = |e: sqlx::Error| ServerFnError::new(e.to_string());
    let explanations = crate::store::explanations::in_date(
        &mut conn,
        crate::model::format::vietnam_date(read_at),
        agency.as_deref(),
    )
    .await
    .map_err(fail)?
    .into_iter()
    .filter(|e| {
        e.stands(
            ctx.live
                .as_of(&e.indicator, &e.area, &ctx.catalogue.province),
            read_at,
        )
    })
    .map(|e| {
        let (i, a) = names(&e.indicator, &e.area);
        (e, i, a)
    })
    .collect();
    let requests = crate::store::explanations::open_requests(&mut conn, agency.as_deref())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|r| {
            let (i, a) = names(&r.indicator, &r.area);
            (r, i, a)
        })
        .collect();
    let explainable = match &principal {
        Principal::User {
            role: crate::model::account::Role::AgencyOfficer,
            agency: Some(own),
            ..
        } => Some((
            ctx.catalogue
                .indicators
                .iter()
                .filter(|i| i.agency == *own)
                .map(|i| (i.code.clone(), i.name(locale).to_string()))
                .collect(),
            ctx.catalogue
                .areas
                .iter()
                .filter(|a| {
                    a.code == ctx.catalogue.province
                        || (a.is_commune_level()
                            && a.valid_on(crate::model::format::vietnam_date(read_at)))
                })
                .map(|a| (a.code.clone(), a.name_vi.clone()))
                .collect(),
        )),
        _ => None,
    };
    drop(conn);
    let quality = crate::api::quality::month(
        &ctx.db,
        &ctx.catalogue,
        &figures,
        month,
        agency.as_deref(),
        read_at,
        locale,
    )
    .await
    .map_err(|e| ServerFnError::new(e.to_string()))?;
    // escalated first, then the worst, then the oldest
    active.sort_by_key(|a| {
        (
            a.escalated_at.is_none(),
            std::cmp::Reverse(a.severity),
            a.id,
        )
    });
    acknowledged.sort_by_key(|a| (std::cmp::Reverse(a.severity), a.id));
    let day_ago = read_at - time::Duration::hours(24);
    let mut late: Vec<LateAgency> = Vec::new();
    for a in active.iter().chain(&acknowledged) {
        if matches!(a.kind, RuleKind::Late | RuleKind::Missing) {
            let name = AlertView::of(&ctx.catalogue, &ctx.alert_rules, a.clone(), locale);
            let figure = format!("{} · {}", name.indicator_name, name.area_name);
            match late.iter_mut().find(|l| l.code == a.agency) {
                Some(l) => l.figures.push(figure),
                None => late.push(LateAgency {
                    code: a.agency.clone(),
                    name: name.agency_name,
                    figures: vec![figure],
                }),
            }
        }
    }
    late.sort_by_key(|l| std::cmp::Reverse(l.figures.len()));
    let view = |a: Alert| AlertView::of(&ctx.catalogue, &ctx.alert_rules, a, locale);
    let walls = crate::api::wall::load_console(&principal, locale).await?;
    Ok(ConsoleData {
        walls,
        viewer: Viewer::of(&principal, locale),
        may_act,
        quality,
        explanations,
        requests,
        explainable,
        log,
        handover,
        viewer_id: match &principal {
            Principal::User { id, .. } => Some(*id),
            _ => None,
        },
        active: active.into_iter().chain(acknowledged).map(view).collect(),
        resolved: resolved
            .into_iter()
            .filter(|a| a.resolved.as_ref().is_some_and(|r| r.at >= day_ago))
            .map(view)
            .collect(),
        late,
        read_at,
    })
}

/// Whether `principal` may open the console.
pub fn may_open(principal: &Principal) -> bool {
    principal.visibility() != Visibility::Nothing
}
