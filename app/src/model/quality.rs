//! Data quality per owning agency and month: four parts and their mean, computed here from
//! what the agency was expected to send and what it sent. No I/O here.
//!
//! * **completeness** — expected figures received ÷ expected figures. Expected in a month:
//!   a daily indicator's figure for each working day of the month whose 17:00 has passed,
//!   for every area (and project, or desk) the agency reports it for; a monthly or
//!   quarterly indicator's figure for the period before, due on the 15th day after that
//!   period ends, once that day is in the month and has passed. Streamed and yearly
//!   figures are not counted.
//! * **timeliness** — expected figures whose first revision arrived by its due time (within
//!   the due minute: 17:00:59 is on time, 17:01 is not) ÷ expected figures received.
//! * **validity** — items accepted ÷ items sent in the month (accepted, plus the items of
//!   batches refused by validation or as older than stored: a refused batch counts against
//!   the agency even when it is fixed and sent again).
//! * **consistency** — 1 − figures counted against ÷ figures received in the month: a figure
//!   (indicator, area, project, period) is counted against when it was revised twice or
//!   more, or revised after it was due, or when it breaks a sum rule as it stands now
//!   ([`sum_breaks`]): a whole smaller than the sum of its parts, or a province total of an
//!   amount or a count smaller than the sum of its communes' figures.
//!
//! The score is the mean of the parts there is something to measure for, in percent.

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use time::{Duration, OffsetDateTime};

use super::catalogue::{Cadence, Catalogue, Clock};
use super::format::VIETNAM;
use super::period::{Period, PeriodKind};
use super::workdays::WorkCalendar;
use super::{LiveValue, Unit};

/// Days after a monthly or quarterly period ends by which its figure is due.
pub const PERIODIC_DUE_DAYS: i64 = 15;

/// One figure, as reported for: indicator, area, project or desk (`""` for none).
pub type Key = (String, String, String);

/// A figure the agency was expected to send in the month, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub key: Key,
    pub period: Period,
    pub due: OffsetDateTime,
}

/// One stored revision of a figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub key: Key,
    pub period: Period,
    pub revision: u32,
    pub received_at: OffsetDateTime,
}

/// How much the parts may add up to above their whole before the whole breaks a sum rule,
/// in percent of the whole (the rounding of each part in the reports).
pub const SUM_TOLERANCE_PERCENT: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// The figures that break a sum rule, among the current `values`: a whole smaller than
/// the sum of its parts (the indicators `part_of` it, in the same unit, for the same area
/// and period), and a province figure of an amount or a count smaller than the sum of its
/// communes' figures of the same indicator and period — each beyond
/// [`SUM_TOLERANCE_PERCENT`]. The whole is what is counted against: the figure that does
/// not add up.
pub fn sum_breaks(values: &[LiveValue], catalogue: &Catalogue) -> HashSet<(Key, Period)> {
    let areas: Vec<&LiveValue> = values.iter().filter(|v| v.project.is_none()).collect();
    // by whole: the sum of its parts; by province figure: the sum of its communes'
    let mut of_parts: HashMap<(&str, &str, Period), Decimal> = HashMap::new();
    let mut of_communes: HashMap<(&str, &str, Period), Decimal> = HashMap::new();
    for v in &areas {
        if let Some(whole) = catalogue
            .indicator(&v.indicator)
            .and_then(|i| i.part_of.as_deref())
            .filter(|w| catalogue.indicator(w).is_some_and(|w| w.unit == v.unit))
        {
            *of_parts
                .entry((whole, v.area.as_str(), v.period))
                .or_default() += v.value;
        }
        let additive = matches!(
            v.unit,
            Unit::Dong | Unit::MillionDong | Unit::BillionDong | Unit::Count | Unit::Usd
        );
        if additive
            && v.area != catalogue.province
            && catalogue
                .area(&v.area)
                .is_some_and(|a| a.is_commune_level())
        {
            *of_communes
                .entry((v.indicator.as_str(), catalogue.province.as_str(), v.period))
                .or_default() += v.value;
        }
    }
    let mut breaks = HashSet::new();
    for v in &areas {
        let key = (v.indicator.as_str(), v.area.as_str(), v.period);
        let allowed =
            v.value.abs() * (Decimal::ONE_HUNDRED + SUM_TOLERANCE_PERCENT) / Decimal::ONE_HUNDRED;
        let broken = [of_parts.get(&key), of_communes.get(&key)]
            .into_iter()
            .flatten()
            .any(|sum| *sum > allowed);
        if broken {
            breaks.insert((
                (v.indicator.clone(), v.area.clone(), String::new()),
                v.period,
            ));
        }
    }
    breaks
}

