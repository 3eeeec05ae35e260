//! Importing a plan's task table (`POST /api/v1/tasks/import`) from CSV or XLSX.
//!
//! The table has the shape of a plan's appendix: a header row naming the columns — the
//! task (*Nhiệm vụ*), its output (*Sản phẩm* / *Kết quả*), the deadline (*Thời gian hoàn
//! thành* / *Thời hạn*), the lead agency (*Đơn vị chủ trì*) and the coordinating agencies
//! (*Đơn vị phối hợp*), in any order, in Vietnamese or English, a number column (*STT*) and
//! others ignored — and a row per task. Every row is read in full before anything is
//! stored: each deadline parsed into its kind, each agency name matched to its code
//! ([`super::agency_names`]); a row that cannot be read or matched is reported with its
//! line, column and reason, and then nothing at all is imported. Rows that are entirely
//! empty, and section rows (a heading with no deadline and no lead, such as "I. Hạ tầng
//! số"), are skipped.

use app::model::ingest::ItemProblem;
use app::model::task::TaskInput;
use app::model::Catalogue;
use std::io::Cursor;
use time::OffsetDateTime;

use super::agency_names::{normalise, AgencyNames};
use app::store::tasks::NewTask;

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 2_000;

/// The columns of the appendix shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Task,
    Output,
    Deadline,
    Lead,
    Coordinating,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Task => "task",
            Column::Output => "output",
            Column::Deadline => "deadline",
            Column::Lead => "lead",
            Column::Coordinating => "coordinating",
        }
    }

    /// The column a header cell names, if any.
    fn of_header(cell: &str) -> Option<Column> {
        let h = normalise(cell);
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| h.starts_with(p));
        if starts(&["nhiệm vụ", "nội dung", "task", "tên nhiệm vụ"]) {
            Some(Column::Task)
        } else if starts(&["sản phẩm", "kết quả", "output"]) {
            Some(Column::Output)
        } else if starts(&["thời gian", "thời hạn", "deadline", "tiến độ"]) {
            Some(Column::Deadline)
        } else if starts(&["đơn vị chủ trì", "cơ quan chủ trì", "chủ trì", "lead"]) {
            Some(Column::Lead)
        } else if starts(&[
            "đơn vị phối hợp",
            "cơ quan phối hợp",
            "phối hợp",
            "coordinating",
        ]) {
            Some(Column::Coordinating)
        } else {
            None
        }
    }
}

/// A file that cannot be read as a table at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub vi: String,
    pub en: String,
}

/// Reads a CSV file (UTF-8, with or without a BOM; comma or semicolon separated) into rows
/// of cells.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Unreadable> {
    let text = std::str::from_utf8(bytes).map_err(|_| Unreadable {
        vi: "Tệp CSV phải ở mã UTF-8.".into(),
        en: "The CSV file must be UTF-8.".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Unreadable {
            vi: format!("Không đọc được tệp CSV: {e}"),
            en: format!("The CSV file cannot be read: {e}"),
        })?;
        rows.push(record.iter().map(str::to_string).collect());
        if rows.len() > MAX_ROWS + 1 {
            return Err(too_many());
        }
    }
    Ok(rows)
}

fn too_many() -> Unreadable {
    Unreadable {
        vi: format!("Tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp."),
        en: format!("The file has more than {MAX_ROWS} rows; split it into several files."),
    }
}

/// Reads the first sheet of an XLSX workbook into rows of cells.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Unreadable> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable = |e: &dyn std::fmt::Display| Unreadable {
        vi: format!("Không đọc được tệp XLSX: {e}"),
        en: format!("The XLSX file cannot be read: {e}"),
    };
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(&e))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable(&"no sheet"))?
        .map_err(|e| unreadable(&e))?;
    if range.height() > MAX_ROWS + 1 {
        return Err(too_many());
    }
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// What an import asks for besides the file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The plan the tasks come from: "Quyết định 283/QĐ-UBND ngày 13/02/2025".
    pub source: String,
    /// The plan's year, for deadlines written without one.
    pub plan_year: Option<i32>,
}

fn problem(line: usize, column: &str, code: &str, vi: String, en: String) -> ItemProblem {
    ItemProblem {
        index: line.saturating_sub(2),
        line: Some(line),
        field: column.into(),
        code: code.into(),
        message_vi: vi,
        message_en: en,
    }
}

