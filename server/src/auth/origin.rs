//! Cross-site request refusal: a state-changing request or a websocket upgrade must come
//! from one of our own origins, unless a valid bearer token authenticated it.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

use super::Credential;
use crate::error::ApiFailure;
use crate::state::AppState;

/// The origins allowed to send state-changing requests and open websockets.
#[derive(Debug, Clone)]
pub struct AllowedOrigins(pub Vec<String>);

impl AllowedOrigins {
    /// Those configured, or else the server's own address as `localhost` and `127.0.0.1`.
    pub fn new(configured: &[String], addr: SocketAddr) -> AllowedOrigins {
        if !configured.is_empty() {
            return AllowedOrigins(
                configured
                    .iter()
                    .map(|o| o.trim_end_matches('/').to_string())
                    .collect(),
            );
        }
        let port = addr.port();
        AllowedOrigins(vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://[::1]:{port}"),
        ])
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

/// Refuses, with 403, a state-changing request or a websocket upgrade whose `Origin` is not
/// allowed. Only requests whose principal a valid bearer token established are exempt (an
/// agency system or a wall screen sending its token carries no ambient credential); any
/// other `Authorization` header — Basic or NTLM from an intranet single sign-on proxy —
/// exempts nothing, since the browser adds it to cross-site requests too. A request without
/// an `Origin` is refused if it carries a cookie (browsers always send `Origin` on these).
/// Runs after [`super::identify`], which says how the principal was established.
pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let by_bearer = request.extensions().get::<Credential>() == Some(&Credential::Bearer);
    if (upgrade || changes_state) && !by_bearer {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let refused = match origin {
            Some(origin) => !state.origins.allows(origin),
            None => request.headers().get(header::COOKIE).is_some(),
        };
        if refused {
            tracing::warn!(origin = origin.unwrap_or("(none)"), path = %request.uri().path(), "refused: foreign origin");
            return ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                "Yêu cầu đến từ một trang không được phép.",
                "The request comes from a site that is not allowed.",
            )
            .into_response();
        }
    }
    next.run(request).await
}
