//! Numbers, money, dates and times the way people in Vietnam read them:
//! `1.234,5`, `22/11/2026`, `14:05`, `5.300,0 tỷ đồng`; English uses `1,234.5`.
//!
//! Times are shown in Vietnam's time zone (UTC+7, no daylight saving).

use rust_decimal::{Decimal, RoundingStrategy};
use time::{Date, OffsetDateTime, UtcOffset};

use super::i18n::Locale;
use super::unit::{Dimension, Unit};

/// Asia/Ho_Chi_Minh: a fixed UTC+7 offset.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `value` with the digits it has (no trailing zeros), grouped in thousands.
pub fn exact(value: Decimal, locale: Locale) -> String {
    let value = value.normalize();
    number(value, value.scale(), locale)
}

/// `value` rounded to `decimals` places, grouped in thousands.
pub fn number(value: Decimal, decimals: u32, locale: Locale) -> String {
    let (group, point) = locale.pick(('.', ','), (',', '.'));
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    let digits = int_part.len();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac_part.is_empty() {
        out.push(point);
        out.push_str(frac_part);
    }
    out
}

/// A value ready for display: the number and its unit, separately so a tile can size them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub number: String,
    pub unit: &'static str,
}

impl std::fmt::Display for Quantity {
    /// `5.450,0 tỷ đồng`, `80,0%`, `1.234`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.unit {
            "" => f.write_str(&self.number),
            "%" => write!(f, "{}%", self.number),
            unit => write!(f, "{} {unit}", self.number),
        }
    }
}

/// Formats `value` (in `unit`) for display: money in the largest of tỷ/triệu/đồng that
/// keeps it at least 1, percentages and points with one decimal, counts whole.
pub fn quantity(value: Decimal, unit: Unit, locale: Locale) -> Quantity {
    match unit.dimension() {
        Dimension::Money => {
            let dong = unit.convert(value, Unit::Dong).unwrap_or(value);
            let shown = [Unit::BillionDong, Unit::MillionDong]
                .into_iter()
                .find(|u| {
                    Unit::Dong
                        .convert(dong.abs(), *u)
                        .is_some_and(|v| v >= Decimal::ONE)
                })
                .unwrap_or(Unit::Dong);
            let v = Unit::Dong.convert(dong, shown).unwrap_or(dong);
            let decimals = if shown == Unit::Dong { 0 } else { 1 };
            Quantity {
                number: number(v, decimals, locale),
                unit: shown.label(locale),
            }
        }
        // dollars in millions once there are a million of them
        Dimension::ForeignMoney if value.abs() >= Decimal::from(1_000_000) => Quantity {
            number: number(value / Decimal::from(1_000_000), 1, locale),
            unit: locale.pick("triệu USD", "million USD"),
        },
        Dimension::ForeignMoney => Quantity {
            number: number(value, 0, locale),
            unit: unit.label(locale),
        },
        Dimension::Ratio | Dimension::Score | Dimension::Duration => Quantity {
            number: number(value, 1, locale),
            unit: unit.label(locale),
        },
        Dimension::Count => Quantity {
            number: number(value, 0, locale),
            unit: unit.label(locale),
        },
    }
}

