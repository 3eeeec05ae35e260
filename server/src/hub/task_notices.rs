//! Task notices: the live stream's word that a task was created or changed, sent to the
//! viewers the task concerns — everyone who may see every task, and the officers and
//! systems of its lead and coordinating agencies (and of their groups). A display sees
//! none. A notice names the task and its version only; the screen reloads what it shows
//! through the task API, which applies the same rule.
//!
//! A change reaches the hub twice at most: from the request that made it, at once, and
//! from the sweep that reads changes committed by any instance (on PostgreSQL, another
//! server's). Each task's latest version announced is remembered, so a version goes out
//! once.

use app::model::live::TaskChange;
use app::model::task::led_or_coordinated_by;
use app::model::LiveFrame;
use app::store::tasks::Changed;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;

/// Which tasks a viewer may see: `None` none, `Some(None)` all, `Some(Some(codes))` those
/// led or coordinated by one of `codes` (see [`app::model::task::scope`]).
pub type TaskScope = Option<Option<Vec<String>>>;

/// One task's change, ready to send.
#[derive(Debug)]
pub struct TaskNotice {
    lead: String,
    coordinating: Vec<String>,
    /// The `tasks` frame, serialised once for every viewer it concerns.
    text: Bytes,
}

impl TaskNotice {
    fn new(epoch: &str, changed: &Changed) -> TaskNotice {
        TaskNotice {
            lead: changed.lead.clone(),
            coordinating: changed.coordinating.clone(),
            text: frame(
                epoch,
                vec![TaskChange {
                    id: changed.id,
                    version: changed.version,
                }],
            ),
        }
    }

    /// The frame for a viewer with `scope`, if the task concerns them.
    pub fn text_for(&self, scope: &TaskScope) -> Option<Bytes> {
        let concerned = match scope {
            None => false,
            Some(None) => true,
            Some(Some(codes)) => led_or_coordinated_by(&self.lead, &self.coordinating, |c| {
                codes.iter().any(|code| code == c)
            }),
        };
        concerned.then(|| self.text.clone())
    }
}

/// A `tasks` frame naming `changed`; with none, it says "anything may have changed" (to a
/// viewer that missed notices while it lagged).
pub fn frame(epoch: &str, changed: Vec<TaskChange>) -> Bytes {
    let frame = LiveFrame::Tasks {
        epoch: epoch.to_string(),
        changed,
    };
    Bytes::from(serde_json::to_vec(&frame).expect("a tasks frame serialises"))
}

/// The latest version of each task announced.
#[derive(Debug, Default)]
pub struct Announced(Mutex<HashMap<i64, u32>>);

impl Announced {
    /// The changes not announced yet, now counted as announced.
    pub fn fresh<'a>(&self, changed: &'a [Changed]) -> Vec<&'a Changed> {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        changed
            .iter()
            .filter(|c| {
                let version = known.entry(c.id).or_default();
                let fresh = c.version > *version;
                if fresh {
                    *version = c.version;
                }
                fresh
            })
            .collect()
    }

    pub fn notices(&self, epoch: &str, changed: &[Changed]) -> Vec<TaskNotice> {
        self.fresh(changed)
            .into_iter()
            .map(|c| TaskNotice::new(epoch, c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(id: i64, version: u32, lead: &str, coordinating: &[&str]) -> Changed {
        Changed {
            id,
            version,
            lead: lead.into(),
            coordinating: coordinating.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn a_notice_reaches_those_the_task_concerns_only() {
        let notice = TaskNotice::new("e", &changed(3, 2, "SXD", &["STC"]));
        let officer = |codes: &[&str]| -> TaskScope {
            Some(Some(codes.iter().map(|c| c.to_string()).collect()))
        };
        assert!(
            notice.text_for(&Some(None)).is_some(),
            "a leader sees every task"
        );
        assert!(notice.text_for(&officer(&["SXD"])).is_some(), "the lead");
        assert!(
            notice.text_for(&officer(&["STC"])).is_some(),
            "a coordinating agency"
        );
        assert!(
            notice.text_for(&officer(&["SYT", "SXD"])).is_some(),
            "through a group"
        );
        assert!(
            notice.text_for(&officer(&["SYT"])).is_none(),
            "another agency"
        );
        assert!(notice.text_for(&None).is_none(), "a display");
        let text = notice.text_for(&Some(None)).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"type": "tasks", "epoch": "e", "changed": [{"id": 3, "version": 2}]})
        );
    }

    #[test]
    fn each_version_is_announced_once_and_never_an_older_one() {
        let announced = Announced::default();
        let first = [changed(1, 1, "SXD", &[]), changed(2, 1, "STC", &[])];
        assert_eq!(announced.fresh(&first).len(), 2);
        // the sweep reads the same changes the requests announced
        assert!(announced.fresh(&first).is_empty());
        let later = [changed(1, 3, "SXD", &[]), changed(2, 1, "STC", &[])];
        assert_eq!(announced.fresh(&later), vec![&later[0]]);
        // a sweep that read version 2 before version 3 was announced says nothing
        assert!(announced.fresh(&[changed(1, 2, "SXD", &[])]).is_empty());
    }
}
