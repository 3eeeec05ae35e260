//! A stream that never skips (issue #11, items 3, 5, 8 and 12): a request dropped while its
//! batch is being committed leaves no silent gap; concurrent small requests share commits
//! and are all on the stream; a client far behind the ring still sees a revocation; decimals
//! travel exactly from the request to the screen.

mod common;

use app::model::live::CLOSE_REVOKED;
use app::model::{LiveFrame, LiveValue};
use common::*;
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

type Screen = BTreeMap<(String, String), (String, String, u32)>;

/// What a screen shows once it has applied `values`.
fn apply(screen: &mut Screen, values: Vec<LiveValue>) {
    for v in values {
        screen.insert(
            (v.indicator, v.area),
            (
                v.period.to_string(),
                v.value.normalize().to_string(),
                v.revision,
            ),
        );
    }
}

/// What the database says every screen should show.
async fn stored(s: &TestServer) -> Screen {
    let mut screen = Screen::new();
    apply(
        &mut screen,
        app::store::observations::current_values(&s.db, u64::MAX)
            .await
            .unwrap(),
    );
    screen
}

async fn head(s: &TestServer) -> u64 {
    app::store::observations::head(&s.db).await.unwrap()
}

/// Follows the stream from its first frame until it reaches `until`, checking that every
/// delta starts exactly where the last one ended; returns what the screen shows and the
/// first frame's offset.
async fn follow(
    ws: &mut Socket,
    mut screen: Screen,
    mut have: Option<u64>,
    until: u64,
) -> (Screen, u64) {
    let mut first = None;
    while have.is_none_or(|h| h < until) {
        match next_frame(ws, WAIT).await {
            LiveFrame::Snapshot { offset, values, .. } => {
                screen.clear();
                apply(&mut screen, values);
                first.get_or_insert(offset);
                have = Some(offset);
            }
            LiveFrame::Delta {
                from, to, values, ..
            } => {
                assert_eq!(
                    Some(from),
                    have,
                    "contiguous: each delta starts where the last ended"
                );
                first.get_or_insert(from);
                apply(&mut screen, values);
                have = Some(to);
            }
            LiveFrame::Heartbeat { .. }
            | LiveFrame::Tasks { .. }
            | LiveFrame::Alerts { .. }
            | LiveFrame::Explanations { .. } => {}
        }
    }
    (screen, first.unwrap_or_default())
}

/// A batch of `n` figures for distinct days, with values that differ per `seed`.
fn many(n: i64, seed: i64) -> serde_json::Value {
    batch(
        (0..n)
            .map(|i| online_rate(&day(i), ((seed * 7 + i) % 100) as f64))
            .collect(),
    )
}

/// A batch with a figure for every commune of two indicators: a large delta (some 40 KB),
/// so a client that stops reading stalls the server's writes at once.
fn wide(seed: i64) -> serde_json::Value {
    let catalogue = server::province::load(&server::province::demo()).unwrap();
    let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc());
    let mut items = Vec::new();
    for indicator in ["services.online.rate", "services.ontime.rate"] {
        for area in catalogue.areas_on(today).filter(|a| a.is_commune_level()) {
            items.push(serde_json::json!({
                "indicator": indicator, "area": area.code, "period": today.to_string(),
                "value": seed % 100, "unit": "percent"
            }));
        }
    }
    batch(items)
}

/// Sends a batch on a raw connection and hangs up `after` the request is out, without
/// waiting for the answer — a client that goes away mid-commit.
async fn post_and_hang_up(
    s: &TestServer,
    token: &str,
    key: &str,
    body: &serde_json::Value,
    after: Duration,
) {
    let body = body.to_string();
    let request = format!(
        "POST /api/v1/observations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.addr,
        body.len()
    );
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(after).await;
    drop(tcp);
}

#[tokio::test]
async fn a_request_dropped_mid_commit_leaves_no_silent_gap() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &many(10, 0)).await;
    let epoch = s.health().await["epoch"].as_str().unwrap().to_string();
    let before = head(&s).await;
    let mut watchers = Vec::new();
    for _ in 0..2 {
        let mut ws = s.connect(None).await;
        let (screen, _) = follow(&mut ws, Screen::new(), None, before).await;
        watchers.push((ws, screen));
    }
    let at_start = watchers[0].1.clone();

    // clients that hang up at every moment of their request's life, commit included
    for i in 0..40u64 {
        post_and_hang_up(
            &s,
            &token,
            &format!("dropped-{i}"),
            &many(1500, i as i64 + 1),
            Duration::from_millis(i * 2),
        )
        .await;
    }
    // whatever was stored is stored; one more batch, answered, marks the end
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.post_ok(&token, &many(5, 99)).await;
    let until = head(&s).await;
    let expected = stored(&s).await;
    assert!(
        until > before + 5,
        "some dropped requests were stored (head {before} → {until})"
    );

    for (ws, screen) in watchers {
        let mut ws = ws;
        let (screen, _) = follow(&mut ws, screen, Some(before), until).await;
        assert_eq!(screen, expected, "every stored figure reached the screen");
    }
    // and a screen resuming from before the drops catches up on all of it
    let mut resumed = s.connect(Some(&format!("{epoch}:{before}"))).await;
    let (screen, first) = follow(&mut resumed, at_start, Some(before), until).await;
    assert_eq!(
        first, before,
        "a catch-up from where it was, not a snapshot"
    );
    assert_eq!(screen, expected, "the catch-up holds every stored figure");
    s.stop().await;
}

