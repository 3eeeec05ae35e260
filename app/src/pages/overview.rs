//! The overview: the province's headline KPIs, live.

use leptos::prelude::*;

use crate::components::commune_map::CommuneMap;
use crate::components::connection_status::{Clock, ConnectionStatus};
use crate::components::kpi_tile::KpiTile;
use crate::components::session_menu::SessionMenu;
use crate::live::LiveStore;
use crate::model::{Locale, Overview, StreamPosition};
use crate::pages::use_locale;

/// The overview's data: read on the server while rendering, then carried to the browser
/// inside the page, so the browser never fetches it (the language switch reloads the
/// page) and carries no code to.
async fn load(locale: Locale) -> Result<Overview, ServerFnError> {
    #[cfg(feature = "ssr")]
    return crate::api::overview::load_overview(locale).await;
    #[cfg(not(feature = "ssr"))]
    {
        let _ = locale;
        std::future::pending().await
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let chosen = use_locale();
    let locale = Memo::new(move |_| chosen);
    let overview = Resource::new(move || locale.get(), load);
    view! {
        <Transition fallback=move || view! { <p class="loading">"Đang tải… / Loading…"</p> }>
            {move || overview.get().map(|result| match result {
                Ok(data) => view! { <Dashboard data locale /> }.into_any(),
                Err(e) => view! {
                    <main class="error">
                        <h1>{move || locale.get().pick("Không tải được số liệu", "Could not load the data")}</h1>
                        <p>{e.to_string()}</p>
                    </main>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Dashboard(data: Overview, locale: Memo<Locale>) -> impl IntoView {
    let position = StreamPosition {
        epoch: data.epoch.clone(),
        offset: data.offset,
    };
    let store = LiveStore::new(
        position,
        &data.values,
        data.server_time,
        &data.province_code,
    );
    Effect::new(move |_| untrack(|| store.connect()));
    let directs = data.viewer.directs;
    let other = move || match locale.get() {
        Locale::Vi => ("?lang=en", "English"),
        Locale::En => ("?lang=vi", "Tiếng Việt"),
    };
    view! {
        <div class="screen">
            <header class="topbar">
                <div class="brand">
                    <span class="emblem" aria-hidden="true">"IOC"</span>
                    <div>
                        <h1>{move || locale.get().pick("Trung tâm điều hành thông minh", "Intelligent Operations Center")}</h1>
                        <p class="province">{data.province_name.clone()}</p>
                    </div>
                </div>
                <div class="status">
                    <ConnectionStatus store locale display=data.viewer.is_display />
                    <Clock store locale />
                    <a class="lang" href=move || other().0 rel="external">{move || other().1}</a>
                    <SessionMenu viewer=data.viewer.clone() locale />
                </div>
            </header>
            <nav class="crumbs">
                <a href="/money">{move || locale.get().pick("Ngân sách và đầu tư công →", "Budget and public investment →")}</a>
                <a href="/services">{move || locale.get().pick("Dịch vụ công →", "Public services →")}</a>
                {data.overdue_tasks.map(|n| {
                    let class = if n > 0 { "overdue-tasks" } else { "" };
                    view! {
                        <a href="/tasks?status=overdue" class=class data-overdue=n>
                            {move || locale.get().pick(format!("Nhiệm vụ quá hạn: {n} →"), format!("Overdue tasks: {n} →"))}
                        </a>
                    }
                })}
            </nav>
            <main class="overview">
                <h2 class="section-title">{move || locale.get().pick("Chỉ tiêu chính", "Key indicators")}</h2>
                <section class="tiles">
                    {data.tiles.into_iter().map(|spec| view! { <KpiTile spec store locale directs /> }).collect_view()}
                </section>
                {data.agency.map(|(name, own)| view! {
                    <h2 class="section-title">{move || locale.get().pick(format!("Số liệu của {name}"), format!("Figures of {name}"))}</h2>
                    <section class="tiles agency-tiles">
                        {own.into_iter().map(|spec| view! { <KpiTile spec store locale directs /> }).collect_view()}
                    </section>
                })}
                <CommuneMap map=data.map layers=data.map_layers province=data.province_code store locale directs />
            </main>
            <footer class="page-footer">
                {move || locale.get().pick(
                    "Số liệu do các sở, ngành gửi qua API tiếp nhận dữ liệu; mỗi ô ghi thời điểm số liệu và cơ quan cung cấp.",
                    "Figures are sent by the agencies through the ingest API; each tile shows when its figure is from and who sent it.",
                )}
            </footer>
        </div>
    }
    .into_any()
}
