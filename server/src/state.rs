//! What every handler can reach: the database, the province, the live hub, the one writer of
//! observations, and the settings that decide who may do what.

use app::model::Catalogue;
use app::store::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use crate::auth::{AllowedOrigins, SessionLimits};
use crate::geography::Geography;
use crate::hub::Hub;
use crate::ingest::writer::ObservationWriter;

/// Limits of the ingest API and the submission form.
#[derive(Debug, Clone)]
pub struct IngestLimits {
    pub max_batch: usize,
    pub max_body_bytes: usize,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalogue: Arc<Catalogue>,
    /// The alert rules (`alerts.toml`).
    pub alert_rules: Arc<[app::model::alert::AlertRule]>,
    pub geography: Arc<Geography>,
    pub hub: Arc<Hub>,
    /// Stores accepted batches and publishes them, in commit order.
    pub writer: ObservationWriter,
    pub limits: IngestLimits,
    pub leptos: LeptosOptions,
    /// Where forms and live connections may come from.
    pub origins: AllowedOrigins,
    pub sessions: SessionLimits,
    /// Whether session cookies are Secure (`__Host-` named).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Origins that may frame pages served to a display; none when empty.
    pub display_frame_ancestors: Arc<[String]>,
    /// Whether this instance runs the background work now.
    pub leading: crate::leader::Leading,
    /// The demo feed's progress, when it is on.
    pub demo: Option<crate::demo::FeedProgress>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
