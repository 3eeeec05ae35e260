//! The live hub: turns committed events into frames and fans them out to every websocket.
//!
//! The ingest path calls [`Hub::publish`] after its transaction commits and while it still
//! holds the write lock, so frames leave in offset order. Each frame is serialised once and
//! the same bytes go to every client through one bounded broadcast ring: a client is a
//! cursor into that ring, not a queue of its own, so an idle client costs a few KiB.
//! A client that falls more than the ring's length behind gets one coalesced catch-up
//! frame built from the event window ([`state::LiveState::changes_since`]) — or, if even
//! that is gone, is closed as slow and resumes on reconnect. See [`client`] for the
//! per-connection side.
//!
//! The hub never writes to the database and never drops an update silently.

pub mod client;
pub mod state;

use app::model::live::PROTOCOL_VERSION;
use app::model::{LiveFrame, LiveValue, StreamPosition};
use app::store::{observations, Db};
use axum::extract::ws::Utf8Bytes;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};

use state::LiveState;

/// A frame ready to send, with the stream range it covers.
#[derive(Debug)]
pub struct Outgoing {
    pub kind: FrameKind,
    /// Deltas cover `(from, to]`; a snapshot or heartbeat has `from == to` = its offset.
    pub from: u64,
    pub to: u64,
    pub text: Utf8Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Snapshot,
    Delta,
    Heartbeat,
}

/// Tuning of the fan-out.
#[derive(Debug, Clone)]
pub struct HubLimits {
    /// Events kept in memory for catch-up.
    pub retain_events: usize,
    /// Frames a client may lag behind before it is caught up with a coalesced frame.
    pub client_queue: usize,
    pub heartbeat: Duration,
    pub write_timeout: Duration,
}

pub struct Hub {
    epoch: String,
    state: Mutex<Inner>,
    sender: broadcast::Sender<Arc<Outgoing>>,
    shutdown: watch::Sender<bool>,
    limits: HubLimits,
}

struct Inner {
    live: LiveState,
    /// The last full snapshot serialised, by head offset: a wall of screens reconnecting
    /// at once costs one serialisation.
    snapshot: Option<(u64, Utf8Bytes)>,
}

fn encode(frame: &LiveFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).expect("frames always serialise"))
}

impl Hub {
    /// Builds the hub from the database: its epoch, current values and recent events.
    pub async fn load(db: &Db, limits: HubLimits) -> sqlx::Result<Hub> {
        let epoch = app::store::meta::epoch(db).await?;
        let head = observations::head(db).await?;
        let values = observations::current_values(db).await?;
        let recent =
            observations::event_keys_after(db, head.saturating_sub(limits.retain_events as u64))
                .await?;
        let live = LiveState::load(limits.retain_events, values, head, recent);
        let (sender, _) = broadcast::channel(limits.client_queue.max(1));
        let (shutdown, _) = watch::channel(false);
        Ok(Hub {
            epoch,
            state: Mutex::new(Inner {
                live,
                snapshot: None,
            }),
            sender,
            shutdown,
            limits,
        })
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    pub fn limits(&self) -> &HubLimits {
        &self.limits
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // a panic while holding the lock cannot leave LiveState half-updated in a way that
        // matters more than stopping the stream would
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn head(&self) -> u64 {
        self.lock().live.head()
    }

    /// Publishes committed events (ascending offsets). Call in commit order.
    pub fn publish(&self, events: Vec<LiveValue>) {
        let Some(to) = events.last().map(|e| e.offset) else {
            return;
        };
        let mut inner = self.lock();
        let from = inner.live.head();
        let values = inner.live.apply(events);
        let frame = LiveFrame::Delta {
            epoch: self.epoch.clone(),
            from,
            to,
            values,
        };
        let text = encode(&frame);
        // no receivers is fine: nobody is watching
        let _ = self.sender.send(Arc::new(Outgoing {
            kind: FrameKind::Delta,
            from,
            to,
            text,
        }));
    }

    /// Sends a heartbeat carrying the head offset through the same ring as the deltas.
    pub fn heartbeat(&self) {
        let inner = self.lock();
        let head = inner.live.head();
        let frame = LiveFrame::Heartbeat {
            epoch: self.epoch.clone(),
            offset: head,
            server_time: OffsetDateTime::now_utc(),
        };
        let _ = self.sender.send(Arc::new(Outgoing {
            kind: FrameKind::Heartbeat,
            from: head,
            to: head,
            text: encode(&frame),
        }));
    }

    /// Subscribes a client: the first frame it must send (a catch-up delta from `since` if
    /// that is still in the window, else a snapshot) and its cursor into the ring, taken
    /// atomically so nothing falls between them.
    pub fn subscribe(
        &self,
        since: Option<&StreamPosition>,
    ) -> (Outgoing, broadcast::Receiver<Arc<Outgoing>>) {
        let mut inner = self.lock();
        let receiver = self.sender.subscribe();
        let first = since
            .filter(|p| p.epoch == self.epoch)
            .and_then(|p| self.catch_up_locked(&inner, p.offset))
            .unwrap_or_else(|| self.snapshot_locked(&mut inner));
        (first, receiver)
    }

    /// A delta from `offset` to the head, coalesced, if the window still covers it.
    pub fn catch_up(&self, offset: u64) -> Option<Outgoing> {
        let inner = self.lock();
        self.catch_up_locked(&inner, offset)
    }

    fn catch_up_locked(&self, inner: &Inner, offset: u64) -> Option<Outgoing> {
        let values = inner.live.changes_since(offset)?;
        let to = inner.live.head();
        let frame = LiveFrame::Delta {
            epoch: self.epoch.clone(),
            from: offset,
            to,
            values,
        };
        Some(Outgoing {
            kind: FrameKind::Delta,
            from: offset,
            to,
            text: encode(&frame),
        })
    }

    fn snapshot_locked(&self, inner: &mut Inner) -> Outgoing {
        let head = inner.live.head();
        let text = match &inner.snapshot {
            Some((at, text)) if *at == head => text.clone(),
            _ => {
                let frame = LiveFrame::Snapshot {
                    protocol: PROTOCOL_VERSION,
                    epoch: self.epoch.clone(),
                    offset: head,
                    values: inner.live.snapshot(&|_| true),
                };
                let text = encode(&frame);
                inner.snapshot = Some((head, text.clone()));
                text
            }
        };
        Outgoing {
            kind: FrameKind::Snapshot,
            from: head,
            to: head,
            text,
        }
    }

    /// Tells every client the server is going away.
    pub fn shut_down(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Sends heartbeats until the hub shuts down.
    pub async fn run_heartbeats(self: Arc<Self>) {
        let mut shutdown = self.shutdown_signal();
        let mut ticks = tokio::time::interval(self.limits.heartbeat);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => self.heartbeat(),
                _ = shutdown.changed() => return,
            }
        }
    }
}

impl app::api::LiveReader for Hub {
    fn read(&self, keep: &dyn Fn(&LiveValue) -> bool) -> (String, u64, Vec<LiveValue>) {
        let inner = self.lock();
        (
            self.epoch.clone(),
            inner.live.head(),
            inner.live.snapshot(keep),
        )
    }
}
