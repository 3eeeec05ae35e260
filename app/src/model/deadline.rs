//! Deadlines as Vietnamese plans write them, and the day each one falls due.
//!
//! A plan's appendix gives each task a deadline of one of a few kinds: a date ("Trước
//! 30/6/2026"), a month ("Tháng 3/2026"), a quarter ("Quý I/2026"), half a year ("6 tháng đầu
//! năm 2026"), a year ("Năm 2026") or several ("2024 - 2025"), a recurrence ("Thường xuyên",
//! "Hằng năm", "Hằng quý", "Hằng tháng"), or a schedule set by another body ("Theo lộ trình
//! của Bộ Công an"). [`Deadline::parse`] reads each kind — and refuses what it cannot read
//! for certain, never guessing — and [`Deadline::due`] gives the day a dated one falls due:
//! the last day of its period.
//!
//! A written deadline without its year ("Quý II", "Tháng 6") takes the plan's year when the
//! caller knows it, and is refused otherwise.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::i18n::Locale;
use super::period::{Period, PeriodKind};

/// When a task is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deadline {
    /// By a day: "Trước 30/6/2026", "30/9/2025".
    Date { date: Date },
    /// Within a month: "Tháng 3/2026".
    Month { year: i32, month: u8 },
    /// Within a quarter: "Quý I/2026".
    Quarter { year: i32, quarter: u8 },
    /// Within half a year: "6 tháng đầu năm 2026" (1), "6 tháng cuối năm 2026" (2).
    Half { year: i32, half: u8 },
    /// Within a year: "Năm 2026".
    Year { year: i32 },
    /// Over several years, done by the end of the last: "2024 - 2025", "Giai đoạn 2026-2030".
    Years { from: i32, to: i32 },
    /// Ongoing, never done: "Thường xuyên".
    Continuous,
    /// Again every year ("Hằng năm", "Năm 2025 và các năm tiếp theo"), quarter ("Hằng quý")
    /// or month ("Hằng tháng"): due at the end of each — or, with `day`, on that day of
    /// each period's last month ("ngày 20 tháng cuối quý").
    Every {
        every: PeriodKind,
        #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
        day: Option<u8>,
    },
    /// On a schedule another body sets: "Theo lộ trình của Bộ Công an". No date here.
    External { by: String },
}

/// Why a written deadline cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason_en}: '{text}'")]
pub struct DeadlineError {
    pub text: String,
    /// A stable machine-readable reason: `empty`, `no_year`, `no_such_day`, `unreadable`.
    pub code: &'static str,
    pub reason_vi: &'static str,
    pub reason_en: &'static str,
}

impl DeadlineError {
    fn new(text: &str, code: &'static str) -> DeadlineError {
        let (reason_vi, reason_en) = match code {
            "empty" => ("thời hạn để trống", "the deadline is empty"),
            "no_year" => (
                "thời hạn không ghi năm và không rõ năm của kế hoạch",
                "the deadline has no year and the plan's year is not known",
            ),
            "no_such_day" => ("ngày không có thật", "no such day"),
            "years_backwards" => (
                "năm kết thúc trước năm bắt đầu",
                "the last year is before the first",
            ),
            _ => (
                "không nhận ra thời hạn (vd. Quý I/2026, Tháng 3/2026, Trước 30/6/2026, Năm 2026, Thường xuyên, Hằng năm)",
                "not a deadline we can read (e.g. Quý I/2026, Tháng 3/2026, Trước 30/6/2026, Năm 2026, Thường xuyên, Hằng năm)",
            ),
        };
        DeadlineError {
            text: text.to_string(),
            code,
            reason_vi,
            reason_en,
        }
    }
}

/// Words before the period itself that do not change it ("hoàn thành trước ngày …").
const LEADING: &[&str] = &[
    "hoàn thành",
    "chậm nhất",
    "vào",
    "trước ngày",
    "trước",
    "trong",
    "đến hết",
    "đến",
    "ngày",
];

