//! The ingest API against a real server and database: authentication, token scope,
//! validation, idempotency and revisions.

mod common;

use app::store::observations::revisions;
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

#[tokio::test]
async fn accepted_batch_is_stored_and_answered_with_offsets() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let receipt = s
        .post_ok(
            &token,
            &batch(vec![
                online_rate("2026-11-20", 61.5),
                online_rate("2026-11-21", 62.0),
            ]),
        )
        .await;
    assert_eq!(receipt["accepted"], 2);
    assert_eq!(receipt["revised"], 0);
    let offsets: Vec<u64> = receipt["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets.len(), 2);
    assert!(offsets[0] < offsets[1]);
    assert_eq!(s.health().await["offset"], offsets[1]);
    let stored = revisions(&s.db, "services.online.rate", "14", "2026-11-20")
        .await
        .unwrap();
    assert_eq!(stored, vec![(1, Decimal::from_str("61.5").unwrap())]);
    s.stop().await;
}

#[tokio::test]
async fn missing_or_unknown_tokens_are_refused() {
    let s = TestServer::start().await;
    let body = batch(vec![online_rate("2026-11-20", 61.5)]);
    let response = s
        .http
        .post(format!("{}/api/v1/observations", s.base))
        .header("Idempotency-Key", "a")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "unauthorized");
    assert!(error["error"]["message_vi"]
        .as_str()
        .unwrap()
        .contains("Authorization"));

    let (status, _, _) = s.post("ioc_not_a_real_token", "b", &body).await;
    assert_eq!(status, 401);

    let token = s.token("VPUB").await;
    let id = app::store::tokens::list(&s.db)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id;
    assert!(app::store::tokens::revoke(
        &mut s.db.acquire().await.unwrap(),
        id,
        time::OffsetDateTime::now_utc()
    )
    .await
    .unwrap());
    let (status, _, _) = s.post(&token, "c", &body).await;
    assert_eq!(status, 401, "a revoked token no longer works");
    assert!(revisions(&s.db, "services.online.rate", "14", "2026-11-20")
        .await
        .unwrap()
        .is_empty());
    s.stop().await;
}

#[tokio::test]
async fn an_agency_cannot_write_another_agencys_indicator() {
    let s = TestServer::start().await;
    let finance = s.token("STC").await;
    // one of its own (the revenue estimate) and one of the PPC Office's
    let body = batch(vec![
        json!({"indicator": "budget.revenue.estimate", "area": "14", "period": "2026", "value": 5e12, "unit": "dong"}),
        online_rate("2026-11-20", 61.5),
    ]);
    let (status, error, _) = s.post(&finance, "x", &body).await;
    assert_eq!(status, 403, "{error}");
    assert_eq!(error["error"]["code"], "forbidden_indicator");
    assert_eq!(error["error"]["items"][0]["index"], 1);
    assert_eq!(error["error"]["items"][0]["field"], "indicator");
    assert!(
        revisions(&s.db, "budget.revenue.estimate", "14", "2026")
            .await
            .unwrap()
            .is_empty(),
        "nothing of the batch is stored"
    );
    assert!(revisions(&s.db, "services.online.rate", "14", "2026-11-20")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.health().await["offset"], 0);
    s.stop().await;
}

