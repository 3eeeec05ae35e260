//! The money view's pieces: the S-curve (an SVG drawn on the server and kept live in the
//! browser), disbursement rankings, the budget table and the below-average list for the
//! briefing. Each has its figures as text too: the chart a table, the bands words.

use leptos::prelude::*;
use rust_decimal::Decimal;

use super::server_drawn;
use crate::model::format::{self, date, date_time};
use crate::model::money::{CurvePoint, DisbursementRow, ProjectionMethod, SCurve};
use crate::model::{Locale, Unit};

const W: f64 = 960.0;
const H: f64 = 380.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

fn x(i: usize) -> f64 {
    LEFT + i as f64 * (W - LEFT - RIGHT) / 12.0
}

fn y(v: Decimal) -> f64 {
    let v = format::to_f64(v);
    TOP + (100.0 - v.clamp(0.0, 100.0)) / 100.0 * (H - TOP - BOTTOM)
}

/// An SVG path through the points that have a value, broken where one is missing.
fn path(values: &[Option<Decimal>]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                d.push_str(&format!(
                    "{}{},{} ",
                    if pen_down { "L" } else { "M" },
                    format::svg(x(i)),
                    format::svg(y(*v))
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// `12,3%` or an em dash.
pub fn percent(v: Option<Decimal>, locale: Locale) -> String {
    v.map(|v| format!("{}%", format::number(v, 1, locale)))
        .unwrap_or_else(|| "—".into())
}

/// `1.234,5` tỷ đồng (the unit in the column header).
pub fn billions(v: Decimal, locale: Locale) -> String {
    format::number(
        Unit::Dong.convert(v, Unit::BillionDong).unwrap_or(v),
        1,
        locale,
    )
}

fn month_label(i: usize, locale: Locale) -> String {
    if i == 12 {
        "31/1".into()
    } else {
        locale.pick(format!("T{}", i + 1), format!("M{}", i + 1))
    }
}

/// The S-curve: this year's cumulative rate by month (its running month live), the
/// province's expected curve, last year's and the national average, and the projection.
#[component]
pub fn SCurveChart(
    curve: SCurve,
    /// The rate now, live; the point of the running month follows it.
    live_rate: Signal<Option<Decimal>>,
    locale: Locale,
) -> impl IntoView {
    let running = curve
        .points
        .iter()
        .position(|p| p.day >= curve.date)
        .unwrap_or(12);
    let points = StoredValue::new(curve.points.clone());
    let rates = Memo::new(move |_| {
        let mut rates: Vec<Option<Decimal>> =
            points.with_value(|p| p.iter().map(|p| p.rate).collect());
        if let Some(live) = live_rate.get() {
            rates[running] = Some(live);
        }
        rates
    });
    let expected = path(
        &curve
            .points
            .iter()
            .map(|p| Some(p.expected))
            .collect::<Vec<_>>(),
    );
    let last_year = path(&curve.points.iter().map(|p| p.last_year).collect::<Vec<_>>());
    let national: Vec<(usize, Decimal)> = curve
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.national.map(|n| (i, n)))
        .collect();
    let projection = curve.outlook.projection;
    let projection_line = move || {
        let now = rates.get()[running]?;
        let end = projection?;
        Some(format!(
            "M{},{} L{},{}",
            format::svg(x(running)),
            format::svg(y(now)),
            format::svg(x(12)),
            format::svg(y(end))
        ))
    };
    let grid = [0, 25, 50, 75, 100]
        .into_iter()
        .map(|v| {
            let at = y(Decimal::from(v));
            view! {
                <line class="grid" x1=format::svg(LEFT) x2=format::svg(W - RIGHT) y1=format::svg(at) y2=format::svg(at) />
                <text class="axis" x=format::svg(LEFT - 8.0) y=format::svg(at + 5.0) text-anchor="end">{format!("{v}%")}</text>
            }
        })
        .collect_view();
    let months = (0..13)
        .map(|i| view! { <text class="axis" x=format::svg(x(i)) y=format::svg(H - BOTTOM + 22.0) text-anchor="middle">{month_label(i, locale)}</text> })
        .collect_view();
    let dots = move || {
        rates
            .get()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)))
            .map(|(i, r)| view! { <circle class="this-year" cx=format::svg(x(i)) cy=format::svg(y(r)) r="5" data-month=i /> })
            .collect_view()
    };
    let year = curve.year;
    let title = locale.pick(
        format!("Đường cong giải ngân năm {}", curve.year),
        format!("Disbursement S-curve {}", curve.year),
    );
    view! {
        <figure class="scurve">
            <svg viewBox=format!("0 0 {} {}", format::svg(W), format::svg(H)) role="img" aria-label=title class="scurve-chart" data-year=curve.year>
                // what the live figures never move: drawn by the server
                {server_drawn(move || view! {
                    <g class="frame">
                        {grid}
                        {months}
                        <path class="expected" d=expected />
                        <path class="last-year" d=last_year />
                        {national.into_iter().map(|(i, n)| view! { <rect class="national" x=format::svg(x(i) - 5.0) y=format::svg(y(n) - 5.0) width="10" height="10" /> }).collect_view()}
                    </g>
                })}
                <path class="projection" d=projection_line />
                <path class="this-year" d=move || path(&rates.get()) />
                {dots}
            </svg>
            {server_drawn(move || view! {
                <figcaption class="legend">
                    <span class="key this-year">{locale.pick(format!("Năm {year}"), format!("{year}"))}</span>
                    <span class="key expected">{locale.pick("Đường kế hoạch", "Plan-shaped curve")}</span>
                    <span class="key last-year">{locale.pick(format!("Năm {}", year - 1), format!("{}", year - 1))}</span>
                    <span class="key national">{locale.pick("Bình quân cả nước", "National average")}</span>
                    <span class="key projection">{locale.pick("Dự báo", "Projection")}</span>
                </figcaption>
            })}
        </figure>
        <CurveTable points=curve.points.clone() rates locale />
    }
}

