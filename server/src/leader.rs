//! One runner of background work among the instances serving one database.
//!
//! The demo feed, the retention sweeps (idempotency records, expired sessions) and, on
//! SQLite, the WAL checkpoints must run once per database, not once per instance. On
//! PostgreSQL the instances elect a leader with a session-level advisory lock, held by a
//! connection of the leader's own: while it holds the lock, the leader runs that work; when
//! the leader dies, its connection closes, PostgreSQL releases the lock, and another
//! instance — trying every [`CONTEND_EVERY`] — takes it over. A leader that loses its
//! connection (PostgreSQL restarted, network cut) stops its work at once and contends again
//! like the others. On SQLite, one process serves the database: it leads.

use app::store::{Backend, Db};
use sqlx::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The advisory lock the leader holds ("IOC lead" in ASCII).
pub const LEADER_LOCK: i64 = 0x494f_4320_6c65_6164;
/// How often an instance that does not lead tries to, and the leader checks it still does.
pub const CONTEND_EVERY: Duration = Duration::from_secs(1);

/// Whether this instance leads now (shown by the health answer).
#[derive(Debug, Clone, Default)]
pub struct Leading(Arc<AtomicBool>);

impl Leading {
    pub fn now(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self, leading: bool) {
        self.0.store(leading, Ordering::Relaxed);
    }
}

/// Runs `lead` whenever this instance becomes the leader, until the server shuts down. `lead`
/// starts the leader's tasks, giving each the receiver it gets: it turns true when the
/// leadership ends (or the server shuts down), and the tasks must then stop.
pub async fn run(
    db: Db,
    leading: Leading,
    mut shutdown: watch::Receiver<bool>,
    lead: impl Fn(watch::Receiver<bool>) + Send + 'static,
) {
    if Backend::of(&db) == Backend::Sqlite {
        leading.set(true);
        lead(shutdown);
        return;
    }
    let url = db.connect_options().database_url.to_string();
    loop {
        if let Some(mut conn) = contend(&url, &mut shutdown).await {
            leading.set(true);
            tracing::info!("this instance now runs the background work (demo feed, sweeps)");
            let (stop, stopped) = watch::channel(false);
            lead(stopped);
            let mut checks = tokio::time::interval(CONTEND_EVERY);
            checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let server_stopping = loop {
                tokio::select! {
                    _ = checks.tick() => {
                        // a cut network may not fail the ping, only stall it: past a few
                        // seconds this instance stops leading (the lock stays with the old
                        // connection until PostgreSQL drops it: nobody leads twice)
                        let answered = tokio::time::timeout(CONTEND_EVERY * 3, conn.ping()).await;
                        if !matches!(answered, Ok(Ok(()))) {
                            tracing::warn!("lost the leader's connection: stopping the background work here");
                            break false;
                        }
                    }
                    _ = shutdown.changed() => break true,
                }
            };
            leading.set(false);
            let _ = stop.send(true);
            if server_stopping {
                // closing the connection gives the lock to another instance at once
                let _ = conn.close().await;
                return;
            }
        } else {
            return;
        }
    }
}

/// Tries to take the leader's lock every [`CONTEND_EVERY`] (on one connection, made again
/// if it breaks) until it is held — the connection that holds it — or the server shuts
/// down (`None`).
async fn contend(url: &str, shutdown: &mut watch::Receiver<bool>) -> Option<sqlx::PgConnection> {
    let mut conn: Option<sqlx::PgConnection> = None;
    loop {
        let attempt = async {
            let c = match &mut conn {
                Some(c) => c,
                None => conn.insert(sqlx::PgConnection::connect(url).await?),
            };
            sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                .bind(LEADER_LOCK)
                .fetch_one(c)
                .await
        };
        match attempt.await {
            Ok(true) => return conn,
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(error = %e, "cannot contend for leadership now");
                conn = None;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(CONTEND_EVERY) => {}
            _ = shutdown.changed() => return None,
        }
        if *shutdown.borrow() {
            return None;
        }
    }
}
