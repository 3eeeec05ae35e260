//! The browser entry point: hydrates the server-rendered page. Everything else lives in `app`.

// the view types of a whole page are deep
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
