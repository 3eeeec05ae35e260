//! The browser side of the live stream: a reactive store of current values, the
//! connection's state, and (in the browser only) the websocket that keeps them current.
//!
//! The store starts from the values the page was rendered with and the stream position they
//! were read at; the socket resumes from that position, so nothing between rendering and
//! connecting is lost. The frame check itself is [`crate::model::live::StreamCursor`].
//!
//! Each (indicator, area) has a signal of its own: a delta that changes one value re-runs
//! only what shows that value (its tile, its commune), not every tile and commune.

#[cfg(feature = "hydrate")]
mod socket;

use leptos::prelude::*;
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::model::explanation::ExplanationNote;
use crate::model::{LiveValue, Locale, StreamPosition};

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

type Key = crate::model::live::ValueKey;

/// Current values by (indicator, area, project), updated by the socket.
#[derive(Clone, Copy)]
pub struct LiveStore {
    /// One signal per value; a key nobody has shown yet gets its signal when first read or
    /// written.
    values: StoredValue<HashMap<Key, ArcRwSignal<Option<LiveValue>>>>,
    /// The connection state.
    pub link: RwSignal<Link>,
    /// After a reconnect: how many values the catch-up frame brought (shown briefly).
    pub caught_up: RwSignal<Option<usize>>,
    /// The clock that freshness is judged by: the server's time at render, then the
    /// browser's, ticking.
    pub now: RwSignal<OffsetDateTime>,
    /// The working days freshness is judged by (see [`crate::model::workdays`]).
    pub calendar: StoredValue<crate::model::workdays::WorkCalendar>,
    /// The agencies' explanations in date: those the page was rendered with, then each
    /// list the stream sends. Read through [`LiveStore::explanation`].
    pub explanations: RwSignal<Vec<ExplanationNote>>,
    /// Where the values were read; the socket resumes from here.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    start: StoredValue<StreamPosition>,
    /// Bumped whenever a project's key appears, so what reads every project's value sees
    /// new ones.
    keys: RwSignal<usize>,
    /// Bumped whenever any key appears (a service desk's first figure), for
    /// [`LiveStore::values_of`].
    any_keys: RwSignal<usize>,
    /// The sums of projects (disbursement by commune and province), computed from the
    /// projects' values when first read and again when one of them changes.
    derived: StoredValue<ArcMemo<HashMap<(String, String), LiveValue>>>,
}

impl LiveStore {
    /// A store starting from `values` read at `position`; `province` is the code sums of
    /// projects are made for.
    fn new(
        position: StreamPosition,
        values: &[LiveValue],
        now: OffsetDateTime,
        calendar: crate::model::workdays::WorkCalendar,
        province: &str,
    ) -> LiveStore {
        let map: HashMap<Key, ArcRwSignal<Option<LiveValue>>> = values
            .iter()
            .map(|v| (v.key(), ArcRwSignal::new(Some(v.clone()))))
            .collect();
        let values = StoredValue::new(map);
        let keys = RwSignal::new(0);
        let plan_year =
            crate::model::money::plan_year_shown(crate::model::format::vietnam_date(now));
        let province = province.to_string();
        let derived = ArcMemo::new(move |_| {
            keys.track();
            let projects: Vec<ArcRwSignal<Option<LiveValue>>> = values.with_value(|m| {
                m.iter()
                    .filter(|(k, _)| k.project.is_some())
                    .map(|(_, s)| s.clone())
                    .collect()
            });
            let current: Vec<LiveValue> = projects.iter().filter_map(|s| s.get()).collect();
            crate::model::money::derived_values(current.iter(), plan_year, &province)
                .into_iter()
                .map(|v| ((v.indicator.clone(), v.area.clone()), v))
                .collect()
        });
        LiveStore {
            values,
            link: RwSignal::new(Link::Connecting),
            caught_up: RwSignal::new(None),
            now: RwSignal::new(now),
            calendar: StoredValue::new(calendar),
            explanations: RwSignal::new(Vec::new()),
            start: StoredValue::new(position),
            keys,
            any_keys: RwSignal::new(0),
            derived: StoredValue::new(derived),
        }
    }

    /// A live screen's store: starts from the values the page was rendered with (read at
    /// `epoch`/`offset`), and opens the socket once the screen is hydrated (an effect, so
    /// never on the server).
    pub fn start(
        epoch: &str,
        offset: u64,
        values: &[LiveValue],
        now: OffsetDateTime,
        calendar: crate::model::workdays::WorkCalendar,
        province: &str,
    ) -> LiveStore {
        let position = StreamPosition {
            epoch: epoch.to_string(),
            offset,
        };
        let store = LiveStore::new(position, values, now, calendar, province);
        Effect::new(move |_| untrack(|| store.connect()));
        store
    }

    /// The store, starting with the explanations the page was rendered with: `json` as the
    /// live stream's `explanations` frame carries them, read with the frame's own code.
    pub fn explained(self, json: &str) -> LiveStore {
        self.explanations
            .set(serde_json::from_str::<Vec<ExplanationNote>>(json).unwrap_or_default());
        self
    }

