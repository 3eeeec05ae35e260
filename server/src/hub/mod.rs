//! The live hub: turns committed events into frames and fans them out to every websocket.
//!
//! Committed events reach [`Hub::publish`] only through the log's [`tail`]: this instance's
//! [`crate::ingest::writer`] hands over each group after its commit, and on PostgreSQL the
//! tail also reads what other instances committed — each offset once, in order, so frames
//! leave in offset order and carry the same offsets on every instance. Each frame is serialised once ([`frame`]) and the
//! same bytes go to every client that may see all of it, through one bounded broadcast ring:
//! a client is a cursor into that ring, not a queue of its own, so an idle client costs a few
//! KiB. A client that falls more than the ring's length behind gets one coalesced catch-up
//! frame built from the event window ([`state::LiveState::changes_since`]) — or, if even
//! that is gone, is closed as slow and resumes on reconnect. See [`client`] for the
//! per-connection side.
//!
//! The hub's mutex guards only its state (current values and event window) and is held for
//! moments: a reader copies out pointers to the values it needs and builds and serialises its
//! frame after letting go, so a wall of screens reconnecting at once — each needing a
//! snapshot or a catch-up — never holds up a publish, and one snapshot per stream position is
//! serialised however many screens ask for it at once.
//!
//! Revocations (a display or token revoked, an account disabled) go round the ring with
//! the frames, and into a short numbered log ([`revocations`]) that a client reads when it
//! has fallen behind the ring, and once per ping: a client that lags still sees every
//! revocation. The ring also carries the news that the server is closing, so a connection
//! in step waits on the ring, its socket and its ping timer — nothing else.
//!
//! Task notices ([`task_notices`]) go round the ring too — from the request that changed a
//! task, and from the sweep that reads every instance's task changes once per heartbeat —
//! and each client sends those that concern its viewer; one that lagged behind the ring
//! is told to reload its tasks.
//!
//! The agencies' explanations in date go round the ring as one list
//! ([`explanation_list`]) whenever it changes, read by the request that wrote one and by
//! the sweep; each client sends its viewer those of the figures it sees.
//!
//! The hub never writes to the database and never drops an update silently.

pub mod alert_notices;
pub mod client;
pub mod explanation_list;
pub mod frame;
pub mod revocations;
pub mod state;
pub mod tail;
pub mod task_notices;
pub mod upgrade;

use app::model::account::Visibility;
use app::model::{Catalogue, LiveValue, StreamPosition};
use app::store::{observations, Db};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch, OnceCell};

