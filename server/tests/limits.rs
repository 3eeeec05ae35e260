//! Limits that hold (issue #11, items 9, 10, 11 and 13): concurrent password guesses are
//! counted one by one and checked a few at a time; a foreign site cannot borrow a session
//! by adding an `Authorization` header; nothing is read for a stranger; slow clients and
//! floods are cut off; form bodies honour the configured limit; idempotency records are
//! kept per token and pruned; an older figure never replaces a newer one; the WAL is
//! truncated when the server is idle.

mod common;

use app::model::account::Role;
use common::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Writes `request` on a new connection and returns what the server sends back within
/// `within` (empty if nothing), and whether it closed the connection.
async fn raw(s: &TestServer, request: &[u8], within: Duration) -> (String, bool) {
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    let closed = loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Ok(Ok(0)) => break true,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
                    break false;
                }
            }
            Ok(Err(_)) => break true,
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&answer).into_owned(), closed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_wrong_passwords_count_as_fifty_and_lock_the_account() {
    let s = TestServer::start().await;
    let password = s.user("lanhdao", Role::Leader, None).await;
    let attempts = (0..50).map(|i| {
        let s = &s;
        async move {
            Browser::new(s)
                .post_form(
                    "/login",
                    &[
                        ("username", "lanhdao"),
                        ("password", &format!("đoán sai số {i}")),
                        ("next", "/"),
                    ],
                )
                .await
                .status()
                .as_u16()
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    assert!(
        answers.iter().all(|a| *a == 303 || *a == 429),
        "{answers:?}"
    );
    let count = |action: &'static str| {
        let db = s.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let (attempted, locked, failed) = (
        count("login_attempt").await,
        count("login_locked").await,
        count("login_failed").await,
    );
    assert_eq!(attempted + locked, 50, "every guess counted");
    assert!(
        failed <= 5,
        "no more guesses checked than the limit allows: {failed}"
    );
    assert!(
        server::auth::password::peak_concurrent_runs() <= server::auth::password::MAX_CONCURRENT,
        "argon2 runs at once: {}",
        server::auth::password::peak_concurrent_runs()
    );
    // locked: even the right password is refused now
    let right = Browser::new(&s)
        .post_form(
            "/login",
            &[
                ("username", "lanhdao"),
                ("password", &password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(right.status(), 429);
    s.stop().await;
}

#[tokio::test]
async fn an_authorization_header_other_than_a_valid_bearer_token_exempts_nothing() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let evil = "http://evil.example";
    for authorization in [
        "Basic dXNlcjpwYXNzd29yZA==",
        "NTLM TlRMTVNTUAABAAAAB4IIog==",
        "Bearer ioc_not_a_token",
    ] {
        let r = admin
            .client
            .post(format!("{}/admin/users", s.base))
            .header("Origin", evil)
            .header("Authorization", authorization)
            .form(&[
                ("username", "ke.gian"),
                ("display_name", "Kẻ gian"),
                ("role", "admin"),
                ("password", "mật khẩu kẻ gian dài"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{authorization}");
        let mut request = s.live_request(None, None);
        request
            .headers_mut()
            .insert("Cookie", admin.cookie().parse().unwrap());
        request
            .headers_mut()
            .insert("Origin", evil.parse().unwrap());
        request
            .headers_mut()
            .insert("Authorization", authorization.parse().unwrap());
        match tokio_tungstenite::connect_async(request).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert!(
                    [401, 403].contains(&r.status().as_u16()),
                    "{authorization}: {}",
                    r.status()
                )
            }
            other => panic!("{authorization}: expected a refusal, got {other:?}"),
        }
    }
    assert!(
        app::store::users::by_username(&mut s.db.acquire().await.unwrap(), "ke.gian")
            .await
            .unwrap()
            .is_none(),
        "no account was made"
    );
    // a real bearer token carries no ambient credential and needs no Origin
    let wall = s.display("Tường").await.1;
    let mut request = s.live_request(None, Some(&wall));
    request
        .headers_mut()
        .insert("Origin", evil.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
    s.stop().await;
}

#[tokio::test]
async fn nothing_is_read_for_a_stranger_and_slow_clients_are_cut_off() {
    let s = TestServer::start_with(|c| {
        c.header_timeout_secs = 1;
        c.body_timeout_secs = 1;
    })
    .await;
    // a stranger announcing 8 MB is refused before a byte of it is read
    let (answer, _) = raw(
        &s,
        format!(
            "POST /api/v1/observations HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: 8000000\r\n\r\n",
            s.addr
        )
        .as_bytes(),
        Duration::from_secs(3),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer:?}");

    // headers trickled in: the connection is closed at the header deadline
    let started = Instant::now();
    let (answer, closed) = raw(&s, b"GET / HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(5)).await;
    assert!(closed, "closed ({answer:?})");
    assert!(started.elapsed() < Duration::from_secs(4));

    // a body that stops halfway: the request fails at the body deadline
    let token = s.token("VPUB").await;
    let started = Instant::now();
    let (answer, closed) = raw(
        &s,
        format!(
            "POST /api/v1/observations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nIdempotency-Key: slow\r\nContent-Length: 1000\r\n\r\n{{\"observations\"",
            s.addr
        )
        .as_bytes(),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        closed || answer.starts_with("HTTP/1.1 4"),
        "answered or closed: {answer:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    s.stop().await;
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_are_answered_503_at_once() {
    let s = TestServer::start_with(|c| {
        c.max_concurrent_requests = 2;
        c.body_timeout_secs = 30;
    })
    .await;
    let token = s.token("VPUB").await;
    // two requests in progress, their bodies still coming
    let mut held = Vec::new();
    for key in ["a", "b"] {
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        tcp.write_all(
            format!(
                "POST /api/v1/observations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: 1000\r\n\r\n{{",
                s.addr
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        held.push(tcp);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = s
        .http
        .get(format!("{}/api/v1/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 503);
    assert_eq!(third.headers()["retry-after"], "2");
    let error: serde_json::Value = third.json().await.unwrap();
    assert_eq!(error["error"]["code"], "overloaded");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.http
            .get(format!("{}/api/v1/health", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "served again once they are gone"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_submission_form_honours_the_body_limit_with_a_page_in_both_languages() {
    let s = TestServer::start_with(|c| c.max_body_bytes = 4096).await;
    let officer = s
        .sign_in(
            "vpub.canbo",
            &s.user("vpub.canbo", Role::AgencyOfficer, Some("VPUB"))
                .await,
        )
        .await;
    let mut csv = String::from("indicator,area,period,value,unit\n");
    for n in 0..200 {
        csv.push_str(&format!(
            "services.online.rate,14,{},{},percent\n",
            day(n),
            n % 100
        ));
    }
    let r = officer
        .post_form("/submit", &[("key", "big"), ("csv", &csv)])
        .await;
    assert_eq!(r.status(), 413);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("quá lớn") && page.contains("too large"),
        "{page}"
    );
    assert!(page.contains("4096"), "names the limit: {page}");
    s.stop().await;

    // and a CSV larger than axum's 2 MB default passes when the limit allows it
    let s = TestServer::start().await;
    let officer = s
        .sign_in(
            "vpub.canbo",
            &s.user("vpub.canbo", Role::AgencyOfficer, Some("VPUB"))
                .await,
        )
        .await;
    let mut csv = String::from("indicator,area,period,value,unit\n");
    let row = "services.online.rate,14,2026-11-20,61.5,percent";
    while csv.len() < 3 * 1024 * 1024 {
        // padding rows the validation refuses one by one: the point is the size
        csv.push_str(row);
        csv.push('\n');
    }
    let r = officer
        .post_form("/submit", &[("key", "large"), ("csv", &csv)])
        .await;
    assert_ne!(r.status(), 413, "3 MB is within the 8 MiB default");
    s.stop().await;
}

#[tokio::test]
async fn sign_in_never_sends_anyone_to_another_site() {
    let s = TestServer::start().await;
    let password = s.user("lanhdao", Role::Leader, None).await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        " /evil",
    ] {
        let r = Browser::new(&s)
            .post_form(
                "/login",
                &[
                    ("username", "lanhdao"),
                    ("password", &password),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn idempotency_keys_belong_to_each_token_and_are_forgotten_after_the_retention() {
    // 1.8 s of retention
    let s = TestServer::start_with(|c| c.idempotency_retention_hours = 0.0005).await;
    let one = s.token("VPUB").await;
    let two = s.token("VPUB").await;
    // two systems of one agency number their batches the same way
    let (a, _, _) = s
        .post(
            &one,
            "batch-1",
            &batch(vec![online_rate("2026-11-20", 50.0)]),
        )
        .await;
    let (b, body, _) = s
        .post(
            &two,
            "batch-1",
            &batch(vec![online_rate("2026-11-21", 51.0)]),
        )
        .await;
    assert_eq!((a, b), (201, 201), "{body}");
    let (again, _, headers) = s
        .post(
            &one,
            "batch-1",
            &batch(vec![online_rate("2026-11-20", 50.0)]),
        )
        .await;
    assert_eq!(again, 201);
    assert_eq!(
        headers["idempotent-replayed"], "true",
        "a retry is replayed"
    );
    // past the retention, the key is free again: the same batch is a new submission
    tokio::time::sleep(Duration::from_secs(4)).await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_records")
        .fetch_one(&s.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "records pruned");
    let (late, _, headers) = s
        .post(
            &one,
            "batch-1",
            &batch(vec![online_rate("2026-11-20", 50.0)]),
        )
        .await;
    assert_eq!(late, 201);
    assert!(headers.get("idempotent-replayed").is_none());
    let revisions =
        app::store::observations::revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap();
    assert_eq!(revisions.len(), 2);
    s.stop().await;
}

#[tokio::test]
async fn an_older_figure_never_replaces_a_newer_one() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let at = |time: &str| {
        let mut item = online_rate("2026-11-20", 60.0);
        item["as_of"] = serde_json::json!(time);
        item
    };
    s.post_ok(&token, &batch(vec![at("2026-11-20T17:00:00+07:00")]))
        .await;
    // a late copy of the morning's figure arrives after the evening's
    let mut older = at("2026-11-20T09:00:00+07:00");
    older["value"] = serde_json::json!(40.0);
    let (status, error, _) = s.post(&token, "late", &batch(vec![older])).await;
    assert_eq!(status, 409, "{error}");
    assert_eq!(error["error"]["code"], "older_than_stored");
    let item = &error["error"]["items"][0];
    assert_eq!(
        (item["index"].as_u64(), item["field"].as_str()),
        (Some(0), Some("as_of"))
    );
    assert!(
        item["message_vi"].as_str().unwrap().contains("mới hơn"),
        "{item}"
    );
    let stored =
        app::store::observations::revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap();
    assert_eq!(stored.len(), 1, "nothing stored");
    // the same time is a correction of the same figure: accepted
    let mut correction = at("2026-11-20T17:00:00+07:00");
    correction["value"] = serde_json::json!(61.0);
    s.post_ok(&token, &batch(vec![correction])).await;
    s.stop().await;
}

#[tokio::test]
async fn an_idle_server_truncates_its_wal() {
    if common::sqlite_only("the WAL is SQLite's") {
        return;
    }
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    for n in 0..20 {
        s.post_ok(
            &token,
            &batch(
                (0..50)
                    .map(|i| online_rate(&day(n * 50 + i), 1.0))
                    .collect(),
            ),
        )
        .await;
    }
    let wal = std::path::PathBuf::from(
        s.database_url
            .strip_prefix("sqlite://")
            .unwrap()
            .to_string()
            + "-wal",
    );
    let started = Instant::now();
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the WAL is still {size} bytes"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // and everything is in the database file itself
    assert_eq!(
        app::store::observations::head(&s.db).await.unwrap(),
        1000,
        "nothing lost"
    );
    s.stop().await;
}