    /// The owning agency's explanation of the current figure of `indicator` for `area` (the
    /// newest, if several), in `locale`, while it stands: until its date passes or the next
    /// figure arrives. Tracked: the list, and the figure and the clock where there is one.
    pub fn explanation(&self, indicator: &str, area: &str, locale: Locale) -> Option<String> {
        let mine = |e: &&ExplanationNote| e.indicator == indicator && e.area == area;
        if !self.explanations.with(|list| list.iter().any(|e| mine(&e))) {
            return None;
        }
        let current = self.value(indicator, area).map(|v| v.as_of);
        let now = self.now.get();
        self.explanations.with(|list| {
            list.iter()
                .filter(mine)
                .filter(|e| e.stands(current, now))
                .max_by_key(|e| e.written_ms)
                .map(|e| e.text(locale).to_string())
        })
    }

    /// The signal of one value, made on first use.
    fn signal(&self, key: Key) -> ArcRwSignal<Option<LiveValue>> {
        if let Some(signal) = self.values.with_value(|m| m.get(&key).cloned()) {
            return signal;
        }
        let signal = ArcRwSignal::new(None);
        let project = key.project.is_some();
        self.values.update_value(|m| {
            m.insert(key, signal.clone());
        });
        if project {
            self.keys.update(|n| *n += 1);
        }
        self.any_keys.update(|n| *n += 1);
        signal
    }

    /// The current value of `indicator` for `area`, tracked reactively (only this value).
    /// Sums of projects (`crate::model::money::is_derived`) are computed from the projects'
    /// values.
    pub fn value(&self, indicator: &str, area: &str) -> Option<LiveValue> {
        if crate::model::money::is_derived(indicator) {
            let key = (indicator.to_string(), area.to_string());
            return self
                .derived
                .with_value(|d| d.with(|m| m.get(&key).cloned()));
        }
        self.signal(Key::new(indicator.to_string(), area.to_string(), None))
            .get()
    }

    /// Every value reported per project, tracked reactively (new projects included).
    pub fn project_values(&self) -> Vec<LiveValue> {
        self.keys.track();
        let signals: Vec<ArcRwSignal<Option<LiveValue>>> = self.values.with_value(|m| {
            m.iter()
                .filter(|(k, _)| k.project.is_some())
                .map(|(_, s)| s.clone())
                .collect()
        });
        signals.iter().filter_map(|s| s.get()).collect()
    }

    /// Every value of the indicators `codes`, of any area and project, tracked reactively
    /// (new areas and projects included).
    pub fn values_of(&self, codes: &[&str]) -> Vec<LiveValue> {
        self.any_keys.track();
        let signals: Vec<ArcRwSignal<Option<LiveValue>>> = self.values.with_value(|m| {
            m.iter()
                .filter(|(k, _)| codes.contains(&k.indicator.as_str()))
                .map(|(_, s)| s.clone())
                .collect()
        });
        signals.iter().filter_map(|s| s.get()).collect()
    }

    /// Whether values are being kept current right now.
    pub fn is_live(&self) -> bool {
        self.link.get() == Link::Live
    }

    /// Replaces every value (a snapshot): values it lacks are gone.
    pub fn reset(&self, values: Vec<LiveValue>) {
        let mut fresh: HashMap<Key, LiveValue> = values.into_iter().map(|v| (v.key(), v)).collect();
        let known: Vec<(Key, ArcRwSignal<Option<LiveValue>>)> = self
            .values
            .with_value(|m| m.iter().map(|(k, s)| (k.clone(), s.clone())).collect());
        for (key, signal) in known {
            set_if_changed(&signal, fresh.remove(&key));
        }
        for (key, value) in fresh {
            self.signal(key).set(Some(value));
        }
    }

    /// Applies changed values (a delta).
    pub fn apply(&self, values: Vec<LiveValue>) {
        for v in values {
            let signal = self.signal(v.key());
            set_if_changed(&signal, Some(v));
        }
    }

    /// Starts the socket (in the browser; does nothing on the server).
    pub fn connect(&self) {
        #[cfg(feature = "hydrate")]
        socket::connect(*self, self.start.get_value());
    }
}

