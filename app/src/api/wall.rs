//! Wall mode's data: what a wall follows (its playlist, the push it obeys) and each scene's
//! panels, read as one [`Reading`] of the current figures. A panel that cannot be read is
//! [`PanelData::Failed`] and the rest of the scene is shown.

use leptos::prelude::*;
use time::OffsetDateTime;

use crate::api::brief::{BriefFigure, RankedCommune, Reading};
use crate::api::console::AlertView;
use crate::model::account::Principal;
use crate::model::wall::{Panel, Playlist, Push, Shown};
use crate::model::Locale;

/// Rows a list panel (alerts, tasks, ranking) shows on the canvas.
pub const LISTED: usize = 8;

/// What a wall's page starts from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WallPlan {
    /// The wall (none: a person looking at the wall's page).
    pub display: Option<i64>,
    pub playlist: Option<PlanList>,
    /// The push it obeys ([`Push::for_wall`]).
    pub push: Option<serde_json::Value>,
    /// The server's clock when the page was made, in ms since the epoch: the wall turns
    /// its playlist on the server's time.
    pub server_ms: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanList {
    pub id: i64,
    pub name: String,
    /// Each scene's address, name and time on the wall.
    pub entries: Vec<PlanEntry>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanEntry {
    pub shown: String,
    pub path: String,
    pub name: String,
    pub seconds: u32,
}

fn failed(e: sqlx::Error) -> ServerFnError {
    ServerFnError::new(e.to_string())
}

/// The wall's plan, and what it shows first (the push it obeys, or the playlist's scene
/// now).
pub async fn plan() -> Result<(WallPlan, Option<Shown>), ServerFnError> {
    let ctx = expect_context::<crate::api::ServerContext>();
    let principal = crate::api::current_principal()
        .ok_or_else(|| ServerFnError::new("sign in to see the wall"))?;
    let display = match &principal {
        Principal::Display { id, .. } => Some(*id),
        _ => None,
    };
    let mut conn = ctx.db.acquire().await.map_err(failed)?;
    let playlist: Option<Playlist> = match display {
        Some(id) => crate::store::walls::playlist_of(&mut conn, id).await,
        None => crate::store::walls::playlists(&mut conn)
            .await
            .map(|all| all.into_iter().next()),
    }
    .map_err(failed)?;
    let scenes = crate::store::walls::scenes(&mut conn)
        .await
        .map_err(failed)?;
    let pushes = crate::store::walls::standing_pushes(&mut conn)
        .await
        .map_err(failed)?;
    let push = crate::model::wall::push_for(&pushes, display.unwrap_or(0)).cloned();
    let now = OffsetDateTime::now_utc();
    let first = push.as_ref().map(|p| p.shown).or_else(|| {
        let list = playlist.as_ref()?;
        let (i, _) = list.at(now)?;
        Some(Shown::Scene(list.entries[i].scene))
    });
    let playlist = playlist.map(|p| PlanList {
        id: p.id,
        name: p.name,
        entries: p
            .entries
            .iter()
            .map(|e| {
                let shown = Shown::Scene(e.scene);
                PlanEntry {
                    shown: shown.code(),
                    path: shown.path(),
                    name: scenes
                        .iter()
                        .find(|s| s.id == e.scene)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    seconds: e.seconds,
                }
            })
            .collect(),
    });
    Ok((
        WallPlan {
            display,
            playlist,
            push: push.as_ref().map(Push::for_wall),
            server_ms: i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
        },
        first,
    ))
}

/// One panel's data, as read.
pub enum PanelData {
    Tiles(Vec<(String, Option<BriefFigure>)>),
    /// The map on one layer (its index among the overview's layers).
    Map(usize),
    Ranking {
        title: String,
        rows: Vec<RankedCommune>,
        critical: usize,
        of: usize,
    },
    Chart {
        title: String,
        src: String,
    },
    Alerts {
        count: usize,
        listed: Vec<AlertView>,
    },
    Tasks {
        count: usize,
        listed: Vec<crate::model::task::Task>,
    },
    /// It could not be read: why.
    Failed(String),
}

/// A scene as read now.
pub struct SceneData {
    pub shown: Shown,
    pub name: String,
    pub panels: Vec<(Panel, PanelData)>,
    pub reading: Reading,
    /// An incident's alert, shown first and marked in its alerts panel.
    pub incident: Option<i64>,
}

/// Reads the scene `shown` for the viewer; `None` if there is no such scene or alert.
pub async fn scene(shown: Shown, locale: Locale) -> Result<Option<SceneData>, ServerFnError> {
    let ctx = expect_context::<crate::api::ServerContext>();
    let principal = crate::api::current_principal()
        .ok_or_else(|| ServerFnError::new("sign in to see the wall"))?;
    let reading = Reading::now(locale).await?;
    let (name, panels, incident) = match shown {
        Shown::Scene(id) => {
            let mut conn = ctx.db.acquire().await.map_err(failed)?;
            let Some(scene) = crate::store::walls::scene_by_id(&mut conn, id)
                .await
                .map_err(failed)?
            else {
                return Ok(None);
            };
            (scene.name, scene.panels, None)
        }
        Shown::Incident(alert) => {
            let mut conn = ctx.db.acquire().await.map_err(failed)?;
            // an alert the viewer may not see is no scene of theirs
            let Some(a) = crate::store::alerts::get(&mut conn, alert)
                .await
                .map_err(failed)?
                .filter(|a| match principal.visibility() {
                    crate::model::account::Visibility::All => true,
                    crate::model::account::Visibility::Agency(own) => a.agency == own,
                    crate::model::account::Visibility::Nothing => false,
                })
            else {
                return Ok(None);
            };
            let view = AlertView::of(&ctx.catalogue, &ctx.alert_rules, a.clone(), locale);
            let name = locale.pick(
                format!("Sự cố: {} — {}", view.rule_name, view.area_name),
                format!("Incident: {} — {}", view.rule_name, view.area_name),
            );
            (name, incident_panels(&reading, &a.indicator), Some(alert))
        }
    };
    let mut data = Vec::new();
    for panel in panels {
        let read = read_panel(&panel, &reading, &principal, locale).await;
        data.push((panel, read));
    }
    Ok(Some(SceneData {
        shown,
        name,
        panels: data,
        reading,
        incident,
    }))
}

/// An incident's scene: the open alerts, the map on the alert's indicator (or the first
/// layer) with its ranking, and the alert's figure with the overview's first tiles.
fn incident_panels(reading: &Reading, indicator: &str) -> Vec<Panel> {
    let layers: Vec<&str> = reading
        .overview
        .map_layers
        .iter()
        .map(|l| l.indicator.as_str())
        .collect();
    let layer = layers
        .iter()
        .find(|l| **l == indicator)
        .or(layers.first())
        .map(|l| l.to_string());
    let mut tiles: Vec<String> = reading
        .specs()
        .filter(|s| s.indicator == indicator)
        .map(|s| s.indicator.clone())
        .collect();
    for s in reading.overview.tiles.iter().take(4) {
        if tiles.len() < 4 && !tiles.contains(&s.indicator) {
            tiles.push(s.indicator.clone());
        }
    }
    let mut panels = vec![Panel::Alerts];
    if let Some(layer) = layer {
        panels.push(Panel::Map {
            layer: layer.clone(),
        });
        panels.push(Panel::Ranking { layer });
    }
    panels.push(Panel::Tiles { indicators: tiles });
    panels
}

async fn read_panel(
    panel: &Panel,
    reading: &Reading,
    principal: &Principal,
    locale: Locale,
) -> PanelData {
    let layer = |code: &str| {
        reading
            .overview
            .map_layers
            .iter()
            .position(|l| l.indicator == code)
    };
    let missing = |what: &str| {
        PanelData::Failed(locale.pick(
            format!("không có {what} này trên trang tổng quan"),
            format!("no such {what} on the overview"),
        ))
    };
    match panel {
        Panel::Tiles { indicators } => PanelData::Tiles(
            indicators
                .iter()
                .map(
                    |code| match reading.specs().find(|s| &s.indicator == code) {
                        Some(spec) => (spec.title.clone(), reading.figure(spec)),
                        None => (code.clone(), None),
                    },
                )
                .collect(),
        ),
        Panel::Map { layer: code } => match layer(code) {
            Some(i) => PanelData::Map(i),
            None => missing(locale.pick("lớp bản đồ", "map layer")),
        },
        Panel::Ranking { layer: code } => match layer(code) {
            Some(i) => {
                let l = &reading.overview.map_layers[i];
                let rows = reading.ranked(l);
                PanelData::Ranking {
                    title: l.title.clone(),
                    critical: rows
                        .iter()
                        .filter(|r| r.band == crate::model::map::Band::Critical)
                        .count(),
                    of: reading.overview.map.shapes.len(),
                    rows: rows.into_iter().take(LISTED).collect(),
                }
            }
            None => missing(locale.pick("lớp bản đồ", "map layer")),
        },
        Panel::Chart { chart } => match crate::model::wall::CHARTS.iter().find(|c| c.0 == chart) {
            Some((code, vi, en)) => PanelData::Chart {
                title: locale.pick(*vi, *en).to_string(),
                src: format!(
                    "/api/v1/charts/{code}.svg?size=wall&lang={}&v={}",
                    locale.code(),
                    reading.overview.offset
                ),
            },
            None => missing(locale.pick("biểu đồ", "chart")),
        },
        Panel::Alerts => match crate::api::brief::open_alerts(principal, locale, LISTED).await {
            Ok(Some((count, listed))) => PanelData::Alerts { count, listed },
            Ok(None) => PanelData::Failed(
                locale
                    .pick(
                        "màn hình này không xem được cảnh báo",
                        "this screen may not see alerts",
                    )
                    .into(),
            ),
            Err(e) => PanelData::Failed(e.to_string()),
        },
        Panel::Tasks => match crate::api::brief::overdue_tasks(principal, locale, LISTED).await {
            Ok(Some((count, listed))) => PanelData::Tasks { count, listed },
            Ok(None) => PanelData::Failed(
                locale
                    .pick(
                        "màn hình này không xem được nhiệm vụ",
                        "this screen may not see tasks",
                    )
                    .into(),
            ),
            Err(e) => PanelData::Failed(e.to_string()),
        },
    }
}

/// The administration page's *Màn hình giám sát* tab: scenes, playlists and each wall.
pub struct WallsAdmin {
    pub scenes: Vec<crate::model::wall::Scene>,
    pub playlists: Vec<Playlist>,
    pub walls: Vec<crate::store::walls::WallRow>,
    /// What a scene may show: the overview's tile indicators and the map's layers.
    pub tiles: Vec<(String, String)>,
    pub layers: Vec<(String, String)>,
}

pub async fn load_admin(locale: Locale) -> Result<WallsAdmin, ServerFnError> {
    let principal = crate::api::current_principal().ok_or_else(|| ServerFnError::new("sign in"))?;
    if !principal.is_admin() {
        return Err(ServerFnError::new("only administrators"));
    }
    let ctx = expect_context::<crate::api::ServerContext>();
    let mut conn = ctx.db.acquire().await.map_err(failed)?;
    let (tiles, layers) = crate::api::overview::wall_vocabulary();
    let name = |code: &str| {
        ctx.catalogue
            .indicator(code)
            .map(|i| i.name(locale).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    Ok(WallsAdmin {
        scenes: crate::store::walls::scenes(&mut conn)
            .await
            .map_err(failed)?,
        playlists: crate::store::walls::playlists(&mut conn)
            .await
            .map_err(failed)?,
        walls: crate::store::walls::walls_now(&mut conn, OffsetDateTime::now_utc())
            .await
            .map_err(failed)?,
        tiles: tiles.iter().map(|c| (c.to_string(), name(c))).collect(),
        layers: layers.iter().map(|c| (c.clone(), name(c))).collect(),
    })
}

/// What the console offers to push: every scene, and the incident scenes of the open
/// alerts; and the walls.
#[derive(Debug, Clone)]
pub struct ConsoleWalls {
    pub scenes: Vec<(i64, String)>,
    pub incidents: Vec<(i64, String)>,
    pub walls: Vec<crate::store::walls::WallRow>,
}

pub async fn load_console(
    principal: &Principal,
    locale: Locale,
) -> Result<Option<ConsoleWalls>, ServerFnError> {
    if !crate::model::alert::may_act(principal) {
        return Ok(None);
    }
    let ctx = expect_context::<crate::api::ServerContext>();
    let mut conn = ctx.db.acquire().await.map_err(failed)?;
    let scenes = crate::store::walls::scenes(&mut conn)
        .await
        .map_err(failed)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let walls = crate::store::walls::walls_now(&mut conn, OffsetDateTime::now_utc())
        .await
        .map_err(failed)?;
    drop(conn);
    let incidents = crate::api::brief::open_alerts(principal, locale, 50)
        .await?
        .map(|(_, list)| {
            list.into_iter()
                .map(|a| {
                    (
                        a.alert.id,
                        format!("{} — {}", a.indicator_name, a.area_name),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(ConsoleWalls {
        scenes,
        incidents,
        walls,
    }))
}
