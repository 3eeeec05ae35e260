//! One module per screen. A page composes components and data; it holds no logic of its own.
//!
//! Live screens — the overview, the money view and the services view — are one island each
//! (`Dashboard`, `MoneyView`, `ServicesView`) inside server-rendered HTML; the browser
//! hydrates that island with a bundle holding that screen only ([`bundle`]). The others —
//! sign-in, account, administration, submission, tasks, the console, the leader's brief,
//! the wall's canvas and scenes, not found — are plain HTML with form posts: rendered on the server only, they load no
//! WASM.

#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod brief;
#[cfg(feature = "ssr")]
pub mod console;
#[cfg(feature = "ssr")]
pub mod login;
pub mod money;
#[cfg(feature = "ssr")]
pub mod not_found;
#[cfg(feature = "ssr")]
pub mod notice;
pub mod overview;
pub mod services;
#[cfg(feature = "ssr")]
pub mod submit;
#[cfg(feature = "ssr")]
pub mod tasks;
#[cfg(feature = "ssr")]
pub mod wall;

/// The WASM bundle the screen at `path` hydrates with, as the suffix of the site's output
/// name (`ioc` + suffix); `None` for screens that are plain HTML. Each live screen has a
/// bundle holding only itself, so a phone opening one screen downloads one screen's code.
pub fn bundle(path: &str) -> Option<&'static str> {
    match path {
        "/" => Some(""),
        "/money" => Some("-money"),
        "/services" => Some("-services"),
        _ => None,
    }
}

/// A live screen's data as its island's props, in the compact encoding
/// ([`crate::model::compact`]): the browser reads it with far less code than JSON takes.
/// Leptos serialises an island's props again when the island's component runs, in the
/// browser too, where the result is never used — so there this writes nothing, and the
/// screen's bundle carries no serialiser for its data (and spends no time on one).
#[derive(Clone)]
pub struct ScreenData<T>(pub T);

impl<T: serde::Serialize> serde::Serialize for ScreenData<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "ssr")]
        return serializer.serialize_str(
            &crate::model::compact::encode(&self.0).map_err(serde::ser::Error::custom)?,
        );
        #[cfg(not(feature = "ssr"))]
        serializer.serialize_unit()
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for ScreenData<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        crate::model::compact::decode(&text)
            .map(ScreenData)
            .map_err(serde::de::Error::custom)
    }
}

/// Whether the screen at `path` shows tasks, and follows their changes with the small
/// script `/assets/tasks-live.js` (the task list and a task's page; not the form).
pub fn follows_tasks(path: &str) -> bool {
    path == "/tasks"
        || path
            .strip_prefix("/tasks/")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

use crate::model::Locale;

/// The body of a screen: its data loaded while the page renders (the whole page is sent
/// once it is ready), shown by `show`, or `failed` if it could not be read.
#[cfg(feature = "ssr")]
fn loaded_screen<T, Fut, V>(
    load: impl Fn() -> Fut + Send + Sync + 'static,
    show: impl Fn(T) -> V + Copy + Send + Sync + 'static,
    failed: impl Fn(leptos::prelude::ServerFnError) -> leptos::prelude::AnyView
        + Copy
        + Send
        + Sync
        + 'static,
) -> impl leptos::prelude::IntoView
where
    Fut: std::future::Future<Output = Result<T, leptos::prelude::ServerFnError>> + Send + 'static,
    T: 'static,
    V: leptos::prelude::IntoView + 'static,
{
    use leptos::prelude::*;
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Đang tải… / Loading…"</p> }>
            {move || {
                let loading = load();
                Suspend::new(async move {
                    match loading.await {
                        Ok(data) => show(data).into_any(),
                        Err(e) => failed(e),
                    }
                })
            }}
        </Suspense>
    }
}

/// The body of a form screen: its data, shown by `show`; if the viewer may not open the
/// screen, a notice saying so (`refusal`: Vietnamese, English) with a way back to the
/// overview.
#[cfg(feature = "ssr")]
pub fn form_screen<T, Fut, V>(
    locale: Locale,
    refusal: (&'static str, &'static str),
    load: impl Fn() -> Fut + Send + Sync + 'static,
    show: impl Fn(T) -> V + Copy + Send + Sync + 'static,
) -> impl leptos::prelude::IntoView
where
    Fut: std::future::Future<Output = Result<T, leptos::prelude::ServerFnError>> + Send + 'static,
    T: 'static,
    V: leptos::prelude::IntoView + 'static,
{
    use leptos::prelude::*;
    loaded_screen(load, show, move |_| {
        view! {
            <main class="notice">
                <h1>{locale.pick(refusal.0, refusal.1)}</h1>
                <p><a href="/">{locale.pick("Về trang tổng quan", "Back to the overview")}</a></p>
            </main>
        }
        .into_any()
    })
}

/// The body of a live screen: its data, shown by `show` — the screen's island, which the
/// browser hydrates with that data as its props; if the data cannot be read, says so.
#[cfg(feature = "ssr")]
pub fn live_screen<T, Fut, V>(
    locale: Locale,
    load: impl Fn() -> Fut + Send + Sync + 'static,
    show: impl Fn(T) -> V + Copy + Send + Sync + 'static,
) -> impl leptos::prelude::IntoView
where
    Fut: std::future::Future<Output = Result<T, leptos::prelude::ServerFnError>> + Send + 'static,
    T: 'static,
    V: leptos::prelude::IntoView + 'static,
{
    use leptos::prelude::*;
    loaded_screen(load, show, move |e| {
        view! {
            <main class="error">
                <h1>{locale.pick("Không tải được số liệu", "Could not load the data")}</h1>
                <p>{e.to_string()}</p>
            </main>
        }
        .into_any()
    })
}

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

    /// The value of a query parameter, percent-decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            pair.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| decode(v))
        })
    }
}

/// The language chosen by `?lang=` (Vietnamese unless `en`); without it, the one the
/// viewer last chose ([`crate::model::i18n::Chosen`]), else Vietnamese.
pub fn use_locale() -> Locale {
    if let Some(code) = Location::current().param("lang") {
        return Locale::from_code(&code);
    }
    #[cfg(feature = "ssr")]
    if let Some(chosen) = leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::model::i18n::Chosen>()
            .copied()
    }) {
        return chosen.0;
    }
    Locale::default()
}

/// Percent-decoding of a query value (`+` is a space, as forms send it).
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
        assert_eq!(l.param("lang").as_deref(), Some("en"));
        assert_eq!(decode("/admin%3Ftab%3Daudit"), "/admin?tab=audit");
        assert_eq!(decode("/%E1%BB%9F"), "/ở");
        assert_eq!(decode("50%"), "50%");
        assert_eq!(decode("a+b"), "a b");
        assert_eq!(l.param("b"), None);
    }

    #[test]
    fn the_task_list_and_a_task_s_page_follow_task_changes_and_the_form_does_not() {
        assert!(follows_tasks("/tasks"));
        assert!(follows_tasks("/tasks/42"));
        // the new-directive form: what is typed there is never replaced
        assert!(!follows_tasks("/tasks/new"));
        assert!(!follows_tasks("/tasks/"));
        assert!(!follows_tasks("/tasks/42/notes"));
        assert!(!follows_tasks("/"));
        assert!(!follows_tasks("/services"));
    }
}
