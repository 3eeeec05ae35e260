//! Who is asking, and whether they may.
//!
//! Every dynamic request passes [`identify`], which finds its [`Principal`]: a signed-in
//! person (a session cookie, see [`session`]), a wall screen (a display session, or its
//! token as `Authorization: Bearer`), or an agency system (its API token). A wall URL
//! carrying `?display=<token>` is exchanged once for a fresh display session and redirected
//! to the same address without the token. Then [`origin::check_origin`] refuses a
//! state-changing request or websocket upgrade from a foreign `Origin` unless a valid bearer
//! token authenticated it. Handlers say who they serve with the extractors of [`callers`],
//! so a handler cannot forget the check and no body is read before it passes.
//! [`headers::security_headers`] sets the CSP (with a per-request nonce for Leptos's
//! scripts) and friends on everything. Static files are served without any of this: no
//! session is read for them and no cookie is ever set on them.
//!
//! The audit trail is written by the actions themselves, in their own transactions.

pub mod admin;
pub mod admin_page;
pub mod callers;
pub mod headers;
pub mod login;
pub mod origin;
pub mod password;
pub mod session;
pub mod session_store;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};
use time::OffsetDateTime;
use tower_sessions::Session;

use crate::error::ApiFailure;
use crate::notice;
use crate::state::AppState;
use app::model::account::Principal;
use app::pages::notice::Notice;
use app::store::{audit, displays, tokens};

pub use origin::AllowedOrigins;
pub use session::SessionLimits;

/// The client's address: the peer's, or — when the peer is a trusted reverse proxy — the
/// one the proxy saw, from `X-Forwarded-For`.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// A per-request nonce for the page's inline scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// How the request's principal was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A valid `Authorization: Bearer` token: no ambient credential, so no cross-site risk.
    Bearer,
    /// The session cookie, which a browser sends on cross-site requests too.
    Session,
}

/// When the request's principal was read: a revocation committed after it ends what the
/// request opens (a live connection).
#[derive(Clone, Copy)]
pub struct IdentifiedAt(pub OffsetDateTime);

/// Marks a response as made for a display, which may be framed where configured.
#[derive(Clone, Copy)]
pub struct ServedToDisplay;

/// The client's address for `request` (see [`ClientIp`]).
pub fn ip_of(request: &Request, trusted_proxies: &[IpAddr]) -> String {
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

/// The database (or session store) could not say who is asking. Never taken for "nobody":
/// a screen told 401 would believe its access had ended, an agency its token revoked.
#[derive(Debug)]
pub struct Unidentified(pub String);

impl From<sqlx::Error> for Unidentified {
    fn from(e: sqlx::Error) -> Unidentified {
        Unidentified(e.to_string())
    }
}

/// The principal of an `Authorization: Bearer` token: a display or an agency system.
async fn from_bearer(state: &AppState, token: &str) -> Result<Option<Principal>, Unidentified> {
    if token.starts_with(displays::PREFIX) {
        let mut conn = state.db.acquire().await?;
        return Ok(displays::find_active(&mut conn, token)
            .await?
            .map(|d| Principal::Display {
                id: d.id,
                name: d.name,
            }));
    }
    Ok(tokens::find_active(&state.db, token)
        .await?
        .map(|t| Principal::AgencyToken {
            id: t.id,
            agency: t.agency,
        }))
}

/// The bearer token of `Authorization: Bearer <token>`, if that is the header's scheme.
fn bearer_token(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Finds the request's principal and puts it — with how it was established, when, and the
/// client's address — in the request's extensions; exchanges a wall URL's `?display=` token
/// for a display session.
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
    let now = OffsetDateTime::now_utc();
    let (principal, credential) = match bearer_token(&request) {
        Some(token) => (from_bearer(&state, token).await, Credential::Bearer),
        // any other Authorization scheme (Basic, NTLM from an intranet proxy) is not ours:
        // the session cookie decides, and so the Origin check applies
        None => (
            session::principal(&state, &session, now).await,
            Credential::Session,
        ),
    };
    let principal = match principal {
        Ok(principal) => principal,
        Err(Unidentified(cause)) => {
            return ApiFailure::database_unavailable(cause).into_response();
        }
    };
    let to_display = matches!(principal, Some(Principal::Display { .. }));
    // a page speaks the language its viewer last chose; `?lang=` on a page chooses it
    if let Some(p) = principal.as_ref().filter(|_| {
        request.method() == axum::http::Method::GET && !request.uri().path().starts_with("/api/")
    }) {
        match remembered_language(&state, p, request.uri()).await {
            Ok(Some(locale)) => {
                request
                    .extensions_mut()
                    .insert(app::model::i18n::Chosen(locale));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read or keep the viewer's language"),
        }
    }
    if let Some(p) = principal {
        request.extensions_mut().insert(p);
        request.extensions_mut().insert(credential);
        request.extensions_mut().insert(IdentifiedAt(now));
    }
    let mut response = next.run(request).await;
    if to_display {
        response.extensions_mut().insert(ServedToDisplay);
    }
    response
}

/// The language `principal` (a person or a wall screen) last chose, remembering the one a
/// page's `?lang=vi|en` chooses now.
async fn remembered_language(
    state: &AppState,
    principal: &Principal,
    uri: &Uri,
) -> sqlx::Result<Option<app::model::Locale>> {
    use app::store::language::{self, Chooser};
    let who = match principal {
        Principal::User { id, .. } => Chooser::User(*id),
        Principal::Display { id, .. } => Chooser::Display(*id),
        Principal::AgencyToken { .. } => return Ok(None),
    };
    let asked = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(|code| match code {
            "vi" => Some(app::model::Locale::Vi),
            "en" => Some(app::model::Locale::En),
            _ => None,
        });
    match asked {
        Some(locale) => {
            let mut tx = app::store::write(&state.db).await?;
            language::choose(&mut tx, who, locale).await?;
            tx.commit().await?;
            Ok(Some(locale))
        }
        None => {
            let mut conn = state.db.acquire().await?;
            Ok(Some(language::of(&mut conn, who).await?))
        }
    }
}

/// The token of a wall URL's `?display=` parameter.
pub fn display_param(uri: &Uri) -> Option<String> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("display="))
        .map(str::to_string)
}

