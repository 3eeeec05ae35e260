//! The submission form of the agency officers' screen (`POST /submit`): one figure, or a
//! CSV of many, through exactly the validation, idempotency and writer of the ingest API
//! ([`super::accept`]). Only an officer gets past [`Submitter`], before the form is read;
//! the form is at most `--max-body-bytes`. The answer is a page saying what was stored or,
//! line by line, what is wrong — in Vietnamese and English.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::accept;
use super::item::{Field, Item};
use crate::auth::callers::{ClientAddress, Submitter};
use crate::notice;
use crate::state::AppState;
use app::model::ingest::IngestReceipt;
use app::model::Period;
use app::pages::notice::{Notice, NoticeProblem};

/// The columns of an uploaded CSV, in this order; the last ones may be left out: `as_of`,
/// `project` (for figures reported per project, whose `area` may then be empty) and
/// `agency` (a province department's service desk, for figures reported per desk).
pub const CSV_COLUMNS: [&str; 8] = [
    "indicator",
    "area",
    "period",
    "value",
    "unit",
    "as_of",
    "project",
    "agency",
];

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    /// Made when the form was shown, so a resubmitted form is recognised.
    key: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    /// A CSV with a header row; when present, the single-figure fields are ignored.
    #[serde(default)]
    csv: String,
}

/// A typed value as a field: a number if its text is one (a comma is the Vietnamese
/// decimal separator; spaces and dots between thousands are not digits), else text, which
/// validation refuses as not a number.
fn number(text: &str) -> Field {
    let text = text.trim().replace(' ', "");
    let normalised = if text.contains(',') && !text.contains('.') {
        text.replace(',', ".")
    } else {
        text
    };
    // any JSON number, kept as typed: validation reads it exactly or says why it cannot
    if serde_json::from_str::<serde_json::Number>(&normalised).is_ok() {
        Field::Number(normalised)
    } else {
        Field::Text(normalised)
    }
}

/// A period as people write it (`quý IV/2026`), in the API's canonical form; left as
/// typed when it is not one, so validation names the problem.
fn period(text: &str) -> Field {
    match Period::parse_written(text) {
        Ok(p) => Field::Text(p.to_string()),
        Err(_) => Field::Text(text.trim().to_string()),
    }
}

fn text(value: &str) -> Field {
    Field::Text(value.trim().to_string())
}

/// The items of a CSV, or why it cannot be read.
pub fn parse_csv(csv: &str) -> Result<Vec<Item>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(csv.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    for (i, h) in headers.iter().enumerate() {
        if CSV_COLUMNS.get(i) != Some(&h) {
            return Err(format!(
                "column {} is '{h}'; the header must be {}",
                i + 1,
                CSV_COLUMNS[..5].join(",")
            ));
        }
    }
    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let fields = CSV_COLUMNS
            .iter()
            .zip(record.iter())
            .filter(|(name, value)| {
                !(matches!(**name, "as_of" | "project" | "agency" | "area") && value.is_empty())
            })
            .map(|(&name, value)| {
                let field = match name {
                    "value" => number(value),
                    "period" => period(value),
                    _ => text(value),
                };
                (name, field)
            });
        items.push(Item::of(fields));
    }
    Ok(items)
}

fn page(status: StatusCode, notice: Notice) -> Response {
    notice::respond(
        status,
        notice
            .link("/submit", "Gửi số liệu khác / Submit more")
            .link("/", "Tổng quan / Overview"),
    )
}

