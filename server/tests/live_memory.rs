//! Memory per live client with real frames (issue #11, item 6), on the real binary: a
//! connection keeps no copy of what it was sent, so screens that each received a full
//! snapshot of every commune's figures cost a few KiB each, not the snapshot's size each.
//! (The figure itself, on a database the demo filled, is in BENCHMARKS.md.)

mod common;

use common::batch;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const IOC: &str = env!("CARGO_BIN_EXE_ioc");
const CLIENTS: usize = 200;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn run(args: &[&str]) -> String {
    let out = Command::new(IOC).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A period of the indicator's cadence that has begun.
fn period_of(cadence: &str) -> String {
    let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let kind = match cadence {
        "monthly" => app::model::PeriodKind::Month,
        "quarterly" => app::model::PeriodKind::Quarter,
        "yearly" => app::model::PeriodKind::Year,
        _ => app::model::PeriodKind::Day,
    };
    app::model::Period::containing(kind, today).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screen_holds_no_copy_of_the_frames_it_was_sent() {
    let database = common::TestDatabase::new().await;
    let url = database.url.clone();
    let port = common::free_port();
    let base = format!("http://127.0.0.1:{port}");
    run(&["migrate", "--database-url", &url]);
    let wall = run(&[
        "display",
        "create",
        "--name",
        "đo bộ nhớ",
        "--database-url",
        &url,
    ]);
    let server = Command::new(IOC)
        .args([
            "serve",
            "--no-demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // the server goes with the test, whatever happens to it
    let server = KillOnDrop(server);
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .is_err()
    {
        assert!(started.elapsed() < Duration::from_secs(30), "no server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // every commune's figure of every commune-level indicator, from its agency
    let catalogue: Value = http
        .get(format!("{base}/api/v1/indicators"))
        .bearer_auth(&wall)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let areas: Value = http
        .get(format!("{base}/api/v1/areas"))
        .bearer_auth(&wall)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let registry: Value = http
        .get(format!("{base}/api/v1/projects"))
        .bearer_auth(&wall)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let projects: Vec<&str> = registry["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    let communes: Vec<&str> = areas["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] != "province")
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    let mut tokens = std::collections::HashMap::new();
    for indicator in catalogue["indicators"].as_array().unwrap() {
        if indicator["level"] != "commune" {
            continue;
        }
        let agency = indicator["agency"].as_str().unwrap().to_string();
        let token = tokens
            .entry(agency.clone())
            .or_insert_with(|| {
                run(&[
                    "token",
                    "create",
                    "--agency",
                    &agency,
                    "--database-url",
                    &url,
                ])
            })
            .clone();
        let period = period_of(indicator["cadence"].as_str().unwrap());
        // one figure per commune, or per project of the registry for figures reported so
        // (the extension only in January)
        let items: Vec<Value> = if indicator["by_project"] == true {
            if indicator["extension"] == true && !period.contains("-01-") {
                continue;
            }
            projects
                .iter()
                .map(|project| json!({"indicator": indicator["code"], "project": project, "period": period, "value": 1, "unit": indicator["unit"]}))
                .collect()
        } else {
            communes
                .iter()
                .map(|area| json!({"indicator": indicator["code"], "area": area, "period": period, "value": 1, "unit": indicator["unit"]}))
                .collect()
        };
        let r = http
            .post(format!("{base}/api/v1/observations"))
            .bearer_auth(&token)
            .header("Idempotency-Key", format!("fill-{}", indicator["code"]))
            .json(&batch(items))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    let pid = server.0.id();
    let before = rss_kib(pid);
    let ws_url = format!("ws://127.0.0.1:{port}/api/v1/live");
    let mut screens = Vec::new();
    let mut snapshot_bytes = 0;
    for _ in 0..CLIENTS {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = ws_url.as_str().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {wall}").parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                assert!(text.starts_with(r#"{"type":"snapshot""#));
                snapshot_bytes = text.len();
            }
            other => panic!("a snapshot first, got {other:?}"),
        }
        screens.push(ws);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kib(pid);
    let per_client = (after.saturating_sub(before)) as f64 / CLIENTS as f64;
    assert!(
        snapshot_bytes > 100 * 1024,
        "a real snapshot: {snapshot_bytes} bytes"
    );
    assert!(
        per_client < 32.0,
        "{per_client:.1} KiB per idle client after a {} KiB snapshot each",
        snapshot_bytes / 1024
    );
    drop(screens);
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
