//! The province as data over the REST API: units valid on a date, the crosswalk, agencies,
//! indicators and shapes — for the demo province (Sơn La) and for a second province given
//! as data only.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

fn features(collection: &Value) -> &Vec<Value> {
    collection["features"].as_array().unwrap()
}

#[tokio::test]
async fn son_la_units_are_time_valid_with_a_crosswalk() {
    let s = TestServer::start().await;
    let (status, today) = s.get_json("/api/v1/areas?at=2026-11-23").await;
    assert_eq!(status, 200);
    let areas = today["areas"].as_array().unwrap();
    assert_eq!(
        areas.len(),
        76,
        "the province and its 75 communes and wards"
    );
    let wards = areas.iter().filter(|a| a["kind"] == "ward").count();
    assert_eq!(wards, 8);
    let to_hieu = areas.iter().find(|a| a["code"] == "03646").unwrap();
    assert_eq!(to_hieu["name"], "Phường Tô Hiệu");
    assert_eq!(to_hieu["valid_from"], "2025-07-01");

    let (_, before) = s.get_json("/api/v1/areas?at=2025-06-30").await;
    let before = before["areas"].as_array().unwrap();
    assert_eq!(
        before.iter().filter(|a| a["kind"] == "district").count(),
        12
    );
    assert_eq!(
        before
            .iter()
            .filter(|a| a["parent"]
                .as_str()
                .is_some_and(|p| p.ends_with("-20250630")))
            .count(),
        200
    );
    let old = before
        .iter()
        .find(|a| a["official_code"] == "03646")
        .unwrap();
    assert_eq!(
        old["name"], "Phường Chiềng Lề",
        "03646 was another unit before the reform"
    );

    let (status, error) = s.get_json("/api/v1/areas?at=23/11/2026").await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "invalid_date");

    let (_, crosswalk) = s.get_json("/api/v1/areas/crosswalk").await;
    let links = crosswalk["links"].as_array().unwrap();
    assert_eq!(links.len(), 200);
    let chieng_le = links
        .iter()
        .find(|l| l["from"] == "03646-20250630")
        .unwrap();
    assert_eq!(chieng_le["to_name"], "Phường Tô Hiệu");
    assert_eq!(chieng_le["share"], "1");
    s.stop().await;
}

#[tokio::test]
async fn son_la_agencies_indicators_and_shapes() {
    let s = TestServer::start().await;
    let (_, agencies) = s.get_json("/api/v1/agencies").await;
    let agencies = agencies["agencies"].as_array().unwrap();
    for code in [
        "VPUB", "STC", "SNV", "SXD", "SNNMT", "SKHCN", "SYT", "SGDDT", "SCT", "SVHTTDL", "STP",
        "SDTTG", "TTT", "KBNN", "THUE",
    ] {
        assert!(agencies.iter().any(|a| a["code"] == code), "agency {code}");
    }
    let committees = agencies.iter().filter(|a| a["area"].is_string()).count();
    assert_eq!(committees, 75, "each commune's People's Committee");

    let (_, catalogue) = s.get_json("/api/v1/indicators").await;
    let indicators = catalogue["indicators"].as_array().unwrap();
    assert!(indicators.len() >= 40);
    for sector in [
        "budget",
        "investment",
        "public_services",
        "tasks",
        "digital",
    ] {
        assert!(
            indicators.iter().any(|i| i["sector"] == sector),
            "sector {sector}"
        );
    }
    assert!(
        indicators
            .iter()
            .filter(|i| i["source"].is_string())
            .count()
            >= 10,
        "seed lines cited"
    );

    let response = s
        .http
        .get(format!("{}/api/v1/geo/areas.geojson?at=2026-11-23", s.base))
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let shapes: Value = response.json().await.unwrap();
    assert_eq!(features(&shapes).len(), 75);
    assert!(features(&shapes)
        .iter()
        .all(|f| f["properties"]["schematic"] == false));
    assert!(features(&shapes)
        .iter()
        .all(|f| f["geometry"]["type"] == "MultiPolygon"));
    let (_, before) = s.get_json("/api/v1/geo/areas.geojson?at=2024-01-01").await;
    assert!(
        features(&before).len() > 200,
        "communes and districts before the reform"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_second_province_is_data_only() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lao-cai-mini");
    let s = TestServer::start_with(|c| c.database.province_dir = Some(dir)).await;
    let (_, areas) = s.get_json("/api/v1/areas").await;
    let names: Vec<&str> = areas["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Tỉnh Thử Nghiệm", "Phường Một", "Xã Hai"]);
    // no geometry shipped: the map is schematic, and says so
    let (_, shapes) = s.get_json("/api/v1/geo/areas.geojson").await;
    assert_eq!(features(&shapes).len(), 2);
    assert!(features(&shapes)
        .iter()
        .all(|f| f["properties"]["schematic"] == true));
    // its agencies and indicators work like Sơn La's
    let office = s.token("VPUB").await;
    let receipt = s.post_ok(&office, &batch(vec![json!({"indicator": "services.online.rate", "area": "99002", "period": "2026-11-20", "value": 70, "unit": "percent"})])).await;
    assert_eq!(receipt["accepted"], 1);
    let page = s
        .http
        .get(&s.base)
        .bearer_auth(&s.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tỉnh Thử Nghiệm"));
    assert!(
        page.contains("KHÔNG phải ranh giới thực"),
        "the legend says the map is schematic"
    );
    s.stop().await;
}
