//! One live websocket client: `GET /api/v1/live[?since=<epoch>:<offset>]`.
//!
//! The connection task sends the first frame chosen by [`Hub::subscribe`], then every frame
//! of the ring in order, skipping what the client already has. When the client lags more
//! than the ring holds, it gets one coalesced catch-up frame instead of the frames it
//! missed; when it cannot be caught up (too far behind, repeatedly lagging, or a write
//! stalls) it is closed with code 4008 ("slow") and resumes on reconnect — never a silent
//! gap. Pings detect a dead peer. Only someone known may connect (a session, a display or
//! an agency token), each sees what their role allows, an address may hold a limited
//! number of connections, and a connection whose right is revoked is closed with 4003.

use axum::extract::{ConnectInfo, Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;

use super::revocations::{Verdict, Watcher};
use super::task_notices::TaskScope;
use super::upgrade::{write_texts, LiveSocket, LiveUpgrade};
use super::{Broadcast, FrameKind, Hub, Outgoing};
use crate::auth::callers::ClientAddress;
use crate::auth::IdentifiedAt;
use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::{Principal, Visibility};
use app::model::live::{CLOSE_GOING_AWAY, CLOSE_REVOKED, CLOSE_SLOW, CLOSE_TRY_AGAIN};
use app::model::StreamPosition;

/// Read buffer per connection: clients only send pongs and close frames (it grows for a
/// longer message, up to the limit below).
const READ_BUFFER_BYTES: usize = 512;
/// Largest message or frame a client may send.
const MAX_CLIENT_MESSAGE_BYTES: usize = 16 * 1024;
/// A client that needs more catch-ups than this within [`LAG_PERIOD`] cannot keep up.
const MAX_CATCH_UPS: u32 = 3;
const LAG_PERIOD: Duration = Duration::from_secs(60);
/// How long a close frame may take to send before the connection is simply dropped.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    since: Option<String>,
    /// `tasks`: only what a screen of tasks needs — the task notices and the stream's
    /// position, no values; `alerts`: the same for the console — alert notices only;
    /// `wall`: everything, and the scene an operator pushed onto this wall (a `wall` frame
    /// after the first frame and whenever it changes).
    only: Option<String>,
}

