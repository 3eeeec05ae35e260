//! Public services (dịch vụ công, thủ tục hành chính): a service desk's dossier counts,
//! their sums over days, the rates read from them, and the 100-point service index of
//! Decision 766/QĐ-TTg of 23/6/2022 with its five groups.
//!
//! Counts arrive per service desk and day (`services.desk.*`, see indicators.toml): a
//! commune's desk, or a province department's desk at the Provincial Public Administration
//! Service Centre. Flows (received, resolved, …) add up over days; the overdue count is a
//! stock — over a span it is the last day's.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

use super::Period;

use super::Locale;

/// The indicators a desk reports each day, in the order of [`Counts`]' fields.
pub const RECEIVED: &str = "services.desk.received";
pub const ONLINE: &str = "services.desk.received.online";
pub const FULL_ONLINE: &str = "services.desk.received.fullonline";
pub const RESOLVED: &str = "services.desk.resolved";
pub const ON_TIME: &str = "services.desk.resolved.ontime";
pub const OVERDUE: &str = "services.desk.overdue";
pub const RETURNED: &str = "services.desk.returned";
pub const DIGITIZED: &str = "services.desk.digitized";
pub const PAYABLE: &str = "services.desk.payable";
pub const PAID_ONLINE: &str = "services.desk.payable.online";
pub const RATED: &str = "services.desk.rated";
pub const SATISFIED: &str = "services.desk.rated.satisfied";
/// Monthly: the share of the desk's procedures and dossiers published on time (thủ tục
/// công bố, công khai đúng hạn; hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia), in percent.
pub const PUBLICITY: &str = "services.desk.publicity.rate";

/// Every daily count indicator.
pub const DAILY: [&str; 12] = [
    RECEIVED,
    ONLINE,
    FULL_ONLINE,
    RESOLVED,
    ON_TIME,
    OVERDUE,
    RETURNED,
    DIGITIZED,
    PAYABLE,
    PAID_ONLINE,
    RATED,
    SATISFIED,
];

/// Where dossiers are received: a commune's desk (its area code) or a province
/// department's (its agency code). In JSON `{"kind": "commune", "code": "03646"}`; in a
/// screen's compact encoding (which has no field names) whether it is a commune's, and
/// the code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Desk {
    Commune(String),
    Department(String),
}

/// [`Desk`] as JSON writes it.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
enum DeskJson {
    Commune(String),
    Department(String),
}

impl Serialize for Desk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let code = self.code().to_string();
        if !serializer.is_human_readable() {
            return (self.is_commune(), code).serialize(serializer);
        }
        match self {
            Desk::Commune(_) => DeskJson::Commune(code),
            Desk::Department(_) => DeskJson::Department(code),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Desk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            let (commune, code) = <(bool, String)>::deserialize(deserializer)?;
            return Ok(if commune {
                Desk::Commune(code)
            } else {
                Desk::Department(code)
            });
        }
        Ok(match DeskJson::deserialize(deserializer)? {
            DeskJson::Commune(code) => Desk::Commune(code),
            DeskJson::Department(code) => Desk::Department(code),
        })
    }
}

impl Desk {
    /// The desk a stored figure is about: a department's figures are the province's,
    /// naming the department in the project slot.
    pub fn of(area: &str, project: Option<&str>) -> Desk {
        match project {
            Some(agency) => Desk::Department(agency.to_string()),
            None => Desk::Commune(area.to_string()),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Desk::Commune(c) | Desk::Department(c) => c,
        }
    }

    pub fn is_commune(&self) -> bool {
        matches!(self, Desk::Commune(_))
    }
}

/// The department `code` names when it is the desk of a figure of `indicator` (an
/// indicator reported per service desk): what a task raised from such a figure is about.
pub fn department_desk<'a>(
    catalogue: &'a super::Catalogue,
    indicator: &str,
    code: &str,
) -> Option<&'a super::Agency> {
    catalogue
        .indicator(indicator)
        .filter(|i| i.by_agency)
        .and(catalogue.agency(code))
        .filter(|a| a.area.is_none() && a.members.is_none())
}

/// Which desks a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Agency,
    Commune,
}

impl std::str::FromStr for By {
    type Err = ();
    fn from_str(s: &str) -> Result<By, ()> {
        match s {
            "agency" => Ok(By::Agency),
            "commune" => Ok(By::Commune),
            _ => Err(()),
        }
    }
}

