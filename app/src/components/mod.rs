//! Reusable pieces of the screens.

pub mod commune_map;
pub mod connection_status;
#[cfg(feature = "hydrate")]
mod dom;
pub mod kpi_tile;
pub mod money;
pub mod services;
pub mod session_menu;
pub mod topbar;

use leptos::prelude::*;

use crate::model::Locale;

/// The words of the link that opens a new directive filled in from a red figure.
const ASSIGN_TASK: (&str, &str) = ("Giao nhiệm vụ", "Assign a task");

/// The link that opens a new directive filled in from a red figure (`href`), if there is one.
pub fn direct_link(href: Option<String>, locale: Locale) -> impl IntoView {
    href.map(|href| view! { <a class="direct" href=href>{locale.pick(ASSIGN_TASK.0, ASSIGN_TASK.1)}</a> })
}

/// A part of a live screen's island that the server draws and the browser keeps as it is:
/// what `draw` makes — exactly one element — is sent as HTML, and the browser's bundle
/// holds none of its code (hydration claims the element and moves on). For what never
/// changes once the page is drawn: links, headings, a session menu.
pub fn server_drawn<V: IntoView + 'static>(draw: impl FnOnce() -> V) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let html = draw().into_view().to_html();
    #[cfg(not(feature = "ssr"))]
    let html = {
        let _ = draw;
        ""
    };
    leptos::tachys::html::InertElement::new(html)
}
