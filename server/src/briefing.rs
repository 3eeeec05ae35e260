//! The morning briefing (bản tin sáng): one A4 page with the budget's headline figures,
//! the disbursement of the plan year with its S-curve and outlook, the investors below the
//! national average, and the as-of time of every figure.
//!
//! The page is drawn once, as SVG, with plotters and the shipped Noto Sans (text in NFC);
//! `GET /api/v1/briefing.pdf` converts that SVG to a PDF with krilla (the font subset is
//! embedded, text stays selectable and searchable) and `GET /api/v1/briefing.png`
//! rasterises the same SVG with resvg, so the PDF and the PNG are the same page.

use std::sync::Arc;

use app::api::money::BudgetItem;
use app::components::money::{as_of_text, billions, percent};
use app::model::format::{date, date_time};
use app::model::money::{DisbursementView, SCurve};
use app::model::Locale;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use time::{Date, OffsetDateTime};

use crate::charts::{self, nfc, FAMILY};

/// The page in pixels of the SVG and the PNG: A4 at 150 dpi.
pub const PAGE_PX: (u32, u32) = (1240, 1754);
/// A4 in PDF points.
const PAGE_PT: (f32, f32) = (595.28, 841.89);
const MARGIN: i32 = 64;

const INK: RGBColor = RGBColor(0x1b, 0x23, 0x32);
const MUTED: RGBColor = RGBColor(0x5a, 0x64, 0x78);
const RULE: RGBColor = RGBColor(0xc9, 0xcf, 0xd9);
const CRITICAL: RGBColor = RGBColor(0xb4, 0x23, 0x18);

/// The briefing's two files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Pdf,
    Png,
}

impl Output {
    pub fn extension(self) -> &'static str {
        match self {
            Output::Pdf => "pdf",
            Output::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Output::Pdf => "application/pdf",
            Output::Png => "image/png",
        }
    }
}

/// What the briefing of a date says. Every part is what the caller may see: a part they
/// may not see is `None` and the page says so instead of leaving a gap.
#[derive(Debug, Clone)]
pub struct Briefing {
    pub date: Date,
    pub province: String,
    pub made_at: OffsetDateTime,
    pub budget: Vec<BudgetItem>,
    pub investment: Option<Investment>,
}

/// The plan year's disbursement: the province's curve and the investors' ranking.
#[derive(Debug, Clone)]
pub struct Investment {
    pub curve: SCurve,
    pub by_investor: DisbursementView,
}

fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    size: u32,
    bold: bool,
    color: &RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut font = (FAMILY, size).into_font();
    if bold {
        font = font.style(FontStyle::Bold);
    }
    root.draw(&Text::new(nfc(s), at, font.color(color)))
}

/// `s` cut with an ellipsis so that it is at most `width` pixels wide at `size`.
fn fit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    size: u32,
    width: u32,
) -> String {
    let font: TextStyle = (FAMILY, size).into();
    let wide = |t: &str| {
        root.estimate_text_size(t, &font)
            .map(|(w, _)| w)
            .unwrap_or(0)
    };
    let s = nfc(s);
    if wide(&s) <= width {
        return s;
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if wide(&cut) <= width {
            return cut;
        }
    }
    String::new()
}

fn rule<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    y: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let right = root.dim_in_pixel().0 as i32 - MARGIN;
    root.draw(&PathElement::new(
        vec![(MARGIN, y), (right, y)],
        RULE.stroke_width(2),
    ))
}

