//! Several `ioc serve` instances on one PostgreSQL database (issue #12), as real processes:
//! offsets contiguous and in commit order under concurrent ingest on two instances, the same
//! stream on both, a client resuming on the other instance, the background work failing
//! over, an instance killed with `kill -9` and PostgreSQL restarted mid-ingest — nothing
//! acknowledged lost, no screen with a gap.
//!
//! PostgreSQL only (several instances need it): each test says so and returns on the
//! SQLite run.

mod common;

use app::model::{LiveFrame, LiveValue};
use common::{Socket, TestDatabase};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const IOC: &str = env!("CARGO_BIN_EXE_ioc");

fn needs_postgres() -> bool {
    if !common::on_postgres() {
        eprintln!("skipped on SQLite: several instances serve one PostgreSQL database only");
        return true;
    }
    false
}

/// One `ioc serve` process.
struct Instance {
    child: Child,
    base: String,
    addr: String,
}

impl Instance {
    fn spawn(database_url: &str, extra: &[&str]) -> Instance {
        Instance::spawn_at(
            database_url,
            &format!("127.0.0.1:{}", common::free_port()),
            extra,
        )
    }

    fn spawn_at(database_url: &str, addr: &str, extra: &[&str]) -> Instance {
        let addr = addr.to_string();
        let child = Command::new(IOC)
            .args(["serve", "--addr", &addr, "--database-url", database_url])
            .args(["--heartbeat-secs", "1"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ioc serve");
        Instance {
            child,
            base: format!("http://{addr}"),
            addr,
        }
    }

    async fn health(&self, http: &reqwest::Client) -> Option<Value> {
        let response = http
            .get(format!("{}/api/v1/health", self.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .ok()?;
        response
            .status()
            .is_success()
            .then_some(response.json().await.ok()?)
    }

    async fn ready(&self, http: &reqwest::Client) {
        let started = Instant::now();
        while self.health(http).await.is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{} did not come up",
                self.base
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the stream's head here passes `offset` (figures keep coming).
    async fn grows_past(&self, http: &reqwest::Client, offset: u64) {
        let started = Instant::now();
        while self
            .health(http)
            .await
            .and_then(|h| h["offset"].as_u64())
            .is_none_or(|head| head <= offset)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "figures keep coming"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `kill -9`: no shutdown, no goodbye to anyone.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn connect(addr: &str, viewer: &str, since: Option<&str>) -> Result<Socket, String> {
    let url = match since {
        Some(s) => format!("ws://{addr}/api/v1/live?since={s}"),
        None => format!("ws://{addr}/api/v1/live"),
    };
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {viewer}").parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| e.to_string())
}

/// What a screen knows: where it is in the stream and the current value of each key, checked
/// frame by frame for gaps.
#[derive(Debug, Default, Clone)]
struct Screen {
    epoch: String,
    offset: u64,
    values: BTreeMap<(String, String), LiveValue>,
    frames: usize,
}

impl Screen {
    /// Applies a frame; panics on a gap or a change of epoch mid-connection.
    fn apply(&mut self, frame: LiveFrame) {
        match frame {
            LiveFrame::Snapshot {
                epoch,
                offset,
                values,
                ..
            } => {
                self.epoch = epoch;
                self.offset = offset;
                self.values = values
                    .into_iter()
                    .map(|v| ((v.indicator.clone(), v.area.clone()), v))
                    .collect();
            }
            LiveFrame::Delta {
                epoch,
                from,
                to,
                values,
            } => {
                assert_eq!(epoch, self.epoch, "one epoch on every instance");
                assert_eq!(
                    from, self.offset,
                    "a delta follows on from where the screen is"
                );
                assert!(to >= from, "an empty catch-up at most");
                self.offset = to;
                for v in values {
                    self.values.insert((v.indicator.clone(), v.area.clone()), v);
                }
            }
            LiveFrame::Heartbeat { epoch, offset, .. } => {
                assert_eq!(epoch, self.epoch);
                assert!(offset >= self.offset || self.offset == 0);
            }
            LiveFrame::Tasks { epoch, .. }
            | LiveFrame::Alerts { epoch, .. }
            | LiveFrame::Explanations { epoch, .. } => {
                assert_eq!(epoch, self.epoch)
            }
        }
        self.frames += 1;
    }

    fn position(&self) -> String {
        format!("{}:{}", self.epoch, self.offset)
    }
}

/// Reads frames into `screen` until it reaches `offset` (or panics after `within`).
async fn read_until(ws: &mut Socket, screen: &mut Screen, offset: u64, within: Duration) {
    let deadline = Instant::now() + within;
    while screen.offset < offset {
        let left = deadline.saturating_duration_since(Instant::now());
        let frame = common::next_frame(ws, left.max(Duration::from_millis(1))).await;
        screen.apply(frame);
    }
}

/// Reads frames into `screen` until the connection ends; returns the close code, if any.
async fn read_to_end(ws: &mut Socket, screen: &mut Screen) -> Option<u16> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "the connection did not end within 30 s"
        );
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                screen.apply(serde_json::from_str(&text).expect("a valid frame"))
            }
            Ok(Some(Ok(Message::Ping(data)))) => {
                let _ = ws.send(Message::Pong(data)).await;
            }
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_))) | Ok(None) => return None,
            Err(_) => panic!("the connection neither ended nor sent anything for 20 s"),
        }
    }
}

