//! A submitted item as its sender wrote it: each field's JSON kind and text. A number keeps
//! its digits untouched until validation reads them exactly (a JSON parser would make a
//! double of `1234567890123456789.123456789` first and lose its last ten digits).

use app::model::ingest::ItemProblem;
use axum::http::StatusCode;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use crate::error::ApiFailure;

/// One field of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Text(String),
    /// A JSON number, as written.
    Number(String),
    Null,
    /// `true`, `false`, an object or an array, as written.
    Other(String),
}

impl Field {
    fn from_raw(raw: &RawValue) -> Field {
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str(text)
                .map(Field::Text)
                .unwrap_or_else(|_| Field::Other(text.to_string())),
            Some(b'-' | b'0'..=b'9') => Field::Number(text.to_string()),
            Some(b'n') => Field::Null,
            _ => Field::Other(text.to_string()),
        }
    }

    /// How the field looks, for messages: its JSON text, shortened.
    pub fn shown(&self) -> String {
        let text = match self {
            Field::Text(s) => serde_json::to_string(s).unwrap_or_default(),
            Field::Number(s) | Field::Other(s) => s.clone(),
            Field::Null => "null".into(),
        };
        if text.chars().count() > 60 {
            format!("{}…", text.chars().take(60).collect::<String>())
        } else {
            text
        }
    }

    /// The field as JSON text (numbers verbatim).
    fn json(&self) -> String {
        match self {
            Field::Text(s) => serde_json::to_string(s).unwrap_or_default(),
            Field::Number(s) | Field::Other(s) => s.clone(),
            Field::Null => "null".into(),
        }
    }
}

/// An item of a batch: an object's fields by name, or something that is not an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Object(BTreeMap<String, Field>),
    NotAnObject,
}

impl Item {
    /// An item made of fields (the submission form builds its items so).
    pub fn of(fields: impl IntoIterator<Item = (&'static str, Field)>) -> Item {
        Item::Object(
            fields
                .into_iter()
                .map(|(name, field)| (name.to_string(), field))
                .collect(),
        )
    }

    /// The item as canonical JSON text (fields by name, numbers verbatim), for hashing.
    pub fn json(&self) -> String {
        match self {
            Item::Object(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(name, field)| {
                        format!(
                            "{}:{}",
                            serde_json::to_string(name).unwrap_or_default(),
                            field.json()
                        )
                    })
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            Item::NotAnObject => "null".into(),
        }
    }
}

fn shape(vi: &str, en: &str) -> ApiFailure {
    ApiFailure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_batch", vi, en).with_items(vec![
        ItemProblem {
            line: None,
            index: 0,
            field: "observations".into(),
            code: "invalid_batch".into(),
            message_vi: vi.into(),
            message_en: en.into(),
        },
    ])
}

/// Reads `{"observations": [...]}` into items without judging them yet: malformed JSON is a
/// 400, JSON of another shape a 422.
pub fn parse_batch(body: &[u8], max_batch: usize) -> Result<Vec<Item>, ApiFailure> {
    let raw: &RawValue = serde_json::from_slice(body).map_err(|e| {
        ApiFailure::bad_request(
            "malformed_json",
            format!("Nội dung không phải JSON hợp lệ: {e}."),
            format!("The body is not valid JSON: {e}."),
        )
    })?;
    let wrong_shape = || {
        shape(
            "Nội dung phải có dạng {\"observations\": [ ... ]}.",
            "The body must be {\"observations\": [ ... ]}.",
        )
    };
    let mut top: BTreeMap<String, &RawValue> =
        serde_json::from_str(raw.get()).map_err(|_| wrong_shape())?;
    let items: Vec<&RawValue> = top
        .remove("observations")
        .and_then(|list| serde_json::from_str(list.get()).ok())
        .ok_or_else(wrong_shape)?;
    if items.is_empty() {
        return Err(shape(
            "Lô không có số liệu nào.",
            "The batch holds no observations.",
        ));
    }
    if items.len() > max_batch {
        return Err(shape(
            &format!(
                "Lô có {} số liệu, vượt mức tối đa {max_batch}; hãy chia nhỏ.",
                items.len()
            ),
            &format!(
                "The batch holds {} observations, more than the {max_batch} allowed; split it.",
                items.len()
            ),
        ));
    }
    Ok(items
        .into_iter()
        .map(
            |raw| match serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) {
                Ok(fields) => Item::Object(
                    fields
                        .into_iter()
                        .map(|(name, value)| (name, Field::from_raw(value)))
                        .collect(),
                ),
                Err(_) => Item::NotAnObject,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits_and_kinds_are_told_apart() {
        let items = parse_batch(
            br#"{"observations":[{"value":1234567890123456789.123456789,"area":"14","x":null,"y":true,"z":[1]}, 5]}"#,
            10,
        )
        .unwrap();
        let Item::Object(fields) = &items[0] else {
            panic!("an object")
        };
        assert_eq!(
            fields["value"],
            Field::Number("1234567890123456789.123456789".into())
        );
        assert_eq!(fields["area"], Field::Text("14".into()));
        assert_eq!(fields["x"], Field::Null);
        assert_eq!(fields["y"], Field::Other("true".into()));
        assert_eq!(fields["z"].shown(), "[1]");
        assert_eq!(items[1], Item::NotAnObject);
        assert_eq!(
            items[0].json(),
            r#"{"area":"14","value":1234567890123456789.123456789,"x":null,"y":true,"z":[1]}"#
        );
    }

    #[test]
    fn shapes_and_sizes_are_checked() {
        let code = |body: &[u8]| parse_batch(body, 2).unwrap_err().body.code;
        assert_eq!(code(b"{"), "malformed_json");
        assert_eq!(code(b"[1]"), "invalid_batch");
        assert_eq!(code(br#"{"observations": 1}"#), "invalid_batch");
        assert_eq!(code(br#"{"observations": []}"#), "invalid_batch");
        assert_eq!(code(br#"{"observations": [{}, {}, {}]}"#), "invalid_batch");
    }
}
