//! The commune map: a choropleth of one indicator by commune, live, with its legend, how
//! fresh its figures are, where its boundaries come from, and the communes that need
//! attention.

use leptos::prelude::*;
use rust_decimal::Decimal;

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
    let layer = move || layers.with_value(|l| l[active.get().min(l.len() - 1)].clone());
    let value_of = move |area: &str| -> Option<LiveValue> {
        layers.with_value(|l| {
            let layer = &l[active.get().min(l.len() - 1)];
            let value = store.value(&layer.indicator, area)?;
            match &layer.share_of {
                None => Some(value),
                Some(share) => share.apply(value, store.value(&share.indicator, area).as_ref()),
            }
        })
    };
    let approximate = map.shapes.iter().filter(|s| s.approximate).count();
    let schematic = map.shapes.iter().filter(|s| s.schematic).count();
    let total = map.shapes.len();
    let names: StoredValue<Vec<(String, String)>> = StoredValue::new(
        map.shapes
            .iter()
            .map(|s| (s.area.clone(), s.name.clone()))
            .collect(),
    );
    let province = StoredValue::new(province);

    let buttons = move || {
        layers.with_value(|all| {
            all.iter()
                .enumerate()
                .map(|(i, l)| {
                    let title = l.title.clone();
                    view! {
                        <button
                            type="button"
                            class="layer"
                            aria-pressed=move || (active.get() == i).to_string()
                            on:click=move |_| active.set(i)
                        >
                            {title}
                        </button>
                    }
                })
                .collect_view()
        })
    };

    let paths = map
        .shapes
        .iter()
        .map(|shape| {
            let area = shape.area.clone();
            let name = shape.name.clone();
            let lookup = area.clone();
            let band = Memo::new(move |_| layer().band(value_of(&lookup).map(|v| v.value)));
            let outline = match (shape.schematic, shape.approximate) {
                (true, _) => " schematic",
                (false, true) => " approximate",
                _ => "",
            };
            // a figure older than its freshness contract is dimmed and says so
            let lookup_late = area.clone();
            let late = Memo::new(move |_| {
                let contract = layer().freshness;
                value_of(&lookup_late).is_some_and(|v| contract.is_late(v.as_of, store.now.get()))
            });
            let class = move || {
                format!(
                    "commune {}{outline}{}",
                    band.get().css(),
                    if late.get() { " late" } else { "" }
                )
            };
            let lookup = area.clone();
            let tooltip = move || {
                let l = locale;
                match value_of(&lookup) {
                    Some(v) => format!(
                        "{name}: {} ({} {}){}",
                        format::quantity(v.value, v.unit, l),
                        l.pick("số liệu đến", "as of"),
                        format::date_time(v.as_of, l),
                        if late.get() { l.pick(" — Chậm cập nhật", " — late") } else { "" }
                    ),
                    None => format!("{name}: {}", l.pick("chưa có số liệu", "no data")),
                }
            };
            let band_name = move || band.get().name();
            view! {
                <path d=shape.path.clone() class=class data-area=area data-band=band_name data-late=move || late.get().to_string()>
                    <title>{tooltip}</title>
                </path>
            }
        })
        .collect_view();

    // project sites, on the disbursement layer: each coloured by its own rate
    let on_projects = move || layer().indicator == crate::model::money::DERIVED_RATE;
    let plan_year =
        crate::model::money::plan_year_shown(format::vietnam_date(store.now.get_untracked()));
    let project_rates = Memo::new(move |_| {
        if !on_projects() {
            return std::collections::HashMap::new();
        }
        crate::model::money::project_figures(store.project_values().iter(), plan_year)
            .into_iter()
            .map(|(code, f)| (code, (f.rate(), f.as_of)))
            .collect::<std::collections::HashMap<_, _>>()
    });
    let points = StoredValue::new(map.points.clone());
    let sites = move || {
        if !on_projects() {
            return ().into_any();
        }
        let l = locale;
        let current = layer();
        let rates = project_rates.get();
        points
            .with_value(|ps| {
                ps.iter()
                    .map(|p| {
                        let (rate, as_of) = rates.get(&p.code).cloned().unwrap_or((None, None));
                        let band = current.band(rate);
                        let title = format!(
                            "{}: {}{}",
                            p.name,
                            crate::components::money::percent(rate, l),
                            as_of
                                .map(|at| format!(" ({} {})", l.pick("số liệu đến", "as of"), format::date_time(at, l)))
                                .unwrap_or_default()
                        );
                        view! {
                            <circle class=format!("site {}", band.css()) cx=p.x cy=p.y r="7" data-project=p.code.clone() data-band=band.name()>
                                <title>{title}</title>
                            </circle>
                        }
                    })
                    .collect_view()
            })
            .into_any()
    };
    let site_rows = move || {
        if !on_projects() {
            return ().into_any();
        }
        let l = locale;
        let current = layer();
        let rates = project_rates.get();
        let rows = points.with_value(|ps| {
            ps.iter()
                .map(|p| {
                    let (rate, as_of) = rates.get(&p.code).cloned().unwrap_or((None, None));
                    let band = current.band(rate);
                    view! {
                        <tr data-project=p.code.clone() data-band=band.name()>
                            <th scope="row">{p.name.clone()}</th>
                            <td class="value">{crate::components::money::percent(rate, l)}</td>
                            <td>{band.label(l)}</td>
                            <td>{as_of.map(|at| format::date_time(at, l)).unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view()
        });
        view! {
            <table class="sites">
                <caption>{l.pick(
                    format!("Dự án có vị trí trên bản đồ ({})", points.with_value(Vec::len)),
                    format!("Projects with a site on the map ({})", points.with_value(Vec::len)),
                )}</caption>
                <thead><tr>
                    <th scope="col">{l.pick("Dự án", "Project")}</th>
                    <th scope="col">{l.pick("Tỷ lệ giải ngân", "Disbursed")}</th>
                    <th scope="col">{l.pick("Đánh giá", "Band")}</th>
                    <th scope="col">{l.pick("Số liệu đến", "As of")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    // the newest figure of the layer, and whether any is missing
    let as_of = move || {
        let l = locale;
        let newest = names.with_value(|n| {
            n.iter()
                .filter_map(|(code, _)| value_of(code))
                .map(|v| v.as_of)
                .max()
        });
        match newest {
            Some(at) => format!(
                "{} {}",
                l.pick("số liệu đến", "data as of"),
                format::date_time(at, l)
            ),
            None => l.pick("chưa có số liệu", "no data yet").to_string(),
        }
    };
    let total_text = move || {
        let l = locale;
        province
            .with_value(|p| value_of(p))
            .map(|v| {
                format!(
                    "{} {}",
                    l.pick("Toàn tỉnh:", "Province:"),
                    format::quantity(v.value, v.unit, l)
                )
            })
            .unwrap_or_default()
    };
    let attention = move || {
        let current = layer();
        let l = locale;
        let mut worst: Vec<(String, Decimal, Option<String>)> = names.with_value(|n| {
            n.iter()
                .filter_map(|(code, name)| {
                    let v = value_of(code)?;
                    if current.band(Some(v.value)) != Band::Critical {
                        return None;
                    }
                    // a task is raised from the figure as reported (for a share of the
                    // estimate, the amount collected)
                    let link = directs
                        .then(|| store.value(&current.indicator, code))
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
                    Some((name.clone(), v.value, link))
                })
                .collect()
        });
        worst.sort_by(|a, b| match current.direction {
            crate::model::Direction::LowerIsBetter => b.1.cmp(&a.1),
            _ => a.1.cmp(&b.1),
        });
        let count = worst.len();
        let items = worst
            .into_iter()
            .take(8)
            .map(|(name, v, link)| view! {
                <li>
                    <span>{name}</span>
                    <span class="value">{format::quantity(v, current.unit, l).to_string()}</span>
                    {link.map(|href| view! { <a class="direct" href=href>{l.pick("Giao nhiệm vụ", "Assign a task")}</a> })}
                </li>
            })
            .collect_view();
        view! {
            <h3>{l.pick(format!("Cần chú ý ({count})"), format!("Needs attention ({count})"))}</h3>
            <ul class="attention">{items}</ul>
        }
    };
    let legend = move || {
        let l = locale;
        layer()
            .legend(l)
            .into_iter()
            .map(|(band, text)| view! { <li><span class=format!("swatch {}", band.css())></span>{text}</li> })
            .collect_view()
    };
    let boundaries = {
        let l = locale;
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
                format!(
                    "{schematic}/{total} xã, phường là ô lục giác minh họa, KHÔNG phải ranh giới thực."
                ),
                format!(
                    "{schematic} of {total} units are schematic hexagons, NOT real boundaries."
                ),
            ));
        }
        notes.join(" ")
    };

    // the same data as a table, for screen readers and for reading off exact figures
    let table_rows = move || {
        let l = locale;
        let current = layer();
        names.with_value(|n| {
            let mut rows: Vec<(String, String, Option<LiveValue>)> = n
                .iter()
                .map(|(code, name)| (code.clone(), name.clone(), value_of(code)))
                .collect();
            rows.sort_by(|a, b| a.1.cmp(&b.1));
            rows.into_iter()
                .map(|(code, name, v)| {
                    let band = current.band(v.as_ref().map(|v| v.value));
                    let (value, as_of) = match &v {
                        Some(v) => (
                            format::quantity(v.value, v.unit, l).to_string(),
                            format::date_time(v.as_of, l),
                        ),
                        None => ("—".to_string(), String::new()),
                    };
                    view! {
                        <tr data-area=code data-band=band.name()>
                            <th scope="row">{name}</th>
                            <td class="value">{value}</td>
                            <td>{band.label(l)}</td>
                            <td>{as_of}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let table = {
        let l = locale;
        view! {
            <details class="map-table">
                <summary>{l.pick(
                    format!("Bảng số liệu của bản đồ ({total} xã, phường)"),
                    format!("The map as a table ({total} communes and wards)"),
                )}</summary>
                <table class="communes">
                    <caption>{move || layer().title}</caption>
                    <thead><tr>
                        <th scope="col">{l.pick("Xã, phường", "Commune or ward")}</th>
                        <th scope="col">{l.pick("Giá trị", "Value")}</th>
                        <th scope="col">{l.pick("Đánh giá", "Band")}</th>
                        <th scope="col">{l.pick("Số liệu đến", "As of")}</th>
                    </tr></thead>
                    <tbody>{table_rows}</tbody>
                </table>
                {site_rows}
            </details>
        }
    };

    view! {
        <section class="map-panel" aria-label=locale.pick("Bản đồ xã, phường", "Commune map")>
            <header>
                <h2>{move || layer().title}</h2>
                <div class="layers" role="group">{buttons}</div>
            </header>
            <div class="map-body">
                <svg
                    class="commune-map"
                    viewBox=format!("0 0 {} {}", map.width, map.height)
                    role="img"
                    data-layer=move || layer().indicator
                    data-schematic=(schematic > 0).to_string()
                    data-live=move || store.is_live().to_string()
                >
                    {paths}
                    <g class="sites">{sites}</g>
                </svg>
                <aside class="map-side">
                    <p class="map-total">{total_text}</p>
                    <ul class="legend">{legend}</ul>
                    {attention}
                </aside>
            </div>
            <footer>
                <span class="as-of">{as_of}</span>
                " · "
                <span class="source" title=move || layer().agency_name>
                    {locale.pick("Nguồn: ", "Source: ")}{move || layer().agency_short}
                </span>
                <p class="boundaries">{boundaries}</p>
            </footer>
            {table}
        </section>
    }
    .into_any()
}
