//! The alert engine: the leader's background work that evaluates the province's rules over
//! the hub's current values and stores what changes — raised, updated, escalated, cleared.
//!
//! It evaluates everything again after each publish (a value posted through the API raises
//! its alert within moments) and on a timer (late and missing figures become so with the
//! clock, and unacknowledged alerts escalate with it). Only the leader runs it (one
//! instance on PostgreSQL), and each transition is a conditional update, so an engine that
//! lost the leadership mid-pass and its successor cannot both raise or resolve one alert.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use app::model::alert::{
    self, Alert, AlertRule, Finding, Reason, RuleKind, Severity, Status, Step,
};
use app::model::{Catalogue, Indicator, LiveValue};
use app::store::alerts::{self as store, Figure, NewAlert};
use app::store::Db;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::hub::Hub;

/// How often everything is evaluated when nothing is published.
pub const TICK: Duration = Duration::from_secs(15);
/// How long after a publish the engine waits for more before evaluating (a burst of
/// batches is one pass).
const SETTLE: Duration = Duration::from_millis(150);

pub struct Engine {
    pub db: Db,
    pub catalogue: Arc<Catalogue>,
    pub rules: Arc<[AlertRule]>,
    pub hub: Arc<Hub>,
}

/// One (rule, indicator, area) and what its rule finds now.
struct Evaluated<'a> {
    rule: &'a AlertRule,
    indicator: &'a Indicator,
    area: String,
    value: Option<&'a LiveValue>,
    finding: Finding,
}

