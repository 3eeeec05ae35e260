//! The data behind our own screens, read on the server while a page renders and carried
//! inside the page (not a public API: agencies use the REST ingest API, screens receive
//! live updates over the websocket). There are no server functions, so nothing here is
//! reachable over HTTP except through its page.
//!
//! The server provides a [`ServerContext`] to every page it renders.

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod brief;
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
pub mod wall;

#[cfg(feature = "ssr")]
pub use context::*;

/// The agencies' explanations in date on `today` of the figures `visibility` sees, as JSON
/// (the live stream's form): each live screen starts with them, and the live stream keeps
/// them current.
#[cfg(feature = "ssr")]
pub async fn explanations_seen(
    ctx: &ServerContext,
    visibility: &crate::model::account::Visibility,
    today: time::Date,
) -> Result<String, leptos::prelude::ServerFnError> {
    let failed = |e: sqlx::Error| leptos::prelude::ServerFnError::new(e.to_string());
    let overview = overview::overview_indicators(&ctx.catalogue);
    let mut conn = ctx.db.acquire().await.map_err(failed)?;
    let list = crate::store::explanations::in_date(&mut conn, today, None)
        .await
        .map_err(failed)?;
    let notes: Vec<crate::model::explanation::ExplanationNote> = list
        .into_iter()
        .filter(|e| visibility.allows(&e.indicator, &e.agency, &overview))
        .map(|e| crate::model::explanation::ExplanationNote::of(&e))
        .collect();
    serde_json::to_string(&notes).map_err(|e| leptos::prelude::ServerFnError::new(e.to_string()))
}

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
        /// project's or a desk's), if there is one; of a sum of projects
        /// ([`crate::model::money::is_derived`]) too, `province` being the code of the
        /// province's total.
        fn as_of(
            &self,
            indicator: &str,
            area: &str,
            province: &str,
        ) -> Option<time::OffsetDateTime> {
            use crate::model::money;
            if money::is_derived(indicator) {
                let (_, _, projects) = self.read(&|v| v.project.is_some(), &Visibility::All);
                let today = crate::model::format::vietnam_date(time::OffsetDateTime::now_utc());
                return money::derived_values(&projects, money::plan_year_shown(today), province)
                    .into_iter()
                    .find(|v| v.indicator == indicator && v.area == area)
                    .map(|v| v.as_of);
            }
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
