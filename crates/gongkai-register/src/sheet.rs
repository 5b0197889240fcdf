//! A spreadsheet as rows of text: every worksheet of an XLSX file (cells streamed, dates as
//! `YYYY-MM-DD`) or a CSV file (UTF-8, with or without BOM, or GB18030 as Excel saves it in China).
//! Hostile files stop at limits: rows, columns, bytes inflated.
//!
//! Which worksheet is the register, and which rows are its header (a title row above it, a header in two
//! rows under merged group cells), is decided by the caller, who knows the headers to look for
//! ([`crate::fields::locate`]).

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use crate::RegisterError;

/// The most rows a register may have.
pub const MAX_ROWS: usize = 1_000_000;
/// The most columns read.
pub const MAX_COLUMNS: usize = 200;
/// The most bytes an XLSX part may inflate to, and all parts together.
const MAX_PART: u64 = 512 * 1024 * 1024;
const MAX_TOTAL: u64 = 1024 * 1024 * 1024;

/// Which kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Csv,
}

impl FileKind {
    /// From the content: a zip container is XLSX, anything else CSV.
    pub fn detect(bytes: &[u8]) -> FileKind {
        if bytes.starts_with(b"PK\x03\x04") { FileKind::Xlsx } else { FileKind::Csv }
    }

    /// From a file name's extension.
    pub fn from_name(name: &str) -> Option<FileKind> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }
}

/// Rows of a sheet: the header row and the rows below it, each with its row number in the file (1-based,
/// as a spreadsheet shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A worksheet's rows with text, each with its row number (1-based, as a spreadsheet shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The worksheet's name (empty for a CSV file).
    pub name: String,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads `bytes` as `kind`: every worksheet, in the workbook's order, with its rows that have any text.
pub fn read(bytes: &[u8], kind: FileKind) -> Result<Vec<Table>, RegisterError> {
    let tables = match kind {
        FileKind::Xlsx => read_xlsx(bytes)?,
        FileKind::Csv => vec![Table { name: String::new(), rows: read_csv(bytes)? }],
    };
    let tables: Vec<Table> = tables
        .into_iter()
        .map(|table| Table {
            name: table.name,
            rows: table
                .rows
                .into_iter()
                .filter(|(_, cells)| cells.iter().any(|cell| !cell.trim().is_empty()))
                .collect(),
        })
        .collect();
    if tables.iter().all(|table| table.rows.is_empty()) {
        return Err(RegisterError::Unreadable("the file has no rows (表格为空)".to_owned()));
    }
    Ok(tables)
}

fn decode(bytes: &[u8]) -> Result<String, RegisterError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(RegisterError::Unreadable(
                    "the CSV is neither UTF-8 nor GB18030 text (无法识别文件编码)".to_owned(),
                ));
            }
            Ok(text.into_owned())
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, RegisterError> {
    let text = decode(bytes)?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| RegisterError::Unreadable(format!("CSV: {err}")))?;
        let line = record.position().map_or(rows.len() + 1, |position| position.line() as usize);
        if rows.len() >= MAX_ROWS {
            return Err(RegisterError::TooLarge(format!("more than {MAX_ROWS} rows")));
        }
        if record.len() > MAX_COLUMNS {
            return Err(RegisterError::TooLarge(format!(
                "row {line} has more than {MAX_COLUMNS} columns"
            )));
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

/// Refuses a zip whose parts inflate beyond the limits (checked on the declared sizes, and again while
/// reading the parts calamine reads).
fn check_zip(bytes: &[u8]) -> Result<(), RegisterError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| RegisterError::Unreadable(format!("not an XLSX (zip) file: {err}")))?;
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut part = archive
            .by_index(index)
            .map_err(|err| RegisterError::Unreadable(format!("XLSX part {index}: {err}")))?;
        let name = part.name().to_owned();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        // Inflate through a limit: declared sizes can lie.
        let read = std::io::copy(&mut (&mut part).take(MAX_PART + 1), &mut std::io::sink())
            .map_err(|err| RegisterError::Unreadable(format!("XLSX part {name}: {err}")))?;
        total += read;
        if read > MAX_PART || total > MAX_TOTAL {
            return Err(RegisterError::TooLarge(format!(
                "the XLSX part {name} inflates beyond the limit"
            )));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Table>, RegisterError> {
    check_zip(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|err| RegisterError::Unreadable(format!("XLSX: {err}")))?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(RegisterError::Unreadable("the XLSX has no worksheet".to_owned()));
    }
    let mut tables = Vec::with_capacity(names.len());
    let mut total = 0;
    for name in names {
        let rows = read_worksheet(&mut workbook, &name)?;
        total += rows.len();
        if total > MAX_ROWS {
            return Err(RegisterError::TooLarge(format!("more than {MAX_ROWS} rows")));
        }
        tables.push(Table { name, rows });
    }
    Ok(tables)
}

fn read_worksheet(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<(usize, Vec<String>)>, RegisterError> {
    let mut reader = workbook
        .worksheet_cells_reader(name)
        .map_err(|err| RegisterError::Unreadable(format!("XLSX sheet {name}: {err}")))?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|err| RegisterError::Unreadable(format!("XLSX sheet {name}: {err}")))?
    {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if row > MAX_ROWS {
            return Err(RegisterError::TooLarge(format!("more than {MAX_ROWS} rows")));
        }
        if column >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let line = row + 1;
        if rows.last().is_none_or(|(last, _)| *last != line) {
            if rows.last().is_some_and(|(last, _)| *last > line) {
                return Err(RegisterError::Unreadable(format!(
                    "XLSX sheet {name}: rows out of order"
                )));
            }
            rows.push((line, Vec::new()));
        }
        if let Some((_, cells)) = rows.last_mut() {
            if cells.len() <= column {
                cells.resize(column + 1, String::new());
            }
            cells[column] = text;
        }
    }
    Ok(rows)
}

/// A cell as text: numbers without a trailing `.0`, dates as `YYYY-MM-DD`.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => {
            if number.fract() == 0.0 && number.abs() < 1e15 {
                format!("{}", *number as i64)
            } else {
                number.to_string()
            }
        }
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Bool(flag) => if *flag { "是" } else { "否" }.to_owned(),
        DataRef::DateTime(datetime) => {
            serial_date(datetime.as_f64()).unwrap_or_else(|| datetime.as_f64().to_string())
        }
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.chars().take(10).collect(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let date = epoch.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(date.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_gb18030_reads_as_text() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("申请编号,申请人类型\nA1,自然人\n");
        let tables = read(&bytes, FileKind::Csv).unwrap();
        assert_eq!(
            tables[0].rows,
            vec![
                (1, vec!["申请编号".to_owned(), "申请人类型".to_owned()]),
                (2, vec!["A1".to_owned(), "自然人".to_owned()])
            ]
        );
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(serial_date(45658.0).as_deref(), Some("2025-01-01"));
        assert_eq!(serial_date(-3.0), None);
    }
}
