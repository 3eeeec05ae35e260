//! Explanations on the live stream: the agencies' explanations in date, as one list. Each
//! viewer is sent the explanations of the figures it sees — after the first frame of its
//! connection (when there are any), whenever the list changes (one written on any
//! instance, one whose last day passed), and after it fell behind the ring — and its
//! screen replaces what it had. Whether an explanation still stands for the figure on
//! screen (no newer figure since) is the screen's to judge, as the figures move.
//!
//! The list is read from the database by the request that wrote an explanation and by the
//! sweep once per heartbeat, so every instance sends the same list.

use app::model::account::Visibility;
use app::model::explanation::{Explanation, ExplanationNote};
use app::model::LiveFrame;
use bytes::Bytes;
use std::sync::Mutex;

use super::VisibilityRules;

/// The explanations in date, and each viewer's frame of them, made on first use.
#[derive(Debug, Default)]
pub struct ExplanationList {
    epoch: String,
    list: Vec<Explanation>,
    /// One frame per visibility asked for (all, or one agency's).
    texts: Mutex<Vec<(Visibility, Bytes)>>,
}

impl ExplanationList {
    pub fn new(epoch: &str, list: Vec<Explanation>) -> ExplanationList {
        ExplanationList {
            epoch: epoch.to_string(),
            list,
            texts: Mutex::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether it holds exactly `list`.
    pub fn holds(&self, list: &[Explanation]) -> bool {
        self.list == list
    }

    /// The `explanations` frame for a viewer who sees the figures of `visibility` (none for
    /// a screen that sees no figures).
    pub fn text_for(&self, visibility: &Visibility, rules: &VisibilityRules) -> Option<Bytes> {
        if *visibility == Visibility::Nothing {
            return None;
        }
        let mut texts = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, text)) = texts.iter().find(|(v, _)| v == visibility) {
            return Some(text.clone());
        }
        let frame = LiveFrame::Explanations {
            epoch: self.epoch.clone(),
            standing: self
                .list
                .iter()
                .filter(|e| rules.sees(visibility, &e.indicator, &e.agency))
                .map(ExplanationNote::of)
                .collect(),
        };
        let text =
            Bytes::from(serde_json::to_vec(&frame).expect("an explanations frame serialises"));
        texts.push((visibility.clone(), text.clone()));
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};
    use time::macros::{date, datetime};

    fn explanation(id: i64, indicator: &str, agency: &str) -> Explanation {
        Explanation {
            id,
            indicator: indicator.into(),
            area: "14".into(),
            agency: agency.into(),
            author: "Cán bộ".into(),
            why: "Lý do".into(),
            action: "Việc làm".into(),
            by: None,
            created_at: datetime!(2026-12-04 09:00 +7),
            expires_on: date!(2026 - 12 - 11),
            figure_as_of: None,
        }
    }

    fn standing(text: &Bytes) -> Vec<i64> {
        match serde_json::from_slice::<LiveFrame>(text).unwrap() {
            LiveFrame::Explanations { standing, epoch } => {
                assert_eq!(epoch, "e");
                standing.iter().map(|e| e.id).collect()
            }
            other => panic!("not an explanations frame: {other:?}"),
        }
    }

    /// Each viewer is sent the explanations of the figures it sees: everything, or its own
    /// agency's and the province overview's.
    #[test]
    fn a_viewer_is_sent_the_explanations_of_what_it_sees() {
        let rules = VisibilityRules::from_parts(
            HashMap::from([
                ("budget.revenue.ytd".to_string(), "STC".to_string()),
                ("health.beds".to_string(), "SYT".to_string()),
                ("services.ontime.rate".to_string(), "VPUB".to_string()),
            ]),
            BTreeSet::from(["services.ontime.rate".to_string()]),
        );
        let list = ExplanationList::new(
            "e",
            vec![
                explanation(3, "budget.revenue.ytd", "STC"),
                explanation(2, "health.beds", "SYT"),
                explanation(1, "services.ontime.rate", "VPUB"),
            ],
        );
        let all = list.text_for(&Visibility::All, &rules).unwrap();
        assert_eq!(standing(&all), vec![3, 2, 1]);
        let health = list
            .text_for(&Visibility::Agency("SYT".into()), &rules)
            .unwrap();
        assert_eq!(standing(&health), vec![2, 1]);
        assert_eq!(list.text_for(&Visibility::Nothing, &rules), None);
        // made once per visibility
        assert!(list
            .text_for(&Visibility::All, &rules)
            .is_some_and(|t| t.as_ptr() == all.as_ptr()));
        assert!(list.holds(&[
            explanation(3, "budget.revenue.ytd", "STC"),
            explanation(2, "health.beds", "SYT"),
            explanation(1, "services.ontime.rate", "VPUB"),
        ]));
        assert!(!list.holds(&[]));
    }
}
