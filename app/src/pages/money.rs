//! The money view: budget revenue and spending against the estimate, and public-investment
//! disbursement — the S-curve, rankings of investors and communes, and the drill-down to a
//! project (`?investor=`, `?commune=`, `?project=`, each its own page, so the browser's
//! back button goes back). Rankings and the curve's running month are summed from the
//! projects' live figures in the browser, by the same rules as the server.
// a bundle without this screen compiles its island as an unused component
#![cfg_attr(not(any(feature = "ssr", feature = "screen-money")), allow(dead_code))]

use leptos::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;

use crate::components::commune_map::CommuneMap;
use crate::components::money::{
    as_of_text, below_average_text, billions, percent, Outlook, RankingTable, SCurveChart,
};
use crate::components::server_drawn;
use crate::components::topbar::LiveTopbar;
use crate::live::LiveStore;
use crate::model::money::{self, By, Focus, MoneyScreen, ProjectFigures};
use crate::model::Locale;

/// The screen: its data is read on the server while the page renders and handed to
/// [`MoneyView`], the island the browser hydrates (with this screen's bundle).
#[cfg(feature = "ssr")]
#[component]
pub fn MoneyPage() -> impl IntoView {
    let locale = crate::pages::use_locale();
    crate::pages::live_screen(
        locale,
        move || {
            let query = crate::pages::Location::current().query;
            async move { crate::api::money::load_screen(locale, &query).await }
        },
        move |mut data: MoneyScreen| {
            // what never changes once rendered stays server HTML, outside the island's code
            let downloads = view! {
                <Downloads
                    year=data.year
                    date=data.date
                    area=match &data.focus { Focus::Commune(c) => Some(c.clone()), _ => None }
                    project=match &data.focus { Focus::Project(c) => Some(c.clone()), _ => None }
                    locale
                />
            };
            let project = data.project.take().map(|(project, investor_name, months)| {
                view! { <ProjectPanel project investor_name months locale /> }
            });
            view! {
                <MoneyView data=crate::pages::ScreenData(data) locale>
                    {project}
                    {downloads}
                </MoneyView>
            }
        },
    )
}

fn investor_link(code: &str) -> String {
    format!("/money?investor={code}")
}

fn commune_link(code: &str) -> String {
    format!("/money?commune={code}")
}

fn project_link(code: &str) -> String {
    format!("/money?project={code}")
}

