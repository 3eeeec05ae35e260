//! The compact encoding of a live screen's data in its page (its island's props): postcard
//! — the fields in order, without their names — in base64. The browser reads it with far
//! less code than JSON needs (a JSON reader for every struct, matching field names): a
//! quarter of a screen's WASM was reading its data.
//!
//! What this asks of the types a screen carries, since a field has no name here:
//! - a field left out of JSON when empty (`skip_serializing_if`) must still be written here:
//!   use [`absent`], [`empty`] or [`unset`], which leave it out of JSON only;
//! - decimals are written as mantissa and scale ([`crate::model::number`]), not as JSON's
//!   numbers that only a self-describing format can read back;
//! - no `#[serde(flatten)]` and no internally tagged enum (they need a self-describing
//!   format): what has them is drawn by the server and not sent (`#[serde(skip)]`).
//!
//! Every screen's data is checked to come back as it went in (the server's tests read each
//! screen's page back through [`decode`]).

use serde::de::DeserializeOwned;
use std::cell::Cell;

thread_local! {
    /// Set while a screen's data is being encoded (on the server, synchronously).
    static ENCODING: Cell<bool> = const { Cell::new(false) };
}

fn encoding() -> bool {
    ENCODING.with(Cell::get)
}

/// `skip_serializing_if` for an optional field: left out of JSON when `None`, always
/// written in the compact encoding.
pub fn absent<T>(value: &Option<T>) -> bool {
    value.is_none() && !encoding()
}

/// `skip_serializing_if` for a list: left out of JSON when empty, always written in the
/// compact encoding.
pub fn empty<T>(value: &Vec<T>) -> bool {
    value.is_empty() && !encoding()
}

/// `skip_serializing_if` for a flag: left out of JSON when `false`, always written in the
/// compact encoding.
pub fn unset(value: &bool) -> bool {
    !*value && !encoding()
}

/// `value` in the compact encoding, as text for the page.
#[cfg(feature = "ssr")]
pub fn encode<T: serde::Serialize>(value: &T) -> Result<String, postcard::Error> {
    use base64::Engine;
    /// Ends the encoding whatever happens (a panic in a `Serialize` included).
    struct Done;
    impl Drop for Done {
        fn drop(&mut self) {
            ENCODING.with(|e| e.set(false));
        }
    }
    ENCODING.with(|e| e.set(true));
    let _done = Done;
    let bytes = postcard::to_allocvec(value)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A value [`encode`] wrote.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("the screen's data is not base64: {e}"))?;
    postcard::from_bytes(&bytes).map_err(|e| format!("the screen's data cannot be read: {e}"))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::{LiveValue, Period, Unit};
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};
    use std::str::FromStr;

    fn value(project: Option<&str>) -> LiveValue {
        LiveValue {
            indicator: "invest.disbursement.ytd".into(),
            area: "03646".into(),
            project: project.map(str::to_string),
            period: Period::Day(time::macros::date!(2026 - 12 - 02)),
            value: Decimal::from_str("1234567890123.45").unwrap(),
            unit: Unit::Dong,
            agency: "KBNN".into(),
            as_of: time::macros::datetime!(2026-12-02 09:30 +07:00),
            revision: 2,
            offset: 77,
            previous: None,
        }
    }

    #[test]
    fn fields_json_leaves_out_are_written_and_read_back() {
        let values = vec![value(None), value(Some("DA-001"))];
        let text = encode(&values).unwrap();
        assert_eq!(decode::<Vec<LiveValue>>(&text).unwrap(), values);
        // JSON still leaves them out, also after an encoding
        let json = serde_json::to_string(&values[0]).unwrap();
        assert!(
            !json.contains("project") && !json.contains("previous"),
            "{json}"
        );
    }

    #[test]
    fn decimals_keep_every_digit_and_their_scale() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Amounts {
            #[serde(with = "crate::model::number")]
            exact: Decimal,
            #[serde(with = "crate::model::number::option")]
            maybe: Option<Decimal>,
            #[serde(with = "crate::model::number::option")]
            none: Option<Decimal>,
        }
        for text in [
            "0",
            "-1",
            "6600000000000",
            "12.50",
            "0.0000000000000000000000000001",
            "-79228162514264337593543950335",
        ] {
            let d = Decimal::from_str(text).unwrap();
            let a = Amounts {
                exact: d,
                maybe: Some(d),
                none: None,
            };
            let back: Amounts = decode(&encode(&a).unwrap()).unwrap();
            assert_eq!(back, a);
            assert_eq!(back.exact.to_string(), d.to_string(), "the scale is kept");
        }
    }

    #[test]
    fn an_encoding_that_fails_ends_the_encoding() {
        struct Refused;
        impl Serialize for Refused {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        assert!(encode(&Refused).is_err());
        assert!(absent::<u8>(&None), "JSON leaves absent fields out again");
    }

    #[test]
    fn text_that_is_not_an_encoding_is_refused_with_a_reason() {
        assert!(decode::<Vec<LiveValue>>("not base64!")
            .unwrap_err()
            .contains("base64"));
        assert!(decode::<Vec<LiveValue>>("AQ==")
            .unwrap_err()
            .contains("cannot be read"));
    }
}
