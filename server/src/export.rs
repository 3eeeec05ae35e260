//! Tables as files people open in Excel: CSV (UTF-8 with a byte-order mark, so Excel reads
//! Vietnamese correctly) and XLSX. One table model for both, filled by the money view's
//! handlers with exactly what their JSON answers hold: amounts in whole đồng, rates in %.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::error::ApiFailure;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Whole đồng (or any exact number), written with all its digits.
    Number(Decimal),
    Empty,
}

impl From<Option<Decimal>> for Cell {
    fn from(v: Option<Decimal>) -> Cell {
        v.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

impl From<Decimal> for Cell {
    fn from(v: Decimal) -> Cell {
        Cell::Number(v)
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_string())
    }
}

/// A titled table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file's name without extension, ASCII.
    pub name: String,
    /// The sheet's title row (e.g. what and as of when).
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The file kinds a table is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Table {
    /// CSV text: a byte-order mark, the header row, one row per line; numbers with a dot.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut writer = csv::Writer::from_writer(&mut out);
            let _ = writer.write_record(&self.headers);
            for row in &self.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        Cell::Number(n) => n.normalize().to_string(),
                        Cell::Empty => String::new(),
                    })
                    .collect();
                let _ = writer.write_record(&cells);
            }
            let _ = writer.flush();
        }
        out
    }

    /// An XLSX workbook of one sheet: the title, the header row, the rows; numbers as
    /// numbers (amounts of đồng are whole and far below 2⁵³, so Excel holds them exactly;
    /// the exact text is in the CSV), grouped with Excel's own separators.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let bold = Format::new().set_bold();
        let number = Format::new().set_num_format("#,##0.##");
        sheet.write_string_with_format(0, 0, &self.title, &bold)?;
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, t)?;
                    }
                    Cell::Number(n) => match n.to_f64() {
                        Some(v) => {
                            sheet.write_number_with_format(r, c, v, &number)?;
                        }
                        None => {
                            sheet.write_string(r, c, n.to_string())?;
                        }
                    },
                    Cell::Empty => {}
                }
            }
        }
        sheet.set_column_width(1, 40)?;
        book.save_to_buffer()
    }

    /// The table as a download in `format`.
    pub fn respond(&self, format: Format) -> Result<Response, ApiFailure> {
        let (body, kind, ext) = match format {
            Format::Csv => (self.csv(), "text/csv; charset=utf-8", "csv"),
            Format::Xlsx => (
                self.xlsx().map_err(ApiFailure::internal_read)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{}.{ext}\"", self.name);
        Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition)
                        .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
                ),
            ],
            body,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn table() -> Table {
        Table {
            name: "giai-ngan".into(),
            title: "Giải ngân vốn đầu tư công".into(),
            headers: vec![
                "Tên".into(),
                "Đã giải ngân (đồng)".into(),
                "Tỷ lệ (%)".into(),
            ],
            rows: vec![
                vec![
                    "Ban Quản lý dự án, \"giao thông\"".into(),
                    Decimal::from(412_500_000_000i64).into(),
                    Cell::from(Some(Decimal::from_str("12.50").unwrap())),
                ],
                vec![
                    "Ủy ban nhân dân xã Mường Giàng".into(),
                    Decimal::ZERO.into(),
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_starts_with_a_bom_and_keeps_every_digit() {
        let csv = table().csv();
        assert!(csv.starts_with("\u{feff}".as_bytes()));
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Tên,Đã giải ngân (đồng),Tỷ lệ (%)");
        assert_eq!(
            lines[1],
            "\"Ban Quản lý dự án, \"\"giao thông\"\"\",412500000000,12.5"
        );
        assert_eq!(lines[2], "Ủy ban nhân dân xã Mường Giàng,0,");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = table().xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
        assert!(bytes.len() > 1000);
    }
}