/// The live screen, hydrated in the browser as an island whose props are the screen's data
/// (only the bundle of this screen exports it).
#[cfg_attr(any(feature = "ssr", feature = "screen-money"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "screen-money")), component)]
fn MoneyView(
    data: crate::pages::ScreenData<MoneyScreen>,
    locale: Locale,
    /// The parts that never change after rendering (a project's details, the downloads):
    /// server HTML inside the island, never hydrated.
    children: Children,
) -> impl IntoView {
    let crate::pages::ScreenData(data) = data;
    let store = LiveStore::start(
        &data.epoch,
        data.offset,
        &data.values,
        data.server_time,
        data.calendar.clone(),
        &data.province_code,
    )
    .explained(&data.explanations);
    let (year, date, province) = (data.year, data.date, data.province_code.clone());
    let registry = StoredValue::new(data.registry.clone());
    let rules = StoredValue::new(data.rules.clone());
    let (national, national_period) = (data.national, data.national_period);
    let focus = data.focus.clone();

    // the projects' figures of the plan year, live
    let figures: Memo<HashMap<String, ProjectFigures>> =
        Memo::new(move |_| money::project_figures(store.project_values().iter(), year));
    let province_code = StoredValue::new(province.clone());
    let ranked = move |by: By, keep: Option<(By, String)>| {
        Memo::new(move |_| {
            let figures = figures.get();
            let scoped: HashMap<String, ProjectFigures> = match &keep {
                None => figures,
                Some((scope, code)) => figures
                    .into_iter()
                    .filter(|(p, _)| {
                        registry.with_value(|r| {
                            r.group(p, *scope, "").as_deref() == Some(code.as_str())
                        })
                    })
                    .collect(),
            };
            let totals = province_code.with_value(|prov| {
                registry.with_value(|r| money::totals_by(&scoped, |p| r.group(p, by, prov)))
            });
            rules.with_value(|rules| {
                registry.with_value(|r| {
                    money::rank_rows(rules, totals, |c| r.name(c), year, date, national)
                })
            })
        })
    };
    // the scope of the page: its projects' total now
    let scope: Option<(By, String)> = match &focus {
        Focus::Province => None,
        Focus::Investor(c) => Some((By::Investor, c.clone())),
        Focus::Commune(c) => Some((By::Commune, c.clone())),
        Focus::Project(c) => Some((By::Project, c.clone())),
    };
    let total = ranked(By::Province, scope.clone());
    let live_rate = Signal::derive(move || total.get().first().and_then(|r| r.rate));
    let total_as_of = move || total.get().first().and_then(|r| r.as_of);
    let province_name = data.province_name.clone();
    let (heading, back): (String, Option<(String, &'static str, &'static str)>) = match &focus {
        Focus::Province => (province_name.clone(), None),
        Focus::Investor(c) | Focus::Commune(c) => (
            registry.with_value(|r| r.name(c)),
            Some(("/money".into(), "← Toàn tỉnh", "← Whole province")),
        ),
        Focus::Project(c) => {
            let investor = registry
                .with_value(|r| r.projects.get(c).map(|(i, _)| i.clone()))
                .unwrap_or_default();
            (
                registry.with_value(|r| r.name(c)),
                Some((investor_link(&investor), "← Chủ đầu tư", "← Investor")),
            )
        }
    };
    let curve = data.scurve.clone();
    let body = match focus.clone() {
        Focus::Province => {
            let investors = ranked(By::Investor, None);
            let communes = ranked(By::Commune, None);
            let briefing = move || below_average_text(&investors.get(), national, locale);
            let briefing_box = NodeRef::<leptos::html::Textarea>::new();
            let copied = RwSignal::new(None::<bool>);
            view! {
                <div class="rankings">
                    <RankingTable title=locale.pick("Xếp hạng chủ đầu tư", "Investors ranked").to_string() rows=investors link=investor_link locale kind="investor" />
                    <RankingTable title=locale.pick("Xếp hạng xã, phường", "Communes and wards ranked").to_string() rows=communes link=commune_link locale kind="commune" explained=store />
                </div>
                <details class="briefing-text">
                    {server_drawn(move || view! { <summary>{locale.pick("Danh sách dưới mức bình quân cả nước (văn bản để đưa vào báo cáo)", "Below the national average (text for a briefing)")}</summary> })}
                    <textarea readonly rows="8" aria-label="briefing" node_ref=briefing_box>{briefing}</textarea>
                    <p class="copy">
                        <button type="button" on:click=move |_| copy_text(briefing_box, copied)>
                            {locale.pick("Sao chép", "Copy")}
                        </button>
                        <span role="status">{move || match copied.get() {
                            Some(true) => locale.pick("Đã sao chép.", "Copied."),
                            Some(false) => locale.pick("Đã chọn văn bản: nhấn Ctrl+C để sao chép.", "The text is selected: press Ctrl+C to copy."),
                            None => "",
                        }}</span>
                    </p>
                </details>
                <BudgetPanel rows=data.budget.clone() store province=province.clone() locale />
                {data.map.clone().map(|(map, layers)| view! {
                    <CommuneMap map layers province=province.clone() store locale directs=data.viewer.directs />
                })}
            }
            .into_any()
        }
        Focus::Investor(c) | Focus::Commune(c) => {
            let by = if matches!(focus, Focus::Investor(_)) {
                By::Investor
            } else {
                By::Commune
            };
            let projects = ranked(By::Project, Some((by, c)));
            view! {
                <RankingTable title=locale.pick("Dự án", "Projects").to_string() rows=projects link=project_link locale kind="project" />
            }
            .into_any()
        }
        // the project's details come from the server, as the island's children
        Focus::Project(_) => ().into_any(),
    };
    view! {
        <div class="screen money">
            <LiveTopbar
                title=("Ngân sách và đầu tư công", "Budget and public investment")
                province=province_name.clone()
                viewer=data.viewer.clone()
                store
                locale
            />
            {server_drawn(move || view! {
                <nav class="crumbs">
                    <a href="/">{locale.pick("Tổng quan", "Overview")}</a>
                    {back.map(|(href, vi, en)| view! { <a class="back" href=href>{locale.pick(vi, en)}</a> })}
                </nav>
            })}
            <main class="money-view" data-focus=match focus {
                Focus::Province => "province",
                Focus::Investor(_) => "investor",
                Focus::Commune(_) => "commune",
                Focus::Project(_) => "project",
            }>
                <section class="disbursement" data-live=move || store.is_live().to_string()>
                    {server_drawn(move || view! {
                        <h2>
                            {locale.pick(
                                format!("Giải ngân vốn đầu tư công năm {year} — {heading}"),
                                format!("Public investment disbursed, plan year {year} — {heading}"),
                            )}
                        </h2>
                    })}
                    <p class="headline">
                        <span class="rate" data-rate=move || live_rate.get().map(|r| r.to_string()).unwrap_or_default()>{move || percent(live_rate.get(), locale)}</span>
                        <span class="detail">{move || {
                            let l = locale;
                            total.get().first().map(|t| l.pick(
                                format!("{} / {} tỷ đồng kế hoạch", billions(t.disbursed, l), billions(t.plan_in_force, l)),
                                format!("{} / {} billion đồng planned", billions(t.disbursed, l), billions(t.plan_in_force, l)),
                            ))
                        }}</span>
                        <span class="as-of">{move || as_of_text(total_as_of(), locale)}</span>
                        {server_drawn(move || view! { <span class="source">{locale.pick("Nguồn: Kho bạc Nhà nước (giải ngân), Sở Tài chính (kế hoạch vốn)", "Source: State Treasury (disbursement), Department of Finance (plans)")}</span> })}
                    </p>
                    <SCurveChart curve=curve.clone() live_rate locale />
                    <Outlook curve locale />
                    {server_drawn(move || view! { <p class="national">{{
                        let l = locale;
                        match (national, national_period) {
                            (Some(n), Some(p)) => l.pick(
                                format!("Bình quân cả nước ({}): {}", p.label(l), percent(Some(n), l)),
                                format!("National average ({}): {}", p.label(l), percent(Some(n), l)),
                            ),
                            _ => l.pick("Chưa có tỷ lệ bình quân cả nước.", "No national average yet.").to_string(),
                        }
                    }}</p> })}
                </section>
                {body}
                {children()}
            </main>
        </div>
    }
    .into_any()
}

