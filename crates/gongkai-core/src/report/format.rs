//! Report formats as data: sections, tables, header layouts, rows, columns, units and rules.
//!
//! The three official formats live in `data/formats/*.toml` and are embedded at build time:
//! - `pre2019`: the 政府信息公开情况统计表 (国办发〔2014〕32号) as in the founding document's annex;
//! - `2019`: 国办公开办函〔2019〕60号 (试行), report years 2019–2020;
//! - `2021`: 国办公开办函〔2021〕30号, report years 2021 on.
//!
//! A value cell sits at (row, column) of a block; it shows the measure named by joining the row's and the
//! column's `measure` with a dot (either may be empty). Derivation computes measures from records once; each
//! format only picks them, so no format has code per cell.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::records::Content;

/// Which official format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FormatId {
    #[serde(rename = "pre2019")]
    Pre2019,
    #[serde(rename = "2019")]
    F2019,
    #[serde(rename = "2021")]
    F2021,
}

impl FormatId {
    pub const ALL: [FormatId; 3] = [FormatId::Pre2019, FormatId::F2019, FormatId::F2021];

    /// The format of a report year: ≤ 2018 pre-2019, 2019–2020 the 试行 format, 2021 on the 2021 format.
    pub fn for_year(year: i32) -> FormatId {
        match year {
            ..=2018 => FormatId::Pre2019,
            2019..=2020 => FormatId::F2019,
            _ => FormatId::F2021,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FormatId::Pre2019 => "pre2019",
            FormatId::F2019 => "2019",
            FormatId::F2021 => "2021",
        }
    }

    /// The format's definition.
    pub fn format(self) -> &'static Format {
        let formats = formats();
        match self {
            FormatId::Pre2019 => &formats[0],
            FormatId::F2019 => &formats[1],
            FormatId::F2021 => &formats[2],
        }
    }
}

impl fmt::Display for FormatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for FormatId {
    type Err = String;
    fn from_str(text: &str) -> Result<FormatId, String> {
        FormatId::ALL.into_iter().find(|id| id.code() == text).ok_or_else(|| {
            format!("unknown report format `{text}`: expected pre2019, 2019 or 2021")
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub number: String,
    pub title: String,
    pub content: Content,
    #[serde(default)]
    pub tables: Vec<String>,
}

/// One cell of a header layout, spanning columns and rows as in the official table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCell {
    pub label: String,
    #[serde(default = "one")]
    pub colspan: u16,
    #[serde(default = "one")]
    pub rowspan: u16,
}

fn one() -> u16 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub measure: String,
    /// Physical columns the value cell spans (a block with one value column in a 4-column table).
    #[serde(default = "one")]
    pub span: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// Indentation level of the label (0 = top).
    #[serde(default)]
    pub level: u8,
    /// A heading row with no values of its own.
    #[serde(default)]
    pub group: bool,
    #[serde(default)]
    pub measure: Option<String>,
    /// A counting note printed under the label, e.g. （不同渠道和方式公开相同信息计1条）.
    #[serde(default)]
    pub note: Option<String>,
}

/// Part of a table with its own column labels (table 二 has four).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    /// A heading row spanning the block, e.g. 第二十条第（一）项.
    #[serde(default)]
    pub heading: Option<String>,
    /// The header of the label column(s).
    #[serde(default)]
    pub label_header: Option<String>,
    /// When set, a unit column follows the labels (the pre-2019 table).
    #[serde(default)]
    pub unit_header: Option<String>,
    /// Physical columns the row labels take (0 when there are none, as in table 四).
    #[serde(default = "one")]
    pub label_columns: u16,
    /// An explicit multi-row header with merged cells; otherwise one row of labels is used.
    #[serde(default)]
    pub header: Option<Vec<Vec<HeaderCell>>>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Block {
    /// The header rows: the explicit layout, or `label_header`, [`unit_header`], the column labels.
    pub fn header_rows(&self) -> Vec<Vec<HeaderCell>> {
        if let Some(header) = &self.header {
            return header.clone();
        }
        let mut row = Vec::new();
        if self.label_columns > 0 {
            row.push(HeaderCell {
                label: self.label_header.clone().unwrap_or_default(),
                colspan: self.label_columns,
                rowspan: 1,
            });
        }
        if let Some(unit_header) = &self.unit_header {
            row.push(HeaderCell { label: unit_header.clone(), colspan: 1, rowspan: 1 });
        }
        row.extend(self.columns.iter().map(|column| HeaderCell {
            label: column.label.clone(),
            colspan: column.span,
            rowspan: 1,
        }));
        vec![row]
    }

    /// Physical width of the block in columns.
    pub fn width(&self) -> u16 {
        self.label_columns
            + u16::from(self.unit_header.is_some())
            + self.columns.iter().map(|column| column.span).sum::<u16>()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub id: String,
    pub title: String,
    #[serde(rename = "block")]
    pub blocks: Vec<Block>,
}

impl Table {
    /// The block holding row `row_key`, and the row.
    pub fn row(&self, row_key: &str) -> Option<(&Block, &Row)> {
        self.blocks.iter().find_map(|block| {
            block.rows.iter().find(|row| row.key == row_key).map(|row| (block, row))
        })
    }

    /// Physical width of the table (the widest block).
    pub fn width(&self) -> u16 {
        self.blocks.iter().map(Block::width).max().unwrap_or(0)
    }

    /// Every value cell: (block, row, column).
    pub fn value_cells(&self) -> impl Iterator<Item = (&Block, &Row, &Column)> {
        self.blocks.iter().flat_map(|block| {
            block
                .rows
                .iter()
                .filter(|row| !row.group)
                .flat_map(move |row| block.columns.iter().map(move |column| (block, row, column)))
        })
    }
}

/// How bad a broken rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The table contradicts itself.
    #[default]
    Error,
    /// Implausible, but possible with facts the table does not show.
    Warning,
}

/// What a rule requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleKind {
    /// In every value column: Σ `left` rows = Σ `right` rows.
    RowBalance { left: Vec<String>, right: Vec<String> },
    /// In every value column: row `total` = Σ `parts` rows.
    RowSum { total: String, parts: Vec<String> },
    /// In every value row: column `total` = Σ `parts` columns.
    ColumnSum { total: String, parts: Vec<String> },
    /// In every value column: row `part` ≤ row `whole` (a "其中" never exceeds its parent).
    AtMost { part: String, whole: String },
    /// In every value column: this year's row `this_year` = last year's row `last_year`.
    CrossYear { this_year: String, last_year: String },
    /// For each of `rows`: column `stock` = last year's `stock` + `inflow` − `outflow`.
    CrossYearFlow { rows: Vec<String>, stock: String, inflow: String, outflow: Option<String> },
}