impl Deadline {
    /// Reads a deadline as a plan writes it. `plan_year` is the year of the plan, for
    /// deadlines written without one.
    pub fn parse(text: &str, plan_year: Option<i32>) -> Result<Deadline, DeadlineError> {
        let err = |code| DeadlineError::new(text, code);
        let t = normalise(text);
        if t.is_empty() {
            return Err(err("empty"));
        }
        // schedules of other bodies, kept as written
        for lead in [
            "theo lộ trình",
            "theo kế hoạch của",
            "theo hướng dẫn của",
            "theo yêu cầu của",
        ] {
            if t.starts_with(lead) {
                return Ok(Deadline::External {
                    by: text.split_whitespace().collect::<Vec<_>>().join(" "),
                });
            }
        }
        // what comes before the period itself ("hoàn thành trong …", "chậm nhất vào …")
        let mut rest = t.as_str();
        loop {
            let before = rest;
            for lead in LEADING {
                if let Some(r) = rest.strip_prefix(lead) {
                    rest = r.trim_start();
                }
            }
            if rest == before {
                break;
            }
        }
        // an orientation beyond the deadline is not the deadline: "…, định hướng đến 2025"
        let rest = match rest.find("định hướng") {
            Some(i) => rest[..i].trim_end_matches([',', ';', ' ']),
            None => rest,
        };
        let every = |every| Ok(Deadline::Every { every, day: None });
        match rest {
            "thường xuyên" | "thường xuyên, liên tục" | "liên tục" => {
                return Ok(Deadline::Continuous)
            }
            "hằng năm" | "hàng năm" => return every(PeriodKind::Year),
            "hằng quý" | "hàng quý" | "tháng cuối quý" => {
                return every(PeriodKind::Quarter)
            }
            "hằng tháng" | "hàng tháng" => return every(PeriodKind::Month),
            _ => {}
        }
        // a report due on a day of each quarter's last month: "ngày 20 tháng cuối quý",
        // "ngày 17 của tháng cuối quý"
        if let Some(day) = rest
            .strip_suffix("tháng cuối quý")
            .map(|d| d.trim().trim_end_matches("của").trim())
            .and_then(|d| {
                d.strip_prefix("ngày")
                    .unwrap_or(d)
                    .trim()
                    .parse::<u8>()
                    .ok()
            })
        {
            return if (1..=31).contains(&day) {
                Ok(Deadline::Every {
                    every: PeriodKind::Quarter,
                    day: Some(day),
                })
            } else {
                Err(err("no_such_day"))
            };
        }
        // a year and every one after it: "Năm 2025 và các năm tiếp theo"
        if let Some(first) = rest
            .strip_suffix("và các năm tiếp theo")
            .map(|y| y.trim().trim_start_matches("năm").trim())
            .and_then(year)
        {
            let _ = first;
            return every(PeriodKind::Year);
        }
        // several years: "2024 - 2025", "giai đoạn 2026-2030", "năm 2024-2025"
        let years = rest
            .trim_start_matches("giai đoạn")
            .trim_start_matches("năm")
            .trim();
        if let Some((a, b)) = years.split_once('-') {
            if let (Some(from), Some(to)) = (year(a.trim()), year(b.trim())) {
                return if to < from {
                    Err(err("years_backwards"))
                } else if to == from {
                    Ok(Deadline::Year { year: to })
                } else {
                    Ok(Deadline::Years { from, to })
                };
            }
        }
        // half a year: "6 tháng đầu năm 2026", "6 tháng cuối năm"
        for (prefix, half) in [("6 tháng đầu năm", 1), ("6 tháng cuối năm", 2)] {
            if let Some(tail) = rest.strip_prefix(prefix) {
                let year = match tail.trim() {
                    "" => plan_year.ok_or_else(|| err("no_year"))?,
                    y => year(y).ok_or_else(|| err("unreadable"))?,
                };
                return Ok(Deadline::Half { year, half });
            }
        }
        // "tháng 6 năm 2019", "quý II năm 2025": the year after "năm"
        let written;
        let rest = match rest.rsplit_once(" năm ") {
            Some((head, y))
                if year(y).is_some()
                    && (head.starts_with("tháng ") || head.starts_with("quý ")) =>
            {
                written = format!("{head}/{y}");
                written.as_str()
            }
            _ => rest,
        };
        if rest.is_empty() {
            return Err(err("unreadable"));
        }
        // a bare year: "2026"
        if let Some(year) = year(rest) {
            return Ok(Deadline::Year { year });
        }
        let period = match Period::parse_written(rest) {
            Ok(p) => p,
            Err(_) => {
                // the plan's year where the text has none: "Quý II", "Tháng 6", "30/6"
                if written_without_year(rest) {
                    let y = plan_year.ok_or_else(|| err("no_year"))?;
                    Period::parse_written(&format!("{rest}/{y}"))
                        .map_err(|_| err(no_such_day_or_unreadable(rest)))?
                } else {
                    return Err(err(no_such_day_or_unreadable(rest)));
                }
            }
        };
        Ok(match period {
            Period::Day(date) => Deadline::Date { date },
            Period::Month { year, month } => Deadline::Month { year, month },
            Period::Quarter { year, quarter } => Deadline::Quarter { year, quarter },
            Period::Year(year) => Deadline::Year { year },
        })
    }

