//! Who is signed in, where they may go, and signing out. A wall screen shows only its name.

use leptos::prelude::*;

use crate::model::account::Viewer;
use crate::model::Locale;

#[component]
pub fn SessionMenu(viewer: Viewer, locale: Memo<Locale>) -> impl IntoView {
    let l = move || locale.get();
    if viewer.is_display {
        return view! { <span class="viewer display">{viewer.name}</span> }.into_any();
    }
    let admin = viewer
        .is_admin
        .then(|| view! { <a href="/admin">{move || l().pick("Quản trị", "Administration")}</a> });
    let submit = viewer.submits_for.is_some().then(
        || view! { <a href="/submit">{move || l().pick("Gửi số liệu", "Submit figures")}</a> },
    );
    view! {
        <nav class="session" aria-label=move || l().pick("Tài khoản", "Account")>
            <a href="/">{move || l().pick("Tổng quan", "Overview")}</a>
            <a href="/tasks">{move || l().pick("Nhiệm vụ", "Tasks")}</a>
            {submit}
            {admin}
            <a class="viewer" href="/account" title=move || l().pick("Tài khoản, đổi mật khẩu", "Account, change password")>
                {viewer.name}" · "{viewer.role.clone()}
            </a>
            <form method="post" action="/logout" class="logout">
                <button type="submit">{move || l().pick("Đăng xuất", "Sign out")}</button>
            </form>
        </nav>
    }
    .into_any()
}
