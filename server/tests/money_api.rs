//! The money view's API on a seeded dataset, sent through the ingest API as agencies send
//! it: disbursement summed from projects at every level, the S-curve with last year, the
//! national average, the January extension and the pace needed, a project's page, and the
//! budget summary with its hierarchy, estimate versions, lũy kế, cùng kỳ and reporting
//! periods. Runs on SQLite and on PostgreSQL.

mod common;

use common::*;
use serde_json::{json, Value};

const TY: i64 = 1_000_000_000;

fn catalogue() -> app::model::Catalogue {
    server::province::load(&server::province::demo()).unwrap()
}

/// Three projects of the registry in three different communes, with different investors.
fn three_projects(c: &app::model::Catalogue) -> Vec<app::model::Project> {
    let mut picked: Vec<app::model::Project> = Vec::new();
    for p in &c.projects {
        if picked
            .iter()
            .all(|q| q.commune() != p.commune() && q.investor != p.investor)
        {
            picked.push(p.clone());
        }
        if picked.len() == 3 {
            break;
        }
    }
    picked
}

fn figure(indicator: &str, project: &str, period: &str, value: i64) -> Value {
    json!({"indicator": indicator, "project": project, "period": period, "value": value, "unit": "dong",
           "as_of": format!("{}T17:00:00+07:00", if period.len() == 4 { "2025-01-02" } else { period })})
}

/// An amount or rate of an answer: a JSON number written with its exact digits.
fn dec(v: &Value) -> rust_decimal::Decimal {
    assert!(v.is_number(), "{v} is not a number");
    v.to_string().parse().unwrap()
}

fn d(text: &str) -> rust_decimal::Decimal {
    text.parse().unwrap()
}

async fn seed_disbursement(s: &TestServer, p: &[app::model::Project]) {
    let stc = s.token("STC").await;
    let kbnn = s.token("KBNN").await;
    let (a, b, c) = (&p[0].code, &p[1].code, &p[2].code);
    s.post_ok(
        &stc,
        &batch(vec![
            figure("invest.project.plan.pm", a, "2025", 60 * TY),
            figure("invest.project.plan.council", a, "2025", 100 * TY),
            figure("invest.project.plan.council", b, "2025", 50 * TY),
            figure("invest.project.plan.council", c, "2025", 10 * TY),
            figure("invest.project.plan.council", a, "2024", 80 * TY),
        ]),
    )
    .await;
    // a mid-year adjustment of one project's plan
    s.post_ok(
        &stc,
        &batch(vec![figure(
            "invest.project.plan.adjusted",
            b,
            "2025",
            40 * TY,
        )]),
    )
    .await;
    s.post_ok(
        &stc,
        &batch(vec![
            json!({"indicator": "invest.disbursement.rate.national", "area": "14", "period": "2025-03", "value": 10, "unit": "percent"}),
            json!({"indicator": "invest.disbursement.rate.national", "area": "14", "period": "2025-08", "value": 41.5, "unit": "percent"}),
        ]),
    )
    .await;
    let days = [
        // last year, for the curve of last year and the projection
        ("invest.project.disbursed.ytd", a, "2024-09-30", 40 * TY),
        (
            "invest.project.disbursed.extension",
            a,
            "2025-01-31",
            76 * TY,
        ),
        ("invest.project.disbursed.ytd", a, "2025-01-31", 2 * TY),
        ("invest.project.disbursed.ytd", a, "2025-04-23", 5 * TY),
        ("invest.project.disbursed.ytd", b, "2025-04-23", 8 * TY),
        ("invest.project.disbursed.ytd", c, "2025-04-23", 4 * TY),
        ("invest.project.disbursed.ytd", a, "2025-04-24", 6 * TY),
        ("invest.project.disbursed.ytd", a, "2025-06-30", 30 * TY),
        ("invest.project.disbursed.ytd", a, "2025-09-30", 47 * TY),
        (
            "invest.project.disbursed.extension",
            a,
            "2026-01-15",
            90 * TY,
        ),
        (
            "invest.project.disbursed.extension",
            a,
            "2026-01-31",
            96 * TY,
        ),
    ];
    for (indicator, project, period, value) in days {
        s.post_ok(
            &kbnn,
            &batch(vec![figure(indicator, project, period, value)]),
        )
        .await;
    }
}

