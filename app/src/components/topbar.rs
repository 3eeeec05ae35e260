//! The top bar of a live screen: its title and the province, the link's state and the clock
//! (live), the other language and the session menu (drawn by the server).

use leptos::prelude::*;

use super::connection_status::{Clock, ConnectionStatus};
use super::server_drawn;
use super::session_menu::{LanguageLink, SessionMenu};
use crate::live::LiveStore;
use crate::model::account::Viewer;
use crate::model::Locale;

#[component]
pub fn LiveTopbar(
    /// The screen's title (Vietnamese, English).
    title: (&'static str, &'static str),
    province: String,
    viewer: Viewer,
    store: LiveStore,
    locale: Locale,
) -> impl IntoView {
    let display = viewer.is_display;
    view! {
        <header class="topbar">
            {server_drawn(move || view! {
                <div class="brand">
                    <span class="emblem" aria-hidden="true">"IOC"</span>
                    <div>
                        <h1>{locale.pick(title.0, title.1)}</h1>
                        <p class="province">{province}</p>
                    </div>
                </div>
            })}
            <div class="status">
                <ConnectionStatus store locale display />
                <Clock store locale />
                {server_drawn(move || view! {
                    <div class="session-links">
                        <LanguageLink locale />
                        <SessionMenu viewer locale />
                    </div>
                })}
            </div>
        </header>
    }
}
