//! The websocket handshake of the live stream, and the one way frames are written to it.
//!
//! We accept the upgrade ourselves (as axum's `WebSocketUpgrade` does) to take the
//! connection's TCP socket itself: it moves to the hub's own runtime (see
//! [`super::Hub::spawn_connection`]), so ten thousand screens being written to never delay
//! the request of an agency posting figures on the main one. tungstenite reads what clients
//! send (pongs, close frames) and answers pings and closes; the hub's frames are written
//! straight from the shared bytes every client receives — a frame header from tungstenite's
//! codec, then the payload, in one vectored write — so no connection ever holds a copy of a
//! frame. (tungstenite would copy each message into a per-connection buffer that keeps the
//! size of the largest one ever sent: a 200 KB snapshot would then cost 200 KB per idle
//! screen for as long as it stays connected.)

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use bytes::{Buf, Bytes};
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::future::Future;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::Hub;
use crate::error::ApiFailure;
use std::sync::Arc;

/// A live connection's websocket.
pub type LiveSocket = WebSocketStream<tokio::net::TcpStream>;

/// A request to upgrade to a websocket (HTTP/1.1, version 13).
pub struct LiveUpgrade {
    key: HeaderValue,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

fn header_has(parts: &Parts, name: header::HeaderName, token: &str) -> bool {
    parts.headers.get_all(name).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

impl<S: Send + Sync> FromRequestParts<S> for LiveUpgrade {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiFailure> {
        let not_websocket = || {
            ApiFailure::new(
                StatusCode::UPGRADE_REQUIRED,
                "websocket_required",
                "Địa chỉ này là luồng trực tiếp: cần kết nối websocket (phiên bản 13).",
                "This address is the live stream: open a websocket (version 13).",
            )
        };
        if parts.method != Method::GET
            || !header_has(parts, header::CONNECTION, "upgrade")
            || !header_has(parts, header::UPGRADE, "websocket")
            || parts
                .headers
                .get(header::SEC_WEBSOCKET_VERSION)
                .map(|v| v.as_bytes())
                != Some(b"13")
        {
            return Err(not_websocket());
        }
        let key = parts
            .headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or_else(not_websocket)?;
        let on_upgrade = parts
            .extensions
            .remove::<hyper::upgrade::OnUpgrade>()
            .ok_or_else(not_websocket)?;
        Ok(LiveUpgrade { key, on_upgrade })
    }
}

impl LiveUpgrade {
    /// Answers `101 Switching Protocols`; once the upgrade completes, hands the socket to
    /// the hub's runtime and runs `serve` on it there.
    pub fn on_upgrade<F, Fut>(self, hub: &Arc<Hub>, config: WebSocketConfig, serve: F) -> Response
    where
        F: FnOnce(LiveSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept =
            tokio_tungstenite::tungstenite::handshake::derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        let hub = hub.clone();
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            // the server serves plain TCP streams (see crate::serve)
            let Ok(parts) = upgraded.downcast::<TokioIo<tokio::net::TcpStream>>() else {
                tracing::error!("an upgraded connection is not a TCP stream; closing it");
                return;
            };
            // off this runtime's reactor, onto the hub's
            let stream = match parts.io.into_inner().into_std() {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot take an upgraded connection over");
                    return;
                }
            };
            let early = parts.read_buf.to_vec();
            hub.spawn_connection(async move {
                let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                    return;
                };
                let socket =
                    WebSocketStream::from_partially_read(stream, early, Role::Server, Some(config))
                        .await;
                serve(socket).await;
            });
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .body(Body::empty())
            .expect("a valid handshake answer")
    }
}

/// Writes `payloads` as text messages, in order, straight to the socket in one vectored
/// write (more if the socket takes them in parts). tungstenite must have nothing queued
/// (the connection flushes it right after anything that queues — a pong, a ping, a close),
/// so the bytes of two frames never interleave.
pub async fn write_texts(socket: &mut LiveSocket, payloads: &[Bytes]) -> std::io::Result<()> {
    let mut frames = Frames::with_capacity(payloads.len() * 2);
    for payload in payloads {
        let header = FrameHeader {
            is_final: true,
            opcode: OpCode::Data(Data::Text),
            ..FrameHeader::default()
        };
        // a server's frame header is at most 10 bytes (no mask)
        let mut head = Vec::with_capacity(10);
        header
            .format(payload.len() as u64, &mut head)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        frames.0.push_back(Bytes::from(head));
        frames.0.push_back(payload.clone());
    }
    // a TCP socket holds nothing back: written is sent
    socket.get_mut().write_all_buf(&mut frames).await
}

/// Headers and payloads to write, as one buffer that writes as many parts at once as the
/// socket takes.
struct Frames(VecDeque<Bytes>);

impl Frames {
    fn with_capacity(parts: usize) -> Frames {
        Frames(VecDeque::with_capacity(parts))
    }
}

impl Buf for Frames {
    fn remaining(&self) -> usize {
        self.0.iter().map(Bytes::len).sum()
    }

    fn chunk(&self) -> &[u8] {
        self.0.front().map_or(&[], |b| b.as_ref())
    }

    fn chunks_vectored<'a>(&'a self, dst: &mut [std::io::IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, part) in dst.iter_mut().zip(&self.0) {
            *slot = std::io::IoSlice::new(part);
            n += 1;
        }
        n
    }

    fn advance(&mut self, mut count: usize) {
        while count > 0 {
            let Some(front) = self.0.front_mut() else {
                return;
            };
            if count < front.len() {
                front.advance(count);
                return;
            }
            count -= front.len();
            self.0.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_advance_across_their_parts() {
        let mut frames = Frames::with_capacity(3);
        for part in ["ab", "cde", "f"] {
            frames.0.push_back(Bytes::from(part));
        }
        assert_eq!(frames.remaining(), 6);
        let mut slots = [std::io::IoSlice::new(&[]); 8];
        assert_eq!(frames.chunks_vectored(&mut slots), 3);
        frames.advance(3);
        assert_eq!(frames.chunk(), b"de");
        assert_eq!(frames.remaining(), 3);
        frames.advance(3);
        assert!(!frames.has_remaining());
    }
}
