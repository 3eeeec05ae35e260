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
use tokio::sync::broadcast::error::RecvError;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;

use super::revocations::Verdict;
use super::upgrade::{write_text, LiveSocket, LiveUpgrade};
use super::{FrameKind, Hub, Outgoing};
use crate::auth::callers::ClientAddress;
use crate::auth::IdentifiedAt;
use crate::error::ApiFailure;
use crate::state::AppState;
use app::model::account::{Principal, Visibility};
use app::model::live::{CLOSE_GOING_AWAY, CLOSE_REVOKED, CLOSE_SLOW};
use app::model::StreamPosition;

/// Read buffer per connection: clients only send pongs and close frames.
const READ_BUFFER_BYTES: usize = 1024;
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
    let address = client.parse::<IpAddr>().unwrap_or(peer.ip());
    if state.hub.admit(address).is_none() {
        return ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "Quá nhiều kết nối trực tiếp từ địa chỉ này.",
            "Too many live connections from this address.",
        )
        .into_response();
    }
    let hub = state.hub.clone();
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_CLIENT_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE_BYTES));
    ws.on_upgrade(config, move |socket| async move {
        // the place is held for as long as the connection lives
        let Some(_permit) = hub.admit(address) else {
            return;
        };
        serve(socket, &hub, since, principal, opened).await
    })
}

/// Why a connection ended, for the logs.
#[derive(Debug)]
enum End {
    PeerClosed,
    PeerSilent,
    Slow(&'static str),
    ShuttingDown,
    Revoked,
}

async fn serve(
    mut socket: LiveSocket,
    hub: &Hub,
    since: Option<StreamPosition>,
    principal: Principal,
    opened: time::OffsetDateTime,
) {
    let end = stream(&mut socket, hub, since, &principal, opened).await;
    let (code, reason) = match &end {
        End::Slow(why) => (CLOSE_SLOW, format!("slow: {why}; reconnect with since")),
        End::ShuttingDown => (CLOSE_GOING_AWAY, "server shutting down".to_string()),
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

async fn stream(
    socket: &mut LiveSocket,
    hub: &Hub,
    since: Option<StreamPosition>,
    principal: &Principal,
    opened: time::OffsetDateTime,
) -> End {
    let limits = hub.limits().clone();
    let write_timeout = limits.write_timeout;
    let visibility = principal.visibility();
    let Some(mut revoked) = hub.revocations().watch(principal, opened) else {
        return End::Revoked;
    };
    let (first, mut frames) = hub.subscribe(since.as_ref()).await;
    let first = first.frame().clone();
    // the offset the client has everything up to
    let mut sent = first.to;
    if !send(socket, &first, &visibility, hub, write_timeout).await {
        return End::Slow("the first frame could not be written in time");
    }
    drop(first);
    let mut shutdown = hub.shutdown_signal();
    let ping_every = limits.heartbeat * 2;
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut heard_since_ping = true;
    let mut catch_ups = 0u32;
    let mut lag_period_start = Instant::now();

    loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => return End::ShuttingDown,
            _ = revoked.changed() => match hub.revocations().check(&mut revoked, principal, opened) {
                Verdict::Carry => {}
                Verdict::Revoked => return End::Revoked,
                Verdict::Unknown => return End::Slow("missed revocations while stalled"),
            },
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return End::PeerClosed,
                // pongs, pings (answered by the library) and anything else: the peer is alive
                Some(Ok(_)) => heard_since_ping = true,
            },
            _ = pings.tick() => {
                if !heard_since_ping {
                    return End::PeerSilent;
                }
                heard_since_ping = false;
                match timeout(write_timeout, socket.send(Message::Ping(Default::default()))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return End::PeerClosed,
                    Err(_) => return End::Slow("a ping could not be written in time"),
                }
            }
            frame = frames.recv() => {
                let catch_up = match &frame {
                    Ok(out) if out.kind == FrameKind::Delta && out.to <= sent => continue,
                    Ok(out) if out.kind == FrameKind::Delta && out.from > sent => true,
                    Ok(_) => false,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return End::ShuttingDown,
                };
                let out = if catch_up {
                    if lag_period_start.elapsed() > LAG_PERIOD {
                        lag_period_start = Instant::now();
                        catch_ups = 0;
                    }
                    catch_ups += 1;
                    if catch_ups > MAX_CATCH_UPS {
                        return End::Slow("fell behind repeatedly");
                    }
                    match hub.catch_up(sent) {
                        Some(out) => Arc::new(out),
                        None => return End::Slow("fell behind the retained window"),
                    }
                } else {
                    match frame {
                        Ok(out) => out,
                        Err(_) => unreachable!("errors always catch up or return"),
                    }
                };
                if !send(socket, &out, &visibility, hub, write_timeout).await {
                    return End::Slow("a write stalled");
                }
                if out.kind != FrameKind::Heartbeat {
                    sent = sent.max(out.to);
                }
            }
        }
    }
}

/// Sends one frame as this client may see it; false if it could not be written within
/// `limit` (or the peer is gone).
async fn send(
    socket: &mut LiveSocket,
    out: &Outgoing,
    visibility: &Visibility,
    hub: &Hub,
    limit: Duration,
) -> bool {
    let text = out.text_for(visibility, hub.rules());
    matches!(timeout(limit, write_text(socket, &text)).await, Ok(Ok(())))
}
