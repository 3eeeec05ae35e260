//! The overview: the province's headline KPIs, live.
// a bundle without this screen compiles its island as an unused component
#![cfg_attr(
    not(any(feature = "ssr", feature = "screen-overview")),
    allow(dead_code)
)]

use leptos::prelude::*;

use crate::components::commune_map::CommuneMap;
use crate::components::kpi_tile::KpiTile;
use crate::components::server_drawn;
use crate::components::topbar::LiveTopbar;
use crate::live::LiveStore;
use crate::model::{Locale, Overview};

/// The screen: its data is read on the server while the page renders and handed to
/// [`Dashboard`], the island the browser hydrates (with this screen's bundle).
#[cfg(feature = "ssr")]
#[component]
pub fn OverviewPage() -> impl IntoView {
    let locale = crate::pages::use_locale();
    crate::pages::live_screen(
        locale,
        move || crate::api::overview::load_overview(locale),
        move |data| view! { <Dashboard data=crate::pages::ScreenData(data) locale /> },
    )
}

/// The live screen, hydrated in the browser as an island whose props are the screen's data
/// (only the bundle of this screen exports it).
#[cfg_attr(any(feature = "ssr", feature = "screen-overview"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "screen-overview")), component)]
fn Dashboard(data: crate::pages::ScreenData<Overview>, locale: Locale) -> impl IntoView {
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
    let directs = data.viewer.directs;
    view! {
        <div class="screen">
            <LiveTopbar
                title=("Trung tâm điều hành thông minh", "Intelligent Operations Center")
                province=data.province_name.clone()
                viewer=data.viewer.clone()
                store
                locale
            />
            {server_drawn(move || view! {
                <nav class="crumbs">
                    <a href="/money">{locale.pick("Ngân sách và đầu tư công →", "Budget and public investment →")}</a>
                    <a href="/services">{locale.pick("Dịch vụ công →", "Public services →")}</a>
                    {(!data.viewer.is_display).then(|| view! {
                        <a href="/brief">{locale.pick("Bản tin nhanh →", "Brief →")}</a>
                    })}
                    {data.escalated_alerts.filter(|n| *n > 0).map(|n| view! {
                        <a href="/console" class="escalated-alerts" data-escalated=n>
                            {locale.pick(format!("Cảnh báo chuyển lãnh đạo, chưa ai nhận: {n} →"), format!("Alerts escalated to the leaders, unacknowledged: {n} →"))}
                        </a>
                    })}
                    {data.own_quality.clone().map(|line| view! {
                        <a href="/console#data-quality-h" class="own-quality">{line}" →"</a>
                    })}
                    {data.overdue_tasks.map(|n| {
                        let class = if n > 0 { "overdue-tasks" } else { "" };
                        view! {
                            <a href="/tasks?status=overdue" class=class data-overdue=n>
                                {locale.pick(format!("Nhiệm vụ quá hạn: {n} →"), format!("Overdue tasks: {n} →"))}
                            </a>
                        }
                    })}
                </nav>
            })}
            <main class="overview">
                <h2 class="section-title">{locale.pick("Chỉ tiêu chính", "Key indicators")}</h2>
                <section class="tiles">
                    {data.tiles.into_iter().map(|spec| view! { <KpiTile spec store locale directs /> }).collect_view()}
                </section>
                {data.agency.map(|(name, own)| view! {
                    <h2 class="section-title">{locale.pick(format!("Số liệu của {name}"), format!("Figures of {name}"))}</h2>
                    <section class="tiles agency-tiles">
                        {own.into_iter().map(|spec| view! { <KpiTile spec store locale directs /> }).collect_view()}
                    </section>
                })}
                <CommuneMap map=data.map layers=data.map_layers province=data.province_code store locale directs />
            </main>
            <footer class="page-footer">
                {locale.pick(
                    "Số liệu do các sở, ngành gửi qua API tiếp nhận dữ liệu; mỗi ô ghi thời điểm số liệu và cơ quan cung cấp.",
                    "Figures are sent by the agencies through the ingest API; each tile shows when its figure is from and who sent it.",
                )}
            </footer>
        </div>
    }
    .into_any()
}
