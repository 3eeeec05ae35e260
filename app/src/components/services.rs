//! The services view's pieces: the 90-day trend (an SVG whose running day follows the live
//! counts, with its figures as a table), the 766 ranking with its groups as bars, and the
//! desks' table. Numbers in Vietnamese formats; every figure with its "số liệu đến".

use leptos::prelude::*;
use rust_decimal::Decimal;

use super::{direct_link, server_drawn};
use crate::model::format;
use crate::model::services::{Counts, Desk, Group, IndexView, TrendDay};
use crate::model::Locale;

const W: f64 = 960.0;
const H: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 76.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// `1.234` — a count.
pub fn count(n: u64, locale: Locale) -> String {
    format::number(Decimal::from(n), 0, locale)
}

/// `97,5%` or an em dash.
pub fn rate(v: Option<Decimal>, locale: Locale) -> String {
    v.map(|v| format!("{}%", format::number(v, 1, locale)))
        .unwrap_or_else(|| "—".into())
}

/// The 90 days: dossiers received (bars), resolved and overdue (lines) on the left scale,
/// the on-time rate (dashed) on the right scale from 50 to 100 %. The last day is today,
/// its counts live.
#[component]
pub fn TrendChart(
    trend: Vec<TrendDay>,
    /// Today's province counts, live.
    today: Signal<Counts>,
    locale: Locale,
) -> impl IntoView {
    let days = StoredValue::new(trend);
    let series = Memo::new(move |_| {
        let mut d = days.get_value();
        if let Some(last) = d.last_mut() {
            let c = today.get();
            *last = TrendDay {
                day: last.day,
                received: c.received,
                resolved: c.resolved,
                overdue: c.overdue,
                on_time_rate: c.on_time_rate(),
            };
        }
        d
    });
    let n = days.with_value(|d| d.len().max(2)) as f64;
    let x = move |i: usize| LEFT + i as f64 * (W - LEFT - RIGHT) / (n - 1.0);
    let top = Memo::new(move |_| {
        let max = series
            .get()
            .iter()
            .map(|d| d.received.max(d.resolved).max(d.overdue))
            .max()
            .unwrap_or(0)
            .max(10);
        // a round scale: 1, 2 or 5 times a power of ten
        let mut step = 1u64;
        loop {
            for m in [1, 2, 5] {
                if step * m * 4 >= max {
                    return step * m * 4;
                }
            }
            step *= 10;
        }
    });
    let y = move |v: u64, top: u64| TOP + (1.0 - v as f64 / top as f64) * (H - TOP - BOTTOM);
    let y_rate = move |r: Decimal| {
        let r = format::to_f64(r);
        TOP + (100.0 - r.clamp(50.0, 100.0)) / 50.0 * (H - TOP - BOTTOM)
    };
    let bar_w = ((W - LEFT - RIGHT) / n * 0.7).max(1.0);
    let line = move |pick: fn(&TrendDay) -> u64| {
        let t = top.get();
        series
            .get()
            .iter()
            .enumerate()
            .map(|(i, d)| {
                format!(
                    "{}{},{}",
                    if i == 0 { "M" } else { " L" },
                    format::svg(x(i)),
                    format::svg(y(pick(d), t))
                )
            })
            .collect::<String>()
    };
    let rate_line = move || {
        let mut path = String::new();
        let mut pen = false;
        for (i, d) in series.get().iter().enumerate() {
            match d.on_time_rate {
                Some(r) => {
                    path.push_str(&format!(
                        "{}{},{} ",
                        if pen { "L" } else { "M" },
                        format::svg(x(i)),
                        format::svg(y_rate(r))
                    ));
                    pen = true;
                }
                None => pen = false,
            }
        }
        path
    };
    let grid = move || {
        let t = top.get();
        (0..=4)
            .map(|k| {
                let v = t * k / 4;
                let at = y(v, t);
                let r = Decimal::new(500 + k as i64 * 125, 1);
                view! {
                    <line class="grid" x1=format::svg(LEFT) x2=format::svg(W - RIGHT) y1=format::svg(at) y2=format::svg(at) />
                    <text class="axis" x=format::svg(LEFT - 8.0) y=format::svg(at + 5.0) text-anchor="end">{count(v, locale)}</text>
                    <text class="axis rate" x=format::svg(W - RIGHT + 8.0) y=format::svg(at + 5.0)>{rate(Some(r), locale)}</text>
                }
            })
            .collect_view()
    };
    let ticks = move || {
        let d = days.get_value();
        d.iter()
            .enumerate()
            // month starts, and the first and last day — a month start close to the last
            // day gives way to it, so their labels do not overlap
            .filter(|(i, day)| {
                let last = d.len() - 1;
                *i == 0 || *i == last || (day.day.day() == 1 && i + 5 < last)
            })
            .map(|(i, day)| {
                view! { <text class="axis" x=format::svg(x(i)) y=format::svg(H - BOTTOM + 20.0) text-anchor="middle">{format!("{}/{}", day.day.day(), u8::from(day.day.month()))}</text> }
            })
            .collect_view()
    };
    let bars = move || {
        let t = top.get();
        series
            .get()
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let top_y = y(d.received, t);
                view! { <rect class="received" x=format::svg(x(i) - bar_w / 2.0) y=format::svg(top_y) width=format::svg(bar_w) height=format::svg((H - BOTTOM - top_y).max(0.0)) /> }
            })
            .collect_view()
    };
    let title = locale.pick(
        "Hồ sơ tiếp nhận, giải quyết, quá hạn theo ngày (90 ngày) và tỷ lệ đúng hạn",
        "Dossiers received, resolved and overdue by day (90 days) and the on-time rate",
    );
    view! {
        <figure class="trend">
            <svg viewBox=format!("0 0 {} {}", format::svg(W), format::svg(H)) role="img" aria-label=title class="trend-chart">
                {grid}
                {ticks}
                {bars}
                <path class="resolved" d=move || line(|d| d.resolved) />
                <path class="overdue" d=move || line(|d| d.overdue) />
                <path class="on-time" d=rate_line />
            </svg>
            {server_drawn(move || view! {
                <figcaption class="legend">
                    <span class="key received">{locale.pick("Tiếp nhận", "Received")}</span>
                    <span class="key resolved">{locale.pick("Đã giải quyết", "Resolved")}</span>
                    <span class="key overdue">{locale.pick("Đang quá hạn", "Overdue")}</span>
                    <span class="key on-time">{locale.pick("Tỷ lệ đúng hạn (thang phải)", "On-time rate (right scale)")}</span>
                </figcaption>
            })}
            <details class="figures">
                {server_drawn(move || view! { <summary>{locale.pick("Số liệu của biểu đồ", "The chart's figures")}</summary> })}
                <table>
                    {server_drawn(move || view! { <thead><tr>
                        <th scope="col">{locale.pick("Ngày", "Day")}</th>
                        <th scope="col" class="num">{locale.pick("Tiếp nhận", "Received")}</th>
                        <th scope="col" class="num">{locale.pick("Đã giải quyết", "Resolved")}</th>
                        <th scope="col" class="num">{locale.pick("Đang quá hạn", "Overdue")}</th>
                        <th scope="col" class="num">{locale.pick("Đúng hạn", "On time")}</th>
                    </tr></thead> })}
                    <tbody>{move || {
                        let l = locale;
                        series.get().into_iter().rev().map(|d| view! {
                            <tr>
                                <th scope="row">{format::date(d.day, l)}</th>
                                <td class="num">{count(d.received, l)}</td>
                                <td class="num">{count(d.resolved, l)}</td>
                                <td class="num">{count(d.overdue, l)}</td>
                                <td class="num">{rate(d.on_time_rate, l)}</td>
                            </tr>
                        }).collect_view()
                    }}</tbody>
                </table>
            </details>
        </figure>
    }
}

