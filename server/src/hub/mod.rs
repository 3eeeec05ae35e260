//! The live hub: turns committed events into frames and fans them out to every websocket.
//!
//! The ingest path calls [`Hub::publish`] after its transaction commits and while it still
//! holds the write lock, so frames leave in offset order. Each frame is serialised once and
//! the same bytes go to every client that may see all of it, through one bounded broadcast
//! ring: a client is a cursor into that ring, not a queue of its own, so an idle client costs
//! a few KiB. Clients that may see only part (an agency officer sees the overview and their
//! own agency) get a filtered text, made once per frame and agency and shared.
//! A client that falls more than the ring's length behind gets one coalesced catch-up
//! frame built from the event window ([`state::LiveState::changes_since`]) — or, if even
//! that is gone, is closed as slow and resumes on reconnect. See [`client`] for the
//! per-connection side.
//!
//! The hub never writes to the database and never drops an update silently.

pub mod client;
pub mod state;

use app::model::account::Visibility;
use app::model::live::PROTOCOL_VERSION;
use app::model::{Catalogue, LiveFrame, LiveValue, StreamPosition};
use app::store::{observations, Db};
use axum::extract::ws::Utf8Bytes;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
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
    /// The frame for clients that see everything.
    pub text: Utf8Bytes,
    /// The frame itself, to filter for clients that see a part.
    frame: LiveFrame,
    /// The agencies owning values outside the overview: an agency's view differs from
    /// `text` only if some other agency is among them. Most frames need no filtering.
    private_owners: Vec<String>,
    /// Filtered texts already made, by agency.
    filtered: RwLock<HashMap<String, Utf8Bytes>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    Snapshot,
    Delta,
    Heartbeat,
}

/// Who may see what, from the catalogue.
#[derive(Debug, Default)]
pub struct VisibilityRules {
    /// indicator → owning agency.
    owners: HashMap<String, String>,
    /// The indicators of the province overview, which everyone signed in may see.
    overview: BTreeSet<String>,
}

impl VisibilityRules {
    pub fn new(catalogue: &Catalogue, overview: BTreeSet<String>) -> VisibilityRules {
        VisibilityRules {
            owners: catalogue
                .indicators
                .iter()
                .map(|i| (i.code.clone(), i.agency.clone()))
                .collect(),
            overview,
        }
    }

    fn owner(&self, indicator: &str) -> &str {
        self.owners
            .get(indicator)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn allows(&self, visibility: &Visibility, value: &LiveValue) -> bool {
        visibility.allows(
            &value.indicator,
            self.owner(&value.indicator),
            &self.overview,
        )
    }

    /// The distinct owners of the values outside the overview.
    fn private_owners<'a>(&self, values: impl Iterator<Item = &'a LiveValue>) -> Vec<String> {
        let mut owners: Vec<String> = values
            .filter(|v| !self.overview.contains(&v.indicator))
            .map(|v| self.owner(&v.indicator).to_string())
            .collect();
        owners.sort_unstable();
        owners.dedup();
        owners
    }
}

impl Outgoing {
    fn new(
        kind: FrameKind,
        from: u64,
        to: u64,
        frame: LiveFrame,
        rules: &VisibilityRules,
    ) -> Outgoing {
        let text = encode(&frame);
        let private_owners = match &frame {
            LiveFrame::Snapshot { values, .. } | LiveFrame::Delta { values, .. } => {
                rules.private_owners(values.iter())
            }
            _ => Vec::new(),
        };
        Outgoing {
            kind,
            from,
            to,
            text,
            frame,
            private_owners,
            filtered: RwLock::default(),
        }
    }

    /// The text of this frame for a client with `visibility`.
    pub fn text_for(&self, visibility: &Visibility, rules: &VisibilityRules) -> Utf8Bytes {
        let Visibility::Agency(agency) = visibility else {
            return self.text.clone();
        };
        if self.private_owners.iter().all(|owner| owner == agency) {
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
        let keep = |values: &Vec<LiveValue>| {
            values
                .iter()
                .filter(|v| rules.allows(visibility, v))
                .cloned()
                .collect::<Vec<_>>()
        };
        let frame = match &self.frame {
            LiveFrame::Snapshot {
                protocol,
                epoch,
                offset,
                values,
            } => LiveFrame::Snapshot {
                protocol: *protocol,
                epoch: epoch.clone(),
                offset: *offset,
                values: keep(values),
            },
            LiveFrame::Delta {
                epoch,
                from,
                to,
                values,
            } => LiveFrame::Delta {
                epoch: epoch.clone(),
                from: *from,
                to: *to,
                values: keep(values),
            },
            heartbeat => heartbeat.clone(),
        };
        let text = encode(&frame);
        made.insert(agency.clone(), text.clone());
        text
    }
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
    /// Open live connections allowed from one address.
    pub connections_per_address: usize,
}

/// Something whose live connections must end now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A user's connections opened before `since` (disabled, or a new role or password).
    User { id: i64, since: OffsetDateTime },
    /// A display whose token was revoked.
    Display(i64),
    /// An agency token that was revoked.
    AgencyToken(i64),
}