impl By {
    pub fn includes(self, desk: &Desk) -> bool {
        match self {
            By::Agency => !desk.is_commune(),
            By::Commune => desk.is_commune(),
        }
    }
}

/// A desk's dossier counts: of one day, or summed over days (the overdue stock is then the
/// last day's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: u64,
    /// Of those received, filed online …
    pub online: u64,
    /// … of which fully online (toàn trình).
    pub full_online: u64,
    pub resolved: u64,
    /// Of those resolved, on time; the others were resolved late.
    pub on_time: u64,
    /// In progress past their deadline.
    pub overdue: u64,
    /// Returned to the applicant or cancelled.
    pub returned: u64,
    /// Results digitised.
    pub digitized: u64,
    /// With fees or charges to pay, of which paid online.
    pub payable: u64,
    pub paid_online: u64,
    /// Satisfaction ratings given, of which satisfied.
    pub rated: u64,
    pub satisfied: u64,
}

/// A share in percent, to two decimals; none of nothing.
fn share(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part.min(whole)) * Decimal::ONE_HUNDRED / Decimal::from(whole)).round_dp(2)
    })
}

impl Counts {
    /// Sets the count `indicator` names (one of [`DAILY`]); false for another indicator.
    pub fn set(&mut self, indicator: &str, value: u64) -> bool {
        let slot = match indicator {
            RECEIVED => &mut self.received,
            ONLINE => &mut self.online,
            FULL_ONLINE => &mut self.full_online,
            RESOLVED => &mut self.resolved,
            ON_TIME => &mut self.on_time,
            OVERDUE => &mut self.overdue,
            RETURNED => &mut self.returned,
            DIGITIZED => &mut self.digitized,
            PAYABLE => &mut self.payable,
            PAID_ONLINE => &mut self.paid_online,
            RATED => &mut self.rated,
            SATISFIED => &mut self.satisfied,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Adds the flows of `later` and takes its overdue stock.
    pub fn then(self, later: Counts) -> Counts {
        Counts {
            received: self.received + later.received,
            online: self.online + later.online,
            full_online: self.full_online + later.full_online,
            resolved: self.resolved + later.resolved,
            on_time: self.on_time + later.on_time,
            overdue: later.overdue,
            returned: self.returned + later.returned,
            digitized: self.digitized + later.digitized,
            payable: self.payable + later.payable,
            paid_online: self.paid_online + later.paid_online,
            rated: self.rated + later.rated,
            satisfied: self.satisfied + later.satisfied,
        }
    }

    /// Two desks' counts of the same span together (stocks add too).
    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            overdue: self.overdue + other.overdue,
            ..self.then(other)
        }
    }

    /// Resolved after the deadline.
    pub fn resolved_late(&self) -> u64 {
        self.resolved.saturating_sub(self.on_time)
    }

    /// Filed online, of those received (%).
    pub fn online_rate(&self) -> Option<Decimal> {
        share(self.online, self.received)
    }

    /// Fully online, of those received (%).
    pub fn full_online_rate(&self) -> Option<Decimal> {
        share(self.full_online, self.received)
    }

    /// On time, of those resolved and those in progress past their deadline (%): a dossier
    /// left overdue counts against the rate before it is resolved.
    pub fn on_time_rate(&self) -> Option<Decimal> {
        share(self.on_time, self.resolved + self.overdue)
    }

    /// Results digitised, of those resolved (%).
    pub fn digitized_rate(&self) -> Option<Decimal> {
        share(self.digitized, self.resolved)
    }

    /// Paid online, of those with something to pay (%).
    pub fn payment_rate(&self) -> Option<Decimal> {
        share(self.paid_online, self.payable)
    }

    /// Satisfied, of the ratings (%).
    pub fn satisfaction_rate(&self) -> Option<Decimal> {
        share(self.satisfied, self.rated)
    }
}

/// A desk's counts by day, summed: over `from..=to`, and of `to` alone.
pub fn span(days: &BTreeMap<Date, Counts>, from: Date, to: Date) -> Counts {
    days.range(from..=to)
        .fold(Counts::default(), |sum, (_, c)| sum.then(*c))
}

// ---- what the API and the screen show ------------------------------------------------

