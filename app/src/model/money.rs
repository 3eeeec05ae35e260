//! The money view's rules: the fiscal calendar (plan years and their January extension,
//! statistical reporting periods, lũy kế and cùng kỳ), disbursement summed from projects,
//! the bands a disbursement rate is judged by at each time of year, the S-curve, its
//! projection and the pace still needed. Pure functions over exact decimals: the server's
//! API, its pages, its charts and the browser after each live update all use these, so a
//! number reads the same everywhere.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::{Date, Month};

use super::catalogue::{Catalogue, DisbursementRules};
use super::live::LiveValue;
use super::map::Band;
use super::period::Period;

/// The project-level indicators of public-investment capital.
pub const PLAN_PM: &str = "invest.project.plan.pm";
pub const PLAN_COUNCIL: &str = "invest.project.plan.council";
pub const PLAN_ADJUSTED: &str = "invest.project.plan.adjusted";
pub const DISBURSED: &str = "invest.project.disbursed.ytd";
pub const DISBURSED_EXTENSION: &str = "invest.project.disbursed.extension";
/// The national average disbursement rate, fed monthly as data.
pub const NATIONAL_RATE: &str = "invest.disbursement.rate.national";

/// Every indicator the disbursement view reads.
pub const INVESTMENT_INDICATORS: [&str; 6] = [
    PLAN_PM,
    PLAN_COUNCIL,
    PLAN_ADJUSTED,
    DISBURSED,
    DISBURSED_EXTENSION,
    NATIONAL_RATE,
];

fn day(year: i32, month: u8, day: u8) -> Date {
    let month = Month::try_from(month).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, day.min(month.length(year))).unwrap_or(Date::MIN)
}

fn month_end(year: i32, month: u8) -> Date {
    day(year, month, 31)
}

// ---------------------------------------------------------------------------------------
// The calendar

/// Whether a figure for `period` may be sent on `today`: once the period has started — or,
/// for a plan or an estimate (`planned_ahead`), next year's from 1 December (provincial
/// councils adopt next year's estimate and capital plan by 10 December).
pub fn period_open(period: Period, today: Date, planned_ahead: bool) -> bool {
    period.start() <= today
        || (planned_ahead
            && matches!(period, Period::Year(y) if y == today.year() + 1)
            && u8::from(today.month()) == 12)
}

/// Whether `period` is a day of the January extension (capital of the previous year may be
/// disbursed until 31 January).
pub fn in_extension(period: Period) -> bool {
    matches!(period, Period::Day(d) if d.month() == Month::January)
}

/// The plan year a view shows on `date`: in January, last year's (its capital is still
/// being disbursed, and this year's has barely started); otherwise this year's.
pub fn plan_year_shown(date: Date) -> i32 {
    if date.month() == Month::January {
        date.year() - 1
    } else {
        date.year()
    }
}

/// The last day capital of `plan_year` may be disbursed: 31 January of the next year.
pub fn extension_end(plan_year: i32) -> Date {
    day(plan_year + 1, 1, 31)
}

/// How periods are cut: calendar months, or the statistical reporting periods of Decree
/// 09/2019/NĐ-CP (the 15th of the previous month to the 14th).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Cut {
    #[default]
    Calendar,
    Reporting,
}

impl std::str::FromStr for Cut {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "calendar" => Ok(Cut::Calendar),
            "reporting" => Ok(Cut::Reporting),
            _ => Err(()),
        }
    }
}

/// The first and last day of month `month` of `year` under `cut`. A reporting month runs
/// from the 15th of the previous month to the 14th (January's from 15 December of the year
/// before).
pub fn month_span(cut: Cut, year: i32, month: u8) -> (Date, Date) {
    match cut {
        Cut::Calendar => (day(year, month, 1), month_end(year, month)),
        Cut::Reporting => {
            let (py, pm) = if month == 1 {
                (year - 1, 12)
            } else {
                (year, month - 1)
            };
            (day(py, pm, 15), day(year, month, 14))
        }
    }
}

/// The first and last day of quarter `quarter` of `year` under `cut` (a reporting quarter
/// runs from the 15th of the last month of the previous quarter to the 14th of its own
/// last month).
pub fn quarter_span(cut: Cut, year: i32, quarter: u8) -> (Date, Date) {
    let last = quarter * 3;
    (
        month_span(cut, year, last - 2).0,
        month_span(cut, year, last).1,
    )
}

/// The month (year, month) under `cut` that `date` falls in.
pub fn month_of(cut: Cut, date: Date) -> (i32, u8) {
    let (y, m) = (date.year(), u8::from(date.month()));
    match cut {
        Cut::Calendar => (y, m),
        Cut::Reporting if date.day() >= 15 => {
            if m == 12 {
                (y + 1, 1)
            } else {
                (y, m + 1)
            }
        }
        Cut::Reporting => (y, m),
    }
}

/// The same day last year (cùng kỳ); 29 February is compared with 28 February.
pub fn same_day_last_year(date: Date) -> Date {
    day(date.year() - 1, u8::from(date.month()), date.day())
}

/// A figure reported year to date (lũy kế, restarting each 1 January), by day: the latest
/// revision of each day's figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearToDate {
    days: BTreeMap<Date, Decimal>,
}

impl YearToDate {
    pub fn new(days: impl IntoIterator<Item = (Date, Decimal)>) -> YearToDate {
        YearToDate {
            days: days.into_iter().collect(),
        }
    }

    /// The cumulative figure at the end of `date`: the latest figure of its year up to that
    /// day. Before the year's first figure nothing is known (not zero: the agency may not
    /// have reported yet).
    pub fn at(&self, date: Date) -> Option<Decimal> {
        self.days
            .range(day(date.year(), 1, 1)..=date)
            .next_back()
            .map(|(_, v)| *v)
    }

    /// The latest figure and its day.
    pub fn latest(&self) -> Option<(Date, Decimal)> {
        self.days.iter().next_back().map(|(d, v)| (*d, *v))
    }

    /// The amount of the span from `start` to `end` (inclusive): the cumulative figure at
    /// its end minus the one the day before it starts, across the 1 January reset (a span
    /// that begins in December adds what was left of the old year).
    pub fn amount(&self, start: Date, end: Date) -> Option<Decimal> {
        let before = start.previous_day()?;
        let at_end = self.at(end)?;
        if before.year() == end.year() {
            // nothing reported yet this year before the span: it all falls in the span
            return Some(at_end - self.at(before).unwrap_or(Decimal::ZERO));
        }
        // the span crosses 1 January: the rest of the old year, then the new year's total
        let old_year_end = month_end(before.year(), 12);
        let tail = match (self.at(old_year_end), self.at(before)) {
            (Some(end_of_year), Some(at_before)) => end_of_year - at_before,
            (Some(_), None) | (None, None) => Decimal::ZERO,
            (None, Some(_)) => return None,
        };
        Some(tail + at_end)
    }

    /// The amount of month `month` of `year` under `cut`.
    pub fn month_amount(&self, cut: Cut, year: i32, month: u8) -> Option<Decimal> {
        let (start, end) = month_span(cut, year, month);
        self.amount(start, end)
    }