/// The S-curve's figures as a table (for screen readers, and to read exact values).
#[component]
fn CurveTable(
    points: Vec<CurvePoint>,
    rates: Memo<Vec<Option<Decimal>>>,
    locale: Locale,
) -> impl IntoView {
    let points = StoredValue::new(points);
    view! {
        <details class="chart-table">
            {server_drawn(move || view! { <summary>{locale.pick("Bảng số liệu của biểu đồ", "The chart's figures as a table")}</summary> })}
            <table>
                {server_drawn(move || view! {
                    <thead>
                        <tr>
                            <th scope="col">{locale.pick("Đến ngày", "To")}</th>
                            <th scope="col">{locale.pick("Giải ngân", "Disbursed")}</th>
                            <th scope="col">{locale.pick("Kế hoạch", "Plan curve")}</th>
                            <th scope="col">{locale.pick("Năm trước", "Last year")}</th>
                            <th scope="col">{locale.pick("Cả nước", "National")}</th>
                        </tr>
                    </thead>
                })}
                <tbody>
                    {move || {
                        let l = locale;
                        let rates = rates.get();
                        points.with_value(|points| {
                            points
                                .iter()
                                .zip(rates)
                                .map(|(p, r)| view! {
                                    <tr>
                                        <th scope="row">{date(p.day, l)}</th>
                                        <td>{percent(r, l)}</td>
                                        <td>{percent(Some(p.expected), l)}</td>
                                        <td>{percent(p.last_year, l)}</td>
                                        <td>{percent(p.national, l)}</td>
                                    </tr>
                                })
                                .collect_view()
                        })
                    }}
                </tbody>
            </table>
        </details>
    }
}