    /// The kind's name, as in the JSON form (`quarter`, `every`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Deadline::Date { .. } => "date",
            Deadline::Month { .. } => "month",
            Deadline::Quarter { .. } => "quarter",
            Deadline::Half { .. } => "half",
            Deadline::Year { .. } => "year",
            Deadline::Years { .. } => "years",
            Deadline::Continuous => "continuous",
            Deadline::Every { .. } => "every",
            Deadline::External { .. } => "external",
        }
    }

    /// The day it falls due: the last day of its period. None for what has no fixed day
    /// (ongoing, recurring, or set by another body).
    pub fn due(&self) -> Option<Date> {
        Some(match *self {
            Deadline::Date { date } => date,
            Deadline::Month { year, month } => Period::Month { year, month }.end(),
            Deadline::Quarter { year, quarter } => Period::Quarter { year, quarter }.end(),
            Deadline::Half { year, half } => {
                let month = if half == 1 {
                    Month::June
                } else {
                    Month::December
                };
                Date::from_calendar_date(year, month, month.length(year)).ok()?
            }
            Deadline::Year { year } | Deadline::Years { to: year, .. } => Period::Year(year).end(),
            Deadline::Continuous | Deadline::Every { .. } | Deadline::External { .. } => {
                return None
            }
        })
    }

    /// For a recurring deadline, the periods a report may be owed for on `today`, latest
    /// first: the current one and the one before it, each with the day its report falls due.
    pub fn recurring_periods(&self, today: Date) -> Option<[(Period, Date); 2]> {
        let Deadline::Every { every, day } = *self else {
            return None;
        };
        let due_in = |p: Period| {
            let end = p.end();
            day.and_then(|d| {
                Date::from_calendar_date(
                    end.year(),
                    end.month(),
                    d.min(end.month().length(end.year())),
                )
                .ok()
            })
            .unwrap_or(end)
        };
        let current = Period::containing(every, today);
        let previous = Period::containing(every, current.start().previous_day()?);
        Some([(current, due_in(current)), (previous, due_in(previous))])
    }

    /// The deadline in the words plans use (Vietnamese) or in English.
    pub fn label(&self, locale: Locale) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        let vi = locale == Locale::Vi;
        match self {
            Deadline::Date { date } => {
                let day = super::format::date(*date, locale);
                if vi {
                    format!("Trước {day}")
                } else {
                    format!("By {day}")
                }
            }
            Deadline::Month { year, month } => {
                if vi {
                    format!("Tháng {month}/{year}")
                } else {
                    format!("{month:02}/{year}")
                }
            }
            Deadline::Quarter { year, quarter } => {
                if vi {
                    format!(
                        "Quý {}/{year}",
                        ROMAN[usize::from(quarter.clamp(&1, &4) - 1)]
                    )
                } else {
                    format!("Q{quarter} {year}")
                }
            }
            Deadline::Half { year, half } => match (vi, half) {
                (true, 1) => format!("6 tháng đầu năm {year}"),
                (true, _) => format!("6 tháng cuối năm {year}"),
                (false, 1) => format!("H1 {year}"),
                (false, _) => format!("H2 {year}"),
            },
            Deadline::Year { year } => {
                if vi {
                    format!("Năm {year}")
                } else {
                    year.to_string()
                }
            }
            Deadline::Years { from, to } => format!("{from} - {to}"),
            Deadline::Continuous => locale.pick("Thường xuyên", "Ongoing").to_string(),
            Deadline::Every { every, day } => {
                let every = match every {
                    PeriodKind::Year => locale.pick("Hằng năm", "Every year"),
                    PeriodKind::Quarter => locale.pick("Hằng quý", "Every quarter"),
                    PeriodKind::Month => locale.pick("Hằng tháng", "Every month"),
                    PeriodKind::Day => locale.pick("Hằng ngày", "Every day"),
                };
                match (day, every) {
                    (None, every) => every.to_string(),
                    (Some(d), "Hằng quý") => format!("ngày {d} tháng cuối quý"),
                    (Some(d), "Every quarter") => {
                        format!("by day {d} of each quarter's last month")
                    }
                    (Some(d), every) => format!("{every} ({d})"),
                }
            }
            Deadline::External { by } => by.clone(),
        }
    }
}

