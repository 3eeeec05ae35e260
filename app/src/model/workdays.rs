//! Working days in Vietnam: which days offices work, and how old a figure is by the clock
//! its freshness contract counts.
//!
//! Offices work Monday to Friday, except public holidays and the days the Government gives
//! off around them (Tết, 30/4, 1/5, 2/9, Giỗ Tổ Hùng Vương, days in lieu, bridge days), and
//! also on the Saturdays named to make up a bridge day. The days are data — one holiday
//! file per year in the province's directory, read by the server, checked at start-up and
//! sent with each screen — so a daily report due at 17:00 is not called late on Tết, and a
//! desk's figures are not called late at night. No I/O here.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use super::format::VIETNAM;

/// How far ahead a walk over days looks (the longest break, Tết, is nine days).
const LOOK_AHEAD_DAYS: usize = 45;

/// Office hours in Vietnam, when desks receive dossiers: 07:30 to 17:00.
pub const OFFICE_OPENS: Time = time::macros::time!(07:30);
pub const OFFICE_CLOSES: Time = time::macros::time!(17:00);

/// The days that differ from "Monday to Friday": days off on weekdays and weekend days
/// worked. Dates are kept as Julian day numbers, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    days_off: Vec<i32>,
    weekend_workdays: Vec<i32>,
    /// The years the calendar knows; outside them only weekends are days off.
    years: Vec<i32>,
}

impl WorkCalendar {
    /// A calendar of `years` with these weekdays off and weekend days worked (weekend days
    /// among `days_off` and weekdays among `weekend_workdays` change nothing and are left
    /// out).
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        days_off: impl IntoIterator<Item = Date>,
        weekend_workdays: impl IntoIterator<Item = Date>,
    ) -> WorkCalendar {
        let pick = |days: &mut dyn Iterator<Item = Date>, weekend: bool| {
            let mut v: Vec<i32> = days
                .filter(|d| is_weekend(*d) == weekend)
                .map(Date::to_julian_day)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut years: Vec<i32> = years.into_iter().collect();
        years.sort_unstable();
        years.dedup();
        WorkCalendar {
            days_off: pick(&mut days_off.into_iter(), false),
            weekend_workdays: pick(&mut weekend_workdays.into_iter(), true),
            years,
        }
    }

    /// Whether offices work on `day`.
    pub fn is_working_day(&self, day: Date) -> bool {
        let jd = day.to_julian_day();
        if is_weekend(day) {
            self.weekend_workdays.binary_search(&jd).is_ok()
        } else {
            self.days_off.binary_search(&jd).is_err()
        }
    }

    /// Whether the calendar holds the Government's days for `year` (else it knows only
    /// weekends there).
    pub fn knows(&self, year: i32) -> bool {
        self.years.binary_search(&year).is_ok()
    }

    /// The first working day after `day`, looking [`LOOK_AHEAD_DAYS`] ahead at most.
    pub fn working_day_after(&self, day: Date) -> Option<Date> {
        let mut next = day;
        for _ in 0..LOOK_AHEAD_DAYS {
            next = next.next_day()?;
            if self.is_working_day(next) {
                return Some(next);
            }
        }
        None
    }

    /// The latest working day whose time `at` (Vietnam) is not after `now`, looking back
    /// [`LOOK_AHEAD_DAYS`] at most.
    pub fn working_day_due(&self, now: OffsetDateTime, at: Time) -> Option<Date> {
        let local = now.to_offset(VIETNAM);
        let mut day = local.date();
        for _ in 0..LOOK_AHEAD_DAYS {
            if self.is_working_day(day) && day.with_time(at) <= local.date().with_time(local.time())
            {
                return Some(day);
            }
            day = day.previous_day()?;
        }
        None
    }

    /// The moment `allowance` of office time (working days, [`OFFICE_OPENS`] to
    /// [`OFFICE_CLOSES`]) has passed after `from`; `None` beyond the walk's reach.
    pub fn after_office_time(
        &self,
        from: OffsetDateTime,
        allowance: Duration,
    ) -> Option<OffsetDateTime> {
        let from = from.to_offset(VIETNAM);
        let mut left = allowance;
        let mut day = from.date();
        for _ in 0..LOOK_AHEAD_DAYS {
            if self.is_working_day(day) {
                let open = day.with_time(OFFICE_OPENS).assume_offset(VIETNAM).max(from);
                let close = day.with_time(OFFICE_CLOSES).assume_offset(VIETNAM);
                if close > open {
                    if open + left <= close {
                        return Some(open + left);
                    }
                    left -= close - open;
                }
            }
            day = day.next_day()?;
        }
        None
    }
}