/// `GET /api/v1/live`.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ClientAddress(client): ClientAddress,
    principal: Option<Extension<Principal>>,
    identified: Option<Extension<IdentifiedAt>>,
    Query(query): Query<LiveQuery>,
    ws: LiveUpgrade,
) -> Response {
    // revocations committed after the principal was read end this connection
    let opened = identified.map_or_else(time::OffsetDateTime::now_utc, |Extension(at)| at.0);
    // a screen, a person or an agency system: someone known
    let principal = match crate::auth::require(principal.as_ref().map(|Extension(p)| p)) {
        Ok(p) => p.clone(),
        Err(e) => return e.into_response(),
    };
    let wall = query.only.as_deref() == Some("wall");
    let (values_wanted, tasks_wanted, alerts_wanted) = match query.only.as_deref() {
        None | Some("wall") => (true, true, true),
        Some("tasks") => (false, true, false),
        Some("alerts") => (false, false, true),
        Some(other) => {
            return ApiFailure::bad_request(
                "invalid_only",
                format!("Tham số only không hợp lệ: '{other}'. Giá trị đúng: tasks, alerts, wall."),
                format!("Invalid only parameter: '{other}'. Expected: tasks, alerts or wall."),
            )
            .into_response()
        }
    };
    let tasks = app::model::task::scope(&principal, &state.catalogue).filter(|_| tasks_wanted);
    let since = match query
        .since
        .as_deref()
        .map(str::parse::<StreamPosition>)
        .transpose()
    {
        Ok(since) => since,
        Err(reason) => {
            return ApiFailure::bad_request(
                "invalid_since",
                format!("Tham số since không hợp lệ: {reason}. Dạng đúng: <epoch>:<offset>."),
                format!("Invalid since parameter: {reason}. Expected <epoch>:<offset>."),
            )
            .into_response()
        }
    };
    if !state.hub.is_following() {
        return ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stream_unavailable",
            "Máy chủ tạm thời mất kết nối cơ sở dữ liệu; màn hình sẽ tự kết nối lại.",
            "The server has lost its database for the moment; the screen will reconnect by itself.",
        )
        .into_response();
    }
    let address = client.parse::<IpAddr>().unwrap_or(peer.ip());
    let Some(permit) = state.hub.admit(address) else {
        return ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "Quá nhiều kết nối trực tiếp từ địa chỉ này.",
            "Too many live connections from this address.",
        )
        .into_response();
    };
    let hub = state.hub.clone();
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_CLIENT_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE_BYTES));
    let runtime = state.hub.clone();
    ws.on_upgrade(&runtime, config, move |socket| async move {
        // the place is held for as long as the connection lives, and a wall is counted
        let _permit = permit;
        let _presence = match &principal {
            Principal::Display { id, .. } => Some(hub.display_connected(*id)),
            _ => None,
        };
        let viewer = Viewer {
            values: if values_wanted {
                principal.visibility()
            } else {
                Visibility::Nothing
            },
            tasks,
            alerts: if alerts_wanted {
                principal.visibility()
            } else {
                Visibility::Nothing
            },
            // a person looking at a wall's page obeys the pushes onto every wall
            wall: wall.then(|| match &principal {
                Principal::Display { id, .. } => *id,
                _ => 0,
            }),
            principal,
        };
        serve(socket, &hub, since, viewer, opened).await
    })
}

/// Why a connection ended, for the logs.
#[derive(Debug)]
enum End {
    PeerClosed,
    PeerSilent,
    Slow(&'static str),
    ShuttingDown,
    /// The server lost the database and cannot follow the stream.
    Unavailable,
    Revoked,
}

/// Who is watching, and what of the stream they are sent.
struct Viewer {
    principal: Principal,
    /// The values they see (none, for a screen that asked for tasks only).
    values: Visibility,
    /// The tasks whose notices they are sent.
    tasks: TaskScope,
    /// Whose alerts' notices they are sent.
    alerts: Visibility,
    /// A wall's page: the display it is (0 for a person), sent the scene pushed onto it.
    wall: Option<i64>,
}

async fn serve(
    mut socket: LiveSocket,
    hub: &Hub,
    since: Option<StreamPosition>,
    viewer: Viewer,
    opened: time::OffsetDateTime,
) {
    let end = stream(&mut socket, hub, since, &viewer, opened).await;
    let (code, reason) = match &end {
        End::Slow(why) => (CLOSE_SLOW, format!("slow: {why}; reconnect with since")),
        End::ShuttingDown => (CLOSE_GOING_AWAY, "server shutting down".to_string()),
        End::Unavailable => (
            CLOSE_TRY_AGAIN,
            "database unavailable; reconnect with since".to_string(),
        ),
        End::Revoked => (CLOSE_REVOKED, "access revoked".to_string()),
        End::PeerClosed | End::PeerSilent => {
            tracing::debug!(?end, "live client gone");
            return;
        }
    };
    tracing::info!(?end, code, "closing live client");
    let close = Message::Close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }));
    let _ = timeout(CLOSE_TIMEOUT, socket.send(close)).await;
}

/// What a ring item means for one client.
enum Step {
    /// Nothing to send (a frame it already has, someone else's revocation, a task that
    /// does not concern it).
    Skip,
    Send(Arc<Outgoing>),
    /// Task notices for this viewer.
    Notices(Vec<bytes::Bytes>),
    /// It missed frames: send one coalesced catch-up instead.
    CatchUp,
    End(End),
}

