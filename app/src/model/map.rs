//! The overview map: commune shapes as SVG paths (projected on the server) and how a value
//! colours its commune.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::catalogue::{Direction, Threshold};
use super::i18n::Locale;
use super::unit::Unit;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapShape {
    /// The unit's code.
    pub area: String,
    pub name: String,
    /// SVG path data in the map's coordinate space. Never sent to the browser: the server
    /// draws the map, the browser only writes the live figures into it.
    #[serde(skip)]
    pub path: String,
    /// The boundary was rebuilt from parts of older units' shapes and is approximate.
    pub approximate: bool,
    /// Not a boundary: a hexagon placed roughly where the unit is.
    pub schematic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapData {
    pub width: u32,
    pub height: u32,
    pub shapes: Vec<MapShape>,
    /// Where the boundaries come from.
    pub source: String,
    /// Public-investment projects whose site is known, in the same coordinates.
    #[serde(default)]
    pub points: Vec<MapPoint>,
}

/// A project's site on the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapPoint {
    /// The project's code.
    pub code: String,
    pub name: String,
    pub x: i32,
    pub y: i32,
}

/// An indicator the map can colour the communes by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapLayer {
    pub indicator: String,
    pub title: String,
    pub unit: Unit,
    pub direction: Direction,
    pub threshold: Option<Threshold>,
    /// The far end of the good side (the indicator's maximum or minimum).
    #[serde(with = "crate::model::number::option")]
    pub best: Option<Decimal>,
    pub agency_short: String,
    pub agency_name: String,
    pub freshness: super::catalogue::FreshnessContract,
    /// Shown as a percentage of each commune's target of the same year (revenue against
    /// its estimate) instead of the value itself.
    #[serde(default)]
    pub share_of: Option<ShareOf>,
}

/// The targets a share layer divides by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareOf {
    /// The indicator holding each commune's target (live).
    pub indicator: String,
    /// Each commune's targets of last year and this year, read with the page (the live
    /// target may already be next year's from 1 December).
    pub by_area: std::collections::BTreeMap<String, Vec<super::tile::YearTarget>>,
}

impl ShareOf {
    /// `value` as a percentage of its commune's target of the same year.
    pub fn apply(
        &self,
        value: super::LiveValue,
        live_target: Option<&super::LiveValue>,
    ) -> Option<super::LiveValue> {
        let targets = self
            .by_area
            .get(&value.area)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let target = super::tile::target_of_year(&value, live_target, targets)?;
        let share = super::money::percent(value.value, target)?.round_dp(1);
        Some(super::LiveValue {
            value: share,
            unit: Unit::Percent,
            ..value
        })
    }
}

impl MapLayer {
    pub fn band(&self, value: Option<Decimal>) -> Band {
        Band::of(value, self.threshold, self.direction, self.best)
    }

    /// The legend: each band and the values it stands for (`< 20%`, `20–30%` …).
    pub fn legend(&self, locale: Locale) -> Vec<(Band, String)> {
        let n = |v: Decimal| super::format::quantity(v, self.unit, locale).to_string();
        let mut out = Vec::new();
        if let Some(t) = self.threshold {
            let middle = self.best.map(|b| (t.warning + b) / Decimal::TWO);
            let (below, above) = (locale.pick("dưới", "below"), locale.pick("từ", "from"));
            match self.direction {
                Direction::LowerIsBetter => {
                    out.push((
                        Band::Critical,
                        format!("{} {}", locale.pick("trên", "above"), n(t.critical)),
                    ));
                    out.push((
                        Band::Warning,
                        format!("{} – {}", n(t.warning), n(t.critical)),
                    ));
                    if let Some(m) = middle {
                        out.push((Band::Fair, format!("{} – {}", n(m), n(t.warning))));
                        out.push((Band::Good, format!("{below} {}", n(m))));
                    } else {
                        out.push((Band::Good, format!("{below} {}", n(t.warning))));
                    }
                }
                _ => {
                    out.push((Band::Critical, format!("{below} {}", n(t.critical))));
                    out.push((
                        Band::Warning,
                        format!("{} – {}", n(t.critical), n(t.warning)),
                    ));
                    if let Some(m) = middle {
                        out.push((Band::Fair, format!("{} – {}", n(t.warning), n(m))));
                        out.push((Band::Good, format!("{above} {}", n(m))));
                    } else {
                        out.push((Band::Good, format!("{above} {}", n(t.warning))));
                    }
                }
            }
        }
        out.push((
            Band::Missing,
            locale.pick("chưa có số liệu", "no data").to_string(),
        ));
        out
    }
}

/// The colour class of a value on a choropleth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    /// Beyond the critical threshold.
    Critical,
    /// Beyond the warning threshold.
    Warning,
    /// Within the thresholds, in the lower half of what remains.
    Fair,
    /// Within the thresholds, in the better half.
    Good,
    /// No value.
    Missing,
}

