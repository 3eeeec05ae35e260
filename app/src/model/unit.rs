//! Units of measure of indicator values, and conversion within a dimension.
//!
//! Values are stored in the unit the catalogue gives an indicator; an agency may send a
//! value in another unit of the same dimension (say `billion_dong` for a `dong` indicator)
//! and it is converted exactly, with decimals, never through floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::i18n::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Vietnamese đồng.
    Dong,
    MillionDong,
    BillionDong,
    Percent,
    Count,
    /// Index points (e.g. the 100-point public-service index).
    Points,
    Days,
    /// United States dollars (export turnover is reported in them); never converted to
    /// đồng.
    Usd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Money,
    ForeignMoney,
    Ratio,
    Count,
    Score,
    Duration,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Dong,
        Unit::MillionDong,
        Unit::BillionDong,
        Unit::Percent,
        Unit::Count,
        Unit::Points,
        Unit::Days,
        Unit::Usd,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Dong => "dong",
            Unit::MillionDong => "million_dong",
            Unit::BillionDong => "billion_dong",
            Unit::Percent => "percent",
            Unit::Count => "count",
            Unit::Points => "points",
            Unit::Days => "days",
            Unit::Usd => "usd",
        }
    }

    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Dong | Unit::MillionDong | Unit::BillionDong => Dimension::Money,
            Unit::Percent => Dimension::Ratio,
            Unit::Count => Dimension::Count,
            Unit::Points => Dimension::Score,
            Unit::Days => Dimension::Duration,
            Unit::Usd => Dimension::ForeignMoney,
        }
    }

    /// How many of the dimension's base unit one of this unit is.
    fn scale(self) -> Decimal {
        match self {
            Unit::MillionDong => Decimal::from(1_000_000u32),
            Unit::BillionDong => Decimal::from(1_000_000_000u32),
            _ => Decimal::ONE,
        }
    }

    /// Converts `value` from this unit to `to`; `None` across dimensions or on overflow.
    pub fn convert(self, value: Decimal, to: Unit) -> Option<Decimal> {
        if self.dimension() != to.dimension() {
            return None;
        }
        if self == to {
            return Some(value);
        }
        value.checked_mul(self.scale())?.checked_div(to.scale())
    }

    /// The unit's name in a list to choose from (never empty: a count is `số lượng`).
    pub fn name(self, locale: Locale) -> &'static str {
        match self {
            Unit::Percent => locale.pick("phần trăm (%)", "percent (%)"),
            Unit::Count => locale.pick("số lượng", "count"),
            other => other.label(locale),
        }
    }

    /// The unit's name for people.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Unit::Dong => locale.pick("đồng", "VND"),
            Unit::MillionDong => locale.pick("triệu đồng", "million VND"),
            Unit::BillionDong => locale.pick("tỷ đồng", "billion VND"),
            Unit::Percent => "%",
            Unit::Count => "",
            Unit::Points => locale.pick("điểm", "points"),
            Unit::Days => locale.pick("ngày", "days"),
            Unit::Usd => "USD",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Unit {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::ALL.into_iter().find(|u| u.code() == s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_money_exactly() {
        let v = Decimal::from_str("1234.5").unwrap();
        assert_eq!(
            Unit::BillionDong.convert(v, Unit::Dong),
            Some(Decimal::from(1_234_500_000_000u64))
        );
        assert_eq!(
            Unit::Dong.convert(Decimal::from(2_500_000u32), Unit::MillionDong),
            Decimal::from_str("2.5").ok()
        );
    }

    #[test]
    fn refuses_to_convert_across_dimensions() {
        assert_eq!(Unit::Percent.convert(Decimal::ONE, Unit::Dong), None);
        assert_eq!(Unit::Count.convert(Decimal::ONE, Unit::Points), None);
        assert_eq!(
            Unit::Usd.convert(Decimal::ONE, Unit::Dong),
            None,
            "no exchange rate"
        );
    }

    #[test]
    fn codes_round_trip() {
        for u in Unit::ALL {
            assert_eq!(u.code().parse::<Unit>(), Ok(u));
        }
        assert!("VND".parse::<Unit>().is_err());
    }
}
