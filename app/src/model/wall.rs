//! Wall mode's data: scenes, playlists and pushes.
//!
//! A **scene** is a named layout of up to [`MAX_PANELS`] panels — KPI tiles, a map layer, a
//! ranking of communes, a chart, the open alerts, the overdue tasks — laid out on the wall's
//! fixed 3840×2160 canvas. A **playlist** shows scenes in turn, each for a set time; every
//! wall follows one (the first, unless an administrator chose another). The turn is set by
//! the clock, not by when a wall started: walls on one playlist show the same scene at the
//! same time, and the server knows what a wall should show without asking it
//! ([`Playlist::at`]). An operator **pushes** a scene (or an incident: one alert's scene)
//! onto one wall or every wall; it stays until released.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Most panels a scene lays out (three columns by two rows).
pub const MAX_PANELS: usize = 6;
/// Most tiles a tiles panel holds.
pub const MAX_TILES: usize = 8;
/// Most scenes in a playlist.
pub const MAX_ENTRIES: usize = 20;
/// The shortest and longest time a scene is shown, in seconds.
pub const MIN_SECONDS: u32 = 10;
pub const MAX_SECONDS: u32 = 3600;
/// Longest scene or playlist name, in characters.
pub const MAX_NAME: usize = 80;

/// The charts a chart panel can show (the server's plotters charts, `/api/v1/charts`).
pub const CHARTS: [(&str, &str, &str); 4] = [
    (
        "disbursement-scurve",
        "Giải ngân vốn đầu tư công theo tháng (đường S)",
        "Public-investment disbursement by month (S-curve)",
    ),
    (
        "revenue-vs-estimate",
        "Thu ngân sách so với dự toán",
        "Budget revenue against the estimate",
    ),
    (
        "services-trend",
        "Dịch vụ công: xu hướng",
        "Public services: trend",
    ),
    (
        "index766",
        "Chỉ số phục vụ người dân, doanh nghiệp (766)",
        "Citizen and business service index (766)",
    ),
];

/// One panel of a scene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Panel {
    /// KPI tiles of the province's figures.
    Tiles { indicators: Vec<String> },
    /// The commune map on one layer (an indicator the map shows).
    Map { layer: String },
    /// The communes ranked on one map layer, worst first.
    Ranking { layer: String },
    /// One of [`CHARTS`].
    Chart { chart: String },
    /// The alerts not resolved, escalated and critical first.
    Alerts,
    /// The overdue tasks.
    Tasks,
}

impl Panel {
    pub fn kind(&self) -> &'static str {
        match self {
            Panel::Tiles { .. } => "tiles",
            Panel::Map { .. } => "map",
            Panel::Ranking { .. } => "ranking",
            Panel::Chart { .. } => "chart",
            Panel::Alerts => "alerts",
            Panel::Tasks => "tasks",
        }
    }

    /// The panel's parameter as the administration form writes it: indicator codes
    /// separated by commas, a layer or a chart; nothing for alerts and tasks.
    pub fn parameter(&self) -> String {
        match self {
            Panel::Tiles { indicators } => indicators.join(", "),
            Panel::Map { layer } | Panel::Ranking { layer } => layer.clone(),
            Panel::Chart { chart } => chart.clone(),
            Panel::Alerts | Panel::Tasks => String::new(),
        }
    }

    /// The panel of `kind` with `parameter` as the form writes it (see [`Panel::parameter`]);
    /// `None` for an unknown kind.
    pub fn of_form(kind: &str, parameter: &str) -> Option<Panel> {
        let p = parameter.trim().to_string();
        Some(match kind {
            "tiles" => Panel::Tiles {
                indicators: p
                    .split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            },
            "map" => Panel::Map { layer: p },
            "ranking" => Panel::Ranking { layer: p },
            "chart" => Panel::Chart { chart: p },
            "alerts" => Panel::Alerts,
            "tasks" => Panel::Tasks,
            _ => return None,
        })
    }
}