/// Days in the window `rate` picks its periods from.
const WINDOW_DAYS: i64 = 400;

/// `services.online.rate` of a commune for day `n` of the window that ends yesterday (UTC,
/// so never in the future for Vietnam either; the window starts after the 2025 reform).
/// Past the window's end it starts again: later figures revise earlier days' figures.
fn rate(area: &str, n: i64, value: f64) -> Value {
    let first = time::OffsetDateTime::now_utc().date() - time::Duration::days(WINDOW_DAYS);
    let period = first + time::Duration::days(n % WINDOW_DAYS);
    json!({"indicator": "services.online.rate", "area": area, "period": period.to_string(), "value": value, "unit": "percent"})
}

const COMMUNES: [&str; 5] = ["03646", "03664", "03670", "03679", "03688"];

async fn post(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    key: &str,
    items: &[Value],
) -> Result<(u16, Value, Option<String>), reqwest::Error> {
    let response = http
        .post(format!("{base}/api/v1/observations"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({ "observations": items }))
        .timeout(Duration::from_secs(30))
        .send()
        .await?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    Ok((
        status,
        response.json().await.unwrap_or(Value::Null),
        retry_after,
    ))
}

fn offsets_of(receipt: &Value) -> Vec<u64> {
    receipt["items"]
        .as_array()
        .expect("a receipt")
        .iter()
        .map(|i| i["offset"].as_u64().unwrap())
        .collect()
}

/// The database the instances serve, migrated, with a viewer's display and a VPUB token.
struct Setup {
    database: TestDatabase,
    db: app::store::Db,
    viewer: String,
    token: String,
}

async fn setup() -> Setup {
    let database = TestDatabase::new().await;
    let (db, viewer, token) = prepared(&database.url).await;
    Setup {
        database,
        db,
        viewer,
        token,
    }
}

/// Migrates the database at `url` (with the province data) and makes a wall screen's
/// display token and a VPUB token, as the command line would: (pool, viewer, token).
async fn prepared(url: &str) -> (app::store::Db, String, String) {
    let (db, _) = server::prepare(&server::config::DatabaseArgs {
        database_url: url.to_string(),
        province_dir: None,
    })
    .await
    .expect("a migrated database");
    let now = time::OffsetDateTime::now_utc();
    let mut conn = db.acquire().await.unwrap();
    let viewer = app::store::displays::create(&mut conn, "wall", now)
        .await
        .unwrap()
        .1;
    let token = app::store::tokens::create(&mut conn, "VPUB", "test", now)
        .await
        .unwrap()
        .1;
    drop(conn);
    (db, viewer, token)
}

/// A person with `role`, as an administrator makes one.
async fn create_person(
    db: &app::store::Db,
    username: &str,
    role: app::model::account::Role,
    password: &str,
) {
    let catalogue = server::province::load(&server::province::demo()).unwrap();
    server::auth::admin::create_user(
        db,
        &catalogue,
        &server::auth::admin::Actor::command_line(),
        server::auth::admin::NewUser {
            username: username.into(),
            display_name: format!("Người dùng {username}"),
            role,
            agency: None,
            password: password.into(),
        },
    )
    .await
    .expect("a person created");
}

/// Signs in through the form at `base`; the session cookie (`name=value`).
async fn sign_in(base: &str, username: &str, password: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(format!("{base}/login"))
        .header("Origin", base)
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303, "signed in");
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Who `cookie` is at `base`, as `GET /api/v1/session` says (status and answer).
async fn session_at(base: &str, cookie: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .get(format!("{base}/api/v1/session"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json().await.unwrap_or(Value::Null),
    )
}

/// Whether the tests run as root (PostgreSQL then runs as its own user; nginx as root).
fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// The event log's ids: 1..=n with no hole.
async fn assert_log_contiguous(db: &app::store::Db) -> u64 {
    let (count, max): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(id) FROM stream_events")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(Some(count), max.or(Some(0)), "event ids 1..=n, no hole");
    count as u64
}

/// Two instances started at once on one database; ingest on both from eight clients at
/// once: the offsets handed out are 1..=n, each once; a screen on each instance sees every
/// offset in order, with no gap, and ends with the same values, which are the database's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_are_contiguous_and_in_commit_order_across_two_instances() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let a = Instance::spawn(&s.database.url, &["--no-demo"]);
    let b = Instance::spawn(&s.database.url, &["--no-demo"]);
    a.ready(&http).await;
    b.ready(&http).await;
    let mut screens = Vec::new();
    for instance in [&a, &b] {
        let mut ws = connect(&instance.addr, &s.viewer, None).await.unwrap();
        let mut screen = Screen::default();
        screen.apply(common::next_data_frame(&mut ws, Duration::from_secs(5)).await);
        screens.push((ws, screen));
    }
    assert_eq!(screens[0].1.epoch, screens[1].1.epoch, "one epoch");

    const CLIENTS: usize = 8;
    const BATCHES: usize = 25;
    const ITEMS: usize = 4;
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (http, token) = (http.clone(), s.token.clone());
        let bases = [a.base.clone(), b.base.clone()];
        tasks.push(tokio::spawn(async move {
            let mut offsets = Vec::new();
            for n in 0..BATCHES {
                let items: Vec<Value> = (0..ITEMS)
                    .map(|i| {
                        let day = (client * BATCHES + n) as i64;
                        rate(COMMUNES[i], day, (day % 100) as f64)
                    })
                    .collect();
                let base = &bases[(client + n) % 2];
                let (status, receipt, _) =
                    post(&http, base, &token, &format!("c{client}-{n}"), &items)
                        .await
                        .unwrap();
                assert_eq!(status, 201, "{receipt}");
                let batch = offsets_of(&receipt);
                assert!(
                    batch.windows(2).all(|w| w[1] == w[0] + 1),
                    "a batch's offsets are consecutive: {batch:?}"
                );
                offsets.extend(batch);
            }
            offsets
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    acknowledged.sort_unstable();
    let total = (CLIENTS * BATCHES * ITEMS) as u64;
    assert_eq!(
        acknowledged,
        (1..=total).collect::<Vec<_>>(),
        "every offset handed out once, none skipped"
    );
    assert_eq!(assert_log_contiguous(&s.db).await, total);

    let current = app::store::observations::current_values(&s.db, u64::MAX)
        .await
        .unwrap();
    for (ws, screen) in &mut screens {
        read_until(ws, screen, total, Duration::from_secs(10)).await;
        assert_eq!(screen.offset, total);
        for v in &current {
            let seen = &screen.values[&(v.indicator.clone(), v.area.clone())];
            assert_eq!(
                (seen.offset, seen.value, seen.period),
                (v.offset, v.value, v.period),
                "each screen ends with the database's current values"
            );
        }
    }
    assert_eq!(
        screens[0].1.values, screens[1].1.values,
        "the same stream on both instances"
    );
    // both healthy at the same head
    for instance in [&a, &b] {
        let health = instance.health(&http).await.unwrap();
        assert_eq!(health["offset"], total);
    }
}

/// A screen that leaves instance A and comes back on instance B with `since=` gets exactly
/// what it missed, as one catch-up, whichever instance the figures were posted to; a person
/// signed in through A is signed in on B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resumes_on_the_other_instance_with_exactly_what_it_missed() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let a = Instance::spawn(&s.database.url, &["--no-demo"]);
    let b = Instance::spawn(&s.database.url, &["--no-demo"]);
    a.ready(&http).await;
    b.ready(&http).await;
    // every commune has a figure
    let first: Vec<Value> = COMMUNES.iter().map(|c| rate(c, 0, 10.0)).collect();
    let (status, receipt, _) = post(&http, &a.base, &s.token, "first", &first)
        .await
        .unwrap();
    assert_eq!(status, 201, "{receipt}");
    let mut ws = connect(&a.addr, &s.viewer, None).await.unwrap();
    let mut screen = Screen::default();
    read_until(&mut ws, &mut screen, 5, Duration::from_secs(5)).await;
    assert_eq!(screen.values.len(), 5);
    let left_at = screen.position();
    drop(ws);

    // missed: two communes revised on A, one on B
    for (key, base, item) in [
        ("m1", &a.base, rate(COMMUNES[1], 1, 61.5)),
        ("m2", &b.base, rate(COMMUNES[3], 1, 73.25)),
        ("m3", &a.base, rate(COMMUNES[1], 2, 62.0)),
    ] {
        let (status, receipt, _) = post(&http, base, &s.token, key, &[item]).await.unwrap();
        assert_eq!(status, 201, "{receipt}");
    }
    let mut ws = connect(&b.addr, &s.viewer, Some(&left_at)).await.unwrap();
    // (a person signed in through A is signed in on B: sessions live in the database)
    let password = "mật-khẩu-trực-ban-1";
    create_person(
        &s.db,
        "truc.ban",
        app::model::account::Role::Operator,
        password,
    )
    .await;
    let cookie = sign_in(&a.base, "truc.ban", password).await;
    let (_, on_b) = session_at(&b.base, &cookie).await;
    assert_eq!(on_b["role"], "operator", "signed in on B too: {on_b}");
    match common::next_data_frame(&mut ws, Duration::from_secs(5)).await {
        LiveFrame::Delta {
            epoch,
            from,
            to,
            values,
        } => {
            assert_eq!(epoch, screen.epoch);
            assert_eq!((from, to), (5, 8), "a catch-up from where it left");
            let mut got: Vec<(String, String, u64)> = values
                .iter()
                .map(|v| (v.area.clone(), v.value.to_string(), v.offset))
                .collect();
            got.sort();
            assert_eq!(
                got,
                vec![
                    (COMMUNES[1].to_string(), "62".to_string(), 8),
                    (COMMUNES[3].to_string(), "73.25".to_string(), 7),
                ],
                "exactly the keys it missed, at their latest"
            );
        }
        other => panic!("a catch-up, not {other:?}"),
    }
}

/// The demo feed (the background work's visible part) runs on one instance; `kill -9` of
/// that instance hands it to the other within seconds, and figures keep coming.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_work_fails_over_when_its_instance_dies() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let demo = ["--demo-history-days", "1", "--demo-interval-ms", "200"];
    let mut instances = vec![
        Instance::spawn(&s.database.url, &demo),
        Instance::spawn(&s.database.url, &demo),
    ];
    for i in &instances {
        i.ready(&http).await;
    }
    let leaders = |healths: &[Value]| -> Vec<usize> {
        healths
            .iter()
            .enumerate()
            .filter(|(_, h)| h["leader"] == true)
            .map(|(i, _)| i)
            .collect()
    };
    // one leader, settled
    let started = Instant::now();
    let leader = loop {
        let mut healths = Vec::new();
        for i in &instances {
            healths.push(i.health(&http).await.unwrap());
        }
        let found = leaders(&healths);
        assert!(found.len() <= 1, "never two leaders: {healths:?}");
        if found.len() == 1 {
            break found[0];
        }
        assert!(started.elapsed() < Duration::from_secs(10), "a leader");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let survivor = 1 - leader;
    // the feed posts through the leader; both see it
    let head = |h: Value| h["offset"].as_u64().unwrap();
    let before = head(instances[survivor].health(&http).await.unwrap());
    instances[survivor].grows_past(&http, before).await;

    instances[leader].kill();
    let killed_at = Instant::now();
    loop {
        let health = instances[survivor].health(&http).await.unwrap();
        if health["leader"] == true {
            break;
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(10),
            "the survivor takes over within seconds"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took_over = killed_at.elapsed();
    let now = head(instances[survivor].health(&http).await.unwrap());
    instances[survivor].grows_past(&http, now).await;
    eprintln!("the survivor took over {took_over:?} after the kill");
    assert_log_contiguous(&s.db).await;
}

/// Ingest keeps answering through the survivor, and nothing answered is lost: clients on
/// both instances, a writer posting to both, `kill -9` of one. The killed instance's screen
/// resumes on the other with `since=` and no gap; every acknowledged item is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_one_of_two_instances_loses_nothing_acknowledged_and_leaves_no_gap() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let mut a = Instance::spawn(&s.database.url, &["--no-demo"]);
    let b = Instance::spawn(&s.database.url, &["--no-demo"]);
    a.ready(&http).await;
    b.ready(&http).await;

    let mut on_a = connect(&a.addr, &s.viewer, None).await.unwrap();
    let mut on_b = connect(&b.addr, &s.viewer, None).await.unwrap();
    let mut screen_a = Screen::default();
    let mut screen_b = Screen::default();
    screen_a.apply(common::next_data_frame(&mut on_a, Duration::from_secs(5)).await);
    screen_b.apply(common::next_data_frame(&mut on_b, Duration::from_secs(5)).await);

    // a writer posting to A and B in turn, retrying on the other with the same key when one
    // does not answer; records what was acknowledged
    let acknowledged: Arc<Mutex<BTreeMap<String, Vec<u64>>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (http, token, acknowledged, stop) = (
            http.clone(),
            s.token.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        let bases = [a.base.clone(), b.base.clone()];
        tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let key = format!("w{n}");
                let items: Vec<Value> = (0..3)
                    .map(|i| rate(COMMUNES[i], n as i64, (n % 100) as f64))
                    .collect();
                let mut target = n % 2;
                loop {
                    match post(&http, &bases[target], &token, &key, &items).await {
                        Ok((201, receipt, _)) => {
                            acknowledged
                                .lock()
                                .unwrap()
                                .insert(key.clone(), offsets_of(&receipt));
                            break;
                        }
                        Ok((status, body, _)) if status >= 500 => {
                            eprintln!("{status} {body}: retrying elsewhere");
                            target = 1 - target;
                        }
                        Ok((status, body, _)) => panic!("{status}: {body}"),
                        Err(_) => target = 1 - target,
                    }
                }
                n += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.kill();
    // A's screen is cut off without a close frame; it comes back on B from where it was
    let code = read_to_end(&mut on_a, &mut screen_a).await;
    assert_eq!(code, None, "a killed server says nothing");
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 10,
        "ingest went on: {}",
        acknowledged.len()
    );
    let head = assert_log_contiguous(&s.db).await;
    let mut resumed = connect(&b.addr, &s.viewer, Some(&screen_a.position()))
        .await
        .unwrap();
    match common::next_data_frame(&mut resumed, Duration::from_secs(5)).await {
        frame @ LiveFrame::Delta { .. } => screen_a.apply(frame),
        other => panic!("a catch-up from where the screen was, not {other:?}"),
    }
    read_until(&mut resumed, &mut screen_a, head, Duration::from_secs(5)).await;
    read_until(&mut on_b, &mut screen_b, head, Duration::from_secs(5)).await;
    assert_eq!(screen_a.values, screen_b.values, "the same values, no gap");

    // every acknowledged item stored, each once, where its receipt said
    let stored: BTreeSet<u64> = sqlx::query_scalar::<_, i64>("SELECT id FROM observations")
        .fetch_all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|id| id as u64)
        .collect();
    let mut answered = BTreeSet::new();
    for offsets in acknowledged.values() {
        for o in offsets {
            assert!(stored.contains(o), "acknowledged offset {o} is stored");
            assert!(answered.insert(*o), "offset {o} answered twice");
        }
    }
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_records")
        .fetch_one(&s.db)
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        (keys as usize) * 3,
        "each stored batch once (a retried key is not stored twice)"
    );
}

/// A PostgreSQL server of the test's own (in a temporary directory, on a free port), so it
/// can be stopped and started again without touching anyone else's.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Starts one; `None` (and says why) where the machine cannot run one for us.
    fn start() -> Option<PrivatePostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .find(|bin| bin.join("initdb").exists());
        let Some(bin) = bin else {
            eprintln!("skipped: no PostgreSQL server binaries under /usr/lib/postgresql");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        // PostgreSQL refuses to run as root: as the postgres user, when we are root
        let as_root = running_as_root();
        if as_root {
            let chowned = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&data)
                .status()
                .is_ok_and(|s| s.success());
            assert!(chowned, "chown the data directory to postgres");
        }
        let pg = PrivatePostgres {
            dir,
            bin,
            port: common::free_port(),
        };
        let initdb = pg
            .command("initdb", as_root)
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .output()
            .unwrap();
        assert!(
            initdb.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        pg.ctl("start");
        Some(pg)
    }

    fn command(&self, program: &str, as_root: bool) -> Command {
        let path = self.bin.join(program);
        if as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn ctl(&self, action: &str) {
        let as_root = running_as_root();
        let data = self.dir.path().join("data");
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            data.display()
        );
        let mut command = self.command("pg_ctl", as_root);
        command
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-w", "-t", "30", "-m", "fast"])
            .arg("-l")
            .arg(data.join("log"))
            .arg(action);
        let out = command.output().unwrap();
        assert!(
            out.status.success() || action == "stop",
            "pg_ctl {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.ctl("stop");
    }
}

/// PostgreSQL restarted mid-ingest: while it is down, ingest answers 503 with Retry-After
/// (never 2xx for anything not committed) and the screens are sent away to reconnect; when
/// it is back, the server recovers by itself — ingest is answered again, screens resume
/// from where they were with no gap — and every acknowledged item is stored, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_ingest_loses_nothing_and_the_server_recovers() {
    if needs_postgres() {
        return;
    }
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&pg.url("postgres"))
            .await
            .unwrap();
        admin.execute("CREATE DATABASE ioc").await.unwrap();
    }
    let url = pg.url("ioc");
    let (db, viewer, token) = prepared(&url).await;
    db.close().await;
    let http = reqwest::Client::new();
    let instance = Instance::spawn(&url, &["--no-demo"]);
    instance.ready(&http).await;
    let mut ws = connect(&instance.addr, &viewer, None).await.unwrap();
    let mut screen = Screen::default();
    screen.apply(common::next_data_frame(&mut ws, Duration::from_secs(5)).await);

    // a writer that retries each batch (same key) until it is acknowledged
    #[derive(Default)]
    struct Seen {
        acknowledged: BTreeMap<String, Vec<u64>>,
        unavailable: usize,
        unavailable_without_retry_after: usize,
        other: Vec<(u16, Value)>,
        acknowledged_after_restart: usize,
    }
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let restarted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (http, base, token) = (http.clone(), instance.base.clone(), token.clone());
        let (seen, restarted, stop) = (seen.clone(), restarted.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let key = format!("r{n}");
                let items: Vec<Value> = (0..3)
                    .map(|i| rate(COMMUNES[i], n as i64, (n % 100) as f64))
                    .collect();
                loop {
                    let answer = post(&http, &base, &token, &key, &items).await;
                    let acknowledged = {
                        let mut seen = seen.lock().unwrap();
                        record(&mut seen, &key, answer, &restarted)
                    };
                    if acknowledged {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                n += 1;
            }
        })
    };
    fn record(
        seen: &mut Seen,
        key: &str,
        answer: Result<(u16, Value, Option<String>), reqwest::Error>,
        restarted: &std::sync::atomic::AtomicBool,
    ) -> bool {
        match answer {
            Ok((201, receipt, _)) => {
                seen.acknowledged
                    .insert(key.to_string(), offsets_of(&receipt));
                if restarted.load(std::sync::atomic::Ordering::Relaxed) {
                    seen.acknowledged_after_restart += 1;
                }
                return true;
            }
            Ok((503, _, retry_after)) => {
                seen.unavailable += 1;
                if retry_after.is_none() {
                    seen.unavailable_without_retry_after += 1;
                }
            }
            Ok((status, body, _)) => seen.other.push((status, body)),
            Err(e) => seen.other.push((0, json!(e.to_string()))),
        }
        false
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    pg.ctl("stop");
    // the screen is sent away ("try again") rather than shown a stream that stopped moving
    let code = read_to_end(&mut ws, &mut screen).await;
    assert_eq!(code, Some(app::model::live::CLOSE_TRY_AGAIN));
    assert!(
        instance.health(&http).await.is_none(),
        "health says the database is unavailable"
    );
    let refused = connect(&instance.addr, &viewer, Some(&screen.position()))
        .await
        .err()
        .unwrap_or_default();
    assert!(
        refused.contains("503"),
        "a new screen is refused with 503: {refused}"
    );
    // down for longer than a request waits for a connection (5 s)
    tokio::time::sleep(Duration::from_secs(8)).await;
    pg.ctl("start");
    restarted.store(true, std::sync::atomic::Ordering::Relaxed);
    // the screen comes back by itself once the server takes it again, from where it was
    let started = Instant::now();
    let mut ws = loop {
        if let Ok(ws) = connect(&instance.addr, &viewer, Some(&screen.position())).await {
            break ws;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server takes screens again"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let started = Instant::now();
    while seen.lock().unwrap().acknowledged_after_restart < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ingest is answered again without a restart of the server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.unavailable > 0, "503 while the database was down");
    assert_eq!(
        seen.unavailable_without_retry_after, 0,
        "each 503 says when to retry"
    );
    assert!(seen.other.is_empty(), "only 201 or 503: {:?}", seen.other);
    let db = server::db::open(&url).await.unwrap();
    let head = assert_log_contiguous(&db).await;
    read_until(&mut ws, &mut screen, head, Duration::from_secs(10)).await;
    let current = app::store::observations::current_values(&db, u64::MAX)
        .await
        .unwrap();
    for v in &current {
        let shown = &screen.values[&(v.indicator.clone(), v.area.clone())];
        assert_eq!((shown.offset, shown.value), (v.offset, v.value));
    }
    let stored: BTreeSet<u64> = sqlx::query_scalar::<_, i64>("SELECT id FROM observations")
        .fetch_all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|id| id as u64)
        .collect();
    for offsets in seen.acknowledged.values() {
        for o in offsets {
            assert!(stored.contains(o), "acknowledged offset {o} is stored");
        }
    }
    assert_eq!(
        stored.len(),
        seen.acknowledged.len() * 3,
        "each acknowledged batch stored once, nothing else"
    );
    db.close().await;
    drop(instance);
}

