//! The public-services view: today's dossiers of the province live (every service desk's
//! counts as they arrive), each department's and commune's day and year to date with its
//! rates, the 90-day trend, the 766 index ranked against last month, and the commune map
//! of overdue dossiers and on-time rates. A desk in the red links to a directive for it.
// a bundle without this screen compiles its island as an unused component
#![cfg_attr(
    not(any(feature = "ssr", feature = "screen-services")),
    allow(dead_code)
)]

use leptos::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::components::commune_map::CommuneMap;
use crate::components::money::as_of_text;
use crate::components::services::{count, rate, IndexRanking, TrendChart};
use crate::components::topbar::LiveTopbar;
use crate::components::{direct_link, server_drawn};
use crate::live::LiveStore;
use crate::model::format;
use crate::model::services::{self, Counts, Desk, DeskLine, ServicesScreen};
use crate::model::Locale;

/// The screen: its data is read on the server while the page renders and handed to
/// [`ServicesView`], the island the browser hydrates (with this screen's bundle).
#[cfg(feature = "ssr")]
#[component]
pub fn ServicesPage() -> impl IntoView {
    let locale = crate::pages::use_locale();
    crate::pages::live_screen(
        locale,
        move || crate::api::services::load_screen(locale),
        move |data| {
            // the downloads never change once rendered: server HTML, outside the island's code
            let today = data.today;
            view! {
                <ServicesView data=crate::pages::ScreenData(data) locale>
                    <Downloads date=today locale />
                </ServicesView>
            }
        },
    )
}

/// On-time rates below these are amber and red (the catalogue's thresholds for the
/// province's on-time rate), overdue counts above these.
const ON_TIME_WARNING: i64 = 95;
const ON_TIME_CRITICAL: i64 = 90;
const OVERDUE_WARNING: u64 = 5;
const OVERDUE_CRITICAL: u64 = 20;

fn on_time_band(r: Option<Decimal>) -> &'static str {
    match r {
        Some(r) if r < Decimal::from(ON_TIME_CRITICAL) => "critical",
        Some(r) if r < Decimal::from(ON_TIME_WARNING) => "warning",
        Some(_) => "ok",
        None => "none",
    }
}

fn overdue_band(n: u64) -> &'static str {
    match n {
        n if n >= OVERDUE_CRITICAL => "critical",
        n if n >= OVERDUE_WARNING => "warning",
        _ => "ok",
    }
}

/// The new-directive form for a desk's dossiers overdue now, from its live count of today
/// and that count's time: a department's desk makes the department the lead.
fn overdue_directive(
    desk: &Desk,
    province: &str,
    today: Option<(Counts, time::OffsetDateTime)>,
    locale: Locale,
) -> Option<String> {
    let (counts, at) = today?;
    let (area, project) = match desk {
        Desk::Department(code) => (province, Some(code.as_str())),
        Desk::Commune(code) => (code.as_str(), None),
    };
    crate::model::task::directive_link(
        services::OVERDUE,
        area,
        project,
        Decimal::from(counts.overdue),
        at,
        locale,
    )
}

