//! Agency lists (机构名录) in and out: `gongkai agency import` reads TOML (`[[agency]]` tables, with
//! `[[agency.leader]]` for 领导信息), XLSX or CSV (one row per agency, the Chinese headers of
//! [`crate::fields::AGENCY_FIELDS`]); `gongkai agency export` writes TOML, which reads back to the same
//! entries.
//!
//! A column the sheet does not have (a key the TOML leaves out) is `None`: the import keeps what the
//! platform has for it. A column that is there but blank is an empty value.

use gongkai_core::directory::{AgencyEntry, EntryProblem};
use gongkai_core::records::AgencyKind;
use serde::{Deserialize, Serialize};

use crate::RegisterError;
use crate::fields::{self, Register};
use crate::rows::Problem;
use crate::sheet::{self, FileKind};

/// The kinds of agency file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyFileKind {
    Toml,
    Sheet(FileKind),
}

impl AgencyFileKind {
    /// From a file name's extension (`.toml`, `.xlsx`, `.csv`).
    pub fn from_name(name: &str) -> Option<AgencyFileKind> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "toml" => Some(AgencyFileKind::Toml),
            _ => FileKind::from_name(name).map(AgencyFileKind::Sheet),
        }
    }
}

/// An agency list read: the entries, where each came from (the spreadsheet row, or the ordinal of its
/// `[[agency]]` table), and the columns nothing was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyList {
    pub entries: Vec<AgencyEntry>,
    pub rows: Vec<usize>,
    /// The header of each field's column (sheets), for problems.
    pub headers: Vec<(&'static str, String)>,
    pub unmapped: Vec<String>,
}

