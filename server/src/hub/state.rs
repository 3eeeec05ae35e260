//! The hub's memory: the current value of every (indicator, area), the stream head, and a
//! window of recent events used to bring a client up to date without a full snapshot.
//!
//! Pure data structure, no I/O and no locking: [`super::Hub`] owns one behind a mutex.
//! Values are shared (`Arc`), so what a reader takes under that mutex is a list of
//! pointers, and frames are built from it after the mutex is released.

use app::model::live::{PreviousValue, ValueKey};
use app::model::LiveValue;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Index of an (indicator, area, project) key.
type KeyId = u32;

#[derive(Debug, Default)]
pub struct LiveState {
    key_ids: HashMap<ValueKey, KeyId>,
    values: Vec<Option<Arc<LiveValue>>>,
    /// (offset, key) of recent events, oldest first.
    window: VecDeque<(u64, KeyId)>,
    /// The window holds every event after this offset.
    window_start: u64,
    head: u64,
    retain: usize,
}

impl LiveState {
    pub fn new(retain: usize) -> LiveState {
        LiveState {
            retain: retain.max(1),
            ..LiveState::default()
        }
    }

    /// Loads the state read from the database: current values, the stream head, and the
    /// keys of the events after `head - retain`.
    pub fn load(
        retain: usize,
        values: Vec<LiveValue>,
        head: u64,
        recent: Vec<(u64, ValueKey)>,
    ) -> LiveState {
        let mut state = LiveState::new(retain);
        for v in values {
            let id = state.key_id(v.key());
            state.values[id as usize] = Some(Arc::new(v));
        }
        state.head = head;
        state.window_start = head.saturating_sub(state.retain as u64);
        let start = state.window_start;
        for (offset, key) in recent.into_iter().filter(|(o, ..)| *o > start) {
            let id = state.key_id(key);
            state.window.push_back((offset, id));
        }
        state
    }

    fn key_id(&mut self, key: ValueKey) -> KeyId {
        if let Some(&id) = self.key_ids.get(&key) {
            return id;
        }
        let id = KeyId::try_from(self.values.len()).expect("fewer than 4 billion keys");
        self.key_ids.insert(key, id);
        self.values.push(None);
        id
    }

    pub fn head(&self) -> u64 {
        self.head
    }

    pub fn window_start(&self) -> u64 {
        self.window_start
    }

    /// Applies newly committed events (ascending offsets; `previous` is ignored) and returns
    /// the new current value of each key they changed, once per key.
    pub fn apply(&mut self, events: Vec<LiveValue>) -> Vec<Arc<LiveValue>> {
        let mut changed: Vec<KeyId> = Vec::new();
        for event in events {
            debug_assert!(event.offset > self.head, "events arrive in offset order");
            self.head = self.head.max(event.offset);
            let id = self.key_id(event.key());
            self.window.push_back((event.offset, id));
            let slot = &mut self.values[id as usize];
            let next = match slot.as_deref() {
                None => Some(LiveValue {
                    previous: None,
                    ..event
                }),
                Some(current) if event.period > current.period => Some(LiveValue {
                    previous: Some(PreviousValue {
                        period: current.period,
                        value: current.value,
                    }),
                    ..event
                }),
                Some(current) if event.period == current.period => Some(LiveValue {
                    previous: current.previous.clone(),
                    ..event
                }),
                Some(current) => {
                    // a figure for an earlier period: it matters only as the new "previous"
                    let newer = current
                        .previous
                        .as_ref()
                        .is_none_or(|p| event.period >= p.period);
                    newer.then(|| LiveValue {
                        previous: Some(PreviousValue {
                            period: event.period,
                            value: event.value,
                        }),
                        ..current.clone()
                    })
                }
            };
            if let Some(next) = next {
                *slot = Some(Arc::new(next));
                if !changed.contains(&id) {
                    changed.push(id);
                }
            }
        }
        while self.window.len() > self.retain {
            if let Some((offset, _)) = self.window.pop_front() {
                self.window_start = offset;
            }
        }
        changed
            .into_iter()
            .filter_map(|id| self.values[id as usize].clone())
            .collect()
    }

    /// Every current value that `keep` selects.
    pub fn snapshot(&self, keep: &dyn Fn(&LiveValue) -> bool) -> Vec<Arc<LiveValue>> {
        self.values
            .iter()
            .flatten()
            .filter(|v| keep(v))
            .cloned()
            .collect()
    }

