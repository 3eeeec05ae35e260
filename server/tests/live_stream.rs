//! The live stream with real tokio-tungstenite clients against the real server: snapshot
//! offset, delta ranges, resume within and beyond the retained window, coalescing for a
//! lagging client, the slow-client close, heartbeats, and that a stalled client does not
//! hold up the others.

mod common;

use app::model::live::CLOSE_SLOW;
use app::model::LiveFrame;
use common::*;
use futures_util::StreamExt;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn last_offset(receipt: &serde_json::Value) -> u64 {
    receipt["items"].as_array().unwrap().last().unwrap()["offset"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_new_client_gets_a_snapshot_tagged_with_its_offset_then_contiguous_deltas() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let first = s
        .post_ok(&token, &batch(vec![online_rate("2026-11-20", 61.5)]))
        .await;

    let mut ws = s.connect(None).await;
    let LiveFrame::Snapshot {
        protocol,
        epoch,
        offset,
        values,
    } = next_data_frame(&mut ws, WAIT).await
    else {
        panic!("a snapshot first")
    };
    assert_eq!(protocol, 1);
    assert_eq!(epoch, s.health().await["epoch"]);
    assert_eq!(offset, last_offset(&first));
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value, dec("61.5"));

    let mut have = offset;
    for (n, value) in [(21, 62.0), (22, 63.0), (22, 63.5)] {
        let receipt = s
            .post_ok(
                &token,
                &batch(vec![online_rate(&format!("2026-11-{n}"), value)]),
            )
            .await;
        let LiveFrame::Delta {
            epoch: e,
            from,
            to,
            values,
        } = next_data_frame(&mut ws, WAIT).await
        else {
            panic!("a delta")
        };
        assert_eq!(e, epoch);
        assert_eq!(from, have, "each delta starts where the last ended");
        assert_eq!(to, last_offset(&receipt));
        assert_eq!(values.len(), 1);
        assert_eq!(
            values[0].value,
            Decimal::from_str(&value.to_string()).unwrap()
        );
        assert_eq!(values[0].offset, to);
        have = to;
    }
    // the trend's previous value is the latest revision of the period before
    let LiveFrame::Snapshot { values, .. } =
        next_data_frame(&mut s.connect(None).await, WAIT).await
    else {
        panic!()
    };
    let previous = values[0].previous.as_ref().expect("a previous value");
    assert_eq!(
        (previous.period.to_string(), previous.value),
        ("2026-11-21".to_string(), dec("62"))
    );
    assert_eq!(values[0].revision, 2);
    s.stop().await;
}

#[tokio::test]
async fn a_client_resuming_within_the_window_gets_exactly_what_it_missed() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-20", 50.0)]))
        .await;
    let mut ws = s.connect(None).await;
    let LiveFrame::Snapshot { epoch, offset, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!()
    };
    drop(ws);

    // missed while away: two values for one key (coalesced to the latest) and one for another
    s.post_ok(&token, &batch(vec![online_rate("2026-11-21", 51.0)]))
        .await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-21", 52.0)]))
        .await;
    let ontime = serde_json::json!({"indicator": "services.ontime.rate", "area": "14", "period": "2026-11-21", "value": 97.1, "unit": "percent"});
    let last = s.post_ok(&token, &batch(vec![ontime])).await;

    let mut ws = s.connect(Some(&format!("{epoch}:{offset}"))).await;
    let LiveFrame::Delta {
        from,
        to,
        mut values,
        ..
    } = next_data_frame(&mut ws, WAIT).await
    else {
        panic!("a catch-up delta, not a snapshot")
    };
    assert_eq!((from, to), (offset, last_offset(&last)));
    values.sort_by(|a, b| a.indicator.cmp(&b.indicator));
    assert_eq!(values.len(), 2);
    assert_eq!(
        (values[0].indicator.as_str(), values[0].value),
        ("services.online.rate", dec("52"))
    );
    assert_eq!(
        (values[1].indicator.as_str(), values[1].value),
        ("services.ontime.rate", dec("97.1"))
    );

    // already up to date: an empty delta at the head
    let mut ws = s.connect(Some(&format!("{epoch}:{to}"))).await;
    let LiveFrame::Delta {
        from,
        to: head,
        values,
        ..
    } = next_data_frame(&mut ws, WAIT).await
    else {
        panic!()
    };
    assert_eq!((from, head, values.len()), (to, to, 0));
    s.stop().await;
}

