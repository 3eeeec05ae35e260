//! Revocations for live connections: a short, numbered log of rights that ended, and a
//! signal every connection watches. A connection checks each new entry against its own
//! principal and closes with 4003 if it is concerned. A `watch` never lags — however far
//! behind a connection is, it sees that the log grew and reads every entry after the last
//! one it checked — so a client that falls behind the frame ring cannot miss a revocation.
//! Entries older than [`KEPT_FOR`] are dropped; a connection that has not looked at the log
//! for that long is closed as slow, to be identified again when it reconnects.

use app::model::account::Principal;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::watch;

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

/// The log, and the number of its newest entry.
pub struct Revocations {
    log: Mutex<VecDeque<(u64, Instant, Revocation)>>,
    newest: watch::Sender<u64>,
}

impl Default for Revocations {
    fn default() -> Revocations {
        Revocations {
            log: Mutex::default(),
            newest: watch::channel(0).0,
        }
    }
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

/// A connection's place in the log.
pub struct Watcher {
    newest: watch::Receiver<u64>,
    checked: u64,
}

impl Watcher {
    /// Waits until the log grows.
    pub async fn changed(&mut self) {
        if self.newest.changed().await.is_err() {
            // the hub is gone; the connection ends on the shutdown signal
            std::future::pending::<()>().await;
        }
    }
}

impl Revocations {
    /// Records a revocation (once: the sweep announces each again for a while).
    pub fn record(&self, what: Revocation) {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        while log
            .front()
            .is_some_and(|(_, at, _)| at.elapsed() > KEPT_FOR)
        {
            log.pop_front();
        }
        if log.iter().any(|(_, _, r)| *r == what) {
            return;
        }
        let number = log.back().map_or(*self.newest.borrow(), |(n, _, _)| *n) + 1;
        log.push_back((number, Instant::now(), what));
        drop(log);
        self.newest.send_replace(number);
    }

    /// A place in the log for a connection `principal` opened at `opened`, having checked
    /// every entry already there: `None` if one of them ends it.
    pub fn watch(&self, principal: &Principal, opened: OffsetDateTime) -> Option<Watcher> {
        let newest = self.newest.subscribe();
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log.iter().any(|(_, _, r)| r.ends(principal, opened)) {
            return None;
        }
        let checked = log.back().map_or(*newest.borrow(), |(n, _, _)| *n);
        Some(Watcher { newest, checked })
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
        let unseen = log.iter().skip_while(|(n, _, _)| *n <= last_checked);
        let mut verdict = Verdict::Carry;
        if log
            .front()
            .is_some_and(|(first, _, _)| *first > watcher.checked + 1)
        {
            verdict = Verdict::Unknown;
        }
        for (number, _, what) in unseen {
            watcher.checked = *number;
            if what.ends(principal, opened) {
                return Verdict::Revoked;
            }
        }
        watcher.newest.borrow_and_update();
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

    #[tokio::test]
    async fn every_entry_after_the_last_checked_is_seen_however_many_came() {
        let log = Revocations::default();
        let opened = OffsetDateTime::now_utc();
        let mut watcher = log.watch(&display(7), opened).unwrap();
        // many revocations arrive before the connection looks: the one for it is among them
        for id in 100..200 {
            log.record(Revocation::Display(id));
        }
        log.record(Revocation::Display(7));
        log.record(Revocation::Display(300));
        watcher.changed().await;
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
        log.record(Revocation::Display(1));
        log.record(Revocation::Display(1));
        assert_eq!(*log.newest.borrow(), 1);
    }
}
