//! The demo feed: plays the province's agencies so the first run shows a living dashboard.
//!
//! It is an ordinary client of the ingest API — its own tokens (one per agency it plays,
//! labelled "demo feed" and replaced at each start), HTTP, `Idempotency-Key`, validation —
//! never a side door into the database or the hub (it reads the database only to skip the
//! history a previous run already stored). Its figures come from [`DemoProvince`], which is
//! deterministic for a seed and a clock.

mod model;
pub mod tasks;

pub use model::DemoProvince;

use app::model::ingest::ObservationInput;
use app::model::Catalogue;
use app::store::{tokens, Db};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use time::{Date, OffsetDateTime};
use tokio::sync::watch;

/// The label of the demo feed's tokens.
pub const TOKEN_LABEL: &str = "demo feed";

/// The name of the demo's wall screen.
pub const WALL_NAME: &str = "Màn hình demo (demo feed)";

/// A display token for watching the demo without an account — read-only, like any wall
/// screen — replacing (revoking) the one made at the previous start, since a token is
/// shown only once. Returns the wall's address, token included.
pub async fn open_wall(db: &Db, base_url: &str) -> anyhow::Result<String> {
    use crate::auth::admin::{self, Actor};
    let actor = Actor {
        kind: "system",
        id: None,
        name: TOKEN_LABEL.to_string(),
        ip: None,
    };
    let previous = app::store::displays::list(&mut *db.acquire().await?).await?;
    for d in previous
        .iter()
        .filter(|d| d.name == WALL_NAME && d.revoked_at.is_none())
    {
        admin::revoke_display(db, None, &actor, d.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let (_, token) = admin::create_display(db, &actor, WALL_NAME)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!("{base_url}/?display={token}"))
}

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

/// Today in Vietnam.
pub fn today() -> Date {
    app::model::format::vietnam_date(OffsetDateTime::now_utc())
}

/// Days of service-desk counts in the backfilled history.
pub const DESK_HISTORY_DAYS: i64 = 100;

/// Where the feed is: waiting for this instance to lead, sending its history, or live.
/// Health answers it, so a script (or a test) can wait for the history to be in place.
#[derive(Debug, Clone, Default)]
pub struct FeedProgress(Arc<std::sync::atomic::AtomicU8>);

impl FeedProgress {
    // 0, the default: waiting
    const BACKFILLING: u8 = 1;
    const LIVE: u8 = 2;

    fn set(&self, state: u8) {
        self.0.store(state, std::sync::atomic::Ordering::Relaxed);
    }

    /// `waiting`, `backfilling` or `live`.
    pub fn state(&self) -> &'static str {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            Self::BACKFILLING => "backfilling",
            Self::LIVE => "live",
            _ => "waiting",
        }
    }
}

/// How the feed runs.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// The server's base URL, e.g. `http://127.0.0.1:3000`.
    pub base_url: String,
    pub seed: u64,
    /// Days of history backfilled at start.
    pub history_days: u32,
    /// Time between live updates.
    pub interval: Duration,
    pub progress: FeedProgress,
}