#[tokio::test]
async fn a_client_beyond_the_window_or_from_another_epoch_gets_a_fresh_snapshot() {
    let s = TestServer::start_with(|c| c.retain_events = 2).await;
    let token = s.token("VPUB").await;
    for n in 0..5 {
        s.post_ok(&token, &batch(vec![online_rate(&day(n), 50.0 + n as f64)]))
            .await;
    }
    let epoch = s.health().await["epoch"].as_str().unwrap().to_string();
    for since in [
        format!("{epoch}:1"),
        format!("{epoch}:99"),
        "0123456789abcdef:5".to_string(),
    ] {
        let mut ws = s.connect(Some(&since)).await;
        let LiveFrame::Snapshot { offset, values, .. } = next_data_frame(&mut ws, WAIT).await
        else {
            panic!("since={since} must get a snapshot")
        };
        assert_eq!(offset, 5);
        assert_eq!(values[0].value, dec("54"));
    }
    // still inside the window: a delta
    let mut ws = s.connect(Some(&format!("{epoch}:3"))).await;
    assert!(matches!(
        next_data_frame(&mut ws, WAIT).await,
        LiveFrame::Delta { from: 3, to: 5, .. }
    ));

    let bad =
        tokio_tungstenite::connect_async(s.live_request(Some("nonsense"), Some(&s.viewer))).await;
    match bad {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 400)
        }
        other => panic!("expected 400, got {other:?}"),
    }
    s.stop().await;
}

