//! Directives and tasks over the REST API: systems and leaders create tasks (once per
//! Idempotency-Key, every bad field named), agency officers see and report on their
//! agency's tasks only and close only those their agency leads, a report made against an
//! older version is refused, overdue tasks come first and count against their agency, and a
//! plan's task table imports all or nothing with a report per line. Every change is in the
//! task's history and the audit trail. One server for the whole file; runs on SQLite and
//! on PostgreSQL.

mod common;

use app::model::account::Role;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

struct Api<'a> {
    s: &'a TestServer,
}

impl Api<'_> {
    /// A request with a bearer token.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self
            .s
            .http
            .request(method, format!("{}{path}", self.s.base))
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (
            status,
            response.json().await.unwrap_or(Value::Null),
            headers,
        )
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let (status, body, _) = self
            .send(reqwest::Method::GET, path, token, None, None)
            .await;
        (status, body)
    }
}

/// A request from a signed-in browser page: its cookie and our Origin.
async fn browser_send(
    b: &Browser,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut request = b
        .client
        .request(method, format!("{}{path}", b.base))
        .header("Origin", &b.base);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn task(title: &str, lead: &str, coordinating: &[&str], deadline: &str) -> Value {
    json!({
        "title": title,
        "source": "Kế hoạch 283/KH-UBND ngày 13/02/2025",
        "lead": lead,
        "coordinating": coordinating,
        "output": "Báo cáo UBND tỉnh",
        "deadline": deadline,
    })
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["error"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {body}"))
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_string(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn audit_actions(s: &TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'task%' ORDER BY id")
        .fetch_all(&s.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn tasks_over_the_api() {
    // a heartbeat (and so a sweep for changes made by another process) every second
    let s = TestServer::start_with(|c| c.heartbeat_secs = 1).await;
    let api = Api { s: &s };
    systems_create_tasks_once_per_key_with_every_bad_field_named(&api).await;
    officers_see_report_and_close_by_their_agencys_part(&api).await;
    overdue_tasks_come_first_and_count_against_their_agency(&api).await;
    an_import_is_all_or_nothing_with_a_report_per_line(&api).await;
    a_leader_raises_a_directive_from_a_value_and_the_officer_closes_it_on_the_screens(&api).await;
    task_changes_reach_the_screens_they_concern_at_once(&api).await;
    s.stop().await;
}

async fn systems_create_tasks_once_per_key_with_every_bad_field_named(api: &Api<'_>) {
    let s = api.s;
    let office = s.token("VPUB").await;
    let body = task(
        "Hoàn thành kho dữ liệu dùng chung của tỉnh",
        "Sở Kế hoạch và Đầu tư",
        &["Sở Thông tin và Truyền thông", "SNV"],
        "Quý IV/2030",
    );
    let post = |token: &str, key: &str, body: &Value| {
        let (token, key, body) = (token.to_string(), key.to_string(), body.clone());
        async move {
            api.send(
                reqwest::Method::POST,
                "/api/v1/tasks",
                &token,
                Some(&key),
                Some(&body),
            )
            .await
        }
    };
    let (status, created, headers) = post(&office, "t-1", &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(headers["location"], format!("/api/v1/tasks/{id}").as_str());
    // a pre-2025 department's name is matched to the department it merged into
    assert_eq!(created["lead"], "STC");
    assert_eq!(created["coordinating"], json!(["SKHCN", "SNV"]));
    assert_eq!(
        created["deadline"],
        json!({"kind": "quarter", "year": 2030, "quarter": 4})
    );
    assert_eq!(created["due"], "2030-12-31");
    assert_eq!(created["status"], "not_started");
    assert_eq!(created["version"], 1);

    // the same request again: the same task, not a second one
    let (status, again, headers) = post(&office, "t-1", &body).await;
    assert_eq!(status, 201);
    assert_eq!(again["id"], id);
    assert_eq!(headers["idempotent-replayed"], "true");
    let (_, list) = api.get("/api/v1/tasks", &office).await;
    assert_eq!(list["tasks"].as_array().unwrap().len(), 1);
    // the same key for another task
    let (status, reused, _) = post(&office, "t-1", &task("Khác", "STC", &[], "Năm 2030")).await;
    assert_eq!(status, 422);
    assert_eq!(reused["error"]["code"], "idempotency_key_reused");

    // every bad field at once, each named with its reason in both languages
    let bad = json!({
        "title": "  ",
        "source": "Chỉ đạo của Chủ tịch UBND tỉnh",
        "lead": "Sở Không Có",
        "coordinating": ["Sở Y tế", "Sở Y tế", "Phòng Ma"],
        "deadline": "sớm nhất có thể",
    });
    let (status, refused, _) = post(&office, "t-2", &bad).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        fields(&refused),
        [
            ("title".to_string(), "required".to_string()),
            ("lead".into(), "unknown_agency".into()),
            ("coordinating[1]".into(), "duplicate_agency".into()),
            ("coordinating[2]".into(), "unknown_agency".into()),
            ("deadline".into(), "unreadable".into()),
        ]
    );
    for item in refused["error"]["items"].as_array().unwrap() {
        assert!(!item["message_vi"].as_str().unwrap().is_empty());
        assert!(!item["message_en"].as_str().unwrap().is_empty());
    }
    // the value a task is raised from must be one the catalogue knows
    let mut raised = task("Đẩy nhanh giải ngân", "STC", &[], "Tháng 12/2030");
    raised["raised_from"] = json!({"indicator": "invest.disbursement.rate", "area": "99999",
        "value": 12.5, "unit": "dong", "as_of": "2026-11-30T17:00:00+07:00"});
    let (status, refused, _) = post(&office, "t-3", &raised).await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&refused),
        [
            ("raised_from.unit".to_string(), "unit_mismatch".to_string()),
            ("raised_from.area".into(), "unknown_area".into()),
        ]
    );
    // a department's system assigns its own tasks only; no key, no task
    let stc = s.token("STC").await;
    let (status, own, _) = post(&stc, "t-4", &task("Việc của Sở", "STC", &[], "Năm 2030")).await;
    assert_eq!(status, 201, "{own}");
    let (status, other, _) = post(
        &stc,
        "t-5",
        &task("Việc của Sở khác", "SXD", &[], "Năm 2030"),
    )
    .await;
    assert_eq!(
        (status, other["error"]["code"].as_str()),
        (403, Some("forbidden_lead"))
    );
    let (status, _, _) = api
        .send(
            reqwest::Method::POST,
            "/api/v1/tasks",
            &office,
            None,
            Some(&body),
        )
        .await;
    assert_eq!(status, 400);
    // a wall display sees no task
    let (status, _) = api.get("/api/v1/tasks", &s.viewer).await;
    assert_eq!(status, 403);
    let (status, _) = api.get(&format!("/api/v1/tasks/{id}"), &s.viewer).await;
    assert_eq!(status, 403);
    assert_eq!(audit_actions(s).await, ["task_created", "task_created"]);
}

async fn officers_see_report_and_close_by_their_agencys_part(api: &Api<'_>) {
    let s = api.s;
    let office = s.token("VPUB").await;
    let (status, created, _) = api
        .send(
            reqwest::Method::POST,
            "/api/v1/tasks",
            &office,
            Some("officers-1"),
            Some(&task(
                "Rà soát thủ tục hành chính",
                "SXD",
                &["STP"],
                "Năm 2030",
            )),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/tasks/{id}");
    let notes = format!("{path}/notes");
    let mut officers = Vec::new();
    for (name, agency) in [("sxd1", "SXD"), ("stp1", "STP"), ("syt1", "SYT")] {
        officers.push(
            s.signed_in_user(name, Role::AgencyOfficer, Some(agency))
                .await,
        );
    }
    let [lead, coordinating, outsider] = &officers[..] else {
        unreachable!()
    };

    // the lead and the coordinating agency see it; another agency does not, not even by id
    for b in [lead, coordinating] {
        let (status, list) =
            browser_send(b, reqwest::Method::GET, "/api/v1/tasks", None, None).await;
        assert_eq!(status, 200);
        let ids: Vec<i64> = list["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [id]);
    }
    let (_, list) = browser_send(outsider, reqwest::Method::GET, "/api/v1/tasks", None, None).await;
    assert!(list["tasks"].as_array().unwrap().is_empty());
    let (status, _) = browser_send(outsider, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(status, 404);
    let (status, _) = browser_send(
        outsider,
        reqwest::Method::GET,
        "/api/v1/tasks?agency=SXD",
        None,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let progress =
        |version: i64, text: &str| json!({"kind": "progress", "body": text, "version": version});
    let (status, _) = browser_send(
        outsider,
        reqwest::Method::POST,
        &notes,
        Some(&progress(1, "x")),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // officers do not direct
    let (status, _) = browser_send(
        lead,
        reqwest::Method::POST,
        "/api/v1/tasks",
        Some(&task("Tự giao", "SXD", &[], "Năm 2030")),
        Some("self-1"),
    )
    .await;
    assert_eq!(status, 403);

    // the coordinating agency reports progress (the task is then in progress) but cannot close
    let (status, reported) = browser_send(
        coordinating,
        reqwest::Method::POST,
        &notes,
        Some(&progress(1, "Đã rà soát 45/120 thủ tục")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reported}");
    assert_eq!(
        (reported["status"].as_str(), reported["version"].as_i64()),
        (Some("in_progress"), Some(2))
    );
    let done = |version: i64| json!({"kind": "done", "body": "Đã hoàn thành", "version": version});
    let (status, _) = browser_send(
        coordinating,
        reqwest::Method::POST,
        &notes,
        Some(&done(2)),
        None,
    )
    .await;
    assert_eq!(status, 403);
    // a report against the version before is refused, not merged
    let (status, stale) =
        browser_send(lead, reqwest::Method::POST, &notes, Some(&done(1)), None).await;
    assert_eq!(
        (status, stale["error"]["code"].as_str()),
        (409, Some("version_conflict"))
    );
    // an attachment needs a web link
    let attach = json!({"kind": "attachment", "body": "Báo cáo", "link": "javascript:alert(1)", "version": 2});
    let (status, bad) =
        browser_send(lead, reqwest::Method::POST, &notes, Some(&attach), None).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&bad), [("link".to_string(), "bad_link".to_string())]);
    let attach = json!({"kind": "attachment", "body": "Báo cáo", "link": "https://sonla.gov.vn/bao-cao.pdf", "version": 2});
    let (status, _) = browser_send(lead, reqwest::Method::POST, &notes, Some(&attach), None).await;
    assert_eq!(status, 200);
    let (status, closed) =
        browser_send(lead, reqwest::Method::POST, &notes, Some(&done(3)), None).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "done");
    assert_eq!(closed["done_on"], closed["today"]);

    // the whole history, in order, with who wrote each part
    let (status, page) = browser_send(coordinating, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(status, 200);
    let history: Vec<(&str, &str)> = page["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap(),
                n["agency"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("created", "VPUB"),
            ("progress", "STP"),
            ("attachment", "SXD"),
            ("done", "SXD")
        ]
    );
    assert_eq!(page["notes"][3]["progress"], "done");
    let actions = audit_actions(s).await;
    assert!(
        actions.ends_with(&[
            "task_created".to_string(),
            "task_progress".into(),
            "task_attachment".into(),
            "task_done".into()
        ]),
        "{actions:?}"
    );
}

async fn overdue_tasks_come_first_and_count_against_their_agency(api: &Api<'_>) {
    let s = api.s;
    let leader = s.signed_in_user("leader1", Role::Leader, None).await;
    let create = |title: &str, deadline: &str, key: &str| {
        let body = task(title, "SCT", &[], deadline);
        let key = key.to_string();
        let leader = &leader;
        async move {
            let (status, created) = browser_send(
                leader,
                reqwest::Method::POST,
                "/api/v1/tasks",
                Some(&body),
                Some(&key),
            )
            .await;
            assert_eq!(status, 201, "{created}");
            created
        }
    };
    // due long ago, due in the future, and ongoing
    let late = create("Báo cáo quý I/2025", "Quý I/2025", "od-1").await;
    let later = create("Kế hoạch năm 2030", "Năm 2030", "od-2").await;
    let ongoing = create("Theo dõi giá cả thị trường", "Thường xuyên", "od-3").await;
    assert_eq!(late["status"], "overdue");
    assert_eq!(later["status"], "not_started");
    assert_eq!(ongoing["status"], "not_started");
    let (status, list) = browser_send(
        &leader,
        reqwest::Method::GET,
        "/api/v1/tasks?agency=SCT",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let order: Vec<&str> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "Báo cáo quý I/2025",
            "Kế hoạch năm 2030",
            "Theo dõi giá cả thị trường"
        ]
    );
    let sct = |list: &Value| {
        list["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agency"] == "SCT")
            .cloned()
            .unwrap()
    };
    assert_eq!(sct(&list)["overdue"], 1);
    assert_eq!(sct(&list)["on_time_rate"], 0);
    let (_, overdue) = browser_send(
        &leader,
        reqwest::Method::GET,
        "/api/v1/tasks?status=overdue",
        None,
        None,
    )
    .await;
    assert!(overdue["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "overdue"));
    assert!(overdue["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == late["id"]));
    let (status, _) = browser_send(
        &leader,
        reqwest::Method::GET,
        "/api/v1/tasks?status=soon",
        None,
        None,
    )
    .await;
    assert_eq!(status, 400);
    // done now, after its quarter: done late, and still not on time
    let notes = format!("/api/v1/tasks/{}/notes", late["id"]);
    let (status, closed) = browser_send(
        &leader,
        reqwest::Method::POST,
        &notes,
        Some(&json!({"kind": "done", "version": 1})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "done_late");
    let (_, list) = browser_send(
        &leader,
        reqwest::Method::GET,
        "/api/v1/tasks?agency=SCT",
        None,
        None,
    )
    .await;
    assert_eq!(
        (
            sct(&list)["done_late"].as_i64(),
            sct(&list)["overdue"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(sct(&list)["on_time_rate"], 0);
    let (_, done) = browser_send(
        &leader,
        reqwest::Method::GET,
        "/api/v1/tasks?status=done&agency=SCT",
        None,
        None,
    )
    .await;
    assert_eq!(done["tasks"].as_array().unwrap().len(), 1);
    // the same list as files
    let csv = leader.get("/api/v1/tasks.csv?agency=SCT").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("\u{feff}Số,Nhiệm vụ,Căn cứ,Chủ trì"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three tasks");
    assert!(
        lines[1].contains("Hoàn thành quá hạn") && lines[1].contains("Quý I/2025"),
        "{}",
        lines[1]
    );
    let english = leader
        .get("/api/v1/tasks.csv?agency=SCT&lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(english.starts_with("\u{feff}No.,Task,Source,Lead") && english.contains("Done late"));
    let xlsx = leader.get("/api/v1/tasks.xlsx?status=overdue").await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let (status, _) = api.get("/api/v1/tasks.csv", &s.viewer).await;
    assert_eq!(status, 403, "a display gets no task file either");
}

async fn an_import_is_all_or_nothing_with_a_report_per_line(api: &Api<'_>) {
    let s = api.s;
    let office = s.token("VPUB").await;
    let import = |body: Vec<u8>, media: &'static str| {
        let office = office.clone();
        async move {
            let response = s
                .http
                .post(format!(
                    "{}/api/v1/tasks/import?source=Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20283%2FQ%C4%90-UBND&year=2025",
                    s.base
                ))
                .bearer_auth(&office)
                .header("Content-Type", media)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let count = || async {
        let (_, list) = api.get("/api/v1/tasks", &office).await;
        list["tasks"].as_array().unwrap().len()
    };
    let before = count().await;
    let bad = "STT,Nhiệm vụ,Sản phẩm,Thời gian hoàn thành,Đơn vị chủ trì,Đơn vị phối hợp\n\
               1,Kết nối dữ liệu dân cư,Dữ liệu kết nối,Quý II,Công an tỉnh,Sở Tư pháp\n\
               2,Số hoá kết quả giải quyết,Kết quả số,trong tuần tới,Văn phòng UBND tỉnh,\n\
               3,Đào tạo kỹ năng số,Lớp học,Năm 2025,Sở Nội vụ,Phòng Ma\n";
    let (status, report) = import(bad.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(status, 422, "{report}");
    let lines: Vec<(i64, &str, &str)> = report["error"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_i64().unwrap(),
                p["field"].as_str().unwrap(),
                p["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (3, "deadline", "unreadable"),
            (4, "coordinating", "unknown_agency")
        ]
    );
    assert_eq!(
        count().await,
        before,
        "nothing of a refused file is imported"
    );

    let good = bad
        .replace("trong tuần tới", "Tháng 10")
        .replace("Phòng Ma", "Sở Tài chính");
    let (status, imported) = import(good.into_bytes(), "text/csv").await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["imported"], 3);
    let id = imported["ids"][0].as_i64().unwrap();
    let (_, first) = api.get(&format!("/api/v1/tasks/{id}"), &office).await;
    assert_eq!(first["task"]["lead"], "CAT");
    assert_eq!(first["task"]["due"], "2025-06-30");
    assert_eq!(first["task"]["source"], "Quyết định 283/QĐ-UBND");
    assert_eq!(count().await, before + 3);

    // the same table as a workbook
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        [
            "Nhiệm vụ",
            "Kết quả",
            "Thời hạn",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
        ],
        [
            "Cập nhật cơ sở dữ liệu đất đai",
            "CSDL",
            "Trước 30/11/2025",
            "Sở Tài nguyên và Môi trường",
            "Sở Tài chính; UBND phường Tô Hiệu",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let (status, imported) = import(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(status, 201, "{imported}");
    let id = imported["ids"][0].as_i64().unwrap();
    let (_, t) = api.get(&format!("/api/v1/tasks/{id}"), &office).await;
    assert_eq!(t["task"]["lead"], "SNNMT");
    assert_eq!(t["task"]["coordinating"], json!(["STC", "UBND-03646"]));
    // not a table at all, and a type we do not read
    let (status, _) = import(
        b"PK\x03\x04 not really".to_vec(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = import(b"{}".to_vec(), "application/json").await;
    assert_eq!(status, 415);
    // an officer does not import
    let officer = s
        .signed_in_user("stc9", Role::AgencyOfficer, Some("STC"))
        .await;
    let response = officer
        .client
        .post(format!("{}/api/v1/tasks/import?source=x", s.base))
        .header("Origin", &officer.base)
        .header("Content-Type", "text/csv")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

async fn a_leader_raises_a_directive_from_a_value_and_the_officer_closes_it_on_the_screens(
    api: &Api<'_>,
) {
    let s = api.s;
    let leader = s.signed_in_user("leader2", Role::Leader, None).await;
    let officer = s
        .signed_in_user("snnmt1", Role::AgencyOfficer, Some("SNNMT"))
        .await;

    // the form opened from a red value comes filled in: the indicator, its owner, the value
    let from = "/tasks/new?indicator=services.overdue&area=14&value=37&as_of=2026-12-02T17%3A00%3A00%2B07%3A00";
    let page = leader.get(from).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Hồ sơ"), "the indicator's name is shown");
    assert!(
        html.contains("17:00 02/12/2026"),
        "the figure's as-of time is shown"
    );
    assert!(html.contains(r#"name="indicator" value="services.overdue""#));
    let owner = server::province::load(&server::province::demo())
        .unwrap()
        .indicator("services.overdue")
        .unwrap()
        .agency
        .clone();
    assert!(
        html.contains(&format!(r#"<option value="{owner}" selected"#)),
        "the owner leads by default"
    );
    // an officer does not assign tasks
    assert_eq!(officer.get("/tasks/new").await.status(), 403);

    let form = [
        ("key", "form-test-1"),
        ("title", "Xử lý dứt điểm hồ sơ đất đai quá hạn"),
        ("lead", "SNNMT"),
        ("coordinating", "VPUB"),
        ("coordinating", "UBND-03646"),
        ("deadline", "Trước 31/12/2030"),
        ("output", "Không còn hồ sơ quá hạn"),
        ("source", "Chỉ đạo của Chủ tịch UBND tỉnh"),
        ("indicator", "services.overdue"),
        ("area", "14"),
        ("value", "37"),
        ("unit", "count"),
        ("as_of", "2026-12-02T17:00:00+07:00"),
    ];
    let created = leader.post_form("/tasks", &form).await;
    assert_eq!(created.status(), 303, "{}", created.text().await.unwrap());
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/tasks/").parse().unwrap();
    // the same form sent twice (a double tap) is one task
    let again = leader.post_form("/tasks", &form).await;
    assert_eq!(again.headers()["location"], location.as_str());
    let (_, task) = browser_send(
        &leader,
        reqwest::Method::GET,
        &format!("/api/v1/tasks/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(task["task"]["coordinating"], json!(["UBND-03646", "VPUB"]));
    assert_eq!(task["task"]["raised_from"]["indicator"], "services.overdue");
    assert_eq!(task["task"]["raised_from"]["value"], 37);

    // the lead agency's officer finds it in the list, reports and closes it
    let list = officer.get("/tasks").await.text().await.unwrap();
    assert!(list.contains("Xử lý dứt điểm hồ sơ đất đai quá hạn"));
    let page = officer.get(&location).await.text().await.unwrap();
    assert!(page.contains("37"), "the value it was raised from");
    assert!(page.contains(r#"value="progress""#) && page.contains(r#"value="done""#));
    let notes = format!("{location}/notes");
    let reported = officer
        .post_form(
            &notes,
            &[
                ("kind", "progress"),
                ("version", "1"),
                ("body", "Đã xử lý 20/37 hồ sơ"),
            ],
        )
        .await;
    assert_eq!(reported.status(), 303);
    // a stale form (version 1 again) is refused with the reason, not merged
    let stale = officer
        .post_form(
            &notes,
            &[("kind", "done"), ("version", "1"), ("body", "Xong")],
        )
        .await;
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.unwrap().contains("tải lại"));
    let closed = officer
        .post_form(
            &notes,
            &[("kind", "done"), ("version", "2"), ("body", "Đã xử lý hết")],
        )
        .await;
    assert_eq!(closed.status(), 303);
    let page = leader.get(&location).await.text().await.unwrap();
    assert!(page.contains("Hoàn thành") && page.contains("Đã xử lý hết"));
    // a commune of the coordinating agencies sees it; a wall display sees no task screen
    let (display_status, _) = api.get("/api/v1/tasks", &s.viewer).await;
    assert_eq!(display_status, 403);
    let wall = Browser::new(s);
    let at = wall.get(&format!("/?display={}", s.viewer)).await;
    assert_eq!(at.status(), 303);
    assert_eq!(wall.get("/tasks").await.status(), 403);
}

/// A live socket asking for task notices only (`?only=tasks`), as the task screens open
/// it: with `browser`'s cookie and our Origin, or with a bearer token.
async fn tasks_socket(s: &TestServer, browser: Option<&Browser>, bearer: Option<&str>) -> Socket {
    let mut request = match browser {
        Some(b) => s.live_request_of(b),
        None => s.live_request(None, bearer),
    };
    *request.uri_mut() = format!("ws://{}/api/v1/live?only=tasks", s.addr)
        .parse()
        .unwrap();
    let mut ws = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects")
        .0;
    match next_frame(&mut ws, Duration::from_secs(5)).await {
        app::model::LiveFrame::Snapshot { values, .. } => {
            assert!(values.is_empty(), "a task screen is sent no figures")
        }
        other => panic!("a snapshot first, not {other:?}"),
    }
    ws
}

/// The task notices `ws` is sent within `within` (heartbeats and empty deltas skipped).
async fn notices(ws: &mut Socket, within: Duration) -> Vec<(i64, u32)> {
    let until = tokio::time::Instant::now() + within;
    let mut seen = Vec::new();
    while let Some(left) = until.checked_duration_since(tokio::time::Instant::now()) {
        let Ok(frame) = tokio::time::timeout(left, next_frame(ws, within)).await else {
            break;
        };
        match frame {
            app::model::LiveFrame::Tasks { changed, .. } => {
                seen.extend(changed.iter().map(|c| (c.id, c.version)))
            }
            app::model::LiveFrame::Delta { values, .. } => {
                assert!(values.is_empty(), "a task screen is sent no figures")
            }
            _ => {}
        }
    }
    seen
}

/// The task notices each socket is sent within `within`, all read at once (a socket left
/// unread does not answer the server's pings and is dropped).
async fn listen(sockets: &mut [Socket], within: Duration) -> Vec<Vec<(i64, u32)>> {
    futures_util::future::join_all(sockets.iter_mut().map(|ws| notices(ws, within))).await
}

async fn task_changes_reach_the_screens_they_concern_at_once(api: &Api<'_>) {
    let s = api.s;
    let office = s.token("VPUB").await;
    let mut people = Vec::new();
    for (name, role, agency) in [
        ("lanhdao-live", Role::Leader, None),
        ("sxd-live", Role::AgencyOfficer, Some("SXD")),
        ("stc-live", Role::AgencyOfficer, Some("STC")),
        ("syt-live", Role::AgencyOfficer, Some("SYT")),
    ] {
        people.push(s.signed_in_user(name, role, agency).await);
    }
    const LEADER: usize = 0;
    const LEAD: usize = 1;
    const COORDINATING: usize = 2;
    const OUTSIDER: usize = 3;
    const WALL: usize = 4;
    const LEADER_FIGURES: usize = 5;
    let mut sockets = Vec::new();
    for b in &people {
        sockets.push(tasks_socket(s, Some(b), None).await);
    }
    sockets.push(tasks_socket(s, None, Some(&s.viewer)).await);
    // a screen of figures hears of tasks too, its values as before
    let mut figures = tokio_tungstenite::connect_async(s.live_request_of(&people[LEADER]))
        .await
        .unwrap()
        .0;
    assert!(matches!(
        next_frame(&mut figures, Duration::from_secs(5)).await,
        app::model::LiveFrame::Snapshot { .. }
    ));
    sockets.push(figures);
    // which sockets were told anything
    let told = |heard: &[Vec<(i64, u32)>]| -> Vec<usize> {
        (0..heard.len()).filter(|i| !heard[*i].is_empty()).collect()
    };

    let (status, created, _) = api
        .send(
            reqwest::Method::POST,
            "/api/v1/tasks",
            &office,
            Some("live-1"),
            Some(&task(
                "Giảm hồ sơ quá hạn tại Sở Xây dựng",
                "SXD",
                &["STC"],
                "Quý IV/2030",
            )),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    // the lead, the coordinating agency and the leader hear of it; another agency's
    // officer and a wall do not, not even that it exists — nor when the sweep reads the
    // same change again (a heartbeat every second)
    let heard = listen(&mut sockets, Duration::from_millis(2500)).await;
    assert_eq!(told(&heard), [LEADER, LEAD, COORDINATING, LEADER_FIGURES]);
    for who in [LEADER, LEAD, COORDINATING, LEADER_FIGURES] {
        assert_eq!(heard[who], [(id, 1)], "told once, of version 1");
    }

    // the lead reports progress: version 2, told once to the same viewers
    let (status, body) = browser_send(
        &people[LEAD],
        reqwest::Method::POST,
        &format!("/api/v1/tasks/{id}/notes"),
        Some(&json!({"kind": "progress", "body": "Đã rà soát 25 hồ sơ", "version": 1})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let heard = listen(&mut sockets, Duration::from_millis(2500)).await;
    assert_eq!(told(&heard), [LEADER, LEAD, COORDINATING, LEADER_FIGURES]);
    assert_eq!(heard[COORDINATING], [(id, 2)]);

    // a task another process writes (another instance, the command line) is announced by
    // the sweep, within a heartbeat or two, to those it concerns
    let new = app::store::tasks::NewTask {
        title: "Số hóa kết quả giải quyết thủ tục".into(),
        source: "Kế hoạch 283/KH-UBND ngày 13/02/2025".into(),
        lead: "SYT".into(),
        coordinating: vec![],
        other_parties: vec![],
        output: "Báo cáo".into(),
        deadline_text: "Năm 2030".into(),
        deadline: app::model::deadline::Deadline::parse("Năm 2030", None).unwrap(),
        raised_from: None,
    };
    let author = app::store::tasks::Author {
        name: "ioc (dòng lệnh)".into(),
        agency: None,
        audit: app::store::audit::NewEntry {
            actor_kind: "system",
            actor_name: "ioc".into(),
            ..Default::default()
        },
    };
    let mut tx = app::store::write(&s.db).await.unwrap();
    let other = app::store::tasks::insert(&mut tx, &new, &author, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let heard = listen(&mut sockets, Duration::from_secs(4)).await;
    assert_eq!(told(&heard), [LEADER, OUTSIDER, LEADER_FIGURES]);
    assert_eq!(heard[OUTSIDER], [(other, 1)]);
    assert!(heard[WALL].is_empty(), "a wall is never told of tasks");
}
