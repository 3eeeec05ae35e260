//! Answers to form posts as a page: [`Notice`] rendered by Leptos, never cached.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use app::pages::notice::{Notice, NoticeProblem};

use crate::error::ApiFailure;

pub fn respond(status: StatusCode, notice: Notice) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(notice.to_html()),
    )
        .into_response()
}

/// The page for a refused form post: the API's answer — its message and each field's
/// problem — for a person to read; the caller adds the links back.
pub fn of_failure(failure: &ApiFailure) -> Notice {
    let problems = failure
        .body
        .items
        .iter()
        .map(|p| NoticeProblem {
            place: String::new(),
            field: p.field.clone(),
            vi: p.message_vi.clone(),
            en: p.message_en.clone(),
        })
        .collect();
    Notice::new(
        failure.body.message_vi.clone(),
        failure.body.message_en.clone(),
    )
    .problems(problems)
}
