//! Administration: accounts and roles, agency API tokens, wall screens and the audit trail.
//! Every change is a plain form post to the server, which checks the role again and writes
//! the audit entry in the same transaction.

use leptos::prelude::*;

use crate::api::admin::AuditQuery;
use crate::components::session_menu::SessionMenu;
use crate::model::account::{AdminData, Role};
use crate::model::Locale;
use crate::pages::{form_screen, use_locale, Location};

#[component]
pub fn AdminPage() -> impl IntoView {
    let locale = use_locale();
    let location = Location::current();
    let tab = location.param("tab").unwrap_or_else(|| "users".into());
    let query = AuditQuery {
        action: location.param("action").unwrap_or_default(),
        actor: location.param("actor").unwrap_or_default(),
        from: location.param("from").unwrap_or_default(),
        to: location.param("to").unwrap_or_default(),
    };
    let tab = StoredValue::new(tab);
    form_screen(
        locale,
        (
            "Chỉ quản trị viên được vào trang này",
            "Only administrators may open this page",
        ),
        move || crate::api::admin::load_admin(locale, query.clone()),
        move |data| view! { <Admin data tab=tab.get_value() locale /> },
    )
}

#[component]
fn Admin(data: AdminData, tab: String, locale: Locale) -> impl IntoView {
    let l = locale;
    let tabs = [
        ("users", l.pick("Tài khoản", "Accounts")),
        ("tokens", l.pick("Mã truy cập cơ quan", "Agency tokens")),
        ("displays", l.pick("Màn hình", "Displays")),
        ("audit", l.pick("Nhật ký", "Audit trail")),
    ];
    let nav = tabs
        .into_iter()
        .map(|(code, label)| {
            let current = (code == tab).then_some("page");
            view! { <a href=format!("/admin?tab={code}") aria-current=current>{label}</a> }
        })
        .collect_view();
    let agencies = data.agencies.clone();
    let body = match tab.as_str() {
        "tokens" => tokens(&data, l).into_any(),
        "displays" => displays(&data, l).into_any(),
        "audit" => audit(&data, l).into_any(),
        _ => users(&data, &agencies, l).into_any(),
    };
    view! {
        <div class="screen admin">
            <header class="topbar">
                <div class="brand">
                    <span class="emblem" aria-hidden="true">"IOC"</span>
                    <h1>{l.pick("Quản trị hệ thống", "Administration")}</h1>
                </div>
                <SessionMenu viewer=data.viewer.clone() locale />
            </header>
            <nav class="tabs">{nav}</nav>
            <main>{body}</main>
        </div>
    }
}

fn agency_options(
    agencies: &[(String, String)],
    selected: Option<&str>,
    l: Locale,
) -> impl IntoView {
    let options = agencies
        .iter()
        .map(|(code, name)| {
            view! { <option value=code.clone() selected=selected == Some(code.as_str())>{format!("{code} — {name}")}</option> }
        })
        .collect_view();
    view! {
        <option value="">{l.pick("(không thuộc cơ quan)", "(no agency)")}</option>
        {options}
    }
}

fn role_options(selected: Option<Role>, l: Locale) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(
            |r| view! { <option value=r.code() selected=selected == Some(r)>{r.label(l)}</option> },
        )
        .collect_view()
}

