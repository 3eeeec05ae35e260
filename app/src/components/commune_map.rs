//! The commune map: a choropleth of one indicator by commune, live, with its legend, how
//! fresh its figures are, where its boundaries come from, and the communes that need
//! attention.
//!
//! The server draws it ([`markup`]): the boundaries, every layer's legend, the project
//! sites, the same data as a table. The browser never redraws it: the island claims the
//! server's markup as it is (an inert element) and one effect ([`follow`]) writes what the
//! live figures change — each commune's band, tooltip and table cells, the layer's title,
//! the communes that need attention. Both read one computation, [`MapShown`], so what the
//! server drew and what the browser writes cannot disagree. (A hydrated map was the largest
//! view of every live screen's WASM bundle.)

// built with neither the server nor the browser (a check of the model alone), nothing draws it
#![cfg_attr(
    not(any(feature = "ssr", feature = "hydrate")),
    allow(dead_code, unused_variables)
)]

use leptos::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::live::LiveStore;
use crate::model::format;
use crate::model::map::{Band, MapData, MapLayer};
use crate::model::{LiveValue, Locale};

#[component]
pub fn CommuneMap(
    map: MapData,
    layers: Vec<MapLayer>,
    province: String,
    store: LiveStore,
    locale: Locale,
    /// The viewer may assign a task from a red commune.
    #[prop(optional)]
    directs: bool,
) -> impl IntoView {
    if layers.is_empty() || map.shapes.is_empty() {
        return ().into_any();
    }
    let layers = StoredValue::new(layers);
    let active = RwSignal::new(0usize);
    let places = StoredValue::new(Places::of(&map));
    let on_projects = move || {
        layers.with_value(|all| {
            all[active.get().min(all.len() - 1)].indicator == crate::model::money::DERIVED_RATE
        })
    };
    // the project sites' rates, on the disbursement layer
    let rates = Memo::new(move |_| {
        if !on_projects() {
            return SiteRates::new();
        }
        let plan_year =
            crate::model::money::plan_year_shown(format::vietnam_date(store.now.get_untracked()));
        crate::model::money::project_figures(store.project_values().iter(), plan_year)
            .into_iter()
            .map(|(code, f)| (code, (f.rate(), f.as_of)))
            .collect()
    });
    // lateness is judged to the minute: the clock's every second redraws nothing
    let minute = Memo::new(move |_| {
        let now = store.now.get();
        now.replace_second(0)
            .and_then(|t| t.replace_nanosecond(0))
            .unwrap_or(now)
    });
    let shown = Memo::new(move |_| {
        let (now, rates) = (minute.get(), rates.get());
        layers.with_value(|all| {
            let i = active.get().min(all.len() - 1);
            let layer = (&all[i], i);
            places.with_value(|p| {
                MapShown::of(layer, p, &province, store, now, &rates, locale, directs)
            })
        })
    });
    #[cfg(feature = "ssr")]
    {
        layers
            .with_value(|all| {
                markup(
                    &map,
                    all,
                    &places.get_value(),
                    &shown.get_untracked(),
                    locale,
                )
            })
            .into_any()
    }
    #[cfg(not(feature = "ssr"))]
    {
        drop(map);
        #[cfg(feature = "hydrate")]
        follow(shown, layers, active, places, locale);
        // the server's markup, claimed as it is
        leptos::tachys::html::InertElement::new("").into_any()
    }
}

/// The communes and project sites of a map, without their shapes, in the order the markup
/// has them.
#[derive(Clone)]
struct Places {
    /// (code, name) of each commune, as the map draws them.
    communes: Vec<(String, String)>,
    /// The communes' positions in the table (by name).
    by_name: Vec<usize>,
    /// (code, name) of each project site.
    sites: Vec<(String, String)>,
}