/// `ioc migrate --from sqlite://… --to postgres://…`: a SQLite database that served real
/// traffic (figures, an account signed in, a display, tokens, the audit trail) is copied
/// into an empty PostgreSQL database, checked table by table; a second copy into it is
/// refused. Served from PostgreSQL, it is the same stream — same epoch, same offsets (a
/// screen resumes without a snapshot) — the person is still signed in, the agency's token
/// still works and continues the offsets, and new accounts and displays get fresh ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_moves_to_postgres_with_everything_it_holds() {
    if needs_postgres() {
        return;
    }
    let http = reqwest::Client::new();
    // the SQLite side, served for real
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("ioc.sqlite").display());
    let (sqlite, viewer, token) = prepared(&sqlite_url).await;
    let password = "mật-khẩu-đủ-dài-1";
    create_person(
        &sqlite,
        "lanhdao",
        app::model::account::Role::Leader,
        password,
    )
    .await;
    sqlite.close().await;
    let on_sqlite = Instance::spawn(&sqlite_url, &["--no-demo"]);
    on_sqlite.ready(&http).await;
    for n in 0..6 {
        let items: Vec<Value> = COMMUNES
            .iter()
            .map(|c| rate(c, n, 20.0 + n as f64 + 0.125))
            .collect();
        let (status, body, _) = post(&http, &on_sqlite.base, &token, &format!("s{n}"), &items)
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
    }
    let cookie = sign_in(&on_sqlite.base, "lanhdao", password).await;
    // the rates are below the critical level: the alert engine raises one per commune (and
    // says the treasury's daily figures are missing)
    let (mut alerts, mut below) = (0, 0);
    for _ in 0..100 {
        let listed: Value = http
            .get(format!("{}/api/v1/alerts", on_sqlite.base))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let listed = listed["alerts"].as_array().cloned().unwrap_or_default();
        alerts = listed.len();
        below = listed
            .iter()
            .filter(|a| a["rule"] == "threshold.commune")
            .count();
        if below == COMMUNES.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        below,
        COMMUNES.len(),
        "an alert per commune below the level"
    );
    let before = on_sqlite.health(&http).await.unwrap();
    drop(on_sqlite);

    let target = TestDatabase::new().await;
    let copy = |to: &str| {
        Command::new(IOC)
            .args(["migrate", "--from", &sqlite_url, "--to", to])
            .output()
            .unwrap()
    };
    let copied = copy(&target.url);
    let said = String::from_utf8_lossy(&copied.stderr).to_string();
    assert!(copied.status.success(), "{said}");
    let listing = String::from_utf8_lossy(&copied.stdout).to_string();
    for (table, rows) in [
        ("observations", 30),
        ("stream_events", 30),
        ("users", 1),
        ("alerts", alerts),
        ("tasks", 0),
    ] {
        let line = listing
            .lines()
            .find(|l| l.starts_with(&format!("{table} ")))
            .unwrap_or_else(|| panic!("{table} in {listing}"));
        assert!(line.contains(&format!(" {rows} rows")), "{line}");
        assert!(line.contains("sha256 "), "{line}");
    }
    assert!(
        said.contains(&format!("offset {}", before["offset"])),
        "{said}"
    );
    let again = copy(&target.url);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds data"),
        "a second copy into the same database is refused"
    );

    let on_postgres = Instance::spawn(&target.url, &["--no-demo"]);
    on_postgres.ready(&http).await;
    let after = on_postgres.health(&http).await.unwrap();
    assert_eq!(
        (&after["epoch"], &after["offset"]),
        (&before["epoch"], &before["offset"]),
        "the same stream"
    );
    let head = after["offset"].as_u64().unwrap();
    let position = format!("{}:{head}", after["epoch"].as_str().unwrap());
    let mut ws = connect(&on_postgres.addr, &viewer, Some(&position))
        .await
        .expect("the display token works on PostgreSQL");
    match common::next_data_frame(&mut ws, Duration::from_secs(5)).await {
        LiveFrame::Delta {
            from, to, values, ..
        } => {
            assert_eq!((from, to), (head, head));
            assert!(values.is_empty(), "nothing missed, no snapshot needed");
        }
        other => panic!("a resume, not {other:?}"),
    }
    let (status, who) = session_at(&on_postgres.base, &cookie).await;
    assert_eq!(status, 200, "still signed in");
    assert_eq!(
        (&who["name"], &who["role"]),
        (&json!("lanhdao"), &json!("leader"))
    );
    let (status, receipt, _) = post(
        &http,
        &on_postgres.base,
        &token,
        "after",
        &[rate(COMMUNES[0], 9, 1.0)],
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(offsets_of(&receipt), vec![head + 1], "the offsets go on");
    let (status, replay, _) = post(
        &http,
        &on_postgres.base,
        &token,
        "s5",
        &COMMUNES
            .iter()
            .map(|c| rate(c, 5, 25.125))
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    assert_eq!(
        status, 201,
        "a retry of a batch stored on SQLite is answered from its record"
    );
    assert_eq!(offsets_of(&replay), (26..=30).collect::<Vec<_>>());
    // new rows in identity tables do not collide with copied ones
    let db = server::db::open(&target.url).await.unwrap();
    let (display, _) = app::store::displays::create(
        &mut db.acquire().await.unwrap(),
        "wall 2",
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    assert!(display.id > 1);
    let audited: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        audited.iter().filter(|a| *a == "data_submitted").count() >= 7,
        "the audit trail came along and goes on: {audited:?}"
    );
    db.close().await;
}

/// nginx in front of the instances, with the locations of `deploy/nginx/ioc-locations.conf`.
struct Proxy {
    child: Child,
    base: String,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Proxy {
    /// `None` (and says why) where nginx is not installed (`.ci/tools --proxy` installs it).
    fn start(upstreams: &[&str]) -> Option<Proxy> {
        let nginx = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(nginx) = nginx else {
            eprintln!("skipped: no nginx (`.ci/tools --proxy` installs Debian's)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let port = common::free_port();
        let locations = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy/nginx/ioc-locations.conf")
            .canonicalize()
            .unwrap();
        let servers: String = upstreams
            .iter()
            .map(|u| format!("server {u} max_fails=1 fail_timeout=2s; "))
            .collect();
        let d = dir.path().display();
        let as_root = running_as_root();
        let config = format!(
            "{user}daemon off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log warn;
             events {{ worker_connections 4096; }}
             http {{
               access_log off;
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
               upstream ioc {{ {servers} }}
               server {{ listen 127.0.0.1:{port}; include {locations}; }}
             }}",
            user = if as_root { "user root; " } else { "" },
            locations = locations.display()
        );
        std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let addr = format!("127.0.0.1:{port}");
        Some(Proxy {
            child,
            base: format!("http://{addr}"),
            addr,
            _dir: dir,
        })
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master takes its workers with it (killed, it would leave
        // them holding the port)
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A screen behind the proxy that reconnects through it with `since=` whenever its
/// connection ends, checking every frame for a gap, until told to stop at `until`.
async fn watch_through(
    addr: String,
    viewer: String,
    until: Arc<std::sync::atomic::AtomicU64>,
) -> (Screen, usize) {
    let mut screen = Screen::default();
    let mut reconnects = 0;
    let mut ws = connect(&addr, &viewer, None).await.unwrap();
    screen.apply(common::next_data_frame(&mut ws, Duration::from_secs(5)).await);
    loop {
        let target = until.load(std::sync::atomic::Ordering::SeqCst);
        if target > 0 && screen.offset >= target {
            return (screen, reconnects);
        }
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                screen.apply(serde_json::from_str(&text).expect("a valid frame"))
            }
            Ok(Some(Ok(Message::Ping(data)))) => {
                let _ = ws.send(Message::Pong(data)).await;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) | Err(_) => {
                // cut off (its instance died) or silent: back through the proxy, from here
                reconnects += 1;
                let started = Instant::now();
                ws = loop {
                    if let Ok(ws) = connect(&addr, &viewer, Some(&screen.position())).await {
                        break ws;
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(20),
                        "back within 20 s"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                };
            }
        }
    }
}

/// Two instances behind nginx with the README's configuration, no sticky sessions: screens
/// and an agency's system talk only to the proxy. One instance is killed with `kill -9`,
/// started again, then the other is killed. Every batch the system sent is answered `201`
/// (the proxy retries on the live instance; the key makes a repeat harmless), every one is
/// stored once, and every screen — wherever the proxy put it — ends with the database's
/// values, having checked each frame for a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_serve_one_gap_free_stream_through_the_loss_of_either() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let trusted = ["--no-demo", "--trusted-proxy", "127.0.0.1"];
    let mut a = Instance::spawn(&s.database.url, &trusted);
    let mut b = Instance::spawn(&s.database.url, &trusted);
    a.ready(&http).await;
    b.ready(&http).await;
    let Some(proxy) = Proxy::start(&[&a.addr, &b.addr]) else {
        return;
    };
    let started = Instant::now();
    while http
        .get(format!("{}/api/v1/health", proxy.base))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        assert!(started.elapsed() < Duration::from_secs(10), "nginx answers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let until = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let screens: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(watch_through(
                proxy.addr.clone(),
                s.viewer.clone(),
                until.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (http, base, token, stop) = (
            http.clone(),
            proxy.base.clone(),
            s.token.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut answers = BTreeMap::new();
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let items: Vec<Value> = (0..3)
                    .map(|i| rate(COMMUNES[i], n as i64, (n % 100) as f64))
                    .collect();
                let key = format!("p{n}");
                let (status, body, _) = post(&http, &base, &token, &key, &items).await.unwrap();
                answers.insert(key, (status, body));
                n += 1;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // A comes back on its address; then B goes
    let port = a.addr.clone();
    a = Instance::spawn_at(&s.database.url, &port, &trusted);
    a.ready(&http).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    b.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answers = writer.await.unwrap();

    let refused: Vec<_> = answers
        .iter()
        .filter(|(_, (status, _))| *status != 201)
        .collect();
    assert!(
        refused.is_empty(),
        "every batch answered 201; {} were not, the first: {:?}",
        refused.len(),
        refused.first()
    );
    assert!(answers.len() > 20, "ingest went on: {}", answers.len());
    let head = assert_log_contiguous(&s.db).await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations")
        .fetch_one(&s.db)
        .await
        .unwrap();
    assert_eq!(stored as usize, answers.len() * 3, "each batch stored once");
    for (_, receipt) in answers.values() {
        for o in offsets_of(receipt) {
            assert!(o <= head);
        }
    }
    until.store(head, std::sync::atomic::Ordering::SeqCst);
    let current = app::store::observations::current_values(&s.db, u64::MAX)
        .await
        .unwrap();
    let mut reconnected = 0;
    for screen in screens {
        let (screen, reconnects) = tokio::time::timeout(Duration::from_secs(30), screen)
            .await
            .expect("every screen reaches the head")
            .unwrap();
        reconnected += reconnects;
        for v in &current {
            let shown = &screen.values[&(v.indicator.clone(), v.area.clone())];
            assert_eq!((shown.offset, shown.value), (v.offset, v.value));
        }
    }
    assert!(
        reconnected >= 2,
        "screens were cut off and came back: {reconnected}"
    );
    drop(b);
}

/// One notification per committed group, not per row: its payload is the log's new head.
/// (Three batches of four figures, each its own group: three notifications, 4, 8, 12.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_committed_batch_sends_one_notification_with_the_new_head() {
    if needs_postgres() {
        return;
    }
    let s = setup().await;
    let http = reqwest::Client::new();
    let a = Instance::spawn(&s.database.url, &["--no-demo"]);
    a.ready(&http).await;
    let mut listener = sqlx::postgres::PgListener::connect(&s.database.url)
        .await
        .unwrap();
    listener
        .listen(app::store::observations::STREAM_CHANNEL)
        .await
        .unwrap();
    for n in 0..3 {
        let items: Vec<Value> = (0..4).map(|i| rate(COMMUNES[i], n, 50.0)).collect();
        let (status, body, _) = post(&http, &a.base, &s.token, &format!("n{n}"), &items)
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
    }
    let mut heads = Vec::new();
    while let Ok(Ok(notification)) =
        tokio::time::timeout(Duration::from_millis(500), listener.recv()).await
    {
        heads.push(notification.payload().to_string());
    }
    assert_eq!(
        heads,
        ["4", "8", "12"],
        "one per batch, carrying the new head"
    );
}