/// Counts with the rates read from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    #[serde(flatten)]
    pub counts: Counts,
    pub resolved_late: u64,
    #[serde(with = "crate::model::number::option")]
    pub online_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub full_online_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub on_time_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub digitized_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub payment_rate: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub satisfaction_rate: Option<Decimal>,
}

impl From<Counts> for Figures {
    fn from(counts: Counts) -> Figures {
        Figures {
            counts,
            resolved_late: counts.resolved_late(),
            online_rate: counts.online_rate(),
            full_online_rate: counts.full_online_rate(),
            on_time_rate: counts.on_time_rate(),
            digitized_rate: counts.digitized_rate(),
            payment_rate: counts.payment_rate(),
            satisfaction_rate: counts.satisfaction_rate(),
        }
    }
}

/// One desk's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub desk: Desk,
    pub name: String,
    /// The day asked for.
    pub day: Figures,
    /// From 1 January (or the first figure of the year) to the day.
    pub year_to_date: Figures,
    /// The desk's newest figure.
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
}

/// The summary of a day: per desk, and the province (every desk, communes and
/// departments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(with = "crate::model::iso::date")]
    pub date: Date,
    pub by: By,
    /// The first day the year-to-date sums include.
    #[serde(with = "crate::model::iso::date::option", default)]
    pub from: Option<Date>,
    pub province: SummaryRow,
    pub rows: Vec<SummaryRow>,
}

/// A desk's line of the 766 ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    #[serde(flatten)]
    pub ranked: Ranked,
    pub name: String,
    /// The dossiers that cost it progress points: still overdue at the period's end, and
    /// resolved late in the period.
    pub overdue: u64,
    pub resolved_late: u64,
}

/// The 766 index of a period per desk, ranked, with movement since the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexView {
    pub period: Period,
    pub previous: Period,
    /// The last day counted (the period's end, or today while it runs).
    #[serde(with = "crate::model::iso::date")]
    pub through: Date,
    /// Every desk together.
    pub province: Index766,
    pub rows: Vec<IndexRow>,
}

/// The province's dossiers of one day (every desk together), for the trend chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendDay {
    #[serde(with = "crate::model::iso::date")]
    pub day: Date,
    pub received: u64,
    pub resolved: u64,
    /// In progress past their deadline at the day's end.
    pub overdue: u64,
    /// On time, of those resolved and overdue that day (%).
    #[serde(with = "crate::model::number::option")]
    pub on_time_rate: Option<Decimal>,
}

/// The province's days from `from` to `to`, every day present (a day without figures has
/// zero counts and no rate).
pub fn trend<'a>(
    desks: impl IntoIterator<Item = &'a BTreeMap<Date, Counts>> + Clone,
    from: Date,
    to: Date,
) -> Vec<TrendDay> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let c = desks
            .clone()
            .into_iter()
            .filter_map(|days| days.get(&day))
            .fold(Counts::default(), |a, c| a.plus(*c));
        out.push(TrendDay {
            day,
            received: c.received,
            resolved: c.resolved,
            overdue: c.overdue,
            on_time_rate: c.on_time_rate(),
        });
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// A desk on the services screen: its counts before today (from 1 January), to which the
/// screen adds today's live counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskLine {
    pub desk: Desk,
    pub name: String,
    pub before_today: Counts,
    #[serde(with = "crate::model::iso::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
}

/// The data behind the services screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesScreen {
    pub viewer: super::account::Viewer,
    pub province_code: String,
    pub province_name: String,
    #[serde(with = "crate::model::iso::date")]
    pub today: Date,
    /// The first day the year's sums include (the first figure of the year).
    #[serde(with = "crate::model::iso::date::option", default)]
    pub from: Option<Date>,
    pub desks: Vec<DeskLine>,
    /// This month's 766 index, ranked against last month. The server draws it; never sent
    /// to the browser (which only keeps its links to assign a task current).
    #[serde(skip)]
    pub index: Option<IndexView>,
    /// The last 90 days.
    pub trend: Vec<TrendDay>,
    /// The commune map with its services layers.
    pub map: Option<(super::map::MapData, Vec<super::map::MapLayer>)>,
    /// The stream position today's values were read at.
    pub epoch: String,
    pub offset: u64,
    pub values: Vec<super::LiveValue>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub server_time: OffsetDateTime,
    /// The working days freshness is judged by.
    pub calendar: super::workdays::WorkCalendar,
    /// The agencies' explanations in date of the figures the viewer sees, as the live
    /// stream's `explanations` frame carries them (JSON: the browser reads them with the
    /// frame's own code, see [`crate::live::LiveStore::explained`]).
    #[serde(default)]
    pub explanations: String,
}