impl Revocation {
    /// A user's connections opened until now.
    pub fn user(id: i64) -> Revocation {
        Revocation::User {
            id,
            since: OffsetDateTime::now_utc(),
        }
    }

    /// Whether this ends a connection that `principal` opened at `opened`.
    pub fn ends(&self, principal: &app::model::account::Principal, opened: OffsetDateTime) -> bool {
        use app::model::account::Principal;
        match (*self, principal) {
            (Revocation::User { id, since }, Principal::User { id: mine, .. }) => {
                id == *mine && opened < since
            }
            (Revocation::Display(id), Principal::Display { id: mine, .. })
            | (Revocation::AgencyToken(id), Principal::AgencyToken { id: mine, .. }) => id == *mine,
            _ => false,
        }
    }
}

/// How far back each sweep looks again, so a change committed just after the previous
/// sweep read is not missed (ending a connection twice is harmless).
const SWEEP_OVERLAP: time::Duration = time::Duration::seconds(30);

/// What goes round the ring: a frame for the clients, or a revocation each client checks
/// against its own principal. Revocations share the ring so a connection waits on one
/// channel, not two; one missed by a lagging client is announced again by the next sweep.
#[derive(Debug, Clone)]
pub enum Broadcast {
    Frame(Arc<Outgoing>),
    Revoked(Revocation),
}

pub struct Hub {
    epoch: String,
    state: Mutex<Inner>,
    sender: broadcast::Sender<Broadcast>,
    shutdown: watch::Sender<bool>,
    connections: Mutex<HashMap<IpAddr, usize>>,
    rules: VisibilityRules,
    limits: HubLimits,
    /// Read (never written) by the revocation sweep.
    db: Db,
}

struct Inner {
    live: LiveState,
    /// The last full snapshot made, by head offset: a wall of screens reconnecting at once
    /// costs one serialisation.
    snapshot: Option<(u64, Arc<Outgoing>)>,
}

fn encode(frame: &LiveFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).expect("frames always serialise"))
}

/// One live connection counted against its address; dropping it releases the place.
pub struct ConnectionPermit<'a> {
    hub: &'a Hub,
    ip: IpAddr,
}

