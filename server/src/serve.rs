//! The HTTP server around the router: accepts connections and serves them with hyper, with
//! the limits a public service needs before any handler runs — a deadline for a request's
//! headers (a slow client cannot hold a connection open by trickling them), a deadline for
//! its body, and a cap on requests handled at once (the rest are answered 503 at once,
//! not queued). Shuts down gracefully: no new connections, open requests finish.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::error::ApiFailure;

/// Limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// A request's headers must arrive within this.
    pub header_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// Requests handled at once.
    pub max_concurrent_requests: usize,
}

/// How long shutting down waits for open requests.
const GRACE: Duration = Duration::from_secs(10);

/// Applies [`HttpLimits::max_concurrent_requests`] and the body deadline to `router`.
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: HttpLimits) -> Router<S> {
    use tower::ServiceBuilder;
    router.layer(
        ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
            .load_shed()
            // one count for the whole router: axum applies a layer to each route apart
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                limits.max_concurrent_requests,
            ))
            .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
                limits.body_timeout,
            )),
    )
}

async fn overloaded(_: tower::BoxError) -> Response {
    // (a 503 of the API carries Retry-After)
    ApiFailure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "Máy chủ đang xử lý quá nhiều yêu cầu; hãy thử lại sau ít giây.",
        "The server is handling too many requests; try again in a few seconds.",
    )
    .into_response()
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish
/// (at most [`GRACE`]). HTTP/1.1 only — what browsers speak to a server without TLS, and
/// what a reverse proxy speaks to its backends — so a live connection's upgraded socket is
/// the very TCP stream accepted here, which the hub takes over (see `hub::upgrade`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let (closing, closed) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // out of file descriptors, or a connection reset before we took it
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // finished connections leave the set as they go
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(Body::new))
            });
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut closing = closed.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            let outcome = tokio::select! {
                outcome = connection.as_mut() => outcome,
                () = async { let _ = closing.wait_for(|closing| *closing).await; } => {
                    // finish the request under way, take no other
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = outcome {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let finished = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(GRACE, finished).await.is_err() {
        tracing::warn!("some requests were still open after {GRACE:?}; stopping anyway");
    }
    Ok(())
}
