//! The data behind our own screens, read on the server while a page renders and carried
//! inside the page (not a public API: agencies use the REST ingest API, screens receive
//! live updates over the websocket). There are no server functions, so nothing here is
//! reachable over HTTP except through its page.
//!
//! The server provides a [`ServerContext`] to every page it renders.

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod console;
#[cfg(feature = "ssr")]
pub mod money;
#[cfg(feature = "ssr")]
pub mod overview;
#[cfg(feature = "ssr")]
pub mod quality;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod tasks;

#[cfg(feature = "ssr")]
pub use context::*;

#[cfg(feature = "ssr")]
mod context {
    use crate::model::account::Visibility;
    use crate::model::map::MapData;
    use crate::model::{Catalogue, LiveValue};
    use std::sync::Arc;

    /// Read access to the live values, implemented by the server's hub.
    pub trait LiveReader: Send + Sync {
        /// The current values that `keep` selects and `visibility` allows, with the stream
        /// position they were read at.
        fn read(
            &self,
            keep: &dyn Fn(&LiveValue) -> bool,
            visibility: &Visibility,
        ) -> (String, u64, Vec<LiveValue>);

        /// The *số liệu đến* of the current figure of `indicator` for `area` (not a
        /// project's or a desk's), if there is one.
        fn as_of(&self, indicator: &str, area: &str) -> Option<time::OffsetDateTime> {
            let (_, _, values) = self.read(
                &|v| v.indicator == indicator && v.area == area && v.project.is_none(),
                &Visibility::All,
            );
            values.into_iter().map(|v| v.as_of).max()
        }
    }

    /// Who the request being handled is for (set by the server's authentication layer).
    pub fn current_principal() -> Option<crate::model::account::Principal> {
        leptos::prelude::use_context::<http::request::Parts>()?
            .extensions
            .get::<crate::model::account::Principal>()
            .cloned()
    }

    /// What server functions may use, provided by the server for each request.
    #[derive(Clone)]
    pub struct ServerContext {
        pub catalogue: Arc<Catalogue>,
        pub live: Arc<dyn LiveReader>,
        /// The overview map of today's units.
        pub map: Arc<MapData>,
        /// For the administration and submission screens (read only).
        pub db: crate::store::Db,
        /// The alert rules (`alerts.toml`), for their names.
        pub alert_rules: Arc<[crate::model::alert::AlertRule]>,
    }
}