/// `POST /submit`.
pub async fn submit(
    State(state): State<AppState>,
    Submitter { principal, .. }: Submitter,
    ClientAddress(ip): ClientAddress,
    form: Result<Form<SubmitForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let limit = state.limits.max_body_bytes;
            return page(
                StatusCode::PAYLOAD_TOO_LARGE,
                Notice::new(
                    format!("Nội dung gửi quá lớn (tối đa {limit} byte); hãy chia tệp CSV thành nhiều lần gửi."),
                    format!("What was sent is too large (at most {limit} bytes); split the CSV into several submissions."),
                ),
            );
        }
        Err(rejection) => {
            return page(
                StatusCode::BAD_REQUEST,
                Notice::new("Không đọc được biểu mẫu", "The form cannot be read")
                    .paragraph(rejection.body_text(), rejection.body_text()),
            )
        }
    };
    let from_csv = !form.csv.trim().is_empty();
    let items = if from_csv {
        match parse_csv(&form.csv) {
            Ok(items) if items.is_empty() => {
                return page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Notice::new("Tệp CSV không có dòng số liệu nào", "The CSV holds no rows"),
                )
            }
            Ok(items) => items,
            Err(e) => {
                return page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Notice::new("Không đọc được tệp CSV", "The CSV cannot be read").paragraph(
                        format!("{e}. Dòng đầu: {}", CSV_COLUMNS.join(",")),
                        format!("{e}. Header: {}", CSV_COLUMNS.join(",")),
                    ),
                )
            }
        }
    } else {
        vec![Item::of([
            ("indicator", text(&form.indicator)),
            ("area", text(&form.area)),
            ("period", period(&form.period)),
            ("value", number(&form.value)),
            ("unit", text(&form.unit)),
        ])]
    };
    if items.len() > state.limits.max_batch {
        let max = state.limits.max_batch;
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Notice::new("Quá nhiều dòng", "Too many rows").paragraph(
                format!("Tối đa {max} dòng mỗi lần."),
                format!("At most {max} rows at once."),
            ),
        );
    }
    let canonical: Vec<String> = items.iter().map(Item::json).collect();
    let request_hash = hex::encode(Sha256::digest(format!("[{}]", canonical.join(","))));
    let key = format!("form-{}", form.key.trim());
    match accept(&state, &principal, &ip, &key, request_hash, items).await {
        Ok(accepted) => {
            let receipt: Option<IngestReceipt> = serde_json::from_str(&accepted.body).ok();
            let (n, revised) = receipt.map_or((0, 0), |r| (r.accepted, r.revised));
            let mut notice = Notice::new(
                format!("Đã ghi nhận {n} số liệu"),
                format!("{n} figure(s) stored"),
            )
            .paragraph(
                format!("Trong đó {revised} là điều chỉnh số đã gửi (phiên bản mới)."),
                format!("Of which {revised} correct earlier figures (new revisions)."),
            );
            if accepted.replayed {
                notice = notice.paragraph(
                    "Lô này đã được ghi nhận trước đó; không ghi thêm lần nữa.",
                    "This batch was already stored; nothing was added.",
                );
            }
            page(StatusCode::CREATED, notice)
        }
        Err(failure) => {
            let error = failure.body;
            let problems = error
                .items
                .into_iter()
                .map(|p| NoticeProblem {
                    place: if from_csv {
                        format!("dòng {} / line {}", p.index + 2, p.index + 2)
                    } else {
                        String::new()
                    },
                    field: p.field,
                    vi: p.message_vi,
                    en: p.message_en,
                })
                .collect();
            page(
                failure.status,
                Notice::new(error.message_vi, error.message_en).problems(problems),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_csv_with_vietnamese_decimals_and_periods() {
        let items = parse_csv("indicator,area,period,value,unit\nservices.online.rate,14,23/11/2026,\"61,5\",percent\nbudget.spending.estimate,14,năm 2026,12,billion_dong\nx,14,quý IV/2026,1234567890123456789.123456789,count\n").unwrap();
        assert_eq!(items.len(), 3);
        let Item::Object(first) = &items[0] else {
            panic!("an object")
        };
        assert_eq!(first["value"], Field::Number("61.5".into()));
        assert_eq!(first["period"], Field::Text("2026-11-23".into()));
        assert!(!first.contains_key("as_of"));
        let Item::Object(second) = &items[1] else {
            panic!("an object")
        };
        assert_eq!(second["period"], Field::Text("2026".into()));
        let Item::Object(third) = &items[2] else {
            panic!("an object")
        };
        assert_eq!(
            third["value"],
            Field::Number("1234567890123456789.123456789".into())
        );
        assert_eq!(third["period"], Field::Text("2026-Q4".into()));
        assert_eq!(number("12 abc"), Field::Text("12abc".into()));
        let err = parse_csv("indicator,place,period,value,unit\n").unwrap_err();
        assert!(err.contains("column 2 is 'place'"), "{err}");
    }
}
