//! Wall mode (`/wall`): a fixed 3840×2160 canvas, scaled to the screen and never scrolled,
//! showing one scene at a time — the scene an operator pushed onto the wall, or its
//! playlist's scene of the moment. Each scene is rendered here on the server
//! (`/wall/scene/<id>`, `/wall/incident/<alert>`) as plain HTML; the small script
//! `/assets/wall.js` fetches the next scene before its time, swaps it in whole (no blank
//! frame), fetches the shown scene again when the live stream says its figures changed,
//! and switches within a second when a push arrives over the stream. No WASM: a wall runs
//! for weeks, and replacing server-drawn HTML leaves nothing behind.
//!
//! Every panel says how fresh its figures are and where they come from; a panel that
//! cannot be read says "Không có số liệu" in its frame and the scene goes on. When the
//! live link is lost the canvas is dimmed and says since when its figures are.

use leptos::prelude::*;

use crate::api::wall::{PanelData, SceneData, WallPlan};
use crate::components::commune_map::CommuneMap;
use crate::live::LiveStore;
use crate::model::format::{self, VIETNAM};
use crate::model::wall::Shown;
use crate::model::Locale;
use crate::pages::use_locale;

/// `HH:MM:SS ngày DD/MM/YYYY` in Vietnam's time.
fn at_text(at: time::OffsetDateTime, l: Locale) -> String {
    let t = at.to_offset(VIETNAM);
    format!(
        "{:02}:{:02}:{:02} {} {}",
        t.hour(),
        t.minute(),
        t.second(),
        l.pick("ngày", "on"),
        format::date(t.date(), l)
    )
}

fn no_data(l: Locale) -> &'static str {
    l.pick("Không có số liệu", "No data")
}

/// The wall's page: the canvas with its first scene, and the plan the script follows.
#[component]
pub fn WallPage() -> impl IntoView {
    let locale = use_locale();
    crate::pages::live_screen(
        locale,
        move || async move {
            let (plan, first) = crate::api::wall::plan().await?;
            let scene = match first {
                Some(shown) => crate::api::wall::scene(shown, locale).await?,
                None => None,
            };
            Ok((plan, scene))
        },
        move |(plan, scene): (WallPlan, Option<SceneData>)| {
            let config = serde_json::to_string(&plan).unwrap_or_default();
            let scene = match scene {
                Some(scene) => view! { <SceneView scene locale /> }.into_any(),
                None => view! {
                    <section class="scene empty-scene" data-shown="">
                        <p class="panel-failed">{locale.pick(
                            "Chưa có cảnh nào: quản trị viên tạo cảnh và danh sách phát ở trang quản trị.",
                            "No scene yet: an administrator makes scenes and playlists on the administration page.",
                        )}</p>
                    </section>
                }
                .into_any(),
            };
            view! {
                <div class="wall" id="wall" data-config=config data-locale=locale.code()>
                    <div class="wall-canvas" data-link="connecting">
                        <div class="wall-stage">{scene}</div>
                        <p class="wall-push" hidden></p>
                        <span class="wall-link visually-hidden" role="status" hidden
                            data-live=locale.pick("Trực tiếp", "Live")
                            data-lost=locale.pick("Mất kết nối", "Connection lost")
                            data-ended=locale.pick("Màn hình đã bị thu hồi", "This screen was revoked")></span>
                        <p class="wall-lost" hidden
                            data-vi="Mất kết nối — số liệu lúc "
                            data-en="Connection lost — figures as of "></p>
                    </div>
                </div>
            }
        },
    )
}

/// A scene alone (`/wall/scene/<id>`, `/wall/incident/<alert>`): what the wall's script
/// fetches.
#[component]
pub fn ScenePage(shown: Option<Shown>) -> impl IntoView {
    let locale = use_locale();
    crate::pages::live_screen(
        locale,
        move || async move {
            match shown {
                Some(shown) => crate::api::wall::scene(shown, locale).await,
                None => Ok(None),
            }
        },
        move |scene: Option<SceneData>| match scene {
            Some(scene) => view! { <SceneView scene locale /> }.into_any(),
            None => view! {
                <main class="error" data-missing-scene="">
                    <h1>{locale.pick("Không có cảnh này", "No such scene")}</h1>
                </main>
            }
            .into_any(),
        },
    )
}

