//! `ioc-load`: measures a running IOC Live server.
//!
//! * `fanout` opens N live clients, drives ingest at a set rate, and prints delivered
//!   messages per second, ingest→client latency (p50/p99), whether any client saw a gap,
//!   how many were closed or disconnected during the run, and whether every one received
//!   everything by the end (a gap count means something only if every client stayed).
//!   Optionally some clients stall (never read), to show they neither grow the server's
//!   memory nor slow the others.
//! * `ingest` posts large batches and prints observations stored per second.
//! * `small` posts one observation per request from many senders at once, as agencies'
//!   systems often do, optionally with live clients watching, and prints the requests
//!   answered 2xx per second.
//! * `memory` reads the server's memory per idle live client.
//!
//! Latency is measured with the figures themselves: each posted value's `as_of` is the
//! time it was sent, and every client compares it with the time the value arrived.

use anyhow::{bail, Context};
use app::model::ingest::{ObservationBatch, ObservationInput};
use app::model::LiveFrame;
use clap::{Parser, Subcommand};
use futures_util::StreamExt;
use rust_decimal::Decimal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug, Parser)]
#[command(
    name = "ioc-load",
    about = "Load and measure a running IOC Live server"
)]
struct Cli {
    /// The server's base URL: where figures are posted (and live clients connect, unless
    /// --live-url says otherwise).
    #[arg(long, default_value = "http://127.0.0.1:3000", global = true)]
    url: String,
    /// Where live clients connect, in turn, if not to --url: another instance of the same
    /// database measures ingest on one instance → screens on another; repeat it to split
    /// the clients across instances.
    #[arg(long, global = true)]
    live_url: Vec<String>,
    /// Further instances the ingest mode posts to, in turn with --url.
    #[arg(long, global = true)]
    also_post_to: Vec<String>,
    /// An API token of the agency VPUB (`ioc token create --agency VPUB`).
    #[arg(long, env = "IOC_TOKEN", global = true, default_value = "")]
    token: String,
    #[command(subcommand)]
    command: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Many live clients, steady ingest.
    Fanout {
        /// Live clients to open.
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        /// Of those, how many never read (stalled screens).
        #[arg(long, default_value_t = 0)]
        stalled: usize,
        /// Ingest batches per second.
        #[arg(long, default_value_t = 20)]
        rate: u32,
        /// Observations per batch (each a different indicator, so each delta carries this many values).
        #[arg(long, default_value_t = 3)]
        batch: usize,
        /// Seconds of ingest.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// The server's process id, to read its memory (RSS) from /proc.
        #[arg(long)]
        server_pid: Option<u32>,
        /// The token the live clients present: a display token (`ioc display create`) to
        /// watch as wall screens do; by default the agency token, which sees through the
        /// agency's filter.
        #[arg(long)]
        viewer: Option<String>,
    },
    /// Single-observation requests from many senders at once, as fast as answered.
    Small {
        /// Requests in flight at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Seconds of sending.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Live clients watching meanwhile (wall screens, with --viewer).
        #[arg(long, default_value_t = 0)]
        watchers: usize,
        /// The token the watching clients present (a display token).
        #[arg(long)]
        viewer: Option<String>,
    },
    /// Memory per idle live client, each having received a full snapshot.
    Memory {
        #[arg(long, default_value_t = 10_000)]
        clients: usize,
        /// The server's process id, to read its memory (RSS) from /proc.
        #[arg(long)]
        server_pid: u32,
        /// The token the live clients present (a display token).
        #[arg(long)]
        viewer: Option<String>,
    },
    /// Large batches, as fast as the server takes them.
    Ingest {
        /// Observations per batch.
        #[arg(long, default_value_t = 5000)]
        batch: usize,
        /// Number of batches.
        #[arg(long, default_value_t = 20)]
        batches: usize,
        /// Batches in flight at once (agencies post concurrently).
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
    },
}

