//! Every address the server answers, and the layers around them.
//!
//! Dynamic routes — the REST API, the live stream, pages, form posts — run inside the
//! session layer, [`auth::identify`] and [`auth::origin::check_origin`]. Static files (the
//! site's CSS, JS and WASM) and the not-found page are the fallback, outside all three: no
//! session is read for them and no cookie is ever set on them; so is the task screens'
//! script, built into the server. Around everything: security
//! headers, the request limits of [`crate::serve`], compression and request tracing (with
//! display tokens taken out of logged addresses).

use app::api::ServerContext;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::Router;
use leptos::prelude::provide_context;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiFailure;
use crate::serve::HttpLimits;
use crate::state::AppState;
use crate::{
    alerts, auth, explanations, hub, ingest, money, quality, reference, services, tasks, walls,
};

/// Largest form post other than a submission (sign-in, administration).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// `uri` as logged: a wall's display token is a secret and never reaches the logs.
pub fn loggable(uri: &axum::http::Uri) -> String {
    match auth::display_param(uri) {
        Some(_) => {
            let rest = auth::without_display_param(uri);
            let sep = if rest.contains('?') { '&' } else { '?' };
            format!("{rest}{sep}display=[hidden]")
        }
        None => uri.to_string(),
    }
}

pub fn router(
    state: AppState,
    sessions: crate::auth::session_store::Sessions,
    limits: HttpLimits,
) -> Router {
    // Leptos runs its rendering tasks on tokio (an error only means it already does)
    let _ = any_spawner::Executor::init_tokio();
    let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let context = ServerContext {
        catalogue: state.catalogue.clone(),
        live: state.hub.clone(),
        map: Arc::new(state.geography.map(&state.catalogue, today)),
        db: state.db.clone(),
        alert_rules: state.alert_rules.clone(),
    };
    let options = state.leptos.clone();
    let api = Router::new()
        .route("/api/v1/observations", post(ingest::post_observations))
        .route("/api/v1/session", get(auth::session_info))
        .merge(
            Router::new()
                .route("/api/v1/indicators", get(reference::indicators))
                .route("/api/v1/agencies", get(reference::agencies))
                .route("/api/v1/areas", get(reference::areas))
                .route("/api/v1/areas/crosswalk", get(reference::crosswalk))
                .route("/api/v1/geo/areas.geojson", get(reference::geojson))
                .route("/api/v1/services/summary", get(services::summary))
                .route("/api/v1/services/summary.csv", get(services::summary_csv))
                .route("/api/v1/services/summary.xlsx", get(services::summary_xlsx))
                .route("/api/v1/services/index766", get(services::index766))
                .route("/api/v1/services/index766.csv", get(services::index_csv))
                .route("/api/v1/services/index766.xlsx", get(services::index_xlsx))
                .route("/api/v1/budget/summary", get(money::budget_summary))
                .route("/api/v1/budget/summary.csv", get(money::budget_csv))
                .route("/api/v1/budget/summary.xlsx", get(money::budget_xlsx))
                .route("/api/v1/budget/communes", get(money::commune_revenue))
                .route(
                    "/api/v1/budget/communes.csv",
                    get(money::commune_revenue_csv),
                )
                .route(
                    "/api/v1/budget/communes.xlsx",
                    get(money::commune_revenue_xlsx),
                )
                .route("/api/v1/investment/disbursement", get(money::disbursement))
                .route(
                    "/api/v1/investment/disbursement.csv",
                    get(money::disbursement_csv),
                )
                .route(
                    "/api/v1/investment/disbursement.xlsx",
                    get(money::disbursement_xlsx),
                )
                .route("/api/v1/investment/scurve", get(money::scurve))
                .route("/api/v1/projects", get(money::registry))
                .route("/api/v1/charts/{name}", get(money::chart))
                .route("/api/v1/briefing.pdf", get(money::briefing_pdf))
                .route("/api/v1/briefing.png", get(money::briefing_png))
                .route("/api/v1/projects/{code}", get(money::project))
                .route("/api/v1/alerts", get(alerts::list))
                .route("/api/v1/quality", get(quality::by_agency))
                .route(
                    "/api/v1/explanations",
                    get(explanations::list).post(explanations::explain),
                )
                .route("/api/v1/explanation-requests", post(explanations::ask))
                .route("/api/v1/alerts/{id}/ack", post(alerts::acknowledge))
                .route("/api/v1/alerts/{id}/resolve", post(alerts::resolve))
                .route("/api/v1/tasks", get(tasks::list).post(tasks::create))
                .route("/api/v1/tasks.csv", get(tasks::list_csv))
                .route("/api/v1/tasks.xlsx", get(tasks::list_xlsx))
                .route("/api/v1/tasks/import", post(tasks::import))
                .route("/api/v1/tasks/{id}", get(tasks::one))
                .route("/api/v1/tasks/{id}/notes", post(tasks::report))
                .route(
                    "/api/v1/wall/scenes",
                    get(walls::list_scenes).post(walls::create_scene),
                )
                .route(
                    "/api/v1/wall/scenes/{id}",
                    axum::routing::put(walls::update_scene).delete(walls::delete_scene),
                )
                .route(
                    "/api/v1/wall/playlists",
                    get(walls::list_playlists).post(walls::create_playlist),
                )
                .route(
                    "/api/v1/wall/playlists/{id}",
                    axum::routing::put(walls::update_playlist).delete(walls::delete_playlist),
                )
                .route("/api/v1/wall/shown", post(walls::post_shown))
                .route("/api/v1/walls", get(walls::list_walls))
                .route("/api/v1/walls/push", post(walls::post_push))
                .route("/api/v1/walls/release", post(walls::post_release))
                .route(
                    "/api/v1/walls/{display}/playlist",
                    axum::routing::put(walls::put_playlist),
                )
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
    // every screen is rendered whole before it is sent: a live screen's island (and its
    // props) is in the document when the browser's island script looks for it
    let page =
        leptos_axum::render_app_async_with_context(provide, move || app::shell(options.clone()));
    // screens: someone signed in (or a display) is needed; others go to the sign-in page
    let pages = Router::new()
        .route("/", get(page.clone()))
        .route("/money", get(page.clone()))
        .route("/services", get(page.clone()))
        .route("/admin", get(page.clone()))
        .route("/submit", get(page.clone()))
        .route("/account", get(page.clone()))
        .route("/tasks", get(page.clone()))
        .route("/tasks/new", get(page.clone()))
        .route("/tasks/{id}", get(page.clone()))
        .route("/console", get(page.clone()))
        .route("/brief", get(page.clone()))
        .route("/wall", get(page.clone()))
        .route("/wall/scene/{id}", get(page.clone()))
        .route("/wall/incident/{id}", get(page.clone()))
        .layer(axum::middleware::from_fn(auth::require_page_access));
    let forms = Router::new()
        .route("/login", get(page).post(auth::login::submit))
        .route("/logout", post(auth::login::logout))
        .route("/account/password", post(auth::login::change_password))
        .route("/admin/users", post(auth::admin_page::post_user))
        .route(
            "/admin/users/{id}/role",
            post(auth::admin_page::post_user_role),
        )
        .route(
            "/admin/users/{id}/password",
            post(auth::admin_page::post_user_password),
        )
        .route(
            "/admin/users/{id}/disable",
            post(auth::admin_page::post_user_disable),
        )
        .route(
            "/admin/users/{id}/enable",
            post(auth::admin_page::post_user_enable),
        )
        .route("/admin/tokens", post(auth::admin_page::post_token))
        .route(
            "/admin/tokens/{id}/revoke",
            post(auth::admin_page::post_token_revoke),
        )
        .route("/admin/displays", post(auth::admin_page::post_display))
        .route(
            "/admin/displays/{id}/revoke",
            post(auth::admin_page::post_display_revoke),
        )
        .route("/admin/walls/scenes", post(walls::form_scene))
        .route(
            "/admin/walls/scenes/{id}/delete",
            post(walls::form_delete_scene),
        )
        .route("/admin/walls/playlists", post(walls::form_playlist))
        .route(
            "/admin/walls/playlists/{id}/delete",
            post(walls::form_delete_playlist),
        )
        .route("/admin/walls/displays/{id}", post(walls::form_assign))
        .route("/console/walls/push", post(walls::form_push))
        .route("/console/walls/release", post(walls::form_release))
        .route("/tasks", post(tasks::form::create))
        .route("/tasks/{id}/notes", post(tasks::form::report))
        .route("/console/alerts/{id}/ack", post(alerts::form_acknowledge))
        .route("/console/alerts/{id}/resolve", post(alerts::form_resolve))
        .route("/console/alerts/{id}/ask", post(explanations::form_ask))
        .route("/console/explanations", post(explanations::form_explain))
        .route("/console/log", post(alerts::form_log_note))
        .route("/console/handover", post(alerts::form_handover))
        .route(
            "/console/handover/{id}/confirm",
            post(alerts::form_confirm_handover),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        // a CSV of many figures: as large as an ingest batch
        .route(
            "/submit",
            post(ingest::form::submit).layer(DefaultBodyLimit::max(state.limits.max_body_bytes)),
        );
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
    let dynamic = Router::new()
        .merge(api)
        .merge(pages)
        .merge(forms)
        // innermost first: the Origin check needs to know how identify identified
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::origin::check_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(session_layer);
    let router = Router::new()
        .merge(dynamic)
        // the small scripts of the server-rendered screens (see each one's header)
        .route(
            "/assets/live-follow.js",
            get(|| script(include_str!("../assets/live-follow.js"))),
        )
        .route(
            "/assets/tasks-live.js",
            get(|| script(include_str!("../assets/tasks-live.js"))),
        )
        .route(
            "/assets/console-live.js",
            get(|| script(include_str!("../assets/console-live.js"))),
        )
        .route(
            "/assets/wall.js",
            get(|| script(include_str!("../assets/wall.js"))),
        )
        .route(
            "/assets/brief.js",
            get(|| script(include_str!("../assets/brief.js"))),
        )
        // the brief's service worker, at the root so that its scope may be `/brief`
        .route(
            "/brief-sw.js",
            get(|| script(include_str!("../assets/brief-sw.js"))),
        )
        .route("/manifest.webmanifest", get(brief_manifest))
        .route("/assets/icon-192.png", get(|| icon(ICON_192)))
        .route("/assets/icon-512.png", get(|| icon(ICON_512)))
        .route(FONT_REGULAR, get(|| font(REGULAR_WOFF2)))
        .route(FONT_BOLD, get(|| font(BOLD_WOFF2)))
        // static files and the not-found page: no session, no cookie
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::headers::security_headers,
        ));
    crate::serve::limit(router, limits)
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    uri = %loggable(request.uri()),
                    version = ?request.version(),
                )
            }),
        )
        .with_state(state)
}

