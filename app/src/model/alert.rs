//! Alerts: the province's rules as data, what a rule finds in an indicator's current value,
//! and an alert's life cycle. No I/O here: the server's alert engine reads the live values,
//! asks [`evaluate`] and [`step`], and stores what they decide.
//!
//! A rule is typed, not an expression: `threshold` (the catalogue's warning and critical
//! levels, or levels by time of year for cumulative rates), `late` (the freshness contract,
//! by the working calendar), `jump` (a value that moves more than a share against the
//! previous period's) and `missing` (a working day's daily figure absent at its hour).
//! There is one alert per (rule, indicator, area) while it is open; an alert that cleared
//! is raised again only after the rule's quiet period, and a threshold alert clears only
//! once the value is back past the warning level by the rule's hysteresis — so a value
//! oscillating around a level raises one alert, not one a minute.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Time};

use super::catalogue::{Catalogue, Direction, Indicator, Threshold};
use super::format::VIETNAM;
use super::live::LiveValue;
use super::workdays::WorkCalendar;
use super::Cadence;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Threshold,
    Late,
    Jump,
    Missing,
}

impl RuleKind {
    pub fn code(self) -> &'static str {
        match self {
            RuleKind::Threshold => "threshold",
            RuleKind::Late => "late",
            RuleKind::Jump => "jump",
            RuleKind::Missing => "missing",
        }
    }
}

/// Levels that apply from a month of the year on (until the next entry's month), for a
/// cumulative rate whose expected level grows through the year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonalThreshold {
    pub from_month: u8,
    #[serde(with = "crate::model::number")]
    pub warning: Decimal,
    #[serde(with = "crate::model::number")]
    pub critical: Decimal,
}

/// One rule of the province's `alerts.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    pub code: String,
    pub kind: RuleKind,
    pub name_vi: String,
    pub name_en: String,
    /// The indicators it watches. Empty: for `threshold`, every indicator with a threshold;
    /// for `late`, every indicator of `cadences`. `jump` and `missing` name theirs.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// `late`: the cadences watched when `indicators` is empty (default: daily).
    #[serde(default)]
    pub cadences: Vec<Cadence>,
    /// Which figures it watches: the province's totals, the communes' or both (default).
    #[serde(default)]
    pub areas: AreaScope,
    /// `threshold`: raise only at this severity or worse (e.g. `critical` for 75
    /// communes' figures, so the console is not a list of every commune a little off).
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// `threshold`: levels by time of year, replacing the catalogue's for `indicators`.
    #[serde(default)]
    pub seasonal: Vec<SeasonalThreshold>,
    /// `threshold`: how far past the warning level (percent of it) a value must come back
    /// before the alert clears.
    #[serde(default, with = "crate::model::number::option")]
    pub hysteresis_percent: Option<Decimal>,
    /// `jump`: the change against the previous period, in percent of its value, beyond
    /// which a value is a jump.
    #[serde(default, with = "crate::model::number::option")]
    pub jump_percent: Option<Decimal>,
    /// `missing`: the time (Vietnam, `HH:MM`) by which a working day's figure is expected.
    #[serde(default)]
    pub expected_by: Option<String>,
    /// After an alert of this rule clears, how long before the same one may be raised
    /// again, in minutes.
    #[serde(default = "default_quiet_minutes")]
    pub quiet_minutes: u32,
    /// An open alert nobody acknowledged within this many minutes goes to the leaders.
    pub escalate_after_minutes: u32,
}

/// Which areas' figures a rule watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaScope {
    #[default]
    All,
    Province,
    Communes,
}

impl AreaScope {
    pub fn includes(self, area: &str, province: &str) -> bool {
        match self {
            AreaScope::All => true,
            AreaScope::Province => area == province,
            AreaScope::Communes => area != province,
        }
    }
}

fn default_quiet_minutes() -> u32 {
    30
}

impl AlertRule {
    pub fn name(&self, locale: super::Locale) -> &str {
        locale.pick(&self.name_vi, &self.name_en)
    }

    /// Whether the rule watches `indicator`.
    pub fn watches(&self, indicator: &Indicator) -> bool {
        if !self.indicators.is_empty() {
            return self.indicators.iter().any(|c| *c == indicator.code);
        }
        match self.kind {
            RuleKind::Threshold => {
                indicator.threshold.is_some() || indicator.province_threshold.is_some()
            }
            RuleKind::Late => {
                let cadences: &[Cadence] = if self.cadences.is_empty() {
                    &[Cadence::Daily]
                } else {
                    &self.cadences
                };
                cadences.contains(&indicator.cadence)
            }
            RuleKind::Jump | RuleKind::Missing => false,
        }
    }

