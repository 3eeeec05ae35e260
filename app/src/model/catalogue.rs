//! The province as data: its agencies, administrative units and indicator catalogue.
//!
//! Nothing here is specific to one province: the demo province (Sơn La) is a set of data
//! files read by the server at start-up, checked by [`Catalogue::new`], and another province
//! is another set of files. No I/O here.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Duration;

use super::i18n::Locale;
use super::period::PeriodKind;
use super::unit::Unit;

/// How often an indicator is reported, which fixes the kind of its periods and how old its
/// latest value may be before the screen calls it late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Pushed as it happens; the period is the day.
    Streamed,
    /// Reported each day by 17:00; the period is the day.
    Daily,
    Monthly,
    Quarterly,
    Yearly,
}

impl Cadence {
    pub fn period_kind(self) -> PeriodKind {
        match self {
            Cadence::Streamed | Cadence::Daily => PeriodKind::Day,
            Cadence::Monthly => PeriodKind::Month,
            Cadence::Quarterly => PeriodKind::Quarter,
            Cadence::Yearly => PeriodKind::Year,
        }
    }

    /// The default freshness contract: the latest value is late once it is older than this.
    pub fn default_max_age(self) -> Duration {
        match self {
            Cadence::Streamed => Duration::minutes(15),
            // due at 17:00 each day; a value from yesterday's 17:00 is fine until today's
            Cadence::Daily => Duration::hours(26),
            Cadence::Monthly => Duration::days(45),
            Cadence::Quarterly => Duration::days(120),
            Cadence::Yearly => Duration::days(400),
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Cadence::Streamed => locale.pick("trực tiếp", "streamed"),
            Cadence::Daily => locale.pick("hằng ngày (17:00)", "daily (17:00)"),
            Cadence::Monthly => locale.pick("hằng tháng", "monthly"),
            Cadence::Quarterly => locale.pick("hằng quý", "quarterly"),
            Cadence::Yearly => locale.pick("hằng năm", "yearly"),
        }
    }
}

/// Whether a rise is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    Neutral,
}

/// The administrative level an indicator is reported at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Only for the province as a whole.
    Province,
    /// For each commune-level unit, and optionally the province total.
    Commune,
}

/// What an indicator's value is compared against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Another indicator holds the plan or estimate (e.g. the budget estimate for revenue).
    Indicator(String),
    /// A fixed target value, in the indicator's unit.
    Value(#[serde(with = "crate::model::number")] Decimal),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub sector: String,
    pub unit: Unit,
    pub cadence: Cadence,
    /// The code of the agency that owns (and alone may submit) this indicator.
    pub agency: String,
    pub level: Level,
    pub direction: Direction,
    #[serde(
        default,
        with = "crate::model::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Option<Decimal>,
    #[serde(
        default,
        with = "crate::model::number::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Overrides the cadence's freshness contract, in hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_hours: Option<u32>,
    /// Where the indicator comes from in the source documents (`file:line`), if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Indicator {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_vi, &self.name_en)
    }

    pub fn max_age(&self) -> Duration {
        self.max_age_hours
            .map(|h| Duration::hours(i64::from(h)))
            .unwrap_or_else(|| self.cadence.default_max_age())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub short_vi: String,
    pub short_en: String,
}

impl Agency {
    pub fn short(&self, locale: Locale) -> &str {
        locale.pick(&self.short_vi, &self.short_en)
    }

    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_vi, &self.name_en)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Province,
    District,
    Commune,
    Ward,
    SpecialZone,
}

/// An administrative unit, valid over a span of dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub code: String,
    pub name_vi: String,
    pub kind: AreaKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub valid_from: time::Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<time::Date>,
}

/// One province's reference data, checked for consistency and indexed for look-up.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The code of the province unit, the area of province-wide figures.
    pub province: String,
    pub agencies: Vec<Agency>,
    pub areas: Vec<Area>,
    pub indicators: Vec<Indicator>,
    agency_index: HashMap<String, usize>,
    area_index: HashMap<String, usize>,
    indicator_index: HashMap<String, usize>,
}

