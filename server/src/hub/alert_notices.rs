//! Alert notices: the live stream's word that an alert was raised or changed, sent to the
//! viewers who may see it — everyone who sees every figure (leaders, operators,
//! administrators, wall screens), and the officers and systems of the agency it is against.
//! A notice names the alert and its version; the console reloads what it shows through the
//! alert API, which applies the same rule. A viewer that lagged behind the ring gets a
//! notice naming none ("anything may have changed"), and a screen that reconnects reloads
//! its alerts, so no alert is missed across a drop.
//!
//! Alerts are changed by the leader's engine and by people on any instance; each instance
//! also reads the alerts changed anywhere once per heartbeat (the sweep). Each version is
//! announced once.

use app::model::account::Visibility;
use app::model::alert::Alert;
use app::model::live::TaskChange;
use app::model::LiveFrame;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;

/// One alert's change, ready to send.
#[derive(Debug)]
pub struct AlertNotice {
    agency: String,
    text: Bytes,
}

impl AlertNotice {
    /// The frame for a viewer who sees `visibility`, if the alert is theirs to see.
    pub fn text_for(&self, visibility: &Visibility) -> Option<Bytes> {
        let sees = match visibility {
            Visibility::All => true,
            Visibility::Agency(code) => *code == self.agency,
            Visibility::Nothing => false,
        };
        sees.then(|| self.text.clone())
    }
}

/// An `alerts` frame naming `changed`; with none, "anything may have changed".
pub fn frame(epoch: &str, changed: Vec<TaskChange>) -> Bytes {
    let frame = LiveFrame::Alerts {
        epoch: epoch.to_string(),
        changed,
    };
    Bytes::from(serde_json::to_vec(&frame).expect("an alerts frame serialises"))
}

/// The latest version of each alert announced.
#[derive(Debug, Default)]
pub struct AnnouncedAlerts(Mutex<HashMap<i64, u32>>);

impl AnnouncedAlerts {
    /// Notices for the alerts whose version was not announced yet.
    pub fn notices(&self, epoch: &str, changed: &[Alert]) -> Vec<AlertNotice> {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        changed
            .iter()
            .filter(|a| {
                let version = known.entry(a.id).or_default();
                let fresh = a.version > *version;
                if fresh {
                    *version = a.version;
                }
                fresh
            })
            .map(|a| AlertNotice {
                agency: a.agency.clone(),
                text: frame(
                    epoch,
                    vec![TaskChange {
                        id: a.id,
                        version: a.version,
                    }],
                ),
            })
            .collect()
    }
}