/// Sets `signal` unless it already holds `value` (a resent value re-renders nothing).
fn set_if_changed(signal: &ArcRwSignal<Option<LiveValue>>, value: Option<LiveValue>) {
    if signal.with_untracked(|current| *current != value) {
        signal.set(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use time::macros::datetime;

    fn value(indicator: &str, area: &str, v: i64, offset: u64) -> LiveValue {
        LiveValue {
            indicator: indicator.into(),
            area: area.into(),
            project: None,
            period: "2026-11-23".parse().unwrap(),
            value: rust_decimal::Decimal::from(v),
            unit: crate::model::Unit::Count,
            agency: "VPUB".into(),
            as_of: datetime!(2026-11-23 10:00 UTC),
            revision: 1,
            offset,
            previous: None,
        }
    }

    /// What shows one value re-runs when that value changes, and only then.
    #[test]
    fn a_delta_re_runs_only_what_shows_its_values() {
        let owner = Owner::new();
        owner.set();
        let position = StreamPosition {
            epoch: "e".into(),
            offset: 2,
        };
        let store = LiveStore::new(
            position,
            &[value("a", "14", 1, 1), value("b", "14", 2, 2)],
            datetime!(2026-11-23 10:00 UTC),
            Default::default(),
            "14",
        );
        let runs = |indicator: &'static str| {
            let count = Arc::new(AtomicUsize::new(0));
            let counted = count.clone();
            let memo = Memo::new(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                store.value(indicator, "14").map(|v| v.value)
            });
            (memo, count)
        };
        let (a, a_runs) = runs("a");
        let (b, b_runs) = runs("b");
        let (c, c_runs) = runs("c");
        assert_eq!(a.get(), Some(1.into()));
        assert_eq!(b.get(), Some(2.into()));
        assert_eq!(c.get(), None);
        store.apply(vec![value("a", "14", 5, 3)]);
        assert_eq!(a.get(), Some(5.into()));
        assert_eq!(b.get(), Some(2.into()));
        assert_eq!(c.get(), None);
        assert_eq!(a_runs.load(Ordering::SeqCst), 2, "a changed");
        assert_eq!(b_runs.load(Ordering::SeqCst), 1, "b did not change");
        assert_eq!(c_runs.load(Ordering::SeqCst), 1, "c does not exist");
        // a value that arrives for the first time reaches what was waiting for it
        store.apply(vec![value("c", "14", 9, 4)]);
        assert_eq!(c.get(), Some(9.into()));
        // a snapshot without a value removes it
        store.reset(vec![value("a", "14", 5, 3)]);
        assert_eq!(b.get(), None);
        assert_eq!(c.get(), None);
        assert_eq!(a_runs.load(Ordering::SeqCst), 2, "a is the same");
    }

    /// An explanation shows from the page or the stream, and goes when the next figure
    /// arrives or its date passes.
    #[test]
    fn an_explanation_stands_until_the_next_figure_or_its_date() {
        let owner = Owner::new();
        owner.set();
        let position = StreamPosition {
            epoch: "e".into(),
            offset: 1,
        };
        let first = value("a", "14", 1, 1);
        let explained = |id: i64, author: &str, created: OffsetDateTime| {
            ExplanationNote::of(&crate::model::explanation::Explanation {
                id,
                indicator: "a".into(),
                area: "14".into(),
                agency: "VPUB".into(),
                author: author.into(),
                why: "Lý do".into(),
                action: "Việc làm".into(),
                by: None,
                created_at: created,
                expires_on: time::macros::date!(2026 - 11 - 24),
                figure_as_of: Some(first.as_of),
            })
        };
        let store = LiveStore::new(
            position,
            std::slice::from_ref(&first),
            datetime!(2026-11-23 11:00 UTC),
            Default::default(),
            "14",
        )
        // the page's list, as JSON
        .explained(
            &serde_json::to_string(&[explained(1, "Cán bộ A", datetime!(2026-11-23 10:30 UTC))])
                .unwrap(),
        );
        // who wrote it, from its line: "… — author, time"
        let shown = Memo::new(move |_| {
            store.explanation("a", "14", Locale::Vi).map(|e| {
                e.rsplit(" — ")
                    .next()
                    .and_then(|who| who.split(',').next())
                    .unwrap_or_default()
                    .to_string()
            })
        });
        assert_eq!(shown.get().as_deref(), Some("Cán bộ A"));
        assert_eq!(
            store.explanation("a", "99", Locale::Vi),
            None,
            "another area"
        );
        // the stream's list replaces the page's; the newest of two stands
        store.explanations.set(vec![
            explained(1, "Cán bộ A", datetime!(2026-11-23 10:30 UTC)),
            explained(2, "Cán bộ B", datetime!(2026-11-23 10:45 UTC)),
        ]);
        assert_eq!(shown.get().as_deref(), Some("Cán bộ B"));
        // a correction of the same figure keeps it
        store.apply(vec![LiveValue {
            revision: 2,
            offset: 2,
            ..first.clone()
        }]);
        assert_eq!(shown.get().as_deref(), Some("Cán bộ B"));
        // past its last day (Vietnam time: 17:00 UTC on the 24th is the 25th there)
        store.now.set(datetime!(2026-11-24 16:59 UTC));
        assert!(shown.get().is_some());
        store.now.set(datetime!(2026-11-24 17:00 UTC));
        assert_eq!(shown.get(), None);
        store.now.set(datetime!(2026-11-23 12:00 UTC));
        assert!(shown.get().is_some());
        // the next figure ends it
        store.apply(vec![LiveValue {
            as_of: first.as_of + time::Duration::hours(1),
            offset: 3,
            ..first
        }]);
        assert_eq!(shown.get(), None);
    }
}