/// The kinds of panel, with their names as the administration form shows them.
pub const PANEL_KINDS: [(&str, &str, &str); 6] = [
    ("tiles", "Ô chỉ tiêu", "KPI tiles"),
    ("map", "Bản đồ xã, phường", "Commune map"),
    ("ranking", "Xếp hạng xã, phường", "Commune ranking"),
    ("chart", "Biểu đồ", "Chart"),
    ("alerts", "Cảnh báo đang mở", "Open alerts"),
    ("tasks", "Nhiệm vụ quá hạn", "Overdue tasks"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scene {
    pub id: i64,
    pub name: String,
    pub panels: Vec<Panel>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A scene and how long it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub scene: i64,
    pub seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playlist {
    pub id: i64,
    pub name: String,
    pub entries: Vec<Entry>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Playlist {
    /// One turn through every scene, in seconds.
    pub fn cycle(&self) -> u64 {
        self.entries.iter().map(|e| u64::from(e.seconds)).sum()
    }

    /// The entry shown at `at` and the instant its time ends. The turn is counted from the
    /// Unix epoch, so every wall on the playlist shows the same scene at the same time.
    pub fn at(&self, at: OffsetDateTime) -> Option<(usize, OffsetDateTime)> {
        let cycle = self.cycle();
        if cycle == 0 {
            return None;
        }
        let ms = u64::try_from((at.unix_timestamp_nanos() / 1_000_000).max(0)).ok()?;
        let mut into = ms % (cycle * 1000);
        for (i, e) in self.entries.iter().enumerate() {
            let length = u64::from(e.seconds) * 1000;
            if into < length {
                let left = i64::try_from(length - into).ok()?;
                return Some((i, at + time::Duration::milliseconds(left)));
            }
            into -= length;
        }
        None
    }
}

/// What an operator pushed, as a wall shows it: a scene, or an alert's incident scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    Scene(i64),
    Incident(i64),
}

impl Shown {
    /// The scene's address on the server (`/wall/scene/<id>`, `/wall/incident/<alert>`).
    pub fn path(self) -> String {
        match self {
            Shown::Scene(id) => format!("/wall/scene/{id}"),
            Shown::Incident(alert) => format!("/wall/incident/{alert}"),
        }
    }

    /// `scene:<id>` or `incident:<alert>`: how a wall reports what it shows.
    pub fn code(self) -> String {
        match self {
            Shown::Scene(id) => format!("scene:{id}"),
            Shown::Incident(alert) => format!("incident:{alert}"),
        }
    }

    pub fn of_code(code: &str) -> Option<Shown> {
        let (kind, id) = code.split_once(':')?;
        let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
        match kind {
            "scene" => Some(Shown::Scene(id)),
            "incident" => Some(Shown::Incident(id)),
            _ => None,
        }
    }
}

/// A push in force: onto one wall, or every wall (`display` none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    pub id: i64,
    pub display: Option<i64>,
    pub shown: Shown,
    pub by: String,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub at: OffsetDateTime,
}

impl Push {
    /// As the wall's page and its `wall` frame carry it: what is shown and its address,
    /// who pushed it and when, and whether onto every wall.
    pub fn for_wall(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "shown": self.shown.code(),
            "path": self.shown.path(),
            "by": self.by,
            "at": self.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "every_wall": self.display.is_none(),
        })
    }
}

/// The push a wall obeys among those in force: the newest onto it or onto every wall.
pub fn push_for(pushes: &[Push], display: i64) -> Option<&Push> {
    pushes
        .iter()
        .filter(|p| p.display.is_none_or(|d| d == display))
        .max_by_key(|p| (p.at, p.id))
}

/// A problem with a field: the field's path, and why (Vietnamese, English).
pub type Problem = (String, String, String);

/// What a scene may name: the indicators tiles may show, the map's layers.
pub struct Vocabulary<'a> {
    pub indicators: &'a dyn Fn(&str) -> bool,
    pub layers: &'a [String],
}

/// Checks a scene before it is stored: every problem, each naming its field.
pub fn check_scene(name: &str, panels: &[Panel], known: &Vocabulary<'_>) -> Vec<Problem> {
    let mut problems = check_name(name);
    if panels.is_empty() {
        problems.push((
            "panels".into(),
            "cần ít nhất một ô".into(),
            "at least one panel is needed".into(),
        ));
    }
    if panels.len() > MAX_PANELS {
        problems.push((
            "panels".into(),
            format!("nhiều nhất {MAX_PANELS} ô"),
            format!("at most {MAX_PANELS} panels"),
        ));
    }
    for (i, panel) in panels.iter().enumerate() {
        match panel {
            Panel::Tiles { indicators } => {
                let field = format!("panels[{i}].indicators");
                if indicators.is_empty() || indicators.len() > MAX_TILES {
                    problems.push((
                        field.clone(),
                        format!("từ 1 đến {MAX_TILES} chỉ tiêu"),
                        format!("1 to {MAX_TILES} indicators"),
                    ));
                }
                for (j, code) in indicators.iter().enumerate() {
                    if !(known.indicators)(code) {
                        problems.push((
                            format!("{field}[{j}]"),
                            format!("không có chỉ tiêu '{code}' trên trang tổng quan"),
                            format!("no indicator '{code}' on the overview"),
                        ));
                    }
                }
            }
            Panel::Map { layer } | Panel::Ranking { layer } => {
                if !known.layers.iter().any(|l| l == layer) {
                    problems.push((
                        format!("panels[{i}].layer"),
                        format!(
                            "bản đồ không có lớp '{layer}' (có: {})",
                            known.layers.join(", ")
                        ),
                        format!(
                            "the map has no layer '{layer}' (there are: {})",
                            known.layers.join(", ")
                        ),
                    ));
                }
            }
            Panel::Chart { chart } => {
                if !CHARTS.iter().any(|(c, ..)| c == chart) {
                    let all: Vec<&str> = CHARTS.iter().map(|(c, ..)| *c).collect();
                    problems.push((
                        format!("panels[{i}].chart"),
                        format!("không có biểu đồ '{chart}' (có: {})", all.join(", ")),
                        format!("no chart '{chart}' (there are: {})", all.join(", ")),
                    ));
                }
            }
            Panel::Alerts | Panel::Tasks => {}
        }
    }
    problems
}

