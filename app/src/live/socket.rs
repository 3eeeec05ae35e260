//! The websocket to `/api/v1/live`, in the browser: connects, checks every frame against the
//! stream position, resumes after a drop or a gap, and notices a silent server.
//!
//! A browser does not tell a page why a websocket upgrade failed: a refused one (401, 403)
//! looks like a network error. So after a drop the screen asks `/api/v1/session` who it is
//! before trying again: a 401 or 403 means its access has ended — revoked, or its session
//! gone — and it says so and stops; anything else (a network error, a server restarting)
//! means try again.

use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use time::OffsetDateTime;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{Link, LiveStore};
use crate::model::live::{FrameCheck, LiveFrame, StreamCursor};
use crate::model::StreamPosition;

/// The server sends a heartbeat every 10 s; three missed ones mean the link is dead even if
/// the browser has not noticed.
const SILENCE_LIMIT_MS: f64 = 30_000.0;
/// How long "caught up N updates" stays on screen.
const CAUGHT_UP_SHOWN: Duration = Duration::from_secs(8);

struct Connection {
    store: LiveStore,
    cursor: StreamCursor,
    socket: Option<WebSocket>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_close: Option<Closure<dyn FnMut(CloseEvent)>>,
    /// Consecutive failed attempts, for the back-off.
    attempt: u32,
    /// Bumped for each socket, so events of an abandoned socket are ignored.
    generation: u64,
    last_frame_ms: f64,
    /// Whether the current socket replaces one that dropped (then the catch-up is shown).
    after_drop: bool,
}

type Shared = Rc<RefCell<Connection>>;

pub(super) fn connect(store: LiveStore, start: StreamPosition) {
    let conn: Shared = Rc::new(RefCell::new(Connection {
        store,
        cursor: StreamCursor::at(start),
        socket: None,
        on_message: None,
        on_close: None,
        attempt: 0,
        generation: 0,
        last_frame_ms: js_sys::Date::now(),
        after_drop: false,
    }));
    open(&conn);
    let watched = conn.clone();
    set_interval(
        move || {
            store.now.set(OffsetDateTime::now_utc());
            let silent = {
                let c = watched.borrow();
                c.socket.is_some() && js_sys::Date::now() - c.last_frame_ms > SILENCE_LIMIT_MS
            };
            if silent {
                leptos::logging::warn!("live: no frame for too long, reconnecting");
                dropped(&watched);
            }
        },
        Duration::from_secs(1),
    );
}

fn url(cursor: &StreamCursor) -> String {
    let location = window().location();
    let scheme = if location.protocol().as_deref() == Ok("https:") {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().unwrap_or_default();
    match cursor.position() {
        Some(p) => format!("{scheme}://{host}/api/v1/live?since={p}"),
        None => format!("{scheme}://{host}/api/v1/live"),
    }
}

fn open(conn: &Shared) {
    let mut c = conn.borrow_mut();
    c.generation += 1;
    let generation = c.generation;
    let socket = match WebSocket::new(&url(&c.cursor)) {
        Ok(socket) => socket,
        Err(e) => {
            leptos::logging::warn!("live: cannot open the socket: {e:?}");
            drop(c);
            retry_later(conn);
            return;
        }
    };
    let on_message = {
        let conn = conn.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            received(&conn, generation, e)
        })
    };
    let on_close = {
        let conn = conn.clone();
        Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            if conn.borrow().generation == generation {
                leptos::logging::log!("live: closed ({} {})", e.code(), e.reason());
                if e.code() == crate::model::live::CLOSE_REVOKED {
                    ended(&conn);
                } else {
                    dropped(&conn);
                }
            }
        })
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    c.socket = Some(socket);
    c.on_message = Some(on_message);
    c.on_close = Some(on_close);
    c.last_frame_ms = js_sys::Date::now();
}

/// Closes the current socket (if any) without reacting to its close event.
fn abandon(c: &mut Connection) {
    c.generation += 1;
    if let Some(socket) = c.socket.take() {
        socket.set_onmessage(None);
        socket.set_onclose(None);
        let _ = socket.close();
    }
    c.on_message = None;
    c.on_close = None;
}