#[tokio::test]
async fn a_bad_item_rejects_the_whole_batch_naming_item_field_and_reason() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let body = batch(vec![
        online_rate("2026-11-20", 61.5),
        online_rate("2026-11", 61.5),
        json!({"indicator": "services.online.rate"}),
    ]);
    let (status, error, _) = s.post(&token, "bad", &body).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["error"]["code"], "validation_failed");
    let items = error["error"]["items"].as_array().unwrap();
    let named: Vec<(u64, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["index"].as_u64().unwrap(),
                i["field"].as_str().unwrap(),
                i["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(named.contains(&(1, "period", "period_kind")), "{named:?}");
    assert!(named.contains(&(2, "area", "missing")), "{named:?}");
    assert!(named.contains(&(2, "period", "missing")), "{named:?}");
    assert!(named.contains(&(2, "value", "missing")), "{named:?}");
    assert!(items
        .iter()
        .all(|i| !i["message_vi"].as_str().unwrap().is_empty()
            && !i["message_en"].as_str().unwrap().is_empty()));
    assert!(
        revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap()
            .is_empty(),
        "the good item is not stored either"
    );

    // and a retry of the corrected batch under the same key is accepted
    let (status, _, _) = s
        .post(&token, "bad", &batch(vec![online_rate("2026-11-20", 61.5)]))
        .await;
    assert_eq!(status, 201);
    s.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let s = TestServer::start_with(|c| {
        c.max_body_bytes = 2_000;
        c.max_batch = 3;
    })
    .await;
    let token = s.token("VPUB").await;
    let url = format!("{}/api/v1/observations", s.base);
    let send = |body: String, key: Option<&str>, content_type: &str| {
        let mut request = s
            .http
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    let ok_body = batch(vec![online_rate("2026-11-20", 61.5)]).to_string();

    let r = send(ok_body.clone(), None, "application/json")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "missing_idempotency_key"
    );

    let r = send(ok_body.clone(), Some("k1"), "text/plain")
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    let r = send(
        "{\"observations\": [".into(),
        Some("k2"),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "malformed_json"
    );

    let r = send("{\"items\": []}".into(), Some("k3"), "application/json")
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["items"][0]["field"], "observations");

    let four = batch((0..4).map(|n| online_rate(&day(n), 50.0)).collect()).to_string();
    let r = send(four, Some("k4"), "application/json").await.unwrap();
    assert_eq!(r.status(), 422, "more than max_batch items");

    let huge = format!(
        "{{\"observations\": [], \"padding\": \"{}\"}}",
        "x".repeat(3_000)
    );
    let r = send(huge, Some("k5"), "application/json").await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "body_too_large"
    );

    assert_eq!(s.health().await["offset"], 0, "nothing was stored");
    s.stop().await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_replays_the_answer_without_a_second_effect() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let body = batch(vec![online_rate("2026-11-20", 61.5)]);
    let (first_status, first, first_headers) = s.post(&token, "retry-1", &body).await;
    assert_eq!(first_status, 201);
    assert!(first_headers.get("idempotent-replayed").is_none());
    let (second_status, second, second_headers) = s.post(&token, "retry-1", &body).await;
    assert_eq!(second_status, 201);
    assert_eq!(second, first, "the stored answer, byte for byte");
    assert_eq!(second_headers["idempotent-replayed"], "true");
    assert_eq!(
        revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap()
            .len(),
        1,
        "no second revision"
    );
    assert_eq!(s.health().await["offset"], 1, "no second event");

    // the same key with a different body is a client bug, refused
    let (status, error, _) = s
        .post(
            &token,
            "retry-1",
            &batch(vec![online_rate("2026-11-20", 70.0)]),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(error["error"]["code"], "idempotency_key_reused");
    assert_eq!(
        revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap()
            .len(),
        1
    );

    // keys belong to an agency: another agency may use the same key text
    let other = s.token("STC").await;
    let estimate = batch(vec![
        json!({"indicator": "budget.spending.estimate", "area": "14", "period": "2026", "value": 1, "unit": "billion_dong"}),
    ]);
    let (status, _, _) = s.post(&other, "retry-1", &estimate).await;
    assert_eq!(status, 201);
    s.stop().await;
}

#[tokio::test]
async fn concurrent_retries_store_one_batch() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    let body = batch(vec![online_rate("2026-11-20", 61.5)]);
    let attempts: Vec<_> = (0..8).map(|_| s.post(&token, "same", &body)).collect();
    let answers = futures_util::future::join_all(attempts).await;
    assert!(answers.iter().all(|(status, ..)| *status == 201));
    assert!(answers.iter().all(|(_, body, _)| *body == answers[0].1));
    assert_eq!(
        revisions(&s.db, "services.online.rate", "14", "2026-11-20")
            .await
            .unwrap()
            .len(),
        1
    );
    s.stop().await;
}

#[tokio::test]
async fn a_new_value_for_the_same_period_is_a_revision_never_an_overwrite() {
    let s = TestServer::start().await;
    let token = s.token("VPUB").await;
    s.post_ok(&token, &batch(vec![online_rate("2026-11-20", 61.5)]))
        .await;
    let receipt = s
        .post_ok(&token, &batch(vec![online_rate("2026-11-20", 60.25)]))
        .await;
    assert_eq!(receipt["revised"], 1);
    assert_eq!(receipt["items"][0]["revision"], 2);
    let stored = revisions(&s.db, "services.online.rate", "14", "2026-11-20")
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![
            (1, Decimal::from_str("61.5").unwrap()),
            (2, Decimal::from_str("60.25").unwrap())
        ]
    );
    let current = app::store::observations::current_values(&s.db, u64::MAX)
        .await
        .unwrap();
    let value = current
        .iter()
        .find(|v| v.indicator == "services.online.rate")
        .unwrap();
    assert_eq!(
        (value.revision, value.value),
        (2, Decimal::from_str("60.25").unwrap())
    );
    s.stop().await;
}

#[tokio::test]
async fn catalogue_health_and_unknown_api_paths() {
    let s = TestServer::start().await;
    let (status, catalogue) = s.get_json("/api/v1/indicators").await;
    assert_eq!(status, 200, "{catalogue}");
    let revenue = catalogue["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "budget.revenue.ytd")
        .unwrap();
    assert_eq!(revenue["agency"], "KBNN");
    assert_eq!(revenue["cadence"], "daily");
    assert_eq!(revenue["unit"], "dong");
    let health = s.health().await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["epoch"].as_str().unwrap().len(), 16);
    let (status, error) = s.get_json("/api/v1/nope").await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "not_found");
    s.stop().await;
}