/// A month's quality for one agency; each part in percent, none where nothing was measured.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Quality {
    pub agency: String,
    pub expected: usize,
    pub received: usize,
    #[serde(with = "crate::model::number::option")]
    pub completeness: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub timeliness: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub validity: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub consistency: Option<Decimal>,
    #[serde(with = "crate::model::number::option")]
    pub score: Option<Decimal>,
}

/// When the figure of `period` of an indicator with `cadence` is due; none for what is not
/// counted (streamed and yearly).
pub fn due(cadence: Cadence, period: Period) -> Option<OffsetDateTime> {
    match (cadence.clock(), period.kind()) {
        (clock @ Clock::DueOnWorkingDays { .. }, PeriodKind::Day) => clock.due_on(period.start()),
        (Clock::Always, PeriodKind::Month | PeriodKind::Quarter) => {
            let day = period.end() + Duration::days(PERIODIC_DUE_DAYS);
            Some(day.with_hms(23, 59, 59).ok()?.assume_offset(VIETNAM))
        }
        _ => None,
    }
}

/// The figures `agency` was expected to send in `month` (Vietnam time) up to `now`, for
/// the keys it reports (`keys`: each indicator's areas and projects).
pub fn expected_in(
    catalogue: &Catalogue,
    agency: &str,
    month: Period,
    keys: &[Key],
    calendar: &WorkCalendar,
    now: OffsetDateTime,
) -> Vec<Expected> {
    let mut out = Vec::new();
    for key in keys {
        let Some(ind) = catalogue.indicator(&key.0) else {
            continue;
        };
        if ind.agency != agency {
            continue;
        }
        let periods: Vec<Period> = match ind.cadence {
            Cadence::Daily => {
                let mut days = Vec::new();
                let mut d = month.start();
                while d <= month.end() {
                    if calendar.is_working_day(d) {
                        days.push(Period::Day(d));
                    }
                    match d.next_day() {
                        Some(n) => d = n,
                        None => break,
                    }
                }
                days
            }
            Cadence::Monthly | Cadence::Quarterly => {
                // the period before whose due day falls in this month
                let kind = ind.cadence.period_kind();
                let before =
                    Period::containing(kind, month.start() - Duration::days(PERIODIC_DUE_DAYS + 1));
                let mut found = Vec::new();
                for candidate in [
                    before,
                    Period::containing(kind, month.start() - Duration::days(1)),
                ] {
                    if let Some(due) = due(ind.cadence, candidate) {
                        let day = due.to_offset(VIETNAM).date();
                        if day >= month.start() && day <= month.end() && !found.contains(&candidate)
                        {
                            found.push(candidate);
                        }
                    }
                }
                found
            }
            Cadence::Streamed | Cadence::Yearly => Vec::new(),
        };
        for period in periods {
            if let Some(due) = due(ind.cadence, period).filter(|d| *d <= now) {
                out.push(Expected {
                    key: key.clone(),
                    period,
                    due,
                });
            }
        }
    }
    out
}

fn percent(part: usize, whole: usize) -> Option<Decimal> {
    (whole > 0).then(|| {
        (Decimal::from(part as u64) * Decimal::ONE_HUNDRED / Decimal::from(whole as u64))
            .round_dp(1)
    })
}

