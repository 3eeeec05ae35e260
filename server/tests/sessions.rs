//! Sessions that last as long as they should (issue #11, items 1 and 2): the idle limit is
//! an idle limit — activity renews it — and the absolute limit still ends a session; a wall
//! screen's session does not idle out, so it reconnects after any pause; exchanging a
//! display token starts a fresh session with nothing of the one before; static files never
//! touch the session.

mod common;

use app::model::account::Role;
use app::model::LiveFrame;
use common::*;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// The session cookie's value, without attributes.
fn session_id(browser: &Browser) -> String {
    browser
        .cookie()
        .split(';')
        .find_map(|c| c.trim().strip_prefix("ioc_session=").map(str::to_string))
        .unwrap_or_default()
}

/// A live connection opened with `browser`'s cookie, as its page would open it.
async fn connect_as(s: &TestServer, browser: &Browser) -> Result<Socket, u16> {
    match tokio_tungstenite::connect_async(s.live_request_of(browser)).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

/// Whether `browser` is still signed in: the overview answers 200, not a redirect.
async fn signed_in(browser: &Browser) -> bool {
    browser.get("/").await.status() == 200
}

#[tokio::test]
async fn activity_renews_a_session_idleness_ends_it_and_a_wall_never_idles_out() {
    // idle limit 3 s: several idle periods pass during the test
    let s = TestServer::start_with(|c| {
        c.session_idle_minutes = 0.05;
        c.heartbeat_secs = 1;
    })
    .await;
    let active = s
        .sign_in("lanhdao", &s.user("lanhdao", Role::Leader, None).await)
        .await;
    let idle = s
        .sign_in("truc", &s.user("truc", Role::Operator, None).await)
        .await;
    let display = s.display("Tường LED").await.1;
    let wall = Browser::new(&s);
    assert_eq!(
        wall.get(&format!("/?display={display}")).await.status(),
        303
    );
    let mut socket = connect_as(&s, &wall).await.expect("the wall connects");

    // 10 s: the active person asks something every second; the wall only watches its
    // socket (heartbeats, pings), making no request at all
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        assert!(
            signed_in(&active).await,
            "an active person stays signed in ({:?} in)",
            started.elapsed()
        );
        let frame = next_frame(&mut socket, WAIT).await;
        assert!(matches!(
            frame,
            LiveFrame::Heartbeat { .. } | LiveFrame::Snapshot { .. }
        ));
    }
    assert!(
        !signed_in(&idle).await,
        "a person idle for more than the idle limit is signed out"
    );

    // a deploy or a network blip: the wall's socket drops and it reconnects with what it
    // has, its session cookie
    drop(socket);
    let mut again = connect_as(&s, &wall)
        .await
        .expect("the wall reconnects after several idle periods");
    assert!(matches!(
        next_data_frame(&mut again, WAIT).await,
        LiveFrame::Snapshot { .. }
    ));
    assert_eq!(
        wall.get("/").await.status(),
        200,
        "and its page still opens"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_absolute_limit_ends_even_an_active_session() {
    let s = TestServer::start_with(|c| {
        c.session_idle_minutes = 0.05;
        // 7.2 s after signing in
        c.session_max_hours = 0.002;
    })
    .await;
    let active = s
        .sign_in("lanhdao", &s.user("lanhdao", Role::Leader, None).await)
        .await;
    let started = Instant::now();
    let mut ended_at = None;
    while started.elapsed() < Duration::from_secs(12) {
        if !signed_in(&active).await {
            ended_at = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let ended_at = ended_at.expect("the session ended");
    assert!(
        ended_at >= Duration::from_secs(6),
        "renewed while active, until the absolute limit: ended after {ended_at:?}"
    );
    s.stop().await;
}

#[tokio::test]
async fn exchanging_a_display_token_starts_a_fresh_session() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    assert_eq!(admin.get("/admin").await.status(), 200);
    let before = session_id(&admin);
    let token = s.display("Tường").await.1;
    // the administrator's browser opens a wall address
    assert_eq!(admin.get(&format!("/?display={token}")).await.status(), 303);
    let after = session_id(&admin);
    assert!(!after.is_empty() && after != before, "a new session id");
    // it is a wall screen now, with none of the administrator's rights
    assert_eq!(admin.get("/admin").await.status(), 403);
    let who: serde_json::Value = admin.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(who["kind"], "display", "{who}");
    // and the administrator's old session is gone, not merely replaced in this browser
    let old = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/admin", s.base))
        .header("Cookie", format!("ioc_session={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the old session id is worth nothing");
    s.stop().await;
}

#[tokio::test]
async fn a_revoked_persons_cookie_does_not_come_back_through_a_wall_address() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let leader = s
        .sign_in("lanhdao", &s.user("lanhdao", Role::Leader, None).await)
        .await;
    let stale = leader.cookie();
    // the leader's account is disabled: their session is over
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
    assert!(!signed_in(&leader).await);
    // the stale cookie, sent with a wall address, gets a display session and nothing else
    let token = s.display("Tường").await.1;
    let browser = Browser::new(&s);
    let exchanged = browser
        .client
        .get(format!("{}/?display={token}", s.base))
        .header("Cookie", stale)
        .send()
        .await
        .unwrap();
    assert_eq!(exchanged.status(), 303);
    let who: serde_json::Value = browser.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(who["kind"], "display", "{who}");
    s.stop().await;
}

#[tokio::test]
async fn static_files_never_read_or_set_the_session() {
    let s = TestServer::start().await;
    // a cookie whose session does not exist (expired, or forged)
    let unknown = "ioc_session=AAAAAAAAAAAAAAAAAAAAAA";
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/pkg/ioc.css", "/pkg/ioc.js", "/pkg/ioc_bg.wasm"] {
        let r = client
            .get(format!("{}{path}", s.base))
            .header("Cookie", unknown)
            .send()
            .await
            .unwrap();
        assert!(
            r.headers().get("set-cookie").is_none(),
            "{path}: a static file is never cacheable with a cookie on it ({:?})",
            r.headers().get("set-cookie")
        );
    }
    // a page does look the session up, and clears the unknown cookie
    let page = client
        .get(format!("{}/", s.base))
        .header("Cookie", unknown)
        .send()
        .await
        .unwrap();
    assert!(page.headers().get("set-cookie").is_some());
    s.stop().await;
}

/// The one font of every screen is the server's own (never another site's): WOFF2, kept by
/// browsers for a year under an address that names its version, no session; every page
/// preloads it.
#[tokio::test]
async fn the_screens_font_is_served_with_the_product() {
    let s = TestServer::start().await;
    let unknown = "ioc_session=AAAAAAAAAAAAAAAAAAAAAA";
    for (path, ttf) in [
        (server::router::FONT_REGULAR, "NotoSans-Regular.ttf"),
        (server::router::FONT_BOLD, "NotoSans-Bold.ttf"),
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .header("Cookie", unknown)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "font/woff2");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.headers().get("set-cookie").is_none());
        let body = r.bytes().await.unwrap();
        assert_eq!(&body[..4], b"wOF2", "{path} is WOFF2");
        // made from the TTF the charts and the briefing embed, at under half its size
        let ttf = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/fonts")
                .join(ttf),
        )
        .unwrap();
        assert!(
            body.len() < ttf.len() / 2,
            "{path}: {} bytes, the TTF {}",
            body.len(),
            ttf.len()
        );
    }
    let sign_in = s
        .http
        .get(format!("{}/login", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sign_in.contains(&format!(
            r#"<link rel="preload" href="{}" as="font" type="font/woff2" crossorigin"#,
            server::router::FONT_REGULAR
        )),
        "the sign-in page preloads the font"
    );
    s.stop().await;
}

