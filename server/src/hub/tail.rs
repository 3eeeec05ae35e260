//! The hub's one way in: the tail of the event log.
//!
//! Every change a screen sees is an event in the log, published to the hub in offset order,
//! each offset once. Two kinds of news move the tail forward:
//!
//! - this instance's writer hands over what it has just committed ([`LogTail::committed`]);
//!   if the log went further meanwhile — another instance committed before it — the events in
//!   between are read from the database first, so the hub never skips an offset;
//! - on PostgreSQL, other instances' commits: each writer's transaction notifies the
//!   [`observations::STREAM_CHANNEL`] with the new head, delivered only if it commits, once
//!   per group ([`observations::announce`]). [`LogTail::follow`] listens and reads the log
//!   from the hub's head on. The notification is only a wake-up: what is published is read by
//!   offset, so a lost notification (the listener reconnecting, PostgreSQL restarted) costs a
//!   moment, not an event — after each (re)connection and every few seconds the tail reads
//!   whatever it has not seen.
//!
//! Because offsets are assigned under the stream lock in commit order
//! ([`observations::lock_stream`]), the rows visible after the hub's head are always the
//! next offsets with no holes, and every instance publishes the same (epoch, offset) for
//! the same change: a client may resume on any instance.

use app::model::LiveValue;
use app::store::{observations, Backend, Db};
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

use super::Hub;

/// Most events read from the database at once.
const READ_BATCH: usize = 5_000;
/// How often the tail reads the log even without a notification (a safety net).
const READ_EVERY: Duration = Duration::from_secs(2);
/// Wait before connecting the listener again.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);
/// How long connecting the listener may take before the database counts as unavailable.
const RECONNECT_WITHIN: Duration = Duration::from_secs(2);

pub struct LogTail {
    hub: Arc<Hub>,
    db: Db,
    /// One reader of the log at a time, so events reach the hub once and in order.
    reading: Mutex<()>,
}

impl LogTail {
    pub fn new(hub: Arc<Hub>, db: Db) -> Arc<LogTail> {
        Arc::new(LogTail {
            hub,
            db,
            reading: Mutex::new(()),
        })
    }

    /// Publishes what this instance's writer just committed (ascending offsets), after
    /// anything committed before it that the hub has not published yet. Returns once the
    /// hub has it, so a request is answered only when its figures are on the stream here.
    pub async fn committed(&self, events: Vec<LiveValue>) -> sqlx::Result<()> {
        let Some(first) = events.first().map(|e| e.offset) else {
            return Ok(());
        };
        let _one = self.reading.lock().await;
        if first > self.hub.head() + 1 {
            self.read(Some(first)).await?;
        }
        let head = self.hub.head();
        let fresh: Vec<LiveValue> = events.into_iter().filter(|e| e.offset > head).collect();
        self.hub.publish(fresh);
        Ok(())
    }

    /// Publishes every committed event the hub has not published yet.
    pub async fn catch_up(&self) -> sqlx::Result<()> {
        let _one = self.reading.lock().await;
        self.read(None).await
    }

    /// Reads the log after the hub's head (up to `before`) and publishes it, a batch at a
    /// time. The caller holds `reading`.
    async fn read(&self, before: Option<u64>) -> sqlx::Result<()> {
        loop {
            let head = self.hub.head();
            let events = observations::events_after(&self.db, head, before, READ_BATCH).await?;
            let read = events.len();
            if let Some(first) = events.first() {
                if first.offset != head + 1 {
                    // only a log copied with holes in it (older databases) does this
                    tracing::warn!(
                        head,
                        next = first.offset,
                        "the event log skips offsets here"
                    );
                }
            }
            self.hub.publish(events);
            if read < READ_BATCH {
                return Ok(());
            }
        }
    }

    /// On PostgreSQL, follows the commits of every instance until the hub shuts down:
    /// listens for the writers' notifications and reads the log by offset. Nothing to do
    /// on SQLite, where this process is the only writer.
    pub async fn follow(self: Arc<Self>) {
        if Backend::of(&self.db) != Backend::Postgres {
            return;
        }
        let url = self.db.connect_options().database_url.to_string();
        // the listener's own connection, which fails fast when the database is away (the
        // default waits half a minute, while screens would be shown a stream that stopped)
        let connection = match PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(RECONNECT_WITHIN)
            .connect_lazy(&url)
        {
            Ok(pool) => pool,
            Err(e) => {
                tracing::error!(error = %e, "cannot follow the event log: the database URL is unusable");
                return;
            }
        };
        let mut shutdown = self.hub.shutdown_signal();
        let mut connected_before = false;
        loop {
            let listening = async {
                let mut listener = PgListener::connect_with(&connection).await?;
                // a lost connection is reported at once; this loop reconnects
                listener.eager_reconnect(false);
                listener.listen(observations::STREAM_CHANNEL).await?;
                Ok::<_, sqlx::Error>(listener)
            };
            let listening = async {
                let listener = listening.await?;
                // what was committed while nobody listened
                self.catch_up().await?;
                Ok::<_, sqlx::Error>(listener)
            };
            let mut listener = tokio::select! {
                listening = listening => match listening {
                    Ok(listener) => listener,
                    Err(e) => {
                        // the stream here has stopped moving: screens go, and come back
                        // (here or to another instance) when it moves again
                        if self.hub.is_following() {
                            tracing::warn!(error = %e, "lost the database: live clients here are sent away until it is back");
                        }
                        self.hub.set_following(false);
                        if wait_or_shutdown(&mut shutdown, RECONNECT_AFTER).await {
                            return;
                        }
                        continue;
                    }
                },
                _ = shutdown.changed() => return,
            };
            if connected_before && !self.hub.is_following() {
                tracing::info!("the database is back: following the event log again");
            }
            connected_before = true;
            self.hub.set_following(true);
            let mut ticks = tokio::time::interval(READ_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    received = listener.try_recv() => match received {
                        Ok(Some(notification)) => {
                            let announced = notification.payload().parse::<u64>().unwrap_or(u64::MAX);
                            // this instance's own commits are usually published already
                            if announced > self.hub.head() {
                                self.catch_up_logged().await;
                            }
                        }
                        Ok(None) | Err(_) => {
                            // reconnect at once; clients go only if that fails
                            tracing::warn!("lost the connection that listens for the event log's commits; reconnecting");
                            break;
                        }
                    },
                    _ = ticks.tick() => {
                        // the listener may stay quiet on a cut network: the log cannot
                        // be read either, so start over (and send clients away if that fails)
                        if let Err(e) = self.catch_up().await {
                            tracing::warn!(error = %e, "cannot read the event log; reconnecting");
                            break;
                        }
                    }
                    _ = shutdown.changed() => return,
                }
            }
        }
    }

    async fn catch_up_logged(&self) {
        if let Err(e) = self.catch_up().await {
            tracing::warn!(error = %e, "cannot read the event log; trying again");
        }
    }
}

/// Sleeps for `wait`; true if the server began shutting down meanwhile.
async fn wait_or_shutdown(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(wait) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}
