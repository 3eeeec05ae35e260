//! The operator's console (`/console`): open alerts first — acknowledge or resolve each
//! with one click or a key —, the agencies whose figures are late, the last day's resolved
//! alerts. Rendered on the server and working with plain form posts; the script
//! `/assets/console-live.js` keeps it live (alert notices on the live stream), plays a
//! short sound and counts new alerts in the title for those who act on them, and adds the
//! keyboard shortcuts. A wall screen opens it too: the same list, no buttons, no sound.

use leptos::prelude::*;

use crate::api::console::{AlertView, ConsoleData};
use crate::model::alert::Status;
use crate::model::format;
use crate::model::Locale;
use crate::pages::{form_screen, use_locale};

#[component]
pub fn ConsolePage() -> impl IntoView {
    let locale = use_locale();
    form_screen(
        locale,
        (
            "Tài khoản này không xem được cảnh báo",
            "This account may not see alerts",
        ),
        move || crate::api::console::load(locale),
        move |data| view! { <Console data locale /> },
    )
}

fn alert_item(a: AlertView, may_act: bool, locale: Locale) -> impl IntoView {
    let l = locale;
    let al = &a.alert;
    let id = al.id;
    let status = al.status.code();
    let severity = al.severity.code();
    let severity_text = match al.severity {
        crate::model::alert::Severity::Critical => l.pick("Nguy cấp", "Critical"),
        crate::model::alert::Severity::Warning => l.pick("Cảnh báo", "Warning"),
    };
    let status_text = match al.status {
        Status::Open => l.pick("Chưa tiếp nhận", "Not acknowledged"),
        Status::Acknowledged => l.pick("Đã tiếp nhận", "Acknowledged"),
        Status::Resolved => l.pick("Đã đóng", "Resolved"),
    };
    let reason = l.pick(&al.reason.vi, &al.reason.en).to_string();
    let mut facts = vec![a.rule_name.clone(), a.agency_name.clone()];
    if let Some(v) = al.value {
        facts.push(format!(
            "{} {}",
            l.pick("giá trị", "value"),
            format::exact(v, l)
        ));
    }
    if let Some(p) = &al.period {
        let shown = p
            .parse::<crate::model::Period>()
            .map_or_else(|_| p.clone(), |p| p.label(l));
        facts.push(format!("{} {shown}", l.pick("kỳ", "period")));
    }
    if let Some(at) = al.as_of {
        facts.push(format!(
            "{} {}",
            l.pick("số liệu đến", "data as of"),
            format::date_time(at, l)
        ));
    }
    facts.push(format!(
        "{} {}",
        l.pick("phát hiện lúc", "raised"),
        format::date_time(al.raised_at, l)
    ));
    let escalated = al.escalated_at.map(|at| {
        format!(
            "{} {}",
            l.pick("Đã chuyển lãnh đạo lúc", "Escalated to the leaders at"),
            format::date_time(at, l)
        )
    });
    let act_line = |label: &str, act: &crate::model::alert::Act| {
        let by = act.by.clone().unwrap_or_else(|| {
            l.pick(
                "tự động: số liệu đã trở lại bình thường",
                "automatically: the figure came back",
            )
            .to_string()
        });
        let note = act
            .note
            .clone()
            .filter(|n| !n.is_empty())
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        format!("{label}: {by}, {}{note}", format::date_time(act.at, l))
    };
    let acknowledged = al
        .acknowledged
        .as_ref()
        .map(|a| act_line(l.pick("Tiếp nhận", "Acknowledged"), a));
    let resolved = al
        .resolved
        .as_ref()
        .map(|a| act_line(l.pick("Đóng", "Resolved"), a));
    let open = al.status == Status::Open;
    let active = al.status != Status::Resolved;
    let is_escalated = al.escalated_at.is_some();
    view! {
        <li class="alert" id=format!("alert-{id}") data-alert=id data-status=status data-severity=severity data-escalated=is_escalated.then_some("true") tabindex="-1">
            <div class="alert-head">
                <span class="severity">{severity_text}</span>
                <strong class="what">{a.indicator_name.clone()}" · "{a.area_name.clone()}</strong>
                <span class="status">{status_text}</span>
            </div>
            <p class="why">{reason}</p>
            <p class="alert-facts">{facts.join(" · ")}</p>
            {escalated.map(|e| view! { <p class="escalated">{e}</p> })}
            {acknowledged.map(|t| view! { <p class="acted">{t}</p> })}
            {resolved.map(|t| view! { <p class="acted">{t}</p> })}
            {(may_act && active).then(|| view! {
                <div class="alert-actions">
                    {open.then(|| view! {
                        <form method="post" action=format!("/console/alerts/{id}/ack") class="ack">
                            <input name="note" maxlength="2000" aria-label=l.pick("Ghi chú khi tiếp nhận", "Note on acknowledging") placeholder=l.pick("Ghi chú (không bắt buộc)", "Note (optional)") />
                            <button type="submit">{l.pick("Tiếp nhận", "Acknowledge")}<kbd>"a"</kbd></button>
                        </form>
                    })}
                    <form method="post" action=format!("/console/alerts/{id}/resolve") class="resolve">
                        <input name="note" required maxlength="2000" aria-label=l.pick("Lý do đóng", "Why it is resolved") placeholder=l.pick("Lý do đóng (bắt buộc)", "Why it is resolved (required)") />
                        <button type="submit">{l.pick("Đóng", "Resolve")}<kbd>"r"</kbd></button>
                    </form>
                    <form method="post" action=format!("/console/alerts/{id}/ask") class="ask">
                        <label>{l.pick("Yêu cầu cơ quan giải trình trong", "Ask the agency to explain within")}" "
                            <input name="hours" type="number" min="1" max="72" value="4" />" "{l.pick("giờ", "hours")}</label>
                        <button type="submit">{l.pick("Yêu cầu giải trình", "Ask for an explanation")}</button>
                    </form>
                </div>
            })}
        </li>
    }
}