impl Band {
    /// The class of `value` for an indicator with this threshold and direction; `best` is
    /// the far end of the good side (the indicator's maximum, or a target).
    pub fn of(
        value: Option<Decimal>,
        threshold: Option<Threshold>,
        direction: Direction,
        best: Option<Decimal>,
    ) -> Band {
        let Some(v) = value else { return Band::Missing };
        let Some(t) = threshold else {
            return Band::Fair;
        };
        let worse = |a: Decimal, b: Decimal| match direction {
            Direction::LowerIsBetter => a > b,
            _ => a < b,
        };
        if worse(v, t.critical) {
            Band::Critical
        } else if worse(v, t.warning) {
            Band::Warning
        } else {
            match best {
                Some(best) if worse(v, (t.warning + best) / Decimal::TWO) => Band::Fair,
                _ => Band::Good,
            }
        }
    }

    /// The band's name in markup (`data-band`).
    pub fn name(self) -> &'static str {
        match self {
            Band::Critical => "critical",
            Band::Warning => "warning",
            Band::Fair => "fair",
            Band::Good => "good",
            Band::Missing => "missing",
        }
    }

    /// The band in words, so that colour is never the only signal (the map's table).
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Band::Critical => locale.pick("Báo động", "Critical"),
            Band::Warning => locale.pick("Cần chú ý", "Warning"),
            Band::Fair => locale.pick("Trung bình", "Fair"),
            Band::Good => locale.pick("Tốt", "Good"),
            Band::Missing => locale.pick("Chưa có số liệu", "No data"),
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Band::Critical => "band-critical",
            Band::Warning => "band-warning",
            Band::Fair => "band-fair",
            Band::Good => "band-good",
            Band::Missing => "band-missing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(w: i64, c: i64) -> Option<Threshold> {
        Some(Threshold {
            warning: Decimal::from(w),
            critical: Decimal::from(c),
        })
    }

    #[test]
    fn a_share_layer_divides_by_the_communes_target_of_the_same_year() {
        use super::super::tile::YearTarget;
        use super::super::{LiveValue, Period};
        let v = |indicator: &str, area: &str, period: Period, value: i64| LiveValue {
            indicator: indicator.into(),
            area: area.into(),
            project: None,
            period,
            value: Decimal::from(value),
            unit: Unit::Dong,
            agency: "KBNN".into(),
            as_of: time::macros::datetime!(2026-12-11 10:00 UTC),
            revision: 1,
            offset: 1,
            previous: None,
        };
        let share = ShareOf {
            indicator: "est".into(),
            by_area: [(
                "03646".to_string(),
                vec![YearTarget {
                    year: 2026,
                    value: Decimal::from(200),
                }],
            )]
            .into(),
        };
        let ytd = v("ytd", "03646", "2026-12-11".parse().unwrap(), 150);
        // the live estimate is already 2027's: the commune is judged by 2026's
        let next = v("est", "03646", Period::Year(2027), 400);
        let shown = share.apply(ytd.clone(), Some(&next)).unwrap();
        assert_eq!(shown.value, Decimal::from(75));
        assert_eq!(shown.unit, Unit::Percent);
        assert_eq!(shown.as_of, ytd.as_of, "as fresh as the figure");
        let this = v("est", "03646", Period::Year(2026), 300);
        assert_eq!(
            share.apply(ytd.clone(), Some(&this)).unwrap().value,
            Decimal::from(50)
        );
        // a commune without a target of its year has no share
        let other = v("ytd", "03647", "2026-12-11".parse().unwrap(), 150);
        assert_eq!(share.apply(other, Some(&next)), None);
    }

    #[test]
    fn bands_follow_thresholds_and_direction() {
        let up = |v: i64| {
            Band::of(
                Some(Decimal::from(v)),
                t(30, 20),
                Direction::HigherIsBetter,
                Some(Decimal::ONE_HUNDRED),
            )
        };
        assert_eq!(up(15), Band::Critical);
        assert_eq!(up(25), Band::Warning);
        assert_eq!(up(50), Band::Fair);
        assert_eq!(up(80), Band::Good);
        let down = |v: i64| {
            Band::of(
                Some(Decimal::from(v)),
                t(5, 20),
                Direction::LowerIsBetter,
                Some(Decimal::ZERO),
            )
        };
        assert_eq!(down(25), Band::Critical);
        assert_eq!(down(10), Band::Warning);
        assert_eq!(down(4), Band::Fair);
        assert_eq!(down(1), Band::Good);
        assert_eq!(
            Band::of(None, t(1, 0), Direction::HigherIsBetter, None),
            Band::Missing
        );
        assert_eq!(
            Band::of(Some(Decimal::ONE), None, Direction::HigherIsBetter, None),
            Band::Fair
        );
    }
}
