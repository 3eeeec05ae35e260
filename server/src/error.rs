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
}

impl From<sqlx::Error> for ApiFailure {
    fn from(e: sqlx::Error) -> ApiFailure {
        ApiFailure::internal(e)
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
        response
    }
}