    /// The same period last year (cùng kỳ): the cumulative figure on the same day.
    pub fn same_period_last_year(&self, date: Date) -> Option<Decimal> {
        self.at(same_day_last_year(date))
    }

    /// Growth against cùng kỳ, in percent of last year's (e.g. 112,5 = up 12,5%).
    pub fn growth(&self, date: Date) -> Option<Decimal> {
        percent(self.at(date)?, self.same_period_last_year(date)?)
    }
}

/// `part` as a percentage of `whole`, exact to 28 digits; none of nothing.
pub fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else {
        part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
    }
}

/// The share of its year (%) gone by the end of `date`: where an evenly collected
/// year-to-date amount would stand against its estimate.
pub fn share_of_year(date: Date) -> Decimal {
    let days = if time::util::is_leap_year(date.year()) {
        366
    } else {
        365
    };
    (Decimal::from(date.ordinal()) * Decimal::ONE_HUNDRED / Decimal::from(days)).round_dp(1)
}

/// The estimate a year-to-date figure of `date` is compared with: the one of its own year,
/// never a later year's (from 1 December next year's estimate exists too).
pub fn estimate_for(estimates: &BTreeMap<i32, Decimal>, date: Date) -> Option<Decimal> {
    estimates.get(&date.year()).copied()
}

// ---------------------------------------------------------------------------------------
// Disbursement summed from projects

/// A project's capital plan for one year, by version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plans {
    /// Thủ tướng Chính phủ giao.
    #[serde(with = "crate::model::number::option", default)]
    pub pm: Option<Decimal>,
    /// HĐND tỉnh giao.
    #[serde(with = "crate::model::number::option", default)]
    pub council: Option<Decimal>,
    /// Điều chỉnh trong năm.
    #[serde(with = "crate::model::number::option", default)]
    pub adjusted: Option<Decimal>,
}

impl Plans {
    /// The plan in force: the adjusted one, else the council's, else the Prime Minister's.
    pub fn in_force(&self) -> Option<Decimal> {
        self.adjusted.or(self.council).or(self.pm)
    }

    fn add(&mut self, other: &Plans) {
        let sum = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or_default() + b.unwrap_or_default()),
        };
        self.pm = sum(self.pm, other.pm);
        self.council = sum(self.council, other.council);
        self.adjusted = sum(self.adjusted, other.adjusted);
    }
}

/// One project's figures for a plan year, as of a date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectFigures {
    pub plans: Plans,
    /// Disbursed of the plan year's capital, cumulative (including the January extension
    /// once it has started).
    #[serde(with = "crate::model::number")]
    pub disbursed: Decimal,
    /// The same at the previous report, for the movement.
    #[serde(with = "crate::model::number::option", default)]
    pub previous: Option<Decimal>,
    /// When the disbursement figure is valid to.
    #[serde(with = "crate::model::iso::rfc3339::option", default)]
    pub as_of: Option<time::OffsetDateTime>,
}

impl ProjectFigures {
    /// Disbursed as a percentage of the plan in force.
    pub fn rate(&self) -> Option<Decimal> {
        percent(self.disbursed, self.plans.in_force().unwrap_or_default())
    }
}

/// How disbursement rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Province,
    Investor,
    Commune,
    Project,
}

impl std::str::FromStr for By {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "province" => Ok(By::Province),
            "investor" => Ok(By::Investor),
            "commune" => Ok(By::Commune),
            "project" => Ok(By::Project),
            _ => Err(()),
        }
    }
}

/// Sums of plans and disbursement for one group of projects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub plans: Plans,
    /// Σ of each project's plan in force.
    #[serde(with = "crate::model::number")]
    pub plan: Decimal,
    #[serde(with = "crate::model::number")]
    pub disbursed: Decimal,
    /// Σ of previous disbursement (projects without one count their current figure).
    #[serde(with = "crate::model::number")]
    pub previous: Decimal,
    pub projects: usize,
    /// The oldest as-of time among its projects' figures: the group is as fresh as that.
    #[serde(with = "crate::model::iso::rfc3339::option", default)]
    pub as_of: Option<time::OffsetDateTime>,
}

impl Totals {
    fn add(&mut self, f: &ProjectFigures) {
        self.plans.add(&f.plans);
        self.plan += f.plans.in_force().unwrap_or_default();
        self.disbursed += f.disbursed;
        self.previous += f.previous.unwrap_or(f.disbursed);
        self.projects += 1;
        self.as_of = match (self.as_of, f.as_of) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// Disbursed as a percentage of the plan in force.
    pub fn rate(&self) -> Option<Decimal> {
        percent(self.disbursed, self.plan)
    }

    /// The change of the rate since the previous report, in percentage points.
    pub fn movement(&self) -> Option<Decimal> {
        Some(self.rate()? - percent(self.previous, self.plan)?)
    }
}

/// The group key of a project under `by`.
fn group_of<'a>(catalogue: &'a Catalogue, project: &'a str, by: By) -> Option<&'a str> {
    let p = catalogue.project(project)?;
    Some(match by {
        By::Province => catalogue.province.as_str(),
        By::Investor => p.investor.as_str(),
        By::Commune => p.commune(),
        By::Project => p.code.as_str(),
    })
}

/// Sums the projects' figures by `by`: every project of `figures` that the registry knows
/// counts once in exactly one group, so the groups of any grouping add up to the province.
pub fn totals(
    catalogue: &Catalogue,
    figures: &HashMap<String, ProjectFigures>,
    by: By,
) -> BTreeMap<String, Totals> {
    totals_by(figures, |code| {
        group_of(catalogue, code, by).map(str::to_string)
    })
}

/// Sums the projects' figures by the group `group` names for each (none: not counted).
pub fn totals_by(
    figures: &HashMap<String, ProjectFigures>,
    group: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, Totals> {
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    for (code, f) in figures {
        if let Some(g) = group(code) {
            out.entry(g).or_default().add(f);
        }
    }
    out
}

/// What the browser needs of the registry to sum projects live: each project's investor
/// and commune of record, and the names of every row it may show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlimRegistry {
    /// project code → (investor code, commune code)
    pub projects: BTreeMap<String, (String, String)>,
    /// investor, commune and project code → name
    pub names: BTreeMap<String, String>,
}

impl SlimRegistry {
    pub fn of(catalogue: &Catalogue, locale: super::Locale) -> SlimRegistry {
        let mut names = BTreeMap::new();
        for i in &catalogue.investors {
            names.insert(i.code.clone(), i.name(locale).to_string());
        }
        let mut projects = BTreeMap::new();
        for p in &catalogue.projects {
            projects.insert(
                p.code.clone(),
                (p.investor.clone(), p.commune().to_string()),
            );
            names.insert(p.code.clone(), p.name_vi.clone());
            if let Some(a) = catalogue.area(p.commune()) {
                names.insert(a.code.clone(), a.name_vi.clone());
            }
        }
        SlimRegistry { projects, names }
    }