/// Today's counts of each desk from live values: the figures of `today` only (a desk's
/// value of an earlier day is not today's count).
pub fn today_counts<'a>(
    values: impl IntoIterator<Item = &'a super::LiveValue>,
    today: Date,
) -> BTreeMap<Desk, (Counts, OffsetDateTime)> {
    use rust_decimal::prelude::ToPrimitive;
    let mut out: BTreeMap<Desk, (Counts, OffsetDateTime)> = BTreeMap::new();
    for v in values {
        if v.period != Period::Day(today) {
            continue;
        }
        let desk = Desk::of(&v.area, v.project.as_deref());
        let entry = out.entry(desk).or_insert((Counts::default(), v.as_of));
        if entry.0.set(&v.indicator, v.value.to_u64().unwrap_or(0)) {
            entry.1 = entry.1.max(v.as_of);
        }
    }
    out
}

// ---- the 766 index ------------------------------------------------------------------

/// The five groups of the index and their points (100 in all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Công khai, minh bạch — 18 points.
    Publicity,
    /// Tiến độ, kết quả giải quyết — 20 points.
    Progress,
    /// Số hóa hồ sơ — 22 points.
    Digitisation,
    /// Cung cấp dịch vụ trực tuyến — 22 points (12 for dossiers filed online, 10 for
    /// payments made online).
    Online,
    /// Mức độ hài lòng — 18 points.
    Satisfaction,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Publicity,
        Group::Progress,
        Group::Digitisation,
        Group::Online,
        Group::Satisfaction,
    ];

    pub fn points(self) -> Decimal {
        Decimal::from(match self {
            Group::Publicity => 18,
            Group::Progress => 20,
            Group::Digitisation => 22,
            Group::Online => 22,
            Group::Satisfaction => 18,
        })
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Group::Publicity => locale.pick("Công khai, minh bạch", "Publicity and transparency"),
            Group::Progress => locale.pick("Tiến độ, kết quả giải quyết", "Progress and results"),
            Group::Digitisation => locale.pick("Số hóa hồ sơ", "Digitisation"),
            Group::Online => locale.pick("Dịch vụ trực tuyến", "Online service"),
            Group::Satisfaction => locale.pick("Mức độ hài lòng", "Satisfaction"),
        }
    }
}

/// Points out of `points` for a share in percent.
fn points_for(rate: Decimal, points: Decimal) -> Decimal {
    (rate.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED) * points / Decimal::ONE_HUNDRED).round_dp(2)
}

/// One group's score: none when the period has nothing to judge it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupScore {
    pub group: Group,
    #[serde(with = "crate::model::number")]
    pub max: Decimal,
    #[serde(with = "crate::model::number::option")]
    pub score: Option<Decimal>,
}

/// A desk's index over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index766 {
    pub groups: Vec<GroupScore>,
    /// The sum of the groups that could be scored.
    #[serde(with = "crate::model::number")]
    pub total: Decimal,
    /// Whether every group could be scored (else the total is of fewer than 100 points).
    pub complete: bool,
    /// Points of the progress group lost to dossiers resolved late or left overdue.
    #[serde(with = "crate::model::number")]
    pub lost_to_delays: Decimal,
}

