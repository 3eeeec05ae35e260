//! Answers to form posts as a page: [`Notice`] rendered by Leptos, never cached.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use app::pages::notice::Notice;

pub fn respond(status: StatusCode, notice: Notice) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(notice.to_html()),
    )
        .into_response()
}
