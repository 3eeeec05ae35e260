//! Dates (`2026-11-23`) and instants (RFC 3339, `2026-11-23T10:05:00+07:00`) in the JSON
//! the server sends its screens, as `#[serde(with = …)]` modules.
//!
//! They are written by `time`, as before. They are read by the two small parsers here
//! rather than by `time`'s general format-description parser, which would otherwise be the
//! largest part of `time` in every screen's WASM bundle. The parsers accept exactly the
//! ISO 8601 calendar date and the RFC 3339 date-time (`T` or `t`, `Z`, `z` or a numeric
//! offset, any number of fraction digits, nanoseconds kept); the tests hold them to
//! `time`'s own reading of the same text. Data from outside (the ingest API) is still read
//! by `time`.

use serde::{de, Deserialize, Deserializer, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Reads `digits` ASCII digits at the start of `s`.
fn number(s: &[u8], digits: usize) -> Option<u32> {
    let part = s.get(..digits)?;
    part.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn date_of(s: &[u8]) -> Option<Date> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = number(s, 4)? as i32;
    let month = Month::try_from(number(&s[5..], 2)? as u8).ok()?;
    let day = number(&s[8..], 2)? as u8;
    Date::from_calendar_date(year, month, day).ok()
}

/// `2026-11-23`: a calendar date (four-digit year).
pub fn parse_date(text: &str) -> Option<Date> {
    date_of(text.as_bytes())
}

/// `2026-11-23T10:05:00.5+07:00`: an RFC 3339 date-time (no leap second).
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    let s = text.as_bytes();
    let date = date_of(s.get(..10)?)?;
    if !matches!(s.get(10)?, b'T' | b't') {
        return None;
    }
    let t = &s[11..];
    if t.len() < 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(t, 2)?, number(&t[3..], 2)?, number(&t[6..], 2)?);
    let mut rest = &t[8..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // nanoseconds: the first nine digits, padded
        for i in 0..9 {
            nanos = nanos * 10
                + fraction
                    .get(i)
                    .filter(|_| i < digits)
                    .map_or(0, |b| u32::from(b - b'0'));
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        b"Z" | b"z" => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2], 2)? as i8;
            let minutes = number(&[*m1, *m2], 2)? as i8;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        _ => return None,
    };
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Reads a string with `parse`; an error names the text and what was `expected`.
fn read<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> Result<T, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(&text), &expected))
}

/// As [`read`], where `null` is `None`.
fn read_option<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| {
            parse(&text)
                .ok_or_else(|| de::Error::invalid_value(de::Unexpected::Str(&text), &expected))
        })
        .transpose()
}

const DATE: &str = "a date as YYYY-MM-DD";
const RFC3339: &str = "an RFC 3339 date-time";

/// A [`Date`] as `2026-11-23`.
pub mod date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        read(deserializer, parse_date, DATE)
    }

    /// An optional [`Date`] (`null` when absent).
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            date: &Option<Date>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => serializer.serialize_some(&format_args!("{date}")),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Date>, D::Error> {
            read_option(deserializer, parse_date, DATE)
        }
    }
}

/// An [`OffsetDateTime`] as RFC 3339.
pub mod rfc3339 {
    use super::*;

    pub use time::serde::rfc3339::serialize;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<OffsetDateTime, D::Error> {
        read(deserializer, parse_rfc3339, RFC3339)
    }

    /// An optional [`OffsetDateTime`] (`null` when absent).
    pub mod option {
        use super::*;

        pub use time::serde::rfc3339::option::serialize;

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            read_option(deserializer, parse_rfc3339, RFC3339)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::format_description::well_known::Rfc3339;

    fn by_time(text: &str) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(text, &Rfc3339).ok()
    }

    #[test]
    fn reads_what_the_server_writes_and_refuses_the_rest() {
        let at = parse_rfc3339("2026-11-23T10:05:09.5+07:00").unwrap();
        assert_eq!(at, time::macros::datetime!(2026-11-23 10:05:09.5 +07:00));
        assert_eq!(at.offset(), UtcOffset::from_hms(7, 0, 0).unwrap());
        assert_eq!(
            parse_rfc3339("2026-12-31t23:59:59.123456789123z"),
            Some(time::macros::datetime!(2026-12-31 23:59:59.123456789 UTC))
        );
        assert_eq!(
            parse_date("2028-02-29"),
            Some(time::macros::date!(2028 - 02 - 29))
        );
        for bad in [
            "2027-02-29",
            "2026-13-01",
            "2026-1-01",
            "20261101",
            "2026-11-01 ",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for bad in [
            "2026-11-23 10:05:09Z",
            "2026-11-23T10:05:09",
            "2026-11-23T10:05Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T10:05:09.Z",
            "2026-11-23T10:05:09+07",
            "2026-11-23T10:05:09+07:60",
            "2026-11-23T10:05:09+0700",
            "2026-11-23T10:05:09Zjunk",
            "2026-11-23T10:05:60Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn serde_round_trip() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Holder {
            #[serde(with = "date")]
            day: Date,
            #[serde(with = "date::option")]
            maybe_day: Option<Date>,
            #[serde(with = "rfc3339")]
            at: OffsetDateTime,
            #[serde(with = "rfc3339::option", default)]
            maybe_at: Option<OffsetDateTime>,
        }
        let h = Holder {
            day: time::macros::date!(2026 - 01 - 31),
            maybe_day: None,
            at: time::macros::datetime!(2026-02-10 17:00:00.25 +07:00),
            maybe_at: Some(time::macros::datetime!(2026-02-10 10:00 UTC)),
        };
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"day":"2026-01-31","maybe_day":null,"at":"2026-02-10T17:00:00.25+07:00","maybe_at":"2026-02-10T10:00:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), h);
        let err = serde_json::from_str::<Holder>(&json.replace("2026-01-31", "31/01/2026"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("31/01/2026") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
    }

    proptest! {
        /// Whatever `time` writes, these parsers read back to the same instant and offset,
        /// and they agree with `time`'s own parser.
        #[test]
        fn agrees_with_time(
            seconds in -2_208_988_800i64..4_102_444_800,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1000).prop_map(|n| n * 1_000_000)],
            offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i32),
        ) {
            let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
            let at = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                .replace_nanosecond(nanos).unwrap()
                .to_offset(offset);
            let text = at.format(&Rfc3339).unwrap();
            let ours = parse_rfc3339(&text);
            prop_assert_eq!(ours, Some(at));
            prop_assert_eq!(ours.map(|a| a.offset()), Some(offset));
            prop_assert_eq!(ours, by_time(&text));
            let day = at.date().to_string();
            prop_assert_eq!(parse_date(&day), Some(at.date()));
        }

        /// On any text, the two parsers agree (where `time` reads a leap second or a
        /// space for `T`, which the server never writes, ours refuses).
        #[test]
        fn never_reads_what_time_refuses(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|z|[+-][0-9]{2}:[0-9]{2})") {
            let ours = parse_rfc3339(&text);
            if ours.is_some() {
                prop_assert_eq!(ours, by_time(&text));
            }
        }
    }
}