/// Copies the text of `text_box` to the clipboard (`copied` becomes `Some(true)`); where
/// the browser refuses (a page served over plain HTTP has no clipboard), selects the text
/// for Ctrl+C instead (`Some(false)`).
fn copy_text(text_box: NodeRef<leptos::html::Textarea>, copied: RwSignal<Option<bool>>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(element) = text_box.get_untracked() else {
            return;
        };
        let text = element.value();
        let select = move || {
            element.select();
            copied.set(Some(false));
        };
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return select();
        };
        let promise = clipboard.write_text(&text);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => copied.set(Some(true)),
                Err(_) => select(),
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text_box, copied);
}

#[cfg(feature = "ssr")]
/// The files behind the screen: the morning briefing, the charts and every table as CSV
/// (UTF-8 with BOM, for Excel) and XLSX, for the page's year, date and commune.
#[component]
fn Downloads(
    year: i32,
    date: time::Date,
    area: Option<String>,
    project: Option<String>,
    locale: Locale,
) -> impl IntoView {
    let area = area.map(|a| format!("&area={a}")).unwrap_or_default();
    // (label vi, label en, path without extension, extensions, query)
    let mut files: Vec<(&str, &str, String, &[&str], String)> = project
        .map(|code| {
            (
                "Giải ngân của dự án theo tháng",
                "The project's disbursement by month",
                format!("/api/v1/projects/{code}"),
                &["csv", "xlsx"][..],
                format!("year={year}&date={date}"),
            )
        })
        .into_iter()
        .collect();
    let common: [(&str, &str, &str, &[&str], String); 8] = [
        (
            "Bản tin sáng (1 trang A4)",
            "Morning briefing (one A4 page)",
            "/api/v1/briefing",
            &["pdf", "png"],
            format!("date={date}"),
        ),
        (
            "Biểu đồ giải ngân",
            "Disbursement chart",
            "/api/v1/charts/disbursement-scurve",
            &["png", "svg"],
            format!("year={year}&date={date}{area}"),
        ),
        (
            "Biểu đồ thu ngân sách",
            "Revenue chart",
            "/api/v1/charts/revenue-vs-estimate",
            &["png", "svg"],
            format!("date={date}"),
        ),
        (
            "Giải ngân theo chủ đầu tư",
            "Disbursement by investor",
            "/api/v1/investment/disbursement",
            &["csv", "xlsx"],
            format!("year={year}&date={date}&by=investor"),
        ),
        (
            "Giải ngân theo xã, phường",
            "Disbursement by commune",
            "/api/v1/investment/disbursement",
            &["csv", "xlsx"],
            format!("year={year}&date={date}&by=commune"),
        ),
        (
            "Giải ngân theo dự án",
            "Disbursement by project",
            "/api/v1/investment/disbursement",
            &["csv", "xlsx"],
            format!("year={year}&date={date}&by=project"),
        ),
        (
            "Thu, chi ngân sách",
            "Budget revenue and spending",
            "/api/v1/budget/summary",
            &["csv", "xlsx"],
            format!("date={date}"),
        ),
        (
            "Thu ngân sách theo xã, phường",
            "Revenue by commune",
            "/api/v1/budget/communes",
            &["csv", "xlsx"],
            format!("date={date}"),
        ),
    ];
    files.extend(
        common
            .into_iter()
            .map(|(vi, en, path, extensions, query)| (vi, en, path.to_string(), extensions, query)),
    );
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
                                let path = path.clone();
                                let lang = if locale == Locale::En { "&lang=en" } else { "" };
                                let href = format!("{path}.{ext}?{query}{lang}");
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

/// Revenue and spending against the estimate, with lũy kế, the month and cùng kỳ; the
/// year-to-date figures follow the live stream.
#[component]
fn BudgetPanel(
    rows: Vec<money::BudgetRow>,
    store: LiveStore,
    province: String,
    locale: Locale,
) -> impl IntoView {
    let province = StoredValue::new(province);
    let items = rows
        .into_iter()
        .map(|row| {
            let row = StoredValue::new(row);
            let ytd = Memo::new(move |_| {
                let code = row.with_value(|r| r.indicator.clone());
                let live = province.with_value(|p| store.value(&code, p));
                row.with_value(|r| match live {
                    // a newer figure of the same year
                    Some(v) if r.as_of.is_none_or(|at| v.as_of > at) => (Some(v.value), Some(v.as_of)),
                    _ => (r.ytd, r.as_of),
                })
            });
            let cell = move |f: fn(&money::BudgetRow, Option<Decimal>, Locale) -> String| {
                move || row.with_value(|r| f(r, ytd.get().0, locale))
            };
            view! {
                <tr class:part=row.with_value(|r| r.part) data-indicator=row.with_value(|r| r.indicator.clone())>
                    <th scope="row">{row.with_value(|r| r.name.clone())}</th>
                    <td class="num ytd">{cell(|_, v, l| v.map(|v| billions(v, l)).unwrap_or_else(|| "—".into()))}</td>
                    <td class="num">{cell(|r, _, l| r.month.map(|v| billions(v, l)).unwrap_or_else(|| "—".into()))}</td>
                    <td class="num">{cell(|r, _, l| r.estimate.map(|v| billions(v, l)).unwrap_or_else(|| "—".into()))}</td>
                    <td class="num">{cell(|r, v, l| percent(v.zip(r.estimate).and_then(|(v, e)| money::percent(v, e)), l))}</td>
                    <td class="num">{cell(|r, _, l| r.same_period_last_year.map(|v| billions(v, l)).unwrap_or_else(|| "—".into()))}</td>
                    <td class="num">{cell(|r, v, l| percent(v.zip(r.same_period_last_year).and_then(|(v, e)| money::percent(v, e)), l))}</td>
                    <td class="as-of">{move || as_of_text(ytd.get().1, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="budget">
            {server_drawn(move || view! { <h2>{locale.pick("Thu, chi ngân sách (tỷ đồng)", "Budget revenue and spending (billion đồng)")}</h2> })}
            <table>
                {server_drawn(move || view! { <thead>
                    <tr>
                        <th scope="col">{locale.pick("Khoản mục", "Item")}</th>
                        <th scope="col" class="num">{locale.pick("Lũy kế", "Year to date")}</th>
                        <th scope="col" class="num">{locale.pick("Tháng này", "This month")}</th>
                        <th scope="col" class="num">{locale.pick("Dự toán", "Estimate")}</th>
                        <th scope="col" class="num">{locale.pick("% dự toán", "% of estimate")}</th>
                        <th scope="col" class="num">{locale.pick("Cùng kỳ", "Same period last year")}</th>
                        <th scope="col" class="num">{locale.pick("So cùng kỳ", "vs last year")}</th>
                        <th scope="col">{locale.pick("Số liệu đến", "As of")}</th>
                    </tr>
                </thead> })}
                <tbody>{items}</tbody>
            </table>
            {server_drawn(move || view! { <p class="help">{locale.pick(
                "Dòng thụt vào là một phần của dòng trên (không cộng vào tổng). % dự toán so với dự toán HĐND tỉnh giao của chính năm đó.",
                "Indented rows are parts of the row above (never added to it). % of estimate is against the council's estimate of the same year.",
            )}</p> })}
        </section>
    }
}

#[cfg(feature = "ssr")]
/// A project's registry entry and its monthly disbursement.
#[component]
fn ProjectPanel(
    project: crate::model::Project,
    investor_name: String,
    months: Vec<money::ProjectMonth>,
    locale: Locale,
) -> impl IntoView {
    let p = StoredValue::new(project);
    let rows = months
        .into_iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{crate::model::format::date(m.day, Locale::Vi)}</th>
                    <td class="num">{m.disbursed.map(|v| billions(v, locale)).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="project">
            <dl>
                <dt>{locale.pick("Mã dự án", "Code")}</dt><dd>{p.with_value(|p| p.code.clone())}</dd>
                <dt>{locale.pick("Chủ đầu tư", "Investor")}</dt><dd>{investor_name}</dd>
                <dt>{locale.pick("Nhóm", "Group")}</dt><dd>{p.with_value(|p| p.group.label(locale))}</dd>
                <dt>{locale.pick("Nguồn vốn", "Capital")}</dt><dd>{p.with_value(|p| p.capital_source.label(locale))}</dd>
                <dt>{locale.pick("Thời gian thực hiện", "Years")}</dt><dd>{p.with_value(|p| format!("{}–{}", p.start_year, p.end_year))}</dd>
                {p.with_value(|p| p.demo).then(|| view! { <dt>{locale.pick("Ghi chú", "Note")}</dt><dd>{locale.pick("Dự án minh họa (dữ liệu mẫu)", "Demo project (sample data)")}</dd> })}
            </dl>
            <table class="history">
                <caption>{locale.pick("Lũy kế giải ngân cuối mỗi tháng (tỷ đồng)", "Cumulative disbursement at each month end (billion đồng)")}</caption>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
