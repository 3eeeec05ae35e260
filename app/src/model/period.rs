//! Reporting periods: the time span a figure is about.
//!
//! A period is parsed once from its canonical text (`2026-11-22`, `2026-11`, `2026-Q4`,
//! `2026`) and carried typed from then on. Periods of one kind order by their start.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};

use super::i18n::Locale;

/// The kind of a period, fixed per indicator by its cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// What people call a period of this kind, with an example they may type
    /// (`theo quý, vd. quý IV/2026`).
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            PeriodKind::Day => locale.pick("theo ngày, vd. 23/11/2026", "daily, e.g. 23/11/2026"),
            PeriodKind::Month => {
                locale.pick("theo tháng, vd. tháng 11/2026", "monthly, e.g. 11/2026")
            }
            PeriodKind::Quarter => {
                locale.pick("theo quý, vd. quý IV/2026", "quarterly, e.g. Q4 2026")
            }
            PeriodKind::Year => locale.pick("theo năm, vd. năm 2026", "yearly, e.g. 2026"),
        }
    }

    /// How the canonical text of this kind looks, for error messages.
    pub fn pattern(self) -> &'static str {
        match self {
            PeriodKind::Day => "YYYY-MM-DD",
            PeriodKind::Month => "YYYY-MM",
            PeriodKind::Quarter => "YYYY-Qn",
            PeriodKind::Year => "YYYY",
        }
    }
}

/// A calendar period (the fiscal year is the calendar year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Day(Date),
    Month { year: i32, month: u8 },
    Quarter { year: i32, quarter: u8 },
    Year(i32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a period (expected YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY)")]
pub struct PeriodParseError(pub String);

impl Period {
    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Day(_) => PeriodKind::Day,
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Year(_) => PeriodKind::Year,
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> Date {
        let first = |year: i32, month: u8| {
            Date::from_calendar_date(year, Month::try_from(month).unwrap_or(Month::January), 1)
                .unwrap_or(Date::MIN)
        };
        match *self {
            Period::Day(d) => d,
            Period::Month { year, month } => first(year, month),
            Period::Quarter { year, quarter } => first(year, (quarter - 1) * 3 + 1),
            Period::Year(year) => first(year, 1),
        }
    }

    /// The last day of the period.
    pub fn end(&self) -> Date {
        let last_of = |year: i32, month: u8| {
            let m = Month::try_from(month).unwrap_or(Month::December);
            Date::from_calendar_date(year, m, m.length(year)).unwrap_or(Date::MAX)
        };
        match *self {
            Period::Day(d) => d,
            Period::Month { year, month } => last_of(year, month),
            Period::Quarter { year, quarter } => last_of(year, quarter * 3),
            Period::Year(year) => last_of(year, 12),
        }
    }

    /// The period of the given kind that contains `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        let (year, month) = (date.year(), u8::from(date.month()));
        match kind {
            PeriodKind::Day => Period::Day(date),
            PeriodKind::Month => Period::Month { year, month },
            PeriodKind::Quarter => Period::Quarter {
                year,
                quarter: (month - 1) / 3 + 1,
            },
            PeriodKind::Year => Period::Year(year),
        }
    }

    /// Reads a period as people write it — `23/11/2026`, `tháng 11/2026` or `11/2026`,
    /// `quý IV/2026` or `quý 4/2026`, `Q4 2026`, `năm 2026` — or in its canonical form
    /// (`2026-11-23`, `2026-11`, `2026-Q4`, `2026`).
    pub fn parse_written(text: &str) -> Result<Period, PeriodParseError> {
        let err = || PeriodParseError(text.to_string());
        let t = text.trim().to_lowercase();
        if let Ok(p) = t.to_uppercase().parse::<Period>() {
            return Ok(p);
        }
        let number = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (label, rest) = ["ngày", "tháng", "quý", "năm", "q"]
            .into_iter()
            .find_map(|l| t.strip_prefix(l).map(|r| (l, r.trim())))
            .unwrap_or(("", t.as_str()));
        let parts: Vec<&str> = rest
            .split(['/', ' ', '-'])
            .filter(|p| !p.is_empty())
            .collect();
        match (label, parts.as_slice()) {
            ("" | "ngày", [d, m, y]) => {
                let (day, month, year) = (number(d), number(m), parse_year(y));
                let month = month.and_then(|m| Month::try_from(m as u8).ok());
                match (day, month, year) {
                    (Some(day), Some(month), Some(year)) => {
                        Date::from_calendar_date(year, month, day as u8)
                            .map(Period::Day)
                            .map_err(|_| err())
                    }
                    _ => Err(err()),
                }
            }
            ("" | "tháng", [m, y]) => {
                match (number(m).filter(|m| (1..=12).contains(m)), parse_year(y)) {
                    (Some(month), Some(year)) => Ok(Period::Month {
                        year,
                        month: month as u8,
                    }),
                    _ => Err(err()),
                }
            }
            ("quý" | "q", [q, y]) => {
                let quarter = match *q {
                    "i" | "1" => 1,
                    "ii" | "2" => 2,
                    "iii" | "3" => 3,
                    "iv" | "4" => 4,
                    _ => return Err(err()),
                };
                let year = parse_year(y).ok_or_else(err)?;
                Ok(Period::Quarter { year, quarter })
            }
            ("năm", [y]) => parse_year(y).map(Period::Year).ok_or_else(err),
            _ => Err(err()),
        }
    }

    /// A label for people: `22/11/2026`, `tháng 11/2026`, `quý IV/2026`, `năm 2026`.
    pub fn label(&self, locale: Locale) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match (*self, locale) {
            (Period::Day(d), _) => super::format::date(d, locale),
            (Period::Month { year, month }, Locale::Vi) => format!("tháng {month}/{year}"),
            (Period::Month { year, month }, Locale::En) => format!("{month:02}/{year}"),
            (Period::Quarter { year, quarter }, Locale::Vi) => {
                format!("quý {}/{year}", ROMAN[usize::from(quarter - 1)])
            }
            (Period::Quarter { year, quarter }, Locale::En) => format!("Q{quarter} {year}"),
            (Period::Year(year), Locale::Vi) => format!("năm {year}"),
            (Period::Year(year), Locale::En) => year.to_string(),
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    /// Periods order by their start; a longer period sorts after a shorter one starting the
    /// same day (periods of different kinds are never mixed within one indicator).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start(), self.end()).cmp(&(other.start(), other.end()))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Day(d) => write!(
                f,
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

fn parse_year(s: &str) -> Option<i32> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok().filter(|y| (1900..=2999).contains(y))
    } else {
        None
    }
}