/// Splits a cell of agency names: one per line or between semicolons, and between commas
/// where the text on each side is a known name — commas also occur inside names ("Sở Văn
/// hóa, Thể thao và Du lịch", "UBND các huyện, thị xã, thành phố"), so the longest run of
/// comma-separated pieces that is a known name is taken first. What no known name covers is
/// kept as one piece, to be reported or kept as words by [`super::validate`].
fn agency_names(cell: &str, names: &AgencyNames) -> Vec<String> {
    let mut out = Vec::new();
    for part in cell
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let part = part.trim_start_matches(['-', '+', '•']).trim();
        let pieces: Vec<&str> = part.split(',').map(str::trim).collect();
        let mut unmatched: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            let known = (i + 1..=pieces.len())
                .rev()
                .find(|&j| names.code(&pieces[i..j].join(", ")).is_some());
            match known {
                Some(j) => {
                    if !unmatched.is_empty() {
                        out.push(unmatched.join(", "));
                        unmatched.clear();
                    }
                    out.push(pieces[i..j].join(", "));
                    i = j;
                }
                None => {
                    unmatched.push(pieces[i]);
                    i += 1;
                }
            }
        }
        if !unmatched.is_empty() {
            out.push(unmatched.join(", "));
        }
    }
    out.retain(|p| !p.trim().is_empty());
    out
}