/// Where a client stands: what it has (or is about to be sent), and whose it is.
struct Standing<'a> {
    hub: &'a Hub,
    principal: &'a Principal,
    tasks: &'a TaskScope,
    /// Task notices may have gone round the ring unseen (it lagged behind it).
    missed_tasks: bool,
    /// Whose alerts it is sent: those about the values it sees.
    alerts: &'a Visibility,
    /// Alert notices may have gone round the ring unseen.
    missed_alerts: bool,
    /// The figures it sees (and so the explanations it is sent).
    values: &'a Visibility,
    /// A new list of explanations may have gone round the ring unseen.
    missed_explanations: bool,
    /// A wall's page: the display, and the push it was last told of.
    wall: Option<(i64, Option<app::model::wall::Push>)>,
    /// A change of the walls' pushes may have gone round the ring unseen.
    missed_walls: bool,
    opened: time::OffsetDateTime,
    /// Every revocation up to here checked.
    checked: Watcher,
    /// The offset the client has everything up to, once what is queued is written.
    sent: u64,
    catch_ups: u32,
    lag_period_start: Instant,
}

impl Standing<'_> {
    fn check_revocations(&mut self) -> Option<End> {
        match self
            .hub
            .revocations()
            .check(&mut self.checked, self.principal, self.opened)
        {
            Verdict::Carry => None,
            Verdict::Revoked => Some(End::Revoked),
            Verdict::Unknown => Some(End::Slow("missed revocations while stalled")),
        }
    }

    fn step(&mut self, item: Result<Broadcast, RecvError>) -> Step {
        match item {
            Ok(Broadcast::Frame(out)) if out.kind == FrameKind::Delta && out.to <= self.sent => {
                Step::Skip
            }
            Ok(Broadcast::Frame(out)) if out.kind == FrameKind::Delta && out.from > self.sent => {
                Step::CatchUp
            }
            Ok(Broadcast::Frame(out)) => Step::Send(out),
            Ok(Broadcast::Revoked(what)) if what.ends(self.principal, self.opened) => {
                Step::End(End::Revoked)
            }
            Ok(Broadcast::Revoked(_)) => Step::Skip,
            Ok(Broadcast::Tasks(notices)) => {
                let texts: Vec<bytes::Bytes> = notices
                    .iter()
                    .filter_map(|n| n.text_for(self.tasks))
                    .collect();
                if texts.is_empty() {
                    Step::Skip
                } else {
                    Step::Notices(texts)
                }
            }
            Ok(Broadcast::Alerts(notices)) => {
                let texts: Vec<bytes::Bytes> = notices
                    .iter()
                    .filter_map(|n| n.text_for(self.alerts))
                    .collect();
                if texts.is_empty() {
                    Step::Skip
                } else {
                    Step::Notices(texts)
                }
            }
            Ok(Broadcast::Explanations(list)) => {
                match list.text_for(self.values, self.hub.rules()) {
                    Some(text) => Step::Notices(vec![text]),
                    None => Step::Skip,
                }
            }
            Ok(Broadcast::Walls(list)) => match self.wall_frame(&list) {
                Some(text) => Step::Notices(vec![text]),
                None => Step::Skip,
            },
            Ok(Broadcast::Closing) | Err(RecvError::Closed) => Step::End(End::ShuttingDown),
            Ok(Broadcast::Unavailable) => Step::End(End::Unavailable),
            Err(RecvError::Lagged(_)) => {
                // what went round the ring meanwhile is gone: read what matters
                if self.hub.is_closing() {
                    return Step::End(End::ShuttingDown);
                }
                if !self.hub.is_following() {
                    return Step::End(End::Unavailable);
                }
                self.missed_tasks = self.tasks.is_some();
                self.missed_alerts = *self.alerts != Visibility::Nothing;
                self.missed_explanations = *self.values != Visibility::Nothing;
                self.missed_walls = self.wall.is_some();
                match self.check_revocations() {
                    Some(end) => Step::End(end),
                    None => Step::CatchUp,
                }
            }
        }
    }

    /// The `wall` frame for a wall's page when the push it obeys among `pushes` is not the
    /// one it was last told of (nothing for other screens).
    fn wall_frame(&mut self, pushes: &[app::model::wall::Push]) -> Option<bytes::Bytes> {
        let (display, told) = self.wall.as_mut()?;
        let now = app::model::wall::push_for(pushes, *display).cloned();
        if now == *told {
            return None;
        }
        told.clone_from(&now);
        Some(wall_frame(now.as_ref()))
    }

    /// A catch-up frame from where the client is, or why it cannot have one.
    fn catch_up(&mut self) -> Result<Arc<Outgoing>, End> {
        if self.lag_period_start.elapsed() > LAG_PERIOD {
            self.lag_period_start = Instant::now();
            self.catch_ups = 0;
        }
        self.catch_ups += 1;
        if self.catch_ups > MAX_CATCH_UPS {
            return Err(End::Slow("fell behind repeatedly"));
        }
        self.hub
            .catch_up(self.sent)
            .map(Arc::new)
            .ok_or(End::Slow("fell behind the retained window"))
    }
}

