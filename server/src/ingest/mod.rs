//! The HTTP ingest API agencies push figures to (`/api/v1`, documented in the README).
//!
//! `POST /api/v1/observations`: the agency's token is checked before anything is read
//! ([`AgencySystem`]), then the body (at most `--max-body-bytes`); a retried
//! `Idempotency-Key` gets its stored answer; every item is validated — numbers exactly, from
//! their text; then the batch goes to the [`writer::ObservationWriter`], which stores it with
//! its events, idempotency record and audit entry in one transaction, publishes it to the
//! live hub, and only then lets this handler answer `201`. A failure anywhere before the
//! commit stores nothing.

pub mod form;
pub mod item;
pub mod validate;
pub mod writer;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::auth::callers::{AgencySystem, ClientAddress};
use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::Principal;
use app::store::idempotency::{self, StoredResponse, Submitter};
use item::Item;
use writer::{Outcome, Submission, WriteError};

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LEN: usize = 255;

pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiFailure> {
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

pub(crate) fn key_reused() -> ApiFailure {
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
    /// The stored JSON answer ([`app::model::ingest::IngestReceipt`]).
    pub body: String,
    pub replayed: bool,
}

impl From<StoredResponse> for Accepted {
    fn from(stored: StoredResponse) -> Accepted {
        Accepted {
            status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            body: stored.body,
            replayed: true,
        }
    }
}

impl IntoResponse for Accepted {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body,
        )
            .into_response();
        if self.replayed {
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

/// Whose key space a principal's `Idempotency-Key`s live in, and for which agency it
/// submits; `None` if it submits for no agency.
pub fn submitter_of(principal: &Principal) -> Option<Submitter> {
    let agency = principal.submits_for()?;
    match principal {
        Principal::AgencyToken { id, .. } => Some(Submitter::token(*id, agency)),
        Principal::User { id, .. } => Some(Submitter::user(*id, agency)),
        Principal::Display { .. } => None,
    }
}

/// Validates `items` and has the writer store them for `principal` (an agency system or an
/// agency officer): shared by the REST API and the submission form.
pub async fn accept(
    state: &AppState,
    principal: &Principal,
    ip: &str,
    key: &str,
    request_hash: String,
    items: Vec<Item>,
) -> Result<Accepted, ApiFailure> {
    let Some(submitter) = submitter_of(principal) else {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "not_an_agency",
            "Chỉ cơ quan cung cấp số liệu (mã truy cập hoặc cán bộ của cơ quan) mới được gửi số liệu.",
            "Only an agency (its token or one of its officers) may submit figures.",
        ));
    };
    let now = OffsetDateTime::now_utc();
    let sent = items.len();
    let validated = validate::validate(&state.catalogue, &submitter.agency, &items, now);
    if validated.is_err() {
        record_rejection(state, &submitter.agency, sent, "validation_failed", now).await;
    }
    let valid = validated.map_err(|refusal| {
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
    let count = valid.len();
    let agency = submitter.agency.clone();
    let submission = Submission {
        submitter,
        key: key.to_string(),
        request_hash,
        observations: valid,
        actor: principal.actor(),
        ip: ip.to_string(),
        token: match principal {
            Principal::AgencyToken { id, .. } => Some(*id),
            _ => None,
        },
        received_at: now,
    };
    match state.writer.submit(submission).await {
        Ok(Outcome::Stored(stored)) => {
            tracing::debug!(%agency, items = count, "batch stored");
            Ok(Accepted {
                status: StatusCode::CREATED,
                body: stored.body,
                replayed: false,
            })
        }
        Ok(Outcome::Replayed(stored)) => Ok(stored.into()),
        Ok(Outcome::KeyReused) => Err(key_reused()),
        Ok(Outcome::Stale(problems)) => {
            record_rejection(state, &agency, count, "older_than_stored", now).await;
            Err(ApiFailure::new(
            StatusCode::CONFLICT,
            "older_than_stored",
            format!("{} số liệu cũ hơn số liệu đang lưu cho cùng chỉ tiêu, đơn vị và kỳ; cả lô không được ghi nhận.", problems.len()),
            format!("{} item(s) are older than the stored figures they would replace; the whole batch was refused.", problems.len()),
        )
        .with_items(problems))
        }
        Err(WriteError::Database(e)) => Err(ApiFailure::of_database(&e)),
        Err(WriteError::Stopped) => Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "Máy chủ đang dừng; số liệu chưa được ghi nhận. Vui lòng gửi lại với cùng Idempotency-Key.",
            "The server is stopping; nothing was stored. Please retry with the same Idempotency-Key.",
        )),
    }
}

/// Keeps a refused batch's size for the data-quality score (a failure to keep it is
/// logged: the refusal is answered anyway).
async fn record_rejection(
    state: &AppState,
    agency: &str,
    items: usize,
    code: &str,
    at: OffsetDateTime,
) {
    let recorded = async {
        let mut conn = state.db.acquire().await?;
        app::store::quality::record_rejection(&mut conn, agency, items, code, at).await
    }
    .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, agency, "cannot record a refused batch for the data-quality score");
    }
}

/// The body, if it is at most `limit` bytes.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiFailure> {
    let too_large = || {
        ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("Lô quá lớn (tối đa {limit} byte); hãy chia thành nhiều lô."),
            format!(
                "The batch is too large (at most {limit} bytes); split it into several batches."
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(ApiFailure::bad_request(
            "unreadable_body",
            "Không đọc được nội dung yêu cầu.",
            format!("The request body could not be read: {e}"),
        )),
    }
}

/// `POST /api/v1/observations`, for agency systems with their token.
pub async fn post_observations(
    State(state): State<AppState>,
    AgencySystem { principal, .. }: AgencySystem,
    ClientAddress(ip): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let key = idempotency_key(&headers)?;
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
    let body = read_body(&headers, body, state.limits.max_body_bytes).await?;
    let request_hash = hex::encode(Sha256::digest(&body));
    // a replay is answered before the body is judged
    if let Some(submitter) = submitter_of(&principal) {
        if let Some(stored) =
            idempotency::find(&mut *state.db.acquire().await?, &submitter, &key).await?
        {
            return if stored.request_hash == request_hash {
                Ok(Accepted::from(stored).into_response())
            } else {
                Err(key_reused())
            };
        }
    }
    let items = item::parse_batch(&body, state.limits.max_batch)?;
    Ok(accept(&state, &principal, &ip, &key, request_hash, items)
        .await?
        .into_response())
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
            "leader": state.leading.now(),
            "demo": state.demo.as_ref().map(|d| d.state()),
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