pub use frame::{FrameKind, Outgoing};
pub use revocations::Revocation;
use revocations::Revocations;
use state::LiveState;
use task_notices::{Announced, TaskNotice};

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
        VisibilityRules::from_parts(
            catalogue
                .indicators
                .iter()
                .map(|i| (i.code.clone(), i.agency.clone()))
                .collect(),
            overview,
        )
    }

    pub fn from_parts(
        owners: HashMap<String, String>,
        overview: BTreeSet<String>,
    ) -> VisibilityRules {
        VisibilityRules { owners, overview }
    }

    fn owner(&self, indicator: &str) -> &str {
        self.owners
            .get(indicator)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Whether `visibility` may see the figures of `indicator`, owned by `owner` (also an
    /// indicator outside the catalogue, such as a sum of projects).
    pub fn sees(&self, visibility: &Visibility, indicator: &str, owner: &str) -> bool {
        visibility.allows(indicator, owner, &self.overview)
    }

    /// Whether `visibility` may see figures of `indicator`.
    pub fn allows_indicator(&self, visibility: &Visibility, indicator: &str) -> bool {
        visibility.allows(indicator, self.owner(indicator), &self.overview)
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

/// How far back each sweep looks again, so a change committed just after the previous
/// sweep read is not missed (ending a connection twice is harmless).
const SWEEP_OVERLAP: time::Duration = time::Duration::seconds(30);

/// The snapshot of one stream position, serialised by whoever asks first.
type SharedSnapshot = Arc<OnceCell<Arc<Outgoing>>>;

/// What goes round the ring.
#[derive(Debug, Clone)]
pub enum Broadcast {
    Frame(Arc<Outgoing>),
    /// Someone's right ended: each client checks it against its own principal.
    Revoked(Revocation),
    /// Tasks were created or changed (one place in the ring for a whole import): each
    /// client sends the notices that concern its viewer.
    Tasks(Arc<Vec<TaskNotice>>),
    /// Alerts were raised or changed: each client sends those its viewer may see.
    Alerts(Arc<Vec<alert_notices::AlertNotice>>),
    /// The agencies' explanations in date changed: each client sends its viewer's part.
    Explanations(Arc<explanation_list::ExplanationList>),
    /// The scenes pushed onto walls changed: each wall's connection sends what it obeys.
    Walls(Arc<Vec<app::model::wall::Push>>),
    /// The server is shutting down.
    Closing,
    /// The server lost the database: it cannot follow the stream, so its clients go and
    /// resume once it (or another instance) can.
    Unavailable,
}

pub struct Hub {
    epoch: Arc<str>,
    state: Mutex<LiveState>,
    /// Held from applying events to sending their frame (and while a heartbeat reads the
    /// head and is sent), so frames enter the ring in offset order.
    publishing: Mutex<()>,
    /// The snapshot of the latest head anyone asked for.
    snapshot: Mutex<Option<(u64, SharedSnapshot)>>,
    sender: broadcast::Sender<Broadcast>,
    revocations: Revocations,
    /// The task versions announced, so each goes out once.
    announced: Announced,
    /// The alert versions announced, so each goes out once.
    announced_alerts: alert_notices::AnnouncedAlerts,
    /// The explanations in date, as last announced.
    explanations: Mutex<Arc<explanation_list::ExplanationList>>,
    /// The pushes onto walls in force, as last announced.
    wall_pushes: Mutex<Arc<Vec<app::model::wall::Push>>>,
    shutdown: watch::Sender<bool>,
    /// Whether the hub follows the event log (always on SQLite; on PostgreSQL, while the
    /// tail is connected): a hub that does not is not live and takes no clients.
    following: std::sync::atomic::AtomicBool,
    connections: Mutex<HashMap<IpAddr, usize>>,
    /// The wall screens connected to this instance, by display id (how many connections).
    displays: Mutex<HashMap<i64, usize>>,
    /// Woken when a wall screen connects: it is marked seen at once.
    pub display_arrived: tokio::sync::Notify,
    rules: VisibilityRules,
    limits: HubLimits,
    /// Read (never written) by the revocation sweep.
    db: Db,
    /// The runtime live connections run on, apart from the one serving requests.
    connections_runtime: Mutex<Option<tokio::runtime::Runtime>>,
    connections_handle: tokio::runtime::Handle,
    /// Woken by each publish: the alert engine evaluates what changed.
    published: tokio::sync::Notify,
}

/// A wall screen's live connection, counted while it lives: [`Hub::displays_connected`].
pub struct DisplayPresence {
    hub: Arc<Hub>,
    id: i64,
}

impl Drop for DisplayPresence {
    fn drop(&mut self) {
        let mut open = self.hub.displays.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.id);
            }
        }
    }
}

/// One live connection counted against its address; dropping it releases the place.
pub struct ConnectionPermit {
    hub: Arc<Hub>,
    ip: IpAddr,
}

impl Drop for ConnectionPermit {
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

/// What a new client is sent first.
pub enum FirstFrame {
    /// Everything it missed since the position it resumes from.
    CatchUp(Arc<Outgoing>),
    /// Every current value (no position given, another epoch, or beyond the window).
    Snapshot(Arc<Outgoing>),
}

impl FirstFrame {
    pub fn frame(&self) -> &Arc<Outgoing> {
        match self {
            FirstFrame::CatchUp(f) | FirstFrame::Snapshot(f) => f,
        }
    }
}

impl Hub {
    /// Builds the hub from the database: its epoch, current values and recent events.
    pub async fn load(db: &Db, limits: HubLimits, rules: VisibilityRules) -> sqlx::Result<Hub> {
        let epoch = app::store::meta::epoch(db).await?;
        // the head first, then everything read as of it: other instances may be committing
        let head = observations::head(db).await?;
        let values = observations::current_values(db, head).await?;
        let mut recent =
            observations::event_keys_after(db, head.saturating_sub(limits.retain_events as u64))
                .await?;
        recent.retain(|(offset, ..)| *offset <= head);
        let live = LiveState::load(limits.retain_events, values, head, recent);
        Ok(Hub::new(epoch.into(), live, limits, rules, db.clone()))
    }

