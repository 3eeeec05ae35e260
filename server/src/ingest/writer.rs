//! The one writer of observations: stores accepted batches and publishes them, in commit
//! order, as one unit that no request can split.
//!
//! Requests hand their validated batch to [`ObservationWriter::submit`] and wait for the
//! answer. A single task owns the write side: it takes every submission waiting at that
//! moment (a *group*), stores each in one transaction under its own savepoint (so a batch
//! refused inside the transaction — a key reused, a figure older than the stored one —
//! takes nothing else with it), commits once (one fsync shared by the group: group commit),
//! publishes the group's events to the live hub, and only then answers each request. Because
//! the task, not the request, runs the commit and the publish, a client that disconnects
//! mid-commit cannot leave stored figures unpublished: the stream has no silent gap, and a
//! retry is answered from the idempotency record of a batch every screen has seen.
//!
//! Offsets are event-log ids assigned inside the writer's transaction while it holds the
//! log ([`observations::lock_stream`]), so they are contiguous and in commit order across
//! every instance; the group's transaction announces its new head to the other instances
//! ([`observations::announce`]), and the hub receives the events through the log's tail
//! ([`LogTail::committed`]), after whatever another instance committed before them.

use app::model::ingest::{AcceptedItem, IngestReceipt, ItemProblem};
use app::model::LiveValue;
use app::store::idempotency::{self, StoredResponse, Submitter};
use app::store::observations::{self, NewObservation, Recording};
use app::store::{audit, tokens, Db};
use app::store::{Backend, Conn};
use axum::http::StatusCode;
use sqlx::Connection;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::hub::tail::LogTail;

/// Most submissions committed together.
const MAX_GROUP: usize = 256;
/// Most observations committed together (a group stops growing past this).
const MAX_GROUP_OBSERVATIONS: usize = 20_000;

/// A validated batch, ready to store.
#[derive(Debug)]
pub struct Submission {
    pub submitter: Submitter,
    pub key: String,
    /// SHA-256 of the request, hex: a retry must be the same request.
    pub request_hash: String,
    pub observations: Vec<NewObservation>,
    /// Who is submitting, for the audit trail: (kind, id, name).
    pub actor: (&'static str, String, String),
    pub ip: String,
    /// The agency token used, whose last use is recorded.
    pub token: Option<i64>,
    pub received_at: OffsetDateTime,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored and published: the answer to send, also stored for retries.
    Stored(StoredResponse),
    /// The same key was answered before (same request): its stored answer.
    Replayed(StoredResponse),
    /// The key was used before for a different request.
    KeyReused,
    /// Some items are older than the figures they would revise; nothing was stored.
    Stale(Vec<ItemProblem>),
}

/// Why a submission could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the database refused the write: {0}")]
    Database(Arc<sqlx::Error>),
    #[error("the observation writer has stopped")]
    Stopped,
}

struct Pending {
    submission: Submission,
    reply: oneshot::Sender<Result<Outcome, Arc<sqlx::Error>>>,
}

/// The handle requests use to store batches; cheap to clone.
#[derive(Clone)]
pub struct ObservationWriter {
    queue: mpsc::UnboundedSender<Pending>,
}

impl ObservationWriter {
    /// Starts the writer task on `db`, publishing through `tail`. It ends when every handle
    /// is dropped, after storing what was already submitted.
    pub fn start(db: Db, tail: Arc<LogTail>) -> (ObservationWriter, tokio::task::JoinHandle<()>) {
        let (queue, requests) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(db, tail, requests));
        (ObservationWriter { queue }, task)
    }

    /// Stores and publishes `submission`, or says why not. The work happens in the writer's
    /// task: if the caller stops waiting, the submission is still stored and published (or
    /// not at all), never half.
    pub async fn submit(&self, submission: Submission) -> Result<Outcome, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { submission, reply })
            .map_err(|_| WriteError::Stopped)?;
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(e)) => Err(WriteError::Database(e)),
            Err(_) => Err(WriteError::Stopped),
        }
    }
}

