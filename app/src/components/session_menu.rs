//! Who is signed in, where they may go, and signing out. A wall screen shows only its name.

use leptos::prelude::*;

use crate::model::account::Viewer;
use crate::model::Locale;

#[component]
pub fn SessionMenu(viewer: Viewer, locale: Locale) -> impl IntoView {
    if viewer.is_display {
        return view! { <span class="viewer display">{viewer.name}</span> }.into_any();
    }
    let admin = viewer
        .is_admin
        .then(|| view! { <a href="/admin">{locale.pick("Quản trị", "Administration")}</a> });
    let submit = viewer
        .submits_for
        .is_some()
        .then(|| view! { <a href="/submit">{locale.pick("Gửi số liệu", "Submit figures")}</a> });
    view! {
        <nav class="session" aria-label=locale.pick("Tài khoản", "Account")>
            <a href="/">{locale.pick("Tổng quan", "Overview")}</a>
            <a href="/tasks">{locale.pick("Nhiệm vụ", "Tasks")}</a>
            {submit}
            {admin}
            <a class="viewer" href="/account" title=locale.pick("Tài khoản, đổi mật khẩu", "Account, change password")>
                {viewer.name}" · "{viewer.role.clone()}
            </a>
            <form method="post" action="/logout" class="logout">
                <button type="submit">{locale.pick("Đăng xuất", "Sign out")}</button>
            </form>
        </nav>
    }
    .into_any()
}

/// The switch to the other language: a link that reloads the screen in it (the language is
/// fixed for the life of a page, so nothing on it re-renders for a language change).
#[component]
pub fn LanguageLink(locale: Locale) -> impl IntoView {
    let (href, label) = match locale {
        Locale::Vi => ("?lang=en", "English"),
        Locale::En => ("?lang=vi", "Tiếng Việt"),
    };
    view! { <a class="lang" href=href rel="external">{label}</a> }
}