/// Draws the page.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &Briefing,
    l: Locale,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    charts::fonts();
    root.fill(&WHITE)?;
    let (width, height) = root.dim_in_pixel();
    let right = width as i32 - MARGIN;
    let mut y = 56;
    text(
        root,
        &l.pick(
            format!(
                "UBND TỈNH {} · TRUNG TÂM GIÁM SÁT, ĐIỀU HÀNH THÔNG MINH",
                b.province.to_uppercase()
            ),
            format!(
                "{} PROVINCE · INTELLIGENT OPERATIONS CENTER",
                b.province.to_uppercase()
            ),
        ),
        (MARGIN, y),
        19,
        false,
        &MUTED,
    )?;
    y += 34;
    text(
        root,
        l.pick(
            "BẢN TIN SÁNG: NGÂN SÁCH VÀ ĐẦU TƯ CÔNG",
            "MORNING BRIEFING: BUDGET AND PUBLIC INVESTMENT",
        ),
        (MARGIN, y),
        36,
        true,
        &INK,
    )?;
    y += 50;
    text(
        root,
        &l.pick(
            format!(
                "Số liệu đến ngày {} · lập lúc {}",
                date(b.date, l),
                date_time(b.made_at, l)
            ),
            format!(
                "Figures to {} · made at {}",
                date(b.date, l),
                date_time(b.made_at, l)
            ),
        ),
        (MARGIN, y),
        22,
        false,
        &INK,
    )?;
    y += 40;
    rule(root, y)?;

    // 1. the budget
    y += 20;
    text(
        root,
        l.pick(
            "1. Thu, chi ngân sách (lũy kế từ đầu năm)",
            "1. Budget revenue and spending (year to date)",
        ),
        (MARGIN, y),
        26,
        true,
        &INK,
    )?;
    y += 42;
    let cols = [MARGIN, 600, 770, 900, 1030];
    let heads = [
        l.pick("Khoản mục", "Item"),
        l.pick("Lũy kế (tỷ đồng)", "To date (bn đồng)"),
        l.pick("% dự toán", "% of estimate"),
        l.pick("So cùng kỳ", "On last year"),
        l.pick("Số liệu đến", "As of"),
    ];
    for (x, h) in cols.iter().zip(heads) {
        text(root, h, (*x, y), 17, true, &MUTED)?;
    }
    y += 28;
    if b.budget.is_empty() {
        text(
            root,
            l.pick(
                "Chưa có số liệu ngân sách mà tài khoản này được xem.",
                "No budget figures this account may see yet.",
            ),
            (MARGIN, y),
            20,
            false,
            &MUTED,
        )?;
        y += 30;
    }
    for item in &b.budget {
        let indent = if item.part_of.is_some() { 28 } else { 0 };
        let name = if item.part_of.is_some() {
            l.pick(
                format!("trong đó: {}", item.name),
                format!("of which: {}", item.name),
            )
        } else {
            item.name.clone()
        };
        let name = fit(root, &name, 20, (cols[1] - cols[0] - indent - 16) as u32);
        text(
            root,
            &name,
            (cols[0] + indent, y),
            20,
            item.part_of.is_none(),
            &INK,
        )?;
        let cells = [
            item.ytd
                .map(|v| billions(v, l))
                .unwrap_or_else(|| "—".into()),
            percent(item.percent_of_estimate, l),
            percent(item.growth, l),
            item.as_of
                .map(|at| date_time(at, l))
                .unwrap_or_else(|| l.pick("chưa có", "none yet").into()),
        ];
        for (x, c) in cols[1..].iter().zip(cells) {
            text(root, &c, (*x, y), 20, false, &INK)?;
        }
        y += 32;
    }
    y += 6;
    rule(root, y)?;

    // 2. public investment
    y += 20;
    let Some(inv) = &b.investment else {
        text(
            root,
            l.pick(
                "2. Giải ngân vốn đầu tư công: tài khoản này không được xem số liệu đầu tư công.",
                "2. Public investment: this account may not see public-investment figures.",
            ),
            (MARGIN, y),
            22,
            true,
            &INK,
        )?;
        return footer(root, b, l, height);
    };
    let c = &inv.curve;
    let view = &inv.by_investor;
    text(
        root,
        &l.pick(
            format!("2. Giải ngân vốn đầu tư công năm {}", c.year),
            format!("2. Public investment disbursed, plan year {}", c.year),
        ),
        (MARGIN, y),
        26,
        true,
        &INK,
    )?;
    y += 42;
    let bn = l.pick("tỷ đồng", "bn đồng");
    let national = match view.national {
        Some(n) => l.pick(
            format!("bình quân cả nước {}", percent(Some(n), l)),
            format!("national average {}", percent(Some(n), l)),
        ),
        None => l
            .pick("chưa có bình quân cả nước", "no national average yet")
            .into(),
    };
    let lines = [
        l.pick(
            format!(
                "Đã giải ngân {} / {} {bn} kế hoạch, đạt {} ({national}; đường kế hoạch {}).",
                billions(c.disbursed, l),
                billions(c.plan, l),
                percent(c.rate, l),
                percent(Some(view.expected), l),
            ),
            format!(
                "Disbursed {} of {} {bn} planned: {} ({national}; plan-shaped curve {}).",
                billions(c.disbursed, l),
                billions(c.plan, l),
                percent(c.rate, l),
                percent(Some(view.expected), l),
            ),
        ),
        match (c.outlook.projection, c.outlook.needed_for_95, c.outlook.needed_for_100) {
            (p, Some(a), Some(n)) => l.pick(
                format!(
                    "Dự báo đến 31/01/{}: {} · cần giải ngân mỗi tháng {} {bn} để đạt 95%, {} {bn} để đạt 100%.",
                    c.year + 1,
                    percent(p, l),
                    billions(a, l),
                    billions(n, l)
                ),
                format!(
                    "Projected by 31/01/{}: {} · needed each month: {} {bn} for 95%, {} {bn} for 100%.",
                    c.year + 1,
                    percent(p, l),
                    billions(a, l),
                    billions(n, l)
                ),
            ),
            (p, _, _) => l.pick(
                format!("Dự báo đến 31/01/{}: {}.", c.year + 1, percent(p, l)),
                format!("Projected by 31/01/{}: {}.", c.year + 1, percent(p, l)),
            ),
        },
        l.pick(
            format!("Nguồn: Kho bạc Nhà nước (giải ngân), Sở Tài chính (kế hoạch) · {}.", as_of_text(c.as_of, l)),
            format!("Sources: State Treasury (disbursed), Department of Finance (plans) · {}.", as_of_text(c.as_of, l)),
        ),
    ];
    for line in &lines {
        text(
            root,
            &fit(root, line, 20, (right - MARGIN) as u32),
            (MARGIN, y),
            20,
            false,
            &INK,
        )?;
        y += 30;
    }
    y += 8;
    // the S-curve, drawn by the same code as the chart export
    let chart_h = 560;
    let area = root.clone().shrink(
        (MARGIN - 16, y),
        (width - 2 * (MARGIN as u32 - 16), chart_h),
    );
    charts::draw_scurve(&area, c, l, false)?;
    y += chart_h as i32 + 12;
    rule(root, y)?;

    // 3. below the national average
    y += 20;
    let below: Vec<_> = view.rows.iter().filter(|r| r.below_national).collect();
    let heading = match view.national {
        Some(n) => l.pick(
            format!(
                "3. Chủ đầu tư giải ngân dưới mức bình quân cả nước ({}): {} đơn vị",
                percent(Some(n), l),
                below.len()
            ),
            format!(
                "3. Investors below the national average ({}): {}",
                percent(Some(n), l),
                below.len()
            ),
        ),
        None => l
            .pick(
                "3. Chưa có tỷ lệ bình quân cả nước để so sánh.",
                "3. No national average to compare with yet.",
            )
            .into(),
    };
    text(root, &heading, (MARGIN, y), 24, true, &INK)?;
    y += 38;
    let bottom = height as i32 - 110;
    let room = ((bottom - y) / 29).max(0) as usize;
    let shown = if below.len() > room {
        room.saturating_sub(1)
    } else {
        below.len()
    };
    let rate_x = right - 560;
    let as_of_x = right - 170;
    for (i, r) in below.iter().take(shown).enumerate() {
        let color = if r.below_low_rate { &CRITICAL } else { &INK };
        let name = fit(
            root,
            &format!("{}. {}", i + 1, r.name),
            18,
            (rate_x - MARGIN - 12) as u32,
        );
        text(root, &name, (MARGIN, y), 18, false, color)?;
        let figures = format!(
            "{} · {} / {} {bn}",
            percent(r.rate, l),
            billions(r.disbursed, l),
            billions(r.plan_in_force, l)
        );
        text(root, &figures, (rate_x, y), 18, r.below_low_rate, color)?;
        if let Some(at) = r.as_of {
            text(root, &date_time(at, l), (as_of_x, y), 16, false, &MUTED)?;
        }
        y += 29;
    }
    if shown < below.len() {
        text(
            root,
            &l.pick(
                format!(
                    "… và {} chủ đầu tư khác (xem màn hình Thu chi, đầu tư công).",
                    below.len() - shown
                ),
                format!(
                    "… and {} more investors (see the money screen).",
                    below.len() - shown
                ),
            ),
            (MARGIN, y),
            18,
            false,
            &MUTED,
        )?;
    }
    footer(root, b, l, height)
}

