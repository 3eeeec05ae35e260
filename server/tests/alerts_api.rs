//! Alerts end to end through the server: a value posted through the ingest API raises its
//! alert (and the live stream says so to those who may see it), an operator acknowledges
//! it, the value coming back clears it — not while it is within the hysteresis, and the
//! same alert is not raised again in the quiet period —, a person resolves one by hand with
//! a reason; an agency officer sees their agency's alerts only and cannot act, a wall
//! screen sees them and cannot act; late and missing figures and escalation follow the
//! clock (the engine evaluated at a later time); every transition is in the audit trail.
//! One server for the file; runs on SQLite and on PostgreSQL.

mod common;

use app::model::account::Role;
use app::model::LiveFrame;
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

fn today() -> String {
    app::model::format::vietnam_date(time::OffsetDateTime::now_utc()).to_string()
}

fn ontime(value: f64) -> Value {
    json!({"indicator": "services.ontime.rate", "area": "14", "period": today(), "value": value, "unit": "percent"})
}

async fn bearer_get(s: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let r = s
        .http
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A JSON post from a signed-in page: its cookie and our Origin.
async fn browser_post(b: &Browser, path: &str, body: &Value) -> (u16, Value) {
    let r = b
        .client
        .post(format!("{}{path}", b.base))
        .header("Origin", &b.base)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn browser_get(b: &Browser, path: &str) -> (u16, Value) {
    let r = b.get(path).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// The alerts of `rule` and `indicator` the display sees with `status`.
async fn alerts_of(s: &TestServer, status: &str, rule: &str, indicator: &str) -> Vec<Value> {
    let (code, body) = bearer_get(s, &format!("/api/v1/alerts?status={status}"), &s.viewer).await;
    assert_eq!(code, 200, "{body}");
    body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == rule && a["indicator"] == indicator)
        .cloned()
        .collect()
}

/// Waits (up to `within`) until exactly one such alert has `status`, and returns it.
async fn wait_for(
    s: &TestServer,
    status: &str,
    rule: &str,
    indicator: &str,
    within: Duration,
) -> Value {
    let until = tokio::time::Instant::now() + within;
    loop {
        let found = alerts_of(s, status, rule, indicator).await;
        if found.len() == 1 {
            return found[0].clone();
        }
        assert!(
            tokio::time::Instant::now() < until,
            "no single {status} alert of {rule} on {indicator} within {within:?}: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn audit_actions(s: &TestServer) -> Vec<(String, Option<String>)> {
    sqlx::query_as("SELECT action, target FROM audit_log WHERE action LIKE 'alert%' ORDER BY id")
        .fetch_all(&s.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn alerts_over_the_api() {
    let s = TestServer::start().await;
    let vpub = s.token("VPUB").await;
    let operator = s.signed_in_user("trucban", Role::Operator, None).await;
    let officer_vpub = s
        .signed_in_user("cb-vpub", Role::AgencyOfficer, Some("VPUB"))
        .await;
    let officer_stc = s
        .signed_in_user("cb-stc", Role::AgencyOfficer, Some("STC"))
        .await;

    // the wall's stream, to see the alert announced
    let mut wall = s.connect(None).await;
    assert!(matches!(
        next_frame(&mut wall, Duration::from_secs(5)).await,
        LiveFrame::Snapshot { .. }
    ));

    // 1. a value beyond the critical level raises an alert within moments
    let posted = std::time::Instant::now();
    s.post_ok(&vpub, &batch(vec![ontime(85.0)])).await;
    let raised = wait_for(
        &s,
        "open",
        "threshold",
        "services.ontime.rate",
        Duration::from_secs(5),
    )
    .await;
    println!(
        "alert listed {} ms after the POST",
        posted.elapsed().as_millis()
    );
    assert_eq!(raised["severity"], "critical");
    assert_eq!(raised["area"], "14");
    assert_eq!(raised["agency"], "VPUB");
    assert_eq!(raised["value"], json!(85));
    assert_eq!(raised["reason"]["vi"], "85 dưới ngưỡng nguy cấp (90)");
    assert_eq!(raised["rule_name"], "Chỉ tiêu toàn tỉnh vượt ngưỡng");
    assert_eq!(raised["area_name"], "Tỉnh Sơn La");
    assert!(raised["acknowledged"].is_null() && raised["resolved"].is_null());
    let id = raised["id"].as_i64().unwrap();
    // the wall was told, naming the alert and its version
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match next_frame(&mut wall, until - tokio::time::Instant::now()).await {
            LiveFrame::Alerts { changed, .. } => {
                assert!(
                    changed.iter().any(|c| c.id == id && c.version == 1),
                    "{changed:?}"
                );
                break;
            }
            LiveFrame::Delta { .. } | LiveFrame::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    // 2. who sees it: the owning agency's officer, not another agency's
    let (code, body) = browser_get(&officer_vpub, "/api/v1/alerts?status=open").await;
    assert_eq!(code, 200);
    assert!(body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id));
    let (code, body) = browser_get(&officer_stc, "/api/v1/alerts").await;
    assert_eq!(code, 200);
    assert!(
        body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["agency"] == "STC"),
        "{body}"
    );
    let (code, body) = browser_get(&officer_stc, "/api/v1/alerts?agency=VPUB").await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (403, Some("forbidden_agency"))
    );
    let (code, body) = bearer_get(&s, "/api/v1/alerts?status=closed", &s.viewer).await;
    assert_eq!(code, 400);
    assert_eq!(body["error"]["code"], "invalid_status");
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("open, acknowledged, resolved"),
        "{body}"
    );

    // 3. who may act: not an agency officer, not a wall screen, not an agency's system
    let ack = format!("/api/v1/alerts/{id}/ack");
    let (code, body) = browser_post(&officer_vpub, &ack, &json!({"note": "đã biết"})).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    for token in [&s.viewer, &vpub] {
        let r = s
            .http
            .post(format!("{}{ack}", s.base))
            .bearer_auth(token)
            .json(&json!({"note": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    let (code, _) = browser_post(&operator, "/api/v1/alerts/999999/ack", &json!({})).await;
    assert_eq!(code, 404);

    // 4. the operator acknowledges it, once
    let (code, body) = browser_post(
        &operator,
        &ack,
        &json!({"note": "Đã gọi Trung tâm Phục vụ hành chính công"}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "acknowledged");
    assert_eq!(body["acknowledged"]["by"], "Người dùng trucban");
    assert_eq!(
        body["acknowledged"]["note"],
        "Đã gọi Trung tâm Phục vụ hành chính công"
    );
    assert_eq!(body["version"], 2);
    let (code, body) = browser_post(&operator, &ack, &json!({})).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (409, Some("alert_not_open"))
    );

    // 5. back above 95 but within the 2% hysteresis (below 96.9): still acknowledged
    s.post_ok(&vpub, &batch(vec![ontime(96.0)])).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        alerts_of(&s, "acknowledged", "threshold", "services.ontime.rate")
            .await
            .len(),
        1
    );
    // past it: resolved by itself
    s.post_ok(&vpub, &batch(vec![ontime(99.0)])).await;
    let cleared = wait_for(
        &s,
        "resolved",
        "threshold",
        "services.ontime.rate",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(cleared["id"], id);
    assert!(
        cleared["resolved"]["by"].is_null(),
        "cleared by itself: {cleared}"
    );
    // beyond the level again at once: not raised again in the quiet period
    s.post_ok(&vpub, &batch(vec![ontime(80.0)])).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(alerts_of(&s, "open", "threshold", "services.ontime.rate")
        .await
        .is_empty());

    // 6. resolved by hand, with a reason
    s.post_ok(
        &vpub,
        &batch(vec![json!({"indicator": "services.overdue", "area": "14", "period": today(), "value": 250, "unit": "count"})]),
    )
    .await;
    let overdue = wait_for(
        &s,
        "open",
        "threshold",
        "services.overdue",
        Duration::from_secs(5),
    )
    .await;
    let resolve = format!("/api/v1/alerts/{}/resolve", overdue["id"]);
    let (code, body) = browser_post(&operator, &resolve, &json!({"note": "  "})).await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (422, Some("note_required"))
    );
    assert!(
        body["error"]["message_vi"]
            .as_str()
            .unwrap()
            .starts_with("Trường note"),
        "{body}"
    );
    let (code, body) = browser_post(
        &operator,
        &resolve,
        &json!({"note": "Số liệu thử, đã xóa ở hệ thống nguồn"}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["resolved"]["by"], "Người dùng trucban");
    let (code, _) = browser_post(&operator, &resolve, &json!({"note": "lần nữa"})).await;
    assert_eq!(code, 409);

    // 7. every transition is in the audit trail
    let trail = audit_actions(&s).await;
    let target = Some(format!("alert {id}"));
    for action in ["alert_raised", "alert_acknowledged", "alert_cleared"] {
        assert!(
            trail.contains(&(action.to_string(), target.clone())),
            "{action} of {id}: {trail:?}"
        );
    }
    assert!(trail.iter().any(|(a, _)| a == "alert_resolved"));

    shift_log_and_handover(&s, &operator, &officer_vpub).await;
    data_quality(&s, &officer_stc).await;
    explanations(&s, &operator, &officer_vpub, &officer_stc).await;
    late_missing_and_escalation(&s, &operator).await;
    brief(&s, &operator, &officer_stc).await;
    s.stop().await;
}

/// A form post from a signed-in page; the status and where it sends the browser.
async fn form_post(b: &Browser, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let r = b.post_form(path, form).await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap_or_default())
}

/// The shift log: notes and a handover written from the console, the handover listing the
/// alerts still open, confirmed once by the next shift and not by its author; an agency
/// officer writes nothing; the log is append-only in the database.
async fn shift_log_and_handover(s: &TestServer, operator: &Browser, officer: &Browser) {
    let (status, location, _) = form_post(
        operator,
        "/console/log",
        &[("body", "Đã gọi Văn phòng UBND tỉnh về hồ sơ quá hạn")],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/console#shift-log"));
    let (status, _, page) = form_post(operator, "/console/log", &[("body", "   ")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Trường body"), "the page names the field");
    let (status, _, _) = form_post(officer, "/console/log", &[("body", "x")]).await;
    assert_eq!(
        status, 403,
        "an agency officer does not write the shift log"
    );

    let open_now = alerts_of(s, "open", "threshold", "services.overdue")
        .await
        .len()
        + alerts_of(s, "acknowledged", "threshold", "services.overdue")
            .await
            .len();
    let (status, _, _) = form_post(
        operator,
        "/console/handover",
        &[("body", "Ca đêm: theo dõi số liệu Kho bạc")],
    )
    .await;
    assert_eq!(status, 303);
    let handover = app::store::shift_log::last_handover(&mut s.db.acquire().await.unwrap())
        .await
        .unwrap()
        .expect("a handover");
    assert_eq!(handover.author, "Người dùng trucban");
    let unresolved = app::store::alerts::unresolved(&mut s.db.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        handover.open_alerts.len(),
        unresolved.len(),
        "every alert not resolved is listed"
    );
    assert!(open_now == 0 || !handover.open_alerts.is_empty());
    let confirm = format!("/console/handover/{}/confirm", handover.id);
    let (status, _, page) = form_post(operator, &confirm, &[]).await;
    assert_eq!(status, 409, "not confirmed by its author");
    assert!(page.contains("ca sau xác nhận"), "{page}");
    // the next shift reads it on the console and confirms it
    let next = s.signed_in_user("trucca2", Role::Operator, None).await;
    let console = next.get("/console").await.text().await.unwrap();
    assert!(console.contains("Ca đêm: theo dõi số liệu Kho bạc"));
    assert!(
        console.contains(&format!("action=\"{confirm}\"")),
        "a confirm button for the next shift"
    );
    let (status, _, _) = form_post(&next, &confirm, &[]).await;
    assert_eq!(status, 303);
    let (status, _, _) = form_post(&next, &confirm, &[]).await;
    assert_eq!(status, 409, "confirmed once");
    let confirmed = app::store::shift_log::get(&mut s.db.acquire().await.unwrap(), handover.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        confirmed.confirmed.map(|(_, by)| by),
        Some("Người dùng trucca2".to_string())
    );
    // append-only: the database refuses an edit or a deletion
    assert!(
        sqlx::query("UPDATE shift_log SET body = 'sửa' WHERE id = $1")
            .bind(handover.id)
            .execute(&s.db)
            .await
            .is_err()
    );
    assert!(sqlx::query("DELETE FROM shift_log WHERE id = $1")
        .bind(handover.id)
        .execute(&s.db)
        .await
        .is_err());
    let trail = audit_actions_all(s).await;
    for action in [
        "shift_note_written",
        "shift_handed_over",
        "shift_handover_confirmed",
    ] {
        assert!(trail.iter().any(|a| a == action), "{action} in {trail:?}");
    }
}

async fn audit_actions_all(s: &TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&s.db)
        .await
        .unwrap()
}

/// `GET /api/v1/quality`: a refused batch counts against the agency's validity (its items),
/// a figure revised twice against its consistency; an officer sees their agency only; a
/// month in the future or not a month is refused.
async fn data_quality(s: &TestServer, officer_stc: &Browser) {
    let tkt = s.token("TKT").await;
    let last_month = {
        let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc());
        app::model::Period::containing(
            app::model::PeriodKind::Month,
            today.replace_day(1).unwrap() - time::Duration::days(1),
        )
    };
    let index = |value: f64| json!({"indicator": "economy.industry.index", "area": "14", "period": last_month.to_string(), "value": value, "unit": "percent"});
    // a batch refused: two items, one of them bad
    let r = s
        .http
        .post(format!("{}/api/v1/observations", s.base))
        .bearer_auth(&tkt)
        .header("Idempotency-Key", "quality-bad")
        .json(&batch(vec![index(101.5), json!({"indicator": "economy.industry.index", "area": "14", "period": "tháng mười", "value": 1, "unit": "percent"})]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // then sent right, and corrected twice
    for value in [101.5, 101.7, 101.6] {
        s.post_ok(&tkt, &batch(vec![index(value)])).await;
    }
    let (code, body) = bearer_get(s, "/api/v1/quality", &s.viewer).await;
    assert_eq!(code, 200, "{body}");
    let row = body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == "TKT")
        .cloned()
        .expect("TKT listed");
    assert_eq!(
        row["validity"],
        json!(60),
        "3 items stored, 2 refused: {row}"
    );
    assert_eq!(
        row["consistency"],
        json!(0),
        "its one figure revised twice: {row}"
    );
    let (expected, received) = (
        row["expected"].as_u64().unwrap(),
        row["received"].as_u64().unwrap(),
    );
    if expected > 0 {
        // last month's report is due by the 15th: sent, so complete
        assert_eq!((expected, received), (1, 1));
        assert_eq!(row["completeness"], json!(100));
    } else {
        assert!(
            row["completeness"].is_null() && row["rank"].is_null(),
            "nothing due yet: unranked: {row}"
        );
    }
    assert_eq!(body["month"].as_str().unwrap().len(), 7);
    // an officer sees their own agency
    let (code, body) = browser_get(officer_stc, "/api/v1/quality").await;
    assert_eq!(code, 200);
    assert!(
        body["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["agency"] == "STC"),
        "{body}"
    );
    for bad in ["2999-01", "2026-13", "2026-Q1", "12/2026"] {
        let (code, body) = bearer_get(s, &format!("/api/v1/quality?month={bad}"), &s.viewer).await;
        assert_eq!(
            (code, body["error"]["code"].as_str()),
            (400, Some("invalid_month")),
            "{bad}"
        );
    }
    let (code, _) = bearer_get(s, &format!("/api/v1/quality?month={last_month}"), &s.viewer).await;
    assert_eq!(code, 200);
    // the agency's officer sees the score on their overview
    let officer_tkt = s
        .signed_in_user("cb-tkt", Role::AgencyOfficer, Some("TKT"))
        .await;
    let score: rust_decimal::Decimal = row["score"].to_string().parse().unwrap();
    let overview = officer_tkt.get("/").await.text().await.unwrap();
    let line = format!(
        "{} điểm",
        app::model::format::number(score, 1, app::model::Locale::Vi)
    );
    assert!(
        overview.contains("Chất lượng số liệu tháng") && overview.contains(&line),
        "{line} on the officer's overview"
    );
    // the operator's console shows the table
    let console = officer_stc.get("/console").await.text().await.unwrap();
    assert!(
        console.contains("Chất lượng số liệu tháng"),
        "the officer's console has their row"
    );
}

/// The leader's brief: a dated snapshot of what is red, with the alerts and tasks of the
/// viewer's scope; installable (manifest, service worker, icons); signing out clears what
/// the browser kept.
async fn brief(s: &TestServer, operator: &Browser, officer_stc: &Browser) {
    let vpub = s.token("VPUB").await;
    s.post_ok(&vpub, &batch(vec![ontime(80.0)])).await;
    let page = operator.get("/brief").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-brief="live""#));
    assert!(html.contains(r#"<link rel="manifest" href="/manifest.webmanifest""#));
    assert!(html.contains(r#"<script src="/assets/brief.js" defer"#));
    assert!(!html.contains("/pkg/ioc.js"), "no WASM on the brief");
    // when it was read, in Vietnam's time, and the line an offline copy shows
    let now = time::OffsetDateTime::now_utc().to_offset(app::model::format::VIETNAM);
    let day = format!(
        "ngày {:02}/{:02}/{}",
        now.day(),
        u8::from(now.month()),
        now.year()
    );
    assert!(
        html.contains("Số liệu lúc ") && html.contains(&day),
        "dated: {day}"
    );
    assert!(html.contains(" — đang ngoại tuyến"));
    // what is red: the on-time rate, with its figure, as-of and source
    let red = html
        .split(r#"id="brief-red""#)
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap()
        .to_string();
    assert!(
        red.contains(r#"data-indicator="services.ontime.rate" data-band="critical""#)
            && red.contains("80,0")
            && red.contains("số liệu đến")
            && red.contains("VP UBND tỉnh"),
        "{red}"
    );
    // the alerts not resolved — the escalated first, marked so —, and the tasks part
    let unresolved = |body: Value| -> Vec<Value> {
        body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["status"] != "resolved")
            .cloned()
            .collect()
    };
    let all = unresolved(browser_get(operator, "/api/v1/alerts").await.1);
    assert!(!all.is_empty());
    assert!(html.contains(&format!("Cảnh báo chưa đóng: {}", all.len())));
    let escalated = all.iter().find(|a| !a["escalated_at"].is_null()).unwrap();
    let alerts = html.split(r#"id="brief-alerts""#).nth(1).unwrap();
    assert!(
        alerts.contains(escalated["reason"]["vi"].as_str().unwrap())
            && alerts.contains("Đã chuyển lãnh đạo"),
        "the escalated alert first: {alerts}"
    );
    assert!(html.contains("Nhiệm vụ quá hạn:"));
    // an agency's officer: their agency's alerts only
    let theirs = officer_stc.get("/brief").await.text().await.unwrap();
    let own = unresolved(browser_get(officer_stc, "/api/v1/alerts").await.1);
    assert!(own.len() < all.len());
    assert!(
        theirs.contains(&format!("Cảnh báo chưa đóng: {}", own.len())),
        "STC's alerts only"
    );
    // in English
    let en = operator.get("/brief?lang=en").await.text().await.unwrap();
    assert!(en.contains("Figures as of ") && en.contains("Critical: "));
    // nobody signed in: the sign-in page
    let anonymous = Browser::new(s).get("/brief").await;
    assert!(
        anonymous.status().is_redirection() || anonymous.url().path() == "/login",
        "{}",
        anonymous.status()
    );
    // what makes it installable
    for (path, kind) in [
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/brief-sw.js", "text/javascript; charset=utf-8"),
        ("/assets/brief.js", "text/javascript; charset=utf-8"),
        ("/assets/icon-192.png", "image/png"),
        ("/assets/icon-512.png", "image/png"),
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], kind, "{path}");
    }
    let manifest: Value = s
        .http
        .get(format!("{}/manifest.webmanifest", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["start_url"], "/brief");
    assert_eq!(manifest["display"], "standalone");
    // signing out clears what the browser kept of the brief
    let leaving = s
        .signed_in_user("ra-ve", Role::Leader, None)
        .await
        .post_form("/logout", &[])
        .await;
    assert_eq!(
        leaving
            .headers()
            .get("clear-site-data")
            .map(|v| v.to_str().unwrap()),
        Some("\"storage\"")
    );
}

/// The next list of explanations on `ws` (values and notices skipped).
async fn explanations_sent(ws: &mut Socket) -> Vec<app::model::explanation::ExplanationNote> {
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match next_frame(ws, until - tokio::time::Instant::now()).await {
            LiveFrame::Explanations { standing, .. } => return standing,
            LiveFrame::Delta { .. } | LiveFrame::Heartbeat { .. } | LiveFrame::Alerts { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Explanations: the operator asks the owning agency to explain a value by a time (from an
/// alert on the console); its officer explains it (the request answered), not another
/// agency's officer, not the operator; every bad field named; it stands for everyone until
/// the next figure arrives, and reaches every screen's stream the moment it is written.
async fn explanations(
    s: &TestServer,
    operator: &Browser,
    officer_vpub: &Browser,
    officer_stc: &Browser,
) {
    let vpub = s.token("VPUB").await;
    s.post_ok(&vpub, &batch(vec![ontime(84.0)])).await;
    let due = (time::OffsetDateTime::now_utc() + time::Duration::hours(4))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let ask = json!({"indicator": "services.ontime.rate", "area": "14", "due_at": due, "note": "Báo cáo trước 17:00"});
    let (code, _) = browser_post(officer_vpub, "/api/v1/explanation-requests", &ask).await;
    assert_eq!(code, 403, "an officer does not ask");
    let (code, body) = browser_post(operator, "/api/v1/explanation-requests", &ask).await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["agency"], "VPUB");
    let (code, body) = browser_post(
        operator,
        "/api/v1/explanation-requests",
        &json!({"indicator": "nope", "area": "99", "due_at": "hôm nay"}),
    )
    .await;
    assert_eq!(code, 422);
    let fields: Vec<&str> = body["error"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["indicator", "area", "due_at"]);
    // the agency's officer sees the request
    let (code, body) = browser_get(officer_vpub, "/api/v1/explanations").await;
    assert_eq!(code, 200);
    let requests = body["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{body}");
    assert_eq!(requests[0]["overdue"], false);
    let (_, body) = browser_get(officer_stc, "/api/v1/explanations").await;
    assert!(
        body["requests"].as_array().unwrap().is_empty(),
        "another agency's request is not theirs"
    );
    // who may explain
    let explanation = json!({
        "indicator": "services.ontime.rate", "area": "14",
        "why": "Phần mềm một cửa lỗi hai ngày, hồ sơ chưa được cập nhật trạng thái",
        "action": "Đang nhập bổ sung trạng thái hồ sơ", "by": null
    });
    for who in [operator, officer_stc] {
        let (code, _) = browser_post(who, "/api/v1/explanations", &explanation).await;
        assert_eq!(code, 403);
    }
    // a wall connected now is sent the explanations in date the moment one is written
    let mut wall = s.connect(None).await;
    assert!(matches!(
        next_frame(&mut wall, Duration::from_secs(5)).await,
        LiveFrame::Snapshot { .. }
    ));
    let (code, body) = browser_post(
        officer_vpub,
        "/api/v1/explanations",
        &json!({"indicator": "services.ontime.rate", "area": "14", "why": "", "action": "x", "expires_on": "2020-01-01"}),
    )
    .await;
    assert_eq!(code, 422);
    assert!(
        body["error"]["items"][0]["message_vi"]
            .as_str()
            .unwrap()
            .starts_with("Trường why"),
        "{body}"
    );
    let written = std::time::Instant::now();
    let (code, body) = browser_post(officer_vpub, "/api/v1/explanations", &explanation).await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["author"], "Người dùng cb-vpub");
    let sent = explanations_sent(&mut wall).await;
    println!(
        "explanation on the wall's stream {} ms after the POST",
        written.elapsed().as_millis()
    );
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].id, body["id"].as_i64().unwrap());
    assert!(
        sent[0]
            .vi
            .starts_with("Giải trình: Phần mềm một cửa lỗi hai ngày")
            && sent[0].vi.contains(" — Người dùng cb-vpub, "),
        "{}",
        sent[0].vi
    );
    assert!(sent[0].en.starts_with("Explanation: "));
    assert!(sent[0].figure_ms.is_some(), "the figure it explains");
    // a screen that connects later gets them after its first frame
    let mut later = s.connect(None).await;
    assert!(matches!(
        next_frame(&mut later, Duration::from_secs(5)).await,
        LiveFrame::Snapshot { .. }
    ));
    match next_frame(&mut later, Duration::from_secs(5)).await {
        LiveFrame::Explanations { standing, .. } => assert_eq!(standing, sent),
        other => panic!("expected the explanations, got {other:?}"),
    }
    // it answered the request; everyone who sees the value sees it
    let (_, body) = bearer_get(s, "/api/v1/explanations", &s.viewer).await;
    assert!(
        body["requests"].as_array().unwrap().is_empty(),
        "answered: {body}"
    );
    let standing = body["explanations"].as_array().unwrap();
    assert_eq!(standing.len(), 1);
    assert_eq!(
        standing[0]["why"],
        "Phần mềm một cửa lỗi hai ngày, hồ sơ chưa được cập nhật trạng thái"
    );
    let console = operator.get("/console").await.text().await.unwrap();
    assert!(console.contains("Phần mềm một cửa lỗi hai ngày"));
    // the next figure ends it
    tokio::time::sleep(Duration::from_millis(10)).await;
    s.post_ok(&vpub, &batch(vec![ontime(86.0)])).await;
    let (_, body) = bearer_get(s, "/api/v1/explanations", &s.viewer).await;
    assert!(
        body["explanations"].as_array().unwrap().is_empty(),
        "the next figure arrived: {body}"
    );
    let trail = audit_actions_all(s).await;
    assert!(
        trail.iter().any(|a| a == "explanation_requested")
            && trail.iter().any(|a| a == "explanation_written")
    );
}

fn hub_limits() -> server::hub::HubLimits {
    server::hub::HubLimits {
        retain_events: 1000,
        client_queue: 16,
        heartbeat: Duration::from_secs(10),
        write_timeout: Duration::from_secs(10),
        connections_per_address: 10,
    }
}

/// The engine evaluated at chosen times (its own pass, as the leader runs it), with the
/// province's late and missing rules under codes of their own (so the server's engine,
/// evaluating at the real time, keeps to its own alerts): a working day's figure is late
/// one minute after the next working day's 17:00, not before; the treasury's daily
/// revenue, never sent, is missing at 17:30; an alert nobody acknowledged goes to the
/// leaders after the rule's time, once; the late figure arriving clears it.
async fn late_missing_and_escalation(s: &TestServer, operator: &Browser) {
    let kbnn = s.token("KBNN").await;
    let catalogue = Arc::new(server::province::load(&server::province::demo()).unwrap());
    let rules: Vec<app::model::alert::AlertRule> =
        server::province::alert_rules(&server::province::demo(), &catalogue)
            .unwrap()
            .into_iter()
            .filter(|r| matches!(r.code.as_str(), "late.daily" | "missing.treasury"))
            .map(|mut r| {
                r.code = format!("test.{}", r.code);
                r
            })
            .collect();
    assert_eq!(rules.len(), 2);
    let vietnam = app::model::format::VIETNAM;
    let at = |day: time::Date, h: u8, m: u8| day.with_hms(h, m, 0).unwrap().assume_offset(vietnam);
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    // a working day two weeks ago, and the working day after it
    let mut d0 = app::model::format::vietnam_date(time::OffsetDateTime::now_utc())
        - time::Duration::days(14);
    while !catalogue.calendar.is_working_day(d0) {
        d0 = d0.previous_day().unwrap();
    }
    let d1 = catalogue.calendar.working_day_after(d0).unwrap();
    let spending = |day: time::Date, value: &str, as_of: time::OffsetDateTime| {
        batch(vec![json!({
            "indicator": "budget.spending.ytd", "area": "14", "period": day.to_string(),
            "value": value.parse::<u64>().unwrap(), "unit": "dong", "as_of": rfc3339(as_of)
        })])
    };
    s.post_ok(&kbnn, &spending(d0, "12000000000000", at(d0, 17, 0)))
        .await;
    let engine = |hub| server::alerts::engine::Engine {
        db: s.db.clone(),
        catalogue: catalogue.clone(),
        rules: rules.clone().into(),
        hub,
    };
    let hub = || async {
        Arc::new(
            server::hub::Hub::load(
                &s.db,
                hub_limits(),
                server::hub::VisibilityRules::new(&catalogue, Default::default()),
            )
            .await
            .unwrap(),
        )
    };
    let e = engine(hub().await);
    let open = |rule: &'static str, indicator: &'static str| async move {
        let all = app::store::alerts::unresolved(&mut s.db.acquire().await.unwrap())
            .await
            .unwrap();
        all.into_iter()
            .find(|a| a.rule == rule && a.indicator == indicator)
    };

    e.pass(at(d1, 16, 59)).await.unwrap();
    assert!(
        open("test.late.daily", "budget.spending.ytd")
            .await
            .is_none(),
        "not late before 17:00"
    );
    // revenue was never sent: missing once the day before's 17:30 has passed; spending is not
    assert!(open("test.missing.treasury", "budget.revenue.ytd")
        .await
        .is_some());
    assert!(open("test.missing.treasury", "budget.spending.ytd")
        .await
        .is_none());
    e.pass(at(d1, 17, 1)).await.unwrap();
    let late = open("test.late.daily", "budget.spending.ytd")
        .await
        .expect("late at 17:01");
    assert_eq!(late.agency, "KBNN");
    assert!(
        late.reason.vi.starts_with("Chậm cập nhật"),
        "{:?}",
        late.reason
    );
    assert!(late.escalated_at.is_none());
    // an hour on, nobody acknowledged it: escalated, once
    let changed = e.pass(at(d1, 18, 2)).await.unwrap();
    assert!(changed
        .iter()
        .any(|a| a.id == late.id && a.escalated_at.is_some()));
    let again = e.pass(at(d1, 18, 30)).await.unwrap();
    assert!(!again.iter().any(|a| a.id == late.id), "escalated once");
    // those who act see the escalated alerts nobody acknowledged on their overview
    let escalated = app::store::alerts::unresolved(&mut s.db.acquire().await.unwrap())
        .await
        .unwrap()
        .iter()
        .filter(|a| a.escalated_at.is_some() && a.acknowledged.is_none())
        .count();
    assert!(escalated >= 1);
    let overview = operator.get("/").await.text().await.unwrap();
    assert!(
        overview.contains(&format!(
            "Cảnh báo chuyển lãnh đạo, chưa ai nhận: {escalated}"
        )),
        "{escalated} escalated on the operator's overview"
    );
    // a wall: its URL's token exchanged for a display session, then the overview
    let wall = Browser::new(s);
    wall.get(&format!("/?display={}", s.viewer)).await;
    let wall = wall.get("/").await.text().await.unwrap();
    assert!(
        wall.contains("tile") && !wall.contains("Cảnh báo chuyển lãnh đạo"),
        "a wall screen does not act on alerts"
    );
    // the figure arrives at 18:40: the late alert clears
    s.post_ok(&kbnn, &spending(d1, "12100000000000", at(d1, 18, 40)))
        .await;
    let e = engine(hub().await);
    e.pass(at(d1, 18, 45)).await.unwrap();
    assert!(open("test.late.daily", "budget.spending.ytd")
        .await
        .is_none());
    let resolved = app::store::alerts::get(&mut s.db.acquire().await.unwrap(), late.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resolved.status, app::model::alert::Status::Resolved);
    assert!(resolved.resolved.as_ref().is_some_and(|r| r.by.is_none()));
}
