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
pub use super::registry::{DisbursementRules, Investor, Project};
use super::unit::Unit;
pub use super::workdays::{Clock, FreshnessContract};

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

    /// The clock its freshness is counted by: a daily report is due at 17:00 on working
    /// days (so Friday's value is current until Monday's is due, and Tết's days are not
    /// counted); figures streamed from desks count office hours only.
    pub fn clock(self) -> Clock {
        match self {
            Cadence::Streamed => Clock::OfficeHours,
            Cadence::Daily => Clock::DueOnWorkingDays { minute: 17 * 60 },
            Cadence::Monthly | Cadence::Quarterly | Cadence::Yearly => Clock::Always,
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
        skip_serializing_if = "crate::model::compact::absent"
    )]
    pub min: Option<Decimal>,
    #[serde(
        default,
        with = "crate::model::number::option",
        skip_serializing_if = "crate::model::compact::absent"
    )]
    pub max: Option<Decimal>,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub target: Option<Target>,
    /// When the value calls for attention, in the indicator's unit.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub threshold: Option<Threshold>,
    /// Overrides the cadence's freshness contract: late after this many hours, every hour
    /// counted (nights, weekends and holidays too).
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub max_age_hours: Option<u32>,
    /// Where the indicator comes from in the source documents (`file:line`), if anywhere.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub source: Option<String>,
    /// Reported per project of the registry (level commune: the area is the project's
    /// commune of record); commune and province figures are sums of projects.
    #[serde(default, skip_serializing_if = "crate::model::compact::unset")]
    pub by_project: bool,
    /// Reported per service desk (public services): a commune's desk reports for its
    /// commune; a province department's desk at the Provincial Public Administration Service
    /// Centre reports for the province, naming the department (`agency`). Province figures
    /// are sums of desks. Stored like a project's figures: the department's code in the
    /// observation's project slot.
    #[serde(default, skip_serializing_if = "crate::model::compact::unset")]
    pub by_agency: bool,
    /// Cumulative from 1 January (lũy kế): it restarts each year, so its change is read
    /// against the same day of last year (cùng kỳ), never across the reset.
    #[serde(default, skip_serializing_if = "crate::model::compact::unset")]
    pub cumulative: bool,
    /// The indicator this one is a part of (land-use fees are part of domestic revenue):
    /// a part is never added to its whole.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub part_of: Option<String>,
    /// The yearly indicators holding this one's estimate versions, the one in force last
    /// (dự toán Trung ương giao, then dự toán HĐND tỉnh giao).
    #[serde(default, skip_serializing_if = "crate::model::compact::empty")]
    pub estimates: Vec<String>,
    /// The threshold for the province total, where it differs from a commune's.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub province_threshold: Option<Threshold>,
    /// Last year's capital disbursed during its extension (until 31 January): reported for
    /// days of January only, cumulative over the whole plan year.
    #[serde(default, skip_serializing_if = "crate::model::compact::unset")]
    pub extension: bool,
}

impl Indicator {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_vi, &self.name_en)
    }

    /// The threshold that applies to a figure of `area` (`province`: the province's code).
    pub fn threshold_for(&self, area: &str, province: &str) -> Option<Threshold> {
        if area == province {
            self.province_threshold.or(self.threshold)
        } else {
            self.threshold
        }
    }

    pub fn max_age(&self) -> Duration {
        self.max_age_hours
            .map(|h| Duration::hours(i64::from(h)))
            .unwrap_or_else(|| self.cadence.default_max_age())
    }

    /// How old its latest value may be before the screen calls it late.
    pub fn freshness_contract(&self) -> FreshnessContract {
        FreshnessContract {
            max_age_secs: self.max_age().whole_seconds(),
            // an explicit limit counts every hour
            clock: match self.max_age_hours {
                Some(_) => Clock::Always,
                None => self.cadence.clock(),
            },
        }
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
    /// For a commune's People's Committee: its commune.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub area: Option<String>,
    /// Other names documents use for it: the departments merged into it in 2025, older
    /// names, common abbreviations ("Sở Kế hoạch và Đầu tư", "Sở KH&ĐT").
    #[serde(default, skip_serializing_if = "crate::model::compact::empty")]
    pub former_names: Vec<String>,
    /// For a group that plans name as one ("Các sở, ban, ngành", "UBND các xã, phường"):
    /// who belongs to it. A task may be assigned to a group; each member sees it.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub members: Option<Members>,
}