    fn expected_time(&self) -> Option<Time> {
        let text = self.expected_by.as_deref()?;
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
    }

    /// The levels that apply on `day` to a figure of `area` of `indicator`.
    fn threshold(
        &self,
        indicator: &Indicator,
        area: &str,
        province: &str,
        day: time::Date,
    ) -> Option<Threshold> {
        let month = u8::from(day.month());
        self.seasonal
            .iter()
            .filter(|s| s.from_month <= month)
            .max_by_key(|s| s.from_month)
            .map(|s| Threshold {
                warning: s.warning,
                critical: s.critical,
            })
            .or_else(|| indicator.threshold_for(area, province))
    }
}

/// Checks the rules against the catalogue; every problem is `(entry, field, reason)`.
pub fn check_rules(
    rules: &[AlertRule],
    catalogue: &Catalogue,
) -> Vec<(String, &'static str, String)> {
    let mut errors = Vec::new();
    let mut codes = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let entry = if r.code.is_empty() {
            format!("rule #{}", i + 1)
        } else {
            format!("rule {}", r.code)
        };
        let mut err =
            |field: &'static str, reason: String| errors.push((entry.clone(), field, reason));
        let valid_code = !r.code.is_empty()
            && r.code.len() <= 64
            && r.code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid_code {
            err(
                "code",
                "must be 1 to 64 letters, digits, '.', '_' or '-'".into(),
            );
        } else if codes.contains(&r.code) {
            err("code", "appears more than once".into());
        }
        codes.push(r.code.clone());
        for (field, text) in [("name_vi", &r.name_vi), ("name_en", &r.name_en)] {
            if text.trim().is_empty() {
                err(field, "must not be empty".into());
            }
        }
        for code in &r.indicators {
            // a sum of projects (the disbursement rate) has no catalogue entry of its own
            let derived = crate::model::money::derived_indicator(
                catalogue,
                code,
                time::macros::date!(2026 - 01 - 01),
            );
            match catalogue.indicator(code).or(derived.as_ref()) {
                None => err("indicators", format!("unknown indicator '{code}'")),
                Some(ind) => {
                    if r.kind == RuleKind::Threshold
                        && r.seasonal.is_empty()
                        && ind.threshold.is_none()
                        && ind.province_threshold.is_none()
                    {
                        err("indicators", format!("'{code}' has no threshold in the catalogue and the rule gives no seasonal levels"));
                    }
                    if r.kind == RuleKind::Missing && ind.cadence != Cadence::Daily {
                        err("indicators", format!("'{code}' is not reported daily: only a daily figure can be missing at an hour"));
                    }
                    if !r.seasonal.is_empty() && ind.direction == Direction::Neutral {
                        err(
                            "indicators",
                            format!("'{code}' is neutral: it has no bad side for levels"),
                        );
                    }
                }
            }
        }
        if matches!(r.kind, RuleKind::Jump | RuleKind::Missing) && r.indicators.is_empty() {
            err(
                "indicators",
                format!("a {} rule names the indicators it watches", r.kind.code()),
            );
        }
        if !r.cadences.is_empty() && r.kind != RuleKind::Late {
            err(
                "cadences",
                "only a late rule picks indicators by cadence".into(),
            );
        }
        match (r.kind, r.jump_percent) {
            (RuleKind::Jump, None) => err("jump_percent", "a jump rule needs it".into()),
            (RuleKind::Jump, Some(p)) if p <= Decimal::ZERO => {
                err("jump_percent", "must be above 0".into())
            }
            (RuleKind::Jump, _) | (_, None) => {}
            (_, Some(_)) => err("jump_percent", "only for a jump rule".into()),
        }
        match (r.kind, &r.expected_by) {
            (RuleKind::Missing, None) => err(
                "expected_by",
                "a missing rule needs the hour its figure is expected by (HH:MM)".into(),
            ),
            (RuleKind::Missing, Some(t)) if r.expected_time().is_none() => err(
                "expected_by",
                format!("'{t}' is not a time of day as HH:MM"),
            ),
            (RuleKind::Missing, _) | (_, None) => {}
            (_, Some(_)) => err("expected_by", "only for a missing rule".into()),
        }
        if r.kind != RuleKind::Threshold && r.min_severity.is_some() {
            err("min_severity", "only for a threshold rule".into());
        }
        if r.kind != RuleKind::Threshold
            && (r.hysteresis_percent.is_some() || !r.seasonal.is_empty())
        {
            err(
                "hysteresis_percent",
                "levels and hysteresis are for a threshold rule".into(),
            );
        }
        if r.hysteresis_percent
            .is_some_and(|h| h < Decimal::ZERO || h > Decimal::ONE_HUNDRED)
        {
            err("hysteresis_percent", "must be from 0 to 100".into());
        }
        let mut months = Vec::new();
        for s in &r.seasonal {
            if !(1..=12).contains(&s.from_month) || months.contains(&s.from_month) {
                err(
                    "seasonal",
                    format!("from_month {} must be a month 1–12, once", s.from_month),
                );
            }
            months.push(s.from_month);
        }
        if r.escalate_after_minutes == 0 {
            err("escalate_after_minutes", "must be at least 1".into());
        }
    }
    errors
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// What a rule finds in an indicator's current value for one area.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The condition holds: an alert should be open, at this severity, for this reason.
    Raise { severity: Severity, reason: Reason },
    /// Not beyond the level, but not back past its hysteresis either: an open alert stays
    /// open, none is raised.
    Hold,
    /// The condition has cleared.
    Clear,
}