/// A person's language and a wall screen's are remembered by the server: chosen once with
/// `?lang=`, every page after it speaks it — on another device too — until chosen again.
#[tokio::test]
async fn the_language_chosen_is_remembered_per_person_and_per_wall() {
    let s = TestServer::start().await;
    let english =
        |html: &str| html.contains(r#"<html lang="en""#) && html.contains("Key indicators");
    let vietnamese =
        |html: &str| html.contains(r#"<html lang="vi""#) && html.contains("Chỉ tiêu chính");
    let password = s.user("lanh-dao", Role::Leader, None).await;
    let phone = s.sign_in("lanh-dao", &password).await;
    assert!(vietnamese(&page(&phone, "/").await), "Vietnamese first");
    assert!(english(&page(&phone, "/?lang=en").await));
    assert!(english(&page(&phone, "/").await), "remembered");
    assert!(
        page(&phone, "/tasks").await.contains(r#"<html lang="en""#),
        "on every screen"
    );
    // the same person on another device
    let laptop = s.sign_in("lanh-dao", &password).await;
    assert!(
        english(&page(&laptop, "/").await),
        "remembered for the person"
    );
    assert!(vietnamese(&page(&laptop, "/?lang=vi").await));
    assert!(vietnamese(&page(&phone, "/").await), "chosen again");
    // someone else is not affected
    let other = s.signed_in_user("truc-ban", Role::Operator, None).await;
    assert!(english(&page(&other, "/?lang=en").await));
    assert!(vietnamese(&page(&phone, "/").await));
    // a wall: opened once with its token and `lang=en`, English at every later session
    let (_, token) = s.display("Tường phòng họp").await;
    let wall = Browser::new(&s);
    let exchanged = wall.get(&format!("/?display={token}&lang=en")).await;
    // the token is taken out of the address, the language kept (as a browser follows it)
    let next = exchanged.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(next, "/?lang=en");
    assert!(english(&page(&wall, &next).await));
    assert!(english(&page(&wall, "/").await));
    let (_, other_token) = s.display("Tường sảnh").await;
    let other_wall = Browser::new(&s);
    other_wall.get(&format!("/?display={other_token}")).await;
    assert!(vietnamese(&page(&other_wall, "/").await), "per wall");
    let again = Browser::new(&s);
    again.get(&format!("/?display={token}")).await;
    assert!(english(&page(&again, "/").await), "remembered for the wall");
    // anything but vi or en chooses nothing
    assert!(!english(&page(&again, "/?lang=fr").await));
    assert!(english(&page(&again, "/").await), "still English");
    s.stop().await;
}

async fn page(browser: &Browser, path: &str) -> String {
    browser.get(path).await.text().await.unwrap()
}

/// The administration page says which wall screens are live now and when each was last in
/// contact: a wall connected to the live stream is marked seen at once (and every 15 s).
#[tokio::test]
async fn the_admin_page_says_which_walls_are_live() {
    let s = TestServer::start().await;
    let admin = s
        .sign_in("quantri", &s.user("quantri", Role::Admin, None).await)
        .await;
    let (_, token) = s.display("Tường phòng họp giao ban").await;
    let row = |page: &str| -> String {
        let at = page
            .find(r#"data-display="Tường phòng họp giao ban""#)
            .expect("the wall is listed");
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    let listed = row(&page(&admin, "/admin?tab=displays").await);
    assert!(listed.contains(r#"data-live="false""#) && listed.contains("không kết nối"));
    assert!(listed.contains("chưa kết nối"), "never seen: {listed}");
    let mut ws = tokio_tungstenite::connect_async(s.live_request(None, Some(&token)))
        .await
        .unwrap()
        .0;
    assert!(matches!(
        next_frame(&mut ws, Duration::from_secs(5)).await,
        LiveFrame::Snapshot { .. }
    ));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listed = row(&page(&admin, "/admin?tab=displays").await);
        if listed.contains(r#"data-live="true""#) {
            assert!(listed.contains("● đang trực tiếp"));
            assert!(
                !listed.contains("chưa kết nối"),
                "its last contact: {listed}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "not marked live: {listed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.stop().await;
}