impl Places {
    fn of(map: &MapData) -> Places {
        let communes: Vec<(String, String)> = map
            .shapes
            .iter()
            .map(|s| (s.area.clone(), s.name.clone()))
            .collect();
        let mut by_name: Vec<usize> = (0..communes.len()).collect();
        by_name.sort_by(|&a, &b| communes[a].1.cmp(&communes[b].1));
        let sites = map
            .points
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect();
        Places {
            communes,
            by_name,
            sites,
        }
    }
}

/// Each project's disbursement rate and the time of its figure.
type SiteRates = std::collections::HashMap<String, (Option<Decimal>, Option<OffsetDateTime>)>;

/// What the map shows for one layer at one moment: everything the live figures change.
#[derive(Clone, PartialEq)]
struct MapShown {
    /// The layer's position in the layer list.
    layer: usize,
    /// The link to the server is up (the map dims when it is not).
    live: bool,
    /// Each commune, in the order of [`Places::communes`].
    communes: Vec<CommuneShown>,
    /// Each project site, on the disbursement layer only (empty on the others).
    sites: Vec<SiteShown>,
    /// The province's own figure (`Toàn tỉnh: …`), if any.
    total: String,
    /// The newest figure's time (`số liệu đến …`).
    as_of: String,
    /// The red communes, worst first: (name, value, link to assign a task, the owning
    /// agency's explanation while it stands); all of them counted, the first eight listed.
    attention: Vec<(String, String, Option<String>, Option<String>)>,
    attention_count: usize,
}

#[derive(Clone, PartialEq)]
struct CommuneShown {
    band: Band,
    late: bool,
    tooltip: String,
    value: String,
    as_of: String,
}

#[derive(Clone, PartialEq)]
struct SiteShown {
    band: Band,
    title: String,
    rate: String,
    as_of: String,
}

/// How many red communes the side panel lists.
const ATTENTION_LISTED: usize = 8;