    /// The group of a project under `by` (the province is `province`).
    pub fn group(&self, project: &str, by: By, province: &str) -> Option<String> {
        let (investor, commune) = self.projects.get(project)?;
        Some(match by {
            By::Province => province.to_string(),
            By::Investor => investor.clone(),
            By::Commune => commune.clone(),
            By::Project => project.to_string(),
        })
    }

    pub fn name(&self, code: &str) -> String {
        self.names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

/// One budget item as the money screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetRow {
    pub indicator: String,
    pub name: String,
    /// Indented under its whole.
    pub part: bool,
    #[serde(with = "crate::model::number::option")]
    pub ytd: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub month: Option<Decimal>,
    pub month_label: String,
    /// The estimate in force and its name.
    #[serde(with = "crate::model::number::option")]
    pub estimate: Option<Decimal>,
    pub estimate_label: String,
    #[serde(with = "crate::model::number::option")]
    pub same_period_last_year: Option<Decimal>,
    #[serde(with = "crate::model::iso::rfc3339::option", default)]
    pub as_of: Option<time::OffsetDateTime>,
    pub agency: String,
}

/// What the money screen shows, and where in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Focus {
    Province,
    Investor(String),
    Commune(String),
    Project(String),
}

/// A month end of a project's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectMonth {
    #[serde(with = "crate::model::iso::date")]
    pub day: Date,
    #[serde(with = "crate::model::number::option")]
    pub disbursed: Option<Decimal>,
}

/// The money screen's data, read on the server and carried in the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyScreen {
    pub viewer: super::account::Viewer,
    pub province_code: String,
    pub province_name: String,
    pub focus: Focus,
    pub year: i32,
    #[serde(with = "crate::model::iso::date")]
    pub date: Date,
    pub rules: DisbursementRules,
    pub registry: SlimRegistry,
    pub scurve: SCurve,
    pub budget: Vec<BudgetRow>,
    #[serde(with = "crate::model::number::option")]
    pub national: Option<Decimal>,
    pub national_period: Option<Period>,
    /// For a project's page: its registry entry's details and monthly history. The server
    /// draws them (the island's children); never sent to the browser.
    #[serde(skip)]
    pub project: Option<(super::Project, String, Vec<ProjectMonth>)>,
    /// The province's page: the commune map with disbursement and revenue layers.
    pub map: Option<(super::map::MapData, Vec<super::map::MapLayer>)>,
    pub epoch: String,
    pub offset: u64,
    pub values: Vec<LiveValue>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub server_time: time::OffsetDateTime,
    /// The working days freshness is judged by.
    pub calendar: super::workdays::WorkCalendar,
    /// The agencies' explanations in date of the figures the viewer sees, as the live
    /// stream's `explanations` frame carries them (JSON: the browser reads them with the
    /// frame's own code, see [`crate::live::LiveStore::explained`]).
    #[serde(default)]
    pub explanations: String,
}

/// The projects' figures for `plan_year` from live values (as the stream keeps them: the
/// latest period of each indicator, area and project). During the extension (values of
/// January of the next year) the extension figure, cumulative over the plan year, replaces
/// the December one.
pub fn project_figures<'a>(
    values: impl IntoIterator<Item = &'a LiveValue>,
    plan_year: i32,
) -> HashMap<String, ProjectFigures> {
    let mut out: HashMap<String, ProjectFigures> = HashMap::new();
    let mut extension: HashMap<String, &LiveValue> = HashMap::new();
    for v in values {
        let Some(project) = v.project.as_ref() else {
            continue;
        };
        let year_of = |p: Period| p.start().year();
        match v.indicator.as_str() {
            PLAN_PM | PLAN_COUNCIL | PLAN_ADJUSTED => {
                // the stream keeps the latest period and the one before: next year's plan
                // may already be in (from 1 December), this year's is then the previous
                let value = if year_of(v.period) == plan_year {
                    Some(v.value)
                } else {
                    v.previous
                        .as_ref()
                        .filter(|p| year_of(p.period) == plan_year)
                        .map(|p| p.value)
                };
                let Some(value) = value else { continue };
                let f = out.entry(project.clone()).or_default();
                match v.indicator.as_str() {
                    PLAN_PM => f.plans.pm = Some(value),
                    PLAN_COUNCIL => f.plans.council = Some(value),
                    _ => f.plans.adjusted = Some(value),
                }
            }
            DISBURSED if year_of(v.period) == plan_year => {
                let f = out.entry(project.clone()).or_default();
                f.disbursed = v.value;
                f.previous = v
                    .previous
                    .as_ref()
                    .filter(|p| year_of(p.period) == plan_year)
                    .map(|p| p.value);
                f.as_of = Some(v.as_of);
            }
            DISBURSED_EXTENSION if year_of(v.period) == plan_year + 1 => {
                extension.insert(project.clone(), v);
            }
            _ => {}
        }
    }
    for (project, v) in extension {
        let f = out.entry(project).or_default();
        f.previous = Some(
            v.previous
                .as_ref()
                .filter(|p| p.period.start().year() == plan_year + 1)
                .map(|p| p.value)
                .unwrap_or(f.disbursed),
        );
        f.disbursed = v.value;
        f.as_of = Some(v.as_of);
    }
    out
}

/// Figures no agency sends: sums of projects, computed wherever they are shown, keyed like
/// live values so tiles and maps show them as they show any other figure.
pub const DERIVED_DISBURSED: &str = "invest.disbursed.ytd";
pub const DERIVED_PLAN: &str = "invest.plan";
pub const DERIVED_RATE: &str = "invest.disbursement.rate";

/// The catalogue entry a sum of projects is shown with (it is in no province file: its
/// names, unit and owner follow from the project indicators). The rate's threshold is the
/// expected curve on `date`: a warning below it, critical below its critical share.
pub fn derived_indicator(
    catalogue: &Catalogue,
    code: &str,
    date: Date,
) -> Option<super::Indicator> {
    let base = catalogue.indicator(DISBURSED)?.clone();
    let rules = &catalogue.disbursement;
    let (name_vi, name_en, unit, target, threshold, direction, min, max) = match code {
        DERIVED_DISBURSED => (
            "Giải ngân vốn đầu tư công (lũy kế năm kế hoạch, tổng các dự án)",
            "Public investment disbursed (plan year to date, all projects)",
            super::Unit::Dong,
            Some(super::Target::Indicator(DERIVED_PLAN.into())),
            None,
            super::Direction::HigherIsBetter,
            Some(Decimal::ZERO),
            None,
        ),
        DERIVED_PLAN => (
            "Kế hoạch vốn đầu tư công năm đang thực hiện (tổng các dự án)",
            "Public investment capital plan in force (all projects)",
            super::Unit::Dong,
            None,
            None,
            super::Direction::Neutral,
            Some(Decimal::ZERO),
            None,
        ),
        DERIVED_RATE => {
            let expected = expected_rate(rules, plan_year_shown(date), date);
            let critical = (expected * rules.critical_share_of_expected).round_dp(1);
            (
                "Tỷ lệ giải ngân vốn đầu tư công so với kế hoạch",
                "Public investment disbursement rate against the plan",
                super::Unit::Percent,
                None,
                Some(super::Threshold {
                    warning: expected.round_dp(1).max(critical),
                    critical,
                }),
                super::Direction::HigherIsBetter,
                Some(Decimal::ZERO),
                Some(Decimal::ONE_HUNDRED),
            )
        }
        _ => return None,
    };
    Some(super::Indicator {
        code: code.into(),
        name_vi: name_vi.into(),
        name_en: name_en.into(),
        unit,
        target,
        threshold,
        direction,
        min,
        max,
        by_project: false,
        by_agency: false,
        cumulative: false,
        source: None,
        ..base
    })
}

