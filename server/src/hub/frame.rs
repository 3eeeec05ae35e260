//! Frames as the server sends them: serialised once, from the hub's shared values, into
//! bytes that every client that may see all of it receives as they are. Clients that may see
//! only part (an agency officer sees the overview and their own agency) get a filtered text,
//! made once per frame and agency and shared.
//!
//! The wire format is [`app::model::LiveFrame`]'s (the tests check that what is written here
//! reads back as one); this side only writes, from `Arc`s, without copying values.

use app::model::account::Visibility;
use app::model::live::PROTOCOL_VERSION;
use app::model::LiveValue;
use bytes::Bytes;
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use time::OffsetDateTime;

use super::VisibilityRules;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Snapshot,
    Delta,
    Heartbeat,
}

/// The values of a frame, written as a JSON array of [`LiveValue`]s.
struct Values<'a, I: Iterator<Item = &'a Arc<LiveValue>> + Clone>(I);

impl<'a, I: Iterator<Item = &'a Arc<LiveValue>> + Clone> Serialize for Values<'a, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for value in self.0.clone() {
            seq.serialize_element(&**value)?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire<'a, V: Serialize> {
    Snapshot {
        protocol: u32,
        epoch: &'a str,
        offset: u64,
        values: V,
    },
    Delta {
        epoch: &'a str,
        from: u64,
        to: u64,
        values: V,
    },
    Heartbeat {
        epoch: &'a str,
        offset: u64,
        #[serde(with = "time::serde::rfc3339")]
        server_time: OffsetDateTime,
    },
}

/// A frame ready to send, with the stream range it covers.
#[derive(Debug)]
pub struct Outgoing {
    pub kind: FrameKind,
    /// Deltas cover `(from, to]`; a snapshot or heartbeat has `from == to` = its offset.
    pub from: u64,
    pub to: u64,
    /// The frame for clients that see everything.
    pub text: Bytes,
    epoch: Arc<str>,
    values: Vec<Arc<LiveValue>>,
    /// The agencies owning values outside the overview: an agency's view differs from
    /// `text` only if some other agency is among them. Most frames need no filtering.
    private_owners: Vec<String>,
    /// Filtered texts already made, by agency.
    filtered: RwLock<HashMap<String, Bytes>>,
}

fn write<'a>(
    kind: FrameKind,
    epoch: &str,
    from: u64,
    to: u64,
    values: impl Iterator<Item = &'a Arc<LiveValue>> + Clone,
    server_time: OffsetDateTime,
) -> Bytes {
    let values = Values(values);
    let wire = match kind {
        FrameKind::Snapshot => Wire::Snapshot {
            protocol: PROTOCOL_VERSION,
            epoch,
            offset: to,
            values,
        },
        FrameKind::Delta => Wire::Delta {
            epoch,
            from,
            to,
            values,
        },
        FrameKind::Heartbeat => Wire::Heartbeat {
            epoch,
            offset: to,
            server_time,
        },
    };
    Bytes::from(serde_json::to_vec(&wire).expect("frames always serialise"))
}

impl Outgoing {
    /// A snapshot of `values` read at `offset`.
    pub fn snapshot(
        epoch: Arc<str>,
        offset: u64,
        values: Vec<Arc<LiveValue>>,
        rules: &VisibilityRules,
    ) -> Outgoing {
        Outgoing::new(FrameKind::Snapshot, epoch, offset, offset, values, rules)
    }

    /// A delta carrying the current `values` of what changed in `(from, to]`.
    pub fn delta(
        epoch: Arc<str>,
        from: u64,
        to: u64,
        values: Vec<Arc<LiveValue>>,
        rules: &VisibilityRules,
    ) -> Outgoing {
        Outgoing::new(FrameKind::Delta, epoch, from, to, values, rules)
    }

    /// A heartbeat carrying the head offset and the server's clock.
    pub fn heartbeat(epoch: Arc<str>, head: u64, rules: &VisibilityRules) -> Outgoing {
        Outgoing::new(FrameKind::Heartbeat, epoch, head, head, Vec::new(), rules)
    }

    fn new(
        kind: FrameKind,
        epoch: Arc<str>,
        from: u64,
        to: u64,
        values: Vec<Arc<LiveValue>>,
        rules: &VisibilityRules,
    ) -> Outgoing {
        let text = write(
            kind,
            &epoch,
            from,
            to,
            values.iter(),
            OffsetDateTime::now_utc(),
        );
        let private_owners = rules.private_owners(values.iter().map(|v| &**v));
        Outgoing {
            kind,
            from,
            to,
            text,
            epoch,
            values,
            private_owners,
            filtered: RwLock::default(),
        }
    }