    fn new(
        epoch: Arc<str>,
        live: LiveState,
        limits: HubLimits,
        rules: VisibilityRules,
        db: Db,
    ) -> Hub {
        let (sender, _) = broadcast::channel(limits.client_queue.max(1));
        let (shutdown, _) = watch::channel(false);
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("ioc-live")
            .enable_all()
            .build()
            .expect("a runtime for the live connections");
        let connections_handle = runtime.handle().clone();
        let explanations = Mutex::new(Arc::new(explanation_list::ExplanationList::new(
            &epoch,
            Vec::new(),
        )));
        Hub {
            connections_runtime: Mutex::new(Some(runtime)),
            connections_handle,
            published: tokio::sync::Notify::new(),
            epoch,
            state: Mutex::new(live),
            publishing: Mutex::new(()),
            snapshot: Mutex::new(None),
            sender,
            revocations: Revocations::default(),
            announced: Announced::default(),
            announced_alerts: Default::default(),
            explanations,
            wall_pushes: Mutex::default(),
            shutdown,
            following: std::sync::atomic::AtomicBool::new(true),
            connections: Mutex::default(),
            displays: Mutex::default(),
            display_arrived: tokio::sync::Notify::new(),
            rules,
            limits,
            db,
        }
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

    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    fn state(&self) -> MutexGuard<'_, LiveState> {
        // a panic while holding the lock cannot leave LiveState half-updated in a way that
        // matters more than stopping the stream would
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn publishing(&self) -> MutexGuard<'_, ()> {
        self.publishing.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn head(&self) -> u64 {
        self.state().head()
    }

    /// A place for one more live connection from `ip`, or `None` past the limit. Taken
    /// before the upgrade is answered and held by the connection for its life, so a burst
    /// of upgrades from one address cannot all pass before the first ones are counted.
    /// Counts a wall screen's live connection for as long as the returned value lives.
    pub fn display_connected(self: &Arc<Self>, id: i64) -> DisplayPresence {
        *self
            .displays
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id)
            .or_default() += 1;
        self.display_arrived.notify_one();
        DisplayPresence {
            hub: self.clone(),
            id,
        }
    }