/// Whether `indicator` is one of the sums of projects.
pub fn is_derived(indicator: &str) -> bool {
    matches!(indicator, DERIVED_DISBURSED | DERIVED_PLAN | DERIVED_RATE)
}

/// The sums of the projects' live values for `plan_year`, for each commune of record and
/// for the province (`province`): disbursed, plan in force and rate. Each is as fresh as
/// its oldest project figure, and carries the newest offset that went into it.
pub fn derived_values<'a>(
    values: impl IntoIterator<Item = &'a LiveValue> + Clone,
    plan_year: i32,
    province: &str,
) -> Vec<LiveValue> {
    let figures = project_figures(values.clone(), plan_year);
    let mut meta: HashMap<&str, (&str, u64)> = HashMap::new();
    for v in values {
        if let Some(p) = v.project.as_deref() {
            let entry = meta.entry(p).or_insert((v.area.as_str(), 0));
            entry.1 = entry.1.max(v.offset);
        }
    }
    let mut groups: BTreeMap<&str, (Totals, u64)> = BTreeMap::new();
    for (code, f) in &figures {
        let Some(&(area, offset)) = meta.get(code.as_str()) else {
            continue;
        };
        for key in [area, province] {
            let (t, o) = groups.entry(key).or_default();
            t.add(f);
            *o = (*o).max(offset);
        }
    }
    let mut out = Vec::new();
    for (area, (t, offset)) in groups {
        let Some(as_of) = t.as_of else { continue };
        let period = Period::Day(super::format::vietnam_date(as_of));
        let make = |indicator: &str, value: Decimal, unit: super::Unit| LiveValue {
            indicator: indicator.into(),
            area: area.into(),
            project: None,
            period,
            value,
            unit,
            agency: "KBNN".into(),
            as_of,
            revision: 1,
            offset,
            previous: None,
        };
        out.push(make(DERIVED_DISBURSED, t.disbursed, super::Unit::Dong));
        out.push(make(DERIVED_PLAN, t.plan, super::Unit::Dong));
        if let Some(rate) = t.rate() {
            out.push(make(DERIVED_RATE, rate.round_dp(2), super::Unit::Percent));
        }
    }
    out
}

/// One row of a disbursement table (province, investor, commune or project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisbursementRow {
    pub code: String,
    pub name: String,
    pub plan: Plans,
    /// Σ of each project's plan in force (đồng).
    #[serde(with = "crate::model::number")]
    pub plan_in_force: Decimal,
    #[serde(with = "crate::model::number")]
    pub disbursed: Decimal,
    /// % of the plan in force, two decimals.
    #[serde(with = "crate::model::number::option")]
    pub rate: Option<Decimal>,
    /// `critical`, `warning`, `good` or `missing`, by the curve of the date and the
    /// national average.
    pub band: String,
    /// 1 = highest rate; rows without a rate last.
    pub rank: usize,
    /// Change of the rate since the previous report, percentage points.
    #[serde(with = "crate::model::number::option")]
    pub movement: Option<Decimal>,
    pub below_national: bool,
    /// The Government's band: below 20% once the curve expects more.
    pub below_low_rate: bool,
    pub projects: usize,
    /// The oldest as-of time of its projects' figures.
    #[serde(with = "crate::model::iso::rfc3339::option", default)]
    pub as_of: Option<time::OffsetDateTime>,
}

/// Rows from totals, ranked by rate (highest first; ties by code), judged on `date`.
pub fn rank_rows(
    rules: &DisbursementRules,
    totals: BTreeMap<String, Totals>,
    name: impl Fn(&str) -> String,
    plan_year: i32,
    date: Date,
    national: Option<Decimal>,
) -> Vec<DisbursementRow> {
    let mut rows: Vec<DisbursementRow> = totals
        .into_iter()
        .map(|(code, t)| {
            let rate = t.rate().map(|r| r.round_dp(2));
            DisbursementRow {
                name: name(&code),
                plan: t.plans,
                plan_in_force: t.plan,
                disbursed: t.disbursed,
                band: rate_band(rules, rate, plan_year, date, national)
                    .name()
                    .to_string(),
                rank: 0,
                movement: t.movement().map(|m| m.round_dp(2)),
                below_national: matches!((rate, national), (Some(r), Some(n)) if r < n),
                below_low_rate: below_low_rate(rules, rate, plan_year, date),
                projects: t.projects,
                as_of: t.as_of,
                rate,
                code,
            }
        })
        .collect();
    rows.sort_by(|a, b| match (a.rate, b.rate) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.code.cmp(&b.code)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.code.cmp(&b.code),
    });
    for (i, row) in rows.iter_mut().enumerate() {
        row.rank = i + 1;
    }
    rows
}

/// A disbursement table for a plan year on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisbursementView {
    pub year: i32,
    #[serde(with = "crate::model::iso::date")]
    pub date: Date,
    pub by: By,
    /// The province's row: the sum of every row below, whatever the grouping.
    pub total: DisbursementRow,
    pub rows: Vec<DisbursementRow>,
    /// The national average disbursement rate, its month and when it was reported.
    #[serde(with = "crate::model::number::option")]
    pub national: Option<Decimal>,
    pub national_period: Option<Period>,
    /// Where the curve expects the rate on this date (%).
    #[serde(with = "crate::model::number")]
    pub expected: Decimal,
}

/// One month of an S-curve: cumulative rates (%) at the month's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// The last day of the month (the 13th point: 31 January of the next year).
    #[serde(with = "crate::model::iso::date")]
    pub day: Date,
    #[serde(with = "crate::model::number::option")]
    pub disbursed: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub rate: Option<Decimal>,
    #[serde(with = "crate::model::number")]
    pub expected: Decimal,
    #[serde(with = "crate::model::number::option")]
    pub last_year: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub national: Option<Decimal>,
}

/// A plan year's S-curve for the province or a commune, with its outlook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SCurve {
    pub year: i32,
    pub area: String,
    pub area_name: String,
    #[serde(with = "crate::model::iso::date")]
    pub date: Date,
    #[serde(with = "crate::model::number")]
    pub plan: Decimal,
    #[serde(with = "crate::model::number")]
    pub disbursed: Decimal,
    #[serde(with = "crate::model::number::option")]
    pub rate: Option<Decimal>,
    pub points: Vec<CurvePoint>,
    pub outlook: Outlook,
    #[serde(with = "crate::model::iso::rfc3339::option", default)]
    pub as_of: Option<time::OffsetDateTime>,
}