/// Why an alert is raised, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub vi: String,
    pub en: String,
}

/// Evaluates `rule` for `indicator` in `area`, whose current value is `value` (if any), at
/// `now`.
pub fn evaluate(
    rule: &AlertRule,
    indicator: &Indicator,
    area: &str,
    province: &str,
    value: Option<&LiveValue>,
    now: OffsetDateTime,
    calendar: &WorkCalendar,
) -> Finding {
    match rule.kind {
        RuleKind::Threshold => {
            let Some(v) = value else {
                return Finding::Clear;
            };
            let day = now.to_offset(VIETNAM).date();
            let Some(t) = rule.threshold(indicator, area, province, day) else {
                return Finding::Clear;
            };
            let worse = |a: Decimal, b: Decimal| match indicator.direction {
                Direction::LowerIsBetter => a > b,
                Direction::HigherIsBetter => a < b,
                Direction::Neutral => false,
            };
            let shown = |d: Decimal| crate::model::format::exact(d, crate::model::Locale::Vi);
            let shown_en = |d: Decimal| crate::model::format::exact(d, crate::model::Locale::En);
            let (side_vi, side_en) = match indicator.direction {
                Direction::LowerIsBetter => ("trên", "above"),
                _ => ("dưới", "below"),
            };
            let reason = |level: Decimal, vi: &str, en: &str| Reason {
                vi: format!(
                    "{} {side_vi} ngưỡng {vi} ({})",
                    shown(v.value),
                    shown(level)
                ),
                en: format!(
                    "{} is {side_en} the {en} level ({})",
                    shown_en(v.value),
                    shown_en(level)
                ),
            };
            if worse(v.value, t.critical) {
                return Finding::Raise {
                    severity: Severity::Critical,
                    reason: reason(t.critical, "nguy cấp", "critical"),
                };
            }
            if worse(v.value, t.warning) {
                // below the rule's least severity: an open alert stays, none is raised
                if rule
                    .min_severity
                    .is_some_and(|least| least > Severity::Warning)
                {
                    return Finding::Hold;
                }
                return Finding::Raise {
                    severity: Severity::Warning,
                    reason: reason(t.warning, "cảnh báo", "warning"),
                };
            }
            let band = rule.hysteresis_percent.unwrap_or_default() / Decimal::ONE_HUNDRED
                * t.warning.abs();
            let clear_level = match indicator.direction {
                Direction::LowerIsBetter => t.warning - band,
                _ => t.warning + band,
            };
            if band > Decimal::ZERO && worse(v.value, clear_level) {
                Finding::Hold
            } else {
                Finding::Clear
            }
        }
        RuleKind::Late => {
            let Some(v) = value else {
                return Finding::Clear;
            };
            match indicator
                .freshness_contract()
                .late_since(v.as_of, now, calendar)
            {
                Some(due) => {
                    let at = |l| crate::model::format::date_time(due, l);
                    let as_of = |l| crate::model::format::date_time(v.as_of, l);
                    Finding::Raise {
                        severity: Severity::Warning,
                        reason: Reason {
                            vi: format!(
                                "Chậm cập nhật: số liệu mới đến hạn {}, số liệu hiện có đến {}",
                                at(crate::model::Locale::Vi),
                                as_of(crate::model::Locale::Vi)
                            ),
                            en: format!(
                                "Late: a new figure was due {}, the latest is as of {}",
                                at(crate::model::Locale::En),
                                as_of(crate::model::Locale::En)
                            ),
                        },
                    }
                }
                None => Finding::Clear,
            }
        }
        RuleKind::Jump => {
            let Some(v) = value else {
                return Finding::Clear;
            };
            let Some(prev) = v.previous.as_ref() else {
                return Finding::Clear;
            };
            // a year-to-date figure restarts on 1 January: no jump across the reset
            if indicator.cumulative && prev.period.start().year() != v.period.start().year() {
                return Finding::Clear;
            }
            let limit = rule.jump_percent.unwrap_or(Decimal::ONE_HUNDRED);
            if prev.value.is_zero() {
                return Finding::Clear;
            }
            let change = (v.value - prev.value) / prev.value.abs() * Decimal::ONE_HUNDRED;
            if change.abs() <= limit {
                return Finding::Clear;
            }
            let pct = |l| crate::model::format::number(change.abs(), 1, l);
            let sign = if change > Decimal::ZERO {
                ("tăng", "up")
            } else {
                ("giảm", "down")
            };
            Finding::Raise {
                severity: Severity::Warning,
                reason: Reason {
                    vi: format!(
                        "Biến động bất thường: {} {}% so với {} (ngưỡng {}%)",
                        sign.0,
                        pct(crate::model::Locale::Vi),
                        prev.period.label(crate::model::Locale::Vi),
                        crate::model::format::exact(limit, crate::model::Locale::Vi)
                    ),
                    en: format!(
                        "Sudden change: {} {}% on {} (limit {}%)",
                        sign.1,
                        pct(crate::model::Locale::En),
                        prev.period.label(crate::model::Locale::En),
                        crate::model::format::exact(limit, crate::model::Locale::En)
                    ),
                },
            }
        }
        RuleKind::Missing => {
            let Some(at) = rule.expected_time() else {
                return Finding::Clear;
            };
            let Some(day) = calendar.working_day_due(now, at) else {
                return Finding::Clear;
            };
            if value.is_some_and(|v| v.period.start() >= day) {
                return Finding::Clear;
            }
            let day_text = |l| crate::model::format::date(day, l);
            Finding::Raise {
                severity: Severity::Warning,
                reason: Reason {
                    vi: format!(
                        "Thiếu số liệu ngày {} (hạn {})",
                        day_text(crate::model::Locale::Vi),
                        rule.expected_by.as_deref().unwrap_or_default()
                    ),
                    en: format!(
                        "No figure for {} (expected by {})",
                        day_text(crate::model::Locale::En),
                        rule.expected_by.as_deref().unwrap_or_default()
                    ),
                },
            }
        }
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Acknowledged,
    Resolved,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Acknowledged => "acknowledged",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Open, Status::Acknowledged, Status::Resolved]
            .into_iter()
            .find(|s| s.code() == text)
    }
}