impl Engine {
    /// Runs passes until `stop` (the leadership ended or the server stops).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = self.hub.next_publish() => tokio::time::sleep(SETTLE).await,
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            match self.pass(OffsetDateTime::now_utc()).await {
                Ok(changed) if !changed.is_empty() => {
                    tracing::debug!(alerts = changed.len(), "alerts changed");
                    self.hub.alerts_changed(&changed);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot evaluate the alert rules; trying again")
                }
            }
        }
    }

    /// Evaluates every rule at `now` and stores the transitions; the alerts that changed.
    pub async fn pass(&self, now: OffsetDateTime) -> sqlx::Result<Vec<Alert>> {
        let (_, values) = self.hub.current_values();
        let today = app::model::format::vietnam_date(now);
        let province = self.catalogue.province.as_str();
        // the sums of projects (the disbursement rate, judged by the expected curve)
        let plan_year = app::model::money::plan_year_shown(today);
        let derived = app::model::money::derived_values(
            values
                .iter()
                .map(|v| v.as_ref())
                .filter(|v| v.project.is_some()),
            plan_year,
            province,
        );
        let derived_indicators: HashMap<&str, Indicator> = derived
            .iter()
            .filter_map(|v| {
                app::model::money::derived_indicator(&self.catalogue, &v.indicator, today)
                    .map(|i| (v.indicator.as_str(), i))
            })
            .collect();
        let indicator = |code: &str| -> Option<&Indicator> {
            self.catalogue
                .indicator(code)
                .or_else(|| derived_indicators.get(code))
        };
        // figures per indicator and area (per-project and per-desk figures are summed, not
        // alerted on one by one)
        let mut current: HashMap<(&str, &str), &LiveValue> = HashMap::new();
        for v in values
            .iter()
            .map(|v| v.as_ref())
            .filter(|v| v.project.is_none())
            .chain(&derived)
        {
            current.insert((v.indicator.as_str(), v.area.as_str()), v);
        }

        let mut evaluated = Vec::new();
        for rule in self.rules.iter() {
            let mut seen: HashSet<(&str, &str)> = HashSet::new();
            for (&(code, area), &value) in &current {
                let Some(ind) = indicator(code) else { continue };
                // a sum of projects is as fresh as its oldest project: whether figures are
                // late or missing is judged on what agencies report, not on sums
                let derived = app::model::money::is_derived(code);
                if derived && matches!(rule.kind, RuleKind::Late | RuleKind::Missing) {
                    continue;
                }
                if rule.watches(ind) && rule.areas.includes(area, province) {
                    seen.insert((code, area));
                    evaluated.push(Evaluated {
                        rule,
                        indicator: ind,
                        area: area.to_string(),
                        value: Some(value),
                        finding: alert::evaluate(
                            rule,
                            ind,
                            area,
                            province,
                            Some(value),
                            now,
                            &self.catalogue.calendar,
                        ),
                    });
                }
            }
            // a daily province figure never reported is missing too
            if rule.kind == RuleKind::Missing {
                for code in &rule.indicators {
                    let Some(ind) = indicator(code) else { continue };
                    if ind.level == app::model::Level::Province
                        && rule.areas.includes(province, province)
                        && !seen.contains(&(code.as_str(), province))
                    {
                        evaluated.push(Evaluated {
                            rule,
                            indicator: ind,
                            area: province.to_string(),
                            value: None,
                            finding: alert::evaluate(
                                rule,
                                ind,
                                province,
                                province,
                                None,
                                now,
                                &self.catalogue.calendar,
                            ),
                        });
                    }
                }
            }
        }

        let mut conn = self.db.acquire().await?;
        let unresolved = store::unresolved(&mut conn).await?;
        let longest_quiet = self
            .rules
            .iter()
            .map(|r| r.quiet_minutes)
            .max()
            .unwrap_or(0);
        let recent = store::resolved_after(
            &mut conn,
            now - time::Duration::minutes(i64::from(longest_quiet)),
        )
        .await?;
        drop(conn);
        let open: HashMap<(&str, &str, &str), &Alert> = unresolved
            .iter()
            .map(|a| ((a.rule.as_str(), a.indicator.as_str(), a.area.as_str()), a))
            .collect();

        enum Op {
            Raise(NewAlert),
            Update(i64, Severity, Reason, Figure),
            Clear(i64),
            Escalate(i64),
        }
        let mut ops = Vec::new();
        for e in evaluated {
            let key = (
                e.rule.code.as_str(),
                e.indicator.code.as_str(),
                e.area.as_str(),
            );
            let existing = open.get(&key).copied();
            let last = recent
                .get(&(key.0.to_string(), key.1.to_string(), key.2.to_string()))
                .copied();
            let quiet = time::Duration::minutes(i64::from(e.rule.quiet_minutes));
            let figure = Figure {
                value: e.value.map(|v| v.value),
                period: e.value.map(|v| v.period.to_string()),
                as_of: e.value.map(|v| v.as_of),
            };
            match alert::step(
                existing.map(|a| (a.severity, &a.reason)),
                last,
                e.finding,
                quiet,
                now,
            ) {
                Step::Raise { severity, reason } => ops.push(Op::Raise(NewAlert {
                    rule: e.rule.code.clone(),
                    kind: e.rule.kind,
                    indicator: e.indicator.code.clone(),
                    area: e.area,
                    agency: e.indicator.agency.clone(),
                    severity,
                    reason,
                    figure,
                })),
                Step::Update { severity, reason } => {
                    if let Some(a) = existing {
                        ops.push(Op::Update(a.id, severity, reason, figure));
                    }
                }
                Step::Resolve => {
                    if let Some(a) = existing {
                        ops.push(Op::Clear(a.id));
                    }
                }
                Step::Nothing => {}
            }
        }
        for a in &unresolved {
            // an alert of a rule no longer in the province's file is left to people: it
            // cannot clear by itself, and nothing says when it should escalate
            let Some(rule) = self.rules.iter().find(|r| r.code == a.rule) else {
                continue;
            };
            let due = a.raised_at + time::Duration::minutes(i64::from(rule.escalate_after_minutes));
            if a.status == Status::Open && a.escalated_at.is_none() && now >= due {
                ops.push(Op::Escalate(a.id));
            }
        }
        if ops.is_empty() {
            return Ok(Vec::new());
        }

        let mut tx = app::store::write(&self.db).await?;
        let mut changed_ids = Vec::new();
        for op in ops {
            let changed = match op {
                Op::Raise(new) => store::raise(&mut tx, &new, now).await?,
                Op::Update(id, severity, reason, figure) => {
                    store::update(&mut tx, id, severity, &reason, &figure, now)
                        .await?
                        .then_some(id)
                }
                Op::Clear(id) => store::clear(&mut tx, id, now).await?.then_some(id),
                Op::Escalate(id) => store::escalate(&mut tx, id, now).await?.then_some(id),
            };
            changed_ids.extend(changed);
        }
        let mut changed = Vec::new();
        for id in changed_ids {
            changed.extend(store::get(&mut tx, id).await?);
        }
        tx.commit().await?;
        Ok(changed)
    }
}