impl AgencyList {
    /// A problem of the directory's checks as a problem of the file: its row and the column's header.
    pub fn problem(&self, problem: &EntryProblem) -> Problem {
        let column = self
            .headers
            .iter()
            .find(|(key, _)| *key == problem.field)
            .map_or_else(|| problem.field.to_owned(), |(_, header)| header.clone());
        Problem {
            row: self.rows.get(problem.entry).copied().unwrap_or(problem.entry + 1),
            column,
            message: problem.message.clone(),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyFile {
    #[serde(default, rename = "agency")]
    agencies: Vec<AgencyEntry>,
}

/// TOML dates (`closed_on = 2025-06-30`, unquoted) as the text the entry keeps.
fn dates_as_text(value: &mut toml::Value) {
    match value {
        toml::Value::Datetime(datetime) => *value = toml::Value::String(datetime.to_string()),
        toml::Value::Array(values) => values.iter_mut().for_each(dates_as_text),
        toml::Value::Table(table) => table.iter_mut().for_each(|(_, value)| dates_as_text(value)),
        _ => {}
    }
}

/// Reads an agency list. Sheets: the register's worksheet and header are found as for registers; every
/// row is read (its checks are [`directory::check`]'s, against the platform's tree).
pub fn read_agencies(bytes: &[u8], kind: AgencyFileKind) -> Result<AgencyList, RegisterError> {
    match kind {
        AgencyFileKind::Toml => {
            let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
                .map_err(|_| RegisterError::Unreadable("the TOML file is not UTF-8".to_owned()))?;
            let mut value: toml::Value = toml::from_str(text)
                .map_err(|err| RegisterError::Unreadable(format!("TOML: {err}")))?;
            dates_as_text(&mut value);
            let file: AgencyFile = value
                .try_into()
                .map_err(|err| RegisterError::Unreadable(format!("TOML: {err}")))?;
            if file.agencies.is_empty() {
                return Err(RegisterError::Unreadable(
                    "the file has no [[agency]] table (文件中没有机构)".to_owned(),
                ));
            }
            let rows = (1..=file.agencies.len()).collect();
            Ok(AgencyList {
                entries: file.agencies,
                rows,
                headers: Vec::new(),
                unmapped: Vec::new(),
            })
        }
        AgencyFileKind::Sheet(kind) => {
            let sheet = fields::locate(Register::Agencies, sheet::read(bytes, kind)?)?;
            let map = fields::map_columns(Register::Agencies, &sheet.headers, &[])
                .map_err(RegisterError::Columns)?;
            let headers: Vec<(&'static str, String)> = fields::AGENCY_FIELDS
                .iter()
                .filter_map(|field| {
                    map.column(field.key).map(|column| (field.key, sheet.headers[column].clone()))
                })
                .collect();
            let mut entries = Vec::with_capacity(sheet.rows.len());
            let mut rows = Vec::with_capacity(sheet.rows.len());
            for (row, cells) in &sheet.rows {
                let cell = |key: &str| -> Option<String> {
                    map.column(key).map(|column| {
                        cells.get(column).map_or("", |cell| cell.as_str()).trim().to_owned()
                    })
                };
                let text = |key: &str| cell(key).unwrap_or_default();
                let optional = |key: &str| cell(key).filter(|value| !value.is_empty());
                let kind = text("kind");
                entries.push(AgencyEntry {
                    code: text("code"),
                    name: text("name"),
                    kind: AgencyKind::from_name(&kind)
                        .map_or(kind, |known| known.code().to_owned()),
                    // Blank: the top of the tree; no column: each agency keeps its place.
                    parent: cell("parent"),
                    region: optional("region"),
                    index_pattern: optional("index_pattern"),
                    office: cell("office"),
                    phone: cell("phone"),
                    fax: cell("fax"),
                    email: cell("email"),
                    address: cell("address"),
                    postcode: cell("postcode"),
                    hours: cell("hours"),
                    overview: cell("overview"),
                    duties: cell("duties"),
                    leaders: None,
                    closed_on: optional("closed_on"),
                    successor: optional("successor"),
                });
                rows.push(*row);
            }
            if entries.is_empty() {
                return Err(RegisterError::Unreadable(
                    "the file has no agencies (文件中没有机构)".to_owned(),
                ));
            }
            Ok(AgencyList { entries, rows, headers, unmapped: map.unmapped })
        }
    }
}

/// Writes agencies as TOML (`[[agency]]` tables), which [`read_agencies`] reads back to the same entries.
pub fn write_agencies(entries: &[AgencyEntry]) -> Result<String, RegisterError> {
    let file = AgencyFile { agencies: entries.to_vec() };
    let body =
        toml::to_string_pretty(&file).map_err(|err| RegisterError::Write(err.to_string()))?;
    Ok(format!(
        "# gongkai 机构名录 — `gongkai agency import` reads this file back (by code: an update).\n\
         # kind: government (政府) or department (部门); parent: the code of the agency above.\n\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_with_a_title_row_reads_and_absent_columns_stay_none() {
        let csv = "某省机构名录,,,,\n机构代码,机构名称,机构类型,上级机构代码,联系电话\nP,某省人民政府,政府,,\nS,某厅,部门,P,0571-1\n";
        let list = read_agencies(csv.as_bytes(), AgencyFileKind::Sheet(FileKind::Csv)).unwrap();
        assert_eq!(list.rows, vec![3, 4]);
        assert_eq!(list.entries[0].kind, "government");
        assert_eq!(list.entries[0].phone.as_deref(), Some(""));
        assert_eq!(list.entries[1].parent.as_deref(), Some("P"));
        assert_eq!(list.entries[1].address, None);
    }

    #[test]
    fn toml_round_trips_with_leaders_and_an_unquoted_date() {
        let text = r#"
[[agency]]
code = "OLD"
name = "某局（已撤销）"
kind = "department"
parent = "P"
closed_on = 2025-06-30
successor = "NEW"

[[agency]]
code = "NEW"
name = "某局"
kind = "department"
parent = "P"
overview = "第一段。\n\n第二段。"

[[agency.leader]]
name = "张三"
post = "局长"
duties = "主持全面工作"
"#;
        let list = read_agencies(text.as_bytes(), AgencyFileKind::Toml).unwrap();
        assert_eq!(list.entries[0].closed_on.as_deref(), Some("2025-06-30"));
        assert_eq!(list.entries[1].leaders.as_ref().unwrap()[0].post, "局长");
        let written = write_agencies(&list.entries).unwrap();
        let again = read_agencies(written.as_bytes(), AgencyFileKind::Toml).unwrap();
        assert_eq!(again.entries, list.entries);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let text =
            "[[agency]]\ncode = \"A\"\nname = \"甲\"\nkind = \"government\"\ntelephone = \"1\"\n";
        let err = read_agencies(text.as_bytes(), AgencyFileKind::Toml).unwrap_err();
        assert!(err.to_string().contains("telephone"), "{err}");
    }
}
