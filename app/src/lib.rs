//! IOC Live's user interface and everything shared between the server and the browser.
//!
//! * [`model`] — domain types (no I/O), used by server, browser and tests;
//! * [`store`] — all SQL (server only);
//! * [`api`] — server functions behind our own screens;
//! * [`live`] — the browser side of the live stream;
//! * [`components`] and [`pages`] — the screens.

#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod live;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;

/// The HTML document around the app, rendered on the server. Only live screens load the
/// hydration scripts.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let live = pages::hydrates(&pages::Location::current().path);
    view! {
        <!DOCTYPE html>
        <html lang="vi">
            <head>
                <PageHead />
                <title>"IOC Live — Trung tâm điều hành thông minh"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/ioc.css" />
                <AutoReload options=options.clone() />
                {live.then(|| view! { <HydrationScripts options /> })}
                {pages::follows_tasks(&pages::Location::current().path).then(|| view! { <script src="/assets/tasks-live.js" defer></script> })}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What the head of every document starts with.
#[component]
pub fn PageHead() -> impl IntoView {
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <link rel="icon" href="data:," />
    }
}

/// The page for the current address. Each screen is its own document (a wall, a phone and
/// a console each load one screen and stay on it), so the browser carries no router: the
/// server and the browser both pick the page from the path.
#[component]
pub fn App() -> impl IntoView {
    match pages::Location::current().path.as_str() {
        "/" => view! { <pages::overview::OverviewPage /> }.into_any(),
        "/money" => view! { <pages::money::MoneyPage /> }.into_any(),
        "/services" => view! { <pages::services::ServicesPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/login" => view! { <pages::login::LoginPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/admin" => view! { <pages::admin::AdminPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/account" => view! { <pages::account::AccountPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/submit" => view! { <pages::submit::SubmitPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/tasks" => view! { <pages::tasks::TasksPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        "/tasks/new" => view! { <pages::tasks::NewTaskPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        p if p.starts_with("/tasks/") => view! { <pages::tasks::TaskPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        _ => view! { <pages::not_found::NotFound /> }.into_any(),
        // the browser hydrates live screens only
        #[cfg(not(feature = "ssr"))]
        _ => ().into_any(),
    }
}