    /// The text of this frame for a client with `visibility`.
    pub fn text_for(&self, visibility: &Visibility, rules: &VisibilityRules) -> Bytes {
        let agency = match visibility {
            Visibility::All => return self.text.clone(),
            Visibility::Agency(agency) => {
                if self.private_owners.iter().all(|owner| owner == agency) {
                    return self.text.clone();
                }
                agency.as_str()
            }
            // nothing of the values: the frame's position only
            Visibility::Nothing => "",
        };
        if self.kind == FrameKind::Heartbeat {
            return self.text.clone();
        }
        if let Some(text) = self
            .filtered
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(agency)
        {
            return text.clone();
        }
        let mut made = self.filtered.write().unwrap_or_else(|p| p.into_inner());
        if let Some(text) = made.get(agency) {
            return text.clone();
        }
        let text = write(
            self.kind,
            &self.epoch,
            self.from,
            self.to,
            self.values.iter().filter(|v| rules.allows(visibility, v)),
            OffsetDateTime::now_utc(),
        );
        made.insert(agency.to_string(), text.clone());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::LiveFrame;
    use std::collections::BTreeSet;

    fn rules() -> VisibilityRules {
        VisibilityRules::from_parts(
            [
                ("budget.revenue", "STC"),
                ("invest.plan", "SKHDT"),
                ("services.satisfaction.rate", "VPUB"),
            ]
            .into_iter()
            .map(|(i, a)| (i.to_string(), a.to_string()))
            .collect(),
            BTreeSet::from(["budget.revenue".to_string()]),
        )
    }

    fn value(indicator: &str, offset: u64) -> Arc<LiveValue> {
        Arc::new(LiveValue {
            indicator: indicator.into(),
            area: "14".into(),
            project: None,
            period: "2026-11-23".parse().unwrap(),
            value: "1234567890123456789.123456789".parse().unwrap(),
            unit: app::model::Unit::Dong,
            agency: "STC".into(),
            as_of: OffsetDateTime::UNIX_EPOCH,
            revision: 1,
            offset,
            previous: None,
        })
    }

    fn delta(indicators: &[&str], rules: &VisibilityRules) -> Outgoing {
        let values: Vec<Arc<LiveValue>> = indicators
            .iter()
            .enumerate()
            .map(|(i, code)| value(code, i as u64 + 1))
            .collect();
        let to = values.len() as u64;
        Outgoing::delta("e".into(), 0, to, values, rules)
    }

    fn indicators_in(text: &[u8]) -> Vec<String> {
        let LiveFrame::Delta { values, .. } = serde_json::from_slice(text).unwrap() else {
            panic!("a delta")
        };
        values.into_iter().map(|v| v.indicator).collect()
    }

    #[test]
    fn what_is_written_reads_back_as_the_wire_format() {
        let rules = rules();
        let values = vec![value("budget.revenue", 7)];
        let snapshot = Outgoing::snapshot("e1".into(), 7, values.clone(), &rules);
        let LiveFrame::Snapshot {
            protocol,
            epoch,
            offset,
            values: read,
        } = serde_json::from_slice(&snapshot.text).unwrap()
        else {
            panic!("a snapshot")
        };
        assert_eq!(
            (protocol, epoch.as_str(), offset),
            (PROTOCOL_VERSION, "e1", 7)
        );
        assert_eq!(read[0].indicator, values[0].indicator);
        // the value's digits travel exactly
        let text = std::str::from_utf8(&snapshot.text).unwrap();
        assert!(
            text.contains("\"value\":1234567890123456789.123456789"),
            "{text}"
        );
        let d = Outgoing::delta("e1".into(), 7, 9, values, &rules);
        assert!(matches!(
            serde_json::from_slice(&d.text).unwrap(),
            LiveFrame::Delta { from: 7, to: 9, .. }
        ));
        let h = Outgoing::heartbeat("e1".into(), 9, &rules);
        assert!(matches!(
            serde_json::from_slice(&h.text).unwrap(),
            LiveFrame::Heartbeat { offset: 9, .. }
        ));
    }

    #[test]
    fn an_agency_sees_the_overview_and_its_own_values_of_a_frame() {
        let rules = rules();
        let planning = Visibility::Agency("SKHDT".into());
        let mixed = delta(
            &[
                "budget.revenue",
                "invest.plan",
                "services.satisfaction.rate",
            ],
            &rules,
        );
        assert_eq!(
            indicators_in(&mixed.text_for(&planning, &rules)),
            ["budget.revenue", "invest.plan"]
        );
        assert_eq!(
            indicators_in(&mixed.text_for(&Visibility::Agency("VPUB".into()), &rules)),
            ["budget.revenue", "services.satisfaction.rate"]
        );
        assert_eq!(
            indicators_in(&mixed.text_for(&Visibility::All, &rules)).len(),
            3
        );
        assert!(indicators_in(&mixed.text_for(&Visibility::Nothing, &rules)).is_empty());
        // asked again, the same filtered text
        assert_eq!(
            mixed.text_for(&planning, &rules),
            mixed.text_for(&planning, &rules)
        );
    }

    #[test]
    fn frames_an_agency_may_see_whole_share_the_common_text() {
        let rules = rules();
        let planning = Visibility::Agency("SKHDT".into());
        for frame in [
            delta(&["budget.revenue"], &rules),
            delta(&["budget.revenue", "invest.plan"], &rules),
        ] {
            assert_eq!(frame.text_for(&planning, &rules), frame.text);
            assert!(
                frame.filtered.read().unwrap().is_empty(),
                "nothing filtered"
            );
        }
        let other = delta(&["services.satisfaction.rate"], &rules);
        assert_eq!(
            indicators_in(&other.text_for(&planning, &rules)),
            Vec::<String>::new()
        );
    }
}
