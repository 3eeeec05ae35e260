//! The money and services views' charts rendered on the server with plotters, for exports
//! and briefings: `GET /api/v1/charts/disbursement-scurve.png|.svg`,
//! `…/revenue-vs-estimate.png|.svg` (`?year=`, `?area=`, `?date=`, `?lang=`),
//! `…/services-trend.png|.svg` (`?date=`) and `…/index766.png|.svg` (`?period=`). The font is
//! Noto Sans, shipped with the binary (no system font is read), and every text is
//! normalised to NFC first: plotters does no shaping, so a decomposed "ệ" would draw its
//! marks apart.

use app::model::format::date;
use app::model::money::{SCurve, YearToDate};
use app::model::Locale;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::Once;
use unicode_normalization::UnicodeNormalization;

/// PNG and SVG sizes (the PNG at least 1200×600).
pub const WIDTH: u32 = 1400;
pub const HEIGHT: u32 = 700;

pub(crate) const REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSans-Regular.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSans-Bold.ttf");
pub(crate) const FAMILY: &str = "sans-serif";

const ACCENT: RGBColor = RGBColor(0x1f, 0x5f, 0xd1);
const PLAN: RGBColor = RGBColor(0x1e, 0x9e, 0x55);
const LAST: RGBColor = RGBColor(0x8a, 0x94, 0xa6);
const NATIONAL: RGBColor = RGBColor(0xd9, 0x8a, 0x00);

static FONTS: Once = Once::new();

pub(crate) fn fonts() {
    FONTS.call_once(|| {
        // the bytes are ours and valid; a failure would show as missing text, never a crash
        let _ = register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// Text as plotters must get it: composed (NFC).
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

fn f(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

type DrawResult<E> = Result<(), DrawingAreaErrorKind<E>>;

fn month_label(i: usize, locale: Locale) -> String {
    match (i, locale) {
        (12, _) => "31/1".into(),
        (i, Locale::Vi) => format!("T{}", i + 1),
        (i, Locale::En) => format!("M{}", i + 1),
    }
}

/// Draws the S-curve of `curve` on `root` (the caller presents the drawing: the area may
/// be a part of a page).
/// Its footer line (rate, pace, sources, as-of) is left out when `footer` is false: a page
/// that carries the chart says those things in its own text.
pub fn draw_scurve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &SCurve,
    locale: Locale,
    with_footer: bool,
) -> DrawResult<DB::ErrorType> {
    fonts();
    root.fill(&WHITE)?;
    let footer_height = if with_footer { 60 } else { 0 };
    let (body, footer) = root.split_vertically(root.dim_in_pixel().1 - footer_height);
    let title = nfc(&locale.pick(
        format!(
            "Tiến độ giải ngân vốn đầu tư công năm {} — {}",
            curve.year, curve.area_name
        ),
        format!(
            "Public investment disbursement, plan year {} — {}",
            curve.year, curve.area_name
        ),
    ));
    let mut chart = ChartBuilder::on(&body)
        .caption(title, (FAMILY, 30).into_font().style(FontStyle::Bold))
        .margin(24)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..12f64, 0f64..100f64)?;
    chart
        .configure_mesh()
        .x_labels(13)
        .y_labels(5)
        .x_label_formatter(&|x| month_label(x.round() as usize, locale))
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .label_style((FAMILY, 20))
        .light_line_style(WHITE)
        .draw()?;
    let series =
        |pick: &dyn Fn(&app::model::money::CurvePoint) -> Option<Decimal>| -> Vec<(f64, f64)> {
            curve
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| pick(p).map(|v| (i as f64, f(v))))
                .collect()
        };
    let year = curve.year;
    chart
        .draw_series(DashedLineSeries::new(
            series(&|p| Some(p.expected)),
            10,
            6,
            PLAN.stroke_width(3),
        ))?
        .label(nfc(locale.pick("Đường kế hoạch", "Plan-shaped curve")))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], PLAN.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(
            series(&|p| p.last_year),
            LAST.stroke_width(3),
        ))?
        .label(nfc(
            &locale.pick(format!("Năm {}", year - 1), format!("{}", year - 1))
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], LAST.stroke_width(3)));
    chart
        .draw_series(series(&|p| p.national).into_iter().map(|(x, y)| {
            Rectangle::new(
                [(x - 0.08, y - 1.2), (x + 0.08, y + 1.2)],
                NATIONAL.filled(),
            )
        }))?
        .label(nfc(locale.pick("Bình quân cả nước", "National average")))
        .legend(|(x, y)| Rectangle::new([(x + 6, y - 6), (x + 18, y + 6)], NATIONAL.filled()));
    let this_year = series(&|p| p.rate);
    chart
        .draw_series(LineSeries::new(this_year.clone(), ACCENT.stroke_width(5)))?
        .label(nfc(&locale.pick(format!("Năm {year}"), format!("{year}"))))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], ACCENT.stroke_width(5)));
    chart.draw_series(
        this_year
            .iter()
            .map(|&(x, y)| Circle::new((x, y), 6, ACCENT.filled())),
    )?;
    if let (Some(&(x, y)), Some(end)) = (this_year.last(), curve.outlook.projection) {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y), (12.0, f(end))],
                4,
                6,
                NATIONAL.stroke_width(3),
            ))?
            .label(nfc(&format!(
                "{} {}",
                locale.pick("Dự báo đến 31/01:", "Projected by 31 January:"),
                app::components::money::percent(Some(end), locale)
            )))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], NATIONAL.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(LAST)
        .label_font((FAMILY, 20))
        .draw()?;
    if !with_footer {
        return Ok(());
    }
    let pace = match (curve.outlook.needed_for_95, curve.outlook.needed_for_100) {
        (Some(a), Some(b)) => locale.pick(
            format!(
                "Cần giải ngân mỗi tháng: {} tỷ đồng (đạt 95%), {} tỷ đồng (đạt 100%)",
                app::components::money::billions(a, locale),
                app::components::money::billions(b, locale)
            ),
            format!(
                "Needed each month: {} bn đồng (95%), {} bn đồng (100%)",
                app::components::money::billions(a, locale),
                app::components::money::billions(b, locale)
            ),
        ),
        _ => String::new(),
    };
    let source = locale.pick(
        format!(
            "Tỷ lệ: {} · {} · Nguồn: Kho bạc Nhà nước, Sở Tài chính · {}",
            app::components::money::percent(curve.rate, locale),
            pace,
            app::components::money::as_of_text(curve.as_of, locale)
        ),
        format!(
            "Rate: {} · {} · Source: State Treasury, Department of Finance · {}",
            app::components::money::percent(curve.rate, locale),
            pace,
            app::components::money::as_of_text(curve.as_of, locale)
        ),
    );
    footer.draw(&Text::new(
        nfc(&source),
        (30, 12),
        (FAMILY, 20).into_font().color(&BLACK),
    ))?;
    Ok(())
}