#[tokio::test]
async fn concurrent_small_requests_share_commits_and_all_reach_the_stream() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-01", 1.0)]))
        .await;
    let mut ws = s.connect(None).await;
    let start = head(&s).await;
    follow(&mut ws, Screen::new(), None, start).await;

    // 64 agency systems each post one figure at once
    let posts = (0..64i64).map(|i| {
        let (s, token) = (&s, &token);
        async move {
            s.post(
                token,
                &format!("single-{i}"),
                &batch(vec![online_rate(&day(100 + i), i as f64)]),
            )
            .await
            .0
        }
    });
    let answers = futures_util::future::join_all(posts).await;
    assert!(answers.iter().all(|status| *status == 201), "{answers:?}");
    let until = head(&s).await;
    assert_eq!(until - start, 64, "each stored once");

    // they went out in fewer frames than requests: commits were shared
    let mut frames = 0;
    let mut have = start;
    while have < until {
        if let LiveFrame::Delta { from, to, .. } = next_frame(&mut ws, WAIT).await {
            assert_eq!(from, have);
            have = to;
            frames += 1;
        }
    }
    assert!(frames < 64, "{frames} frames for 64 requests");
    s.stop().await;
}

#[tokio::test]
async fn a_client_far_behind_the_ring_still_sees_its_revocation() {
    let s = TestServer::start_with(|c| {
        c.client_queue = 4;
        c.send_buffer_bytes = Some(4096);
        c.write_timeout_secs = 60;
        // no sweep re-announces the revocation during the test
        c.heartbeat_secs = 600;
    })
    .await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &wide(0)).await;
    let admin = s
        .sign_in(
            "quantri",
            &s.user("quantri", app::model::account::Role::Admin, None)
                .await,
        )
        .await;
    let (display, wall_token) = s.display("Tường").await;
    // a wall screen that stops reading: the server's writes to it stall
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp.connect(s.addr).await.unwrap();
    let (mut wall, _) = tokio_tungstenite::client_async(
        s.live_request(None, Some(&wall_token)),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .unwrap();
    for n in 1..10 {
        s.post_ok(&token, &wide(n)).await;
    }
    // revoked while it lags; then the ring moves on well past its place
    let revoked = admin
        .post_form(&format!("/admin/displays/{display}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), 303);
    for n in 10..30 {
        s.post_ok(&token, &wide(n)).await;
    }
    // it reads again: it is closed as revoked within moments, not streamed on
    let started = Instant::now();
    let close = loop {
        match tokio::time::timeout(WAIT, wall.next())
            .await
            .expect("an answer in time")
        {
            Some(Ok(Message::Close(frame))) => break frame.expect("a close code"),
            Some(Ok(_)) => {}
            other => panic!("expected a close, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), CLOSE_REVOKED);
    assert!(started.elapsed() < Duration::from_secs(5));
    s.stop().await;
}

#[tokio::test]
async fn decimals_travel_exactly_from_the_request_to_every_screen() {
    let s = TestServer::start().await;
    let treasury = s.token("KBNN").await;
    let mut ws = s.connect(None).await;
    next_data_frame(&mut ws, WAIT).await;
    let exact = "1234567890123456789.123456789";
    let body = format!(
        r#"{{"observations": [{{"indicator": "budget.revenue.ytd", "area": "14", "period": "2026-11-20", "value": {exact}, "unit": "dong"}}]}}"#
    );
    let response = s
        .http
        .post(format!("{}/api/v1/observations", s.base))
        .bearer_auth(&treasury)
        .header("Idempotency-Key", "exact-1")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let stored: String = sqlx::query_scalar(
        "SELECT value FROM observations WHERE indicator_code = 'budget.revenue.ytd' AND period = '2026-11-20'",
    )
    .fetch_one(&s.db)
    .await
    .unwrap();
    assert_eq!(stored, exact, "stored digit for digit");
    let text = loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Text(text))) if text.contains("budget.revenue.ytd") => break text,
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert!(
        text.contains(&format!("\"value\":{exact}")),
        "streamed digit for digit: {text}"
    );

    // more digits than a decimal holds: refused, naming the field and the reason
    let too_many = "12345678901234567890.12345678901";
    let response = s
        .http
        .post(format!("{}/api/v1/observations", s.base))
        .bearer_auth(&treasury)
        .header("Idempotency-Key", "exact-3")
        .header("Content-Type", "application/json")
        .body(format!(
            r#"{{"observations": [{{"indicator": "budget.revenue.ytd", "area": "14", "period": "2026-11-21", "value": {too_many}, "unit": "dong"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let error: serde_json::Value = response.json().await.unwrap();
    let item = &error["error"]["items"][0];
    assert_eq!(item["field"], "value");
    assert_eq!(item["code"], "not_representable");
    assert!(
        item["message_vi"].as_str().unwrap().contains(too_many),
        "{item}"
    );
    assert!(
        item["message_en"]
            .as_str()
            .unwrap()
            .contains("28 significant digits"),
        "{item}"
    );
    s.stop().await;
}