impl Drop for ConnectionPermit<'_> {
    fn drop(&mut self) {
        let mut open = self
            .hub
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl Hub {
    /// Builds the hub from the database: its epoch, current values and recent events.
    pub async fn load(db: &Db, limits: HubLimits, rules: VisibilityRules) -> sqlx::Result<Hub> {
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
            connections: Mutex::default(),
            rules,
            limits,
            db: db.clone(),
        })
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    pub fn limits(&self) -> &HubLimits {
        &self.limits
    }

    pub fn rules(&self) -> &VisibilityRules {
        &self.rules
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

    /// A place for one more live connection from `ip`, or `None` past the limit.
    pub fn admit(&self, ip: IpAddr) -> Option<ConnectionPermit<'_>> {
        let mut open = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= self.limits.connections_per_address {
            return None;
        }
        *n += 1;
        Some(ConnectionPermit { hub: self, ip })
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
        // no receivers is fine: nobody is watching
        let _ = self.sender.send(Broadcast::Frame(Arc::new(Outgoing::new(
            FrameKind::Delta,
            from,
            to,
            frame,
            &self.rules,
        ))));
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
        let _ = self.sender.send(Broadcast::Frame(Arc::new(Outgoing::new(
            FrameKind::Heartbeat,
            head,
            head,
            frame,
            &self.rules,
        ))));
    }

    /// Subscribes a client: the first frame it must send (a catch-up delta from `since` if
    /// that is still in the window, else a snapshot) and its cursor into the ring, taken
    /// atomically so nothing falls between them.
    pub fn subscribe(
        &self,
        since: Option<&StreamPosition>,
    ) -> (Arc<Outgoing>, broadcast::Receiver<Broadcast>) {
        let mut inner = self.lock();
        let receiver = self.sender.subscribe();
        let first = since
            .filter(|p| p.epoch == self.epoch)
            .and_then(|p| self.catch_up_locked(&inner, p.offset))
            .map(Arc::new)
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
        Some(Outgoing::new(
            FrameKind::Delta,
            offset,
            to,
            frame,
            &self.rules,
        ))
    }

    fn snapshot_locked(&self, inner: &mut Inner) -> Arc<Outgoing> {
        let head = inner.live.head();
        match &inner.snapshot {
            Some((at, snapshot)) if *at == head => snapshot.clone(),
            _ => {
                let frame = LiveFrame::Snapshot {
                    protocol: PROTOCOL_VERSION,
                    epoch: self.epoch.clone(),
                    offset: head,
                    values: inner.live.snapshot(&|_| true),
                };
                let snapshot = Arc::new(Outgoing::new(
                    FrameKind::Snapshot,
                    head,
                    head,
                    frame,
                    &self.rules,
                ));
                inner.snapshot = Some((head, snapshot.clone()));
                snapshot
            }
        }
    }

    /// The revocations committed after `after`, by this process or another (the command
    /// line, another instance).
    async fn revoked_after(&self, after: OffsetDateTime) -> sqlx::Result<Vec<Revocation>> {
        use app::store::{displays, tokens, users};
        let mut conn = self.db.acquire().await?;
        let mut found: Vec<Revocation> = users::sessions_ended_after(&mut conn, after)
            .await?
            .into_iter()
            .map(|(id, since)| Revocation::User { id, since })
            .collect();
        found.extend(
            displays::revoked_after(&mut conn, after)
                .await?
                .into_iter()
                .map(Revocation::Display),
        );
        found.extend(
            tokens::revoked_after(&mut conn, after)
                .await?
                .into_iter()
                .map(Revocation::AgencyToken),
        );
        Ok(found)
    }

    /// Every heartbeat, ends the connections whose right was revoked by another process:
    /// three small queries per sweep, however many clients are connected.
    pub async fn run_revocation_sweeps(self: Arc<Self>) {
        let mut shutdown = self.shutdown_signal();
        let mut ticks = tokio::time::interval(self.limits.heartbeat);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut after = OffsetDateTime::now_utc() - SWEEP_OVERLAP;
        loop {
            tokio::select! {
                _ = ticks.tick() => {
                    let started = OffsetDateTime::now_utc();
                    match self.revoked_after(after).await {
                        Ok(found) => {
                            for r in found {
                                self.revoke(r);
                            }
                            after = started - SWEEP_OVERLAP;
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read revocations; trying again"),
                    }
                }
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Ends the live connections of a user, display or agency token (they close within
    /// moments).
    pub fn revoke(&self, what: Revocation) {
        let _ = self.sender.send(Broadcast::Revoked(what));
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
    fn read(
        &self,
        keep: &dyn Fn(&LiveValue) -> bool,
        visibility: &Visibility,
    ) -> (String, u64, Vec<LiveValue>) {
        let inner = self.lock();
        let values = inner
            .live
            .snapshot(&|v| keep(v) && self.rules.allows(visibility, v));
        (self.epoch.clone(), inner.live.head(), values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> VisibilityRules {
        VisibilityRules {
            owners: [
                ("budget.revenue", "STC"),
                ("invest.plan", "SKHDT"),
                ("services.satisfaction.rate", "VPUB"),
            ]
            .into_iter()
            .map(|(i, a)| (i.to_string(), a.to_string()))
            .collect(),
            overview: BTreeSet::from(["budget.revenue".to_string()]),
        }
    }

    fn value(indicator: &str, offset: u64) -> LiveValue {
        LiveValue {
            indicator: indicator.into(),
            area: "14".into(),
            period: "2026-11-23".parse().unwrap(),
            value: rust_decimal::Decimal::new(425, 1),
            unit: app::model::Unit::Percent,
            agency: "STC".into(),
            as_of: OffsetDateTime::UNIX_EPOCH,
            revision: 1,
            offset,
            previous: None,
        }
    }

    fn delta(indicators: &[&str], rules: &VisibilityRules) -> Outgoing {
        let values: Vec<LiveValue> = indicators
            .iter()
            .enumerate()
            .map(|(i, code)| value(code, i as u64 + 1))
            .collect();
        let to = values.len() as u64;
        let frame = LiveFrame::Delta {
            epoch: "e".into(),
            from: 0,
            to,
            values,
        };
        Outgoing::new(FrameKind::Delta, 0, to, frame, rules)
    }

    fn indicators_in(text: &str) -> Vec<String> {
        let LiveFrame::Delta { values, .. } = serde_json::from_str(text).unwrap() else {
            panic!("a delta")
        };
        values.into_iter().map(|v| v.indicator).collect()
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
