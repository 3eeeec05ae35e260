//! Decimals as JSON numbers, the way the wire carries them.
//!
//! Written exactly: a whole number as an integer, anything else as its exact decimal text
//! (`1234567890123456789.123456789` stays that, digit for digit, for any reader that keeps
//! numbers exact). Read from a JSON number through a double, which keeps the shortest
//! decimal form of everything a double can hold (61.5 stays 61.5, 0.1 stays 0.1) without
//! carrying float formatting into the browser's WASM; that is for values shown on screen.
//! Submitted values are read exactly, from their text, by [`parse_exact`].
//!
//! In a screen's compact encoding (not human-readable: [`crate::model::compact`]) a decimal
//! is its mantissa and scale.
//!
//! Use with `#[serde(with = "crate::model::number")]` or `number::option`.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;

pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    // a screen's compact encoding ([`crate::model::compact`]): mantissa and scale
    if !serializer.is_human_readable() {
        return serde::Serialize::serialize(&(value.mantissa(), value.scale()), serializer);
    }
    if value.fract().is_zero() {
        if let Some(whole) = value.to_i64() {
            return serializer.serialize_i64(whole);
        }
    }
    // serde_json writes a raw value verbatim: the decimal's own digits, not a double's
    match serde_json::value::RawValue::from_string(value.normalize().to_string()) {
        Ok(raw) => serde::Serialize::serialize(&raw, serializer),
        Err(_) => serializer.serialize_f64(value.to_f64().unwrap_or(f64::NAN)),
    }
}

/// Why a number's text cannot be a [`Decimal`] exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExactError {
    #[error("not a number")]
    NotANumber,
    /// More than 28 significant digits, more than 28 decimal places, or beyond ±7.9·10²⁸.
    #[error("cannot be held exactly (at most 28 significant digits)")]
    NotRepresentable,
}

/// Reads the text of a JSON number (`-12.50`, `1e3`, `2.5E-4`) as a [`Decimal`], exactly:
/// nothing is rounded. A number that a decimal cannot hold exactly is refused, never
/// approximated.
pub fn parse_exact(text: &str) -> Result<Decimal, ExactError> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp = &text[i + 1..];
            let exp = exp.strip_prefix('+').unwrap_or(exp);
            if exp.is_empty()
                || !exp
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                return Err(ExactError::NotANumber);
            }
            // an exponent too long to read is far outside any decimal's range
            let exp: i64 = exp.parse().map_err(|_| ExactError::NotRepresentable)?;
            (&text[..i], exp)
        }
        None => (text, 0),
    };
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let json_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let whole_ok = json_digits(whole) && (whole == "0" || !whole.starts_with('0'));
    if !whole_ok || (unsigned.contains('.') && !json_digits(fraction)) {
        return Err(ExactError::NotANumber);
    }
    // the value is digits × 10^-scale
    let mut digits: String = format!("{whole}{fraction}")
        .trim_start_matches('0')
        .to_string();
    let mut scale = fraction.len() as i64 - exponent;
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    // trailing decimal zeros carry no value: drop them while there are too many digits
    while scale > 0 && digits.ends_with('0') && (scale > 28 || digits.len() > 29) {
        digits.pop();
        scale -= 1;
    }
    if scale < 0 {
        if -scale > 28 {
            return Err(ExactError::NotRepresentable);
        }
        digits.push_str(&"0".repeat((-scale) as usize));
        scale = 0;
    }
    if scale > 28 || digits.len() > 29 {
        return Err(ExactError::NotRepresentable);
    }
    let mut units: i128 = digits.parse().map_err(|_| ExactError::NotRepresentable)?;
    if negative {
        units = -units;
    }
    Decimal::try_from_i128_with_scale(units, scale as u32).map_err(|_| ExactError::NotRepresentable)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    if !deserializer.is_human_readable() {
        let (mantissa, scale): (i128, u32) = serde::Deserialize::deserialize(deserializer)?;
        return Decimal::try_from_i128_with_scale(mantissa, scale).map_err(de::Error::custom);
    }
    deserializer.deserialize_any(NumberVisitor)
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_f64(v).ok_or_else(|| E::custom("the number is out of the decimal range"))
    }
}