/// One thing wrong with a catalogue, named by its entry and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entry}: {field}: {reason}")]
pub struct CatalogueError {
    /// e.g. `indicator budget.revenue.ytd` or `agency #3`.
    pub entry: String,
    pub field: &'static str,
    pub reason: String,
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The checks every entry gets — a valid, unique code and non-empty texts — adding it to
/// `index`; returns the entry's name for further messages.
fn check_entry(
    kind: &str,
    position: usize,
    code: &str,
    texts: &[(&'static str, &str)],
    index: &mut HashMap<String, usize>,
    errors: &mut Vec<CatalogueError>,
) -> String {
    let entry = if code.is_empty() {
        format!("{kind} #{}", position + 1)
    } else {
        format!("{kind} {code}")
    };
    let mut err = |field: &'static str, reason: &str| {
        errors.push(CatalogueError {
            entry: entry.clone(),
            field,
            reason: reason.into(),
        })
    };
    if !is_code(code) {
        err("code", "must be 1–64 letters, digits, '.', '_' or '-'");
    }
    for (field, value) in texts {
        if value.trim().is_empty() {
            err(field, "must not be empty");
        }
    }
    if index.insert(code.to_string(), position).is_some() {
        err("code", "appears more than once");
    }
    entry
}

impl Catalogue {
    /// Checks the data and builds the indexes. Every problem found is reported, not just
    /// the first.
    pub fn new(
        province: String,
        agencies: Vec<Agency>,
        areas: Vec<Area>,
        indicators: Vec<Indicator>,
    ) -> Result<Catalogue, Vec<CatalogueError>> {
        let mut errors = Vec::new();
        let problem = |entry: &str, field: &'static str, reason: String| CatalogueError {
            entry: entry.to_string(),
            field,
            reason,
        };

        let mut agency_index = HashMap::new();
        for (i, a) in agencies.iter().enumerate() {
            let texts = [
                ("name_vi", a.name_vi.as_str()),
                ("name_en", &a.name_en),
                ("short_vi", &a.short_vi),
                ("short_en", &a.short_en),
            ];
            check_entry("agency", i, &a.code, &texts, &mut agency_index, &mut errors);
        }

        let mut area_index = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            let entry = check_entry(
                "area",
                i,
                &a.code,
                &[("name_vi", &a.name_vi)],
                &mut area_index,
                &mut errors,
            );
            if a.valid_to.is_some_and(|to| to < a.valid_from) {
                errors.push(problem(&entry, "valid_to", "is before valid_from".into()));
            }
        }
        for a in &areas {
            if let Some(parent) = a.parent.as_ref().filter(|p| !area_index.contains_key(*p)) {
                errors.push(problem(
                    &format!("area {}", a.code),
                    "parent",
                    format!("unknown area '{parent}'"),
                ));
            }
        }
        match areas.iter().find(|a| a.code == province) {
            Some(a) if a.kind == AreaKind::Province => {}
            Some(_) => errors.push(problem(
                "province",
                "code",
                format!("area '{province}' is not a province"),
            )),
            None => errors.push(problem(
                "province",
                "code",
                format!("unknown area '{province}'"),
            )),
        }

        let mut indicator_index = HashMap::new();
        for (i, ind) in indicators.iter().enumerate() {
            let texts = [
                ("name_vi", ind.name_vi.as_str()),
                ("name_en", &ind.name_en),
                ("sector", &ind.sector),
            ];
            let entry = check_entry(
                "indicator",
                i,
                &ind.code,
                &texts,
                &mut indicator_index,
                &mut errors,
            );
            if !agency_index.contains_key(&ind.agency) {
                errors.push(problem(
                    &entry,
                    "agency",
                    format!("unknown agency '{}'", ind.agency),
                ));
            }
            if let (Some(min), Some(max)) = (ind.min, ind.max) {
                if min > max {
                    errors.push(problem(
                        &entry,
                        "min",
                        format!("{min} is greater than max {max}"),
                    ));
                }
            }
            if ind.max_age_hours == Some(0) {
                errors.push(problem(
                    &entry,
                    "max_age_hours",
                    "must be at least 1".into(),
                ));
            }
        }
        for ind in &indicators {
            let Some(Target::Indicator(code)) = &ind.target else {
                continue;
            };
            let reason = match indicator_index.get(code).map(|&i| &indicators[i]) {
                None => format!("unknown indicator '{code}'"),
                Some(t) if t.code == ind.code => "an indicator cannot be its own target".into(),
                Some(t) if t.unit.dimension() != ind.unit.dimension() => {
                    format!(
                        "indicator '{code}' is measured in {}, not comparable with {}",
                        t.unit, ind.unit
                    )
                }
                Some(_) => continue,
            };
            errors.push(problem(
                &format!("indicator {}", ind.code),
                "target",
                reason,
            ));
        }

        if errors.is_empty() {
            Ok(Catalogue {
                province,
                agencies,
                areas,
                indicators,
                agency_index,
                area_index,
                indicator_index,
            })
        } else {
            Err(errors)
        }
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicator_index.get(code).map(|&i| &self.indicators[i])
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agency_index.get(code).map(|&i| &self.agencies[i])
    }

