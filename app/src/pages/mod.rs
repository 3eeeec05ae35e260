//! One module per screen. A page composes components and data; it holds no logic of its own.

pub mod not_found;
pub mod overview;

use crate::model::Locale;

/// The address being shown: from the request on the server, from the window in the
/// browser (both give the same answer, so the hydrated page matches the rendered one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    /// The query string without its `?`.
    pub query: String,
}

impl Location {
    pub fn current() -> Location {
        #[cfg(feature = "ssr")]
        {
            let uri = leptos::prelude::use_context::<http::request::Parts>().map(|p| p.uri);
            Location {
                path: uri
                    .as_ref()
                    .map_or_else(|| "/".to_string(), |u| u.path().to_string()),
                query: uri
                    .as_ref()
                    .and_then(|u| u.query())
                    .unwrap_or_default()
                    .to_string(),
            }
        }
        #[cfg(not(feature = "ssr"))]
        {
            let location = leptos::prelude::window().location();
            Location {
                path: location.pathname().unwrap_or_else(|_| "/".into()),
                query: location
                    .search()
                    .unwrap_or_default()
                    .trim_start_matches('?')
                    .to_string(),
            }
        }
    }

    /// The value of a query parameter (no percent-decoding: our parameters are plain).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|pair| {
            pair.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    }
}

/// The language chosen by `?lang=` (Vietnamese unless `en`).
pub fn use_locale() -> Locale {
    Location::current()
        .param("lang")
        .map(Locale::from_code)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_parameters() {
        let l = Location {
            path: "/".into(),
            query: "a=1&lang=en".into(),
        };
        assert_eq!(l.param("lang"), Some("en"));
        assert_eq!(l.param("b"), None);
    }
}
