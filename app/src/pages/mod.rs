//! One module per screen. A page composes components and data; it holds no logic of its own.

pub mod not_found;
pub mod overview;

use crate::model::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The language chosen by `?lang=` (Vietnamese unless `en`).
pub fn use_locale() -> Memo<Locale> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get("lang")
                .map(|l| Locale::from_code(&l))
                .unwrap_or_default()
        })
    })
}