/// A coordinate in a chart's SVG, to a tenth of a unit (finer than any screen shows):
/// `56.0`, `-3.5`. Written with integers, so the browser's bundle carries no code for
/// formatting floating-point numbers.
pub fn svg(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

/// A decimal as a floating-point number, for drawing (0 if out of range).
pub fn to_f64(v: Decimal) -> f64 {
    rust_decimal::prelude::ToPrimitive::to_f64(&v).unwrap_or(0.0)
}

/// `22/11/2026`.
pub fn date(d: Date, _locale: Locale) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// `14:05 22/11/2026`, in Vietnam time.
pub fn date_time(at: OffsetDateTime, locale: Locale) -> String {
    let local = at.to_offset(VIETNAM);
    format!(
        "{:02}:{:02} {}",
        local.hour(),
        local.minute(),
        date(local.date(), locale)
    )
}

/// `14:05:09`, in Vietnam time.
pub fn clock(at: OffsetDateTime) -> String {
    let local = at.to_offset(VIETNAM);
    format!(
        "{:02}:{:02}:{:02}",
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// The calendar date in Vietnam at `at`.
pub fn vietnam_date(at: OffsetDateTime) -> Date {
    at.to_offset(VIETNAM).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The charts' coordinates read as `{:.1}` would write them.
    #[test]
    fn svg_coordinates_are_written_to_a_tenth() {
        for v in [
            0.0,
            56.0,
            904.0,
            12.34,
            12.35,
            0.04,
            -0.04,
            -3.46,
            379.99,
            1e6 + 0.25,
        ] {
            let expected = format!("{v:.1}");
            let expected = if expected == "-0.0" {
                "0.0".to_string()
            } else {
                expected
            };
            // {:.1} rounds ties to even on the binary value; both agree away from ties
            if (v * 10.0_f64).fract().abs() != 0.5 {
                assert_eq!(svg(v), expected, "{v}");
            }
        }
        assert_eq!(svg(-3.46), "-3.5");
        assert_eq!(svg(0.0), "0.0");
        assert_eq!(to_f64(Decimal::new(615, 1)), 61.5);
    }

    use proptest::prelude::*;
    use std::str::FromStr;
    use time::macros::datetime;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn vietnamese_grouping_and_decimal_comma() {
        assert_eq!(number(d("1234.5"), 1, Locale::Vi), "1.234,5");
        assert_eq!(number(d("1234567"), 0, Locale::Vi), "1.234.567");
        assert_eq!(number(d("1234.5"), 1, Locale::En), "1,234.5");
        assert_eq!(number(d("-0.04"), 1, Locale::Vi), "0,0");
        assert_eq!(number(d("-1234.56"), 1, Locale::Vi), "-1.234,6");
        assert_eq!(number(d("999.95"), 1, Locale::Vi), "1.000,0");
    }

    #[test]
    fn money_is_shown_in_billions_of_dong() {
        let q = quantity(Decimal::from(5_300_123_000_000u64), Unit::Dong, Locale::Vi);
        assert_eq!(
            q,
            Quantity {
                number: "5.300,1".into(),
                unit: "tỷ đồng"
            }
        );
        let q = quantity(Decimal::from(25_000_000u64), Unit::Dong, Locale::Vi);
        assert_eq!(
            q,
            Quantity {
                number: "25,0".into(),
                unit: "triệu đồng"
            }
        );
        let q = quantity(d("12.5"), Unit::BillionDong, Locale::En);
        assert_eq!(
            q,
            Quantity {
                number: "12.5".into(),
                unit: "billion VND"
            }
        );
    }

    #[test]
    fn quantities_read_as_text() {
        assert_eq!(
            quantity(d("80"), Unit::Percent, Locale::Vi).to_string(),
            "80,0%"
        );
        assert_eq!(
            quantity(d("1234"), Unit::Count, Locale::Vi).to_string(),
            "1.234"
        );
        assert_eq!(
            quantity(d("5450000000000"), Unit::Dong, Locale::Vi).to_string(),
            "5.450,0 tỷ đồng"
        );
        // export turnover: dollars, in millions, never turned into đồng
        assert_eq!(
            quantity(d("182750000"), Unit::Usd, Locale::Vi).to_string(),
            "182,8 triệu USD"
        );
        assert_eq!(
            quantity(d("182750000"), Unit::Usd, Locale::En).to_string(),
            "182.8 million USD"
        );
        assert_eq!(
            quantity(d("950000"), Unit::Usd, Locale::Vi).to_string(),
            "950.000 USD"
        );
    }

    #[test]
    fn percentages_and_counts() {
        assert_eq!(
            quantity(d("87.46"), Unit::Percent, Locale::Vi).number,
            "87,5"
        );
        assert_eq!(
            quantity(d("12345"), Unit::Count, Locale::Vi).number,
            "12.345"
        );
    }

    #[test]
    fn times_are_in_vietnam() {
        let at = datetime!(2026-11-22 20:05:09 UTC);
        assert_eq!(date_time(at, Locale::Vi), "03:05 23/11/2026");
        assert_eq!(clock(at), "03:05:09");
        assert_eq!(vietnam_date(at).to_string(), "2026-11-23");
    }

    proptest! {
        #[test]
        fn grouping_keeps_the_digits(n in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let text = number(Decimal::from(n), 0, Locale::Vi);
            let digits: String = text.chars().filter(|c| *c != '.').collect();
            prop_assert_eq!(digits, n.to_string());
            // groups of three after the first
            for group in text.trim_start_matches('-').split('.').skip(1) {
                prop_assert_eq!(group.len(), 3);
            }
        }
    }
}
