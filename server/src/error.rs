//! The errors of the REST API and the live stream's handshake: a stable machine code, a
//! message in Vietnamese and English, and for batch problems the item, field and reason of
//! each. Internal details go to the log, never to the client. (Form posts answer with a
//! page instead: [`crate::notice`].)

use app::model::ingest::{ApiError, ApiErrorBody, ItemProblem};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// An error answer of the REST API.
#[derive(Debug)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub body: ApiErrorBody,
}

impl ApiFailure {
    pub fn new(
        status: StatusCode,
        code: &str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiFailure {
        ApiFailure {
            status,
            body: ApiErrorBody {
                code: code.into(),
                message_vi: vi.into(),
                message_en: en.into(),
                items: Vec::new(),
            },
        }
    }

    pub fn bad_request(code: &str, vi: impl Into<String>, en: impl Into<String>) -> ApiFailure {
        ApiFailure::new(StatusCode::BAD_REQUEST, code, vi, en)
    }

    /// `422 validation_failed` naming each wrong field and why (Vietnamese, English):
    /// nothing was stored.
    pub fn invalid_fields<F: std::fmt::Display>(list: Vec<(F, String, String)>) -> ApiFailure {
        ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{} trường không hợp lệ; chưa ghi nhận.", list.len()),
            format!("{} field(s) are not valid; nothing was stored.", list.len()),
        )
        .with_items(
            list.into_iter()
                .map(|(field, vi, en)| ItemProblem {
                    index: 0,
                    line: None,
                    field: field.to_string(),
                    code: "invalid_field".into(),
                    message_vi: format!("Trường {field}: {vi}."),
                    message_en: format!("Field {field}: {en}."),
                })
                .collect(),
        )
    }

    pub fn with_items(mut self, items: Vec<ItemProblem>) -> ApiFailure {
        self.body.items = items;
        self
    }

    pub fn unauthorized(vi: &str, en: &str) -> ApiFailure {
        ApiFailure::new(StatusCode::UNAUTHORIZED, "unauthorized", vi, en)
    }

    /// A failure of ours: logged with its cause, answered without it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiFailure {
        tracing::error!(%cause, "internal error");
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi hệ thống; số liệu chưa được ghi nhận. Vui lòng gửi lại với cùng Idempotency-Key.",
            "Internal error; nothing was stored. Please retry with the same Idempotency-Key.",
        )
    }

    /// A read (a chart, a file, a briefing) failed on the server: nothing to retry with a
    /// key; the message says so instead of speaking of stored data.
    pub fn internal_read(cause: impl std::fmt::Display) -> ApiFailure {
        tracing::error!(%cause, "internal error");
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi hệ thống khi lập tệp này; vui lòng thử lại sau ít phút.",
            "Internal error while making this file; please try again in a few minutes.",
        )
    }

    /// The database cannot be reached (restarting, failing over, out of connections):
    /// nothing was stored, and the same request will work again shortly.
    pub fn database_unavailable(cause: impl std::fmt::Display) -> ApiFailure {
        tracing::warn!(%cause, "database unavailable");
        ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "Cơ sở dữ liệu tạm thời không truy cập được; số liệu chưa được ghi nhận. Vui lòng gửi lại sau ít giây với cùng Idempotency-Key.",
            "The database is unavailable for the moment; nothing was stored. Please retry in a few seconds with the same Idempotency-Key.",
        )
    }

    /// The answer to a database error: 503 when the database could not be reached (worth
    /// retrying), 500 otherwise.
    pub fn of_database(e: &sqlx::Error) -> ApiFailure {
        if unreachable(e) {
            ApiFailure::database_unavailable(e)
        } else {
            ApiFailure::internal(e)
        }
    }
}

/// Whether `e` says the database could not be reached or went away mid-request — as
/// opposed to refusing what was asked. A commit that fails this way may or may not have
/// happened; the client's retry with the same Idempotency-Key finds out.
pub fn unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), shutting down or starting up (57P…),
        // out of connections (53300); SQLite: busy or locked past the timeout
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || code == "5"
                || code == "6"
        }),
        _ => false,
    }
}

impl From<sqlx::Error> for ApiFailure {
    fn from(e: sqlx::Error) -> ApiFailure {
        ApiFailure::of_database(&e)
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(ApiError { error: self.body })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}