/// Runs the feed until `shutdown` flips: a year of history first (the same figures and
/// keys at every start, so a restart's backfill is answered from the stored responses),
/// then the day so far, then what changed every `interval`.
pub async fn run(
    db: Db,
    catalogue: Arc<Catalogue>,
    config: DemoConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let DemoConfig {
        base_url,
        seed,
        history_days,
        interval,
        progress,
    } = config;
    progress.set(FeedProgress::BACKFILLING);
    let started = async {
        let now = OffsetDateTime::now_utc();
        let province = DemoProvince::new(seed, &catalogue);
        let mut tx = app::store::write(&db).await?;
        tokens::revoke_labelled(&mut tx, TOKEN_LABEL, now).await?;
        let mut agency_tokens = HashMap::new();
        let mut agencies: std::collections::BTreeSet<String> =
            province.agencies().into_iter().collect();
        // the task book's lead agencies and the PPC Office report through the task API
        agencies.extend(tasks::reporting_agencies(&catalogue));
        agencies.extend(catalogue.directives_office.clone());
        for agency in agencies {
            let (info, token) = tokens::create(&mut tx, &agency, TOKEN_LABEL, now).await?;
            let entry = app::store::audit::NewEntry {
                actor_kind: "system",
                actor_name: "demo feed".into(),
                action: "token_created",
                target: Some(format!("{agency} token #{}", info.id)),
                ..Default::default()
            };
            app::store::audit::record(&mut tx, &entry, now).await?;
            agency_tokens.insert(agency, token);
        }
        tx.commit().await?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        anyhow::Ok((
            province,
            Feed {
                client,
                url: format!("{base_url}/api/v1/observations"),
                tokens: agency_tokens,
            },
        ))
    }
    .await;
    let (mut province, feed) = match started {
        Ok(started) => started,
        Err(e) => {
            tracing::error!(error = %e, "demo feed cannot start");
            return;
        }
    };

    // the task book first: a few requests, so the dashboard's tasks are there at once
    if let Some(office) = catalogue
        .directives_office
        .as_ref()
        .and_then(|o| feed.tokens.get(o))
    {
        if let Err(e) = tasks::run(&feed.client, &base_url, seed, office, &feed.tokens).await {
            tracing::error!(error = %e, "demo feed: the task book was not brought in");
        }
    }

    let today = today();
    let begun = std::time::Instant::now();
    let mut posts = Vec::new();
    for back in (1..=i64::from(history_days)).rev() {
        let day = today - time::Duration::days(back);
        let mut figures = province.history(day);
        if back > DESK_HISTORY_DAYS {
            // a year of every desk's counts would triple the history: the services view's
            // charts and rankings need about three months
            figures.retain(|f| !model::is_desk_figure(f));
        }
        for (agency, figures) in province.by_agency(figures) {
            posts.push((format!("demo-{seed}-{day}-{agency}"), agency, figures));
        }
    }
    // this year's and last year's estimates, plans and plan adjustments (last year's
    // capital is disbursed until 31 January) even when they were set before the window
    let window_start = today - time::Duration::days(i64::from(history_days));
    let plan_days = [
        (today.year() - 2, time::Month::December, 10),
        (today.year() - 1, time::Month::July, 15),
        (today.year() - 1, time::Month::December, 10),
        (today.year(), time::Month::July, 15),
    ];
    for (year, month, day) in plan_days.into_iter().rev() {
        let Ok(plans_day) = Date::from_calendar_date(year, month, day) else {
            continue;
        };
        if plans_day >= window_start || plans_day >= today {
            continue;
        }
        for (agency, figures) in province.by_agency(province.reports(plans_day)) {
            let key = format!("demo-{seed}-{plans_day}-{agency}-reports");
            posts.insert(0, (key, agency, figures));
        }
    }
    // What a previous run already stored — or what is newer than the history (a previous
    // run's live figures) — is not sent again: a restart adds nothing, whatever tokens the
    // feed has now and however long ago the previous run's answers were pruned. (The feed
    // reads the database to know what is there; it writes only through the API.)
    match app::store::observations::latest_as_of(&db).await {
        Ok(stored) => {
            for (_, _, figures) in &mut posts {
                figures.retain(|f| {
                    let key = (
                        f.indicator.clone(),
                        f.area.clone(),
                        // a department desk's figures are stored with it in the project slot
                        f.project.clone().or(f.agency.clone()).unwrap_or_default(),
                        f.period.clone(),
                    );
                    match (stored.get(&key), f.as_of) {
                        (Some(stored), Some(as_of)) => as_of > *stored,
                        _ => true,
                    }
                });
            }
            posts.retain(|(_, _, figures)| !figures.is_empty());
        }
        Err(e) => {
            tracing::warn!(error = %e, "demo feed cannot read what is stored; sending all history")
        }
    }
    let count: usize = posts.iter().map(|(_, _, f)| f.len()).sum();
    tracing::info!(
        seed,
        days = history_days,
        batches = posts.len(),
        observations = count,
        "demo feed: backfilling history"
    );
    // each agency's batches in order (a figure must never arrive after a later one for the
    // same indicator, area and period: the server would refuse it), agencies side by side
    let mut by_agency: BTreeMap<String, Vec<(String, Vec<ObservationInput>)>> = BTreeMap::new();
    for (key, agency, figures) in posts {
        by_agency.entry(agency).or_default().push((key, figures));
    }
    let sent: Vec<Posted> =
        futures_util::future::join_all(by_agency.into_iter().map(|(agency, batches)| {
            let (feed, shutdown) = (&feed, shutdown.clone());
            async move {
                let mut sent = Vec::with_capacity(batches.len());
                for (key, figures) in batches {
                    let posted = feed.post(&agency, &key, figures, shutdown.clone()).await;
                    sent.push(posted);
                    if posted == Posted::ShuttingDown {
                        break;
                    }
                }
                sent
            }
        }))
        .await
        .into_iter()
        .flatten()
        .collect();
    if sent.contains(&Posted::ShuttingDown) {
        return;
    }
    let replayed = sent.iter().filter(|p| **p == Posted::Replayed).count();
    tracing::info!(
        batches = sent.len(),
        replayed,
        seconds = begun.elapsed().as_secs(),
        "demo feed: history in place; now live"
    );
    progress.set(FeedProgress::LIVE);

    let run = hex::encode(rand::random::<[u8; 6]>());
    let mut n = 0u64;
    let mut ticks = tokio::time::interval(interval);
    loop {
        for (agency, figures) in province.changes(OffsetDateTime::now_utc()) {
            n += 1;
            if feed
                .post(
                    &agency,
                    &format!("demo-live-{run}-{n}"),
                    figures,
                    shutdown.clone(),
                )
                .await
                == Posted::ShuttingDown
            {
                return;
            }
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = ticks.tick() => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Posted {
    Stored,
    Replayed,
    Refused,
    ShuttingDown,
}

struct Feed {
    client: reqwest::Client,
    url: String,
    tokens: HashMap<String, String>,
}

impl Feed {
    /// Posts one batch, retrying with the same key until it is answered.
    async fn post(
        &self,
        agency: &str,
        key: &str,
        figures: Vec<ObservationInput>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Posted {
        let Some(token) = self.tokens.get(agency) else {
            tracing::error!(agency, "demo feed has no token for this agency");
            return Posted::Refused;
        };
        let body = app::model::ingest::ObservationBatch {
            observations: figures,
        };
        let mut wait = Duration::from_millis(500);
        loop {
            let attempt = self
                .client
                .post(&self.url)
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await;
            match attempt {
                Ok(response) if response.status().is_success() => {
                    return if response.headers().contains_key("idempotent-replayed") {
                        Posted::Replayed
                    } else {
                        Posted::Stored
                    };
                }
                Ok(response) if response.status().is_client_error() => {
                    // a refused batch is a bug in the feed: say so, and go on
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    tracing::error!(agency, key, %status, body = %text, "demo feed batch refused");
                    return Posted::Refused;
                }
                Ok(response) => {
                    tracing::warn!(agency, status = %response.status(), "demo feed batch failed; retrying")
                }
                Err(e) => {
                    tracing::warn!(agency, error = %e, "demo feed cannot reach the server; retrying")
                }
            }
            tokio::select! {
                _ = shutdown.changed() => return Posted::ShuttingDown,
                _ = tokio::time::sleep(wait) => wait = (wait * 2).min(Duration::from_secs(30)),
            }
        }
    }
}