/// `{"type":"wall","push":…}`: the scene pushed onto a wall (its address, who pushed it,
/// when), or `null`: follow the playlist.
fn wall_frame(push: Option<&app::model::wall::Push>) -> bytes::Bytes {
    let push = push.map(app::model::wall::Push::for_wall);
    bytes::Bytes::from(
        serde_json::to_vec(&serde_json::json!({ "type": "wall", "push": push }))
            .expect("a wall frame serialises"),
    )
}

/// Most bytes of frames written together when several are waiting.
const MAX_BATCH_BYTES: usize = 256 * 1024;

async fn stream(
    socket: &mut LiveSocket,
    hub: &Hub,
    since: Option<StreamPosition>,
    viewer: &Viewer,
    opened: time::OffsetDateTime,
) -> End {
    let limits = hub.limits().clone();
    let write_timeout = limits.write_timeout;
    let principal = &viewer.principal;
    let visibility = &viewer.values;
    let Some(checked) = hub.revocations().watch(principal, opened) else {
        return End::Revoked;
    };
    let (first, mut ring) = hub.subscribe(since.as_ref()).await;
    let first = first.frame().clone();
    let mut standing = Standing {
        hub,
        principal,
        tasks: &viewer.tasks,
        missed_tasks: false,
        alerts: &viewer.alerts,
        missed_alerts: false,
        values: visibility,
        missed_explanations: false,
        wall: viewer.wall.map(|d| (d, None)),
        missed_walls: false,
        opened,
        checked,
        sent: first.to,
        catch_ups: 0,
        lag_period_start: Instant::now(),
    };
    // a closing, a lost database or a revocation made between looking and subscribing is
    // in no ring we see
    if hub.is_closing() {
        return End::ShuttingDown;
    }
    if !hub.is_following() {
        return End::Unavailable;
    }
    if let Some(end) = standing.check_revocations() {
        return end;
    }
    // the first frame, and the explanations in date of what the viewer sees
    let explanations = hub.explanations();
    let mut opening: Vec<bytes::Bytes> = std::iter::once(first.text_for(visibility, hub.rules()))
        .chain(
            (!explanations.is_empty())
                .then(|| explanations.text_for(visibility, hub.rules()))
                .flatten(),
        )
        .collect();
    drop(explanations);
    // a wall's page is told what it obeys, a push or none
    if viewer.wall.is_some() {
        let pushes = hub.wall_pushes();
        standing.wall_frame(&pushes);
        let told = standing.wall.as_ref().and_then(|(_, p)| p.as_ref());
        opening.push(wall_frame(told));
    }
    if !send(socket, &opening, write_timeout).await {
        return End::Slow("the first frame could not be written in time");
    }
    drop(first);
    let ping_every = limits.heartbeat * 2;
    let ping = tokio::time::sleep(ping_every);
    tokio::pin!(ping);
    let mut heard_since_ping = true;
    let mut queued: Vec<bytes::Bytes> = Vec::new();

    // A wake-up takes every frame waiting in the ring and writes them together — one frame
    // when the client keeps up, several in one write when it (or the server) falls behind,
    // which is when fewer writes matter — then looks at the socket and the timer once on
    // the way back to sleep. Revocations and the closing come round the ring; a client that
    // fell behind it reads the revocation log instead.
    loop {
        tokio::select! {
            biased;
            item = ring.recv() => {
                let mut next = Some(item);
                let mut bytes = 0;
                let mut position = standing.sent;
                while let Some(item) = next.take() {
                    let out = match standing.step(item) {
                        Step::Skip => None,
                        Step::Notices(texts) => {
                            bytes += texts.iter().map(bytes::Bytes::len).sum::<usize>();
                            queued.extend(texts);
                            None
                        }
                        Step::Send(out) => Some(out),
                        Step::CatchUp => match standing.catch_up() {
                            Ok(out) => Some(out),
                            Err(end) => return end,
                        },
                        Step::End(end) => return end,
                    };
                    if let Some(out) = out {
                        if out.kind != FrameKind::Heartbeat {
                            position = position.max(out.to);
                            standing.sent = position;
                        }
                        let text = out.text_for(visibility, hub.rules());
                        bytes += text.len();
                        queued.push(text);
                    }
                    if std::mem::take(&mut standing.missed_tasks) {
                        queued.push(hub.tasks_resync());
                    }
                    if std::mem::take(&mut standing.missed_alerts) {
                        queued.push(hub.alerts_resync());
                    }
                    if std::mem::take(&mut standing.missed_walls) {
                        let pushes = hub.wall_pushes();
                        queued.extend(standing.wall_frame(&pushes));
                    }
                    if std::mem::take(&mut standing.missed_explanations) {
                        queued.extend(hub.explanations().text_for(visibility, hub.rules()));
                    }
                    if bytes < MAX_BATCH_BYTES {
                        next = match ring.try_recv() {
                            Ok(item) => Some(Ok(item)),
                            Err(TryRecvError::Empty) => None,
                            Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                            Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                        };
                    }
                }
                if !queued.is_empty() && !send(socket, &queued, write_timeout).await {
                    return End::Slow("a write stalled");
                }
                queued.clear();
            }
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return End::PeerClosed,
                Some(Ok(Message::Ping(_))) => {
                    // tungstenite queued the pong: write it now, so a frame never follows
                    // half a pong
                    heard_since_ping = true;
                    if timeout(write_timeout, socket.flush()).await.map_or(true, |r| r.is_err()) {
                        return End::Slow("a pong could not be written in time");
                    }
                }
                // pongs and anything else: the peer is alive
                Some(Ok(_)) => heard_since_ping = true,
            },
            () = &mut ping => {
                if !heard_since_ping {
                    return End::PeerSilent;
                }
                heard_since_ping = false;
                // and once per ping, the revocation log, whatever the ring said
                if let Some(end) = standing.check_revocations() {
                    return end;
                }
                match timeout(write_timeout, socket.send(Message::Ping(Default::default()))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return End::PeerClosed,
                    Err(_) => return End::Slow("a ping could not be written in time"),
                }
                ping.as_mut().reset(tokio::time::Instant::now() + ping_every);
            }
        }
    }
}

/// Writes `texts` (frames as this client may see them, in order) within `limit`; false if
/// they could not be written in time (or the peer is gone).
async fn send(socket: &mut LiveSocket, texts: &[bytes::Bytes], limit: Duration) -> bool {
    matches!(timeout(limit, write_texts(socket, texts)).await, Ok(Ok(())))
}
