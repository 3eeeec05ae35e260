//! Public services over the REST API: service desks' dossier counts arrive through the
//! ingest API (a commune's desk by its area, a department's by `agency`, every bad field
//! named), corrections are revisions, the day and year-to-date summary per agency and per
//! commune adds them up with their rates, the 766 index ranks the desks with their movement
//! since the month before, every table downloads as CSV and XLSX, and a posted count
//! reaches the live stream. One server for the whole file; runs on SQLite and on
//! PostgreSQL.

mod common;

use common::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::time::Duration;
use time::OffsetDateTime;

fn dec(v: &Value) -> Decimal {
    assert!(v.is_number(), "{v} is not a number");
    v.to_string().parse().unwrap()
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A desk's counts of a day: a department's (`agency`) or a commune's (`area`).
fn desk_day(desk: (&str, &str), day: &str, counts: &[(&str, u64)], at: &str) -> Vec<Value> {
    counts
        .iter()
        .map(|(indicator, value)| {
            let mut item = json!({"indicator": format!("services.desk.{indicator}"), "period": day,
                                  "value": value, "unit": "count", "as_of": at});
            item[desk.0] = json!(desk.1);
            item
        })
        .collect()
}

const FULL_DAY: [(&str, u64); 12] = [
    ("received", 100),
    ("received.online", 80),
    ("received.fullonline", 50),
    ("resolved", 90),
    ("resolved.ontime", 81),
    ("overdue", 0),
    ("returned", 2),
    ("digitized", 72),
    ("payable", 20),
    ("payable.online", 10),
    ("rated", 40),
    ("rated.satisfied", 36),
];

fn problem<'a>(body: &'a Value, field: &str) -> &'a Value {
    body["error"]["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["field"] == field))
        .unwrap_or_else(|| panic!("no problem with '{field}' in {body}"))
}