/// Where the year is heading and the pace it takes to finish.
#[component]
pub fn Outlook(curve: SCurve, locale: Locale) -> impl IntoView {
    let o = curve.outlook.clone();
    let end = date(crate::model::money::extension_end(curve.year), Locale::Vi);
    let method = o.method;
    // nothing here moves with the live figures
    server_drawn(move || {
        view! {
            <div class="outlook">
                <p class="projection">
                    {{
                        let l = locale;
                        format!(
                            "{} {end}: {}",
                            l.pick("Dự báo tỷ lệ giải ngân đến", "Projected disbursement rate by"),
                            percent(o.projection, l)
                        )
                    }}
                </p>
                <p class="pace">
                    {{
                        let l = locale;
                        match (o.needed_for_95, o.needed_for_100) {
                            (Some(a), Some(b)) => l.pick(
                                format!("Cần giải ngân mỗi tháng ({} tháng còn lại): {} tỷ đồng để đạt 95%, {} tỷ đồng để đạt 100% kế hoạch", o.months_left, billions(a, l), billions(b, l)),
                                format!("Needed each month ({} months left): {} billion đồng for 95%, {} billion đồng for 100% of the plan", o.months_left, billions(a, l), billions(b, l)),
                            ),
                            _ => l.pick("Năm kế hoạch đã kết thúc.", "The plan year has ended.").to_string(),
                        }
                    }}
                </p>
                <p class="help">
                    {match method {
                        ProjectionMethod::LastYearsShape => locale.pick(
                            "Cách dự báo: tỷ lệ hiện nay nhân với tỷ số giữa tỷ lệ cuối kỳ (31/01) và tỷ lệ cùng ngày của năm trước — nhịp năm nay theo hình dạng năm trước; tối đa 100%.",
                            "Method: today's rate times last year's ratio of its final rate (31 January) to its rate on the same day — this year's pace on last year's shape; at most 100%.",
                        ),
                        ProjectionMethod::ExpectedCurve => locale.pick(
                            "Cách dự báo: chưa có số liệu năm trước, nên tỷ lệ hiện nay được nhân với tỷ số giữa mức cuối kỳ và mức của đường kế hoạch tại ngày này; tối đa 100%.",
                            "Method: with no usable last year, today's rate times the plan-shaped curve's ratio of its final share to its share today; at most 100%.",
                        ),
                        ProjectionMethod::None => locale.pick("Chưa đủ số liệu để dự báo.", "Not enough figures to project."),
                    }}
                </p>
            </div>
        }
    })
}

/// The words of a band, so colour is never the only signal.
pub fn band_text(band: &str, locale: Locale) -> &'static str {
    match band {
        "critical" => locale.pick("Rất chậm", "Far behind"),
        "warning" => locale.pick("Chậm", "Behind"),
        "good" => locale.pick("Đạt tiến độ", "On track"),
        _ => locale.pick("Chưa có số liệu", "No data"),
    }
}

/// How many rows a ranking shows on the wall: those with the lowest rates (the style
/// sheet's `nth-last-child(-n + 10 …)` under "the wall shows who lags"; nobody scrolls a wall).
const WALL_ROWS: usize = 10;