/// A script built into the server: small, and changing with each release, so asked again
/// each time (cheaply).
async fn script(text: &'static str) -> impl IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
}

/// The web app manifest that makes the brief installable from a phone's home screen.
async fn brief_manifest() -> impl IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/manifest+json",
            ),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../assets/manifest.webmanifest"),
    )
}

const ICON_192: &[u8] = include_bytes!("../assets/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../assets/icon-512.png");

async fn icon(bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/png"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
}

/// The screens' font: Noto Sans, the same Latin and Vietnamese subsets the charts and the
/// briefing embed (server/assets/fonts/make.py), as WOFF2. The addresses name the font's
/// version, so a browser keeps them for a year; the stylesheet names them
/// (`@font-face`), and every page preloads the regular weight.
pub const FONT_REGULAR: &str = "/assets/fonts/noto-sans-2.15-400.woff2";
pub const FONT_BOLD: &str = "/assets/fonts/noto-sans-2.15-700.woff2";
const REGULAR_WOFF2: &[u8] = include_bytes!("../assets/fonts/NotoSans-Regular.woff2");
const BOLD_WOFF2: &[u8] = include_bytes!("../assets/fonts/NotoSans-Bold.woff2");

async fn font(bytes: &'static [u8]) -> impl IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "font/woff2"),
            (
                axum::http::header::CACHE_CONTROL,
                "public, max-age=31536000, immutable",
            ),
        ],
        bytes,
    )
}

async fn api_not_found() -> impl IntoResponse {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có địa chỉ API này; xem README, mục API.",
        "No such API address; see the API section of the README.",
    )
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn display_tokens_are_hidden_in_logged_addresses() {
        let shown = |u: &str| loggable(&u.parse().unwrap());
        assert_eq!(shown("/?display=iocd_secret"), "/?display=[hidden]");
        assert_eq!(
            shown("/?lang=en&display=iocd_secret"),
            "/?lang=en&display=[hidden]"
        );
        assert_eq!(shown("/api/v1/live?since=e:1"), "/api/v1/live?since=e:1");
    }
}
