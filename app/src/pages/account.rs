//! A person's own account: who they are signed in as, and changing their password (a plain
//! form posted to `/account/password`, which ends their sessions elsewhere).

use leptos::prelude::*;

use crate::components::session_menu::SessionMenu;
use crate::model::account::AccountData;
use crate::model::Locale;
use crate::pages::{form_screen, use_locale, Location};

#[component]
pub fn AccountPage() -> impl IntoView {
    let locale = use_locale();
    form_screen(
        locale,
        (
            "Màn hình giám sát không có tài khoản",
            "Wall screens have no account",
        ),
        move || crate::api::admin::load_account(locale),
        move |data| view! { <Account data locale /> },
    )
}

/// What a `?error=` or `?done=` left by the form post means.
fn outcome(location: &Location, l: Locale) -> Option<(&'static str, &'static str)> {
    let error = match location.param("error").as_deref() {
        Some("current") => Some(l.pick(
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
        )),
        Some("mismatch") => Some(l.pick(
            "Hai lần nhập mật khẩu mới không giống nhau.",
            "The two new passwords differ.",
        )),
        Some("weak") => Some(l.pick(
            "Mật khẩu mới cần ít nhất 12 ký tự.",
            "The new password needs at least 12 characters.",
        )),
        Some("busy") => Some(l.pick(
            "Hệ thống đang kiểm tra nhiều lượt đăng nhập; hãy thử lại sau ít giây.",
            "The server is checking many sign-ins at once; try again in a few seconds.",
        )),
        Some("locked") => Some(l.pick(
            "Nhập sai quá nhiều lần; hãy thử lại sau 15 phút.",
            "Too many wrong attempts; try again in 15 minutes.",
        )),
        Some(_) => Some(l.pick("Không đổi được mật khẩu.", "The password was not changed.")),
        None => None,
    };
    if let Some(e) = error {
        return Some(("form-error", e));
    }
    location.param("done").map(|_| {
        (
            "form-done",
            l.pick(
                "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.",
                "Password changed. Your other sessions have ended.",
            ),
        )
    })
}

#[component]
fn Account(data: AccountData, locale: Locale) -> impl IntoView {
    let l = locale;
    let message = outcome(&Location::current(), l)
        .map(|(class, text)| view! { <p class=class role="status">{text}</p> });
    view! {
        <div class="screen account">
            <header class="topbar">
                <div class="brand">
                    <span class="emblem" aria-hidden="true">"IOC"</span>
                    <div>
                        <h1>{l.pick("Tài khoản", "Account")}</h1>
                        <p class="province">{data.viewer.name.clone()}</p>
                    </div>
                </div>
                <SessionMenu viewer=data.viewer.clone() locale />
            </header>
            <main class="forms">
                <section>
                    <h2>{l.pick("Thông tin", "Details")}</h2>
                    <dl class="facts">
                        <dt>{l.pick("Tên đăng nhập", "Username")}</dt><dd>{data.username.clone()}</dd>
                        <dt>{l.pick("Vai trò", "Role")}</dt><dd>{data.viewer.role.clone()}</dd>
                        {data.agency_name.clone().map(|a| view! { <dt>{l.pick("Cơ quan", "Agency")}</dt><dd>{a}</dd> })}
                    </dl>
                </section>
                <section>
                    <h2>{l.pick("Đổi mật khẩu", "Change password")}</h2>
                    {message}
                    <form method="post" action="/account/password" class="stack">
                        <input type="hidden" name="lang" value=l.code() />
                        // tells password managers whose password this is
                        <input type="text" name="username" autocomplete="username" value=data.username.clone() readonly hidden />
                        <label>{l.pick("Mật khẩu hiện tại", "Current password")}<input name="current" type="password" autocomplete="current-password" required /></label>
                        <label>{l.pick("Mật khẩu mới (ít nhất 12 ký tự)", "New password (12 or more characters)")}<input name="password" type="password" autocomplete="new-password" minlength="12" required /></label>
                        <label>{l.pick("Nhập lại mật khẩu mới", "New password again")}<input name="again" type="password" autocomplete="new-password" minlength="12" required /></label>
                        <button type="submit">{l.pick("Đổi mật khẩu", "Change password")}</button>
                    </form>
                </section>
            </main>
        </div>
    }
}