/// Someone's act on an alert: when, by whom, with what note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    #[serde(with = "crate::model::iso::rfc3339")]
    pub at: OffsetDateTime,
    /// The person; none when the alert cleared by itself.
    pub by: Option<String>,
    pub note: Option<String>,
}

/// An alert as stored and as the API gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub rule: String,
    pub kind: RuleKind,
    pub indicator: String,
    pub area: String,
    /// The agency that owns the indicator: the one the alert is against.
    pub agency: String,
    pub severity: Severity,
    pub status: Status,
    /// The figure it is about, as last evaluated (none for a figure never reported).
    #[serde(with = "crate::model::number::option")]
    pub value: Option<Decimal>,
    pub period: Option<String>,
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
    pub reason: Reason,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub raised_at: OffsetDateTime,
    pub acknowledged: Option<Act>,
    /// When it went to the leaders, unacknowledged past the rule's time.
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub escalated_at: Option<OffsetDateTime>,
    pub resolved: Option<Act>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// 1 when raised; each transition adds one.
    pub version: u32,
}

/// What the engine does next for one (rule, indicator, area).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Raise a new alert.
    Raise {
        severity: Severity,
        reason: Reason,
    },
    /// The open alert's severity or reason changed.
    Update {
        severity: Severity,
        reason: Reason,
    },
    /// The condition cleared: resolve the open alert.
    Resolve,
    Nothing,
}

