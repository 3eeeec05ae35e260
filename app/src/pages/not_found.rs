//! The page for an address that does not exist.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="not-found">
            <h1>"Không tìm thấy trang"</h1>
            <p>"Page not found. " <a href="/">"Về trang tổng quan / Back to the overview"</a></p>
        </main>
    }
}
