//! The page for an address that does not exist.

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let l = crate::pages::use_locale();
    view! {
        <main class="not-found">
            <h1>{l.pick("Không tìm thấy trang", "Page not found")}</h1>
            <p>
                {l.pick("Địa chỉ này không có trang nào. ", "There is no page at this address. ")}
                <a href="/">{l.pick("Về trang tổng quan", "Back to the overview")}</a>
            </p>
        </main>
    }
}