/// The month's quality of `agency`: `expected` (from [`expected_in`]), `received` the first
/// revisions of its figures for the periods concerned (whenever they came),
/// `month_received` the revisions of its reported (not streamed) figures it sent during
/// the month, `accepted_items` and `rejected_items` the items of its batches stored and
/// refused during the month.
pub fn quality(
    agency: &str,
    expected: &[Expected],
    received: &[Received],
    month_received: &[Received],
    (accepted_items, rejected_items): (u64, u64),
    breaks: &HashSet<(Key, Period)>,
    catalogue: &Catalogue,
) -> Quality {
    let mut first: HashMap<(&Key, Period), OffsetDateTime> = HashMap::new();
    for r in received {
        if r.revision == 1 {
            first.insert((&r.key, r.period), r.received_at);
        }
    }
    let got: Vec<&Expected> = expected
        .iter()
        .filter(|e| first.contains_key(&(&e.key, e.period)))
        .collect();
    let on_time = got
        .iter()
        // within the due minute is on time (a report due at 17:00 may come at 17:00:59)
        .filter(|e| {
            first
                .get(&(&e.key, e.period))
                .is_some_and(|at| *at < e.due + Duration::MINUTE)
        })
        .count();
    // consistency over the figures the agency sent during the month
    let mut revisions: HashMap<(&Key, Period), Vec<&Received>> = HashMap::new();
    for r in month_received {
        revisions.entry((&r.key, r.period)).or_default().push(r);
    }
    let against = revisions
        .iter()
        .filter(|((key, period), revs)| {
            let many = revs.iter().any(|r| r.revision >= 3);
            let late_revision = catalogue
                .indicator(&key.0)
                .and_then(|ind| due(ind.cadence, *period))
                .is_some_and(|due| revs.iter().any(|r| r.revision >= 2 && r.received_at > due));
            let adds_up = !breaks.contains(&((*key).clone(), *period));
            many || late_revision || !adds_up
        })
        .count();
    let figures: HashSet<_> = revisions.keys().collect();
    let parts = [
        percent(got.len(), expected.len()),
        percent(on_time, got.len()),
        percent(
            accepted_items as usize,
            (accepted_items + rejected_items) as usize,
        ),
        percent(figures.len() - against, figures.len()),
    ];
    let measured: Vec<Decimal> = parts.iter().flatten().copied().collect();
    let score = (!measured.is_empty()).then(|| {
        (measured.iter().copied().sum::<Decimal>() / Decimal::from(measured.len() as u64))
            .round_dp(1)
    });
    Quality {
        agency: agency.to_string(),
        expected: expected.len(),
        received: got.len(),
        completeness: parts[0],
        timeliness: parts[1],
        validity: parts[2],
        consistency: parts[3],
        score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::tests::indicator;
    use std::str::FromStr;
    use time::macros::{date, datetime};

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// A catalogue with KBNN's daily revenue and STC's monthly report.
    fn catalogue() -> Catalogue {
        let mut data = crate::model::catalogue::tests::reformed();
        let mut daily = indicator("rev", "KBNN");
        daily.cadence = Cadence::Daily;
        let mut monthly = indicator("rep", "KBNN");
        monthly.cadence = Cadence::Monthly;
        data.agencies
            .push(crate::model::catalogue::tests::agency("KBNN"));
        data.indicators = vec![daily, monthly];
        Catalogue::new(data).unwrap()
    }

    fn key(ind: &str) -> Key {
        (ind.into(), "00001".into(), String::new())
    }

    fn rec(ind: &str, period: &str, revision: u32, at: OffsetDateTime) -> Received {
        Received {
            key: key(ind),
            period: period.parse().unwrap(),
            revision,
            received_at: at,
        }
    }

    #[test]
    fn what_is_expected_in_a_month_follows_the_working_calendar() {
        let c = catalogue();
        // February 2026 with Tết (14–22 February) off
        let mut tet = vec![date!(2026 - 02 - 14)];
        while *tet.last().unwrap() < date!(2026 - 02 - 22) {
            tet.push(tet.last().unwrap().next_day().unwrap());
        }
        let cal = WorkCalendar::new([2026], tet, []);
        let feb = Period::Month {
            year: 2026,
            month: 2,
        };
        let keys = [key("rev"), key("rep")];
        let all = expected_in(&c, "KBNN", feb, &keys, &cal, datetime!(2026-03-01 00:00 +7));
        let days = all.iter().filter(|e| e.key.0 == "rev").count();
        // 20 weekdays in February 2026, 5 of them in Tết's week: 15
        assert_eq!(days, 15);
        // January's monthly report, due on 15 February
        let monthly: Vec<_> = all.iter().filter(|e| e.key.0 == "rep").collect();
        assert_eq!(monthly.len(), 1);
        assert_eq!(
            monthly[0].period,
            Period::Month {
                year: 2026,
                month: 1
            }
        );
        assert_eq!(monthly[0].due, datetime!(2026-02-15 23:59:59 +7));
        // mid-month: only what is due by now; 17:00 not passed yet on the day
        let part = expected_in(&c, "KBNN", feb, &keys, &cal, datetime!(2026-02-04 16:59 +7));
        assert_eq!(
            part.iter().filter(|e| e.key.0 == "rev").count(),
            2,
            "2 and 3 February"
        );
        assert!(
            part.iter().all(|e| e.key.0 != "rep"),
            "January's report is not due yet"
        );
        // another agency's indicators are not this agency's to send
        assert!(
            expected_in(&c, "STC", feb, &keys, &cal, datetime!(2026-03-01 00:00 +7)).is_empty()
        );
        // a leap February has its 29th
        let leap = expected_in(
            &c,
            "KBNN",
            Period::Month {
                year: 2028,
                month: 2,
            },
            &[key("rev")],
            &cal,
            datetime!(2028-03-01 00:00 +7),
        );
        assert!(leap
            .iter()
            .any(|e| e.period == Period::Day(date!(2028 - 02 - 29))));
    }

    /// A whole smaller than its parts, and a province total smaller than its communes'
    /// figures, break a sum rule (beyond the rounding allowed); rates never add up.
    #[test]
    fn figures_that_do_not_add_up() {
        let mut data = crate::model::catalogue::tests::reformed();
        let amount = |code: &str| {
            let mut i = indicator(code, "STC");
            i.unit = Unit::BillionDong;
            i
        };
        let whole = amount("rev");
        let part_of = |code: &str| {
            let mut i = amount(code);
            i.part_of = Some("rev".into());
            i
        };
        data.indicators = vec![
            whole,
            part_of("land"),
            part_of("lottery"),
            indicator("rate", "STC"),
        ];
        let c = Catalogue::new(data).unwrap();
        let value = |ind: &str, area: &str, v: &str, unit: Unit| LiveValue {
            indicator: ind.into(),
            area: area.into(),
            project: None,
            period: "2026-12-04".parse().unwrap(),
            value: d(v),
            unit,
            agency: "STC".into(),
            as_of: datetime!(2026-12-04 17:00 +7),
            revision: 1,
            offset: 1,
            previous: None,
        };
        let bn = |ind: &str, area: &str, v: &str| value(ind, area, v, Unit::BillionDong);
        let broken = |values: &[LiveValue]| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = sum_breaks(values, &c)
                .into_iter()
                .map(|((i, a, _), _)| (i, a))
                .collect();
            v.sort();
            v
        };
        // 600 + 400 = 1,000 of 1,000, and 1,004.9 within the 0.5% allowed: adds up
        assert!(broken(&[
            bn("rev", "14", "1000"),
            bn("land", "14", "600"),
            bn("lottery", "14", "400")
        ])
        .is_empty());
        assert!(broken(&[
            bn("rev", "14", "1000"),
            bn("land", "14", "604.9"),
            bn("lottery", "14", "400")
        ])
        .is_empty());
        // 1,005.1: the whole does not add up
        assert_eq!(
            broken(&[
                bn("rev", "14", "1000"),
                bn("land", "14", "605.1"),
                bn("lottery", "14", "400")
            ]),
            vec![("rev".to_string(), "14".to_string())]
        );
        // communes over the province total (the parts' province figures do not add to it)
        assert_eq!(
            broken(&[
                bn("land", "14", "100"),
                bn("land", "00001", "70"),
                bn("land", "00009", "40")
            ]),
            vec![("land".to_string(), "14".to_string())]
        );
        assert!(broken(&[
            bn("land", "14", "120"),
            bn("land", "00001", "70"),
            bn("land", "00009", "40")
        ])
        .is_empty());
        // another day's commune figure is another period; a rate is not added
        let mut other_day = bn("land", "00009", "40");
        other_day.period = "2026-12-03".parse().unwrap();
        assert!(broken(&[
            bn("land", "14", "100"),
            bn("land", "00001", "70"),
            other_day
        ])
        .is_empty());
        let pct = |area: &str, v: &str| value("rate", area, v, Unit::Percent);
        assert!(broken(&[pct("14", "90"), pct("00001", "95"), pct("00009", "97")]).is_empty());
        // counted against the agency's consistency, with the month's other figures
        let breaks = sum_breaks(
            &[
                bn("rev", "14", "1000"),
                bn("land", "14", "700"),
                bn("lottery", "14", "400"),
            ],
            &c,
        );
        let sent = |ind: &str| Received {
            key: (ind.into(), "14".into(), String::new()),
            period: "2026-12-04".parse().unwrap(),
            revision: 1,
            received_at: datetime!(2026-12-04 16:00 +7),
        };
        let month = [sent("rev"), sent("land"), sent("lottery"), sent("rate")];
        let q = quality("STC", &[], &month, &month, (4, 0), &breaks, &c);
        assert_eq!(q.consistency, Some(d("75")), "1 of 4 does not add up");
    }

    #[test]
    fn the_four_parts_and_the_score() {
        let c = catalogue();
        let cal = WorkCalendar::default();
        // Monday 7 to Friday 11 December 2026: five daily figures expected
        let month = Period::Month {
            year: 2026,
            month: 12,
        };
        let now = datetime!(2026-12-11 18:00 +7);
        let expected: Vec<Expected> = expected_in(&c, "KBNN", month, &[key("rev")], &cal, now)
            .into_iter()
            .filter(|e| e.period.start() >= date!(2026 - 12 - 07))
            .collect();
        assert_eq!(expected.len(), 5);
        let at = |day: u8, h: u8, m: u8| {
            date!(2026 - 12 - 01)
                .replace_day(day)
                .unwrap()
                .with_hms(h, m, 0)
                .unwrap()
                .assume_offset(VIETNAM)
        };
        let received = vec![
            rec("rev", "2026-12-07", 1, at(7, 16, 30)),
            // one minute late
            rec("rev", "2026-12-08", 1, at(8, 17, 1)),
            rec("rev", "2026-12-09", 1, at(9, 17, 0)),
            // revised twice: counted against
            rec("rev", "2026-12-09", 2, at(9, 17, 5)),
            rec("rev", "2026-12-09", 3, at(9, 17, 9)),
            rec("rev", "2026-12-10", 1, at(10, 16, 0)),
            // revised after it was due
            rec("rev", "2026-12-10", 2, at(10, 18, 0)),
            // Friday 11: never sent
        ];
        let q = quality(
            "KBNN",
            &expected,
            &received,
            &received,
            (7, 3),
            &HashSet::new(),
            &c,
        );
        assert_eq!((q.expected, q.received), (5, 4));
        assert_eq!(q.completeness, Some(d("80")), "4 of 5");
        assert_eq!(q.timeliness, Some(d("75")), "3 of 4 by 17:00");
        assert_eq!(q.validity, Some(d("70")), "7 accepted, 3 refused");
        assert_eq!(
            q.consistency,
            Some(d("50")),
            "2 of 4 figures counted against"
        );
        assert_eq!(q.score, Some(d("68.8")), "(80 + 75 + 70 + 50) / 4");
        // nothing expected, nothing sent: nothing to measure
        let none = quality("KBNN", &[], &[], &[], (0, 0), &HashSet::new(), &c);
        assert_eq!((none.completeness, none.score), (None, None));
        // a refused batch only: validity 0, the score says so
        let refused = quality("KBNN", &[], &[], &[], (0, 4), &HashSet::new(), &c);
        assert_eq!(
            (refused.validity, refused.score),
            (Some(d("0")), Some(d("0")))
        );
    }
}