fn rows(view: &Value) -> &Vec<Value> {
    view["rows"].as_array().unwrap()
}

#[tokio::test]
async fn disbursement_is_the_sum_of_projects_at_every_level() {
    let s = TestServer::start().await;
    let c = catalogue();
    let p = three_projects(&c);
    seed_disbursement(&s, &p).await;

    let (status, province) = s
        .get_json("/api/v1/investment/disbursement?year=2025&date=2025-04-24&by=province")
        .await;
    assert_eq!(status, 200, "{province}");
    let total = &province["total"];
    // plans in force: 100 + 40 (adjusted) + 10; disbursed 6 + 8 + 4
    assert_eq!(dec(&total["plan_in_force"]), (150 * TY).into());
    assert_eq!(dec(&total["disbursed"]), (18 * TY).into());
    assert_eq!(dec(&total["rate"]), d("12"));
    assert_eq!(dec(&total["plan"]["council"]), (160 * TY).into());
    assert_eq!(dec(&total["plan"]["pm"]), (60 * TY).into());
    assert_eq!(dec(&total["plan"]["adjusted"]), (40 * TY).into());
    // below the curve for 24 April (≈ 13,7%), above the national average of March
    assert_eq!(total["band"], "warning");
    assert_eq!(total["below_national"], false);
    assert_eq!(dec(&province["national"]), d("10"));
    assert_eq!(province["national_period"], "2025-03");

    // province = Σ investors = Σ communes = Σ projects, for every amount
    for by in ["investor", "commune", "project"] {
        let (status, view) = s
            .get_json(&format!(
                "/api/v1/investment/disbursement?year=2025&date=2025-04-24&by={by}"
            ))
            .await;
        assert_eq!(status, 200);
        assert_eq!(rows(&view).len(), 3, "{by}");
        for field in ["plan_in_force", "disbursed"] {
            let sum: rust_decimal::Decimal = rows(&view).iter().map(|r| dec(&r[field])).sum();
            assert_eq!(sum, dec(&total[field]), "{by} {field}");
        }
        let council: rust_decimal::Decimal =
            rows(&view).iter().map(|r| dec(&r["plan"]["council"])).sum();
        assert_eq!(council, (160 * TY).into());
        assert_eq!(
            view["total"], province["total"],
            "the same total whatever the grouping"
        );
    }
    let (_, by_project) = s
        .get_json("/api/v1/investment/disbursement?year=2025&date=2025-04-24&by=project")
        .await;
    let rows = rows(&by_project);
    // ranked by rate: 40%, 20%, 6%
    let order: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [p[2].code.as_str(), p[1].code.as_str(), p[0].code.as_str()]
    );
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["name"], p[2].name_vi.as_str());
    // 5 → 6 tỷ of 100: one point since the previous report
    assert_eq!(dec(&rows[2]["movement"]), d("1"));
    assert_eq!(dec(&rows[2]["rate"]), d("6"));
    assert_eq!(dec(&rows[1]["movement"]), d("0"), "no report since");

    // the same date a day earlier: the previous report
    let (_, earlier) = s
        .get_json("/api/v1/investment/disbursement?year=2025&date=2025-04-23")
        .await;
    assert_eq!(dec(&earlier["total"]["disbursed"]), (17 * TY).into());

    // the same table as a file Excel opens: CSV with a BOM, every digit; XLSX
    let csv = s
        .http
        .get(format!(
            "{}/api/v1/investment/disbursement.csv?year=2025&date=2025-04-24&by=investor",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("giai-ngan-2025-2025-04-24.csv"));
    let bytes = csv.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("Hạng,Mã,Tên,Kế hoạch Thủ tướng giao (đồng)"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        5,
        "header, three investors, the province: {text}"
    );
    let province = lines[4];
    assert!(
        province.contains(",150000000000,18000000000,12,"),
        "{province}"
    );
    let xlsx = s
        .http
        .get(format!(
            "{}/api/v1/investment/disbursement.xlsx?year=2025&date=2025-04-24",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");

    for bad in ["by=district", "year=25", "date=24/04/2025"] {
        let (status, error) = s
            .get_json(&format!("/api/v1/investment/disbursement?{bad}"))
            .await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            error["error"]["message_vi"]
                .as_str()
                .unwrap()
                .contains("Tham số"),
            "{error}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn the_s_curve_runs_through_the_january_extension_with_its_outlook() {
    let s = TestServer::start().await;
    let c = catalogue();
    let p = three_projects(&c);
    seed_disbursement(&s, &p).await;
    let commune = p[0].commune();

    let (status, curve) = s
        .get_json(&format!(
            "/api/v1/investment/scurve?year=2025&date=2025-09-30&area={commune}"
        ))
        .await;
    assert_eq!(status, 200, "{curve}");
    let points = curve["points"].as_array().unwrap();
    assert_eq!(points.len(), 13, "twelve month ends and 31 January");
    assert_eq!(points[0]["day"], "2025-01-31");
    assert_eq!(points[12]["day"], "2026-01-31");
    assert_eq!(dec(&points[0]["rate"]), d("2"));
    assert_eq!(
        dec(&points[3]["rate"]),
        d("6"),
        "April: the last figure of the month"
    );
    assert_eq!(dec(&points[4]["rate"]), d("6"), "May: carried from April");
    assert_eq!(dec(&points[5]["rate"]), d("30"));
    assert_eq!(dec(&points[8]["rate"]), d("47"));
    assert!(points[9]["rate"].is_null(), "October has not begun");
    assert_eq!(
        dec(&points[8]["last_year"]),
        d("50"),
        "40 of last year's 80 tỷ"
    );
    assert_eq!(
        dec(&points[12]["last_year"]),
        d("95"),
        "last year's extension"
    );
    assert_eq!(dec(&points[7]["national"]), d("41.5"));
    assert_eq!(dec(&points[8]["expected"]), d("57"));
    let outlook = &curve["outlook"];
    assert_eq!(outlook["method"], "last_years_shape");
    // 47% × (95% ÷ 50%)
    assert_eq!(dec(&outlook["projection"]), d("89.3"));
    assert_eq!(outlook["months_left"], 4);
    // 53 tỷ to 100% over October, November, December and January
    assert_eq!(
        dec(&outlook["needed_for_100"]),
        rust_decimal::Decimal::from(13_250_000_000i64)
    );
    assert_eq!(
        dec(&outlook["needed_for_95"]),
        rust_decimal::Decimal::from(12_000_000_000i64)
    );
    assert_eq!(
        curve["area_name"],
        c.area(commune).unwrap().name_vi.as_str()
    );

    // in January the default plan year is last year's, and its extension counts
    let (_, january) = s
        .get_json(&format!(
            "/api/v1/investment/scurve?date=2026-01-20&area={commune}"
        ))
        .await;
    assert_eq!(january["year"], 2025);
    assert_eq!(dec(&january["rate"]), d("90"));
    assert_eq!(
        dec(&january["points"][12]["rate"]),
        d("90"),
        "the extension so far"
    );
    let (_, end) = s
        .get_json(&format!(
            "/api/v1/investment/scurve?year=2025&date=2026-02-15&area={commune}"
        ))
        .await;
    assert_eq!(
        dec(&end["rate"]),
        d("96"),
        "read at the end of the extension"
    );
    assert_eq!(end["outlook"]["months_left"], 0);

    // the same curve rendered on the server: a PNG of at least 1200×600, an SVG with its
    // Vietnamese text composed
    let get = |path: String| {
        let http = s.http.clone();
        let viewer = s.viewer.clone();
        let base = s.base.clone();
        async move {
            http.get(format!("{base}{path}"))
                .bearer_auth(viewer)
                .send()
                .await
                .unwrap()
        }
    };
    let png = get(format!(
        "/api/v1/charts/disbursement-scurve.png?year=2025&date=2025-09-30&area={commune}"
    ))
    .await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert!(
        info.width >= 1200 && info.height >= 600,
        "{}×{}",
        info.width,
        info.height
    );
    let svg = get(format!(
        "/api/v1/charts/disbursement-scurve.svg?year=2025&date=2025-09-30&area={commune}"
    ))
    .await;
    assert_eq!(svg.status(), 200);
    let svg = svg.text().await.unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(
        svg.contains("Tiến độ giải ngân vốn đầu tư công năm 2025"),
        "the title in Vietnamese"
    );
    assert!(svg.contains("Đường kế hoạch") && svg.contains("Bình quân cả nước"));
    assert!(
        svg.contains("số liệu đến"),
        "the chart says how fresh it is"
    );
    let english =
        get("/api/v1/charts/disbursement-scurve.svg?year=2025&date=2025-09-30&lang=en".into())
            .await
            .text()
            .await
            .unwrap();
    assert!(english.contains("Plan-shaped curve"));
    assert_eq!(get("/api/v1/charts/nothing.png".into()).await.status(), 404);
    assert_eq!(
        get("/api/v1/charts/disbursement-scurve.gif".into())
            .await
            .status(),
        404
    );

    // the province curve holds every project; an unknown area is refused
    let (_, province) = s
        .get_json("/api/v1/investment/scurve?year=2025&date=2025-04-30")
        .await;
    assert_eq!(dec(&province["plan"]), (150 * TY).into());
    assert_eq!(dec(&province["points"][3]["rate"]), d("12"));
    let (status, _) = s.get_json("/api/v1/investment/scurve?area=99999").await;
    assert_eq!(status, 400);
    s.stop().await;
}

#[tokio::test]
async fn a_projects_page_has_its_registry_entry_plans_and_history() {
    let s = TestServer::start().await;
    let c = catalogue();
    let p = three_projects(&c);
    seed_disbursement(&s, &p).await;

    let (status, page) = s
        .get_json(&format!(
            "/api/v1/projects/{}?year=2025&date=2025-09-30",
            p[0].code
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["project"]["name_vi"], p[0].name_vi.as_str());
    assert_eq!(page["project"]["investor"], p[0].investor.as_str());
    assert_eq!(
        page["investor_name"],
        c.investor(&p[0].investor).unwrap().name_vi.as_str()
    );
    assert_eq!(dec(&page["figures"]["plans"]["council"]), d("100000000000"));
    assert_eq!(dec(&page["figures"]["plans"]["pm"]), d("60000000000"));
    assert_eq!(dec(&page["rate"]), d("47"));
    let history = page["history"].as_array().unwrap();
    assert_eq!(history.len(), 9, "January to September");
    assert_eq!(
        history[5],
        json!({"day": "2025-06-30", "disbursed": 30 * TY})
    );

    // the same history as a file
    let csv = s
        .http
        .get(format!(
            "{}/api/v1/projects/{}.csv?year=2025&date=2025-09-30",
            s.base, p[0].code
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("30/06/2025,30000000000,100000000000,30")),
        "{csv}"
    );
    let (status, missing) = s.get_json("/api/v1/projects/SL-NOPE-1").await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "unknown_project");
    s.stop().await;
}

#[tokio::test]
async fn the_budget_summary_keeps_parts_apart_and_compares_with_its_own_year() {
    let s = TestServer::start().await;
    let stc = s.token("STC").await;
    let kbnn = s.token("KBNN").await;
    let thue = s.token("THUE").await;
    let yearly = |indicator: &str, year: &str, value: i64| json!({"indicator": indicator, "area": "14", "period": year, "value": value, "unit": "dong"});
    s.post_ok(
        &stc,
        &batch(vec![
            yearly("budget.revenue.estimate.central", "2025", 4_235 * TY),
            yearly("budget.revenue.estimate", "2025", 4_500 * TY),
            yearly("budget.revenue.estimate", "2026", 5_000 * TY),
            yearly("budget.revenue.land.estimate", "2025", 800 * TY),
        ]),
    )
    .await;
    let daily = |indicator: &str, day: &str, value: i64| {
        json!({"indicator": indicator, "area": "14", "period": day, "value": value, "unit": "dong",
               "as_of": format!("{day}T17:00:00+07:00")})
    };
    for (day, value) in [
        ("2024-03-31", 1_000),
        ("2025-02-14", 900),
        ("2025-02-28", 1_000),
        ("2025-03-14", 1_100),
        ("2025-03-31", 1_200),
    ] {
        s.post_ok(
            &kbnn,
            &batch(vec![daily("budget.revenue.ytd", day, value * TY)]),
        )
        .await;
    }
    s.post_ok(
        &thue,
        &batch(vec![
            daily("budget.revenue.domestic.ytd", "2025-03-31", 1_150 * TY),
            daily("budget.revenue.land.ytd", "2025-03-31", 200 * TY),
        ]),
    )
    .await;

    let (status, summary) = s.get_json("/api/v1/budget/summary?date=2025-03-31").await;
    assert_eq!(status, 200, "{summary}");
    let items = summary["items"].as_array().unwrap();
    let item = |code: &str| {
        items
            .iter()
            .find(|i| i["indicator"] == code)
            .unwrap()
            .clone()
    };
    let revenue = item("budget.revenue.ytd");
    assert_eq!(dec(&revenue["ytd"]), (1_200 * TY).into());
    assert_eq!(
        dec(&revenue["month"]),
        (200 * TY).into(),
        "March: 1.200 − 1.000"
    );
    assert_eq!(revenue["month_label"], "tháng 3/2025");
    // its own year's estimate (2026's exists too), each version named
    assert_eq!(
        dec(&revenue["estimate"]["budget.revenue.estimate"]),
        d("4500000000000")
    );
    assert_eq!(
        dec(&revenue["estimate"]["budget.revenue.estimate.central"]),
        d("4235000000000")
    );
    assert_eq!(dec(&revenue["percent_of_estimate"]), d("26.67"));
    assert_eq!(dec(&revenue["same_period_last_year"]), (1_000 * TY).into());
    assert_eq!(dec(&revenue["growth"]), d("120"));
    // a part names its whole; land-use fees are part of domestic revenue
    let land = item("budget.revenue.land.ytd");
    assert_eq!(land["part_of"], "budget.revenue.domestic.ytd");
    assert_eq!(dec(&land["percent_of_estimate"]), d("25"));
    assert_eq!(
        item("budget.revenue.domestic.ytd")["part_of"],
        "budget.revenue.ytd"
    );
    assert!(
        item("budget.spending.ytd")["ytd"].is_null(),
        "nothing reported is not zero"
    );

    // statistical reporting months run from the 15th to the 14th
    let (_, reporting) = s
        .get_json("/api/v1/budget/summary?date=2025-03-14&cut=reporting")
        .await;
    let revenue = reporting["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "budget.revenue.ytd")
        .unwrap()
        .clone();
    assert_eq!(
        dec(&revenue["month"]),
        (200 * TY).into(),
        "15/2 – 14/3: 1.100 − 900"
    );
    assert_eq!(
        revenue["month_label"],
        "kỳ báo cáo tháng 3/2025 (15/02/2025 – 14/03/2025)"
    );
    let (status, _) = s.get_json("/api/v1/budget/summary?cut=weekly").await;
    assert_eq!(status, 400);
    let csv = s
        .http
        .get(format!(
            "{}/api/v1/budget/summary.csv?date=2025-03-31&lang=en",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let revenue = csv
        .lines()
        .find(|l| l.starts_with("budget.revenue.ytd,"))
        .unwrap();
    assert!(
        revenue.contains(",1200000000000,month 3/2025,200000000000,"),
        "{revenue}"
    );
    assert!(csv.lines().next().unwrap().contains("Year to date (đồng)"));
    // revenue against its own year's estimate, drawn on the server
    let chart = s
        .http
        .get(format!(
            "{}/api/v1/charts/revenue-vs-estimate.svg?date=2025-03-31",
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
        chart.contains("Thu ngân sách nhà nước trên địa bàn năm 2025"),
        "{}",
        &chart[..200]
    );
    assert!(chart.contains("Dự toán HĐND tỉnh giao") && chart.contains("Cùng kỳ năm trước"));
    let png = s
        .http
        .get(format!(
            "{}/api/v1/charts/revenue-vs-estimate.png?date=2025-03-31",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(png.status(), 200);
    assert_eq!(&png.bytes().await.unwrap()[1..4], b"PNG");

    // an officer of another agency sees the overview's totals, not the Tax Office's parts
    let syt = s.token("SYT").await;
    let answer: Value = s
        .http
        .get(format!("{}/api/v1/budget/summary?date=2025-03-31", s.base))
        .bearer_auth(&syt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["indicator"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"budget.revenue.ytd"), "{codes:?}");
    assert!(!codes.contains(&"budget.revenue.land.ytd"), "{codes:?}");
    let (status, _) = (
        s.http
            .get(format!("{}/api/v1/investment/disbursement", s.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        (),
    );
    assert_eq!(status, 401, "strangers see nothing");
    s.stop().await;
}

/// The PDF's streams, inflated where they are compressed.
fn pdf_streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut rest = pdf;
    while let Some(start) = find(rest, b"stream\n") {
        let body = &rest[start + 7..];
        let Some(end) = find(body, b"endstream") else {
            break;
        };
        let raw = &body[..end];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        } else {
            out.push(raw.to_vec());
        }
        rest = &body[end + b"endstream".len()..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The characters the PDF's fonts map their glyphs to (their ToUnicode CMaps).
fn mapped_characters(pdf: &[u8]) -> String {
    let mut chars = String::new();
    for stream in pdf_streams(pdf) {
        let text = String::from_utf8_lossy(&stream);
        if !text.contains("begincmap") {
            continue;
        }
        // `<0012> <1EC7>` (bfchar) lines: the second hex string is UTF-16BE
        for line in text.lines() {
            let hex: Vec<&str> = line
                .split(['<', '>'])
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()))
                .collect();
            if let [_, unicode] = hex[..] {
                let units: Vec<u16> = (0..unicode.len() / 4)
                    .map(|i| u16::from_str_radix(&unicode[i * 4..i * 4 + 4], 16).unwrap())
                    .collect();
                chars.push_str(&String::from_utf16_lossy(&units));
            }
        }
    }
    chars
}

#[tokio::test]
async fn the_morning_briefing_is_one_a4_page_with_its_font_and_the_same_png() {
    let s = TestServer::start().await;
    let c = catalogue();
    let p = three_projects(&c);
    seed_disbursement(&s, &p).await;
    let get = |path: &str| {
        s.http
            .get(format!("{}{path}", s.base))
            .bearer_auth(&s.viewer)
            .send()
    };

    let answer = get("/api/v1/briefing.pdf?date=2025-09-30").await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/pdf");
    assert!(answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("ban-tin-sang-2025-09-30.pdf"));
    let pdf = answer.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // one page, A4 in points
    assert_eq!(count(&pdf, b"/Type/Page") - count(&pdf, b"/Type/Pages"), 1);
    assert!(find(&pdf, b"/Type/Pages/Count 1/").is_some());
    assert!(find(&pdf, b"/MediaBox[0 0 595.28 841.89]").is_some());
    // the font is embedded (a TrueType subset), and its glyphs map back to Vietnamese
    assert!(find(&pdf, b"/FontFile2").is_some(), "no embedded font");
    assert!(find(&pdf, b"NotoSans").is_some());
    let mapped = mapped_characters(&pdf);
    for ch in "BẢNTISÁGÂĐƯÔđãảạệơư".chars() {
        assert!(
            mapped.contains(ch),
            "{ch} is not in the PDF's text: {mapped}"
        );
    }
    // the title, in the document's XMP metadata (UTF-8)
    assert!(find(&pdf, "Bản tin sáng ngày 30/09/2025".as_bytes()).is_some());

    let answer = get("/api/v1/briefing.png?date=2025-09-30&lang=en")
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "image/png");
    let png = answer.bytes().await.unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (1240, 1754), "A4 at 150 dpi");
    let dark = pixels
        .chunks(4)
        .filter(|p| p[0] < 128 && p[1] < 128 && p[2] < 128)
        .count();
    assert!(
        dark > 20_000,
        "the page has text and lines: {dark} dark pixels"
    );

    let answer = get("/api/v1/briefing.pdf?date=30-09-2025").await.unwrap();
    assert_eq!(answer.status(), 400);
    let answer = s
        .http
        .get(format!("{}/api/v1/briefing.pdf", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    s.stop().await;
}

#[tokio::test]
async fn each_communes_revenue_is_against_its_own_years_estimate() {
    let s = TestServer::start().await;
    let stc = s.token("STC").await;
    let kbnn = s.token("KBNN").await;
    let commune = "03646"; // Phường Tô Hiệu
    let item = |indicator: &str, period: &str, value: i64| json!({"indicator": indicator, "area": commune, "period": period, "value": value, "unit": "dong"});
    s.post_ok(
        &stc,
        &batch(vec![
            item("budget.commune.revenue.estimate", "2025", 80 * TY),
            item("budget.commune.revenue.estimate", "2026", 100 * TY),
        ]),
    )
    .await;
    s.post_ok(
        &kbnn,
        &batch(vec![
            item("budget.commune.revenue.ytd", "2025-09-26", 30 * TY),
            item("budget.commune.revenue.ytd", "2025-09-30", 36 * TY),
        ]),
    )
    .await;

    let (status, answer) = s.get_json("/api/v1/budget/communes?date=2025-09-30").await;
    assert_eq!(status, 200, "{answer}");
    let communes = answer["communes"].as_array().unwrap();
    assert_eq!(
        communes.len(),
        75,
        "every commune and ward of today, as on the map"
    );
    let row = communes.iter().find(|r| r["code"] == commune).unwrap();
    assert_eq!(row["name"], "Phường Tô Hiệu");
    assert_eq!(dec(&row["ytd"]), (36 * TY).into());
    assert_eq!(
        dec(&row["estimate"]),
        (80 * TY).into(),
        "2025's, not 2026's"
    );
    assert_eq!(dec(&row["percent"]), d("45"));
    // a commune with no figure has none (not zero)
    assert!(communes
        .iter()
        .any(|r| r["code"] != commune && r["ytd"].is_null()));
    // a day before the last figure reads the one before it
    let (_, earlier) = s.get_json("/api/v1/budget/communes?date=2025-09-28").await;
    let row = earlier["communes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == commune)
        .unwrap()
        .clone();
    assert_eq!(dec(&row["ytd"]), (30 * TY).into());
    // a new year starts with nothing collected yet, against the new estimate
    let (_, next) = s.get_json("/api/v1/budget/communes?date=2026-01-05").await;
    let row = next["communes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == commune)
        .unwrap()
        .clone();
    assert!(row["ytd"].is_null());
    assert_eq!(dec(&row["estimate"]), (100 * TY).into());

    let csv = s
        .http
        .get(format!(
            "{}/api/v1/budget/communes.csv?date=2025-09-30",
            s.base
        ))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("03646,Phường Tô Hiệu,36000000000,80000000000,45,")),
        "{csv}"
    );
    s.stop().await;
}
