//! The database: which URLs are understood, the connection pools, durability settings,
//! migrations, and the lock that keeps one serving process per SQLite file.
//!
//! Two backends: SQLite, embedded, for one serving process (the default), and PostgreSQL,
//! for several instances on one database. The store's queries run on both through one
//! `Any` pool ([`open`]); sessions and the PostgreSQL-only work (notifications, advisory
//! locks) use typed pools made from the same URL.
//!
//! SQLite: every connection runs in WAL mode with `synchronous = FULL`, so a transaction
//! is on disk when its commit returns and an ingest answered 2xx survives `kill -9` and
//! power loss; both settings are read back at start-up and the server refuses to run
//! without them. PostgreSQL: a commit is durable when it returns unless the server was
//! configured otherwise (`synchronous_commit = off`, `fsync = off`), which is refused too.

use anyhow::{bail, Context};
use app::store::{Backend, Db};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crate::auth::session_store::Sessions;

/// The database URLs the server understands, for messages.
pub const SUPPORTED: &str =
    "sqlite://path/to/file.sqlite (embedded) or postgres://user@host/database (several instances)";

/// Connections of the store's pool.
const POOL_CONNECTIONS: u32 = 8;
/// How long a request waits for a connection before it is answered "unavailable".
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The backend of `url`, or why it is not a database URL we understand (a `postgres:`
/// typo must not become a directory holding a SQLite file).
pub fn backend(url: &str) -> anyhow::Result<Backend> {
    if let Some(backend) = Backend::of_url(url) {
        return Ok(backend);
    }
    match url.split_once(':').map(|(s, _)| s.to_ascii_lowercase()) {
        Some(other)
            if !other.is_empty()
                && other
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            bail!("the database URL scheme `{other}:` is not supported; use {SUPPORTED}")
        }
        _ => bail!("`{url}` is not a database URL; use {SUPPORTED}"),
    }
}

/// The options of a SQLite URL, with the settings every connection runs with.
fn sqlite_options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    if backend(url)? != Backend::Sqlite {
        bail!("`{url}` is not a SQLite database URL");
    }
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("`{url}` is not a SQLite database URL; use {SUPPORTED}"))?;
    Ok(options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // writers never pay for a checkpoint: the upkeep task copies the WAL back
        .pragma("wal_autocheckpoint", "0")
        // 16 MiB of page cache per connection (the default is 2 MiB)
        .pragma("cache_size", "-16384")
        .pragma("temp_store", "memory"))
}

/// The same settings, for connections of the `Any` pool, which are made from the URL alone.
const SQLITE_SESSION_SETTINGS: &str = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;
    PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -16384;
    PRAGMA temp_store = memory;";

/// The file a SQLite URL names (`None` for an in-memory database or a PostgreSQL URL).
pub fn sqlite_path(url: &str) -> anyhow::Result<Option<PathBuf>> {
    if backend(url)? != Backend::Sqlite {
        return Ok(None);
    }
    let options = sqlite_options(url)?;
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    Ok(Some(options.get_filename().to_path_buf()))
}

/// Opens the store's pool on `url`, creating a SQLite file (and its directory) if missing,
/// and checks that commits are durable.
pub async fn open(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    match backend(url)? {
        Backend::Sqlite => open_sqlite(url).await,
        Backend::Postgres => open_postgres(url).await,
    }
}

async fn open_sqlite(url: &str) -> anyhow::Result<Db> {
    let options = sqlite_options(url)?.create_if_missing(true);
    let path = options.get_filename().to_path_buf();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database directory {}", dir.display()))?;
    }
    // created, and switched to WAL (a setting of the file), before the pool opens it
    options
        .connect()
        .await
        .with_context(|| format!("cannot open the database {}", path.display()))?
        .close()
        .await?;
    let db = AnyPoolOptions::new()
        .max_connections(POOL_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute(SQLITE_SESSION_SETTINGS).await.map(|_| ()) })
        })
        .connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", path.display()))?;
    check_durability(&db).await?;
    Ok(db)
}