    /// The wall screens connected to this instance now.
    pub fn displays_connected(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .displays
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionPermit> {
        let mut open = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= self.limits.connections_per_address {
            return None;
        }
        *n += 1;
        Some(ConnectionPermit {
            hub: self.clone(),
            ip,
        })
    }

    /// Publishes committed events (ascending offsets, after every offset published
    /// before): one delta frame. Called by the observation writer, in commit order.
    pub fn publish(&self, events: Vec<LiveValue>) {
        let Some(to) = events.last().map(|e| e.offset) else {
            return;
        };
        let _order = self.publishing();
        let (from, values) = {
            let mut state = self.state();
            let from = state.head();
            (from, state.apply(events))
        };
        let frame = Outgoing::delta(self.epoch.clone(), from, to, values, &self.rules);
        // no receivers is fine: nobody is watching
        let _ = self.sender.send(Broadcast::Frame(Arc::new(frame)));
        self.published.notify_one();
    }

    /// Every current value, and the head they are at.
    pub fn current_values(&self) -> (u64, Vec<Arc<LiveValue>>) {
        let state = self.state();
        (state.head(), state.snapshot(&|_| true))
    }

    /// Waits until something is published (at once if something was since the last wait).
    pub async fn next_publish(&self) {
        self.published.notified().await;
    }

    /// Sends a heartbeat carrying the head offset through the same ring as the deltas.
    pub fn heartbeat(&self) {
        let _order = self.publishing();
        let head = self.head();
        let _ = self
            .sender
            .send(Broadcast::Frame(Arc::new(Outgoing::heartbeat(
                self.epoch.clone(),
                head,
                &self.rules,
            ))));
    }

    /// Subscribes a client: the first frame it must send (a catch-up delta from `since` if
    /// that is still in the window, else a snapshot) and its cursor into the ring, taken at
    /// one moment so nothing falls between them. The frame is built after the hub's state
    /// is released.
    pub async fn subscribe(
        &self,
        since: Option<&StreamPosition>,
    ) -> (FirstFrame, broadcast::Receiver<Broadcast>) {
        enum Plan {
            CatchUp(u64, u64, Vec<Arc<LiveValue>>),
            Snapshot(u64, SharedSnapshot, Option<Vec<Arc<LiveValue>>>),
        }
        let (plan, receiver) = {
            let state = self.state();
            let receiver = self.sender.subscribe();
            let resumed = since
                .filter(|p| *p.epoch == *self.epoch)
                .and_then(|p| Some((p.offset, state.changes_since(p.offset)?)));
            let plan = match resumed {
                Some((from, values)) => Plan::CatchUp(from, state.head(), values),
                None => {
                    let head = state.head();
                    let mut cached = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
                    match &*cached {
                        Some((at, shared)) if *at == head => {
                            Plan::Snapshot(head, shared.clone(), None)
                        }
                        _ => {
                            let shared = SharedSnapshot::default();
                            *cached = Some((head, shared.clone()));
                            Plan::Snapshot(head, shared, Some(state.snapshot(&|_| true)))
                        }
                    }
                }
            };
            (plan, receiver)
        };
        let first = match plan {
            Plan::CatchUp(from, to, values) => FirstFrame::CatchUp(Arc::new(Outgoing::delta(
                self.epoch.clone(),
                from,
                to,
                values,
                &self.rules,
            ))),
            Plan::Snapshot(head, shared, values) => {
                let made = shared
                    .get_or_init(|| async {
                        let values = match values {
                            Some(values) => values,
                            // the first asker dropped its copy before serialising: read again
                            None => self.state().snapshot(&|_| true),
                        };
                        Arc::new(Outgoing::snapshot(
                            self.epoch.clone(),
                            head,
                            values,
                            &self.rules,
                        ))
                    })
                    .await;
                FirstFrame::Snapshot(made.clone())
            }
        };
        (first, receiver)
    }

    /// A delta from `offset` to the head, coalesced, if the window still covers it.
    pub fn catch_up(&self, offset: u64) -> Option<Outgoing> {
        let (to, values) = {
            let state = self.state();
            (state.head(), state.changes_since(offset)?)
        };
        Some(Outgoing::delta(
            self.epoch.clone(),
            offset,
            to,
            values,
            &self.rules,
        ))
    }

    async fn alerts_changed_after(
        &self,
        after: OffsetDateTime,
    ) -> sqlx::Result<Vec<app::model::alert::Alert>> {
        let mut conn = self.db.acquire().await?;
        app::store::alerts::changed_after(&mut conn, after).await
    }

    async fn tasks_changed_after(
        &self,
        after: OffsetDateTime,
    ) -> sqlx::Result<Vec<app::store::tasks::Changed>> {
        let mut conn = self.db.acquire().await?;
        app::store::tasks::changed_after(&mut conn, after).await
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

    /// Tells the viewers concerned that tasks were created or changed (each version once:
    /// by the request that committed it, and again by the sweep, which says nothing new).
    pub fn tasks_changed(&self, changed: &[app::store::tasks::Changed]) {
        let notices = self.announced.notices(&self.epoch, changed);
        if !notices.is_empty() {
            let _ = self.sender.send(Broadcast::Tasks(Arc::new(notices)));
        }
    }

    /// Announces alerts raised or changed (on this instance, or read by the sweep).
    pub fn alerts_changed(&self, changed: &[app::model::alert::Alert]) {
        let notices = self.announced_alerts.notices(&self.epoch, changed);
        if !notices.is_empty() {
            let _ = self.sender.send(Broadcast::Alerts(Arc::new(notices)));
        }
    }

    /// The explanations in date, as last announced.
    pub fn explanations(&self) -> Arc<explanation_list::ExplanationList> {
        self.explanations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the explanations in date (today in Vietnam) and announces the list if it
    /// changed: after an explanation is written, and once per heartbeat.
    pub async fn refresh_explanations(&self) -> sqlx::Result<()> {
        let today = app::model::format::vietnam_date(OffsetDateTime::now_utc());
        let list = {
            let mut conn = self.db.acquire().await?;
            app::store::explanations::in_date(&mut conn, today, None).await?
        };
        let changed = {
            let mut current = self.explanations.lock().unwrap_or_else(|p| p.into_inner());
            if current.holds(&list) {
                None
            } else {
                *current = Arc::new(explanation_list::ExplanationList::new(&self.epoch, list));
                Some(current.clone())
            }
        };
        if let Some(list) = changed {
            let _ = self.sender.send(Broadcast::Explanations(list));
        }
        Ok(())
    }

    /// The pushes onto walls in force, as last announced.
    pub fn wall_pushes(&self) -> Arc<Vec<app::model::wall::Push>> {
        self.wall_pushes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the pushes onto walls in force and announces them if they changed: after a
    /// push or a release (on any instance: the sweep reads them once per heartbeat).
    pub async fn refresh_walls(&self) -> sqlx::Result<()> {
        let list = {
            let mut conn = self.db.acquire().await?;
            app::store::walls::standing_pushes(&mut conn).await?
        };
        let changed = {
            let mut current = self.wall_pushes.lock().unwrap_or_else(|p| p.into_inner());
            if **current == list {
                None
            } else {
                *current = Arc::new(list);
                Some(current.clone())
            }
        };
        if let Some(list) = changed {
            let _ = self.sender.send(Broadcast::Walls(list));
        }
        Ok(())
    }

    /// The `alerts` frame telling a viewer that missed notices to reload its alerts.
    pub fn alerts_resync(&self) -> bytes::Bytes {
        alert_notices::frame(&self.epoch, Vec::new())
    }

    /// The `tasks` frame telling a viewer that missed notices to reload its tasks.
    pub fn tasks_resync(&self) -> bytes::Bytes {
        task_notices::frame(&self.epoch, Vec::new())
    }

    /// Every heartbeat, ends the connections whose right was revoked by another process and
    /// announces the tasks and alerts another process changed and the explanations in
    /// date: six small queries per sweep, however many clients are connected.
    pub async fn run_sweeps(self: Arc<Self>) {
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
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot read revocations; trying again");
                            continue;
                        }
                    }
                    match self.alerts_changed_after(after).await {
                        Ok(changed) => self.alerts_changed(&changed),
                        Err(e) => tracing::warn!(error = %e, "cannot read alert changes; trying again"),
                    }
                    if let Err(e) = self.refresh_explanations().await {
                        tracing::warn!(error = %e, "cannot read the explanations; trying again");
                    }
                    if let Err(e) = self.refresh_walls().await {
                        tracing::warn!(error = %e, "cannot read the walls' pushes; trying again");
                    }
                    match self.tasks_changed_after(after).await {
                        Ok(changed) => {
                            self.tasks_changed(&changed);
                            after = started - SWEEP_OVERLAP;
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot read task changes; trying again"),
                    }
                }
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Ends the live connections of a user, display or agency token (they close within
    /// moments).
    pub fn revoke(&self, what: Revocation) {
        if self.revocations.record(what) {
            let _ = self.sender.send(Broadcast::Revoked(what));
        }
    }

    /// Runs a live connection on the hub's own runtime. Ten thousand screens woken by each
    /// frame would otherwise queue in front of every request the server is handling — an
    /// agency's figures first among them; apart, the system's scheduler shares the cores
    /// between the two at once.
    pub fn spawn_connection(&self, connection: impl Future<Output = ()> + Send + 'static) {
        self.connections_handle.spawn(connection);
    }

    /// Waits (at most `patience`) until every live connection has closed.
    pub async fn connections_closed(&self, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        while tokio::time::Instant::now() < deadline {
            let open: usize = self
                .connections
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .sum();
            if open == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Tells every client and background task the server is going away.
    pub fn shut_down(&self) {
        let _ = self.shutdown.send(true);
        let _ = self.sender.send(Broadcast::Closing);
    }

    /// Whether the server is shutting down.
    pub fn is_closing(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Whether the hub follows the event log now: its stream is live.
    pub fn is_following(&self) -> bool {
        self.following.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The tail lost the database (`false`): every client is closed with "try again" and
    /// new ones are refused, since this hub would show them a stream that has stopped
    /// moving as if it were live. Or it follows again (`true`), caught up.
    pub fn set_following(&self, following: bool) {
        let was = self
            .following
            .swap(following, std::sync::atomic::Ordering::SeqCst);
        if was && !following {
            let _order = self.publishing();
            let _ = self.sender.send(Broadcast::Unavailable);
        }
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

impl Drop for Hub {
    fn drop(&mut self) {
        // a runtime may not be dropped where blocking is not allowed (inside another);
        // its connections have been told to close by now
        if let Some(runtime) = self
            .connections_runtime
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            runtime.shutdown_background();
        }
    }
}

impl app::api::LiveReader for Hub {
    fn read(
        &self,
        keep: &dyn Fn(&LiveValue) -> bool,
        visibility: &Visibility,
    ) -> (String, u64, Vec<LiveValue>) {
        let (head, values) = {
            let state = self.state();
            (
                state.head(),
                state.snapshot(&|v| keep(v) && self.rules.allows(visibility, v)),
            )
        };
        let values = values.iter().map(|v| (**v).clone()).collect();
        (self.epoch.to_string(), head, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Unit;
    use std::time::Instant;

    fn value(indicator: String, offset: u64) -> LiveValue {
        LiveValue {
            indicator,
            area: "14".into(),
            project: None,
            period: "2026-11-23".parse().unwrap(),
            value: rust_decimal::Decimal::new(425, 1),
            unit: Unit::Percent,
            agency: "STC".into(),
            as_of: OffsetDateTime::UNIX_EPOCH,
            revision: 1,
            offset,
            previous: None,
        }
    }

    fn hub(values: usize) -> Hub {
        let live = LiveState::load(
            1000,
            (0..values)
                .map(|i| value(format!("indicator.{i}"), i as u64 + 1))
                .collect(),
            values as u64,
            Vec::new(),
        );
        Hub::new(
            "e".into(),
            live,
            HubLimits {
                retain_events: 1000,
                client_queue: 16,
                heartbeat: Duration::from_secs(10),
                write_timeout: Duration::from_secs(10),
                connections_per_address: 10,
            },
            VisibilityRules::default(),
            {
                sqlx::any::install_default_drivers();
                sqlx::AnyPool::connect_lazy("sqlite::memory:").unwrap()
            },
        )
    }

    /// A wall reconnecting at once needs big snapshots; building them must not hold up the
    /// publish of new figures (it used to run under the hub's lock).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_publish_does_not_wait_for_snapshots_being_built() {
        let hub = Arc::new(hub(400_000));
        let building = tokio::spawn({
            let hub = hub.clone();
            async move {
                let started = Instant::now();
                let (first, _) = hub.subscribe(None).await;
                assert!(matches!(first, FirstFrame::Snapshot(_)));
                started.elapsed()
            }
        });
        // the snapshot of 400,000 values takes far longer than this to serialise
        tokio::time::sleep(Duration::from_millis(20)).await;
        let publishing = Instant::now();
        hub.publish(vec![value("indicator.new".into(), 400_001)]);
        let publish_took = publishing.elapsed();
        let snapshot_took = building.await.unwrap();
        assert!(
            publish_took * 4 < snapshot_took,
            "publish took {publish_took:?} while a snapshot took {snapshot_took:?}"
        );
        assert_eq!(hub.head(), 400_001);
    }

    #[tokio::test]
    async fn screens_asking_at_once_share_one_snapshot_and_resume_exactly() {
        let hub = hub(10);
        let (a, mut ring) = hub.subscribe(None).await;
        let (b, _) = hub.subscribe(None).await;
        assert!(Arc::ptr_eq(a.frame(), b.frame()), "one serialisation");
        hub.publish(vec![value("indicator.3".into(), 11)]);
        let Broadcast::Frame(delta) = ring.recv().await.unwrap() else {
            panic!("a frame")
        };
        assert_eq!(
            (delta.kind, delta.from, delta.to),
            (FrameKind::Delta, 10, 11)
        );
        let since = StreamPosition {
            epoch: "e".into(),
            offset: 10,
        };
        let (resumed, _) = hub.subscribe(Some(&since)).await;
        let FirstFrame::CatchUp(frame) = resumed else {
            panic!("a catch-up")
        };
        assert_eq!((frame.from, frame.to), (10, 11));
        let (fresh, _) = hub.subscribe(None).await;
        assert_eq!(fresh.frame().to, 11, "a new head, a new snapshot");
        assert!(!Arc::ptr_eq(fresh.frame(), a.frame()));
    }
}