impl RuleKind {
    /// The rows and the columns the rule names.
    pub fn keys(&self) -> (Vec<&String>, Vec<&String>) {
        match self {
            RuleKind::RowBalance { left, right } => (left.iter().chain(right).collect(), vec![]),
            RuleKind::RowSum { total, parts } => {
                (std::iter::once(total).chain(parts).collect(), vec![])
            }
            RuleKind::ColumnSum { total, parts } => {
                (vec![], std::iter::once(total).chain(parts).collect())
            }
            RuleKind::AtMost { part, whole } => (vec![part, whole], vec![]),
            RuleKind::CrossYear { this_year, last_year } => (vec![this_year, last_year], vec![]),
            RuleKind::CrossYearFlow { rows, stock, inflow, outflow } => (
                rows.iter().collect(),
                std::iter::once(stock).chain([inflow]).chain(outflow).collect(),
            ),
        }
    }
}

/// A named, declarative consistency rule of a format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub table: String,
    pub description: String,
    pub source: String,
    #[serde(default)]
    pub severity: Severity,
    #[serde(flatten)]
    pub kind: RuleKind,
}

/// One official format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    pub id: FormatId,
    pub name: String,
    pub notice: String,
    #[serde(default)]
    pub first_year: Option<i32>,
    #[serde(default)]
    pub last_year: Option<i32>,
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
    #[serde(rename = "table")]
    pub tables: Vec<Table>,
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
}

impl Format {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.id == id)
    }

    /// Parses and validates a format definition.
    pub fn parse(source: &str) -> Result<Format, String> {
        let format: Format = toml::from_str(source).map_err(|err| err.to_string())?;
        format.validate()?;
        Ok(format)
    }

    /// Checks that keys are unique, rules name existing rows and columns, and headers are as wide as the rows.
    fn validate(&self) -> Result<(), String> {
        for table in &self.tables {
            let mut row_keys = std::collections::BTreeSet::new();
            for block in &table.blocks {
                for row in &block.rows {
                    if !row_keys.insert(row.key.as_str()) {
                        return Err(format!("table `{}`: duplicate row `{}`", table.id, row.key));
                    }
                    if !row.group && row.measure.is_none() {
                        return Err(format!(
                            "table `{}`: value row `{}` has no measure",
                            table.id, row.key
                        ));
                    }
                }
                for header_row in block.header_rows() {
                    let width: u16 = header_row.iter().map(|cell| cell.colspan).sum();
                    if block.header.is_none() && width != block.width() {
                        return Err(format!(
                            "table `{}`: header width {width} ≠ block width",
                            table.id
                        ));
                    }
                }
            }
        }
        for section in &self.sections {
            for table in &section.tables {
                if self.table(table).is_none() {
                    return Err(format!(
                        "section `{}` names unknown table `{table}`",
                        section.title
                    ));
                }
            }
        }
        for rule in &self.rules {
            let table = self
                .table(&rule.table)
                .ok_or_else(|| format!("rule `{}`: unknown table", rule.id))?;
            let has_row = |key: &String| table.row(key).is_some();
            let has_column = |key: &String| {
                table
                    .blocks
                    .iter()
                    .any(|block| block.columns.iter().any(|column| &column.key == key))
            };
            let (rows, columns) = rule.kind.keys();
            if let Some(row) = rows.into_iter().find(|row| !has_row(row)) {
                return Err(format!("rule `{}`: unknown row `{row}`", rule.id));
            }
            if let Some(column) = columns.into_iter().find(|column| !has_column(column)) {
                return Err(format!("rule `{}`: unknown column `{column}`", rule.id));
            }
        }
        Ok(())
    }
}

const SOURCES: [&str; 3] = [
    include_str!("../../data/formats/pre2019.toml"),
    include_str!("../../data/formats/2019.toml"),
    include_str!("../../data/formats/2021.toml"),
];

fn formats() -> &'static [Format; 3] {
    static FORMATS: OnceLock<[Format; 3]> = OnceLock::new();
    FORMATS.get_or_init(|| {
        SOURCES.map(|source| {
            Format::parse(source)
                .unwrap_or_else(|err| panic!("built-in report format is invalid: {err}"))
        })
    })
}
