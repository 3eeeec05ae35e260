//! Checks a batch item by item against the catalogue. Every problem of every item is
//! reported with the item's index, the field, a stable code and a message in Vietnamese
//! and English; a batch with any problem is refused whole.

use app::model::format::vietnam_date;
use app::model::ingest::ItemProblem;
use app::model::number::{parse_exact, ExactError};
use app::model::{Catalogue, Level, Period, Unit};
use app::store::observations::NewObservation;
use std::collections::{BTreeMap, HashMap};
use time::{Duration, OffsetDateTime};

use super::item::{Field, Item};

/// How far in the future an `as_of` may be (clocks drift).
const CLOCK_SKEW: Duration = Duration::minutes(5);

const FIELDS: [&str; 8] = [
    "indicator",
    "area",
    "project",
    "agency",
    "period",
    "value",
    "unit",
    "as_of",
];

/// Why a batch was refused.
#[derive(Debug, Default, PartialEq)]
pub struct Refusal {
    /// Items naming an indicator the agency does not own (403).
    pub forbidden: Vec<ItemProblem>,
    /// Malformed or inconsistent items (422).
    pub invalid: Vec<ItemProblem>,
}

fn problem(index: usize, field: &str, code: &str, vi: String, en: String) -> ItemProblem {
    ItemProblem {
        line: None,
        index,
        field: field.into(),
        code: code.into(),
        message_vi: vi,
        message_en: en,
    }
}

struct Checked<'a, 'p> {
    index: usize,
    fields: &'a BTreeMap<String, Field>,
    problems: &'p mut Vec<ItemProblem>,
}

impl<'a> Checked<'a, '_> {
    fn string(&mut self, field: &str) -> Option<&'a str> {
        match self.fields.get(field) {
            Some(Field::Text(s)) if !s.trim().is_empty() => Some(s.as_str()),
            Some(Field::Text(_)) | None | Some(Field::Null) => {
                self.problems.push(problem(
                    self.index,
                    field,
                    "missing",
                    format!("Thiếu trường bắt buộc '{field}'."),
                    format!("The required field '{field}' is missing."),
                ));
                None
            }
            Some(other) => {
                let other = other.shown();
                self.problems.push(problem(
                    self.index,
                    field,
                    "not_a_string",
                    format!("Trường '{field}' phải là chuỗi ký tự, không phải {other}."),
                    format!("The field '{field}' must be a string, not {other}."),
                ));
                None
            }
        }
    }

    fn report(&mut self, field: &str, code: &str, vi: String, en: String) {
        self.problems.push(problem(self.index, field, code, vi, en));
    }
}