/// Explanations: the requests not answered yet (an officer answers them here), the
/// explanations that stand, and for an officer a form to explain any of their figures.
fn explanations_section(
    explanations: Vec<(crate::model::explanation::Explanation, String, String)>,
    requests: Vec<(
        crate::model::explanation::ExplanationRequest,
        String,
        String,
    )>,
    explainable: Option<(Vec<(String, String)>, Vec<(String, String)>)>,
    read_at: time::OffsetDateTime,
    l: Locale,
) -> impl IntoView {
    let officer = explainable.is_some();
    let fields = move || {
        view! {
            <textarea name="why" required maxlength="1000" rows="2" aria-label=l.pick("Vì sao", "Why") placeholder=l.pick("Vì sao số liệu như vậy", "Why the figure is what it is")></textarea>
            <textarea name="action" required maxlength="1000" rows="2" aria-label=l.pick("Đang làm gì", "What is being done") placeholder=l.pick("Đang làm gì để khắc phục", "What is being done about it")></textarea>
            <label>{l.pick("Xong trước ngày", "Done by")}" "<input type="date" name="by" /></label>
            <label>{l.pick("Hiệu lực đến", "Stands until")}" "<input type="date" name="expires_on" /></label>
            <button type="submit">{l.pick("Gửi giải trình", "Send the explanation")}</button>
        }
    };
    let request_items = requests
        .into_iter()
        .map(|(r, indicator, area)| {
            let overdue = r.is_overdue(read_at);
            let due = format::date_time(r.due_at, l);
            let answer = officer.then(|| view! {
                <form method="post" action="/console/explanations" class="explain">
                    <input type="hidden" name="indicator" value=r.indicator.clone() />
                    <input type="hidden" name="area" value=r.area.clone() />
                    {fields()}
                </form>
            });
            let late = if overdue { l.pick(" (quá hạn)", " (overdue)") } else { "" };
            view! {
                <li class="request" data-request=r.id data-overdue=overdue.then_some("true")>
                    <strong>{format!("{indicator} · {area}")}</strong>
                    {format!(" — {} · {} {due}{late} · {} {}", r.agency, l.pick("hạn", "due"), l.pick("yêu cầu bởi", "asked by"), r.requested_by)}
                    {(!r.note.is_empty()).then(|| view! { <p class="note">{r.note.clone()}</p> })}
                    {answer}
                </li>
            }
        })
        .collect_view();
    let standing = explanations
        .into_iter()
        .map(|(e, indicator, area)| {
            let by = e
                .by
                .map(|d| format!(" · {} {}", l.pick("xong trước", "done by"), format::date(d, l)))
                .unwrap_or_default();
            view! {
                <li class="explanation" data-indicator=e.indicator.clone() data-area=e.area.clone()>
                    <strong>{format!("{indicator} · {area}")}</strong>
                    <p>{format!("{}: {}", l.pick("Vì sao", "Why"), e.why)}</p>
                    <p>{format!("{}: {}{by}", l.pick("Đang làm", "Being done"), e.action)}</p>
                    <p class="who">{format!("{}, {} · {} {}", e.author, format::date_time(e.created_at, l), l.pick("hiệu lực đến hết", "stands until"), format::date(e.expires_on, l))}</p>
                </li>
            }
        })
        .collect_view();
    let general = explainable.map(|(indicators, areas)| view! {
        <details class="explain-any">
            <summary>{l.pick("Giải trình một số liệu của cơ quan", "Explain one of your agency's figures")}</summary>
            <form method="post" action="/console/explanations" class="explain">
                <label>{l.pick("Chỉ tiêu", "Indicator")}" "<select name="indicator" required>
                    {indicators.into_iter().map(|(c, n)| view! { <option value=c>{n}</option> }).collect_view()}
                </select></label>
                <label>{l.pick("Đơn vị", "Area")}" "<select name="area" required>
                    {areas.into_iter().map(|(c, n)| view! { <option value=c>{n}</option> }).collect_view()}
                </select></label>
                {fields()}
            </form>
        </details>
    });
    view! {
        <section class="explanations" id="explanations" aria-labelledby="explanations-h">
            <h2 id="explanations-h">{l.pick("Giải trình", "Explanations")}</h2>
            <h3>{l.pick("Yêu cầu giải trình chưa trả lời", "Requests not answered yet")}</h3>
            <ul class="requests">{request_items}</ul>
            <h3>{l.pick("Giải trình đang có hiệu lực", "Explanations that stand")}</h3>
            <ul class="standing">{standing}</ul>
            {general}
        </section>
    }
}