/// Checks a playlist before it is stored; `scene_exists` says whether a scene id is known.
pub fn check_playlist(
    name: &str,
    entries: &[Entry],
    scene_exists: &dyn Fn(i64) -> bool,
) -> Vec<Problem> {
    let mut problems = check_name(name);
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        problems.push((
            "entries".into(),
            format!("từ 1 đến {MAX_ENTRIES} cảnh"),
            format!("1 to {MAX_ENTRIES} scenes"),
        ));
    }
    for (i, e) in entries.iter().enumerate() {
        if !scene_exists(e.scene) {
            problems.push((
                format!("entries[{i}].scene"),
                format!("không có cảnh số {}", e.scene),
                format!("no scene {}", e.scene),
            ));
        }
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&e.seconds) {
            problems.push((
                format!("entries[{i}].seconds"),
                format!("từ {MIN_SECONDS} đến {MAX_SECONDS} giây"),
                format!("{MIN_SECONDS} to {MAX_SECONDS} seconds"),
            ));
        }
    }
    problems
}

fn check_name(name: &str) -> Vec<Problem> {
    let n = name.trim().chars().count();
    if n == 0 || n > MAX_NAME {
        vec![(
            "name".into(),
            format!("cần có, nhiều nhất {MAX_NAME} ký tự"),
            format!("required, at most {MAX_NAME} characters"),
        )]
    } else {
        Vec::new()
    }
}

/// The scenes a new database starts with, and the playlist that shows them: what a
/// province's wall shows before an administrator changes anything.
pub fn starting_scenes() -> Vec<(&'static str, Vec<Panel>)> {
    let tiles = |codes: &[&str]| Panel::Tiles {
        indicators: codes.iter().map(|c| c.to_string()).collect(),
    };
    vec![
        (
            "Tổng quan tỉnh",
            vec![
                tiles(&[
                    "budget.revenue.ytd",
                    "invest.disbursed.ytd",
                    "services.online.rate",
                    "services.ontime.rate",
                ]),
                Panel::Map {
                    layer: "invest.disbursement.rate".into(),
                },
                Panel::Alerts,
            ],
        ),
        (
            "Ngân sách và đầu tư công",
            vec![
                tiles(&[
                    "budget.revenue.ytd",
                    "budget.spending.ytd",
                    "invest.disbursed.ytd",
                ]),
                Panel::Chart {
                    chart: "disbursement-scurve".into(),
                },
                Panel::Ranking {
                    layer: "invest.disbursement.rate".into(),
                },
                Panel::Chart {
                    chart: "revenue-vs-estimate".into(),
                },
            ],
        ),
        (
            "Dịch vụ công",
            vec![
                tiles(&[
                    "services.online.rate",
                    "services.ontime.rate",
                    "services.overdue",
                    "tasks.overdue",
                ]),
                Panel::Map {
                    layer: "services.overdue".into(),
                },
                Panel::Ranking {
                    layer: "services.online.rate".into(),
                },
                Panel::Chart {
                    chart: "services-trend".into(),
                },
            ],
        ),
    ]
}

