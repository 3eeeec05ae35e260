//! The database: connection pool, durability settings and migrations.
//!
//! Every connection runs in WAL mode with `synchronous = FULL`: a transaction is on disk
//! when its commit returns, so an ingest answered 2xx survives `kill -9` and power loss.
//! Both settings are read back at start-up and the server refuses to run without them.

use anyhow::{bail, Context};
use app::store::Db;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub async fn open(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| {
            format!("'{url}' is not a SQLite database URL (expected sqlite://path/to/file.sqlite)")
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // writers never pay for a checkpoint: `run_checkpoints` copies the WAL back
        .pragma("wal_autocheckpoint", "0")
        // 16 MiB of page cache per connection (the default is 2 MiB)
        .pragma("cache_size", "-16384")
        .pragma("temp_store", "memory");
    let path = options.get_filename().to_path_buf();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database directory {}", dir.display()))?;
    }
    let db = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {}", path.display()))?;
    check_durability(&db).await?;
    Ok(db)
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies committed transactions from the WAL into the database file, in the background and
/// without blocking readers or writers (a passive checkpoint), so the WAL stays small and
/// no ingest request waits for a checkpoint. Ends when `shutdown` fires.
pub async fn run_checkpoints(db: Db, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&db).await {
                    tracing::warn!(error = %e, "WAL checkpoint failed; trying again");
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// Fails unless the database runs in WAL mode with `synchronous = FULL`.
pub async fn check_durability(db: &Db) -> anyhow::Result<()> {
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(db)
        .await?;
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(db)
        .await?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("the database is in journal mode '{mode}', not WAL; acknowledged data could be lost");
    }
    // 2 = FULL, 3 = EXTRA
    if synchronous < 2 {
        bail!("the database has synchronous = {synchronous}, not FULL; acknowledged data could be lost");
    }
    Ok(())
}

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations/sqlite")
        .run(db)
        .await
        .context("cannot apply the database migrations")
}