/// Revenue on the territory by month end against the estimate of its own year.
#[derive(Debug, Clone)]
pub struct RevenueChart {
    pub year: i32,
    pub date: time::Date,
    pub this_year: YearToDate,
    pub estimate: Option<Decimal>,
    pub as_of: Option<time::OffsetDateTime>,
}

/// Draws revenue against the estimate (tỷ đồng).
pub fn draw_revenue<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &RevenueChart,
    locale: Locale,
) -> DrawResult<DB::ErrorType> {
    fonts();
    root.fill(&WHITE)?;
    let (body, footer) = root.split_vertically(root.dim_in_pixel().1 - 60);
    let billions = |v: Decimal| f(v) / 1e9;
    let month_ends: Vec<time::Date> = (1..=12u8)
        .map(|m| {
            app::model::Period::Month {
                year: data.year,
                month: m,
            }
            .end()
        })
        .collect();
    let this_year: Vec<(f64, f64)> = month_ends
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            **d <= data.date || (d.month() == data.date.month() && d.year() == data.date.year())
        })
        .filter_map(|(i, d)| {
            data.this_year
                .at((*d).min(data.date))
                .map(|v| (i as f64 + 1.0, billions(v)))
        })
        .collect();
    let last_year: Vec<(f64, f64)> = month_ends
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            data.this_year
                .at(app::model::money::same_day_last_year(*d))
                .map(|v| (i as f64 + 1.0, billions(v)))
        })
        .collect();
    let estimate = data.estimate.map(billions);
    let top = this_year
        .iter()
        .chain(&last_year)
        .map(|p| p.1)
        .chain(estimate)
        .fold(1.0f64, f64::max)
        * 1.1;
    let title = nfc(&locale.pick(
        format!(
            "Thu ngân sách nhà nước trên địa bàn năm {} so với dự toán (tỷ đồng)",
            data.year
        ),
        format!(
            "State budget revenue on the territory, {}, against the estimate (billion đồng)",
            data.year
        ),
    ));
    let mut chart = ChartBuilder::on(&body)
        .caption(title, (FAMILY, 30).into_font().style(FontStyle::Bold))
        .margin(24)
        .x_label_area_size(44)
        .y_label_area_size(90)
        .build_cartesian_2d(0.5f64..12.5f64, 0f64..top)?;
    chart
        .configure_mesh()
        .x_labels(12)
        .x_label_formatter(&|x| month_label(x.round() as usize - 1, locale))
        .y_label_formatter(&|y| {
            app::model::format::number(Decimal::from(y.round() as i64), 0, locale)
        })
        .label_style((FAMILY, 20))
        .light_line_style(WHITE)
        .draw()?;
    if let Some(e) = estimate {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.5, e), (12.5, e)],
                10,
                6,
                PLAN.stroke_width(3),
            ))?
            .label(nfc(locale.pick(
                "Dự toán HĐND tỉnh giao",
                "Provincial council's estimate",
            )))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], PLAN.stroke_width(3)));
    }
    chart
        .draw_series(LineSeries::new(last_year, LAST.stroke_width(3)))?
        .label(nfc(
            locale.pick("Cùng kỳ năm trước", "Same period last year")
        ))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], LAST.stroke_width(3)));
    chart
        .draw_series(LineSeries::new(this_year.clone(), ACCENT.stroke_width(5)))?
        .label(nfc(locale.pick("Lũy kế năm nay", "This year, to date")))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], ACCENT.stroke_width(5)));
    chart.draw_series(
        this_year
            .iter()
            .map(|&(x, y)| Circle::new((x, y), 6, ACCENT.filled())),
    )?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(LAST)
        .label_font((FAMILY, 20))
        .draw()?;
    let source = locale.pick(
        format!(
            "Nguồn: Kho bạc Nhà nước · {} · đến ngày {}",
            app::components::money::as_of_text(data.as_of, locale),
            date(data.date, locale)
        ),
        format!(
            "Source: State Treasury · {} · to {}",
            app::components::money::as_of_text(data.as_of, locale),
            date(data.date, locale)
        ),
    );
    footer.draw(&Text::new(
        nfc(&source),
        (30, 12),
        (FAMILY, 20).into_font().color(&BLACK),
    ))?;
    Ok(())
}

