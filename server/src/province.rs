//! Reads a province's data files into a checked [`Catalogue`].
//!
//! A province is a directory of TOML files — `province.toml` (which unit is the province),
//! `agencies.toml` (plus `agencies-communes.toml` if present), `areas.toml` (time-valid
//! units), `crosswalk.toml` (optional: pre-reform units → post-reform units) and
//! `indicators.toml` — and optionally `geometry.geojson` (commune shapes) and the
//! public-investment registry: `investors.toml`, `projects.toml`, `disbursement.toml`. The demo
//! province, Sơn La, is built into the binary; `--province-dir` reads another.

use anyhow::{anyhow, Context};
use app::model::alert::AlertRule;
use app::model::catalogue::DisbursementRules;
use app::model::{
    Agency, Area, Catalogue, CrosswalkLink, Indicator, Investor, Project, ProvinceData,
};
use serde::Deserialize;
use std::path::Path;

/// The files of a province, as text.
pub struct ProvinceFiles {
    pub province: String,
    /// `agencies.toml` and any further agency files, by name.
    pub agencies: Vec<(String, String)>,
    pub areas: String,
    pub crosswalk: Option<String>,
    pub indicators: String,
    /// The public-investment registry (`investors.toml`, `projects.toml`) and how
    /// disbursement is judged (`disbursement.toml`), if the province has them.
    pub investors: Option<String>,
    pub projects: Option<String>,
    pub disbursement: Option<String>,
    /// `geometry.geojson`, if the province has shapes.
    pub geometry: Option<String>,
    /// `holidays/<year>.toml`: the Government's days off and weekend days worked, by name.
    pub holidays: Vec<(String, String)>,
    /// `alerts.toml`: the alert rules, if the province has them.
    pub alerts: Option<String>,
}

/// Sơn La, the demo province.
pub fn demo() -> ProvinceFiles {
    ProvinceFiles {
        province: include_str!("../province/son-la/province.toml").into(),
        agencies: vec![
            (
                "agencies.toml".into(),
                include_str!("../province/son-la/agencies.toml").into(),
            ),
            (
                "agencies-communes.toml".into(),
                include_str!("../province/son-la/agencies-communes.toml").into(),
            ),
        ],
        areas: include_str!("../province/son-la/areas.toml").into(),
        crosswalk: Some(include_str!("../province/son-la/crosswalk.toml").into()),
        indicators: include_str!("../province/son-la/indicators.toml").into(),
        investors: Some(include_str!("../province/son-la/investors.toml").into()),
        projects: Some(include_str!("../province/son-la/projects.toml").into()),
        disbursement: Some(include_str!("../province/son-la/disbursement.toml").into()),
        geometry: Some(include_str!("../province/son-la/geometry.geojson").into()),
        alerts: Some(include_str!("../province/son-la/alerts.toml").into()),
        holidays: vec![
            (
                "holidays/2026.toml".into(),
                include_str!("../province/son-la/holidays/2026.toml").into(),
            ),
            (
                "holidays/2027.toml".into(),
                include_str!("../province/son-la/holidays/2027.toml").into(),
            ),
        ],
    }
}

pub fn read_dir(dir: &Path) -> anyhow::Result<ProvinceFiles> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let optional = |name: &str| {
        let path = dir.join(name);
        path.exists().then(|| read(name)).transpose()
    };
    let mut agencies = vec![("agencies.toml".to_string(), read("agencies.toml")?)];
    if let Some(more) = optional("agencies-communes.toml")? {
        agencies.push(("agencies-communes.toml".into(), more));
    }
    Ok(ProvinceFiles {
        province: read("province.toml")?,
        agencies,
        areas: read("areas.toml")?,
        crosswalk: optional("crosswalk.toml")?,
        indicators: read("indicators.toml")?,
        investors: optional("investors.toml")?,
        projects: optional("projects.toml")?,
        disbursement: optional("disbursement.toml")?,
        geometry: optional("geometry.geojson")?,
        holidays: holiday_files(&dir.join("holidays"))?,
        alerts: optional("alerts.toml")?,
    })
}