// ---------------------------------------------------------------------------------------
// Judging a rate at a time of year

/// The share of the plan (%) the province's curve expects disbursed by the end of `date`,
/// for capital of `plan_year`: linear between month ends, from 0 on 1 January to the
/// extension's share on 31 January of the next year.
pub fn expected_rate(rules: &DisbursementRules, plan_year: i32, date: Date) -> Decimal {
    let start = day(plan_year, 1, 1);
    if date < start {
        return Decimal::ZERO;
    }
    let end = extension_end(plan_year);
    if date >= end {
        return Decimal::from(rules.expected_by_extension_end);
    }
    // knots: (day before 1 January, 0), (end of each month, expected), (31 January, ext)
    let mut knots: Vec<(Date, Decimal)> =
        vec![(start.previous_day().unwrap_or(start), Decimal::ZERO)];
    for (i, share) in rules.expected.iter().enumerate() {
        knots.push((month_end(plan_year, i as u8 + 1), Decimal::from(*share)));
    }
    knots.push((end, Decimal::from(rules.expected_by_extension_end)));
    for w in knots.windows(2) {
        let ((d0, v0), (d1, v1)) = (w[0], w[1]);
        if date <= d1 {
            let span = Decimal::from((d1 - d0).whole_days());
            let done = Decimal::from((date - d0).whole_days());
            return (v0 + (v1 - v0) * done / span).round_dp(2);
        }
    }
    Decimal::from(rules.expected_by_extension_end)
}

/// The band of a disbursement rate on `date`: critical below the critical share of where
/// the curve expects it, a warning below the curve or below the national average, good
/// otherwise. A rate of 15% is on track on 20 April and critical on 30 September.
pub fn rate_band(
    rules: &DisbursementRules,
    rate: Option<Decimal>,
    plan_year: i32,
    date: Date,
    national: Option<Decimal>,
) -> Band {
    let Some(rate) = rate else {
        return Band::Missing;
    };
    let expected = expected_rate(rules, plan_year, date);
    if rate < expected * rules.critical_share_of_expected {
        Band::Critical
    } else if rate < expected || national.is_some_and(|n| rate < n) {
        Band::Warning
    } else {
        Band::Good
    }
}

/// Whether a rate falls in the Government's laggard band (below 20%), which counts only
/// once the curve expects more than that.
pub fn below_low_rate(
    rules: &DisbursementRules,
    rate: Option<Decimal>,
    plan_year: i32,
    date: Date,
) -> bool {
    let low = Decimal::from(rules.low_rate);
    rate.is_some_and(|r| r < low) && expected_rate(rules, plan_year, date) > low
}

// ---------------------------------------------------------------------------------------
// The S-curve, its projection and the pace needed

/// Where the year-end rate is heading, and what it takes to finish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlook {
    /// The projected rate at 31 January of the next year (%), capped at 100.
    #[serde(with = "crate::model::number::option")]
    pub projection: Option<Decimal>,
    /// How it was projected.
    pub method: ProjectionMethod,
    /// Đồng a month still needed to reach 95% and 100% of the plan by 31 January (whole
    /// đồng, rounded up); zero once reached.
    #[serde(with = "crate::model::number::option")]
    pub needed_for_95: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub needed_for_100: Option<Decimal>,
    /// Months still to run whose end is after the date, up to the end of the extension.
    pub months_left: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionMethod {
    /// This year's rate scaled by last year's: (last year's final rate) ÷ (last year's
    /// rate on the same day).
    LastYearsShape,
    /// No usable last year: scaled by the expected curve instead.
    ExpectedCurve,
    /// Nothing to project from.
    None,
}

/// The months still to run after `date` until the end of the January extension: those
/// whose last day is later (on 30 September: October, November, December and January; on
/// 5 October the same four).
fn months_left(plan_year: i32, date: Date) -> u32 {
    curve_days(plan_year)
        .iter()
        .filter(|end| **end > date)
        .count() as u32
}

/// The outlook of a plan year on `date`, with `rate` and `disbursed` now against `plan`;
/// `last_year_now` and `last_year_final` are last year's rates on the same day and at the
/// end of its extension.
pub fn outlook(
    rules: &DisbursementRules,
    plan_year: i32,
    date: Date,
    plan: Decimal,
    disbursed: Decimal,
    last_year_now: Option<Decimal>,
    last_year_final: Option<Decimal>,
) -> Outlook {
    let rate = percent(disbursed, plan);
    let cap = |v: Decimal| v.min(Decimal::ONE_HUNDRED).round_dp(1);
    let (projection, method) = match (rate, last_year_now, last_year_final) {
        (Some(r), Some(now), Some(fin)) if now > Decimal::ZERO => {
            (Some(cap(r * fin / now)), ProjectionMethod::LastYearsShape)
        }
        (Some(r), _, _) => {
            let expected_now = expected_rate(rules, plan_year, date);
            if expected_now > Decimal::ZERO {
                let fin = Decimal::from(rules.expected_by_extension_end);
                (
                    Some(cap(r * fin / expected_now)),
                    ProjectionMethod::ExpectedCurve,
                )
            } else {
                (None, ProjectionMethod::None)
            }
        }
        _ => (None, ProjectionMethod::None),
    };
    let months = months_left(plan_year, date);
    let needed = |share: i64| -> Option<Decimal> {
        if months == 0 || plan.is_zero() {
            return None;
        }
        let goal = plan * Decimal::from(share) / Decimal::ONE_HUNDRED;
        let remaining = (goal - disbursed).max(Decimal::ZERO);
        Some(
            (remaining / Decimal::from(months))
                .round_dp_with_strategy(0, RoundingStrategy::AwayFromZero),
        )
    };
    Outlook {
        projection,
        method,
        needed_for_95: needed(95),
        needed_for_100: needed(100),
        months_left: months,
    }
}