/// The index of a period's counts and its publicity rate (percent, if reported).
///
/// The groups and their points are those of Decision 766/QĐ-TTg; within a group this
/// module scores in proportion to the share the group measures (its published method
/// weighs several criteria per group; the province's own reading is an estimate, and the
/// screen says so):
/// * publicity — 18 × the share of procedures and dossiers published on time;
/// * progress — 20 × dossiers resolved on time ÷ (resolved + in progress past deadline);
/// * digitisation — 22 × results digitised ÷ resolved;
/// * online — 12 × filed online ÷ received, plus 10 × paid online ÷ payable (22 × the
///   online share when nothing was payable);
/// * satisfaction — 18 × satisfied ratings ÷ ratings.
pub fn index766(counts: &Counts, publicity: Option<Decimal>) -> Index766 {
    let score = |group: Group| -> Option<Decimal> {
        let p = group.points();
        match group {
            Group::Publicity => publicity.map(|r| points_for(r, p)),
            Group::Progress => counts.on_time_rate().map(|r| points_for(r, p)),
            Group::Digitisation => counts.digitized_rate().map(|r| points_for(r, p)),
            Group::Online => counts
                .online_rate()
                .map(|online| match counts.payment_rate() {
                    Some(paid) => {
                        points_for(online, Decimal::from(12)) + points_for(paid, Decimal::from(10))
                    }
                    None => points_for(online, p),
                }),
            Group::Satisfaction => counts.satisfaction_rate().map(|r| points_for(r, p)),
        }
    };
    let groups: Vec<GroupScore> = Group::ALL
        .iter()
        .map(|&group| GroupScore {
            group,
            max: group.points(),
            score: score(group),
        })
        .collect();
    let total = groups.iter().filter_map(|g| g.score).sum();
    let complete = groups.iter().all(|g| g.score.is_some());
    let lost_to_delays = groups
        .iter()
        .find(|g| g.group == Group::Progress)
        .and_then(|g| g.score.map(|s| g.max - s))
        .unwrap_or_default();
    Index766 {
        groups,
        total,
        complete,
        lost_to_delays,
    }
}

/// A desk's place in a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub desk: Desk,
    pub index: Index766,
    /// From 1; desks with the same total share a rank.
    pub rank: usize,
    /// Its rank in the period before, if it was ranked then.
    pub previous_rank: Option<usize>,
    #[serde(with = "crate::model::number::option")]
    pub previous_total: Option<Decimal>,
}

impl Ranked {
    /// Places gained (positive) or lost since the period before.
    pub fn movement(&self) -> Option<i64> {
        self.previous_rank
            .map(|before| before as i64 - self.rank as i64)
    }
}