/// The members of an agency group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Members {
    /// Every province-level agency (sở, ban, ngành, and the central bodies on the territory).
    Departments,
    /// Every commune's and ward's People's Committee.
    Communes,
    /// Both.
    All,
}

impl Members {
    /// Whether `agency` (not itself a group) belongs.
    pub fn include(self, agency: &Agency) -> bool {
        agency.members.is_none()
            && match self {
                Members::Departments => agency.area.is_none(),
                Members::Communes => agency.area.is_some(),
                Members::All => true,
            }
    }
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
    /// Huyện, thị xã, thành phố thuộc tỉnh: the district level, abolished on 1 July 2025.
    District,
    /// Xã.
    Commune,
    /// Phường.
    Ward,
    /// Thị trấn: a district's town, commune level, abolished on 1 July 2025.
    Township,
    /// Đặc khu.
    SpecialZone,
}

/// An administrative unit, valid over a span of dates (both ends inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Our unique key. The official statistics code where that is unique over time; a
    /// unit whose official code was reused after it ceased is keyed `<code>-<YYYYMMDD>`
    /// with its last day.
    pub code: String,
    /// The national statistics office's code, when it differs from `code`.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub official_code: Option<String>,
    pub name_vi: String,
    pub kind: AreaKind,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub parent: Option<String>,
    /// First day the unit existed; absent when the sources do not say (it existed before
    /// any date the product holds).
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub valid_from: Option<time::Date>,
    /// Last day the unit existed; absent while it exists.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub valid_to: Option<time::Date>,
    /// A reference point inside the unit, `[longitude, latitude]`.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub point: Option<[f64; 2]>,
}

impl Area {
    /// The national statistics office's code.
    pub fn official_code(&self) -> &str {
        self.official_code.as_deref().unwrap_or(&self.code)
    }

    /// Whether the unit existed on `date`.
    pub fn valid_on(&self, date: time::Date) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }

    /// Whether the unit existed on some day from `start` to `end`.
    pub fn valid_during(&self, start: time::Date, end: time::Date) -> bool {
        self.valid_from.is_none_or(|from| from <= end) && self.valid_to.is_none_or(|to| start <= to)
    }

    /// A commune-level unit (commune, ward, township or special zone).
    pub fn is_commune_level(&self) -> bool {
        matches!(
            self.kind,
            AreaKind::Commune | AreaKind::Ward | AreaKind::Township | AreaKind::SpecialZone
        )
    }
}

/// A pre-reform unit's successor: `share` of the old unit's quantities belong to `to`
/// (1 for a unit merged whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkLink {
    pub from: String,
    pub to: String,
    #[serde(with = "crate::model::number")]
    pub share: Decimal,
}

/// The alert levels of an indicator, in its unit; which side is bad follows its direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    #[serde(with = "crate::model::number")]
    pub warning: Decimal,
    #[serde(with = "crate::model::number")]
    pub critical: Decimal,
}

/// The data files of a province, parsed but not yet checked.
#[derive(Debug, Clone, Default)]
pub struct ProvinceData {
    /// The code of the province unit.
    pub province: String,
    pub agencies: Vec<Agency>,
    pub areas: Vec<Area>,
    pub crosswalk: Vec<CrosswalkLink>,
    pub indicators: Vec<Indicator>,
    pub investors: Vec<Investor>,
    pub projects: Vec<Project>,
    pub disbursement: DisbursementRules,
    /// The agency that follows up the province's directives (the PPC Office): its systems
    /// may assign tasks to any agency.
    pub directives_office: Option<String>,
    /// The Government's days off and weekend days worked, a file per year.
    pub holidays: Vec<super::workdays::HolidayYear>,
}

