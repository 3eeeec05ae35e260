//! The websocket handshake of the live stream, and the one way frames are written to it.
//!
//! We accept the upgrade ourselves (as axum's `WebSocketUpgrade` does) to keep hold of the
//! connection's socket. tungstenite reads what clients send (pongs, close frames) and answers
//! pings and closes; the hub's frames are written straight from the shared bytes every client
//! receives — a frame header from tungstenite's codec, then the payload, in one vectored
//! write — so no connection ever holds a copy of a frame. (tungstenite would copy each
//! message into a per-connection buffer that keeps the size of the largest one ever sent: a
//! 200 KB snapshot would then cost 200 KB per idle screen for as long as it stays
//! connected.)

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use bytes::{Buf, Bytes};
use futures_util::SinkExt;
use hyper_util::rt::TokioIo;
use std::future::Future;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use crate::error::ApiFailure;

/// A live connection's websocket.
pub type LiveSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

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
    /// Answers `101 Switching Protocols` and runs `serve` on the socket once the upgrade
    /// completes, in a task of its own.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, serve: F) -> Response
    where
        F: FnOnce(LiveSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept =
            tokio_tungstenite::tungstenite::handshake::derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            serve(socket).await;
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

/// Writes `payload` as one text message. Whatever tungstenite has queued (a pong, a close
/// answer) is flushed first, so the bytes of two frames never interleave.
pub async fn write_text(socket: &mut LiveSocket, payload: &Bytes) -> std::io::Result<()> {
    socket
        .flush()
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let header = FrameHeader {
        is_final: true,
        opcode: OpCode::Data(Data::Text),
        ..FrameHeader::default()
    };
    // a server's frame header is at most 10 bytes (no mask)
    let mut head = [0u8; 10];
    let mut rest: &mut [u8] = &mut head;
    header
        .format(payload.len() as u64, &mut rest)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let used = 10 - rest.len();
    let mut frame = (&head[..used]).chain(payload.clone());
    let io = socket.get_mut();
    io.write_all_buf(&mut frame).await?;
    io.flush().await
}