/// How long each starting scene is shown.
pub const STARTING_SECONDS: u32 = 60;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn playlist(seconds: &[u32]) -> Playlist {
        Playlist {
            id: 1,
            name: "p".into(),
            entries: seconds
                .iter()
                .enumerate()
                .map(|(i, s)| Entry {
                    scene: i as i64 + 1,
                    seconds: *s,
                })
                .collect(),
            updated_at: datetime!(2026-12-01 0:00 UTC),
        }
    }

    #[test]
    fn the_turn_is_set_by_the_clock_so_walls_agree() {
        let p = playlist(&[30, 60, 10]); // a 100 s turn
                                         // 1 Jan 2027 00:00:00 UTC is 1798761600 s after the epoch: a whole number of turns
        let start = datetime!(2027-01-01 0:00 UTC);
        assert_eq!(start.unix_timestamp() % 100, 0);
        assert_eq!(p.at(start), Some((0, start + time::Duration::seconds(30))));
        let t = start + time::Duration::milliseconds(29_999);
        assert_eq!(p.at(t).unwrap().0, 0);
        assert_eq!(p.at(t).unwrap().1, start + time::Duration::seconds(30));
        assert_eq!(p.at(start + time::Duration::seconds(30)).unwrap().0, 1);
        assert_eq!(p.at(start + time::Duration::seconds(89)).unwrap().0, 1);
        assert_eq!(p.at(start + time::Duration::seconds(90)).unwrap().0, 2);
        // and round again
        assert_eq!(p.at(start + time::Duration::seconds(100)).unwrap().0, 0);
        // a leap day is just another day
        let leap = datetime!(2028-02-29 23:59:59.5 UTC);
        let (i, until) = p.at(leap).unwrap();
        assert!(until > leap && until - leap <= time::Duration::seconds(60));
        assert_eq!(p.entries[i].scene, i as i64 + 1);
        assert_eq!(playlist(&[]).at(start), None);
    }

    #[test]
    fn the_newest_push_onto_a_wall_or_every_wall_wins() {
        let push = |id, display, at| Push {
            id,
            display,
            shown: Shown::Scene(id),
            by: "x".into(),
            at,
        };
        let pushes = vec![
            push(1, None, datetime!(2026-12-04 8:00 UTC)),
            push(2, Some(7), datetime!(2026-12-04 9:00 UTC)),
            push(3, Some(8), datetime!(2026-12-04 7:00 UTC)),
        ];
        assert_eq!(push_for(&pushes, 7).unwrap().id, 2);
        assert_eq!(push_for(&pushes, 8).unwrap().id, 1);
        assert_eq!(push_for(&pushes, 9).unwrap().id, 1);
        assert_eq!(push_for(&pushes[1..], 9), None);
    }

    #[test]
    fn a_scene_names_each_wrong_field() {
        let layers = vec!["services.overdue".to_string()];
        let known = Vocabulary {
            indicators: &|c: &str| c == "budget.revenue.ytd",
            layers: &layers,
        };
        let panels = vec![
            Panel::Tiles {
                indicators: vec!["budget.revenue.ytd".into(), "nope".into()],
            },
            Panel::Map {
                layer: "budget.revenue.ytd".into(),
            },
            Panel::Chart {
                chart: "pie".into(),
            },
            Panel::Alerts,
        ];
        let fields: Vec<String> = check_scene(" ", &panels, &known)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "panels[0].indicators[1]",
                "panels[1].layer",
                "panels[2].chart"
            ]
        );
        assert!(check_scene("Tổng quan", &panels[3..], &known).is_empty());
        assert_eq!(
            check_scene("x", &vec![Panel::Alerts; 7], &known)[0].0,
            "panels"
        );
        let entries = [
            Entry {
                scene: 1,
                seconds: 9,
            },
            Entry {
                scene: 2,
                seconds: 3600,
            },
        ];
        let fields: Vec<String> = check_playlist("p", &entries, &|id| id == 2)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(fields, ["entries[0].scene", "entries[0].seconds"]);
    }

    #[test]
    fn panels_read_as_the_form_writes_them() {
        for (kind, ..) in PANEL_KINDS {
            let p = Panel::of_form(kind, "services.overdue, tasks.overdue").unwrap();
            if kind != "tiles" && kind != "alerts" && kind != "tasks" {
                assert_eq!(p.parameter(), "services.overdue, tasks.overdue");
            }
            assert_eq!(Panel::of_form(kind, &p.parameter()).unwrap(), p);
            assert_eq!(p.kind(), kind);
        }
        assert_eq!(Panel::of_form("pie", ""), None);
        assert_eq!(Shown::of_code("incident:12"), Some(Shown::Incident(12)));
        assert_eq!(
            Shown::of_code(&Shown::Scene(3).code()),
            Some(Shown::Scene(3))
        );
        assert_eq!(Shown::of_code("scene:-1"), None);
        assert_eq!(Shown::of_code("scene"), None);
    }
}
