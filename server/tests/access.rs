//! Who may see, submit and change what — against the real server: each role's reads and
//! writes (pages, API, live frames), display tokens and their revocation, foreign origins,
//! oversized frames, brute-force lockout, session rotation and the audit trail.

mod common;

use app::model::account::Role;
use app::model::LiveFrame;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

async fn audit_actions(s: &TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&s.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn strangers_see_nothing_but_the_sign_in_page() {
    let s = TestServer::start().await;
    let page = s.http.get(format!("{}/", s.base)).send().await.unwrap();
    assert!(
        page.url().path().starts_with("/login"),
        "redirected to sign in, at {}",
        page.url()
    );
    let (status, error) = {
        let r = s
            .http
            .get(format!("{}/api/v1/indicators", s.base))
            .send()
            .await
            .unwrap();
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap(),
        )
    };
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], "unauthorized");
    assert_eq!(
        s.http
            .get(format!("{}/api/v1/health", s.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    match tokio_tungstenite::connect_async(s.live_request(None, None)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let login = s
        .http
        .get(format!("{}/login", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let headers = login.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'nonce-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let body = login.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the nonce"
    );
    s.stop().await;
}

#[tokio::test]
async fn each_role_reads_and_writes_what_it_may() {
    let s = TestServer::start().await;
    // a figure only the PPC Office and those who see everything may see
    let office = s.token("VPUB").await;
    s.post_ok(&office, &batch(vec![json!({"indicator": "services.satisfaction.rate", "area": "14", "period": "2026-10", "value": 91.5, "unit": "percent"})])).await;
    s.post_ok(&office, &batch(vec![online_rate("2026-11-20", 60.0)]))
        .await;
    // a figure of the Department of Finance that is not on the overview
    let finance = s.token("STC").await;
    s.post_ok(&finance, &batch(vec![json!({"indicator": "budget.revenue.same_period", "area": "14", "period": "2026-11-20", "value": 104.5, "unit": "percent"})])).await;

    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let leader = s
        .sign_in("lanhdao", &s.user("lanhdao", Role::Leader, None).await)
        .await;
    let operator = s
        .sign_in("truc", &s.user("truc", Role::Operator, None).await)
        .await;
    let officer = s
        .sign_in(
            "stc.canbo",
            &s.user("stc.canbo", Role::AgencyOfficer, Some("STC")).await,
        )
        .await;

    // pages
    for (who, browser) in [
        ("admin", &admin),
        ("leader", &leader),
        ("operator", &operator),
        ("officer", &officer),
    ] {
        let overview = browser.get("/").await;
        assert_eq!(overview.status(), 200, "{who} sees the overview");
        let page = overview.text().await.unwrap();
        let own_section = page.contains("Số liệu của Sở Tài chính")
            && page.contains(r#"data-indicator="budget.revenue.same_period""#);
        assert_eq!(
            own_section,
            who == "officer",
            "{who}: the agency's own figures on the overview"
        );
        let admin_page = browser.get("/admin").await;
        let submit_page = browser.get("/submit").await;
        assert_eq!(
            admin_page.status(),
            if who == "admin" { 200 } else { 403 },
            "{who} on /admin"
        );
        assert_eq!(
            submit_page.status(),
            if who == "officer" { 200 } else { 403 },
            "{who} on /submit"
        );
    }
    let admin_page = admin.get("/admin").await.text().await.unwrap();
    assert!(
        admin_page.contains("stc.canbo"),
        "the admin sees the accounts"
    );
    // form screens are plain HTML: no WASM, and their data is not sent a second time for it
    assert!(!admin_page.contains("/pkg/ioc.js"), "no script on /admin");
    assert!(
        !admin_page.contains("__RESOLVED_RESOURCES[0]"),
        "no serialised copy of the page's data"
    );
    assert!(
        admin
            .get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("/pkg/ioc.js"),
        "the live overview hydrates"
    );
    // each live screen loads its own bundle, and only that one
    for (path, bundle) in [
        ("/money", "/pkg/ioc-money.js"),
        ("/services", "/pkg/ioc-services.js"),
    ] {
        let page = admin.get(path).await.text().await.unwrap();
        assert!(page.contains(bundle), "{path} hydrates with {bundle}");
        assert!(
            !page.contains("/pkg/ioc.js"),
            "{path} does not load the overview's bundle"
        );
        // the screen is one island whose props are its data, sent once
        assert_eq!(
            page.matches("<leptos-island").count(),
            1,
            "{path}: one island"
        );
        assert!(
            page.contains("data-props="),
            "{path}: the island carries its data"
        );
        assert!(
            !page.contains("__RESOLVED_RESOURCES[0]"),
            "{path}: and no second copy of it"
        );
    }
    // … in the compact encoding, read back as the browser reads it
    let overview: app::model::Overview = screen_data(&admin.get("/").await.text().await.unwrap());
    assert_eq!(overview.map.shapes.len(), 75, "the map's communes");
    assert!(
        overview.map.shapes.iter().all(|s| s.path.is_empty()),
        "but not their shapes: the server draws the map"
    );
    let money: app::model::money::MoneyScreen =
        screen_data(&admin.get("/money").await.text().await.unwrap());
    assert!(!money.registry.projects.is_empty(), "the project registry");
    let services: app::model::services::ServicesScreen =
        screen_data(&admin.get("/services").await.text().await.unwrap());
    assert!(
        services.index.is_none(),
        "the 766 ranking is drawn by the server, not sent"
    );

    // writes: only an officer submits, only for their agency; only the admin administers
    let estimate = [
        ("key", "k1"),
        ("indicator", "budget.spending.estimate"),
        ("area", "14"),
        ("period", "2026"),
        ("value", "4860,5"),
        ("unit", "billion_dong"),
    ];
    assert_eq!(officer.post_form("/submit", &estimate).await.status(), 201);
    assert_eq!(
        officer.post_form("/submit", &estimate).await.status(),
        201,
        "a resubmitted form is a replay"
    );
    let stored =
        app::store::observations::revisions(&s.db, "budget.spending.estimate", "14", "2026")
            .await
            .unwrap();
    assert_eq!(stored.len(), 1, "stored once");
    assert_eq!(
        stored[0].1.to_string(),
        "4860500000000",
        "the decimal comma is read exactly"
    );
    let foreign = [
        ("key", "k2"),
        ("indicator", "services.online.rate"),
        ("area", "14"),
        ("period", "2026-11-21"),
        ("value", "70"),
        ("unit", "percent"),
    ];
    let refused = officer.post_form("/submit", &foreign).await;
    assert_eq!(refused.status(), 403, "another agency's indicator");
    assert!(
        app::store::observations::revisions(&s.db, "services.online.rate", "14", "2026-11-21")
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
    for browser in [&leader, &operator, &admin] {
        assert_eq!(browser.post_form("/submit", &estimate).await.status(), 403);
    }
    for browser in [&leader, &operator, &officer] {
        let r = browser
            .post_form("/admin/tokens", &[("agency", "STC"), ("label", "x")])
            .await;
        assert_eq!(r.status(), 403);
    }
    let created = admin
        .post_form("/admin/tokens", &[("agency", "STC"), ("label", "TABMIS")])
        .await;
    assert_eq!(created.status(), 201);
    let page = created.text().await.unwrap();
    assert!(page.contains("ioc_"), "the new token is shown once");
    assert!(
        !admin
            .get("/admin?tab=tokens")
            .await
            .text()
            .await
            .unwrap()
            .contains(page.split("ioc_").nth(1).unwrap().get(..20).unwrap()),
        "and never again"
    );

    // live frames: the officer sees the overview and their agency, not the PPC Office's other figures
    let frames = |browser: &Browser| s.live_request_of(browser);
    let (mut ws, _) = tokio_tungstenite::connect_async(frames(&officer))
        .await
        .unwrap();
    let LiveFrame::Snapshot { values, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!()
    };
    let codes: Vec<&str> = values.iter().map(|v| v.indicator.as_str()).collect();
    assert!(
        codes.contains(&"budget.spending.estimate"),
        "their own agency's figure: {codes:?}"
    );
    assert!(
        codes.contains(&"services.online.rate"),
        "an overview figure: {codes:?}"
    );
    assert!(
        !codes.contains(&"services.satisfaction.rate"),
        "not another agency's figure: {codes:?}"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(frames(&leader))
        .await
        .unwrap();
    let LiveFrame::Snapshot { values, .. } = next_data_frame(&mut ws, WAIT).await else {
        panic!()
    };
    assert!(
        values
            .iter()
            .any(|v| v.indicator == "services.satisfaction.rate"),
        "a leader sees everything"
    );

    let actions = audit_actions(&s).await;
    for action in ["user_created", "login", "data_submitted", "token_created"] {
        assert!(
            actions.iter().any(|a| a == action),
            "audited: {action} in {actions:?}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn only_display_pages_may_be_framed_and_only_by_the_configured_site() {
    let portal = "https://portal.sonla.gov.vn";
    let s = TestServer::start_with(|c| c.display_frame_ancestors = vec![portal.to_string()]).await;
    let frame_policy = |r: &reqwest::Response| {
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        let policy = csp.split("frame-ancestors ").nth(1).unwrap().to_string();
        (policy, r.headers().get("x-frame-options").cloned())
    };

    let display = s
        .http
        .get(format!("{}/", s.base))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(display.status(), 200);
    assert_eq!(frame_policy(&display), (portal.to_string(), None));

    let officer = s
        .sign_in("lanhdao", &s.user("lanhdao", Role::Leader, None).await)
        .await;
    let page = officer.get("/").await;
    assert_eq!(page.status(), 200);
    let (policy, x_frame) = frame_policy(&page);
    assert_eq!(policy, "'none'");
    assert_eq!(x_frame.unwrap(), "DENY");
    s.stop().await;

    // without the setting, a display's page is not framable either
    let s = TestServer::start().await;
    let display = s
        .http
        .get(format!("{}/", s.base))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(frame_policy(&display).0, "'none'");
    s.stop().await;
}

#[tokio::test]
async fn a_display_is_read_only_and_its_revocation_closes_its_socket() {
    let s = TestServer::start_with(|c| c.heartbeat_secs = 1).await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let created = admin
        .post_form("/admin/displays", &[("name", "Tường LED phòng họp")])
        .await;
    assert_eq!(created.status(), 201);
    let page = created.text().await.unwrap();
    let token = format!(
        "iocd_{}",
        page.split("iocd_")
            .nth(1)
            .unwrap()
            .chars()
            .take(64)
            .collect::<String>()
    );

    // the wall URL is exchanged for a display session and the token leaves the address
    let wall = Browser::new(&s);
    let exchanged = wall.get(&format!("/?display={token}&lang=en")).await;
    assert_eq!(exchanged.status(), 303);
    assert_eq!(exchanged.headers()["location"], "/?lang=en");
    assert_eq!(wall.get("/").await.status(), 200);
    assert_eq!(
        wall.post_form(
            "/submit",
            &[("key", "k"), ("csv", "indicator,area,period,value,unit\n")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(wall.get("/admin").await.status(), 403);

    let mut ws = tokio_tungstenite::connect_async(s.live_request(None, Some(&token)))
        .await
        .unwrap()
        .0;
    next_data_frame(&mut ws, WAIT).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM displays WHERE name = 'Tường LED phòng họp'")
        .fetch_one(&s.db)
        .await
        .unwrap();
    let revoked_at = Instant::now();
    assert_eq!(
        admin
            .post_form(&format!("/admin/displays/{id}/revoke"), &[])
            .await
            .status(),
        303
    );
    let close = loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("closed within seconds")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(
        u16::from(close.unwrap().code),
        app::model::live::CLOSE_REVOKED
    );
    assert!(revoked_at.elapsed() < Duration::from_secs(3));
    let after = wall.get("/").await;
    assert_eq!(after.status(), 303);
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "its session is over too"
    );
    match tokio_tungstenite::connect_async(s.live_request(None, Some(&token))).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let actions = audit_actions(&s).await;
    for action in [
        "display_created",
        "display_session_started",
        "display_revoked",
    ] {
        assert!(actions.iter().any(|a| a == action), "audited: {action}");
    }
    s.stop().await;
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_sockets() {
    let s = TestServer::start_with(|c| c.heartbeat_secs = 1).await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let password = s.user("lanhdao", Role::Leader, None).await;
    let leader = s.sign_in("lanhdao", &password).await;
    let mut request = s.live_request(None, None);
    request
        .headers_mut()
        .insert("Cookie", leader.cookie().parse().unwrap());
    request
        .headers_mut()
        .insert("Origin", s.base.parse().unwrap());
    let mut ws = tokio_tungstenite::connect_async(request).await.unwrap().0;
    next_data_frame(&mut ws, WAIT).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'lanhdao'")
        .fetch_one(&s.db)
        .await
        .unwrap();
    assert_eq!(
        admin
            .post_form(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status(),
        303
    );
    let closed = tokio::time::timeout(WAIT, async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Close(frame) = msg {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("closed within seconds");
    assert_eq!(closed, Some(app::model::live::CLOSE_REVOKED));
    let after = leader.get("/").await;
    assert_eq!(after.status(), 303);
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login"),
        "the session is over"
    );
    // and it cannot sign in again
    let again = Browser::new(&s)
        .post_form(
            "/login",
            &[
                ("username", "lanhdao"),
                ("password", &password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(again.headers()["location"], "/login?error=invalid&next=/");
    s.stop().await;
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let evil = "http://evil.example";
    let r = admin
        .client
        .post(format!("{}/admin/tokens", s.base))
        .header("Origin", evil)
        .form(&[("agency", "STC")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // the screens' data is read while their pages render: there is no server-function
    // surface to call from anywhere
    for path in ["/rpc/admin", "/rpc/overview", "/rpc/submit", "/rpc/account"] {
        let r = admin
            .client
            .post(format!("{}{path}", s.base))
            .header("Origin", &s.base)
            .form(&[("locale", "vi")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = admin
        .client
        .post(format!("{}/admin/tokens", s.base))
        .form(&[("agency", "STC")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        403,
        "a cookie-carrying change without an Origin"
    );
    let mut request = s.live_request(None, None);
    request
        .headers_mut()
        .insert("Cookie", admin.cookie().parse().unwrap());
    request
        .headers_mut()
        .insert("Origin", evil.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    assert_eq!(
        app::store::tokens::list(&s.db).await.unwrap().len(),
        0,
        "no token was made"
    );
    s.stop().await;
}

#[tokio::test]
async fn an_oversized_client_frame_closes_the_connection() {
    let s = TestServer::start().await;
    let mut ws = s.connect(None).await;
    next_data_frame(&mut ws, WAIT).await;
    ws.send(Message::Text("x".repeat(20 * 1024).into()))
        .await
        .unwrap();
    let ended = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the server ends the connection");
    s.stop().await;
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account() {
    let s = TestServer::start().await;
    let password = s.user("lanhdao", Role::Leader, None).await;
    let browser = Browser::new(&s);
    for _ in 0..5 {
        let r = browser
            .post_form(
                "/login",
                &[
                    ("username", "lanhdao"),
                    ("password", "sai mật khẩu"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert!(r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?error=invalid"));
    }
    // now even the right password is refused, with the reason in Vietnamese
    let locked = browser
        .post_form(
            "/login",
            &[
                ("username", "lanhdao"),
                ("password", &password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(locked.status(), 429);
    assert!(locked.text().await.unwrap().contains("tạm khóa 15 phút"));
    let actions = audit_actions(&s).await;
    assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 5);
    assert!(actions.iter().any(|a| a == "login_locked"));
    s.stop().await;
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let s = TestServer::start().await;
    let password = s.user("lanhdao", Role::Leader, None).await;
    let browser = Browser::new(&s);
    // a session exists before signing in (a display's), to see it replaced
    let display = s.display("x").await.1;
    browser.get(&format!("/?display={display}")).await;
    let before = browser.cookie();
    assert!(before.starts_with("ioc_session="));
    browser
        .post_form(
            "/login",
            &[
                ("username", "lanhdao"),
                ("password", &password),
                ("next", "/"),
            ],
        )
        .await;
    let after = browser.cookie();
    assert_ne!(before, after, "a new session id after signing in");
    let set_cookie = Browser::new(&s)
        .post_form(
            "/login",
            &[("username", "lanhdao"), ("password", password.as_str())],
        )
        .await;
    let cookie = set_cookie.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        cookie.contains("httponly") && cookie.contains("samesite=lax") && cookie.contains("path=/"),
        "{cookie}"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_audit_trail_is_append_only_and_its_failure_undoes_the_action() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    assert!(sqlx::query("UPDATE audit_log SET action = 'x'")
        .execute(&s.db)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(&s.db)
        .await
        .is_err());
    // make the audit write of token creation fail: the token must not be created
    if common::on_postgres() {
        assert!(sqlx::query("TRUNCATE audit_log")
            .execute(&s.db)
            .await
            .is_err());
    }
    common::refuse_audit_of(&s.db, "token_created").await;
    let r = admin
        .post_form("/admin/tokens", &[("agency", "STC"), ("label", "x")])
        .await;
    assert_eq!(r.status(), 500);
    assert!(
        app::store::tokens::list(&s.db).await.unwrap().is_empty(),
        "rolled back with its audit entry"
    );
    // the same for a role change
    common::refuse_audit_of(&s.db, "role_changed").await;
    s.user("lanhdao", Role::Leader, None).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'lanhdao'")
        .fetch_one(&s.db)
        .await
        .unwrap();
    let r = admin
        .post_form(
            &format!("/admin/users/{id}/role"),
            &[("role", "operator"), ("agency", "")],
        )
        .await;
    assert_eq!(r.status(), 500);
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&s.db)
        .await
        .unwrap();
    assert_eq!(role, "leader");
    // the admin page lists and filters the trail
    let page = admin
        .get("/admin?tab=audit&action=login")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("quantri"));
    s.stop().await;
}

#[tokio::test]
async fn an_officer_uploads_a_csv_through_the_same_validation() {
    let s = TestServer::start().await;
    let officer = s
        .sign_in(
            "stc.canbo",
            &s.user("stc.canbo", Role::AgencyOfficer, Some("STC")).await,
        )
        .await;
    let bad = "indicator,area,period,value,unit\nbudget.spending.estimate,14,2026,4860,billion_dong\nbudget.spending.estimate,14,2026-13,1,billion_dong\n";
    let r = officer
        .post_form("/submit", &[("key", "csv-1"), ("csv", bad)])
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("dòng 3"), "the bad line is named: {page}");
    assert!(page.contains("period"));
    assert!(
        app::store::observations::revisions(&s.db, "budget.spending.estimate", "14", "2026")
            .await
            .unwrap()
            .is_empty(),
        "nothing of the batch is stored"
    );
    let good = "indicator,area,period,value,unit,as_of\nbudget.spending.estimate,14,2026,\"4860,5\",billion_dong,2025-12-10T09:00:00+07:00\nbudget.revenue.estimate,14,2026,5450,billion_dong,\n";
    let r = officer
        .post_form("/submit", &[("key", "csv-2"), ("csv", good)])
        .await;
    assert_eq!(r.status(), 201);
    assert!(r.text().await.unwrap().contains("Đã ghi nhận 2 số liệu"));
    let actions = audit_actions(&s).await;
    assert!(actions.iter().any(|a| a == "data_submitted"));
    // a correction is a new revision, audited as such
    let fix =
        "indicator,area,period,value,unit\nbudget.spending.estimate,14,2026,4900,billion_dong\n";
    assert_eq!(
        officer
            .post_form("/submit", &[("key", "csv-3"), ("csv", fix)])
            .await
            .status(),
        201
    );
    assert_eq!(
        app::store::observations::revisions(&s.db, "budget.spending.estimate", "14", "2026")
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(audit_actions(&s)
        .await
        .iter()
        .any(|a| a == "data_corrected"));
    s.stop().await;
}

#[tokio::test]
async fn changing_or_resetting_a_password_ends_the_other_sessions() {
    let s = TestServer::start().await;
    let old = s.user("stc.canbo", Role::AgencyOfficer, Some("STC")).await;
    let laptop = s.sign_in("stc.canbo", &old).await;
    let phone = s.sign_in("stc.canbo", &old).await;
    let account = laptop.get("/account").await;
    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains("stc.canbo"));
    let display = s
        .http
        .get(format!("{}/account", s.base))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(display.status(), 403, "a wall screen has no account");

    let change = |current: &str, password: &str, again: &str| {
        let form = [
            ("current", current.to_string()),
            ("password", password.to_string()),
            ("again", again.to_string()),
            ("lang", "en".to_string()),
        ];
        let laptop = &laptop;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = laptop.post_form("/account/password", &form).await;
            assert_eq!(r.status(), 303);
            r.headers()["location"].to_str().unwrap().to_string()
        }
    };
    let new = "một mật khẩu mới thật dài";
    assert_eq!(
        change("sai", new, new).await,
        "/account?error=current&lang=en"
    );
    assert_eq!(
        change(&old, new, "khác").await,
        "/account?error=mismatch&lang=en"
    );
    assert_eq!(
        change(&old, "ngắn", "ngắn").await,
        "/account?error=weak&lang=en"
    );
    assert_eq!(phone.get("/").await.status(), 200, "nothing changed yet");
    assert_eq!(change(&old, new, new).await, "/account?done=1&lang=en");

    assert_eq!(laptop.get("/").await.status(), 200, "this session goes on");
    assert_eq!(phone.get("/").await.status(), 303, "the other one is over");
    let stale = Browser::new(&s);
    let refused = stale
        .post_form("/login", &[("username", "stc.canbo"), ("password", &old)])
        .await;
    assert!(refused.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error=invalid"));
    s.sign_in("stc.canbo", new).await;

    // an administrator resets it; only administrators may
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'stc.canbo'")
        .fetch_one(&s.db)
        .await
        .unwrap();
    let reset = "mật khẩu do quản trị đặt";
    let by_officer = laptop
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", reset)],
        )
        .await;
    assert_eq!(by_officer.status(), 403);
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let short = admin
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", "ngắn")],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("12"));
    let done = admin
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", reset)],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(laptop.get("/").await.status(), 303, "its sessions are over");
    s.sign_in("stc.canbo", reset).await;

    let actions = audit_actions(&s).await;
    for action in ["password_changed", "password_reset", "login_failed"] {
        assert!(actions.iter().any(|a| a == action), "audited: {action}");
    }
    s.stop().await;
}

/// Opens a live connection as the test viewer, as forwarded by a proxy for `forwarded`;
/// the refusal status if refused.
async fn connect_via(s: &TestServer, forwarded: &str) -> Result<Socket, u16> {
    let mut request = s.live_request(None, Some(&s.viewer));
    request
        .headers_mut()
        .insert("X-Forwarded-For", forwarded.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

async fn failed_sign_in_addresses(s: &TestServer, forwarded: &str) -> Vec<String> {
    s.http
        .post(format!("{}/login", s.base))
        .header("Origin", &s.base)
        .header("X-Forwarded-For", forwarded)
        .form(&[("username", "ai-do"), ("password", "sai")])
        .send()
        .await
        .unwrap();
    sqlx::query_scalar("SELECT ip FROM audit_log WHERE action = 'login_failed' ORDER BY id")
        .fetch_all(&s.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn live_connections_are_capped_per_client_address() {
    // behind a trusted proxy, the client is the nearest untrusted forwarded address
    let s = TestServer::start_with(|c| {
        c.connections_per_address = 2;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let a = "203.0.113.7, 127.0.0.1";
    let forged_a = "198.51.100.66, 203.0.113.7";
    let mut first = connect_via(&s, a).await.unwrap();
    let _second = connect_via(&s, forged_a).await.unwrap();
    assert_eq!(
        connect_via(&s, a).await.err(),
        Some(429),
        "a third from one address"
    );
    let _other = connect_via(&s, "203.0.113.8")
        .await
        .expect("another address");
    first.close(None).await.unwrap();
    let mut reopened = Err(0);
    for _ in 0..50 {
        reopened = connect_via(&s, a).await;
        if reopened.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reopened.is_ok(), "a closed connection frees its place");
    assert_eq!(failed_sign_in_addresses(&s, a).await, ["203.0.113.7"]);
    s.stop().await;

    // from anyone else, X-Forwarded-For is ignored
    let s = TestServer::start_with(|c| c.connections_per_address = 2).await;
    let _one = connect_via(&s, "203.0.113.7").await.unwrap();
    let _two = connect_via(&s, "203.0.113.8").await.unwrap();
    assert_eq!(connect_via(&s, "203.0.113.9").await.err(), Some(429));
    assert_eq!(
        failed_sign_in_addresses(&s, "203.0.113.7").await,
        ["127.0.0.1"]
    );
    s.stop().await;
}
