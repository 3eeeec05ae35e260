//! The link state every screen shows: live, reconnecting, or caught up after a drop.

use leptos::prelude::*;

use crate::live::{Link, LiveStore};
use crate::model::{format, Locale};

/// `display`: whether a wall screen is watching (it has no one to sign in again).
#[component]
pub fn ConnectionStatus(store: LiveStore, locale: Locale, display: bool) -> impl IntoView {
    let state = move || match store.link.get() {
        Link::Connecting => "connecting",
        Link::Live => "live",
        Link::Reconnecting { .. } => "reconnecting",
        Link::Ended => "ended",
    };
    let text = move || {
        let l = locale;
        match (store.link.get(), store.caught_up.get()) {
            (Link::Connecting, _) => l.pick("Đang kết nối…", "Connecting…").to_string(),
            (Link::Live, Some(n)) => l.pick(
                format!("Trực tiếp · đã cập nhật {n} thay đổi"),
                format!("Live · caught up {n} updates"),
            ),
            (Link::Live, None) => l.pick("Trực tiếp", "Live").to_string(),
            (Link::Reconnecting { attempt }, _) => l.pick(
                format!("Mất kết nối · đang kết nối lại (lần {attempt})"),
                format!("Disconnected · reconnecting (attempt {attempt})"),
            ),
            (Link::Ended, _) if display => l
                .pick(
                    "Màn hình này đã hết quyền truy cập · số liệu không còn cập nhật; liên hệ quản trị",
                    "This screen's access has ended · figures no longer update; ask an administrator",
                )
                .to_string(),
            (Link::Ended, _) => l
                .pick(
                    "Phiên đã kết thúc · số liệu không còn cập nhật",
                    "Session ended · figures no longer update",
                )
                .to_string(),
        }
    };
    let sign_in = move || {
        (store.link.get() == Link::Ended && !display).then(|| {
            view! { <a href="/login">{locale.pick("Đăng nhập lại", "Sign in again")}</a> }
        })
    };
    view! {
        <div class="connection" data-state=state role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span>
            <span class="label">{text}</span>
            {sign_in}
        </div>
    }
}

/// The current time in Vietnam, ticking.
#[component]
pub fn Clock(store: LiveStore, locale: Locale) -> impl IntoView {
    view! {
        <div class="clock">
            <span class="time">{move || format::clock(store.now.get())}</span>
            <span class="date">{move || format::date(format::vietnam_date(store.now.get()), locale)}</span>
        </div>
    }
}