fn footer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &Briefing,
    l: Locale,
    height: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let y = height as i32 - 84;
    rule(root, y)?;
    text(
        root,
        l.pick(
            "Màu đỏ: dưới 20% kế hoạch. Mỗi dòng ghi thời điểm số liệu của nó; số tổng là tổng của các dự án.",
            "Red: below 20% of the plan. Each line gives the time of its figures; totals are sums of projects.",
        ),
        (MARGIN, y + 16),
        16,
        false,
        &MUTED,
    )?;
    text(
        root,
        &l.pick(
            format!(
                "IOC Live · bản tin ngày {} · số liệu của các sở, ngành gửi qua API tiếp nhận",
                date(b.date, l)
            ),
            format!(
                "IOC Live · briefing of {} · figures as the agencies sent them",
                date(b.date, l)
            ),
        ),
        (MARGIN, y + 44),
        16,
        false,
        &MUTED,
    )?;
    Ok(())
}

/// The page as SVG text.
pub fn svg(b: &Briefing, l: Locale) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, PAGE_PX).into_drawing_area();
        draw(&root, b, l).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The SVG parsed with the shipped fonts only (no system font is read).
fn tree(svg: &str) -> Result<resvg::usvg::Tree, String> {
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_font_data(charts::REGULAR.to_vec());
    fonts.load_font_data(charts::BOLD.to_vec());
    fonts.set_sans_serif_family("Noto Sans");
    let options = resvg::usvg::Options {
        fontdb: Arc::new(fonts),
        font_family: "Noto Sans".into(),
        ..Default::default()
    };
    resvg::usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())
}