impl MapShown {
    /// The map of `layer` (at its position in the list) at `now`, from the live store.
    #[allow(clippy::too_many_arguments)]
    fn of(
        (layer, index): (&MapLayer, usize),
        places: &Places,
        province: &str,
        store: LiveStore,
        now: OffsetDateTime,
        rates: &SiteRates,
        locale: Locale,
        directs: bool,
    ) -> MapShown {
        let l = locale;
        let value_of = |area: &str| -> Option<LiveValue> {
            let value = store.value(&layer.indicator, area)?;
            match &layer.share_of {
                None => Some(value),
                Some(share) => share.apply(value, store.value(&share.indicator, area).as_ref()),
            }
        };
        let values: Vec<Option<LiveValue>> = places
            .communes
            .iter()
            .map(|(code, _)| value_of(code))
            .collect();
        let communes = places
            .communes
            .iter()
            .zip(&values)
            .map(|((code, name), v)| {
                // a figure older than its freshness contract is dimmed and says so
                let late = v.as_ref().is_some_and(|v| {
                    store
                        .calendar
                        .with_value(|c| layer.freshness.is_late(v.as_of, now, c))
                });
                let (value, as_of, tooltip) = match v {
                    Some(v) => {
                        let value = format::quantity(v.value, v.unit, l).to_string();
                        let as_of = format::date_time(v.as_of, l);
                        let mut tooltip = format!(
                            "{name}: {value} ({} {as_of}){}",
                            l.pick("số liệu đến", "as of"),
                            if late {
                                l.pick(" — Chậm cập nhật", " — late")
                            } else {
                                ""
                            }
                        );
                        // and the owning agency's word on it, while it stands
                        if let Some(e) = store.explanation(&layer.indicator, code, l) {
                            tooltip.push('\n');
                            tooltip.push_str(&e);
                        }
                        (value, as_of, tooltip)
                    }
                    None => (
                        "—".to_string(),
                        String::new(),
                        format!("{name}: {}", l.pick("chưa có số liệu", "no data")),
                    ),
                };
                CommuneShown {
                    band: layer.band(v.as_ref().map(|v| v.value)),
                    late,
                    tooltip,
                    value,
                    as_of,
                }
            })
            .collect();

        // project sites, on the disbursement layer: each coloured by its own rate
        let sites = if layer.indicator == crate::model::money::DERIVED_RATE {
            places
                .sites
                .iter()
                .map(|(code, name)| {
                    let (rate, as_of) = rates.get(code).cloned().unwrap_or((None, None));
                    let rate_text = crate::components::money::percent(rate, l);
                    let as_of = as_of.map(|at| format::date_time(at, l)).unwrap_or_default();
                    let title = if as_of.is_empty() {
                        format!("{name}: {rate_text}")
                    } else {
                        format!(
                            "{name}: {rate_text} ({} {as_of})",
                            l.pick("số liệu đến", "as of")
                        )
                    };
                    SiteShown {
                        band: layer.band(rate),
                        title,
                        rate: rate_text,
                        as_of,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };

        let total = value_of(province)
            .map(|v| {
                format!(
                    "{} {}",
                    l.pick("Toàn tỉnh:", "Province:"),
                    format::quantity(v.value, v.unit, l)
                )
            })
            .unwrap_or_default();
        let as_of = match values.iter().flatten().map(|v| v.as_of).max() {
            Some(at) => format!(
                "{} {}",
                l.pick("số liệu đến", "data as of"),
                format::date_time(at, l)
            ),
            None => l.pick("chưa có số liệu", "no data yet").to_string(),
        };

        let mut worst: Vec<(&str, Decimal, Option<String>, Option<String>)> = places
            .communes
            .iter()
            .zip(&values)
            .filter_map(|((code, name), v)| {
                let v = v.as_ref()?;
                if layer.band(Some(v.value)) != Band::Critical {
                    return None;
                }
                // a task is raised from the figure as reported (for a share of the estimate,
                // the amount collected)
                let link = directs
                    .then(|| store.value(&layer.indicator, code))
                    .flatten()
                    .and_then(|raw| {
                        crate::model::task::directive_link(
                            &raw.indicator,
                            &raw.area,
                            raw.project.as_deref(),
                            raw.value,
                            raw.as_of,
                            l,
                        )
                    });
                let explained = store.explanation(&layer.indicator, code, l);
                Some((name.as_str(), v.value, link, explained))
            })
            .collect();
        worst.sort_by(|a, b| match layer.direction {
            crate::model::Direction::LowerIsBetter => b.1.cmp(&a.1),
            _ => a.1.cmp(&b.1),
        });
        let attention_count = worst.len();
        let attention = worst
            .into_iter()
            .take(ATTENTION_LISTED)
            .map(|(name, v, link, explained)| {
                (
                    name.to_string(),
                    format::quantity(v, layer.unit, l).to_string(),
                    link,
                    explained,
                )
            })
            .collect();

        MapShown {
            layer: index,
            live: store.is_live(),
            communes,
            sites,
            total,
            as_of,
            attention,
            attention_count,
        }
    }

    fn attention_heading(&self, locale: Locale) -> String {
        let count = self.attention_count;
        locale.pick(
            format!("Cần chú ý ({count})"),
            format!("Needs attention ({count})"),
        )
    }
}

/// The map as the server draws it, showing `shown` (its first layer).
#[cfg(feature = "ssr")]
fn markup(
    map: &MapData,
    layers: &[MapLayer],
    places: &Places,
    shown: &MapShown,
    locale: Locale,
) -> impl IntoView {
    let l = locale;
    let layer = &layers[shown.layer];
    let total = map.shapes.len();
    let approximate = map.shapes.iter().filter(|s| s.approximate).count();
    let schematic = map.shapes.iter().filter(|s| s.schematic).count();
    let on_projects = layer.indicator == crate::model::money::DERIVED_RATE;

    let buttons = layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            view! {
                <button type="button" class="layer" aria-pressed=(i == shown.layer).to_string()>
                    {layer.title.clone()}
                </button>
            }
        })
        .collect_view();
    let paths = map
        .shapes
        .iter()
        .zip(&shown.communes)
        .map(|(shape, c)| {
            let outline = match (shape.schematic, shape.approximate) {
                (true, _) => " schematic",
                (false, true) => " approximate",
                _ => "",
            };
            view! {
                <path
                    d=shape.path.clone()
                    class=commune_class(c, outline)
                    data-outline=outline.trim().to_string()
                    data-area=shape.area.clone()
                    data-band=c.band.name()
                    data-late=c.late.to_string()
                >
                    <title>{c.tooltip.clone()}</title>
                </path>
            }
        })
        .collect_view();
    // every site and its row are drawn; the browser shows them on the disbursement layer
    let site_of = |i: usize| shown.sites.get(i).cloned();
    let sites = map
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = site_of(i);
            let band = s.as_ref().map_or(Band::Missing, |s| s.band);
            view! {
                <circle
                    class=format!("site {}", band.css())
                    cx=p.x
                    cy=p.y
                    r="7"
                    data-project=p.code.clone()
                    data-band=band.name()
                >
                    <title>{s.as_ref().map(|s| s.title.clone()).unwrap_or_else(|| p.name.clone())}</title>
                </circle>
            }
        })
        .collect_view();
    let site_rows = places
        .sites
        .iter()
        .enumerate()
        .map(|(i, (code, name))| {
            let s = site_of(i);
            let band = s.as_ref().map_or(Band::Missing, |s| s.band);
            view! {
                <tr data-project=code.clone() data-band=band.name()>
                    <th scope="row">{name.clone()}</th>
                    <td class="value">{s.as_ref().map(|s| s.rate.clone()).unwrap_or_else(|| "—".into())}</td>
                    <td>{band.label(l)}</td>
                    <td>{s.as_ref().map(|s| s.as_of.clone()).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let legends = layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let items = layer
                .legend(l)
                .into_iter()
                .map(|(band, text)| view! { <li><span class=format!("swatch {}", band.css())></span>{text}</li> })
                .collect_view();
            view! { <ul class="legend" data-layer=layer.indicator.clone() hidden=i != shown.layer>{items}</ul> }
        })
        .collect_view();
    let table_rows = places
        .by_name
        .iter()
        .map(|&i| {
            let (code, name) = &places.communes[i];
            let c = &shown.communes[i];
            view! {
                <tr data-area=code.clone() data-band=c.band.name()>
                    <th scope="row">{name.clone()}</th>
                    <td class="value">{c.value.clone()}</td>
                    <td>{c.band.label(l)}</td>
                    <td>{c.as_of.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let boundaries = {
        let mut notes = vec![l
            .pick(
                "Ranh giới xã, phường sau sắp xếp ngày 01/7/2025, dựng lại từ ranh giới xã, phường, thị trấn trước sắp xếp.",
                "Commune and ward boundaries after the reorganisation of 1 July 2025, rebuilt from the boundaries of the units before it.",
            )
            .to_string()];
        if approximate > 0 {
            notes.push(l.pick(
                format!("{approximate}/{total} xã, phường có ranh giới gần đúng (viền nét đứt)."),
                format!("{approximate} of {total} boundaries are approximate (dashed outline)."),
            ));
        }
        if schematic > 0 {
            notes.push(l.pick(
                format!("{schematic}/{total} xã, phường là ô lục giác minh họa, KHÔNG phải ranh giới thực."),
                format!("{schematic} of {total} units are schematic hexagons, NOT real boundaries."),
            ));
        }
        notes.join(" ")
    };
    let attention = shown
        .attention
        .iter()
        .map(|(name, value, link, explained)| {
            view! {
                <li>
                    <span>{name.clone()}</span>
                    <span class="value">{value.clone()}</span>
                    {super::direct_link(link.clone(), l)}
                    {explained.clone().map(|t| view! { <small class="explanation">{t}</small> })}
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="map-panel" data-commune-map="" aria-label=l.pick("Bản đồ xã, phường", "Commune map")>
            <header>
                <h2>{layer.title.clone()}</h2>
                <div class="layers" role="group">{buttons}</div>
            </header>
            <div class="map-body">
                <svg
                    class="commune-map"
                    viewBox=format!("0 0 {} {}", map.width, map.height)
                    role="img"
                    aria-label=map_label(&layer.title, l)
                    data-layer=layer.indicator.clone()
                    data-schematic=(schematic > 0).to_string()
                    data-live=shown.live.to_string()
                >
                    {paths}
                    <g class="sites" display=(!on_projects).then_some("none")>{sites}</g>
                </svg>
                <aside class="map-side">
                    <p class="map-total">{shown.total.clone()}</p>
                    {legends}
                    <h3>{shown.attention_heading(l)}</h3>
                    <ul class="attention">{attention}</ul>
                </aside>
            </div>
            <footer>
                <span class="as-of">{shown.as_of.clone()}</span>
                " · "
                <span class="source" title=layer.agency_name.clone()>
                    {l.pick("Nguồn: ", "Source: ")}<span class="agency">{layer.agency_short.clone()}</span>
                </span>
                <p class="boundaries">{boundaries}</p>
            </footer>
            <details class="map-table">
                <summary>{l.pick(
                    format!("Bảng số liệu của bản đồ ({total} xã, phường)"),
                    format!("The map as a table ({total} communes and wards)"),
                )}</summary>
                <table class="communes">
                    <caption>{layer.title.clone()}</caption>
                    <thead><tr>
                        <th scope="col">{l.pick("Xã, phường", "Commune or ward")}</th>
                        <th scope="col">{l.pick("Giá trị", "Value")}</th>
                        <th scope="col">{l.pick("Đánh giá", "Band")}</th>
                        <th scope="col">{l.pick("Số liệu đến", "As of")}</th>
                    </tr></thead>
                    <tbody>{table_rows}</tbody>
                </table>
                <table class="sites" hidden=!on_projects>
                    <caption>{l.pick(
                        format!("Dự án có vị trí trên bản đồ ({})", places.sites.len()),
                        format!("Projects with a site on the map ({})", places.sites.len()),
                    )}</caption>
                    <thead><tr>
                        <th scope="col">{l.pick("Dự án", "Project")}</th>
                        <th scope="col">{l.pick("Tỷ lệ giải ngân", "Disbursed")}</th>
                        <th scope="col">{l.pick("Đánh giá", "Band")}</th>
                        <th scope="col">{l.pick("Số liệu đến", "As of")}</th>
                    </tr></thead>
                    <tbody>{site_rows}</tbody>
                </table>
            </details>
        </section>
    }
}

/// What the map says to a screen reader: its layer, and where its figures are as text.
fn map_label(title: &str, l: Locale) -> String {
    l.pick(
        format!("Bản đồ xã, phường: {title}. Số liệu từng xã, phường ở bảng bên dưới."),
        format!("Map of communes and wards: {title}. Each one's figure is in the table below."),
    )
}

/// A commune's `class`: its band, its outline (`schematic`, `approximate`) and `late`.
fn commune_class(c: &CommuneShown, outline: &str) -> String {
    format!(
        "commune {}{outline}{}",
        c.band.css(),
        if c.late { " late" } else { "" }
    )
}

/// Keeps the server's markup of the map current in the browser: the layer buttons switch
/// `active`, and one effect writes what [`MapShown`] says into the markup whenever it
/// changes (only what differs is written).
#[cfg(feature = "hydrate")]
fn follow(
    shown: Memo<MapShown>,
    layers: StoredValue<Vec<MapLayer>>,
    active: RwSignal<usize>,
    places: StoredValue<Places>,
    locale: Locale,
) {
    use super::dom::*;
    // effects run once the island is hydrated: the markup is in the document by then
    Effect::new(move |_| {
        let Some(root) = find("[data-commune-map]") else {
            return;
        };
        for (i, button) in all(&root, ".layers .layer").into_iter().enumerate() {
            on_click(&button, move || active.set(i));
        }
    });
    Effect::new(move |_| {
        let shown = shown.get();
        let Some(root) = find("[data-commune-map]") else {
            return;
        };
        let l = locale;
        layers.with_value(|layers| {
            let layer = &layers[shown.layer];
            for (i, button) in all(&root, ".layers .layer").iter().enumerate() {
                set_attr(
                    button,
                    "aria-pressed",
                    if i == shown.layer { "true" } else { "false" },
                );
            }
            for el in all(&root, "header h2, table.communes caption") {
                set_text(&el, &layer.title);
            }
            for el in all(&root, ".source") {
                set_attr(&el, "title", &layer.agency_name);
            }
            for el in all(&root, ".source .agency") {
                set_text(&el, &layer.agency_short);
            }
            for legend in all(&root, "ul.legend") {
                let hidden =
                    legend.get_attribute("data-layer").as_deref() != Some(&layer.indicator);
                set_hidden(&legend, hidden);
            }
            if let Some(svg) = first(&root, "svg.commune-map") {
                set_attr(&svg, "data-layer", &layer.indicator);
                set_attr(&svg, "aria-label", &map_label(&layer.title, l));
                set_attr(&svg, "data-live", if shown.live { "true" } else { "false" });
            }
        });
        for (path, c) in all(&root, "svg path[data-area]")
            .iter()
            .zip(&shown.communes)
        {
            let outline = path.get_attribute("data-outline").unwrap_or_default();
            let outline = if outline.is_empty() {
                String::new()
            } else {
                format!(" {outline}")
            };
            set_attr(path, "class", &commune_class(c, &outline));
            set_attr(path, "data-band", c.band.name());
            set_attr(path, "data-late", if c.late { "true" } else { "false" });
            if let Some(title) = first(path, "title") {
                set_text(&title, &c.tooltip);
            }
        }
        let rows = all(&root, "table.communes tbody tr");
        places.with_value(|p| {
            for (row, &i) in rows.iter().zip(&p.by_name) {
                let c = &shown.communes[i];
                set_attr(row, "data-band", c.band.name());
                set_cells(row, &[&c.value, c.band.label(l), &c.as_of]);
            }
        });
        let on_projects = !shown.sites.is_empty();
        if let Some(g) = first(&root, "g.sites") {
            if on_projects {
                let _ = g.remove_attribute("display");
            } else {
                set_attr(&g, "display", "none");
            }
        }
        if let Some(table) = first(&root, "table.sites") {
            set_hidden(&table, !on_projects);
        }
        for (circle, s) in all(&root, "circle.site").iter().zip(&shown.sites) {
            set_attr(circle, "class", &format!("site {}", s.band.css()));
            set_attr(circle, "data-band", s.band.name());
            if let Some(title) = first(circle, "title") {
                set_text(&title, &s.title);
            }
        }
        for (row, s) in all(&root, "table.sites tbody tr").iter().zip(&shown.sites) {
            set_attr(row, "data-band", s.band.name());
            set_cells(row, &[&s.rate, s.band.label(l), &s.as_of]);
        }
        if let Some(el) = first(&root, ".map-total") {
            set_text(&el, &shown.total);
        }
        if let Some(el) = first(&root, "footer .as-of") {
            set_text(&el, &shown.as_of);
        }
        if let Some(el) = first(&root, ".map-side h3") {
            set_text(&el, &shown.attention_heading(l));
        }
        if let Some(list) = first(&root, "ul.attention") {
            list.set_inner_html("");
            for (name, value, link, explained) in &shown.attention {
                let item = element("li");
                item.append_with_node_1(&text_element("span", name, None))
                    .ok();
                item.append_with_node_1(&text_element("span", value, Some("value")))
                    .ok();
                if let Some(href) = link {
                    item.append_with_node_1(&direct_link(href, l)).ok();
                }
                if let Some(note) = explained {
                    item.append_with_node_1(&text_element("small", note, Some("explanation")))
                        .ok();
                }
                list.append_with_node_1(&item).ok();
            }
        }
    });
}