/// The live screen, hydrated in the browser as an island whose props are the screen's data
/// (only the bundle of this screen exports it).
#[cfg_attr(any(feature = "ssr", feature = "screen-services"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "screen-services")), component)]
fn ServicesView(
    data: crate::pages::ScreenData<ServicesScreen>,
    locale: Locale,
    /// The parts that never change after rendering (the downloads): server HTML inside the
    /// island, never hydrated.
    children: Children,
) -> impl IntoView {
    let crate::pages::ScreenData(mut data) = data;
    let store = LiveStore::start(
        &data.epoch,
        data.offset,
        &data.values,
        data.server_time,
        data.calendar.clone(),
        &data.province_code,
    )
    .explained(&data.explanations);
    let today = data.today;
    // every desk's counts of today, live (a new day starts from nothing)
    let live_today = Memo::new(move |_| {
        let day = format::vietnam_date(store.now.get());
        services::today_counts(store.values_of(&services::DAILY).iter(), day)
    });
    let province_today = Signal::derive(move || {
        live_today
            .get()
            .values()
            .fold(Counts::default(), |a, (c, _)| a.plus(*c))
    });
    let newest = move || live_today.get().values().map(|(_, at)| *at).max();
    let before_total = data
        .desks
        .iter()
        .fold(Counts::default(), |a, d| a.plus(d.before_today));
    let year_total = move || before_total.then(province_today.get());
    let directs = data.viewer.directs;
    // a ranked desk with dossiers overdue now: a directive about them, for those who direct
    let ranking_directive = directs.then(|| {
        let province = data.province_code.clone();
        Callback::new(move |desk: Desk| {
            let today = live_today.with(|m| m.get(&desk).copied());
            overdue_directive(
                &desk,
                &province,
                today.filter(|(c, _)| c.overdue > 0),
                locale,
            )
        })
    });
    let (agencies, communes): (Vec<DeskLine>, Vec<DeskLine>) = data
        .desks
        .iter()
        .cloned()
        .partition(|d| !d.desk.is_commune());
    let province = data.province_code.clone();
    let from = data.from;
    let counter = move |label: (&'static str, &'static str),
                        value: Box<dyn Fn(Locale) -> String + Send + Sync>,
                        band: Box<dyn Fn() -> &'static str + Send + Sync>,
                        key: &'static str| {
        view! {
            <div class=move || format!("counter {}", band()) data-counter=key>
                <span class="label">{locale.pick(label.0, label.1)}</span>
                <span class="value">{move || value(locale)}</span>
            </div>
        }
    };
    view! {
        <div class="screen services">
            <LiveTopbar
                title=("Dịch vụ công, thủ tục hành chính", "Public services")
                province=data.province_name.clone()
                viewer=data.viewer.clone()
                store
                locale
            />
            {server_drawn(move || view! {
                <nav class="crumbs">
                    <a href="/">{locale.pick("Tổng quan", "Overview")}</a>
                </nav>
            })}
            <main class="services-view">
                <section class="today" data-live=move || store.is_live().to_string()>
                    {server_drawn(move || view! { <h2>{locale.pick(
                        format!("Hôm nay, {}", format::date(today, Locale::Vi)),
                        format!("Today, {}", format::date(today, Locale::En)),
                    )}</h2> })}
                    <div class="counters">
                        {counter(("Hồ sơ tiếp nhận", "Dossiers received"), Box::new(move |l| count(province_today.get().received, l)), Box::new(|| "neutral"), "received")}
                        {counter(("Nộp trực tuyến", "Filed online"), Box::new(move |l| rate(province_today.get().online_rate(), l)), Box::new(|| "neutral"), "online")}
                        {counter(("Đã giải quyết", "Resolved"), Box::new(move |l| count(province_today.get().resolved, l)), Box::new(|| "neutral"), "resolved")}
                        {counter(("Đúng hạn", "On time"), Box::new(move |l| rate(province_today.get().on_time_rate(), l)), Box::new(move || on_time_band(province_today.get().on_time_rate())), "on_time")}
                        {counter(("Đang quá hạn", "Overdue now"), Box::new(move |l| count(province_today.get().overdue, l)), Box::new(move || if province_today.get().overdue >= 200 { "critical" } else if province_today.get().overdue >= 60 { "warning" } else { "ok" }), "overdue")}
                        {counter(("Lũy kế năm", "Year to date"), Box::new(move |l| count(year_total().received, l)), Box::new(|| "neutral"), "year")}
                    </div>
                    <p class="as-of">
                        {move || as_of_text(newest(), locale)}
                        " · "
                        {locale.pick(
                            "Nguồn: Hệ thống thông tin giải quyết thủ tục hành chính tỉnh (Văn phòng UBND tỉnh), theo từng nơi tiếp nhận",
                            "Source: the province's administrative-procedure system (PPC Office), per service desk",
                        )}
                        {move || from.filter(|f| f.ordinal() > 1).map(|f| locale.pick(
                            format!(" · Lũy kế tính từ {} (ngày đầu có số liệu)", format::date(f, Locale::Vi)),
                            format!(" · Year to date from {} (the first day with figures)", format::date(f, Locale::En)),
                        ))}
                    </p>
                </section>
                <TrendChart trend=data.trend.clone() today=province_today locale />
                <DeskTable title=("Sở, ban, ngành", "Departments") lines=agencies live_today province=province.clone() directs locale kind="agency" />
                <IndexRanking index=data.index.take() locale direct=ranking_directive />
                {data.map.clone().map(|(map, layers)| view! {
                    <CommuneMap map layers province=province.clone() store locale directs />
                })}
                <DeskTable title=("Xã, phường", "Communes and wards") lines=communes live_today province=province.clone() directs locale kind="commune" />
                {children()}
            </main>
        </div>
    }
    .into_any()
}