/// One year's days as the Government announced them: a province file
/// (`holidays/2026.toml`), read by the server and checked by [`WorkCalendar::from_years`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayYear {
    pub year: i32,
    /// Breaks: public holidays with the days given off around them (weekend days inside a
    /// break may be listed; they change nothing).
    #[serde(default, rename = "day_off")]
    pub days_off: Vec<DaysOff>,
    /// Weekend days worked to make up a bridge day.
    #[serde(default, rename = "workday")]
    pub workdays: Vec<Workday>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaysOff {
    #[serde(with = "crate::model::iso::date")]
    pub from: Date,
    #[serde(with = "crate::model::iso::date")]
    pub to: Date,
    pub name_vi: String,
    pub name_en: String,
    /// The document that gives the days, or how they follow from the Labour Code.
    pub source: String,
    /// Whether the Government has announced these days (else: as the law gives them,
    /// awaiting the announcement).
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workday {
    #[serde(with = "crate::model::iso::date")]
    pub date: Date,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub confirmed: bool,
}

impl WorkCalendar {
    /// The calendar of these years, after checking each: its days fall in its year, a break
    /// ends on or after it starts and lasts at most 14 days, a weekend day worked is a
    /// Saturday or Sunday outside every break, texts are not empty, a year appears once.
    /// Problems are `(entry, field, reason)`, every one listed.
    pub fn from_years(
        years: &[HolidayYear],
    ) -> Result<WorkCalendar, Vec<(String, &'static str, String)>> {
        let mut errors = Vec::new();
        let mut seen = Vec::new();
        let (mut off, mut worked) = (Vec::new(), Vec::new());
        for y in years {
            let entry = format!("holidays {}", y.year);
            if seen.contains(&y.year) {
                errors.push((
                    entry.clone(),
                    "year",
                    "appears in more than one file".into(),
                ));
            }
            seen.push(y.year);
            let texts = |errors: &mut Vec<_>,
                         entry: &str,
                         name_vi: &str,
                         name_en: &str,
                         source: &str| {
                for (field, text) in [
                    ("name_vi", name_vi),
                    ("name_en", name_en),
                    ("source", source),
                ] {
                    if text.trim().is_empty() {
                        errors.push((entry.to_string(), field, "must not be empty".to_string()));
                    }
                }
            };
            let mut breaks = Vec::new();
            for (i, d) in y.days_off.iter().enumerate() {
                let entry = format!("{entry} day_off #{}", i + 1);
                texts(&mut errors, &entry, &d.name_vi, &d.name_en, &d.source);
                for (field, day) in [("from", d.from), ("to", d.to)] {
                    if day.year() != y.year {
                        errors.push((entry.clone(), field, format!("{day} is not in {}", y.year)));
                    }
                }
                let length = (d.to - d.from).whole_days();
                if !(0..14).contains(&length) {
                    errors.push((
                        entry.clone(),
                        "to",
                        format!(
                            "a break runs from 1 to 14 days; {} to {} is {} days",
                            d.from,
                            d.to,
                            length + 1
                        ),
                    ));
                    continue;
                }
                let mut day = Some(d.from);
                while let Some(d0) = day.filter(|d0| *d0 <= d.to) {
                    breaks.push(d0);
                    off.push(d0);
                    day = d0.next_day();
                }
            }
            for (i, w) in y.workdays.iter().enumerate() {
                let entry = format!("{entry} workday #{}", i + 1);
                texts(&mut errors, &entry, &w.name_vi, &w.name_en, &w.source);
                if w.date.year() != y.year {
                    errors.push((
                        entry.clone(),
                        "date",
                        format!("{} is not in {}", w.date, y.year),
                    ));
                } else if !is_weekend(w.date) {
                    errors.push((
                        entry.clone(),
                        "date",
                        format!("{} is a {}, not a weekend day", w.date, w.date.weekday()),
                    ));
                } else if breaks.contains(&w.date) {
                    errors.push((
                        entry.clone(),
                        "date",
                        format!("{} is inside a break", w.date),
                    ));
                }
                worked.push(w.date);
            }
        }
        if errors.is_empty() {
            Ok(WorkCalendar::new(seen, off, worked))
        } else {
            Err(errors)
        }
    }
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The clock an indicator's freshness contract counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Clock {
    /// Every second counts (monthly, quarterly and yearly reports).
    Always,
    /// Office hours of working days only: figures streamed from desks that are open then.
    OfficeHours,
    /// Due each working day at this time (minutes after midnight, Vietnam time): late when
    /// the latest working day's report has not arrived by then. Daily reports, at 17:00.
    DueOnWorkingDays { minute: u16 },
}

impl Clock {
    /// For a report due each working day: the moment `day`'s report is due (Vietnam time).
    pub fn due_on(self, day: Date) -> Option<OffsetDateTime> {
        let Clock::DueOnWorkingDays { minute } = self else {
            return None;
        };
        let at = Time::from_hms((minute / 60).min(23) as u8, (minute % 60) as u8, 0).ok()?;
        Some(day.with_time(at).assume_offset(VIETNAM))
    }
}

/// An indicator's freshness contract: when its latest value stops being current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreshnessContract {
    /// How old the latest value may be, counted by `clock` (for a report due on working
    /// days, the limit when the calendar cannot say: a value this old is late anyway).
    pub max_age_secs: i64,
    pub clock: Clock,
}