fn parse_two_digits(s: &str) -> Option<u8> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodParseError(s.to_string());
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y] => parse_year(y).map(Period::Year).ok_or_else(err),
            [y, q] if q.len() == 2 && q.starts_with('Q') => {
                let year = parse_year(y).ok_or_else(err)?;
                let quarter = q[1..]
                    .parse::<u8>()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(err)?;
                Ok(Period::Quarter { year, quarter })
            }
            [y, m] => {
                let year = parse_year(y).ok_or_else(err)?;
                let month = parse_two_digits(m)
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(err)?;
                Ok(Period::Month { year, month })
            }
            [y, m, d] => {
                let year = parse_year(y).ok_or_else(err)?;
                let month = parse_two_digits(m)
                    .and_then(|m| Month::try_from(m).ok())
                    .ok_or_else(err)?;
                let day = parse_two_digits(d).ok_or_else(err)?;
                Date::from_calendar_date(year, month, day)
                    .map(Period::Day)
                    .map_err(|_| err())
            }
            _ => Err(err()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn reads_periods_as_people_write_them() {
        let p = |t: &str| Period::parse_written(t).map(|p| p.to_string());
        assert_eq!(p("23/11/2026").as_deref(), Ok("2026-11-23"));
        assert_eq!(p("ngày 3/1/2026").as_deref(), Ok("2026-01-03"));
        assert_eq!(p("tháng 11/2026").as_deref(), Ok("2026-11"));
        assert_eq!(p("11/2026").as_deref(), Ok("2026-11"));
        assert_eq!(p("quý IV/2026").as_deref(), Ok("2026-Q4"));
        assert_eq!(p("Quý 1/2026").as_deref(), Ok("2026-Q1"));
        assert_eq!(p("Q4 2026").as_deref(), Ok("2026-Q4"));
        assert_eq!(p("năm 2026").as_deref(), Ok("2026"));
        assert_eq!(p("2026-q4").as_deref(), Ok("2026-Q4"));
        assert_eq!(p(" 2026-11-23 ").as_deref(), Ok("2026-11-23"));
        assert_eq!(p("29/02/2028").as_deref(), Ok("2028-02-29"));
        for bad in [
            "29/02/2026",
            "31/04/2026",
            "13/2026",
            "quý V/2026",
            "tháng 0/2026",
            "hôm qua",
            "",
        ] {
            assert!(Period::parse_written(bad).is_err(), "{bad}");
        }
        // what a period is shown as reads back as the same period
        for text in ["2026-11-23", "2026-11", "2026-Q4", "2026"] {
            let period: Period = text.parse().unwrap();
            assert_eq!(Period::parse_written(&period.label(Locale::Vi)), Ok(period));
        }
    }

    #[test]
    fn parses_each_kind() {
        assert_eq!("2026-11-22".parse(), Ok(Period::Day(date!(2026 - 11 - 22))));
        assert_eq!(
            "2026-11".parse(),
            Ok(Period::Month {
                year: 2026,
                month: 11
            })
        );
        assert_eq!(
            "2026-Q4".parse(),
            Ok(Period::Quarter {
                year: 2026,
                quarter: 4
            })
        );
        assert_eq!("2026".parse(), Ok(Period::Year(2026)));
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-1",
            "2026-Q5",
            "2026-Q0",
            "2026-02-30",
            "2026-11-22T00",
            "abcd",
            "2026/11",
            "2026-q4",
            "12026",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn quarter_spans_three_months() {
        let q = Period::Quarter {
            year: 2026,
            quarter: 4,
        };
        assert_eq!(q.start(), date!(2026 - 10 - 01));
        assert_eq!(q.end(), date!(2026 - 12 - 31));
        assert_eq!(
            Period::Month {
                year: 2024,
                month: 2
            }
            .end(),
            date!(2024 - 02 - 29)
        );
    }

    #[test]
    fn containing_finds_the_period_of_a_date() {
        let d = date!(2026 - 11 - 22);
        assert_eq!(
            Period::containing(PeriodKind::Quarter, d).to_string(),
            "2026-Q4"
        );
        assert_eq!(
            Period::containing(PeriodKind::Month, d).to_string(),
            "2026-11"
        );
        assert_eq!(Period::containing(PeriodKind::Year, d).to_string(), "2026");
    }

    #[test]
    fn labels_in_vietnamese() {
        assert_eq!(
            Period::Quarter {
                year: 2026,
                quarter: 4
            }
            .label(Locale::Vi),
            "quý IV/2026"
        );
        assert_eq!(
            Period::Month {
                year: 2026,
                month: 11
            }
            .label(Locale::Vi),
            "tháng 11/2026"
        );
        assert_eq!(
            Period::Day(date!(2026 - 11 - 02)).label(Locale::Vi),
            "02/11/2026"
        );
    }

    proptest! {
        #[test]
        fn display_round_trips(y in 1900i32..2999, m in 1u8..=12, d in 1u8..=28, q in 1u8..=4) {
            let all = [
                Period::Day(Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()),
                Period::Month { year: y, month: m },
                Period::Quarter { year: y, quarter: q },
                Period::Year(y),
            ];
            for p in all {
                prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
                prop_assert!(p.start() <= p.end());
            }
        }

        #[test]
        fn order_follows_start(a in 1900i32..2999, b in 1900i32..2999, ma in 1u8..=12, mb in 1u8..=12) {
            let pa = Period::Month { year: a, month: ma };
            let pb = Period::Month { year: b, month: mb };
            prop_assert_eq!(pa.cmp(&pb), (a, ma).cmp(&(b, mb)));
        }
    }
}