#[tokio::test]
async fn service_desks_counts_summary_and_the_766_index() {
    let s = TestServer::start().await;
    let vpub = s.token("VPUB").await;
    let now = OffsetDateTime::now_utc();
    let today = app::model::format::vietnam_date(now);
    let yesterday = today - time::Duration::days(1);
    let at = |day: time::Date| {
        if day == today {
            // now, not a time later today
            now.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        } else {
            format!("{day}T17:00:00+07:00")
        }
    };
    let commune = {
        let c = server::province::load(&server::province::demo()).unwrap();
        let code = c
            .areas_on(today)
            .find(|a| a.is_commune_level())
            .unwrap()
            .code
            .clone();
        code
    };

    // ---- bad input: every field named, nothing stored ----
    let refused = [
        // a department desk's figure names the province implicitly; an explicit commune with it is wrong
        (
            json!({"indicator": "services.desk.received", "agency": "SXD", "area": commune, "period": today.to_string(), "value": 1, "unit": "count"}),
            "area",
            "not_the_province",
        ),
        // the province's figure of a desk indicator is a sum, never sent
        (
            json!({"indicator": "services.desk.received", "area": "14", "period": today.to_string(), "value": 1, "unit": "count"}),
            "agency",
            "missing",
        ),
        (
            json!({"indicator": "services.desk.received", "agency": "UBND-XA", "period": today.to_string(), "value": 1, "unit": "count"}),
            "agency",
            "not_a_department",
        ),
        (
            json!({"indicator": "services.desk.received", "agency": "SO-XYZ", "period": today.to_string(), "value": 1, "unit": "count"}),
            "agency",
            "unknown_agency",
        ),
        (
            json!({"indicator": "services.online.rate", "agency": "SXD", "area": "14", "period": today.to_string(), "value": 1, "unit": "percent"}),
            "agency",
            "not_by_agency",
        ),
    ];
    for (item, field, code) in refused {
        let (status, body, _) = s
            .post(
                &vpub,
                &format!("bad-{field}-{code}"),
                &batch(vec![item.clone()]),
            )
            .await;
        assert_eq!(status, 422, "{item} → {body}");
        let p = problem(&body, field);
        assert_eq!(p["code"], code, "{body}");
        assert!(!p["message_vi"].as_str().unwrap().is_empty());
        assert!(!p["message_en"].as_str().unwrap().is_empty());
    }

    // ---- yesterday and today at two departments and a commune ----
    let mut items = desk_day(
        ("agency", "SXD"),
        &yesterday.to_string(),
        &FULL_DAY,
        &at(yesterday),
    );
    items.extend(desk_day(
        ("agency", "STP"),
        &yesterday.to_string(),
        &FULL_DAY,
        &at(yesterday),
    ));
    items.extend(desk_day(
        ("area", &commune),
        &yesterday.to_string(),
        &[("received", 30), ("resolved", 20), ("resolved.ontime", 20)],
        &at(yesterday),
    ));
    s.post_ok(&vpub, &batch(items)).await;
    let mut items = desk_day(
        ("agency", "SXD"),
        &today.to_string(),
        &[
            ("received", 10),
            ("received.online", 9),
            ("resolved", 8),
            ("resolved.ontime", 5),
            ("overdue", 4),
        ],
        &at(today),
    );
    items.extend(desk_day(
        ("area", &commune),
        &today.to_string(),
        &[("received", 7)],
        &at(today),
    ));
    let receipt = s.post_ok(&vpub, &batch(items)).await;
    assert_eq!(receipt["revised"], 0);
    // a correction of today's count is a revision, and the summary takes it
    let receipt = s
        .post_ok(
            &vpub,
            &batch(desk_day(
                ("agency", "SXD"),
                &today.to_string(),
                &[("received", 12)],
                &at(today),
            )),
        )
        .await;
    assert_eq!(receipt["items"][0]["revision"], 2, "{receipt}");

    // ---- the summary per agency ----
    let (status, summary) = s
        .get_json(&format!("/api/v1/services/summary?date={today}&by=agency"))
        .await;
    assert_eq!(status, 200, "{summary}");
    let rows = summary["rows"].as_array().unwrap();
    let codes: Vec<&str> = rows
        .iter()
        .map(|r| r["desk"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["STP", "SXD"], "departments only, by code");
    let sxd = &rows[1];
    assert_eq!(sxd["desk"]["kind"], "department");
    assert_eq!(sxd["name"], "Sở Xây dựng");
    assert_eq!(sxd["day"]["received"], 12);
    assert_eq!(sxd["day"]["overdue"], 4);
    assert_eq!(sxd["day"]["resolved_late"], 3);
    // on time, of resolved and still overdue: 5 of 8 + 4
    assert_eq!(dec(&sxd["day"]["on_time_rate"]), d("41.67"));
    // year to date: yesterday too unless today is 1 January
    let same_year = yesterday.year() == today.year();
    let ytd_received = if same_year { 112 } else { 12 };
    assert_eq!(sxd["year_to_date"]["received"], ytd_received);
    assert_eq!(sxd["year_to_date"]["overdue"], 4, "a stock: the last day's");
    if same_year {
        // 86 on time of 98 resolved + 4 overdue
        assert_eq!(dec(&sxd["year_to_date"]["on_time_rate"]), d("84.31"));
        assert_eq!(dec(&sxd["year_to_date"]["online_rate"]), d("79.46"));
    }
    // STP reported nothing today: its day is empty, its rates unknown (never 0 %)
    assert_eq!(rows[0]["day"]["received"], 0);
    assert!(rows[0]["day"]["on_time_rate"].is_null());
    // the province is every desk: both departments and the commune
    let province = &summary["province"];
    assert_eq!(province["day"]["received"], 12 + 7);
    let expected = if same_year { 112 + 100 + 30 + 7 } else { 19 };
    assert_eq!(province["year_to_date"]["received"], expected);

    // per commune: only the commune
    let (_, by_commune) = s
        .get_json(&format!("/api/v1/services/summary?date={today}&by=commune"))
        .await;
    let rows = by_commune["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["desk"]["code"], commune.as_str());
    assert_eq!(rows[0]["day"]["received"], 7);

    // bad parameters are named
    let (status, body) = s.get_json("/api/v1/services/summary?by=district").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_by"))
    );
    let (status, body) = s.get_json("/api/v1/services/summary?date=2026-02-30").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_date"))
    );

    // ---- files ----
    let csv = s
        .http
        .get(format!(
            "{}/api/v1/services/summary.csv?date={today}&by=agency",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("Nơi tiếp nhận") && lines[0].contains("Tiếp nhận – trong ngày"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        1 + 2 + 1,
        "header, two departments, the province: {text}"
    );
    assert!(
        lines[2].starts_with("SXD,Sở Xây dựng,12,9,"),
        "{}",
        lines[2]
    );
    let xlsx = s
        .http
        .get(format!("{}/api/v1/services/index766.xlsx", s.base))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // ---- charts, drawn on the server ----
    for (path, magic) in [
        ("/api/v1/charts/services-trend.png", &b"\x89PNG"[..]),
        ("/api/v1/charts/index766.png", &b"\x89PNG"[..]),
        ("/api/v1/charts/services-trend.svg", &b"<svg"[..]),
    ] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .bearer_auth(&s.viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(magic), "{path}");
    }
    let svg = s
        .http
        .get(format!(
            "{}/api/v1/charts/services-trend.svg?lang=en",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        svg.contains("Administrative-procedure dossiers by day"),
        "the English title"
    );

    // ---- the 766 index of this month, against last month ----
    let last_month_day = time::Date::from_calendar_date(today.year(), today.month(), 1).unwrap()
        - time::Duration::days(3);
    // last month SXD was perfect and STP poor; this month STP does better
    let mut items = desk_day(
        ("agency", "SXD"),
        &last_month_day.to_string(),
        &FULL_DAY,
        &at(last_month_day),
    );
    items.extend(desk_day(
        ("agency", "STP"),
        &last_month_day.to_string(),
        &[
            ("received", 100),
            ("received.online", 10),
            ("resolved", 100),
            ("resolved.ontime", 50),
            ("digitized", 10),
        ],
        &at(last_month_day),
    ));
    s.post_ok(&vpub, &batch(items)).await;
    let month = app::model::Period::containing(app::model::PeriodKind::Month, today);
    let (status, index) = s
        .get_json(&format!("/api/v1/services/index766?period={month}"))
        .await;
    assert_eq!(status, 200, "{index}");
    assert_eq!(index["period"], month.to_string());
    let rows = index["rows"].as_array().unwrap();
    let row = |code: &str| {
        rows.iter()
            .find(|r| r["desk"]["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {index}"))
    };
    let sxd = row("SXD");
    let group = |r: &Value, g: &str| {
        r["index"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["group"] == g)
            .unwrap()["score"]
            .clone()
    };
    // this month (today only, or yesterday too): SXD's progress points are on-time ÷ (resolved + overdue)
    let (on_time, resolved) = if yesterday.month() == today.month() {
        (86, 98)
    } else {
        (5, 8)
    };
    let expected_progress =
        (Decimal::from(on_time) * Decimal::ONE_HUNDRED / Decimal::from(resolved + 4)).round_dp(2)
            * Decimal::from(20)
            / Decimal::ONE_HUNDRED;
    assert_eq!(dec(&group(sxd, "progress")), expected_progress.round_dp(2));
    assert_eq!(
        dec(&sxd["index"]["lost_to_delays"]),
        (Decimal::from(20) - expected_progress).round_dp(2)
    );
    assert_eq!(sxd["overdue"], 4);
    // nothing published about publicity: that group is not scored and the total says so
    assert!(group(sxd, "publicity").is_null());
    assert_eq!(sxd["index"]["complete"], false);
    // last month SXD ranked first (its full day) and STP second
    assert_eq!(sxd["previous_rank"], 1, "{index}");
    assert_eq!(row("STP")["previous_rank"], 2, "{index}");
    // the commune had no figures last month: ranked now, no movement
    assert!(row(&commune)["previous_rank"].is_null());
    // ranks run from 1 in order of total
    let totals: Vec<Decimal> = rows.iter().map(|r| dec(&r["index"]["total"])).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    assert_eq!(rows[0]["rank"], 1);

    let (status, body) = s
        .get_json(&format!("/api/v1/services/index766?period={today}"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_period"))
    );
    let (status, body) = s
        .get_json(&format!(
            "/api/v1/services/index766?period={}",
            today.year() + 1
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_period"))
    );

    // ---- a posted count reaches a wall's live stream at once ----
    let mut ws = s.connect(None).await;
    let _snapshot = next_frame(&mut ws, Duration::from_secs(5)).await;
    s.post_ok(
        &vpub,
        &batch(desk_day(
            ("agency", "SXD"),
            &today.to_string(),
            &[("received", 13)],
            &at(today),
        )),
    )
    .await;
    let app::model::LiveFrame::Delta { values, .. } =
        next_data_frame(&mut ws, Duration::from_secs(2)).await
    else {
        panic!("a delta after the snapshot")
    };
    let v = values
        .iter()
        .find(|v| v.indicator == "services.desk.received")
        .cloned()
        .expect("the count is on the stream");
    assert_eq!((v.area.as_str(), v.project.as_deref()), ("14", Some("SXD")));
    assert_eq!(v.value, Decimal::from(13));

    s.stop().await;
}
