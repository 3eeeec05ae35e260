//! The live stream's wire format (version 1) and the client's rules for applying it.
//!
//! The stream position is `(epoch, offset)`: the offset is the id of the last event-log row
//! reflected, the epoch a random id created with the database (a new database is a new
//! epoch, so offsets from an old one are never trusted). Frames are JSON text:
//!
//! * `snapshot` — every current value, read at `offset`;
//! * `delta` — the values changed by the events in `(from, to]`, coalesced so the latest
//!   value per indicator and area wins;
//! * `heartbeat` — the server's head offset and clock, sent every few seconds;
//! * `tasks` — tasks the viewer may see were created or changed (their ids and versions):
//!   not part of the value stream (it carries no offset and moves no position); a screen
//!   showing tasks reloads them. Sent only to viewers the task concerns.
//! * `alerts` — the same for alerts (the console reloads them);
//! * `explanations` — every agency's explanation in date of a value the viewer sees (the
//!   whole list, which replaces what the screen had): after the first frame of a
//!   connection, whenever one is written or one's date passes, and after a client fell
//!   behind. Like `tasks`, it moves no position. Whether one still stands for the current
//!   figure is the screen's to judge ([`super::explanation::ExplanationNote::stands`]).
//!
//! [`StreamCursor`] is the client side of the contract: it accepts a frame only if it
//! continues exactly where the last one ended, and reports a gap otherwise.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;

use super::period::Period;
use super::unit::Unit;

/// Version of the wire format, carried in every snapshot.
pub const PROTOCOL_VERSION: u32 = 1;

/// Close code sent to a client that could not keep up (it should reconnect and resume).
pub const CLOSE_SLOW: u16 = 4008;
/// Close code sent when the client's access was revoked (a display token revoked, an account
/// disabled or its role changed): it should not reconnect with the same credentials.
pub const CLOSE_REVOKED: u16 = 4003;
/// Close code sent when the server shuts down (it should reconnect after a pause).
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code sent when the server lost its database and cannot follow the stream (it
/// should reconnect after a pause, to this server or another, and resume).
pub const CLOSE_TRY_AGAIN: u16 = 1013;

/// A point in the stream: `<epoch>:<offset>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StreamPosition {
    pub epoch: String,
    pub offset: u64,
}

impl fmt::Display for StreamPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.epoch, self.offset)
    }
}

impl FromStr for StreamPosition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (epoch, offset) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("'{s}' is not <epoch>:<offset>"))?;
        if epoch.is_empty()
            || !epoch
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!("'{epoch}' is not an epoch"));
        }
        let offset = offset
            .parse()
            .map_err(|_| format!("'{offset}' is not an offset"))?;
        Ok(StreamPosition {
            epoch: epoch.to_string(),
            offset,
        })
    }
}

/// The value of an earlier period, for the trend arrow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousValue {
    pub period: Period,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
}

/// What a live value is about: its indicator, area and (for figures reported per project)
/// project. The stream keeps one current value per key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueKey {
    pub indicator: String,
    pub area: String,
    pub project: Option<String>,
}

impl ValueKey {
    pub fn new(indicator: String, area: String, project: Option<String>) -> ValueKey {
        ValueKey {
            indicator,
            area,
            project,
        }
    }
}

/// The current value of one indicator for one area (and project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveValue {
    pub indicator: String,
    pub area: String,
    /// The project of the registry, for indicators reported per project (the area is then
    /// the project's commune of record); for indicators reported per service desk, the
    /// department whose desk it is (the area is then the province).
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub project: Option<String>,
    pub period: Period,
    #[serde(with = "crate::model::number")]
    pub value: Decimal,
    pub unit: Unit,
    /// The agency that submitted the value.
    pub agency: String,
    /// The time the figure is valid to ("số liệu đến").
    #[serde(with = "crate::model::iso::rfc3339")]
    pub as_of: OffsetDateTime,
    /// 1 for the first value of this indicator, area and period; each correction adds one.
    pub revision: u32,
    /// The event-log offset that produced this value.
    pub offset: u64,
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub previous: Option<PreviousValue>,
}

