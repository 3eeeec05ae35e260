//! The IOC Live server: the REST ingest API, the live websocket hub, the server-rendered
//! dashboard and the demo feed, on one axum router.
//!
//! [`run`] takes a bound listener, so tests start the real server on port 0; `main.rs`
//! is only the command line around it.

pub mod alerts;
pub mod auth;
pub mod briefing;
pub mod charts;
pub mod config;
pub mod copy;
pub mod db;
pub mod demo;
pub mod error;
pub mod explanations;
pub mod export;
pub mod geography;
pub mod hub;
pub mod ingest;
pub mod leader;
pub mod money;
pub mod notice;
pub mod province;
pub mod quality;
pub mod reference;
pub mod router;
pub mod serve;
pub mod services;
pub mod state;
pub mod tasks;
pub mod upkeep;
pub mod walls;

use anyhow::Context;
use app::model::Catalogue;
use app::store::{Backend, Db};
use leptos::config::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};

use config::{DatabaseArgs, ServeConfig};
use geography::Geography;
use hub::tail::LogTail;
use hub::{Hub, HubLimits};
use ingest::writer::ObservationWriter;
use state::{AppState, IngestLimits};

/// The province the server runs for: its checked reference data and its map.
#[derive(Clone)]
pub struct Province {
    pub catalogue: Arc<Catalogue>,
    pub geography: Arc<Geography>,
    /// The alert rules (`alerts.toml`), checked against the catalogue.
    pub alert_rules: Arc<[app::model::alert::AlertRule]>,
}

/// Opens the database, applies migrations, reads the province data and writes it into the
/// database. Used by `serve` and by every command that needs the catalogue.
pub async fn prepare(database: &DatabaseArgs) -> anyhow::Result<(Db, Province)> {
    let db = db::open(&database.database_url).await?;
    db::migrate(&db).await?;
    let files = match &database.province_dir {
        Some(dir) => province::read_dir(dir)?,
        None => province::demo(),
    };
    let catalogue = province::load(&files)?;
    let year = app::model::format::vietnam_date(time::OffsetDateTime::now_utc()).year();
    for y in [year, year + 1] {
        if !catalogue.calendar.knows(y) {
            tracing::warn!(
                year = y,
                "the province has no holiday file for {y} (holidays/{y}.toml): daily reports are judged by weekends only there"
            );
        }
    }
    let geography = Geography::load(files.geometry.as_deref(), &catalogue)?;
    let alert_rules = province::alert_rules(&files, &catalogue)?;
    app::store::catalogue::sync(&db, &catalogue)
        .await
        .context("cannot write the province data into the database")?;
    app::store::walls::start_if_empty(&mut *db.acquire().await?, time::OffsetDateTime::now_utc())
        .await
        .context("cannot write the wall's starting scenes")?;
    Ok((
        db,
        Province {
            catalogue: Arc::new(catalogue),
            geography: Arc::new(geography),
            alert_rules: alert_rules.into(),
        },
    ))
}