/// The months of a plan year's S-curve: January to December and the extension (13 points,
/// each the last day of its month).
pub fn curve_days(plan_year: i32) -> [Date; 13] {
    let mut days = [Date::MIN; 13];
    for (i, d) in days.iter_mut().enumerate().take(12) {
        *d = month_end(plan_year, i as u8 + 1);
    }
    days[12] = extension_end(plan_year);
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::tests::{area, indicator, province, reformed};
    use crate::model::catalogue::ProvinceData;
    use crate::model::registry::{CapitalSource, Investor, InvestorKind, Project, ProjectGroup};
    use crate::model::AreaKind;
    use proptest::prelude::*;
    use std::str::FromStr;
    use time::macros::date;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn next_years_plan_and_estimate_may_come_from_1_december() {
        let next = Period::Year(2027);
        assert!(!period_open(next, date!(2026 - 11 - 30), true));
        assert!(period_open(next, date!(2026 - 12 - 01), true));
        assert!(period_open(next, date!(2026 - 12 - 10), true));
        assert!(period_open(next, date!(2026 - 12 - 31), true));
        // only plans and estimates, only next year's
        assert!(!period_open(next, date!(2026 - 12 - 01), false));
        assert!(!period_open(
            Period::Year(2028),
            date!(2026 - 12 - 01),
            true
        ));
        // a month or a day ahead never
        assert!(!period_open(
            "2027-01".parse().unwrap(),
            date!(2026 - 12 - 15),
            true
        ));
        // what has started is always open
        assert!(period_open(
            Period::Year(2026),
            date!(2026 - 01 - 01),
            false
        ));
        assert!(period_open(
            "2026-12-01".parse().unwrap(),
            date!(2026 - 12 - 01),
            false
        ));
    }

    #[test]
    fn january_shows_last_years_plan() {
        assert_eq!(plan_year_shown(date!(2027 - 01 - 01)), 2026);
        assert_eq!(plan_year_shown(date!(2027 - 01 - 31)), 2026);
        assert_eq!(plan_year_shown(date!(2027 - 02 - 01)), 2027);
        assert_eq!(plan_year_shown(date!(2026 - 12 - 31)), 2026);
        assert!(in_extension("2027-01-31".parse().unwrap()));
        assert!(!in_extension("2027-02-01".parse().unwrap()));
        assert!(!in_extension("2027-01".parse().unwrap()));
        assert_eq!(extension_end(2024), date!(2025 - 01 - 31));
    }

    #[test]
    fn reporting_periods_run_from_the_15th_to_the_14th() {
        assert_eq!(
            month_span(Cut::Reporting, 2026, 1),
            (date!(2025 - 12 - 15), date!(2026 - 01 - 14))
        );
        assert_eq!(
            month_span(Cut::Reporting, 2026, 3),
            (date!(2026 - 02 - 15), date!(2026 - 03 - 14))
        );
        assert_eq!(
            month_span(Cut::Calendar, 2028, 2),
            (date!(2028 - 02 - 01), date!(2028 - 02 - 29))
        );
        assert_eq!(
            quarter_span(Cut::Reporting, 2026, 1),
            (date!(2025 - 12 - 15), date!(2026 - 03 - 14))
        );
        assert_eq!(
            quarter_span(Cut::Reporting, 2026, 4),
            (date!(2026 - 09 - 15), date!(2026 - 12 - 14))
        );
        assert_eq!(
            quarter_span(Cut::Calendar, 2026, 4),
            (date!(2026 - 10 - 01), date!(2026 - 12 - 31))
        );
        assert_eq!(month_of(Cut::Reporting, date!(2026 - 12 - 15)), (2027, 1));
        assert_eq!(month_of(Cut::Reporting, date!(2026 - 12 - 14)), (2026, 12));
        assert_eq!(month_of(Cut::Calendar, date!(2026 - 12 - 15)), (2026, 12));
    }

    proptest! {
        /// Every day belongs to exactly one reporting month, and the months tile the
        /// calendar with no gap or overlap.
        #[test]
        fn reporting_months_tile_the_calendar(y in 1990i32..2100, m in 1u8..=12) {
            let (start, end) = month_span(Cut::Reporting, y, m);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            prop_assert_eq!(month_span(Cut::Reporting, ny, nm).0, end.next_day().unwrap());
            prop_assert_eq!(month_of(Cut::Reporting, start), (y, m));
            prop_assert_eq!(month_of(Cut::Reporting, end), (y, m));
        }
    }

    fn revenue() -> YearToDate {
        YearToDate::new([
            (date!(2025 - 12 - 14), d("4000")),
            (date!(2025 - 12 - 31), d("4600")),
            (date!(2026 - 01 - 14), d("150")),
            (date!(2026 - 01 - 31), d("380")),
            (date!(2026 - 02 - 28), d("700")),
            (date!(2026 - 03 - 14), d("900")),
        ])
    }

    #[test]
    fn year_to_date_restarts_on_1_january() {
        let r = revenue();
        assert_eq!(r.at(date!(2026 - 01 - 20)), Some(d("150")));
        assert_eq!(r.at(date!(2025 - 12 - 31)), Some(d("4600")));
        // nothing reported yet this year is unknown, not last year's total
        let early = YearToDate::new([(date!(2025 - 12 - 31), d("4600"))]);
        assert_eq!(early.at(date!(2026 - 01 - 01)), None);
        // the month is the difference of month ends; January's is its own total
        assert_eq!(r.month_amount(Cut::Calendar, 2026, 1), Some(d("380")));
        assert_eq!(r.month_amount(Cut::Calendar, 2026, 2), Some(d("320")));
        // a reporting January crosses the reset: 15–31 December plus 1–14 January
        assert_eq!(r.month_amount(Cut::Reporting, 2026, 1), Some(d("750")));
        // 15 February – 14 March: 900 on 14 March less 380 still standing on 14 February
        assert_eq!(r.month_amount(Cut::Reporting, 2026, 3), Some(d("520")));
    }

    #[test]
    fn same_period_last_year_and_growth() {
        let r = YearToDate::new([
            (date!(2025 - 03 - 31), d("1000")),
            (date!(2026 - 03 - 31), d("1125")),
            (date!(2027 - 02 - 28), d("10")),
            (date!(2028 - 02 - 29), d("12")),
        ]);
        assert_eq!(
            r.same_period_last_year(date!(2026 - 03 - 31)),
            Some(d("1000"))
        );
        assert_eq!(r.growth(date!(2026 - 03 - 31)), Some(d("112.5")));
        // a leap day is compared with 28 February
        assert_eq!(
            same_day_last_year(date!(2028 - 02 - 29)),
            date!(2027 - 02 - 28)
        );
        assert_eq!(r.growth(date!(2028 - 02 - 29)), Some(d("120")));
        // 1 January compares with 1 January, never with 31 December
        let jan = YearToDate::new([
            (date!(2025 - 01 - 01), d("20")),
            (date!(2025 - 12 - 31), d("4600")),
            (date!(2026 - 01 - 01), d("25")),
        ]);
        assert_eq!(jan.growth(date!(2026 - 01 - 01)), Some(d("125")));
    }

    #[test]
    fn the_share_of_the_year_counts_leap_days() {
        assert_eq!(share_of_year(date!(2026 - 01 - 01)), d("0.3"));
        assert_eq!(share_of_year(date!(2026 - 07 - 02)), d("50.1"));
        assert_eq!(share_of_year(date!(2026 - 12 - 31)), d("100"));
        assert_eq!(
            share_of_year(date!(2028 - 12 - 31)),
            d("100"),
            "day 366 of 366"
        );
        assert_eq!(share_of_year(date!(2028 - 02 - 29)), d("16.4"));
    }

    #[test]
    fn a_figure_is_compared_with_its_own_years_estimate() {
        let estimates = BTreeMap::from([(2026, d("4500")), (2027, d("5000"))]);
        // on 15 December the 2027 estimate exists; the 2026 figure is still judged by 2026's
        assert_eq!(
            estimate_for(&estimates, date!(2026 - 12 - 15)),
            Some(d("4500"))
        );
        assert_eq!(
            estimate_for(&estimates, date!(2027 - 01 - 02)),
            Some(d("5000"))
        );
        assert_eq!(estimate_for(&estimates, date!(2025 - 06 - 01)), None);
    }

    fn rules() -> DisbursementRules {
        DisbursementRules {
            expected: [3, 6, 10, 15, 22, 32, 40, 48, 57, 67, 78, 90],
            expected_by_extension_end: 100,
            critical_share_of_expected: d("0.6"),
            low_rate: 20,
            source: String::new(),
        }
    }

    #[test]
    fn the_expected_curve_follows_the_time_of_year() {
        let r = rules();
        assert_eq!(expected_rate(&r, 2026, date!(2026 - 03 - 31)), d("10"));
        assert_eq!(expected_rate(&r, 2026, date!(2026 - 12 - 31)), d("90"));
        assert_eq!(expected_rate(&r, 2026, date!(2027 - 01 - 31)), d("100"));
        assert_eq!(expected_rate(&r, 2026, date!(2025 - 12 - 31)), d("0"));
        let mid_april = expected_rate(&r, 2026, date!(2026 - 04 - 20));
        assert!(mid_april > d("13") && mid_april < d("14"), "{mid_april}");
        // leap years: the curve reaches February's share on the 29th
        assert_eq!(expected_rate(&r, 2028, date!(2028 - 02 - 29)), d("6"));
    }

    #[test]
    fn fifteen_percent_is_on_track_in_april_and_critical_in_september() {
        let r = rules();
        let band = |date: Date| rate_band(&r, Some(d("15")), date.year(), date, None);
        assert_eq!(band(date!(2026 - 04 - 20)), Band::Good);
        assert_eq!(band(date!(2026 - 09 - 30)), Band::Critical);
        // below the national average is a warning even when on the curve
        assert_eq!(
            rate_band(
                &r,
                Some(d("15")),
                2026,
                date!(2026 - 04 - 20),
                Some(d("16.2"))
            ),
            Band::Warning
        );
        assert_eq!(
            rate_band(&r, None, 2026, date!(2026 - 04 - 20), None),
            Band::Missing
        );
        // the Government's 20% band counts once the curve is past it
        assert!(!below_low_rate(
            &r,
            Some(d("15")),
            2026,
            date!(2026 - 04 - 20)
        ));
        assert!(below_low_rate(
            &r,
            Some(d("15")),
            2026,
            date!(2026 - 06 - 30)
        ));
        // in the extension, the year's plan is judged against the extension's share
        assert_eq!(
            rate_band(&r, Some(d("80")), 2026, date!(2027 - 01 - 31), None),
            Band::Warning
        );
    }

    #[test]
    fn outlook_projects_from_last_years_shape_and_counts_the_months_left() {
        let r = rules();
        let plan = d("6600000000000");
        let disbursed = d("3102000000000"); // 47%
        let o = outlook(
            &r,
            2026,
            date!(2026 - 09 - 30),
            plan,
            disbursed,
            Some(d("45")),
            Some(d("93")),
        );
        assert_eq!(o.method, ProjectionMethod::LastYearsShape);
        assert_eq!(o.projection, Some(d("97.1")));
        // October, November, December and the January extension
        assert_eq!(o.months_left, 4);
        // 95% of 6.600 tỷ = 6.270 tỷ; 3.168 tỷ over 4 months
        assert_eq!(o.needed_for_95, Some(d("792000000000")));
        assert_eq!(o.needed_for_100, Some(d("874500000000")));
        // without last year, the expected curve's shape
        let o = outlook(&r, 2026, date!(2026 - 09 - 30), plan, disbursed, None, None);
        assert_eq!(o.method, ProjectionMethod::ExpectedCurve);
        assert_eq!(o.projection, Some(d("82.5")));
        // in January only the extension month is left; a reached goal needs nothing
        let o = outlook(&r, 2026, date!(2027 - 01 - 10), plan, plan, None, None);
        assert_eq!(o.months_left, 1);
        assert_eq!(o.needed_for_100, Some(Decimal::ZERO));
        assert_eq!(o.projection, Some(d("100")));
        // on 5 October October still counts
        assert_eq!(
            outlook(&r, 2026, date!(2026 - 10 - 05), plan, disbursed, None, None).months_left,
            4
        );
        // from 31 January the year is closed
        let o = outlook(&r, 2026, date!(2027 - 01 - 31), plan, disbursed, None, None);
        assert_eq!((o.months_left, o.needed_for_95), (0, None));
    }

    /// A registry of `n` projects spread over three communes and four investors.
    fn registry(n: usize) -> Catalogue {
        let mut data: ProvinceData = reformed();
        data.areas = vec![
            province(),
            area("00001", AreaKind::Commune, Some("14")),
            area("00002", AreaKind::Ward, Some("14")),
            area("00003", AreaKind::Commune, Some("14")),
        ];
        data.crosswalk.clear();
        data.indicators = vec![indicator("a.rate", "STC")];
        data.investors = (0..4)
            .map(|i| Investor {
                code: format!("I{i}"),
                name_vi: format!("Chủ đầu tư {i}"),
                name_en: format!("Investor {i}"),
                short_vi: format!("CĐT {i}"),
                short_en: format!("Inv {i}"),
                kind: InvestorKind::Board,
                agency: None,
                area: "14".into(),
            })
            .collect();
        data.projects = (0..n)
            .map(|i| Project {
                code: format!("P{i}"),
                name_vi: format!("Dự án {i}"),
                investor: format!("I{}", i % 4),
                communes: vec![format!("0000{}", i % 3 + 1), "00003".into()],
                sector: "transport".into(),
                capital_source: CapitalSource::Local,
                group: ProjectGroup::C,
                start_year: 2025,
                end_year: 2027,
                point: None,
                demo: true,
            })
            .collect();
        Catalogue::new(data).unwrap()
    }

    proptest! {
        /// province = Σ investors = Σ communes = Σ projects, for every plan version, the plan
        /// in force and the disbursement, exactly.
        #[test]
        fn the_sum_rule_holds(
            figures in proptest::collection::vec(
                (0usize..40, proptest::option::of(0i64..1_000_000_000_000_000), proptest::option::of(0i64..1_000_000_000_000_000),
                 proptest::option::of(0i64..1_000_000_000_000_000), 0i64..1_000_000_000_000_000, proptest::option::of(0i64..1_000_000_000_000_000)),
                0..60)
        ) {
            let catalogue = registry(40);
            let mut map = HashMap::new();
            for (p, pm, council, adjusted, disbursed, previous) in figures {
                map.insert(format!("P{p}"), ProjectFigures {
                    plans: Plans { pm: pm.map(Decimal::from), council: council.map(Decimal::from), adjusted: adjusted.map(|v| Decimal::new(v, 3)) },
                    disbursed: Decimal::from(disbursed),
                    previous: previous.map(Decimal::from),
                    as_of: None,
                });
            }
            // a project the registry does not know counts nowhere
            map.insert("GHOST".into(), ProjectFigures { disbursed: Decimal::ONE, ..Default::default() });
            let province = totals(&catalogue, &map, By::Province);
            prop_assert!(province.len() <= 1);
            let whole = province.get("14").cloned().unwrap_or_default();
            for by in [By::Investor, By::Commune, By::Project] {
                let groups = totals(&catalogue, &map, by);
                let mut sum = Totals::default();
                for t in groups.values() {
                    sum.plans.add(&t.plans);
                    sum.plan += t.plan;
                    sum.disbursed += t.disbursed;
                    sum.previous += t.previous;
                    sum.projects += t.projects;
                }
                prop_assert_eq!(sum.plans, whole.plans, "{:?}", by);
                prop_assert_eq!(sum.plan, whole.plan);
                prop_assert_eq!(sum.disbursed, whole.disbursed);
                prop_assert_eq!(sum.previous, whole.previous);
                prop_assert_eq!(sum.projects, whole.projects);
            }
        }
    }

    #[test]
    fn a_project_counts_under_its_commune_of_record() {
        let catalogue = registry(3);
        let map = HashMap::from([
            (
                "P0".to_string(),
                ProjectFigures {
                    disbursed: d("5"),
                    plans: Plans {
                        council: Some(d("10")),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
            (
                "P1".to_string(),
                ProjectFigures {
                    disbursed: d("1"),
                    plans: Plans {
                        council: Some(d("10")),
                        adjusted: Some(d("4")),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ),
        ]);
        let communes = totals(&catalogue, &map, By::Commune);
        // P0 also runs through 00003 but is summed under 00001, once
        assert_eq!(communes.keys().collect::<Vec<_>>(), ["00001", "00002"]);
        assert_eq!(communes["00001"].rate(), Some(d("50")));
        // the adjusted plan is the one in force
        assert_eq!(communes["00002"].rate(), Some(d("25")));
        let province = &totals(&catalogue, &map, By::Province)["14"];
        assert_eq!(province.plan, d("14"));
        assert_eq!(province.plans.council, Some(d("20")));
        assert_eq!(province.plans.adjusted, Some(d("4")));
        assert_eq!(province.plans.pm, None);
    }

    fn live(
        indicator: &str,
        project: &str,
        period: &str,
        value: &str,
        previous: Option<(&str, &str)>,
    ) -> LiveValue {
        LiveValue {
            indicator: indicator.into(),
            area: "00001".into(),
            project: Some(project.into()),
            period: period.parse().unwrap(),
            value: d(value),
            unit: crate::model::Unit::Dong,
            agency: "KBNN".into(),
            as_of: time::macros::datetime!(2027-01-10 10:00 UTC),
            revision: 1,
            offset: 1,
            previous: previous.map(|(p, v)| crate::model::live::PreviousValue {
                period: p.parse().unwrap(),
                value: d(v),
            }),
        }
    }

    #[test]
    fn derived_sums_keep_the_oldest_as_of_and_add_up() {
        let mut a = live(DISBURSED, "P0", "2026-11-20", "30", None);
        a.as_of = time::macros::datetime!(2026-11-20 10:00 UTC);
        let mut b = live(DISBURSED, "P1", "2026-11-23", "10", None);
        b.area = "00002".into();
        b.offset = 9;
        let mut plan_b = live(PLAN_COUNCIL, "P1", "2026", "40", None);
        plan_b.area = "00002".into();
        let values = [a, b, live(PLAN_COUNCIL, "P0", "2026", "60", None), plan_b];
        let derived = derived_values(values.iter(), 2026, "14");
        let get = |ind: &str, area: &str| {
            derived
                .iter()
                .find(|v| v.indicator == ind && v.area == area)
                .unwrap()
        };
        assert_eq!(get(DERIVED_DISBURSED, "14").value, d("40"));
        assert_eq!(get(DERIVED_PLAN, "14").value, d("100"));
        assert_eq!(get(DERIVED_RATE, "14").value, d("40"));
        assert_eq!(get(DERIVED_RATE, "00001").value, d("50"));
        assert_eq!(get(DERIVED_RATE, "00002").value, d("25"));
        // the province is as fresh as its oldest project figure
        assert_eq!(
            get(DERIVED_RATE, "14").as_of,
            time::macros::datetime!(2026-11-20 10:00 UTC)
        );
        assert_eq!(get(DERIVED_RATE, "14").offset, 9);
        assert!(is_derived(DERIVED_RATE) && !is_derived(DISBURSED));
    }

    #[test]
    fn the_derived_rate_is_judged_by_the_curve_of_its_day() {
        let mut data = reformed();
        let mut disbursed = indicator(DISBURSED, "STC");
        disbursed.unit = crate::model::Unit::Dong;
        disbursed.cadence = crate::model::Cadence::Daily;
        disbursed.level = crate::model::Level::Commune;
        disbursed.by_project = true;
        disbursed.max = None;
        data.indicators.push(disbursed);
        data.disbursement = rules();
        let c = Catalogue::new(data).unwrap();
        let april = derived_indicator(&c, DERIVED_RATE, date!(2026 - 04 - 20)).unwrap();
        let september = derived_indicator(&c, DERIVED_RATE, date!(2026 - 09 - 30)).unwrap();
        let band =
            |i: &crate::model::Indicator| Band::of(Some(d("15")), i.threshold, i.direction, i.max);
        assert_ne!(band(&april), Band::Critical);
        assert_eq!(band(&september), Band::Critical);
        // in January the threshold is the extension's
        let january = derived_indicator(&c, DERIVED_RATE, date!(2027 - 01 - 31)).unwrap();
        assert_eq!(january.threshold.unwrap().warning, d("100"));
        assert!(derived_indicator(&c, "nope", date!(2026 - 04 - 20)).is_none());
    }

    #[test]
    fn figures_of_a_plan_year_from_live_values() {
        let values = [
            // next year's plan arrived in December; this year's is the previous period
            live(PLAN_COUNCIL, "P0", "2027", "90", Some(("2026", "100"))),
            live(PLAN_ADJUSTED, "P0", "2026", "120", None),
            live(
                DISBURSED,
                "P0",
                "2026-12-31",
                "80",
                Some(("2026-12-30", "70")),
            ),
            live(
                DISBURSED_EXTENSION,
                "P0",
                "2027-01-10",
                "95",
                Some(("2027-01-09", "90")),
            ),
            // a 2027 disbursement figure belongs to the 2027 plan
            live(DISBURSED, "P1", "2027-01-10", "3", None),
            live(PLAN_COUNCIL, "P1", "2026", "50", None),
        ];
        let f = project_figures(values.iter(), 2026);
        let p0 = &f["P0"];
        assert_eq!(p0.plans.council, Some(d("100")));
        assert_eq!(p0.plans.in_force(), Some(d("120")));
        // the extension replaces December's figure
        assert_eq!(p0.disbursed, d("95"));
        assert_eq!(p0.previous, Some(d("90")));
        assert_eq!(f["P1"].disbursed, Decimal::ZERO);
        let next = project_figures(values.iter(), 2027);
        assert_eq!(next["P0"].plans.council, Some(d("90")));
        assert_eq!(next["P1"].disbursed, d("3"));
    }
}