/// `uri` with its `?display=` parameter taken out.
pub fn without_display_param(uri: &Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("display="))
        .collect();
    if kept.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    }
}

async fn exchange_display_token(
    state: &AppState,
    session: &Session,
    token: &str,
    uri: &Uri,
    ip: &str,
) -> Response {
    let target = without_display_param(uri);
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
            if let Err(e) = session::start_display(session, display.id, now).await {
                return ApiFailure::internal(e).into_response();
            }
            Redirect::to(&target).into_response()
        }
        Ok(None) => {
            // whatever session came with the request is not this screen's: end it
            let _ = session::end(session).await;
            notice::respond(
                StatusCode::UNAUTHORIZED,
                Notice::new(
                    "Mã màn hình không hợp lệ hoặc đã bị thu hồi. Liên hệ quản trị để nhận mã mới.",
                    "This screen's token is not valid or has been revoked. Ask an administrator for a new one.",
                ),
            )
        }
        Err(e) => ApiFailure::of_database(&e).into_response(),
    }
}

/// `GET /api/v1/session`: who is asking — a person (name and role), a wall screen or an
/// agency system — or 401. A screen asks when its live connection is refused: the browser
/// does not show a refused websocket upgrade's status, and a 401 here means the screen's
/// access has ended (revoked, or signed out), not that the network failed.
pub async fn session_info(principal: Option<axum::Extension<Principal>>) -> Response {
    let Some(axum::Extension(principal)) = principal else {
        return ApiFailure::unauthorized(
            "Phiên đã kết thúc hoặc chưa đăng nhập.",
            "No session: it ended, or no one signed in.",
        )
        .into_response();
    };
    let (kind, _, name) = principal.actor();
    axum::Json(serde_json::json!({
        "kind": kind,
        "name": name,
        "role": principal.role().map(|r| r.code()),
    }))
    .into_response()
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
    if request.extensions().get::<Principal>().is_some() {
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

    #[test]
    fn the_display_token_leaves_the_address() {
        let uri: Uri = "/?lang=en&display=iocd_abc&x=1".parse().unwrap();
        assert_eq!(display_param(&uri).as_deref(), Some("iocd_abc"));
        assert_eq!(without_display_param(&uri), "/?lang=en&x=1");
        let only: Uri = "/?display=iocd_abc".parse().unwrap();
        assert_eq!(without_display_param(&only), "/");
    }

    #[test]
    fn only_the_bearer_scheme_is_a_token() {
        let request = |value: &str| {
            Request::builder()
                .header(header::AUTHORIZATION, value)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(bearer_token(&request("Bearer ioc_x")), Some("ioc_x"));
        assert_eq!(bearer_token(&request("bearer  ioc_x ")), Some("ioc_x"));
        assert_eq!(bearer_token(&request("Basic dXNlcjpwYXNz")), None);
        assert_eq!(bearer_token(&request("Bearer ")), None);
        assert_eq!(bearer_token(&request("NTLM TlRMTVNTUAAB")), None);
    }
}
