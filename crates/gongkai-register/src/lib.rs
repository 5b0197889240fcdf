//! Registers (台账) in and out: an agency's application register (依申请公开登记台账) and catalog list
//! (主动公开目录) read from XLSX or CSV with the Chinese column headers agencies use, validated row by row,
//! and written back in the same layout.
//!
//! Policy on errors: **all or nothing per file**. Every row is checked and every problem reported (row,
//! column, reason in Chinese); if any row has a problem, nothing is imported. The caller writes the
//! records in one transaction, skipping those already present (same tracking or index number), so
//! importing a file twice adds nothing the second time.
//!
//! Pure: bytes in, records out, and back. The store writes; the CLI reads files.

pub mod agencies;
pub mod cases;
pub mod fields;
pub mod rows;
pub mod sheet;
mod write;

use gongkai_core::calendar::Calendar;
use gongkai_core::records::Ledger;
use time::Date;

pub use agencies::{AgencyFileKind, AgencyList, read_agencies, write_agencies};
pub use fields::{ColumnMap, Register};
pub use rows::{ApplicationEntry, CatalogEntry, Problem};
pub use sheet::{FileKind, Sheet, Table};
pub use write::write;

/// Why a register cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("the file is too large: {0}")]
    TooLarge(String),
    /// The headers cannot be mapped (messages in Chinese).
    #[error("the columns cannot be mapped: {}", .0.join("; "))]
    Columns(Vec<String>),
    /// Rows with problems; nothing was imported.
    #[error("{} problems in the rows", .0.len())]
    Rows(Vec<Problem>),
    #[error("cannot write the file: {0}")]
    Write(String),
}

/// A register read: the records, and the file's columns nothing was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read<T> {
    pub entries: Vec<T>,
    pub unmapped: Vec<String>,
}

fn sheet_and_map(
    bytes: &[u8],
    kind: FileKind,
    register: Register,
    overrides: &[(String, String)],
) -> Result<(Sheet, ColumnMap), RegisterError> {
    let sheet = fields::locate(register, sheet::read(bytes, kind)?)?;
    let map =
        fields::map_columns(register, &sheet.headers, overrides).map_err(RegisterError::Columns)?;
    Ok((sheet, map))
}

/// Reads an application register. The steps of each application are checked by the reply clock on
/// `calendar` as of `as_of` (the day of the import).
pub fn read_applications(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
    calendar: &Calendar,
    as_of: Date,
) -> Result<Read<ApplicationEntry>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Applications, overrides)?;
    let entries = rows::applications(&sheet, &map, calendar, as_of).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of administrative reviews (行政复议台账).
pub fn read_reviews(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<gongkai_core::records::Review>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Reviews, overrides)?;
    let entries = cases::reviews(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of lawsuits (行政诉讼台账).
pub fn read_lawsuits(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<gongkai_core::records::Lawsuit>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Lawsuits, overrides)?;
    let entries = cases::lawsuits(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of responses (回应关切、政策解读).
pub fn read_responses(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<gongkai_core::records::Response>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Responses, overrides)?;
    let entries = cases::responses(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of training courses (培训台账).
pub fn read_trainings(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<gongkai_core::records::Training>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Trainings, overrides)?;
    let entries = cases::trainings(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of meetings (会议台账).
pub fn read_meetings(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<gongkai_core::records::Meeting>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Meetings, overrides)?;
    let entries = cases::meetings(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}

/// Reads a register of reviews, lawsuits, responses, trainings or meetings; `None` for the other
/// registers. The columns nothing was read from come with it.
pub fn read_ledger(
    register: Register,
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Option<Result<(Ledger, Vec<String>), RegisterError>> {
    Some(match register {
        Register::Reviews => read_reviews(bytes, kind, overrides)
            .map(|read| (Ledger::Reviews(read.entries), read.unmapped)),
        Register::Lawsuits => read_lawsuits(bytes, kind, overrides)
            .map(|read| (Ledger::Lawsuits(read.entries), read.unmapped)),
        Register::Responses => read_responses(bytes, kind, overrides)
            .map(|read| (Ledger::Responses(read.entries), read.unmapped)),
        Register::Trainings => read_trainings(bytes, kind, overrides)
            .map(|read| (Ledger::Trainings(read.entries), read.unmapped)),
        Register::Meetings => read_meetings(bytes, kind, overrides)
            .map(|read| (Ledger::Meetings(read.entries), read.unmapped)),
        Register::Applications | Register::Catalog | Register::Agencies => return None,
    })
}

/// Reads a catalog list.
pub fn read_catalog(
    bytes: &[u8],
    kind: FileKind,
    overrides: &[(String, String)],
) -> Result<Read<CatalogEntry>, RegisterError> {
    let (sheet, map) = sheet_and_map(bytes, kind, Register::Catalog, overrides)?;
    let entries = rows::catalog(&sheet, &map).map_err(RegisterError::Rows)?;
    Ok(Read { entries, unmapped: map.unmapped })
}
