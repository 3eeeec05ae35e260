//! The leader's brief (`/brief`): one scroll on a phone — what is red, the money headline,
//! what changed since the previous report, overdue tasks, open alerts —, each figure with
//! its *số liệu đến* and source. A dated snapshot, never live: the page says when it was
//! read, in large type. Rendered on the server without a WASM bundle; the small script
//! `/assets/brief.js` registers the service worker (`/brief-sw.js`) that keeps the last
//! brief for when there is no network — shown then with "đang ngoại tuyến" and its time —
//! and reloads the brief when the network returns. Installable from its web app manifest.

use leptos::prelude::*;

use crate::api::brief::{Brief, BriefFigure, RedCommunes};
use crate::model::format::{self, VIETNAM};
use crate::model::tile::Freshness;
use crate::model::Locale;
use crate::pages::{form_screen, use_locale};

#[component]
pub fn BriefPage() -> impl IntoView {
    let locale = use_locale();
    form_screen(
        locale,
        (
            "Tài khoản này không xem được bản tin",
            "This account may not see the brief",
        ),
        move || crate::api::brief::load(locale),
        move |brief| view! { <BriefView brief locale /> },
    )
}

/// "07:45 ngày 02/12/2026" — when the snapshot was read, as the offline line says it.
fn read_at_text(at: time::OffsetDateTime, l: Locale) -> String {
    let t = at.to_offset(VIETNAM);
    format!(
        "{:02}:{:02} {} {}",
        t.hour(),
        t.minute(),
        l.pick("ngày", "on"),
        format::date(t.date(), l)
    )
}

/// A figure's change against the period before, coloured by whether it is good news.
pub(crate) fn trend_line(t: crate::model::tile::Trend) -> impl IntoView {
    let class = match t.good {
        Some(true) => "trend good",
        Some(false) => "trend bad",
        None => "trend",
    };
    view! { <p class=class>{t.text}</p> }
}

fn figure_item(f: BriefFigure, l: Locale) -> impl IntoView {
    let v = f.view;
    let late = (v.freshness == Freshness::Late)
        .then(|| view! { <span class="late-mark">{l.pick("Chậm cập nhật", "Late")}</span> });
    let trend = v.trend.map(trend_line);
    view! {
        <li class="figure" data-indicator=f.indicator data-band=v.band.name()>
            <p class="name">{f.title}</p>
            <p class="value">
                <span class="number">{v.headline.number}</span>" "<span class="unit">{v.headline.unit}</span>
                " "<span class="band-text">{v.band.label(l)}</span>
            </p>
            {v.detail.map(|d| view! { <p class="detail">{d}</p> })}
            {trend}
            <p class="as-of">{v.as_of}" · "{l.pick("Nguồn: ", "Source: ")}{f.source}" "{late}</p>
            {f.explanation.map(|e| view! { <p class="explanation">{e}</p> })}
        </li>
    }
}

/// The figures as a list; `empty` said when there are none (nothing, if it is empty).
fn figures(list: Vec<BriefFigure>, empty: &'static str, l: Locale) -> impl IntoView {
    if list.is_empty() {
        return (!empty.is_empty())
            .then(|| view! { <p class="empty">{empty}</p> })
            .into_any();
    }
    view! {
        <ul class="figures">{list.into_iter().map(|f| figure_item(f, l)).collect_view()}</ul>
    }
    .into_any()
}

fn communes(list: Vec<RedCommunes>, l: Locale) -> impl IntoView {
    list.into_iter()
        .map(|r| {
            let worst = r
                .worst
                .into_iter()
                .map(|(name, value)| view! { <li><span>{name}</span><span class="value">{value}</span></li> })
                .collect_view();
            view! {
                <li class="communes" data-band="critical">
                    <p class="name">{r.title}</p>
                    <p class="detail">{l.pick(
                        format!("{} / {} xã, phường ở mức nguy cấp", r.count, r.of),
                        format!("{} of {} communes and wards critical", r.count, r.of),
                    )}</p>
                    <ul class="worst">{worst}</ul>
                </li>
            }
        })
        .collect_view()
}