/// Ranks (1 = highest total; equal totals share a rank, then by code) with the ranks of
/// the period before.
pub fn rank(now: Vec<(Desk, Index766)>, before: &[(Desk, Index766)]) -> Vec<Ranked> {
    fn order(mut list: Vec<(Desk, Index766)>) -> Vec<(Desk, Index766, usize)> {
        list.sort_by(|a, b| b.1.total.cmp(&a.1.total).then_with(|| a.0.cmp(&b.0)));
        let mut ranked = Vec::with_capacity(list.len());
        let mut last: Option<(Decimal, usize)> = None;
        for (i, (desk, index)) in list.into_iter().enumerate() {
            let rank = match last {
                Some((total, rank)) if total == index.total => rank,
                _ => i + 1,
            };
            last = Some((index.total, rank));
            ranked.push((desk, index, rank));
        }
        ranked
    }
    let before: BTreeMap<Desk, (usize, Decimal)> = order(before.to_vec())
        .into_iter()
        .map(|(d, i, r)| (d, (r, i.total)))
        .collect();
    order(now)
        .into_iter()
        .map(|(desk, index, rank)| {
            let prior = before.get(&desk);
            Ranked {
                previous_rank: prior.map(|p| p.0),
                previous_total: prior.map(|p| p.1),
                desk,
                index,
                rank,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn counts() -> Counts {
        Counts {
            received: 200,
            online: 150,
            full_online: 90,
            resolved: 180,
            on_time: 171,
            overdue: 10,
            returned: 4,
            digitized: 153,
            payable: 40,
            paid_online: 30,
            rated: 50,
            satisfied: 45,
        }
    }

    fn group(index: &Index766, g: Group) -> Option<Decimal> {
        index.groups.iter().find(|s| s.group == g).unwrap().score
    }

    #[test]
    fn each_group_scores_its_share_of_its_points() {
        let index = index766(&counts(), Some(dec("100")));
        // publicity: everything published on time → all 18
        assert_eq!(group(&index, Group::Publicity), Some(dec("18")));
        // progress: 171 on time of 180 resolved + 10 overdue = 90 % → 18 of 20
        assert_eq!(group(&index, Group::Progress), Some(dec("18")));
        // digitisation: 153 of 180 = 85 % → 18.7 of 22
        assert_eq!(group(&index, Group::Digitisation), Some(dec("18.7")));
        // online: 75 % filed online → 9 of 12; 75 % paid online → 7.5 of 10
        assert_eq!(group(&index, Group::Online), Some(dec("16.5")));
        // satisfaction: 45 of 50 = 90 % → 16.2 of 18
        assert_eq!(group(&index, Group::Satisfaction), Some(dec("16.2")));
        assert_eq!(index.total, dec("87.4"));
        assert!(index.complete);
        // the progress group lost 2 points to the late and overdue dossiers
        assert_eq!(index.lost_to_delays, dec("2"));
    }

    #[test]
    fn the_groups_add_up_to_one_hundred() {
        let max: Decimal = Group::ALL.iter().map(|g| g.points()).sum();
        assert_eq!(max, dec("100"));
        let perfect = Counts {
            received: 10,
            online: 10,
            full_online: 10,
            resolved: 10,
            on_time: 10,
            digitized: 10,
            payable: 5,
            paid_online: 5,
            rated: 3,
            satisfied: 3,
            ..Counts::default()
        };
        let index = index766(&perfect, Some(dec("100")));
        assert_eq!(index.total, dec("100"));
        assert_eq!(index.lost_to_delays, dec("0"));
    }

    #[test]
    fn a_group_without_figures_is_not_scored_and_the_total_says_so() {
        // nothing payable: the online group is 22 × the online share
        let c = Counts {
            payable: 0,
            paid_online: 0,
            rated: 0,
            satisfied: 0,
            ..counts()
        };
        let index = index766(&c, None);
        assert_eq!(group(&index, Group::Online), Some(dec("16.5")));
        assert_eq!(group(&index, Group::Publicity), None);
        assert_eq!(group(&index, Group::Satisfaction), None);
        assert!(!index.complete);
        assert_eq!(index.total, dec("18") + dec("18.7") + dec("16.5"));
        // a desk that received and resolved nothing has nothing scored
        let empty = index766(&Counts::default(), None);
        assert!(empty.groups.iter().all(|g| g.score.is_none()));
        assert_eq!(empty.total, dec("0"));
    }

    #[test]
    fn overdue_dossiers_cost_progress_points_before_they_are_resolved() {
        let on_time = Counts {
            resolved: 100,
            on_time: 100,
            ..Counts::default()
        };
        assert_eq!(
            group(&index766(&on_time, None), Group::Progress),
            Some(dec("20"))
        );
        // 25 dossiers left past their deadline: 100 of 125 → 16 points
        let left = Counts {
            overdue: 25,
            ..on_time
        };
        let index = index766(&left, None);
        assert_eq!(group(&index, Group::Progress), Some(dec("16")));
        assert_eq!(index.lost_to_delays, dec("4"));
        // resolved late instead: 100 of 125 resolved, 100 on time
        let late = Counts {
            resolved: 125,
            on_time: 100,
            ..Counts::default()
        };
        assert_eq!(late.resolved_late(), 25);
        assert_eq!(
            group(&index766(&late, None), Group::Progress),
            Some(dec("16"))
        );
    }

    #[test]
    fn shares_never_pass_the_whole_and_publicity_is_bounded() {
        // a part larger than its whole (a correction not yet made) counts as the whole
        let c = Counts {
            received: 10,
            online: 12,
            ..Counts::default()
        };
        assert_eq!(c.online_rate(), Some(dec("100")));
        let index = index766(&Counts::default(), Some(dec("140")));
        assert_eq!(group(&index, Group::Publicity), Some(dec("18")));
    }

    #[test]
    fn a_span_adds_flows_and_keeps_the_last_days_overdue_stock() {
        let mut days = BTreeMap::new();
        days.insert(
            date!(2026 - 11 - 30),
            Counts {
                received: 5,
                overdue: 7,
                ..Counts::default()
            },
        );
        days.insert(
            date!(2026 - 12 - 01),
            Counts {
                received: 3,
                overdue: 2,
                ..Counts::default()
            },
        );
        days.insert(
            date!(2026 - 12 - 02),
            Counts {
                received: 4,
                overdue: 9,
                ..Counts::default()
            },
        );
        let december = span(&days, date!(2026 - 12 - 01), date!(2026 - 12 - 31));
        assert_eq!((december.received, december.overdue), (7, 9));
        let to_first = span(&days, date!(2026 - 11 - 01), date!(2026 - 12 - 01));
        assert_eq!((to_first.received, to_first.overdue), (8, 2));
        // two desks together: their stocks add
        assert_eq!(december.plus(to_first).overdue, 11);
    }

    #[test]
    fn ranks_share_ties_and_report_movement() {
        let with_total = |t: Decimal| Index766 {
            groups: Vec::new(),
            total: t,
            complete: true,
            lost_to_delays: Decimal::ZERO,
        };
        let d = |c: &str| Desk::Department(c.into());
        let before = vec![
            (d("SXD"), with_total(dec("90"))),
            (d("STP"), with_total(dec("80"))),
            (d("SYT"), with_total(dec("70"))),
        ];
        let now = vec![
            (d("SXD"), with_total(dec("75"))),
            (d("STP"), with_total(dec("85"))),
            (d("SYT"), with_total(dec("85"))),
            (Desk::Commune("03646".into()), with_total(dec("60"))),
        ];
        let ranked = rank(now, &before);
        let summary: Vec<(&str, usize, Option<i64>)> = ranked
            .iter()
            .map(|r| (r.desk.code(), r.rank, r.movement()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("STP", 1, Some(1)),
                ("SYT", 1, Some(2)),
                ("SXD", 3, Some(-2)),
                ("03646", 4, None),
            ]
        );
        assert_eq!(ranked[2].previous_total, Some(dec("90")));
    }

    #[test]
    fn todays_counts_take_only_todays_figures() {
        let value = |indicator: &str, area: &str, project: Option<&str>, day: Date, v: i64| {
            crate::model::LiveValue {
                indicator: indicator.into(),
                area: area.into(),
                project: project.map(str::to_string),
                period: Period::Day(day),
                value: Decimal::from(v),
                unit: crate::model::Unit::Count,
                agency: "VPUB".into(),
                as_of: time::macros::datetime!(2026-12-02 09:00 UTC),
                revision: 1,
                offset: 1,
                previous: None,
            }
        };
        let today = date!(2026 - 12 - 03);
        let values = vec![
            value(RECEIVED, "14", Some("SXD"), today, 12),
            value(OVERDUE, "14", Some("SXD"), today, 3),
            // yesterday's count is not today's
            value(RECEIVED, "03646", None, date!(2026 - 12 - 02), 40),
            value(RECEIVED, "03647", None, today, 5),
        ];
        let counts = today_counts(&values, today);
        let sxd = counts[&Desk::Department("SXD".into())].0;
        assert_eq!((sxd.received, sxd.overdue), (12, 3));
        assert!(!counts.contains_key(&Desk::Commune("03646".into())));
        assert_eq!(counts[&Desk::Commune("03647".into())].0.received, 5);
    }

    #[test]
    fn the_trend_has_every_day_and_sums_the_desks() {
        let mut a = BTreeMap::new();
        a.insert(
            date!(2026 - 02 - 28),
            Counts {
                received: 5,
                resolved: 4,
                on_time: 4,
                ..Counts::default()
            },
        );
        let mut b = BTreeMap::new();
        b.insert(
            date!(2026 - 02 - 28),
            Counts {
                received: 1,
                overdue: 1,
                ..Counts::default()
            },
        );
        b.insert(
            date!(2026 - 03 - 02),
            Counts {
                received: 2,
                ..Counts::default()
            },
        );
        let t = trend([&a, &b], date!(2026 - 02 - 27), date!(2026 - 03 - 02));
        let days: Vec<String> = t.iter().map(|d| d.day.to_string()).collect();
        assert_eq!(
            days,
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        assert_eq!((t[1].received, t[1].overdue), (6, 1));
        assert_eq!(t[1].on_time_rate, Some(dec("80")));
        assert_eq!(
            t[2].on_time_rate, None,
            "a day without dossiers has no rate"
        );
    }

    #[test]
    fn a_department_desk_is_known_by_its_project_slot() {
        assert_eq!(Desk::of("14", Some("SXD")), Desk::Department("SXD".into()));
        assert_eq!(Desk::of("03646", None), Desk::Commune("03646".into()));
        assert!(By::Commune.includes(&Desk::Commune("03646".into())));
        assert!(!By::Agency.includes(&Desk::Commune("03646".into())));
    }
}