/// The PPC Office's streamed indicators, used as the load's figures.
const INDICATORS: [(&str, &str); 3] = [
    ("services.online.rate", "percent"),
    ("services.ontime.rate", "percent"),
    ("services.dossiers.received", "count"),
];

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("no process {pid}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmRSS line")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Posts a batch; returns the offset of its last item.
async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    key: String,
    observations: Vec<ObservationInput>,
) -> anyhow::Result<u64> {
    let response = client
        .post(format!("{url}/api/v1/observations"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&ObservationBatch { observations })
        .send()
        .await?;
    if response.status().as_u16() != 201 {
        bail!(
            "ingest refused: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
    let receipt: app::model::ingest::IngestReceipt = response.json().await?;
    Ok(receipt.items.last().map_or(0, |i| i.offset))
}

#[derive(Default)]
struct Tally {
    messages: AtomicU64,
    gaps: AtomicU64,
    /// Clients whose connection ended (closed by the server, or broken) after they were
    /// connected, before the tool stopped them.
    ended: AtomicU64,
    /// Connection attempts that failed and were tried again (a screen retries too).
    retries: AtomicU64,
    /// Each reading client's position: everything up to this offset received.
    positions: Vec<AtomicU64>,
    /// Bytes of the largest first frame (snapshot) a client received.
    first_frame_bytes: AtomicU64,
    /// (sent at, as Unix seconds; latency in ms) for each measured value.
    latencies_ms: Mutex<Vec<(f64, f64)>>,
    /// The longest ingest request, answer included.
    slowest_post_us: AtomicU64,
}

impl Tally {
    fn for_clients(clients: usize) -> Tally {
        Tally {
            positions: (0..clients).map(|_| AtomicU64::new(0)).collect(),
            ..Tally::default()
        }
    }
}

/// Just the stream position of a frame, for the clients that only check for gaps.
#[derive(serde::Deserialize)]
struct Position {
    #[serde(rename = "type")]
    kind: String,
    offset: Option<u64>,
    from: Option<u64>,
    to: Option<u64>,
}

impl Position {
    /// The position of a frame's text. The server writes a frame's position before its
    /// values (`type`, `epoch`, then `offset` or `from` and `to`, then `values`), so only
    /// that prefix is read: the tool does not spend the machine's time scanning every
    /// client's 150 KB snapshot and every delta (a text in another order is read whole).
    fn of(text: &str) -> anyhow::Result<Position> {
        let head = &text[..text.find(r#","values":"#).unwrap_or(text.len())];
        let number = |field: &str| {
            let at = head.find(field)? + field.len();
            let digits = head[at..].split(|c: char| !c.is_ascii_digit()).next()?;
            digits.parse::<u64>().ok()
        };
        let kind = if head.starts_with(r#"{"type":"delta""#) {
            "delta"
        } else if head.starts_with(r#"{"type":"snapshot""#) {
            "snapshot"
        } else if head.starts_with(r#"{"type":"heartbeat""#) {
            "heartbeat"
        } else {
            return Ok(serde_json::from_str(text)?);
        };
        let p = Position {
            kind: kind.into(),
            offset: number(r#""offset":"#),
            from: number(r#""from":"#),
            to: number(r#""to":"#),
        };
        if p.offset.is_some() || (p.from.is_some() && p.to.is_some()) {
            Ok(p)
        } else {
            Ok(serde_json::from_str(text)?)
        }
    }
}

/// The live stream's upgrade request, authenticated with `token`.
fn live_request(
    ws_url: &str,
    token: &str,
) -> anyhow::Result<tokio_tungstenite::tungstenite::handshake::client::Request> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = ws_url.into_client_request()?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

/// A live client: checks every frame for a gap; if `measure`, also reads every value and
/// records its latency (one client in ten does, so the tool's own parsing stays small).
/// Counts itself in `ended` if its connection ends before the tool stops it, and keeps its
/// position (what it has everything up to) in the tally.
async fn watch(
    ws_url: String,
    token: String,
    index: usize,
    measure: bool,
    tally: Arc<Tally>,
    recording: Arc<AtomicBool>,
    connected: Arc<AtomicU64>,
) -> anyhow::Result<()> {
    // a screen whose connection attempt fails tries again after a pause, as browsers do
    let mut attempt = 0u32;
    let mut ws = loop {
        match tokio_tungstenite::connect_async_with_config(
            live_request(&ws_url, &token)?,
            Some(client_config()),
            false,
        )
        .await
        {
            Ok((ws, _)) => break ws,
            Err(e) if attempt < 6 => {
                tally.retries.fetch_add(1, Ordering::Relaxed);
                attempt += 1;
                let pause = 500 * (1u64 << attempt.min(5));
                tracing_pause(pause, &e);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    connected.fetch_add(1, Ordering::Relaxed);
    let mut have: Option<u64> = None;
    let mut samples = Vec::new();
    loop {
        let msg = match ws.next().await {
            Some(Ok(msg)) => msg,
            Some(Err(_)) | None => break,
        };
        let text = match msg {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        let now = OffsetDateTime::now_utc();
        let p = Position::of(&text)?;
        let ahead = match p.kind.as_str() {
            "snapshot" => {
                tally
                    .first_frame_bytes
                    .fetch_max(text.len() as u64, Ordering::Relaxed);
                have = p.offset;
                false
            }
            "delta" => {
                let gap = have.is_some_and(|h| p.from.unwrap_or(0) > h);
                have = p.to;
                if recording.load(Ordering::Relaxed) {
                    tally.messages.fetch_add(1, Ordering::Relaxed);
                    if measure {
                        if let LiveFrame::Delta { values, .. } = serde_json::from_str(&text)? {
                            samples.extend(values.iter().map(|v| {
                                let sent = v.as_of.unix_timestamp_nanos() as f64 / 1e9;
                                (sent, (now - v.as_of).as_seconds_f64() * 1000.0)
                            }));
                        }
                        if samples.len() >= 256 {
                            tally.latencies_ms.lock().unwrap().append(&mut samples);
                        }
                    }
                }
                gap
            }
            _ => have.is_some_and(|h| p.offset.unwrap_or(0) > h),
        };
        if ahead {
            tally.gaps.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(h) = have {
            tally.positions[index].store(h, Ordering::Relaxed);
        }
    }
    tally.ended.fetch_add(1, Ordering::Relaxed);
    tally.latencies_ms.lock().unwrap().append(&mut samples);
    Ok(())
}

/// A live client's websocket settings: a small read buffer. tungstenite zero-fills its
/// read buffer before every read, so the default 128 KiB would have the tool spend a third
/// of its time in memset at 10,000 clients (deltas are under 1 KB; a snapshot still reads).
fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(2048)
}

/// Says, once in a while, why connection attempts fail.
fn tracing_pause(pause_ms: u64, error: &tokio_tungstenite::tungstenite::Error) {
    static SAID: AtomicU64 = AtomicU64::new(0);
    if SAID.fetch_add(1, Ordering::Relaxed) < 3 {
        eprintln!("a connection attempt failed ({error}); trying again in {pause_ms} ms");
    }
}

/// A client that connects and never reads: a stalled screen.
async fn stall(ws_url: String, token: String) -> anyhow::Result<()> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_recv_buffer_size(4096)?;
    let url: reqwest::Url = ws_url.parse()?;
    let addr = tokio::net::lookup_host((
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(80),
    ))
    .await?
    .next()
    .context("no address")?;
    let stream = socket.connect(addr).await?;
    let (_ws, _) = tokio_tungstenite::client_async(
        live_request(&ws_url, &token)?,
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await?;
    std::future::pending::<()>().await;
    Ok(())
}

/// Opens `clients` live clients (the first `stalled` of them never read) and waits until
/// the reading ones are connected.
async fn open_clients(
    ws_urls: &[String],
    viewer: &str,
    clients: usize,
    stalled: usize,
    tally: &Arc<Tally>,
    recording: &Arc<AtomicBool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<anyhow::Result<()>>>> {
    let connected = Arc::new(AtomicU64::new(0));
    println!("opening {clients} live clients ({stalled} of them stalled) …");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let (url, token) = (ws_urls[i % ws_urls.len()].clone(), viewer.to_string());
        if i < stalled {
            tasks.push(tokio::spawn(async move { stall(url, token).await }));
        } else {
            let (tally, recording, connected) =
                (tally.clone(), recording.clone(), connected.clone());
            let measure = i % 10 == 0;
            tasks.push(tokio::spawn(async move {
                watch(url, token, i, measure, tally, recording, connected).await
            }));
        }
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    while (connected.load(Ordering::Relaxed) as usize) < clients - stalled {
        if started.elapsed() > Duration::from_secs(180) {
            bail!(
                "only {} of {} clients connected",
                connected.load(Ordering::Relaxed),
                clients - stalled
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "{} clients connected in {:.1} s (first frame, a snapshot, up to {} KiB; {} attempts tried again)",
        clients,
        started.elapsed().as_secs_f64(),
        tally.first_frame_bytes.load(Ordering::Relaxed) / 1024,
        tally.retries.load(Ordering::Relaxed)
    );
    Ok(tasks)
}

/// After ingest, waits (up to `patience`) until every reading client (indexes
/// `stalled..clients`) has everything up to `head`. Returns how many did, and the wait.
async fn drain(
    tally: &Tally,
    head: u64,
    reading: std::ops::Range<usize>,
    patience: Duration,
) -> (usize, Duration) {
    let started = Instant::now();
    loop {
        let done = tally.positions[reading.clone()]
            .iter()
            .filter(|p| p.load(Ordering::Relaxed) >= head)
            .count();
        if done == reading.len() || started.elapsed() >= patience {
            return (done, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn report_clients(tally: &Tally, reading: usize, (done, drained): (usize, Duration)) {
    let ended = tally.ended.load(Ordering::Relaxed);
    let gaps = tally.gaps.load(Ordering::Relaxed);
    println!("gaps seen by clients     {gaps}");
    println!("clients closed or cut    {ended} (by the server or the network, during the run)");
    println!(
        "clients with everything  {done} of {reading}, {:.2} s after the last ingest answer",
        drained.as_secs_f64()
    );
    let verdict = if gaps == 0 && ended == 0 && done == reading {
        "every client stayed to the end and received every update, in order"
    } else {
        "NOT every client stayed and received everything: see above"
    };
    println!("verdict                  {verdict}");
}

/// Posts `rate` batches a second for `seconds`, each on time whatever the answers take;
/// returns the last offset stored, each answer's time (ms) and the batches sent.
async fn send_batches(
    url: &str,
    token: &str,
    rate: u32,
    batch: usize,
    seconds: u64,
    tally: &Arc<Tally>,
) -> anyhow::Result<(u64, Vec<f64>, u64)> {
    let http = reqwest::Client::new();
    let tick = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let mut ticker = tokio::time::interval(tick);
    let run = Instant::now();
    let mut n = 0u64;
    // batches are sent at the rate whatever the answers take, so two may be stored in the
    // other order: each batch has a commune of its own, in turn, so a figure is revised
    // only some 75 batches later, never by an older one (the server would refuse that)
    let communes = communes(&http, url, token).await?;
    let today = app::model::format::vietnam_date(OffsetDateTime::now_utc());
    let mut posts = Vec::new();
    while run.elapsed() < Duration::from_secs(seconds) {
        ticker.tick().await;
        n += 1;
        let now = OffsetDateTime::now_utc();
        let area = &communes[(n as usize) % communes.len()];
        let period = today.to_string();
        let observations = INDICATORS
            .iter()
            .cycle()
            .take(batch.min(INDICATORS.len()))
            .map(|(indicator, unit)| ObservationInput {
                indicator: (*indicator).into(),
                area: area.clone(),
                project: None,
                agency: None,
                period: period.clone(),
                value: Decimal::from(n % 100),
                unit: (*unit).into(),
                as_of: Some(now),
            })
            .collect();
        let (http, url, token) = (http.clone(), url.to_string(), token.to_string());
        let tally = tally.clone();
        posts.push(tokio::spawn(async move {
            let sent = Instant::now();
            let offset = post(
                &http,
                &url,
                &token,
                format!("load-{}-{n}", std::process::id()),
                observations,
            )
            .await;
            let micros = sent.elapsed().as_micros() as u64;
            tally.slowest_post_us.fetch_max(micros, Ordering::Relaxed);
            (offset, micros as f64 / 1000.0)
        }));
    }
    let mut head = 0;
    let mut answers = Vec::new();
    for p in posts {
        let (offset, ms) = p.await?;
        answers.push(ms);
        match offset {
            Ok(offset) => head = head.max(offset),
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok((head, answers, n))
}

#[allow(clippy::too_many_arguments)]
async fn fanout(
    url: &str,
    token: &str,
    viewer: &str,
    clients: usize,
    stalled: usize,
    rate: u32,
    batch: usize,
    seconds: u64,
    pid: Option<u32>,
) -> anyhow::Result<()> {
    let ws_urls = live_urls(url);
    let tally = Arc::new(Tally::for_clients(clients));
    let recording = Arc::new(AtomicBool::new(false));
    let tasks = open_clients(&ws_urls, viewer, clients, stalled, &tally, &recording).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = pid.map(rss_kib).transpose()?;

    recording.store(true, Ordering::Relaxed);
    let run = Instant::now();
    let run_started = OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9;
    // the agency's system posts from a thread and runtime of its own, as it would from a
    // machine of its own: its requests do not queue behind the tool's ten thousand screens
    let poster = {
        let (url, token, tally) = (url.to_string(), token.to_string(), tally.clone());
        std::thread::spawn(move || -> anyhow::Result<(u64, Vec<f64>, u64)> {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(send_batches(&url, &token, rate, batch, seconds, &tally))
        })
    };
    let (head, mut answers, n) = tokio::task::spawn_blocking(move || poster.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the posting thread panicked"))??;
    answers.sort_by(f64::total_cmp);
    let drained = drain(&tally, head, stalled..clients, Duration::from_secs(60)).await;
    recording.store(false, Ordering::Relaxed);
    let rss_loaded = pid.map(rss_kib).transpose()?;
    let elapsed = run.elapsed().as_secs_f64();
    let messages = tally.messages.load(Ordering::Relaxed);
    for t in &tasks {
        t.abort();
    }
    let samples = std::mem::take(&mut *tally.latencies_ms.lock().unwrap());
    // the worst moment: where a stall, if any, happened
    let worst = samples
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|&(sent, ms)| (sent - run_started, ms));
    let mut latencies: Vec<f64> = samples.into_iter().map(|(_, ms)| ms).collect();
    latencies.sort_by(f64::total_cmp);

    let watching = if viewer.starts_with("iocd_") {
        "wall screens, display token"
    } else {
        "agency viewers, agency token"
    };
    println!("--- fan-out: {clients} clients ({stalled} stalled; {watching}), {n} batches in {seconds} s ({rate}/s) ---");
    println!(
        "delivered messages/s     {:.0} ({messages} in {elapsed:.1} s, until every client had everything)",
        messages as f64 / elapsed
    );
    println!(
        "ingest→client latency    p50 {:.1} ms, p99 {:.1} ms ({} samples)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.len()
    );
    if let Some((at, ms)) = worst {
        println!(
            "slowest value            {ms:.1} ms, sent {at:.1} s into the run (p99.9 {:.1} ms)",
            percentile(&latencies, 0.999),
        );
    }
    println!(
        "ingest answer            p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms (part of the latency above)",
        percentile(&answers, 0.5),
        percentile(&answers, 0.99),
        tally.slowest_post_us.load(Ordering::Relaxed) as f64 / 1000.0
    );
    report_clients(&tally, clients - stalled, drained);
    if let (Some(idle), Some(loaded)) = (rss_idle, rss_loaded) {
        println!("server RSS               {idle} KiB with the clients connected, {loaded} KiB after the load (memory per client: the `memory` mode)");
    }
    Ok(())
}

/// Memory per idle live client: `clients` connect (each receives a full snapshot) and sit;
/// the server's RSS is read once it has settled with them and again once they left and it
/// settled, the same server in the same state otherwise — the difference is what they hold.
/// The server gives freed memory back every 30 s, so "settled" is after 32 s.
async fn memory(url: &str, viewer: &str, clients: usize, pid: u32) -> anyhow::Result<()> {
    let settled = Duration::from_secs(32);
    let ws_urls = live_urls(url);
    let tally = Arc::new(Tally::for_clients(clients));
    let recording = Arc::new(AtomicBool::new(false));
    println!("waiting {} s for the server to settle …", settled.as_secs());
    tokio::time::sleep(settled).await;
    let before = rss_kib(pid)?;
    let tasks = open_clients(&ws_urls, viewer, clients, 0, &tally, &recording).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let burst = rss_kib(pid)?;
    tokio::time::sleep(settled).await;
    let with = rss_kib(pid)?;
    let ended = tally.ended.load(Ordering::Relaxed);
    for t in &tasks {
        t.abort();
    }
    tokio::time::sleep(settled).await;
    let after = rss_kib(pid)?;
    let per = |a: u64, b: u64| a.saturating_sub(b) as f64 / clients as f64;
    println!(
        "--- memory: {clients} idle live clients, each has received a {} KiB snapshot ---",
        tally.first_frame_bytes.load(Ordering::Relaxed) / 1024
    );
    println!("server RSS               {before} KiB settled before; {burst} KiB just after they connected; {with} KiB settled with them; {after} KiB settled once they left");
    println!(
        "server RSS / idle client {:.1} KiB held (settled with them − settled once they left); {:.1} KiB at the connection burst",
        per(with, after),
        per(burst, before)
    );
    println!("clients closed or cut    {ended} (while they sat)");
    Ok(())
}

/// Single-observation requests from `concurrency` senders for `seconds`, with `watchers`
/// live clients connected meanwhile.
async fn small(
    url: &str,
    token: &str,
    concurrency: usize,
    seconds: u64,
    watchers: usize,
    viewer: &str,
) -> anyhow::Result<()> {
    let ws_urls = live_urls(url);
    let tally = Arc::new(Tally::for_clients(watchers));
    let recording = Arc::new(AtomicBool::new(false));
    let clients = if watchers > 0 {
        open_clients(&ws_urls, viewer, watchers, 0, &tally, &recording).await?
    } else {
        Vec::new()
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let times = Arc::new(Mutex::new(Vec::<f64>::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let first_day = time::macros::date!(1900 - 01 - 01);
    let run = std::process::id();
    let started = Instant::now();
    let senders: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, url, token) = (http.clone(), url.to_string(), token.to_string());
            let (next, answered, failed, times) = (
                next.clone(),
                answered.clone(),
                failed.clone(),
                times.clone(),
            );
            tokio::spawn(async move {
                let mut head = 0;
                let mut mine = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    // a distinct indicator and day each, from 1900 on: some 138,000 keys
                    let (indicator, unit) = INDICATORS[(n % 3) as usize];
                    let observation = ObservationInput {
                        indicator: indicator.into(),
                        area: "14".into(),
                        project: None,
                        agency: None,
                        period: (first_day + time::Duration::days((n / 3) as i64)).to_string(),
                        value: Decimal::from(n % 100),
                        unit: unit.into(),
                        as_of: None,
                    };
                    let sent = Instant::now();
                    match post(
                        &http,
                        &url,
                        &token,
                        format!("small-{run}-{n}"),
                        vec![observation],
                    )
                    .await
                    {
                        Ok(offset) => {
                            head = head.max(offset);
                            answered.fetch_add(1, Ordering::Relaxed);
                            mine.push(sent.elapsed().as_secs_f64() * 1000.0);
                        }
                        Err(e) => {
                            if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                                eprintln!("{e}");
                            }
                        }
                    }
                }
                times.lock().unwrap().append(&mut mine);
                head
            })
        })
        .collect();
    let mut head = 0;
    for s in senders {
        head = head.max(s.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = answered.load(Ordering::Relaxed);
    let mut times = std::mem::take(&mut *times.lock().unwrap());
    times.sort_by(f64::total_cmp);
    println!("--- small requests: one observation each, {concurrency} in flight, {seconds} s, {watchers} live clients watching ---");
    println!(
        "answered 201             {ok} in {elapsed:.1} s = {:.0} requests/s ({} failed)",
        ok as f64 / elapsed,
        failed.load(Ordering::Relaxed)
    );
    println!(
        "answer time              p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN)
    );
    if watchers > 0 {
        let drained = drain(&tally, head, 0..watchers, Duration::from_secs(60)).await;
        report_clients(&tally, watchers, drained);
        for c in &clients {
            c.abort();
        }
    }
    Ok(())
}

/// The codes of today's communes and wards, where the load's figures go.
async fn communes(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Vec<String>> {
    let areas: serde_json::Value = http
        .get(format!("{url}/api/v1/areas"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let codes: Vec<String> = areas["areas"]
        .as_array()
        .context("no areas")?
        .iter()
        .filter(|a| a["kind"] != "province")
        .filter_map(|a| a["code"].as_str().map(str::to_string))
        .collect();
    if codes.is_empty() {
        bail!("the province has no communes");
    }
    Ok(codes)
}

async fn ingest(
    urls: &[String],
    token: &str,
    batch: usize,
    batches: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let first_day = time::macros::date!(1900 - 01 - 01);
    let run = std::process::id();
    let make = |b: usize| -> Vec<ObservationInput> {
        (0..batch)
            .map(|i| {
                // every item of the run its own figure: batches posted at once to several
                // instances never race to revise the same one
                let g = b * batch + i;
                let (indicator, unit) = INDICATORS[g % INDICATORS.len()];
                ObservationInput {
                    indicator: indicator.into(),
                    area: "14".into(),
                    project: None,
                    agency: None,
                    period: (first_day + time::Duration::days((g / INDICATORS.len()) as i64))
                        .to_string(),
                    value: Decimal::from((b * 7 + i) % 100),
                    unit: unit.into(),
                    as_of: None,
                }
            })
            .collect()
    };
    // prepare the bodies first so only the server is timed
    let bodies: Vec<Vec<ObservationInput>> = (0..batches).map(make).collect();
    let started = Instant::now();
    let posts = bodies.into_iter().enumerate().map(|(b, observations)| {
        post(
            &http,
            &urls[b % urls.len()],
            token,
            format!("ingest-{run}-{b}"),
            observations,
        )
    });
    let results: Vec<anyhow::Result<u64>> = futures_util::stream::iter(posts)
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<Vec<u64>>>()?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "--- ingest: {batches} batches of {batch} observations, {concurrency} at a time, to {} instance(s) ---",
        urls.len()
    );
    println!(
        "stored                   {} observations in {elapsed:.2} s",
        batch * batches
    );
    println!(
        "throughput               {:.0} observations/s",
        (batch * batches) as f64 / elapsed
    );
    Ok(())
}

/// The websocket URLs of the live stream the clients connect to, in turn.
static LIVE_URLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

fn live_urls(url: &str) -> Vec<String> {
    let bases = LIVE_URLS
        .get()
        .filter(|l| !l.is_empty())
        .cloned()
        .unwrap_or_else(|| vec![url.to_string()]);
    bases
        .iter()
        .map(|b| format!("{}/api/v1/live", b.replacen("http", "ws", 1)))
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _ = LIVE_URLS.set(cli.live_url.clone());
    if cli.token.is_empty() {
        bail!(
            "pass --token (or IOC_TOKEN): a token of VPUB, from `ioc token create --agency VPUB`"
        );
    }
    match cli.command {
        Mode::Fanout {
            clients,
            stalled,
            rate,
            batch,
            seconds,
            server_pid,
            viewer,
        } => {
            let viewer = viewer.as_deref().unwrap_or(&cli.token);
            fanout(
                &cli.url, &cli.token, viewer, clients, stalled, rate, batch, seconds, server_pid,
            )
            .await
        }
        Mode::Ingest {
            batch,
            batches,
            concurrency,
        } => {
            let urls: Vec<String> = std::iter::once(cli.url.clone())
                .chain(cli.also_post_to.iter().cloned())
                .collect();
            ingest(&urls, &cli.token, batch, batches, concurrency).await
        }
        Mode::Memory {
            clients,
            server_pid,
            viewer,
        } => {
            let viewer = viewer.as_deref().unwrap_or(&cli.token);
            memory(&cli.url, viewer, clients, server_pid).await
        }
        Mode::Small {
            concurrency,
            seconds,
            watchers,
            viewer,
        } => {
            let viewer = viewer.as_deref().unwrap_or(&cli.token);
            small(&cli.url, &cli.token, concurrency, seconds, watchers, viewer).await
        }
    }
}