/// Validates `items` sent by `agency`; on success the observations to store, with values
/// converted to each indicator's unit.
pub fn validate(
    catalogue: &Catalogue,
    agency: &str,
    items: &[Item],
    now: OffsetDateTime,
) -> Result<Vec<NewObservation>, Refusal> {
    let mut refusal = Refusal::default();
    let mut accepted = Vec::with_capacity(items.len());
    let mut seen: HashMap<(String, String, Option<String>, Period), usize> = HashMap::new();
    let today = vietnam_date(now);

    for (index, raw) in items.iter().enumerate() {
        let Item::Object(fields) = raw else {
            refusal.invalid.push(problem(
                index,
                "item",
                "not_an_object",
                "Mỗi số liệu phải là một đối tượng JSON {\"indicator\", \"area\", \"period\", \"value\", \"unit\"}.".into(),
                "Each observation must be a JSON object {\"indicator\", \"area\", \"period\", \"value\", \"unit\"}.".into(),
            ));
            continue;
        };
        let before = refusal.invalid.len();
        let mut item = Checked {
            index,
            fields,
            problems: &mut refusal.invalid,
        };

        for name in fields.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
            item.report(
                name,
                "unknown_field",
                format!(
                    "Trường '{name}' không được hỗ trợ (các trường: {}).",
                    FIELDS.join(", ")
                ),
                format!(
                    "The field '{name}' is not supported (fields: {}).",
                    FIELDS.join(", ")
                ),
            );
        }

        let indicator = item.string("indicator").and_then(|code| {
            let found = catalogue.indicator(code);
            if found.is_none() {
                item.report(
                    "indicator",
                    "unknown_indicator",
                    format!("Chỉ tiêu '{code}' không có trong danh mục."),
                    format!("The indicator '{code}' is not in the catalogue."),
                );
            }
            found
        });
        if let Some(ind) = indicator {
            if ind.agency != agency {
                refusal.forbidden.push(problem(
                    index,
                    "indicator",
                    "not_your_indicator",
                    format!(
                        "Chỉ tiêu '{}' thuộc {}, cơ quan {agency} không được gửi số liệu này.",
                        ind.code, ind.agency
                    ),
                    format!(
                        "The indicator '{}' belongs to {}; agency {agency} may not submit it.",
                        ind.code, ind.agency
                    ),
                ));
            }
        }
        let mut item = Checked {
            index,
            fields,
            problems: &mut refusal.invalid,
        };

        let period = item
            .string("period")
            .and_then(|text| match text.parse::<Period>() {
                Ok(p) => Some(p),
                Err(_) => {
                    let expected = indicator
                        .map(|i| i.cadence.period_kind().pattern())
                        .unwrap_or("YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY");
                    item.report(
                        "period",
                        "period_format",
                        format!("Kỳ '{text}' không đúng định dạng; cần {expected}."),
                        format!("The period '{text}' is malformed; expected {expected}."),
                    );
                    None
                }
            });
        if let (Some(ind), Some(p)) = (indicator, period) {
            let kind = ind.cadence.period_kind();
            if p.kind() != kind {
                item.report(
                    "period",
                    "period_kind",
                    format!(
                        "Chỉ tiêu '{}' báo cáo {}: kỳ phải có dạng {}, không phải '{p}'.",
                        ind.code,
                        ind.cadence.label(app::model::Locale::Vi),
                        kind.pattern()
                    ),
                    format!(
                        "The indicator '{}' is reported {}: the period must be {}, not '{p}'.",
                        ind.code,
                        ind.cadence.label(app::model::Locale::En),
                        kind.pattern()
                    ),
                );
            }
        }
        let planned_ahead = indicator.is_some_and(|i| catalogue.is_plan(&i.code));
        if let Some(p) =
            period.filter(|p| !app::model::money::period_open(*p, today, planned_ahead))
        {
            let (vi, en) = if planned_ahead {
                (
                    format!(" Dự toán, kế hoạch năm sau được gửi từ ngày 01/12 (hôm nay là {})", app::model::format::date(today, app::model::Locale::Vi)),
                    format!(" Next year's estimates and plans may be sent from 1 December (today is {today})"),
                )
            } else {
                (
                    format!(
                        " (hôm nay là {})",
                        app::model::format::date(today, app::model::Locale::Vi)
                    ),
                    format!(" (today is {today})"),
                )
            };
            item.report(
                "period",
                "period_in_future",
                format!("Kỳ '{p}' chưa bắt đầu.{vi}"),
                format!("The period '{p}' has not started yet.{en}"),
            );
        }
        if let (Some(ind), Some(p)) = (indicator, period) {
            if ind.extension && !app::model::money::in_extension(p) {
                item.report(
                    "period",
                    "outside_extension",
                    format!(
                        "Chỉ tiêu '{}' là giải ngân vốn năm trước trong thời gian kéo dài: kỳ phải là một ngày từ 01/01 đến 31/01, không phải '{p}'.",
                        ind.code
                    ),
                    format!(
                        "The indicator '{}' is last year's capital disbursed during its extension: the period must be a day from 1 to 31 January, not '{p}'.",
                        ind.code
                    ),
                );
            }
        }

        // a figure reported per project names its project; its area is the project's commune
        let project = match (indicator, fields.get("project")) {
            (Some(ind), None | Some(Field::Null)) if ind.by_project => {
                item.report(
                    "project",
                    "missing",
                    format!("Chỉ tiêu '{}' báo cáo theo dự án: thiếu trường 'project' (mã dự án).", ind.code),
                    format!("The indicator '{}' is reported per project: the field 'project' (the project code) is missing.", ind.code),
                );
                None
            }
            (_, None | Some(Field::Null)) => None,
            (Some(ind), Some(_)) if !ind.by_project => {
                item.report(
                    "project",
                    "not_by_project",
                    format!("Chỉ tiêu '{}' không báo cáo theo dự án: bỏ trường 'project'.", ind.code),
                    format!("The indicator '{}' is not reported per project: remove the field 'project'.", ind.code),
                );
                None
            }
            (_, Some(_)) => item.string("project").and_then(|code| {
                let found = catalogue.project(code);
                if found.is_none() {
                    item.report(
                        "project",
                        "unknown_project",
                        format!("Dự án '{code}' không có trong danh mục dự án của tỉnh."),
                        format!("The project '{code}' is not in the province's project registry."),
                    );
                }
                found
            }),
        };

        // a figure reported per service desk is a commune's desk (its area) or a province
        // department's (naming it; its area is the province)
        let desk = match (indicator, fields.get("agency")) {
            (_, None | Some(Field::Null)) => None,
            (Some(ind), Some(_)) if !ind.by_agency => {
                item.report(
                    "agency",
                    "not_by_agency",
                    format!("Chỉ tiêu '{}' không báo cáo theo cơ quan giải quyết: bỏ trường 'agency'.", ind.code),
                    format!("The indicator '{}' is not reported per handling agency: remove the field 'agency'.", ind.code),
                );
                None
            }
            (_, Some(_)) => item.string("agency").and_then(|code| {
                match catalogue.agency(code) {
                    Some(a) if a.members.is_none() && a.area.is_none() => Some(a),
                    Some(a) => {
                        item.report(
                            "agency",
                            "not_a_department",
                            format!("'{code}' ({}) không phải một sở, ngành cấp tỉnh: hồ sơ của xã, phường gửi theo 'area' (mã xã).", a.name_vi),
                            format!("'{code}' ({}) is not a province department: a commune's dossiers are sent by 'area' (its code).", a.name_en),
                        );
                        None
                    }
                    None => {
                        item.report(
                            "agency",
                            "unknown_agency",
                            format!("Cơ quan '{code}' không có trong danh mục."),
                            format!("The agency '{code}' is not in the catalogue."),
                        );
                        None
                    }
                }
            }),
        };

        let area_absent = matches!(fields.get("area"), None | Some(Field::Null));
        let area_code: Option<&str> = match project {
            Some(pr) if area_absent => Some(pr.commune()),
            None if area_absent && desk.is_some() => Some(catalogue.province.as_str()),
            // without a known project there is no commune to take; the project's problem
            // is reported
            None if area_absent && indicator.is_some_and(|i| i.by_project) => None,
            _ => item.string("area"),
        };
        let area = area_code.and_then(|code| {
            // an official code means the unit that had it during the period; a project's
            // figures, of any year, are summed under today's commune of record
            let found = match (period, project) {
                (_, Some(_)) => catalogue.area(code),
                (Some(p), None) => catalogue.resolve_area(code, p.start(), p.end()),
                (None, None) => catalogue.area(code),
            };
            if found.is_none() {
                item.report(
                    "area",
                    "unknown_area",
                    format!("Đơn vị hành chính '{code}' không có trong danh mục."),
                    format!("The administrative unit '{code}' is not in the catalogue."),
                );
            }
            found
        });
        if let (Some(a), Some(p), None) = (area, period, project) {
            if !a.valid_during(p.start(), p.end()) {
                item.report(
                    "area",
                    "area_not_valid_for_period",
                    format!(
                        "Đơn vị '{}' ({}) không tồn tại trong kỳ '{p}'.",
                        a.code, a.name_vi
                    ),
                    format!(
                        "The unit '{}' ({}) did not exist during the period '{p}'.",
                        a.code, a.name_vi
                    ),
                );
            }
        }
        if let (Some(pr), Some(a)) = (project, area) {
            if a.code != pr.commune() {
                item.report(
                    "area",
                    "not_the_projects_commune",
                    format!(
                        "Số liệu của dự án '{}' được tổng hợp theo xã '{}', không phải '{}' ({}): bỏ trường 'area' hoặc ghi '{}'.",
                        pr.code, pr.commune(), a.code, a.name_vi, pr.commune()
                    ),
                    format!(
                        "The figures of project '{}' are summed under commune '{}', not '{}' ({}): leave out 'area' or send '{}'.",
                        pr.code, pr.commune(), a.code, a.name_vi, pr.commune()
                    ),
                );
            }
        }
        if let (Some(ind), Some(a)) = (indicator, area) {
            if ind.by_agency && a.code == catalogue.province && desk.is_none() {
                item.report(
                    "agency",
                    "missing",
                    format!("Chỉ tiêu '{}' báo cáo theo nơi tiếp nhận: số của tỉnh là tổng các nơi; ghi 'agency' (mã sở, ngành) hoặc gửi theo xã.", ind.code),
                    format!("The indicator '{}' is reported per service desk: the province's figure is the sum of desks; name the department in 'agency' or send a commune's figure.", ind.code),
                );
            }
            if desk.is_some() && a.code != catalogue.province {
                item.report(
                    "area",
                    "not_the_province",
                    format!("Hồ sơ của sở, ngành được tổng hợp cho tỉnh '{}', không phải '{}': bỏ trường 'area'.", catalogue.province, a.code),
                    format!("A department's dossiers are counted for the province '{}', not '{}': leave out 'area'.", catalogue.province, a.code),
                );
            }
            let fits = match ind.level {
                Level::Province => a.code == catalogue.province,
                Level::Commune => a.code == catalogue.province || a.is_commune_level(),
            };
            if !fits {
                item.report(
                    "area",
                    "area_level_mismatch",
                    format!(
                        "Chỉ tiêu '{}' không báo cáo cho đơn vị '{}' ({}).",
                        ind.code, a.code, a.name_vi
                    ),
                    format!(
                        "The indicator '{}' is not reported for the unit '{}' ({}).",
                        ind.code, a.code, a.name_vi
                    ),
                );
            }
        }

        let unit = item
            .string("unit")
            .and_then(|code| match code.parse::<Unit>() {
                Ok(u) => Some(u),
                Err(()) => {
                    let all: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
                    item.report(
                        "unit",
                        "unknown_unit",
                        format!(
                            "Đơn vị tính '{code}' không được hỗ trợ (dùng: {}).",
                            all.join(", ")
                        ),
                        format!(
                            "The unit '{code}' is not supported (use: {}).",
                            all.join(", ")
                        ),
                    );
                    None
                }
            });

        let value = match fields.get("value") {
            Some(Field::Number(text)) => match parse_exact(text) {
                Ok(v) => Some(v),
                Err(ExactError::NotRepresentable) => {
                    item.report(
                        "value",
                        "not_representable",
                        format!("Giá trị {text} không lưu được chính xác: tối đa 28 chữ số có nghĩa và 28 chữ số thập phân, trị tuyệt đối dưới 7,9·10²⁸. Hãy làm tròn trước khi gửi."),
                        format!("The value {text} cannot be stored exactly: at most 28 significant digits and 28 decimal places, magnitude below 7.9·10²⁸. Round it before sending."),
                    );
                    None
                }
                Err(ExactError::NotANumber) => {
                    item.report(
                        "value",
                        "not_a_number",
                        format!("Giá trị {text} không phải là một số JSON."),
                        format!("The value {text} is not a JSON number."),
                    );
                    None
                }
            },
            None | Some(Field::Null) => {
                item.report(
                    "value",
                    "missing",
                    "Thiếu trường bắt buộc 'value'.".into(),
                    "The required field 'value' is missing.".into(),
                );
                None
            }
            Some(other) => {
                let other = other.shown();
                item.report(
                    "value",
                    "not_a_number",
                    format!(
                        "Giá trị phải là một số (không đặt trong dấu nháy), không phải {other}."
                    ),
                    format!("The value must be a number (not quoted), not {other}."),
                );
                None
            }
        };

        let mut converted = None;
        if let (Some(ind), Some(u), Some(v)) = (indicator, unit, value) {
            match u.convert(v, ind.unit) {
                None => item.report(
                    "unit",
                    "unit_mismatch",
                    format!(
                        "Chỉ tiêu '{}' tính bằng '{}', không đổi được từ '{u}'.",
                        ind.code, ind.unit
                    ),
                    format!(
                        "The indicator '{}' is measured in '{}'; '{u}' cannot be converted to it.",
                        ind.code, ind.unit
                    ),
                ),
                Some(v) => {
                    if let Some(min) = ind.min.filter(|min| v < *min) {
                        item.report(
                            "value",
                            "below_minimum",
                            format!(
                                "Giá trị {v} {} nhỏ hơn mức tối thiểu {min} của chỉ tiêu '{}'.",
                                ind.unit, ind.code
                            ),
                            format!(
                                "The value {v} {} is below the minimum {min} of '{}'.",
                                ind.unit, ind.code
                            ),
                        );
                    } else if let Some(max) = ind.max.filter(|max| v > *max) {
                        item.report(
                            "value",
                            "above_maximum",
                            format!(
                                "Giá trị {v} {} lớn hơn mức tối đa {max} của chỉ tiêu '{}'.",
                                ind.unit, ind.code
                            ),
                            format!(
                                "The value {v} {} is above the maximum {max} of '{}'.",
                                ind.unit, ind.code
                            ),
                        );
                    } else {
                        converted = Some(v);
                    }
                }
            }
        }

        let as_of = match fields.get("as_of") {
            None | Some(Field::Null) => Some(now),
            Some(Field::Text(text)) => {
                match OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
                    Ok(at) if at > now + CLOCK_SKEW => {
                        item.report(
                            "as_of",
                            "as_of_in_future",
                            format!("Thời điểm số liệu '{text}' ở tương lai."),
                            format!("The as-of time '{text}' is in the future."),
                        );
                        None
                    }
                    Ok(at) => Some(at),
                    Err(_) => {
                        item.report(
                            "as_of",
                            "as_of_format",
                            format!("Thời điểm '{text}' không đúng định dạng RFC 3339 (ví dụ 2026-11-22T17:00:00+07:00)."),
                            format!("The time '{text}' is not RFC 3339 (e.g. 2026-11-22T17:00:00+07:00)."),
                        );
                        None
                    }
                }
            }
            Some(other) => {
                let other = other.shown();
                item.report(
                    "as_of",
                    "as_of_format",
                    format!("Thời điểm phải là chuỗi RFC 3339, không phải {other}."),
                    format!("The as-of time must be an RFC 3339 string, not {other}."),
                );
                None
            }
        };

        if let (Some(ind), Some(a), Some(p)) = (indicator, area, period) {
            let key = (
                ind.code.clone(),
                a.code.clone(),
                project
                    .map(|p| p.code.clone())
                    .or(desk.map(|d| d.code.clone())),
                p,
            );
            if let Some(first) = seen.insert(key, index) {
                item.report(
                    "period",
                    "duplicate_in_batch",
                    format!("Trùng chỉ tiêu, đơn vị, dự án và kỳ với số liệu thứ {first} trong cùng lô."),
                    format!("Same indicator, unit, project and period as item {first} of this batch."),
                );
            }
        }

        if refusal.invalid.len() == before {
            if let (Some(ind), Some(a), Some(p), Some(v), Some(at)) =
                (indicator, area, period, converted, as_of)
            {
                accepted.push(NewObservation {
                    indicator: ind.code.clone(),
                    area: a.code.clone(),
                    project: project
                        .map(|p| p.code.clone())
                        .or(desk.map(|d| d.code.clone())),
                    period: p,
                    value: v,
                    unit: ind.unit,
                    // as stored: the same on this instance's stream and on one reading it back
                    as_of: app::store::time_text::stored(at),
                });
            }
        }
    }

    if refusal.forbidden.is_empty() && refusal.invalid.is_empty() {
        Ok(accepted)
    } else {
        Err(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::{json, Value};
    use std::str::FromStr;
    use time::macros::datetime;

    /// The items of a batch made of these JSON values, as the API reads them.
    fn items(values: &[Value]) -> Vec<Item> {
        let body = json!({ "observations": values }).to_string();
        super::super::item::parse_batch(body.as_bytes(), 100).unwrap()
    }

    fn check(
        catalogue: &Catalogue,
        agency: &str,
        values: &[Value],
        now: OffsetDateTime,
    ) -> Result<Vec<NewObservation>, Refusal> {
        validate(catalogue, agency, &items(values), now)
    }

    const NOW: OffsetDateTime = datetime!(2026-11-22 03:00 UTC);

    fn catalogue() -> Catalogue {
        crate::province::load(&crate::province::demo()).unwrap()
    }

    fn good() -> Value {
        json!({"indicator": "services.online.rate", "area": "14", "period": "2026-11-22", "value": 61.5, "unit": "percent"})
    }

    fn with(field: &str, value: Value) -> Value {
        let mut item = good();
        item[field] = value;
        item
    }

    fn without(field: &str) -> Value {
        let mut item = good();
        item.as_object_mut().unwrap().remove(field);
        item
    }

    /// The (field, code) of each problem of a one-item batch.
    fn problems(item: Value) -> Vec<(String, String)> {
        let refusal = check(&catalogue(), "VPUB", &[item], NOW).expect_err("should be refused");
        refusal
            .invalid
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect()
    }

    fn one(field: &str, code: &str) -> Vec<(String, String)> {
        vec![(field.to_string(), code.to_string())]
    }

    /// The codes of each problem of `items` sent by `agency` at `now`, or the stored
    /// (area, project) of each accepted item.
    fn outcome(
        agency: &str,
        items: &[Value],
        now: OffsetDateTime,
    ) -> Result<Vec<(String, Option<String>)>, Vec<(usize, String, String)>> {
        match check(&catalogue(), agency, items, now) {
            Ok(ok) => Ok(ok.into_iter().map(|o| (o.area, o.project)).collect()),
            Err(r) => Err(r
                .invalid
                .into_iter()
                .chain(r.forbidden)
                .map(|p| (p.index, p.field, p.code))
                .collect()),
        }
    }

    #[test]
    fn a_project_figure_names_its_project_and_is_summed_under_its_commune() {
        let c = catalogue();
        let project = &c.projects[0];
        let other = c
            .areas_on(time::macros::date!(2026 - 11 - 22))
            .find(|a| a.is_commune_level() && a.code != project.commune())
            .unwrap();
        let item = |extra: Value| {
            let mut item = json!({"indicator": "invest.project.disbursed.ytd", "period": "2026-11-20", "value": 1_000_000, "unit": "dong"});
            for (k, v) in extra.as_object().unwrap() {
                item[k] = v.clone();
            }
            item
        };
        // the area may be left out (it is the project's commune) or given as it
        assert_eq!(
            outcome(
                "KBNN",
                &[
                    item(json!({"project": project.code})),
                    item(
                        json!({"project": project.code, "area": project.commune(), "period": "2026-11-19"})
                    )
                ],
                NOW
            ),
            Ok(vec![
                (
                    project.commune().to_string(),
                    Some(project.code.clone())
                );
                2
            ])
        );
        let refused = |extra: Value| outcome("KBNN", &[item(extra)], NOW).unwrap_err();
        assert_eq!(
            refused(json!({"area": project.commune()})),
            vec![(0, "project".into(), "missing".into())]
        );
        assert_eq!(
            refused(json!({"project": "SL-NOPE-999"})),
            vec![(0, "project".into(), "unknown_project".into())]
        );
        assert_eq!(
            refused(json!({"project": project.code, "area": other.code})),
            vec![(0, "area".into(), "not_the_projects_commune".into())]
        );
        // a figure about an area carries no project
        let mut online = good();
        online["project"] = json!(project.code);
        assert_eq!(
            outcome("VPUB", &[online], NOW).unwrap_err(),
            vec![(0, "project".into(), "not_by_project".into())]
        );
        // two figures of one period are fine for two projects, not for one
        let second = &c.projects[1];
        let both = [
            item(json!({"project": project.code, "area": project.commune()})),
            item(json!({"project": second.code})),
        ];
        assert!(outcome("KBNN", &both, NOW).is_ok());
        let twice = [
            item(json!({"project": project.code})),
            item(json!({"project": project.code})),
        ];
        assert_eq!(
            outcome("KBNN", &twice, NOW).unwrap_err(),
            vec![(1, "period".into(), "duplicate_in_batch".into())]
        );
    }

    #[test]
    fn the_extension_is_reported_for_days_of_january() {
        let c = catalogue();
        let code = &c.projects[0].code;
        let ext = |period: &str| json!({"indicator": "invest.project.disbursed.extension", "project": code, "period": period, "value": 5, "unit": "dong"});
        assert!(outcome("KBNN", &[ext("2026-01-31")], NOW).is_ok());
        assert_eq!(
            outcome("KBNN", &[ext("2026-02-01")], NOW).unwrap_err(),
            vec![(0, "period".into(), "outside_extension".into())]
        );
    }

    #[test]
    fn next_years_plan_and_estimate_are_taken_from_1_december() {
        let c = catalogue();
        let code = &c.projects[0].code;
        let plan = json!({"indicator": "invest.project.plan.council", "project": code, "period": "2027", "value": 10_000_000_000i64, "unit": "dong"});
        let estimate = json!({"indicator": "budget.revenue.estimate", "area": "14", "period": "2027", "value": 4_600_000_000_000i64, "unit": "dong"});
        // Vietnam time: 1 December begins at 17:00 UTC on 30 November
        let before = datetime!(2026-11-30 16:59 UTC);
        let from = datetime!(2026-11-30 17:00 UTC);
        let in_future = |index| (index, "period".to_string(), "period_in_future".to_string());
        assert_eq!(
            outcome("STC", &[plan.clone(), estimate.clone()], before).unwrap_err(),
            vec![in_future(0), in_future(1)]
        );
        assert!(outcome("STC", &[plan.clone(), estimate.clone()], from).is_ok());
        assert!(outcome(
            "STC",
            &[plan.clone(), estimate.clone()],
            datetime!(2026-12-10 09:00 +07:00)
        )
        .is_ok());
        // a yearly figure that is no plan or estimate waits for its year; so does a plan two years ahead
        let result = json!({"indicator": "digital.economy.share", "area": "14", "period": "2027", "value": 9, "unit": "percent"});
        let mut later = plan.clone();
        later["period"] = json!("2028");
        assert_eq!(
            outcome("STC", &[later], from).unwrap_err(),
            vec![in_future(0)]
        );
        assert_eq!(
            outcome("TKT", &[result], from).unwrap_err(),
            vec![in_future(0)]
        );
        let refusal = check(&c, "STC", &[plan], before).unwrap_err();
        assert!(
            refusal.invalid[0].message_en.contains("from 1 December"),
            "{}",
            refusal.invalid[0].message_en
        );
    }

    #[test]
    fn accepts_a_good_item_with_the_exact_value() {
        let ok = check(&catalogue(), "VPUB", &[good()], NOW).unwrap();
        assert_eq!(ok[0].value, Decimal::from_str("61.5").unwrap());
        assert_eq!(ok[0].as_of, NOW);
    }

    #[test]
    fn each_rejection_reason() {
        assert_eq!(problems(json!([1])), one("item", "not_an_object"));
        assert_eq!(
            problems(with("colour", json!("red"))),
            one("colour", "unknown_field")
        );
        assert_eq!(
            problems(with("indicator", json!("nope"))),
            one("indicator", "unknown_indicator")
        );
        assert_eq!(problems(without("indicator")), one("indicator", "missing"));
        assert_eq!(
            problems(with("indicator", json!(5))),
            one("indicator", "not_a_string")
        );
        assert_eq!(
            problems(with("area", json!("99999"))),
            one("area", "unknown_area")
        );
        assert_eq!(
            problems(with("period", json!("22/11/2026"))),
            one("period", "period_format")
        );
        assert_eq!(
            problems(with("period", json!("2026-11"))),
            one("period", "period_kind")
        );
        assert_eq!(
            problems(with("period", json!("2026-11-23"))),
            one("period", "period_in_future")
        );
        assert_eq!(
            problems(with("area", json!("03646-20250630"))),
            one("area", "area_not_valid_for_period")
        );
        assert_eq!(
            problems(with("value", json!("61.5"))),
            one("value", "not_a_number")
        );
        assert_eq!(problems(without("value")), one("value", "missing"));
        assert_eq!(
            problems(with("value", json!(1e300))),
            one("value", "not_representable")
        );
        assert_eq!(
            problems(with("value", json!(-1))),
            one("value", "below_minimum")
        );
        assert_eq!(
            problems(with("value", json!(100.01))),
            one("value", "above_maximum")
        );
        assert_eq!(
            problems(with("unit", json!("VND"))),
            one("unit", "unknown_unit")
        );
        assert_eq!(
            problems(with("unit", json!("dong"))),
            one("unit", "unit_mismatch")
        );
        assert_eq!(
            problems(with("as_of", json!("yesterday"))),
            one("as_of", "as_of_format")
        );
        assert_eq!(
            problems(with("as_of", json!("2026-11-23T10:00:00+07:00"))),
            one("as_of", "as_of_in_future")
        );
    }

    #[test]
    fn values_are_read_exactly_or_refused() {
        let body = br#"{"observations": [{"indicator": "services.dossiers.received", "area": "14", "period": "2026-11-22", "value": 1234567890123456789.123456789, "unit": "count"}]}"#;
        let items = super::super::item::parse_batch(body, 10).unwrap();
        let ok = validate(&catalogue(), "VPUB", &items, NOW).unwrap();
        assert_eq!(
            ok[0].value,
            Decimal::from_str("1234567890123456789.123456789").unwrap()
        );
        assert_eq!(ok[0].value.to_string(), "1234567890123456789.123456789");
        let body = br#"{"observations": [{"indicator": "services.dossiers.received", "area": "14", "period": "2026-11-22", "value": 12345678901234567890.12345678901, "unit": "count"}]}"#;
        let items = super::super::item::parse_batch(body, 10).unwrap();
        let refusal = validate(&catalogue(), "VPUB", &items, NOW).unwrap_err();
        assert_eq!(refusal.invalid[0].code, "not_representable");
        assert!(
            refusal.invalid[0]
                .message_en
                .contains("12345678901234567890.12345678901"),
            "{:?}",
            refusal.invalid[0]
        );
    }

    #[test]
    fn an_official_code_means_the_unit_of_the_period() {
        // 03646 was Phường Chiềng Lề until the 2025 reform, and is Phường Tô Hiệu since
        let before = with("area", json!("03646"));
        let mut before = before;
        before["period"] = json!("2024-06-03");
        let after = with("area", json!("03646"));
        let ok = check(&catalogue(), "VPUB", &[before, after], NOW).unwrap();
        assert_eq!(ok[0].area, "03646-20250630");
        assert_eq!(ok[1].area, "03646");
        // a province-level indicator is not reported for a commune
        let commune = json!({"indicator": "budget.revenue.ytd", "area": "03646", "period": "2026-11-22", "value": 1, "unit": "dong"});
        let refusal = check(&catalogue(), "KBNN", &[commune], NOW).unwrap_err();
        assert_eq!(refusal.invalid[0].code, "area_level_mismatch");
    }

    #[test]
    fn messages_are_bilingual_and_name_the_value() {
        let refusal = check(
            &catalogue(),
            "VPUB",
            &[with("indicator", json!("nope"))],
            NOW,
        )
        .unwrap_err();
        let p = &refusal.invalid[0];
        assert_eq!(p.message_vi, "Chỉ tiêu 'nope' không có trong danh mục.");
        assert_eq!(
            p.message_en,
            "The indicator 'nope' is not in the catalogue."
        );
    }

    #[test]
    fn converts_units_within_a_dimension() {
        let item = json!({"indicator": "budget.revenue.ytd", "area": "14", "period": "2026-11-22", "value": 4512.3, "unit": "billion_dong"});
        let ok = check(&catalogue(), "KBNN", &[item], NOW).unwrap();
        assert_eq!(ok[0].value, Decimal::from(4_512_300_000_000u64));
        assert_eq!(ok[0].unit, Unit::Dong);
    }

    #[test]
    fn dollars_are_never_turned_into_dong() {
        let item = |unit: &str| json!({"indicator": "economy.exports.usd.ytd", "area": "14", "period": "2026-10", "value": 165_300_000, "unit": unit});
        let ok = check(&catalogue(), "SCT", &[item("usd")], NOW).unwrap();
        assert_eq!(
            (ok[0].value, ok[0].unit),
            (Decimal::from(165_300_000u64), Unit::Usd)
        );
        let refusal = check(&catalogue(), "SCT", &[item("dong")], NOW).unwrap_err();
        assert_eq!(refusal.invalid[0].code, "unit_mismatch");
        assert_eq!(refusal.invalid[0].field, "unit");
    }

    #[test]
    fn duplicates_in_one_batch_are_refused() {
        let refusal = check(&catalogue(), "VPUB", &[good(), good()], NOW).unwrap_err();
        assert_eq!(refusal.invalid.len(), 1);
        assert_eq!(
            (refusal.invalid[0].index, refusal.invalid[0].code.as_str()),
            (1, "duplicate_in_batch")
        );
    }

    #[test]
    fn another_agencys_indicator_is_forbidden() {
        let refusal = check(&catalogue(), "STC", &[good()], NOW).unwrap_err();
        assert_eq!(refusal.forbidden.len(), 1);
        assert_eq!(refusal.forbidden[0].code, "not_your_indicator");
        assert!(refusal.invalid.is_empty());
    }

    #[test]
    fn every_bad_item_is_reported_not_just_the_first() {
        let mut bad_value = with("value", json!("x"));
        bad_value["period"] = json!("2026-11-21");
        let mut bad_unit = with("unit", json!("?"));
        bad_unit["period"] = json!("2026-11-20");
        let items = [good(), bad_value, bad_unit, good()];
        let refusal = check(&catalogue(), "VPUB", &items, NOW).unwrap_err();
        let indexes: Vec<usize> = refusal.invalid.iter().map(|p| p.index).collect();
        assert_eq!(indexes, vec![1, 2, 3], "item 3 duplicates item 0");
    }
}
