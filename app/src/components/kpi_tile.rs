//! A KPI tile: the big number, its unit, progress against the target, the trend, and where
//! the figure comes from and how fresh it is.

use leptos::prelude::*;

use crate::live::LiveStore;
use crate::model::tile::{Freshness, TileSpec, TrendDirection};
use crate::model::Locale;

/// A KPI tile; `directs`: the viewer may assign a task from it when it is red.
#[component]
pub fn KpiTile(
    spec: TileSpec,
    store: LiveStore,
    locale: Locale,
    #[prop(optional)] directs: bool,
) -> impl IntoView {
    let code = spec.indicator.clone();
    let spec = StoredValue::new(spec);
    let view_model = Memo::new(move |_| {
        spec.with_value(|s| {
            let value = store.value(&s.indicator, &s.area)?;
            let live_target = s
                .target_indicator
                .as_ref()
                .and_then(|t| store.value(t, &s.area));
            let target = s.target_for(&value, live_target.as_ref());
            Some(s.view(
                &value,
                target,
                store.now.get(),
                &store.calendar.read_value(),
                store.is_live(),
                locale,
            ))
        })
    });
    let band = move || view_model.get().map(|v| v.band.name()).unwrap_or_default();
    let freshness = move || match view_model.get().map(|v| v.freshness) {
        None => "empty",
        Some(Freshness::Current) => "current",
        Some(Freshness::Late) => "late",
        Some(Freshness::Unconfirmed) => "unconfirmed",
    };
    // the owning agency's word on the figure, while it stands
    let explanation = move || {
        spec.with_value(|s| store.explanation(&s.indicator, &s.area, locale))
            .map(|e| view! { <p class="explanation">{e}</p> })
    };
    let title = spec.with_value(|s| s.title.clone());
    let agency_short = spec.with_value(|s| s.agency_short.clone());
    let agency_name = spec.with_value(|s| s.agency_name.clone());

    view! {
        <article class="tile" data-indicator=code data-freshness=freshness data-band=band>
            <header>
                <h2>{title}</h2>
                <span class="period">{move || view_model.get().map(|v| v.period)}</span>
            </header>
            {move || match view_model.get() {
                None => view! {
                    <p class="empty">{locale.pick("Chưa có số liệu", "No data yet")}</p>
                }.into_any(),
                Some(v) => {
                    let trend = v.trend.map(|t| {
                        let arrow = match t.direction {
                            TrendDirection::Up => "▲",
                            TrendDirection::Down => "▼",
                            TrendDirection::Flat => "■",
                        };
                        let class = match t.good {
                            Some(true) => "trend good",
                            Some(false) => "trend bad",
                            None => "trend",
                        };
                        view! { <p class=class><span aria-hidden="true">{arrow}</span>" "{t.text}</p> }
                    });
                    let progress = v.progress.map(|p| {
                        view! { <meter min="0" max="100" value=p.to_string()></meter> }
                    });
                    // beyond a level, said in words too: colour is never the only signal
                    let band = matches!(v.band, crate::model::map::Band::Critical | crate::model::map::Band::Warning)
                        .then(|| view! { <span class="band-badge">{v.band.label(locale)}</span> });
                    view! {
                        <p class="headline">
                            <span class="number">{v.headline.number}</span>
                            " "
                            <span class="unit">{v.headline.unit}</span>
                            {band}
                        </p>
                        {progress}
                        <p class="detail">{v.detail}</p>
                        {trend}
                        <p class="as-of">{v.as_of}</p>
                    }.into_any()
                }
            }}
            {explanation}
            <footer>
                {move || {
                    // from red to task: the form comes filled in with this figure
                    let href = view_model
                        .get()
                        .filter(|v| directs && v.band.name() == "critical")
                        .and_then(|_| spec.with_value(|s| store.value(&s.indicator, &s.area)))
                        .and_then(|value| {
                            crate::model::task::directive_link(
                                &value.indicator,
                                &value.area,
                                value.project.as_deref(),
                                value.value,
                                value.as_of,
                                locale,
                            )
                        });
                    super::direct_link(href, locale)
                }}
                <span class="source" title=agency_name>
                    {locale.pick("Nguồn: ", "Source: ")}{agency_short}
                </span>
                {move || {
                    let l = locale;
                    let text = match view_model.get().map(|v| v.freshness) {
                        Some(Freshness::Late) => l.pick("Chậm cập nhật", "Late"),
                        Some(Freshness::Unconfirmed) => l.pick("Mất kết nối", "Disconnected"),
                        _ => return None,
                    };
                    Some(view! { <span class="badge">{text}</span> })
                }}
            </footer>
        </article>
    }
    .into_any()
}
