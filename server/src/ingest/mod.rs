//! The HTTP ingest API agencies push figures to (`/api/v1`, documented in the README).
//!
//! `POST /api/v1/observations`: authenticate the agency, replay the stored answer if this
//! `Idempotency-Key` was seen, validate every item, then — holding the single write lock —
//! commit the observations, their events and the idempotency record in one transaction,
//! publish the events to the live hub, and only then answer `201`. A failure anywhere
//! before the commit stores nothing.

pub mod error;
pub mod form;
pub mod validate;

use app::model::ingest::{AcceptedItem, IngestReceipt};
use app::model::LiveValue;
use app::store::idempotency::{self, StoredResponse};
use app::store::{observations, tokens};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::auth::ClientIp;
use crate::AppState;
use app::model::account::Principal;
use app::store::audit;
use axum::extract::Extension;
use error::ApiFailure;

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LEN: usize = 255;

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiFailure> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Err(ApiFailure::bad_request(
            "missing_idempotency_key",
            "Thiếu tiêu đề Idempotency-Key: mỗi lô cần một khóa duy nhất để gửi lại an toàn.",
            "The Idempotency-Key header is missing: each batch needs a unique key so it can be retried safely.",
        ));
    };
    match raw.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic()) => Ok(key.to_string()),
        _ => Err(ApiFailure::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key phải gồm 1–{MAX_KEY_LEN} ký tự ASCII in được, không có khoảng trắng."),
            format!("The Idempotency-Key must be 1–{MAX_KEY_LEN} printable ASCII characters without spaces."),
        )),
    }
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

fn key_reused() -> ApiFailure {
    ApiFailure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "Idempotency-Key này đã được dùng cho một lô có nội dung khác; hãy dùng khóa mới cho lô mới.",
        "This Idempotency-Key was already used for a batch with different content; use a new key for a new batch.",
    )
}

/// What an accepted (or replayed) submission answers.
pub struct Accepted {
    pub status: StatusCode,
    /// The stored JSON answer ([`IngestReceipt`]).
    pub body: String,
    pub replayed: bool,
}

impl IntoResponse for Accepted {
    fn into_response(self) -> Response {
        if self.replayed {
            return replay(StoredResponse {
                request_hash: String::new(),
                status: self.status.as_u16(),
                body: self.body,
            });
        }
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body,
        )
            .into_response()
    }
}

/// Validates and stores a batch for `principal` (an agency system or an agency officer):
/// the idempotency record, the observations, their events and the audit entry in one
/// transaction, then the events to the live hub. Shared by the REST API and the
/// submission form.
pub async fn accept(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    key: &str,
    request_hash: String,
    items: Vec<serde_json::Value>,
) -> Result<Accepted, ApiFailure> {
    let Some(agency) = principal.submits_for().map(str::to_string) else {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "not_an_agency",
            "Chỉ cơ quan cung cấp số liệu (mã truy cập hoặc cán bộ của cơ quan) mới được gửi số liệu.",
            "Only an agency (its token or one of its officers) may submit figures.",
        ));
    };
    // A retry of an answered batch gets the same answer and has no further effect.
    if let Some(stored) = idempotency::find(&mut *state.db.acquire().await?, &agency, key).await? {
        return if stored.request_hash == request_hash {
            Ok(replayed(stored))
        } else {
            Err(key_reused())
        };
    }
    let now = OffsetDateTime::now_utc();
    let valid = validate::validate(&state.catalogue, &agency, &items, now).map_err(|refusal| {
        if !refusal.forbidden.is_empty() {
            ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_indicator",
                format!("Lô có {} số liệu thuộc chỉ tiêu của cơ quan khác; không số liệu nào được ghi nhận.", refusal.forbidden.len()),
                format!("{} item(s) belong to another agency's indicators; nothing was stored.", refusal.forbidden.len()),
            )
            .with_items(refusal.forbidden)
        } else {
            ApiFailure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("{} số liệu không hợp lệ; cả lô không được ghi nhận.", refusal.invalid.len()),
                format!("{} problem(s) found; the whole batch was refused.", refusal.invalid.len()),
            )
            .with_items(refusal.invalid)
        }
    })?;

    // One writer at a time: commit order is offset order is publish order.
    let _writer = state.write_lock.lock().await;
    let mut tx = app::store::write(&state.db).await?;
    if let Some(stored) = idempotency::find(&mut tx, &agency, key).await? {
        // the same batch raced itself; the first one won
        return if stored.request_hash == request_hash {
            Ok(replayed(stored))
        } else {
            Err(key_reused())
        };
    }
    let recorded = observations::record(&mut tx, &agency, now, &valid).await?;
    let receipt = IngestReceipt {
        accepted: recorded.len(),
        revised: recorded.iter().filter(|r| r.revision > 1).count(),
        items: recorded
            .iter()
            .enumerate()
            .map(|(index, r)| AcceptedItem {
                index,
                revision: r.revision,
                offset: r.offset,
            })
            .collect(),
        received_at: now,
    };
    let body = serde_json::to_string(&receipt).map_err(ApiFailure::internal)?;
    let stored = StoredResponse {
        request_hash,
        status: StatusCode::CREATED.as_u16(),
        body: body.clone(),
    };
    idempotency::insert(&mut tx, &agency, key, &stored, now).await?;
    if let Principal::AgencyToken { id, .. } = principal {
        tokens::touch(&mut tx, *id, now).await?;
    }
    let (actor_kind, actor_id, actor_name) = principal.actor();
    let mut indicators: Vec<&str> = valid.iter().map(|o| o.indicator.as_str()).collect();
    indicators.sort_unstable();
    indicators.dedup();
    let entry = audit::NewEntry {
        actor_kind,
        actor_id: Some(actor_id),
        actor_name,
        action: if receipt.revised > 0 {
            "data_corrected"
        } else {
            "data_submitted"
        },
        target: Some(format!("{agency}: {} observation(s)", receipt.accepted)),
        detail: serde_json::json!({ "key": key, "accepted": receipt.accepted, "revised": receipt.revised, "indicators": indicators }),
        ip: Some(ip.to_string()),
    };
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;

    state.hub.publish(
        valid
            .into_iter()
            .zip(&recorded)
            .map(|(o, r)| LiveValue {
                indicator: o.indicator,
                area: o.area,
                period: o.period,
                value: o.value,
                unit: o.unit,
                agency: agency.clone(),
                as_of: o.as_of,
                revision: r.revision,
                offset: r.offset,
                previous: None,
            })
            .collect(),
    );
    tracing::info!(%agency, items = receipt.accepted, revised = receipt.revised, "batch stored");
    Ok(Accepted {
        status: StatusCode::CREATED,
        body,
        replayed: false,
    })
}

