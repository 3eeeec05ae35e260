//! Directives and tasks: the list (overdue first, each agency's on-time completion), a
//! task's page with its whole history and the forms to report on it, and the form that
//! turns a red value into a directive. Form screens: rendered on the server, posting to the
//! server, no script.

use leptos::prelude::*;

use crate::api::tasks::{NewTaskData, TaskListData, TaskPageData};
use crate::components::session_menu::SessionMenu;
use crate::model::format;
use crate::model::task::{NoteKind, Status};
use crate::model::Locale;
use crate::pages::{form_screen, use_locale, Location};

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Overdue => "status-overdue",
        Status::NotStarted => "status-not-started",
        Status::InProgress => "status-in-progress",
        Status::DoneLate => "status-done-late",
        Status::Done => "status-done",
    }
}

pub(crate) fn topbar(
    title: String,
    subtitle: String,
    viewer: crate::model::account::Viewer,
    locale: Locale,
) -> impl IntoView {
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="emblem" aria-hidden="true">"IOC"</span>
                <div>
                    <h1>{title}</h1>
                    <p class="province">{subtitle}</p>
                </div>
            </div>
            <SessionMenu viewer locale />
        </header>
    }
}

/// Where a task screen says whether it follows changes live: hidden until the script
/// (`/assets/tasks-live.js`) connects, since without it the screen is as fresh as its
/// "số liệu đến" says; the script shows one of the texts by the link's state.
fn live_indicator(l: Locale) -> impl IntoView {
    view! {
        <p class="tasks-live" hidden
            data-live=l.pick("● Trực tiếp: nhiệm vụ mới và thay đổi hiện ngay", "● Live: new and changed tasks appear at once")
            data-lost=l.pick("Mất kết nối trực tiếp — đang kết nối lại; danh sách có thể chưa mới", "Live link lost — reconnecting; the list may be out of date")
            data-ended=l.pick("Phiên đã kết thúc — hãy đăng nhập lại", "The session has ended — sign in again")></p>
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let locale = use_locale();
    let query = Location::current().query;
    form_screen(
        locale,
        (
            "Tài khoản này không xem được nhiệm vụ",
            "This account may not see tasks",
        ),
        move || {
            let query = query.clone();
            async move { crate::api::tasks::load_list(locale, &query).await }
        },
        move |data| view! { <TaskList data locale /> },
    )
}

#[component]
fn TaskList(data: TaskListData, locale: Locale) -> impl IntoView {
    let l = locale;
    let lang = if l == Locale::En { "&lang=en" } else { "" };
    let filter = |code: &str, vi: &'static str, en: &'static str| {
        let current = data.status == code;
        let agency = data
            .agency
            .as_deref()
            .map(|a| format!("&agency={a}"))
            .unwrap_or_default();
        view! {
            <a href=format!("/tasks?status={code}{agency}{lang}") aria-current=current.then_some("page")>{l.pick(vi, en)}</a>
        }
    };
    let overdue = data
        .lines
        .iter()
        .filter(|t| t.status == Status::Overdue)
        .count();
    let agency_param = data
        .agency
        .as_deref()
        .map(|a| format!("&agency={a}"))
        .unwrap_or_default();
    let rows = data
        .lines
        .iter()
        .map(|t| {
            let due = t.due.map(|d| format::date(d, l)).unwrap_or_default();
            view! {
                <tr class=status_class(t.status) data-task=t.id>
                    <td><span class=format!("task-status {}", status_class(t.status))>{t.status.label(l)}</span></td>
                    <td class="task-title"><a href=format!("/tasks/{}{}", t.id, lang.replacen('&', "?", 1))>{t.title.clone()}</a><small>{t.source.clone()}</small></td>
                    <td data-label=l.pick("Chủ trì", "Lead")>{t.lead.clone()}</td>
                    <td data-label=l.pick("Thời hạn", "Deadline")>{t.deadline.clone()}<small>{due}</small></td>
                    <td class="as-of" data-label=l.pick("Cập nhật", "Updated")>{format::date_time(t.updated_at, l)}</td>
                </tr>
            }
        })
        .collect_view();
    let agencies = data
        .agencies
        .iter()
        .map(|a| {
            let rate = a
                .rate
                .map(|r| format!("{}%", format::number(r, 1, l)))
                .unwrap_or_else(|| "—".into());
            let weak = a.record.overdue > 0;
            view! {
                <tr class:status-overdue=weak data-agency=a.code.clone()>
                    <td class="agency"><a href=format!("/tasks?agency={}{lang}", a.code)>{a.name.clone()}</a></td>
                    <td class="value" data-label=l.pick("Đúng hạn", "On time")>{a.record.done}</td>
                    <td class="value" data-label=l.pick("Xong quá hạn", "Done late")>{a.record.done_late}</td>
                    <td class="value" data-label=l.pick("Quá hạn", "Overdue")>{a.record.overdue}</td>
                    <td class="value" data-label=l.pick("Đang mở", "Open")>{a.record.open}</td>
                    <td class="value rate" data-label=l.pick("Tỷ lệ đúng hạn", "On-time rate")>{rate}</td>
                </tr>
            }
        })
        .collect_view();
    let choices = data
        .choices
        .iter()
        .map(|(code, name)| {
            let selected = data.agency.as_deref() == Some(code.as_str());
            view! { <option value=code.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    let subtitle = format!(
        "{} {} · {}",
        l.pick("Số liệu đến", "Data as of"),
        format::date_time(data.read_at, l),
        l.pick(
            "nguồn: Hệ thống theo dõi nhiệm vụ",
            "source: the task tracking system"
        ),
    );
    view! {
        <div class="screen tasks">
            {topbar(l.pick("Nhiệm vụ được giao", "Assigned tasks").to_string(), subtitle, data.viewer.clone(), locale)}
            <main class="task-list">
                <nav class="tabs" aria-label=l.pick("Lọc theo trạng thái", "Filter by status")>
                    {filter("overdue", "Quá hạn", "Overdue")}
                    {filter("open", "Đang mở", "Open")}
                    {filter("done", "Đã xong", "Done")}
                    {filter("", "Tất cả", "All")}
                    {data.may_direct.then(|| view! { <a class="new-task" href=format!("/tasks/new{}", lang.replacen('&', "?", 1))>{l.pick("+ Giao nhiệm vụ", "+ Assign a task")}</a> })}
                </nav>
                <form method="get" action="/tasks" class="filters">
                    <input type="hidden" name="status" value=data.status.clone() />
                    {(l == Locale::En).then(|| view! { <input type="hidden" name="lang" value="en" /> })}
                    <label>{l.pick("Cơ quan", "Agency")}
                        <select name="agency">
                            <option value="">{l.pick("Tất cả", "All")}</option>
                            {choices}
                        </select>
                    </label>
                    <button type="submit">{l.pick("Xem", "Show")}</button>
                </form>
                {live_indicator(l)}
                <p class="summary" data-overdue=overdue>
                    {format!("{} {} · {} {}", data.lines.len(), l.pick("nhiệm vụ", "tasks"), overdue, l.pick("quá hạn", "overdue"))}
                    " · "
                    <a class="download" href=format!("/api/v1/tasks.csv?status={}{}{}", data.status, agency_param, lang)>"CSV"</a>
                    " · "
                    <a class="download" href=format!("/api/v1/tasks.xlsx?status={}{}{}", data.status, agency_param, lang)>"XLSX"</a>
                </p>
                <table class="tasks-table">
                    <thead><tr>
                        <th>{l.pick("Trạng thái", "Status")}</th>
                        <th>{l.pick("Nhiệm vụ", "Task")}</th>
                        <th>{l.pick("Chủ trì", "Lead")}</th>
                        <th>{l.pick("Thời hạn", "Deadline")}</th>
                        <th>{l.pick("Cập nhật", "Updated")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <section class="completion">
                    <h2>{l.pick("Tỷ lệ hoàn thành đúng hạn theo cơ quan chủ trì", "On-time completion by lead agency")}</h2>
                    <p class="hint">{l.pick(
                        "Đúng hạn ÷ số nhiệm vụ đã đến hạn (xong đúng hạn, xong quá hạn, quá hạn). Nhiệm vụ chưa đến hạn, thường xuyên hoặc theo lộ trình của cơ quan khác chỉ được tính khi xong.",
                        "On time ÷ tasks fallen due (done on time, done late, overdue). Tasks not yet due, ongoing or on another body's schedule count only once done.",
                    )}</p>
                    <table class="tasks-table agencies">
                        <thead><tr>
                            <th>{l.pick("Cơ quan", "Agency")}</th>
                            <th>{l.pick("Đúng hạn", "On time")}</th>
                            <th>{l.pick("Xong quá hạn", "Done late")}</th>
                            <th>{l.pick("Quá hạn", "Overdue")}</th>
                            <th>{l.pick("Đang mở", "Open")}</th>
                            <th>{l.pick("Tỷ lệ đúng hạn", "On-time rate")}</th>
                        </tr></thead>
                        <tbody>{agencies}</tbody>
                    </table>
                </section>
            </main>
        </div>
    }
}

#[component]
pub fn TaskPage() -> impl IntoView {
    let locale = use_locale();
    let id: i64 = Location::current()
        .path
        .trim_start_matches("/tasks/")
        .parse()
        .unwrap_or(0);
    form_screen(
        locale,
        (
            "Không có nhiệm vụ này, hoặc tài khoản này không được xem",
            "No such task, or this account may not see it",
        ),
        move || crate::api::tasks::load_one(locale, id),
        move |data| view! { <TaskDetail data locale /> },
    )
}

fn note_class(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Created => "created",
        NoteKind::Progress => "progress",
        NoteKind::Attachment => "attachment",
        NoteKind::Done => "done",
        NoteKind::Reopened => "reopened",
    }
}

fn note_kind(kind: NoteKind, l: Locale) -> &'static str {
    match kind {
        NoteKind::Created => l.pick("Giao nhiệm vụ", "Assigned"),
        NoteKind::Progress => l.pick("Báo cáo tiến độ", "Progress"),
        NoteKind::Attachment => l.pick("Đính kèm", "Attachment"),
        NoteKind::Done => l.pick("Hoàn thành", "Done"),
        NoteKind::Reopened => l.pick("Mở lại", "Reopened"),
    }
}

#[component]
fn TaskDetail(data: TaskPageData, locale: Locale) -> impl IntoView {
    let l = locale;
    let t = &data.task.task;
    let action = format!("/tasks/{}/notes", t.id);
    let version = t.version.to_string();
    let done = matches!(data.task.status, Status::Done | Status::DoneLate);
    let history = data
        .notes
        .iter()
        .map(|n| {
            view! {
                <li class=format!("note note-{}", note_class(n.kind))>
                    <span class="when">{format::date_time(n.at, l)}</span>
                    <strong>{note_kind(n.kind, l)}</strong>
                    <span class="who">{n.author.clone()}{n.agency.clone().map(|a| format!(" ({a})"))}</span>
                    {(!n.body.is_empty()).then(|| view! { <p>{n.body.clone()}</p> })}
                    {n.link.clone().map(|href| view! { <p><a href=href.clone() rel="noopener noreferrer" target="_blank">{href.clone()}</a></p> })}
                </li>
            }
        })
        .collect_view();
    let raised = data.raised.clone().map(|r| {
        view! {
            <section class="raised-from">
                <h2>{l.pick("Giao từ số liệu", "Raised from the figure")}</h2>
                <p><strong>{r.indicator}</strong>" · "{r.area}": "<span class="value">{r.value}</span></p>
                <p class="as-of">{l.pick("Số liệu đến ", "Data as of ")}{r.as_of}</p>
            </section>
        }
    });
    let report = (data.may_report && !done).then(|| {
        view! {
            <section class="report">
                <h2>{l.pick("Báo cáo tiến độ", "Report progress")}</h2>
                <form method="post" action=action.clone() class="stack">
                    <input type="hidden" name="kind" value="progress" />
                    <input type="hidden" name="version" value=version.clone() />
                    <label>{l.pick("Nội dung", "What was done")}<textarea name="body" rows="3" required></textarea></label>
                    <button type="submit">{l.pick("Gửi báo cáo", "Send report")}</button>
                </form>
                <form method="post" action=action.clone() class="stack">
                    <input type="hidden" name="kind" value="attachment" />
                    <input type="hidden" name="version" value=version.clone() />
                    <label>{l.pick("Đường dẫn tài liệu (https://…)", "Document link (https://…)")}<input name="link" type="url" required /></label>
                    <label>{l.pick("Ghi chú", "Note")}<input name="body" /></label>
                    <button type="submit">{l.pick("Đính kèm", "Attach")}</button>
                </form>
            </section>
        }
    });
    let close = data.may_close.then(|| {
        let (kind, label) = if done {
            ("reopened", l.pick("Mở lại nhiệm vụ", "Reopen the task"))
        } else {
            ("done", l.pick("Đánh dấu hoàn thành", "Mark as done"))
        };
        view! {
            <form method="post" action=action.clone() class="stack close">
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="version" value=version.clone() />
                <label>{l.pick("Kết quả", "Result")}<input name="body" /></label>
                <button type="submit" class=if done { "" } else { "done" }>{label}</button>
            </form>
        }
    });
    let due = t
        .due
        .map(|d| format!(" ({} {})", l.pick("hạn", "due"), format::date(d, l)))
        .unwrap_or_default();
    view! {
        <div class="screen tasks">
            {topbar(t.title.clone(), t.source.clone(), data.viewer.clone(), locale)}
            <main class="task-page" data-task-id=t.id data-task-version=version.clone()>
                <p class="crumbs"><a href="/tasks">{l.pick("← Danh sách nhiệm vụ", "← Task list")}</a></p>
                {live_indicator(l)}
                <p class="task-changed" hidden>
                    {l.pick("Nhiệm vụ vừa được cập nhật. ", "This task has just been updated. ")}
                    <a href="">{l.pick("Tải lại để xem", "Reload to see it")}</a>
                </p>
                <dl class="facts">
                    <dt>{l.pick("Trạng thái", "Status")}</dt>
                    <dd><span class=format!("task-status {}", status_class(data.task.status))>{data.task.status.label(l)}</span></dd>
                    <dt>{l.pick("Thời hạn", "Deadline")}</dt>
                    <dd>{t.deadline.label(l)}{due}</dd>
                    <dt>{l.pick("Chủ trì", "Lead")}</dt>
                    <dd>{data.lead.clone()}</dd>
                    <dt>{l.pick("Phối hợp", "Coordinating")}</dt>
                    <dd>{data.coordinating.join("; ")}</dd>
                    {(!t.output.is_empty()).then(|| view! {
                        <dt>{l.pick("Sản phẩm", "Output")}</dt>
                        <dd>{t.output.clone()}</dd>
                    })}
                    <dt>{l.pick("Số liệu đến", "Data as of")}</dt>
                    <dd>{format::date_time(data.read_at, l)}{l.pick(" · cập nhật lần cuối ", " · last changed ")}{format::date_time(t.updated_at, l)}</dd>
                </dl>
                {raised}
                {close}
                {report}
                <section class="history">
                    <h2>{l.pick("Quá trình thực hiện", "History")}</h2>
                    <ol class="notes">{history}</ol>
                </section>
            </main>
        </div>
    }
}

#[component]
pub fn NewTaskPage() -> impl IntoView {
    let locale = use_locale();
    let query = Location::current().query;
    form_screen(
        locale,
        (
            "Chỉ lãnh đạo và cán bộ trực giao nhiệm vụ",
            "Only leaders and duty operators assign tasks",
        ),
        move || {
            let query = query.clone();
            async move { crate::api::tasks::load_new(locale, &query).await }
        },
        move |data| view! { <NewTask data locale /> },
    )
}

#[component]
fn NewTask(data: NewTaskData, locale: Locale) -> impl IntoView {
    let l = locale;
    let leads = data
        .agencies
        .iter()
        .map(|(code, name)| view! { <option value=code.clone() selected=*code == data.lead>{name.clone()}</option> })
        .collect_view();
    let coordinating = data
        .agencies
        .iter()
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .collect_view();
    let raised = data.raised.clone().map(|(r, line)| {
        view! {
            <section class="raised-from">
                <h2>{l.pick("Giao từ số liệu", "Raised from the figure")}</h2>
                <p><strong>{line.indicator}</strong>" · "{line.area}": "<span class="value">{line.value}</span></p>
                <p class="as-of">{l.pick("Số liệu đến ", "Data as of ")}{line.as_of}</p>
                <input type="hidden" name="indicator" value=r.indicator.clone() />
                <input type="hidden" name="area" value=r.area.clone() />
                <input type="hidden" name="project" value=r.project.clone().unwrap_or_default() />
                <input type="hidden" name="value" value=r.value.to_string() />
                <input type="hidden" name="unit" value=r.unit.clone() />
                <input type="hidden" name="as_of" value=r.as_of.format(&time::format_description::well_known::Rfc3339).unwrap_or_default() />
            </section>
        }
    });
    // a resubmitted form (the back button, a double tap) creates the task once
    let key = format!("task-form-{:016x}", rand::random::<u64>());
    view! {
        <div class="screen tasks">
            {topbar(l.pick("Giao nhiệm vụ", "Assign a task").to_string(), l.pick("Chỉ đạo từ số liệu", "A directive from the figures").to_string(), data.viewer.clone(), locale)}
            <main class="forms">
                <form method="post" action="/tasks" class="stack new-task-form">
                    <input type="hidden" name="key" value=key />
                    {raised}
                    <label>{l.pick("Nhiệm vụ", "Task")}<textarea name="title" rows="2" required>{data.title.clone()}</textarea></label>
                    <label>{l.pick("Cơ quan chủ trì", "Lead agency")}<select name="lead" required>{leads}</select></label>
                    <label>{l.pick("Cơ quan phối hợp", "Coordinating agencies")}<select name="coordinating" multiple size="5">{coordinating}</select></label>
                    <label>{l.pick("Thời hạn (vd. Trước 30/6/2026, Tháng 3/2026, Quý I/2026, Năm 2026, Thường xuyên)", "Deadline (e.g. Trước 30/6/2026, Tháng 3/2026, Quý I/2026, Năm 2026, Thường xuyên)")}<input name="deadline" value=data.deadline.clone() required /></label>
                    <label>{l.pick("Sản phẩm", "Expected output")}<input name="output" /></label>
                    <label>{l.pick("Căn cứ (văn bản chỉ đạo)", "Source (the directive)")}<input name="source" value=data.source.clone() required /></label>
                    <button type="submit">{l.pick("Giao nhiệm vụ", "Assign")}</button>
                </form>
            </main>
        </div>
    }
}
