//! Who is calling: the agency behind the `Authorization: Bearer <token>` header.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiFailure;
use crate::AppState;
use app::store::tokens;

/// An authenticated agency token.
#[derive(Debug, Clone)]
pub struct AgencyToken {
    pub token_id: i64,
    pub agency: String,
}

impl FromRequestParts<AppState> for AgencyToken {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let Some(token) = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Err(ApiFailure::unauthorized(
                "Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã của cơ quan>.",
                "Missing token: send the header Authorization: Bearer <your agency token>.",
            ));
        };
        match tokens::find_active(&state.db, token).await? {
            Some(info) => Ok(AgencyToken {
                token_id: info.id,
                agency: info.agency,
            }),
            None => Err(ApiFailure::unauthorized(
                "Mã truy cập không hợp lệ hoặc đã bị thu hồi.",
                "The token is not valid or has been revoked.",
            )),
        }
    }
}
