//! Who is asking, and whether they may.
//!
//! Every request passes [`identify`], which finds its [`Principal`]: a signed-in person (a
//! session cookie, stored in the database by tower-sessions), a wall screen (a display
//! session, or its token as `Authorization: Bearer`), or an agency system (its API token).
//! A wall URL carrying `?display=<token>` is exchanged once for a display session and
//! redirected to the same address without the token. [`check_origin`] refuses a
//! state-changing request or websocket upgrade from a foreign `Origin`; [`security_headers`]
//! sets the CSP (with a per-request nonce for Leptos's scripts) and friends on everything.
//!
//! The audit trail is written by the actions themselves, in their own transactions.

pub mod admin;
pub mod login;
pub mod password;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::ingest::error::ApiFailure;
use crate::AppState;
use app::model::account::Principal;
use app::store::{audit, displays, tokens, users};

/// Session keys.
const USER_ID: &str = "user_id";
const DISPLAY_ID: &str = "display_id";
const SIGNED_IN_AT: &str = "signed_in_at";

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
}

/// The client's address: the peer's, or — when the peer is a trusted reverse proxy — the
/// one the proxy saw, from `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// A per-request nonce for the page's inline scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

fn ip_of(request: &Request, trusted_proxies: &[IpAddr]) -> String {
    let Some(peer) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
    else {
        return "unknown".into();
    };
    if !trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    // the nearest address that is not one of our proxies; the ones before it may be forged
    let forwarded: Vec<&str> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    forwarded
        .iter()
        .rev()
        .map_while(|hop| hop.parse::<IpAddr>().ok())
        .find(|hop| !trusted_proxies.contains(hop))
        .unwrap_or(peer)
        .to_string()
}

/// Whether a user's session begun at `signed_in` still holds at `now`: the account is
/// enabled, nothing has ended its sessions since (disabling, a new role or password), and
/// the absolute limit has not passed. (The idle limit is the session cookie's expiry.)
pub fn session_holds(
    user: &users::User,
    signed_in: OffsetDateTime,
    now: OffsetDateTime,
    limits: SessionLimits,
) -> bool {
    user.disabled_at.is_none()
        && signed_in >= user.sessions_valid_from
        && (now - signed_in).whole_seconds() < limits.absolute.as_secs() as i64
}

/// The session's principal, if it is still valid; an expired or revoked one is ended.
async fn from_session(
    state: &AppState,
    session: &Session,
    limits: SessionLimits,
) -> Option<Principal> {
    let signed_in: OffsetDateTime = session.get(SIGNED_IN_AT).await.ok()??;
    let now = OffsetDateTime::now_utc();
    let mut conn = state.db.acquire().await.ok()?;
    let principal = if let Some(id) = session.get::<i64>(USER_ID).await.ok()? {
        let user = users::by_id(&mut conn, id).await.ok()??;
        session_holds(&user, signed_in, now, limits).then_some(Principal::User {
            id: user.id,
            username: user.username,
            name: user.display_name,
            role: user.role,
            agency: user.agency,
        })
    } else if let Some(id) = session.get::<i64>(DISPLAY_ID).await.ok()? {
        let display = displays::by_id(&mut conn, id).await.ok()??;
        display.revoked_at.is_none().then_some(Principal::Display {
            id: display.id,
            name: display.name,
        })
    } else {
        None
    };
    if principal.is_none() {
        let _ = session.flush().await;
    }
    principal
}

/// The principal of an `Authorization: Bearer` token: a display or an agency system.
async fn from_bearer(state: &AppState, token: &str) -> Option<Principal> {
    let mut conn = state.db.acquire().await.ok()?;
    if token.starts_with(displays::PREFIX) {
        let d = displays::find_active(&mut conn, token).await.ok()??;
        return Some(Principal::Display {
            id: d.id,
            name: d.name,
        });
    }
    drop(conn);
    let t = tokens::find_active(&state.db, token).await.ok()??;
    Some(Principal::AgencyToken {
        id: t.id,
        agency: t.agency,
    })
}

/// Finds the request's principal and puts it (and the client's address) in the request's
/// extensions; exchanges a wall URL's `?display=` token for a display session.
pub async fn identify(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = ip_of(&request, &state.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip.clone()));
    if let Some(token) = display_param(request.uri()) {
        return exchange_display_token(&state, &session, &token, request.uri(), &ip).await;
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let checked = IdentifiedAt(OffsetDateTime::now_utc());
    let principal = match bearer {
        Some(token) if !token.is_empty() => from_bearer(&state, &token).await,
        _ => from_session(&state, &session, state.sessions).await,
    };
    let to_display = matches!(principal, Some(Principal::Display { .. }));
    if let Some(p) = principal {
        request.extensions_mut().insert(p);
        request.extensions_mut().insert(checked);
    }
    let mut response = next.run(request).await;
    if to_display {
        response.extensions_mut().insert(ServedToDisplay);
    }
    response
}

/// When the request's principal was read: a revocation committed after it ends what the
/// request opens (a live connection).
#[derive(Clone, Copy)]
pub struct IdentifiedAt(pub OffsetDateTime);

/// Marks a response as made for a display, which may be framed where configured.
#[derive(Clone, Copy)]
struct ServedToDisplay;

fn display_param(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("display="))
        .map(str::to_string)
}