fn users(data: &AdminData, agencies: &[(String, String)], l: Locale) -> impl IntoView {
    let rows = data
        .users
        .iter()
        .map(|u| {
            let state = if u.disabled { l.pick("đã khóa", "disabled") } else { l.pick("hoạt động", "active") };
            let toggle = if u.disabled {
                view! { <form method="post" action=format!("/admin/users/{}/enable", u.id)><button>{l.pick("Mở khóa", "Enable")}</button></form> }.into_any()
            } else {
                view! { <form method="post" action=format!("/admin/users/{}/disable", u.id)><button class="danger">{l.pick("Khóa", "Disable")}</button></form> }.into_any()
            };
            view! {
                <tr data-user=u.username.clone()>
                    <td>{u.username.clone()}</td>
                    <td>{u.name.clone()}</td>
                    <td>{u.role.label(l)}</td>
                    <td>{u.agency.clone().unwrap_or_default()}</td>
                    <td>{state}</td>
                    <td>{u.created.clone()}</td>
                    <td class="actions">
                        {toggle}
                        <form method="post" action=format!("/admin/users/{}/role", u.id) class="inline">
                            <select name="role" aria-label=l.pick("Vai trò", "Role")>{role_options(Some(u.role), l)}</select>
                            <select name="agency" aria-label=l.pick("Cơ quan", "Agency")>{agency_options(agencies, u.agency.as_deref(), l)}</select>
                            <button>{l.pick("Đổi vai trò", "Change role")}</button>
                        </form>
                        <form method="post" action=format!("/admin/users/{}/password", u.id) class="inline">
                            <input name="password" type="password" autocomplete="new-password" minlength="12" required
                                aria-label=l.pick("Mật khẩu mới", "New password") placeholder=l.pick("Mật khẩu mới", "New password") />
                            <button>{l.pick("Đặt lại mật khẩu", "Reset password")}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{l.pick("Tài khoản", "Accounts")}</h2>
            <table>
                <thead><tr>
                    <th>{l.pick("Tên đăng nhập", "Username")}</th><th>{l.pick("Họ tên", "Name")}</th>
                    <th>{l.pick("Vai trò", "Role")}</th><th>{l.pick("Cơ quan", "Agency")}</th>
                    <th>{l.pick("Trạng thái", "State")}</th><th>{l.pick("Tạo lúc", "Created")}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{l.pick("Tạo tài khoản", "New account")}</h3>
            <form method="post" action="/admin/users" class="stack">
                <label>{l.pick("Tên đăng nhập", "Username")}<input name="username" autocomplete="off" required /></label>
                <label>{l.pick("Họ tên", "Name")}<input name="display_name" required /></label>
                <label>{l.pick("Vai trò", "Role")}<select name="role">{role_options(None, l)}</select></label>
                <label>{l.pick("Cơ quan (cán bộ sở, ngành)", "Agency (agency officers)")}<select name="agency">{agency_options(agencies, None, l)}</select></label>
                <label>{l.pick("Mật khẩu (từ 12 ký tự)", "Password (12 or more characters)")}<input name="password" type="password" autocomplete="new-password" minlength="12" required /></label>
                <button type="submit">{l.pick("Tạo", "Create")}</button>
            </form>
        </section>
    }
}

fn tokens(data: &AdminData, l: Locale) -> impl IntoView {
    let rows = data
        .tokens
        .iter()
        .map(|t| {
            let revoke = (!t.revoked).then(|| view! { <form method="post" action=format!("/admin/tokens/{}/revoke", t.id)><button class="danger">{l.pick("Thu hồi", "Revoke")}</button></form> });
            view! {
                <tr>
                    <td>{format!("#{}", t.id)}</td><td>{t.agency.clone()}</td><td>{t.label.clone()}</td>
                    <td>{t.created.clone()}</td>
                    <td>{t.last_used.clone().unwrap_or_else(|| l.pick("chưa dùng", "never").to_string())}</td>
                    <td>{if t.revoked { l.pick("đã thu hồi", "revoked") } else { l.pick("hoạt động", "active") }}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{l.pick("Mã truy cập của cơ quan (API tiếp nhận số liệu)", "Agency tokens (ingest API)")}</h2>
            <table>
                <thead><tr><th>"#"</th><th>{l.pick("Cơ quan", "Agency")}</th><th>{l.pick("Ghi chú", "Label")}</th><th>{l.pick("Tạo lúc", "Created")}</th><th>{l.pick("Dùng lần cuối", "Last used")}</th><th>{l.pick("Trạng thái", "State")}</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{l.pick("Cấp mã mới", "New token")}</h3>
            <form method="post" action="/admin/tokens" class="stack">
                <label>{l.pick("Cơ quan", "Agency")}<select name="agency" required>{agency_options(&data.agencies, None, l)}</select></label>
                <label>{l.pick("Ghi chú (hệ thống gửi)", "Label (the sending system)")}<input name="label" /></label>
                <button type="submit">{l.pick("Cấp mã", "Create")}</button>
            </form>
        </section>
    }
}

fn displays(data: &AdminData, l: Locale) -> impl IntoView {
    let rows = data
        .displays
        .iter()
        .map(|d| {
            let revoke = (!d.revoked).then(|| view! { <form method="post" action=format!("/admin/displays/{}/revoke", d.id)><button class="danger">{l.pick("Thu hồi", "Revoke")}</button></form> });
            view! {
                <tr data-display=d.name.clone() data-live=d.live.to_string()>
                    <td>{format!("#{}", d.id)}</td><td>{d.name.clone()}</td><td>{d.created.clone()}</td>
                    <td>{d.last_seen.clone().unwrap_or_else(|| l.pick("chưa kết nối", "never").to_string())}</td>
                    <td>{if d.revoked {
                        l.pick("đã thu hồi", "revoked")
                    } else if d.live {
                        l.pick("● đang trực tiếp", "● live now")
                    } else {
                        l.pick("không kết nối", "not connected")
                    }}</td>
                    <td>{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{l.pick("Màn hình giám sát (chỉ xem)", "Wall displays (read only)")}</h2>
            <table>
                <thead><tr><th>"#"</th><th>{l.pick("Tên", "Name")}</th><th>{l.pick("Tạo lúc", "Created")}</th><th>{l.pick("Lần cuối", "Last seen")}</th><th>{l.pick("Trạng thái", "State")}</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h3>{l.pick("Thêm màn hình", "New display")}</h3>
            <form method="post" action="/admin/displays" class="stack">
                <label>{l.pick("Tên màn hình", "Screen name")}<input name="name" required /></label>
                <button type="submit">{l.pick("Tạo mã màn hình", "Create display token")}</button>
            </form>
        </section>
    }
}

fn audit(data: &AdminData, l: Locale) -> impl IntoView {
    let location = Location::current();
    let value = |name: &str| location.param(name).unwrap_or_default();
    let rows = data
        .audit
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td><time datetime=e.at_exact.clone()>{e.at.clone()}</time></td><td>{e.actor.clone()}</td><td><code>{e.action.clone()}</code></td>
                    <td>{e.target.clone()}</td><td><code class="detail">{e.detail.clone()}</code></td><td>{e.ip.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{l.pick("Nhật ký thao tác (chỉ ghi thêm)", "Audit trail (append-only)")}</h2>
            <form method="get" action="/admin" class="filters">
                <input type="hidden" name="tab" value="audit" />
                <label>{l.pick("Thao tác", "Action")}<input name="action" value=value("action") placeholder="login_failed" /></label>
                <label>{l.pick("Người thực hiện", "Actor")}<input name="actor" value=value("actor") /></label>
                <label>{l.pick("Từ ngày", "From")}<input name="from" type="date" value=value("from") /></label>
                <label>{l.pick("Đến ngày", "To")}<input name="to" type="date" value=value("to") /></label>
                <button type="submit">{l.pick("Lọc", "Filter")}</button>
            </form>
            <table class="audit">
                <thead><tr><th>{l.pick("Lúc", "When")}</th><th>{l.pick("Ai", "Who")}</th><th>{l.pick("Thao tác", "Action")}</th><th>{l.pick("Đối tượng", "Target")}</th><th>{l.pick("Chi tiết", "Detail")}</th><th>IP</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