/// The 766 ranking: each desk's five groups as bars against their points, its total and
/// its movement since the period before, and the dossiers that cost it points.
///
/// `direct`, for those who may assign tasks: the new-directive link for a desk's dossiers
/// overdue now, if it has any.
#[component]
pub fn IndexRanking(
    /// The ranking, on the server (the browser keeps the server's markup and gets none).
    index: Option<IndexView>,
    locale: Locale,
    direct: Option<Callback<Desk, Option<String>>>,
) -> impl IntoView {
    // what changes live is the links to assign a task: the browser writes them
    #[cfg(feature = "hydrate")]
    if let Some(direct) = direct {
        follow_links(direct, locale);
    }
    server_drawn(move || index.map(|index| ranking_markup(index, locale, direct)))
}

/// Keeps the ranking's links to assign a task current: each desk's, from `direct`.
#[cfg(feature = "hydrate")]
fn follow_links(direct: Callback<Desk, Option<String>>, locale: Locale) {
    use super::dom::*;
    Effect::new(move |_| {
        let Some(table) = find("section.index766 tbody") else {
            return;
        };
        for row in all(&table, "tr[data-desk]") {
            let code = row.get_attribute("data-desk").unwrap_or_default();
            let desk = match row.get_attribute("data-kind").as_deref() {
                Some("commune") => Desk::Commune(code),
                _ => Desk::Department(code),
            };
            let Some(cell) = first(&row, "td.act") else {
                continue;
            };
            let href = direct.run(desk);
            let now = first(&cell, "a").and_then(|a| a.get_attribute("href"));
            if now != href {
                cell.set_inner_html("");
                if let Some(href) = href {
                    cell.append_with_node_1(&direct_link(&href, locale)).ok();
                }
            }
        }
    });
}

