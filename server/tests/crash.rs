//! Durability: ingest in a loop, `kill -9` the real `ioc` binary mid-stream, restart it on
//! the same file, and check that every answered item is stored exactly once — and that
//! the command line's token and migrate commands work on the way.

mod common;

use common::{batch, free_port, online_rate};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const IOC: &str = env!("CARGO_BIN_EXE_ioc");

fn serve(database_url: &str, port: u16) -> Child {
    Command::new(IOC)
        .args([
            "serve",
            "--no-demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database_url,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ioc serve")
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/api/v1/health")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn token_create(database_url: &str, agency: &str) -> String {
    let out = Command::new(IOC)
        .args([
            "token",
            "create",
            "--agency",
            agency,
            "--database-url",
            database_url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        token.starts_with("ioc_") && token.len() > 40,
        "printed once on stdout: {token}"
    );
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_items_survive_kill_9_exactly_once() {
    let database = common::TestDatabase::new().await;
    let database_url = database.url.clone();
    let migrate = Command::new(IOC)
        .args(["migrate", "--database-url", &database_url])
        .output()
        .unwrap();
    assert!(migrate.status.success());
    let bad_agency = Command::new(IOC)
        .args([
            "token",
            "create",
            "--agency",
            "NOPE",
            "--database-url",
            &database_url,
        ])
        .output()
        .unwrap();
    assert!(!bad_agency.status.success());
    assert!(String::from_utf8_lossy(&bad_agency.stderr).contains("Unknown agency 'NOPE'"));
    let token = token_create(&database_url, "VPUB");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = serve(&database_url, port);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    wait_healthy(&http, &base).await;

    // twelve writers of one figure per request, each with its own periods (their requests
    // share commits); what each was answered 201 for is recorded
    let acknowledged: Arc<Mutex<BTreeMap<String, f64>>> = Arc::default();
    let mut writers = Vec::new();
    let day = |n: i64| (time::macros::date!(1990 - 01 - 01) + time::Duration::days(n)).to_string();
    for w in 0..12i64 {
        let (http, base, token, acknowledged) = (
            http.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let period = day(w * 1000 + n);
                let value = (n % 97) as f64 + 0.5;
                let answer = http
                    .post(format!("{base}/api/v1/observations"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("w{w}-{n}"))
                    .json(&batch(vec![online_rate(&period, value)]))
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status().as_u16() == 201 => {
                        acknowledged.lock().unwrap().insert(period, value);
                    }
                    _ => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().expect("kill -9"); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the writers got going ({} answered)",
        acknowledged.len()
    );

    // restart on the same file: it must come up and hold every answered item exactly once
    let mut child = serve(&database_url, port);
    wait_healthy(&http, &base).await;
    let db = server::db::open(&database_url).await.unwrap();
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT period, value, revision FROM observations WHERE indicator_code = 'services.online.rate'").fetch_all(&db).await.unwrap();
    let mut stored: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (period, value, revision) in rows {
        stored.entry(period).or_default().push((value, revision));
    }
    for (period, value) in &acknowledged {
        let found = stored
            .get(period)
            .unwrap_or_else(|| panic!("answered item for {period} was lost"));
        assert_eq!(
            found.len(),
            1,
            "{period} stored exactly once, found {found:?}"
        );
        assert_eq!(found[0].0.parse::<f64>().unwrap(), *value);
        assert_eq!(found[0].1, 1);
    }
    assert!(
        stored.values().all(|v| v.len() == 1),
        "no item is stored twice"
    );
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stream_events")
        .fetch_one(&db)
        .await
        .unwrap();
    let observations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM observations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(events, observations, "one event per observation");
    let health: Value = http
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        health["offset"].as_i64().unwrap(),
        events,
        "the live stream resumes at the last committed event"
    );

    // a retry of an answered batch after the crash is still recognised
    let (w0_period, w0_value) = acknowledged
        .iter()
        .find(|(p, _)| p.as_str() == day(0))
        .map(|(p, v)| (p.clone(), *v))
        .expect("writer 0's first item");
    let replay = http
        .post(format!("{base}/api/v1/observations"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "w0-0")
        .json(&batch(vec![online_rate(&w0_period, w0_value)]))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status().as_u16(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");

    child.kill().unwrap();
    child.wait().unwrap();
}

/// Ingest requests never pay for copying the WAL back into the database: the server does it
/// in the background, so the database file takes in what was committed while the WAL is not
/// left to grow.
#[tokio::test]
async fn committed_data_reaches_the_database_file_in_the_background() {
    if common::sqlite_only("the WAL checkpoint is SQLite's; PostgreSQL checkpoints itself") {
        return;
    }
    let s = common::TestServer::start().await;
    let file = Path::new(s.database_url.trim_start_matches("sqlite://")).to_path_buf();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = std::fs::metadata(&file).unwrap().len();
    let token = s.token("VPUB").await;
    let items = (0..2000)
        .map(|n| online_rate(&common::day(n), 50.0))
        .collect();
    s.post_ok(&token, &batch(items)).await;
    let wal = file.with_extension("sqlite-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "committed to the WAL"
    );
    let started = Instant::now();
    while std::fs::metadata(&file).unwrap().len() <= before {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the database file never took in the batch"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.stop().await;
}
