//! The browser side of the live stream: a reactive store of current values, the
//! connection's state, and (in the browser only) the websocket that keeps them current.
//!
//! The store starts from the values the page was rendered with and the stream position they
//! were read at; the socket resumes from that position, so nothing between rendering and
//! connecting is lost. The frame check itself is [`crate::model::live::StreamCursor`].

#[cfg(feature = "hydrate")]
mod socket;

use leptos::prelude::*;
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::model::{LiveValue, StreamPosition};

/// The state of the link to the server, as shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not connected yet (also how the server renders the page).
    Connecting,
    /// Frames are arriving.
    Live,
    /// The connection dropped; trying again (attempt number).
    Reconnecting { attempt: u32 },
    /// The server ended this viewer's right to the stream (signed out elsewhere, account
    /// disabled, role or password changed, display revoked): no more attempts.
    Ended,
}

type Key = (String, String);

/// Current values by (indicator, area), updated by the socket.
#[derive(Clone, Copy)]
pub struct LiveStore {
    values: RwSignal<HashMap<Key, LiveValue>>,
    /// The connection state.
    pub link: RwSignal<Link>,
    /// After a reconnect: how many values the catch-up frame brought (shown briefly).
    pub caught_up: RwSignal<Option<usize>>,
    /// The clock that freshness is judged by: the server's time at render, then the
    /// browser's, ticking.
    pub now: RwSignal<OffsetDateTime>,
    /// Where the values were read; the socket resumes from here.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    start: StoredValue<StreamPosition>,
}

impl LiveStore {
    pub fn new(position: StreamPosition, values: &[LiveValue], now: OffsetDateTime) -> LiveStore {
        let map = values
            .iter()
            .map(|v| ((v.indicator.clone(), v.area.clone()), v.clone()))
            .collect();
        LiveStore {
            values: RwSignal::new(map),
            link: RwSignal::new(Link::Connecting),
            caught_up: RwSignal::new(None),
            now: RwSignal::new(now),
            start: StoredValue::new(position),
        }
    }

    /// The current value of `indicator` for `area`, tracked reactively.
    pub fn value(&self, indicator: &str, area: &str) -> Option<LiveValue> {
        self.values
            .with(|m| m.get(&(indicator.to_string(), area.to_string())).cloned())
    }

    /// Whether values are being kept current right now.
    pub fn is_live(&self) -> bool {
        self.link.get() == Link::Live
    }

    /// Replaces every value (a snapshot).
    pub fn reset(&self, values: Vec<LiveValue>) {
        self.values.set(
            values
                .into_iter()
                .map(|v| ((v.indicator.clone(), v.area.clone()), v))
                .collect(),
        );
    }

    /// Applies changed values (a delta).
    pub fn apply(&self, values: Vec<LiveValue>) {
        if values.is_empty() {
            return;
        }
        self.values.update(|m| {
            for v in values {
                m.insert((v.indicator.clone(), v.area.clone()), v);
            }
        });
    }

    /// Starts the socket (in the browser; does nothing on the server).
    pub fn connect(&self) {
        #[cfg(feature = "hydrate")]
        socket::connect(*self, self.start.get_value());
    }
}
