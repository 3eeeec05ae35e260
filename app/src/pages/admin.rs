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
        (
            "walls",
            l.pick("Cảnh và danh sách phát", "Scenes and playlists"),
        ),
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
        "walls" => view! { <WallsTab locale=l /> }.into_any(),
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

/// The walls, their scenes and playlists: each wall's link, playlist and current scene; a
/// form per scene (six panel slots) and per playlist (its scenes and their seconds).
#[component]
fn WallsTab(locale: Locale) -> impl IntoView {
    let l = locale;
    super::loaded_screen(
        move || crate::api::wall::load_admin(l),
        move |data: crate::api::wall::WallsAdmin| walls_tab(data, l),
        move |e| view! { <p class="error">{e.to_string()}</p> }.into_any(),
    )
}

fn walls_tab(data: crate::api::wall::WallsAdmin, l: Locale) -> impl IntoView {
    use crate::model::wall::{Shown, CHARTS, MAX_PANELS, PANEL_KINDS};
    let when = |t: Option<time::OffsetDateTime>| {
        t.map(|t| crate::model::format::date_time(t, l))
            .unwrap_or_else(|| l.pick("chưa", "never").to_string())
    };
    let scene_name = |shown: &str| match Shown::of_code(shown) {
        Some(Shown::Scene(id)) => data
            .scenes
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| shown.to_string()),
        Some(Shown::Incident(a)) => l.pick(
            format!("Sự cố (cảnh báo #{a})"),
            format!("Incident (alert #{a})"),
        ),
        None => shown.to_string(),
    };
    let playlist_options = |chosen: Option<i64>| {
        data.playlists
            .iter()
            .map(|p| view! { <option value=p.id selected=chosen == Some(p.id)>{p.name.clone()}</option> })
            .collect_view()
    };
    let walls = data
        .walls
        .iter()
        .map(|w| {
            let pushed = w.push.as_ref().and_then(|p| p["shown"].as_str()).map(scene_name);
            view! {
                <tr data-wall=w.id data-live=w.live.to_string()>
                    <td>{w.name.clone()}</td>
                    <td>{if w.live { l.pick("● đang trực tiếp", "● live now") } else { l.pick("không kết nối", "not connected") }}</td>
                    <td>{when(w.last_seen_at)}</td>
                    <td class="wall-shown"><span lang="vi">{w.shown.as_deref().map(scene_name).unwrap_or_default()}</span>
                        {pushed.map(|p| view! { <br /><span class="late-mark">{l.pick("đưa lên từ bàn điều hành: ", "pushed from the console: ")}<span lang="vi">{p}</span></span> })}
                    </td>
                    <td>
                        <form method="post" action=format!("/admin/walls/displays/{}", w.id) class="inline">
                            <label class="visually-hidden" for=format!("playlist-of-{}", w.id)>{l.pick("Danh sách phát", "Playlist")}</label>
                            <select name="playlist" id=format!("playlist-of-{}", w.id)>
                                <option value="" selected=w.playlist.is_none()>{l.pick("(danh sách đầu tiên)", "(the first playlist)")}</option>
                                {playlist_options(w.playlist)}
                            </select>
                            <button type="submit">{l.pick("Lưu", "Save")}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let kinds = |chosen: &str| {
        std::iter::once(view! { <option value="" selected=chosen.is_empty()>{l.pick("(không có)", "(none)")}</option> }.into_any())
            .chain(PANEL_KINDS.iter().map(|(code, vi, en)| {
                view! { <option value=*code selected=*code == chosen>{l.pick(*vi, *en)}</option> }.into_any()
            }))
            .collect_view()
    };
    let scene_form = |scene: Option<&crate::model::wall::Scene>| {
        let slots = (0..MAX_PANELS)
            .map(|i| {
                let panel = scene.and_then(|s| s.panels.get(i));
                let kind = panel.map(|p| p.kind()).unwrap_or("");
                let param = panel.map(|p| p.parameter()).unwrap_or_default();
                view! {
                    <div class="slot">
                        <label>{l.pick(format!("Ô {}", i + 1), format!("Panel {}", i + 1))}
                            <select name=format!("kind{i}")>{kinds(kind)}</select>
                        </label>
                        <label>{l.pick("Chỉ tiêu, lớp bản đồ hoặc biểu đồ", "Indicators, map layer or chart")}
                            <input name=format!("param{i}") value=param list="wall-params" />
                        </label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <form method="post" action="/admin/walls/scenes" class="stack scene-form" data-scene=scene.map(|s| s.id)>
                {scene.map(|s| view! { <input type="hidden" name="id" value=s.id /> })}
                <label>{l.pick("Tên cảnh", "Scene name")}<input name="name" required value=scene.map(|s| s.name.clone()) /></label>
                {slots}
                <button type="submit">{if scene.is_some() { l.pick("Lưu cảnh", "Save the scene") } else { l.pick("Tạo cảnh", "Create the scene") }}</button>
            </form>
        }
    };
    let scenes = data
        .scenes
        .iter()
        .map(|s| {
            view! {
                <details class="wall-scene">
                    <summary><span lang="vi">{format!("#{} {}", s.id, s.name)}</span></summary>
                    <p><a href=format!("/wall/scene/{}", s.id)>{l.pick("Xem cảnh →", "View the scene →")}</a></p>
                    {scene_form(Some(s))}
                    <form method="post" action=format!("/admin/walls/scenes/{}/delete", s.id)>
                        <button class="danger">{l.pick("Xoá cảnh", "Delete the scene")}</button>
                    </form>
                </details>
            }
        })
        .collect_view();
    let scene_options = |chosen: Option<i64>| {
        std::iter::once(view! { <option value="" selected=chosen.is_none()>{l.pick("(không có)", "(none)")}</option> }.into_any())
            .chain(data.scenes.iter().map(|s| {
                view! { <option value=s.id selected=chosen == Some(s.id) lang="vi">{s.name.clone()}</option> }.into_any()
            }))
            .collect_view()
    };
    let playlist_form = |p: Option<&crate::model::wall::Playlist>| {
        let rows = p.map_or(0, |p| p.entries.len()) + 3;
        let rows = (0..rows.min(crate::model::wall::MAX_ENTRIES))
            .map(|i| {
                let e = p.and_then(|p| p.entries.get(i));
                view! {
                    <div class="slot">
                        <label>{l.pick(format!("Cảnh {}", i + 1), format!("Scene {}", i + 1))}
                            <select name=format!("scene{i}")>{scene_options(e.map(|e| e.scene))}</select>
                        </label>
                        <label>{l.pick("Số giây", "Seconds")}
                            <input name=format!("seconds{i}") type="number" min="10" max="3600" value=e.map_or(60, |e| e.seconds) />
                        </label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <form method="post" action="/admin/walls/playlists" class="stack playlist-form" data-playlist=p.map(|p| p.id)>
                {p.map(|p| view! { <input type="hidden" name="id" value=p.id /> })}
                <label>{l.pick("Tên danh sách phát", "Playlist name")}<input name="name" required value=p.map(|p| p.name.clone()) /></label>
                {rows}
                <button type="submit">{if p.is_some() { l.pick("Lưu danh sách", "Save the playlist") } else { l.pick("Tạo danh sách", "Create the playlist") }}</button>
            </form>
        }
    };
    let playlists = data
        .playlists
        .iter()
        .map(|p| {
            view! {
                <details class="wall-playlist">
                    <summary><span lang="vi">{format!("#{} {}", p.id, p.name)}</span>{format!(" — {} ", p.entries.len())}{l.pick("cảnh", "scenes")}</summary>
                    {playlist_form(Some(p))}
                    <form method="post" action=format!("/admin/walls/playlists/{}/delete", p.id)>
                        <button class="danger">{l.pick("Xoá danh sách", "Delete the playlist")}</button>
                    </form>
                </details>
            }
        })
        .collect_view();
    let params = data
        .tiles
        .iter()
        .chain(&data.layers)
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .chain(CHARTS.iter().map(|(code, vi, en)| view! { <option value=code.to_string()>{l.pick(*vi, *en).to_string()}</option> }))
        .collect_view();
    let codes = |list: &[(String, String)]| {
        list.iter()
            .map(|(code, name)| view! { <li><code>{code.clone()}</code>" — "{name.clone()}</li> })
            .collect_view()
    };
    view! {
        <section>
            <h2>{l.pick("Màn hình giám sát", "Wall screens")}</h2>
            <p>{l.pick("Mở màn hình một lần ở địa chỉ ", "Open a wall once at ")}<code>"/wall?display=…"</code>{l.pick(" (mã màn hình); màn hình theo danh sách phát của nó, đổi cảnh theo giờ của máy chủ.", " (its display token); it follows its playlist, turning on the server's clock.")}</p>
            <table>
                <thead><tr><th>{l.pick("Màn hình", "Wall")}</th><th>{l.pick("Kết nối", "Link")}</th><th>{l.pick("Lần cuối", "Last contact")}</th><th>{l.pick("Đang hiện", "Showing")}</th><th>{l.pick("Danh sách phát", "Playlist")}</th></tr></thead>
                <tbody>{walls}</tbody>
            </table>
            <h2>{l.pick("Cảnh", "Scenes")}</h2>
            <datalist id="wall-params">{params}</datalist>
            {scenes}
            <details class="wall-scene new">
                <summary>{l.pick("Cảnh mới", "New scene")}</summary>
                {scene_form(None)}
            </details>
            <details>
                <summary>{l.pick("Ô có thể hiện", "What panels may show")}</summary>
                <p>{l.pick("Ô chỉ tiêu: các mã sau, cách nhau bằng dấu phẩy (nhiều nhất 8):", "KPI tiles: these codes, separated by commas (at most 8):")}</p>
                <ul>{codes(&data.tiles)}</ul>
                <p>{l.pick("Bản đồ và xếp hạng: một lớp:", "Map and ranking: one layer:")}</p>
                <ul>{codes(&data.layers)}</ul>
                <p>{l.pick("Biểu đồ:", "Chart:")}</p>
                <ul>{CHARTS.iter().map(|(code, vi, en)| view! { <li><code>{*code}</code>" — "{l.pick(*vi, *en)}</li> }).collect_view()}</ul>
            </details>
            <h2>{l.pick("Danh sách phát", "Playlists")}</h2>
            {playlists}
            <details class="wall-playlist new">
                <summary>{l.pick("Danh sách phát mới", "New playlist")}</summary>
                {playlist_form(None)}
            </details>
        </section>
    }
}