/// Listens on `addr` with a deep accept queue (a wall of screens reconnects at once after a
/// restart; the default backlog of 128 makes some wait a second).
pub fn bind(addr: SocketAddr, send_buffer_bytes: Option<u32>) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    if let Some(bytes) = send_buffer_bytes {
        socket.set_send_buffer_size(bytes)?;
    }
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Serves until `shutdown` completes, then closes live clients, finishes what was
/// submitted and stops.
pub async fn run(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // before anything else: one serving process per SQLite database (on PostgreSQL, any
    // number of instances: each follows the event log)
    let _serving = db::ServeLock::acquire(&config.database.database_url)?;
    let (
        db,
        Province {
            catalogue,
            geography,
            alert_rules,
        },
    ) = prepare(&config.database).await?;
    let limits = HubLimits {
        retain_events: config.retain_events,
        client_queue: config.client_queue,
        heartbeat: config.heartbeat(),
        write_timeout: config.write_timeout(),
        connections_per_address: config.connections_per_address,
    };
    let rules = hub::VisibilityRules::new(
        &catalogue,
        app::api::overview::overview_indicators(&catalogue),
    );
    let hub = Arc::new(
        Hub::load(&db, limits, rules)
            .await
            .context("cannot load the live state")?,
    );
    let tail = LogTail::new(hub.clone(), db.clone());
    tokio::spawn(tail.clone().follow());
    let (writer, writer_task) = ObservationWriter::start(db.clone(), tail);
    tokio::spawn(hub.clone().run_heartbeats());
    tokio::spawn(hub.clone().run_sweeps());
    tokio::spawn(upkeep::run_memory_trim(hub.shutdown_signal()));
    tokio::spawn(upkeep::run_displays_seen(hub.clone(), db.clone()));

    let leading = leader::Leading::default();
    let addr = listener.local_addr()?;
    let site_root = config.resolved_site_root();
    if !site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %site_root.display(), "no built site here: pages will render but not hydrate; build with `make build` or pass --site-root");
    } else {
        for bundle in ["ioc-money", "ioc-services"] {
            if !site_root.join("pkg").join(format!("{bundle}.js")).is_file() {
                tracing::warn!(site_root = %site_root.display(), bundle, "a live screen's WASM bundle is missing: that screen will render but not hydrate; build it with `.ci/screens` (the Makefile does)");
            }
        }
    }
    let leptos = LeptosOptions::builder()
        .output_name("ioc")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let demo_progress = (!config.no_demo).then(demo::FeedProgress::default);
    let state = AppState {
        db: db.clone(),
        demo: demo_progress.clone(),
        catalogue: catalogue.clone(),
        alert_rules: alert_rules.clone(),
        geography,
        hub: hub.clone(),
        writer,
        limits: IngestLimits {
            max_batch: config.max_batch,
            max_body_bytes: config.max_body_bytes,
        },
        leptos,
        origins: auth::AllowedOrigins::new(&config.allowed_origins, addr),
        sessions: config.session_limits(),
        secure_cookies: config.secure_cookies,
        display_frame_ancestors: config.display_frame_ancestors.clone().into(),
        trusted_proxies: config.trusted_proxies.clone().into(),
        leading: leading.clone(),
    };
    let sessions = db::sessions(&db).await?;
    let feed = if config.no_demo {
        None
    } else {
        let wall = demo::open_wall(&db, &demo::local_base_url(addr))
            .await
            .context("cannot make the demo's wall screen")?;
        eprintln!("\n  Màn hình demo / demo wall: {wall}\n  (chỉ xem; tài khoản: `ioc admin create` — read-only; accounts: `ioc admin create`)\n");
        Some(demo::DemoConfig {
            base_url: demo::local_base_url(addr),
            seed: config.demo_seed,
            history_days: config.demo_history_days,
            interval: config.demo_interval(),
            progress: demo_progress.unwrap_or_default(),
        })
    };
    tokio::spawn(leader::run(
        db.clone(),
        leading.clone(),
        hub.shutdown_signal(),
        background_work(
            db.clone(),
            catalogue.clone(),
            sessions.clone(),
            config.idempotency_retention(),
            feed,
            (hub.clone(), alert_rules.clone()),
        ),
    ));
    tracing::info!(%addr, epoch = hub.epoch(), offset = hub.head(), "serving IOC Live");
    let http_limits = config.http_limits();
    let app = router::router(state, sessions, http_limits);
    let closing = hub.clone();
    serve::serve(listener, app, http_limits, async move {
        shutdown.await;
        closing.shut_down();
    })
    .await?;
    // live clients were told (code 1001); let their close frames go out
    hub.connections_closed(Duration::from_secs(2)).await;
    // the router (and its handles on the writer) is gone: the writer stores what is queued
    if tokio::time::timeout(Duration::from_secs(30), writer_task)
        .await
        .is_err()
    {
        tracing::warn!("the observation writer did not finish in time");
    }
    db.close().await;
    Ok(())
}

/// The work one instance runs for every instance on the database (see [`leader`]): started
/// each time this instance becomes the leader, stopped when it no longer is.
fn background_work(
    db: Db,
    catalogue: Arc<Catalogue>,
    sessions: auth::session_store::Sessions,
    idempotency_retention: Duration,
    feed: Option<demo::DemoConfig>,
    (hub, alert_rules): (Arc<Hub>, Arc<[app::model::alert::AlertRule]>),
) -> impl Fn(tokio::sync::watch::Receiver<bool>) + Send + 'static {
    move |stop| {
        if Backend::of(&db) == Backend::Sqlite {
            tokio::spawn(upkeep::run_checkpoints(db.clone(), stop.clone()));
        }
        tokio::spawn(upkeep::run_idempotency_pruning(
            db.clone(),
            idempotency_retention,
            stop.clone(),
        ));
        tokio::spawn(upkeep::run_session_cleanup(sessions.clone(), stop.clone()));
        let engine = alerts::engine::Engine {
            db: db.clone(),
            catalogue: catalogue.clone(),
            rules: alert_rules.clone(),
            hub: hub.clone(),
        };
        tokio::spawn(engine.run(stop.clone()));
        if let Some(feed) = &feed {
            tokio::spawn(demo::run(db.clone(), catalogue.clone(), feed.clone(), stop));
        }
    }
}
