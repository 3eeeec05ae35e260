//! KPI tiles: what a tile shows, worked out from its spec and the live values.
//!
//! Pure functions, so the arithmetic a leader reads (share of estimate, trend, lateness) is
//! tested once and shown the same on the server-rendered page and after each live update.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::catalogue::{Cadence, Direction};
use super::format::{self, Quantity};
use super::i18n::Locale;
use super::live::LiveValue;
use super::unit::Unit;

/// What the big number of a tile is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Headline {
    /// The value itself; the share of the target is the secondary line.
    Value,
    /// The value as a percentage of its target (e.g. the disbursement rate).
    ShareOfTarget,
}

/// One tile on a screen, resolved from the catalogue for one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileSpec {
    pub indicator: String,
    pub area: String,
    pub title: String,
    pub unit: Unit,
    pub cadence: Cadence,
    pub direction: Direction,
    pub headline: Headline,
    /// The agency that owns the indicator (short name, full name).
    pub agency_short: String,
    pub agency_name: String,
    /// The indicator holding the target, if the target is another indicator.
    pub target_indicator: Option<String>,
    /// A fixed target in the indicator's unit.
    #[serde(with = "crate::model::number::option")]
    pub target_value: Option<Decimal>,
    /// The target indicator's figures by year as stored when the page was made: a
    /// year-to-date figure is compared with the target of its own year, and from 1
    /// December the live target may already be next year's.
    #[serde(default)]
    pub targets_by_year: Vec<YearTarget>,
    /// For a year-to-date figure: last year's figures around the same day (each at the
    /// end of its period), read with the page, for the change against cùng kỳ.
    #[serde(default)]
    pub last_year: Vec<DayFigure>,
    /// What the target is called (e.g. "dự toán HĐND giao").
    pub target_label: String,
    /// When the value calls for attention.
    pub threshold: Option<super::catalogue::Threshold>,
    /// Year to date (lũy kế): its change is never read across the 1 January reset.
    #[serde(default)]
    pub cumulative: bool,
    pub freshness: super::catalogue::FreshnessContract,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendDirection {
    Up,
    Down,
    Flat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub direction: TrendDirection,
    /// Whether the change is good news, by the indicator's direction; `None` if neutral.
    pub good: Option<bool>,
    /// e.g. "+12,3 tỷ đồng so với 21/11/2026".
    pub text: String,
}

/// How current a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Within its freshness contract and the connection is live.
    Current,
    /// Older than its freshness contract: the agency is late.
    Late,
    /// The connection is down, so the value may have changed since.
    Unconfirmed,
}

/// Everything a tile displays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileView {
    pub headline: Quantity,
    /// The secondary line, e.g. "85,1% dự toán" or "2.650,1 / 4.545,0 tỷ đồng".
    pub detail: Option<String>,
    /// Progress towards the target, 0–100 (capped) for the bar.
    pub progress: Option<Decimal>,
    pub trend: Option<Trend>,
    pub period: String,
    /// "số liệu đến 14:05 22/11/2026".
    pub as_of: String,
    pub freshness: Freshness,
    /// Critical or Warning when the value is beyond the indicator's thresholds.
    pub band: super::map::Band,
}

fn share(value: Decimal, of: Decimal) -> Option<Decimal> {
    if of.is_zero() {
        None
    } else {
        value.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(of)
    }
}

/// The target of `value`'s own year: `live` (the target indicator's current value) when
/// it is of that year, else the one of that year among `by_year` (read with the page).
pub fn target_of_year(
    value: &LiveValue,
    live: Option<&LiveValue>,
    by_year: &[YearTarget],
) -> Option<Decimal> {
    let year = value.period.start().year();
    live.filter(|t| t.period.start().year() == year)
        .map(|t| t.value)
        .or_else(|| by_year.iter().find(|t| t.year == year).map(|t| t.value))
}

/// A cumulative figure at the end of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayFigure {
    #[serde(with = "crate::model::iso::date")]
    pub day: time::Date,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
}

/// A target of one year (an estimate, a plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearTarget {
    pub year: i32,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
}

impl TileSpec {
    /// For a year-to-date figure: its change against cùng kỳ (the same day last year), in
    /// percent, when last year's figure is known.
    pub fn change_on_last_year(&self, value: &LiveValue) -> Option<Decimal> {
        if !self.cumulative {
            return None;
        }
        let last_year =
            super::money::YearToDate::new(self.last_year.iter().map(|f| (f.day, f.value)))
                .at(super::money::same_day_last_year(value.period.end()))?;
        Some((super::money::percent(value.value, last_year)? - Decimal::ONE_HUNDRED).round_dp(1))
    }

