//! Upkeep, in the background: WAL checkpoints on SQLite (and a truncated WAL when nothing
//! is being written), idempotency records deleted after their retention period, expired sessions
//! deleted, freed memory given back to the system, and the connected wall screens marked
//! seen. Each task ends when the hub shuts
//! down.

use app::store::{idempotency, Db};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Checkpoints that found nothing new before the WAL file is truncated.
const IDLE_CHECKPOINTS_BEFORE_TRUNCATE: u32 = 2;
/// How long the truncating checkpoint waits for readers before trying again later.
const TRUNCATE_WAIT_MS: u32 = 200;

/// Copies committed transactions from the WAL into the database file every second, in the
/// background and without blocking readers or writers (a passive checkpoint), so the WAL
/// stays small and no ingest request waits for a checkpoint. Once nothing has been written
/// for a couple of seconds, truncates the WAL file to nothing, so an idle server leaves a
/// small, self-contained database file (and a WAL that a burst made large does not stay so).
pub async fn run_checkpoints(db: Db, mut shutdown: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_frames = 0i64;
    let mut idle = 0u32;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.changed() => return,
        }
        // (busy, frames in the WAL, frames checkpointed)
        let passive: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&db)
            .await;
        let (_, frames, done) = match passive {
            Ok(result) => result,
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed; trying again");
                continue;
            }
        };
        let settled = frames > 0 && frames == done && frames == last_frames;
        last_frames = frames;
        idle = if settled { idle + 1 } else { 0 };
        if idle >= IDLE_CHECKPOINTS_BEFORE_TRUNCATE {
            idle = 0;
            if let Err(e) = truncate_wal(&db).await {
                tracing::debug!(error = %e, "WAL not truncated (busy); trying again later");
            }
        }
    }
}

/// A truncating checkpoint, on a connection that waits only briefly for readers: it must
/// never hold writers up for long.
async fn truncate_wal(db: &Db) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    sqlx::query(&format!("PRAGMA busy_timeout = {TRUNCATE_WAIT_MS}"))
        .execute(&mut *conn)
        .await?;
    let truncated: sqlx::Result<(i64, i64, i64)> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut *conn)
        .await?;
    match truncated? {
        (0, _, _) => Ok(()),
        _ => Err(sqlx::Error::Protocol("readers were busy".into())),
    }
}

/// Deletes idempotency records older than `retention`, a batch at a time, as often as a
/// quarter of the retention (at most hourly).
pub async fn run_idempotency_pruning(
    db: Db,
    retention: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let every = (retention / 4).clamp(Duration::from_millis(200), Duration::from_secs(3600));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let retention = time::Duration::try_from(retention).unwrap_or(time::Duration::weeks(1));
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.changed() => return,
        }
        let before = OffsetDateTime::now_utc() - retention;
        loop {
            let pruned: sqlx::Result<u64> = async {
                let mut tx = app::store::write(&db).await?;
                let n = idempotency::prune(&mut tx, before, 5_000).await?;
                tx.commit().await?;
                Ok(n)
            }
            .await;
            match pruned {
                Ok(n) if n > 0 => {
                    tracing::debug!(
                        records = n,
                        "idempotency records past their retention deleted"
                    );
                    // let the writers in between batches
                    tokio::task::yield_now().await;
                }
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot prune idempotency records; trying again later");
                    break;
                }
            }
        }
    }
}

/// How often freed memory is given back to the system.
pub const TRIM_EVERY: Duration = Duration::from_secs(30);

/// Gives freed memory back to the system every [`TRIM_EVERY`]. A wall of screens
/// reconnecting at once is thousands of requests in flight together; once they are done,
/// glibc's allocator keeps what they used (between blocks still in use, so it cannot shrink
/// its heaps from the top): the server would go on holding the burst's peak. `malloc_trim`
/// returns those free pages; the memory the server shows is then what it uses.
pub async fn run_memory_trim(mut shutdown: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(TRIM_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => trim(),
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; no pointer of ours is
    // involved, and it is safe to call from any thread at any time
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// How often the wall screens connected to this instance are marked seen.
pub const DISPLAYS_SEEN_EVERY: Duration = Duration::from_secs(15);

/// Marks the wall screens connected to this instance's live stream as seen, every
/// [`DISPLAYS_SEEN_EVERY`] and the moment one connects: the administration page says which
/// walls are live and when each was last in contact (a wall stays connected for weeks; its
/// session's start is long past).
pub async fn run_displays_seen(hub: std::sync::Arc<crate::hub::Hub>, db: Db) {
    let mut shutdown = hub.shutdown_signal();
    let mut ticks = tokio::time::interval(DISPLAYS_SEEN_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // a wall of screens reconnecting at once is marked once a second at most
    let mut marked_at = tokio::time::Instant::now() - DISPLAYS_SEEN_EVERY;
    loop {
        tokio::select! {
            arrived = async {
                tokio::select! {
                    _ = ticks.tick() => false,
                    _ = hub.display_arrived.notified() => true,
                }
            } => {
                if arrived && marked_at.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                let live = hub.displays_connected();
                if live.is_empty() {
                    continue;
                }
                marked_at = tokio::time::Instant::now();
                let marked = async {
                    let mut tx = app::store::write(&db).await?;
                    app::store::displays::seen(&mut tx, &live, OffsetDateTime::now_utc()).await?;
                    tx.commit().await
                };
                if let Err(e) = marked.await {
                    tracing::warn!(error = %e, "cannot mark the connected walls seen; trying again");
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// Deletes expired sessions every ten minutes.
pub async fn run_session_cleanup(
    sessions: crate::auth::session_store::Sessions,
    mut shutdown: watch::Receiver<bool>,
) {
    use tower_sessions::ExpiredDeletion;
    let mut ticks = tokio::time::interval(Duration::from_secs(600));
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = sessions.delete_expired().await {
                    tracing::warn!(error = %e, "cannot delete expired sessions; trying again later");
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}