impl LiveValue {
    pub fn key(&self) -> ValueKey {
        ValueKey::new(
            self.indicator.clone(),
            self.area.clone(),
            self.project.clone(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "WireFrame")]
pub enum LiveFrame {
    Snapshot {
        protocol: u32,
        epoch: String,
        offset: u64,
        values: Vec<LiveValue>,
    },
    Delta {
        epoch: String,
        from: u64,
        to: u64,
        values: Vec<LiveValue>,
    },
    Heartbeat {
        epoch: String,
        offset: u64,
        #[serde(with = "crate::model::iso::rfc3339")]
        server_time: OffsetDateTime,
    },
    Tasks {
        epoch: String,
        changed: Vec<TaskChange>,
    },
    /// Alerts raised or changed (each id with its version after the change); reload them
    /// through the alert API. None named: anything may have changed.
    Alerts {
        epoch: String,
        changed: Vec<TaskChange>,
    },
    /// The explanations in date of values the viewer sees (the whole list).
    Explanations {
        epoch: String,
        standing: Vec<super::explanation::ExplanationNote>,
    },
}

/// A task (or alert) created or changed: its id and its version after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskChange {
    pub id: i64,
    pub version: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum FrameType {
    Snapshot,
    Delta,
    Heartbeat,
    Tasks,
    Alerts,
    Explanations,
}

/// Every field of every frame, read in one pass: deserialising the tagged enum directly
/// would buffer each frame first, which costs time on big snapshots and code size in the
/// browser.
#[derive(Deserialize)]
struct WireFrame {
    #[serde(rename = "type")]
    kind: FrameType,
    protocol: Option<u32>,
    epoch: String,
    offset: Option<u64>,
    from: Option<u64>,
    to: Option<u64>,
    #[serde(default)]
    values: Vec<LiveValue>,
    #[serde(default, with = "crate::model::iso::rfc3339::option")]
    server_time: Option<OffsetDateTime>,
    #[serde(default)]
    changed: Vec<TaskChange>,
    #[serde(default)]
    standing: Vec<super::explanation::ExplanationNote>,
}

impl TryFrom<WireFrame> for LiveFrame {
    type Error = String;

    fn try_from(w: WireFrame) -> Result<LiveFrame, String> {
        let need =
            |v: Option<u64>, field: &str| v.ok_or_else(|| format!("missing field `{field}`"));
        Ok(match w.kind {
            FrameType::Snapshot => LiveFrame::Snapshot {
                protocol: w.protocol.ok_or("missing field `protocol`")?,
                epoch: w.epoch,
                offset: need(w.offset, "offset")?,
                values: w.values,
            },
            FrameType::Delta => LiveFrame::Delta {
                epoch: w.epoch,
                from: need(w.from, "from")?,
                to: need(w.to, "to")?,
                values: w.values,
            },
            FrameType::Heartbeat => LiveFrame::Heartbeat {
                epoch: w.epoch,
                offset: need(w.offset, "offset")?,
                server_time: w.server_time.ok_or("missing field `server_time`")?,
            },
            FrameType::Tasks => LiveFrame::Tasks {
                epoch: w.epoch,
                changed: w.changed,
            },
            FrameType::Alerts => LiveFrame::Alerts {
                epoch: w.epoch,
                changed: w.changed,
            },
            FrameType::Explanations => LiveFrame::Explanations {
                epoch: w.epoch,
                standing: w.standing,
            },
        })
    }
}

/// What the client should do with a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameCheck {
    /// Replace all values with the snapshot's.
    Reset,
    /// Apply the delta's values.
    Apply,
    /// Already applied (or a heartbeat in step): ignore.
    Ignore,
    /// Tasks the viewer may see changed: reload what shows them. The position stays.
    TasksChanged,
    /// Alerts the viewer may see changed: reload them. The position stays.
    AlertsChanged,
    /// The explanations in date, to replace the screen's. The position stays.
    Explanations,
    /// Updates are missing between what the client has and this frame: reconnect with
    /// `since` set to the client's position.
    Gap { have: u64, frame_from: u64 },
    /// The frame belongs to another epoch (the database was replaced): reconnect without
    /// `since` to get a fresh snapshot.
    EpochChanged,
}

/// The client's position in the stream, advanced only by frames that continue it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamCursor {
    position: Option<StreamPosition>,
}

impl StreamCursor {
    pub fn at(position: StreamPosition) -> StreamCursor {
        StreamCursor {
            position: Some(position),
        }
    }

    pub fn position(&self) -> Option<&StreamPosition> {
        self.position.as_ref()
    }