async fn open_postgres(url: &str) -> anyhow::Result<Db> {
    let db = AnyPoolOptions::new()
        .max_connections(POOL_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .with_context(|| format!("cannot connect to the database {}", redacted(url)))?;
    check_durability(&db).await?;
    Ok(db)
}

/// `url` without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Fails unless a commit is on disk when it returns: SQLite in WAL mode with
/// `synchronous = FULL`; PostgreSQL with `fsync` and `synchronous_commit` on.
pub async fn check_durability(db: &Db) -> anyhow::Result<()> {
    match Backend::of(db) {
        Backend::Sqlite => {
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
        }
        Backend::Postgres => {
            for setting in ["fsync", "synchronous_commit"] {
                let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
                    .fetch_one(db)
                    .await?;
                if value.eq_ignore_ascii_case("off") {
                    bail!("the database has {setting} = off; acknowledged data could be lost");
                }
            }
        }
    }
    Ok(())
}

/// Brings the schema up to date: `migrations/sqlite` or `migrations/postgres`.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    let url = db.connect_options().database_url.to_string();
    match Backend::of(db) {
        Backend::Sqlite => {
            run_sqlite_migrations(&url, &sqlx::migrate!("../migrations/sqlite")).await
        }
        Backend::Postgres => {
            let mut conn = PgConnectOptions::from_str(&url)?
                .connect()
                .await
                .context("cannot connect to the database to migrate it")?;
            // the migrator holds an advisory lock: instances starting at once take turns
            sqlx::migrate!("../migrations/postgres")
                .run_direct(&mut conn)
                .await
                .context("cannot apply the database migrations")?;
            conn.close().await?;
            Ok(())
        }
    }
}

/// Applies `migrations` on a connection of their own with foreign keys off — SQLite can
/// only rebuild a table (to change a constraint) so, and ignores the setting inside the
/// transaction each migration runs in — then checks every foreign key: a violation stops
/// start-up instead of being left in the data.
async fn run_sqlite_migrations(
    url: &str,
    migrations: &sqlx::migrate::Migrator,
) -> anyhow::Result<()> {
    let mut conn = sqlite_options(url)?
        .foreign_keys(false)
        .connect()
        .await
        .context("cannot open the database to migrate it")?;
    migrations
        .run_direct(&mut conn)
        .await
        .context("cannot apply the database migrations")?;
    let broken: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
            .fetch_all(&mut conn)
            .await?;
    if let Some((table, row, parent)) = broken.first() {
        bail!(
            "after the migrations, {} row(s) refer to missing rows (first: {table} row {} → {parent}); the database needs a look before the server may use it",
            broken.len(),
            row.map_or_else(|| "?".to_string(), |r| r.to_string())
        );
    }
    conn.close().await?;
    Ok(())
}

/// The session store on the same database as `db`, its table made if missing.
pub async fn sessions(db: &Db) -> anyhow::Result<Sessions> {
    let url = db.connect_options().database_url.to_string();
    match Backend::of(db) {
        Backend::Sqlite => {
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(sqlite_options(&url)?)
                .await?;
            let store = tower_sessions_sqlx_store::SqliteStore::new(pool);
            store
                .migrate()
                .await
                .context("cannot create the sessions table")?;
            Ok(Sessions::Sqlite(store))
        }
        Backend::Postgres => {
            // the table is made by the migrations (instances starting at once would race)
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect(&url)
                .await?;
            Ok(Sessions::Postgres(
                tower_sessions_sqlx_store::PostgresStore::new(pool),
            ))
        }
    }
}

/// Held for as long as `ioc serve` runs on a SQLite file. Each serving process publishes
/// only its own commits to its own screens, so a second one on the same file would give
/// every screen silent gaps: it refuses to start instead. (The command line's other
/// commands may run beside a server; it picks up what they change.)
pub struct ServeLock {
    _file: File,
    path: PathBuf,
}

