//! Signing in. A plain form posted to `/login`: it works before the page's script loads.

use leptos::prelude::*;

use crate::pages::{use_locale, Location};

#[component]
pub fn LoginPage() -> impl IntoView {
    let locale = use_locale();
    let location = Location::current();
    let next = location.param("next").unwrap_or_else(|| "/".into());
    let error = match location.param("error").as_deref() {
        Some("invalid") => Some(locale.pick(
            "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khóa.",
            "Wrong username or password, or the account is disabled.",
        )),
        _ => None,
    };
    view! {
        <main class="login">
            <div class="brand">
                <span class="emblem" aria-hidden="true">"IOC"</span>
                <h1>{locale.pick("Trung tâm điều hành thông minh", "Intelligent Operations Center")}</h1>
            </div>
            <form method="post" action="/login" class="login-form">
                <h2>{locale.pick("Đăng nhập", "Sign in")}</h2>
                {error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <label>
                    {locale.pick("Tên đăng nhập", "Username")}
                    <input name="username" autocomplete="username" required autofocus />
                </label>
                <label>
                    {locale.pick("Mật khẩu", "Password")}
                    <input name="password" type="password" autocomplete="current-password" required />
                </label>
                <input type="hidden" name="next" value=next />
                <button type="submit">{locale.pick("Đăng nhập", "Sign in")}</button>
                <p class="hint">
                    {locale.pick(
                        "Màn hình giám sát: mở địa chỉ có mã màn hình do quản trị cấp, ",
                        "Wall screens: open the address with the display token an administrator gave, ",
                    )}
                    <code>"…/?display=…"</code>"."
                </p>
            </form>
        </main>
    }
}