/// One province's reference data, checked for consistency and indexed for look-up.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The code of the province unit, the area of province-wide figures.
    pub province: String,
    pub agencies: Vec<Agency>,
    pub areas: Vec<Area>,
    pub crosswalk: Vec<CrosswalkLink>,
    pub indicators: Vec<Indicator>,
    pub investors: Vec<Investor>,
    pub projects: Vec<Project>,
    pub disbursement: DisbursementRules,
    /// See [`ProvinceData::directives_office`].
    pub directives_office: Option<String>,
    /// Working days, from [`ProvinceData::holidays`].
    pub calendar: super::workdays::WorkCalendar,
    agency_index: HashMap<String, usize>,
    area_index: HashMap<String, usize>,
    indicator_index: HashMap<String, usize>,
    investor_index: HashMap<String, usize>,
    project_index: HashMap<String, usize>,
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

fn direction_text(d: Direction) -> &'static str {
    match d {
        Direction::HigherIsBetter => "higher_is_better (critical <= warning)",
        Direction::LowerIsBetter => "lower_is_better (critical >= warning)",
        Direction::Neutral => "neutral",
    }
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
    pub fn new(data: ProvinceData) -> Result<Catalogue, Vec<CatalogueError>> {
        let ProvinceData {
            province,
            agencies,
            areas,
            crosswalk,
            indicators,
            investors,
            projects,
            disbursement,
            directives_office,
            holidays,
        } = data;
        let mut errors = Vec::new();
        let problem = |entry: &str, field: &'static str, reason: String| CatalogueError {
            entry: entry.to_string(),
            field,
            reason,
        };

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
            if let (Some(from), Some(to)) = (a.valid_from, a.valid_to) {
                if to < from {
                    errors.push(problem(&entry, "valid_to", "is before valid_from".into()));
                }
            }
            if let Some([lon, lat]) = a.point {
                if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                    errors.push(problem(
                        &entry,
                        "point",
                        format!("[{lon}, {lat}] is not [longitude, latitude]"),
                    ));
                }
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

        let mut agency_index = HashMap::new();
        for (i, a) in agencies.iter().enumerate() {
            let texts = [
                ("name_vi", a.name_vi.as_str()),
                ("name_en", &a.name_en),
                ("short_vi", &a.short_vi),
                ("short_en", &a.short_en),
            ];
            let entry = check_entry("agency", i, &a.code, &texts, &mut agency_index, &mut errors);
            if let Some(area) = a
                .area
                .as_ref()
                .filter(|code| !area_index.contains_key(*code))
            {
                errors.push(problem(&entry, "area", format!("unknown area '{area}'")));
            }
            if a.members.is_some() && a.area.is_some() {
                errors.push(problem(&entry, "members", "a group has no area".into()));
            }
        }

        if let Some(office) = directives_office
            .as_ref()
            .filter(|code| !agency_index.contains_key(*code))
        {
            errors.push(problem(
                "province",
                "directives_office",
                format!("unknown agency '{office}'"),
            ));
        }

        let mut shares: HashMap<&str, Decimal> = HashMap::new();
        for (i, link) in crosswalk.iter().enumerate() {
            let entry = format!("crosswalk link #{} ({} → {})", i + 1, link.from, link.to);
            let from = area_index.get(&link.from).map(|&i| &areas[i]);
            let to = area_index.get(&link.to).map(|&i| &areas[i]);
            match from {
                None => errors.push(problem(
                    &entry,
                    "from",
                    format!("unknown area '{}'", link.from),
                )),
                Some(a) if a.valid_to.is_none() => errors.push(problem(
                    &entry,
                    "from",
                    format!("area '{}' still exists (no valid_to)", a.code),
                )),
                Some(_) => {}
            }
            match (from.and_then(|a| a.valid_to), to) {
                (_, None) => {
                    errors.push(problem(&entry, "to", format!("unknown area '{}'", link.to)))
                }
                (Some(last), Some(t)) if last.next_day().is_some_and(|next| !t.valid_on(next)) => {
                    errors.push(problem(
                        &entry,
                        "to",
                        format!(
                            "area '{}' does not exist the day after '{}' ends",
                            t.code, link.from
                        ),
                    ))
                }
                _ => {}
            }
            if link.share <= Decimal::ZERO || link.share > Decimal::ONE {
                errors.push(problem(
                    &entry,
                    "share",
                    format!("{} is not in (0, 1]", link.share),
                ));
            }
            *shares.entry(link.from.as_str()).or_default() += link.share;
        }
        for (from, total) in shares {
            if total != Decimal::ONE {
                errors.push(problem(
                    &format!("crosswalk from {from}"),
                    "share",
                    format!("shares add up to {total}, not 1"),
                ));
            }
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
            if let Some(t) = ind.threshold {
                let ordered = match ind.direction {
                    Direction::HigherIsBetter => t.critical <= t.warning,
                    Direction::LowerIsBetter => t.critical >= t.warning,
                    Direction::Neutral => false,
                };
                if !ordered {
                    let reason = match ind.direction {
                        Direction::Neutral => "a neutral indicator has no bad side; remove the threshold or set a direction".to_string(),
                        d => format!("critical {} must be beyond warning {} for {}", t.critical, t.warning, direction_text(d)),
                    };
                    errors.push(problem(&entry, "threshold", reason));
                }
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

        for ind in &indicators {
            let entry = format!("indicator {}", ind.code);
            let known = |code: &str| indicator_index.get(code).map(|&i| &indicators[i]);
            if ind.by_project && ind.level != Level::Commune {
                errors.push(problem(
                    &entry,
                    "by_project",
                    "an indicator reported per project has level = \"commune\"".into(),
                ));
            }
            if ind.by_agency && (ind.level != Level::Commune || ind.by_project) {
                errors.push(problem(
                    &entry,
                    "by_agency",
                    "an indicator reported per service desk has level = \"commune\" and is not reported per project".into(),
                ));
            }
            if ind.extension && (ind.cadence != Cadence::Daily || !ind.by_project) {
                errors.push(problem(
                    &entry,
                    "extension",
                    "an extension figure is reported daily, per project".into(),
                ));
            }
            if ind.cumulative
                && !matches!(
                    ind.cadence,
                    Cadence::Daily | Cadence::Streamed | Cadence::Monthly
                )
            {
                errors.push(problem(
                    &entry,
                    "cumulative",
                    "a year-to-date figure is reported daily or monthly".into(),
                ));
            }
            if let Some(whole) = &ind.part_of {
                match known(whole) {
                    None => errors.push(problem(
                        &entry,
                        "part_of",
                        format!("unknown indicator '{whole}'"),
                    )),
                    Some(w) if w.code == ind.code => errors.push(problem(
                        &entry,
                        "part_of",
                        "an indicator cannot be part of itself".into(),
                    )),
                    Some(w)
                        if w.unit.dimension() != ind.unit.dimension()
                            || w.cadence != ind.cadence =>
                    {
                        errors.push(problem(
                            &entry,
                            "part_of",
                            format!(
                                "indicator '{whole}' is not measured and reported like this one"
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
            for code in &ind.estimates {
                match known(code) {
                    None => errors.push(problem(&entry, "estimates", format!("unknown indicator '{code}'"))),
                    Some(e) if e.cadence != Cadence::Yearly || e.unit.dimension() != ind.unit.dimension() => {
                        errors.push(problem(
                            &entry,
                            "estimates",
                            format!("indicator '{code}' is not a yearly amount comparable with this one"),
                        ))
                    }
                    Some(_) => {}
                }
            }
            if let Some(t) = ind.province_threshold {
                let ordered = match ind.direction {
                    Direction::HigherIsBetter => t.critical <= t.warning,
                    Direction::LowerIsBetter => t.critical >= t.warning,
                    Direction::Neutral => false,
                };
                if !ordered {
                    errors.push(problem(
                        &entry,
                        "province_threshold",
                        format!(
                            "critical {} must be beyond warning {} for {}",
                            t.critical,
                            t.warning,
                            direction_text(ind.direction)
                        ),
                    ));
                }
            }
        }

        let mut investor_index = HashMap::new();
        for (i, inv) in investors.iter().enumerate() {
            let texts = [
                ("name_vi", inv.name_vi.as_str()),
                ("name_en", &inv.name_en),
                ("short_vi", &inv.short_vi),
                ("short_en", &inv.short_en),
            ];
            let entry = check_entry(
                "investor",
                i,
                &inv.code,
                &texts,
                &mut investor_index,
                &mut errors,
            );
            if let Some(agency) = inv
                .agency
                .as_ref()
                .filter(|a| !agency_index.contains_key(*a))
            {
                errors.push(problem(
                    &entry,
                    "agency",
                    format!("unknown agency '{agency}'"),
                ));
            }
            if !area_index.contains_key(&inv.area) {
                errors.push(problem(
                    &entry,
                    "area",
                    format!("unknown area '{}'", inv.area),
                ));
            }
        }
        let mut project_index = HashMap::new();
        for (i, p) in projects.iter().enumerate() {
            let entry = check_entry(
                "project",
                i,
                &p.code,
                &[("name_vi", &p.name_vi), ("sector", &p.sector)],
                &mut project_index,
                &mut errors,
            );
            if !investor_index.contains_key(&p.investor) {
                errors.push(problem(
                    &entry,
                    "investor",
                    format!("unknown investor '{}'", p.investor),
                ));
            }
            if p.communes.is_empty() {
                errors.push(problem(
                    &entry,
                    "communes",
                    "names at least one commune".into(),
                ));
            }
            for code in &p.communes {
                match area_index.get(code).map(|&i| &areas[i]) {
                    Some(a) if a.is_commune_level() && a.valid_to.is_none() => {}
                    Some(_) => errors.push(problem(
                        &entry,
                        "communes",
                        format!("'{code}' is not a commune-level unit of today"),
                    )),
                    None => errors.push(problem(
                        &entry,
                        "communes",
                        format!("unknown area '{code}'"),
                    )),
                }
            }
            if p.end_year < p.start_year {
                errors.push(problem(&entry, "end_year", "is before start_year".into()));
            }
            if let Some([lon, lat]) = p.point {
                if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                    errors.push(problem(
                        &entry,
                        "point",
                        format!("[{lon}, {lat}] is not [longitude, latitude]"),
                    ));
                }
            }
        }
        let rules = &disbursement;
        if rules.expected.windows(2).any(|w| w[1] < w[0])
            || rules.expected[11] > rules.expected_by_extension_end
            || rules.expected_by_extension_end > 100
        {
            errors.push(problem(
                "disbursement",
                "expected",
                "the expected shares must not fall through the year and stay within 100".into(),
            ));
        }
        if rules.critical_share_of_expected <= Decimal::ZERO
            || rules.critical_share_of_expected > Decimal::ONE
        {
            errors.push(problem(
                "disbursement",
                "critical_share_of_expected",
                format!("{} is not in (0, 1]", rules.critical_share_of_expected),
            ));
        }

        let calendar = super::workdays::WorkCalendar::from_years(&holidays).unwrap_or_else(|e| {
            errors.extend(
                e.into_iter()
                    .map(|(entry, field, reason)| problem(&entry, field, reason)),
            );
            Default::default()
        });

        if errors.is_empty() {
            Ok(Catalogue {
                province,
                agencies,
                areas,
                crosswalk,
                indicators,
                investors,
                projects,
                disbursement,
                directives_office,
                calendar,
                agency_index,
                area_index,
                indicator_index,
                investor_index,
                project_index,
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

    /// The groups agency `code` belongs to.
    pub fn groups_of(&self, code: &str) -> Vec<String> {
        let Some(agency) = self.agency(code) else {
            return Vec::new();
        };
        self.agencies
            .iter()
            .filter(|g| g.members.is_some_and(|m| m.include(agency)))
            .map(|g| g.code.clone())
            .collect()
    }

    /// Whether `code` holds a plan or an estimate: a yearly figure that another indicator is
    /// measured against (its target or one of its estimates), or a project's capital plan.
    /// Next year's may be sent from 1 December (councils adopt them by 10 December).
    pub fn is_plan(&self, code: &str) -> bool {
        let Some(ind) = self.indicator(code) else {
            return false;
        };
        ind.cadence == Cadence::Yearly
            && (ind.by_project
                || self.indicators.iter().any(|i| {
                    i.estimates.iter().any(|e| e == code)
                        || matches!(&i.target, Some(Target::Indicator(t)) if t == code)
                }))
    }

    pub fn investor(&self, code: &str) -> Option<&Investor> {
        self.investor_index.get(code).map(|&i| &self.investors[i])
    }

    pub fn project(&self, code: &str) -> Option<&Project> {
        self.project_index.get(code).map(|&i| &self.projects[i])
    }

    /// The unit an agency means by `code` for figures from `start` to `end`: the unit with
    /// that key if it existed then, else the unit with that official code that did (an
    /// official code can denote different units before and after a reform).
    pub fn resolve_area(&self, code: &str, start: time::Date, end: time::Date) -> Option<&Area> {
        match self.area(code) {
            Some(a) if a.valid_during(start, end) => Some(a),
            found => self
                .areas
                .iter()
                .find(|a| a.official_code() == code && a.valid_during(start, end))
                .or(found),
        }
    }

    /// The units that existed on `date`.
    pub fn areas_on(&self, date: time::Date) -> impl Iterator<Item = &Area> {
        self.areas.iter().filter(move |a| a.valid_on(date))
    }

    /// Carries figures of pre-reform units over to their successors through the crosswalk:
    /// each value goes to the successors in proportion to the shares. Values of units
    /// without a successor are returned unchanged.
    pub fn carry_forward(&self, values: &[(String, Decimal)]) -> Vec<(String, Decimal)> {
        let mut out: Vec<(String, Decimal)> = Vec::new();
        let mut add = |code: &str, v: Decimal| match out.iter_mut().find(|(c, _)| c == code) {
            Some((_, total)) => *total += v,
            None => out.push((code.to_string(), v)),
        };
        for (code, value) in values {
            let links: Vec<&CrosswalkLink> =
                self.crosswalk.iter().filter(|l| &l.from == code).collect();
            if links.is_empty() {
                add(code, *value);
            }
            for link in links {
                add(&link.to, *value * link.share);
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;
    use time::macros::date;

    pub fn agency(code: &str) -> Agency {
        Agency {
            code: code.into(),
            name_vi: format!("Cơ quan {code}"),
            name_en: format!("Agency {code}"),
            short_vi: code.into(),
            short_en: code.into(),
            area: None,
            former_names: Vec::new(),
            members: None,
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
            threshold: None,
            max_age_hours: None,
            source: None,
            by_project: false,
            by_agency: false,
            cumulative: false,
            part_of: None,
            estimates: Vec::new(),
            province_threshold: None,
            extension: false,
        }
    }

    pub fn area(code: &str, kind: AreaKind, parent: Option<&str>) -> Area {
        Area {
            code: code.into(),
            official_code: None,
            name_vi: format!("Đơn vị {code}"),
            kind,
            parent: parent.map(Into::into),
            valid_from: None,
            valid_to: None,
            point: None,
        }
    }

    pub fn province() -> Area {
        Area {
            name_vi: "Tỉnh Sơn La".into(),
            ..area("14", AreaKind::Province, None)
        }
    }

    /// A province with two pre-reform communes merged into one new commune, and a third
    /// split between two new ones.
    pub fn reformed() -> ProvinceData {
        let old = |code: &str| Area {
            official_code: Some(code.into()),
            valid_to: Some(date!(2025 - 06 - 30)),
            ..area(&format!("{code}-20250630"), AreaKind::Commune, Some("14"))
        };
        let new = |code: &str| Area {
            valid_from: Some(date!(2025 - 07 - 01)),
            ..area(code, AreaKind::Commune, Some("14"))
        };
        let link = |from: &str, to: &str, share: &str| CrosswalkLink {
            from: from.into(),
            to: to.into(),
            share: Decimal::from_str(share).unwrap(),
        };
        ProvinceData {
            province: "14".into(),
            agencies: vec![agency("STC")],
            areas: vec![
                province(),
                old("00001"),
                old("00002"),
                old("00003"),
                new("00001"),
                new("00009"),
            ],
            crosswalk: vec![
                link("00001-20250630", "00001", "1"),
                link("00002-20250630", "00001", "1"),
                link("00003-20250630", "00001", "0.4"),
                link("00003-20250630", "00009", "0.6"),
            ],
            indicators: vec![indicator("a.rate", "STC")],
            investors: Vec::new(),
            projects: Vec::new(),
            disbursement: DisbursementRules::default(),
            directives_office: None,
            holidays: Vec::new(),
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
        let c = Catalogue::new(reformed()).unwrap();
        assert_eq!(c.indicator("a.rate").unwrap().agency, "STC");
        assert!(c.indicator("nope").is_none());
        assert_eq!(c.areas_on(date!(2025 - 06 - 30)).count(), 4);
        assert_eq!(c.areas_on(date!(2025 - 07 - 01)).count(), 3);
    }

    #[test]
    fn an_official_code_means_the_unit_of_its_time() {
        let c = Catalogue::new(reformed()).unwrap();
        let before = c
            .resolve_area("00001", date!(2024 - 01 - 01), date!(2024 - 12 - 31))
            .unwrap();
        assert_eq!(before.code, "00001-20250630");
        let after = c
            .resolve_area("00001", date!(2025 - 11 - 01), date!(2025 - 11 - 30))
            .unwrap();
        assert_eq!(after.code, "00001");
        assert_eq!(
            c.resolve_area(
                "00002-20250630",
                date!(2024 - 01 - 01),
                date!(2024 - 01 - 01)
            )
            .unwrap()
            .official_code(),
            "00002"
        );
        // a unit that did not exist then is still found, for a clear error
        assert_eq!(
            c.resolve_area("00009", date!(2024 - 01 - 01), date!(2024 - 01 - 01))
                .unwrap()
                .code,
            "00009"
        );
    }

    #[test]
    fn crosswalk_carries_figures_to_the_new_units() {
        let c = Catalogue::new(reformed()).unwrap();
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let mut moved = c.carry_forward(&[
            ("00001-20250630".into(), d("10")),
            ("00002-20250630".into(), d("5")),
            ("00003-20250630".into(), d("100")),
            ("14".into(), d("7")),
        ]);
        moved.sort();
        assert_eq!(
            moved,
            vec![
                ("00001".into(), d("55.0")),
                ("00009".into(), d("60.0")),
                ("14".into(), d("7"))
            ]
        );
    }

    proptest! {
        #[test]
        fn crosswalk_keeps_the_total(a in 0i64..1_000_000_000_000, b in 0i64..1_000_000_000_000, c3 in 0i64..1_000_000) {
            let c = Catalogue::new(reformed()).unwrap();
            let values = vec![
                ("00001-20250630".to_string(), Decimal::from(a)),
                ("00002-20250630".to_string(), Decimal::from(b)),
                ("00003-20250630".to_string(), Decimal::new(c3, 2)),
            ];
            let before: Decimal = values.iter().map(|(_, v)| *v).sum();
            let moved = c.carry_forward(&values);
            let after: Decimal = moved.iter().map(|(_, v)| *v).sum();
            prop_assert_eq!(before, after);
            // the merged unit holds exactly the sum of its whole members and its share of the split one
            let merged = moved.iter().find(|(code, _)| code == "00001").unwrap().1;
            prop_assert_eq!(merged, Decimal::from(a) + Decimal::from(b) + Decimal::new(c3, 2) * Decimal::from_str("0.4").unwrap());
        }
    }

    #[test]
    fn reports_each_problem_by_entry_and_field() {
        let mut bad_target = indicator("b", "STC");
        bad_target.target = Some(Target::Indicator("missing".into()));
        let mut bad_range = indicator("c", "STC");
        bad_range.min = Some(Decimal::TEN);
        bad_range.max = Some(Decimal::ONE);
        let mut bad_threshold = indicator("t", "STC");
        bad_threshold.threshold = Some(Threshold {
            warning: Decimal::from(50),
            critical: Decimal::from(60),
        });
        let mut data = reformed();
        data.province = "99".into();
        data.agencies = vec![
            agency("STC"),
            agency("STC"),
            agency("bad code"),
            Agency {
                area: Some("nowhere".into()),
                ..agency("UB")
            },
        ];
        data.indicators = vec![
            indicator("a", "NOPE"),
            bad_target,
            bad_range,
            indicator("a", "STC"),
            bad_threshold,
        ];
        data.crosswalk[1].share = Decimal::from_str("0.5").unwrap();
        data.crosswalk.push(CrosswalkLink {
            from: "00001".into(),
            to: "ghost".into(),
            share: Decimal::ONE,
        });
        let errors = errors_of(Catalogue::new(data));
        for expected in [
            "agency STC: code: appears more than once",
            "agency bad code: code: must be 1–64 letters, digits, '.', '_' or '-'",
            "agency UB: area: unknown area 'nowhere'",
            "province: code: unknown area '99'",
            "indicator a: agency: unknown agency 'NOPE'",
            "indicator b: target: unknown indicator 'missing'",
            "indicator c: min: 10 is greater than max 1",
            "indicator a: code: appears more than once",
            "indicator t: threshold: critical 60 must be beyond warning 50 for higher_is_better (critical <= warning)",
            "crosswalk from 00002-20250630: share: shares add up to 0.5, not 1",
            "crosswalk link #5 (00001 → ghost): from: area '00001' still exists (no valid_to)",
            "crosswalk link #5 (00001 → ghost): to: unknown area 'ghost'",
        ] {
            assert!(errors.iter().any(|e| e == expected), "missing {expected:?} in {errors:#?}");
        }
    }

    #[test]
    fn a_successor_must_exist_the_day_after() {
        let mut data = reformed();
        data.areas[4].valid_from = Some(date!(2025 - 08 - 01));
        let errors = errors_of(Catalogue::new(data));
        assert!(
            errors.iter().any(|e| e
                .ends_with("to: area '00001' does not exist the day after '00001-20250630' ends")),
            "{errors:#?}"
        );
    }

    #[test]
    fn target_must_be_comparable() {
        let mut money = indicator("money", "STC");
        money.unit = Unit::Dong;
        let mut rate = indicator("rate", "STC");
        rate.target = Some(Target::Indicator("money".into()));
        let mut data = reformed();
        data.indicators = vec![money, rate];
        assert_eq!(
            errors_of(Catalogue::new(data)),
            vec!["indicator rate: target: indicator 'money' is measured in dong, not comparable with percent"]
        );
    }
}