/// The province's dossiers by day over 90 days, and the on-time rate.
#[derive(Debug, Clone)]
pub struct ServicesTrendChart {
    pub date: time::Date,
    pub days: Vec<app::model::services::TrendDay>,
    pub as_of: Option<time::OffsetDateTime>,
}

impl Chart for ServicesTrendChart {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        locale: Locale,
    ) -> DrawResult<DB::ErrorType> {
        fonts();
        root.fill(&WHITE)?;
        let (body, footer) = root.split_vertically(root.dim_in_pixel().1 - 60);
        let (upper, lower) = body.split_vertically(body.dim_in_pixel().1 * 62 / 100);
        let n = self.days.len().max(1) as f64;
        let top = self
            .days
            .iter()
            .map(|d| d.received.max(d.resolved).max(d.overdue))
            .max()
            .unwrap_or(0)
            .max(10) as f64
            * 1.1;
        let label = |x: &f64| {
            self.days
                .get(x.round().max(0.0) as usize)
                .map(|d| format!("{}/{}", d.day.day(), u8::from(d.day.month())))
                .unwrap_or_default()
        };
        let title = nfc(locale.pick(
            "Hồ sơ thủ tục hành chính theo ngày (90 ngày)",
            "Administrative-procedure dossiers by day (90 days)",
        ));
        let mut chart = ChartBuilder::on(&upper)
            .caption(title, (FAMILY, 30).into_font().style(FontStyle::Bold))
            .margin(20)
            .x_label_area_size(36)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..top)?;
        chart
            .configure_mesh()
            .x_labels(10)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| {
                app::model::format::number(Decimal::from(y.round() as i64), 0, locale)
            })
            .label_style((FAMILY, 18))
            .light_line_style(WHITE)
            .draw()?;
        chart
            .draw_series(self.days.iter().enumerate().map(|(i, d)| {
                Rectangle::new(
                    [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, d.received as f64)],
                    ACCENT.mix(0.35).filled(),
                )
            }))?
            .label(nfc(locale.pick("Tiếp nhận", "Received")))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 24, y + 6)], ACCENT.mix(0.35).filled())
            });
        chart
            .draw_series(LineSeries::new(
                self.days
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i as f64, d.resolved as f64)),
                PLAN.stroke_width(3),
            ))?
            .label(nfc(locale.pick("Đã giải quyết", "Resolved")))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], PLAN.stroke_width(3)));
        chart
            .draw_series(LineSeries::new(
                self.days
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (i as f64, d.overdue as f64)),
                RED.stroke_width(3),
            ))?
            .label(nfc(locale.pick("Đang quá hạn", "Overdue")))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], RED.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(LAST)
            .label_font((FAMILY, 18))
            .draw()?;
        let mut rates = ChartBuilder::on(&lower)
            .caption(
                nfc(locale.pick("Tỷ lệ giải quyết đúng hạn (%)", "Resolved on time (%)")),
                (FAMILY, 22),
            )
            .margin(20)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5f64..n - 0.5, 50f64..100f64)?;
        rates
            .configure_mesh()
            .x_labels(10)
            .x_label_formatter(&label)
            .y_labels(5)
            .y_label_formatter(&|y| format!("{}%", y.round()))
            .label_style((FAMILY, 18))
            .light_line_style(WHITE)
            .draw()?;
        // a day without dossiers breaks the line
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, d) in self.days.iter().enumerate() {
            match d.on_time_rate {
                Some(r) => run.push((i as f64, f(r).clamp(50.0, 100.0))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            rates.draw_series(LineSeries::new(run, NATIONAL.stroke_width(3)))?;
        }
        let source = locale.pick(
            format!(
                "Nguồn: Hệ thống thông tin giải quyết TTHC tỉnh, theo nơi tiếp nhận · {} · đến ngày {}",
                app::components::money::as_of_text(self.as_of, locale),
                date(self.date, locale)
            ),
            format!(
                "Source: the province's administrative-procedure system, per service desk · {} · to {}",
                app::components::money::as_of_text(self.as_of, locale),
                date(self.date, locale)
            ),
        );
        footer.draw(&Text::new(
            nfc(&source),
            (30, 12),
            (FAMILY, 20).into_font().color(&BLACK),
        ))?;
        Ok(())
    }
}