/// Each desk's day (live) and year to date (the stored days before today, plus today).
#[component]
fn DeskTable(
    title: (&'static str, &'static str),
    lines: Vec<DeskLine>,
    live_today: Memo<BTreeMap<Desk, (Counts, time::OffsetDateTime)>>,
    province: String,
    directs: bool,
    locale: Locale,
    kind: &'static str,
) -> impl IntoView {
    let province = StoredValue::new(province);
    let rows = lines
        .into_iter()
        .map(|line| {
            let desk = line.desk.clone();
            let stored_as_of = line.as_of;
            let today = {
                let desk = desk.clone();
                Memo::new(move |_| live_today.with(|m| m.get(&desk).copied()))
            };
            let day = move || today.get().map(|(c, _)| c).unwrap_or_default();
            let year = move || line.before_today.then(day());
            let as_of = move || {
                today
                    .get()
                    .map(|(_, at)| at)
                    .or(stored_as_of)
            };
            let overdue_class = move || format!("num {}", overdue_band(day().overdue));
            let on_time_class = move || format!("num {}", on_time_band(year().on_time_rate()));
            let red = move || overdue_band(day().overdue) == "critical" || on_time_band(year().on_time_rate()) == "critical";
            let link = {
                let desk = desk.clone();
                move || {
                    if !directs || !red() {
                        return None;
                    }
                    province.with_value(|p| overdue_directive(&desk, p, today.get(), locale))
                }
            };
            view! {
                <tr data-desk=desk.code().to_string() class:red=red>
                    <th scope="row">{line.name.clone()}</th>
                    <td class="num received">{move || count(day().received, locale)}</td>
                    <td class="num">{move || count(day().resolved, locale)}</td>
                    <td class=overdue_class data-overdue=move || day().overdue.to_string()>{move || count(day().overdue, locale)}</td>
                    <td class="num">{move || count(year().received, locale)}</td>
                    <td class="num">{move || rate(year().online_rate(), locale)}</td>
                    <td class=on_time_class>{move || rate(year().on_time_rate(), locale)}</td>
                    <td class="num">{move || rate(year().satisfaction_rate(), locale)}</td>
                    <td class="as-of">{move || as_of_text(as_of(), locale)}</td>
                    <td class="act">{move || direct_link(link(), locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="desks" data-kind=kind>
            {server_drawn(move || view! { <h2>{locale.pick(title.0, title.1)}</h2> })}
            <div class="scroll">
                <table>
                    {server_drawn(move || view! { <thead><tr>
                        <th scope="col">{locale.pick("Nơi tiếp nhận", "Service desk")}</th>
                        <th scope="col" class="num">{locale.pick("Tiếp nhận hôm nay", "Received today")}</th>
                        <th scope="col" class="num">{locale.pick("Giải quyết hôm nay", "Resolved today")}</th>
                        <th scope="col" class="num">{locale.pick("Đang quá hạn", "Overdue now")}</th>
                        <th scope="col" class="num">{locale.pick("Tiếp nhận lũy kế", "Received this year")}</th>
                        <th scope="col" class="num">{locale.pick("Trực tuyến", "Online")}</th>
                        <th scope="col" class="num">{locale.pick("Đúng hạn", "On time")}</th>
                        <th scope="col" class="num">{locale.pick("Hài lòng", "Satisfied")}</th>
                        <th scope="col">{locale.pick("Số liệu đến", "As of")}</th>
                        <th scope="col"><span class="visually-hidden">{locale.pick("Chỉ đạo", "Direct")}</span></th>
                    </tr></thead> })}
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(feature = "ssr")]
/// The view's files: the two tables and the ranking as CSV and XLSX, the charts as PNG
/// and SVG.
#[component]
fn Downloads(date: time::Date, locale: Locale) -> impl IntoView {
    let files: [(&str, &str, &str, &[&str], String); 5] = [
        (
            "Hồ sơ theo sở, ngành",
            "Dossiers by department",
            "/api/v1/services/summary",
            &["csv", "xlsx"],
            format!("date={date}&by=agency"),
        ),
        (
            "Hồ sơ theo xã, phường",
            "Dossiers by commune",
            "/api/v1/services/summary",
            &["csv", "xlsx"],
            format!("date={date}&by=commune"),
        ),
        (
            "Chỉ số 766 tháng này",
            "This month's 766 index",
            "/api/v1/services/index766",
            &["csv", "xlsx"],
            String::new(),
        ),
        (
            "Biểu đồ hồ sơ 90 ngày",
            "90-day dossier chart",
            "/api/v1/charts/services-trend",
            &["png", "svg"],
            format!("date={date}"),
        ),
        (
            "Biểu đồ chỉ số 766",
            "766 index chart",
            "/api/v1/charts/index766",
            &["png", "svg"],
            String::new(),
        ),
    ];
    view! {
        <nav class="downloads" aria-label=locale.pick("Tải về", "Downloads")>
            <h2>{locale.pick("Tải về", "Downloads")}</h2>
            <ul>
                {files
                    .into_iter()
                    .map(|(vi, en, path, extensions, query)| {
                        let links = extensions
                            .iter()
                            .map(|ext| {
                                let query = query.clone();
                                let lang = if locale == Locale::En { "lang=en" } else { "" };
                                let sep = if query.is_empty() || lang.is_empty() { "" } else { "&" };
                                let href = format!("{path}.{ext}?{query}{sep}{lang}");
                                view! { <a href=href rel="external" target="_blank">{ext.to_uppercase()}</a> }
                            })
                            .collect_view();
                        view! { <li><span>{locale.pick(vi, en)}</span>" "{links}</li> }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
