//! Revocations for live connections: a short, numbered log of rights that ended. Each
//! revocation also goes round the frame ring, so a connection in step hears of it at once;
//! a connection that fell behind the ring (and so may have missed it there) reads every
//! entry after the last one it checked — as does every connection once per ping — so no
//! revocation is ever missed. Entries older than [`KEPT_FOR`] are dropped; a connection
//! that has not looked at the log for that long is closed as slow, to be identified again
//! when it reconnects.

use app::model::account::Principal;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// How long a revocation stays in the log.
pub const KEPT_FOR: Duration = Duration::from_secs(600);

/// Something whose live connections must end now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A user's connections opened before `since` (disabled, or a new role or password).
    User { id: i64, since: OffsetDateTime },
    /// A display whose token was revoked.
    Display(i64),
    /// An agency token that was revoked.
    AgencyToken(i64),
}

impl Revocation {
    /// A user's connections opened until now.
    pub fn user(id: i64) -> Revocation {
        Revocation::User {
            id,
            since: OffsetDateTime::now_utc(),
        }
    }

    /// Whether this ends a connection that `principal` opened at `opened`.
    pub fn ends(&self, principal: &Principal, opened: OffsetDateTime) -> bool {
        match (*self, principal) {
            (Revocation::User { id, since }, Principal::User { id: mine, .. }) => {
                id == *mine && opened < since
            }
            (Revocation::Display(id), Principal::Display { id: mine, .. })
            | (Revocation::AgencyToken(id), Principal::AgencyToken { id: mine, .. }) => id == *mine,
            _ => false,
        }
    }
}

/// The log: numbered entries, oldest first.
#[derive(Default)]
pub struct Revocations {
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    entries: VecDeque<(u64, Instant, Revocation)>,
    /// The number of the newest entry ever made (0: none), kept when old ones go.
    newest: u64,
}

/// What a connection learns from the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing concerns it.
    Carry,
    /// Its right ended.
    Revoked,
    /// Entries it has not checked are gone: it cannot tell.
    Unknown,
}

/// A connection's place in the log: every entry up to this number is checked.
#[derive(Debug, Clone, Copy)]
pub struct Watcher {
    checked: u64,
}

impl Revocations {
    /// Records a revocation, once (the sweep announces each again for a while); `false` if
    /// it was already there.
    pub fn record(&self, what: Revocation) -> bool {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        while log
            .entries
            .front()
            .is_some_and(|(_, at, _)| at.elapsed() > KEPT_FOR)
        {
            log.entries.pop_front();
        }
        if log.entries.iter().any(|(_, _, r)| *r == what) {
            return false;
        }
        log.newest += 1;
        let number = log.newest;
        log.entries.push_back((number, Instant::now(), what));
        true
    }

    /// A place in the log for a connection `principal` opened at `opened`, having checked
    /// every entry already there: `None` if one of them ends it.
    pub fn watch(&self, principal: &Principal, opened: OffsetDateTime) -> Option<Watcher> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log
            .entries
            .iter()
            .any(|(_, _, r)| r.ends(principal, opened))
        {
            return None;
        }
        Some(Watcher {
            checked: log.newest,
        })
    }

    /// Checks the entries `watcher` has not seen.
    pub fn check(
        &self,
        watcher: &mut Watcher,
        principal: &Principal,
        opened: OffsetDateTime,
    ) -> Verdict {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let last_checked = watcher.checked;
        let mut verdict = Verdict::Carry;
        let oldest_kept = log.entries.front().map_or(log.newest + 1, |(n, _, _)| *n);
        if oldest_kept > last_checked + 1 && log.newest > last_checked {
            verdict = Verdict::Unknown;
        }
        for (number, _, what) in log
            .entries
            .iter()
            .skip_while(|(n, _, _)| *n <= last_checked)
        {
            watcher.checked = *number;
            if what.ends(principal, opened) {
                return Verdict::Revoked;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn display(id: i64) -> Principal {
        Principal::Display {
            id,
            name: format!("Tường {id}"),
        }
    }

    #[test]
    fn every_entry_after_the_last_checked_is_seen_however_many_came() {
        let log = Revocations::default();
        let opened = OffsetDateTime::now_utc();
        let mut watcher = log.watch(&display(7), opened).unwrap();
        // many revocations arrive before the connection looks: the one for it is among them
        for id in 100..200 {
            log.record(Revocation::Display(id));
        }
        log.record(Revocation::Display(7));
        log.record(Revocation::Display(300));
        assert_eq!(
            log.check(&mut watcher, &display(7), opened),
            Verdict::Revoked
        );
        let mut other = log.watch(&display(8), opened).unwrap();
        log.record(Revocation::AgencyToken(8));
        assert_eq!(log.check(&mut other, &display(8), opened), Verdict::Carry);
        // a connection opened after the display's revocation never got a place
        assert!(log.watch(&display(7), OffsetDateTime::now_utc()).is_none());
    }

    #[test]
    fn a_user_revocation_ends_only_connections_opened_before_it() {
        let user = Principal::User {
            id: 3,
            username: "a".into(),
            name: "A".into(),
            role: app::model::account::Role::Leader,
            agency: None,
        };
        let revoked = Revocation::user(3);
        let before = OffsetDateTime::now_utc() - time::Duration::seconds(5);
        let after = OffsetDateTime::now_utc() + time::Duration::seconds(5);
        assert!(revoked.ends(&user, before));
        assert!(!revoked.ends(&user, after));
        assert!(!Revocation::Display(3).ends(&user, before));
    }

    #[test]
    fn the_same_revocation_is_recorded_once() {
        let log = Revocations::default();
        assert!(log.record(Revocation::Display(1)));
        assert!(!log.record(Revocation::Display(1)));
        assert_eq!(log.log.lock().unwrap().entries.len(), 1);
    }
}