/// This month's data quality by agency, ranked, with its four parts.
fn quality_table(
    rows: Vec<crate::api::quality::QualityRow>,
    read_at: time::OffsetDateTime,
    l: Locale,
) -> impl IntoView {
    let cell = move |v: Option<rust_decimal::Decimal>| {
        v.map_or_else(
            || "—".to_string(),
            |v| format!("{}%", format::number(v, 1, l)),
        )
    };
    let month = format!(
        "{:02}/{}",
        u8::from(format::vietnam_date(read_at).month()),
        format::vietnam_date(read_at).year()
    );
    view! {
        <section class="data-quality" aria-labelledby="data-quality-h">
            <h2 id="data-quality-h">{format!("{} {month}", l.pick("Chất lượng số liệu tháng", "Data quality,"))}</h2>
            <p class="keys">{l.pick(
                "Đủ: số liệu đã nhận / phải gửi · Kịp: gửi đúng hạn (17:00 ngày làm việc; báo cáo tháng, quý: ngày 15 sau kỳ) · Hợp lệ: mục được nhận / mục đã gửi · Ổn định: số liệu không sửa từ hai lần trở lên hay sửa sau hạn · Điểm: trung bình.",
                "Complete: figures received / expected · Timely: on time (17:00 on working days; monthly and quarterly reports: the 15th day after the period) · Valid: items accepted / items sent · Stable: figures not revised twice or more, nor after they were due · Score: the mean.",
            )}</p>
            {if rows.is_empty() {
                view! { <p class="empty">{l.pick("Chưa có gì để đo trong tháng.", "Nothing to measure this month yet.")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="quality-table">
                            <thead><tr>
                                <th scope="col">"#"</th>
                                <th scope="col">{l.pick("Cơ quan", "Agency")}</th>
                                <th scope="col">{l.pick("Đủ", "Complete")}</th>
                                <th scope="col">{l.pick("Kịp", "Timely")}</th>
                                <th scope="col">{l.pick("Hợp lệ", "Valid")}</th>
                                <th scope="col">{l.pick("Ổn định", "Stable")}</th>
                                <th scope="col">{l.pick("Điểm", "Score")}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let q = r.quality;
                                    view! {
                                        <tr data-agency=q.agency.clone()>
                                            <td>{r.rank.map(|n| n.to_string()).unwrap_or_default()}</td>
                                            <th scope="row">{r.name}<span class="counts">{format!(" ({}/{})", q.received, q.expected)}</span></th>
                                            <td>{cell(q.completeness)}</td>
                                            <td>{cell(q.timeliness)}</td>
                                            <td>{cell(q.validity)}</td>
                                            <td>{cell(q.consistency)}</td>
                                            <td class="score">{cell(q.score)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The shift log: the latest handover (to confirm, for the next shift), the forms to write
/// a note and to hand over, the last day's entries.
fn shift_log(
    log: Vec<crate::store::shift_log::Entry>,
    handover: Option<crate::store::shift_log::Entry>,
    viewer_id: Option<i64>,
    l: Locale,
) -> impl IntoView {
    use crate::store::shift_log::EntryKind;
    let handover_view = handover.map(|h| {
        let id = h.id;
        let mine = viewer_id == Some(h.author_id);
        let confirmed = h.confirmed.clone();
        let is_confirmed = confirmed.is_some().then_some("true");
        let open = h.open_alerts.clone();
        view! {
            <div class="handover" data-handover=id data-confirmed=is_confirmed>
                <p>
                    <strong>{format!("{} {}, {}", l.pick("Giao ca:", "Handover:"), h.author, format::date_time(h.at, l))}</strong>
                    {(!h.body.is_empty()).then(|| format!(" — {}", h.body))}
                </p>
                <p>{format!("{} {}", open.len(), l.pick("cảnh báo còn mở khi giao ca", "alerts open at the handover"))}</p>
                {(!open.is_empty()).then(|| view! {
                    <ul>{open.into_iter().map(|a| view! { <li data-alert=a.id>{a.summary}</li> }).collect_view()}</ul>
                })}
                {match (confirmed, mine) {
                    (Some((at, by)), _) => view! {
                        <p class="confirmed">{format!("{} {by}, {}", l.pick("Ca sau đã xác nhận:", "Confirmed by the next shift:"), format::date_time(at, l))}</p>
                    }.into_any(),
                    (None, true) => view! {
                        <p class="waiting">{l.pick("Chờ ca sau xác nhận đã đọc.", "Waiting for the next shift to confirm.")}</p>
                    }.into_any(),
                    (None, false) => view! {
                        <form method="post" action=format!("/console/handover/{id}/confirm") class="confirm">
                            <button type="submit">{l.pick("Xác nhận đã đọc, nhận ca", "Confirm read, take the shift")}</button>
                        </form>
                    }.into_any(),
                }}
            </div>
        }
    });
    view! {
        <section class="shift-log" id="shift-log" aria-labelledby="shift-log-h">
            <h2 id="shift-log-h">{l.pick("Sổ giao ca", "Shift log")}</h2>
            {handover_view}
            <div class="log-forms">
                <form method="post" action="/console/log" class="log-note">
                    <textarea name="body" required maxlength="4000" rows="2" aria-label=l.pick("Ghi sổ", "Log entry") placeholder=l.pick("Ghi sổ: việc đã làm, đã gọi ai, cần theo dõi gì", "Log: what was done, who was called, what to follow")></textarea>
                    <button type="submit">{l.pick("Ghi sổ", "Write")}</button>
                </form>
                <form method="post" action="/console/handover" class="log-handover">
                    <textarea name="body" maxlength="4000" rows="2" aria-label=l.pick("Nội dung giao ca", "Handover note") placeholder=l.pick("Giao ca: tình hình, việc ca sau cần làm (kèm danh sách cảnh báo còn mở)", "Handover: the situation, what the next shift must do (with the open alerts)")></textarea>
                    <button type="submit">{l.pick("Giao ca", "Hand over")}</button>
                </form>
            </div>
            {if log.is_empty() {
                view! { <p class="empty">{l.pick("Chưa có ghi chép trong 24 giờ qua.", "Nothing written in the last 24 hours.")}</p> }.into_any()
            } else {
                view! {
                    <ol class="log-entries">
                        {log.into_iter().map(|e| {
                            let kind = match e.kind {
                                EntryKind::Note => l.pick("Ghi sổ", "Note"),
                                EntryKind::Handover => l.pick("Giao ca", "Handover"),
                            };
                            view! {
                                <li data-entry=e.id data-kind=if e.kind == EntryKind::Handover { "handover" } else { "note" }>
                                    <span class="when">{format::date_time(e.at, l)}</span>
                                    " "<strong>{e.author}</strong>
                                    " · "{kind}
                                    {(!e.body.is_empty()).then(|| format!(": {}", e.body))}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// The walls: what each shows, and a scene (or an alert's incident scene) to push onto one
/// wall or every wall, or the push to release — at once, over the live stream.
fn walls_section(w: crate::api::wall::ConsoleWalls, l: Locale) -> impl IntoView {
    let scene_name = |shown: &str| {
        crate::model::wall::Shown::of_code(shown).map(|s| match s {
            crate::model::wall::Shown::Scene(id) => w
                .scenes
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| shown.to_string()),
            crate::model::wall::Shown::Incident(a) => l.pick(
                format!("Sự cố (cảnh báo #{a})"),
                format!("Incident (alert #{a})"),
            ),
        })
    };
    let rows = w
        .walls
        .iter()
        .map(|wall| {
            let pushed = wall.push.as_ref().and_then(|p| p["shown"].as_str()).and_then(scene_name);
            let shows = wall.shown.as_deref().and_then(scene_name);
            view! {
                <tr data-wall=wall.id data-live=wall.live.to_string()>
                    <td>{wall.name.clone()}</td>
                    <td>{if wall.live { l.pick("● đang trực tiếp", "● live") } else { l.pick("không kết nối", "not connected") }}</td>
                    <td lang="vi">{shows.unwrap_or_default()}</td>
                    <td>{match pushed {
                        Some(p) => view! { {l.pick("Đưa lên: ", "Pushed: ")}<span lang="vi">{p}</span> }.into_any(),
                        None => l.pick("theo danh sách phát", "following its playlist").into_any(),
                    }}</td>
                    <td>
                        <form method="post" action="/console/walls/release">
                            <input type="hidden" name="display" value=wall.id />
                            <button type="submit" disabled=wall.push.is_none()>{l.pick("Trả về danh sách phát", "Release")}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let scenes = w.scenes.iter().map(|(id, name)| view! { <option value=format!("scene:{id}") lang="vi">{name.clone()}</option> }).collect_view();
    let incidents = w.incidents.iter().map(|(id, name)| view! { <option value=format!("incident:{id}")>{l.pick("Sự cố: ", "Incident: ")}{name.clone()}</option> }).collect_view();
    let targets = w
        .walls
        .iter()
        .map(|wall| view! { <option value=wall.id>{wall.name.clone()}</option> })
        .collect_view();
    view! {
        <section class="walls" id="walls" aria-labelledby="walls-h">
            <h2 id="walls-h">{l.pick("Màn hình giám sát", "Wall screens")}</h2>
            {if w.walls.is_empty() {
                view! { <p class="empty">{l.pick("Chưa có màn hình nào (quản trị viên tạo ở trang quản trị).", "No wall yet (an administrator makes them on the administration page).")}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr><th>{l.pick("Màn hình", "Wall")}</th><th>{l.pick("Kết nối", "Link")}</th><th>{l.pick("Đang hiện", "Showing")}</th><th>{l.pick("Điều khiển", "Control")}</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
            <form method="post" action="/console/walls/push" class="wall-push-form">
                <label>{l.pick("Cảnh", "Scene")}
                    <select name="what" required>{scenes}{incidents}</select>
                </label>
                <label>{l.pick("Lên màn hình", "Onto")}
                    <select name="display">
                        <option value="">{l.pick("Mọi màn hình", "Every wall")}</option>
                        {targets}
                    </select>
                </label>
                <button type="submit">{l.pick("Đưa lên màn hình", "Push to the wall")}</button>
            </form>
            <form method="post" action="/console/walls/release">
                <button type="submit">{l.pick("Trả mọi màn hình về danh sách phát", "Release every wall")}</button>
            </form>
        </section>
    }
}

#[component]
fn Console(data: ConsoleData, locale: Locale) -> impl IntoView {
    let l = locale;
    let ConsoleData {
        viewer,
        may_act,
        active,
        resolved,
        late,
        quality,
        explanations,
        requests,
        explainable,
        log,
        handover,
        viewer_id,
        read_at,
        walls,
    } = data;
    let is_display = viewer.is_display;
    let open_count = active
        .iter()
        .filter(|a| a.alert.status == Status::Open)
        .count();
    let total = active.len();
    let title = l
        .pick("Bàn điều hành ca trực", "Operator's console")
        .to_string();
    let subtitle = l
        .pick(
            "Trung tâm điều hành thông minh — cảnh báo",
            "Intelligent Operations Center — alerts",
        )
        .to_string();
    view! {
        <div class="screen console" data-may-act=may_act.then_some("true") data-open=open_count>
            {crate::pages::tasks::topbar(title, subtitle, viewer, l)}
            <nav class="crumbs">
                <a href="/">{l.pick("← Tổng quan", "← Overview")}</a>
                {(!is_display).then(|| view! { <a href="/tasks">{l.pick("Nhiệm vụ →", "Tasks →")}</a> })}
            </nav>
            <p class="console-live" hidden
                data-live=l.pick("● Trực tiếp: cảnh báo mới hiện ngay", "● Live: new alerts appear at once")
                data-lost=l.pick("Mất kết nối trực tiếp — đang kết nối lại; danh sách có thể chưa mới", "Live link lost — reconnecting; the list may be out of date")
                data-ended=l.pick("Phiên đã kết thúc — hãy đăng nhập lại", "The session has ended — sign in again")></p>
            <p class="as-of">
                {format!("{} {} · {}", l.pick("Số liệu đến", "As of"), format::date_time(read_at, l), l.pick("nguồn: quy tắc cảnh báo của tỉnh (alerts.toml) trên số liệu các cơ quan gửi", "source: the province's alert rules (alerts.toml) over the figures agencies send"))}
            </p>
            <section class="alerts-active" aria-labelledby="alerts-active-h">
                <h2 id="alerts-active-h">
                    {l.pick("Cảnh báo cần xử lý", "Alerts to handle")}
                    " "<span class="count" data-count=total>{total}</span>
                </h2>
                {may_act.then(|| view! {
                    <p class="keys">{l.pick("Phím tắt: j / k chọn cảnh báo · a tiếp nhận · r ghi lý do và đóng", "Keys: j / k pick an alert · a acknowledge · r give a reason and resolve")}</p>
                })}
                {if active.is_empty() {
                    view! { <p class="empty">{l.pick("Không có cảnh báo nào đang mở.", "No open alerts.")}</p> }.into_any()
                } else {
                    view! {
                        <ol class="alert-list">
                            {active.into_iter().map(|a| alert_item(a, may_act, l)).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
            {walls.map(|w| walls_section(w, l))}
            <section class="late-feeds" aria-labelledby="late-feeds-h">
                <h2 id="late-feeds-h">{l.pick("Cơ quan chậm gửi số liệu", "Agencies with late figures")}</h2>
                {if late.is_empty() {
                    view! { <p class="empty">{l.pick("Không cơ quan nào chậm.", "No agency is late.")}</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {late.into_iter().map(|a| view! {
                                <li data-agency=a.code.clone()>
                                    <strong>{a.name}</strong>
                                    {format!(" — {} {}: ", a.figures.len(), l.pick("số liệu", "figures"))}
                                    {a.figures.join("; ")}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            {may_act.then(|| shift_log(log, handover, viewer_id, l))}
            {explanations_section(explanations, requests, explainable, read_at, l)}
            {quality_table(quality, read_at, l)}
            <section class="alerts-resolved" aria-labelledby="alerts-resolved-h">
                <h2 id="alerts-resolved-h">{l.pick("Đã đóng trong 24 giờ qua", "Resolved in the last 24 hours")}</h2>
                {if resolved.is_empty() {
                    view! { <p class="empty">{l.pick("Chưa có.", "None.")}</p> }.into_any()
                } else {
                    view! {
                        <ol class="alert-list resolved">
                            {resolved.into_iter().map(|a| alert_item(a, false, l)).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