#[component]
fn SceneView(scene: SceneData, locale: Locale) -> impl IntoView {
    let l = locale;
    let SceneData {
        shown,
        name,
        panels,
        reading,
        incident,
    } = scene;
    let read_at = reading.read_at;
    let ms = i64::try_from(read_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    let count = panels.len().clamp(1, crate::model::wall::MAX_PANELS);
    let overview = &reading.overview;
    let store = LiveStore::start(
        &overview.epoch,
        overview.offset,
        &overview.values,
        read_at,
        overview.calendar.clone(),
        &overview.province_code,
    )
    .explained(&overview.explanations);
    store.link.set(crate::live::Link::Live);
    let panel_views = panels
        .into_iter()
        .enumerate()
        .map(|(i, (panel, data))| {
            let body = match data {
                PanelData::Tiles(tiles) => tiles_view(tiles, l).into_any(),
                PanelData::Map(layer) => {
                    let layers = vec![overview.map_layers[layer].clone()];
                    view! {
                        <CommuneMap map=overview.map.clone() layers province=overview.province_code.clone() store locale />
                    }
                    .into_any()
                }
                PanelData::Ranking {
                    title,
                    rows,
                    critical,
                    of,
                } => ranking_view(title, rows, critical, of, l).into_any(),
                PanelData::Chart { title, src } => view! {
                    <h2 class="panel-title">{title.clone()}</h2>
                    <img class="chart" src=src alt=title />
                    <p class="panel-failed" hidden>{no_data(l)}</p>
                    <p class="as-of">{l.pick("Biểu đồ vẽ lúc ", "Chart drawn at ")}{at_text(read_at, l)}</p>
                }
                .into_any(),
                PanelData::Alerts { count, listed } => alerts_view(count, listed, incident, l).into_any(),
                PanelData::Tasks { count, listed } => tasks_view(count, listed, read_at, l).into_any(),
                PanelData::Failed(why) => view! {
                    <p class="panel-failed">{no_data(l)}</p>
                    <p class="detail">{why}</p>
                }
                .into_any(),
            };
            view! {
                <section class="panel" data-panel=panel.kind() data-index=i>{body}</section>
            }
        })
        .collect_view();
    view! {
        <section class="scene" data-shown=shown.code() data-read-at=ms data-panels=count>
            <header class="scene-head">
                // a name the province chose, in its language
                <h1 lang=incident.is_none().then_some("vi")>{name}</h1>
                <p class="province">{overview.province_name.clone()}</p>
                <p class="read-at">{l.pick("Số liệu lúc ", "Figures as of ")}{at_text(read_at, l)}</p>
            </header>
            <div class="panels">{panel_views}</div>
        </section>
    }
}

fn tiles_view(
    tiles: Vec<(String, Option<crate::api::brief::BriefFigure>)>,
    l: Locale,
) -> impl IntoView {
    let items = tiles
        .into_iter()
        .map(|(title, figure)| match figure {
            None => view! {
                <article class="wall-tile" data-band="none">
                    <h2>{title}</h2>
                    <p class="panel-failed">{no_data(l)}</p>
                </article>
            }
            .into_any(),
            Some(f) => {
                let v = f.view;
                let late = (v.freshness == crate::model::tile::Freshness::Late)
                    .then(|| view! { <span class="late-mark">{l.pick("Chậm cập nhật", "Late")}</span> });
                let trend = v.trend.map(crate::pages::brief::trend_line);
                view! {
                    <article class="wall-tile" data-indicator=f.indicator data-band=v.band.name()>
                        <h2>{title}</h2>
                        <p class="value">
                            <span class="number">{v.headline.number}</span>" "<span class="unit">{v.headline.unit}</span>
                        </p>
                        <p class="band-text">{v.band.label(l)}</p>
                        {v.detail.map(|d| view! { <p class="detail">{d}</p> })}
                        {trend}
                        <p class="as-of">{v.as_of}" · "{f.source}" "{late}</p>
                        {f.explanation.map(|e| view! { <p class="explanation">{e}</p> })}
                    </article>
                }
                .into_any()
            }
        })
        .collect_view();
    view! { <div class="wall-tiles">{items}</div> }
}

fn ranking_view(
    title: String,
    rows: Vec<crate::api::brief::RankedCommune>,
    critical: usize,
    of: usize,
    l: Locale,
) -> impl IntoView {
    let newest = rows.iter().map(|r| r.as_of).max();
    let empty = rows.is_empty();
    let items = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            view! {
                <tr data-band=r.band.name() data-area=r.area>
                    <td class="rank">{i + 1}</td>
                    <td class="name">{r.name}</td>
                    <td class="value">{r.text}</td>
                    <td class="band-text">{r.band.label(l)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2 class="panel-title">{title}</h2>
        <p class="detail">{l.pick(
            format!("{critical} / {of} xã, phường ở mức nguy cấp — thấp nhất trước"),
            format!("{critical} of {of} communes and wards critical — worst first"),
        )}</p>
        {if empty {
            view! { <p class="panel-failed">{no_data(l)}</p> }.into_any()
        } else {
            view! {
                <table class="ranking">
                    <caption class="visually-hidden">{l.pick("Xếp hạng xã, phường", "Commune ranking")}</caption>
                    <tbody>{items}</tbody>
                </table>
            }
            .into_any()
        }}
        {newest.map(|t| view! { <p class="as-of">{crate::components::money::as_of_text(Some(t), l)}</p> })}
    }
}

fn alerts_view(
    count: usize,
    listed: Vec<crate::api::console::AlertView>,
    incident: Option<i64>,
    l: Locale,
) -> impl IntoView {
    let mut listed = listed;
    // the incident's alert first
    listed.sort_by_key(|a| Some(a.alert.id) != incident);
    let items = listed
        .into_iter()
        .map(|a| {
            let escalated = a
                .alert
                .escalated_at
                .map(|_| view! { <span class="late-mark">{l.pick("Đã chuyển lãnh đạo", "Escalated")}</span> });
            let reason = l.pick(&a.alert.reason.vi, &a.alert.reason.en).to_string();
            let class = if Some(a.alert.id) == incident { "incident" } else { "" };
            view! {
                <li data-severity=a.alert.severity.code() data-alert=a.alert.id class=class>
                    <p class="name">{a.indicator_name}" — "{a.area_name}</p>
                    <p class="detail">{reason}" · "{a.agency_name}" "{escalated}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 class="panel-title">{l.pick(format!("Cảnh báo chưa đóng: {count}"), format!("Alerts not resolved: {count}"))}</h2>
        {if count == 0 {
            view! { <p class="all-clear">{l.pick("Không có cảnh báo nào đang mở.", "No alert is open.")}</p> }.into_any()
        } else {
            view! { <ul class="wall-list">{items}</ul> }.into_any()
        }}
        {(count > LISTED_SHOWN).then(|| view! { <p class="detail">{l.pick(format!("và {} cảnh báo khác ở bàn điều hành", count - LISTED_SHOWN), format!("and {} more on the console", count - LISTED_SHOWN))}</p> })}
    }
}

const LISTED_SHOWN: usize = crate::api::wall::LISTED;

fn tasks_view(
    count: usize,
    listed: Vec<crate::model::task::Task>,
    read_at: time::OffsetDateTime,
    l: Locale,
) -> impl IntoView {
    let today = format::vietnam_date(read_at);
    let items = listed
        .into_iter()
        .map(|t| {
            let late_by = t.due.map(|due| (today - due).whole_days()).unwrap_or_default();
            view! {
                <li data-task=t.id>
                    <p class="name">{t.title}</p>
                    <p class="detail">{t.lead}" · "{l.pick(format!("quá hạn {late_by} ngày"), format!("{late_by} days overdue"))}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 class="panel-title">{l.pick(format!("Nhiệm vụ quá hạn: {count}"), format!("Overdue tasks: {count}"))}</h2>
        {if count == 0 {
            view! { <p class="all-clear">{l.pick("Không có nhiệm vụ nào quá hạn.", "No task is overdue.")}</p> }.into_any()
        } else {
            view! { <ul class="wall-list">{items}</ul> }.into_any()
        }}
        {(count > LISTED_SHOWN).then(|| view! { <p class="detail">{l.pick(format!("và {} nhiệm vụ khác", count - LISTED_SHOWN), format!("and {} more", count - LISTED_SHOWN))}</p> })}
    }
}
