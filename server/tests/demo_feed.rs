//! The demo feed: an ordinary API client, and a wall screen to watch it without an account.

mod common;

use common::*;
use std::time::Duration;

#[tokio::test]
async fn the_demo_feed_posts_through_the_ingest_api_and_opens_a_wall() {
    let s = TestServer::start_with(|c| {
        c.no_demo = false;
        c.demo_history_days = 1;
        c.demo_interval_ms = 200;
    })
    .await;
    // its figures arrive as agency submissions, audited like any agency's
    let mut submitted = 0i64;
    for _ in 0..100 {
        submitted = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'data_submitted' AND actor_kind = 'agency_token'",
        )
        .fetch_one(&s.db)
        .await
        .unwrap();
        if submitted > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(submitted > 0, "the feed submitted through the API");
    // health says where the feed is: once its history is in, it is live
    let mut state = serde_json::Value::Null;
    for _ in 0..300 {
        let health: serde_json::Value = reqwest::get(format!("{}/api/v1/health", s.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        state = health["demo"].clone();
        assert!(
            ["waiting", "backfilling", "live"].contains(&state.as_str().unwrap_or_default()),
            "{health}"
        );
        if state == "live" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, "live");
    let labels: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT label FROM api_tokens WHERE revoked_at IS NULL AND label = $1",
    )
    .bind(server::demo::TOKEN_LABEL)
    .fetch_all(&s.db)
    .await
    .unwrap();
    assert_eq!(labels, [server::demo::TOKEN_LABEL]);

    // the task book comes in through the task API: imported by the PPC Office's system,
    // reported on and closed by the lead agencies' systems
    let office = s.token("VPUB").await;
    let mut tasks = serde_json::Value::Null;
    for _ in 0..200 {
        let response = s
            .http
            .get(format!("{}/api/v1/tasks", s.base))
            .bearer_auth(&office)
            .send()
            .await
            .unwrap();
        tasks = response.json().await.unwrap();
        let closed = tasks["tasks"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["status"] == "done"));
        if closed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = tasks["tasks"].as_array().expect("a task list");
    assert!((60..=120).contains(&list.len()), "{} tasks", list.len());
    let statuses: std::collections::BTreeSet<&str> =
        list.iter().map(|t| t["status"].as_str().unwrap()).collect();
    for status in ["overdue", "done_late", "done", "in_progress", "not_started"] {
        assert!(
            statuses.contains(status),
            "no {status} task in {statuses:?}"
        );
    }
    let imports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'tasks_imported' AND actor_kind = 'agency_token'",
    )
    .fetch_one(&s.db)
    .await
    .unwrap();
    assert_eq!(imports, 4);
    let reporters: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT agency FROM task_notes WHERE kind = 'progress' ORDER BY agency",
    )
    .fetch_all(&s.db)
    .await
    .unwrap();
    assert!(
        reporters.len() > 5,
        "progress from the lead agencies: {reporters:?}"
    );

    // one wall screen at a time: a new start revokes the previous one
    let active = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM displays WHERE name = $1 AND revoked_at IS NULL",
        )
        .bind(server::demo::WALL_NAME)
        .fetch_all(&s.db)
        .await
        .unwrap()
    };
    let first = active().await;
    assert_eq!(first.len(), 1);
    let url = server::demo::open_wall(&s.db, &s.base).await.unwrap();
    let second = active().await;
    assert_eq!(second.len(), 1);
    assert_ne!(first, second);

    // its address opens the dashboard, read-only
    let wall = Browser::new(&s);
    let path = url.strip_prefix(&s.base).unwrap();
    assert_eq!(wall.get(path).await.status(), 303);
    assert_eq!(wall.get("/").await.status(), 200);
    assert_eq!(wall.get("/admin").await.status(), 403);

    // the demo's figures reach each live screen's island in the compact encoding and read
    // back exactly as they were written
    let text = |path: &'static str| {
        let wall = &wall;
        async move { wall.get(path).await.text().await.unwrap() }
    };
    let overview: app::model::Overview = screen_data(&text("/").await);
    assert!(
        overview.values.iter().any(|v| v.project.is_none()),
        "province and commune figures"
    );
    let money: app::model::money::MoneyScreen = screen_data(&text("/money").await);
    assert!(
        money.values.iter().any(|v| v.project.is_some()),
        "the projects' figures"
    );
    assert!(
        money.values.iter().any(|v| v.previous.is_some()),
        "with the period before"
    );
    let services: app::model::services::ServicesScreen = screen_data(&text("/services").await);
    assert!(!services.desks.is_empty(), "the service desks");
    assert!(
        services.index.is_none(),
        "the 766 ranking is drawn by the server, not sent"
    );
    s.stop().await;
}