/// The same for `Option<Decimal>` (absent or null is `None`).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        /// The decimal as [`super::serialize`] writes it.
        struct Exact<'a>(&'a Decimal);
        impl serde::Serialize for Exact<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                super::serialize(self.0, serializer)
            }
        }
        match value {
            Some(v) => serializer.serialize_some(&Exact(v)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};
    use std::str::FromStr;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        v: Decimal,
        #[serde(default, with = "super::option")]
        o: Option<Decimal>,
    }

    fn round_trip(text: &str) -> Decimal {
        let h = Holder {
            v: Decimal::from_str(text).unwrap(),
            o: None,
        };
        let json = serde_json::to_string(&h).unwrap();
        serde_json::from_str::<Holder>(&json).unwrap().v
    }

    #[test]
    fn writes_exactly_what_is_stored() {
        let holder = |text: &str| Holder {
            v: Decimal::from_str(text).unwrap(),
            o: None,
        };
        assert_eq!(
            serde_json::to_string(&holder("1234567890123456789.123456789")).unwrap(),
            r#"{"v":1234567890123456789.123456789,"o":null}"#
        );
        assert_eq!(
            serde_json::to_string(&holder("12345678901234567890123")).unwrap(),
            r#"{"v":12345678901234567890123,"o":null}"#
        );
        assert_eq!(
            serde_json::to_string(&holder("61.50")).unwrap(),
            r#"{"v":61.5,"o":null}"#
        );
        assert_eq!(
            serde_json::to_value(holder("0.1")).unwrap()["v"],
            serde_json::json!(0.1)
        );
    }

    #[test]
    fn reads_number_text_exactly_or_refuses_it() {
        use super::{parse_exact, ExactError};
        let d = |s: &str| Decimal::from_str(s).unwrap();
        for (text, value) in [
            (
                "1234567890123456789.123456789",
                "1234567890123456789.123456789",
            ),
            ("0", "0"),
            ("-0", "0"),
            ("61.5", "61.5"),
            ("-3.25", "-3.25"),
            ("1e3", "1000"),
            ("2.5E-4", "0.00025"),
            ("1.50e+2", "150"),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            ("1.0000000000000000000000000000000000", "1"),
            ("0e-99999", "0"),
            (
                "12345678901234567890.1234567890",
                "12345678901234567890.123456789",
            ),
        ] {
            assert_eq!(parse_exact(text), Ok(d(value)), "{text}");
        }
        for text in [
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "1.2345678901234567890123456789012",
            "1e29",
            "1e99999999999999999999",
        ] {
            assert_eq!(
                parse_exact(text),
                Err(ExactError::NotRepresentable),
                "{text}"
            );
        }
        for text in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "abc", "1.2.3", "+1", "0x10", "1e5.5",
        ] {
            assert_eq!(parse_exact(text), Err(ExactError::NotANumber), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_decimal_reads_back_from_its_text(units in proptest::num::i64::ANY, scale in 0u32..=18) {
            let value = Decimal::new(units, scale);
            proptest::prop_assert_eq!(super::parse_exact(&value.to_string()), Ok(value));
            let json = serde_json::to_string(&Holder { v: value, o: None }).unwrap();
            let text = json.trim_start_matches(r#"{"v":"#).trim_end_matches(r#","o":null}"#);
            proptest::prop_assert_eq!(super::parse_exact(text), Ok(value));
        }
    }

    #[test]
    fn keeps_the_decimal_people_wrote() {
        for text in [
            "61.5",
            "0.1",
            "97.13",
            "5450000000000",
            "-3.25",
            "4512345678.9",
        ] {
            assert_eq!(round_trip(text), Decimal::from_str(text).unwrap(), "{text}");
        }
        assert_eq!(
            serde_json::to_string(&Holder {
                v: Decimal::from(12),
                o: Some(Decimal::new(5, 1))
            })
            .unwrap(),
            r#"{"v":12,"o":0.5}"#
        );
        assert_eq!(
            serde_json::from_str::<Holder>(r#"{"v":1}"#).unwrap().o,
            None
        );
        assert_eq!(
            serde_json::from_str::<Holder>(r#"{"v":1,"o":null}"#)
                .unwrap()
                .o,
            None
        );
        assert!(serde_json::from_str::<Holder>(r#"{"v":"1"}"#).is_err());
    }
}