/// The 766 index's groups as stacked bars per desk (the best 25 of a ranking).
#[derive(Debug, Clone)]
pub struct IndexChart {
    pub view: app::model::services::IndexView,
}

impl Chart for IndexChart {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        locale: Locale,
    ) -> DrawResult<DB::ErrorType> {
        use app::model::services::Group;
        fonts();
        root.fill(&WHITE)?;
        let (body, footer) = root.split_vertically(root.dim_in_pixel().1 - 60);
        let rows: Vec<_> = self.view.rows.iter().take(25).collect();
        let n = rows.len().max(1) as f64;
        let colours = [ACCENT, PLAN, NATIONAL, RGBColor(0x7b, 0x4f, 0xc9), LAST];
        let title = nfc(&locale.pick(
            format!(
                "Chỉ số 766 theo nhóm, {} (điểm)",
                self.view.period.label(locale)
            ),
            format!(
                "766 index by group, {} (points)",
                self.view.period.label(locale)
            ),
        ));
        let names: Vec<String> = rows.iter().map(|r| nfc(&r.name)).collect();
        let mut chart = ChartBuilder::on(&body)
            .caption(title, (FAMILY, 30).into_font().style(FontStyle::Bold))
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(260)
            .build_cartesian_2d(0f64..100f64, -0.5f64..n - 0.5)?;
        chart
            .configure_mesh()
            .y_labels(rows.len().max(1))
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                names.get(i as usize).cloned().unwrap_or_default()
            })
            .x_label_formatter(&|x| format!("{}", x.round()))
            .label_style((FAMILY, 16))
            .light_line_style(WHITE)
            .draw()?;
        for (g, group) in Group::ALL.iter().enumerate() {
            let colour = colours[g];
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let groups = &r.ranked.index.groups;
                    let before: f64 = groups[..g].iter().filter_map(|s| s.score).map(f).sum();
                    let this = groups[g].score.map(f).unwrap_or(0.0);
                    // the best first, at the top
                    let y = n - 1.0 - i as f64;
                    Rectangle::new(
                        [(before, y - 0.35), (before + this, y + 0.35)],
                        colour.filled(),
                    )
                }))?
                .label(nfc(&format!(
                    "{} ({})",
                    group.label(locale),
                    group.points()
                )))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 24, y + 6)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(LAST)
            .label_font((FAMILY, 16))
            .draw()?;
        let note = locale.pick(
            format!(
                "Ước tính của tỉnh theo Quyết định 766/QĐ-TTg từ số liệu hồ sơ, tính đến {}",
                date(self.view.through, locale)
            ),
            format!(
                "The province's estimate by Decision 766/QĐ-TTg from dossier figures, to {}",
                date(self.view.through, locale)
            ),
        );
        footer.draw(&Text::new(
            nfc(&note),
            (30, 12),
            (FAMILY, 20).into_font().color(&BLACK),
        ))?;
        Ok(())
    }
}