async fn run(db: Db, tail: Arc<LogTail>, mut requests: mpsc::UnboundedReceiver<Pending>) {
    let mut group: Vec<Pending> = Vec::new();
    while let Some(first) = requests.recv().await {
        let mut observations = first.submission.observations.len();
        group.push(first);
        while group.len() < MAX_GROUP && observations < MAX_GROUP_OBSERVATIONS {
            match requests.try_recv() {
                Ok(next) => {
                    observations += next.submission.observations.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        // a bug in one group must not stop ingest: its requests fail, the next group runs
        let committing =
            std::panic::AssertUnwindSafe(commit_group(&db, &tail, std::mem::take(&mut group)));
        if futures_util::FutureExt::catch_unwind(committing)
            .await
            .is_err()
        {
            tracing::error!("the observation writer panicked on a group; its requests failed");
        }
    }
}

/// Stores a group in one transaction, publishes it, answers each request.
async fn commit_group(db: &Db, tail: &LogTail, group: Vec<Pending>) {
    let stored = async {
        let mut conn = db.acquire().await?;
        store_group(&mut conn, &group).await
    }
    .await;
    match stored {
        Ok((outcomes, events)) => {
            // committed: publish before anyone hears back, so an answered figure is on the
            // stream (or about to be) for every screen
            if let Err(e) = tail.committed(events).await {
                // stored all the same (and so answered as stored); the tail reads it from
                // the log once the database answers again
                tracing::warn!(error = %e, "committed, but cannot read the log to publish it yet");
            }
            for (pending, outcome) in group.into_iter().zip(outcomes) {
                let _ = pending.reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, submissions = group.len(), "group commit failed; nothing of it was stored");
            let e = Arc::new(e);
            for pending in group {
                let _ = pending.reply.send(Err(e.clone()));
            }
        }
    }
}

/// The group's transaction: each submission under a savepoint, one commit. Returns each
/// submission's outcome and the events to publish, in offset order.
async fn store_group(
    conn: &mut Conn,
    group: &[Pending],
) -> sqlx::Result<(Vec<Outcome>, Vec<LiveValue>)> {
    let mut tx = match Backend::of_conn(conn) {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => Connection::begin(&mut *conn).await?,
    };
    observations::lock_stream(&mut tx).await?;
    let mut outcomes = Vec::with_capacity(group.len());
    let mut events = Vec::new();
    for Pending { submission, .. } in group {
        let mut savepoint = Connection::begin(&mut *tx).await?;
        match store_one(&mut savepoint, submission).await? {
            (outcome @ Outcome::Stored(_), stored_events) => {
                savepoint.commit().await?;
                events.extend(stored_events);
                outcomes.push(outcome);
            }
            (outcome, _) => {
                savepoint.rollback().await?;
                outcomes.push(outcome);
            }
        }
    }
    if let Some(last) = events.last() {
        observations::announce(&mut tx, last.offset).await?;
    }
    tx.commit().await?;
    Ok((outcomes, events))
}

/// One submission, inside the group's transaction.
async fn store_one(conn: &mut Conn, s: &Submission) -> sqlx::Result<(Outcome, Vec<LiveValue>)> {
    // a retry may have been answered since the request looked, or sit earlier in the group
    if let Some(stored) = idempotency::find(conn, &s.submitter, &s.key).await? {
        let outcome = if stored.request_hash == s.request_hash {
            Outcome::Replayed(stored)
        } else {
            Outcome::KeyReused
        };
        return Ok((outcome, Vec::new()));
    }
    let agency = &s.submitter.agency;
    let recorded = match observations::record(conn, agency, s.received_at, &s.observations).await? {
        Recording::Stored(recorded) => recorded,
        Recording::Stale(items) => {
            let problems = items
                .into_iter()
                .map(|stale| {
                    let given = s.observations[stale.index].as_of;
                    let fmt = |at: OffsetDateTime| {
                        at.format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default()
                    };
                    ItemProblem {
                        line: None,
                        index: stale.index,
                        field: "as_of".into(),
                        code: "older_than_stored".into(),
                        message_vi: format!(
                            "Số liệu đang lưu cho chỉ tiêu, đơn vị và kỳ này là số liệu đến {}, mới hơn số gửi lên (đến {}): không thay bằng số cũ hơn.",
                            fmt(stale.stored_as_of),
                            fmt(given)
                        ),
                        message_en: format!(
                            "The stored figure for this indicator, unit and period is as of {}, later than this one (as of {}): an older figure does not replace it.",
                            fmt(stale.stored_as_of),
                            fmt(given)
                        ),
                    }
                })
                .collect();
            return Ok((Outcome::Stale(problems), Vec::new()));
        }
    };
    let receipt = IngestReceipt {
        accepted: recorded.len(),
        revised: recorded.iter().filter(|r| r.revision > 1).count(),
        items: recorded
            .iter()
            .enumerate()
            .map(|(index, r)| AcceptedItem {
                index,
                revision: r.revision,
                offset: r.offset,
            })
            .collect(),
        received_at: s.received_at,
    };
    let body = serde_json::to_string(&receipt).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let stored = StoredResponse {
        request_hash: s.request_hash.clone(),
        status: StatusCode::CREATED.as_u16(),
        body,
    };
    idempotency::insert(conn, &s.submitter, &s.key, &stored, s.received_at).await?;
    if let Some(id) = s.token {
        tokens::touch(conn, id, s.received_at).await?;
    }
    let mut indicators: Vec<&str> = s
        .observations
        .iter()
        .map(|o| o.indicator.as_str())
        .collect();
    indicators.sort_unstable();
    indicators.dedup();
    let (actor_kind, actor_id, actor_name) = s.actor.clone();
    let entry = audit::NewEntry {
        actor_kind,
        actor_id: Some(actor_id),
        actor_name,
        action: if receipt.revised > 0 {
            "data_corrected"
        } else {
            "data_submitted"
        },
        target: Some(format!("{agency}: {} observation(s)", receipt.accepted)),
        detail: serde_json::json!({ "key": s.key, "accepted": receipt.accepted, "revised": receipt.revised, "indicators": indicators }),
        ip: Some(s.ip.clone()),
    };
    audit::record(conn, &entry, s.received_at).await?;
    let events = s
        .observations
        .iter()
        .zip(&recorded)
        .map(|(o, r)| LiveValue {
            indicator: o.indicator.clone(),
            area: o.area.clone(),
            project: o.project.clone(),
            period: o.period,
            value: o.value,
            unit: o.unit,
            agency: agency.clone(),
            as_of: o.as_of,
            revision: r.revision,
            offset: r.offset,
            previous: None,
        })
        .collect();
    Ok((Outcome::Stored(stored), events))
}