impl FreshnessContract {
    /// Whether a value as of `as_of` is late at `now`.
    pub fn is_late(
        &self,
        as_of: OffsetDateTime,
        now: OffsetDateTime,
        calendar: &WorkCalendar,
    ) -> bool {
        self.late_since(as_of, now, calendar).is_some()
    }

    /// Since when a value as of `as_of` has been late at `now`, if it is: the moment its
    /// successor was due.
    pub fn late_since(
        &self,
        as_of: OffsetDateTime,
        now: OffsetDateTime,
        calendar: &WorkCalendar,
    ) -> Option<OffsetDateTime> {
        let max_age = Duration::seconds(self.max_age_secs);
        let due = match self.clock {
            Clock::Always => as_of + max_age,
            Clock::OfficeHours => calendar
                .after_office_time(as_of, max_age)
                .unwrap_or(as_of + max_age),
            // a value as of a day is that day's report: the next one due is the following
            // working day's
            Clock::DueOnWorkingDays { .. } => calendar
                .working_day_after(as_of.to_offset(VIETNAM).date())
                .and_then(|day| self.clock.due_on(day))
                .unwrap_or(as_of + max_age),
        };
        // a report due at 17:00 is on time within that minute: late from 17:01
        let late = match self.clock {
            Clock::DueOnWorkingDays { .. } => now >= due + Duration::MINUTE,
            Clock::Always | Clock::OfficeHours => now > due,
        };
        (late && now > as_of).then_some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// 2026 as the Government gave it: Tết Dương lịch Thu 1/1 – Sun 4/1 with Friday 2/1
    /// made up on Saturday 10/1; Tết Nguyên đán Sat 14/2 – Sun 22/2; Giỗ Tổ on Sunday 26/4
    /// with Monday 27/4 in lieu; 30/4 and 1/5.
    fn calendar_2026() -> WorkCalendar {
        let range = |from: Date, to: Date| {
            let mut v = vec![from];
            while *v.last().unwrap() < to {
                v.push(v.last().unwrap().next_day().unwrap());
            }
            v
        };
        let mut off = range(date!(2026 - 01 - 01), date!(2026 - 01 - 04));
        off.extend(range(date!(2026 - 02 - 14), date!(2026 - 02 - 22)));
        off.extend([
            date!(2026 - 04 - 27),
            date!(2026 - 04 - 30),
            date!(2026 - 05 - 01),
        ]);
        WorkCalendar::new([2026], off, [date!(2026 - 01 - 10)])
    }

    fn daily() -> FreshnessContract {
        FreshnessContract {
            max_age_secs: 26 * 3600,
            clock: Clock::DueOnWorkingDays { minute: 17 * 60 },
        }
    }

    #[test]
    fn working_days_follow_the_calendar() {
        let c = calendar_2026();
        assert!(
            !c.is_working_day(date!(2026 - 01 - 02)),
            "the bridge Friday"
        );
        assert!(
            c.is_working_day(date!(2026 - 01 - 10)),
            "the Saturday that makes it up"
        );
        assert!(
            !c.is_working_day(date!(2026 - 01 - 17)),
            "an ordinary Saturday"
        );
        assert!(c.is_working_day(date!(2026 - 02 - 13)));
        assert!(!c.is_working_day(date!(2026 - 02 - 16)), "Tết");
        assert!(c.is_working_day(date!(2026 - 02 - 23)));
        assert!(!c.is_working_day(date!(2026 - 04 - 27)), "Giỗ Tổ in lieu");
        assert_eq!(
            c.working_day_after(date!(2026 - 02 - 13)),
            Some(date!(2026 - 02 - 23))
        );
        assert_eq!(
            c.working_day_after(date!(2025 - 12 - 31)),
            Some(date!(2026 - 01 - 05))
        );
        assert!(c.knows(2026) && !c.knows(2027));
        // outside its years, weekends only
        assert!(c.is_working_day(date!(2027 - 01 - 01)));
        // days that change nothing are left out
        assert_eq!(
            WorkCalendar::new([2026], [date!(2026 - 01 - 03)], [date!(2026 - 01 - 05)]),
            WorkCalendar::new([2026], [], [])
        );
    }

    #[test]
    fn a_daily_report_is_late_when_a_working_day_s_17_00_passes_without_it() {
        let (c, d) = (calendar_2026(), daily());
        // Wednesday 2 December's report is current until Thursday 17:00
        let wed = datetime!(2026-12-02 17:00 +7);
        assert!(!d.is_late(wed, datetime!(2026-12-03 17:00 +7), &c));
        assert_eq!(
            d.late_since(wed, datetime!(2026-12-03 17:01 +7), &c),
            Some(datetime!(2026-12-03 17:00 +7)),
            "one minute after the contract"
        );
        // a figure arriving one minute late is current from then on
        assert!(!d.is_late(
            datetime!(2026-12-03 17:01 +7),
            datetime!(2026-12-03 23:00 +7),
            &c
        ));
        // Friday's report over the weekend until Monday 17:00
        let fri = datetime!(2026-12-04 17:00 +7);
        assert!(!d.is_late(fri, datetime!(2026-12-07 16:59 +7), &c));
        assert!(!d.is_late(fri, datetime!(2026-12-07 17:00:59 +7), &c));
        assert!(d.is_late(fri, datetime!(2026-12-07 17:01 +7), &c));
        // over Tết: Friday 13 February's report is current until Monday 23 February 17:00
        let before_tet = datetime!(2026-02-13 17:00 +7);
        assert!(!d.is_late(before_tet, datetime!(2026-02-20 17:30 +7), &c));
        assert!(!d.is_late(before_tet, datetime!(2026-02-23 16:00 +7), &c));
        assert!(d.is_late(before_tet, datetime!(2026-02-23 17:01 +7), &c));
        // without the calendar the same figure was late on the first day of Tết's week
        let weekends_only = WorkCalendar::default();
        assert!(d.is_late(before_tet, datetime!(2026-02-16 17:01 +7), &weekends_only));
        // the New Year: 31 December 2025's report until Monday 5 January; the Saturday
        // worked in lieu wants a report of its own
        let eve = datetime!(2025-12-31 17:00 +7);
        assert!(!d.is_late(eve, datetime!(2026-01-05 16:00 +7), &c));
        assert!(d.is_late(eve, datetime!(2026-01-05 17:01 +7), &c));
        let fri9 = datetime!(2026-01-09 17:00 +7);
        assert!(d.is_late(fri9, datetime!(2026-01-10 17:01 +7), &c));
        // a report sent on a Saturday counts as that day's: the next is Monday's
        assert!(!d.is_late(
            datetime!(2026-12-05 10:00 +7),
            datetime!(2026-12-07 16:00 +7),
            &c
        ));
        // a leap day is a working day like any other
        assert!(d.is_late(
            datetime!(2028-02-28 17:00 +7),
            datetime!(2028-02-29 17:01 +7),
            &c
        ));
        // 31 January and 1 January of a year the calendar does not know: weekends only
        assert!(d.is_late(
            datetime!(2027-01-29 17:00 +7),
            datetime!(2027-02-01 17:01 +7),
            &c
        ));
        // a value from the future (a clock ahead) is not late
        assert!(!d.is_late(
            datetime!(2026-12-10 17:00 +7),
            datetime!(2026-12-09 17:00 +7),
            &c
        ));
    }

    #[test]
    fn a_figure_from_desks_counts_office_hours_only() {
        let c = calendar_2026();
        let streamed = FreshnessContract {
            max_age_secs: 15 * 60,
            clock: Clock::OfficeHours,
        };
        // the last dossier of Friday at 16:55 is current all weekend, until Monday 07:40
        let fri = datetime!(2026-12-04 16:55 +7);
        assert!(!streamed.is_late(fri, datetime!(2026-12-06 12:00 +7), &c));
        assert!(!streamed.is_late(fri, datetime!(2026-12-07 07:39 +7), &c));
        assert_eq!(
            streamed.late_since(fri, datetime!(2026-12-07 08:00 +7), &c),
            Some(datetime!(2026-12-07 07:40 +7))
        );
        // within the day: 15 minutes of silence is late
        let ten = datetime!(2026-12-07 10:00 +7);
        assert!(!streamed.is_late(ten, datetime!(2026-12-07 10:15 +7), &c));
        assert!(streamed.is_late(ten, datetime!(2026-12-07 10:16 +7), &c));
        // a night on Tết counts nothing
        let tet = datetime!(2026-02-13 16:50 +7);
        assert!(!streamed.is_late(tet, datetime!(2026-02-23 07:34 +7), &c));
        assert!(streamed.is_late(tet, datetime!(2026-02-23 07:36 +7), &c));
        // a monthly figure counts every day
        let monthly = FreshnessContract {
            max_age_secs: 45 * 86_400,
            clock: Clock::Always,
        };
        let m = datetime!(2026-10-31 17:00 +7);
        assert!(!monthly.is_late(m, datetime!(2026-12-15 17:00 +7), &c));
        assert!(monthly.is_late(m, datetime!(2026-12-15 17:01 +7), &c));
    }
}
