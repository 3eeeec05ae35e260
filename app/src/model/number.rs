//! Decimals as JSON numbers, the way the wire carries them.
//!
//! A whole number is written as an integer, anything else as a double; reading a double
//! keeps its shortest decimal form (61.5 stays 61.5, 0.1 stays 0.1) without going through
//! text, which keeps float formatting out of the browser's WASM. The ingest API reads
//! submitted values exactly on its own (see the server's validation); this is for values
//! the server has already stored.
//!
//! Use with `#[serde(with = "crate::model::number")]` or `number::option`.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;

pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract().is_zero() {
        if let Some(whole) = value.to_i64() {
            return serializer.serialize_i64(whole);
        }
    }
    serializer.serialize_f64(value.to_f64().unwrap_or(f64::NAN))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
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
        match value {
            Some(v) => super::serialize(v, serializer),
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