    /// A change shown as a trend: its direction, whether it is good news by the
    /// indicator's direction, and `text` given its sign.
    fn trend(&self, change: Decimal, text: impl FnOnce(&str) -> String) -> Trend {
        let direction = match change.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => TrendDirection::Up,
            std::cmp::Ordering::Less => TrendDirection::Down,
            std::cmp::Ordering::Equal => TrendDirection::Flat,
        };
        let good = match (self.direction, direction) {
            (Direction::Neutral, _) | (_, TrendDirection::Flat) => None,
            (Direction::HigherIsBetter, d) => Some(d == TrendDirection::Up),
            (Direction::LowerIsBetter, d) => Some(d == TrendDirection::Down),
        };
        let sign = match direction {
            TrendDirection::Up => "+",
            TrendDirection::Down => "−",
            TrendDirection::Flat => "±",
        };
        Trend {
            direction,
            good,
            text: text(sign),
        }
    }

    /// The target `value` is compared with: a fixed one, else the live target if it is of
    /// the value's own year, else the one of that year read with the page.
    pub fn target_for(&self, value: &LiveValue, live: Option<&LiveValue>) -> Option<Decimal> {
        if self.target_value.is_some() {
            return self.target_value;
        }
        target_of_year(value, live, &self.targets_by_year)
    }

    /// The tile's view for `value`, given its target's current value (if the target is an
    /// indicator), the time now and whether the live connection is up.
    pub fn view(
        &self,
        value: &LiveValue,
        target: Option<Decimal>,
        now: OffsetDateTime,
        calendar: &crate::model::workdays::WorkCalendar,
        connected: bool,
        locale: Locale,
    ) -> TileView {
        let target = self.target_value.or(target);
        let pct = target.and_then(|t| share(value.value, t));
        let headline = match (self.headline, pct) {
            (Headline::ShareOfTarget, Some(p)) => format::quantity(p, Unit::Percent, locale),
            _ => format::quantity(value.value, self.unit, locale),
        };
        let detail = match (self.headline, target, pct) {
            (Headline::Value, Some(t), Some(p)) => Some(format!(
                "{} {}% {} ({})",
                locale.pick("Đạt", "At"),
                format::number(p, 1, locale),
                self.target_label,
                format::quantity(t, self.unit, locale)
            )),
            (Headline::ShareOfTarget, Some(t), Some(_)) => {
                let v = format::quantity(value.value, self.unit, locale);
                let t = format::quantity(t, self.unit, locale);
                Some(format!("{} / {} {}", v.number, t.number, t.unit))
            }
            _ => None,
        };
        let trend = match self.change_on_last_year(value) {
            // a year-to-date figure changes against cùng kỳ: last year's on the same day
            Some(change) => Some(self.trend(change, |sign| {
                format!(
                    "{sign}{}% {}",
                    format::number(change.abs(), 1, locale),
                    locale.pick("so với cùng kỳ", "on a year earlier")
                )
            })),
            // else against the previous report — but a year-to-date figure restarts on
            // 1 January: the first figure of a year compared with the last of the year
            // before is not a fall
            None => value
                .previous
                .as_ref()
                .filter(|prev| {
                    !self.cumulative || prev.period.start().year() == value.period.start().year()
                })
                .map(|prev| {
                    let change = value.value - prev.value;
                    self.trend(change, |sign| {
                        let mut q = format::quantity(change.abs(), self.unit, locale);
                        if self.unit == Unit::Percent {
                            q.unit = locale.pick("điểm %", "pp");
                        }
                        format!(
                            "{sign}{q} {} {}",
                            locale.pick("so với", "vs"),
                            prev.period.label(locale)
                        )
                    })
                }),
        };
        let freshness = if !connected {
            Freshness::Unconfirmed
        } else if self.freshness.is_late(value.as_of, now, calendar) {
            Freshness::Late
        } else {
            Freshness::Current
        };
        let band = super::map::Band::of(Some(value.value), self.threshold, self.direction, None);
        TileView {
            band,
            headline,
            detail,
            progress: pct.map(|p| p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)),
            trend,
            period: value.period.label(locale),
            as_of: format!(
                "{} {}",
                locale.pick("số liệu đến", "data as of"),
                format::date_time(value.as_of, locale)
            ),
            freshness,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::live::PreviousValue;
    use std::str::FromStr;
    use time::macros::datetime;
    use time::Duration;

    fn spec(headline: Headline, unit: Unit, direction: Direction) -> TileSpec {
        TileSpec {
            indicator: "x".into(),
            area: "14".into(),
            title: "X".into(),
            unit,
            cadence: Cadence::Daily,
            direction,
            headline,
            agency_short: "STC".into(),
            agency_name: "Sở Tài chính".into(),
            target_indicator: Some("x.plan".into()),
            target_value: None,
            targets_by_year: Vec::new(),
            last_year: Vec::new(),
            target_label: "dự toán".into(),
            threshold: None,
            cumulative: false,
            freshness: crate::model::catalogue::FreshnessContract {
                max_age_secs: 3600,
                clock: crate::model::workdays::Clock::Always,
            },
        }
    }

    fn value(v: &str, prev: Option<&str>) -> LiveValue {
        LiveValue {
            indicator: "x".into(),
            area: "14".into(),
            project: None,
            period: "2026-11-22".parse().unwrap(),
            value: Decimal::from_str(v).unwrap(),
            unit: Unit::Dong,
            agency: "STC".into(),
            as_of: datetime!(2026-11-22 03:00 UTC),
            revision: 1,
            offset: 1,
            previous: prev.map(|p| PreviousValue {
                period: "2026-11-21".parse().unwrap(),
                value: Decimal::from_str(p).unwrap(),
            }),
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-22 03:30 UTC);

    #[test]
    fn value_headline_with_share_of_estimate() {
        let s = spec(Headline::Value, Unit::Dong, Direction::HigherIsBetter);
        let view = s.view(
            &value("4512300000000", Some("4500000000000")),
            Some(Decimal::from(5_300_000_000_000u64)),
            NOW,
            &Default::default(),
            true,
            Locale::Vi,
        );
        assert_eq!(view.headline.number, "4.512,3");
        assert_eq!(view.headline.unit, "tỷ đồng");
        assert_eq!(
            view.detail.as_deref(),
            Some("Đạt 85,1% dự toán (5.300,0 tỷ đồng)")
        );
        let trend = view.trend.unwrap();
        assert_eq!(trend.direction, TrendDirection::Up);
        assert_eq!(trend.good, Some(true));
        assert_eq!(trend.text, "+12,3 tỷ đồng so với 21/11/2026");
        assert_eq!(view.as_of, "số liệu đến 10:00 22/11/2026");
        assert_eq!(view.freshness, Freshness::Current);
    }

    #[test]
    fn share_headline_for_disbursement() {
        let s = spec(
            Headline::ShareOfTarget,
            Unit::Dong,
            Direction::HigherIsBetter,
        );
        let view = s.view(
            &value("2650100000000", None),
            Some(Decimal::from(4_545_000_000_000u64)),
            NOW,
            &Default::default(),
            true,
            Locale::Vi,
        );
        assert_eq!(view.headline.number, "58,3");
        assert_eq!(view.headline.unit, "%");
        assert_eq!(view.detail.as_deref(), Some("2.650,1 / 4.545,0 tỷ đồng"));
        assert!(view.trend.is_none());
    }

    #[test]
    fn falling_value_of_lower_is_better_is_good() {
        let mut s = spec(Headline::Value, Unit::Percent, Direction::LowerIsBetter);
        s.target_indicator = None;
        let view = s.view(
            &value("3.5", Some("4.0")),
            None,
            NOW,
            &Default::default(),
            true,
            Locale::Vi,
        );
        let trend = view.trend.unwrap();
        assert_eq!(
            (trend.direction, trend.good),
            (TrendDirection::Down, Some(true))
        );
        assert_eq!(trend.text, "−0,5 điểm % so với 21/11/2026");
        assert_eq!(view.detail, None);
    }

    #[test]
    fn late_and_unconfirmed_values_are_flagged() {
        let s = spec(Headline::Value, Unit::Dong, Direction::HigherIsBetter);
        let v = value("1", None);
        let later = NOW + Duration::hours(2);
        assert_eq!(
            s.view(&v, None, later, &Default::default(), true, Locale::Vi)
                .freshness,
            Freshness::Late
        );
        assert_eq!(
            s.view(&v, None, NOW, &Default::default(), false, Locale::Vi)
                .freshness,
            Freshness::Unconfirmed
        );
    }

    #[test]
    fn a_cumulative_figure_shows_no_fall_on_1_january() {
        let mut s = spec(Headline::Value, Unit::Dong, Direction::HigherIsBetter);
        s.cumulative = true;
        let mut v = value("25000000000", Some("4600000000000"));
        v.period = "2027-01-01".parse().unwrap();
        v.previous.as_mut().unwrap().period = "2026-12-31".parse().unwrap();
        assert!(s
            .view(&v, None, NOW, &Default::default(), true, Locale::Vi)
            .trend
            .is_none());
        // within the year the change is shown
        let within = value("4512300000000", Some("4500000000000"));
        assert!(s
            .view(&within, None, NOW, &Default::default(), true, Locale::Vi)
            .trend
            .is_some());
        // a figure that is not cumulative keeps its change across years
        s.cumulative = false;
        assert!(s
            .view(&v, None, NOW, &Default::default(), true, Locale::Vi)
            .trend
            .is_some());
    }

    #[test]
    fn a_cumulative_figure_changes_against_the_same_day_last_year() {
        let mut s = spec(Headline::Value, Unit::Dong, Direction::HigherIsBetter);
        s.cumulative = true;
        let figure = |day: time::Date, v: i64| DayFigure {
            day,
            value: Decimal::from(v),
        };
        s.last_year = vec![
            figure(time::macros::date!(2025 - 11 - 20), 3_900),
            figure(time::macros::date!(2025 - 11 - 21), 4_000),
            figure(time::macros::date!(2025 - 11 - 24), 4_100),
        ];
        // 22/11/2026 against 21/11/2025's figure (the last reported by the 22nd)
        let view = s.view(
            &value("4500", Some("4480")),
            None,
            NOW,
            &Default::default(),
            true,
            Locale::Vi,
        );
        let trend = view.trend.unwrap();
        assert_eq!(trend.text, "+12,5% so với cùng kỳ");
        assert_eq!(
            (trend.direction, trend.good),
            (TrendDirection::Up, Some(true))
        );
        // behind last year is a fall, whatever the change since yesterday
        let view = s.view(
            &value("3600", Some("3500")),
            None,
            NOW,
            &Default::default(),
            true,
            Locale::En,
        );
        assert_eq!(view.trend.unwrap().text, "−10.0% on a year earlier");
        // on 1 January: against 1 January last year, never against 31 December
        let mut first = value("20", Some("4600"));
        first.period = "2027-01-01".parse().unwrap();
        first.previous.as_mut().unwrap().period = "2026-12-31".parse().unwrap();
        s.last_year = vec![
            figure(time::macros::date!(2025 - 12 - 31), 4_100),
            figure(time::macros::date!(2026 - 01 - 01), 16),
        ];
        assert_eq!(
            s.view(&first, None, NOW, &Default::default(), true, Locale::Vi)
                .trend
                .unwrap()
                .text,
            "+25,0% so với cùng kỳ"
        );
        // 29 February against 28 February
        let mut leap = value("110", None);
        leap.period = "2028-02-29".parse().unwrap();
        s.last_year = vec![figure(time::macros::date!(2027 - 02 - 28), 100)];
        assert_eq!(
            s.view(&leap, None, NOW, &Default::default(), true, Locale::Vi)
                .trend
                .unwrap()
                .text,
            "+10,0% so với cùng kỳ"
        );
    }

    #[test]
    fn a_year_to_date_figure_is_compared_with_its_own_years_target() {
        let mut s = spec(Headline::Value, Unit::Dong, Direction::HigherIsBetter);
        let ytd = value("3000", None); // of 22/11/2026
        let estimate = |year: i32, v: i64| LiveValue {
            indicator: "x.plan".into(),
            period: crate::model::Period::Year(year),
            value: Decimal::from(v),
            ..value("0", None)
        };
        assert_eq!(
            s.target_for(&ytd, Some(&estimate(2026, 4500))),
            Some(Decimal::from(4500))
        );
        // from 1 December the live estimate can be next year's: never compared with it
        assert_eq!(s.target_for(&ytd, Some(&estimate(2027, 5000))), None);
        s.targets_by_year = vec![
            YearTarget {
                year: 2025,
                value: Decimal::from(4200),
            },
            YearTarget {
                year: 2026,
                value: Decimal::from(4500),
            },
        ];
        assert_eq!(
            s.target_for(&ytd, Some(&estimate(2027, 5000))),
            Some(Decimal::from(4500))
        );
        // the first figure of 2027 meets 2027's estimate, live
        let january = LiveValue {
            period: "2027-01-02".parse().unwrap(),
            ..value("40", None)
        };
        assert_eq!(
            s.target_for(&january, Some(&estimate(2027, 5000))),
            Some(Decimal::from(5000))
        );
        // a fixed target is a fixed target
        s.target_value = Some(Decimal::from(100));
        assert_eq!(
            s.target_for(&ytd, Some(&estimate(2027, 5000))),
            Some(Decimal::from(100))
        );
    }

    #[test]
    fn zero_target_gives_no_share() {
        let s = spec(
            Headline::ShareOfTarget,
            Unit::Dong,
            Direction::HigherIsBetter,
        );
        let view = s.view(
            &value("5", None),
            Some(Decimal::ZERO),
            NOW,
            &Default::default(),
            true,
            Locale::Vi,
        );
        assert_eq!(view.headline.number, "5");
        assert_eq!(view.progress, None);
    }
}
