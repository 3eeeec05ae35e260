//! Domain types shared by the server, the browser and the tests. Serde only: no I/O, no
//! Leptos, axum or tokio here.

pub mod account;
pub mod alert;
pub mod catalogue;
pub mod compact;
pub mod deadline;
pub mod explanation;
pub mod format;
pub mod i18n;
pub mod ingest;
pub mod iso;
pub mod live;
pub mod map;
pub mod money;
pub mod number;
pub mod period;
pub mod quality;
pub mod registry;
pub mod services;
pub mod task;
pub mod tile;
pub mod unit;
#[cfg(feature = "ssr")]
pub mod wall;
pub mod workdays;

pub use catalogue::{
    Agency, Area, AreaKind, Cadence, Catalogue, CrosswalkLink, Direction, Indicator, Level,
    ProvinceData, Target, Threshold,
};
pub use i18n::Locale;
pub use live::{LiveFrame, LiveValue, StreamPosition};
pub use period::{Period, PeriodKind};
pub use registry::{Investor, Project};
pub use unit::Unit;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The data behind the overview page: its tiles and the live values they start from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Who is looking.
    pub viewer: account::Viewer,
    pub province_code: String,
    pub province_name: String,
    pub tiles: Vec<tile::TileSpec>,
    /// For an agency officer: their agency's name and a tile for each of its other
    /// indicators (the province figure).
    pub agency: Option<(String, Vec<tile::TileSpec>)>,
    /// The communes' shapes and the indicators the map can show.
    pub map: map::MapData,
    pub map_layers: Vec<map::MapLayer>,
    /// The stream position the values were read at; the browser resumes from here.
    pub epoch: String,
    pub offset: u64,
    pub values: Vec<LiveValue>,
    #[serde(with = "crate::model::iso::rfc3339")]
    pub server_time: OffsetDateTime,
    /// The working days freshness is judged by.
    pub calendar: workdays::WorkCalendar,
    /// The overdue tasks the viewer may see, counted when the page was read (none for a
    /// wall display, which sees no task).
    pub overdue_tasks: Option<usize>,
    /// The agencies' explanations in date of the figures the viewer sees, as the live
    /// stream's `explanations` frame carries them (JSON: the browser reads them with the
    /// frame's own code, see [`crate::live::LiveStore::explained`]).
    #[serde(default)]
    pub explanations: String,
    /// An agency officer's: their agency's data quality this month, as a line of text.
    #[serde(default)]
    pub own_quality: Option<String>,
    /// For those who act on alerts: how many were escalated to the leaders and are not
    /// acknowledged, when the page was read.
    #[serde(default)]
    pub escalated_alerts: Option<usize>,
}
