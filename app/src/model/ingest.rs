//! The ingest API's wire types (`POST /api/v1/observations`, version 1), shared by the
//! server, the demo feed, the load tool and the tests, so all speak exactly one format.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One figure as an agency sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationInput {
    pub indicator: String,
    pub area: String,
    /// The project, for indicators reported per project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The province department whose service desk the figure is about, for indicators
    /// reported per service desk (a commune's desk names its commune in `area` instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    pub period: String,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
    pub unit: String,
    /// The time the figure is valid to; the time it is received when absent.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub as_of: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationBatch {
    pub observations: Vec<ObservationInput>,
}

/// What happened to one accepted item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedItem {
    pub index: usize,
    /// 1 for a new (indicator, area, period); more for a correction.
    pub revision: u32,
    /// The event-log offset of this item in the live stream.
    pub offset: u64,
}

/// The answer to an accepted batch (`201 Created`), also replayed for a retried key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReceipt {
    pub accepted: usize,
    pub revised: usize,
    pub items: Vec<AcceptedItem>,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// One problem with one item of a batch (or one line of an imported file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProblem {
    /// Position of the item in `observations`, from 0 (0 for a request of one item).
    pub index: usize,
    /// For an imported file: the line at fault, from 1 (the header is line 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field at fault (`indicator`, `area`, `period`, `value`, `unit`, `as_of`, or `item`).
    pub field: String,
    /// A stable machine-readable reason, e.g. `unknown_indicator`.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

/// The body of every error answer of the REST API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// A stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemProblem>,
}
