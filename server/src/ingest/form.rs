//! The submission form of the agency officers' screen (`POST /submit`): one figure, or a
//! CSV of many, through exactly the validation, idempotency and transaction of the ingest
//! API ([`super::accept`]). The answer is a page saying what was stored or, line by line,
//! what is wrong.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::accept;
use crate::auth::ClientIp;
use crate::AppState;
use app::model::account::Principal;
use app::model::ingest::{ApiError, IngestReceipt};

/// The columns of an uploaded CSV, in this order; `as_of` may be left out.
pub const CSV_COLUMNS: [&str; 6] = ["indicator", "area", "period", "value", "unit", "as_of"];

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

fn number(text: &str) -> Value {
    // a comma is the Vietnamese decimal separator
    let text = text.trim().replace(' ', "");
    let normalised = if text.contains(',') && !text.contains('.') {
        text.replace(',', ".")
    } else {
        text
    };
    serde_json::from_str::<serde_json::Number>(&normalised)
        .map(Value::Number)
        .unwrap_or(Value::String(normalised))
}

/// The items of a CSV, or why it cannot be read.
pub fn parse_csv(text: &str) -> Result<Vec<Value>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
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
        let mut item = serde_json::Map::new();
        for (name, field) in headers.iter().zip(record.iter()) {
            let value = if name == "value" {
                number(field)
            } else {
                Value::String(field.to_string())
            };
            if !(name == "as_of" && field.is_empty()) {
                item.insert(name.to_string(), value);
            }
        }
        items.push(Value::Object(item));
    }
    Ok(items)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>IOC Live</title><link rel=\"stylesheet\" href=\"/pkg/ioc.css\"></head><body><main class=\"notice\">\
         <h1>{}</h1>{body}<p><a href=\"/submit\">Gửi số liệu khác / Submit more</a> · <a href=\"/\">Tổng quan / Overview</a></p></main></body></html>",
        escape(title)
    );
    (status, [("cache-control", "no-store")], Html(html)).into_response()
}

/// `POST /submit`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<SubmitForm>,
) -> Response {
    let Some(Extension(principal)) = principal.filter(|Extension(p)| p.submits_for().is_some())
    else {
        return page(StatusCode::FORBIDDEN, "Không có quyền gửi số liệu / Not allowed to submit figures", "<p>Chỉ cán bộ của cơ quan cung cấp số liệu mới gửi được. / Only an agency's officers may submit.</p>");
    };
    let from_csv = !form.csv.trim().is_empty();
    let items = if from_csv {
        match parse_csv(&form.csv) {
            Ok(items) if items.is_empty() => {
                return page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Tệp CSV không có dòng số liệu nào / The CSV holds no rows",
                    "",
                )
            }
            Ok(items) => items,
            Err(e) => {
                return page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Không đọc được tệp CSV / The CSV cannot be read",
                    &format!(
                        "<p>{}</p><p>Dòng đầu / Header: <code>{}</code></p>",
                        escape(&e),
                        CSV_COLUMNS.join(",")
                    ),
                )
            }
        }
    } else {
        vec![json!({
            "indicator": form.indicator.trim(),
            "area": form.area.trim(),
            "period": form.period.trim(),
            "value": number(&form.value),
            "unit": form.unit.trim(),
        })]
    };
    if items.len() > state.limits.max_batch {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Quá nhiều dòng / Too many rows",
            &format!(
                "<p>Tối đa {} dòng mỗi lần. / At most {} rows at once.</p>",
                state.limits.max_batch, state.limits.max_batch
            ),
        );
    }
    let request_hash = hex::encode(Sha256::digest(
        Value::Array(items.clone()).to_string().as_bytes(),
    ));
    let key = format!("form-{}", form.key.trim());
    match accept(&state, &principal, &ip, &key, request_hash, items).await {
        Ok(accepted) => {
            let receipt: Option<IngestReceipt> = serde_json::from_str(&accepted.body).ok();
            let (n, revised) = receipt.map_or((0, 0), |r| (r.accepted, r.revised));
            let again = if accepted.replayed {
                "<p>Lô này đã được ghi nhận trước đó; không ghi thêm lần nữa. / This batch was already stored; nothing was added.</p>"
            } else {
                ""
            };
            page(
                StatusCode::CREATED,
                &format!("Đã ghi nhận {n} số liệu / {n} figure(s) stored"),
                &format!("<p>Trong đó {revised} là điều chỉnh số đã gửi (phiên bản mới). / Of which {revised} correct earlier figures (new revisions).</p>{again}"),
            )
        }
        Err(failure) => {
            let status = failure.status;
            let ApiError { error } = ApiError {
                error: failure.body,
            };
            let rows: String = error
                .items
                .iter()
                .map(|p| {
                    let place = if from_csv { format!("dòng {} / line {}", p.index + 2, p.index + 2) } else { String::new() };
                    format!(
                        "<li><strong>{}</strong> <code>{}</code>: {}<br><span lang=\"en\">{}</span></li>",
                        escape(&place),
                        escape(&p.field),
                        escape(&p.message_vi),
                        escape(&p.message_en)
                    )
                })
                .collect();
            page(
                status,
                &format!("{} / {}", error.message_vi, error.message_en),
                &format!("<ul class=\"problems\">{rows}</ul>"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_csv_with_vietnamese_decimals() {
        let items = parse_csv("indicator,area,period,value,unit\nservices.online.rate,14,2026-11-20,\"61,5\",percent\ninvest.plan,14,2026,12,billion_dong\n").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["value"], json!(61.5));
        assert_eq!(items[1]["value"], json!(12));
        assert!(items[0].get("as_of").is_none());
        let err = parse_csv("indicator,place,period,value,unit\n").unwrap_err();
        assert!(err.contains("column 2 is 'place'"), "{err}");
    }
}
