//! Who a handler serves, as extractors. A handler names its caller in its signature, so the
//! check cannot be forgotten; extractors of request parts run before the body is read, so a
//! stranger's body is never read; and a refused request gets the answer its kind of client
//! understands — JSON for the API, a page for the screens' form posts.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;

use super::admin::Actor;
use super::ClientIp;
use crate::error::ApiFailure;
use crate::notice;
use app::model::account::Principal;
use app::pages::notice::Notice;

fn principal(parts: &Parts) -> Option<&Principal> {
    parts.extensions.get::<Principal>()
}

fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ClientIp>()
        .map_or_else(|| "unknown".to_string(), |ClientIp(ip)| ip.clone())
}

/// A refusal shown as a page, for form posts.
fn refused_page(vi: &str, en: &str) -> Response {
    notice::respond(StatusCode::FORBIDDEN, Notice::new(vi, en))
}

/// An agency's system, authenticated by its API token (the ingest API).
pub struct AgencySystem {
    pub principal: Principal,
    pub agency: String,
}

impl<S: Send + Sync> FromRequestParts<S> for AgencySystem {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiFailure> {
        match principal(parts) {
            Some(p @ Principal::AgencyToken { agency, .. }) => Ok(AgencySystem {
                agency: agency.clone(),
                principal: p.clone(),
            }),
            _ => Err(ApiFailure::unauthorized(
                "Cần mã truy cập của cơ quan: gửi tiêu đề Authorization: Bearer <mã của cơ quan>.",
                "An agency token is needed: send the header Authorization: Bearer <your agency token>.",
            )),
        }
    }
}

/// An administrator, acting from the admin page.
pub struct AdminCaller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for AdminCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match principal(parts) {
            Some(p) if p.is_admin() => Ok(AdminCaller(Actor::of(p, &client_ip(parts)))),
            _ => Err(refused_page(
                "Chỉ quản trị viên được làm việc này.",
                "Only administrators may do this.",
            )),
        }
    }
}

/// Someone who submits an agency's figures through the form: one of its officers.
pub struct Submitter {
    pub principal: Principal,
    pub agency: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Submitter {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match principal(parts) {
            Some(p) => match p.submits_for() {
                Some(agency) => Ok(Submitter {
                    agency: agency.to_string(),
                    principal: p.clone(),
                }),
                None => Err(refused_page(
                    "Chỉ cán bộ của cơ quan cung cấp số liệu mới gửi được số liệu.",
                    "Only an agency's officers may submit figures.",
                )),
            },
            None => Err(refused_page(
                "Cần đăng nhập để gửi số liệu.",
                "Sign in to submit figures.",
            )),
        }
    }
}

/// A person signed in with their own account (not a wall screen or an agency system).
pub struct Person {
    pub id: i64,
    pub principal: Principal,
}

impl<S: Send + Sync> FromRequestParts<S> for Person {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match principal(parts) {
            Some(p @ Principal::User { id, .. }) => Ok(Person {
                id: *id,
                principal: p.clone(),
            }),
            _ => Err(refused_page(
                "Cần đăng nhập bằng tài khoản của mình.",
                "Sign in with your own account.",
            )),
        }
    }
}

/// The client's address, for the audit trail and the sign-in limits.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_ip(parts)))
    }
}
