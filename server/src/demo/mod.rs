//! The demo feed: plays the province's agencies so the first run shows a living dashboard.
//!
//! It is an ordinary client of the ingest API — its own tokens (one per agency it plays,
//! labelled "demo feed" and replaced at each start), HTTP, `Idempotency-Key`, validation —
//! never a side door into the database or the hub. Its figures come from [`DemoProvince`],
//! which is deterministic for a seed and a clock.

mod model;

pub use model::DemoProvince;

use app::model::ingest::ObservationInput;
use app::model::Catalogue;
use app::store::{tokens, Db};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// The label of the demo feed's tokens.
pub const TOKEN_LABEL: &str = "demo feed";
/// Largest batch the feed sends at once.
const BATCH: usize = 2_000;

/// The address the feed uses to reach a server listening on `addr`.
pub fn local_base_url(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        if addr.is_ipv4() {
            "127.0.0.1".to_string()
        } else {
            "[::1]".to_string()
        }
    } else if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    format!("http://{host}:{}", addr.port())
}

/// Runs the feed until `shutdown` flips: opening figures first, then a live update every
/// `interval`.
pub async fn run(
    db: Db,
    catalogue: Arc<Catalogue>,
    base_url: String,
    seed: u64,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let result = async {
        let now = OffsetDateTime::now_utc();
        tokens::revoke_labelled(&db, TOKEN_LABEL, now).await?;
        let mut province = DemoProvince::new(seed, &catalogue);
        let mut agency_tokens = HashMap::new();
        for agency in province.agencies() {
            let (_, token) = tokens::create(&db, &agency, TOKEN_LABEL, now).await?;
            agency_tokens.insert(agency, token);
        }
        let feed = Feed {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
            url: format!("{base_url}/api/v1/observations"),
            tokens: agency_tokens,
            run: hex::encode(rand::random::<[u8; 6]>()),
            sent: 0,
        };
        anyhow::Ok((province.opening(now), province, feed))
    }
    .await;
    let (opening, mut province, mut feed) = match result {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "demo feed cannot start");
            return;
        }
    };
    tracing::info!(
        seed,
        items = opening.iter().map(|(_, b)| b.len()).sum::<usize>(),
        "demo feed: sending opening figures"
    );
    for (agency, batch) in opening {
        for chunk in batch.chunks(BATCH) {
            if !feed.post(&agency, chunk.to_vec(), &mut shutdown).await {
                return;
            }
        }
    }
    let mut ticks = tokio::time::interval(interval);
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = ticks.tick() => {
                for (agency, batch) in province.tick(OffsetDateTime::now_utc()) {
                    if !feed.post(&agency, batch, &mut shutdown).await {
                        return;
                    }
                }
            }
        }
    }
}

struct Feed {
    client: reqwest::Client,
    url: String,
    tokens: HashMap<String, String>,
    /// Makes this run's idempotency keys unique.
    run: String,
    sent: u64,
}

impl Feed {
    /// Posts one batch, retrying with the same key until it is answered; false on shutdown.
    async fn post(
        &mut self,
        agency: &str,
        observations: Vec<ObservationInput>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        let Some(token) = self.tokens.get(agency) else {
            tracing::error!(agency, "demo feed has no token for this agency");
            return true;
        };
        self.sent += 1;
        let key = format!("demo-{}-{}", self.run, self.sent);
        let body = app::model::ingest::ObservationBatch { observations };
        let mut wait = Duration::from_millis(500);
        loop {
            let attempt = self
                .client
                .post(&self.url)
                .bearer_auth(token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await;
            match attempt {
                Ok(response) if response.status().is_success() => return true,
                Ok(response) if response.status().is_client_error() => {
                    // a refused batch is a bug in the feed: say so, and move on
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    tracing::error!(agency, %status, body = %text, "demo feed batch refused");
                    return true;
                }
                Ok(response) => {
                    tracing::warn!(agency, status = %response.status(), "demo feed batch failed; retrying")
                }
                Err(e) => {
                    tracing::warn!(agency, error = %e, "demo feed cannot reach the server; retrying")
                }
            }
            tokio::select! {
                _ = shutdown.changed() => return false,
                _ = tokio::time::sleep(wait) => wait = (wait * 2).min(Duration::from_secs(30)),
            }
        }
    }
}