fn replayed(stored: StoredResponse) -> Accepted {
    Accepted {
        status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
        body: stored.body,
        replayed: true,
    }
}

/// `POST /api/v1/observations`, for agency systems with their token.
pub async fn post_observations(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiFailure> {
    let principal = match principal {
        Some(Extension(p @ Principal::AgencyToken { .. })) => p,
        _ => return Err(ApiFailure::unauthorized(
            "Cần mã truy cập của cơ quan: gửi tiêu đề Authorization: Bearer <mã của cơ quan>.",
            "An agency token is needed: send the header Authorization: Bearer <your agency token>.",
        )),
    };
    let key = idempotency_key(&headers)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "Lô quá lớn (tối đa {} byte); hãy chia thành nhiều lô.",
                    state.limits.max_body_bytes
                ),
                format!(
                    "The batch is too large (at most {} bytes); split it into several batches.",
                    state.limits.max_body_bytes
                ),
            )
        } else {
            ApiFailure::bad_request(
                "unreadable_body",
                "Không đọc được nội dung yêu cầu.",
                format!("The request body could not be read: {rejection}"),
            )
        }
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Nội dung phải là JSON (Content-Type: application/json).",
            "The body must be JSON (Content-Type: application/json).",
        ));
    }
    let request_hash = hex::encode(Sha256::digest(&body));
    // a replay is answered before the body is judged
    if let Some(stored) = idempotency::find(
        &mut *state.db.acquire().await?,
        principal.submits_for().unwrap_or_default(),
        &key,
    )
    .await?
    {
        return if stored.request_hash == request_hash {
            Ok(replayed(stored).into_response())
        } else {
            Err(key_reused())
        };
    }
    let items = parse_batch(&body, state.limits.max_batch)?;
    Ok(accept(&state, &principal, &ip, &key, request_hash, items)
        .await?
        .into_response())
}

/// Reads `{"observations": [...]}` without judging the items yet.
fn parse_batch(body: &[u8], max_batch: usize) -> Result<Vec<serde_json::Value>, ApiFailure> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiFailure::bad_request(
            "malformed_json",
            format!("Nội dung không phải JSON hợp lệ: {e}."),
            format!("The body is not valid JSON: {e}."),
        )
    })?;
    let shape = |vi: &str, en: &str| {
        ApiFailure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_batch", vi, en).with_items(vec![
            app::model::ingest::ItemProblem {
                index: 0,
                field: "observations".into(),
                code: "invalid_batch".into(),
                message_vi: vi.into(),
                message_en: en.into(),
            },
        ])
    };
    let items = match value {
        serde_json::Value::Object(mut fields) => fields.remove("observations"),
        _ => None,
    };
    let Some(serde_json::Value::Array(items)) = items else {
        return Err(shape(
            "Nội dung phải có dạng {\"observations\": [ ... ]}.",
            "The body must be {\"observations\": [ ... ]}.",
        ));
    };
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
    Ok(items)
}

/// `GET /api/v1/health`: liveness and the stream position.
pub async fn health(State(state): State<AppState>) -> Response {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.db)
        .await
    {
        Ok(_) => Json(serde_json::json!({
            "status": "ok",
            "database": "ok",
            "epoch": state.hub.epoch(),
            "offset": state.hub.head(),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "degraded", "database": "unavailable"})),
            )
                .into_response()
        }
    }
}