    /// Checks `frame` against the position and advances it when the frame is accepted.
    pub fn check(&mut self, frame: &LiveFrame) -> FrameCheck {
        match (frame, &mut self.position) {
            (LiveFrame::Snapshot { epoch, offset, .. }, position) => {
                *position = Some(StreamPosition {
                    epoch: epoch.clone(),
                    offset: *offset,
                });
                FrameCheck::Reset
            }
            (_, None) => FrameCheck::Gap {
                have: 0,
                frame_from: 0,
            },
            (
                LiveFrame::Delta {
                    epoch, from, to, ..
                },
                Some(pos),
            ) => {
                if *epoch != pos.epoch {
                    FrameCheck::EpochChanged
                } else if *to <= pos.offset {
                    FrameCheck::Ignore
                } else if *from > pos.offset {
                    FrameCheck::Gap {
                        have: pos.offset,
                        frame_from: *from,
                    }
                } else {
                    // from <= have < to: values are states, so applying an overlap is safe
                    pos.offset = *to;
                    FrameCheck::Apply
                }
            }
            (LiveFrame::Tasks { epoch, .. }, Some(pos)) => {
                if *epoch != pos.epoch {
                    FrameCheck::EpochChanged
                } else {
                    FrameCheck::TasksChanged
                }
            }
            (LiveFrame::Alerts { epoch, .. }, Some(pos)) => {
                if *epoch != pos.epoch {
                    FrameCheck::EpochChanged
                } else {
                    FrameCheck::AlertsChanged
                }
            }
            (LiveFrame::Explanations { epoch, .. }, Some(pos)) => {
                if *epoch != pos.epoch {
                    FrameCheck::EpochChanged
                } else {
                    FrameCheck::Explanations
                }
            }
            (LiveFrame::Heartbeat { epoch, offset, .. }, Some(pos)) => {
                if *epoch != pos.epoch {
                    FrameCheck::EpochChanged
                } else if *offset > pos.offset {
                    // the server is ahead and no delta will follow for the missing range
                    FrameCheck::Gap {
                        have: pos.offset,
                        frame_from: *offset,
                    }
                } else {
                    FrameCheck::Ignore
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn delta(epoch: &str, from: u64, to: u64) -> LiveFrame {
        LiveFrame::Delta {
            epoch: epoch.into(),
            from,
            to,
            values: vec![],
        }
    }

    fn heartbeat(epoch: &str, offset: u64) -> LiveFrame {
        LiveFrame::Heartbeat {
            epoch: epoch.into(),
            offset,
            server_time: datetime!(2026-11-22 10:00 UTC),
        }
    }

    #[test]
    fn position_round_trips() {
        let p: StreamPosition = "a1b2:42".parse().unwrap();
        assert_eq!(
            p,
            StreamPosition {
                epoch: "a1b2".into(),
                offset: 42
            }
        );
        assert_eq!(p.to_string(), "a1b2:42");
        assert!("a1b2".parse::<StreamPosition>().is_err());
        assert!("a1b2:x".parse::<StreamPosition>().is_err());
        assert!(":5".parse::<StreamPosition>().is_err());
        assert!("a;b:5".parse::<StreamPosition>().is_err());
    }

    #[test]
    fn cursor_follows_contiguous_deltas_and_reports_gaps() {
        let mut c = StreamCursor::default();
        assert_eq!(
            c.check(&delta("e", 0, 1)),
            FrameCheck::Gap {
                have: 0,
                frame_from: 0
            }
        );
        let snap = LiveFrame::Snapshot {
            protocol: PROTOCOL_VERSION,
            epoch: "e".into(),
            offset: 10,
            values: vec![],
        };
        assert_eq!(c.check(&snap), FrameCheck::Reset);
        assert_eq!(c.check(&delta("e", 10, 12)), FrameCheck::Apply);
        assert_eq!(c.check(&delta("e", 11, 12)), FrameCheck::Ignore);
        assert_eq!(c.check(&heartbeat("e", 12)), FrameCheck::Ignore);
        assert_eq!(
            c.check(&delta("e", 13, 15)),
            FrameCheck::Gap {
                have: 12,
                frame_from: 13
            }
        );
        assert_eq!(
            c.position().unwrap().offset,
            12,
            "a gap does not move the cursor"
        );
        assert_eq!(
            c.check(&heartbeat("e", 20)),
            FrameCheck::Gap {
                have: 12,
                frame_from: 20
            }
        );
        assert_eq!(c.check(&delta("f", 12, 13)), FrameCheck::EpochChanged);
        assert_eq!(c.check(&delta("e", 12, 13)), FrameCheck::Apply);
        // a task notice says "reload the tasks" and leaves the position where it was
        let tasks = |epoch: &str| LiveFrame::Tasks {
            epoch: epoch.into(),
            changed: vec![TaskChange { id: 4, version: 2 }],
        };
        assert_eq!(c.check(&tasks("e")), FrameCheck::TasksChanged);
        let alerts = LiveFrame::Alerts {
            epoch: "e".into(),
            changed: vec![TaskChange { id: 9, version: 1 }],
        };
        assert_eq!(c.check(&alerts), FrameCheck::AlertsChanged);
        // the explanations in date replace the screen's, and leave the position too
        let explanations: LiveFrame = serde_json::from_str(
            r#"{"type":"explanations","epoch":"e","standing":[{"id":3,"indicator":"budget.revenue.ytd","area":"14","vi":"Giải trình: Chưa thu tiền đất · Đôn đốc — Lò Thị Mai, 10:00 23/11/2026","en":"Explanation: …","written_ms":1795921200000,"figure_ms":1795860000000,"until_ms":1796490000000}]}"#,
        )
        .unwrap();
        assert!(
            matches!(&explanations, LiveFrame::Explanations { standing, .. } if standing.len() == 1 && standing[0].vi.ends_with("Lò Thị Mai, 10:00 23/11/2026"))
        );
        assert_eq!(c.check(&explanations), FrameCheck::Explanations);
        assert_eq!(c.position().unwrap().offset, 13);
        assert_eq!(c.check(&delta("e", 13, 14)), FrameCheck::Apply);
        assert_eq!(c.check(&tasks("f")), FrameCheck::EpochChanged);
    }

    #[test]
    fn frames_have_the_documented_shape() {
        let value = LiveValue {
            indicator: "budget.revenue.ytd".into(),
            area: "14".into(),
            project: None,
            period: "2026-11-22".parse().unwrap(),
            value: Decimal::new(12345, 1),
            unit: Unit::BillionDong,
            agency: "STC".into(),
            as_of: datetime!(2026-11-22 10:00 UTC),
            revision: 2,
            offset: 7,
            previous: Some(PreviousValue {
                period: "2026-11-21".parse().unwrap(),
                value: Decimal::from(1200),
            }),
        };
        let frame = LiveFrame::Delta {
            epoch: "e".into(),
            from: 6,
            to: 7,
            values: vec![value],
        };
        let json = serde_json::to_value(&frame).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "delta", "epoch": "e", "from": 6, "to": 7,
                "values": [{
                    "indicator": "budget.revenue.ytd", "area": "14", "period": "2026-11-22",
                    "value": 1234.5, "unit": "billion_dong", "agency": "STC",
                    "as_of": "2026-11-22T10:00:00Z", "revision": 2, "offset": 7,
                    "previous": {"period": "2026-11-21", "value": 1200}
                }]
            })
        );
        let back: LiveFrame = serde_json::from_value(json).unwrap();
        assert_eq!(back, frame);
        for frame in [
            LiveFrame::Snapshot {
                protocol: 1,
                epoch: "e".into(),
                offset: 3,
                values: vec![],
            },
            heartbeat("e", 4),
            LiveFrame::Tasks {
                epoch: "e".into(),
                changed: vec![TaskChange { id: 7, version: 1 }],
            },
        ] {
            let text = serde_json::to_string(&frame).unwrap();
            assert_eq!(serde_json::from_str::<LiveFrame>(&text).unwrap(), frame);
        }
        assert_eq!(
            serde_json::to_value(LiveFrame::Tasks {
                epoch: "e".into(),
                changed: vec![TaskChange { id: 7, version: 3 }],
            })
            .unwrap(),
            serde_json::json!({"type": "tasks", "epoch": "e", "changed": [{"id": 7, "version": 3}]})
        );
        let missing = serde_json::from_str::<LiveFrame>(
            r#"{"type":"delta","epoch":"e","from":1,"values":[]}"#,
        );
        assert!(missing
            .unwrap_err()
            .to_string()
            .contains("missing field `to`"));
    }
}