    pub fn area(&self, code: &str) -> Option<&Area> {
        self.area_index.get(code).map(|&i| &self.areas[i])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::date;

    pub fn agency(code: &str) -> Agency {
        Agency {
            code: code.into(),
            name_vi: format!("Cơ quan {code}"),
            name_en: format!("Agency {code}"),
            short_vi: code.into(),
            short_en: code.into(),
        }
    }

    pub fn indicator(code: &str, agency: &str) -> Indicator {
        Indicator {
            code: code.into(),
            name_vi: format!("Chỉ tiêu {code}"),
            name_en: format!("Indicator {code}"),
            sector: "test".into(),
            unit: Unit::Percent,
            cadence: Cadence::Monthly,
            agency: agency.into(),
            level: Level::Province,
            direction: Direction::HigherIsBetter,
            min: Some(Decimal::ZERO),
            max: Some(Decimal::ONE_HUNDRED),
            target: None,
            max_age_hours: None,
            source: None,
        }
    }

    pub fn province() -> Area {
        Area {
            code: "14".into(),
            name_vi: "Tỉnh Sơn La".into(),
            kind: AreaKind::Province,
            parent: None,
            valid_from: date!(2008 - 01 - 01),
            valid_to: None,
        }
    }

    fn errors_of(result: Result<Catalogue, Vec<CatalogueError>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn accepts_a_consistent_catalogue() {
        let c = Catalogue::new(
            "14".into(),
            vec![agency("STC")],
            vec![province()],
            vec![indicator("a.rate", "STC")],
        )
        .unwrap();
        assert_eq!(c.indicator("a.rate").unwrap().agency, "STC");
        assert!(c.indicator("nope").is_none());
    }

    #[test]
    fn reports_each_problem_by_entry_and_field() {
        let mut bad_target = indicator("b", "STC");
        bad_target.target = Some(Target::Indicator("missing".into()));
        let mut bad_range = indicator("c", "STC");
        bad_range.min = Some(Decimal::TEN);
        bad_range.max = Some(Decimal::ONE);
        let errors = errors_of(Catalogue::new(
            "99".into(),
            vec![agency("STC"), agency("STC"), agency("bad code")],
            vec![province()],
            vec![
                indicator("a", "NOPE"),
                bad_target,
                bad_range,
                indicator("a", "STC"),
            ],
        ));
        for expected in [
            "agency STC: code: appears more than once",
            "agency bad code: code: must be 1–64 letters, digits, '.', '_' or '-'",
            "province: code: unknown area '99'",
            "indicator a: agency: unknown agency 'NOPE'",
            "indicator b: target: unknown indicator 'missing'",
            "indicator c: min: 10 is greater than max 1",
            "indicator a: code: appears more than once",
        ] {
            assert!(
                errors.iter().any(|e| e == expected),
                "missing {expected:?} in {errors:#?}"
            );
        }
    }

    #[test]
    fn target_must_be_comparable() {
        let mut money = indicator("money", "STC");
        money.unit = Unit::Dong;
        let mut rate = indicator("rate", "STC");
        rate.target = Some(Target::Indicator("money".into()));
        let errors = errors_of(Catalogue::new(
            "14".into(),
            vec![agency("STC")],
            vec![province()],
            vec![money, rate],
        ));
        assert_eq!(errors, vec!["indicator rate: target: indicator 'money' is measured in dong, not comparable with percent"]);
    }
}