#[component]
fn BriefView(brief: Brief, locale: Locale) -> impl IntoView {
    let l = locale;
    let Brief {
        province_name,
        viewer,
        read_at,
        red,
        red_communes,
        changed,
        money,
        late,
        overdue_tasks,
        alerts,
    } = brief;
    let when = read_at_text(read_at, l);
    let red_count = red.len() + red_communes.len();
    let nothing_red = red_count == 0;
    let other_lang = match l {
        Locale::Vi => ("/brief?lang=en", "English"),
        Locale::En => ("/brief?lang=vi", "Tiếng Việt"),
    };
    let tasks = overdue_tasks.map(|(count, list)| {
        let today = format::vietnam_date(read_at);
        let items = list
            .into_iter()
            .map(|t| {
                let late_by = t
                    .due
                    .map(|due| (today - due).whole_days())
                    .unwrap_or_default();
                view! {
                    <li>
                        <a href=format!("/tasks/{}", t.id)>{t.title}</a>
                        <p class="detail">{t.lead}" · "{l.pick(
                            format!("quá hạn {late_by} ngày"),
                            format!("{late_by} days overdue"),
                        )}</p>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="brief-part" aria-labelledby="brief-tasks">
                <h2 id="brief-tasks">{l.pick(format!("Nhiệm vụ quá hạn: {count}"), format!("Overdue tasks: {count}"))}</h2>
                <ul class="links">{items}</ul>
                {(count > 0).then(|| view! { <p><a class="more" href="/tasks?status=overdue">{l.pick("Tất cả nhiệm vụ quá hạn →", "All overdue tasks →")}</a></p> })}
            </section>
        }
    });
    let alerts = alerts.map(|(count, list)| {
        let items = list
            .into_iter()
            .map(|a| {
                let escalated = a
                    .alert
                    .escalated_at
                    .map(|_| view! { <span class="late-mark">{l.pick("Đã chuyển lãnh đạo", "Escalated")}</span> });
                let reason = l.pick(&a.alert.reason.vi, &a.alert.reason.en).to_string();
                view! {
                    <li data-severity=a.alert.severity.code()>
                        <a href="/console">{a.indicator_name}" — "{a.area_name}</a>
                        <p class="detail">{reason}" · "{a.agency_name}" "{escalated}</p>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="brief-part" aria-labelledby="brief-alerts">
                <h2 id="brief-alerts">{l.pick(format!("Cảnh báo chưa đóng: {count}"), format!("Alerts not resolved: {count}"))}</h2>
                <ul class="links">{items}</ul>
            </section>
        }
    });
    view! {
        <div class="screen brief" data-brief="live">
            <header class="brief-head">
                <p class="province">{province_name}</p>
                <h1>{l.pick("Bản tin nhanh", "Brief")}</h1>
                <p class="read-at">{l.pick("Số liệu lúc ", "Figures as of ")}{when.clone()}</p>
                <p class="offline-line" role="status">
                    {l.pick("Số liệu lúc ", "Figures as of ")}{when}{l.pick(" — đang ngoại tuyến", " — offline")}
                </p>
                <nav class="crumbs">
                    <a href="/">{l.pick("Tổng quan →", "Overview →")}</a>
                    <a href=other_lang.0 hreflang=if l == Locale::Vi { "en" } else { "vi" }>{other_lang.1}</a>
                    <span class="viewer">{viewer.name}</span>
                </nav>
            </header>
            <main>
                <section class="brief-part" aria-labelledby="brief-red">
                    <h2 id="brief-red">{l.pick(format!("Đang ở mức nguy cấp: {red_count}"), format!("Critical: {red_count}"))}</h2>
                    {figures(red, if nothing_red { l.pick("Không có chỉ tiêu nào ở mức nguy cấp.", "No indicator is critical.") } else { "" }, l)}
                    {(!red_communes.is_empty()).then(|| view! { <ul class="figures">{communes(red_communes, l)}</ul> })}
                </section>
                <section class="brief-part" aria-labelledby="brief-money">
                    <h2 id="brief-money">{l.pick("Ngân sách và đầu tư công", "Budget and public investment")}</h2>
                    {figures(money, l.pick("Chưa có số liệu.", "No figures yet."), l)}
                    <p><a class="more" href="/money">{l.pick("Chi tiết →", "Details →")}</a></p>
                </section>
                <section class="brief-part" aria-labelledby="brief-changed">
                    <h2 id="brief-changed">{l.pick("Thay đổi so với kỳ trước", "Changed since the previous report")}</h2>
                    {figures(changed, l.pick("Chưa có thay đổi nào để so sánh.", "Nothing to compare yet."), l)}
                </section>
                {tasks}
                {alerts}
                {(!late.is_empty()).then(|| view! {
                    <section class="brief-part" aria-labelledby="brief-late">
                        <h2 id="brief-late">{l.pick("Chậm cập nhật", "Late figures")}</h2>
                        {figures(late, "", l)}
                    </section>
                })}
            </main>
        </div>
    }
}