impl ServeLock {
    /// Takes the lock of the database `url` names, or says which process holds it.
    pub fn acquire(url: &str) -> anyhow::Result<Option<ServeLock>> {
        let Some(db) = sqlite_path(url)? else {
            return Ok(None);
        };
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("cannot create the database directory {}", dir.display())
            })?;
        }
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(".serve-lock");
        let path = db.with_file_name(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {
                // who holds it, for the message another process gives
                let _ = file.set_len(0);
                let _ = std::io::Write::write_all(
                    &mut &file,
                    std::process::id().to_string().as_bytes(),
                );
                Ok(Some(ServeLock { _file: file, path }))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                bail!(
                    "another `ioc serve`{} is already serving the database {}: one serving process per SQLite database (a second one would miss the first one's updates). Stop it first, or give this one another --database-url.",
                    if holder.is_empty() { String::new() } else { format!(" (process {holder})") },
                    db.display()
                )
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_urls_are_understood_and_nothing_else() {
        assert_eq!(
            sqlite_path("sqlite://data/ioc.sqlite").unwrap(),
            Some(PathBuf::from("data/ioc.sqlite"))
        );
        assert_eq!(sqlite_path("sqlite::memory:").unwrap(), None);
        assert_eq!(backend("postgres://ioc@db/ioc").unwrap(), Backend::Postgres);
        assert_eq!(
            backend("postgresql://ioc@db/ioc").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            sqlite_path("postgres://ioc@db/ioc").unwrap(),
            None,
            "no file"
        );
        let err = backend("mysql://ioc@db/ioc").unwrap_err().to_string();
        assert!(
            err.contains("`mysql:` is not supported") && err.contains(SUPPORTED),
            "{err}"
        );
        let err = backend("data/ioc.sqlite").unwrap_err().to_string();
        assert!(err.contains("is not a database URL"), "{err}");
        assert_eq!(
            redacted("postgres://ioc:secret@db/ioc"),
            "postgres://ioc:***@db/ioc"
        );
    }

    /// Databases made before Phường Chiềng An's code was corrected keep their figures,
    /// under the right code.
    #[tokio::test]
    async fn figures_under_chieng_ans_old_code_move_to_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
        let db = open(&url).await.unwrap();
        let mut before = sqlx::migrate!("../migrations/sqlite");
        let earlier: Vec<_> = before
            .migrations
            .iter()
            .filter(|m| m.version < 20261202000003)
            .cloned()
            .collect();
        before.migrations = std::borrow::Cow::Owned(earlier);
        run_sqlite_migrations(&url, &before).await.unwrap();
        for statement in [
            "INSERT INTO agencies (code, name_vi, name_en, short_vi, short_en) VALUES ('VPUB', 'VP', 'PPC', 'VP', 'PPC')",
            "INSERT INTO admin_units (code, official_code, name_vi, kind) VALUES ('14', '14', 'Tỉnh Sơn La', 'province')",
            "INSERT INTO admin_units (code, official_code, name_vi, kind, parent_code) VALUES ('03667', '03667', 'Phường Chiềng An', 'ward', '14')",
            "INSERT INTO agencies (code, name_vi, name_en, short_vi, short_en, area_code) VALUES ('UBND-03667', 'UBND phường Chiềng An', 'Chieng An PC', 'UBND Chiềng An', 'Chieng An PC', '03667')",
            "INSERT INTO indicators (code, name_vi, name_en, sector, unit, cadence, agency_code, level, direction) VALUES ('services.online.rate', 'x', 'x', 's', 'percent', 'streamed', 'VPUB', 'commune', 'higher_is_better')",
            "INSERT INTO stream_events (id, kind, recorded_at) VALUES (1, 'observation', '2026-11-20T10:00:00.000Z')",
            "INSERT INTO observations (id, indicator_code, area_code, period, period_start, revision, value, unit, agency_code, as_of, received_at) VALUES (1, 'services.online.rate', '03667', '2026-11-20', '2026-11-20', 1, '61.5', 'percent', 'VPUB', '2026-11-20T10:00:00.000Z', '2026-11-20T10:00:00.000Z')",
            "INSERT INTO api_tokens (agency_code, label, token_hash, created_at) VALUES ('UBND-03667', 'x', 'h', '2026-11-20T10:00:00.000Z')",
        ] {
            sqlx::query(statement).execute(&db).await.unwrap();
        }
        migrate(&db).await.unwrap();
        let area: String = sqlx::query_scalar("SELECT area_code FROM observations WHERE id = 1")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(area, "03664");
        let agency: String = sqlx::query_scalar("SELECT agency_code FROM api_tokens")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(agency, "UBND-03664");
        let old: i64 = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM admin_units WHERE code = '03667' UNION ALL SELECT COUNT(*) FROM agencies WHERE code = 'UBND-03667'",
        )
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .sum();
        assert_eq!(old, 0, "the old codes are gone");
        // and the province data writes over it without a complaint
        let catalogue = crate::province::load(&crate::province::demo()).unwrap();
        app::store::catalogue::sync(&db, &catalogue).await.unwrap();
        let kind: String =
            sqlx::query_scalar("SELECT kind FROM admin_units WHERE name_vi = 'Thị trấn Ít Ong'")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(kind, "township", "the wider CHECK accepts townships");
    }

    #[test]
    fn a_second_server_on_one_file_is_refused_while_the_first_runs() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
        let first = ServeLock::acquire(&url).unwrap().expect("a file database");
        let err = ServeLock::acquire(&url).err().expect("refused").to_string();
        assert!(
            err.contains("one serving process per SQLite database"),
            "{err}"
        );
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(first);
        assert!(ServeLock::acquire(&url).unwrap().is_some(), "free again");
    }
}
