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

#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// The HTML document around the app, rendered on the server. Only live screens load the
/// hydration scripts, each its own bundle ([`pages::bundle`]), in islands mode: the browser
/// hydrates the screen's island (`#[island]`) and nothing around it.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let path = pages::Location::current().path;
    let bundle = pages::bundle(&path).map(|suffix| {
        let mut options = options.clone();
        options.output_name = format!("{}{suffix}", options.output_name).into();
        options
    });
    view! {
        <!DOCTYPE html>
        <html lang=pages::use_locale().code()>
            <head>
                <PageHead />
                <title>"IOC Live — Trung tâm điều hành thông minh"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/ioc.css" />
                <AutoReload options=options.clone() />
                {bundle.map(|options| view! { <HydrationScripts options islands=true /> })}
                // the screens that follow the live stream without WASM: the link, then the screen's part
                {(pages::follows_tasks(&path) || path == "/console").then(|| view! { <script src="/assets/live-follow.js" defer></script> })}
                {pages::follows_tasks(&path).then(|| view! { <script src="/assets/tasks-live.js" defer></script> })}
                {(path == "/console").then(|| view! { <script src="/assets/console-live.js" defer></script> })}
                // the brief installs as an app and keeps its last snapshot for when there is no network
                {(path == "/wall").then(|| view! {
                    <script src="/assets/live-follow.js" defer></script>
                    <script src="/assets/wall.js" defer></script>
                })}
                {(path == "/brief").then(|| view! {
                    <link rel="manifest" href="/manifest.webmanifest" />
                    <meta name="theme-color" content="#0b1020" />
                    <link rel="apple-touch-icon" href="/assets/icon-192.png" />
                    <script src="/assets/brief.js" defer></script>
                })}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What the head of every document starts with.
#[cfg(feature = "ssr")]
#[component]
pub fn PageHead() -> impl IntoView {
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <link rel="icon" href="data:," />
        // the one font of every screen (served by the server, named in the style sheet)
        <link rel="preload" href="/assets/fonts/noto-sans-2.15-400.woff2" r#as="font" r#type="font/woff2" crossorigin="" />
    }
}

/// The page for the current address. Each screen is its own document (a wall, a phone and
/// a console each load one screen and stay on it), so the browser carries no router and no
/// page: the server picks the page from the path, and the browser hydrates its island.
/// The scene at `/wall/<kind>/<id>`.
#[cfg(feature = "ssr")]
fn app_scene(kind: &str, id: &str) -> Option<model::wall::Shown> {
    model::wall::Shown::of_code(&format!(
        "{}:{id}",
        if kind == "scene" {
            "scene"
        } else if kind == "incident" {
            "incident"
        } else {
            return None;
        }
    ))
}

#[cfg(feature = "ssr")]
#[component]
pub fn App() -> impl IntoView {
    match pages::Location::current().path.as_str() {
        "/" => view! { <pages::overview::OverviewPage /> }.into_any(),
        "/money" => view! { <pages::money::MoneyPage /> }.into_any(),
        "/services" => view! { <pages::services::ServicesPage /> }.into_any(),
        "/login" => view! { <pages::login::LoginPage /> }.into_any(),
        "/admin" => view! { <pages::admin::AdminPage /> }.into_any(),
        "/account" => view! { <pages::account::AccountPage /> }.into_any(),
        "/submit" => view! { <pages::submit::SubmitPage /> }.into_any(),
        "/tasks" => view! { <pages::tasks::TasksPage /> }.into_any(),
        "/console" => view! { <pages::console::ConsolePage /> }.into_any(),
        "/brief" => view! { <pages::brief::BriefPage /> }.into_any(),
        "/tasks/new" => view! { <pages::tasks::NewTaskPage /> }.into_any(),
        p if p.starts_with("/tasks/") => view! { <pages::tasks::TaskPage /> }.into_any(),
        "/wall" => view! { <pages::wall::WallPage /> }.into_any(),
        p if p.starts_with("/wall/") => {
            let shown = p
                .strip_prefix("/wall/")
                .and_then(|rest| rest.split_once('/'))
                .and_then(|(kind, id)| app_scene(kind, id));
            view! { <pages::wall::ScenePage shown /> }.into_any()
        }
        _ => view! { <pages::not_found::NotFound /> }.into_any(),
    }
}