#[tokio::test]
async fn heartbeats_carry_the_head_offset() {
    let s = TestServer::start_with(|c| c.heartbeat_secs = 1).await;
    let token = s.token("VPUB").await;
    let receipt = s
        .post_ok(&token, &batch(vec![online_rate("2026-11-20", 50.0)]))
        .await;
    let mut ws = s.connect(None).await;
    next_data_frame(&mut ws, WAIT).await;
    let started = Instant::now();
    loop {
        if let LiveFrame::Heartbeat { offset, epoch, .. } = next_frame(&mut ws, WAIT).await {
            assert_eq!(offset, last_offset(&receipt));
            assert_eq!(epoch, s.health().await["epoch"]);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    s.stop().await;
}

/// Three values at once (all the PPC Office's indicators), so each delta is sizeable.
fn three(n: u32) -> serde_json::Value {
    batch(vec![
        online_rate("2026-11-20", f64::from(n % 100)),
        serde_json::json!({"indicator": "services.ontime.rate", "area": "14", "period": "2026-11-20", "value": f64::from(n % 100), "unit": "percent"}),
        serde_json::json!({"indicator": "services.dossiers.received", "area": "14", "period": "2026-11-20", "value": n, "unit": "count"}),
    ])
}

/// Reads frames until the stream reaches `head`, checking that the ranges chain with no
/// gap; returns the frames.
async fn read_until(ws: &mut Socket, mut have: u64, head: u64) -> Vec<LiveFrame> {
    let mut frames = Vec::new();
    while have < head {
        let frame = next_frame(ws, Duration::from_secs(15)).await;
        if let LiveFrame::Delta { from, to, .. } = &frame {
            assert!(
                *from <= have && *to > have,
                "no gap: have {have}, got ({from}, {to}]"
            );
            have = *to;
        }
        frames.push(frame);
    }
    frames
}

#[tokio::test]
async fn a_lagging_client_gets_its_updates_coalesced_without_a_gap() {
    let s = TestServer::start_with(|c| {
        c.client_queue = 2;
        c.send_buffer_bytes = Some(4096);
    })
    .await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-20", 1.0)]))
        .await;
    let mut ws = s.connect_small(None).await;
    let LiveFrame::Snapshot { offset, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!()
    };

    // the client stops reading while 200 updates are published
    let mut last = serde_json::Value::Null;
    for n in 0..200 {
        last = s.post_ok(&token, &three(n)).await;
    }
    let head = last_offset(&last);
    assert_eq!(head - offset, 600);
    let frames = read_until(&mut ws, offset, head).await;
    let deltas: Vec<&LiveFrame> = frames
        .iter()
        .filter(|f| matches!(f, LiveFrame::Delta { .. }))
        .collect();
    assert!(
        deltas.len() < 200,
        "some updates were coalesced ({} deltas for 200 batches)",
        deltas.len()
    );
    assert!(
        deltas
            .iter()
            .any(|f| matches!(f, LiveFrame::Delta { from, to, .. } if to - from > 30)),
        "a catch-up frame covers several batches"
    );
    let LiveFrame::Delta { values, .. } = deltas.last().unwrap() else {
        unreachable!()
    };
    let dossiers = values
        .iter()
        .find(|v| v.indicator == "services.dossiers.received")
        .expect("the last delta carries the count");
    assert_eq!(dossiers.value, dec("199"), "the latest value wins");
    s.stop().await;
}

#[tokio::test]
async fn a_client_that_falls_out_of_the_window_is_closed_as_slow_and_can_resume() {
    let s = TestServer::start_with(|c| {
        c.client_queue = 2;
        c.retain_events = 20;
        c.send_buffer_bytes = Some(4096);
    })
    .await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-20", 1.0)]))
        .await;
    let mut ws = s.connect_small(None).await;
    let LiveFrame::Snapshot { epoch, offset, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!()
    };
    for n in 0..200 {
        s.post_ok(&token, &three(n)).await;
    }
    // the client reads again: what was queued arrives, then a close with the slow code
    let mut have = offset;
    let close = loop {
        let msg = tokio::time::timeout(Duration::from_secs(15), ws.next())
            .await
            .expect("in time");
        match msg {
            Some(Ok(Message::Text(text))) => {
                if let LiveFrame::Delta { from, to, .. } = serde_json::from_str(&text).unwrap() {
                    assert!(from <= have, "no gap before the close");
                    have = to;
                }
            }
            Some(Ok(Message::Close(frame))) => break frame.expect("a close frame with a code"),
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), CLOSE_SLOW);
    assert!(close.reason.contains("slow"));
    // it resumes from where it got to: too far back now, so a fresh snapshot
    let mut ws = s.connect(Some(&format!("{epoch}:{have}"))).await;
    let LiveFrame::Snapshot { offset, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!("a snapshot")
    };
    assert_eq!(offset, s.health().await["offset"]);
    s.stop().await;
}

#[tokio::test]
async fn a_stalled_client_is_dropped_and_does_not_slow_the_others() {
    let s = TestServer::start_with(|c| {
        c.client_queue = 4;
        c.write_timeout_secs = 1;
        c.send_buffer_bytes = Some(4096);
    })
    .await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-20", 1.0)]))
        .await;
    let mut stalled = s.connect_small(None).await;
    next_data_frame(&mut stalled, WAIT).await;
    let mut healthy = s.connect(None).await;
    let LiveFrame::Snapshot { offset, .. } = next_data_frame(&mut healthy, WAIT).await else {
        panic!()
    };

    let mut have = offset;
    let mut slowest = Duration::ZERO;
    for n in 0..200 {
        let posted = Instant::now();
        let receipt = s.post_ok(&token, &three(n)).await;
        let head = last_offset(&receipt);
        read_until(&mut healthy, have, head).await;
        have = head;
        slowest = slowest.max(posted.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(1),
        "the healthy client kept up (slowest round trip {slowest:?})"
    );

    // stalled longer than the write timeout, the client's connection is ended by the
    // server: reading now drains what the kernel buffered, then the stream ends
    tokio::time::sleep(Duration::from_secs(3)).await;
    let drained = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(msg)) = stalled.next().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the server closed the stalled connection");
    s.stop().await;
}