/// Reads every row into a task, or reports every row that cannot be read — never some of
/// each.
pub fn tasks(
    rows: &[Vec<String>],
    options: &ImportOptions,
    catalogue: &Catalogue,
    names: &AgencyNames,
    now: OffsetDateTime,
) -> Result<Vec<NewTask>, Vec<ItemProblem>> {
    // the header: the first row naming a task and a deadline column
    let Some((header_at, columns)) = rows.iter().enumerate().find_map(|(i, row)| {
        let columns: Vec<Option<Column>> = row.iter().map(|c| Column::of_header(c)).collect();
        let has = |c: Column| columns.contains(&Some(c));
        (has(Column::Task) && has(Column::Deadline) && has(Column::Lead)).then_some((i, columns))
    }) else {
        return Err(vec![problem(
            1,
            "header",
            "no_header",
            "Không thấy dòng tiêu đề có các cột Nhiệm vụ, Thời gian hoàn thành và Đơn vị chủ trì.".into(),
            "No header row with the columns task (Nhiệm vụ), deadline (Thời gian hoàn thành) and lead (Đơn vị chủ trì).".into(),
        )]);
    };
    let cell = |row: &[String], wanted: Column| -> String {
        columns
            .iter()
            .position(|c| *c == Some(wanted))
            .and_then(|i| row.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let mut tasks = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
        let line = i + 1;
        let (title, deadline, lead) = (
            cell(row, Column::Task),
            cell(row, Column::Deadline),
            cell(row, Column::Lead),
        );
        let coordinating = cell(row, Column::Coordinating);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // a section heading ("I. HẠ TẦNG SỐ"): a title alone
        if deadline.is_empty() && lead.is_empty() && coordinating.is_empty() {
            continue;
        }
        let input = TaskInput {
            title,
            source: options.source.clone(),
            lead: lead.clone(),
            coordinating: agency_names(&coordinating, names),
            output: cell(row, Column::Output),
            deadline,
            plan_year: options.plan_year,
            raised_from: None,
        };
        match super::validate(&input, catalogue, names, now) {
            Ok(task) => tasks.push(task),
            Err(found) => problems.extend(found.into_iter().map(|p| {
                let column = match p.field.as_str() {
                    f if f.starts_with("coordinating") => Column::Coordinating,
                    "lead" => Column::Lead,
                    "deadline" | "plan_year" => Column::Deadline,
                    "output" => Column::Output,
                    _ => Column::Task,
                };
                problem(line, column.name(), &p.code, p.message_vi, p.message_en)
            })),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if tasks.is_empty() {
        return Err(vec![problem(
            header_at + 2,
            "task",
            "no_tasks",
            "Tệp không có nhiệm vụ nào sau dòng tiêu đề.".into(),
            "The file has no task after its header row.".into(),
        )]);
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        crate::province::load(&crate::province::demo()).unwrap()
    }

    fn options() -> ImportOptions {
        ImportOptions {
            source: "Quyết định 283/QĐ-UBND ngày 13/02/2025".into(),
            plan_year: Some(2025),
        }
    }

    #[test]
    fn a_table_in_the_appendix_shape_reads_into_tasks() {
        let csv = "\u{feff}STT,Nhiệm vụ,Sản phẩm,Thời gian hoàn thành,Đơn vị chủ trì,Đơn vị phối hợp\n\
                   I,HẠ TẦNG SỐ,,,,\n\
                   1,Xây dựng kho dữ liệu dùng chung,Kho dữ liệu,Quý II/2025,Sở Thông tin và Truyền thông,\"Sở Tài chính; Sở Nội vụ\"\n\
                   2,Số hoá hồ sơ,Hồ sơ số,Trước 30/9/2025,Sở Kế hoạch và Đầu tư,\"Sở Văn hóa, Thể thao và Du lịch\"\n\
                   ,,,,,\n\
                   3,Cập nhật dữ liệu,Dữ liệu,Thường xuyên,Sở Y tế,\"Sở Tư pháp, Sở Công Thương\"\n";
        let c = catalogue();
        let rows = read_csv(csv.as_bytes()).unwrap();
        let tasks = tasks(
            &rows,
            &options(),
            &c,
            &AgencyNames::new(&c),
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        assert_eq!(tasks.len(), 3);
        assert_eq!(tasks[0].lead, "SKHCN");
        assert_eq!(tasks[0].coordinating, ["STC", "SNV"]);
        assert_eq!(
            tasks[0].deadline.due(),
            Some(time::macros::date!(2025 - 06 - 30))
        );
        assert_eq!(tasks[1].lead, "STC");
        assert_eq!(tasks[1].coordinating, ["SVHTTDL"]);
        assert_eq!(tasks[2].coordinating, ["STP", "SCT"]);
        assert_eq!(tasks[2].source, "Quyết định 283/QĐ-UBND ngày 13/02/2025");
    }

    #[test]
    fn every_bad_row_is_reported_by_line_and_column_and_nothing_is_kept() {
        let csv = "Nhiệm vụ;Thời hạn;Chủ trì;Phối hợp\n\
                   Việc một;Quý I/2025;Sở Tài chính;\n\
                   Việc hai;sớm nhất có thể;Sở Tài chính;\n\
                   Việc ba;Năm 2025;Sở Không Có;Sở Y tế\n\
                   Việc bốn;31/4/2025;Sở Tài chính;Phòng Ma\n";
        let c = catalogue();
        let rows = read_csv(csv.as_bytes()).unwrap();
        let problems = tasks(
            &rows,
            &options(),
            &c,
            &AgencyNames::new(&c),
            OffsetDateTime::now_utc(),
        )
        .unwrap_err();
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line.unwrap(), p.field.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (3, "deadline", "unreadable"),
                (4, "lead", "unknown_agency"),
                (5, "coordinating", "unknown_agency"),
                (5, "deadline", "no_such_day"),
            ]
        );
        assert!(problems
            .iter()
            .all(|p| !p.message_vi.is_empty() && !p.message_en.is_empty()));
    }

    /// The seed plans' task tables as Sơn La would write them today (`fixtures/seed-tasks.csv`:
    /// the 283/QĐ-UBND tasks as written, and tasks of the other seeds with post-2025
    /// agencies, each row naming its seed file and lines) import cleanly.
    #[test]
    fn the_seeds_task_tables_import_cleanly() {
        let c = catalogue();
        let csv = include_str!("../../tests/fixtures/seed-tasks.csv");
        let rows = read_csv(csv.as_bytes()).unwrap();
        let tasks = tasks(
            &rows,
            &options(),
            &c,
            &AgencyNames::new(&c),
            OffsetDateTime::now_utc(),
        )
        .unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(tasks.len(), rows.len() - 1);
        // the Government Office takes part, but is no agency of the province: named in words
        let central = tasks
            .iter()
            .find(|t| t.other_parties.iter().any(|p| p == "Văn phòng Chính phủ"))
            .expect("a task with the Government Office");
        assert_eq!(central.lead, "VPUB");
        // "Tháng 12 năm 2025" is December 2025
        assert!(tasks.iter().any(|t| t.deadline_text == "Tháng 12 năm 2025"
            && t.deadline.due() == Some(time::macros::date!(2025 - 12 - 31))));
    }

    #[test]
    fn a_file_without_the_columns_is_refused_at_its_first_line() {
        let c = catalogue();
        let rows = read_csv("a,b\n1,2\n".as_bytes()).unwrap();
        let problems = tasks(
            &rows,
            &options(),
            &c,
            &AgencyNames::new(&c),
            OffsetDateTime::now_utc(),
        )
        .unwrap_err();
        assert_eq!(problems[0].code, "no_header");
        assert!(read_csv(&[0xff, 0xfe, 0x00]).is_err());
    }
}