/// The 766 ranking as the server draws it.
fn ranking_markup(
    index: IndexView,
    locale: Locale,
    direct: Option<Callback<Desk, Option<String>>>,
) -> impl IntoView {
    let period = index.period;
    let through = index.through;
    let province_total = index.province.total;
    let directs = direct.is_some();
    let rows = index
        .rows
        .into_iter()
        .map(|r| {
            let movement = r.ranked.movement();
            let (arrow, class) = match movement {
                Some(m) if m > 0 => (format!("▲{m}"), "up"),
                Some(m) if m < 0 => (format!("▼{}", -m), "down"),
                Some(_) => ("=".to_string(), "same"),
                None => ("mới".to_string(), "new"),
            };
            let groups = r
                .ranked
                .index
                .groups
                .clone()
                .into_iter()
                .map(|g| {
                    let width = g
                        .score
                        .map(|s| (s * Decimal::ONE_HUNDRED / g.max).round_dp(1).to_string())
                        .unwrap_or_else(|| "0".into());
                    let text = g
                        .score
                        .map(|s| format::number(s, 1, locale))
                        .unwrap_or_else(|| "—".into());
                    view! {
                        <td class="group" data-group=format!("{:?}", g.group).to_lowercase()>
                            // an SVG bar: its width is an attribute, which the page's
                            // style policy allows where an inline style is refused
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img">
                                <title>{format!("{} / {}", g.group.label(locale), g.max)}</title>
                                <rect class="track" width="100" height="10"></rect>
                                <rect class="fill" width=width height="10"></rect>
                            </svg>
                            <span class="points">{text}</span>
                        </td>
                    }
                })
                .collect_view();
            let total = r.ranked.index.total;
            let complete = r.ranked.index.complete;
            let lost = r.ranked.index.lost_to_delays;
            let costly = r.overdue > 0;
            let link = direct.and_then(|d| d.run(r.ranked.desk.clone()));
            view! {
                <tr
                    data-desk=r.ranked.desk.code().to_string()
                    data-kind=if r.ranked.desk.is_commune() { "commune" } else { "department" }
                    class:costly=costly
                >
                    <td class="num rank">{r.ranked.rank}</td>
                    <td class=format!("move {class}")>{if class == "new" { locale.pick("mới", "new").to_string() } else { arrow }}</td>
                    <th scope="row">{r.name.clone()}</th>
                    {groups}
                    <td class="num total">
                        {format::number(total, 1, locale)}
                        {(!complete).then(|| view! { <abbr title=locale.pick("Chưa đủ số liệu cả 5 nhóm", "Not every group has figures")>"*"</abbr> })}
                    </td>
                    <td class="num lost">{format::number(lost, 2, locale)}</td>
                    <td class="num">{count(r.overdue, locale)}</td>
                    <td class="num">{count(r.resolved_late, locale)}</td>
                    {direct.is_some().then(|| view! {
                        <td class="act">{direct_link(link, locale)}</td>
                    })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="index766">
            <h2>{{
                let l = locale;
                l.pick(
                    format!("Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg) — {}, tính đến {}", period.label(l), format::date(through, l)),
                    format!("Service index (Decision 766/QĐ-TTg) — {}, to {}", period.label(l), format::date(through, l)),
                )
            }}</h2>
            <p class="headline">
                <span class="total">{format::number(province_total, 1, locale)}</span>
                <span class="detail">{locale.pick("/ 100 điểm, toàn tỉnh", "/ 100 points, whole province")}</span>
            </p>
            <div class="scroll">
                <table>
                    <thead><tr>
                        <th scope="col" class="num">{locale.pick("Hạng", "Rank")}</th>
                        <th scope="col">{locale.pick("So kỳ trước", "Since last")}</th>
                        <th scope="col">{locale.pick("Nơi tiếp nhận", "Service desk")}</th>
                        {Group::ALL
                            .iter()
                            .map(|&g| view! { <th scope="col" class="group">{format!("{} ({})", g.label(locale), g.points())}</th> })
                            .collect_view()}
                        <th scope="col" class="num">{locale.pick("Tổng", "Total")}</th>
                        <th scope="col" class="num">{locale.pick("Điểm mất do trễ hạn", "Lost to delays")}</th>
                        <th scope="col" class="num">{locale.pick("Đang quá hạn", "Overdue")}</th>
                        <th scope="col" class="num">{locale.pick("Giải quyết trễ hạn", "Resolved late")}</th>
                        {directs.then(|| view! { <th scope="col"><span class="visually-hidden">{locale.pick("Chỉ đạo", "Direct")}</span></th> })}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="help">{locale.pick(
                "Ước tính của tỉnh theo 5 nhóm và thang điểm của Quyết định 766/QĐ-TTg ngày 23/6/2022, tính từ số liệu hồ sơ đã nhận (mỗi nhóm theo tỷ lệ nhóm đó đo); điểm chính thức do Cổng Dịch vụ công quốc gia công bố. * chưa đủ số liệu cả 5 nhóm: tổng chỉ gồm các nhóm có số liệu.",
                "The province's estimate by the five groups and points of Decision 766/QĐ-TTg of 23/6/2022, computed from the dossier figures received (each group by the share it measures); the official points are published by the National Public Service Portal. * not every group has figures: the total is of those that do.",
            )}</p>
        </section>
    }
}