async fn exchange_display_token(
    state: &AppState,
    session: &Session,
    token: &str,
    uri: &Uri,
    ip: &str,
) -> Response {
    let without: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.starts_with("display="))
        .collect();
    let target = if without.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), without.join("&"))
    };
    let now = OffsetDateTime::now_utc();
    let result = async {
        let mut tx = app::store::write(&state.db).await?;
        let Some(display) = displays::find_active(&mut tx, token).await? else {
            return Ok(None);
        };
        displays::touch(&mut tx, display.id, now).await?;
        let entry = audit::NewEntry {
            actor_kind: "display",
            actor_id: Some(display.id.to_string()),
            actor_name: display.name.clone(),
            action: "display_session_started",
            ip: Some(ip.to_string()),
            ..Default::default()
        };
        audit::record(&mut tx, &entry, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(display))
    }
    .await;
    match result {
        Ok(Some(display)) => {
            let started = async {
                session.cycle_id().await?;
                session.insert(DISPLAY_ID, display.id).await?;
                session.insert(SIGNED_IN_AT, now).await
            };
            if let Err(e) = started.await {
                return ApiFailure::internal(e).into_response();
            }
            Redirect::to(&target).into_response()
        }
        Ok(None) => login::page_error(
            StatusCode::UNAUTHORIZED,
            "Mã màn hình không hợp lệ hoặc đã bị thu hồi. Liên hệ quản trị để nhận mã mới.",
            "This screen's token is not valid or has been revoked. Ask an administrator for a new one.",
        ),
        Err(e) => ApiFailure::internal(e).into_response(),
    }
}

/// The origins allowed to send state-changing requests and open websockets.
#[derive(Debug, Clone)]
pub struct AllowedOrigins(pub Vec<String>);

impl AllowedOrigins {
    /// Those configured, or else the server's own address as `localhost` and `127.0.0.1`.
    pub fn new(configured: &[String], addr: SocketAddr) -> AllowedOrigins {
        if !configured.is_empty() {
            return AllowedOrigins(
                configured
                    .iter()
                    .map(|o| o.trim_end_matches('/').to_string())
                    .collect(),
            );
        }
        let port = addr.port();
        AllowedOrigins(vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://[::1]:{port}"),
        ])
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

/// Refuses, with 403, a state-changing request or a websocket upgrade whose `Origin` is not
/// allowed. Requests with a bearer token (agency systems, displays) carry no ambient
/// credentials and are exempt, as are requests without an `Origin` that are not upgrades
/// made with a cookie (browsers always send `Origin` on those).
pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let bearer = request.headers().get(header::AUTHORIZATION).is_some();
    if (upgrade || changes_state) && !bearer {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let refused = match origin {
            Some(origin) => !state.origins.allows(origin),
            // a cookie-authenticated change without Origin does not come from our pages
            None => request.headers().get(header::COOKIE).is_some(),
        };
        if refused {
            tracing::warn!(origin = origin.unwrap_or("(none)"), path = %request.uri().path(), "refused: foreign origin");
            return ApiFailure::new(
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                "Yêu cầu đến từ một trang không được phép.",
                "The request comes from a site that is not allowed.",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Security headers on every response; pages get a CSP whose script nonce Leptos puts on
/// its hydration and streaming scripts. Nothing may frame a page, except that the configured
/// sites may frame what is served to a display.
pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let framable = response.extensions().get::<ServedToDisplay>().is_some()
        && !state.display_frame_ancestors.is_empty();
    let frame_ancestors = if framable {
        state.display_frame_ancestors.join(" ")
    } else {
        "'none'".to_string()
    };
    let headers = response.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !framable {
        // for browsers that predate frame-ancestors; it cannot name the allowed sites
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// The request's principal, or a 401 for API callers.
pub fn require(principal: Option<&Principal>) -> Result<&Principal, ApiFailure> {
    principal.ok_or_else(|| {
        ApiFailure::unauthorized(
            "Cần đăng nhập, mã màn hình hoặc mã truy cập của cơ quan.",
            "Sign in, or send a display or agency token.",
        )
    })
}

/// The reference API needs someone known (a session, a display or an agency token).
pub async fn require_api_access(request: Request, next: Next) -> Response {
    match require(request.extensions().get::<Principal>()) {
        Ok(_) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Pages need someone signed in (or a display): others go to the sign-in page.
pub async fn require_page_access(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let public = path == "/login" || path.starts_with("/pkg/") || path == "/favicon.ico";
    if public || request.extensions().get::<Principal>().is_some() {
        return next.run(request).await;
    }
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    Redirect::to(&format!("/login?next={}", login::encode_component(&target))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::account::Role;
    use time::macros::datetime;

    #[test]
    fn sessions_end_when_disabled_superseded_or_too_old() {
        let user = users::User {
            id: 1,
            username: "a".into(),
            display_name: "A".into(),
            role: Role::Leader,
            agency: None,
            password_hash: String::new(),
            created_at: datetime!(2026-11-01 0:00 UTC),
            disabled_at: None,
            sessions_valid_from: datetime!(2026-11-20 8:00 UTC),
        };
        let limits = SessionLimits {
            idle: Duration::from_secs(1800),
            absolute: Duration::from_secs(12 * 3600),
        };
        let signed_in = datetime!(2026-11-23 8:00 UTC);
        assert!(session_holds(
            &user,
            signed_in,
            datetime!(2026-11-23 19:59 UTC),
            limits
        ));
        assert!(
            !session_holds(&user, signed_in, datetime!(2026-11-23 20:00 UTC), limits),
            "absolute limit"
        );
        let superseded = users::User {
            sessions_valid_from: datetime!(2026-11-23 9:00 UTC),
            ..user.clone()
        };
        assert!(
            !session_holds(
                &superseded,
                signed_in,
                datetime!(2026-11-23 10:00 UTC),
                limits
            ),
            "role or password changed after sign-in"
        );
        let disabled = users::User {
            disabled_at: Some(datetime!(2026-11-23 9:00 UTC)),
            ..user
        };
        assert!(!session_holds(
            &disabled,
            signed_in,
            datetime!(2026-11-23 10:00 UTC),
            limits
        ));
    }
}
