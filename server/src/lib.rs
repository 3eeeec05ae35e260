//! The IOC Live server: the REST ingest API, the live websocket hub, the server-rendered
//! dashboard and the demo feed, on one axum router.
//!
//! [`run`] takes a bound listener, so tests start the real server on port 0; `main.rs`
//! is only the command line around it.

pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod geography;
pub mod hub;
pub mod ingest;
pub mod province;
pub mod reference;

use anyhow::Context;
use app::api::ServerContext;
use app::model::Catalogue;
use app::store::Db;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpSocket};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use config::{DatabaseArgs, ServeConfig};
use geography::Geography;
use hub::{Hub, HubLimits};
use ingest::error::ApiFailure;

/// Limits of the ingest API.
#[derive(Debug, Clone)]
pub struct IngestLimits {
    pub max_batch: usize,
    pub max_body_bytes: usize,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalogue: Arc<Catalogue>,
    pub geography: Arc<Geography>,
    pub hub: Arc<Hub>,
    /// Held from the start of an ingest transaction until its events are published, so
    /// offsets are committed and published in one order.
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
    pub limits: IngestLimits,
    pub leptos: LeptosOptions,
    /// Where forms and live connections may come from.
    pub origins: auth::AllowedOrigins,
    pub sessions: auth::SessionLimits,
    /// Whether session cookies are Secure (`__Host-` named).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Origins that may frame pages served to a display; none when empty.
    pub display_frame_ancestors: Arc<[String]>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The province the server runs for: its checked reference data and its map.
#[derive(Clone)]
pub struct Province {
    pub catalogue: Arc<Catalogue>,
    pub geography: Arc<Geography>,
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
    let geography = Geography::load(files.geometry.as_deref(), &catalogue)?;
    app::store::catalogue::sync(&db, &catalogue)
        .await
        .context("cannot write the province data into the database")?;
    Ok((
        db,
        Province {
            catalogue: Arc::new(catalogue),
            geography: Arc::new(geography),
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

/// Builds the router: REST API, live websocket, server functions, pages and static files.
pub fn router(state: AppState, sessions: tower_sessions_sqlx_store::SqliteStore) -> Router {
    // Leptos runs its rendering tasks on tokio (an error only means it already does)
    let _ = any_spawner::Executor::init_tokio();
    let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let context = ServerContext {
        catalogue: state.catalogue.clone(),
        live: state.hub.clone(),
        map: Arc::new(state.geography.map(&state.catalogue, today)),
        db: state.db.clone(),
    };
    let options = state.leptos.clone();
    let api = Router::new()
        .route(
            "/api/v1/observations",
            post(ingest::post_observations)
                .layer(DefaultBodyLimit::max(state.limits.max_body_bytes)),
        )
        .merge(
            Router::new()
                .route("/api/v1/indicators", get(reference::indicators))
                .route("/api/v1/agencies", get(reference::agencies))
                .route("/api/v1/areas", get(reference::areas))
                .route("/api/v1/areas/crosswalk", get(reference::crosswalk))
                .route("/api/v1/geo/areas.geojson", get(reference::geojson))
                .layer(axum::middleware::from_fn(auth::require_api_access)),
        )
        .route("/api/v1/health", get(ingest::health))
        .route("/api/v1/live", get(hub::client::upgrade))
        .route("/api/{*rest}", any(api_not_found));
    let provide = move || {
        provide_context(context.clone());
        // the page's scripts carry the nonce the response's CSP allows
        let nonce = leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<auth::CspNonce>().cloned());
        if let Some(auth::CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    };
    // live screens stream and hydrate; form screens are rendered whole, with no script
    let page = leptos_axum::render_app_to_stream_with_context(provide.clone(), {
        let options = options.clone();
        move || app::shell(options.clone())
    });
    let form_page = leptos_axum::render_app_async_with_context(provide.clone(), move || {
        app::shell(options.clone())
    });
    let server_fns = {
        let provide = provide.clone();
        move |request: axum::extract::Request| {
            leptos_axum::handle_server_fns_with_context(provide.clone(), request)
        }
    };
    // screens: someone signed in (or a display) is needed; others go to the sign-in page
    let pages = Router::new()
        .route("/", get(page))
        .route("/admin", get(form_page.clone()))
        .route("/submit", get(form_page.clone()))
        .route("/account", get(form_page.clone()))
        .layer(axum::middleware::from_fn(auth::require_page_access));
    let accounts = Router::new()
        .route("/login", get(form_page.clone()).post(auth::login::submit))
        .route("/logout", post(auth::login::logout))
        .route("/account/password", post(auth::login::change_password))
        .route("/admin/users", post(auth::admin::post_user))
        .route("/admin/users/{id}/role", post(auth::admin::post_user_role))
        .route(
            "/admin/users/{id}/password",
            post(auth::admin::post_user_password),
        )
        .route(
            "/admin/users/{id}/disable",
            post(auth::admin::post_user_disable),
        )
        .route(
            "/admin/users/{id}/enable",
            post(auth::admin::post_user_enable),
        )
        .route("/admin/tokens", post(auth::admin::post_token))
        .route(
            "/admin/tokens/{id}/revoke",
            post(auth::admin::post_token_revoke),
        )
        .route("/admin/displays", post(auth::admin::post_display))
        .route(
            "/admin/displays/{id}/revoke",
            post(auth::admin::post_display_revoke),
        )
        .route("/submit", post(ingest::form::submit));
    let session_layer = tower_sessions::SessionManagerLayer::new(sessions)
        .with_name(if state.secure_cookies {
            "__Host-ioc_session"
        } else {
            "ioc_session"
        })
        .with_secure(state.secure_cookies)
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_path("/")
        .with_expiry(tower_sessions::Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::try_from(state.sessions.idle)
                .unwrap_or(tower_sessions::cookie::time::Duration::minutes(30)),
        ));
    Router::new()
        .merge(api)
        .merge(pages)
        .merge(accounts)
        .route("/rpc/{*fn_name}", get(server_fns.clone()).post(server_fns))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::check_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn api_not_found() -> impl IntoResponse {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có địa chỉ API này; xem README, mục API.",
        "No such API address; see the API section of the README.",
    )
}

/// Serves until `shutdown` completes, then closes live clients and stops.
pub async fn run(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (
        db,
        Province {
            catalogue,
            geography,
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
    tokio::spawn(hub.clone().run_heartbeats());
    tokio::spawn(hub.clone().run_revocation_sweeps());
    tokio::spawn(db::run_checkpoints(db.clone(), hub.shutdown_signal()));

    let addr = listener.local_addr()?;
    let site_root = config.resolved_site_root();
    if !site_root.join("pkg").is_dir() {
        tracing::warn!(site_root = %site_root.display(), "no built site here: pages will render but not hydrate; build with `cargo leptos build` or pass --site-root");
    }
    let leptos = LeptosOptions::builder()
        .output_name("ioc")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let state = AppState {
        db: db.clone(),
        catalogue: catalogue.clone(),
        geography,
        hub: hub.clone(),
        write_lock: Arc::new(tokio::sync::Mutex::new(())),
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
    };
    let sessions = tower_sessions_sqlx_store::SqliteStore::new(db.clone());
    sessions
        .migrate()
        .await
        .context("cannot create the sessions table")?;
    tokio::spawn({
        let sessions = sessions.clone();
        async move {
            use tower_sessions::ExpiredDeletion;
            if let Err(e) = sessions
                .continuously_delete_expired(std::time::Duration::from_secs(600))
                .await
            {
                tracing::error!(error = %e, "cleaning expired sessions stopped");
            }
        }
    });
    if !config.no_demo {
        let wall = demo::open_wall(&db, &demo::local_base_url(addr))
            .await
            .context("cannot make the demo's wall screen")?;
        eprintln!("\n  Màn hình demo / demo wall: {wall}\n  (chỉ xem; tài khoản: `ioc admin create` — read-only; accounts: `ioc admin create`)\n");
        let feed = demo::DemoConfig {
            base_url: demo::local_base_url(addr),
            seed: config.demo_seed,
            history_days: config.demo_history_days,
            interval: config.demo_interval(),
        };
        tokio::spawn(demo::run(
            db.clone(),
            catalogue.clone(),
            feed,
            hub.shutdown_signal(),
        ));
    }
    tracing::info!(%addr, epoch = hub.epoch(), offset = hub.head(), "serving IOC Live");
    axum::serve(
        listener,
        router(state, sessions).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        hub.shut_down();
    })
    .await?;
    db.close().await;
    Ok(())
}