/// A ranking of disbursement rows; `link` makes each name's address (drill-down).
#[component]
pub fn RankingTable(
    title: String,
    rows: Memo<Vec<DisbursementRow>>,
    link: fn(&str) -> String,
    locale: Locale,
    /// A short name for the table in `data-ranking`.
    kind: &'static str,
    /// Where the rows are areas: the live store whose explanations of each area's
    /// disbursement rate are shown under its name, while they stand.
    #[prop(optional)]
    explained: Option<crate::live::LiveStore>,
) -> impl IntoView {
    view! {
        <section class="ranking" data-ranking=kind>
            {server_drawn(move || view! { <h3>{title}</h3> })}
            <p class="wall-note">{move || {
                let (all, rated) = rows.with(|r| (r.len(), r.iter().filter(|r| r.rate.is_some()).count()));
                let shown = rated.min(WALL_ROWS);
                locale.pick(
                    format!("{shown} đơn vị có tỷ lệ thấp nhất trong {all}; cả danh sách trên máy tính, điện thoại và trong tệp tải về."),
                    format!("The {shown} lowest rates of {all}; the whole list on a computer, a phone and in the downloads."),
                )
            }}</p>
            <table>
                {server_drawn(move || view! {
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{locale.pick("Tên", "Name")}</th>
                            <th scope="col" class="num">{locale.pick("Kế hoạch (tỷ đồng)", "Plan (bn đồng)")}</th>
                            <th scope="col" class="num">{locale.pick("Đã giải ngân", "Disbursed")}</th>
                            <th scope="col" class="num">{locale.pick("Tỷ lệ", "Rate")}</th>
                            <th scope="col" class="num">{locale.pick("Thay đổi", "Change")}</th>
                            <th scope="col">{locale.pick("Đánh giá", "Status")}</th>
                        </tr>
                    </thead>
                })}
                <tbody>
                    // rows by position: a new ranking rewrites the rows in place (no keyed
                    // diff: its code is most of a table's)
                    {move || rows.get().into_iter().map(|r| {
                        let l = locale;
                        let flags = [
                            r.below_national.then(|| l.pick("dưới bình quân cả nước", "below the national average")),
                            r.below_low_rate.then(|| l.pick("dưới 20%", "below 20%")),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                        let movement = r.movement.map(|m| {
                            let sign = if m > Decimal::ZERO { "+" } else if m < Decimal::ZERO { "−" } else { "±" };
                            format!("{sign}{}", format::number(m.abs(), 1, l))
                        });
                        let note = explained
                            .and_then(|store| {
                                store.explanation(crate::model::money::DERIVED_RATE, &r.code, l)
                            })
                            .map(|e| view! { <small class="explanation">{e}</small> });
                        view! {
                            <tr data-code=r.code.clone() data-band=r.band.clone()>
                                <td>{r.rank}</td>
                                <th scope="row"><a href=link(&r.code)>{r.name.clone()}</a>{note}</th>
                                <td class="num">{billions(r.plan_in_force, l)}</td>
                                <td class="num">{billions(r.disbursed, l)}</td>
                                <td class="num rate">{percent(r.rate, l)}</td>
                                <td class="num">{movement.unwrap_or_else(|| "—".into())}</td>
                                <td class="band"><span class="badge">{band_text(&r.band, l)}</span><small>{flags}</small></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The rows below the national average, as text to paste into a briefing.
pub fn below_average_text(
    rows: &[DisbursementRow],
    national: Option<Decimal>,
    locale: Locale,
) -> String {
    let Some(n) = national else {
        return locale
            .pick(
                "Chưa có tỷ lệ bình quân cả nước.",
                "No national average yet.",
            )
            .to_string();
    };
    let below: Vec<&DisbursementRow> = rows.iter().filter(|r| r.below_national).collect();
    let mut text = locale.pick(
        format!(
            "Các chủ đầu tư giải ngân dưới mức bình quân cả nước ({}%): {} đơn vị.",
            format::number(n, 1, locale),
            below.len()
        ),
        format!(
            "Investors below the national average ({}%): {}.",
            format::number(n, 1, locale),
            below.len()
        ),
    );
    for (i, r) in below.iter().enumerate() {
        text.push_str(&format!(
            "\n{}. {}: {} ({} / {} {})",
            i + 1,
            r.name,
            percent(r.rate, locale),
            billions(r.disbursed, locale),
            billions(r.plan_in_force, locale),
            locale.pick("tỷ đồng", "billion đồng"),
        ));
    }
    text
}

/// "số liệu đến …" of the oldest figure behind a table.
pub fn as_of_text(at: Option<time::OffsetDateTime>, locale: Locale) -> String {
    match at {
        Some(at) => format!(
            "{} {}",
            locale.pick("số liệu đến", "data as of"),
            date_time(at, locale)
        ),
        None => locale.pick("chưa có số liệu", "no data yet").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn a_path_breaks_where_a_month_is_missing() {
        let d = |s: &str| Some(Decimal::from_str(s).unwrap());
        let p = path(&[d("0"), d("10"), None, d("30")]);
        assert_eq!(p.matches('M').count(), 2, "{p}");
        assert_eq!(p.matches('L').count(), 1, "{p}");
        assert!(p.starts_with(&format!("M{:.1},{:.1}", LEFT, H - BOTTOM)));
    }

    #[test]
    fn the_briefing_list_names_each_investor_below_the_average() {
        let row = |name: &str, rate: &str, below: bool| DisbursementRow {
            code: name.into(),
            name: name.into(),
            plan: Default::default(),
            plan_in_force: Decimal::from(10_000_000_000i64),
            disbursed: Decimal::from(1_500_000_000i64),
            rate: Some(Decimal::from_str(rate).unwrap()),
            band: "warning".into(),
            rank: 1,
            movement: None,
            below_national: below,
            below_low_rate: false,
            projects: 1,
            as_of: None,
        };
        let rows = [
            row("Ban QLDA giao thông", "15", true),
            row("UBND xã Mường La", "40", false),
        ];
        let text = below_average_text(&rows, Some(Decimal::from(30)), Locale::Vi);
        assert_eq!(
            text,
            "Các chủ đầu tư giải ngân dưới mức bình quân cả nước (30,0%): 1 đơn vị.\n1. Ban QLDA giao thông: 15,0% (1,5 / 10,0 tỷ đồng)"
        );
    }
}
