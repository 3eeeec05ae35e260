//! Wall mode through the server: the starting scenes and playlist; scenes and playlists
//! made and changed by administrators only, with every wrong field named and nothing
//! stored; a wall's playlist; a scene pushed onto a wall (or every wall) reaching that
//! wall's live stream at once, not another's, and released; an incident scene; the scene
//! pages a wall fetches, with "Không có số liệu" for a figure never sent and the figure once
//! it is; what a wall says it shows on the walls' list; the audit trail. One server for the
//! file; runs on SQLite and on PostgreSQL.

mod common;

use app::model::account::Role;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

async fn bearer(s: &TestServer, path: &str, token: &str) -> (u16, String) {
    let r = s
        .http
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn send(b: &Browser, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
    let r = b
        .client
        .request(method, format!("{}{path}", b.base))
        .header("Origin", &b.base)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn wall_socket(s: &TestServer, token: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/api/v1/live?only=wall", s.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The next `wall` frame's push (null: follow the playlist), or `None` if none comes
/// within `within`.
async fn next_wall_frame(ws: &mut Socket, within: Duration) -> Option<Value> {
    let until = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(until, ws.next())
            .await
            .ok()??
            .ok()?;
        match msg {
            Message::Text(text) => {
                let frame: Value = serde_json::from_str(&text).unwrap();
                if frame["type"] == "wall" {
                    return Some(frame["push"].clone());
                }
            }
            Message::Ping(data) => ws.send(Message::Pong(data)).await.unwrap(),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|i| i["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn walls_follow_scenes_playlists_and_pushes() {
    let s = TestServer::start().await;
    let admin = s.signed_in_user("quantri", Role::Admin, None).await;
    let operator = s.signed_in_user("trucban", Role::Operator, None).await;
    let officer = s
        .signed_in_user("cb-stc", Role::AgencyOfficer, Some("STC"))
        .await;
    let (wall_a, token_a) = s.display("Màn hình phòng họp").await;
    let (wall_b, token_b) = s.display("Màn hình sảnh").await;

    // a new database starts with three scenes and one playlist that shows them
    let (code, scenes) = bearer(&s, "/api/v1/wall/scenes", &token_a).await;
    assert_eq!(code, 200);
    let scenes: Value = serde_json::from_str(&scenes).unwrap();
    assert_eq!(scenes["scenes"].as_array().unwrap().len(), 3);
    assert_eq!(scenes["scenes"][0]["name"], "Tổng quan tỉnh");
    let (_, lists) = bearer(&s, "/api/v1/wall/playlists", &token_a).await;
    let lists: Value = serde_json::from_str(&lists).unwrap();
    assert_eq!(lists["playlists"][0]["name"], "Mặc định");
    assert_eq!(
        lists["playlists"][0]["entries"].as_array().unwrap().len(),
        3
    );

    // only an administrator makes scenes, and every wrong field is named
    let scene = json!({"name": "Thu ngân sách", "panels": [
        {"kind": "tiles", "indicators": ["budget.revenue.ytd", "services.online.rate"]},
        {"kind": "ranking", "layer": "budget.commune.revenue.ytd"},
        {"kind": "alerts"}
    ]});
    for who in [&operator, &officer] {
        let (code, body) = send(who, reqwest::Method::POST, "/api/v1/wall/scenes", &scene).await;
        assert_eq!(code, 403, "{body}");
    }
    let wrong = json!({"name": "", "panels": [
        {"kind": "tiles", "indicators": ["budget.revenue.ytd", "khong.co"]},
        {"kind": "map", "layer": "budget.revenue.ytd"},
        {"kind": "chart", "chart": "pie"}
    ]});
    let (code, body) = send(&admin, reqwest::Method::POST, "/api/v1/wall/scenes", &wrong).await;
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "name",
            "panels[0].indicators[1]",
            "panels[1].layer",
            "panels[2].chart"
        ]
    );
    assert!(body["error"]["items"][1]["message_vi"]
        .as_str()
        .unwrap()
        .contains("khong.co"));
    let (code, body) = send(
        &admin,
        reqwest::Method::POST,
        "/api/v1/wall/scenes",
        &json!({"name": "x", "panels": [{"kind": "pie"}]}),
    )
    .await;
    assert_eq!(
        (code, body["error"]["code"].as_str()),
        (422, Some("malformed")),
        "an unknown kind of panel: {body}"
    );
    assert!(body["error"]["message_en"]
        .as_str()
        .unwrap()
        .contains("`tiles`, `map`"));
    let (_, scenes_now) = bearer(&s, "/api/v1/wall/scenes", &token_a).await;
    assert_eq!(
        serde_json::from_str::<Value>(&scenes_now).unwrap()["scenes"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "nothing stored"
    );
    let (code, body) = send(&admin, reqwest::Method::POST, "/api/v1/wall/scenes", &scene).await;
    assert_eq!(code, 201, "{body}");
    let revenue_scene = body["id"].as_i64().unwrap();

    // a playlist of it, and the wall that follows it
    let (code, body) = send(
        &admin,
        reqwest::Method::POST,
        "/api/v1/wall/playlists",
        &json!({"name": "Phòng họp", "entries": [{"scene": 999, "seconds": 30}, {"scene": revenue_scene, "seconds": 5}]}),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(fields(&body), ["entries[0].scene", "entries[1].seconds"]);
    let (code, body) = send(
        &admin,
        reqwest::Method::POST,
        "/api/v1/wall/playlists",
        &json!({"name": "Phòng họp", "entries": [{"scene": revenue_scene, "seconds": 30}, {"scene": 1, "seconds": 20}]}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let meeting = body["id"].as_i64().unwrap();
    let (code, _) = send(
        &admin,
        reqwest::Method::PUT,
        &format!("/api/v1/walls/{wall_a}/playlist"),
        &json!({"playlist": meeting}),
    )
    .await;
    assert_eq!(code, 204);
    // a scene in a playlist is not deleted from under it
    let r = admin
        .client
        .delete(format!("{}/api/v1/wall/scenes/{revenue_scene}", s.base))
        .header("Origin", &admin.base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    // the wall's page carries its playlist; a person's, the first
    let (code, page) = bearer(&s, "/wall", &token_a).await;
    assert_eq!(code, 200);
    assert!(
        page.contains(&format!("&quot;name&quot;:&quot;Phòng họp&quot;"))
            || page.contains("\"name\":\"Phòng họp\""),
        "{page}"
    );
    assert!(
        page.contains("class=\"scene"),
        "the first scene is in the page"
    );
    assert!(page.contains("/assets/wall.js"));

    // the scene pages: a figure never sent says so; once sent, it is there
    let (code, scene_page) = bearer(&s, &format!("/wall/scene/{revenue_scene}"), &token_a).await;
    assert_eq!(code, 200);
    assert!(scene_page.contains(&format!("data-shown=\"scene:{revenue_scene}\"")));
    assert!(scene_page.contains("Thu ngân sách"));
    assert!(scene_page.contains("Không có số liệu"), "no figure yet");
    let vpub = s.token("VPUB").await;
    s.post_ok(
        &vpub,
        &batch(vec![online_rate(
            &app::model::format::vietnam_date(time::OffsetDateTime::now_utc()).to_string(),
            87.5,
        )]),
    )
    .await;
    let (_, scene_page) = bearer(&s, &format!("/wall/scene/{revenue_scene}"), &token_a).await;
    assert!(
        scene_page.contains("87,5"),
        "the figure, in Vietnamese format"
    );
    assert!(scene_page.contains("số liệu đến"), "with how fresh it is");
    let (_, english) = bearer(
        &s,
        &format!("/wall/scene/{revenue_scene}?lang=en"),
        &token_b,
    )
    .await;
    assert!(english.contains("87.5") && english.contains("No data"));
    // a chart panel asks for the chart drawn for the wall: the same type on a smaller drawing
    let (code, scene1) = bearer(&s, "/wall/scene/2", &token_a).await;
    assert_eq!(code, 200);
    assert!(
        scene1.contains("/api/v1/charts/disbursement-scurve.svg?size=wall&amp;lang=vi"),
        "{scene1}"
    );
    let (code, wall_chart) = bearer(
        &s,
        "/api/v1/charts/revenue-vs-estimate.svg?size=wall",
        &token_a,
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        wall_chart.contains("width=\"1260\" height=\"560\""),
        "{}",
        &wall_chart[..200]
    );
    let (_, page_chart) = bearer(&s, "/api/v1/charts/revenue-vs-estimate.svg", &token_a).await;
    assert!(page_chart.contains("width=\"1400\" height=\"700\""));
    let (code, missing) = bearer(&s, "/wall/scene/99999", &token_a).await;
    assert_eq!(code, 200);
    assert!(missing.contains("data-missing-scene"));

    // the walls' live streams: each is told what it obeys
    let mut a = wall_socket(&s, &token_a).await;
    let mut b = wall_socket(&s, &token_b).await;
    assert_eq!(
        next_wall_frame(&mut a, Duration::from_secs(5)).await,
        Some(Value::Null)
    );
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_secs(5)).await,
        Some(Value::Null)
    );

    // only those who act on alerts push, and onto walls that exist
    let push = json!({"scene": revenue_scene, "display": wall_a});
    let (code, _) = send(&officer, reqwest::Method::POST, "/api/v1/walls/push", &push).await;
    assert_eq!(code, 403);
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"scene": revenue_scene, "display": 4242}),
    )
    .await;
    assert_eq!((code, fields(&body)), (422, vec!["display".to_string()]));
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"alert": 4242}),
    )
    .await;
    assert_eq!((code, fields(&body)), (422, vec!["alert".to_string()]));
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"scene": 1, "alert": 1}),
    )
    .await;
    assert_eq!((code, fields(&body)), (422, vec!["scene".to_string()]));

    // a push onto wall A reaches A within a second, not B
    let sent = Instant::now();
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &push,
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let pushed = next_wall_frame(&mut a, Duration::from_secs(1))
        .await
        .expect("within a second");
    let took = sent.elapsed();
    assert_eq!(pushed["path"], format!("/wall/scene/{revenue_scene}"));
    assert_eq!(pushed["by"], "Người dùng trucban");
    assert_eq!(pushed["every_wall"], false);
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_millis(300)).await,
        None
    );

    // what a wall says it shows is on the walls' list, with the push it obeys
    let r = s
        .http
        .post(format!("{}/api/v1/wall/shown", s.base))
        .bearer_auth(&token_a)
        .json(&json!({"shown": format!("scene:{revenue_scene}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (code, _) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/wall/shown",
        &json!({"shown": "scene:1"}),
    )
    .await;
    assert_eq!(code, 403, "only a wall says what it shows");
    let (code, walls) = send(
        &operator,
        reqwest::Method::GET,
        "/api/v1/walls",
        &Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    let row = walls["walls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wall_a)
        .unwrap()
        .clone();
    assert_eq!(row["shown"], format!("scene:{revenue_scene}"));
    assert_eq!(row["playlist"], meeting);
    assert_eq!(row["push"]["shown"], format!("scene:{revenue_scene}"));
    assert_eq!(row["live"], true, "its stream marks it seen");
    let admin_page = admin.get("/admin?tab=walls").await.text().await.unwrap();
    assert!(admin_page.contains("Màn hình phòng họp") && admin_page.contains("● đang trực tiếp"));
    assert!(
        admin_page.contains("đưa lên từ bàn điều hành: ")
            && admin_page.contains("<span lang=\"vi\">Thu ngân sách</span>"),
        "the admin page shows the push and the scene the wall shows"
    );

    // onto every wall: both; released: both back to their playlists
    let (code, _) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"scene": 1}),
    )
    .await;
    assert_eq!(code, 201);
    for ws in [&mut a, &mut b] {
        let p = next_wall_frame(ws, Duration::from_secs(1))
            .await
            .expect("within a second");
        assert_eq!(
            (p["path"].as_str(), p["every_wall"].as_bool()),
            (Some("/wall/scene/1"), Some(true))
        );
    }
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/release",
        &json!({}),
    )
    .await;
    assert_eq!(
        (code, body["released"].as_u64()),
        (200, Some(1)),
        "the push onto every wall replaced the one onto A"
    );
    for ws in [&mut a, &mut b] {
        assert_eq!(
            next_wall_frame(ws, Duration::from_secs(1)).await,
            Some(Value::Null)
        );
    }

    // a wall that connects while a push stands is told at once
    let (code, _) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"scene": 2, "display": wall_b}),
    )
    .await;
    assert_eq!(code, 201);
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_secs(1))
            .await
            .unwrap()["path"],
        "/wall/scene/2"
    );
    drop(b);
    let mut b = wall_socket(&s, &token_b).await;
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_secs(5))
            .await
            .unwrap()["path"],
        "/wall/scene/2"
    );
    // releasing A leaves B's push standing
    let (code, body) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/release",
        &json!({"display": wall_a}),
    )
    .await;
    assert_eq!((code, body["released"].as_u64()), (200, Some(0)));
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_millis(300)).await,
        None
    );

    // the console offers the scenes and the walls
    let console = operator.get("/console").await.text().await.unwrap();
    assert!(console.contains("action=\"/console/walls/push\""));
    assert!(console.contains("Màn hình sảnh") && console.contains("Thu ngân sách"));
    let form = operator
        .post_form(
            "/console/walls/release",
            &[("display", &wall_b.to_string())],
        )
        .await;
    assert_eq!(form.status(), 303);
    assert_eq!(
        next_wall_frame(&mut b, Duration::from_secs(1)).await,
        Some(Value::Null)
    );

    // an alert's incident scene: the alert first, on any wall; not for another agency
    let today = app::model::format::vietnam_date(time::OffsetDateTime::now_utc()).to_string();
    s.post_ok(&vpub, &batch(vec![json!({"indicator": "services.ontime.rate", "area": "14", "period": today, "value": 40.0, "unit": "percent"})])).await;
    let until = Instant::now() + Duration::from_secs(20);
    let alert = loop {
        let (_, body) = bearer(&s, "/api/v1/alerts?status=open", &token_a).await;
        let body: Value = serde_json::from_str(&body).unwrap();
        if let Some(a) = body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["indicator"] == "services.ontime.rate")
        {
            break a["id"].as_i64().unwrap();
        }
        assert!(Instant::now() < until, "the alert is raised: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (code, _) = send(
        &operator,
        reqwest::Method::POST,
        "/api/v1/walls/push",
        &json!({"alert": alert, "display": wall_a}),
    )
    .await;
    assert_eq!(code, 201);
    let p = next_wall_frame(&mut a, Duration::from_secs(1))
        .await
        .expect("within a second");
    assert_eq!(p["path"], format!("/wall/incident/{alert}"));
    let (code, incident) = bearer(&s, &format!("/wall/incident/{alert}"), &token_a).await;
    assert_eq!(code, 200);
    assert!(incident.contains("Sự cố:"), "{incident}");
    assert!(incident.contains(&format!("data-alert=\"{alert}\" class=\"incident\"")));
    assert!(incident.contains("data-panel=\"map\"") && incident.contains("data-panel=\"ranking\""));
    let other = officer
        .get(&format!("/wall/incident/{alert}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        other.contains("data-missing-scene") && !other.contains("Sự cố:"),
        "another agency's alert is no scene of theirs"
    );

    // every change is in the audit trail
    let mut conn = s.db.acquire().await.unwrap();
    let trail = app::store::audit::read(
        &mut conn,
        &app::store::audit::Filter {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for action in [
        "wall_scene_created",
        "wall_playlist_created",
        "wall_playlist_assigned",
        "wall_pushed",
        "wall_released",
    ] {
        assert!(trail.iter().any(|e| e.action == action), "{action} audited");
    }
    let pushed = trail.iter().find(|e| e.action == "wall_pushed").unwrap();
    assert_eq!(pushed.actor_name, "trucban");
}