/// The page as a one-page A4 PDF with its font embedded.
pub fn pdf(b: &Briefing, l: Locale) -> Result<Vec<u8>, String> {
    use krilla::geom::Size;
    use krilla::page::PageSettings;
    use krilla_svg::{SurfaceExt, SvgSettings};
    let tree = tree(&svg(b, l)?)?;
    let size = Size::from_wh(PAGE_PT.0, PAGE_PT.1).ok_or("A4 has a size")?;
    let mut document = krilla::Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(nfc(&l.pick(
                format!("Bản tin sáng ngày {}", date(b.date, l)),
                format!("Morning briefing, {}", date(b.date, l)),
            )))
            .creator("IOC Live".into())
            .language(l.pick("vi", "en").into()),
    );
    let mut page = document.start_page_with(PageSettings::new(size));
    let mut surface = page.surface();
    surface
        .draw_svg(&tree, size, SvgSettings::default())
        .ok_or("the page could not be drawn")?;
    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("{e:?}"))
}

/// The same page as a PNG of [`PAGE_PX`].
pub fn png(b: &Briefing, l: Locale) -> Result<Vec<u8>, String> {
    let tree = tree(&svg(b, l)?)?;
    let (w, h) = PAGE_PX;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("a page has a size")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    // opaque on white: premultiplied RGBA is plain RGBA
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(pixmap.data())
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::money::{DisbursementRow, Outlook, Plans, ProjectionMethod};
    use rust_decimal::Decimal;

    fn at(text: &str) -> OffsetDateTime {
        OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
    }

    fn row(name: &str, rate: i64, below_low_rate: bool) -> DisbursementRow {
        DisbursementRow {
            code: name.into(),
            name: name.into(),
            plan: Plans::default(),
            plan_in_force: Decimal::from(100_000_000_000i64),
            disbursed: Decimal::from(rate * 1_000_000_000),
            rate: Some(Decimal::from(rate)),
            band: "critical".into(),
            rank: 1,
            movement: None,
            below_national: true,
            below_low_rate,
            projects: 1,
            as_of: Some(at("2026-11-30T17:00:00+07:00")),
        }
    }

    fn briefing(below: usize, investment: bool) -> Briefing {
        let day = time::macros::date!(2026 - 12 - 01);
        let rows: Vec<DisbursementRow> = (0..below)
            .map(|i| {
                row(
                    &format!("Ban Quản lý dự án số {i}"),
                    10 + i as i64 % 30,
                    i % 30 < 10,
                )
            })
            .collect();
        let view = DisbursementView {
            year: 2026,
            date: day,
            by: app::model::money::By::Investor,
            total: row("Toàn tỉnh", 71, false),
            rows,
            national: Some(Decimal::from(60)),
            national_period: None,
            expected: Decimal::from(78),
        };
        let curve = SCurve {
            year: 2026,
            area: "14".into(),
            area_name: "Sơn La".into(),
            date: day,
            plan: Decimal::from(6_600_000_000_000i64),
            disbursed: Decimal::from(4_686_000_000_000i64),
            rate: Some(Decimal::from(71)),
            points: Vec::new(),
            outlook: Outlook {
                projection: Some(Decimal::from(93)),
                method: ProjectionMethod::ExpectedCurve,
                needed_for_95: Some(Decimal::from(792_000_000_000i64)),
                needed_for_100: Some(Decimal::from(957_000_000_000i64)),
                months_left: 2,
            },
            as_of: Some(at("2026-11-30T17:00:00+07:00")),
        };
        Briefing {
            date: day,
            province: "Sơn La".into(),
            made_at: at("2026-12-01T00:45:00Z"),
            budget: Vec::new(),
            investment: investment.then_some(Investment {
                curve,
                by_investor: view,
            }),
        }
    }

    #[test]
    fn the_page_names_each_investor_below_the_average_with_the_time_of_its_figures() {
        let page = svg(&briefing(3, true), Locale::Vi).unwrap();
        for i in 0..3 {
            assert!(page.contains(&format!("\n{}. Ban Quản lý dự án số {i}\n", i + 1)));
        }
        assert!(page.contains("dưới mức bình quân cả nước (60,0%): 3 đơn vị"));
        assert!(page.contains("Dự báo đến 31/01/2027: 93,0%"));
        assert!(page.contains("792,0 tỷ đồng để đạt 95%"));
        assert!(page.contains("số liệu đến 17:00 30/11/2026"));
        assert!(page.contains("lập lúc 07:45 01/12/2026"));
        // each investor's line has the time of its figures
        assert_eq!(page.matches("\n17:00 30/11/2026\n").count(), 3);
        assert!(page.contains("UBND TỈNH SƠN LA"));
    }

    #[test]
    fn a_long_list_ends_with_how_many_more_there_are() {
        let page = svg(&briefing(60, true), Locale::Vi).unwrap();
        let shown = (0..60)
            .filter(|i| page.contains(&format!("\n{}. Ban Quản lý", i + 1)))
            .count();
        assert!(shown > 5 && shown < 60, "{shown} shown");
        assert!(page.contains(&format!("… và {} chủ đầu tư khác", 60 - shown)));
    }

    #[test]
    fn an_account_that_may_not_see_investment_is_told_so() {
        let page = svg(&briefing(3, false), Locale::En).unwrap();
        assert!(page.contains("may not see public-investment figures"));
        assert!(!page.contains("Ban Quản lý"));
    }

    #[test]
    fn the_pdf_and_the_png_are_made() {
        let b = briefing(12, true);
        let pdf = pdf(&b, Locale::Vi).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let png = png(&b, Locale::Vi).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