/// The next step, given the alert open for this (rule, indicator, area) — its severity and
/// reason — and when the last one resolved.
pub fn step(
    open: Option<(Severity, &Reason)>,
    last_resolved: Option<OffsetDateTime>,
    finding: Finding,
    quiet: Duration,
    now: OffsetDateTime,
) -> Step {
    match (open, finding) {
        (None, Finding::Raise { severity, reason }) => {
            if last_resolved.is_some_and(|at| now - at < quiet) {
                Step::Nothing
            } else {
                Step::Raise { severity, reason }
            }
        }
        (Some((was, why)), Finding::Raise { severity, reason }) => {
            if was == severity && *why == reason {
                Step::Nothing
            } else {
                Step::Update { severity, reason }
            }
        }
        (Some(_), Finding::Clear) => Step::Resolve,
        (None, _) | (Some(_), Finding::Hold) => Step::Nothing,
    }
}

/// Who may act on alerts: operators, leaders and administrators. An agency officer sees
/// their agency's alerts and explains them; a wall screen only shows them.
pub fn may_act(principal: &super::account::Principal) -> bool {
    use super::account::{Principal, Role};
    matches!(
        principal,
        Principal::User {
            role: Role::Operator | Role::Leader | Role::Admin,
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::tests::indicator;
    use crate::model::live::PreviousValue;
    use std::str::FromStr;
    use time::macros::{date, datetime};

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rule(kind: RuleKind) -> AlertRule {
        AlertRule {
            code: format!("r.{}", kind.code()),
            kind,
            name_vi: "Quy tắc".into(),
            name_en: "Rule".into(),
            indicators: Vec::new(),
            cadences: Vec::new(),
            areas: AreaScope::All,
            min_severity: None,
            seasonal: Vec::new(),
            hysteresis_percent: None,
            jump_percent: None,
            expected_by: None,
            quiet_minutes: 30,
            escalate_after_minutes: 30,
        }
    }

    /// The on-time rate of dossiers: higher is better, warning below 95, critical below 90.
    fn ontime() -> Indicator {
        let mut i = indicator("services.ontime.rate", "VPUB");
        i.direction = Direction::HigherIsBetter;
        i.threshold = Some(Threshold {
            warning: d("95"),
            critical: d("90"),
        });
        i
    }

    fn value(v: &str, period: &str, as_of: OffsetDateTime) -> LiveValue {
        LiveValue {
            indicator: "x".into(),
            area: "14".into(),
            project: None,
            period: period.parse().unwrap(),
            value: d(v),
            unit: crate::model::Unit::Percent,
            agency: "VPUB".into(),
            as_of,
            revision: 1,
            offset: 1,
            previous: None,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-12-02 10:00 +7);

    fn find(
        rule: &AlertRule,
        ind: &Indicator,
        v: Option<&LiveValue>,
        now: OffsetDateTime,
    ) -> Finding {
        evaluate(rule, ind, "14", "14", v, now, &WorkCalendar::default())
    }

    fn severity(f: &Finding) -> Option<Severity> {
        match f {
            Finding::Raise { severity, .. } => Some(*severity),
            _ => None,
        }
    }

    #[test]
    fn a_threshold_raises_at_its_levels_and_clears_past_the_hysteresis() {
        let mut r = rule(RuleKind::Threshold);
        r.hysteresis_percent = Some(d("2"));
        let ind = ontime();
        let at = |v: &str| find(&r, &ind, Some(&value(v, "2026-12-02", NOW)), NOW);
        // exactly on a level is not beyond it
        assert_eq!(severity(&at("95")), None);
        assert_eq!(severity(&at("94.99")), Some(Severity::Warning));
        assert_eq!(severity(&at("90")), Some(Severity::Warning));
        assert_eq!(severity(&at("89.9")), Some(Severity::Critical));
        // back above 95 but not above 95 + 2% of 95 = 96.9: hold
        assert_eq!(at("96"), Finding::Hold);
        assert_eq!(at("96.9"), Finding::Clear);
        assert_eq!(at("99"), Finding::Clear);
        let Finding::Raise { reason, .. } = at("89.9") else {
            panic!()
        };
        assert_eq!(reason.vi, "89,9 dưới ngưỡng nguy cấp (90)");
        assert_eq!(reason.en, "89.9 is below the critical level (90)");
        // a rule for critical figures only holds at a warning, raises at critical
        let mut critical_only = r.clone();
        critical_only.min_severity = Some(Severity::Critical);
        let at92 = find(
            &critical_only,
            &ind,
            Some(&value("92", "2026-12-02", NOW)),
            NOW,
        );
        assert_eq!(at92, Finding::Hold);
        let at89 = find(
            &critical_only,
            &ind,
            Some(&value("89", "2026-12-02", NOW)),
            NOW,
        );
        assert_eq!(severity(&at89), Some(Severity::Critical));
        assert!(AreaScope::Province.includes("14", "14"));
        assert!(!AreaScope::Province.includes("03646", "14"));
        assert!(AreaScope::Communes.includes("03646", "14"));
        assert!(!AreaScope::Communes.includes("14", "14"));
        // lower is better: above is bad
        let mut overdue = indicator("services.overdue", "VPUB");
        overdue.direction = Direction::LowerIsBetter;
        overdue.threshold = Some(Threshold {
            warning: d("5"),
            critical: d("20"),
        });
        let f = find(&r, &overdue, Some(&value("21", "2026-12-02", NOW)), NOW);
        assert_eq!(severity(&f), Some(Severity::Critical));
        assert_eq!(
            find(&r, &overdue, Some(&value("4.95", "2026-12-02", NOW)), NOW),
            Finding::Hold
        );
        assert_eq!(
            find(&r, &overdue, Some(&value("4.9", "2026-12-02", NOW)), NOW),
            Finding::Clear
        );
        // no value: nothing to alert on
        assert_eq!(find(&r, &ind, None, NOW), Finding::Clear);
    }

    #[test]
    fn a_cumulative_rate_is_judged_by_the_levels_of_its_time_of_year() {
        let mut r = rule(RuleKind::Threshold);
        r.seasonal = vec![
            SeasonalThreshold {
                from_month: 1,
                warning: d("5"),
                critical: d("2"),
            },
            SeasonalThreshold {
                from_month: 7,
                warning: d("40"),
                critical: d("30"),
            },
            SeasonalThreshold {
                from_month: 12,
                warning: d("80"),
                critical: d("70"),
            },
        ];
        let ind = ontime();
        let v = value("45", "2026-11-30", NOW);
        assert_eq!(
            severity(&find(&r, &ind, Some(&v), datetime!(2026-11-30 23:59 +7))),
            None
        );
        // on 1 December the year-end level applies (Vietnam time: 17:00 UTC is 00:00)
        assert_eq!(
            severity(&find(&r, &ind, Some(&v), datetime!(2026-11-30 17:00 UTC))),
            Some(Severity::Critical)
        );
        // 30 June and 1 July
        let v = value("35", "2026-06-30", NOW);
        assert_eq!(
            severity(&find(&r, &ind, Some(&v), datetime!(2026-06-30 12:00 +7))),
            None
        );
        assert_eq!(
            severity(&find(&r, &ind, Some(&v), datetime!(2026-07-01 12:00 +7))),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn no_flapping_around_a_level() {
        /// The alerts raised and resolved for a value oscillating around 95 every minute
        /// for two hours, the engine's steps followed as it stores them.
        fn oscillate(r: &AlertRule) -> (usize, usize) {
            let ind = ontime();
            let quiet = Duration::minutes(i64::from(r.quiet_minutes));
            let mut open: Option<(Severity, Reason)> = None;
            let mut last_resolved = None;
            let (mut raised, mut resolved) = (0, 0);
            for minute in 0..120 {
                let now = NOW + Duration::minutes(minute);
                let v = if minute % 2 == 0 { "94.5" } else { "95.5" };
                let f = find(r, &ind, Some(&value(v, "2026-12-02", now)), now);
                let current = open.as_ref().map(|(s, w)| (*s, w));
                match step(current, last_resolved, f, quiet, now) {
                    Step::Raise { severity, reason } => {
                        raised += 1;
                        open = Some((severity, reason));
                    }
                    Step::Update { severity, reason } => open = Some((severity, reason)),
                    Step::Resolve => {
                        resolved += 1;
                        open = None;
                        last_resolved = Some(now);
                    }
                    Step::Nothing => {}
                }
            }
            (raised, resolved)
        }
        let mut r = rule(RuleKind::Threshold);
        r.hysteresis_percent = Some(d("2"));
        assert_eq!(oscillate(&r), (1, 0), "one alert, held open");
        // without hysteresis the quiet period still bounds it: one raise per half hour
        r.hysteresis_percent = None;
        assert_eq!(oscillate(&r).0, 4, "raised at minutes 0, 32, 64 and 96");
    }

    #[test]
    fn the_life_cycle_steps() {
        let why = Reason {
            vi: "a".into(),
            en: "a".into(),
        };
        let other = Reason {
            vi: "b".into(),
            en: "b".into(),
        };
        let raise = |s| Finding::Raise {
            severity: s,
            reason: why.clone(),
        };
        let q = Duration::minutes(30);
        assert!(matches!(
            step(None, None, raise(Severity::Warning), q, NOW),
            Step::Raise { .. }
        ));
        // the same condition again changes nothing; a worse one updates the open alert
        assert_eq!(
            step(
                Some((Severity::Warning, &why)),
                None,
                raise(Severity::Warning),
                q,
                NOW
            ),
            Step::Nothing
        );
        assert!(matches!(
            step(
                Some((Severity::Warning, &other)),
                None,
                raise(Severity::Warning),
                q,
                NOW
            ),
            Step::Update { .. }
        ));
        assert!(matches!(
            step(
                Some((Severity::Warning, &why)),
                None,
                raise(Severity::Critical),
                q,
                NOW
            ),
            Step::Update {
                severity: Severity::Critical,
                ..
            }
        ));
        assert_eq!(
            step(
                Some((Severity::Warning, &why)),
                None,
                Finding::Clear,
                q,
                NOW
            ),
            Step::Resolve
        );
        assert_eq!(
            step(Some((Severity::Warning, &why)), None, Finding::Hold, q, NOW),
            Step::Nothing
        );
        // quiet for 30 minutes after resolving: 29:59 no, 30:00 yes
        let resolved = NOW - Duration::minutes(30);
        assert_eq!(
            step(
                None,
                Some(resolved + Duration::SECOND),
                raise(Severity::Warning),
                q,
                NOW
            ),
            Step::Nothing
        );
        assert!(matches!(
            step(None, Some(resolved), raise(Severity::Warning), q, NOW),
            Step::Raise { .. }
        ));
        assert_eq!(step(None, None, Finding::Clear, q, NOW), Step::Nothing);
    }

    fn calendar() -> WorkCalendar {
        // Tết 2026 as given: Saturday 14 to Sunday 22 February
        let mut days = vec![date!(2026 - 02 - 14)];
        while *days.last().unwrap() < date!(2026 - 02 - 22) {
            days.push(days.last().unwrap().next_day().unwrap());
        }
        WorkCalendar::new([2026], days, [])
    }

    #[test]
    fn late_data_raises_after_the_17_00_of_a_working_day_and_clears_when_it_arrives() {
        let r = rule(RuleKind::Late);
        let mut ind = indicator("budget.revenue.ytd", "KBNN");
        ind.cadence = Cadence::Daily;
        assert!(r.watches(&ind), "late rules watch daily figures by default");
        let cal = calendar();
        let at = |as_of, now| {
            evaluate(
                &r,
                &ind,
                "14",
                "14",
                Some(&value("1", "2026-12-02", as_of)),
                now,
                &cal,
            )
        };
        let wed = datetime!(2026-12-02 17:00 +7);
        assert_eq!(at(wed, datetime!(2026-12-03 17:00 +7)), Finding::Clear);
        let Finding::Raise { reason, .. } = at(wed, datetime!(2026-12-03 17:01 +7)) else {
            panic!("one minute after the contract")
        };
        assert_eq!(
            reason.vi,
            "Chậm cập nhật: số liệu mới đến hạn 17:00 03/12/2026, số liệu hiện có đến 17:00 02/12/2026"
        );
        // Thursday's figure arrives a minute late: cleared
        assert_eq!(
            at(
                datetime!(2026-12-03 17:01 +7),
                datetime!(2026-12-03 17:02 +7)
            ),
            Finding::Clear
        );
        // not over Tết, yes on the first working day after it
        let before = datetime!(2026-02-13 17:00 +7);
        assert_eq!(at(before, datetime!(2026-02-18 17:30 +7)), Finding::Clear);
        assert!(matches!(
            at(before, datetime!(2026-02-23 17:01 +7)),
            Finding::Raise { .. }
        ));
        // monthly figures are not watched unless named
        assert!(!r.watches(&indicator("m", "STC")));
    }

    #[test]
    fn a_jump_against_the_previous_period_raises() {
        let mut r = rule(RuleKind::Jump);
        r.jump_percent = Some(d("30"));
        let mut ind = indicator("budget.revenue.ytd", "KBNN");
        ind.cumulative = true;
        let with_prev = |v: &str, period: &str, prev: &str, prev_period: &str| {
            let mut x = value(v, period, NOW);
            x.previous = Some(PreviousValue {
                period: prev_period.parse().unwrap(),
                value: d(prev),
            });
            x
        };
        let f = |x: &LiveValue| find(&r, &ind, Some(x), NOW);
        assert_eq!(
            f(&with_prev("130", "2026-12-02", "100", "2026-12-01")),
            Finding::Clear,
            "exactly 30%"
        );
        let Finding::Raise { reason, .. } =
            f(&with_prev("130.1", "2026-12-02", "100", "2026-12-01"))
        else {
            panic!()
        };
        assert_eq!(
            reason.vi,
            "Biến động bất thường: tăng 30,1% so với 01/12/2026 (ngưỡng 30%)"
        );
        assert!(matches!(
            f(&with_prev("60", "2026-12-02", "100", "2026-12-01")),
            Finding::Raise { .. }
        ));
        // the year-to-date figure of 1 January against 31 December is the reset, not a fall
        assert_eq!(
            f(&with_prev("1", "2027-01-01", "100", "2026-12-31")),
            Finding::Clear
        );
        // nothing to compare with
        assert_eq!(f(&value("1", "2026-12-02", NOW)), Finding::Clear);
        assert_eq!(
            f(&with_prev("5", "2026-12-02", "0", "2026-12-01")),
            Finding::Clear
        );
    }

    #[test]
    fn a_missing_daily_figure_raises_at_its_hour_on_working_days() {
        let mut r = rule(RuleKind::Missing);
        r.expected_by = Some("17:30".into());
        let mut ind = indicator("budget.revenue.ytd", "KBNN");
        ind.cadence = Cadence::Daily;
        let cal = calendar();
        let at = |period: &str, now| {
            evaluate(
                &r,
                &ind,
                "14",
                "14",
                Some(&value("1", period, NOW)),
                now,
                &cal,
            )
        };
        // Wednesday 2 December: yesterday's figure is fine until 17:30
        assert_eq!(
            at("2026-12-01", datetime!(2026-12-02 17:29 +7)),
            Finding::Clear
        );
        let Finding::Raise { reason, .. } = at("2026-12-01", datetime!(2026-12-02 17:30 +7)) else {
            panic!()
        };
        assert_eq!(reason.vi, "Thiếu số liệu ngày 02/12/2026 (hạn 17:30)");
        // still missing the next morning; cleared by the day's figure
        assert!(matches!(
            at("2026-12-01", datetime!(2026-12-03 08:00 +7)),
            Finding::Raise { .. }
        ));
        assert_eq!(
            at("2026-12-02", datetime!(2026-12-03 08:00 +7)),
            Finding::Clear
        );
        // Saturday asks for nothing new beyond Friday's
        assert_eq!(
            at("2026-12-04", datetime!(2026-12-05 18:00 +7)),
            Finding::Clear
        );
        // during Tết nothing is missing; Friday 13 February's figure covers it
        assert_eq!(
            at("2026-02-13", datetime!(2026-02-17 18:00 +7)),
            Finding::Clear
        );
        assert!(matches!(
            at("2026-02-13", datetime!(2026-02-23 17:31 +7)),
            Finding::Raise { .. }
        ));
        // never reported: missing too
        assert!(matches!(
            evaluate(
                &r,
                &ind,
                "14",
                "14",
                None,
                datetime!(2026-12-02 17:31 +7),
                &cal
            ),
            Finding::Raise { .. }
        ));
    }

    #[test]
    fn only_operators_leaders_and_administrators_act() {
        use crate::model::account::{Principal, Role};
        let user = |role| Principal::User {
            id: 1,
            username: "u".into(),
            name: "U".into(),
            role,
            agency: Some("STC".into()),
        };
        assert!(may_act(&user(Role::Operator)));
        assert!(may_act(&user(Role::Leader)));
        assert!(may_act(&user(Role::Admin)));
        assert!(!may_act(&user(Role::AgencyOfficer)));
        assert!(!may_act(&Principal::Display {
            id: 1,
            name: "Tường".into()
        }));
        assert!(!may_act(&Principal::AgencyToken {
            id: 1,
            agency: "STC".into()
        }));
    }
}
