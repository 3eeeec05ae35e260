//! The browser entry point: hydrates the islands of the server-rendered page (the live
//! screen's island, exported by the bundle built with that screen's feature). Everything
//! else lives in `app`.

// the view types of a whole page are deep
#![recursion_limit = "512"]

// the islands are exported by `app`: link it although nothing here names it
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