/// Every `*.toml` in `dir` (none if it does not exist), by name, in name order.
fn holiday_files(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((format!("holidays/{name}"), text));
        }
    }
    files.sort();
    Ok(files)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceFile {
    /// The code of the province's unit in areas.toml.
    code: String,
    /// The agency that follows up the province's directives.
    #[serde(default)]
    directives_office: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgenciesFile {
    agency: Vec<Agency>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreasFile {
    area: Vec<Area>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrosswalkFile {
    #[serde(default)]
    link: Vec<CrosswalkLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorsFile {
    indicator: Vec<Indicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvestorsFile {
    #[serde(default)]
    investor: Vec<Investor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectsFile {
    #[serde(default)]
    project: Vec<Project>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsFile {
    #[serde(default)]
    rule: Vec<AlertRule>,
}

/// Parses and checks `alerts.toml` against the catalogue; every problem is listed.
pub fn alert_rules(files: &ProvinceFiles, catalogue: &Catalogue) -> anyhow::Result<Vec<AlertRule>> {
    let Some(text) = &files.alerts else {
        return Ok(Vec::new());
    };
    let rules = parse::<AlertsFile>("alerts.toml", text)?.rule;
    let errors = app::model::alert::check_rules(&rules, catalogue);
    if errors.is_empty() {
        return Ok(rules);
    }
    let list: Vec<String> = errors
        .iter()
        .map(|(entry, field, reason)| format!("  - {entry}: {field}: {reason}"))
        .collect();
    Err(anyhow!(
        "alerts.toml has {} problem(s):\n{}",
        errors.len(),
        list.join("\n")
    ))
}

fn parse<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).map_err(|e| anyhow!("{file}: {e}"))
}

/// Parses and checks the files; every problem is listed in the error.
pub fn load(files: &ProvinceFiles) -> anyhow::Result<Catalogue> {
    let province: ProvinceFile = parse("province.toml", &files.province)?;
    let mut agencies = Vec::new();
    for (name, text) in &files.agencies {
        agencies.extend(parse::<AgenciesFile>(name, text)?.agency);
    }
    let areas: AreasFile = parse("areas.toml", &files.areas)?;
    let crosswalk = match &files.crosswalk {
        Some(text) => parse::<CrosswalkFile>("crosswalk.toml", text)?.link,
        None => Vec::new(),
    };
    let indicators: IndicatorsFile = parse("indicators.toml", &files.indicators)?;
    let investors = match &files.investors {
        Some(text) => parse::<InvestorsFile>("investors.toml", text)?.investor,
        None => Vec::new(),
    };
    let projects = match &files.projects {
        Some(text) => parse::<ProjectsFile>("projects.toml", text)?.project,
        None => Vec::new(),
    };
    let disbursement = match &files.disbursement {
        Some(text) => parse::<DisbursementRules>("disbursement.toml", text)?,
        None => DisbursementRules::default(),
    };
    let mut holidays = Vec::new();
    for (name, text) in &files.holidays {
        let year: app::model::workdays::HolidayYear = parse(name, text)?;
        let stem = name
            .trim_start_matches("holidays/")
            .trim_end_matches(".toml");
        if stem != year.year.to_string() {
            return Err(anyhow!(
                "{name}: year: the file of {} must be named {}.toml",
                year.year,
                year.year
            ));
        }
        holidays.push(year);
    }
    Catalogue::new(ProvinceData {
        province: province.code,
        agencies,
        areas: areas.area,
        crosswalk,
        indicators: indicators.indicator,
        investors,
        projects,
        disbursement,
        directives_office: province.directives_office,
        holidays,
    })
    .map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
        anyhow!(
            "the province data has {} problem(s):\n{}",
            errors.len(),
            list.join("\n")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_province_is_valid() {
        let c = load(&demo()).expect("the built-in province loads");
        assert_eq!(c.province, "14");
        assert!(c.indicator("budget.revenue.ytd").is_some());
        assert!(c.agency("STC").is_some());
    }

    #[test]
    fn the_demo_province_is_as_the_province_writes_it() {
        use app::model::AreaKind;
        use time::macros::date;
        let c = load(&demo()).unwrap();
        // Phường Chiềng An is 03664 (Statistics Office list of 25 June 2025)
        let chieng_an = c.resolve_area("03664", date!(2026 - 01 - 01), date!(2026 - 01 - 01));
        assert_eq!(
            chieng_an.map(|a| a.name_vi.as_str()),
            Some("Phường Chiềng An")
        );
        assert!(
            c.area("03667").is_none(),
            "no post-reform unit keeps the wrong code"
        );
        assert!(c.agency("UBND-03664").is_some());
        // Thị xã Mộc Châu and its wards exist from 1 February 2025
        let ward = c.area("03979-20250630").expect("Phường Mộc Sơn");
        assert_eq!(ward.name_vi, "Phường Mộc Sơn");
        assert!(!ward.valid_during(date!(2025 - 01 - 31), date!(2025 - 01 - 31)));
        assert!(ward.valid_during(date!(2025 - 02 - 01), date!(2025 - 02 - 01)));
        // townships are their own kind, and commune level
        let townships: Vec<_> = c
            .areas
            .iter()
            .filter(|a| a.kind == AreaKind::Township)
            .collect();
        assert_eq!(townships.len(), 8);
        assert!(townships
            .iter()
            .all(|a| a.name_vi.starts_with("Thị trấn") && a.is_commune_level()));
        assert!(!c
            .areas
            .iter()
            .any(|a| a.name_vi.starts_with("Thị trấn") && a.kind != AreaKind::Township));
        // poverty reduction moved to agriculture and environment in 2025
        assert_eq!(
            c.indicator("society.poverty.rate")
                .map(|i| i.agency.as_str()),
            Some("SNNMT")
        );
    }

    #[test]
    fn a_malformed_entry_is_named() {
        let mut files = demo();
        files.indicators =
            files
                .indicators
                .replacen("cadence = \"daily\"", "cadence = \"hourly\"", 1);
        let err = load(&files).unwrap_err().to_string();
        assert!(err.starts_with("indicators.toml:"), "{err}");
        assert!(err.contains("hourly"), "{err}");
    }

    #[test]
    fn inconsistent_entries_are_all_listed() {
        let mut files = demo();
        files.indicators = files
            .indicators
            .replacen("agency = \"STC\"", "agency = \"NOPE\"", 1);
        files.province = "code = \"99\"".into();
        let err = load(&files).unwrap_err().to_string();
        assert!(err.contains("2 problem(s)"), "{err}");
        assert!(err.contains("agency: unknown agency 'NOPE'"), "{err}");
        assert!(err.contains("province: code: unknown area '99'"), "{err}");
    }

    #[test]
    fn the_holiday_calendar_is_read_and_checked() {
        use time::macros::date;
        let c = load(&demo()).unwrap();
        assert!(c.calendar.knows(2026) && c.calendar.knows(2027));
        assert!(!c.calendar.is_working_day(date!(2026 - 02 - 17)), "Tết");
        assert!(
            c.calendar.is_working_day(date!(2026 - 01 - 10)),
            "made-up Saturday"
        );
        assert!(
            !c.calendar.is_working_day(date!(2027 - 05 - 03)),
            "1/5 made up"
        );

        // a misplaced day, a weekday "workday" and a file under the wrong name are named
        let mut files = demo();
        files.holidays[0].1 = files.holidays[0]
            .1
            .replacen("to = \"2026-01-04\"", "to = \"2027-01-04\"", 1)
            .replacen("date = \"2026-01-10\"", "date = \"2026-01-09\"", 1);
        let err = load(&files).unwrap_err().to_string();
        assert!(
            err.contains("holidays 2026 day_off #1: to: 2027-01-04 is not in 2026"),
            "{err}"
        );
        assert!(
            err.contains(
                "holidays 2026 workday #1: date: 2026-01-09 is a Friday, not a weekend day"
            ),
            "{err}"
        );
        let mut files = demo();
        files.holidays[1].0 = "holidays/2028.toml".into();
        let err = load(&files).unwrap_err().to_string();
        assert!(
            err.contains("holidays/2028.toml: year: the file of 2027 must be named 2027.toml"),
            "{err}"
        );
        let mut files = demo();
        files.holidays[1].1 =
            files.holidays[1]
                .1
                .replacen("confirmed = true", "confirmed = \"yes\"", 1);
        let err = load(&files).unwrap_err().to_string();
        assert!(err.starts_with("holidays/2027.toml:"), "{err}");
    }

    #[test]
    fn the_alert_rules_are_checked_against_the_catalogue() {
        let files = demo();
        let c = load(&files).unwrap();
        let rules = alert_rules(&files, &c).expect("the demo's rules are valid");
        assert!(rules.iter().any(|r| r.code == "late.daily"));
        let mut files = demo();
        files.alerts = Some(
            files
                .alerts
                .unwrap()
                .replacen("\"budget.spending.ytd\"", "\"budget.nope\"", 1)
                .replacen("jump_percent = 25", "jump_percent = 0", 1)
                .replacen("expected_by = \"17:30\"", "expected_by = \"5pm\"", 1),
        );
        let err = alert_rules(&files, &c).unwrap_err().to_string();
        assert!(err.contains("3 problem(s)"), "{err}");
        assert!(
            err.contains("rule jump.budget: indicators: unknown indicator 'budget.nope'"),
            "{err}"
        );
        assert!(
            err.contains("rule jump.budget: jump_percent: must be above 0"),
            "{err}"
        );
        assert!(
            err.contains("rule missing.treasury: expected_by: '5pm' is not a time of day as HH:MM"),
            "{err}"
        );
    }
}