/// The link dropped: show it, find out whether the screen may still connect, and try
/// again after a back-off if it may.
fn dropped(conn: &Shared) {
    let store = {
        let mut c = conn.borrow_mut();
        abandon(&mut c);
        c.attempt += 1;
        c.after_drop = true;
        c.store
    };
    let attempt = conn.borrow().attempt;
    store.link.set(Link::Reconnecting { attempt });
    let conn = conn.clone();
    leptos::task::spawn_local(async move {
        if access_ended().await {
            leptos::logging::warn!("live: this screen's access has ended; not reconnecting");
            ended(&conn);
        } else {
            retry_later(&conn);
        }
    });
}

/// Whether the server says this screen may no longer connect (its session or token was
/// revoked or has ended); `false` when it cannot be reached.
async fn access_ended() -> bool {
    let answer =
        wasm_bindgen_futures::JsFuture::from(window().fetch_with_str("/api/v1/session")).await;
    answer
        .ok()
        .and_then(|response| response.dyn_into::<web_sys::Response>().ok())
        .is_some_and(|response| matches!(response.status(), 401 | 403))
}

/// The server revoked this viewer: reconnecting with the same credentials cannot work.
fn ended(conn: &Shared) {
    let store = {
        let mut c = conn.borrow_mut();
        abandon(&mut c);
        c.store
    };
    store.link.set(Link::Ended);
}

fn retry_later(conn: &Shared) {
    let attempt = conn.borrow().attempt.min(6);
    // 0.5 s, 1 s, 2 s … up to 30 s, with jitter so a wall of screens does not reconnect at once
    let base = (500.0 * f64::from(1u32 << attempt)).min(30_000.0);
    let delay = base * (0.5 + js_sys::Math::random() * 0.5);
    let conn = conn.clone();
    set_timeout(move || open(&conn), Duration::from_millis(delay as u64));
}

fn received(conn: &Shared, generation: u64, event: MessageEvent) {
    let Some(text) = event.data().as_string() else {
        return;
    };
    let frame: LiveFrame = match serde_json::from_str(&text) {
        Ok(frame) => frame,
        Err(e) => {
            leptos::logging::error!("live: unreadable frame ({e}); reconnecting");
            dropped(conn);
            return;
        }
    };
    let (check, store, after_drop) = {
        let mut c = conn.borrow_mut();
        if c.generation != generation {
            return;
        }
        c.last_frame_ms = js_sys::Date::now();
        (c.cursor.check(&frame), c.store, c.after_drop)
    };
    let (values, standing) = match frame {
        LiveFrame::Snapshot { values, .. } | LiveFrame::Delta { values, .. } => (values, None),
        LiveFrame::Explanations { standing, .. } => (Vec::new(), Some(standing)),
        // the live screens show no task lists: a task notice only proves the link
        LiveFrame::Heartbeat { .. } | LiveFrame::Tasks { .. } | LiveFrame::Alerts { .. } => {
            (Vec::new(), None)
        }
    };
    match check {
        FrameCheck::Reset
        | FrameCheck::Apply
        | FrameCheck::Ignore
        | FrameCheck::TasksChanged
        | FrameCheck::AlertsChanged
        | FrameCheck::Explanations => {
            let count = values.len();
            match check {
                FrameCheck::Reset => store.reset(values),
                FrameCheck::Apply => store.apply(values),
                FrameCheck::Explanations => {
                    store.explanations.set(standing.unwrap_or_default());
                }
                _ => {}
            }
            // any frame in step (even an empty catch-up or a heartbeat) proves the link
            if store.link.get_untracked() != Link::Live {
                {
                    let mut c = conn.borrow_mut();
                    c.attempt = 0;
                    c.after_drop = false;
                }
                store.link.set(Link::Live);
                if after_drop {
                    store.caught_up.set(Some(count));
                    set_timeout(move || store.caught_up.set(None), CAUGHT_UP_SHOWN);
                }
            }
        }
        FrameCheck::Gap { have, frame_from } => {
            leptos::logging::warn!("live: gap (have {have}, frame from {frame_from}); resuming");
            restart(conn);
        }
        FrameCheck::EpochChanged => {
            leptos::logging::warn!("live: the server's database changed; reloading every value");
            conn.borrow_mut().cursor = StreamCursor::default();
            restart(conn);
        }
    }
}

/// Opens a fresh socket at once, from the cursor's position.
fn restart(conn: &Shared) {
    {
        let mut c = conn.borrow_mut();
        abandon(&mut c);
        c.after_drop = true;
    }
    conn.borrow()
        .store
        .link
        .set(Link::Reconnecting { attempt: 0 });
    open(conn);
}