/// Lower case, one space between words, no full stop at the end, "quý 1" for "quý I" kept as
/// written (the period parser reads both).
fn normalise(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let joined = words.join(" ");
    joined
        .trim_end_matches(['.', ';', ','])
        .replace(" / ", "/")
        .replace("- ", "-")
        .replace(" -", "-")
        .trim()
        .to_string()
}

fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|y| (1900..=2999).contains(y))
}

/// "Quý II", "tháng 6", "30/6": a period written without its year.
fn written_without_year(rest: &str) -> bool {
    let digits_and_slashes = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'/');
    if let Some(q) = rest.strip_prefix("quý") {
        return matches!(q.trim(), "i" | "ii" | "iii" | "iv" | "1" | "2" | "3" | "4");
    }
    if let Some(m) = rest.strip_prefix("tháng") {
        let m = m.trim();
        return !m.is_empty() && m.len() <= 2 && m.bytes().all(|b| b.is_ascii_digit());
    }
    // "30/6": a day and a month
    digits_and_slashes(rest) && rest.matches('/').count() == 1
}

/// Whether the text looks like a day that does not exist (31/4/2026) or is not readable.
fn no_such_day_or_unreadable(rest: &str) -> &'static str {
    let parts: Vec<&str> = rest.split('/').collect();
    let all_numbers = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if all_numbers && (2..=3).contains(&parts.len()) {
        "no_such_day"
    } else {
        "unreadable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn due(text: &str, plan_year: Option<i32>) -> Option<Date> {
        Deadline::parse(text, plan_year)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .due()
    }

    #[test]
    fn each_kind_falls_due_at_the_end_of_its_period() {
        assert_eq!(due("Quý I/2026", None), Some(date!(2026 - 03 - 31)));
        assert_eq!(due("Quý IV/2026", None), Some(date!(2026 - 12 - 31)));
        assert_eq!(due("Tháng 2/2028", None), Some(date!(2028 - 02 - 29)));
        assert_eq!(due("Tháng 2/2026", None), Some(date!(2026 - 02 - 28)));
        assert_eq!(due("trước 30/6/2026", None), Some(date!(2026 - 06 - 30)));
        assert_eq!(due("Năm 2026", None), Some(date!(2026 - 12 - 31)));
        assert_eq!(due("2024 - 2025", None), Some(date!(2025 - 12 - 31)));
        assert_eq!(
            due("6 tháng đầu năm 2026", None),
            Some(date!(2026 - 06 - 30))
        );
        assert_eq!(
            due("6 tháng cuối năm 2026", None),
            Some(date!(2026 - 12 - 31))
        );
        for none in [
            "Thường xuyên",
            "Hằng năm",
            "Hàng quý",
            "Theo lộ trình của Bộ Công an",
        ] {
            assert_eq!(due(none, None), None, "{none}");
        }
    }

    #[test]
    fn a_deadline_without_its_year_takes_the_plans_or_is_refused() {
        assert_eq!(due("Quý II", Some(2025)), Some(date!(2025 - 06 - 30)));
        assert_eq!(due("Tháng 6", Some(2025)), Some(date!(2025 - 06 - 30)));
        assert_eq!(due("trước 30/9", Some(2025)), Some(date!(2025 - 09 - 30)));
        assert_eq!(Deadline::parse("Quý II", None).unwrap_err().code, "no_year");
        assert_eq!(
            Deadline::parse("Tháng 6", None).unwrap_err().code,
            "no_year"
        );
    }

    #[test]
    fn what_cannot_be_read_for_certain_is_refused_with_a_reason() {
        for (bad, code) in [
            ("", "empty"),
            ("   ", "empty"),
            ("31/4/2026", "no_such_day"),
            ("29/2/2026", "no_such_day"),
            ("Quý V/2026", "unreadable"),
            ("Tháng 13/2026", "unreadable"),
            ("sớm", "unreadable"),
            ("trước", "unreadable"),
            ("2026 - 2024", "years_backwards"),
            ("Năm 26", "unreadable"),
        ] {
            let e = Deadline::parse(bad, Some(2026)).expect_err(bad);
            assert_eq!(e.code, code, "{bad}");
            assert!(!e.reason_vi.is_empty() && !e.reason_en.is_empty());
        }
    }

    #[test]
    fn the_leap_day_is_a_deadline_in_a_leap_year_only() {
        assert_eq!(
            due("Trước ngày 29/02/2028", None),
            Some(date!(2028 - 02 - 29))
        );
        assert!(Deadline::parse("Trước ngày 29/02/2027", None).is_err());
    }

    #[test]
    fn labels_read_back_as_the_same_deadline() {
        for text in [
            "Quý III/2026",
            "Tháng 12/2025",
            "Trước 30/6/2026",
            "Năm 2026",
            "2024 - 2025",
            "6 tháng đầu năm 2026",
            "Thường xuyên",
            "Hằng năm",
            "Hằng quý",
            "Hằng tháng",
            "ngày 20 tháng cuối quý",
            "Theo lộ trình của Bộ Công an",
        ] {
            let d = Deadline::parse(text, None).unwrap();
            assert_eq!(
                Deadline::parse(&d.label(Locale::Vi), None),
                Ok(d.clone()),
                "{text}"
            );
            assert!(!d.label(Locale::En).is_empty());
        }
    }

    #[test]
    fn a_recurring_deadline_names_this_period_and_the_last() {
        let yearly = Deadline::parse("Hằng năm", None).unwrap();
        let [(now, _), (before, due)] = yearly.recurring_periods(date!(2026 - 01 - 01)).unwrap();
        assert_eq!((now, before), (Period::Year(2026), Period::Year(2025)));
        assert_eq!(due, date!(2025 - 12 - 31));
        let quarterly = Deadline::parse("hàng quý", None).unwrap();
        let [(now, _), (before, _)] = quarterly.recurring_periods(date!(2026 - 04 - 01)).unwrap();
        assert_eq!(
            now,
            Period::Quarter {
                year: 2026,
                quarter: 2
            }
        );
        assert_eq!(
            before,
            Period::Quarter {
                year: 2026,
                quarter: 1
            }
        );
        // a report due on the 20th of each quarter's last month
        let twentieth = Deadline::parse("chậm nhất vào ngày 20 tháng cuối quý", None).unwrap();
        let [(now, due), _] = twentieth.recurring_periods(date!(2026 - 06 - 21)).unwrap();
        assert_eq!(
            (now, due),
            (
                Period::Quarter {
                    year: 2026,
                    quarter: 2
                },
                date!(2026 - 06 - 20)
            )
        );
        assert!(Deadline::Continuous
            .recurring_periods(date!(2026 - 04 - 01))
            .is_none());
    }

    /// Every deadline written in the task tables, task texts and assignment sections of the
    /// five seed plans (`../shared/domain/seeds/`, file:line), with the plan's year, and
    /// what it must read as: its kind and the day it falls due, or the reason it is refused.
    #[allow(clippy::type_complexity)]
    const SEEDS: &[(&str, &str, i32, Result<(&str, Option<&str>), &str>)] = &[
        (
            "000:338",
            "Quý I/2025",
            2025,
            Ok(("quarter", Some("2025-03-31"))),
        ),
        ("000:353", "Thường xuyên", 2025, Ok(("continuous", None))),
        ("000:367", "Hàng năm", 2025, Ok(("every", None))),
        (
            "000:434",
            "Tháng 3/2025",
            2025,
            Ok(("month", Some("2025-03-31"))),
        ),
        (
            "000:449",
            "Quý 4/2025",
            2025,
            Ok(("quarter", Some("2025-12-31"))),
        ),
        (
            "001:171",
            "trong tháng 6 năm 2019",
            2019,
            Ok(("month", Some("2019-06-30"))),
        ),
        (
            "001:190",
            "trong giai đoạn 2019 - 2020",
            2019,
            Ok(("years", Some("2020-12-31"))),
        ),
        (
            "001:191",
            "trong giai đoạn 2021 - 2025",
            2019,
            Ok(("years", Some("2025-12-31"))),
        ),
        (
            "001:218",
            "trong năm 2020",
            2019,
            Ok(("year", Some("2020-12-31"))),
        ),
        (
            "001:227",
            "hoàn thành trong giai đoạn 2019 - 2020",
            2019,
            Ok(("years", Some("2020-12-31"))),
        ),
        (
            "001:234",
            "trong tháng 9 năm 2019",
            2019,
            Ok(("month", Some("2019-09-30"))),
        ),
        (
            "001:235",
            "trong giai đoạn 2020 - 2025",
            2019,
            Ok(("years", Some("2025-12-31"))),
        ),
        (
            "001:300",
            "trong giai đoạn 2019-2020, định hướng đến 2025",
            2019,
            Ok(("years", Some("2020-12-31"))),
        ),
        (
            "001:353",
            "trong giai đoạn 2019 - 2020, định hướng đến 2025",
            2019,
            Ok(("years", Some("2020-12-31"))),
        ),
        ("001:372", "hàng quý", 2019, Ok(("every", None))),
        (
            "001:376",
            "chậm nhất vào ngày 20 tháng cuối quý",
            2019,
            Ok(("every", None)),
        ),
        ("001:390", "vào tháng cuối quý", 2019, Ok(("every", None))),
        ("001:404", "hằng năm", 2019, Ok(("every", None))),
        ("001:418", "hàng năm", 2019, Ok(("every", None))),
        (
            "001:466",
            "hoàn thành trước 20/5/2019",
            2019,
            Ok(("date", Some("2019-05-20"))),
        ),
        (
            "001:485",
            "trước ngày 17 của tháng cuối quý",
            2019,
            Ok(("every", None)),
        ),
        (
            "001:562",
            "2019-2020",
            2019,
            Ok(("years", Some("2020-12-31"))),
        ),
        (
            "001:564",
            "2021-2025",
            2019,
            Ok(("years", Some("2025-12-31"))),
        ),
        (
            "001:577",
            "Tháng 5/2019",
            2019,
            Ok(("month", Some("2019-05-31"))),
        ),
        (
            "001:580",
            "2020-2025",
            2019,
            Ok(("years", Some("2025-12-31"))),
        ),
        ("001:599", "", 2019, Err("empty")),
        (
            "001:614",
            "Tháng 6/2019",
            2019,
            Ok(("month", Some("2019-06-30"))),
        ),
        (
            "001:696",
            "Tháng 7/2019",
            2019,
            Ok(("month", Some("2019-07-31"))),
        ),
        (
            "001:719",
            "Tháng 8/2019",
            2019,
            Ok(("month", Some("2019-08-31"))),
        ),
        (
            "001:825",
            "2021 -2025",
            2019,
            Ok(("years", Some("2025-12-31"))),
        ),
        (
            "001:843",
            "Tháng 9/2019",
            2019,
            Ok(("month", Some("2019-09-30"))),
        ),
        (
            "001:917",
            "Quý II/2019",
            2019,
            Ok(("quarter", Some("2019-06-30"))),
        ),
        (
            "001:936",
            "Tháng 10/2019",
            2019,
            Ok(("month", Some("2019-10-31"))),
        ),
        ("001:955", "2019", 2019, Ok(("year", Some("2019-12-31")))),
        ("002:83", "thường xuyên", 2025, Ok(("continuous", None))),
        (
            "002:117",
            "Quý II năm 2025",
            2025,
            Ok(("quarter", Some("2025-06-30"))),
        ),
        (
            "002:122",
            "Theo lộ trình của Văn phòng Chính phủ",
            2025,
            Ok(("external", None)),
        ),
        (
            "002:127",
            "Tháng 12 năm 2025",
            2025,
            Ok(("month", Some("2025-12-31"))),
        ),
        (
            "002:128",
            "Tháng 12/2025",
            2025,
            Ok(("month", Some("2025-12-31"))),
        ),
        (
            "003:743",
            "giai đoạn 2020 - 2025",
            2023,
            Ok(("years", Some("2025-12-31"))),
        ),
        (
            "003:803",
            "trong Quý I/2023",
            2023,
            Ok(("quarter", Some("2023-03-31"))),
        ),
        (
            "003:805",
            "chậm nhất trong Quý III/2023",
            2023,
            Ok(("quarter", Some("2023-09-30"))),
        ),
        ("003:827", "định kỳ theo quy định", 2023, Err("unreadable")),
        (
            "004:319",
            "30/9/2025.",
            2025,
            Ok(("date", Some("2025-09-30"))),
        ),
        (
            "004:328",
            "30/6/2025.",
            2025,
            Ok(("date", Some("2025-06-30"))),
        ),
        (
            "004:339",
            "31/12/2025.",
            2025,
            Ok(("date", Some("2025-12-31"))),
        ),
        (
            "004:348",
            "31/7/2025.",
            2025,
            Ok(("date", Some("2025-07-31"))),
        ),
        (
            "004:359",
            "30/8/2025.",
            2025,
            Ok(("date", Some("2025-08-30"))),
        ),
        ("004:419", "Thường xuyên.", 2025, Ok(("continuous", None))),
        ("004:530", "Báo cáo định kỳ", 2025, Err("unreadable")),
    ];

    #[test]
    fn every_deadline_of_the_seed_plans_reads_as_the_plan_means_it() {
        for (at, text, year, expected) in SEEDS {
            let read = Deadline::parse(text, Some(*year));
            match (expected, &read) {
                (Ok((k, due)), Ok(d)) => {
                    assert_eq!(d.kind(), *k, "{at} '{text}'");
                    assert_eq!(
                        d.due().map(|d| d.to_string()).as_deref(),
                        *due,
                        "{at} '{text}'"
                    );
                }
                (Err(code), Err(e)) => assert_eq!(e.code, *code, "{at} '{text}'"),
                _ => panic!("{at} '{text}': expected {expected:?}, read {read:?}"),
            }
        }
        // the recurring ones say when in the period
        let twentieth = Deadline::parse("chậm nhất vào ngày 20 tháng cuối quý", None).unwrap();
        assert_eq!(
            twentieth,
            Deadline::Every {
                every: PeriodKind::Quarter,
                day: Some(20)
            }
        );
        assert_eq!(
            Deadline::parse("trước ngày 17 của tháng cuối quý", None).unwrap(),
            Deadline::Every {
                every: PeriodKind::Quarter,
                day: Some(17)
            }
        );
        assert_eq!(
            Deadline::parse("Năm 2025 và các năm tiếp theo", None).unwrap(),
            Deadline::Every {
                every: PeriodKind::Year,
                day: None
            }
        );
        assert_eq!(
            Deadline::parse("ngày 32 tháng cuối quý", None)
                .unwrap_err()
                .code,
            "no_such_day"
        );
    }

    #[test]
    fn the_json_form_names_the_kind() {
        let d = Deadline::parse("Quý I/2026", None).unwrap();
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            serde_json::json!({"kind": "quarter", "year": 2026, "quarter": 1})
        );
        assert_eq!(serde_json::to_value(&d).unwrap()["kind"], d.kind());
        let every: Deadline =
            serde_json::from_value(serde_json::json!({"kind": "every", "every": "year"})).unwrap();
        assert_eq!(
            every,
            Deadline::Every {
                every: PeriodKind::Year,
                day: None
            }
        );
    }
}