    /// The current values of the keys touched by events after `offset`, or `None` when those
    /// events are no longer all in the window (or `offset` is ahead of the head).
    pub fn changes_since(&self, offset: u64) -> Option<Vec<Arc<LiveValue>>> {
        if offset < self.window_start || offset > self.head {
            return None;
        }
        let first = self.window.partition_point(|(o, _)| *o <= offset);
        let mut seen = vec![false; self.values.len()];
        let mut out = Vec::new();
        for &(_, id) in self.window.range(first..) {
            if !std::mem::replace(&mut seen[id as usize], true) {
                out.extend(self.values[id as usize].clone());
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::Unit;
    use rust_decimal::Decimal;
    use time::macros::datetime;

    fn event(indicator: &str, area: &str, period: &str, value: i64, offset: u64) -> LiveValue {
        LiveValue {
            indicator: indicator.into(),
            area: area.into(),
            project: None,
            period: period.parse().unwrap(),
            value: Decimal::from(value),
            unit: Unit::Count,
            agency: "A".into(),
            as_of: datetime!(2026-11-22 10:00 UTC),
            revision: 1,
            offset,
            previous: None,
        }
    }

    #[test]
    fn a_later_period_pushes_the_current_value_to_previous() {
        let mut s = LiveState::new(100);
        s.apply(vec![event("i", "a", "2026-11-21", 10, 1)]);
        let changed = s.apply(vec![event("i", "a", "2026-11-22", 12, 2)]);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].value, Decimal::from(12));
        assert_eq!(
            changed[0].previous,
            Some(PreviousValue {
                period: "2026-11-21".parse().unwrap(),
                value: Decimal::from(10)
            })
        );
        // a correction of the current period keeps the previous value
        let changed = s.apply(vec![event("i", "a", "2026-11-22", 13, 3)]);
        assert_eq!(changed[0].value, Decimal::from(13));
        assert_eq!(
            changed[0].previous.as_ref().unwrap().value,
            Decimal::from(10)
        );
        // a correction of the previous period updates it
        let changed = s.apply(vec![event("i", "a", "2026-11-21", 11, 4)]);
        assert_eq!(
            changed[0].previous.as_ref().unwrap().value,
            Decimal::from(11)
        );
        // an older period changes nothing on screen
        assert!(s
            .apply(vec![event("i", "a", "2026-11-01", 1, 5)])
            .is_empty());
        assert_eq!(s.head(), 5);
    }

    #[test]
    fn several_events_for_one_key_coalesce_to_the_latest() {
        let mut s = LiveState::new(100);
        let changed = s.apply(vec![
            event("i", "a", "2026-11-22", 1, 1),
            event("j", "a", "2026-11-22", 5, 2),
            event("i", "a", "2026-11-22", 2, 3),
        ]);
        assert_eq!(changed.len(), 2);
        let i = changed.iter().find(|v| v.indicator == "i").unwrap();
        assert_eq!((i.value, i.offset), (Decimal::from(2), 3));
    }

    #[test]
    fn changes_since_covers_the_window_only() {
        let mut s = LiveState::new(3);
        for o in 1..=5 {
            s.apply(vec![event(
                if o % 2 == 0 { "even" } else { "odd" },
                "a",
                "2026-11-22",
                o as i64,
                o,
            )]);
        }
        assert_eq!(s.window_start(), 2);
        assert_eq!(
            s.changes_since(1),
            None,
            "offset 2 is no longer in the window"
        );
        let since_2 = s.changes_since(2).unwrap();
        assert_eq!(since_2.len(), 2);
        let since_4 = s.changes_since(4).unwrap();
        assert_eq!(since_4.len(), 1);
        assert_eq!(since_4[0].offset, 5);
        assert!(s.changes_since(5).unwrap().is_empty());
        assert_eq!(s.changes_since(6), None, "ahead of the head");
    }

    #[test]
    fn load_restores_values_and_window() {
        let values = vec![event("i", "a", "2026-11-22", 7, 9)];
        let key = |i: &str| ValueKey::new(i.into(), "a".into(), None);
        let recent = vec![(8, key("j")), (9, key("i"))];
        let s = LiveState::load(5, values, 9, recent);
        assert_eq!(s.head(), 9);
        assert_eq!(s.window_start(), 4);
        let since_8 = s.changes_since(8).unwrap();
        assert_eq!(since_8.len(), 1);
        assert_eq!(since_8[0].value, Decimal::from(7));
        assert_eq!(s.snapshot(&|_| true).len(), 1);
    }
}