/// A chart drawn on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        locale: Locale,
    ) -> DrawResult<DB::ErrorType>;
}

impl Chart for SCurve {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        locale: Locale,
    ) -> DrawResult<DB::ErrorType> {
        draw_scurve(root, self, locale, true)
    }
}

impl Chart for RevenueChart {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        locale: Locale,
    ) -> DrawResult<DB::ErrorType> {
        draw_revenue(root, self, locale)
    }
}

/// The image formats a chart is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    Png,
    Svg,
}

impl Image {
    /// The format of a file extension (`png`, `svg`).
    pub fn of_extension(ext: &str) -> Option<Image> {
        match ext {
            "png" => Some(Image::Png),
            "svg" => Some(Image::Svg),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Image::Png => "image/png",
            Image::Svg => "image/svg+xml; charset=utf-8",
        }
    }
}

/// How large a chart is drawn: for a page and the briefing ([`WIDTH`]×[`HEIGHT`]), or for a
/// panel of the wall's canvas — a smaller drawing with the same type sizes, so that, scaled
/// to the panel, its text reads from across the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Size {
    #[default]
    Page,
    Wall,
}

impl Size {
    /// `?size=wall`, or the page's size.
    pub fn of_query(text: Option<&str>) -> Size {
        match text {
            Some("wall") => Size::Wall,
            _ => Size::Page,
        }
    }

    fn pixels(self) -> (u32, u32) {
        match self {
            Size::Page => (WIDTH, HEIGHT),
            Size::Wall => (1260, 560),
        }
    }
}

/// `chart` rendered as `image`, drawn at `size`.
pub fn render_at(
    chart: &impl Chart,
    image: Image,
    locale: Locale,
    size: Size,
) -> Result<Vec<u8>, String> {
    let (w, h) = size.pixels();
    match image {
        Image::Png => png_at(
            |root| chart.draw(root, locale).map_err(|e| e.to_string()),
            w,
            h,
        ),
        Image::Svg => svg_at(
            |root| chart.draw(root, locale).map_err(|e| e.to_string()),
            w,
            h,
        )
        .map(String::into_bytes),
    }
}

/// A chart as PNG bytes.
pub fn png(
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    png_at(draw, WIDTH, HEIGHT)
}

fn png_at(
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A chart as SVG text.
pub fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    svg_at(draw, WIDTH, HEIGHT)
}

fn svg_at(
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
    width: u32,
    height: u32,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_composed_before_it_is_drawn() {
        let decomposed = "Tie\u{0302}\u{0301}n đo\u{0323}\u{0302}";
        assert_eq!(nfc(decomposed), "Tiến độ");
    }

    #[test]
    fn the_shipped_font_has_every_vietnamese_letter() {
        let font = ab_glyph::FontRef::try_from_slice(REGULAR).unwrap();
        use ab_glyph::Font;
        for c in
            "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĂÂĐÊÔƠƯẠỆỰ₫".chars()
        {
            assert_ne!(font.glyph_id(c).0, 0, "{c} has no glyph");
        }
    }
}
